/*
 * What kdr failback prints of its step (pipeline/dr.h): what the
 * step found or wrote, its tables (the reverse flow's lag, the groups moved
 * back), and what the operator does next.
 */
#include "pipeline/dr.h"

#define SAY(o, ...) kdr_output_printf((o), KDR_STDERR, "kdr failback: " __VA_ARGS__)

/* A table of pkg/dr's on stdout, flushed (the guidance after it is on stderr). */
static void put_table(struct kdr_output *o, const struct kdr_buf *table)
{
	kdr_output_put(o, KDR_STDOUT, table->ptr, table->len);
	kdr_output_flush(o);
}

/* The clusters that could not be read, as every command that reads says it; false when the read failed. */
static bool read_lines(struct kdr_output *o, const struct kdr_failback_outcome *fb)
{
	kdr_pipeline_dr_render_read(o, &fb->run);
	return fb->failure != KDR_FAILBACK_READ_FAILED;
}

static void declared(struct kdr_output *o, const struct kdr_failback_outcome *fb, const struct kdr_failback_request *req)
{
	const struct kdr_flow *flow = fb->flow;
	const char *reverse_name = fb->state.reverse_name;

	/* Read from Kubernetes (a namespace, no file): the document is a custom resource in F's namespace. */
	const char *ns = flow->meta.file ? NULL : flow->meta.namespace;

	if (ns)
		SAY(o, "step 1 of 3: declare the reverse flow '%s' (%s -> %s) as ReplicationFlow %s/%s\n", reverse_name,
		    flow->target, flow->source, ns, reverse_name);
	else
		SAY(o, "step 1 of 3: declare the reverse flow '%s' (%s -> %s) in %s\n", reverse_name, flow->target,
		    flow->source, fb->record.path);
	if (!req->commit) {
		kdr_output_printf(o, KDR_STDOUT, "%s", fb->record.document);
		if (ns)
			SAY(o, "not written (without --commit): --commit creates the document above in namespace %s\n", ns);
		else
			SAY(o, "not written (without --commit): add the document above as %s\n", fb->record.path);
		return;
	}
	kdr_pipeline_dr_record_render(o, "kdr failback", &fb->record);
	if (fb->failure == KDR_FAILBACK_OK)
		SAY(o,
		    "next: kdr apply (creates %s's connectors on %s's Connect); then\n"
		    "  kdr lag --flow %s --max-rpo 5s   until it exits 0\n",
		    reverse_name, flow->source, reverse_name);
}

static void catching_up(struct kdr_output *o, const struct kdr_failback_outcome *fb,
			const struct kdr_failback_request *req)
{
	const struct kdr_flow *flow = fb->flow, *reverse = fb->state.reverse;
	struct kdr_buf table = KDR_BUF_INIT;

	SAY(o, "step 2 of 3: the reverse flow '%s' (%s -> %s) is declared%s; nothing to record yet.\n",
	    reverse->meta.name, flow->target, flow->source, fb->state.owned ? "" : " (a flow of the topology)");
	if (!read_lines(o, fb))
		return;
	for (size_t i = 0; i < fb->lag_warnings.n; i++)
		SAY(o, "lag: %s\n", fb->lag_warnings.v[i]);
	if (fb->failure == KDR_FAILBACK_LAG_FAILED) {
		SAY(o, "the lag of '%s': %s\n", reverse->meta.name, fb->run.error);
		return;
	}
	kdr_dr_lag_render_text(&table, &fb->lag);
	put_table(o, &table);
	kdr_buf_release(&table);
	if (!fb->lag.over)
		SAY(o, "'%s' has caught up: %s has the standby's records (every RPO estimate within %lld ms). Next:\n",
		    reverse->meta.name, flow->source, (long long)req->max_rpo_ms);
	else
		SAY(o,
		    "'%s' has not caught up (an RPO estimate over %lld ms, or unknown): run kdr apply if its connectors "
		    "are not there yet, and kdr failback again. Then:\n",
		    reverse->meta.name, (long long)req->max_rpo_ms);
	kdr_output_printf(o, KDR_STDERR,
			  "  stop the consumers and producers on %s, then\n"
			  "  kdr failover --flow %s --yes --commit   their offsets translated back onto %s\n"
			  "  kdr failback --flow %s --commit        step 3: %s restored, %s %s\n",
			  flow->target, reverse->meta.name, flow->source, flow->meta.name, flow->meta.name,
			  reverse->meta.name, fb->state.owned ? "removed" : "resumed");
}

