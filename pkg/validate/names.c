/*
 * Names: object names are DNS-1123 labels (they become Kubernetes object
 * names, connector names "kdr.<flow>.source" and MM2 cluster aliases, which
 * also prefix remote topic names); names are unique per kind; topic names are
 * legal for Kafka; topics whose names differ only by '.' versus '_' collide.
 */
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/sort.h"
#include "validate/validate_internal.h"

#define DNS_LABEL_MAX 63
#define TOPIC_MAX 249

static bool is_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* NULL when `name` is a DNS-1123 label, else why not (static text). */
static const char *dns_label_problem(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return "it is empty";
	if (len > DNS_LABEL_MAX)
		return "it is longer than 63 characters";
	for (size_t i = 0; i < len; i++)
		if (!is_label_char(name[i]))
			return "it contains characters other than lowercase letters, digits and '-'";
	if (name[0] == '-' || name[len - 1] == '-')
		return "it starts or ends with '-'";
	return NULL;
}

/* The label closest to `name` ("Dc_East" -> "dc-east"), or NULL when nothing is left. */
static char *dns_label_suggestion(const char *name)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (const char *p = name; *p && buf.len < DNS_LABEL_MAX; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!is_label_char(c))
			c = '-';
		if (c == '-' && (buf.len == 0 || buf.ptr[buf.len - 1] == '-'))
			continue;
		kdr_buf_putc(&buf, c);
	}
	while (buf.len > 0 && buf.ptr[buf.len - 1] == '-')
		kdr_buf_truncate(&buf, buf.len - 1);
	if (buf.len == 0) {
		kdr_buf_release(&buf);
		return NULL;
	}
	return kdr_buf_detach(&buf);
}

static void check_object_name(struct kdr_validate_ctx *ctx, const struct kdr_meta *meta)
{
	const char *problem = NULL;
	char *suggestion = NULL;

	/* A missing name is the parser's error (required field). */
	if (!meta->name)
		return;
	problem = dns_label_problem(meta->name);
	if (!problem)
		return;
	suggestion = dns_label_suggestion(meta->name);
	if (suggestion && strcmp(suggestion, meta->name) != 0)
		kdr_validate__report(ctx, KDR_SEV_ERROR, meta, "metadata.name",
				     "'%s' is not a DNS-1123 label: %s (use lowercase letters, digits and '-', "
				     "starting and ending with a letter or digit, at most 63 characters, e.g. '%s')",
				     meta->name, problem, suggestion);
	else
		kdr_validate__report(ctx, KDR_SEV_ERROR, meta, "metadata.name",
				     "'%s' is not a DNS-1123 label: %s (use lowercase letters, digits and '-', "
				     "starting and ending with a letter or digit, at most 63 characters)",
				     meta->name, problem);
	free(suggestion);
}

/* Reports each object whose name an earlier object of the same kind already has. */
/* An object's name and index: stable-sorted by name, the first of each run is the first definition. */
struct named {
	const char *name;
	size_t index;
};

/*
 * Each later object with the name of an earlier one, named against the first
 * definition; in object order (as the pairwise loop this replaces reported
 * them) but by sorting, so 10,000 policies cost n log n, not n^2 / 2.
 */
static void check_duplicates(struct kdr_validate_ctx *ctx, const char *kind, const struct kdr_meta *const *metas,
			     size_t n)
{
	struct named *order = kdr_calloc(n + 1, sizeof(*order));
	size_t *first = kdr_calloc(n + 1, sizeof(*first));
	size_t named = 0;

	for (size_t i = 0; i < n; i++) {
		first[i] = i;
		if (metas[i]->name) {
			order[named].name = metas[i]->name;
			order[named++].index = i;
		}
	}
	kdr_sort_by_name(order, named, sizeof(*order));
	for (size_t k = 1; k < named; k++)
		if (strcmp(order[k].name, order[k - 1].name) == 0)
			first[order[k].index] = first[order[k - 1].index];
	for (size_t i = 0; i < n; i++) {
		char *where = NULL;

		if (first[i] == i)
			continue;
		where = kdr_validate__where(metas[first[i]], "metadata.name");
		kdr_validate__report(ctx, KDR_SEV_ERROR, metas[i], "metadata.name",
				     "duplicate %s '%s': also defined at %s; names must be unique per kind", kind,
				     metas[i]->name, where);
		free(where);
	}
	free(first);
	free(order);
}

static void check_kind(struct kdr_validate_ctx *ctx, const char *kind, const struct kdr_meta *const *metas, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_object_name(ctx, metas[i]);
	check_duplicates(ctx, kind, metas, n);
}

