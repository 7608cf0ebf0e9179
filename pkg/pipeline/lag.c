/*
 * A flow's replication lag from a pipeline that has read (and planned) the
 * flow's two clusters: status names what the flow mirrors, pkg/executor's
 * DR I/O reads the log ends, MM2's offset-syncs and record timestamps,
 * pkg/dr computes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "executor/dr_io.h"
#include "mm2/mm2.h"
#include "pipeline/pipeline.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"

/* The timestamp of the newest record of the remote heartbeats topic, -1 when none. */
static int64_t newest_heartbeat(const struct kdr_cluster *target, const struct kdr_flow *flow,
				const struct kdr_executor_options *exec)
{
	char *topic = kdr_mm2_remote_topic(flow, "heartbeats");
	struct kdr_dr_offsets want = { 0 }, ends = { 0 };
	int64_t ts = -1;

	kdr_dr_offsets_set(&want, topic, 0, -1);
	if (kdr_executor_end_offsets(&ends, target, &want, exec) == 0 && ends.n == 1 && ends.v[0].offset > 0) {
		ends.v[0].offset--;
		if (kdr_executor_record_timestamps(&ends, target, exec) == 0)
			ts = ends.v[0].timestamp_ms;
	}
	kdr_dr_offsets_release(&want);
	kdr_dr_offsets_release(&ends);
	free(topic);
	return ts;
}

/* The latest offset-sync per partition, when the topic is there and readable (else a warning). */
static void read_syncs(struct kdr_dr_syncs *out, struct kdr_strvec *warnings, const struct kdr_pipeline *p,
		       const struct kdr_flow *flow, const struct kdr_executor_options *exec)
{
	const char *cluster = NULL;
	char *topic = NULL;

	kdr_dr_offset_syncs_location(flow, &cluster, &topic);
	if (!kdr_live_topic_find(kdr_live_cluster_find(&p->live, cluster), topic))
		kdr_strvec_push_take(warnings, kdr_asprintf("offset-syncs topic '%s' does not exist on '%s': lag unknown "
							    "until MM2 replicates",
							    topic, cluster));
	else if (kdr_executor_read_syncs(out, kdr_desired_cluster(p->desired, cluster), topic, exec) != 0)
		kdr_strvec_push_take(warnings, kdr_asprintf("reading '%s' on '%s': %s", topic, cluster, kdr_error_message()));
	else if (out->corrupt)
		kdr_strvec_push_take(warnings, kdr_asprintf("'%s': %zu record(s) are not MM2 offset-syncs and were skipped "
							    "(first: %s)",
							    topic, out->corrupt, out->first_error));
	free(topic);
}

/* kdr_pipeline_lag with the flows' status given (`given`), or computed here when NULL. */
static int measure(struct kdr_dr_lag_report *out, struct kdr_strvec *warnings, const struct kdr_pipeline *p,
		   const struct kdr_health *given, const struct kdr_flow *flow, int64_t max_rpo_ms)
{
	const struct kdr_cluster *source = kdr_desired_cluster(p->desired, flow->source);
	const struct kdr_cluster *target = kdr_desired_cluster(p->desired, flow->target);
	const struct kdr_live_cluster *source_live = kdr_live_cluster_find(&p->live, flow->source);
	const struct kdr_health_flow *sf = NULL;
	const struct kdr_executor_options exec = kdr_pipeline_dr_options(p);
	struct kdr_health status = { 0 };
	struct kdr_strvec topics = KDR_STRVEC_INIT;
	struct kdr_dr_offsets src_want = { 0 }, dst_want = { 0 }, src_ends = { 0 }, dst_ends = { 0 }, first = { 0 };
	struct kdr_dr_syncs syncs = { 0 };
	struct kdr_dr_lag_input in = { 0 };
	const char **remotes = NULL;
	int rc = given ? 0 : kdr_pipeline_status(&status, p);
	const struct kdr_health *st = given ? given : &status;

	for (size_t i = 0; rc == 0 && i < st->n_flows && !sf; i++)
		if (strcmp(st->flows[i].name, flow->meta.name) == 0)
			sf = &st->flows[i];
	if (rc != 0)
		goto cleanup;
	if (!sf || !sf->topics_checked || !source_live || !kdr_live_cluster_find(&p->live, flow->target)) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "flow '%s': '%s' and '%s' must both be readable to measure lag",
				   flow->meta.name, flow->source, flow->target);
		goto cleanup;
	}
	remotes = kdr_calloc(sf->n_mirrored + 1, sizeof(*remotes));
	for (size_t i = 0; i < sf->n_mirrored; i++) {
		const struct kdr_live_topic *topic = kdr_live_topic_find(source_live, sf->mirrored[i].topic);

		kdr_strvec_push(&topics, sf->mirrored[i].topic);
		remotes[i] = sf->mirrored[i].remote;
		for (size_t n = 0; topic && n < topic->n_partitions; n++) {
			kdr_dr_offsets_set(&src_want, sf->mirrored[i].topic, (int32_t)n, -1);
			kdr_dr_offsets_set(&dst_want, sf->mirrored[i].remote, (int32_t)n, -1);
		}
	}
	if ((rc = kdr_executor_end_offsets(&src_ends, source, &src_want, &exec)) != 0 ||
	    (rc = kdr_executor_end_offsets(&dst_ends, target, &dst_want, &exec)) != 0) {
		char *why = kdr_strdup(kdr_error_message());

		rc = kdr_error_set(rc, "log-end offsets: %s", why);
		free(why);
		goto cleanup;
	}
	read_syncs(&syncs, warnings, p, flow, &exec);
	in.flow = flow;
	in.topics = &topics;
	in.remote_topics = remotes;
	in.source = source_live;
	in.source_ends = &src_ends;
	in.target_ends = &dst_ends;
	in.syncs = &syncs;
	in.newest_heartbeat_ms = newest_heartbeat(target, flow, &exec);
	in.now_ms = kdr_clock_wall_ms();
	in.threshold_ms = max_rpo_ms;
	/* Once for the replicated offsets, then with the timestamps of the first unreplicated records. */
	kdr_dr_lag_compute(out, &in);
	for (size_t i = 0; i < out->n_rows; i++)
		if (out->rows[i].lag > 0)
			kdr_dr_offsets_set(&first, out->rows[i].topic, out->rows[i].partition, out->rows[i].replicated);
	kdr_dr_offsets_sort(&first);
	if (first.n && kdr_executor_record_timestamps(&first, source, &exec) != 0)
		kdr_strvec_push_take(warnings, kdr_asprintf("record timestamps on '%s': %s", flow->source,
							    kdr_error_message()));
	in.first_unreplicated = &first;
	in.now_ms = kdr_clock_wall_ms();
	kdr_dr_lag_report_release(out);
	kdr_dr_lag_compute(out, &in);
