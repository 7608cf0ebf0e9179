#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "source_opts.h"
#include "live/live.h"
#include "live_source.h"
#include "util/strvec.h"

enum {
	OPT_OUT = 'o',
	OPT_HELP = 'h',
};

static const struct option snapshot_options[] = {
	{ "out", required_argument, NULL, OPT_OUT },
	KDR_CLI_CLUSTER_OPTIONS,
	KDR_CLI_SOURCE_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec snapshot_spec = {
	.command = "snapshot",
	.usage = "kdr snapshot [DIR | --git URL [--ref R] [--path P]] [--cluster C]... [--out FILE] [--timeout 30s]",
	.description = "Reads the live state of the clusters declared in DIR (default '.'; all, or the\n"
		       "--cluster ones) and prints it as a snapshot (docs/snapshot-format.md), the file\n"
		       "'kdr plan --offline' reads. Secret values are never included.\n"
		       "Exit status: 0 success, 1 a cluster could not be read, 64 usage error.",
	.options_help = "  -c, --cluster C         only cluster C (repeatable)\n"
			"  -o, --out FILE          write to FILE instead of stdout\n"
			"      --timeout DURATION  per request to the clusters (default 30s)\n"
			KDR_CLI_SOURCE_HELP,
	.options = snapshot_options,
	.short_options = "c:o:h",
};

int kdr_cmd_snapshot(int argc, char **argv)
{
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_pipeline_options source = KDR_CLI_PIPELINE_OPTIONS_INIT;
	struct kdr_strvec clusters = KDR_STRVEC_INIT;
	struct kdr_buf out = KDR_BUF_INIT;
	const char *out_path = "-";
	struct kdr_cli_source src = { 0 };
	int exit_code = KDR_EXIT_OK;
	int opt;
	int live_rc = -1;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, snapshot_spec.short_options, snapshot_spec.options, NULL)) != -1) {
		switch (opt) {
		case OPT_HELP:
			kdr_cli_print_help(&snapshot_spec, stdout);
			goto cleanup;
		case OPT_OUT:
			out_path = optarg;
			break;
		default:
			live_rc = kdr_cli_live_option(&source, &clusters, &snapshot_spec, opt, optarg);
			if (live_rc > 0) {
				exit_code = live_rc;
				goto cleanup;
			}
			if (live_rc == 0 || kdr_cli_source_option(&src, opt, optarg))
				break;
			exit_code = kdr_cli_usage_error(&snapshot_spec, "unknown or incomplete option '%s'",
							argv[optind - 1]);
			goto cleanup;
		}
	}
	if (argc - optind > 1) {
		exit_code = kdr_cli_usage_error(&snapshot_spec, "expected at most one directory, got %d arguments",
						argc - optind);
		goto cleanup;
	}
	if (optind < argc)
		src.dir = argv[optind];
	exit_code = kdr_cli_source_check(&snapshot_spec, &src);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	exit_code = kdr_cli_source_load(&desired, &src);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	source.read_groups = KDR_READ_GROUPS_OFFSETS; /* the snapshot holds the consumer groups too */
	exit_code = kdr_cli_read(&p, &desired, &source, &clusters);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	kdr_live_to_json(&out, &p.live);
	exit_code = kdr_cli_write_file(out_path, out.ptr, out.len);
	/* A cluster that could not be read is missing from the snapshot: that is a failure. */
	for (size_t i = 0; i < desired.n_clusters && exit_code == KDR_EXIT_OK; i++) {
		const char *name = desired.clusters[i].meta.name;
		bool wanted = clusters.n == 0 || kdr_strvec_contains(&clusters, name);

		if (wanted && !kdr_live_cluster_find(&p.live, name))
			exit_code = KDR_EXIT_ERROR;
	}
cleanup:
	kdr_buf_release(&out);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	kdr_strvec_release(&clusters);
	return exit_code;
}
