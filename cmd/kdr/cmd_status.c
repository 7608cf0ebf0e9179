#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "live_source.h"
#include "plan/plan.h"
#include "plan/status.h"
#include "source_opts.h"
#include "util/error.h"
#include "util/strvec.h"

enum {
	OPT_FORMAT = 'f',
	OPT_HELP = 'h',
};

static const struct option status_options[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	KDR_CLI_CLUSTER_OPTIONS,
	KDR_CLI_OFFLINE_OPTION,
	KDR_CLI_SOURCE_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec status_spec = {
	.command = "status",
	.usage = "kdr status [DIR | --git URL [--ref R] [--path P]] [--cluster C]... [--format text|json]\n"
		 "                  [--offline SNAPSHOT.json] [--timeout 30s]",
	.description = "Reports the health of every ReplicationFlow: its connectors and tasks as Kafka Connect\n"
		       "reports them (with the first lines of failed tasks' traces), which of its mirrored\n"
		       "source topics have their remote topic on the target, and the placement violations and\n"
		       "DC-loss verdicts of existing declared topics. Changes nothing.\n"
		       "Exit status: 0 every flow healthy (warnings allowed), 1 a connector or task FAILED,\n"
		       "missing or paused while it should run, or a cluster or Connect unreachable; 64 usage error.",
	.options_help = "  -f, --format FORMAT     text (default) or json\n"
			"  -c, --cluster C         only flows from or to cluster C, and read only C (repeatable)\n"
			"      --offline FILE      report on a snapshot file (kdr snapshot) instead of the clusters\n"
			"      --timeout DURATION  per request to the clusters (default 30s)\n"
			KDR_CLI_SOURCE_HELP,
	.options = status_options,
	.short_options = "f:c:h",
};

int kdr_cmd_status(int argc, char **argv)
{
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_status status = { 0 };
	struct kdr_pipeline_options source = KDR_CLI_PIPELINE_OPTIONS_INIT;
	struct kdr_cli_source src = { 0 };
	struct kdr_strvec clusters = KDR_STRVEC_INIT;
	struct kdr_buf out = KDR_BUF_INIT;
	bool json = false;
	int exit_code = KDR_EXIT_OK;
	int opt;
	int live_rc = -1;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, status_spec.short_options, status_spec.options, NULL)) != -1) {
		switch (opt) {
		case OPT_HELP:
			kdr_cli_print_help(&status_spec, stdout);
			goto cleanup;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0) {
				json = true;
			} else if (strcmp(optarg, "text") != 0) {
				exit_code = kdr_cli_usage_error(&status_spec, "--format: unknown format '%s' "
									      "(allowed: text, json)", optarg);
				goto cleanup;
			}
			break;
		default:
			live_rc = kdr_cli_live_option(&source, &clusters, &status_spec, opt, optarg);
			if (live_rc > 0) {
				exit_code = live_rc;
				goto cleanup;
			}
			if (live_rc == 0 || kdr_cli_source_option(&src, opt, optarg))
				break;
			exit_code = kdr_cli_usage_error(&status_spec, "unknown or incomplete option '%s'",
							argv[optind - 1]);
			goto cleanup;
		}
	}
	if (argc - optind > 1) {
		exit_code = kdr_cli_usage_error(&status_spec, "expected at most one directory, got %d arguments",
						argc - optind);
		goto cleanup;
	}
	if (optind < argc)
		src.dir = argv[optind];
	exit_code = kdr_cli_source_check(&status_spec, &src);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	exit_code = kdr_cli_source_load(&desired, &src);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	/*
	 * A cluster or Connect that cannot be read is printed here and reported
	 * unreachable below; the plan of the same state marks connector drift
	 * and gives the topics' placement verdicts.
	 */
	if ((exit_code = kdr_cli_read(&p, &desired, &source, &clusters)) != KDR_EXIT_OK ||
	    (exit_code = kdr_cli_plan(&p, "status")) != KDR_EXIT_OK)
		goto cleanup;
	if (kdr_pipeline_status(&status, &p) != 0) {
		fprintf(stderr, "kdr status: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (json)
		kdr_status_render_json(&out, &status);
	else
		kdr_status_render_text(&out, &status);
	fwrite(out.ptr, 1, out.len, stdout);
	exit_code = status.level == KDR_STATUS_FAILED ? KDR_EXIT_ERROR : KDR_EXIT_OK;
cleanup:
	kdr_buf_release(&out);
	kdr_status_release(&status);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	kdr_strvec_release(&clusters);
	return exit_code;
}
