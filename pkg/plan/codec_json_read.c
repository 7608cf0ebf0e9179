#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/codec_json.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json_read.h"

/*
 * Reads a saved plan (docs/plan-json.md) back for `kdr apply PLAN.json`.
 * The file may have been edited or corrupted between plan and apply, so
 * every field is type- and range-checked and an error names the file and the
 * JSON path of the first bad field. Unknown fields are ignored (version 1
 * only ever gains fields).
 */

#define PATH_SIZE 256
#define N_ACTION_KINDS KDR_ACTION_KIND_COUNT
#define N_RISKS (KDR_RISK_IRREVERSIBLE + 1)
#define N_BLOCKED_KINDS KDR_BLOCKED_KIND_COUNT
#define N_NOTE_KINDS (KDR_NOTE_WARNING + 1)

enum field_flags {
	OPTIONAL = 0,
	REQUIRED = 1, /* must be present */
	NULLABLE = 2, /* may be null */
};

struct reader {
	const char *label;
	const char *action_kinds[N_ACTION_KINDS];
	const char *risks[N_RISKS];
	const char *blocked_kinds[N_BLOCKED_KINDS];
	const char *note_kinds[N_NOTE_KINDS];
};

static int fail(const struct reader *r, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(const struct reader *r, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc = 0;

	va_start(ap, fmt);
	rc = kdr_json_vfail(r->label, path, fmt, ap);
	va_end(ap);
	return rc;
}

static int type_error(const struct reader *r, const char *path, const char *expected, const json_t *found)
{
	return kdr_json_fail_type(r->label, path, expected, found);
}

static void path_key(char *out, const char *parent, const char *key)
{
	snprintf(out, PATH_SIZE, "%s%s%s", parent, *parent ? "." : "", key);
}

static void path_index(char *out, const char *parent, size_t index)
{
	snprintf(out, PATH_SIZE, "%s[%zu]", parent, index);
}

/*
 * The member `key` of `obj`, checked for presence and type. *out is NULL
 * when it is absent or null (and that is allowed).
 */
static int member(json_t **out, const struct reader *r, const json_t *obj, const char *parent, const char *key,
		  json_type type, int flags)
{
	json_t *value = json_object_get(obj, key);
	char path[PATH_SIZE] = "";

	*out = NULL;
	path_key(path, parent, key);
	if (!value) {
		if (flags & REQUIRED)
			return fail(r, path, "missing (%s is required)", kdr_json_kind_name(type));
		return 0;
	}
	if (json_is_null(value)) {
		if (flags & NULLABLE)
			return 0;
		return type_error(r, path, kdr_json_kind_name(type), value);
	}
	if (json_typeof(value) != type && !(type == JSON_TRUE && json_is_boolean(value)))
		return type_error(r, path, kdr_json_kind_name(type), value);
	*out = value;
	return 0;
}

static int read_string(char **out, const struct reader *r, const json_t *obj, const char *parent, const char *key,
		       int flags)
{
	json_t *value = NULL;
	int rc = member(&value, r, obj, parent, key, JSON_STRING, flags);

	*out = value ? kdr_strdup(json_string_value(value)) : NULL;
	return rc;
}

static int check_int(long long *out, const struct reader *r, const json_t *value, const char *path, long long min,
		     long long max)
{
	long long n = 0;

	if (!json_is_integer(value))
		return type_error(r, path, "an integer", value);
	n = (long long)json_integer_value(value);
	if (n < min || n > max)
		return fail(r, path, "%lld is out of range (%lld..%lld)", n, min, max);
	*out = n;
	return 0;
}

static int read_int(long long *out, const struct reader *r, const json_t *obj, const char *parent, const char *key,
		    int flags, long long min, long long max)
{
	json_t *value = NULL;
	char path[PATH_SIZE] = "";
	int rc = member(&value, r, obj, parent, key, JSON_INTEGER, flags);

	*out = 0;
	if (rc < 0 || !value)
		return rc;
	path_key(path, parent, key);
	return check_int(out, r, value, path, min, max);
}

static int read_bool(bool *out, const struct reader *r, const json_t *obj, const char *parent, const char *key,
		     int flags)
{
	json_t *value = NULL;
	int rc = member(&value, r, obj, parent, key, JSON_TRUE, flags);

	*out = value && json_is_true(value);
	return rc;
}

static int read_enum(int *out, const struct reader *r, const json_t *obj, const char *parent, const char *key,
		     const char *const *names, size_t n)
{
	json_t *value = NULL;
	char path[PATH_SIZE] = "";
	struct kdr_buf allowed = KDR_BUF_INIT;
	int rc = member(&value, r, obj, parent, key, JSON_STRING, REQUIRED);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], json_string_value(value)) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++)
		kdr_buf_printf(&allowed, "%s%s", i ? ", " : "", names[i]);
	path_key(path, parent, key);
	rc = fail(r, path, "unknown value '%s' (allowed: %s)", json_string_value(value), allowed.ptr);
	kdr_buf_release(&allowed);
	return rc;
}

