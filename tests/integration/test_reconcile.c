/*
 * "Reconcile topics against live Kafka", end to end: desired state from YAML,
 * kdr's executor reading the sandbox brokers, the pure planner, the executor
 * applying with librdkafka, and what landed on the brokers checked by an
 * independent path (a plain librdkafka client's Metadata and
 * DescribeConfigs, and kcat). Topology, drift, partition growth and
 * decrease, replication-factor changes, prune, protected topics, saved
 * plans. Faults: test_reconcile_faults.c; stretch clusters and tiered
 * storage: test_reconcile_stretch.c.
 */
#include "plan/codec_json.h"
#include "reconcile_helpers.h"

static const char *const east_racks[] = {"east-a", "east-b", "east-c"};
static const char *const stretch_racks[] = {"a-1", "a-2", "b-1", "b-2"};

static struct kdr_sandbox_cluster_spec east_spec(void)
{
	struct kdr_sandbox_cluster_spec spec = {0};

	spec.name = "dc-east";
	spec.brokers = 3;
	spec.racks = east_racks;
	spec.n_racks = 3;
	spec.remote_storage = true;
	spec.auto_create_topics = false;
	return spec;
}

/* 2 DCs x 2 racks x 2 brokers: brokers 1,5 on a-1, 2,6 on a-2, 3,7 on b-1, 4,8 on b-2. */
static struct kdr_sandbox_cluster_spec stretch_spec(void)
{
	struct kdr_sandbox_cluster_spec spec = {0};

	spec.name = "stretch";
	spec.brokers = 8;
	spec.racks = stretch_racks;
	spec.n_racks = 4;
	spec.auto_create_topics = false;
	return spec;
}

static int setup_east(void **state)
{
	struct kdr_sandbox_cluster_spec spec = east_spec();

	*state = rec_start(&spec, 1);
	return 0;
}

static int teardown(void **state)
{
	rec_stop(*state);
	return 0;
}

#define EAST_CLUSTER                                                                                                   \
	"---\n" REC_YAML_HEADER "kind: KafkaCluster\nmetadata: {name: dc-east}\nspec:\n"                               \
	"  bootstrapServers: ${dc-east}\n  clientConfig: {client.id: kdr}\n"

/* The business topics of examples/topics.yaml, with the partition count and RF of `orders` chosen by the test. */
static void core_yaml(struct kdr_buf *out, int orders_partitions, int orders_rf)
{
	kdr_buf_printf(out,
		       "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
		       "  clusters: [dc-east]\n"
		       "  topics:\n"
		       "    - {name: orders, partitions: %d, replicationFactor: %d}\n"
		       "    - name: events\n"
		       "  partitions: 3\n"
		       "  replicationFactor: 3\n"
		       "  config: {min.insync.replicas: \"2\", retention.ms: \"604800000\"}\n"
		       "  placement: {strategy: rack-aware}\n",
		       orders_partitions, orders_rf);
}

static void desire_core(struct rec *rec, int orders_partitions, int orders_rf)
{
	struct kdr_buf yaml = KDR_BUF_INIT;

	kdr_buf_puts(&yaml, EAST_CLUSTER);
	core_yaml(&yaml, orders_partitions, orders_rf);
	rec_desire(rec, yaml.ptr);
	kdr_buf_release(&yaml);
}

/* Every partition of the planned assignment has its replicas on distinct racks. */
static void assert_rack_aware(const struct kdr_sandbox_cluster_spec *spec, const struct kdr_assignment *assignment)
{
	for (size_t p = 0; p < assignment->n; p++)
		for (size_t a = 0; a < assignment->partitions[p].n; a++)
			for (size_t b = a + 1; b < assignment->partitions[p].n; b++)
				assert_string_not_equal(spec_rack(spec, assignment->partitions[p].ids[a]),
							spec_rack(spec, assignment->partitions[p].ids[b]));
}

static bool in_dc_a(const struct kdr_sandbox_cluster_spec *spec, int32_t broker)
{
	return spec_rack(spec, broker)[0] == 'a';
}

/* --- an empty cluster takes a whole topology --- */

