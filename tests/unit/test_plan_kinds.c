/*
 * Unit tests of pkg/plan/kinds.c, the one table of the order actions are
 * planned and applied in: the plan's order of kinds, which stage (Kafka,
 * Connect) applies each, and the fields each carries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plan/plan.h"

static void test_kinds_in_plan_order(void **state)
{
	static const char *const want[] = {
	    "create-topic",	"add-partitions",    "alter-configs",	 "create-acl",
	    "create-connector", "update-connector",  "pause-connector",	 "resume-connector",
	    "restart-connector", "delete-connector", "delete-acl",	 "delete-topic",
	};
	enum kdr_action_kind order[KDR_ACTION_KIND_COUNT];
	size_t n = kdr_action_kinds_in_order(order);

	(void)state;
	assert_int_equal(n, KDR_ACTION_KIND_COUNT);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(kdr_action_kind_name(order[i]), want[i]);
		if (i > 0)
			assert_true(kdr_action_kind_rank(order[i - 1]) <= kdr_action_kind_rank(order[i]));
	}
	/* Connector changes share one place: the plan orders them by cluster and connector. */
	assert_int_equal(kdr_action_kind_rank(KDR_ACTION_CREATE_CONNECTOR),
			 kdr_action_kind_rank(KDR_ACTION_RESTART_CONNECTOR));
	assert_true(kdr_action_kind_rank(KDR_ACTION_DELETE_CONNECTOR) < kdr_action_kind_rank(KDR_ACTION_DELETE_TOPIC));
	assert_string_equal(kdr_action_kind_name((enum kdr_action_kind)KDR_ACTION_KIND_COUNT), "unknown");
}

static void test_kinds_stages(void **state)
{
	/* The Kafka kinds as the adapter sends them: the plan's order without the connector kinds. */
	static const char *const kafka[] = {"create-topic", "add-partitions", "alter-configs",
					    "create-acl",   "delete-acl",     "delete-topic"};
	enum kdr_action_kind order[KDR_ACTION_KIND_COUNT];
	size_t n = kdr_action_kinds_in_order(order), k = 0;

	(void)state;
	assert_int_equal(KDR_APPLY_KAFKA, 0); /* the executor steps through kdr_apply_runs, not the enum order */
	assert_int_equal(KDR_APPLY_CONNECT, 1);
	for (size_t i = 0; i < n; i++) {
		bool connector = strstr(kdr_action_kind_name(order[i]), "-connector") != NULL;

		assert_int_equal(kdr_action_kind_stage(order[i]), connector ? KDR_APPLY_CONNECT : KDR_APPLY_KAFKA);
		if (!connector) {
			assert_true(k < sizeof(kafka) / sizeof(kafka[0]));
			assert_string_equal(kdr_action_kind_name(order[i]), kafka[k++]);
		}
	}
	assert_int_equal(k, sizeof(kafka) / sizeof(kafka[0]));
}

/* The apply's steps: the plan's order cut where the stage changes, so connector deletes go before topic deletes. */
static void test_apply_runs(void **state)
{
	struct kdr_apply_run runs[KDR_ACTION_KIND_COUNT];
	size_t n = kdr_apply_runs(runs);

	(void)state;
	assert_int_equal(n, 3);
	assert_int_equal(runs[0].stage, KDR_APPLY_KAFKA);
	assert_int_equal(runs[1].stage, KDR_APPLY_CONNECT);
	assert_int_equal(runs[2].stage, KDR_APPLY_KAFKA);
	for (size_t r = 1; r < n; r++)
		assert_int_equal(runs[r].rank_first, runs[r - 1].rank_last + 1);
	/* Every kind is in exactly one step, the step of its stage. */
	for (int kind = 0; kind < KDR_ACTION_KIND_COUNT; kind++) {
		size_t in = 0;

		for (size_t r = 0; r < n; r++)
			if (kdr_apply_run_has(&runs[r], (enum kdr_action_kind)kind)) {
				in++;
				assert_int_equal(runs[r].stage, kdr_action_kind_stage((enum kdr_action_kind)kind));
			}
		assert_int_equal(in, 1);
	}
	assert_true(kdr_apply_run_has(&runs[0], KDR_ACTION_CREATE_ACL));
	assert_true(kdr_apply_run_has(&runs[1], KDR_ACTION_CREATE_CONNECTOR));
	assert_true(kdr_apply_run_has(&runs[1], KDR_ACTION_DELETE_CONNECTOR));
	assert_true(kdr_apply_run_has(&runs[2], KDR_ACTION_DELETE_ACL));
	assert_true(kdr_apply_run_has(&runs[2], KDR_ACTION_DELETE_TOPIC));
	assert_false(kdr_apply_run_has(&runs[0], KDR_ACTION_DELETE_TOPIC));
	assert_false(kdr_apply_run_has(&runs[2], (enum kdr_action_kind)KDR_ACTION_KIND_COUNT));
}

/* Which fields each kind carries: what plan.json writes and reads back, and text/markdown print. */
static void test_kinds_fields(void **state)
{
	static const struct {
		enum kdr_action_kind kind;
		unsigned fields;
	} want[] = {
	    {KDR_ACTION_CREATE_TOPIC, KDR_ACTION_FIELD_TOPIC_SHAPE | KDR_ACTION_FIELD_CONFIG},
	    {KDR_ACTION_ADD_PARTITIONS, KDR_ACTION_FIELD_TOPIC_SHAPE},
	    {KDR_ACTION_ALTER_CONFIGS, KDR_ACTION_FIELD_CONFIG | KDR_ACTION_FIELD_CHANGES},
	    {KDR_ACTION_CREATE_ACL, KDR_ACTION_FIELD_ACL},
	    {KDR_ACTION_CREATE_CONNECTOR, KDR_ACTION_FIELD_CONFIG},
	    {KDR_ACTION_UPDATE_CONNECTOR, KDR_ACTION_FIELD_CONFIG | KDR_ACTION_FIELD_CHANGES},
	    {KDR_ACTION_PAUSE_CONNECTOR, 0},
	    {KDR_ACTION_RESUME_CONNECTOR, 0},
	    {KDR_ACTION_RESTART_CONNECTOR, KDR_ACTION_FIELD_TASKS},
	    {KDR_ACTION_DELETE_CONNECTOR, 0},
	    {KDR_ACTION_DELETE_ACL, KDR_ACTION_FIELD_ACL},
	    {KDR_ACTION_DELETE_TOPIC, 0},
	};

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), KDR_ACTION_KIND_COUNT);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		for (unsigned field = KDR_ACTION_FIELD_TOPIC_SHAPE; field <= KDR_ACTION_FIELD_TASKS; field <<= 1)
			if (kdr_action_kind_has(want[i].kind, (enum kdr_action_field)field) != ((want[i].fields & field) != 0))
				fail_msg("%s: field %u", kdr_action_kind_name(want[i].kind), field);
	assert_false(kdr_action_kind_has((enum kdr_action_kind)KDR_ACTION_KIND_COUNT, KDR_ACTION_FIELD_CONFIG));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kinds_in_plan_order),
	    cmocka_unit_test(test_kinds_stages),
	    cmocka_unit_test(test_apply_runs),
	    cmocka_unit_test(test_kinds_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
