/*
 * Reconcile on a stretch cluster (2 DCs x 2 racks x 2 brokers) and with
 * tiered storage, end to end against the test bed (sandbox or real Kafka). Placement is checked on
 * the broker side; the DC-loss verdicts of the plan are checked against an
 * independent count of the broker-side replicas and, physically, by losing
 * a data centre and producing with acks=all.
 */
#include "reconcile_helpers.h"

static const char *const stretch_racks[] = {"a-1", "a-2", "b-1", "b-2"};
static const char *const east_racks[] = {"east-a", "east-b", "east-c"};

/* Brokers 1,5 on a-1, 2,6 on a-2 (dc-a); 3,7 on b-1, 4,8 on b-2 (dc-b). */
static const int32_t dc_a_brokers[] = {1, 2, 5, 6};

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

static struct kdr_sandbox_cluster_spec east_spec(const char *name, bool remote_storage)
{
	struct kdr_sandbox_cluster_spec spec = {0};

	spec.name = name;
	spec.brokers = 3;
	spec.racks = east_racks;
	spec.n_racks = 3;
	spec.remote_storage = remote_storage;
	spec.auto_create_topics = false;
	return spec;
}

static int setup_stretch(void **state)
{
	struct kdr_sandbox_cluster_spec spec = stretch_spec();

	*state = rec_start(&spec, 1);
	return 0;
}

/* dc-east: brokers with remote storage; dc-west: without. */
static int setup_tiering(void **state)
{
	struct kdr_sandbox_cluster_spec specs[2] = {east_spec("dc-east", true), east_spec("dc-west", false)};

	*state = rec_start(specs, 2);
	return 0;
}

static int teardown(void **state)
{
	rec_stop(*state);
	return 0;
}

#define STRETCH_CLUSTER                                                                                                \
	"---\n" REC_YAML_HEADER "kind: KafkaCluster\nmetadata: {name: stretch}\nspec:\n"                               \
	"  bootstrapServers: ${stretch}\n"                                                                             \
	"  datacenters:\n    dc-a: [a-1, a-2]\n    dc-b: [b-1, b-2]\n"

static bool in_dc_a(int32_t broker)
{
	for (size_t i = 0; i < sizeof(dc_a_brokers) / sizeof(dc_a_brokers[0]); i++)
		if (dc_a_brokers[i] == broker)
			return true;
	return false;
}

/* Per partition of the broker-side topic: replicas in dc-a (and, through *rf, the replica count). */
static void broker_side_dc_counts(rd_kafka_t *rk, const char *topic, size_t *in_a, size_t n, size_t *rf)
{
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *mt = raw_topic(rk, &md, topic);

	assert_non_null(mt);
	assert_int_equal(mt->partition_cnt, n);
	for (int i = 0; i < mt->partition_cnt; i++) {
		const rd_kafka_metadata_partition_t *mp = &mt->partitions[i];

		in_a[mp->id] = 0;
		for (int r = 0; r < mp->replica_cnt; r++)
			in_a[mp->id] += in_dc_a(mp->replicas[r]);
		*rf = (size_t)mp->replica_cnt;
	}
	rd_kafka_metadata_destroy(md);
}

/*
 * The plan's DC-loss report of a create action equals the count made from the
 * broker-side replicas: losing a DC leaves, at worst, rf - max(in that DC).
 */
static void assert_dc_loss_matches_broker_side(rd_kafka_t *rk, const struct kdr_action *action)
{
	size_t in_a[64] = {0};
	size_t rf = 0, worst_without_a = SIZE_MAX, worst_without_b = SIZE_MAX;
	const struct kdr_dc_loss_report *report = &action->placement.dc_loss;

	assert_true(action->partitions <= 64);
	broker_side_dc_counts(rk, action->resource, in_a, (size_t)action->partitions, &rf);
	for (size_t p = 0; p < (size_t)action->partitions; p++) {
		size_t left_without_a = rf - in_a[p], left_without_b = in_a[p];

		worst_without_a = left_without_a < worst_without_a ? left_without_a : worst_without_a;
		worst_without_b = left_without_b < worst_without_b ? left_without_b : worst_without_b;
	}
	assert_true(action->placement.has_dc_loss);
	assert_int_equal(report->n, 2);
	assert_string_equal(report->v[0].datacenter, "dc-a");
	assert_int_equal(report->v[0].min_replicas_left, worst_without_a);
	assert_int_equal(report->v[0].survives, worst_without_a >= (size_t)action->placement.min_insync_replicas);
	assert_string_equal(report->v[1].datacenter, "dc-b");
	assert_int_equal(report->v[1].min_replicas_left, worst_without_b);
	assert_int_equal(report->v[1].survives, worst_without_b >= (size_t)action->placement.min_insync_replicas);
	assert_int_equal(report->survives_any_single_dc_loss, report->v[0].survives && report->v[1].survives);
}

