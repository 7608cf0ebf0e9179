/*
 * Conflicts between policies: two policies that both govern a topic on a
 * cluster must agree on its partitions, replication factor and every config
 * key both set (spec.tiering counts as setting remote.storage.enable,
 * local.retention.ms and retention.ms). Otherwise each reconcile would undo
 * the other's change. A policy governs a topic it lists, or (for configs) one
 * its `match` covers. Reported on the later policy, naming the earlier one's
 * file:line:col.
 */
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "validate/validate_internal.h"

/* One config value a policy applies to a topic, and the field that sets it. */
struct applied {
	const char *key;
	char *value;
	char *path;
};

struct applied_set {
	struct applied *v;
	size_t n;
	size_t cap;
};

static void applied_put(struct applied_set *set, const char *key, char *value, char *path)
{
	for (size_t i = 0; i < set->n; i++) {
		if (strcmp(set->v[i].key, key) == 0) {
			free(set->v[i].value);
			free(set->v[i].path);
			set->v[i].value = value;
			set->v[i].path = path;
			return;
		}
	}
	set->v = kdr_grow(set->v, &set->cap, set->n + 1, sizeof(*set->v));
	set->v[set->n].key = key;
	set->v[set->n].value = value;
	set->v[set->n].path = path;
	set->n++;
}

static const struct applied *applied_get(const struct applied_set *set, const char *key)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i].key, key) == 0)
			return &set->v[i];
	return NULL;
}

static void applied_release(struct applied_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].value);
		free(set->v[i].path);
	}
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/* The configs `policy` applies to its topic `index`, or to topics it matches (index -1). */
static void applied_build(struct applied_set *set, const struct kdr_policy *policy, long index)
{
	struct kdr_tiering_key tiering[3];
	size_t n_tiering = kdr_tiering_keys(tiering, &policy->tiering);

	for (size_t i = 0; i < policy->config.n; i++)
		applied_put(set, policy->config.v[i].key, kdr_strdup(policy->config.v[i].value),
			    kdr_asprintf("spec.config.%s", policy->config.v[i].key));
	if (index >= 0) {
		const struct kdr_strmap *own = &policy->topics[index].config;

		for (size_t i = 0; i < own->n; i++)
			applied_put(set, own->v[i].key, kdr_strdup(own->v[i].value),
				    kdr_asprintf("spec.topics[%ld].config.%s", index, own->v[i].key));
	}
	for (size_t i = 0; i < n_tiering; i++)
		applied_put(set, tiering[i].key, kdr_strdup(tiering[i].value), kdr_strdup(tiering[i].field));
}

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

static void compare_counts(struct kdr_validate_ctx *ctx, const struct kdr_policy *earlier, size_t ei,
			   const struct kdr_policy *later, size_t li, const char *clusters)
{
	const char *topic = later->topics[li].name;
	int64_t lp = kdr_policy_topic_partitions(later, &later->topics[li]), ep = kdr_policy_topic_partitions(earlier, &earlier->topics[ei]);
	int64_t lr = kdr_policy_topic_replication_factor(later, &later->topics[li]);
	int64_t er = kdr_policy_topic_replication_factor(earlier, &earlier->topics[ei]);

	if (lp != ep) {
		char *path = later->topics[li].partitions ? kdr_asprintf("spec.topics[%zu].partitions", li)
							  : kdr_strdup("spec.partitions");
		char *other = earlier->topics[ei].partitions ? kdr_asprintf("spec.topics[%zu].partitions", ei)
							     : kdr_strdup("spec.partitions");
		char *where = kdr_validate__where(&earlier->meta, other);

		kdr_validate__report(ctx, KDR_SEV_ERROR, &later->meta, path,
				     "topic '%s' on %s: %lld partition%s here, but policy '%s' (%s) declares %lld",
				     topic, clusters, (long long)lp, lp == 1 ? "" : "s",
				     kdr_validate__name(&earlier->meta), where, (long long)ep);
		free(where);
		free(other);
		free(path);
	}
	if (lr != er) {
		char *path = later->topics[li].replication_factor
				     ? kdr_asprintf("spec.topics[%zu].replicationFactor", li)
				     : kdr_strdup("spec.replicationFactor");
		char *other = earlier->topics[ei].replication_factor
				      ? kdr_asprintf("spec.topics[%zu].replicationFactor", ei)
				      : kdr_strdup("spec.replicationFactor");
		char *where = kdr_validate__where(&earlier->meta, other);

		kdr_validate__report(
		    ctx, KDR_SEV_ERROR, &later->meta, path,
		    "topic '%s' on %s: replication factor %lld here, but policy '%s' (%s) declares %lld", topic,
		    clusters, (long long)lr, kdr_validate__name(&earlier->meta), where, (long long)er);
		free(where);
		free(other);
		free(path);
	}
}

/*
 * Compares the configs the earlier policy applies to `topic` (its entry `ei`,
 * or its match when -1) with the ones the later policy applies (entry `li`,
 * or its match when -1); reports each key set to different values.
 */
