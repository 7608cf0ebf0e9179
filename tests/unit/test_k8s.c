/*
 * pkg/k8s without a server: kubeconfig and in-cluster configuration, base64,
 * the kinds' collection paths, and Kubernetes objects parsed into the model
 * (diagnostics naming "Kind namespace/name", secretKeyRef qualified with the
 * object's namespace). The requests, watches and informers are tested
 * against a real kube-apiserver in tests/integration/test_k8s_real.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "k8s/k8s.h"
#include "k8s/k8s_internal.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/http.h"
#include "validate/validate.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kdr-test-k8s-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char command[512];

	(void)state;
	snprintf(command, sizeof(command), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(command), 0);
	return 0;
}

static char *write_file(const char *name, const char *content)
{
	char *path = kdr_asprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	return path;
}

static const char kubeconfig[] = "apiVersion: v1\n"
				 "kind: Config\n"
				 "current-context: one\n"
				 "clusters:\n"
				 "- name: c1\n"
				 "  cluster:\n"
				 "    server: https://127.0.0.1:6443/\n"
				 "    certificate-authority-data: Q0EtUEVN\n" /* "CA-PEM" */
				 "- name: c2\n"
				 "  cluster:\n"
				 "    server: https://10.1.2.3:443\n"
				 "    certificate-authority: certs/ca.crt\n"
				 "    tls-server-name: kubernetes.default.svc\n"
				 "- name: bad\n"
				 "  cluster:\n"
				 "    server: https://10.9.9.9\n"
				 "    insecure-skip-tls-verify: true\n"
				 "users:\n"
				 "- name: u1\n"
				 "  user:\n"
				 "    client-certificate-data: Q0VSVA==\n" /* "CERT" */
				 "    client-key-data: S0VZ\n"              /* "KEY" */
				 "- name: u2\n"
				 "  user: {token: s3cr3t-token}\n"
				 "- name: u3\n"
				 "  user:\n"
				 "    exec: {command: /bin/evil, apiVersion: client.authentication.k8s.io/v1}\n"
				 "- name: u4\n"
				 "  user: {client-certificate: /abs/cert.pem}\n"
				 "contexts:\n"
				 "- name: one\n"
				 "  context: {cluster: c1, user: u1, namespace: kafka}\n"
				 "- name: two\n"
				 "  context: {cluster: c2, user: u2}\n"
				 "- name: insecure\n"
				 "  context: {cluster: bad, user: u2}\n"
				 "- name: plugin\n"
				 "  context: {cluster: c1, user: u3}\n"
				 "- name: halfcert\n"
				 "  context: {cluster: c1, user: u4}\n"
				 "- name: nocluster\n"
				 "  context: {cluster: missing, user: u2}\n";

static void test_kubeconfig_current_context(void **state)
{
	struct kdr_k8s_config config = { 0 };
	char *path = write_file("config", kubeconfig);

	(void)state;
	assert_int_equal(kdr_k8s_config_kubeconfig(&config, path, NULL), 0);
	assert_string_equal(config.server, "https://127.0.0.1:6443");
	assert_string_equal(config.ca_pem, "CA-PEM");
	assert_null(config.ca_file);
	assert_string_equal(config.cert_pem, "CERT");
	assert_string_equal(config.key_pem, "KEY");
	assert_null(config.token);
	assert_string_equal(config.namespace, "kafka");
	assert_string_equal(config.context, "one");
	kdr_k8s_config_release(&config);
	assert_null(config.server);
	free(path);
}

static void test_kubeconfig_named_context(void **state)
{
	struct kdr_k8s_config config = { 0 };
	char *path = write_file("config", kubeconfig);
	char *ca = kdr_asprintf("%s/certs/ca.crt", tmpdir);

	(void)state;
	assert_int_equal(kdr_k8s_config_kubeconfig(&config, path, "two"), 0);
	assert_string_equal(config.server, "https://10.1.2.3:443");
	assert_string_equal(config.ca_file, ca); /* relative to the kubeconfig's directory */
	assert_string_equal(config.token, "s3cr3t-token");
	assert_string_equal(config.tls_server_name, "kubernetes.default.svc");
	assert_string_equal(config.namespace, "default");
	kdr_k8s_config_release(&config);
	free(ca);
	free(path);
}

