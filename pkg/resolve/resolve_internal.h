#ifndef KDR_RESOLVE_RESOLVE_INTERNAL_H
#define KDR_RESOLVE_RESOLVE_INTERNAL_H

/* Private to pkg/resolve. */

#include "resolve/resolve.h"

/* Builds resolved->decls from `desired` (decls.c; kdr_resolved_new calls it). */
void kdr_resolve__index_decls(struct kdr_resolved *resolved, const struct kdr_desired *desired);

/* Builds resolved->names, matched and matchers (governors.c; after the decls and filters). */
void kdr_resolve__index_matches(struct kdr_resolved *resolved, const struct kdr_desired *desired);

/* Frees what kdr_resolve__index_matches built. */
void kdr_resolve__release_matches(struct kdr_resolved *resolved);

/*
 * The literal text every name a full-match `pattern` matches starts with
 * ("payments" for "payments\..*"; "" when it cannot tell). Heap string.
 */
char *kdr_resolve__literal_prefix(const char *pattern);

#endif
