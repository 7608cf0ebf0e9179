/*
 * AccessPolicy rules: each grant as Kafka would take it (principal
 * "Type:name", an operation the resource type supports, the cluster resource
 * named kafka-cluster, no prefixed "*", a legal topic name, host "*" or an
 * IP address), the clusters it names, and across policies on each cluster:
 * the same binding declared twice (warning), the same binding both allowed
 * and denied (error), and a deny that leaves another grant's allow without
 * effect (warning: Kafka's authorizer lets DENY win).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "validate/validate_internal.h"

/* One expanded binding of one grant on one cluster. */
struct entry {
	const char *cluster;
	struct kdr_acl acl; /* strings lent from the model (or static) */
	size_t policy;
	size_t grant;
};

static const struct kdr_access_policy *policy_at(const struct kdr_validate_ctx *ctx, size_t i)
{
	return &ctx->desired->access_policies[i];
}

static char *grant_path(size_t grant, const char *field)
{
	return field ? kdr_asprintf("spec.grants[%zu].%s", grant, field) : kdr_asprintf("spec.grants[%zu]", grant);
}

static void report_grant(struct kdr_validate_ctx *ctx, enum kdr_severity severity, size_t policy, size_t grant,
			 const char *field, const char *fmt, const char *a, const char *b)
{
	char *path = grant_path(grant, field);

	kdr_validate__report(ctx, severity, &policy_at(ctx, policy)->meta, path, fmt, a ? a : "", b ? b : "");
	free(path);
}

static bool host_ok(const char *host)
{
	unsigned char addr[16];

	return strcmp(host, KDR_ACL_WILDCARD) == 0 || inet_pton(AF_INET, host, addr) == 1 ||
	       inet_pton(AF_INET6, host, addr) == 1;
}

static void check_principal(struct kdr_validate_ctx *ctx, size_t p, size_t g, const char *principal)
{
	const char *colon = strchr(principal, ':');

	/* Kafka's own check (AclControlManager) is only the colon; an empty type or name matches no one. */
	if (!colon || colon == principal || colon[1] == '\0')
		report_grant(ctx, KDR_SEV_ERROR, p, g, "principal",
			     "'%s' is not a principal; expected Type:name, e.g. User:billing%s", principal, NULL);
}

static void check_resource_name(struct kdr_validate_ctx *ctx, size_t p, const struct kdr_acl_grant *grant, size_t g)
{
	const char *name = grant->resource_name;

	if (!grant->has_type)
		return;
	if (grant->resource_type == KDR_ACL_CLUSTER) {
		if (name && strcmp(name, KDR_ACL_CLUSTER_NAME) != 0)
			report_grant(ctx, KDR_SEV_ERROR, p, g, "resource.name",
				     "'%s': the cluster resource is always named '%s' (or leave the name out)", name,
				     KDR_ACL_CLUSTER_NAME);
		if (grant->pattern == KDR_ACL_PREFIXED)
			report_grant(ctx, KDR_SEV_ERROR, p, g, "pattern",
				     "the cluster resource takes only the literal pattern%s%s", NULL, NULL);
		return;
	}
	if (!name) {
		report_grant(ctx, KDR_SEV_ERROR, p, g, "resource",
			     "resource.name is required for a %s resource (use '*' for all)%s",
			     kdr_acl_resource_type_name(grant->resource_type), NULL);
		return;
	}
	if (!*name) {
		report_grant(ctx, KDR_SEV_ERROR, p, g, "resource.name", "empty; Kafka refuses an empty resource name%s%s",
			     NULL, NULL);
		return;
	}
	if (strcmp(name, KDR_ACL_WILDCARD) == 0) {
		if (grant->pattern == KDR_ACL_PREFIXED)
			report_grant(ctx, KDR_SEV_ERROR, p, g, "pattern",
				     "a prefixed pattern may not be '*' (a literal '*' matches every %s)%s",
				     kdr_acl_resource_type_name(grant->resource_type), NULL);
		return;
	}
	if (grant->resource_type != KDR_ACL_TOPIC)
		return;
	if (grant->pattern == KDR_ACL_LITERAL && !kdr_validate__topic_name_ok(name)) {
		report_grant(ctx, KDR_SEV_ERROR, p, g, "resource.name",
			     "'%s' is not a legal topic name ([a-zA-Z0-9._-], 1..249, not '.' or '..')%s", name, NULL);
		return;
	}
	for (const char *c = name; grant->pattern == KDR_ACL_PREFIXED && *c; c++) {
		if (!kdr_validate__topic_char(*c)) {
			report_grant(ctx, KDR_SEV_ERROR, p, g, "resource.name",
				     "prefix '%s' holds a character no topic name has; it would match nothing%s", name,
				     NULL);
			return;
		}
	}
}

