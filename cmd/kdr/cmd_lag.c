/*
 * kdr lag: how far a flow's target is behind its source, per mirrored
 * partition, with an RPO estimate. Parses, then one run on the pipeline
 * (kdr_pipeline_lag_run, pkg/pipeline/lag.c: read -> plan -> measure) and
 * its rendering.
 */
#include "args.h"
#include "result.h"

struct lag_args {
	const char *flow;
	int64_t max_rpo;
	bool json;
};

static const struct kdr_cli_option lag_options[] = {
	{ "flow", KDR_CLI_ARG(struct lag_args, flow), 0, "F", "the ReplicationFlow (required)" },
	{ "max-rpo", KDR_CLI_MS(struct lag_args, max_rpo), 0, "DURATION", "alert threshold (default 5s)" },
	{ "format", KDR_CLI_JSON(struct lag_args, json), 'f', "FORMAT", "text (default) or json" },
	KDR_CLI_OPTION_TIMEOUT(KDR_CLI_TIMEOUT_HELP),
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec lag_spec = {
	KDR_CLI_DIR_COMMAND("lag", lag_options),
	.description =
		"Reports ReplicationFlow F's replication lag: per mirrored partition the source's log-end offset,\n"
		"the next source offset not yet on the target (from MM2's latest offset-sync and the remote\n"
		"topic's log end), the lag in records, and the age of the oldest record not yet replicated (an\n"
		"RPO estimate from its timestamp); totals per topic; the age of the newest heartbeat on the target.\n"
		"An RPO that cannot be estimated while records are behind counts as over the threshold.\n"
		"Exit status: 0 every RPO estimate within --max-rpo, 1 one is over (or unknown), or the flow's\n"
		"clusters cannot be read; 64 usage error.",
};

static int lag(struct kdr_cli_args *args, void *ctx)
{
	const struct lag_args *a = ctx;
	struct kdr_lag_result result = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;
	int exit_code;

	kdr_pipeline_lag_run(&result, &args->desired, kdr_cli_pipeline_options(args), a->flow, a->max_rpo);
	kdr_pipeline_lag_render(&out, &err, &result, a->json);
	kdr_cli_print(&out, &err);
	exit_code = kdr_cli_exit_status(result.run.outcome);
	kdr_lag_result_release(&result);
	return exit_code;
}

int kdr_cmd_lag(int argc, char **argv)
{
	struct lag_args a = { .max_rpo = 5000 };

	return kdr_cli_command(&(struct kdr_cli_steps){ .spec = &lag_spec, .run = lag }, argc, argv, &a);
}