static const char topology_yaml[] =
    EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: KafkaCluster\nmetadata: {name: stretch}\nspec:\n"
		 "  bootstrapServers: ${stretch}\n"
		 "  datacenters:\n    dc-a: [a-1, a-2]\n    dc-b: [b-1, b-2]\n"
		 "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
		 "  clusters: [dc-east]\n"
		 "  topics:\n"
		 "    - {name: orders, partitions: 12}\n"
		 "    - name: events\n"
		 "    - {name: users, config: {cleanup.policy: compact}}\n"
		 "  partitions: 6\n  replicationFactor: 3\n"
		 "  config: {min.insync.replicas: \"2\", retention.ms: \"604800000\"}\n"
		 "  placement: {strategy: rack-aware}\n"
		 "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: archive}\nspec:\n"
		 "  clusters: [dc-east]\n  topics: [audit-log]\n  partitions: 3\n  replicationFactor: 3\n"
		 "  tiering: {enabled: true, localRetention: 1d, retention: 365d}\n"
		 "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: stretch-critical}\nspec:\n"
		 "  clusters: [stretch]\n"
		 "  topics:\n    - name: ledger\n    - {name: sessions, partitions: 4}\n"
		 "  partitions: 8\n  replicationFactor: 4\n"
		 "  config: {min.insync.replicas: \"2\"}\n"
		 "  placement: {strategy: cross-dc, preferredLeaderDatacenter: dc-a, requireDcLossSurvival: true}\n";

struct expected_topic {
	const char *cluster;
	const char *topic;
	size_t partitions;
	size_t rf;
	const char *const *overrides; /* NULL-terminated key/value pairs */
};

static const char *const core_overrides[] = {"min.insync.replicas", "2", "retention.ms", "604800000", NULL};
static const char *const users_overrides[] = {"cleanup.policy", "compact", "min.insync.replicas", "2", "retention.ms",
					      "604800000",	NULL};
static const char *const audit_overrides[] = {
    "local.retention.ms", "86400000", "remote.storage.enable", "true", "retention.ms", "31536000000", NULL};
static const char *const stretch_overrides[] = {"min.insync.replicas", "2", NULL};

static const struct expected_topic topology_topics[] = {
    {"dc-east", "audit-log", 3, 3, audit_overrides}, {"dc-east", "events", 6, 3, core_overrides},
    {"dc-east", "orders", 12, 3, core_overrides},    {"dc-east", "users", 6, 3, users_overrides},
    {"stretch", "ledger", 8, 4, stretch_overrides},  {"stretch", "sessions", 4, 4, stretch_overrides},
};

