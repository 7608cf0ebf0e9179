/*
 * Integration tests of pkg/kafka against the test bed (tests/support/testbed.h:
 * the in-process sandbox, or real Kafka with KDR_BACKEND=kafka; real
 * librdkafka either way). What kdr did is checked through an independent
 * path: a separate librdkafka client's Metadata and AlterConfigs, and on the
 * sandbox its request counters. Cases that need fault injection or request
 * counts skip on the other backends and say so; brokers taken down run on
 * real Kafka too (the launcher's control channel).
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

#define API_METADATA	      3
#define API_API_VERSIONS      18
#define API_CREATE_TOPICS     19
#define API_DELETE_TOPICS     20
#define API_DESCRIBE_CONFIGS  32
#define API_ALTER_CONFIGS     33
#define API_CREATE_PARTITIONS 37
#define ERR_POLICY_VIOLATION  44

#define CLUSTER	   "dc-east"
#define TIMEOUT_MS 5000
/* How long an independent check waits for a change to reach every broker (real KRaft brokers apply it late). */
#define SETTLE_MS 15000

static const char *const racks[] = {"east-a", "east-b", "east-c"};

struct fixture {
	struct kdr_testbed *bed;
	struct kdr_sandbox *sandbox; /* the in-process sandbox (counters, faults); NULL on other backends */
	const char *bed_cluster;     /* the bed's name of the cluster kdr knows as CLUSTER */
	struct kdr_cluster cl;
	struct kdr_kafka_options options;
};

static int64_t now_ms(void)
{
	struct timespec ts = {0, 0};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_literal(struct kdr_cluster *cl, const char *key, const char *literal)
{
	struct kdr_value value = {KDR_VALUE_LITERAL, kdr_strdup(literal), NULL, NULL};

	kdr_value_map_set_take(&cl->client_config, key, &value);
}

static void set_env_ref(struct kdr_cluster *cl, const char *key, const char *env)
{
	struct kdr_value value = {KDR_VALUE_ENV, NULL, kdr_strdup(env), NULL};

	kdr_value_map_set_take(&cl->client_config, key, &value);
}

static void cluster_init(struct kdr_cluster *cl, const char *name, const char *bootstrap)
{
	memset(cl, 0, sizeof(*cl));
	cl->meta.name = kdr_strdup(name);
	cl->bootstrap_servers = kdr_strdup(bootstrap);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The bed's cluster `spec` (a shared bed has one cluster per shape, named apart), known to kdr as CLUSTER. */
static int start(void **state, const struct kdr_sandbox_cluster_spec *spec)
{
	struct fixture *fx = kdr_calloc(1, sizeof(*fx));

	if (kdr_testbed_acquire(&fx->bed, spec, 1) != 0) {
		fprintf(stderr, "%s\n", kdr_error_message());
		free(fx);
		return -1;
	}
	fx->sandbox = kdr_testbed_sandbox(fx->bed);
	fx->bed_cluster = spec->name;
	cluster_init(&fx->cl, CLUSTER, kdr_testbed_bootstrap(fx->bed, spec->name));
	fx->options.timeout_ms = TIMEOUT_MS;
	*state = fx;
	return 0;
}

static struct kdr_sandbox_cluster_spec east_spec(void)
{
	struct kdr_sandbox_cluster_spec spec = {0};

	spec.name = CLUSTER;
	spec.brokers = 3;
	spec.racks = racks;
	spec.n_racks = 3;
	spec.remote_storage = true;
	spec.auto_create_topics = false;
	return spec;
}

/* Two brokers, no racks, no remote storage. */
static struct kdr_sandbox_cluster_spec plain_spec(void)
{
	struct kdr_sandbox_cluster_spec spec = {0};

	spec.name = "dc-plain";
	spec.brokers = 2;
	return spec;
}

static struct kdr_sandbox_cluster_spec sasl_spec(void)
{
	struct kdr_sandbox_cluster_spec spec = {0};

	spec.name = "dc-sasl";
	spec.brokers = 2;
	spec.racks = racks;
	spec.n_racks = 2;
	spec.sasl_username = "kdr";
	spec.sasl_password = "pl41n-s3cret-pw";
	return spec;
}

static int setup(void **state)
{
	struct kdr_sandbox_cluster_spec spec = east_spec();

	return start(state, &spec);
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

/* --- plans, built by hand (the planner is tested elsewhere) --- */

static struct kdr_action *add_action(struct kdr_plan *plan, enum kdr_action_kind kind, const char *cluster,
				     const char *topic)
{
	struct kdr_action *action = NULL;

	plan->actions = kdr_grow(plan->actions, &plan->cap_actions, plan->n_actions + 1, sizeof(*plan->actions));
	action = &plan->actions[plan->n_actions++];
	memset(action, 0, sizeof(*action));
	action->kind = kind;
	action->cluster = kdr_strdup(cluster);
	action->resource = kdr_strdup(topic);
	return action;
}

/* A create-topic with `partitions` x RF 3, partition p on brokers (p+s)%3+1 for s = 0..2. */
static struct kdr_action *add_create(struct kdr_plan *plan, const char *topic, size_t partitions, size_t shift)
{
	struct kdr_action *action = add_action(plan, KDR_ACTION_CREATE_TOPIC, CLUSTER, topic);

	action->partitions = (int64_t)partitions;
	action->replication_factor = 3;
	kdr_assignment_init(&action->assignment, partitions, 3);
	for (size_t p = 0; p < partitions; p++)
		for (size_t s = 0; s < 3; s++)
			action->assignment.partitions[p].ids[s] = (int32_t)((p + s + shift) % 3 + 1);
	return action;
}

static void plan_free(struct kdr_plan *plan)
{
	for (size_t i = 0; i < plan->n_actions; i++) {
		free(plan->actions[i].cluster);
		free(plan->actions[i].resource);
		kdr_assignment_release(&plan->actions[i].assignment);
		kdr_strmap_release(&plan->actions[i].config);
	}
	free(plan->actions);
	memset(plan, 0, sizeof(*plan));
}

static struct kdr_action_result *results_new(const struct kdr_plan *plan)
{
	return kdr_calloc(plan->n_actions + 1, sizeof(struct kdr_action_result));
}

static void results_free(struct kdr_action_result *results, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kdr_action_result_release(&results[i]);
	free(results);
}

/* --- the independent path: a plain librdkafka client --- */

static rd_kafka_t *raw_client(struct fixture *fx)
{
	char errstr[256] = "";
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;

	assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", kdr_testbed_bootstrap(fx->bed, fx->bed_cluster),
					   errstr, sizeof(errstr)),
			 RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)), RD_KAFKA_CONF_OK);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	assert_non_null(rk);
	return rk;
}

/* The topic in one fresh Metadata answer; NULL when absent. Free with rd_kafka_metadata_destroy(*md). */
static const rd_kafka_metadata_topic_t *raw_topic_now(rd_kafka_t *rk, const struct rd_kafka_metadata **md,
						      const char *topic)
{
	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, md, TIMEOUT_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
	for (int i = 0; i < (*md)->topic_cnt; i++)
		if (strcmp((*md)->topics[i].topic, topic) == 0)
			return &(*md)->topics[i];
	return NULL;
}

/*
 * The topic as an independent client sees it once it is listed with
 * `partitions` partitions (0: any), each with a leader, or after SETTLE_MS
 * the last answer (NULL when absent): a real broker learns a change a moment
 * after the controller took it. Free with rd_kafka_metadata_destroy(*md).
 */
static const rd_kafka_metadata_topic_t *raw_topic(rd_kafka_t *rk, const struct rd_kafka_metadata **md,
						  const char *topic, size_t partitions)
{
	int64_t deadline = now_ms() + SETTLE_MS;

	for (;;) {
		const rd_kafka_metadata_topic_t *mt = raw_topic_now(rk, md, topic);
		bool settled = mt && !mt->err && (partitions == 0 || (size_t)mt->partition_cnt == partitions);

		for (int p = 0; settled && p < mt->partition_cnt; p++)
			settled = mt->partitions[p].leader >= 0;
		if (settled || now_ms() > deadline)
			return mt;
		rd_kafka_metadata_destroy(*md);
		sleep_ms(100);
	}
}

/* Replicas of partitions first..first+expect->n-1 are exactly the expected lists, in order. */
static void assert_assignment(rd_kafka_t *rk, const char *topic, size_t total, size_t first,
			      const struct kdr_assignment *expect)
{
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *mt = raw_topic(rk, &md, topic, total);

	assert_non_null(mt);
	assert_int_equal(mt->partition_cnt, total);
	for (int i = 0; i < mt->partition_cnt; i++) {
		const rd_kafka_metadata_partition_t *mp = &mt->partitions[i];
		const struct kdr_replica_list *want = NULL;

		if ((size_t)mp->id < first || (size_t)mp->id >= first + expect->n)
			continue;
		want = &expect->partitions[mp->id - (int32_t)first];
		assert_int_equal(mp->replica_cnt, want->n);
		for (int r = 0; r < mp->replica_cnt; r++)
			assert_int_equal(mp->replicas[r], want->ids[r]);
		/* The first listed replica leads. */
		assert_int_equal(mp->leader, want->ids[0]);
	}
	rd_kafka_metadata_destroy(md);
}

/* Listed (asking again up to SETTLE_MS while it is not). */
static bool raw_topic_present(rd_kafka_t *rk, const char *topic)
{
	const struct rd_kafka_metadata *md = NULL;
	bool exists = raw_topic(rk, &md, topic, 0) != NULL;

	rd_kafka_metadata_destroy(md);
	return exists;
}

