/*
 * End to end, in process: MirrorMaker 2 flows like examples/ planned and
 * applied through pkg/executor to two sandbox clusters, each with its Kafka
 * Connect worker (real Kafka protocol through librdkafka, real Connect REST
 * through libcurl). What kdr did is checked through independent paths: the
 * Connect REST API read with libcurl + jansson here, and librdkafka's own
 * Metadata for topics. Every change is followed by a plan that must be
 * empty; faults (409 rebalances, 500s, a FAILED task) are injected through
 * the sandbox, an unreachable Connect is a dead port.
 *
 * The clusters and workers are the test bed's (tests/support/testbed.h):
 * the in-process sandbox, or with KDR_BACKEND=kafka real Kafka brokers and
 * real Kafka Connect workers running MirrorMaker 2. Real workers change a
 * connector's state a moment after the request (a rebalance, the tasks
 * starting), so the state checks wait for it (bounded); the injected faults
 * are sandbox-only and skip elsewhere, saying so; a Connect worker process
 * killed and restarted is kafka-only (the launcher's control channel).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "executor/executor.h"
#include "health/health.h"
#include "mm2/mm2.h"
#include "plan/plan.h"
#include "reader/reader.h"
#include "render/render.h"
#include "sandbox.h"
#include "spec/spec.h"
#include "testbed.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/error.h"
#include "validate/validate.h"

#define EAST	   "dc-east"
#define WEST	   "dc-west"
#define TIMEOUT_MS 5000
/* How long a state check waits for a real worker (rebalance, tasks starting). */
#define SETTLE_MS 60000
/* Kafka's api key of DeleteTopics, for the sandbox's request clock. */
#define API_DELETE_TOPICS 20

static const char *const east_racks[] = {"east-a", "east-b", "east-c"};
static const char *const west_racks[] = {"west-a", "west-b", "west-c"};

struct fixture {
	struct kdr_testbed *bed;
	struct kdr_sandbox *sandbox; /* the in-process sandbox (faults); NULL on other backends */
};

/* What the test's desired state looks like; the YAML is built from it. */
struct scenario {
	const char *east_to_west_topics; /* the flow's topics list (YAML flow sequence body) */
	bool suspended;			 /* east-to-west suspended */
	bool west_to_east;		 /* the reverse flow is declared */
	const char *extra_topic;	 /* one more declared topic on both clusters, or NULL */
	const char *west_connect_url;	 /* overrides the sandbox's (a dead port), or NULL */
	bool retired_policy;		 /* east's prune:true policy `retired` (retired.*, declares retired.keep) */
	const char *retired_topic;	 /* one more topic it declares, or NULL */
	const char *retired_match;	 /* its match (YAML-escaped regex), NULL: retired\..* */
	const char *connector_config;	 /* east-to-west's connectorConfig (YAML flow mapping body), or NULL */
};

static const struct scenario baseline = {"orders, events, users, \"payments\\\\..*\"", false, true, NULL, NULL, false, NULL,
					 NULL, NULL};

static void bed_specs(struct kdr_sandbox_cluster_spec specs[2])
{
	memset(specs, 0, 2 * sizeof(*specs));
	specs[0].name = EAST;
	specs[0].brokers = 3;
	specs[0].racks = east_racks;
	specs[0].n_racks = 3;
	specs[0].connect = true;
	specs[1] = specs[0];
	specs[1].name = WEST;
	specs[1].racks = west_racks;
}

static int setup(void **state)
{
	struct fixture *fx = kdr_calloc(1, sizeof(*fx));
	struct kdr_sandbox_cluster_spec specs[2];

	bed_specs(specs);
	if (kdr_testbed_acquire(&fx->bed, specs, 2) != 0) {
		fprintf(stderr, "%s\n", kdr_error_message());
		free(fx);
		return -1;
	}
	fx->sandbox = kdr_testbed_sandbox(fx->bed);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	if (!fx)
		return 0;
	kdr_testbed_release(fx->bed);
	free(fx);
	*state = NULL;
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts = {0, 0};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- the desired state --- */

static void load(struct kdr_desired *out, struct fixture *fx, const struct scenario *sc)
{
	struct kdr_buf yaml = KDR_BUF_INIT;
	struct kdr_diags diags = KDR_DIAGS_INIT;
	const char *west_connect =
	    sc->west_connect_url ? sc->west_connect_url : kdr_testbed_connect_url(fx->bed, WEST);

	kdr_buf_printf(&yaml,
		       "apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: " EAST "}\nspec:\n"
		       "  bootstrapServers: \"%s\"\n  connect: {url: \"%s\"}\n",
		       kdr_testbed_bootstrap(fx->bed, EAST), kdr_testbed_connect_url(fx->bed, EAST));
	kdr_buf_printf(&yaml,
		       "---\napiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: " WEST "}\nspec:\n"
		       "  bootstrapServers: \"%s\"\n  connect: {url: \"%s\"}\n",
		       kdr_testbed_bootstrap(fx->bed, WEST), west_connect);
	kdr_buf_printf(
	    &yaml,
	    "---\napiVersion: kdr.io/v1alpha1\nkind: ReplicationFlow\nmetadata: {name: east-to-west}\nspec:\n"
	    "  source: " EAST "\n  target: " WEST "\n  topics: [%s]\n  topicsExclude: [\"dc-west\\\\..*\"]\n"
	    "  groups: [\".*\"]\n  replicationFactor: 3\n  tasksMax: 4\n"
	    "  checkpoints: {enabled: true, syncGroupOffsets: true}\n  suspended: %s\n",
	    sc->east_to_west_topics, sc->suspended ? "true" : "false");
	if (sc->connector_config)
		kdr_buf_printf(&yaml, "  connectorConfig: {%s}\n", sc->connector_config);
	if (sc->west_to_east)
		kdr_buf_puts(&yaml, "---\napiVersion: kdr.io/v1alpha1\nkind: ReplicationFlow\n"
				    "metadata: {name: west-to-east}\nspec:\n  source: " WEST "\n  target: " EAST "\n"
				    "  topics: [orders, events, users]\n  topicsExclude: [\"dc-east\\\\..*\"]\n"
				    "  tasksMax: 2\n");
	kdr_buf_puts(&yaml, "---\napiVersion: kdr.io/v1alpha1\nkind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
			    "  clusters: [" EAST ", " WEST "]\n  topics:\n    - {name: orders, partitions: 12}\n"
			    "    - name: events\n    - {name: users, config: {cleanup.policy: compact}}\n");
	if (sc->extra_topic)
		kdr_buf_printf(&yaml, "    - name: %s\n", sc->extra_topic);
	kdr_buf_puts(&yaml, "  partitions: 6\n  replicationFactor: 3\n  config: {min.insync.replicas: \"2\"}\n");
	if (sc->retired_policy) {
		/* Without retired_topic the policy still governs retired.*: an undeclared one is pruned. */
		kdr_buf_puts(&yaml, "---\napiVersion: kdr.io/v1alpha1\nkind: TopicPolicy\nmetadata: {name: retired}\n"
				    "spec:\n  clusters: [" EAST "]\n  topics:\n    - name: retired.keep\n");
		if (sc->retired_topic)
			kdr_buf_printf(&yaml, "    - name: %s\n", sc->retired_topic);
		kdr_buf_printf(&yaml, "  match: \"%s\"\n  prune: true\n  partitions: 1\n  replicationFactor: 3\n",
			       sc->retired_match ? sc->retired_match : "retired\\\\..*");
	}
	assert_int_equal(kdr_spec_parse_yaml(out, "e2e.yaml", yaml.ptr, yaml.len, &diags), 0);
	if (diags.errors == 0)
		kdr_validate(out, &diags);
	if (diags.errors) {
		kdr_diags_print(&diags, stdout);
		fail_msg("desired state invalid");
	}
	kdr_diags_release(&diags);
	kdr_buf_release(&yaml);
}

/* --- plan and apply through pkg/executor --- */

static void executor_options(struct kdr_executor_options *options)
{
	memset(options, 0, sizeof(*options));
	options->timeout_ms = TIMEOUT_MS;
}

static void reader_options(struct kdr_reader_options *options)
{
	memset(options, 0, sizeof(*options));
	options->timeout_ms = TIMEOUT_MS;
}

/*
 * Reads both clusters and plans (deletions as actions when `allow_delete`);
 * read errors (one line each) go to `errors` when given.
 */
static void plan_live_deleting(struct kdr_plan *plan, const struct kdr_desired *desired, struct kdr_strvec *errors,
			       bool allow_delete)
{
	struct kdr_reader_options options;
	struct kdr_reader_report read_errors = {0};
	struct kdr_live live = {0};
	struct kdr_mm2_secrets secrets;
	struct kdr_plan_options plan_options;

	reader_options(&options);
	kdr_reader_read(&live, &read_errors, desired, &options);
	for (size_t i = 0; i < read_errors.messages.n; i++) {
		if (errors)
			kdr_strvec_push(errors, read_errors.messages.v[i]);
		else
			fail_msg("reading the clusters: %s", read_errors.messages.v[i]);
	}
	kdr_mm2_secrets_resolving(&secrets, NULL);
	memset(&plan_options, 0, sizeof(plan_options));
	plan_options.secrets = &secrets;
	plan_options.allow_delete = allow_delete;
	if (kdr_plan_compute(plan, desired, &live, &plan_options) != 0)
		fail_msg("plan: %s", kdr_error_message());
	kdr_reader_report_release(&read_errors);
	kdr_live_release(&live);
}

static void plan_live(struct kdr_plan *plan, const struct kdr_desired *desired, struct kdr_strvec *errors)
{
	plan_live_deleting(plan, desired, errors, false);
}

static void apply(struct kdr_apply_report *report, const struct kdr_plan *plan, const struct kdr_desired *desired)
{
	struct kdr_executor_options options;

	executor_options(&options);
	kdr_executor_apply(report, plan, desired, &options);
}

static void print_plan(const struct kdr_plan *plan)
{
	for (size_t i = 0; i < plan->n_actions; i++)
		printf("  %s %s/%s: %s\n", kdr_action_kind_name(plan->actions[i].kind), plan->actions[i].cluster,
		       plan->actions[i].resource, plan->actions[i].reason ? plan->actions[i].reason : "");
	for (size_t i = 0; i < plan->n_blocked; i++)
		printf("  blocked %s/%s: %s\n", plan->blocked[i].cluster ? plan->blocked[i].cluster : "-",
		       plan->blocked[i].resource ? plan->blocked[i].resource : "-", plan->blocked[i].reason);
}

static void assert_report_ok(const struct kdr_plan *plan, const struct kdr_apply_report *report)
{
	for (size_t i = 0; i < report->n; i++)
		if (report->results[i].attempted && report->results[i].code != 0)
			printf("failed: %s %s/%s: %s\n", kdr_action_kind_name(plan->actions[i].kind),
			       plan->actions[i].cluster, plan->actions[i].resource, report->results[i].message);
	assert_int_equal(report->failed, 0);
	assert_int_equal(report->succeeded, plan->n_actions);
	for (size_t i = 0; i < report->n; i++)
		if (report->results[i].unsettled)
			printf("not reported by Connect: %s\n", report->results[i].message);
	assert_int_equal(report->unsettled, 0);
}

/* Plans and applies `desired`; every action succeeds. */
static void reconcile(const struct kdr_desired *desired)
{
	struct kdr_plan plan;
	struct kdr_apply_report report;

	plan_live(&plan, desired, NULL);
	if (plan.n_blocked)
		print_plan(&plan);
	assert_int_equal(plan.n_blocked, 0);
	apply(&report, &plan, desired);
	assert_report_ok(&plan, &report);
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);
}

