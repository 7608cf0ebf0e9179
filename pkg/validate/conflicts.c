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
	const struct kdr_tiering *tiering = &policy->tiering;

	for (size_t i = 0; i < policy->config.n; i++)
		applied_put(set, policy->config.v[i].key, kdr_strdup(policy->config.v[i].value),
			    kdr_asprintf("spec.config.%s", policy->config.v[i].key));
	if (index >= 0) {
		const struct kdr_strmap *own = &policy->topics[index].config;

		for (size_t i = 0; i < own->n; i++)
			applied_put(set, own->v[i].key, kdr_strdup(own->v[i].value),
				    kdr_asprintf("spec.topics[%ld].config.%s", index, own->v[i].key));
	}
	if (!tiering->present)
		return;
	applied_put(set, "remote.storage.enable", kdr_strdup(tiering->enabled ? "true" : "false"),
		    kdr_strdup("spec.tiering.enabled"));
	if (tiering->has_local_retention)
		applied_put(set, "local.retention.ms", kdr_asprintf("%lld", (long long)tiering->local_retention_ms),
			    kdr_strdup("spec.tiering.localRetention"));
	if (tiering->has_retention)
		applied_put(set, "retention.ms", kdr_asprintf("%lld", (long long)tiering->retention_ms),
			    kdr_strdup("spec.tiering.retention"));
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
	int64_t lp = kdr_validate_topic_partitions(later, li), ep = kdr_validate_topic_partitions(earlier, ei);
	int64_t lr = kdr_validate_topic_replication_factor(later, li);
	int64_t er = kdr_validate_topic_replication_factor(earlier, ei);

	if (lp != ep) {
		char *path = later->topics[li].partitions ? kdr_asprintf("spec.topics[%zu].partitions", li)
							  : kdr_strdup("spec.partitions");
		char *other = earlier->topics[ei].partitions ? kdr_asprintf("spec.topics[%zu].partitions", ei)
							     : kdr_strdup("spec.partitions");
		char *where = kdr_validate_where(&earlier->meta, other);

		kdr_validate_report(ctx, KDR_SEV_ERROR, &later->meta, path,
				    "topic '%s' on %s: %lld partition%s here, but policy '%s' (%s) declares %lld",
				    topic, clusters, (long long)lp, lp == 1 ? "" : "s",
				    kdr_validate_name(&earlier->meta), where, (long long)ep);
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
		char *where = kdr_validate_where(&earlier->meta, other);

		kdr_validate_report(
		    ctx, KDR_SEV_ERROR, &later->meta, path,
		    "topic '%s' on %s: replication factor %lld here, but policy '%s' (%s) declares %lld", topic,
		    clusters, (long long)lr, kdr_validate_name(&earlier->meta), where, (long long)er);
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
		where = kdr_validate_where(&earlier->meta, other->path);
		mine_how = li >= 0 ? kdr_strdup("") : kdr_asprintf(" (through match '%s')", later->match);
		their_how = ei >= 0 ? kdr_strdup("") : kdr_asprintf(" through match '%s'", earlier->match);
		kdr_validate_report(ctx, KDR_SEV_ERROR, &later->meta, mine.v[k].path,
				    "topic '%s' on %s: %s '%s' here%s, but policy '%s' (%s) sets '%s'%s", topic,
				    clusters, mine.v[k].key, mine.v[k].value, mine_how,
				    kdr_validate_name(&earlier->meta), where, other->value, their_how);
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
		if (!topic || kdr_validate_find_topic(ctx, later, topic) != (long)t)
			continue;
		et = kdr_validate_find_topic(ctx, earlier, topic);
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

		if (!topic || kdr_validate_find_topic(ctx, earlier, topic) != (long)t ||
		    kdr_validate_find_topic(ctx, later, topic) >= 0 || !kdr_regex_full_match(ctx->matches[l], topic))
			continue;
		compare_configs(ctx, topic, earlier, (long)t, later, -1, clusters);
	}
	free(clusters);
}

void kdr_validate_check_conflicts(struct kdr_validate_ctx *ctx)
{
	for (size_t l = 0; l < ctx->desired->n_policies; l++)
		for (size_t e = 0; e < l; e++)
			compare_pair(ctx, e, l);
}
