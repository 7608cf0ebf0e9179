#ifndef KDR_HEALTH_HEALTH_INTERNAL_H
#define KDR_HEALTH_HEALTH_INTERNAL_H

/*
 * Shared between the files of pkg/health only (not part of its API): the
 * level rule and the per-part judges kdr_health_compute (health.c) calls.
 */

#include "health/health.h"
#include "mm2/mm2.h"
#include "resolve/resolve.h"

/* Raises *level to `to` when `to` is worse (a part's level is the worst of its findings). */
void kdr_health__raise_level(enum kdr_health_level *level, enum kdr_health_level to);

/* The cluster named `name` of `status` (lent), NULL when it is not declared. */
const struct kdr_health_cluster *kdr_health__cluster_of(const struct kdr_health *status, const char *name);

/*
 * connectors.c: one connector the flow renders, judged against what Connect
 * reports for it (into an uninitialised `sc`); `plan` (may be NULL) marks drift.
 */
void kdr_health__connector(struct kdr_health_connector *sc, const struct kdr_mm2_connector *connector,
			   const struct kdr_flow *flow, const struct kdr_health *status, const struct kdr_live *live,
			   const struct kdr_plan *plan);
void kdr_health__connector_release(struct kdr_health_connector *sc);

/* remote_topics.c: the flow's mirrored source topics and their copies on the target (both clusters read). */
/* `filters`: the flow's compiled regexes (kdr_health_options.filters), or NULL: compiled here. */
void kdr_health__remote_topics(struct kdr_health_flow *sf, const struct kdr_flow *flow, const struct kdr_live *live,
			       const struct kdr_resolve_flow_filters *filters);

/* topics.c: the plan's placement and DC-loss verdicts about declared topics that exist now. */
void kdr_health__topics(struct kdr_health *out, const struct kdr_live *live, const struct kdr_plan *plan);

#endif
