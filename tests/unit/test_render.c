/* pkg/render: text, markdown and json plans, the mermaid graph, reading plan.json back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "live/live.h"
#include "model/model.h"
#include "plan/codec_json.h"
#include "plan/plan.h"
#include "render/render.h"
#include "spec/spec.h"
#include "util/alloc.h"
#include "util/error.h"

/* ---------------------------------------------------------------- plan builders */

static struct kdr_action *add_action(struct kdr_plan *plan, enum kdr_action_kind kind, enum kdr_risk risk,
				     const char *cluster, const char *resource, const char *policy, const char *reason)
{
	struct kdr_action *action = NULL;

	plan->actions = kdr_grow(plan->actions, &plan->cap_actions, plan->n_actions + 1, sizeof(*plan->actions));
	action = &plan->actions[plan->n_actions++];
	memset(action, 0, sizeof(*action));
	action->kind = kind;
	action->risk = risk;
	action->cluster = kdr_strdup(cluster);
	action->resource = kdr_strdup(resource);
	action->policy = kdr_strdup(policy);
	action->reason = kdr_strdup(reason);
	return action;
}

static void add_change(struct kdr_action *action, const char *key, const char *old_value, const char *new_value,
		       bool sensitive)
{
	size_t n = action->n_changes + 1;

	action->changes = kdr_realloc(action->changes, n * sizeof(*action->changes));
	action->changes[n - 1].key = kdr_strdup(key);
	action->changes[n - 1].old_value = kdr_strdup(old_value);
	action->changes[n - 1].new_value = kdr_strdup(new_value);
	action->changes[n - 1].sensitive = sensitive;
	action->n_changes = n;
}

/* Partitions `count` with RF `rf` over brokers 1..brokers, rotating like a rack-aware placement would. */
static void set_topic_shape(struct kdr_action *action, int64_t partitions, int64_t rf, size_t count, int32_t brokers)
{
	action->partitions = partitions;
	action->replication_factor = rf;
	kdr_assignment_init(&action->assignment, count, (size_t)rf);
	for (size_t p = 0; p < count; p++)
		for (size_t r = 0; r < (size_t)rf; r++)
			action->assignment.partitions[p].ids[r] = (int32_t)((p + r) % (size_t)brokers) + 1;
}

static void set_tasks(struct kdr_action *action, const int32_t *ids, size_t n)
{
	action->task_ids = kdr_calloc(n ? n : 1, sizeof(*action->task_ids));
	memcpy(action->task_ids, ids, n * sizeof(*ids));
	action->n_task_ids = n;
}

static void set_dc_loss(struct kdr_action *action, int64_t min_isr, size_t east_left, size_t west_left)
{
	struct kdr_placement_summary *ps = &action->placement;

	ps->has_dc_loss = true;
	ps->min_insync_replicas = min_isr;
	ps->dc_loss.n = 2;
	ps->dc_loss.v = kdr_calloc(2, sizeof(*ps->dc_loss.v));
	ps->dc_loss.v[0].datacenter = kdr_strdup("dc-east");
	ps->dc_loss.v[0].min_replicas_left = east_left;
	ps->dc_loss.v[0].survives = (int64_t)east_left >= min_isr;
	ps->dc_loss.v[1].datacenter = kdr_strdup("dc-west");
	ps->dc_loss.v[1].min_replicas_left = west_left;
	ps->dc_loss.v[1].survives = (int64_t)west_left >= min_isr;
	ps->dc_loss.survives_any_single_dc_loss = ps->dc_loss.v[0].survives && ps->dc_loss.v[1].survives;
}

static void add_blocked(struct kdr_plan *plan, enum kdr_blocked_kind kind, const char *cluster, const char *resource,
			const char *policy, const char *reason, const char *reassignment_json)
{
	struct kdr_blocked *blocked = NULL;

	plan->blocked = kdr_grow(plan->blocked, &plan->cap_blocked, plan->n_blocked + 1, sizeof(*plan->blocked));
	blocked = &plan->blocked[plan->n_blocked++];
	memset(blocked, 0, sizeof(*blocked));
	blocked->kind = kind;
	blocked->cluster = kdr_strdup(cluster);
	blocked->resource = kdr_strdup(resource);
	blocked->policy = kdr_strdup(policy);
	blocked->reason = kdr_strdup(reason);
	blocked->reassignment_json = kdr_strdup(reassignment_json);
}

static void add_note(struct kdr_plan *plan, enum kdr_note_kind kind, const char *cluster, const char *resource,
		     const char *message)
{
	struct kdr_note *note = NULL;

	plan->notes = kdr_grow(plan->notes, &plan->cap_notes, plan->n_notes + 1, sizeof(*plan->notes));
	note = &plan->notes[plan->n_notes++];
	note->kind = kind;
	note->cluster = kdr_strdup(cluster);
	note->resource = kdr_strdup(resource);
	note->message = kdr_strdup(message);
}

#define REASSIGN_ORDERS                                                                                             \
	"{\"version\":1,\"partitions\":[{\"topic\":\"orders\",\"partition\":0,\"replicas\":[1,2,3]," \
	"\"log_dirs\":[\"any\",\"any\",\"any\"]},{\"topic\":\"orders\",\"partition\":1,\"replicas\":[2,3,1]," \
	"\"log_dirs\":[\"any\",\"any\",\"any\"]}]}"

/* A small plan: one create, one alter with every change shape, one delete, one blocked, two notes. */
static void build_small(struct kdr_plan *plan)
{
	struct kdr_action *action = NULL;

	memset(plan, 0, sizeof(*plan));
	action = add_action(plan, KDR_ACTION_CREATE_TOPIC, KDR_RISK_SAFE, "dc-east", "events", "core", "missing");
	set_topic_shape(action, 3, 3, 3, 3);
	kdr_strmap_set(&action->config, "cleanup.policy", "delete");
	kdr_strmap_set(&action->config, "min.insync.replicas", "2");
	action = add_action(plan, KDR_ACTION_ALTER_CONFIGS, KDR_RISK_IRREVERSIBLE, "dc-east", "payments", "tiered",
			    "drift: retention.ms 604800000 -> 86400000");
	kdr_strmap_set(&action->config, "remote.storage.enable", "true");
	kdr_strmap_set(&action->config, "retention.ms", "86400000");
	add_change(action, "retention.ms", "604800000", "86400000", false);
	add_change(action, "remote.storage.enable", NULL, "true", false);
	add_change(action, "segment.ms", "3600000", NULL, false);
	add_action(plan, KDR_ACTION_DELETE_TOPIC, KDR_RISK_DESTRUCTIVE, "dc-west", "old.audit", "core",
		   "undeclared, prune: true");
	add_blocked(plan, KDR_BLOCKED_REPLICATION_FACTOR, "dc-east", "orders", "core", "replication factor 2 -> 3",
		    REASSIGN_ORDERS);
	add_note(plan, KDR_NOTE_INFO, "dc-west", "tmp.x", "prune skipped (run with --allow-delete)");
	add_note(plan, KDR_NOTE_WARNING, "dc-east", "events", "does not survive the loss of dc-west");
}

/*
 * Every action kind, every risk, placement with DC-loss verdicts, a
 * connector with secrets, a long assignment, blocked items of every kind.
 */