static void test_kubeconfig_refusals(void **state)
{
	struct kdr_k8s_config config = { 0 };
	char *path = write_file("config", kubeconfig);

	(void)state;
	assert_int_equal(kdr_k8s_config_kubeconfig(&config, path, "insecure"), KDR_EUNSUPPORTED);
	assert_non_null(strstr(kdr_error_message(), "insecure-skip-tls-verify"));
	assert_int_equal(kdr_k8s_config_kubeconfig(&config, path, "plugin"), KDR_EUNSUPPORTED);
	assert_non_null(strstr(kdr_error_message(), "user 'u3' uses a credential plugin"));
	assert_null(strstr(kdr_error_message(), "/bin/evil"));
	assert_int_equal(kdr_k8s_config_kubeconfig(&config, path, "halfcert"), KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "without a key"));
	assert_int_equal(kdr_k8s_config_kubeconfig(&config, path, "nocluster"), KDR_ENOTFOUND);
	assert_non_null(strstr(kdr_error_message(), "names no known cluster ('missing')"));
	assert_int_equal(kdr_k8s_config_kubeconfig(&config, path, "nope"), KDR_ENOTFOUND);
	assert_non_null(strstr(kdr_error_message(), "no context 'nope'"));
	assert_null(config.server);
	free(path);
	path = write_file("broken", "clusters: [\n");
	assert_int_equal(kdr_k8s_config_kubeconfig(&config, path, NULL), KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "invalid YAML"));
	free(path);
	path = kdr_asprintf("%s/absent", tmpdir);
	assert_int_equal(kdr_k8s_config_kubeconfig(&config, path, NULL), KDR_ENOTFOUND);
	free(path);
}

static void test_in_cluster(void **state)
{
	struct kdr_k8s_config config = { 0 };
	char *sa = kdr_asprintf("%s/sa", tmpdir), *p = NULL;

	(void)state;
	assert_int_equal(mkdir(sa, 0700), 0);
	p = write_file("sa/token", "tok\n");
	free(p);
	p = write_file("sa/ca.crt", "PEM\n");
	free(p);
	p = write_file("sa/namespace", "kdr-system\n");
	free(p);
	unsetenv("KUBERNETES_SERVICE_HOST");
	assert_int_equal(kdr_k8s_config_in_cluster(&config, sa), KDR_ENOTFOUND);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	assert_int_equal(kdr_k8s_config_in_cluster(&config, sa), 0);
	assert_string_equal(config.server, "https://10.96.0.1:443");
	assert_string_equal(config.namespace, "kdr-system");
	assert_string_equal(config.tls_server_name, "kubernetes.default.svc");
	assert_non_null(strstr(config.token_file, "/sa/token"));
	assert_null(config.token); /* read at each request: it rotates */
	kdr_k8s_config_release(&config);
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	assert_int_equal(kdr_k8s_config_in_cluster(&config, sa), 0);
	assert_string_equal(config.server, "https://[fd00::1]:443");
	kdr_k8s_config_release(&config);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	free(sa);
}

static void test_base64(void **state)
{
	size_t len = 0;
	unsigned char *out = NULL;

	(void)state;
	out = kdr_k8s__base64_decode("aGVsbG8gd29ybGQ=", &len);
	assert_non_null(out);
	assert_int_equal(len, 11);
	assert_string_equal((char *)out, "hello world");
	free(out);
	out = kdr_k8s__base64_decode("YQ", &len); /* unpadded */
	assert_non_null(out);
	assert_string_equal((char *)out, "a");
	free(out);
	out = kdr_k8s__base64_decode("", &len);
	assert_non_null(out);
	assert_int_equal(len, 0);
	free(out);
	assert_null(kdr_k8s__base64_decode("a$b=", &len));
	assert_null(kdr_k8s__base64_decode("YQ==YQ", &len));
	assert_null(kdr_k8s__base64_decode("Y", &len));
}

