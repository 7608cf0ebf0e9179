/* pkg/util: string buffer, string vector and map, diagnostics, hashing, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/markdown.h"
#include "util/output.h"
#include "util/scrub.h"
#include "util/sort.h"
#include "util/strmap.h"
#include "util/strvec.h"

static void test_buf_starts_empty_and_terminated(void **state)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	(void)state;
	assert_non_null(buf.ptr);
	assert_string_equal(buf.ptr, "");
	kdr_buf_release(&buf);
	assert_string_equal(buf.ptr, "");
}

static void test_buf_appends_and_grows(void **state)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	(void)state;
	for (int i = 0; i < 1000; i++)
		kdr_buf_printf(&buf, "%d,", i);
	assert_int_equal(buf.len, strlen(buf.ptr));
	assert_memory_equal(buf.ptr, "0,1,2,", 6);
	assert_string_equal(buf.ptr + buf.len - 4, "999,");
	kdr_buf_truncate(&buf, 3);
	assert_string_equal(buf.ptr, "0,1");
	kdr_buf_reset(&buf);
	assert_string_equal(buf.ptr, "");
	kdr_buf_putc(&buf, 'x');
	kdr_buf_puts(&buf, "yz");
	assert_string_equal(buf.ptr, "xyz");
	kdr_buf_release(&buf);
}

/* printf formats into the room left when it fits, else grows: both give the same text, a NUL after it. */
/* The parts keep their order across the two streams; text of one stream joins its part until a flush. */
static void test_output_keeps_the_order_of_both_streams(void **state)
{
	struct kdr_output o = KDR_OUTPUT_INIT;
	char *both = NULL, *out = NULL;
	size_t both_len = 0, out_len = 0;
	FILE *both_f = open_memstream(&both, &both_len), *out_f = open_memstream(&out, &out_len);

	(void)state;
	kdr_output_printf(&o, KDR_STDERR, "step %d\n", 1);
	kdr_output_put(&o, KDR_STDOUT, "table\n", 6);
	kdr_output_printf(&o, KDR_STDOUT, "%s\n", "summary");
	kdr_output_flush(&o);
	kdr_output_printf(&o, KDR_STDOUT, "more\n");
	kdr_output_printf(&o, KDR_STDERR, "next\n");
	assert_int_equal(o.n, 4); /* err, out (flushed), out, err */
	assert_true(o.parts[1].flush);
	kdr_output_write(&o, both_f, both_f);
	assert_int_equal(o.n, 0);
	assert_int_equal(o.text.len, 0);
	fflush(both_f);
	assert_string_equal(both, "step 1\ntable\nsummary\nmore\nnext\n");
	kdr_output_printf(&o, KDR_STDOUT, "only out\n");
	kdr_output_printf(&o, KDR_STDERR, "only err\n");
	kdr_output_write(&o, out_f, both_f);
	fflush(out_f);
	fflush(both_f);
	assert_string_equal(out, "only out\n");
	assert_string_equal(both, "step 1\ntable\nsummary\nmore\nnext\nonly err\n");
	kdr_output_release(&o);
	fclose(both_f);
	fclose(out_f);
	free(both);
	free(out);
}

