/*
 * kdr plan: parses, loads --base's change, then one run on the pipeline
 * (kdr_pipeline_plan_run: read -> plan -> --out -> --reassignments -> the
 * outcome) and its rendering.
 */
#include <stdio.h>

#include "args.h"
#include "diff/diff.h"
#include "render/render.h"
#include "result.h"
#include "util/error.h"
#include "util/output.h"

struct plan_args {
	enum kdr_render_format format;
	const char *save_path;
	const char *reassignments_dir;
	const char *base_ref;
	bool detailed;
	bool allow_delete;
};

static const struct kdr_cli_option plan_options[] = {
	{ "format", KDR_CLI_ENUM(struct plan_args, format, kdr_render_format_names), 'f', "FORMAT",
	  "text (default), markdown (a PR comment) or json" },
	KDR_CLI_OPTION_CLUSTER("plan only cluster C (repeatable)"),
	KDR_CLI_OPTION_OFFLINE("plan against a snapshot file (kdr snapshot) instead of the clusters"),
	{ "out", KDR_CLI_ARG(struct plan_args, save_path), 'o', "FILE",
	  "also save the plan as JSON, for 'kdr apply FILE'" },
	{ "detailed-exitcode", KDR_CLI_TRUE(struct plan_args, detailed), 0, NULL,
	  "exit 2 when there are changes, 0 when none" },
	{ "allow-delete", KDR_CLI_TRUE(struct plan_args, allow_delete), 0, NULL,
	  "include the deletions of 'prune: true' policies as actions" },
	KDR_CLI_OPTION_TIMEOUT(KDR_CLI_TIMEOUT_HELP),
	KDR_CLI_OPTION_REASSIGNMENTS(KDR_CLI_ARG(struct plan_args, reassignments_dir)),
	{ "base", KDR_CLI_ARG(struct plan_args, base_ref), 0, "REF",
	  "with --git: also show the desired-state change from REF to --ref\n"
	  "(a pull request: --git . --ref HEAD --base origin/main)" },
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec plan_spec = {
	KDR_CLI_DIR_COMMAND("plan", plan_options),
	.description = "Reads the desired state from DIR (default '.') or Git, reads the live clusters (or a snapshot\n"
		       "file), and prints what apply would change. Changes nothing.\n"
		       "Exit status: 0 success, 1 error (invalid source, unreachable cluster, plan-time error),\n"
		       "2 changes pending (only with --detailed-exitcode), 64 usage error.",
};

/* The desired-state change from --base to the source, shown with the plan; connecting uses the base's settings. */
static int load_base(struct kdr_desired_diff *change, size_t *base_connections, struct kdr_desired *desired,
		     const struct kdr_source_selection *src, const char *base_ref)
{
	struct kdr_desired base = { 0 };
	int exit_code = kdr_cli_source_load_ref(&base, src, base_ref);

	if (exit_code == KDR_EXIT_OK && kdr_diff_desired(change, &base, desired) != 0) {
		fprintf(stderr, "kdr plan: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
	}
	if (exit_code == KDR_EXIT_OK)
		*base_connections = kdr_desired_use_base_connections(desired, &base);
	kdr_desired_release(&base);
	return exit_code;
}

static int check(struct kdr_cli_args *args, void *ctx)
{
	const struct plan_args *a = ctx;

	if (a->base_ref && !args->src.git_url)
		return kdr_cli_usage_error(&plan_spec, "--base needs --git (it names a commit of the repository)");
	return KDR_EXIT_OK;
}

static int plan(struct kdr_cli_args *args, void *ctx)
{
	const struct plan_args *a = ctx;
	struct kdr_desired_diff change = { 0 };
	struct kdr_plan_result result = { 0 };
	struct kdr_output o = KDR_OUTPUT_INIT;
	struct kdr_plan_request req = { .save_path = a->save_path, .reassignments_dir = a->reassignments_dir,
					.changes_pending = a->detailed, .format = a->format,
					.change = a->base_ref ? &change : NULL };
	int exit_code = a->base_ref ? load_base(&change, &req.base_connections, &args->desired, &args->src, a->base_ref)
				    : KDR_EXIT_OK;

	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	args->live.allow_delete = a->allow_delete;
	kdr_pipeline_plan_run(&result, &args->desired, kdr_cli_pipeline_options(args), &req);
	kdr_pipeline_plan_render(&o, &result, &req);
	kdr_output_write(&o, stdout, stderr);
	exit_code = result.reconcile.misuse ? KDR_EXIT_USAGE : kdr_cli_exit_status(result.reconcile.run.outcome);
cleanup:
	kdr_output_release(&o);
	kdr_plan_result_release(&result);
	kdr_desired_diff_release(&change);
	return exit_code;
}

int kdr_cmd_plan(int argc, char **argv)
{
	struct plan_args a = { .format = KDR_RENDER_TEXT };

	return kdr_cli_command(&(struct kdr_cli_steps){ .spec = &plan_spec, .check = check, .run = plan }, argc, argv,
			       &a);
}
