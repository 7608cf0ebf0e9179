/* The failover decision and its rendering (dr.h). Pure. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dr/dr.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json_write.h"

static const char *const verdict_names[] = { "commit", "unchanged", "kept", "refused" };

const char *kdr_dr_verdict_name(enum kdr_dr_verdict verdict)
{
	return kdr_names_at(verdict_names, sizeof(verdict_names) / sizeof(*verdict_names), (long)verdict, "unknown");
}

static struct kdr_dr_failover_row *add_row(struct kdr_dr_failover_plan *plan, const char *group, const char *topic,
					   int32_t partition)
{
	struct kdr_dr_failover_row *row = NULL;

	plan->rows = kdr_realloc(plan->rows, (plan->n_rows + 1) * sizeof(*plan->rows));
	row = &plan->rows[plan->n_rows++];
	memset(row, 0, sizeof(*row));
	row->group = kdr_strdup(group);
	row->topic = kdr_strdup(topic);
	row->partition = partition;
	row->upstream = -1;
	row->checkpoint = -1;
	row->current = -1;
	row->next = -1;
	row->at_risk = -1;
	return row;
}

static struct kdr_dr_failover_group *add_group(struct kdr_dr_failover_plan *plan, const char *group)
{
	struct kdr_dr_failover_group *g = NULL;

	plan->groups = kdr_realloc(plan->groups, (plan->n_groups + 1) * sizeof(*plan->groups));
	g = &plan->groups[plan->n_groups++];
	memset(g, 0, sizeof(*g));
	g->group = kdr_strdup(group);
	g->verdict = KDR_DR_UNCHANGED;
	return g;
}

static void refuse_group(struct kdr_dr_failover_group *g, char *reason)
{
	g->verdict = KDR_DR_REFUSED;
	if (!g->reason)
		g->reason = reason;
	else
		free(reason);
}

/* One checkpointed partition of a group. */
static void decide_row(struct kdr_dr_failover_row *row, const struct kdr_mm2_checkpoint *cp,
		       const struct kdr_live_group *tg, const struct kdr_dr_failover_input *in)
{
	const struct kdr_live_topic *topic = kdr_live_topic_find(in->target, cp->topic);
	const struct kdr_live_group_offset *current = kdr_live_group_offset_find(tg, cp->topic, cp->partition);
	const struct kdr_dr_offset *end = kdr_dr_offsets_find(in->target_ends, cp->topic, cp->partition);
	const struct kdr_dr_offset *risk = kdr_dr_offsets_find(in->at_risk, cp->topic, cp->partition);

	row->upstream = cp->upstream_offset;
	row->metadata = kdr_strdup(cp->metadata ? cp->metadata : "");
	row->checkpoint = cp->downstream_offset;
	row->current = current ? current->offset : -1;
	row->next = row->current;
	row->at_risk = risk ? risk->offset : -1;
	if (!topic) {
		row->verdict = KDR_DR_REFUSED;
		row->reason = kdr_asprintf("remote topic '%s' does not exist on '%s'", cp->topic, in->target->name);
	} else if (cp->partition < 0 || (size_t)cp->partition >= topic->n_partitions) {
		row->verdict = KDR_DR_REFUSED;
		row->reason = kdr_asprintf("topic '%s' has %zu partition(s) on '%s', no partition %d", cp->topic,
					   topic->n_partitions, in->target->name, (int)cp->partition);
	} else if (cp->downstream_offset < 0) {
		row->verdict = KDR_DR_REFUSED;
		row->reason = kdr_asprintf("checkpoint offset %" PRId64 " is negative", cp->downstream_offset);
	} else if (end && cp->downstream_offset > end->offset) {
		row->verdict = KDR_DR_REFUSED;
		row->reason = kdr_asprintf("checkpoint offset %" PRId64 " is past the log end %" PRId64 " of '%s' on '%s'",
					   cp->downstream_offset, end->offset, cp->topic, in->target->name);
	} else if (row->current == cp->downstream_offset) {
		row->verdict = KDR_DR_UNCHANGED;
	} else if (row->current > cp->downstream_offset && !in->force) {
		row->verdict = KDR_DR_KEPT;
		row->reason = kdr_asprintf("current offset %" PRId64 " is ahead of the checkpoint %" PRId64
					   ": not moved backwards (--force moves it)",
					   row->current, cp->downstream_offset);
	} else {
		row->verdict = KDR_DR_COMMIT;
		row->next = cp->downstream_offset;
		if (row->current > cp->downstream_offset)
			row->reason = kdr_strdup("moved backwards (--force)");
	}
}

