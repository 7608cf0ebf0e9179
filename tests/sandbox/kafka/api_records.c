/*
 * Produce v3-8, Fetch v4-11 and ListOffsets v0-5 over per-partition logs of
 * RecordBatch v2. Produce checks what a leader checks before appending:
 * leadership (NOT_LEADER_OR_FOLLOWER), acks (INVALID_REQUIRED_ACKS), the ISR
 * against min.insync.replicas for acks=all (NOT_ENOUGH_REPLICAS), exactly one
 * magic-2 batch (INVALID_RECORD), its size and CRC-32C (CORRUPT_MESSAGE),
 * max.message.bytes (MESSAGE_TOO_LARGE), and for uncompressed batches each
 * record's framing and offset deltas, and keys on compacted topics. The
 * batch is stored as sent, with its base offset and partition leader epoch
 * rewritten (and, for LogAppendTime topics, the broker's timestamp and a new
 * CRC). Fetch returns whole stored batches from the one holding the fetch
 * offset, honours partition and response byte limits (the first batch always
 * fits, KIP-74), and long-polls up to max_wait for min_bytes. Every ISR
 * member is caught up at once, so the high watermark is the log end.
 */
#include "sandbox_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* RecordBatch v2 header layout (byte offsets). */
enum {
	BATCH_BASE_OFFSET = 0,
	BATCH_LENGTH = 8,
	BATCH_LEADER_EPOCH = 12,
	BATCH_MAGIC = 16,
	BATCH_CRC = 17,
	BATCH_ATTRIBUTES = 21,
	BATCH_LAST_OFFSET_DELTA = 23,
	BATCH_BASE_TIMESTAMP = 27,
	BATCH_MAX_TIMESTAMP = 35,
	BATCH_RECORD_COUNT = 57,
	BATCH_HEADER_SIZE = 61,
};

#define ATTR_COMPRESSION_MASK 0x07
#define ATTR_LOG_APPEND_TIME  0x08

#define FENCED_LEADER_EPOCH	   74
#define UNKNOWN_LEADER_EPOCH	   75
#define FETCH_SESSION_ID_NOT_FOUND 70

/* The partition `index` of `topic` or NULL. */
static struct kdr_sandbox_partition *find_partition(struct kdr_sandbox_topic *topic, int32_t index)
{
	if (!topic || index < 0 || (size_t)index >= topic->n_partitions)
		return NULL;
	return &topic->partitions[index];
}

/* Leadership and leader-epoch checks every partition-level request makes. */
static int16_t leader_check(struct kdr_sandbox_request *req, const struct kdr_sandbox_partition *part,
			    int32_t current_leader_epoch)
{
	if (!part)
		return KDR_KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
	if (part->leader != req->broker->id)
		return KDR_KAFKA_NOT_LEADER_OR_FOLLOWER;
	if (current_leader_epoch >= 0 && current_leader_epoch < part->leader_epoch)
		return FENCED_LEADER_EPOCH;
	if (current_leader_epoch > part->leader_epoch)
		return UNKNOWN_LEADER_EPOCH;
	return KDR_KAFKA_NONE;
}

struct record_info {
	int32_t offset_delta;
	int64_t timestamp;
	bool null_key;
};

/*
 * Walks the records of an uncompressed batch. Calls `visit` for each until
 * it returns true (found). Returns a Kafka error code when the records are
 * malformed.
 */
