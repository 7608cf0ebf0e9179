#include <stdio.h>

#include "args.h"
#include "mm2/mm2.h"
#include "util/error.h"

/* What --format prints: the Connect REST bodies or an mm2.properties; its words at their values. */
enum render_format { RENDER_CONNECT_JSON, RENDER_MM2_PROPERTIES };

static const char *const format_names[] = {
	[RENDER_CONNECT_JSON] = "connect-json",
	[RENDER_MM2_PROPERTIES] = "mm2-properties",
	NULL,
};

struct render_args {
	const char *flow;
	enum render_format format;
};

static const struct kdr_cli_option render_options[] = {
	{ "flow", KDR_CLI_ARG(struct render_args, flow), 'F', "F", "only flow F" },
	{ "format", KDR_CLI_ENUM(struct render_args, format, format_names), 'f', "FORMAT",
	  "connect-json (default) or mm2-properties" },
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec render_spec = {
	KDR_CLI_DIR_COMMAND("render", render_options),
	.description = "Prints the MirrorMaker 2 connectors kdr would send for a ReplicationFlow (all flows\n"
		       "without --flow): as Kafka Connect REST bodies (connect-json, the default: a JSON array,\n"
		       "each element {\"connect\": CLUSTER, \"name\", \"config\"}), or as an mm2.properties for\n"
		       "connect-mirror-maker.sh. Secrets are shown as ${kdr:...} placeholders, never resolved.\n"
		       "Exit status: 0 success, 1 invalid documents or unknown flow, 64 usage error.",
};

/* The flows' connectors as Connect REST bodies, with the renderer's notes on stderr. */
static int render_connect_json(struct kdr_cli_args *args, const struct kdr_flow *flow)
{
	struct kdr_mm2_connectors connectors = { 0 };
	int rc = flow ? kdr_mm2_render_flow(&connectors, &args->desired, flow, NULL)
		      : kdr_mm2_render_all(&connectors, &args->desired, NULL);

	if (rc != 0) {
		fprintf(stderr, "kdr render: %s\n", kdr_error_message());
	} else {
		kdr_mm2_render_connect_json(&args->out, &connectors);
		for (size_t i = 0; i < connectors.notes.n; i++)
			fprintf(stderr, "note: %s\n", connectors.notes.v[i]);
	}
	kdr_mm2_connectors_release(&connectors);
	return rc == 0 ? KDR_EXIT_OK : KDR_EXIT_ERROR;
}

static int render(struct kdr_cli_args *args, void *ctx)
{
	const struct render_args *a = ctx;
	const struct kdr_flow *flow = NULL;
	int exit_code = KDR_EXIT_OK;

	if (a->flow && !(flow = kdr_desired_flow(&args->desired, a->flow))) {
		fprintf(stderr, "kdr render: --flow '%s': no ReplicationFlow of that name\n", a->flow);
		return KDR_EXIT_ERROR;
	}
	if (a->format == RENDER_MM2_PROPERTIES)
		kdr_mm2_render_properties(&args->out, &args->desired, flow, NULL);
	else if ((exit_code = render_connect_json(args, flow)) != KDR_EXIT_OK)
		return exit_code;
	fwrite(args->out.ptr, 1, args->out.len, stdout);
	return exit_code;
}

int kdr_cmd_render(int argc, char **argv)
{
	struct render_args a = { .format = RENDER_CONNECT_JSON };

	return kdr_cli_command(&(struct kdr_cli_steps){ .spec = &render_spec, .run = render }, argc, argv, &a);
}
