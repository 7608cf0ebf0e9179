#ifndef KDR_VALIDATE_VALIDATE_H
#define KDR_VALIDATE_VALIDATE_H

#include "model/model.h"
#include "util/diag.h"

/*
 * The offline semantic rules of DESIGN.md §3 over a whole desired state.
 * Adds every error and warning to `diags` (with the object's file:line:col of
 * the offending field, via kdr_meta_locate). Returns 0 when no error was
 * added, KDR_EINVALID otherwise (warnings alone are 0).
 */
int kdr_validate(const struct kdr_desired *desired, struct kdr_diags *diags);

/*
 * Every error in one run: the rules over a desired state whose documents may
 * have schema errors (already in `diags`). Every object that decoded is
 * checked, a partly broken one too: only the findings at, above or below a
 * field with a schema error are left out (the schema error says what is
 * wrong; the broken field's default would only echo as a rule error), and all
 * of an object whose schema error has no field or is outside spec (its name,
 * its kind). Then `diags` is sorted by file, line, column (stable).
 * Returns KDR_EINVALID when `diags` has any error, 0 otherwise. Nothing of a
 * desired state with errors may be used: callers keep "nothing will be used".
 */
int kdr_validate_all(const struct kdr_desired *desired, struct kdr_diags *diags);

/* Sorts diagnostics by file, line, column, keeping the order of equal ones. */
void kdr_validate_sort_diags(struct kdr_diags *diags);

/*
 * Whether kdr itself renders `key` into the MM2 connector configs of every
 * flow, so that spec.connectorConfig may not set it: connector name and class,
 * tasks.max, both cluster aliases and bootstrap servers, the topic and group
 * filters, the replication policy and its separator, replication factors,
 * the topic-config/ACL/checkpoint/offset/heartbeat switches and intervals,
 * and the three converters: exactly what pkg/mm2 sets (plus the per-cluster
 * keys below). kdr_validate also refuses a few keys kdr leaves at MM2's
 * default but relies on (offset-syncs.topic.location, ...).
 */
bool kdr_validate_key_is_rendered(const char *key);

/*
 * The same for one flow between `source` and `target` (either may be NULL):
 * also the source.cluster.K / target.cluster.K client properties kdr derives
 * from either cluster's spec.clientConfig (security.protocol, sasl.mechanism,
 * sasl.jaas.config from sasl.username+password, ssl.truststore.* from
 * ssl.ca.location, ...); either cluster, since the heartbeat connector runs
 * with the aliases reversed.
 */
bool kdr_validate_flow_key_is_rendered(const char *key, const struct kdr_cluster *source,
				       const struct kdr_cluster *target);

#endif
