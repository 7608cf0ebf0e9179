/*
 * Flow health for `kdr status`: what the connectors of each flow are doing,
 * judged against what the flow wants (running, or paused when suspended),
 * plus which of the flow's source topics already have their copy on the
 * target. A FAILED connector or task, a connector missing from its worker,
 * one paused while the flow should run, and a cluster or Connect that could
 * not be read are failures; transient states, drift and remote topics not
 * created yet are warnings (Connect never restarts failed tasks itself;
 * MirrorMaker 2 creates remote topics on its next topic refresh).
 */
#include "plan/status.h"

#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/scrub.h"

/* Names shown per list in text output before "... and K more". */
#define STATUS_MAX_NAMES 10

const char *kdr_status_level_name(enum kdr_status_level level)
{
	switch (level) {
	case KDR_STATUS_OK:
		return "ok";
	case KDR_STATUS_UNCHECKED:
		return "unchecked";
	case KDR_STATUS_WARNING:
		return "warning";
	case KDR_STATUS_FAILED:
		return "failed";
	}
	return "unknown";
}

static void raise_level(enum kdr_status_level *level, enum kdr_status_level to)
{
	if (to > *level)
		*level = to;
}

char *kdr_status_trace_head(const char *trace, size_t lines)
{
	const char *end = trace;

	if (!trace || !trace[0] || lines == 0)
		return NULL;
	for (size_t i = 0; i < lines && end; i++) {
		end = strchr(end, '\n');
		if (end && i + 1 < lines)
			end++;
	}
	return end ? kdr_strndup(trace, (size_t)(end - trace)) : kdr_strdup(trace);
}

static bool selected(const struct kdr_status_options *options, const char *name)
{
	if (!options || !options->clusters)
		return true;
	for (size_t i = 0; i < options->n_clusters; i++)
		if (options->clusters[i] && strcmp(options->clusters[i], name) == 0)
			return true;
	return false;
}

static const struct kdr_status_cluster *cluster_of(const struct kdr_status *status, const char *name)
{
	for (size_t i = 0; i < status->n_clusters; i++)
		if (strcmp(status->clusters[i].name, name) == 0)
			return &status->clusters[i];
	return NULL;
}

/* --- clusters --- */

static int compare_clusters(const void *pa, const void *pb)
{
	const struct kdr_status_cluster *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

static void status_clusters(struct kdr_status *out, const struct kdr_desired *desired, const struct kdr_live *live,
			    const struct kdr_status_options *options)
{
	out->clusters = kdr_calloc(desired->n_clusters + 1, sizeof(*out->clusters));
	for (size_t i = 0; i < desired->n_clusters; i++) {
		const struct kdr_cluster *spec = &desired->clusters[i];
		const struct kdr_live_cluster *cl = NULL;
		struct kdr_status_cluster *sc = NULL;

		if (!spec->meta.name)
			continue;
		cl = kdr_live_cluster_find(live, spec->meta.name);
		sc = &out->clusters[out->n_clusters++];
		sc->name = kdr_strdup(spec->meta.name);
		sc->checked = selected(options, spec->meta.name);
		sc->read = cl != NULL;
		sc->has_connect = spec->connect.present;
		sc->connect_read = cl && cl->connect.present;
		sc->connect_url = kdr_scrub_userinfo_dup(spec->connect.url);
		if (sc->checked && (!sc->read || (sc->has_connect && !sc->connect_read)))
			raise_level(&out->level, KDR_STATUS_FAILED);
	}
	if (out->n_clusters > 1)
		qsort(out->clusters, out->n_clusters, sizeof(*out->clusters), compare_clusters);
}

/* --- connectors --- */

static bool plan_touches(const struct kdr_plan *plan, const char *cluster, const char *name)
{
	for (size_t i = 0; plan && i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];

		if ((action->kind == KDR_ACTION_CREATE_CONNECTOR || action->kind == KDR_ACTION_UPDATE_CONNECTOR ||
		     action->kind == KDR_ACTION_DELETE_CONNECTOR) &&
		    action->cluster && strcmp(action->cluster, cluster) == 0 && action->resource &&
		    strcmp(action->resource, name) == 0)
			return true;
	}
	return false;
}

