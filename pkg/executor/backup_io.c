/* The I/O of kdr backup --data and kdr restore (backup_io.h). */
#include "executor/backup_io.h"

#include <stdlib.h>
#include <string.h>

#include "executor/group_offsets.h"
#include "kafka/kafka.h"
#include "util/alloc.h"
#include "util/error.h"

struct dump_sink {
	struct kdr_dr_partition_records *records;
	size_t *total;
	size_t max_bytes;
	bool over;
};

static void bytes_view(struct kdr_dr_bytes *out, const void *ptr, size_t len)
{
	out->ptr = (unsigned char *)ptr;
	out->len = ptr ? len : 0;
	out->null = ptr == NULL;
}

static void on_record(void *ctx, const struct kdr_kafka_record *record)
{
	struct dump_sink *sink = ctx;
	struct kdr_dr_record r = { 0 };
	struct kdr_dr_header *headers = NULL;
	size_t before = sink->records->bytes;

	if (sink->over)
		return;
	r.offset = record->offset;
	r.timestamp_ms = record->timestamp_ms;
	bytes_view(&r.key, record->key, record->key_len);
	bytes_view(&r.value, record->value, record->value_len);
	if (record->n_headers)
		headers = kdr_calloc(record->n_headers, sizeof(*headers));
	for (size_t h = 0; h < record->n_headers; h++) {
		headers[h].key = (char *)record->headers[h].key;
		bytes_view(&headers[h].value, record->headers[h].value, record->headers[h].len);
	}
	r.headers = headers;
	r.n_headers = record->n_headers;
	kdr_dr_partition_records_add(sink->records, &r);
	*sink->total += sink->records->bytes - before;
	if (*sink->total > sink->max_bytes)
		sink->over = true;
	free(headers);
}

int kdr_executor_dump_records(struct kdr_dr_partition_records **out, size_t *n_out, const struct kdr_cluster *cl,
			      const struct kdr_live_cluster *live, const struct kdr_regex *re, size_t max_bytes,
			      const struct kdr_executor_options *options)
{
	struct kdr_kafka_conn *conn = NULL;
	size_t cap = 0, total = 0;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	for (size_t t = 0; t < live->n_topics && rc == 0; t++) {
		const struct kdr_live_topic *topic = &live->topics[t];

		if (topic->internal || strncmp(topic->name, "__", 2) == 0 || !kdr_regex_full_match(re, topic->name))
			continue;
		if (!conn && (rc = kdr_executor__open_kafka(&conn, cl, options, true, false)) != 0)
			break;
		for (size_t p = 0; p < topic->n_partitions && rc == 0; p++) {
			struct dump_sink sink = { NULL, &total, max_bytes, false };

			*out = kdr_grow(*out, &cap, *n_out + 1, sizeof(**out));
			sink.records = &(*out)[(*n_out)++];
			kdr_dr_partition_records_init(sink.records, topic->name, (int32_t)p);
			rc = kdr_kafka_conn_read_records(conn, topic->name, (int32_t)p, -2, -1, on_record, &sink, NULL);
			if (rc == 0 && sink.over)
				rc = kdr_error_set(KDR_EINVALID,
						   "cluster '%s': topic '%s' partition %zu: the records of the topics "
						   "--data matches exceed --max-bytes %zu; raise it or narrow --data",
						   cl->meta.name, topic->name, p, max_bytes);
		}
	}
	kdr_kafka_conn_free(conn);
	return rc;
}

int kdr_executor_produce_records(size_t *delivered, const struct kdr_cluster *cl,
				 const struct kdr_dr_partition_records *records, const struct kdr_executor_options *options)
{
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_kafka_record *out = kdr_calloc(records->n + 1, sizeof(*out));
	struct kdr_kafka_header **headers = kdr_calloc(records->n + 1, sizeof(*headers));
	int rc = 0;

	*delivered = 0;
	for (size_t i = 0; i < records->n; i++) {
		const struct kdr_dr_record *r = &records->v[i];

		out[i].partition = records->partition;
		out[i].timestamp_ms = r->timestamp_ms;
		out[i].key = r->key.null ? NULL : (r->key.ptr ? (const void *)r->key.ptr : "");
		out[i].key_len = r->key.len;
		out[i].value = r->value.null ? NULL : (r->value.ptr ? (const void *)r->value.ptr : "");
		out[i].value_len = r->value.len;
		headers[i] = kdr_calloc(r->n_headers + 1, sizeof(**headers));
		for (size_t h = 0; h < r->n_headers; h++) {
			headers[i][h].key = r->headers[h].key;
			headers[i][h].value = r->headers[h].value.null ? NULL
								       : (r->headers[h].value.ptr ? (const void *)r->headers[h].value.ptr : "");
			headers[i][h].len = r->headers[h].value.len;
		}
		out[i].headers = headers[i];
		out[i].n_headers = r->n_headers;
	}
	rc = kdr_executor__open_kafka(&conn, cl, options, false, true);
	if (rc == 0)
		rc = kdr_kafka_conn_produce(conn, records->topic, out, records->n, delivered);
	kdr_kafka_conn_free(conn);
	for (size_t i = 0; i < records->n; i++)
		free(headers[i]);
	free(headers);
	free(out);
	return rc;
}

size_t kdr_executor_commit_restore(struct kdr_strvec *errors, const struct kdr_dr_restore_offsets *decided,
				   const struct kdr_cluster *cl, const struct kdr_executor_options *options)
{
	struct kdr_executor_group_offset *offsets = kdr_calloc(decided->n + 1, sizeof(*offsets));
	size_t n = 0, failed = 0;

	for (size_t r = 0; r < decided->n; r++) {
		const struct kdr_dr_restore_row *row = &decided->rows[r];

		if (row->verdict == KDR_DR_RESTORE_COMMIT)
			offsets[n++] = (struct kdr_executor_group_offset){ row->group, row->topic, row->partition,
									   row->offset, row->metadata };
	}
	failed = kdr_executor_commit_offsets(errors, offsets, n, cl, options);
	free(offsets);
	return failed;
}

size_t kdr_executor_alter_broker_configs(struct kdr_strvec *errors, const struct kdr_dr_restore_brokers *decided,
					 const struct kdr_cluster *cl, const struct kdr_executor_options *options)
{
	struct kdr_kafka_conn *conn = NULL;
	size_t failed = 0;

	if (decided->n_sets == 0)
		return 0;
	if (kdr_executor__open_kafka(&conn, cl, options, false, false) != 0) {
		kdr_strvec_push(errors, kdr_error_message());
		return decided->n_sets;
	}
	for (size_t i = 0; i < decided->n_sets; i++)
		if (kdr_kafka_conn_alter_broker_configs(conn, decided->sets[i].broker, &decided->sets[i].config) != 0) {
			failed++;
			kdr_strvec_push(errors, kdr_error_message());
		}
	kdr_kafka_conn_free(conn);
	return failed;
}
