#include "util/json_read.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

const char *kdr_json_kind_name(json_type type)
{
	switch (type) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

const char *kdr_json_type_name(const json_t *value)
{
	return kdr_json_kind_name(json_typeof(value));
}

static bool is_plain_name(const char *key)
{
	if (!*key)
		return false;
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

size_t kdr_json_path_push_key(struct kdr_buf *path, const char *key)
{
	size_t len = path->len;

	if (is_plain_name(key)) {
		kdr_buf_printf(path, "%s%s", len ? "." : "", key);
	} else {
		kdr_buf_putc(path, '[');
		kdr_buf_put_json_string(path, key);
		kdr_buf_putc(path, ']');
	}
	return len;
}

size_t kdr_json_path_push_index(struct kdr_buf *path, size_t index)
{
	size_t len = path->len;

	kdr_buf_printf(path, "[%zu]", index);
	return len;
}

void kdr_json_path_pop(struct kdr_buf *path, size_t len)
{
	kdr_buf_truncate(path, len);
}

void kdr_json_r_init(struct kdr_json_r *r, const char *label, const char *root)
{
	memset(r, 0, sizeof(*r));
	r->label = label;
	r->root = root;
}

void kdr_json_r_release(struct kdr_json_r *r)
{
	free(r->steps);
	r->steps = NULL;
	r->depth = r->cap = 0;
}

static size_t push(struct kdr_json_r *r, const char *key, size_t index)
{
	size_t depth = r->depth;

	r->steps = kdr_grow(r->steps, &r->cap, depth + 1, sizeof(*r->steps));
	r->steps[depth].key = key;
	r->steps[depth].index = index;
	r->depth++;
	return depth;
}

size_t kdr_json_r_push_key(struct kdr_json_r *r, const char *key)
{
	return push(r, key, 0);
}

size_t kdr_json_r_push_index(struct kdr_json_r *r, size_t index)
{
	return push(r, NULL, index);
}

void kdr_json_r_pop(struct kdr_json_r *r, size_t depth)
{
	r->depth = depth;
}

void kdr_json_r_path(struct kdr_buf *out, const struct kdr_json_r *r)
{
	struct kdr_buf path = KDR_BUF_INIT;

	/* Built on its own so that the root's emptiness decides the first key's dot, as for a bare path. */
	kdr_buf_puts(&path, r->root ? r->root : "");
	for (size_t i = 0; i < r->depth; i++) {
		if (r->steps[i].key)
			kdr_json_path_push_key(&path, r->steps[i].key);
		else
			kdr_json_path_push_index(&path, r->steps[i].index);
	}
	kdr_buf_put(out, path.ptr, path.len);
	kdr_buf_release(&path);
}

static int verror(const struct kdr_json_r *r, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int verror(const struct kdr_json_r *r, int code, const char *fmt, va_list ap)
{
	struct kdr_buf message = KDR_BUF_INIT;
	struct kdr_buf path = KDR_BUF_INIT;
	int rc = 0;

	/* Formatted first: fmt's arguments may be kdr_error_message(), which kdr_error_set overwrites. */
	kdr_buf_vprintf(&message, fmt, ap);
	kdr_json_r_path(&path, r);
	rc = kdr_error_set(code, "%s: %s: %s", r->label, path.len ? path.ptr : "(top level)", message.ptr);
	kdr_buf_release(&path);
	kdr_buf_release(&message);
	return rc;
}

int kdr_json_r_error(const struct kdr_json_r *r, int code, const char *fmt, ...)
{
	va_list ap;
	int rc = 0;

	va_start(ap, fmt);
	rc = verror(r, code, fmt, ap);
	va_end(ap);
	return rc;
}

int kdr_json_r_fail_at(struct kdr_json_r *r, const char *key, const char *fmt, ...)
{
	size_t at = kdr_json_r_push_key(r, key);
	va_list ap;
	int rc = 0;

	va_start(ap, fmt);
	rc = verror(r, KDR_EINVALID, fmt, ap);
	va_end(ap);
	kdr_json_r_pop(r, at);
	return rc;
}

int kdr_json_r_type_error(const struct kdr_json_r *r, const char *expected, const json_t *found)
{
	return kdr_json_r_fail(r, "expected %s, found %s", expected, kdr_json_type_name(found));
}

int kdr_json_r_type_error_at(struct kdr_json_r *r, const char *key, const char *expected, const json_t *found)
{
	return kdr_json_r_fail_at(r, key, "expected %s, found %s", expected, kdr_json_type_name(found));
}

int kdr_json_r_member(json_t **out, struct kdr_json_r *r, const json_t *obj, const char *key, json_type type, int flags)
{
	json_t *value = json_object_get(obj, key);
	const char *expected = kdr_json_kind_name(type);

	*out = NULL;
	if (!value) {
		if (flags & KDR_JSON_REQUIRED)
			return kdr_json_r_fail_at(r, key, "missing (%s is required)", expected);
		return 0;
	}
	if (json_is_null(value) && (flags & KDR_JSON_NULLABLE))
		return 0;
	if (json_typeof(value) != type && !(type == JSON_TRUE && json_is_boolean(value))) {
		if ((flags & KDR_JSON_OR_NULL) == KDR_JSON_OR_NULL)
			return kdr_json_r_fail_at(r, key, "expected %s or null, found %s", expected,
						  kdr_json_type_name(value));
		return kdr_json_r_type_error_at(r, key, expected, value);
	}
	*out = value;
	return 0;
}

int kdr_json_r_enter(json_t **out, size_t *at, struct kdr_json_r *r, const json_t *obj, const char *key, json_type type,
		     int flags)
{
	int rc = kdr_json_r_member(out, r, obj, key, type, flags);

	*at = r->depth;
	if (*out)
		kdr_json_r_push_key(r, key);
	return rc;
}

static bool is_allowed(const char *const *allowed, const char *key)
{
	for (size_t i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], key) == 0)
			return true;
	return false;
}

int kdr_json_r_check_fields(struct kdr_json_r *r, const json_t *obj, const char *const *allowed)
{
	const char *key = NULL;
	json_t *value = NULL;

	json_object_foreach((json_t *)obj, key, value)
	{
		struct kdr_buf list = KDR_BUF_INIT;
		int rc = 0;

		if (is_allowed(allowed, key))
			continue;
		for (size_t i = 0; allowed[i]; i++)
			kdr_buf_printf(&list, "%s%s", i ? ", " : "", allowed[i]);
		rc = kdr_json_r_fail_at(r, key, "unknown field (allowed: %s)", list.ptr);
		kdr_buf_release(&list);
		return rc;
	}
	return 0;
}

int kdr_json_r_items(struct kdr_json_r *r, void **out, size_t *n, size_t size, const json_t *array,
		     int (*read_item)(struct kdr_json_r *r, void *ctx, void *item, const json_t *value), void *ctx)
{
	size_t count = json_array_size(array);
	char *items = kdr_calloc(count ? count : 1, size);
	int rc = 0;

	*out = items;
	*n = 0;
	for (size_t i = 0; i < count && !rc; i++) {
		size_t at = kdr_json_r_push_index(r, i);

		(*n)++;
		rc = read_item(r, ctx, items + i * size, json_array_get(array, i));
		kdr_json_r_pop(r, at);
	}
	return rc;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int kdr_json_r_members(struct kdr_json_r *r, const json_t *obj,
		       int (*read_member)(struct kdr_json_r *r, void *ctx, const char *name, const json_t *value),
		       void *ctx)
{
	size_t n = 0;
	const char **keys = kdr_calloc(json_object_size(obj) + 1, sizeof(*keys));
	const char *key = NULL;
	json_t *value = NULL;
	int rc = 0;

	json_object_foreach((json_t *)obj, key, value)
	{
		(void)value;
		keys[n++] = key;
	}
	if (n > 1)
		qsort(keys, n, sizeof(*keys), compare_keys);
	for (size_t i = 0; i < n && !rc; i++) {
		size_t at = kdr_json_r_push_key(r, keys[i]);

		rc = read_member(r, ctx, keys[i], json_object_get(obj, keys[i]));
		kdr_json_r_pop(r, at);
	}
	free(keys);
	return rc;
}
