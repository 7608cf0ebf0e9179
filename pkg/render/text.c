#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_internal.h"
#include "util/alloc.h"

/*
 * The terraform-like text format: plain (it goes into logs and CI output, so
 * no colour), one header line per item, detail lines indented below.
 */

#define DETAIL "      "

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void put_changes(struct kdr_buf *out, const struct kdr_action *action)
{
	for (size_t i = 0; i < action->n_changes; i++) {
		const struct kdr_config_change *change = &action->changes[i];
		const char *old_value = change->sensitive ? KDR_REDACTED : change->old_value;
		const char *new_value = change->sensitive ? KDR_REDACTED : change->new_value;

		if (!change->new_value)
			kdr_buf_printf(out, DETAIL "- %s (was %s)\n", or_dash(change->key),
				       change->old_value ? old_value : "unset");
		else if (!change->old_value)
			kdr_buf_printf(out, DETAIL "+ %s: %s\n", or_dash(change->key), new_value);
		else
			kdr_buf_printf(out, DETAIL "~ %s: %s -> %s\n", or_dash(change->key), old_value, new_value);
	}
}

static void put_config(struct kdr_buf *out, const struct kdr_action *action)
{
	if (!action->config.n)
		return;
	kdr_buf_puts(out, DETAIL "config:\n");
	for (size_t i = 0; i < action->config.n; i++) {
		const struct kdr_strmap_entry *entry = &action->config.v[i];
		const char *value = kdr_plan_config_is_redacted(action, entry->key) ? KDR_REDACTED : entry->value;

		kdr_buf_printf(out, DETAIL "  %s = %s\n", entry->key, value ? value : "");
	}
}

static void put_topic_shape(struct kdr_buf *out, const struct kdr_action *action)
{
	size_t first = kdr_render__first_partition(action);
	struct kdr_strvec lines = KDR_STRVEC_INIT;

	if (action->kind == KDR_ACTION_ADD_PARTITIONS && action->assignment.n)
		kdr_buf_printf(out, DETAIL "partitions: %zu -> %lld", first, (long long)action->partitions);
	else
		kdr_buf_printf(out, DETAIL "partitions: %lld", (long long)action->partitions);
	if (action->replication_factor > 0)
		kdr_buf_printf(out, ", replication factor: %lld", (long long)action->replication_factor);
	kdr_buf_putc(out, '\n');
	if (action->assignment.n) {
		kdr_buf_puts(out, DETAIL "assignment: ");
		kdr_render__assignment_compact(out, &action->assignment, first, KDR_RENDER_ASSIGNMENT_MAX);
		kdr_buf_putc(out, '\n');
	}
	kdr_render__placement_lines(&lines, action);
	for (size_t i = 0; i < lines.n; i++)
		kdr_buf_printf(out, DETAIL "%s\n", lines.v[i]);
	kdr_strvec_release(&lines);
}

static const struct kdr_render__detail_writers details = { put_topic_shape, put_config, put_changes, DETAIL };

static void put_action(struct kdr_buf *out, const struct kdr_action *action)
{
	kdr_buf_printf(out, "  %c %s %s", kdr_render__symbol(action->kind), kdr_action_kind_name(action->kind),
		       or_dash(action->resource));
	if (action->risk != KDR_RISK_SAFE)
		kdr_buf_printf(out, " [%s]", kdr_risk_name(action->risk));
	kdr_buf_putc(out, '\n');
	if (action->policy)
		kdr_buf_printf(out, DETAIL "policy: %s\n", action->policy);
	if (action->reason)
		kdr_buf_printf(out, DETAIL "reason: %s\n", action->reason);
	kdr_render__action_details(out, action, &details);
}

