#include <stdio.h>

#include "args.h"
#include "result.h"
#include "live/live.h"

struct snapshot_args {
	const char *out_path;
};

static const struct kdr_cli_option snapshot_options[] = {
	KDR_CLI_OPTION_CLUSTER("only cluster C (repeatable)"),
	{ "out", KDR_CLI_ARG(struct snapshot_args, out_path), 'o', "FILE", "write to FILE instead of stdout" },
	KDR_CLI_OPTION_TIMEOUT(KDR_CLI_TIMEOUT_HELP),
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec snapshot_spec = {
	KDR_CLI_DIR_COMMAND("snapshot", snapshot_options),
	.description = "Reads the live state of the clusters declared in DIR (default '.'; all, or the\n"
		       "--cluster ones) and prints it as a snapshot (docs/snapshot-format.md), the file\n"
		       "'kdr plan --offline' reads. Secret values are never included.\n"
		       "Exit status: 0 success, 1 a cluster could not be read, 64 usage error.",
};

static int snapshot(struct kdr_cli_args *args, void *ctx)
{
	const struct snapshot_args *a = ctx;
	struct kdr_pipeline_result run = { 0 };
	struct kdr_buf err = KDR_BUF_INIT;
	int exit_code = KDR_EXIT_ERROR;
	bool read = kdr_pipeline_snapshot_run(&run, &args->desired, kdr_cli_pipeline_options(args)) == 0;

	kdr_pipeline_result_render_read(&err, &run);
	kdr_cli_print_err(&err);
	if (read) {
		kdr_live_to_json(&args->out, &run.p.live);
		exit_code = kdr_cli_write_file(a->out_path, args->out.ptr, args->out.len);
	}
	if (exit_code == KDR_EXIT_OK)
		exit_code = kdr_cli_exit_status(run.outcome);
	kdr_pipeline_result_release(&run);
	return exit_code;
}

int kdr_cmd_snapshot(int argc, char **argv)
{
	struct snapshot_args a = { .out_path = "-" };

	return kdr_cli_command(&(struct kdr_cli_steps){ .spec = &snapshot_spec, .run = snapshot }, argc, argv, &a);
}