/* --- cross-dc placement --- */

static void test_cross_dc_placement_on_the_broker_side(void **state)
{
	struct rec *rec = *state;
	struct kdr_sandbox_cluster_spec spec = stretch_spec();
	rd_kafka_t *rk = raw_client(rec, "stretch");
	json_t *kcat = NULL;

	rec_desire(rec, STRETCH_CLUSTER
		   "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: stretch-critical}\nspec:\n"
		   "  clusters: [stretch]\n  topics: [ledger, {name: sessions, partitions: 4}]\n"
		   "  partitions: 8\n  replicationFactor: 4\n  config: {min.insync.replicas: \"2\"}\n"
		   "  placement: {strategy: cross-dc, preferredLeaderDatacenter: dc-a, requireDcLossSurvival: true}\n");
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 2);
	rec_apply_ok(rec);
	kcat = kcat_metadata(rec, "stretch");
	for (size_t i = 0; i < rec->plan.n_actions; i++) {
		const struct kdr_action *action = &rec->plan.actions[i];
		const struct rd_kafka_metadata *md = NULL;
		const rd_kafka_metadata_topic_t *mt = NULL;
		const struct kdr_note *note = rec_note(rec, KDR_NOTE_INFO, "stretch", action->resource, "dc-loss: ");
		char per_dc[16] = "";

		raw_assert_assignment(rk, action->resource, (size_t)action->partitions, 0, &action->assignment, true);
		kcat_assert_assignment(kcat, action->resource, (size_t)action->partitions, 0, &action->assignment,
				       true);
		/* Broker side: two replicas per DC on four distinct racks, the leader in dc-a. */
		mt = raw_topic(rk, &md, action->resource);
		assert_non_null(mt);
		for (int p = 0; p < mt->partition_cnt; p++) {
			const rd_kafka_metadata_partition_t *mp = &mt->partitions[p];
			size_t in_a = 0;

			assert_int_equal(mp->replica_cnt, 4);
			for (int r = 0; r < mp->replica_cnt; r++) {
				in_a += in_dc_a(mp->replicas[r]);
				for (int s = 0; s < r; s++)
					assert_string_not_equal(spec_rack(&spec, mp->replicas[r]),
								spec_rack(&spec, mp->replicas[s]));
			}
			assert_int_equal(in_a, 2);
			assert_true(in_dc_a(mp->leader));
		}
		rd_kafka_metadata_destroy(md);
		/* The plan said so: 2 per DC, survives either loss. */
		snprintf(per_dc, sizeof(per_dc), "%lld", (long long)action->partitions * 2);
		assert_string_equal(kdr_strmap_get(&action->placement.replicas_per_dc, "dc-a"), per_dc);
		assert_string_equal(kdr_strmap_get(&action->placement.replicas_per_dc, "dc-b"), per_dc);
		assert_int_equal(action->placement.min_insync_replicas, 2);
		assert_dc_loss_matches_broker_side(rk, action);
		assert_true(action->placement.dc_loss.survives_any_single_dc_loss);
		assert_non_null(note);
		assert_string_equal(note->message,
				    "dc-loss: acks=all writes survive the loss of any one datacenter "
				    "(min.insync.replicas=2; replicas left: without dc-a 2, without dc-b 2)");
	}
	json_decref(kcat);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

/* --- DC-loss verdicts, and losing a DC for real --- */

struct delivery {
	rd_kafka_resp_err_t err[64];
	size_t reported;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
	struct delivery *delivery = opaque;

	(void)rk;
	if (msg->partition >= 0 && msg->partition < 64)
		delivery->err[msg->partition] = msg->err;
	delivery->reported++;
}

