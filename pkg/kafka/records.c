/* Log-end and log-start offsets and reading a partition's records (kafka.h, DR operations). */
#include <stdlib.h>
#include <string.h>

#include "kafka/kafka_internal.h"
#include "util/alloc.h"
#include "util/error.h"

static bool missing(rd_kafka_resp_err_t err)
{
	return err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
	       err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
}

/* ListOffsets for `whence` (RD_KAFKA_OFFSET_END: latest, RD_KAFKA_OFFSET_BEGINNING: earliest), one batched call. */
static int list_offsets(struct kdr_kafka_conn *conn, struct kdr_kafka_offset_query *queries, size_t n, int64_t whence)
{
	rd_kafka_topic_partition_list_t *parts = NULL;
	rd_kafka_resp_err_t err = 0;
	int error = 0;

	for (size_t i = 0; i < n; i++) {
		queries[i].offset = -1;
		queries[i].code = 0;
	}
	if (n == 0)
		return 0;
	if ((error = kdr_kafka__conn_wait(conn)))
		return error;
	parts = rd_kafka_topic_partition_list_new((int)n);
	for (size_t i = 0; i < n; i++)
		/* ListOffsets with timestamp -1 (latest) or -2 (earliest): the log end or the log start. */
		rd_kafka_topic_partition_list_add(parts, queries[i].topic, queries[i].partition)->offset = whence;
	err = rd_kafka_offsets_for_times(conn->rk, parts, conn->timeout_ms);
	if (err && !missing(err)) {
		error = kdr_error_set(kdr_kafka__error_code(err), "cluster '%s': list offsets: %s: %s", conn->cluster,
				      rd_kafka_err2name(err), rd_kafka_err2str(err));
		goto cleanup;
	}
	for (int p = 0; p < parts->cnt; p++) {
		const rd_kafka_topic_partition_t *tp = &parts->elems[p];
		struct kdr_kafka_offset_query *q = &queries[p];

		if (tp->err || (err && tp->offset < 0)) {
			rd_kafka_resp_err_t perr = tp->err ? tp->err : err;

			q->code = missing(perr) ? KDR_ENOTFOUND : kdr_kafka__error_code(perr);
			continue;
		}
		q->offset = tp->offset;
	}
cleanup:
	rd_kafka_topic_partition_list_destroy(parts);
	return error;
}

int kdr_kafka_conn_end_offsets(struct kdr_kafka_conn *conn, struct kdr_kafka_offset_query *queries, size_t n)
{
	return list_offsets(conn, queries, n, RD_KAFKA_OFFSET_END);
}

int kdr_kafka_conn_start_offsets(struct kdr_kafka_conn *conn, struct kdr_kafka_offset_query *queries, size_t n)
{
	return list_offsets(conn, queries, n, RD_KAFKA_OFFSET_BEGINNING);
}

struct plain_sink {
	kdr_kafka_record_fn fn;
	void *ctx;
};

static void to_plain(void *ctx, const struct kdr_kafka_record *record)
{
	struct plain_sink *sink = ctx;

	sink->fn(sink->ctx, record->offset, record->timestamp_ms, record->key, record->key_len, record->value,
		 record->value_len);
}

int kdr_kafka_conn_read_partition(struct kdr_kafka_conn *conn, const char *topic, int32_t partition, int64_t from,
				  int64_t max_records, kdr_kafka_record_fn fn, void *ctx, int64_t *end_out)
{
	struct plain_sink sink = { fn, ctx };

	return kdr_kafka_conn_read_records(conn, topic, partition, from, max_records, to_plain, &sink, end_out);
}

