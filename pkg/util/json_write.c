#include <stdlib.h>
#include <string.h>

#include "util/json_write.h"
#include "util/alloc.h"

/*
 * A small streaming JSON writer with one fixed layout, so that plan.json
 * files are byte-stable: the caller writes keys in the schema's order and the
 * writer only decides commas, newlines and indentation.
 */

void kdr_json_w_init(struct kdr_json_w *w, struct kdr_buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

void kdr_json_w_init_compact(struct kdr_json_w *w, struct kdr_buf *out)
{
	kdr_json_w_init(w, out);
	w->compact = true;
}

void kdr_json_w_release(struct kdr_json_w *w)
{
	free(w->levels);
	w->levels = NULL;
	w->depth = 0;
	w->cap = 0;
	w->lines = 0;
}

static void indent(struct kdr_json_w *w, size_t depth)
{
	kdr_buf_putc(w->out, '\n');
	for (size_t i = 0; i < depth; i++)
		kdr_buf_puts(w->out, "  ");
}

/* Separator and key before a value. */
static void prefix(struct kdr_json_w *w, const char *key)
{
	if (w->depth) {
		struct kdr_json_w_level *level = &w->levels[w->depth - 1];

		if (level->one_line) {
			if (level->has)
				kdr_buf_puts(w->out, w->compact ? "," : ", ");
		} else {
			if (level->has)
				kdr_buf_putc(w->out, ',');
			indent(w, w->lines);
		}
		level->has = true;
	}
	if (key) {
		kdr_buf_put_json_string(w->out, key);
		kdr_buf_puts(w->out, w->compact ? ":" : ": ");
	}
}

static void push(struct kdr_json_w *w, const char *key, char bracket, bool one_line)
{
	prefix(w, key);
	kdr_buf_putc(w->out, bracket);
	w->levels = kdr_grow(w->levels, &w->cap, w->depth + 1, sizeof(*w->levels));
	w->levels[w->depth].has = false;
	w->levels[w->depth].one_line = one_line || w->compact;
	w->depth++;
	if (!w->levels[w->depth - 1].one_line)
		w->lines++;
}

void kdr_json_w_open(struct kdr_json_w *w, const char *key, char bracket, bool one_line)
{
	/* Inside a one-line container everything stays on that line. */
	push(w, key, bracket, one_line || (w->depth && w->levels[w->depth - 1].one_line));
}

void kdr_json_w_open_lines(struct kdr_json_w *w, const char *key, char bracket)
{
	push(w, key, bracket, false);
}

void kdr_json_w_close(struct kdr_json_w *w, char bracket)
{
	struct kdr_json_w_level level = {false, true};

	if (w->depth)
		level = w->levels[--w->depth];
	if (!level.one_line)
		w->lines--;
	if (level.has && !level.one_line)
		indent(w, w->lines);
	kdr_buf_putc(w->out, bracket);
}

void kdr_json_w_string(struct kdr_json_w *w, const char *key, const char *value)
{
	prefix(w, key);
	if (value)
		kdr_buf_put_json_string(w->out, value);
	else
		kdr_buf_puts(w->out, "null");
}

void kdr_json_w_int(struct kdr_json_w *w, const char *key, long long value)
{
	prefix(w, key);
	kdr_buf_printf(w->out, "%lld", value);
}

void kdr_json_w_bool(struct kdr_json_w *w, const char *key, bool value)
{
	prefix(w, key);
	kdr_buf_puts(w->out, value ? "true" : "false");
}

void kdr_json_w_null(struct kdr_json_w *w, const char *key)
{
	prefix(w, key);
	kdr_buf_puts(w->out, "null");
}

static bool all_scalars(const json_t *array)
{
	size_t i = 0;
	const json_t *item = NULL;

	json_array_foreach (array, i, item)
		if (json_is_object(item) || json_is_array(item))
			return false;
	return true;
}

void kdr_json_w_value(struct kdr_json_w *w, const char *key, const json_t *value)
{
	switch (json_typeof(value)) {
	case JSON_OBJECT: {
		const char *member = NULL;
		json_t *item = NULL;

		/* jansson keeps insertion order, so the document's own key order survives. */
		kdr_json_w_open(w, key, '{', false);
		json_object_foreach ((json_t *)value, member, item)
			kdr_json_w_value(w, member, item);
		kdr_json_w_close(w, '}');
		break;
	}
	case JSON_ARRAY: {
		size_t i = 0;
		const json_t *item = NULL;

		kdr_json_w_open(w, key, '[', all_scalars(value));
		json_array_foreach (value, i, item)
			kdr_json_w_value(w, NULL, item);
		kdr_json_w_close(w, ']');
		break;
	}
	case JSON_STRING:
		kdr_json_w_string(w, key, json_string_value(value));
		break;
	case JSON_INTEGER:
		kdr_json_w_int(w, key, (long long)json_integer_value(value));
		break;
	case JSON_REAL: {
		char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);

		prefix(w, key);
		kdr_buf_puts(w->out, text ? text : "null");
		free(text);
		break;
	}
	case JSON_TRUE:
	case JSON_FALSE:
		kdr_json_w_bool(w, key, json_is_true(value));
		break;
	case JSON_NULL:
		kdr_json_w_null(w, key);
		break;
	}
}