static void test_empty_clusters_take_the_topology_exactly(void **state)
{
	struct kdr_sandbox_cluster_spec specs[2] = {east_spec(), stretch_spec()};
	struct rec *rec = rec_start(specs, 2);
	rd_kafka_t *rk_east = NULL, *rk_stretch = NULL;
	json_t *kcat_east = NULL, *kcat_stretch = NULL;
	size_t n = sizeof(topology_topics) / sizeof(topology_topics[0]);

	*state = rec;
	rk_east = raw_client(rec, "dc-east");
	rk_stretch = raw_client(rec, "stretch");
	rec_desire(rec, topology_yaml);
	rec_plan(rec, false);
	if (rec->plan.n_blocked)
		rec_print_plan(rec);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, n);
	assert_int_equal(rec_count_actions(rec, KDR_ACTION_CREATE_TOPIC), n);
	rec_apply_ok(rec);

	kcat_east = kcat_metadata(rec, "dc-east");
	kcat_stretch = kcat_metadata(rec, "stretch");
	for (size_t i = 0; i < n; i++) {
		const struct expected_topic *want = &topology_topics[i];
		bool east = strcmp(want->cluster, "dc-east") == 0;
		const struct kdr_action *action =
		    rec_action(rec, KDR_ACTION_CREATE_TOPIC, want->cluster, want->topic, NULL);
		rd_kafka_t *rk = east ? rk_east : rk_stretch;

		assert_int_equal(action->partitions, want->partitions);
		assert_int_equal(action->replication_factor, want->rf);
		assert_int_equal(action->assignment.n, want->partitions);
		/* Exactly the planned replica lists, seen by two independent clients. */
		raw_assert_assignment(rk, want->topic, want->partitions, 0, &action->assignment, true);
		kcat_assert_assignment(east ? kcat_east : kcat_stretch, want->topic, want->partitions, 0,
				       &action->assignment, true);
		raw_assert_overrides(rk, want->topic, want->overrides);
		if (east) {
			assert_rack_aware(&specs[0], &action->assignment);
			continue;
		}
		/* cross-dc, RF 4: two replicas in each DC, the preferred leader in dc-a. */
		for (size_t p = 0; p < action->assignment.n; p++) {
			const struct kdr_replica_list *list = &action->assignment.partitions[p];
			size_t in_a = 0;

			assert_int_equal(list->n, 4);
			for (size_t r = 0; r < list->n; r++)
				in_a += in_dc_a(&specs[1], list->ids[r]);
			assert_int_equal(in_a, 2);
			assert_true(in_dc_a(&specs[1], list->ids[0]));
			assert_rack_aware(&specs[1], &action->assignment);
		}
	}
	json_decref(kcat_east);
	json_decref(kcat_stretch);

	/* Applying twice changes nothing the second time. */
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rec_watch(rec, "dc-east");
	rec_watch(rec, "stretch");
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	assert_int_equal(rec_apply(rec), 0);
	assert_int_equal(rec->report.n, 0);
	/* The read itself happened (the empty plan is not an idle client's). */
	assert_non_null(kdr_live_cluster_find(&rec->live, "dc-east"));
	assert_int_equal(kdr_live_cluster_find(&rec->live, "dc-east")->n_brokers, 3);
	if (rec_can(rec, KDR_TESTBED_CAP_COUNTERS)) {
		assert_true(kdr_sandbox_request_count(rec->sandbox, "dc-east", REC_API_METADATA) > 0);
		assert_true(kdr_sandbox_request_count(rec->sandbox, "stretch", REC_API_METADATA) > 0);
	}
	rec_assert_untouched(rec, "dc-east");
	rec_assert_untouched(rec, "stretch");
	rd_kafka_destroy(rk_east);
	rd_kafka_destroy(rk_stretch);
}

/* --- drift --- */

static void test_drift_repairs_managed_keys_and_keeps_unmanaged(void **state)
{
	struct rec *rec = *state;
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	const struct kdr_action *action = NULL;
	static const char *const drifted[] = {"min.insync.replicas", "2",      "retention.ms", "86400000",
					      "segment.ms",	     "3600000"};
	static const char *const repaired[] = {
	    "min.insync.replicas", "2", "retention.ms", "604800000", "segment.ms", "3600000", NULL};
	static const char *const wiped[] = {"cleanup.policy", "compact", "segment.ms", "3600000"};
	static const char *const restored[] = {
	    "cleanup.policy", "compact", "min.insync.replicas", "2", "retention.ms", "604800000", "segment.ms",
	    "3600000",	      NULL};

	desire_core(rec, 3, 3);
	rec_plan(rec, false);
	rec_apply_ok(rec);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);

	/* Someone changes a managed key and adds an override kdr does not manage (one replace-all request). */
	raw_alter_configs(rk, "orders", drifted, 3);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 1);
	action = rec_action(rec, KDR_ACTION_ALTER_CONFIGS, "dc-east", "orders", NULL);
	/* Only the managed key is a change... */
	assert_int_equal(action->n_changes, 1);
	assert_string_equal(action->changes[0].key, "retention.ms");
	assert_string_equal(action->changes[0].old_value, "86400000");
	assert_string_equal(action->changes[0].new_value, "604800000");
	assert_string_equal(action->reason, "drift: retention.ms 86400000 -> 604800000");
	/* ...but the request carries the whole set, the unmanaged override included. */
	assert_int_equal(action->config.n, 3);
	assert_string_equal(kdr_strmap_get(&action->config, "min.insync.replicas"), "2");
	assert_string_equal(kdr_strmap_get(&action->config, "retention.ms"), "604800000");
	assert_string_equal(kdr_strmap_get(&action->config, "segment.ms"), "3600000");
	rec_apply_ok(rec);
	raw_assert_overrides(rk, "orders", repaired);
	raw_assert_overrides(rk, "events", core_overrides);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);

	/* A replace-all that drops both managed keys: both come back, the two unmanaged ones stay. */
	raw_alter_configs(rk, "orders", wiped, 2);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 1);
	action = rec_action(rec, KDR_ACTION_ALTER_CONFIGS, "dc-east", "orders", NULL);
	assert_int_equal(action->n_changes, 2);
	assert_string_equal(action->changes[0].key, "min.insync.replicas");
	assert_null(action->changes[0].old_value);
	assert_string_equal(action->changes[0].new_value, "2");
	assert_string_equal(action->changes[1].key, "retention.ms");
	assert_null(action->changes[1].old_value);
	assert_string_equal(action->changes[1].new_value, "604800000");
	assert_int_equal(action->config.n, 4);
	rec_apply_ok(rec);
	raw_assert_overrides(rk, "orders", restored);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

