/* The one reconcile path: read live -> resolve secrets -> plan -> apply -> report. */
#include "pipeline/pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/file.h"

void kdr_pipeline_init(struct kdr_pipeline *p, const struct kdr_desired *desired,
		       const struct kdr_pipeline_options *options)
{
	memset(p, 0, sizeof(*p));
	p->desired = desired;
	if (options)
		p->options = *options;
	/*
	 * Compiled once, for every stage: plan (mirror preview, ACL mirroring...)
	 * and status; a loaded desired state brings them (the loader resolved it).
	 */
	p->resolved = p->options.resolved ? p->options.resolved : kdr_resolved_of(desired);
	if (!p->resolved && desired)
		p->resolved = p->own_resolved = kdr_resolved_new(desired);
	p->filters = p->resolved ? &p->resolved->filters : NULL;
	kdr_mm2_secrets_resolving(&p->secrets, p->options.resolver);
}

static int read_snapshot(struct kdr_live *out, const char *path)
{
	struct kdr_buf text = KDR_BUF_INIT;
	int rc = kdr_file_read(&text, path);

	if (rc == 0)
		rc = kdr_live_from_json(out, text.ptr, text.len, path);
	kdr_buf_release(&text);
	return rc;
}

int kdr_pipeline_read(struct kdr_pipeline *p)
{
	struct kdr_reader_options options = { 0 };

	if (p->options.snapshot_path)
		return read_snapshot(&p->live, p->options.snapshot_path);
	for (size_t i = 0; i < p->options.n_clusters; i++)
		if (!kdr_desired_cluster(p->desired, p->options.clusters[i]))
			return kdr_error_set(KDR_ENOTFOUND, "--cluster '%s': no KafkaCluster of that name is declared",
					     p->options.clusters[i]);
	options.timeout_ms = p->options.timeout_ms;
	options.resolver = p->options.resolver;
	options.clusters = p->options.clusters;
	options.n_clusters = p->options.n_clusters;
	options.read_groups = p->options.read_groups;
	options.verify_acls = p->options.verify_acls;
	options.pool = p->options.pool;
	/*
	 * A cluster that cannot be read is left out: the plan reports it as an
	 * error item, and the other clusters are still planned.
	 */
	kdr_reader_read(&p->live, &p->read, p->desired, &options);
	for (size_t i = 0; i < p->read.n_clusters; i++)
		if (p->read.clusters[i].code == 0)
			kdr_strvec_push(&p->read_ok, p->read.clusters[i].name);
	return 0;
}

int kdr_pipeline_plan(struct kdr_pipeline *p)
{
	struct kdr_plan_options options = { 0 };
	int rc = 0;

	options.secrets = &p->secrets;
	options.resolved = p->resolved;
	options.allow_delete = p->options.allow_delete;
	if (p->options.plan_read_only) {
		static const char *const none[1] = { NULL };

		/* NULL would mean every cluster. */
		options.clusters = p->read_ok.n ? (const char *const *)p->read_ok.v : none;
		options.n_clusters = p->read_ok.n;
	} else {
		options.clusters = p->options.n_clusters ? p->options.clusters : NULL;
		options.n_clusters = p->options.n_clusters;
	}
	rc = kdr_plan_compute(&p->plan, p->desired, &p->live, &options);
	p->planned = rc == 0;
	return rc;
}

int kdr_pipeline_use_saved(struct kdr_pipeline *p, struct kdr_plan *saved, struct kdr_strvec *problems,
			   const char *label)
{
	kdr_plan_release(&p->plan);
	p->plan = *saved;
	memset(saved, 0, sizeof(*saved));
	if (!kdr_plan_saved_is_fresh(problems, &p->plan, &p->live, label))
		return kdr_error_set(KDR_ECONFLICT, "'%s' is stale", label);
	if (kdr_plan_restore_secrets(&p->plan, p->desired, &p->secrets, label) != 0)
		return kdr_error_last();
	p->planned = true;
	return 0;
}

int kdr_pipeline_apply(struct kdr_apply_report *out, struct kdr_pipeline *p, const struct kdr_strvec *targets,
		       const bool *held)
{
	struct kdr_executor_options exec = { 0 };
	struct kdr_apply_report report = { 0 };
	struct kdr_plan sub;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (p->options.snapshot_path) {
		kdr_plan_simulate(&p->live, &p->plan);
		return 0;
	}
	exec.timeout_ms = p->options.timeout_ms;
	exec.resolver = p->options.resolver;
	exec.validate_only = p->options.validate_only;
	exec.clusters = targets ? (const char *const *)targets->v : p->options.clusters;
	exec.n_clusters = targets ? targets->n : p->options.n_clusters;
	if (!held)
		return kdr_executor_apply(out, &p->plan, p->desired, &exec);
	/* Held actions are left out: a shallow plan of the others (the actions' contents are the plan's). */
	sub = p->plan;
	sub.actions = kdr_calloc(p->plan.n_actions + 1, sizeof(*sub.actions));
	sub.n_actions = sub.cap_actions = 0;
	for (size_t i = 0; i < p->plan.n_actions; i++)
		if (!held[i])
			sub.actions[sub.n_actions++] = p->plan.actions[i];
	rc = kdr_executor_apply(&report, &sub, p->desired, &exec);
	*out = report;
	out->n = p->plan.n_actions;
	out->results = kdr_calloc(p->plan.n_actions + 1, sizeof(*out->results));
	for (size_t i = 0, k = 0; i < p->plan.n_actions; i++)
		if (!held[i] && k < report.n)
			out->results[i] = report.results[k++];
	free(report.results);
	free(sub.actions);
	return rc;
}

int kdr_pipeline_status(struct kdr_health *out, const struct kdr_pipeline *p)
{
	struct kdr_health_options options = { 0 };

	options.clusters = p->options.n_clusters ? p->options.clusters : NULL;
	options.n_clusters = p->options.n_clusters;
	options.filters = p->filters;
	return kdr_health_compute(out, p->desired, &p->live, &p->plan, &options);
}

struct kdr_executor_options kdr_pipeline_dr_options(const struct kdr_pipeline *p)
{
	struct kdr_executor_options exec = { 0 };

	exec.timeout_ms = p->options.timeout_ms;
	exec.resolver = p->options.resolver;
	return exec;
}

bool kdr_pipeline_plan_has_errors(const struct kdr_pipeline *p)
{
	for (size_t i = 0; i < p->plan.n_blocked; i++)
		if (p->plan.blocked[i].kind == KDR_BLOCKED_ERROR)
			return true;
	return false;
}

void kdr_pipeline_release(struct kdr_pipeline *p)
{
	kdr_plan_release(&p->plan);
	kdr_resolved_free(p->own_resolved);
	kdr_live_release(&p->live);
	kdr_reader_report_release(&p->read);
	kdr_strvec_release(&p->read_ok);
	memset(p, 0, sizeof(*p));
}
