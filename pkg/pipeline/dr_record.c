/*
 * What kdr failover and kdr failback record in the desired state: the
 * edits, the files and the commit messages (pipeline/dr.h). Decided here,
 * written by the source (kdr_source_record), rendered in dr_text.c.
 */
#include "pipeline/dr.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

/* Cleared by step 3, on F and on a reverse flow of the topology. */
static const struct kdr_spec_edit restored[] = {
	{ "suspended", "false" },
	{ "failedOver", NULL },
};

void kdr_pipeline_failover_record(struct kdr_dr_step_record *out, const struct kdr_flow *flow, const char *now,
				  size_t committed_groups)
{
	const char *at = flow->failed_over ? flow->failed_over : now;

	memset(out, 0, sizeof(*out));
	out->failed_over = kdr_asprintf("\"%s\"", at);
	out->edits[0].key = "suspended";
	out->edits[0].value = "true";
	out->edits[1].key = "failedOver";
	out->edits[1].value = out->failed_over;
	out->change.flow = flow;
	out->change.edits = out->edits;
	out->change.n_edits = 2;
	out->message = kdr_asprintf("kdr failover: flow %s (%s -> %s) failed over at %s\n\n"
				    "Recorded by `kdr failover --commit`: spec.suspended: true and spec.failedOver on\n"
				    "ReplicationFlow %s; %zu consumer group(s) committed on %s. While recorded, kdr\n"
				    "neither resumes nor recreates the flow's connectors nor creates the topics it\n"
				    "mirrors on %s. Undo with `kdr failback --flow %s` (docs/runbook.md).\n",
				    flow->meta.name, flow->source, flow->target, at, flow->meta.name, committed_groups,
				    flow->target, flow->source, flow->meta.name);
}

/* The path of `name` next to `file` ("desired/dr.yaml", "x.yaml" -> "desired/x.yaml"; no file: `name`). */
static char *sibling_path(const char *file, const char *name)
{
	const char *slash = file ? strrchr(file, '/') : NULL;

	if (!slash)
		return kdr_strdup(name);
	return kdr_asprintf("%.*s/%s", (int)(slash - file), file, name);
}

int kdr_pipeline_failback_declare(struct kdr_dr_step_record *out, const struct kdr_desired *desired,
				  const struct kdr_flow *flow, const struct kdr_dr_failback_state *state)
{
	const struct kdr_cluster *primary = kdr_desired_cluster(desired, flow->source);
	const char *reverse_name = state->reverse_name;
	char *name = NULL;

	memset(out, 0, sizeof(*out));
	if (!primary || !primary->connect.present)
		return kdr_error_set(KDR_EINVALID,
				     "cluster '%s' has no spec.connect: the reverse flow's connectors run on the Connect "
				     "that writes into '%s'; declare it first",
				     flow->source, flow->source);
	name = kdr_asprintf("%s.yaml", reverse_name);
	out->path = sibling_path(flow->meta.file, name);
	out->document = kdr_dr_failback_reverse_document(flow, reverse_name);
	out->change.file_path = out->path;
	out->change.file_data = out->document;
	out->change.document_for = flow;
	out->message = kdr_asprintf("kdr failback: declare %s, the reverse of flow %s (%s -> %s)\n\n"
				    "Step 1 of `kdr failback --flow %s`: the records written on %s while flow %s\n"
				    "was failed over are replicated back to %s.\n",
				    reverse_name, flow->meta.name, flow->target, flow->source, flow->meta.name, flow->target,
				    flow->meta.name, flow->source);
	free(name);
	return 0;
}

int kdr_pipeline_failback_restore(struct kdr_dr_step_record *out, const struct kdr_desired *desired,
				  const struct kdr_flow *flow, const struct kdr_dr_failback_state *state)
{
	const struct kdr_flow *reverse = state->reverse;
	bool owned = state->owned;

	memset(out, 0, sizeof(*out));
	/* A flow already restored (an earlier run stopped half way) keeps its spec.suspended as it is. */
	if (flow->failed_over) {
		out->change.flow = flow;
		out->change.edits = restored;
		out->change.n_edits = 2;
	}
	if (reverse && !owned) {
		/* A reverse flow of the topology (active-active): it stays, its failover record goes. */
		if (reverse->failed_over) {
			out->change.flow2 = reverse;
			out->change.edits2 = restored;
			out->change.n_edits2 = 2;
		}
	} else if (reverse) {
		if (reverse->meta.file && kdr_dr_shares_file(desired, reverse))
			return kdr_error_set(KDR_ECONFLICT,
					     "%s shares %s with other documents: remove ReplicationFlow '%s' from it by "
					     "hand; nothing was recorded",
					     reverse->meta.name, reverse->meta.file, reverse->meta.name);
		out->change.file_path = reverse->meta.file;
		out->change.document_for = flow;
		out->change.document_flow = reverse;
	}
	out->message = kdr_asprintf("kdr failback: restore flow %s (%s -> %s)%s%s\n\n"
				    "Step 3 of `kdr failback --flow %s`: the consumer groups are back on %s; the\n"
				    "failover record (spec.failedOver) is cleared and the flow resumes.\n",
				    flow->meta.name, flow->source, flow->target, !reverse ? "" : owned ? ", remove " : ", resume ",
				    reverse ? reverse->meta.name : "", flow->meta.name, flow->source);
	return 0;
}

int kdr_pipeline_dr_record(struct kdr_dr_step_record *rec, struct kdr_source *source,
			   const struct kdr_desired *desired)
{
	int rc = kdr_source_record(&rec->done, source, desired, &rec->change, rec->message);

	rec->attempted = true;
	if (rc != 0) {
		rec->error = kdr_strdup(kdr_error_message());
		rec->unsupported = rc == KDR_EUNSUPPORTED;
	}
	return rc;
}

void kdr_dr_step_record_release(struct kdr_dr_step_record *rec)
{
	free(rec->failed_over);
	free(rec->path);
	free(rec->document);
	free(rec->message);
	kdr_strvec_release(&rec->done);
	free(rec->error);
	memset(rec, 0, sizeof(*rec));
}
