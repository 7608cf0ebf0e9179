/*
 * pkg/resolve: the desired state's regexes compiled once, each pattern that
 * does not compile recorded with its field and reason (what validation
 * reports), and the resolved state's lifetime with the desired state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "resolve/resolve.h"
#include "resolve/topic_merge.h"
#include "spec_helpers.h"
#include "util/regex.h"

#define DOC "---\napiVersion: kdr.io/v1alpha1\n"

static const char bad_patterns[] = DOC "kind: ReplicationFlow\n"
				       "metadata: {name: e2w}\n"
				       "spec:\n"
				       "  source: dc-east\n"
				       "  target: dc-west\n"
				       "  topics: [\"orders\", \"(orders\", \"[x\"]\n"
				       "  topicsExclude: [\"[a-\"]\n"
				       "  groups: [\"*-group\"]\n"
				       "  groupsExclude: [\"ok\", \"a{2,1}\"]\n" DOC "kind: TopicPolicy\n"
				       "metadata: {name: core}\n"
				       "spec: {clusters: [dc-east], match: \"pay(ments\"}\n";

static void test_each_failure_names_its_field_and_reason(void **state)
{
	struct kdr_desired desired;
	struct kdr_resolve_filters filters;
	const struct kdr_resolve_flow_filters *flow = NULL;
	static const char *const fields[] = {"spec.topics[1]", "spec.topics[2]", "spec.topicsExclude[0]",
					     "spec.groups[0]", "spec.groupsExclude[1]"};
	static const char *const patterns[] = {"(orders", "[x", "[a-", "*-group", "a{2,1}"};

	(void)state;
	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml", bad_patterns);
	kdr_resolve_filters_build(&filters, &desired);
	assert_int_equal(filters.n_flows, 1);
	flow = &filters.flows[0];
	assert_int_equal(flow->n_failures, 5);
	for (size_t i = 0; i < flow->n_failures; i++) {
		assert_ptr_equal(flow->failures[i].meta, &desired.flows[0].meta);
		assert_string_equal(flow->failures[i].field, fields[i]);
		assert_string_equal(flow->failures[i].pattern, patterns[i]);
	}
	assert_string_equal(flow->failures[0].reason, "at offset 7: missing closing parenthesis");
	assert_string_equal(flow->failures[4].reason, "at offset 5: numbers out of order in {} quantifier");
	/* The first failure as a set reports it; the topic sets are unusable then: both empty. */
	assert_string_equal(flow->topics_error, "pattern '(orders': at offset 7: missing closing parenthesis");
	assert_int_equal(flow->topics.n, 0);
	assert_int_equal(flow->exclude.n, 0);
	assert_non_null(flow->mm2_error);
	assert_false(flow->groups_ok);
	assert_int_equal(filters.n_policies, 1);
	assert_null(filters.match[0]);
	assert_string_equal(filters.match_error[0], "at offset 9: missing closing parenthesis");
	kdr_resolve_filters_release(&filters);
	assert_null(filters.flows);
	kdr_resolve_filters_release(&filters); /* empty: fine to release again */
	kdr_desired_release(&desired);
}

static void test_good_patterns_compile_into_the_filters(void **state)
{
	struct kdr_desired desired;
	struct kdr_resolve_filters filters;
	const struct kdr_resolve_flow_filters *flow = NULL;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml",
		      DOC "kind: ReplicationFlow\n"
			  "metadata: {name: e2w}\n"
			  "spec: {source: dc-east, target: dc-west, topics: [\"orders\", \"pay\\\\..*\"], "
			  "topicsExclude: [\"pay\\\\.test\"], groups: [\"app-.*\"]}\n" DOC "kind: TopicPolicy\n"
			  "metadata: {name: core}\n"
			  "spec: {clusters: [dc-east], match: \"pay\\\\..*\"}\n");
	kdr_resolve_filters_build(&filters, &desired);
	flow = &filters.flows[0];
	assert_int_equal(flow->n_failures, 0);
	assert_null(flow->topics_error);
	assert_null(flow->mm2_error);
	assert_true(flow->groups_ok);
	assert_int_equal(flow->topics.n, 2);
	assert_int_equal(flow->exclude.n, 1);
	assert_true(kdr_regex_set_match(&flow->topics, "pay.eu"));
	assert_true(kdr_regex_set_match(&flow->exclude, "pay.test"));
	/* As MM2 runs the rendered connector: the user's excludes plus MM2's defaults. */
	assert_true(kdr_mm2_replicates(&flow->mm2, "orders", NULL));
	assert_false(kdr_mm2_replicates(&flow->mm2, "pay.test", NULL));
	assert_false(kdr_mm2_replicates(&flow->mm2, "orders.replica", NULL));
	assert_true(kdr_mm2_group_filter_match(&flow->groups, "app-1"));
	assert_false(kdr_mm2_group_filter_match(&flow->groups, "other"));
	assert_true(kdr_regex_full_match(filters.match[0], "pay.eu"));
	assert_null(filters.match_error[0]);
	assert_int_equal(filters.default_topic_excludes.n, KDR_MM2_N_DEFAULT_TOPIC_EXCLUDES);
	assert_true(kdr_regex_set_match(&filters.default_topic_excludes, "mm2-offset-syncs.west.internal"));
	kdr_resolve_filters_release(&filters);
	kdr_desired_release(&desired);
}