/* An object of strings into a map; `counts` also accepts integers (placement counts). */
static int read_string_map(struct kdr_strmap *out, const struct reader *r, const json_t *obj, const char *parent,
			   const char *key, bool counts)
{
	json_t *map = NULL;
	const char *name = NULL;
	json_t *value = NULL;
	char path[PATH_SIZE] = "";
	char item[PATH_SIZE] = "";
	int rc = member(&map, r, obj, parent, key, JSON_OBJECT, OPTIONAL);

	if (rc < 0 || !map)
		return rc;
	path_key(path, parent, key);
	json_object_foreach (map, name, value) {
		if (json_is_string(value)) {
			kdr_strmap_set(out, name, json_string_value(value));
		} else if (counts && json_is_integer(value)) {
			char text[32] = "";

			snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(value));
			kdr_strmap_set(out, name, text);
		} else {
			path_key(item, path, name);
			return type_error(r, item, counts ? "an integer" : "a string", value);
		}
	}
	return 0;
}

static int read_assignment(struct kdr_assignment *out, const struct reader *r, const json_t *obj, const char *parent)
{
	json_t *array = NULL;
	char path[PATH_SIZE] = "";
	char item[PATH_SIZE] = "";
	char id_path[PATH_SIZE] = "";
	int rc = member(&array, r, obj, parent, "assignment", JSON_ARRAY, OPTIONAL);

	if (rc < 0 || !array)
		return rc;
	path_key(path, parent, "assignment");
	out->n = json_array_size(array);
	out->partitions = kdr_calloc(out->n ? out->n : 1, sizeof(*out->partitions));
	for (size_t p = 0; p < out->n; p++) {
		json_t *replicas = json_array_get(array, p);
		struct kdr_replica_list *list = &out->partitions[p];

		path_index(item, path, p);
		if (!json_is_array(replicas))
			return type_error(r, item, "an array of broker ids", replicas);
		list->ids = kdr_calloc(json_array_size(replicas) ? json_array_size(replicas) : 1, sizeof(int32_t));
		for (size_t i = 0; i < json_array_size(replicas); i++) {
			long long id = 0;

			path_index(id_path, item, i);
			rc = check_int(&id, r, json_array_get(replicas, i), id_path, 0, INT32_MAX);
			if (rc < 0)
				return rc;
			list->ids[list->n++] = (int32_t)id;
		}
	}
	return 0;
}

