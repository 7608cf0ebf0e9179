#include <stdlib.h>
#include <string.h>

#include "render/render_internal.h"
#include "util/json_write.h"
#include "util/alloc.h"
#include "util/markdown.h"

/*
 * The plan as a GitHub pull-request comment. What needs a human (blocked
 * items, destructive and irreversible actions) comes first; every string that
 * came from users or clusters is escaped, so a topic or reason cannot break
 * the layout, open a table cell, mention someone or end a code block.
 */

static void md_code_or_dash(struct kdr_buf *out, const char *s, bool in_table)
{
	if (s && *s)
		kdr_md_code(out, s, in_table);
	else
		kdr_buf_putc(out, '-');
}

static void put_title(struct kdr_buf *out, const struct kdr_plan *plan)
{
	kdr_buf_puts(out, "## kdr plan");
	if (kdr_render__is_commit_id(plan->revision)) {
		/* Bare, so that GitHub links the commit. */
		kdr_buf_printf(out, " for %.7s", plan->revision);
	} else if (plan->revision && *plan->revision) {
		kdr_buf_puts(out, " for ");
		kdr_md_code(out, plan->revision, false);
	}
	kdr_buf_puts(out, "\n\n");
}

static void put_summary(struct kdr_buf *out, const struct kdr_plan_counts *counts)
{
	kdr_buf_puts(out, "| create | change | delete | blocked |");
	for (size_t r = KDR_RISK_SAFE; r <= KDR_RISK_IRREVERSIBLE; r++)
		kdr_buf_printf(out, " %s |", kdr_risk_name((enum kdr_risk)r));
	kdr_buf_puts(out, "\n|");
	for (size_t i = 0; i < 4 + KDR_RISK_IRREVERSIBLE + 1; i++)
		kdr_buf_puts(out, "---:|");
	kdr_buf_printf(out, "\n| %zu | %zu | %zu | %zu |", counts->create, counts->change, counts->del,
		       counts->blocked);
	for (size_t r = KDR_RISK_SAFE; r <= KDR_RISK_IRREVERSIBLE; r++)
		kdr_buf_printf(out, " %zu |", counts->risk[r]);
	kdr_buf_puts(out, "\n\n");
}