static void wait_worker_running(struct fixture *fx, const char *cluster);

/*
 * The plan read right after an apply, with no wait of the test's own: the
 * apply itself waits until Connect reports what it changed (real Connect
 * pauses and resumes after a rebalance, after answering the request).
 */
static void assert_plan_empty_right_after_apply(const struct kdr_desired *desired)
{
	struct kdr_plan plan;

	plan_live(&plan, desired, NULL);
	if (!kdr_plan_is_empty(&plan)) {
		print_plan(&plan);
		fail_msg("the plan right after the apply is not empty");
	}
	kdr_plan_release(&plan);
}

static void assert_second_plan_empty(struct fixture *fx, const struct kdr_desired *desired)
{
	struct kdr_plan plan;

	wait_worker_running(fx, EAST);
	wait_worker_running(fx, WEST);

	plan_live(&plan, desired, NULL);
	if (!kdr_plan_is_empty(&plan)) {
		print_plan(&plan);
		fail_msg("the second plan is not empty");
	}
	kdr_plan_release(&plan);
}

static size_t count_kind(const struct kdr_plan *plan, enum kdr_action_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n_actions; i++)
		n += plan->actions[i].kind == kind;
	return n;
}

static const struct kdr_action *find_action(const struct kdr_plan *plan, enum kdr_action_kind kind, const char *cluster,
					    const char *name)
{
	for (size_t i = 0; i < plan->n_actions; i++)
		if (plan->actions[i].kind == kind && strcmp(plan->actions[i].cluster, cluster) == 0 &&
		    strcmp(plan->actions[i].resource, name) == 0)
			return &plan->actions[i];
	return NULL;
}

/* --- the Connect REST API, read independently (libcurl + jansson) --- */

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	kdr_buf_put(ctx, data, size * n);
	return size * n;
}

static long rest_once(json_t **body, const char *method, const char *base, const char *path, const char *payload);

/*
 * One request; returns the HTTP status and the parsed JSON body (NULL when
 * none). A GET that meets a rebalance is asked again (bounded): real Connect
 * answers 409, or 500 "Request cannot be completed because a rebalance is
 * expected", while its workers rebalance after each connector change.
 */
static long rest(json_t **body, const char *method, const char *base, const char *path, const char *payload)
{
	int64_t deadline = now_ms() + SETTLE_MS;

	for (;;) {
		long status = rest_once(body, method, base, path, payload);
		const char *message = json_string_value(json_object_get(*body, "message"));
		bool rebalance = status == 409 || (status == 500 && message && strstr(message, "rebalance"));

		if (strcmp(method, "GET") != 0 || !rebalance || now_ms() > deadline)
			return status;
		json_decref(*body);
		*body = NULL;
		sleep_ms(250);
	}
}

static long rest_once(json_t **body, const char *method, const char *base, const char *path, const char *payload)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = NULL;
	struct kdr_buf response = KDR_BUF_INIT;
	char *url = kdr_asprintf("%s%s", base, path);
	long status = 0;

	assert_non_null(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
	if (payload) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload);
	}
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 300 && getenv("KDR_TEST_VERBOSE"))
		printf("%s %s: HTTP %ld: %.*s\n", method, url, status, (int)response.len, response.ptr ? response.ptr : "");
	*body = response.len ? json_loads(response.ptr, 0, NULL) : NULL;
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	kdr_buf_release(&response);
	free(url);
	return status;
}

static const char *connect_url(struct fixture *fx, const char *cluster)
{
	return kdr_testbed_connect_url(fx->bed, cluster);
}

/* The connector names the worker runs, sorted, joined with ','. */
static char *worker_connectors(struct fixture *fx, const char *cluster)
{
	json_t *body = NULL;
	struct kdr_strvec names = KDR_STRVEC_INIT;
	size_t i = 0;
	json_t *name = NULL;
	char *joined = NULL;

	assert_int_equal(rest(&body, "GET", connect_url(fx, cluster), "/connectors", NULL), 200);
	json_array_foreach(body, i, name) kdr_strvec_push(&names, json_string_value(name));
	kdr_strvec_sort(&names);
	joined = kdr_strvec_join(&names, ",");
	kdr_strvec_release(&names);
	json_decref(body);
	return joined;
}

static void assert_worker_connectors(struct fixture *fx, const char *cluster, const char *expected)
{
	char *names = worker_connectors(fx, cluster);

	assert_string_equal(names, expected);
	free(names);
}

