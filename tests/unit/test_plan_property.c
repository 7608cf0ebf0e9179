/*
 * Property tests of pkg/plan over seeded random desired/live pairs: plans are
 * deterministic, well-formed (assignments valid, overrides preserved, order
 * kept, protected topics never deleted) and converge (planning the simulated
 * result of a plan gives no action, and the same blocked items).
 */
#include "plan_helpers.h"
#include "util/alloc.h"
#include "util/hash.h"

#define CASES 300
#define SEED  UINT64_C(0x6b6472706c616e31) /* "kdrplan1" */

static const char *const topic_pool[] = {
    "t0", "t1", "t2", "t3", "t4", "t5", "p.a", "p.b", "tmp.x", "tmp.y",
};
static const char *const live_only_pool[] = {
    "__consumer_offsets",	    "heartbeats",      "c2.heartbeats", "c2.orders",
    "mm2-offset-syncs.c1.internal", "connect-offsets", "legacy",
};
static const struct {
	const char *key;
	const char *values[3];
} config_pool[] = {
    {"retention.ms", {"86400000", "604800000", "0086400000"}},
    {"segment.ms", {"1000", "2000", "+1000"}},
    {"cleanup.policy", {"delete", "delete,compact", "compact, delete"}},
    {"min.insync.replicas", {"1", "2", "2"}},
    {"unclean.leader.election.enable", {"true", "FALSE", "false"}},
    {"max.message.bytes", {"1048588", "2097152", "01048588"}},
};
static const char *const racks[] = {"r1", "r2", "r3"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static size_t below(struct kdr_rng *rng, size_t n)
{
	return (size_t)kdr_rng_below(rng, n);
}

static bool coin(struct kdr_rng *rng, unsigned percent)
{
	return kdr_rng_below(rng, 100) < percent;
}

/* Distinct random brokers 1..n_brokers. */
static void random_list(struct kdr_rng *rng, int32_t *ids, size_t rf, size_t n_brokers)
{
	for (size_t r = 0; r < rf; r++) {
		int32_t id = 0;
		bool dup = true;

		while (dup) {
			id = (int32_t)(1 + below(rng, n_brokers));
			dup = false;
			for (size_t k = 0; k < r; k++)
				dup = dup || ids[k] == id;
		}
		ids[r] = id;
	}
}

static void random_topic(struct kdr_rng *rng, struct kdr_live_cluster *cl, const char *name, size_t n_brokers)
{
	struct kdr_live_topic *topic = kdr_live_cluster_add_topic(cl, name);
	size_t partitions = 1 + below(rng, 4);
	size_t rf = 1 + below(rng, n_brokers < 3 ? n_brokers : 3);

	topic->internal = strncmp(name, "__", 2) == 0;
	for (size_t p = 0; p < partitions; p++) {
		int32_t ids[8];

		random_list(rng, ids, rf, n_brokers);
		kdr_live_topic_add_partition(topic, ids, rf);
	}
	for (size_t i = 0; i < N(config_pool); i++)
		if (coin(rng, 25))
			kdr_live_topic_set_config(topic, config_pool[i].key, config_pool[i].values[below(rng, 3)],
						  KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	if (coin(rng, 10))
		kdr_live_topic_set_config(topic, "remote.storage.enable", "true", KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	if (coin(rng, 10))
		kdr_live_topic_set_config(topic, "message.timestamp.type", "LogAppendTime",
					  KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
}

struct scenario {
	struct kdr_desired desired;
	struct kdr_live live;
	struct kdr_plan_options options;
	char *yaml;
};

static void random_cluster(struct kdr_rng *rng, struct scenario *sc, const char *name, bool stretch)
{
	size_t n_brokers = 3 + below(rng, 4);
	size_t n_racks = 1 + below(rng, 3);
	struct kdr_live_cluster *cl = kdr_live_add_cluster(&sc->live, name);

	cl->cluster_id = strdup(name);
	if (stretch)
		n_racks = 3;
	for (size_t b = 0; b < n_brokers; b++)
		kdr_live_cluster_add_broker(cl, (int32_t)(b + 1), "h", 9092, racks[b % n_racks]);
	kdr_live_cluster_set_topic_default(cl, "retention.ms", "604800000", KDR_CONFIG_SOURCE_DEFAULT);
	kdr_live_cluster_set_topic_default(cl, "min.insync.replicas", coin(rng, 50) ? "1" : "2",
					   KDR_CONFIG_SOURCE_STATIC_BROKER);
	cl->remote_storage_enabled = coin(rng, 50);
	for (size_t i = 0; i < N(topic_pool); i++)
		if (coin(rng, 40))
			random_topic(rng, cl, topic_pool[i], n_brokers);
	for (size_t i = 0; i < N(live_only_pool); i++)
		if (coin(rng, 30))
			random_topic(rng, cl, live_only_pool[i], n_brokers);
	kdr_live_cluster_sort(cl);
}

static void random_policy(struct kdr_rng *rng, struct kdr_buf *y, size_t index, bool two_clusters, bool stretch)
{
	static const char *const matches[] = {"p\\\\..*", "tmp\\\\..*", ".*"};
	static const char *const strategies[] = {"any", "rack-aware"};
	size_t which = two_clusters ? below(rng, 3) : 0;
	bool any_topic = false;

	kdr_buf_printf(y, "---\n" YAML_HEADER "kind: TopicPolicy\nmetadata: {name: policy-%zu}\nspec:\n", index);
	kdr_buf_printf(y, "  clusters: [%s]\n", which == 0 ? "c1" : which == 1 ? "c2" : "c1, c2");
	kdr_buf_puts(y, "  topics:\n");
	for (size_t i = 0; i < N(topic_pool); i++) {
		if (!coin(rng, 30))
			continue;
		any_topic = true;
		kdr_buf_printf(y, "    - name: %s\n", topic_pool[i]);
		if (coin(rng, 30))
			kdr_buf_printf(y, "      partitions: %zu\n", 1 + below(rng, 6));
		if (coin(rng, 20))
			kdr_buf_printf(y, "      config: {segment.ms: \"%s\"}\n", config_pool[1].values[below(rng, 3)]);
	}
	if (!any_topic)
		kdr_buf_puts(y, "    - name: t0\n");
	kdr_buf_printf(y, "  partitions: %zu\n", 1 + below(rng, 4));
	kdr_buf_printf(y, "  replicationFactor: %zu\n", 1 + below(rng, 3));
	if (coin(rng, 70)) {
		kdr_buf_puts(y, "  config:\n");
		for (size_t i = 0; i < N(config_pool); i++)
			if (coin(rng, 30))
				kdr_buf_printf(y, "    %s: \"%s\"\n", config_pool[i].key,
					       config_pool[i].values[below(rng, 3)]);
		kdr_buf_puts(y, "    flush.ms: \"9223372036854775807\"\n");
	}
	if (coin(rng, 35)) {
		kdr_buf_printf(y, "  match: \"%s\"\n", matches[below(rng, N(matches))]);
		if (coin(rng, 50))
			kdr_buf_puts(y, "  prune: true\n");
	}
	if (coin(rng, 30))
		kdr_buf_puts(y, "  configPrune: true\n");
	if (coin(rng, 20))
		kdr_buf_printf(y, "  tiering: {enabled: %s, localRetention: 1h, retention: 2d}\n",
			       coin(rng, 70) ? "true" : "false");
	if (stretch && coin(rng, 50))
		kdr_buf_printf(y, "  placement: {strategy: cross-dc, requireDcLossSurvival: %s}\n",
			       coin(rng, 50) ? "true" : "false");
	else
		kdr_buf_printf(y, "  placement: {strategy: %s}\n", strategies[below(rng, N(strategies))]);
}

static void scenario_build(struct scenario *sc, uint64_t seed)
{
	struct kdr_rng rng;
	struct kdr_buf y = KDR_BUF_INIT;
	bool two = false, stretch = false;
	size_t n_policies = 0;

	memset(sc, 0, sizeof(*sc));
	kdr_rng_seed(&rng, seed);
	two = coin(&rng, 50);
	stretch = coin(&rng, 25);
	kdr_buf_printf(&y, "---\n" YAML_HEADER "kind: KafkaCluster\nmetadata: {name: c1}\nspec:\n"
			   "  bootstrapServers: c1:9092\n");
	if (stretch)
		kdr_buf_puts(&y, "  datacenters: {dc1: [r1], dc2: [r2, r3]}\n");
	if (two) {
		kdr_buf_puts(&y, "---\n" YAML_HEADER "kind: KafkaCluster\nmetadata: {name: c2}\nspec:\n"
				 "  bootstrapServers: c2:9092\n");
		kdr_buf_printf(&y,
			       "---\n" YAML_HEADER "kind: ReplicationFlow\nmetadata: {name: c2-to-c1}\nspec:\n"
			       "  source: c2\n  target: c1\n  replicationPolicy: {type: %s}\n",
			       coin(&rng, 50) ? "default" : "identity");
	}
	n_policies = 1 + below(&rng, 3);
	for (size_t i = 0; i < n_policies; i++)
		random_policy(&rng, &y, i, two, stretch);
	random_cluster(&rng, sc, "c1", stretch);
	/* Sometimes c2 is declared but unreachable. */
	if (two && coin(&rng, 85))
		random_cluster(&rng, sc, "c2", false);
	kdr_live_sort(&sc->live);
	sc->options.allow_delete = coin(&rng, 50);
	sc->yaml = kdr_buf_detach(&y);
	desired_from_yaml(&sc->desired, sc->yaml);
}

static void scenario_release(struct scenario *sc)
{
	kdr_desired_release(&sc->desired);
	kdr_live_release(&sc->live);
	free(sc->yaml);
}

static int kind_rank(enum kdr_action_kind kind)
{
	switch (kind) {
	case KDR_ACTION_CREATE_TOPIC:
		return 0;
	case KDR_ACTION_ADD_PARTITIONS:
		return 1;
	case KDR_ACTION_ALTER_CONFIGS:
		return 2;
	case KDR_ACTION_DELETE_CONNECTOR:
		return 4;
	case KDR_ACTION_DELETE_TOPIC:
		return 5;
	default:
		return 3;
	}
}

/* A failed property names the seed and the input (cmocka's asserts would not). */
#define CHECK(cond)                                                                                                    \
	do {                                                                                                           \
		if (!(cond)) {                                                                                         \
			printf("%s\n", plan_test_context ? plan_test_context : "");                                    \
			fail_msg("property failed: %s (line %d)", #cond, __LINE__);                                    \
		}                                                                                                      \
	} while (0)

static void check_well_formed(const struct scenario *sc, const struct kdr_plan *plan)
{
	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *a = &plan->actions[i];
		const struct kdr_live_cluster *cl = kdr_live_cluster_find(&sc->live, a->cluster);
		const struct kdr_live_topic *topic = kdr_live_topic_find(cl, a->resource);

		CHECK(cl != NULL);
		if (i > 0) {
			const struct kdr_action *prev = &plan->actions[i - 1];
			int cmp = kind_rank(prev->kind) - kind_rank(a->kind);

			if (!cmp)
				cmp = strcmp(prev->cluster, a->cluster);
			if (!cmp)
				cmp = strcmp(prev->resource, a->resource);
			CHECK(cmp <= 0);
		}
		switch (a->kind) {
		case KDR_ACTION_CREATE_TOPIC:
		case KDR_ACTION_ADD_PARTITIONS:
			CHECK(a->kind == KDR_ACTION_CREATE_TOPIC ? topic == NULL : topic != NULL);
			CHECK((a->assignment.n) == ((size_t)a->partitions - (topic ? topic->n_partitions : 0)));
			for (size_t p = 0; p < a->assignment.n; p++) {
				const struct kdr_replica_list *list = &a->assignment.partitions[p];

				CHECK(list->n == (size_t)a->replication_factor);
				for (size_t r = 0; r < list->n; r++) {
					CHECK(kdr_live_broker_find(cl, list->ids[r]) != NULL);
					for (size_t k = 0; k < r; k++)
						CHECK(list->ids[k] != list->ids[r]);
				}
			}
			break;
		case KDR_ACTION_ALTER_CONFIGS:
			CHECK(topic != NULL);
			CHECK(a->n_changes > 0);
			/* Every override survives unless a change removes it. */
			for (size_t c = 0; c < topic->n_configs; c++) {
				const char *key = topic->configs[c].name;
				bool removed = false;

				for (size_t k = 0; k < a->n_changes; k++)
					removed = removed ||
						  (strcmp(a->changes[k].key, key) == 0 && !a->changes[k].new_value);
				CHECK(removed != kdr_strmap_has(&a->config, key));
			}
			break;
		case KDR_ACTION_DELETE_TOPIC:
			CHECK(topic != NULL);
			CHECK(!topic->internal);
			CHECK(strncmp(a->resource, "__", 2) != 0);
			CHECK(strstr(a->resource, "heartbeats") == NULL);
			CHECK(strstr(a->resource, "internal") == NULL);
			CHECK(strncmp(a->resource, "connect-", 8) != 0);
			CHECK(sc->options.allow_delete);
			break;
		default:
			break;
		}
	}
}

/* What the generated cases produced, so that the generator is known to reach every rule. */
static size_t seen_actions[KDR_ACTION_DELETE_TOPIC + 1];
static size_t seen_blocked[KDR_BLOCKED_ERROR + 1];

static void run_case(uint64_t seed)
{
	struct scenario sc;
	struct kdr_plan a, b;
	char *da = NULL, *db = NULL, *context = NULL;

	scenario_build(&sc, seed);
	context = kdr_asprintf("seed %llu\n%s", (unsigned long long)seed, sc.yaml);
	plan_test_context = context;
	if (kdr_plan_compute(&a, &sc.desired, &sc.live, &sc.options) != 0)
		fail_msg("seed %llu: %s\n%s", (unsigned long long)seed, kdr_error_message(), sc.yaml);
	plan_ok(&b, &sc.desired, &sc.live, &sc.options);
	da = plan_dump(&a);
	db = plan_dump(&b);
	if (strcmp(da, db) != 0)
		fail_msg("seed %llu: not deterministic", (unsigned long long)seed);
	check_well_formed(&sc, &a);
	for (size_t k = 0; k < a.n_actions; k++)
		seen_actions[a.actions[k].kind]++;
	for (size_t k = 0; k < a.n_blocked; k++)
		seen_blocked[a.blocked[k].kind]++;
	assert_converges(&sc.desired, &sc.live, &sc.options);
	free(da);
	free(db);
	kdr_plan_release(&a);
	kdr_plan_release(&b);
	scenario_release(&sc);
	plan_test_context = NULL;
	free(context);
}

static void test_random_plans_converge(void **state)
{
	/* KDR_PROPERTY_CASES=N runs a longer sweep by hand. */
	const char *env = getenv("KDR_PROPERTY_CASES");
	uint64_t cases = env && atoll(env) > 0 ? (uint64_t)atoll(env) : CASES;

	(void)state;
	for (uint64_t i = 0; i < cases; i++)
		run_case(SEED + i);
}

/* The generator is exercised: across the cases every topic action and blocked kind shows up. */
static void test_generator_coverage(void **state)
{
	(void)state;
	assert_true(seen_actions[KDR_ACTION_CREATE_TOPIC] > 0);
	assert_true(seen_actions[KDR_ACTION_ADD_PARTITIONS] > 0);
	assert_true(seen_actions[KDR_ACTION_ALTER_CONFIGS] > 0);
	assert_true(seen_actions[KDR_ACTION_DELETE_TOPIC] > 0);
	assert_true(seen_blocked[KDR_BLOCKED_PARTITION_DECREASE] > 0);
	assert_true(seen_blocked[KDR_BLOCKED_REPLICATION_FACTOR] > 0);
	assert_true(seen_blocked[KDR_BLOCKED_PLACEMENT_VIOLATION] > 0);
	assert_true(seen_blocked[KDR_BLOCKED_ERROR] > 0);
}

int main(void)
{
	/* In this order: the coverage test reads what the first one recorded. */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_plans_converge),
	    cmocka_unit_test(test_generator_coverage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
