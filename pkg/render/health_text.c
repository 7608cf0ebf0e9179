/*
 * `kdr status` as text: failed clusters, then per flow its connectors (with
 * trace heads), remote topics, lag and problems, then the topic findings and
 * a summary line.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "render/render.h"

#define STATUS_MAX_NAMES 10

static void put_trace(struct kdr_buf *out, const char *trace, const char *indent)
{
	const char *line = trace;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		kdr_buf_printf(out, "%s%.*s\n", indent, (int)len, line);
		line = end ? end + 1 : NULL;
	}
}

static void put_tasks_summary(struct kdr_buf *out, const struct kdr_health_connector *sc)
{
	size_t counts[KDR_CONNECTOR_RESTARTING + 1] = {0};
	bool first = true;

	if (!sc->tasks)
		return;
	for (size_t t = 0; t < sc->n_tasks; t++)
		if ((size_t)sc->tasks[t].state <= KDR_CONNECTOR_RESTARTING)
			counts[sc->tasks[t].state]++;
	kdr_buf_printf(out, ", %zu task(s)", sc->n_tasks);
	for (size_t s = 0; s <= KDR_CONNECTOR_RESTARTING; s++) {
		if (!counts[s])
			continue;
		kdr_buf_printf(out, "%s%zu %s", first ? ": " : ", ", counts[s],
			       kdr_connector_state_name((enum kdr_connector_state)s));
		first = false;
	}
}

static void put_mirrored(struct kdr_buf *out, const struct kdr_health_flow *sf, bool present)
{
	size_t shown = 0, total = present ? sf->n_mirrored - sf->n_missing : sf->n_missing;

	if (!total)
		return;
	kdr_buf_printf(out, "    %s: ", present ? "present" : "missing");
	for (size_t i = 0; i < sf->n_mirrored && shown < STATUS_MAX_NAMES; i++) {
		const struct kdr_health_mirrored *m = &sf->mirrored[i];

		if ((m->remote_partitions > 0) != present)
			continue;
		kdr_buf_printf(out, "%s%s -> %s", shown ? ", " : "", m->topic, m->remote);
		shown++;
	}
	if (total > shown)
		kdr_buf_printf(out, " ... and %zu more", total - shown);
	kdr_buf_putc(out, '\n');
}

/* The level's name, in capitals where it needs a look. */
static const char *level_label(enum kdr_health_level level)
{
	switch (level) {
	case KDR_HEALTH_OK:
	case KDR_HEALTH_UNCHECKED:
		return kdr_health_level_name(level);
	case KDR_HEALTH_WARNING:
		return "WARNING";
	case KDR_HEALTH_FAILED:
		return "FAILED";
	}
	return "?";
}

/* "12 records" / "unknown" and "1.5 s" / "unknown". */
static void put_count(struct kdr_buf *out, int64_t n)
{
	if (n < 0)
		kdr_buf_puts(out, "unknown");
	else
		kdr_buf_printf(out, "%lld record(s)", (long long)n);
}

static void put_ms(struct kdr_buf *out, int64_t ms)
{
	if (ms < 0)
		kdr_buf_puts(out, "unknown");
	else
		kdr_buf_printf(out, "%lld.%01lld s", (long long)(ms / 1000), (long long)(ms % 1000 / 100));
}

#define STATUS_LAG_TOPICS_SHOWN 10

static void put_lag_text(struct kdr_buf *out, const struct kdr_health_lag *lag)
{
	size_t shown = 0;

	if (!lag->measured) {
		if (lag->error)
			kdr_buf_printf(out, "  lag: not measured: %s\n", lag->error);
		return;
	}
	kdr_buf_puts(out, "  lag: ");
	put_count(out, lag->records);
	kdr_buf_puts(out, ", RPO ");
	put_ms(out, lag->rpo_ms);
	kdr_buf_puts(out, ", heartbeat ");
	if (lag->heartbeat_age_ms < 0) {
		kdr_buf_puts(out, "none seen");
	} else {
		put_ms(out, lag->heartbeat_age_ms);
		kdr_buf_puts(out, " ago");
	}
	kdr_buf_puts(out, " (kdr lag --flow for each partition)\n");
	for (size_t i = 0; i < lag->n_topics && shown < STATUS_LAG_TOPICS_SHOWN; i++) {
		if (lag->topics[i].records == 0)
			continue;
		kdr_buf_printf(out, "    %s: ", lag->topics[i].topic);
		put_count(out, lag->topics[i].records);
		kdr_buf_puts(out, ", RPO ");
		put_ms(out, lag->topics[i].rpo_ms);
		kdr_buf_putc(out, '\n');
		shown++;
	}
}

