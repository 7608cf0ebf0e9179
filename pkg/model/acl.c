#include "model/acl.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"
#include "util/sort.h"
#include "util/strvec.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *const kdr_acl_resource_type_names[KDR_ACL_N_RESOURCE_TYPES] = {
	[KDR_ACL_TOPIC] = "topic",
	[KDR_ACL_GROUP] = "group",
	[KDR_ACL_CLUSTER] = "cluster",
	[KDR_ACL_TRANSACTIONAL_ID] = "transactional-id",
	[KDR_ACL_DELEGATION_TOKEN] = "delegation-token",
	[KDR_ACL_USER] = "user",
};

static const char *const pattern_names[] = {
	[KDR_ACL_LITERAL] = "literal",
	[KDR_ACL_PREFIXED] = "prefixed",
};

const char *const kdr_acl_operation_names[KDR_ACL_N_OPERATIONS] = {
	[KDR_ACL_OP_ALL] = "all",
	[KDR_ACL_OP_READ] = "read",
	[KDR_ACL_OP_WRITE] = "write",
	[KDR_ACL_OP_CREATE] = "create",
	[KDR_ACL_OP_DELETE] = "delete",
	[KDR_ACL_OP_ALTER] = "alter",
	[KDR_ACL_OP_DESCRIBE] = "describe",
	[KDR_ACL_OP_CLUSTER_ACTION] = "cluster-action",
	[KDR_ACL_OP_DESCRIBE_CONFIGS] = "describe-configs",
	[KDR_ACL_OP_ALTER_CONFIGS] = "alter-configs",
	[KDR_ACL_OP_IDEMPOTENT_WRITE] = "idempotent-write",
	[KDR_ACL_OP_CREATE_TOKENS] = "create-tokens",
	[KDR_ACL_OP_DESCRIBE_TOKENS] = "describe-tokens",
};

static const char *const permission_names[] = {
	[KDR_ACL_ALLOW] = "allow",
	[KDR_ACL_DENY] = "deny",
};

const char *kdr_acl_resource_type_name(enum kdr_acl_resource_type type)
{
	return kdr_names_at(kdr_acl_resource_type_names, KDR_ACL_N_RESOURCE_TYPES, (long)type, "unknown");
}

const char *kdr_acl_pattern_name(enum kdr_acl_pattern pattern)
{
	return kdr_names_at(pattern_names, N(pattern_names), (long)pattern, "unknown");
}

const char *kdr_acl_operation_name(enum kdr_acl_operation op)
{
	return kdr_names_at(kdr_acl_operation_names, KDR_ACL_N_OPERATIONS, (long)op, "unknown");
}

const char *kdr_acl_permission_name(enum kdr_acl_permission permission)
{
	return kdr_names_at(permission_names, N(permission_names), (long)permission, "unknown");
}

static int parse(int *out, const char *const *names, size_t n, const char *what, const char *name)
{
	long found = kdr_names_find(names, n, name);
	char *allowed = NULL;
	int rc = 0;

	if (found >= 0) {
		*out = (int)found;
		return 0;
	}
	{
		struct kdr_buf list = KDR_BUF_INIT;

		for (size_t i = 0; i < n; i++)
			kdr_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
		allowed = kdr_buf_detach(&list);
	}
	rc = kdr_error_set(KDR_EINVALID, "unknown %s '%s' (expected one of %s)", what, name ? name : "", allowed);
	free(allowed);
	return rc;
}

int kdr_acl_resource_type_parse(enum kdr_acl_resource_type *out, const char *name)
{
	int v = 0;
	int rc = parse(&v, kdr_acl_resource_type_names, KDR_ACL_N_RESOURCE_TYPES, "ACL resource type", name);

	if (rc == 0)
		*out = (enum kdr_acl_resource_type)v;
	return rc;
}

int kdr_acl_pattern_parse(enum kdr_acl_pattern *out, const char *name)
{
	int v = 0;
	int rc = parse(&v, pattern_names, N(pattern_names), "ACL pattern type", name);

	if (rc == 0)
		*out = (enum kdr_acl_pattern)v;
	return rc;
}

int kdr_acl_operation_parse(enum kdr_acl_operation *out, const char *name)
{
	int v = 0;
	int rc = parse(&v, kdr_acl_operation_names, KDR_ACL_N_OPERATIONS, "ACL operation", name);

	if (rc == 0)
		*out = (enum kdr_acl_operation)v;
	return rc;
}

int kdr_acl_permission_parse(enum kdr_acl_permission *out, const char *name)
{
	int v = 0;
	int rc = parse(&v, permission_names, N(permission_names), "ACL permission", name);

	if (rc == 0)
		*out = (enum kdr_acl_permission)v;
	return rc;
}

#define OP(x) (1u << KDR_ACL_OP_##x)

bool kdr_acl_operation_supported(enum kdr_acl_resource_type type, enum kdr_acl_operation op)
{
	unsigned supported = 0;

	if (op == KDR_ACL_OP_ALL)
		return (int)type >= 0 && type < KDR_ACL_N_RESOURCE_TYPES;
	switch (type) {
	case KDR_ACL_TOPIC:
		supported = OP(READ) | OP(WRITE) | OP(CREATE) | OP(DESCRIBE) | OP(DELETE) | OP(ALTER) |
			    OP(DESCRIBE_CONFIGS) | OP(ALTER_CONFIGS);
		break;
	case KDR_ACL_GROUP:
		/* Kafka 4.0 added the group configs (KIP-848): DESCRIBE_CONFIGS and ALTER_CONFIGS. */
		supported = OP(READ) | OP(DESCRIBE) | OP(DELETE) | OP(DESCRIBE_CONFIGS) | OP(ALTER_CONFIGS);
		break;
	case KDR_ACL_CLUSTER:
		supported = OP(CREATE) | OP(CLUSTER_ACTION) | OP(DESCRIBE_CONFIGS) | OP(ALTER_CONFIGS) |
			    OP(IDEMPOTENT_WRITE) | OP(ALTER) | OP(DESCRIBE);
		break;
	case KDR_ACL_TRANSACTIONAL_ID:
		supported = OP(DESCRIBE) | OP(WRITE);
		break;
	case KDR_ACL_DELEGATION_TOKEN:
		supported = OP(DESCRIBE);
		break;
	case KDR_ACL_USER:
		supported = OP(CREATE_TOKENS) | OP(DESCRIBE_TOKENS);
		break;
	}
	return (int)op >= 0 && op < KDR_ACL_N_OPERATIONS && (supported & (1u << op)) != 0;
}

