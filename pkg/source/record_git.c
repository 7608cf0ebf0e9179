/*
 * Recording a DR step in Git: the flows' files of the commit the documents
 * were read from, edited, and the whole document, as one commit on the
 * source's branch (pushed when the repository is a remote).
 */
#include <stdlib.h>
#include <string.h>

#include "source/record.h"
#include "source/source_internal.h"
#include "util/alloc.h"
#include "util/error.h"

struct git_read {
	struct kdr_git_repo *repo;
	const char *commit;
};

static int read_git(struct kdr_buf *out, const char *path, void *ctx)
{
	const struct git_read *g = ctx;
	int rc = kdr_git_read_file(out, g->repo, g->commit, path);

	return rc == 0 ? 0 : kdr_error_set(rc, "%s; nothing was recorded", kdr_error_message());
}

int kdr_source__git_record(struct kdr_strvec *done, struct kdr_git_repo *repo, const char *ref,
			   const struct kdr_desired *desired, const struct kdr_source_change *change,
			   const char *message)
{
	struct kdr_source__edited_file files[2];
	struct git_read reader = { repo, desired->revision };
	struct kdr_git_change changes[3];
	size_t n = 0, n_files = 0;
	char *branch = NULL;
	char commit[41] = { 0 };
	int rc = 0;

	memset(changes, 0, sizeof(changes));
	memset(files, 0, sizeof(files));
	if (!desired->revision)
		return kdr_error_set(KDR_EINVALID,
				     "the commit the documents were read from is unknown; nothing was recorded");
	/* Up to date with the remote, as a fresh open is: a branch that moved is refused, not overwritten. */
	if ((rc = kdr_git_fetch(repo)) != 0 || (rc = kdr_git_branch_of(&branch, repo, ref)) != 0) {
		rc = kdr_error_set(rc, "%s; nothing was recorded", kdr_error_message());
		goto cleanup;
	}
	if ((rc = kdr_source__edit_flows(files, &n_files, change, read_git, &reader)) != 0)
		goto cleanup;
	for (size_t i = 0; i < n_files; i++)
		if (files[i].changed) {
			changes[n].path = files[i].path;
			changes[n].data = files[i].text.ptr;
			changes[n].len = files[i].text.len;
			n++;
		}
	if (change->file_path) {
		changes[n].path = change->file_path;
		changes[n].data = change->file_data;
		changes[n].len = change->file_data ? strlen(change->file_data) : 0;
		n++;
	}
	if (n && (rc = kdr_git_commit(commit, repo, branch, desired->revision, changes, n, message)) != 0)
		goto cleanup;
	if (n && strcmp(commit, desired->revision) != 0)
		kdr_strvec_push_take(done, kdr_asprintf("committed %.12s on %s of %s: %.*s", commit,
							branch + strlen("refs/heads/"), kdr_git_display_url(repo),
							(int)strcspn(message, "\n"), message));
cleanup:
	free(branch);
	kdr_source__edited_files_release(files, n_files);
	return rc;
}
