/*
 * pkg/k8s against a real kube-apiserver (hack/kube-real: k8s.io/kubernetes
 * built from the Go module proxy, with etcd): requests and their error
 * codes, a service-account token from the TokenRequest API, Secrets, list +
 * watch through an informer (create, patch, delete seen; 410 Gone relisted;
 * an API server restart survived with no change missed), kdr_k8s_load, and
 * DR steps recorded through the source (the ReplicationFlow patched; kdr
 * failback's reverse flow created and deleted as a custom resource, the
 * delete raced by a status write, a spec edit and a replacement).
 * Skipped, saying why, only when the API server binaries cannot be had.
 */
#include <errno.h>
#include <pthread.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "k8s/k8s.h"
#include "k8s/k8s_internal.h"
#include "kafka/kafka.h"
#include "pipeline/dr.h"
#include "plan/plan.h"
#include "source/source.h"
#include "source/record.h"
#include "util/strvec.h"
#include "util/alloc.h"
#include "util/error.h"

struct server {
	pid_t pid;
	char dir[256];
	char ready[300];
	char *kubeconfig;
	struct kdr_k8s_config config;
	struct kdr_k8s_client *client;
	bool skip;
};

static struct server srv;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	char command[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(command, sizeof(command), fmt, ap);
	va_end(ap);
	return system(command);
}

/* The ready file's JSON once it exists with at least `restarts` restarts, or NULL after `ms`. */
static json_t *wait_ready(int restarts, int ms)
{
	int64_t deadline = now_ms() + ms;

	while (now_ms() < deadline) {
		json_t *ready = json_load_file(srv.ready, 0, NULL);

		if (ready && json_integer_value(json_object_get(ready, "restarts")) >= restarts)
			return ready;
		json_decref(ready);
		if (srv.pid > 0 && waitpid(srv.pid, NULL, WNOHANG) == srv.pid) {
			srv.pid = 0;
			return NULL;
		}
		sleep_ms(100);
	}
	return NULL;
}

static int group_setup(void **state)
{
	const char *source = getenv("KDR_SOURCE_DIR") ? getenv("KDR_SOURCE_DIR") : KDR_SOURCE_DIR;
	char *launcher = kdr_asprintf("%s/hack/kube-real", source), *log = NULL;
	json_t *ready = NULL;

	(void)state;
	memset(&srv, 0, sizeof(srv));
	snprintf(srv.dir, sizeof(srv.dir), "/tmp/kdr-test-k8s-real-XXXXXX");
	assert_non_null(mkdtemp(srv.dir));
	snprintf(srv.ready, sizeof(srv.ready), "%s/ready.json", srv.dir);
	log = kdr_asprintf("%s/kube-real.log", srv.dir);
	srv.pid = fork();
	if (srv.pid == 0) {
		FILE *out = freopen(log, "w", stderr);

		(void)out;
		/* A test that aborts (an assertion in a thread, a sanitizer report) never reaches the
		 * group teardown: the launcher then gets SIGTERM from the kernel and stops its servers. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(127);
		execl("/usr/bin/python3", "python3", launcher, "--ready-file", srv.ready, (char *)NULL);
		_exit(127);
	}
	ready = wait_ready(0, 900000);
	if (!ready) {
		char *tail = kdr_asprintf("tail -20 '%s' >&2", log);

		fprintf(stderr, "test_k8s_real: SKIPPED: no kube-apiserver could be started (see below)\n");
		if (system(tail) != 0)
			fprintf(stderr, "(no log)\n");
		free(tail);
		srv.skip = true;
		free(launcher);
		free(log);
		return 0;
	}
	printf("backend: real kube-apiserver %s at %s\n", json_string_value(json_object_get(ready, "version")),
	       json_string_value(json_object_get(ready, "server")));
	srv.kubeconfig = kdr_strdup(json_string_value(json_object_get(ready, "kubeconfig")));
	json_decref(ready);
	assert_int_equal(kdr_k8s_config_kubeconfig(&srv.config, srv.kubeconfig, NULL), 0);
	assert_int_equal(kdr_k8s_client_new(&srv.client, &srv.config, 10000), 0);
	assert_int_equal(sh("kubectl --kubeconfig '%s' apply -f '%s/crds' >/dev/null && "
			    "kubectl --kubeconfig '%s' wait --for condition=established --timeout=60s "
			    "-f '%s/crds' >/dev/null",
			    srv.kubeconfig, source, srv.kubeconfig, source),
			 0);
	free(launcher);
	free(log);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	kdr_k8s_client_free(srv.client);
	kdr_k8s_config_release(&srv.config);
	if (srv.pid > 0) {
		kill(srv.pid, SIGTERM);
		waitpid(srv.pid, NULL, 0);
	}
	/* The launcher removed its own directory (and the ready file); this one held the log. */
	sh("rm -rf '%s'", srv.dir);
	free(srv.kubeconfig);
	return 0;
}

#define SKIP_WITHOUT_SERVER()                                                                                \
	do {                                                                                                 \
		if (srv.skip)                                                                                \
			skip();                                                                              \
	} while (0)

static void kubectl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void kubectl(const char *fmt, ...)
{
	char args[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	assert_int_equal(sh("kubectl --kubeconfig '%s' %s >/dev/null", srv.kubeconfig, args), 0);
}

static void test_requests(void **state)
{
	json_t *body = NULL;
	long status = 0;

	(void)state;
	SKIP_WITHOUT_SERVER();
	assert_int_equal(kdr_k8s_request(srv.client, &body, &status, "GET", "/version", NULL, NULL), 0);
	assert_int_equal(status, 200);
	assert_non_null(strstr(json_string_value(json_object_get(body, "gitVersion")), "v1."));
	json_decref(body);
	assert_int_equal(kdr_k8s_request(srv.client, &body, &status, "GET", "/api/v1/namespaces/nope-nope", NULL, NULL),
			 KDR_ENOTFOUND);
	assert_int_equal(status, 404);
	assert_null(body);
	assert_non_null(strstr(kdr_error_message(), "404 NotFound"));
	assert_non_null(strstr(kdr_error_message(), "\"nope-nope\" not found"));
	/* A body the schema refuses: 422, the API server's own message. */
	assert_int_equal(kdr_k8s_request(srv.client, NULL, &status, "POST",
					 "/apis/kdr.io/v1alpha1/namespaces/default/topicpolicies", NULL,
					 "{\"apiVersion\":\"kdr.io/v1alpha1\",\"kind\":\"TopicPolicy\","
					 "\"metadata\":{\"name\":\"bad\"},\"spec\":{\"clusters\":[\"a\"],\"partitions\":0}}"),
			 KDR_EINVALID);
	assert_int_equal(status, 422);
	assert_non_null(strstr(kdr_error_message(), "spec.partitions"));
	/* Created twice: AlreadyExists. */
	kubectl("create namespace kdr-req");
	assert_int_equal(kdr_k8s_request(srv.client, NULL, &status, "POST", "/api/v1/namespaces", NULL,
					 "{\"metadata\":{\"name\":\"kdr-req\"}}"),
			 KDR_EEXISTS);
	assert_int_equal(status, 409);
}

static void test_service_account_token(void **state)
{
	char *path = kdr_asprintf("%s/sa.kubeconfig", srv.dir);
	char *token_path = kdr_asprintf("%s/token", srv.dir);
	struct kdr_k8s_config config = { 0 };
	struct kdr_k8s_client *client = NULL;
	FILE *f = NULL;
	char *ca = NULL;
	json_t *ready = NULL, *body = NULL;

	(void)state;
	SKIP_WITHOUT_SERVER();
	kubectl("create namespace kdr-sa");
	kubectl("-n kdr-sa create serviceaccount reader");
	kubectl("-n kdr-sa create role secrets --verb=get --resource=secrets");
	kubectl("-n kdr-sa create rolebinding reader --role=secrets --serviceaccount=kdr-sa:reader");
	kubectl("-n kdr-sa create secret generic creds --from-literal=password=hunter2");
	assert_int_equal(sh("kubectl --kubeconfig '%s' -n kdr-sa create token reader > '%s'", srv.kubeconfig,
			    token_path),
			 0);
	ready = json_load_file(srv.ready, 0, NULL);
	ca = kdr_strdup(json_string_value(json_object_get(ready, "caFile")));
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"apiVersion: v1\nkind: Config\ncurrent-context: sa\n"
		"clusters: [{name: test, cluster: {server: '%s', certificate-authority: '%s'}}]\n"
		"users: [{name: reader, user: {tokenFile: token}}]\n"
		"contexts: [{name: sa, context: {cluster: test, user: reader, namespace: kdr-sa}}]\n",
		json_string_value(json_object_get(ready, "server")), ca);
	fclose(f);
	assert_int_equal(kdr_k8s_config_kubeconfig(&config, path, NULL), 0);
	assert_int_equal(kdr_k8s_client_new(&client, &config, 10000), 0);
	/* The token may read the Secret, nothing else. */
	{
		char *secret = NULL;

		assert_int_equal(kdr_k8s_secret_lookup(&secret, "kdr-sa/creds", "password", client), 0);
		assert_string_equal(secret, "hunter2");
		free(secret);
		assert_int_equal(kdr_k8s_secret_lookup(&secret, "kdr-sa/creds", "user", client), KDR_ENOTFOUND);
		assert_string_equal(kdr_error_message(), "secret 'kdr-sa/creds' has no key 'user'");
		assert_int_equal(kdr_k8s_secret_lookup(&secret, "kdr-sa/absent", "password", client), KDR_ENOTFOUND);
		assert_string_equal(kdr_error_message(), "secret 'kdr-sa/absent' not found");
		/* Another namespace's Secret: forbidden to this account. */
		assert_int_equal(kdr_k8s_secret_lookup(&secret, "default/creds", "password", client), KDR_EINVALID);
		assert_non_null(strstr(kdr_error_message(), "403 Forbidden"));
	}
	assert_int_equal(kdr_k8s_request(client, &body, NULL, "GET", "/api/v1/namespaces/kdr-sa/pods", NULL, NULL),
			 KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "403 Forbidden"));
	assert_non_null(strstr(kdr_error_message(), "system:serviceaccount:kdr-sa:reader"));
	kdr_k8s_client_free(client);
	kdr_k8s_config_release(&config);
	json_decref(ready);
	free(ca);
	free(path);
	free(token_path);
}