/* Not listed (asking again up to SETTLE_MS while it is: a deletion reaches every broker late). */
static bool raw_topic_absent(rd_kafka_t *rk, const char *topic)
{
	int64_t deadline = now_ms() + SETTLE_MS;

	for (;;) {
		const struct rd_kafka_metadata *md = NULL;
		bool listed = raw_topic_now(rk, &md, topic) != NULL;

		rd_kafka_metadata_destroy(md);
		if (!listed)
			return true;
		if (now_ms() > deadline)
			return false;
		sleep_ms(100);
	}
}

/*
 * Off the sandbox, before claiming a topic was NOT created: creates a
 * barrier topic and waits until Metadata lists it. Brokers apply the
 * controller's changes in order, so whatever the code under test created
 * before is listed by then too; on the sandbox every answer is current.
 */
static void raw_barrier(struct fixture *fx, rd_kafka_t *rk)
{
	static int barriers;
	char errstr[256] = "", name[64] = "";
	rd_kafka_queue_t *queue = NULL;
	rd_kafka_NewTopic_t *nt = NULL;
	rd_kafka_event_t *ev = NULL;

	if (fx->sandbox)
		return;
	snprintf(name, sizeof(name), "zz-barrier-%d", ++barriers);
	queue = rd_kafka_queue_new(rk);
	nt = rd_kafka_NewTopic_new(name, 1, 1, errstr, sizeof(errstr));
	assert_non_null(nt);
	rd_kafka_CreateTopics(rk, &nt, 1, NULL, queue);
	ev = rd_kafka_queue_poll(queue, TIMEOUT_MS * 2);
	assert_non_null(ev);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	rd_kafka_event_destroy(ev);
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_queue_destroy(queue);
	assert_true(raw_topic_present(rk, name));
}

/* The number of the topic's dynamic overrides an independent DescribeConfigs shows (-1: not described). */
static int raw_override_count(rd_kafka_t *rk, const char *topic)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConfigResource_t **resources = NULL;
	const rd_kafka_ConfigEntry_t **entries = NULL;
	size_t count = 0, n_entries = 0;
	int n = -1;

	rd_kafka_DescribeConfigs(rk, &resource, 1, NULL, queue);
	ev = rd_kafka_queue_poll(queue, TIMEOUT_MS * 2);
	assert_non_null(ev);
	resources = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &count);
	if (!rd_kafka_event_error(ev) && count == 1 && !rd_kafka_ConfigResource_error(resources[0])) {
		entries = rd_kafka_ConfigResource_configs(resources[0], &n_entries);
		n = 0;
		for (size_t i = 0; i < n_entries; i++)
			n += rd_kafka_ConfigEntry_source(entries[i]) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;
	}
	rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(resource);
	rd_kafka_queue_destroy(queue);
	return n;
}

/* Waits (bounded) until the independent client sees `n` overrides on the topic (a real broker applies late). */
static void raw_wait_override_count(rd_kafka_t *rk, const char *topic, int n)
{
	int64_t deadline = now_ms() + SETTLE_MS;

	while (raw_override_count(rk, topic) != n && now_ms() < deadline)
		sleep_ms(100);
}

/* An out-of-band legacy AlterConfigs, as another tool would send it. */
static void raw_alter_configs(rd_kafka_t *rk, const char *topic, const char *const *kv, size_t n)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConfigResource_t **resources = NULL;
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(rd_kafka_ConfigResource_set_config(resource, kv[2 * i], kv[2 * i + 1]), 0);
	rd_kafka_AlterConfigs(rk, &resource, 1, NULL, queue);
	ev = rd_kafka_queue_poll(queue, TIMEOUT_MS + 5000);
	assert_non_null(ev);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	resources = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &count);
	assert_int_equal(count, 1);
	assert_int_equal(rd_kafka_ConfigResource_error(resources[0]), 0);
	rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(resource);
	rd_kafka_queue_destroy(queue);
	/* Visible before kdr is asked to keep it. */
	raw_wait_override_count(rk, topic, (int)n);
}

static const struct kdr_live_topic *topic_of(const struct kdr_live_cluster *live, const char *name)
{
	for (size_t i = 0; i < live->n_topics; i++)
		if (strcmp(live->topics[i].name, name) == 0)
			return &live->topics[i];
	return NULL;
}

static const struct kdr_live_config *config_of(const struct kdr_live_topic *topic, const char *name)
{
	for (size_t i = 0; i < topic->n_configs; i++)
		if (strcmp(topic->configs[i].name, name) == 0)
			return &topic->configs[i];
	return NULL;
}

static void assert_override(const struct kdr_live_topic *topic, const char *name, const char *value)
{
	const struct kdr_live_config *config = config_of(topic, name);

	assert_non_null(config);
	assert_string_equal(config->value, value);
	assert_int_equal(config->source, KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
}

/* --- reading --- */

static void test_read_empty_cluster(void **state)
{
	struct fixture *fx = *state;
	struct kdr_live_cluster live;

	assert_int_equal(kdr_kafka_read_cluster(&live, &fx->cl, &fx->options), 0);
	assert_string_equal(live.name, CLUSTER);
	assert_non_null(live.cluster_id);
	assert_string_equal(live.cluster_id, kdr_testbed_cluster_id(fx->bed, fx->bed_cluster));
	if (fx->sandbox) {
		assert_int_equal(live.controller_id, kdr_sandbox_controller_id(fx->sandbox, CLUSTER));
	} else {
		/* A KRaft cluster names a random live broker as "controller" in each Metadata answer. */
		assert_true(live.controller_id >= 1 && live.controller_id <= 3);
	}
	assert_int_equal(live.n_brokers, 3);
	for (size_t i = 0; i < 3; i++) {
		char address[64];
		const char *bootstrap = kdr_testbed_bootstrap(fx->bed, fx->bed_cluster);
		const char *entry = bootstrap;

		assert_int_equal(live.brokers[i].id, (int32_t)i + 1);
		assert_non_null(live.brokers[i].rack);
		assert_string_equal(live.brokers[i].rack, racks[i]);
		snprintf(address, sizeof(address), "%s:%d", live.brokers[i].host, (int)live.brokers[i].port);
		if (fx->sandbox)
			assert_string_equal(address, kdr_sandbox_broker_address(fx->sandbox, CLUSTER, (int32_t)i + 1));
		/* The bed lists broker i's listener i-th. */
		for (size_t skip = 0; skip < i && entry; skip++)
			entry = strchr(entry, ',') ? strchr(entry, ',') + 1 : NULL;
		assert_non_null(entry);
		assert_int_equal(strncmp(entry, address, strlen(address)), 0);
	}
	assert_true(live.remote_storage_enabled);
	/*
	 * Nothing but Kafka's own topics, if any: internal ones, and on real
	 * tiered brokers __remote_log_metadata (made by the broker, which
	 * Metadata does not flag internal).
	 */
	for (size_t i = 0; i < live.n_topics; i++)
		if (!live.topics[i].internal && strcmp(live.topics[i].name, "__remote_log_metadata") != 0)
			fail_msg("unexpected topic '%s'", live.topics[i].name);
	kdr_live_cluster_release(&live);
}

static void test_read_without_racks_or_remote_storage(void **state)
{
	struct kdr_sandbox_cluster_spec spec = plain_spec();
	struct fixture *fx = NULL;
	struct kdr_live_cluster live;

	(void)state;
	assert_int_equal(start((void **)&fx, &spec), 0);
	assert_int_equal(kdr_kafka_read_cluster(&live, &fx->cl, &fx->options), 0);
	assert_int_equal(live.n_brokers, 2);
	assert_null(live.brokers[0].rack);
	assert_null(live.brokers[1].rack);
	assert_false(live.remote_storage_enabled);
	kdr_live_cluster_release(&live);
	teardown((void **)&fx);
}

/* --- applying --- */

static void test_create_topics_with_assignment(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0};
	struct kdr_action_result *results = NULL;
	struct kdr_live_cluster live;
	const struct kdr_live_topic *topic = NULL;
	rd_kafka_t *rk = raw_client(fx);
	struct kdr_action *orders = add_create(&plan, "orders", 6, 0);
	struct kdr_action *events = add_create(&plan, "events", 3, 1);

	kdr_strmap_set(&orders->config, "min.insync.replicas", "2");
	kdr_strmap_set(&orders->config, "retention.ms", "86400000");
	kdr_strmap_set(&events->config, "cleanup.policy", "compact");
	/* Another cluster's action and a connector action: not this adapter's, not attempted. */
	add_create(&plan, "elsewhere", 1, 0);
	free(plan.actions[2].cluster);
	plan.actions[2].cluster = kdr_strdup("dc-west");
	add_action(&plan, KDR_ACTION_CREATE_CONNECTOR, CLUSTER, "kdr.flow.source");
	results = results_new(&plan);

	if (fx->sandbox)
		kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), 0);
	for (size_t i = 0; i < 2; i++) {
		assert_true(results[i].attempted);
		assert_int_equal(results[i].code, 0);
		assert_null(results[i].error_name);
		assert_null(results[i].message);
	}
	assert_false(results[2].attempted);
	assert_false(results[3].attempted);
	/* One CreateTopics request for both topics. */
	if (fx->sandbox)
		assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_CREATE_TOPICS), 1);

	assert_assignment(rk, "orders", 6, 0, &plan.actions[0].assignment);
	assert_assignment(rk, "events", 3, 0, &plan.actions[1].assignment);
	raw_barrier(fx, rk);
	assert_true(raw_topic_absent(rk, "elsewhere"));
	raw_wait_override_count(rk, "orders", 2);
	raw_wait_override_count(rk, "events", 1);

	/* Read back: partitions and overrides as planned, defaults from the other keys. */
	assert_int_equal(kdr_kafka_read_cluster(&live, &fx->cl, &fx->options), 0);
	topic = topic_of(&live, "orders");
	assert_non_null(topic);
	assert_false(topic->internal);
	assert_int_equal(topic->n_partitions, 6);
	for (size_t p = 0; p < 6; p++) {
		assert_int_equal(topic->partitions[p].id, (int32_t)p);
		assert_int_equal(topic->partitions[p].replicas.n, 3);
		assert_memory_equal(topic->partitions[p].replicas.ids, plan.actions[0].assignment.partitions[p].ids,
				    3 * sizeof(int32_t));
		assert_int_equal(topic->partitions[p].leader, plan.actions[0].assignment.partitions[p].ids[0]);
		assert_int_equal(topic->partitions[p].isr.n, 3);
	}
	assert_int_equal(topic->n_configs, 2);
	assert_override(topic, "min.insync.replicas", "2");
	assert_override(topic, "retention.ms", "86400000");
	topic = topic_of(&live, "events");
	assert_non_null(topic);
	assert_int_equal(topic->n_configs, 1);
	assert_override(topic, "cleanup.policy", "compact");
	/* Topic defaults: never an override, and cover the keys both topics left alone. */
	assert_true(live.n_topic_defaults > 0);
	for (size_t i = 0; i < live.n_topic_defaults; i++) {
		assert_int_not_equal(live.topic_defaults[i].source, KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
		if (i > 0)
			assert_true(strcmp(live.topic_defaults[i - 1].name, live.topic_defaults[i].name) < 0);
	}
	{
		bool seen_segment_bytes = false;

		for (size_t i = 0; i < live.n_topic_defaults; i++)
			if (strcmp(live.topic_defaults[i].name, "segment.bytes") == 0)
				seen_segment_bytes = true;
		assert_true(seen_segment_bytes);
	}
	/* Topics are sorted by name. */
	for (size_t i = 1; i < live.n_topics; i++)
		assert_true(strcmp(live.topics[i - 1].name, live.topics[i].name) < 0);
	kdr_live_cluster_release(&live);

	results_free(results, plan.n_actions);
	plan_free(&plan);
	rd_kafka_destroy(rk);
}

