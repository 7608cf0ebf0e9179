/*
 * Which topics the desired state governs on one cluster, and with what:
 * every topic a policy naming the cluster declares, plus the live topics its
 * `match` regex matches (those get configs and partition growth, are never
 * created, and their RF and placement are left alone; internal and MM2/Connect
 * topics are never matched; a `prune: true` policy's match only selects
 * what to delete). A topic governed by
 * several policies is merged: the first declaring policy (document order) owns
 * partitions, RF and placement; keys of later policies are added where the
 * earlier ones are silent; disagreements become warnings.
 */
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "plan/plan_internal.h"
#include "util/alloc.h"

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *kdr_plan__internal_topic_reason(const struct kdr_live_topic *topic, const struct kdr_desired *desired)
{
	const char *name = topic->name;

	if (starts_with(name, "__"))
		return "internal topic ('__' prefix)";
	if (topic->internal)
		return "internal topic";
	if (kdr_mm2_is_heartbeats_topic(name))
		return "MirrorMaker 2 heartbeats topic";
	if (kdr_mm2_is_internal_topic(name))
		return "MirrorMaker 2 / Connect internal topic";
	if (starts_with(name, "mm2-"))
		return "MirrorMaker 2 internal topic ('mm2-' prefix)";
	if (starts_with(name, "connect-"))
		return "Kafka Connect internal topic ('connect-' prefix)";
	/* With a custom separator the internal names do not end in ".internal". */
	for (size_t i = 0; i < desired->n_flows; i++) {
		const struct kdr_flow *flow = &desired->flows[i];
		char *checkpoints = NULL, *offset_syncs = NULL;
		bool hit = false;

		if (!flow->source || !flow->target)
			continue;
		checkpoints = kdr_mm2_checkpoints_topic(flow);
		offset_syncs = kdr_mm2_offset_syncs_topic(flow);
		hit = strcmp(name, checkpoints) == 0 || strcmp(name, offset_syncs) == 0;
		free(checkpoints);
		free(offset_syncs);
		if (hit)
			return "MirrorMaker 2 internal topic";
	}
	return NULL;
}

struct entry {
	const char *name;
	const struct kdr_policy *policy;
	const struct kdr_topic_decl *decl; /* NULL: matched */
	size_t seq;
};

struct entries {
	struct entry *v;
	size_t n;
	size_t cap;
};

static void entries_add(struct entries *entries, const char *name, const struct kdr_policy *policy,
			const struct kdr_topic_decl *decl)
{
	struct entry *e = NULL;

	entries->v = kdr_grow(entries->v, &entries->cap, entries->n + 1, sizeof(*entries->v));
	e = &entries->v[entries->n];
	e->name = name;
	e->policy = policy;
	e->decl = decl;
	e->seq = entries->n++;
}

static int compare_entries(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int cmp = strcmp(a->name, b->name);

	if (cmp)
		return cmp;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static int64_t entry_partitions(const struct entry *e)
{
	return kdr_policy_topic_partitions(e->policy, e->decl);
}

static int64_t entry_rf(const struct entry *e)
{
	return kdr_policy_topic_replication_factor(e->policy, e->decl);
}

/* Merges one run of entries (same name, owner first) into `pt`. */
static void merge_run(struct plan_topic *pt, const struct entry *run, size_t n, struct plan_ctx *ctx,
		      const struct plan_cluster *pc)
{
	const struct entry *owner = &run[0];
	/* Which policy set each key, parallel to pt->config (for conflict messages). */
	struct kdr_strmap setters = KDR_STRMAP_INIT;

	memset(pt, 0, sizeof(*pt));
	pt->name = owner->name;
	pt->policy = owner->policy;
	pt->declared = owner->decl != NULL;
	pt->partitions = entry_partitions(owner);
	pt->replication_factor = entry_rf(owner);
	pt->config_prune = owner->policy->config_prune;
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &run[i];
		struct kdr_strmap config = KDR_STRMAP_INIT;
		bool seen = false;

		/* A policy's first entry (its declaration, when it has one) carries all it wants. */
		for (size_t j = 0; j < i; j++)
			seen = seen || run[j].policy == e->policy;
		if (seen)
			continue;
		/*
		 * `tiering: {enabled: false}` sends no key but takes part in the
		 * first-wins merge of remote.storage.enable, so that policies that
		 * disagree give one answer (and a warning), not a flip-flop.
		 */
		if (e->policy->tiering.present && !e->policy->tiering.enabled) {
			if (!kdr_strmap_has(&setters, "remote.storage.enable")) {
				pt->tiering_disabled = true;
				kdr_strmap_set(&setters, "remote.storage.enable", kdr_plan__policy_name(e->policy));
			} else if (!pt->tiering_disabled) {
				kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, pc->name, pt->name,
						   "policies '%s' and '%s' disagree on tiering; '%s' is used",
						   kdr_strmap_get(&setters, "remote.storage.enable"),
						   kdr_plan__policy_name(e->policy),
						   kdr_strmap_get(&setters, "remote.storage.enable"));
			}
		}
		if (i > 0 && e->decl && e->policy != owner->policy &&
		    (entry_partitions(e) != pt->partitions || entry_rf(e) != pt->replication_factor))
			kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, pc->name, pt->name,
					   "policies '%s' and '%s' both declare the topic with different partitions or "
					   "replicationFactor; '%s' (%lld partitions, RF %lld) is used",
					   kdr_plan__policy_name(owner->policy), kdr_plan__policy_name(e->policy),
					   kdr_plan__policy_name(owner->policy), (long long)pt->partitions,
					   (long long)pt->replication_factor);
		kdr_policy_topic_config(&config, e->policy, e->decl);
		for (size_t k = 0; k < config.n; k++) {
			const char *key = config.v[k].key, *value = config.v[k].value;
			const char *have = kdr_strmap_get(&pt->config, key);

			if (pt->tiering_disabled && strcmp(key, "remote.storage.enable") == 0 &&
			    strcmp(kdr_strmap_get(&setters, key), kdr_plan__policy_name(e->policy)) != 0) {
				kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, pc->name, pt->name,
						   "policies '%s' and '%s' disagree on tiering; '%s' is used",
						   kdr_strmap_get(&setters, key), kdr_plan__policy_name(e->policy),
						   kdr_strmap_get(&setters, key));
			} else if (!kdr_strmap_has(&pt->config, key)) {
				kdr_strmap_set(&pt->config, key, value);
				kdr_strmap_set(&setters, key, kdr_plan__policy_name(e->policy));
			} else if (!kdr_plan__config_equal(key, have, value)) {
				kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, pc->name, pt->name,
						   "policies '%s' and '%s' set '%s' differently; '%s' is used",
						   kdr_strmap_get(&setters, key), kdr_plan__policy_name(e->policy), key,
						   kdr_strmap_get(&setters, key));
			}
		}
		kdr_strmap_release(&config);
	}
	kdr_strmap_release(&setters);
}

