/*
 * kdr backup: the live state of one cluster (read by the pipeline's read
 * stage, as kdr snapshot and plan read it) written as a backup directory
 * (pkg/dr/backup.h, docs/backup-format.md), optionally committed to Git.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "dr/backup.h"
#include "executor/backup_io.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/regex.h"
#include "util/units.h"

enum {
	OPT_OUT = 'o',
	OPT_HELP = 'h',
	OPT_DATA = 3000,
	OPT_MAX_BYTES,
	OPT_COMMIT,
};

static const struct option backup_options[] = {
	{ "out", required_argument, NULL, OPT_OUT },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
	{ "commit", no_argument, NULL, OPT_COMMIT },
	KDR_CLI_CLUSTER_OPTIONS,
	KDR_CLI_SOURCE_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec backup_spec = {
	.command = "backup",
	.usage = "kdr backup [DIR | --git URL [--ref R] [--path P]] --cluster C --out BACKUP_DIR [--data REGEX]\n"
		 "                  [--max-bytes SIZE] [--commit] [--timeout 30s]",
	.description =
	    "Reads cluster C (declared in DIR) and writes its metadata into BACKUP_DIR: the topics\n"
	    "(partitions, replication factor, exact replica assignment, dynamic configs) as a TopicPolicy,\n"
	    "the ACLs as AccessPolicy documents, the consumer groups' committed offsets, the dynamic\n"
	    "broker configs, the Connect connectors' configs (secrets redacted) and a manifest\n"
	    "(docs/backup-format.md). With --data, also the records of the topics REGEX matches.\n"
	    "A second backup of an unchanged cluster writes the same bytes, except the manifest's\n"
	    "createdAt line (set SOURCE_DATE_EPOCH to fix it). The documents apply as they are:\n"
	    "'kdr restore --from BACKUP_DIR', or copied next to the KafkaCluster to adopt the cluster.\n"
	    "Exit status: 0 written, 1 the cluster could not be read or a file not written, 64 usage error.",
	.options_help = "  -c, --cluster C         the cluster to back up (exactly one)\n"
			"  -o, --out DIR           the backup directory (created; kdr's files in it are replaced)\n"
			"      --data REGEX        also dump the records of the topics REGEX matches in full\n"
			"      --max-bytes SIZE    bound on the dumped keys, values and headers (default 64MiB)\n"
			"      --commit            commit the backup to the Git repository DIR is in (one is\n"
			"                          initialised at DIR when there is none)\n"
			"      --timeout DURATION  per request to the cluster (default 30s)\n" KDR_CLI_SOURCE_HELP,
	.options = backup_options,
	.short_options = "c:o:h",
};

#define DEFAULT_MAX_BYTES ((size_t)64 << 20)

/* RFC 3339 UTC of now, or of SOURCE_DATE_EPOCH (reproducible output) when set. */
static void created_at(char out[32])
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	time_t now = time(NULL);
	struct tm tm;

	if (epoch && *epoch) {
		char *end = NULL;
		long long v = strtoll(epoch, &end, 10);

		if (*end == '\0' && v >= 0)
			now = (time_t)v;
	}
	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int make_dirs(const char *path)
{
	char *copy = kdr_strdup(path);
	int rc = 0;

	for (char *p = copy + 1; *p && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(copy, 0755) != 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (rc == 0 && mkdir(copy, 0755) != 0 && errno != EEXIST)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "kdr backup: cannot create '%s': %s\n", copy, strerror(errno));
	free(copy);
	return rc;
}

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
	char *data_dir = kdr_asprintf("%s/data", dir);
	int exit_code = KDR_EXIT_OK;

	if (make_dirs(dir) != 0) {
		free(data_dir);
		return KDR_EXIT_ERROR;
	}
	nftw(data_dir, remove_data_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < files->n && exit_code == KDR_EXIT_OK; i++) {
		char *path = kdr_asprintf("%s/%s", dir, files->v[i].path);
		char *slash = strrchr(path, '/');

		*slash = 0;
		if (make_dirs(path) != 0)
			exit_code = KDR_EXIT_ERROR;
		*slash = '/';
		if (exit_code == KDR_EXIT_OK)
			exit_code = kdr_cli_write_file(path, files->v[i].data.ptr, files->v[i].data.len);
		free(path);
	}
	free(data_dir);
	return exit_code;
}

static int parse_size(size_t *out, const char *text)
{
	int64_t bytes = 0;

	if (kdr_parse_size_bytes(&bytes, text) != 0 || bytes <= 0)
		return -1;
	*out = (size_t)bytes;
	return 0;
}

struct backup_args {
	const char *out_dir, *data_regex;
	size_t max_bytes;
	bool commit;
};

static int backup_option(void *ctx, int opt, const char *arg, const struct kdr_cli_spec *spec)
{
	struct backup_args *a = ctx;

	switch (opt) {
	case OPT_OUT: a->out_dir = arg; return KDR_EXIT_OK;
	case OPT_DATA: a->data_regex = arg; return KDR_EXIT_OK;
	case OPT_MAX_BYTES:
		if (parse_size(&a->max_bytes, arg) != 0)
			return kdr_cli_usage_error(spec, "--max-bytes: '%s' is not a positive size (e.g. 64MiB, 1048576)", arg);
		return KDR_EXIT_OK;
	case OPT_COMMIT: a->commit = true; return KDR_EXIT_OK;
	}
	return -1;
}