/* In a pod: KUBERNETES_SERVICE_HOST/PORT and the service-account files; the certificate names kubernetes.default.svc. */
static void test_in_cluster(void **state)
{
	char *sa = kdr_asprintf("%s/serviceaccount", srv.dir);
	char *port = NULL;
	json_t *ready = NULL, *body = NULL;
	struct kdr_k8s_config config = { 0 };
	struct kdr_k8s_client *client = NULL;

	(void)state;
	SKIP_WITHOUT_SERVER();
	ready = json_load_file(srv.ready, 0, NULL);
	assert_int_equal(mkdir(sa, 0700), 0);
	kubectl("create namespace kdr-pod");
	kubectl("-n kdr-pod create serviceaccount op");
	/* No kube-controller-manager here: aggregated roles (view) stay empty, so a Role of our own. */
	kubectl("-n kdr-pod create role pods --verb=list --resource=pods");
	kubectl("-n kdr-pod create rolebinding op --role=pods --serviceaccount=kdr-pod:op");
	assert_int_equal(sh("kubectl --kubeconfig '%s' -n kdr-pod create token op > '%s/token' && cp '%s' '%s/ca.crt' && "
			    "printf kdr-pod > '%s/namespace'",
			    srv.kubeconfig, sa, json_string_value(json_object_get(ready, "caFile")), sa, sa),
			 0);
	port = kdr_strdup(strrchr(json_string_value(json_object_get(ready, "server")), ':') + 1);
	setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", port, 1);
	assert_int_equal(kdr_k8s_config_in_cluster(&config, sa), 0);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	assert_string_equal(config.namespace, "kdr-pod");
	assert_int_equal(kdr_k8s_client_new(&client, &config, 10000), 0);
	/* The service's address is an IP; TLS is verified against kubernetes.default.svc. */
	if (kdr_k8s_request(client, &body, NULL, "GET", "/api/v1/namespaces/kdr-pod/pods", NULL, NULL) != 0)
		fail_msg("in-cluster request: %s", kdr_error_message());
	assert_true(json_is_array(json_object_get(body, "items")));
	json_decref(body);
	body = NULL;
	/* A rotated token is read at the next request: a garbage one is refused at once. */
	assert_int_equal(sh("printf not-a-token > '%s/token'", sa), 0);
	assert_int_equal(kdr_k8s_request(client, &body, NULL, "GET", "/api/v1/namespaces/kdr-pod/pods", NULL, NULL),
			 KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "401"));
	kdr_k8s_client_free(client);
	kdr_k8s_config_release(&config);
	json_decref(ready);
	free(port);
	free(sa);
}

