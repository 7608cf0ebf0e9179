/*
 * kdr failover: moves the consumer groups of a flow to its target with the
 * offsets MirrorMaker 2 translated (its checkpoints), after stopping the
 * flow's connectors. The same load -> validate -> read live path as plan
 * and status, then kdr_pipeline_failover (pkg/pipeline/failover.c); this
 * parses, asks, prints and records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "dr/dr.h"
#include "pipeline/dr.h"
#include "record.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/regex.h"
#include "util/strvec.h"

enum {
	OPT_FORMAT = 'f',
	OPT_HELP = 'h',
	OPT_YES = 'y',
	OPT_FLOW = 3000,
	OPT_GROUP,
	OPT_GROUPS,
	OPT_DRY_RUN,
	OPT_FORCE,
	OPT_COMMIT,
};

static const struct option failover_options[] = {
	{ "flow", required_argument, NULL, OPT_FLOW },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "groups", required_argument, NULL, OPT_GROUPS },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "commit", no_argument, NULL, OPT_COMMIT },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "timeout", required_argument, NULL, KDR_OPT_TIMEOUT },
	KDR_CLI_SOURCE_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec failover_spec = {
	.command = "failover",
	.usage = "kdr failover [DIR | --git URL [--ref R] [--path P]] --flow F [--group G]... [--groups REGEX]\n"
		 "                    [--dry-run] [--force] [--commit] [--yes] [--format text|json] [--timeout 30s]",
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
	.options_help = "      --flow F            the ReplicationFlow to fail over (required)\n"
			"      --group G           only this group (repeatable); default: every checkpointed group\n"
			"                          the flow's group filter accepts\n"
			"      --groups REGEX      only groups matching REGEX (full match)\n"
			"      --dry-run           stop nothing, commit nothing: print what would be done\n"
			"      --force             also move groups backwards (current offset ahead of the checkpoint)\n"
			"      --commit            write the record of the failover into the source (see above)\n"
			"  -y, --yes               commit without asking\n"
			"  -f, --format FORMAT     text (default) or json\n"
			"      --timeout DURATION  per request to the clusters and Connect (default 30s)\n"
			KDR_CLI_SOURCE_HELP,
	.options = failover_options,
	.short_options = "f:yh",
};

/*
 * Records the failover in the desired state (spec.suspended: true and
 * spec.failedOver: the time; an earlier time is kept, so a second run records
 * nothing), or prints the patch. Returns an enum kdr_exit.
 */
static int record_failover(const struct kdr_cli_source *src, const struct kdr_desired *desired,
			   const struct kdr_flow *flow, bool commit, bool dry_run, size_t committed_groups)
{
	char now[21] = "";
	struct kdr_dr_step_record rec;
	bool changed = false;
	int exit_code = KDR_EXIT_OK;

	kdr_cli_utc_now(now);
	kdr_pipeline_failover_record(&rec, flow, now, committed_groups);
	if (flow->suspended && flow->failed_over) {
		fprintf(stderr, "kdr failover: the failover of flow '%s' is recorded (spec.failedOver: %s)\n",
			flow->meta.name, flow->failed_over);
	} else if (!commit || dry_run) {
		fprintf(stderr,
			"\nkdr failover: %s the failover in the desired state (--commit writes it), or `kdr apply`/`kdr run`\n"
			"would resume the stopped connectors of flow '%s' and re-create its topics on '%s':\n"
			"  %s%s%u: ReplicationFlow '%s': set\n"
			"    spec:\n"
			"      suspended: true\n"
			"      failedOver: %s\n",
			dry_run ? "then record" : "record", flow->meta.name, flow->source,
			flow->meta.file ? flow->meta.file : flow->meta.object_ref, flow->meta.file ? ":" : "",
			flow->meta.line, flow->meta.name, rec.failed_over);
	} else {
		exit_code = kdr_cli_record(&changed, src, desired, &rec.change, rec.message, "kdr failover");
		if (exit_code == KDR_EXIT_OK && !changed)
			fprintf(stderr, "kdr failover: the failover of flow '%s' was already recorded\n", flow->meta.name);
	}
	kdr_dr_step_record_release(&rec);
	return exit_code;
}

struct failover_args {
	const char *flow;
	const char *groups_pattern;
	struct kdr_strvec groups;
	bool json, dry_run, force, yes, commit;
};

static int failover_option(void *ctx, int opt, const char *arg, const struct kdr_cli_spec *spec)
{
	struct failover_args *a = ctx;

	switch (opt) {
	case OPT_FLOW: a->flow = arg; return KDR_EXIT_OK;
	case OPT_GROUP: kdr_strvec_push(&a->groups, arg); return KDR_EXIT_OK;
	case OPT_GROUPS: a->groups_pattern = arg; return KDR_EXIT_OK;
	case OPT_DRY_RUN: a->dry_run = true; return KDR_EXIT_OK;
	case OPT_FORCE: a->force = true; return KDR_EXIT_OK;
	case OPT_COMMIT: a->commit = true; return KDR_EXIT_OK;
	case OPT_YES: a->yes = true; return KDR_EXIT_OK;
	case OPT_FORMAT: return kdr_cli_format_json(&a->json, spec, arg);
	}
	return -1;
}

