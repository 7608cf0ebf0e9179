/*
 * pkg/kafka's DR calls against the in-process sandbox (classic group
 * protocol, offsets, Fetch, ListOffsets): the consumer-group reader (state,
 * members, committed offsets; requests counted by the sandbox, to show the
 * batching), log-end offsets, reading a partition's records, and the group
 * commit (refused while the group has members). Independent path: a plain
 * librdkafka producer and consumer of the test's own. Backend: sandbox.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "kafka/kafka.h"
#include "sandbox.h"
#include "testbed.h"
#include "util/alloc.h"
#include "util/error.h"

#define API_OFFSET_COMMIT   8
#define API_OFFSET_FETCH    9
#define NOT_COORDINATOR	    16
#define API_DESCRIBE_GROUPS 15
#define API_LIST_GROUPS	    16
#define CLUSTER		    "dc-west"
#define TIMEOUT_MS	    5000

struct fixture {
	struct kdr_testbed *bed;
	struct kdr_sandbox *sandbox; /* the in-process sandbox (request counters); NULL on other backends */
	struct kdr_cluster cl;
	const char *bootstrap;
};

static struct kdr_sandbox_cluster_spec bed_spec(void)
{
	struct kdr_sandbox_cluster_spec spec = { 0 };

	spec.name = CLUSTER;
	spec.brokers = 3;
	spec.auto_create_topics = false;
	return spec;
}

/* The test bed's cluster (tests/support/testbed.h: the sandbox, or real Kafka with KDR_BACKEND=kafka). */
static int setup(void **state)
{
	struct fixture *fx = kdr_calloc(1, sizeof(*fx));
	struct kdr_sandbox_cluster_spec spec = bed_spec();

	if (kdr_testbed_acquire(&fx->bed, &spec, 1) != 0) {
		fprintf(stderr, "%s\n", kdr_error_message());
		free(fx);
		return -1;
	}
	fx->sandbox = kdr_testbed_sandbox(fx->bed);
	fx->bootstrap = kdr_testbed_bootstrap(fx->bed, CLUSTER);
	fx->cl.meta.name = kdr_strdup(CLUSTER);
	fx->cl.bootstrap_servers = kdr_strdup(fx->bootstrap);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	if (!fx)
		return 0;
	kdr_cluster_release(&fx->cl);
	kdr_testbed_release(fx->bed);
	free(fx);
	*state = NULL;
	return 0;
}

static rd_kafka_t *client(const char *bootstrap, rd_kafka_type_t type, const char *group)
{
	char errstr[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;

	assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)), 0);
	if (group) {
		assert_int_equal(rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof(errstr)), 0);
		assert_int_equal(rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof(errstr)), 0);
		assert_int_equal(rd_kafka_conf_set(conf, "session.timeout.ms", "6000", errstr, sizeof(errstr)), 0);
	}
	rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
	assert_non_null(rk);
	return rk;
}

static void create_topic(const char *bootstrap, const char *topic, int partitions)
{
	rd_kafka_t *rk = client(bootstrap, RD_KAFKA_PRODUCER, NULL);
	rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, NULL, 0);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_event_t *ev = NULL;

	rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
	ev = rd_kafka_queue_poll(q, TIMEOUT_MS);
	assert_non_null(ev);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	rd_kafka_event_destroy(ev);
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
}

static void produce(const char *bootstrap, const char *topic, int32_t partition, int n, int64_t timestamp)
{
	rd_kafka_t *rk = client(bootstrap, RD_KAFKA_PRODUCER, NULL);

	for (int i = 0; i < n; i++) {
		char value[16];

		snprintf(value, sizeof(value), "v%d", i);
		assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
						   RD_KAFKA_V_VALUE(value, strlen(value)), RD_KAFKA_V_KEY("k", 1),
						   RD_KAFKA_V_TIMESTAMP(timestamp + i),
						   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
				 0);
	}
	assert_int_equal(rd_kafka_flush(rk, TIMEOUT_MS), 0);
	rd_kafka_destroy(rk);
}

