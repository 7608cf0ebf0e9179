/*
 * Checks that look at both ends of a ReplicationFlow at once, where kdr and
 * MirrorMaker 2 manage the same thing and would undo each other's work, or
 * where the DR copy would be weaker than the original. Every finding is a
 * warning that names both sides (the flow and the TopicPolicy or cluster),
 * on the target cluster: that is where the conflict shows.
 *
 * Topics are taken as they will be after this plan (kdr_plan__topics_after), so a
 * remote topic the plan itself grows is not reported.
 */
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/buf.h"

/* One side of a flow as the checks see it. */
struct side {
	const struct kdr_live_cluster *live; /* NULL: not read */
	struct plan_topic_after *topics;
	size_t n_topics;
};

struct flow_check {
	struct plan_ctx *ctx;
	const struct kdr_flow *flow;
	const struct kdr_mm2_topic_filter *filter; /* the flow's, in ctx->filters */
	struct kdr_regex_set synced_exclude; /* config.properties.exclude as the connector runs it */
	struct side source;
	struct side target;
};

static void side_init(struct side *side, const struct kdr_plan *plan, const struct kdr_live_cluster *live)
{
	memset(side, 0, sizeof(*side));
	side->live = live;
	if (live)
		kdr_plan__topics_after(&side->topics, &side->n_topics, plan, live);
}

/* The topic as it will be on the side, NULL when absent or deleted by the plan. */
static const struct plan_topic_after *side_topic(const struct side *side, const char *name)
{
	const struct plan_topic_after *topic = kdr_plan__topic_after_find(side->topics, side->n_topics, name);

	return topic && !topic->deleted ? topic : NULL;
}

/* The first policy declaring `name` on `cluster` (and its declaration), or NULL: pkg/resolve's owner. */
static const struct kdr_policy *declaring_policy(const struct flow_check *fc, const char *cluster, const char *name,
						 const struct kdr_topic_decl **decl)
{
	const struct kdr_resolve_decl *owner = kdr_resolve_owner(fc->ctx->resolved, cluster, name);
	const struct kdr_policy *policy = owner ? &fc->ctx->desired->policies[owner->policy] : NULL;

	if (decl && policy)
		*decl = &policy->topics[owner->index];
	return policy;
}

/*
 * The source topic whose remote copy `name` is, under the flow's policy
 * (heap string), or NULL when `name` is not a copy this flow produces: the
 * policy does not derive it from a source name, the flow would not
 * replicate that source topic, or the source topic neither exists nor is
 * declared on the source.
 */
static char *upstream_of(const struct flow_check *fc, const char *name)
{
	const struct kdr_flow *flow = fc->flow;
	const char *sep = flow->separator && flow->separator[0] ? flow->separator : ".";
	char *source = kdr_mm2_topic_source(flow, name);
	char *upstream = NULL, *remote = NULL;
	bool exists = false;

	if (!source || strcmp(source, flow->source) != 0)
		goto cleanup;
	if (flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY && !kdr_mm2_is_heartbeats_topic(name))
		upstream = kdr_strdup(name);
	else
		upstream = kdr_strdup(name + strlen(source) + strlen(sep));
	remote = kdr_mm2_remote_topic(flow, upstream);
	exists = side_topic(&fc->source, upstream) || declaring_policy(fc, flow->source, upstream, NULL) != NULL;
	if (strcmp(remote, name) != 0 || !exists || !kdr_mm2_replicates(fc->filter, upstream, NULL)) {
		free(upstream);
		upstream = NULL;
	}
cleanup:
	free(source);
	free(remote);
	return upstream;
}

/* Partitions of the source topic after the plan: declared, else live; 0 when unknown. */
static int64_t source_partitions(const struct flow_check *fc, const char *upstream, const struct kdr_policy **policy)
{
	const struct kdr_topic_decl *decl = NULL;
	const struct plan_topic_after *topic = side_topic(&fc->source, upstream);

	*policy = declaring_policy(fc, fc->flow->source, upstream, &decl);
	if (topic && (!*policy || topic->partitions >= kdr_policy_topic_partitions(*policy, decl)))
		return topic->partitions; /* partitions only grow: a live count above the policy's stays */
	return *policy ? kdr_policy_topic_partitions(*policy, decl) : 0;
}

/* --- replication factors --- */

