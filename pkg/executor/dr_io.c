/* The I/O of the DR operations (dr_io.h). */
#include "executor/dr_io.h"

#include <stdlib.h>
#include <string.h>

#include "connect/connect.h"
#include "executor/group_offsets.h"
#include "kafka/kafka.h"
#include "mm2/mm2.h"
#include "util/alloc.h"
#include "util/error.h"

struct record_sink {
	struct kdr_dr_checkpoints *checkpoints;
	struct kdr_dr_syncs *syncs;
	int64_t timestamp; /* record_timestamps: the record's */
};

static void on_record(void *ctx, int64_t offset, int64_t timestamp_ms, const void *key, size_t key_len,
		      const void *value, size_t value_len)
{
	struct record_sink *sink = ctx;

	if (sink->checkpoints)
		kdr_dr_checkpoints_add_record(sink->checkpoints, offset, key, key_len, value, value_len);
	else if (sink->syncs)
		kdr_dr_syncs_add_record(sink->syncs, offset, key, key_len, value, value_len);
	else
		sink->timestamp = timestamp_ms;
}

static int read_topic(struct record_sink *sink, const struct kdr_cluster *cl, const char *topic,
		      const struct kdr_executor_options *options)
{
	struct kdr_kafka_conn *conn = NULL;
	int rc = kdr_executor__open_kafka(&conn, cl, options, true, false);

	if (rc == 0)
		rc = kdr_kafka_conn_read_partition(conn, topic, 0, -2, -1, on_record, sink, NULL);
	kdr_kafka_conn_free(conn);
	return rc;
}

int kdr_executor_read_checkpoints(struct kdr_dr_checkpoints *out, const struct kdr_cluster *cl, const char *topic,
				  const struct kdr_executor_options *options)
{
	struct record_sink sink = { out, NULL, -1 };
	int rc = read_topic(&sink, cl, topic, options);

	kdr_dr_checkpoints_finish(out);
	return rc;
}

int kdr_executor_read_sync_log(struct kdr_dr_syncs *out, const struct kdr_cluster *cl, const char *topic,
			       const struct kdr_executor_options *options)
{
	struct record_sink sink = { NULL, out, -1 };

	return read_topic(&sink, cl, topic, options);
}

int kdr_executor_read_syncs(struct kdr_dr_syncs *out, const struct kdr_cluster *cl, const char *topic,
			    const struct kdr_executor_options *options)
{
	int rc = kdr_executor_read_sync_log(out, cl, topic, options);

	kdr_dr_syncs_finish(out);
	return rc;
}

static int list_offsets(struct kdr_dr_offsets *out, const struct kdr_cluster *cl, const struct kdr_dr_offsets *want,
			const struct kdr_executor_options *options, bool start)
{
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_kafka_offset_query *queries = kdr_calloc(want->n + 1, sizeof(*queries));
	int rc = 0;

	for (size_t i = 0; i < want->n; i++) {
		queries[i].topic = want->v[i].topic;
		queries[i].partition = want->v[i].partition;
	}
	rc = kdr_executor__open_kafka(&conn, cl, options, false, false);
	if (rc == 0)
		rc = start ? kdr_kafka_conn_start_offsets(conn, queries, want->n)
			   : kdr_kafka_conn_end_offsets(conn, queries, want->n);
	for (size_t i = 0; rc == 0 && i < want->n; i++)
		if (queries[i].code == 0 && queries[i].offset >= 0)
			kdr_dr_offsets_set(out, queries[i].topic, queries[i].partition, queries[i].offset);
	kdr_dr_offsets_sort(out);
	kdr_kafka_conn_free(conn);
	free(queries);
	return rc;
}

int kdr_executor_end_offsets(struct kdr_dr_offsets *out, const struct kdr_cluster *cl,
			     const struct kdr_dr_offsets *want, const struct kdr_executor_options *options)
{
	return list_offsets(out, cl, want, options, false);
}

int kdr_executor_start_offsets(struct kdr_dr_offsets *out, const struct kdr_cluster *cl,
			       const struct kdr_dr_offsets *want, const struct kdr_executor_options *options)
{
	return list_offsets(out, cl, want, options, true);
}