/* Hands one fetched message to `fn` as a kdr_kafka_record (headers copied into a small array). */
static void deliver(kdr_kafka_full_record_fn fn, void *ctx, rd_kafka_message_t *msg, int32_t partition)
{
	struct kdr_kafka_record record = { 0 };
	struct kdr_kafka_header *headers = NULL;
	rd_kafka_headers_t *hdrs = NULL;

	record.partition = partition;
	record.offset = msg->offset;
	record.timestamp_ms = rd_kafka_message_timestamp(msg, NULL);
	record.key = msg->key;
	record.key_len = msg->key ? msg->key_len : 0;
	record.value = msg->payload;
	record.value_len = msg->payload ? msg->len : 0;
	if (rd_kafka_message_headers(msg, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
		size_t count = rd_kafka_header_cnt(hdrs);

		headers = kdr_calloc(count + 1, sizeof(*headers));
		for (size_t i = 0; i < count; i++) {
			const char *name = NULL;
			const void *value = NULL;
			size_t size = 0;

			if (rd_kafka_header_get_all(hdrs, i, &name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR)
				break;
			headers[record.n_headers].key = name;
			headers[record.n_headers].value = value;
			headers[record.n_headers].len = value ? size : 0;
			record.n_headers++;
		}
		record.headers = headers;
	}
	fn(ctx, &record);
	free(headers);
}

int kdr_kafka_conn_read_records(struct kdr_kafka_conn *conn, const char *topic, int32_t partition, int64_t from,
				int64_t max_records, kdr_kafka_full_record_fn fn, void *ctx, int64_t *end_out)
{
	rd_kafka_topic_t *rkt = NULL;
	rd_kafka_resp_err_t err = 0;
	int64_t low = 0, high = 0, start = 0, delivered = 0;
	int64_t deadline = 0;
	bool started = false;
	int error = 0;

	if (end_out)
		*end_out = -1;
	if (rd_kafka_type(conn->rk) != RD_KAFKA_CONSUMER)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': reading records needs a consumer connection",
				     conn->cluster);
	if ((error = kdr_kafka__conn_wait(conn)))
		return error;
	err = rd_kafka_query_watermark_offsets(conn->rk, topic, partition, &low, &high, conn->timeout_ms);
	if (err) {
		if (missing(err))
			return kdr_error_set(KDR_ENOTFOUND, "cluster '%s': topic '%s' partition %d does not exist",
					     conn->cluster, topic, (int)partition);
		return kdr_error_set(kdr_kafka__error_code(err),
				     "cluster '%s': topic '%s' partition %d: offsets: %s: %s", conn->cluster, topic,
				     (int)partition, rd_kafka_err2name(err), rd_kafka_err2str(err));
	}
	if (end_out)
		*end_out = high;
	start = from < 0 || from < low ? low : from;
	if (start >= high || max_records == 0)
		return 0;
	rkt = rd_kafka_topic_new(conn->rk, topic, NULL);
	if (!rkt)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': topic '%s': %s", conn->cluster, topic,
				     rd_kafka_err2str(rd_kafka_last_error()));
	/* The simple consumer: no group, no commit; the partition is fetched from `start`. */
	if (rd_kafka_consume_start(rkt, partition, start) != 0) {
		err = rd_kafka_last_error();
		error = kdr_error_set(kdr_kafka__error_code(err), "cluster '%s': topic '%s' partition %d: fetch: %s",
				      conn->cluster, topic, (int)partition, rd_kafka_err2str(err));
		goto cleanup;
	}
	started = true;
	deadline = kdr_clock_mono_ms() + conn->timeout_ms;
	for (;;) {
		rd_kafka_message_t *msg = rd_kafka_consume(rkt, partition, 100);
		int64_t offset = 0;

		if (!msg) {
			if (kdr_clock_mono_ms() > deadline) {
				error = kdr_error_set(KDR_ETIMEOUT,
						      "cluster '%s': topic '%s' partition %d: read %lld of the records "
						      "up to offset %lld within %d ms",
						      conn->cluster, topic, (int)partition, (long long)delivered,
						      (long long)high, conn->timeout_ms);
				goto cleanup;
			}
			rd_kafka_poll(conn->rk, 0);
			continue;
		}
		if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			offset = msg->offset;
			rd_kafka_message_destroy(msg);
			if (offset >= high)
				break;
			continue;
		}
		if (msg->err) {
			char *detail = kdr_kafka__scrub(conn, rd_kafka_message_errstr(msg));

			error = kdr_error_set(kdr_kafka__error_code(msg->err),
					      "cluster '%s': topic '%s' partition %d: "
					      "fetch: %s: %s",
					      conn->cluster, topic, (int)partition, rd_kafka_err2name(msg->err),
					      detail ? detail : "");
			free(detail);
			rd_kafka_message_destroy(msg);
			goto cleanup;
		}
		offset = msg->offset;
		if (offset < high) {
			deliver(fn, ctx, msg, partition);
			delivered++;
		}
		rd_kafka_message_destroy(msg);
		if (offset >= high - 1 || (max_records > 0 && delivered >= max_records))
			break;
		deadline = kdr_clock_mono_ms() + conn->timeout_ms;
	}
