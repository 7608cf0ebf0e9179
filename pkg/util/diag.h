#ifndef KDR_UTIL_DIAG_H
#define KDR_UTIL_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Diagnostics: the errors and warnings of parsing and validation, all of them
 * collected (never just the first) and printed as
 *   FILE:LINE:COL: error: FIELD: MESSAGE
 * or, for objects without a file position (Kubernetes objects),
 *   KIND/NAME: error: FIELD: MESSAGE
 */
enum kdr_severity {
	KDR_SEV_ERROR,
	KDR_SEV_WARNING,
};

/* Where something came from. `file` is lent; line/col are 1-based, 0 = unknown. */
struct kdr_loc {
	const char *file; /* path or "KIND/NAME" for objects without a file */
	unsigned line;
	unsigned col;
};

struct kdr_diag {
	enum kdr_severity severity;
	char *where;   /* "file:line:col", "file" or "KIND/NAME" */
	char *field;   /* "spec.placement.strategy", or NULL */
	char *message; /* "found 'x', allowed: a, b (did you mean 'a'?)" */
};

struct kdr_diags {
	struct kdr_diag *v;
	size_t n;
	size_t cap;
	size_t errors;
	size_t warnings;
};

#define KDR_DIAGS_INIT { NULL, 0, 0, 0, 0 }

/* Adds one diagnostic; `loc` may be NULL, `field` may be NULL. */
void kdr_diags_add(struct kdr_diags *diags, enum kdr_severity severity, const struct kdr_loc *loc,
		   const char *field, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Shorthands for the two severities. */
void kdr_diags_error(struct kdr_diags *diags, const struct kdr_loc *loc, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void kdr_diags_warning(struct kdr_diags *diags, const struct kdr_loc *loc, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool kdr_diags_has_errors(const struct kdr_diags *diags);
/* Formats diagnostic `i` as one line (no newline) into a new heap string. */
char *kdr_diag_format(const struct kdr_diag *diag);
/* Prints every diagnostic, one per line, in the order added. */
void kdr_diags_print(const struct kdr_diags *diags, FILE *out);
/* Moves all of `src` into `dst` (src becomes empty). */
void kdr_diags_move(struct kdr_diags *dst, struct kdr_diags *src);
void kdr_diags_release(struct kdr_diags *diags);

/*
 * The closest candidate to `found` by edit distance, or NULL when none is
 * close enough to be a likely typo. Lent from `candidates`.
 */
const char *kdr_did_you_mean(const char *found, const char *const *candidates, size_t n);

#endif
