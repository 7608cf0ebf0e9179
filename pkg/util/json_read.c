#include "util/json_read.h"

#include <stdarg.h>
#include <stdbool.h>

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

int kdr_json_vfail(const char *label, const char *path, const char *fmt, va_list ap)
{
	struct kdr_buf message = KDR_BUF_INIT;
	int rc = 0;

	kdr_buf_vprintf(&message, fmt, ap);
	rc = kdr_error_set(KDR_EINVALID, "%s: %s: %s", label, *path ? path : "(top level)", message.ptr);
	kdr_buf_release(&message);
	return rc;
}

static int fail(const char *label, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(const char *label, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc = 0;

	va_start(ap, fmt);
	rc = kdr_json_vfail(label, path, fmt, ap);
	va_end(ap);
	return rc;
}

int kdr_json_fail_type(const char *label, const char *path, const char *expected, const json_t *found)
{
	return fail(label, path, "expected %s, found %s", expected, kdr_json_type_name(found));
}