static void test_alter_configs_resends_unmanaged_overrides(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0};
	struct kdr_plan alter = {0};
	struct kdr_action_result *results = NULL;
	struct kdr_live_cluster live;
	const struct kdr_live_topic *topic = NULL;
	struct kdr_action *action = NULL;
	rd_kafka_t *rk = raw_client(fx);
	static const char *const out_of_band[] = {"min.insync.replicas", "2", "max.message.bytes", "2097152"};

	kdr_strmap_set(&add_create(&plan, "orders", 2, 0)->config, "min.insync.replicas", "2");
	add_create(&plan, "events", 2, 0);
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), 0);
	results_free(results, plan.n_actions);

	/* Someone else sets max.message.bytes (a complete set, as legacy AlterConfigs needs). */
	raw_alter_configs(rk, "orders", out_of_band, 2);

	/* kdr's action: the complete set, its own change plus the preserved unmanaged override. */
	action = add_action(&alter, KDR_ACTION_ALTER_CONFIGS, CLUSTER, "orders");
	kdr_strmap_set(&action->config, "min.insync.replicas", "2");
	kdr_strmap_set(&action->config, "max.message.bytes", "2097152");
	kdr_strmap_set(&action->config, "retention.ms", "3600000");
	action = add_action(&alter, KDR_ACTION_ALTER_CONFIGS, CLUSTER, "events");
	kdr_strmap_set(&action->config, "cleanup.policy", "compact");
	results = results_new(&alter);
	if (fx->sandbox)
		kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_kafka_apply(results, &alter, &fx->cl, &fx->options), 0);
	assert_true(results[0].attempted);
	assert_int_equal(results[0].code, 0);
	assert_int_equal(results[1].code, 0);
	/* One AlterConfigs request for both topics. */
	if (fx->sandbox)
		assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_ALTER_CONFIGS), 1);
	raw_wait_override_count(rk, "orders", 3);
	raw_wait_override_count(rk, "events", 1);

	assert_int_equal(kdr_kafka_read_cluster(&live, &fx->cl, &fx->options), 0);
	topic = topic_of(&live, "orders");
	assert_non_null(topic);
	assert_int_equal(topic->n_configs, 3);
	assert_override(topic, "max.message.bytes", "2097152");
	assert_override(topic, "min.insync.replicas", "2");
	assert_override(topic, "retention.ms", "3600000");
	topic = topic_of(&live, "events");
	assert_int_equal(topic->n_configs, 1);
	assert_override(topic, "cleanup.policy", "compact");
	kdr_live_cluster_release(&live);

	results_free(results, alter.n_actions);
	plan_free(&alter);
	plan_free(&plan);
	rd_kafka_destroy(rk);
}

static void test_add_partitions_with_assignment(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0};
	struct kdr_plan grow = {0};
	struct kdr_action_result *results = NULL;
	struct kdr_action *action = NULL;
	rd_kafka_t *rk = raw_client(fx);

	add_create(&plan, "orders", 2, 0);
	add_create(&plan, "events", 1, 0);
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), 0);
	results_free(results, plan.n_actions);

	action = add_action(&grow, KDR_ACTION_ADD_PARTITIONS, CLUSTER, "orders");
	action->partitions = 5;
	action->replication_factor = 3;
	kdr_assignment_init(&action->assignment, 3, 3);
	for (size_t p = 0; p < 3; p++)
		for (size_t s = 0; s < 3; s++)
			action->assignment.partitions[p].ids[s] = (int32_t)((p + 2 * s) % 3 + 1);
	action = add_action(&grow, KDR_ACTION_ADD_PARTITIONS, CLUSTER, "events");
	action->partitions = 2;
	action->replication_factor = 3;
	kdr_assignment_init(&action->assignment, 1, 3);
	action->assignment.partitions[0].ids[0] = 3;
	action->assignment.partitions[0].ids[1] = 1;
	action->assignment.partitions[0].ids[2] = 2;
	results = results_new(&grow);
	if (fx->sandbox)
		kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_kafka_apply(results, &grow, &fx->cl, &fx->options), 0);
	assert_int_equal(results[0].code, 0);
	assert_int_equal(results[1].code, 0);
	if (fx->sandbox)
		assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_CREATE_PARTITIONS), 1);

	/* The old partitions stay; the new ones are exactly where the plan put them. */
	assert_assignment(rk, "orders", 5, 0, &plan.actions[0].assignment);
	assert_assignment(rk, "orders", 5, 2, &grow.actions[0].assignment);
	assert_assignment(rk, "events", 2, 1, &grow.actions[1].assignment);

	results_free(results, grow.n_actions);
	plan_free(&grow);
	plan_free(&plan);
	rd_kafka_destroy(rk);
}

static void test_delete_topics(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0};
	struct kdr_plan drop = {0};
	struct kdr_action_result *results = NULL;
	rd_kafka_t *rk = raw_client(fx);

	add_create(&plan, "old-a", 1, 0);
	add_create(&plan, "old-b", 1, 0);
	add_create(&plan, "keep", 1, 0);
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), 0);
	results_free(results, plan.n_actions);

	add_action(&drop, KDR_ACTION_DELETE_TOPIC, CLUSTER, "old-a");
	add_action(&drop, KDR_ACTION_DELETE_TOPIC, CLUSTER, "old-b");
	add_action(&drop, KDR_ACTION_DELETE_TOPIC, CLUSTER, "never-was");
	results = results_new(&drop);
	if (fx->sandbox)
		kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_kafka_apply(results, &drop, &fx->cl, &fx->options), KDR_ENOTFOUND);
	if (fx->sandbox)
		assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_DELETE_TOPICS), 1);
	assert_int_equal(results[0].code, 0);
	assert_int_equal(results[1].code, 0);
	assert_true(results[2].attempted);
	assert_int_equal(results[2].code, KDR_ENOTFOUND);
	assert_string_equal(results[2].error_name, "UNKNOWN_TOPIC_OR_PART");
	assert_non_null(strstr(results[2].message, "cluster 'dc-east': topic 'never-was': UNKNOWN_TOPIC_OR_PART: "));
	assert_non_null(strstr(kdr_error_message(), "1 of 3 actions failed"));

	assert_true(raw_topic_absent(rk, "old-a"));
	assert_true(raw_topic_absent(rk, "old-b"));
	assert_true(raw_topic_present(rk, "keep"));

	results_free(results, drop.n_actions);
	plan_free(&drop);
	plan_free(&plan);
	rd_kafka_destroy(rk);
}

/*
 * What the broker at `address` alone answers (a client bootstrapped with it
 * only: the request goes there, orig_broker_id confirms it): how many of
 * `topics` it lists with `partitions` partitions and a leader each.
 */
static size_t broker_lists(const char *address, const char *const *topics, size_t n, int partitions, int32_t *by)
{
	char errstr[256] = "";
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;
	const struct rd_kafka_metadata *md = NULL;
	size_t listed = 0;

	assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", address, errstr, sizeof(errstr)), RD_KAFKA_CONF_OK);
	rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	assert_non_null(rk);
	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
	*by = md->orig_broker_id;
	for (size_t i = 0; i < n; i++)
		for (int t = 0; t < md->topic_cnt; t++) {
			const rd_kafka_metadata_topic_t *mt = &md->topics[t];
			bool led = !mt->err && mt->partition_cnt == partitions;

			for (int p = 0; led && p < mt->partition_cnt; p++)
				led = mt->partitions[p].leader >= 0;
			if (strcmp(mt->topic, topics[i]) == 0 && led)
				listed++;
		}
	rd_kafka_metadata_destroy(md);
	rd_kafka_destroy(rk);
	return listed;
}

