/*
 * plan's, apply's and status's run: read, then plan or take a saved plan
 * (read back here); apply; kdr status's run (a FAILED health fails it); the text.
 */
#include "pipeline/pipeline.h"

#include "plan/codec_json.h"
#include "render/render.h"
#include "util/error.h"
#include "util/file.h"

/* Reads the plan kdr plan --out wrote to `path` into `plan`; a failure is recorded in out->run. */
static int read_saved(struct kdr_plan *plan, struct kdr_reconcile_result *out, const char *path)
{
	struct kdr_buf text = KDR_BUF_INIT;
	int rc = kdr_file_read(&text, path);

	if (rc != 0)
		kdr_pipeline_result_fail(&out->run, rc, true); /* "kdr: cannot read ...", as every file kdr cannot read */
	else if ((rc = kdr_plan_from_json(plan, text.ptr, text.len, path)) != 0)
		kdr_pipeline_result_fail(&out->run, rc, false);
	kdr_buf_release(&text);
	return rc;
}

/* A saved plan's run: read back, its fingerprinted clusters read, the plan taken while they are as it saw them. */
static int run_saved(struct kdr_reconcile_result *out, const struct kdr_desired *desired,
		     const struct kdr_pipeline_options *options, const char *path)
{
	struct kdr_pipeline_options read = *options;
	struct kdr_plan saved = { 0 };
	int rc = read_saved(&saved, out, path);

	if (rc == 0 && options->n_clusters) {
		out->misuse = true;
		rc = kdr_pipeline_result_fail(&out->run,
					      kdr_error_set(KDR_EINVALID, "--cluster cannot narrow a saved plan; plan again "
									  "with --cluster"),
					      false);
	}
	if (rc != 0)
		goto cleanup;
	for (size_t i = 0; i < saved.fingerprints.n; i++)
		kdr_strvec_push(&out->saved_clusters, saved.fingerprints.v[i].key);
	read.clusters = (const char *const *)out->saved_clusters.v;
	read.n_clusters = out->saved_clusters.n;
	if ((rc = kdr_pipeline_result_read(&out->run, desired, &read)) != 0)
		goto cleanup;
	if ((rc = kdr_pipeline_use_saved(&out->run.p, &saved, &out->stale, path)) != 0)
		kdr_pipeline_result_fail(&out->run, rc, false);
cleanup:
	kdr_plan_release(&saved);
	return rc;
}

int kdr_pipeline_reconcile_run(struct kdr_reconcile_result *out, const struct kdr_desired *desired,
			       const struct kdr_pipeline_options *options, const char *saved_path)
{
	int rc = 0;

	if (saved_path)
		return run_saved(out, desired, options, saved_path);
	if ((rc = kdr_pipeline_result_read(&out->run, desired, options)) != 0)
		return rc;
	if ((rc = kdr_pipeline_plan(&out->run.p)) != 0)
		return kdr_pipeline_result_fail(&out->run, rc, false);
	return 0;
}

void kdr_pipeline_reconcile_render(struct kdr_buf *err, const struct kdr_reconcile_result *result,
				   const char *command)
{
	kdr_pipeline_result_render_read(err, &result->run);
	for (size_t i = 0; i < result->stale.n; i++)
		kdr_buf_printf(err, "kdr %s: %s\n", command, result->stale.v[i]);
	/* The stale clusters say why better than "'PLAN.json' is stale". */
	if (!result->stale.n)
		kdr_pipeline_result_render_error(err, &result->run, command);
}

int kdr_pipeline_reconcile_apply(struct kdr_reconcile_result *out)
{
	struct kdr_pipeline *p = &out->run.p;
	struct kdr_buf text = KDR_BUF_INIT;
	int rc = kdr_pipeline_apply(&out->applied, p, NULL, NULL);

	if (p->options.snapshot_path) {
		kdr_live_to_json(&text, &p->live);
		rc = kdr_file_write(p->options.snapshot_path, text.ptr, text.len);
		kdr_buf_release(&text);
		return rc != 0 ? kdr_pipeline_result_fail(&out->run, rc, false) : 0;
	}
	out->run.outcome = out->applied.failed	  ? KDR_PIPELINE_FAILED
			   : out->applied.unsettled ? KDR_PIPELINE_PENDING
						    : KDR_PIPELINE_OK;
	return rc;
}

void kdr_pipeline_reconcile_render_apply(struct kdr_buf *out, struct kdr_buf *err,
					 const struct kdr_reconcile_result *result, const char *command)
{
	const struct kdr_pipeline *p = &result->run.p;

	if (!p->options.snapshot_path)
		kdr_pipeline_apply_render_text(out, err, command, &p->plan, &result->applied, p->options.validate_only);
	else if (result->run.error)
		kdr_buf_printf(err, "kdr: %s\n", result->run.error); /* as every file kdr cannot write */
	else
		kdr_buf_printf(out, "\napplied %zu action(s) to snapshot '%s'\n", p->plan.n_actions,
			       p->options.snapshot_path);
}

int kdr_pipeline_reconcile_status(struct kdr_health *out, const struct kdr_reconcile_result *result)
{
	const struct kdr_pipeline *p = &result->run.p;
	int rc = kdr_pipeline_status(out, p);

	if (rc == 0 && !p->options.snapshot_path)
		kdr_pipeline_status_lag(out, p);
	return rc;
}

int kdr_pipeline_status_run(struct kdr_status_result *out, const struct kdr_desired *desired,
			    const struct kdr_pipeline_options *options)
{
	struct kdr_pipeline_result *run = &out->reconcile.run;
	int rc = kdr_pipeline_reconcile_run(&out->reconcile, desired, options, NULL);

	if (rc != 0)
		return rc;
	if ((rc = kdr_pipeline_reconcile_status(&out->health, &out->reconcile)) != 0)
		return kdr_pipeline_result_fail(run, rc, false);
	out->reported = true;
	if (out->health.level == KDR_HEALTH_FAILED)
		run->outcome = KDR_PIPELINE_FAILED;
	return 0;
}

void kdr_pipeline_status_render(struct kdr_buf *out, struct kdr_buf *err, const struct kdr_status_result *result,
				bool json)
{
	kdr_pipeline_reconcile_render(err, &result->reconcile, "status");
	if (result->reported && json)
		kdr_render_health_json(out, &result->health);
	else if (result->reported)
		kdr_render_health_text(out, &result->health);
}

void kdr_status_result_release(struct kdr_status_result *result)
{
	kdr_reconcile_result_release(&result->reconcile);
	kdr_health_release(&result->health);
}

void kdr_reconcile_result_release(struct kdr_reconcile_result *result)
{
	kdr_pipeline_result_release(&result->run);
	kdr_strvec_release(&result->stale);
	kdr_apply_report_release(&result->applied);
	kdr_strvec_release(&result->saved_clusters);
}
