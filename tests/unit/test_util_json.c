/* Unit tests of pkg/util/json_read.c: the type names the JSON codecs' errors use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