/*
 * kdr_kafka_apply returns once every broker shows what it did: asked right
 * after, each broker on its own lists every created topic (with its
 * partitions and leaders) and none of the deleted ones. On KRaft a broker
 * learns them from the controller's log a moment after CreateTopics answered
 * (tests/sandbox/README.md); without the wait a plan right after an apply
 * could plan the topics again. The sandbox shows them at once.
 */
static void test_apply_returns_once_every_broker_shows_it(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0}, drop = {0};
	struct kdr_action_result *results = NULL;
	const char *names[24];
	char name_buf[24][32];
	char *addresses = kdr_strdup(kdr_testbed_bootstrap(fx->bed, fx->bed_cluster));
	char *save = NULL;
	size_t brokers = 0;

	for (size_t i = 0; i < 24; i++) {
		snprintf(name_buf[i], sizeof(name_buf[i]), "visible-%02zu", i);
		names[i] = name_buf[i];
		add_create(&plan, names[i], 6, i);
		add_action(&drop, KDR_ACTION_DELETE_TOPIC, CLUSTER, names[i]);
	}
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), 0);
	results_free(results, plan.n_actions);
	for (char *a = strtok_r(addresses, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		int32_t by = -1;
		size_t listed = broker_lists(a, names, 24, 6, &by);

		printf("# backend %s: right after the apply, broker %d (%s) lists %zu of 24 created topics\n",
		       kdr_testbed_backend_name(), (int)by, a, listed);
		assert_int_equal(listed, 24);
		brokers++;
	}
	assert_int_equal(brokers, 3);

	results = results_new(&drop);
	assert_int_equal(kdr_kafka_apply(results, &drop, &fx->cl, &fx->options), 0);
	results_free(results, drop.n_actions);
	free(addresses);
	addresses = kdr_strdup(kdr_testbed_bootstrap(fx->bed, fx->bed_cluster));
	for (char *a = strtok_r(addresses, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		int32_t by = -1;
		size_t listed = broker_lists(a, names, 24, 6, &by);

		printf("# backend %s: right after the delete, broker %d lists %zu of them\n", kdr_testbed_backend_name(),
		       (int)by, listed);
		assert_int_equal(listed, 0);
	}
	free(addresses);
	plan_free(&plan);
	plan_free(&drop);
}

/* An apply against slow answers, and what its stderr must and must not say. */
struct slow_apply {
	const char *topics[3];	 /* created, 1 partition each */
	int metadata_ms;	 /* every Metadata answer this late */
	int api_versions_ms;	 /* every ApiVersions (librdkafka sends two per connection) */
	int timeout_ms;		 /* options.timeout_ms */
	const char *said[3];	 /* in the apply's stderr */
	const char *not_said[3]; /* nowhere in it */
};

/*
 * Applies the case's topics with the sandbox's latencies and timeout, and
 * KDR_DEBUG set while the apply makes its connection (the wait's debug line
 * says which brokers showed it), then checks its stderr. The apply itself
 * succeeds whatever the wait says.
 */
static void check_slow_apply(struct fixture *fx, const struct slow_apply *c)
{
	struct kdr_plan plan = {0};
	struct kdr_action_result *results = NULL;
	struct kdr_kafka_options options = fx->options;
	char path[] = "/tmp/kdr-test-visible-XXXXXX";
	char text[16384] = "";
	int fd = mkstemp(path), saved = -1;
	ssize_t got = 0;
	int64_t t0 = 0;

	for (size_t i = 0; i < 3 && c->topics[i]; i++)
		add_create(&plan, c->topics[i], 1, i);
	results = results_new(&plan);
	assert_true(fd >= 0);
	options.timeout_ms = c->timeout_ms;
	assert_int_equal(kdr_sandbox_set_latency(fx->sandbox, CLUSTER, API_METADATA, c->metadata_ms), 0);
	assert_int_equal(kdr_sandbox_set_latency(fx->sandbox, CLUSTER, API_API_VERSIONS, c->api_versions_ms), 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0 && dup2(fd, 2) == 2);
	setenv("KDR_DEBUG", "1", 1);
	t0 = now_ms();
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &options), 0);
	unsetenv("KDR_DEBUG");
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	kdr_sandbox_set_latency(fx->sandbox, CLUSTER, API_METADATA, 0);
	kdr_sandbox_set_latency(fx->sandbox, CLUSTER, API_API_VERSIONS, 0);
	got = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(path);
	text[got > 0 ? got : 0] = '\0';
	printf("# backend %s: apply with %d ms Metadata and %d ms ApiVersions answers, a %d ms timeout, took %lld ms; "
	       "stderr: '%s'\n",
	       kdr_testbed_backend_name(), c->metadata_ms, c->api_versions_ms, c->timeout_ms,
	       (long long)(now_ms() - t0), text);
	for (size_t i = 0; i < plan.n_actions; i++) {
		assert_true(results[i].attempted);
		assert_int_equal(results[i].code, 0);
	}
	results_free(results, plan.n_actions);
	plan_free(&plan);
	for (size_t i = 0; i < 3 && c->said[i]; i++)
		assert_non_null(strstr(text, c->said[i]));
	for (size_t i = 0; i < 3 && c->not_said[i]; i++)
		assert_null(strstr(text, c->not_said[i]));
}

/*
 * Every broker answers at least once after an apply, however slow the
 * answers: at 100,000 topics one all-topics Metadata takes seconds on a
 * loaded machine, and the wait used to stop at its 10 s bound before asking
 * the last brokers, warning that they did not show the change although
 * nobody had asked them. Here every Metadata answer is 1.5 s late and
 * every ApiVersions 1 s: a new connection takes 2.5 s to bootstrap, and a
 * request sent behind that bootstrap on a client made for one ask (connect,
 * bootstrap, the topic handle's leader query, then the ask: at least 5.5 s)
 * timed out at the 5 s timeout, the broker list too, which left nothing to
 * wait on. On a client that is up an ask takes 3 s (the leader query, then
 * the ask), 4.5 s when librdkafka's once-a-second re-query of a topic it
 * does not know yet gets in between: inside the timeout on a loaded machine
 * too. The wait's 10 s are used up all the same (the broker list alone
 * takes 5.5 s). The wait must still hear from all 3 brokers (KDR_DEBUG's
 * "apply visible on every broker" line says it did) and warn of none.
 */
static void test_visible_wait_asks_every_broker_when_answers_are_slow(void **state)
{
	static const struct slow_apply c = {
	    {"slow-answers"},
	    1500,
	    1000,
	    5000,
	    {"msg=\"apply visible on every broker\" cluster=dc-east brokers=3 "},
	    {"did not yet show", "did not answer"},
	};

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (latency)");
	check_slow_apply(*state, &c);
}

/*
 * A broker whose answer does not come within the timeout is reported as not
 * answering, not as not showing a topic it was never heard about ("e.g.
 * topic '?'"). Here the broker list (a leader query and the ask, 2 x 1.2 s)
 * comes within the 3 s timeout, but each broker's ask about 2 topics waits
 * behind their 2 leader queries (3 x 1.2 s): none answers in time, and the
 * first round, which asks every broker, outlasts the 10 s wait.
 */
static void test_visible_wait_reports_brokers_that_did_not_answer(void **state)
{
	static const struct slow_apply c = {
	    {"unanswered-a", "unanswered-b"},
	    1200,
	    0,
	    3000,
	    {"kdr: warning: cluster 'dc-east': after ",
	     " ms broker(s) 1, 2, 3 did not answer within 3000 ms: a plan run now may list them again\n"},
	    {"did not yet show", "apply visible on every broker"},
	};

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (latency)");
	check_slow_apply(*state, &c);
}

/*
 * When no broker answers the wait's own Metadata for the list of brokers,
 * the apply warns that none could be asked: it used to return as if every
 * broker showed the change. Here the connection's first Metadata (2 s) comes
 * within the 3 s timeout, the broker list's (a leader query, then the list:
 * 4 s) does not.
 */
static void test_visible_wait_warns_when_no_broker_lists_the_brokers(void **state)
{
	static const struct slow_apply c = {
	    {"unlisted"},
	    2000,
	    0,
	    3000,
	    {"kdr: warning: cluster 'dc-east': no broker answered within 3000 ms (bootstrap ",
	     ") with the list of brokers, so none was asked whether it shows every change of the apply: a plan run "
	     "now may list them again\n"},
	    {"apply visible on every broker"},
	};

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (latency)");
	check_slow_apply(*state, &c);
}

/*
 * A small apply on a big cluster: the wait asks each broker about the
 * created topics by name, not for every topic of the cluster (at 100,000
 * topics six all-topics answers per cluster cost more than the plan), and
 * the broker list comes from a Metadata about one topic. Here 200 topics
 * exist, then 2 are created: each of the 3 brokers answers about those 2
 * (and librdkafka's leader query per topic), none about all 202.
 */