static void test_buf_printf_fits_or_grows(void **state)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	char big[300];

	(void)state;
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	kdr_buf_puts(&buf, "a");
	assert_int_equal(buf.cap, 64);
	kdr_buf_printf(&buf, "%s", "");
	assert_string_equal(buf.ptr, "a");
	kdr_buf_printf(&buf, "-%d-", 42); /* fits the 64 bytes */
	assert_string_equal(buf.ptr, "a-42-");
	assert_int_equal(buf.cap, 64);
	kdr_buf_printf(&buf, "%s", big); /* does not: grown, formatted again */
	assert_int_equal(buf.len, 5 + strlen(big));
	assert_int_equal(strlen(buf.ptr), buf.len);
	assert_memory_equal(buf.ptr, "a-42-bbb", 8);
	assert_int_equal(buf.cap, 512);
	kdr_buf_printf(&buf, "%.206s!", big); /* fills the room to its last byte (the NUL) */
	assert_int_equal(buf.len, 511);
	assert_int_equal(buf.cap, 512);
	assert_int_equal(buf.ptr[buf.len - 1], '!');
	kdr_buf_printf(&buf, "%c", 'z'); /* one past: grown */
	assert_int_equal(buf.len, 512);
	assert_int_equal(buf.cap, 1024);
	assert_int_equal(strlen(buf.ptr), buf.len);
	assert_string_equal(buf.ptr + 509, "b!z");
	kdr_buf_release(&buf);
}

static void test_buf_detach_hands_over_ownership(void **state)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	char *s = NULL;

	(void)state;
	s = kdr_buf_detach(&buf);
	assert_string_equal(s, "");
	free(s);
	kdr_buf_puts(&buf, "kept");
	s = kdr_buf_detach(&buf);
	assert_string_equal(s, "kept");
	assert_string_equal(buf.ptr, "");
	assert_int_equal(buf.len, 0);
	free(s);
}

static void test_buf_json_string_escapes(void **state)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	(void)state;
	kdr_buf_put_json_string(&buf, "a\"b\\c\nd\te\x01");
	assert_string_equal(buf.ptr, "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
	kdr_buf_release(&buf);
}

static void test_strvec_push_sort_join_find(void **state)
{
	struct kdr_strvec vec = KDR_STRVEC_INIT;
	struct kdr_strvec copy = KDR_STRVEC_INIT;
	char *joined = NULL;

	(void)state;
	kdr_strvec_push(&vec, "users");
	kdr_strvec_push(&vec, "events");
	kdr_strvec_push_take(&vec, kdr_strdup("orders"));
	kdr_strvec_sort(&vec);
	joined = kdr_strvec_join(&vec, ",");
	assert_string_equal(joined, "events,orders,users");
	assert_int_equal(kdr_strvec_find(&vec, "orders"), 1);
	assert_int_equal(kdr_strvec_find(&vec, "nope"), -1);
	kdr_strvec_copy(&copy, &vec);
	assert_int_equal(copy.n, 3);
	assert_true(kdr_strvec_contains(&copy, "users"));
	free(joined);
	kdr_strvec_release(&vec);
	kdr_strvec_release(&copy);
	assert_int_equal(vec.n, 0);
}

/* An enum's name table both ways: names_find by name, names_at by index with a fallback outside it. */
static void test_names_find_and_at(void **state)
{
	static const char *const names[] = { "any", "rack-aware", "cross-dc" };

	(void)state;
	assert_int_equal(kdr_names_find(names, 3, "cross-dc"), 2);
	assert_int_equal(kdr_names_find(names, 3, "static"), -1);
	assert_int_equal(kdr_names_find(names, 3, NULL), -1);
	assert_string_equal(kdr_names_at(names, 3, 0, "unknown"), "any");
	assert_string_equal(kdr_names_at(names, 3, 2, "unknown"), "cross-dc");
	assert_string_equal(kdr_names_at(names, 3, 3, "unknown"), "unknown");
	assert_string_equal(kdr_names_at(names, 3, -1, "UNKNOWN"), "UNKNOWN");
}