/* A commit by a consumer that only assigns (no membership): the group stays Empty. */
static void commit_as(const char *bootstrap, const char *group, const char *topic, int32_t partition, int64_t offset)
{
	rd_kafka_t *rk = client(bootstrap, RD_KAFKA_CONSUMER, group);
	rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);

	rd_kafka_resp_err_t err;

	rd_kafka_topic_partition_list_add(list, topic, partition)->offset = offset;
	/* A real broker answers NOT_COORDINATOR while the group's coordinator is still being
	 * elected or loaded (seen under load right after the bed starts); a client retries. */
	for (int attempt = 0;; attempt++) {
		err = rd_kafka_commit(rk, list, 0);
		if (attempt >= 60 || (err != RD_KAFKA_RESP_ERR_NOT_COORDINATOR &&
				      err != RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS &&
				      err != RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE))
			break;
		usleep(500 * 1000);
	}
	assert_int_equal(err, 0);
	rd_kafka_topic_partition_list_destroy(list);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
}

static const struct kdr_live_group *group_of(const struct kdr_live_cluster *cl, const char *id)
{
	const struct kdr_live_group *g = kdr_live_group_find(cl, id);

	assert_non_null(g);
	return g;
}

static void test_groups_batched(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_live_cluster live = { 0 };
	struct kdr_kafka_options options = { TIMEOUT_MS, NULL, false, false, false, false };
	const struct kdr_live_group *g = NULL;
	char name[16];

	create_topic(fx->bootstrap, "orders", 3);
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "g%02d", i);
		commit_as(fx->bootstrap, name, "orders", i % 3, 100 + i);
	}
	commit_as(fx->bootstrap, "g00", "orders", 2, 7);
	assert_int_equal(kdr_kafka_conn_open(&conn, &fx->cl, &options), 0);
	assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
	if (fx->sandbox)
		kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_kafka_conn_read_groups(&live, conn, true), 0);
	assert_true(live.groups_read);
	assert_int_equal(live.n_groups, 10);
	g = group_of(&live, "g00");
	assert_string_equal(g->state, "Empty");
	assert_int_equal(g->n_members, 0);
	assert_int_equal(g->n_offsets, 2);
	assert_string_equal(g->offsets[0].topic, "orders");
	assert_int_equal(g->offsets[0].partition, 0);
	assert_int_equal(g->offsets[0].offset, 100);
	assert_int_equal(g->offsets[1].partition, 2);
	assert_int_equal(g->offsets[1].offset, 7);
	assert_int_equal(group_of(&live, "g07")->offsets[0].offset, 107);
	/* One ListGroups and one DescribeGroups per broker, whatever the number of groups; OffsetFetch per group. */
	if (!fx->sandbox) {
		printf("not run on %s: the request counts need the sandbox\n", kdr_testbed_backend_name());
		goto done;
	}
	printf("requests for 10 groups on 3 brokers: ListGroups %llu, DescribeGroups %llu, OffsetFetch %llu\n",
	       (unsigned long long)kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_LIST_GROUPS),
	       (unsigned long long)kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_DESCRIBE_GROUPS),
	       (unsigned long long)kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_OFFSET_FETCH));
	assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_LIST_GROUPS), 3);
	assert_true(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_DESCRIBE_GROUPS) <= 3);
	assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_OFFSET_FETCH), 10);
done:
	kdr_live_cluster_release(&live);
	kdr_kafka_conn_free(conn);
}

static void record(void *ctx, int64_t offset, int64_t timestamp_ms, const void *key, size_t key_len, const void *value,
		   size_t value_len)
{
	int64_t *seen = ctx;
	char expect[16];

	snprintf(expect, sizeof(expect), "v%lld", (long long)seen[0]);
	if (getenv("KDR_TEST_PRINT"))
		printf("offset %lld ts %lld value %.*s\n", (long long)offset, (long long)timestamp_ms, (int)value_len, (const char *)value);
	assert_int_equal(offset, seen[0]);
	assert_int_equal(timestamp_ms, 1700000000000LL + offset);
	assert_int_equal(key_len, 1);
	assert_memory_equal(key, "k", 1);
	assert_int_equal(value_len, strlen(expect));
	assert_memory_equal(value, expect, value_len);
	seen[0]++;
}

