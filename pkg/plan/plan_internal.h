#ifndef KDR_PLAN_PLAN_INTERNAL_H
#define KDR_PLAN_PLAN_INTERNAL_H

/*
 * Shared between the files of pkg/plan only: the planning context, the
 * governed-topic records and the helpers that append to the plan.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live/live.h"
#include "mm2/mm2.h"
#include "model/model.h"
#include "placement/placement.h"
#include "resolve/config_value.h"
#include "resolve/resolve.h"
#include "resolve/topic_merge.h"
#include "plan/plan.h"
#include "util/regex.h"
#include "util/strmap.h"


/* Everything one kdr_plan_compute call works with. */
struct plan_ctx {
	struct kdr_plan *plan;
	const struct kdr_desired *desired;
	const struct kdr_live *live;
	bool allow_delete;
	struct kdr_resolved *own_resolved;	   /* resolved here when neither options nor desired bring one */
	const struct kdr_resolved *resolved;	   /* the options', the desired state's or own_resolved */
	const struct kdr_resolve_filters *filters; /* &resolved->filters */
	const struct kdr_resolve_flow_filters *flows; /* filters->flows: per flow (index as desired->flows) */
	struct plan_matched *matched; /* per planned cluster (govern.c records, cross_checks.c reads) */
	size_t n_matched;
};

/* A topic of a planned cluster that no policy declares there and some match governs. */
struct plan_matched_topic {
	const char *name;			/* lent from the live snapshot */
	struct kdr_resolve_governor *governors; /* kdr_resolve_governors_find's, internal topics left out */
	size_t n_governors;
};

/* One planned cluster's topics governed only through matches, sorted by name. */
struct plan_matched {
	const char *cluster; /* lent */
	struct plan_matched_topic *topics;
	size_t n;
	size_t cap;
};

/* One cluster being planned: its desired and live sides and the broker load. */
struct plan_cluster {
	const char *name;
	const struct kdr_cluster *spec; /* the KafkaCluster */
	const struct kdr_live_cluster *live;
	/*
	 * Live brokers (sorted by id) with their load: replicas and preferred
	 * leaders (first replica) of every live topic, plus what earlier create
	 * and add-partitions actions of this plan placed, so successive topics
	 * spread.
	 */
	struct kdr_placement_broker *brokers;
	size_t n_brokers;
};

/* A topic the desired state governs on one cluster (declared, or matched by a policy's `match`). */
struct plan_topic {
	const char *name;		 /* lent from the policy or the live snapshot */
	const struct kdr_policy *policy; /* the owner: first declaring policy, else first matching */
	bool declared;
	int64_t partitions;
	int64_t replication_factor;
	struct kdr_strmap config; /* the declared keys and their values */
	bool config_prune;
	bool tiering_disabled; /* some governing policy says tiering {enabled: false} */
};

/* --- plan.c: appending to the plan --- */

/* Whether the options' --cluster filter (if any) selects the cluster. */
bool kdr_plan__cluster_selected(const struct kdr_plan_options *options, const char *name);

void kdr_plan__placement_summary_release(struct kdr_placement_summary *summary);
/* The policy's metadata.name, or "?" (lent). */
const char *kdr_plan__policy_name(const struct kdr_policy *policy);

/* Appends a zeroed action (risk safe) with copies of the strings, lent. */
struct kdr_action *kdr_plan__add_action(struct kdr_plan *plan, enum kdr_action_kind kind, const char *cluster,
					const char *resource, const char *policy);
/*
 * An adapter's message without its "cluster 'NAME': " / "connect 'URL': "
 * opening (the plan's own sentence names them already); lent from `message`.
 */
const char *kdr_plan__strip_cluster_prefix(const char *message, const char *name);
const char *kdr_plan__strip_connect_prefix(const char *message, const char *url);

/* Appends a config change (copies of the strings; NULL: not set / removed) to the action's `changes`. */
void kdr_plan__add_change(struct kdr_action *action, const char *key, const char *old_value, const char *new_value,
			  bool sensitive);

