/* The flow's group filter, as MM2's DefaultGroupFilter applies it (dr.h). */
#include <stdlib.h>
#include <string.h>

#include "dr/dr.h"
#include "mm2/mm2.h"
#include "util/alloc.h"
#include "util/error.h"

int64_t kdr_dr_replicated_upstream(const struct kdr_mm2_offset_sync *sync, int64_t target_end, int64_t source_end)
{
	int64_t next = -1;

	if (!sync)
		return target_end == 0 && source_end == 0 ? 0 : -1;
	if (target_end < 0)
		return -1;
	next = sync->upstream_offset;
	/* Past the sync point the copy runs one to one; a target behind its sync (truncated) says nothing more. */
	if (target_end > sync->downstream_offset && sync->upstream_offset <= INT64_MAX - (target_end - sync->downstream_offset))
		next = sync->upstream_offset + (target_end - sync->downstream_offset);
	if (source_end >= 0 && next > source_end)
		next = source_end;
	return next < 0 ? 0 : next;
}

static const char *separator(const struct kdr_flow *flow)
{
	return flow->separator && *flow->separator ? flow->separator : ".";
}

char *kdr_dr_upstream_topic(const struct kdr_flow *flow, const char *remote)
{
	const char *sep = separator(flow);
	size_t n = strlen(flow->source), m = strlen(sep);

	if (flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY)
		return kdr_strdup(remote);
	if (strncmp(remote, flow->source, n) != 0 || strncmp(remote + n, sep, m) != 0 || !remote[n + m])
		return NULL;
	return kdr_strdup(remote + n + m);
}

void kdr_dr_offset_syncs_location(const struct kdr_flow *flow, const char **cluster, char **topic)
{
	const char *location = kdr_strmap_get(&flow->connector_config, "offset-syncs.topic.location");
	const char *sep = separator(flow);

	if (location && strcmp(location, "target") == 0) {
		*cluster = flow->target;
		*topic = kdr_asprintf("mm2-offset-syncs%s%s%sinternal", sep, flow->source, sep);
	} else {
		*cluster = flow->source;
		*topic = kdr_mm2_offset_syncs_topic(flow);
	}
}
