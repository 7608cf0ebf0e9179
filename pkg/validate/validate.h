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

#endif
