#ifndef KDR_RENDER_RENDER_INTERNAL_H
#define KDR_RENDER_RENDER_INTERNAL_H

/*
 * Shared between the files of pkg/render only (not part of its API): the
 * counts, symbols, redaction rule and small formatters every output format
 * uses, so that text, markdown and json agree on what a plan says.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "plan/plan.h"
#include "util/buf.h"
#include "util/strvec.h"

/* Partitions listed before "... (N more)" in text and markdown. */
#define KDR_RENDER_ASSIGNMENT_MAX 8
/* Markdown: a cluster's list of actions longer than this is collapsed. */
#define KDR_RENDER_MD_COLLAPSE 20

void kdr_render__text(struct kdr_buf *out, const struct kdr_plan *plan);
void kdr_render__markdown(struct kdr_buf *out, const struct kdr_plan *plan, const struct kdr_desired *desired);
/* The ```mermaid block of the clusters and flows of `desired` (nothing when it has neither). */
void kdr_render__mermaid(struct kdr_buf *out, const struct kdr_desired *desired);

/* '+', '~' or '-'. */
char kdr_render__symbol(enum kdr_action_kind kind);

/* Partition id of assignment.partitions[0]: 0 for a create, the old count for add-partitions. */
size_t kdr_render__first_partition(const struct kdr_action *action);

/* "p0=[1,2,3] p1=[2,3,1] ... (4 more)" */
void kdr_render__assignment_compact(struct kdr_buf *out, const struct kdr_assignment *assignment, size_t first,
				    size_t max);

/* How one format (text, markdown) writes the details of an action. */
struct kdr_render__detail_writers {
	void (*topic_shape)(struct kdr_buf *out, const struct kdr_action *action);
	void (*config)(struct kdr_buf *out, const struct kdr_action *action);
	void (*changes)(struct kdr_buf *out, const struct kdr_action *action);
	const char *indent; /* of a detail line: the restart line's */
};

/*
 * The details an action has, in this order, each written by the format's
 * writer: its topic shape, its config (creates), its changes, and for a
 * restart "restart: the connector and its failed tasks" or "restart: tasks 0, 2".
 */
void kdr_render__action_details(struct kdr_buf *out, const struct kdr_action *action,
				const struct kdr_render__detail_writers *writers);

/*
 * Plain-text lines describing the placement summary ("replicas per DC: ...",
 * "replicas per rack: ...", "dc loss: ..."), appended to `out`.
 */
void kdr_render__placement_lines(struct kdr_strvec *out, const struct kdr_action *action);

/*
 * The distinct clusters of the plan's actions (and blocked items when
 * `with_blocked`), sorted, with "" last standing for items without a cluster.
 */
void kdr_render__clusters(struct kdr_strvec *out, const struct kdr_plan *plan, bool with_blocked);
/* Whether an item's cluster (may be NULL) belongs to the group named `group` ("" = none). */
bool kdr_render__in_cluster(const char *cluster, const char *group);

/* Indexes of the notes, warnings first, otherwise in plan order; `out` has n_notes slots. */
void kdr_render__notes_order(size_t *out, const struct kdr_plan *plan);

/* Whether s is a git object id (hex, 7..64 chars), so it can be shortened. */
bool kdr_render__is_commit_id(const char *s);

#endif
