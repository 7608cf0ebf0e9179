#ifndef KDR_RENDER_RENDER_H
#define KDR_RENDER_RENDER_H

#include "model/model.h"
#include "plan/plan.h"
#include "util/buf.h"

enum kdr_render_format {
	KDR_RENDER_TEXT,     /* terraform-like "+ ~ - !" lines and a summary line */
	KDR_RENDER_MARKDOWN, /* a PR comment: summary table, blocked/destructive first, per cluster, mermaid */
	KDR_RENDER_JSON,     /* the stable schema documented in the README ("kdrPlan": 1) */
};

int kdr_render_format_parse(enum kdr_render_format *out, const char *name);

/*
 * Appends the plan in `format` to `out`. `desired` (may be NULL) supplies the
 * flow graph for markdown's mermaid diagram. Secrets are never printed:
 * sensitive changes show KDR_REDACTED.
 */
void kdr_render_plan(struct kdr_buf *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
		     enum kdr_render_format format);

#endif
