/*
 * Conflicts between policies: two policies that both govern a topic on a
 * cluster must agree on its partitions, replication factor and every config
 * key both set (spec.tiering counts as setting remote.storage.enable,
 * local.retention.ms and retention.ms). Otherwise each reconcile would undo
 * the other's change. A policy governs a topic it lists, or (for configs) one
 * its `match` covers, unless it is a pruning policy: its match only picks
 * what it deletes, as in the plan (kdr_resolve_match_governs). Reported on the later policy, naming the earlier one's
 * file:line:col. Whether a match covers a topic, what each policy applies,
 * and where they differ, are pkg/resolve's (topic_merge.h): the matches run
 * once there, and the merge of the two is the one the plan merges by.
 */
#include <stdlib.h>
#include <string.h>

#include "resolve/topic_merge.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/sort.h"
#include "validate/validate_internal.h"

/* "cluster 'a'" or "clusters 'a', 'b'": the clusters both policies name. */
static char *shared_clusters(const struct kdr_policy *a, const struct kdr_policy *b)
{
	struct kdr_strvec shared = KDR_STRVEC_INIT;
	struct kdr_buf buf = KDR_BUF_INIT;

	for (size_t i = 0; i < b->clusters.n; i++)
		if (kdr_strvec_contains(&a->clusters, b->clusters.v[i]) &&
		    !kdr_strvec_contains(&shared, b->clusters.v[i]))
			kdr_strvec_push(&shared, b->clusters.v[i]);
	if (shared.n == 0) {
		kdr_strvec_release(&shared);
		return NULL;
	}
	kdr_buf_puts(&buf, shared.n == 1 ? "cluster " : "clusters ");
	for (size_t i = 0; i < shared.n; i++)
		kdr_buf_printf(&buf, "%s'%s'", i ? ", " : "", shared.v[i]);
	kdr_strvec_release(&shared);
	return kdr_buf_detach(&buf);
}

/* The later governor's partitions and replication factor against the earlier one's (both declare the topic). */
static void report_counts(struct kdr_validate_ctx *ctx, const struct kdr_resolve_topic *rt, const char *clusters)
{
	const struct kdr_resolve_governor *earlier = &rt->governors[0], *later = &rt->governors[1];

	for (int rf = 0; rf < 2; rf++) {
		int64_t lv = rf ? later->replication_factor : later->partitions;
		int64_t ev = rf ? earlier->replication_factor : earlier->partitions;
		char *path = NULL, *other = NULL, *where = NULL;

		if (lv == ev)
			continue;
		path = kdr_resolve_count_path(later, rf);
		other = kdr_resolve_count_path(earlier, rf);
		where = kdr_validate__where(&earlier->policy->meta, other);
		if (rf)
			kdr_validate__report(ctx, KDR_SEV_ERROR, &later->policy->meta, path,
					     "topic '%s' on %s: replication factor %lld here, but policy '%s' (%s) "
					     "declares %lld",
					     rt->name, clusters, (long long)lv, kdr_validate__name(&earlier->policy->meta),
					     where, (long long)ev);
		else
			kdr_validate__report(ctx, KDR_SEV_ERROR, &later->policy->meta, path,
					     "topic '%s' on %s: %lld partition%s here, but policy '%s' (%s) declares %lld",
					     rt->name, clusters, (long long)lv, lv == 1 ? "" : "s",
					     kdr_validate__name(&earlier->policy->meta), where, (long long)ev);
		free(where);
		free(other);
		free(path);
	}
}

/* The merge's disagreement over value `value` of the later governor, or NULL. */
static const struct kdr_resolve_disagreement *disagreement_on(const struct kdr_resolve_topic *rt, size_t value)
{
	for (size_t i = 0; i < rt->n_disagreements; i++)
		if (rt->disagreements[i].kind != KDR_RESOLVE_DISAGREE_COUNTS && rt->disagreements[i].other_value == value)
			return &rt->disagreements[i];
	return NULL;
}

/*
 * Each config value the later policy applies that the earlier one sets
 * differently as written (documents say one thing once, even where Kafka
 * would read two spellings alike), in the later policy's field order.
 */
