#include <string.h>

#include "mm2/mm2.h"
#include "util/alloc.h"

static const char *separator_of(const struct kdr_flow *flow)
{
	return flow->separator && flow->separator[0] ? flow->separator : ".";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

const char *const kdr_mm2_default_topic_excludes[KDR_MM2_N_DEFAULT_TOPIC_EXCLUDES] = {
	".*[\\-\\.]internal",
	".*\\.replica",
	"__.*",
};

bool kdr_mm2_is_heartbeats_topic(const char *topic)
{
	/* IdentityReplicationPolicy.looksLikeHeartbeat: a suffix test. */
	return ends_with(topic, "heartbeats");
}

bool kdr_mm2_is_internal_topic(const char *topic)
{
	return strncmp(topic, "__", 2) == 0 || topic[0] == '.' || ends_with(topic, ".internal") ||
	       ends_with(topic, "-internal");
}

char *kdr_mm2_remote_topic(const struct kdr_flow *flow, const char *topic)
{
	if (flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY && !kdr_mm2_is_heartbeats_topic(topic))
		return kdr_strdup(topic);
	return kdr_asprintf("%s%s%s", flow->source, separator_of(flow), topic);
}

char *kdr_mm2_topic_source(const struct kdr_flow *flow, const char *topic)
{
	const char *sep = separator_of(flow);
	const char *at = NULL;

	if (flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY && !kdr_mm2_is_heartbeats_topic(topic))
		return kdr_strdup(flow->source);
	/*
	 * DefaultReplicationPolicy splits on the separator and calls a name with
	 * fewer than two (non-trailing) parts local.
	 */
	at = strstr(topic, sep);
	if (!at)
		return NULL;
	/* Java drops trailing empty parts: "a." and "a.." have one part. */
	for (const char *rest = at + strlen(sep); *rest != '\0'; rest += strlen(sep))
		if (strncmp(rest, sep, strlen(sep)) != 0)
			return kdr_strndup(topic, (size_t)(at - topic));
	return NULL;
}

char *kdr_mm2_checkpoints_topic(const struct kdr_flow *flow)
{
	const char *sep = separator_of(flow);

	return kdr_asprintf("%s%scheckpoints%sinternal", flow->source, sep, sep);
}

char *kdr_mm2_offset_syncs_topic(const struct kdr_flow *flow)
{
	const char *sep = separator_of(flow);

	return kdr_asprintf("mm2-offset-syncs%s%s%sinternal", sep, flow->target, sep);
}

const char *kdr_mm2_role_name(enum kdr_mm2_role role)
{
	switch (role) {
	case KDR_MM2_SOURCE: return "source";
	case KDR_MM2_CHECKPOINT: return "checkpoint";
	case KDR_MM2_HEARTBEAT: return "heartbeat";
	}
	return "unknown";
}
