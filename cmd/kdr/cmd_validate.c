#include <stdio.h>

#include "args.h"

static const struct kdr_cli_option validate_options[] = {
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec validate_spec = {
	.program = "kdr",
	.command = "validate",
	.args = "[DIR]",
	.description = "Reads every *.yaml/*.yml under DIR (default '.') or in a Git commit, recursively, and\n"
		       "checks it offline:\n"
		       "schema, names, references, regexes, replication loops, placement, tiering and\n"
		       "conflicts. Prints every error and warning as FILE:LINE:COL: SEVERITY: FIELD: MESSAGE.\n"
		       "Exit status: 0 valid (warnings allowed), 1 invalid, 64 usage error.",
	.table = validate_options,
};

int kdr_cmd_validate(int argc, char **argv)
{
	struct kdr_cli_args args;
	int exit_code = kdr_cli_parse(&args, &validate_spec, argc, argv, NULL, NULL);

	if (exit_code == KDR_EXIT_OK && !args.help && (exit_code = kdr_cli_load(&args)) == KDR_EXIT_OK)
		printf("valid: %zu cluster(s), %zu flow(s), %zu topic policy(ies), %zu access policy(ies) in '%s'\n",
		       args.desired.n_clusters, args.desired.n_flows, args.desired.n_policies,
		       args.desired.n_access_policies,
		       args.src.k8s	  ? "kubernetes"
		       : args.src.git_url ? args.src.git_url
		       : args.src.dir	  ? args.src.dir
					  : ".");
	kdr_cli_args_release(&args);
	return exit_code;
}
