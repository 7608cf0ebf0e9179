/* Unit tests of pkg/util/json_read.c: the type names and the JSON paths the JSON codecs' errors use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/json_read.h"

static void test_type_names(void **state)
{
	static const struct {
		const char *text;
		const char *name;
	} cases[] = {
	    {"{}", "an object"}, {"[]", "an array"},   {"\"s\"", "a string"}, {"1", "an integer"},
	    {"1.5", "a number"}, {"true", "a boolean"}, {"false", "a boolean"}, {"null", "null"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *value = json_loads(cases[i].text, JSON_DECODE_ANY, NULL);

		assert_non_null(value);
		assert_string_equal(kdr_json_type_name(value), cases[i].name);
		assert_string_equal(kdr_json_kind_name(json_typeof(value)), cases[i].name);
		json_decref(value);
	}
}

/* Plain keys dotted (no dot on an empty root), others JSON-quoted in brackets; pop goes back exactly. */
static void test_path_forms(void **state)
{
	struct kdr_buf path = KDR_BUF_INIT;
	size_t at = 0;

	(void)state;
	kdr_json_path_push_key(&path, "actions");
	kdr_json_path_push_index(&path, 2);
	at = kdr_json_path_push_key(&path, "config");
	kdr_json_path_push_key(&path, "retention.ms");
	assert_string_equal(path.ptr, "actions[2].config[\"retention.ms\"]");
	kdr_json_path_pop(&path, at);
	assert_string_equal(path.ptr, "actions[2]");
	kdr_json_path_push_key(&path, "");
	kdr_json_path_push_key(&path, "a\"b");
	assert_string_equal(path.ptr, "actions[2][\"\"][\"a\\\"b\"]");
	kdr_buf_reset(&path);
	kdr_buf_puts(&path, "$");
	kdr_json_path_push_key(&path, "clusters");
	kdr_json_path_push_key(&path, "dc-east");
	kdr_json_path_push_key(&path, "brokers");
	kdr_json_path_push_index(&path, 0);
	assert_string_equal(path.ptr, "$.clusters[\"dc-east\"].brokers[0]");
	kdr_buf_release(&path);
}

/* A path longer than any fixed buffer is kept whole. */
static void test_path_long(void **state)
{
	struct kdr_buf path = KDR_BUF_INIT;
	char key[301] = "";

	(void)state;
	memset(key, 'k', sizeof(key) - 1);
	for (int i = 0; i < 3; i++)
		kdr_json_path_push_key(&path, key);
	assert_int_equal(path.len, 3 * 300 + 2);
	assert_int_equal(strlen(path.ptr), 3 * 300 + 2);
	kdr_buf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type_names),
	    cmocka_unit_test(test_path_forms),
	    cmocka_unit_test(test_path_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
