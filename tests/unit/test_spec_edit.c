/* kdr_spec_edit_yaml: spec edits that keep every other byte of the text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/model.h"
#include "spec/spec.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/error.h"

static const struct kdr_spec_edit record[] = {
	{ "suspended", "true" },
	{ "failedOver", "\"2026-12-07T01:02:03Z\"" },
};

static const struct kdr_spec_edit clear[] = {
	{ "suspended", "false" },
	{ "failedOver", NULL },
};

/* Edits `text` and checks the result (and `changed`); returns nothing, fails the test on a mismatch. */
static void expect_edit(const char *text, const char *name, const struct kdr_spec_edit *edits, size_t n,
			const char *want, bool want_changed)
{
	struct kdr_buf out = KDR_BUF_INIT;
	bool changed = !want_changed;
	int rc = kdr_spec_edit_yaml(&out, &changed, text, strlen(text), "ReplicationFlow", name, edits, n);

	if (rc != 0)
		fail_msg("kdr_spec_edit_yaml: %d %s", rc, kdr_error_message());
	assert_string_equal(out.ptr, want);
	assert_int_equal(changed, want_changed);
	kdr_buf_release(&out);
}

static const char block[] = "# the DR topology  (\xc3\xa9t\xc3\xa9)\n"
			    "apiVersion: kdr.io/v1alpha1\n"
			    "kind: ReplicationFlow\n"
			    "metadata: {name: west-to-east}\n"
			    "spec:\n"
			    "  source: dc-west\n"
			    "  target: dc-east\n"
			    "---\n"
			    "apiVersion: kdr.io/v1alpha1\n"
			    "kind: ReplicationFlow\n"
			    "metadata:\n"
			    "  name: east-to-west   # the primary flow\n"
			    "spec:\n"
			    "    source: dc-east    # \xe2\x86\x92 west\n"
			    "    target: dc-west\n"
			    "    topics: [\"orders\"]\n"
			    "    checkpoints:\n"
			    "      enabled: true\n"
			    "    suspended: false   # kdr failover records true\n";

static const char block_recorded[] = "# the DR topology  (\xc3\xa9t\xc3\xa9)\n"
				     "apiVersion: kdr.io/v1alpha1\n"
				     "kind: ReplicationFlow\n"
				     "metadata: {name: west-to-east}\n"
				     "spec:\n"
				     "  source: dc-west\n"
				     "  target: dc-east\n"
				     "---\n"
				     "apiVersion: kdr.io/v1alpha1\n"
				     "kind: ReplicationFlow\n"
				     "metadata:\n"
				     "  name: east-to-west   # the primary flow\n"
				     "spec:\n"
				     "    failedOver: \"2026-12-07T01:02:03Z\"\n"
				     "    source: dc-east    # \xe2\x86\x92 west\n"
				     "    target: dc-west\n"
				     "    topics: [\"orders\"]\n"
				     "    checkpoints:\n"
				     "      enabled: true\n"
				     "    suspended: true   # kdr failover records true\n";

static void test_block_set_insert_and_remove(void **state)
{
	(void)state;
	/* An existing key keeps its comment; a new one is the first key, at the spec's indentation. */
	expect_edit(block, "east-to-west", record, 2, block_recorded, true);
	/* Twice: nothing changes. */
	expect_edit(block_recorded, "east-to-west", record, 2, block_recorded, false);
	/* Cleared: the failedOver line goes, suspended back to false: the original text. */
	expect_edit(block_recorded, "east-to-west", clear, 2, block, true);
	expect_edit(block, "east-to-west", clear, 2, block, false);
}

static void test_block_insert_into_other_document(void **state)
{
	(void)state;
	expect_edit(block, "west-to-east", record, 2,
		    "# the DR topology  (\xc3\xa9t\xc3\xa9)\n"
		    "apiVersion: kdr.io/v1alpha1\n"
		    "kind: ReplicationFlow\n"
		    "metadata: {name: west-to-east}\n"
		    "spec:\n"
		    "  suspended: true\n"
		    "  failedOver: \"2026-12-07T01:02:03Z\"\n"
		    "  source: dc-west\n"
		    "  target: dc-east\n"
		    "---\n"
		    "apiVersion: kdr.io/v1alpha1\n"
		    "kind: ReplicationFlow\n"
		    "metadata:\n"
		    "  name: east-to-west   # the primary flow\n"
		    "spec:\n"
		    "    source: dc-east    # \xe2\x86\x92 west\n"
		    "    target: dc-west\n"
		    "    topics: [\"orders\"]\n"
		    "    checkpoints:\n"
		    "      enabled: true\n"
		    "    suspended: false   # kdr failover records true\n",
		    true);
}

static void test_flow_style(void **state)
{
	static const char text[] = "kind: ReplicationFlow\nmetadata: {name: f}\nspec: {source: a, target: b, suspended: false}\n";
	static const char recorded[] =
	    "kind: ReplicationFlow\nmetadata: {name: f}\nspec: {failedOver: \"2026-12-07T01:02:03Z\", source: a, target: b, "
	    "suspended: true}\n";

	(void)state;
	expect_edit(text, "f", record, 2, recorded, true);
	expect_edit(recorded, "f", clear, 2, text, true);
	/* The last entry removed takes the comma before it. */
	expect_edit("kind: ReplicationFlow\nmetadata: {name: f}\nspec: {source: a, failedOver: \"x\"}\n", "f",
		    clear + 1, 1, "kind: ReplicationFlow\nmetadata: {name: f}\nspec: {source: a}\n", true);
	expect_edit("kind: ReplicationFlow\nmetadata: {name: f}\nspec: {}\n", "f", record, 1,
		    "kind: ReplicationFlow\nmetadata: {name: f}\nspec: {suspended: true}\n", true);
}