static void report_configs(struct kdr_validate_ctx *ctx, const struct kdr_resolve_topic *rt, const char *clusters)
{
	const struct kdr_resolve_governor *earlier = &rt->governors[0], *later = &rt->governors[1];

	for (size_t i = later->first_value; i < later->first_value + later->n_values; i++) {
		const struct kdr_resolve_disagreement *d = disagreement_on(rt, i);
		const struct kdr_resolve_value *mine = &rt->values[i];
		const struct kdr_resolve_value *theirs = d ? &rt->values[d->used_value] : NULL;
		char *path = NULL, *other = NULL, *where = NULL, *mine_how = NULL, *their_how = NULL;

		if (!theirs || strcmp(theirs->value, mine->value) == 0)
			continue;
		path = kdr_resolve_value_path(rt, mine);
		other = kdr_resolve_value_path(rt, theirs);
		where = kdr_validate__where(&earlier->policy->meta, other);
		mine_how = later->decl ? kdr_strdup("") : kdr_asprintf(" (through match '%s')", later->policy->match);
		their_how = earlier->decl ? kdr_strdup("") : kdr_asprintf(" through match '%s'", earlier->policy->match);
		kdr_validate__report(ctx, KDR_SEV_ERROR, &later->policy->meta, path,
				     "topic '%s' on %s: %s '%s' here%s, but policy '%s' (%s) sets '%s'%s", rt->name,
				     clusters, mine->key, mine->value, mine_how, kdr_validate__name(&earlier->policy->meta),
				     where, theirs->value, their_how);
		free(their_how);
		free(mine_how);
		free(where);
		free(other);
		free(path);
	}
}

/*
 * The earlier policy (its entry `ei` of `topic`, or its match when -1)
 * against the later one (entry `li`, or its match): pkg/resolve's merge of
 * the two, the later one's partitions and replication factor when both
 * declare the topic, then its config values.
 */
static void compare_topic(struct kdr_validate_ctx *ctx, const char *topic, const struct kdr_policy *earlier,
			  long ei, const struct kdr_policy *later, long li, const char *clusters)
{
	struct kdr_resolve_governor governors[2];
	struct kdr_resolve_topic rt;

	memset(governors, 0, sizeof(governors));
	governors[0].policy = earlier;
	governors[0].decl = ei >= 0 ? &earlier->topics[ei] : NULL;
	governors[0].index = ei >= 0 ? (size_t)ei : 0;
	governors[1].policy = later;
	governors[1].decl = li >= 0 ? &later->topics[li] : NULL;
	governors[1].index = li >= 0 ? (size_t)li : 0;
	kdr_resolve_topic_merge(&rt, topic, governors, 2);
	if (rt.governors[0].decl && rt.governors[1].decl)
		report_counts(ctx, &rt, clusters);
	report_configs(ctx, &rt, clusters);
	kdr_resolve_topic_release(&rt);
}

static void compare_pair(struct kdr_validate_ctx *ctx, size_t e, size_t l)
{
	const struct kdr_policy *earlier = &ctx->desired->policies[e];
	const struct kdr_policy *later = &ctx->desired->policies[l];
	char *clusters = shared_clusters(earlier, later);

	if (!clusters)
		return;
	for (size_t t = 0; t < later->n_topics; t++) {
		const char *topic = later->topics[t].name;
		long et = -1;

		/* Each name once: a repeated entry is already reported by the name rules. */
		if (!topic || kdr_validate__find_topic(ctx, later, topic) != (long)t)
			continue;
		et = kdr_validate__find_topic(ctx, earlier, topic);
		if (et >= 0 || kdr_resolve_match_governs(ctx->resolved, e, topic))
			compare_topic(ctx, topic, earlier, et, later, (long)t, clusters);
	}
	/* Topics the earlier policy lists and the later one governs through its match. */
	for (size_t t = 0; t < earlier->n_topics && ctx->matches[l]; t++) {
		const char *topic = earlier->topics[t].name;

		if (!topic || kdr_validate__find_topic(ctx, earlier, topic) != (long)t ||
		    kdr_validate__find_topic(ctx, later, topic) >= 0 ||
		    !kdr_resolve_match_governs(ctx->resolved, l, topic))
			continue;
		compare_topic(ctx, topic, earlier, (long)t, later, -1, clusters);
	}
	free(clusters);
}

