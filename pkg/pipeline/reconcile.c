/* kdr plan's, apply's and status's run on the pipeline: read, then plan or take a saved plan; what it prints. */
#include "pipeline/pipeline.h"

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

void kdr_reconcile_result_release(struct kdr_reconcile_result *result)
{
	kdr_pipeline_result_release(&result->run);
	kdr_strvec_release(&result->stale);
}