/* --- partitions: growth and decrease --- */

static void test_partition_growth_lands_as_planned(void **state)
{
	struct rec *rec = *state;
	struct kdr_sandbox_cluster_spec spec = east_spec();
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	struct kdr_assignment first = {NULL, 0}, added = {NULL, 0};
	const struct kdr_action *action = NULL;
	json_t *kcat = NULL;

	desire_core(rec, 3, 3);
	rec_plan(rec, false);
	kdr_assignment_copy(&first, &rec_action(rec, KDR_ACTION_CREATE_TOPIC, "dc-east", "orders", NULL)->assignment);
	rec_apply_ok(rec);

	desire_core(rec, 7, 3);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 1);
	action = rec_action(rec, KDR_ACTION_ADD_PARTITIONS, "dc-east", "orders", NULL);
	assert_string_equal(action->reason, "partitions 3 -> 7");
	assert_int_equal(action->partitions, 7);
	assert_int_equal(action->replication_factor, 3);
	assert_int_equal(action->assignment.n, 4);
	assert_rack_aware(&spec, &action->assignment);
	kdr_assignment_copy(&added, &action->assignment);
	rec_apply_ok(rec);

	/* The old partitions did not move; the new ones are exactly where the plan put them. */
	raw_assert_assignment(rk, "orders", 7, 0, &first, true);
	raw_assert_assignment(rk, "orders", 7, 3, &added, true);
	kcat = kcat_metadata(rec, "dc-east");
	kcat_assert_assignment(kcat, "orders", 7, 0, &first, true);
	kcat_assert_assignment(kcat, "orders", 7, 3, &added, true);
	json_decref(kcat);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	kdr_assignment_release(&first);
	kdr_assignment_release(&added);
	rd_kafka_destroy(rk);
}

static void test_partition_decrease_is_blocked_and_nothing_sent(void **state)
{
	struct rec *rec = *state;
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	const struct kdr_blocked *blocked = NULL;

	desire_core(rec, 6, 3);
	rec_plan(rec, false);
	rec_apply_ok(rec);

	desire_core(rec, 2, 3);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 0);
	assert_int_equal(rec->plan.n_blocked, 1);
	blocked = rec_blocked(rec, "dc-east", "orders");
	assert_int_equal(blocked->kind, KDR_BLOCKED_PARTITION_DECREASE);
	assert_string_equal(blocked->policy, "core");
	assert_string_equal(blocked->reason, "partitions 6 -> 2: Kafka cannot remove partitions (recreate the topic, "
					     "or raise partitions in the policy)");
	assert_null(blocked->reassignment_json);
	rec_watch(rec, "dc-east");
	assert_int_equal(rec_apply(rec), 0);
	assert_int_equal(rec->report.n, 0);
	rec_assert_untouched(rec, "dc-east");
	assert_int_equal(raw_partition_count(rk, "orders"), 6);
	rd_kafka_destroy(rk);
}

