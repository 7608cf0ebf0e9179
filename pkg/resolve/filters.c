/*
 * The desired state's regexes, compiled once: each policy's `match`, each
 * flow's topic sets as written, its filter as MirrorMaker 2 runs the
 * rendered connector, its group filter, and MM2's default excludes.
 * Validation reports the patterns that do not compile from here (each
 * failure names its field), and every step of the plan (governing, pruning,
 * mirror preview, failback guard, cross-checks, ACL mirroring) and flow
 * health read the compiled sets instead of compiling their own copy.
 */
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve.h"
#include "util/alloc.h"
#include "util/error.h"

static void add_failure(struct kdr_resolve_flow_filters *out, const struct kdr_flow *flow, const char *field,
			size_t index, const char *pattern, const char *reason)
{
	struct kdr_resolve_failure *failure = NULL;

	out->failures = kdr_realloc(out->failures, (out->n_failures + 1) * sizeof(*out->failures));
	failure = &out->failures[out->n_failures++];
	failure->meta = &flow->meta;
	failure->field = kdr_asprintf("%s[%zu]", field, index);
	failure->pattern = pattern;
	failure->reason = kdr_strdup(reason);
}

/*
 * Compiles each pattern of `patterns` alone, so that a failure names its
 * index; those that compile go into `set` (NULL: freed, only the failures
 * matter). Returns whether all compiled; *first (when not NULL and still
 * NULL) gets the first failure as kdr_regex_set_compile words it.
 */
static bool compile_each(struct kdr_regex_set *set, struct kdr_resolve_flow_filters *out, const struct kdr_flow *flow,
			 const char *field, const struct kdr_strvec *patterns, char **first)
{
	bool ok = true;

	if (set && patterns->n)
		set->v = kdr_calloc(patterns->n, sizeof(*set->v));
	for (size_t i = 0; i < patterns->n; i++) {
		struct kdr_regex *re = NULL;

		if (kdr_regex_compile(&re, patterns->v[i]) == 0) {
			if (set)
				set->v[set->n++] = re;
			else
				kdr_regex_free(re);
			continue;
		}
		add_failure(out, flow, field, i, patterns->v[i], kdr_error_message());
		if (first && !*first)
			*first = kdr_asprintf("pattern '%s': %s", patterns->v[i] ? patterns->v[i] : "",
					      out->failures[out->n_failures - 1].reason);
		ok = false;
	}
	return ok;
}

static void flow_filters_build(struct kdr_resolve_flow_filters *out, const struct kdr_flow *flow)
{
	bool ok = compile_each(&out->topics, out, flow, "spec.topics", &flow->topics, &out->topics_error);

	ok = compile_each(&out->exclude, out, flow, "spec.topicsExclude", &flow->topics_exclude, &out->topics_error) &&
	     ok;
	if (!ok) {
		/* Both sets or neither: a step sees an unusable filter as empty. */
		kdr_regex_set_release(&out->topics);
		kdr_regex_set_release(&out->exclude);
	}
	if (kdr_mm2_topic_filter_desired(&out->mm2, flow) != 0)
		out->mm2_error = kdr_strdup(kdr_error_message());
	out->groups_ok = kdr_mm2_group_filter_init(&out->groups, flow) == 0;
	if (!out->groups_ok) {
		memset(&out->groups, 0, sizeof(out->groups));
		/* Only on failure: which of the user's group patterns it was (MM2's defaults always compile). */
		compile_each(NULL, out, flow, "spec.groups", &flow->groups, NULL);
		compile_each(NULL, out, flow, "spec.groupsExclude", &flow->groups_exclude, NULL);
	}
}

void kdr_resolve_filters_build(struct kdr_resolve_filters *out, const struct kdr_desired *desired)
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
	/* Constant patterns: failing to compile them is a bug here, not bad input. */
	if (kdr_regex_set_compile(&out->default_topic_excludes, kdr_mm2_default_topic_excludes,
				  KDR_MM2_N_DEFAULT_TOPIC_EXCLUDES) != 0)
		abort();
}

void kdr_resolve_filters_release(struct kdr_resolve_filters *filters)
{
	for (size_t i = 0; i < filters->n_policies; i++) {
		kdr_regex_free(filters->match[i]);
		free(filters->match_error[i]);
	}
	for (size_t i = 0; i < filters->n_flows; i++) {
		struct kdr_resolve_flow_filters *flow = &filters->flows[i];

		kdr_regex_set_release(&flow->topics);
		kdr_regex_set_release(&flow->exclude);
		free(flow->topics_error);
		kdr_mm2_topic_filter_release(&flow->mm2);
		free(flow->mm2_error);
		kdr_mm2_group_filter_release(&flow->groups);
		for (size_t k = 0; k < flow->n_failures; k++) {
			free(flow->failures[k].field);
			free(flow->failures[k].reason);
		}
		free(flow->failures);
	}
	free(filters->match);
	free(filters->match_error);
	free(filters->flows);
	kdr_regex_set_release(&filters->default_topic_excludes);
	memset(filters, 0, sizeof(*filters));
}
