/*
 * kdr failback: the way back after `kdr failover`, as steps recorded in the
 * desired state. Each run looks at what is recorded and takes the next step:
 *
 *   1. the flow F is failed over and has no reverse flow: declare one,
 *      F-failback (F's target -> F's source, F's topic and group filters),
 *      so that the records written on the standby reach the primary;
 *   2. the reverse flow is declared but not failed over: nothing to write;
 *      say what the operator does (apply, wait for its lag, stop the
 *      consumers, `kdr failover --flow F-failback --commit`);
 *   3. the reverse flow is failed over (the groups are on the primary with
 *      the offsets MM2 translated back): restore F (spec.suspended false,
 *      spec.failedOver removed) and remove the reverse flow.
 *
 * Which step is pkg/dr's decision (kdr_dr_failback_step); step 2's lag and
 * step 3's groups go through the pipeline (kdr_pipeline_flow_lag,
 * kdr_pipeline_failback_groups); this parses, prints and records. The
 * failover steps are `kdr failover`'s, the connectors are the plan's (`kdr
 * apply`, `kdr run`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "dr/dr.h"
#include "pipeline/dr.h"
#include "record.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/units.h"

enum {
	OPT_HELP = 'h',
	OPT_FLOW = 3200,
	OPT_COMMIT,
	OPT_DRY_RUN,
	OPT_MAX_RPO,
	OPT_UNTRANSLATABLE,
};

static const struct option failback_options[] = {
	{ "flow", required_argument, NULL, OPT_FLOW },
	{ "commit", no_argument, NULL, OPT_COMMIT },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "max-rpo", required_argument, NULL, OPT_MAX_RPO },
	{ "untranslatable", required_argument, NULL, OPT_UNTRANSLATABLE },
	{ "timeout", required_argument, NULL, KDR_OPT_TIMEOUT },
	KDR_CLI_SOURCE_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec failback_spec = {
	.command = "failback",
	.usage = "kdr failback [DIR | --git URL [--ref R] [--path P] | --k8s] --flow F [--commit] [--dry-run]\n"
		 "                    [--max-rpo 5s] [--untranslatable refuse|earliest] [--timeout 30s]",
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
	.options_help = "      --flow F            the failed-over ReplicationFlow (required)\n"
			"      --commit            write the step into the source (see above); without it, print it\n"
			"      --dry-run           print the step, write nothing (the default without --commit)\n"
			"      --max-rpo DURATION  step 2: the reverse flow has caught up when every RPO estimate is\n"
			"                          within it (default 5s, as kdr lag)\n"
			"      --untranslatable refuse|earliest\n"
			"                          step 3, a group position no offset-sync proves: refuse (default: not\n"
			"                          moved, F not restored, exit 1) or earliest (commit the source\n"
			"                          partition's log start: at-least-once, every record still there may be\n"
			"                          read again; the table says how many)\n"
			"      --timeout DURATION  for reading the clusters (steps 2 and 3)\n"
			KDR_CLI_SOURCE_HELP,
	.options = failback_options,
	.short_options = "h",
};

/* Step 1: the reverse flow declared (with --commit, else its document printed). */
static int step_declare(const struct kdr_cli_source *src, const struct kdr_desired *desired,
			const struct kdr_flow *flow, const struct kdr_dr_failback_state *state, bool commit)
{
	const char *reverse_name = state->reverse_name;
	struct kdr_dr_step_record rec;
	bool changed = false;
	int exit_code = KDR_EXIT_OK;

	if (kdr_pipeline_failback_declare(&rec, desired, flow, state) != 0) {
		fprintf(stderr, "kdr failback: %s\n", kdr_error_message());
		return KDR_EXIT_ERROR;
	}
	fprintf(stderr, "kdr failback: step 1 of 3: declare the reverse flow '%s' (%s -> %s) in %s\n", reverse_name,
		flow->target, flow->source, rec.path);
	if (!commit) {
		printf("%s", rec.document);
		fprintf(stderr, "kdr failback: not written (without --commit): add the document above as %s\n",
			rec.path);
		goto cleanup;
	}
	exit_code = kdr_cli_record(&changed, src, desired, &rec.change, rec.message, "kdr failback");
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	fprintf(stderr,
		"kdr failback: next: kdr apply (creates %s's connectors on %s's Connect); then\n"
		"  kdr lag --flow %s --max-rpo 5s   until it exits 0\n",
		reverse_name, flow->source, reverse_name);
cleanup:
	kdr_dr_step_record_release(&rec);
	return exit_code;
}