bool kdr_acl_operation_covers(enum kdr_acl_operation granted, enum kdr_acl_operation wanted, bool allow)
{
	if (granted == wanted || granted == KDR_ACL_OP_ALL)
		return true;
	if (!allow)
		return false;
	if (wanted == KDR_ACL_OP_DESCRIBE)
		return granted == KDR_ACL_OP_READ || granted == KDR_ACL_OP_WRITE || granted == KDR_ACL_OP_DELETE ||
		       granted == KDR_ACL_OP_ALTER;
	if (wanted == KDR_ACL_OP_DESCRIBE_CONFIGS)
		return granted == KDR_ACL_OP_ALTER_CONFIGS;
	return false;
}

bool kdr_acl_pattern_matches(const struct kdr_acl *acl, const char *name)
{
	if (!acl->resource_name || !name)
		return false;
	if (acl->pattern == KDR_ACL_PREFIXED)
		return strncmp(name, acl->resource_name, strlen(acl->resource_name)) == 0;
	return strcmp(acl->resource_name, KDR_ACL_WILDCARD) == 0 || strcmp(acl->resource_name, name) == 0;
}

static int compare_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

int kdr_acl_compare_except_permission(const struct kdr_acl *a, const struct kdr_acl *b)
{
	int cmp = compare_str(a->principal, b->principal);

	if (cmp)
		return cmp;
	if (a->resource_type != b->resource_type)
		return (int)a->resource_type - (int)b->resource_type;
	if ((cmp = compare_str(a->resource_name, b->resource_name)) != 0)
		return cmp;
	if (a->pattern != b->pattern)
		return (int)a->pattern - (int)b->pattern;
	if (a->operation != b->operation)
		return (int)a->operation - (int)b->operation;
	return compare_str(a->host, b->host);
}

int kdr_acl_compare(const struct kdr_acl *a, const struct kdr_acl *b)
{
	int cmp = kdr_acl_compare_except_permission(a, b);

	if (cmp)
		return cmp;
	return (int)a->permission - (int)b->permission;
}

void kdr_acl_format(struct kdr_buf *out, const struct kdr_acl *acl)
{
	kdr_buf_printf(out, "%s %s %s %s:%s", acl->principal ? acl->principal : "?",
		       kdr_acl_permission_name(acl->permission), kdr_acl_operation_name(acl->operation),
		       kdr_acl_resource_type_name(acl->resource_type), acl->resource_name ? acl->resource_name : "?");
	if (acl->pattern != KDR_ACL_LITERAL)
		kdr_buf_printf(out, " (%s)", kdr_acl_pattern_name(acl->pattern));
	if (acl->host && strcmp(acl->host, KDR_ACL_WILDCARD) != 0)
		kdr_buf_printf(out, " host=%s", acl->host);
}

char *kdr_acl_to_string(const struct kdr_acl *acl)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	kdr_acl_format(&buf, acl);
	return kdr_buf_detach(&buf);
}

void kdr_acl_copy(struct kdr_acl *out, const struct kdr_acl *src)
{
	*out = *src;
	out->resource_name = kdr_strdup(src->resource_name);
	out->principal = kdr_strdup(src->principal);
	out->host = kdr_strdup(src->host);
}

void kdr_acl_release(struct kdr_acl *acl)
{
	free(acl->resource_name);
	free(acl->principal);
	free(acl->host);
	memset(acl, 0, sizeof(*acl));
}

void kdr_acl_list_push(struct kdr_acl_list *list, const struct kdr_acl *acl)
{
	list->v = kdr_grow(list->v, &list->cap, list->n + 1, sizeof(*list->v));
	kdr_acl_copy(&list->v[list->n++], acl);
}

static int compare_acl_qsort(const void *a, const void *b)
{
	return kdr_acl_compare(a, b);
}

void kdr_acl_list_sort(struct kdr_acl_list *list)
{
	size_t kept = 0;

	if (list->n > 1)
		qsort(list->v, list->n, sizeof(*list->v), compare_acl_qsort);
	for (size_t i = 0; i < list->n; i++) {
		if (kept > 0 && kdr_acl_compare(&list->v[kept - 1], &list->v[i]) == 0) {
			kdr_acl_release(&list->v[i]);
			continue;
		}
		list->v[kept++] = list->v[i];
	}
	list->n = kept;
}

long kdr_acl_list_find(const struct kdr_acl_list *list, const struct kdr_acl *acl)
{
	long at = kdr_sort_search(list->v, list->n, sizeof(*list->v), acl, compare_acl_qsort);

	return at >= 0 ? at : -1;
}

void kdr_acl_list_copy(struct kdr_acl_list *out, const struct kdr_acl_list *src)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < src->n; i++)
		kdr_acl_list_push(out, &src->v[i]);
}

void kdr_acl_list_release(struct kdr_acl_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		kdr_acl_release(&list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}