static void test_paths(void **state)
{
	char *path = NULL;
	size_t n = 0;
	const struct kdr_k8s_kind *kinds = kdr_k8s_kinds(&n);

	(void)state;
	assert_int_equal(n, 4);
	assert_string_equal(kinds[0].kind, "KafkaCluster");
	assert_string_equal(kinds[2].resource, "topicpolicies");
	path = kdr_k8s_collection_path(KDR_K8S_API_PATH, "kafka", "topicpolicies");
	assert_string_equal(path, "/apis/kdr.io/v1alpha1/namespaces/kafka/topicpolicies");
	free(path);
	path = kdr_k8s_collection_path(KDR_K8S_API_PATH, NULL, "kafkaclusters");
	assert_string_equal(path, "/apis/kdr.io/v1alpha1/kafkaclusters");
	free(path);
	path = kdr_http_escape("a b/c=d&e");
	assert_string_equal(path, "a%20b%2Fc%3Dd%26e");
	free(path);
}

static const char objects_json[] =
	"[{\"apiVersion\":\"kdr.io/v1alpha1\",\"kind\":\"KafkaCluster\","
	"\"metadata\":{\"name\":\"east\",\"namespace\":\"kafka\",\"generation\":3,\"uid\":\"u1\","
	"\"resourceVersion\":\"42\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"managedFields\":[{}],"
	"\"annotations\":{\"kdr.io/paused\":\"true\"}},"
	"\"spec\":{\"bootstrapServers\":\"b:9092\",\"clientConfig\":{\"sasl.password\":"
	"{\"valueFrom\":{\"secretKeyRef\":{\"name\":\"east-creds\",\"key\":\"password\"}}}}},"
	"\"status\":{\"observedGeneration\":2,\"anything\":[1,2]}},"
	"{\"apiVersion\":\"kdr.io/v1alpha1\",\"kind\":\"TopicPolicy\","
	"\"metadata\":{\"name\":\"core\",\"namespace\":\"kafka\"},"
	"\"spec\":{\"clusters\":[\"east\"],\"partitionz\":3}}]";

static void test_parse_objects(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	json_t *objects = json_loads(objects_json, 0, NULL);
	char *text = NULL;

	(void)state;
	assert_non_null(objects);
	assert_int_equal(kdr_k8s_parse_objects(&desired, objects, &diags), KDR_EINVALID);
	assert_int_equal(desired.n_clusters, 1);
	assert_int_equal(desired.n_policies, 1);
	assert_string_equal(desired.clusters[0].meta.namespace, "kafka");
	assert_int_equal(desired.clusters[0].meta.generation, 3);
	assert_string_equal(desired.clusters[0].meta.object_ref, "KafkaCluster kafka/east");
	/* The Secret is the one in the object's namespace. */
	assert_int_equal(desired.clusters[0].client_config.v[0].value.kind, KDR_VALUE_SECRET_KEY_REF);
	assert_string_equal(desired.clusters[0].client_config.v[0].value.ref, "kafka/east-creds");
	assert_string_equal(desired.clusters[0].client_config.v[0].value.key, "password");
	/* One error: the unknown field, named by object and field, with a did-you-mean. */
	assert_int_equal(diags.errors, 1);
	text = kdr_diag_format(&diags.v[0]);
	assert_non_null(strstr(text, "TopicPolicy kafka/core"));
	assert_non_null(strstr(text, "spec.partitionz"));
	assert_non_null(strstr(text, "partitions"));
	free(text);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	json_decref(objects);
}

/*
 * Every error in one run, as with the dir and Git sources: a schema error in
 * one object and a rule error in another (a flow naming an undeclared
 * cluster) are reported together, each naming its object; the sound fields
 * of the broken object get their rule errors too (its undefined cluster).
 */