static void check_operations(struct kdr_validate_ctx *ctx, size_t p, const struct kdr_acl_grant *grant, size_t g)
{
	if (grant->n_operations == 0) {
		char *path = grant_path(g, "operations");

		/* Missing is the parser's error; an empty list is this one. */
		if (kdr_validate__has_field(&policy_at(ctx, p)->meta, path))
			report_grant(ctx, KDR_SEV_ERROR, p, g, "operations", "empty; name at least one operation%s%s",
				     NULL, NULL);
		free(path);
		return;
	}
	for (size_t i = 0; i < grant->n_operations; i++) {
		char *field = kdr_asprintf("operations[%zu]", i);
		enum kdr_acl_operation op = grant->operations[i];

		for (size_t j = 0; j < i; j++) {
			if (grant->operations[j] == op) {
				report_grant(ctx, KDR_SEV_WARNING, p, g, field, "'%s' is listed twice%s",
					     kdr_acl_operation_name(op), NULL);
				break;
			}
		}
		if (grant->has_type && !kdr_acl_operation_supported(grant->resource_type, op)) {
			struct kdr_buf allowed = KDR_BUF_INIT;

			for (int o = 0; o < KDR_ACL_N_OPERATIONS; o++)
				if (kdr_acl_operation_supported(grant->resource_type, (enum kdr_acl_operation)o))
					kdr_buf_printf(&allowed, "%s%s", allowed.len ? ", " : "",
						       kdr_acl_operation_name((enum kdr_acl_operation)o));
			{
				char *what = kdr_asprintf("%s' is not an operation on a %s resource",
							  kdr_acl_operation_name(op),
							  kdr_acl_resource_type_name(grant->resource_type));

				report_grant(ctx, KDR_SEV_ERROR, p, g, field, "'%s; Kafka allows: %s", what,
					     allowed.ptr);
				free(what);
			}
			kdr_buf_release(&allowed);
		}
		free(field);
	}
}

static void check_grant(struct kdr_validate_ctx *ctx, size_t p, size_t g)
{
	const struct kdr_acl_grant *grant = &policy_at(ctx, p)->grants[g];

	if (grant->principal)
		check_principal(ctx, p, g, grant->principal);
	check_resource_name(ctx, p, grant, g);
	check_operations(ctx, p, grant, g);
	/* Refused here, not at apply: CreateAcls would fail it mid-apply, after the rest of the plan. */
	if (grant->has_type && grant->resource_type == KDR_ACL_TRANSACTIONAL_ID)
		report_grant(ctx, KDR_SEV_ERROR, p, g, "resource.type",
			     "transactional-id grants cannot be applied by this kdr: librdkafka 2.0.2 knows no "
			     "resource type above 4 (Kafka's TRANSACTIONAL_ID is 5), so CreateAcls could not send it; "
			     "grant it outside kdr (kafka-acls.sh --transactional-id) and leave it out of the "
			     "AccessPolicy%s%s",
			     NULL, NULL);
	if (grant->host && !host_ok(grant->host))
		report_grant(ctx, KDR_SEV_ERROR, p, g, "host",
			     "'%s' is not '*' or an IP address (Kafka matches the client's address, never a host "
			     "name)%s",
			     grant->host, NULL);
}

static void check_clusters(struct kdr_validate_ctx *ctx, size_t p)
{
	const struct kdr_access_policy *policy = policy_at(ctx, p);

	if (!policy->all_clusters && policy->clusters.n == 0)
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, "spec.clusters",
				     "empty; list the clusters, or leave spec.clusters out for all of them");
	kdr_validate__check_cluster_list(ctx, &policy->meta, &policy->clusters);
}

/* --- across policies --- */

static int compare_entries(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int cmp = strcmp(a->cluster, b->cluster);

	if (cmp)
		return cmp;
	if ((cmp = kdr_acl_compare(&a->acl, &b->acl)) != 0)
		return cmp;
	if (a->policy != b->policy)
		return a->policy < b->policy ? -1 : 1;
	return a->grant < b->grant ? -1 : a->grant > b->grant;
}

static void add_entries(struct entry **out, size_t *n, size_t *cap, const struct kdr_validate_ctx *ctx, size_t p)
{
	const struct kdr_access_policy *policy = policy_at(ctx, p);

	for (size_t c = 0; c < ctx->desired->n_clusters; c++) {
		const char *cluster = ctx->desired->clusters[c].meta.name;

		if (!cluster || !kdr_access_policy_on(policy, cluster))
			continue;
		for (size_t g = 0; g < policy->n_grants; g++) {
			const struct kdr_acl_grant *grant = &policy->grants[g];

			if (!grant->principal || !grant->has_type)
				continue;
			for (size_t o = 0; o < grant->n_operations; o++) {
				struct entry *e = NULL;

				*out = kdr_grow(*out, cap, *n + 1, sizeof(**out));
				e = &(*out)[(*n)++];
				e->cluster = cluster;
				e->policy = p;
				e->grant = g;
				e->acl.resource_type = grant->resource_type;
				e->acl.resource_name = grant->resource_name;
				if (!e->acl.resource_name)
					e->acl.resource_name = grant->resource_type == KDR_ACL_CLUSTER
								   ? (char *)KDR_ACL_CLUSTER_NAME
								   : (char *)"";
				e->acl.pattern = grant->pattern;
				e->acl.principal = grant->principal;
				e->acl.host = grant->host ? grant->host : (char *)KDR_ACL_WILDCARD;
				e->acl.operation = grant->operations[o];
				e->acl.permission = grant->permission;
			}
		}
	}
}