/* One acks=all record per partition, no retries; each partition's outcome in delivery->err. */
static void produce_acks_all(const struct rec *rec, const char *topic, size_t partitions, struct delivery *delivery)
{
	char errstr[256] = "";
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;
	char value[] = "entry"; /* librdkafka's value pointer is not const */
	int64_t deadline = rec_now_ms() + 20000;

	memset(delivery, 0, sizeof(*delivery));
	assert_int_equal(
	    rd_kafka_conf_set(conf, "bootstrap.servers", rec_bootstrap(rec, "stretch"), errstr, sizeof(errstr)),
	    RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "acks", "all", errstr, sizeof(errstr)), RD_KAFKA_CONF_OK);
	/* NOT_ENOUGH_REPLICAS is retriable: report it at once instead of retrying until the timeout. */
	assert_int_equal(rd_kafka_conf_set(conf, "retries", "0", errstr, sizeof(errstr)), RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "message.timeout.ms", "10000", errstr, sizeof(errstr)),
			 RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)), RD_KAFKA_CONF_OK);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, delivery);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	assert_non_null(rk);
	for (size_t p = 0; p < partitions; p++)
		assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION((int32_t)p),
						   RD_KAFKA_V_VALUE(value, sizeof(value) - 1), RD_KAFKA_V_END),
				 0);
	while (delivery->reported < partitions && rec_now_ms() < deadline)
		rd_kafka_poll(rk, 100);
	assert_int_equal(delivery->reported, partitions);
	rd_kafka_destroy(rk);
}

/* The plan's warning for a topic whose DC losses leave worst_without_a / worst_without_b replicas (min ISR 2). */
static void expected_stop_note(char *out, size_t size, size_t worst_without_a, size_t worst_without_b)
{
	int n = snprintf(out, size, "dc-loss: acks=all writes stop if ");

	if (worst_without_a < 2)
		n += snprintf(out + n, size - (size_t)n, "'dc-a' is lost (%zu replica(s) left)", worst_without_a);
	if (worst_without_b < 2)
		n += snprintf(out + n, size - (size_t)n, "%s'dc-b' is lost (%zu replica(s) left)",
			      worst_without_a < 2 ? ", or if " : "", worst_without_b);
	snprintf(out + n, size - (size_t)n, "; min.insync.replicas=2");
}

/* Takes the DC's brokers down, produces acks=all to each partition, brings them back. */
static void lose_dc(struct rec *rec, bool dc_a, const char *topic, size_t partitions, struct delivery *delivery)
{
	for (int32_t id = 1; id <= 8; id++)
		if (in_dc_a(id) == dc_a)
			assert_int_equal(kdr_testbed_broker_down(rec->bed, "stretch", id), 0);
	produce_acks_all(rec, topic, partitions, delivery);
	for (int32_t id = 1; id <= 8; id++)
		if (in_dc_a(id) == dc_a)
			assert_int_equal(kdr_testbed_broker_up(rec->bed, "stretch", id), 0);
}

