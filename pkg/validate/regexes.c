/*
 * Regexes: every filter compiles (PCRE2, full match, as MM2 applies them;
 * compiled once by pkg/resolve, which records each failure with its field),
 * and the later rules use the compiled topic filters. A topics pattern that matches none of the topics declared for the
 * flow's source cluster is most likely a typo, and is a warning when:
 *   - the source cluster has at least one declared topic (otherwise there is
 *     nothing to compare with), and
 *   - the pattern is a plain name, or no policy on the source governs
 *     undeclared topics with `match` (a pattern may well aim at those, and
 *     they are only known at plan time).
 */
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"
#include "validate/validate_internal.h"

/*
 * An exclude MM2 applies anyway while keepDefaultExcludes is true: the same
 * pattern as a default, or a topic name a default already excludes. Only a
 * warning: it does no harm, but it suggests the default is not known.
 */
static void note_default_excludes(struct kdr_validate_ctx *ctx, const struct kdr_flow *flow)
{
	for (size_t i = 0; i < flow->topics_exclude.n; i++) {
		const char *pattern = flow->topics_exclude.v[i];
		const char *same = NULL, *covering = NULL;
		char *literal = NULL, *path = NULL;

		for (unsigned d = 0; d < KDR_MM2_N_DEFAULT_TOPIC_EXCLUDES && !same; d++)
			if (strcmp(pattern, kdr_mm2_default_topic_excludes[d]) == 0)
				same = pattern;
		if (!same && kdr_validate__regex_is_literal(pattern, &literal)) {
			/* The defaults compiled once (pkg/resolve), in the same order. */
			for (unsigned d = 0; d < ctx->default_topic_excludes->n && !covering; d++)
				if (kdr_regex_full_match(ctx->default_topic_excludes->v[d], literal))
					covering = kdr_mm2_default_topic_excludes[d];
		}
		if (same || covering)
			path = kdr_asprintf("spec.topicsExclude[%zu]", i);
		if (same)
			kdr_validate__report(ctx, KDR_SEV_WARNING, &flow->meta, path,
					     "'%s' is already one of MirrorMaker 2's default excludes (kept while "
					     "spec.keepDefaultExcludes is true); it can be removed",
					     pattern);
		else if (covering)
			kdr_validate__report(
			    ctx, KDR_SEV_WARNING, &flow->meta, path,
			    "'%s' is already excluded by MirrorMaker 2's default exclude '%s' (kept while "
			    "spec.keepDefaultExcludes is true); it can be removed",
			    pattern, covering);
		free(literal);
		free(path);
	}
}

/* The flow's patterns that do not compile (pkg/resolve recorded each with its field), then its default excludes. */
static void report_flow(struct kdr_validate_ctx *ctx, size_t index)
{
	const struct kdr_flow *flow = &ctx->desired->flows[index];
	const struct kdr_resolve_flow_filters *filters = &ctx->filters[index];

	for (size_t i = 0; i < filters->n_failures; i++) {
		const struct kdr_resolve_failure *failure = &filters->failures[i];

		kdr_validate__report(ctx, KDR_SEV_ERROR, failure->meta, failure->field, "invalid regex '%s': %s",
				     failure->pattern, failure->reason);
	}
	if (!filters->topics_error && flow->keep_default_excludes)
		note_default_excludes(ctx, flow);
}

static void report_match(struct kdr_validate_ctx *ctx, size_t index)
{
	const struct kdr_policy *policy = &ctx->desired->policies[index];
	const char *error = ctx->match_errors[index];

	if (policy->match && error)
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, "spec.match", "invalid regex '%s': %s",
				     policy->match, error);
}

/* Whether some policy on `cluster` governs undeclared topics through `match`. */
static bool cluster_has_match(const struct kdr_validate_ctx *ctx, const char *cluster)
{
	for (size_t i = 0; i < ctx->desired->n_policies; i++) {
		const struct kdr_policy *policy = &ctx->desired->policies[i];

		if (policy->match && kdr_strvec_contains(&policy->clusters, cluster))
			return true;
	}
	return false;
}

static void check_topics_match_something(struct kdr_validate_ctx *ctx, size_t index)
{
	const struct kdr_flow *flow = &ctx->desired->flows[index];
	const struct kdr_resolve_flow_filters *filters = &ctx->filters[index];
	size_t first = 0, n = 0, n_names = 0;
	const char **names = NULL;
	bool has_match = false;

	if (filters->topics_error || !flow->source || !kdr_desired_cluster(ctx->desired, flow->source))
		return;
	n = kdr_resolve_decls_of(ctx->resolved, flow->source, &first);
	if (n == 0)
		return;
	names = kdr_calloc(n, sizeof(*names));
	for (size_t k = first; k < first + n; k++)
		if (n_names == 0 || strcmp(names[n_names - 1], ctx->decls[k].topic) != 0)
			names[n_names++] = ctx->decls[k].topic;
	has_match = cluster_has_match(ctx, flow->source);
	for (size_t i = 0; i < filters->topics.n; i++) {
		const struct kdr_regex *re = filters->topics.v[i];
		char *literal = NULL;
		const char *suggestion = NULL;
		char *path = NULL;
		bool matched = false;

		for (size_t k = 0; k < n_names && !matched; k++)
			matched = kdr_regex_full_match(re, names[k]);
		if (matched)
			continue;
		if (!kdr_validate__regex_is_literal(flow->topics.v[i], &literal) && has_match)
			continue;
		if (literal)
			suggestion = kdr_did_you_mean(literal, names, n_names);
		path = kdr_asprintf("spec.topics[%zu]", i);
		kdr_validate__report(ctx, KDR_SEV_WARNING, &flow->meta, path,
				     "'%s' matches none of the %zu topic%s declared for source cluster '%s'%s%s%s",
				     flow->topics.v[i], n_names, n_names == 1 ? "" : "s", flow->source,
				     suggestion ? " (did you mean '" : "", suggestion ? suggestion : "",
				     suggestion ? "'?)" : "");
		free(path);
		free(literal);
	}
	free(names);
}

void kdr_validate__check_regexes(struct kdr_validate_ctx *ctx)
{
	for (size_t i = 0; i < ctx->desired->n_flows; i++)
		report_flow(ctx, i);
	for (size_t i = 0; i < ctx->desired->n_policies; i++)
		report_match(ctx, i);
	for (size_t i = 0; i < ctx->desired->n_flows; i++)
		check_topics_match_something(ctx, i);
}
