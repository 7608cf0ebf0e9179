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
	const char *file; /* steps->plan_file: the argument, when it is a regular file (a saved plan) */
	bool help;        /* --help was printed: the command exits 0 */
	const struct kdr_cli_spec *spec; /* the command's (its name in messages) */
	struct kdr_source source;	 /* kdr_cli_load's: the opened source (secrets, where a DR step records) */
	struct kdr_desired desired;	 /* kdr_cli_load's */
	struct kdr_buf out;		 /* what the command prints or writes */
};

/* The start of a `kdr NAME [DIR]` command's spec (struct kdr_cli_spec): its name and option table. */
#define KDR_CLI_DIR_COMMAND(name, options) .program = "kdr", .command = name, .args = "[DIR]", .table = options

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

/* Releases the desired state, the output, the --cluster list and the source. */
void kdr_cli_args_release(struct kdr_cli_args *args);

/* Opens the options' source into args->source and loads it into args->desired (kdr_cli_source_load). Returns an enum kdr_exit. */
int kdr_cli_load(struct kdr_cli_args *args);

/*
 * What one subcommand adds to the skeleton every loading command shares
 * (kdr_cli_command): its options, its checks before the load, its work on
 * the loaded desired state.
 */
struct kdr_cli_steps {
	const struct kdr_cli_spec *spec;
	kdr_cli_option_fn option; /* the command's KDR_CLI_ID options, or NULL */
	bool plan_file;		  /* the argument may be a saved plan (kdr apply PLAN.json) */
	/* Between the parse and the load, or NULL: KDR_EXIT_OK or a usage error's status. */
	int (*check)(struct kdr_cli_args *args, void *ctx);
	/* After the load: the command's run and rendering; returns its exit status. */
	int (*run)(struct kdr_cli_args *args, void *ctx);
};

/*
 * Parses argv into `ctx` (the command's own options) and the shared args,
 * returns on a usage error or --help, then check, load, run; releases the
 * args. Returns an enum kdr_exit.
 */
int kdr_cli_command(const struct kdr_cli_steps *steps, int argc, char **argv, void *ctx);

#endif
