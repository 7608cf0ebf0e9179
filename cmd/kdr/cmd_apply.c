/*
 * kdr apply: parses, then one run on the pipeline (kdr_pipeline_apply_run:
 * read -> plan or a saved plan -> --reassignments -> refusals -> apply) and
 * its rendering; the confirmation is asked between the plan and the apply.
 */
#include <stdio.h>

#include "args.h"
#include "cli/confirm.h"
#include "result.h"
#include "util/output.h"

struct apply_args {
	bool yes;
	bool allow_delete;
	bool validate_only;
	const char *source_dir;
	const char *reassignments_dir;
};

static const struct kdr_cli_option apply_options[] = {
	{ "yes", KDR_CLI_TRUE(struct apply_args, yes), 'y', NULL, "apply without asking" },
	{ "allow-delete", KDR_CLI_TRUE(struct apply_args, allow_delete), 0, NULL,
	  "carry out the deletions of 'prune: true' policies" },
	{ "validate-only", KDR_CLI_TRUE(struct apply_args, validate_only), 0, NULL,
	  "ask the brokers to check the changes without making them" },
	KDR_CLI_OPTION_CLUSTER("apply only to cluster C (repeatable)"),
	KDR_CLI_OPTION_OFFLINE("apply to a snapshot file instead of the clusters"),
	KDR_CLI_OPTION_TIMEOUT(KDR_CLI_TIMEOUT_HELP),
	KDR_CLI_OPTION_REASSIGNMENTS(KDR_CLI_ARG(struct apply_args, reassignments_dir)),
	{ "source", KDR_CLI_ARG(struct apply_args, source_dir), 0, "DIR",
	  "with PLAN.json: the documents declaring the clusters (default '.')" },
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec apply_spec = {
	.program = "kdr",
	.command = "apply",
	.args = "[DIR | PLAN.json]",
	.description = "Plans like 'kdr plan', prints the plan, asks for confirmation on a terminal (unless\n"
		       "--yes), then applies it in order and reports each action's result. Safe to run twice:\n"
		       "the second run finds nothing to do.\n"
		       "With --offline the snapshot file stands in for the clusters: the plan is applied to\n"
		       "it as Kafka would apply it, and the file is rewritten.\n"
		       "Given a plan saved by 'kdr plan --out PLAN.json', applies exactly that plan, and refuses\n"
		       "(nothing applied) when the live state it was computed from has changed since. The\n"
		       "clusters' connection settings and secrets come from the documents in --source.\n"
		       "Exit status: 0 success or nothing to do, 1 any action failed or a plan-time error\n"
		       "(nothing applied), 2 applied but blocked items are left for a human, 64 usage error.",
	.table = apply_options,
};

/* The combinations a saved plan and --offline exclude; a usage error (printed) or KDR_EXIT_OK. */
static int check_args(struct kdr_cli_args *args, void *ctx)
{
	const struct apply_args *a = ctx;

	if (a->source_dir && !args->file)
		return kdr_cli_usage_error(&apply_spec, "--source is only for a saved PLAN.json; give the directory as the "
							"argument");
	if (args->file && !args->src.git_url)
		args->src.dir = a->source_dir ? a->source_dir : ".";
	if (a->validate_only && args->live.snapshot_path)
		return kdr_cli_usage_error(&apply_spec, "--validate-only needs the brokers; it cannot be combined with "
							"--offline");
	if (args->file && a->allow_delete)
		return kdr_cli_usage_error(&apply_spec, "--allow-delete has no meaning with a saved plan: the plan already "
							"says what it deletes");
	args->live.allow_delete = a->allow_delete;
	args->live.validate_only = a->validate_only;
	return KDR_EXIT_OK;
}

/* The confirmation: asked once the plan is on the terminal. */
struct consent {
	bool yes, plan_shown;
};

static void show_plan(struct consent *c, const struct kdr_apply_result *result)
{
	struct kdr_output o = KDR_OUTPUT_INIT;

	kdr_pipeline_apply_render_plan(&o, result);
	kdr_output_write(&o, stdout, stderr);
	kdr_output_release(&o);
	c->plan_shown = true;
}

static int ask(void *ctx, const struct kdr_apply_result *so_far)
{
	struct consent *c = ctx;

	show_plan(c, so_far);
	return kdr_cli_consent(&apply_spec, c->yes, "apply", "applied", "apply %zu action(s)",
			       so_far->reconcile.run.p.plan.n_actions)
		       ? KDR_EXIT_OK
		       : KDR_EXIT_ERROR;
}

static int apply(struct kdr_cli_args *args, void *ctx)
{
	const struct apply_args *a = ctx;
	struct kdr_apply_result result = { 0 };
	struct kdr_output o = KDR_OUTPUT_INIT;
	struct consent consent = { .yes = a->yes };
	int exit_code;

	kdr_pipeline_apply_run(&result, &args->desired, kdr_cli_pipeline_options(args),
			       &(struct kdr_apply_request){ .saved_path = args->file,
							    .reassignments_dir = a->reassignments_dir,
							    .consent = ask, .consent_ctx = &consent });
	if (!consent.plan_shown)
		show_plan(&consent, &result);
	kdr_pipeline_apply_render_finish(&o, &result);
	kdr_output_write(&o, stdout, stderr);
	exit_code = result.reconcile.misuse ? KDR_EXIT_USAGE : kdr_cli_exit_status(result.reconcile.run.outcome);
	kdr_output_release(&o);
	kdr_apply_result_release(&result);
	return exit_code;
}

int kdr_cmd_apply(int argc, char **argv)
{
	struct apply_args a = { 0 };

	return kdr_cli_command(
		&(struct kdr_cli_steps){ .spec = &apply_spec, .plan_file = true, .check = check_args, .run = apply },
		argc, argv, &a);
}
