/*
 * kdr plan's run on the one pipeline: read -> plan -> --out's JSON ->
 * --reassignments' files; a plan with errors fails it, one with changes is
 * pending when asked (--detailed-exitcode). And what it prints.
 */
#include "pipeline/pipeline.h"

#include <string.h>

#include "render/render.h"
#include "util/error.h"
#include "util/file.h"
#include "util/output.h"

/* --out FILE: the plan's JSON written there, or kept to print ("-"); a file not written is FAILED. */
static int save(struct kdr_plan_result *out, const char *path)
{
	struct kdr_buf json = KDR_BUF_INIT;
	const struct kdr_pipeline *p = &out->reconcile.run.p;
	int rc = 0;

	kdr_render_plan(strcmp(path, "-") == 0 ? &out->saved : &json, &p->plan, p->desired, KDR_RENDER_JSON);
	if (strcmp(path, "-") != 0 && (rc = kdr_file_write(path, json.ptr, json.len)) != 0) {
		kdr_buf_printf(&out->said, "kdr: %s\n", kdr_error_message()); /* as every file kdr cannot write */
		out->reconcile.run.outcome = KDR_PIPELINE_FAILED;
	}
	kdr_buf_release(&json);
	return rc;
}

int kdr_pipeline_plan_run(struct kdr_plan_result *out, const struct kdr_desired *desired,
			  const struct kdr_pipeline_options *options, const struct kdr_plan_request *req)
{
	struct kdr_pipeline_options plan = *options;
	struct kdr_pipeline_result *run = &out->reconcile.run;
	int rc = 0;

	/* The mirror preview names the groups each flow will checkpoint: ids and states, two requests per broker. */
	for (size_t i = 0; i < desired->n_flows; i++)
		if (desired->flows[i].checkpoints_enabled)
			plan.read_groups = KDR_READ_GROUPS_LIST;
	if ((rc = kdr_pipeline_reconcile_run(&out->reconcile, desired, &plan, NULL)) != 0)
		return rc;
	out->planned = true;
	if (req->save_path && (rc = save(out, req->save_path)) != 0)
		return rc;
	if (req->reassignments_dir && (rc = kdr_pipeline_run_reassignments(&out->said, run, req->reassignments_dir)) != 0)
		return rc;
	if (kdr_pipeline_plan_has_errors(&run->p)) {
		out->plan_errors = true;
		run->outcome = KDR_PIPELINE_FAILED;
	} else if (req->changes_pending && !kdr_plan_is_empty(&run->p.plan)) {
		run->outcome = KDR_PIPELINE_PENDING; /* the changes are apply's to make */
	}
	return 0;
}

void kdr_pipeline_plan_render(struct kdr_output *o, const struct kdr_plan_result *result,
			      const struct kdr_plan_request *req)
{
	const struct kdr_pipeline *p = &result->reconcile.run.p;
	struct kdr_buf text = KDR_BUF_INIT;

	kdr_pipeline_reconcile_render(&text, &result->reconcile, "plan");
	kdr_output_put(o, KDR_STDERR, text.ptr, text.len);
	if (result->planned) {
		kdr_buf_reset(&text);
		kdr_render_plan_with_change(&text, &p->plan, p->desired, req->change, req->base_connections,
					    req->format);
		kdr_output_put(o, KDR_STDOUT, text.ptr, text.len);
	}
	kdr_output_put(o, KDR_STDOUT, result->saved.ptr, result->saved.len);
	kdr_output_put(o, KDR_STDERR, result->said.ptr, result->said.len);
	kdr_buf_release(&text);
}

void kdr_plan_result_release(struct kdr_plan_result *result)
{
	kdr_reconcile_result_release(&result->reconcile);
	kdr_buf_release(&result->saved);
	kdr_buf_release(&result->said);
}
