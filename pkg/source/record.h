#ifndef KDR_SOURCE_RECORD_H
#define KDR_SOURCE_RECORD_H

#include <stddef.h>

#include "model/model.h"
#include "source/source.h"
#include "spec/spec.h"
#include "util/strvec.h"

/*
 * Writing a DR step back into the desired state it was read from (`kdr
 * failover --commit`, `kdr failback --commit`): edits of up to two flows'
 * specs and one whole document added or removed, recorded as one change by
 * the source itself: a directory's files rewritten in place, one Git commit
 * (pushed to a remote), or the ReplicationFlow custom resources patched,
 * created and deleted.
 */
struct kdr_source_change {
	const struct kdr_flow *flow;       /* whose document is edited (NULL: none) */
	const struct kdr_spec_edit *edits; /* values are YAML (and JSON) scalars: "true", "\"2026-...\"" */
	size_t n_edits;
	const struct kdr_flow *flow2;      /* a second flow edited in the same change (NULL: none) */
	const struct kdr_spec_edit *edits2;
	size_t n_edits2;
	/* A whole file: `path` is relative to the source (a repository path, or under DIR); data NULL removes it. */
	const char *file_path;
	const char *file_data;
	/*
	 * The same whole document for a source of objects (Kubernetes), which
	 * has no paths: `document_for`, the flow whose DR step writes or removes
	 * it (a new document joins its namespace, marked as made for it; a
	 * removed one is deleted only when so marked), and `document_flow`, the
	 * flow a removed document holds (its object is deleted). The directory
	 * and Git sources use file_path and ignore both.
	 */
	const struct kdr_flow *document_for;
	const struct kdr_flow *document_flow;
};

/*
 * Records `change` in `source`, the source `desired` was loaded from (its
 * revision is the one the change applies to):
 * - a directory: each flow's file edited in place (every other byte kept);
 *   a new document written before, a removed one unlinked after the edits,
 *   so a record interrupted half way leaves a state the next run completes;
 * - Git: one commit with `message` on the branch of the source's ref
 *   (default: HEAD's) on top of desired->revision, pushed for a remote
 *   (no force; refused when the branch moved);
 * - Kubernetes: each flow's ReplicationFlow patched (a JSON Patch of its
 *   spec, conditional on the generation loaded: refused when the spec moved
 *   since, status writes do not matter); a new document created as a custom
 *   resource in document_for's namespace before the patches, marked
 *   (label kdr.io/created-by: failback, annotation kdr.io/failback-of: F;
 *   one already there with the same spec is done, another is KDR_EEXISTS),
 *   a removed one (document_flow's object) deleted after them, only when it
 *   carries that mark (else KDR_EEXISTS, the object left as it is) and
 *   conditional on its uid and resourceVersion as read. A removal without
 *   document_flow is KDR_EUNSUPPORTED, before anything is sent.
 * What was written is appended to `done`, one line each, in order ("wrote
 * P", "recorded in P", "removed P", "committed ID on BRANCH of URL:
 * SUBJECT", "recorded in ReplicationFlow NS/NAME (resourceVersion RV)",
 * "created ReplicationFlow NS/NAME (resourceVersion RV)", "deleted
 * ReplicationFlow NS/NAME"): nothing appended means nothing needed writing.
 * Returns 0, or a negative code with kdr_error_set (a message ending
 * "; nothing was recorded" when nothing was): KDR_EUNSUPPORTED (a source
 * that cannot record), KDR_EINVALID, KDR_EEXISTS (an object kdr did not make
 * is in the way), KDR_ECONFLICT (the source moved since it was read),
 * KDR_EIO, or the source's request codes.
 */
int kdr_source_record(struct kdr_strvec *done, struct kdr_source *source, const struct kdr_desired *desired,
		      const struct kdr_source_change *change, const char *message);

#endif