static void test_every_error_in_one_run(void **state)
{
	static const char mixed[] =
	    "[{\"apiVersion\":\"kdr.io/v1alpha1\",\"kind\":\"TopicPolicy\","
	    "\"metadata\":{\"name\":\"core\",\"namespace\":\"kafka\"},"
	    "\"spec\":{\"clusters\":[\"east\",\"gone\"],\"partitionz\":3}},"
	    "{\"apiVersion\":\"kdr.io/v1alpha1\",\"kind\":\"KafkaCluster\","
	    "\"metadata\":{\"name\":\"east\",\"namespace\":\"kafka\"},"
	    "\"spec\":{\"bootstrapServers\":\"b:9092\"}},"
	    "{\"apiVersion\":\"kdr.io/v1alpha1\",\"kind\":\"ReplicationFlow\","
	    "\"metadata\":{\"name\":\"east-to-nowhere\",\"namespace\":\"kafka\"},"
	    "\"spec\":{\"source\":\"east\",\"target\":\"nowhere\",\"topics\":[\"orders\"]}}]";
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	json_t *objects = json_loads(mixed, 0, NULL);
	bool schema = false, rule = false, sound_field = false;

	(void)state;
	assert_non_null(objects);
	assert_int_equal(kdr_k8s_parse_objects(&desired, objects, &diags), KDR_EINVALID);
	assert_int_equal(kdr_validate_all(&desired, &diags), KDR_EINVALID);
	for (size_t i = 0; i < diags.n; i++) {
		char *text = kdr_diag_format(&diags.v[i]);

		schema = schema || (strstr(text, "TopicPolicy kafka/core") && strstr(text, "spec.partitionz"));
		rule = rule || (strstr(text, "ReplicationFlow kafka/east-to-nowhere") && strstr(text, "nowhere"));
		/* The sound field of the partly broken object still gets its rule error. */
		sound_field = sound_field || (strstr(text, "TopicPolicy kafka/core") && strstr(text, "spec.clusters[1]") &&
					      strstr(text, "'gone' is not defined"));
		free(text);
	}
	assert_true(schema);
	assert_true(rule);
	assert_true(sound_field);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	json_decref(objects);
}

static void test_status_build(void **state)
{
	json_t *old = json_loads("{\"observedGeneration\":1,\"conditions\":["
				 "{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"},"
				 "{\"type\":\"Stalled\",\"status\":\"False\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}]}",
				 0, NULL);
	struct kdr_k8s_condition conds[] = {
		{ "Ready", true, "Reconciled", "in sync" },
		{ "Reconciling", false, "Idle", "" },
		{ "Stalled", true, "Blocked", "partition decrease" },
	};
	json_t *extra = json_object(), *status = NULL, *c = NULL;
	char now[32];

	(void)state;
	kdr_k8s_time(now, 1796000000123LL);
	assert_string_equal(now, "2026-11-30T00:53:20Z");
	json_object_set_new(extra, "revision", json_string("k8s-1"));
	status = kdr_k8s_status_build(old, 2, conds, 3, extra, now);
	assert_int_equal(json_integer_value(json_object_get(status, "observedGeneration")), 2);
	assert_string_equal(json_string_value(json_object_get(status, "revision")), "k8s-1");
	c = json_array_get(json_object_get(status, "conditions"), 0);
	/* Ready stayed True: its time stays; Stalled flipped: now; Reconciling is new: now. */
	assert_string_equal(json_string_value(json_object_get(c, "lastTransitionTime")), "2026-01-01T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(c, "reason")), "Reconciled");
	assert_int_equal(json_integer_value(json_object_get(c, "observedGeneration")), 2);
	c = json_array_get(json_object_get(status, "conditions"), 1);
	assert_string_equal(json_string_value(json_object_get(c, "status")), "False");
	assert_string_equal(json_string_value(json_object_get(c, "lastTransitionTime")), now);
	c = json_array_get(json_object_get(status, "conditions"), 2);
	assert_string_equal(json_string_value(json_object_get(c, "status")), "True");
	assert_string_equal(json_string_value(json_object_get(c, "lastTransitionTime")), now);
	assert_string_equal(json_string_value(json_object_get(c, "message")), "partition decrease");
	json_decref(status);
	json_decref(old);
}

