/*
 * kdr failback: the way back after `kdr failover`, one step per run, taken
 * from what the desired state records (the three steps: the help below and
 * kdr_pipeline_failback in pkg/pipeline/failback.c). This parses, takes the
 * step and prints its outcome (failback_text.c).
 */
#include <stdio.h>

#include "args.h"
#include "pipeline/dr.h"
#include "result.h"

struct failback_args {
	const char *flow;
	bool commit, dry_run;
	int64_t max_rpo;
	enum kdr_dr_untranslatable untranslatable;
};

static const struct kdr_cli_option failback_options[] = {
	{ "flow", KDR_CLI_ARG(struct failback_args, flow), 0, "F", "the failed-over ReplicationFlow (required)" },
	{ "commit", KDR_CLI_TRUE(struct failback_args, commit), 0, NULL,
	  "write the step into the source (see above); without it, print it" },
	{ "dry-run", KDR_CLI_TRUE(struct failback_args, dry_run), 0, NULL, "print the step, write nothing (the default without --commit)" },
	{ "max-rpo", KDR_CLI_MS(struct failback_args, max_rpo), 0, "DURATION",
	  "step 2: the reverse flow has caught up when every RPO estimate is\n"
	  "within it (default 5s, as kdr lag)" },
	{ "untranslatable", KDR_CLI_ENUM(struct failback_args, untranslatable, kdr_dr_untranslatable_names), 0,
	  "refuse|earliest",
	  "\nstep 3, a group position no offset-sync proves: refuse (default: not\n"
	  "moved, F not restored, exit 1) or earliest (commit the source\n"
	  "partition's log start: at-least-once, every record still there may be\n"
	  "read again; the table says how many)" },
	KDR_CLI_OPTION_TIMEOUT("for reading the clusters (steps 2 and 3)"),
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec failback_spec = {
	KDR_CLI_DIR_COMMAND("failback", failback_options),
	.description =
		"Takes the next step back after `kdr failover --flow F`, from what the desired state records:\n"
		"  1. F failed over (spec.failedOver), no reverse flow: declares ReplicationFlow F-failback (F's\n"
		"     target -> F's source, F's topic and group filters) in F-failback.yaml next to F's file, so the\n"
		"     records written on the standby reach the primary. Then: kdr apply.\n"
		"  2. F-failback declared, not failed over: measures F-failback's lag (as kdr lag does) and says\n"
		"     whether it has caught up (every RPO estimate within --max-rpo); then what to do: stop the\n"
		"     consumers on the standby, `kdr failover --flow F-failback --yes --commit` (their offsets\n"
		"     translated back by MM2's checkpoints of the reverse flow), then kdr failback again.\n"
		"  3. F-failback failed over: moves the groups that read F's source topics on the standby (the\n"
		"     remote topics) back onto the source's topics, translated by F's offset-syncs, then restores F\n"
		"     (spec.suspended: false, spec.failedOver removed) and removes F-failback. Then: kdr apply\n"
		"     (resumes F's connectors, deletes F-failback's, creates the topics F mirrors on its source).\n"
		"     A position no offset-sync proves (MM2 skips and compacts syncs) stops step 3, unless\n"
		"     --untranslatable earliest places it at the source partition's log start.\n"
		"Active-active: when the topology already has a flow from F's target to F's source (the first by\n"
		"name), that flow is the reverse flow: step 1 is skipped, and step 3 clears its failover record\n"
		"(suspended: false, failedOver removed) instead of removing it.\n"
		"Each step is written with --commit (a Git source: one commit on the branch of --ref; a directory:\n"
		"the files; --k8s: the ReplicationFlows patched), else printed. Running a step twice changes nothing.\n"
		"Exit status: 0 a step recorded (or nothing to fail back), 1 an error (step 3: a group not moved\n"
		"back, F not restored), 2 step 2: pending (the reverse flow catching up, or the operator's\n"
		"failover); 64 usage error.",
};

static int check(struct kdr_cli_args *args, void *ctx)
{
	const struct failback_args *a = ctx;

	(void)args;
	if (a->commit && a->dry_run)
		return kdr_cli_usage_error(&failback_spec, "--commit and --dry-run exclude each other");
	return KDR_EXIT_OK;
}

static int failback(struct kdr_cli_args *args, void *ctx)
{
	const struct failback_args *a = ctx;
	/* The source opened by the load: where --commit records. */
	struct kdr_failback_request req = { .flow_name = a->flow, .source = &args->source, .commit = a->commit,
					    .max_rpo_ms = a->max_rpo, .untranslatable = a->untranslatable };
	struct kdr_failback_outcome fb = { 0 };
	struct kdr_output o = KDR_OUTPUT_INIT;
	int exit_code;

	kdr_pipeline_failback(&fb, &args->desired, kdr_cli_pipeline_options(args), &req); /* a failure is rendered */
	kdr_pipeline_failback_render(&o, &fb, &req);
	kdr_output_write(&o, stdout, stderr);
	exit_code = kdr_cli_exit_status(fb.run.outcome);
	kdr_output_release(&o);
	kdr_failback_outcome_release(&fb);
	return exit_code;
}

int kdr_cmd_failback(int argc, char **argv)
{
	struct failback_args a = { .max_rpo = 5000 };

	return kdr_cli_command(&(struct kdr_cli_steps){ .spec = &failback_spec, .check = check, .run = failback },
			       argc, argv, &a);
}
