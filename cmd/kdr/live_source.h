#ifndef KDR_CMD_LIVE_SOURCE_H
#define KDR_CMD_LIVE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "executor/executor.h"
#include "live/live.h"
#include "util/strvec.h"
#include "model/model.h"

/* Where the live state comes from: a snapshot file, or the clusters themselves. */
struct kdr_live_source_options {
	const char *snapshot_path;   /* --offline FILE; NULL: read the clusters */
	const char *const *clusters; /* --cluster filter; NULL: every declared cluster */
	size_t n_clusters;
	int64_t timeout_ms;
	int read_groups; /* enum kdr_read_groups: also the consumer groups (plan's preview, snapshot, failover) */
};

#define KDR_LIVE_SOURCE_OPTIONS_INIT { NULL, NULL, 0, 30000, 0 }

int kdr_live_source_parse_timeout(struct kdr_live_source_options *options, const char *text);

/* The options of every command that reads live clusters. */
enum {
	KDR_OPT_CLUSTER = 'c',
	KDR_OPT_OFFLINE = 2100,
	KDR_OPT_TIMEOUT,
};

#define KDR_CLI_CLUSTER_OPTIONS                                                                                       \
	{ "cluster", required_argument, NULL, KDR_OPT_CLUSTER }, { "timeout", required_argument, NULL, KDR_OPT_TIMEOUT }
#define KDR_CLI_OFFLINE_OPTION { "offline", required_argument, NULL, KDR_OPT_OFFLINE }

/*
 * Takes --cluster (appended to `clusters`), --timeout and --offline into
 * `options`. Returns -1 when `opt` is none of them, else KDR_EXIT_OK or the
 * usage error (already printed against `spec`).
 */
int kdr_cli_live_option(struct kdr_live_source_options *options, struct kdr_strvec *clusters,
			const struct kdr_cli_spec *spec, int opt, const char *arg);

/*
 * Fills `out` with the live state of the desired clusters (all, or the
 * filtered ones). Prints errors to stderr; returns an enum kdr_exit.
 */
int kdr_live_source_read(struct kdr_live *out, const struct kdr_desired *desired,
			 const struct kdr_live_source_options *options);

#endif
