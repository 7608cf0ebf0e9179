#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diff/diff.h"
#include "source_opts.h"
#include "live_source.h"
#include "plan/plan.h"
#include "render/render.h"
#include "util/error.h"
#include "util/strvec.h"

enum {
	OPT_FORMAT = 'f',
	OPT_OUT = 'o',
	OPT_HELP = 'h',
	OPT_DETAILED_EXITCODE = 1000,
	OPT_ALLOW_DELETE,
	OPT_REASSIGNMENTS,
	OPT_BASE,
};

static const struct option plan_options[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "detailed-exitcode", no_argument, NULL, OPT_DETAILED_EXITCODE },
	{ "allow-delete", no_argument, NULL, OPT_ALLOW_DELETE },
	{ "base", required_argument, NULL, OPT_BASE },
	KDR_CLI_CLUSTER_OPTIONS,
	KDR_CLI_OFFLINE_OPTION,
	KDR_CLI_SOURCE_OPTIONS,
	{ "reassignments", required_argument, NULL, OPT_REASSIGNMENTS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec plan_spec = {
	.command = "plan",
	.usage = "kdr plan [DIR | --git URL [--ref R] [--path P]] [--cluster C]... [--format text|markdown|json] [--detailed-exitcode]\n"
		 "                [--offline SNAPSHOT.json] [--out PLAN.json] [--allow-delete] [--timeout 30s]\n"
		 "                [--reassignments DIR] [--base REF]",
	.description = "Reads the desired state from DIR (default '.') or Git, reads the live clusters (or a snapshot\n"
		       "file), and prints what apply would change. Changes nothing.\n"
		       "Exit status: 0 success, 1 error (invalid source, unreachable cluster, plan-time error),\n"
		       "2 changes pending (only with --detailed-exitcode), 64 usage error.",
	.options_help = "  -f, --format FORMAT     text (default), markdown (a PR comment) or json\n"
			"  -c, --cluster C         plan only cluster C (repeatable)\n"
			"      --offline FILE      plan against a snapshot file (kdr snapshot) instead of the clusters\n"
			"  -o, --out FILE          also save the plan as JSON, for 'kdr apply FILE'\n"
			"      --detailed-exitcode exit 2 when there are changes, 0 when none\n"
			"      --allow-delete      include the deletions of 'prune: true' policies as actions\n"
			"      --timeout DURATION  per request to the clusters (default 30s)\n"
			"      --reassignments DIR write each blocked item's kafka-reassign-partitions.sh JSON into DIR\n"
			"      --base REF          with --git: also show the desired-state change from REF to --ref\n"
			"                          (a pull request: --git . --ref HEAD --base origin/main)\n"
			KDR_CLI_SOURCE_HELP,
	.options = plan_options,
	.short_options = "f:c:o:h",
};

/*
 * The plan, preceded (text) or followed (markdown: the summary stays on top
 * of a PR comment) by the desired-state change of a pull request; in JSON the
 * change is the plan object's "desiredChange" field.
 */
#define BASE_CONNECTIONS_NOTE                                                                                  \
	"this head changes the connection settings (bootstrapServers, clientConfig, connect, secret references) "  \
	"of %zu cluster(s); they are shown above and never used: the plan connects with the base's settings, "     \
	"so a pull request never chooses where kdr sends credentials"

static void render_with_change(struct kdr_buf *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
			       const struct kdr_desired_diff *change, size_t base_connections,
			       enum kdr_render_format format)
{
	struct kdr_buf plan_text = KDR_BUF_INIT;

	if (!change) {
		kdr_render_plan(out, plan, desired, format);
		return;
	}
	switch (format) {
	case KDR_RENDER_TEXT:
		kdr_diff_render_text(out, change);
		if (base_connections) {
			kdr_buf_puts(out, "Note: ");
			kdr_buf_printf(out, BASE_CONNECTIONS_NOTE, base_connections);
			kdr_buf_puts(out, ".\n");
		}
		kdr_buf_putc(out, '\n');
		kdr_render_plan(out, plan, desired, format);
		break;
	case KDR_RENDER_MARKDOWN:
		kdr_render_plan(out, plan, desired, format);
		kdr_buf_putc(out, '\n');
		kdr_diff_render_markdown(out, change);
		if (base_connections) {
			kdr_buf_puts(out, "\n> **Note:** ");
			kdr_buf_printf(out, BASE_CONNECTIONS_NOTE, base_connections);
			kdr_buf_puts(out, ".\n");
		}
		break;
	case KDR_RENDER_JSON:
		kdr_render_plan(&plan_text, plan, desired, format);
		/* The plan object opens with "{\n": the change goes in as its first field. */
		kdr_buf_puts(out, "{\n  \"desiredChange\": ");
		kdr_diff_render_json(out, change);
		while (out->len && (out->ptr[out->len - 1] == '\n' || out->ptr[out->len - 1] == ' '))
			kdr_buf_truncate(out, out->len - 1);
		kdr_buf_printf(out, ",\n  \"connectionSettingsFromBase\": %zu,\n", base_connections);
		kdr_buf_puts(out, plan_text.ptr + 2);
		break;
	}
	kdr_buf_release(&plan_text);
}

int kdr_cmd_plan(int argc, char **argv)
{
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_pipeline_options source = KDR_CLI_PIPELINE_OPTIONS_INIT;
	struct kdr_strvec clusters = KDR_STRVEC_INIT;
	const char *reassignments_dir = NULL;
	struct kdr_desired base = { 0 };
	struct kdr_desired_diff change = { 0 };
	const char *base_ref = NULL;
	size_t base_connections = 0;
	struct kdr_buf out = KDR_BUF_INIT;
	enum kdr_render_format format = KDR_RENDER_TEXT;
	const char *save_path = NULL;
	struct kdr_cli_source src = { 0 };
	bool detailed = false;
	int exit_code = KDR_EXIT_OK;
	int opt;
	int live_rc = -1;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, plan_spec.short_options, plan_spec.options, NULL)) != -1) {
		switch (opt) {
		case OPT_HELP:
			kdr_cli_print_help(&plan_spec, stdout);
			goto cleanup;
		case OPT_FORMAT:
			if (kdr_render_format_parse(&format, optarg) != 0) {
				exit_code = kdr_cli_usage_error(&plan_spec, "--format: unknown format '%s' "
								"(allowed: text, markdown, json)", optarg);
				goto cleanup;
			}
			break;
		case OPT_OUT:
			save_path = optarg;
			break;
		case OPT_DETAILED_EXITCODE:
			detailed = true;
			break;
		case OPT_BASE:
			base_ref = optarg;
			break;
		case OPT_ALLOW_DELETE:
			source.allow_delete = true;
			break;
		case OPT_REASSIGNMENTS:
			reassignments_dir = optarg;
			break;
		default:
			live_rc = kdr_cli_live_option(&source, &clusters, &plan_spec, opt, optarg);
			if (live_rc > 0) {
				exit_code = live_rc;
				goto cleanup;
			}
			if (live_rc == 0 || kdr_cli_source_option(&src, opt, optarg))
				break;
			exit_code = kdr_cli_usage_error(&plan_spec, "unknown or incomplete option '%s'", argv[optind - 1]);
			goto cleanup;
		}
	}
	if (argc - optind > 1) {
		exit_code = kdr_cli_usage_error(&plan_spec, "expected at most one directory, got %d arguments",
						argc - optind);
		goto cleanup;
	}
	if (optind < argc)
		src.dir = argv[optind];
	exit_code = kdr_cli_source_check(&plan_spec, &src);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	if (base_ref && !src.git_url) {
		exit_code = kdr_cli_usage_error(&plan_spec, "--base needs --git (it names a commit of the repository)");
		goto cleanup;
	}
	exit_code = kdr_cli_source_load(&desired, &src);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	if (base_ref) {
		exit_code = kdr_cli_source_load_ref(&base, &src, base_ref);
		if (exit_code != KDR_EXIT_OK)
			goto cleanup;
		if (kdr_diff_desired(&change, &base, &desired) != 0) {
			fprintf(stderr, "kdr plan: %s\n", kdr_error_message());
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
		/* The change is shown; connecting uses the base's settings only. */
		base_connections = kdr_desired_use_base_connections(&desired, &base);
	}
	/* The mirror preview names the groups each flow will checkpoint: ids and states, two requests per broker. */
	for (size_t i = 0; i < desired.n_flows; i++)
		if (desired.flows[i].checkpoints_enabled)
			source.read_groups = KDR_READ_GROUPS_LIST;
	if ((exit_code = kdr_cli_read(&p, &desired, &source, &clusters)) != KDR_EXIT_OK ||
	    (exit_code = kdr_cli_plan(&p, "plan")) != KDR_EXIT_OK)
		goto cleanup;
	render_with_change(&out, &p.plan, &desired, base_ref ? &change : NULL, base_connections, format);
	fwrite(out.ptr, 1, out.len, stdout);
	if (save_path) {
		kdr_buf_reset(&out);
		kdr_render_plan(&out, &p.plan, &desired, KDR_RENDER_JSON);
		exit_code = kdr_cli_write_file(save_path, out.ptr, out.len);
		if (exit_code != KDR_EXIT_OK)
			goto cleanup;
	}
	if (reassignments_dir && kdr_cli_write_reassignments(&p.plan, reassignments_dir) != KDR_EXIT_OK)
		exit_code = KDR_EXIT_ERROR;
	else if (kdr_pipeline_plan_has_errors(&p))
		exit_code = KDR_EXIT_ERROR;
	else if (detailed && !kdr_plan_is_empty(&p.plan))
		exit_code = KDR_EXIT_CHANGES;
cleanup:
	kdr_buf_release(&out);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	kdr_desired_release(&base);
	kdr_desired_diff_release(&change);
	kdr_strvec_release(&clusters);
	return exit_code;
}
