/*
 * pkg/diff: the desired-state change between two revisions. Objects added,
 * removed and changed per kind; reordering and spelled-out defaults are no
 * change; secrets are never shown; output is deterministic; golden text,
 * markdown and JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diff/diff.h"
#include "spec/spec.h"
#include "util/alloc.h"
#include "util/buf.h"

/* Parses YAML that must be valid, failing the test with its diagnostics otherwise. */
static void parse(struct kdr_desired *out, const char *yaml)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = kdr_spec_parse_yaml(out, "x.yaml", yaml, strlen(yaml), &diags);

	if (rc != 0 || diags.n) {
		kdr_diags_print(&diags, stdout);
		fail_msg("fixture did not parse cleanly (rc %d, %zu diagnostics)", rc, diags.n);
	}
	kdr_diags_release(&diags);
}

/* The diff of two YAML streams. */
static void diff_yaml(struct kdr_desired_diff *out, const char *base_yaml, const char *head_yaml)
{
	struct kdr_desired base = {0}, head = {0};

	parse(&base, base_yaml);
	parse(&head, head_yaml);
	assert_int_equal(kdr_diff_desired(out, &base, &head), 0);
	kdr_desired_release(&base);
	kdr_desired_release(&head);
}

static char *render_text(const struct kdr_desired_diff *diff)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	kdr_diff_render_text(&buf, diff);
	return kdr_buf_detach(&buf);
}

static char *render_markdown(const struct kdr_desired_diff *diff)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	kdr_diff_render_markdown(&buf, diff);
	return kdr_buf_detach(&buf);
}

static char *render_json(const struct kdr_desired_diff *diff)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	kdr_diff_render_json(&buf, diff);
	return kdr_buf_detach(&buf);
}

/* Shows both strings in full when they differ, so a golden mismatch is readable. */
static void assert_text(const char *actual, const char *expected)
{
	if (strcmp(actual, expected) != 0) {
		printf("--- expected\n%s--- actual\n%s---\n", expected, actual);
		fail_msg("rendered output differs from the golden string");
	}
}

static const struct kdr_diff_field *find_field(const struct kdr_desired_diff *diff, const char *kind, const char *name,
					       const char *path)
{
	for (size_t i = 0; i < diff->n_resources; i++) {
		const struct kdr_diff_resource *resource = &diff->resources[i];

		if (strcmp(resource->kind, kind) != 0 || strcmp(resource->name, name) != 0)
			continue;
		for (size_t f = 0; f < resource->n_fields; f++)
			if (strcmp(resource->fields[f].path, path) == 0)
				return &resource->fields[f];
	}
	return NULL;
}

static const char cluster_east[] = "apiVersion: kdr.io/v1alpha1\n"
				   "kind: KafkaCluster\n"
				   "metadata: {name: dc-east}\n"
				   "spec:\n"
				   "  bootstrapServers: east:9092\n"
				   "  clientConfig:\n"
				   "    client.id: kdr\n"
				   "    sasl.password: {valueFrom: {env: EAST_PASSWORD}}\n";

static const char cluster_west[] = "apiVersion: kdr.io/v1alpha1\n"
				   "kind: KafkaCluster\n"
				   "metadata: {name: dc-west}\n"
				   "spec:\n"
				   "  bootstrapServers: west:9092\n";

static const char flow_e2w[] = "apiVersion: kdr.io/v1alpha1\n"
			       "kind: ReplicationFlow\n"
			       "metadata: {name: east-to-west}\n"
			       "spec:\n"
			       "  source: dc-east\n"
			       "  target: dc-west\n"
			       "  topics: [orders, events]\n"
			       "  topicsExclude: [\"dc-west\\\\..*\"]\n"
			       "  tasksMax: 2\n";

/* A TopicPolicy p on cluster a, up to its spec's first field; each test adds its own. */
#define POLICY_P_HEAD                                                                                                  \
	"apiVersion: kdr.io/v1alpha1\n"                                                                                \
	"kind: TopicPolicy\n"                                                                                          \
	"metadata: {name: p}\n"                                                                                        \
	"spec:\n"                                                                                                      \
	"  clusters: [a]\n"

/* TopicPolicy core up to its topic list's last shared item; each revision of it goes on from here. */
#define POLICY_CORE_HEAD                                                                                               \
	"apiVersion: kdr.io/v1alpha1\n"                                                                                \
	"kind: TopicPolicy\n"                                                                                          \
	"metadata: {name: core}\n"                                                                                     \
	"spec:\n"                                                                                                      \
	"  clusters: [dc-east, dc-west]\n"                                                                             \
	"  topics:\n"                                                                                                  \
	"    - name: orders\n"                                                                                         \
	"      partitions: 12\n"                                                                                       \
	"    - name: events\n"

