/*
 * Unit tests of the MirrorMaker 2 side of pkg/plan: the mirror preview
 * (MM2's replication decision against the source's topics), the
 * cross-cluster checks and the connector actions of flow changes (each with a
 * second plan on the simulated result). Flow health is tests/unit/test_health.c.
 */
#include "mirror_helpers.h"
#include "plan_helpers.h"
#include "util/alloc.h"

#define POLICY(name) "---\n" YAML_HEADER "kind: TopicPolicy\nmetadata: {name: " name "}\nspec:\n"

static const char *const racks_abc[] = {"a", "b", "c"};

/* Adds a live connector with `config` pairs (NULL-terminated key, value list) and n_tasks RUNNING tasks. */
static struct kdr_live_connector *live_connector(struct kdr_live_cluster *cl, const char *name, size_t n_tasks,
						 const char *const *config)
{
	struct kdr_live_connect *connect = &cl->connect;
	struct kdr_live_connector *conn = NULL;

	connect->connectors = kdr_realloc(connect->connectors, (connect->n_connectors + 1) * sizeof(*conn));
	conn = &connect->connectors[connect->n_connectors++];
	memset(conn, 0, sizeof(*conn));
	conn->name = kdr_strdup(name);
	conn->type = kdr_strdup("source");
	conn->state = KDR_CONNECTOR_RUNNING;
	for (size_t i = 0; config && config[i]; i += 2)
		kdr_strmap_set(&conn->config, config[i], config[i + 1]);
	conn->tasks = kdr_calloc(n_tasks + 1, sizeof(*conn->tasks));
	conn->n_tasks = n_tasks;
	for (size_t t = 0; t < n_tasks; t++) {
		conn->tasks[t].id = (int32_t)t;
		conn->tasks[t].state = KDR_CONNECTOR_RUNNING;
		conn->tasks[t].worker_id = kdr_strdup("worker:8083");
	}
	kdr_live_cluster_sort(cl);
	return (struct kdr_live_connector *)kdr_live_connector_find(connect, name);
}

static size_t count_notes(const struct kdr_plan *plan, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n_notes; i++)
		n += strstr(plan->notes[i].message, needle) != NULL;
	return n;
}

static size_t count_actions(const struct kdr_plan *plan, enum kdr_action_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n_actions; i++)
		n += plan->actions[i].kind == kind;
	return n;
}

/* The one note of (cluster, resource) containing `needle`; fails with the plan when absent. */
static const struct kdr_note *expect_note(const struct kdr_plan *plan, const char *cluster, const char *resource,
					  const char *needle)
{
	const struct kdr_note *note = find_note(plan, cluster, resource, needle);

	if (!note) {
		char *dump = plan_dump(plan);

		printf("%s", dump);
		free(dump);
		fail_msg("no note %s/%s containing '%s'", cluster, resource ? resource : "(null)", needle ? needle : "(anything)");
	}
	return note;
}

/* Plans `yaml` against `live` and returns the plan (caller releases), desired in *desired. */
static void plan_yaml(struct kdr_plan *plan, struct kdr_desired *desired, const char *yaml, const struct kdr_live *live)
{
	desired_from_yaml(desired, yaml);
	plan_ok(plan, desired, live, NULL);
}

/* ------------------------------------------------------------------ the mirror preview */

static const char *const east_topics[] = {
    "orders",	    "payments.eu", "payments.us",	 "west.orders", "other.orders", "orders.replica",
    "app-internal", "x.internal",  "__consumer_offsets", ".hidden",	"heartbeats",	NULL,
};

/*
 * A new flow from east's topics (east_topics) into west: the source
 * connector's INFO note says which topics it starts mirroring, under which
 * names; nothing stops; `n_unmatched` topic patterns match no replicated
 * topic, each named in `unmatched`.
 */
struct preview_case {
	const char *name;
	const char *yaml;      /* the flow, after EAST_WEST */
	const char *connector; /* its source connector */
	const char *starts;    /* the whole note */
	size_t n_unmatched;
	const char *unmatched[2];
};

static const struct preview_case preview_cases[] = {
	/*
	 * topics [".*"] with MM2's default excludes: internal names (suffix,
	 * "__", "."), ".replica" and the cycle "west.orders" (came from the
	 * target) stay; heartbeats always go; a third cluster's copy goes.
	 */
	{ "preview_default_policy", FLOW("east-to-west") "  source: east\n  target: west\n", "kdr.east-to-west.source",
	  "mirror preview: flow 'east-to-west' starts mirroring 5 topic(s) of 'east' into 'west': "
	  "heartbeats -> east.heartbeats, orders -> east.orders, other.orders -> east.other.orders, "
	  "payments.eu -> east.payments.eu, payments.us -> east.payments.us",
	  0, { NULL, NULL } },
	/* Identity keeps names (heartbeats aside) and cannot detect cycles: west.orders goes back. */
	{ "preview_identity_policy",
	  FLOW("mig") "  source: east\n  target: west\n  replicationPolicy: {type: identity}\n"
		      "  topics: [\"orders\", \"west\\\\..*\", \"heartbeats\"]\n",
	  "kdr.mig.source",
	  "mirror preview: flow 'mig' starts mirroring 3 topic(s) of 'east' into 'west': "
	  "heartbeats -> east.heartbeats, orders -> orders, west.orders -> west.orders",
	  0, { NULL, NULL } },
	/*
	 * Without MM2's default excludes ".replica" goes; MM2's internal-topic
	 * rule still holds: ".*internal" and "__.*" match only topics MM2 never
	 * replicates.
	 */
	{ "preview_without_default_excludes",
	  FLOW("f") "  source: east\n  target: west\n  keepDefaultExcludes: false\n"
		    "  topics: [\"orders.*\", \".*internal\", \"__.*\"]\n",
	  "kdr.f.source",
	  "mirror preview: flow 'f' starts mirroring 3 topic(s) of 'east' into 'west': "
	  "heartbeats -> east.heartbeats, orders -> east.orders, orders.replica -> east.orders.replica",
	  2,
	  { "topics pattern '.*internal' of flow 'f' matches no replicated",
	    "topics pattern '__.*' of flow 'f' matches no replicated" } },
};

