/* MM2's DefaultGroupFilter for a flow (mm2.h). */
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "util/alloc.h"
#include "util/error.h"

int kdr_mm2_group_filter_init(struct kdr_mm2_group_filter *out, const struct kdr_flow *flow)
{
	struct kdr_strvec include = KDR_STRVEC_INIT, exclude = KDR_STRVEC_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	/*
	 * An empty spec.groups stays empty: MM2 renders it as `groups=` and its
	 * DefaultGroupFilter (MirrorUtils.compilePatternList returns null for an
	 * empty list) then accepts no group. The default [".*"] is the model's.
	 */
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

bool kdr_mm2_group_filter_match(const struct kdr_mm2_group_filter *filter, const char *group)
{
	return kdr_regex_set_match(&filter->include, group) && !kdr_regex_set_match(&filter->exclude, group);
}

void kdr_mm2_group_filter_release(struct kdr_mm2_group_filter *filter)
{
	kdr_regex_set_release(&filter->include);
	kdr_regex_set_release(&filter->exclude);
}