/* A topic a policy lists (each name once per policy). */
struct listed {
	const char *name;
	size_t policy;
};

struct pair {
	size_t later;
	size_t earlier;
};

static int compare_pairs(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->later != y->later)
		return x->later < y->later ? -1 : 1;
	return x->earlier < y->earlier ? -1 : x->earlier > y->earlier;
}

static void add_pair(struct pair **pairs, size_t *n, size_t *cap, size_t a, size_t b)
{
	if (a == b)
		return;
	*pairs = kdr_grow(*pairs, cap, *n + 1, sizeof(**pairs));
	(*pairs)[*n].later = a > b ? a : b;
	(*pairs)[*n].earlier = a > b ? b : a;
	(*n)++;
}

/*
 * Only pairs of policies that can conflict are compared: two that list the
 * same topic, or one whose match covers a topic the other lists (found
 * through a sorted index of listed topics and pkg/resolve's matches of the
 * listed names, run once when the state was resolved, so 10,000 policies
 * cost 10,000 entries, not 50 million pairs). They are compared in the order of the
 * pairwise loop this replaces (later policy, then earlier), so the
 * diagnostics come out as before.
 */
void kdr_validate__check_conflicts(struct kdr_validate_ctx *ctx)
{
	const struct kdr_desired *desired = ctx->desired;
	const struct kdr_resolved *resolved = ctx->resolved;
	struct listed *listed = NULL;
	struct pair *pairs = NULL;
	size_t n_listed = 0, cap_listed = 0, n_pairs = 0, cap_pairs = 0;

	for (size_t p = 0; p < desired->n_policies; p++) {
		const struct kdr_policy *policy = &desired->policies[p];

		for (size_t t = 0; t < policy->n_topics; t++) {
			const char *topic = policy->topics[t].name;

			if (!topic || kdr_validate__find_topic(ctx, policy, topic) != (long)t)
				continue;
			listed = kdr_grow(listed, &cap_listed, n_listed + 1, sizeof(*listed));
			listed[n_listed].name = topic;
			listed[n_listed].policy = p;
			n_listed++;
		}
	}
	/* Added in policy order: a stable sort keeps it among the policies listing one name. */
	kdr_sort_by_name(listed, n_listed, sizeof(*listed));
	/* The same topic listed by several policies. */
	for (size_t start = 0, end = 0; start < n_listed; start = end) {
		for (end = start + 1; end < n_listed && strcmp(listed[end].name, listed[start].name) == 0; end++)
			;
		for (size_t i = start; i < end; i++)
			for (size_t j = start; j < i; j++)
				add_pair(&pairs, &n_pairs, &cap_pairs, listed[i].policy, listed[j].policy);
	}
	/*
	 * A policy whose match governs a listed topic, against the policy listing
	 * it: pkg/resolve matched them once. A pruning policy's match is among
	 * them too; compare_pair asks kdr_resolve_match_governs and finds that it
	 * governs nothing.
	 */
	for (size_t i = 0, start = 0; i < resolved->n_names; i++) {
		const struct kdr_resolve_name *name = &resolved->names[i];

		while (start < n_listed && strcmp(listed[start].name, name->name) < 0)
			start++;
		for (size_t k = name->first_match; k < name->first_match + name->n_matches; k++)
			for (size_t j = start; j < n_listed && strcmp(listed[j].name, name->name) == 0; j++)
				if (listed[j].policy != resolved->matched[k])
					add_pair(&pairs, &n_pairs, &cap_pairs, resolved->matched[k], listed[j].policy);
	}
	if (n_pairs > 1)
		qsort(pairs, n_pairs, sizeof(*pairs), compare_pairs);
	for (size_t i = 0; i < n_pairs; i++) {
		if (i > 0 && pairs[i].later == pairs[i - 1].later && pairs[i].earlier == pairs[i - 1].earlier)
			continue;
		compare_pair(ctx, pairs[i].earlier, pairs[i].later);
	}
	free(pairs);
	free(listed);
}
