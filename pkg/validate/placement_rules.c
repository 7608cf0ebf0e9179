/*
 * Placement rules that need no live state: static assignments are complete
 * and well-formed, the DC-aware options have datacenters to work with, and a
 * policy that requires surviving the loss of a datacenter asks for something
 * some placement can actually deliver.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/sort.h"
#include "validate/validate_internal.h"

/* The policy's assignment of `topic` (model contract: sorted by topic), or NULL. */
static const struct kdr_static_assignment *find_assignment(const struct kdr_policy *policy, const char *topic)
{
	long at =
	    kdr_sort_locate_named(policy->assignments, policy->n_assignments, sizeof(*policy->assignments), topic);

	return at >= 0 ? &policy->assignments[at] : NULL;
}

static void check_replica_list(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy, const char *topic,
			       size_t partition, const struct kdr_replica_list *list, int64_t rf)
{
	char *path = kdr_asprintf("spec.placement.assignments.%s[%zu]", topic, partition);

	if ((int64_t)list->n != rf)
		kdr_validate__report(
		    ctx, KDR_SEV_ERROR, &policy->meta, path,
		    "partition %zu of topic '%s' lists %zu replica%s, but its replication factor is %lld", partition,
		    topic, list->n, list->n == 1 ? "" : "s", (long long)rf);
	for (size_t r = 0; r < list->n; r++) {
		bool repeated = false;

		for (size_t q = 0; q < r && !repeated; q++)
			repeated = list->ids[q] == list->ids[r];
		if (list->ids[r] < 0)
			kdr_validate__report(
			    ctx, KDR_SEV_ERROR, &policy->meta, path,
			    "partition %zu of topic '%s': broker id %d is negative; broker ids are >= 0", partition,
			    topic, (int)list->ids[r]);
		else if (repeated)
			kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
					     "partition %zu of topic '%s' lists broker %d twice; replicas must be on "
					     "distinct brokers",
					     partition, topic, (int)list->ids[r]);
	}
	free(path);
}

static void check_static(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy)
{
	const char **names = NULL;
	size_t n_names = 0;

	if (policy->strategy != KDR_PLACEMENT_STATIC) {
		if (policy->n_assignments)
			kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, "spec.placement.assignments",
					     "given with strategy '%s'; assignments are only used with strategy static",
					     kdr_placement_strategy_name(policy->strategy));
		if (policy->has_fallback)
			kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, "spec.placement.fallback",
					     "given with strategy '%s'; a fallback is only used with strategy static",
					     kdr_placement_strategy_name(policy->strategy));
		return;
	}
	if (policy->n_topics)
		names = kdr_calloc(policy->n_topics, sizeof(*names));
	for (size_t t = 0; t < policy->n_topics; t++) {
		const char *topic = policy->topics[t].name;

		if (!topic || kdr_validate__find_topic(ctx, policy, topic) != (long)t)
			continue;
		names[n_names++] = topic;
		if (!find_assignment(policy, topic))
			kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, "spec.placement.assignments",
					     "no assignment for topic '%s'; strategy static needs one replica list per "
					     "partition for every topic in spec.topics",
					     topic);
	}
	for (size_t a = 0; a < policy->n_assignments; a++) {
		const struct kdr_static_assignment *sa = &policy->assignments[a];
		long t = kdr_validate__find_topic(ctx, policy, sa->topic);
		char *path = NULL;
		int64_t partitions = 0;

		path = kdr_asprintf("spec.placement.assignments.%s", sa->topic);
		if (t < 0) {
			const char *suggestion = kdr_did_you_mean(sa->topic, names, n_names);

			kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
					     "topic '%s' is not in spec.topics%s%s%s", sa->topic,
					     suggestion ? " (did you mean '" : "", suggestion ? suggestion : "",
					     suggestion ? "'?)" : "");
			free(path);
			continue;
		}
		partitions = kdr_policy_topic_partitions(policy, &policy->topics[(size_t)t]);
		if ((int64_t)sa->assignment.n != partitions)
			kdr_validate__report(
			    ctx, KDR_SEV_ERROR, &policy->meta, path,
			    "topic '%s' has %lld partition%s but %zu replica list%s given; give one list "
			    "per partition",
			    sa->topic, (long long)partitions, partitions == 1 ? "" : "s", sa->assignment.n,
			    sa->assignment.n == 1 ? " is" : "s are");
		for (size_t p = 0; p < sa->assignment.n; p++)
			check_replica_list(ctx, policy, sa->topic, p, &sa->assignment.partitions[p],
					   kdr_policy_topic_replication_factor(policy, &policy->topics[(size_t)t]));
		free(path);
	}
	free(names);
}