/* GET /connectors/<name>/config: the value of `key`, copied (NULL when absent). */
static char *worker_config_value(struct fixture *fx, const char *cluster, const char *name, const char *key)
{
	json_t *body = NULL;
	char *path = kdr_asprintf("/connectors/%s/config", name);
	char *value = NULL;

	assert_int_equal(rest(&body, "GET", connect_url(fx, cluster), path, NULL), 200);
	value = kdr_strdup(json_string_value(json_object_get(body, key)));
	json_decref(body);
	free(path);
	return value;
}

/* GET /connectors/<name>/status: the connector's state, and task `task`'s (when task_state). */
static char *worker_state(struct fixture *fx, const char *cluster, const char *name, int task, char **task_state)
{
	json_t *body = NULL, *entry = NULL;
	char *path = kdr_asprintf("/connectors/%s/status", name);
	char *state = NULL;
	size_t i = 0;

	assert_int_equal(rest(&body, "GET", connect_url(fx, cluster), path, NULL), 200);
	state = kdr_strdup(json_string_value(json_object_get(json_object_get(body, "connector"), "state")));
	if (task_state) {
		*task_state = NULL;
		json_array_foreach(json_object_get(body, "tasks"), i,
				   entry) if (json_integer_value(json_object_get(entry, "id")) == task) *task_state =
		    kdr_strdup(json_string_value(json_object_get(entry, "state")));
	}
	json_decref(body);
	free(path);
	return state;
}

/*
 * Waits (bounded) until the connector's state is `want` (and task `task`'s
 * too when task >= 0), then asserts it: a real worker gets there a moment
 * after the request; the sandbox is there at once.
 */
static void assert_worker_state(struct fixture *fx, const char *cluster, const char *name, int task, const char *want)
{
	int64_t deadline = now_ms() + SETTLE_MS;
	char *state = NULL, *task_state = NULL;

	for (;;) {
		state = worker_state(fx, cluster, name, task < 0 ? 0 : task, task >= 0 ? &task_state : NULL);
		if ((state && strcmp(state, want) == 0 && (task < 0 || (task_state && strcmp(task_state, want) == 0))) ||
		    now_ms() > deadline)
			break;
		free(state);
		free(task_state);
		task_state = NULL;
		sleep_ms(200);
	}
	if (!state || strcmp(state, want) != 0)
		fail_msg("%s/%s: connector %s, expected %s", cluster, name, state ? state : "(none)", want);
	if (task >= 0 && (!task_state || strcmp(task_state, want) != 0))
		fail_msg("%s/%s: task %d %s, expected %s", cluster, name, task, task_state ? task_state : "(none)", want);
	free(state);
	free(task_state);
}

/*
 * Waits (bounded) until every connector of the worker is RUNNING with all
 * its tasks (kdr's plan reports starting ones as not yet healthy).
 */
static void wait_worker_running(struct fixture *fx, const char *cluster)
{
	int64_t deadline = now_ms() + SETTLE_MS;

	if (fx->sandbox)
		return;
	for (;;) {
		json_t *body = NULL;
		json_t *status = NULL;
		const char *name = NULL;
		bool all = true;

		assert_int_equal(rest(&body, "GET", connect_url(fx, cluster), "/connectors?expand=status", NULL), 200);
		assert_true(json_is_object(body));
		json_object_foreach(body, name, status)
		{
			json_t *tasks = json_object_get(json_object_get(status, "status"), "tasks");
			json_t *entry = NULL;
			size_t i = 0;
			const char *cs = json_string_value(
			    json_object_get(json_object_get(json_object_get(status, "status"), "connector"), "state"));

			if (strncmp(name, "kdr.", 4) != 0)
				continue;
			all = all && cs && (strcmp(cs, "RUNNING") == 0 || strcmp(cs, "PAUSED") == 0);
			json_array_foreach(tasks, i, entry)
			{
				const char *ts = json_string_value(json_object_get(entry, "state"));

				all = all && ts && (strcmp(ts, "RUNNING") == 0 || strcmp(ts, "PAUSED") == 0);
			}
			/* No task is fine: real MM2's checkpoint connector has none until a group matches. */
		}
		if (!all && now_ms() > deadline) {
			char *text = json_dumps(body, JSON_INDENT(1));

			printf("%s: %s\n", cluster, text);
			free(text);
			json_decref(body);
			fail_msg("%s: kdr's connectors not all RUNNING/PAUSED after %d ms", cluster, SETTLE_MS);
		}
		json_decref(body);
		if (all)
			return;
		sleep_ms(250);
	}
}

/* Every rendered connector is on its worker with exactly the rendered config. */
static void assert_worker_configs(struct fixture *fx, const struct kdr_desired *desired)
{
	struct kdr_mm2_connectors all = {0};

	assert_int_equal(kdr_mm2_render_all(&all, desired, NULL), 0);
	assert_int_equal(all.n, 6);
	for (size_t i = 0; i < all.n; i++) {
		const struct kdr_mm2_connector *connector = &all.v[i];
		char *path = kdr_asprintf("/connectors/%s/config", connector->name);
		json_t *body = NULL;
		const char *key = NULL;
		json_t *value = NULL;

		assert_int_equal(rest(&body, "GET", connect_url(fx, connector->cluster), path, NULL), 200);
		assert_int_equal(json_object_size(body), connector->config.n);
		json_object_foreach(body, key, value)
		{
			const char *want = kdr_strmap_get(&connector->config, key);

			if (!want || strcmp(want, json_string_value(value)) != 0)
				fail_msg("%s/%s: '%s' is '%s' on the worker, rendered '%s'", connector->cluster,
					 connector->name, key, json_string_value(value), want ? want : "(absent)");
		}
		json_decref(body);
		free(path);
	}
	kdr_mm2_connectors_release(&all);
}

/* --- librdkafka, for the topics --- */

static bool topic_exists(struct fixture *fx, const char *cluster, const char *topic)
{
	char errstr[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;
	const struct rd_kafka_metadata *md = NULL;
	bool found = false;

	int64_t deadline = now_ms() + 15000;

	assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", kdr_testbed_bootstrap(fx->bed, cluster),
					   errstr, sizeof(errstr)),
			 RD_KAFKA_CONF_OK);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	assert_non_null(rk);
	/* Asked again while absent: a real broker lists a new topic a moment after the controller took it. */
	while (!found) {
		assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
		for (int i = 0; i < md->topic_cnt; i++)
			found = found || strcmp(md->topics[i].topic, topic) == 0;
		rd_kafka_metadata_destroy(md);
		if (found || now_ms() > deadline)
			break;
		sleep_ms(100);
	}
	rd_kafka_destroy(rk);
	return found;
}

/* ------------------------------------------------------------------ tests */

static void test_apply_flows_then_nothing(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0};
	struct kdr_plan plan;
	struct kdr_apply_report report;

	load(&desired, fx, &baseline);
	plan_live(&plan, &desired, NULL);
	/* Three topics on each side, three connectors per flow. */
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_TOPIC), 6);
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_CONNECTOR), 6);
	assert_int_equal(plan.n_actions, 12);
	apply(&report, &plan, &desired);
	assert_report_ok(&plan, &report);
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);

	assert_worker_connectors(fx, WEST,
				 "kdr.east-to-west.checkpoint,kdr.east-to-west.source,kdr.west-to-east.heartbeat");
	assert_worker_connectors(fx, EAST,
				 "kdr.east-to-west.heartbeat,kdr.west-to-east.checkpoint,kdr.west-to-east.source");
	assert_worker_configs(fx, &desired);
	assert_true(topic_exists(fx, EAST, "orders"));
	assert_true(topic_exists(fx, WEST, "users"));
	assert_second_plan_empty(fx, &desired);
	kdr_desired_release(&desired);
}

