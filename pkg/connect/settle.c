/*
 * What one connector reports now, for an apply that waits until Connect has
 * acted on its change: Connect answers a pause, resume, restart or config PUT
 * at once and applies it after a rebalance (a restart on a later tick, its new
 * status read back from the status topic), so a plan read right after would
 * plan the same change again.
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

/* A state a restart has not moved past yet. */
static bool awaits_restart(const char *state)
{
	return !state || strcmp(state, "FAILED") == 0 || strcmp(state, "RESTARTING") == 0;
}

static bool wanted_task(const json_t *task, const int32_t *tasks, size_t n_tasks)
{
	json_int_t id = json_integer_value(json_object_get(task, "id"));

	for (size_t i = 0; i < n_tasks; i++)
		if (tasks[i] == id)
			return true;
	return n_tasks == 0;
}

int kdr_connect_restart_settled(bool *out, enum kdr_connector_state *seen, struct kdr_connect_client *client,
				const char *name, const int32_t *tasks, size_t n_tasks)
{
	json_t *status = NULL;
	const char *state = NULL;
	size_t i = 0;
	json_t *task = NULL;
	int rc = get_connector_json(&status, client, name, "/status");

	*out = false;
	*seen = KDR_CONNECTOR_UNKNOWN;
	if (rc != 0)
		goto cleanup;
	state = json_string_value(json_object_get(json_object_get(status, "connector"), "state"));
	*out = n_tasks > 0 || !awaits_restart(state);
	json_array_foreach(json_object_get(status, "tasks"), i, task) {
		if (!*out || !wanted_task(task, tasks, n_tasks))
			continue;
		state = json_string_value(json_object_get(task, "state"));
		*out = !awaits_restart(state);
	}
	if (!state || kdr_connector_state_parse(seen, state) != 0)
		*seen = KDR_CONNECTOR_UNKNOWN;
cleanup:
	json_decref(status);
	return rc;
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
