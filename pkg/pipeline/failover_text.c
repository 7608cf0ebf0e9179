/*
 * What kdr failover prints (pipeline/dr.h): the clusters not read, the
 * stops and warnings, the decision's table, the lockouts; then the commit
 * and the record of the failover in the desired state, or the patch to
 * record.
 */
#include "pipeline/dr.h"

#define SAY(o, ...) kdr_output_printf((o), KDR_STDERR, "kdr failover: " __VA_ARGS__)

void kdr_pipeline_failover_render_decision(struct kdr_output *o, const struct kdr_failover_outcome *out,
					   const struct kdr_failover_request *req, bool json)
{
	struct kdr_buf table = KDR_BUF_INIT;

	kdr_pipeline_dr_render_read(o, &out->run);
	for (size_t i = 0; i < out->n_stops; i++) {
		if (out->stops[i].code == 0)
			SAY(o, "connector '%s' on '%s': stopped\n", out->stops[i].connector, out->stops[i].cluster);
		else
			SAY(o, "connector '%s' on '%s': not stopped (%s); going on\n", out->stops[i].connector,
			    out->stops[i].cluster, out->stops[i].message);
	}
	for (size_t i = 0; i < out->warnings.n; i++)
		SAY(o, "%s\n", out->warnings.v[i]);
	if (out->run.error) {
		if (!out->run.read_failed)
			SAY(o, "%s\n", out->run.error);
		return;
	}
	if (json)
		kdr_dr_failover_render_json(&table, &out->plan, req->dry_run);
	else
		kdr_dr_failover_render_text(&table, &out->plan, req->dry_run);
	kdr_output_put(o, KDR_STDOUT, table.ptr, table.len);
	kdr_output_flush(o);
	kdr_buf_release(&table);
	for (size_t i = 0; i < out->lockouts.n; i++)
		SAY(o, "warning: %s\n", out->lockouts.v[i]);
}

/* The failover's record: recorded already, the patch to record (without --commit), or what was written. */
static void record(struct kdr_output *o, const struct kdr_failover_outcome *out, const struct kdr_failover_request *req)
{
	const struct kdr_flow *flow = out->flow;

	if (flow->suspended && flow->failed_over) {
		SAY(o, "the failover of flow '%s' is recorded (spec.failedOver: %s)\n", flow->meta.name, flow->failed_over);
	} else if (!out->record.attempted) {
		kdr_output_printf(o, KDR_STDERR, "\n");
		SAY(o,
		    "%s the failover in the desired state (--commit writes it), or `kdr apply`/`kdr run`\n"
		    "would resume the stopped connectors of flow '%s' and re-create its topics on '%s':\n"
		    "  %s%s%u: ReplicationFlow '%s': set\n"
		    "    spec:\n"
		    "      suspended: true\n"
		    "      failedOver: %s\n",
		    req->dry_run ? "then record" : "record", flow->meta.name, flow->source,
		    flow->meta.file ? flow->meta.file : flow->meta.object_ref, flow->meta.file ? ":" : "", flow->meta.line,
		    flow->meta.name, out->record.failed_over);
	} else {
		kdr_pipeline_dr_record_render(o, "kdr failover", &out->record);
		if (!out->record.error && !out->record.done.n)
			SAY(o, "the failover of flow '%s' was already recorded\n", flow->meta.name);
	}
}

void kdr_pipeline_failover_render_finish(struct kdr_output *o, const struct kdr_failover_outcome *out,
					 const struct kdr_failover_request *req)
{
	if (out->to_commit && !req->dry_run && req->declined) {
		SAY(o, "not committed (%s)\n", req->declined);
		return;
	}
	for (size_t i = 0; out->commit_failed && i < out->commit_errors.n; i++)
		SAY(o, "%s\n", out->commit_errors.v[i]);
	if (out->committed && !out->commit_failed)
		SAY(o, "committed the offsets of %zu group(s) on '%s'\n", out->to_commit, out->flow->target);
	record(o, out, req);
}
