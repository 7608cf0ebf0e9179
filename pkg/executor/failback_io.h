#ifndef KDR_EXECUTOR_FAILBACK_IO_H
#define KDR_EXECUTOR_FAILBACK_IO_H

#include <stdbool.h>

#include "dr/dr.h"
#include "executor/executor.h"
#include "live/live.h"
#include "model/model.h"
#include "util/strvec.h"

/*
 * Failback of the groups that read the primary's own data on the standby
 * (dc-east.orders on dc-west): MM2 writes no checkpoints from the standby
 * back, so their positions are translated onto the primary's topic (orders)
 * by inverting the flow's offset-syncs (kdr_dr_failback_checkpoints), then
 * decided like a failover onto the primary (kdr_dr_failover_decide:
 * refusing groups with members there, never backwards, a position already
 * there is unchanged) and, with `commit`, committed on the primary. `live`
 * holds both clusters with their groups and offsets.
 * Fills `out` (empty; its rows' topics are the primary's); positions no sync
 * proves go to `untranslated` under KDR_DR_UNTRANSLATABLE_REFUSE, or under
 * _EARLIEST to the primary partition's log start (read with one batched
 * ListOffsets earliest; the row says so, with the records that may be
 * re-read); commit errors go to `errors`. Returns 0;
 * KDR_ENOTFOUND when the offset-syncs topic does not exist (nothing to
 * translate: `out` stays empty); another code (message set) when a read
 * failed, nothing committed.
 */
int kdr_executor_failback_groups(struct kdr_dr_failover_plan *out, struct kdr_strvec *untranslated,
				 struct kdr_strvec *errors, const struct kdr_desired *desired, const struct kdr_flow *flow,
				 const struct kdr_live *live, enum kdr_dr_untranslatable untranslatable, bool commit,
				 const struct kdr_executor_options *options);

#endif
