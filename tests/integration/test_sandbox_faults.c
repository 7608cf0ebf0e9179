/*
 * The sandbox's fault injection and counters, observed through librdkafka
 * (and libcurl for the Connect forwarding): injected error codes per API
 * and per topic, latency, a broker going down and coming back (metadata,
 * leadership, ISR, controller, listener), NOT_ENOUGH_REPLICAS that follows
 * from it, and the request counters.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
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
#include <librdkafka/rdkafka.h>

#include "sandbox.h"

#define TIMEOUT_MS 10000

static struct kdr_sandbox *sandbox;
static rd_kafka_t *rk;

static void quiet(const rd_kafka_t *client, int level, const char *fac, const char *buf)
{
	(void)client;
	(void)level;
	(void)fac;
	(void)buf;
}

static rd_kafka_t *client(const char *const *settings, rd_kafka_conf_t *conf)
{
	char err[256];
	rd_kafka_t *handle = NULL;

	if (!conf)
		conf = rd_kafka_conf_new();
	assert_int_equal(
	    rd_kafka_conf_set(conf, "bootstrap.servers", kdr_sandbox_bootstrap(sandbox, "f"), err, sizeof(err)),
	    RD_KAFKA_CONF_OK);
	for (size_t i = 0; settings && settings[i]; i += 2)
		assert_int_equal(rd_kafka_conf_set(conf, settings[i], settings[i + 1], err, sizeof(err)),
				 RD_KAFKA_CONF_OK);
	rd_kafka_conf_set_log_cb(conf, quiet);
	handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	assert_non_null(handle);
	return handle;
}

static int setup(void **state)
{
	struct kdr_sandbox_cluster_spec spec;

	(void)state;
	memset(&spec, 0, sizeof(spec));
	spec.name = "f";
	spec.brokers = 3;
	spec.connect = true;
	spec.auto_create_topics = true;
	if (kdr_sandbox_start(&sandbox, &spec, 1) != 0) {
		fprintf(stderr, "sandbox: %s\n", "start failed");
		return -1;
	}
	rk = client(NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rd_kafka_destroy(rk);
	kdr_sandbox_stop(sandbox);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Creates topics in one CreateTopics request; fills codes[i] per topic. */
static void create_topics(const char *const *names, size_t n, int partitions, int rf, const int32_t *assignment,
			  const char *const *configs, rd_kafka_resp_err_t *codes)
{
	char err[256];
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_NewTopic_t *topics[8];
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_topic_result_t **results = NULL;
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		topics[i] = rd_kafka_NewTopic_new(names[i], partitions, assignment ? -1 : rf, err, sizeof(err));
		for (int p = 0; assignment && p < partitions; p++)
			assert_int_equal(rd_kafka_NewTopic_set_replica_assignment(topics[i], p,
										  (int32_t *)&assignment[p * rf],
										  (size_t)rf, err, sizeof(err)),
					 0);
		for (size_t c = 0; configs && configs[c]; c += 2)
			rd_kafka_NewTopic_set_config(topics[i], configs[c], configs[c + 1]);
	}
	rd_kafka_CreateTopics(rk, topics, n, NULL, queue);
	ev = rd_kafka_queue_poll(queue, TIMEOUT_MS);
	assert_non_null(ev);
	results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &count);
	assert_int_equal(count, n);
	for (size_t i = 0; i < n; i++) {
		/* Results come back in request order. */
		assert_string_equal(rd_kafka_topic_result_name(results[i]), names[i]);
		codes[i] = rd_kafka_topic_result_error(results[i]);
		rd_kafka_NewTopic_destroy(topics[i]);
	}
	rd_kafka_event_destroy(ev);
	rd_kafka_queue_destroy(queue);
}

static rd_kafka_resp_err_t create_one(const char *name, int partitions, int rf, const int32_t *assignment,
				      const char *const *configs)
{
	rd_kafka_resp_err_t code = 0;

	create_topics(&name, 1, partitions, rf, assignment, configs, &code);
	return code;
}

static const rd_kafka_metadata_topic_t *find_topic(const struct rd_kafka_metadata *md, const char *name)
{
	for (int i = 0; i < md->topic_cnt; i++) {
		if (strcmp(md->topics[i].topic, name) == 0)
			return &md->topics[i];
	}
	return NULL;
}

static bool isr_has(const rd_kafka_metadata_partition_t *part, int32_t id)
{
	for (int i = 0; i < part->isr_cnt; i++) {
		if (part->isrs[i] == id)
			return true;
	}
	return false;
}