static void run_preview_case(void **state)
{
	const struct preview_case *c = *state;
	char *yaml = kdr_asprintf("%s%s", EAST_WEST, c->yaml);
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;
	const struct kdr_note *note = NULL;

	live_topics(connect_cluster(&live, "east"), 3, east_topics);
	connect_cluster(&live, "west");
	plan_yaml(&plan, &desired, yaml, &live);
	free(yaml);
	note = expect_note(&plan, "west", c->connector, "starts mirroring");
	assert_int_equal(note->kind, KDR_NOTE_INFO);
	assert_string_equal(note->message, c->starts);
	assert_int_equal(count_notes(&plan, "stops mirroring"), 0);
	assert_int_equal(count_notes(&plan, "matches no"), c->n_unmatched);
	for (size_t i = 0; i < c->n_unmatched; i++)
		expect_note(&plan, "west", c->connector, c->unmatched[i]);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

static void test_preview_cycle_detection(void **state)
{
	static const char *const names[] = {"b.orders", "b.a.x", "c.b.y", "c.z", "d.c.z", "orders", NULL};
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;

	(void)state;
	live_topics(connect_cluster(&live, "a"), 1, names);
	connect_cluster(&live, "b");
	/*
	 * Flow a -> b: "b.orders" and "b.a.x" came from b; "c.b.y" came from b
	 * through c (MM2 walks the upstream chain); "c.z" and "d.c.z" did not.
	 */
	plan_yaml(&plan, &desired,
		  CONNECT_CLUSTER("a") CONNECT_CLUSTER("b") FLOW("a-to-b") "  source: a\n  target: b\n", &live);
	assert_string_equal(expect_note(&plan, "b", "kdr.a-to-b.source", "starts")->message,
			    "mirror preview: flow 'a-to-b' starts mirroring 3 topic(s) of 'a' into 'b': "
			    "c.z -> a.c.z, d.c.z -> a.d.c.z, orders -> a.orders");
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

/*
 * A changed flow from east into west against its running source connector
 * (config pairs `running`): the source connector's notes say, whole, which
 * topics it starts and stops mirroring; `warning`, when set, is the whole
 * WARNING note of the topic pattern that `warned` names.
 */
struct running_case {
	const char *name;
	const char *const *topics;  /* east's topics, NULL-terminated */
	size_t partitions;          /* each */
	const char *const *running; /* the running connector's config pairs */
	const char *yaml;           /* the flow, after EAST_WEST */
	const char *starts;
	const char *stops;
	const char *warned;  /* a substring of the warning note; NULL: none checked */
	const char *warning; /* its whole message */
};

static const char *const starts_stops_topics[] = {"orders", "legacy", "events", "audit", NULL};
/* The running connector has no topics.exclude: MM2's default list applies to it. */
static const char *const starts_stops_running[] = {
    "connector.class",	    KDR_MM2_SOURCE_CONNECTOR, "source.cluster.alias", "east", "target.cluster.alias",
    "west",		    "topics",		      "orders, legacy",	      NULL,
};
static const char *const renames_topics[] = {"orders", NULL};
static const char *const renames_running[] = {
    "source.cluster.alias",
    "east",
    "target.cluster.alias",
    "west",
    "topics",
    "orders",
    "replication.policy.class",
    "org.apache.kafka.connect.mirror.DefaultReplicationPolicy",
    NULL,
};

static const struct running_case running_cases[] = {
	/* "audit" is matched and excluded: exclusions win, so that pattern replicates nothing. */
	{ "test_preview_starts_and_stops", starts_stops_topics, 3, starts_stops_running,
	  FLOW("f") "  source: east\n  target: west\n  topics: [orders, \"e.*\", audit]\n  topicsExclude: [audit]\n",
	  "mirror preview: flow 'f' starts mirroring 1 topic(s) of 'east' into 'west': events -> east.events",
	  "mirror preview: flow 'f' stops mirroring 1 topic(s) of 'east': legacy -> east.legacy "
	  "(the copies stay on 'west': MirrorMaker 2 never deletes remote topics)",
	  "pattern 'audit'",
	  "mirror preview: topics pattern 'audit' of flow 'f' matches no replicated topic on 'east' "
	  "(a full match is needed, exclusions win)" },
	/* A new replication policy renames every copy: the old names stop, the new ones start. */
	{ "test_preview_policy_change_renames", renames_topics, 1, renames_running,
	  FLOW("f") "  source: east\n  target: west\n  topics: [orders]\n  replicationPolicy: {type: identity}\n",
	  "mirror preview: flow 'f' starts mirroring 1 topic(s) of 'east' into 'west': orders -> orders",
	  "mirror preview: flow 'f' stops mirroring 1 topic(s) of 'east': orders -> east.orders "
	  "(the copies stay on 'west': MirrorMaker 2 never deletes remote topics)",
	  NULL, NULL },
};

static void run_running_case(void **state)
{
	const struct running_case *c = *state;
	char *yaml = kdr_asprintf("%s%s", EAST_WEST, c->yaml);
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;

	live_topics(connect_cluster(&live, "east"), c->partitions, c->topics);
	live_connector(connect_cluster(&live, "west"), "kdr.f.source", 1, c->running);
	plan_yaml(&plan, &desired, yaml, &live);
	free(yaml);
	assert_string_equal(expect_note(&plan, "west", "kdr.f.source", "starts")->message, c->starts);
	assert_string_equal(expect_note(&plan, "west", "kdr.f.source", "stops")->message, c->stops);
	if (c->warned) {
		assert_string_equal(expect_note(&plan, "west", "kdr.f.source", c->warned)->message, c->warning);
		assert_int_equal(find_note(&plan, "west", "kdr.f.source", c->warned)->kind, KDR_NOTE_WARNING);
	}
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

/*
 * A new flow from east (topics `topics`, one partition each) into west whose
 * topic filter MM2 gets wrong: the source connector has a note containing
 * each of `notes` (the first one's whole `message`, and its kind a WARNING,
 * when given), and no note containing any of `absent`.
 */
struct filter_case {
	const char *name;
	const char *const *topics;
	const char *yaml;     /* the flow, after EAST_WEST */
	const char *notes[2];
	const char *message;  /* notes[0]'s whole message; NULL: not checked */
	const char *absent[2];
};

static const char *const nothing_matched_topics[] = {"orders", "payments", NULL};
static const char *const comma_topics[] = {"aa", NULL};

static const struct filter_case filter_cases[] = {
	/* A prefix without ".*" never full-matches: the classic mistake. The whole filter is reported once, not
	 * pattern by pattern; nothing starts. */
	{ "test_preview_nothing_matched", nothing_matched_topics,
	  FLOW("f") "  source: east\n  target: west\n  topics: [\"order\", pay]\n", { "matches none", NULL },
	  "mirror preview: the topic filter of flow 'f' (topics 'order', 'pay') matches none of the 2 topic(s) on "
	  "'east' once exclusions, internal topics and cycles are taken out: the flow replicates nothing (a regex that "
	  "silently matches too much or nothing is the most common MirrorMaker 2 mistake)",
	  { "topics pattern", "starts mirroring" } },
	/* MM2 reads "a{1" and "2}": neither matches "aa". */
	{ "test_preview_comma_in_pattern", comma_topics,
	  FLOW("f") "  source: east\n  target: west\n  topics: [\"a{1,2}\"]\n",
	  { "pattern 'a{1,2}' of flow 'f' contains a comma", "matches none" }, NULL, { NULL, NULL } },
};

static void run_filter_case(void **state)
{
	const struct filter_case *c = *state;
	char *yaml = kdr_asprintf("%s%s", EAST_WEST, c->yaml);
	struct kdr_live live = {0};
	struct kdr_desired desired = {0};
	struct kdr_plan plan;

	live_topics(connect_cluster(&live, "east"), 1, c->topics);
	connect_cluster(&live, "west");
	plan_yaml(&plan, &desired, yaml, &live);
	free(yaml);
	for (size_t i = 0; i < 2 && c->notes[i]; i++)
		expect_note(&plan, "west", "kdr.f.source", c->notes[i]);
	if (c->message) {
		const struct kdr_note *note = expect_note(&plan, "west", "kdr.f.source", c->notes[0]);

		assert_int_equal(note->kind, KDR_NOTE_WARNING);
		assert_string_equal(note->message, c->message);
	}
	for (size_t i = 0; i < 2 && c->absent[i]; i++)
		assert_int_equal(count_notes(&plan, c->absent[i]), 0);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

static void test_preview_bounded_and_deterministic(void **state)
{
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan, again;
	struct kdr_live_cluster *east = connect_cluster(&live, "east");
	char *a = NULL, *b = NULL;

	(void)state;
	/* Added in reverse order: the list comes out sorted anyway. */
	for (int i = 24; i >= 0; i--) {
		char name[16];

		snprintf(name, sizeof(name), "t%02d", i);
		live_topic(east, name, "1,2,3");
	}
	connect_cluster(&live, "west");
	plan_yaml(&plan, &desired, EAST_WEST FLOW("f") "  source: east\n  target: west\n  topics: [\"t.*\"]\n", &live);
	assert_string_equal(expect_note(&plan, "west", "kdr.f.source", "starts")->message,
			    "mirror preview: flow 'f' starts mirroring 25 topic(s) of 'east' into 'west': "
			    "t00 -> east.t00, t01 -> east.t01, t02 -> east.t02, t03 -> east.t03, t04 -> east.t04, "
			    "t05 -> east.t05, t06 -> east.t06, t07 -> east.t07, t08 -> east.t08, t09 -> east.t09 "
			    "... and 15 more");
	plan_ok(&again, &desired, &live, NULL);
	a = plan_dump(&plan);
	b = plan_dump(&again);
	assert_string_equal(a, b);
	free(a);
	free(b);
	kdr_plan_release(&again);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

static void test_preview_created_topics_and_convergence(void **state)
{
	struct kdr_desired desired = {0};
	struct kdr_live live = {0}, after = {0};
	struct kdr_plan plan, second;

	(void)state;
	connect_cluster(&live, "east");
	connect_cluster(&live, "west");
	/* Topics this plan creates on the source count: they exist once it is applied. */
	plan_yaml(&plan, &desired,
		  EAST_WEST FLOW("f") "  source: east\n  target: west\n  topics: [orders]\n" POLICY(
		      "core") "  clusters: [east]\n  topics: [orders]\n",
		  &live);
	assert_non_null(expect_note(&plan, "west", "kdr.f.source",
				    "starts mirroring 1 topic(s) of 'east' into "
				    "'west': orders (new) -> east.orders"));
	/* Applied: the running filter is the desired one, so nothing starts or stops any more. */
	kdr_live_copy(&after, &live);
	kdr_plan_simulate(&after, &plan);
	plan_ok(&second, &desired, &after, NULL);
	assert_plan_empty(&second);
	assert_int_equal(count_notes(&second, "mirror preview"), 0);
	kdr_plan_release(&second);
	kdr_plan_release(&plan);
	kdr_live_release(&after);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

static void test_preview_connect_not_read(void **state)
{
	static const char *const names[] = {"orders", NULL};
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;

	(void)state;
	live_topics(connect_cluster(&live, "east"), 1, names);
	live_cluster(&live, "west", 3, racks_abc); /* Connect declared but not read */
	plan_yaml(&plan, &desired, EAST_WEST FLOW("f") "  source: east\n  target: west\n  topics: [\"x.*\"]\n", &live);
	/* What runs is unknown: no start/stop lists, but a filter that matches nothing is still reported. */
	assert_int_equal(count_notes(&plan, "starts mirroring"), 0);
	expect_note(&plan, "west", "kdr.f.source", "matches none of the 1 topic(s)");
	/* An unread Connect is an error of the plan (issue 14), never a silent "no changes". */
	assert_non_null(find_blocked(&plan, KDR_BLOCKED_ERROR, "west", NULL));
	assert_non_null(strstr(find_blocked(&plan, KDR_BLOCKED_ERROR, "west", NULL)->reason, "was not read"));
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);

	/* No Connect declared on the target: no connector runs the filter, so nothing starts. */
	plan_yaml(
	    &plan, &desired,
	    CONNECT_CLUSTER("east") "---\n" YAML_HEADER "kind: KafkaCluster\nmetadata: {name: west}\nspec:\n"
				    "  bootstrapServers: west:9092\n" FLOW("f") "  source: east\n  target: west\n",
	    &live);
	assert_int_equal(count_notes(&plan, "starts mirroring"), 0);
	expect_note(&plan, NULL, NULL, "cluster 'west' declares no connect");
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

/* ------------------------------------------------------------------ cross-cluster checks */

static void test_cross_remote_fewer_partitions(void **state)
{
	static const char *const source[] = {"orders", "events", NULL};
	static const char *const remote[] = {"east.orders", NULL};
	static const char *const remote_ok[] = {"east.events", NULL};
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;
	const struct kdr_note *note = NULL;

	(void)state;
	live_topics(connect_cluster(&live, "east"), 6, source);
	live_topics(connect_cluster(&live, "west"), 3, remote);
	live_topics(live_get(&live, "west"), 6, remote_ok);
	plan_yaml(&plan, &desired, EAST_WEST FLOW("f") "  source: east\n  target: west\n", &live);
	note = expect_note(&plan, "west", "east.orders", "partition");
	assert_int_equal(note->kind, KDR_NOTE_WARNING);
	assert_string_equal(
	    note->message,
	    "remote topic 'east.orders' has 3 partition(s) on 'west', its source 'orders' on 'east' has 6: "
	    "MirrorMaker 2 (flow 'f') will add partitions up to 6 (records keep their source partition)");
	assert_null(find_note(&plan, "west", "east.events", "partition"));
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);

	/* A policy on the target pinning fewer partitions: kdr would then report a blocked decrease. */
	plan_yaml(&plan, &desired,
		  EAST_WEST FLOW("f") "  source: east\n  target: west\n" POLICY(
		      "remote") "  clusters: [west]\n"
				"  topics: [{name: east.orders, partitions: 3}]\n",
		  &live);
	assert_non_null(
	    expect_note(&plan, "west", "east.orders",
			"which TopicPolicy 'remote' (3 partitions) does not declare: kdr will then report a "
			"blocked partition decrease"));
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

static void test_cross_replication_factors(void **state)
{
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;

	(void)state;
	connect_cluster(&live, "east");
	connect_cluster(&live, "west");
	plan_yaml(&plan, &desired,
		  EAST_WEST FLOW("f") "  source: east\n  target: west\n  replicationFactor: 4\n"
				      "  internalTopicsReplicationFactor: 1\n",
		  &live);
	assert_string_equal(
	    expect_note(&plan, "west", "kdr.f.source", "internalTopicsReplicationFactor")->message,
	    "flow 'f': internalTopicsReplicationFactor 1 is below replicationFactor 4: the checkpoints "
	    "and heartbeats topics on 'west' and the offset-syncs topic on 'east' are less durable than "
	    "the data they track; losing a broker can lose the offset translation a failover needs");
	assert_string_equal(expect_note(&plan, "west", "kdr.f.source", "exceeds")->message,
			    "flow 'f': replicationFactor 4 exceeds the 3 broker(s) of target cluster 'west': "
			    "MirrorMaker 2 cannot create the remote topics (INVALID_REPLICATION_FACTOR)");
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);

	/* Equal factors within the brokers: nothing to say. */
	plan_yaml(&plan, &desired, EAST_WEST FLOW("f") "  source: east\n  target: west\n", &live);
	assert_int_equal(count_notes(&plan, "ReplicationFactor"), 0);
	assert_int_equal(count_notes(&plan, "exceeds"), 0);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

#define SYNC_YAML(sync, remote_config)                                                                                 \
	EAST_WEST FLOW("f") "  source: east\n  target: west\n  topics: [orders]\n  syncTopicConfigs: " sync            \
			    "\n" POLICY(                                                                               \
				"source") "  clusters: [east]\n  topics: [{name: orders, partitions: 6}]\n"            \
					  "  config: {retention.ms: \"86400000\", cleanup.policy: delete}\n" POLICY(   \
					      "copies") "  clusters: [west]\n  topics: [{name: east.orders, "          \
							"partitions: 6}]\n  config: " remote_config "\n"

static void test_cross_policy_fights_config_sync(void **state)
{
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;

	(void)state;
	connect_cluster(&live, "east");
	connect_cluster(&live, "west");
	/* retention.ms differs from the source's, segment.bytes is not on the source; min ISR MM2 never syncs. */
	plan_yaml(&plan, &desired,
		  SYNC_YAML("true",
			    "{retention.ms: \"604800000\", segment.bytes: \"1048576\", min.insync.replicas: \"2\","
			    " cleanup.policy: delete}"),
		  &live);
	assert_string_equal(
	    expect_note(&plan, "west", "east.orders", "would fight")->message,
	    "TopicPolicy 'copies' declares retention.ms, segment.bytes on 'east.orders', the remote "
	    "topic of 'orders' on 'east' whose configs flow 'f' syncs (syncTopicConfigs: true): the two "
	    "would fight, MirrorMaker 2 copying the source's values and kdr setting the policy's back; "
	    "set syncTopicConfigs: false on the flow or stop declaring these keys for the remote topic");
	assert_int_equal(find_note(&plan, "west", "east.orders", "would fight")->kind, KDR_NOTE_WARNING);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);

	/* The flow does not sync configs: no fight. */
	plan_yaml(&plan, &desired, SYNC_YAML("false", "{retention.ms: \"604800000\"}"), &live);
	assert_int_equal(count_notes(&plan, "would fight"), 0);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);

	/* Same values as the source, or keys MM2 never syncs: nothing to fight over. */
	plan_yaml(&plan, &desired, SYNC_YAML("true", "{retention.ms: \"86400000\", min.insync.replicas: \"2\"}"),
		  &live);
	assert_int_equal(count_notes(&plan, "would fight"), 0);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

static void test_cross_match_and_config_prune_on_remote_topics(void **state)
{
	static const char *const source[] = {"orders", NULL};
	static const char *const copies[] = {"east.orders", "local", NULL};
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;

	(void)state;
	live_topics(connect_cluster(&live, "east"), 1, source);
	live_topics(connect_cluster(&live, "west"), 1, copies);
	plan_yaml(&plan, &desired,
		  EAST_WEST FLOW("f") "  source: east\n  target: west\n" POLICY(
		      "all") "  clusters: [west]\n"
			     "  match: \".*\"\n  config: {retention.ms: \"1000\"}\n  configPrune: true\n",
		  &live);
	expect_note(&plan, "west", "east.orders",
		    "TopicPolicy 'all' (by its match) sets retention.ms on 'east.orders'");
	expect_note(&plan, "west", "east.orders", "TopicPolicy 'all' has configPrune: true for 'east.orders'");
	/* A local topic is no copy. */
	assert_null(find_note(&plan, "west", "local", "TopicPolicy"));
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

/*
 * A match never governs an internal or Kafka Connect topic (plan/govern.c),
 * so the cross-checks do not report a fight over one either: they read the
 * topics the plan governed through matches instead of running the matches
 * again (before, 'connect-offsets' here was reported as fought over).
 */
static void test_cross_match_skips_topics_the_plan_never_governs(void **state)
{
	static const char *const topics[] = {"connect-offsets", "orders", NULL};
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;

	(void)state;
	live_topics(connect_cluster(&live, "east"), 1, topics);
	live_topics(connect_cluster(&live, "west"), 1, topics);
	plan_yaml(&plan, &desired,
		  EAST_WEST FLOW("f") "  source: east\n  target: west\n  topics: [\".*\"]\n"
				      "  replicationPolicy: {type: identity}\n" POLICY(
					  "all") "  clusters: [west]\n  match: \".*\"\n  config: {retention.ms: \"1000\"}\n",
		  &live);
	expect_note(&plan, "west", "orders", "TopicPolicy 'all' (by its match) sets retention.ms on 'orders'");
	assert_null(find_note(&plan, "west", "connect-offsets", "TopicPolicy"));
	/* Nor does the plan change it: the match does not govern it. */
	for (size_t i = 0; i < plan.n_actions; i++)
		assert_false(plan.actions[i].resource && strcmp(plan.actions[i].resource, "connect-offsets") == 0);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

static void test_cross_declared_partitions(void **state)
{
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;

	(void)state;
	connect_cluster(&live, "east");
	connect_cluster(&live, "west");
	plan_yaml(
	    &plan, &desired,
	    EAST_WEST FLOW("f") "  source: east\n  target: west\n  syncTopicConfigs: false\n" POLICY(
		"src") "  clusters: [east]\n  topics: [{name: orders, partitions: 12}, {name: events}]\n"
		       "  partitions: 4\n" POLICY(
			   "dst") "  clusters: [west]\n"
				  "  topics: [{name: east.orders, partitions: 6}, {name: east.events, partitions: 8}, "
				  "{name: east.users, partitions: 2}]\n",
	    &live);
	assert_string_equal(
	    expect_note(&plan, "west", "east.orders", "declares")->message,
	    "TopicPolicy 'dst' declares 'east.orders' on 'west' with 6 partition(s), but it is the remote "
	    "topic of 'orders' on 'east' (12 partition(s), TopicPolicy 'src') replicated by flow 'f': "
	    "MirrorMaker 2 adds partitions up to the source's count (records keep their source partition), "
	    "and kdr then reports a blocked partition decrease");
	expect_note(&plan, "west", "east.events", "the partitions beyond the source's count never receive");
	/* east.users has no source topic (neither live nor declared): not a copy. */
	assert_null(find_note(&plan, "west", "east.users", "declares"));
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

/* ------------------------------------------------------------------ connector actions */

/* A second plan on the simulated result of `plan` is empty. */
static void assert_second_plan_empty(const struct kdr_desired *desired, const struct kdr_live *live,
				     const struct kdr_plan *plan)
{
	struct kdr_live after = {0};
	struct kdr_plan second;

	kdr_live_copy(&after, live);
	kdr_plan_simulate(&after, plan);
	plan_ok(&second, desired, &after, NULL);
	assert_plan_empty(&second);
	kdr_plan_release(&second);
	kdr_live_release(&after);
}

static void test_connector_regex_change_updates(void **state)
{
	struct kdr_desired before = {0}, desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;
	const struct kdr_action *action = NULL;

	(void)state;
	flows_desired(&before, "orders", "false");
	converged_live(&live, &before);
	flows_desired(&desired, "orders, \"payments\\\\..*\"", "false");
	plan_ok(&plan, &desired, &live, NULL);
	/* The source and checkpoint connectors carry the filter; the heartbeat connector does not. */
	assert_int_equal(plan.n_actions, 2);
	assert_int_equal(count_actions(&plan, KDR_ACTION_UPDATE_CONNECTOR), 2);
	for (size_t i = 0; i < 2; i++) {
		action = find_action(&plan, KDR_ACTION_UPDATE_CONNECTOR, "west",
				     i ? "kdr.east-to-west.checkpoint" : "kdr.east-to-west.source");
		assert_non_null(action);
		assert_int_equal(action->n_changes, 1);
		assert_string_equal(action->changes[0].key, "topics");
		assert_string_equal(action->changes[0].old_value, "orders");
		assert_string_equal(action->changes[0].new_value, "orders,payments\\..*");
		assert_int_equal(action->risk, KDR_RISK_DISRUPTIVE);
		assert_string_equal(action->reason, "drift: 1 key(s) differ");
		/* The whole config is sent (PUT replaces it). */
		assert_string_equal(kdr_strmap_get(&action->config, "topics"), "orders,payments\\..*");
	}
	assert_null(find_action(&plan, KDR_ACTION_UPDATE_CONNECTOR, "east", "kdr.east-to-west.heartbeat"));
	assert_second_plan_empty(&desired, &live, &plan);
	kdr_plan_release(&plan);
	kdr_desired_release(&before);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

static void test_connector_suspend_and_resume(void **state)
{
	struct kdr_desired running = {0}, suspended = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;

	(void)state;
	flows_desired(&running, "orders", "false");
	flows_desired(&suspended, "orders", "true");
	converged_live(&live, &running);

	/* Suspending pauses the flow's three connectors, and nothing else. */
	plan_ok(&plan, &suspended, &live, NULL);
	assert_int_equal(plan.n_actions, 3);
	assert_int_equal(count_actions(&plan, KDR_ACTION_PAUSE_CONNECTOR), 3);
	assert_non_null(find_action(&plan, KDR_ACTION_PAUSE_CONNECTOR, "west", "kdr.east-to-west.source"));
	assert_non_null(find_action(&plan, KDR_ACTION_PAUSE_CONNECTOR, "west", "kdr.east-to-west.checkpoint"));
	assert_non_null(find_action(&plan, KDR_ACTION_PAUSE_CONNECTOR, "east", "kdr.east-to-west.heartbeat"));
	assert_string_equal(plan.actions[0].reason, "flow is suspended; connector is RUNNING");
	assert_second_plan_empty(&suspended, &live, &plan);
	kdr_plan_simulate(&live, &plan);
	kdr_plan_release(&plan);

	/* Resuming: three resume actions; then nothing. */
	plan_ok(&plan, &running, &live, NULL);
	assert_int_equal(plan.n_actions, 3);
	assert_int_equal(count_actions(&plan, KDR_ACTION_RESUME_CONNECTOR), 3);
	assert_string_equal(plan.actions[0].reason, "flow is not suspended; connector is PAUSED");
	assert_second_plan_empty(&running, &live, &plan);
	kdr_plan_release(&plan);
	kdr_desired_release(&running);
	kdr_desired_release(&suspended);
	kdr_live_release(&live);
}

static void test_connector_remove_flow(void **state)
{
	static const char *const foreign[] = {
	    "connector.class",
	    KDR_MM2_SOURCE_CONNECTOR,
	    "source.cluster.alias",
	    "west",
	    "target.cluster.alias",
	    "east",
	    NULL,
	};
	struct kdr_desired both = {0}, one = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;

	(void)state;
	flows_desired(&both, "orders", "false");
	converged_live(&live, &both);
	/* A connector kdr does not own, running MM2 west -> east by hand. */
	live_connector(live_get(&live, "east"), "legacy-mirror", 1, foreign);
	desired_from_yaml(&one, EAST_WEST FLOW("east-to-west") "  source: east\n  target: west\n  topics: [orders]\n");
	plan_ok(&plan, &one, &live, NULL);
	assert_int_equal(plan.n_actions, 3);
	assert_int_equal(count_actions(&plan, KDR_ACTION_DELETE_CONNECTOR), 3);
	assert_non_null(find_action(&plan, KDR_ACTION_DELETE_CONNECTOR, "east", "kdr.west-to-east.source"));
	assert_non_null(find_action(&plan, KDR_ACTION_DELETE_CONNECTOR, "east", "kdr.west-to-east.checkpoint"));
	assert_non_null(find_action(&plan, KDR_ACTION_DELETE_CONNECTOR, "west", "kdr.west-to-east.heartbeat"));
	for (size_t i = 0; i < plan.n_actions; i++)
		assert_string_not_equal(plan.actions[i].resource, "legacy-mirror");
	/* Only one flow remains, and it is east -> west: the foreign one reverses it, still MM2 between them. */
	expect_note(&plan, "east", "legacy-mirror", "likely duplicate replication");
	assert_second_plan_empty(&one, &live, &plan);
	kdr_plan_release(&plan);
	kdr_desired_release(&both);
	kdr_desired_release(&one);
	kdr_live_release(&live);
}

/*
 * The converged flow's source connector on west with `n_tasks` tasks, task
 * 1 FAILED with a trace, and the connector itself FAILED when
 * `connector_failed`: the restart a plan makes of it (its one action).
 */
static const struct kdr_action *plan_failed_restart(struct kdr_plan *plan, struct kdr_desired *desired,
						    struct kdr_live *live, int n_tasks, bool connector_failed)
{
	struct kdr_live_connector *conn = NULL;
	const struct kdr_action *action = NULL;

	flows_desired(desired, "orders", "false");
	converged_live(live, desired);
	conn = (struct kdr_live_connector *)kdr_live_connector_find(&live_get(live, "west")->connect,
								    "kdr.east-to-west.source");
	if (connector_failed) {
		conn->state = KDR_CONNECTOR_FAILED;
		conn->trace = kdr_strdup("org.apache.kafka.connect.errors.ConnectException: connector boom\n\tat x");
	}
	conn->tasks = kdr_calloc((size_t)n_tasks, sizeof(*conn->tasks));
	conn->n_tasks = (size_t)n_tasks;
	for (int t = 0; t < n_tasks; t++) {
		conn->tasks[t].id = t;
		conn->tasks[t].state = t == 1 ? KDR_CONNECTOR_FAILED : KDR_CONNECTOR_RUNNING;
	}
	conn->tasks[1].trace =
	    kdr_strdup("org.apache.kafka.connect.errors.ConnectException: task boom\n\tat x\n\tat y\n\tat z");
	plan_ok(plan, desired, live, NULL);
	assert_int_equal(plan->n_actions, 1);
	action = find_action(plan, KDR_ACTION_RESTART_CONNECTOR, "west", "kdr.east-to-west.source");
	assert_non_null(action);
	assert_int_equal(action->risk, KDR_RISK_DISRUPTIVE);
	return action;
}

static void test_connector_failed_task_restart(void **state)
{
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;
	const struct kdr_action *action = NULL;

	(void)state;
	action = plan_failed_restart(&plan, &desired, &live, 3, false);
	assert_int_equal(action->n_task_ids, 1);
	assert_int_equal(action->task_ids[0], 1);
	assert_string_equal(action->reason, "task 1 FAILED");
	assert_second_plan_empty(&desired, &live, &plan);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

/*
 * A FAILED connector with a FAILED task: restarting the task alone leaves
 * the connector FAILED, and every plan would restart the task again. One
 * restart?includeTasks=true&onlyFailed=true (no task ids) restarts both.
 */
static void test_connector_and_task_failed_restart_both(void **state)
{
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;
	const struct kdr_action *action = NULL;

	(void)state;
	action = plan_failed_restart(&plan, &desired, &live, 2, true);
	assert_int_equal(action->n_task_ids, 0);
	assert_string_equal(action->reason, "connector FAILED, task 1 FAILED");
	/* Simulated as Connect does it: the connector and task 1 restart, so the next plan is empty. */
	assert_second_plan_empty(&desired, &live, &plan);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

static void test_connector_wrong_kafka_cluster_blocked(void **state)
{
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;
	struct kdr_live_cluster *west = NULL;
	const struct kdr_blocked *blocked = NULL;

	(void)state;
	flows_desired(&desired, "orders", "false");
	connect_cluster(&live, "east");
	west = connect_cluster(&live, "west");
	/* west's Connect writes into east's Kafka. */
	free(west->connect.kafka_cluster_id);
	west->connect.kafka_cluster_id = kdr_strdup("east");
	plan_ok(&plan, &desired, &live, NULL);
	blocked = find_blocked(&plan, KDR_BLOCKED_ERROR, "west", NULL);
	assert_non_null(blocked);
	assert_string_equal(blocked->reason,
			    "connect 'http://connect-west:8083' is attached to Kafka cluster id 'east', but cluster "
			    "'west' has id 'west': it would write replicated records into the wrong cluster");
	/* Nothing is planned on that Connect; the other one is planned as usual. */
	for (size_t i = 0; i < plan.n_actions; i++)
		assert_string_not_equal(plan.actions[i].cluster, "west");
	assert_non_null(find_action(&plan, KDR_ACTION_CREATE_CONNECTOR, "east", "kdr.west-to-east.source"));
	/* Applying the rest changes nothing about the block. */
	assert_converges(&desired, &live, NULL);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

/* ------------------------------------------------------------------ status */

/* ------------------------------------------------------------------ the failback guard */

static const char guard_yaml[] = EAST_WEST FLOW("east-to-west") "  source: east\n  target: west\n"
								 "  topics: [orders]\n  suspended: %s\n%s" POLICY(
								     "core") "  clusters: [east]\n  topics: [orders]\n";

static void guard_desired(struct kdr_desired *desired, const char *suspended, const char *failed_over_line)
{
	char *yaml = kdr_asprintf(guard_yaml, suspended, failed_over_line);

	desired_from_yaml(desired, yaml);
	free(yaml);
}

/*
 * After `kdr failover`: the flow's connectors on west STOPPED, and east came
 * back empty (no topics, no connectors on its Connect).
 */
static void failed_over_live(struct kdr_live *live, const struct kdr_desired *running)
{
	struct kdr_live_cluster *east = NULL, *west = NULL;

	converged_live(live, running);
	east = live_get(live, "east");
	west = live_get(live, "west");
	assert_true(kdr_live_cluster_remove_topic(east, "orders"));
	for (size_t i = 0; i < east->connect.n_connectors; i++)
		kdr_live_connector_release(&east->connect.connectors[i]);
	east->connect.n_connectors = 0;
	assert_int_equal(west->connect.n_connectors, 2);
	for (size_t i = 0; i < west->connect.n_connectors; i++)
		west->connect.connectors[i].state = KDR_CONNECTOR_STOPPED;
}

static void test_failback_guard_blocks(void **state)
{
	struct kdr_desired running = {0}, suspended = {0}, failed = {0}, unsuspended = {0};
	struct kdr_live live = {0};
	struct kdr_plan plan;
	struct kdr_plan_options only_east = {0};
	static const char *const east[] = {"east"};
	const struct kdr_blocked *blocked = NULL;

	(void)state;
	guard_desired(&running, "false", "");
	guard_desired(&suspended, "true", "");
	guard_desired(&failed, "true", "  failedOver: \"2026-12-07T01:02:03Z\"\n");
	guard_desired(&unsuspended, "false", "  failedOver: \"2026-12-07T01:02:03Z\"\n");
	failed_over_live(&live, &running);

	/* Only suspended (the old record): a warning, and the loop would re-create the topic empty. */
	plan_ok(&plan, &suspended, &live, NULL);
	assert_non_null(find_action(&plan, KDR_ACTION_CREATE_TOPIC, "east", "orders"));
	assert_non_null(find_note(&plan, "east", "kdr.east-to-west.source", "failback guard"));
	assert_int_equal(plan.n_blocked, 0);
	kdr_plan_release(&plan);

	/* Failed over: the topic is not created, the missing heartbeat connector not recreated. */
	plan_ok(&plan, &failed, &live, NULL);
	assert_null(find_action(&plan, KDR_ACTION_CREATE_TOPIC, "east", "orders"));
	assert_null(find_action(&plan, KDR_ACTION_CREATE_CONNECTOR, "east", "kdr.east-to-west.heartbeat"));
	assert_int_equal(plan.n_actions, 0);
	assert_int_equal(plan.n_blocked, 2);
	blocked = find_blocked(&plan, KDR_BLOCKED_FAILED_OVER, "east", "orders");
	assert_non_null(blocked);
	assert_string_equal(blocked->policy, "core");
	assert_string_equal(blocked->reason,
			    "failback guard: flow 'east-to-west' failed over at 2026-12-07T01:02:03Z (spec.failedOver) "
			    "and mirrors this topic from 'east': it is not created there empty; its records are on "
			    "'west'; fail back first (kdr failback --flow east-to-west, docs/runbook.md)");
	blocked = find_blocked(&plan, KDR_BLOCKED_FAILED_OVER, "east", "kdr.east-to-west.heartbeat");
	assert_non_null(blocked);
	assert_string_equal(blocked->reason,
			    "failback guard: flow 'east-to-west' failed over at 2026-12-07T01:02:03Z (spec.failedOver): "
			    "the connector is missing and is not recreated; fail back first (kdr failback --flow "
			    "east-to-west, docs/runbook.md)");
	assert_string_equal(kdr_blocked_kind_name(blocked->kind), "failed-over");
	assert_null(find_note(&plan, "east", "kdr.east-to-west.source", "failback guard"));
	kdr_plan_release(&plan);

	/* The same when only east is planned (--cluster east): the guard follows the source. */
	only_east.clusters = east;
	only_east.n_clusters = 1;
	plan_ok(&plan, &failed, &live, &only_east);
	assert_null(find_action(&plan, KDR_ACTION_CREATE_TOPIC, "east", "orders"));
	assert_non_null(find_blocked(&plan, KDR_BLOCKED_FAILED_OVER, "east", "orders"));
	kdr_plan_release(&plan);

	/* failedOver with suspended: false: the stopped connectors are not resumed (blocked, said why). */
	plan_ok(&plan, &unsuspended, &live, NULL);
	assert_int_equal(count_actions(&plan, KDR_ACTION_RESUME_CONNECTOR), 0);
	assert_int_equal(plan.n_actions, 0);
	blocked = find_blocked(&plan, KDR_BLOCKED_FAILED_OVER, "west", "kdr.east-to-west.source");
	assert_non_null(blocked);
	assert_non_null(strstr(blocked->reason, "the stopped connector is not resumed (spec.suspended is false)"));
	assert_non_null(find_blocked(&plan, KDR_BLOCKED_FAILED_OVER, "west", "kdr.east-to-west.checkpoint"));
	kdr_plan_release(&plan);

	/* A connector someone started again while failed over is paused. */
	live_get(&live, "west")->connect.connectors[0].state = KDR_CONNECTOR_RUNNING;
	plan_ok(&plan, &failed, &live, NULL);
	assert_int_equal(count_actions(&plan, KDR_ACTION_PAUSE_CONNECTOR), 1);
	assert_string_equal(find_action(&plan, KDR_ACTION_PAUSE_CONNECTOR, "west", NULL)->reason,
			    "flow is failed over; connector is RUNNING");
	kdr_plan_release(&plan);

	/* Failed back (marker cleared, resumed): the topic and the connector come back, the rest resumes. */
	plan_ok(&plan, &running, &live, NULL);
	assert_non_null(find_action(&plan, KDR_ACTION_CREATE_TOPIC, "east", "orders"));
	assert_non_null(find_action(&plan, KDR_ACTION_CREATE_CONNECTOR, "east", "kdr.east-to-west.heartbeat"));
	assert_int_equal(count_actions(&plan, KDR_ACTION_RESUME_CONNECTOR), 1);
	assert_int_equal(plan.n_blocked, 0);
	assert_second_plan_empty(&running, &live, &plan);
	kdr_plan_release(&plan);
	kdr_desired_release(&running);
	kdr_desired_release(&suspended);
	kdr_desired_release(&failed);
	kdr_desired_release(&unsuspended);
	kdr_live_release(&live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_preview_cycle_detection),
	    cmocka_unit_test(test_preview_bounded_and_deterministic),
	    cmocka_unit_test(test_preview_created_topics_and_convergence),
	    cmocka_unit_test(test_preview_connect_not_read),
	    cmocka_unit_test(test_cross_remote_fewer_partitions),
	    cmocka_unit_test(test_cross_replication_factors),
	    cmocka_unit_test(test_cross_policy_fights_config_sync),
	    cmocka_unit_test(test_cross_match_and_config_prune_on_remote_topics),
	    cmocka_unit_test(test_cross_match_skips_topics_the_plan_never_governs),
	    cmocka_unit_test(test_cross_declared_partitions),
	    cmocka_unit_test(test_connector_regex_change_updates),
	    cmocka_unit_test(test_connector_suspend_and_resume),
	    cmocka_unit_test(test_connector_remove_flow),
	    cmocka_unit_test(test_connector_failed_task_restart),
	    cmocka_unit_test(test_connector_and_task_failed_restart_both),
	    cmocka_unit_test(test_connector_wrong_kafka_cluster_blocked),
	    cmocka_unit_test(test_failback_guard_blocks),
	};
	enum {
		N_TESTS = sizeof(tests) / sizeof(tests[0]),
		N_PREVIEW = sizeof(preview_cases) / sizeof(preview_cases[0]),
		N_RUNNING = sizeof(running_cases) / sizeof(running_cases[0]),
		N_FILTER = sizeof(filter_cases) / sizeof(filter_cases[0]),
	};
	struct CMUnitTest all[N_PREVIEW + N_RUNNING + N_FILTER + N_TESTS];
	size_t n = 0;

	/* Each table case is a test of its own, named by the case; they come first, as the tests they replace did. */
	n += PLAN_CASE_TESTS(all + n, preview_cases, run_preview_case);
	n += PLAN_CASE_TESTS(all + n, running_cases, run_running_case);
	n += PLAN_CASE_TESTS(all + n, filter_cases, run_filter_case);
	memcpy(all + n, tests, sizeof(tests));
	n += N_TESTS;
	return _cmocka_run_group_tests("test_plan_mirror", all, n, NULL, NULL);
}
