/*
 * Unit tests of pkg/util/json_read.c (the type names, the JSON paths and the
 * reader cursor of the JSON codecs) and of the one writer, json_write.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/error.h"
#include "util/json_read.h"
#include "util/json_write.h"

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

static json_t *parse(const char *text)
{
	json_t *value = json_loads(text, JSON_DECODE_ANY, NULL);

	assert_non_null(value);
	return value;
}

/* The cursor writes its path only for an error, from its root, and pops back exactly. */
static void test_cursor_errors(void **state)
{
	struct kdr_json_r r;
	json_t *doc = parse("{\"a\": 1}");
	size_t at = 0;

	(void)state;
	kdr_json_r_init(&r, "snap.json", "$");
	assert_int_equal(kdr_json_r_fail(&r, "at the root"), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "snap.json: $: at the root");
	at = kdr_json_r_push_key(&r, "clusters");
	kdr_json_r_push_key(&r, "dc-east");
	kdr_json_r_push_index(&r, 3);
	assert_int_equal(kdr_json_r_type_error_at(&r, "port", "an integer", json_object_get(doc, "a")), KDR_EINVALID);
	assert_string_equal(kdr_error_message(),
			    "snap.json: $.clusters[\"dc-east\"][3].port: expected an integer, found an integer");
	kdr_json_r_pop(&r, at);
	assert_int_equal(r.depth, 0);
	kdr_json_r_release(&r);
	kdr_json_r_init(&r, "plan.json", "");
	assert_int_equal(kdr_json_r_error(&r, KDR_EUNSUPPORTED, "%s", "why"), KDR_EUNSUPPORTED);
	assert_string_equal(kdr_error_message(), "plan.json: (top level): why");
	kdr_json_r_push_key(&r, "actions");
	assert_int_equal(kdr_json_r_fail(&r, "x"), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "plan.json: actions: x");
	kdr_json_r_release(&r);
	json_decref(doc);
}

static void test_cursor_member(void **state)
{
	struct kdr_json_r r;
	json_t *doc = parse("{\"s\": \"x\", \"n\": null, \"b\": false, \"i\": 2}");
	json_t *value = NULL;

	(void)state;
	kdr_json_r_init(&r, "f", "");
	assert_int_equal(kdr_json_r_member(&value, &r, doc, "s", JSON_STRING, KDR_JSON_REQUIRED), 0);
	assert_string_equal(json_string_value(value), "x");
	assert_int_equal(kdr_json_r_member(&value, &r, doc, "b", JSON_TRUE, KDR_JSON_OPTIONAL), 0);
	assert_true(json_is_false(value));
	assert_int_equal(kdr_json_r_member(&value, &r, doc, "absent", JSON_STRING, KDR_JSON_OPTIONAL), 0);
	assert_null(value);
	assert_int_equal(kdr_json_r_member(&value, &r, doc, "n", JSON_STRING, KDR_JSON_NULLABLE), 0);
	assert_null(value);
	assert_int_equal(kdr_json_r_member(&value, &r, doc, "absent", JSON_ARRAY, KDR_JSON_REQUIRED), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "f: absent: missing (an array is required)");
	assert_int_equal(kdr_json_r_member(&value, &r, doc, "n", JSON_STRING, KDR_JSON_OPTIONAL), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "f: n: expected a string, found null");
	assert_int_equal(kdr_json_r_member(&value, &r, doc, "i", JSON_STRING, KDR_JSON_NULLABLE), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "f: i: expected a string, found an integer");
	assert_int_equal(kdr_json_r_member(&value, &r, doc, "i", JSON_STRING, KDR_JSON_OR_NULL), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "f: i: expected a string or null, found an integer");
	assert_null(value);
	assert_int_equal(r.depth, 0);
	kdr_json_r_release(&r);
	json_decref(doc);
}

static void test_cursor_check_fields(void **state)
{
	static const char *const allowed[] = {"id", "host", NULL};
	struct kdr_json_r r;
	json_t *good = parse("{\"host\": 1, \"id\": 2}");
	json_t *bad = parse("{\"id\": 1, \"po-rt\": 2, \"x\": 3}");

	(void)state;
	kdr_json_r_init(&r, "f", "$");
	assert_int_equal(kdr_json_r_check_fields(&r, good, allowed), 0);
	assert_int_equal(kdr_json_r_check_fields(&r, bad, allowed), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "f: $[\"po-rt\"]: unknown field (allowed: id, host)");
	kdr_json_r_release(&r);
	json_decref(good);
	json_decref(bad);
}

static int read_small(struct kdr_json_r *r, void *ctx, void *item, const json_t *value)
{
	(*(int *)ctx)++;
	if (!json_is_integer(value) || json_integer_value(value) > 9)
		return kdr_json_r_fail(r, "not small");
	*(int *)item = (int)json_integer_value(value);
	return 0;
}