static const char policy_core[] = POLICY_CORE_HEAD
				  "  partitions: 6\n"
				  "  config: {retention.ms: \"604800000\"}\n";

static char *join_docs(const char *const *docs, size_t n)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (i)
			kdr_buf_puts(&buf, "---\n");
		kdr_buf_puts(&buf, docs[i]);
	}
	return kdr_buf_detach(&buf);
}

static void test_identical_states_are_no_change(void **state)
{
	const char *const docs[] = {cluster_east, cluster_west, flow_e2w, policy_core};
	char *yaml = join_docs(docs, 4);
	struct kdr_desired_diff diff = KDR_DESIRED_DIFF_INIT;
	char *text = NULL;

	(void)state;
	diff_yaml(&diff, yaml, yaml);
	assert_true(kdr_diff_is_empty(&diff));
	assert_int_equal(diff.added + diff.changed + diff.removed, 0);
	text = render_text(&diff);
	assert_string_equal(text, "desired state: no change\n");
	free(text);
	kdr_desired_diff_release(&diff);
	free(yaml);
}

static void test_added_removed_changed_per_kind(void **state)
{
	const char *const base_docs[] = {cluster_east, flow_e2w, policy_core};
	const char *const head_docs[] = {
	    cluster_east,
	    cluster_west, /* added */
	    /* flow removed */
	    POLICY_CORE_HEAD
	    "  partitions: 12\n" /* changed */
	    "  config: {retention.ms: \"604800000\"}\n",
	};
	char *base = join_docs(base_docs, 3), *head = join_docs(head_docs, 3);
	struct kdr_desired_diff diff = KDR_DESIRED_DIFF_INIT;
	const struct kdr_diff_field *field = NULL;

	(void)state;
	diff_yaml(&diff, base, head);
	assert_int_equal(diff.n_resources, 3);
	assert_int_equal(diff.added, 1);
	assert_int_equal(diff.removed, 1);
	assert_int_equal(diff.changed, 1);
	/* Sorted by kind, then name. */
	assert_int_equal(diff.resources[0].op, KDR_DIFF_ADDED);
	assert_string_equal(diff.resources[0].kind, "KafkaCluster");
	assert_string_equal(diff.resources[0].name, "dc-west");
	assert_int_equal(diff.resources[1].op, KDR_DIFF_REMOVED);
	assert_string_equal(diff.resources[1].kind, "ReplicationFlow");
	assert_string_equal(diff.resources[1].name, "east-to-west");
	assert_int_equal(diff.resources[2].op, KDR_DIFF_CHANGED);
	assert_string_equal(diff.resources[2].kind, "TopicPolicy");
	assert_int_equal(diff.resources[2].n_fields, 1);
	field = &diff.resources[2].fields[0];
	assert_string_equal(field->path, "spec.partitions");
	assert_string_equal(field->old_value, "6");
	assert_string_equal(field->new_value, "12");
	/* An added resource lists what it declares, a removed one what it had. */
	field = find_field(&diff, "KafkaCluster", "dc-west", "spec.bootstrapServers");
	assert_non_null(field);
	assert_null(field->old_value);
	assert_string_equal(field->new_value, "west:9092");
	field = find_field(&diff, "ReplicationFlow", "east-to-west", "spec.tasksMax");
	assert_non_null(field);
	assert_string_equal(field->old_value, "2");
	assert_null(field->new_value);
	kdr_desired_diff_release(&diff);
	free(base);
	free(head);
}

