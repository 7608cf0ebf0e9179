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
#include "util/sort.h"

struct wanted_ref {
	const struct kdr_acl *acl;
	size_t index;
};

static int compare_wanted_refs(const void *pa, const void *pb)
{
	const struct wanted_ref *a = pa, *b = pb;

	return kdr_acl_compare(a->acl, b->acl);
}

/* Refs to every entry of `list`, stable-sorted by binding, so by position among equal ones (heap array). */
static struct wanted_ref *sorted_refs(const struct kdr_acl_list *list)
{
	struct wanted_ref *refs = kdr_calloc(list->n + 1, sizeof(*refs));

	for (size_t i = 0; i < list->n; i++) {
		refs[i].acl = &list->v[i];
		refs[i].index = i;
	}
	kdr_sort_stable(refs, list->n, sizeof(*refs), compare_wanted_refs);
	return refs;
}

/*
 * The bindings of every AccessPolicy on `cluster`, sorted, without
 * duplicates, into `out`; `policies` gets, in parallel, the first policy (in
 * document order) that declares each one (names lent from the model).
 */
static void desired_bindings(struct kdr_acl_list *out, const char ***policies, const struct kdr_desired *desired,
			     const char *cluster)
{
	struct kdr_acl_list all = { 0 };
	const char **owner = NULL;
	size_t cap = 0;
	struct wanted_ref *refs = NULL;

	for (size_t p = 0; p < desired->n_access_policies; p++) {
		const struct kdr_access_policy *policy = &desired->access_policies[p];
		size_t before = all.n;

		if (!kdr_access_policy_on(policy, cluster))
			continue;
		for (size_t g = 0; g < policy->n_grants; g++)
			kdr_access_policy_bindings(&all, policy, g);
		owner = kdr_grow(owner, &cap, all.n + 1, sizeof(*owner));
		for (size_t i = before; i < all.n; i++)
			owner[i] = policy->meta.name ? policy->meta.name : "?";
	}
	refs = sorted_refs(&all);
	*policies = kdr_calloc(all.n + 1, sizeof(**policies));
	for (size_t i = 0; i < all.n; i++) {
		if (i > 0 && kdr_acl_compare(refs[i - 1].acl, refs[i].acl) == 0)
			continue;
		(*policies)[out->n] = owner[refs[i].index];
		kdr_acl_list_push(out, refs[i].acl);
	}
	free(refs);
	free(owner);
	kdr_acl_list_release(&all);
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
	struct kdr_action *action = kdr_plan__add_action(ctx->plan, kind, cluster, text, policy);

	kdr_acl_copy(&action->acl, acl);
	free(text);
	return action;
}

/* One info note per cluster: how many bindings of which principals kdr leaves alone. */
/* `list` sorted (kdr_acl_list_sort): bisection. */
static bool listed(const struct kdr_acl_list *list, const struct kdr_acl *acl)
{
	return kdr_acl_list_find(list, acl) >= 0;
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
		kdr_plan__add_note(
		    ctx->plan, KDR_NOTE_INFO, cluster, NULL,
		    "%zu ACL binding(s) of principals no AccessPolicy names are unmanaged, left as they are: "
		    "%s%s",
		    total, who.ptr, shown > 8 ? ", ..." : "");
	kdr_buf_release(&who);
}

/* Per entry of `wanted`: whether no earlier entry is the same binding (heap array). */
static bool *first_wanted(const struct kdr_acl_list *wanted)
{
	struct wanted_ref *refs = sorted_refs(wanted);
	bool *first = kdr_calloc(wanted->n + 1, sizeof(*first));

	for (size_t i = 0; i < wanted->n; i++)
		first[refs[i].index] = i == 0 || kdr_acl_compare(refs[i - 1].acl, refs[i].acl) != 0;
	free(refs);
	return first;
}

static void plan_cluster_acls(struct plan_ctx *ctx, const char *cluster, const struct kdr_live_cluster *live)
{
	struct kdr_acl_list desired = { 0 }, wanted = { 0 }, tolerated = { 0 }, wanted_sorted = { 0 };
	bool *first = NULL;
	const char **declared_by = NULL;
	struct kdr_strvec reasons = KDR_STRVEC_INIT, owned = KDR_STRVEC_INIT;
	bool policies = policy_on_cluster(ctx->desired, cluster);

	desired_bindings(&desired, &declared_by, ctx->desired, cluster);
	kdr_plan__acl_mirrors(ctx, cluster, &desired, live, &wanted, &reasons, &tolerated);
	if (!policies && wanted.n == 0)
		goto cleanup;
	if (!live->acls_read) {
		kdr_plan__add_blocked(
		    ctx->plan, KDR_BLOCKED_ERROR, cluster, NULL, NULL, NULL,
		    "the ACLs of cluster '%s' were not read (%s); its AccessPolicy grants cannot be planned", cluster,
		    live->acls_error ? live->acls_error : "not in the snapshot");
		goto cleanup;
	}
	for (size_t i = 0; i < desired.n; i++) {
		const struct kdr_acl *acl = &desired.v[i];
		struct kdr_action *action = NULL;

		if (kdr_acl_list_find(&live->acls, acl) >= 0)
			continue;
		action = add_acl_action(ctx, KDR_ACTION_CREATE_ACL, cluster, acl, declared_by[i]);
		action->reason = kdr_strdup("missing");
		if (acl->permission == KDR_ACL_DENY)
			action->risk = KDR_RISK_DISRUPTIVE;
	}
	/* wanted keeps the flows' order (reasons are parallel to it); sorted copies serve the lookups. */
	kdr_acl_list_copy(&wanted_sorted, &wanted);
	kdr_acl_list_sort(&wanted_sorted);
	kdr_acl_list_sort(&tolerated);
	first = first_wanted(&wanted);
	for (size_t i = 0; i < wanted.n; i++) {
		const struct kdr_acl *acl = &wanted.v[i];
		struct kdr_action *action = NULL;

		/* The first flow that wants a binding plans it; live or declared ones need nothing. */
		if (!first[i] || listed(&live->acls, acl) || listed(&desired, acl))
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
		if (listed(&wanted_sorted, acl) || listed(&tolerated, acl))
			continue;
		owner = owning_policy(ctx->desired, cluster, acl->principal);
		if (!ctx->allow_delete) {
			text = kdr_acl_to_string(acl);
			kdr_plan__add_note(
			    ctx->plan, KDR_NOTE_WARNING, cluster, text,
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
	note_unmanaged(ctx, cluster, &live->acls, &owned, &wanted_sorted, &tolerated);
cleanup:
	kdr_acl_list_release(&desired);
	kdr_acl_list_release(&wanted);
	kdr_acl_list_release(&tolerated);
	kdr_acl_list_release(&wanted_sorted);
	free(first);
	free(declared_by);
	kdr_strvec_release(&reasons);
	kdr_strvec_release(&owned);
}

void kdr_plan__acls(struct plan_ctx *ctx, const struct kdr_plan_options *options)
{
	for (size_t i = 0; i < ctx->desired->n_clusters; i++) {
		const char *name = ctx->desired->clusters[i].meta.name;
		const struct kdr_live_cluster *live = NULL;

		if (!name || !kdr_plan__cluster_selected(options, name))
			continue;
		live = kdr_live_cluster_find(ctx->live, name);
		if (live) /* a missing cluster is already blocked */
			plan_cluster_acls(ctx, name, live);
	}
}
