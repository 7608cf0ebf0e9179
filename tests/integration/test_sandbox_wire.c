/*
 * The sandbox at the byte level, with a hand-written client: ApiVersions
 * (the v0-format UNSUPPORTED_VERSION answer librdkafka relies on, the
 * advertised ranges), connections closed where Kafka closes them (unknown
 * API, unsupported version, malformed body, oversized frame), Produce and
 * Fetch with hand-built record batches (NOT_LEADER_OR_FOLLOWER off the
 * leader, CRC-32C checked, acks=0 unanswered, offsets rewritten), the
 * bounds-checked reader itself, and random bodies for every API that must
 * never bring a broker down.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "sandbox.h"
#include "util/buf.h"
#include "wire_internal.h"

static struct kdr_sandbox *sandbox;
static int32_t correlation = 100;

static int setup(void **state)
{
	struct kdr_sandbox_cluster_spec spec;

	(void)state;
	memset(&spec, 0, sizeof(spec));
	spec.name = "w";
	spec.brokers = 2;
	spec.auto_create_topics = true;
	return kdr_sandbox_start(&sandbox, &spec, 1) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	kdr_sandbox_stop(sandbox);
	return 0;
}

static int dial(int32_t broker)
{
	const char *address = kdr_sandbox_broker_address(sandbox, "w", broker);
	struct sockaddr_in addr;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(strrchr(address, ':') + 1));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

/* Starts a request: size placeholder and header v1. */
static void request(struct kdr_buf *b, int16_t key, int16_t version)
{
	kdr_buf_reset(b);
	kdr_sandbox_put_i32(b, 0);
	kdr_sandbox_put_i16(b, key);
	kdr_sandbox_put_i16(b, version);
	kdr_sandbox_put_i32(b, ++correlation);
	kdr_sandbox_put_string(b, "wire-test");
}

static void send_request(int fd, struct kdr_buf *b)
{
	kdr_sandbox_patch_i32(b, 0, (int32_t)(b->len - 4));
	assert_int_equal(send(fd, b->ptr, b->len, MSG_NOSIGNAL), (ssize_t)b->len);
}