/* Step 3's first half: the groups moved back onto F's source; false when F is not to be restored. */
static bool moved_back(struct kdr_output *o, const struct kdr_failback_outcome *fb,
		       const struct kdr_failback_request *req)
{
	const struct kdr_flow *flow = fb->flow;
	struct kdr_buf table = KDR_BUF_INIT;

	if (fb->no_groups)
		SAY(o, "%s: no group of %s's topics to move back\n", fb->no_groups, flow->source);
	if (fb->failure == KDR_FAILBACK_GROUPS_FAILED) {
		SAY(o, "the groups of %s's topics: %s; nothing was recorded\n", flow->source, fb->run.error);
		return false;
	}
	if (fb->groups.n_rows) {
		kdr_dr_failover_render_text(&table, &fb->groups, !req->commit);
		put_table(o, &table);
		kdr_buf_release(&table);
	}
	for (size_t i = 0; i < fb->untranslated.n; i++)
		SAY(o, "not moved back: %s\n", fb->untranslated.v[i]);
	if (fb->untranslated.n)
		SAY(o,
		    "nothing proves which records of %s's topics those groups have read; --untranslatable earliest "
		    "moves them to the partition's log start on %s (at-least-once: they read again every record still "
		    "there)\n",
		    flow->source, flow->source);
	for (size_t i = 0; i < fb->errors.n; i++)
		SAY(o, "%s\n", fb->errors.v[i]);
	if (fb->failure == KDR_FAILBACK_NOT_MOVED) {
		SAY(o, "flow '%s' is not restored until its groups are back on %s (run again)\n", flow->meta.name,
		    flow->source);
		return false;
	}
	return true;
}

static void restored(struct kdr_output *o, const struct kdr_failback_outcome *fb, const struct kdr_failback_request *req)
{
	const struct kdr_flow *flow = fb->flow, *reverse = fb->state.reverse;
	bool owned = fb->state.owned;

	/* The restore cannot be recorded: refused before any group was read or moved. */
	if (fb->failure == KDR_FAILBACK_STEP_FAILED) {
		SAY(o, "%s\n", fb->run.error);
		return;
	}
	if (!read_lines(o, fb) || !moved_back(o, fb, req))
		return;
	SAY(o, "step 3 of 3: restore flow '%s' (%s -> %s)%s%s\n", flow->meta.name, flow->source, flow->target,
	    !reverse ? "" : owned ? " and remove " : " and resume ", reverse ? reverse->meta.name : "");
	if (!req->commit) {
		SAY(o, "not written (without --commit):\n");
		if (fb->record.change.flow)
			kdr_output_printf(o, KDR_STDERR, "  ReplicationFlow '%s': spec.suspended: false, remove spec.failedOver\n",
					  flow->meta.name);
		if (reverse && owned)
			kdr_output_printf(o, KDR_STDERR, "  remove ReplicationFlow '%s' (%s)\n", reverse->meta.name,
					  reverse->meta.file ? reverse->meta.file : reverse->meta.object_ref);
		else if (fb->record.change.flow2)
			kdr_output_printf(o, KDR_STDERR, "  ReplicationFlow '%s': spec.suspended: false, remove spec.failedOver\n",
					  reverse->meta.name);
		return;
	}
	kdr_pipeline_dr_record_render(o, "kdr failback", &fb->record);
	if (fb->failure == KDR_FAILBACK_OK)
		SAY(o, "next: kdr apply (resumes %s's connectors, %s those of %s, creates the topics %s mirrors on %s)\n",
		    flow->meta.name, owned ? "deletes" : "resumes", reverse ? reverse->meta.name : "the reverse flow",
		    flow->meta.name, flow->source);
}

void kdr_pipeline_failback_render(struct kdr_output *o, const struct kdr_failback_outcome *fb,
				  const struct kdr_failback_request *req)
{
	/* Before a step was taken, or step 1's document could not be made. */
	if (fb->failure == KDR_FAILBACK_STEP_FAILED && fb->state.step != KDR_DR_FAILBACK_RESTORE) {
		SAY(o, "%s\n", fb->run.error);
		return;
	}
	switch (fb->state.step) {
	case KDR_DR_FAILBACK_NOTHING:
		SAY(o, "flow '%s' is not failed over (no spec.failedOver): nothing to fail back\n", fb->flow->meta.name);
		break;
	case KDR_DR_FAILBACK_DECLARE: declared(o, fb, req); break;
	case KDR_DR_FAILBACK_CATCH_UP: catching_up(o, fb, req); break;
	case KDR_DR_FAILBACK_RESTORE: restored(o, fb, req); break;
	}
}
