/*
 * Which TopicPolicies govern a topic on a cluster (topic_merge.h): those
 * declaring it there, then those whose match covers it. Each match is run
 * once per declared name, here, when the resolved state is derived (only
 * against the names that start with the match's literal prefix, so 10,000
 * policies with a match cost no 10,000 x 10,000 regex runs); a name nobody
 * declares (a live topic) is matched when asked, against the matches of
 * its cluster only. The plan's governing and cross-checks and validation's
 * conflicts ask here instead of running the matches themselves.
 */
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve_internal.h"
#include "resolve/topic_merge.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/sort.h"

char *kdr_resolve__literal_prefix(const char *pattern)
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

static int compare_names(const void *a, const void *b)
{
	return strcmp(((const struct kdr_resolve_name *)a)->name, ((const struct kdr_resolve_name *)b)->name);
}

/* Every name a policy lists, once, sorted. */
static void index_names(struct kdr_resolved *resolved, const struct kdr_desired *desired)
{
	size_t cap = 0, n = 0;

	for (size_t p = 0; p < desired->n_policies; p++)
		for (size_t t = 0; t < desired->policies[p].n_topics; t++) {
			if (!desired->policies[p].topics[t].name)
				continue;
			resolved->names = kdr_grow(resolved->names, &cap, resolved->n_names + 1, sizeof(*resolved->names));
			resolved->names[resolved->n_names++] =
			    (struct kdr_resolve_name){.name = desired->policies[p].topics[t].name};
		}
	if (resolved->n_names > 1)
		qsort(resolved->names, resolved->n_names, sizeof(*resolved->names), compare_names);
	for (size_t i = 0; i < resolved->n_names; i++)
		if (n == 0 || strcmp(resolved->names[n - 1].name, resolved->names[i].name) != 0)
			resolved->names[n++] = resolved->names[i];
	resolved->n_names = n;
}

/* Runs each match against the declared names with its prefix: resolved->matched, grouped by name. */
static void index_matched(struct kdr_resolved *resolved)
{
	struct kdr_regex *const *match = resolved->filters.match;
	size_t *hits = NULL, *fill = NULL; /* (name, policy) pairs, policy by policy */
	size_t n_hits = 0, cap = 0;

	for (size_t m = 0; m < resolved->n_policies; m++) {
		const char *prefix = resolved->match_prefix[m];
		size_t plen = prefix ? strlen(prefix) : 0;

		if (!match[m])
			continue;
		for (size_t i = kdr_sort_first_named(resolved->names, resolved->n_names, sizeof(*resolved->names),
						     prefix);
		     i < resolved->n_names && strncmp(resolved->names[i].name, prefix, plen) == 0; i++) {
			if (!kdr_regex_full_match(match[m], resolved->names[i].name))
				continue;
			hits = kdr_grow(hits, &cap, 2 * n_hits + 2, sizeof(*hits));
			hits[2 * n_hits] = i;
			hits[2 * n_hits + 1] = m;
			resolved->names[i].n_matches++;
			n_hits++;
		}
	}
	/* A counting sort by name keeps each name's policies in document order. */
	resolved->matched = kdr_calloc(n_hits + 1, sizeof(*resolved->matched));
	fill = kdr_calloc(resolved->n_names + 1, sizeof(*fill));
	for (size_t i = 0, at = 0; i < resolved->n_names; i++) {
		resolved->names[i].first_match = at;
		fill[i] = at;
		at += resolved->names[i].n_matches;
	}
	for (size_t h = 0; h < n_hits; h++)
		resolved->matched[fill[hits[2 * h]]++] = hits[2 * h + 1];
	free(fill);
	free(hits);
}

static int compare_matchers(const void *a, const void *b)
{
	return strcmp(((const struct kdr_resolve_matchers *)a)->cluster,
		      ((const struct kdr_resolve_matchers *)b)->cluster);
}

/*
 * Whether policy `p`'s match governs the topics it covers (their configs and
 * partition growth): it compiled and is not a pruning policy's, whose match
 * only picks what that policy deletes (DESIGN.md: `prune` deletes the
 * undeclared topics its match covers; governing them would tune what it is
 * about to delete, and would keep them from being deleted at all).
 */
static bool match_governs(const struct kdr_resolved *resolved, size_t p)
{
	return resolved->filters.match[p] && !resolved->policies[p].prune;
}

