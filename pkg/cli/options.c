#include "cli/cli_internal.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* The most options a command has (its table's entries, --help not counted). */
#define MAX_OPTIONS 40

/* What getopt_long returns for -h/--help. */
#define HELP_ID 'h'

/* getopt_long's tables built from spec->table: each option's id as `val`, then --help. */
static void getopt_tables(struct option longopts[MAX_OPTIONS + 2], char shortopts[2 * MAX_OPTIONS + 2],
			  const struct kdr_cli_spec *spec)
{
	size_t n = 0, s = 0;

	for (const struct kdr_cli_option *option = spec->table; option->name; option++, n++) {
		if (n == MAX_OPTIONS) {
			fprintf(stderr, "%s %s: more than %d options (MAX_OPTIONS)\n", spec->program, spec->command,
				MAX_OPTIONS);
			abort();
		}
		/* Every val distinct: glibc takes a prefix of two options with the same val as either. */
		longopts[n] = (struct option){option->name, option->arg_name ? required_argument : no_argument, NULL,
					      option->to.set == KDR_CLI_CALL ? option->to.id : 0x10000 + (int)n};
		if (option->short_name) {
			shortopts[s++] = option->short_name;
			if (option->arg_name)
				shortopts[s++] = ':';
		}
	}
	longopts[n] = (struct option){"help", no_argument, NULL, HELP_ID};
	longopts[n + 1] = (struct option){NULL, 0, NULL, 0};
	shortopts[s++] = HELP_ID;
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

/* The first option whose help says "(required" that was not given (seen[i]: table entry i was), or NULL. */
static const struct kdr_cli_option *missing(const struct kdr_cli_spec *spec, const bool *seen)
{
	for (size_t i = 0; spec->table[i].name; i++)
		if (!seen[i] && strstr(spec->table[i].help, "(required"))
			return &spec->table[i];
	return NULL;
}

int kdr_cli_options_parse(int *first_arg, bool *help, const struct kdr_cli_spec *spec, int argc, char **argv,
			  void *fields, kdr_cli_option_fn fn, void *fn_ctx)
{
	struct option longopts[MAX_OPTIONS + 2];
	char shortopts[2 * MAX_OPTIONS + 2];
	bool seen[MAX_OPTIONS] = {false};
	const struct kdr_cli_option *option = NULL;
	int opt = 0, rc = 0, longindex = -1;

	*help = false;
	getopt_tables(longopts, shortopts, spec);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, &longindex)) != -1) {
		option = option_entry(spec, opt, longindex);
		longindex = -1;
		if (!option && opt == HELP_ID) {
			kdr_cli_help_print(spec, stdout);
			*help = true;
			return 0;
		}
		/* '?' (unknown, or its argument missing) is no option's id: fn declines it or is never asked. */
		if (option && option->to.set != KDR_CLI_CALL)
			rc = kdr_cli__set_field(fields, option, optarg, spec);
		else
			rc = option && fn ? fn(fn_ctx, option->to.id, optarg, spec) : -1;
		if (rc < 0)
			return kdr_cli_usage_error(spec, "unknown or incomplete option '%s'", argv[optind - 1]);
		if (rc != 0)
			return rc;
		seen[option - spec->table] = true;
	}
	if ((option = missing(spec, seen)))
		return kdr_cli_usage_error(spec, "--%s%s%s is required", option->name, option->arg_name ? " " : "",
					   option->arg_name ? option->arg_name : "");
	*first_arg = optind;
	return 0;
}
