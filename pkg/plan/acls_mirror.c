/*
 * DR consistency of ACLs. After a failover the consumers of a flow's source
 * read the remote topics on the target and commit as the same groups there
 * (MirrorCheckpointConnector translates the offsets into the same group
 * ids). So, for each flow into a cluster, every principal ALLOWed READ or
 * DESCRIBE (or ALL) on a source topic the flow mirrors, or on a group it
 * checkpoints, should hold the same on the target:
 *
 *   topic literal T      -> topic literal <remote T>, when MM2 replicates T
 *   topic literal '*'    -> default policy: topic prefixed "<source><sep>";
 *                           identity: topic literal '*'
 *   topic prefixed P     -> topic prefixed <remote P>, when the source has a
 *                           topic starting with P that MM2 replicates
 *   group literal G, '*' or prefixed P -> the same, when checkpoints are on
 *                           and the group filter accepts G (or P itself)
 *
 * The source's grants are those its AccessPolicies declare and those it has
 * live (all principals: a failover does not care who manages a grant).
 * A grant is held when a binding on the target (declared or live) allows it
 * (ALL, or an operation that implies it) for the principal or User:*, on a
 * pattern covering the resource, from any host or the same, and no deny
 * covers it.
 *
 * How this combines with MM2's own ACL sync (syncTopicAcls: true): MM2
 * (MirrorSourceConnector.syncTopicAcls) copies every LITERAL TOPIC binding
 * of a replicated topic to its remote name, except ALLOW WRITE, with ALLOW
 * ALL downgraded to ALLOW READ, every 10 minutes, and never deletes any. kdr
 * does not plan those (MM2 writes them), tolerates them (never deletes them,
 * even for a principal a policy owns on the target) and only checks what
 * MM2 does not sync: prefixed and wildcard topic grants and group grants.
 */
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/buf.h"

/*
 * Whether the flow's checkpoints carry `group`: MM2's group filter (an empty
 * spec.groups accepts none, mm2.h).
 */
static bool group_filter_accepts(const struct kdr_resolve_flow_filters *filters, const char *group)
{
	return filters->groups_ok && kdr_mm2_group_filter_match(&filters->groups, group);
}

static bool is_wildcard(const struct kdr_acl *acl)
{
	return acl->pattern == KDR_ACL_LITERAL && acl->resource_name && strcmp(acl->resource_name, "*") == 0;
}

/* Whether binding `b`'s resource pattern covers all of `w`'s (same type assumed). */
static bool pattern_covers(const struct kdr_acl *b, const struct kdr_acl *w)
{
	if (is_wildcard(b))
		return true;
	if (b->pattern == KDR_ACL_LITERAL)
		return w->pattern == KDR_ACL_LITERAL && strcmp(b->resource_name, w->resource_name) == 0;
	if (is_wildcard(w))
		return false;
	return strncmp(w->resource_name, b->resource_name, strlen(b->resource_name)) == 0;
}

static bool binding_applies(const struct kdr_acl *b, const struct kdr_acl *w)
{
	if (!b->principal || !b->resource_name || b->resource_type != w->resource_type)
		return false;
	if (strcmp(b->principal, w->principal) != 0 && strcmp(b->principal, "User:*") != 0)
		return false;
	if (b->host && strcmp(b->host, "*") != 0 && strcmp(b->host, w->host) != 0)
		return false;
	return pattern_covers(b, w);
}

/* Whether `set` allows `w` (and denies none of it). */
static bool set_allows(const struct kdr_acl_list *set, const struct kdr_acl *w, bool *denied)
{
	bool allowed = false;

	for (size_t i = 0; i < set->n; i++) {
		const struct kdr_acl *b = &set->v[i];

		if (!binding_applies(b, w))
			continue;
		if (b->permission == KDR_ACL_DENY && kdr_acl_operation_covers(b->operation, w->operation, false))
			*denied = true;
		else if (b->permission == KDR_ACL_ALLOW && kdr_acl_operation_covers(b->operation, w->operation, true))
			allowed = true;
	}
	return allowed;
}