/* --- replication factor changes: blocked, with a reassignment the live cluster accepts --- */

static bool list_has(const struct rd_kafka_metadata_partition *mp, int32_t id)
{
	for (int r = 0; r < mp->replica_cnt; r++)
		if (mp->replicas[r] == id)
			return true;
	return false;
}

/*
 * The JSON is what kafka-reassign-partitions.sh --execute accepts for the
 * live cluster: version 1, each partition of the topic at most once and
 * existing, `rf` distinct replicas that are live brokers on distinct racks,
 * log_dirs "any" per replica. Every partition is listed (the RF changes for
 * all) and keeps the replicas it can: the new list contains the old one
 * (growth) or is contained in it (shrink).
 */
static void assert_reassignment(rd_kafka_t *rk, const struct kdr_sandbox_cluster_spec *spec, const char *json_text,
				const char *topic, size_t rf)
{
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *mt = raw_topic(rk, &md, topic);
	json_error_t error = {0};
	json_t *root = json_loads(json_text, 0, &error);
	json_t *partitions = json_object_get(root, "partitions");
	json_t *entry = NULL;
	bool seen[64] = {false};
	size_t i = 0;

	assert_non_null(root);
	assert_non_null(mt);
	assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
	assert_int_equal(json_array_size(partitions), mt->partition_cnt);
	json_array_foreach(partitions, i, entry)
	{
		json_t *replicas = json_object_get(entry, "replicas");
		json_t *log_dirs = json_object_get(entry, "log_dirs");
		json_int_t partition = json_integer_value(json_object_get(entry, "partition"));
		const rd_kafka_metadata_partition_t *mp = NULL;
		size_t kept = 0;

		assert_string_equal(json_string_value(json_object_get(entry, "topic")), topic);
		assert_true(partition >= 0 && partition < mt->partition_cnt);
		assert_false(seen[partition]);
		seen[partition] = true;
		mp = &mt->partitions[partition];
		assert_int_equal(mp->id, partition);
		assert_int_equal(json_array_size(replicas), rf);
		assert_int_equal(json_array_size(log_dirs), rf);
		for (size_t r = 0; r < rf; r++) {
			json_int_t id = json_integer_value(json_array_get(replicas, r));
			bool live = false;

			assert_string_equal(json_string_value(json_array_get(log_dirs, r)), "any");
			for (int b = 0; b < md->broker_cnt; b++)
				live = live || md->brokers[b].id == id;
			assert_true(live);
			for (size_t s = 0; s < r; s++) {
				json_int_t other = json_integer_value(json_array_get(replicas, s));

				assert_int_not_equal(other, id);
				assert_string_not_equal(spec_rack(spec, (int32_t)other), spec_rack(spec, (int32_t)id));
			}
			kept += list_has(mp, (int32_t)id);
		}
		assert_int_equal(kept, (size_t)mp->replica_cnt < rf ? (size_t)mp->replica_cnt : rf);
	}
	json_decref(root);
	rd_kafka_metadata_destroy(md);
}

