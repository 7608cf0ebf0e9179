#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plan/codec_json.h"
#include "util/json_write.h"

/*
 * The plan as JSON, schema "kdrPlan": 1 (docs/plan-json.md). Keys are written
 * in the documented order; fields that do not apply to an action's kind are
 * left out; secrets are null. codec_json_read.c reads this back.
 */

static void put_risk_counts(struct kdr_json_w *w, const struct kdr_plan_counts *counts)
{
	kdr_json_w_open(w, "risk", '{', false);
	for (size_t r = KDR_RISK_SAFE; r <= KDR_RISK_IRREVERSIBLE; r++)
		kdr_json_w_int(w, kdr_risk_name((enum kdr_risk)r), (long long)counts->risk[r]);
	kdr_json_w_close(w, '}');
}

static void put_summary(struct kdr_json_w *w, const struct kdr_plan *plan)
{
	struct kdr_plan_counts counts = { 0 };

	kdr_plan_count(&counts, plan);
	kdr_json_w_open(w, "summary", '{', false);
	kdr_json_w_int(w, "create", (long long)counts.create);
	kdr_json_w_int(w, "change", (long long)counts.change);
	kdr_json_w_int(w, "delete", (long long)counts.del);
	kdr_json_w_int(w, "blocked", (long long)counts.blocked);
	put_risk_counts(w, &counts);
	kdr_json_w_close(w, '}');
}

static void put_string_map(struct kdr_json_w *w, const char *key, const struct kdr_strmap *map)
{
	kdr_json_w_open(w, key, '{', false);
	for (size_t i = 0; i < map->n; i++)
		kdr_json_w_string(w, map->v[i].key, map->v[i].value);
	kdr_json_w_close(w, '}');
}

/* Replica counts are decimal strings in the plan; numbers in JSON (strings if ever not decimal). */
static void put_count_map(struct kdr_json_w *w, const char *key, const struct kdr_strmap *map)
{
	kdr_json_w_open(w, key, '{', false);
	for (size_t i = 0; i < map->n; i++) {
		const char *value = map->v[i].value;
		char *end = NULL;
		long long n = 0;

		errno = 0;
		if (value && *value)
			n = strtoll(value, &end, 10);
		if (value && *value && end && !*end && !errno)
			kdr_json_w_int(w, map->v[i].key, n);
		else
			kdr_json_w_string(w, map->v[i].key, value);
	}
	kdr_json_w_close(w, '}');
}

static void put_assignment(struct kdr_json_w *w, const struct kdr_assignment *assignment)
{
	kdr_json_w_open(w, "assignment", '[', false);
	for (size_t p = 0; p < assignment->n; p++) {
		kdr_json_w_open(w, NULL, '[', true);
		for (size_t r = 0; r < assignment->partitions[p].n; r++)
			kdr_json_w_int(w, NULL, (long long)assignment->partitions[p].ids[r]);
		kdr_json_w_close(w, ']');
	}
	kdr_json_w_close(w, ']');
}

static void put_placement(struct kdr_json_w *w, const struct kdr_placement_summary *ps)
{
	kdr_json_w_open(w, "placement", '{', false);
	put_count_map(w, "replicasPerDatacenter", &ps->replicas_per_dc);
	put_count_map(w, "replicasPerRack", &ps->replicas_per_rack);
	kdr_json_w_int(w, "minInsyncReplicas", (long long)ps->min_insync_replicas);
	if (ps->has_dc_loss) {
		kdr_json_w_open(w, "dcLoss", '{', false);
		kdr_json_w_bool(w, "survivesAnySingleDcLoss", ps->dc_loss.survives_any_single_dc_loss);
		kdr_json_w_open(w, "datacenters", '[', false);
		for (size_t i = 0; i < ps->dc_loss.n; i++) {
			const struct kdr_dc_loss *loss = &ps->dc_loss.v[i];

			kdr_json_w_open(w, NULL, '{', false);
			kdr_json_w_string(w, "datacenter", loss->datacenter);
			kdr_json_w_int(w, "minReplicasLeft", (long long)loss->min_replicas_left);
			kdr_json_w_bool(w, "survives", loss->survives);
			kdr_json_w_close(w, '}');
		}
		kdr_json_w_close(w, ']');
		kdr_json_w_close(w, '}');
	}
	kdr_json_w_close(w, '}');
}

static void put_config(struct kdr_json_w *w, const struct kdr_action *action)
{
	kdr_json_w_open(w, "config", '{', false);
	for (size_t i = 0; i < action->config.n; i++) {
		const struct kdr_strmap_entry *entry = &action->config.v[i];

		if (kdr_plan_config_is_redacted(action, entry->key))
			kdr_json_w_null(w, entry->key);
		else
			kdr_json_w_string(w, entry->key, entry->value);
	}
	kdr_json_w_close(w, '}');
}

static void put_changes(struct kdr_json_w *w, const struct kdr_action *action)
{
	kdr_json_w_open(w, "changes", '[', false);
	for (size_t i = 0; i < action->n_changes; i++) {
		const struct kdr_config_change *change = &action->changes[i];

		/* "old"/"new" absent: not set before / removed; null: a secret. */
		kdr_json_w_open(w, NULL, '{', false);
		kdr_json_w_string(w, "key", change->key);
		if (change->old_value)
			kdr_json_w_string(w, "old", change->sensitive ? NULL : change->old_value);
		if (change->new_value)
			kdr_json_w_string(w, "new", change->sensitive ? NULL : change->new_value);
		kdr_json_w_bool(w, "sensitive", change->sensitive);
		kdr_json_w_close(w, '}');
	}
	kdr_json_w_close(w, ']');
}

