/*
 * One reconcile cycle: bring the desired state up to the source, select the
 * clusters that are not backing off, read them side by side (each failure is
 * its own cluster's), plan over those that were read, publish the plan in the log,
 * apply it (the clusters with a plan-time error excepted), then record:
 * backoff per cluster, stats, one summary line.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/controller_internal.h"
#include "pipeline/pipeline.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strvec.h"

enum cluster_outcome {
	CLUSTER_NOT_SELECTED, /* --cluster filter */
	CLUSTER_BACKING_OFF,
	CLUSTER_OK,
	CLUSTER_FAILED,
};

struct cluster_cycle {
	const char *name;
	enum cluster_outcome outcome;
	bool plan_error; /* a plan-time error: its actions are not applied */
	int code;        /* its first failure's code */
	uint64_t errors; /* failed reads (Kafka or Connect), plan-time errors, failed actions */
	char *message;   /* why it could not be read, or NULL */
};

struct cycle {
	int64_t start_mono;
	int first_code;                 /* first failure's code, 0 none */
	const char *source;             /* "ok", "invalid", "unavailable" */
	struct cluster_cycle *clusters; /* parallel to desired.clusters */
	size_t n_clusters;
	bool global_error;              /* planning failed, or a plan-time error without a cluster */
	bool planned;                   /* a plan was computed */
	bool stop_skipped;              /* a stop request came before the apply */
	size_t n_actions;
	size_t n_blocked;
	uint64_t by_result[KDR_CONTROLLER_ACTION_RESULTS];
	bool *held;                        /* per plan action: held back by the source */
	struct kdr_action_result *results; /* per plan action once applied, else NULL */
};

static void fail(struct cycle *cy, int code)
{
	if (!cy->first_code)
		cy->first_code = code ? code : KDR_EINVALID;
}

/* Counts an error against a cluster (and the cycle). */
static void cluster_error(struct cycle *cy, struct cluster_cycle *cc, int code)
{
	fail(cy, code);
	cc->errors++;
	if (!cc->code)
		cc->code = code ? code : KDR_EINVALID;
}

static struct cluster_cycle *cycle_cluster(struct cycle *cy, const char *name)
{
	for (size_t i = 0; name && i < cy->n_clusters; i++)
		if (strcmp(cy->clusters[i].name, name) == 0)
			return &cy->clusters[i];
	return NULL;
}

/*
 * Reads the eligible clusters side by side, as every command does
 * (kdr_pipeline_read); each outcome is its own cluster's.
 */