static void test_field_paths_of_each_kind(void **state)
{
	const char *const base_docs[] = {cluster_east, flow_e2w, policy_core};
	const char *const head_docs[] = {
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: KafkaCluster\n"
	    "metadata: {name: dc-east}\n"
	    "spec:\n"
	    "  bootstrapServers: east:9093\n"
	    "  clientConfig:\n"
	    "    client.id: kdr-2\n"
	    "    sasl.password: {valueFrom: {env: EAST_PASSWORD_V2}}\n"
	    "  connect:\n"
	    "    url: http://connect-east:8083\n"
	    "    auth: {bearerToken: {valueFrom: {file: /run/token}}}\n"
	    "  datacenters:\n"
	    "    dc-a: [a-2, a-1]\n",
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: ReplicationFlow\n"
	    "metadata: {name: east-to-west}\n"
	    "spec:\n"
	    "  source: dc-east\n"
	    "  target: dc-west\n"
	    "  topics: [orders, events, users]\n"
	    "  topicsExclude: [\"dc-west\\\\..*\"]\n"
	    "  tasksMax: 4\n"
	    "  replicationPolicy: {type: identity}\n"
	    "  checkpoints: {intervalSeconds: 30}\n"
	    "  connectorConfig: {offset.lag.max: \"50\"}\n",
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: TopicPolicy\n"
	    "metadata: {name: core}\n"
	    "spec:\n"
	    "  clusters: [dc-east, dc-west]\n"
	    "  topics:\n"
	    "    - name: orders\n"
	    "      partitions: 24\n"
	    "      config: {cleanup.policy: compact}\n"
	    "    - name: audit\n"
	    "  partitions: 6\n"
	    "  config: {retention.ms: \"86400000\", min.insync.replicas: \"2\"}\n"
	    "  tiering: {enabled: true, localRetention: 1d, retention: 30d}\n",
	};
	static const struct {
		const char *kind, *name, *path, *old_value, *new_value;
	} expected[] = {
	    {"KafkaCluster", "dc-east", "spec.bootstrapServers", "east:9092", "east:9093"},
	    {"KafkaCluster", "dc-east", "spec.clientConfig.client.id", "kdr", "kdr-2"},
	    {"KafkaCluster", "dc-east", "spec.clientConfig.sasl.password", "valueFrom env EAST_PASSWORD",
	     "valueFrom env EAST_PASSWORD_V2"},
	    {"KafkaCluster", "dc-east", "spec.connect.url", NULL, "http://connect-east:8083"},
	    {"KafkaCluster", "dc-east", "spec.connect.auth.bearerToken", NULL, "valueFrom file /run/token"},
	    {"KafkaCluster", "dc-east", "spec.connect.insecureSkipVerify", NULL, "false"},
	    {"KafkaCluster", "dc-east", "spec.datacenters.dc-a", NULL, "[a-1, a-2]"},
	    {"ReplicationFlow", "east-to-west", "spec.topics", "[events, orders]", "[events, orders, users]"},
	    {"ReplicationFlow", "east-to-west", "spec.tasksMax", "2", "4"},
	    {"ReplicationFlow", "east-to-west", "spec.replicationPolicy.type", "default", "identity"},
	    {"ReplicationFlow", "east-to-west", "spec.checkpoints.intervalSeconds", "60", "30"},
	    {"ReplicationFlow", "east-to-west", "spec.connectorConfig.offset.lag.max", NULL, "50"},
	    {"TopicPolicy", "core", "spec.topics[orders].partitions", "12", "24"},
	    {"TopicPolicy", "core", "spec.topics[orders].config.cleanup.policy", NULL, "compact"},
	    {"TopicPolicy", "core", "spec.topics[audit]", NULL, "declared"},
	    {"TopicPolicy", "core", "spec.topics[events]", "declared", NULL},
	    {"TopicPolicy", "core", "spec.config.retention.ms", "604800000", "86400000"},
	    {"TopicPolicy", "core", "spec.config.min.insync.replicas", NULL, "2"},
	    {"TopicPolicy", "core", "spec.tiering.enabled", NULL, "true"},
	    {"TopicPolicy", "core", "spec.tiering.localRetention", NULL, "86400000"},
	    {"TopicPolicy", "core", "spec.tiering.retention", NULL, "2592000000"},
	};
	char *base = join_docs(base_docs, 3), *head = join_docs(head_docs, 3);
	struct kdr_desired_diff diff = KDR_DESIRED_DIFF_INIT;
	size_t total = 0;

	(void)state;
	diff_yaml(&diff, base, head);
	assert_int_equal(diff.changed, 3);
	for (size_t i = 0; i < diff.n_resources; i++)
		total += diff.resources[i].n_fields;
	assert_int_equal(total, sizeof(expected) / sizeof(expected[0]));
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct kdr_diff_field *field =
		    find_field(&diff, expected[i].kind, expected[i].name, expected[i].path);

		if (!field)
			fail_msg("no field %s/%s %s", expected[i].kind, expected[i].name, expected[i].path);
		if (expected[i].old_value)
			assert_string_equal(field->old_value, expected[i].old_value);
		else
			assert_null(field->old_value);
		if (expected[i].new_value)
			assert_string_equal(field->new_value, expected[i].new_value);
		else
			assert_null(field->new_value);
	}
	/* Within a resource, fields are sorted by path. */
	for (size_t i = 0; i < diff.n_resources; i++)
		for (size_t f = 1; f < diff.resources[i].n_fields; f++)
			assert_true(strcmp(diff.resources[i].fields[f - 1].path, diff.resources[i].fields[f].path) < 0);
	kdr_desired_diff_release(&diff);
	free(base);
	free(head);
}

