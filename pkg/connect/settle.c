/*
 * What one connector reports now, for an apply that waits until Connect has
 * acted on its change: Connect answers a pause, resume, restart or config PUT
 * at once and applies it after a rebalance (a restart on a later tick, its new
 * status read back from the status topic), so a plan read right after would
 * plan the same change again. A connector restart's answer names the
 * instances it restarts: the ones the wait judges.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connect/connect.h"
#include "connect/connect_internal.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/http.h"

static int get_connector_json(json_t **out, struct kdr_connect_client *client, const char *name, const char *suffix)
{
	char *escaped = kdr_http_escape(name);
	char *path = kdr_asprintf("/connectors/%s%s", escaped, suffix);
	char *subject = kdr_asprintf("connector '%s'", name);
	int rc = kdr_connect__get_json(client, path, subject, out);

	free(escaped);
	free(path);
	free(subject);
	return rc;
}

/* A state a restarted instance runs in: what its target asks for (UNASSIGNED: between a stop and a start). */
static bool runs(enum kdr_connector_state state)
{
	return state == KDR_CONNECTOR_RUNNING || state == KDR_CONNECTOR_PAUSED;
}

/* Whether the restart is judged on instance `id` (-1: the connector); tasks: the tasks/N/restart ones. */
static bool watched(const struct kdr_connect_restart_watch *watch, int32_t id, const int32_t *tasks, size_t n_tasks)
{
	if (n_tasks > 0) {
		for (size_t i = 0; i < n_tasks; i++)
			if (tasks[i] == id)
				return true;
		return false;
	}
	if (!watch->planned)
		return true;
	for (size_t i = 0; i < watch->n; i++)
		if (watch->v[i].id == id)
			return true;
	return false;
}

/* The watch's entry for instance `id` (-1: the connector), added on first sight. */
static struct kdr_connect_restart_instance *instance_of(struct kdr_connect_restart_watch *watch, int32_t id)
{
	for (size_t i = 0; i < watch->n; i++)
		if (watch->v[i].id == id)
			return &watch->v[i];
	watch->v = kdr_realloc(watch->v, (watch->n + 1) * sizeof(*watch->v));
	watch->v[watch->n] = (struct kdr_connect_restart_instance){ id, false };
	return &watch->v[watch->n++];
}

static char *first_line(const char *trace)
{
	return trace ? kdr_strndup(trace, strcspn(trace, "\r\n")) : kdr_strdup("no trace");
}

static bool restarting(const json_t *status)
{
	const char *state = json_string_value(json_object_get(status, "state"));

	return state && strcmp(state, "RESTARTING") == 0;
}

int kdr_connect_restart(struct kdr_connect_restart_watch *watch, struct kdr_connect_client *client, const char *name,
			bool include_tasks, bool only_failed)
{
	char *escaped = kdr_http_escape(name);
	char *path = kdr_asprintf("/connectors/%s/restart?includeTasks=%s&onlyFailed=%s", escaped,
				  include_tasks ? "true" : "false", only_failed ? "true" : "false");
	char *subject = kdr_asprintf("connector '%s'", name);
	json_t *plan = NULL;
	json_t *task = NULL;
	size_t i = 0;
	int rc = kdr_connect__post_json(client, path, subject, &plan);

	/* AbstractHerder.buildRestartPlan: an instance it restarts reads RESTARTING, the others their state then. */
	if (rc == 0 && watch && json_is_object(plan)) {
		watch->planned = true;
		if (restarting(json_object_get(plan, "connector")))
			instance_of(watch, -1);
		json_array_foreach(json_object_get(plan, "tasks"), i, task)
			if (restarting(task))
				instance_of(watch, (int32_t)json_integer_value(json_object_get(task, "id")));
	}
	json_decref(plan);
	free(escaped);
	free(path);
	free(subject);
	return rc;
}

/*
 * One instance's status `status` ({"state", "trace"}) read after the
 * restart's answer: false when it failed again (recorded in the watch),
 * else whether it runs now.
 */
static bool watch_instance(bool *runs_now, struct kdr_connect_restart_watch *watch, int32_t id, const json_t *status)
{
	struct kdr_connect_restart_instance *instance = instance_of(watch, id);
	const char *text = json_string_value(json_object_get(status, "state"));
	enum kdr_connector_state state = KDR_CONNECTOR_UNKNOWN;

	if (!text || kdr_connector_state_parse(&state, text) != 0)
		state = KDR_CONNECTOR_UNKNOWN;
	*runs_now = runs(state);
	if (!*runs_now && watch->seen == KDR_CONNECTOR_UNKNOWN)
		watch->seen = state; /* the first instance that still waits, for the PENDING message */
	if (state != KDR_CONNECTOR_FAILED) {
		instance->restarted = true;
		return true;
	}
	free(watch->trace);
	watch->trace = first_line(json_string_value(json_object_get(status, "trace")));
	if (!instance->restarted)
		return true; /* not restarted yet, as far as the status shows */
	watch->failed_again = id;
	return false;
}