static void compare_configs(struct kdr_validate_ctx *ctx, const char *topic, const struct kdr_policy *earlier,
			    long ei, const struct kdr_policy *later, long li, const char *clusters)
{
	struct applied_set mine = { NULL, 0, 0 };
	struct applied_set theirs = { NULL, 0, 0 };

	applied_build(&mine, later, li);
	applied_build(&theirs, earlier, ei);
	for (size_t k = 0; k < mine.n; k++) {
		const struct applied *other = applied_get(&theirs, mine.v[k].key);
		char *where = NULL;
		char *mine_how = NULL;
		char *their_how = NULL;

		if (!other || strcmp(other->value, mine.v[k].value) == 0)
			continue;
		where = kdr_validate__where(&earlier->meta, other->path);
		mine_how = li >= 0 ? kdr_strdup("") : kdr_asprintf(" (through match '%s')", later->match);
		their_how = ei >= 0 ? kdr_strdup("") : kdr_asprintf(" through match '%s'", earlier->match);
		kdr_validate__report(ctx, KDR_SEV_ERROR, &later->meta, mine.v[k].path,
				     "topic '%s' on %s: %s '%s' here%s, but policy '%s' (%s) sets '%s'%s", topic,
				     clusters, mine.v[k].key, mine.v[k].value, mine_how,
				     kdr_validate__name(&earlier->meta), where, other->value, their_how);
		free(their_how);
		free(mine_how);
		free(where);
	}
	applied_release(&mine);
	applied_release(&theirs);
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
		if (et >= 0) {
			compare_counts(ctx, earlier, (size_t)et, later, t, clusters);
			compare_configs(ctx, topic, earlier, et, later, (long)t, clusters);
		} else if (kdr_regex_full_match(ctx->matches[e], topic)) {
			compare_configs(ctx, topic, earlier, -1, later, (long)t, clusters);
		}
	}
	/* Topics the earlier policy lists and the later one governs through its match. */
	for (size_t t = 0; t < earlier->n_topics && ctx->matches[l]; t++) {
		const char *topic = earlier->topics[t].name;

		if (!topic || kdr_validate__find_topic(ctx, earlier, topic) != (long)t ||
		    kdr_validate__find_topic(ctx, later, topic) >= 0 || !kdr_regex_full_match(ctx->matches[l], topic))
			continue;
		compare_configs(ctx, topic, earlier, (long)t, later, -1, clusters);
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

static int compare_listed(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->policy < y->policy ? -1 : x->policy > y->policy;
}

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
 * The literal text every name a full-match `pattern` matches starts with
 * ("payments" for "payments\..*"; "" when it cannot tell: an alternation, a
 * group or class first, an optional first character). Heap string.
 */
static char *literal_prefix(const char *pattern)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	if (strchr(pattern, '|'))
		return kdr_buf_detach(&buf);
	for (const char *p = pattern; *p; p++) {
		char c = *p;

		if (c == '\\') {
			/* An escaped punctuation character is itself; \d, \w, ... are classes. */
			if (!p[1] || !strchr(".-_+*?()[]{}|^$\\/", p[1]))
				break;
			c = *++p;
		} else if (strchr(".[]()^$", c)) {
			break;
		} else if (strchr("*?{", c)) {
			/* The previous character is optional or repeated: not part of every name. */
			if (buf.len)
				kdr_buf_truncate(&buf, buf.len - 1);
			break;
		} else if (c == '+') {
			break;
		}
		if (p[1] && strchr("*?{", p[1]))
			break;
		kdr_buf_putc(&buf, c);
	}
	return kdr_buf_detach(&buf);
}

/* The first entry of the sorted `listed` whose name is >= `prefix`. */
static size_t lower_bound(const struct listed *listed, size_t n, const char *prefix)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(listed[mid].name, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Only pairs of policies that can conflict are compared: two that list the
 * same topic, or one whose match covers a topic the other lists (found
 * through a sorted index of listed topics, so 10,000 policies cost 10,000
 * entries, not 50 million pairs). They are compared in the order of the
 * pairwise loop this replaces (later policy, then earlier), so the
 * diagnostics come out as before.
 */
void kdr_validate__check_conflicts(struct kdr_validate_ctx *ctx)
{
	const struct kdr_desired *desired = ctx->desired;
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
	if (n_listed > 1)
		qsort(listed, n_listed, sizeof(*listed), compare_listed);
	/* The same topic listed by several policies. */
	for (size_t start = 0, end = 0; start < n_listed; start = end) {
		for (end = start + 1; end < n_listed && strcmp(listed[end].name, listed[start].name) == 0; end++)
			;
		for (size_t i = start; i < end; i++)
			for (size_t j = start; j < i; j++)
				add_pair(&pairs, &n_pairs, &cap_pairs, listed[i].policy, listed[j].policy);
	}
	/* A policy whose match covers a listed topic, against the policy listing it: only names with its prefix. */
	for (size_t m = 0; m < desired->n_policies; m++) {
		char *prefix = NULL;
		size_t plen = 0;

		if (!ctx->matches[m] || !desired->policies[m].match)
			continue;
		prefix = literal_prefix(desired->policies[m].match);
		plen = strlen(prefix);
		for (size_t i = lower_bound(listed, n_listed, prefix);
		     i < n_listed && strncmp(listed[i].name, prefix, plen) == 0; i++) {
			if (listed[i].policy != m && kdr_regex_full_match(ctx->matches[m], listed[i].name))
				add_pair(&pairs, &n_pairs, &cap_pairs, m, listed[i].policy);
		}
		free(prefix);
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
