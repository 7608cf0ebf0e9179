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
 * JSON path of the first bad field, built as the snapshot reader builds its
 * own (util/json_read.h), from an empty root: actions[2].config["retention.ms"].
 * Unknown fields are ignored (version 1 only ever gains fields).
 */

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
	struct kdr_buf path; /* JSON path of the value being read */
	const char *action_kinds[N_ACTION_KINDS];
	const char *risks[N_RISKS];
	const char *blocked_kinds[N_BLOCKED_KINDS];
	const char *note_kinds[N_NOTE_KINDS];
};

static int fail(const struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports an error at the current path and returns KDR_EINVALID. */
static int fail(const struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int rc = 0;

	va_start(ap, fmt);
	rc = kdr_json_vfail(r->label, r->path.ptr, fmt, ap);
	va_end(ap);
	return rc;
}

static int type_error(const struct reader *r, const char *expected, const json_t *found)
{
	return kdr_json_fail_type(r->label, r->path.ptr, expected, found);
}

/* Path segments (util/json_read.h): push returns the length to pop back to. */
static size_t push_key(struct reader *r, const char *key)
{
	return kdr_json_path_push_key(&r->path, key);
}

static size_t push_index(struct reader *r, size_t index)
{
	return kdr_json_path_push_index(&r->path, index);
}

static void pop(struct reader *r, size_t len)
{
	kdr_json_path_pop(&r->path, len);
}

/*
 * The member `key` of `obj`, checked for presence and type. *out is NULL
 * when it is absent or null (and that is allowed).
 */
static int member(json_t **out, struct reader *r, const json_t *obj, const char *key, json_type type, int flags)
{
	json_t *value = json_object_get(obj, key);
	size_t at = push_key(r, key);
	int rc = 0;

	*out = NULL;
	if (!value) {
		if (flags & REQUIRED)
			rc = fail(r, "missing (%s is required)", kdr_json_kind_name(type));
	} else if (json_is_null(value)) {
		if (!(flags & NULLABLE))
			rc = type_error(r, kdr_json_kind_name(type), value);
	} else if (json_typeof(value) != type && !(type == JSON_TRUE && json_is_boolean(value))) {
		rc = type_error(r, kdr_json_kind_name(type), value);
	} else {
		*out = value;
	}
	pop(r, at);
	return rc;
}

static int read_string(char **out, struct reader *r, const json_t *obj, const char *key, int flags)
{
	json_t *value = NULL;
	int rc = member(&value, r, obj, key, JSON_STRING, flags);

	*out = value ? kdr_strdup(json_string_value(value)) : NULL;
	return rc;
}

/* `value` (at the current path) as an integer in min..max. */
static int check_int(long long *out, const struct reader *r, const json_t *value, long long min, long long max)
{
	long long n = 0;

	if (!json_is_integer(value))
		return type_error(r, "an integer", value);
	n = (long long)json_integer_value(value);
	if (n < min || n > max)
		return fail(r, "%lld is out of range (%lld..%lld)", n, min, max);
	*out = n;
	return 0;
}

static int read_int(long long *out, struct reader *r, const json_t *obj, const char *key, int flags, long long min,
		    long long max)
{
	json_t *value = NULL;
	size_t at = 0;
	int rc = member(&value, r, obj, key, JSON_INTEGER, flags);

	*out = 0;
	if (rc < 0 || !value)
		return rc;
	at = push_key(r, key);
	rc = check_int(out, r, value, min, max);
	pop(r, at);
	return rc;
}

static int read_bool(bool *out, struct reader *r, const json_t *obj, const char *key, int flags)
{
	json_t *value = NULL;
	int rc = member(&value, r, obj, key, JSON_TRUE, flags);

	*out = value && json_is_true(value);
	return rc;
}

static int read_enum(int *out, struct reader *r, const json_t *obj, const char *key, const char *const *names, size_t n)
{
	json_t *value = NULL;
	size_t at = 0;
	struct kdr_buf allowed = KDR_BUF_INIT;
	int rc = member(&value, r, obj, key, JSON_STRING, REQUIRED);

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
	at = push_key(r, key);
	rc = fail(r, "unknown value '%s' (allowed: %s)", json_string_value(value), allowed.ptr);
	pop(r, at);
	kdr_buf_release(&allowed);
	return rc;
}

/* An object of strings into a map; `counts` also accepts integers (placement counts). */
static int read_string_map(struct kdr_strmap *out, struct reader *r, const json_t *obj, const char *key, bool counts)
{
	json_t *map = NULL;
	const char *name = NULL;
	json_t *value = NULL;
	size_t at = 0;
	int rc = member(&map, r, obj, key, JSON_OBJECT, OPTIONAL);

	if (rc < 0 || !map)
		return rc;
	at = push_key(r, key);
	json_object_foreach (map, name, value) {
		if (json_is_string(value)) {
			kdr_strmap_set(out, name, json_string_value(value));
		} else if (counts && json_is_integer(value)) {
			char text[32] = "";

			snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(value));
			kdr_strmap_set(out, name, text);
		} else {
			push_key(r, name);
			rc = type_error(r, counts ? "an integer" : "a string", value);
			break;
		}
	}
	pop(r, at);
	return rc;
}