static void set_message(struct kdr_status_connector *sc, enum kdr_status_level level, char *message_take)
{
	/* The first, most important finding is kept; later ones only raise the level. */
	if (!sc->message)
		sc->message = message_take;
	else
		free(message_take);
	raise_level(&sc->level, level);
}

/* Judges a connector Connect reported against what its flow wants. */
static void judge_live(struct kdr_status_connector *sc, const struct kdr_flow *flow,
		       const struct kdr_live_connector *live)
{
	enum kdr_connector_state state = live->state;
	bool stopped = state == KDR_CONNECTOR_PAUSED || state == KDR_CONNECTOR_STOPPED;

	sc->state = kdr_strdup(kdr_connector_state_name(state));
	sc->trace = kdr_status_trace_head(live->trace, KDR_STATUS_TRACE_LINES);
	sc->tasks = kdr_calloc(live->n_tasks + 1, sizeof(*sc->tasks));
	sc->n_tasks = live->n_tasks;
	for (size_t t = 0; t < live->n_tasks; t++) {
		sc->tasks[t].id = live->tasks[t].id;
		sc->tasks[t].state = live->tasks[t].state;
		sc->tasks[t].trace = kdr_status_trace_head(live->tasks[t].trace, KDR_STATUS_TRACE_LINES);
	}
	if (state == KDR_CONNECTOR_FAILED)
		set_message(sc, KDR_STATUS_FAILED, kdr_strdup("connector FAILED (kdr apply restarts it)"));
	for (size_t t = 0; t < live->n_tasks; t++)
		if (live->tasks[t].state == KDR_CONNECTOR_FAILED)
			set_message(
			    sc, KDR_STATUS_FAILED,
			    kdr_asprintf("task %d FAILED (Connect does not restart failed tasks; kdr apply does)",
					 (int)live->tasks[t].id));
	if (flow->suspended && !stopped && state != KDR_CONNECTOR_FAILED)
		set_message(sc, KDR_STATUS_WARNING,
			    kdr_strdup("running, but the flow is suspended (kdr apply pauses it)"));
	else if (!flow->suspended && stopped)
		set_message(
		    sc, KDR_STATUS_FAILED,
		    kdr_asprintf("%s, but the flow is not suspended: nothing is replicated (kdr apply resumes it)",
				 state == KDR_CONNECTOR_PAUSED ? "paused" : "stopped"));
	else if (flow->suspended && stopped)
		set_message(sc, KDR_STATUS_OK, kdr_strdup("paused: the flow is suspended"));
	if (state == KDR_CONNECTOR_UNASSIGNED || state == KDR_CONNECTOR_RESTARTING || state == KDR_CONNECTOR_UNKNOWN)
		set_message(sc, KDR_STATUS_WARNING,
			    kdr_asprintf("%s: no worker runs it right now", kdr_connector_state_name(state)));
	for (size_t t = 0; t < live->n_tasks; t++)
		if (live->tasks[t].state == KDR_CONNECTOR_UNASSIGNED ||
		    live->tasks[t].state == KDR_CONNECTOR_RESTARTING)
			set_message(sc, KDR_STATUS_WARNING,
				    kdr_asprintf("task %d %s", (int)live->tasks[t].id,
						 kdr_connector_state_name(live->tasks[t].state)));
}

