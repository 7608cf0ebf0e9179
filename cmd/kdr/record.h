#ifndef KDR_CMD_RECORD_H
#define KDR_CMD_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "source_opts.h"
#include "spec/spec.h"

/*
 * Writing a DR step back into the desired state it was read from (`kdr
 * failover --commit`, `kdr failback --commit`): edits of one flow's spec and
 * whole files added or removed, as one change.
 */
struct kdr_cli_record {
	const struct kdr_flow *flow;       /* whose document is edited (NULL: none) */
	const struct kdr_spec_edit *edits;
	size_t n_edits;
	const struct kdr_flow *flow2;      /* a second flow edited in the same change (NULL: none) */
	const struct kdr_spec_edit *edits2;
	size_t n_edits2;
	/* A whole file: `path` is relative to the source (a repository path, or under DIR); data NULL removes it. */
	const char *file_path;
	const char *file_data;
};

/*
 * Records `rec` in the source `src` that `desired` was loaded from: with
 * --git, one commit with `message` on the branch of --ref (default: HEAD's),
 * on top of the commit read (desired->revision), pushed when the repository
 * is a remote; with a directory, the files rewritten in place; with --k8s,
 * nothing is written (kdr does not edit custom resources: the kubectl patch
 * is printed). `what` names the command in messages ("kdr failover").
 * *changed says whether anything was written. Returns an enum kdr_exit.
 */
int kdr_cli_record(bool *changed, const struct kdr_cli_source *src, const struct kdr_desired *desired,
		   const struct kdr_cli_record *rec, const char *message, const char *what);

/* The current UTC time as "2026-12-07T01:02:03Z" (spec.failedOver). */
void kdr_cli_utc_now(char out[21]);

/* The path of `name` next to `file` ("desired/dr.yaml", "x.yaml" -> "desired/x.yaml"); heap string. */
char *kdr_cli_sibling_path(const char *file, const char *name);

#endif
