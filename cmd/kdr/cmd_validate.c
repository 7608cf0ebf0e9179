#include <stdio.h>

#include "args.h"

static const struct kdr_cli_option validate_options[] = {
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec validate_spec = {
	KDR_CLI_DIR_COMMAND("validate", validate_options),
	.description = "Reads every *.yaml/*.yml under DIR (default '.') or in a Git commit, recursively, and\n"
		       "checks it offline:\n"
		       "schema, names, references, regexes, replication loops, placement, tiering and\n"
		       "conflicts. Prints every error and warning as FILE:LINE:COL: SEVERITY: FIELD: MESSAGE.\n"
		       "Exit status: 0 valid (warnings allowed), 1 invalid, 64 usage error.",
};

static int validate(struct kdr_cli_args *args, void *ctx)
{
	(void)ctx;
	printf("valid: %zu cluster(s), %zu flow(s), %zu topic policy(ies), %zu access policy(ies) in '%s'\n",
	       args->desired.n_clusters, args->desired.n_flows, args->desired.n_policies,
	       args->desired.n_access_policies,
	       args->src.k8s	   ? "kubernetes"
	       : args->src.git_url ? args->src.git_url
	       : args->src.dir	   ? args->src.dir
				   : ".");
	return KDR_EXIT_OK;
}

int kdr_cmd_validate(int argc, char **argv)
{
	return kdr_cli_command(&(struct kdr_cli_steps){ .spec = &validate_spec, .run = validate }, argc, argv, NULL);
}