static int read_replicas(struct kdr_replica_list *list, struct reader *r, const json_t *replicas)
{
	int rc = 0;

	if (!json_is_array(replicas))
		return type_error(r, "an array of broker ids", replicas);
	list->ids = kdr_calloc(json_array_size(replicas) ? json_array_size(replicas) : 1, sizeof(int32_t));
	for (size_t i = 0; rc >= 0 && i < json_array_size(replicas); i++) {
		size_t at = push_index(r, i);
		long long id = 0;

		rc = check_int(&id, r, json_array_get(replicas, i), 0, INT32_MAX);
		if (rc >= 0)
			list->ids[list->n++] = (int32_t)id;
		pop(r, at);
	}
	return rc;
}

static int read_assignment(struct kdr_assignment *out, struct reader *r, const json_t *obj)
{
	json_t *array = NULL;
	size_t at = 0;
	int rc = member(&array, r, obj, "assignment", JSON_ARRAY, OPTIONAL);

	if (rc < 0 || !array)
		return rc;
	at = push_key(r, "assignment");
	out->n = json_array_size(array);
	out->partitions = kdr_calloc(out->n ? out->n : 1, sizeof(*out->partitions));
	for (size_t p = 0; rc >= 0 && p < out->n; p++) {
		size_t item = push_index(r, p);

		rc = read_replicas(&out->partitions[p], r, json_array_get(array, p));
		pop(r, item);
	}
	pop(r, at);
	return rc;
}

static int read_dc_loss_entry(struct kdr_dc_loss *loss, struct reader *r, const json_t *entry)
{
	long long left = 0;
	int rc = 0;

	if (!json_is_object(entry))
		return type_error(r, "an object", entry);
	rc = read_string(&loss->datacenter, r, entry, "datacenter", REQUIRED);
	if (rc >= 0)
		rc = read_int(&left, r, entry, "minReplicasLeft", REQUIRED, 0, INT32_MAX);
	if (rc >= 0)
		rc = read_bool(&loss->survives, r, entry, "survives", REQUIRED);
	loss->min_replicas_left = (size_t)left;
	return rc;
}

static int read_dc_loss(struct kdr_placement_summary *out, struct reader *r, const json_t *placement)
{
	json_t *dc_loss = NULL;
	json_t *list = NULL;
	size_t at = 0;
	size_t list_at = 0;
	int rc = member(&dc_loss, r, placement, "dcLoss", JSON_OBJECT, OPTIONAL);

	if (rc < 0 || !dc_loss)
		return rc;
	out->has_dc_loss = true;
	at = push_key(r, "dcLoss");
	rc = read_bool(&out->dc_loss.survives_any_single_dc_loss, r, dc_loss, "survivesAnySingleDcLoss", REQUIRED);
	if (rc >= 0)
		rc = member(&list, r, dc_loss, "datacenters", JSON_ARRAY, OPTIONAL);
	if (rc >= 0 && list) {
		list_at = push_key(r, "datacenters");
		out->dc_loss.v = kdr_calloc(json_array_size(list) ? json_array_size(list) : 1, sizeof(*out->dc_loss.v));
		for (size_t i = 0; rc >= 0 && i < json_array_size(list); i++) {
			size_t item = push_index(r, i);

			out->dc_loss.n++;
			rc = read_dc_loss_entry(&out->dc_loss.v[i], r, json_array_get(list, i));
			pop(r, item);
		}
		pop(r, list_at);
	}
	pop(r, at);
	return rc;
}