static void read_clusters(struct kdr_controller *ctl, struct cycle *cy, struct kdr_pipeline *p)
{
	struct kdr_strvec eligible = KDR_STRVEC_INIT;
	struct kdr_pipeline_options options = { 0 };

	for (size_t i = 0; i < cy->n_clusters; i++)
		if (cy->clusters[i].outcome == CLUSTER_OK)
			kdr_strvec_push(&eligible, cy->clusters[i].name);
	options.resolver = kdr_source_resolver(&ctl->source);
	options.clusters = (const char *const *)eligible.v;
	options.n_clusters = eligible.n;
	options.timeout_ms = ctl->options.timeout_ms;
	options.allow_delete = ctl->options.allow_delete;
	options.plan_read_only = true;
	options.pool = ctl->kafka;
	kdr_pipeline_init(p, &ctl->desired, &options);
	/* The kept clients of clusters no longer declared are closed. */
	{
		struct kdr_strvec declared = KDR_STRVEC_INIT;

		for (size_t i = 0; i < ctl->desired.n_clusters; i++)
			kdr_strvec_push(&declared, ctl->desired.clusters[i].meta.name);
		kdr_kafka_pool_retain(ctl->kafka, (const char *const *)declared.v, declared.n);
		kdr_strvec_release(&declared);
	}
	/* No cluster to read is not "every cluster". */
	if (eligible.n)
		kdr_pipeline_read(p);
	for (size_t i = 0; i < p->read.n_clusters; i++) {
		const struct kdr_reader_cluster *read = &p->read.clusters[i];
		struct cluster_cycle *cc = cycle_cluster(cy, read->name);
		char *joined = kdr_strvec_join(&read->messages, "; ");
		struct kdr_controller_fields f = { 0 };

		kdr_controller__field_str(&f, "cluster", cc->name);
		kdr_controller__field_str(&f, "error", joined);
		if (read->code != 0) {
			cc->outcome = CLUSTER_FAILED;
			cc->message = kdr_strdup(joined && joined[0] ? joined : kdr_error_name(read->code));
			cluster_error(cy, cc, read->code);
			kdr_controller__field_str(&f, "code", kdr_error_name(read->code));
			kdr_controller__log(ctl, KDR_CONTROLLER_LOG_ERROR, "cannot read cluster", &f);
		} else if (read->messages.n > 0) {
			/*
			 * Kafka was read: its topics are still reconciled and the plan
			 * skips its connectors, so this counts as an error without
			 * backing the cluster off.
			 */
			fail(cy, KDR_EUNAVAILABLE);
			cc->errors++;
			kdr_controller__log(ctl, KDR_CONTROLLER_LOG_WARN,
					    "cannot read Kafka Connect; its connectors are not reconciled", &f);
		}
		free(joined);
	}
	/* The strings are the desired state's: the options may keep pointing at them, not at `eligible`. */
	p->options.clusters = NULL;
	p->options.n_clusters = 0;
	kdr_strvec_release(&eligible);
}

/* Publishes the plan (before anything is applied) and marks clusters with plan-time errors. */
static void publish_plan(struct kdr_controller *ctl, struct cycle *cy, const struct kdr_plan *plan)
{
	bool new_revision = !ctl->notes_revision || !plan->revision || strcmp(ctl->notes_revision, plan->revision) != 0;

	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];
		struct kdr_controller_fields f = { 0 };

		kdr_controller__field_str(&f, "kind", kdr_action_kind_name(action->kind));
		kdr_controller__field_str(&f, "cluster", action->cluster);
		kdr_controller__field_str(&f, "resource", action->resource);
		kdr_controller__field_str(&f, "policy", action->policy);
		kdr_controller__field_str(&f, "risk", kdr_risk_name(action->risk));
		/* Reasons show config values the plan renders; sensitive ones are already redacted there. */
		kdr_controller__field_str(&f, "reason", action->reason);
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_INFO,
				    ctl->options.dry_run ? "drift (dry run: not applied)" : "planned action", &f);
	}
	for (size_t i = 0; i < plan->n_blocked; i++) {
		const struct kdr_blocked *blocked = &plan->blocked[i];
		struct cluster_cycle *cc = cycle_cluster(cy, blocked->cluster);
		bool error = blocked->kind == KDR_BLOCKED_ERROR;
		struct kdr_controller_fields f = { 0 };

		kdr_controller__field_str(&f, "kind", kdr_blocked_kind_name(blocked->kind));
		kdr_controller__field_str(&f, "cluster", blocked->cluster);
		kdr_controller__field_str(&f, "resource", blocked->resource);
		kdr_controller__field_str(&f, "policy", blocked->policy);
		kdr_controller__field_str(&f, "reason", blocked->reason);
		kdr_controller__log(ctl, error ? KDR_CONTROLLER_LOG_ERROR : KDR_CONTROLLER_LOG_WARN,
				    error ? "plan error" : "blocked (kdr refuses this change)", &f);
		if (!error)
			continue;
		if (cc) {
			cc->plan_error = true;
			cluster_error(cy, cc, KDR_EINVALID);
		} else {
			cy->global_error = true;
			fail(cy, KDR_EINVALID);
		}
	}
	if (new_revision) {
		for (size_t i = 0; i < plan->n_notes; i++) {
			struct kdr_controller_fields f = { 0 };

			if (plan->notes[i].kind != KDR_NOTE_WARNING)
				continue;
			kdr_controller__field_str(&f, "cluster", plan->notes[i].cluster);
			kdr_controller__field_str(&f, "resource", plan->notes[i].resource);
			kdr_controller__field_str(&f, "detail", plan->notes[i].message);
			kdr_controller__log(ctl, KDR_CONTROLLER_LOG_WARN, "plan warning", &f);
		}
		free(ctl->notes_revision);
		ctl->notes_revision = kdr_strdup(plan->revision);
	}
}

