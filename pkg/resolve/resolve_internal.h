#ifndef KDR_RESOLVE_RESOLVE_INTERNAL_H
#define KDR_RESOLVE_RESOLVE_INTERNAL_H

/* Private to pkg/resolve. */

#include "resolve/resolve.h"

/* Builds resolved->decls from `desired` (decls.c; kdr_resolved_new calls it). */
void kdr_resolve__index_decls(struct kdr_resolved *resolved, const struct kdr_desired *desired);

#endif