/* Waits until the informer's cache has `n` objects and, if given, one whose key and field match. */
static json_t *wait_cache(struct kdr_k8s_informer *inf, size_t n, const char *name, const char *partitions, int ms)
{
	int64_t deadline = now_ms() + ms;

	while (now_ms() < deadline) {
		json_t *snap = kdr_k8s_informer_snapshot(inf);
		size_t i = 0;
		json_t *object = NULL;
		bool found = !name;

		json_array_foreach(snap, i, object) {
			const char *got = json_string_value(json_object_get(json_object_get(object, "metadata"), "name"));
			json_int_t p = json_integer_value(json_object_get(json_object_get(object, "spec"), "partitions"));

			if (name && got && strcmp(got, name) == 0 && (!partitions || p == atoll(partitions)))
				found = true;
		}
		if (snap && json_array_size(snap) == n && found)
			return snap;
		json_decref(snap);
		sleep_ms(50);
	}
	return NULL;
}

static void notified(void *ctx)
{
	(*(int *)ctx)++;
}

static void test_informer_watch_restart(void **state)
{
	struct kdr_k8s_informer_options options = { 0 };
	struct kdr_k8s_informer *inf = NULL;
	struct kdr_k8s_informer_stats stats = { 0 };
	json_t *snap = NULL, *ready = NULL;
	int notifications = 0;
	int64_t t0 = 0;
	size_t n0 = 0;

	(void)state;
	SKIP_WITHOUT_SERVER();
	kubectl("create namespace kdr-inf");
	kubectl("create namespace kdr-inf2");
	options.api_path = KDR_K8S_API_PATH;
	options.resource = "topicpolicies";
	options.namespace = NULL;
	options.notify = notified;
	options.ctx = &notifications;
	options.watch_timeout_s = 30;
	options.backoff_max_ms = 1000;
	assert_int_equal(kdr_k8s_informer_start(&inf, srv.client, &options), 0);
	{
		int64_t deadline = now_ms() + 10000;

		while (!kdr_k8s_informer_synced(inf) && now_ms() < deadline)
			sleep_ms(50);
	}
	snap = kdr_k8s_informer_snapshot(inf);
	assert_non_null(snap);
	n0 = json_array_size(snap);
	json_decref(snap);
	t0 = now_ms();
	assert_int_equal(sh("printf 'apiVersion: kdr.io/v1alpha1\\nkind: TopicPolicy\\nmetadata: {name: a, namespace: "
			    "kdr-inf}\\nspec: {clusters: [x], partitions: 3}\\n---\\napiVersion: kdr.io/v1alpha1\\n"
			    "kind: TopicPolicy\\nmetadata: {name: b, namespace: kdr-inf2}\\nspec: {clusters: [x]}\\n' | "
			    "kubectl --kubeconfig '%s' apply -f - >/dev/null",
			    srv.kubeconfig),
			 0);
	snap = wait_cache(inf, n0 + 2, "a", "3", 5000);
	assert_non_null(snap);
	printf("informer: two creations seen after %lld ms\n", (long long)(now_ms() - t0));
	json_decref(snap);
	kubectl("-n kdr-inf patch topicpolicy a --type merge -p '{\"spec\":{\"partitions\":7}}'");
	snap = wait_cache(inf, n0 + 2, "a", "7", 5000);
	assert_non_null(snap);
	json_decref(snap);
	kubectl("-n kdr-inf2 delete topicpolicy b");
	snap = wait_cache(inf, n0 + 1, "a", "7", 5000);
	assert_non_null(snap);
	json_decref(snap);

	/* The API server restarts (same etcd): the watch breaks, the informer resumes, nothing is missed. */
	assert_int_equal(kill(srv.pid, SIGHUP), 0);
	sleep_ms(300);
	ready = wait_ready(1, 120000);
	assert_non_null(ready);
	json_decref(ready);
	kubectl("-n kdr-inf patch topicpolicy a --type merge -p '{\"spec\":{\"partitions\":9}}'");
	snap = wait_cache(inf, n0 + 1, "a", "9", 30000);
	kdr_k8s_informer_stats(&stats, inf);
	if (!snap) {
		char *error = kdr_k8s_informer_last_error(inf);

		printf("informer after the restart: watches=%llu failures=%llu gone=%llu rv=%s error=%s\n",
		       (unsigned long long)stats.watches, (unsigned long long)stats.failures,
		       (unsigned long long)stats.gone, stats.resource_version, error ? error : "(none)");
		free(error);
	}
	assert_non_null(snap);
	json_decref(snap);
	printf("informer: lists=%llu watches=%llu gone=%llu failures=%llu bookmarks=%llu events=%llu rv=%s\n",
	       (unsigned long long)stats.lists, (unsigned long long)stats.watches, (unsigned long long)stats.gone,
	       (unsigned long long)stats.failures, (unsigned long long)stats.bookmarks,
	       (unsigned long long)stats.events, stats.resource_version);
	assert_true(stats.watches >= 2);
	assert_true(stats.events >= 4);
	assert_true(notifications >= 5);
	free(stats.resource_version);
	kdr_k8s_informer_free(inf);
}

static int count_event(const char *type, json_t *object, void *ctx)
{
	(void)object;
	if (strcmp(type, "ERROR") == 0)
		(*(int *)ctx)++;
	return 0;
}

static void test_watch_gone(void **state)
{
	atomic_int stop;
	int errors = 0;
	int rc = 0;

	(void)state;
	SKIP_WITHOUT_SERVER();
	atomic_init(&stop, 0);
	/* resourceVersion 1 is long compacted out of the watch cache: 410, as a status or as an ERROR event. */
	rc = kdr_k8s_watch(srv.client, "/apis/kdr.io/v1alpha1/topicpolicies", "1", 5, count_event, &errors, &stop);
	printf("watch from resourceVersion 1: %s (ERROR events: %d)\n", kdr_error_message(), errors);
	assert_int_equal(rc, KDR_ECONFLICT);
	assert_non_null(strstr(kdr_error_message(), "410"));
}

