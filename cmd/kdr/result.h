#ifndef KDR_CMD_RESULT_H
#define KDR_CMD_RESULT_H

#include "args.h"
#include "pipeline/pipeline.h"
#include "util/buf.h"

/*
 * The CLI's side of a command that is one pipeline run (lag, backup,
 * restore): the options in, the rendering and the exit status out.
 */

/* The command line's pipeline options (--cluster, --offline, --timeout) with the source's secret resolver. */
const struct kdr_pipeline_options *kdr_cli_pipeline_options(struct kdr_cli_args *args);

/* Writes `err` to stderr, then `out` to stdout (buffered until exit, as printf is); releases both. */
void kdr_cli_print(struct kdr_buf *out, struct kdr_buf *err);

/* Writes `err` to stderr (a step that prints only diagnostics); releases it. */
void kdr_cli_print_err(struct kdr_buf *err);

/* The exit status of a run's outcome: 0, 1, 2 (enum kdr_exit). */
int kdr_cli_exit_status(enum kdr_pipeline_outcome outcome);

#endif
