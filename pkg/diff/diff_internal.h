#ifndef KDR_DIFF_DIFF_INTERNAL_H
#define KDR_DIFF_DIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "diff/diff.h"
#include "model/model.h"

/* Shared between the files of pkg/diff only. */

/*
 * One object flattened into (path, printable value) pairs. A redacted field
 * prints KDR_REDACTED and keeps a pointer to the literal (lent from the
 * desired state) only to tell whether it changed: the literal is never copied
 * into a diff.
 */
struct diff_flat_field {
	char *path;
	char *value;
	const char *secret; /* lent; non-NULL only for redacted literals */
	bool redacted;
};

struct diff_flat {
	struct diff_flat_field *v;
	size_t n;
	size_t cap;
};

/* Flatten one object into an empty `out`, sorted by path (byte order). */
void kdr_diff__flatten_cluster(struct diff_flat *out, const struct kdr_cluster *cl);
void kdr_diff__flatten_flow(struct diff_flat *out, const struct kdr_flow *flow);
void kdr_diff__flatten_policy(struct diff_flat *out, const struct kdr_policy *policy);

/* Whether two flattened fields with the same path differ. */
bool kdr_diff__field_differs(const struct diff_flat_field *a, const struct diff_flat_field *b);

void kdr_diff__flat_release(struct diff_flat *flat);

/* What a field absent on one side prints as. */
#define DIFF_UNSET "(unset)"

#endif
