#include "args.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/units.h"

int kdr_cli_parse(struct kdr_cli_args *out, const struct kdr_cli_spec *spec, int argc, char **argv,
		  kdr_cli_option_fn own, void *ctx)
{
	int opt = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	out->spec = spec;
	out->live.timeout_ms = 30000;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, spec->short_options, spec->options, NULL)) != -1) {
		if (opt == 'h') {
			kdr_cli_print_help(spec, stdout);
			out->help = true;
			return KDR_EXIT_OK;
		}
		rc = own ? own(ctx, opt, optarg, spec) : -1;
		if (rc < 0)
			rc = kdr_cli_live_option(&out->live, &out->clusters, spec, opt, optarg);
		if (rc < 0 && kdr_cli_source_option(&out->src, opt, optarg))
			rc = KDR_EXIT_OK;
		if (rc < 0)
			return kdr_cli_usage_error(spec, "unknown or incomplete option '%s'", argv[optind - 1]);
		if (rc != KDR_EXIT_OK)
			return rc;
	}
	if (argc - optind > 1)
		return kdr_cli_usage_error(spec, "expected at most one directory, got %d arguments", argc - optind);
	if (optind < argc) {
		struct stat st;

		/* A file is a saved plan (kdr apply PLAN.json); a directory holds documents. */
		if (spec->positional_file && stat(argv[optind], &st) == 0 && S_ISREG(st.st_mode))
			out->file = argv[optind];
		else
			out->src.dir = argv[optind];
	}
	return kdr_cli_source_check(spec, &out->src);
}

void kdr_cli_args_release(struct kdr_cli_args *args)
{
	kdr_strvec_release(&args->clusters);
}

int kdr_cli_duration(int64_t *out, const struct kdr_cli_spec *spec, const char *flag, const char *arg,
		     const char *hint)
{
	int64_t ms = 0;

	if (kdr_parse_duration_ms(&ms, arg, 0) != 0 || ms <= 0 || ms > INT32_MAX)
		return kdr_cli_usage_error(spec, "%s: '%s' is not a positive duration %s", flag, arg, hint);
	*out = ms;
	return KDR_EXIT_OK;
}

int kdr_cli_format_json(bool *json, const struct kdr_cli_spec *spec, const char *arg)
{
	if (strcmp(arg, "json") == 0)
		*json = true;
	else if (strcmp(arg, "text") == 0)
		*json = false;
	else
		return kdr_cli_usage_error(spec, "--format: unknown format '%s' (allowed: text, json)", arg);
	return KDR_EXIT_OK;
}

const struct kdr_flow *kdr_cli_flow(const struct kdr_desired *desired, const char *name, const struct kdr_cli_spec *spec)
{
	const struct kdr_flow *flow = kdr_desired_flow(desired, name);

	if (!flow)
		fprintf(stderr, "kdr %s: --flow '%s': no ReplicationFlow of that name is declared\n", spec->command, name);
	return flow;
}

int kdr_cli_read_flow(struct kdr_pipeline *p, const struct kdr_desired *desired, struct kdr_cli_args *args,
		      const struct kdr_flow *flow)
{
	kdr_strvec_push(&args->clusters, flow->source);
	kdr_strvec_push(&args->clusters, flow->target);
	return kdr_cli_read(p, desired, &args->live, &args->clusters);
}
