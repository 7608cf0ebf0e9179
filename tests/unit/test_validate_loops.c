/*
 * pkg/validate, replication loops (loops.c): cycles of flows are simulated
 * as MM2 replicates, on the declared topics plus one example name per topics
 * pattern; a name that comes back to where it started is a loop. With the
 * default policy, a flow selecting its target's remote topics is a warning.
 */
#include "validate_helpers.h"

#include "util/alloc.h"

/* A flow document: name, source, target, replication policy (a YAML map), then extra spec lines. */
#define FLOW(name, source, target, policy, extra)      \
	DOC "kind: ReplicationFlow\n"                  \
	    "metadata: {name: " name "}\n"             \
	    "spec:\n"                                  \
	    "  source: " source "\n"                   \
	    "  target: " target "\n"                   \
	    "  replicationPolicy: " policy "\n" extra

/* A policy declaring `topics` (a YAML flow list) on `clusters`. */
#define POLICY(name, clusters, topics)        \
	DOC "kind: TopicPolicy\n"             \
	    "metadata: {name: " name "}\n"    \
	    "spec: {clusters: " clusters ", topics: " topics "}\n"

#define IDENTITY "{type: identity}"
#define DEFAULT "{type: default}"

#define CLUSTER(name)                  \
	DOC "kind: KafkaCluster\n"     \
	    "metadata: {name: " name "}\n" \
	    "spec: {bootstrapServers: \"" name ":9092\"}\n"

static void test_identity_two_cycle_is_an_error(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS POLICY("core", "[dc-east, dc-west]", "[orders]")
		   FLOW("east-to-west", "dc-east", "dc-west", IDENTITY, "")
		   FLOW("west-to-east", "dc-west", "dc-east", IDENTITY, ""),
		   KDR_EINVALID,
		   "t.yaml:22:1: error: spec.topics: replication loop: topic 'orders' on 'dc-east' comes back to it as "
		   "'orders' through flows 'east-to-west' -> 'west-to-east'; the identity replication policy keeps "
		   "topic names, so MM2 cannot detect the cycle; on one of these flows exclude what arrives from the "
		   "previous one (spec.topicsExclude) or narrow spec.topics");
}

/* A failed-over flow replicates nothing (its connectors are held stopped): its reverse flow is no cycle. */
static void test_failed_over_flow_is_no_hop(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS POLICY("core", "[dc-east, dc-west]", "[orders]")
		   FLOW("east-to-west", "dc-east", "dc-west", IDENTITY,
			"  suspended: true\n  failedOver: \"2026-12-07T01:02:03Z\"\n")
		   FLOW("east-to-west-failback", "dc-west", "dc-east", IDENTITY, ""),
		   0, "");
}

static void test_every_elementary_cycle_is_reported(void **state)
{
	(void)state;
	/* a->b->c->a and a->c->a: two cycles, found without any declared topic (the sample of ".*"). */
	check_yaml(CLUSTER("a") CLUSTER("b") CLUSTER("c")
		   FLOW("a-to-b", "a", "b", IDENTITY, "")
		   FLOW("b-to-c", "b", "c", IDENTITY, "")
		   FLOW("c-to-a", "c", "a", IDENTITY, "")
		   FLOW("a-to-c", "a", "c", IDENTITY, ""),
		   KDR_EINVALID,
		   "t.yaml:20:1: error: spec.topics: replication loop: topic 'x' on 'a' comes back to it as 'x' "
		   "through "
		   "flows 'a-to-b' -> 'b-to-c' -> 'c-to-a'; the identity replication policy keeps topic names, so MM2 "
		   "cannot detect the cycle; on one of these flows exclude what arrives from the previous one "
		   "(spec.topicsExclude) or narrow spec.topics\n"
		   "t.yaml:36:1: error: spec.topics: replication loop: topic 'x' on 'c' comes back to it as 'x' "
		   "through "
		   "flows 'c-to-a' -> 'a-to-c'; the identity replication policy keeps topic names, so MM2 cannot "
		   "detect "
		   "the cycle; on one of these flows exclude what arrives from the previous one (spec.topicsExclude) "
		   "or "
		   "narrow spec.topics");
}