/*
 * Two revisions that must diff to no change at all (the text rendering is
 * shown when they do not). Each row is its own cmocka test named
 * test_<row> (NO_CHANGE_TEST).
 */
struct no_change_case {
	const char *const *base_docs;
	size_t n_base;
	const char *const *head_docs;
	size_t n_head;
};

static void run_no_change_case(void **state)
{
	const struct no_change_case *c = *state;
	char *base = join_docs(c->base_docs, c->n_base), *head = join_docs(c->head_docs, c->n_head);
	struct kdr_desired_diff diff = KDR_DESIRED_DIFF_INIT;
	char *text = NULL;

	diff_yaml(&diff, base, head);
	if (!kdr_diff_is_empty(&diff)) {
		text = render_text(&diff);
		fail_msg("expected no change, got:\n%s", text);
	}
	kdr_desired_diff_release(&diff);
	free(base);
	free(head);
}

#define NO_CHANGE_TEST(c) {"test_" #c, run_no_change_case, NULL, NULL, (void *)&(c)}

static const char *const reorder_base[] = {
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: KafkaCluster\n"
	    "metadata: {name: stretch}\n"
	    "spec:\n"
	    "  bootstrapServers: s:9092\n"
	    "  clientConfig: {client.id: kdr, socket.timeout.ms: \"30000\"}\n"
	    "  datacenters:\n"
	    "    dc-a: [a-1, a-2]\n"
	    "    dc-b: [b-1, b-2]\n",
	    flow_e2w,
	    policy_core,
};

static const char *const reorder_head[] = {
	    /* Other document order, map keys, list items and set members reordered. */
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: TopicPolicy\n"
	    "metadata: {name: core}\n"
	    "spec:\n"
	    "  config: {retention.ms: \"604800000\"}\n"
	    "  partitions: 6\n"
	    "  topics:\n"
	    "    - name: events\n"
	    "    - partitions: 12\n"
	    "      name: orders\n"
	    "  clusters: [dc-west, dc-east]\n",
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: ReplicationFlow\n"
	    "metadata: {name: east-to-west}\n"
	    "spec:\n"
	    "  tasksMax: 2\n"
	    "  topics: [events, orders]\n"
	    "  topicsExclude: [\"dc-west\\\\..*\"]\n"
	    "  target: dc-west\n"
	    "  source: dc-east\n",
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: KafkaCluster\n"
	    "metadata: {name: stretch}\n"
	    "spec:\n"
	    "  datacenters:\n"
	    "    dc-b: [b-2, b-1]\n"
	    "    dc-a: [a-2, a-1]\n"
	    "  clientConfig: {socket.timeout.ms: \"30000\", client.id: kdr}\n"
	    "  bootstrapServers: s:9092\n",
};

static const char *const defaults_implied[] = {
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: ReplicationFlow\n"
	    "metadata: {name: f}\n"
	    "spec: {source: a, target: b}\n"
	    "---\n"
	    POLICY_P_HEAD
	    "  tiering: {enabled: true, localRetention: 1d}\n"
};

static const char *const defaults_spelled_out[] = {
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: ReplicationFlow\n"
	    "metadata: {name: f}\n"
	    "spec:\n"
	    "  source: a\n"
	    "  target: b\n"
	    "  topics: [\".*\"]\n"
	    "  groups: [\".*\"]\n"
	    "  replicationPolicy: {type: default, separator: \".\"}\n"
	    "  replicationFactor: 3\n"
	    "  tasksMax: 1\n"
	    "  heartbeats: {enabled: true, intervalSeconds: 1}\n"
	    "  suspended: false\n"
	    "---\n"
	    POLICY_P_HEAD
	    "  partitions: 1\n"
	    "  replicationFactor: 3\n"
	    "  placement: {strategy: rack-aware}\n"
	    "  tiering: {enabled: true, localRetention: 86400000}\n"
	    "  prune: false\n"
};

static const char *const same_secret[] = {
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: KafkaCluster\n"
	    "metadata: {name: c}\n"
	    "spec:\n"
	    "  bootstrapServers: c:9092\n"
	    "  clientConfig: {sasl.password: same-secret}\n"
};

