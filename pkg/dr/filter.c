/* The flow's group filter, as MM2's DefaultGroupFilter applies it (dr.h). */
#include <stdlib.h>
#include <string.h>

#include "dr/dr.h"
#include "mm2/mm2.h"
#include "util/alloc.h"
#include "util/error.h"

int kdr_dr_group_filter_init(struct kdr_dr_group_filter *out, const struct kdr_flow *flow)
{
	struct kdr_strvec include = KDR_STRVEC_INIT, exclude = KDR_STRVEC_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (flow->groups.n == 0)
		kdr_strvec_push(&include, ".*");
	for (size_t i = 0; i < flow->groups.n; i++)
		kdr_strvec_push(&include, flow->groups.v[i]);
	for (size_t i = 0; i < flow->groups_exclude.n; i++)
		kdr_strvec_push(&exclude, flow->groups_exclude.v[i]);
	if (flow->keep_default_excludes) {
		/* MM2's defaults, split the way MM2 splits a list config (on commas). */
		char *defaults = kdr_strdup(KDR_MM2_DEFAULT_GROUPS_EXCLUDE);
		char *save = NULL;

		for (char *p = strtok_r(defaults, ",", &save); p; p = strtok_r(NULL, ",", &save))
			kdr_strvec_push(&exclude, p);
		free(defaults);
	}
	rc = kdr_regex_set_compile(&out->include, (const char *const *)include.v, (unsigned)include.n);
	if (rc == 0) {
		rc = kdr_regex_set_compile(&out->exclude, (const char *const *)exclude.v, (unsigned)exclude.n);
		if (rc != 0)
			kdr_regex_set_release(&out->include);
	}
	if (rc != 0) {
		char *why = kdr_strdup(kdr_error_message());

		rc = kdr_error_set(KDR_EINVALID, "flow '%s': groups/groupsExclude: %s", flow->meta.name, why);
		free(why);
	}
	kdr_strvec_release(&include);
	kdr_strvec_release(&exclude);
	return rc;
}

bool kdr_dr_group_filter_match(const struct kdr_dr_group_filter *filter, const char *group)
{
	return kdr_regex_set_match(&filter->include, group) && !kdr_regex_set_match(&filter->exclude, group);
}

void kdr_dr_group_filter_release(struct kdr_dr_group_filter *filter)
{
	kdr_regex_set_release(&filter->include);
	kdr_regex_set_release(&filter->exclude);
}

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
