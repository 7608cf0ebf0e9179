/*
 * The AccessPolicy kind (DESIGN.md §2): spec.clusters and spec.grants.
 * Field names here are the schema users depend on; Kafka's own rules about
 * what a grant may say are pkg/validate's (acls.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec_internal.h"
#include "util/alloc.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void decode_type(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_acl_grant *grant = obj;
	long at = kdr_spec__get_enum(ctx, value, kdr_acl_resource_type_names, KDR_ACL_N_DECLARABLE_TYPES);

	/* Not given or not valid: reported here or as a missing field; the grant stays typeless. */
	if (at >= 0) {
		grant->resource_type = (enum kdr_acl_resource_type)at;
		grant->has_type = true;
	}
}

static const struct kdr_spec_field resource_fields[] = {
	{ "type", KDR_SPEC_CUSTOM, 0, true, decode_type, "topic, group, cluster or transactional-id", NULL, 0 },
	{ "name", KDR_SPEC_STRING, offsetof(struct kdr_acl_grant, resource_name), false, NULL, NULL, NULL, 0 },
};

static void decode_resource(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	kdr_spec__decode_fields(ctx, value, resource_fields, N(resource_fields), obj);
}

static void decode_pattern(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	static const char *const names[] = { "literal", "prefixed" };
	struct kdr_acl_grant *grant = obj;
	long at = kdr_spec__get_enum(ctx, value, names, N(names));

	if (at >= 0)
		grant->pattern = (enum kdr_acl_pattern)at;
}

static void decode_permission(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	static const char *const names[] = { "allow", "deny" };
	struct kdr_acl_grant *grant = obj;
	long at = kdr_spec__get_enum(ctx, value, names, N(names));

	if (at >= 0)
		grant->permission = (enum kdr_acl_permission)at;
}

static void decode_operations(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_acl_grant *grant = obj;

	if (!kdr_spec__expect_seq(ctx, value, "a list of operations, e.g. [read, describe]"))
		return;
	free(grant->operations);
	grant->operations = kdr_calloc(value->n + 1, sizeof(*grant->operations));
	grant->n_operations = 0;
	for (size_t i = 0; i < value->n; i++) {
		size_t saved = kdr_spec__path_push_index(ctx, i);
		long at = 0;

		kdr_spec__record(ctx, NULL, value->items[i]);
		/* Only the operations an AccessPolicy can mean: the token ones need resource types it cannot declare. */
		at = kdr_spec__get_enum(ctx, value->items[i], kdr_acl_operation_names, KDR_ACL_OP_IDEMPOTENT_WRITE + 1);
		if (at >= 0)
			grant->operations[grant->n_operations++] = (enum kdr_acl_operation)at;
		kdr_spec__path_pop(ctx, saved);
	}
}

#define RESOURCE_EXPECTED "a map {type, name}"
#define OPERATIONS_EXPECTED "a list of operations, e.g. [read, describe]"

static const struct kdr_spec_field grant_fields[] = {
	{ "principal", KDR_SPEC_STRING, offsetof(struct kdr_acl_grant, principal), true, NULL, NULL, NULL, 0 },
	{ "resource", KDR_SPEC_CUSTOM, 0, true, decode_resource, RESOURCE_EXPECTED, NULL, 0 },
	{ "pattern", KDR_SPEC_CUSTOM, 0, false, decode_pattern, "literal or prefixed", NULL, 0 },
	{ "operations", KDR_SPEC_CUSTOM, 0, true, decode_operations, OPERATIONS_EXPECTED, NULL, 0 },
	{ "permission", KDR_SPEC_CUSTOM, 0, false, decode_permission, "allow or deny", NULL, 0 },
	{ "host", KDR_SPEC_STRING, offsetof(struct kdr_acl_grant, host), false, NULL, NULL, NULL, 0 },
};

static void decode_grants(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_access_policy *policy = obj;
	size_t cap = policy->n_grants;

	if (!kdr_spec__expect_seq(ctx, value, "a list of grants"))
		return;
	for (size_t i = 0; i < value->n; i++) {
		const struct kdr_spec_node *item = value->items[i];
		struct kdr_acl_grant grant = { 0 };
		size_t saved = kdr_spec__path_push_index(ctx, i);

		grant.line = item->line;
		grant.col = item->col;
		kdr_spec__record(ctx, NULL, item);
		if (item->kind == KDR_SPEC_NODE_MAP)
			kdr_spec__decode_fields(ctx, item, grant_fields, N(grant_fields), &grant);
		else if (item->style != KDR_SPEC_STYLE_INVALID || item->kind != KDR_SPEC_NODE_SCALAR)
			kdr_spec__error_expected(ctx, item,
						 "a map {principal, resource, pattern, operations, permission, host}");
		kdr_spec__path_pop(ctx, saved);
		/* Kept even when incomplete: validation names its index and stays quiet about what was reported. */
		policy->grants = kdr_grow(policy->grants, &cap, policy->n_grants + 1, sizeof(*policy->grants));
		policy->grants[policy->n_grants++] = grant;
	}
}

static void decode_clusters(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_access_policy *policy = obj;

	if (kdr_spec__get_strings(ctx, &policy->clusters, value))
		policy->all_clusters = false;
}

static const struct kdr_spec_field access_policy_fields[] = {
	{ "clusters", KDR_SPEC_CUSTOM, 0, false, decode_clusters, "a list of cluster names", NULL, 0 },
	{ "grants", KDR_SPEC_CUSTOM, 0, true, decode_grants, "a list of grants", NULL, 0 },
};

void kdr_spec__decode_access_policy(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	kdr_spec__decode_fields(ctx, value, access_policy_fields, N(access_policy_fields), obj);
}