static void test_regex_change_is_one_update(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0}, changed = {0};
	struct scenario sc = baseline;
	struct kdr_plan plan;
	struct kdr_apply_report report;
	const struct kdr_action *action = NULL;
	char *topics = NULL;

	load(&desired, fx, &baseline);
	reconcile(&desired);
	sc.east_to_west_topics = "orders, events, users, \"payments\\\\..*\", \"audit\\\\..*\"";
	load(&changed, fx, &sc);
	plan_live(&plan, &changed, NULL);
	/* The source and checkpoint connectors carry the filter: one update each, only `topics`. */
	if (plan.n_actions != 2)
		print_plan(&plan);
	assert_int_equal(plan.n_actions, 2);
	for (int i = 0; i < 2; i++) {
		action = find_action(&plan, KDR_ACTION_UPDATE_CONNECTOR, WEST,
				     i ? "kdr.east-to-west.checkpoint" : "kdr.east-to-west.source");
		assert_non_null(action);
		assert_int_equal(action->n_changes, 1);
		assert_string_equal(action->changes[0].key, "topics");
	}
	apply(&report, &plan, &changed);
	assert_report_ok(&plan, &report);
	topics = worker_config_value(fx, WEST, "kdr.east-to-west.source", "topics");
	assert_string_equal(topics, "orders,events,users,payments\\..*,audit\\..*");
	free(topics);
	assert_worker_configs(fx, &changed);
	assert_second_plan_empty(fx, &changed);
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_desired_release(&changed);
}

/*
 * Suspends the east-to-west flow and resumes it, each apply followed at once
 * by a plan that must be empty: the apply waited for the worker to report
 * the pause and the resume.
 */
static void suspend_then_resume(struct fixture *fx)
{
	struct kdr_desired desired = {0}, suspended = {0};
	struct scenario sc = baseline;
	struct kdr_plan plan;

	load(&desired, fx, &baseline);
	reconcile(&desired);
	wait_worker_running(fx, EAST);
	wait_worker_running(fx, WEST);
	sc.suspended = true;
	load(&suspended, fx, &sc);
	plan_live(&plan, &suspended, NULL);
	if (plan.n_actions != 3)
		print_plan(&plan);
	assert_int_equal(plan.n_actions, 3);
	assert_int_equal(count_kind(&plan, KDR_ACTION_PAUSE_CONNECTOR), 3);
	kdr_plan_release(&plan);
	reconcile(&suspended);
	assert_plan_empty_right_after_apply(&suspended);
	assert_worker_state(fx, WEST, "kdr.east-to-west.source", -1, "PAUSED");
	assert_worker_state(fx, EAST, "kdr.east-to-west.heartbeat", -1, "PAUSED");
	/* The other flow keeps running. */
	assert_worker_state(fx, EAST, "kdr.west-to-east.source", -1, "RUNNING");
	assert_second_plan_empty(fx, &suspended);

	/* Resumed: running again, then nothing to do. */
	reconcile(&desired);
	/* Real Connect answers a resume with 202 and resumes each connector a moment later: the apply waited. */
	assert_plan_empty_right_after_apply(&desired);
	assert_worker_state(fx, WEST, "kdr.east-to-west.checkpoint", -1, "RUNNING");
	assert_worker_state(fx, WEST, "kdr.east-to-west.source", -1, "RUNNING");
	assert_worker_state(fx, EAST, "kdr.east-to-west.heartbeat", -1, "RUNNING");
	assert_second_plan_empty(fx, &desired);
	kdr_desired_release(&desired);
	kdr_desired_release(&suspended);
}

static void test_suspend_pauses_on_the_worker(void **state)
{
	suspend_then_resume(*state);
}

/*
 * The same on workers that apply a pause or resume LAG_MS after answering
 * it, as real Connect does after a rebalance (the sandbox applies them at
 * once unless told): the plan right after each apply is still empty, so the
 * apply waited. Sandbox-only: the lag is the sandbox's; the real-Connect run
 * of test_suspend_pauses_on_the_worker lags on its own.
 */
#define LAG_MS 700
static void test_suspend_waits_for_a_lagging_worker(void **state)
{
	struct fixture *fx = *state;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs the sandbox's Connect state delay");
	assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, EAST, LAG_MS), 0);
	assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, WEST, LAG_MS), 0);
	suspend_then_resume(fx);
}

static void test_removed_flow_deleted_foreign_kept(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0}, fewer = {0};
	struct scenario sc = baseline;
	struct kdr_plan plan;
	json_t *body = NULL;
	char *foreign = NULL;

	load(&desired, fx, &baseline);
	reconcile(&desired);
	/* Someone's own MirrorMaker 2 connector on east's worker, created by hand. */
	foreign = kdr_asprintf(
	    "{\"connector.class\": \"%s\", \"source.cluster.alias\": \"legacy\", "
	    "\"target.cluster.alias\": \"" EAST "\", \"source.cluster.bootstrap.servers\": \"127.0.0.1:1\", "
	    "\"target.cluster.bootstrap.servers\": \"%s\", \"topics\": \"legacy\\\\..*\", \"tasks.max\": \"1\"}",
	    KDR_MM2_SOURCE_CONNECTOR, kdr_testbed_bootstrap(fx->bed, EAST));
	assert_int_equal(rest(&body, "PUT", connect_url(fx, EAST), "/connectors/legacy-mirror/config", foreign), 201);
	json_decref(body);
	free(foreign);

	sc.west_to_east = false;
	load(&fewer, fx, &sc);
	plan_live(&plan, &fewer, NULL);
	if (plan.n_actions != 3)
		print_plan(&plan);
	assert_int_equal(plan.n_actions, 3);
	assert_int_equal(count_kind(&plan, KDR_ACTION_DELETE_CONNECTOR), 3);
	for (size_t i = 0; i < plan.n_actions; i++)
		assert_string_not_equal(plan.actions[i].resource, "legacy-mirror");
	kdr_plan_release(&plan);
	reconcile(&fewer);
	assert_worker_connectors(fx, EAST, "kdr.east-to-west.heartbeat,legacy-mirror");
	assert_worker_connectors(fx, WEST, "kdr.east-to-west.checkpoint,kdr.east-to-west.source");
	assert_second_plan_empty(fx, &fewer);
	kdr_desired_release(&desired);
	kdr_desired_release(&fewer);
}

/*
 * A flow removed together with a pruned topic: the plan lists the connector
 * deletes before the topic delete (stop replication first), and the apply
 * keeps that order across Kafka and Connect, so MM2 is gone before
 * DeleteTopics goes out. Sandbox-only: the order is read from the sandbox's
 * request clock; a real broker and worker keep no request log to compare,
 * and an answer's time says nothing about when a topic's deletion started.
 */
/*
 * Applies both flows and east's retired.gone, then plans (deletions allowed)
 * the state without west-to-east and without retired.gone into `fewer` and
 * `plan`: three connector deletes and one topic delete.
 */
static void plan_flow_and_topic_removed(struct kdr_plan *plan, struct kdr_desired *desired, struct kdr_desired *fewer,
					struct fixture *fx)
{
	struct scenario sc = baseline;

	sc.retired_policy = true;
	sc.retired_topic = "retired.gone";
	load(desired, fx, &sc);
	reconcile(desired);
	assert_true(topic_exists(fx, EAST, "retired.gone"));

	sc.west_to_east = false;
	sc.retired_topic = NULL;
	load(fewer, fx, &sc);
	plan_live_deleting(plan, fewer, NULL, true);
	if (plan->n_actions != 4)
		print_plan(plan);
	assert_int_equal(plan->n_actions, 4);
	assert_int_equal(count_kind(plan, KDR_ACTION_DELETE_CONNECTOR), 3);
	assert_non_null(find_action(plan, KDR_ACTION_DELETE_TOPIC, EAST, "retired.gone"));
}

/* Deletions allowed, the next plan is empty: the connectors and the topic are gone. */
static void assert_nothing_left_to_delete(const struct kdr_desired *desired)
{
	struct kdr_plan plan;

	plan_live_deleting(&plan, desired, NULL, true);
	if (!kdr_plan_is_empty(&plan))
		print_plan(&plan);
	assert_true(kdr_plan_is_empty(&plan));
	kdr_plan_release(&plan);
}

/* Asks `cluster`'s worker until the injected 500s are used up and it answers 200 again. */
static void use_up_connect_faults(struct fixture *fx, const char *cluster)
{
	for (int i = 0; i < 100; i++) {
		json_t *body = NULL;
		long status = rest(&body, "GET", connect_url(fx, cluster), "/connectors", NULL);

		json_decref(body);
		if (status == 200)
			break;
		assert_int_equal(status, 500);
	}
}

