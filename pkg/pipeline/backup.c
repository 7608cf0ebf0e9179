/* kdr backup on the one pipeline (backup.h): checks, record dump, render, write, commit. */
#include "pipeline/backup.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "executor/backup_io.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/file.h"

/* Removes what an earlier backup wrote under data/ (its *.jsonl, SHA256SUMS, then empty directories). */
static int remove_data_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	size_t len = strlen(path);

	(void)st;
	(void)ftw;
	if (flag == FTW_F && ((len > 6 && strcmp(path + len - 6, ".jsonl") == 0) || strstr(path, "/SHA256SUMS")))
		unlink(path);
	else if (flag == FTW_DP)
		rmdir(path); /* fails, harmlessly, when something else is left in it */
	return 0;
}

static int write_files(const char *dir, const struct kdr_dr_files *files)
{
	char *data_dir = NULL;
	int rc = kdr_file_make_dirs(dir);

	if (rc != 0)
		return rc;
	data_dir = kdr_asprintf("%s/data", dir);
	nftw(data_dir, remove_data_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(data_dir);
	for (size_t i = 0; i < files->n && rc == 0; i++) {
		char *path = kdr_asprintf("%s/%s", dir, files->v[i].path);
		char *slash = strrchr(path, '/');

		*slash = 0;
		rc = kdr_file_make_dirs(path);
		*slash = '/';
		if (rc == 0)
			rc = kdr_file_write(path, files->v[i].data.ptr, files->v[i].data.len);
		free(path);
	}
	return rc;
}

/* What makes a backup of `cl` incomplete enough to write nothing. */
static int check_readable(const struct kdr_live_cluster *cl, const char *name)
{
	if (!cl)
		return kdr_error_set(KDR_EUNAVAILABLE, "cluster '%s' could not be read; nothing was written", name);
	if (!cl->groups_read || !cl->group_offsets_read)
		return kdr_error_set(KDR_EUNAVAILABLE,
				     "cluster '%s': the consumer groups could not be read; nothing was written", name);
	/*
	 * A cluster without an authorizer has no ACLs to back up; ACLs that could
	 * not be read (refused, no answer) would be restored as none: refuse.
	 */
	if (!cl->acls_read && !cl->acls_no_authorizer)
		return kdr_error_set(KDR_EUNAVAILABLE, "cluster '%s': the ACLs could not be read (%s); nothing was written",
				     name, cl->acls_error ? cl->acls_error : "unknown reason");
	return 0;
}

int kdr_pipeline_backup(struct kdr_backup_outcome *out, const struct kdr_pipeline *p,
			const struct kdr_backup_request *req)
{
	const struct kdr_live_cluster *cl = kdr_live_cluster_find(&p->live, req->cluster);
	struct kdr_executor_options exec = { 0 };
	struct kdr_dr_backup_info info = { 0 };
	struct kdr_dr_files files = { 0 };
	struct kdr_dr_partition_records *data = NULL;
	char *message = NULL;
	size_t n_data = 0;
	int rc = check_readable(cl, req->cluster);

	memset(out, 0, sizeof(*out));
	if (rc != 0)
		return rc;
	out->cluster_id = cl->cluster_id;
	if (req->data_re) {
		exec.timeout_ms = p->options.timeout_ms;
		exec.resolver = p->options.resolver;
		rc = kdr_executor_dump_records(&data, &n_data, kdr_desired_cluster(p->desired, req->cluster), cl,
					       req->data_re, req->max_bytes, &exec);
		if (rc != 0) {
			rc = kdr_error_set(rc, "--data: %s; nothing was written", kdr_error_message());
			goto cleanup;
		}
	}
	info.cluster = req->cluster;
	info.kdr_version = req->kdr_version;
	info.created_at = req->created_at;
	info.data_regex = req->data_regex;
	kdr_dr_backup_render(&files, cl, &info, data, n_data);
	if ((rc = write_files(req->out_dir, &files)) != 0)
		goto cleanup;
	out->n_files = files.n;
	if (!cl->acls_read)
		kdr_strvec_push_take(&out->warnings,
				     kdr_asprintf("cluster '%s': %s; acls.yaml holds none", req->cluster, cl->acls_error));
	if (cl->connect.read_error)
		kdr_strvec_push_take(&out->warnings,
				     kdr_asprintf("cluster '%s': Connect not read (%s); connectors.json holds none",
						  req->cluster, cl->connect.read_error));
	if (req->commit) {
		message = kdr_asprintf("kdr backup of cluster '%s' (id %s) at %s\n", req->cluster,
				       cl->cluster_id ? cl->cluster_id : "?", req->created_at);
		if ((rc = kdr_git_commit_dir(out->commit_id, req->out_dir, message)) != 0)
			rc = kdr_error_set(rc, "--commit: %s: %s", req->out_dir, kdr_error_message());
	}
cleanup:
	for (size_t i = 0; i < n_data; i++)
		kdr_dr_partition_records_release(&data[i]);
	free(data);
	free(message);
	kdr_dr_files_release(&files);
	return rc;
}

void kdr_backup_outcome_release(struct kdr_backup_outcome *out)
{
	kdr_strvec_release(&out->warnings);
	memset(out, 0, sizeof(*out));
}
