/* pkg/util/units.c: the strict duration, size and integer parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/error.h"
#include "util/units.h"

struct good {
	const char *text;
	int64_t value;
};

static void test_duration_every_unit(void **state)
{
	static const struct good cases[] = {
		{ "0", 0 },
		{ "1", 1 },
		{ "500", 500 },
		{ "500ms", 500 },
		{ "0ms", 0 },
		{ "45s", 45000 },
		{ "30m", 30 * 60000 },
		{ "12h", 12 * 3600000 },
		{ "1d", 86400000 },
		{ "365d", INT64_C(365) * 86400000 },
		{ "007s", 7000 },
		{ "9223372036854775807", INT64_MAX },
		{ "9223372036854775807ms", INT64_MAX },
		{ "9223372036854775s", INT64_C(9223372036854775000) },
		{ "106751991167d", INT64_C(106751991167) * 86400000 },
		{ "2562047788015h", INT64_C(2562047788015) * 3600000 },
		{ "153722867280912m", INT64_C(153722867280912) * 60000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t value = -42;

		if (kdr_parse_duration_ms(&value, cases[i].text, 0) != 0)
			fail_msg("'%s': %s", cases[i].text, kdr_error_message());
		assert_int_equal(value, cases[i].value);
		/* The same with infinite allowed. */
		value = -42;
		assert_int_equal(kdr_parse_duration_ms(&value, cases[i].text, 1), 0);
		assert_int_equal(value, cases[i].value);
	}
}

static void test_duration_infinite(void **state)
{
	int64_t value = 0;

	(void)state;
	assert_int_equal(kdr_parse_duration_ms(&value, "-1", 1), 0);
	assert_int_equal(value, -1);
	value = 5;
	assert_int_equal(kdr_parse_duration_ms(&value, "-1", 0), KDR_EINVALID);
	assert_int_equal(value, 5);
	assert_string_equal(kdr_error_message(),
			    "invalid duration '-1': infinite is not allowed here; expected digits with a unit ms, s, m, h "
			    "or d (e.g. 500ms, 30s, 12h, 7d), or plain digits for milliseconds");
	/* Only exactly -1: not other negatives, not -1 with a unit. */
	assert_int_equal(kdr_parse_duration_ms(&value, "-2", 1), KDR_EINVALID);
	assert_int_equal(kdr_parse_duration_ms(&value, "-1s", 1), KDR_EINVALID);
	assert_int_equal(kdr_parse_duration_ms(&value, "-0", 1), KDR_EINVALID);
	assert_int_equal(kdr_parse_duration_ms(&value, "-01", 1), KDR_EINVALID);
	assert_string_equal(kdr_error_message(),
			    "invalid duration '-01': expected digits with a unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, "
			    "7d), or plain digits for milliseconds, or -1 for infinite");
	assert_int_equal(value, 5);
}

static void test_duration_overflow(void **state)
{
	static const char *const cases[] = {
		"9223372036854775808", "9223372036854775808ms", "99999999999999999999999999", "9223372036854776s",
		"106751991168d",       "106751991167301d",      "2562047788016h",             "153722867280913m",
	};
	int64_t value = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char expected[256];

		if (kdr_parse_duration_ms(&value, cases[i], 1) != KDR_EINVALID)
			fail_msg("'%s' parsed", cases[i]);
		snprintf(expected, sizeof(expected), "duration '%s' is out of range: at most 9223372036854775807 ms",
			 cases[i]);
		assert_string_equal(kdr_error_message(), expected);
		assert_int_equal(value, 7);
	}
}

static void test_duration_garbage(void **state)
{
	static const char *const cases[] = {
		"",   " 1s", "1s ", "1 s",  "1.5h", "1S",  "1H",   "+1s", "1sx", "ms", "s",    "1e3",
		"1_000", "0x10", "1h30m", "1w", "1y", "1us", "1ns", "1msms", "--1", "-", "1\n", "٣s",
	};
	int64_t value = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (kdr_parse_duration_ms(&value, cases[i], 1) != KDR_EINVALID)
			fail_msg("'%s' parsed", cases[i]);
		assert_int_equal(kdr_error_last(), KDR_EINVALID);
		assert_int_equal(value, 7);
	}
	assert_int_equal(kdr_parse_duration_ms(&value, "1.5h", 0), KDR_EINVALID);
	assert_string_equal(kdr_error_message(),
			    "invalid duration '1.5h': expected digits with a unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, "
			    "7d), or plain digits for milliseconds");
	assert_int_equal(kdr_parse_duration_ms(&value, "", 0), KDR_EINVALID);
	assert_string_equal(kdr_error_message(),
			    "invalid duration '': expected digits with a unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, "
			    "7d), or plain digits for milliseconds");
	/* Control characters are escaped, long input shortened. */
	assert_int_equal(kdr_parse_duration_ms(&value, "1\n\x7f", 0), KDR_EINVALID);
	assert_string_equal(kdr_error_message(),
			    "invalid duration '1\\x0a\\x7f': expected digits with a unit ms, s, m, h or d (e.g. 500ms, "
			    "30s, 12h, 7d), or plain digits for milliseconds");
	assert_int_equal(kdr_parse_duration_ms(&value,
					       "1234567890123456789012345678901234567890123456789012345678901234567890x",
					       0),
			 KDR_EINVALID);
	assert_string_equal(kdr_error_message(),
			    "invalid duration '1234567890123456789012345678901234567890123456789012345678901234...': "
			    "expected digits with a unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, 7d), or plain digits for "
			    "milliseconds");
	assert_int_equal(kdr_parse_duration_ms(&value, NULL, 0), KDR_EINVALID);
}