static void test_replication_factor_change_is_blocked_with_valid_reassignment(void **state)
{
	struct rec *rec = *state;
	struct kdr_sandbox_cluster_spec spec = east_spec();
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	const struct kdr_blocked *blocked = NULL;

	desire_core(rec, 4, 2);
	rec_plan(rec, false);
	rec_apply_ok(rec);

	/* orders 2 -> 3 (grow), and for events the policy's 3 -> 2 (shrink) through a per-topic override. */
	rec_desire(rec, EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
				     "  clusters: [dc-east]\n"
				     "  topics:\n"
				     "    - {name: orders, partitions: 4, replicationFactor: 3}\n"
				     "    - {name: events, replicationFactor: 2}\n"
				     "  partitions: 3\n  replicationFactor: 3\n"
				     "  config: {min.insync.replicas: \"2\", retention.ms: \"604800000\"}\n"
				     "  placement: {strategy: rack-aware}\n");
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 0);
	assert_int_equal(rec->plan.n_blocked, 2);
	blocked = rec_blocked(rec, "dc-east", "orders");
	assert_int_equal(blocked->kind, KDR_BLOCKED_REPLICATION_FACTOR);
	assert_string_equal(blocked->reason, "replication factor 2 -> 3 needs a partition reassignment "
					     "(kafka-reassign-partitions.sh; the admin API kdr uses cannot reassign)");
	assert_non_null(blocked->reassignment_json);
	assert_reassignment(rk, &spec, blocked->reassignment_json, "orders", 3);
	blocked = rec_blocked(rec, "dc-east", "events");
	assert_int_equal(blocked->kind, KDR_BLOCKED_REPLICATION_FACTOR);
	assert_string_equal(blocked->reason, "replication factor 3 -> 2 needs a partition reassignment "
					     "(kafka-reassign-partitions.sh; the admin API kdr uses cannot reassign)");
	assert_non_null(blocked->reassignment_json);
	assert_reassignment(rk, &spec, blocked->reassignment_json, "events", 2);

	rec_watch(rec, "dc-east");
	assert_int_equal(rec_apply(rec), 0);
	rec_assert_untouched(rec, "dc-east");
	rd_kafka_destroy(rk);
}

/* --- prune --- */

static void test_prune_deletes_only_with_allow_delete(void **state)
{
	struct rec *rec = *state;
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	const struct kdr_action *action = NULL;
	const char *const orphans[] = {"tmp.old", "tmp.older"};

	rec_desire(rec, EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: scratch}\nspec:\n"
				     "  clusters: [dc-east]\n  topics: [tmp.keep]\n  match: \"tmp\\\\..*\"\n"
				     "  prune: true\n  partitions: 1\n  replicationFactor: 3\n");
	rec_plan(rec, true);
	assert_int_equal(rec->plan.n_actions, 1);
	rec_apply_ok(rec);
	raw_create_topic(rk, "tmp.old", 2, 3);
	raw_create_topic(rk, "tmp.older", 1, 1);
	raw_create_topic(rk, "unrelated", 1, 1);

	/* Without --allow-delete: reported as skipped, nothing sent. */
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 0);
	assert_int_equal(rec->plan.n_blocked, 0);
	for (size_t i = 0; i < 2; i++) {
		char message[256] = "";
		const struct kdr_note *note = rec_note(rec, KDR_NOTE_WARNING, "dc-east", orphans[i], "skipped: ");

		snprintf(message, sizeof(message),
			 "skipped: would delete topic '%s' (policy 'scratch' prunes 'tmp\\..*' and no policy "
			 "declares it; use --allow-delete)",
			 orphans[i]);
		assert_non_null(note);
		assert_string_equal(note->message, message);
	}
	rec_watch(rec, "dc-east");
	assert_int_equal(rec_apply(rec), 0);
	rec_assert_untouched(rec, "dc-east");
	assert_true(raw_topic_present(rk, "tmp.old"));
	assert_true(raw_topic_present(rk, "tmp.older"));

	/* With it: exactly the two orphans go; the declared topic and the unmatched one stay. */
	rec_plan(rec, true);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 2);
	for (size_t i = 0; i < 2; i++) {
		action = rec_action(rec, KDR_ACTION_DELETE_TOPIC, "dc-east", orphans[i], NULL);
		assert_int_equal(action->risk, KDR_RISK_DESTRUCTIVE);
		assert_string_equal(action->reason,
				    "prune: matches 'tmp\\..*' of policy 'scratch' and no policy declares it");
	}
	if (rec_can(rec, KDR_TESTBED_CAP_COUNTERS))
		kdr_sandbox_reset_counters(rec->sandbox, "dc-east");
	rec_apply_ok(rec);
	if (rec_can(rec, KDR_TESTBED_CAP_COUNTERS))
		assert_int_equal(kdr_sandbox_request_count(rec->sandbox, "dc-east", REC_API_DELETE_TOPICS), 1);
	assert_true(raw_topic_absent(rk, "tmp.old"));
	assert_true(raw_topic_absent(rk, "tmp.older"));
	assert_true(raw_topic_present(rk, "tmp.keep"));
	assert_true(raw_topic_present(rk, "unrelated"));
	rec_plan(rec, true);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