static void test_visible_wait_asks_by_name_for_a_small_apply(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan many = {0}, few = {0};
	struct kdr_action_result *results = NULL;
	char name[32];
	uint64_t answered = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_COUNTERS, "counts the topics of Metadata answers (sandbox)");
	for (size_t i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "existing-%03zu", i);
		add_create(&many, name, 1, i);
	}
	results = results_new(&many);
	assert_int_equal(kdr_kafka_apply(results, &many, &fx->cl, &fx->options), 0);
	results_free(results, many.n_actions);
	add_create(&few, "small-apply-a", 2, 0);
	add_create(&few, "small-apply-b", 2, 1);
	results = results_new(&few);
	kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_kafka_apply(results, &few, &fx->cl, &fx->options), 0);
	answered = kdr_sandbox_metadata_topic_count(fx->sandbox, CLUSTER);
	printf("# backend %s: a 2-topic apply on 200 topics: %llu topic entries in %llu Metadata answers\n",
	       kdr_testbed_backend_name(), (unsigned long long)answered,
	       (unsigned long long)kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_METADATA));
	assert_true(results[0].attempted && results[0].code == 0);
	assert_true(results[1].attempted && results[1].code == 0);
	/*
	 * The broker list (one topic, and its leader query) and 3 brokers x (2
	 * named + up to 2 leader queries), plus librdkafka's once-a-second
	 * re-query of topics it does not know yet (2 entries each) when an
	 * answer is slow: one all-topics answer alone is 202 entries.
	 */
	assert_true(answered > 0);
	assert_true(answered <= 2 + 3 * 4 + 3 * 2 * 2);
	results_free(results, few.n_actions);
	plan_free(&many);
	plan_free(&few);
}

static void test_validate_only_creates_nothing(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0};
	struct kdr_plan bad = {0};
	struct kdr_action_result *results = NULL;
	struct kdr_kafka_options options = fx->options;
	struct kdr_action *action = NULL;
	rd_kafka_t *rk = raw_client(fx);

	add_create(&plan, "keep", 1, 0);
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), 0);
	results_free(results, plan.n_actions);
	plan_free(&plan);

	options.validate_only = true;
	kdr_strmap_set(&add_create(&plan, "orders", 3, 0)->config, "retention.ms", "1000");
	add_action(&plan, KDR_ACTION_DELETE_TOPIC, CLUSTER, "keep");
	results = results_new(&plan);
	if (fx->sandbox)
		kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &options), 0);
	assert_true(results[0].attempted);
	assert_int_equal(results[0].code, 0);
	/* DeleteTopics has no validate-only mode: not sent, and said so. */
	assert_false(results[1].attempted);
	assert_non_null(results[1].message);
	if (fx->sandbox)
		assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_CREATE_TOPICS), 1);
	if (fx->sandbox)
		assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_DELETE_TOPICS), 0);
	raw_barrier(fx, rk);
	assert_true(raw_topic_absent(rk, "orders"));
	assert_true(raw_topic_present(rk, "keep"));
	results_free(results, plan.n_actions);

	/* The broker still validates: an assignment naming a broker that does not exist fails. */
	action = add_create(&bad, "ghost", 1, 0);
	action->assignment.partitions[0].ids[2] = 99;
	results = results_new(&bad);
	assert_int_equal(kdr_kafka_apply(results, &bad, &fx->cl, &options), KDR_EINVALID);
	assert_string_equal(results[0].error_name, "INVALID_REPLICA_ASSIGNMENT");
	raw_barrier(fx, rk);
	assert_true(raw_topic_absent(rk, "ghost"));
	results_free(results, bad.n_actions);

	plan_free(&bad);
	plan_free(&plan);
	rd_kafka_destroy(rk);
}

static void test_policy_violation_fails_one_action(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0};
	struct kdr_action_result *results = NULL;
	rd_kafka_t *rk = NULL;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection");
	rk = raw_client(fx);
	add_create(&plan, "orders", 1, 0);
	add_create(&plan, "forbidden", 1, 0);
	add_create(&plan, "events", 1, 0);
	assert_int_equal(kdr_sandbox_inject_topic_error(fx->sandbox, CLUSTER, API_CREATE_TOPICS, "forbidden",
							ERR_POLICY_VIOLATION, 1),
			 0);
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), KDR_EINVALID);
	assert_int_equal(results[0].code, 0);
	assert_int_equal(results[2].code, 0);
	assert_true(results[1].attempted);
	assert_int_equal(results[1].code, KDR_EINVALID);
	assert_string_equal(results[1].error_name, "POLICY_VIOLATION");
	assert_non_null(strstr(results[1].message, "cluster 'dc-east': topic 'forbidden': POLICY_VIOLATION: "));
	assert_non_null(strstr(kdr_error_message(), "topic 'forbidden'"));
	assert_true(raw_topic_present(rk, "orders"));
	assert_true(raw_topic_present(rk, "events"));
	assert_true(raw_topic_absent(rk, "forbidden"));
	results_free(results, plan.n_actions);
	plan_free(&plan);
	rd_kafka_destroy(rk);
}

/* Many actions go in several requests, two in flight: each answer still reaches its own action. */
static void test_sliced_apply_maps_each_result(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0};
	struct kdr_action_result *results = NULL;
	rd_kafka_t *rk = NULL;
	char name[32];

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection");
	rk = raw_client(fx);
	for (size_t i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "sliced-%03zu", i);
		add_create(&plan, name, 1, i);
	}
	/* In the third of the four requests (actions 64..95). */
	assert_int_equal(kdr_sandbox_inject_topic_error(fx->sandbox, CLUSTER, API_CREATE_TOPICS, "sliced-070",
							ERR_POLICY_VIOLATION, 1),
			 0);
	results = results_new(&plan);
	if (fx->sandbox)
		kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), KDR_EINVALID);
	if (fx->sandbox)
		assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_CREATE_TOPICS), 4);
	for (size_t i = 0; i < 100; i++) {
		assert_true(results[i].attempted);
		assert_int_equal(results[i].code, i == 70 ? KDR_EINVALID : 0);
	}
	assert_string_equal(results[70].error_name, "POLICY_VIOLATION");
	assert_non_null(strstr(results[70].message, "topic 'sliced-070': POLICY_VIOLATION: "));
	assert_true(raw_topic_present(rk, "sliced-000"));
	assert_true(raw_topic_present(rk, "sliced-099"));
	assert_true(raw_topic_absent(rk, "sliced-070"));
	results_free(results, plan.n_actions);
	plan_free(&plan);
	rd_kafka_destroy(rk);
}

static void test_create_existing_topic_is_reported(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0};
	struct kdr_action_result *results = NULL;

	add_create(&plan, "orders", 1, 0);
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), 0);
	results_free(results, plan.n_actions);

	/*
	 * Again, as planned (an earlier run's request that landed late): the topic
	 * exists with the planned partitions and replication factor, so the
	 * action is done (issue 14 item 6, kill -9 mid-batch).
	 */
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), 0);
	assert_true(results[0].attempted);
	assert_int_equal(results[0].code, 0);
	results_free(results, plan.n_actions);
	plan_free(&plan);

	/* Again with another partition count: TOPIC_ALREADY_EXISTS is a failure that says what exists. */
	add_create(&plan, "orders", 2, 0);
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), KDR_EEXISTS);
	assert_int_equal(results[0].code, KDR_EEXISTS);
	assert_string_equal(results[0].error_name, "TOPIC_ALREADY_EXISTS");
	assert_non_null(strstr(results[0].message, "it exists with 1 partition(s) and replication factor 3"));
	results_free(results, plan.n_actions);
	plan_free(&plan);
}

static void test_duplicate_action_fails_alone(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0};
	struct kdr_action_result *results = NULL;

	add_create(&plan, "orders", 1, 0);
	add_create(&plan, "orders", 1, 0);
	add_create(&plan, "events", 1, 0);
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), KDR_EINVALID);
	assert_int_equal(results[0].code, 0);
	assert_int_equal(results[1].code, KDR_EINVALID);
	assert_null(results[1].error_name);
	assert_int_equal(results[2].code, 0);
	results_free(results, plan.n_actions);
	plan_free(&plan);
}

/* --- failures bounded in time --- */

static void test_unreachable_bootstrap_fails_fast(void **state)
{
	struct kdr_cluster cl;
	struct kdr_kafka_options options = {3000, NULL, false, false, false, false};
	struct kdr_live_cluster live;
	struct kdr_plan plan = {0};
	struct kdr_action_result *results = NULL;
	int64_t t0 = 0;

	(void)state;
	/* Port 1 on loopback: connection refused. */
	cluster_init(&cl, "dc-east", "127.0.0.1:1");
	t0 = now_ms();
	assert_int_equal(kdr_kafka_read_cluster(&live, &cl, &options), KDR_EUNAVAILABLE);
	assert_true(now_ms() - t0 < 3000 + 1000);
	assert_non_null(strstr(kdr_error_message(), "cluster 'dc-east'"));
	assert_non_null(strstr(kdr_error_message(), "127.0.0.1:1"));
	assert_null(live.name);
	assert_int_equal(live.n_topics, 0);

	add_create(&plan, "orders", 1, 0);
	results = results_new(&plan);
	t0 = now_ms();
	assert_int_equal(kdr_kafka_apply(results, &plan, &cl, &options), KDR_EUNAVAILABLE);
	assert_true(now_ms() - t0 < 3000 + 1000);
	assert_true(results[0].attempted);
	assert_int_equal(results[0].code, KDR_EUNAVAILABLE);
	assert_non_null(strstr(results[0].message, "127.0.0.1:1"));
	results_free(results, plan.n_actions);
	plan_free(&plan);
	kdr_cluster_release(&cl);
}

static void test_all_brokers_down_fails_bounded(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_options options = {2000, NULL, false, false, false, false};
	struct kdr_live_cluster live;
	int64_t t0 = 0;
	int error = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_BROKER_STOP, "needs brokers taken down");
	for (int32_t id = 1; id <= 3; id++)
		assert_int_equal(kdr_testbed_broker_down(fx->bed, fx->bed_cluster, id), 0);
	t0 = now_ms();
	error = kdr_kafka_read_cluster(&live, &fx->cl, &options);
	assert_true(error == KDR_EUNAVAILABLE || error == KDR_ETIMEOUT);
	assert_true(now_ms() - t0 < 2000 + 1500);
	assert_non_null(strstr(kdr_error_message(), "cluster 'dc-east'"));
}

