#ifndef KDR_CMD_LIVE_SOURCE_H
#define KDR_CMD_LIVE_SOURCE_H

#include <stdint.h>

#include "cli.h"
#include "pipeline/pipeline.h"
#include "util/strvec.h"
#include "model/model.h"

/* The options of every command that reads live clusters. */
enum {
	KDR_OPT_CLUSTER = 'c',
	KDR_OPT_OFFLINE = 2100,
	KDR_OPT_TIMEOUT,
};


/* The entries of the options above in a command's table (struct kdr_cli_option), with the command's help. */
#define KDR_CLI_OPTION_CLUSTER(help) { "cluster", KDR_CLI_ID(KDR_OPT_CLUSTER), 'c', "C", help }
#define KDR_CLI_OPTION_OFFLINE(help) { "offline", KDR_CLI_ID(KDR_OPT_OFFLINE), 0, "FILE", help }
#define KDR_CLI_OPTION_TIMEOUT(help) { "timeout", KDR_CLI_ID(KDR_OPT_TIMEOUT), 0, "DURATION", help }
#define KDR_CLI_TIMEOUT_HELP "per request to the clusters (default 30s)"

/*
 * Takes --cluster (appended to `clusters`), --timeout and --offline into
 * `options`. Returns -1 when `opt` is none of them, else KDR_EXIT_OK or the
 * usage error (already printed against `spec`).
 */
int kdr_cli_live_option(struct kdr_pipeline_options *options, struct kdr_strvec *clusters,
			const struct kdr_cli_spec *spec, int opt, const char *arg);

#endif
