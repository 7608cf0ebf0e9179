/*
 * pkg/controller's loop and HTTP endpoints, with libcurl as the scraper:
 * --once results, an invalid source, an unreachable cluster backing off
 * (and the loop waking when its backoff ends), /healthz, /readyz and
 * /metrics across the loop's life, a source change waking the loop, stop
 * requests that end a long sleep at once, bad listen addresses. Desired
 * states here declare no reachable cluster: the sandbox runs in
 * tests/integration/controller_run.sh.
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
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <dirent.h>

#include "controller/controller.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* Port 1 on loopback: nothing listens there, so connecting fails at once. */
static const char unreachable_doc[] = "apiVersion: kdr.io/v1alpha1\n"
				      "kind: KafkaCluster\n"
				      "metadata: {name: gone}\n"
				      "spec:\n"
				      "  bootstrapServers: 127.0.0.1:1\n";
static const char broken_doc[] = "apiVersion: kdr.io/v1alpha1\n"
				 "kind: KafkaCluster\n"
				 "metadata: {name: x}\n"
				 "spec:\n"
				 "  bootstrapServerz: 127.0.0.1:1\n";

static char *make_dir(void)
{
	char tmpl[] = "/tmp/kdr-ctl-loop-XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return kdr_strdup(dir);
}

static void remove_dir(char *dir)
{
	char command[512];

	snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
	free(dir);
}

static void write_file(const char *dir, const char *name, const char *content)
{
	char *path = kdr_asprintf("%s/%s", dir, name);
	char *tmp = kdr_asprintf("%s/.%s.tmp", dir, name);
	FILE *f = fopen(tmp, "wb");

	/* Renamed into place: the loop never sees half a file. */
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
	free(path);
	free(tmp);
}