static void status_connector(struct kdr_status_connector *sc, const struct kdr_mm2_connector *connector,
			     const struct kdr_flow *flow, const struct kdr_status *status, const struct kdr_live *live,
			     const struct kdr_plan *plan)
{
	const struct kdr_status_cluster *cluster = cluster_of(status, connector->cluster);
	const struct kdr_live_cluster *cl = kdr_live_cluster_find(live, connector->cluster);
	const struct kdr_live_connector *found = NULL;

	memset(sc, 0, sizeof(*sc));
	sc->name = kdr_strdup(connector->name);
	sc->cluster = kdr_strdup(connector->cluster);
	sc->role = connector->role;
	if (!cluster || !cluster->checked) {
		sc->state = kdr_strdup("not checked");
		sc->level = KDR_STATUS_UNCHECKED;
		sc->message = kdr_asprintf("cluster '%s' is not selected (--cluster)", connector->cluster);
		return;
	}
	if (!cl || !cl->connect.present) {
		sc->state = kdr_strdup("unreachable");
		sc->level = KDR_STATUS_FAILED;
		sc->message = cl ? kdr_asprintf("connect '%s' of cluster '%s' could not be read",
						cluster->connect_url ? cluster->connect_url : "?", connector->cluster)
				 : kdr_asprintf("cluster '%s' could not be read", connector->cluster);
		return;
	}
	found = kdr_live_connector_find(&cl->connect, connector->name);
	if (!found) {
		sc->state = kdr_strdup("missing");
		sc->level = KDR_STATUS_FAILED;
		sc->message =
		    kdr_asprintf("not on connect '%s' (kdr apply creates it)", cl->connect.url ? cl->connect.url : "?");
		sc->drift = plan_touches(plan, connector->cluster, connector->name);
		return;
	}
	judge_live(sc, flow, found);
	sc->drift = plan_touches(plan, connector->cluster, connector->name);
	if (sc->drift)
		set_message(sc, KDR_STATUS_WARNING,
			    kdr_strdup("config differs from the desired state (kdr apply updates it)"));
}

/* --- remote topics --- */

static void status_mirrored(struct kdr_status_flow *sf, const struct kdr_flow *flow, const struct kdr_live *live)
{
	const struct kdr_live_cluster *source = kdr_live_cluster_find(live, flow->source);
	const struct kdr_live_cluster *target = kdr_live_cluster_find(live, flow->target);
	const struct kdr_live_connector *running = NULL;
	struct plan_mm2_filter filter;
	size_t cap = 0;

	memset(&filter, 0, sizeof(filter));
	if (!source || !target)
		return;
	/* What runs decides what is mirrored; without a connector, what the flow asks for. */
	if (target->connect.present) {
		char *name = kdr_asprintf("%s%s.source", KDR_MM2_OWNED_PREFIX, flow->meta.name);

		running = kdr_live_connector_find(&target->connect, name);
		free(name);
	}
	if (!(running && plan_mm2_filter_live(&filter, running) == 0) && plan_mm2_filter_desired(&filter, flow) != 0) {
		kdr_strvec_push_take(&sf->problems, kdr_asprintf("topic filter: %s", kdr_error_message()));
		return;
	}
	sf->topics_checked = true;
	for (size_t i = 0; i < source->n_topics; i++) {
		const struct kdr_live_topic *topic = &source->topics[i];
		const struct kdr_live_topic *copy = NULL;
		struct kdr_status_mirrored *m = NULL;

		if (!plan_mm2_replicates(&filter, topic->name, NULL))
			continue;
		sf->mirrored = kdr_grow(sf->mirrored, &cap, sf->n_mirrored + 1, sizeof(*sf->mirrored));
		m = &sf->mirrored[sf->n_mirrored++];
		memset(m, 0, sizeof(*m));
		m->topic = kdr_strdup(topic->name);
		m->remote = kdr_mm2_remote_topic(&filter.naming, topic->name);
		m->source_partitions = (int64_t)topic->n_partitions;
		copy = kdr_live_topic_find(target, m->remote);
		m->remote_partitions = copy ? (int64_t)copy->n_partitions : 0;
		if (!copy)
			sf->n_missing++;
		else if (copy->n_partitions < topic->n_partitions)
			kdr_strvec_push_take(
			    &sf->problems,
			    kdr_asprintf("remote topic '%s' has %zu partition(s), its source '%s' %zu: "
					 "records of the other partitions cannot be written yet",
					 m->remote, copy->n_partitions, topic->name, topic->n_partitions));
	}
	if (sf->n_missing)
		kdr_strvec_push_take(&sf->problems,
				     kdr_asprintf("%zu of %zu mirrored topic(s) have no remote topic on '%s' yet "
						  "(MirrorMaker 2 creates them on its next topic refresh)",
						  sf->n_missing, sf->n_mirrored, flow->target));
	if (sf->n_missing || sf->problems.n)
		raise_level(&sf->level, KDR_STATUS_WARNING);
	plan_mm2_filter_release(&filter);
}