static void test_connector_deletes_reach_connect_before_topic_deletes(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0}, fewer = {0};
	struct kdr_plan plan;
	struct kdr_apply_report report;
	uint64_t delete_topics_ns = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_COUNTERS,
			    "needs the sandbox's request clock (kdr_sandbox_request_ns) to order Connect DELETEs "
			    "against DeleteTopics; real brokers and workers keep no comparable request log");
	plan_flow_and_topic_removed(&plan, &desired, &fewer, fx);
	kdr_sandbox_reset_counters(fx->sandbox, EAST);
	kdr_sandbox_reset_counters(fx->sandbox, WEST);
	apply(&report, &plan, &fewer);
	assert_report_ok(&plan, &report);
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);

	delete_topics_ns = kdr_sandbox_request_ns(fx->sandbox, EAST, API_DELETE_TOPICS, false);
	assert_true(delete_topics_ns > 0);
	for (int c = 0; c < 2; c++) {
		const char *cluster = c ? WEST : EAST;
		uint64_t last_delete_ns = kdr_sandbox_connect_request_ns(fx->sandbox, cluster, "DELETE", true);

		assert_true(last_delete_ns > 0);
		if (last_delete_ns >= delete_topics_ns)
			fail_msg("%s: a connector DELETE arrived %.3f ms after DeleteTopics", cluster,
				 (double)(last_delete_ns - delete_topics_ns) / 1e6);
	}
	assert_worker_connectors(fx, EAST, "kdr.east-to-west.heartbeat");
	assert_second_plan_empty(fx, &fewer);
	assert_nothing_left_to_delete(&fewer);
	kdr_desired_release(&desired);
	kdr_desired_release(&fewer);
}

/*
 * What a failed step leaves: east's worker refuses the connector deletes,
 * and the Kafka step after it still runs (a failed action fails alone, as
 * before the steps). The next reconcile plans only the connector deletes
 * left and converges.
 */
static void test_failed_connector_delete_does_not_stop_later_steps(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0}, fewer = {0};
	struct kdr_plan plan;
	struct kdr_apply_report report;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (Connect 500)");
	plan_flow_and_topic_removed(&plan, &desired, &fewer, fx);
	/* east's worker answers 500 to everything, beyond every retry. */
	assert_int_equal(kdr_sandbox_connect_fail(fx->sandbox, EAST, 500, 100), 0);
	apply(&report, &plan, &fewer);
	for (size_t i = 0; i < plan.n_actions; i++) {
		const struct kdr_action *action = &plan.actions[i];
		bool refused = action->kind == KDR_ACTION_DELETE_CONNECTOR && strcmp(action->cluster, EAST) == 0;

		assert_true(report.results[i].attempted);
		if (refused)
			assert_int_not_equal(report.results[i].code, 0);
		else
			assert_int_equal(report.results[i].code, 0);
	}
	assert_int_equal(report.failed, 2);
	assert_int_equal(report.succeeded, 2); /* west's heartbeat delete, east's topic delete */
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);
	use_up_connect_faults(fx, EAST);
	plan_live_deleting(&plan, &fewer, NULL, true);
	if (plan.n_actions != 2)
		print_plan(&plan);
	assert_int_equal(plan.n_actions, 2);
	assert_int_equal(count_kind(&plan, KDR_ACTION_DELETE_CONNECTOR), 2);
	apply(&report, &plan, &fewer);
	assert_report_ok(&plan, &report);
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);
	assert_second_plan_empty(fx, &fewer);
	assert_nothing_left_to_delete(&fewer);
	kdr_desired_release(&desired);
	kdr_desired_release(&fewer);
}

/*
 * A pruned remote topic of a removed flow waits for its source connector:
 * while kdr.west-to-east.source runs, MM2 re-creates dc-west.old on east. When
 * east's worker refuses the connector deletes, the topic delete is held back
 * (reported, not attempted) and the topic stays; once the worker answers, the
 * next reconcile deletes both and converges.
 */
static void test_failed_connector_delete_holds_its_topic_deletes(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0}, fewer = {0};
	struct scenario sc = baseline;
	struct kdr_plan plan;
	struct kdr_apply_report report;
	const struct kdr_action *topic_delete = NULL;
	size_t topic_index = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (Connect 500)");
	sc.retired_policy = true;
	sc.retired_topic = "dc-west.old";
	sc.retired_match = "dc-west\\\\.old";
	load(&desired, fx, &sc);
	reconcile(&desired);
	assert_true(topic_exists(fx, EAST, "dc-west.old"));

	sc.west_to_east = false;
	sc.retired_topic = NULL;
	load(&fewer, fx, &sc);
	plan_live_deleting(&plan, &fewer, NULL, true);
	topic_delete = find_action(&plan, KDR_ACTION_DELETE_TOPIC, EAST, "dc-west.old");
	if (!topic_delete)
		print_plan(&plan);
	assert_non_null(topic_delete);
	topic_index = (size_t)(topic_delete - plan.actions);
	assert_non_null(topic_delete->after);
	assert_string_equal(topic_delete->after, "kdr.west-to-east.source");

	assert_int_equal(kdr_sandbox_connect_fail(fx->sandbox, EAST, 500, 100), 0);
	apply(&report, &plan, &fewer);
	assert_true(report.results[topic_index].held);
	assert_false(report.results[topic_index].attempted);
	assert_non_null(report.results[topic_index].message);
	assert_non_null(strstr(report.results[topic_index].message, "held: connector 'kdr.west-to-east.source'"));
	assert_int_equal(report.held, 1);
	assert_int_equal(report.failed, 2); /* east's two connector deletes */
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);
	assert_true(topic_exists(fx, EAST, "dc-west.old"));

	use_up_connect_faults(fx, EAST);
	plan_live_deleting(&plan, &fewer, NULL, true);
	assert_non_null(find_action(&plan, KDR_ACTION_DELETE_TOPIC, EAST, "dc-west.old"));
	apply(&report, &plan, &fewer);
	assert_report_ok(&plan, &report);
	assert_int_equal(report.held, 0);
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);
	assert_false(topic_exists(fx, EAST, "dc-west.old"));
	assert_second_plan_empty(fx, &fewer);
	assert_nothing_left_to_delete(&fewer);
	kdr_desired_release(&desired);
	kdr_desired_release(&fewer);
}

static void test_rebalance_conflicts_are_retried(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0};
	struct kdr_plan plan;
	struct kdr_apply_report report;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (Connect 409/500, a FAILED task)");
	load(&desired, fx, &baseline);
	plan_live(&plan, &desired, NULL);
	/* The next two requests to west's worker hit a rebalance (409): retried with backoff. */
	assert_int_equal(kdr_sandbox_connect_fail(fx->sandbox, WEST, 409, 2), 0);
	kdr_sandbox_reset_counters(fx->sandbox, WEST);
	apply(&report, &plan, &desired);
	assert_report_ok(&plan, &report);
	/* Three connector PUTs on west, two of them answered only on a retry. */
	assert_true(kdr_sandbox_connect_request_count(fx->sandbox, WEST, "PUT") >= 5);
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);
	assert_worker_configs(fx, &desired);
	assert_second_plan_empty(fx, &desired);
	kdr_desired_release(&desired);
}

static void test_server_errors_fail_the_action(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0};
	struct kdr_plan plan;
	struct kdr_apply_report report;
	size_t failed = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (Connect 409/500, a FAILED task)");
	load(&desired, fx, &baseline);
	plan_live(&plan, &desired, NULL);
	/* west's worker answers 500 to everything, beyond every retry. */
	assert_int_equal(kdr_sandbox_connect_fail(fx->sandbox, WEST, 500, 100), 0);
	apply(&report, &plan, &desired);
	for (size_t i = 0; i < plan.n_actions; i++) {
		const struct kdr_action *action = &plan.actions[i];
		const struct kdr_action_result *result = &report.results[i];

		assert_true(result->attempted);
		if (action->kind == KDR_ACTION_CREATE_CONNECTOR && strcmp(action->cluster, WEST) == 0) {
			assert_int_not_equal(result->code, 0);
			assert_non_null(result->message);
			assert_non_null(strstr(result->message, action->resource));
			failed++;
		} else {
			/* Kafka on both sides and east's Connect are unaffected. */
			assert_int_equal(result->code, 0);
		}
	}
	assert_int_equal(failed, 3);
	assert_int_equal(report.failed, 3);
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);
	/* The worker recovers once the injected answers are used up. */
	use_up_connect_faults(fx, WEST);
	/* Then the next reconcile finishes the job. */
	reconcile(&desired);
	assert_second_plan_empty(fx, &desired);
	kdr_desired_release(&desired);
}

