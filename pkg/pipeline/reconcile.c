/* kdr plan's, apply's and status's run on the pipeline: read, then plan or take a saved plan; apply; what they print. */
#include "pipeline/pipeline.h"

#include "util/file.h"

int kdr_pipeline_reconcile_run(struct kdr_reconcile_result *out, const struct kdr_desired *desired,
			       const struct kdr_pipeline_options *options, struct kdr_plan *saved, const char *label)
{
	int rc = kdr_pipeline_result_read(&out->run, desired, options);

	if (rc != 0)
		return rc;
	rc = saved ? kdr_pipeline_use_saved(&out->run.p, saved, &out->stale, label) : kdr_pipeline_plan(&out->run.p);
	return rc != 0 ? kdr_pipeline_result_fail(&out->run, rc, false) : 0;
}

void kdr_pipeline_reconcile_render(struct kdr_buf *err, const struct kdr_reconcile_result *result,
				   const char *command)
{
	kdr_pipeline_result_render_read(err, &result->run);
	for (size_t i = 0; i < result->stale.n; i++)
		kdr_buf_printf(err, "kdr %s: %s\n", command, result->stale.v[i]);
	/* The stale clusters say why better than "'PLAN.json' is stale". */
	if (!result->stale.n)
		kdr_pipeline_result_render_error(err, &result->run, command);
}

int kdr_pipeline_reconcile_apply(struct kdr_reconcile_result *out)
{
	struct kdr_pipeline *p = &out->run.p;
	struct kdr_buf text = KDR_BUF_INIT;
	int rc = kdr_pipeline_apply(&out->applied, p, NULL, NULL);

	if (p->options.snapshot_path) {
		kdr_live_to_json(&text, &p->live);
		rc = kdr_file_write(p->options.snapshot_path, text.ptr, text.len);
		kdr_buf_release(&text);
		return rc != 0 ? kdr_pipeline_result_fail(&out->run, rc, false) : 0;
	}
	out->run.outcome = out->applied.failed	  ? KDR_PIPELINE_FAILED
			   : out->applied.unsettled ? KDR_PIPELINE_PENDING
						    : KDR_PIPELINE_OK;
	return rc;
}

void kdr_pipeline_reconcile_render_apply(struct kdr_buf *out, struct kdr_buf *err,
					 const struct kdr_reconcile_result *result, const char *command)
{
	const struct kdr_pipeline *p = &result->run.p;

	if (!p->options.snapshot_path)
		kdr_pipeline_apply_render_text(out, err, command, &p->plan, &result->applied, p->options.validate_only);
	else if (result->run.error)
		kdr_buf_printf(err, "kdr: %s\n", result->run.error); /* as every file kdr cannot write */
	else
		kdr_buf_printf(out, "\napplied %zu action(s) to snapshot '%s'\n", p->plan.n_actions,
			       p->options.snapshot_path);
}

void kdr_reconcile_result_release(struct kdr_reconcile_result *result)
{
	kdr_pipeline_result_release(&result->run);
	kdr_strvec_release(&result->stale);
	kdr_apply_report_release(&result->applied);
}