static void test_the_resolved_state_lives_with_its_desired_state(void **state)
{
	struct kdr_desired desired;
	const struct kdr_resolved *first = NULL, *second = NULL;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml", bad_patterns);
	assert_null(kdr_resolved_of(&desired));
	assert_null(kdr_resolved_of(NULL));
	first = kdr_resolve_attach(&desired);
	assert_non_null(first);
	assert_ptr_equal(kdr_resolved_of(&desired), first);
	assert_int_equal(first->filters.flows[0].n_failures, 5);
	/* Attaching again replaces it (the old one freed: ASan's leak check). */
	second = kdr_resolve_attach(&desired);
	assert_ptr_equal(kdr_resolved_of(&desired), second);
	kdr_desired_drop_resolved(&desired);
	assert_null(kdr_resolved_of(&desired));
	kdr_desired_drop_resolved(&desired); /* nothing attached: fine */
	/* Released with the desired state. */
	kdr_resolve_attach(&desired);
	kdr_desired_release(&desired);
	assert_null(desired.resolved);
	kdr_resolved_free(NULL);
}

static void test_declarations_by_cluster_owner_first(void **state)
{
	struct kdr_desired desired;
	struct kdr_resolved *resolved = NULL;
	size_t first = 0, n = 0;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml",
		      DOC "kind: TopicPolicy\n"
			  "metadata: {name: a}\n"
			  "spec: {clusters: [west, east, west], topics: [orders, events]}\n" DOC "kind: TopicPolicy\n"
			  "metadata: {name: b}\n"
			  "spec: {clusters: [east], topics: [orders, audit, orders]}\n");
	resolved = kdr_resolved_new(&desired);
	/* west once although listed twice; sorted by cluster, topic, then document order. */
	assert_int_equal(resolved->n_decls, 7);
	n = kdr_resolve_decls_of(resolved, "east", &first);
	assert_int_equal(first, 0);
	assert_int_equal(n, 5);
	assert_string_equal(resolved->decls[0].topic, "audit");
	assert_string_equal(resolved->decls[1].topic, "events");
	/* orders on east: policy a owns it (first in the documents), then b's two entries. */
	assert_string_equal(resolved->decls[2].topic, "orders");
	assert_int_equal(resolved->decls[2].policy, 0);
	assert_int_equal(resolved->decls[3].policy, 1);
	assert_int_equal(resolved->decls[3].index, 0);
	assert_int_equal(resolved->decls[4].index, 2);
	n = kdr_resolve_decls_of(resolved, "west", &first);
	assert_int_equal(first, 5);
	assert_int_equal(n, 2);
	assert_string_equal(resolved->decls[5].cluster, "west");
	assert_int_equal(kdr_resolve_decls_of(resolved, "north", &first), 0);
	kdr_resolved_free(resolved);
	kdr_desired_release(&desired);
}

/* Given the name's declarations, as the plan's walk holds them, kdr_resolve_governors_of_decls finds `want`'s. */
static void assert_same_given_decls(const struct kdr_resolve_governors *want, const struct kdr_resolved *resolved,
				    const char *cluster, const char *name, bool with_matches)
{
	struct kdr_resolve_governors given = {0};
	size_t first = 0, n = kdr_resolve_decls_of(resolved, cluster, &first), at = first, count = 0;

	while (at < first + n && strcmp(resolved->decls[at].topic, name) < 0)
		at++;
	while (at + count < first + n && strcmp(resolved->decls[at + count].topic, name) == 0)
		count++;
	kdr_resolve_governors_of_decls(&given, resolved, cluster, name, resolved->decls + at, count, with_matches);
	assert_int_equal(given.n, want->n);
	assert_int_equal(given.n_declared, want->n_declared);
	for (size_t i = 0; i < want->n; i++) {
		assert_ptr_equal(given.v[i].policy, want->v[i].policy);
		assert_ptr_equal(given.v[i].decl, want->v[i].decl);
		assert_int_equal(given.v[i].matched, want->v[i].matched);
	}
	kdr_resolve_governors_release(&given);
}

/* The governors of `name` on `cluster` as "policy:d" (declares) / "policy:m" (match only) / "policy:d+m", joined. */
static void assert_governors(const struct kdr_resolved *resolved, const char *cluster, const char *name,
			     bool with_matches, const char *want)
{
	struct kdr_resolve_governors governors = {0};
	char got[256] = "";

	kdr_resolve_governors_find(&governors, resolved, cluster, name, with_matches);
	for (size_t i = 0; i < governors.n; i++) {
		const struct kdr_resolve_governor *g = &governors.v[i];

		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s%s", i ? " " : "", g->policy->meta.name,
			 g->decl ? "d" : "m", g->decl && g->matched ? "+m" : "");
		/* Declarations first. */
		assert_true((i < governors.n_declared) == (g->decl != NULL));
	}
	assert_string_equal(got, want);
	assert_same_given_decls(&governors, resolved, cluster, name, with_matches);
	kdr_resolve_governors_release(&governors);
}