static void build_full(struct kdr_plan *plan)
{
	struct kdr_action *action = NULL;
	static const int32_t tasks[] = { 0, 2 };

	memset(plan, 0, sizeof(*plan));
	plan->revision = kdr_strdup("3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39");
	kdr_strmap_set(&plan->fingerprints, "dc-east", "a1b2c3");
	kdr_strmap_set(&plan->fingerprints, "dc-west", "d4e5f6");

	action = add_action(plan, KDR_ACTION_CREATE_TOPIC, KDR_RISK_SAFE, "dc-east", "orders", "core", "missing");
	set_topic_shape(action, 12, 3, 12, 4);
	kdr_strmap_set(&action->config, "min.insync.replicas", "2");
	kdr_strmap_set(&action->placement.replicas_per_dc, "dc-east", "24");
	kdr_strmap_set(&action->placement.replicas_per_dc, "dc-west", "12");
	kdr_strmap_set(&action->placement.replicas_per_rack, "east-1a", "12");
	kdr_strmap_set(&action->placement.replicas_per_rack, "east-1b", "12");
	kdr_strmap_set(&action->placement.replicas_per_rack, "west-1a", "12");
	set_dc_loss(action, 2, 1, 2);

	action = add_action(plan, KDR_ACTION_ADD_PARTITIONS, KDR_RISK_SAFE, "dc-east", "events", "core",
			    "partitions 6 -> 8");
	set_topic_shape(action, 8, 3, 2, 3);
	set_dc_loss(action, 2, 2, 2);

	action = add_action(plan, KDR_ACTION_ALTER_CONFIGS, KDR_RISK_IRREVERSIBLE, "dc-east", "payments", "tiered",
			    "drift: remote.storage.enable unset -> true");
	kdr_strmap_set(&action->config, "remote.storage.enable", "true");
	kdr_strmap_set(&action->config, "retention.ms", "604800000");
	add_change(action, "remote.storage.enable", NULL, "true", false);

	action = add_action(plan, KDR_ACTION_CREATE_CONNECTOR, KDR_RISK_SAFE, "dc-west", "kdr.east-to-west.source",
			    "east-to-west", "missing");
	kdr_strmap_set(&action->config, "connector.class", "org.apache.kafka.connect.mirror.MirrorSourceConnector");
	kdr_strmap_set(&action->config, "source.cluster.sasl.jaas.config", "hunter2-jaas");
	kdr_strmap_set(&action->config, "topics", "orders|events");

	action = add_action(plan, KDR_ACTION_UPDATE_CONNECTOR, KDR_RISK_DISRUPTIVE, "dc-west",
			    "kdr.east-to-west.checkpoint", "east-to-west", "drift: tasks.max 1 -> 4");
	kdr_strmap_set(&action->config, "tasks.max", "4");
	kdr_strmap_set(&action->config, "target.cluster.ssl.truststore.location", "/etc/ts.jks");
	kdr_strmap_set(&action->config, "target.cluster.bootstrap.servers", "west:9092");
	add_change(action, "tasks.max", "1", "4", false);
	add_change(action, "target.cluster.bootstrap.servers", "west-old:9092", "west:9092", true);

	add_action(plan, KDR_ACTION_PAUSE_CONNECTOR, KDR_RISK_DISRUPTIVE, "dc-west", "kdr.west-to-east.source",
		   "west-to-east", "suspended: true");
	add_action(plan, KDR_ACTION_RESUME_CONNECTOR, KDR_RISK_SAFE, "dc-east", "kdr.east-to-west.heartbeat",
		   "east-to-west", "suspended: false");
	action = add_action(plan, KDR_ACTION_RESTART_CONNECTOR, KDR_RISK_DISRUPTIVE, "dc-west",
			    "kdr.east-to-west.source", "east-to-west", "tasks failed");
	set_tasks(action, tasks, 2);
	add_action(plan, KDR_ACTION_RESTART_CONNECTOR, KDR_RISK_DISRUPTIVE, "dc-west", "kdr.east-to-west.checkpoint",
		   "east-to-west", "connector failed");
	add_action(plan, KDR_ACTION_DELETE_CONNECTOR, KDR_RISK_DESTRUCTIVE, "dc-west", "kdr.old-flow.source", NULL,
		   "flow removed");
	action = add_action(plan, KDR_ACTION_DELETE_TOPIC, KDR_RISK_DESTRUCTIVE, "dc-west", "payments.old", "payments",
			    "undeclared, prune: true");
	(void)action;
	add_action(plan, KDR_ACTION_ALTER_CONFIGS, KDR_RISK_DATA_MOVING, "dc-west", "clicks", "core",
		   "drift: preferred leaders");

	add_blocked(plan, KDR_BLOCKED_REPLICATION_FACTOR, "dc-east", "orders.v1", "core", "replication factor 2 -> 3",
		    REASSIGN_ORDERS);
	add_blocked(plan, KDR_BLOCKED_PARTITION_DECREASE, "dc-west", "clicks", "core",
		    "partitions 12 -> 6: Kafka cannot remove partitions", NULL);
	add_blocked(plan, KDR_BLOCKED_PLACEMENT_VIOLATION, "dc-west", "users", "core",
		    "partition 3: replicas [1,2] share rack 'west-1a'", "{\"version\":1,\"partitions\":[]}");
	add_blocked(plan, KDR_BLOCKED_ERROR, NULL, NULL, NULL, "cluster 'dc-south' is not in the live state", NULL);

	add_note(plan, KDR_NOTE_INFO, "dc-west", NULL,
		 "no Connect on dc-west: no heartbeat connector for west-to-east");
	add_note(plan, KDR_NOTE_WARNING, "dc-east", "orders", "writes stop if dc-east is lost (min.insync.replicas=2)");
	add_note(plan, KDR_NOTE_INFO, NULL, NULL, "2 topics skipped: prune needs --allow-delete");
}

static void build_desired(struct kdr_desired *desired)
{
	static const char *const names[] = { "dc-east", "dc-west", "dc-dr" };
	struct kdr_flow *flow = NULL;

	memset(desired, 0, sizeof(*desired));
	for (size_t i = 0; i < 3; i++)
		kdr_desired_add_cluster(desired)->meta.name = kdr_strdup(names[i]);
	flow = kdr_desired_add_flow(desired);
	flow->meta.name = kdr_strdup("east-to-west");
	flow->source = kdr_strdup("dc-east");
	flow->target = kdr_strdup("dc-west");
	kdr_strvec_release(&flow->topics);
	kdr_strvec_push(&flow->topics, "orders");
	kdr_strvec_push(&flow->topics, "events");
	kdr_strvec_push(&flow->topics, "users");
	kdr_strvec_push(&flow->topics, "payments\\..*");
	kdr_strvec_push(&flow->topics_exclude, "dc-west\\..*");
	flow = kdr_desired_add_flow(desired);
	flow->meta.name = kdr_strdup("west-to-dr");
	flow->source = kdr_strdup("dc-west");
	flow->target = kdr_strdup("dc-dr");
	flow->suspended = true;
}

static char *render(const struct kdr_plan *plan, const struct kdr_desired *desired, enum kdr_render_format format)
{
	struct kdr_buf out = KDR_BUF_INIT;

	kdr_render_plan(&out, plan, desired, format);
	return kdr_buf_detach(&out);
}

/*
 * Compares with tests/unit/fixtures/render/<name>; KDR_UPDATE_GOLDEN=1
 * rewrites the file instead (review the diff before committing it).
 */