void kdr_plan__add_blocked(struct kdr_plan *plan, enum kdr_blocked_kind kind, const char *cluster, const char *resource,
			   const char *policy, char *reassignment_json_take, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
void kdr_plan__add_note(struct kdr_plan *plan, enum kdr_note_kind kind, const char *cluster, const char *resource,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* --- govern.c: which topics the desired state governs on a cluster --- */

/*
 * Collects the declared topics of every policy naming the cluster, and the
 * live topics their `match` regexes govern, merged per name (first policy
 * wins; later ones add keys), sorted by name. Conflicts become warnings.
 */
void kdr_plan__collect_topics(struct plan_topic **out, size_t *n_out, struct plan_ctx *ctx,
			      const struct plan_cluster *pc);
void kdr_plan__topics_release(struct plan_topic *topics, size_t n);
/* The topics governed only through matches that kdr_plan__collect_topics found on `cluster`; NULL: not planned. */
const struct plan_matched *kdr_plan__matched_of(const struct plan_ctx *ctx, const char *cluster);
/* Frees ctx->matched. */
void kdr_plan__matched_release(struct plan_ctx *ctx);
/* Whether the name is never governed by `match` nor deleted: internal, `__`, MM2/Connect internals. */
const char *kdr_plan__internal_topic_reason(const struct kdr_live_topic *topic, const struct kdr_desired *desired);

/* --- topics.c: create, grow, RF and placement --- */

void kdr_plan__cluster_init(struct plan_cluster *pc, const struct kdr_cluster *spec,
			    const struct kdr_live_cluster *live);
void kdr_plan__cluster_release(struct plan_cluster *pc);
void kdr_plan__topic_partitions(struct plan_ctx *ctx, struct plan_cluster *pc, const struct plan_topic *pt);

/* A view of a live topic's replica lists as an assignment (ids lent; free only .partitions). */
void kdr_plan__live_assignment(struct kdr_assignment *out, const struct kdr_live_topic *topic);
/* Brokers with the load of `topic` (may be NULL) taken out: heap array of pc->n_brokers. */
struct kdr_placement_broker *kdr_plan__brokers_without(const struct plan_cluster *pc,
						       const struct kdr_live_topic *topic);
/*
 * min.insync.replicas for the DC-loss analysis, as it will be after the plan:
 * declared, else the live effective value (the cluster default when
 * configPrune drops the override), else Kafka's default 1.
 */
size_t kdr_plan__min_insync(const struct plan_topic *pt, const struct kdr_live_cluster *cl,
			    const struct kdr_live_topic *topic);
/* The policy's static assignment of `topic`, or NULL. */
const struct kdr_assignment *kdr_plan__static_assignment(const struct kdr_policy *policy, const char *topic);
/*
 * The strategy `pt` is placed and checked by on `pc`: the policy's, except
 * that a static policy with a fallback uses the fallback when the topic's
 * assignment is missing or names a broker `pc` does not have. *fixed gets
 * the static assignment (lent) when the strategy is static, else NULL.
 */
enum kdr_placement_strategy kdr_plan__topic_strategy(const struct plan_cluster *pc, const struct plan_topic *pt,
						     const struct kdr_assignment **fixed);

/* --- configs.c --- */

void kdr_plan__topic_configs(struct plan_ctx *ctx, const struct plan_cluster *pc, const struct plan_topic *pt);
/* Whether a live topic config entry is one of the topic's own (dynamic) overrides. */
bool kdr_plan__config_is_override(const struct kdr_live_config *config);

/* --- reassign.c --- */

/*
 * A reassignment (kafka-reassign-partitions.sh JSON, heap string) that brings
 * the live topic to the policy's RF and placement, keeping existing replicas
 * where the result stays valid. NULL (with *why set, heap) when no valid
 * target exists.
 */
char *kdr_plan__reassignment_json(char **why, const struct plan_cluster *pc, const struct plan_topic *pt,
				  const struct kdr_live_topic *topic);
/* The JSON text for `assignment` of `topic`, only partitions differing from `current` (NULL: all). */
char *kdr_plan__reassignment_format(const char *topic, const struct kdr_assignment *target,
				    const struct kdr_assignment *current);

/* --- acls.c: AccessPolicy grants and the flows' mirrored grants, per selected cluster --- */

void kdr_plan__acls(struct plan_ctx *ctx, const struct kdr_plan_options *options);

/*
 * acls_mirror.c: the bindings each flow into `target` calls for there (a
 * principal allowed READ/DESCRIBE on a mirrored source topic or a
 * checkpointed group holds the same on its remote name): appended to
 * `wanted` (flows with mirrorAcls: kdr creates them) or `tolerated` (the
 * literal topic grants MM2 writes itself with syncTopicAcls: kdr neither
 * creates nor deletes them); the missing ones of flows without either
 * become warnings. `source_acls` per flow: the source's desired and live
 * bindings. Pure.
 */
void kdr_plan__acl_mirrors(struct plan_ctx *ctx, const char *target, const struct kdr_acl_list *target_desired,
			   const struct kdr_live_cluster *target_live, struct kdr_acl_list *wanted,
			   struct kdr_strvec *wanted_flows, struct kdr_acl_list *tolerated);

/* --- prune.c --- */

/*
 * The deletions (or, without --allow-delete, the warnings) the pruning
 * policies naming `pc` ask for among its live topics, and a note for each
 * one kept; which topics are declared, matched and governed is pkg/resolve's.
 */
void kdr_plan__prune(struct plan_ctx *ctx, const struct plan_cluster *pc);

/* --- the connectors part of the plan (connectors.c, mirror_preview.c, cross_checks.c, acls_mirror.c) --- */

/*
 * The MirrorMaker 2 part of the plan: the connectors every ReplicationFlow
 * renders (pkg/mm2) against the connectors each Connect cluster runs.
 * Owned connectors ("kdr." prefix) are created, updated, paused, resumed,
 * restarted and deleted; no other connector is ever touched, but one that
 * looks like MM2 for a managed flow gets a warning. A Connect attached to
 * another Kafka cluster than the one it is declared for is a blocked error.
 * Then the mirror preview and the cross-cluster checks (below).
 */
void kdr_plan__connectors(struct plan_ctx *ctx, const struct kdr_plan_options *options);
/* Names on each delete-topic the connector delete it waits for (delete_order.c). */
void kdr_plan__delete_order(struct plan_ctx *ctx);

/* --- mirror_preview.c: MM2's replication decision and the preview --- */

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
void kdr_plan__topics_after(struct plan_topic_after **out, size_t *n_out, const struct kdr_plan *plan,
			    const struct kdr_live_cluster *cl);
/* Bisection in a kdr_plan__topics_after array; NULL when absent (deleted ones are found). */
const struct plan_topic_after *kdr_plan__topic_after_find(const struct plan_topic_after *topics, size_t n,
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
void kdr_plan__mirror_preview(struct plan_ctx *ctx, const struct kdr_plan_options *options);

/* --- cross_checks.c --- */

/*
 * Checks that need both sides of a flow, as warnings naming both: remote
 * topics with fewer partitions than their source; internal topics less
 * replicated than the data (and RFs above the target's broker count); a
 * TopicPolicy managing configs of remote topics that MM2 also syncs; a
 * TopicPolicy declaring a remote topic with another partition count than
 * its source.
 */
void kdr_plan__cross_checks(struct plan_ctx *ctx, const struct kdr_plan_options *options);

#endif
