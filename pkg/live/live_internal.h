#ifndef KDR_LIVE_LIVE_INTERNAL_H
#define KDR_LIVE_LIVE_INTERNAL_H

/* Private to pkg/live: the parts of the snapshot kept in their own files. */

#include <jansson.h>

#include "live/live.h"
#include "util/buf.h"
#include "util/json_read.h"
#include "util/json_write.h"

/* Consumer groups of a cluster (groups.c): sort, deep copy into an empty out (release: live.h). */
void kdr_live__groups_sort(struct kdr_live_cluster *cl);
void kdr_live__groups_copy(struct kdr_live_cluster *out, const struct kdr_live_cluster *src);

/*
 * Reads "acls" (a list of bindings) and "aclsError" (a string) of the
 * cluster object `cluster` into `cl` (acls_json.c): acls_read is set when
 * "acls" is present. Errors are KDR_EINVALID at the cursor `r` (at the
 * cluster): "<label>: <path>.acls[i].<field>: ...".
 */
int kdr_live__acls_from_json(struct kdr_live_cluster *cl, const json_t *cluster, struct kdr_json_r *r);

/*
 * Writes the members "acls": [...] (when read; one binding per line, in
 * kdr_acl_compare order), "aclsError" and "aclsNoAuthorizer" (when set) into
 * the cluster's object open in `w`.
 */
void kdr_live__acls_to_json(struct kdr_json_w *w, const struct kdr_live_cluster *cl);

#endif