static void count_all(struct kdr_controller *ctl, struct cycle *cy, const struct kdr_plan *plan,
		      enum kdr_controller_action_result outcome)
{
	cy->by_result[outcome] += plan->n_actions;
	pthread_mutex_lock(&ctl->lock);
	for (size_t i = 0; i < plan->n_actions; i++)
		ctl->stats.actions[plan->actions[i].kind][outcome]++;
	pthread_mutex_unlock(&ctl->lock);
}

/*
 * What an executor result counts as: held (not attempted, result.held),
 * pending (done, but Connect did not report it in time, result.unsettled),
 * succeeded, failed, or skipped (not attempted).
 */
static enum kdr_controller_action_result action_outcome(const struct kdr_action_result *result)
{
	if (result->held)
		return KDR_CONTROLLER_ACTION_HELD;
	if (!result->attempted)
		return KDR_CONTROLLER_ACTION_SKIPPED;
	if (result->code != 0)
		return KDR_CONTROLLER_ACTION_FAILED;
	return result->unsettled ? KDR_CONTROLLER_ACTION_PENDING : KDR_CONTROLLER_ACTION_SUCCEEDED;
}

/* Runs the executor on `targets` and records every action's result. */
static void execute(struct kdr_controller *ctl, struct cycle *cy, struct kdr_pipeline *p,
		    const struct kdr_strvec *targets)
{
	const struct kdr_plan *plan = &p->plan;
	struct kdr_apply_report report = { 0 };

	kdr_pipeline_apply(&report, p, targets, cy->held);
	cy->results = kdr_calloc(plan->n_actions + 1, sizeof(*cy->results));
	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];
		const struct kdr_action_result *result = NULL;
		enum kdr_controller_action_result outcome = KDR_CONTROLLER_ACTION_SKIPPED;
		struct cluster_cycle *cc = cycle_cluster(cy, action->cluster);
		struct kdr_controller_fields f = { 0 };

		if (cy->held[i]) {
			cy->by_result[KDR_CONTROLLER_ACTION_DRY_RUN]++;
			pthread_mutex_lock(&ctl->lock);
			ctl->stats.actions[action->kind][KDR_CONTROLLER_ACTION_DRY_RUN]++;
			pthread_mutex_unlock(&ctl->lock);
			continue;
		}
		result = i < report.n ? &report.results[i] : NULL;
		if (!result)
			continue;
		/* Moved, not copied: the report is released below without its messages. */
		cy->results[i] = *result;
		report.results[i].message = NULL;
		report.results[i].error_name = NULL;
		result = &cy->results[i];

		outcome = action_outcome(result);
		cy->by_result[outcome]++;
		pthread_mutex_lock(&ctl->lock);
		ctl->stats.actions[action->kind][outcome]++;
		pthread_mutex_unlock(&ctl->lock);
		if (outcome == KDR_CONTROLLER_ACTION_SKIPPED)
			continue;
		kdr_controller__field_str(&f, "kind", kdr_action_kind_name(action->kind));
		kdr_controller__field_str(&f, "cluster", action->cluster);
		kdr_controller__field_str(&f, "resource", action->resource);
		if (outcome == KDR_CONTROLLER_ACTION_SUCCEEDED) {
			kdr_controller__log(ctl, KDR_CONTROLLER_LOG_INFO, "action applied", &f);
			continue;
		}
		if (outcome == KDR_CONTROLLER_ACTION_HELD || outcome == KDR_CONTROLLER_ACTION_PENDING) {
			/* Not failures of their own: the next cycle plans them again from the live state. */
			kdr_controller__field_str(&f, "detail", result->message);
			kdr_controller__log(ctl, KDR_CONTROLLER_LOG_WARN,
					    outcome == KDR_CONTROLLER_ACTION_HELD ? "action held" : "action pending", &f);
			continue;
		}
		kdr_controller__field_str(&f, "error",
					  result->message ? result->message : kdr_error_name(result->code));
		kdr_controller__field_str(&f, "code", kdr_error_name(result->code));
		kdr_controller__field_bool(&f, "retriable", kdr_error_retriable(result->code));
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_ERROR, "action failed", &f);
		if (cc) {
			cc->outcome = CLUSTER_FAILED;
			cluster_error(cy, cc, result->code);
		} else {
			fail(cy, result->code);
		}
	}
	kdr_apply_report_release(&report);
}

