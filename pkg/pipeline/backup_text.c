/* What kdr backup prints of its run. */
#include "pipeline/backup.h"

void kdr_pipeline_backup_render(struct kdr_buf *out, struct kdr_buf *err, const struct kdr_backup_result *result)
{
	kdr_pipeline_result_render_read(err, &result->run);
	if (result->n_files)
		kdr_buf_printf(out, "backup of cluster '%s' (id %s) written to %s: %zu file(s)\n", result->cluster,
			       result->cluster_id ? result->cluster_id : "?", result->out_dir, result->n_files);
	for (size_t i = 0; i < result->warnings.n; i++)
		kdr_buf_printf(err, "kdr backup: %s\n", result->warnings.v[i]);
	kdr_pipeline_result_render_error(err, &result->run, "backup");
	if (result->commit_id[0])
		kdr_buf_printf(out, "committed %s: kdr backup of cluster '%s' at %s\n", result->commit_id,
			       result->cluster, result->created_at);
}
