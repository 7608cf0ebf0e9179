/*
 * One connector of a flow, judged against what Connect reports: FAILED
 * connectors or tasks, missing or unreachable ones, and a paused/running
 * state that contradicts the flow's `suspended` are failures; transient
 * states and config drift (the plan would change it) are warnings.
 */
#include <stdlib.h>
#include <string.h>

#include "health/health_internal.h"
#include "util/alloc.h"

char *kdr_health_trace_head(const char *trace, size_t lines)
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

static void set_message(struct kdr_health_connector *sc, enum kdr_health_level level, char *message_take)
{
	/* The first, most important finding is kept; later ones only raise the level. */
	if (!sc->message)
		sc->message = message_take;
	else
		free(message_take);
	kdr_health__raise_level(&sc->level, level);
}

/* Judges a connector Connect reported against what its flow wants. */
static void judge_live(struct kdr_health_connector *sc, const struct kdr_flow *flow,
		       const struct kdr_live_connector *live)
{
	enum kdr_connector_state state = live->state;
	bool stopped = state == KDR_CONNECTOR_PAUSED || state == KDR_CONNECTOR_STOPPED;

	sc->state = kdr_strdup(kdr_connector_state_name(state));
	sc->trace = kdr_health_trace_head(live->trace, KDR_HEALTH_TRACE_LINES);
	sc->tasks = kdr_calloc(live->n_tasks + 1, sizeof(*sc->tasks));
	sc->n_tasks = live->n_tasks;
	for (size_t t = 0; t < live->n_tasks; t++) {
		sc->tasks[t].id = live->tasks[t].id;
		sc->tasks[t].state = live->tasks[t].state;
		sc->tasks[t].trace = kdr_health_trace_head(live->tasks[t].trace, KDR_HEALTH_TRACE_LINES);
	}
	if (state == KDR_CONNECTOR_FAILED)
		set_message(sc, KDR_HEALTH_FAILED, kdr_strdup("connector FAILED (kdr apply restarts it)"));
	for (size_t t = 0; t < live->n_tasks; t++)
		if (live->tasks[t].state == KDR_CONNECTOR_FAILED)
			set_message(
			    sc, KDR_HEALTH_FAILED,
			    kdr_asprintf("task %d FAILED (Connect does not restart failed tasks; kdr apply does)",
					 (int)live->tasks[t].id));
	if (flow->suspended && !stopped && state != KDR_CONNECTOR_FAILED)
		set_message(sc, KDR_HEALTH_WARNING,
			    kdr_strdup("running, but the flow is suspended (kdr apply pauses it)"));
	else if (!flow->suspended && stopped)
		set_message(
		    sc, KDR_HEALTH_FAILED,
		    kdr_asprintf("%s, but the flow is not suspended: nothing is replicated (kdr apply resumes it)",
				 state == KDR_CONNECTOR_PAUSED ? "paused" : "stopped"));
	else if (flow->suspended && stopped)
		set_message(sc, KDR_HEALTH_OK, kdr_strdup("paused: the flow is suspended"));
	if (state == KDR_CONNECTOR_UNASSIGNED || state == KDR_CONNECTOR_RESTARTING || state == KDR_CONNECTOR_UNKNOWN)
		set_message(sc, KDR_HEALTH_WARNING,
			    kdr_asprintf("%s: no worker runs it right now", kdr_connector_state_name(state)));
	for (size_t t = 0; t < live->n_tasks; t++)
		if (live->tasks[t].state == KDR_CONNECTOR_UNASSIGNED ||
		    live->tasks[t].state == KDR_CONNECTOR_RESTARTING)
			set_message(sc, KDR_HEALTH_WARNING,
				    kdr_asprintf("task %d %s", (int)live->tasks[t].id,
						 kdr_connector_state_name(live->tasks[t].state)));
}

void kdr_health__connector(struct kdr_health_connector *sc, const struct kdr_mm2_connector *connector,
			     const struct kdr_flow *flow, const struct kdr_health *status, const struct kdr_live *live,
			     const struct kdr_plan *plan)
{
	const struct kdr_health_cluster *cluster = kdr_health__cluster_of(status, connector->cluster);
	const struct kdr_live_cluster *cl = kdr_live_cluster_find(live, connector->cluster);
	const struct kdr_live_connector *found = NULL;

	memset(sc, 0, sizeof(*sc));
	sc->name = kdr_strdup(connector->name);
	sc->cluster = kdr_strdup(connector->cluster);
	sc->role = connector->role;
	if (!cluster || !cluster->checked) {
		sc->state = kdr_strdup("not checked");
		sc->level = KDR_HEALTH_UNCHECKED;
		sc->message = kdr_asprintf("cluster '%s' is not selected (--cluster)", connector->cluster);
		return;
	}
	if (!cl || !cl->connect.present) {
		sc->state = kdr_strdup("unreachable");
		sc->level = KDR_HEALTH_FAILED;
		sc->message = cl ? kdr_asprintf("connect '%s' of cluster '%s' could not be read",
						cluster->connect_url ? cluster->connect_url : "?", connector->cluster)
				 : kdr_asprintf("cluster '%s' could not be read", connector->cluster);
		return;
	}
	found = kdr_live_connector_find(&cl->connect, connector->name);
	if (!found) {
		sc->state = kdr_strdup("missing");
		sc->level = KDR_HEALTH_FAILED;
		sc->message =
		    kdr_asprintf("not on connect '%s' (kdr apply creates it)", cl->connect.url ? cl->connect.url : "?");
		sc->drift = plan_touches(plan, connector->cluster, connector->name);
		return;
	}
	judge_live(sc, flow, found);
	sc->drift = plan_touches(plan, connector->cluster, connector->name);
	if (sc->drift)
		set_message(sc, KDR_HEALTH_WARNING,
			    kdr_strdup("config differs from the desired state (kdr apply updates it)"));
}