/*
 * Applies the actions of the clusters that were read and have no plan-time
 * error; the rest are counted as skipped. A plan-time error without a
 * cluster stops the whole apply, as `kdr apply` refuses such a plan.
 */
static void apply_plan(struct kdr_controller *ctl, struct cycle *cy, struct kdr_pipeline *p)
{
	const struct kdr_plan *plan = &p->plan;
	struct kdr_strvec targets = KDR_STRVEC_INIT;
	bool any = false;

	cy->held = kdr_calloc(plan->n_actions + 1, sizeof(*cy->held));
	for (size_t i = 0; i < plan->n_actions && ctl->source.ops->hold; i++)
		cy->held[i] = ctl->source.ops->hold(ctl->source.ctx, &plan->actions[i]);
	if (ctl->options.dry_run) {
		count_all(ctl, cy, plan, KDR_CONTROLLER_ACTION_DRY_RUN);
		return;
	}
	for (size_t i = 0; i < cy->n_clusters; i++)
		if (cy->clusters[i].outcome == CLUSTER_OK && !cy->clusters[i].plan_error)
			kdr_strvec_push(&targets, cy->clusters[i].name);
	for (size_t i = 0; i < plan->n_actions && !any; i++)
		any = !cy->held[i] && kdr_strvec_contains(&targets, plan->actions[i].cluster);
	if (any && !cy->global_error && atomic_load(&ctl->stop)) {
		/* Nothing is in flight yet: stopping now leaves no half-applied cycle. */
		cy->stop_skipped = true;
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_WARN, "stop requested before the apply; nothing applied",
				    NULL);
	}
	/* An empty cluster list means "all" to the executor: it is never called without targets. */
	if (!any || cy->global_error || cy->stop_skipped)
		count_all(ctl, cy, plan, KDR_CONTROLLER_ACTION_SKIPPED);
	else
		execute(ctl, cy, p, &targets);
	kdr_strvec_release(&targets);
}

