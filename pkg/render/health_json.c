/*
 * `kdr status --output json`, written with the render JSON writer: the top
 * level and each list one item per line, each item on one line except a
 * flow's connectors and remote topics, which are again one per line.
 */
#include <stdint.h>

#include "render/render.h"
#include "render/render_internal.h"
#include "util/json_write.h"

/* A count or an age: null when unknown (negative). */
static void put_count(struct kdr_json_w *w, const char *key, int64_t value)
{
	if (value < 0)
		kdr_json_w_null(w, key);
	else
		kdr_json_w_int(w, key, (long long)value);
}

static void put_connector(struct kdr_json_w *w, const struct kdr_health_connector *sc)
{
	kdr_json_w_open(w, NULL, '{', true);
	kdr_json_w_string(w, "name", sc->name);
	kdr_json_w_string(w, "cluster", sc->cluster);
	kdr_json_w_string(w, "role", kdr_mm2_role_name(sc->role));
	kdr_json_w_string(w, "status", kdr_health_level_name(sc->level));
	kdr_json_w_string(w, "state", sc->state);
	kdr_json_w_string(w, "message", sc->message);
	kdr_json_w_bool(w, "drift", sc->drift);
	kdr_json_w_string(w, "trace", sc->trace);
	kdr_json_w_open(w, "tasks", '[', true);
	for (size_t t = 0; t < sc->n_tasks; t++) {
		kdr_json_w_open(w, NULL, '{', true);
		kdr_json_w_int(w, "id", sc->tasks[t].id);
		kdr_json_w_string(w, "state", kdr_connector_state_name(sc->tasks[t].state));
		kdr_json_w_string(w, "trace", sc->tasks[t].trace);
		kdr_json_w_close(w, '}');
	}
	kdr_json_w_close(w, ']');
	kdr_json_w_close(w, '}');
}

/* null (not measured) | {"records", "rpoMs", "heartbeatAgeMs", "measuredAt", "topics": [...]} or {"error"} */
static void put_lag(struct kdr_json_w *w, const struct kdr_health_lag *lag)
{
	if (!lag->measured && !lag->error) {
		kdr_json_w_null(w, "lag");
		return;
	}
	kdr_json_w_open(w, "lag", '{', true);
	if (!lag->measured) {
		kdr_json_w_string(w, "error", lag->error);
		kdr_json_w_close(w, '}');
		return;
	}
	put_count(w, "records", lag->records);
	put_count(w, "rpoMs", lag->rpo_ms);
	put_count(w, "heartbeatAgeMs", lag->heartbeat_age_ms);
	kdr_json_w_int(w, "measuredAtMs", lag->measured_at_ms);
	kdr_json_w_open(w, "topics", '[', true);
	for (size_t i = 0; i < lag->n_topics; i++) {
		kdr_json_w_open(w, NULL, '{', true);
		kdr_json_w_string(w, "topic", lag->topics[i].topic);
		put_count(w, "records", lag->topics[i].records);
		put_count(w, "rpoMs", lag->topics[i].rpo_ms);
		kdr_json_w_close(w, '}');
	}
	kdr_json_w_close(w, ']');
	kdr_json_w_close(w, '}');
}

static void put_remote_topics(struct kdr_json_w *w, const struct kdr_health_flow *sf)
{
	if (!sf->topics_checked) {
		kdr_json_w_null(w, "remoteTopics");
		return;
	}
	kdr_json_w_open_lines(w, "remoteTopics", '[');
	for (size_t i = 0; i < sf->n_mirrored; i++) {
		const struct kdr_health_mirrored *m = &sf->mirrored[i];

		kdr_json_w_open(w, NULL, '{', true);
		kdr_json_w_string(w, "topic", m->topic);
		kdr_json_w_string(w, "remote", m->remote);
		kdr_json_w_bool(w, "present", m->remote_partitions > 0);
		kdr_json_w_int(w, "sourcePartitions", m->source_partitions);
		kdr_json_w_int(w, "remotePartitions", m->remote_partitions);
		kdr_json_w_close(w, '}');
	}
	kdr_json_w_close(w, ']');
}