static void test_dc_loss_verdicts_hold_when_a_dc_is_lost(void **state)
{
	struct rec *rec = *state;
	rd_kafka_t *rk = raw_client(rec, "stretch");
	const struct kdr_action *fragile = NULL, *sturdy = NULL;
	const struct kdr_note *note = NULL;
	struct delivery delivery = {{0}, 0};
	char expected[256] = "";
	size_t in_a[64] = {0};
	size_t rf = 0, worst_without_a = SIZE_MAX, worst_without_b = SIZE_MAX;

	rec_desire(rec,
		   STRETCH_CLUSTER "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: fragile}\nspec:\n"
				   "  clusters: [stretch]\n  topics: [fragile]\n"
				   "  partitions: 6\n  replicationFactor: 3\n  config: {min.insync.replicas: \"2\"}\n"
				   "  placement: {strategy: cross-dc, preferredLeaderDatacenter: dc-a}\n"
				   "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: sturdy}\nspec:\n"
				   "  clusters: [stretch]\n  topics: [sturdy]\n"
				   "  partitions: 6\n  replicationFactor: 4\n  config: {min.insync.replicas: \"2\"}\n"
				   "  placement: {strategy: cross-dc, preferredLeaderDatacenter: dc-a}\n");
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 2);
	rec_apply_ok(rec);
	fragile = rec_action(rec, KDR_ACTION_CREATE_TOPIC, "stretch", "fragile", NULL);
	sturdy = rec_action(rec, KDR_ACTION_CREATE_TOPIC, "stretch", "sturdy", NULL);

	/* RF 3 over two DCs: one DC holds two replicas of each partition; losing it leaves one, below min ISR 2. */
	assert_dc_loss_matches_broker_side(rk, fragile);
	assert_false(fragile->placement.dc_loss.survives_any_single_dc_loss);
	broker_side_dc_counts(rk, "fragile", in_a, 6, &rf);
	assert_int_equal(rf, 3);
	for (size_t p = 0; p < 6; p++) {
		worst_without_a = rf - in_a[p] < worst_without_a ? rf - in_a[p] : worst_without_a;
		worst_without_b = in_a[p] < worst_without_b ? in_a[p] : worst_without_b;
	}
	expected_stop_note(expected, sizeof(expected), worst_without_a, worst_without_b);
	note = rec_note(rec, KDR_NOTE_WARNING, "stretch", "fragile", "dc-loss: ");
	if (!note)
		rec_print_plan(rec);
	assert_non_null(note);
	assert_string_equal(note->message, expected);
	assert_null(rec_note(rec, KDR_NOTE_INFO, "stretch", "fragile", "dc-loss: "));
	/* RF 4: two in each DC survive either loss. */
	assert_dc_loss_matches_broker_side(rk, sturdy);
	assert_true(sturdy->placement.dc_loss.survives_any_single_dc_loss);
	assert_non_null(rec_note(rec, KDR_NOTE_INFO, "stretch", "sturdy",
				 "dc-loss: acks=all writes survive the loss of any one datacenter"));

	/* Lose each DC for real: acks=all writes go on exactly where the plan said they would. */
	if (!kdr_testbed_can(KDR_TESTBED_CAP_BROKER_STOP))
		printf("not run on %s: losing a datacenter needs brokers taken down and back up\n",
		       kdr_testbed_backend_name());
	for (int lost_a = 1; lost_a >= 0 && kdr_testbed_can(KDR_TESTBED_CAP_BROKER_STOP); lost_a--) {
		lose_dc(rec, lost_a, "sturdy", 6, &delivery);
		for (size_t p = 0; p < 6; p++)
			assert_int_equal(delivery.err[p], RD_KAFKA_RESP_ERR_NO_ERROR);
		lose_dc(rec, lost_a, "fragile", 6, &delivery);
		for (size_t p = 0; p < 6; p++) {
			size_t left = lost_a ? rf - in_a[p] : in_a[p];

			assert_int_equal(delivery.err[p], left >= 2 ? RD_KAFKA_RESP_ERR_NO_ERROR
								    : RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
		}
	}
	rd_kafka_destroy(rk);
}

/*
 * Sets a dynamic config of one broker (kafka-configs.sh --entity-type brokers
 * --entity-name ID; librdkafka 2.0.2 cannot name the cluster-wide default
 * resource ""), which replaces that broker's dynamic set.
 */
static void raw_alter_broker(rd_kafka_t *rk, int32_t broker, const char *key, const char *value)
{
	char name[16] = "";
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_ConfigResource_t *resource = NULL;
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConfigResource_t **resources = NULL;
	size_t count = 0;

	snprintf(name, sizeof(name), "%d", (int)broker);
	resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, name);
	assert_non_null(resource);
	assert_int_equal(rd_kafka_ConfigResource_set_config(resource, key, value), 0);
	rd_kafka_AlterConfigs(rk, &resource, 1, NULL, queue);
	ev = rd_kafka_queue_poll(queue, REC_TIMEOUT_MS * 2);
	assert_non_null(ev);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	resources = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &count);
	assert_int_equal(count, 1);
	if (rd_kafka_ConfigResource_error(resources[0]))
		printf("broker %s: AlterConfigs %s=%s: %s: %s\n", name, key, value,
		       rd_kafka_err2name(rd_kafka_ConfigResource_error(resources[0])),
		       rd_kafka_ConfigResource_error_string(resources[0]));
	assert_int_equal(rd_kafka_ConfigResource_error(resources[0]), 0);
	rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(resource);
	rd_kafka_queue_destroy(queue);
}

/*
 * Waits (bounded) until broker `broker` describes `key` = `value` as a
 * dynamic broker config (its own or the cluster-wide default): a KRaft broker applies a change the controller took
 * a moment later.
 */