/* Backoff and stats from the cycle's per-cluster outcomes; the summary line; the cycle's result. */
static int finish_cycle(struct kdr_controller *ctl, struct cycle *cy)
{
	int64_t now = kdr_clock_mono_ms();
	int64_t duration = now - cy->start_mono;
	size_t attempted = 0, failed = 0, backing_off = 0;
	struct kdr_controller_fields f = { 0 };

	for (size_t i = 0; i < cy->n_clusters; i++) {
		struct cluster_cycle *cc = &cy->clusters[i];
		struct kdr_controller__cluster_state *state = NULL;
		struct kdr_controller_fields cf = { 0 };

		if (cc->outcome == CLUSTER_NOT_SELECTED)
			continue;
		state = kdr_controller__cluster_state(ctl, cc->name);
		if (cc->outcome == CLUSTER_BACKING_OFF) {
			backing_off++;
			continue;
		}
		attempted++;
		if (cc->outcome == CLUSTER_FAILED || cc->plan_error) {
			failed++;
			kdr_controller_backoff_fail(&state->backoff, &ctl->options.backoff, &ctl->rng, now);
			state->last_code = cc->code ? cc->code : KDR_EINVALID;
			kdr_controller__field_str(&cf, "cluster", cc->name);
			kdr_controller__field_int(&cf, "failures", state->backoff.failures);
			kdr_controller__field_int(&cf, "retry_in_ms", state->backoff.not_before_ms - now);
			kdr_controller__log(ctl, KDR_CONTROLLER_LOG_WARN, "cluster failed; backing off", &cf);
		} else if (state->backoff.failures > 0) {
			kdr_controller__field_str(&cf, "cluster", cc->name);
			kdr_controller__field_int(&cf, "after_failures", state->backoff.failures);
			kdr_controller__log(ctl, KDR_CONTROLLER_LOG_INFO, "cluster recovered", &cf);
			kdr_controller_backoff_reset(&state->backoff);
		}
	}

	pthread_mutex_lock(&ctl->lock);
	if (cy->first_code == 0)
		ctl->stats.cycles_success++;
	else
		ctl->stats.cycles_failure++;
	/* A cluster no longer declared (or filtered out) keeps its error count, not a backoff. */
	for (size_t i = 0; i < ctl->stats.n_clusters; i++)
		ctl->stats.clusters[i].backoff_ms = 0;
	for (size_t i = 0; i < cy->n_clusters; i++) {
		struct cluster_cycle *cc = &cy->clusters[i];
		struct kdr_controller_cluster_stats *cs = NULL;

		if (cc->outcome == CLUSTER_NOT_SELECTED)
			continue;
		cs = kdr_controller_stats_cluster(&ctl->stats, cc->name);
		cs->errors_total += cc->errors;
		cs->backoff_ms = kdr_controller__cluster_state(ctl, cc->name)->backoff.delay_ms;
	}
	if (ctl->have_desired) {
		/* The revision this cycle reconciled: the last good one, whatever the source is at now. */
		free(ctl->stats.revision);
		ctl->stats.revision = kdr_strdup(ctl->desired.revision ? ctl->desired.revision : "");
	}
	if (cy->planned) {
		size_t left = ctl->options.dry_run ? cy->n_actions
						   : cy->n_actions - cy->by_result[KDR_CONTROLLER_ACTION_SUCCEEDED];

		ctl->stats.plan_actions = cy->n_actions;
		ctl->stats.drift_items = left + cy->n_blocked;
		ctl->stats.pending_items = ctl->options.dry_run ? 0
					   : cy->by_result[KDR_CONTROLLER_ACTION_HELD] +
						     cy->by_result[KDR_CONTROLLER_ACTION_PENDING] + cy->n_blocked;
	}
	ctl->stats.last_cycle_duration_ms = duration;
	if (cy->first_code == 0) {
		ctl->stats.last_success_unix_ms = kdr_clock_wall_ms();
		ctl->stats.ready = true;
	}
	pthread_mutex_unlock(&ctl->lock);

	kdr_controller__field_str(&f, "result", cy->first_code == 0 ? "success" : "failure");
	kdr_controller__field_str(&f, "source", cy->source);
	kdr_controller__field_int(&f, "clusters", (int64_t)attempted);
	kdr_controller__field_int(&f, "clusters_failed", (int64_t)failed);
	kdr_controller__field_int(&f, "clusters_backing_off", (int64_t)backing_off);
	kdr_controller__field_int(&f, "actions", (int64_t)cy->n_actions);
	kdr_controller__field_int(&f, "succeeded", (int64_t)cy->by_result[KDR_CONTROLLER_ACTION_SUCCEEDED]);
	kdr_controller__field_int(&f, "failed", (int64_t)cy->by_result[KDR_CONTROLLER_ACTION_FAILED]);
	kdr_controller__field_int(&f, "skipped", (int64_t)cy->by_result[KDR_CONTROLLER_ACTION_SKIPPED]);
	kdr_controller__field_int(&f, "dry_run", (int64_t)cy->by_result[KDR_CONTROLLER_ACTION_DRY_RUN]);
	kdr_controller__field_int(&f, "held", (int64_t)cy->by_result[KDR_CONTROLLER_ACTION_HELD]);
	kdr_controller__field_int(&f, "pending", (int64_t)cy->by_result[KDR_CONTROLLER_ACTION_PENDING]);
	kdr_controller__field_int(&f, "blocked", (int64_t)cy->n_blocked);
	kdr_controller__field_int(&f, "duration_ms", duration);
	kdr_controller__log(ctl, cy->first_code == 0 ? KDR_CONTROLLER_LOG_INFO : KDR_CONTROLLER_LOG_WARN,
			    "reconcile cycle finished", &f);
	if (cy->first_code == 0)
		return 0;
	return kdr_error_set(cy->first_code,
			     "reconcile cycle %" PRIu64 " failed: source %s, %zu of %zu cluster(s) failed, "
			     "%zu backing off, %" PRIu64 " action(s) failed",
			     ctl->cycle, cy->source, failed, attempted, backing_off,
			     cy->by_result[KDR_CONTROLLER_ACTION_FAILED]);
}