static void put_fenced(struct kdr_buf *out, const char *info, const char *body)
{
	size_t run = 0, longest = 2;

	for (const char *p = body; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (size_t i = 0; i <= longest; i++)
		kdr_buf_putc(out, '`');
	kdr_buf_printf(out, "%s\n%s", info, body);
	if (!*body || body[strlen(body) - 1] != '\n')
		kdr_buf_putc(out, '\n');
	for (size_t i = 0; i <= longest; i++)
		kdr_buf_putc(out, '`');
	kdr_buf_putc(out, '\n');
}

static void put_reassignment(struct kdr_buf *out, const struct kdr_blocked *blocked)
{
	struct kdr_buf body = KDR_BUF_INIT;
	json_t *doc = json_loads(blocked->reassignment_json, 0, NULL);

	if (doc) {
		struct kdr_json_w w = { 0 };

		kdr_json_w_init(&w, &body);
		kdr_json_w_value(&w, NULL, doc);
		kdr_json_w_release(&w);
		kdr_buf_putc(&body, '\n');
	} else {
		kdr_buf_puts(&body, blocked->reassignment_json);
	}
	kdr_buf_puts(out, "<details><summary>Reassignment for <code>");
	kdr_md_html_text(out, blocked->resource ? blocked->resource : "-");
	kdr_buf_puts(out, "</code> on <code>");
	kdr_md_html_text(out, blocked->cluster ? blocked->cluster : "-");
	kdr_buf_puts(out, "</code> (kafka-reassign-partitions.sh --reassignment-json-file)</summary>\n\n");
	put_fenced(out, "json", body.ptr);
	kdr_buf_puts(out, "\n</details>\n\n");
	json_decref(doc);
	kdr_buf_release(&body);
}

static bool needs_attention(const struct kdr_action *action)
{
	return action->risk == KDR_RISK_DESTRUCTIVE || action->risk == KDR_RISK_IRREVERSIBLE;
}

static void put_attention(struct kdr_buf *out, const struct kdr_plan *plan)
{
	size_t risky = 0;

	for (size_t i = 0; i < plan->n_actions; i++)
		if (needs_attention(&plan->actions[i]))
			risky++;
	if (!plan->n_blocked && !risky)
		return;
	kdr_buf_puts(out, "### Needs attention\n\n");
	if (plan->n_blocked) {
		kdr_buf_puts(out, "**Blocked**: kdr will not do these; each needs an operator.\n\n");
		kdr_buf_puts(out, "| cluster | resource | blocked | policy | reason |\n|---|---|---|---|---|\n");
		for (size_t i = 0; i < plan->n_blocked; i++) {
			const struct kdr_blocked *blocked = &plan->blocked[i];

			kdr_buf_puts(out, "| ");
			md_code_or_dash(out, blocked->cluster, true);
			kdr_buf_puts(out, " | ");
			md_code_or_dash(out, blocked->resource, true);
			kdr_buf_printf(out, " | %s | ", kdr_blocked_kind_name(blocked->kind));
			md_code_or_dash(out, blocked->policy, true);
			kdr_buf_puts(out, " | ");
			kdr_md_text(out, blocked->reason);
			kdr_buf_puts(out, " |\n");
		}
		kdr_buf_putc(out, '\n');
		for (size_t i = 0; i < plan->n_blocked; i++)
			if (plan->blocked[i].reassignment_json)
				put_reassignment(out, &plan->blocked[i]);
	}
	if (risky) {
		kdr_buf_puts(out, "**Destructive and irreversible actions**:\n\n");
		kdr_buf_puts(out, "| cluster | action | resource | risk | reason |\n|---|---|---|---|---|\n");
		for (size_t i = 0; i < plan->n_actions; i++) {
			const struct kdr_action *action = &plan->actions[i];

			if (!needs_attention(action))
				continue;
			kdr_buf_puts(out, "| ");
			md_code_or_dash(out, action->cluster, true);
			kdr_buf_printf(out, " | %s | ", kdr_action_kind_name(action->kind));
			md_code_or_dash(out, action->resource, true);
			kdr_buf_printf(out, " | **%s** | ", kdr_risk_name(action->risk));
			kdr_md_text(out, action->reason);
			kdr_buf_puts(out, " |\n");
		}
		kdr_buf_putc(out, '\n');
	}
}

static void put_value(struct kdr_buf *out, const char *value, bool redacted)
{
	if (redacted)
		kdr_buf_puts(out, KDR_REDACTED);
	else
		kdr_md_code(out, value, false);
}

static void put_changes(struct kdr_buf *out, const struct kdr_action *action)
{
	for (size_t i = 0; i < action->n_changes; i++) {
		const struct kdr_config_change *change = &action->changes[i];

		kdr_buf_puts(out, "  - ");
		kdr_md_code(out, change->key, false);
		kdr_buf_puts(out, ": ");
		if (change->old_value)
			put_value(out, change->old_value, change->sensitive);
		else
			kdr_buf_puts(out, "(unset)");
		kdr_buf_puts(out, " → ");
		if (change->new_value)
			put_value(out, change->new_value, change->sensitive);
		else
			kdr_buf_puts(out, "(removed)");
		kdr_buf_putc(out, '\n');
	}
}

static void put_config(struct kdr_buf *out, const struct kdr_action *action)
{
	if (!action->config.n)
		return;
	kdr_buf_puts(out, "  - config:\n");
	for (size_t i = 0; i < action->config.n; i++) {
		const struct kdr_strmap_entry *entry = &action->config.v[i];

		kdr_buf_puts(out, "    - ");
		kdr_md_code(out, entry->key, false);
		kdr_buf_puts(out, ": ");
		put_value(out, entry->value, kdr_plan_config_is_redacted(action, entry->key));
		kdr_buf_putc(out, '\n');
	}
}

static void put_topic_shape(struct kdr_buf *out, const struct kdr_action *action)
{
	size_t first = kdr_render__first_partition(action);
	struct kdr_strvec lines = KDR_STRVEC_INIT;
	struct kdr_buf assignment = KDR_BUF_INIT;

	if (action->kind == KDR_ACTION_ADD_PARTITIONS && action->assignment.n)
		kdr_buf_printf(out, "  - partitions: %zu → %lld", first, (long long)action->partitions);
	else
		kdr_buf_printf(out, "  - partitions: %lld", (long long)action->partitions);
	if (action->replication_factor > 0)
		kdr_buf_printf(out, ", replication factor: %lld", (long long)action->replication_factor);
	kdr_buf_putc(out, '\n');
	if (action->assignment.n) {
		kdr_render__assignment_compact(&assignment, &action->assignment, first, KDR_RENDER_ASSIGNMENT_MAX);
		kdr_buf_puts(out, "  - assignment: ");
		kdr_md_code(out, assignment.ptr, false);
		kdr_buf_putc(out, '\n');
	}
	kdr_render__placement_lines(&lines, action);
	for (size_t i = 0; i < lines.n; i++) {
		kdr_buf_puts(out, "  - ");
		kdr_md_text(out, lines.v[i]);
		kdr_buf_putc(out, '\n');
	}
	kdr_strvec_release(&lines);
	kdr_buf_release(&assignment);
}

static const struct kdr_render__detail_writers details = { put_topic_shape, put_config, put_changes, "  - " };

static void put_action(struct kdr_buf *out, const struct kdr_action *action)
{
	kdr_buf_printf(out, "- `%c` %s ", kdr_render__symbol(action->kind), kdr_action_kind_name(action->kind));
	md_code_or_dash(out, action->resource, false);
	if (action->risk != KDR_RISK_SAFE)
		kdr_buf_printf(out, " **[%s]**", kdr_risk_name(action->risk));
	kdr_buf_putc(out, '\n');
	if (action->policy) {
		kdr_buf_puts(out, "  - policy: ");
		kdr_md_code(out, action->policy, false);
		kdr_buf_putc(out, '\n');
	}
	if (action->reason) {
		kdr_buf_puts(out, "  - reason: ");
		kdr_md_text(out, action->reason);
		kdr_buf_putc(out, '\n');
	}
	kdr_render__action_details(out, action, &details);
}

static void put_cluster(struct kdr_buf *out, const struct kdr_plan *plan, const char *group)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n_actions; i++)
		if (kdr_render__in_cluster(plan->actions[i].cluster, group))
			n++;
	kdr_buf_puts(out, "### ");
	if (*group)
		kdr_md_text(out, group);
	else
		kdr_buf_puts(out, "Not tied to a cluster");
	kdr_buf_puts(out, "\n\n");
	if (n > KDR_RENDER_MD_COLLAPSE)
		kdr_buf_printf(out, "<details><summary>%zu actions</summary>\n\n", n);
	for (size_t i = 0; i < plan->n_actions; i++)
		if (kdr_render__in_cluster(plan->actions[i].cluster, group))
			put_action(out, &plan->actions[i]);
	kdr_buf_putc(out, '\n');
	if (n > KDR_RENDER_MD_COLLAPSE)
		kdr_buf_puts(out, "</details>\n\n");
}