static void test_strmap_sorted_set_get_remove(void **state)
{
	struct kdr_strmap map = KDR_STRMAP_INIT;
	struct kdr_strmap copy = KDR_STRMAP_INIT;

	(void)state;
	kdr_strmap_set(&map, "retention.ms", "1");
	kdr_strmap_set(&map, "cleanup.policy", "delete");
	kdr_strmap_set(&map, "min.insync.replicas", "2");
	kdr_strmap_set(&map, "retention.ms", "604800000");
	assert_int_equal(map.n, 3);
	assert_string_equal(map.v[0].key, "cleanup.policy");
	assert_string_equal(map.v[1].key, "min.insync.replicas");
	assert_string_equal(map.v[2].key, "retention.ms");
	assert_string_equal(kdr_strmap_get(&map, "retention.ms"), "604800000");
	assert_null(kdr_strmap_get(&map, "segment.ms"));
	kdr_strmap_copy(&copy, &map);
	assert_true(kdr_strmap_equal(&copy, &map));
	assert_true(kdr_strmap_remove(&map, "min.insync.replicas"));
	assert_false(kdr_strmap_remove(&map, "min.insync.replicas"));
	assert_false(kdr_strmap_equal(&copy, &map));
	assert_int_equal(map.n, 2);
	assert_false(kdr_strmap_has(&map, "min.insync.replicas"));
	kdr_strmap_release(&map);
	kdr_strmap_release(&copy);
}

static void test_diag_formats_location_field_and_message(void **state)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	struct kdr_loc at = { "topics.yaml", 12, 15 };
	struct kdr_loc object = { "TopicPolicy/core", 0, 0 };
	char *line = NULL;

	(void)state;
	kdr_diags_error(&diags, &at, "spec.placement.strategy", "found '%s'", "rackaware");
	kdr_diags_warning(&diags, &object, NULL, "regex '%s' matches nothing", "x.*");
	kdr_diags_error(&diags, NULL, NULL, "no documents");
	assert_int_equal(diags.errors, 2);
	assert_int_equal(diags.warnings, 1);
	assert_true(kdr_diags_has_errors(&diags));
	line = kdr_diag_format(&diags.v[0]);
	assert_string_equal(line, "topics.yaml:12:15: error: spec.placement.strategy: found 'rackaware'");
	free(line);
	line = kdr_diag_format(&diags.v[1]);
	assert_string_equal(line, "TopicPolicy/core: warning: regex 'x.*' matches nothing");
	free(line);
	line = kdr_diag_format(&diags.v[2]);
	assert_string_equal(line, "error: no documents");
	free(line);
	kdr_diags_release(&diags);
}

static void test_diag_move_keeps_counts(void **state)
{
	struct kdr_diags a = KDR_DIAGS_INIT, b = KDR_DIAGS_INIT;

	(void)state;
	kdr_diags_error(&a, NULL, NULL, "one");
	kdr_diags_warning(&b, NULL, NULL, "two");
	kdr_diags_error(&b, NULL, NULL, "three");
	kdr_diags_move(&a, &b);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.errors, 2);
	assert_int_equal(a.warnings, 1);
	assert_int_equal(b.n, 0);
	assert_string_equal(a.v[2].message, "three");
	kdr_diags_release(&a);
	kdr_diags_release(&b);
}

static void test_did_you_mean_finds_typos_only(void **state)
{
	const char *const fields[] = { "replicationFactor", "partitions", "placement", "tiering" };

	(void)state;
	assert_string_equal(kdr_did_you_mean("replicationFactr", fields, 4), "replicationFactor");
	assert_string_equal(kdr_did_you_mean("partitons", fields, 4), "partitions");
	assert_string_equal(kdr_did_you_mean("Tiering", fields, 4), "tiering");
	assert_null(kdr_did_you_mean("owner", fields, 4));
	assert_null(kdr_did_you_mean("x", fields, 4));
}

static void test_hash_is_stable_fnv1a(void **state)
{
	(void)state;
	/* Published FNV-1a 64 test vectors: plans seeded from these must not change across builds. */
	assert_true(kdr_hash64_str("") == UINT64_C(0xcbf29ce484222325));
	assert_true(kdr_hash64_str("a") == UINT64_C(0xaf63dc4c8601ec8c));
	assert_true(kdr_hash64_str("foobar") == UINT64_C(0x85944171f73967e8));
}