static int compare_status_connectors(const void *pa, const void *pb)
{
	const struct kdr_status_connector *a = pa, *b = pb;
	int cmp = strcmp(a->cluster, b->cluster);

	return cmp ? cmp : strcmp(a->name, b->name);
}

static int status_flow(struct kdr_status_flow *sf, const struct kdr_desired *desired, const struct kdr_flow *flow,
		       const struct kdr_status *status, const struct kdr_live *live, const struct kdr_plan *plan)
{
	struct kdr_mm2_connectors connectors = {0};
	const struct kdr_status_cluster *source = cluster_of(status, flow->source);
	const struct kdr_status_cluster *target = cluster_of(status, flow->target);
	int rc = 0;

	memset(sf, 0, sizeof(*sf));
	sf->name = kdr_strdup(flow->meta.name);
	sf->source = kdr_strdup(flow->source);
	sf->target = kdr_strdup(flow->target);
	sf->suspended = flow->suspended;
	/* Only names and placement matter here: secrets stay placeholders. */
	rc = kdr_mm2_render_flow(&connectors, desired, flow, NULL);
	if (rc != 0)
		goto cleanup;
	for (size_t i = 0; i < connectors.notes.n; i++) {
		kdr_strvec_push(&sf->problems, connectors.notes.v[i]);
		raise_level(&sf->level, KDR_STATUS_WARNING);
	}
	sf->connectors = kdr_calloc(connectors.n + 1, sizeof(*sf->connectors));
	for (size_t i = 0; i < connectors.n; i++) {
		status_connector(&sf->connectors[sf->n_connectors], &connectors.v[i], flow, status, live, plan);
		raise_level(&sf->level, sf->connectors[sf->n_connectors].level);
		sf->n_connectors++;
	}
	if (sf->n_connectors > 1)
		qsort(sf->connectors, sf->n_connectors, sizeof(*sf->connectors), compare_status_connectors);
	if (source && target && source->checked && target->checked)
		status_mirrored(sf, flow, live);
	if (flow->suspended)
		kdr_strvec_push(&sf->problems, "the flow is suspended: nothing is replicated until it is resumed");
cleanup:
	kdr_mm2_connectors_release(&connectors);
	return rc;
}

/* --- topics, from the plan --- */

static bool live_topic_exists(const struct kdr_live *live, const char *cluster, const char *topic)
{
	const struct kdr_live_cluster *cl = kdr_live_cluster_find(live, cluster);

	return cl && topic && kdr_live_topic_find(cl, topic) != NULL;
}

static void add_topic(struct kdr_status *out, size_t *cap, enum kdr_status_level level, const char *cluster,
		      const char *topic, const char *kind, const char *message)
{
	struct kdr_status_topic *st = NULL;

	out->topics = kdr_grow(out->topics, cap, out->n_topics + 1, sizeof(*out->topics));
	st = &out->topics[out->n_topics++];
	st->level = level;
	st->cluster = kdr_strdup(cluster);
	st->topic = kdr_strdup(topic);
	st->kind = kdr_strdup(kind);
	st->message = kdr_strdup(message);
}

static void status_topics(struct kdr_status *out, const struct kdr_live *live, const struct kdr_plan *plan)
{
	size_t cap = 0;

	if (!plan)
		return;
	/* Verdicts about topics that exist now; the plan's creations are not health. */
	for (size_t i = 0; i < plan->n_blocked; i++) {
		const struct kdr_blocked *b = &plan->blocked[i];

		if ((b->kind == KDR_BLOCKED_PLACEMENT_VIOLATION || b->kind == KDR_BLOCKED_REPLICATION_FACTOR) &&
		    live_topic_exists(live, b->cluster, b->resource))
			add_topic(out, &cap, KDR_STATUS_WARNING, b->cluster, b->resource,
				  kdr_blocked_kind_name(b->kind), b->reason);
	}
	for (size_t i = 0; i < plan->n_notes; i++) {
		const struct kdr_note *note = &plan->notes[i];

		if (strncmp(note->message, "dc-loss: ", 9) == 0 &&
		    live_topic_exists(live, note->cluster, note->resource))
			add_topic(out, &cap, note->kind == KDR_NOTE_WARNING ? KDR_STATUS_WARNING : KDR_STATUS_OK,
				  note->cluster, note->resource, "dc-loss", note->message + 9);
	}
}

