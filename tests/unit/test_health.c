/*
 * Unit tests of pkg/health (flow health for `kdr status`): connectors judged
 * against what the flow wants, remote topics, unchecked clusters, and how
 * pkg/render prints the result (text and JSON).
 */
#include "health/health.h"
#include "resolve/resolve.h"
#include "mirror_helpers.h"
#include "render/render.h"
#include "util/alloc.h"

static void status_of(struct kdr_health *status, const struct kdr_desired *desired, const struct kdr_live *live)
{
	struct kdr_plan plan;

	plan_ok(&plan, desired, live, NULL);
	assert_int_equal(kdr_health_compute(status, desired, live, &plan, NULL), 0);
	kdr_plan_release(&plan);
}

static const struct kdr_health_connector *status_connector(const struct kdr_health *status, const char *flow,
							   const char *name)
{
	for (size_t f = 0; f < status->n_flows; f++)
		for (size_t c = 0; strcmp(status->flows[f].name, flow) == 0 && c < status->flows[f].n_connectors; c++)
			if (strcmp(status->flows[f].connectors[c].name, name) == 0)
				return &status->flows[f].connectors[c];
	fail_msg("no connector %s in flow %s", name, flow);
	return NULL;
}

static void test_status_trace_head(void **state)
{
	char *head = NULL;

	(void)state;
	head = kdr_health_trace_head("a\nb\nc\nd\ne", 3);
	assert_string_equal(head, "a\nb\nc");
	free(head);
	head = kdr_health_trace_head("only one line", 3);
	assert_string_equal(head, "only one line");
	free(head);
	head = kdr_health_trace_head("a\nb\n", 3);
	assert_string_equal(head, "a\nb\n");
	free(head);
	assert_null(kdr_health_trace_head("", 3));
	assert_null(kdr_health_trace_head(NULL, 3));
}

