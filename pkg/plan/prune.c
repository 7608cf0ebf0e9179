/*
 * Deletions. Only a policy with `prune: true` and a `match` deletes, only live
 * topics of its clusters that its `match` matches and that no policy declares
 * on that cluster, and only under --allow-delete (otherwise a "skipped"
 * warning says what would go). Never deleted, whatever the regex says:
 *   - topics another (non-pruning) policy's `match` governs on that cluster;
 *   - `__`-prefixed topics and topics Kafka reports as internal;
 *   - MirrorMaker 2 and Connect internals: heartbeats topics (any name ending
 *     in "heartbeats", as MM2 recognises them), names MM2 treats as internal
 *     (".internal"/"-internal" suffix, "." prefix), "mm2-*" and "connect-*",
 *     and each flow's checkpoints and offset-syncs topics (custom separators);
 *   - remote topics of a flow into this cluster: with the default replication
 *     policy every topic whose name says it came from the flow's source
 *     ("<source><sep>..."); with the identity policy every topic the flow's
 *     topic filters would replicate (names are kept, so any of them may be a
 *     replica).
 * A protected topic the prune regex matches gets an info note saying why it
 * stays. Which policies declare, match and govern a topic is pkg/resolve's
 * (the same answer the plan's governing merged): this file runs no regex of
 * a policy itself.
 */
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "plan/plan_internal.h"
#include "resolve/topic_merge.h"
#include "util/alloc.h"

/* The flow that replicates into `cluster` and whose remote topic `name` is, or NULL. */
static const struct kdr_flow *remote_topic_of(const struct plan_ctx *ctx, const char *cluster, const char *name)
{
	for (size_t i = 0; i < ctx->desired->n_flows; i++) {
		const struct kdr_flow *flow = &ctx->desired->flows[i];
		bool remote = false;

		if (!flow->target || strcmp(flow->target, cluster) != 0)
			continue;
		if (flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY) {
			remote = kdr_regex_set_match(&ctx->flows[i].topics, name) &&
				 !kdr_regex_set_match(&ctx->flows[i].exclude, name);
		} else {
			char *source = kdr_mm2_topic_source(flow, name);

			remote = source && strcmp(source, flow->source) == 0;
			free(source);
		}
		if (remote)
			return flow;
	}
	return NULL;
}

void kdr_plan__prune(struct plan_ctx *ctx, const struct plan_cluster *pc)
{
	const struct kdr_live_cluster *cl = pc->live;
	const struct kdr_resolved *resolved = ctx->resolved;
	struct kdr_resolve_governors governors = {0};
	/* Topics already handled by an earlier pruning policy. */
	bool *done = kdr_calloc(cl->n_topics + 1, sizeof(*done));

	for (size_t p = 0; p < ctx->desired->n_policies; p++) {
		const struct kdr_policy *policy = &ctx->desired->policies[p];
		const char *policy_name = kdr_plan__policy_name(policy);

		if (!policy->prune || !ctx->filters->match[p] || !kdr_strvec_contains(&policy->clusters, pc->name))
			continue;
		for (size_t t = 0; t < cl->n_topics; t++) {
			const struct kdr_live_topic *topic = &cl->topics[t];
			const char *protected_reason = NULL;
			const struct kdr_flow *flow = NULL;
			const struct kdr_policy *keeper = NULL;
			struct kdr_action *action = NULL;

			/* pkg/resolve runs the match: matched once for a declared name, now for any other. */
			if (done[t] || !kdr_resolve_match_covers(resolved, p, topic->name) ||
			    kdr_resolve_owner(resolved, pc->name, topic->name))
				continue;
			done[t] = true;
			/* Nobody declares it here: only the matches can govern it. */
			kdr_resolve_governors_of_decls(&governors, resolved, pc->name, topic->name, NULL, 0, true);
			protected_reason = kdr_plan__internal_topic_reason(topic, ctx->desired);
			/* The first governing match, as kdr_plan__collect_topics merged it; none governs an internal topic. */
			keeper = governors.n && !protected_reason ? governors.v[0].policy : NULL;
			if (keeper) {
				/* Another policy's `match` wants it kept and tuned: deleting it would fight that. */
				kdr_plan__add_note(ctx->plan, KDR_NOTE_INFO, pc->name, topic->name,
						   "not pruned: governed by policy '%s' (match '%s')",
						   kdr_plan__policy_name(keeper), keeper->match ? keeper->match : "");
				continue;
			}
			if (protected_reason) {
				kdr_plan__add_note(ctx->plan, KDR_NOTE_INFO, pc->name, topic->name,
						   "not pruned: %s (never deleted)", protected_reason);
				continue;
			}
			flow = remote_topic_of(ctx, pc->name, topic->name);
			if (flow) {
				kdr_plan__add_note(
				    ctx->plan, KDR_NOTE_INFO, pc->name, topic->name,
				    "not pruned: remote topic of flow '%s' (replicated from '%s'; never deleted)",
				    flow->meta.name ? flow->meta.name : "?", flow->source);
				continue;
			}
			if (!ctx->allow_delete) {
				kdr_plan__add_note(
				    ctx->plan, KDR_NOTE_WARNING, pc->name, topic->name,
				    "skipped: would delete topic '%s' (policy '%s' prunes '%s' and no policy "
				    "declares it; use --allow-delete)",
				    topic->name, policy_name, policy->match);
				continue;
			}
			action = kdr_plan__add_action(ctx->plan, KDR_ACTION_DELETE_TOPIC, pc->name, topic->name,
						      policy_name);
			action->risk = KDR_RISK_DESTRUCTIVE;
			action->partitions = (int64_t)topic->n_partitions;
			action->replication_factor = topic->n_partitions ? (int64_t)topic->partitions[0].replicas.n : 0;
			action->reason = kdr_asprintf("prune: matches '%s' of policy '%s' and no policy declares it",
						      policy->match, policy_name);
		}
	}
	kdr_resolve_governors_release(&governors);
	free(done);
}