/* Per cluster, the policies naming it whose match governs. */
static void index_matchers(struct kdr_resolved *resolved, const struct kdr_desired *desired)
{
	size_t cap = 0;

	for (size_t p = 0; p < desired->n_policies; p++) {
		const struct kdr_policy *policy = &desired->policies[p];

		if (!match_governs(resolved, p))
			continue;
		for (size_t c = 0; c < policy->clusters.n; c++) {
			const char *cluster = policy->clusters.v[c];
			struct kdr_resolve_matchers *m = NULL;

			if (!cluster || kdr_strvec_find(&policy->clusters, cluster) != (long)c)
				continue;
			for (size_t i = 0; i < resolved->n_matchers && !m; i++)
				if (strcmp(resolved->matchers[i].cluster, cluster) == 0)
					m = &resolved->matchers[i];
			if (!m) {
				resolved->matchers = kdr_grow(resolved->matchers, &cap, resolved->n_matchers + 1,
							      sizeof(*resolved->matchers));
				m = &resolved->matchers[resolved->n_matchers++];
				*m = (struct kdr_resolve_matchers){.cluster = cluster};
			}
			m->policies = kdr_realloc(m->policies, (m->n + 1) * sizeof(*m->policies));
			m->policies[m->n++] = p;
		}
	}
	if (resolved->n_matchers > 1)
		qsort(resolved->matchers, resolved->n_matchers, sizeof(*resolved->matchers), compare_matchers);
}

void kdr_resolve__index_matches(struct kdr_resolved *resolved, const struct kdr_desired *desired)
{
	resolved->policies = desired->policies;
	resolved->n_policies = desired->n_policies;
	resolved->match_prefix = kdr_calloc(desired->n_policies + 1, sizeof(*resolved->match_prefix));
	for (size_t p = 0; p < desired->n_policies; p++)
		if (resolved->filters.match[p])
			resolved->match_prefix[p] = kdr_resolve__literal_prefix(desired->policies[p].match);
	index_names(resolved, desired);
	index_matched(resolved);
	index_matchers(resolved, desired);
}

void kdr_resolve__release_matches(struct kdr_resolved *resolved)
{
	for (size_t i = 0; i < resolved->n_matchers; i++)
		free(resolved->matchers[i].policies);
	free(resolved->matchers);
	for (size_t p = 0; resolved->match_prefix && p < resolved->n_policies; p++)
		free(resolved->match_prefix[p]);
	free(resolved->match_prefix);
	free(resolved->names);
	free(resolved->matched);
}

static const struct kdr_resolve_name *find_name(const struct kdr_resolved *resolved, const char *name)
{
	size_t i = kdr_sort_first_named(resolved->names, resolved->n_names, sizeof(*resolved->names), name);

	return i < resolved->n_names && strcmp(resolved->names[i].name, name) == 0 ? &resolved->names[i] : NULL;
}

static bool prefix_match(const struct kdr_resolved *resolved, size_t policy, const char *name)
{
	const char *prefix = resolved->match_prefix[policy];

	return strncmp(name, prefix, strlen(prefix)) == 0 && kdr_regex_full_match(resolved->filters.match[policy], name);
}

bool kdr_resolve_match_covers(const struct kdr_resolved *resolved, size_t policy, const char *name)
{
	const struct kdr_resolve_name *known = NULL;

	if (policy >= resolved->n_policies || !resolved->filters.match[policy] || !name)
		return false;
	known = find_name(resolved, name);
	if (!known)
		return prefix_match(resolved, policy, name);
	for (size_t i = known->first_match; i < known->first_match + known->n_matches; i++)
		if (resolved->matched[i] == policy)
			return true;
	return false;
}

bool kdr_resolve_match_governs(const struct kdr_resolved *resolved, size_t policy, const char *name)
{
	return policy < resolved->n_policies && match_governs(resolved, policy) &&
	       kdr_resolve_match_covers(resolved, policy, name);
}

/* (cluster, topic) of `decl` against the key: negative, 0, positive. */
static int compare_decl(const struct kdr_resolve_decl *decl, const char *cluster, const char *name)
{
	int c = strcmp(decl->cluster, cluster);

	return c ? c : strcmp(decl->topic, name);
}