static void test_result_parses(void **state)
{
	static const char head[] = "apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: dc-east}\nspec: "
				   "{bootstrapServers: \"e:9092\"}\n---\napiVersion: kdr.io/v1alpha1\nkind: "
				   "KafkaCluster\nmetadata: {name: dc-west}\nspec: {bootstrapServers: \"w:9092\"}\n---\n";
	struct kdr_buf text = KDR_BUF_INIT, out = KDR_BUF_INIT;
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	bool changed = false;
	const struct kdr_flow *flow = NULL;

	(void)state;
	kdr_buf_puts(&text, head);
	kdr_buf_puts(&text, block + strlen("# the DR topology  (\xc3\xa9t\xc3\xa9)\n"));
	assert_int_equal(kdr_spec_edit_yaml(&out, &changed, text.ptr, text.len, "ReplicationFlow", "east-to-west", record, 2),
			 0);
	assert_int_equal(kdr_spec_parse_yaml(&desired, "t.yaml", out.ptr, out.len, &diags), 0);
	flow = kdr_desired_flow(&desired, "east-to-west");
	assert_non_null(flow);
	assert_true(flow->suspended);
	assert_string_equal(flow->failed_over, "2026-12-07T01:02:03Z");
	assert_null(kdr_desired_flow(&desired, "west-to-east")->failed_over);
	kdr_desired_release(&desired);
	kdr_diags_release(&diags);
	kdr_buf_release(&text);
	kdr_buf_release(&out);
}

static void test_refusals(void **state)
{
	static const struct kdr_spec_edit topics[] = { { "checkpoints", "{enabled: false}" } };
	struct kdr_buf out = KDR_BUF_INIT;
	bool changed = true;

	(void)state;
	assert_int_equal(kdr_spec_edit_yaml(&out, &changed, block, strlen(block), "ReplicationFlow", "nope", record, 2),
			 KDR_ENOTFOUND);
	assert_string_equal(kdr_error_message(), "no ReplicationFlow 'nope' in the document");
	assert_int_equal(kdr_spec_edit_yaml(&out, &changed, block, strlen(block), "TopicPolicy", "east-to-west", record, 2),
			 KDR_ENOTFOUND);
	/* A block collection is not replaced by a splice. */
	assert_int_equal(
	    kdr_spec_edit_yaml(&out, &changed, block, strlen(block), "ReplicationFlow", "east-to-west", topics, 1),
	    KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "spec.checkpoints: its value is not a one-line scalar; edit it by hand");
	assert_int_equal(kdr_spec_edit_yaml(&out, &changed, "a: [\n", 5, "ReplicationFlow", "f", record, 2), KDR_EINVALID);
	assert_int_equal(kdr_spec_edit_yaml(&out, &changed, "kind: ReplicationFlow\nmetadata: {name: f}\n", 41,
					    "ReplicationFlow", "f", record, 2),
			 KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "ReplicationFlow 'f' has no spec mapping to edit");
	assert_int_equal(out.len, 0);
	kdr_buf_release(&out);
}

/* Documents and entries of other shapes are walked over: only kind, metadata.name and a spec mapping count. */
static void test_other_shapes_are_skipped(void **state)
{
	static const char text[] = "- a list document\n"
				   "- [nested, [1, 2]]\n"
				   "---\n"
				   "kind: ReplicationFlow\n"
				   "metadata: f\n"
				   "spec: {source: not-this-one}\n"
				   "---\n"
				   "? [complex, key]\n"
				   ": {nested: [1, {2: 3}]}\n"
				   "kind: ReplicationFlow\n"
				   "metadata: {labels: {name: g}, ? [k] : v, name: f, annotations: [x]}\n"
				   "spec: {source: a}\n";
	struct kdr_buf out = KDR_BUF_INIT;
	bool changed = false;

	(void)state;
	expect_edit(text, "f", record, 1,
		    "- a list document\n"
		    "- [nested, [1, 2]]\n"
		    "---\n"
		    "kind: ReplicationFlow\n"
		    "metadata: f\n"
		    "spec: {source: not-this-one}\n"
		    "---\n"
		    "? [complex, key]\n"
		    ": {nested: [1, {2: 3}]}\n"
		    "kind: ReplicationFlow\n"
		    "metadata: {labels: {name: g}, ? [k] : v, name: f, annotations: [x]}\n"
		    "spec: {suspended: true, source: a}\n",
		    true);
	/* A name inside labels is not metadata.name; a spec that is a scalar is no spec mapping. */
	assert_int_equal(kdr_spec_edit_yaml(&out, &changed, text, strlen(text), "ReplicationFlow", "g", record, 1),
			 KDR_ENOTFOUND);
	assert_int_equal(kdr_spec_edit_yaml(&out, &changed, "kind: ReplicationFlow\nmetadata: {name: h}\nspec: x\n", 50,
					    "ReplicationFlow", "h", record, 1),
			 KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "ReplicationFlow 'h' has no spec mapping to edit");
	kdr_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_set_insert_and_remove),
		cmocka_unit_test(test_block_insert_into_other_document),
		cmocka_unit_test(test_flow_style),
		cmocka_unit_test(test_result_parses),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_other_shapes_are_skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
