#ifndef KDR_CMD_ARGS_H
#define KDR_CMD_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "live_source.h"
#include "source_opts.h"
#include "util/strvec.h"

/*
 * One option parser for every subcommand: what its command line gave
 * besides the command's own options; then what the command's run holds
 * (the desired state, the pipeline, the output), released with the rest.
 */
struct kdr_cli_args {
	struct kdr_source_selection src; /* DIR (the positional argument), --git ..., --k8s ... */
	struct kdr_pipeline_options live; /* --offline, --timeout (default 30s); --cluster in `clusters` */
	struct kdr_strvec clusters;
	const char *file; /* spec->positional_file: the argument, when it is a regular file */
	bool help;        /* --help was printed: the command exits 0 */
	const struct kdr_cli_spec *spec; /* the command's (its name in messages) */
	struct kdr_desired desired;	 /* kdr_cli_load's */
	struct kdr_pipeline p;		 /* kdr_cli_reconcile's, over `desired` */
	struct kdr_buf out;		 /* what the command prints or writes */
};

/*
 * A command's own option `opt`: KDR_EXIT_OK when taken, -1 when it is not
 * one of the command's, else an exit status (the usage error printed).
 */
typedef int (*kdr_cli_option_fn)(void *ctx, int opt, const char *arg, const struct kdr_cli_spec *spec);

/*
 * Parses argv (argv[0] the command) against `spec`: --help (printed,
 * args->help set), the command's options through `own` (may be NULL), then
 * --cluster/--offline/--timeout and the source options; anything else is a
 * usage error. At most one positional argument: DIR, or with
 * spec->positional_file a regular file in args->file. Checks the source
 * options' combination. Returns KDR_EXIT_OK or the usage error's status.
 */
int kdr_cli_parse(struct kdr_cli_args *out, const struct kdr_cli_spec *spec, int argc, char **argv,
		  kdr_cli_option_fn own, void *ctx);

/* Releases the pipeline, the desired state, the output and the --cluster list. */
void kdr_cli_args_release(struct kdr_cli_args *args);

/* kdr_cli_source_load of the options' source into args->desired. Returns an enum kdr_exit. */
int kdr_cli_load(struct kdr_cli_args *args);

/*
 * A positive duration of at most INT32_MAX ms (24 days) for option `flag`
 * into *out; else the usage error "FLAG: 'ARG' is not a positive duration
 * HINT" (printed; `hint` e.g. "(e.g. 60s, 500ms, 5m)").
 */
int kdr_cli_duration(int64_t *out, const struct kdr_cli_spec *spec, const char *flag, const char *arg,
		     const char *hint);

/* --format text|json: sets *json; a usage error (printed) for anything else. */
int kdr_cli_format_json(bool *json, const struct kdr_cli_spec *spec, const char *arg);

#endif
