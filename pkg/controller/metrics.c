/* The controller's counters and gauges, and their Prometheus text exposition (0.0.4). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/controller.h"
#include "util/alloc.h"

const char *kdr_controller_action_result_name(enum kdr_controller_action_result result)
{
	switch (result) {
	case KDR_CONTROLLER_ACTION_SUCCEEDED: return "succeeded";
	case KDR_CONTROLLER_ACTION_FAILED: return "failed";
	case KDR_CONTROLLER_ACTION_SKIPPED: return "skipped";
	case KDR_CONTROLLER_ACTION_DRY_RUN: return "dry-run";
	}
	return "unknown";
}

struct kdr_controller_cluster_stats *kdr_controller_stats_cluster(struct kdr_controller_stats *stats,
								  const char *name)
{
	size_t lo = 0, hi = stats->n_clusters;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(stats->clusters[mid].name, name);

		if (cmp == 0)
			return &stats->clusters[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	stats->clusters = kdr_grow(stats->clusters, &stats->cap_clusters, stats->n_clusters + 1,
				   sizeof(*stats->clusters));
	memmove(&stats->clusters[lo + 1], &stats->clusters[lo], (stats->n_clusters - lo) * sizeof(*stats->clusters));
	memset(&stats->clusters[lo], 0, sizeof(*stats->clusters));
	stats->clusters[lo].name = kdr_strdup(name);
	stats->n_clusters++;
	return &stats->clusters[lo];
}

void kdr_controller_stats_release(struct kdr_controller_stats *stats)
{
	for (size_t i = 0; i < stats->n_clusters; i++)
		free(stats->clusters[i].name);
	free(stats->clusters);
	free(stats->revision);
	memset(stats, 0, sizeof(*stats));
}

void kdr_controller_metrics_escape(struct kdr_buf *out, const char *value)
{
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '\\')
			kdr_buf_puts(out, "\\\\");
		else if (*p == '"')
			kdr_buf_puts(out, "\\\"");
		else if (*p == '\n')
			kdr_buf_puts(out, "\\n");
		else
			kdr_buf_putc(out, *p);
	}
}

/* Milliseconds as seconds, without trailing zeros: 5000 -> "5", 1500 -> "1.5", 1234 -> "1.234". */
static void put_seconds(struct kdr_buf *out, int64_t ms)
{
	int64_t whole = ms / 1000, frac = ms % 1000;
	char digits[4] = { 0 };
	int len = 3;

	if (ms < 0) {
		kdr_buf_putc(out, '-');
		whole = -whole;
		frac = -frac;
	}
	kdr_buf_printf(out, "%" PRId64, whole);
	if (frac == 0)
		return;
	digits[0] = (char)('0' + frac / 100);
	digits[1] = (char)('0' + frac / 10 % 10);
	digits[2] = (char)('0' + frac % 10);
	while (len > 0 && digits[len - 1] == '0')
		digits[--len] = '\0';
	kdr_buf_printf(out, ".%s", digits);
}