static void wait_broker_config(rd_kafka_t *rk, int32_t broker, const char *key, const char *value)
{
	char name[16] = "";
	int64_t deadline = rec_now_ms() + REC_SETTLE_MS;
	bool seen = false;

	snprintf(name, sizeof(name), "%d", (int)broker);
	while (!seen) {
		rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
		rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, name);
		rd_kafka_event_t *ev = NULL;
		const rd_kafka_ConfigResource_t **resources = NULL;
		const rd_kafka_ConfigEntry_t **entries = NULL;
		size_t count = 0, n_entries = 0;

		rd_kafka_DescribeConfigs(rk, &resource, 1, NULL, queue);
		ev = rd_kafka_queue_poll(queue, REC_TIMEOUT_MS * 2);
		assert_non_null(ev);
		assert_int_equal(rd_kafka_event_error(ev), 0);
		resources = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &count);
		assert_int_equal(count, 1);
		assert_int_equal(rd_kafka_ConfigResource_error(resources[0]), 0);
		entries = rd_kafka_ConfigResource_configs(resources[0], &n_entries);
		for (size_t i = 0; i < n_entries; i++) {
			const char *v = rd_kafka_ConfigEntry_value(entries[i]);

			seen = seen || (strcmp(rd_kafka_ConfigEntry_name(entries[i]), key) == 0 && v &&
					strcmp(v, value) == 0 &&
					(rd_kafka_ConfigEntry_source(entries[i]) ==
					     RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG ||
					 rd_kafka_ConfigEntry_source(entries[i]) ==
					     RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG));
		}
		rd_kafka_event_destroy(ev);
		rd_kafka_ConfigResource_destroy(resource);
		rd_kafka_queue_destroy(queue);
		if (!seen && rec_now_ms() > deadline)
			fail_msg("broker %s: %s=%s not described after %d ms", name, key, value, REC_SETTLE_MS);
		if (!seen)
			rec_sleep_ms(100);
	}
}

static void test_required_dc_loss_survival_blocks_and_sends_nothing(void **state)
{
	struct rec *rec = *state;
	rd_kafka_t *rk = raw_client(rec, "stretch");
	const struct kdr_blocked *blocked = NULL;
	struct kdr_desired declared = {0};
	struct kdr_diags diags = KDR_DIAGS_INIT;
	static const char policy_head[] = "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: strict}\nspec:\n"
					  "  clusters: [stretch]\n  topics: [ledger]\n"
					  "  partitions: 4\n  replicationFactor: 3\n";
	static const char placement[] =
	    "  placement: {strategy: cross-dc, preferredLeaderDatacenter: dc-a, requireDcLossSurvival: true}\n";
	static const char prefix[] = "policy requires surviving a datacenter loss, but the placement would not: "
				     "dc-loss: acks=all writes stop if ";
	struct kdr_buf yaml = KDR_BUF_INIT;
	enum kdr_config_source source_wanted = KDR_CONFIG_SOURCE_DYNAMIC_BROKER;

	/* Declared RF 3 and min ISR 2: refused offline, before any cluster is asked. */
	rec_expand(&yaml, rec, STRETCH_CLUSTER);
	kdr_buf_printf(&yaml, "%s  config: {min.insync.replicas: \"2\"}\n%s", policy_head, placement);
	assert_int_equal(kdr_spec_parse_yaml(&declared, "strict.yaml", yaml.ptr, yaml.len, &diags), 0);
	assert_int_equal(kdr_validate(&declared, &diags), KDR_EINVALID);
	assert_int_equal(diags.errors, 1);
	assert_string_equal(diags.v[0].field, "spec.placement.requireDcLossSurvival");
	assert_non_null(strstr(diags.v[0].message, "replication factor 3 over 2 datacenters leaves 1 replica after "
						   "losing one, fewer than min.insync.replicas 2"));
	kdr_diags_release(&diags);
	kdr_desired_release(&declared);

	/*
	 * Min ISR 2 from the brokers' configuration instead (not in the
	 * documents): only the live state tells, so the plan blocks it. The
	 * cluster has no topic yet whose configs would show that default.
	 */
	if (kdr_testbed_backend() == KDR_TESTBED_KAFKA) {
		/*
		 * Kafka 4.1 refuses a broker-level min.insync.replicas while ELR is
		 * enabled (INVALID_CONFIG "Broker-level min.insync.replicas cannot be
		 * altered while ELR is enabled."); the cluster-wide default is allowed,
		 * set here with kafka-configs (librdkafka 2.0.2 cannot name it).
		 */
		static const char *const args[] = {"--entity-type", "brokers", "--entity-default", "--alter",
						   "--add-config", "min.insync.replicas=2", NULL};

		if (kdr_testbed_kafka_tool(rec->bed, "stretch", "kafka.admin.ConfigCommand", args) != 0)
			fail_msg("%s", kdr_error_message());
		source_wanted = KDR_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER;
	} else {
		for (int32_t id = 1; id <= 8; id++)
			raw_alter_broker(rk, id, "min.insync.replicas", "2");
	}
	for (int32_t id = 1; id <= 8; id++)
		wait_broker_config(rk, id, "min.insync.replicas", "2");
	kdr_buf_reset(&yaml);
	kdr_buf_printf(&yaml, "%s%s%s", STRETCH_CLUSTER, policy_head, placement);
	rec_desire(rec, yaml.ptr);
	rec_plan(rec, false);
	{
		const struct kdr_live_cluster *cl = kdr_live_cluster_find(&rec->live, "stretch");
		enum kdr_config_source source = KDR_CONFIG_SOURCE_UNKNOWN;

		assert_int_equal(cl->n_topics, 0);
		assert_string_equal(kdr_live_effective_config(cl, NULL, "min.insync.replicas", &source), "2");
		assert_int_equal(source, source_wanted);
	}
	assert_int_equal(rec->plan.n_actions, 0);
	assert_int_equal(rec->plan.n_blocked, 1);
	blocked = rec_blocked(rec, "stretch", "ledger");
	assert_int_equal(blocked->kind, KDR_BLOCKED_ERROR);
	assert_string_equal(blocked->policy, "strict");
	if (strncmp(blocked->reason, prefix, strlen(prefix)) != 0)
		fail_msg("reason: %s", blocked->reason);
	assert_non_null(strstr(blocked->reason, "; min.insync.replicas=2"));
	rec_watch(rec, "stretch");
	assert_int_equal(rec_apply(rec), 0);
	rec_assert_untouched(rec, "stretch");
	assert_true(raw_topic_absent(rk, "ledger"));
	kdr_buf_release(&yaml);
	rd_kafka_destroy(rk);
}