cleanup:
	if (started)
		rd_kafka_consume_stop(rkt, partition);
	if (rkt)
		rd_kafka_topic_destroy(rkt);
	return error;
}

/* --- produce --- */

struct delivery {
	int err; /* rd_kafka_resp_err_t; -1 while pending */
};

void kdr_kafka__delivery_sink(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
	struct delivery *slot = msg->_private;

	(void)rk;
	(void)opaque;
	if (slot)
		slot->err = msg->err;
}

int kdr_kafka_conn_produce(struct kdr_kafka_conn *conn, const char *topic, const struct kdr_kafka_record *records,
			   size_t n, size_t *delivered)
{
	struct delivery *slots = NULL;
	size_t ok = 0;
	int64_t deadline = 0;
	int error = 0;

	if (delivered)
		*delivered = 0;
	if (n == 0)
		return 0;
	if (rd_kafka_type(conn->rk) != RD_KAFKA_PRODUCER)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': producing records needs a producer connection",
				     conn->cluster);
	if ((error = kdr_kafka__conn_wait(conn)))
		return error;
	slots = kdr_calloc(n, sizeof(*slots));
	for (size_t i = 0; i < n && !error; i++) {
		const struct kdr_kafka_record *r = &records[i];
		rd_kafka_headers_t *hdrs = rd_kafka_headers_new(r->n_headers ? r->n_headers : 1);
		rd_kafka_resp_err_t err = 0;

		for (size_t h = 0; h < r->n_headers; h++)
			rd_kafka_header_add(hdrs, r->headers[h].key, -1, r->headers[h].value,
					    r->headers[h].value ? (ssize_t)r->headers[h].len : 0);
		slots[i].err = -1;
		for (;;) {
			/* An empty non-null value needs a non-NULL pointer: NULL means null to librdkafka. */
			err = rd_kafka_producev(conn->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(r->partition),
						RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
						RD_KAFKA_V_KEY(r->key ? (void *)(r->key_len ? r->key : "") : NULL,
							       r->key_len),
						RD_KAFKA_V_VALUE(r->value ? (void *)(r->value_len ? r->value : "") : NULL,
								 r->value_len),
						RD_KAFKA_V_TIMESTAMP(r->timestamp_ms >= 0 ? r->timestamp_ms : 0),
						RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(&slots[i]), RD_KAFKA_V_END);
			if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
				break;
			rd_kafka_poll(conn->rk, 100);
		}
		if (err) {
			/* On failure the headers stay the caller's. */
			rd_kafka_headers_destroy(hdrs);
			slots[i].err = err;
			error = kdr_error_set(kdr_kafka__error_code(err),
					      "cluster '%s': topic '%s' partition %d: produce: "
					      "%s: %s",
					      conn->cluster, topic, (int)r->partition, rd_kafka_err2name(err),
					      rd_kafka_err2str(err));
			n = i;
		}
		rd_kafka_poll(conn->rk, 0);
	}
	/* Every delivery is reported or times out (message.timeout.ms) before flush returns. */
	deadline = kdr_clock_mono_ms() + 10LL * conn->timeout_ms;
	while (rd_kafka_outq_len(conn->rk) > 0 && kdr_clock_mono_ms() < deadline)
		rd_kafka_flush(conn->rk, 100);
	for (size_t i = 0; i < n; i++) {
		if (slots[i].err == 0) {
			ok++;
			continue;
		}
		if (!error) {
			rd_kafka_resp_err_t err = slots[i].err < 0 ? RD_KAFKA_RESP_ERR__TIMED_OUT : slots[i].err;

			error = kdr_error_set(kdr_kafka__error_code(err),
					      "cluster '%s': topic '%s' partition %d: record "
					      "%zu: delivery: %s: %s",
					      conn->cluster, topic, (int)records[i].partition, i,
					      rd_kafka_err2name(err), rd_kafka_err2str(err));
		}
	}
	if (delivered)
		*delivered = ok;
	free(slots);
	return error;
}