/*
 * Between measurements (--lag-interval), each flow's status gets the last
 * figures measured for it; none with --lag-interval 0.
 */
static void last_lag(struct kdr_controller *ctl, struct kdr_health *status)
{
	pthread_mutex_lock(&ctl->lock);
	for (size_t i = 0; i < status->n_flows; i++) {
		struct kdr_health_lag *lag = &status->flows[i].lag;

		kdr_health_lag_release(lag);
		memset(lag, 0, sizeof(*lag));
		for (size_t k = 0; k < ctl->stats.n_flow_lags; k++)
			if (strcmp(ctl->stats.flow_lags[k].flow, status->flows[i].name) == 0)
				kdr_health_lag_copy(lag, &ctl->stats.flow_lags[k].lag);
		if (ctl->options.lag_interval_ms <= 0)
			lag->error = kdr_strdup("not measured: kdr run --lag-interval 0");
		else if (!lag->measured && !lag->error)
			lag->error = kdr_strdup("not measured yet");
	}
	pthread_mutex_unlock(&ctl->lock);
}

/*
 * Whether the flows' lag is measured this cycle: never with --lag-interval 0;
 * else once the interval has passed, or at once when a flow has no figures
 * yet (declared since the last measurement, or not measurable then): an
 * operator that just started, or a new flow, does not wait a whole interval
 * for its first figures. Such a flow is tried each cycle until it has
 * figures; while its clusters are unread that sends nothing.
 */
static bool lag_due(struct kdr_controller *ctl, const struct kdr_health *status, int64_t now)
{
	bool due = false;

	if (ctl->options.lag_interval_ms <= 0)
		return false;
	if (!ctl->lag_due_ms || now >= ctl->lag_due_ms)
		return true;
	pthread_mutex_lock(&ctl->lock);
	for (size_t i = 0; i < status->n_flows && !due; i++) {
		bool has_figures = false;

		for (size_t k = 0; k < ctl->stats.n_flow_lags && !has_figures; k++)
			has_figures = strcmp(ctl->stats.flow_lags[k].flow, status->flows[i].name) == 0 &&
				      ctl->stats.flow_lags[k].lag.measured;
		due = !has_figures;
	}
	pthread_mutex_unlock(&ctl->lock);
	return due;
}

/*
 * Each flow's replication lag, as kdr lag measures it, into the stats (the
 * metrics) and for the source's status, at most every lag_interval_ms (it
 * reads each flow's log ends and offset-syncs); between measurements the
 * last figures stay (lag_due says when). Flows whose clusters were not
 * read when it was measured say so (lag.error) and keep no figures. A cycle
 * that applied actions makes the next one measure: its status was read
 * before them.
 */