static void put_notes(struct kdr_buf *out, const struct kdr_plan *plan)
{
	size_t *order = NULL;

	if (!plan->n_notes)
		return;
	order = kdr_calloc(plan->n_notes, sizeof(*order));
	kdr_render__notes_order(order, plan);
	kdr_buf_puts(out, "### Notes\n\n");
	for (size_t i = 0; i < plan->n_notes; i++) {
		const struct kdr_note *note = &plan->notes[order[i]];

		kdr_buf_printf(out, "- **%s** ", kdr_note_kind_name(note->kind));
		if (note->cluster) {
			kdr_md_code(out, note->cluster, false);
			kdr_buf_puts(out, note->resource ? " " : "");
		}
		if (note->resource)
			kdr_md_code(out, note->resource, false);
		kdr_buf_puts(out, note->cluster || note->resource ? ": " : "");
		kdr_md_text(out, note->message);
		kdr_buf_putc(out, '\n');
	}
	kdr_buf_putc(out, '\n');
	free(order);
}

void kdr_render__markdown(struct kdr_buf *out, const struct kdr_plan *plan, const struct kdr_desired *desired)
{
	struct kdr_plan_counts counts = { 0 };
	struct kdr_strvec clusters = KDR_STRVEC_INIT;

	kdr_plan_count(&counts, plan);
	put_title(out, plan);
	if (kdr_plan_is_empty(plan)) {
		kdr_buf_puts(out, "No changes. Live state matches the desired state.\n\n");
	} else {
		put_summary(out, &counts);
		put_attention(out, plan);
		kdr_render__clusters(&clusters, plan, false);
		for (size_t c = 0; c < clusters.n; c++)
			put_cluster(out, plan, clusters.v[c]);
	}
	put_notes(out, plan);
	kdr_render__mermaid(out, desired);
	/* One trailing newline, whatever came last. */
	while (out->len >= 2 && out->ptr[out->len - 1] == '\n' && out->ptr[out->len - 2] == '\n')
		kdr_buf_truncate(out, out->len - 1);
	kdr_strvec_release(&clusters);
}