static void assert_golden(const char *name, const char *actual)
{
	char path[512] = "";
	FILE *f = NULL;
	struct kdr_buf expected = KDR_BUF_INIT;
	char chunk[4096] = "";
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/render/%s", KDR_SOURCE_DIR, name);
	if (getenv("KDR_UPDATE_GOLDEN")) {
		f = fopen(path, "wb");
		assert_non_null(f);
		fputs(actual, f);
		fclose(f);
		return;
	}
	f = fopen(path, "rb");
	if (!f)
		fail_msg("missing golden file %s (run with KDR_UPDATE_GOLDEN=1)", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kdr_buf_put(&expected, chunk, n);
	fclose(f);
	if (strcmp(expected.ptr, actual) != 0)
		print_error("--- %s\n%s--- actual\n%s", path, expected.ptr, actual);
	assert_string_equal(actual, expected.ptr);
	kdr_buf_release(&expected);
}

/*
 * One rendering case: a plan (and desired state) built by its functions,
 * rendered in one format, and what the output must be: the whole text, a
 * golden file, lines it must hold and a line it must not. Each case is its
 * own cmocka test named test_<case> (RENDER_TEST).
 */
struct render_case {
	void (*build)(struct kdr_plan *plan);		 /* NULL: the empty plan */
	void (*build_desired)(struct kdr_desired *desired); /* NULL: no desired state */
	enum kdr_render_format format;
	const char *exact;	  /* the whole output, or NULL */
	const char *golden;	  /* a file of tests/unit/fixtures/render/, or NULL */
	const char *contains[6]; /* lines the output holds, up to the first NULL */
	const char *absent;	  /* text the output must not hold, or NULL */
};

static void run_render_case(void **state)
{
	const struct render_case *c = *state;
	struct kdr_plan plan = { 0 };
	struct kdr_desired desired = { 0 };
	char *out = NULL;

	memset(&plan, 0, sizeof(plan));
	if (c->build)
		c->build(&plan);
	if (c->build_desired)
		c->build_desired(&desired);
	out = render(&plan, c->build_desired ? &desired : NULL, c->format);
	if (c->exact)
		assert_string_equal(out, c->exact);
	if (c->golden)
		assert_golden(c->golden, out);
	for (size_t i = 0; i < sizeof(c->contains) / sizeof(c->contains[0]) && c->contains[i]; i++)
		if (!strstr(out, c->contains[i]))
			fail_msg("missing %s in:\n%s", c->contains[i], out);
	if (c->absent && strstr(out, c->absent))
		fail_msg("unwanted %s in:\n%s", c->absent, out);
	free(out);
	kdr_plan_release(&plan);
	if (c->build_desired)
		kdr_desired_release(&desired);
}

#define RENDER_TEST(c) { "test_" #c, run_render_case, NULL, NULL, (void *)&(c) }

/* ---------------------------------------------------------------- format names */

static void test_format_parse(void **state)
{
	(void)state;
	/* --format's words at their values (pkg/cli's word-table option looks them up), then the end. */
	assert_string_equal(kdr_render_format_names[KDR_RENDER_TEXT], "text");
	assert_string_equal(kdr_render_format_names[KDR_RENDER_MARKDOWN], "markdown");
	assert_string_equal(kdr_render_format_names[KDR_RENDER_JSON], "json");
	assert_null(kdr_render_format_names[KDR_RENDER_JSON + 1]);
}

/* ---------------------------------------------------------------- text */

static const struct render_case text_empty = {
	.format = KDR_RENDER_TEXT,
	.exact = "No changes. Live state matches the desired state.\n",
};

static void build_one_note(struct kdr_plan *plan)
{
	add_note(plan, KDR_NOTE_INFO, "dc-west", "tmp.x", "prune skipped (run with --allow-delete)");
}

static const struct render_case text_empty_with_notes = {
	.build = build_one_note,
	.format = KDR_RENDER_TEXT,
	.exact = "Notes:\n"
		 "  - dc-west/tmp.x: prune skipped (run with --allow-delete)\n"
		 "\n"
		 "No changes. Live state matches the desired state.\n",
};

static const struct render_case text_small = {
	.build = build_small,
	.format = KDR_RENDER_TEXT,
	.exact =
		"Cluster dc-east:\n"
		"  + create-topic events\n"
		"      policy: core\n"
		"      reason: missing\n"
		"      partitions: 3, replication factor: 3\n"
		"      assignment: p0=[1,2,3] p1=[2,3,1] p2=[3,1,2]\n"
		"      config:\n"
		"        cleanup.policy = delete\n"
		"        min.insync.replicas = 2\n"
		"  ~ alter-configs payments [irreversible]\n"
		"      policy: tiered\n"
		"      reason: drift: retention.ms 604800000 -> 86400000\n"
		"      ~ retention.ms: 604800000 -> 86400000\n"
		"      + remote.storage.enable: true\n"
		"      - segment.ms (was 3600000)\n"
		"  ! replication-factor orders\n"
		"      policy: core\n"
		"      reason: replication factor 2 -> 3\n"
		"      reassignment (kafka-reassign-partitions.sh --reassignment-json-file): " REASSIGN_ORDERS "\n"
		"\n"
		"Cluster dc-west:\n"
		"  - delete-topic old.audit [destructive]\n"
		"      policy: core\n"
		"      reason: undeclared, prune: true\n"
		"\n"
		"Warnings:\n"
		"  - dc-east/events: does not survive the loss of dc-west\n"
		"Notes:\n"
		"  - dc-west/tmp.x: prune skipped (run with --allow-delete)\n"
		"\n"
		"Plan: 1 to create, 1 to change, 1 to delete, 1 blocked.\n"
		"risk: 1 destructive, 1 irreversible\n",
};

/* Which symbol each kind gets. */
static void test_text_symbols_per_kind(void **state)
{
	struct kdr_plan plan = { 0 };
	char *text = NULL;
	static const char *const lines[] = {
		"  + create-topic orders\n",
		"  ~ add-partitions events\n",
		"  ~ alter-configs payments [irreversible]\n",
		"  + create-connector kdr.east-to-west.source\n",
		"  ~ update-connector kdr.east-to-west.checkpoint [disruptive]\n",
		"  ~ pause-connector kdr.west-to-east.source [disruptive]\n",
		"  ~ resume-connector kdr.east-to-west.heartbeat\n",
		"  ~ restart-connector kdr.east-to-west.source [disruptive]\n",
		"  - delete-connector kdr.old-flow.source [destructive]\n",
		"  - delete-topic payments.old [destructive]\n",
		"  ~ alter-configs clicks [data-moving]\n",
		"  ! replication-factor orders.v1\n",
		"  ! partition-decrease clicks\n",
		"  ! placement-violation users\n",
		"  ! error -\n",
	};

	(void)state;
	build_full(&plan);
	text = render(&plan, NULL, KDR_RENDER_TEXT);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strstr(text, lines[i]))
			fail_msg("missing line %s in:\n%s", lines[i], text);
	assert_non_null(strstr(text, "Plan: 2 to create, 8 to change, 2 to delete, 4 blocked.\n"
				     "risk: 4 disruptive, 1 data-moving, 2 destructive, 1 irreversible\n"));
	/* Grouped by cluster, sorted; items without a cluster last. */
	assert_true(strstr(text, "Cluster dc-east:\n") < strstr(text, "Cluster dc-west:\n"));
	assert_true(strstr(text, "Cluster dc-west:\n") < strstr(text, "Not tied to a cluster:\n  ! error -\n"));
	free(text);
	kdr_plan_release(&plan);
}

static void build_long_assignments(struct kdr_plan *plan)
{
	struct kdr_action *action = NULL;

	action = add_action(plan, KDR_ACTION_CREATE_TOPIC, KDR_RISK_SAFE, "dc-east", "big", "core", "missing");
	set_topic_shape(action, 20, 2, 20, 5);
	action = add_action(plan, KDR_ACTION_ADD_PARTITIONS, KDR_RISK_SAFE, "dc-east", "grow", "core",
			    "partitions 6 -> 16");
	set_topic_shape(action, 16, 3, 10, 3);
}

static const struct render_case text_long_assignment_is_truncated = {
	.build = build_long_assignments,
	.format = KDR_RENDER_TEXT,
	.contains = {
		"      assignment: p0=[1,2] p1=[2,3] p2=[3,4] p3=[4,5] p4=[5,1] p5=[1,2] "
		"p6=[2,3] p7=[3,4] ... (12 more)\n",
		/* add-partitions: numbered after the existing ones. */
		"      partitions: 6 -> 16, replication factor: 3\n"
		"      assignment: p6=[1,2,3] p7=[2,3,1] p8=[3,1,2] p9=[1,2,3] p10=[2,3,1] "
		"p11=[3,1,2] p12=[1,2,3] p13=[2,3,1] ... (2 more)\n",
	},
};

/* Per-DC and per-rack replica counts and the DC-loss verdict, failing and surviving. */
static const struct render_case text_placement_and_dc_loss = {
	.build = build_full,
	.format = KDR_RENDER_TEXT,
	.contains = {
		"      replicas per DC: dc-east=24, dc-west=12\n"
		"      replicas per rack: east-1a=12, east-1b=12, west-1a=12\n"
		"      dc loss: writes with acks=all stop if dc-east is lost "
		"(min.insync.replicas=2; dc-east lost -> 1 left, dc-west lost -> 2 left)\n",
		"      dc loss: survives losing any one DC (min.insync.replicas=2; "
		"dc-east lost -> 2 left, dc-west lost -> 2 left)\n",
	},
};

static const struct render_case text_full_golden = {
	.build = build_full,
	.format = KDR_RENDER_TEXT,
	.golden = "full.txt",
};

/* Connector config with secrets redacted, sensitive changes, restarts of tasks and of the connector. */
static const struct render_case text_connectors = {
	.build = build_full,
	.format = KDR_RENDER_TEXT,
	.contains = {
		"  + create-connector kdr.east-to-west.source\n"
		"      policy: east-to-west\n"
		"      reason: missing\n"
		"      config:\n"
		"        connector.class = org.apache.kafka.connect.mirror.MirrorSourceConnector\n"
		"        source.cluster.sasl.jaas.config = (redacted)\n"
		"        topics = orders|events\n",
		"      ~ tasks.max: 1 -> 4\n"
		"      ~ target.cluster.bootstrap.servers: (redacted) -> (redacted)\n",
		"  ~ restart-connector kdr.east-to-west.source [disruptive]\n"
		"      policy: east-to-west\n"
		"      reason: tasks failed\n"
		"      restart: tasks 0, 2\n",
		"      reason: connector failed\n      restart: the connector and its failed tasks\n",
		/* A prune of an orphan has no policy line. */
		"  - delete-connector kdr.old-flow.source [destructive]\n"
		"      reason: flow removed\n",
	},
};

/* ---------------------------------------------------------------- secrets */