static void put_flow_text(struct kdr_buf *out, const struct kdr_health_flow *sf)
{
	kdr_buf_printf(out, "Flow %s (%s -> %s)%s: %s\n", sf->name, sf->source, sf->target,
		       sf->suspended ? ", suspended" : "", level_label(sf->level));
	if (sf->n_connectors)
		kdr_buf_puts(out, "  connectors:\n");
	for (size_t i = 0; i < sf->n_connectors; i++) {
		const struct kdr_health_connector *sc = &sf->connectors[i];

		kdr_buf_printf(out, "    %-7s %s/%s: %s", level_label(sc->level), sc->cluster, sc->name, sc->state);
		put_tasks_summary(out, sc);
		if (sc->message)
			kdr_buf_printf(out, " - %s", sc->message);
		kdr_buf_putc(out, '\n');
		if (sc->trace) {
			kdr_buf_puts(out, "        connector trace:\n");
			put_trace(out, sc->trace, "          ");
		}
		for (size_t t = 0; t < sc->n_tasks; t++) {
			if (!sc->tasks[t].trace)
				continue;
			kdr_buf_printf(out, "        task %d %s:\n", (int)sc->tasks[t].id,
				       kdr_connector_state_name(sc->tasks[t].state));
			put_trace(out, sc->tasks[t].trace, "          ");
		}
	}
	if (sf->topics_checked && sf->n_mirrored == 0) {
		kdr_buf_printf(out, "  remote topics on %s: no topic of %s is mirrored\n", sf->target, sf->source);
	} else if (sf->topics_checked) {
		kdr_buf_printf(out, "  remote topics on %s: %zu of %zu mirrored topic(s) present\n", sf->target,
			       sf->n_mirrored - sf->n_missing, sf->n_mirrored);
		put_mirrored(out, sf, true);
		put_mirrored(out, sf, false);
	} else {
		kdr_buf_puts(out, "  remote topics: not checked (both clusters must be read)\n");
	}
	put_lag_text(out, &sf->lag);
	for (size_t i = 0; i < sf->problems.n; i++)
		kdr_buf_printf(out, "  - %s\n", sf->problems.v[i]);
}

void kdr_render_health_text(struct kdr_buf *out, const struct kdr_health *status)
{
	size_t failed = 0, warned = 0, unchecked = 0;

	for (size_t i = 0; i < status->n_clusters; i++) {
		const struct kdr_health_cluster *sc = &status->clusters[i];

		if (!sc->checked)
			continue;
		if (!sc->read)
			kdr_buf_printf(out, "Cluster %s: FAILED - could not be read\n", sc->name);
		else if (sc->has_connect && !sc->connect_read)
			kdr_buf_printf(out, "Cluster %s: FAILED - connect '%s' could not be read\n", sc->name,
				       sc->connect_url ? sc->connect_url : "?");
	}
	for (size_t i = 0; i < status->n_flows; i++) {
		if (i || out->len)
			kdr_buf_putc(out, '\n');
		put_flow_text(out, &status->flows[i]);
		failed += status->flows[i].level == KDR_HEALTH_FAILED;
		warned += status->flows[i].level == KDR_HEALTH_WARNING;
		unchecked += status->flows[i].level == KDR_HEALTH_UNCHECKED;
	}
	if (status->n_topics) {
		kdr_buf_puts(out, "\nTopics:\n");
		for (size_t i = 0; i < status->n_topics; i++) {
			const struct kdr_health_topic *st = &status->topics[i];

			kdr_buf_printf(out, "  %-7s %s/%s: %s: %s\n", level_label(st->level), st->cluster, st->topic,
				       st->kind, st->message);
		}
	}
	kdr_buf_printf(out, "\nStatus: %s - %zu flow(s): %zu healthy, %zu with warnings, %zu failed", level_label(status->level),
		       status->n_flows, status->n_flows - failed - warned - unchecked, warned, failed);
	/* A flow kdr did not read is never counted healthy. */
	if (unchecked)
		kdr_buf_printf(out, ", %zu not checked", unchecked);
	kdr_buf_putc(out, '\n');
}

