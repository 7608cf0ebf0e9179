#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/scrub.h"
#include "util/error.h"

static bool is_secret_key(const struct kdr_mm2_connector *connector, const char *key)
{
	return kdr_strvec_contains(&connector->secret_keys, key) || kdr_config_key_is_sensitive(key);
}

/* The keys whose values differ, Connect's own `name` aside when it is all that differs in presence. */
static void diff_config(struct kdr_action *action, const struct kdr_mm2_connector *connector,
			const struct kdr_strmap *live)
{
	const struct kdr_strmap *want = &connector->config;
	size_t i = 0, j = 0;

	while (i < want->n || j < live->n) {
		int cmp = i >= want->n ? 1 : j >= live->n ? -1 : strcmp(want->v[i].key, live->v[j].key);

		if (cmp < 0) {
			kdr_plan__add_change(action, want->v[i].key, NULL, want->v[i].value,
					     is_secret_key(connector, want->v[i].key));
			i++;
		} else if (cmp > 0) {
			/* Connect adds `name` itself; anything else extra was set by hand and is removed. */
			if (strcmp(live->v[j].key, "name") != 0)
				kdr_plan__add_change(action, live->v[j].key, live->v[j].value, NULL,
						     is_secret_key(connector, live->v[j].key));
			j++;
		} else {
			bool secret = is_secret_key(connector, want->v[i].key);

			/* A snapshot redacts secrets to null: unknown, so not a difference. */
			if (!live->v[j].value && secret) {
				i++;
				j++;
				continue;
			}
			if (strcmp(want->v[i].value, live->v[j].value ? live->v[j].value : "") != 0)
				kdr_plan__add_change(action, want->v[i].key, live->v[j].value, want->v[i].value,
						     is_secret_key(connector, want->v[i].key));
			i++;
			j++;
		}
	}
}

static bool task_failed(const struct kdr_live_connector *live)
{
	for (size_t t = 0; t < live->n_tasks; t++)
		if (live->tasks[t].state == KDR_CONNECTOR_FAILED)
			return true;
	return false;
}

static void plan_restart(struct plan_ctx *ctx, const struct kdr_mm2_connector *connector,
			 const struct kdr_live_connector *live)
{
	struct kdr_action *action = NULL;
	struct kdr_buf reason = KDR_BUF_INIT;

	if (live->state != KDR_CONNECTOR_FAILED && !task_failed(live))
		return;
	action = kdr_plan__add_action(ctx->plan, KDR_ACTION_RESTART_CONNECTOR, connector->cluster, connector->name,
				      connector->flow);
	action->risk = KDR_RISK_DISRUPTIVE;
	kdr_buf_puts(&reason, live->state == KDR_CONNECTOR_FAILED ? "connector FAILED" : "");
	for (size_t t = 0; t < live->n_tasks; t++) {
		if (live->tasks[t].state != KDR_CONNECTOR_FAILED)
			continue;
		/*
		 * A FAILED connector gets no task ids: its restart
		 * (restart?includeTasks=true&onlyFailed=true) restarts its FAILED
		 * tasks too. Restarting only the tasks would leave it FAILED, and
		 * every plan would restart them again.
		 */
		if (live->state != KDR_CONNECTOR_FAILED) {
			action->task_ids = kdr_realloc(action->task_ids, (action->n_task_ids + 1) * sizeof(int32_t));
			action->task_ids[action->n_task_ids++] = live->tasks[t].id;
		}
		kdr_buf_printf(&reason, "%stask %d FAILED", reason.len ? ", " : "", (int)live->tasks[t].id);
	}
	action->reason = kdr_buf_detach(&reason);
}

/* The failback guard's item for a connector of a failed-over flow: `what` it will not do. */
static void block_failed_over(struct plan_ctx *ctx, const struct kdr_flow *flow,
			      const struct kdr_mm2_connector *connector, const char *what)
{
	kdr_plan__add_blocked(ctx->plan, KDR_BLOCKED_FAILED_OVER, connector->cluster, connector->name, flow->meta.name,
			      NULL,
			      "failback guard: flow '%s' failed over at %s (spec.failedOver): %s; fail back first "
			      "(kdr failback --flow %s, docs/runbook.md)",
			      flow->meta.name, flow->failed_over, what, flow->meta.name);
}

