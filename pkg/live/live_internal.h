#ifndef KDR_LIVE_LIVE_INTERNAL_H
#define KDR_LIVE_LIVE_INTERNAL_H

#include "live/live.h"

/* Consumer groups of a cluster (groups.c): sort, deep copy into an empty out, release. */
void kdr_live__groups_sort(struct kdr_live_cluster *cl);
void kdr_live__groups_copy(struct kdr_live_cluster *out, const struct kdr_live_cluster *src);
void kdr_live__groups_release(struct kdr_live_cluster *cl);

#endif