void kdr_plan__collect_topics(struct plan_topic **out, size_t *n_out, struct plan_ctx *ctx,
			      const struct plan_cluster *pc)
{
	const struct kdr_desired *desired = ctx->desired;
	struct entries entries = {NULL, 0, 0};
	size_t n = 0, n_declared = 0, first = 0;

	*out = NULL;
	*n_out = 0;
	/*
	 * Declarations first, so that a declaration owns a topic some `match`
	 * also covers; the resolved state lists them by topic, in document order.
	 */
	n_declared = kdr_resolve_decls_of(ctx->resolved, pc->name, &first);
	for (size_t d = first; d < first + n_declared; d++) {
		const struct kdr_resolve_decl *decl = &ctx->resolved->decls[d];
		const struct kdr_policy *policy = &desired->policies[decl->policy];

		entries_add(&entries, decl->topic, policy, &policy->topics[decl->index]);
	}
	for (size_t p = 0; p < desired->n_policies; p++) {
		const struct kdr_policy *policy = &desired->policies[p];
		size_t matched = 0;

		/*
		 * A pruning policy's `match` is a deletion scope: what it matches and
		 * does not declare is to be deleted (prune.c), not tuned.
		 */
		if (!ctx->match[p] || policy->prune || !kdr_strvec_contains(&policy->clusters, pc->name))
			continue;
		for (size_t t = 0; t < pc->live->n_topics; t++) {
			const struct kdr_live_topic *topic = &pc->live->topics[t];

			if (!kdr_regex_full_match(ctx->match[p], topic->name) ||
			    kdr_plan__internal_topic_reason(topic, desired))
				continue;
			entries_add(&entries, topic->name, policy, NULL);
			matched++;
		}
		/*
		 * Declared topics this plan creates are matched too: once created they
		 * match, and the next plan must not find the match's keys missing.
		 * (A name declared twice gets two identical matched entries; merging
		 * makes one of them.)
		 */
		for (size_t d = 0; d < n_declared; d++) {
			struct kdr_live_topic fake;

			memset(&fake, 0, sizeof(fake));
			fake.name = (char *)entries.v[d].name;
			if (kdr_live_topic_find(pc->live, fake.name) ||
			    !kdr_regex_full_match(ctx->match[p], fake.name) ||
			    kdr_plan__internal_topic_reason(&fake, desired))
				continue;
			entries_add(&entries, entries.v[d].name, policy, NULL);
		}
		if (matched)
			kdr_plan__add_note(
			    ctx->plan, KDR_NOTE_INFO, pc->name, NULL,
			    "policy '%s' governs %zu existing topic(s) matching '%s' (configs and partition "
			    "growth; never created)",
			    kdr_plan__policy_name(policy), matched, policy->match);
	}
	if (entries.n > 1)
		qsort(entries.v, entries.n, sizeof(*entries.v), compare_entries);
	*out = kdr_calloc(entries.n + 1, sizeof(**out));
	for (size_t i = 0; i < entries.n;) {
		size_t j = i + 1;

		while (j < entries.n && strcmp(entries.v[j].name, entries.v[i].name) == 0)
			j++;
		merge_run(&(*out)[n++], &entries.v[i], j - i, ctx, pc);
		i = j;
	}
	*n_out = n;
	free(entries.v);
}

void kdr_plan__topics_release(struct plan_topic *topics, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kdr_strmap_release(&topics[i].config);
	free(topics);
}
