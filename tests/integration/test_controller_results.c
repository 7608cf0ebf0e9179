/*
 * What `kdr run --once` reports for actions that neither simply succeeded
 * nor failed, end to end on the test bed: the loop (pkg/controller, the
 * same kdr_controller_run the command calls) reads two clusters with their
 * Connect workers, plans, applies through pkg/executor, and the cycle's
 * summary line, its per-action lines and /metrics (scraped with libcurl
 * from the loop's own listener) are checked.
 *
 *   held     a topic delete that waits for a connector delete Connect
 *            refused (500s injected just before the apply): not attempted,
 *            counted `held`, not `skipped`; the next run deletes it.
 *   pending  a pause Connect accepted but has not acted on within --timeout
 *            (the sandbox's Connect state delay): counted `pending`, not
 *            `succeeded`, and left in kdr_drift_items; Connect, asked
 *            independently, still runs the connector.
 *
 * Both need the sandbox's faults (Connect 500s, the state delay) and skip
 * elsewhere, saying so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "controller/controller.h"
#include "source/source.h"
#include "testbed.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#define EAST "dc-east"
#define WEST "dc-west"

static const char *const east_racks[] = { "east-a", "east-b", "east-c" };
static const char *const west_racks[] = { "west-a", "west-b", "west-c" };

struct fixture {
	struct kdr_testbed *bed;
	struct kdr_sandbox *sandbox;
	char *dir; /* the desired-state directory */
};

/* Two clusters of three brokers over three racks, each with its Connect worker. */
static void bed_specs(struct kdr_sandbox_cluster_spec specs[2])
{
	memset(specs, 0, 2 * sizeof(*specs));
	for (int i = 0; i < 2; i++) {
		specs[i].name = i == 0 ? EAST : WEST;
		specs[i].racks = i == 0 ? east_racks : west_racks;
		specs[i].n_racks = 3;
		specs[i].brokers = 3;
		specs[i].connect = true;
	}
}

/* A bed as a new one, and an empty desired-state directory. */
static int setup(void **state)
{
	struct kdr_sandbox_cluster_spec specs[2];
	char tmpl[] = "/tmp/kdr-ctl-results-XXXXXX";
	struct fixture *fx = kdr_calloc(1, sizeof(*fx));
	int rc = 0;

	assert_non_null(mkdtemp(tmpl));
	fx->dir = kdr_strdup(tmpl);
	bed_specs(specs);
	rc = kdr_testbed_acquire(&fx->bed, specs, 2);
	*state = fx;
	if (rc != 0) {
		printf("the test bed could not be acquired: %s\n", kdr_error_message());
		return -1;
	}
	fx->sandbox = kdr_testbed_sandbox(fx->bed);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char *command = NULL;

	if (!fx)
		return 0;
	command = kdr_asprintf("rm -rf '%s'", fx->dir);
	assert_int_equal(system(command), 0);
	free(command);
	free(fx->dir);
	kdr_testbed_release(fx->bed);
	free(fx);
	*state = NULL;
	return 0;
}

/* --- the desired state, one file rewritten per step --- */

struct scenario {
	bool east_to_west;   /* the flow dc-east -> dc-west */
	bool suspended;      /* ... suspended (its connectors paused) */
	bool west_to_east;   /* the flow dc-west -> dc-east */
	bool declare_old;    /* east's prune:true policy declares dc-west.old (else prunes it) */
};

