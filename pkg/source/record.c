/*
 * Recording a DR step in the desired state: what every source kind shares
 * (the flows' documents edited once each) and the one entry point.
 */
#include <string.h>

#include "source/record.h"
#include "source/source_internal.h"
#include "util/error.h"

int kdr_source__edit_flows(struct kdr_source__edited_file files[2], size_t *n_files,
			   const struct kdr_source_change *change, kdr_source__read_fn read, void *ctx)
{
	for (size_t k = 0; k < 2; k++) {
		const struct kdr_flow *flow = k ? change->flow2 : change->flow;
		const struct kdr_spec_edit *edits = k ? change->edits2 : change->edits;
		size_t n_edits = k ? change->n_edits2 : change->n_edits;
		struct kdr_source__edited_file *file = NULL;
		struct kdr_buf out = KDR_BUF_INIT;
		bool changed = false;
		int rc = 0;

		if (!flow || !n_edits)
			continue;
		for (size_t i = 0; i < *n_files && !file; i++)
			if (strcmp(files[i].path, flow->meta.file) == 0)
				file = &files[i];
		if (!file) {
			file = &files[(*n_files)++];
			file->path = flow->meta.file;
			kdr_buf_init(&file->text);
			file->changed = false;
			if ((rc = read(&file->text, file->path, ctx)) != 0)
				return rc;
		}
		if (kdr_spec_edit_yaml(&out, &changed, file->text.ptr, file->text.len, "ReplicationFlow", flow->meta.name,
				       edits, n_edits) != 0) {
			kdr_buf_release(&out);
			return kdr_error_set(KDR_EINVALID, "cannot edit ReplicationFlow '%s' in %s: %s; nothing was recorded",
					     flow->meta.name, flow->meta.file, kdr_error_message());
		}
		kdr_buf_release(&file->text);
		file->text = out;
		file->changed = file->changed || changed;
	}
	return 0;
}

void kdr_source__edited_files_release(struct kdr_source__edited_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kdr_buf_release(&files[i].text);
}

int kdr_source_record(struct kdr_strvec *done, struct kdr_source *source, const struct kdr_desired *desired,
		      const struct kdr_source_change *change, const char *message)
{
	if (!source->ops || !source->ops->record)
		return kdr_error_set(KDR_EUNSUPPORTED, "source %s cannot record a change; nothing was recorded",
				     kdr_source_describe(source));
	return source->ops->record(done, desired, change, message, source->ctx);
}