static int read_exact(int fd, uint8_t *p, size_t len, int timeout_ms)
{
	while (len) {
		struct pollfd pfd = {fd, POLLIN, 0};
		ssize_t n = 0;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -2; /* nothing within the timeout */
		n = recv(fd, p, len, 0);
		if (n <= 0)
			return -1; /* closed */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Reads one response frame into `reader` (past the correlation id, which
 * must match). Returns 0, -1 when the broker closed the connection, -2 on
 * timeout. `frame` holds the bytes; the caller frees it.
 */
static int read_response(int fd, struct kdr_sandbox_reader *reader, uint8_t **frame, int timeout_ms)
{
	uint8_t size_be[4];
	int32_t size = 0;
	int rc = read_exact(fd, size_be, 4, timeout_ms);

	*frame = NULL;
	if (rc != 0)
		return rc;
	size = kdr_sandbox_load_i32(size_be);
	assert_true(size >= 4);
	*frame = malloc((size_t)size);
	assert_int_equal(read_exact(fd, *frame, (size_t)size, timeout_ms), 0);
	kdr_sandbox_reader_init(reader, *frame, (size_t)size);
	assert_int_equal(kdr_sandbox_read_i32(reader), correlation);
	return 0;
}

static bool closed_by_broker(int fd)
{
	uint8_t byte;

	return read_exact(fd, &byte, 1, 5000) == -1;
}

static void test_api_versions_unsupported_version(void **state)
{
	struct kdr_buf b = KDR_BUF_INIT;
	struct kdr_sandbox_reader r;
	uint8_t *frame = NULL;
	int fd = dial(1);

	(void)state;
	/* What librdkafka sends first: ApiVersions v3 with a flexible (v2) header. */
	request(&b, 18, 3);
	kdr_sandbox_put_i8(&b, 0);	       /* header tagged fields */
	kdr_buf_put(&b, "\x08librdkafka", 11); /* compact string: length + 1 */
	kdr_buf_put(&b, "\x062.0.2", 6);
	kdr_sandbox_put_i8(&b, 0); /* body tagged fields */
	send_request(fd, &b);
	assert_int_equal(read_response(fd, &r, &frame, 5000), 0);
	/* The v0 layout: error, then [key, min, max] holding only ApiVersions' own range (KIP-511). */
	assert_int_equal(kdr_sandbox_read_i16(&r), 35);
	assert_int_equal(kdr_sandbox_read_i32(&r), 1);
	assert_int_equal(kdr_sandbox_read_i16(&r), 18);
	assert_int_equal(kdr_sandbox_read_i16(&r), 0);
	assert_int_equal(kdr_sandbox_read_i16(&r), 2);
	assert_int_equal(kdr_sandbox_reader_left(&r), 0);
	free(frame);
	/* The connection stays open for the retry. */
	request(&b, 18, 2);
	send_request(fd, &b);
	assert_int_equal(read_response(fd, &r, &frame, 5000), 0);
	assert_int_equal(kdr_sandbox_read_i16(&r), 0);
	free(frame);
	close(fd);
	kdr_buf_release(&b);
}

static void test_api_versions_ranges(void **state)
{
	static const int16_t expected[][3] = {
	    {0, 3, 8},	{1, 4, 11}, {2, 0, 5},	{3, 0, 8},  {8, 0, 7},	{9, 0, 5},  {10, 0, 2}, {11, 0, 5}, {12, 0, 3},
	    {13, 0, 3}, {14, 0, 3}, {15, 0, 4}, {16, 0, 2}, {17, 0, 1}, {18, 0, 2}, {19, 0, 4}, {20, 0, 3}, {29, 0, 1},
	    {30, 0, 1}, {31, 0, 1}, {32, 0, 3}, {33, 0, 1}, {36, 0, 1}, {37, 0, 1}, {42, 0, 1}, {44, 0, 0}, {47, 0, 0},
	};
	size_t n_expected = sizeof(expected) / sizeof(expected[0]);
	struct kdr_buf b = KDR_BUF_INIT;
	struct kdr_sandbox_reader r;
	uint8_t *frame = NULL;
	int fd = dial(2);
	int32_t n = 0;

	(void)state;
	request(&b, 18, 0);
	send_request(fd, &b);
	assert_int_equal(read_response(fd, &r, &frame, 5000), 0);
	assert_int_equal(kdr_sandbox_read_i16(&r), 0);
	n = kdr_sandbox_read_i32(&r);
	assert_int_equal(n, (int32_t)n_expected);
	for (size_t i = 0; i < n_expected; i++) {
		assert_int_equal(kdr_sandbox_read_i16(&r), expected[i][0]);
		assert_int_equal(kdr_sandbox_read_i16(&r), expected[i][1]);
		assert_int_equal(kdr_sandbox_read_i16(&r), expected[i][2]);
	}
	/* v0 has no throttle time. */
	assert_int_equal(kdr_sandbox_reader_left(&r), 0);
	free(frame);
	close(fd);
	kdr_buf_release(&b);
}

static void test_connection_closed_where_kafka_closes(void **state)
{
	struct kdr_buf b = KDR_BUF_INIT;
	struct kdr_sandbox_reader r;
	uint8_t *frame = NULL;
	int fd = -1;

	(void)state;
	/* An API the broker does not know. */
	fd = dial(1);
	request(&b, 67, 0);
	send_request(fd, &b);
	assert_true(closed_by_broker(fd));
	close(fd);
	/* Metadata v9 is flexible: not implemented, so not advertised, so not served. */
	fd = dial(1);
	request(&b, 3, 9);
	kdr_sandbox_put_i8(&b, 0);
	send_request(fd, &b);
	assert_true(closed_by_broker(fd));
	close(fd);
	/* A body that claims more than it holds. */
	fd = dial(1);
	request(&b, 3, 1);
	kdr_sandbox_put_i32(&b, 5);
	kdr_sandbox_put_string(&b, "one");
	send_request(fd, &b);
	assert_true(closed_by_broker(fd));
	close(fd);
	/* A frame bigger than socket.request.max.bytes. */
	fd = dial(1);
	kdr_buf_reset(&b);
	kdr_sandbox_put_i32(&b, 200 * 1024 * 1024);
	assert_int_equal(send(fd, b.ptr, b.len, MSG_NOSIGNAL), 4);
	assert_true(closed_by_broker(fd));
	close(fd);
	/* The broker is fine afterwards. */
	fd = dial(1);
	request(&b, 18, 1);
	send_request(fd, &b);
	assert_int_equal(read_response(fd, &r, &frame, 5000), 0);
	assert_int_equal(kdr_sandbox_read_i16(&r), 0);
	free(frame);
	close(fd);
	kdr_buf_release(&b);
}

static void put_varint(struct kdr_buf *b, int64_t v)
{
	uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);

	while (z >= 0x80) {
		kdr_buf_putc(b, (char)(z & 0x7f) | (char)0x80);
		z >>= 7;
	}
	kdr_buf_putc(b, (char)z);
}

/* A RecordBatch v2 with one record (value `value`, no key); `corrupt` flips a payload byte after the CRC. */
static void build_batch(struct kdr_buf *out, const char *value, bool corrupt)
{
	struct kdr_buf record = KDR_BUF_INIT;
	int64_t now = (int64_t)time(NULL) * 1000;

	kdr_buf_reset(out);
	kdr_sandbox_put_i8(&record, 0); /* attributes */
	put_varint(&record, 0);		/* timestamp delta */
	put_varint(&record, 0);		/* offset delta */
	put_varint(&record, -1);	/* null key */
	put_varint(&record, (int64_t)strlen(value));
	kdr_buf_puts(&record, value);
	put_varint(&record, 0); /* headers */

	kdr_sandbox_put_i64(out, 0);  /* base offset: the broker assigns it */
	kdr_sandbox_put_i32(out, 0);  /* batch length, patched */
	kdr_sandbox_put_i32(out, -1); /* partition leader epoch */
	kdr_sandbox_put_i8(out, 2);   /* magic */
	kdr_sandbox_put_i32(out, 0);  /* crc, patched */
	kdr_sandbox_put_i16(out, 0);  /* attributes: no compression, CreateTime */
	kdr_sandbox_put_i32(out, 0);  /* last offset delta */
	kdr_sandbox_put_i64(out, now);
	kdr_sandbox_put_i64(out, now);
	kdr_sandbox_put_i64(out, -1); /* producer id */
	kdr_sandbox_put_i16(out, -1);
	kdr_sandbox_put_i32(out, -1);
	kdr_sandbox_put_i32(out, 1); /* records */
	put_varint(out, (int64_t)record.len);
	kdr_buf_put(out, record.ptr, record.len);
	kdr_sandbox_patch_i32(out, 8, (int32_t)(out->len - 12));
	kdr_sandbox_patch_u32(out, 17, kdr_sandbox_crc32c(out->ptr + 21, out->len - 21));
	if (corrupt)
		out->ptr[out->len - 2] ^= 0x20;
	kdr_buf_release(&record);
}

/* Produce v3 of one batch to partition 0 of `topic`; returns the partition error and base offset. */
static int16_t produce(int fd, const char *topic, const struct kdr_buf *batch, int16_t acks, int64_t *base)
{
	struct kdr_buf b = KDR_BUF_INIT;
	struct kdr_sandbox_reader r;
	struct kdr_sandbox_arena arena = {NULL, 0, 0};
	uint8_t *frame = NULL;
	int16_t error = 0;

	request(&b, 0, 3);
	kdr_sandbox_put_string(&b, NULL);
	kdr_sandbox_put_i16(&b, acks);
	kdr_sandbox_put_i32(&b, 1000);
	kdr_sandbox_put_i32(&b, 1);
	kdr_sandbox_put_string(&b, topic);
	kdr_sandbox_put_i32(&b, 1);
	kdr_sandbox_put_i32(&b, 0);
	kdr_sandbox_put_bytes(&b, batch->ptr, (int32_t)batch->len);
	send_request(fd, &b);
	kdr_buf_release(&b);
	if (acks == 0)
		return 0;
	assert_int_equal(read_response(fd, &r, &frame, 5000), 0);
	assert_int_equal(kdr_sandbox_read_i32(&r), 1);
	assert_string_equal(kdr_sandbox_read_string(&r, &arena, false), topic);
	assert_int_equal(kdr_sandbox_read_i32(&r), 1);
	assert_int_equal(kdr_sandbox_read_i32(&r), 0);
	error = kdr_sandbox_read_i16(&r);
	*base = kdr_sandbox_read_i64(&r);
	assert_false(r.bad);
	free(frame);
	kdr_sandbox_arena_release(&arena);
	return error;
}

/* CreateTopics v0 of `topic` with one partition on `broker`; returns the topic error. */
static int16_t create_on(int fd, const char *topic, int32_t broker)
{
	struct kdr_buf b = KDR_BUF_INIT;
	struct kdr_sandbox_reader r;
	struct kdr_sandbox_arena arena = {NULL, 0, 0};
	uint8_t *frame = NULL;
	int16_t error = 0;

	request(&b, 19, 0);
	kdr_sandbox_put_i32(&b, 1);
	kdr_sandbox_put_string(&b, topic);
	kdr_sandbox_put_i32(&b, -1);
	kdr_sandbox_put_i16(&b, -1);
	kdr_sandbox_put_i32(&b, 1); /* one assignment */
	kdr_sandbox_put_i32(&b, 0); /* partition 0 */
	kdr_sandbox_put_i32(&b, 1);
	kdr_sandbox_put_i32(&b, broker);
	kdr_sandbox_put_i32(&b, 0); /* no configs */
	kdr_sandbox_put_i32(&b, 5000);
	send_request(fd, &b);
	assert_int_equal(read_response(fd, &r, &frame, 5000), 0);
	assert_int_equal(kdr_sandbox_read_i32(&r), 1);
	assert_string_equal(kdr_sandbox_read_string(&r, &arena, false), topic);
	error = kdr_sandbox_read_i16(&r);
	assert_int_equal(kdr_sandbox_reader_left(&r), 0);
	free(frame);
	kdr_sandbox_arena_release(&arena);
	kdr_buf_release(&b);
	return error;
}

/* Fetch v4 from offset 0 of partition 0; returns the error and copies the record bytes. */
static int16_t fetch(int fd, const char *topic, int64_t *high_watermark, struct kdr_buf *records)
{
	struct kdr_buf b = KDR_BUF_INIT;
	struct kdr_sandbox_reader r;
	struct kdr_sandbox_arena arena = {NULL, 0, 0};
	uint8_t *frame = NULL;
	const uint8_t *data = NULL;
	int32_t len = 0;
	int16_t error = 0;

	request(&b, 1, 4);
	kdr_sandbox_put_i32(&b, -1);
	kdr_sandbox_put_i32(&b, 0); /* max wait */
	kdr_sandbox_put_i32(&b, 0); /* min bytes */
	kdr_sandbox_put_i32(&b, 1 << 20);
	kdr_sandbox_put_i8(&b, 0);
	kdr_sandbox_put_i32(&b, 1);
	kdr_sandbox_put_string(&b, topic);
	kdr_sandbox_put_i32(&b, 1);
	kdr_sandbox_put_i32(&b, 0);
	kdr_sandbox_put_i64(&b, 0);
	kdr_sandbox_put_i32(&b, 1 << 20);
	send_request(fd, &b);
	assert_int_equal(read_response(fd, &r, &frame, 5000), 0);
	(void)kdr_sandbox_read_i32(&r); /* throttle */
	assert_int_equal(kdr_sandbox_read_i32(&r), 1);
	assert_string_equal(kdr_sandbox_read_string(&r, &arena, false), topic);
	assert_int_equal(kdr_sandbox_read_i32(&r), 1);
	assert_int_equal(kdr_sandbox_read_i32(&r), 0);
	error = kdr_sandbox_read_i16(&r);
	*high_watermark = kdr_sandbox_read_i64(&r);
	(void)kdr_sandbox_read_i64(&r);			/* last stable offset */
	assert_int_equal(kdr_sandbox_read_i32(&r), -1); /* aborted transactions: null for read_uncommitted */
	data = kdr_sandbox_read_bytes(&r, &len);
	kdr_buf_reset(records);
	if (data)
		kdr_buf_put(records, data, (size_t)len);
	assert_int_equal(kdr_sandbox_reader_left(&r), 0);
	free(frame);
	kdr_sandbox_arena_release(&arena);
	kdr_buf_release(&b);
	return error;
}

static void test_produce_and_fetch_raw(void **state)
{
	struct kdr_buf batch = KDR_BUF_INIT;
	struct kdr_buf records = KDR_BUF_INIT;
	int controller = dial(1);
	int leader = dial(2);
	int64_t base = -1;
	int64_t hwm = -1;

	(void)state;
	assert_int_equal(create_on(controller, "raw", 2), 0);
	build_batch(&batch, "hello", false);
	/* Broker 1 holds no replica of raw-0. */
	assert_int_equal(produce(controller, "raw", &batch, 1, &base), 6);
	assert_int_equal(fetch(controller, "raw", &hwm, &records), 6);
	assert_int_equal(produce(leader, "raw", &batch, 1, &base), 0);
	assert_int_equal(base, 0);
	assert_int_equal(produce(leader, "raw", &batch, -1, &base), 0);
	assert_int_equal(base, 1);
	assert_int_equal(produce(leader, "raw", &batch, 7, &base), 21); /* INVALID_REQUIRED_ACKS */
	build_batch(&batch, "hello", true);
	assert_int_equal(produce(leader, "raw", &batch, 1, &base), 2); /* CORRUPT_MESSAGE */
	assert_int_equal(produce(leader, "no-such-topic-raw", &batch, 1, &base), 3);
	/* acks=0: stored, never answered; the next answer is the fetch's. */
	build_batch(&batch, "quiet", false);
	assert_int_equal(produce(leader, "raw", &batch, 0, &base), 0);
	assert_int_equal(fetch(leader, "raw", &hwm, &records), 0);
	assert_int_equal(hwm, 3);
	/* Three stored batches, the last at offset 2 with its base offset rewritten. */
	assert_true(records.len == 3 * batch.len);
	assert_int_equal(kdr_sandbox_load_i64((const uint8_t *)records.ptr + 2 * batch.len), 2);
	assert_memory_equal(records.ptr + 3 * batch.len - 6, "quiet", 5);
	close(controller);
	close(leader);
	kdr_buf_release(&batch);
	kdr_buf_release(&records);
}

static void test_reader_bounds(void **state)
{
	static const uint8_t truncated_string[] = {0, 5, 'a', 'b'};
	static const uint8_t null_string[] = {0xff, 0xff};
	static const uint8_t huge_array[] = {0x7f, 0xff, 0xff, 0xff, 0, 0};
	static const uint8_t embedded_nul[] = {0, 3, 'a', 0, 'b'};
	static const uint8_t varint_overflow[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	struct kdr_sandbox_arena arena = {NULL, 0, 0};
	struct kdr_sandbox_reader r;

	(void)state;
	kdr_sandbox_reader_init(&r, truncated_string, sizeof(truncated_string));
	assert_null(kdr_sandbox_read_string(&r, &arena, false));
	assert_true(r.bad);
	/* Once bad, every read yields zero. */
	assert_int_equal(kdr_sandbox_read_i32(&r), 0);
	kdr_sandbox_reader_init(&r, null_string, sizeof(null_string));
	assert_null(kdr_sandbox_read_string(&r, &arena, true));
	assert_false(r.bad);
	kdr_sandbox_reader_init(&r, null_string, sizeof(null_string));
	assert_null(kdr_sandbox_read_string(&r, &arena, false));
	assert_true(r.bad);
	kdr_sandbox_reader_init(&r, huge_array, sizeof(huge_array));
	assert_int_equal(kdr_sandbox_read_array_len(&r, false, 4), 0);
	assert_true(r.bad);
	kdr_sandbox_reader_init(&r, embedded_nul, sizeof(embedded_nul));
	assert_null(kdr_sandbox_read_string(&r, &arena, false));
	assert_true(r.bad);
	kdr_sandbox_reader_init(&r, varint_overflow, sizeof(varint_overflow));
	(void)kdr_sandbox_read_varlong(&r);
	assert_true(r.bad);
	/* The CRC-32C check value. */
	assert_int_equal(kdr_sandbox_crc32c("123456789", 9), 0xe3069283u);
	kdr_sandbox_arena_release(&arena);
}

static void test_random_bodies_do_not_hurt(void **state)
{
	/* Every served API except those that park (Fetch, Join/SyncGroup) or may stay silent (Produce acks=0). */
	static const int16_t apis[][2] = {{2, 5},  {3, 8},  {8, 7},  {9, 5},  {10, 2}, {12, 3}, {13, 3}, {15, 4},
					  {16, 2}, {17, 1}, {18, 2}, {19, 4}, {20, 3}, {29, 1}, {30, 1}, {31, 1},
					  {32, 3}, {33, 1}, {36, 1}, {37, 1}, {42, 1}, {44, 0}, {47, 0}};
	struct kdr_buf b = KDR_BUF_INIT;
	struct kdr_sandbox_reader r;
	uint8_t *frame = NULL;
	unsigned seed = 12345;
	int fd = dial(1);

	(void)state;
	for (size_t a = 0; a < sizeof(apis) / sizeof(apis[0]); a++) {
		for (int16_t v = 0; v <= apis[a][1]; v++) {
			for (int i = 0; i < 20; i++) {
				size_t len = (size_t)(rand_r(&seed) % 64);
				int rc = 0;

				request(&b, apis[a][0], v);
				for (size_t k = 0; k < len; k++)
					kdr_buf_putc(&b, (char)(rand_r(&seed) % 4 == 0 ? 0 : rand_r(&seed)));
				send_request(fd, &b);
				rc = read_response(fd, &r, &frame, 5000);
				free(frame);
				assert_int_not_equal(rc, -2);
				if (rc == -1) {
					close(fd);
					fd = dial(1);
				}
			}
		}
	}
	close(fd);
	fd = dial(1);
	request(&b, 18, 0);
	send_request(fd, &b);
	assert_int_equal(read_response(fd, &r, &frame, 5000), 0);
	assert_int_equal(kdr_sandbox_read_i16(&r), 0);
	free(frame);
	close(fd);
	kdr_buf_release(&b);
}

static int thread_count(void)
{
	DIR *dir = opendir("/proc/self/task");
	int n = 0;

	assert_non_null(dir);
	for (struct dirent *entry = readdir(dir); entry; entry = readdir(dir))
		n += entry->d_name[0] != '.';
	closedir(dir);
	return n;
}

/*
 * The thread count once the "w" sandbox is idle: the main thread and its two
 * acceptors (connections of earlier tests are reaped shortly after they close).
 */
static int idle_thread_count(void)
{
	for (int i = 0; i < 100 && thread_count() != 3; i++)
		usleep(20 * 1000);
	assert_int_equal(thread_count(), 3);
	return 3;
}

static void test_stop_leaves_no_threads(void **state)
{
	static const char *const racks[] = {"x", "y"};
	struct kdr_sandbox_cluster_spec specs[2];
	struct kdr_sandbox *other = NULL;
	struct kdr_buf b = KDR_BUF_INIT;
	int before = idle_thread_count();
	int fds[4];

	(void)state;
	memset(specs, 0, sizeof(specs));
	specs[0].name = "one";
	specs[0].brokers = 3;
	specs[0].racks = racks;
	specs[0].n_racks = 2;
	specs[1].name = "two";
	specs[1].brokers = 2;
	assert_int_equal(kdr_sandbox_start(&other, specs, 2), 0);
	/* Clusters are independent: each has its own brokers, ids and controller. */
	assert_int_equal(kdr_sandbox_controller_id(other, "two"), 1);
	assert_string_not_equal(kdr_sandbox_cluster_id(other, "one"), kdr_sandbox_cluster_id(other, "two"));
	assert_int_equal(kdr_sandbox_cluster_count(other), 2);
	assert_string_equal(kdr_sandbox_cluster_name(other, 1), "two");
	/* Open connections, one of them mid-request, then stop under them. */
	for (int i = 0; i < 4; i++) {
		const char *address = kdr_sandbox_broker_address(other, i < 2 ? "one" : "two", i % 2 + 1);
		struct sockaddr_in addr;

		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		memset(&addr, 0, sizeof(addr));
		addr.sin_family = AF_INET;
		addr.sin_port = htons((uint16_t)atoi(strrchr(address, ':') + 1));
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&addr, sizeof(addr)), 0);
	}
	request(&b, 18, 0);
	assert_int_equal(send(fds[0], b.ptr, 6, MSG_NOSIGNAL), 6); /* half a frame */
	assert_int_equal(kdr_sandbox_broker_down(other, "one", 2), 0);
	assert_true(closed_by_broker(fds[1]));
	assert_true(thread_count() > before);
	kdr_sandbox_stop(other);
	assert_int_equal(thread_count(), before);
	for (int i = 0; i < 4; i++) {
		if (i != 1)
			assert_true(closed_by_broker(fds[i]));
		close(fds[i]);
	}
	kdr_buf_release(&b);
}