static void plan_connector(struct plan_ctx *ctx, const struct kdr_flow *flow,
			   const struct kdr_mm2_connector *connector, const struct kdr_live_connect *connect)
{
	const struct kdr_live_connector *live = kdr_live_connector_find(connect, connector->name);
	struct kdr_action *action = NULL;
	/* A recorded failover holds the connectors stopped whatever spec.suspended says. */
	bool failed_over = flow->failed_over != NULL;
	bool suspended = flow->suspended || failed_over;

	if (!live) {
		if (failed_over) {
			block_failed_over(ctx, flow, connector, "the connector is missing and is not recreated");
			return;
		}
		action = kdr_plan__add_action(ctx->plan, KDR_ACTION_CREATE_CONNECTOR, connector->cluster,
					      connector->name, connector->flow);
		action->reason = kdr_strdup("missing");
		kdr_strmap_copy(&action->config, &connector->config);
		/* Connect creates connectors running: a suspended flow is paused right after. */
		if (suspended) {
			action = kdr_plan__add_action(ctx->plan, KDR_ACTION_PAUSE_CONNECTOR, connector->cluster,
						      connector->name, connector->flow);
			action->risk = KDR_RISK_DISRUPTIVE;
			action->reason = kdr_strdup("flow is suspended");
		}
		return;
	}
	action = kdr_plan__add_action(ctx->plan, KDR_ACTION_UPDATE_CONNECTOR, connector->cluster, connector->name,
				      connector->flow);
	diff_config(action, connector, &live->config);
	if (action->n_changes == 0) {
		/* Nothing differs: take the action back out. */
		kdr_action_release(action);
		ctx->plan->n_actions--;
	} else {
		/* A new config restarts the connector's tasks. */
		action->risk = KDR_RISK_DISRUPTIVE;
		action->reason = kdr_asprintf("drift: %zu key(s) differ", action->n_changes);
		kdr_strmap_copy(&action->config, &connector->config);
	}
	if (suspended && live->state != KDR_CONNECTOR_PAUSED && live->state != KDR_CONNECTOR_STOPPED) {
		action = kdr_plan__add_action(ctx->plan, KDR_ACTION_PAUSE_CONNECTOR, connector->cluster,
					      connector->name, connector->flow);
		action->risk = KDR_RISK_DISRUPTIVE;
		action->reason = kdr_asprintf("flow is %s; connector is %s", failed_over ? "failed over" : "suspended",
					      kdr_connector_state_name(live->state));
		return;
	}
	/* Failed over but not suspended: someone wants it resumed; the guard says why not. */
	if (failed_over && !flow->suspended)
		block_failed_over(ctx, flow, connector, "the stopped connector is not resumed (spec.suspended is false)");
	if (!suspended && (live->state == KDR_CONNECTOR_PAUSED || live->state == KDR_CONNECTOR_STOPPED)) {
		action = kdr_plan__add_action(ctx->plan, KDR_ACTION_RESUME_CONNECTOR, connector->cluster,
					      connector->name, connector->flow);
		action->reason = kdr_asprintf("flow is not suspended; connector is %s",
					      kdr_connector_state_name(live->state));
		return;
	}
	if (!suspended)
		plan_restart(ctx, connector, live);
}

static bool rendered(const struct kdr_mm2_connectors *all, const char *cluster, const char *name)
{
	for (size_t i = 0; i < all->n; i++)
		if (strcmp(all->v[i].cluster, cluster) == 0 && strcmp(all->v[i].name, name) == 0)
			return true;
	return false;
}

/* A connector kdr does not own that runs MM2 between the clusters of a managed flow. */
static const struct kdr_flow *duplicate_of(const struct kdr_desired *desired, const struct kdr_live_connector *live)
{
	const char *klass = kdr_strmap_get(&live->config, "connector.class");
	const char *source = kdr_strmap_get(&live->config, "source.cluster.alias");
	const char *target = kdr_strmap_get(&live->config, "target.cluster.alias");

	if (!klass || !strstr(klass, "Mirror") || !source || !target)
		return NULL;
	for (size_t i = 0; i < desired->n_flows; i++) {
		const struct kdr_flow *flow = &desired->flows[i];

		if ((strcmp(flow->source, source) == 0 && strcmp(flow->target, target) == 0) ||
		    (strcmp(flow->source, target) == 0 && strcmp(flow->target, source) == 0))
			return flow;
	}
	return NULL;
}

