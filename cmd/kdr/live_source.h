#ifndef KDR_CMD_LIVE_SOURCE_H
#define KDR_CMD_LIVE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "live/live.h"
#include "model/model.h"

/* Where the live state comes from: a snapshot file, or the clusters themselves. */
struct kdr_live_source_options {
	const char *snapshot_path;   /* --offline FILE; NULL: read the clusters */
	const char *const *clusters; /* --cluster filter; NULL: every declared cluster */
	size_t n_clusters;
	int64_t timeout_ms;
};

#define KDR_LIVE_SOURCE_OPTIONS_INIT { NULL, NULL, 0, 30000 }

int kdr_live_source_parse_timeout(struct kdr_live_source_options *options, const char *text);

/*
 * Fills `out` with the live state of the desired clusters (all, or the
 * filtered ones). Prints errors to stderr; returns an enum kdr_exit.
 */
int kdr_live_source_read(struct kdr_live *out, const struct kdr_desired *desired,
			 const struct kdr_live_source_options *options);

#endif
