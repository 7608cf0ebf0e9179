/* An apply's results as kdr apply (and kdr restore) print them. */
#include "pipeline/pipeline.h"

#include "util/error.h"

static void render_result(struct kdr_buf *out, const struct kdr_action *action, const struct kdr_action_result *result,
			  bool validate_only)
{
	const char *kind = kdr_action_kind_name(action->kind);

	if (result->held)
		kdr_buf_printf(out, "  HELD     %s %s/%s: %s\n", kind, action->cluster, action->resource,
			       result->message);
	else if (!result->attempted)
		kdr_buf_printf(out, "  skipped  %s %s/%s\n", kind, action->cluster, action->resource);
	else if (result->code == 0 && result->unsettled)
		kdr_buf_printf(out, "  PENDING  %s %s/%s: %s\n", kind, action->cluster, action->resource,
			       result->message);
	else if (result->code == 0)
		kdr_buf_printf(out, "  %s  %s %s/%s\n", validate_only ? "valid " : "ok    ", kind, action->cluster,
			       action->resource);
	else
		kdr_buf_printf(out, "  FAILED   %s %s/%s: %s\n", kind, action->cluster, action->resource,
			       result->message ? result->message : kdr_error_name(result->code));
}

void kdr_pipeline_apply_render_text(struct kdr_buf *out, struct kdr_buf *err, const char *command,
				    const struct kdr_plan *plan, const struct kdr_apply_report *report, bool validate_only)
{
	kdr_buf_puts(out, "\n");
	for (size_t i = 0; i < report->n; i++)
		render_result(out, &plan->actions[i], &report->results[i], validate_only);
	kdr_buf_printf(out, "\n%s: %zu succeeded, %zu failed, %zu skipped", validate_only ? "Validated" : "Applied",
		       report->succeeded, report->failed, report->skipped);
	if (report->held)
		kdr_buf_printf(out, ", %zu held", report->held);
	if (report->unsettled)
		kdr_buf_printf(out, ", %zu not yet reported by Connect", report->unsettled);
	kdr_buf_puts(out, "\n");
	/* Sent but not yet acted on by Connect (PENDING above): changes are still pending. */
	if (!report->failed && report->unsettled)
		kdr_buf_printf(err,
			       "kdr %s: %zu connector change(s) not yet reported by Connect within the timeout (marked "
			       "PENDING above); nothing was undone, the next plan shows them until Connect acts\n",
			       command, report->unsettled);
}