static void test_secrets_never_printed(void **state)
{
	static const enum kdr_render_format formats[] = { KDR_RENDER_TEXT, KDR_RENDER_MARKDOWN, KDR_RENDER_JSON };
	struct kdr_plan plan = { 0 };
	struct kdr_action *action = NULL;

	(void)state;
	build_full(&plan);
	action = add_action(&plan, KDR_ACTION_UPDATE_CONNECTOR, KDR_RISK_SAFE, "dc-west", "kdr.x.source", "x",
			    "drift");
	kdr_strmap_set(&action->config, "source.cluster.sasl.password", "hunter2-password");
	kdr_strmap_set(&action->config, "consumer.override.sasl.jaas.config", "hunter2-jaas-2");
	add_change(&plan.actions[plan.n_actions - 1], "source.cluster.sasl.password", "hunter2-old", "hunter2-password",
		   true);
	add_change(&plan.actions[plan.n_actions - 1], "consumer.override.sasl.jaas.config", NULL, "hunter2-jaas-2",
		   true);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *out = render(&plan, NULL, formats[i]);

		if (strstr(out, "hunter2") || strstr(out, "west-old:9092"))
			fail_msg("format %zu leaks a secret:\n%s", i, out);
		free(out);
	}
	kdr_plan_release(&plan);
}

/* ---------------------------------------------------------------- markdown */

static const struct render_case markdown_empty = {
	.format = KDR_RENDER_MARKDOWN,
	.exact = "## kdr plan\n\nNo changes. Live state matches the desired state.\n",
};

static void build_small_with_revision(struct kdr_plan *plan)
{
	build_small(plan);
	plan->revision = kdr_strdup("3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39");
}

static const struct render_case markdown_small = {
	.build = build_small_with_revision,
	.format = KDR_RENDER_MARKDOWN,
	.exact =
		"## kdr plan for 3f2a9c1\n"
		"\n"
		"| create | change | delete | blocked | safe | disruptive | data-moving | destructive | "
		"irreversible |\n"
		"|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
		"| 1 | 1 | 1 | 1 | 1 | 0 | 0 | 1 | 1 |\n"
		"\n"
		"### Needs attention\n"
		"\n"
		"**Blocked**: kdr will not do these; each needs an operator.\n"
		"\n"
		"| cluster | resource | blocked | policy | reason |\n"
		"|---|---|---|---|---|\n"
		"| `dc-east` | `orders` | replication-factor | `core` | replication factor 2 -> 3 |\n"
		"\n"
		"<details><summary>Reassignment for <code>orders</code> on <code>dc-east</code> "
		"(kafka-reassign-partitions.sh --reassignment-json-file)</summary>\n"
		"\n"
		"```json\n"
		"{\n"
		"  \"version\": 1,\n"
		"  \"partitions\": [\n"
		"    {\n"
		"      \"topic\": \"orders\",\n"
		"      \"partition\": 0,\n"
		"      \"replicas\": [1, 2, 3],\n"
		"      \"log_dirs\": [\"any\", \"any\", \"any\"]\n"
		"    },\n"
		"    {\n"
		"      \"topic\": \"orders\",\n"
		"      \"partition\": 1,\n"
		"      \"replicas\": [2, 3, 1],\n"
		"      \"log_dirs\": [\"any\", \"any\", \"any\"]\n"
		"    }\n"
		"  ]\n"
		"}\n"
		"```\n"
		"\n"
		"</details>\n"
		"\n"
		"**Destructive and irreversible actions**:\n"
		"\n"
		"| cluster | action | resource | risk | reason |\n"
		"|---|---|---|---|---|\n"
		"| `dc-east` | alter-configs | `payments` | **irreversible** | "
		"drift: retention.ms 604800000 -> 86400000 |\n"
		"| `dc-west` | delete-topic | `old.audit` | **destructive** | undeclared, prune: true |\n"
		"\n"
		"### dc-east\n"
		"\n"
		"- `+` create-topic `events`\n"
		"  - policy: `core`\n"
		"  - reason: missing\n"
		"  - partitions: 3, replication factor: 3\n"
		"  - assignment: `p0=[1,2,3] p1=[2,3,1] p2=[3,1,2]`\n"
		"  - config:\n"
		"    - `cleanup.policy`: `delete`\n"
		"    - `min.insync.replicas`: `2`\n"
		"- `~` alter-configs `payments` **[irreversible]**\n"
		"  - policy: `tiered`\n"
		"  - reason: drift: retention.ms 604800000 -> 86400000\n"
		"  - `retention.ms`: `604800000` → `86400000`\n"
		"  - `remote.storage.enable`: (unset) → `true`\n"
		"  - `segment.ms`: `3600000` → (removed)\n"
		"\n"
		"### dc-west\n"
		"\n"
		"- `-` delete-topic `old.audit` **[destructive]**\n"
		"  - policy: `core`\n"
		"  - reason: undeclared, prune: true\n"
		"\n"
		"### Notes\n"
		"\n"
		"- **warning** `dc-east` `events`: does not survive the loss of dc-west\n"
		"- **info** `dc-west` `tmp.x`: prune skipped (run with --allow-delete)\n",
};

static const struct render_case markdown_full_golden = {
	.build = build_full,
	.build_desired = build_desired,
	.format = KDR_RENDER_MARKDOWN,
	.golden = "full.md",
};

static void build_odd_revision(struct kdr_plan *plan)
{
	plan->revision = kdr_strdup("v1.2|`x`");
}

static const struct render_case markdown_title_revision = {
	.build = build_odd_revision,
	.format = KDR_RENDER_MARKDOWN,
	.contains = { "## kdr plan for `` v1.2|`x` ``\n" },
};

static void build_markdown_specials(struct kdr_plan *plan)
{
	add_action(plan, KDR_ACTION_DELETE_TOPIC, KDR_RISK_DESTRUCTIVE, "dc-east", "a|b`c", "core",
		   "drift: *bold* <script> @team #12 [x](y) a|b");
	add_blocked(plan, KDR_BLOCKED_ERROR, "dc-east", "t|x", "p", "bad | pipe", NULL);
	add_note(plan, KDR_NOTE_WARNING, "dc-east", NULL, "line1\nline2 _x_");
}

static const struct render_case markdown_escapes_user_strings = {
	.build = build_markdown_specials,
	.format = KDR_RENDER_MARKDOWN,
	.contains = {
		/* Tables: pipes escaped even inside code spans; backticks get a longer fence. */
		"| `dc-east` | `t\\|x` | error | `p` | bad \\| pipe |\n",
		"| `dc-east` | delete-topic | `` a\\|b`c `` | **destructive** | "
		"drift: \\*bold\\* \\<script> \\@team \\#12 \\[x\\](y) a\\|b |\n",
		/* Lists: a code span holds the pipe as is. */
		"- `-` delete-topic `` a|b`c `` **[destructive]**\n",
		"- **warning** `dc-east`: line1 line2 \\_x\\_\n",
	},
	.absent = " <script>",
};

static void test_markdown_long_cluster_is_collapsed(void **state)
{
	struct kdr_plan plan = { 0 };
	char *md = NULL;
	char name[32] = "";

	(void)state;
	memset(&plan, 0, sizeof(plan));
	for (int i = 0; i < 21; i++) {
		snprintf(name, sizeof(name), "t%02d", i);
		add_action(&plan, KDR_ACTION_RESUME_CONNECTOR, KDR_RISK_SAFE, "dc-a", name, NULL, NULL);
	}
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "u%02d", i);
		add_action(&plan, KDR_ACTION_RESUME_CONNECTOR, KDR_RISK_SAFE, "dc-b", name, NULL, NULL);
	}
	md = render(&plan, NULL, KDR_RENDER_MARKDOWN);
	assert_non_null(
		strstr(md, "### dc-a\n\n<details><summary>21 actions</summary>\n\n- `~` resume-connector `t00`\n"));
	assert_non_null(strstr(md, "- `~` resume-connector `t20`\n\n</details>\n\n### dc-b\n\n- `~` resume-connector "
				   "`u00`\n"));
	assert_null(strstr(md, "20 actions"));
	assert_true(md[strlen(md) - 1] == '\n' && md[strlen(md) - 2] != '\n');
	free(md);
	kdr_plan_release(&plan);
}

/* ---------------------------------------------------------------- mermaid */

/* A name that would break a quoted label; a flow to an undefined cluster still draws. */
static void build_desired_with_odd_flow(struct kdr_desired *desired)
{
	struct kdr_flow *flow = NULL;

	build_desired(desired);
	flow = kdr_desired_add_flow(desired);
	flow->meta.name = kdr_strdup("odd\"|#<b>`");
	flow->source = kdr_strdup("dc-east");
	flow->target = kdr_strdup("dc-nowhere");
}