static void test_start_failures(void **state)
{
	struct kdr_sandbox_cluster_spec specs[2];
	struct kdr_sandbox *other = NULL;
	const char *taken = kdr_sandbox_broker_address(sandbox, "w", 1);
	int before = idle_thread_count();

	(void)state;
	memset(specs, 0, sizeof(specs));
	specs[0].name = "same";
	specs[0].brokers = 1;
	specs[1] = specs[0];
	assert_int_equal(kdr_sandbox_start(&other, specs, 2), -3); /* KDR_EINVALID: declared twice */
	assert_null(other);
	specs[0].brokers = 0;
	assert_int_equal(kdr_sandbox_start(&other, specs, 1), -3);
	/* A port in use: the second broker cannot listen; everything started so far is stopped again. */
	specs[0].brokers = 2;
	specs[0].port = atoi(strrchr(taken, ':') + 1) - 1;
	assert_int_equal(kdr_sandbox_start(&other, specs, 1), -7); /* KDR_EUNAVAILABLE */
	assert_null(other);
	assert_int_equal(thread_count(), before);
}

/* IncrementalAlterConfigs v0 on topic `topic`: one op; returns the resource's error. */
static int16_t incremental_alter(int fd, const char *topic, const char *name, int8_t op, const char *value)
{
	struct kdr_buf b = KDR_BUF_INIT;
	struct kdr_sandbox_reader r;
	uint8_t *frame = NULL;
	int16_t error = 0;

	request(&b, 44, 0);
	kdr_sandbox_put_i32(&b, 1);
	kdr_sandbox_put_i8(&b, 2);
	kdr_sandbox_put_string(&b, topic);
	kdr_sandbox_put_i32(&b, 1);
	kdr_sandbox_put_string(&b, name);
	kdr_sandbox_put_i8(&b, op);
	kdr_sandbox_put_string(&b, value);
	kdr_sandbox_put_bool(&b, false);
	send_request(fd, &b);
	assert_int_equal(read_response(fd, &r, &frame, 5000), 0);
	(void)kdr_sandbox_read_i32(&r);
	assert_int_equal(kdr_sandbox_read_i32(&r), 1);
	error = kdr_sandbox_read_i16(&r);
	free(frame);
	kdr_buf_release(&b);
	return error;
}

