/*
 * kdr apply's run on the one pipeline: read -> plan (or a saved plan) ->
 * --reassignments' files -> a plan with errors refused -> consent -> apply;
 * what is left for a human decides the outcome. And what it prints.
 */
#include "pipeline/pipeline.h"

#include "render/render.h"
#include "util/output.h"

int kdr_pipeline_run_reassignments(struct kdr_buf *said, struct kdr_pipeline_result *run, const char *dir)
{
	int rc = kdr_pipeline_write_reassignments(said, &run->p.plan, dir);

	if (rc != 0)
		run->outcome = KDR_PIPELINE_FAILED; /* the messages say why */
	return rc;
}

int kdr_pipeline_apply_run(struct kdr_apply_result *out, const struct kdr_desired *desired,
			   const struct kdr_pipeline_options *options, const struct kdr_apply_request *req)
{
	struct kdr_pipeline_result *run = &out->reconcile.run;
	const struct kdr_plan *plan = &run->p.plan;
	int rc = kdr_pipeline_reconcile_run(&out->reconcile, desired, options, req->saved_path);

	if (rc != 0)
		return rc;
	out->planned = true;
	/* Written before the refusal below: a plan with errors may still have reassignments a human wants. */
	if (req->reassignments_dir &&
	    (rc = kdr_pipeline_run_reassignments(&out->reassignments, run, req->reassignments_dir)) != 0)
		return rc;
	if (kdr_pipeline_plan_has_errors(&run->p)) {
		out->plan_errors = true;
		run->outcome = KDR_PIPELINE_FAILED;
		return 0;
	}
	if (plan->n_actions && req->consent && req->consent(req->consent_ctx, out) != 0) {
		out->declined = true;
		run->outcome = KDR_PIPELINE_FAILED;
		return 0;
	}
	if (plan->n_actions) {
		out->applied = true;
		rc = kdr_pipeline_reconcile_apply(&out->reconcile);
	}
	/* Blocked items are pending (the README's exit status 2) only when nothing failed: an error says more. */
	if (run->outcome == KDR_PIPELINE_OK && plan->n_blocked > 0) {
		out->blocked = true;
		run->outcome = KDR_PIPELINE_PENDING;
	}
	return rc;
}

void kdr_pipeline_apply_render_plan(struct kdr_output *o, const struct kdr_apply_result *result)
{
	const struct kdr_pipeline *p = &result->reconcile.run.p;
	struct kdr_buf text = KDR_BUF_INIT;

	kdr_pipeline_reconcile_render(&text, &result->reconcile, "apply");
	kdr_output_put(o, KDR_STDERR, text.ptr, text.len);
	if (result->planned) {
		kdr_buf_reset(&text);
		kdr_render_plan(&text, &p->plan, p->desired, KDR_RENDER_TEXT);
		kdr_output_put(o, KDR_STDOUT, text.ptr, text.len);
	}
	kdr_output_put(o, KDR_STDERR, result->reassignments.ptr, result->reassignments.len);
	kdr_buf_release(&text);
}

void kdr_pipeline_apply_render_finish(struct kdr_output *o, const struct kdr_apply_result *result)
{
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	if (result->plan_errors)
		kdr_output_printf(o, KDR_STDERR, "kdr apply: the plan has errors (marked '!'); nothing was applied\n");
	if (result->applied) {
		kdr_pipeline_reconcile_render_apply(&out, &err, &result->reconcile, "apply");
		/* The results, then the note about them. */
		kdr_output_put(o, KDR_STDOUT, out.ptr, out.len);
		kdr_output_put(o, KDR_STDERR, err.ptr, err.len);
	}
	if (result->blocked)
		kdr_output_printf(o, KDR_STDERR,
				  "kdr apply: %zu blocked item(s) need a human (marked '!' above; kdr does not make "
				  "these changes)\n",
				  result->reconcile.run.p.plan.n_blocked);
	kdr_buf_release(&out);
	kdr_buf_release(&err);
}

void kdr_apply_result_release(struct kdr_apply_result *result)
{
	kdr_reconcile_result_release(&result->reconcile);
	kdr_buf_release(&result->reassignments);
}
