#ifndef KDR_UTIL_JSON_READ_H
#define KDR_UTIL_JSON_READ_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#include "util/buf.h"

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
 * The JSON path of the value being read, built in a kdr_buf (grows, never
 * cut): a key is ".key" when it is a plain name (letters, digits, '_') and
 * ["key"] (JSON-quoted) otherwise, an index is "[i]". A key pushed onto an
 * empty path has no leading dot, so a reader chooses its root: the snapshot
 * starts from "$", the saved plan from "" ("actions[2].kind"). Each push
 * returns the length kdr_json_path_pop goes back to.
 */
size_t kdr_json_path_push_key(struct kdr_buf *path, const char *key);
size_t kdr_json_path_push_index(struct kdr_buf *path, size_t index);
void kdr_json_path_pop(struct kdr_buf *path, size_t len);

/*
 * The codecs' one error form, "LABEL: PATH: MESSAGE" (an empty path reads
 * "(top level)"), set with kdr_error_set. Returns KDR_EINVALID.
 */
int kdr_json_vfail(const char *label, const char *path, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* "LABEL: PATH: expected EXPECTED, found <found's type>" the same way; returns KDR_EINVALID. */
int kdr_json_fail_type(const char *label, const char *path, const char *expected, const json_t *found);

#endif