static void test_one_broker_down_still_reads(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_live_cluster live;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_BROKER_STOP, "needs one broker taken down");
	assert_int_equal(kdr_kafka_conn_open(&conn, &fx->cl, &fx->options), 0);
	assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
	kdr_live_cluster_release(&live);

	assert_int_equal(kdr_testbed_broker_down(fx->bed, fx->bed_cluster, 3), 0);
	/* The same connection reads again: broker 3 is gone from Metadata, or described from what was known. */
	assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
	assert_true(live.n_brokers >= 2);
	for (size_t i = 0; i < live.n_brokers; i++) {
		assert_non_null(live.brokers[i].rack);
		assert_string_equal(live.brokers[i].rack, racks[live.brokers[i].id - 1]);
	}
	kdr_live_cluster_release(&live);
	kdr_kafka_conn_free(conn);
}

static void test_broker_not_described_uses_last_known(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_live_cluster live;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection");
	/* No topics, so each DescribeConfigs of a read is a broker's. */
	assert_int_equal(kdr_kafka_conn_open(&conn, &fx->cl, &fx->options), 0);
	assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
	kdr_live_cluster_release(&live);

	assert_int_equal(kdr_sandbox_inject_error(fx->sandbox, CLUSTER, API_DESCRIBE_CONFIGS, 7, 3), 0);
	assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
	assert_int_equal(live.n_brokers, 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(live.brokers[i].rack, racks[i]);
	assert_true(live.remote_storage_enabled);
	kdr_live_cluster_release(&live);
	kdr_kafka_conn_free(conn);

	/* A fresh connection knows nothing to fall back on: one broker not described fails the read, named. */
	assert_int_equal(kdr_sandbox_inject_error(fx->sandbox, CLUSTER, API_DESCRIBE_CONFIGS, 7, 1), 0);
	assert_int_equal(kdr_kafka_read_cluster(&live, &fx->cl, &fx->options), KDR_ETIMEOUT);
	assert_non_null(strstr(kdr_error_message(), "cluster 'dc-east': broker "));
	assert_non_null(strstr(kdr_error_message(), "describe configs: REQUEST_TIMED_OUT"));

	/* Not for errors that will not pass: an authorization failure fails even with a memory. */
	assert_int_equal(kdr_kafka_conn_open(&conn, &fx->cl, &fx->options), 0);
	assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
	kdr_live_cluster_release(&live);
	assert_int_equal(kdr_sandbox_inject_error(fx->sandbox, CLUSTER, API_DESCRIBE_CONFIGS, 31, 3), 0);
	assert_int_equal(kdr_kafka_conn_read(&live, conn), KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "CLUSTER_AUTHORIZATION_FAILED"));
	kdr_kafka_conn_free(conn);
}

static void test_request_timeout_fails_whole_batch(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_options options = {1000, NULL, false, false, false, false};
	struct kdr_plan plan = {0};
	struct kdr_action_result *results = NULL;
	int64_t t0 = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (latency)");
	add_create(&plan, "orders", 1, 0);
	add_create(&plan, "events", 1, 0);
	results = results_new(&plan);
	assert_int_equal(kdr_sandbox_set_latency(fx->sandbox, CLUSTER, API_CREATE_TOPICS, 4000), 0);
	t0 = now_ms();
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &options), KDR_ETIMEOUT);
	assert_true(now_ms() - t0 < 1000 + 3000);
	for (size_t i = 0; i < 2; i++) {
		assert_true(results[i].attempted);
		assert_int_equal(results[i].code, KDR_ETIMEOUT);
		assert_string_equal(results[i].error_name, "_TIMED_OUT");
		assert_non_null(strstr(results[i].message, "CreateTopics request: _TIMED_OUT"));
	}
	kdr_sandbox_set_latency(fx->sandbox, CLUSTER, API_CREATE_TOPICS, 0);
	results_free(results, plan.n_actions);
	plan_free(&plan);
}

/* --- batching: requests per read do not grow with the topic count --- */

/* CreateTopics requests for n creates (apply.c): 32 slices of at least 32 and at most 256 topics. */
static size_t create_requests(size_t n)
{
	size_t slices = (n + 31) / 32 < 32 ? (n + 31) / 32 : 32;
	size_t per = slices ? (n + slices - 1) / slices : 1;

	per = per > 256 ? 256 : per;
	return (n + per - 1) / per;
}

static void create_many(struct fixture *fx, size_t from, size_t to)
{
	struct kdr_plan plan = {0};
	struct kdr_action_result *results = NULL;
	char name[32];

	for (size_t i = from; i < to; i++) {
		snprintf(name, sizeof(name), "topic-%04zu", i);
		kdr_strmap_set(&add_create(&plan, name, 1, i)->config, "retention.ms", "3600000");
	}
	results = results_new(&plan);
	if (fx->sandbox)
		kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), 0);
	/* One CreateTopics per 32 topics up to 32 requests, then one per 256. */
	assert_int_equal(kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_CREATE_TOPICS), create_requests(to - from));
	results_free(results, plan.n_actions);
	plan_free(&plan);
}

/* One read's request counts; through `conn` when given (kept between cycles), else one-shot. */
static void count_read(struct fixture *fx, struct kdr_kafka_conn *conn, size_t expect_topics, uint64_t *metadata,
		       uint64_t *describe)
{
	struct kdr_live_cluster live;
	size_t user_topics = 0;

	if (fx->sandbox)
		kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	if (conn)
		assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
	else
		assert_int_equal(kdr_kafka_read_cluster(&live, &fx->cl, &fx->options), 0);
	*metadata = kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_METADATA);
	*describe = kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_DESCRIBE_CONFIGS);
	for (size_t i = 0; i < live.n_topics; i++) {
		if (live.topics[i].internal)
			continue;
		user_topics++;
		assert_int_equal(live.topics[i].n_partitions, 1);
		assert_int_equal(live.topics[i].n_configs, 1);
	}
	assert_int_equal(user_topics, expect_topics);
	kdr_live_cluster_release(&live);
}

static void test_request_counts_do_not_grow_with_topics(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_conn *conn = NULL;
	uint64_t metadata_first = 0, describe_first = 0;
	uint64_t metadata10 = 0, describe10 = 0, metadata500 = 0, describe500 = 0;
	uint64_t metadata1100 = 0, describe1100 = 0, metadata1500 = 0, describe1500 = 0;
	uint64_t metadata_once = 0, describe_once = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_COUNTERS, "needs request counters");
	assert_int_equal(kdr_kafka_conn_open(&conn, &fx->cl, &fx->options), 0);
	create_many(fx, 0, 10);
	count_read(fx, conn, 10, &metadata_first, &describe_first);
	count_read(fx, conn, 10, &metadata10, &describe10);
	create_many(fx, 10, 500);
	count_read(fx, conn, 500, &metadata500, &describe500);
	create_many(fx, 500, 1100);
	count_read(fx, conn, 1100, &metadata1100, &describe1100);
	create_many(fx, 1100, 1500);
	count_read(fx, conn, 1500, &metadata1500, &describe1500);
	count_read(fx, NULL, 1500, &metadata_once, &describe_once);
	print_message("requests per read (Metadata, DescribeConfigs): kept connection 10 topics (%llu, %llu), "
		      "500 topics (%llu, %llu), 1100 topics (%llu, %llu), 1500 topics (%llu, %llu); its first read "
		      "(%llu, %llu); one-shot 1500 topics (%llu, %llu)\n",
		      (unsigned long long)metadata10, (unsigned long long)describe10, (unsigned long long)metadata500,
		      (unsigned long long)describe500, (unsigned long long)metadata1100,
		      (unsigned long long)describe1100, (unsigned long long)metadata1500,
		      (unsigned long long)describe1500, (unsigned long long)metadata_first,
		      (unsigned long long)describe_first, (unsigned long long)metadata_once,
		      (unsigned long long)describe_once);
	/*
	 * Steady state: one Metadata for all topics; one DescribeConfigs per
	 * broker, plus the topics' in slices of at least 32 topics (64 slices
	 * from 2,048 topics on, one per 256 topics beyond 16,384: read.c).
	 */
	assert_int_equal(metadata10, 1);
	assert_int_equal(metadata500, 1);
	assert_int_equal(metadata1500, 1);
	assert_int_equal(describe10, 3 + 1);
	assert_int_equal(describe500, 3 + 16);
	assert_int_equal(describe1100, 3 + 35);
	assert_int_equal(describe1500, 3 + 47);
	/*
	 * A fresh client adds librdkafka's own brokers-only Metadata, at most
	 * one per bootstrap connection: bounded by the brokers, not the topics.
	 * A one-shot read asks the all-topics Metadata on a client of its own
	 * (read.c read_metadata), which adds its own brokers-only one.
	 */
	assert_true(metadata_first <= 1 + 3);
	assert_true(metadata_once <= 2 + 3);
	assert_int_equal(describe_first, 3 + 1);
	assert_int_equal(describe_once, 3 + 47);
	kdr_kafka_conn_free(conn);
}

/*
 * The topics' DescribeConfigs slices are spread over the brokers (each
 * routed by naming that broker too), not all sent to the one broker
 * librdkafka picks: a broker answers one connection's requests one at a
 * time, so on real Kafka the slices in flight waited for each other. A topic
 * named like a broker id keeps its own configs (the routing broker's answer
 * is skipped).
 */
