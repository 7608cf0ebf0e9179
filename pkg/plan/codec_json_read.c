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
 * JSON path of the first bad field, with the snapshot reader's cursor
 * (util/json_read.h) from an empty root: actions[2].config["retention.ms"].
 * Unknown fields are ignored (version 1 only ever gains fields).
 */

#define N_ACTION_KINDS KDR_ACTION_KIND_COUNT
#define N_RISKS (KDR_RISK_IRREVERSIBLE + 1)
#define N_BLOCKED_KINDS KDR_BLOCKED_KIND_COUNT
#define N_NOTE_KINDS (KDR_NOTE_WARNING + 1)

/* The names of the enums a plan holds, by value: what the readers of actions, blocked items and notes are given. */
struct names {
	const char *action_kinds[N_ACTION_KINDS];
	const char *risks[N_RISKS];
	const char *blocked_kinds[N_BLOCKED_KINDS];
	const char *note_kinds[N_NOTE_KINDS];
};

static int read_string(char **out, struct kdr_json_r *r, const json_t *obj, const char *key, int flags)
{
	json_t *value = NULL;
	int rc = kdr_json_r_member(&value, r, obj, key, JSON_STRING, flags);

	*out = value ? kdr_strdup(json_string_value(value)) : NULL;
	return rc;
}

/* `value` (at the current path) as an integer in min..max. */
static int check_int(long long *out, const struct kdr_json_r *r, const json_t *value, long long min, long long max)
{
	long long n = 0;

	if (!json_is_integer(value))
		return kdr_json_r_type_error(r, "an integer", value);
	n = (long long)json_integer_value(value);
	if (n < min || n > max)
		return kdr_json_r_fail(r, "%lld is out of range (%lld..%lld)", n, min, max);
	*out = n;
	return 0;
}

static int read_int(long long *out, struct kdr_json_r *r, const json_t *obj, const char *key, int flags, long long min,
		    long long max)
{
	json_t *value = NULL;
	size_t at = 0;
	int rc = kdr_json_r_enter(&value, &at, r, obj, key, JSON_INTEGER, flags);

	*out = 0;
	if (rc < 0 || !value)
		return rc;
	rc = check_int(out, r, value, min, max);
	kdr_json_r_pop(r, at);
	return rc;
}

static int read_bool(bool *out, struct kdr_json_r *r, const json_t *obj, const char *key, int flags)
{
	json_t *value = NULL;
	int rc = kdr_json_r_member(&value, r, obj, key, JSON_TRUE, flags);

	*out = value && json_is_true(value);
	return rc;
}

static int read_enum(int *out, struct kdr_json_r *r, const json_t *obj, const char *key, const char *const *names,
		     size_t n)
{
	json_t *value = NULL;
	struct kdr_buf allowed = KDR_BUF_INIT;
	int rc = kdr_json_r_member(&value, r, obj, key, JSON_STRING, KDR_JSON_REQUIRED);

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
	rc = kdr_json_r_fail_at(r, key, "unknown value '%s' (allowed: %s)", json_string_value(value), allowed.ptr);
	kdr_buf_release(&allowed);
	return rc;
}

/* An object of strings into a map; `counts` also accepts integers (placement counts). */
static int read_string_map(struct kdr_strmap *out, struct kdr_json_r *r, const json_t *obj, const char *key,
			   bool counts)
{
	json_t *map = NULL;
	const char *name = NULL;
	json_t *value = NULL;
	size_t at = 0;
	int rc = kdr_json_r_enter(&map, &at, r, obj, key, JSON_OBJECT, KDR_JSON_OPTIONAL);

	if (rc < 0 || !map)
		return rc;
	json_object_foreach (map, name, value) {
		if (json_is_string(value)) {
			kdr_strmap_set(out, name, json_string_value(value));
		} else if (counts && json_is_integer(value)) {
			char text[32] = "";

			snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(value));
			kdr_strmap_set(out, name, text);
		} else {
			rc = kdr_json_r_type_error_at(r, name, counts ? "an integer" : "a string", value);
			break;
		}
	}
	kdr_json_r_pop(r, at);
	return rc;
}