cleanup:
	kdr_dr_syncs_release(&syncs);
	kdr_dr_offsets_release(&src_want);
	kdr_dr_offsets_release(&dst_want);
	kdr_dr_offsets_release(&src_ends);
	kdr_dr_offsets_release(&dst_ends);
	kdr_dr_offsets_release(&first);
	free(remotes);
	kdr_health_release(&status);
	kdr_strvec_release(&topics);
	return rc;
}

int kdr_pipeline_lag(struct kdr_dr_lag_report *out, struct kdr_strvec *warnings, const struct kdr_pipeline *p,
		     const struct kdr_flow *flow, int64_t max_rpo_ms)
{
	return measure(out, warnings, p, NULL, flow, max_rpo_ms);
}

int kdr_pipeline_flow_lag(struct kdr_dr_lag_report *out, struct kdr_strvec *warnings, struct kdr_pipeline *p,
			  const struct kdr_flow *flow, int64_t max_rpo_ms)
{
	int rc = kdr_pipeline_plan(p);

	return rc != 0 ? rc : kdr_pipeline_lag(out, warnings, p, flow, max_rpo_ms);
}

/* The status form of a report: the totals and the per-topic figures. */
static void fill_status_lag(struct kdr_health_lag *out, const struct kdr_dr_lag_report *report)
{
	kdr_health_lag_release(out);
	out->measured = true;
	out->records = report->total_lag;
	out->rpo_ms = report->max_rpo_ms;
	out->heartbeat_age_ms = report->heartbeat_age_ms;
	out->measured_at_ms = kdr_clock_wall_ms();
	out->topics = kdr_calloc(report->n_topics + 1, sizeof(*out->topics));
	for (size_t i = 0; i < report->n_topics; i++) {
		out->topics[i].topic = kdr_strdup(report->topics[i].topic);
		out->topics[i].records = report->topics[i].lag;
		out->topics[i].rpo_ms = report->topics[i].rpo_ms;
	}
	out->n_topics = report->n_topics;
}

void kdr_pipeline_status_lag(struct kdr_health *status, const struct kdr_pipeline *p)
{
	for (size_t i = 0; i < status->n_flows; i++) {
		struct kdr_health_flow *sf = &status->flows[i];
		const struct kdr_flow *flow = kdr_desired_flow(p->desired, sf->name);
		struct kdr_dr_lag_report report = { 0 };
		struct kdr_strvec warnings = KDR_STRVEC_INIT;

		kdr_health_lag_release(&sf->lag);
		if (!flow)
			continue;
		/* The status at hand names what each flow mirrors: not recomputed per flow. */
		if (measure(&report, &warnings, p, status, flow, 0) == 0)
			fill_status_lag(&sf->lag, &report);
		else
			sf->lag.error = kdr_strdup(kdr_error_message());
		kdr_dr_lag_report_release(&report);
		kdr_strvec_release(&warnings);
	}
	kdr_error_clear();
}

int kdr_pipeline_lag_run(struct kdr_lag_result *out, const struct kdr_desired *desired,
			 const struct kdr_pipeline_options *options, const char *flow_name, int64_t max_rpo_ms)
{
	const struct kdr_flow *flow = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!(flow = kdr_pipeline_result_flow(&out->run, desired, flow_name)))
		return KDR_ENOTFOUND;
	if ((rc = kdr_pipeline_result_read_flow(&out->run, &out->clusters, desired, options, flow)) != 0)
		return rc;
	if ((rc = kdr_pipeline_flow_lag(&out->report, &out->warnings, &out->run.p, flow, max_rpo_ms)) != 0)
		return kdr_pipeline_result_fail(&out->run, rc, false);
	out->run.outcome = out->report.over ? KDR_PIPELINE_FAILED : KDR_PIPELINE_OK;
	return 0;
}

void kdr_lag_result_release(struct kdr_lag_result *result)
{
	kdr_pipeline_result_release(&result->run);
	kdr_dr_lag_report_release(&result->report);
	kdr_strvec_release(&result->warnings);
	kdr_strvec_release(&result->clusters);
}