static void test_load(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char *text = NULL;

	(void)state;
	SKIP_WITHOUT_SERVER();
	kubectl("create namespace kdr-load");
	assert_int_equal(sh("printf 'apiVersion: kdr.io/v1alpha1\\nkind: KafkaCluster\\nmetadata: {name: east, namespace: "
			    "kdr-load}\\nspec: {bootstrapServers: \"127.0.0.1:1\"}\\n---\\napiVersion: kdr.io/v1alpha1\\n"
			    "kind: TopicPolicy\\nmetadata: {name: core, namespace: kdr-load}\\nspec: {clusters: [east], "
			    "topics: [{name: orders}]}\\n' | kubectl --kubeconfig '%s' apply -f - >/dev/null",
			    srv.kubeconfig),
			 0);
	assert_int_equal(kdr_k8s_load(&desired, &diags, srv.client, "kdr-load"), 0);
	assert_int_equal(desired.n_clusters, 1);
	assert_int_equal(desired.n_policies, 1);
	assert_string_equal(desired.policies[0].meta.object_ref, "TopicPolicy kdr-load/core");
	assert_true(desired.policies[0].meta.generation >= 1);
	assert_non_null(desired.revision);
	kdr_desired_release(&desired);
	/* Valid by the schema, not by kdr: a policy naming an undeclared cluster. */
	kubectl("-n kdr-load patch topicpolicy core --type merge -p '{\"spec\":{\"clusters\":[\"west\"]}}'");
	memset(&desired, 0, sizeof(desired));
	assert_int_equal(kdr_k8s_load(&desired, &diags, srv.client, "kdr-load"), KDR_EINVALID);
	assert_int_equal(desired.n_policies, 0);
	assert_true(diags.errors >= 1);
	text = kdr_diag_format(&diags.v[0]);
	printf("diagnostic: %s\n", text);
	assert_non_null(strstr(text, "TopicPolicy kdr-load/core"));
	assert_non_null(strstr(text, "west"));
	free(text);
	kdr_diags_release(&diags);
}

/* `kubectl get` of one field of the flow (jsonpath), heap; "" when absent. */
static char *flow_field(const char *ns, const char *name, const char *jsonpath)
{
	char *command = kdr_asprintf("kubectl --kubeconfig '%s' -n %s get replicationflow %s -o jsonpath='%s'",
				     srv.kubeconfig, ns, name, jsonpath);
	FILE *pipe = popen(command, "r");
	char text[4096] = "";
	size_t n = 0;

	assert_non_null(pipe);
	n = fread(text, 1, sizeof(text) - 1, pipe);
	text[n] = '\0';
	assert_int_equal(pclose(pipe), 0);
	free(command);
	return kdr_strdup(text);
}

static void assert_flow_field(const char *ns, const char *name, const char *jsonpath, const char *want)
{
	char *got = flow_field(ns, name, jsonpath);

	assert_string_equal(got, want);
	free(got);
}

static void load_list(struct kdr_desired *out, struct kdr_source *source)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = kdr_source_load_now(out, &diags, source);

	if (rc != 0) {
		kdr_diags_print(&diags, stderr);
		fail_msg("load: %d %s", rc, kdr_error_message());
	}
	kdr_diags_release(&diags);
}

static const struct kdr_flow *find_flow(const struct kdr_desired *desired, const char *name)
{
	for (size_t i = 0; i < desired->n_flows; i++)
		if (strcmp(desired->flows[i].meta.name, name) == 0)
			return &desired->flows[i];
	fail_msg("no flow '%s'", name);
	return NULL;
}

/*
 * Namespace `ns` with KafkaClusters east and west (unreachable addresses: no
 * test here connects) and ReplicationFlow east-to-west between them, its
 * spec ending with `spec_extra`.
 */
static void apply_flow_objects(const char *ns, const char *spec_extra)
{
	kubectl("create namespace %s", ns);
	assert_int_equal(
		sh("printf 'apiVersion: kdr.io/v1alpha1\\nkind: KafkaCluster\\nmetadata: {name: east, namespace: %s}\\n"
		   "spec: {bootstrapServers: \"127.0.0.1:1\", connect: {url: \"http://127.0.0.1:1\"}}\\n---\\n"
		   "apiVersion: kdr.io/v1alpha1\\nkind: KafkaCluster\\nmetadata: {name: west, namespace: %s}\\n"
		   "spec: {bootstrapServers: \"127.0.0.1:1\", connect: {url: \"http://127.0.0.1:1\"}}\\n---\\n"
		   "apiVersion: kdr.io/v1alpha1\\nkind: ReplicationFlow\\nmetadata: {name: east-to-west, namespace: "
		   "%s}\\nspec: {source: east, target: west, topics: [orders], %s}\\n' | "
		   "kubectl --kubeconfig '%s' apply -f - >/dev/null",
		   ns, ns, ns, spec_extra, srv.kubeconfig),
		0);
}

static void test_record_patches_the_flow(void **state)
{
	static const struct kdr_spec_edit failover[] = {
		{ "suspended", "true" },
		{ "failedOver", "\"2026-12-07T01:00:00Z\"" },
	};
	static const struct kdr_spec_edit failback[] = {
		{ "suspended", "false" },
		{ "failedOver", NULL },
	};
	struct kdr_source source = { NULL, NULL };
	struct kdr_desired desired = { 0 };
	struct kdr_source_change change;
	struct kdr_strvec done = KDR_STRVEC_INIT;
	char *rv = NULL, *want = NULL;
	uint64_t sent = 0;

	(void)state;
	SKIP_WITHOUT_SERVER();
	apply_flow_objects("kdr-record", "tasksMax: 2");
	assert_int_equal(kdr_k8s_source_list(&source, &srv.config, "kdr-record", 10000), 0);
	load_list(&desired, &source);

	/* The failover: the flow's spec gets both fields, nothing else of it changes. */
	memset(&change, 0, sizeof(change));
	change.flow = find_flow(&desired, "east-to-west");
	change.edits = failover;
	change.n_edits = 2;
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "kdr failover: unused"), 0);
	rv = flow_field("kdr-record", "east-to-west", "{.metadata.resourceVersion}");
	want = kdr_asprintf("recorded in ReplicationFlow kdr-record/east-to-west (resourceVersion %s)", rv);
	assert_int_equal(done.n, 1);
	assert_string_equal(done.v[0], want);
	free(want);
	free(rv);
	kdr_strvec_release(&done);
	assert_flow_field("kdr-record", "east-to-west", "{.spec.suspended} {.spec.failedOver} {.spec.tasksMax} {.spec.topics}",
			  "true 2026-12-07T01:00:00Z 2 [\"orders\"]");
	assert_flow_field("kdr-record", "east-to-west", "{.metadata.generation}", "2");

	/* Recorded already (read again): no patch, the generation stays. */
	load_list(&desired, &source);
	change.flow = find_flow(&desired, "east-to-west");
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "again"), 0);
	assert_int_equal(done.n, 0);
	assert_flow_field("kdr-record", "east-to-west", "{.metadata.generation}", "2");

	/* The spec changed after the load: the decision was made on what was read, refused. */
	kubectl("-n kdr-record patch replicationflow east-to-west --type merge -p '{\"spec\":{\"tasksMax\":3}}'");
	change.edits = failback;
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "stale"), KDR_ECONFLICT);
	assert_string_equal(kdr_error_message(), "ReplicationFlow kdr-record/east-to-west changed since it was read "
						 "(generation 2, now 3): run the command again; nothing was recorded");
	assert_int_equal(done.n, 0);
	assert_flow_field("kdr-record", "east-to-west", "{.spec.suspended} {.spec.failedOver}",
			  "true 2026-12-07T01:00:00Z");

	/* Read again, the failback's edit: failedOver removed (merge patch null), suspended false. */
	load_list(&desired, &source);
	change.flow = find_flow(&desired, "east-to-west");
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "failback"), 0);
	assert_int_equal(done.n, 1);
	kdr_strvec_release(&done);
	assert_flow_field("kdr-record", "east-to-west", "{.spec.suspended}|{.spec.failedOver}|{.spec.tasksMax}",
			  "false||3");

	/* A whole document that names no flow it goes with (no namespace to join): refused before any request. */
	sent = kdr_k8s_client_requests(srv.client);
	memset(&change, 0, sizeof(change));
	change.file_path = "east-to-west-failback.yaml";
	change.file_data = "kind: ReplicationFlow\n";
	assert_int_equal(kdr_k8s_record(&done, srv.client, &change), KDR_EUNSUPPORTED);
	assert_string_equal(kdr_error_message(), "kubernetes: a whole document (east-to-west-failback.yaml) names no "
						 "flow it goes with: apply it with kubectl; nothing was recorded");
	assert_int_equal(kdr_k8s_client_requests(srv.client), sent);
	assert_int_equal(done.n, 0);

	/* A flow of another source kind (no namespace) is not looked up. */
	{
		struct kdr_flow other = *find_flow(&desired, "east-to-west");

		other.meta.namespace = NULL;
		memset(&change, 0, sizeof(change));
		change.flow = &other;
		change.edits = failover;
		change.n_edits = 2;
		assert_int_equal(kdr_k8s_record(&done, srv.client, &change), KDR_EINVALID);
		assert_string_equal(kdr_error_message(),
				    "ReplicationFlow 'east-to-west' was not read from Kubernetes; nothing was recorded");
		assert_int_equal(kdr_k8s_client_requests(srv.client), sent);
	}
	kdr_desired_release(&desired);
	kdr_source_release(&source);
}