static void check_replication_factors(struct flow_check *fc, const char *connector)
{
	const struct kdr_flow *flow = fc->flow;
	size_t brokers = fc->target.live ? fc->target.live->n_brokers : 0;

	if (flow->internal_topics_replication_factor < flow->replication_factor)
		kdr_plan__add_note(
		    fc->ctx->plan, KDR_NOTE_WARNING, flow->target, connector,
		    "flow '%s': internalTopicsReplicationFactor %lld is below replicationFactor %lld: the "
		    "checkpoints and heartbeats topics on '%s' and the offset-syncs topic on '%s' are less "
		    "durable than the data they track; losing a broker can lose the offset translation a "
		    "failover needs",
		    flow->meta.name, (long long)flow->internal_topics_replication_factor,
		    (long long)flow->replication_factor, flow->target, flow->source);
	if (brokers && flow->replication_factor > (int64_t)brokers)
		kdr_plan__add_note(
		    fc->ctx->plan, KDR_NOTE_WARNING, flow->target, connector,
		    "flow '%s': replicationFactor %lld exceeds the %zu broker(s) of target cluster '%s': "
		    "MirrorMaker 2 cannot create the remote topics (INVALID_REPLICATION_FACTOR)",
		    flow->meta.name, (long long)flow->replication_factor, brokers, flow->target);
}

/* --- partitions of existing remote topics --- */

static void check_remote_partitions(struct flow_check *fc)
{
	const struct kdr_flow *flow = fc->flow;

	for (size_t i = 0; i < fc->source.n_topics; i++) {
		const struct plan_topic_after *topic = &fc->source.topics[i];
		const struct plan_topic_after *copy = NULL;
		const struct kdr_policy *policy = NULL;
		const struct kdr_topic_decl *decl = NULL;
		char *remote = NULL;

		if (topic->deleted || !kdr_mm2_replicates(fc->filter, topic->name, NULL))
			continue;
		remote = kdr_mm2_remote_topic(flow, topic->name);
		copy = side_topic(&fc->target, remote);
		if (copy && copy->partitions < topic->partitions) {
			policy = declaring_policy(fc, flow->target, remote, &decl);
			if (policy && kdr_policy_topic_partitions(policy, decl) < topic->partitions)
				kdr_plan__add_note(
				    fc->ctx->plan, KDR_NOTE_WARNING, flow->target, remote,
				    "remote topic '%s' has %lld partition(s) on '%s', its source '%s' on '%s' "
				    "has %lld: MirrorMaker 2 (flow '%s') will add partitions up to %lld, which "
				    "TopicPolicy '%s' (%lld partitions) does not declare: kdr will then report "
				    "a blocked partition decrease",
				    remote, (long long)copy->partitions, flow->target, topic->name, flow->source,
				    (long long)topic->partitions, flow->meta.name, (long long)topic->partitions,
				    kdr_plan__policy_name(policy),
				    (long long)kdr_policy_topic_partitions(policy, decl));
			else
				kdr_plan__add_note(
				    fc->ctx->plan, KDR_NOTE_WARNING, flow->target, remote,
				    "remote topic '%s' has %lld partition(s) on '%s', its source '%s' on '%s' "
				    "has %lld: MirrorMaker 2 (flow '%s') will add partitions up to %lld (records "
				    "keep their source partition)",
				    remote, (long long)copy->partitions, flow->target, topic->name, flow->source,
				    (long long)topic->partitions, flow->meta.name, (long long)topic->partitions);
		}
		free(remote);
	}
}

/* --- TopicPolicies on remote topics --- */

/*
 * What the source topic is meant to hold: the values its owner (the first
 * policy declaring it on the source) sends, as pkg/resolve merges them.
 */
static void source_config(struct kdr_strmap *out, const struct flow_check *fc, const char *upstream)
{
	const struct kdr_resolve_decl *owner = kdr_resolve_owner(fc->ctx->resolved, fc->flow->source, upstream);
	struct kdr_resolve_governor governor;
	struct kdr_resolve_topic rt;

	if (!owner)
		return;
	memset(&governor, 0, sizeof(governor));
	governor.policy = &fc->ctx->desired->policies[owner->policy];
	governor.decl = &governor.policy->topics[owner->index];
	governor.index = owner->index;
	kdr_resolve_topic_merge(&rt, upstream, &governor, 1);
	kdr_resolve_governor_config(out, &rt, 0);
	kdr_resolve_topic_release(&rt);
}

