#include <stdio.h>

#include "args.h"
#include "cli/confirm.h"
#include "render/render.h"

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

static int apply(struct kdr_cli_args *args, void *ctx)
{
	const struct apply_args *a = ctx;
	struct kdr_reconcile_result result = { 0 };
	struct kdr_pipeline *p = &result.run.p;
	int exit_code = kdr_cli_reconcile(&result, args);

	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	kdr_render_plan(&args->out, &p->plan, &args->desired, KDR_RENDER_TEXT);
	fwrite(args->out.ptr, 1, args->out.len, stdout);
	/* Printed: not held through the apply (~400 bytes per created topic). */
	kdr_buf_release(&args->out);
	if (a->reassignments_dir && kdr_cli_write_reassignments(&p->plan, a->reassignments_dir) != KDR_EXIT_OK) {
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (kdr_pipeline_plan_has_errors(p)) {
		fprintf(stderr, "kdr apply: the plan has errors (marked '!'); nothing was applied\n");
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (p->plan.n_actions &&
	    !kdr_cli_consent(&apply_spec, a->yes, "apply", "applied", "apply %zu action(s)", p->plan.n_actions)) {
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (p->plan.n_actions)
		exit_code = kdr_cli_apply(&result, "apply");
	/* Exit status rule (README): blocked items left for a human are pending, 2 (an error stays 1). */
	if (exit_code == KDR_EXIT_OK && p->plan.n_blocked > 0) {
		fprintf(stderr,
			"kdr apply: %zu blocked item(s) need a human (marked '!' above; kdr does not make these "
			"changes)\n",
			p->plan.n_blocked);
		exit_code = KDR_EXIT_CHANGES;
	}
cleanup:
	kdr_reconcile_result_release(&result);
	return exit_code;
}

int kdr_cmd_apply(int argc, char **argv)
{
	struct apply_args a = { 0 };

	return kdr_cli_command(
		&(struct kdr_cli_steps){ .spec = &apply_spec, .plan_file = true, .check = check_args, .run = apply },
		argc, argv, &a);
}
