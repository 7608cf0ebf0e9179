/*
 * ACLs (AccessPolicy): per planned cluster, the bindings the policies on it
 * declare (one per operation) plus the grants the flows into it mirror
 * (acls_mirror.c), against the live bindings (one DescribeAcls). Missing
 * ones become create-acl actions (safe; disruptive for a deny, which can
 * lock a principal out). Kafka ACLs carry no owner, so ownership is by
 * principal: a policy owns every binding of the principals it declares on
 * its clusters, and an owned binding nobody declares becomes a delete-acl
 * (destructive) under --allow-delete, a warning otherwise. Bindings of other
 * principals are unmanaged: counted in an info note, never touched. The
 * bindings MM2 writes itself (syncTopicAcls) are tolerated, never deleted.
 */
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/buf.h"

/* The bindings of every AccessPolicy on `cluster`, sorted, without duplicates. */
static void desired_bindings(struct kdr_acl_list *out, const struct kdr_desired *desired, const char *cluster)
{
	for (size_t p = 0; p < desired->n_access_policies; p++) {
		const struct kdr_access_policy *policy = &desired->access_policies[p];

		if (!kdr_access_policy_on(policy, cluster))
			continue;
		for (size_t g = 0; g < policy->n_grants; g++)
			kdr_access_policy_bindings(out, policy, g);
	}
	kdr_acl_list_sort(out);
}

/* The first policy on `cluster` that declares `acl` (lent), or NULL. */
static const char *declaring_policy(const struct kdr_desired *desired, const char *cluster, const struct kdr_acl *acl)
{
	for (size_t p = 0; p < desired->n_access_policies; p++) {
		const struct kdr_access_policy *policy = &desired->access_policies[p];
		struct kdr_acl_list bindings = { 0 };
		bool found = false;

		if (!kdr_access_policy_on(policy, cluster))
			continue;
		for (size_t g = 0; g < policy->n_grants; g++)
			kdr_access_policy_bindings(&bindings, policy, g);
		for (size_t i = 0; i < bindings.n && !found; i++)
			found = kdr_acl_compare(&bindings.v[i], acl) == 0;
		kdr_acl_list_release(&bindings);
		if (found)
			return policy->meta.name ? policy->meta.name : "?";
	}
	return NULL;
}

/* The first policy on `cluster` that names `principal` (lent), or NULL. */
static const char *owning_policy(const struct kdr_desired *desired, const char *cluster, const char *principal)
{
	for (size_t p = 0; p < desired->n_access_policies; p++) {
		const struct kdr_access_policy *policy = &desired->access_policies[p];

		if (!kdr_access_policy_on(policy, cluster))
			continue;
		for (size_t g = 0; g < policy->n_grants; g++)
			if (policy->grants[g].principal && strcmp(policy->grants[g].principal, principal) == 0)
				return policy->meta.name ? policy->meta.name : "?";
	}
	return NULL;
}

static bool policy_on_cluster(const struct kdr_desired *desired, const char *cluster)
{
	for (size_t p = 0; p < desired->n_access_policies; p++)
		if (kdr_access_policy_on(&desired->access_policies[p], cluster))
			return true;
	return false;
}

static struct kdr_action *add_acl_action(struct plan_ctx *ctx, enum kdr_action_kind kind, const char *cluster,
					 const struct kdr_acl *acl, const char *policy)
{
	char *text = kdr_acl_to_string(acl);
	struct kdr_action *action = plan_add_action(ctx->plan, kind, cluster, text, policy);

	kdr_acl_copy(&action->acl, acl);
	free(text);
	return action;
}

/* One info note per cluster: how many bindings of which principals kdr leaves alone. */
static bool listed(const struct kdr_acl_list *list, const struct kdr_acl *acl)
{
	for (size_t i = 0; i < list->n; i++)
		if (kdr_acl_compare(&list->v[i], acl) == 0)
			return true;
	return false;
}

/* Mirrored grants (kdr's own, or MM2's) are not counted: they are accounted for. */
static void note_unmanaged(struct plan_ctx *ctx, const char *cluster, const struct kdr_acl_list *live,
			   const struct kdr_strvec *owned, const struct kdr_acl_list *wanted,
			   const struct kdr_acl_list *tolerated)
{
	struct kdr_buf who = KDR_BUF_INIT;
	size_t total = 0, shown = 0;

	for (size_t i = 0; i < live->n;) {
		const char *principal = live->v[i].principal ? live->v[i].principal : "";
		size_t count = 0;

		/* Sorted by principal first: a principal's bindings are adjacent. */
		while (i < live->n && strcmp(live->v[i].principal ? live->v[i].principal : "", principal) == 0) {
			if (!listed(wanted, &live->v[i]) && !listed(tolerated, &live->v[i]))
				count++;
			i++;
		}
		if (!count)
			continue;
		if (kdr_strvec_contains(owned, principal))
			continue;
		total += count;
		if (shown++ < 8)
			kdr_buf_printf(&who, "%s%s (%zu)", who.len ? ", " : "", principal, count);
	}
	if (total)
		plan_add_note(ctx->plan, KDR_NOTE_INFO, cluster, NULL,
			      "%zu ACL binding(s) of principals no AccessPolicy names are unmanaged, left as they are: "
			      "%s%s",
			      total, who.ptr, shown > 8 ? ", ..." : "");
	kdr_buf_release(&who);
}