static bool requested(const struct kdr_dr_failover_input *in, const char *group)
{
	for (size_t i = 0; i < in->n_groups; i++)
		if (strcmp(in->groups[i], group) == 0)
			return true;
	return false;
}

static bool selected(const struct kdr_dr_failover_input *in, const struct kdr_mm2_group_filter *filter,
		     const char *group)
{
	if (in->n_groups || in->groups_re)
		return requested(in, group) || (in->groups_re && kdr_regex_full_match(in->groups_re, group));
	return kdr_mm2_group_filter_match(filter, group);
}

static void decide_group(struct kdr_dr_failover_plan *plan, const struct kdr_dr_failover_input *in, const char *group,
			 size_t first, size_t last)
{
	const struct kdr_live_group *tg = kdr_live_group_find(in->target, group);
	struct kdr_dr_failover_group *g = add_group(plan, group);
	size_t row0 = plan->n_rows;

	if (!in->target->groups_read || !in->target->group_offsets_read)
		refuse_group(g, kdr_asprintf("the consumer groups of '%s' were not read", in->target->name));
	else if (kdr_live_group_active(tg))
		refuse_group(g, kdr_asprintf("group has %d member(s) on '%s' (state %s): stop its consumers there first",
					     (int)tg->n_members, in->target->name, tg->state ? tg->state : "?"));
	for (size_t i = first; i < last; i++) {
		struct kdr_dr_failover_row *row = add_row(plan, group, in->checkpoints->v[i].topic,
							  in->checkpoints->v[i].partition);

		decide_row(row, &in->checkpoints->v[i], tg, in);
		if (row->verdict == KDR_DR_REFUSED)
			refuse_group(g, kdr_asprintf("%s partition %d: %s", row->topic, (int)row->partition, row->reason));
	}
	for (size_t i = row0; i < plan->n_rows; i++) {
		struct kdr_dr_failover_row *row = &plan->rows[i];

		if (g->verdict == KDR_DR_REFUSED && row->verdict == KDR_DR_COMMIT) {
			/* Nothing of a refused group is committed. */
			row->verdict = KDR_DR_REFUSED;
			row->next = row->current;
			free(row->reason);
			row->reason = kdr_strdup("group refused");
		}
		if (row->verdict == KDR_DR_COMMIT)
			g->n_commits++;
	}
	if (g->verdict != KDR_DR_REFUSED && g->n_commits)
		g->verdict = KDR_DR_COMMIT;
	if (g->verdict == KDR_DR_REFUSED)
		plan->n_refused++;
}

int kdr_dr_failover_decide(struct kdr_dr_failover_plan *out, const struct kdr_dr_failover_input *in)
{
	const struct kdr_dr_checkpoints *set = in->checkpoints;
	struct kdr_mm2_group_filter filter = { 0 };
	int rc = kdr_mm2_group_filter_init(&filter, in->flow);

	memset(out, 0, sizeof(*out));
	if (rc != 0)
		return rc;
	out->flow = kdr_strdup(in->flow->meta.name);
	out->source = kdr_strdup(in->flow->source);
	out->target = kdr_strdup(in->flow->target);
	/* The checkpoints are sorted by group: one run per group. */
	for (size_t i = 0; i < set->n;) {
		size_t j = i;

		while (j < set->n && strcmp(set->v[j].group, set->v[i].group) == 0)
			j++;
		if (selected(in, &filter, set->v[i].group))
			decide_group(out, in, set->v[i].group, i, j);
		i = j;
	}
	/* A group asked for by name that has no checkpoint: said, never guessed. */
	for (size_t i = 0; i < in->n_groups; i++) {
		bool found = false, dup = false;

		for (size_t k = 0; k < out->n_groups && !found; k++)
			found = strcmp(out->groups[k].group, in->groups[i]) == 0;
		for (size_t k = 0; k < i && !dup; k++)
			dup = strcmp(in->groups[k], in->groups[i]) == 0;
		if (found || dup)
			continue;
		refuse_group(add_group(out, in->groups[i]),
			     kdr_mm2_group_filter_match(&filter, in->groups[i])
				     ? kdr_strdup("no checkpoint for this group (has it committed offsets on a mirrored "
						  "topic on the source, and has MM2 refreshed its groups?)")
				     : kdr_asprintf("no checkpoint: the group filter of flow '%s' does not accept it",
						    in->flow->meta.name));
		out->n_refused++;
	}
	/* Keep groups sorted (the unknown ones were appended). */
	for (size_t i = 1; i < out->n_groups; i++)
		for (size_t k = i; k > 0 && strcmp(out->groups[k - 1].group, out->groups[k].group) > 0; k--) {
			struct kdr_dr_failover_group tmp = out->groups[k];

			out->groups[k] = out->groups[k - 1];
			out->groups[k - 1] = tmp;
		}
	out->total_at_risk = in->at_risk ? 0 : -1;
	if (in->at_risk) {
		/* Per partition once, whatever the number of groups reading it. */
		for (size_t i = 0; i < in->at_risk->n; i++)
			if (in->at_risk->v[i].offset > 0)
				out->total_at_risk += in->at_risk->v[i].offset;
	}
	kdr_mm2_group_filter_release(&filter);
	return 0;
}