static int16_t walk_records(const uint8_t *batch, size_t len, bool (*visit)(void *arg, const struct record_info *rec),
			    void *arg)
{
	struct kdr_sandbox_reader r;
	int32_t count = kdr_sandbox_load_i32(batch + BATCH_RECORD_COUNT);
	int64_t base_timestamp = kdr_sandbox_load_i64(batch + BATCH_BASE_TIMESTAMP);

	kdr_sandbox_reader_init(&r, batch + BATCH_HEADER_SIZE, len - BATCH_HEADER_SIZE);
	for (int32_t i = 0; i < count; i++) {
		struct record_info rec = {0, 0, false};
		int32_t length = kdr_sandbox_read_varint(&r);
		size_t start = r.off;
		int32_t key_len = 0;
		int32_t value_len = 0;
		int32_t headers = 0;

		if (r.bad || length < 0 || (size_t)length > kdr_sandbox_reader_left(&r))
			return KDR_KAFKA_CORRUPT_MESSAGE;
		(void)kdr_sandbox_read_i8(&r); /* attributes */
		rec.timestamp = base_timestamp + kdr_sandbox_read_varlong(&r);
		rec.offset_delta = kdr_sandbox_read_varint(&r);
		key_len = kdr_sandbox_read_varint(&r);
		rec.null_key = key_len < 0;
		if (key_len > 0)
			kdr_sandbox_read_skip(&r, (size_t)key_len);
		value_len = kdr_sandbox_read_varint(&r);
		if (value_len > 0)
			kdr_sandbox_read_skip(&r, (size_t)value_len);
		headers = kdr_sandbox_read_varint(&r);
		for (int32_t h = 0; h < headers && !r.bad; h++) {
			int32_t k = kdr_sandbox_read_varint(&r);
			int32_t v = 0;

			if (k < 0)
				return KDR_KAFKA_CORRUPT_MESSAGE;
			kdr_sandbox_read_skip(&r, (size_t)k);
			v = kdr_sandbox_read_varint(&r);
			if (v > 0)
				kdr_sandbox_read_skip(&r, (size_t)v);
		}
		if (r.bad || headers < 0 || r.off - start != (size_t)length)
			return KDR_KAFKA_CORRUPT_MESSAGE;
		if (rec.offset_delta != i)
			return KDR_KAFKA_INVALID_RECORD;
		if (visit && visit(arg, &rec))
			return KDR_KAFKA_NONE;
	}
	if (kdr_sandbox_reader_left(&r) != 0)
		return KDR_KAFKA_CORRUPT_MESSAGE;
	return KDR_KAFKA_NONE;
}

static bool find_null_key(void *arg, const struct record_info *rec)
{
	bool *found = arg;

	*found = rec->null_key;
	return *found;
}

/* Validates the records field of one partition; on success *batch_len is the batch's size. */
static int16_t validate_batch(struct kdr_sandbox_cluster *cl, const struct kdr_sandbox_topic *topic,
			      const uint8_t *data, int32_t len, const char **why)
{
	int32_t batch_len = 0;
	uint32_t crc = 0;
	int16_t attributes = 0;
	const char *policy = NULL;
	bool compacted = false;
	int16_t error = 0;

	*why = NULL;
	if (!data || len < BATCH_HEADER_SIZE) {
		*why = "Record batch is missing or shorter than its header";
		return KDR_KAFKA_CORRUPT_MESSAGE;
	}
	batch_len = kdr_sandbox_load_i32(data + BATCH_LENGTH);
	if (batch_len < BATCH_HEADER_SIZE - 12 || (int64_t)batch_len + 12 > len) {
		*why = "Record batch size is inconsistent with the data";
		return KDR_KAFKA_CORRUPT_MESSAGE;
	}
	if (data[BATCH_MAGIC] != 2) {
		*why =
		    "Produce requests with version 3 are only allowed to contain record batches with magic version 2";
		return KDR_KAFKA_INVALID_RECORD;
	}
	if (batch_len + 12 != len) {
		*why = "Produce requests with version 3 are only allowed to contain exactly one record batch";
		return KDR_KAFKA_INVALID_RECORD;
	}
	crc = (uint32_t)kdr_sandbox_load_i32(data + BATCH_CRC);
	if (kdr_sandbox_crc32c(data + BATCH_ATTRIBUTES, (size_t)len - BATCH_ATTRIBUTES) != crc) {
		*why = "Record batch CRC-32C does not match its contents";
		return KDR_KAFKA_CORRUPT_MESSAGE;
	}
	if (len > kdr_sandbox_topic_config_long(cl, topic, "max.message.bytes")) {
		*why = "The request included a message larger than the max message size the server will accept.";
		return KDR_KAFKA_MESSAGE_TOO_LARGE;
	}
	if (kdr_sandbox_load_i32(data + BATCH_RECORD_COUNT) <= 0 ||
	    kdr_sandbox_load_i32(data + BATCH_LAST_OFFSET_DELTA) < 0) {
		*why = "Record batch holds no records";
		return KDR_KAFKA_INVALID_RECORD;
	}
	attributes = kdr_sandbox_load_i16(data + BATCH_ATTRIBUTES);
	if (attributes & ATTR_COMPRESSION_MASK)
		return KDR_KAFKA_NONE; /* compressed records are stored as sent; see README */
	if (kdr_sandbox_load_i32(data + BATCH_LAST_OFFSET_DELTA) + 1 !=
	    kdr_sandbox_load_i32(data + BATCH_RECORD_COUNT)) {
		*why = "Record count does not match the last offset delta";
		return KDR_KAFKA_INVALID_RECORD;
	}
	policy = kdr_sandbox_topic_config_get(cl, NULL, topic, "cleanup.policy");
	compacted = policy && strstr(policy, "compact");
	error = walk_records(data, (size_t)len, compacted ? find_null_key : NULL, &compacted);
	if (error) {
		*why = "Record batch holds malformed records";
		return error;
	}
	if (compacted) {
		*why = "Compacted topic cannot accept message without key";
		return KDR_KAFKA_INVALID_RECORD;
	}
	return KDR_KAFKA_NONE;
}

