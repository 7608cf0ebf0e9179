#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/regex.h"

/* Whether `pattern` (which must compile) fully matches `subject`. */
static bool matches(const char *pattern, const char *subject)
{
	struct kdr_regex *re = NULL;
	bool result = false;

	assert_int_equal(kdr_regex_compile(&re, pattern), 0);
	result = kdr_regex_full_match(re, subject);
	kdr_regex_free(re);
	return result;
}

/* Compiles `pattern`, expecting KDR_EINVALID with exactly `message`. */
static void assert_compile_error(const char *pattern, const char *message)
{
	struct kdr_regex *re = (struct kdr_regex *)&re; /* must be reset to NULL */

	assert_int_equal(kdr_regex_compile(&re, pattern), KDR_EINVALID);
	assert_null(re);
	assert_string_equal(kdr_error_message(), message);
}

static void test_dot_star_matches_everything_including_empty(void **state)
{
	(void)state;
	assert_true(matches(".*", ""));
	assert_true(matches(".*", "orders"));
	assert_true(matches(".*", "dc-west.orders"));
	assert_false(matches(".+", ""));
}

static void test_full_match_not_search(void **state)
{
	(void)state;
	assert_true(matches("orders", "orders"));
	assert_false(matches("orders", "orders2"));
	assert_false(matches("orders", "xorders"));
	assert_false(matches("orders", "my-orders-topic"));
	assert_false(matches("rde", "orders"));
	/* The empty pattern matches only the empty name. */
	assert_true(matches("", ""));
	assert_false(matches("", "orders"));
}

static void test_alternation_is_anchored_as_a_whole(void **state)
{
	(void)state;
	assert_true(matches("a|b", "a"));
	assert_true(matches("a|b", "b"));
	assert_false(matches("a|b", "ab"));
	assert_false(matches("a|b", "ba"));
	/* Java backtracks into the alternatives until the whole subject matches. */
	assert_true(matches("a|ab", "ab"));
	assert_true(matches("orders|payments\\..*", "payments.eu"));
	assert_false(matches("orders|payments\\..*", "orders.eu"));
	assert_false(matches("orders|payments", "orderspayments"));
}

static void test_mm2_default_excludes(void **state)
{
	(void)state;
	/* topics.exclude default: .*[\-\.]internal, .*\.replica, __.* */
	assert_true(matches(".*[\\-\\.]internal", "mm2-offset-syncs.dc-west.internal"));
	assert_true(matches(".*[\\-\\.]internal", "connect-configs-internal"));
	assert_false(matches(".*[\\-\\.]internal", "internal"));
	assert_false(matches(".*[\\-\\.]internal", "orders_internal"));
	assert_true(matches(".*\\.replica", "orders.replica"));
	assert_false(matches(".*\\.replica", "orders-replica"));
	assert_true(matches("__.*", "__consumer_offsets"));
	assert_false(matches("__.*", "_private"));
}

static void test_java_syntax_commonly_used_in_filters(void **state)
{
	(void)state;
	/* Escaped separators and remote-topic prefixes. */
	assert_true(matches("dc-west\\..*", "dc-west.orders"));
	assert_false(matches("dc-west\\..*", "dc-westXorders"));
	/* Unescaped '.' is any character, as in Java. */
	assert_true(matches("orders.v1", "ordersXv1"));
	/* Classes, shorthand classes, bounded repetition. */
	assert_true(matches("[a-z]+-v\\d{1,3}", "orders-v12"));
	assert_false(matches("[a-z]+-v\\d{1,3}", "orders-v1234"));
	assert_true(matches("\\w+\\.\\w+", "team_a.orders"));
	/* Inline flags. */
	assert_true(matches("(?i)orders", "ORDERS"));
	assert_false(matches("orders", "ORDERS"));
	/* Groups: capturing, non-capturing, named (Java's (?<name>...)). */
	assert_true(matches("(orders|payments)\\.(eu|us)", "payments.us"));
	assert_true(matches("(?:orders|payments)-dlq", "orders-dlq"));
	assert_true(matches("(?<team>[a-z]+)\\.events", "billing.events"));
	/* Lookahead: everything except the internal topics of Connect. */
	assert_true(matches("(?!connect-).*", "orders"));
	assert_false(matches("(?!connect-).*", "connect-offsets"));
	/* Lookbehind, possessive and reluctant quantifiers, atomic groups. */
	assert_true(matches(".*(?<!-dlq)", "orders"));
	assert_false(matches(".*(?<!-dlq)", "orders-dlq"));
	assert_true(matches("a*+b", "aaab"));
	assert_true(matches(".*?-dlq", "orders-dlq"));
	assert_true(matches("(?>orders)\\.v2", "orders.v2"));
	/* \Q...\E quoting. */
	assert_true(matches("\\Qorders.v1\\E", "orders.v1"));
	assert_false(matches("\\Qorders.v1\\E", "ordersXv1"));
	/* POSIX classes in brackets (PCRE2 spelling) and Unicode properties. */
	assert_true(matches("[[:lower:]]+", "orders"));
	assert_true(matches("\\p{L}+", "zamówienia"));
	/* $ at the end, as Java allows in matches(). */
	assert_true(matches("orders$", "orders"));
	assert_true(matches("^orders$", "orders"));
}