/* Keys of `config` MM2 would also write on the copy, and that differ from what the source is meant to have. */
static void fought_keys(struct kdr_strvec *out, const struct flow_check *fc, const struct kdr_strmap *config,
			const char *upstream, const struct kdr_strmap *source)
{
	const struct kdr_live_topic *live = fc->source.live ? kdr_live_topic_find(fc->source.live, upstream) : NULL;

	for (size_t k = 0; k < config->n; k++) {
		const char *key = config->v[k].key;
		const char *source_value = kdr_strmap_get(source, key);
		const struct kdr_live_config *override = NULL;

		if (kdr_regex_set_match(&fc->synced_exclude, key))
			continue;
		/* The source is meant to hold the same override: MM2 copies what kdr sets anyway. */
		if (source_value && kdr_resolve_config_equal(key, source_value, config->v[k].value))
			continue;
		if (!source_value && live && (override = kdr_live_topic_config_find(live, key)) != NULL &&
		    kdr_plan__config_is_override(override) && override->value &&
		    kdr_resolve_config_equal(key, override->value, config->v[k].value))
			continue;
		kdr_strvec_push(out, key);
	}
}

/* Governor `g` of remote topic `rt` (pkg/resolve's merge of its governors): the keys it sets that MM2 syncs. */
static void check_policy_config(struct flow_check *fc, const struct kdr_resolve_topic *rt, size_t g,
				const char *upstream, const struct kdr_strmap *source)
{
	const struct kdr_flow *flow = fc->flow;
	const struct kdr_policy *policy = rt->governors[g].policy;
	const char *name = rt->name;
	struct kdr_strmap config = KDR_STRMAP_INIT;
	struct kdr_strvec keys = KDR_STRVEC_INIT;
	char *list = NULL;

	kdr_resolve_governor_config(&config, rt, g);
	fought_keys(&keys, fc, &config, upstream, source);
	if (keys.n) {
		list = kdr_strvec_join(&keys, ", ");
		kdr_plan__add_note(
		    fc->ctx->plan, KDR_NOTE_WARNING, flow->target, name,
		    "TopicPolicy '%s' %s %s on '%s', the remote topic of '%s' on '%s' whose configs flow '%s' "
		    "syncs (syncTopicConfigs: true): the two would fight, MirrorMaker 2 copying the source's "
		    "values and kdr setting the policy's back; set syncTopicConfigs: false on the flow or "
		    "stop declaring these keys for the remote topic",
		    kdr_plan__policy_name(policy), rt->governors[g].decl ? "declares" : "(by its match) sets", list,
		    name, upstream,
		    flow->source, flow->meta.name);
	}
	if (policy->config_prune)
		kdr_plan__add_note(
		    fc->ctx->plan, KDR_NOTE_WARNING, flow->target, name,
		    "TopicPolicy '%s' has configPrune: true for '%s', the remote topic of '%s' on '%s' whose "
		    "configs flow '%s' syncs (syncTopicConfigs: true): kdr would remove every override "
		    "MirrorMaker 2 copies, and MirrorMaker 2 would copy them back",
		    kdr_plan__policy_name(policy), name, upstream, flow->source, flow->meta.name);
	free(list);
	kdr_strvec_release(&keys);
	kdr_strmap_release(&config);
}

static void check_declared_partitions(struct flow_check *fc, const struct kdr_policy *policy,
				      const struct kdr_topic_decl *decl, const char *upstream)
{
	const struct kdr_flow *flow = fc->flow;
	const struct kdr_policy *source_policy = NULL;
	int64_t want = kdr_policy_topic_partitions(policy, decl);
	int64_t source = source_partitions(fc, upstream, &source_policy);
	struct kdr_buf from = KDR_BUF_INIT;

	if (source <= 0 || want == source)
		return;
	if (source_policy)
		kdr_buf_printf(&from, ", TopicPolicy '%s'", kdr_plan__policy_name(source_policy));
	kdr_plan__add_note(
	    fc->ctx->plan, KDR_NOTE_WARNING, flow->target, decl->name,
	    "TopicPolicy '%s' declares '%s' on '%s' with %lld partition(s), but it is the remote topic of "
	    "'%s' on '%s' (%lld partition(s)%s) replicated by flow '%s': %s",
	    kdr_plan__policy_name(policy), decl->name, flow->target, (long long)want, upstream, flow->source,
	    (long long)source, from.ptr, flow->meta.name,
	    want < source ? "MirrorMaker 2 adds partitions up to the source's count (records keep their "
			    "source partition), and kdr then reports a blocked partition decrease"
			  : "the partitions beyond the source's count never receive replicated records "
			    "(records keep their source partition)");
	kdr_buf_release(&from);
}