/* --- leader election's decision (pkg/k8s/lease_decision.c) --- */

#define ME "kdr-0_11"
#define OTHER "kdr-1_22"

static struct kdr_k8s__lease_read lease_of(const char *holder, const char *renew, int64_t duration_s)
{
	return (struct kdr_k8s__lease_read){ true, holder, renew, duration_s };
}

static void test_lease_absent_is_created(void **state)
{
	struct kdr_k8s__lease_seen seen = { 0 };
	struct kdr_k8s__lease_read none = { 0 };

	(void)state;
	assert_int_equal(kdr_k8s__lease_decide(&seen, &none, ME, 15, 1000), KDR_K8S__LEASE_CREATE);
	assert_null(seen.key);
	assert_true(kdr_k8s__lease_leads_after(KDR_K8S__LEASE_CREATE, true, false));
	/* Another replica created it first (409): it leads, even if we did before. */
	assert_false(kdr_k8s__lease_leads_after(KDR_K8S__LEASE_CREATE, false, false));
	assert_false(kdr_k8s__lease_leads_after(KDR_K8S__LEASE_CREATE, false, true));
}

static void test_lease_ours_is_renewed(void **state)
{
	struct kdr_k8s__lease_seen seen = { 0 };
	struct kdr_k8s__lease_read ours = lease_of(ME, "2026-12-07T06:00:00.000000Z", 15);

	(void)state;
	assert_int_equal(kdr_k8s__lease_decide(&seen, &ours, ME, 15, 1000), KDR_K8S__LEASE_RENEW);
	/* Ours is renewed however long it looked unchanged (our own renewals may have failed). */
	assert_int_equal(kdr_k8s__lease_decide(&seen, &ours, ME, 15, 1000 + 3600 * 1000), KDR_K8S__LEASE_RENEW);
	assert_true(kdr_k8s__lease_leads_after(KDR_K8S__LEASE_RENEW, true, false));
	/* A failed renewal keeps what we were; the clock (kdr_k8s__lease_current) ends it. */
	assert_true(kdr_k8s__lease_leads_after(KDR_K8S__LEASE_RENEW, false, true));
	assert_false(kdr_k8s__lease_leads_after(KDR_K8S__LEASE_RENEW, false, false));
	kdr_k8s__lease_seen_release(&seen);
	assert_null(seen.key);
}

static void test_lease_free_is_taken_at_once(void **state)
{
	struct kdr_k8s__lease_seen seen = { 0 };
	struct kdr_k8s__lease_read released = lease_of("", "2026-12-07T06:00:00.000000Z", 1);
	struct kdr_k8s__lease_read no_holder = lease_of(NULL, NULL, 0);

	(void)state;
	/* Released by its holder (holderIdentity ""), or never held: no wait. */
	assert_int_equal(kdr_k8s__lease_decide(&seen, &released, ME, 15, 5000), KDR_K8S__LEASE_TAKE_OVER);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &no_holder, ME, 15, 5001), KDR_K8S__LEASE_TAKE_OVER);
	assert_true(kdr_k8s__lease_leads_after(KDR_K8S__LEASE_TAKE_OVER, true, false));
	/* Lost the race for it (409): another replica leads. */
	assert_false(kdr_k8s__lease_leads_after(KDR_K8S__LEASE_TAKE_OVER, false, false));
	assert_false(kdr_k8s__lease_leads_after(KDR_K8S__LEASE_TAKE_OVER, false, true));
	kdr_k8s__lease_seen_release(&seen);
}

