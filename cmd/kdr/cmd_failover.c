/*
 * kdr failover: moves the consumer groups of a flow to its target with the
 * offsets MirrorMaker 2 translated (its checkpoints), after stopping the
 * flow's connectors. The same load -> validate -> read live path as plan
 * and status; pkg/dr decides, pkg/executor does the I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "dr/dr.h"
#include "executor/dr_io.h"
#include "executor/executor.h"
#include "live/live.h"
#include "mm2/mm2.h"
#include "plan/plan.h"
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
		"branch of --ref, pushed for a remote; a directory: the file rewritten; --k8s: the kubectl patch is\n"
		"printed), else printed as a patch. While recorded, apply/run neither resume nor recreate the flow's\n"
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

static bool confirm(size_t groups)
{
	char answer[16] = "";

	fprintf(stderr, "\ncommit the offsets of %zu group(s)? only 'yes' is accepted: ", groups);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return strcmp(answer, "yes\n") == 0 || strcmp(answer, "yes") == 0;
}

/* Every (topic, partition) the checkpoints name, for the end-offset query. */
static void checkpointed_partitions(struct kdr_dr_offsets *out, const struct kdr_dr_checkpoints *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (!kdr_dr_offsets_find(out, set->v[i].topic, set->v[i].partition)) {
			kdr_dr_offsets_set(out, set->v[i].topic, set->v[i].partition, -1);
			kdr_dr_offsets_sort(out);
		}
}

/*
 * Principals the source lets read a moved group that the target's ACLs
 * would lock out (kdr_plan_acl_lockouts), as warnings: the offsets are
 * committed all the same; the grants are the operator's (or mirrorAcls') to fix.
 */
static void warn_lockouts(const struct kdr_dr_failover_plan *plan, const struct kdr_desired *desired,
			  const struct kdr_live *live, const struct kdr_flow *flow)
{
	struct kdr_strvec messages = KDR_STRVEC_INIT, topics = KDR_STRVEC_INIT;

	for (size_t g = 0; g < plan->n_groups; g++) {
		const struct kdr_dr_failover_group *group = &plan->groups[g];

		if (group->verdict == KDR_DR_REFUSED)
			continue;
		for (size_t r = 0; r < plan->n_rows; r++)
			if (strcmp(plan->rows[r].group, group->group) == 0 &&
			    !kdr_strvec_contains(&topics, plan->rows[r].topic))
				kdr_strvec_push(&topics, plan->rows[r].topic);
		kdr_plan_acl_lockouts(&messages, desired, live, flow, group->group, (const char *const *)topics.v,
				      topics.n);
		kdr_strvec_release(&topics);
	}
	for (size_t i = 0; i < messages.n; i++)
		fprintf(stderr, "kdr failover: warning: %s\n", messages.v[i]);
	kdr_strvec_release(&messages);
}

/*
 * Records at risk per remote partition: on the source, past what the
 * target holds (from the latest offset-sync and the remote log end). Only
 * when the source answers; otherwise `out` stays unset (unknown).
 */
static bool records_at_risk(struct kdr_dr_offsets *out, const struct kdr_desired *desired, const struct kdr_flow *flow,
			    const struct kdr_dr_offsets *target_ends, const struct kdr_executor_options *exec)
{
	const struct kdr_cluster *source = kdr_desired_cluster(desired, flow->source);
	const struct kdr_cluster *syncs_cluster = NULL;
	const char *syncs_cluster_name = NULL;
	char *syncs_topic = NULL;
	struct kdr_dr_syncs syncs = { 0 };
	struct kdr_dr_offsets want = { 0 }, source_ends = { 0 };
	bool ok = false;

	kdr_dr_offset_syncs_location(flow, &syncs_cluster_name, &syncs_topic);
	syncs_cluster = kdr_desired_cluster(desired, syncs_cluster_name);
	for (size_t i = 0; i < target_ends->n; i++) {
		char *upstream = kdr_dr_upstream_topic(flow, target_ends->v[i].topic);

		if (upstream)
			kdr_dr_offsets_set(&want, upstream, target_ends->v[i].partition, -1);
		free(upstream);
	}
	kdr_dr_offsets_sort(&want);
	if (!source || kdr_executor_end_offsets(&source_ends, source, &want, exec) != 0) {
		fprintf(stderr, "kdr failover: source '%s' not readable, records at risk unknown: %s\n", flow->source,
			kdr_error_message());
		goto cleanup;
	}
	if (!syncs_cluster || kdr_executor_read_syncs(&syncs, syncs_cluster, syncs_topic, exec) != 0) {
		fprintf(stderr, "kdr failover: offset-syncs '%s' on '%s' not readable, records at risk unknown: %s\n",
			syncs_topic, syncs_cluster_name, kdr_error_message());
		goto cleanup;
	}
	for (size_t i = 0; i < target_ends->n; i++) {
		const struct kdr_dr_offset *remote = &target_ends->v[i];
		char *upstream = kdr_dr_upstream_topic(flow, remote->topic);
		const struct kdr_dr_offset *src = upstream ? kdr_dr_offsets_find(&source_ends, upstream, remote->partition)
							   : NULL;
		int64_t next = src ? kdr_dr_replicated_upstream(kdr_dr_syncs_find(&syncs, upstream, remote->partition),
								 remote->offset, src->offset)
				   : -1;

		if (next >= 0)
			kdr_dr_offsets_set(out, remote->topic, remote->partition, src->offset - next);
		free(upstream);
	}
	kdr_dr_offsets_sort(out);
	ok = true;
cleanup:
	free(syncs_topic);
	kdr_dr_syncs_release(&syncs);
	kdr_dr_offsets_release(&want);
	kdr_dr_offsets_release(&source_ends);
	return ok;
}

