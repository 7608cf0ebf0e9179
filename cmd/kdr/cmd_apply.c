#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "source_opts.h"
#include "live_source.h"
#include "plan/plan.h"
#include "render/render.h"
#include "util/error.h"
#include "util/strvec.h"

enum {
	OPT_YES = 'y',
	OPT_HELP = 'h',
	OPT_ALLOW_DELETE = 1000,
	OPT_VALIDATE_ONLY,
	OPT_REASSIGNMENTS,
	OPT_SOURCE,
};

static const struct option apply_options[] = {
	{ "yes", no_argument, NULL, OPT_YES },
	{ "allow-delete", no_argument, NULL, OPT_ALLOW_DELETE },
	{ "validate-only", no_argument, NULL, OPT_VALIDATE_ONLY },
	{ "source", required_argument, NULL, OPT_SOURCE },
	KDR_CLI_CLUSTER_OPTIONS,
	KDR_CLI_OFFLINE_OPTION,
	KDR_CLI_SOURCE_OPTIONS,
	{ "reassignments", required_argument, NULL, OPT_REASSIGNMENTS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec apply_spec = {
	.command = "apply",
	.usage = "kdr apply [DIR | --git URL [--ref R] [--path P]] [--yes] [--allow-delete] [--validate-only] [--cluster C]...\n"
		 "                 [--offline SNAPSHOT.json] [--timeout 30s]\n"
		 "       kdr apply PLAN.json [--source DIR | --git URL ...] [--yes] [--validate-only] [--offline SNAPSHOT.json]",
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
	.options_help = "  -y, --yes               apply without asking\n"
			"      --allow-delete      carry out the deletions of 'prune: true' policies\n"
			"      --validate-only     ask the brokers to check the changes without making them\n"
			"  -c, --cluster C         apply only to cluster C (repeatable)\n"
			"      --offline FILE      apply to a snapshot file instead of the clusters\n"
			"      --timeout DURATION  per request to the clusters (default 30s)\n"
			"      --reassignments DIR write each blocked item's kafka-reassign-partitions.sh JSON into DIR\n"
			"      --source DIR        with PLAN.json: the documents declaring the clusters (default '.')\n"
			KDR_CLI_SOURCE_HELP,
	.options = apply_options,
	.short_options = "c:yh",
};

/* The snapshot stands in for the clusters: the plan applied to it as Kafka would, written back. */
static int apply_offline(struct kdr_pipeline *p)
{
	struct kdr_apply_report report = { 0 };
	struct kdr_buf out = KDR_BUF_INIT;
	int exit_code;

	kdr_pipeline_apply(&report, p, NULL, NULL);
	kdr_live_to_json(&out, &p->live);
	exit_code = kdr_cli_write_file(p->options.snapshot_path, out.ptr, out.len);
	if (exit_code == KDR_EXIT_OK)
		printf("\napplied %zu action(s) to snapshot '%s'\n", p->plan.n_actions, p->options.snapshot_path);
	kdr_buf_release(&out);
	return exit_code;
}

/* Reads a saved plan; the clusters it touches become the clusters to read. */
static int load_saved_plan(struct kdr_plan *plan, struct kdr_strvec *clusters, const char *path)
{
	struct kdr_buf text = KDR_BUF_INIT;
	int exit_code = kdr_cli_read_file(&text, path);

	if (exit_code == KDR_EXIT_OK && kdr_render_plan_from_json(plan, text.ptr, text.len, path) != 0) {
		fprintf(stderr, "kdr apply: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
	}
	kdr_buf_release(&text);
	if (exit_code != KDR_EXIT_OK)
		return exit_code;
	if (clusters->n) {
		fprintf(stderr, "kdr apply: --cluster cannot narrow a saved plan; plan again with --cluster\n");
		return KDR_EXIT_USAGE;
	}
	for (size_t i = 0; i < plan->fingerprints.n; i++)
		kdr_strvec_push(clusters, plan->fingerprints.v[i].key);
	return KDR_EXIT_OK;
}

int kdr_cmd_apply(int argc, char **argv)
{
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_plan saved = { 0 };
	struct kdr_strvec stale = KDR_STRVEC_INIT;
	struct kdr_pipeline_options source = KDR_CLI_PIPELINE_OPTIONS_INIT;
	struct kdr_strvec clusters = KDR_STRVEC_INIT;
	const char *reassignments_dir = NULL;
	struct kdr_buf out = KDR_BUF_INIT;
	struct kdr_cli_source src = { 0 };
	const char *saved_plan_path = NULL;
	const char *source_dir = NULL;
	bool yes = false;
	int exit_code = KDR_EXIT_OK;
	int opt;
	int live_rc = -1;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, apply_spec.short_options, apply_spec.options, NULL)) != -1) {
		switch (opt) {
		case OPT_HELP:
			kdr_cli_print_help(&apply_spec, stdout);
			goto cleanup;
		case OPT_YES:
			yes = true;
			break;
		case OPT_ALLOW_DELETE:
			source.allow_delete = true;
			break;
		case OPT_VALIDATE_ONLY:
			source.validate_only = true;
			break;
		case OPT_SOURCE:
			source_dir = optarg;
			break;
		case OPT_REASSIGNMENTS:
			reassignments_dir = optarg;
			break;
		default:
			live_rc = kdr_cli_live_option(&source, &clusters, &apply_spec, opt, optarg);
			if (live_rc > 0) {
				exit_code = live_rc;
				goto cleanup;
			}
			if (live_rc == 0 || kdr_cli_source_option(&src, opt, optarg))
				break;
			exit_code = kdr_cli_usage_error(&apply_spec, "unknown or incomplete option '%s'", argv[optind - 1]);
			goto cleanup;
		}
	}
	if (argc - optind > 1) {
		exit_code = kdr_cli_usage_error(&apply_spec, "expected at most one directory, got %d arguments",
						argc - optind);
		goto cleanup;
	}
	if (optind < argc) {
		struct stat st;

		/* A file is a saved plan; a directory holds documents. */
		if (stat(argv[optind], &st) == 0 && S_ISREG(st.st_mode))
			saved_plan_path = argv[optind];
		else
			src.dir = argv[optind];
	}
	exit_code = kdr_cli_source_check(&apply_spec, &src);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	if (source_dir && !saved_plan_path) {
		exit_code = kdr_cli_usage_error(&apply_spec, "--source is only for a saved PLAN.json; give the "
							     "directory as the argument");
		goto cleanup;
	}
	if (saved_plan_path && !src.git_url)
		src.dir = source_dir ? source_dir : ".";
	if (source.validate_only && source.snapshot_path) {
		exit_code = kdr_cli_usage_error(&apply_spec, "--validate-only needs the brokers; it cannot be "
							     "combined with --offline");
		goto cleanup;
	}

	if (saved_plan_path && source.allow_delete) {
		exit_code = kdr_cli_usage_error(&apply_spec, "--allow-delete has no meaning with a saved plan: the plan "
							     "already says what it deletes");
		goto cleanup;
	}
	exit_code = kdr_cli_source_load(&desired, &src);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	if (saved_plan_path) {
		exit_code = load_saved_plan(&saved, &clusters, saved_plan_path);
		if (exit_code != KDR_EXIT_OK)
			goto cleanup;
	}
	exit_code = kdr_cli_read(&p, &desired, &source, &clusters);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	if (saved_plan_path && kdr_pipeline_use_saved(&p, &saved, &stale, saved_plan_path) != 0) {
		for (size_t i = 0; i < stale.n; i++)
			fprintf(stderr, "kdr apply: %s\n", stale.v[i]);
		if (!stale.n)
			fprintf(stderr, "kdr apply: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (!saved_plan_path && (exit_code = kdr_cli_plan(&p, "apply")) != KDR_EXIT_OK)
		goto cleanup;
	kdr_render_plan(&out, &p.plan, &desired, KDR_RENDER_TEXT);
	fwrite(out.ptr, 1, out.len, stdout);
	if (reassignments_dir && kdr_cli_write_reassignments(&p.plan, reassignments_dir) != KDR_EXIT_OK) {
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (kdr_pipeline_plan_has_errors(&p)) {
		fprintf(stderr, "kdr apply: the plan has errors (marked '!'); nothing was applied\n");
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (p.plan.n_actions == 0)
		goto pending;
	if (!yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "kdr apply: refusing to apply without --yes (stdin is not a terminal)\n");
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
		if (!kdr_cli_confirm(p.plan.n_actions)) {
			fprintf(stderr, "kdr apply: cancelled; nothing was applied\n");
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
	}
	exit_code = source.snapshot_path ? apply_offline(&p) : kdr_cli_apply_live(&p);
pending:
	/* Exit status rule (README): blocked items left for a human are pending, 2 (an error stays 1). */
	if (exit_code == KDR_EXIT_OK && p.plan.n_blocked > 0) {
		fprintf(stderr,
			"kdr apply: %zu blocked item(s) need a human (marked '!' above; kdr does not make these "
			"changes)\n",
			p.plan.n_blocked);
		exit_code = KDR_EXIT_CHANGES;
	}
cleanup:
	kdr_buf_release(&out);
	kdr_pipeline_release(&p);
	kdr_plan_release(&saved);
	kdr_strvec_release(&stale);
	kdr_desired_release(&desired);
	kdr_strvec_release(&clusters);
	return exit_code;
}