/*
 * The array member `key` of `obj` (flags as kdr_json_r_member's) into a new
 * array of items read by `read_item` with `ctx` (kdr_json_r_items); absent: left as it is.
 */
static int read_array(struct kdr_json_r *r, void **out, size_t *n, size_t size, const json_t *obj, const char *key,
		      int flags, int (*read_item)(struct kdr_json_r *, void *, void *, const json_t *), void *ctx)
{
	json_t *array = NULL;
	size_t at = 0;
	int rc = kdr_json_r_enter(&array, &at, r, obj, key, JSON_ARRAY, flags);

	if (rc < 0 || !array)
		return rc;
	rc = kdr_json_r_items(r, out, n, size, array, read_item, ctx);
	kdr_json_r_pop(r, at);
	return rc;
}

/* A broker or task id. */
static int read_id(struct kdr_json_r *r, void *ctx, void *item, const json_t *value)
{
	long long id = 0;
	int rc = check_int(&id, r, value, 0, INT32_MAX);

	(void)ctx;
	*(int32_t *)item = (int32_t)id;
	return rc;
}

static int read_replicas(struct kdr_json_r *r, void *ctx, void *item, const json_t *replicas)
{
	struct kdr_replica_list *list = item;

	(void)ctx;
	if (!json_is_array(replicas))
		return kdr_json_r_type_error(r, "an array of broker ids", replicas);
	return kdr_json_r_items(r, (void **)&list->ids, &list->n, sizeof(*list->ids), replicas, read_id, NULL);
}

