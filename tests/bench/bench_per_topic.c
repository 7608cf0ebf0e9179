/*
 * bench_per_topic: the per-topic baseline of hack/bench.sh (issue 15 item 5).
 *
 *   bench_per_topic BOOTSTRAP [BOOTSTRAP ...]
 *
 * Reads every topic of each cluster the way a one-resource-at-a-time tool
 * does (the Terraform provider's and kafka-gitops' readers): one Metadata
 * naming no topic to list them all, then for each topic, one after the
 * other, a Metadata for that topic and a DescribeConfigs for that topic
 * (with synonyms, as kdr's librdkafka asks), waiting for each answer before
 * the next request. The clusters are read one after the other, each over one
 * connection to its first bootstrap broker.
 *
 * It speaks the Kafka protocol itself (Metadata v4, DescribeConfigs v1, both
 * still served by Kafka 4.x; tests/sandbox/wire.c's readers and writers), so
 * its own cost per request is a few microseconds: the figure is the
 * approach's, not a client library's. (librdkafka 2.0.2 has no per-topic
 * Metadata without a topic handle, and its handles make every broker thread
 * walk all of them: 10,000 topics took 270 s of CPU that way.) Terraform
 * runs up to 10 resources at a time by default (-parallelism); this reader
 * runs one, so with an injected per-request latency it is the slow end of
 * that approach.
 *
 * Prints "clusters N topics T partitions P configs C" on stdout; exit 0 when
 * every request was answered without error, 1 on the first error (named on
 * stderr), 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/buf.h"
#include "wire_internal.h"

#define API_METADATA 3
#define API_DESCRIBE_CONFIGS 32
#define RESOURCE_TOPIC 2

struct reader {
	int fd;
	int32_t correlation;
	struct kdr_buf out;
	uint8_t *in;
	size_t in_cap;
	uint64_t topics, partitions, configs;
};

static int dial(const char *bootstrap)
{
	char host[256] = "";
	const char *colon = NULL;
	size_t len = strcspn(bootstrap, ",");
	struct sockaddr_in addr;
	int one = 1;
	int fd = -1;

	snprintf(host, sizeof(host), "%.*s", (int)len, bootstrap);
	colon = strrchr(host, ':');
	if (!colon) {
		fprintf(stderr, "bench_per_topic: '%s': expected HOST:PORT\n", host);
		return -1;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(colon + 1));
	host[colon - host] = '\0';
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "bench_per_topic: '%s': not an IPv4 address\n", host);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		fprintf(stderr, "bench_per_topic: connect %s:%d: %s\n", host, ntohs(addr.sin_port), strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Starts a request: size placeholder and header v1. */
static void begin(struct reader *rd, int16_t key, int16_t version)
{
	kdr_buf_reset(&rd->out);
	kdr_sandbox_put_i32(&rd->out, 0);
	kdr_sandbox_put_i16(&rd->out, key);
	kdr_sandbox_put_i16(&rd->out, version);
	kdr_sandbox_put_i32(&rd->out, ++rd->correlation);
	kdr_sandbox_put_string(&rd->out, "kdr-per-topic");
}

