#include <stdlib.h>
#include <string.h>

#include "plan/codec_json.h"
#include "render/render_internal.h"
#include "render/render.h"
#include "util/alloc.h"
#include "util/error.h"

const char *const kdr_render_format_names[] = {
	[KDR_RENDER_TEXT] = "text",
	[KDR_RENDER_MARKDOWN] = "markdown",
	[KDR_RENDER_JSON] = "json",
	NULL,
};

void kdr_render_plan(struct kdr_buf *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
		     enum kdr_render_format format)
{
	switch (format) {
	case KDR_RENDER_TEXT:
		kdr_render__text(out, plan);
		break;
	case KDR_RENDER_MARKDOWN:
		kdr_render__markdown(out, plan, desired);
		break;
	case KDR_RENDER_JSON:
		kdr_plan_to_json(out, plan);
		break;
	}
}

char kdr_render__symbol(enum kdr_action_kind kind)
{
	switch (kdr_action_kind_class(kind)) {
	case KDR_ACTION_CLASS_CREATE:
		return '+';
	case KDR_ACTION_CLASS_DELETE:
		return '-';
	case KDR_ACTION_CLASS_CHANGE:
		break;
	}
	return '~';
}

size_t kdr_render__first_partition(const struct kdr_action *action)
{
	if (action->kind != KDR_ACTION_ADD_PARTITIONS || action->partitions < 0 ||
	    (uint64_t)action->partitions < action->assignment.n)
		return 0;
	return (size_t)action->partitions - action->assignment.n;
}

/*
 * `v` in decimal, as "%lld" writes it. An apply's plan shows a replica list
 * per partition: printf per number was 14% of creating 10,000 topics.
 */
static void put_decimal(struct kdr_buf *out, long long v)
{
	char digits[24];
	size_t at = sizeof(digits);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		digits[--at] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		digits[--at] = '-';
	kdr_buf_put(out, digits + at, sizeof(digits) - at);
}

void kdr_render__assignment_compact(struct kdr_buf *out, const struct kdr_assignment *assignment, size_t first,
				    size_t max)
{
	size_t shown = assignment->n < max ? assignment->n : max;

	for (size_t p = 0; p < shown; p++) {
		const struct kdr_replica_list *list = &assignment->partitions[p];

		kdr_buf_puts(out, p ? " p" : "p");
		put_decimal(out, (long long)(first + p));
		kdr_buf_puts(out, "=[");
		for (size_t r = 0; r < list->n; r++) {
			if (r)
				kdr_buf_putc(out, ',');
			put_decimal(out, (long long)list->ids[r]);
		}
		kdr_buf_putc(out, ']');
	}
	if (assignment->n > shown)
		kdr_buf_printf(out, " ... (%zu more)", assignment->n - shown);
}

static void put_counts(struct kdr_buf *out, const struct kdr_strmap *map)
{
	for (size_t i = 0; i < map->n; i++)
		kdr_buf_printf(out, "%s%s=%s", i ? ", " : "", map->v[i].key, map->v[i].value ? map->v[i].value : "?");
}

static void restart_line(struct kdr_buf *out, const char *indent, const struct kdr_action *action)
{
	if (!action->n_task_ids) {
		kdr_buf_printf(out, "%srestart: the connector and its failed tasks\n", indent);
		return;
	}
	kdr_buf_printf(out, "%srestart: tasks", indent);
	for (size_t i = 0; i < action->n_task_ids; i++)
		kdr_buf_printf(out, "%s%d", i ? ", " : " ", (int)action->task_ids[i]);
	kdr_buf_putc(out, '\n');
}

void kdr_render__action_details(struct kdr_buf *out, const struct kdr_action *action,
				const struct kdr_render__detail_writers *writers)
{
	if (kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TOPIC_SHAPE))
		writers->topic_shape(out, action);
	if (action->kind == KDR_ACTION_CREATE_TOPIC || action->kind == KDR_ACTION_CREATE_CONNECTOR)
		writers->config(out, action);
	if (kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_CHANGES))
		writers->changes(out, action);
	if (kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TASKS))
		restart_line(out, writers->indent, action);
}

