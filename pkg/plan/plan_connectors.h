#ifndef KDR_PLAN_CONNECTORS_H
#define KDR_PLAN_CONNECTORS_H

#include "plan/plan_internal.h"

/*
 * The MirrorMaker 2 part of the plan: the connectors every ReplicationFlow
 * renders (pkg/mm2) against the connectors each Connect cluster runs.
 * Owned connectors ("kdr." prefix) are created, updated, paused, resumed,
 * restarted and deleted; no other connector is ever touched, but one that
 * looks like MM2 for a managed flow gets a warning. A Connect attached to
 * another Kafka cluster than the one it is declared for is a blocked error.
 * Then the mirror preview and the cross-cluster checks (below).
 */
void plan_connectors(struct plan_ctx *ctx, const struct kdr_plan_options *options);

/* --- mirror_preview.c: MM2's replication decision and the preview --- */

/*
 * One flow's topic filter as MirrorMaker 2 runs it: `topics` and
 * `topics.exclude` as the connector config carries them (comma-separated,
 * MM2's defaults when a key is absent), and the replication policy that
 * names remote topics and detects cycles.
 */
struct plan_mm2_filter {
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
int plan_mm2_filter_desired(struct plan_mm2_filter *out, const struct kdr_flow *flow);

/* The filter a live MirrorSourceConnector runs with; its config is lent and must outlive `out`. */
int plan_mm2_filter_live(struct plan_mm2_filter *out, const struct kdr_live_connector *live);

/*
 * MirrorSourceConnector.shouldReplicateTopic (Kafka 3.9): the filter accepts
 * the topic (or it is a heartbeats topic, always replicated), it is not
 * internal to the policy, and it is not a cycle (its name says it came from
 * the flow's target). *filter_matched (may be NULL) tells whether the
 * filter itself accepted it, heartbeats aside.
 */
bool plan_mm2_replicates(const struct plan_mm2_filter *filter, const char *topic, bool *filter_matched);

void plan_mm2_filter_release(struct plan_mm2_filter *filter);

/*
 * Compiles a comma-separated regex list the way MM2's ConfigDef reads one
 * (trimmed; empty: no pattern). Returns 0 or KDR_EINVALID naming `key`.
 */
int plan_mm2_compile_list(struct kdr_regex_set *out, const char *value, const char *key);

/* A topic of a cluster as it will be once the plan's actions are applied. */
struct plan_topic_after {
	const char *name;   /* lent from the snapshot or the plan */
	int64_t partitions; /* after the plan's create / add-partitions */
	bool created;       /* by this plan */
	bool deleted;       /* by this plan (then not "present") */
};

/*
 * The topics of live cluster `cl` with the plan's topic actions so far
 * applied (creations added, growth counted, deletions flagged), sorted by
 * name. Heap array in *out (free() it), lent names; call before plan_sort
 * or after, the order of the plan's actions does not matter.
 */
void plan_topics_after(struct plan_topic_after **out, size_t *n_out, const struct kdr_plan *plan,
		       const struct kdr_live_cluster *cl);
/* Bisection in a plan_topics_after array; NULL when absent (deleted ones are found). */
const struct plan_topic_after *plan_topic_after_find(const struct plan_topic_after *topics, size_t n,
						     const char *name);

/*
 * For every flow whose target is planned and whose source was read: which
 * source topics start and stop being mirrored (the live source connector's
 * filter against the desired one; everything matched starts when there is
 * no connector), under which remote names, as info notes (at most
 * PLAN_PREVIEW_MAX_NAMES names, then "... and K more"); a filter, or one of
 * its patterns, that matches no topic on the source is a warning. Consumer
 * groups are not previewed: the live snapshot does not read groups.
 */
#define PLAN_PREVIEW_MAX_NAMES 10
void plan_mirror_preview(struct plan_ctx *ctx, const struct kdr_plan_options *options);

/* --- cross_checks.c --- */

/*
 * Checks that need both sides of a flow, as warnings naming both: remote
 * topics with fewer partitions than their source; internal topics less
 * replicated than the data (and RFs above the target's broker count); a
 * TopicPolicy managing configs of remote topics that MM2 also syncs; a
 * TopicPolicy declaring a remote topic with another partition count than
 * its source.
 */
void plan_cross_checks(struct plan_ctx *ctx, const struct kdr_plan_options *options);

#endif
