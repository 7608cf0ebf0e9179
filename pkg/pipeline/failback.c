/*
 * kdr failback's steps (pipeline/dr.h): which one is next (pkg/dr), its
 * reads, and its record in the desired state (dr_record.c). Step 3's first
 * half moves the groups on the clusters: MM2 writes no checkpoints from the
 * standby back, so the groups' positions on the remote topics are
 * translated onto the primary's topics by inverting the flow's offset-syncs
 * (pkg/dr), decided like a failover onto the primary and committed there
 * (pkg/executor's DR I/O). Step 2's lag is kdr_pipeline_flow_lag.
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

/* Stops the step at `failure`, with the message of the failure just set (run.error). Returns -1. */
static int stop(struct kdr_failback_outcome *out, enum kdr_failback_failure failure)
{
	out->failure = failure;
	kdr_pipeline_result_fail(&out->run, -1, false);
	return -1;
}

/* Reads `flow`'s source and target (as kdr lag and kdr failover do) into out->run.p. */
static int read_flow(struct kdr_failback_outcome *out, const struct kdr_desired *desired,
		     const struct kdr_pipeline_options *options, const struct kdr_flow *flow, int read_groups)
{
	struct kdr_pipeline_options read = *options;

	read.read_groups = read_groups;
	if (kdr_pipeline_result_read_flow(&out->run, &out->clusters, desired, &read, flow) != 0) {
		out->failure = KDR_FAILBACK_READ_FAILED;
		return -1;
	}
	return 0;
}

/* Steps 1 and 3 with --commit: the record written into the source. */
static int record(struct kdr_failback_outcome *out, const struct kdr_desired *desired,
		  const struct kdr_failback_request *req)
{
	if (!req->commit || kdr_pipeline_dr_record(&out->record, req->source, desired) == 0)
		return 0;
	out->failure = KDR_FAILBACK_RECORD_FAILED;
	out->run.outcome = KDR_PIPELINE_FAILED;
	return -1;
}

/* Step 2: the reverse flow's lag; pending either way (caught up or not, the operator acts next). */
static int catch_up(struct kdr_failback_outcome *out, const struct kdr_desired *desired,
		    const struct kdr_pipeline_options *options, const struct kdr_failback_request *req)
{
	const struct kdr_flow *reverse = out->state.reverse;

	if (read_flow(out, desired, options, reverse, KDR_READ_GROUPS_NONE) != 0)
		return -1;
	if (kdr_pipeline_flow_lag(&out->lag, &out->lag_warnings, &out->run.p, reverse, req->max_rpo_ms) != 0)
		return stop(out, KDR_FAILBACK_LAG_FAILED);
	out->run.outcome = KDR_PIPELINE_PENDING;
	return 0;
}

/*
 * Step 3: F's groups back onto F's source, then F restored (only when every
 * group is back). What the restore records is decided first: a restore that
 * cannot be recorded (the reverse flow shares its file) must not leave the
 * groups moved with F still failed over.
 */
static int restore(struct kdr_failback_outcome *out, const struct kdr_desired *desired,
		   const struct kdr_pipeline_options *options, const struct kdr_failback_request *req)
{
	const struct kdr_flow *flow = out->flow;
	int rc = 0;

	if (kdr_pipeline_failback_restore(&out->record, desired, flow, &out->state) != 0)
		return stop(out, KDR_FAILBACK_STEP_FAILED);
	if (read_flow(out, desired, options, flow, KDR_READ_GROUPS_OFFSETS) != 0)
		return -1;
	rc = kdr_pipeline_failback_groups(&out->groups, &out->untranslated, &out->errors, &out->run.p, flow,
					  req->untranslatable, req->commit);
	if (rc == KDR_ENOTFOUND)
		out->no_groups = kdr_strdup(kdr_error_message());
	else if (rc != 0)
		return stop(out, KDR_FAILBACK_GROUPS_FAILED);
	if (out->untranslated.n || out->errors.n || out->groups.n_refused) {
		out->failure = KDR_FAILBACK_NOT_MOVED;
		out->run.outcome = KDR_PIPELINE_FAILED;
		return -1;
	}
	return record(out, desired, req);
}

int kdr_pipeline_failback(struct kdr_failback_outcome *out, const struct kdr_desired *desired,
			  const struct kdr_pipeline_options *options, const struct kdr_failback_request *req)
{
	const struct kdr_flow *flow = NULL;

	if (!(flow = out->flow = kdr_pipeline_result_flow(&out->run, desired, req->flow_name))) {
		out->failure = KDR_FAILBACK_STEP_FAILED;
		return -1;
	}
	if (kdr_dr_failback_step(&out->state, desired, flow) != 0)
		return stop(out, KDR_FAILBACK_STEP_FAILED);
	switch (out->state.step) {
	case KDR_DR_FAILBACK_NOTHING:
		return 0;
	case KDR_DR_FAILBACK_DECLARE:
		if (kdr_pipeline_failback_declare(&out->record, desired, flow, &out->state) != 0)
			return stop(out, KDR_FAILBACK_STEP_FAILED);
		return record(out, desired, req);
	case KDR_DR_FAILBACK_CATCH_UP:
		return catch_up(out, desired, options, req);
	case KDR_DR_FAILBACK_RESTORE:
		return restore(out, desired, options, req);
	}
	return 0;
}

void kdr_failback_outcome_release(struct kdr_failback_outcome *out)
{
	kdr_pipeline_result_release(&out->run);
	kdr_strvec_release(&out->clusters);
	kdr_dr_failback_state_release(&out->state);
	kdr_dr_lag_report_release(&out->lag);
	kdr_strvec_release(&out->lag_warnings);
	kdr_dr_failover_plan_release(&out->groups);
	free(out->no_groups);
	kdr_strvec_release(&out->untranslated);
	kdr_strvec_release(&out->errors);
	kdr_dr_step_record_release(&out->record);
	memset(out, 0, sizeof(*out));
}
