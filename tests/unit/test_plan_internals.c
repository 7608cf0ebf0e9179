/* Unit tests of pkg/plan's internal helpers: config normalisation and the reassignment JSON text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan/plan_internal.h"

static void expect_normal(const char *key, const char *value, const char *want)
{
	char *got = kdr_plan__config_normalise(key, value);

	if (strcmp(got, want) != 0)
		fail_msg("%s=%s: got '%s', want '%s'", key, value, got, want);
	free(got);
}

static void test_normalise(void **state)
{
	(void)state;
	/* INT / LONG: as integers. */
	expect_normal("retention.ms", "0086400000", "86400000");
	expect_normal("retention.ms", " +5 ", "5");
	expect_normal("retention.ms", "-1", "-1");
	expect_normal("retention.ms", "-0", "0");
	expect_normal("retention.ms", "000", "0");
	expect_normal("retention.ms", "7d", "7d"); /* not a number: left for Kafka to reject */
	expect_normal("min.insync.replicas", "02", "2");
	/* BOOLEAN: case-insensitive. */
	expect_normal("unclean.leader.election.enable", "TRUE", "true");
	expect_normal("remote.storage.enable", " False", "false");
	expect_normal("preallocate", "yes", "yes");
	/* DOUBLE: as numbers. */
	expect_normal("min.cleanable.dirty.ratio", "0.50", "0.5");
	expect_normal("min.cleanable.dirty.ratio", "1", "1");
	expect_normal("min.cleanable.dirty.ratio", "1.0", "1");
	/* LIST: trimmed elements, order kept; cleanup.policy: a set. */
	expect_normal("leader.replication.throttled.replicas", "0:1 , 1:2", "0:1,1:2");
	expect_normal("leader.replication.throttled.replicas", "1:2,0:1", "1:2,0:1");
	expect_normal("cleanup.policy", "delete, compact", "compact,delete");
	expect_normal("cleanup.policy", "compact,delete,compact", "compact,delete");
	expect_normal("cleanup.policy", "", "");
	/* STRING and unknown keys: trimmed, case kept. */
	expect_normal("compression.type", " lz4 ", "lz4");
	expect_normal("message.timestamp.type", "LogAppendTime", "LogAppendTime");
	expect_normal("x.custom", " A b ", "A b");
	assert_null(kdr_plan__config_normalise("retention.ms", NULL));

	assert_true(kdr_plan__config_equal("retention.ms", "1000", "01000"));
	assert_false(kdr_plan__config_equal("retention.ms", "1000", "1001"));
	assert_true(kdr_plan__config_equal("cleanup.policy", "compact,delete", "delete,compact"));
	assert_false(kdr_plan__config_equal("compression.type", "LZ4", "lz4"));
	assert_false(kdr_plan__config_equal("retention.ms", "1", NULL));
	assert_true(kdr_plan__config_equal("retention.ms", NULL, NULL));
	assert_true(kdr_plan__config_true("TRUE"));
	assert_true(kdr_plan__config_true(" true"));
	assert_false(kdr_plan__config_true("false"));
	assert_false(kdr_plan__config_true(NULL));
	assert_false(kdr_plan__config_true("1"));
}

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
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_override_sources),
	    cmocka_unit_test(test_reassignment_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
