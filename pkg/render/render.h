#ifndef KDR_RENDER_RENDER_H
#define KDR_RENDER_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "diff/diff.h"
#include "health/health.h"
#include "model/model.h"
#include "plan/plan.h"
#include "util/buf.h"

enum kdr_render_format {
	KDR_RENDER_TEXT,     /* terraform-like "+ ~ - !" lines and a summary line */
	KDR_RENDER_MARKDOWN, /* a PR comment: summary table, blocked/destructive first, per cluster, mermaid */
	KDR_RENDER_JSON,     /* the stable schema of docs/plan-json.md ("kdrPlan": 1) */
};

/* Each format's word (--format), at its value; NULL-terminated. */
extern const char *const kdr_render_format_names[];

/*
 * Appends the plan in `format` to `out`. `desired` (may be NULL) supplies the
 * flow graph for markdown's mermaid diagram. Secrets are never printed:
 * sensitive changes and config values under credential keys
 * (kdr_config_key_is_sensitive) show KDR_REDACTED, or null in JSON. The same
 * plan always gives the same bytes.
 */
void kdr_render_plan(struct kdr_buf *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
		     enum kdr_render_format format);

/*
 * kdr_render_plan with a pull request's desired-state change (`change`, NULL:
 * the plan alone): text puts the change first, markdown after the plan (its
 * summary stays on top of a PR comment), JSON as the plan object's first
 * field "desiredChange" with "connectionSettingsFromBase". A non-zero
 * `base_connections` (clusters whose connection settings the head changes,
 * kdr_desired_use_base_connections) adds a note that the base's are used.
 */
void kdr_render_plan_with_change(struct kdr_buf *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
				 const struct kdr_desired_diff *change, size_t base_connections,
				 enum kdr_render_format format);

/* Flow health (`kdr status`) as a human-readable report: per flow, then topics, then a summary line. */
void kdr_render_health_text(struct kdr_buf *out, const struct kdr_health *status);
/* The same as one JSON object, keys in a fixed order (the schema is above kdr_render_health_json in health_json.c). */
void kdr_render_health_json(struct kdr_buf *out, const struct kdr_health *status);

#endif