static void put_offset(struct kdr_buf *out, int64_t v)
{
	if (v < 0)
		kdr_buf_puts(out, "-");
	else
		kdr_buf_printf(out, "%" PRId64, v);
}

static size_t offset_width(int64_t v)
{
	char tmp[32];

	return v < 0 ? 1 : (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, v);
}

static void pad(struct kdr_buf *out, size_t have, size_t width)
{
	for (size_t i = have; i < width + 2; i++)
		kdr_buf_putc(out, ' ');
}

void kdr_dr_failover_render_text(struct kdr_buf *out, const struct kdr_dr_failover_plan *plan, bool dry_run)
{
	static const char *const head[] = { "GROUP", "TOPIC", "PARTITION", "CHECKPOINT", "CURRENT", "NEW", "AT-RISK" };
	size_t w[7];
	size_t commits = 0, unchanged = 0, kept = 0, moved = 0;

	for (size_t c = 0; c < 7; c++)
		w[c] = strlen(head[c]);
	for (size_t i = 0; i < plan->n_rows; i++) {
		const struct kdr_dr_failover_row *r = &plan->rows[i];
		size_t cells[7] = { strlen(r->group), strlen(r->topic), offset_width(r->partition),
				    offset_width(r->checkpoint), offset_width(r->current), offset_width(r->next),
				    offset_width(r->at_risk) };

		for (size_t c = 0; c < 7; c++)
			if (cells[c] > w[c])
				w[c] = cells[c];
	}
	kdr_buf_printf(out, "failover of flow '%s' (%s -> %s)%s\n", plan->flow, plan->source, plan->target,
		       dry_run ? ", dry run: nothing is committed" : "");
	if (plan->n_rows) {
		for (size_t c = 0; c < 7; c++) {
			kdr_buf_puts(out, head[c]);
			pad(out, strlen(head[c]), w[c]);
		}
		kdr_buf_puts(out, "VERDICT\n");
	}
	for (size_t i = 0; i < plan->n_rows; i++) {
		const struct kdr_dr_failover_row *r = &plan->rows[i];
		int64_t cells[5] = { r->partition, r->checkpoint, r->current, r->next, r->at_risk };
		size_t before = 0;

		kdr_buf_puts(out, r->group);
		pad(out, strlen(r->group), w[0]);
		kdr_buf_puts(out, r->topic);
		pad(out, strlen(r->topic), w[1]);
		for (size_t c = 0; c < 5; c++) {
			before = out->len;
			put_offset(out, cells[c]);
			pad(out, out->len - before, w[c + 2]);
		}
		kdr_buf_puts(out, kdr_dr_verdict_name(r->verdict));
		if (r->reason)
			kdr_buf_printf(out, " (%s)", r->reason);
		kdr_buf_putc(out, '\n');
		if (r->verdict == KDR_DR_COMMIT)
			moved++;
	}
	for (size_t i = 0; i < plan->n_groups; i++) {
		const struct kdr_dr_failover_group *g = &plan->groups[i];

		if (g->verdict == KDR_DR_REFUSED)
			kdr_buf_printf(out, "refused: group '%s': %s\n", g->group, g->reason ? g->reason : "refused");
		else if (g->verdict == KDR_DR_COMMIT)
			commits++;
		else
			unchanged++;
		for (size_t k = 0; k < plan->n_rows; k++)
			if (strcmp(plan->rows[k].group, g->group) == 0 && plan->rows[k].verdict == KDR_DR_KEPT)
				kept++;
	}
	kdr_buf_printf(out, "%zu group(s): %zu %s, %zu unchanged, %zu refused; %zu partition(s) %s, %zu kept ahead",
		       plan->n_groups, commits, dry_run ? "to commit" : "committed", unchanged, plan->n_refused, moved,
		       dry_run ? "to move" : "moved", kept);
	if (plan->total_at_risk >= 0)
		kdr_buf_printf(out, "; records at risk (on '%s', not on '%s'): %" PRId64 "\n", plan->source, plan->target,
			       plan->total_at_risk);
	else
		kdr_buf_printf(out, "; records at risk: unknown ('%s' not readable)\n", plan->source);
}