static const struct render_case markdown_mermaid = {
	.build_desired = build_desired_with_odd_flow,
	.format = KDR_RENDER_MARKDOWN,
	.exact = "## kdr plan\n"
				"\n"
				"No changes. Live state matches the desired state.\n"
				"\n"
				"### Topology\n"
				"\n"
				"```mermaid\n"
				"graph LR\n"
				"  c0[\"dc-east\"]\n"
				"  c1[\"dc-west\"]\n"
				"  c2[\"dc-dr\"]\n"
				"  c3[\"dc-nowhere\"]\n"
				"  c0 -->|\"east-to-west<br>topics: orders, events, users, +1 more<br>excluding: "
				"dc-west\\..*\"| c1\n"
				"  c1 -.->|\"west-to-dr<br>topics: .*<br>(suspended)\"| c2\n"
				"  c0 -->|\"odd#quot;#124;#35;#lt;b#gt;#96;<br>topics: .*\"| c3\n"
				"```\n",
};

static void build_no_desired(struct kdr_desired *desired)
{
	memset(desired, 0, sizeof(*desired));
}

static const struct render_case markdown_without_desired_has_no_graph = {
	.build = build_small,
	.build_desired = build_no_desired,
	.format = KDR_RENDER_MARKDOWN,
	.absent = "mermaid",
};

/* ---------------------------------------------------------------- json */

static json_t *parse_json(const char *text)
{
	json_error_t error = { 0 };
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &error);

	if (!doc)
		fail_msg("invalid JSON at %d:%d: %s\n%s", error.line, error.column, error.text, text);
	return doc;
}

static const struct render_case json_empty = {
	.format = KDR_RENDER_JSON,
	.exact = "{\n"
				  "  \"kdrPlan\": 1,\n"
				  "  \"revision\": null,\n"
				  "  \"summary\": {\n"
				  "    \"create\": 0,\n"
				  "    \"change\": 0,\n"
				  "    \"delete\": 0,\n"
				  "    \"blocked\": 0,\n"
				  "    \"risk\": {\n"
				  "      \"safe\": 0,\n"
				  "      \"disruptive\": 0,\n"
				  "      \"data-moving\": 0,\n"
				  "      \"destructive\": 0,\n"
				  "      \"irreversible\": 0\n"
				  "    }\n"
				  "  },\n"
				  "  \"fingerprints\": {},\n"
				  "  \"actions\": [],\n"
				  "  \"blocked\": [],\n"
				  "  \"notes\": []\n"
				  "}\n",
};

static void build_json_small(struct kdr_plan *plan)
{
	struct kdr_action *action = NULL;
	static const int32_t tasks[] = { 1 };

	plan->revision = kdr_strdup("abc1234");
	kdr_strmap_set(&plan->fingerprints, "dc-east", "f00d");
	action = add_action(plan, KDR_ACTION_ADD_PARTITIONS, KDR_RISK_SAFE, "dc-east", "events", "core",
			    "partitions 2 -> 3");
	set_topic_shape(action, 3, 2, 1, 2);
	action = add_action(plan, KDR_ACTION_ALTER_CONFIGS, KDR_RISK_SAFE, "dc-east", "events", "core", "drift");
	kdr_strmap_set(&action->config, "retention.ms", "86400000");
	add_change(action, "retention.ms", "604800000", "86400000", false);
	add_change(action, "segment.ms", "3600000", NULL, false);
	action = add_action(plan, KDR_ACTION_RESTART_CONNECTOR, KDR_RISK_DISRUPTIVE, "dc-west", "kdr.f.source", "f",
			    "task 1 failed");
	set_tasks(action, tasks, 1);
	add_note(plan, KDR_NOTE_WARNING, "dc-east", NULL, "heads up");
}

static const struct render_case json_small_exact = {
	.build = build_json_small,
	.format = KDR_RENDER_JSON,
	.exact = "{\n"
				  "  \"kdrPlan\": 1,\n"
				  "  \"revision\": \"abc1234\",\n"
				  "  \"summary\": {\n"
				  "    \"create\": 0,\n"
				  "    \"change\": 3,\n"
				  "    \"delete\": 0,\n"
				  "    \"blocked\": 0,\n"
				  "    \"risk\": {\n"
				  "      \"safe\": 2,\n"
				  "      \"disruptive\": 1,\n"
				  "      \"data-moving\": 0,\n"
				  "      \"destructive\": 0,\n"
				  "      \"irreversible\": 0\n"
				  "    }\n"
				  "  },\n"
				  "  \"fingerprints\": {\n"
				  "    \"dc-east\": \"f00d\"\n"
				  "  },\n"
				  "  \"actions\": [\n"
				  "    {\n"
				  "      \"kind\": \"add-partitions\",\n"
				  "      \"risk\": \"safe\",\n"
				  "      \"cluster\": \"dc-east\",\n"
				  "      \"resource\": \"events\",\n"
				  "      \"policy\": \"core\",\n"
				  "      \"reason\": \"partitions 2 -> 3\",\n"
				  "      \"partitions\": 3,\n"
				  "      \"replicationFactor\": 2,\n"
				  "      \"assignment\": [\n"
				  "        [1, 2]\n"
				  "      ]\n"
				  "    },\n"
				  "    {\n"
				  "      \"kind\": \"alter-configs\",\n"
				  "      \"risk\": \"safe\",\n"
				  "      \"cluster\": \"dc-east\",\n"
				  "      \"resource\": \"events\",\n"
				  "      \"policy\": \"core\",\n"
				  "      \"reason\": \"drift\",\n"
				  "      \"config\": {\n"
				  "        \"retention.ms\": \"86400000\"\n"
				  "      },\n"
				  "      \"changes\": [\n"
				  "        {\n"
				  "          \"key\": \"retention.ms\",\n"
				  "          \"old\": \"604800000\",\n"
				  "          \"new\": \"86400000\",\n"
				  "          \"sensitive\": false\n"
				  "        },\n"
				  "        {\n"
				  "          \"key\": \"segment.ms\",\n"
				  "          \"old\": \"3600000\",\n"
				  "          \"sensitive\": false\n"
				  "        }\n"
				  "      ]\n"
				  "    },\n"
				  "    {\n"
				  "      \"kind\": \"restart-connector\",\n"
				  "      \"risk\": \"disruptive\",\n"
				  "      \"cluster\": \"dc-west\",\n"
				  "      \"resource\": \"kdr.f.source\",\n"
				  "      \"policy\": \"f\",\n"
				  "      \"reason\": \"task 1 failed\",\n"
				  "      \"tasks\": [1]\n"
				  "    }\n"
				  "  ],\n"
				  "  \"blocked\": [],\n"
				  "  \"notes\": [\n"
				  "    {\n"
				  "      \"kind\": \"warning\",\n"
				  "      \"cluster\": \"dc-east\",\n"
				  "      \"resource\": null,\n"
				  "      \"message\": \"heads up\"\n"
				  "    }\n"
				  "  ]\n"
				  "}\n",
};

static json_t *action_at(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "actions"), i);
}