/* Whether deny binding `d` covers every request allow binding `a` would let through. */
static bool deny_covers(const struct kdr_acl *d, const struct kdr_acl *a)
{
	if (d->resource_type != a->resource_type)
		return false;
	if (strcmp(d->principal, a->principal) != 0 && strcmp(d->principal, "User:*") != 0)
		return false;
	if (strcmp(d->host, KDR_ACL_WILDCARD) != 0 && strcmp(d->host, a->host) != 0)
		return false;
	if (d->operation != KDR_ACL_OP_ALL && d->operation != a->operation)
		return false;
	if (d->pattern == KDR_ACL_LITERAL && strcmp(d->resource_name, KDR_ACL_WILDCARD) == 0)
		return true;
	if (d->pattern == KDR_ACL_LITERAL)
		return a->pattern == KDR_ACL_LITERAL && strcmp(a->resource_name, d->resource_name) == 0;
	/* Prefixed deny: covers literal names and longer prefixes that start with it (not a literal '*'). */
	if (a->pattern == KDR_ACL_LITERAL && strcmp(a->resource_name, KDR_ACL_WILDCARD) == 0)
		return false;
	return strncmp(a->resource_name, d->resource_name, strlen(d->resource_name)) == 0;
}

static const char *grant_where(char **owned, const struct kdr_validate_ctx *ctx, const struct entry *e)
{
	char *path = grant_path(e->grant, NULL);

	*owned = kdr_validate__where(&policy_at(ctx, e->policy)->meta, path);
	free(path);
	return *owned;
}

static void report_pair(struct kdr_validate_ctx *ctx, enum kdr_severity severity, const struct entry *at,
			const struct entry *other, const char *what)
{
	char *where = NULL, *text = kdr_acl_to_string(&at->acl);
	char *path = grant_path(at->grant, NULL);
	const struct kdr_access_policy *other_policy = policy_at(ctx, other->policy);

	grant_where(&where, ctx, other);
	kdr_validate__report(ctx, severity, &policy_at(ctx, at->policy)->meta, path,
			     "cluster '%s': %s %s %s grants[%zu] (%s)", at->cluster, text, what,
			     other_policy->meta.object_ref ? other_policy->meta.object_ref : "AccessPolicy/?",
			     other->grant, where);
	free(path);
	free(where);
	free(text);
}

static void check_across(struct kdr_validate_ctx *ctx)
{
	struct entry *entries = NULL;
	size_t *denies = NULL;
	size_t n = 0, cap = 0, n_denies = 0;

	for (size_t p = 0; p < ctx->desired->n_access_policies; p++)
		add_entries(&entries, &n, &cap, ctx, p);
	if (n > 1)
		qsort(entries, n, sizeof(*entries), compare_entries);
	/* Denies are few next to allows: each allow is compared with them only (allows x denies, not n^2). */
	denies = kdr_calloc(n + 1, sizeof(*denies));
	for (size_t i = 0; i < n; i++)
		if (entries[i].acl.permission == KDR_ACL_DENY)
			denies[n_denies++] = i;
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &entries[i];

		/* The same binding again (sorted next to each other): said once, at the later grant. */
		if (i > 0 && strcmp(entries[i - 1].cluster, e->cluster) == 0 &&
		    kdr_acl_compare(&entries[i - 1].acl, &e->acl) == 0 &&
		    (entries[i - 1].policy != e->policy || entries[i - 1].grant != e->grant))
			report_pair(ctx, KDR_SEV_WARNING, e, &entries[i - 1], "is also declared by");
		if (e->acl.permission != KDR_ACL_ALLOW)
			continue;
		for (size_t j = 0; j < n_denies; j++) {
			const struct entry *d = &entries[denies[j]];

			if (strcmp(d->cluster, e->cluster) != 0)
				continue;
			if (kdr_acl_compare_except_permission(&d->acl, &e->acl) == 0) {
				report_pair(ctx, KDR_SEV_ERROR, e, d, "conflicts with the same binding denied by");
				break;
			}
			if (deny_covers(&d->acl, &e->acl)) {
				report_pair(ctx, KDR_SEV_WARNING, e, d,
					    "has no effect: Kafka's DENY wins, and it is denied by");
				break;
			}
		}
	}
	free(denies);
	free(entries);
}

void kdr_validate__check_acls(struct kdr_validate_ctx *ctx)
{
	for (size_t p = 0; p < ctx->desired->n_access_policies; p++) {
		const struct kdr_access_policy *policy = policy_at(ctx, p);

		check_clusters(ctx, p);
		for (size_t g = 0; g < policy->n_grants; g++)
			check_grant(ctx, p, g);
	}
	check_across(ctx);
}