/* --- tiered storage --- */

#define TIERING_CLUSTERS                                                                                               \
	"---\n" REC_YAML_HEADER "kind: KafkaCluster\nmetadata: {name: dc-east}\nspec:\n"                               \
	"  bootstrapServers: ${dc-east}\n"                                                                             \
	"---\n" REC_YAML_HEADER "kind: KafkaCluster\nmetadata: {name: dc-west}\nspec:\n"                               \
	"  bootstrapServers: ${dc-west}\n"

static const char *const tiered[] = {"local.retention.ms", "86400000", "remote.storage.enable", "true", "retention.ms",
				     "31536000000",	   NULL};

static void test_tiering_on_brokers_with_remote_storage(void **state)
{
	struct rec *rec = *state;
	static const char *const only_east[] = {"dc-east"};
	static const char *const plain[] = {"min.insync.replicas", "2", NULL};
	static const char *const events_tiered[] = {"local.retention.ms",
						    "86400000",
						    "min.insync.replicas",
						    "2",
						    "remote.storage.enable",
						    "true",
						    "retention.ms",
						    "31536000000",
						    NULL};
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	const struct kdr_action *action = NULL;

	rec->clusters = only_east;
	rec->n_clusters = 1;
	rec_desire(rec, TIERING_CLUSTERS
		   "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: archive}\nspec:\n"
		   "  clusters: [dc-east]\n  topics: [audit-log]\n  partitions: 3\n  replicationFactor: 3\n"
		   "  tiering: {enabled: true, localRetention: 1d, retention: 365d}\n"
		   "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
		   "  clusters: [dc-east]\n  topics: [events]\n  partitions: 3\n  replicationFactor: 3\n"
		   "  config: {min.insync.replicas: \"2\"}\n");
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 2);
	action = rec_action(rec, KDR_ACTION_CREATE_TOPIC, "dc-east", "audit-log", NULL);
	assert_int_equal(action->config.n, 3);
	rec_apply_ok(rec);
	raw_assert_overrides(rk, "audit-log", tiered);
	raw_assert_overrides(rk, "events", plain);

	/* Tiering an existing topic: one alter-configs, irreversible, keeping the other override. */
	rec_desire(rec, TIERING_CLUSTERS
		   "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: archive}\nspec:\n"
		   "  clusters: [dc-east]\n  topics: [audit-log, events]\n  partitions: 3\n  replicationFactor: 3\n"
		   "  tiering: {enabled: true, localRetention: 1d, retention: 365d}\n"
		   "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
		   "  clusters: [dc-east]\n  topics: [events]\n  partitions: 3\n  replicationFactor: 3\n"
		   "  config: {min.insync.replicas: \"2\"}\n");
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 1);
	action = rec_action(rec, KDR_ACTION_ALTER_CONFIGS, "dc-east", "events", NULL);
	assert_int_equal(action->risk, KDR_RISK_IRREVERSIBLE);
	assert_int_equal(action->n_changes, 3);
	assert_string_equal(action->changes[0].key, "local.retention.ms");
	assert_string_equal(action->changes[1].key, "remote.storage.enable");
	assert_string_equal(action->changes[2].key, "retention.ms");
	rec_apply_ok(rec);
	raw_assert_overrides(rk, "events", events_tiered);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