static void test_rng_is_deterministic_and_bounded(void **state)
{
	struct kdr_rng a, b;
	size_t seen[7] = { 0 };

	(void)state;
	kdr_rng_seed(&a, 42);
	kdr_rng_seed(&b, 42);
	for (int i = 0; i < 7000; i++) {
		uint64_t x = kdr_rng_below(&a, 7);

		assert_true(x == kdr_rng_below(&b, 7));
		assert_true(x < 7);
		seen[x]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(seen[i] > 800 && seen[i] < 1200);
}

static void test_error_set_returns_code_and_keeps_message(void **state)
{
	(void)state;
	kdr_error_clear();
	assert_int_equal(kdr_error_last(), KDR_OK);
	assert_int_equal(kdr_error_set(KDR_ETIMEOUT, "cluster '%s': timed out", "dc-east"), KDR_ETIMEOUT);
	assert_string_equal(kdr_error_message(), "cluster 'dc-east': timed out");
	assert_int_equal(kdr_error_last(), KDR_ETIMEOUT);
	assert_true(kdr_error_retriable(KDR_ETIMEOUT));
	assert_true(kdr_error_retriable(KDR_ECONFLICT));
	assert_true(kdr_error_retriable(KDR_EUNAVAILABLE));
	assert_false(kdr_error_retriable(KDR_EINVALID));
	assert_false(kdr_error_retriable(KDR_ENOTFOUND));
	assert_string_equal(kdr_error_name(KDR_EINVALID), "invalid");
}

static void test_markdown_escapes_user_strings(void **state)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	(void)state;
	kdr_md_text(&buf, "@team *bold* a|b\nnext");
	assert_string_equal(buf.ptr, "\\@team \\*bold\\* a\\|b next");
	kdr_buf_reset(&buf);
	kdr_md_code(&buf, "orders", false);
	assert_string_equal(buf.ptr, "`orders`");
	kdr_buf_reset(&buf);
	kdr_md_code(&buf, "a``b", false);
	assert_string_equal(buf.ptr, "``` a``b ```");
	kdr_buf_reset(&buf);
	kdr_md_code(&buf, "x|y", true);
	assert_string_equal(buf.ptr, "`x\\|y`");
	kdr_buf_reset(&buf);
	kdr_md_code(&buf, NULL, true);
	assert_string_equal(buf.ptr, "`  `");
	kdr_buf_release(&buf);
}

static void test_grow_keeps_contents(void **state)
{
	int *v = NULL;
	size_t cap = 0;

	(void)state;
	for (int i = 0; i < 100; i++) {
		v = kdr_grow(v, &cap, (size_t)i + 1, sizeof(*v));
		v[i] = i;
	}
	assert_true(cap >= 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(v[i], i);
	free(v);
}

/* Inserting each value at its place keeps the array sorted; the opened slot is zeroed. */
static void test_grow_insert_opens_a_zeroed_slot(void **state)
{
	int64_t *v = NULL;
	size_t cap = 0, n = 0;
	const int64_t values[] = { 5, 1, 9, 3, 7, 0, 10 };
	const int64_t sorted[] = { 0, 1, 3, 5, 7, 9, 10 };

	(void)state;
	for (size_t k = 0; k < sizeof(values) / sizeof(*values); k++) {
		size_t pos = 0;

		while (pos < n && v[pos] < values[k])
			pos++;
		v = kdr_grow_insert(v, &cap, n, sizeof(*v), pos);
		assert_int_equal(v[pos], 0);
		v[pos] = values[k];
		n++;
	}
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i], sorted[i]);
	free(v);
}

