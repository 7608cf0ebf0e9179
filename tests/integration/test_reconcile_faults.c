/*
 * Reconcile under faults, end to end against the sandbox: a broker down
 * between plan and apply, a create-topic policy refusing one topic, requests
 * slower than kdr's timeout. In each case kdr reports the outcome per
 * action, stays bounded in time, and the next plan + apply converges.
 *
 * A broker down (and back) runs on the sandbox and on real Kafka (the
 * launcher's control channel stops one KafkaRaftServer of the cluster's JVM,
 * tests/support/testbed.h); the cases that need per-request fault injection
 * (a refused topic, latency, a request held while its broker dies) run on
 * the sandbox only, and on the other backends say so and skip before any bed
 * starts. kill -9 of the kdr binary mid-batch runs on every backend (latency
 * makes the batch long on the sandbox; on real Kafka it is long by itself).
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reconcile_helpers.h"

static const char *const racks[] = {"east-a", "east-b", "east-c"};
/* dc-east refuses a topic of more partitions (no other case here asks for more than 3). */
#define POLICY_MAX_PARTITIONS 12

static struct kdr_sandbox_cluster_spec east_spec(void)
{
	struct kdr_sandbox_cluster_spec spec = {0};

	spec.name = "dc-east";
	spec.brokers = 3;
	spec.racks = racks;
	spec.n_racks = 3;
	spec.auto_create_topics = false;
	/* A create-topic policy on both backends (real Kafka: KdrKafkaBed$LimitsPolicy on the controller). */
	spec.policy_max_partitions = POLICY_MAX_PARTITIONS;
	return spec;
}

/* Skips the test unless the backend can `cap`; otherwise the bed (freed by the teardown). */
static struct rec *start(void **state, enum kdr_testbed_cap cap, const char *why)
{
	struct kdr_sandbox_cluster_spec spec = east_spec();

	KDR_TESTBED_REQUIRE(cap, why);
	*state = rec_start(&spec, 1);
	return *state;
}

#define NEEDS_BROKER_STOP KDR_TESTBED_CAP_BROKER_STOP, "needs one broker taken down and back up"
#define NEEDS_FAULTS	  KDR_TESTBED_CAP_FAULTS, "needs fault injection"

static int teardown(void **state)
{
	rec_stop(*state);
	*state = NULL;
	return 0;
}

#define EAST_CLUSTER                                                                                                   \
	"---\n" REC_YAML_HEADER "kind: KafkaCluster\nmetadata: {name: dc-east}\nspec:\n"                               \
	"  bootstrapServers: ${dc-east}\n"

static const char core_yaml[] =
    EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
		 "  clusters: [dc-east]\n  topics: [orders, events, users]\n"
		 "  partitions: 3\n  replicationFactor: 3\n"
		 "  config: {min.insync.replicas: \"2\"}\n";

static const char *const core_overrides[] = {"min.insync.replicas", "2", NULL};

static bool has_replica(const struct kdr_replica_list *list, int32_t id)
{
	for (size_t r = 0; r < list->n; r++)
		if (list->ids[r] == id)
			return true;
	return false;
}

static const struct kdr_action_result *result_of(const struct rec *rec, const char *topic)
{
	size_t index = 0;

	rec_action(rec, KDR_ACTION_CREATE_TOPIC, "dc-east", topic, &index);
	return &rec->report.results[index];
}

/* --- a broker down between plan and apply --- */

/*
 * Planned with three brokers up, applied with one down. Kafka (KRaft's
 * ReplicationControlManager, and the sandbox) accepts a manual assignment
 * that names a registered but offline broker as long as each partition keeps
 * a live replica (the dead one is left out of the ISR, leadership goes to the
 * next live replica), and refuses the whole topic with
 * INVALID_REPLICA_ASSIGNMENT when a partition has no live replica at all.
 */
