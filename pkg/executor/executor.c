#include "executor/executor.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connect/connect.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/strvec.h"

static bool selected(const struct kdr_executor_options *options, const char *name)
{
	return kdr_names_select(options->clusters, options->n_clusters, name);
}

static void kafka_options(struct kdr_kafka_options *out, const struct kdr_executor_options *options)
{
	memset(out, 0, sizeof(*out));
	out->timeout_ms = options->timeout_ms;
	out->resolver = options->resolver;
	out->validate_only = options->validate_only;
}

/* A restart's plan, as Connect answered it, goes to `watch` (for settle_connectors). */
static int run_connector_action(struct kdr_connect_restart_watch *watch, struct kdr_connect_client *client,
				const struct kdr_action *action)
{
	int rc = 0;

	switch (action->kind) {
	case KDR_ACTION_CREATE_CONNECTOR:
	case KDR_ACTION_UPDATE_CONNECTOR:
		return kdr_connect_put_config(client, action->resource, &action->config, NULL);
	case KDR_ACTION_PAUSE_CONNECTOR:
		return kdr_connect_pause(client, action->resource);
	case KDR_ACTION_RESUME_CONNECTOR:
		return kdr_connect_resume(client, action->resource);
	case KDR_ACTION_RESTART_CONNECTOR:
		/* One attempt per task per reconcile: a task that fails again is reported, not looped on. */
		if (action->n_task_ids == 0)
			return kdr_connect_restart(watch, client, action->resource, true, true);
		for (size_t t = 0; t < action->n_task_ids && rc == 0; t++)
			rc = kdr_connect_restart_task(client, action->resource, action->task_ids[t]);
		return rc;
	case KDR_ACTION_DELETE_CONNECTOR:
		return kdr_connect_delete(client, action->resource);
	default:
		return kdr_error_set(KDR_EUNSUPPORTED, "not a connector action");
	}
}

/* The state a pause or resume asks for, in words (NULL: a config change, judged by the config). */
static const char *wanted_state(enum kdr_action_kind kind)
{
	return kind == KDR_ACTION_PAUSE_CONNECTOR ? "PAUSED or STOPPED" : kind == KDR_ACTION_RESUME_CONNECTOR ? "RUNNING" : NULL;
}

/*
 * Whether Connect reports what `action` asked for: a pause PAUSED (or
 * STOPPED), a resume RUNNING, a restart its instances restarted and running
 * for KDR_CONNECT_RESTART_WINDOW_MS (*failed_again when one FAILED again), a
 * created or updated connector with the sent config. watch->seen gets the
 * state read (for the warning).
 */
static bool settled(bool *failed_again, struct kdr_connect_restart_watch *watch, struct kdr_connect_client *client,
		    const struct kdr_action *action)
{
	enum kdr_connect_restart_progress progress = KDR_CONNECT_RESTART_WAITING;
	bool matches = false;

	if (action->kind == KDR_ACTION_RESTART_CONNECTOR) {
		kdr_connect_restart_poll(&progress, watch, client, action->resource, action->task_ids,
					 action->n_task_ids, kdr_clock_mono_ms());
		*failed_again = progress == KDR_CONNECT_RESTART_FAILED_AGAIN;
		return progress != KDR_CONNECT_RESTART_WAITING;
	}
	if (kdr_connect_connector_state(&watch->seen, client, action->resource) != 0)
		return false; /* not known yet (a create), or unreadable this round */
	switch (action->kind) {
	case KDR_ACTION_PAUSE_CONNECTOR:
		return watch->seen == KDR_CONNECTOR_PAUSED || watch->seen == KDR_CONNECTOR_STOPPED;
	case KDR_ACTION_RESUME_CONNECTOR:
		return watch->seen == KDR_CONNECTOR_RUNNING;
	default:
		return kdr_connect_config_matches(&matches, client, action->resource, &action->config) == 0 && matches;
	}
}

static bool waits_for_connect(const struct kdr_action *action, const struct kdr_action_result *result)
{
	return result->attempted && result->code == 0 &&
	       (action->kind == KDR_ACTION_CREATE_CONNECTOR || action->kind == KDR_ACTION_UPDATE_CONNECTOR ||
		action->kind == KDR_ACTION_PAUSE_CONNECTOR || action->kind == KDR_ACTION_RESUME_CONNECTOR ||
		action->kind == KDR_ACTION_RESTART_CONNECTOR);
}