static void test_governors_declarations_then_matches(void **state)
{
	struct kdr_desired desired;
	struct kdr_resolved *resolved = NULL;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml",
		      DOC "kind: TopicPolicy\nmetadata: {name: all}\n"
			  "spec: {clusters: [east, west], match: \".*\"}\n" DOC "kind: TopicPolicy\n"
			  "metadata: {name: pay}\n"
			  "spec: {clusters: [east], match: \"payments\\\\..*\", topics: [payments.eu, orders, orders]}\n" DOC
			  "kind: TopicPolicy\nmetadata: {name: own}\n"
			  "spec: {clusters: [east], topics: [payments.eu]}\n" DOC "kind: TopicPolicy\n"
			  "metadata: {name: reaper}\n"
			  "spec: {clusters: [east], match: \"pay.*\", prune: true}\n");
	resolved = kdr_resolved_new(&desired);
	/* Declarations in document order (pay owns it), then matches; pay once although it matches too. */
	assert_governors(resolved, "east", "payments.eu", true, "pay:d+m own:d all:m");
	assert_governors(resolved, "east", "payments.eu", false, "pay:d own:d");
	/* pay lists orders twice: once. */
	assert_governors(resolved, "east", "orders", true, "pay:d all:m");
	/* A name nobody declares is matched when asked; a pruning policy's match does not govern. */
	assert_governors(resolved, "east", "payments.us", true, "all:m pay:m");
	assert_governors(resolved, "west", "payments.us", true, "all:m");
	/* Declared on east only: on west only all's match governs it. */
	assert_governors(resolved, "west", "payments.eu", true, "all:m");
	assert_governors(resolved, "north", "payments.eu", true, "");
	/* The declared names were matched once, when resolved; the pruning policy's match too (validation asks). */
	assert_true(kdr_resolve_match_covers(resolved, 3, "payments.eu"));
	assert_true(kdr_resolve_match_covers(resolved, 1, "payments.eu"));
	assert_false(kdr_resolve_match_covers(resolved, 1, "orders"));
	assert_false(kdr_resolve_match_covers(resolved, 2, "payments.eu")); /* no match */
	assert_true(kdr_resolve_match_covers(resolved, 3, "pay"));
	assert_false(kdr_resolve_match_covers(resolved, 1, "payments"));
	/* A pruning policy's match covers what it may delete, and governs nothing. */
	assert_false(kdr_resolve_match_governs(resolved, 3, "payments.eu"));
	assert_false(kdr_resolve_match_governs(resolved, 3, "payments.us"));
	assert_true(kdr_resolve_match_governs(resolved, 1, "payments.eu"));
	assert_true(kdr_resolve_match_governs(resolved, 0, "payments.us"));
	assert_false(kdr_resolve_match_governs(resolved, 2, "payments.eu"));
	assert_int_equal(kdr_resolve_owner(resolved, "east", "payments.eu")->policy, 1);
	assert_null(kdr_resolve_owner(resolved, "west", "payments.eu"));
	kdr_resolved_free(resolved);
	kdr_desired_release(&desired);
}

/* The merged state of a topic: its governors' values, first wins, in the precedence above. */
static void test_topic_of_merges_the_governors(void **state)
{
	struct kdr_desired desired;
	struct kdr_resolved *resolved = NULL;
	struct kdr_resolve_topic rt;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml",
		      DOC "kind: TopicPolicy\nmetadata: {name: all}\n"
			  "spec: {clusters: [east], match: \"o.*\", config: {retention.ms: \"1\", segment.ms: \"2\"}}\n" DOC
			  "kind: TopicPolicy\nmetadata: {name: core}\n"
			  "spec: {clusters: [east], partitions: 6, topics: [{name: orders, config: {retention.ms: \"9\"}}]}\n");
	resolved = kdr_resolved_new(&desired);
	kdr_resolve_topic_of(&rt, resolved, "east", "orders", true);
	assert_int_equal(rt.n_governors, 2);
	assert_string_equal(rt.governors[0].policy->meta.name, "core");
	assert_int_equal(rt.partitions, 6);
	assert_string_equal(kdr_strmap_get(&rt.config, "retention.ms"), "9");
	assert_string_equal(kdr_strmap_get(&rt.config, "segment.ms"), "2");
	kdr_resolve_topic_release(&rt);
	kdr_resolved_free(resolved);
	kdr_desired_release(&desired);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_failure_names_its_field_and_reason),
	    cmocka_unit_test(test_good_patterns_compile_into_the_filters),
	    cmocka_unit_test(test_the_resolved_state_lives_with_its_desired_state),
	    cmocka_unit_test(test_declarations_by_cluster_owner_first),
	    cmocka_unit_test(test_governors_declarations_then_matches),
	    cmocka_unit_test(test_topic_of_merges_the_governors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
