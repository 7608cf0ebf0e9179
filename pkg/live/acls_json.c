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

static int fail(const char *label, const char *path, size_t index, const char *field, const char *message)
{
	if (field)
		return kdr_error_set(KDR_EINVALID, "%s: %s.acls[%zu].%s: %s", label, path, index, field, message);
	return kdr_error_set(KDR_EINVALID, "%s: %s.acls[%zu]: %s", label, path, index, message);
}

/* kdr_error_set reuses the buffer kdr_error_message lends: copy the parser's message first. */
static int fail_parse(const char *label, const char *path, size_t index, const char *field)
{
	char *message = kdr_strdup(kdr_error_message());
	int rc = fail(label, path, index, field, message);

	free(message);
	return rc;
}

static int read_text(const char **out, const json_t *obj, const char *key, bool required, const char *label,
		     const char *path, size_t index)
{
	const json_t *value = json_object_get(obj, key);

	*out = NULL;
	if (!value && !required)
		return 0;
	if (!value)
		return fail(label, path, index, key, "missing field");
	if (!json_is_string(value))
		return fail(label, path, index, key, "expected a string");
	*out = json_string_value(value);
	return 0;
}

static int read_binding(struct kdr_acl *out, const json_t *value, const char *label, const char *path, size_t index)
{
	static const char *const fields[] = { "principal", "host",	"resourceType", "resourceName",
					      "pattern",   "operation", "permission",   NULL };
	const char *principal = NULL, *host = NULL, *type = NULL, *name = NULL, *pattern = NULL, *op = NULL,
		   *permission = NULL;
	const char *key = NULL;
	json_t *item = NULL;
	int rc = 0;

	if (!json_is_object(value))
		return fail(label, path, index, NULL, "expected an object");
	json_object_foreach((json_t *)value, key, item)
	{
		bool known = false;

		for (size_t i = 0; fields[i]; i++)
			known = known || strcmp(fields[i], key) == 0;
		if (!known)
			return fail(label, path, index, key,
				    "unknown field (allowed: principal, host, resourceType, resourceName, pattern, "
				    "operation, permission)");
	}
	if ((rc = read_text(&principal, value, "principal", true, label, path, index)) ||
	    (rc = read_text(&host, value, "host", false, label, path, index)) ||
	    (rc = read_text(&type, value, "resourceType", true, label, path, index)) ||
	    (rc = read_text(&name, value, "resourceName", true, label, path, index)) ||
	    (rc = read_text(&pattern, value, "pattern", false, label, path, index)) ||
	    (rc = read_text(&op, value, "operation", true, label, path, index)) ||
	    (rc = read_text(&permission, value, "permission", true, label, path, index)))
		return rc;
	memset(out, 0, sizeof(*out));
	if (kdr_acl_resource_type_parse(&out->resource_type, type) != 0)
		return fail_parse(label, path, index, "resourceType");
	if (pattern && kdr_acl_pattern_parse(&out->pattern, pattern) != 0)
		return fail_parse(label, path, index, "pattern");
	if (kdr_acl_operation_parse(&out->operation, op) != 0)
		return fail_parse(label, path, index, "operation");
	if (kdr_acl_permission_parse(&out->permission, permission) != 0)
		return fail_parse(label, path, index, "permission");
	out->principal = kdr_strdup(principal);
	out->host = kdr_strdup(host ? host : "*");
	out->resource_name = kdr_strdup(name);
	return 0;
}

int kdr_live__acls_from_json(struct kdr_live_cluster *cl, const json_t *cluster, const char *label,
			     const char *path)
{
	const json_t *acls = json_object_get(cluster, "acls");
	const json_t *error = json_object_get(cluster, "aclsError");
	const json_t *no_authorizer = json_object_get(cluster, "aclsNoAuthorizer");

	if (error && !json_is_null(error)) {
		if (!json_is_string(error))
			return kdr_error_set(KDR_EINVALID, "%s: %s.aclsError: expected a string or null", label, path);
		cl->acls_error = kdr_strdup(json_string_value(error));
	}
	if (no_authorizer && !json_is_null(no_authorizer)) {
		if (!json_is_boolean(no_authorizer))
			return kdr_error_set(KDR_EINVALID, "%s: %s.aclsNoAuthorizer: expected a boolean or null", label,
					     path);
		cl->acls_no_authorizer = json_is_true(no_authorizer);
	}
	if (!acls || json_is_null(acls))
		return 0;
	if (!json_is_array(acls))
		return kdr_error_set(KDR_EINVALID, "%s: %s.acls: expected an array or null", label, path);
	cl->acls_read = true;
	for (size_t i = 0; i < json_array_size(acls); i++) {
		struct kdr_acl acl;
		int rc = read_binding(&acl, json_array_get(acls, i), label, path, i);

		if (rc)
			return rc;
		cl->acls.v = kdr_grow(cl->acls.v, &cl->acls.cap, cl->acls.n + 1, sizeof(*cl->acls.v));
		cl->acls.v[cl->acls.n++] = acl;
	}
	kdr_acl_list_sort(&cl->acls);
	return 0;
}

static void indent(struct kdr_buf *out, int level)
{
	for (int i = 0; i < level; i++)
		kdr_buf_puts(out, "  ");
}

void kdr_live__acls_to_json(struct kdr_buf *out, const struct kdr_live_cluster *cl, int level)
{
	struct kdr_acl_list sorted = { 0 };

	if (cl->acls_read) {
		/* The snapshot is const and may come unsorted from a caller: write a sorted copy. */
		kdr_acl_list_copy(&sorted, &cl->acls);
		kdr_acl_list_sort(&sorted);
		kdr_buf_puts(out, ",\n");
		indent(out, level);
		kdr_buf_puts(out, "\"acls\": [");
		for (size_t i = 0; i < sorted.n; i++) {
			const struct kdr_acl *acl = &sorted.v[i];

			kdr_buf_puts(out, i ? ",\n" : "\n");
			indent(out, level + 1);
			kdr_buf_puts(out, "{\"principal\": ");
			kdr_buf_put_json_string(out, acl->principal ? acl->principal : "");
			kdr_buf_puts(out, ", \"host\": ");
			kdr_buf_put_json_string(out, acl->host ? acl->host : "*");
			kdr_buf_printf(out, ", \"resourceType\": \"%s\", \"resourceName\": ",
				       kdr_acl_resource_type_name(acl->resource_type));
			kdr_buf_put_json_string(out, acl->resource_name ? acl->resource_name : "");
			kdr_buf_printf(out, ", \"pattern\": \"%s\", \"operation\": \"%s\", \"permission\": \"%s\"}",
				       kdr_acl_pattern_name(acl->pattern), kdr_acl_operation_name(acl->operation),
				       kdr_acl_permission_name(acl->permission));
		}
		if (sorted.n) {
			kdr_buf_putc(out, '\n');
			indent(out, level);
		}
		kdr_buf_putc(out, ']');
		kdr_acl_list_release(&sorted);
	}
	if (cl->acls_error) {
		kdr_buf_puts(out, ",\n");
		indent(out, level);
		kdr_buf_puts(out, "\"aclsError\": ");
		kdr_buf_put_json_string(out, cl->acls_error);
	}
	if (cl->acls_no_authorizer) {
		kdr_buf_puts(out, ",\n");
		indent(out, level);
		kdr_buf_puts(out, "\"aclsNoAuthorizer\": true");
	}
}
