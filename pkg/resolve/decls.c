/*
 * Which topics the desired state declares on each cluster, and by whom:
 * every (cluster, topic) a TopicPolicy lists, once per distinct cluster of
 * the policy, sorted by cluster, topic, then document order, so that a
 * topic's first declaration on a cluster is its owner (partitions,
 * replication factor, placement). Validation's rules and the plan's
 * governing read this one index.
 */
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve_internal.h"
#include "util/alloc.h"
#include "util/sort.h"

static int compare_decls(const void *a, const void *b)
{
	const struct kdr_resolve_decl *x = a;
	const struct kdr_resolve_decl *y = b;
	int c = strcmp(x->cluster, y->cluster);

	if (c)
		return c;
	c = strcmp(x->topic, y->topic);
	if (c)
		return c;
	if (x->policy != y->policy)
		return x->policy < y->policy ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

void kdr_resolve__index_decls(struct kdr_resolved *resolved, const struct kdr_desired *desired)
{
	size_t cap = 0;

	for (size_t p = 0; p < desired->n_policies; p++) {
		const struct kdr_policy *policy = &desired->policies[p];

		for (size_t c = 0; c < policy->clusters.n; c++) {
			const char *cluster = policy->clusters.v[c];

			if (!cluster || kdr_strvec_find(&policy->clusters, cluster) != (long)c)
				continue;
			for (size_t t = 0; t < policy->n_topics; t++) {
				struct kdr_resolve_decl *decl = NULL;

				if (!policy->topics[t].name)
					continue;
				resolved->decls =
				    kdr_grow(resolved->decls, &cap, resolved->n_decls + 1, sizeof(*resolved->decls));
				decl = &resolved->decls[resolved->n_decls++];
				decl->cluster = cluster;
				decl->topic = policy->topics[t].name;
				decl->policy = p;
				decl->index = t;
			}
		}
	}
	if (resolved->n_decls > 1)
		qsort(resolved->decls, resolved->n_decls, sizeof(*resolved->decls), compare_decls);
}

size_t kdr_resolve_decls_of(const struct kdr_resolved *resolved, const char *cluster, size_t *first)
{
	/* decls are sorted by cluster (their first member) first: binary search for both ends of the run. */
	size_t lo = kdr_sort_first_named(resolved->decls, resolved->n_decls, sizeof(*resolved->decls), cluster);
	size_t hi = resolved->n_decls, end = lo;

	while (end < hi) {
		size_t mid = end + (hi - end) / 2;

		if (strcmp(resolved->decls[mid].cluster, cluster) <= 0)
			end = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	return end - lo;
}
