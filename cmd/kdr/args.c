#include "args.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/units.h"

/* The most options a command has (its table's entries, --help not counted). */
#define MAX_OPTIONS 40

/* getopt_long's tables built from spec->table: each option's id as `val`, then --help. */
static void getopt_tables(struct option longopts[MAX_OPTIONS + 2], char shortopts[2 * MAX_OPTIONS + 2],
			  const struct kdr_cli_spec *spec)
{
	size_t n = 0, s = 0;

	for (const struct kdr_cli_option *option = spec->table; option->name; option++, n++) {
		if (n == MAX_OPTIONS) {
			fprintf(stderr, "kdr %s: more than %d options (MAX_OPTIONS)\n", spec->command, MAX_OPTIONS);
			abort();
		}
		/* Every val distinct: glibc takes a prefix of two options with the same val as either. */
		longopts[n] = (struct option){ option->name, option->arg_name ? required_argument : no_argument, NULL,
					       option->to.set == KDR_CLI_CALL ? option->to.id : 0x10000 + (int)n };
		if (option->short_name) {
			shortopts[s++] = option->short_name;
			if (option->arg_name)
				shortopts[s++] = ':';
		}
	}
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[s++] = 'h';
	shortopts[s] = '\0';
}

/* The table's entry of what getopt_long returned (a long option's index, a short option's char), or NULL. */
static const struct kdr_cli_option *option_entry(const struct kdr_cli_spec *spec, int opt, int longindex)
{
	if (longindex >= 0)
		return spec->table[longindex].name ? &spec->table[longindex] : NULL;
	for (const struct kdr_cli_option *option = spec->table; option->name; option++)
		if (option->short_name == opt)
			return option;
	return NULL;
}

int kdr_cli_parse(struct kdr_cli_args *out, const struct kdr_cli_spec *spec, int argc, char **argv,
		  kdr_cli_option_fn own, void *ctx)
{
	struct option longopts[MAX_OPTIONS + 2];
	char shortopts[2 * MAX_OPTIONS + 2];
	int opt = 0, rc = 0, longindex = -1;

	memset(out, 0, sizeof(*out));
	out->spec = spec;
	out->out = (struct kdr_buf)KDR_BUF_INIT;
	out->live.timeout_ms = 30000;
	getopt_tables(longopts, shortopts, spec);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, &longindex)) != -1) {
		const struct kdr_cli_option *option = option_entry(spec, opt, longindex);

		longindex = -1;
		if (option && option->to.set == KDR_CLI_SET_TRUE) {
			*(bool *)((char *)ctx + option->to.offset) = true;
			continue;
		}
		if (option && option->to.set == KDR_CLI_SET_ARG) {
			*(const char **)((char *)ctx + option->to.offset) = optarg;
			continue;
		}
		opt = option ? option->to.id : opt;
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
	kdr_pipeline_release(&args->p);
	kdr_desired_release(&args->desired);
	kdr_buf_release(&args->out);
	kdr_strvec_release(&args->clusters);
}

int kdr_cli_load(struct kdr_cli_args *args)
{
	return kdr_cli_source_load(&args->desired, &args->src);
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