/* Appends a validated batch; returns its base offset and sets *append_time (-1 for CreateTime topics). */
static int64_t append_batch(struct kdr_sandbox_cluster *cl, const struct kdr_sandbox_topic *topic,
			    struct kdr_sandbox_partition *part, const uint8_t *data, int32_t len, int64_t *append_time)
{
	struct kdr_sandbox_batch *batch = NULL;
	const char *type = kdr_sandbox_topic_config_get(cl, NULL, topic, "message.timestamp.type");
	int64_t base = part->log_end;

	part->batches = kdr_grow(part->batches, &part->cap_batches, part->n_batches + 1, sizeof(*part->batches));
	batch = &part->batches[part->n_batches++];
	batch->data = kdr_malloc((size_t)len);
	memcpy(batch->data, data, (size_t)len);
	batch->len = (size_t)len;
	batch->base_offset = base;
	batch->last_offset = base + kdr_sandbox_load_i32(data + BATCH_LAST_OFFSET_DELTA);
	kdr_sandbox_store_i64(batch->data + BATCH_BASE_OFFSET, base);
	kdr_sandbox_store_i32(batch->data + BATCH_LEADER_EPOCH, part->leader_epoch);
	*append_time = -1;
	if (type && strcmp(type, "LogAppendTime") == 0) {
		int16_t attributes = kdr_sandbox_load_i16(batch->data + BATCH_ATTRIBUTES) | ATTR_LOG_APPEND_TIME;

		*append_time = kdr_sandbox_wall_ms();
		batch->data[BATCH_ATTRIBUTES] = (uint8_t)((uint16_t)attributes >> 8);
		batch->data[BATCH_ATTRIBUTES + 1] = (uint8_t)attributes;
		kdr_sandbox_store_i64(batch->data + BATCH_MAX_TIMESTAMP, *append_time);
		kdr_sandbox_store_i32(
		    batch->data + BATCH_CRC,
		    (int32_t)kdr_sandbox_crc32c(batch->data + BATCH_ATTRIBUTES, batch->len - BATCH_ATTRIBUTES));
	}
	batch->max_timestamp = kdr_sandbox_load_i64(batch->data + BATCH_MAX_TIMESTAMP);
	part->log_end = batch->last_offset + 1;
	return base;
}