static void family(struct kdr_buf *out, const char *name, const char *type, const char *help)
{
	kdr_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void labelled(struct kdr_buf *out, const char *name, const char *label, const char *value)
{
	kdr_buf_printf(out, "%s{%s=\"", name, label);
	kdr_controller_metrics_escape(out, value);
	kdr_buf_puts(out, "\"} ");
}

/* kdr_actions_total's non-zero series, in label order: kind names, then result names, as strings. */
static void put_actions(struct kdr_buf *out, const struct kdr_controller_stats *stats)
{
	static const enum kdr_controller_action_result results[] = {
		KDR_CONTROLLER_ACTION_DRY_RUN,
		KDR_CONTROLLER_ACTION_FAILED,
		KDR_CONTROLLER_ACTION_SKIPPED,
		KDR_CONTROLLER_ACTION_SUCCEEDED,
	};
	size_t order[KDR_CONTROLLER_ACTION_KINDS] = { 0 };

	/* Insertion sort of the kinds by name: the enum order is not the label order. */
	for (size_t k = 0; k < KDR_CONTROLLER_ACTION_KINDS; k++) {
		const char *name = kdr_action_kind_name((enum kdr_action_kind)k);
		size_t at = k;

		while (at > 0 && strcmp(kdr_action_kind_name((enum kdr_action_kind)order[at - 1]), name) > 0) {
			order[at] = order[at - 1];
			at--;
		}
		order[at] = k;
	}
	for (size_t i = 0; i < KDR_CONTROLLER_ACTION_KINDS; i++) {
		for (size_t r = 0; r < sizeof(results) / sizeof(results[0]); r++) {
			uint64_t n = stats->actions[order[i]][results[r]];

			if (n == 0)
				continue;
			kdr_buf_puts(out, "kdr_actions_total{kind=\"");
			kdr_controller_metrics_escape(out, kdr_action_kind_name((enum kdr_action_kind)order[i]));
			kdr_buf_printf(out, "\",result=\"%s\"} %" PRIu64 "\n",
				       kdr_controller_action_result_name(results[r]), n);
		}
	}
}

void kdr_controller_metrics_render(struct kdr_buf *out, const struct kdr_controller_stats *stats)
{
	family(out, "kdr_reconcile_cycles_total", "counter", "Reconcile cycles run, by result.");
	kdr_buf_printf(out, "kdr_reconcile_cycles_total{result=\"failure\"} %" PRIu64 "\n", stats->cycles_failure);
	kdr_buf_printf(out, "kdr_reconcile_cycles_total{result=\"success\"} %" PRIu64 "\n", stats->cycles_success);

	family(out, "kdr_actions_total", "counter",
	       "Plan actions by kind and result (dry-run: planned under --dry-run, never applied).");
	put_actions(out, stats);

	family(out, "kdr_errors_total", "counter",
	       "Errors per cluster: failed reads, failed actions, plan-time errors.");
	for (size_t i = 0; i < stats->n_clusters; i++) {
		labelled(out, "kdr_errors_total", "cluster", stats->clusters[i].name);
		kdr_buf_printf(out, "%" PRIu64 "\n", stats->clusters[i].errors_total);
	}

	family(
	    out, "kdr_source_errors_total", "counter",
	    "Source checks that failed and revisions rejected as invalid (the last good desired state stays in use).");
	kdr_buf_printf(out, "kdr_source_errors_total %" PRIu64 "\n", stats->source_errors_total);

	family(out, "kdr_last_success_timestamp_seconds", "gauge",
	       "Unix time the last successful reconcile cycle ended (0: none yet).");
	kdr_buf_puts(out, "kdr_last_success_timestamp_seconds ");
	put_seconds(out, stats->last_success_unix_ms);
	kdr_buf_putc(out, '\n');

	family(out, "kdr_last_cycle_duration_seconds", "gauge", "Duration of the last reconcile cycle.");
	kdr_buf_puts(out, "kdr_last_cycle_duration_seconds ");
	put_seconds(out, stats->last_cycle_duration_ms);
	kdr_buf_putc(out, '\n');

	family(out, "kdr_info", "gauge",
	       "The desired-state revision last reconciled (a commit id, or a content hash of a directory).");
	labelled(out, "kdr_info", "revision", stats->revision);
	kdr_buf_puts(out, "1\n");

	family(out, "kdr_plan_actions", "gauge", "Actions in the last plan.");
	kdr_buf_printf(out, "kdr_plan_actions %" PRIu64 "\n", stats->plan_actions);

	family(out, "kdr_drift_items", "gauge",
	       "Differences left after the last cycle: actions not applied (all of them under --dry-run) plus blocked "
	       "items.");
	kdr_buf_printf(out, "kdr_drift_items %" PRIu64 "\n", stats->drift_items);

	if (stats->leader) {
		family(out, "kdr_leader", "gauge", "1 while this replica holds the leader Lease and acts, 0 on standby.");
		kdr_buf_printf(out, "kdr_leader %d\n", stats->leader == 2);
	}

	family(out, "kdr_cluster_backoff_seconds", "gauge",
	       "Current backoff delay of a failing cluster (0: healthy).");
	for (size_t i = 0; i < stats->n_clusters; i++) {
		labelled(out, "kdr_cluster_backoff_seconds", "cluster", stats->clusters[i].name);
		put_seconds(out, stats->clusters[i].backoff_ms);
		kdr_buf_putc(out, '\n');
	}
}
