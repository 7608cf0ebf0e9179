/*
 * CreateAcls, DescribeAcls and DeleteAcls v0-1 over the cluster's ACL
 * store, with Kafka's validation (AclApis, AclControlManager.validateNewAcl:
 * INVALID_REQUEST for ANY/UNKNOWN types, empty names, a CLUSTER resource
 * not named kafka-cluster, an unparsable principal) and Kafka's filter
 * semantics (ANY, MATCH with wildcard and prefixes, null fields match all).
 * Creating an ACL that exists is a no-op success. The sandbox stores ACLs
 * but does not enforce them (every principal may do everything). A cluster
 * started with no_authorizer answers all three with SECURITY_DISABLED, as
 * Kafka without authorizer.class.name does.
 */
#include "sandbox_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define SECURITY_DISABLED 54
#define NO_AUTHORIZER "No Authorizer is configured on the broker"

enum {
	RESOURCE_UNKNOWN = 0,
	RESOURCE_ANY = 1,
	RESOURCE_CLUSTER = 4,
	RESOURCE_MAX = 7, /* USER */
	PATTERN_UNKNOWN = 0,
	PATTERN_ANY = 1,
	PATTERN_MATCH = 2,
	PATTERN_LITERAL = 3,
	PATTERN_PREFIXED = 4,
	OPERATION_UNKNOWN = 0,
	OPERATION_ANY = 1,
	OPERATION_MAX = 14, /* DESCRIBE_TOKENS */
	PERMISSION_UNKNOWN = 0,
	PERMISSION_ANY = 1,
	PERMISSION_DENY = 2,
	PERMISSION_ALLOW = 3,
};

struct acl_filter {
	int8_t resource_type;
	const char *name;
	int8_t pattern_type;
	const char *principal;
	const char *host;
	int8_t operation;
	int8_t permission;
};

static void read_filter(struct kdr_sandbox_request *req, struct acl_filter *f, bool nullable)
{
	struct kdr_sandbox_reader *r = &req->r;

	f->resource_type = kdr_sandbox_read_i8(r);
	f->name = kdr_sandbox_read_string(r, &req->arena, nullable);
	f->pattern_type = req->version >= 1 ? kdr_sandbox_read_i8(r) : PATTERN_LITERAL;
	f->principal = kdr_sandbox_read_string(r, &req->arena, nullable);
	f->host = kdr_sandbox_read_string(r, &req->arena, nullable);
	f->operation = kdr_sandbox_read_i8(r);
	f->permission = kdr_sandbox_read_i8(r);
}

static bool principal_ok(const char *principal)
{
	const char *colon = strchr(principal, ':');

	return colon && colon != principal;
}

/* AclControlManager.validateNewAcl plus the broker-side checks of AclApis. */
static bool validate_new(const struct acl_filter *acl, struct kdr_sandbox_result *res)
{
	if (acl->resource_type <= RESOURCE_ANY || acl->resource_type > RESOURCE_MAX) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "Invalid resourceType %d", acl->resource_type);
		return false;
	}
	if (acl->pattern_type != PATTERN_LITERAL && acl->pattern_type != PATTERN_PREFIXED) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "Invalid patternType %d", acl->pattern_type);
		return false;
	}
	if (acl->operation <= OPERATION_ANY || acl->operation > OPERATION_MAX) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "Invalid operation %d", acl->operation);
		return false;
	}
	if (acl->permission != PERMISSION_DENY && acl->permission != PERMISSION_ALLOW) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "Invalid permissionType %d", acl->permission);
		return false;
	}
	if (!*acl->name) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "Resource name should not be empty");
		return false;
	}
	if (acl->resource_type == RESOURCE_CLUSTER && strcmp(acl->name, "kafka-cluster") != 0) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST,
				       "The only valid name for the CLUSTER resource is kafka-cluster");
		return false;
	}
	if (!principal_ok(acl->principal)) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST,
				       "Could not parse principal from `%s` (no colon is present separating the "
				       "principal type from the principal name)",
				       acl->principal);
		return false;
	}
	return true;
}