int kdr_connect_restart_poll(enum kdr_connect_restart_progress *out, struct kdr_connect_restart_watch *watch,
			     struct kdr_connect_client *client, const char *name, const int32_t *tasks,
			     size_t n_tasks, int64_t now_ms)
{
	json_t *status = NULL;
	json_t *task = NULL;
	size_t i = 0;
	bool all_run = true, runs_now = false;
	int rc = get_connector_json(&status, client, name, "/status");

	*out = KDR_CONNECT_RESTART_WAITING;
	watch->seen = KDR_CONNECTOR_UNKNOWN;
	if (rc != 0)
		goto cleanup;
	if (n_tasks == 0 && watch->planned && watch->n == 0) {
		*out = KDR_CONNECT_RESTART_DONE; /* Connect restarted nothing: none FAILED when it took the restart */
		goto cleanup;
	}
	if (watched(watch, -1, tasks, n_tasks)) {
		if (!watch_instance(&runs_now, watch, -1, json_object_get(status, "connector")))
			goto failed_again;
		all_run = runs_now;
	}
	json_array_foreach(json_object_get(status, "tasks"), i, task) {
		int32_t id = (int32_t)json_integer_value(json_object_get(task, "id"));

		if (!watched(watch, id, tasks, n_tasks))
			continue;
		if (!watch_instance(&runs_now, watch, id, task))
			goto failed_again;
		all_run = all_run && runs_now;
	}
	if (!all_run)
		watch->running_since_ms = 0;
	else if (watch->running_since_ms == 0)
		watch->running_since_ms = now_ms;
	if (all_run && now_ms - watch->running_since_ms >= KDR_CONNECT_RESTART_WINDOW_MS)
		*out = KDR_CONNECT_RESTART_DONE;
	goto cleanup;
failed_again:
	*out = KDR_CONNECT_RESTART_FAILED_AGAIN;
cleanup:
	json_decref(status);
	return rc;
}

void kdr_connect_restart_watch_release(struct kdr_connect_restart_watch *watch)
{
	free(watch->v);
	free(watch->trace);
	*watch = (struct kdr_connect_restart_watch)KDR_CONNECT_RESTART_WATCH_INIT;
}

int kdr_connect_connector_state(enum kdr_connector_state *out, struct kdr_connect_client *client, const char *name)
{
	json_t *status = NULL;
	const char *state = NULL;
	int rc = get_connector_json(&status, client, name, "/status");

	*out = KDR_CONNECTOR_UNKNOWN;
	if (rc == 0) {
		state = json_string_value(json_object_get(json_object_get(status, "connector"), "state"));
		if (!state || kdr_connector_state_parse(out, state) != 0)
			*out = KDR_CONNECTOR_UNKNOWN;
	}
	json_decref(status);
	return rc;
}

int kdr_connect_await_state(enum kdr_connector_state *out, struct kdr_connect_client *client, const char *name,
			    enum kdr_connector_state want, int timeout_ms)
{
	int64_t deadline = kdr_clock_mono_ms() + timeout_ms;
	struct timespec round = {0, 250 * 1000000L};

	for (;;) {
		/* A read that fails this round (a rebalance's 409 after the client's retries) is read again. */
		if (kdr_connect_connector_state(out, client, name) == 0 && *out == want)
			return 0;
		if (kdr_clock_mono_ms() >= deadline)
			break;
		nanosleep(&round, NULL);
	}
	return kdr_error_set(KDR_ETIMEOUT,
			     "connector '%s' is %s, not yet %s after %d ms: Connect has not acted on it yet", name,
			     kdr_connector_state_name(*out), kdr_connector_state_name(want), timeout_ms);
}

int kdr_connect_config_matches(bool *out, struct kdr_connect_client *client, const char *name,
			       const struct kdr_strmap *config)
{
	json_t *live = NULL;
	int rc = get_connector_json(&live, client, name, "/config");

	*out = rc == 0 && json_is_object(live);
	for (size_t i = 0; *out && i < config->n; i++) {
		const char *value = json_string_value(json_object_get(live, config->v[i].key));

		*out = value && strcmp(value, config->v[i].value) == 0;
	}
	json_decref(live);
	return rc;
}