int kdr_sandbox_handle_produce(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	int16_t acks = 0;
	int32_t n_topics = 0;
	bool appended = false;

	(void)kdr_sandbox_read_string(r, &req->arena, true); /* transactional id: transactions are not supported */
	acks = kdr_sandbox_read_i16(r);
	(void)kdr_sandbox_read_i32(r); /* timeout: replication is instant */
	n_topics = kdr_sandbox_read_array_len(r, false, 6);
	if (r->bad)
		return -1;
	req->no_response = acks == 0;

	kdr_sandbox_put_i32(out, n_topics);
	for (int32_t t = 0; t < n_topics; t++) {
		const char *name = kdr_sandbox_read_string(r, &req->arena, false);
		struct kdr_sandbox_topic *topic = name ? kdr_sandbox_topic_find(cl, name) : NULL;
		int32_t n_parts = kdr_sandbox_read_array_len(r, false, 8);

		if (r->bad)
			return -1;
		kdr_sandbox_put_string(out, name);
		kdr_sandbox_put_i32(out, n_parts);
		for (int32_t p = 0; p < n_parts; p++) {
			int32_t index = kdr_sandbox_read_i32(r);
			int32_t len = 0;
			const uint8_t *records = kdr_sandbox_read_bytes(r, &len);
			struct kdr_sandbox_partition *part = find_partition(topic, index);
			int16_t error = req->injected;
			const char *why = NULL;
			int64_t base = -1;
			int64_t append_time = -1;

			if (r->bad)
				return -1;
			if (!error)
				error = leader_check(req, part, -1);
			if (!error && topic->internal) {
				error = KDR_KAFKA_INVALID_TOPIC_EXCEPTION;
				why = "Cannot append to internal topic";
			}
			if (!error && acks != 0 && acks != 1 && acks != -1)
				error = KDR_KAFKA_INVALID_REQUIRED_ACKS;
			if (!error && acks == -1 &&
			    (int64_t)part->n_isr < kdr_sandbox_topic_config_long(cl, topic, "min.insync.replicas"))
				error = KDR_KAFKA_NOT_ENOUGH_REPLICAS;
			if (!error)
				error = validate_batch(cl, topic, records, len, &why);
			if (!error) {
				base = append_batch(cl, topic, part, records, len, &append_time);
				appended = true;
			}
			kdr_sandbox_put_i32(out, index);
			kdr_sandbox_put_i16(out, error);
			kdr_sandbox_put_i64(out, base);
			if (req->version >= 2)
				kdr_sandbox_put_i64(out, append_time);
			if (req->version >= 5)
				kdr_sandbox_put_i64(out, part && !error ? part->log_start : -1);
			if (req->version >= 8) {
				kdr_sandbox_put_i32(out, 0);
				kdr_sandbox_put_string(out, why);
			}
		}
	}
	kdr_sandbox_put_i32(out, 0);
	if (appended)
		kdr_sandbox_cluster_wake(cl); /* long-polling fetches may now have data */
	return 0;
}

struct fetch_partition {
	int32_t index;
	int32_t leader_epoch;
	int64_t offset;
	int32_t max_bytes;
};

struct fetch_topic {
	const char *name;
	int32_t n;
	struct fetch_partition *parts;
};