static bool target_holds(const struct kdr_acl_list *desired, const struct kdr_live_cluster *live,
			 const struct kdr_acl *w, bool *denied)
{
	bool allowed = set_allows(desired, w, denied);

	if (live && live->acls_read && set_allows(&live->acls, w, denied))
		allowed = true;
	return allowed && !*denied;
}

/*
 * Whether the source has a topic starting with `prefix` that the flow
 * replicates, once this plan's topic actions are done (so that the plan
 * that creates the topic also plans the grant: the next plan stays empty).
 */
static bool prefix_replicated(const struct kdr_mm2_topic_filter *filter, const struct plan_topic_after *topics,
			      size_t n, const char *prefix)
{
	for (size_t i = 0; i < n; i++)
		if (!topics[i].deleted && strncmp(topics[i].name, prefix, strlen(prefix)) == 0 &&
		    kdr_mm2_replicates(filter, topics[i].name, NULL))
			return true;
	return false;
}

/*
 * The target binding `s` (a source grant) maps to, with its resource name in
 * *name_out (heap); false when the flow does not carry the resource.
 */
static bool remote_of(char **name_out, enum kdr_acl_pattern *pattern_out, const struct kdr_flow *flow,
		      const struct kdr_mm2_topic_filter *filter, const struct kdr_resolve_flow_filters *filters,
		      const struct plan_topic_after *topics, size_t n_topics, const struct kdr_acl *s)
{
	*name_out = NULL;
	*pattern_out = s->pattern;
	if (s->resource_type == KDR_ACL_GROUP) {
		if (!flow->checkpoints_enabled)
			return false;
		if (!is_wildcard(s) && !group_filter_accepts(filters, s->resource_name))
			return false;
		*name_out = kdr_strdup(s->resource_name);
		return true;
	}
	if (is_wildcard(s)) {
		if (flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY) {
			*name_out = kdr_strdup("*");
		} else {
			*name_out = kdr_asprintf("%s%s", flow->source, flow->separator ? flow->separator : ".");
			*pattern_out = KDR_ACL_PREFIXED;
		}
		return true;
	}
	if (s->pattern == KDR_ACL_LITERAL && !kdr_mm2_replicates(filter, s->resource_name, NULL))
		return false;
	if (s->pattern == KDR_ACL_PREFIXED && !prefix_replicated(filter, topics, n_topics, s->resource_name))
		return false;
	*name_out = kdr_mm2_remote_topic(flow, s->resource_name);
	return *name_out != NULL;
}

/* The source's grants: declared by its policies, and live when read. Sorted. */
static void source_grants(struct kdr_acl_list *out, const struct kdr_desired *desired, const char *source,
			  const struct kdr_live_cluster *live)
{
	for (size_t p = 0; p < desired->n_access_policies; p++) {
		const struct kdr_access_policy *policy = &desired->access_policies[p];

		if (!kdr_access_policy_on(policy, source))
			continue;
		for (size_t g = 0; g < policy->n_grants; g++)
			kdr_access_policy_bindings(out, policy, g);
	}
	for (size_t i = 0; live && live->acls_read && i < live->acls.n; i++)
		kdr_acl_list_push(out, &live->acls.v[i]);
	kdr_acl_list_sort(out);
}

/* What MM2's syncTopicAcls writes on the target for source binding `s`, or false. */
static bool mm2_synced(struct kdr_acl *out, const struct kdr_flow *flow, const struct kdr_mm2_topic_filter *filter,
		       const struct kdr_acl *s)
{
	if (!flow->sync_topic_acls || s->resource_type != KDR_ACL_TOPIC || s->pattern != KDR_ACL_LITERAL)
		return false;
	if (s->permission == KDR_ACL_ALLOW && s->operation == KDR_ACL_OP_WRITE)
		return false;
	if (!kdr_mm2_replicates(filter, s->resource_name, NULL))
		return false;
	kdr_acl_copy(out, s);
	free(out->resource_name);
	out->resource_name = kdr_mm2_remote_topic(flow, s->resource_name);
	if (s->permission == KDR_ACL_ALLOW && s->operation == KDR_ACL_OP_ALL)
		out->operation = KDR_ACL_OP_READ;
	return out->resource_name != NULL;
}