/*
 * Records the failover in the desired state (spec.suspended: true and
 * spec.failedOver: the time; an earlier time is kept, so a second run records
 * nothing), or prints the patch. Returns an enum kdr_exit.
 */
static int record_failover(const struct kdr_cli_source *src, const struct kdr_desired *desired,
			   const struct kdr_flow *flow, bool commit, bool dry_run, size_t committed_groups)
{
	char now[21] = "";
	char *quoted = NULL, *message = NULL;
	struct kdr_spec_edit edits[2];
	struct kdr_cli_record rec;
	bool changed = false;
	int exit_code = KDR_EXIT_OK;

	kdr_cli_utc_now(now);
	quoted = kdr_asprintf("\"%s\"", flow->failed_over ? flow->failed_over : now);
	edits[0].key = "suspended";
	edits[0].value = "true";
	edits[1].key = "failedOver";
	edits[1].value = quoted;
	memset(&rec, 0, sizeof(rec));
	rec.flow = flow;
	rec.edits = edits;
	rec.n_edits = 2;
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
			flow->meta.line, flow->meta.name, quoted);
	} else {
		message = kdr_asprintf("kdr failover: flow %s (%s -> %s) failed over at %s\n\n"
				       "Recorded by `kdr failover --commit`: spec.suspended: true and spec.failedOver on\n"
				       "ReplicationFlow %s; %zu consumer group(s) committed on %s. While recorded, kdr\n"
				       "neither resumes nor recreates the flow's connectors nor creates the topics it\n"
				       "mirrors on %s. Undo with `kdr failback --flow %s` (docs/runbook.md).\n",
				       flow->meta.name, flow->source, flow->target, flow->failed_over ? flow->failed_over : now,
				       flow->meta.name, committed_groups, flow->target, flow->source, flow->meta.name);
		exit_code = kdr_cli_record(&changed, src, desired, &rec, message, "kdr failover");
		if (exit_code == KDR_EXIT_OK && !changed)
			fprintf(stderr, "kdr failover: the failover of flow '%s' was already recorded\n", flow->meta.name);
	}
	free(quoted);
	free(message);
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