static void test_broker_down_during_apply(void **state)
{
	struct rec *rec = start(state, NEEDS_BROKER_STOP);
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	const struct kdr_action *wide = NULL, *single = NULL;
	const struct kdr_action_result *result = NULL;
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *mt = NULL;
	const int32_t down = 2;

	rec_desire(rec,
		   EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: wide}\nspec:\n"
				"  clusters: [dc-east]\n  topics: [wide]\n  partitions: 3\n  replicationFactor: 3\n"
				"---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: single}\nspec:\n"
				"  clusters: [dc-east]\n  topics: [single]\n  partitions: 3\n  replicationFactor: 1\n");
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 2);
	wide = rec_action(rec, KDR_ACTION_CREATE_TOPIC, "dc-east", "wide", NULL);
	single = rec_action(rec, KDR_ACTION_CREATE_TOPIC, "dc-east", "single", NULL);
	/* The premise: RF 1 over three brokers puts one partition on the broker that will be down. */
	{
		size_t on_down = 0;

		for (size_t p = 0; p < single->assignment.n; p++)
			on_down += has_replica(&single->assignment.partitions[p], down);
		assert_int_equal(on_down, 1);
	}

	assert_int_equal(kdr_testbed_broker_down(rec->bed, "dc-east", down), 0);
	assert_int_equal(rec_apply(rec), KDR_EINVALID);
	assert_int_equal(rec->report.succeeded, 1);
	assert_int_equal(rec->report.failed, 1);
	result = result_of(rec, "wide");
	assert_true(result->attempted);
	assert_int_equal(result->code, 0);
	result = result_of(rec, "single");
	assert_true(result->attempted);
	assert_int_equal(result->code, KDR_EINVALID);
	assert_string_equal(result->error_name, "INVALID_REPLICA_ASSIGNMENT");
	assert_non_null(strstr(result->message, "cluster 'dc-east': topic 'single': INVALID_REPLICA_ASSIGNMENT: "));

	/* Broker side: `wide` exists exactly as planned, the dead broker a replica outside the ISR. */
	raw_assert_assignment(rk, "wide", 3, 0, &wide->assignment, false);
	mt = raw_topic(rk, &md, "wide");
	assert_non_null(mt);
	for (int i = 0; i < mt->partition_cnt; i++) {
		const rd_kafka_metadata_partition_t *mp = &mt->partitions[i];
		const struct kdr_replica_list *planned = &wide->assignment.partitions[mp->id];

		assert_int_equal(mp->isr_cnt, 2);
		for (int r = 0; r < mp->isr_cnt; r++)
			assert_int_not_equal(mp->isrs[r], down);
		assert_int_equal(mp->leader, planned->ids[0] != down ? planned->ids[0] : planned->ids[1]);
	}
	rd_kafka_metadata_destroy(md);
	assert_true(raw_topic_absent(rk, "single"));

	/*
	 * Planned while it is down (a rolling restart looks the same): a
	 * replica on a broker Metadata does not list is no placement violation
	 * to block on or reassign away from, only a warning.
	 */
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 1);
	rec_action(rec, KDR_ACTION_CREATE_TOPIC, "dc-east", "single", NULL);
	assert_non_null(rec_note(rec, KDR_NOTE_WARNING, "dc-east", "wide",
				 "placement not checked: broker(s) 2 hold replicas but are not live (down, or removed "
				 "from the cluster)"));

	/* The broker returns: the next run creates what failed, and only that. */
	assert_int_equal(kdr_testbed_broker_up(rec->bed, "dc-east", down), 0);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 1);
	single = rec_action(rec, KDR_ACTION_CREATE_TOPIC, "dc-east", "single", NULL);
	rec_apply_ok(rec);
	raw_assert_assignment(rk, "single", 3, 0, &single->assignment, true);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

/*
 * The controller itself is down when the apply starts: CreateTopics must
 * reach the new controller (the next live broker), and a plan made before
 * still applies where each partition keeps a live replica.
 */
static void test_controller_down_during_apply(void **state)
{
	struct rec *rec = start(state, NEEDS_BROKER_STOP);
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	const struct kdr_action *action = NULL;
	int32_t controller = -1;

	rec_desire(rec, core_yaml);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 3);
	/*
	 * The broker Metadata names as controller (on KRaft a broker that
	 * forwards to the quorum, a different one over time; on the sandbox the
	 * controller itself, the lowest live id).
	 */
	controller = rd_kafka_controllerid(rk, 10000);
	printf("# backend %s: Metadata names broker %d the controller; taking it down\n", kdr_testbed_backend_name(),
	       (int)controller);
	assert_true(controller >= 1 && controller <= 3);
	if (rec->sandbox)
		assert_int_equal(kdr_sandbox_controller_id(rec->sandbox, "dc-east"), controller);
	assert_int_equal(kdr_testbed_broker_down(rec->bed, "dc-east", controller), 0);
	if (rec->sandbox)
		assert_int_not_equal(kdr_sandbox_controller_id(rec->sandbox, "dc-east"), controller);
	rec_apply_ok(rec);
	for (size_t i = 0; i < rec->plan.n_actions; i++) {
		action = &rec->plan.actions[i];
		raw_assert_assignment(rk, action->resource, 3, 0, &action->assignment, false);
		raw_assert_overrides(rk, action->resource, core_overrides);
	}
	assert_int_equal(kdr_testbed_broker_up(rec->bed, "dc-east", controller), 0);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