/*
 * Right after a broker stops, another broker whose metadata lags can name it
 * as the controller (KRaft names a random broker it believes alive,
 * KIP-590), and librdkafka sends a request that names no broker to the
 * controller, waiting for that broker until the request times out: the
 * topics' configs went there and the read failed with KDR_ETIMEOUT (once
 * under load on real Kafka). They go to brokers that answered instead.
 */
static void test_controller_named_down_still_reads(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_conn *conn = NULL;
	struct kdr_live_cluster live;
	size_t found = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs the controller Metadata names set");
	create_many(fx, 0, 40); /* two slices */
	assert_int_equal(kdr_kafka_conn_open(&conn, &fx->cl, &fx->options), 0);
	assert_int_equal(kdr_kafka_conn_read(&live, conn), 0);
	kdr_live_cluster_release(&live);

	assert_int_equal(kdr_testbed_broker_down(fx->bed, fx->bed_cluster, 3), 0);
	assert_int_equal(kdr_sandbox_set_metadata_controller(fx->sandbox, CLUSTER, 3), 0);
	/* The kept client (it knew broker 3) and a new one (it never did). */
	for (int fresh = 0; fresh < 2; fresh++) {
		int rc =
		    fresh ? kdr_kafka_read_cluster(&live, &fx->cl, &fx->options) : kdr_kafka_conn_read(&live, conn);

		if (rc != 0)
			print_message("%s read: %s\n", fresh ? "new client's" : "kept client's", kdr_error_message());
		assert_int_equal(rc, 0);
		assert_int_equal(live.controller_id, 3);
		assert_int_equal(live.n_brokers, 2);
		found = 0;
		for (size_t i = 0; i < live.n_topics; i++)
			if (strncmp(live.topics[i].name, "topic-", 6) == 0 && live.topics[i].n_configs == 1 &&
			    strcmp(live.topics[i].configs[0].value, "3600000") == 0)
				found++;
		assert_int_equal(found, 40);
		kdr_live_cluster_release(&live);
	}
	kdr_kafka_conn_free(conn);
}

static void test_topic_configs_spread_over_brokers(void **state)
{
	struct fixture *fx = *state;
	struct kdr_plan plan = {0};
	struct kdr_action_result *results = NULL;
	struct kdr_live_cluster live;
	const struct kdr_live_topic *named_2 = NULL;
	uint64_t per_broker[3] = {0, 0, 0}, total = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_COUNTERS, "needs request counters");
	create_many(fx, 0, 1100); /* 35 slices of ~32 topics */
	kdr_strmap_set(&add_create(&plan, "2", 1, 0)->config, "retention.ms", "7200000");
	results = results_new(&plan);
	assert_int_equal(kdr_kafka_apply(results, &plan, &fx->cl, &fx->options), 0);
	results_free(results, plan.n_actions);
	plan_free(&plan);

	kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	assert_int_equal(kdr_kafka_read_cluster(&live, &fx->cl, &fx->options), 0);
	for (int32_t b = 1; b <= 3; b++) {
		per_broker[b - 1] = kdr_sandbox_broker_request_count(fx->sandbox, CLUSTER, b, API_DESCRIBE_CONFIGS);
		total += per_broker[b - 1];
	}
	print_message("DescribeConfigs per broker: %llu, %llu, %llu\n", (unsigned long long)per_broker[0],
		      (unsigned long long)per_broker[1], (unsigned long long)per_broker[2]);
	/* 3 brokers' own + 35 slices, each sent once. */
	assert_int_equal(total, kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_DESCRIBE_CONFIGS));
	assert_int_equal(total, 3 + 35);
	/* The first window (4) goes to the first broker that answered; the rest round robin (~10 each). */
	for (size_t b = 0; b < 3; b++)
		assert_true(per_broker[b] >= 1 + 3);
	for (size_t i = 0; i < live.n_topics; i++)
		if (strcmp(live.topics[i].name, "2") == 0)
			named_2 = &live.topics[i];
	assert_non_null(named_2);
	assert_int_equal(named_2->n_configs, 1);
	assert_string_equal(named_2->configs[0].name, "retention.ms");
	assert_string_equal(named_2->configs[0].value, "7200000");
	kdr_live_cluster_release(&live);
}

/*
 * Past 8,192 creates a CreateTopics carries at most 256 topics (more
 * requests, not longer ones): librdkafka places each topic of an answer by
 * a linear search over its request, so 32 requests of 3,125 topics (100,000
 * creates) cost ~5 G instructions of comparisons.
 */
static void test_create_topics_requests_are_capped(void **state)
{
	struct fixture *fx = *state;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_COUNTERS, "needs request counters");
	assert_int_equal(create_requests(8300), 33);
	create_many(fx, 0, 8300);
}

/* --- connections kept across reads (kdr_kafka_pool) --- */

#define API_API_VERSIONS 18

/* One pooled read of CLUSTER: its return code; ApiVersions (new connections) and Metadata it caused. */
static int pool_read(struct fixture *fx, struct kdr_kafka_pool *pool, uint64_t *api_versions, uint64_t *metadata)
{
	struct kdr_live_cluster live;
	int rc = 0;

	kdr_sandbox_reset_counters(fx->sandbox, CLUSTER);
	rc = kdr_kafka_pool_read(pool, &live, &fx->cl, &fx->options);
	if (rc == 0)
		kdr_live_cluster_release(&live);
	*api_versions = kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_API_VERSIONS);
	*metadata = kdr_sandbox_request_count(fx->sandbox, CLUSTER, API_METADATA);
	return rc;
}

static void test_pool_keeps_the_client_until_settings_change_or_a_read_fails(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_pool *pool = NULL;
	uint64_t versions = 0, metadata = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_COUNTERS, "needs request counters");
	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_BROKER_STOP, "needs brokers taken down");
	/* After the skips: a skipped test must not leak the pool (LeakSanitizer on the kafka backend). */
	pool = kdr_kafka_pool_new();
	/* Short, for the read with every broker down (the same for every read: the timeout is a setting too). */
	fx->options.timeout_ms = 2000;
	/* The first read opens the client: every connection starts with ApiVersions. */
	assert_int_equal(pool_read(fx, pool, &versions, &metadata), 0);
	assert_true(versions >= 1);
	/* The second reuses it: no new connection, one Metadata (kdr's own). */
	assert_int_equal(pool_read(fx, pool, &versions, &metadata), 0);
	assert_int_equal(versions, 0);
	assert_int_equal(metadata, 1);
	/* A changed clientConfig value: a new client. */
	set_literal(&fx->cl, "socket.keepalive.enable", "true");
	assert_int_equal(pool_read(fx, pool, &versions, &metadata), 0);
	assert_true(versions >= 1);
	assert_int_equal(pool_read(fx, pool, &versions, &metadata), 0);
	assert_int_equal(versions, 0);
	/* Every broker down: the read fails and the client is dropped; back up, a fresh one reads. */
	for (int32_t id = 1; id <= 3; id++)
		assert_int_equal(kdr_sandbox_broker_down(fx->sandbox, CLUSTER, id), 0);
	assert_true(pool_read(fx, pool, &versions, &metadata) < 0);
	for (int32_t id = 1; id <= 3; id++)
		assert_int_equal(kdr_sandbox_broker_up(fx->sandbox, CLUSTER, id), 0);
	assert_int_equal(pool_read(fx, pool, &versions, &metadata), 0);
	assert_true(versions >= 1);
	/* A cluster no longer declared: its client is closed (the next read opens one again). */
	kdr_kafka_pool_retain(pool, NULL, 0);
	assert_int_equal(pool_read(fx, pool, &versions, &metadata), 0);
	assert_true(versions >= 1);
	print_message("pooled reads on %s: kept client 0 ApiVersions, new client after a change, a failure or "
		      "retain\n", kdr_testbed_backend_name());
	kdr_kafka_pool_free(pool);
}

/* --- secrets --- */

static int setup_sasl(void **state)
{
	struct kdr_sandbox_cluster_spec spec = sasl_spec();

	return start(state, &spec);
}

static void test_sasl_plain_password_from_env(void **state)
{
	struct fixture *fx = *state;
	struct kdr_live_cluster live;

	set_literal(&fx->cl, "security.protocol", "SASL_PLAINTEXT");
	set_literal(&fx->cl, "sasl.mechanism", "PLAIN");
	set_literal(&fx->cl, "sasl.username", "kdr");
	set_env_ref(&fx->cl, "sasl.password", "KDR_TEST_KAFKA_PASSWORD");
	setenv("KDR_TEST_KAFKA_PASSWORD", "pl41n-s3cret-pw", 1);
	assert_int_equal(kdr_kafka_read_cluster(&live, &fx->cl, &fx->options), 0);
	assert_int_equal(live.n_brokers, 2);
	kdr_live_cluster_release(&live);
	unsetenv("KDR_TEST_KAFKA_PASSWORD");
}

static void test_sasl_wrong_password_fails_fast_without_leaking(void **state)
{
	struct fixture *fx = *state;
	struct kdr_live_cluster live;
	int64_t t0 = 0;
	int error = 0;

	set_literal(&fx->cl, "security.protocol", "SASL_PLAINTEXT");
	set_literal(&fx->cl, "sasl.mechanism", "PLAIN");
	set_literal(&fx->cl, "sasl.username", "kdr");
	set_env_ref(&fx->cl, "sasl.password", "KDR_TEST_KAFKA_PASSWORD");
	setenv("KDR_TEST_KAFKA_PASSWORD", "wr0ng-p4ssw0rd-value", 1);
	t0 = now_ms();
	error = kdr_kafka_read_cluster(&live, &fx->cl, &fx->options);
	assert_true(error < 0);
	assert_true(now_ms() - t0 < TIMEOUT_MS + 1000);
	print_message("wrong password: %s\n", kdr_error_message());
	assert_non_null(strstr(kdr_error_message(), "cluster 'dc-east'"));
	assert_null(strstr(kdr_error_message(), "wr0ng-p4ssw0rd-value"));
	unsetenv("KDR_TEST_KAFKA_PASSWORD");
}

