/*
 * kdr failback's step on the clusters (step 3's first half), on a pipeline
 * that read the flow's two clusters with their groups' offsets: MM2 writes
 * no checkpoints from the standby back, so the groups' positions on the
 * remote topics are translated onto the primary's topics by inverting the
 * flow's offset-syncs (pkg/dr), decided like a failover onto the primary
 * and committed there (pkg/executor's DR I/O). The steps that only write
 * the desired state are the command's; step 2's lag is kdr_pipeline_flow_lag.
 */
#include "pipeline/dr.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

/* Log-end offsets of the primary's partitions the checkpoints name: a position past the end is refused. */
static int primary_ends(struct kdr_dr_offsets *out, const struct kdr_dr_checkpoints *checkpoints,
			const struct kdr_cluster *primary, const struct kdr_executor_options *options)
{
	struct kdr_dr_offsets want = { 0 };
	int rc = 0;

	for (size_t i = 0; i < checkpoints->n; i++)
		kdr_dr_offsets_set(&want, checkpoints->v[i].topic, checkpoints->v[i].partition, 0);
	kdr_dr_offsets_sort(&want);
	rc = want.n ? kdr_executor_end_offsets(out, primary, &want, options) : 0;
	kdr_dr_offsets_release(&want);
	return rc;
}

/*
 * Log-start offsets of the primary's partitions the standby's groups are on
 * (through the remote topics), for the positions no sync proves; one batched
 * request, made only when they are to be placed at the log start.
 */
static int primary_starts(struct kdr_dr_offsets *out, const struct kdr_flow *flow,
			  const struct kdr_live_cluster *standby, const struct kdr_cluster *primary,
			  const struct kdr_executor_options *options)
{
	struct kdr_dr_offsets want = { 0 };
	int rc = 0;

	for (size_t g = 0; g < standby->n_groups; g++)
		for (size_t o = 0; o < standby->groups[g].n_offsets; o++) {
			const struct kdr_live_group_offset *at = &standby->groups[g].offsets[o];
			char *topic = kdr_dr_upstream_topic(flow, at->topic);

			if (topic)
				kdr_dr_offsets_set(&want, topic, at->partition, 0);
			free(topic);
		}
	kdr_dr_offsets_sort(&want);
	rc = want.n ? kdr_executor_start_offsets(out, primary, &want, options) : 0;
	kdr_dr_offsets_release(&want);
	return rc;
}

int kdr_pipeline_failback_groups(struct kdr_dr_failover_plan *out, struct kdr_strvec *untranslated,
				 struct kdr_strvec *errors, const struct kdr_pipeline *p, const struct kdr_flow *flow,
				 enum kdr_dr_untranslatable untranslatable, bool commit)
{
	const struct kdr_desired *desired = p->desired;
	const struct kdr_live *live = &p->live;
	const struct kdr_executor_options exec = kdr_pipeline_dr_options(p);
	const struct kdr_executor_options *options = &exec;
	const struct kdr_live_cluster *standby = kdr_live_cluster_find(live, flow->target);
	const struct kdr_live_cluster *primary_live = kdr_live_cluster_find(live, flow->source);
	const struct kdr_cluster *primary = kdr_desired_cluster(desired, flow->source);
	const char *syncs_cluster_name = NULL;
	const struct kdr_cluster *syncs_cluster = NULL;
	const struct kdr_live_cluster *syncs_live = NULL;
	struct kdr_dr_syncs syncs = { 0 };
	struct kdr_dr_checkpoints checkpoints = { 0 }, from_start = { 0 };
	struct kdr_dr_offsets ends = { 0 }, starts = { 0 }, none_at_risk = { 0 };
	struct kdr_dr_failback_input fb = { 0 };
	struct kdr_dr_failover_input in = { 0 };
	struct kdr_flow view;
	char *syncs_topic = NULL;
	int rc = 0;

	if (!standby || !primary_live || !primary || !standby->group_offsets_read || !primary_live->group_offsets_read)
		return kdr_error_set(KDR_EUNAVAILABLE, "the consumer groups of '%s' and '%s' were not both read",
				     flow->target, flow->source);
	kdr_dr_offset_syncs_location(flow, &syncs_cluster_name, &syncs_topic);
	syncs_cluster = kdr_desired_cluster(desired, syncs_cluster_name);
	syncs_live = kdr_live_cluster_find(live, syncs_cluster_name);
	if (!syncs_cluster || !syncs_live || !kdr_live_topic_find(syncs_live, syncs_topic)) {
		rc = kdr_error_set(KDR_ENOTFOUND, "offset-syncs topic '%s' does not exist on '%s'", syncs_topic,
				   syncs_cluster_name);
		goto cleanup;
	}
	if ((rc = kdr_executor_read_sync_log(&syncs, syncs_cluster, syncs_topic, options)) != 0)
		goto cleanup;
	if (untranslatable == KDR_DR_UNTRANSLATABLE_EARLIEST &&
	    (rc = primary_starts(&starts, flow, standby, primary, options)) != 0)
		goto cleanup;
	fb.flow = flow;
	fb.standby = standby;
	fb.primary = primary_live;
	fb.syncs = &syncs;
	fb.untranslatable = untranslatable;
	fb.starts = untranslatable == KDR_DR_UNTRANSLATABLE_EARLIEST ? &starts : NULL;
	kdr_dr_failback_checkpoints(&checkpoints, &from_start, untranslated, &fb);
	if ((rc = primary_ends(&ends, &checkpoints, primary, options)) != 0)
		goto cleanup;
	/* Decided as a failover from the standby onto the primary, under the flow's group filter. */
	view = *flow;
	view.source = flow->target;
	view.target = flow->source;
	in.flow = &view;
	in.checkpoints = &checkpoints;
	in.target = primary_live;
	in.target_ends = &ends;
	/* The records are the primary's own: it has them all (a topic it came back without is skipped). */
	in.at_risk = &none_at_risk;
	/* Never backwards: a group already further on the primary is kept. */
	in.force = false;
	if ((rc = kdr_dr_failover_decide(out, &in)) != 0)
		goto cleanup;
	kdr_dr_failback_note_log_starts(out, &from_start, &ends, flow);
	free(out->flow);
	out->flow = kdr_asprintf("%s' failback, groups of '%s", flow->meta.name, flow->source);
	if (commit)
		kdr_executor_commit_failover(errors, out, primary, options);
cleanup:
	kdr_dr_syncs_release(&syncs);
	kdr_dr_checkpoints_release(&checkpoints);
	kdr_dr_checkpoints_release(&from_start);
	kdr_dr_offsets_release(&ends);
	kdr_dr_offsets_release(&starts);
	free(syncs_topic);
	return rc;
}
