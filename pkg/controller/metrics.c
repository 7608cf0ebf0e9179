/* The controller's counters and gauges, and their Prometheus text exposition (0.0.4). */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "controller/controller.h"
#include "util/alloc.h"
#include "util/sort.h"

const char *kdr_controller_action_result_name(enum kdr_controller_action_result result)
{
	switch (result) {
	case KDR_CONTROLLER_ACTION_SUCCEEDED: return "succeeded";
	case KDR_CONTROLLER_ACTION_FAILED: return "failed";
	case KDR_CONTROLLER_ACTION_SKIPPED: return "skipped";
	case KDR_CONTROLLER_ACTION_DRY_RUN: return "dry-run";
	case KDR_CONTROLLER_ACTION_HELD: return "held";
	case KDR_CONTROLLER_ACTION_PENDING: return "pending";
	}
	return "unknown";
}

struct kdr_controller_cluster_stats *kdr_controller_stats_cluster(struct kdr_controller_stats *stats,
								  const char *name)
{
	size_t at = 0;

	stats->clusters = kdr_sort_insert_named(&at, stats->clusters, &stats->n_clusters, &stats->cap_clusters,
						sizeof(*stats->clusters), name);
	return &stats->clusters[at];
}

void kdr_controller_stats_release(struct kdr_controller_stats *stats)
{
	for (size_t i = 0; i < stats->n_clusters; i++)
		free(stats->clusters[i].name);
	free(stats->clusters);
	free(stats->revision);
	kdr_controller_flow_lags_free(stats->flow_lags, stats->n_flow_lags);
	memset(stats, 0, sizeof(*stats));
}

void kdr_controller_flow_lags_free(struct kdr_controller_flow_lag *lags, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(lags[i].flow);
		kdr_health_lag_release(&lags[i].lag);
	}
	free(lags);
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