/* issue 14 item 5: resolved secrets and URL userinfo never survive in text kdr prints. */
static void test_scrub_secrets_and_userinfo(void **state)
{
	struct kdr_strvec secrets = KDR_STRVEC_INIT;
	char *text = kdr_strdup("login pw=hunter2 and hunter2-long; see https://bob:tok3n@git.example/x, "
				"http://plain.example/, ftp://user@host/");
	char *masked = NULL;

	(void)state;
	kdr_strvec_push(&secrets, "hunter2");
	kdr_strvec_push(&secrets, "hunter2-long");
	kdr_strvec_push(&secrets, "");
	kdr_scrub_secrets(&text, &secrets);
	assert_string_equal(text, "login pw=*** and ***; see https://bob:***@git.example/x, http://plain.example/, "
				  "ftp://user@host/");
	/* The caller's secrets are left as they were. */
	assert_string_equal(secrets.v[0], "hunter2");
	masked = kdr_scrub_userinfo_dup("connect 'http://kdr:p%40ss@w:8083': refused");
	assert_string_equal(masked, "connect 'http://kdr:***@w:8083': refused");
	free(masked);
	assert_null(kdr_scrub_userinfo_dup(NULL));
	kdr_scrub_secrets(&text, NULL);
	free(text);
	kdr_strvec_release(&secrets);
}

struct keyed {
	int key;
	int seq;
	int released;
};

static int compare_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static int released_count;

static void release_keyed(void *e)
{
	((struct keyed *)e)->released = 1;
	released_count++;
}

/* The stable order as a total one: by key, then by original position (seq), so qsort's result is the only answer. */
static int compare_keyed_then_seq(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int cmp = compare_keyed(a, b);

	return cmp ? cmp : (x->seq > y->seq) - (x->seq < y->seq);
}

enum keyed_input { KEYED_RANDOM, KEYED_ASCENDING, KEYED_DESCENDING };

/* kdr_sort_stable on `n` keys below `range` (few: many ties), against the reference order. */
static void check_sort_stable(size_t n, int range, enum keyed_input input, uint64_t *x)
{
	struct keyed *v = kdr_calloc(n + 1, sizeof(*v));
	struct keyed *want = kdr_calloc(n + 1, sizeof(*want));

	for (size_t i = 0; i < n; i++) {
		*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
		v[i] = (struct keyed){ (int)((*x >> 33) % (uint64_t)range), (int)i, 0 };
		if (input == KEYED_ASCENDING)
			v[i].key = (int)((uint64_t)i * (uint64_t)range / (n + 1));
		else if (input == KEYED_DESCENDING)
			v[i].key = range - 1 - (int)((uint64_t)i * (uint64_t)range / (n + 1));
	}
	memcpy(want, v, n * sizeof(*v));
	qsort(want, n, sizeof(*want), compare_keyed_then_seq);
	kdr_sort_stable(v, n, sizeof(*v), compare_keyed);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].key, want[i].key);
		assert_int_equal(v[i].seq, want[i].seq);
	}
	free(v);
	free(want);
}

/* Sizes 0, 1, 2, every size to 300 and 100,000; all ties, few keys, many keys; random, sorted, reversed. */
static void test_sort_stable_keeps_order_of_equals(void **state)
{
	const int ranges[] = { 1, 2, 16, 1 << 30 };
	uint64_t x = 42;

	(void)state;
	for (size_t n = 0; n <= 300; n++)
		for (size_t r = 0; r < sizeof(ranges) / sizeof(*ranges); r++)
			check_sort_stable(n, ranges[r], KEYED_RANDOM, &x);
	for (size_t r = 0; r < sizeof(ranges) / sizeof(*ranges); r++) {
		check_sort_stable(100000, ranges[r], KEYED_RANDOM, &x);
		check_sort_stable(100000, ranges[r], KEYED_ASCENDING, &x);
		check_sort_stable(100000, ranges[r], KEYED_DESCENDING, &x);
		check_sort_stable(100001, ranges[r], KEYED_RANDOM, &x); /* odd: a last run without a partner */
	}
}