static const struct no_change_case reordering_is_no_change = {reorder_base, 3, reorder_head, 3};
static const struct no_change_case spelled_out_defaults_are_no_change = {defaults_implied, 1, defaults_spelled_out, 1};
static const struct no_change_case unchanged_secret_is_no_change = {same_secret, 1, same_secret, 1};

static void test_secrets_are_never_shown(void **state)
{
	const char *base = "apiVersion: kdr.io/v1alpha1\n"
			   "kind: KafkaCluster\n"
			   "metadata: {name: c}\n"
			   "spec:\n"
			   "  bootstrapServers: c:9092\n"
			   "  clientConfig:\n"
			   "    sasl.username: kdr\n"
			   "    sasl.password: hunter2-old\n"
			   "    ssl.key.password: {valueFrom: {env: KEY_PASSWORD}}\n"
			   "  connect:\n"
			   "    url: http://c:8083\n"
			   "    auth: {basic: {username: admin, password: s3cr3t-old}}\n"
			   "---\n"
			   "apiVersion: kdr.io/v1alpha1\n"
			   "kind: ReplicationFlow\n"
			   "metadata: {name: f}\n"
			   "spec:\n"
			   "  source: c\n"
			   "  target: d\n"
			   "  connectorConfig: {consumer.override.sasl.jaas.config: \"jaas-old\"}\n";
	const char *head = "apiVersion: kdr.io/v1alpha1\n"
			   "kind: KafkaCluster\n"
			   "metadata: {name: c}\n"
			   "spec:\n"
			   "  bootstrapServers: c:9092\n"
			   "  clientConfig:\n"
			   "    sasl.username: kdr\n"
			   "    sasl.password: hunter2-new\n"
			   "    ssl.key.password: literal-key-password\n"
			   "  connect:\n"
			   "    url: http://c:8083\n"
			   "    auth: {basic: {username: admin, password: s3cr3t-new}}\n"
			   "---\n"
			   "apiVersion: kdr.io/v1alpha1\n"
			   "kind: ReplicationFlow\n"
			   "metadata: {name: f}\n"
			   "spec:\n"
			   "  source: c\n"
			   "  target: d\n"
			   "  connectorConfig: {consumer.override.sasl.jaas.config: \"jaas-new\"}\n";
	static const char *const secrets[] = {"hunter2", "s3cr3t", "jaas-old", "jaas-new", "literal-key-password"};
	struct kdr_desired_diff diff = KDR_DESIRED_DIFF_INIT;
	const struct kdr_diff_field *field = NULL;
	char *outputs[3] = {NULL, NULL, NULL};

	(void)state;
	diff_yaml(&diff, base, head);
	/* Changed secrets are reported as changed... */
	assert_int_equal(diff.changed, 2);
	field = find_field(&diff, "KafkaCluster", "c", "spec.clientConfig.sasl.password");
	assert_non_null(field);
	assert_string_equal(field->old_value, KDR_REDACTED);
	assert_string_equal(field->new_value, KDR_REDACTED);
	field = find_field(&diff, "KafkaCluster", "c", "spec.connect.auth.basic.password");
	assert_non_null(field);
	assert_string_equal(field->new_value, KDR_REDACTED);
	/* ... a reference shows where the secret comes from, a literal does not show. */
	field = find_field(&diff, "KafkaCluster", "c", "spec.clientConfig.ssl.key.password");
	assert_non_null(field);
	assert_string_equal(field->old_value, "valueFrom env KEY_PASSWORD");
	assert_string_equal(field->new_value, KDR_REDACTED);
	field = find_field(&diff, "ReplicationFlow", "f", "spec.connectorConfig.consumer.override.sasl.jaas.config");
	assert_non_null(field);
	assert_string_equal(field->new_value, KDR_REDACTED);
	assert_null(find_field(&diff, "KafkaCluster", "c", "spec.clientConfig.sasl.username"));
	/* ... and no output holds any of them. */
	outputs[0] = render_text(&diff);
	outputs[1] = render_markdown(&diff);
	outputs[2] = render_json(&diff);
	for (size_t o = 0; o < 3; o++) {
		for (size_t s = 0; s < sizeof(secrets) / sizeof(secrets[0]); s++)
			if (strstr(outputs[o], secrets[s]))
				fail_msg("output %zu shows secret '%s':\n%s", o, secrets[s], outputs[o]);
		free(outputs[o]);
	}
	kdr_desired_diff_release(&diff);
}

