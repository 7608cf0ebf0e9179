#include <stdio.h>
#include <string.h>

#include "args.h"
#include "mm2/mm2.h"
#include "util/error.h"

enum { OPT_FORMAT = 'f' };

struct render_args {
	const char *flow;
	bool properties;
};

static const struct kdr_cli_option render_options[] = {
	{ "flow", KDR_CLI_ARG(struct render_args, flow), 'F', "F", "only flow F" },
	{ "format", KDR_CLI_ID(OPT_FORMAT), 'f', "FORMAT", "connect-json (default) or mm2-properties" },
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec render_spec = {
	.program = "kdr",
	.command = "render",
	.args = "[DIR]",
	.description = "Prints the MirrorMaker 2 connectors kdr would send for a ReplicationFlow (all flows\n"
		       "without --flow): as Kafka Connect REST bodies (connect-json, the default: a JSON array,\n"
		       "each element {\"connect\": CLUSTER, \"name\", \"config\"}), or as an mm2.properties for\n"
		       "connect-mirror-maker.sh. Secrets are shown as ${kdr:...} placeholders, never resolved.\n"
		       "Exit status: 0 success, 1 invalid documents or unknown flow, 64 usage error.",
	.table = render_options,
};

static int render_option(void *ctx, int opt, const char *arg, const struct kdr_cli_spec *spec)
{
	struct render_args *a = ctx;

	if (opt != OPT_FORMAT)
		return -1;
	if (strcmp(arg, "mm2-properties") == 0)
		a->properties = true;
	else if (strcmp(arg, "connect-json") != 0)
		return kdr_cli_usage_error(spec, "--format: unknown format '%s' (allowed: connect-json, mm2-properties)",
					   arg);
	return KDR_EXIT_OK;
}

int kdr_cmd_render(int argc, char **argv)
{
	struct render_args a = { 0 };
	struct kdr_cli_args args;
	struct kdr_mm2_connectors connectors = {0};
	const struct kdr_flow *flow = NULL;
	int exit_code = kdr_cli_parse(&args, &render_spec, argc, argv, render_option, &a);

	if (exit_code != KDR_EXIT_OK || args.help || (exit_code = kdr_cli_load(&args)) != KDR_EXIT_OK)
		goto cleanup;
	if (a.flow && !(flow = kdr_desired_flow(&args.desired, a.flow))) {
		fprintf(stderr, "kdr render: --flow '%s': no ReplicationFlow of that name\n", a.flow);
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (a.properties) {
		kdr_mm2_render_properties(&args.out, &args.desired, flow, NULL);
	} else {
		int rc = flow ? kdr_mm2_render_flow(&connectors, &args.desired, flow, NULL)
			      : kdr_mm2_render_all(&connectors, &args.desired, NULL);

		if (rc != 0) {
			fprintf(stderr, "kdr render: %s\n", kdr_error_message());
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
		kdr_mm2_render_connect_json(&args.out, &connectors);
		for (size_t i = 0; i < connectors.notes.n; i++)
			fprintf(stderr, "note: %s\n", connectors.notes.v[i]);
	}
	fwrite(args.out.ptr, 1, args.out.len, stdout);
cleanup:
	kdr_mm2_connectors_release(&connectors);
	kdr_cli_args_release(&args);
	return exit_code;
}