static void plan_cluster_connect(struct plan_ctx *ctx, const struct kdr_cluster *spec,
				 const struct kdr_mm2_connectors *all)
{
	const struct kdr_live_cluster *cl = kdr_live_cluster_find(ctx->live, spec->meta.name);
	const struct kdr_live_connect *connect = cl ? &cl->connect : NULL;
	char *url = NULL;

	if (!cl || !spec->connect.present)
		return; /* a missing cluster is already a blocked error */
	url = kdr_scrub_userinfo_dup(spec->connect.url); /* a plan never shows a URL's password */
	if (!connect->present) {
		/* Never "no changes": a pending connector change could hide behind an unread Connect. */
		if (connect->read_error)
			kdr_plan__add_blocked(ctx->plan, KDR_BLOCKED_ERROR, spec->meta.name, NULL, NULL, NULL,
					      "connect '%s' could not be read: %s; its connectors are not planned", url,
					      kdr_plan__strip_connect_prefix(connect->read_error, url));
		else
			kdr_plan__add_blocked(ctx->plan, KDR_BLOCKED_ERROR, spec->meta.name, NULL, NULL, NULL,
					      "connect '%s' was not read: its connectors are not planned", url);
		free(url);
		return;
	}
	/* A Connect attached to another Kafka cluster would replicate into the wrong place. */
	if (cl->cluster_id && connect->kafka_cluster_id && strcmp(cl->cluster_id, connect->kafka_cluster_id) != 0) {
		kdr_plan__add_blocked(
		    ctx->plan, KDR_BLOCKED_ERROR, spec->meta.name, NULL, NULL, NULL,
		    "connect '%s' is attached to Kafka cluster id '%s', but cluster '%s' has id '%s': it "
		    "would write replicated records into the wrong cluster",
		    url, connect->kafka_cluster_id, spec->meta.name, cl->cluster_id);
		free(url);
		return;
	}
	free(url);
	for (size_t i = 0; i < all->n; i++) {
		const struct kdr_mm2_connector *connector = &all->v[i];

		if (strcmp(connector->cluster, spec->meta.name) == 0)
			plan_connector(ctx, kdr_desired_flow(ctx->desired, connector->flow), connector, connect);
	}
	for (size_t i = 0; i < connect->n_connectors; i++) {
		const struct kdr_live_connector *live = &connect->connectors[i];
		const struct kdr_flow *flow = NULL;

		if (strncmp(live->name, KDR_MM2_OWNED_PREFIX, strlen(KDR_MM2_OWNED_PREFIX)) == 0) {
			struct kdr_action *action = NULL;

			if (rendered(all, spec->meta.name, live->name))
				continue;
			action = kdr_plan__add_action(ctx->plan, KDR_ACTION_DELETE_CONNECTOR, spec->meta.name,
						      live->name, NULL);
			action->risk = KDR_RISK_DISRUPTIVE;
			action->reason = kdr_strdup("owned by kdr (\"kdr.\" prefix) and no flow renders it any more");
			continue;
		}
		flow = duplicate_of(ctx->desired, live);
		if (flow)
			kdr_plan__add_note(
			    ctx->plan, KDR_NOTE_WARNING, spec->meta.name, live->name,
			    "connector '%s' (not managed by kdr) runs MirrorMaker 2 between '%s' and '%s' like "
			    "flow '%s': likely duplicate replication",
			    live->name, kdr_strmap_get(&live->config, "source.cluster.alias"),
			    kdr_strmap_get(&live->config, "target.cluster.alias"), flow->meta.name);
	}
}

void kdr_plan__connectors(struct plan_ctx *ctx, const struct kdr_plan_options *options)
{
	struct kdr_mm2_connectors all = { 0 };

	if (kdr_mm2_render_all(&all, ctx->desired, options ? options->secrets : NULL) != 0) {
		kdr_plan__add_blocked(ctx->plan, KDR_BLOCKED_ERROR, NULL, NULL, NULL, NULL, "rendering connectors: %s",
				      kdr_error_message());
	} else {
		for (size_t i = 0; i < all.notes.n; i++)
			kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, NULL, NULL, "%s", all.notes.v[i]);
		for (size_t i = 0; i < ctx->desired->n_clusters; i++)
			if (kdr_plan__cluster_selected(options, ctx->desired->clusters[i].meta.name))
				plan_cluster_connect(ctx, &ctx->desired->clusters[i], &all);
	}
	kdr_mm2_connectors_release(&all);
	/* After every topic action is known: both look at the topics as the plan leaves them. */
	kdr_plan__mirror_preview(ctx, options);
	kdr_plan__cross_checks(ctx, options);
}
