#ifndef KDR_UTIL_JSON_READ_H
#define KDR_UTIL_JSON_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/*
 * What the JSON codecs (the snapshot in pkg/live, the saved plan in
 * pkg/plan) share when they read a document (jansson values): type names,
 * the JSON path of the value being read and the form of their errors.
 */

/* "an object", "an array", "a string", "an integer", "a number", "a boolean", "null": for "expected X, found Y". */
const char *kdr_json_kind_name(json_type type);
/* The same for a value's type. */
const char *kdr_json_type_name(const json_t *value);

/*
 * A JSON path in a kdr_buf (grows, never cut): a key is ".key" when it is a
 * plain name (letters, digits, '_') and ["key"] (JSON-quoted) otherwise, an
 * index is "[i]". A key pushed onto an empty path has no leading dot, so a
 * reader chooses its root: the snapshot starts from "$", the saved plan from
 * "" ("actions[2].kind"). Each push returns the length kdr_json_path_pop goes
 * back to.
 */
size_t kdr_json_path_push_key(struct kdr_buf *path, const char *key);
size_t kdr_json_path_push_index(struct kdr_buf *path, size_t index);
void kdr_json_path_pop(struct kdr_buf *path, size_t len);

/* One step of a reader's path: a member name, or (key NULL) an array index. */
struct kdr_json_r_step {
	const char *key;
	size_t index;
};

/*
 * A reader's cursor: where in the document it is and where its errors go.
 * Errors read "LABEL: PATH: MESSAGE" (an empty path reads "(top level)") and
 * are set with kdr_error_set. The path is kept as steps and written out only
 * when an error is reported, so that reading a valid document costs no
 * formatting; a step lends its key, which must outlive the step (a key of
 * the document or a literal).
 */
struct kdr_json_r {
	const char *label; /* lent */
	const char *root;  /* lent: "$" or "" */
	struct kdr_json_r_step *steps;
	size_t depth;
	size_t cap;
};

/* `label` and `root` are lent and must outlive the cursor. */
void kdr_json_r_init(struct kdr_json_r *r, const char *label, const char *root);
void kdr_json_r_release(struct kdr_json_r *r);

/* Path steps: a push returns the depth kdr_json_r_pop goes back to. */
size_t kdr_json_r_push_key(struct kdr_json_r *r, const char *key);
size_t kdr_json_r_push_index(struct kdr_json_r *r, size_t index);
void kdr_json_r_pop(struct kdr_json_r *r, size_t depth);
/* Appends the current path (as kdr_json_path_push_* writes it) to `out`. */
void kdr_json_r_path(struct kdr_buf *out, const struct kdr_json_r *r);

/* Reports "LABEL: PATH: MESSAGE" with `code`; returns `code`. `fmt` may use kdr_error_message(). */
int kdr_json_r_error(const struct kdr_json_r *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with KDR_EINVALID, the codecs' one code for a bad document. */
#define kdr_json_r_fail(r, ...) kdr_json_r_error((r), KDR_EINVALID, __VA_ARGS__)
/* The same at the member `key` of the current value (PATH.key). */
int kdr_json_r_fail_at(struct kdr_json_r *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "expected EXPECTED, found <found's type>" at the current path; returns KDR_EINVALID. */
int kdr_json_r_type_error(const struct kdr_json_r *r, const char *expected, const json_t *found);
/* The same at the member `key` of the current value. */
int kdr_json_r_type_error_at(struct kdr_json_r *r, const char *key, const char *expected, const json_t *found);

/* How kdr_json_r_member checks a member. */
enum kdr_json_r_flags {
	KDR_JSON_OPTIONAL = 0,
	KDR_JSON_REQUIRED = 1, /* absent: "missing (<type> is required)" */
	KDR_JSON_NULLABLE = 2, /* null reads as absent */
	KDR_JSON_OR_NULL = 6,  /* nullable, and a wrong type says so: "expected <type> or null" */
};

/*
 * The member `key` of object `obj`, checked for presence and `type`
 * (JSON_TRUE stands for either boolean) as `flags` say; errors are at
 * PATH.key. *out (lent from obj) is NULL when it is absent or null and that
 * is allowed.
 */
int kdr_json_r_member(json_t **out, struct kdr_json_r *r, const json_t *obj, const char *key, json_type type,
		      int flags);

/*
 * kdr_json_r_member, and when the member is there (*out not NULL) the cursor
 * moves into it: *at is the depth kdr_json_r_pop goes back to.
 */
int kdr_json_r_enter(json_t **out, size_t *at, struct kdr_json_r *r, const json_t *obj, const char *key, json_type type,
		     int flags);

/*
 * Rejects the first member of `obj` (document order) whose name is not in
 * `allowed` (NULL-terminated): "PATH.name: unknown field (allowed: a, b)".
 */
int kdr_json_r_check_fields(struct kdr_json_r *r, const json_t *obj, const char *const *allowed);

/*
 * Reads the array `array` (the value at the cursor) into a new array of
 * zeroed `size`-byte items, each read by `read_item` (given `ctx`) at
 * PATH[i]; stops at the first error and returns it. *n counts the items as
 * they are read (the one that failed included), so that releasing *n items
 * after an error frees what was read. *out is the caller's, allocated even
 * for an empty array.
 */
int kdr_json_r_items(struct kdr_json_r *r, void **out, size_t *n, size_t size, const json_t *array,
		     int (*read_item)(struct kdr_json_r *r, void *ctx, void *item, const json_t *value), void *ctx);

/*
 * Calls `read_member` for each member of object `obj` (the value at the
 * cursor) in byte order of the names, at PATH.name; stops at the first
 * error and returns it.
 */
int kdr_json_r_members(struct kdr_json_r *r, const json_t *obj,
		       int (*read_member)(struct kdr_json_r *r, void *ctx, const char *name, const json_t *value),
		       void *ctx);

#endif