static void test_injected_errors(void **state)
{
	static const char *const pair[] = {"inj-a", "inj-b"};
	rd_kafka_resp_err_t codes[2] = {0, 0};
	const struct rd_kafka_metadata *md = NULL;

	(void)state;
	/* The next CreateTopics fails as a whole, the one after succeeds. */
	assert_int_equal(kdr_sandbox_inject_error(sandbox, "f", 19, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, 1),
			 0);
	assert_int_equal(create_one("inj-0", 1, 1, NULL, NULL), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
	assert_int_equal(create_one("inj-0", 1, 1, NULL, NULL), 0);
	/* A per-topic fault hits only that topic of a batch, and nothing of it is created. */
	assert_int_equal(
	    kdr_sandbox_inject_topic_error(sandbox, "f", 19, "inj-b", RD_KAFKA_RESP_ERR_POLICY_VIOLATION, 1), 0);
	create_topics(pair, 2, 1, 1, NULL, NULL, codes);
	assert_int_equal(codes[0], 0);
	assert_int_equal(codes[1], RD_KAFKA_RESP_ERR_POLICY_VIOLATION);
	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS), 0);
	assert_non_null(find_topic(md, "inj-a"));
	assert_null(find_topic(md, "inj-b"));
	rd_kafka_metadata_destroy(md);
	/* Metadata errors land on every topic of the answer. */
	assert_int_equal(kdr_sandbox_inject_error(sandbox, "f", 3, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, 1), 0);
	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS), 0);
	assert_int_equal(find_topic(md, "inj-a")->err, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
	rd_kafka_metadata_destroy(md);
	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS), 0);
	assert_int_equal(find_topic(md, "inj-a")->err, 0);
	rd_kafka_metadata_destroy(md);
	/* Bad arguments are refused. */
	assert_int_not_equal(kdr_sandbox_inject_error(sandbox, "f", 19, 0, 1), 0);
	assert_int_not_equal(kdr_sandbox_inject_error(sandbox, "nope", 19, 42, 1), 0);
}

static void test_latency(void **state)
{
	const struct rd_kafka_metadata *md = NULL;
	int64_t start = 0;

	(void)state;
	assert_int_equal(kdr_sandbox_set_latency(sandbox, "f", 3, 400), 0);
	start = now_ms();
	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS), 0);
	assert_true(now_ms() - start >= 400);
	rd_kafka_metadata_destroy(md);
	assert_int_equal(kdr_sandbox_set_latency(sandbox, "f", 3, 0), 0);
	start = now_ms();
	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS), 0);
	assert_true(now_ms() - start < 400);
	rd_kafka_metadata_destroy(md);
}

static bool can_connect(const char *address)
{
	struct sockaddr_in addr;
	const char *colon = strrchr(address, ':');
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = false;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(colon + 1));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return ok;
}

/*
 * Metadata until it shows `broker_cnt` brokers. The sandbox changes at once,
 * but librdkafka may have had a request in flight to the broker that just
 * went away, which then times out: retry.
 */
static const struct rd_kafka_metadata *metadata_until(int broker_cnt)
{
	const struct rd_kafka_metadata *md = NULL;

	for (int i = 0; i < 100; i++) {
		if (rd_kafka_metadata(rk, 1, NULL, &md, 2000) != 0) {
			md = NULL;
			continue;
		}
		if (md->broker_cnt == broker_cnt)
			return md;
		rd_kafka_metadata_destroy(md);
		usleep(100 * 1000);
	}
	fail_msg("metadata never showed %d brokers", broker_cnt);
	return NULL;
}