/*
 * A FAILED task is restarted, and the apply waits until Connect reports it
 * restarted: Connect answers a restart before it restarts the task (its new
 * status is read back later), so the plan read right after would restart it
 * again. The worker here restarts LAG_MS after answering, as real Connect
 * does; one that restarts later than --timeout leaves the restart PENDING.
 */
static void test_failed_task_is_restarted(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0};
	struct kdr_plan plan;
	struct kdr_apply_report report;
	struct kdr_executor_options options;
	const struct kdr_action *action = NULL;
	char *connector_state = NULL, *task_state = NULL;
	const char *trace = "org.apache.kafka.connect.errors.ConnectException: boom\n\tat x";

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (Connect 409/500, a FAILED task)");
	load(&desired, fx, &baseline);
	reconcile(&desired);
	assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, WEST, LAG_MS), 0);
	assert_int_equal(kdr_sandbox_connect_fail_task(fx->sandbox, WEST, "kdr.east-to-west.source", 2, trace), 0);
	connector_state = worker_state(fx, WEST, "kdr.east-to-west.source", 2, &task_state);
	assert_string_equal(task_state, "FAILED");
	free(task_state);
	free(connector_state);

	plan_live(&plan, &desired, NULL);
	assert_int_equal(plan.n_actions, 1);
	action = find_action(&plan, KDR_ACTION_RESTART_CONNECTOR, WEST, "kdr.east-to-west.source");
	assert_non_null(action);
	assert_int_equal(action->n_task_ids, 1);
	assert_int_equal(action->task_ids[0], 2);
	kdr_plan_release(&plan);
	reconcile(&desired);
	assert_plan_empty_right_after_apply(&desired);
	connector_state = worker_state(fx, WEST, "kdr.east-to-west.source", 2, &task_state);
	assert_string_equal(connector_state, "RUNNING");
	assert_string_equal(task_state, "RUNNING");
	free(task_state);
	free(connector_state);

	/* A worker slower than the timeout: done, not yet reported, so PENDING; the next plan shows it again. */
	assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, WEST, 3000), 0);
	assert_int_equal(kdr_sandbox_connect_fail_task(fx->sandbox, WEST, "kdr.east-to-west.source", 2, trace), 0);
	plan_live(&plan, &desired, NULL);
	assert_int_equal(plan.n_actions, 1);
	executor_options(&options);
	options.timeout_ms = 500;
	kdr_executor_apply(&report, &plan, &desired, &options);
	assert_int_equal(report.failed, 0);
	assert_int_equal(report.unsettled, 1);
	assert_true(report.results[0].unsettled);
	printf("# pending: %s\n", report.results[0].message);
	assert_non_null(strstr(report.results[0].message, "connector 'kdr.east-to-west.source': an instance it "
							  "restarted is still FAILED after 500 ms"));
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);
	assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, WEST, 0), 0);
	assert_second_plan_empty(fx, &desired);
	kdr_desired_release(&desired);
}

/*
 * A FAILED connector with a FAILED task: one apply restarts both (one
 * restart?includeTasks=true&onlyFailed=true), and the plan right after is
 * empty. Restarting only the task left the connector FAILED, so every plan
 * (and every kdr run cycle) restarted the task again.
 */
static void test_failed_connector_and_task_are_restarted(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0};
	struct kdr_plan plan;
	const struct kdr_action *action = NULL;
	const char *name = "kdr.east-to-west.source";
	uint64_t posts = 0;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (a FAILED connector and task)");
	load(&desired, fx, &baseline);
	reconcile(&desired);
	assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, WEST, LAG_MS), 0);
	assert_int_equal(kdr_sandbox_connect_fail_connector(fx->sandbox, WEST, name,
							    "org.apache.kafka.connect.errors.ConnectException: c"),
			 0);
	assert_int_equal(kdr_sandbox_connect_fail_task(fx->sandbox, WEST, name, 1,
						       "org.apache.kafka.connect.errors.ConnectException: t"),
			 0);
	plan_live(&plan, &desired, NULL);
	assert_int_equal(plan.n_actions, 1);
	action = find_action(&plan, KDR_ACTION_RESTART_CONNECTOR, WEST, name);
	assert_non_null(action);
	assert_int_equal(action->n_task_ids, 0);
	assert_string_equal(action->reason, "connector FAILED, task 1 FAILED");
	kdr_plan_release(&plan);
	posts = kdr_sandbox_connect_request_count(fx->sandbox, WEST, "POST");
	reconcile(&desired);
	/* One request restarts both. */
	assert_int_equal(kdr_sandbox_connect_request_count(fx->sandbox, WEST, "POST") - posts, 1);
	assert_plan_empty_right_after_apply(&desired);
	assert_worker_state(fx, WEST, name, 1, "RUNNING");
	assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, WEST, 0), 0);
	kdr_desired_release(&desired);
}

/* A task that fails while an apply runs: once the apply's restart was answered, and its instances ran a moment. */
struct late_failure {
	struct kdr_sandbox *sandbox;
	const char *cluster;
	const char *name;
	int task;
	uint64_t posts; /* the worker's POSTs before the apply */
	int rc;
};

static void *fail_task_late(void *arg)
{
	struct late_failure *late = arg;
	int64_t deadline = now_ms() + SETTLE_MS;

	while (kdr_sandbox_connect_request_count(late->sandbox, late->cluster, "POST") == late->posts &&
	       now_ms() < deadline)
		sleep_ms(20);
	sleep_ms(LAG_MS + 1000);
	late->rc = kdr_sandbox_connect_fail_task(late->sandbox, late->cluster, late->name, late->task,
						 "org.apache.kafka.connect.errors.ConnectException: unrelated\n\tat x");
	return NULL;
}

/*
 * A FAILED connector's restart (restart?includeTasks=true&onlyFailed=true)
 * restarts it and its FAILED task 1, not tasks 0 and 2, which run. Task 0
 * failing inside the watch window, for a reason of its own, does not fail
 * the restart as "task 0 failed again after restart": the apply judges the
 * instances Connect restarted, and the next plan restarts task 0.
 */
static void test_restart_is_not_failed_by_a_task_it_did_not_restart(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0};
	struct kdr_plan plan;
	struct kdr_apply_report report;
	struct kdr_executor_options options;
	const char *name = "kdr.east-to-west.source";
	struct late_failure late = { fx->sandbox, WEST, name, 0, 0, -1 };
	pthread_t thread;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (a FAILED connector, a task failing later)");
	load(&desired, fx, &baseline);
	reconcile(&desired);
	assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, WEST, LAG_MS), 0);
	assert_int_equal(kdr_sandbox_connect_fail_connector(fx->sandbox, WEST, name,
							    "org.apache.kafka.connect.errors.ConnectException: c"),
			 0);
	assert_int_equal(kdr_sandbox_connect_fail_task(fx->sandbox, WEST, name, 1,
						       "org.apache.kafka.connect.errors.ConnectException: t"),
			 0);
	plan_live(&plan, &desired, NULL);
	assert_int_equal(plan.n_actions, 1);
	assert_int_equal(plan.actions[0].kind, KDR_ACTION_RESTART_CONNECTOR);
	assert_int_equal(plan.actions[0].n_task_ids, 0);
	late.posts = kdr_sandbox_connect_request_count(fx->sandbox, WEST, "POST");
	assert_int_equal(pthread_create(&thread, NULL, fail_task_late, &late), 0);
	executor_options(&options);
	options.timeout_ms = 15000; /* past the watch window: the restart is DONE, not cut short */
	kdr_executor_apply(&report, &plan, &desired, &options);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(late.rc, 0);
	if (report.results[0].message)
		printf("# %s\n", report.results[0].message);
	assert_int_equal(report.failed, 0);
	assert_int_equal(report.results[0].code, 0);
	assert_false(report.results[0].unsettled);
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);

	plan_live(&plan, &desired, NULL);
	assert_int_equal(plan.n_actions, 1);
	assert_int_equal(plan.actions[0].kind, KDR_ACTION_RESTART_CONNECTOR);
	assert_int_equal(plan.actions[0].n_task_ids, 1);
	assert_int_equal(plan.actions[0].task_ids[0], 0);
	assert_string_equal(plan.actions[0].reason, "task 0 FAILED");
	kdr_plan_release(&plan);
	assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, WEST, 0), 0);
	kdr_desired_release(&desired);
}