static void test_cycle_count_in_a_complete_graph(void **state)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	struct kdr_buf yaml = KDR_BUF_INIT;
	struct kdr_desired desired;
	struct kdr_diags diags = KDR_DIAGS_INIT;

	(void)state;
	for (size_t i = 0; i < 4; i++)
		kdr_buf_printf(&yaml, CLUSTER("%s"), names[i], names[i]);
	for (size_t i = 0; i < 4; i++)
		for (size_t j = 0; j < 4; j++)
			if (i != j)
				kdr_buf_printf(&yaml, FLOW("%s-%s", "%s", "%s", IDENTITY, ""), names[i], names[j],
					       names[i], names[j]);
	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml", yaml.ptr);
	/* Elementary cycles of the complete digraph on 4 nodes: 6 of length 2, 8 of 3, 6 of 4. */
	assert_int_equal(kdr_validate(&desired, &diags), KDR_EINVALID);
	assert_int_equal(diags.errors, 20);
	assert_int_equal(diags.warnings, 0);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	kdr_buf_release(&yaml);
}

static void test_disjoint_filters_break_the_cycle(void **state)
{
	(void)state;
	/* Each side replicates only the topics born there (by naming convention). */
	check_yaml(TWO_CLUSTERS POLICY("east", "[dc-east]", "[east-orders]")
		   POLICY("west", "[dc-west]", "[west-orders]")
		   FLOW("east-to-west", "dc-east", "dc-west", IDENTITY, "  topics: [\"east-.*\"]\n")
		   FLOW("west-to-east", "dc-west", "dc-east", IDENTITY, "  topics: [\"west-.*\"]\n"),
		   0, "");
}

static void test_excluding_what_arrived_breaks_the_cycle(void **state)
{
	(void)state;
	/* east-to-west carries two topics; west-to-east carries everything except exactly those. */
	check_yaml(TWO_CLUSTERS POLICY("core", "[dc-east, dc-west]", "[orders, payments]")
		   POLICY("west", "[dc-west]", "[audit]")
		   FLOW("east-to-west", "dc-east", "dc-west", IDENTITY, "  topics: [orders, payments]\n")
		   FLOW("west-to-east", "dc-west", "dc-east", IDENTITY,
			"  topics: [\".*\"]\n"
			"  topicsExclude: [orders, payments]\n"),
		   0, "");
}

static void test_excluding_the_other_prefix_is_not_enough(void **state)
{
	(void)state;
	/*
	 * Each side excludes the other's prefix, but a topic named with neither
	 * prefix (here the sample 'x' of ".*") is carried both ways: a loop.
	 */
	check_yaml(TWO_CLUSTERS POLICY("east", "[dc-east]", "[east-orders]")
		   POLICY("west", "[dc-west]", "[west-orders]")
		   FLOW("east-to-west", "dc-east", "dc-west", IDENTITY,
			"  topics: [\".*\"]\n"
			"  topicsExclude: [\"west-.*\"]\n")
		   FLOW("west-to-east", "dc-west", "dc-east", IDENTITY,
			"  topics: [\".*\"]\n"
			"  topicsExclude: [\"east-.*\"]\n"),
		   KDR_EINVALID,
		   "t.yaml:31:3: error: spec.topics: replication loop: topic 'x' on 'dc-east' comes back to it as 'x' "
		   "through flows 'east-to-west' -> 'west-to-east'; the identity replication policy keeps topic names, "
		   "so MM2 cannot detect the cycle; on one of these flows exclude what arrives from the previous one "
		   "(spec.topicsExclude) or narrow spec.topics");
}

static void test_mm2_internal_topics_never_loop(void **state)
{
	(void)state;
	/* Only internal names are declared and selected: MM2 never replicates them. */
	check_yaml(TWO_CLUSTERS POLICY("internal", "[dc-east, dc-west]", "[__audit, connect-offsets-internal]")
		   FLOW("east-to-west", "dc-east", "dc-west", IDENTITY,
			"  topics: [\"__.*\", \".*-internal\"]\n"
			"  keepDefaultExcludes: false\n")
		   FLOW("west-to-east", "dc-west", "dc-east", IDENTITY,
			"  topics: [\"__.*\", \".*-internal\"]\n"
			"  keepDefaultExcludes: false\n"),
		   0, "");
}

static void test_identity_hop_in_a_default_cycle_is_an_error(void **state)
{
	(void)state;
	/* The default hop renames, the identity hop never detects: names grow for ever. */
	check_yaml(TWO_CLUSTERS POLICY("core", "[dc-east, dc-west]", "[orders]")
		   FLOW("east-to-west", "dc-east", "dc-west", IDENTITY, "")
		   FLOW("west-to-east", "dc-west", "dc-east", DEFAULT, ""),
		   KDR_EINVALID,
		   "t.yaml:22:1: error: spec.topics: replication loop: topic 'orders' on 'dc-east' comes back to it as "
		   "'dc-west.orders' through flows 'east-to-west' -> 'west-to-east'; the identity replication policy "
		   "keeps topic names, so MM2 cannot detect the cycle; on one of these flows exclude what arrives from "
		   "the previous one (spec.topicsExclude) or narrow spec.topics");
}