static void test_broker_down_and_up(void **state)
{
	static const int32_t spread[] = {1, 2, 3, 2, 3, 1, 3, 1, 2};
	static const int32_t solo[] = {2};
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *topic = NULL;
	const char *address = kdr_sandbox_broker_address(sandbox, "f", 2);

	(void)state;
	assert_int_equal(create_one("ha", 3, 3, spread, NULL), 0);
	assert_int_equal(create_one("solo", 1, 1, solo, NULL), 0);
	assert_true(can_connect(address));

	assert_int_equal(kdr_sandbox_broker_down(sandbox, "f", 2), 0);
	assert_null(strstr(kdr_sandbox_bootstrap(sandbox, "f"), address));
	assert_false(can_connect(address));
	md = metadata_until(2);
	topic = find_topic(md, "ha");
	/* Partition 1 was led by 2: the next ISR member in replica order (3) takes over. */
	assert_int_equal(topic->partitions[0].leader, 1);
	assert_int_equal(topic->partitions[1].leader, 3);
	assert_int_equal(topic->partitions[2].leader, 3);
	for (int p = 0; p < 3; p++) {
		assert_int_equal(topic->partitions[p].replica_cnt, 3);
		assert_int_equal(topic->partitions[p].isr_cnt, 2);
		assert_false(isr_has(&topic->partitions[p], 2));
	}
	/* A partition whose only replica is down has no leader. */
	topic = find_topic(md, "solo");
	assert_int_equal(topic->partitions[0].leader, -1);
	assert_int_equal(topic->partitions[0].err, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
	rd_kafka_metadata_destroy(md);
	/* Creating with RF 3 now fails: only 2 brokers are alive. */
	assert_int_equal(create_one("needs-three", 1, 3, NULL, NULL), RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR);

	assert_int_equal(kdr_sandbox_broker_up(sandbox, "f", 2), 0);
	assert_non_null(strstr(kdr_sandbox_bootstrap(sandbox, "f"), address));
	assert_true(can_connect(address));
	md = metadata_until(3);
	topic = find_topic(md, "ha");
	/* Back in every ISR; leadership stays where it moved. */
	assert_int_equal(topic->partitions[1].leader, 3);
	for (int p = 0; p < 3; p++)
		assert_true(isr_has(&topic->partitions[p], 2));
	topic = find_topic(md, "solo");
	assert_int_equal(topic->partitions[0].leader, 2);
	rd_kafka_metadata_destroy(md);

	/* The controller moves when its broker goes down. */
	assert_int_equal(kdr_sandbox_controller_id(sandbox, "f"), 1);
	assert_int_equal(kdr_sandbox_broker_down(sandbox, "f", 1), 0);
	assert_int_equal(kdr_sandbox_controller_id(sandbox, "f"), 2);
	md = metadata_until(2);
	rd_kafka_metadata_destroy(md);
	assert_int_equal(rd_kafka_controllerid(rk, TIMEOUT_MS), 2);
	assert_int_equal(create_one("after-failover", 1, 2, NULL, NULL), 0);
	assert_int_equal(kdr_sandbox_broker_up(sandbox, "f", 1), 0);
	md = metadata_until(3);
	rd_kafka_metadata_destroy(md);
}

/*
 * Several brokers returning, in an order different from the replica order:
 * each rejoins the ISR and no member is lost on the way (an earlier version
 * rebuilt the ISR in place and dropped members while re-sorting it, leaving
 * a leader outside its own ISR).
 */
static void test_isr_after_several_brokers_return(void **state)
{
	static const int32_t replicas[] = {3, 1, 2};
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_partition_t *part = NULL;

	(void)state;
	assert_int_equal(create_one("rejoin", 1, 3, replicas, NULL), 0);
	assert_int_equal(kdr_sandbox_broker_down(sandbox, "f", 3), 0);
	assert_int_equal(kdr_sandbox_broker_down(sandbox, "f", 1), 0);
	md = metadata_until(1);
	part = &find_topic(md, "rejoin")->partitions[0];
	assert_int_equal(part->leader, 2);
	assert_int_equal(part->isr_cnt, 1);
	rd_kafka_metadata_destroy(md);

	assert_int_equal(kdr_sandbox_broker_up(sandbox, "f", 1), 0);
	assert_int_equal(kdr_sandbox_broker_up(sandbox, "f", 3), 0);
	md = metadata_until(3);
	part = &find_topic(md, "rejoin")->partitions[0];
	/* Leadership stays with 2; the ISR is every replica again, in replica order. */
	assert_int_equal(part->leader, 2);
	assert_int_equal(part->isr_cnt, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(part->isrs[i], replicas[i]);
	rd_kafka_metadata_destroy(md);

	/* So losing the leader hands over to the next ISR member in replica order, with the rest in sync. */
	assert_int_equal(kdr_sandbox_broker_down(sandbox, "f", 2), 0);
	md = metadata_until(2);
	part = &find_topic(md, "rejoin")->partitions[0];
	assert_int_equal(part->leader, 3);
	assert_int_equal(part->isr_cnt, 2);
	assert_true(isr_has(part, 3));
	assert_true(isr_has(part, 1));
	rd_kafka_metadata_destroy(md);
	assert_int_equal(kdr_sandbox_broker_up(sandbox, "f", 2), 0);
	md = metadata_until(3);
	rd_kafka_metadata_destroy(md);
}

struct delivery {
	int ok;
	int failed;
	rd_kafka_resp_err_t last_error;
};

static void on_delivery(rd_kafka_t *handle, const rd_kafka_message_t *msg, void *opaque)
{
	struct delivery *d = opaque;

	(void)handle;
	if (msg->err) {
		d->failed++;
		d->last_error = msg->err;
	} else {
		d->ok++;
	}
}

static struct delivery produce_one(const char *topic)
{
	static const char *const settings[] = {"acks", "all", "message.send.max.retries", "0", NULL};
	struct delivery d = {0, 0, 0};
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *producer = NULL;
	char value[] = "v";
	rd_kafka_vu_t vu[3];

	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, &d);
	producer = client(settings, conf);
	memset(vu, 0, sizeof(vu));
	vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
	vu[0].u.cstr = topic;
	vu[1].vtype = RD_KAFKA_VTYPE_VALUE;
	vu[1].u.mem.ptr = value;
	vu[1].u.mem.size = 1;
	vu[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
	vu[2].u.i = RD_KAFKA_MSG_F_COPY;
	assert_null(rd_kafka_produceva(producer, vu, 3));
	rd_kafka_flush(producer, TIMEOUT_MS);
	rd_kafka_destroy(producer);
	return d;
}

static void test_not_enough_replicas(void **state)
{
	static const int32_t replicas[] = {1, 2, 3};
	static const char *const configs[] = {"min.insync.replicas", "3", NULL};
	struct delivery d;

	(void)state;
	assert_int_equal(create_one("durable", 1, 3, replicas, configs), 0);
	d = produce_one("durable");
	assert_int_equal(d.ok, 1);
	assert_int_equal(kdr_sandbox_broker_down(sandbox, "f", 3), 0);
	d = produce_one("durable");
	assert_int_equal(d.failed, 1);
	assert_int_equal(d.last_error, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
	assert_int_equal(kdr_sandbox_broker_up(sandbox, "f", 3), 0);
	d = produce_one("durable");
	assert_int_equal(d.ok, 1);
}

static void test_counters(void **state)
{
	const struct rd_kafka_metadata *md = NULL;
	uint64_t before = 0;

	(void)state;
	kdr_sandbox_reset_counters(sandbox, "f");
	assert_int_equal(kdr_sandbox_request_count(sandbox, "f", 19), 0);
	assert_int_equal(kdr_sandbox_mutating_count(sandbox, "f"), 0);
	assert_int_equal(create_one("counted", 1, 1, NULL, NULL), 0);
	assert_int_equal(kdr_sandbox_request_count(sandbox, "f", 19), 1);
	assert_int_equal(kdr_sandbox_mutating_count(sandbox, "f"), 1);
	before = kdr_sandbox_request_count(sandbox, "f", 3);
	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS), 0);
	rd_kafka_metadata_destroy(md);
	/* librdkafka may refresh metadata on its own (after the previous test's broker restart): at least ours. */
	assert_true(kdr_sandbox_request_count(sandbox, "f", 3) >= before + 1);
	/* Reads are not mutations. */
	assert_int_equal(kdr_sandbox_mutating_count(sandbox, "f"), 1);
	assert_true(kdr_sandbox_request_count(sandbox, "f", -1) >= 2);
	assert_int_equal(kdr_sandbox_request_count(sandbox, "nope", -1), 0);
}

static size_t discard(char *ptr, size_t size, size_t n, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * n;
}

static long http_get(const char *url)
{
	CURL *curl = curl_easy_init();
	long status = 0;

	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	return status;
}

static void test_connect_forwarding(void **state)
{
	char url[256];
	const char *base = kdr_sandbox_connect_url(sandbox, "f");

	(void)state;
	assert_non_null(base);
	assert_int_equal(strncmp(base, "http://127.0.0.1:", 17), 0);
	snprintf(url, sizeof(url), "%s/connectors", base);
	kdr_sandbox_reset_counters(sandbox, "f");
	assert_int_equal(http_get(url), 200);
	assert_int_equal(kdr_sandbox_connect_fail(sandbox, "f", 409, 1), 0);
	assert_int_equal(http_get(url), 409);
	assert_int_equal(http_get(url), 200);
	assert_int_equal(kdr_sandbox_connect_request_count(sandbox, "f", "GET"), 3);
	assert_int_not_equal(kdr_sandbox_connect_fail_task(sandbox, "f", "absent", 0, "boom"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_injected_errors),	cmocka_unit_test(test_latency),
	    cmocka_unit_test(test_broker_down_and_up),	cmocka_unit_test(test_isr_after_several_brokers_return),
	    cmocka_unit_test(test_not_enough_replicas), cmocka_unit_test(test_counters),
	    cmocka_unit_test(test_connect_forwarding),
	};
	int rc = 0;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