static int read_dc_loss(struct kdr_placement_summary *out, const struct reader *r, const json_t *placement,
			const char *parent)
{
	json_t *dc_loss = NULL;
	json_t *list = NULL;
	char path[PATH_SIZE] = "";
	char list_path[PATH_SIZE] = "";
	char item[PATH_SIZE] = "";
	int rc = member(&dc_loss, r, placement, parent, "dcLoss", JSON_OBJECT, OPTIONAL);

	if (rc < 0 || !dc_loss)
		return rc;
	out->has_dc_loss = true;
	path_key(path, parent, "dcLoss");
	rc = read_bool(&out->dc_loss.survives_any_single_dc_loss, r, dc_loss, path, "survivesAnySingleDcLoss",
		       REQUIRED);
	if (rc >= 0)
		rc = member(&list, r, dc_loss, path, "datacenters", JSON_ARRAY, OPTIONAL);
	if (rc < 0 || !list)
		return rc;
	path_key(list_path, path, "datacenters");
	out->dc_loss.v = kdr_calloc(json_array_size(list) ? json_array_size(list) : 1, sizeof(*out->dc_loss.v));
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *entry = json_array_get(list, i);
		struct kdr_dc_loss *loss = &out->dc_loss.v[i];
		long long left = 0;

		out->dc_loss.n++;
		path_index(item, list_path, i);
		if (!json_is_object(entry))
			return type_error(r, item, "an object", entry);
		rc = read_string(&loss->datacenter, r, entry, item, "datacenter", REQUIRED);
		if (rc >= 0)
			rc = read_int(&left, r, entry, item, "minReplicasLeft", REQUIRED, 0, INT32_MAX);
		if (rc >= 0)
			rc = read_bool(&loss->survives, r, entry, item, "survives", REQUIRED);
		if (rc < 0)
			return rc;
		loss->min_replicas_left = (size_t)left;
	}
	return 0;
}

static int read_placement(struct kdr_placement_summary *out, const struct reader *r, const json_t *obj,
			  const char *parent)
{
	json_t *placement = NULL;
	char path[PATH_SIZE] = "";
	long long min_isr = 0;
	int rc = member(&placement, r, obj, parent, "placement", JSON_OBJECT, OPTIONAL);

	if (rc < 0 || !placement)
		return rc;
	path_key(path, parent, "placement");
	rc = read_string_map(&out->replicas_per_dc, r, placement, path, "replicasPerDatacenter", true);
	if (rc >= 0)
		rc = read_string_map(&out->replicas_per_rack, r, placement, path, "replicasPerRack", true);
	if (rc >= 0)
		rc = read_int(&min_isr, r, placement, path, "minInsyncReplicas", OPTIONAL, 0, INT32_MAX);
	if (rc >= 0)
		rc = read_dc_loss(out, r, placement, path);
	out->min_insync_replicas = min_isr;
	return rc;
}

/* "old"/"new" of a change: absent -> NULL, null -> a secret (KDR_REDACTED), else the string. */
static int read_change_value(char **out, const struct reader *r, const json_t *obj, const char *parent,
			     const char *key, bool sensitive)
{
	json_t *value = json_object_get(obj, key);
	char path[PATH_SIZE] = "";

	*out = NULL;
	if (!value)
		return 0;
	path_key(path, parent, key);
	if (json_is_null(value)) {
		if (!sensitive)
			return fail(r, path, "null is only written for a sensitive change (absent means unset)");
		*out = kdr_strdup(KDR_REDACTED);
		return 0;
	}
	if (!json_is_string(value))
		return type_error(r, path, "a string", value);
	*out = kdr_strdup(json_string_value(value));
	return 0;
}

