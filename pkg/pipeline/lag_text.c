/* What kdr lag prints of its run. */
#include "pipeline/pipeline.h"

void kdr_pipeline_lag_render(struct kdr_buf *out, struct kdr_buf *err, const struct kdr_lag_result *result,
			     bool json)
{
	kdr_pipeline_result_render_read(err, &result->run);
	for (size_t i = 0; i < result->warnings.n; i++)
		kdr_buf_printf(err, "kdr lag: %s\n", result->warnings.v[i]);
	kdr_pipeline_result_render_error(err, &result->run, "lag");
	if (result->run.error)
		return;
	if (json)
		kdr_dr_lag_render_json(out, &result->report);
	else
		kdr_dr_lag_render_text(out, &result->report);
}