static void test_lease_holder_expires_by_our_clock(void **state)
{
	struct kdr_k8s__lease_seen seen = { 0 };
	struct kdr_k8s__lease_read theirs = lease_of(OTHER, "2020-01-01T00:00:00.000000Z", 15);

	(void)state;
	/* First seen at 100 s: however old its renewTime says it is, we wait the duration from there. */
	assert_int_equal(kdr_k8s__lease_decide(&seen, &theirs, ME, 30, 100000), KDR_K8S__LEASE_FOLLOW);
	assert_int_equal(seen.since_ms, 100000);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &theirs, ME, 30, 110000), KDR_K8S__LEASE_FOLLOW);
	/* The Lease's duration (15 s) applies, not ours (30 s); exactly 15 s is not yet expired. */
	assert_int_equal(kdr_k8s__lease_decide(&seen, &theirs, ME, 30, 115000), KDR_K8S__LEASE_FOLLOW);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &theirs, ME, 30, 115001), KDR_K8S__LEASE_TAKE_OVER);
	assert_int_equal(seen.since_ms, 100000);
	assert_false(kdr_k8s__lease_leads_after(KDR_K8S__LEASE_FOLLOW, false, true));
	kdr_k8s__lease_seen_release(&seen);
}

static void test_lease_renewed_holder_is_followed(void **state)
{
	struct kdr_k8s__lease_seen seen = { 0 };
	struct kdr_k8s__lease_read t1 = lease_of(OTHER, "2026-12-07T06:00:00.000000Z", 15);
	struct kdr_k8s__lease_read t2 = lease_of(OTHER, "2026-12-07T06:00:02.000000Z", 15);
	struct kdr_k8s__lease_read moved = lease_of("kdr-2_33", "2026-12-07T06:00:02.000000Z", 15);

	(void)state;
	assert_int_equal(kdr_k8s__lease_decide(&seen, &t1, ME, 15, 0), KDR_K8S__LEASE_FOLLOW);
	/* A new renewTime restarts the wait, however late we read it. */
	assert_int_equal(kdr_k8s__lease_decide(&seen, &t2, ME, 15, 14000), KDR_K8S__LEASE_FOLLOW);
	assert_int_equal(seen.since_ms, 14000);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &t2, ME, 15, 29000), KDR_K8S__LEASE_FOLLOW);
	/* So does a new holder with the same renewTime. */
	assert_int_equal(kdr_k8s__lease_decide(&seen, &moved, ME, 15, 29500), KDR_K8S__LEASE_FOLLOW);
	assert_int_equal(seen.since_ms, 29500);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &moved, ME, 15, 44501), KDR_K8S__LEASE_TAKE_OVER);
	kdr_k8s__lease_seen_release(&seen);
}

static void test_lease_without_duration_uses_ours(void **state)
{
	struct kdr_k8s__lease_seen seen = { 0 };
	struct kdr_k8s__lease_read no_duration = lease_of(OTHER, "r1", 0);
	struct kdr_k8s__lease_read negative = lease_of(OTHER, "r2", -5);
	struct kdr_k8s__lease_read huge = lease_of(OTHER, "r3", INT64_MAX);

	(void)state;
	assert_int_equal(kdr_k8s__lease_decide(&seen, &no_duration, ME, 10, 0), KDR_K8S__LEASE_FOLLOW);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &no_duration, ME, 10, 10001), KDR_K8S__LEASE_TAKE_OVER);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &negative, ME, 10, 20000), KDR_K8S__LEASE_FOLLOW);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &negative, ME, 10, 30001), KDR_K8S__LEASE_TAKE_OVER);
	/* A document's absurd duration saturates (no overflow): that holder is never expired. */
	assert_int_equal(kdr_k8s__lease_decide(&seen, &huge, ME, 10, 40000), KDR_K8S__LEASE_FOLLOW);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &huge, ME, 10, INT64_MAX), KDR_K8S__LEASE_FOLLOW);
	kdr_k8s__lease_seen_release(&seen);
}