static void measure_lag(struct kdr_controller *ctl, const struct kdr_pipeline *p, struct kdr_health *status_out)
{
	struct kdr_health status = { 0 };
	struct kdr_controller_flow_lag *lags = NULL, *old = NULL;
	size_t n_old = 0;
	int64_t now = kdr_clock_mono_ms();

	if (kdr_pipeline_status(&status, p) != 0) {
		struct kdr_controller_fields f = { 0 };

		kdr_controller__field_str(&f, "error", kdr_error_message());
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_WARN, "flow status failed; lag not measured", &f);
		return;
	}
	if (!lag_due(ctl, &status, now)) {
		last_lag(ctl, &status);
		/* This cycle changed the clusters, and its status was read before: measure next cycle. */
		if (p->plan.n_actions > 0)
			ctl->lag_due_ms = 0;
		*status_out = status;
		return;
	}
	ctl->lag_due_ms = p->plan.n_actions > 0 ? 0 : now + ctl->options.lag_interval_ms;
	kdr_pipeline_status_lag(&status, p);
	lags = kdr_calloc(status.n_flows + 1, sizeof(*lags));
	for (size_t i = 0; i < status.n_flows; i++) {
		lags[i].flow = kdr_strdup(status.flows[i].name);
		kdr_health_lag_copy(&lags[i].lag, &status.flows[i].lag);
	}
	pthread_mutex_lock(&ctl->lock);
	old = ctl->stats.flow_lags;
	n_old = ctl->stats.n_flow_lags;
	ctl->stats.flow_lags = lags;
	ctl->stats.n_flow_lags = status.n_flows;
	pthread_mutex_unlock(&ctl->lock);
	kdr_controller_flow_lags_free(old, n_old);
	*status_out = status;
}

/* Tells the source what the cycle found (its objects' status). */
static void report(struct kdr_controller *ctl, struct cycle *cy, const struct kdr_plan *plan,
		   const struct kdr_live *live, const struct kdr_health *status)
{
	struct kdr_source_report rep;
	const char **failed = NULL, **errors = NULL;

	if (!ctl->source.ops->report)
		return;
	memset(&rep, 0, sizeof(rep));
	failed = kdr_calloc(cy->n_clusters + 1, sizeof(*failed));
	errors = kdr_calloc(cy->n_clusters + 1, sizeof(*errors));
	for (size_t i = 0; i < cy->n_clusters; i++) {
		if (cy->clusters[i].outcome != CLUSTER_FAILED && cy->clusters[i].outcome != CLUSTER_BACKING_OFF)
			continue;
		failed[rep.n_failed_clusters] = cy->clusters[i].name;
		errors[rep.n_failed_clusters++] = cy->clusters[i].message ? cy->clusters[i].message
					     : cy->clusters[i].outcome == CLUSTER_BACKING_OFF
						     ? "backing off after failures"
						     : "failed";
	}
	rep.source_state = cy->source;
	rep.rejected = strcmp(cy->source, "invalid") == 0 ? &ctl->rejected_diags : NULL;
	rep.desired = ctl->have_desired ? &ctl->desired : NULL;
	rep.plan = plan;
	rep.live = live;
	rep.results = cy->results;
	rep.held = cy->held;
	rep.failed_clusters = failed;
	rep.cluster_errors = errors;
	rep.dry_run = ctl->options.dry_run;
	rep.now_unix_ms = kdr_clock_wall_ms();
	rep.status = status;
	ctl->source.ops->report(ctl->source.ctx, &rep);
	free(failed);
	free(errors);
}

