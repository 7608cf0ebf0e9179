/* Committing consumer-group offsets, and the DR operations' Kafka connection (group_offsets.h). */
#include "executor/group_offsets.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

int kdr_executor__open_kafka(struct kdr_kafka_conn **out, const struct kdr_cluster *cl,
			     const struct kdr_executor_options *options, bool consumer, bool ordered)
{
	struct kdr_kafka_options kopts = { 0 };

	kopts.timeout_ms = options ? options->timeout_ms : 0;
	kopts.resolver = options ? options->resolver : NULL;
	kopts.consumer = consumer;
	kopts.ordered = ordered;
	return kdr_kafka_conn_open(out, cl, &kopts);
}

static size_t count_groups(const struct kdr_executor_group_offset *offsets, size_t n)
{
	size_t groups = 0;

	for (size_t i = 0; i < n; i++)
		groups += i == 0 || strcmp(offsets[i].group, offsets[i - 1].group) != 0;
	return groups;
}

size_t kdr_executor_commit_offsets(struct kdr_strvec *errors, const struct kdr_executor_group_offset *offsets,
				   size_t n, const struct kdr_cluster *cl, const struct kdr_executor_options *options)
{
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_kafka_group_commit *commits = NULL;
	size_t failed = 0;

	if (n == 0)
		return 0;
	if (kdr_executor__open_kafka(&conn, cl, options, false, false) != 0) {
		kdr_strvec_push(errors, kdr_error_message());
		return count_groups(offsets, n);
	}
	commits = kdr_calloc(n + 1, sizeof(*commits));
	for (size_t i = 0; i < n;) {
		const char *group = offsets[i].group;
		size_t k = 0;

		for (; i < n && strcmp(offsets[i].group, group) == 0; i++, k++) {
			memset(&commits[k], 0, sizeof(commits[k]));
			commits[k].topic = offsets[i].topic;
			commits[k].partition = offsets[i].partition;
			commits[k].offset = offsets[i].offset;
			commits[k].metadata = offsets[i].metadata;
		}
		if (kdr_kafka_conn_commit_group(conn, group, commits, k) != 0) {
			failed++;
			kdr_strvec_push(errors, kdr_error_message());
		}
		for (size_t c = 0; c < k; c++)
			free(commits[c].message);
	}
	free(commits);
	kdr_kafka_conn_free(conn);
	return failed;
}