static int read_changes(struct kdr_action *action, const struct reader *r, const json_t *obj, const char *parent)
{
	json_t *array = NULL;
	char path[PATH_SIZE] = "";
	char item[PATH_SIZE] = "";
	int rc = member(&array, r, obj, parent, "changes", JSON_ARRAY, OPTIONAL);

	if (rc < 0 || !array || !json_array_size(array))
		return rc;
	path_key(path, parent, "changes");
	action->changes = kdr_calloc(json_array_size(array), sizeof(*action->changes));
	for (size_t i = 0; i < json_array_size(array); i++) {
		json_t *entry = json_array_get(array, i);
		struct kdr_config_change *change = &action->changes[i];

		action->n_changes++;
		path_index(item, path, i);
		if (!json_is_object(entry))
			return type_error(r, item, "an object", entry);
		rc = read_string(&change->key, r, entry, item, "key", REQUIRED);
		if (rc >= 0)
			rc = read_bool(&change->sensitive, r, entry, item, "sensitive", OPTIONAL);
		if (rc >= 0)
			rc = read_change_value(&change->old_value, r, entry, item, "old", change->sensitive);
		if (rc >= 0)
			rc = read_change_value(&change->new_value, r, entry, item, "new", change->sensitive);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* After the changes: a null config value is a secret, and only a secret may be null. */
static int read_config(struct kdr_action *action, const struct reader *r, const json_t *obj, const char *parent)
{
	json_t *map = NULL;
	const char *key = NULL;
	json_t *value = NULL;
	char path[PATH_SIZE] = "";
	char item[PATH_SIZE] = "";
	int rc = member(&map, r, obj, parent, "config", JSON_OBJECT, OPTIONAL);

	if (rc < 0 || !map)
		return rc;
	path_key(path, parent, "config");
	json_object_foreach (map, key, value) {
		path_key(item, path, key);
		if (json_is_string(value)) {
			kdr_strmap_set(&action->config, key, json_string_value(value));
		} else if (json_is_null(value)) {
			if (!kdr_plan_config_is_redacted(action, key))
				return fail(r, item, "null, but '%s' is not a sensitive key", key);
			kdr_strmap_set(&action->config, key, KDR_REDACTED);
		} else {
			return type_error(r, item, "a string", value);
		}
	}
	return 0;
}

static int read_tasks(struct kdr_action *action, const struct reader *r, const json_t *obj, const char *parent)
{
	json_t *array = NULL;
	char path[PATH_SIZE] = "";
	char item[PATH_SIZE] = "";
	int rc = member(&array, r, obj, parent, "tasks", JSON_ARRAY, OPTIONAL);

	if (rc < 0 || !array || !json_array_size(array))
		return rc;
	path_key(path, parent, "tasks");
	action->task_ids = kdr_calloc(json_array_size(array), sizeof(*action->task_ids));
	for (size_t i = 0; i < json_array_size(array); i++) {
		long long id = 0;

		path_index(item, path, i);
		rc = check_int(&id, r, json_array_get(array, i), item, 0, INT32_MAX);
		if (rc < 0)
			return rc;
		action->task_ids[action->n_task_ids++] = (int32_t)id;
	}
	return 0;
}

/* The "acl" object of create-acl / delete-acl: every field required, kdr's names (model/acl.h). */
static int read_acl(struct kdr_action *action, const struct reader *r, const json_t *obj, const char *parent)
{
	json_t *acl = NULL;
	char path[PATH_SIZE] = "";
	char *type = NULL, *pattern = NULL, *op = NULL, *permission = NULL;
	int rc = member(&acl, r, obj, parent, "acl", JSON_OBJECT, REQUIRED);

	if (rc < 0)
		return rc;
	path_key(path, parent, "acl");
	rc = read_string(&action->acl.principal, r, acl, path, "principal", REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->acl.host, r, acl, path, "host", REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->acl.resource_name, r, acl, path, "resourceName", REQUIRED);
	if (rc >= 0)
		rc = read_string(&type, r, acl, path, "resourceType", REQUIRED);
	if (rc >= 0)
		rc = read_string(&pattern, r, acl, path, "pattern", REQUIRED);
	if (rc >= 0)
		rc = read_string(&op, r, acl, path, "operation", REQUIRED);
	if (rc >= 0)
		rc = read_string(&permission, r, acl, path, "permission", REQUIRED);
	if (rc >= 0 && (kdr_acl_resource_type_parse(&action->acl.resource_type, type) != 0 ||
			kdr_acl_pattern_parse(&action->acl.pattern, pattern) != 0 ||
			kdr_acl_operation_parse(&action->acl.operation, op) != 0 ||
			kdr_acl_permission_parse(&action->acl.permission, permission) != 0)) {
		char *why = kdr_strdup(kdr_error_message());

		rc = fail(r, path, "%s", why);
		free(why);
	}
	free(type);
	free(pattern);
	free(op);
	free(permission);
	return rc;
}

static int read_action(struct kdr_action *action, const struct reader *r, const json_t *obj, const char *path)
{
	int kind = 0;
	int risk = 0;
	long long n = 0;
	int rc = 0;

	if (!json_is_object(obj))
		return type_error(r, path, "an object", obj);
	rc = read_enum(&kind, r, obj, path, "kind", r->action_kinds, N_ACTION_KINDS);
	if (rc >= 0)
		rc = read_enum(&risk, r, obj, path, "risk", r->risks, N_RISKS);
	action->kind = (enum kdr_action_kind)kind;
	action->risk = (enum kdr_risk)risk;
	if (rc >= 0)
		rc = read_string(&action->cluster, r, obj, path, "cluster", REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->resource, r, obj, path, "resource", REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->policy, r, obj, path, "policy", NULLABLE);
	if (rc >= 0)
		rc = read_string(&action->reason, r, obj, path, "reason", NULLABLE);
	if (rc >= 0)
		rc = read_string(&action->after, r, obj, path, "after", OPTIONAL);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TOPIC_SHAPE)) {
		rc = read_int(&n, r, obj, path, "partitions", REQUIRED, 1, INT32_MAX);
		action->partitions = n;
		if (rc >= 0)
			rc = read_int(&n, r, obj, path, "replicationFactor", OPTIONAL, 1, INT16_MAX);
		action->replication_factor = n;
		if (rc >= 0)
			rc = read_assignment(&action->assignment, r, obj, path);
		if (rc >= 0)
			rc = read_placement(&action->placement, r, obj, path);
	}
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_CHANGES))
		rc = read_changes(action, r, obj, path);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_CONFIG))
		rc = read_config(action, r, obj, path);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TASKS))
		rc = read_tasks(action, r, obj, path);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_ACL))
		rc = read_acl(action, r, obj, path);
	return rc;
}