static char *datacenter_list(const struct kdr_cluster *cl)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (size_t d = 0; d < cl->n_datacenters; d++)
		kdr_buf_printf(&buf, "%s'%s'", d ? ", " : "", cl->datacenters[d].name);
	return kdr_buf_detach(&buf);
}

/*
 * The policy's c-th cluster when it is defined and this is its first mention,
 * else NULL: each cluster is judged once, and an undefined one is reported elsewhere.
 */
static const struct kdr_cluster *policy_cluster(const struct kdr_validate_ctx *ctx, const struct kdr_policy *policy,
						size_t c)
{
	const struct kdr_cluster *cl = kdr_validate__cluster(ctx, policy->clusters.v[c], NULL);

	return cl && kdr_strvec_find(&policy->clusters, policy->clusters.v[c]) == (long)c ? cl : NULL;
}

/*
 * Reports, at `path`, each defined cluster of the policy with fewer than
 * `min` datacenters, naming `what` needs them. Returns whether all had enough.
 */
static bool check_datacenters_present(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy,
				      const char *path, const char *what, size_t min)
{
	bool ok = true;

	for (size_t c = 0; c < policy->clusters.n; c++) {
		const struct kdr_cluster *cl = policy_cluster(ctx, policy, c);

		if (!cl)
			continue;
		if (cl->n_datacenters == 0) {
			kdr_validate__report(
			    ctx, KDR_SEV_ERROR, &policy->meta, path,
			    "%s needs datacenters on every cluster of the policy, but cluster '%s' has no "
			    "spec.datacenters",
			    what, cl->meta.name);
			ok = false;
		} else if (cl->n_datacenters < min) {
			char *list = datacenter_list(cl);

			kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
					     "%s needs at least %zu datacenters, but cluster '%s' has %zu (%s)", what,
					     min, cl->meta.name, cl->n_datacenters, list);
			free(list);
			ok = false;
		}
	}
	return ok;
}

static void check_preferred_leader(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy)
{
	const char *dc = policy->preferred_leader_datacenter;
	const char *path = "spec.placement.preferredLeaderDatacenter";

	if (!dc)
		return;
	for (size_t c = 0; c < policy->clusters.n; c++) {
		const struct kdr_cluster *cl = policy_cluster(ctx, policy, c);
		const char **names = NULL;
		const char *suggestion = NULL;
		char *list = NULL;
		bool found = false;

		if (!cl)
			continue;
		if (cl->n_datacenters == 0) {
			kdr_validate__report(
			    ctx, KDR_SEV_ERROR, &policy->meta, path,
			    "datacenter '%s' is not defined on cluster '%s', which has no spec.datacenters; "
			    "preferredLeaderDatacenter needs datacenters on every cluster of the policy",
			    dc, cl->meta.name);
			continue;
		}
		names = kdr_calloc(cl->n_datacenters, sizeof(*names));
		for (size_t d = 0; d < cl->n_datacenters; d++) {
			names[d] = cl->datacenters[d].name;
			found = found || strcmp(names[d], dc) == 0;
		}
		if (!found) {
			suggestion = kdr_did_you_mean(dc, names, cl->n_datacenters);
			list = datacenter_list(cl);
			kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
					     "'%s' is not a datacenter of cluster '%s' (datacenters: %s)%s%s%s", dc,
					     cl->meta.name, list, suggestion ? " (did you mean '" : "",
					     suggestion ? suggestion : "", suggestion ? "'?)" : "");
			free(list);
		}
		free(names);
	}
}

/* A config value as a non-negative integer, or -1. */
static int64_t config_int(const char *value)
{
	char *end = NULL;
	long long v = 0;

	if (!value || !*value)
		return -1;
	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno || *end || v < 0)
		return -1;
	return (int64_t)v;
}

