/*
 * kdr failover's steps on a pipeline that read the flow's two clusters:
 * stop the flow's connectors, read MM2's checkpoints and the remote log
 * ends, estimate the records at risk, decide (pkg/dr); then commit and
 * record the failover in the desired state.
 */
#include "pipeline/dr.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm2/mm2.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"

/* Every (topic, partition) the checkpoints name, for the end-offset query. */
static void checkpointed_partitions(struct kdr_dr_offsets *out, const struct kdr_dr_checkpoints *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (!kdr_dr_offsets_find(out, set->v[i].topic, set->v[i].partition)) {
			kdr_dr_offsets_set(out, set->v[i].topic, set->v[i].partition, -1);
			kdr_dr_offsets_sort(out);
		}
}

/*
 * Principals the source lets read a moved group that the target's ACLs
 * would lock out: warnings only, the offsets are committed all the same;
 * the grants are the operator's (or mirrorAcls') to fix.
 */
static void find_lockouts(struct kdr_strvec *out, const struct kdr_dr_failover_plan *plan,
			  const struct kdr_pipeline *p, const struct kdr_flow *flow)
{
	struct kdr_strvec topics = KDR_STRVEC_INIT;

	for (size_t g = 0; g < plan->n_groups; g++) {
		const struct kdr_dr_failover_group *group = &plan->groups[g];

		if (group->verdict == KDR_DR_REFUSED)
			continue;
		for (size_t r = 0; r < plan->n_rows; r++)
			if (strcmp(plan->rows[r].group, group->group) == 0 &&
			    !kdr_strvec_contains(&topics, plan->rows[r].topic))
				kdr_strvec_push(&topics, plan->rows[r].topic);
		kdr_plan_acl_lockouts(out, p->desired, &p->live, flow, group->group, (const char *const *)topics.v,
				      topics.n);
		kdr_strvec_release(&topics);
	}
}

/*
 * Records at risk per remote partition: on the source, past what the
 * target holds (from the latest offset-sync and the remote log end). False,
 * with a warning and `out` unset (unknown), when the source or the
 * offset-syncs cannot be read.
 */
static bool records_at_risk(struct kdr_dr_offsets *out, struct kdr_strvec *warnings, const struct kdr_pipeline *p,
			    const struct kdr_flow *flow, const struct kdr_dr_offsets *target_ends,
			    const struct kdr_executor_options *exec)
{
	const struct kdr_cluster *source = kdr_desired_cluster(p->desired, flow->source);
	const struct kdr_cluster *syncs_cluster = NULL;
	const char *syncs_cluster_name = NULL;
	char *syncs_topic = NULL;
	struct kdr_dr_syncs syncs = { 0 };
	struct kdr_dr_offsets want = { 0 }, source_ends = { 0 };
	bool ok = false;

	kdr_dr_offset_syncs_location(flow, &syncs_cluster_name, &syncs_topic);
	syncs_cluster = kdr_desired_cluster(p->desired, syncs_cluster_name);
	for (size_t i = 0; i < target_ends->n; i++) {
		char *upstream = kdr_dr_upstream_topic(flow, target_ends->v[i].topic);

		if (upstream)
			kdr_dr_offsets_set(&want, upstream, target_ends->v[i].partition, -1);
		free(upstream);
	}
	kdr_dr_offsets_sort(&want);
	if (!source || kdr_executor_end_offsets(&source_ends, source, &want, exec) != 0) {
		kdr_strvec_push_take(warnings, kdr_asprintf("source '%s' not readable, records at risk unknown: %s",
							    flow->source, kdr_error_message()));
		goto cleanup;
	}
	if (!syncs_cluster || kdr_executor_read_syncs(&syncs, syncs_cluster, syncs_topic, exec) != 0) {
		kdr_strvec_push_take(warnings,
				     kdr_asprintf("offset-syncs '%s' on '%s' not readable, records at risk unknown: %s",
						  syncs_topic, syncs_cluster_name, kdr_error_message()));
		goto cleanup;
	}
	for (size_t i = 0; i < target_ends->n; i++) {
		const struct kdr_dr_offset *remote = &target_ends->v[i];
		char *upstream = kdr_dr_upstream_topic(flow, remote->topic);
		const struct kdr_dr_offset *src = upstream ? kdr_dr_offsets_find(&source_ends, upstream, remote->partition)
							   : NULL;
		int64_t next = src ? kdr_dr_replicated_upstream(kdr_dr_syncs_find(&syncs, upstream, remote->partition),
								 remote->offset, src->offset)
				   : -1;

		if (next >= 0)
			kdr_dr_offsets_set(out, remote->topic, remote->partition, src->offset - next);
		free(upstream);
	}
	kdr_dr_offsets_sort(out);
	ok = true;
cleanup:
	free(syncs_topic);
	kdr_dr_syncs_release(&syncs);
	kdr_dr_offsets_release(&want);
	kdr_dr_offsets_release(&source_ends);
	return ok;
}

