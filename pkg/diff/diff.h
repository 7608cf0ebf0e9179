#ifndef KDR_DIFF_DIFF_H
#define KDR_DIFF_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "util/buf.h"

/*
 * The desired-state change between two revisions (DESIGN.md §5: the pull
 * request's dry run shows it next to the live plan of its head). Each object
 * is flattened into field paths and printable values, e.g.
 *   spec.partitions                    6
 *   spec.topics[orders].partitions     12
 *   spec.config.retention.ms           604800000
 *   spec.clientConfig.sasl.password    valueFrom env EAST_PASSWORD
 * List items that have a name are keyed by it and lists of patterns are
 * compared as sets, so reordering is not a change. Defaults are applied
 * before comparing, so spelling out a default is not a change either.
 * Secret literals never enter a diff: a sensitive key (kdr_config_key_is_sensitive)
 * or a credential field with a literal value shows KDR_REDACTED on both
 * sides; that it changed is still reported.
 */

enum kdr_diff_op {
	KDR_DIFF_ADDED,
	KDR_DIFF_REMOVED,
	KDR_DIFF_CHANGED,
};

/* One field: old_value NULL when only head has it, new_value NULL when only base has it. */
struct kdr_diff_field {
	char *path;
	char *old_value;
	char *new_value;
};

/*
 * One resource. Added resources list every field of head (old_value NULL),
 * removed ones every field of base, changed ones only the differing fields.
 */
struct kdr_diff_resource {
	enum kdr_diff_op op;
	const char *kind; /* static: "KafkaCluster", "ReplicationFlow", "TopicPolicy" */
	char *name;
	struct kdr_diff_field *fields; /* sorted by path (byte order) */
	size_t n_fields;
	size_t cap_fields;
};

/* Resources sorted by kind, then name (byte order). */
struct kdr_desired_diff {
	struct kdr_diff_resource *resources;
	size_t n_resources;
	size_t cap_resources;
	size_t added;
	size_t removed;
	size_t changed;
	char *base_revision; /* copies of the desired states' revisions, or NULL */
	char *head_revision;
};

#define KDR_DESIRED_DIFF_INIT { NULL, 0, 0, 0, 0, 0, NULL, NULL }

/*
 * Computes the change from `base` to `head` into `out`, which must be empty
 * (zeroed or KDR_DESIRED_DIFF_INIT); release it with kdr_desired_diff_release.
 * Either state may be empty (everything added or removed). Pure, never fails:
 * returns 0.
 */
int kdr_diff_desired(struct kdr_desired_diff *out, const struct kdr_desired *base, const struct kdr_desired *head);

/* Whether there is no change at all. */
bool kdr_diff_is_empty(const struct kdr_desired_diff *diff);

/*
 * Appends the change as text: one line per changed field
 *   + TopicPolicy/audit                       (then its fields, indented)
 *   ~ TopicPolicy/core: spec.partitions: 6 -> 12
 *   - ReplicationFlow/old
 * and a summary line. Byte-identical for the same inputs.
 */
void kdr_diff_render_text(struct kdr_buf *out, const struct kdr_desired_diff *diff);

/*
 * Appends a markdown section "Desired-state change" for a pull-request
 * comment: a summary, then a table per resource (collapsed in a <details>
 * block when it has more than a screenful of fields).
 */
void kdr_diff_render_markdown(struct kdr_buf *out, const struct kdr_desired_diff *diff);

/*
 * Appends the change as one JSON object:
 *   {"base": REV|null, "head": REV|null, "added": N, "changed": N, "removed": N,
 *    "resources": [{"op": "added|changed|removed", "kind": K, "name": N,
 *                   "fields": [{"path": P, "old": V|null, "new": V|null}]}]}
 */
void kdr_diff_render_json(struct kdr_buf *out, const struct kdr_desired_diff *diff);

/* Frees the contents of `diff` (left empty and reusable). */
void kdr_desired_diff_release(struct kdr_desired_diff *diff);

#endif