/* --- a create-topic policy refuses one topic --- */

static void test_policy_violation_fails_one_action_then_converges(void **state)
{
	struct rec *rec = start(state, NEEDS_FAULTS);
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	const struct kdr_action_result *result = NULL;

	rec_desire(rec, core_yaml);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 3);
	assert_int_equal(kdr_sandbox_inject_topic_error(rec->sandbox, "dc-east", REC_API_CREATE_TOPICS, "events",
							REC_ERR_POLICY_VIOLATION, 1),
			 0);
	assert_int_equal(rec_apply(rec), KDR_EINVALID);
	assert_int_equal(rec->report.succeeded, 2);
	assert_int_equal(rec->report.failed, 1);
	result = result_of(rec, "events");
	assert_true(result->attempted);
	assert_int_equal(result->code, KDR_EINVALID);
	assert_string_equal(result->error_name, "POLICY_VIOLATION");
	assert_non_null(strstr(result->message, "cluster 'dc-east': topic 'events': POLICY_VIOLATION"));
	for (size_t i = 0; i < rec->plan.n_actions; i++) {
		const struct kdr_action *action = &rec->plan.actions[i];

		if (strcmp(action->resource, "events") == 0)
			continue;
		assert_int_equal(rec->report.results[i].code, 0);
		assert_null(rec->report.results[i].error_name);
		raw_assert_assignment(rk, action->resource, 3, 0, &action->assignment, true);
		raw_assert_overrides(rk, action->resource, core_overrides);
	}
	assert_true(raw_topic_absent(rk, "events"));

	/* The next run plans exactly the topic that failed, and it goes through. */
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_blocked, 0);
	assert_int_equal(rec->plan.n_actions, 1);
	rec_action(rec, KDR_ACTION_CREATE_TOPIC, "dc-east", "events", NULL);
	rec_apply_ok(rec);
	raw_assert_assignment(rk, "events", 3, 0, &rec->plan.actions[0].assignment, true);
	raw_assert_overrides(rk, "events", core_overrides);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

/*
 * The same without fault injection, on every backend: the cluster's own
 * create-topic policy (Kafka's create.topic.policy.class.name) refuses a
 * topic of too many partitions. Only that action fails, with Kafka's error
 * name and the policy's message; the others land; once the policy's limit
 * is met the next run creates it and nothing is left.
 */
static void test_create_topic_policy_refuses_one_topic(void **state)
{
	struct kdr_sandbox_cluster_spec spec = east_spec();
	struct rec *rec = *state = rec_start(&spec, 1);
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	const struct kdr_action_result *result = NULL;
	const struct kdr_action *orders = NULL;
	static const char big_yaml[] =
	    EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
			 "  clusters: [dc-east]\n  topics: [orders, {name: big, partitions: 24}]\n"
			 "  partitions: 3\n  replicationFactor: 3\n";

	rec_desire(rec, big_yaml);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 2);
	assert_int_equal(rec_apply(rec), KDR_EINVALID);
	assert_int_equal(rec->report.succeeded, 1);
	assert_int_equal(rec->report.failed, 1);
	result = result_of(rec, "big");
	printf("# backend %s: %s\n", kdr_testbed_backend_name(), result->message);
	assert_true(result->attempted);
	assert_int_equal(result->code, KDR_EINVALID);
	assert_string_equal(result->error_name, "POLICY_VIOLATION");
	assert_non_null(strstr(result->message, "cluster 'dc-east': topic 'big': POLICY_VIOLATION: "));
	assert_non_null(strstr(result->message, "Topic big: 24 partitions exceed the maximum of 12"));
	assert_int_equal(result_of(rec, "orders")->code, 0);
	orders = rec_action(rec, KDR_ACTION_CREATE_TOPIC, "dc-east", "orders", NULL);
	raw_assert_assignment(rk, "orders", 3, 0, &orders->assignment, true);
	assert_true(raw_topic_absent(rk, "big"));

	/* Within the limit: the next run creates exactly that topic, then nothing is left. */
	rec_desire(rec, EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
				     "  clusters: [dc-east]\n  topics: [orders, {name: big, partitions: 12}]\n"
				     "  partitions: 3\n  replicationFactor: 3\n");
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 1);
	rec_action(rec, KDR_ACTION_CREATE_TOPIC, "dc-east", "big", NULL);
	rec_apply_ok(rec);
	raw_assert_assignment(rk, "big", 12, 0, &rec->plan.actions[0].assignment, true);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

/* --- requests slower than the timeout --- */

#define SHORT_TIMEOUT_MS 800
#define SLOW_MS		 3000
/* Longer than any test could take: only the broker going down ends the wait. */
#define STUCK_MS 60000

