#ifndef KDR_PLAN_CODEC_JSON_H
#define KDR_PLAN_CODEC_JSON_H

#include <stddef.h>

#include "plan/plan.h"
#include "util/buf.h"

/*
 * The saved plan's file format, schema "kdrPlan": 1 (docs/plan-json.md):
 * `kdr plan --out` and `--format json` write it, `kdr apply PLAN.json` reads
 * it back (saved.c then checks it is fresh and restores its secrets).
 */

/*
 * Appends the plan as JSON to `out`: keys in the documented order, fields
 * that do not apply to an action's kind left out, secrets (sensitive changes,
 * config values under credential keys) null. The same plan always gives the
 * same bytes.
 */
void kdr_plan_to_json(struct kdr_buf *out, const struct kdr_plan *plan);

/*
 * Reads a plan written by kdr_plan_to_json (schema
 * "kdrPlan": 1, docs/plan-json.md) back into an empty `out`: every field the
 * executor needs (kinds, risks, clusters, resources, partitions, RF,
 * assignment, config, changes, task ids, blocked items, notes, fingerprints,
 * revision). The summary is not read (it is derived). Unknown fields are
 * ignored: version 1 only ever gains fields. Secrets are not in the file: a
 * config value written as null comes back as KDR_REDACTED (see
 * kdr_plan_action_has_redacted). `label` (e.g. the file name) starts every
 * error message, followed by the JSON path of the bad field:
 * "plan.json: actions[2].assignment[0][1]: expected an integer broker id".
 * Returns 0; KDR_EINVALID for malformed input, KDR_EUNSUPPORTED for another
 * "kdrPlan" version; on failure `out` is left empty.
 */
int kdr_plan_from_json(struct kdr_plan *out, const char *text, size_t len, const char *label);

#endif