static void test_sort_keep_last_keeps_the_newest_per_key(void **state)
{
	struct keyed v[] = { { 2, 0, 0 }, { 1, 1, 0 }, { 2, 2, 0 }, { 3, 3, 0 }, { 1, 4, 0 }, { 2, 5, 0 } };
	size_t kept = 0;

	(void)state;
	released_count = 0;
	kept = kdr_sort_keep_last(v, 6, sizeof(*v), compare_keyed, release_keyed);
	assert_int_equal(kept, 3);
	assert_int_equal(released_count, 3);
	assert_int_equal(v[0].key, 1);
	assert_int_equal(v[0].seq, 4);
	assert_int_equal(v[1].key, 2);
	assert_int_equal(v[1].seq, 5);
	assert_int_equal(v[2].key, 3);
	assert_int_equal(v[2].seq, 3);
	for (size_t i = 0; i < kept; i++)
		assert_int_equal(v[i].released, 0);
	assert_int_equal(kdr_sort_keep_last(v, 0, sizeof(*v), compare_keyed, release_keyed), 0);
}

struct named {
	const char *name;
	int seq;
};

static void test_sort_first_named_is_the_lower_bound(void **state)
{
	const struct named v[] = {{"a", 0}, {"b", 1}, {"b", 2}, {"b", 3}, {"d", 4}};

	(void)state;
	assert_int_equal(kdr_sort_first_named(v, 5, sizeof(*v), "b"), 1); /* the first of three */
	assert_int_equal(kdr_sort_first_named(v, 5, sizeof(*v), "a"), 0);
	assert_int_equal(kdr_sort_first_named(v, 5, sizeof(*v), "c"), 4); /* absent: where it would go */
	assert_int_equal(kdr_sort_first_named(v, 5, sizeof(*v), ""), 0);
	assert_int_equal(kdr_sort_first_named(v, 5, sizeof(*v), "e"), 5);
	assert_int_equal(kdr_sort_first_named(v, 0, sizeof(*v), "a"), 0);
}

struct owned_named {
	char *name;
	int value;
};

/* Found, or inserted at its place (zeroed, the name copied): the array stays sorted and each name appears once. */
static void test_sort_insert_named_finds_or_inserts(void **state)
{
	const char *const names[] = { "m", "c", "x", "c", "a", "m", "z" };
	const char *const sorted[] = { "a", "c", "m", "x", "z" };
	struct owned_named *v = NULL;
	size_t n = 0, cap = 0, at = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(names) / sizeof(*names); k++) {
		v = kdr_sort_insert_named(&at, v, &n, &cap, sizeof(*v), names[k]);
		assert_string_equal(v[at].name, names[k]);
		assert_ptr_not_equal(v[at].name, names[k]);
		v[at].value++;
	}
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i].name, sorted[i]);
		assert_int_equal(v[i].value, strchr("cm", v[i].name[0]) ? 2 : 1);
		free(v[i].name);
	}
	free(v);
}

static void test_sort_locate_named_finds_or_says_where(void **state)
{
	const struct named v[] = {{"a", 0}, {"b", 1}, {"b", 2}, {"d", 3}};

	(void)state;
	assert_int_equal(kdr_sort_locate_named(v, 4, sizeof(*v), "b"), 1); /* the first of two */
	assert_int_equal(kdr_sort_locate_named(v, 4, sizeof(*v), "d"), 3);
	assert_int_equal(kdr_sort_locate_named(v, 4, sizeof(*v), "c"), -3 - 1); /* absent: insert at 3 */
	assert_int_equal(kdr_sort_locate_named(v, 4, sizeof(*v), "e"), -4 - 1);
	assert_int_equal(kdr_sort_locate_named(v, 4, sizeof(*v), ""), -0 - 1);
	assert_int_equal(kdr_sort_locate_named(v, 0, sizeof(*v), "a"), -0 - 1);
}

