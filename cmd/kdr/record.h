#ifndef KDR_CMD_RECORD_H
#define KDR_CMD_RECORD_H

#include <stdbool.h>

#include "model/model.h"
#include "source/record.h"
#include "source_opts.h"

/*
 * Records `change` (`kdr failover --commit`, `kdr failback --commit`) in
 * the source the options `src` name, the one `desired` was loaded from
 * (kdr_cli_source_load's: kdr_source_record says what each kind writes),
 * printing what was written, one line each after `what` ("kdr failover:
 * committed ..."), or why nothing was. *changed says whether anything was
 * written. Returns an enum kdr_exit.
 */
int kdr_cli_record(bool *changed, const struct kdr_cli_source *src, const struct kdr_desired *desired,
		   const struct kdr_source_change *change, const char *message, const char *what);

/* The current UTC time as "2026-12-07T01:02:03Z" (spec.failedOver). */
void kdr_cli_utc_now(char out[21]);

#endif
