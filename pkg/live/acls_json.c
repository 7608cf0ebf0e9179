/*
 * The ACLs of a cluster in the snapshot file (docs/snapshot-format.md):
 *
 *   "acls": [{"principal": "User:billing", "host": "*", "resourceType": "topic",
 *             "resourceName": "orders", "pattern": "literal", "operation": "read",
 *             "permission": "allow"}, ...],
 *   "aclsError": "no authorizer (SECURITY_DISABLED): ..."
 *
 * "acls" is written only when the ACLs were read (an empty list: read, none
 * there); a snapshot without it says nothing about ACLs, and a plan that
 * needs them reports the cluster's ACLs as unknown. Names are kdr's
 * (pkg/model/acl.h). Every field of a binding is required except "host"
 * ("*") and "pattern" ("literal").
 */
#include <stdlib.h>
#include <string.h>

#include "live/live_internal.h"
#include "util/alloc.h"
#include "util/error.h"

static int read_text(const char **out, struct kdr_json_r *r, const json_t *obj, const char *key, bool required)
{
	const json_t *value = json_object_get(obj, key);

	*out = NULL;
	if (!value && !required)
		return 0;
	if (!value)
		return kdr_json_r_fail_at(r, key, "missing field");
	if (!json_is_string(value))
		return kdr_json_r_fail_at(r, key, "expected a string");
	*out = json_string_value(value);
	return 0;
}

/* A name kdr_acl_*_parse rejected: its message at PATH.key. */
static int parse_error(struct kdr_json_r *r, const char *key)
{
	return kdr_json_r_fail_at(r, key, "%s", kdr_error_message());
}

static int read_binding(struct kdr_json_r *r, void *ctx, void *item, const json_t *value)
{
	static const char *const fields[] = { "principal", "host",	"resourceType", "resourceName",
					      "pattern",   "operation", "permission",   NULL };
	struct kdr_acl *out = item;
	const char *principal = NULL, *host = NULL, *type = NULL, *name = NULL, *pattern = NULL, *op = NULL,
		   *permission = NULL;
	int rc = 0;

	(void)ctx;
	if (!json_is_object(value))
		return kdr_json_r_fail(r, "expected an object");
	if ((rc = kdr_json_r_check_fields(r, value, fields)) ||
	    (rc = read_text(&principal, r, value, "principal", true)) ||
	    (rc = read_text(&host, r, value, "host", false)) ||
	    (rc = read_text(&type, r, value, "resourceType", true)) ||
	    (rc = read_text(&name, r, value, "resourceName", true)) ||
	    (rc = read_text(&pattern, r, value, "pattern", false)) ||
	    (rc = read_text(&op, r, value, "operation", true)) ||
	    (rc = read_text(&permission, r, value, "permission", true)))
		return rc;
	if (kdr_acl_resource_type_parse(&out->resource_type, type) != 0)
		return parse_error(r, "resourceType");
	if (pattern && kdr_acl_pattern_parse(&out->pattern, pattern) != 0)
		return parse_error(r, "pattern");
	if (kdr_acl_operation_parse(&out->operation, op) != 0)
		return parse_error(r, "operation");
	if (kdr_acl_permission_parse(&out->permission, permission) != 0)
		return parse_error(r, "permission");
	out->principal = kdr_strdup(principal);
	out->host = kdr_strdup(host ? host : "*");
	out->resource_name = kdr_strdup(name);
	return 0;
}

int kdr_live__acls_from_json(struct kdr_live_cluster *cl, const json_t *cluster, struct kdr_json_r *r)
{
	const json_t *acls = json_object_get(cluster, "acls");
	const json_t *error = json_object_get(cluster, "aclsError");
	const json_t *no_authorizer = json_object_get(cluster, "aclsNoAuthorizer");
	size_t at = 0;
	int rc = 0;

	if (error && !json_is_null(error)) {
		if (!json_is_string(error))
			return kdr_json_r_fail_at(r, "aclsError", "expected a string or null");
		cl->acls_error = kdr_strdup(json_string_value(error));
	}
	if (no_authorizer && !json_is_null(no_authorizer)) {
		if (!json_is_boolean(no_authorizer))
			return kdr_json_r_fail_at(r, "aclsNoAuthorizer", "expected a boolean or null");
		cl->acls_no_authorizer = json_is_true(no_authorizer);
	}
	if (!acls || json_is_null(acls))
		return 0;
	if (!json_is_array(acls))
		return kdr_json_r_fail_at(r, "acls", "expected an array or null");
	cl->acls_read = true;
	at = kdr_json_r_push_key(r, "acls");
	rc = kdr_json_r_items(r, (void **)&cl->acls.v, &cl->acls.n, sizeof(*cl->acls.v), acls, read_binding, NULL);
	kdr_json_r_pop(r, at);
	cl->acls.cap = cl->acls.n;
	if (!rc)
		kdr_acl_list_sort(&cl->acls);
	return rc;
}

void kdr_live__acls_to_json(struct kdr_json_w *w, const struct kdr_live_cluster *cl)
{
	struct kdr_acl_list sorted = { 0 };

	if (cl->acls_read) {
		/* The snapshot is const and may come unsorted from a caller: write a sorted copy. */
		kdr_acl_list_copy(&sorted, &cl->acls);
		kdr_acl_list_sort(&sorted);
		kdr_json_w_open(w, "acls", '[', false);
		for (size_t i = 0; i < sorted.n; i++) {
			const struct kdr_acl *acl = &sorted.v[i];

			kdr_json_w_open(w, NULL, '{', true);
			kdr_json_w_string(w, "principal", acl->principal ? acl->principal : "");
			kdr_json_w_string(w, "host", acl->host ? acl->host : "*");
			kdr_json_w_string(w, "resourceType", kdr_acl_resource_type_name(acl->resource_type));
			kdr_json_w_string(w, "resourceName", acl->resource_name ? acl->resource_name : "");
			kdr_json_w_string(w, "pattern", kdr_acl_pattern_name(acl->pattern));
			kdr_json_w_string(w, "operation", kdr_acl_operation_name(acl->operation));
			kdr_json_w_string(w, "permission", kdr_acl_permission_name(acl->permission));
			kdr_json_w_close(w, '}');
		}
		kdr_json_w_close(w, ']');
		kdr_acl_list_release(&sorted);
	}
	if (cl->acls_error)
		kdr_json_w_string(w, "aclsError", cl->acls_error);
	if (cl->acls_no_authorizer)
		kdr_json_w_bool(w, "aclsNoAuthorizer", true);
}