/* Why `action` is reported PENDING: what Connect still showed after timeout_ms. */
static char *unsettled_message(const char *cluster, const struct kdr_action *action,
			       const struct kdr_connect_restart_watch *watch, int timeout_ms)
{
	const char *want = wanted_state(action->kind);
	enum kdr_connector_state seen = watch->seen;

	if (action->kind == KDR_ACTION_RESTART_CONNECTOR && seen == KDR_CONNECTOR_FAILED)
		return kdr_asprintf("cluster '%s': connector '%s': an instance it restarted is still FAILED after %d ms "
				    "(%s): Connect has not restarted it yet, or it failed again before a status read "
				    "saw it restarted; the next plan shows it again until it runs",
				    cluster, action->resource, timeout_ms, watch->trace ? watch->trace : "no trace");
	if (action->kind == KDR_ACTION_RESTART_CONNECTOR)
		return kdr_asprintf("cluster '%s': connector '%s': an instance it restarted is still %s after %d ms: "
				    "Connect has not restarted it yet; the next plan shows it again until it does",
				    cluster, action->resource, kdr_connector_state_name(seen), timeout_ms);
	if (want)
		return kdr_asprintf("cluster '%s': connector '%s' is %s, not yet %s after %d ms: Connect has not "
				    "acted on it yet; the next plan shows it again until it does",
				    cluster, action->resource, kdr_connector_state_name(seen), want, timeout_ms);
	return kdr_asprintf("cluster '%s': connector '%s' (%s): Connect does not report the new config yet "
			    "after %d ms; the next plan shows it again until it does",
			    cluster, action->resource, kdr_connector_state_name(seen), timeout_ms);
}

/* A restart whose instance ran, then FAILED again: the action fails with the trace's first line. */
static void fail_again(struct kdr_action_result *result, const char *cluster, const struct kdr_action *action,
		       const struct kdr_connect_restart_watch *watch)
{
	char instance[32] = "";

	if (watch->failed_again >= 0)
		snprintf(instance, sizeof(instance), "task %d", (int)watch->failed_again);
	else
		snprintf(instance, sizeof(instance), "the connector");
	/* Retriable: a later restart may run once the cause is gone; the next plan restarts it again. */
	result->code = KDR_EUNAVAILABLE;
	result->error_name = kdr_strdup(kdr_error_name(KDR_EUNAVAILABLE));
	result->message = kdr_asprintf("cluster '%s': connector '%s': %s failed again after restart: %s", cluster,
				       action->resource, instance, watch->trace ? watch->trace : "no trace");
}

/*
 * Waits, up to timeout_ms, until Connect reports the result of each change
 * this step made on `cluster` (Connect acts on a pause, resume, restart or
 * config PUT after answering, so a plan read at once would plan it again). A change
 * still not reported is marked unsettled with what Connect said; nothing is
 * undone. A restarted instance that fails again fails its action; one still
 * running when the time is up counts as restarted. watches[i]: action i's
 * watch, holding the instances its restart restarted (run_connector_action).
 */
static void settle_connectors(struct kdr_apply_report *out, const struct kdr_plan *plan, const char *cluster,
			      struct kdr_connect_client *client, const struct kdr_apply_run *run,
			      struct kdr_connect_restart_watch *watches, int timeout_ms)
{
	bool *done = kdr_calloc(plan->n_actions + 1, sizeof(*done));
	bool *failed_again = kdr_calloc(plan->n_actions + 1, sizeof(*failed_again));
	int64_t deadline = kdr_clock_mono_ms() + timeout_ms;
	struct timespec round = { 0, 250 * 1000000L };
	size_t left = 0;

	for (;;) {
		left = 0;
		for (size_t i = 0; i < plan->n_actions; i++) {
			const struct kdr_action *action = &plan->actions[i];

			if (done[i] || !kdr_apply_run_has(run, action->kind) || strcmp(action->cluster, cluster) != 0 ||
			    !waits_for_connect(action, &out->results[i]))
				continue;
			done[i] = settled(&failed_again[i], &watches[i], client, action);
			left += !done[i];
		}
		if (left == 0 || kdr_clock_mono_ms() >= deadline)
			break;
		nanosleep(&round, NULL);
	}
	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];

		if (failed_again[i])
			fail_again(&out->results[i], cluster, action, &watches[i]);
		if (done[i] || watches[i].running_since_ms != 0 || !kdr_apply_run_has(run, action->kind) ||
		    strcmp(action->cluster, cluster) != 0 || !waits_for_connect(action, &out->results[i]))
			continue;
		out->results[i].unsettled = true;
		out->results[i].message = unsettled_message(cluster, action, &watches[i], timeout_ms);
	}
	free(done);
	free(failed_again);
}