/*
 * With replicas spread as evenly as possible over `dcs` datacenters, losing
 * the fullest one leaves rf - ceil(rf / dcs) replicas; fewer than
 * min.insync.replicas means acks=all writes stop whatever the placement.
 */
static void check_survival_numbers(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy,
				   const struct kdr_cluster *cl, const char *path, const char *subject, int64_t rf,
				   int64_t min_isr)
{
	int64_t dcs = (int64_t)cl->n_datacenters;
	int64_t left = 0;

	if (rf < 1 || min_isr < 1 || dcs < 1)
		return;
	left = rf - (rf + dcs - 1) / dcs;
	if (left >= min_isr)
		return;
	kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
			     "%s on cluster '%s': replication factor %lld over %lld datacenter%s leaves %lld replica%s "
			     "after losing one, fewer than min.insync.replicas %lld, so acks=all writes would stop; "
			     "raise the replication factor or lower min.insync.replicas",
			     subject, cl->meta.name, (long long)rf, (long long)dcs, dcs == 1 ? "" : "s",
			     (long long)left, left == 1 ? "" : "s", (long long)min_isr);
}

static void check_dc_loss_survival(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy)
{
	const char *path = "spec.placement.requireDcLossSurvival";
	int64_t policy_min_isr = config_int(kdr_strmap_get(&policy->config, "min.insync.replicas"));

	bool inherits = policy->n_topics == 0 || policy->match;

	if (!policy->require_dc_loss_survival)
		return;
	/* The policy-level numbers matter only if some topic uses both of them. */
	for (size_t t = 0; t < policy->n_topics && !inherits; t++)
		inherits = !policy->topics[t].replication_factor &&
			   !kdr_strmap_has(&policy->topics[t].config, "min.insync.replicas");
	if (!check_datacenters_present(ctx, policy, path, "requireDcLossSurvival", 2))
		return;
	for (size_t c = 0; c < policy->clusters.n; c++) {
		const struct kdr_cluster *cl = policy_cluster(ctx, policy, c);

		if (!cl)
			continue;
		if (inherits)
			check_survival_numbers(ctx, policy, cl, path, "the policy's topics",
					       policy->replication_factor, policy_min_isr);
		/* Topics that override RF or min.insync.replicas are judged on their own numbers. */
		for (size_t t = 0; t < policy->n_topics; t++) {
			const struct kdr_topic_decl *topic = &policy->topics[t];
			const char *own_isr = kdr_strmap_get(&topic->config, "min.insync.replicas");
			char *topic_path = NULL;
			char *subject = NULL;

			if (!topic->name || (!topic->replication_factor && !own_isr))
				continue;
			topic_path = kdr_asprintf("spec.topics[%zu]", t);
			subject = kdr_asprintf("topic '%s'", topic->name);
			check_survival_numbers(ctx, policy, cl, topic_path, subject,
					       kdr_policy_topic_replication_factor(policy, &policy->topics[t]),
					       own_isr ? config_int(own_isr) : policy_min_isr);
			free(subject);
			free(topic_path);
		}
	}
}

static void check_cross_dc(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy)
{
	if (policy->strategy != KDR_PLACEMENT_CROSS_DC)
		return;
	check_datacenters_present(ctx, policy, "spec.placement.strategy", "strategy cross-dc", 2);
	if (policy->replication_factor == 1)
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, "spec.replicationFactor",
				     "found 1; strategy cross-dc needs at least 2 replicas to span datacenters");
	for (size_t t = 0; t < policy->n_topics; t++) {
		char *path = NULL;

		if (policy->topics[t].replication_factor != 1)
			continue;
		path = kdr_asprintf("spec.topics[%zu].replicationFactor", t);
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
				     "found 1; strategy cross-dc needs at least 2 replicas to span datacenters");
		free(path);
	}
}

void kdr_validate__check_placement(struct kdr_validate_ctx *ctx)
{
	for (size_t i = 0; i < ctx->desired->n_policies; i++) {
		const struct kdr_policy *policy = &ctx->desired->policies[i];

		check_static(ctx, policy);
		check_cross_dc(ctx, policy);
		check_preferred_leader(ctx, policy);
		check_dc_loss_survival(ctx, policy);
	}
}