/* Each governor of remote topic `name` (merged once) against what MM2 syncs from `upstream`. */
static void check_governors(struct flow_check *fc, const char *name, const struct kdr_resolve_governor *governors,
			    size_t n, const char *upstream)
{
	struct kdr_strmap source = KDR_STRMAP_INIT;
	struct kdr_resolve_topic rt;

	source_config(&source, fc, upstream);
	kdr_resolve_topic_merge(&rt, name, governors, n);
	for (size_t g = 0; g < rt.n_governors; g++)
		check_policy_config(fc, &rt, g, upstream, &source);
	kdr_resolve_topic_release(&rt);
	kdr_strmap_release(&source);
}

/*
 * The target's topics no policy declares there and some `match` governs
 * (a pruning policy's match only scopes deletions): each governing policy's
 * keys, as the plan governed them (kdr_plan__matched_of), not matched again.
 */
static void check_matched_configs(struct flow_check *fc)
{
	const struct plan_matched *pm = kdr_plan__matched_of(fc->ctx, fc->flow->target);

	for (size_t t = 0; pm && t < pm->n; t++) {
		const struct plan_matched_topic *mt = &pm->topics[t];
		char *upstream = NULL;

		if (!side_topic(&fc->target, mt->name) || (upstream = upstream_of(fc, mt->name)) == NULL)
			continue;
		check_governors(fc, mt->name, mt->governors, mt->n_governors, upstream);
		free(upstream);
	}
}

/*
 * The remote topics declared on the target: the owner's partitions (the
 * first of a topic's declarations, in document order), each declaring
 * policy's keys; then the matched ones.
 */
static void check_policies(struct flow_check *fc)
{
	const struct kdr_resolved *resolved = fc->ctx->resolved;
	size_t first = 0, n = kdr_resolve_decls_of(resolved, fc->flow->target, &first);
	struct kdr_resolve_governor *governors = kdr_calloc(n + 1, sizeof(*governors));

	for (size_t i = first, j = first; i < first + n; i = j) {
		const char *name = resolved->decls[i].topic;
		char *upstream = upstream_of(fc, name);
		size_t n_governors = 0;

		for (j = i; j < first + n && strcmp(resolved->decls[j].topic, name) == 0; j++) {
			const struct kdr_policy *policy = &fc->ctx->desired->policies[resolved->decls[j].policy];

			governors[n_governors].policy = policy;
			governors[n_governors].decl = &policy->topics[resolved->decls[j].index];
			governors[n_governors++].index = resolved->decls[j].index;
		}
		if (!upstream)
			continue;
		check_declared_partitions(fc, governors[0].policy, governors[0].decl, upstream);
		if (fc->flow->sync_topic_configs)
			check_governors(fc, name, governors, n_governors, upstream);
		free(upstream);
	}
	free(governors);
	if (fc->flow->sync_topic_configs)
		check_matched_configs(fc);
}

static void check_flow(struct plan_ctx *ctx, const struct kdr_flow *flow)
{
	struct flow_check fc;
	const char *exclude = kdr_strmap_get(&flow->connector_config, "config.properties.exclude");
	char *connector = NULL;

	memset(&fc, 0, sizeof(fc));
	fc.ctx = ctx;
	fc.flow = flow;
	/* A filter or exclusion list that does not compile is reported by the preview. */
	fc.filter = &ctx->flows[flow - ctx->desired->flows].mm2;
	if (ctx->flows[flow - ctx->desired->flows].mm2_error ||
	    kdr_mm2_compile_list(&fc.synced_exclude, exclude ? exclude : KDR_MM2_DEFAULT_CONFIG_PROPERTIES_EXCLUDE,
				 "config.properties.exclude") != 0)
		goto cleanup;
	side_init(&fc.source, ctx->plan, kdr_live_cluster_find(ctx->live, flow->source));
	side_init(&fc.target, ctx->plan, kdr_live_cluster_find(ctx->live, flow->target));
	connector = kdr_asprintf("%s%s.%s", KDR_MM2_OWNED_PREFIX, flow->meta.name, kdr_mm2_role_name(KDR_MM2_SOURCE));
	check_replication_factors(&fc, connector);
	if (fc.source.live && fc.target.live)
		check_remote_partitions(&fc);
	check_policies(&fc);
cleanup:
	free(connector);
	free(fc.source.topics);
	free(fc.target.topics);
	kdr_regex_set_release(&fc.synced_exclude);
}

void kdr_plan__cross_checks(struct plan_ctx *ctx, const struct kdr_plan_options *options)
{
	for (size_t i = 0; i < ctx->desired->n_flows; i++) {
		const struct kdr_flow *flow = &ctx->desired->flows[i];

		if (!flow->meta.name || !flow->source || !flow->target ||
		    !kdr_plan__cluster_selected(options, flow->target))
			continue;
		check_flow(ctx, flow);
	}
}