static void test_json_fields(void **state)
{
	struct kdr_plan plan = { 0 };
	char *text = NULL;
	json_t *doc = NULL;
	json_t *action = NULL;
	json_t *change = NULL;
	json_t *reassignment = NULL;
	json_t *summary = NULL;
	json_t *placement = NULL;
	json_t *config = NULL;
	json_t *blocked = NULL;
	json_t *assignment = NULL;
	json_t *note = NULL;

	(void)state;
	build_full(&plan);
	text = render(&plan, NULL, KDR_RENDER_JSON);
	doc = parse_json(text);
	assert_int_equal(json_integer_value(json_object_get(doc, "kdrPlan")), 1);
	assert_string_equal(json_string_value(json_object_get(doc, "revision")), plan.revision);
	summary = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(json_object_get(summary, "create")), 2);
	assert_int_equal(json_integer_value(json_object_get(summary, "change")), 8);
	assert_int_equal(json_integer_value(json_object_get(summary, "delete")), 2);
	assert_int_equal(json_integer_value(json_object_get(summary, "blocked")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(summary, "risk"), "disruptive")), 4);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "fingerprints"), "dc-west")),
			    "d4e5f6");
	assert_int_equal(json_array_size(json_object_get(doc, "actions")), plan.n_actions);

	/* create-topic: shape, placement, config; no changes or tasks. */
	action = action_at(doc, 0);
	assert_string_equal(json_string_value(json_object_get(action, "kind")), "create-topic");
	assert_int_equal(json_integer_value(json_object_get(action, "partitions")), 12);
	assert_int_equal(json_integer_value(json_object_get(action, "replicationFactor")), 3);
	assert_int_equal(json_array_size(json_object_get(action, "assignment")), 12);
	assignment = json_object_get(action, "assignment");
	assert_int_equal(json_integer_value(json_array_get(json_array_get(assignment, 1), 0)), 2);
	placement = json_object_get(action, "placement");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(placement, "replicasPerDatacenter"),
							    "dc-east")),
			 24);
	assert_true(json_is_false(json_object_get(json_object_get(placement, "dcLoss"), "survivesAnySingleDcLoss")));
	assert_null(json_object_get(action, "changes"));
	assert_null(json_object_get(action, "tasks"));

	/* create-connector: a secret config value is null. */
	action = action_at(doc, 3);
	config = json_object_get(action, "config");
	assert_true(json_is_null(json_object_get(config, "source.cluster.sasl.jaas.config")));
	assert_string_equal(json_string_value(json_object_get(config, "topics")), "orders|events");
	assert_null(json_object_get(action, "partitions"));
	assert_null(json_object_get(action, "assignment"));

	/* update-connector: a sensitive change is null/null with sensitive: true, and its config value null too. */
	action = action_at(doc, 4);
	config = json_object_get(action, "config");
	change = json_array_get(json_object_get(action, "changes"), 1);
	assert_true(json_is_null(json_object_get(change, "old")));
	assert_true(json_is_null(json_object_get(change, "new")));
	assert_true(json_is_true(json_object_get(change, "sensitive")));
	assert_true(json_is_null(json_object_get(config, "target.cluster.bootstrap.servers")));
	/* Only credentials are redacted by name: a truststore location is not one. */
	assert_true(json_is_string(json_object_get(config, "target.cluster.ssl.truststore.location")));

	/* pause: nothing but the common fields. */
	action = action_at(doc, 5);
	assert_int_equal(json_object_size(action), 6);
	/* restart: tasks. */
	assert_int_equal(json_array_size(json_object_get(action_at(doc, 7), "tasks")), 2);
	assert_int_equal(json_array_size(json_object_get(action_at(doc, 8), "tasks")), 0);
	/* delete of an orphan: policy null. */
	assert_true(json_is_null(json_object_get(action_at(doc, 9), "policy")));

	/* blocked: the reassignment is a JSON object, not a string. */
	blocked = json_object_get(doc, "blocked");
	reassignment = json_object_get(json_array_get(blocked, 0), "reassignment");
	assert_true(json_is_object(reassignment));
	assert_int_equal(json_integer_value(json_object_get(reassignment, "version")), 1);
	assert_int_equal(json_array_size(json_object_get(reassignment, "partitions")), 2);
	assert_null(json_object_get(json_array_get(blocked, 1), "reassignment"));
	assert_true(json_is_null(json_object_get(json_array_get(blocked, 3), "cluster")));
	note = json_array_get(json_object_get(doc, "notes"), 1);
	assert_string_equal(json_string_value(json_object_get(note, "kind")), "warning");
	/* Layout: 2-space indentation, one trailing newline. */
	assert_true(strncmp(text, "{\n  \"kdrPlan\": 1,\n  \"revision\": ", 32) == 0);
	assert_string_equal(text + strlen(text) - 3, "\n}\n");
	json_decref(doc);
	free(text);
	kdr_plan_release(&plan);
}

static const struct render_case json_full_golden = {
	.build = build_full,
	.format = KDR_RENDER_JSON,
	.golden = "full.json",
};

/* ---------------------------------------------------------------- reading plan.json back */

/*
 * Writes `plan` as plan.json, reads it back into `back` (as file `file`) and
 * checks `back` writes the very same text; returns that text (free it).
 */
static char *json_round_trip(const struct kdr_plan *plan, struct kdr_plan *back, const char *file)
{
	char *first = render(plan, NULL, KDR_RENDER_JSON);
	char *second = NULL;

	assert_int_equal(kdr_plan_from_json(back, first, strlen(first), file), 0);
	second = render(back, NULL, KDR_RENDER_JSON);
	assert_string_equal(second, first);
	free(second);
	return first;
}

static void test_json_round_trip(void **state)
{
	static const enum kdr_render_format formats[] = { KDR_RENDER_TEXT, KDR_RENDER_MARKDOWN, KDR_RENDER_JSON };
	struct kdr_plan plan = { 0 };
	struct kdr_plan back = { 0 };
	struct kdr_plan again = { 0 };
	char *first = NULL;
	char *second = NULL;
	char *third = NULL;

	(void)state;
	build_full(&plan);
	first = json_round_trip(&plan, &back, "plan.json");

	/* What the executor needs came back. */
	assert_int_equal(back.n_actions, plan.n_actions);
	assert_int_equal(back.n_blocked, plan.n_blocked);
	assert_int_equal(back.n_notes, plan.n_notes);
	assert_string_equal(back.revision, plan.revision);
	assert_true(kdr_strmap_equal(&back.fingerprints, &plan.fingerprints));
	for (size_t i = 0; i < plan.n_actions; i++) {
		assert_int_equal(back.actions[i].kind, plan.actions[i].kind);
		assert_int_equal(back.actions[i].risk, plan.actions[i].risk);
		assert_string_equal(back.actions[i].cluster, plan.actions[i].cluster);
		assert_string_equal(back.actions[i].resource, plan.actions[i].resource);
		assert_int_equal(back.actions[i].partitions, plan.actions[i].partitions);
		assert_int_equal(back.actions[i].replication_factor, plan.actions[i].replication_factor);
		assert_int_equal(back.actions[i].assignment.n, plan.actions[i].assignment.n);
		for (size_t p = 0; p < plan.actions[i].assignment.n; p++) {
			assert_int_equal(back.actions[i].assignment.partitions[p].n,
					 plan.actions[i].assignment.partitions[p].n);
			assert_memory_equal(back.actions[i].assignment.partitions[p].ids,
					    plan.actions[i].assignment.partitions[p].ids,
					    plan.actions[i].assignment.partitions[p].n * sizeof(int32_t));
		}
		assert_int_equal(back.actions[i].n_task_ids, plan.actions[i].n_task_ids);
		assert_int_equal(back.actions[i].n_changes, plan.actions[i].n_changes);
	}
	assert_int_equal(back.actions[7].task_ids[1], 2);
	assert_string_equal(kdr_strmap_get(&back.actions[0].config, "min.insync.replicas"), "2");
	assert_null(back.actions[2].changes[0].old_value);
	assert_string_equal(back.actions[2].changes[0].new_value, "true");
	assert_string_equal(back.blocked[0].reassignment_json, REASSIGN_ORDERS);
	assert_null(back.blocked[1].reassignment_json);
	assert_null(back.blocked[3].cluster);
	assert_int_equal(back.actions[0].placement.dc_loss.n, 2);
	assert_int_equal(back.actions[0].placement.dc_loss.v[0].min_replicas_left, 1);
	assert_int_equal(back.actions[0].placement.min_insync_replicas, 2);
	/* Secrets did not survive the file: they must be resolved again before executing. */
	assert_string_equal(kdr_strmap_get(&back.actions[3].config, "source.cluster.sasl.jaas.config"), KDR_REDACTED);
	assert_true(kdr_plan_action_has_redacted(&back.actions[3]));
	assert_false(kdr_plan_action_has_redacted(&plan.actions[3]));
	assert_false(kdr_plan_action_has_redacted(&back.actions[0]));

	/* The other formats cannot tell the difference either. */
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		free(third);
		free(second);
		second = render(&plan, NULL, formats[i]);
		third = render(&back, NULL, formats[i]);
		assert_string_equal(third, second);
	}

	/* And a second trip is stable. */
	free(third);
	third = json_round_trip(&back, &again, "plan.json");
	assert_string_equal(third, first);
	free(first);
	free(second);
	free(third);
	kdr_plan_release(&plan);
	kdr_plan_release(&back);
	kdr_plan_release(&again);
}

static void test_json_round_trip_small_and_empty(void **state)
{
	struct kdr_plan plan = { 0 };
	struct kdr_plan back = { 0 };

	(void)state;
	build_small(&plan);
	free(json_round_trip(&plan, &back, "small.json"));
	kdr_plan_release(&plan);
	kdr_plan_release(&back);

	memset(&plan, 0, sizeof(plan));
	free(json_round_trip(&plan, &back, "empty.json"));
	assert_true(kdr_plan_is_empty(&back));
	assert_null(back.revision);
	kdr_plan_release(&back);
}

/* Strings that need JSON escapes survive the trip. */
static void test_json_round_trip_escapes(void **state)
{
	struct kdr_plan plan = { 0 };
	struct kdr_plan back = { 0 };
	char *first = NULL;
	json_t *doc = NULL;

	(void)state;
	add_note(&plan, KDR_NOTE_INFO, "dc-east", "t",
		 "quote \" backslash \\ newline \n tab \t ctl \x01 utf-8 \xc3\xa9");
	first = json_round_trip(&plan, &back, "plan.json");
	assert_non_null(strstr(first, "\"message\": \"quote \\\" backslash \\\\ newline \\n tab \\t ctl \\u0001 "
				      "utf-8 \xc3\xa9\"\n"));
	doc = parse_json(first);
	json_decref(doc);
	assert_string_equal(back.notes[0].message, plan.notes[0].message);
	free(first);
	kdr_plan_release(&plan);
	kdr_plan_release(&back);
}

