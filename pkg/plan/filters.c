/*
 * The desired state's regexes, compiled once per plan: each policy's
 * `match`, each flow's topic sets as written, its filter as MirrorMaker 2
 * runs the rendered connector, and its group filter. Every step of the plan
 * (governing, pruning, mirror preview, failback guard, cross-checks, ACL
 * mirroring) reads them from here instead of compiling its own copy. A
 * pattern that does not compile is recorded with its reason; each step
 * reports or skips it as it did when it compiled the pattern itself.
 */
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/error.h"

static void flow_filters_build(struct kdr_plan_flow_filters *out, const struct kdr_flow *flow)
{
	if (kdr_regex_set_compile(&out->topics, (const char *const *)flow->topics.v, (unsigned)flow->topics.n) != 0 ||
	    kdr_regex_set_compile(&out->exclude, (const char *const *)flow->topics_exclude.v,
				  (unsigned)flow->topics_exclude.n) != 0) {
		out->topics_error = kdr_strdup(kdr_error_message());
		kdr_regex_set_release(&out->topics);
		kdr_regex_set_release(&out->exclude);
	}
	if (kdr_plan_mm2_filter_desired(&out->mm2, flow) != 0)
		out->mm2_error = kdr_strdup(kdr_error_message());
	out->groups_ok = kdr_mm2_group_filter_init(&out->groups, flow) == 0;
	if (!out->groups_ok)
		memset(&out->groups, 0, sizeof(out->groups));
}

void kdr_plan_filters_build(struct kdr_plan_filters *out, const struct kdr_desired *desired)
{
	memset(out, 0, sizeof(*out));
	out->n_policies = desired->n_policies;
	out->n_flows = desired->n_flows;
	out->match = kdr_calloc(desired->n_policies + 1, sizeof(*out->match));
	out->match_error = kdr_calloc(desired->n_policies + 1, sizeof(*out->match_error));
	out->flows = kdr_calloc(desired->n_flows + 1, sizeof(*out->flows));
	for (size_t i = 0; i < desired->n_policies; i++) {
		const char *match = desired->policies[i].match;

		if (match && kdr_regex_compile(&out->match[i], match) != 0)
			out->match_error[i] = kdr_strdup(kdr_error_message());
	}
	for (size_t i = 0; i < desired->n_flows; i++)
		flow_filters_build(&out->flows[i], &desired->flows[i]);
}

void kdr_plan_filters_release(struct kdr_plan_filters *filters)
{
	for (size_t i = 0; i < filters->n_policies; i++) {
		kdr_regex_free(filters->match[i]);
		free(filters->match_error[i]);
	}
	for (size_t i = 0; i < filters->n_flows; i++) {
		struct kdr_plan_flow_filters *flow = &filters->flows[i];

		kdr_regex_set_release(&flow->topics);
		kdr_regex_set_release(&flow->exclude);
		free(flow->topics_error);
		kdr_plan_mm2_filter_release(&flow->mm2);
		free(flow->mm2_error);
		kdr_mm2_group_filter_release(&flow->groups);
	}
	free(filters->match);
	free(filters->match_error);
	free(filters->flows);
	memset(filters, 0, sizeof(*filters));
}