static void test_lease_clock_jumps(void **state)
{
	struct kdr_k8s__lease_seen seen = { 0 };
	struct kdr_k8s__lease_read theirs = lease_of(OTHER, "r1", 15);

	(void)state;
	assert_int_equal(kdr_k8s__lease_decide(&seen, &theirs, ME, 15, 50000), KDR_K8S__LEASE_FOLLOW);
	/* Back before the first sighting: the wait restarts from the new reading, no take-over. */
	assert_int_equal(kdr_k8s__lease_decide(&seen, &theirs, ME, 15, 1000), KDR_K8S__LEASE_FOLLOW);
	assert_int_equal(seen.since_ms, 1000);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &theirs, ME, 15, 16000), KDR_K8S__LEASE_FOLLOW);
	/* Forward past the duration (a suspended process): an unchanged holder is expired. */
	assert_int_equal(kdr_k8s__lease_decide(&seen, &theirs, ME, 15, 16001), KDR_K8S__LEASE_TAKE_OVER);
	assert_int_equal(kdr_k8s__lease_decide(&seen, &theirs, ME, 15, 16001 + 86400000), KDR_K8S__LEASE_TAKE_OVER);
	kdr_k8s__lease_seen_release(&seen);
}

static void test_lease_current(void **state)
{
	(void)state;
	assert_true(kdr_k8s__lease_current(1000, 1000, 15));
	assert_true(kdr_k8s__lease_current(1000, 16000, 15));
	/* Not renewed within the duration: another replica may hold it now. */
	assert_false(kdr_k8s__lease_current(1000, 16001, 15));
	assert_false(kdr_k8s__lease_current(1000, INT64_MAX, 15));
	/* A clock before our last write: not trusted until the next renewal. */
	assert_false(kdr_k8s__lease_current(1000, 999, 15));
	/* Never written (0) and a clock far from it. */
	assert_false(kdr_k8s__lease_current(0, 15001, 15));
	assert_true(kdr_k8s__lease_current(0, 0, 15));
}

/* The commands' and the loop's one opening of a selection: the kubeconfig's context listed, or a directory. */
static void test_selection_opens_its_source(void **state)
{
	struct kdr_source source = { NULL, NULL };
	char *path = write_file("config", kubeconfig);
	struct kdr_source_selection sel = { .k8s = true, .kubeconfig = path, .context = "one", .namespace = "kafka" };

	(void)state;
	assert_int_equal(kdr_k8s_source_open(&source, &sel, 0, 1000, NULL), 0);
	assert_string_equal(kdr_source_describe(&source), "k8s https://127.0.0.1:6443 namespace kafka");
	assert_non_null(kdr_source_resolver(&source)); /* secretKeyRef: the namespace's Secrets */
	kdr_source_release(&source);

	sel.context = "nocluster";
	assert_int_equal(kdr_k8s_source_open(&source, &sel, 0, 1000, NULL), KDR_ENOTFOUND);
	assert_null(source.ops);

	sel = (struct kdr_source_selection){ .dir = tmpdir };
	assert_int_equal(kdr_k8s_source_open(&source, &sel, 0, 1000, NULL), 0);
	assert_non_null(strstr(kdr_source_describe(&source), "dir /tmp/kdr-test-k8s-"));
	kdr_source_release(&source);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kubeconfig_current_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kubeconfig_named_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kubeconfig_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selection_opens_its_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_cluster, setup, teardown),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_parse_objects),
		cmocka_unit_test(test_every_error_in_one_run),
		cmocka_unit_test(test_status_build),
		cmocka_unit_test(test_lease_absent_is_created),
		cmocka_unit_test(test_lease_ours_is_renewed),
		cmocka_unit_test(test_lease_free_is_taken_at_once),
		cmocka_unit_test(test_lease_holder_expires_by_our_clock),
		cmocka_unit_test(test_lease_renewed_holder_is_followed),
		cmocka_unit_test(test_lease_without_duration_uses_ours),
		cmocka_unit_test(test_lease_clock_jumps),
		cmocka_unit_test(test_lease_current),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