/* One bad input and the message it must produce. */
struct bad_plan {
	const char *json;
	int code;
	const char *message;
};

#define ACTION_HEAD "{\"kdrPlan\": 1, \"actions\": [{\"kind\": \"create-topic\", \"risk\": \"safe\", "

static void test_json_read_errors(void **state)
{
	static const struct bad_plan cases[] = {
		{ "{\"kdrPlan\": 1, \"actions\": [", KDR_EINVALID, "plan.json:1:27: invalid JSON: " },
		{ "[]", KDR_EINVALID, "plan.json: (top level): expected an object, found an array" },
		{ "{\"actions\": []}", KDR_EINVALID, "plan.json: kdrPlan: missing: not a kdr plan" },
		{ "{\"kdrPlan\": \"1\", \"actions\": []}", KDR_EINVALID,
		  "plan.json: kdrPlan: expected an integer, found a string" },
		{ "{\"kdrPlan\": 2, \"actions\": []}", KDR_EUNSUPPORTED,
		  "plan.json: kdrPlan: plan format version 2 is not supported (this kdr reads 1)" },
		{ "{\"kdrPlan\": 1}", KDR_EINVALID, "plan.json: actions: missing (an array is required)" },
		{ "{\"kdrPlan\": 1, \"actions\": [{\"kind\": \"explode\"}]}", KDR_EINVALID,
		  "plan.json: actions[0].kind: unknown value 'explode' (allowed: create-topic, add-partitions, "
		  "alter-configs, create-connector, update-connector, pause-connector, resume-connector, "
		  "restart-connector, delete-connector, delete-topic, create-acl, delete-acl)" },
		{ "{\"kdrPlan\": 1, \"actions\": [{\"kind\": \"delete-topic\", \"risk\": \"scary\"}]}", KDR_EINVALID,
		  "plan.json: actions[0].risk: unknown value 'scary' (allowed: safe, disruptive, data-moving, "
		  "destructive, irreversible)" },
		{ ACTION_HEAD "\"cluster\": \"a\"}]}", KDR_EINVALID,
		  "plan.json: actions[0].resource: missing (a string is required)" },
		{ ACTION_HEAD "\"cluster\": null, \"resource\": \"t\"}]}", KDR_EINVALID,
		  "plan.json: actions[0].cluster: expected a string, found null" },
		{ ACTION_HEAD "\"cluster\": \"a\", \"resource\": \"t\", \"partitions\": 0}]}", KDR_EINVALID,
		  "plan.json: actions[0].partitions: 0 is out of range (1..2147483647)" },
		{ ACTION_HEAD "\"cluster\": \"a\", \"resource\": \"t\", \"partitions\": 2, "
			      "\"assignment\": [[1, 2], [2, \"x\"]]}]}",
		  KDR_EINVALID, "plan.json: actions[0].assignment[1][1]: expected an integer, found a string" },
		{ ACTION_HEAD "\"cluster\": \"a\", \"resource\": \"t\", \"partitions\": 1, \"assignment\": [3]}]}",
		  KDR_EINVALID,
		  "plan.json: actions[0].assignment[0]: expected an array of broker ids, found an integer" },
		{ ACTION_HEAD "\"cluster\": \"a\", \"resource\": \"t\", \"partitions\": 1, "
			      "\"config\": {\"retention.ms\": null}}]}",
		  KDR_EINVALID,
		  "plan.json: actions[0].config[\"retention.ms\"]: null, but 'retention.ms' is not a sensitive key" },
		{ ACTION_HEAD "\"cluster\": \"a\", \"resource\": \"t\", \"partitions\": 1, "
			      "\"placement\": {\"dcLoss\": {\"survivesAnySingleDcLoss\": true, "
			      "\"datacenters\": [{\"datacenter\": \"x\", \"minReplicasLeft\": -1, "
			      "\"survives\": true}]}}}]}",
		  KDR_EINVALID,
		  "plan.json: actions[0].placement.dcLoss.datacenters[0].minReplicasLeft: -1 is out of range "
		  "(0..2147483647)" },
		{ "{\"kdrPlan\": 1, \"actions\": [{\"kind\": \"alter-configs\", \"risk\": \"safe\", "
		  "\"cluster\": \"a\", "
		  "\"resource\": \"t\", \"changes\": [{\"key\": \"k\", \"old\": null}]}]}",
		  KDR_EINVALID,
		  "plan.json: actions[0].changes[0].old: null is only written for a sensitive change "
		  "(absent means unset)" },
		{ "{\"kdrPlan\": 1, \"actions\": [{\"kind\": \"restart-connector\", \"risk\": \"safe\", \"cluster\": "
		  "\"a\", \"resource\": \"c\", \"tasks\": [0, 1.5]}]}",
		  KDR_EINVALID, "plan.json: actions[0].tasks[1]: expected an integer, found a number" },
		{ "{\"kdrPlan\": 1, \"actions\": [], \"blocked\": [{\"kind\": \"error\", \"reassignment\": 3}]}",
		  KDR_EINVALID, "plan.json: blocked[0].reassignment: expected an object, found an integer" },
		{ "{\"kdrPlan\": 1, \"actions\": [], \"notes\": [{\"kind\": \"warning\"}]}", KDR_EINVALID,
		  "plan.json: notes[0].message: missing (a string is required)" },
		{ "{\"kdrPlan\": 1, \"actions\": [], \"fingerprints\": {\"a\": 1}}", KDR_EINVALID,
		  "plan.json: fingerprints.a: expected a string, found an integer" },
		{ ACTION_HEAD "\"cluster\": \"a\", \"resource\": \"t\", \"partitions\": 1, "
			      "\"replicationFactor\": 40000}]}",
		  KDR_EINVALID, "plan.json: actions[0].replicationFactor: 40000 is out of range (1..32767)" },
		{ "{\"kdrPlan\": 1, \"actions\": [{\"kind\": \"create-acl\", \"risk\": \"safe\", \"cluster\": "
		  "\"a\", \"resource\": \"r\", \"acl\": {\"principal\": \"User:a\", \"host\": \"*\", "
		  "\"resourceName\": \"t\", \"resourceType\": \"topic\", \"pattern\": \"literal\", "
		  "\"operation\": \"fly\", \"permission\": \"allow\"}}]}",
		  KDR_EINVALID, "plan.json: actions[0].acl: unknown ACL operation 'fly' (expected one of all, read," },
		{ "{\"kdrPlan\": 1, \"actions\": [{\"kind\": \"create-acl\", \"risk\": \"safe\", \"cluster\": "
		  "\"a\", \"resource\": \"r\"}]}",
		  KDR_EINVALID, "plan.json: actions[0].acl: missing (an object is required)" },
		{ "{\"kdrPlan\": 1, \"actions\": [], \"notes\": [{\"kind\": \"warning\", \"cluster\": 1}]}",
		  KDR_EINVALID, "plan.json: notes[0].cluster: expected a string, found an integer" },
		{ "{\"kdrPlan\": 1, \"actions\": {}}", KDR_EINVALID,
		  "plan.json: actions: expected an array, found an object" },
		{ "{\"kdrPlan\": 1, \"kdrPlan\": 1, \"actions\": []}", KDR_EINVALID,
		  "plan.json:1:24: invalid JSON: duplicate object key" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kdr_plan plan = { 0 };
		int rc = kdr_plan_from_json(&plan, cases[i].json, strlen(cases[i].json), "plan.json");
		const char *message = kdr_error_message();

		if (rc != cases[i].code || strncmp(message, cases[i].message, strlen(cases[i].message)) != 0)
			fail_msg("case %zu: got %d '%s', want %d '%s'", i, rc, message, cases[i].code,
				 cases[i].message);
		/* Nothing half-read is left behind. */
		assert_int_equal(plan.n_actions, 0);
		assert_null(plan.actions);
		assert_int_equal(plan.n_blocked, 0);
		assert_null(plan.revision);
	}
}

/* Version 1 only ever gains fields: a reader ignores what it does not know. */
/* A path is never cut: a 300-character config key is named whole (the reader once cut paths at 256 bytes). */
static void test_json_read_error_long_path(void **state)
{
	char key[301] = "";
	struct kdr_buf json = KDR_BUF_INIT;
	struct kdr_buf want = KDR_BUF_INIT;
	struct kdr_plan plan = { 0 };

	(void)state;
	memset(key, 'k', sizeof(key) - 1);
	key[10] = '.';
	kdr_buf_printf(&json, ACTION_HEAD "\"cluster\": \"a\", \"resource\": \"t\", \"partitions\": 1, "
				      "\"config\": {\"%s\": null}}]}",
		       key);
	kdr_buf_printf(&want, "plan.json: actions[0].config[\"%s\"]: null, but '%s' is not a sensitive key", key, key);
	assert_true(strlen("actions[0].config[\"\"]") + strlen(key) > 256);
	assert_int_equal(kdr_plan_from_json(&plan, json.ptr, json.len, "plan.json"), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), want.ptr);
	assert_int_equal(plan.n_actions, 0);
	kdr_buf_release(&json);
	kdr_buf_release(&want);
}

