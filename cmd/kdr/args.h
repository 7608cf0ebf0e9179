#ifndef KDR_CMD_ARGS_H
#define KDR_CMD_ARGS_H

#include <stdbool.h>

#include "cli.h"
#include "live_source.h"
#include "source_opts.h"
#include "util/strvec.h"

/*
 * One option parser for every subcommand: what its command line gave
 * besides the command's own options; then what the command's run holds
 * (the desired state, the output), released with the rest.
 */
struct kdr_cli_args {
	struct kdr_source_selection src; /* DIR (the positional argument), --git ..., --k8s ... */
	struct kdr_pipeline_options live; /* --offline, --timeout (default 30s); --cluster in `clusters` */
	struct kdr_strvec clusters;
	const char *file; /* kdr_cli_parse_plan: the argument, when it is a regular file */
	bool help;        /* --help was printed: the command exits 0 */
	const struct kdr_cli_spec *spec; /* the command's (its name in messages) */
	struct kdr_desired desired;	 /* kdr_cli_load's */
	struct kdr_buf out;		 /* what the command prints or writes */
};

/*
 * Parses argv (argv[0] the command) against `spec` (kdr_cli_options_parse,
 * `ctx` the fields of its KDR_CLI_TRUE and KDR_CLI_ARG options): --help
 * (printed, args->help set), the command's KDR_CLI_ID options through `own`
 * (may be NULL), then --cluster/--offline/--timeout and the source options.
 * At most one positional argument, DIR. Checks the source options'
 * combination. Returns KDR_EXIT_OK or the usage error's status.
 */
int kdr_cli_parse(struct kdr_cli_args *out, const struct kdr_cli_spec *spec, int argc, char **argv,
		  kdr_cli_option_fn own, void *ctx);

/* kdr_cli_parse, but the argument may also be a saved plan (kdr apply PLAN.json): a regular file, in args->file. */
int kdr_cli_parse_plan(struct kdr_cli_args *out, const struct kdr_cli_spec *spec, int argc, char **argv,
		       kdr_cli_option_fn own, void *ctx);

/* Releases the desired state, the output and the --cluster list. */
void kdr_cli_args_release(struct kdr_cli_args *args);

/* kdr_cli_source_load of the options' source into args->desired. Returns an enum kdr_exit. */
int kdr_cli_load(struct kdr_cli_args *args);

#endif