int kdr_cmd_failover(int argc, char **argv)
{
	struct failover_args a = { .groups = KDR_STRVEC_INIT };
	struct kdr_cli_args args;
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_executor_options exec = { 0 };
	struct kdr_strvec errors = KDR_STRVEC_INIT;
	struct kdr_dr_checkpoints checkpoints = { 0 };
	struct kdr_dr_offsets wanted = { 0 }, target_ends = { 0 }, at_risk = { 0 };
	struct kdr_dr_failover_input in = { 0 };
	struct kdr_dr_failover_plan plan = { 0 };
	struct kdr_executor_stop *stops = NULL;
	struct kdr_regex *groups_re = NULL;
	struct kdr_buf out = KDR_BUF_INIT;
	const struct kdr_flow *flow = NULL;
	const struct kdr_cluster *target = NULL;
	const struct kdr_live_cluster *target_live = NULL;
	char *checkpoints_topic = NULL;
	bool json = false, dry_run = false, force = false, yes = false, commit = false;
	size_t n_stops = 0, to_commit = 0;
	int exit_code = kdr_cli_parse(&args, &failover_spec, argc, argv, failover_option, &a);

	if (exit_code != KDR_EXIT_OK || args.help)
		goto cleanup;
	json = a.json;
	dry_run = a.dry_run;
	force = a.force;
	yes = a.yes;
	commit = a.commit;
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
	target = kdr_desired_cluster(&desired, flow->target);

	/* The flow's two clusters, with the consumer groups; an unreadable source is only reported. */
	kdr_strvec_push(&args.clusters, flow->source);
	kdr_strvec_push(&args.clusters, flow->target);
	args.live.read_groups = KDR_READ_GROUPS_OFFSETS;
	if ((exit_code = kdr_cli_read(&p, &desired, &args.live, &args.clusters)) != KDR_EXIT_OK)
		goto cleanup;
	target_live = kdr_live_cluster_find(&p.live, flow->target);
	if (!target_live) {
		fprintf(stderr, "kdr failover: target '%s' is not readable: nothing was changed\n", flow->target);
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (!target_live->groups_read || !target_live->group_offsets_read) {
		fprintf(stderr, "kdr failover: the consumer groups of '%s' could not be read: nothing was changed\n",
			flow->target);
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	exec.timeout_ms = args.live.timeout_ms;

	/* (a) Stop the connectors first, so that no checkpoint or group sync lands while we read and commit. */
	if (!dry_run) {
		kdr_executor_stop_flow(&stops, &n_stops, &desired, flow, &exec);
		for (size_t i = 0; i < n_stops; i++) {
			if (stops[i].code == 0)
				fprintf(stderr, "kdr failover: connector '%s' on '%s': stopped\n", stops[i].connector,
					stops[i].cluster);
			else
				fprintf(stderr, "kdr failover: connector '%s' on '%s': not stopped (%s); going on\n",
					stops[i].connector, stops[i].cluster, stops[i].message);
		}
	}

	/* (b) The checkpoints, latest per group and partition. */
	checkpoints_topic = kdr_mm2_checkpoints_topic(flow);
	if (!kdr_live_topic_find(target_live, checkpoints_topic)) {
		fprintf(stderr,
			"kdr failover: checkpoints topic '%s' does not exist on '%s': MM2 wrote no checkpoints for "
			"flow '%s' (is its checkpoint connector running, spec.checkpoints.enabled true?); nothing was "
			"committed\n",
			checkpoints_topic, flow->target, flow->meta.name);
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (kdr_executor_read_checkpoints(&checkpoints, target, checkpoints_topic, &exec) != 0) {
		fprintf(stderr, "kdr failover: reading '%s' on '%s': %s; nothing was committed\n", checkpoints_topic,
			flow->target, kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (checkpoints.corrupt)
		fprintf(stderr, "kdr failover: '%s': %zu of %zu record(s) are not MM2 checkpoints and were skipped "
				"(first: %s)\n",
			checkpoints_topic, checkpoints.corrupt, checkpoints.records, checkpoints.first_error);

	/* The remote partitions' log ends bound what may be committed; the source says what is at risk. */
	checkpointed_partitions(&wanted, &checkpoints);
	if (kdr_executor_end_offsets(&target_ends, target, &wanted, &exec) != 0) {
		fprintf(stderr, "kdr failover: log-end offsets on '%s': %s; nothing was committed\n", flow->target,
			kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	in.at_risk = kdr_live_cluster_find(&p.live, flow->source) &&
				     records_at_risk(&at_risk, &desired, flow, &target_ends, &exec)
			     ? &at_risk
			     : NULL;

	/* (c) Decide (pure), print, commit. */
	in.flow = flow;
	in.checkpoints = &checkpoints;
	in.target = target_live;
	in.target_ends = &target_ends;
	in.groups = (const char *const *)a.groups.v;
	in.n_groups = a.groups.n;
	in.groups_re = groups_re;
	in.force = force;
	if (kdr_dr_failover_decide(&plan, &in) != 0) {
		fprintf(stderr, "kdr failover: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (json)
		kdr_dr_failover_render_json(&out, &plan, dry_run);
	else
		kdr_dr_failover_render_text(&out, &plan, dry_run);
	fwrite(out.ptr, 1, out.len, stdout);
	fflush(stdout);
	warn_lockouts(&plan, &desired, &p.live, flow);
	for (size_t g = 0; g < plan.n_groups; g++)
		to_commit += plan.groups[g].verdict == KDR_DR_COMMIT;
	if (!dry_run && to_commit) {
		if (!yes && (!isatty(STDIN_FILENO) || !confirm(to_commit))) {
			fprintf(stderr, "kdr failover: not committed (%s)\n",
				isatty(STDIN_FILENO) ? "not confirmed" : "stdin is not a terminal: pass --yes");
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
		if (kdr_executor_commit_failover(&errors, &plan, target, &exec) != 0) {
			for (size_t i = 0; i < errors.n; i++)
				fprintf(stderr, "kdr failover: %s\n", errors.v[i]);
			exit_code = KDR_EXIT_ERROR;
		} else {
			fprintf(stderr, "kdr failover: committed the offsets of %zu group(s) on '%s'\n", to_commit,
				flow->target);
		}
	}
	/* Recorded even when a group was refused: the connectors are stopped and must stay so. */
	if (record_failover(&args.src, &desired, flow, commit, dry_run, to_commit) != KDR_EXIT_OK)
		exit_code = KDR_EXIT_ERROR;
	if (plan.n_refused)
		exit_code = KDR_EXIT_ERROR;
cleanup:
	kdr_buf_release(&out);
	kdr_dr_failover_plan_release(&plan);
	kdr_dr_checkpoints_release(&checkpoints);
	kdr_dr_offsets_release(&wanted);
	kdr_dr_offsets_release(&target_ends);
	kdr_dr_offsets_release(&at_risk);
	kdr_executor_stops_free(stops, n_stops);
	kdr_regex_free(groups_re);
	free(checkpoints_topic);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	kdr_cli_args_release(&args);
	kdr_strvec_release(&a.groups);
	kdr_strvec_release(&errors);
	return exit_code;
}
