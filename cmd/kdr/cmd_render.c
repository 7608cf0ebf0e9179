#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "source_opts.h"
#include "mm2/mm2.h"
#include "util/error.h"

enum {
	OPT_FLOW = 'F',
	OPT_FORMAT = 'f',
	OPT_HELP = 'h',
};

static const struct option render_options[] = {
	{ "flow", required_argument, NULL, OPT_FLOW },
	{ "format", required_argument, NULL, OPT_FORMAT },
	KDR_CLI_SOURCE_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec render_spec = {
	.command = "render",
	.usage = "kdr render [DIR | --git URL [--ref R] [--path P]] [--flow F] [--format connect-json|mm2-properties]",
	.description = "Prints the MirrorMaker 2 connectors kdr would send for a ReplicationFlow (all flows\n"
		       "without --flow): as Kafka Connect REST bodies (connect-json, the default: a JSON array,\n"
		       "each element {\"connect\": CLUSTER, \"name\", \"config\"}), or as an mm2.properties for\n"
		       "connect-mirror-maker.sh. Secrets are shown as ${kdr:...} placeholders, never resolved.\n"
		       "Exit status: 0 success, 1 invalid documents or unknown flow, 64 usage error.",
	.options_help = "  -F, --flow F            only flow F\n"
			"  -f, --format FORMAT     connect-json (default) or mm2-properties\n"
			KDR_CLI_SOURCE_HELP,
	.options = render_options,
	.short_options = "F:f:h",
};

int kdr_cmd_render(int argc, char **argv)
{
	struct kdr_desired desired = { 0 };
	struct kdr_mm2_connectors connectors = { 0 };
	struct kdr_buf out = KDR_BUF_INIT;
	const struct kdr_flow *flow = NULL;
	const char *flow_name = NULL;
	struct kdr_cli_source src = { 0 };
	bool properties = false;
	int exit_code = KDR_EXIT_OK;
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, render_spec.short_options, render_spec.options, NULL)) != -1) {
		switch (opt) {
		case OPT_HELP:
			kdr_cli_print_help(&render_spec, stdout);
			goto cleanup;
		case OPT_FLOW:
			flow_name = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "mm2-properties") == 0) {
				properties = true;
			} else if (strcmp(optarg, "connect-json") != 0) {
				exit_code = kdr_cli_usage_error(&render_spec, "--format: unknown format '%s' (allowed: "
									      "connect-json, mm2-properties)", optarg);
				goto cleanup;
			}
			break;
		default:
			if (kdr_cli_source_option(&src, opt, optarg))
				break;
			exit_code = kdr_cli_usage_error(&render_spec, "unknown or incomplete option '%s'", argv[optind - 1]);
			goto cleanup;
		}
	}
	if (argc - optind > 1) {
		exit_code = kdr_cli_usage_error(&render_spec, "expected at most one directory, got %d arguments",
						argc - optind);
		goto cleanup;
	}
	if (optind < argc)
		src.dir = argv[optind];
	exit_code = kdr_cli_source_check(&render_spec, &src);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	exit_code = kdr_cli_source_load(&desired, &src);
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	if (flow_name) {
		flow = kdr_desired_flow(&desired, flow_name);
		if (!flow) {
			fprintf(stderr, "kdr render: --flow '%s': no ReplicationFlow of that name\n", flow_name);
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
	}
	if (properties) {
		kdr_mm2_render_properties(&out, &desired, flow, NULL);
	} else {
		int rc = flow ? kdr_mm2_render_flow(&connectors, &desired, flow, NULL)
			      : kdr_mm2_render_all(&connectors, &desired, NULL);

		if (rc != 0) {
			fprintf(stderr, "kdr render: %s\n", kdr_error_message());
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
		kdr_mm2_render_connect_json(&out, &connectors);
		for (size_t i = 0; i < connectors.notes.n; i++)
			fprintf(stderr, "note: %s\n", connectors.notes.v[i]);
	}
	fwrite(out.ptr, 1, out.len, stdout);
cleanup:
	kdr_buf_release(&out);
	kdr_mm2_connectors_release(&connectors);
	kdr_desired_release(&desired);
	return exit_code;
}