/* Waits (bounded) until every topic of the plan exists on the broker side. */
static void wait_for_topics(rd_kafka_t *rk, const struct kdr_plan *plan, int64_t deadline)
{
	for (;;) {
		size_t missing = 0;

		for (size_t i = 0; i < plan->n_actions; i++)
			{
			const struct rd_kafka_metadata *md = NULL;

			missing += raw_topic_now(rk, &md, plan->actions[i].resource) == NULL;
			rd_kafka_metadata_destroy(md);
		}
		if (!missing)
			return;
		if (rec_now_ms() > deadline)
			fail_msg("%zu topic(s) still missing", missing);
		rec_sleep_ms(50);
	}
}

/*
 * CreateTopics answers after the executor gave up: each create fails on its
 * own with _TIMED_OUT, within the timeout. As with Kafka, the broker still
 * carries out a request it received; the next run sees those topics exactly
 * as planned and has nothing left to do (no TOPIC_ALREADY_EXISTS churn).
 */
static void test_request_timeout_fails_each_action_then_converges(void **state)
{
	struct rec *rec = start(state, NEEDS_FAULTS);
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	int64_t t0 = 0, elapsed = 0;

	rec_desire(rec, core_yaml);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 3);
	assert_int_equal(kdr_sandbox_set_latency(rec->sandbox, "dc-east", REC_API_CREATE_TOPICS, SLOW_MS), 0);
	rec->timeout_ms = SHORT_TIMEOUT_MS;
	t0 = rec_now_ms();
	assert_int_equal(rec_apply(rec), KDR_ETIMEOUT);
	elapsed = rec_now_ms() - t0;
	/* Bounded by kdr's timeout, not by the slow broker. */
	assert_true(elapsed < SLOW_MS);
	assert_int_equal(rec->report.failed, 3);
	for (size_t i = 0; i < rec->plan.n_actions; i++) {
		const struct kdr_action_result *result = &rec->report.results[i];
		char prefix[128] = "";

		snprintf(prefix, sizeof(prefix), "cluster 'dc-east': topic '%s': CreateTopics request: _TIMED_OUT",
			 rec->plan.actions[i].resource);
		assert_true(result->attempted);
		assert_int_equal(result->code, KDR_ETIMEOUT);
		assert_string_equal(result->error_name, "_TIMED_OUT");
		assert_non_null(strstr(result->message, prefix));
	}
	assert_int_equal(kdr_sandbox_set_latency(rec->sandbox, "dc-east", REC_API_CREATE_TOPICS, 0), 0);
	rec->timeout_ms = REC_TIMEOUT_MS;

	/* The late request lands on the broker side, with the plan's assignment. */
	wait_for_topics(rk, &rec->plan, t0 + SLOW_MS + 10000);
	for (size_t i = 0; i < rec->plan.n_actions; i++) {
		const struct kdr_action *action = &rec->plan.actions[i];

		raw_assert_assignment(rk, action->resource, 3, 0, &action->assignment, true);
		raw_assert_overrides(rk, action->resource, core_overrides);
	}
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

/*
 * A request that never reached the broker's handler (the broker went down
 * while it waited) is lost: the next run plans it again and converges.
 */
static void test_request_lost_with_its_broker_is_planned_again(void **state)
{
	struct rec *rec = start(state, NEEDS_FAULTS);
	rd_kafka_t *rk = raw_client(rec, "dc-east");
	int32_t controller = 0;
	int64_t t0 = 0;

	rec_desire(rec, core_yaml);
	rec_plan(rec, false);
	assert_int_equal(kdr_sandbox_set_latency(rec->sandbox, "dc-east", REC_API_CREATE_TOPICS, STUCK_MS), 0);
	rec->timeout_ms = SHORT_TIMEOUT_MS;
	t0 = rec_now_ms();
	assert_int_equal(rec_apply(rec), KDR_ETIMEOUT);
	assert_true(rec_now_ms() - t0 < SLOW_MS);
	assert_int_equal(rec->report.failed, 3);
	/* The controller holds the slow request; taking it down drops the request. */
	controller = kdr_sandbox_controller_id(rec->sandbox, "dc-east");
	assert_int_equal(kdr_sandbox_broker_down(rec->sandbox, "dc-east", controller), 0);
	assert_int_equal(kdr_sandbox_set_latency(rec->sandbox, "dc-east", REC_API_CREATE_TOPICS, 0), 0);
	assert_int_equal(kdr_sandbox_broker_up(rec->sandbox, "dc-east", controller), 0);
	rec->timeout_ms = REC_TIMEOUT_MS;
	for (size_t i = 0; i < rec->plan.n_actions; i++)
		assert_true(raw_topic_absent(rk, rec->plan.actions[i].resource));

	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 3);
	rec_apply_ok(rec);
	for (size_t i = 0; i < rec->plan.n_actions; i++)
		raw_assert_assignment(rk, rec->plan.actions[i].resource, 3, 0, &rec->plan.actions[i].assignment, false);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
}