static int io_full(int fd, void *data, size_t len, bool writing)
{
	uint8_t *p = data;

	while (len > 0) {
		ssize_t n = writing ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends the request and reads its answer into a reader positioned after the correlation id. */
static int exchange(struct reader *rd, struct kdr_sandbox_reader *r)
{
	uint8_t head[8];
	int32_t size = 0;

	kdr_sandbox_patch_i32(&rd->out, 0, (int32_t)(rd->out.len - 4));
	if (io_full(rd->fd, rd->out.ptr, rd->out.len, true) != 0 || io_full(rd->fd, head, sizeof(head), false) != 0) {
		fprintf(stderr, "bench_per_topic: connection lost\n");
		return -1;
	}
	size = kdr_sandbox_load_i32(head);
	if (size < 4 || kdr_sandbox_load_i32(head + 4) != rd->correlation) {
		fprintf(stderr, "bench_per_topic: bad answer framing\n");
		return -1;
	}
	if ((size_t)size - 4 > rd->in_cap) {
		rd->in_cap = (size_t)size;
		rd->in = realloc(rd->in, rd->in_cap);
		if (!rd->in)
			abort();
	}
	if (io_full(rd->fd, rd->in, (size_t)size - 4, false) != 0) {
		fprintf(stderr, "bench_per_topic: connection lost\n");
		return -1;
	}
	kdr_sandbox_reader_init(r, rd->in, (size_t)size - 4);
	return 0;
}

/* Topic names (this program does not link kdr's strvec). */
struct names {
	char **v;
	size_t n, cap;
};

/*
 * Metadata v4 for `topic` (NULL: every topic). Its topic names go to `names`
 * when given; the partitions are counted when `topic` is named.
 */
static int metadata(struct reader *rd, const char *topic, struct names *names)
{
	struct kdr_sandbox_reader r;
	struct kdr_sandbox_arena arena = { 0 };
	int32_t n = 0;
	int rc = 0;

	begin(rd, API_METADATA, 4);
	if (topic) {
		kdr_sandbox_put_i32(&rd->out, 1);
		kdr_sandbox_put_string(&rd->out, topic);
	} else {
		kdr_sandbox_put_i32(&rd->out, -1);
	}
	kdr_sandbox_put_bool(&rd->out, false); /* allow_auto_topic_creation */
	if (exchange(rd, &r) != 0)
		return -1;
	kdr_sandbox_read_i32(&r); /* throttle_time_ms */
	n = kdr_sandbox_read_array_len(&r, false, 4);
	for (int32_t b = 0; b < n; b++) {
		kdr_sandbox_read_i32(&r);
		kdr_sandbox_read_string(&r, &arena, false);
		kdr_sandbox_read_i32(&r);
		kdr_sandbox_read_string(&r, &arena, true);
	}
	kdr_sandbox_read_string(&r, &arena, true); /* cluster_id */
	kdr_sandbox_read_i32(&r);                  /* controller_id */
	n = kdr_sandbox_read_array_len(&r, false, 4);
	for (int32_t t = 0; t < n && !r.bad; t++) {
		int16_t error = kdr_sandbox_read_i16(&r);
		const char *name = kdr_sandbox_read_string(&r, &arena, false);
		int32_t n_partitions = 0;

		kdr_sandbox_read_bool(&r); /* is_internal */
		n_partitions = kdr_sandbox_read_array_len(&r, false, 4);
		for (int32_t p = 0; p < n_partitions && !r.bad; p++) {
			kdr_sandbox_read_i16(&r);
			kdr_sandbox_read_i32(&r);
			kdr_sandbox_read_i32(&r);
			for (int list = 0; list < 2; list++) {
				int32_t m = kdr_sandbox_read_array_len(&r, false, 4);

				for (int32_t i = 0; i < m; i++)
					kdr_sandbox_read_i32(&r);
			}
		}
		if (error) {
			fprintf(stderr, "bench_per_topic: topic '%s': metadata: error %d\n", name ? name : "?", error);
			rc = -1;
		}
		if (topic)
			rd->partitions += (uint64_t)n_partitions;
		if (names && name && name[0] != '_') {
			if (names->n == names->cap) {
				names->cap = names->cap ? 2 * names->cap : 1024;
				names->v = realloc(names->v, names->cap * sizeof(*names->v));
				if (!names->v)
					abort();
			}
			names->v[names->n++] = strdup(name);
		}
	}
	if (topic && n != 1)
		rc = -1;
	if (r.bad) {
		fprintf(stderr, "bench_per_topic: metadata: malformed answer\n");
		rc = -1;
	}
	kdr_sandbox_arena_release(&arena);
	return rc;
}

/* DescribeConfigs v1 for one topic, with synonyms. */
static int describe(struct reader *rd, const char *topic)
{
	struct kdr_sandbox_reader r;
	struct kdr_sandbox_arena arena = { 0 };
	int32_t n = 0;
	int rc = 0;

	begin(rd, API_DESCRIBE_CONFIGS, 1);
	kdr_sandbox_put_i32(&rd->out, 1);
	kdr_sandbox_put_i8(&rd->out, RESOURCE_TOPIC);
	kdr_sandbox_put_string(&rd->out, topic);
	kdr_sandbox_put_i32(&rd->out, -1); /* every key */
	kdr_sandbox_put_bool(&rd->out, true); /* include_synonyms */
	if (exchange(rd, &r) != 0)
		return -1;
	kdr_sandbox_read_i32(&r); /* throttle_time_ms */
	n = kdr_sandbox_read_array_len(&r, false, 4);
	for (int32_t i = 0; i < n && !r.bad; i++) {
		int16_t error = kdr_sandbox_read_i16(&r);
		int32_t n_configs = 0;

		kdr_sandbox_read_string(&r, &arena, true); /* error_message */
		kdr_sandbox_read_i8(&r);
		kdr_sandbox_read_string(&r, &arena, false);
		n_configs = kdr_sandbox_read_array_len(&r, false, 4);
		for (int32_t c = 0; c < n_configs && !r.bad; c++) {
			int32_t n_synonyms = 0;

			kdr_sandbox_read_string(&r, &arena, false);
			kdr_sandbox_read_string(&r, &arena, true);
			kdr_sandbox_read_bool(&r);
			kdr_sandbox_read_i8(&r);
			kdr_sandbox_read_bool(&r);
			n_synonyms = kdr_sandbox_read_array_len(&r, false, 4);
			for (int32_t s = 0; s < n_synonyms; s++) {
				kdr_sandbox_read_string(&r, &arena, false);
				kdr_sandbox_read_string(&r, &arena, true);
				kdr_sandbox_read_i8(&r);
			}
		}
		rd->configs += (uint64_t)n_configs;
		if (error) {
			fprintf(stderr, "bench_per_topic: topic '%s': describe configs: error %d\n", topic, error);
			rc = -1;
		}
	}
	if (n != 1 || r.bad) {
		fprintf(stderr, "bench_per_topic: topic '%s': describe configs: malformed answer\n", topic);
		rc = -1;
	}
	kdr_sandbox_arena_release(&arena);
	return rc;
}

static int read_cluster(struct reader *rd, const char *bootstrap)
{
	struct names names = { 0 };
	int rc = 0;

	rd->fd = dial(bootstrap);
	if (rd->fd < 0)
		return -1;
	rc = metadata(rd, NULL, &names);
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		rc = metadata(rd, names.v[i], NULL);
		if (rc == 0)
			rc = describe(rd, names.v[i]);
		rd->topics++;
	}
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
	close(rd->fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct reader rd = { 0 };
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_per_topic BOOTSTRAP [BOOTSTRAP ...]\n");
		return 2;
	}
	kdr_buf_init(&rd.out);
	for (int i = 1; i < argc && rc == 0; i++)
		rc = read_cluster(&rd, argv[i]);
	kdr_buf_release(&rd.out);
	free(rd.in);
	if (rc != 0)
		return 1;
	printf("clusters %d topics %" PRIu64 " partitions %" PRIu64 " configs %" PRIu64 "\n", argc - 1, rd.topics,
	       rd.partitions, rd.configs);
	return 0;
}