static void plan_cluster_acls(struct plan_ctx *ctx, const char *cluster, const struct kdr_live_cluster *live)
{
	struct kdr_acl_list desired = { 0 }, wanted = { 0 }, tolerated = { 0 };
	struct kdr_strvec reasons = KDR_STRVEC_INIT, owned = KDR_STRVEC_INIT;
	bool policies = policy_on_cluster(ctx->desired, cluster);

	desired_bindings(&desired, ctx->desired, cluster);
	plan_acl_mirrors(ctx, cluster, &desired, live, &wanted, &reasons, &tolerated);
	if (!policies && wanted.n == 0)
		goto cleanup;
	if (!live->acls_read) {
		plan_add_blocked(ctx->plan, KDR_BLOCKED_ERROR, cluster, NULL, NULL, NULL,
				 "the ACLs of cluster '%s' were not read (%s); its AccessPolicy grants cannot be planned",
				 cluster, live->acls_error ? live->acls_error : "not in the snapshot");
		goto cleanup;
	}
	for (size_t i = 0; i < desired.n; i++) {
		const struct kdr_acl *acl = &desired.v[i];
		struct kdr_action *action = NULL;

		if (kdr_acl_list_find(&live->acls, acl) >= 0)
			continue;
		action = add_acl_action(ctx, KDR_ACTION_CREATE_ACL, cluster, acl,
					declaring_policy(ctx->desired, cluster, acl));
		action->reason = kdr_strdup("missing");
		if (acl->permission == KDR_ACL_DENY)
			action->risk = KDR_RISK_DISRUPTIVE;
	}
	for (size_t i = 0; i < wanted.n; i++) {
		const struct kdr_acl *acl = &wanted.v[i];
		struct kdr_action *action = NULL;
		bool earlier = false;

		for (size_t j = 0; j < i && !earlier; j++)
			earlier = kdr_acl_compare(&wanted.v[j], acl) == 0;
		if (earlier || kdr_acl_list_find(&live->acls, acl) >= 0 || kdr_acl_list_find(&desired, acl) >= 0)
			continue;
		action = add_acl_action(ctx, KDR_ACTION_CREATE_ACL, cluster, acl, NULL);
		action->reason = kdr_strdup(reasons.v[i]);
	}
	for (size_t i = 0; i < desired.n; i++)
		if (!kdr_strvec_contains(&owned, desired.v[i].principal))
			kdr_strvec_push(&owned, desired.v[i].principal);
	for (size_t i = 0; i < live->acls.n; i++) {
		const struct kdr_acl *acl = &live->acls.v[i];
		const char *owner = NULL;
		struct kdr_action *action = NULL;
		char *text = NULL;

		if (!acl->principal || !kdr_strvec_contains(&owned, acl->principal))
			continue;
		if (kdr_acl_list_find(&desired, acl) >= 0)
			continue;
		if (listed(&wanted, acl) || listed(&tolerated, acl))
			continue;
		owner = owning_policy(ctx->desired, cluster, acl->principal);
		if (!ctx->allow_delete) {
			text = kdr_acl_to_string(acl);
			plan_add_note(ctx->plan, KDR_NOTE_WARNING, cluster, text,
				      "skipped: would delete this ACL binding (principal '%s' is owned by AccessPolicy "
				      "'%s', which does not declare it; use --allow-delete)",
				      acl->principal, owner ? owner : "?");
			free(text);
			continue;
		}
		action = add_acl_action(ctx, KDR_ACTION_DELETE_ACL, cluster, acl, owner);
		action->risk = KDR_RISK_DESTRUCTIVE;
		action->reason = kdr_asprintf("not declared: principal '%s' is owned by AccessPolicy '%s'",
					      acl->principal, owner ? owner : "?");
	}
	note_unmanaged(ctx, cluster, &live->acls, &owned, &wanted, &tolerated);
cleanup:
	kdr_acl_list_release(&desired);
	kdr_acl_list_release(&wanted);
	kdr_acl_list_release(&tolerated);
	kdr_strvec_release(&reasons);
	kdr_strvec_release(&owned);
}

void plan_acls(struct plan_ctx *ctx, const struct kdr_plan_options *options)
{
	for (size_t i = 0; i < ctx->desired->n_clusters; i++) {
		const char *name = ctx->desired->clusters[i].meta.name;
		const struct kdr_live_cluster *live = NULL;

		if (!name || !plan_cluster_selected(options, name))
			continue;
		live = kdr_live_cluster_find(ctx->live, name);
		if (live) /* a missing cluster is already blocked */
			plan_cluster_acls(ctx, name, live);
	}
}