/*
 * A Connect step: per cluster, its connector actions of `run` in plan order.
 * A Connect that cannot be reached fails its own actions only.
 */
static void apply_connectors(struct kdr_apply_report *out, const struct kdr_plan *plan,
			     const struct kdr_desired *desired, const struct kdr_executor_options *options,
			     const struct kdr_apply_run *run)
{
	struct kdr_connect_options copts = KDR_CONNECT_OPTIONS_INIT;

	if (options->timeout_ms > 0)
		copts.timeout_ms = options->timeout_ms;
	copts.resolver = options->resolver;
	for (size_t c = 0; c < desired->n_clusters; c++) {
		const struct kdr_cluster *cl = &desired->clusters[c];
		struct kdr_connect_client *client = NULL;
		/* per plan action: what its restart restarted, then what settle_connectors saw of it */
		struct kdr_connect_restart_watch *watches = NULL;
		int open_rc = 1;

		if (!selected(options, cl->meta.name))
			continue;
		watches = kdr_calloc(plan->n_actions + 1, sizeof(*watches));
		for (size_t i = 0; i < plan->n_actions; i++)
			watches[i] = (struct kdr_connect_restart_watch)KDR_CONNECT_RESTART_WATCH_INIT;
		for (size_t i = 0; i < plan->n_actions; i++) {
			const struct kdr_action *action = &plan->actions[i];
			struct kdr_action_result *result = &out->results[i];
			int rc;

			if (!kdr_apply_run_has(run, action->kind) || strcmp(action->cluster, cl->meta.name) != 0)
				continue;
			if (options->validate_only)
				continue; /* Connect has no dry run for changes; left unattempted */
			if (open_rc == 1)
				open_rc = kdr_connect_client_open(&client, cl, &copts);
			result->attempted = true;
			rc = open_rc ? open_rc : run_connector_action(&watches[i], client, action);
			result->code = rc;
			if (rc != 0) {
				result->error_name = kdr_strdup(kdr_error_name(rc));
				result->message = kdr_strdup(kdr_error_message());
			}
		}
		if (client)
			settle_connectors(out, plan, cl->meta.name, client, run, watches, copts.timeout_ms);
		for (size_t i = 0; i < plan->n_actions; i++)
			kdr_connect_restart_watch_release(&watches[i]);
		free(watches);
		kdr_connect_client_free(client);
	}
}

/* The Kafka connections of one apply, opened at a cluster's first Kafka step and kept for its later ones. */
struct kafka_conns {
	struct kdr_kafka_conn **conn; /* per desired cluster, NULL until opened */
	int *open_rc;		      /* 1: not tried yet, else the open's result */
	char **open_message;	      /* why the open failed, for each later step's actions */
};

static void kafka_conns_release(struct kafka_conns *conns, size_t n)
{
	for (size_t c = 0; c < n; c++) {
		kdr_kafka_conn_free(conns->conn[c]);
		free(conns->open_message[c]);
	}
	free(conns->conn);
	free(conns->open_rc);
	free(conns->open_message);
}

/* One cluster's share of a Kafka step, run on its own thread. */
struct kafka_step {
	const struct kdr_plan *plan;
	const struct kdr_cluster *cl;
	const struct kdr_kafka_options *kopts;
	const struct kdr_apply_run *run;
	struct kdr_kafka_conn **conn; /* the cluster's slot in kafka_conns */
	int *open_rc;
	char **open_message;
	struct kdr_action_result *results; /* per plan action; only this cluster's are filled */
	pthread_t thread;
	bool started;
};

/* Whether `action` is a Kafka action of `cluster` in the step `run`. */
static bool step_has(const struct kdr_action *action, const char *cluster, const struct kdr_apply_run *run)
{
	return strcmp(action->cluster, cluster) == 0 && kdr_kafka_handles(action->kind) &&
	       kdr_apply_run_has(run, action->kind);
}