int kdr_cmd_backup(int argc, char **argv)
{
	struct backup_args a = { .max_bytes = DEFAULT_MAX_BYTES };
	struct kdr_cli_args args;
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_dr_files files = { 0 };
	struct kdr_dr_partition_records *data = NULL;
	struct kdr_regex *data_re = NULL;
	struct kdr_dr_backup_info info = { 0 };
	struct kdr_executor_options exec = { 0 };
	const struct kdr_live_cluster *cl = NULL;
	const char *out_dir = NULL, *data_regex = NULL;
	size_t max_bytes = DEFAULT_MAX_BYTES, n_data = 0;
	bool commit = false;
	char when[32], commit_id[41] = "";
	char *message = NULL;
	int exit_code = KDR_EXIT_OK;

	exit_code = kdr_cli_parse(&args, &backup_spec, argc, argv, backup_option, &a);
	if (exit_code != KDR_EXIT_OK || args.help)
		goto cleanup;
	out_dir = a.out_dir;
	data_regex = a.data_regex;
	max_bytes = a.max_bytes;
	commit = a.commit;
	if (args.clusters.n != 1) {
		exit_code = kdr_cli_usage_error(&backup_spec, "--cluster: give exactly one cluster to back up");
		goto cleanup;
	}
	if (!out_dir) {
		exit_code = kdr_cli_usage_error(&backup_spec, "--out: the backup directory is required");
		goto cleanup;
	}
	if (data_regex && kdr_regex_compile(&data_re, data_regex) != 0) {
		exit_code = kdr_cli_usage_error(&backup_spec, "--data: %s", kdr_error_message());
		goto cleanup;
	}
	if ((exit_code = kdr_cli_source_load(&desired, &args.src)) != KDR_EXIT_OK)
		goto cleanup;
	/* The same read as kdr snapshot: Kafka (ACLs included), Connect, the groups with their offsets. */
	args.live.read_groups = KDR_READ_GROUPS_OFFSETS;
	/* librdkafka 2.0.2 reads a refused DescribeAcls as no binding: check an empty answer. */
	args.live.verify_acls = true;
	if ((exit_code = kdr_cli_read(&p, &desired, &args.live, &args.clusters)) != KDR_EXIT_OK)
		goto cleanup;
	cl = kdr_live_cluster_find(&p.live, args.clusters.v[0]);
	if (!cl) {
		fprintf(stderr, "kdr backup: cluster '%s' could not be read; nothing was written\n", args.clusters.v[0]);
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (!cl->groups_read || !cl->group_offsets_read) {
		fprintf(stderr, "kdr backup: cluster '%s': the consumer groups could not be read; nothing was written\n",
			args.clusters.v[0]);
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	/*
	 * A cluster without an authorizer has no ACLs to back up; ACLs that could
	 * not be read (refused, no answer) would be restored as none: refuse.
	 */
	if (!cl->acls_read && !cl->acls_no_authorizer) {
		fprintf(stderr, "kdr backup: cluster '%s': the ACLs could not be read (%s); nothing was written\n",
			args.clusters.v[0], cl->acls_error ? cl->acls_error : "unknown reason");
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (data_re) {
		exec.timeout_ms = args.live.timeout_ms;
		exec.resolver = kdr_cli_source_resolver();
		if (kdr_executor_dump_records(&data, &n_data, kdr_desired_cluster(&desired, args.clusters.v[0]), cl, data_re,
					      max_bytes, &exec) != 0) {
			fprintf(stderr, "kdr backup: --data: %s; nothing was written\n", kdr_error_message());
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
	}
	created_at(when);
	info.cluster = args.clusters.v[0];
	info.kdr_version = KDR_VERSION;
	info.created_at = when;
	info.data_regex = data_regex;
	kdr_dr_backup_render(&files, cl, &info, data, n_data);
	if ((exit_code = write_files(out_dir, &files)) != KDR_EXIT_OK)
		goto cleanup;
	printf("backup of cluster '%s' (id %s) written to %s: %zu file(s)\n", info.cluster,
	       cl->cluster_id ? cl->cluster_id : "?", out_dir, files.n);
	if (!cl->acls_read)
		fprintf(stderr, "kdr backup: cluster '%s': %s; acls.yaml holds none\n", info.cluster, cl->acls_error);
	if (cl->connect.read_error)
		fprintf(stderr, "kdr backup: cluster '%s': Connect not read (%s); connectors.json holds none\n",
			info.cluster, cl->connect.read_error);
	if (commit) {
		message = kdr_asprintf("kdr backup of cluster '%s' (id %s) at %s\n", info.cluster,
				       cl->cluster_id ? cl->cluster_id : "?", when);
		if (kdr_git_commit_dir(commit_id, out_dir, message) != 0) {
			fprintf(stderr, "kdr backup: --commit: %s: %s\n", out_dir, kdr_error_message());
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
		printf("committed %s: kdr backup of cluster '%s' at %s\n", commit_id, info.cluster, when);
	}
cleanup:
	for (size_t i = 0; i < n_data; i++)
		kdr_dr_partition_records_release(&data[i]);
	free(data);
	free(message);
	kdr_regex_free(data_re);
	kdr_dr_files_release(&files);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	kdr_cli_args_release(&args);
	return exit_code;
}