static int read_placement(struct kdr_placement_summary *out, struct reader *r, const json_t *obj)
{
	json_t *placement = NULL;
	size_t at = 0;
	long long min_isr = 0;
	int rc = member(&placement, r, obj, "placement", JSON_OBJECT, OPTIONAL);

	if (rc < 0 || !placement)
		return rc;
	at = push_key(r, "placement");
	rc = read_string_map(&out->replicas_per_dc, r, placement, "replicasPerDatacenter", true);
	if (rc >= 0)
		rc = read_string_map(&out->replicas_per_rack, r, placement, "replicasPerRack", true);
	if (rc >= 0)
		rc = read_int(&min_isr, r, placement, "minInsyncReplicas", OPTIONAL, 0, INT32_MAX);
	if (rc >= 0)
		rc = read_dc_loss(out, r, placement);
	out->min_insync_replicas = min_isr;
	pop(r, at);
	return rc;
}

/* "old"/"new" of a change: absent -> NULL, null -> a secret (KDR_REDACTED), else the string. */
static int read_change_value(char **out, struct reader *r, const json_t *obj, const char *key, bool sensitive)
{
	json_t *value = json_object_get(obj, key);
	size_t at = 0;
	int rc = 0;

	*out = NULL;
	if (!value)
		return 0;
	at = push_key(r, key);
	if (json_is_null(value)) {
		if (sensitive)
			*out = kdr_strdup(KDR_REDACTED);
		else
			rc = fail(r, "null is only written for a sensitive change (absent means unset)");
	} else if (json_is_string(value)) {
		*out = kdr_strdup(json_string_value(value));
	} else {
		rc = type_error(r, "a string", value);
	}
	pop(r, at);
	return rc;
}

static int read_change(struct kdr_config_change *change, struct reader *r, const json_t *entry)
{
	int rc = 0;

	if (!json_is_object(entry))
		return type_error(r, "an object", entry);
	rc = read_string(&change->key, r, entry, "key", REQUIRED);
	if (rc >= 0)
		rc = read_bool(&change->sensitive, r, entry, "sensitive", OPTIONAL);
	if (rc >= 0)
		rc = read_change_value(&change->old_value, r, entry, "old", change->sensitive);
	if (rc >= 0)
		rc = read_change_value(&change->new_value, r, entry, "new", change->sensitive);
	return rc;
}

static int read_changes(struct kdr_action *action, struct reader *r, const json_t *obj)
{
	json_t *array = NULL;
	size_t at = 0;
	int rc = member(&array, r, obj, "changes", JSON_ARRAY, OPTIONAL);

	if (rc < 0 || !array || !json_array_size(array))
		return rc;
	at = push_key(r, "changes");
	action->changes = kdr_calloc(json_array_size(array), sizeof(*action->changes));
	for (size_t i = 0; rc >= 0 && i < json_array_size(array); i++) {
		size_t item = push_index(r, i);

		action->n_changes++;
		rc = read_change(&action->changes[i], r, json_array_get(array, i));
		pop(r, item);
	}
	pop(r, at);
	return rc;
}

/* After the changes: a null config value is a secret, and only a secret may be null. */
static int read_config(struct kdr_action *action, struct reader *r, const json_t *obj)
{
	json_t *map = NULL;
	const char *key = NULL;
	json_t *value = NULL;
	size_t at = 0;
	int rc = member(&map, r, obj, "config", JSON_OBJECT, OPTIONAL);

	if (rc < 0 || !map)
		return rc;
	at = push_key(r, "config");
	json_object_foreach (map, key, value) {
		size_t item = push_key(r, key);

		if (json_is_string(value))
			kdr_strmap_set(&action->config, key, json_string_value(value));
		else if (json_is_null(value) && kdr_plan_config_is_redacted(action, key))
			kdr_strmap_set(&action->config, key, KDR_REDACTED);
		else if (json_is_null(value))
			rc = fail(r, "null, but '%s' is not a sensitive key", key);
		else
			rc = type_error(r, "a string", value);
		pop(r, item);
		if (rc < 0)
			break;
	}
	pop(r, at);
	return rc;
}

static int read_tasks(struct kdr_action *action, struct reader *r, const json_t *obj)
{
	json_t *array = NULL;
	size_t at = 0;
	int rc = member(&array, r, obj, "tasks", JSON_ARRAY, OPTIONAL);

	if (rc < 0 || !array || !json_array_size(array))
		return rc;
	at = push_key(r, "tasks");
	action->task_ids = kdr_calloc(json_array_size(array), sizeof(*action->task_ids));
	for (size_t i = 0; rc >= 0 && i < json_array_size(array); i++) {
		size_t item = push_index(r, i);
		long long id = 0;

		rc = check_int(&id, r, json_array_get(array, i), 0, INT32_MAX);
		if (rc >= 0)
			action->task_ids[action->n_task_ids++] = (int32_t)id;
		pop(r, item);
	}
	pop(r, at);
	return rc;
}

