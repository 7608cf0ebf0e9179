/*
 * kdr backup: parses, then one run on the pipeline (kdr_pipeline_backup,
 * pkg/pipeline/backup.h: read the cluster as kdr snapshot does -> write the
 * backup, docs/backup-format.md) and its rendering.
 */
#include "args.h"
#include "pipeline/backup.h"
#include "result.h"
#include "util/error.h"
#include "util/regex.h"

struct backup_args {
	const char *out_dir, *data_regex;
	size_t max_bytes;
	bool commit;
	struct kdr_regex *data_re; /* --data compiled */
};

static const struct kdr_cli_option backup_options[] = {
	KDR_CLI_OPTION_CLUSTER("the cluster to back up (required; exactly one)"),
	{ "out", KDR_CLI_ARG(struct backup_args, out_dir), 'o', "BACKUP_DIR", "the backup directory (required; created, kdr's files in it replaced)" },
	{ "data", KDR_CLI_ARG(struct backup_args, data_regex), 0, "REGEX", "also dump the records of the topics REGEX matches in full" },
	{ "max-bytes", KDR_CLI_SIZE(struct backup_args, max_bytes), 0, "SIZE",
	  "bound on the dumped keys, values and headers (default 64MiB)" },
	{ "commit", KDR_CLI_TRUE(struct backup_args, commit), 0, NULL,
	  "commit the backup to the Git repository DIR is in (one is\ninitialised at DIR when there is none)" },
	KDR_CLI_OPTION_TIMEOUT("per request to the cluster (default 30s)"),
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec backup_spec = {
	KDR_CLI_DIR_COMMAND("backup", backup_options),
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
};

#define DEFAULT_MAX_BYTES ((size_t)64 << 20)

static int check(struct kdr_cli_args *args, void *ctx)
{
	struct backup_args *a = ctx;

	if (args->clusters.n != 1)
		return kdr_cli_usage_error(&backup_spec, "--cluster: give exactly one cluster to back up");
	if (a->data_regex && kdr_regex_compile(&a->data_re, a->data_regex) != 0)
		return kdr_cli_usage_error(&backup_spec, "--data: %s", kdr_error_message());
	return KDR_EXIT_OK;
}

static int backup(struct kdr_cli_args *args, void *ctx)
{
	const struct backup_args *a = ctx;
	struct kdr_backup_result result = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;
	int exit_code;

	kdr_pipeline_backup(&result, &args->desired, kdr_cli_pipeline_options(args),
			    &(struct kdr_backup_request){ .cluster = args->clusters.v[0], .out_dir = a->out_dir,
							  .data_re = a->data_re, .data_regex = a->data_regex,
							  .max_bytes = a->max_bytes, .kdr_version = KDR_VERSION,
							  .commit = a->commit });
	kdr_pipeline_backup_render(&out, &err, &result);
	kdr_cli_print(&out, &err);
	exit_code = kdr_cli_exit_status(result.run.outcome);
	kdr_backup_result_release(&result);
	return exit_code;
}

int kdr_cmd_backup(int argc, char **argv)
{
	struct backup_args a = { .max_bytes = DEFAULT_MAX_BYTES };
	int exit_code = kdr_cli_command(&(struct kdr_cli_steps){ .spec = &backup_spec, .check = check, .run = backup },
					argc, argv, &a);

	kdr_regex_free(a.data_re);
	return exit_code;
}
