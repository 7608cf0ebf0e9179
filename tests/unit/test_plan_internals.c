/* Unit tests of pkg/plan's internal helpers: which live configs are overrides, the reassignment JSON text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan/plan_internal.h"

static void test_override_sources(void **state)
{
	struct kdr_live_config config = {NULL, NULL, KDR_CONFIG_SOURCE_DYNAMIC_TOPIC, false, false};

	(void)state;
	assert_true(kdr_plan__config_is_override(&config));
	config.source = KDR_CONFIG_SOURCE_UNKNOWN;
	assert_true(kdr_plan__config_is_override(&config));
	for (int s = KDR_CONFIG_SOURCE_DYNAMIC_BROKER; s <= KDR_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER; s++) {
		config.source = (enum kdr_config_source)s;
		assert_false(kdr_plan__config_is_override(&config));
	}
}

static void test_reassignment_format(void **state)
{
	struct kdr_assignment target = {NULL, 0}, current = {NULL, 0};
	char *json = NULL;

	(void)state;
	kdr_assignment_init(&target, 3, 2);
	kdr_assignment_init(&current, 3, 2);
	for (size_t p = 0; p < 3; p++) {
		target.partitions[p].ids[0] = current.partitions[p].ids[0] = (int32_t)(p + 1);
		target.partitions[p].ids[1] = current.partitions[p].ids[1] = (int32_t)(p + 2);
	}
	/* Partition 1 moves a replica; partition 2 only changes its leader (order matters). */
	target.partitions[1].ids[1] = 7;
	target.partitions[2].ids[0] = 4;
	target.partitions[2].ids[1] = 3;
	json = kdr_plan__reassignment_format("my \"topic\"", &target, &current);
	assert_string_equal(json, "{\"version\": 1, \"partitions\": [\n"
				  "  {\"topic\": \"my \\\"topic\\\"\", \"partition\": 1, \"replicas\": [2, 7], "
				  "\"log_dirs\": [\"any\", \"any\"]},\n"
				  "  {\"topic\": \"my \\\"topic\\\"\", \"partition\": 2, \"replicas\": [4, 3], "
				  "\"log_dirs\": [\"any\", \"any\"]}\n"
				  "]}\n");
	free(json);
	json = kdr_plan__reassignment_format("t", &target, &target);
	assert_string_equal(json, "{\"version\": 1, \"partitions\": []}\n");
	free(json);
	json = kdr_plan__reassignment_format("t", &target, NULL);
	assert_non_null(strstr(json, "\"partition\": 0, \"replicas\": [1, 2]"));
	free(json);
	kdr_assignment_release(&target);
	kdr_assignment_release(&current);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_override_sources),
	    cmocka_unit_test(test_reassignment_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