/* Waits (bounded) until task `task` of connector `name` on `cluster` reads FAILED. */
static void wait_task_failed(struct fixture *fx, const char *cluster, const char *name, int task)
{
	int64_t deadline = now_ms() + SETTLE_MS;
	char *state = NULL, *task_state = NULL;

	for (;;) {
		state = worker_state(fx, cluster, name, task, &task_state);
		free(state);
		if ((task_state && strcmp(task_state, "FAILED") == 0) || now_ms() > deadline)
			break;
		free(task_state);
		task_state = NULL;
		sleep_ms(100);
	}
	if (!task_state || strcmp(task_state, "FAILED") != 0)
		fail_msg("connector '%s': task %d is %s, not FAILED, after %d ms", name, task,
			 task_state ? task_state : "missing", SETTLE_MS);
	free(task_state);
}

/*
 * A task that fails again right after its restart fails the apply with its
 * trace's first line, without waiting out the timeout: real Connect shows it
 * FAILED, RESTARTING, RUNNING, then FAILED again with the same trace. On
 * real Connect the heartbeat task's producer refuses its first record
 * (max.request.size 10; heartbeats every second); on the sandbox the same task is made to fail
 * again a second after each restart, behind the worker's state delay. One
 * that fails before any status read sees it running cannot be told from one
 * not restarted yet: PENDING, with its trace (sandbox only).
 */
static void test_task_failing_again_after_restart_fails_the_apply(void **state)
{
	struct fixture *fx = *state;
	struct scenario sc = baseline;
	struct kdr_desired desired = {0};
	struct kdr_plan plan;
	struct kdr_apply_report report;
	struct kdr_executor_options options;
	const char *name = "kdr.east-to-west.heartbeat";
	const char *trace = "org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception from producer send "
			    "callback\n\tat x";
	/* What real Connect's trace starts with (AbstractWorkerSourceTask), and the sandbox's copy of it. */
	const char *first_line = "org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception from producer "
				 "send callback";
	size_t at = 0;
	int64_t started = 0, took = 0;

	/* A heartbeat (sent every second) is larger than 10 bytes: its send fails, and with it the task. */
	sc.connector_config = "producer.override.max.request.size: \"10\"";
	load(&desired, fx, &sc);
	reconcile(&desired);
	if (fx->sandbox) {
		assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, EAST, LAG_MS), 0);
		assert_int_equal(kdr_sandbox_connect_fail_task_again(fx->sandbox, EAST, name, 0, trace, 1000), 0);
	}
	wait_task_failed(fx, EAST, name, 0);
	plan_live(&plan, &desired, NULL);
	for (at = 0; at < plan.n_actions; at++)
		if (plan.actions[at].kind == KDR_ACTION_RESTART_CONNECTOR && strcmp(plan.actions[at].resource, name) == 0)
			break;
	if (at == plan.n_actions)
		print_plan(&plan);
	assert_true(at < plan.n_actions);
	assert_int_equal(plan.actions[at].n_task_ids, 1);
	assert_int_equal(plan.actions[at].task_ids[0], 0);
	executor_options(&options);
	options.timeout_ms = 20000;
	started = now_ms();
	kdr_executor_apply(&report, &plan, &desired, &options);
	took = now_ms() - started;
	printf("# %s (%lld ms): %s\n", report.results[at].code ? "failed" : "ok", (long long)took,
	       report.results[at].message ? report.results[at].message : "");
	assert_int_equal(report.results[at].code, KDR_EUNAVAILABLE);
	assert_false(report.results[at].unsettled);
	assert_non_null(strstr(report.results[at].message, "cluster 'dc-east': connector 'kdr.east-to-west.heartbeat': "
							   "task 0 failed again after restart: "));
	assert_non_null(strstr(report.results[at].message, first_line));
	assert_null(strchr(report.results[at].message, '\n')); /* the first line of the trace only */
	assert_true(report.failed >= 1);
	assert_true(took < options.timeout_ms);
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);

	if (fx->sandbox) {
		/* Failing again before any read sees it running: not restarted yet, as far as Connect shows. */
		assert_int_equal(kdr_sandbox_connect_fail_task_again(fx->sandbox, EAST, name, 0, trace, 0), 0);
		plan_live(&plan, &desired, NULL);
		assert_int_equal(plan.n_actions, 1);
		executor_options(&options);
		options.timeout_ms = 1500;
		kdr_executor_apply(&report, &plan, &desired, &options);
		printf("# pending: %s\n", report.results[0].message);
		assert_int_equal(report.failed, 0);
		assert_int_equal(report.unsettled, 1);
		assert_non_null(strstr(report.results[0].message,
				       "an instance it restarted is still FAILED after 1500 ms (org.apache.kafka.connect."
				       "errors.ConnectException: Unrecoverable exception from producer send callback): "
				       "Connect has not "
				       "restarted it yet, or it failed again before a status read saw it restarted"));
		kdr_apply_report_release(&report);
		kdr_plan_release(&plan);
		assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, EAST, 0), 0);
	}
	kdr_desired_release(&desired);
}

/*
 * issue 14 item 5: text that came from a remote system (a failed task's
 * trace) never shows a secret kdr resolved, and a URL's userinfo is masked
 * wherever kdr prints it: kdr status (text and JSON) and the plan. West's
 * Connect is given Basic auth by env (the sandbox accepts any) and a URL with
 * userinfo; the failed task's trace quotes both passwords.
 */
static void test_status_scrubs_secrets_from_remote_text(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0};
	struct kdr_reader_options options;
	struct kdr_reader_report read_errors = {0};
	struct kdr_live live = {0};
	struct kdr_health status;
	struct kdr_buf text = KDR_BUF_INIT, json = KDR_BUF_INIT;
	struct kdr_cluster *west = NULL;
	const char *url = NULL;
	char *trace = NULL;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (a FAILED task with a given trace)");
	url = kdr_testbed_connect_url(fx->bed, WEST);
	load(&desired, fx, &baseline);
	reconcile(&desired);
	west = (struct kdr_cluster *)kdr_desired_cluster(&desired, WEST);
	west->connect.auth_kind = KDR_CONNECT_AUTH_BASIC;
	west->connect.username.literal = kdr_strdup("kdr");
	west->connect.password.kind = KDR_VALUE_ENV;
	west->connect.password.ref = kdr_strdup("KDR_TEST_STATUS_PASSWORD");
	setenv("KDR_TEST_STATUS_PASSWORD", "st4tus-s3cret-pw", 1);
	free(west->connect.url);
	/* http://kdr:urlpw-s3cret@127.0.0.1:PORT */
	west->connect.url = kdr_asprintf("http://kdr:urlpw-s3cret@%s", url + strlen("http://"));
	trace = kdr_asprintf("org.apache.kafka.common.errors.SaslAuthenticationException: password st4tus-s3cret-pw "
			     "refused by %s (urlpw-s3cret)\n\tat org.apache.kafka.Foo(Foo.java:1)",
			     west->connect.url);
	assert_int_equal(kdr_sandbox_connect_fail_task(fx->sandbox, WEST, "kdr.east-to-west.source", 2, trace), 0);

	reader_options(&options);
	kdr_reader_read(&live, &read_errors, &desired, &options);
	assert_int_equal(read_errors.messages.n, 0);
	assert_int_equal(kdr_health_compute(&status, &desired, &live, NULL, NULL), 0);
	kdr_render_health_text(&text, &status);
	kdr_render_health_json(&json, &status);
	printf("# backend: kdr-sandbox Connect\n%s", text.ptr);
	assert_non_null(strstr(text.ptr, "SaslAuthenticationException"));
	assert_null(strstr(text.ptr, "st4tus-s3cret-pw"));
	assert_null(strstr(json.ptr, "st4tus-s3cret-pw"));
	assert_null(strstr(text.ptr, "urlpw-s3cret"));
	assert_null(strstr(json.ptr, "urlpw-s3cret"));
	assert_non_null(strstr(text.ptr, "http://kdr:***@"));

	unsetenv("KDR_TEST_STATUS_PASSWORD");
	free(trace);
	kdr_buf_release(&text);
	kdr_buf_release(&json);
	kdr_health_release(&status);
	kdr_live_release(&live);
	kdr_reader_report_release(&read_errors);
	kdr_desired_release(&desired);
}