/* Takes the controller down after `delay_ms`, from another thread (the apply is running). */
struct controller_killer {
	struct kdr_sandbox *sandbox;
	int delay_ms;
	int32_t killed;
};

static void *kill_controller_later(void *arg)
{
	struct controller_killer *k = arg;
	struct timespec ts = {k->delay_ms / 1000, (long)(k->delay_ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
	k->killed = kdr_sandbox_controller_id(k->sandbox, "dc-east");
	kdr_sandbox_broker_down(k->sandbox, "dc-east", k->killed);
	return NULL;
}

/*
 * issue 14 item 5: the controller is lost mid-apply (120 topics in 4
 * CreateTopics requests, 2 in flight, each held 400 ms by the broker; the
 * controller goes down at 600 ms, with requests in flight). Another broker is
 * controller at once; kdr refreshes the metadata and sends the lost requests
 * again instead of failing them and every later request after a full
 * timeout each (before: the in-flight and later requests failed, "no
 * controller" / timed out). Every topic is created, in about one timeout.
 */
static void test_controller_lost_mid_apply(void **state)
{
	struct rec *rec = start(state, NEEDS_FAULTS);
	rd_kafka_t *rk = NULL;
	struct kdr_buf yaml = KDR_BUF_INIT;
	struct controller_killer killer = {NULL, 600, -1};
	pthread_t thread;
	int64_t t0 = 0, elapsed = 0;
	int rc = 0;

	kdr_buf_puts(&yaml, EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: many}\nspec:\n"
				       "  clusters: [dc-east]\n  partitions: 1\n  replicationFactor: 3\n  topics:\n");
	for (int i = 0; i < 120; i++)
		kdr_buf_printf(&yaml, "    - t%03d\n", i);
	rec_desire(rec, yaml.ptr);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 120);
	assert_int_equal(kdr_sandbox_set_latency(rec->sandbox, "dc-east", REC_API_CREATE_TOPICS, 400), 0);
	rec->timeout_ms = REC_TIMEOUT_MS;
	killer.sandbox = rec->sandbox;
	assert_int_equal(pthread_create(&thread, NULL, kill_controller_later, &killer), 0);
	t0 = rec_now_ms();
	rc = rec_apply(rec);
	elapsed = rec_now_ms() - t0;
	pthread_join(thread, NULL);
	printf("# backend: sandbox; controller %d down at %d ms; apply %lld ms, rc %d, %zu ok, %zu failed\n",
	       (int)killer.killed, killer.delay_ms, (long long)elapsed, rc, rec->report.succeeded, rec->report.failed);
	for (size_t i = 0; i < rec->report.n && i < 200; i++)
		if (rec->report.results[i].code)
			printf("#   %s\n", rec->report.results[i].message);
	assert_int_equal(rec->report.failed, 0);
	assert_int_equal(rc, 0);
	/* One lost request's timeout at most, not one per request. */
	assert_true(elapsed < 2 * REC_TIMEOUT_MS + 5000);
	assert_int_equal(kdr_sandbox_set_latency(rec->sandbox, "dc-east", REC_API_CREATE_TOPICS, 0), 0);
	assert_int_equal(kdr_sandbox_broker_up(rec->sandbox, "dc-east", killer.killed), 0);
	/* Every topic exists as planned (an independent client), and nothing is left to do. */
	rk = raw_client(rec, "dc-east");
	for (size_t i = 0; i < rec->plan.n_actions; i++)
		raw_assert_assignment(rk, rec->plan.actions[i].resource, 1, 0, &rec->plan.actions[i].assignment, false);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
	rd_kafka_destroy(rk);
	kdr_buf_release(&yaml);
}

/* --- kill -9 of `kdr apply` mid-batch (issue 14 item 6) --- */

#define KILL_KEPT 20	/* existing topics whose partitions and config the batch changes */
#define KILL_FRESH 320	/* topics the batch creates: 10 CreateTopics requests of 32, 2 in flight */
#define KILL_LATENCY_MS 1500
#define API_CREATE_PARTITIONS 37
#define API_INCREMENTAL_ALTER_CONFIGS 44
#define API_ALTER_CONFIGS 33

/* The APIs of the batch, slowed on the sandboxes. */
static const int kill_slowed[] = { REC_API_CREATE_TOPICS, API_CREATE_PARTITIONS, API_INCREMENTAL_ALTER_CONFIGS,
				   API_ALTER_CONFIGS };