/* AclBindingFilter.isUnknown(): a filter with an UNKNOWN element cannot match anything meaningfully. */
static bool validate_filter(const struct acl_filter *f, struct kdr_sandbox_result *res)
{
	if (f->resource_type == RESOURCE_UNKNOWN || f->resource_type > RESOURCE_MAX ||
	    f->pattern_type == PATTERN_UNKNOWN || f->pattern_type > PATTERN_PREFIXED ||
	    f->operation == OPERATION_UNKNOWN || f->operation > OPERATION_MAX || f->permission == PERMISSION_UNKNOWN ||
	    f->permission > PERMISSION_ALLOW || f->resource_type < 0 || f->pattern_type < 0 || f->operation < 0 ||
	    f->permission < 0) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "The filter must not contain UNKNOWN elements.");
		return false;
	}
	return true;
}

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* ResourcePatternFilter.matches and AccessControlEntryFilter.matches. */
static bool filter_matches(const struct acl_filter *f, const struct kdr_sandbox_acl *acl)
{
	if (f->resource_type != RESOURCE_ANY && f->resource_type != acl->resource_type)
		return false;
	if (f->pattern_type != PATTERN_ANY && f->pattern_type != PATTERN_MATCH && f->pattern_type != acl->pattern_type)
		return false;
	if (f->name) {
		if (f->pattern_type == PATTERN_ANY || f->pattern_type == acl->pattern_type) {
			if (!str_eq(f->name, acl->resource_name))
				return false;
		} else if (acl->pattern_type == PATTERN_LITERAL) {
			if (!str_eq(f->name, acl->resource_name) && !str_eq(acl->resource_name, "*"))
				return false;
		} else if (strncmp(f->name, acl->resource_name, strlen(acl->resource_name)) != 0) {
			return false;
		}
	}
	if (f->principal && !str_eq(f->principal, acl->principal))
		return false;
	if (f->host && !str_eq(f->host, acl->host))
		return false;
	if (f->operation != OPERATION_ANY && f->operation != acl->operation)
		return false;
	return f->permission == PERMISSION_ANY || f->permission == acl->permission;
}

static bool acl_equal(const struct acl_filter *f, const struct kdr_sandbox_acl *acl)
{
	return f->resource_type == acl->resource_type && f->pattern_type == acl->pattern_type &&
	       str_eq(f->name, acl->resource_name) && str_eq(f->principal, acl->principal) &&
	       str_eq(f->host, acl->host) && f->operation == acl->operation && f->permission == acl->permission;
}

int kdr_sandbox_handle_create_acls(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	int32_t n = kdr_sandbox_read_array_len(r, false, 12);
	struct acl_filter *acls = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*acls)) : NULL;

	for (int32_t i = 0; i < n && !r->bad; i++)
		read_filter(req, &acls[i], false);
	if (r->bad)
		return -1;

	kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n);
	for (int32_t i = 0; i < n; i++) {
		struct kdr_sandbox_result res = {0, NULL};
		bool exists = false;

		if (req->injected) {
			kdr_sandbox_result_set(&res, req->injected, "injected by the sandbox");
		} else if (cl->no_authorizer) {
			kdr_sandbox_result_set(&res, SECURITY_DISABLED, NO_AUTHORIZER);
		} else if (validate_new(&acls[i], &res)) {
			for (size_t a = 0; a < cl->n_acls && !exists; a++)
				exists = acl_equal(&acls[i], &cl->acls[a]);
			if (!exists) {
				struct kdr_sandbox_acl *acl = NULL;

				cl->acls = kdr_grow(cl->acls, &cl->cap_acls, cl->n_acls + 1, sizeof(*cl->acls));
				acl = &cl->acls[cl->n_acls++];
				acl->resource_type = acls[i].resource_type;
				acl->resource_name = kdr_strdup(acls[i].name);
				acl->pattern_type = acls[i].pattern_type;
				acl->principal = kdr_strdup(acls[i].principal);
				acl->host = kdr_strdup(acls[i].host);
				acl->operation = acls[i].operation;
				acl->permission = acls[i].permission;
			}
		}
		kdr_sandbox_put_i16(out, res.error);
		kdr_sandbox_put_string(out, res.message);
		kdr_sandbox_result_release(&res);
	}
	return 0;
}

static int compare_acl(const void *a, const void *b)
{
	const struct kdr_sandbox_acl *x = *(const struct kdr_sandbox_acl *const *)a;
	const struct kdr_sandbox_acl *y = *(const struct kdr_sandbox_acl *const *)b;
	int c = x->resource_type - y->resource_type;

	if (!c)
		c = x->pattern_type - y->pattern_type;
	if (!c)
		c = strcmp(x->resource_name, y->resource_name);
	if (!c)
		c = strcmp(x->principal, y->principal);
	if (!c)
		c = strcmp(x->host, y->host);
	if (!c)
		c = x->operation - y->operation;
	if (!c)
		c = x->permission - y->permission;
	return c;
}

static bool same_resource(const struct kdr_sandbox_acl *a, const struct kdr_sandbox_acl *b)
{
	return a->resource_type == b->resource_type && a->pattern_type == b->pattern_type &&
	       str_eq(a->resource_name, b->resource_name);
}

