/* kdr_spec_yaml_to_json: a YAML document as the JSON object a source of objects (Kubernetes) stores. */
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

/* The shape of kdr failback's reverse document (pkg/dr): comments, flow maps, quoted lists and keys. */
static const char reverse[] =
	"# Written by `kdr failback --flow east-to-west`\n"
	"apiVersion: kdr.io/v1alpha1\n"
	"kind: ReplicationFlow\n"
	"metadata:\n"
	"  name: east-to-west-failback\n"
	"spec:\n"
	"  source: dc-west\n"
	"  target: dc-east\n"
	"  topics: [\"orders\", \"pay\\\\.\\\\d+\"]\n"
	"  topicsExclude: []\n"
	"  keepDefaultExcludes: false\n"
	"  replicationPolicy: {type: default, separator: \".\"}\n"
	"  replicationFactor: 3\n"
	"  tasksMax: 2\n"
	"  checkpoints: {enabled: true, intervalSeconds: 60}\n"
	"  connectorConfig:\n"
	"    \"producer.override.acks\": \"all\"\n"
	"    \"n\": \"007\"\n";

static void test_reverse_document(void **state)
{
	struct kdr_buf out = KDR_BUF_INIT;

	(void)state;
	assert_int_equal(kdr_spec_yaml_to_json(&out, "r.yaml", reverse, strlen(reverse)), 0);
	assert_string_equal(out.ptr,
			    "{\"apiVersion\":\"kdr.io/v1alpha1\",\"kind\":\"ReplicationFlow\","
			    "\"metadata\":{\"name\":\"east-to-west-failback\"},\"spec\":{\"source\":\"dc-west\","
			    "\"target\":\"dc-east\",\"topics\":[\"orders\",\"pay\\\\.\\\\d+\"],\"topicsExclude\":[],"
			    "\"keepDefaultExcludes\":false,\"replicationPolicy\":{\"type\":\"default\",\"separator\":\".\"},"
			    "\"replicationFactor\":3,\"tasksMax\":2,\"checkpoints\":{\"enabled\":true,"
			    "\"intervalSeconds\":60},\"connectorConfig\":{\"producer.override.acks\":\"all\",\"n\":\"007\"}}}");
	kdr_buf_release(&out);
}

/* The object read back as Kubernetes JSON is the flow the YAML document is. */
static void test_same_flow_either_way(void **state)
{
	struct kdr_buf json = KDR_BUF_INIT;
	struct kdr_desired from_yaml = { 0 }, from_json = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	const struct kdr_flow *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(kdr_spec_yaml_to_json(&json, "r.yaml", reverse, strlen(reverse)), 0);
	assert_int_equal(kdr_spec_parse_yaml(&from_yaml, "r.yaml", reverse, strlen(reverse), &diags), 0);
	assert_int_equal(kdr_spec_parse_json(&from_json, "r", json.ptr, json.len, &diags), 0);
	assert_int_equal(diags.errors, 0);
	assert_int_equal(from_yaml.n_flows, 1);
	assert_int_equal(from_json.n_flows, 1);
	a = &from_yaml.flows[0];
	b = &from_json.flows[0];
	assert_string_equal(a->meta.name, b->meta.name);
	assert_string_equal(b->source, "dc-west");
	assert_int_equal(a->topics.n, 2);
	assert_int_equal(b->topics.n, 2);
	assert_string_equal(a->topics.v[1], b->topics.v[1]);
	assert_int_equal(b->replication_factor, 3);
	assert_int_equal(a->tasks_max, b->tasks_max);
	assert_int_equal(a->keep_default_excludes, b->keep_default_excludes);
	assert_int_equal(b->checkpoints_interval_seconds, 60);
	assert_int_equal(b->connector_config.n, 2);
	kdr_desired_release(&from_yaml);
	kdr_desired_release(&from_json);
	kdr_diags_release(&diags);
	kdr_buf_release(&json);
}

/* Scalars as kdr reads them: quoted strings stay strings, YAML 1.1's yes/0x1/01 are strings. */
static void test_scalar_types(void **state)
{
	static const char doc[] = "a: \"3\"\nb: 3\nc: yes\nd: ~\ne:\nf: 'true'\ng: 0x1\nh: 01\ni: 1.5\nj: null\n"
				  "k: -0\nl: 99999999999999999999\nm: !!str 4\n";
	struct kdr_buf out = KDR_BUF_INIT;

	(void)state;
	assert_int_equal(kdr_spec_yaml_to_json(&out, "t.yaml", doc, strlen(doc)), 0);
	assert_string_equal(out.ptr, "{\"a\":\"3\",\"b\":3,\"c\":\"yes\",\"d\":null,\"e\":null,\"f\":\"true\","
				     "\"g\":\"0x1\",\"h\":\"01\",\"i\":\"1.5\",\"j\":null,\"k\":0,"
				     "\"l\":\"99999999999999999999\",\"m\":\"4\"}");
	kdr_buf_release(&out);
}

static void expect_refused(const char *doc, const char *message)
{
	struct kdr_buf out = KDR_BUF_INIT;

	kdr_buf_puts(&out, "kept");
	assert_int_equal(kdr_spec_yaml_to_json(&out, "x.yaml", doc, strlen(doc)), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), message);
	assert_string_equal(out.ptr, "kept");
	kdr_buf_release(&out);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_refused("a: 1\na: 2\n", "x.yaml:2:1: the key 'a' repeats an earlier one");
	expect_refused("a: 1\n---\nb: 2\n", "x.yaml:3:1: found a second document, expected one");
	expect_refused("# nothing\n", "x.yaml: found no document, expected one");
	expect_refused("- a\n", "x.yaml:1:1: found a list, expected a map");
	expect_refused("a: &x 1\nb: *x\n", "x.yaml:1:4: found the anchor 'x': anchors and aliases are not supported, "
					     "kdr documents must be explicit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reverse_document),
		cmocka_unit_test(test_same_flow_either_way),
		cmocka_unit_test(test_scalar_types),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
