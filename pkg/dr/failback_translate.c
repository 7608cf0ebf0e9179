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

const char *const kdr_dr_untranslatable_names[] = {
	[KDR_DR_UNTRANSLATABLE_REFUSE] = "refuse",
	[KDR_DR_UNTRANSLATABLE_EARLIEST] = "earliest",
	NULL,
};

int64_t kdr_dr_failback_position(const struct kdr_dr_sync_history *history, int64_t downstream,
				 enum kdr_dr_untranslatable mode, int64_t log_start, bool *from_start)
{
	int64_t at = kdr_dr_upstream_for_downstream(history, downstream);

	*from_start = false;
	if (at >= 0 || mode != KDR_DR_UNTRANSLATABLE_EARLIEST || log_start < 0)
		return at;
	/* Nothing proves which records the group has read: every one still there is read (again). */
	*from_start = true;
	return log_start;
}

void kdr_dr_failback_checkpoints(struct kdr_dr_checkpoints *out, struct kdr_dr_checkpoints *from_start,
				 struct kdr_strvec *untranslated, const struct kdr_dr_failback_input *in)
{
	const struct kdr_flow *flow = in->flow;
	const struct kdr_live_cluster *standby = in->standby, *primary = in->primary;

	if (flow->replication_policy != KDR_REPLICATION_POLICY_IDENTITY) {
		for (size_t g = 0; g < standby->n_groups; g++) {
			const struct kdr_live_group *group = &standby->groups[g];

			for (size_t o = 0; o < group->n_offsets; o++) {
				const struct kdr_live_group_offset *at = &group->offsets[o];
				struct kdr_dr_sync_history history = { 0 };
				struct kdr_mm2_checkpoint cp = { 0 };
				char *topic = at->offset < 0 ? NULL : kdr_dr_upstream_topic(flow, at->topic);
				const struct kdr_dr_offset *start = NULL;
				bool at_start = false;

				if (!topic || (primary && !kdr_live_topic_find(primary, topic))) {
					free(topic);
					continue;
				}
				history_of(&history, in->syncs, topic, at->partition);
				start = in->starts ? kdr_dr_offsets_find(in->starts, topic, at->partition) : NULL;
				cp.downstream_offset = kdr_dr_failback_position(&history, at->offset, in->untranslatable,
										start ? start->offset : -1, &at_start);
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
					if (at_start)
						kdr_dr_checkpoints_add(from_start, &cp);
				}
				kdr_dr_sync_history_release(&history);
				free(topic);
			}
		}
	}
	kdr_dr_checkpoints_finish(out);
	kdr_dr_checkpoints_finish(from_start);
}

void kdr_dr_failback_note_log_starts(struct kdr_dr_failover_plan *plan, const struct kdr_dr_checkpoints *from_start,
				     const struct kdr_dr_offsets *ends, const struct kdr_flow *flow)
{
	for (size_t i = 0; i < plan->n_rows; i++) {
		struct kdr_dr_failover_row *r = &plan->rows[i];
		const struct kdr_mm2_checkpoint *cp = NULL;
		const struct kdr_dr_offset *end = NULL;
		char *remote = NULL;

		if (r->verdict != KDR_DR_COMMIT && r->verdict != KDR_DR_UNCHANGED)
			continue;
		if (!(cp = kdr_dr_checkpoints_find(from_start, r->group, r->topic, r->partition)) ||
		    cp->downstream_offset != r->next)
			continue;
		end = kdr_dr_offsets_find(ends, r->topic, r->partition);
		remote = kdr_mm2_remote_topic(flow, r->topic);
		free(r->reason);
		if (end && end->offset >= r->next)
			r->reason = kdr_asprintf("no offset-sync at or before %s[%d] at %lld: the log start, up to %lld "
						 "records may be re-read",
						 remote, (int)r->partition, (long long)cp->upstream_offset,
						 (long long)(end->offset - r->next));
		else
			r->reason = kdr_asprintf("no offset-sync at or before %s[%d] at %lld: the log start, every "
						 "record still there may be re-read",
						 remote, (int)r->partition, (long long)cp->upstream_offset);
		free(remote);
	}
}
