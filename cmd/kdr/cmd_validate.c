#include <stdio.h>

#include "cli.h"

static const struct option validate_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec validate_spec = {
	.command = "validate",
	.usage = "kdr validate [DIR]",
	.description = "Reads every *.yaml/*.yml under DIR (default '.'), recursively, and checks it offline:\n"
		       "schema, names, references, regexes, replication loops, placement, tiering and\n"
		       "conflicts. Prints every error and warning as FILE:LINE:COL: SEVERITY: FIELD: MESSAGE.\n"
		       "Exit status: 0 valid (warnings allowed), 1 invalid, 64 usage error.",
	.options_help = "",
	.options = validate_options,
	.short_options = "h",
};

int kdr_cmd_validate(int argc, char **argv)
{
	struct kdr_desired desired = { 0 };
	const char *dir = ".";
	int opt;
	int exit_code;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, validate_spec.short_options, validate_spec.options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			kdr_cli_print_help(&validate_spec, stdout);
			return KDR_EXIT_OK;
		default:
			return kdr_cli_usage_error(&validate_spec, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return kdr_cli_usage_error(&validate_spec, "expected at most one directory, got %d arguments",
					   argc - optind);
	if (optind < argc)
		dir = argv[optind];
	exit_code = kdr_cli_load_desired(&desired, dir);
	if (exit_code == KDR_EXIT_OK)
		printf("valid: %zu cluster(s), %zu flow(s), %zu topic policy(ies) in '%s'\n", desired.n_clusters,
		       desired.n_flows, desired.n_policies, dir);
	kdr_desired_release(&desired);
	return exit_code;
}
