#ifndef KDR_PLAN_MM2_FILTER_H
#define KDR_PLAN_MM2_FILTER_H

/*
 * MirrorMaker 2's replication decision as the plan models it (implemented in
 * mirror_preview.c), public so that flow health (pkg/health) judges remote
 * topics by the same rule the mirror preview uses.
 */

#include <stdbool.h>

#include "live/live.h"
#include "model/model.h"
#include "util/regex.h"

/*
 * One flow's topic filter as MirrorMaker 2 runs it: `topics` and
 * `topics.exclude` as the connector config carries them (comma-separated,
 * MM2's defaults when a key is absent), and the replication policy that
 * names remote topics and detects cycles.
 */
struct kdr_plan_mm2_filter {
	/*
	 * A view used only for naming (kdr_mm2_remote_topic / _topic_source):
	 * source, target, replication_policy and separator are set, lent from
	 * the flow or the live connector's config; nothing else is.
	 */
	struct kdr_flow naming;
	struct kdr_regex_set topics;
	struct kdr_regex_set exclude;
};

/*
 * The filter the flow's source connector is rendered with (the user's
 * exclusions plus MM2's defaults when keepDefaultExcludes). Returns 0, or
 * KDR_EINVALID (message set) for a pattern that does not compile; `out` is
 * then empty but safe to release.
 */
int kdr_plan_mm2_filter_desired(struct kdr_plan_mm2_filter *out, const struct kdr_flow *flow);

/* The filter a live MirrorSourceConnector runs with; its config is lent and must outlive `out`. */
int kdr_plan_mm2_filter_live(struct kdr_plan_mm2_filter *out, const struct kdr_live_connector *live);

/*
 * MirrorSourceConnector.shouldReplicateTopic (Kafka 3.9): the filter accepts
 * the topic (or it is a heartbeats topic, always replicated), it is not
 * internal to the policy, and it is not a cycle (its name says it came from
 * the flow's target). *filter_matched (may be NULL) tells whether the
 * filter itself accepted it, heartbeats aside.
 */
bool kdr_plan_mm2_replicates(const struct kdr_plan_mm2_filter *filter, const char *topic, bool *filter_matched);

void kdr_plan_mm2_filter_release(struct kdr_plan_mm2_filter *filter);

#endif