static int read_dc_loss_entry(struct kdr_json_r *r, void *ctx, void *item, const json_t *entry)
{
	struct kdr_dc_loss *loss = item;
	long long left = 0;
	int rc = 0;

	(void)ctx;
	if (!json_is_object(entry))
		return kdr_json_r_type_error(r, "an object", entry);
	rc = read_string(&loss->datacenter, r, entry, "datacenter", KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_int(&left, r, entry, "minReplicasLeft", KDR_JSON_REQUIRED, 0, INT32_MAX);
	if (rc >= 0)
		rc = read_bool(&loss->survives, r, entry, "survives", KDR_JSON_REQUIRED);
	loss->min_replicas_left = (size_t)left;
	return rc;
}

static int read_dc_loss(struct kdr_placement_summary *out, struct kdr_json_r *r, const json_t *placement)
{
	json_t *dc_loss = NULL;
	size_t at = 0;
	int rc = kdr_json_r_enter(&dc_loss, &at, r, placement, "dcLoss", JSON_OBJECT, KDR_JSON_OPTIONAL);

	if (rc < 0 || !dc_loss)
		return rc;
	out->has_dc_loss = true;
	rc = read_bool(&out->dc_loss.survives_any_single_dc_loss, r, dc_loss, "survivesAnySingleDcLoss",
		       KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_array(r, (void **)&out->dc_loss.v, &out->dc_loss.n, sizeof(*out->dc_loss.v), dc_loss,
				"datacenters", KDR_JSON_OPTIONAL, read_dc_loss_entry, NULL);
	kdr_json_r_pop(r, at);
	return rc;
}

static int read_placement(struct kdr_placement_summary *out, struct kdr_json_r *r, const json_t *obj)
{
	json_t *placement = NULL;
	size_t at = 0;
	long long min_isr = 0;
	int rc = kdr_json_r_enter(&placement, &at, r, obj, "placement", JSON_OBJECT, KDR_JSON_OPTIONAL);

	if (rc < 0 || !placement)
		return rc;
	rc = read_string_map(&out->replicas_per_dc, r, placement, "replicasPerDatacenter", true);
	if (rc >= 0)
		rc = read_string_map(&out->replicas_per_rack, r, placement, "replicasPerRack", true);
	if (rc >= 0)
		rc = read_int(&min_isr, r, placement, "minInsyncReplicas", KDR_JSON_OPTIONAL, 0, INT32_MAX);
	if (rc >= 0)
		rc = read_dc_loss(out, r, placement);
	out->min_insync_replicas = min_isr;
	kdr_json_r_pop(r, at);
	return rc;
}

/* "old"/"new" of a change: absent -> NULL, null -> a secret (KDR_REDACTED), else the string. */
static int read_change_value(char **out, struct kdr_json_r *r, const json_t *obj, const char *key, bool sensitive)
{
	json_t *value = json_object_get(obj, key);

	*out = NULL;
	if (!value)
		return 0;
	if (json_is_null(value) && !sensitive)
		return kdr_json_r_fail_at(r, key, "null is only written for a sensitive change (absent means unset)");
	if (json_is_null(value))
		*out = kdr_strdup(KDR_REDACTED);
	else if (json_is_string(value))
		*out = kdr_strdup(json_string_value(value));
	else
		return kdr_json_r_type_error_at(r, key, "a string", value);
	return 0;
}

static int read_change(struct kdr_json_r *r, void *ctx, void *item, const json_t *entry)
{
	struct kdr_config_change *change = item;
	int rc = 0;

	(void)ctx;
	if (!json_is_object(entry))
		return kdr_json_r_type_error(r, "an object", entry);
	rc = read_string(&change->key, r, entry, "key", KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_bool(&change->sensitive, r, entry, "sensitive", KDR_JSON_OPTIONAL);
	if (rc >= 0)
		rc = read_change_value(&change->old_value, r, entry, "old", change->sensitive);
	if (rc >= 0)
		rc = read_change_value(&change->new_value, r, entry, "new", change->sensitive);
	return rc;
}

/* After the changes: a null config value is a secret, and only a secret may be null. */
static int read_config(struct kdr_action *action, struct kdr_json_r *r, const json_t *obj)
{
	json_t *map = NULL;
	const char *key = NULL;
	json_t *value = NULL;
	size_t at = 0;
	int rc = kdr_json_r_enter(&map, &at, r, obj, "config", JSON_OBJECT, KDR_JSON_OPTIONAL);

	if (rc < 0 || !map)
		return rc;
	json_object_foreach(map, key, value)
	{
		if (json_is_string(value))
			kdr_strmap_set(&action->config, key, json_string_value(value));
		else if (json_is_null(value) && kdr_plan_config_is_redacted(action, key))
			kdr_strmap_set(&action->config, key, KDR_REDACTED);
		else if (json_is_null(value))
			rc = kdr_json_r_fail_at(r, key, "null, but '%s' is not a sensitive key", key);
		else
			rc = kdr_json_r_type_error_at(r, key, "a string", value);
		if (rc < 0)
			break;
	}
	kdr_json_r_pop(r, at);
	return rc;
}

/* The "acl" object of create-acl / delete-acl: every field required, kdr's names (model/acl.h). */
static int read_acl(struct kdr_action *action, struct kdr_json_r *r, const json_t *obj)
{
	json_t *acl = NULL;
	size_t at = 0;
	char *type = NULL, *pattern = NULL, *op = NULL, *permission = NULL;
	int rc = kdr_json_r_enter(&acl, &at, r, obj, "acl", JSON_OBJECT, KDR_JSON_REQUIRED);

	if (rc < 0)
		return rc;
	rc = read_string(&action->acl.principal, r, acl, "principal", KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->acl.host, r, acl, "host", KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->acl.resource_name, r, acl, "resourceName", KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_string(&type, r, acl, "resourceType", KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_string(&pattern, r, acl, "pattern", KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_string(&op, r, acl, "operation", KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_string(&permission, r, acl, "permission", KDR_JSON_REQUIRED);
	if (rc >= 0 && (kdr_acl_resource_type_parse(&action->acl.resource_type, type) != 0 ||
			kdr_acl_pattern_parse(&action->acl.pattern, pattern) != 0 ||
			kdr_acl_operation_parse(&action->acl.operation, op) != 0 ||
			kdr_acl_permission_parse(&action->acl.permission, permission) != 0))
		rc = kdr_json_r_fail(r, "%s", kdr_error_message());
	kdr_json_r_pop(r, at);
	free(type);
	free(pattern);
	free(op);
	free(permission);
	return rc;
}

static int read_topic_shape(struct kdr_action *action, struct kdr_json_r *r, const json_t *obj)
{
	long long n = 0;
	int rc = read_int(&n, r, obj, "partitions", KDR_JSON_REQUIRED, 1, INT32_MAX);

	action->partitions = n;
	if (rc >= 0)
		rc = read_int(&n, r, obj, "replicationFactor", KDR_JSON_OPTIONAL, 1, INT16_MAX);
	action->replication_factor = n;
	if (rc >= 0)
		rc = read_array(r, (void **)&action->assignment.partitions, &action->assignment.n,
				sizeof(*action->assignment.partitions), obj, "assignment", KDR_JSON_OPTIONAL,
				read_replicas, NULL);
	if (rc >= 0)
		rc = read_placement(&action->placement, r, obj);
	return rc;
}

static int read_action(struct kdr_json_r *r, void *ctx, void *item, const json_t *obj)
{
	const struct names *names = ctx;
	struct kdr_action *action = item;
	int kind = 0;
	int risk = 0;
	int rc = 0;

	if (!json_is_object(obj))
		return kdr_json_r_type_error(r, "an object", obj);
	rc = read_enum(&kind, r, obj, "kind", names->action_kinds, N_ACTION_KINDS);
	if (rc >= 0)
		rc = read_enum(&risk, r, obj, "risk", names->risks, N_RISKS);
	action->kind = (enum kdr_action_kind)kind;
	action->risk = (enum kdr_risk)risk;
	if (rc >= 0)
		rc = read_string(&action->cluster, r, obj, "cluster", KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->resource, r, obj, "resource", KDR_JSON_REQUIRED);
	if (rc >= 0)
		rc = read_string(&action->policy, r, obj, "policy", KDR_JSON_NULLABLE);
	if (rc >= 0)
		rc = read_string(&action->reason, r, obj, "reason", KDR_JSON_NULLABLE);
	if (rc >= 0)
		rc = read_string(&action->after, r, obj, "after", KDR_JSON_OPTIONAL);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TOPIC_SHAPE))
		rc = read_topic_shape(action, r, obj);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_CHANGES))
		rc = read_array(r, (void **)&action->changes, &action->n_changes, sizeof(*action->changes), obj,
				"changes", KDR_JSON_OPTIONAL, read_change, NULL);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_CONFIG))
		rc = read_config(action, r, obj);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TASKS))
		rc = read_array(r, (void **)&action->task_ids, &action->n_task_ids, sizeof(*action->task_ids), obj,
				"tasks", KDR_JSON_OPTIONAL, read_id, NULL);
	if (rc >= 0 && kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_ACL))
		rc = read_acl(action, r, obj);
	return rc;
}