static int read_blocked(struct kdr_blocked *blocked, const struct reader *r, const json_t *obj, const char *path)
{
	int kind = 0;
	json_t *reassignment = NULL;
	char item[PATH_SIZE] = "";
	int rc = 0;

	if (!json_is_object(obj))
		return type_error(r, path, "an object", obj);
	rc = read_enum(&kind, r, obj, path, "kind", r->blocked_kinds, N_BLOCKED_KINDS);
	blocked->kind = (enum kdr_blocked_kind)kind;
	if (rc >= 0)
		rc = read_string(&blocked->cluster, r, obj, path, "cluster", NULLABLE);
	if (rc >= 0)
		rc = read_string(&blocked->resource, r, obj, path, "resource", NULLABLE);
	if (rc >= 0)
		rc = read_string(&blocked->policy, r, obj, path, "policy", NULLABLE);
	if (rc >= 0)
		rc = read_string(&blocked->reason, r, obj, path, "reason", NULLABLE);
	if (rc < 0)
		return rc;
	reassignment = json_object_get(obj, "reassignment");
	if (!reassignment || json_is_null(reassignment))
		return 0;
	if (json_is_object(reassignment) || json_is_array(reassignment)) {
		/* Kept as the document text the plan carries; rendering pretty-prints it again. */
		blocked->reassignment_json = json_dumps(reassignment, JSON_COMPACT);
		if (!blocked->reassignment_json)
			abort(); /* jansson fails only on out-of-memory here */
		return 0;
	}
	if (json_is_string(reassignment)) {
		blocked->reassignment_json = kdr_strdup(json_string_value(reassignment));
		return 0;
	}
	path_key(item, path, "reassignment");
	return type_error(r, item, "an object", reassignment);
}

static int read_note(struct kdr_note *note, const struct reader *r, const json_t *obj, const char *path)
{
	int kind = 0;
	int rc = 0;

	if (!json_is_object(obj))
		return type_error(r, path, "an object", obj);
	rc = read_enum(&kind, r, obj, path, "kind", r->note_kinds, N_NOTE_KINDS);
	note->kind = (enum kdr_note_kind)kind;
	if (rc >= 0)
		rc = read_string(&note->cluster, r, obj, path, "cluster", NULLABLE);
	if (rc >= 0)
		rc = read_string(&note->resource, r, obj, path, "resource", NULLABLE);
	if (rc >= 0)
		rc = read_string(&note->message, r, obj, path, "message", REQUIRED);
	return rc;
}