static void put_action(struct kdr_json_w *w, const struct kdr_action *action)
{
	kdr_json_w_open(w, NULL, '{', false);
	kdr_json_w_string(w, "kind", kdr_action_kind_name(action->kind));
	kdr_json_w_string(w, "risk", kdr_risk_name(action->risk));
	kdr_json_w_string(w, "cluster", action->cluster);
	kdr_json_w_string(w, "resource", action->resource);
	kdr_json_w_string(w, "policy", action->policy);
	kdr_json_w_string(w, "reason", action->reason);
	if (action->after)
		kdr_json_w_string(w, "after", action->after);
	if (kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TOPIC_SHAPE)) {
		kdr_json_w_int(w, "partitions", (long long)action->partitions);
		if (action->replication_factor > 0)
			kdr_json_w_int(w, "replicationFactor", (long long)action->replication_factor);
		put_assignment(w, &action->assignment);
		if (kdr_action_has_placement(action))
			put_placement(w, &action->placement);
	}
	if (kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_CONFIG))
		put_config(w, action);
	if (kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_CHANGES))
		put_changes(w, action);
	if (kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_ACL)) {
		kdr_json_w_open(w, "acl", '{', true);
		kdr_json_w_string(w, "principal", action->acl.principal);
		kdr_json_w_string(w, "host", action->acl.host);
		kdr_json_w_string(w, "resourceType", kdr_acl_resource_type_name(action->acl.resource_type));
		kdr_json_w_string(w, "resourceName", action->acl.resource_name);
		kdr_json_w_string(w, "pattern", kdr_acl_pattern_name(action->acl.pattern));
		kdr_json_w_string(w, "operation", kdr_acl_operation_name(action->acl.operation));
		kdr_json_w_string(w, "permission", kdr_acl_permission_name(action->acl.permission));
		kdr_json_w_close(w, '}');
	}
	if (kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TASKS)) {
		kdr_json_w_open(w, "tasks", '[', true);
		for (size_t i = 0; i < action->n_task_ids; i++)
			kdr_json_w_int(w, NULL, (long long)action->task_ids[i]);
		kdr_json_w_close(w, ']');
	}
	kdr_json_w_close(w, '}');
}

/* Opens a blocked item or a note with what both start with (codec_json_read.c's read_head). */
static void put_head(struct kdr_json_w *w, const char *kind, const char *cluster, const char *resource)
{
	kdr_json_w_open(w, NULL, '{', false);
	kdr_json_w_string(w, "kind", kind);
	kdr_json_w_string(w, "cluster", cluster);
	kdr_json_w_string(w, "resource", resource);
}

static void put_blocked(struct kdr_json_w *w, const struct kdr_blocked *blocked)
{
	put_head(w, kdr_blocked_kind_name(blocked->kind), blocked->cluster, blocked->resource);
	kdr_json_w_string(w, "policy", blocked->policy);
	kdr_json_w_string(w, "reason", blocked->reason);
	if (blocked->reassignment_json) {
		json_t *doc = json_loads(blocked->reassignment_json, 0, NULL);

		/* Embedded as an object, so `jq .blocked[0].reassignment` gives the file as is. */
		if (doc)
			kdr_json_w_value(w, "reassignment", doc);
		else
			kdr_json_w_string(w, "reassignment", blocked->reassignment_json);
		json_decref(doc);
	}
	kdr_json_w_close(w, '}');
}

static void put_note(struct kdr_json_w *w, const struct kdr_note *note)
{
	put_head(w, kdr_note_kind_name(note->kind), note->cluster, note->resource);
	kdr_json_w_string(w, "message", note->message);
	kdr_json_w_close(w, '}');
}

void kdr_plan_to_json(struct kdr_buf *out, const struct kdr_plan *plan)
{
	struct kdr_json_w w = { 0 };

	kdr_json_w_init(&w, out);
	kdr_json_w_open(&w, NULL, '{', false);
	kdr_json_w_int(&w, "kdrPlan", 1);
	kdr_json_w_string(&w, "revision", plan->revision);
	put_summary(&w, plan);
	put_string_map(&w, "fingerprints", &plan->fingerprints);
	kdr_json_w_open(&w, "actions", '[', false);
	for (size_t i = 0; i < plan->n_actions; i++)
		put_action(&w, &plan->actions[i]);
	kdr_json_w_close(&w, ']');
	kdr_json_w_open(&w, "blocked", '[', false);
	for (size_t i = 0; i < plan->n_blocked; i++)
		put_blocked(&w, &plan->blocked[i]);
	kdr_json_w_close(&w, ']');
	kdr_json_w_open(&w, "notes", '[', false);
	for (size_t i = 0; i < plan->n_notes; i++)
		put_note(&w, &plan->notes[i]);
	kdr_json_w_close(&w, ']');
	kdr_json_w_close(&w, '}');
	kdr_buf_putc(out, '\n');
	kdr_json_w_release(&w);
}