static void test_dot_does_not_cross_lines(void **state)
{
	(void)state;
	assert_false(matches(".*", "a\nb"));
	assert_false(matches(".*", "a\rb"));
	assert_true(matches("(?s).*", "a\nb"));
}

static void test_invalid_utf8_subject_does_not_match(void **state)
{
	(void)state;
	assert_false(matches("orders", "ord\xff" "ers"));
	assert_true(matches(".*", "grp-\xc3\xa9"));
}

static void test_catastrophic_pattern_is_bounded(void **state)
{
	char subject[64];

	(void)state;
	memset(subject, 'a', sizeof(subject) - 1);
	subject[sizeof(subject) - 1] = '\0';
	/*
	 * Exponential backtracking (2^63 ways to split the a's) hits the match
	 * limit and counts as no match instead of running for ever.
	 */
	assert_false(matches("(a+)+[^a]", subject));
	assert_true(matches("(a+)+", subject));
}

static void test_compile_errors_name_offset_and_reason(void **state)
{
	(void)state;
	assert_compile_error("(orders", "at offset 7: missing closing parenthesis");
	assert_compile_error("orders[", "at offset 7: missing terminating ] for character class");
	assert_compile_error("*orders", "at offset 0: quantifier does not follow a repeatable item");
	assert_compile_error("orders\\", "at offset 7: \\ at end of pattern");
	assert_compile_error("a{2,1}", "at offset 5: numbers out of order in {} quantifier");
	assert_compile_error("[z-a]", "at offset 3: range out of order in character class");
	assert_compile_error("(?<n>a)(?<n>b)",
			     "at offset 12: two named subpatterns have the same name (PCRE2_DUPNAMES not set)");
	assert_compile_error("[a-z&&[^x]]",
			     "at offset 4: character class intersection '&&' (Java only) is not supported");
	assert_compile_error(NULL, "no pattern");
}

static void test_ampersand_outside_class_is_fine(void **state)
{
	(void)state;
	assert_true(matches("a&&b", "a&&b"));
	assert_true(matches("[&]+", "&&"));
	assert_true(matches("\\Q[a&&b]\\E", "[a&&b]"));
	assert_true(matches("[\\]&]x", "&x"));
}

static void test_pattern_is_kept(void **state)
{
	struct kdr_regex *re = NULL;

	(void)state;
	assert_int_equal(kdr_regex_compile(&re, "orders|payments"), 0);
	assert_string_equal(kdr_regex_pattern(re), "orders|payments");
	kdr_regex_free(re);
	assert_null(kdr_regex_pattern(NULL));
	assert_false(kdr_regex_full_match(NULL, "x"));
	kdr_regex_free(NULL);
}

static void test_set_matches_any_pattern(void **state)
{
	const char *const patterns[] = { "orders", "payments\\..*" };
	struct kdr_regex_set set = { NULL, 0 };

	(void)state;
	assert_int_equal(kdr_regex_set_compile(&set, patterns, 2), 0);
	assert_int_equal(set.n, 2);
	assert_true(kdr_regex_set_match(&set, "orders"));
	assert_true(kdr_regex_set_match(&set, "payments.eu"));
	assert_false(kdr_regex_set_match(&set, "orderspayments.eu"));
	assert_false(kdr_regex_set_match(&set, "events"));
	kdr_regex_set_release(&set);
	assert_int_equal(set.n, 0);
	assert_null(set.v);
}

static void test_empty_set_matches_nothing(void **state)
{
	struct kdr_regex_set set = { NULL, 0 };

	(void)state;
	/* MM2: an empty list disables the filter (an empty include replicates nothing). */
	assert_int_equal(kdr_regex_set_compile(&set, NULL, 0), 0);
	assert_false(kdr_regex_set_match(&set, ""));
	assert_false(kdr_regex_set_match(&set, "orders"));
	kdr_regex_set_release(&set);
}

static void test_set_compile_error_names_the_pattern(void **state)
{
	const char *const patterns[] = { "orders", "pay(ments", "events" };
	struct kdr_regex_set set = { NULL, 0 };

	(void)state;
	assert_int_equal(kdr_regex_set_compile(&set, patterns, 3), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "pattern 'pay(ments': at offset 9: missing closing parenthesis");
	assert_int_equal(set.n, 0);
	assert_null(set.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dot_star_matches_everything_including_empty),
		cmocka_unit_test(test_full_match_not_search),
		cmocka_unit_test(test_alternation_is_anchored_as_a_whole),
		cmocka_unit_test(test_mm2_default_excludes),
		cmocka_unit_test(test_java_syntax_commonly_used_in_filters),
		cmocka_unit_test(test_dot_does_not_cross_lines),
		cmocka_unit_test(test_invalid_utf8_subject_does_not_match),
		cmocka_unit_test(test_catastrophic_pattern_is_bounded),
		cmocka_unit_test(test_compile_errors_name_offset_and_reason),
		cmocka_unit_test(test_ampersand_outside_class_is_fine),
		cmocka_unit_test(test_pattern_is_kept),
		cmocka_unit_test(test_set_matches_any_pattern),
		cmocka_unit_test(test_empty_set_matches_nothing),
		cmocka_unit_test(test_set_compile_error_names_the_pattern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