int kdr_executor_record_timestamps(struct kdr_dr_offsets *at, const struct kdr_cluster *cl,
				   const struct kdr_executor_options *options)
{
	struct kdr_kafka_conn *conn = NULL;
	int rc = kdr_executor__open_kafka(&conn, cl, options, true, false);

	for (size_t i = 0; rc == 0 && i < at->n; i++) {
		struct record_sink sink = { NULL, NULL, -1 };

		rc = kdr_kafka_conn_read_partition(conn, at->v[i].topic, at->v[i].partition, at->v[i].offset, 1,
						   on_record, &sink, NULL);
		at->v[i].timestamp_ms = sink.timestamp;
	}
	kdr_kafka_conn_free(conn);
	return rc;
}

static void stop_one(struct kdr_executor_stop *stop, struct kdr_connect_client *client, const char *open_error)
{
	if (open_error) {
		stop->code = KDR_EUNAVAILABLE;
		stop->message = kdr_strdup(open_error);
		return;
	}
	stop->code = kdr_connect_stop(client, stop->connector);
	if (stop->code != 0)
		stop->message = kdr_strdup(kdr_error_message());
}

void kdr_executor_stop_flow(struct kdr_executor_stop **out, size_t *n_out, const struct kdr_desired *desired,
			    const struct kdr_flow *flow, const struct kdr_executor_options *options)
{
	static const char *const roles[] = { "source", "checkpoint" };
	const struct kdr_cluster *target = kdr_desired_cluster(desired, flow->target);
	struct kdr_connect_options copts = KDR_CONNECT_OPTIONS_INIT;
	struct kdr_connect_client *client = NULL;
	char *open_error = NULL;

	*out = kdr_calloc(2, sizeof(**out));
	*n_out = 2;
	if (!target || !target->connect.present) {
		open_error = kdr_asprintf("cluster '%s' declares no Connect", flow->target);
	} else {
		if (options && options->timeout_ms > 0)
			copts.timeout_ms = options->timeout_ms;
		copts.resolver = options ? options->resolver : NULL;
		if (kdr_connect_client_open(&client, target, &copts) != 0)
			open_error = kdr_strdup(kdr_error_message());
	}
	for (size_t i = 0; i < 2; i++) {
		(*out)[i].connector = kdr_asprintf("%s%s.%s", KDR_MM2_OWNED_PREFIX, flow->meta.name, roles[i]);
		(*out)[i].cluster = kdr_strdup(flow->target);
		stop_one(&(*out)[i], client, open_error);
	}
	/* Connect answers a stop at once and stops the tasks after a rebalance: until then MM2 still writes
	 * checkpoints and syncs group offsets, which the failover is about to read and commit. */
	for (size_t i = 0; i < 2; i++) {
		enum kdr_connector_state seen = KDR_CONNECTOR_UNKNOWN;

		if ((*out)[i].code == 0 &&
		    ((*out)[i].code = kdr_connect_await_state(&seen, client, (*out)[i].connector, KDR_CONNECTOR_STOPPED,
							      copts.timeout_ms)) != 0)
			(*out)[i].message = kdr_strdup(kdr_error_message());
	}
	kdr_connect_client_free(client);
	free(open_error);
}

void kdr_executor_stops_free(struct kdr_executor_stop *stops, size_t n)
{
	for (size_t i = 0; stops && i < n; i++) {
		free(stops[i].connector);
		free(stops[i].cluster);
		free(stops[i].message);
	}
	free(stops);
}

size_t kdr_executor_commit_failover(struct kdr_strvec *errors, const struct kdr_dr_failover_plan *plan,
				    const struct kdr_cluster *target, const struct kdr_executor_options *options)
{
	struct kdr_executor_group_offset *offsets = kdr_calloc(plan->n_rows + 1, sizeof(*offsets));
	size_t n = 0, failed = 0;

	/* Rows are sorted by group, as the groups are: a group's commits stay adjacent. */
	for (size_t r = 0; r < plan->n_rows; r++) {
		const struct kdr_dr_failover_row *row = &plan->rows[r];
		const struct kdr_dr_failover_group *group = NULL;

		for (size_t g = 0; g < plan->n_groups && !group; g++)
			if (strcmp(plan->groups[g].group, row->group) == 0)
				group = &plan->groups[g];
		if (!group || group->verdict != KDR_DR_COMMIT || row->verdict != KDR_DR_COMMIT)
			continue;
		offsets[n++] = (struct kdr_executor_group_offset){ row->group, row->topic, row->partition, row->next,
								   row->metadata };
	}
	failed = kdr_executor_commit_offsets(errors, offsets, n, target, options);
	free(offsets);
	return failed;
}