/* DescribeConfigs v1 of one topic config: its value (in `value`) and source. */
static int8_t describe_one(int fd, const char *topic, const char *name, char *value, size_t size)
{
	struct kdr_buf b = KDR_BUF_INIT;
	struct kdr_sandbox_reader r;
	struct kdr_sandbox_arena arena = {NULL, 0, 0};
	uint8_t *frame = NULL;
	int8_t source = 0;

	request(&b, 32, 1);
	kdr_sandbox_put_i32(&b, 1);
	kdr_sandbox_put_i8(&b, 2);
	kdr_sandbox_put_string(&b, topic);
	kdr_sandbox_put_i32(&b, 1);
	kdr_sandbox_put_string(&b, name);
	kdr_sandbox_put_bool(&b, false);
	send_request(fd, &b);
	assert_int_equal(read_response(fd, &r, &frame, 5000), 0);
	(void)kdr_sandbox_read_i32(&r);
	assert_int_equal(kdr_sandbox_read_i32(&r), 1);
	assert_int_equal(kdr_sandbox_read_i16(&r), 0);
	(void)kdr_sandbox_read_string(&r, &arena, true);
	(void)kdr_sandbox_read_i8(&r);
	(void)kdr_sandbox_read_string(&r, &arena, false);
	assert_int_equal(kdr_sandbox_read_i32(&r), 1);
	assert_string_equal(kdr_sandbox_read_string(&r, &arena, false), name);
	snprintf(value, size, "%s", kdr_sandbox_read_string(&r, &arena, true));
	(void)kdr_sandbox_read_bool(&r);
	source = kdr_sandbox_read_i8(&r);
	assert_false(r.bad);
	free(frame);
	kdr_sandbox_arena_release(&arena);
	kdr_buf_release(&b);
	return source;
}

