/*
 * kdr failover: moves the consumer groups of a flow to its target with the
 * offsets MirrorMaker 2 translated (its checkpoints), after stopping the
 * flow's connectors. Load -> read the flow's clusters and decide
 * (kdr_pipeline_failover_run) -> ask -> commit and record
 * (kdr_pipeline_failover_finish), each half rendered (failover_text.c).
 */
#include <stdio.h>
#include <unistd.h>

#include "args.h"
#include "cli/confirm.h"
#include "pipeline/dr.h"
#include "result.h"
#include "util/error.h"
#include "util/regex.h"
#include "util/strvec.h"

struct failover_args {
	const char *flow;
	const char *groups_pattern;
	struct kdr_strvec groups;
	bool json, dry_run, force, yes, commit;
	struct kdr_regex *groups_re; /* --groups compiled */
};

static const struct kdr_cli_option failover_options[] = {
	{ "flow", KDR_CLI_ARG(struct failover_args, flow), 0, "F", "the ReplicationFlow to fail over (required)" },
	{ "group", KDR_CLI_LIST(struct failover_args, groups), 0, "G",
	  "only this group (repeatable); default: every checkpointed group\nthe flow's group filter accepts" },
	{ "groups", KDR_CLI_ARG(struct failover_args, groups_pattern), 0, "REGEX", "only groups matching REGEX (full match)" },
	{ "dry-run", KDR_CLI_TRUE(struct failover_args, dry_run), 0, NULL, "stop nothing, commit nothing: print what would be done" },
	{ "force", KDR_CLI_TRUE(struct failover_args, force), 0, NULL,
	  "also move groups backwards (current offset ahead of the checkpoint)" },
	{ "commit", KDR_CLI_TRUE(struct failover_args, commit), 0, NULL, "write the record of the failover into the source (see above)" },
	{ "yes", KDR_CLI_TRUE(struct failover_args, yes), 'y', NULL, "commit without asking" },
	{ "format", KDR_CLI_JSON(struct failover_args, json), 'f', "FORMAT", "text (default) or json" },
	KDR_CLI_OPTION_TIMEOUT("per request to the clusters and Connect (default 30s)"),
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec failover_spec = {
	KDR_CLI_DIR_COMMAND("failover", failover_options),
	.description =
		"Fails the consumer groups of ReplicationFlow F over to its target cluster: (1) stops the flow's\n"
		"source and checkpoint connectors on the target's Connect, if it answers (a dead source DC does\n"
		"not block); (2) reads MM2's checkpoints (<source>.checkpoints.internal on the target), the latest\n"
		"per group and partition; (3) commits the translated offsets to the groups on the target, for the\n"
		"remote topics. A group is never moved backwards (unless --force), and a group with active members\n"
		"on the target is refused. Prints group/topic/partition/checkpoint/current/new and, when the source\n"
		"is readable, the records at risk (on the source, not yet on the target). Running it twice changes\n"
		"nothing the second time. The failover is recorded in the desired state as spec.suspended: true and\n"
		"spec.failedOver: <UTC time> on the flow: with --commit written there (a Git source: a commit on the\n"
		"branch of --ref, pushed for a remote; a directory: the file rewritten; --k8s: the ReplicationFlow\n"
		"patched), else printed as a patch. While recorded, apply/run neither resume nor recreate the flow's\n"
		"connectors nor create the topics it mirrors on its source (blocked: failed-over): docs/runbook.md.\n"
		"Exit status: 0 done (or nothing to do), 1 a group refused, a commit failed, the target or its\n"
		"checkpoints unreadable; 64 usage error.",
};

/* Why the offsets are not committed without --yes: NULL when the terminal answered yes. */
static const char *declined(size_t groups)
{
	if (!isatty(STDIN_FILENO))
		return "stdin is not a terminal: pass --yes";
	return kdr_cli_confirm("commit the offsets of %zu group(s)", groups) ? NULL : "not confirmed";
}

static int check(struct kdr_cli_args *args, void *ctx)
{
	struct failover_args *a = ctx;

	(void)args;
	if (a->groups_pattern && kdr_regex_compile(&a->groups_re, a->groups_pattern) != 0)
		return kdr_cli_usage_error(&failover_spec, "--groups: %s", kdr_error_message());
	return KDR_EXIT_OK;
}

static int failover(struct kdr_cli_args *args, void *ctx)
{
	const struct failover_args *a = ctx;
	/* The source opened by the load: where --commit records. */
	struct kdr_failover_request req = { .flow_name = a->flow, .groups = (const char *const *)a->groups.v,
					    .n_groups = a->groups.n, .groups_re = a->groups_re, .force = a->force,
					    .dry_run = a->dry_run, .commit = a->commit, .source = &args->source };
	struct kdr_failover_outcome fo = { 0 };
	struct kdr_output o = KDR_OUTPUT_INIT;
	int exit_code;

	/* The flow's two clusters, with the consumer groups; an unreadable source is only reported. */
	args->live.read_groups = KDR_READ_GROUPS_OFFSETS;
	kdr_pipeline_failover_run(&fo, &args->desired, kdr_cli_pipeline_options(args), &req);
	kdr_pipeline_failover_render_decision(&o, &fo, &req, a->json);
	kdr_output_write(&o, stdout, stderr);
	if (!fo.run.error) {
		if (fo.to_commit && !a->dry_run && !a->yes)
			req.declined = declined(fo.to_commit);
		kdr_pipeline_failover_finish(&fo, &req);
		kdr_pipeline_failover_render_finish(&o, &fo, &req);
		kdr_output_write(&o, stdout, stderr);
	}
	exit_code = kdr_cli_exit_status(fo.run.outcome);
	kdr_output_release(&o);
	kdr_failover_outcome_release(&fo);
	return exit_code;
}

int kdr_cmd_failover(int argc, char **argv)
{
	struct failover_args a = { .groups = KDR_STRVEC_INIT };
	int exit_code = kdr_cli_command(
		&(struct kdr_cli_steps){ .spec = &failover_spec, .check = check, .run = failover }, argc, argv, &a);

	kdr_regex_free(a.groups_re);
	kdr_strvec_release(&a.groups);
	return exit_code;
}