static int read_version(const struct reader *r, const json_t *root)
{
	json_t *version = json_object_get(root, "kdrPlan");

	if (!version)
		return fail(r, "kdrPlan", "missing: not a kdr plan");
	if (!json_is_integer(version))
		return type_error(r, "kdrPlan", "an integer", version);
	if (json_integer_value(version) != 1)
		return kdr_error_set(KDR_EUNSUPPORTED,
				     "%s: kdrPlan: plan format version %lld is not supported (this kdr reads 1)",
				     r->label, (long long)json_integer_value(version));
	return 0;
}

static void reader_init(struct reader *r, const char *label)
{
	memset(r, 0, sizeof(*r));
	r->label = label && *label ? label : "plan";
	for (size_t i = 0; i < N_ACTION_KINDS; i++)
		r->action_kinds[i] = kdr_action_kind_name((enum kdr_action_kind)i);
	for (size_t i = 0; i < N_RISKS; i++)
		r->risks[i] = kdr_risk_name((enum kdr_risk)i);
	for (size_t i = 0; i < N_BLOCKED_KINDS; i++)
		r->blocked_kinds[i] = kdr_blocked_kind_name((enum kdr_blocked_kind)i);
	for (size_t i = 0; i < N_NOTE_KINDS; i++)
		r->note_kinds[i] = kdr_note_kind_name((enum kdr_note_kind)i);
}

int kdr_plan_from_json(struct kdr_plan *out, const char *text, size_t len, const char *label)
{
	struct reader r = { 0 };
	json_error_t error = { 0 };
	json_t *root = NULL;
	json_t *array = NULL;
	char path[PATH_SIZE] = "";
	int rc = 0;

	memset(out, 0, sizeof(*out));
	reader_init(&r, label);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
	if (!root) {
		rc = kdr_error_set(KDR_EINVALID, "%s:%d:%d: invalid JSON: %s", r.label, error.line, error.column,
				   error.text);
		goto cleanup;
	}
	if (!json_is_object(root)) {
		rc = type_error(&r, "", "an object", root);
		goto cleanup;
	}
	rc = read_version(&r, root);
	if (rc >= 0)
		rc = read_string(&out->revision, &r, root, "", "revision", NULLABLE);
	if (rc >= 0)
		rc = read_string_map(&out->fingerprints, &r, root, "", "fingerprints", false);
	if (rc >= 0)
		rc = member(&array, &r, root, "", "actions", JSON_ARRAY, REQUIRED);
	if (rc < 0)
		goto cleanup;
	/* Counted before filling, so that a failure halfway releases what was read. */
	out->n_actions = out->cap_actions = json_array_size(array);
	out->actions = out->n_actions ? kdr_calloc(out->n_actions, sizeof(*out->actions)) : NULL;
	for (size_t i = 0; rc >= 0 && i < out->n_actions; i++) {
		path_index(path, "actions", i);
		rc = read_action(&out->actions[i], &r, json_array_get(array, i), path);
	}
	if (rc >= 0)
		rc = member(&array, &r, root, "", "blocked", JSON_ARRAY, OPTIONAL);
	if (rc >= 0 && array) {
		out->n_blocked = out->cap_blocked = json_array_size(array);
		out->blocked = out->n_blocked ? kdr_calloc(out->n_blocked, sizeof(*out->blocked)) : NULL;
		for (size_t i = 0; rc >= 0 && i < out->n_blocked; i++) {
			path_index(path, "blocked", i);
			rc = read_blocked(&out->blocked[i], &r, json_array_get(array, i), path);
		}
	}
	if (rc >= 0)
		rc = member(&array, &r, root, "", "notes", JSON_ARRAY, OPTIONAL);
	if (rc >= 0 && array) {
		out->n_notes = out->cap_notes = json_array_size(array);
		out->notes = out->n_notes ? kdr_calloc(out->n_notes, sizeof(*out->notes)) : NULL;
		for (size_t i = 0; rc >= 0 && i < out->n_notes; i++) {
			path_index(path, "notes", i);
			rc = read_note(&out->notes[i], &r, json_array_get(array, i), path);
		}
	}

cleanup:
	if (rc < 0) {
		kdr_plan_release(out);
		memset(out, 0, sizeof(*out));
	}
	json_decref(root);
	return rc;
}