/* Step 3's second half: F restored, the reverse flow removed or resumed (with --commit, else printed). */
static int step_restore(const struct kdr_cli_source *src, const struct kdr_desired *desired,
			const struct kdr_flow *flow, const struct kdr_dr_failback_state *state, bool commit)
{
	const struct kdr_flow *reverse = state->reverse;
	bool owned = state->owned;
	struct kdr_dr_step_record rec;
	bool changed = false;
	int exit_code = KDR_EXIT_OK;

	if (kdr_pipeline_failback_restore(&rec, desired, flow, state) != 0) {
		fprintf(stderr, "kdr failback: %s\n", kdr_error_message());
		kdr_dr_step_record_release(&rec);
		return KDR_EXIT_ERROR;
	}
	fprintf(stderr, "kdr failback: step 3 of 3: restore flow '%s' (%s -> %s)%s%s\n", flow->meta.name, flow->source,
		flow->target, !reverse ? "" : owned ? " and remove " : " and resume ", reverse ? reverse->meta.name : "");
	if (!commit) {
		fprintf(stderr, "kdr failback: not written (without --commit):\n");
		if (rec.change.flow)
			fprintf(stderr, "  ReplicationFlow '%s': spec.suspended: false, remove spec.failedOver\n",
				flow->meta.name);
		if (reverse && owned)
			fprintf(stderr, "  remove ReplicationFlow '%s' (%s)\n", reverse->meta.name,
				reverse->meta.file ? reverse->meta.file : reverse->meta.object_ref);
		else if (rec.change.flow2)
			fprintf(stderr, "  ReplicationFlow '%s': spec.suspended: false, remove spec.failedOver\n",
				reverse->meta.name);
	} else if ((exit_code = kdr_cli_record(&changed, src, desired, &rec.change, rec.message, "kdr failback")) ==
		   KDR_EXIT_OK) {
		fprintf(stderr,
			"kdr failback: next: kdr apply (resumes %s's connectors, %s those of %s, creates the topics %s "
			"mirrors on %s)\n",
			flow->meta.name, owned ? "deletes" : "resumes", reverse ? reverse->meta.name : "the reverse flow",
			flow->meta.name, flow->source);
	}
	kdr_dr_step_record_release(&rec);
	return exit_code;
}

/*
 * Step 3's first half: the groups that read the primary's own data on the
 * standby (F's remote topics) go back onto the primary's topics, translated
 * by F's offset-syncs (MM2 checkpoints only F's direction). Exit OK when
 * nothing stands in the way of the restore.
 */