static void test_default_cycle_with_different_separators_is_an_error(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS POLICY("core", "[dc-east, dc-west]", "[orders]")
		   FLOW("east-to-west", "dc-east", "dc-west", DEFAULT, "")
		   FLOW("west-to-east", "dc-west", "dc-east", "{type: default, separator: _}", ""),
		   KDR_EINVALID,
		   "t.yaml:22:1: error: spec.topics: replication loop: topic 'orders' on 'dc-east' comes back to it as "
		   "'dc-west_dc-east.orders' through flows 'east-to-west' -> 'west-to-east'; the flows use different "
		   "separators, so MM2 cannot detect the cycle; on one of these flows exclude what arrives from the "
		   "previous one (spec.topicsExclude) or narrow spec.topics");
}

static void test_separator_inside_cluster_names_defeats_cycle_detection(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS POLICY("core", "[dc-east, dc-west]", "[orders]")
		   FLOW("east-to-west", "dc-east", "dc-west", "{type: default, separator: \"-\"}", "")
		   FLOW("west-to-east", "dc-west", "dc-east", "{type: default, separator: \"-\"}", ""),
		   KDR_EINVALID,
		   "t.yaml:25:49: warning: spec.replicationPolicy.separator: '-' also appears in cluster name "
		   "'dc-east', and MM2 reads a remote topic's source cluster as the text before the first separator, "
		   "so "
		   "it cannot detect cycles or rename checkpoints for failback; use a separator that no cluster name "
		   "contains (e.g. '.')\n"
		   "t.yaml:33:49: warning: spec.replicationPolicy.separator: '-' also appears in cluster name "
		   "'dc-west', and MM2 reads a remote topic's source cluster as the text before the first separator, "
		   "so "
		   "it cannot detect cycles or rename checkpoints for failback; use a separator that no cluster name "
		   "contains (e.g. '.')\n"
		   "t.yaml:22:1: error: spec.topics: replication loop: topic 'orders' on 'dc-east' comes back to it as "
		   "'dc-west-dc-east-orders' through flows 'east-to-west' -> 'west-to-east'; cluster name 'dc-east' "
		   "contains the separator '-', so MM2 cannot detect the cycle; on one of these flows exclude what "
		   "arrives from the previous one (spec.topicsExclude) or narrow spec.topics");
}

static void test_default_active_active_reselecting_remote_topics_is_a_warning(void **state)
{
	(void)state;
	/* MM2 drops dc-west.orders as a cycle on its way back, but the filter should not select it. */
	check_yaml(TWO_CLUSTERS POLICY("core", "[dc-east, dc-west]", "[orders]")
		   FLOW("east-to-west", "dc-east", "dc-west", DEFAULT, "")
		   FLOW("west-to-east", "dc-west", "dc-east", DEFAULT, "  topicsExclude: [\"dc-east\\\\..*\"]\n"),
		   0,
		   "t.yaml:22:1: warning: spec.topics[0]: '.*' also selects 'dc-west.orders', the copy of 'orders' "
		   "that "
		   "flow 'west-to-east' writes on 'dc-east'; MM2 drops it as a cycle, but the filter should not select "
		   "it: add 'dc-west\\..*' to spec.topicsExclude");
}

static void test_default_one_way_flow_is_fine(void **state)
{
	(void)state;
	/* No reverse flow: no remote topics of the target on the source, nothing to warn about. */
	check_yaml(TWO_CLUSTERS POLICY("core", "[dc-east]", "[orders]")
		   FLOW("east-to-west", "dc-east", "dc-west", DEFAULT, ""),
		   0, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_two_cycle_is_an_error),
	    cmocka_unit_test(test_failed_over_flow_is_no_hop),
		cmocka_unit_test(test_every_elementary_cycle_is_reported),
		cmocka_unit_test(test_cycle_count_in_a_complete_graph),
		cmocka_unit_test(test_disjoint_filters_break_the_cycle),
		cmocka_unit_test(test_excluding_what_arrived_breaks_the_cycle),
		cmocka_unit_test(test_excluding_the_other_prefix_is_not_enough),
		cmocka_unit_test(test_mm2_internal_topics_never_loop),
		cmocka_unit_test(test_identity_hop_in_a_default_cycle_is_an_error),
		cmocka_unit_test(test_default_cycle_with_different_separators_is_an_error),
		cmocka_unit_test(test_separator_inside_cluster_names_defeats_cycle_detection),
		cmocka_unit_test(test_default_active_active_reselecting_remote_topics_is_a_warning),
		cmocka_unit_test(test_default_one_way_flow_is_fine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
