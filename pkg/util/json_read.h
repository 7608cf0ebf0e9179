#ifndef KDR_UTIL_JSON_READ_H
#define KDR_UTIL_JSON_READ_H

#include <jansson.h>
#include <stdarg.h>

/*
 * What the JSON codecs (the snapshot in pkg/live, the saved plan in
 * pkg/plan) share when they read a document (jansson values): type names
 * and the form of their errors.
 */

/* "an object", "an array", "a string", "an integer", "a number", "a boolean", "null": for "expected X, found Y". */
const char *kdr_json_kind_name(json_type type);
/* The same for a value's type. */
const char *kdr_json_type_name(const json_t *value);

/*
 * The codecs' one error form, "LABEL: PATH: MESSAGE" (an empty path reads
 * "(top level)"), set with kdr_error_set. Returns KDR_EINVALID.
 */
int kdr_json_vfail(const char *label, const char *path, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* "LABEL: PATH: expected EXPECTED, found <found's type>" the same way; returns KDR_EINVALID. */
int kdr_json_fail_type(const char *label, const char *path, const char *expected, const json_t *found);

#endif