static void test_size_every_unit(void **state)
{
	static const struct good cases[] = {
		{ "0", 0 },
		{ "1", 1 },
		{ "1048576", 1048576 },
		{ "1KiB", 1024 },
		{ "512MiB", INT64_C(512) << 20 },
		{ "10GiB", INT64_C(10) << 30 },
		{ "2TiB", INT64_C(2) << 40 },
		{ "0TiB", 0 },
		{ "9223372036854775807", INT64_MAX },
		{ "8388607TiB", INT64_C(8388607) << 40 },
		{ "9007199254740991KiB", INT64_C(9007199254740991) << 10 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t value = -42;

		if (kdr_parse_size_bytes(&value, cases[i].text) != 0)
			fail_msg("'%s': %s", cases[i].text, kdr_error_message());
		assert_int_equal(value, cases[i].value);
	}
}

static void test_size_errors(void **state)
{
	static const char *const garbage[] = {
		"", " 1KiB", "1 KiB", "1.5GiB", "1kib", "1KB", "1kB", "1K", "1G", "1GB", "1B", "+1", "-1", "KiB", "1KiBx",
		"1PiB", "1e9",
	};
	static const char *const overflow[] = {
		"9223372036854775808", "8388608TiB", "9007199254740992KiB", "99999999999999999999GiB",
	};
	int64_t value = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		if (kdr_parse_size_bytes(&value, garbage[i]) != KDR_EINVALID)
			fail_msg("'%s' parsed", garbage[i]);
		assert_int_equal(value, 7);
	}
	assert_int_equal(kdr_parse_size_bytes(&value, "10GB"), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "invalid size '10GB': expected digits with a unit KiB, MiB, GiB or "
						 "TiB (e.g. 512MiB, 10GiB), or plain digits for bytes");
	for (size_t i = 0; i < sizeof(overflow) / sizeof(overflow[0]); i++) {
		char expected[256];

		if (kdr_parse_size_bytes(&value, overflow[i]) != KDR_EINVALID)
			fail_msg("'%s' parsed", overflow[i]);
		snprintf(expected, sizeof(expected), "size '%s' is out of range: at most 9223372036854775807 bytes",
			 overflow[i]);
		assert_string_equal(kdr_error_message(), expected);
		assert_int_equal(value, 7);
	}
	assert_int_equal(kdr_parse_size_bytes(&value, NULL), KDR_EINVALID);
}

static void test_int64(void **state)
{
	int64_t value = 7;

	(void)state;
	assert_int_equal(kdr_parse_int64(&value, "0"), 0);
	assert_int_equal(value, 0);
	assert_int_equal(kdr_parse_int64(&value, "42"), 0);
	assert_int_equal(value, 42);
	assert_int_equal(kdr_parse_int64(&value, "9223372036854775807"), 0);
	assert_int_equal(value, INT64_MAX);
	value = 7;
	assert_int_equal(kdr_parse_int64(&value, "9223372036854775808"), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "integer '9223372036854775808' is out of range: at most "
						 "9223372036854775807");
	assert_int_equal(kdr_parse_int64(&value, "-1"), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "invalid integer '-1': expected plain decimal digits");
	assert_int_equal(kdr_parse_int64(&value, ""), KDR_EINVALID);
	assert_int_equal(kdr_parse_int64(&value, "+1"), KDR_EINVALID);
	assert_int_equal(kdr_parse_int64(&value, " 1"), KDR_EINVALID);
	assert_int_equal(kdr_parse_int64(&value, "1 "), KDR_EINVALID);
	assert_int_equal(kdr_parse_int64(&value, "1ms"), KDR_EINVALID);
	assert_int_equal(kdr_parse_int64(&value, "1.0"), KDR_EINVALID);
	assert_int_equal(kdr_parse_int64(&value, NULL), KDR_EINVALID);
	assert_int_equal(value, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_every_unit), cmocka_unit_test(test_duration_infinite),
		cmocka_unit_test(test_duration_overflow),   cmocka_unit_test(test_duration_garbage),
		cmocka_unit_test(test_size_every_unit),     cmocka_unit_test(test_size_errors),
		cmocka_unit_test(test_int64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
