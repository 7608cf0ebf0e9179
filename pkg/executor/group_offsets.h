#ifndef KDR_EXECUTOR_GROUP_OFFSETS_H
#define KDR_EXECUTOR_GROUP_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

#include "executor/executor.h"
#include "kafka/kafka.h"
#include "model/model.h"
#include "util/strvec.h"

/*
 * Committing consumer-group offsets, the one write that kdr failover and
 * kdr restore --offsets share, and the Kafka connection every DR write and
 * read opens.
 */

/* One offset to commit for a group (strings lent). */
struct kdr_executor_group_offset {
	const char *group;
	const char *topic;
	int32_t partition;
	int64_t offset;
	const char *metadata; /* NULL: none */
};

/*
 * Commits `offsets` (the entries of one group adjacent: sorted by group) on
 * `cl`, one AlterConsumerGroupOffsets per group. A failure of one group does
 * not stop the others; each failure's message is appended to `errors`.
 * Returns the number of groups that failed (every group when the cluster
 * cannot be reached).
 */
size_t kdr_executor_commit_offsets(struct kdr_strvec *errors, const struct kdr_executor_group_offset *offsets,
				   size_t n, const struct kdr_cluster *cl, const struct kdr_executor_options *options);

/*
 * Opens a connection to `cl` with the options' timeout and resolver: a
 * consumer (records read) or an admin/producer, `ordered` for a producer
 * whose records must land in order (one in flight, acks=all).
 */
int kdr_executor__open_kafka(struct kdr_kafka_conn **out, const struct kdr_cluster *cl,
			     const struct kdr_executor_options *options, bool consumer, bool ordered);

#endif
