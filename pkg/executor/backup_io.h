#ifndef KDR_EXECUTOR_BACKUP_IO_H
#define KDR_EXECUTOR_BACKUP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dr/backup.h"
#include "executor/executor.h"
#include "model/model.h"
#include "util/regex.h"
#include "util/strvec.h"

/*
 * The I/O of kdr backup --data and kdr restore (--data, --offsets): reads
 * and produces records and commits offsets through pkg/kafka, in pkg/dr's
 * types. pkg/dr decides what; this only moves the bytes.
 */

/*
 * Reads every record of every partition of the topics of `live` whose name
 * `re` matches in full (internal `__` topics never), from the log start to
 * the log end as it was when each partition's read began, into *out
 * (*n_out partition sets, sorted by topic then partition; free each with
 * kdr_dr_partition_records_release, then the array). Stops with
 * KDR_EINVALID once the records would exceed `max_bytes` (keys, values and
 * headers), naming the partition; else returns the first read error.
 */
int kdr_executor_dump_records(struct kdr_dr_partition_records **out, size_t *n_out, const struct kdr_cluster *cl,
			      const struct kdr_live_cluster *live, const struct kdr_regex *re, size_t max_bytes,
			      const struct kdr_executor_options *options);

/*
 * Produces the records of one partition set to its topic and partition
 * (keys, values, headers, timestamps; in order, one request in flight).
 * Returns 0 or the first failure; *delivered gets how many were delivered.
 */
int kdr_executor_produce_records(size_t *delivered, const struct kdr_cluster *cl,
				 const struct kdr_dr_partition_records *records, const struct kdr_executor_options *options);

/*
 * Commits the rows with verdict commit, one AlterConsumerGroupOffsets per
 * group. Messages of failures go to `errors`; returns the number of groups
 * that failed.
 */
size_t kdr_executor_commit_restore(struct kdr_strvec *errors, const struct kdr_dr_restore_offsets *decided,
				   const struct kdr_cluster *cl, const struct kdr_executor_options *options);

/*
 * Sends each of the decided sets (one AlterConfigs per broker resource).
 * Messages of failures go to `errors`; returns the number that failed.
 */
size_t kdr_executor_alter_broker_configs(struct kdr_strvec *errors, const struct kdr_dr_restore_brokers *decided,
					 const struct kdr_cluster *cl, const struct kdr_executor_options *options);

#endif
