#include <stdio.h>

#include "args.h"
#include "health/health.h"
#include "render/render.h"
#include "util/error.h"

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
	struct kdr_health health = { 0 };
	struct kdr_reconcile_result result = { 0 };
	/*
	 * A cluster or Connect that cannot be read is printed here and reported
	 * unreachable below; the plan of the same state marks connector drift
	 * and gives the topics' placement verdicts.
	 */
	int exit_code = kdr_cli_reconcile(&result, args);

	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	if (kdr_pipeline_reconcile_status(&health, &result) != 0) {
		fprintf(stderr, "kdr status: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (a->json)
		kdr_render_health_json(&args->out, &health);
	else
		kdr_render_health_text(&args->out, &health);
	fwrite(args->out.ptr, 1, args->out.len, stdout);
	exit_code = health.level == KDR_HEALTH_FAILED ? KDR_EXIT_ERROR : KDR_EXIT_OK;
cleanup:
	kdr_health_release(&health);
	kdr_reconcile_result_release(&result);
	return exit_code;
}

int kdr_cmd_status(int argc, char **argv)
{
	struct status_args a = { false };

	return kdr_cli_command(&(struct kdr_cli_steps){ .spec = &status_spec, .run = status }, argc, argv, &a);
}