/* A sample's value and its end of line: a figure in ms as seconds, or a count. */
static void put_sample(struct kdr_buf *out, int64_t value, bool seconds)
{
	if (seconds)
		put_seconds(out, value);
	else
		kdr_buf_printf(out, "%lld", (long long)value);
	kdr_buf_putc(out, '\n');
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
		KDR_CONTROLLER_ACTION_HELD,
		KDR_CONTROLLER_ACTION_PENDING,
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

static void flow_series(struct kdr_buf *out, const char *name, const char *flow, const char *topic)
{
	kdr_buf_printf(out, "%s{flow=\"", name);
	kdr_controller_metrics_escape(out, flow);
	if (topic) {
		kdr_buf_puts(out, "\",topic=\"");
		kdr_controller_metrics_escape(out, topic);
	}
	kdr_buf_puts(out, "\"} ");
}

/* The flows' whole-flow lag figures, one gauge family each; below `least` a figure is not known. */
static const struct {
	const char *name;
	const char *help;
	size_t at;    /* of an int64_t in struct kdr_health_lag */
	int64_t least;
	bool seconds; /* a figure in ms, shown in seconds (else a count) */
} flow_figures[] = {
	{ "kdr_flow_lag_measured_timestamp_seconds",
	  "When the flow's lag figures were measured (Unix seconds); kdr run --lag-interval keeps them between "
	  "measurements.",
	  offsetof(struct kdr_health_lag, measured_at_ms), 1, true },
	{ "kdr_flow_lag_records",
	  "Records on the flow's source not yet on its target, over its mirrored partitions (as kdr lag).",
	  offsetof(struct kdr_health_lag, records), 0, false },
	{ "kdr_flow_rpo_seconds",
	  "Age of the oldest record not yet replicated (RPO estimate, 0 when caught up; as kdr lag).",
	  offsetof(struct kdr_health_lag, rpo_ms), 0, true },
	{ "kdr_flow_heartbeat_age_seconds", "Age of the newest MM2 heartbeat of the flow on its target.",
	  offsetof(struct kdr_health_lag, heartbeat_age_ms), 0, true },
};

/* The flows' lag families; topics bounded per flow (KDR_HEALTH_LAG_TOPICS). */
static void put_lags(struct kdr_buf *out, const struct kdr_controller_stats *stats)
{
	static const char *const topic_families[] = { "kdr_flow_topic_lag_records", "kdr_flow_topic_rpo_seconds" };
	const struct kdr_health_topic_lag **shown = NULL;
	size_t *n_shown = NULL;

	if (!stats->n_flow_lags)
		return;
	shown = kdr_calloc(stats->n_flow_lags * KDR_HEALTH_LAG_TOPICS + 1, sizeof(*shown));
	n_shown = kdr_calloc(stats->n_flow_lags, sizeof(*n_shown));
	for (size_t f = 0; f < stats->n_flow_lags; f++) {
		const struct kdr_health_topic_lag **mine = shown + f * KDR_HEALTH_LAG_TOPICS;

		n_shown[f] = kdr_health_lag_worst(mine, &stats->flow_lags[f].lag);
		/* Series in label order: by topic name within the flow. */
		for (size_t t = 1; t < n_shown[f]; t++)
			for (size_t u = t; u > 0 && strcmp(mine[u - 1]->topic, mine[u]->topic) > 0; u--) {
				const struct kdr_health_topic_lag *swap = mine[u - 1];

				mine[u - 1] = mine[u];
				mine[u] = swap;
			}
	}
	family(out, "kdr_flow_lag_measured", "gauge",
	       "1 when the last cycle measured the flow's replication lag (both clusters read), else 0.");
	for (size_t f = 0; f < stats->n_flow_lags; f++) {
		flow_series(out, "kdr_flow_lag_measured", stats->flow_lags[f].flow, NULL);
		kdr_buf_printf(out, "%d\n", stats->flow_lags[f].lag.measured ? 1 : 0);
	}
	for (size_t k = 0; k < sizeof(flow_figures) / sizeof(flow_figures[0]); k++) {
		family(out, flow_figures[k].name, "gauge", flow_figures[k].help);
		for (size_t f = 0; f < stats->n_flow_lags; f++) {
			const struct kdr_health_lag *lag = &stats->flow_lags[f].lag;
			int64_t value = *(const int64_t *)((const char *)lag + flow_figures[k].at);

			if (!lag->measured || value < flow_figures[k].least)
				continue;
			flow_series(out, flow_figures[k].name, stats->flow_lags[f].flow, NULL);
			put_sample(out, value, flow_figures[k].seconds);
		}
	}
	for (size_t k = 0; k < 2; k++) {
		family(out, topic_families[k], "gauge",
		       k == 0 ? "Records behind per mirrored topic (at most " KDR_HEALTH_LAG_TOPICS_TEXT
			       " topics per flow: the furthest behind)."
			      : "RPO estimate per mirrored topic (the same topics as kdr_flow_topic_lag_records).");
		for (size_t f = 0; f < stats->n_flow_lags; f++)
			for (size_t t = 0; t < n_shown[f]; t++) {
				const struct kdr_health_topic_lag *tl = shown[f * KDR_HEALTH_LAG_TOPICS + t];
				int64_t value = k == 0 ? tl->records : tl->rpo_ms;

				if (value < 0)
					continue;
				flow_series(out, topic_families[k], stats->flow_lags[f].flow, tl->topic);
				put_sample(out, value, k == 1);
			}
	}
	family(out, "kdr_flow_lag_topics_omitted", "gauge",
	       "Mirrored topics of the flow without their own lag series (beyond the per-flow bound).");
	for (size_t f = 0; f < stats->n_flow_lags; f++) {
		flow_series(out, "kdr_flow_lag_topics_omitted", stats->flow_lags[f].flow, NULL);
		kdr_buf_printf(out, "%zu\n", stats->flow_lags[f].lag.n_topics - n_shown[f]);
	}
	free(shown);
	free(n_shown);
}

void kdr_controller_metrics_render(struct kdr_buf *out, const struct kdr_controller_stats *stats)
{
	family(out, "kdr_reconcile_cycles_total", "counter", "Reconcile cycles run, by result.");
	kdr_buf_printf(out, "kdr_reconcile_cycles_total{result=\"failure\"} %" PRIu64 "\n", stats->cycles_failure);
	kdr_buf_printf(out, "kdr_reconcile_cycles_total{result=\"success\"} %" PRIu64 "\n", stats->cycles_success);

	family(out, "kdr_actions_total", "counter",
	       "Plan actions by kind and result (dry-run: planned under --dry-run, never applied; held: not attempted, "
	       "the connector delete it waits for failed; pending: applied, Connect did not report it within the "
	       "timeout).");
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
	put_lags(out, stats);
}