static void check_topic_name(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy, size_t index)
{
	const char *name = policy->topics[index].name;
	char *path = NULL;
	size_t len = 0;

	/* A missing name is the parser's error (required field). */
	if (!name)
		return;
	len = strlen(name);
	path = kdr_asprintf("spec.topics[%zu].name", index);
	if (len == 0) {
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
				     "empty topic name; kafka topic names have 1 to %d characters", TOPIC_MAX);
	} else if (len > TOPIC_MAX) {
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
				     "topic name '%.20s...' is %zu characters long; kafka allows at most %d", name, len,
				     TOPIC_MAX);
	} else if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		kdr_validate__report(
		    ctx, KDR_SEV_ERROR, &policy->meta, path,
		    "topic name '%s' is reserved by kafka; use ASCII letters, digits, '.', '_' and '-'", name);
	} else {
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)name[i];

			if (kdr_validate__topic_char((char)c))
				continue;
			if (c > 0x20 && c < 0x7f)
				kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
						     "topic name '%s' contains '%c', which kafka does not allow; use "
						     "ASCII letters, digits, '.', '_' and '-'",
						     name, c);
			else
				kdr_validate__report(
				    ctx, KDR_SEV_ERROR, &policy->meta, path,
				    "topic name '%s' contains byte 0x%02x, which kafka does not allow; use "
				    "ASCII letters, digits, '.', '_' and '-'",
				    name, c);
			break;
		}
	}
	free(path);
}

static void check_policy_topics(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy)
{
	for (size_t t = 0; t < policy->n_topics; t++) {
		long first = -1;
		char *path = NULL;

		check_topic_name(ctx, policy, t);
		first = kdr_validate__find_topic(ctx, policy, policy->topics[t].name);
		if (first < 0 || first == (long)t)
			continue;
		path = kdr_asprintf("spec.topics[%zu].name", t);
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
				     "topic '%s' is listed twice (first as spec.topics[%ld]); list each topic once",
				     policy->topics[t].name, first);
		free(path);
	}
}

/*
 * Topics whose names differ but are equal once '.' is read as '_': Kafka's
 * metric names cannot tell them apart, and CreateTopics refuses the second.
 * Each distinct declared name of a cluster is keyed by its normalised form
 * and sorted, so colliding names end up next to each other (n log n: a
 * desired state may declare tens of thousands of topics).
 */
struct name_key {
	char *normal;
	const struct kdr_resolve_decl *decl; /* the first declaration of the name */
};

struct collision {
	const struct kdr_resolve_decl *later;
	const struct kdr_resolve_decl *earlier;
	struct kdr_strvec clusters;
};

static bool decl_before(const struct kdr_resolve_decl *a, const struct kdr_resolve_decl *b)
{
	return a->policy != b->policy ? a->policy < b->policy : a->index < b->index;
}

static int compare_keys(const void *a, const void *b)
{
	const struct name_key *x = a;
	const struct name_key *y = b;
	int c = strcmp(x->normal, y->normal);

	return c ? c : strcmp(x->decl->topic, y->decl->topic);
}

static int compare_collisions(const void *a, const void *b)
{
	const struct collision *x = a;
	const struct collision *y = b;

	if (x->later->policy != y->later->policy)
		return x->later->policy < y->later->policy ? -1 : 1;
	if (x->later->index != y->later->index)
		return x->later->index < y->later->index ? -1 : 1;
	return strcmp(x->earlier->topic, y->earlier->topic);
}

static void add_collision(struct collision **found, size_t *n_found, size_t *cap, const struct kdr_resolve_decl *a,
			  const struct kdr_resolve_decl *b)
{
	const struct kdr_resolve_decl *later = decl_before(a, b) ? b : a;
	const struct kdr_resolve_decl *earlier = later == a ? b : a;
	size_t k = 0;

	/* The same pair on another cluster: one warning naming all the clusters. */
	for (k = 0; k < *n_found; k++)
		if (strcmp((*found)[k].later->topic, later->topic) == 0 &&
		    strcmp((*found)[k].earlier->topic, earlier->topic) == 0)
			break;
	if (k == *n_found) {
		*found = kdr_grow(*found, cap, *n_found + 1, sizeof(**found));
		memset(&(*found)[k], 0, sizeof(**found));
		(*found)[k].later = later;
		(*found)[k].earlier = earlier;
		(*n_found)++;
	}
	kdr_strvec_push(&(*found)[k].clusters, a->cluster);
}