static void mirror_flow(struct plan_ctx *ctx, const struct kdr_flow *flow, const struct kdr_acl_list *target_desired,
			const struct kdr_live_cluster *target_live, struct kdr_acl_list *wanted,
			struct kdr_strvec *reasons, struct kdr_acl_list *tolerated)
{
	const struct kdr_live_cluster *source = kdr_live_cluster_find(ctx->live, flow->source);
	const char *name = flow->meta.name ? flow->meta.name : "?";
	const struct kdr_resolve_flow_filters *filters = &ctx->flows[flow - ctx->desired->flows];
	const struct kdr_mm2_topic_filter *filter = &filters->mm2;
	struct kdr_acl_list grants = { 0 };
	struct plan_topic_after *topics = NULL;
	size_t n_topics = 0;
	bool unchecked = false;

	if (filters->mm2_error)
		return;
	source_grants(&grants, ctx->desired, flow->source, source);
	if (source)
		kdr_plan__topics_after(&topics, &n_topics, ctx->plan, source);
	for (size_t i = 0; i < grants.n; i++) {
		const struct kdr_acl *s = &grants.v[i];
		static const enum kdr_acl_operation wanted_ops[] = { KDR_ACL_OP_READ, KDR_ACL_OP_DESCRIBE };
		struct kdr_acl synced = { 0 };
		enum kdr_acl_pattern pattern = KDR_ACL_LITERAL;
		char *remote = NULL;

		if (mm2_synced(&synced, flow, filter, s)) {
			kdr_acl_list_push(tolerated, &synced);
			kdr_acl_release(&synced);
			continue; /* MM2 writes it */
		}
		if (s->permission != KDR_ACL_ALLOW || !s->principal || !s->resource_name)
			continue;
		if (s->resource_type != KDR_ACL_TOPIC && s->resource_type != KDR_ACL_GROUP)
			continue;
		if (s->operation != KDR_ACL_OP_READ && s->operation != KDR_ACL_OP_DESCRIBE && s->operation != KDR_ACL_OP_ALL)
			continue;
		if (!remote_of(&remote, &pattern, flow, filter, filters, topics, n_topics, s))
			continue;
		for (size_t o = 0; o < sizeof(wanted_ops) / sizeof(wanted_ops[0]); o++) {
			struct kdr_acl w = { s->resource_type, remote, pattern, s->principal,
					     s->host ? s->host : (char *)"*", wanted_ops[o], KDR_ACL_ALLOW };
			bool denied = false;
			char *text = NULL;

			/* ALL stands for both; READ or DESCRIBE only for itself. */
			if (s->operation != KDR_ACL_OP_ALL && s->operation != wanted_ops[o])
				continue;
			if (target_holds(target_desired, target_live, &w, &denied)) {
				/* Held (maybe by this very binding, made by an earlier apply): never delete it. */
				if (flow->mirror_acls)
					kdr_acl_list_push(tolerated, &w);
				continue;
			}
			if (!target_live->acls_read && !flow->mirror_acls) {
				unchecked = true;
				continue;
			}
			text = kdr_acl_to_string(s);
			if (flow->mirror_acls && !denied) {
				kdr_acl_list_push(wanted, &w);
				kdr_strvec_push_take(reasons,
						     kdr_asprintf("mirrors '%s' of %s (flow %s, mirrorAcls)", text,
								  flow->source, name));
			} else {
				kdr_plan__add_note(
				    ctx->plan, KDR_NOTE_WARNING, flow->target, remote,
				    "principal '%s' may %s %s '%s' on %s but %s %s '%s' here (flow %s): after "
				    "a failover it would get %s; grant it in an AccessPolicy%s",
				    s->principal, kdr_acl_operation_name(wanted_ops[o]),
				    kdr_acl_resource_type_name(s->resource_type), s->resource_name, flow->source,
				    denied ? "is denied" : "may not", kdr_acl_resource_type_name(s->resource_type),
				    remote, name,
				    s->resource_type == KDR_ACL_TOPIC ? "TOPIC_AUTHORIZATION_FAILED"
								      : "GROUP_AUTHORIZATION_FAILED",
				    denied ? " and lift the deny" : " or set mirrorAcls: true on the flow");
			}
			free(text);
		}
		free(remote);
	}
	if (unchecked)
		kdr_plan__add_note(ctx->plan, KDR_NOTE_INFO, flow->target, NULL,
				   "the ACLs of %s were not read: flow %s's grants from %s are not checked there",
				   flow->target, name, flow->source);
	free(topics);
	kdr_acl_list_release(&grants);
}