/*
 * What a blocked item and a note start with: an object, its "kind" (one of
 * `kinds`), "cluster" and "resource" (both nullable).
 */
static int read_head(int *kind, char **cluster, char **resource, struct kdr_json_r *r, const json_t *obj,
		     const char *const *kinds, size_t n_kinds)
{
	int rc = 0;

	if (!json_is_object(obj))
		return kdr_json_r_type_error(r, "an object", obj);
	rc = read_enum(kind, r, obj, "kind", kinds, n_kinds);
	if (rc >= 0)
		rc = read_string(cluster, r, obj, "cluster", KDR_JSON_NULLABLE);
	if (rc >= 0)
		rc = read_string(resource, r, obj, "resource", KDR_JSON_NULLABLE);
	return rc;
}

static int read_blocked(struct kdr_json_r *r, void *ctx, void *item, const json_t *obj)
{
	const struct names *names = ctx;
	struct kdr_blocked *blocked = item;
	json_t *reassignment = NULL;
	int kind = 0;
	int rc = read_head(&kind, &blocked->cluster, &blocked->resource, r, obj, names->blocked_kinds, N_BLOCKED_KINDS);

	blocked->kind = (enum kdr_blocked_kind)kind;
	if (rc >= 0)
		rc = read_string(&blocked->policy, r, obj, "policy", KDR_JSON_NULLABLE);
	if (rc >= 0)
		rc = read_string(&blocked->reason, r, obj, "reason", KDR_JSON_NULLABLE);
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
	return kdr_json_r_type_error_at(r, "reassignment", "an object", reassignment);
}

