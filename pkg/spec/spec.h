#ifndef KDR_SPEC_SPEC_H
#define KDR_SPEC_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/strvec.h"

/*
 * Documents -> model. Every problem becomes a diagnostic with file:line:col
 * (YAML) or KIND/NAME (JSON objects), the field path, what was found and what
 * is allowed; unknown fields get a did-you-mean. Parsing continues after an
 * error so that all of them are reported. Objects whose documents had errors
 * are still added (so validation can report more), but the caller must not
 * use a desired state when diags has errors.
 * Each returns 0, or KDR_EINVALID when it added at least one error, or KDR_EIO
 * when a file or directory could not be read (also as a diagnostic).
 */

/* Parses a YAML stream (possibly several documents) labelled `file`. */
int kdr_spec_parse_yaml(struct kdr_desired *into, const char *file, const char *data, size_t len,
			struct kdr_diags *diags);

/* Reads one file. */
int kdr_spec_load_file(struct kdr_desired *into, const char *path, struct kdr_diags *diags);

/*
 * The document files kdr_spec_load_dir reads, in its order: every *.yaml /
 * *.yml under `dir`, recursively, sorted by path, hidden entries skipped,
 * symlink loops cut; `dir` itself when it is a file. Appends to `out`.
 * Problems go to `diags` (may be NULL) and kdr_error_set; returns 0 or
 * KDR_EIO (the readable paths are still listed).
 */
int kdr_spec_list_dir(struct kdr_strvec *out, const char *dir, struct kdr_diags *diags);

/* Reads every *.yaml / *.yml under `dir`, recursively, sorted by path. */
int kdr_spec_load_dir(struct kdr_desired *into, const char *dir, struct kdr_diags *diags);

/*
 * Parses one object in the Kubernetes JSON form ({apiVersion, kind,
 * metadata, spec, status}); `label` names it in diagnostics when metadata is
 * unusable. `status` is ignored.
 */
int kdr_spec_parse_json(struct kdr_desired *into, const char *label, const char *json, size_t len,
			struct kdr_diags *diags);

/*
 * The one YAML document of `data` (a map) as compact JSON text appended to
 * `out`, for a source that stores objects (Kubernetes). Scalars are typed
 * as kdr's decoder reads them: quoted (or !!str) a string; plain null (empty,
 * ~, null), true/false, a decimal integer (no '+', no leading zeros, int64),
 * anything else a string. Keys keep the document's order. Returns 0, or
 * KDR_EINVALID with kdr_error_set naming `label`:line:col (syntax, an alias,
 * a repeated key, no document or more than one, a root that is not a map);
 * `out` untouched then.
 */
int kdr_spec_yaml_to_json(struct kdr_buf *out, const char *label, const char *data, size_t len);

/* One change to a document's spec: set `key` to `value` (YAML text of a scalar), or remove it (value NULL). */
struct kdr_spec_edit {
	const char *key;
	const char *value;
};

/*
 * Applies `edits` to the spec of the document of `kind` named `name` in the
 * YAML stream `text` and appends the whole edited stream to `out`; every
 * other byte (comments, order, other documents, quoting) stays as it was.
 * A key that exists has its one-line scalar value replaced or, for a removal,
 * its line deleted (its entry, in a flow mapping); a key that does not exist
 * is inserted as the spec's first key, at the indentation of the others. Keys
 * are those directly under spec. `*changed` says whether anything differs.
 * Returns 0; KDR_ENOTFOUND (no such document), KDR_EINVALID (not YAML, no spec
 * mapping, a value that is a collection or spans lines, a key sharing its
 * line with other text), with kdr_error_set; `out` is untouched on failure.
 */
int kdr_spec_edit_yaml(struct kdr_buf *out, bool *changed, const char *text, size_t len, const char *kind,
		       const char *name, const struct kdr_spec_edit *edits, size_t n_edits);

#endif
