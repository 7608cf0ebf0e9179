#ifndef KDR_UTIL_JSON_WRITE_H
#define KDR_UTIL_JSON_WRITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/*
 * The one JSON writer (saved plans, status JSON, snapshot files, reassignment files in markdown):
 * 2-space indentation, arrays of scalars on one line ("[1, 2, 3]"), keys in
 * the order they are written, "{}"/"[]" when empty.
 */
struct kdr_json_w_level {
	bool has;      /* the container has a member yet */
	bool one_line; /* its members are separated by ", " instead of one per line */
};

struct kdr_json_w {
	struct kdr_buf *out;
	struct kdr_json_w_level *levels; /* per open container */
	size_t depth;
	size_t cap;
	size_t lines; /* open containers with a member per line: the indentation of their members */
	bool compact; /* kdr_json_w_init_compact's: no space, no newline anywhere */
};

void kdr_json_w_init(struct kdr_json_w *w, struct kdr_buf *out);
/* The same writer with no whitespace at all ({"a":1,"b":[2,3]}): the desired-state change inside a plan. */
void kdr_json_w_init_compact(struct kdr_json_w *w, struct kdr_buf *out);
void kdr_json_w_release(struct kdr_json_w *w);
/* `key` is the member name inside an object, NULL inside an array or at the top. */
void kdr_json_w_open(struct kdr_json_w *w, const char *key, char bracket, bool one_line);
/*
 * A container with one member per line even inside a one-line container
 * (status JSON: a flow on one line, its connectors one per line), indented
 * one step deeper than the nearest multi-line container around it.
 */
void kdr_json_w_open_lines(struct kdr_json_w *w, const char *key, char bracket);
void kdr_json_w_close(struct kdr_json_w *w, char bracket);
void kdr_json_w_string(struct kdr_json_w *w, const char *key, const char *value); /* NULL -> null */
void kdr_json_w_int(struct kdr_json_w *w, const char *key, long long value);
void kdr_json_w_bool(struct kdr_json_w *w, const char *key, bool value);
void kdr_json_w_null(struct kdr_json_w *w, const char *key);
/* A parsed jansson value, arrays of scalars on one line. */
void kdr_json_w_value(struct kdr_json_w *w, const char *key, const json_t *value);

#endif