static void put_blocked(struct kdr_buf *out, const struct kdr_blocked *blocked)
{
	kdr_buf_printf(out, "  ! %s %s\n", kdr_blocked_kind_name(blocked->kind), or_dash(blocked->resource));
	if (blocked->policy)
		kdr_buf_printf(out, DETAIL "policy: %s\n", blocked->policy);
	if (blocked->reason)
		kdr_buf_printf(out, DETAIL "reason: %s\n", blocked->reason);
	if (blocked->reassignment_json) {
		/* One line, so that it can be cut from a log into a file for kafka-reassign-partitions.sh. */
		json_t *doc = json_loads(blocked->reassignment_json, 0, NULL);
		char *compact = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

		kdr_buf_printf(out, DETAIL "reassignment (kafka-reassign-partitions.sh --reassignment-json-file): %s\n",
			       compact ? compact : blocked->reassignment_json);
		free(compact);
		json_decref(doc);
	}
}

static void put_note(struct kdr_buf *out, const struct kdr_note *note)
{
	kdr_buf_puts(out, "  - ");
	if (note->cluster && note->resource)
		kdr_buf_printf(out, "%s/%s: ", note->cluster, note->resource);
	else if (note->cluster || note->resource)
		kdr_buf_printf(out, "%s: ", note->cluster ? note->cluster : note->resource);
	kdr_buf_printf(out, "%s\n", note->message ? note->message : "");
}

static void put_notes(struct kdr_buf *out, const struct kdr_plan *plan)
{
	size_t *order = NULL;
	enum kdr_note_kind section = KDR_NOTE_INFO;
	bool open = false;

	if (!plan->n_notes)
		return;
	order = kdr_calloc(plan->n_notes, sizeof(*order));
	kdr_render__notes_order(order, plan);
	for (size_t i = 0; i < plan->n_notes; i++) {
		const struct kdr_note *note = &plan->notes[order[i]];
		enum kdr_note_kind kind = note->kind == KDR_NOTE_WARNING ? KDR_NOTE_WARNING : KDR_NOTE_INFO;

		if (!open || kind != section) {
			kdr_buf_puts(out, kind == KDR_NOTE_WARNING ? "Warnings:\n" : "Notes:\n");
			section = kind;
			open = true;
		}
		put_note(out, note);
	}
	kdr_buf_putc(out, '\n');
	free(order);
}

static void put_summary(struct kdr_buf *out, const struct kdr_plan *plan)
{
	struct kdr_plan_counts counts = { 0 };
	size_t listed = 0;

	kdr_plan_count(&counts, plan);
	if (kdr_plan_is_empty(plan)) {
		kdr_buf_puts(out, "No changes. Live state matches the desired state.\n");
		return;
	}
	kdr_buf_printf(out, "Plan: %zu to create, %zu to change, %zu to delete, %zu blocked.\n", counts.create,
		       counts.change, counts.del, counts.blocked);
	if (!counts.any_risky)
		return;
	kdr_buf_puts(out, "risk:");
	for (size_t r = KDR_RISK_DISRUPTIVE; r <= KDR_RISK_IRREVERSIBLE; r++)
		if (counts.risk[r])
			kdr_buf_printf(out, "%s %zu %s", listed++ ? "," : "", counts.risk[r],
				       kdr_risk_name((enum kdr_risk)r));
	kdr_buf_putc(out, '\n');
}

void kdr_render__text(struct kdr_buf *out, const struct kdr_plan *plan)
{
	struct kdr_strvec clusters = KDR_STRVEC_INIT;

	kdr_render__clusters(&clusters, plan, true);
	for (size_t c = 0; c < clusters.n; c++) {
		const char *group = clusters.v[c];

		if (*group)
			kdr_buf_printf(out, "Cluster %s:\n", group);
		else
			kdr_buf_puts(out, "Not tied to a cluster:\n");
		for (size_t i = 0; i < plan->n_actions; i++)
			if (kdr_render__in_cluster(plan->actions[i].cluster, group))
				put_action(out, &plan->actions[i]);
		for (size_t i = 0; i < plan->n_blocked; i++)
			if (kdr_render__in_cluster(plan->blocked[i].cluster, group))
				put_blocked(out, &plan->blocked[i]);
		kdr_buf_putc(out, '\n');
	}
	put_notes(out, plan);
	put_summary(out, plan);
	kdr_strvec_release(&clusters);
}