static void test_tiering_without_remote_storage_is_blocked_and_sends_nothing(void **state)
{
	struct rec *rec = *state;
	static const char *const only_west[] = {"dc-west"};
	static const char *const plain[] = {"min.insync.replicas", "2", NULL};
	rd_kafka_t *rk = raw_client(rec, "dc-west");
	const struct kdr_blocked *blocked = NULL;

	rec->clusters = only_west;
	rec->n_clusters = 1;
	rec_desire(rec, TIERING_CLUSTERS "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
					 "  clusters: [dc-west]\n  topics: [events]\n  partitions: 3\n"
					 "  replicationFactor: 3\n  config: {min.insync.replicas: \"2\"}\n");
	rec_plan(rec, false);
	rec_apply_ok(rec);

	rec_desire(rec, TIERING_CLUSTERS
		   "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: archive}\nspec:\n"
		   "  clusters: [dc-west]\n  topics: [audit-log, events]\n  partitions: 3\n  replicationFactor: 3\n"
		   "  tiering: {enabled: true, localRetention: 1d, retention: 365d}\n"
		   "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
		   "  clusters: [dc-west]\n  topics: [events]\n  partitions: 3\n  replicationFactor: 3\n"
		   "  config: {min.insync.replicas: \"2\"}\n");
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 0);
	assert_int_equal(rec->plan.n_blocked, 2);
	blocked = rec_blocked(rec, "dc-west", "audit-log");
	assert_int_equal(blocked->kind, KDR_BLOCKED_ERROR);
	assert_string_equal(blocked->reason, "cluster 'dc-west' brokers do not enable remote storage "
					     "(remote.log.storage.system.enable=false): cannot create a tiered topic");
	blocked = rec_blocked(rec, "dc-west", "events");
	assert_int_equal(blocked->kind, KDR_BLOCKED_ERROR);
	assert_string_equal(blocked->reason, "cluster 'dc-west' brokers do not enable remote storage "
					     "(remote.log.storage.system.enable=false): cannot enable tiering");
	rec_watch(rec, "dc-west");
	assert_int_equal(rec_apply(rec), 0);
	rec_assert_untouched(rec, "dc-west");
	assert_true(raw_topic_absent(rk, "audit-log"));
	raw_assert_overrides(rk, "events", plain);
	rd_kafka_destroy(rk);
}

/* The union of the clusters the tests use: the shared bed of an external backend. */
static int group_setup(void **state)
{
	struct kdr_sandbox_cluster_spec specs[3] = {stretch_spec(), east_spec("dc-east", true),
						    east_spec("dc-west", false)};

	(void)state;
	return kdr_testbed_share("test_reconcile_stretch", specs, 3);
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
	    cmocka_unit_test_setup_teardown(test_cross_dc_placement_on_the_broker_side, setup_stretch, teardown),
	    cmocka_unit_test_setup_teardown(test_dc_loss_verdicts_hold_when_a_dc_is_lost, setup_stretch, teardown),
	    cmocka_unit_test_setup_teardown(test_required_dc_loss_survival_blocks_and_sends_nothing, setup_stretch,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_tiering_on_brokers_with_remote_storage, setup_tiering, teardown),
	    cmocka_unit_test_setup_teardown(test_tiering_without_remote_storage_is_blocked_and_sends_nothing,
					    setup_tiering, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