static void test_json_read_ignores_unknown_fields(void **state)
{
	static const char doc[] = "{\"kdrPlan\": 1, \"future\": {\"x\": [1]}, \"actions\": [{\"kind\": "
				  "\"pause-connector\", \"risk\": \"disruptive\", \"cluster\": \"dc-west\", "
				  "\"resource\": \"kdr.f.source\", \"priority\": 7}]}";
	struct kdr_plan plan = { 0 };

	(void)state;
	assert_int_equal(kdr_plan_from_json(&plan, doc, strlen(doc), "plan.json"), 0);
	assert_int_equal(plan.n_actions, 1);
	assert_int_equal(plan.actions[0].kind, KDR_ACTION_PAUSE_CONNECTOR);
	assert_null(plan.actions[0].policy);
	assert_null(plan.actions[0].reason);
	assert_int_equal(plan.n_blocked, 0);
	assert_int_equal(plan.n_notes, 0);
	kdr_plan_release(&plan);
}

/*
 * A plan the planner computed (examples/ against a snapshot with drift)
 * survives plan.json: what `kdr plan --out` saves is what `kdr apply` reads.
 * Only the trip is asserted here; the plan's content is pkg/plan's business.
 */
static void test_computed_plan_round_trip(void **state)
{
	static const char snapshot[] =
		"{\"kdrSnapshot\": 1, \"clusters\": {"
		"\"dc-east\": {\"clusterId\": \"e\", \"controller\": 1, \"remoteStorage\": true, \"brokers\": ["
		"{\"id\": 1, \"rack\": \"east-a\"}, {\"id\": 2, \"rack\": \"east-b\"},"
		" {\"id\": 3, \"rack\": \"east-c\"}],"
		" \"topics\": {\"events\": {\"partitions\": [{\"id\": 0, \"replicas\": [1, 2]}],"
		" \"configs\": {\"retention.ms\": \"1000\"}}}, \"acls\": []},"
		"\"dc-west\": {\"clusterId\": \"w\", \"controller\": 1, \"remoteStorage\": true, \"brokers\": ["
		"{\"id\": 1, \"rack\": \"west-a\"}, {\"id\": 2, \"rack\": \"west-b\"},"
		" {\"id\": 3, \"rack\": \"west-c\"}],"
		" \"topics\": {}, \"acls\": [{\"principal\": \"User:reporting\", \"resourceType\": \"topic\","
		" \"resourceName\": \"old\", \"operation\": \"read\", \"permission\": \"allow\"}]},"
		"\"stretch\": {\"clusterId\": \"s\", \"controller\": 1, \"remoteStorage\": true, \"brokers\": ["
		"{\"id\": 1, \"rack\": \"a-1\"}, {\"id\": 2, \"rack\": \"a-2\"}, {\"id\": 3, \"rack\": \"b-1\"},"
		" {\"id\": 4, \"rack\": \"b-2\"}], \"topics\": {}}}}";
	static const enum kdr_render_format formats[] = { KDR_RENDER_TEXT, KDR_RENDER_MARKDOWN, KDR_RENDER_JSON };
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	struct kdr_live live = { 0 };
	struct kdr_plan_options options = { .allow_delete = true };
	struct kdr_plan plan = { 0 };
	struct kdr_plan back = { 0 };
	char *first = NULL;
	char *second = NULL;
	size_t acl_actions = 0;

	(void)state;
	if (kdr_spec_load_dir(&desired, KDR_SOURCE_DIR "/examples", &diags) != 0) {
		kdr_diags_print(&diags, stderr);
		fail_msg("examples/ did not load");
	}
	assert_int_equal(kdr_live_from_json(&live, snapshot, strlen(snapshot), "snapshot"), 0);
	assert_int_equal(kdr_plan_compute(&plan, &desired, &live, &options), 0);
	assert_true(plan.n_actions > 0);
	/* create-acl and delete-acl (User:reporting's undeclared 'old' grant) round-trip with their bindings. */
	for (size_t i = 0; i < plan.n_actions; i++) {
		acl_actions += plan.actions[i].kind == KDR_ACTION_CREATE_ACL;
		acl_actions += (plan.actions[i].kind == KDR_ACTION_DELETE_ACL &&
				strcmp(plan.actions[i].resource, "User:reporting allow read topic:old") == 0)
			       << 8;
	}
	assert_true((acl_actions & 0xff) > 10);
	assert_int_equal(acl_actions >> 8, 1);

	first = render(&plan, &desired, KDR_RENDER_JSON);
	assert_int_equal(kdr_plan_from_json(&back, first, strlen(first), "plan.json"), 0);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		free(first);
		free(second);
		first = render(&plan, &desired, formats[i]);
		second = render(&back, &desired, formats[i]);
		assert_string_equal(second, first);
	}
	free(first);
	free(second);
	kdr_plan_release(&plan);
	kdr_plan_release(&back);
	kdr_live_release(&live);
	kdr_desired_release(&desired);
	kdr_diags_release(&diags);
}

/* ---------------------------------------------------------------- determinism */

static void test_deterministic(void **state)
{
	static const enum kdr_render_format formats[] = { KDR_RENDER_TEXT, KDR_RENDER_MARKDOWN, KDR_RENDER_JSON };
	struct kdr_plan a = { 0 };
	struct kdr_plan b = { 0 };
	struct kdr_desired desired = { 0 };

	(void)state;
	build_full(&a);
	build_full(&b);
	build_desired(&desired);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *one = render(&a, &desired, formats[i]);
		char *two = render(&b, &desired, formats[i]);
		char *three = render(&a, &desired, formats[i]);

		assert_string_equal(one, two);
		assert_string_equal(one, three);
		free(one);
		free(two);
		free(three);
	}
	kdr_plan_release(&a);
	kdr_plan_release(&b);
	kdr_desired_release(&desired);
}

/* Appending to a buffer that already holds text keeps that text. */
static void test_render_appends(void **state)
{
	struct kdr_plan plan = { 0 };
	struct kdr_buf out = KDR_BUF_INIT;

	(void)state;
	memset(&plan, 0, sizeof(plan));
	kdr_buf_puts(&out, "before\n");
	kdr_render_plan(&out, &plan, NULL, KDR_RENDER_TEXT);
	assert_string_equal(out.ptr, "before\nNo changes. Live state matches the desired state.\n");
	kdr_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		RENDER_TEST(text_empty),
		RENDER_TEST(text_empty_with_notes),
		RENDER_TEST(text_small),
		cmocka_unit_test(test_text_symbols_per_kind),
		RENDER_TEST(text_full_golden),
		RENDER_TEST(text_long_assignment_is_truncated),
		RENDER_TEST(text_placement_and_dc_loss),
		RENDER_TEST(text_connectors),
		cmocka_unit_test(test_secrets_never_printed),
		RENDER_TEST(markdown_empty),
		RENDER_TEST(markdown_small),
		RENDER_TEST(markdown_full_golden),
		RENDER_TEST(markdown_title_revision),
		RENDER_TEST(markdown_escapes_user_strings),
		cmocka_unit_test(test_markdown_long_cluster_is_collapsed),
		RENDER_TEST(markdown_mermaid),
		RENDER_TEST(markdown_without_desired_has_no_graph),
		RENDER_TEST(json_empty),
		RENDER_TEST(json_small_exact),
		cmocka_unit_test(test_json_fields),
		RENDER_TEST(json_full_golden),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_round_trip_small_and_empty),
		cmocka_unit_test(test_json_round_trip_escapes),
		cmocka_unit_test(test_json_read_errors),
		cmocka_unit_test(test_json_read_error_long_path),
		cmocka_unit_test(test_json_read_ignores_unknown_fields),
		cmocka_unit_test(test_computed_plan_round_trip),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_render_appends),
	};

	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