extern char **environ;

/* The kdr binary: $KDR_BIN (hack/test.sh), else build/kdr next to build/tests/ of this binary. */
static char *kdr_binary(void)
{
	const char *env = getenv("KDR_BIN");
	char self[PATH_MAX] = "";
	ssize_t n = 0;
	char *slash = NULL;

	if (env && *env)
		return kdr_strdup(env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	slash = strrchr(self, '/');
	assert_non_null(slash);
	*slash = '\0';
	return kdr_asprintf("%s/../kdr", self);
}

/* Starts `kdr ARGS...` with stdout and stderr into `log`; returns its pid. */
static pid_t spawn_kdr(const char *log, const char *const *args)
{
	posix_spawn_file_actions_t actions;
	char *bin = kdr_binary();
	char *argv[16] = {NULL};
	pid_t pid = -1;
	size_t n = 0;

	argv[n++] = bin;
	for (; args[n - 1] && n < 15; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&actions, 1, 2);
	assert_int_equal(posix_spawn(&pid, bin, &actions, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&actions);
	free(bin);
	return pid;
}

/* Runs `kdr ARGS...` to the end; its exit status (-1: killed), output into `out`. */
static int run_kdr(struct kdr_buf *out, const char *log, const char *const *args)
{
	pid_t pid = spawn_kdr(log, args);
	int status = 0;
	FILE *f = NULL;
	char chunk[4096];
	size_t n = 0;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	kdr_buf_truncate(out, 0);
	f = fopen(log, "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kdr_buf_put(out, chunk, n);
	fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* How many of the fresh topics one Metadata answer of every topic lists. */
static size_t count_fresh(rd_kafka_t *rk)
{
	const struct rd_kafka_metadata *md = NULL;
	size_t n = 0;

	if (rd_kafka_metadata(rk, 1, NULL, &md, 2000) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return 0;
	for (int i = 0; i < md->topic_cnt; i++)
		n += strncmp(md->topics[i].topic, "fresh-", 6) == 0 && md->topics[i].err == 0;
	rd_kafka_metadata_destroy(md);
	return n;
}

static const char *const kept_old[] = {"retention.ms", "3600000", NULL};
static const char *const kept_new[] = {"retention.ms", "7200000", NULL};

/* "Applied: N succeeded, F failed, S skipped" of an apply's output, or fails the test. */
static void applied_counts(const char *output, size_t *ok, size_t *failed)
{
	const char *line = strstr(output, "\nApplied: ");
	unsigned long a = 0, b = 0, c = 0;

	if (!line || sscanf(line, "\nApplied: %lu succeeded, %lu failed, %lu skipped", &a, &b, &c) != 3) {
		printf("%s\n", output);
		fail_msg("no 'Applied' summary in the output above");
	}
	*ok = a;
	*failed = b;
}

/*
 * kill -9 of `kdr apply` mid-batch (issue 14 item 6): the kdr binary applies
 * a batch of 320 creates, 20 partition increases and 20 config changes; it
 * is killed once some of the creates are visible and before all are (on the
 * sandbox each write request is held 1.5 s to make the batch long; on real
 * Kafka the batch is long by itself). The next `kdr apply`, started at once,
 * converges: it plans and applies only what is missing, every one of its
 * actions succeeds (the dead run's requests that land late are not created
 * twice), nothing is lost (an independent client sees every topic,
 * partition count and config), and `kdr plan --detailed-exitcode` then
 * exits 0 (no changes).
 */
static void test_kill_9_of_apply_mid_batch(void **state)
{
	struct kdr_sandbox_cluster_spec spec = east_spec();
	struct rec *rec = NULL;
	struct kdr_buf old_yaml = KDR_BUF_INIT, new_yaml = KDR_BUF_INIT, text = KDR_BUF_INIT, out = KDR_BUF_INIT;
	char dir[] = "/tmp/kdr-kill9-XXXXXX";
	char *file = NULL, *log = NULL, *log2 = NULL;
	rd_kafka_t *rk = NULL;
	FILE *f = NULL;
	pid_t pid = -1;
	int status = 0, rc = 0;
	size_t seen = 0, ok = 0, failed = 0, total = KILL_FRESH + 2 * KILL_KEPT;
	int64_t t0 = 0, killed_at = 0;

	*state = rec = rec_start(&spec, 1);
	/* The topics the batch changes, as they were: 1 partition, retention 1 h. */
	kdr_buf_puts(&old_yaml, EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: kept}\nspec:\n"
					   "  clusters: [dc-east]\n  partitions: 1\n  replicationFactor: 3\n"
					   "  config: {retention.ms: \"3600000\"}\n  topics:\n");
	for (int i = 0; i < KILL_KEPT; i++)
		kdr_buf_printf(&old_yaml, "    - kept-%02d\n", i);
	rec_desire(rec, old_yaml.ptr);
	rec_plan(rec, false);
	rec_apply_ok(rec);
	rk = raw_client(rec, "dc-east");
	raw_assert_overrides(rk, "kept-00", kept_old);
	/* The batch: each kept topic to 2 partitions and 2 h, and 320 new topics. */
	kdr_buf_puts(&new_yaml, EAST_CLUSTER "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: kept}\nspec:\n"
					   "  clusters: [dc-east]\n  partitions: 2\n  replicationFactor: 3\n"
					   "  config: {retention.ms: \"7200000\"}\n  topics:\n");
	for (int i = 0; i < KILL_KEPT; i++)
		kdr_buf_printf(&new_yaml, "    - kept-%02d\n", i);
	kdr_buf_puts(&new_yaml, "---\n" REC_YAML_HEADER "kind: TopicPolicy\nmetadata: {name: fresh}\nspec:\n"
				"  clusters: [dc-east]\n  partitions: 2\n  replicationFactor: 3\n  topics:\n");
	for (int i = 0; i < KILL_FRESH; i++)
		kdr_buf_printf(&new_yaml, "    - fresh-%03d\n", i);
	rec_desire(rec, new_yaml.ptr);
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, total);
	assert_non_null(mkdtemp(dir));
	file = kdr_asprintf("%s/desired.yaml", dir);
	log = kdr_asprintf("%s/apply-1.log", dir);
	log2 = kdr_asprintf("%s/apply-2.log", dir);
	rec_expand(&text, rec, new_yaml.ptr);
	f = fopen(file, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text.ptr, 1, text.len, f), text.len);
	fclose(f);

	/*
	 * Both sandboxes answer the whole batch within a poll or two (kdr-sandbox
	 * too: without this it was killed after the last create 1 run in 3), so
	 * their batch is made long; real Kafka's is long by itself.
	 */
	if (kdr_testbed_backend() != KDR_TESTBED_KAFKA)
		for (size_t i = 0; i < sizeof(kill_slowed) / sizeof(kill_slowed[0]); i++)
			assert_int_equal(kdr_testbed_set_latency(rec->bed, "dc-east", kill_slowed[i], KILL_LATENCY_MS), 0);
	t0 = rec_now_ms();
	pid = spawn_kdr(log, (const char *const[]){"apply", dir, "--yes", NULL});
	/* Kill it once the first creates are visible, never after the last. */
	while (rec_now_ms() - t0 < 120000) {
		seen = count_fresh(rk);
		if (seen > 0)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = -1;
			break;
		}
		rec_sleep_ms(10);
	}
	if (pid > 0) {
		killed_at = rec_now_ms() - t0;
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
	}
	printf("# backend: %s; kdr apply killed (SIGKILL) at %lld ms with %zu of %d creates visible\n",
	       kdr_testbed_backend_name(), (long long)killed_at, seen, KILL_FRESH);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* Mid-batch: some of it landed, not all of it. */
	assert_true(seen > 0 && seen < KILL_FRESH);

	/*
	 * The next run at once, while the dead run's last requests are still held
	 * by the broker (on the sandbox: the same latency for both runs, so the
	 * dead run's requests land first): it reads the topics as missing, and its
	 * creates of them answer TOPIC_ALREADY_EXISTS. They exist as planned, so
	 * the actions are done (before: 64 failed, exit 1). Every action succeeds.
	 */
	rc = run_kdr(&out, log2, (const char *const[]){"apply", dir, "--yes", NULL});
	applied_counts(out.ptr, &ok, &failed);
	printf("# second apply: exit %d, %zu succeeded, %zu failed (of %zu in the first plan)\n", rc, ok, failed, total);
	if (rc != 0 || failed)
		printf("%s\n", out.ptr);
	assert_int_equal(rc, 0);
	assert_int_equal(failed, 0);
	assert_true(ok > 0 && ok <= total - seen);
	assert_null(strstr(out.ptr, "FAILED"));
	if (kdr_testbed_backend() != KDR_TESTBED_KAFKA)
		for (size_t i = 0; i < sizeof(kill_slowed) / sizeof(kill_slowed[0]); i++)
			assert_int_equal(kdr_testbed_set_latency(rec->bed, "dc-east", kill_slowed[i], 0), 0);

	/* Nothing lost: an independent client sees every topic, partition count and config. */
	rec_settle(rec);
	for (int i = 0; i < KILL_FRESH; i++) {
		char name[32];

		snprintf(name, sizeof(name), "fresh-%03d", i);
		assert_int_equal(raw_partition_count(rk, name), 2);
	}
	for (int i = 0; i < KILL_KEPT; i++) {
		char name[32];

		snprintf(name, sizeof(name), "kept-%02d", i);
		assert_int_equal(raw_partition_count(rk, name), 2);
		raw_assert_overrides(rk, name, kept_new);
	}
	/* And nothing left: the binary's plan and kdr's own are empty. */
	rc = run_kdr(&out, log2, (const char *const[]){"plan", dir, "--detailed-exitcode", NULL});
	if (rc != 0)
		printf("%s\n", out.ptr);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out.ptr, "No changes"));
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);

	rd_kafka_destroy(rk);
	unlink(file);
	unlink(log);
	unlink(log2);
	rmdir(dir);
	free(file);
	free(log);
	free(log2);
	kdr_buf_release(&old_yaml);
	kdr_buf_release(&new_yaml);
	kdr_buf_release(&text);
	kdr_buf_release(&out);
}