void kdr_plan__acl_mirrors(struct plan_ctx *ctx, const char *target, const struct kdr_acl_list *target_desired,
			   const struct kdr_live_cluster *target_live, struct kdr_acl_list *wanted,
			   struct kdr_strvec *wanted_flows, struct kdr_acl_list *tolerated)
{
	for (size_t i = 0; i < ctx->desired->n_flows; i++) {
		const struct kdr_flow *flow = &ctx->desired->flows[i];

		if (!flow->target || !flow->source || strcmp(flow->target, target) != 0)
			continue;
		mirror_flow(ctx, flow, target_desired, target_live, wanted, wanted_flows, tolerated);
	}
}

/* Whether the source grant `s` lets its principal read consumer group `group`. */
static bool reads_group(const struct kdr_acl *s, const char *group)
{
	return s->permission == KDR_ACL_ALLOW && s->resource_type == KDR_ACL_GROUP && s->principal &&
	       kdr_acl_operation_covers(s->operation, KDR_ACL_OP_READ, true) && kdr_acl_pattern_matches(s, group);
}

void kdr_plan_acl_lockouts(struct kdr_strvec *out, const struct kdr_desired *desired, const struct kdr_live *live,
			   const struct kdr_flow *flow, const char *group, const char *const *topics, size_t n_topics)
{
	const struct kdr_live_cluster *source = kdr_live_cluster_find(live, flow->source);
	const struct kdr_live_cluster *target = kdr_live_cluster_find(live, flow->target);
	struct kdr_acl_list grants = { 0 }, none = { 0 };
	struct kdr_strvec principals = KDR_STRVEC_INIT;

	if (!target)
		return;
	if (!target->acls_read) {
		/* No authorizer: nobody can be locked out. */
		if (!target->acls_no_authorizer)
			kdr_strvec_push_take(out, kdr_asprintf("group '%s': the ACLs of '%s' could not be read (%s): "
							       "who can read the group there is not checked",
							       group, flow->target,
							       target->acls_error ? target->acls_error : "not read"));
		return;
	}
	source_grants(&grants, desired, flow->source, source);
	for (size_t i = 0; i < grants.n; i++)
		if (reads_group(&grants.v[i], group) && !kdr_strvec_contains(&principals, grants.v[i].principal))
			kdr_strvec_push(&principals, grants.v[i].principal);
	for (size_t p = 0; p < principals.n; p++) {
		struct kdr_acl w = { KDR_ACL_GROUP, (char *)group, KDR_ACL_LITERAL, principals.v[p], (char *)"*",
				     KDR_ACL_OP_READ, KDR_ACL_ALLOW };
		bool denied = false;

		if (!target_holds(&none, target, &w, &denied))
			kdr_strvec_push_take(out, kdr_asprintf("principal '%s' reads group '%s' on %s but %s group "
							       "'%s' on %s: its consumers would get "
							       "GROUP_AUTHORIZATION_FAILED after the failover",
							       principals.v[p], group, flow->source,
							       denied ? "is denied" : "may not read", group, flow->target));
		for (size_t t = 0; t < n_topics; t++) {
			bool seen = false;

			for (size_t e = 0; e < t && !seen; e++)
				seen = strcmp(topics[e], topics[t]) == 0;
			w.resource_type = KDR_ACL_TOPIC;
			w.resource_name = (char *)topics[t];
			denied = false;
			if (seen || target_holds(&none, target, &w, &denied))
				continue;
			kdr_strvec_push_take(out, kdr_asprintf("principal '%s' reads group '%s' on %s but %s topic "
							       "'%s' on %s: its consumers would get "
							       "TOPIC_AUTHORIZATION_FAILED after the failover",
							       principals.v[p], group, flow->source,
							       denied ? "is denied" : "may not read", topics[t],
							       flow->target));
		}
	}
	kdr_strvec_release(&principals);
	kdr_acl_list_release(&grants);
}
