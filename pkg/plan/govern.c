/*
 * Which topics the desired state governs on one cluster, and with what:
 * every topic a policy naming the cluster declares, plus the live topics its
 * `match` regex matches (those get configs and partition growth, are never
 * created, and their RF and placement are left alone; internal and MM2/Connect
 * topics are never matched; a `prune: true` policy's match only selects
 * what to delete). A topic governed by
 * several policies is merged: the first declaring policy (document order) owns
 * partitions, RF and placement; keys of later policies are added where the
 * earlier ones are silent; disagreements become warnings (the merge is
 * pkg/resolve's, topic_merge.h, the one validation's conflicts read too).
 */
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "plan/plan_internal.h"
#include "resolve/topic_merge.h"
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

/* The merge's disagreements as the plan's warnings, in the order they were found. */
static void warn_disagreements(struct plan_ctx *ctx, const struct plan_cluster *pc, const struct kdr_resolve_topic *rt)
{
	for (size_t i = 0; i < rt->n_disagreements; i++) {
		const struct kdr_resolve_disagreement *d = &rt->disagreements[i];
		const char *used = kdr_plan__policy_name(rt->governors[d->used_governor].policy);
		const char *other = kdr_plan__policy_name(rt->governors[d->other_governor].policy);

		switch (d->kind) {
		case KDR_RESOLVE_DISAGREE_COUNTS:
			kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, pc->name, rt->name,
					   "policies '%s' and '%s' both declare the topic with different partitions or "
					   "replicationFactor; '%s' (%lld partitions, RF %lld) is used",
					   used, other, used, (long long)rt->partitions,
					   (long long)rt->replication_factor);
			break;
		case KDR_RESOLVE_DISAGREE_TIERING:
			kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, pc->name, rt->name,
					   "policies '%s' and '%s' disagree on tiering; '%s' is used", used, other,
					   used);
			break;
		case KDR_RESOLVE_DISAGREE_CONFIG:
			/* Two spellings of one value, or a value never sent: nothing flip-flops. */
			if (d->unsent || kdr_resolve_disagreement_equivalent(rt, d))
				break;
			kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, pc->name, rt->name,
					   "policies '%s' and '%s' set '%s' differently; '%s' is used", used, other,
					   rt->values[d->other_value].key, used);
			break;
		}
	}
}

/* Merges one run of entries (same name, declarations first) into `pt` (pkg/resolve's merge). */
static void merge_run(struct plan_topic *pt, const struct entry *run, size_t n, struct plan_ctx *ctx,
		      const struct plan_cluster *pc)
{
	struct kdr_resolve_governor *governors = kdr_calloc(n, sizeof(*governors));
	struct kdr_resolve_topic rt;

	for (size_t i = 0; i < n; i++) {
		governors[i].policy = run[i].policy;
		governors[i].decl = run[i].decl;
		governors[i].index = run[i].decl ? (size_t)(run[i].decl - run[i].policy->topics) : 0;
	}
	kdr_resolve_topic_merge(&rt, run[0].name, governors, n);
	warn_disagreements(ctx, pc, &rt);
	memset(pt, 0, sizeof(*pt));
	pt->name = rt.name;
	pt->policy = rt.governors[0].policy;
	pt->declared = rt.governors[0].decl != NULL;
	pt->partitions = rt.partitions;
	pt->replication_factor = rt.replication_factor;
	pt->config = rt.config;
	rt.config = (struct kdr_strmap)KDR_STRMAP_INIT;
	pt->config_prune = pt->policy->config_prune;
	pt->tiering_disabled = rt.tiering_disabled;
	kdr_resolve_topic_release(&rt);
	free(governors);
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