/*
 * Metadata slower than the timeout: the read fails clearly and in time, and
 * the plan blocks the cluster instead of planning it as if it were empty.
 */
static void test_read_timeout_is_reported_not_planned_around(void **state)
{
	struct rec *rec = start(state, NEEDS_FAULTS);
	struct kdr_reader_options options = {0};
	int64_t t0 = 0;
	int rc = 0;

	rec_desire(rec, core_yaml);
	assert_int_equal(kdr_sandbox_set_latency(rec->sandbox, "dc-east", REC_API_METADATA, SLOW_MS), 0);
	rec->timeout_ms = SHORT_TIMEOUT_MS;
	rec_reader_options(rec, &options);
	t0 = rec_now_ms();
	rc = kdr_reader_read(&rec->live, &rec->errors, &rec->desired, &options);
	assert_true(rec_now_ms() - t0 < SLOW_MS + SHORT_TIMEOUT_MS);
	assert_true(rc == KDR_ETIMEOUT || rc == KDR_EUNAVAILABLE);
	assert_int_equal(rec->errors.messages.n, 1);
	assert_non_null(strstr(rec->errors.messages.v[0], "cluster 'dc-east': "));
	assert_null(kdr_live_cluster_find(&rec->live, "dc-east"));
	{
		struct kdr_plan_options plan_options = {0};

		assert_int_equal(kdr_plan_compute(&rec->plan, &rec->desired, &rec->live, &plan_options), 0);
	}
	assert_int_equal(rec->plan.n_actions, 0);
	assert_int_equal(rec->plan.n_blocked, 1);
	assert_int_equal(rec->plan.blocked[0].kind, KDR_BLOCKED_ERROR);
	/* The reason is in the plan (issue 14 item 2), not only on stderr. */
	printf("# plan error: %s\n", rec->plan.blocked[0].reason);
	assert_non_null(strstr(rec->plan.blocked[0].reason, "cluster 'dc-east' could not be read: "));
	assert_non_null(strstr(rec->plan.blocked[0].reason, "no broker answered within"));

	assert_int_equal(kdr_sandbox_set_latency(rec->sandbox, "dc-east", REC_API_METADATA, 0), 0);
	rec->timeout_ms = REC_TIMEOUT_MS;
	rec_plan(rec, false);
	assert_int_equal(rec->plan.n_actions, 3);
	rec_apply_ok(rec);
	rec_plan(rec, false);
	rec_assert_plan_empty(rec);
}

static int group_setup(void **state)
{
	struct kdr_sandbox_cluster_spec spec = east_spec();

	(void)state;
	return kdr_testbed_share("test_reconcile_faults", &spec, 1);
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
	    cmocka_unit_test_teardown(test_broker_down_during_apply, teardown),
	    cmocka_unit_test_teardown(test_controller_down_during_apply, teardown),
	    cmocka_unit_test_teardown(test_policy_violation_fails_one_action_then_converges, teardown),
	    cmocka_unit_test_teardown(test_create_topic_policy_refuses_one_topic, teardown),
	    cmocka_unit_test_teardown(test_request_timeout_fails_each_action_then_converges, teardown),
	    cmocka_unit_test_teardown(test_request_lost_with_its_broker_is_planned_again, teardown),
	    cmocka_unit_test_teardown(test_controller_lost_mid_apply, teardown),
	    cmocka_unit_test_teardown(test_read_timeout_is_reported_not_planned_around, teardown),
	    cmocka_unit_test_teardown(test_kill_9_of_apply_mid_batch, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