/* The flow's target as read, with its groups and their offsets; NULL (message set) when not. */
static const struct kdr_live_cluster *readable_target(const struct kdr_pipeline *p, const struct kdr_flow *flow)
{
	const struct kdr_live_cluster *target_live = kdr_live_cluster_find(&p->live, flow->target);

	if (!target_live)
		kdr_error_set(KDR_EUNAVAILABLE, "target '%s' is not readable: nothing was changed", flow->target);
	else if (!target_live->groups_read || !target_live->group_offsets_read)
		kdr_error_set(KDR_EUNAVAILABLE,
			      "the consumer groups of '%s' could not be read: nothing was changed", flow->target);
	else
		return target_live;
	return NULL;
}

/* The latest checkpoints per group and partition, from the checkpoints topic on the target. */
static int read_checkpoints(struct kdr_dr_checkpoints *out, struct kdr_strvec *warnings,
			    const struct kdr_pipeline *p, const struct kdr_live_cluster *target_live,
			    const struct kdr_flow *flow, const struct kdr_executor_options *exec)
{
	char *topic = kdr_mm2_checkpoints_topic(flow);
	int rc = 0;

	if (!kdr_live_topic_find(target_live, topic)) {
		rc = kdr_error_set(KDR_ENOTFOUND,
				   "checkpoints topic '%s' does not exist on '%s': MM2 wrote no checkpoints for flow '%s' "
				   "(is its checkpoint connector running, spec.checkpoints.enabled true?); nothing was "
				   "committed",
				   topic, flow->target, flow->meta.name);
	} else if ((rc = kdr_executor_read_checkpoints(out, kdr_desired_cluster(p->desired, flow->target), topic,
						       exec)) != 0) {
		rc = kdr_error_set(rc, "reading '%s' on '%s': %s; nothing was committed", topic, flow->target,
				   kdr_error_message());
	} else if (out->corrupt) {
		kdr_strvec_push_take(warnings, kdr_asprintf("'%s': %zu of %zu record(s) are not MM2 checkpoints and "
							    "were skipped (first: %s)",
							    topic, out->corrupt, out->records, out->first_error));
	}
	free(topic);
	return rc;
}

