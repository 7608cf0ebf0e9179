/* What kdr failover and kdr failback print alike: the read stage, what recording the step wrote. */
#include "pipeline/dr.h"

/* kdr_pipeline_result_render_read's lines into `o`, on stderr. */
void kdr_pipeline_dr_render_read(struct kdr_output *o, const struct kdr_pipeline_result *run)
{
	struct kdr_buf err = KDR_BUF_INIT;

	kdr_pipeline_result_render_read(&err, run);
	kdr_output_put(o, KDR_STDERR, err.ptr, err.len);
	kdr_buf_release(&err);
}

void kdr_pipeline_dr_record_render(struct kdr_output *o, const char *what, const struct kdr_dr_step_record *rec)
{
	for (size_t i = 0; i < rec->done.n; i++)
		kdr_output_printf(o, KDR_STDERR, "%s: %s\n", what, rec->done.v[i]);
	if (!rec->error)
		return;
	kdr_output_printf(o, KDR_STDERR, "%s: %s\n", what, rec->error);
	/* A source that cannot hold a whole document (Kubernetes): the user applies it. */
	if (rec->unsupported && rec->change.file_data)
		kdr_output_printf(o, KDR_STDOUT, "%s", rec->change.file_data);
}