static void test_output_is_deterministic(void **state)
{
	const char *const base_a[] = {policy_core, flow_e2w, cluster_east};
	const char *const base_b[] = {cluster_east, policy_core, flow_e2w};
	const char *const head_a[] = {cluster_west, cluster_east};
	const char *const head_b[] = {cluster_east, cluster_west};
	char *ba = join_docs(base_a, 3), *bb = join_docs(base_b, 3);
	char *ha = join_docs(head_a, 2), *hb = join_docs(head_b, 2);
	struct kdr_desired_diff d1 = KDR_DESIRED_DIFF_INIT, d2 = KDR_DESIRED_DIFF_INIT;
	char *t1 = NULL, *t2 = NULL, *m1 = NULL, *m2 = NULL, *j1 = NULL, *j2 = NULL;

	(void)state;
	diff_yaml(&d1, ba, ha);
	diff_yaml(&d2, bb, hb);
	t1 = render_text(&d1);
	t2 = render_text(&d2);
	m1 = render_markdown(&d1);
	m2 = render_markdown(&d2);
	j1 = render_json(&d1);
	j2 = render_json(&d2);
	assert_string_equal(t1, t2);
	assert_string_equal(m1, m2);
	assert_string_equal(j1, j2);
	/* kind, then name */
	assert_string_equal(d1.resources[0].name, "dc-west");
	assert_string_equal(d1.resources[1].kind, "ReplicationFlow");
	assert_string_equal(d1.resources[2].kind, "TopicPolicy");
	free(t1);
	free(t2);
	free(m1);
	free(m2);
	free(j1);
	free(j2);
	kdr_desired_diff_release(&d1);
	kdr_desired_diff_release(&d2);
	free(ba);
	free(bb);
	free(ha);
	free(hb);
}

/* The golden scenario: one added, one changed, one removed, between two commits. */
static void golden_diff(struct kdr_desired_diff *out)
{
	const char *const base_docs[] = {cluster_east, flow_e2w, policy_core};
	const char *const head_docs[] = {
	    cluster_east,
	    "apiVersion: kdr.io/v1alpha1\n"
	    "kind: KafkaCluster\n"
	    "metadata: {name: dc-west}\n"
	    "spec:\n"
	    "  bootstrapServers: west:9092\n"
	    "  clientConfig: {sasl.password: {valueFrom: {env: WEST_PASSWORD}}}\n",
	    POLICY_CORE_HEAD
	    "    - name: audit\n"
	    "  partitions: 12\n"
	    "  config: {retention.ms: \"604800000\", cleanup.policy: \"compact|delete\"}\n",
	};
	char *base = join_docs(base_docs, 3), *head = join_docs(head_docs, 3);
	struct kdr_desired b = {0}, h = {0};

	parse(&b, base);
	parse(&h, head);
	b.revision = kdr_strdup("0123456789abcdef0123456789abcdef01234567");
	h.revision = kdr_strdup("89abcdef0123456789abcdef0123456789abcdef");
	assert_int_equal(kdr_diff_desired(out, &b, &h), 0);
	kdr_desired_release(&b);
	kdr_desired_release(&h);
	free(base);
	free(head);
}

/*
 * The golden scenario rendered in one format must be exactly `expected`.
 * Each row is its own cmocka test named test_<row> (GOLDEN_TEST).
 */
struct golden_case {
	char *(*render)(const struct kdr_desired_diff *diff);
	const char *expected;
};

static void run_golden_case(void **state)
{
	const struct golden_case *c = *state;
	struct kdr_desired_diff diff = KDR_DESIRED_DIFF_INIT;
	char *out = NULL;

	golden_diff(&diff);
	out = c->render(&diff);
	assert_text(out, c->expected);
	free(out);
	kdr_desired_diff_release(&diff);
}

#define GOLDEN_TEST(c) {"test_" #c, run_golden_case, NULL, NULL, (void *)&(c)}

static const struct golden_case text_golden = {
    .render = render_text,
    .expected = "+ KafkaCluster/dc-west\n"
			  "    spec.bootstrapServers: west:9092\n"
			  "    spec.clientConfig.sasl.password: valueFrom env WEST_PASSWORD\n"
			  "- ReplicationFlow/east-to-west\n"
			  "~ TopicPolicy/core: spec.config.cleanup.policy: (unset) -> compact|delete\n"
			  "~ TopicPolicy/core: spec.partitions: 6 -> 12\n"
			  "~ TopicPolicy/core: spec.topics[audit]: (unset) -> declared\n"
			  "\n"
			  "desired state 0123456 -> 89abcde: 1 added, 1 changed, 1 removed\n",
};

