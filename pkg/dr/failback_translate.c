/*
 * Failback's offset translation (dr.h): a group's position on the remote
 * topic mapped back onto the source topic by inverting the offset-syncs.
 * Pure.
 *
 * Why it is safe: within one run of MM2's source task the records of a
 * source partition are written to the remote partition in order, one copy
 * each, so a sync (U, D') says record U is at D' and every source record
 * below U has a copy below D'. A task restart re-sends from its last
 * committed source offset (upstream goes back, downstream goes on); a
 * recreated remote topic starts its downstream offsets again. In both cases
 * the newest sync is right about the log as it is, and earlier syncs that
 * disagree with it are dropped, so the history stays increasing in both
 * offsets and every kept sync keeps the property above.
 */
#include <stdlib.h>
#include <string.h>

#include "dr/dr.h"
#include "util/alloc.h"

void kdr_dr_sync_history_add(struct kdr_dr_sync_history *history, int64_t upstream, int64_t downstream)
{
	size_t keep = history->n;

	if (upstream < 0 || downstream < 0)
		return;
	/* Kept syncs are increasing in both offsets: the contradicted ones are a suffix. */
	while (keep > 0 &&
	       (history->v[keep - 1].upstream >= upstream || history->v[keep - 1].downstream >= downstream))
		keep--;
	history->dropped += history->n - keep;
	history->n = keep;
	history->v = kdr_grow(history->v, &history->cap, history->n + 1, sizeof(*history->v));
	history->v[history->n].upstream = upstream;
	history->v[history->n].downstream = downstream;
	history->n++;
}

void kdr_dr_sync_history_release(struct kdr_dr_sync_history *history)
{
	free(history->v);
	history->v = NULL;
	history->n = history->cap = history->dropped = 0;
}

int64_t kdr_dr_upstream_for_downstream(const struct kdr_dr_sync_history *history, int64_t downstream)
{
	size_t lo = 0, hi = history->n;

	/* The first sync past `downstream`; the one before it is the newest at or before. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (history->v[mid].downstream <= downstream)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	return history->v[lo - 1].downstream == downstream ? history->v[lo - 1].upstream
							   : history->v[lo - 1].upstream + 1;
}

static void history_of(struct kdr_dr_sync_history *history, const struct kdr_dr_syncs *syncs, const char *topic,
		       int32_t partition)
{
	for (size_t i = 0; i < syncs->n; i++)
		if (syncs->v[i].partition == partition && strcmp(syncs->v[i].topic, topic) == 0)
			kdr_dr_sync_history_add(history, syncs->v[i].upstream_offset, syncs->v[i].downstream_offset);
}

void kdr_dr_failback_checkpoints(struct kdr_dr_checkpoints *out, struct kdr_strvec *untranslated,
				 const struct kdr_flow *flow, const struct kdr_live_cluster *standby,
				 const struct kdr_live_cluster *primary, const struct kdr_dr_syncs *syncs)
{
	if (flow->replication_policy != KDR_REPLICATION_POLICY_IDENTITY) {
		for (size_t g = 0; g < standby->n_groups; g++) {
			const struct kdr_live_group *group = &standby->groups[g];

			for (size_t o = 0; o < group->n_offsets; o++) {
				const struct kdr_live_group_offset *at = &group->offsets[o];
				struct kdr_dr_sync_history history = { 0 };
				struct kdr_mm2_checkpoint cp = { 0 };
				char *topic = at->offset < 0 ? NULL : kdr_dr_upstream_topic(flow, at->topic);

				if (!topic || (primary && !kdr_live_topic_find(primary, topic))) {
					free(topic);
					continue;
				}
				history_of(&history, syncs, topic, at->partition);
				cp.downstream_offset = kdr_dr_upstream_for_downstream(&history, at->offset);
				if (cp.downstream_offset < 0) {
					kdr_strvec_push_take(untranslated,
							     kdr_asprintf("group '%s': %s[%d] at %lld: no offset-sync at or "
									  "before it",
									  group->id, at->topic, (int)at->partition,
									  (long long)at->offset));
				} else {
					cp.group = group->id;
					cp.topic = topic;
					cp.partition = at->partition;
					cp.upstream_offset = at->offset;
					cp.metadata = at->metadata ? at->metadata : (char *)"";
					kdr_dr_checkpoints_add(out, &cp);
				}
				kdr_dr_sync_history_release(&history);
				free(topic);
			}
		}
	}
	kdr_dr_checkpoints_finish(out);
}