static void test_offsets_and_records(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_kafka_options options = { TIMEOUT_MS, NULL, false, true, false, false };
	struct kdr_kafka_offset_query q[3] = { { "log", 0, 0, 0 }, { "log", 1, 0, 0 }, { "none", 0, 0, 0 } };
	int64_t seen[1] = { 0 }, end = 0;

	create_topic(fx->bootstrap, "log", 2);
	produce(fx->bootstrap, "log", 0, 25, 1700000000000LL);
	assert_int_equal(kdr_kafka_conn_open(&conn, &fx->cl, &options), 0);
	assert_int_equal(kdr_kafka_conn_end_offsets(conn, q, 3), 0);
	assert_int_equal(q[0].offset, 25);
	assert_int_equal(q[1].offset, 0);
	assert_int_equal(q[2].code, KDR_ENOTFOUND);
	assert_int_equal(kdr_kafka_conn_read_partition(conn, "log", 0, -2, -1, record, seen, &end), 0);
	assert_int_equal(seen[0], 25);
	assert_int_equal(end, 25);
	seen[0] = 20;
	assert_int_equal(kdr_kafka_conn_read_partition(conn, "log", 0, 20, 1, record, seen, NULL), 0);
	assert_int_equal(seen[0], 21);
	assert_int_equal(kdr_kafka_conn_read_partition(conn, "log", 1, -2, -1, record, seen, &end), 0);
	assert_int_equal(end, 0);
	assert_int_equal(kdr_kafka_conn_read_partition(conn, "none", 0, -2, -1, record, seen, NULL), KDR_ENOTFOUND);
	assert_string_equal(kdr_error_message(), "cluster 'dc-west': topic 'none' partition 0 does not exist");
	kdr_kafka_conn_free(conn);
}

static void test_commit_group(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_live_cluster live = { 0 };
	struct kdr_kafka_options options = { TIMEOUT_MS, NULL, false, false, false, false };
	struct kdr_kafka_group_commit commits[2] = { { "orders", 0, 42, "meta", 0, NULL }, { "orders", 1, 9, NULL, 0, NULL } };
	rd_kafka_t *member = NULL;
	rd_kafka_topic_partition_list_t *topics = NULL;
	const struct kdr_live_group *g = NULL;
	int64_t deadline = 0;
	int rc = 0;

	create_topic(fx->bootstrap, "orders", 3);
	assert_int_equal(kdr_kafka_conn_open(&conn, &fx->cl, &options), 0);
	assert_int_equal(kdr_kafka_conn_commit_group(conn, "billing", commits, 2), 0);
	assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
	assert_int_equal(kdr_kafka_conn_read_groups(&live, conn, true), 0);
	g = group_of(&live, "billing");
	assert_int_equal(g->n_offsets, 2);
	assert_int_equal(g->offsets[0].offset, 42);
	assert_string_equal(g->offsets[0].metadata, "meta");
	assert_int_equal(g->offsets[1].offset, 9);
	kdr_live_cluster_release(&live);

	/* A member joins: the group is Stable with one member, and an admin commit is refused. */
	member = client(fx->bootstrap, RD_KAFKA_CONSUMER, "billing");
	rd_kafka_poll_set_consumer(member);
	topics = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(topics, "orders", RD_KAFKA_PARTITION_UA);
	assert_int_equal(rd_kafka_subscribe(member, topics), 0);
	rd_kafka_topic_partition_list_destroy(topics);
	deadline = time(NULL) + 20;
	do {
		rd_kafka_message_t *msg = rd_kafka_consumer_poll(member, 200);

		if (msg)
			rd_kafka_message_destroy(msg);
		memset(&live, 0, sizeof(live));
		assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
		assert_int_equal(kdr_kafka_conn_read_groups(&live, conn, true), 0);
		g = group_of(&live, "billing");
		rc = strcmp(g->state, "Stable") == 0 && g->n_members == 1;
		if (!rc)
			kdr_live_cluster_release(&live);
	} while (!rc && time(NULL) < deadline);
	assert_true(rc);
	assert_string_equal(g->protocol_type, "consumer");
	assert_true(kdr_live_group_active(g));
	kdr_live_cluster_release(&live);
	commits[0].offset = 50;
	rc = kdr_kafka_conn_commit_group(conn, "billing", commits, 2);
	printf("commit into an active group: %s\n", kdr_error_message());
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(kdr_error_message(), "group 'billing'"));
	for (size_t i = 0; i < 2; i++)
		free(commits[i].message);
	rd_kafka_consumer_close(member);
	rd_kafka_destroy(member);
	kdr_kafka_conn_free(conn);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first OffsetCommit answers NOT_COORDINATOR (a coordinator moving): the commit retries and lands. */