/* Index of the first stored batch whose last offset is >= `offset`. */
static size_t first_batch(const struct kdr_sandbox_partition *part, int64_t offset)
{
	size_t lo = 0;
	size_t hi = part->n_batches;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (part->batches[mid].last_offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Builds the topics part of a Fetch response; returns the record bytes included. */
static size_t build_fetch(struct kdr_sandbox_request *req, struct kdr_buf *out, const struct fetch_topic *topics,
			  int32_t n_topics, int32_t max_bytes, int8_t isolation, bool *errors)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	size_t total = 0;

	*errors = false;
	kdr_sandbox_put_i32(out, n_topics);
	for (int32_t t = 0; t < n_topics; t++) {
		struct kdr_sandbox_topic *topic = kdr_sandbox_topic_find(cl, topics[t].name);

		kdr_sandbox_put_string(out, topics[t].name);
		kdr_sandbox_put_i32(out, topics[t].n);
		for (int32_t p = 0; p < topics[t].n; p++) {
			const struct fetch_partition *fp = &topics[t].parts[p];
			struct kdr_sandbox_partition *part = find_partition(topic, fp->index);
			int16_t error = req->injected ? req->injected : leader_check(req, part, fp->leader_epoch);
			size_t records_pos = 0;
			size_t bytes = 0;

			if (!error && (fp->offset < part->log_start || fp->offset > part->log_end))
				error = KDR_KAFKA_OFFSET_OUT_OF_RANGE;
			*errors = *errors || error;
			kdr_sandbox_put_i32(out, fp->index);
			kdr_sandbox_put_i16(out, error);
			kdr_sandbox_put_i64(out, error || !part ? -1 : part->log_end);
			kdr_sandbox_put_i64(out, error || !part ? -1 : part->log_end);
			if (req->version >= 5)
				kdr_sandbox_put_i64(out, error || !part ? -1 : part->log_start);
			if (isolation == 1)
				kdr_sandbox_put_i32(out, 0); /* no aborted transactions: there are no transactions */
			else
				kdr_sandbox_put_i32(out, -1);
			if (req->version >= 11)
				kdr_sandbox_put_i32(out, -1);
			records_pos = out->len;
			kdr_sandbox_put_i32(out, 0);
			if (error)
				continue;
			for (size_t b = first_batch(part, fp->offset); b < part->n_batches; b++) {
				const struct kdr_sandbox_batch *batch = &part->batches[b];
				bool first = total == 0 && bytes == 0;

				if (!first && (bytes + batch->len > (size_t)(fp->max_bytes > 0 ? fp->max_bytes : 0) ||
					       total + bytes + batch->len > (size_t)(max_bytes > 0 ? max_bytes : 0)))
					break;
				kdr_buf_put(out, batch->data, batch->len);
				bytes += batch->len;
			}
			kdr_sandbox_patch_i32(out, records_pos, (int32_t)bytes);
			total += bytes;
		}
	}
	return total;
}

int kdr_sandbox_handle_fetch(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	struct fetch_topic *topics = NULL;
	int32_t max_wait = 0;
	int32_t min_bytes = 0;
	int32_t max_bytes = 0;
	int8_t isolation = 0;
	int32_t session_id = 0;
	int32_t n_topics = 0;
	int64_t deadline = 0;
	size_t start = out->len;

	(void)kdr_sandbox_read_i32(r); /* replica id: only consumers fetch here */
	max_wait = kdr_sandbox_read_i32(r);
	min_bytes = kdr_sandbox_read_i32(r);
	max_bytes = kdr_sandbox_read_i32(r);
	isolation = kdr_sandbox_read_i8(r);
	if (req->version >= 7) {
		session_id = kdr_sandbox_read_i32(r);
		(void)kdr_sandbox_read_i32(r); /* session epoch */
	}
	n_topics = kdr_sandbox_read_array_len(r, false, 6);
	if (n_topics > 0)
		topics = kdr_sandbox_arena_alloc(&req->arena, (size_t)n_topics * sizeof(*topics));
	for (int32_t t = 0; t < n_topics && !r->bad; t++) {
		topics[t].name = kdr_sandbox_read_string(r, &req->arena, false);
		topics[t].n = kdr_sandbox_read_array_len(r, false, 16);
		if (topics[t].n > 0)
			topics[t].parts =
			    kdr_sandbox_arena_alloc(&req->arena, (size_t)topics[t].n * sizeof(*topics[t].parts));
		for (int32_t p = 0; p < topics[t].n; p++) {
			struct fetch_partition *fp = &topics[t].parts[p];

			fp->index = kdr_sandbox_read_i32(r);
			fp->leader_epoch = req->version >= 9 ? kdr_sandbox_read_i32(r) : -1;
			fp->offset = kdr_sandbox_read_i64(r);
			if (req->version >= 5)
				(void)kdr_sandbox_read_i64(r); /* follower's log start offset */
			fp->max_bytes = kdr_sandbox_read_i32(r);
		}
	}
	if (req->version >= 7) {
		int32_t forgotten = kdr_sandbox_read_array_len(r, false, 6);

		for (int32_t f = 0; f < forgotten && !r->bad; f++) {
			int32_t n = 0;

			(void)kdr_sandbox_read_string(r, &req->arena, false);
			n = kdr_sandbox_read_array_len(r, false, 4);
			kdr_sandbox_read_skip(r, (size_t)n * 4);
		}
	}
	if (req->version >= 11)
		(void)kdr_sandbox_read_string(r, &req->arena, false); /* rack id: no follower fetching */
	if (r->bad)
		return -1;

	deadline = kdr_sandbox_now_ms() + (max_wait > 0 ? max_wait : 0);
	for (;;) {
		bool errors = false;
		size_t bytes = 0;

		kdr_buf_truncate(out, start);
		kdr_sandbox_put_i32(out, 0);
		if (req->version >= 7) {
			/* Sessions are not kept (id 0 = full fetches), which Kafka allows a broker to answer. */
			kdr_sandbox_put_i16(out, session_id ? FETCH_SESSION_ID_NOT_FOUND : 0);
			kdr_sandbox_put_i32(out, 0);
			if (session_id) {
				kdr_sandbox_put_i32(out, 0);
				return 0;
			}
		}
		bytes = build_fetch(req, out, topics, n_topics, max_bytes, isolation, &errors);
		if (errors || bytes >= (size_t)(min_bytes > 0 ? min_bytes : 0) || kdr_sandbox_now_ms() >= deadline ||
		    kdr_sandbox_conn_closing(req->conn))
			break;
		kdr_sandbox_cluster_wait(cl, deadline);
	}
	return 0;
}

struct timestamp_search {
	int64_t target;
	int64_t offset_delta;
	int64_t timestamp;
};

static bool find_timestamp(void *arg, const struct record_info *rec)
{
	struct timestamp_search *search = arg;

	if (rec->timestamp < search->target)
		return false;
	search->offset_delta = rec->offset_delta;
	search->timestamp = rec->timestamp;
	return true;
}

/* The first offset whose timestamp is >= `target`, as ListOffsets answers it (-1/-1: none). */
static void offset_for_time(const struct kdr_sandbox_partition *part, int64_t target, int64_t *offset,
			    int64_t *timestamp)
{
	*offset = -1;
	*timestamp = -1;
	for (size_t b = 0; b < part->n_batches; b++) {
		const struct kdr_sandbox_batch *batch = &part->batches[b];
		int16_t attributes = kdr_sandbox_load_i16(batch->data + BATCH_ATTRIBUTES);
		struct timestamp_search search = {target, -1, -1};

		if (batch->max_timestamp < target)
			continue;
		if ((attributes & ATTR_COMPRESSION_MASK) || (attributes & ATTR_LOG_APPEND_TIME)) {
			/* Every record of a LogAppendTime batch has the batch's time; compressed ones are not opened.
			 */
			*offset = batch->base_offset;
			*timestamp = batch->max_timestamp;
			return;
		}
		walk_records(batch->data, batch->len, find_timestamp, &search);
		if (search.offset_delta >= 0) {
			*offset = batch->base_offset + search.offset_delta;
			*timestamp = search.timestamp;
			return;
		}
	}
}

int kdr_sandbox_handle_list_offsets(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	int32_t n_topics = 0;

	(void)kdr_sandbox_read_i32(r); /* replica id */
	if (req->version >= 2)
		(void)kdr_sandbox_read_i8(r); /* isolation: without transactions the LSO is the high watermark */
	n_topics = kdr_sandbox_read_array_len(r, false, 6);
	if (r->bad)
		return -1;
	if (req->version >= 2)
		kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n_topics);
	for (int32_t t = 0; t < n_topics; t++) {
		const char *name = kdr_sandbox_read_string(r, &req->arena, false);
		struct kdr_sandbox_topic *topic = name ? kdr_sandbox_topic_find(cl, name) : NULL;
		int32_t n_parts = kdr_sandbox_read_array_len(r, false, 12);

		if (r->bad)
			return -1;
		kdr_sandbox_put_string(out, name);
		kdr_sandbox_put_i32(out, n_parts);
		for (int32_t p = 0; p < n_parts; p++) {
			int32_t index = kdr_sandbox_read_i32(r);
			int32_t epoch = req->version >= 4 ? kdr_sandbox_read_i32(r) : -1;
			int64_t ts = kdr_sandbox_read_i64(r);
			int32_t max_offsets = req->version == 0 ? kdr_sandbox_read_i32(r) : 1;
			struct kdr_sandbox_partition *part = find_partition(topic, index);
			int16_t error = req->injected ? req->injected : leader_check(req, part, epoch);
			int64_t offset = -1;
			int64_t found_ts = -1;

			if (r->bad)
				return -1;
			if (!error && ts == -1) {
				offset = part->log_end;
			} else if (!error && ts == -2) {
				offset = part->log_start;
			} else if (!error && ts < 0) {
				error = KDR_KAFKA_INVALID_REQUEST;
			} else if (!error) {
				offset_for_time(part, ts, &offset, &found_ts);
			}
			kdr_sandbox_put_i32(out, index);
			kdr_sandbox_put_i16(out, error);
			if (req->version == 0) {
				/* v0 lists offsets newest first: the log end, then where the (single) segment starts.
				 */
				int32_t count = 0;

				if (!error && ts == -1 && max_offsets > 1 && part->log_end != part->log_start)
					count = 2;
				else if (!error && offset >= 0)
					count = 1;
				kdr_sandbox_put_i32(out, count);
				if (count >= 1)
					kdr_sandbox_put_i64(out, offset);
				if (count == 2)
					kdr_sandbox_put_i64(out, part->log_start);
				continue;
			}
			kdr_sandbox_put_i64(out, error ? -1 : found_ts);
			kdr_sandbox_put_i64(out, error ? -1 : offset);
			if (req->version >= 4)
				kdr_sandbox_put_i32(out, error ? -1 : part->leader_epoch);
		}
	}
	return 0;
}