static void *kafka_step_run(void *arg)
{
	struct kafka_step *step = arg;
	const struct kdr_plan *plan = step->plan;

	if (*step->open_rc == 1) {
		*step->open_rc = kdr_kafka_conn_open(step->conn, step->cl, step->kopts);
		if (*step->open_rc)
			*step->open_message = kdr_strdup(kdr_error_message());
	}
	if (*step->open_rc == 0) {
		kdr_kafka_conn_apply_run(step->results, *step->conn, plan, step->run);
		return NULL;
	}
	for (size_t i = 0; i < plan->n_actions; i++) {
		if (!step_has(&plan->actions[i], step->cl->meta.name, step->run))
			continue;
		step->results[i].attempted = true;
		step->results[i].code = *step->open_rc;
		step->results[i].message = kdr_strdup(*step->open_message);
	}
	return NULL;
}

/*
 * A Kafka step: per cluster, the adapter sends the step's actions kind by
 * kind (kdr_kafka_conn_apply_run). A cluster that cannot be opened fails the
 * step's actions on it with the reason, as an unreachable one does. The
 * clusters are independent and each waits on its brokers (the CreateTopics
 * answers, then every broker showing the result): they run side by side,
 * each on its own thread with its own connection and results, as the reader
 * reads them (2 x 100,000 creates: the second cluster no longer waits for
 * the first one's ~7 s).
 */
static void apply_kafka(struct kdr_apply_report *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
			const struct kdr_executor_options *options, const struct kdr_apply_run *run,
			struct kafka_conns *conns)
{
	struct kdr_kafka_options kopts;
	struct kafka_step *steps = kdr_calloc(desired->n_clusters + 1, sizeof(*steps));

	kafka_options(&kopts, options);
	for (size_t c = 0; c < desired->n_clusters; c++) {
		const struct kdr_cluster *cl = &desired->clusters[c];
		struct kafka_step *step = &steps[c];
		bool has_actions = false;

		if (!selected(options, cl->meta.name))
			continue;
		for (size_t i = 0; i < plan->n_actions && !has_actions; i++)
			has_actions = step_has(&plan->actions[i], cl->meta.name, run);
		if (!has_actions)
			continue;
		*step = (struct kafka_step){
		    .plan = plan,
		    .cl = cl,
		    .kopts = &kopts,
		    .run = run,
		    .conn = &conns->conn[c],
		    .open_rc = &conns->open_rc[c],
		    .open_message = &conns->open_message[c],
		    .results = kdr_calloc(plan->n_actions + 1, sizeof(*step->results)),
		};
		step->started = pthread_create(&step->thread, NULL, kafka_step_run, step) == 0;
		if (!step->started)
			kafka_step_run(step);
	}
	for (size_t c = 0; c < desired->n_clusters; c++) {
		struct kafka_step *step = &steps[c];

		if (!step->results)
			continue;
		if (step->started)
			pthread_join(step->thread, NULL);
		/* The adapter fills only this cluster's actions of this step; keep those. */
		for (size_t i = 0; i < plan->n_actions; i++) {
			if (step->results[i].attempted)
				out->results[i] = step->results[i];
			else
				kdr_action_result_release(&step->results[i]);
		}
		free(step->results);
	}
	free(steps);
}

/* The failed delete-connector of `cluster` named `connector` in this apply, or NULL. */
static const struct kdr_action_result *failed_connector_delete(const struct kdr_apply_report *out,
								 const struct kdr_plan *plan, const char *cluster,
								 const char *connector)
{
	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];

		if (action->kind == KDR_ACTION_DELETE_CONNECTOR && strcmp(action->cluster, cluster) == 0 &&
		    strcmp(action->resource, connector) == 0)
			return out->results[i].attempted && out->results[i].code != 0 ? &out->results[i] : NULL;
	}
	return NULL;
}

/*
 * Holds back the actions of `run` that wait for a connector delete that
 * failed (kdr_action.after: MM2 would re-create the topic while its source
 * connector runs); true when any is held.
 */