static void test_commit_retries_coordinator(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_live_cluster live = { 0 };
	struct kdr_kafka_options options = { TIMEOUT_MS, NULL, false, false, false, false };
	struct kdr_kafka_group_commit commits[1] = { { "moved", 0, 17, NULL, 0, NULL } };
	const struct kdr_live_group *g = NULL;

	if (!fx->sandbox) {
		printf("skipped on %s: injected per-request errors need the sandbox\n", kdr_testbed_backend_name());
		skip();
	}
	printf("backend: %s\n", kdr_testbed_backend_name());
	create_topic(fx->bootstrap, "moved", 1);
	assert_int_equal(kdr_kafka_conn_open(&conn, &fx->cl, &options), 0);
	kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_sandbox_inject_error(fx->sandbox, CLUSTER, API_OFFSET_COMMIT, NOT_COORDINATOR, 1), 0);
	assert_int_equal(kdr_kafka_conn_commit_group(conn, "relocated", commits, 1), 0);
	assert_null(commits[0].message);
	printf("OffsetCommit requests for one commit after one NOT_COORDINATOR: %llu\n",
	       (unsigned long long)kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_OFFSET_COMMIT));
	assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_OFFSET_COMMIT), 2);
	assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
	assert_int_equal(kdr_kafka_conn_read_groups(&live, conn, true), 0);
	g = group_of(&live, "relocated");
	assert_int_equal(g->n_offsets, 1);
	assert_int_equal(g->offsets[0].offset, 17);
	kdr_live_cluster_release(&live);
	kdr_kafka_conn_free(conn);
}

/* The coordinator never comes: the commit gives up within the timeout, naming cluster and group. */
static void test_commit_coordinator_never_ready(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_kafka_options options = { 1500, NULL, false, false, false, false };
	struct kdr_kafka_group_commit commits[1] = { { "moved", 0, 17, NULL, 0, NULL } };
	int64_t start = 0;
	int64_t took = 0;
	int rc = 0;

	if (!fx->sandbox) {
		printf("skipped on %s: injected per-request errors need the sandbox\n", kdr_testbed_backend_name());
		skip();
	}
	printf("backend: %s\n", kdr_testbed_backend_name());
	create_topic(fx->bootstrap, "moved", 1);
	assert_int_equal(kdr_kafka_conn_open(&conn, &fx->cl, &options), 0);
	kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_sandbox_inject_error(fx->sandbox, CLUSTER, API_OFFSET_COMMIT, NOT_COORDINATOR, 1000), 0);
	start = now_ms();
	rc = kdr_kafka_conn_commit_group(conn, "stuck", commits, 1);
	took = now_ms() - start;
	printf("gave up after %lld ms, %llu OffsetCommit requests: %s\n", (long long)took,
	       (unsigned long long)kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_OFFSET_COMMIT),
	       kdr_error_message());
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(kdr_error_message(), "cluster 'dc-west': group 'stuck': commit offsets: the group "
						    "coordinator was not ready after"));
	assert_non_null(strstr(kdr_error_message(), "NOT_COORDINATOR"));
	assert_true(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_OFFSET_COMMIT) >= 3);
	/* Bounded: the timeout plus one request's round trip (generous for a loaded machine). */
	assert_true(took >= 1400 && took < 1500 + 2500);
	assert_int_equal(commits[0].code, rc);
	assert_non_null(commits[0].message);
	free(commits[0].message);
	kdr_kafka_conn_free(conn);
}

static int group_setup(void **state)
{
	struct kdr_sandbox_cluster_spec spec = bed_spec();

	(void)state;
	return kdr_testbed_share("test_kafka_groups", &spec, 1);
}

static int group_teardown(void **state)
{
	(void)state;
	kdr_testbed_unshare();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_groups_batched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offsets_and_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_retries_coordinator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_coordinator_never_ready, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
