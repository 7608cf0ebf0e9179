#ifndef KDR_EXECUTOR_DR_IO_H
#define KDR_EXECUTOR_DR_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dr/dr.h"
#include "executor/executor.h"
#include "model/model.h"
#include "util/strvec.h"

/*
 * The I/O of the DR operations (failover, lag): reads MM2's internal topics
 * and offsets through pkg/kafka into pkg/dr's types, stops connectors and
 * commits group offsets. pkg/dr decides; this only reads and writes.
 */

/*
 * Reads every record of `topic` partition 0 on `cl` (MM2's checkpoints topic
 * is single-partition) from the beginning to its end into `out` (empty),
 * then finishes it. KDR_ENOTFOUND (message says so) when the topic does not
 * exist; else the read's error.
 */
int kdr_executor_read_checkpoints(struct kdr_dr_checkpoints *out, const struct kdr_cluster *cl, const char *topic,
				  const struct kdr_executor_options *options);
/* The same for the offset-syncs topic, into a kdr_dr_syncs. */
int kdr_executor_read_syncs(struct kdr_dr_syncs *out, const struct kdr_cluster *cl, const char *topic,
			    const struct kdr_executor_options *options);
/*
 * The same, not finished: every offset-sync in log order (the history
 * failback's translation needs, kdr_dr_failback_checkpoints), not only the latest.
 */
int kdr_executor_read_sync_log(struct kdr_dr_syncs *out, const struct kdr_cluster *cl, const char *topic,
			       const struct kdr_executor_options *options);

/*
 * Log-end offsets of the partitions named in `want` (topic, partition;
 * offsets ignored) into `out` (empty, sorted after). A partition Kafka does
 * not know is left out. Returns 0 or the request's error.
 */
int kdr_executor_end_offsets(struct kdr_dr_offsets *out, const struct kdr_cluster *cl,
			     const struct kdr_dr_offsets *want, const struct kdr_executor_options *options);
/* The same for the log-start offsets (the low watermark), one batched ListOffsets (earliest). */
int kdr_executor_start_offsets(struct kdr_dr_offsets *out, const struct kdr_cluster *cl,
			       const struct kdr_dr_offsets *want, const struct kdr_executor_options *options);

/*
 * For each entry of `at` (topic, partition, offset), reads the one record at
 * that offset and sets its timestamp_ms (left -1 when there is none yet).
 * Returns 0 or the first read error.
 */
int kdr_executor_record_timestamps(struct kdr_dr_offsets *at, const struct kdr_cluster *cl,
				   const struct kdr_executor_options *options);

/* The outcome of stopping one connector. */
struct kdr_executor_stop {
	char *connector;
	char *cluster; /* whose Connect runs it */
	int code;      /* 0 stopped (or already was), KDR_ENOTFOUND none such, KDR_ETIMEOUT not yet, else failed */
	char *message; /* NULL when stopped */
};

/*
 * Stops the flow's source and checkpoint connectors on the target's Connect
 * (PUT /connectors/<name>/stop) and waits, up to the options' timeout for
 * each, until Connect reports them STOPPED. Never fails the caller: what
 * could not be stopped (a dead Connect, a missing connector, KDR_ETIMEOUT:
 * not stopped yet) is in each entry. `out` gets
 * *n_out heap entries (release with kdr_executor_stops_free).
 */
void kdr_executor_stop_flow(struct kdr_executor_stop **out, size_t *n_out, const struct kdr_desired *desired,
			    const struct kdr_flow *flow, const struct kdr_executor_options *options);
void kdr_executor_stops_free(struct kdr_executor_stop *stops, size_t n);

/*
 * Commits, per group whose verdict is commit, the rows with verdict commit
 * (AlterConsumerGroupOffsets on the target, one call per group). Messages of
 * failures go to `errors`. Returns the number of groups that failed.
 */
size_t kdr_executor_commit_failover(struct kdr_strvec *errors, const struct kdr_dr_failover_plan *plan,
				    const struct kdr_cluster *target, const struct kdr_executor_options *options);

#endif