/* The "acl" object of create-acl / delete-acl: every field required, kdr's names (model/acl.h). */
static int read_acl(struct kdr_action *action, struct reader *r, const json_t *obj)
{
	json_t *acl = NULL;
	size_t at = 0;
	char *type = NULL, *pattern = NULL, *op = NULL, *permission = NULL;
	int rc = member(&acl, r, obj, "acl", JSON_OBJECT, REQUIRED);

	if (rc < 0)
		return rc;
	at = push_key(r, "acl");
	rc = read_string(&action->acl.principal, r, acl, "principal", REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->acl.host, r, acl, "host", REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->acl.resource_name, r, acl, "resourceName", REQUIRED);
	if (rc >= 0)
		rc = read_string(&type, r, acl, "resourceType", REQUIRED);
	if (rc >= 0)
		rc = read_string(&pattern, r, acl, "pattern", REQUIRED);
	if (rc >= 0)
		rc = read_string(&op, r, acl, "operation", REQUIRED);
	if (rc >= 0)
		rc = read_string(&permission, r, acl, "permission", REQUIRED);
	if (rc >= 0 && (kdr_acl_resource_type_parse(&action->acl.resource_type, type) != 0 ||
			kdr_acl_pattern_parse(&action->acl.pattern, pattern) != 0 ||
			kdr_acl_operation_parse(&action->acl.operation, op) != 0 ||
			kdr_acl_permission_parse(&action->acl.permission, permission) != 0)) {
		char *why = kdr_strdup(kdr_error_message());

		rc = fail(r, "%s", why);
		free(why);
	}
	pop(r, at);
	free(type);
	free(pattern);
	free(op);
	free(permission);
	return rc;
}

static int read_topic_shape(struct kdr_action *action, struct reader *r, const json_t *obj)
{
	long long n = 0;
	int rc = read_int(&n, r, obj, "partitions", REQUIRED, 1, INT32_MAX);

	action->partitions = n;
	if (rc >= 0)
		rc = read_int(&n, r, obj, "replicationFactor", OPTIONAL, 1, INT16_MAX);
	action->replication_factor = n;
	if (rc >= 0)
		rc = read_assignment(&action->assignment, r, obj);
	if (rc >= 0)
		rc = read_placement(&action->placement, r, obj);
	return rc;
}

static int read_action(struct kdr_action *action, struct reader *r, const json_t *obj)
{
	int kind = 0;
	int risk = 0;
	int rc = 0;

	if (!json_is_object(obj))
		return type_error(r, "an object", obj);
	rc = read_enum(&kind, r, obj, "kind", r->action_kinds, N_ACTION_KINDS);
	if (rc >= 0)
		rc = read_enum(&risk, r, obj, "risk", r->risks, N_RISKS);
	action->kind = (enum kdr_action_kind)kind;
	action->risk = (enum kdr_risk)risk;
	if (rc >= 0)
		rc = read_string(&action->cluster, r, obj, "cluster", REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->resource, r, obj, "resource", REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->policy, r, obj, "policy", NULLABLE);
	if (rc >= 0)
		rc = read_string(&action->reason, r, obj, "reason", NULLABLE);
	if (rc >= 0)
		rc = read_string(&action->after, r, obj, "after", OPTIONAL);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TOPIC_SHAPE))
		rc = read_topic_shape(action, r, obj);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_CHANGES))
		rc = read_changes(action, r, obj);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_CONFIG))
		rc = read_config(action, r, obj);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TASKS))
		rc = read_tasks(action, r, obj);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_ACL))
		rc = read_acl(action, r, obj);
	return rc;
}

static int read_blocked(struct kdr_blocked *blocked, struct reader *r, const json_t *obj)
{
	int kind = 0;
	json_t *reassignment = NULL;
	size_t at = 0;
	int rc = 0;

	if (!json_is_object(obj))
		return type_error(r, "an object", obj);
	rc = read_enum(&kind, r, obj, "kind", r->blocked_kinds, N_BLOCKED_KINDS);
	blocked->kind = (enum kdr_blocked_kind)kind;
	if (rc >= 0)
		rc = read_string(&blocked->cluster, r, obj, "cluster", NULLABLE);
	if (rc >= 0)
		rc = read_string(&blocked->resource, r, obj, "resource", NULLABLE);
	if (rc >= 0)
		rc = read_string(&blocked->policy, r, obj, "policy", NULLABLE);
	if (rc >= 0)
		rc = read_string(&blocked->reason, r, obj, "reason", NULLABLE);
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
	at = push_key(r, "reassignment");
	rc = type_error(r, "an object", reassignment);
	pop(r, at);
	return rc;
}