/* Makes the brokers create __consumer_offsets, as the first consumer group does (FindCoordinator). */
static void raw_touch_group(const struct rec *rec, const char *cluster)
{
	char errstr[256] = "";
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;
	rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
	int64_t deadline = rec_now_ms() + 20000;

	assert_int_equal(
	    rd_kafka_conf_set(conf, "bootstrap.servers", rec_bootstrap(rec, cluster), errstr, sizeof(errstr)),
	    RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "group.id", "billing", errstr, sizeof(errstr)), RD_KAFKA_CONF_OK);
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	assert_non_null(rk);
	rd_kafka_topic_partition_list_add(parts, "orders", 0);
	/* The first lookup may meet COORDINATOR_NOT_AVAILABLE while the offsets topic is born: ask again. */
	do
		err = rd_kafka_committed(rk, parts, REC_TIMEOUT_MS);
	while (err && rec_now_ms() < deadline);
	assert_int_equal(err, 0);
	rd_kafka_topic_partition_list_destroy(parts);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
}

static void test_protected_topics_survive_a_prune_that_matches_them(void **state)
{
	struct kdr_sandbox_cluster_spec specs[2] = {east_spec(), east_spec()};
	struct rec *rec = NULL;
	rd_kafka_t *rk = NULL;
	static const char *const only_east[] = {"dc-east"};
	static const char *const protected_topics[] = {
	    "__consumer_offsets",
	    "heartbeats",
	    "dc-west.heartbeats",
	    "dc-west.checkpoints.internal",
	    "mm2-offset-syncs.dc-west.internal",
	    "dc-west.orders",
	};
	static const char *const reasons[] = {
	    "not pruned: internal topic ('__' prefix) (never deleted)",
	    "not pruned: MirrorMaker 2 heartbeats topic (never deleted)",
	    "not pruned: MirrorMaker 2 heartbeats topic (never deleted)",
	    "not pruned: MirrorMaker 2 / Connect internal topic (never deleted)",
	    "not pruned: MirrorMaker 2 / Connect internal topic (never deleted)",
	    "not pruned: remote topic of flow 'west-to-east' (replicated from 'dc-west'; never deleted)",
	};

	specs[1].name = "dc-west";
	specs[1].brokers = 1;
	specs[1].racks = NULL;
	specs[1].n_racks = 0;
	rec = rec_start(specs, 2);
	*state = rec;
	rk = raw_client(rec, "dc-east");
	/* A prune regex that matches everything, on the target of a flow. */
	rec_desire(rec,
		   EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: KafkaCluster\nmetadata: {name: dc-west}\nspec:\n"
				"  bootstrapServers: ${dc-west}\n"
				"---\n" REC_YAML_HEADER "kind: ReplicationFlow\nmetadata: {name: west-to-east}\nspec:\n"
				"  source: dc-west\n  target: dc-east\n  topics: [orders]\n"
				"---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: everything}\nspec:\n"
				"  clusters: [dc-east]\n  topics: [orders]\n  match: \".*\"\n  prune: true\n"
				"  partitions: 1\n  replicationFactor: 3\n");
	rec->clusters = only_east;
	rec->n_clusters = 1;
	rec_plan(rec, true);
	assert_int_equal(rec->plan.n_actions, 1);
	rec_apply_ok(rec);

	raw_touch_group(rec, "dc-east");
	for (size_t i = 1; i < sizeof(protected_topics) / sizeof(protected_topics[0]); i++)
		raw_create_topic(rk, protected_topics[i], 1, 1);
	raw_create_topic(rk, "junk", 1, 1);

	rec_plan(rec, true);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 1);
	rec_action(rec, KDR_ACTION_DELETE_TOPIC, "dc-east", "junk", NULL);
	for (size_t i = 0; i < sizeof(protected_topics) / sizeof(protected_topics[0]); i++) {
		const struct kdr_note *note =
		    rec_note(rec, KDR_NOTE_INFO, "dc-east", protected_topics[i], "not pruned: ");

		if (!note)
			rec_print_plan(rec);
		assert_non_null(note);
		assert_string_equal(note->message, reasons[i]);
	}
	rec_apply_ok(rec);
	assert_true(raw_topic_absent(rk, "junk"));
	for (size_t i = 0; i < sizeof(protected_topics) / sizeof(protected_topics[0]); i++)
		assert_true(raw_topic_present(rk, protected_topics[i]));
	assert_true(raw_topic_present(rk, "orders"));
	rec_plan(rec, true);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