void kdr_render__placement_lines(struct kdr_strvec *out, const struct kdr_action *action)
{
	const struct kdr_placement_summary *ps = &action->placement;
	const struct kdr_dc_loss_report *report = &ps->dc_loss;
	struct kdr_buf line = KDR_BUF_INIT;

	if (!kdr_action_has_placement(action))
		return;
	if (ps->replicas_per_dc.n) {
		kdr_buf_puts(&line, "replicas per DC: ");
		put_counts(&line, &ps->replicas_per_dc);
		kdr_strvec_push_take(out, kdr_buf_detach(&line));
	}
	if (ps->replicas_per_rack.n) {
		kdr_buf_puts(&line, "replicas per rack: ");
		put_counts(&line, &ps->replicas_per_rack);
		kdr_strvec_push_take(out, kdr_buf_detach(&line));
	}
	if (ps->has_dc_loss) {
		size_t failing = 0;

		if (report->survives_any_single_dc_loss) {
			kdr_buf_puts(&line, "dc loss: survives losing any one DC");
		} else {
			kdr_buf_puts(&line, "dc loss: writes with acks=all stop if ");
			for (size_t i = 0; i < report->n; i++) {
				if (report->v[i].survives)
					continue;
				kdr_buf_printf(&line, "%s%s", failing++ ? " or " : "", report->v[i].datacenter);
			}
			if (!failing)
				kdr_buf_puts(&line, "any one DC");
			kdr_buf_puts(&line, " is lost");
		}
		kdr_buf_printf(&line, " (min.insync.replicas=%lld", (long long)ps->min_insync_replicas);
		for (size_t i = 0; i < report->n; i++)
			kdr_buf_printf(&line, "%s%s lost -> %zu left", i ? ", " : "; ", report->v[i].datacenter,
				       report->v[i].min_replicas_left);
		kdr_buf_putc(&line, ')');
		kdr_strvec_push_take(out, kdr_buf_detach(&line));
	} else if (ps->min_insync_replicas > 0) {
		kdr_buf_printf(&line, "min.insync.replicas: %lld", (long long)ps->min_insync_replicas);
		kdr_strvec_push_take(out, kdr_buf_detach(&line));
	}
	kdr_buf_release(&line);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void add_cluster(struct kdr_strvec *out, const char *cluster, bool *none)
{
	if (!cluster || !*cluster)
		*none = true;
	else if (!kdr_strvec_contains(out, cluster))
		kdr_strvec_push(out, cluster);
}

void kdr_render__clusters(struct kdr_strvec *out, const struct kdr_plan *plan, bool with_blocked)
{
	bool none = false;

	for (size_t i = 0; i < plan->n_actions; i++)
		add_cluster(out, plan->actions[i].cluster, &none);
	for (size_t i = 0; with_blocked && i < plan->n_blocked; i++)
		add_cluster(out, plan->blocked[i].cluster, &none);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), compare_strings);
	/* Items without a cluster come after the clusters, as a group of their own. */
	if (none)
		kdr_strvec_push(out, "");
}

bool kdr_render__in_cluster(const char *cluster, const char *group)
{
	if (!cluster || !*cluster)
		return !*group;
	return strcmp(cluster, group) == 0;
}

void kdr_render__notes_order(size_t *out, const struct kdr_plan *plan)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n_notes; i++)
		if (plan->notes[i].kind == KDR_NOTE_WARNING)
			out[n++] = i;
	for (size_t i = 0; i < plan->n_notes; i++)
		if (plan->notes[i].kind != KDR_NOTE_WARNING)
			out[n++] = i;
}

bool kdr_render__is_commit_id(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n >= 7 && n <= 64;
}