static int64_t now_ms(void)
{
	struct timespec ts = { 0, 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Reads the whole log file written so far. */
static char *slurp(FILE *f)
{
	struct kdr_buf out = KDR_BUF_INIT;
	char chunk[4096];
	size_t n = 0;

	fflush(f);
	rewind(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kdr_buf_put(&out, chunk, n);
	fseek(f, 0, SEEK_END);
	return kdr_buf_detach(&out);
}

static struct kdr_controller_options quiet_options(FILE *log)
{
	struct kdr_controller_options options = KDR_CONTROLLER_OPTIONS_INIT;

	options.log = log;
	options.seed = 1;
	options.timeout_ms = 2000;
	return options;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* --- HTTP client --- */

struct response {
	long status;
	char *content_type;
	struct kdr_buf body;
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	kdr_buf_put(ctx, data, size * n);
	return size * n;
}

static void http(struct response *out, const char *address, const char *method, const char *path)
{
	CURL *curl = curl_easy_init();
	char *url = kdr_asprintf("http://%s%s", address, path);
	char *content_type = NULL;

	memset(out, 0, sizeof(*out));
	kdr_buf_init(&out->body);
	assert_non_null(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L); /* else curl waits for the body the headers announce */
	else
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type);
	out->content_type = kdr_strdup(content_type ? content_type : "");
	curl_easy_cleanup(curl);
	free(url);
}

static void response_release(struct response *r)
{
	free(r->content_type);
	kdr_buf_release(&r->body);
}

static long status_of(const char *address, const char *path)
{
	struct response r;
	long status = 0;

	http(&r, address, "GET", path);
	status = r.status;
	response_release(&r);
	return status;
}

/* --- the loop on its own thread --- */

struct runner {
	struct kdr_controller *ctl;
	pthread_t thread;
	int rc;
};

static void *run_thread(void *arg)
{
	struct runner *runner = arg;

	runner->rc = kdr_controller_run(runner->ctl);
	return NULL;
}

static void start(struct runner *runner, struct kdr_controller *ctl)
{
	runner->ctl = ctl;
	runner->rc = 1;
	assert_int_equal(pthread_create(&runner->thread, NULL, run_thread, runner), 0);
}

/* Requests a stop and checks that the loop returns promptly (its sleep is interrupted). */
static void stop(struct runner *runner)
{
	int64_t t0 = now_ms();

	kdr_controller_request_stop(runner->ctl, 15);
	assert_int_equal(pthread_join(runner->thread, NULL), 0);
	assert_true(now_ms() - t0 < 3000);
	assert_int_equal(runner->rc, 0);
}

/* Polls `cond` every 20 ms for up to `ms`. */
#define WAIT_FOR(cond, ms)                                                                                   \
	do {                                                                                                 \
		int64_t deadline_ = now_ms() + (ms);                                                        \
		while (!(cond) && now_ms() < deadline_)                                                     \
			sleep_ms(20);                                                                       \
		if (!(cond))                                                                                \
			fail_msg("timed out after %d ms waiting for: %s", (int)(ms), #cond);                \
	} while (0)

static uint64_t cycles(struct kdr_controller *ctl, bool success)
{
	struct kdr_controller_stats stats;
	uint64_t n = 0;

	kdr_controller_stats_copy(&stats, ctl);
	n = success ? stats.cycles_success : stats.cycles_failure;
	kdr_controller_stats_release(&stats);
	return n;
}

/* --- tests --- */

static void test_once_with_an_empty_source_succeeds(void **state)
{
	struct kdr_controller_options options;
	struct kdr_source source = { NULL, NULL };
	struct kdr_controller_stats stats;
	struct kdr_controller *ctl = NULL;
	FILE *log = tmpfile();
	char *dir = make_dir();
	char *rev = NULL, *text = NULL;

	(void)state;
	options = quiet_options(log);
	options.once = true;
	write_file(dir, "empty.yaml", "# nothing declared yet\n");
	kdr_source_dir(&source, dir, 0);
	assert_int_equal(kdr_controller_new(&ctl, &source, &options), 0);
	assert_null(source.ops); /* taken over */
	assert_null(kdr_controller_listen_address(ctl));
	assert_int_equal(kdr_controller_run(ctl), 0);
	kdr_controller_stats_copy(&stats, ctl);
	assert_int_equal(stats.cycles_success, 1);
	assert_int_equal(stats.cycles_failure, 0);
	assert_true(stats.ready);
	assert_true(stats.last_success_unix_ms > 0);
	assert_int_equal(kdr_source_dir_revision(&rev, dir), 0);
	assert_string_equal(stats.revision, rev);
	kdr_controller_stats_release(&stats);
	text = slurp(log);
	assert_non_null(strstr(text, " info reconcile cycle finished cycle=1 revision="));
	assert_non_null(strstr(text, "result=success source=ok"));
	free(text);
	free(rev);
	kdr_controller_free(ctl);
	fclose(log);
	remove_dir(dir);
}

static void test_once_with_an_invalid_source_fails_and_applies_nothing(void **state)
{
	struct kdr_controller_options options;
	struct kdr_source source = { NULL, NULL };
	struct kdr_controller_stats stats;
	struct kdr_controller *ctl = NULL;
	FILE *log = tmpfile();
	char *dir = make_dir();
	char *text = NULL;

	(void)state;
	options = quiet_options(log);
	options.once = true;
	options.log_format = KDR_CONTROLLER_LOG_JSON;
	write_file(dir, "cluster.yaml", broken_doc);
	kdr_source_dir(&source, dir, 0);
	assert_int_equal(kdr_controller_new(&ctl, &source, &options), 0);
	assert_int_equal(kdr_controller_run(ctl), KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "reconcile cycle 1 failed: source invalid"));
	kdr_controller_stats_copy(&stats, ctl);
	assert_int_equal(stats.cycles_failure, 1);
	assert_int_equal(stats.source_errors_total, 1);
	assert_false(stats.ready);
	assert_null(stats.revision);
	kdr_controller_stats_release(&stats);
	text = slurp(log);
	assert_non_null(
	    strstr(text, "\"level\":\"error\",\"msg\":\"desired state rejected; nothing to reconcile yet\""));
	assert_non_null(strstr(text, "\"msg\":\"document error\""));
	assert_non_null(strstr(text, "cluster.yaml:5:3"));
	assert_non_null(strstr(text, "\"result\":\"failure\",\"source\":\"invalid\""));
	free(text);
	kdr_controller_free(ctl);
	fclose(log);
	remove_dir(dir);
}

static void test_unreachable_cluster_backs_off_and_is_retried(void **state)
{
	struct kdr_controller_options options;
	struct kdr_source source = { NULL, NULL };
	struct kdr_controller_stats stats;
	struct kdr_controller *ctl = NULL;
	struct runner runner;
	FILE *log = tmpfile();
	char *dir = make_dir();
	char *text = NULL;

	(void)state;
	options = quiet_options(log);
	options.once = true;
	write_file(dir, "cluster.yaml", unreachable_doc);
	kdr_source_dir(&source, dir, 0);
	assert_int_equal(kdr_controller_new(&ctl, &source, &options), 0);
	assert_true(kdr_controller_run(ctl) < 0);
	kdr_controller_stats_copy(&stats, ctl);
	assert_int_equal(stats.n_clusters, 1);
	assert_string_equal(stats.clusters[0].name, "gone");
	assert_int_equal(stats.clusters[0].errors_total, 1);
	assert_int_equal(stats.clusters[0].backoff_ms, 5000);
	assert_false(stats.ready);
	kdr_controller_stats_release(&stats);
	text = slurp(log);
	assert_non_null(strstr(text, " error cannot read cluster cycle=1 "));
	assert_non_null(strstr(text, "cluster=gone"));
	assert_non_null(strstr(text, " warn cluster failed; backing off "));
	free(text);
	kdr_controller_free(ctl);
	ctl = NULL;

	/*
	 * A long interval and a short backoff: the loop wakes when the backoff
	 * ends (not at the interval), and the delay doubles up to its cap.
	 */
	options.once = false;
	options.interval_ms = 600000;
	options.backoff.base_ms = 100;
	options.backoff.max_ms = 200;
	kdr_source_dir(&source, dir, 0);
	assert_int_equal(kdr_controller_new(&ctl, &source, &options), 0);
	start(&runner, ctl);
	WAIT_FOR(cycles(ctl, false) >= 4, 5000);
	stop(&runner);
	kdr_controller_stats_copy(&stats, ctl);
	assert_int_equal(stats.cycles_success, 0);
	assert_int_equal(stats.clusters[0].backoff_ms, 200);
	assert_true(stats.clusters[0].errors_total >= 4);
	kdr_controller_stats_release(&stats);
	kdr_controller_free(ctl);
	fclose(log);
	remove_dir(dir);
}

static void test_http_endpoints_follow_the_loop(void **state)
{
	struct kdr_controller_options options;
	struct kdr_source source = { NULL, NULL };
	struct kdr_controller *ctl = NULL;
	struct runner runner;
	struct response r;
	FILE *log = tmpfile();
	char *dir = make_dir();
	char *rev = NULL, *want = NULL;
	const char *address = NULL;

	(void)state;
	options = quiet_options(log);
	options.listen = "127.0.0.1:0";
	options.interval_ms = 600000;
	write_file(dir, "empty.yaml", "# nothing\n");
	kdr_source_dir(&source, dir, 0);
	assert_int_equal(kdr_controller_new(&ctl, &source, &options), 0);
	address = kdr_controller_listen_address(ctl);
	assert_non_null(address);
	assert_int_equal(strncmp(address, "127.0.0.1:", 10), 0);
	assert_string_not_equal(address, "127.0.0.1:0");

	/* Before the loop runs: neither alive nor ready. */
	assert_int_equal(status_of(address, "/healthz"), 503);
	assert_int_equal(status_of(address, "/readyz"), 503);
	http(&r, address, "GET", "/metrics");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
	assert_non_null(strstr(r.body.ptr, "kdr_reconcile_cycles_total{result=\"success\"} 0\n"));
	response_release(&r);

	start(&runner, ctl);
	WAIT_FOR(status_of(address, "/readyz") == 200, 5000);
	assert_int_equal(status_of(address, "/healthz"), 200);
	http(&r, address, "GET", "/metrics");
	assert_int_equal(r.status, 200);
	assert_int_equal(kdr_source_dir_revision(&rev, dir), 0);
	want = kdr_asprintf("\nkdr_info{revision=\"%s\"} 1\n", rev);
	assert_non_null(strstr(r.body.ptr, want));
	assert_non_null(strstr(r.body.ptr, "kdr_reconcile_cycles_total{result=\"success\"} 1\n"));
	assert_non_null(strstr(r.body.ptr, "# TYPE kdr_cluster_backoff_seconds gauge\n"));
	response_release(&r);
	http(&r, address, "HEAD", "/healthz");
	assert_int_equal(r.status, 200);
	response_release(&r);
	http(&r, address, "POST", "/metrics");
	assert_int_equal(r.status, 405);
	response_release(&r);
	assert_int_equal(status_of(address, "/metricz"), 404);

	/* The interval is ten minutes: the stop must cut the sleep short. */
	stop(&runner);
	assert_int_equal(status_of(address, "/healthz"), 503);
	assert_int_equal(status_of(address, "/readyz"), 503);
	assert_true(kdr_controller_stop_requested(ctl));
	free(want);
	free(rev);
	kdr_controller_free(ctl);
	fclose(log);
	remove_dir(dir);
}

static void test_source_change_wakes_the_loop(void **state)
{
	struct kdr_controller_options options;
	struct kdr_source source = { NULL, NULL };
	struct kdr_controller_stats stats;
	struct kdr_controller *ctl = NULL;
	struct runner runner;
	FILE *log = tmpfile();
	char *dir = make_dir();
	char *good = NULL, *fixed = NULL, *text = NULL;

	(void)state;
	options = quiet_options(log);
	options.interval_ms = 600000; /* only changes can cause the cycles below */
	options.poll_ms = 50;
	write_file(dir, "a.yaml", "# first\n");
	assert_int_equal(kdr_source_dir_revision(&good, dir), 0);
	kdr_source_dir(&source, dir, 0);
	assert_int_equal(kdr_controller_new(&ctl, &source, &options), 0);
	start(&runner, ctl);
	WAIT_FOR(cycles(ctl, true) == 1, 5000);

	/* A broken document: a failed cycle at once, the good revision stays in effect. */
	write_file(dir, "b.yaml", broken_doc);
	WAIT_FOR(cycles(ctl, false) == 1, 5000);
	kdr_controller_stats_copy(&stats, ctl);
	assert_string_equal(stats.revision, good);
	assert_int_equal(stats.source_errors_total, 1);
	assert_true(stats.ready); /* readiness does not flap on a bad commit */
	kdr_controller_stats_release(&stats);
	/* The same broken revision is not read again at every poll. */
	sleep_ms(300);
	assert_int_equal(cycles(ctl, false), 1);

	/* Fixed: a successful cycle with the new revision. */
	write_file(dir, "b.yaml", "# second\n");
	assert_int_equal(kdr_source_dir_revision(&fixed, dir), 0);
	WAIT_FOR(cycles(ctl, true) == 2, 5000);
	kdr_controller_stats_copy(&stats, ctl);
	assert_string_equal(stats.revision, fixed);
	kdr_controller_stats_release(&stats);
	stop(&runner);
	text = slurp(log);
	assert_non_null(strstr(text, " info source changed "));
	assert_non_null(strstr(text, "desired state rejected; the last good one stays in effect"));
	assert_non_null(strstr(text, " info source usable again "));
	assert_non_null(strstr(text, " info controller stopped signal=15 cycles=3\n"));
	free(text);
	free(good);
	free(fixed);
	kdr_controller_free(ctl);
	fclose(log);
	remove_dir(dir);
}

static void test_bad_options_and_listen_addresses(void **state)
{
	struct kdr_controller_options options;
	struct kdr_source source = { NULL, NULL };
	struct kdr_controller *ctl = NULL, *other = NULL;
	FILE *log = tmpfile();
	char *dir = make_dir();
	static const char *const malformed[] = { "nonsense", ":9464", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:x",
						 "[::1:9464" };

	int fds = count_fds();

	(void)state;
	options = quiet_options(log);
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		options.listen = malformed[i];
		kdr_source_dir(&source, dir, 0);
		assert_int_equal(kdr_controller_new(&ctl, &source, &options), KDR_EINVALID);
		assert_null(ctl);
		assert_null(source.ops); /* released on failure too */
		assert_non_null(strstr(kdr_error_message(), malformed[i]));
	}
	/* A port in use: the system's reason. */
	options.listen = "127.0.0.1:0";
	kdr_source_dir(&source, dir, 0);
	assert_int_equal(kdr_controller_new(&other, &source, &options), 0);
	options.listen = kdr_controller_listen_address(other);
	kdr_source_dir(&source, dir, 0);
	assert_int_equal(kdr_controller_new(&ctl, &source, &options), KDR_EUNAVAILABLE);
	assert_non_null(strstr(kdr_error_message(), "Address already in use"));
	kdr_controller_free(other);
	/* No interval. */
	options = quiet_options(log);
	options.interval_ms = 0;
	kdr_source_dir(&source, dir, 0);
	assert_int_equal(kdr_controller_new(&ctl, &source, &options), KDR_EINVALID);
	kdr_controller_free(NULL);
	/* Every socket and pipe was closed again (the listener handed to libmicrohttpd included). */
	assert_int_equal(count_fds(), fds);
	fclose(log);
	remove_dir(dir);
}

static int setup(void **state)
{
	(void)state;
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once_with_an_empty_source_succeeds),
		cmocka_unit_test(test_once_with_an_invalid_source_fails_and_applies_nothing),
		cmocka_unit_test(test_unreachable_cluster_backs_off_and_is_retried),
		cmocka_unit_test(test_http_endpoints_follow_the_loop),
		cmocka_unit_test(test_source_change_wakes_the_loop),
		cmocka_unit_test(test_bad_options_and_listen_addresses),
	};

	return cmocka_run_group_tests_name("controller loop", tests, setup, teardown);
}