const struct kdr_resolve_decl *kdr_resolve_owner(const struct kdr_resolved *resolved, const char *cluster,
						 const char *name)
{
	size_t lo = 0, hi = resolved->n_decls;

	/* Sorted by cluster, topic, then document order: the lower bound is the owner. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (compare_decl(&resolved->decls[mid], cluster, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < resolved->n_decls && compare_decl(&resolved->decls[lo], cluster, name) == 0 ? &resolved->decls[lo]
												  : NULL;
}

static const struct kdr_resolve_matchers *matchers_of(const struct kdr_resolved *resolved, const char *cluster)
{
	size_t i = kdr_sort_first_named(resolved->matchers, resolved->n_matchers, sizeof(*resolved->matchers), cluster);

	return i < resolved->n_matchers && strcmp(resolved->matchers[i].cluster, cluster) == 0 ? &resolved->matchers[i]
												 : NULL;
}

static struct kdr_resolve_governor *find_policy(struct kdr_resolve_governors *out, const struct kdr_policy *policy)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].policy == policy)
			return &out->v[i];
	return NULL;
}

static void add_governor(struct kdr_resolve_governors *out, const struct kdr_policy *policy,
			 const struct kdr_topic_decl *decl, size_t index)
{
	out->v = kdr_grow(out->v, &out->cap, out->n + 1, sizeof(*out->v));
	out->v[out->n++] = (struct kdr_resolve_governor){.policy = policy, .decl = decl, .index = index};
}

/* A match covers the topic: a governor of its own, or the mark on the policy's declaration. */
static void add_matched(struct kdr_resolve_governors *out, const struct kdr_policy *policy)
{
	struct kdr_resolve_governor *have = find_policy(out, policy);

	if (!have) {
		add_governor(out, policy, NULL, 0);
		have = &out->v[out->n - 1];
	}
	have->matched = true;
}

/* Whether `policy` is among the governing matches of the cluster (sorted by policy: binary search). */
static bool governs_on(const struct kdr_resolve_matchers *matchers, size_t policy)
{
	size_t lo = 0, hi = matchers->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (matchers->policies[mid] < policy)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < matchers->n && matchers->policies[lo] == policy;
}

void kdr_resolve_governors_find(struct kdr_resolve_governors *out, const struct kdr_resolved *resolved,
				const char *cluster, const char *name, bool with_matches)
{
	const struct kdr_resolve_decl *owner = kdr_resolve_owner(resolved, cluster, name);
	size_t n_decls = 0;

	while (owner && owner + n_decls < resolved->decls + resolved->n_decls &&
	       compare_decl(owner + n_decls, cluster, name) == 0)
		n_decls++;
	kdr_resolve_governors_of_decls(out, resolved, cluster, name, owner, n_decls, with_matches);
}

void kdr_resolve_governors_of_decls(struct kdr_resolve_governors *out, const struct kdr_resolved *resolved,
				    const char *cluster, const char *name, const struct kdr_resolve_decl *decls,
				    size_t n_decls, bool with_matches)
{
	const struct kdr_resolve_matchers *matchers = NULL;
	const struct kdr_resolve_name *known = NULL;

	out->n = 0;
	for (size_t i = 0; i < n_decls; i++) {
		const struct kdr_policy *policy = &resolved->policies[decls[i].policy];

		if (!find_policy(out, policy))
			add_governor(out, policy, &policy->topics[decls[i].index], decls[i].index);
	}
	out->n_declared = out->n;
	if (!with_matches || (matchers = matchers_of(resolved, cluster)) == NULL)
		return;
	known = find_name(resolved, name);
	if (known) {
		/* Matched once, when resolved; keep the policies that govern on this cluster. */
		for (size_t i = known->first_match; i < known->first_match + known->n_matches; i++) {
			const struct kdr_policy *policy = &resolved->policies[resolved->matched[i]];

			if (governs_on(matchers, resolved->matched[i]))
				add_matched(out, policy);
		}
		return;
	}
	for (size_t i = 0; i < matchers->n; i++) {
		const struct kdr_policy *policy = &resolved->policies[matchers->policies[i]];

		if (prefix_match(resolved, matchers->policies[i], name))
			add_matched(out, policy);
	}
}

void kdr_resolve_governors_release(struct kdr_resolve_governors *governors)
{
	free(governors->v);
	memset(governors, 0, sizeof(*governors));
}

void kdr_resolve_topic_of(struct kdr_resolve_topic *out, const struct kdr_resolved *resolved, const char *cluster,
			  const char *name, bool with_matches)
{
	struct kdr_resolve_governors governors = {0};

	kdr_resolve_governors_find(&governors, resolved, cluster, name, with_matches);
	kdr_resolve_topic_merge(out, name, governors.v, governors.n);
	kdr_resolve_governors_release(&governors);
}

void kdr_resolve_governor_config(struct kdr_strmap *out, const struct kdr_resolve_topic *topic, size_t governor)
{
	const struct kdr_resolve_governor *gov = &topic->governors[governor];

	for (size_t i = gov->first_value; i < gov->first_value + gov->n_values; i++)
		if (topic->values[i].sent)
			kdr_strmap_set(out, topic->values[i].key, topic->values[i].value);
}