/* Selects the clusters of this cycle: declared, in --cluster, not backing off. */
static void select_clusters(struct kdr_controller *ctl, struct cycle *cy)
{
	int64_t now = kdr_clock_mono_ms();

	cy->n_clusters = ctl->desired.n_clusters;
	cy->clusters = kdr_calloc(cy->n_clusters + 1, sizeof(*cy->clusters));
	for (size_t i = 0; i < cy->n_clusters; i++) {
		struct cluster_cycle *cc = &cy->clusters[i];
		struct kdr_controller__cluster_state *state = NULL;
		struct kdr_controller_fields f = { 0 };

		cc->name = ctl->desired.clusters[i].meta.name;
		if (!kdr_controller__cluster_selected(ctl, cc->name)) {
			cc->outcome = CLUSTER_NOT_SELECTED;
			continue;
		}
		state = kdr_controller__cluster_state(ctl, cc->name);
		if (!kdr_controller_backoff_active(&state->backoff, now)) {
			cc->outcome = CLUSTER_OK;
			continue;
		}
		cc->outcome = CLUSTER_BACKING_OFF;
		fail(cy, state->last_code);
		kdr_controller__field_str(&f, "cluster", cc->name);
		kdr_controller__field_int(&f, "failures", state->backoff.failures);
		kdr_controller__field_int(&f, "retry_in_ms", state->backoff.not_before_ms - now);
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_INFO, "cluster backing off; skipped this cycle", &f);
	}
}

int kdr_controller__run_cycle(struct kdr_controller *ctl)
{
	struct cycle cy;
	struct kdr_pipeline p;
	struct kdr_health status = { 0 };
	bool measured = false;
	int rc = 0;

	memset(&cy, 0, sizeof(cy));
	kdr_pipeline_init(&p, NULL, NULL);
	ctl->cycle++;
	ctl->in_cycle = true;
	cy.start_mono = kdr_clock_mono_ms();
	cy.source = "ok";
	kdr_error_clear();

	rc = kdr_controller__update_desired(ctl);
	if (rc != 0) {
		cy.source = rc == KDR_EINVALID ? "invalid" : "unavailable";
		fail(&cy, rc);
	} else if (ctl->check_failed) {
		cy.source = "unavailable";
		fail(&cy, ctl->check_code);
	} else if (ctl->rejected_revision && ctl->seen_revision &&
		   strcmp(ctl->rejected_revision, ctl->seen_revision) == 0) {
		cy.source = "invalid";
		fail(&cy, KDR_EINVALID);
	}
	if (ctl->last_source_state && strcmp(ctl->last_source_state, "ok") != 0 && strcmp(cy.source, "ok") == 0)
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_INFO, "source usable again", NULL);
	ctl->last_source_state = cy.source;
	if (!ctl->have_desired) {
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_ERROR, "no valid desired state yet; nothing reconciled",
				    NULL);
		fail(&cy, KDR_EINVALID);
		goto cleanup;
	}

	select_clusters(ctl, &cy);
	read_clusters(ctl, &cy, &p);
	if (p.read_ok.n == 0)
		goto cleanup;
	rc = kdr_pipeline_plan(&p);
	if (rc != 0) {
		struct kdr_controller_fields f = { 0 };

		kdr_controller__field_str(&f, "error", kdr_error_message());
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_ERROR, "planning failed; nothing applied", &f);
		cy.global_error = true;
		fail(&cy, rc);
		goto cleanup;
	}
	cy.planned = true;
	cy.n_actions = p.plan.n_actions;
	cy.n_blocked = p.plan.n_blocked;
	publish_plan(ctl, &cy, &p.plan);
	apply_plan(ctl, &cy, &p);
	measure_lag(ctl, &p, &status);
	measured = true;

cleanup:
	rc = finish_cycle(ctl, &cy);
	report(ctl, &cy, cy.planned ? &p.plan : NULL, cy.planned ? &p.live : NULL, measured ? &status : NULL);
	kdr_health_release(&status);
	ctl->in_cycle = false;
	for (size_t i = 0; i < cy.n_clusters; i++)
		free(cy.clusters[i].message);
	for (size_t i = 0; cy.results && i < p.plan.n_actions; i++)
		kdr_action_result_release(&cy.results[i]);
	free(cy.results);
	free(cy.held);
	free(cy.clusters);
	kdr_pipeline_release(&p);
	return rc;
}