static const struct golden_case markdown_golden = {
    .render = render_markdown,
    .expected = "### Desired-state change\n"
			"\n"
			"0123456 -> 89abcde: 1 added, 1 changed, 1 removed\n"
			"\n"
			"#### + KafkaCluster/dc-west (added)\n"
			"\n"
			"| field | value |\n"
			"|---|---|\n"
			"| `spec.bootstrapServers` | `west:9092` |\n"
			"| `spec.clientConfig.sasl.password` | `valueFrom env WEST_PASSWORD` |\n"
			"\n"
			"#### - ReplicationFlow/east-to-west (removed)\n"
			"\n"
			"#### ~ TopicPolicy/core (changed)\n"
			"\n"
			"| field | base | head |\n"
			"|---|---|---|\n"
			"| `spec.config.cleanup.policy` | _(unset)_ | `compact\\|delete` |\n"
			"| `spec.partitions` | `6` | `12` |\n"
			"| `spec.topics[audit]` | _(unset)_ | `declared` |\n"
			"\n",
};

static const struct golden_case json_golden = {
    .render = render_json,
    .expected =
	    "{\"base\":\"0123456789abcdef0123456789abcdef01234567\","
	    "\"head\":\"89abcdef0123456789abcdef0123456789abcdef\",\"added\":1,\"changed\":1,\"removed\":1,"
	    "\"resources\":["
	    "{\"op\":\"added\",\"kind\":\"KafkaCluster\",\"name\":\"dc-west\",\"fields\":["
	    "{\"path\":\"spec.bootstrapServers\",\"old\":null,\"new\":\"west:9092\"},"
	    "{\"path\":\"spec.clientConfig.sasl.password\",\"old\":null,\"new\":\"valueFrom env WEST_PASSWORD\"}]},"
	    "{\"op\":\"removed\",\"kind\":\"ReplicationFlow\",\"name\":\"east-to-west\",\"fields\":["
	    "{\"path\":\"spec.checkpoints.enabled\",\"old\":\"true\",\"new\":null},"
	    "{\"path\":\"spec.checkpoints.intervalSeconds\",\"old\":\"60\",\"new\":null},"
	    "{\"path\":\"spec.checkpoints.syncGroupOffsets\",\"old\":\"false\",\"new\":null},"
	    "{\"path\":\"spec.checkpoints.syncGroupOffsetsIntervalSeconds\",\"old\":\"60\",\"new\":null},"
	    "{\"path\":\"spec.groups\",\"old\":\"[.*]\",\"new\":null},"
	    "{\"path\":\"spec.groupsExclude\",\"old\":\"[]\",\"new\":null},"
	    "{\"path\":\"spec.heartbeats.enabled\",\"old\":\"true\",\"new\":null},"
	    "{\"path\":\"spec.heartbeats.intervalSeconds\",\"old\":\"1\",\"new\":null},"
	    "{\"path\":\"spec.internalTopicsReplicationFactor\",\"old\":\"3\",\"new\":null},"
	    "{\"path\":\"spec.keepDefaultExcludes\",\"old\":\"true\",\"new\":null},"
	    "{\"path\":\"spec.replicationFactor\",\"old\":\"3\",\"new\":null},"
	    "{\"path\":\"spec.replicationPolicy.separator\",\"old\":\".\",\"new\":null},"
	    "{\"path\":\"spec.replicationPolicy.type\",\"old\":\"default\",\"new\":null},"
	    "{\"path\":\"spec.source\",\"old\":\"dc-east\",\"new\":null},"
	    "{\"path\":\"spec.suspended\",\"old\":\"false\",\"new\":null},"
	    "{\"path\":\"spec.syncTopicAcls\",\"old\":\"false\",\"new\":null},"
	    "{\"path\":\"spec.syncTopicConfigs\",\"old\":\"true\",\"new\":null},"
	    "{\"path\":\"spec.target\",\"old\":\"dc-west\",\"new\":null},"
	    "{\"path\":\"spec.tasksMax\",\"old\":\"2\",\"new\":null},"
	    "{\"path\":\"spec.topics\",\"old\":\"[events, orders]\",\"new\":null},"
	    "{\"path\":\"spec.topicsExclude\",\"old\":\"[dc-west\\\\..*]\",\"new\":null}]},"
	    "{\"op\":\"changed\",\"kind\":\"TopicPolicy\",\"name\":\"core\",\"fields\":["
	    "{\"path\":\"spec.config.cleanup.policy\",\"old\":null,\"new\":\"compact|delete\"},"
	    "{\"path\":\"spec.partitions\",\"old\":\"6\",\"new\":\"12\"},"
	    "{\"path\":\"spec.topics[audit]\",\"old\":null,\"new\":\"declared\"}]}]}\n",
};