static void test_incremental_alter_configs(void **state)
{
	char value[256];
	int fd = dial(1);

	(void)state;
	assert_int_equal(create_on(fd, "incremental", 1), 0);
	assert_int_equal(incremental_alter(fd, "incremental", "retention.ms", 0, "1000"), 0);	   /* SET */
	assert_int_equal(incremental_alter(fd, "incremental", "cleanup.policy", 2, "compact"), 0); /* APPEND */
	/* Unlike AlterConfigs, other keys stay. */
	assert_int_equal(describe_one(fd, "incremental", "retention.ms", value, sizeof(value)), 1);
	assert_string_equal(value, "1000");
	assert_int_equal(describe_one(fd, "incremental", "cleanup.policy", value, sizeof(value)), 1);
	assert_string_equal(value, "delete,compact");
	assert_int_equal(incremental_alter(fd, "incremental", "cleanup.policy", 3, "delete"), 0); /* SUBTRACT */
	describe_one(fd, "incremental", "cleanup.policy", value, sizeof(value));
	assert_string_equal(value, "compact");
	assert_int_equal(incremental_alter(fd, "incremental", "retention.ms", 1, NULL), 0); /* DELETE */
	assert_int_equal(describe_one(fd, "incremental", "retention.ms", value, sizeof(value)), 5);
	assert_string_equal(value, "604800000");
	/* APPEND on a non-list config, an unknown op, a bad value. */
	assert_int_equal(incremental_alter(fd, "incremental", "retention.ms", 2, "5"), 40);
	assert_int_equal(incremental_alter(fd, "incremental", "retention.ms", 9, "5"), 42);
	assert_int_equal(incremental_alter(fd, "incremental", "cleanup.policy", 2, "shred"), 40);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_api_versions_unsupported_version),
	    cmocka_unit_test(test_api_versions_ranges),
	    cmocka_unit_test(test_connection_closed_where_kafka_closes),
	    cmocka_unit_test(test_produce_and_fetch_raw),
	    cmocka_unit_test(test_reader_bounds),
	    cmocka_unit_test(test_random_bodies_do_not_hurt),
	    cmocka_unit_test(test_stop_leaves_no_threads),
	    cmocka_unit_test(test_start_failures),
	    cmocka_unit_test(test_incremental_alter_configs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