static int read_note(struct kdr_json_r *r, void *ctx, void *item, const json_t *obj)
{
	const struct names *names = ctx;
	struct kdr_note *note = item;
	int kind = 0;
	int rc = read_head(&kind, &note->cluster, &note->resource, r, obj, names->note_kinds, N_NOTE_KINDS);

	note->kind = (enum kdr_note_kind)kind;
	if (rc >= 0)
		rc = read_string(&note->message, r, obj, "message", KDR_JSON_REQUIRED);
	return rc;
}

static int read_version(struct kdr_json_r *r, const json_t *root)
{
	json_t *version = json_object_get(root, "kdrPlan");
	size_t at = kdr_json_r_push_key(r, "kdrPlan");
	int rc = 0;

	if (!version)
		rc = kdr_json_r_fail(r, "missing: not a kdr plan");
	else if (!json_is_integer(version))
		rc = kdr_json_r_type_error(r, "an integer", version);
	else if (json_integer_value(version) != 1)
		rc = kdr_json_r_error(r, KDR_EUNSUPPORTED,
				      "plan format version %lld is not supported (this kdr reads 1)",
				      (long long)json_integer_value(version));
	kdr_json_r_pop(r, at);
	return rc;
}

static void names_init(struct names *names)
{
	for (size_t i = 0; i < N_ACTION_KINDS; i++)
		names->action_kinds[i] = kdr_action_kind_name((enum kdr_action_kind)i);
	for (size_t i = 0; i < N_RISKS; i++)
		names->risks[i] = kdr_risk_name((enum kdr_risk)i);
	for (size_t i = 0; i < N_BLOCKED_KINDS; i++)
		names->blocked_kinds[i] = kdr_blocked_kind_name((enum kdr_blocked_kind)i);
	for (size_t i = 0; i < N_NOTE_KINDS; i++)
		names->note_kinds[i] = kdr_note_kind_name((enum kdr_note_kind)i);
}

int kdr_plan_from_json(struct kdr_plan *out, const char *text, size_t len, const char *label)
{
	struct names names;
	struct kdr_json_r cursor;
	struct kdr_json_r *r = &cursor;
	json_error_t error = { 0 };
	json_t *root = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	names_init(&names);
	kdr_json_r_init(r, label && *label ? label : "plan", "");
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
	if (!root) {
		rc = kdr_error_set(KDR_EINVALID, "%s:%d:%d: invalid JSON: %s", r->label, error.line, error.column,
				   error.text);
		goto cleanup;
	}
	if (!json_is_object(root)) {
		rc = kdr_json_r_type_error(r, "an object", root);
		goto cleanup;
	}
	rc = read_version(r, root);
	if (rc >= 0)
		rc = read_string(&out->revision, r, root, "revision", KDR_JSON_NULLABLE);
	if (rc >= 0)
		rc = read_string_map(&out->fingerprints, r, root, "fingerprints", false);
	/* Counted as they are read, so that a failure halfway releases what was read. */
	if (rc >= 0)
		rc = read_array(r, (void **)&out->actions, &out->n_actions, sizeof(*out->actions), root, "actions",
				KDR_JSON_REQUIRED, read_action, &names);
	if (rc >= 0)
		rc = read_array(r, (void **)&out->blocked, &out->n_blocked, sizeof(*out->blocked), root, "blocked",
				KDR_JSON_OPTIONAL, read_blocked, &names);
	if (rc >= 0)
		rc = read_array(r, (void **)&out->notes, &out->n_notes, sizeof(*out->notes), root, "notes",
				KDR_JSON_OPTIONAL, read_note, &names);
	out->cap_actions = out->n_actions;
	out->cap_blocked = out->n_blocked;
	out->cap_notes = out->n_notes;

cleanup:
	if (rc < 0) {
		kdr_plan_release(out);
		memset(out, 0, sizeof(*out));
	}
	json_decref(root);
	kdr_json_r_release(r);
	return rc;
}