static void write_desired(struct fixture *fx, const struct scenario *sc)
{
	struct kdr_buf yaml = KDR_BUF_INIT;
	char *path = kdr_asprintf("%s/desired.yaml", fx->dir), *tmp = kdr_asprintf("%s/.desired.yaml.tmp", fx->dir);
	FILE *f = NULL;

	for (int i = 0; i < 2; i++) {
		const char *name = i == 0 ? EAST : WEST;

		kdr_buf_printf(&yaml,
			       "---\napiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: %s}\nspec:\n"
			       "  bootstrapServers: \"%s\"\n  connect: {url: \"%s\"}\n",
			       name, kdr_testbed_bootstrap(fx->bed, name), kdr_testbed_connect_url(fx->bed, name));
	}
	if (sc->east_to_west)
		kdr_buf_printf(&yaml,
			       "---\napiVersion: kdr.io/v1alpha1\nkind: ReplicationFlow\nmetadata: {name: east-to-west}\n"
			       "spec:\n  source: " EAST "\n  target: " WEST "\n  topics: [orders]\n"
			       "  topicsExclude: [\"dc-west\\\\..*\"]\n  suspended: %s\n",
			       sc->suspended ? "true" : "false");
	if (sc->west_to_east)
		kdr_buf_puts(&yaml, "---\napiVersion: kdr.io/v1alpha1\nkind: ReplicationFlow\nmetadata: {name: west-to-east}\n"
				    "spec:\n  source: " WEST "\n  target: " EAST "\n  topics: [orders]\n"
				    "  topicsExclude: [\"dc-east\\\\..*\"]\n");
	kdr_buf_puts(&yaml, "---\napiVersion: kdr.io/v1alpha1\nkind: TopicPolicy\nmetadata: {name: core}\nspec:\n"
			    "  clusters: [" EAST ", " WEST "]\n  topics: [orders]\n  partitions: 3\n"
			    "  replicationFactor: 3\n");
	/* A remote topic of west-to-east on east, pruned once undeclared: its delete waits for the flow's connector. */
	kdr_buf_printf(&yaml,
		       "---\napiVersion: kdr.io/v1alpha1\nkind: TopicPolicy\nmetadata: {name: retired}\nspec:\n"
		       "  clusters: [" EAST "]\n  topics: [retired.keep%s]\n  match: \"dc-west\\\\.old\"\n"
		       "  prune: true\n  partitions: 1\n  replicationFactor: 3\n",
		       sc->declare_old ? ", dc-west.old" : "");
	f = fopen(tmp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(yaml.ptr, 1, yaml.len, f), yaml.len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
	free(path);
	free(tmp);
	kdr_buf_release(&yaml);
}

/*
 * The directory source, and a hook in its `hold` (asked just before the
 * apply, after the read and the plan): when armed, the first call makes
 * east's Connect answer 500 to everything, so the read saw the connectors
 * and the deletes meet the refusal. Holds nothing back itself.
 */
struct hooked_source {
	struct kdr_source dir;
	struct kdr_sandbox *sandbox;
	bool arm_connect_500;
};

static int hooked_revision(char **out, void *ctx)
{
	struct hooked_source *hs = ctx;

	return hs->dir.ops->revision(out, hs->dir.ctx);
}

static int hooked_load(struct kdr_desired *out, struct kdr_diags *diags, const char *revision, void *ctx)
{
	struct hooked_source *hs = ctx;

	return hs->dir.ops->load(out, diags, revision, hs->dir.ctx);
}

static const char *hooked_describe(void *ctx)
{
	struct hooked_source *hs = ctx;

	return hs->dir.ops->describe(hs->dir.ctx);
}

static void hooked_free(void *ctx)
{
	struct hooked_source *hs = ctx;

	hs->dir.ops->free(hs->dir.ctx);
	free(hs);
}

static bool hooked_hold(void *ctx, const struct kdr_action *action)
{
	struct hooked_source *hs = ctx;

	(void)action;
	if (hs->arm_connect_500) {
		assert_int_equal(kdr_sandbox_connect_fail(hs->sandbox, EAST, 500, 100), 0);
		hs->arm_connect_500 = false;
	}
	return false;
}

static const struct kdr_source_ops hooked_ops = {
	.revision = hooked_revision,
	.load = hooked_load,
	.describe = hooked_describe,
	.free = hooked_free,
	.hold = hooked_hold,
};

/* --- one `kdr run --once`, its log and its /metrics --- */

struct run {
	int rc;
	char *log;     /* every line the cycle wrote (text format) */
	char *metrics; /* GET /metrics after the cycle */
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	kdr_buf_put(ctx, data, size * n);
	return size * n;
}

/* GET `url` (libcurl, 10 s at most): the body (free it) and the HTTP status in *status. */
static char *get(long *status, const char *url)
{
	struct kdr_buf body = KDR_BUF_INIT;
	CURL *curl = curl_easy_init();

	assert_non_null(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(curl);
	return kdr_buf_detach(&body);
}

/* The whole log the cycle wrote. */
static char *slurp(FILE *f)
{
	long size = 0;
	char *text = NULL;

	assert_int_equal(fflush(f), 0);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	text = kdr_calloc((size_t)size + 1, 1);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	return text;
}

/* As `kdr run DIR --once --allow-delete --timeout T --listen 127.0.0.1:0 --log-format F` would. */
static void run_once(struct run *out, struct fixture *fx, int timeout_ms, bool arm_connect_500,
		     enum kdr_controller_log_format format)
{
	struct kdr_controller_options options = KDR_CONTROLLER_OPTIONS_INIT;
	struct hooked_source *hs = kdr_calloc(1, sizeof(*hs));
	struct kdr_source source = { &hooked_ops, hs };
	struct kdr_controller *ctl = NULL;
	FILE *log = tmpfile();
	char *url = NULL;
	long status = 0;

	assert_non_null(log);
	kdr_source_dir(&hs->dir, fx->dir, 0);
	hs->sandbox = fx->sandbox;
	hs->arm_connect_500 = arm_connect_500;
	options.once = true;
	options.allow_delete = true;
	options.timeout_ms = timeout_ms;
	options.listen = "127.0.0.1:0";
	options.log = log;
	options.log_format = format;
	options.seed = 1;
	assert_int_equal(kdr_controller_new(&ctl, &source, &options), 0);
	out->rc = kdr_controller_run(ctl);
	/* The listener serves until the controller is freed: the cycle's figures, as a scrape sees them. */
	url = kdr_asprintf("http://%s/metrics", kdr_controller_listen_address(ctl));
	out->metrics = get(&status, url);
	assert_int_equal(status, 200);
	free(url);
	kdr_controller_free(ctl);
	out->log = slurp(log);
	fclose(log);
	if (getenv("KDR_TEST_VERBOSE"))
		printf("--- log\n%s--- metrics\n%s", out->log, out->metrics);
}

static void run_release(struct run *r)
{
	free(r->log);
	free(r->metrics);
	memset(r, 0, sizeof(*r));
}

/* The cycle's summary line, a copy (free it). */
static char *summary_line(const struct run *r)
{
	char *line = NULL, *end = NULL;

	line = strstr(r->log, "reconcile cycle finished");
	assert_non_null(line);
	end = strchr(line, '\n');
	assert_non_null(end);
	return kdr_strndup(line, (size_t)(end - line));
}

/* The first JSON log line with `msg` (and `resource`, unless NULL), parsed (json_decref it). */
static json_t *json_line(const struct run *r, const char *msg, const char *resource)
{
	for (const char *line = r->log; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		json_t *obj = json_loadb(line, len, 0, NULL);

		assert_non_null(obj); /* every line is one JSON object */
		if (strcmp(json_string_value(json_object_get(obj, "msg")), msg) == 0 &&
		    (!resource || (json_string_value(json_object_get(obj, "resource")) &&
				   strcmp(json_string_value(json_object_get(obj, "resource")), resource) == 0)))
			return obj;
		json_decref(obj);
		line += len + (end ? 1 : 0);
	}
	fail_msg("no line '%s' in:\n%s", msg, r->log);
	return NULL;
}

static void assert_field_int(const json_t *obj, const char *key, json_int_t want)
{
	const json_t *value = json_object_get(obj, key);

	if (!json_is_integer(value) || json_integer_value(value) != want)
		fail_msg("field '%s' is not the number %lld", key, (long long)want);
}

static void assert_field_str(const json_t *obj, const char *key, const char *want)
{
	const char *value = json_string_value(json_object_get(obj, key));

	if (!value || strcmp(value, want) != 0)
		fail_msg("field '%s' is '%s', not '%s'", key, value ? value : "(none)", want);
}

static void assert_contains(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("missing '%s' in:\n%s", want, text);
}

/* A connector's state as its worker reports it (GET /connectors/X/status, libcurl + jansson). */
static char *connector_state(struct fixture *fx, const char *cluster, const char *connector)
{
	char *url = kdr_asprintf("%s/connectors/%s/status", kdr_testbed_connect_url(fx->bed, cluster), connector);
	long status = 0;
	char *body = get(&status, url), *state = NULL;
	json_t *doc = json_loads(body, 0, NULL);

	assert_int_equal(status, 200);
	assert_non_null(doc);
	state = kdr_strdup(json_string_value(json_object_get(json_object_get(doc, "connector"), "state")));
	json_decref(doc);
	free(body);
	free(url);
	return state;
}

/* Makes `cluster`'s worker answer again: the injected 500s are used up by GETs. */
static void use_up_connect_faults(struct fixture *fx, const char *cluster)
{
	char *url = kdr_asprintf("%s/connectors", kdr_testbed_connect_url(fx->bed, cluster));
	long status = 500;

	for (int i = 0; i < 200 && status == 500; i++)
		free(get(&status, url));
	free(url);
	assert_int_equal(status, 200);
}

/* --- the tests --- */

static void test_held_topic_delete_is_counted_held(void **state)
{
	struct fixture *fx = *state;
	struct scenario sc = { false, false, true, true };
	struct run r = { 0 };
	char *summary = NULL;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (Connect 500 just before the apply)");
	write_desired(fx, &sc);
	run_once(&r, fx, 5000, false, KDR_CONTROLLER_LOG_TEXT);
	assert_int_equal(r.rc, 0);
	run_release(&r);

	/* The flow removed and its remote topic undeclared; east's worker refuses the connector deletes. */
	sc.west_to_east = false;
	sc.declare_old = false;
	write_desired(fx, &sc);
	run_once(&r, fx, 5000, true, KDR_CONTROLLER_LOG_TEXT);
	assert_int_not_equal(r.rc, 0); /* the connector deletes failed */
	summary = summary_line(&r);
	/* Two connector deletes on east failed, the heartbeat's on west went through, the topic delete waits. */
	assert_contains(summary, " actions=4 succeeded=1 failed=2 skipped=0 dry_run=0 held=1 pending=0 ");
	assert_contains(r.log, "warn action held cycle=1 ");
	assert_contains(r.log, "kind=delete-topic cluster=dc-east resource=dc-west.old detail=\"cluster 'dc-east': "
			       "held: connector 'kdr.west-to-east.source' could not be deleted");
	assert_contains(r.metrics, "kdr_actions_total{kind=\"delete-topic\",result=\"held\"} 1\n");
	assert_null(strstr(r.metrics, "kdr_actions_total{kind=\"delete-topic\",result=\"skipped\"}"));
	assert_contains(r.metrics, "kdr_actions_total{kind=\"delete-connector\",result=\"failed\"} 2\n");
	assert_contains(r.metrics, "kdr_actions_total{kind=\"delete-connector\",result=\"succeeded\"} 1\n");
	assert_contains(r.metrics, "kdr_drift_items 3\n");
	free(summary);
	run_release(&r);

	/* Once the worker answers, the next run deletes the connectors and then the topic: nothing held. */
	use_up_connect_faults(fx, EAST);
	run_once(&r, fx, 5000, false, KDR_CONTROLLER_LOG_TEXT);
	assert_int_equal(r.rc, 0);
	summary = summary_line(&r);
	assert_contains(summary, " actions=3 succeeded=3 failed=0 skipped=0 dry_run=0 held=0 pending=0 ");
	assert_contains(r.log, "info action applied cycle=1 revision=");
	assert_contains(r.metrics, "kdr_actions_total{kind=\"delete-topic\",result=\"succeeded\"} 1\n");
	assert_null(strstr(r.metrics, "result=\"held\""));
	free(summary);
	run_release(&r);
}

static void test_unsettled_pause_is_counted_pending(void **state)
{
	struct fixture *fx = *state;
	struct scenario sc = { true, false, false, true };
	struct run r = { 0 };
	json_t *summary = NULL, *line = NULL;
	char *connector = NULL;
	const char *detail = NULL;

	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs the sandbox's Connect state delay");
	write_desired(fx, &sc);
	run_once(&r, fx, 5000, false, KDR_CONTROLLER_LOG_JSON);
	assert_int_equal(r.rc, 0);
	run_release(&r);

	/* West's worker acts on a pause a minute after accepting it; the run waits 1 s (--timeout). */
	assert_int_equal(kdr_sandbox_connect_set_state_delay(fx->sandbox, WEST, 60000), 0);
	sc.suspended = true;
	write_desired(fx, &sc);
	run_once(&r, fx, 1000, false, KDR_CONTROLLER_LOG_JSON);
	/* Not a failure: Connect took the change; the next cycle sees whether it acted. */
	assert_int_equal(r.rc, 0);
	summary = json_line(&r, "reconcile cycle finished", NULL);
	assert_field_str(summary, "result", "success");
	/* The source and checkpoint connectors on west pending, the heartbeat on east paused. */
	assert_field_int(summary, "actions", 3);
	assert_field_int(summary, "succeeded", 1);
	assert_field_int(summary, "failed", 0);
	assert_field_int(summary, "skipped", 0);
	assert_field_int(summary, "held", 0);
	assert_field_int(summary, "pending", 2);
	line = json_line(&r, "action pending", "kdr.east-to-west.source");
	assert_field_str(line, "level", "warn");
	assert_field_str(line, "kind", "pause-connector");
	assert_field_str(line, "cluster", WEST);
	detail = json_string_value(json_object_get(line, "detail"));
	assert_non_null(detail);
	assert_contains(detail, "connector 'kdr.east-to-west.source' is RUNNING, not yet PAUSED or STOPPED after 1000 ms");
	json_decref(line);
	line = json_line(&r, "action applied", "kdr.east-to-west.heartbeat");
	assert_field_str(line, "cluster", EAST);
	json_decref(line);
	assert_contains(r.metrics, "kdr_actions_total{kind=\"pause-connector\",result=\"pending\"} 2\n");
	assert_contains(r.metrics, "kdr_actions_total{kind=\"pause-connector\",result=\"succeeded\"} 1\n");
	assert_contains(r.metrics, "kdr_drift_items 2\n");
	/* What pending means, asked of the worker itself: the connector still runs. */
	connector = connector_state(fx, WEST, "kdr.east-to-west.source");
	assert_string_equal(connector, "RUNNING");
	free(connector);
	json_decref(summary);
	run_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_held_topic_delete_is_counted_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsettled_pause_is_counted_pending, setup, teardown),
	};
	struct kdr_sandbox_cluster_spec specs[2];
	int failed = 0;

	bed_specs(specs);
	/* Announces the backend; an external one is started by the first test that acquires it. */
	kdr_testbed_share("test_controller_results", specs, 2);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	kdr_testbed_unshare();
	return failed;
}