static void put_flow(struct kdr_json_w *w, const struct kdr_health_flow *sf)
{
	kdr_json_w_open(w, NULL, '{', true);
	kdr_json_w_string(w, "name", sf->name);
	kdr_json_w_string(w, "source", sf->source);
	kdr_json_w_string(w, "target", sf->target);
	kdr_json_w_bool(w, "suspended", sf->suspended);
	kdr_json_w_string(w, "status", kdr_health_level_name(sf->level));
	kdr_json_w_open_lines(w, "connectors", '[');
	for (size_t i = 0; i < sf->n_connectors; i++)
		put_connector(w, &sf->connectors[i]);
	kdr_json_w_close(w, ']');
	put_remote_topics(w, sf);
	put_lag(w, &sf->lag);
	kdr_json_w_open(w, "problems", '[', true);
	for (size_t i = 0; i < sf->problems.n; i++)
		kdr_json_w_string(w, NULL, sf->problems.v[i]);
	kdr_json_w_close(w, ']');
	kdr_json_w_close(w, '}');
}

/*
 * {"status": "ok|unchecked|warning|failed",
 *  "clusters": [{"name", "checked", "read", "connect" (URL or null), "connectRead"}],
 *  "flows": [{"name", "source", "target", "suspended", "status",
 *             "connectors": [{"name", "cluster", "role", "status", "state", "message", "drift", "trace",
 *                             "tasks": [{"id", "state", "trace"}]}],
 *             "remoteTopics": null (not checked) | [{"topic", "remote", "present", "sourcePartitions",
 *                                                   "remotePartitions"}],
 *             "lag": null (not measured) | {"error"} | {"records", "rpoMs", "heartbeatAgeMs" (null:
 *                    unknown / none seen), "measuredAtMs", "topics": [{"topic", "records", "rpoMs"}]},
 *             "problems": [string]}],
 *  "topics": [{"cluster", "topic", "kind", "status", "message"}]}
 */
void kdr_render_health_json(struct kdr_buf *out, const struct kdr_health *status)
{
	struct kdr_json_w w;

	kdr_json_w_init(&w, out);
	kdr_json_w_open(&w, NULL, '{', false);
	kdr_json_w_string(&w, "status", kdr_health_level_name(status->level));
	kdr_json_w_open(&w, "clusters", '[', false);
	for (size_t i = 0; i < status->n_clusters; i++) {
		const struct kdr_health_cluster *sc = &status->clusters[i];

		kdr_json_w_open(&w, NULL, '{', true);
		kdr_json_w_string(&w, "name", sc->name);
		kdr_json_w_bool(&w, "checked", sc->checked);
		kdr_json_w_bool(&w, "read", sc->read);
		kdr_json_w_string(&w, "connect", sc->connect_url);
		kdr_json_w_bool(&w, "connectRead", sc->connect_read);
		kdr_json_w_close(&w, '}');
	}
	kdr_json_w_close(&w, ']');
	kdr_json_w_open(&w, "flows", '[', false);
	for (size_t i = 0; i < status->n_flows; i++)
		put_flow(&w, &status->flows[i]);
	kdr_json_w_close(&w, ']');
	kdr_json_w_open(&w, "topics", '[', false);
	for (size_t i = 0; i < status->n_topics; i++) {
		const struct kdr_health_topic *st = &status->topics[i];

		kdr_json_w_open(&w, NULL, '{', true);
		kdr_json_w_string(&w, "cluster", st->cluster);
		kdr_json_w_string(&w, "topic", st->topic);
		kdr_json_w_string(&w, "kind", st->kind);
		kdr_json_w_string(&w, "status", kdr_health_level_name(st->level));
		kdr_json_w_string(&w, "message", st->message);
		kdr_json_w_close(&w, '}');
	}
	kdr_json_w_close(&w, ']');
	kdr_json_w_close(&w, '}');
	kdr_buf_putc(out, '\n');
	kdr_json_w_release(&w);
}