static void test_pool_rotated_password_gets_a_new_client(void **state)
{
	struct fixture *fx = *state;
	struct kdr_kafka_pool *pool = kdr_kafka_pool_new();
	struct kdr_live_cluster live;

	set_literal(&fx->cl, "security.protocol", "SASL_PLAINTEXT");
	set_literal(&fx->cl, "sasl.mechanism", "PLAIN");
	set_literal(&fx->cl, "sasl.username", "kdr");
	set_env_ref(&fx->cl, "sasl.password", "KDR_TEST_KAFKA_PASSWORD");
	setenv("KDR_TEST_KAFKA_PASSWORD", "pl41n-s3cret-pw", 1);
	assert_int_equal(kdr_kafka_pool_read(pool, &live, &fx->cl, &fx->options), 0);
	kdr_live_cluster_release(&live);
	/* The secret now resolves to another value: the kept client (logged in with the old one) is replaced. */
	setenv("KDR_TEST_KAFKA_PASSWORD", "r0t4ted-but-wr0ng", 1);
	assert_true(kdr_kafka_pool_read(pool, &live, &fx->cl, &fx->options) < 0);
	assert_null(strstr(kdr_error_message(), "r0t4ted-but-wr0ng"));
	setenv("KDR_TEST_KAFKA_PASSWORD", "pl41n-s3cret-pw", 1);
	assert_int_equal(kdr_kafka_pool_read(pool, &live, &fx->cl, &fx->options), 0);
	kdr_live_cluster_release(&live);
	unsetenv("KDR_TEST_KAFKA_PASSWORD");
	kdr_kafka_pool_free(pool);
}

static void test_debug_log_never_shows_the_password(void **state)
{
	struct fixture *fx = *state;
	struct kdr_live_cluster live;
	char path[] = "/tmp/kdr-test-kafka-log-XXXXXX";
	int fd = mkstemp(path);
	int saved = dup(2);
	FILE *f = NULL;
	char *text = NULL;
	long size = 0;

	assert_true(fd >= 0 && saved >= 0);
	set_literal(&fx->cl, "security.protocol", "SASL_PLAINTEXT");
	set_literal(&fx->cl, "sasl.mechanism", "PLAIN");
	set_literal(&fx->cl, "sasl.username", "kdr");
	set_env_ref(&fx->cl, "sasl.password", "KDR_TEST_KAFKA_PASSWORD");
	/* librdkafka's most talkative settings, config dump included (from the environment, never a document). */
	setenv("KDR_RDKAFKA_DEBUG", "conf,security,broker,protocol", 1);
	setenv("KDR_TEST_KAFKA_PASSWORD", "pl41n-s3cret-pw", 1);
	setenv("KDR_DEBUG", "1", 1);
	fflush(stderr);
	dup2(fd, 2);
	assert_int_equal(kdr_kafka_read_cluster(&live, &fx->cl, &fx->options), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	unsetenv("KDR_DEBUG");
	unsetenv("KDR_RDKAFKA_DEBUG");
	unsetenv("KDR_TEST_KAFKA_PASSWORD");
	kdr_live_cluster_release(&live);

	f = fdopen(fd, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = kdr_calloc((size_t)size + 1, 1);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	unlink(path);
	assert_non_null(strstr(text, "msg=librdkafka cluster=dc-east"));
	assert_non_null(strstr(text, "sasl.username"));
	assert_null(strstr(text, "pl41n-s3cret-pw"));
	free(text);
}

/*
 * issue 14 item 5 (critical): a clientConfig that skipped kdr_validate still
 * never makes librdkafka run a command: kdr_kafka_conn_open refuses it before
 * the client exists. Without the allow list librdkafka runs the kinit command
 * while the client is created (the marker file appears).
 */
static void test_conn_never_runs_a_command_from_client_config(void **state)
{
	struct kdr_cluster cl;
	struct kdr_kafka_conn *conn = NULL;
	char dir[] = "/tmp/kdr-kinit-XXXXXX";
	char marker[64] = "", cmd[160] = "";
	int rc = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	snprintf(cmd, sizeof(cmd), "touch %s", marker);
	cluster_init(&cl, "dc-east", "127.0.0.1:1");
	set_literal(&cl, "security.protocol", "SASL_PLAINTEXT");
	set_literal(&cl, "sasl.mechanisms", "GSSAPI");
	set_literal(&cl, "sasl.kerberos.kinit.cmd", cmd);
	rc = kdr_kafka_conn_open(&conn, &cl, NULL);
	kdr_kafka_conn_free(conn);
	printf("# backend: none (librdkafka client creation only); rc=%d: %s\n", rc, rc ? kdr_error_message() : "");
	assert_int_equal(rc, KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "clientConfig 'sasl.kerberos.kinit.cmd': librdkafka runs it"));
	assert_int_equal(access(marker, F_OK), -1);
	kdr_cluster_release(&cl);

	/* Nor loads a library. */
	cluster_init(&cl, "dc-east", "127.0.0.1:1");
	set_literal(&cl, "plugin.library.paths", "/nonexistent/evil.so");
	assert_int_equal(kdr_kafka_conn_open(&conn, &cl, NULL), KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "clientConfig 'plugin.library.paths': librdkafka loads it"));
	kdr_cluster_release(&cl);
	unlink(marker);
	rmdir(dir);
}

static void test_secret_errors_never_show_the_value(void **state)
{
	struct kdr_cluster cl;
	struct kdr_kafka_conn *conn = NULL;

	(void)state;
	cluster_init(&cl, "dc-east", "127.0.0.1:1");
	/* An unresolvable reference names the variable. */
	set_env_ref(&cl, "sasl.password", "KDR_TEST_UNSET_VARIABLE");
	unsetenv("KDR_TEST_UNSET_VARIABLE");
	assert_int_equal(kdr_kafka_conn_open(&conn, &cl, NULL), KDR_ENOTFOUND);
	assert_null(conn);
	assert_non_null(strstr(kdr_error_message(), "cluster 'dc-east': clientConfig 'sasl.password'"));
	assert_non_null(strstr(kdr_error_message(), "KDR_TEST_UNSET_VARIABLE"));
	kdr_cluster_release(&cl);

	/* A value librdkafka rejects, given by reference: the message does not echo it. */
	cluster_init(&cl, "dc-east", "127.0.0.1:1");
	set_env_ref(&cl, "socket.timeout.ms", "KDR_TEST_SECRET_VALUE");
	setenv("KDR_TEST_SECRET_VALUE", "n0t-a-number-s3cret", 1);
	assert_int_equal(kdr_kafka_conn_open(&conn, &cl, NULL), KDR_EINVALID);
	assert_null(strstr(kdr_error_message(), "n0t-a-number-s3cret"));
	assert_non_null(strstr(kdr_error_message(), "clientConfig 'socket.timeout.ms'"));
	unsetenv("KDR_TEST_SECRET_VALUE");
	kdr_cluster_release(&cl);

	/* An unknown property is named. */
	cluster_init(&cl, "dc-east", "127.0.0.1:1");
	set_literal(&cl, "no.such.property", "x");
	assert_int_equal(kdr_kafka_conn_open(&conn, &cl, NULL), KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "'no.such.property'"));
	kdr_cluster_release(&cl);
}

/* The union of the clusters the tests use: the shared bed of an external backend. */
static int group_setup(void **state)
{
	struct kdr_sandbox_cluster_spec specs[3] = {east_spec(), plain_spec(), sasl_spec()};

	(void)state;
	return kdr_testbed_share("test_kafka", specs, 3);
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
	    cmocka_unit_test_setup_teardown(test_read_empty_cluster, setup, teardown),
	    cmocka_unit_test(test_read_without_racks_or_remote_storage),
	    cmocka_unit_test_setup_teardown(test_create_topics_with_assignment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alter_configs_resends_unmanaged_overrides, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_partitions_with_assignment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_topics, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_apply_returns_once_every_broker_shows_it, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_visible_wait_asks_every_broker_when_answers_are_slow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_visible_wait_reports_brokers_that_did_not_answer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_visible_wait_warns_when_no_broker_lists_the_brokers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_visible_wait_asks_by_name_for_a_small_apply, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_validate_only_creates_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_policy_violation_fails_one_action, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_existing_topic_is_reported, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sliced_apply_maps_each_result, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_action_fails_alone, setup, teardown),
	    cmocka_unit_test(test_unreachable_bootstrap_fails_fast),
	    cmocka_unit_test_setup_teardown(test_all_brokers_down_fails_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_broker_down_still_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_controller_named_down_still_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_broker_not_described_uses_last_known, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_request_timeout_fails_whole_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_request_counts_do_not_grow_with_topics, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_topic_configs_spread_over_brokers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_topics_requests_are_capped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pool_keeps_the_client_until_settings_change_or_a_read_fails, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_sasl_plain_password_from_env, setup_sasl, teardown),
	    cmocka_unit_test_setup_teardown(test_sasl_wrong_password_fails_fast_without_leaking, setup_sasl, teardown),
	    cmocka_unit_test_setup_teardown(test_pool_rotated_password_gets_a_new_client, setup_sasl, teardown),
	    cmocka_unit_test_setup_teardown(test_debug_log_never_shows_the_password, setup_sasl, teardown),
	    cmocka_unit_test(test_secret_errors_never_show_the_value),
	    cmocka_unit_test(test_conn_never_runs_a_command_from_client_config),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