/* A count or offset, null when unknown (negative). */
static void json_known(struct kdr_json_w *w, const char *key, int64_t v)
{
	if (v < 0)
		kdr_json_w_null(w, key);
	else
		kdr_json_w_int(w, key, (long long)v);
}

void kdr_dr_failover_render_json(struct kdr_buf *out, const struct kdr_dr_failover_plan *plan, bool dry_run)
{
	struct kdr_json_w w;

	kdr_json_w_init(&w, out);
	kdr_json_w_open(&w, NULL, '{', false);
	kdr_json_w_bool(&w, "dryRun", dry_run);
	kdr_json_w_string(&w, "flow", plan->flow);
	kdr_json_w_open(&w, "groups", '[', false);
	for (size_t i = 0; i < plan->n_groups; i++) {
		kdr_json_w_open(&w, NULL, '{', true);
		kdr_json_w_string(&w, "group", plan->groups[i].group);
		kdr_json_w_string(&w, "reason", plan->groups[i].reason);
		kdr_json_w_string(&w, "verdict", kdr_dr_verdict_name(plan->groups[i].verdict));
		kdr_json_w_close(&w, '}');
	}
	kdr_json_w_close(&w, ']');
	kdr_json_w_open(&w, "partitions", '[', false);
	for (size_t i = 0; i < plan->n_rows; i++) {
		const struct kdr_dr_failover_row *r = &plan->rows[i];

		kdr_json_w_open(&w, NULL, '{', true);
		json_known(&w, "atRisk", r->at_risk);
		json_known(&w, "checkpoint", r->checkpoint);
		json_known(&w, "current", r->current);
		kdr_json_w_string(&w, "group", r->group);
		json_known(&w, "new", r->next);
		kdr_json_w_int(&w, "partition", (long long)r->partition);
		kdr_json_w_string(&w, "reason", r->reason);
		kdr_json_w_string(&w, "topic", r->topic);
		json_known(&w, "upstream", r->upstream);
		kdr_json_w_string(&w, "verdict", kdr_dr_verdict_name(r->verdict));
		kdr_json_w_close(&w, '}');
	}
	kdr_json_w_close(&w, ']');
	kdr_json_w_int(&w, "refusedGroups", (long long)plan->n_refused);
	kdr_json_w_string(&w, "source", plan->source);
	kdr_json_w_string(&w, "target", plan->target);
	json_known(&w, "totalAtRisk", plan->total_at_risk);
	kdr_json_w_close(&w, '}');
	kdr_json_w_release(&w);
	kdr_buf_putc(out, '\n');
}

void kdr_dr_failover_plan_release(struct kdr_dr_failover_plan *plan)
{
	for (size_t i = 0; i < plan->n_rows; i++) {
		free(plan->rows[i].group);
		free(plan->rows[i].topic);
		free(plan->rows[i].reason);
		free(plan->rows[i].metadata);
	}
	free(plan->rows);
	for (size_t i = 0; i < plan->n_groups; i++) {
		free(plan->groups[i].group);
		free(plan->groups[i].reason);
	}
	free(plan->groups);
	free(plan->flow);
	free(plan->source);
	free(plan->target);
	memset(plan, 0, sizeof(*plan));
}