/* Every shown time has one form: seconds, milliseconds or microseconds, truncated, in UTC. */
static void test_clock_utc_forms(void **state)
{
	char out[KDR_CLOCK_UTC_SIZE];
	int64_t t = 1796000000123456789LL; /* 2026-11-30T00:53:20.123456789Z */
	int64_t before = 0, after = 0;

	(void)state;
	kdr_clock_utc(out, t, 0);
	assert_string_equal(out, "2026-11-30T00:53:20Z");
	kdr_clock_utc(out, t, 3);
	assert_string_equal(out, "2026-11-30T00:53:20.123Z");
	kdr_clock_utc(out, t, 6);
	assert_string_equal(out, "2026-11-30T00:53:20.123456Z");
	kdr_clock_utc(out, 0, 3);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
	kdr_clock_utc(out, -1, 3); /* 1 ns before the epoch: the earlier second, .999 */
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
	before = kdr_clock_mono_ms();
	after = kdr_clock_mono_ms();
	assert_true(after >= before);
	assert_true(kdr_clock_wall_ms() > 1700000000000LL);
}

/* By the first member's name, names repeated: each name's elements keep the order they were added in. */
static void test_sort_by_name_is_stable(void **state)
{
	const char *const pool[] = { "orders", "b", "a", "orders.dlq", "" };
	struct named v[500];
	uint64_t x = 7;
	int first_orders = -1;

	(void)state;
	for (int i = 0; i < 500; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		v[i] = (struct named){ pool[(x >> 33) % 5], i };
		if (first_orders < 0 && strcmp(v[i].name, "orders") == 0)
			first_orders = i;
	}
	kdr_sort_by_name(v, 500, sizeof(*v));
	for (int i = 1; i < 500; i++) {
		int cmp = strcmp(v[i - 1].name, v[i].name);

		assert_true(cmp < 0 || (cmp == 0 && v[i - 1].seq < v[i].seq));
	}
	/* The lower bound of a name is then its earliest element. */
	assert_int_equal(v[kdr_sort_first_named(v, 500, sizeof(*v), "orders")].seq, first_orders);
	kdr_sort_by_name(v, 0, sizeof(*v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_starts_empty_and_terminated),
		cmocka_unit_test(test_scrub_secrets_and_userinfo),
		cmocka_unit_test(test_buf_appends_and_grows),
		cmocka_unit_test(test_buf_printf_fits_or_grows),
		cmocka_unit_test(test_output_keeps_the_order_of_both_streams),
		cmocka_unit_test(test_buf_detach_hands_over_ownership),
		cmocka_unit_test(test_buf_json_string_escapes),
		cmocka_unit_test(test_strvec_push_sort_join_find),
		cmocka_unit_test(test_names_find_and_at),
		cmocka_unit_test(test_strmap_sorted_set_get_remove),
		cmocka_unit_test(test_diag_formats_location_field_and_message),
		cmocka_unit_test(test_diag_move_keeps_counts),
		cmocka_unit_test(test_did_you_mean_finds_typos_only),
		cmocka_unit_test(test_hash_is_stable_fnv1a),
		cmocka_unit_test(test_rng_is_deterministic_and_bounded),
		cmocka_unit_test(test_error_set_returns_code_and_keeps_message),
		cmocka_unit_test(test_markdown_escapes_user_strings),
		cmocka_unit_test(test_sort_stable_keeps_order_of_equals),
		cmocka_unit_test(test_sort_keep_last_keeps_the_newest_per_key),
		cmocka_unit_test(test_sort_first_named_is_the_lower_bound),
		cmocka_unit_test(test_sort_by_name_is_stable),
		cmocka_unit_test(test_grow_keeps_contents),
		cmocka_unit_test(test_grow_insert_opens_a_zeroed_slot),
		cmocka_unit_test(test_sort_locate_named_finds_or_says_where),
		cmocka_unit_test(test_sort_insert_named_finds_or_inserts),
		cmocka_unit_test(test_clock_utc_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