static int compare_flows(const void *pa, const void *pb)
{
	const struct kdr_status_flow *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

int kdr_status_compute(struct kdr_status *out, const struct kdr_desired *desired, const struct kdr_live *live,
		       const struct kdr_plan *plan, const struct kdr_status_options *options)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	status_clusters(out, desired, live, options);
	out->flows = kdr_calloc(desired->n_flows + 1, sizeof(*out->flows));
	for (size_t i = 0; i < desired->n_flows; i++) {
		const struct kdr_flow *flow = &desired->flows[i];

		if (!flow->meta.name || !flow->source || !flow->target ||
		    !(selected(options, flow->source) || selected(options, flow->target)))
			continue;
		rc = status_flow(&out->flows[out->n_flows], desired, flow, out, live, plan);
		out->n_flows++;
		if (rc != 0)
			goto cleanup;
		raise_level(&out->level, out->flows[out->n_flows - 1].level);
	}
	if (out->n_flows > 1)
		qsort(out->flows, out->n_flows, sizeof(*out->flows), compare_flows);
	status_topics(out, live, plan);
cleanup:
	if (rc != 0)
		kdr_status_release(out);
	return rc;
}

/* --- text --- */

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

static void put_tasks_summary(struct kdr_buf *out, const struct kdr_status_connector *sc)
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

static void put_mirrored(struct kdr_buf *out, const struct kdr_status_flow *sf, bool present)
{
	size_t shown = 0, total = present ? sf->n_mirrored - sf->n_missing : sf->n_missing;

	if (!total)
		return;
	kdr_buf_printf(out, "    %s: ", present ? "present" : "missing");
	for (size_t i = 0; i < sf->n_mirrored && shown < STATUS_MAX_NAMES; i++) {
		const struct kdr_status_mirrored *m = &sf->mirrored[i];

		if ((m->remote_partitions > 0) != present)
			continue;
		kdr_buf_printf(out, "%s%s -> %s", shown ? ", " : "", m->topic, m->remote);
		shown++;
	}
	if (total > shown)
		kdr_buf_printf(out, " ... and %zu more", total - shown);
	kdr_buf_putc(out, '\n');
}