static void test_markdown_collapses_long_resources(void **state)
{
	const char *head = "apiVersion: kdr.io/v1alpha1\n"
			   "kind: TopicPolicy\n"
			   "metadata: {name: wide}\n"
			   "spec:\n"
			   "  clusters: [a]\n"
			   "  topics: [{name: t1}, {name: t2}, {name: t3}, {name: t4}]\n";
	struct kdr_desired base_state = {0}, head_state = {0};
	struct kdr_desired_diff diff = KDR_DESIRED_DIFF_INIT;
	char *md = NULL;

	(void)state;
	parse(&head_state, head);
	assert_int_equal(kdr_diff_desired(&diff, &base_state, &head_state), 0);
	assert_int_equal(diff.added, 1);
	assert_true(diff.resources[0].n_fields > 10);
	md = render_markdown(&diff);
	assert_non_null(strstr(md, "#### + TopicPolicy/wide (added)\n\n<details><summary>"));
	assert_non_null(strstr(md, " fields of TopicPolicy/wide</summary>\n\n| field | value |\n"));
	assert_non_null(strstr(md, "|\n\n</details>\n\n"));
	free(md);
	kdr_desired_diff_release(&diff);
	kdr_desired_release(&head_state);
}

static void test_null_sides_and_markdown_without_change(void **state)
{
	struct kdr_desired base_state = {0};
	struct kdr_desired_diff diff = KDR_DESIRED_DIFF_INIT;
	char *md = NULL, *text = NULL;

	(void)state;
	parse(&base_state, cluster_west);
	assert_int_equal(kdr_diff_desired(&diff, &base_state, NULL), 0);
	assert_int_equal(diff.removed, 1);
	text = render_text(&diff);
	assert_string_equal(text, "- KafkaCluster/dc-west\n\ndesired state: 0 added, 0 changed, 1 removed\n");
	free(text);
	kdr_desired_diff_release(&diff);

	assert_int_equal(kdr_diff_desired(&diff, NULL, NULL), 0);
	md = render_markdown(&diff);
	assert_string_equal(md, "### Desired-state change\n\nno change\n\n");
	free(md);
	kdr_desired_diff_release(&diff);
	kdr_desired_release(&base_state);
}

static void test_markdown_escapes_names_and_code(void **state)
{
	const char *base = POLICY_P_HEAD "  config: {x.y: \"a`b\"}\n";
	const char *head = POLICY_P_HEAD "  config: {x.y: \"line1\\nline2\"}\n";
	struct kdr_desired_diff diff = KDR_DESIRED_DIFF_INIT;
	char *md = NULL, *text = NULL;

	(void)state;
	diff_yaml(&diff, base, head);
	md = render_markdown(&diff);
	assert_non_null(strstr(md, "| `spec.config.x.y` | `` a`b `` | `line1 line2` |\n"));
	text = render_text(&diff);
	assert_string_equal(text, "~ TopicPolicy/p: spec.config.x.y: a`b -> line1\\nline2\n\n"
				  "desired state: 0 added, 1 changed, 0 removed\n");
	free(md);
	free(text);
	kdr_desired_diff_release(&diff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identical_states_are_no_change),
	    cmocka_unit_test(test_added_removed_changed_per_kind),
	    cmocka_unit_test(test_field_paths_of_each_kind),
	    NO_CHANGE_TEST(reordering_is_no_change),
	    NO_CHANGE_TEST(spelled_out_defaults_are_no_change),
	    cmocka_unit_test(test_secrets_are_never_shown),
	    NO_CHANGE_TEST(unchanged_secret_is_no_change),
	    cmocka_unit_test(test_output_is_deterministic),
	    GOLDEN_TEST(text_golden),
	    GOLDEN_TEST(markdown_golden),
	    GOLDEN_TEST(json_golden),
	    cmocka_unit_test(test_markdown_collapses_long_resources),
	    cmocka_unit_test(test_null_sides_and_markdown_without_change),
	    cmocka_unit_test(test_markdown_escapes_names_and_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