/* What stopping the flow's connectors left, and what the steps up to the decision warned about. */
static void print_progress(const struct kdr_failover_outcome *fo)
{
	for (size_t i = 0; i < fo->n_stops; i++) {
		if (fo->stops[i].code == 0)
			fprintf(stderr, "kdr failover: connector '%s' on '%s': stopped\n", fo->stops[i].connector,
				fo->stops[i].cluster);
		else
			fprintf(stderr, "kdr failover: connector '%s' on '%s': not stopped (%s); going on\n",
				fo->stops[i].connector, fo->stops[i].cluster, fo->stops[i].message);
	}
	for (size_t i = 0; i < fo->warnings.n; i++)
		fprintf(stderr, "kdr failover: %s\n", fo->warnings.v[i]);
}

int kdr_cmd_failover(int argc, char **argv)
{
	struct failover_args a = { .groups = KDR_STRVEC_INIT };
	struct kdr_cli_args args;
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_strvec errors = KDR_STRVEC_INIT;
	struct kdr_failover_request req = { 0 };
	struct kdr_failover_outcome fo = { 0 };
	struct kdr_regex *groups_re = NULL;
	struct kdr_buf out = KDR_BUF_INIT;
	const struct kdr_flow *flow = NULL;
	int rc = 0, exit_code = kdr_cli_parse(&args, &failover_spec, argc, argv, failover_option, &a);

	if (exit_code != KDR_EXIT_OK || args.help)
		goto cleanup;
	if (!a.flow) {
		exit_code = kdr_cli_usage_error(&failover_spec, "--flow F is required");
		goto cleanup;
	}
	if (a.groups_pattern && kdr_regex_compile(&groups_re, a.groups_pattern) != 0) {
		exit_code = kdr_cli_usage_error(&failover_spec, "--groups: %s", kdr_error_message());
		goto cleanup;
	}
	if ((exit_code = kdr_cli_source_load(&desired, &args.src)) != KDR_EXIT_OK)
		goto cleanup;
	if (!(flow = kdr_cli_flow(&desired, a.flow, &failover_spec))) {
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	/* The flow's two clusters, with the consumer groups; an unreadable source is only reported. */
	args.live.read_groups = KDR_READ_GROUPS_OFFSETS;
	if ((exit_code = kdr_cli_read_flow(&p, &desired, &args, flow)) != KDR_EXIT_OK)
		goto cleanup;
	req.flow = flow;
	req.groups = (const char *const *)a.groups.v;
	req.n_groups = a.groups.n;
	req.groups_re = groups_re;
	req.force = a.force;
	req.dry_run = a.dry_run;
	rc = kdr_pipeline_failover(&fo, &p, &req);
	print_progress(&fo);
	if (rc != 0) {
		fprintf(stderr, "kdr failover: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (a.json)
		kdr_dr_failover_render_json(&out, &fo.plan, a.dry_run);
	else
		kdr_dr_failover_render_text(&out, &fo.plan, a.dry_run);
	fwrite(out.ptr, 1, out.len, stdout);
	fflush(stdout);
	for (size_t i = 0; i < fo.lockouts.n; i++)
		fprintf(stderr, "kdr failover: warning: %s\n", fo.lockouts.v[i]);
	if (!a.dry_run && fo.to_commit) {
		if (!a.yes &&
		    (!isatty(STDIN_FILENO) || !kdr_cli_confirm("commit the offsets of %zu group(s)", fo.to_commit))) {
			fprintf(stderr, "kdr failover: not committed (%s)\n",
				isatty(STDIN_FILENO) ? "not confirmed" : "stdin is not a terminal: pass --yes");
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
		if (kdr_pipeline_failover_commit(&errors, &p, &fo) != 0) {
			for (size_t i = 0; i < errors.n; i++)
				fprintf(stderr, "kdr failover: %s\n", errors.v[i]);
			exit_code = KDR_EXIT_ERROR;
		} else {
			fprintf(stderr, "kdr failover: committed the offsets of %zu group(s) on '%s'\n", fo.to_commit,
				flow->target);
		}
	}
	/* Recorded even when a group was refused: the connectors are stopped and must stay so. */
	if (record_failover(&args.src, &desired, flow, a.commit, a.dry_run, fo.to_commit) != KDR_EXIT_OK)
		exit_code = KDR_EXIT_ERROR;
	if (fo.plan.n_refused)
		exit_code = KDR_EXIT_ERROR;
cleanup:
	kdr_buf_release(&out);
	kdr_failover_outcome_release(&fo);
	kdr_regex_free(groups_re);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	kdr_cli_args_release(&args);
	kdr_strvec_release(&a.groups);
	kdr_strvec_release(&errors);
	return exit_code;
}