/* --- saved plans --- */

static void test_saved_plan_round_trips_and_applies(void **state)
{
	struct rec *rec = *state;
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	struct kdr_buf saved = KDR_BUF_INIT, again = KDR_BUF_INIT;
	struct kdr_plan loaded = {0};
	char *before = NULL, *after = NULL;

	desire_core(rec, 4, 3);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 2);
	kdr_render_plan(&saved, &rec->plan, &rec->desired, KDR_RENDER_JSON);
	assert_int_equal(kdr_plan_from_json(&loaded, saved.ptr, saved.len, "plan.json"), 0);
	kdr_render_plan(&again, &loaded, &rec->desired, KDR_RENDER_JSON);
	assert_string_equal(again.ptr, saved.ptr);
	/* The plan remembers the live state it was made from. */
	before = kdr_plan_fingerprint(kdr_live_cluster_find(&rec->live, "dc-east"));
	assert_int_equal(loaded.fingerprints.n, 1);
	assert_string_equal(kdr_strmap_get(&loaded.fingerprints, "dc-east"), before);

	/* Applying the plan read back is applying the plan. */
	kdr_plan_release(&rec->plan);
	rec->plan = loaded;
	memset(&loaded, 0, sizeof(loaded));
	rec_apply_ok(rec);
	for (size_t i = 0; i < rec->plan.n_actions; i++) {
		const struct kdr_action *action = &rec->plan.actions[i];

		raw_assert_assignment(rk, action->resource, (size_t)action->partitions, 0, &action->assignment, true);
		raw_assert_overrides(rk, action->resource, core_overrides);
	}

	/* The live state moved: the saved plan's fingerprint no longer matches (kdr apply PLAN refuses it). */
	rec_read(rec);
	after = kdr_plan_fingerprint(kdr_live_cluster_find(&rec->live, "dc-east"));
	assert_string_not_equal(after, before);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	assert_string_equal(kdr_strmap_get(&rec->plan.fingerprints, "dc-east"), after);
	free(before);
	free(after);
	kdr_buf_release(&saved);
	kdr_buf_release(&again);
	rd_kafka_destroy(rk);
}

/* The union of the clusters the tests use: the shared bed of an external backend. */
static int group_setup(void **state)
{
	struct kdr_sandbox_cluster_spec specs[3] = {east_spec(), stretch_spec(), east_spec()};

	(void)state;
	specs[2].name = "dc-west";
	specs[2].brokers = 1;
	specs[2].racks = NULL;
	specs[2].n_racks = 0;
	return kdr_testbed_share("test_reconcile", specs, 3);
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
	    cmocka_unit_test_teardown(test_empty_clusters_take_the_topology_exactly, teardown),
	    cmocka_unit_test_setup_teardown(test_drift_repairs_managed_keys_and_keeps_unmanaged, setup_east, teardown),
	    cmocka_unit_test_setup_teardown(test_partition_growth_lands_as_planned, setup_east, teardown),
	    cmocka_unit_test_setup_teardown(test_partition_decrease_is_blocked_and_nothing_sent, setup_east, teardown),
	    cmocka_unit_test_setup_teardown(test_replication_factor_change_is_blocked_with_valid_reassignment,
					    setup_east, teardown),
	    cmocka_unit_test_setup_teardown(test_prune_deletes_only_with_allow_delete, setup_east, teardown),
	    cmocka_unit_test_teardown(test_protected_topics_survive_a_prune_that_matches_them, teardown),
	    cmocka_unit_test_setup_teardown(test_saved_plan_round_trips_and_applies, setup_east, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