static int read_note(struct kdr_note *note, struct reader *r, const json_t *obj)
{
	int kind = 0;
	int rc = 0;

	if (!json_is_object(obj))
		return type_error(r, "an object", obj);
	rc = read_enum(&kind, r, obj, "kind", r->note_kinds, N_NOTE_KINDS);
	note->kind = (enum kdr_note_kind)kind;
	if (rc >= 0)
		rc = read_string(&note->cluster, r, obj, "cluster", NULLABLE);
	if (rc >= 0)
		rc = read_string(&note->resource, r, obj, "resource", NULLABLE);
	if (rc >= 0)
		rc = read_string(&note->message, r, obj, "message", REQUIRED);
	return rc;
}

static int read_version(struct reader *r, const json_t *root)
{
	json_t *version = json_object_get(root, "kdrPlan");
	size_t at = push_key(r, "kdrPlan");
	int rc = 0;

	if (!version)
		rc = fail(r, "missing: not a kdr plan");
	else if (!json_is_integer(version))
		rc = type_error(r, "an integer", version);
	else if (json_integer_value(version) != 1)
		rc = kdr_error_set(KDR_EUNSUPPORTED,
				   "%s: %s: plan format version %lld is not supported (this kdr reads 1)", r->label,
				   r->path.ptr, (long long)json_integer_value(version));
	pop(r, at);
	return rc;
}

static void reader_init(struct reader *r, const char *label)
{
	memset(r, 0, sizeof(*r));
	kdr_buf_init(&r->path);
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

/* Each item of the top-level array `key` (at most n, already counted) read by `read` into items[i]. */
#define READ_ITEMS(rc, r, array, key, items, n, read)                                                                  \
	do {                                                                                                           \
		size_t at_ = push_key(r, key);                                                                         \
		for (size_t i_ = 0; (rc) >= 0 && i_ < (n); i_++) {                                                     \
			size_t item_ = push_index(r, i_);                                                              \
			(rc) = read(&(items)[i_], r, json_array_get(array, i_));                                       \
			pop(r, item_);                                                                                 \
		}                                                                                                      \
		pop(r, at_);                                                                                           \
	} while (0)

int kdr_plan_from_json(struct kdr_plan *out, const char *text, size_t len, const char *label)
{
	struct reader r = { 0 };
	json_error_t error = { 0 };
	json_t *root = NULL;
	json_t *array = NULL;
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
		rc = type_error(&r, "an object", root);
		goto cleanup;
	}
	rc = read_version(&r, root);
	if (rc >= 0)
		rc = read_string(&out->revision, &r, root, "revision", NULLABLE);
	if (rc >= 0)
		rc = read_string_map(&out->fingerprints, &r, root, "fingerprints", false);
	if (rc >= 0)
		rc = member(&array, &r, root, "actions", JSON_ARRAY, REQUIRED);
	if (rc < 0)
		goto cleanup;
	/* Counted before filling, so that a failure halfway releases what was read. */
	out->n_actions = out->cap_actions = json_array_size(array);
	out->actions = out->n_actions ? kdr_calloc(out->n_actions, sizeof(*out->actions)) : NULL;
	READ_ITEMS(rc, &r, array, "actions", out->actions, out->n_actions, read_action);
	if (rc >= 0)
		rc = member(&array, &r, root, "blocked", JSON_ARRAY, OPTIONAL);
	if (rc >= 0 && array) {
		out->n_blocked = out->cap_blocked = json_array_size(array);
		out->blocked = out->n_blocked ? kdr_calloc(out->n_blocked, sizeof(*out->blocked)) : NULL;
		READ_ITEMS(rc, &r, array, "blocked", out->blocked, out->n_blocked, read_blocked);
	}
	if (rc >= 0)
		rc = member(&array, &r, root, "notes", JSON_ARRAY, OPTIONAL);
	if (rc >= 0 && array) {
		out->n_notes = out->cap_notes = json_array_size(array);
		out->notes = out->n_notes ? kdr_calloc(out->n_notes, sizeof(*out->notes)) : NULL;
		READ_ITEMS(rc, &r, array, "notes", out->notes, out->n_notes, read_note);
	}

cleanup:
	if (rc < 0) {
		kdr_plan_release(out);
		memset(out, 0, sizeof(*out));
	}
	json_decref(root);
	kdr_buf_release(&r.path);
	return rc;
}
