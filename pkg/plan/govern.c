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
 * pkg/resolve's, topic_merge.h, the one validation's conflicts read too;
 * so is finding the governing policies: pkg/resolve runs the matches, this
 * file only keeps internal topics out of them). The topics governed only
 * through matches are kept for the cross-checks, which would otherwise run
 * every match over the target's topics again.
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

/* The governors of one topic merged into `pt` (pkg/resolve's merge), the disagreements warned about. */
static void merge_topic(struct plan_topic *pt, const char *name, const struct kdr_resolve_governors *governors,
			struct plan_ctx *ctx, const struct plan_cluster *pc)
{
	struct kdr_resolve_topic rt;

	kdr_resolve_topic_merge(&rt, name, governors->v, governors->n);
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
}

/* Records a topic governed only through matches, for the cross-checks (kdr_plan__matched_of). */
static void remember_matched(struct plan_matched *pm, const char *name, const struct kdr_resolve_governors *governors)
{
	struct plan_matched_topic *mt = NULL;

	pm->topics = kdr_grow(pm->topics, &pm->cap, pm->n + 1, sizeof(*pm->topics));
	mt = &pm->topics[pm->n++];
	mt->name = name;
	mt->n_governors = governors->n;
	mt->governors = kdr_calloc(governors->n + 1, sizeof(*mt->governors));
	memcpy(mt->governors, governors->v, governors->n * sizeof(*mt->governors));
}

static struct plan_matched *matched_add(struct plan_ctx *ctx, const char *cluster)
{
	struct plan_matched *pm = NULL;

	ctx->matched = kdr_realloc(ctx->matched, (ctx->n_matched + 1) * sizeof(*ctx->matched));
	pm = &ctx->matched[ctx->n_matched++];
	memset(pm, 0, sizeof(*pm));
	pm->cluster = cluster;
	return pm;
}

static bool any_matched(const struct kdr_resolve_governors *governors)
{
	for (size_t g = 0; g < governors->n; g++)
		if (governors->v[g].matched)
			return true;
	return false;
}

void kdr_plan__collect_topics(struct plan_topic **out, size_t *n_out, struct plan_ctx *ctx,
			      const struct plan_cluster *pc)
{
	const struct kdr_desired *desired = ctx->desired;
	const struct kdr_live_cluster *live = pc->live;
	struct kdr_resolve_governors governors = {0};
	struct plan_matched *pm = matched_add(ctx, pc->name);
	size_t first = 0, n_declared = kdr_resolve_decls_of(ctx->resolved, pc->name, &first);
	const struct kdr_resolve_decl *decls = ctx->resolved->decls + first;
	size_t *matched = kdr_calloc(desired->n_policies + 1, sizeof(*matched)); /* live topics, per policy */
	size_t l = 0, d = 0, n = 0;

	*out = kdr_calloc(live->n_topics + n_declared + 1, sizeof(**out));
	/* The live topics and the declared ones, both sorted by name, walked together: each name once. */
	while (l < live->n_topics || d < n_declared) {
		const struct kdr_live_topic *topic = NULL;
		struct kdr_live_topic fake;
		int cmp = l == live->n_topics ? 1 : d == n_declared ? -1 : strcmp(live->topics[l].name, decls[d].topic);
		const char *name = cmp <= 0 ? live->topics[l].name : decls[d].topic;
		size_t first_decl = d;

		if (cmp <= 0)
			topic = &live->topics[l++];
		while (d < n_declared && strcmp(decls[d].topic, name) == 0)
			d++;
		if (topic && n && strcmp((*out)[n - 1].name, name) == 0)
			continue;
		/* The walk holds the name's declarations here: resolve need not look them up again. */
		kdr_resolve_governors_of_decls(&governors, ctx->resolved, pc->name, name, decls + first_decl,
					       d - first_decl, true);
		if (any_matched(&governors)) {
			/*
			 * Internal and MM2/Connect topics are never matched. A declared topic
			 * this plan creates is matched too: once created it matches, and the
			 * next plan must not find the match's keys missing.
			 */
			if (!topic) {
				memset(&fake, 0, sizeof(fake));
				fake.name = (char *)name;
			}
			if (kdr_plan__internal_topic_reason(topic ? topic : &fake, desired))
				governors.n = governors.n_declared;
			/* Counted per policy whose match covers the live topic, declaring it or not. */
			for (size_t g = 0; topic && g < governors.n; g++)
				if (governors.v[g].matched)
					matched[governors.v[g].policy - desired->policies]++;
		}
		if (!governors.n)
			continue;
		merge_topic(&(*out)[n++], name, &governors, ctx, pc);
		if (!governors.n_declared)
			remember_matched(pm, name, &governors);
	}
	for (size_t p = 0; p < desired->n_policies; p++)
		if (matched[p])
			kdr_plan__add_note(
			    ctx->plan, KDR_NOTE_INFO, pc->name, NULL,
			    "policy '%s' governs %zu existing topic(s) matching '%s' (configs and partition "
			    "growth; never created)",
			    kdr_plan__policy_name(&desired->policies[p]), matched[p], desired->policies[p].match);
	*n_out = n;
	free(matched);
	kdr_resolve_governors_release(&governors);
}

const struct plan_matched *kdr_plan__matched_of(const struct plan_ctx *ctx, const char *cluster)
{
	for (size_t i = 0; i < ctx->n_matched; i++)
		if (strcmp(ctx->matched[i].cluster, cluster) == 0)
			return &ctx->matched[i];
	return NULL;
}

void kdr_plan__matched_release(struct plan_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_matched; i++) {
		for (size_t t = 0; t < ctx->matched[i].n; t++)
			free(ctx->matched[i].topics[t].governors);
		free(ctx->matched[i].topics);
	}
	free(ctx->matched);
	ctx->matched = NULL;
	ctx->n_matched = 0;
}

void kdr_plan__topics_release(struct plan_topic *topics, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kdr_strmap_release(&topics[i].config);
	free(topics);
}
