/* kdr backup on the one pipeline (backup.h): read, checks, record dump, render, write, commit. */
#include "pipeline/backup.h"

#include <ftw.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "executor/backup_io.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/clock.h"
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

/* RFC 3339 UTC of now, or of SOURCE_DATE_EPOCH (reproducible output) when set. */
static void created_at(char out[KDR_CLOCK_UTC_SIZE])
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	int64_t now_ns = kdr_clock_wall_ns();

	if (epoch && *epoch) {
		char *end = NULL;
		long long v = strtoll(epoch, &end, 10);

		if (*end == '\0' && v >= 0 && v <= INT64_MAX / 1000000000)
			now_ns = (int64_t)v * 1000000000;
	}
	kdr_clock_utc(out, now_ns, 0);
}

/* The backup of the cluster `p` read. */
static int back_up(struct kdr_backup_result *out, const struct kdr_pipeline *p, const struct kdr_backup_request *req)
{
	const struct kdr_live_cluster *cl = kdr_live_cluster_find(&p->live, req->cluster);
	struct kdr_executor_options exec = { 0 };
	struct kdr_dr_backup_info info = { 0 };
	struct kdr_dr_files files = { 0 };
	struct kdr_dr_partition_records *data = NULL;
	char *message = NULL;
	size_t n_data = 0;
	int rc = check_readable(cl, req->cluster);

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
	info.created_at = out->created_at;
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
				       cl->cluster_id ? cl->cluster_id : "?", out->created_at);
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

int kdr_pipeline_backup(struct kdr_backup_result *out, const struct kdr_desired *desired,
			const struct kdr_pipeline_options *options, const struct kdr_backup_request *req)
{
	struct kdr_pipeline_options read = *options;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->cluster = req->cluster;
	out->out_dir = req->out_dir;
	if (req->created_at)
		snprintf(out->created_at, sizeof(out->created_at), "%s", req->created_at);
	else
		created_at(out->created_at);
	/* The same read as kdr snapshot: Kafka (ACLs included), Connect, the groups with their offsets. */
	read.clusters = &req->cluster;
	read.n_clusters = 1;
	read.read_groups = KDR_READ_GROUPS_OFFSETS;
	/* librdkafka 2.0.2 reads a refused DescribeAcls as no binding: check an empty answer. */
	read.verify_acls = true;
	if ((rc = kdr_pipeline_result_read(&out->run, desired, &read)) != 0)
		return rc;
	if ((rc = back_up(out, &out->run.p, req)) != 0)
		return kdr_pipeline_result_fail(&out->run, rc, false);
	return 0;
}

void kdr_backup_result_release(struct kdr_backup_result *result)
{
	kdr_pipeline_result_release(&result->run);
	kdr_strvec_release(&result->warnings);
	memset(result, 0, sizeof(*result));
}