int kdr_sandbox_handle_describe_acls(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_result res = {0, NULL};
	struct acl_filter filter;
	const struct kdr_sandbox_acl **matched = NULL;
	size_t n_matched = 0;
	size_t count_pos = 0;
	int32_t groups = 0;

	read_filter(req, &filter, true);
	if (req->r.bad)
		return -1;
	if (req->injected)
		kdr_sandbox_result_set(&res, req->injected, "injected by the sandbox");
	else if (cl->no_authorizer)
		kdr_sandbox_result_set(&res, SECURITY_DISABLED, NO_AUTHORIZER);
	else
		(void)validate_filter(&filter, &res);

	kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i16(out, res.error);
	kdr_sandbox_put_string(out, res.message);
	count_pos = out->len;
	kdr_sandbox_put_i32(out, 0);
	if (!res.error && cl->n_acls) {
		matched = kdr_calloc(cl->n_acls, sizeof(*matched));
		for (size_t a = 0; a < cl->n_acls; a++) {
			/* v0 cannot express a pattern type: it only ever sees literal ACLs. */
			if (req->version == 0 && cl->acls[a].pattern_type != PATTERN_LITERAL)
				continue;
			if (filter_matches(&filter, &cl->acls[a]))
				matched[n_matched++] = &cl->acls[a];
		}
		qsort(matched, n_matched, sizeof(*matched), compare_acl);
	}
	for (size_t i = 0; i < n_matched;) {
		size_t end = i;

		while (end < n_matched && same_resource(matched[i], matched[end]))
			end++;
		kdr_sandbox_put_i8(out, matched[i]->resource_type);
		kdr_sandbox_put_string(out, matched[i]->resource_name);
		if (req->version >= 1)
			kdr_sandbox_put_i8(out, matched[i]->pattern_type);
		kdr_sandbox_put_i32(out, (int32_t)(end - i));
		for (size_t a = i; a < end; a++) {
			kdr_sandbox_put_string(out, matched[a]->principal);
			kdr_sandbox_put_string(out, matched[a]->host);
			kdr_sandbox_put_i8(out, matched[a]->operation);
			kdr_sandbox_put_i8(out, matched[a]->permission);
		}
		groups++;
		i = end;
	}
	kdr_sandbox_patch_i32(out, count_pos, groups);
	free(matched);
	kdr_sandbox_result_release(&res);
	return 0;
}

static void acl_release(struct kdr_sandbox_acl *acl)
{
	free(acl->resource_name);
	free(acl->principal);
	free(acl->host);
}

int kdr_sandbox_handle_delete_acls(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	int32_t n = kdr_sandbox_read_array_len(r, false, 9);
	struct acl_filter *filters = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*filters)) : NULL;

	for (int32_t i = 0; i < n && !r->bad; i++)
		read_filter(req, &filters[i], true);
	if (r->bad)
		return -1;

	kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n);
	for (int32_t i = 0; i < n; i++) {
		struct kdr_sandbox_result res = {0, NULL};
		size_t count_pos = 0;
		int32_t count = 0;
		size_t kept = 0;

		if (req->injected)
			kdr_sandbox_result_set(&res, req->injected, "injected by the sandbox");
		else if (cl->no_authorizer)
			kdr_sandbox_result_set(&res, SECURITY_DISABLED, NO_AUTHORIZER);
		else
			(void)validate_filter(&filters[i], &res);
		kdr_sandbox_put_i16(out, res.error);
		kdr_sandbox_put_string(out, res.message);
		count_pos = out->len;
		kdr_sandbox_put_i32(out, 0);
		for (size_t a = 0; a < cl->n_acls; a++) {
			struct kdr_sandbox_acl *acl = &cl->acls[a];

			if (res.error || !filter_matches(&filters[i], acl) ||
			    (req->version == 0 && acl->pattern_type != PATTERN_LITERAL)) {
				cl->acls[kept++] = *acl;
				continue;
			}
			kdr_sandbox_put_i16(out, 0);
			kdr_sandbox_put_string(out, NULL);
			kdr_sandbox_put_i8(out, acl->resource_type);
			kdr_sandbox_put_string(out, acl->resource_name);
			if (req->version >= 1)
				kdr_sandbox_put_i8(out, acl->pattern_type);
			kdr_sandbox_put_string(out, acl->principal);
			kdr_sandbox_put_string(out, acl->host);
			kdr_sandbox_put_i8(out, acl->operation);
			kdr_sandbox_put_i8(out, acl->permission);
			acl_release(acl);
			count++;
		}
		cl->n_acls = kept;
		kdr_sandbox_patch_i32(out, count_pos, count);
		kdr_sandbox_result_release(&res);
	}
	return 0;
}