static void test_status_healthy_and_failed(void **state)
{
	static const char *const east_names[] = {"orders", "heartbeats", NULL};
	static const char *const west_names[] = {"east.orders", NULL};
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_health status;
	struct kdr_live_connector *conn = NULL;
	struct kdr_buf text = KDR_BUF_INIT;
	const struct kdr_health_connector *sc = NULL;

	(void)state;
	flows_desired(&desired, "orders", "false");
	converged_live(&live, &desired);
	live_topics(live_get(&live, "east"), 2, east_names);
	live_topics(live_get(&live, "west"), 2, west_names);
	status_of(&status, &desired, &live);
	/* east-to-west: connectors running, orders copied, east.heartbeats not there yet (a warning). */
	assert_int_equal(status.n_flows, 2);
	assert_string_equal(status.flows[0].name, "east-to-west");
	assert_int_equal(status.flows[0].n_connectors, 3);
	assert_true(status.flows[0].topics_checked);
	assert_int_equal(status.flows[0].n_mirrored, 2);
	assert_int_equal(status.flows[0].n_missing, 1);
	assert_string_equal(status.flows[0].mirrored[1].remote, "east.orders");
	assert_int_equal(status.flows[0].mirrored[1].remote_partitions, 2);
	assert_int_equal(status.flows[0].level, KDR_HEALTH_WARNING);
	assert_int_equal(status.level, KDR_HEALTH_WARNING);
	sc = status_connector(&status, "east-to-west", "kdr.east-to-west.source");
	assert_int_equal(sc->level, KDR_HEALTH_OK);
	assert_string_equal(sc->state, "RUNNING");
	kdr_health_release(&status);

	/* A failed task: the flow fails, the trace is cut to its first lines. */
	conn = (struct kdr_live_connector *)kdr_live_connector_find(&live_get(&live, "west")->connect,
								    "kdr.east-to-west.checkpoint");
	conn->tasks = kdr_calloc(2, sizeof(*conn->tasks));
	conn->n_tasks = 2;
	conn->tasks[0].state = KDR_CONNECTOR_RUNNING;
	conn->tasks[1].id = 1;
	conn->tasks[1].state = KDR_CONNECTOR_FAILED;
	conn->tasks[1].trace = kdr_strdup("java.lang.RuntimeException: boom\n\tat a\n\tat b\n\tat c\n\tat d");
	/* And west-to-east's source connector is gone from its worker. */
	conn = (struct kdr_live_connector *)kdr_live_connector_find(&live_get(&live, "east")->connect,
								    "kdr.west-to-east.source");
	free(conn->name);
	conn->name = kdr_strdup("zz-renamed-by-hand");
	kdr_live_sort(&live);
	status_of(&status, &desired, &live);
	assert_int_equal(status.level, KDR_HEALTH_FAILED);
	sc = status_connector(&status, "east-to-west", "kdr.east-to-west.checkpoint");
	assert_int_equal(sc->level, KDR_HEALTH_FAILED);
	assert_string_equal(sc->message, "task 1 FAILED (Connect does not restart failed tasks; kdr apply does)");
	assert_string_equal(sc->tasks[1].trace, "java.lang.RuntimeException: boom\n\tat a\n\tat b");
	sc = status_connector(&status, "west-to-east", "kdr.west-to-east.source");
	assert_string_equal(sc->state, "missing");
	assert_int_equal(sc->level, KDR_HEALTH_FAILED);
	assert_true(sc->drift);
	kdr_render_health_text(&text, &status);
	assert_non_null(strstr(text.ptr, "Flow east-to-west (east -> west): FAILED\n"));
	assert_non_null(strstr(text.ptr, "    FAILED  west/kdr.east-to-west.checkpoint: RUNNING, 2 task(s): 1 RUNNING, "
					 "1 FAILED - task 1 FAILED"));
	assert_non_null(strstr(text.ptr, "        task 1 FAILED:\n          java.lang.RuntimeException: boom\n"
					 "          \tat a\n          \tat b\n"));
	assert_non_null(strstr(text.ptr,
			       "  remote topics on west: 1 of 2 mirrored topic(s) present\n"
			       "    present: orders -> east.orders\n    missing: heartbeats -> east.heartbeats\n"));
	assert_non_null(strstr(text.ptr, "Status: FAILED - 2 flow(s): 0 healthy, 0 with warnings, 2 failed\n"));
	kdr_buf_reset(&text);
	kdr_render_health_json(&text, &status);
	assert_non_null(strstr(text.ptr, "\"status\": \"failed\""));
	assert_non_null(strstr(text.ptr, "{\"id\": 1, \"state\": \"FAILED\", \"trace\": \"java.lang.RuntimeException: "
					 "boom\\n\\tat a\\n\\tat b\"}"));
	kdr_buf_release(&text);
	kdr_health_release(&status);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

/* Health judges remote topics by the regexes its owner compiled once (kdr_health_options.filters). */
static void test_status_uses_lent_filters(void **state)
{
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_health status;
	struct kdr_plan plan;
	struct kdr_resolve_filters filters;
	struct kdr_health_options options = {0};
	bool found = false;

	(void)state;
	flows_desired(&desired, "orders", "false");
	converged_live(&live, &desired);
	/* No connector runs on west: what is mirrored is what the flow asks for. */
	live_get(&live, "west")->connect.present = false;
	kdr_resolve_filters_build(&filters, &desired);
	for (size_t i = 0; i < filters.n_flows; i++)
		filters.flows[i].mm2_error = kdr_strdup("recorded at build");
	options.filters = &filters;
	plan_ok(&plan, &desired, &live, NULL);
	assert_int_equal(kdr_health_compute(&status, &desired, &live, &plan, &options), 0);
	assert_true(status.n_flows > 0);
	for (size_t i = 0; i < status.flows[0].problems.n; i++)
		found = found || strcmp(status.flows[0].problems.v[i], "topic filter: recorded at build") == 0;
	assert_true(found);
	assert_false(status.flows[0].topics_checked);
	kdr_health_release(&status);
	kdr_plan_release(&plan);
	kdr_resolve_filters_release(&filters);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

static void test_status_suspended_and_unreachable(void **state)
{
	struct kdr_desired running = {0}, suspended = {0};
	struct kdr_live live = {0};
	struct kdr_health status;
	struct kdr_plan plan;
	struct kdr_live_cluster *west = NULL;
	const char *only_east[] = {"east"};
	struct kdr_health_options options = {.clusters = only_east, .n_clusters = 1};

	(void)state;
	flows_desired(&running, "orders", "false");
	flows_desired(&suspended, "orders", "true");
	converged_live(&live, &running);
	/* Running while the flow is suspended: a warning (apply pauses it), not a failure. */
	status_of(&status, &suspended, &live);
	assert_int_equal(status_connector(&status, "east-to-west", "kdr.east-to-west.source")->level,
			 KDR_HEALTH_WARNING);
	assert_int_equal(status.level, KDR_HEALTH_WARNING);
	kdr_health_release(&status);
	/* Paused while it should run: nothing is replicated, a failure. */
	plan_ok(&plan, &suspended, &live, NULL);
	kdr_plan_simulate(&live, &plan);
	kdr_plan_release(&plan);
	status_of(&status, &running, &live);
	assert_int_equal(status_connector(&status, "east-to-west", "kdr.east-to-west.source")->level,
			 KDR_HEALTH_FAILED);
	kdr_health_release(&status);
	status_of(&status, &suspended, &live);
	assert_int_equal(status.level, KDR_HEALTH_OK);
	assert_string_equal(status_connector(&status, "east-to-west", "kdr.east-to-west.source")->message,
			    "paused: the flow is suspended");
	kdr_health_release(&status);

	/* west's Connect could not be read: its connectors are unreachable. */
	west = live_get(&live, "west");
	west->connect.present = false;
	status_of(&status, &suspended, &live);
	assert_int_equal(status.level, KDR_HEALTH_FAILED);
	assert_string_equal(status_connector(&status, "east-to-west", "kdr.east-to-west.source")->state, "unreachable");
	kdr_health_release(&status);
	/*
	 * Only east selected: west's connectors are not checked, do not fail the status, and are
	 * never counted healthy (issue 14 item 2): unchecked is its own state, in text and JSON.
	 */
	plan_ok(&plan, &suspended, &live, NULL);
	assert_int_equal(kdr_health_compute(&status, &suspended, &live, &plan, &options), 0);
	assert_string_equal(status_connector(&status, "east-to-west", "kdr.east-to-west.source")->state, "not checked");
	assert_int_equal(status_connector(&status, "east-to-west", "kdr.east-to-west.source")->level,
			 KDR_HEALTH_UNCHECKED);
	assert_int_equal(status.flows[0].level, KDR_HEALTH_UNCHECKED);
	assert_false(status.flows[0].topics_checked);
	assert_int_equal(status.level, KDR_HEALTH_UNCHECKED);
	{
		struct kdr_buf text = KDR_BUF_INIT, json = KDR_BUF_INIT;

		kdr_render_health_text(&text, &status);
		kdr_render_health_json(&json, &status);
		printf("%s\n", text.ptr);
		assert_null(strstr(text.ptr, "    ok      west/"));
		assert_non_null(strstr(text.ptr, "    unchecked west/kdr.east-to-west.source: not checked"));
		assert_non_null(strstr(text.ptr, "2 flow(s): 0 healthy, 0 with warnings, 0 failed, 2 not checked"));
		assert_non_null(strstr(json.ptr, "\"status\": \"unchecked\""));
		kdr_buf_release(&text);
		kdr_buf_release(&json);
	}
	kdr_health_release(&status);
	kdr_plan_release(&plan);
	kdr_desired_release(&running);
	kdr_desired_release(&suspended);
	kdr_live_release(&live);
}

/* The lag figures pkg/pipeline/lag.c stores, as text and JSON print them (known, unknown, not measured). */
static void test_status_lag_rendered(void **state)
{
	struct kdr_desired desired = {0};
	struct kdr_live live = {0};
	struct kdr_health status;
	struct kdr_health_lag *lag = NULL;
	struct kdr_buf text = KDR_BUF_INIT, json = KDR_BUF_INIT;

	(void)state;
	flows_desired(&desired, "orders", "false");
	converged_live(&live, &desired);
	status_of(&status, &desired, &live);
	lag = &status.flows[0].lag;
	lag->measured = true;
	lag->records = 30;
	lag->rpo_ms = 1500;
	lag->heartbeat_age_ms = -1;
	lag->measured_at_ms = 1796600000250;
	lag->topics = kdr_calloc(2, sizeof(*lag->topics));
	lag->n_topics = 2;
	lag->topics[0] = (struct kdr_health_topic_lag){kdr_strdup("orders"), 30, 1500};
	lag->topics[1] = (struct kdr_health_topic_lag){kdr_strdup("users"), -1, -1};
	status.flows[1].lag.error = kdr_strdup("cluster 'west' was not read");
	kdr_render_health_text(&text, &status);
	kdr_render_health_json(&json, &status);
	assert_non_null(strstr(text.ptr, "  lag: 30 record(s), RPO 1.5 s, heartbeat none seen (kdr lag --flow for each "
					 "partition)\n    orders: 30 record(s), RPO 1.5 s\n    users: unknown, RPO unknown\n"));
	assert_non_null(strstr(text.ptr, "  lag: not measured: cluster 'west' was not read\n"));
	assert_non_null(strstr(json.ptr, "], \"lag\": {\"records\": 30, \"rpoMs\": 1500, \"heartbeatAgeMs\": null, "
					 "\"measuredAtMs\": 1796600000250, \"topics\": [{\"topic\": \"orders\", \"records\": 30, "
					 "\"rpoMs\": 1500}, {\"topic\": \"users\", \"records\": null, \"rpoMs\": null}]}, "
					 "\"problems\": ["));
	assert_non_null(strstr(json.ptr, "\"lag\": {\"error\": \"cluster 'west' was not read\"}, \"problems\": ["));
	kdr_buf_release(&text);
	kdr_buf_release(&json);
	kdr_health_release(&status);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_trace_head),
	    cmocka_unit_test(test_status_healthy_and_failed),
	    cmocka_unit_test(test_status_suspended_and_unreachable),
	    cmocka_unit_test(test_status_uses_lent_filters),
	    cmocka_unit_test(test_status_lag_rendered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
