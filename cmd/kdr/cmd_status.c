/* kdr status: parses, then one run on the pipeline (kdr_pipeline_status_run) and its rendering. */
#include "args.h"
#include "result.h"

struct status_args {
	bool json;
};

static const struct kdr_cli_option status_options[] = {
	{ "format", KDR_CLI_JSON(struct status_args, json), 'f', "FORMAT", "text (default) or json" },
	KDR_CLI_OPTION_CLUSTER("only flows from or to cluster C, and read only C (repeatable)"),
	KDR_CLI_OPTION_OFFLINE("report on a snapshot file (kdr snapshot) instead of the clusters"),
	KDR_CLI_OPTION_TIMEOUT(KDR_CLI_TIMEOUT_HELP),
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec status_spec = {
	KDR_CLI_DIR_COMMAND("status", status_options),
	.description = "Reports the health of every ReplicationFlow: its connectors and tasks as Kafka Connect\n"
		       "reports them (with the first lines of failed tasks' traces), which of its mirrored\n"
		       "source topics have their remote topic on the target, each flow's replication lag (records,\n"
		       "RPO estimate, heartbeat age, per topic: the figures of kdr lag; not with --offline), and\n"
		       "the placement violations and DC-loss verdicts of existing declared topics. Changes nothing.\n"
		       "Exit status: 0 every flow healthy (warnings allowed), 1 a connector or task FAILED,\n"
		       "missing or paused while it should run, or a cluster or Connect unreachable; 64 usage error.",
};

static int status(struct kdr_cli_args *args, void *ctx)
{
	const struct status_args *a = ctx;
	struct kdr_status_result result = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;
	int exit_code;

	kdr_pipeline_status_run(&result, &args->desired, kdr_cli_pipeline_options(args));
	kdr_pipeline_status_render(&out, &err, &result, a->json);
	kdr_cli_print(&out, &err);
	exit_code = result.reconcile.misuse ? KDR_EXIT_USAGE : kdr_cli_exit_status(result.reconcile.run.outcome);
	kdr_status_result_release(&result);
	return exit_code;
}

int kdr_cmd_status(int argc, char **argv)
{
	struct status_args a = { false };

	return kdr_cli_command(&(struct kdr_cli_steps){ .spec = &status_spec, .run = status }, argc, argv, &a);
}