/* Applies `yaml` with kubectl (through a file: the documents hold quotes). */
static void kubectl_apply(const char *yaml)
{
	char *file = kdr_asprintf("%s/apply.yaml", srv.dir);
	FILE *f = fopen(file, "w");

	assert_non_null(f);
	assert_int_equal(fputs(yaml, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	kubectl("apply -f '%s'", file);
	free(file);
}

/* Whether `kubectl get replicationflow NAME` finds it (an independent read of the API server). */
static bool flow_exists(const char *ns, const char *name)
{
	return sh("kubectl --kubeconfig '%s' -n %s get replicationflow %s >/dev/null 2>&1", srv.kubeconfig, ns, name) ==
	       0;
}

/* The step `kdr failback --flow east-to-west` takes on what is loaded now, and its record (dr_record.c). */
static enum kdr_dr_failback_step failback_record(struct kdr_dr_step_record *rec, struct kdr_dr_failback_state *st,
						 const struct kdr_desired *desired)
{
	const struct kdr_flow *flow = find_flow(desired, "east-to-west");

	kdr_dr_failback_state_release(st);
	kdr_dr_step_record_release(rec);
	assert_int_equal(kdr_dr_failback_step(st, desired, flow), 0);
	if (st->step == KDR_DR_FAILBACK_DECLARE)
		assert_int_equal(kdr_pipeline_failback_declare(rec, desired, flow, st), 0);
	else if (st->step == KDR_DR_FAILBACK_RESTORE)
		assert_int_equal(kdr_pipeline_failback_restore(rec, desired, flow, st), 0);
	return st->step;
}

#define FAILED_OVER "suspended: true, failedOver: \"2026-12-07T01:00:00Z\""

/*
 * Asserts that line `i` of `done` says `what` (created, recorded in) of
 * ReplicationFlow ns/name at the resourceVersion kubectl reads now: the
 * line names the version the write left, nothing has written it since.
 */
static void assert_done_with_resource_version(const struct kdr_strvec *done, size_t i, const char *what,
					      const char *ns, const char *name)
{
	char *rv = flow_field(ns, name, "{.metadata.resourceVersion}");
	char *want = kdr_asprintf("%s ReplicationFlow %s/%s (resourceVersion %s)", what, ns, name, rv);

	assert_true(i < done->n);
	assert_string_equal(done->v[i], want);
	free(want);
	free(rv);
}

/*
 * kdr failback's steps 1 and 3 through the Kubernetes source: step 1 creates
 * the reverse flow as a custom resource marked as kdr's, a re-run after a
 * crash converges, one with another spec is refused; step 3 restores F and
 * deletes it, refused with nothing recorded when its spec changed since the
 * load. Every outcome checked with kubectl, not with kdr's own client.
 */
static void test_record_failback_reverse_flow(void **state)
{
	struct kdr_source source = { NULL, NULL };
	struct kdr_desired desired = { 0 };
	struct kdr_dr_step_record rec;
	struct kdr_dr_failback_state st;
	struct kdr_strvec done = KDR_STRVEC_INIT;

	(void)state;
	SKIP_WITHOUT_SERVER();
	memset(&rec, 0, sizeof(rec));
	memset(&st, 0, sizeof(st));
	apply_flow_objects("kdr-failback", FAILED_OVER);
	assert_int_equal(kdr_k8s_source_list(&source, &srv.config, "kdr-failback", 10000), 0);
	load_list(&desired, &source);

	/* Step 1: the reverse flow created in F's namespace, with kdr's mark. */
	assert_int_equal(failback_record(&rec, &st, &desired), KDR_DR_FAILBACK_DECLARE);
	assert_int_equal(kdr_pipeline_dr_record(&rec, &source, &desired), 0);
	assert_int_equal(rec.done.n, 1);
	assert_done_with_resource_version(&rec.done, 0, "created", "kdr-failback", "east-to-west-failback");
	assert_flow_field("kdr-failback", "east-to-west-failback",
			  "{.metadata.labels.kdr\\.io/created-by} {.metadata.annotations.kdr\\.io/failback-of} "
			  "{.spec.source} {.spec.target} {.spec.topics} {.spec.checkpoints.enabled} {.spec.tasksMax}",
			  "failback east-to-west west east [\"orders\"] true 1");
	assert_flow_field("kdr-failback", "east-to-west", "{.spec.failedOver}", "2026-12-07T01:00:00Z");

	/* A re-run on the same (stale) load, as after a crash: the object is there with that spec, done. */
	assert_int_equal(kdr_source_record(&done, &source, &desired, &rec.change, "again"), 0);
	assert_int_equal(done.n, 0);

	/* One of that name with another spec: refused, left as it is. */
	kubectl("-n kdr-failback patch replicationflow east-to-west-failback --type merge -p '{\"spec\":{\"tasksMax\":5}}'");
	assert_int_equal(kdr_source_record(&done, &source, &desired, &rec.change, "other"), KDR_EEXISTS);
	assert_string_equal(kdr_error_message(),
			    "ReplicationFlow kdr-failback/east-to-west-failback exists with another spec than the one kdr "
			    "failback declares: delete or rename it, then run the command again; nothing was recorded");
	assert_int_equal(done.n, 0);
	assert_flow_field("kdr-failback", "east-to-west-failback", "{.spec.tasksMax}", "5");

	/* The next load sees it: step 2. The operator's failover of it (step 2's end) makes it step 3. */
	load_list(&desired, &source);
	assert_int_equal(failback_record(&rec, &st, &desired), KDR_DR_FAILBACK_CATCH_UP);
	kubectl("-n kdr-failback patch replicationflow east-to-west-failback --type merge -p "
		"'{\"spec\":{\"suspended\":true,\"failedOver\":\"2026-12-07T02:00:00Z\"}}'");
	load_list(&desired, &source);
	assert_int_equal(failback_record(&rec, &st, &desired), KDR_DR_FAILBACK_RESTORE);

	/* Its spec changed after the load: not deleted blindly, and F not restored either. */
	kubectl("-n kdr-failback patch replicationflow east-to-west-failback --type merge -p '{\"spec\":{\"tasksMax\":6}}'");
	assert_int_equal(kdr_pipeline_dr_record(&rec, &source, &desired), KDR_ECONFLICT);
	assert_string_equal(rec.error, "ReplicationFlow kdr-failback/east-to-west-failback changed since it was read "
				       "(generation 3, now 4): run the command again; nothing was recorded");
	assert_int_equal(rec.done.n, 0);
	assert_true(flow_exists("kdr-failback", "east-to-west-failback"));
	assert_flow_field("kdr-failback", "east-to-west", "{.spec.failedOver}", "2026-12-07T01:00:00Z");

	/* Read again: F restored first, then the reverse flow deleted. */
	load_list(&desired, &source);
	assert_int_equal(failback_record(&rec, &st, &desired), KDR_DR_FAILBACK_RESTORE);
	assert_int_equal(kdr_pipeline_dr_record(&rec, &source, &desired), 0);
	assert_int_equal(rec.done.n, 2);
	assert_done_with_resource_version(&rec.done, 0, "recorded in", "kdr-failback", "east-to-west");
	assert_string_equal(rec.done.v[1], "deleted ReplicationFlow kdr-failback/east-to-west-failback");
	assert_false(flow_exists("kdr-failback", "east-to-west-failback"));
	assert_flow_field("kdr-failback", "east-to-west", "{.spec.suspended}|{.spec.failedOver}", "false|");

	/* The same record again on the stale load: F's spec moved (our own patch), refused, nothing sent. */
	assert_int_equal(kdr_source_record(&done, &source, &desired, &rec.change, "again"), KDR_ECONFLICT);
	assert_int_equal(done.n, 0);
	load_list(&desired, &source);
	assert_int_equal(failback_record(&rec, &st, &desired), KDR_DR_FAILBACK_NOTHING);

	kdr_dr_step_record_release(&rec);
	kdr_dr_failback_state_release(&st);
	kdr_desired_release(&desired);
	kdr_source_release(&source);
}

/* A namespace at kdr failback's step 3, as loaded, and the record of that step (not yet written). */
struct restore_case {
	const char *ns;
	struct kdr_source source;
	struct kdr_desired desired;
	struct kdr_dr_step_record rec;
	struct kdr_dr_failback_state st;
	json_t *read; /* the reverse flow as kdr_k8s__removal_read gave it, or NULL */
};

/* The label and annotation kdr_k8s__record_create puts on the reverse flow, in YAML flow style. */
#define KDRS_MARK ", labels: {kdr.io/created-by: failback}, annotations: {kdr.io/failback-of: east-to-west}"

/* Applies the reverse flow east-to-west-failback, failed over, with `metadata_extra` in its metadata. */
static void apply_reverse_flow(const char *ns, const char *metadata_extra)
{
	char *reverse = kdr_asprintf("apiVersion: kdr.io/v1alpha1\nkind: ReplicationFlow\n"
				     "metadata: {name: east-to-west-failback, namespace: %s%s}\n"
				     "spec: {source: west, target: east, topics: [orders], suspended: true, "
				     "failedOver: \"2026-12-07T02:00:00Z\"}\n",
				     ns, metadata_extra);

	kubectl_apply(reverse);
	free(reverse);
}

/*
 * Namespace `ns` with F failed over and its reverse flow, failed over in
 * turn, applied with kubectl with `metadata_extra` in its metadata (KDRS_MARK,
 * as kdr creates it, or "" for one made by hand); loaded at step 3.
 */
static void restore_case_setup(struct restore_case *c, const char *ns, const char *metadata_extra)
{
	memset(c, 0, sizeof(*c));
	c->ns = ns;
	apply_flow_objects(ns, FAILED_OVER);
	apply_reverse_flow(ns, metadata_extra);
	assert_int_equal(kdr_k8s_source_list(&c->source, &srv.config, ns, 10000), 0);
	load_list(&c->desired, &c->source);
	assert_int_equal(failback_record(&c->rec, &c->st, &c->desired), KDR_DR_FAILBACK_RESTORE);
}

static void restore_case_release(struct restore_case *c)
{
	json_decref(c->read);
	kdr_dr_step_record_release(&c->rec);
	kdr_dr_failback_state_release(&c->st);
	kdr_desired_release(&c->desired);
	kdr_source_release(&c->source);
}

/*
 * A reverse flow the user created by hand (kubectl apply of the printed
 * document, as step 1 was done before kdr created it): step 3 restores F and
 * leaves it, saying so; it is not deleted.
 */
static void test_record_failback_leaves_a_hand_made_flow(void **state)
{
	struct restore_case c;

	(void)state;
	SKIP_WITHOUT_SERVER();
	restore_case_setup(&c, "kdr-failback-hand", "");
	assert_int_equal(kdr_pipeline_dr_record(&c.rec, &c.source, &c.desired), KDR_EEXISTS);
	assert_string_equal(c.rec.error,
			    "ReplicationFlow kdr-failback-hand/east-to-west-failback was not created by kdr failback of "
			    "flow east-to-west (no label kdr.io/created-by: failback and annotation kdr.io/failback-of): "
			    "it is left as it is; delete it yourself (kubectl delete replicationflow -n kdr-failback-hand "
			    "east-to-west-failback) when its work is done");
	assert_int_equal(c.rec.done.n, 1);
	assert_done_with_resource_version(&c.rec.done, 0, "recorded in", "kdr-failback-hand", "east-to-west");
	assert_true(flow_exists("kdr-failback-hand", "east-to-west-failback"));
	assert_flow_field("kdr-failback-hand", "east-to-west", "{.spec.suspended}|{.spec.failedOver}", "false|");

	/* The next run: F restored, the same message until the user deletes it; then nothing to do. */
	load_list(&c.desired, &c.source);
	assert_int_equal(failback_record(&c.rec, &c.st, &c.desired), KDR_DR_FAILBACK_RESTORE);
	assert_int_equal(kdr_pipeline_dr_record(&c.rec, &c.source, &c.desired), KDR_EEXISTS);
	assert_int_equal(c.rec.done.n, 0);
	assert_non_null(strstr(c.rec.error, "it is left as it is;"));
	assert_non_null(strstr(c.rec.error, "; nothing was recorded"));
	assert_true(flow_exists("kdr-failback-hand", "east-to-west-failback"));
	kubectl("-n kdr-failback-hand delete replicationflow east-to-west-failback");
	load_list(&c.desired, &c.source);
	assert_int_equal(failback_record(&c.rec, &c.st, &c.desired), KDR_DR_FAILBACK_NOTHING);
	restore_case_release(&c);
}

/*
 * Step 3's delete of the reverse flow with `between` run in the window
 * kdr_k8s_record leaves between its read of the object and its delete
 * (F's patch): the two ends called here as kdr_k8s_record calls them, so
 * the race is the same every run. Returns the delete's code; `*requests`
 * counts the requests the delete sent. c->read keeps the object as read.
 */
static int delete_raced_by(struct restore_case *c, struct kdr_strvec *done, uint64_t *requests,
			   void (*between)(const char *ns))
{
	uint64_t sent = 0;
	int rc = 0;

	json_decref(c->read);
	c->read = NULL;
	assert_int_equal(kdr_k8s__removal_read(&c->read, srv.client, &c->rec.change), 0);
	assert_non_null(c->read);
	between(c->ns);
	sent = kdr_k8s_client_requests(srv.client);
	rc = kdr_k8s__record_delete(done, srv.client, &c->rec.change, c->read);
	*requests = kdr_k8s_client_requests(srv.client) - sent;
	return rc;
}

/* The operator's status write of every cycle: the resourceVersion moves, the generation does not. */
static void write_reverse_status(const char *ns)
{
	kubectl("-n %s patch replicationflow east-to-west-failback --subresource status --type merge "
		"-p '{\"status\":{\"observedGeneration\":1}}'",
		ns);
	assert_flow_field(ns, "east-to-west-failback", "{.metadata.generation}", "1");
}

/* A user's edit of its spec: the generation moves. */
static void edit_reverse_spec(const char *ns)
{
	kubectl("-n %s patch replicationflow east-to-west-failback --type merge -p '{\"spec\":{\"tasksMax\":7}}'", ns);
}

/* Deleted and created again: the same name and mark, another uid. */
static void recreate_reverse(const char *ns)
{
	kubectl("-n %s delete replicationflow east-to-west-failback", ns);
	apply_reverse_flow(ns, KDRS_MARK);
}

/*
 * A status write in that window: the first DELETE's precondition fails
 * (409), the object read again moved in its status alone, and the second
 * DELETE, on the new resourceVersion, takes it.
 */
static void test_record_failback_delete_retries_after_a_status_write(void **state)
{
	struct restore_case c;
	struct kdr_strvec done = KDR_STRVEC_INIT;
	uint64_t requests = 0;

	(void)state;
	SKIP_WITHOUT_SERVER();
	restore_case_setup(&c, "kdr-failback-status", KDRS_MARK);
	assert_int_equal(delete_raced_by(&c, &done, &requests, write_reverse_status), 0);
	/* DELETE refused on the resourceVersion read, GET, DELETE on the new one. */
	assert_int_equal(requests, 3);
	assert_int_equal(done.n, 1);
	assert_string_equal(done.v[0], "deleted ReplicationFlow kdr-failback-status/east-to-west-failback");
	assert_false(flow_exists("kdr-failback-status", "east-to-west-failback"));
	kdr_strvec_release(&done);
	restore_case_release(&c);
}

/*
 * A change in that window the delete must not run over: its spec edited,
 * or the object replaced. The first DELETE's precondition fails, the
 * object read again says why: KDR_ECONFLICT, no second DELETE, left.
 */
static void test_record_failback_delete_refuses_what_moved(void **state)
{
	struct restore_case c;
	struct kdr_strvec done = KDR_STRVEC_INIT;
	uint64_t requests = 0;
	char *uid = NULL;

	(void)state;
	SKIP_WITHOUT_SERVER();
	restore_case_setup(&c, "kdr-failback-moved", KDRS_MARK);
	assert_int_equal(delete_raced_by(&c, &done, &requests, edit_reverse_spec), KDR_ECONFLICT);
	assert_string_equal(kdr_error_message(), "ReplicationFlow kdr-failback-moved/east-to-west-failback changed "
						 "since it was read (generation 1, now 2): run the command again");
	assert_int_equal(requests, 2);
	assert_int_equal(done.n, 0);
	assert_flow_field("kdr-failback-moved", "east-to-west-failback", "{.spec.tasksMax}", "7");

	/* Loaded again (generation 2), then replaced in the window. */
	load_list(&c.desired, &c.source);
	assert_int_equal(failback_record(&c.rec, &c.st, &c.desired), KDR_DR_FAILBACK_RESTORE);
	assert_int_equal(delete_raced_by(&c, &done, &requests, recreate_reverse), KDR_ECONFLICT);
	assert_string_equal(kdr_error_message(), "ReplicationFlow kdr-failback-moved/east-to-west-failback was "
						 "replaced since it was read: run the command again");
	assert_int_equal(requests, 2);
	assert_int_equal(done.n, 0);
	uid = flow_field("kdr-failback-moved", "east-to-west-failback", "{.metadata.uid}");
	assert_string_not_equal(uid, json_string_value(json_object_get(json_object_get(c.read, "metadata"), "uid")));
	free(uid);
	restore_case_release(&c);
}

/* Writes the flow's status over and over (as a busy operator would) until `stop`; counts its writes. */
struct status_writer {
	struct kdr_k8s_client *client;
	atomic_int stop;
	int writes;
};

static void *write_status(void *arg)
{
	struct status_writer *w = arg;

	while (!atomic_load(&w->stop)) {
		char *body = kdr_asprintf("{\"status\":{\"observedGeneration\":%d}}", w->writes + 1);

		if (kdr_k8s_request(w->client, NULL, NULL, "PATCH",
				    "/apis/kdr.io/v1alpha1/namespaces/kdr-record/replicationflows/east-to-west/status",
				    "application/merge-patch+json", body) == 0)
			w->writes++;
		free(body);
	}
	return NULL;
}

/*
 * Records race status writes (as a busy operator's): every record lands,
 * none is refused for the resourceVersion the status writes move on. With a
 * resourceVersion precondition (the first version of kdr_k8s_record, even
 * with five re-reads) the second record already failed with 409.
 */
static void test_record_survives_status_writes(void **state)
{
	static const struct kdr_spec_edit on[] = { { "tasksMax", "4" } };
	static const struct kdr_spec_edit off[] = { { "tasksMax", "5" } };
	struct kdr_source source = { NULL, NULL };
	struct kdr_desired desired = { 0 };
	struct kdr_source_change change;
	struct kdr_strvec done = KDR_STRVEC_INIT;
	struct status_writer writer;
	struct kdr_k8s_client *mine = NULL;
	pthread_t thread;
	uint64_t sent = 0;
	int records = 0, requests = 0, failed = -1;
	char why[1024] = "";

	(void)state;
	SKIP_WITHOUT_SERVER();
	memset(&writer, 0, sizeof(writer));
	atomic_init(&writer.stop, 0);
	assert_int_equal(kdr_k8s_client_new(&writer.client, &srv.config, 10000), 0);
	assert_int_equal(kdr_k8s_client_new(&mine, &srv.config, 10000), 0);
	assert_int_equal(kdr_k8s_source_list(&source, &srv.config, "kdr-record", 10000), 0);
	assert_int_equal(pthread_create(&thread, NULL, write_status, &writer), 0);
	/* No assertion while the writer runs (a failed one would leave it writing into this frame). */
	for (int i = 0; i < 40 && failed < 0; i++) {
		memset(&desired, 0, sizeof(desired));
		load_list(&desired, &source);
		memset(&change, 0, sizeof(change));
		change.flow = find_flow(&desired, "east-to-west");
		change.edits = i % 2 ? off : on;
		change.n_edits = 1;
		sent = kdr_k8s_client_requests(mine);
		if (kdr_k8s_record(&done, mine, &change) != 0) {
			failed = i;
			snprintf(why, sizeof(why), "%s", kdr_error_message());
		}
		requests += (int)(kdr_k8s_client_requests(mine) - sent);
		records++;
		kdr_desired_release(&desired);
	}
	atomic_store(&writer.stop, 1);
	pthread_join(thread, NULL);
	printf("%d records beside %d status writes, %d requests\n", records, writer.writes, requests);
	if (failed >= 0)
		fail_msg("record %d under status writes: %s", failed, why);
	/* One read and one patch each: nothing was retried. */
	assert_int_equal(requests, 80);
	assert_int_equal(done.n, 40);
	kdr_strvec_release(&done);
	assert_true(writer.writes > 0);
	kdr_source_release(&source);
	kdr_k8s_client_free(mine);
	kdr_k8s_client_free(writer.client);
}

/*
 * A Connect change applied but not reported by Connect within --timeout
 * (result.unsettled, kdr apply's PENDING) leaves its flow Progressing, not
 * Reconciled: the next cycle sees whether it took. Before, the operator
 * counted it as applied and said Ready.
 */
static void test_report_pending_change_is_progressing(void **state)
{
	struct kdr_k8s_source_options options = { .namespace = "kdr-report", .timeout_ms = 10000 };
	struct kdr_source source = { NULL, NULL };
	struct kdr_desired desired = { 0 };
	char cluster[] = "west", resource[] = "kdr.east-to-west.source", flow[] = "east-to-west", reason[] = "suspended";
	char pending[] = "connector 'kdr.east-to-west.source' still RUNNING after 1000 ms";
	struct kdr_action action = { .kind = KDR_ACTION_PAUSE_CONNECTOR, .cluster = cluster, .resource = resource,
				     .policy = flow, .reason = reason };
	struct kdr_plan plan = { .actions = &action, .n_actions = 1 };
	struct kdr_action_result result = { .attempted = true, .code = 0, .unsettled = true, .message = pending };
	struct kdr_source_report report = { .source_state = "ok", .plan = &plan, .results = &result };
	char *revision = NULL, *got = NULL;
	int64_t deadline = 0;

	(void)state;
	SKIP_WITHOUT_SERVER();
	apply_flow_objects("kdr-report", "suspended: true");
	assert_int_equal(kdr_k8s_source_watch(&source, &srv.config, &options), 0);
	/* The informers list every kind once before the source has a revision. */
	deadline = now_ms() + 20000;
	while (source.ops->revision(&revision, source.ctx) != 0 && now_ms() < deadline)
		usleep(100 * 1000);
	assert_non_null(revision);
	free(revision);
	load_list(&desired, &source);
	report.desired = &desired;
	report.now_unix_ms = (int64_t)time(NULL) * 1000;

	source.ops->report(source.ctx, &report);
	got = flow_field("kdr-report", "east-to-west", "{.status.conditions[?(@.type==\"Ready\")].reason}");
	printf("a pending pause: Ready reason %s\n", got);
	assert_string_equal(got, "Progressing");
	free(got);
	assert_flow_field("kdr-report", "east-to-west", "{.status.conditions[?(@.type==\"Ready\")].message}",
			  "0 of 1 action(s) applied; 1 waiting for Connect to report the change");

	/* The next cycle's pause settled: Reconciled. */
	result.unsettled = false;
	result.message = NULL;
	source.ops->report(source.ctx, &report);
	assert_flow_field("kdr-report", "east-to-west", "{.status.conditions[?(@.type==\"Ready\")].reason}",
			  "Reconciled");
	kdr_desired_release(&desired);
	kdr_source_release(&source);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_service_account_token),
		cmocka_unit_test(test_in_cluster),
		cmocka_unit_test(test_watch_gone),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_record_patches_the_flow),
		cmocka_unit_test(test_record_failback_reverse_flow),
		cmocka_unit_test(test_record_failback_leaves_a_hand_made_flow),
		cmocka_unit_test(test_record_failback_delete_retries_after_a_status_write),
		cmocka_unit_test(test_record_failback_delete_refuses_what_moved),
		cmocka_unit_test(test_record_survives_status_writes),
		cmocka_unit_test(test_report_pending_change_is_progressing),
		cmocka_unit_test(test_informer_watch_restart),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
