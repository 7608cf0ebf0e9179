#ifndef KDR_PLAN_CONNECTORS_H
#define KDR_PLAN_CONNECTORS_H

#include "plan/plan_internal.h"

/*
 * The MirrorMaker 2 part of the plan: the connectors every ReplicationFlow
 * renders (pkg/mm2) against the connectors each Connect cluster runs.
 * Owned connectors ("kdr." prefix) are created, updated, paused, resumed,
 * restarted and deleted; no other connector is ever touched, but one that
 * looks like MM2 for a managed flow gets a warning. A Connect attached to
 * another Kafka cluster than the one it is declared for is a blocked error.
 */
void plan_connectors(struct plan_ctx *ctx, const struct kdr_plan_options *options);

#endif