static int move_primary_groups(struct kdr_cli_args *args, const struct kdr_desired *desired,
			       const struct kdr_flow *flow, enum kdr_dr_untranslatable untranslatable, bool commit)
{
	struct kdr_pipeline p = { 0 };
	struct kdr_dr_failover_plan plan = { 0 };
	struct kdr_strvec untranslated = KDR_STRVEC_INIT, errors = KDR_STRVEC_INIT;
	struct kdr_buf out = KDR_BUF_INIT;
	int rc = 0, exit_code = KDR_EXIT_OK;

	args->live.read_groups = KDR_READ_GROUPS_OFFSETS;
	if ((exit_code = kdr_cli_read_flow(&p, desired, args, flow)) != KDR_EXIT_OK)
		goto cleanup;
	rc = kdr_pipeline_failback_groups(&plan, &untranslated, &errors, &p, flow, untranslatable, commit);
	if (rc == KDR_ENOTFOUND) {
		fprintf(stderr, "kdr failback: %s: no group of %s's topics to move back\n", kdr_error_message(),
			flow->source);
		goto cleanup;
	}
	if (rc != 0) {
		fprintf(stderr, "kdr failback: the groups of %s's topics: %s; nothing was recorded\n", flow->source,
			kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (plan.n_rows) {
		kdr_dr_failover_render_text(&out, &plan, !commit);
		fwrite(out.ptr, 1, out.len, stdout);
		fflush(stdout);
	}
	for (size_t i = 0; i < untranslated.n; i++)
		fprintf(stderr, "kdr failback: not moved back: %s\n", untranslated.v[i]);
	if (untranslated.n)
		fprintf(stderr,
			"kdr failback: nothing proves which records of %s's topics those groups have read; "
			"--untranslatable earliest moves them to the partition's log start on %s (at-least-once: "
			"they read again every record still there)\n",
			flow->source, flow->source);
	for (size_t i = 0; i < errors.n; i++)
		fprintf(stderr, "kdr failback: %s\n", errors.v[i]);
	if (untranslated.n || errors.n || plan.n_refused) {
		fprintf(stderr, "kdr failback: flow '%s' is not restored until its groups are back on %s (run again)\n",
			flow->meta.name, flow->source);
		exit_code = KDR_EXIT_ERROR;
	}
cleanup:
	kdr_buf_release(&out);
	kdr_dr_failover_plan_release(&plan);
	kdr_strvec_release(&untranslated);
	kdr_strvec_release(&errors);
	kdr_pipeline_release(&p);
	return exit_code;
}

/*
 * Step 2's measurement: the reverse flow's lag, as `kdr lag` reports it.
 * Exit PENDING either way (caught up or not, the operator acts next); ERROR
 * when it cannot be measured.
 */
static int reverse_lag(struct kdr_cli_args *args, const struct kdr_desired *desired, const struct kdr_flow *reverse,
		       int64_t max_rpo_ms, bool *caught_up)
{
	struct kdr_pipeline p = { 0 };
	struct kdr_dr_lag_report report = { 0 };
	struct kdr_strvec warnings = KDR_STRVEC_INIT;
	struct kdr_buf out = KDR_BUF_INIT;
	int rc = 0, exit_code = KDR_EXIT_OK;

	if ((exit_code = kdr_cli_read_flow(&p, desired, args, reverse)) != KDR_EXIT_OK)
		goto cleanup;
	rc = kdr_pipeline_flow_lag(&report, &warnings, &p, reverse, max_rpo_ms);
	for (size_t i = 0; i < warnings.n; i++)
		fprintf(stderr, "kdr failback: lag: %s\n", warnings.v[i]);
	if (rc != 0) {
		fprintf(stderr, "kdr failback: the lag of '%s': %s\n", reverse->meta.name, kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	kdr_dr_lag_render_text(&out, &report);
	fwrite(out.ptr, 1, out.len, stdout);
	fflush(stdout);
	*caught_up = !report.over;
	exit_code = KDR_EXIT_CHANGES;
cleanup:
	kdr_buf_release(&out);
	kdr_dr_lag_report_release(&report);
	kdr_strvec_release(&warnings);
	kdr_pipeline_release(&p);
	return exit_code;
}

struct failback_args {
	const char *flow;
	bool commit, dry_run;
	int64_t max_rpo;
	enum kdr_dr_untranslatable untranslatable;
};

static int failback_option(void *ctx, int opt, const char *arg, const struct kdr_cli_spec *spec)
{
	struct failback_args *a = ctx;

	switch (opt) {
	case OPT_FLOW: a->flow = arg; return KDR_EXIT_OK;
	case OPT_COMMIT: a->commit = true; return KDR_EXIT_OK;
	case OPT_DRY_RUN: a->dry_run = true; return KDR_EXIT_OK;
	case OPT_MAX_RPO:
		if (kdr_parse_duration_ms(&a->max_rpo, arg, 0) != 0 || a->max_rpo < 0)
			return kdr_cli_usage_error(spec, "--max-rpo: '%s' is not a duration (e.g. 5s)", arg);
		return KDR_EXIT_OK;
	case OPT_UNTRANSLATABLE:
		if (kdr_dr_untranslatable_parse(&a->untranslatable, arg) != 0)
			return kdr_cli_usage_error(spec, "--untranslatable: '%s' is not refuse or earliest", arg);
		return KDR_EXIT_OK;
	}
	return -1;
}

/* Step 2: the reverse flow's lag and what the operator does next. Returns an enum kdr_exit (PENDING unless unmeasured). */
static int step_catch_up(struct kdr_cli_args *args, const struct kdr_desired *desired, const struct kdr_flow *flow,
			 const struct kdr_dr_failback_state *state, int64_t max_rpo_ms)
{
	const struct kdr_flow *reverse = state->reverse;
	bool caught_up = false;
	int exit_code = KDR_EXIT_OK;

	fprintf(stderr, "kdr failback: step 2 of 3: the reverse flow '%s' (%s -> %s) is declared%s; nothing to record yet.\n",
		reverse->meta.name, flow->target, flow->source, state->owned ? "" : " (a flow of the topology)");
	if ((exit_code = reverse_lag(args, desired, reverse, max_rpo_ms, &caught_up)) != KDR_EXIT_CHANGES)
		return exit_code;
	if (caught_up)
		fprintf(stderr,
			"kdr failback: '%s' has caught up: %s has the standby's records (every RPO estimate within "
			"%lld ms). Next:\n",
			reverse->meta.name, flow->source, (long long)max_rpo_ms);
	else
		fprintf(stderr,
			"kdr failback: '%s' has not caught up (an RPO estimate over %lld ms, or unknown): run kdr "
			"apply if its connectors are not there yet, and kdr failback again. Then:\n",
			reverse->meta.name, (long long)max_rpo_ms);
	fprintf(stderr,
		"  stop the consumers and producers on %s, then\n"
		"  kdr failover --flow %s --yes --commit   their offsets translated back onto %s\n"
		"  kdr failback --flow %s --commit        step 3: %s restored, %s %s\n",
		flow->target, reverse->meta.name, flow->source, flow->meta.name, flow->meta.name, reverse->meta.name,
		state->owned ? "removed" : "resumed");
	return exit_code;
}

int kdr_cmd_failback(int argc, char **argv)
{
	struct failback_args a = { .max_rpo = 5000 };
	struct kdr_cli_args args;
	struct kdr_desired desired = { 0 };
	struct kdr_dr_failback_state state = { 0 };
	const struct kdr_flow *flow = NULL;
	int exit_code = kdr_cli_parse(&args, &failback_spec, argc, argv, failback_option, &a);

	if (exit_code != KDR_EXIT_OK || args.help)
		goto cleanup;
	if (!a.flow) {
		exit_code = kdr_cli_usage_error(&failback_spec, "--flow F is required");
		goto cleanup;
	}
	if (a.commit && a.dry_run) {
		exit_code = kdr_cli_usage_error(&failback_spec, "--commit and --dry-run exclude each other");
		goto cleanup;
	}
	if ((exit_code = kdr_cli_source_load(&desired, &args.src)) != KDR_EXIT_OK)
		goto cleanup;
	if (!(flow = kdr_cli_flow(&desired, a.flow, &failback_spec))) {
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (kdr_dr_failback_step(&state, &desired, flow) != 0) {
		fprintf(stderr, "kdr failback: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	switch (state.step) {
	case KDR_DR_FAILBACK_NOTHING:
		fprintf(stderr, "kdr failback: flow '%s' is not failed over (no spec.failedOver): nothing to fail back\n",
			flow->meta.name);
		break;
	case KDR_DR_FAILBACK_DECLARE:
		exit_code = step_declare(&args.src, &desired, flow, &state, a.commit);
		break;
	case KDR_DR_FAILBACK_CATCH_UP:
		exit_code = step_catch_up(&args, &desired, flow, &state, a.max_rpo);
		break;
	case KDR_DR_FAILBACK_RESTORE:
		if ((exit_code = move_primary_groups(&args, &desired, flow, a.untranslatable, a.commit)) == KDR_EXIT_OK)
			exit_code = step_restore(&args.src, &desired, flow, &state, a.commit);
		break;
	}
cleanup:
	kdr_dr_failback_state_release(&state);
	kdr_desired_release(&desired);
	kdr_cli_args_release(&args);
	return exit_code;
}