static bool hold_dependents(struct kdr_apply_report *out, const struct kdr_plan *plan, const struct kdr_apply_run *run)
{
	bool any = false;

	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];

		if (!action->after || !kdr_apply_run_has(run, action->kind) ||
		    !failed_connector_delete(out, plan, action->cluster, action->after))
			continue;
		out->results[i].held = true;
		out->results[i].message = kdr_asprintf(
		    "cluster '%s': held: connector '%s' could not be deleted, and while it runs MirrorMaker 2 "
		    "re-creates '%s'; the next run deletes both",
		    action->cluster, action->after, action->resource);
		any = true;
	}
	return any;
}

/* A Kafka step over the plan's actions that are not held (a shallow plan of them, results mapped back). */
static void apply_kafka_unheld(struct kdr_apply_report *out, const struct kdr_plan *plan,
			       const struct kdr_desired *desired, const struct kdr_executor_options *options,
			       const struct kdr_apply_run *run, struct kafka_conns *conns)
{
	struct kdr_plan sub = *plan;
	struct kdr_apply_report report = { 0 };
	size_t *index = kdr_calloc(plan->n_actions + 1, sizeof(*index));

	sub.actions = kdr_calloc(plan->n_actions + 1, sizeof(*sub.actions));
	sub.n_actions = sub.cap_actions = 0;
	for (size_t i = 0; i < plan->n_actions; i++)
		if (!out->results[i].held) {
			index[sub.n_actions] = i;
			sub.actions[sub.n_actions++] = plan->actions[i];
		}
	report.n = sub.n_actions;
	report.results = kdr_calloc(sub.n_actions + 1, sizeof(*report.results));
	apply_kafka(&report, &sub, desired, options, run, conns);
	for (size_t k = 0; k < sub.n_actions; k++) {
		if (report.results[k].attempted)
			out->results[index[k]] = report.results[k];
		else
			kdr_action_result_release(&report.results[k]);
	}
	free(report.results);
	free(sub.actions);
	free(index);
}

int kdr_executor_apply(struct kdr_apply_report *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
		       const struct kdr_executor_options *options)
{
	struct kdr_apply_run runs[KDR_ACTION_KIND_COUNT];
	size_t n_runs = kdr_apply_runs(runs);
	struct kafka_conns conns = {
	    .conn = kdr_calloc(desired->n_clusters + 1, sizeof(*conns.conn)),
	    .open_rc = kdr_calloc(desired->n_clusters + 1, sizeof(*conns.open_rc)),
	    .open_message = kdr_calloc(desired->n_clusters + 1, sizeof(*conns.open_message)),
	};
	int first_error = 0;

	memset(out, 0, sizeof(*out));
	out->n = plan->n_actions;
	out->results = kdr_calloc(plan->n_actions, sizeof(*out->results));
	for (size_t c = 0; c < desired->n_clusters; c++)
		conns.open_rc[c] = 1;
	/*
	 * The steps in the plan's order (kinds.c): Kafka creates and changes,
	 * connectors, Kafka deletes. Every step runs whatever the earlier ones'
	 * outcomes, as the stages always did: a failed action fails alone, and
	 * the next reconcile plans what is left from the live state. Only a
	 * topic delete that waits for a failed connector delete is held back.
	 */
	for (size_t r = 0; r < n_runs; r++) {
		switch (runs[r].stage) {
		case KDR_APPLY_KAFKA:
			if (hold_dependents(out, plan, &runs[r]))
				apply_kafka_unheld(out, plan, desired, options, &runs[r], &conns);
			else
				apply_kafka(out, plan, desired, options, &runs[r], &conns);
			break;
		case KDR_APPLY_CONNECT:
			apply_connectors(out, plan, desired, options, &runs[r]);
			break;
		}
	}
	kafka_conns_release(&conns, desired->n_clusters);
	for (size_t i = 0; i < plan->n_actions; i++) {
		if (out->results[i].held)
			out->held++;
		else if (!out->results[i].attempted)
			out->skipped++;
		else if (out->results[i].code == 0) {
			out->succeeded++;
			out->unsettled += out->results[i].unsettled;
		}
		else {
			out->failed++;
			if (!first_error)
				first_error = out->results[i].code;
		}
	}
	return first_error;
}

void kdr_apply_report_release(struct kdr_apply_report *report)
{
	for (size_t i = 0; i < report->n; i++)
		kdr_action_result_release(&report->results[i]);
	free(report->results);
	memset(report, 0, sizeof(*report));
}