int kdr_pipeline_failover(struct kdr_failover_outcome *out, const struct kdr_pipeline *p,
			  const struct kdr_failover_request *req)
{
	const struct kdr_flow *flow = req->flow;
	const struct kdr_live_cluster *target_live = readable_target(p, flow);
	const struct kdr_cluster *target = kdr_desired_cluster(p->desired, flow->target);
	struct kdr_executor_options exec = kdr_pipeline_dr_options(p);
	struct kdr_dr_checkpoints checkpoints = { 0 };
	struct kdr_dr_offsets wanted = { 0 }, target_ends = { 0 }, at_risk = { 0 };
	struct kdr_dr_failover_input in = { 0 };
	int rc = 0;

	out->flow = flow;
	if (!target_live) {
		rc = KDR_EUNAVAILABLE;
		goto cleanup;
	}
	/* Stop the connectors first, so that no checkpoint or group sync lands while we read and commit. */
	if (!req->dry_run)
		kdr_executor_stop_flow(&out->stops, &out->n_stops, p->desired, flow, &exec);
	if ((rc = read_checkpoints(&checkpoints, &out->warnings, p, target_live, flow, &exec)) != 0)
		goto cleanup;
	/* The remote partitions' log ends bound what may be committed; the source says what is at risk. */
	checkpointed_partitions(&wanted, &checkpoints);
	if ((rc = kdr_executor_end_offsets(&target_ends, target, &wanted, &exec)) != 0) {
		rc = kdr_error_set(rc, "log-end offsets on '%s': %s; nothing was committed", flow->target,
				   kdr_error_message());
		goto cleanup;
	}
	in.at_risk = kdr_live_cluster_find(&p->live, flow->source) &&
				     records_at_risk(&at_risk, &out->warnings, p, flow, &target_ends, &exec)
			     ? &at_risk
			     : NULL;
	in.flow = flow;
	in.checkpoints = &checkpoints;
	in.target = target_live;
	in.target_ends = &target_ends;
	in.groups = req->groups;
	in.n_groups = req->n_groups;
	in.groups_re = req->groups_re;
	in.force = req->force;
	if ((rc = kdr_dr_failover_decide(&out->plan, &in)) != 0)
		goto cleanup;
	find_lockouts(&out->lockouts, &out->plan, p, flow);
	for (size_t g = 0; g < out->plan.n_groups; g++)
		out->to_commit += out->plan.groups[g].verdict == KDR_DR_COMMIT;
cleanup:
	if (rc != 0)
		kdr_pipeline_result_fail(&out->run, rc, false);
	kdr_dr_checkpoints_release(&checkpoints);
	kdr_dr_offsets_release(&wanted);
	kdr_dr_offsets_release(&target_ends);
	kdr_dr_offsets_release(&at_risk);
	return rc;
}

int kdr_pipeline_failover_run(struct kdr_failover_outcome *out, const struct kdr_desired *desired,
			      const struct kdr_pipeline_options *options, const struct kdr_failover_request *req)
{
	struct kdr_failover_request decide = *req;
	int rc = 0;

	if (!(decide.flow = kdr_pipeline_result_flow(&out->run, desired, req->flow_name)))
		return KDR_ENOTFOUND;
	if ((rc = kdr_pipeline_result_read_flow(&out->run, &out->clusters, desired, options, decide.flow)) != 0)
		return rc;
	return kdr_pipeline_failover(out, &out->run.p, &decide);
}

void kdr_pipeline_failover_finish(struct kdr_failover_outcome *out, const struct kdr_failover_request *req)
{
	const struct kdr_pipeline *p = &out->run.p;
	struct kdr_executor_options exec = kdr_pipeline_dr_options(p);
	const struct kdr_flow *flow = out->flow;
	char now[KDR_CLOCK_UTC_SIZE] = "";
	bool failed = out->plan.n_refused > 0;

	if (out->to_commit && !req->dry_run && req->declined) {
		out->run.outcome = KDR_PIPELINE_FAILED;
		return;
	}
	if (out->to_commit && !req->dry_run) {
		out->committed = true;
		out->commit_failed = kdr_executor_commit_failover(
			&out->commit_errors, &out->plan, kdr_desired_cluster(p->desired, out->plan.target), &exec);
		failed |= out->commit_failed > 0;
	}
	kdr_clock_utc(now, kdr_clock_wall_ns(), 0); /* spec.failedOver */
	kdr_pipeline_failover_record(&out->record, flow, now, out->to_commit);
	/* A flow that records its failover already keeps it (and its time): nothing to write. */
	if (req->commit && !req->dry_run && !(flow->suspended && flow->failed_over))
		failed |= kdr_pipeline_dr_record(&out->record, req->source, p->desired) != 0;
	if (failed)
		out->run.outcome = KDR_PIPELINE_FAILED;
}

void kdr_failover_outcome_release(struct kdr_failover_outcome *out)
{
	kdr_executor_stops_free(out->stops, out->n_stops);
	kdr_strvec_release(&out->warnings);
	kdr_dr_failover_plan_release(&out->plan);
	kdr_strvec_release(&out->lockouts);
	kdr_pipeline_result_release(&out->run);
	kdr_strvec_release(&out->clusters);
	kdr_strvec_release(&out->commit_errors);
	kdr_dr_step_record_release(&out->record);
	memset(out, 0, sizeof(*out));
}
