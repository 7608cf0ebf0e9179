#include <stdio.h>

#include "cli.h"
#include "source_opts.h"

static const struct option validate_options[] = {
	KDR_CLI_SOURCE_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec validate_spec = {
	.command = "validate",
	.usage = "kdr validate [DIR | --git URL [--ref R] [--path P] | --k8s [--namespace NS]]",
	.description = "Reads every *.yaml/*.yml under DIR (default '.') or in a Git commit, recursively, and\n"
		       "checks it offline:\n"
		       "schema, names, references, regexes, replication loops, placement, tiering and\n"
		       "conflicts. Prints every error and warning as FILE:LINE:COL: SEVERITY: FIELD: MESSAGE.\n"
		       "Exit status: 0 valid (warnings allowed), 1 invalid, 64 usage error.",
	.options_help = ""
			KDR_CLI_SOURCE_HELP,
	.options = validate_options,
	.short_options = "h",
};

int kdr_cmd_validate(int argc, char **argv)
{
	struct kdr_desired desired = { 0 };
	struct kdr_cli_source src = { 0 };
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
			if (kdr_cli_source_option(&src, opt, optarg))
				break;
			return kdr_cli_usage_error(&validate_spec, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return kdr_cli_usage_error(&validate_spec, "expected at most one directory, got %d arguments",
					   argc - optind);
	if (optind < argc)
		src.dir = argv[optind];
	exit_code = kdr_cli_source_check(&validate_spec, &src);
	if (exit_code != KDR_EXIT_OK)
		return exit_code;
	exit_code = kdr_cli_source_load(&desired, &src);
	if (exit_code == KDR_EXIT_OK)
		printf("valid: %zu cluster(s), %zu flow(s), %zu topic policy(ies), %zu access policy(ies) in '%s'\n",
		       desired.n_clusters, desired.n_flows, desired.n_policies, desired.n_access_policies,
		       src.k8s ? "kubernetes" : src.git_url ? src.git_url : src.dir ? src.dir : ".");
	kdr_desired_release(&desired);
	return exit_code;
}