/* Items are counted as they are read, the failing one included, and the error names its index. */
static void test_cursor_items(void **state)
{
	struct kdr_json_r r;
	json_t *good = parse("[1, 2, 3]");
	json_t *bad = parse("[1, 20, 3]");
	json_t *empty = parse("[]");
	void *items = NULL;
	size_t n = 0;
	int calls = 0;

	(void)state;
	kdr_json_r_init(&r, "f", "");
	kdr_json_r_push_key(&r, "list");
	assert_int_equal(kdr_json_r_items(&r, &items, &n, sizeof(int), good, read_small, &calls), 0);
	assert_int_equal(n, 3);
	assert_int_equal(((int *)items)[2], 3);
	free(items);
	assert_int_equal(kdr_json_r_items(&r, &items, &n, sizeof(int), bad, read_small, &calls), KDR_EINVALID);
	assert_int_equal(n, 2);
	assert_string_equal(kdr_error_message(), "f: list[1]: not small");
	free(items);
	assert_int_equal(kdr_json_r_items(&r, &items, &n, sizeof(int), empty, read_small, &calls), 0);
	assert_int_equal(n, 0);
	assert_non_null(items);
	free(items);
	assert_int_equal(calls, 5);
	assert_int_equal(r.depth, 1);
	kdr_json_r_release(&r);
	json_decref(good);
	json_decref(bad);
	json_decref(empty);
}

static int collect(struct kdr_json_r *r, void *ctx, const char *name, const json_t *value)
{
	struct kdr_buf *seen = ctx;

	if (json_is_null(value))
		return kdr_json_r_fail(r, "null");
	kdr_buf_printf(seen, "%s;", name);
	return 0;
}

/* Members are visited in byte order of their names, whatever the document's order. */
static void test_cursor_members(void **state)
{
	struct kdr_json_r r;
	struct kdr_buf seen = KDR_BUF_INIT;
	json_t *doc = parse("{\"b\": 1, \"a.x\": 2, \"C\": 3}");
	json_t *bad = parse("{\"z\": 1, \"y\": null, \"x\": null}");

	(void)state;
	kdr_json_r_init(&r, "f", "$");
	assert_int_equal(kdr_json_r_members(&r, doc, collect, &seen), 0);
	assert_string_equal(seen.ptr, "C;a.x;b;");
	assert_int_equal(kdr_json_r_members(&r, bad, collect, &seen), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "f: $.x: null");
	kdr_buf_release(&seen);
	kdr_json_r_release(&r);
	json_decref(doc);
	json_decref(bad);
}

/* The same members in both layouts: the files' (one member per line, objects in arrays on one line) and compact. */
static void write_sample(struct kdr_json_w *w)
{
	kdr_json_w_open(w, NULL, '{', false);
	kdr_json_w_string(w, "s", "a\"b");
	kdr_json_w_string(w, "none", NULL);
	kdr_json_w_open(w, "empty", '[', false);
	kdr_json_w_close(w, ']');
	kdr_json_w_open(w, "rows", '[', false);
	for (int i = 0; i < 2; i++) {
		kdr_json_w_open(w, NULL, '{', true);
		kdr_json_w_int(w, "n", i - 1);
		kdr_json_w_bool(w, "b", i);
		kdr_json_w_open(w, "deep", '{', false); /* inside a one-line container: stays on the line */
		kdr_json_w_null(w, "x");
		kdr_json_w_close(w, '}');
		kdr_json_w_close(w, '}');
	}
	kdr_json_w_close(w, ']');
	kdr_json_w_close(w, '}');
}

static void test_writer_layouts(void **state)
{
	struct kdr_buf out = KDR_BUF_INIT;
	struct kdr_json_w w;

	(void)state;
	kdr_json_w_init(&w, &out);
	write_sample(&w);
	kdr_json_w_release(&w);
	assert_string_equal(out.ptr, "{\n  \"s\": \"a\\\"b\",\n  \"none\": null,\n  \"empty\": [],\n  \"rows\": [\n"
				     "    {\"n\": -1, \"b\": false, \"deep\": {\"x\": null}},\n"
				     "    {\"n\": 0, \"b\": true, \"deep\": {\"x\": null}}\n  ]\n}");
	kdr_buf_reset(&out);
	kdr_json_w_init_compact(&w, &out);
	write_sample(&w);
	kdr_json_w_release(&w);
	assert_string_equal(out.ptr, "{\"s\":\"a\\\"b\",\"none\":null,\"empty\":[],\"rows\":["
				     "{\"n\":-1,\"b\":false,\"deep\":{\"x\":null}},{\"n\":0,\"b\":true,\"deep\":{\"x\":null}}]}");
	kdr_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type_names),	  cmocka_unit_test(test_path_forms),
	    cmocka_unit_test(test_path_long),	  cmocka_unit_test(test_cursor_errors),
	    cmocka_unit_test(test_cursor_member), cmocka_unit_test(test_cursor_check_fields),
	    cmocka_unit_test(test_cursor_items),  cmocka_unit_test(test_cursor_members),
	    cmocka_unit_test(test_writer_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