static void test_connect_unreachable(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0}, dead = {0}, dead_at_apply = {0};
	struct scenario sc = baseline;
	struct kdr_strvec errors = KDR_STRVEC_INIT;
	struct kdr_plan plan;
	struct kdr_apply_report report;
	bool warned = false;

	load(&desired, fx, &baseline);
	reconcile(&desired);

	/* west's Connect cannot be read: a clear error, its connectors are not planned, Kafka is. */
	sc.extra_topic = "invoices";
	sc.west_connect_url = "http://127.0.0.1:1";
	load(&dead, fx, &sc);
	plan_live(&plan, &dead, &errors);
	assert_int_equal(errors.n, 1);
	assert_non_null(strstr(errors.v[0], "http://127.0.0.1:1"));
	/* An error of the plan with the reason (issue 14): never "no changes" for west's connectors. */
	for (size_t i = 0; i < plan.n_blocked; i++)
		warned = warned || (plan.blocked[i].kind == KDR_BLOCKED_ERROR && strcmp(plan.blocked[i].cluster, WEST) == 0 &&
				    strstr(plan.blocked[i].reason, "connect 'http://127.0.0.1:1' could not be read: ") &&
				    strstr(plan.blocked[i].reason, "its connectors are not planned"));
	assert_true(warned);
	assert_int_equal(plan.n_actions, 2);
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_TOPIC), 2);
	apply(&report, &plan, &dead);
	assert_report_ok(&plan, &report);
	assert_true(topic_exists(fx, WEST, "invoices"));
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);

	/* Planned while reachable, unreachable at apply: the connector action fails, the Kafka ones of the same plan
	 * land. */
	sc.extra_topic = "refunds";
	sc.west_connect_url = NULL;
	sc.east_to_west_topics = "orders, events";
	kdr_desired_release(&dead);
	load(&dead, fx, &sc);
	plan_live(&plan, &dead, NULL);
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_TOPIC), 2);
	assert_int_equal(count_kind(&plan, KDR_ACTION_UPDATE_CONNECTOR), 2);
	sc.west_connect_url = "http://127.0.0.1:1";
	load(&dead_at_apply, fx, &sc);
	apply(&report, &plan, &dead_at_apply);
	for (size_t i = 0; i < plan.n_actions; i++) {
		if (plan.actions[i].kind == KDR_ACTION_UPDATE_CONNECTOR) {
			assert_int_equal(report.results[i].code, KDR_EUNAVAILABLE);
			assert_non_null(strstr(report.results[i].message, "http://127.0.0.1:1"));
		} else {
			assert_int_equal(report.results[i].code, 0);
		}
	}
	assert_int_equal(report.failed, 2);
	assert_true(topic_exists(fx, EAST, "refunds"));
	assert_true(topic_exists(fx, WEST, "refunds"));
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);
	/* Reachable again: the connector updates go through, then nothing is left. */
	reconcile(&dead);
	assert_second_plan_empty(fx, &dead);
	kdr_strvec_release(&errors);
	kdr_desired_release(&desired);
	kdr_desired_release(&dead);
	kdr_desired_release(&dead_at_apply);
}

/*
 * A real fault (kafka backend only: the sandbox's worker keeps its state in
 * memory): west's Connect worker process is killed (SIGKILL) after kdr
 * applied the flows. The plan says west's Connect could not be read and
 * plans its Kafka side only; once the worker is started again it finds its
 * connectors in its config topic, runs them, and kdr has nothing to do.
 */
static void test_connect_worker_killed_then_restarted(void **state)
{
	struct fixture *fx = *state;
	struct kdr_desired desired = {0}, more = {0};
	struct scenario sc = baseline;
	struct kdr_strvec errors = KDR_STRVEC_INIT;
	struct kdr_plan plan;
	struct kdr_apply_report report;
	bool warned = false;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_CONNECT_STOP,
			    "needs a Connect worker process killed and restarted (the sandbox's lives in memory)");
	load(&desired, fx, &baseline);
	reconcile(&desired);
	assert_second_plan_empty(fx, &desired);

	assert_int_equal(kdr_testbed_connect_down(fx->bed, WEST), 0);
	sc.extra_topic = "invoices";
	load(&more, fx, &sc);
	plan_live(&plan, &more, &errors);
	for (size_t i = 0; i < errors.n; i++)
		printf("# read error (expected): %s\n", errors.v[i]);
	assert_int_equal(errors.n, 1);
	assert_non_null(strstr(errors.v[0], kdr_testbed_connect_url(fx->bed, WEST)));
	for (size_t i = 0; i < plan.n_blocked; i++)
		warned = warned || (plan.blocked[i].kind == KDR_BLOCKED_ERROR && strcmp(plan.blocked[i].cluster, WEST) == 0 &&
				    strstr(plan.blocked[i].reason, "could not be read: ") &&
				    strstr(plan.blocked[i].reason, "its connectors are not planned"));
	if (!warned)
		print_plan(&plan);
	assert_true(warned);
	/* Kafka is planned as ever: the new topic on both clusters, and no connector action. */
	assert_int_equal(plan.n_actions, 2);
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_TOPIC), 2);
	apply(&report, &plan, &more);
	assert_report_ok(&plan, &report);
	assert_true(topic_exists(fx, WEST, "invoices"));
	kdr_apply_report_release(&report);
	kdr_plan_release(&plan);

	/* Started again: the connectors were in Kafka all along, nothing is left to do. */
	assert_int_equal(kdr_testbed_connect_up(fx->bed, WEST), 0);
	assert_second_plan_empty(fx, &more);
	kdr_strvec_release(&errors);
	kdr_desired_release(&desired);
	kdr_desired_release(&more);
}

/* Both clusters, each with its Connect worker: the shared bed of an external backend. */
static int group_setup(void **state)
{
	struct kdr_sandbox_cluster_spec specs[2];

	(void)state;
	bed_specs(specs);
	return kdr_testbed_share("test_e2e_flows", specs, 2);
}

static int group_teardown(void **state)
{
	(void)state;
	kdr_testbed_unshare();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_apply_flows_then_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_regex_change_is_one_update, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_suspend_pauses_on_the_worker, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_suspend_waits_for_a_lagging_worker, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_removed_flow_deleted_foreign_kept, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connector_deletes_reach_connect_before_topic_deletes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_connector_delete_does_not_stop_later_steps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_connector_delete_holds_its_topic_deletes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rebalance_conflicts_are_retried, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server_errors_fail_the_action, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_task_is_restarted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_connector_and_task_are_restarted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_is_not_failed_by_a_task_it_did_not_restart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_task_failing_again_after_restart_fails_the_apply, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status_scrubs_secrets_from_remote_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_unreachable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_worker_killed_then_restarted, setup, teardown),
	};
	int rc = 0;

	if (getenv("KDR_TEST_FILTER"))
		cmocka_set_test_filter(getenv("KDR_TEST_FILTER"));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	curl_global_cleanup();
	return rc;
}