static void collisions_of_cluster(struct kdr_validate_ctx *ctx, size_t first, size_t count, struct collision **found,
				  size_t *n_found, size_t *cap)
{
	struct name_key *keys = kdr_calloc(count, sizeof(*keys));
	size_t n = 0;

	/* decls are sorted by topic within the cluster: the first of a run is the earliest. */
	for (size_t i = first; i < first + count; i++) {
		const struct kdr_resolve_decl *decl = &ctx->decls[i];

		if ((i > first && strcmp(ctx->decls[i - 1].topic, decl->topic) == 0) || !strpbrk(decl->topic, "._"))
			continue;
		keys[n].normal = kdr_strdup(decl->topic);
		for (char *c = keys[n].normal; *c; c++)
			if (*c == '.')
				*c = '_';
		keys[n].decl = decl;
		n++;
	}
	if (n > 1)
		qsort(keys, n, sizeof(*keys), compare_keys);
	for (size_t i = 0; i < n; i++) {
		/* Every later name of the run collides with its first. */
		for (size_t j = i + 1; j < n && strcmp(keys[i].normal, keys[j].normal) == 0; j++)
			add_collision(found, n_found, cap, keys[i].decl, keys[j].decl);
		while (i + 1 < n && strcmp(keys[i].normal, keys[i + 1].normal) == 0)
			i++;
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i].normal);
	free(keys);
}

static void check_collisions(struct kdr_validate_ctx *ctx)
{
	struct collision *found = NULL;
	size_t n_found = 0, cap = 0;

	for (size_t i = 0; i < ctx->n_decls;) {
		size_t first = 0;
		size_t count = kdr_resolve_decls_of(ctx->resolved, ctx->decls[i].cluster, &first);

		collisions_of_cluster(ctx, first, count, &found, &n_found, &cap);
		i = first + count;
	}
	if (n_found > 1)
		qsort(found, n_found, sizeof(*found), compare_collisions);
	for (size_t k = 0; k < n_found; k++) {
		const struct kdr_policy *later = &ctx->desired->policies[found[k].later->policy];
		const struct kdr_policy *earlier = &ctx->desired->policies[found[k].earlier->policy];
		char *path = kdr_asprintf("spec.topics[%zu].name", found[k].later->index);
		char *other = kdr_asprintf("spec.topics[%zu].name", found[k].earlier->index);
		char *where = kdr_validate__where(&earlier->meta, other);
		char *clusters = NULL;

		kdr_strvec_sort(&found[k].clusters);
		clusters = kdr_strvec_join(&found[k].clusters, "', '");
		kdr_validate__report(
		    ctx, KDR_SEV_WARNING, &later->meta, path,
		    "topic '%s' collides with '%s' (%s) on cluster%s '%s': kafka maps '.' and '_' to the "
		    "same metric names and refuses to create the second of the two",
		    found[k].later->topic, found[k].earlier->topic, where, found[k].clusters.n > 1 ? "s" : "",
		    clusters);
		free(clusters);
		free(where);
		free(other);
		free(path);
		kdr_strvec_release(&found[k].clusters);
	}
	free(found);
}

void kdr_validate__check_names(struct kdr_validate_ctx *ctx)
{
	const struct kdr_desired *d = ctx->desired;
	size_t n = d->n_clusters;
	const struct kdr_meta **metas = NULL;

	if (d->n_flows > n)
		n = d->n_flows;
	if (d->n_policies > n)
		n = d->n_policies;
	if (d->n_access_policies > n)
		n = d->n_access_policies;
	if (n)
		metas = kdr_calloc(n, sizeof(*metas));
	for (size_t i = 0; i < d->n_clusters; i++)
		metas[i] = &d->clusters[i].meta;
	check_kind(ctx, "KafkaCluster", metas, d->n_clusters);
	for (size_t i = 0; i < d->n_flows; i++)
		metas[i] = &d->flows[i].meta;
	check_kind(ctx, "ReplicationFlow", metas, d->n_flows);
	for (size_t i = 0; i < d->n_policies; i++)
		metas[i] = &d->policies[i].meta;
	check_kind(ctx, "TopicPolicy", metas, d->n_policies);
	for (size_t i = 0; i < d->n_access_policies; i++)
		metas[i] = &d->access_policies[i].meta;
	check_kind(ctx, "AccessPolicy", metas, d->n_access_policies);
	free(metas);
	for (size_t i = 0; i < d->n_policies; i++)
		check_policy_topics(ctx, &d->policies[i]);
	check_collisions(ctx);
}