static const char *level_label(enum kdr_status_level level)
{
	switch (level) {
	case KDR_STATUS_OK:
		return "ok";
	case KDR_STATUS_UNCHECKED:
		return "unchecked";
	case KDR_STATUS_WARNING:
		return "WARNING";
	case KDR_STATUS_FAILED:
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

static void put_lag_text(struct kdr_buf *out, const struct kdr_status_lag *lag)
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

static void put_flow_text(struct kdr_buf *out, const struct kdr_status_flow *sf)
{
	kdr_buf_printf(out, "Flow %s (%s -> %s)%s: %s\n", sf->name, sf->source, sf->target,
		       sf->suspended ? ", suspended" : "", level_label(sf->level));
	if (sf->n_connectors)
		kdr_buf_puts(out, "  connectors:\n");
	for (size_t i = 0; i < sf->n_connectors; i++) {
		const struct kdr_status_connector *sc = &sf->connectors[i];

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

void kdr_status_render_text(struct kdr_buf *out, const struct kdr_status *status)
{
	size_t failed = 0, warned = 0, unchecked = 0;

	for (size_t i = 0; i < status->n_clusters; i++) {
		const struct kdr_status_cluster *sc = &status->clusters[i];

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
		failed += status->flows[i].level == KDR_STATUS_FAILED;
		warned += status->flows[i].level == KDR_STATUS_WARNING;
		unchecked += status->flows[i].level == KDR_STATUS_UNCHECKED;
	}
	if (status->n_topics) {
		kdr_buf_puts(out, "\nTopics:\n");
		for (size_t i = 0; i < status->n_topics; i++) {
			const struct kdr_status_topic *st = &status->topics[i];

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

/* --- JSON --- */

static void json_key(struct kdr_buf *out, const char *key, bool *first)
{
	kdr_buf_puts(out, *first ? "" : ", ");
	*first = false;
	kdr_buf_put_json_string(out, key);
	kdr_buf_puts(out, ": ");
}

static void json_str(struct kdr_buf *out, const char *key, const char *value, bool *first)
{
	json_key(out, key, first);
	if (value)
		kdr_buf_put_json_string(out, value);
	else
		kdr_buf_puts(out, "null");
}

static void json_bool(struct kdr_buf *out, const char *key, bool value, bool *first)
{
	json_key(out, key, first);
	kdr_buf_puts(out, value ? "true" : "false");
}

static void json_int(struct kdr_buf *out, const char *key, long long value, bool *first)
{
	json_key(out, key, first);
	kdr_buf_printf(out, "%lld", value);
}

static void put_connector_json(struct kdr_buf *out, const struct kdr_status_connector *sc)
{
	bool first = true;

	kdr_buf_puts(out, "{");
	json_str(out, "name", sc->name, &first);
	json_str(out, "cluster", sc->cluster, &first);
	json_str(out, "role", kdr_mm2_role_name(sc->role), &first);
	json_str(out, "status", kdr_status_level_name(sc->level), &first);
	json_str(out, "state", sc->state, &first);
	json_str(out, "message", sc->message, &first);
	json_bool(out, "drift", sc->drift, &first);
	json_str(out, "trace", sc->trace, &first);
	json_key(out, "tasks", &first);
	kdr_buf_puts(out, "[");
	for (size_t t = 0; t < sc->n_tasks; t++) {
		bool tfirst = true;

		kdr_buf_puts(out, t ? ", {" : "{");
		json_int(out, "id", sc->tasks[t].id, &tfirst);
		json_str(out, "state", kdr_connector_state_name(sc->tasks[t].state), &tfirst);
		json_str(out, "trace", sc->tasks[t].trace, &tfirst);
		kdr_buf_puts(out, "}");
	}
	kdr_buf_puts(out, "]}");
}

static void json_count(struct kdr_buf *out, const char *key, int64_t value, bool *first)
{
	json_key(out, key, first);
	if (value < 0)
		kdr_buf_puts(out, "null");
	else
		kdr_buf_printf(out, "%lld", (long long)value);
}

/* null (not measured) | {"records", "rpoMs", "heartbeatAgeMs", "measuredAt", "topics": [...]} or {"error"} */
static void put_lag_json(struct kdr_buf *out, const struct kdr_status_lag *lag)
{
	bool first = true;

	if (!lag->measured && !lag->error) {
		kdr_buf_puts(out, "null");
		return;
	}
	kdr_buf_putc(out, '{');
	if (!lag->measured) {
		json_str(out, "error", lag->error, &first);
		kdr_buf_putc(out, '}');
		return;
	}
	json_count(out, "records", lag->records, &first);
	json_count(out, "rpoMs", lag->rpo_ms, &first);
	json_count(out, "heartbeatAgeMs", lag->heartbeat_age_ms, &first);
	json_int(out, "measuredAtMs", lag->measured_at_ms, &first);
	json_key(out, "topics", &first);
	kdr_buf_putc(out, '[');
	for (size_t i = 0; i < lag->n_topics; i++) {
		bool tfirst = true;

		kdr_buf_puts(out, i ? ", {" : "{");
		json_str(out, "topic", lag->topics[i].topic, &tfirst);
		json_count(out, "records", lag->topics[i].records, &tfirst);
		json_count(out, "rpoMs", lag->topics[i].rpo_ms, &tfirst);
		kdr_buf_putc(out, '}');
	}
	kdr_buf_puts(out, "]}");
}

static void put_flow_json(struct kdr_buf *out, const struct kdr_status_flow *sf)
{
	bool first = true;

	kdr_buf_puts(out, "    {");
	json_str(out, "name", sf->name, &first);
	json_str(out, "source", sf->source, &first);
	json_str(out, "target", sf->target, &first);
	json_bool(out, "suspended", sf->suspended, &first);
	json_str(out, "status", kdr_status_level_name(sf->level), &first);
	json_key(out, "connectors", &first);
	kdr_buf_puts(out, "[");
	for (size_t i = 0; i < sf->n_connectors; i++) {
		kdr_buf_puts(out, i ? ",\n      " : "\n      ");
		put_connector_json(out, &sf->connectors[i]);
	}
	kdr_buf_puts(out, sf->n_connectors ? "\n    ]" : "]");
	json_key(out, "remoteTopics", &first);
	if (!sf->topics_checked) {
		kdr_buf_puts(out, "null");
	} else {
		kdr_buf_puts(out, "[");
		for (size_t i = 0; i < sf->n_mirrored; i++) {
			const struct kdr_status_mirrored *m = &sf->mirrored[i];
			bool mfirst = true;

			kdr_buf_puts(out, i ? ",\n      {" : "\n      {");
			json_str(out, "topic", m->topic, &mfirst);
			json_str(out, "remote", m->remote, &mfirst);
			json_bool(out, "present", m->remote_partitions > 0, &mfirst);
			json_int(out, "sourcePartitions", m->source_partitions, &mfirst);
			json_int(out, "remotePartitions", m->remote_partitions, &mfirst);
			kdr_buf_puts(out, "}");
		}
		kdr_buf_puts(out, sf->n_mirrored ? "\n    ]" : "]");
	}
	json_key(out, "lag", &first);
	put_lag_json(out, &sf->lag);
	json_key(out, "problems", &first);
	kdr_buf_puts(out, "[");
	for (size_t i = 0; i < sf->problems.n; i++) {
		kdr_buf_puts(out, i ? ", " : "");
		kdr_buf_put_json_string(out, sf->problems.v[i]);
	}
	kdr_buf_puts(out, "]}");
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
void kdr_status_render_json(struct kdr_buf *out, const struct kdr_status *status)
{
	bool first = true;

	kdr_buf_puts(out, "{\n  ");
	json_str(out, "status", kdr_status_level_name(status->level), &first);
	kdr_buf_puts(out, ",\n  ");
	first = true;
	json_key(out, "clusters", &first);
	kdr_buf_puts(out, "[");
	for (size_t i = 0; i < status->n_clusters; i++) {
		const struct kdr_status_cluster *sc = &status->clusters[i];
		bool cfirst = true;

		kdr_buf_puts(out, i ? ",\n    {" : "\n    {");
		json_str(out, "name", sc->name, &cfirst);
		json_bool(out, "checked", sc->checked, &cfirst);
		json_bool(out, "read", sc->read, &cfirst);
		json_str(out, "connect", sc->connect_url, &cfirst);
		json_bool(out, "connectRead", sc->connect_read, &cfirst);
		kdr_buf_puts(out, "}");
	}
	kdr_buf_puts(out, status->n_clusters ? "\n  ],\n  " : "],\n  ");
	first = true;
	json_key(out, "flows", &first);
	kdr_buf_puts(out, "[");
	for (size_t i = 0; i < status->n_flows; i++) {
		kdr_buf_puts(out, i ? ",\n" : "\n");
		put_flow_json(out, &status->flows[i]);
	}
	kdr_buf_puts(out, status->n_flows ? "\n  ],\n  " : "],\n  ");
	first = true;
	json_key(out, "topics", &first);
	kdr_buf_puts(out, "[");
	for (size_t i = 0; i < status->n_topics; i++) {
		const struct kdr_status_topic *st = &status->topics[i];
		bool tfirst = true;

		kdr_buf_puts(out, i ? ",\n    {" : "\n    {");
		json_str(out, "cluster", st->cluster, &tfirst);
		json_str(out, "topic", st->topic, &tfirst);
		json_str(out, "kind", st->kind, &tfirst);
		json_str(out, "status", kdr_status_level_name(st->level), &tfirst);
		json_str(out, "message", st->message, &tfirst);
		kdr_buf_puts(out, "}");
	}
	kdr_buf_puts(out, status->n_topics ? "\n  ]\n}\n" : "]\n}\n");
}

/* --- freeing --- */

static void connector_release(struct kdr_status_connector *sc)
{
	free(sc->name);
	free(sc->cluster);
	free(sc->state);
	free(sc->message);
	free(sc->trace);
	for (size_t t = 0; t < sc->n_tasks; t++)
		free(sc->tasks[t].trace);
	free(sc->tasks);
}

static void flow_release(struct kdr_status_flow *sf)
{
	free(sf->name);
	free(sf->source);
	free(sf->target);
	for (size_t i = 0; i < sf->n_connectors; i++)
		connector_release(&sf->connectors[i]);
	free(sf->connectors);
	for (size_t i = 0; i < sf->n_mirrored; i++) {
		free(sf->mirrored[i].topic);
		free(sf->mirrored[i].remote);
	}
	free(sf->mirrored);
	kdr_strvec_release(&sf->problems);
	kdr_status_lag_release(&sf->lag);
}

void kdr_status_lag_release(struct kdr_status_lag *lag)
{
	for (size_t i = 0; i < lag->n_topics; i++)
		free(lag->topics[i].topic);
	free(lag->topics);
	free(lag->error);
	memset(lag, 0, sizeof(*lag));
}

static int compare_topic_lags(const void *pa, const void *pb)
{
	const struct kdr_status_topic_lag *a = *(const struct kdr_status_topic_lag *const *)pa;
	const struct kdr_status_topic_lag *b = *(const struct kdr_status_topic_lag *const *)pb;
	uint64_t ka = a->records < 0 ? UINT64_MAX : (uint64_t)a->records;
	uint64_t kb = b->records < 0 ? UINT64_MAX : (uint64_t)b->records;

	if (ka != kb)
		return ka > kb ? -1 : 1;
	return strcmp(a->topic, b->topic);
}

size_t kdr_status_lag_worst(const struct kdr_status_topic_lag **out, const struct kdr_status_lag *lag)
{
	const struct kdr_status_topic_lag **all = kdr_calloc(lag->n_topics + 1, sizeof(*all));
	size_t n = lag->n_topics < KDR_STATUS_LAG_TOPICS ? lag->n_topics : KDR_STATUS_LAG_TOPICS;

	for (size_t t = 0; t < lag->n_topics; t++)
		all[t] = &lag->topics[t];
	if (lag->n_topics)
		qsort(all, lag->n_topics, sizeof(*all), compare_topic_lags);
	for (size_t t = 0; t < n; t++)
		out[t] = all[t];
	free(all);
	return n;
}

void kdr_status_lag_copy(struct kdr_status_lag *out, const struct kdr_status_lag *src)
{
	*out = *src;
	out->error = src->error ? kdr_strdup(src->error) : NULL;
	out->topics = kdr_calloc(src->n_topics + 1, sizeof(*out->topics));
	for (size_t i = 0; i < src->n_topics; i++) {
		out->topics[i] = src->topics[i];
		out->topics[i].topic = kdr_strdup(src->topics[i].topic);
	}
}

void kdr_status_release(struct kdr_status *status)
{
	for (size_t i = 0; i < status->n_clusters; i++) {
		free(status->clusters[i].name);
		free(status->clusters[i].connect_url);
	}
	free(status->clusters);
	for (size_t i = 0; i < status->n_flows; i++)
		flow_release(&status->flows[i]);
	free(status->flows);
	for (size_t i = 0; i < status->n_topics; i++) {
		free(status->topics[i].cluster);
		free(status->topics[i].topic);
		free(status->topics[i].kind);
		free(status->topics[i].message);
	}
	free(status->topics);
	memset(status, 0, sizeof(*status));
}
