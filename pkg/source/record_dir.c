/*
 * Recording a DR step in a directory: the flows' files edited in place, a
 * whole document written or removed.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "source/record.h"
#include "source/source_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/file.h"

static int read_disk(struct kdr_buf *out, const char *path, void *ctx)
{
	(void)ctx;
	return kdr_file_read(out, path);
}

/* Whether `path` holds exactly `data`. */
static bool holds(const char *path, const char *data)
{
	struct kdr_buf old = KDR_BUF_INIT;
	bool same = access(path, F_OK) == 0 && kdr_file_read(&old, path) == 0 && old.len == strlen(data) &&
		    memcmp(old.ptr, data, old.len) == 0;

	kdr_buf_release(&old);
	return same;
}

/* A flow to edit that was not read from a file (a desired state of another source kind). */
static const struct kdr_flow *fileless_flow(const struct kdr_source_change *change)
{
	if (change->flow && change->n_edits && !change->flow->meta.file)
		return change->flow;
	if (change->flow2 && change->n_edits2 && !change->flow2->meta.file)
		return change->flow2;
	return NULL;
}

int kdr_source__dir_record(struct kdr_strvec *done, const struct kdr_desired *desired,
			   const struct kdr_source_change *change, const char *message, void *ctx)
{
	const struct kdr_flow *fileless = fileless_flow(change);
	struct kdr_source__edited_file files[2];
	size_t n_files = 0;
	int rc = 0;

	(void)desired;
	(void)message;
	(void)ctx;
	if (fileless)
		return kdr_error_set(KDR_EINVALID, "ReplicationFlow '%s' was not read from a file; nothing was recorded",
				     fileless->meta.name);
	memset(files, 0, sizeof(files));
	if ((rc = kdr_source__edit_flows(files, &n_files, change, read_disk, NULL)) != 0)
		goto cleanup;
	/*
	 * A new file before the flows' edits, a removed one after them: a record
	 * interrupted half way leaves a state the next run completes.
	 */
	if (change->file_path && change->file_data && !holds(change->file_path, change->file_data)) {
		if ((rc = kdr_file_write(change->file_path, change->file_data, strlen(change->file_data))) != 0)
			goto cleanup;
		kdr_strvec_push_take(done, kdr_asprintf("wrote %s", change->file_path));
	}
	for (size_t i = 0; i < n_files; i++) {
		if (!files[i].changed)
			continue;
		if ((rc = kdr_file_write(files[i].path, files[i].text.ptr, files[i].text.len)) != 0)
			goto cleanup;
		kdr_strvec_push_take(done, kdr_asprintf("recorded in %s", files[i].path));
	}
	if (change->file_path && !change->file_data && access(change->file_path, F_OK) == 0) {
		if (unlink(change->file_path) != 0) {
			rc = kdr_error_set(KDR_EIO, "cannot remove '%s': %s", change->file_path, strerror(errno));
			goto cleanup;
		}
		kdr_strvec_push_take(done, kdr_asprintf("removed %s", change->file_path));
	}
cleanup:
	kdr_source__edited_files_release(files, n_files);
	return rc;
}
