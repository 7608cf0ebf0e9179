/*
 * The test bed (testbed.h): one API over the in-process sandbox and the
 * external launchers (kdr-sandbox, hack/kafka-real). The reset of a shared
 * bed talks to Kafka and Connect with plain librdkafka and libcurl, never
 * through kdr's own code (a kdr bug must not clean up after itself).
 */
#include "testbed.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strmap.h"

#ifndef KDR_SOURCE_DIR
#define KDR_SOURCE_DIR "."
#endif
#ifndef KDR_BINARY_DIR
#define KDR_BINARY_DIR "."
#endif

/* Per admin request of a reset: real brokers answer in milliseconds, but a JVM under load may pause. */
#define TESTBED_ADMIN_TIMEOUT_MS 30000
/* How long a reset waits for deleted topics and connectors to be gone everywhere. */
#define TESTBED_SETTLE_MS 60000

struct testbed_cluster {
	struct kdr_sandbox_cluster_spec spec; /* deep copy: name, racks, sasl, cluster_id owned */
	char *bootstrap;
	char *connect_url;
	char *cluster_id;
	struct kdr_strmap baseline_topics; /* name -> "" present when the bed was ready */
	struct kdr_strmap baseline_groups;
	struct kdr_strmap baseline_broker_configs; /* broker id -> its sorted dynamic "k=v\n" set; "*": the default level */
	struct kdr_strmap baseline_effective;	    /* every config of the first broker -> its value at start */
};

struct kdr_testbed {
	enum kdr_testbed_backend backend;
	struct kdr_sandbox *sandbox; /* in-process only */
	struct testbed_cluster *clusters;
	size_t n;
	/* external only */
	pid_t pid;
	char *dir; /* temp dir holding config, ready file and the launcher's log */
	char *bin;
	char *control; /* "127.0.0.1:PORT" of the launcher's control channel (the ready file's "control"), or NULL */
	bool shared;
};

/* The binary's shared bed (external backends), started by the first acquire from the specs kdr_testbed_share kept. */
static struct kdr_testbed *shared_bed;
static struct kdr_sandbox_cluster_spec *shared_specs;
static size_t n_shared_specs;
static bool shared_failed; /* it could not start: every acquire fails at once instead of trying again */

static int64_t now_ms(void)
{
	struct timespec ts = {0, 0};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

enum kdr_testbed_backend kdr_testbed_backend(void)
{
	const char *name = getenv("KDR_BACKEND");

	if (!name || !*name || strcmp(name, "sandbox") == 0)
		return KDR_TESTBED_SANDBOX;
	if (strcmp(name, "kafka") == 0)
		return KDR_TESTBED_KAFKA;
	if (strcmp(name, "sandbox-process") == 0)
		return KDR_TESTBED_SANDBOX_PROCESS;
	fprintf(stderr, "KDR_BACKEND='%s': expected sandbox, kafka or sandbox-process\n", name);
	abort();
}

const char *kdr_testbed_backend_name(void)
{
	switch (kdr_testbed_backend()) {
	case KDR_TESTBED_KAFKA:
		return "kafka";
	case KDR_TESTBED_SANDBOX_PROCESS:
		return "sandbox-process";
	case KDR_TESTBED_SANDBOX:
	default:
		return "sandbox";
	}
}

/* The launcher of an external backend: an owned path. */
static char *launcher_path(enum kdr_testbed_backend backend)
{
	const char *bin = NULL;
	const char *source = getenv("KDR_SOURCE_DIR");

	if (backend == KDR_TESTBED_KAFKA) {
		bin = getenv("KDR_KAFKA_REAL_BIN");
		if (bin && *bin)
			return kdr_strdup(bin);
		return kdr_asprintf("%s/hack/kafka-real", source && *source ? source : KDR_SOURCE_DIR);
	}
	bin = getenv("KDR_SANDBOX_BIN");
	if (bin && *bin)
		return kdr_strdup(bin);
	return kdr_strdup(KDR_BINARY_DIR "/kdr-sandbox");
}

void kdr_testbed_announce(const char *binary)
{
	enum kdr_testbed_backend backend = kdr_testbed_backend();
	char *bin = NULL;

	const char *delay = getenv("KDR_SANDBOX_CONNECT_DELAY_MS");

	if (backend == KDR_TESTBED_SANDBOX) {
		printf("%s: backend sandbox (in-process, a fresh bed per test; Connect state delay %s ms)\n", binary,
		       delay && *delay ? delay : "0");
	} else {
		bin = launcher_path(backend);
		printf("%s: backend %s (%s, one shared bed reset between tests)\n", binary, kdr_testbed_backend_name(),
		       bin);
		free(bin);
	}
	fflush(stdout);
}

/* --- clusters --- */

static void spec_release(struct kdr_sandbox_cluster_spec *spec)
{
	for (size_t r = 0; r < spec->n_racks; r++)
		free((char *)spec->racks[r]);
	free((void *)spec->racks);
	free((char *)spec->name);
	free((char *)spec->sasl_username);
	free((char *)spec->sasl_password);
	free((char *)spec->cluster_id);
	for (size_t u = 0; u < 2 * spec->n_users; u++)
		free((char *)spec->users[u]);
	free((void *)spec->users);
}

static void cluster_release(struct testbed_cluster *cl)
{
	spec_release(&cl->spec);
	free(cl->bootstrap);
	free(cl->connect_url);
	free(cl->cluster_id);
	kdr_strmap_release(&cl->baseline_topics);
	kdr_strmap_release(&cl->baseline_groups);
	kdr_strmap_release(&cl->baseline_broker_configs);
	kdr_strmap_release(&cl->baseline_effective);
}

static char *dup_or_null(const char *s)
{
	return s ? kdr_strdup(s) : NULL;
}

static void spec_copy(struct kdr_sandbox_cluster_spec *out, const struct kdr_sandbox_cluster_spec *spec)
{
	const char **racks = NULL;

	*out = *spec;
	out->name = kdr_strdup(spec->name);
	if (spec->n_racks) {
		racks = kdr_calloc(spec->n_racks, sizeof(*racks));
		for (size_t r = 0; r < spec->n_racks; r++)
			racks[r] = kdr_strdup(spec->racks[r]);
	}
	out->racks = racks;
	out->sasl_username = dup_or_null(spec->sasl_username);
	out->sasl_password = dup_or_null(spec->sasl_password);
	out->cluster_id = dup_or_null(spec->cluster_id);
	out->users = NULL;
	if (spec->n_users) {
		const char **users = kdr_calloc(2 * spec->n_users, sizeof(*users));

		for (size_t u = 0; u < 2 * spec->n_users; u++)
			users[u] = kdr_strdup(spec->users[u]);
		out->users = users;
	}
}

static const struct testbed_cluster *cluster_find(const struct kdr_testbed *bed, const char *name)
{
	for (size_t i = 0; bed && name && i < bed->n; i++)
		if (strcmp(bed->clusters[i].spec.name, name) == 0)
			return &bed->clusters[i];
	return NULL;
}

/* --- librdkafka, independent of kdr --- */

static rd_kafka_t *admin_client(const struct testbed_cluster *cl)
{
	char errstr[256] = "";
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;

	rd_kafka_conf_set(conf, "bootstrap.servers", cl->bootstrap, errstr, sizeof(errstr));
	rd_kafka_conf_set(conf, "client.id", "testbed-reset", errstr, sizeof(errstr));
	rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
	if (cl->spec.sasl_username) {
		rd_kafka_conf_set(conf, "security.protocol", "SASL_PLAINTEXT", errstr, sizeof(errstr));
		rd_kafka_conf_set(conf, "sasl.mechanisms", "PLAIN", errstr, sizeof(errstr));
		rd_kafka_conf_set(conf, "sasl.username", cl->spec.sasl_username, errstr, sizeof(errstr));
		rd_kafka_conf_set(conf, "sasl.password", cl->spec.sasl_password, errstr, sizeof(errstr));
	}
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!rk)
		kdr_error_set(KDR_EINVALID, "testbed: cluster '%s': client: %s", cl->spec.name, errstr);
	return rk;
}

/* Every topic name of the cluster (fresh Metadata) into `out` (name -> ""). */
static int list_topics(struct kdr_strmap *out, rd_kafka_t *rk, const char *cluster)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, TESTBED_ADMIN_TIMEOUT_MS);

	if (err)
		return kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': metadata: %s", cluster,
				     rd_kafka_err2str(err));
	for (int i = 0; i < md->topic_cnt; i++)
		kdr_strmap_set(out, md->topics[i].topic, "");
	rd_kafka_metadata_destroy(md);
	return 0;
}

static rd_kafka_event_t *admin_wait(rd_kafka_queue_t *queue)
{
	return rd_kafka_queue_poll(queue, TESTBED_ADMIN_TIMEOUT_MS + 5000);
}

static int list_groups(struct kdr_strmap *out, rd_kafka_t *rk, const char *cluster)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ListConsumerGroups_result_t *result = NULL;
	const rd_kafka_ConsumerGroupListing_t **groups = NULL;
	size_t n = 0;
	int rc = 0;

	rd_kafka_ListConsumerGroups(rk, NULL, queue);
	ev = admin_wait(queue);
	if (!ev || rd_kafka_event_error(ev)) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': list groups: %s", cluster,
				   ev ? rd_kafka_event_error_string(ev) : "timed out");
		goto cleanup;
	}
	result = rd_kafka_event_ListConsumerGroups_result(ev);
	groups = rd_kafka_ListConsumerGroups_result_valid(result, &n);
	for (size_t i = 0; i < n; i++)
		kdr_strmap_set(out, rd_kafka_ConsumerGroupListing_group_id(groups[i]), "");
cleanup:
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_queue_destroy(queue);
	return rc;
}

/* The broker ids Metadata lists. */
static int list_brokers(int32_t *ids, size_t cap, size_t *n, rd_kafka_t *rk, const char *cluster)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, NULL, &md, TESTBED_ADMIN_TIMEOUT_MS);

	*n = 0;
	if (err)
		return kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': metadata: %s", cluster,
				     rd_kafka_err2str(err));
	for (int i = 0; i < md->broker_cnt && *n < cap; i++)
		ids[(*n)++] = md->brokers[i].id;
	rd_kafka_metadata_destroy(md);
	return 0;
}

/*
 * One broker's dynamic (DYNAMIC_BROKER_CONFIG) set as sorted "key=value\n"
 * lines into out (id -> text), and the cluster-wide default level
 * (DYNAMIC_DEFAULT_BROKER_CONFIG) under "*".
 */
static int describe_broker(struct kdr_strmap *out, struct kdr_strmap *effective, rd_kafka_t *rk, const char *cluster,
			   int32_t id)
{
	char name[16] = "";
	rd_kafka_ConfigResource_t *resource = NULL;
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConfigResource_t **results = NULL;
	const rd_kafka_ConfigEntry_t **entries = NULL;
	size_t n_results = 0, n_entries = 0;
	struct kdr_strmap dynamic = KDR_STRMAP_INIT, defaults = KDR_STRMAP_INIT;
	struct kdr_buf text = KDR_BUF_INIT;
	int rc = 0;

	/* librdkafka sends a BROKER resource to that broker, one per call. */
	snprintf(name, sizeof(name), "%d", (int)id);
	resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, name);
	rd_kafka_DescribeConfigs(rk, &resource, 1, NULL, queue);
	ev = admin_wait(queue);
	if (!ev || rd_kafka_event_error(ev)) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': describe broker %s: %s", cluster, name,
				   ev ? rd_kafka_event_error_string(ev) : "timed out");
		goto cleanup;
	}
	results = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n_results);
	if (n_results != 1 || rd_kafka_ConfigResource_error(results[0])) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': broker %s configs: %s", cluster, name,
				   n_results ? rd_kafka_ConfigResource_error_string(results[0]) : "no result");
		goto cleanup;
	}
	entries = rd_kafka_ConfigResource_configs(results[0], &n_entries);
	for (size_t e = 0; e < n_entries; e++) {
		const char *value = rd_kafka_ConfigEntry_value(entries[e]);
		rd_kafka_ConfigSource_t source = rd_kafka_ConfigEntry_source(entries[e]);

		if (effective)
			kdr_strmap_set(effective, rd_kafka_ConfigEntry_name(entries[e]), value ? value : "(null)");
		if (source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG)
			kdr_strmap_set(&dynamic, rd_kafka_ConfigEntry_name(entries[e]), value ? value : "(null)");
		else if (source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG)
			kdr_strmap_set(&defaults, rd_kafka_ConfigEntry_name(entries[e]), value ? value : "(null)");
	}
	for (size_t k = 0; k < dynamic.n; k++)
		kdr_buf_printf(&text, "%s=%s\n", dynamic.v[k].key, dynamic.v[k].value);
	kdr_strmap_set(out, name, text.ptr ? text.ptr : "");
	kdr_buf_reset(&text);
	for (size_t k = 0; k < defaults.n; k++)
		kdr_buf_printf(&text, "%s=%s\n", defaults.v[k].key, defaults.v[k].value);
	kdr_strmap_set(out, "*", text.ptr ? text.ptr : "");
cleanup:
	kdr_strmap_release(&defaults);
	kdr_buf_release(&text);
	kdr_strmap_release(&dynamic);
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(resource);
	rd_kafka_queue_destroy(queue);
	return rc;
}

/* Every live broker's dynamic set (see describe_broker); `effective` (may be NULL) gets the first one's values. */
static int describe_broker_configs(struct kdr_strmap *out, struct kdr_strmap *effective, rd_kafka_t *rk,
				   const char *cluster)
{
	int32_t ids[128] = {0};
	size_t n_ids = 0;
	int rc = list_brokers(ids, 128, &n_ids, rk, cluster);

	for (size_t i = 0; rc == 0 && i < n_ids; i++)
		rc = describe_broker(out, i == 0 ? effective : NULL, rk, cluster, ids[i]);
	return rc;
}

/* Replaces broker `id`'s dynamic set with `text` ("key=value\n" lines; "" deletes them all), legacy AlterConfigs. */
static int restore_broker_configs(rd_kafka_t *rk, const char *cluster, const char *id, const char *text)
{
	rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, id);
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConfigResource_t **results = NULL;
	size_t n_results = 0;
	char *copy = kdr_strdup(text);
	char *save = NULL;
	int rc = 0;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		rd_kafka_ConfigResource_set_config(resource, line, eq + 1);
	}
	rd_kafka_AlterConfigs(rk, &resource, 1, NULL, queue);
	ev = admin_wait(queue);
	if (!ev || rd_kafka_event_error(ev)) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': broker %s: alter configs: %s", cluster, id,
				   ev ? rd_kafka_event_error_string(ev) : "timed out");
		goto cleanup;
	}
	results = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n_results);
	if (n_results != 1 || rd_kafka_ConfigResource_error(results[0]))
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': broker %s: alter configs: %s", cluster, id,
				   n_results ? rd_kafka_ConfigResource_error_string(results[0]) : "no result");
cleanup:
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(resource);
	rd_kafka_queue_destroy(queue);
	free(copy);
	return rc;
}

static int delete_topics(rd_kafka_t *rk, const char *cluster, const struct kdr_strmap *names)
{
	rd_kafka_DeleteTopic_t **topics = kdr_calloc(names->n + 1, sizeof(*topics));
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_topic_result_t **results = NULL;
	size_t n_results = 0;
	int rc = 0;

	for (size_t i = 0; i < names->n; i++)
		topics[i] = rd_kafka_DeleteTopic_new(names->v[i].key);
	rd_kafka_DeleteTopics(rk, topics, names->n, NULL, queue);
	ev = admin_wait(queue);
	if (!ev || rd_kafka_event_error(ev)) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': delete topics: %s", cluster,
				   ev ? rd_kafka_event_error_string(ev) : "timed out");
		goto cleanup;
	}
	results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n_results);
	for (size_t i = 0; i < n_results; i++) {
		rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);

		if (err && err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
			rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': delete topic '%s': %s", cluster,
					   rd_kafka_topic_result_name(results[i]), rd_kafka_err2str(err));
			goto cleanup;
		}
	}
cleanup:
	if (ev)
		rd_kafka_event_destroy(ev);
	for (size_t i = 0; i < names->n; i++)
		rd_kafka_DeleteTopic_destroy(topics[i]);
	free(topics);
	rd_kafka_queue_destroy(queue);
	return rc;
}

/* Deletes the groups; NON_EMPTY_GROUP and GROUP_ID_NOT_FOUND are left alone (not ours, or gone). */
static int delete_groups(rd_kafka_t *rk, const char *cluster, const struct kdr_strmap *names)
{
	rd_kafka_DeleteGroup_t **groups = kdr_calloc(names->n + 1, sizeof(*groups));
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_event_t *ev = NULL;
	int rc = 0;

	for (size_t i = 0; i < names->n; i++)
		groups[i] = rd_kafka_DeleteGroup_new(names->v[i].key);
	rd_kafka_DeleteGroups(rk, groups, names->n, NULL, queue);
	ev = admin_wait(queue);
	if (!ev)
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': delete groups: timed out", cluster);
	if (ev)
		rd_kafka_event_destroy(ev);
	for (size_t i = 0; i < names->n; i++)
		rd_kafka_DeleteGroup_destroy(groups[i]);
	free(groups);
	rd_kafka_queue_destroy(queue);
	return rc;
}

/* Deletes every ACL binding of the cluster (a match-any filter): a new cluster has none. */
static int delete_all_acls(rd_kafka_t *rk, const char *cluster)
{
	char errstr[256] = "";
	rd_kafka_AclBindingFilter_t *filter = rd_kafka_AclBindingFilter_new(
	    RD_KAFKA_RESOURCE_ANY, NULL, RD_KAFKA_RESOURCE_PATTERN_ANY, NULL, NULL, RD_KAFKA_ACL_OPERATION_ANY,
	    RD_KAFKA_ACL_PERMISSION_TYPE_ANY, errstr, sizeof(errstr));
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_event_t *ev = NULL;
	int rc = 0;

	if (!filter) {
		rc = kdr_error_set(KDR_EINVALID, "testbed: cluster '%s': ACL filter: %s", cluster, errstr);
		goto cleanup;
	}
	rd_kafka_DeleteAcls(rk, &filter, 1, NULL, queue);
	ev = admin_wait(queue);
	if (!ev || rd_kafka_event_error(ev))
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: cluster '%s': delete ACLs: %s", cluster,
				   ev ? rd_kafka_event_error_string(ev) : "timed out");
cleanup:
	if (ev)
		rd_kafka_event_destroy(ev);
	if (filter)
		rd_kafka_AclBinding_destroy(filter);
	rd_kafka_queue_destroy(queue);
	return rc;
}

/* --- Connect REST, with plain libcurl --- */

static size_t curl_collect(char *data, size_t size, size_t n, void *arg)
{
	kdr_buf_put(arg, data, size * n);
	return size * n;
}

/* One request; *status gets the HTTP status (0 when unreachable), body the answer. */
static int http(const char *method, const char *url, struct kdr_buf *body, long *status)
{
	CURL *curl = curl_easy_init();
	CURLcode code = CURLE_OK;

	*status = 0;
	if (!curl)
		return kdr_error_set(KDR_EIO, "testbed: curl_easy_init failed");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, curl_collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)TESTBED_ADMIN_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	code = curl_easy_perform(curl);
	if (code == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(curl);
	if (code != CURLE_OK)
		return kdr_error_set(KDR_EUNAVAILABLE, "testbed: %s %s: %s", method, url, curl_easy_strerror(code));
	return 0;
}

/* The worker's connector names, as a JSON array (caller json_decref's it). */
static int list_connectors(json_t **out, const char *url)
{
	char *endpoint = kdr_asprintf("%s/connectors", url);
	struct kdr_buf body = KDR_BUF_INIT;
	long status = 0;
	int rc = http("GET", endpoint, &body, &status);

	*out = NULL;
	if (rc == 0 && status == 200)
		*out = json_loads(body.ptr ? body.ptr : "", 0, NULL);
	if (rc == 0 && (!*out || !json_is_array(*out))) {
		json_decref(*out);
		*out = NULL;
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: GET %s: HTTP %ld: %s", endpoint, status,
				   body.ptr ? body.ptr : "");
	}
	kdr_buf_release(&body);
	free(endpoint);
	return rc;
}

/* Deletes every connector of the worker and waits until it lists none (a rebalance may answer 409: ask again). */
static int reset_connect(const struct testbed_cluster *cl)
{
	int64_t deadline = now_ms() + TESTBED_SETTLE_MS;
	CURL *curl = curl_easy_init();
	int rc = 0;

	for (;;) {
		json_t *names = NULL;
		json_t *name = NULL;
		size_t i = 0;

		rc = list_connectors(&names, cl->connect_url);
		if (rc == 0 && json_array_size(names) == 0) {
			json_decref(names);
			break;
		}
		json_array_foreach(names, i, name)
		{
			char *escaped = curl_easy_escape(curl, json_string_value(name), 0);
			char *endpoint = kdr_asprintf("%s/connectors/%s", cl->connect_url, escaped);
			struct kdr_buf body = KDR_BUF_INIT;
			long status = 0;

			http("DELETE", endpoint, &body, &status);
			kdr_buf_release(&body);
			free(endpoint);
			curl_free(escaped);
		}
		json_decref(names);
		if (now_ms() > deadline) {
			rc = kdr_error_set(KDR_ETIMEOUT, "testbed: cluster '%s': connectors still listed after %d ms%s%s",
					   cl->spec.name, TESTBED_SETTLE_MS, rc ? ": " : "", rc ? kdr_error_message() : "");
			break;
		}
		sleep_ms(200);
	}
	curl_easy_cleanup(curl);
	return rc;
}

/* --- Kafka's own command-line tools (the kafka backend's jars) --- */

/* The classpath (the lib directory of hack/kafka/fetch.sh, every jar); owned, NULL when it cannot tell. */
static char *kafka_classpath(void)
{
	const char *source = getenv("KDR_SOURCE_DIR");
	char *command = kdr_asprintf("'%s/hack/kafka/fetch.sh' --print-dir 2>/dev/null",
				     source && *source ? source : KDR_SOURCE_DIR);
	FILE *pipe = popen(command, "r");
	char line[4096] = "";
	char *classpath = NULL;

	if (pipe && fgets(line, sizeof(line), pipe)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			classpath = kdr_asprintf("%s/lib/*", line);
	}
	if (pipe)
		pclose(pipe);
	free(command);
	return classpath;
}

int kdr_testbed_kafka_tool(const struct kdr_testbed *bed, const char *cluster, const char *main_class,
			   const char *const *args)
{
	const struct testbed_cluster *cl = cluster_find(bed, cluster);
	char *classpath = NULL, *log = NULL;
	const char *argv[64] = {NULL};
	size_t n = 0;
	pid_t pid = 0;
	int status = 0, rc = 0;
	int64_t deadline = now_ms() + 120000;

	if (!cl || bed->backend != KDR_TESTBED_KAFKA)
		return kdr_error_set(KDR_EUNSUPPORTED, "testbed: Kafka's tools run on the kafka backend only");
	if (cl->spec.sasl_username)
		return kdr_error_set(KDR_EUNSUPPORTED, "testbed: Kafka's tools on a SASL cluster are not wired up");
	classpath = kafka_classpath();
	if (!classpath)
		return kdr_error_set(KDR_ENOTFOUND, "testbed: hack/kafka/fetch.sh --print-dir named no jar cache");
	log = kdr_asprintf("%s/tool.log", bed->dir);
	argv[n++] = "java";
	argv[n++] = "-Xmx256m";
	argv[n++] = "-XX:TieredStopAtLevel=1";
	argv[n++] = "-cp";
	argv[n++] = classpath;
	argv[n++] = main_class;
	argv[n++] = "--bootstrap-server";
	argv[n++] = cl->bootstrap;
	for (size_t i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execvp("java", (char *const *)argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		sleep_ms(50);
	}
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		struct kdr_buf out = KDR_BUF_INIT;
		FILE *f = fopen(log, "r");
		char chunk[2048];
		size_t got = 0;

		while (f && (got = fread(chunk, 1, sizeof(chunk), f)) > 0 && out.len < 4000)
			kdr_buf_put(&out, chunk, got);
		if (f)
			fclose(f);
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: %s failed (status %d): %s", main_class,
				   WIFEXITED(status) ? WEXITSTATUS(status) : -1, out.ptr ? out.ptr : "");
		kdr_buf_release(&out);
	}
	unlink(log);
	free(log);
	free(classpath);
	return rc;
}

/*
 * Puts the cluster-wide default broker configs back from `now` to `was`
 * ("key=value\n" lines): librdkafka 2.0.2 cannot name the default resource,
 * so this is kafka-configs (kafka.admin.ConfigCommand) on the kafka backend.
 */
static int restore_default_configs(const struct kdr_testbed *bed, const struct testbed_cluster *cl, const char *now,
				   const char *was, bool *rebaseline)
{
	struct kdr_buf remove = KDR_BUF_INIT, add = KDR_BUF_INIT;
	char *copy = kdr_strdup(now);
	char *save = NULL;
	int rc = 0;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (eq) {
			*eq = '\0';
			kdr_buf_printf(&remove, "%s%s", remove.len ? "," : "", line);
		}
	}
	free(copy);
	copy = kdr_strdup(was);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		kdr_buf_printf(&add, "%s%s", add.len ? "," : "", line);
	if (remove.len) {
		const char *args[] = {"--entity-type", "brokers", "--entity-default", "--alter", "--delete-config",
				      remove.ptr, NULL};

		rc = kdr_testbed_kafka_tool(bed, cl->spec.name, "kafka.admin.ConfigCommand", args);
	}
	if (rc != 0 && strstr(kdr_error_message(), "cannot be removed")) {
		/*
		 * Kafka 4.1 refuses to remove a cluster-level min.insync.replicas
		 * while ELR is enabled: set each key back to the value the brokers
		 * had at start instead (same effect, source DYNAMIC_DEFAULT_BROKER_CONFIG).
		 */
		struct kdr_buf back = KDR_BUF_INIT;
		char *keys = kdr_strdup(remove.ptr);

		for (char *key = strtok_r(keys, ",", &save); key; key = strtok_r(NULL, ",", &save)) {
			const char *value = kdr_strmap_get(&cl->baseline_effective, key);

			if (value)
				kdr_buf_printf(&back, "%s%s=%s", back.len ? "," : "", key, value);
		}
		if (back.len) {
			const char *args[] = {"--entity-type", "brokers", "--entity-default", "--alter", "--add-config",
					      back.ptr, NULL};

			rc = kdr_testbed_kafka_tool(bed, cl->spec.name, "kafka.admin.ConfigCommand", args);
		}
		if (rc == 0)
			*rebaseline = true;
		kdr_buf_release(&back);
		free(keys);
	}
	if (rc == 0 && add.len) {
		const char *args[] = {"--entity-type", "brokers", "--entity-default", "--alter", "--add-config",
				      add.ptr, NULL};

		rc = kdr_testbed_kafka_tool(bed, cl->spec.name, "kafka.admin.ConfigCommand", args);
	}
	free(copy);
	kdr_buf_release(&remove);
	kdr_buf_release(&add);
	return rc;
}

static int control_command(const struct kdr_testbed *bed, const char *command);

/* --- baseline and reset (external backends) --- */

static int capture_baseline(struct testbed_cluster *cl)
{
	rd_kafka_t *rk = admin_client(cl);
	int rc = 0;

	if (!rk)
		return KDR_EINVALID;
	rc = list_topics(&cl->baseline_topics, rk, cl->spec.name);
	if (rc == 0)
		rc = list_groups(&cl->baseline_groups, rk, cl->spec.name);
	if (rc == 0)
		rc = describe_broker_configs(&cl->baseline_broker_configs, &cl->baseline_effective, rk, cl->spec.name);
	rd_kafka_destroy(rk);
	return rc;
}

/* Waits until Metadata lists none of `names`. */
static int wait_topics_gone(rd_kafka_t *rk, const char *cluster, const struct kdr_strmap *names)
{
	int64_t deadline = now_ms() + TESTBED_SETTLE_MS;

	for (;;) {
		struct kdr_strmap live = KDR_STRMAP_INIT;
		size_t left = 0;
		const char *example = NULL;
		int rc = list_topics(&live, rk, cluster);

		for (size_t i = 0; rc == 0 && i < names->n; i++)
			if (kdr_strmap_has(&live, names->v[i].key)) {
				left++;
				example = example ? example : names->v[i].key;
			}
		if (rc == 0 && left == 0) {
			kdr_strmap_release(&live);
			return 0;
		}
		if (now_ms() > deadline) {
			rc = kdr_error_set(KDR_ETIMEOUT, "testbed: cluster '%s': %zu deleted topic(s) still listed (e.g. '%s')",
					   cluster, left, example ? example : "?");
			kdr_strmap_release(&live);
			return rc;
		}
		kdr_strmap_release(&live);
		sleep_ms(100);
	}
}

static int reset_cluster(const struct kdr_testbed *bed, struct testbed_cluster *cl)
{
	struct kdr_strmap topics = KDR_STRMAP_INIT, doomed = KDR_STRMAP_INIT;
	struct kdr_strmap groups = KDR_STRMAP_INIT, extra_groups = KDR_STRMAP_INIT;
	struct kdr_strmap brokers = KDR_STRMAP_INIT;
	rd_kafka_t *rk = NULL;
	int rc = 0;

	/* Connectors first: MirrorMaker 2 would recreate the topics deleted below. */
	if (cl->connect_url && (rc = reset_connect(cl)) != 0)
		return rc;
	rk = admin_client(cl);
	if (!rk)
		return KDR_EINVALID;
	if ((rc = list_topics(&topics, rk, cl->spec.name)) != 0)
		goto cleanup;
	for (size_t i = 0; i < topics.n; i++)
		if (strncmp(topics.v[i].key, "__", 2) != 0 && !kdr_strmap_has(&cl->baseline_topics, topics.v[i].key))
			kdr_strmap_set(&doomed, topics.v[i].key, "");
	if (doomed.n && ((rc = delete_topics(rk, cl->spec.name, &doomed)) != 0 ||
			 (rc = wait_topics_gone(rk, cl->spec.name, &doomed)) != 0))
		goto cleanup;
	if ((rc = list_groups(&groups, rk, cl->spec.name)) != 0)
		goto cleanup;
	for (size_t i = 0; i < groups.n; i++)
		if (!kdr_strmap_has(&cl->baseline_groups, groups.v[i].key))
			kdr_strmap_set(&extra_groups, groups.v[i].key, "");
	if (extra_groups.n && (rc = delete_groups(rk, cl->spec.name, &extra_groups)) != 0)
		goto cleanup;
	if (!cl->spec.no_authorizer && (rc = delete_all_acls(rk, cl->spec.name)) != 0)
		goto cleanup;
	if ((rc = describe_broker_configs(&brokers, NULL, rk, cl->spec.name)) != 0)
		goto cleanup;
	for (size_t i = 0; i < brokers.n; i++) {
		const char *was = kdr_strmap_get(&cl->baseline_broker_configs, brokers.v[i].key);

		if (strcmp(brokers.v[i].key, "*") == 0) {
			bool rebaseline = false;

			if (strcmp(brokers.v[i].value, was ? was : "") == 0)
				continue;
			rc = restore_default_configs(bed, cl, brokers.v[i].value, was ? was : "", &rebaseline);
			if (rc != 0)
				goto cleanup;
			if (rebaseline) {
				/* What could not be removed now holds its old value: the new baseline. */
				kdr_strmap_release(&cl->baseline_broker_configs);
				rc = describe_broker_configs(&cl->baseline_broker_configs, NULL, rk, cl->spec.name);
				if (rc != 0)
					goto cleanup;
			}
			continue;
		}
		if (strcmp(brokers.v[i].value, was ? was : "") != 0 &&
		    (rc = restore_broker_configs(rk, cl->spec.name, brokers.v[i].key, was ? was : "")) != 0)
			goto cleanup;
	}
cleanup:
	kdr_strmap_release(&topics);
	kdr_strmap_release(&doomed);
	kdr_strmap_release(&groups);
	kdr_strmap_release(&extra_groups);
	kdr_strmap_release(&brokers);
	rd_kafka_destroy(rk);
	return rc;
}

int kdr_testbed_reset(struct kdr_testbed *bed)
{
	int64_t t0 = now_ms();

	if (!bed || bed->backend == KDR_TESTBED_SANDBOX)
		return 0;
	/* What a test took down (and, failing, did not bring back) comes up first. */
	if (bed->control) {
		int rc = control_command(bed, "all-up");

		if (rc != 0)
			return rc;
	}
	for (size_t i = 0; i < bed->n; i++) {
		int rc = reset_cluster(bed, &bed->clusters[i]);

		if (rc != 0)
			return rc;
	}
	if (getenv("KDR_TESTBED_VERBOSE"))
		printf("testbed: reset in %lld ms\n", (long long)(now_ms() - t0));
	return 0;
}

/* --- the external launcher --- */

static void yaml_string(struct kdr_buf *out, const char *s)
{
	kdr_buf_put_json_string(out, s); /* a JSON string is a YAML double-quoted scalar */
}

static void write_config(struct kdr_buf *out, const struct kdr_sandbox_cluster_spec *specs, size_t n)
{
	kdr_buf_puts(out, "# written by tests/support/testbed.c\nclusters:\n");
	for (size_t i = 0; i < n; i++) {
		const struct kdr_sandbox_cluster_spec *spec = &specs[i];

		kdr_buf_puts(out, "  - name: ");
		yaml_string(out, spec->name);
		kdr_buf_printf(out, "\n    brokers: %d\n", spec->brokers > 0 ? spec->brokers : 1);
		if (spec->n_racks) {
			kdr_buf_puts(out, "    racks: [");
			for (size_t r = 0; r < spec->n_racks; r++) {
				kdr_buf_puts(out, r ? ", " : "");
				yaml_string(out, spec->racks[r]);
			}
			kdr_buf_puts(out, "]\n");
		}
		kdr_buf_printf(out, "    connect: %s\n", spec->connect ? "true" : "false");
		kdr_buf_printf(out, "    remoteStorage: %s\n", spec->remote_storage ? "true" : "false");
		kdr_buf_printf(out, "    autoCreateTopics: %s\n", spec->auto_create_topics ? "true" : "false");
		if (spec->cluster_id) {
			kdr_buf_puts(out, "    clusterId: ");
			yaml_string(out, spec->cluster_id);
			kdr_buf_puts(out, "\n");
		}
		if (spec->sasl_username) {
			kdr_buf_puts(out, "    sasl: {username: ");
			yaml_string(out, spec->sasl_username);
			kdr_buf_puts(out, ", password: ");
			yaml_string(out, spec->sasl_password ? spec->sasl_password : "");
			kdr_buf_puts(out, "}\n");
		}
		if (spec->n_users) {
			kdr_buf_puts(out, "    users: {");
			for (size_t u = 0; u < spec->n_users; u++) {
				kdr_buf_puts(out, u ? ", " : "");
				yaml_string(out, spec->users[2 * u]);
				kdr_buf_puts(out, ": ");
				yaml_string(out, spec->users[2 * u + 1]);
			}
			kdr_buf_puts(out, "}\n");
		}
		if (spec->authorizer)
			kdr_buf_puts(out, "    authorizer: true\n");
		if (spec->no_authorizer)
			kdr_buf_puts(out, "    noAuthorizer: true\n");
		if (spec->policy_min_replication_factor > 0 || spec->policy_max_partitions > 0) {
			kdr_buf_puts(out, "    createTopicPolicy: {");
			if (spec->policy_min_replication_factor > 0)
				kdr_buf_printf(out, "minReplicationFactor: %d%s", spec->policy_min_replication_factor,
					       spec->policy_max_partitions > 0 ? ", " : "");
			if (spec->policy_max_partitions > 0)
				kdr_buf_printf(out, "maxPartitions: %d", spec->policy_max_partitions);
			kdr_buf_puts(out, "}\n");
		}
	}
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return kdr_error_set(KDR_EIO, "testbed: %s: %s", path, strerror(errno));
	fputs(text, f);
	if (fclose(f) != 0)
		return kdr_error_set(KDR_EIO, "testbed: %s: %s", path, strerror(errno));
	return 0;
}

/* The last `max` bytes of the launcher's log, for error messages; owned. */
static char *log_tail(const struct kdr_testbed *bed, size_t max)
{
	char *path = kdr_asprintf("%s/launcher.log", bed->dir);
	struct kdr_buf text = KDR_BUF_INIT;
	FILE *f = fopen(path, "r");
	char chunk[4096];
	size_t n = 0;

	if (f) {
		long size = 0;

		fseek(f, 0, SEEK_END);
		size = ftell(f);
		if (size > (long)max)
			fseek(f, size - (long)max, SEEK_SET);
		else
			fseek(f, 0, SEEK_SET);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			kdr_buf_put(&text, chunk, n);
		fclose(f);
	}
	free(path);
	if (!text.ptr)
		return kdr_strdup("");
	return kdr_buf_detach(&text);
}

static int parse_ready(struct kdr_testbed *bed, const char *path)
{
	json_error_t error = {0};
	json_t *root = json_load_file(path, 0, &error);
	json_t *clusters = json_object_get(root, "clusters");
	int rc = 0;

	if (!json_is_object(clusters)) {
		rc = kdr_error_set(KDR_EINVALID, "testbed: ready file %s: no \"clusters\" object (%s)", path,
				   root ? "" : error.text);
		goto cleanup;
	}
	for (size_t i = 0; i < bed->n; i++) {
		struct testbed_cluster *cl = &bed->clusters[i];
		json_t *entry = json_object_get(clusters, cl->spec.name);
		json_t *bootstrap = json_object_get(entry, "bootstrap");
		json_t *connect = json_object_get(entry, "connect");
		json_t *id = json_object_get(entry, "clusterId");

		if (!json_is_string(bootstrap) || !json_is_string(id) || (cl->spec.connect && !json_is_string(connect))) {
			rc = kdr_error_set(KDR_EINVALID, "testbed: ready file %s: cluster '%s' lacks bootstrap, "
							 "clusterId%s",
					   path, cl->spec.name, cl->spec.connect ? " or connect" : "");
			goto cleanup;
		}
		cl->bootstrap = kdr_strdup(json_string_value(bootstrap));
		cl->cluster_id = kdr_strdup(json_string_value(id));
		cl->connect_url = json_is_string(connect) ? kdr_strdup(json_string_value(connect)) : NULL;
	}
	if (json_is_string(json_object_get(root, "control")))
		bed->control = kdr_strdup(json_string_value(json_object_get(root, "control")));
cleanup:
	json_decref(root);
	return rc;
}

static int start_external(struct kdr_testbed *bed, const struct kdr_sandbox_cluster_spec *specs, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	char *pattern = kdr_asprintf("%s/kdr-testbed-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *config = NULL, *ready = NULL, *log = NULL;
	struct kdr_buf text = KDR_BUF_INIT;
	const char *limit = getenv("KDR_TESTBED_START_TIMEOUT_S");
	int64_t t0 = now_ms();
	int64_t deadline = t0 + 1000LL * (limit && atoi(limit) > 0 ? atoi(limit)
					  : bed->backend == KDR_TESTBED_KAFKA ? 300
									      : 30);
	int rc = 0;

	bed->bin = launcher_path(bed->backend);
	if (access(bed->bin, X_OK) != 0) {
		rc = kdr_error_set(KDR_ENOTFOUND, "testbed: launcher '%s' is not an executable (%s)", bed->bin,
				   strerror(errno));
		goto cleanup;
	}
	if (!mkdtemp(pattern)) {
		rc = kdr_error_set(KDR_EIO, "testbed: mkdtemp %s: %s", pattern, strerror(errno));
		goto cleanup;
	}
	bed->dir = pattern;
	pattern = NULL;
	config = kdr_asprintf("%s/config.yaml", bed->dir);
	ready = kdr_asprintf("%s/ready.json", bed->dir);
	log = kdr_asprintf("%s/launcher.log", bed->dir);
	write_config(&text, specs, n);
	if ((rc = write_file(config, text.ptr)) != 0)
		goto cleanup;
	fflush(stdout);
	fflush(stderr);
	bed->pid = fork();
	if (bed->pid < 0) {
		rc = kdr_error_set(KDR_EIO, "testbed: fork: %s", strerror(errno));
		bed->pid = 0;
		goto cleanup;
	}
	if (bed->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		/* Its own process group (so a last-resort kill reaches its children), and it dies with us. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl(bed->bin, bed->bin, "--config", config, "--ready-file", ready, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", bed->bin, strerror(errno));
		_exit(127);
	}
	for (;;) {
		int status = 0;
		pid_t done = 0;

		if (access(ready, R_OK) == 0)
			break;
		done = waitpid(bed->pid, &status, WNOHANG);
		if (done == bed->pid) {
			char *tail = log_tail(bed, 3000);

			bed->pid = 0;
			rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: %s exited (status %d) before it was ready:\n%s",
					   bed->bin, WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status), tail);
			free(tail);
			goto cleanup;
		}
		if (now_ms() > deadline) {
			char *tail = log_tail(bed, 3000);

			rc = kdr_error_set(KDR_ETIMEOUT, "testbed: %s not ready after %lld s:\n%s", bed->bin,
					   (long long)(now_ms() - t0) / 1000, tail);
			free(tail);
			goto cleanup;
		}
		sleep_ms(50);
	}
	if ((rc = parse_ready(bed, ready)) != 0)
		goto cleanup;
	for (size_t i = 0; i < bed->n; i++)
		if ((rc = capture_baseline(&bed->clusters[i])) != 0)
			goto cleanup;
	printf("testbed: %s ready in %.1f s:", kdr_testbed_backend_name(), (double)(now_ms() - t0) / 1000.0);
	for (size_t i = 0; i < bed->n; i++)
		printf(" %s(%d broker%s%s%s)", bed->clusters[i].spec.name, bed->clusters[i].spec.brokers,
		       bed->clusters[i].spec.brokers == 1 ? "" : "s", bed->clusters[i].spec.connect ? ", connect" : "",
		       bed->clusters[i].spec.remote_storage ? ", remote storage" : "");
	printf("\n");
	fflush(stdout);
cleanup:
	kdr_buf_release(&text);
	free(pattern);
	free(config);
	free(ready);
	free(log);
	return rc;
}

/* Removes the bed's temp dir (its files only: the launcher cleans its own data dirs). */
static void remove_dir(const char *dir)
{
	static const char *const files[] = {"config.yaml", "ready.json", "launcher.log"};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = kdr_asprintf("%s/%s", dir, files[i]);

		unlink(path);
		free(path);
	}
	rmdir(dir);
}

static void stop_external(struct kdr_testbed *bed)
{
	int64_t deadline = now_ms() + 120000;
	int status = 0;
	bool exited = false;

	if (bed->pid > 0) {
		kill(bed->pid, SIGTERM);
		while (!exited && now_ms() < deadline) {
			pid_t done = waitpid(bed->pid, &status, WNOHANG);

			exited = done == bed->pid || (done < 0 && errno == ECHILD);
			if (!exited)
				sleep_ms(50);
		}
		if (!exited) {
			fprintf(stderr, "testbed: %s (pid %d) ignored SIGTERM for 120 s: killing its process group\n",
				bed->bin, (int)bed->pid);
			kill(-bed->pid, SIGKILL);
			waitpid(bed->pid, &status, 0);
		} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			char *tail = log_tail(bed, 2000);

			fprintf(stderr, "testbed: %s stopped with status %d:\n%s\n", bed->bin,
				WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status), tail);
			free(tail);
		}
		bed->pid = 0;
	}
	if (bed->dir && !getenv("KDR_TESTBED_KEEP"))
		remove_dir(bed->dir);
}

/* --- the public lifecycle --- */

int kdr_testbed_start(struct kdr_testbed **out, const struct kdr_sandbox_cluster_spec *specs, size_t n)
{
	struct kdr_testbed *bed = kdr_calloc(1, sizeof(*bed));
	int rc = 0;

	*out = NULL;
	bed->backend = kdr_testbed_backend();
	bed->clusters = kdr_calloc(n ? n : 1, sizeof(*bed->clusters));
	bed->n = n;
	for (size_t i = 0; i < n; i++)
		spec_copy(&bed->clusters[i].spec, &specs[i]);
	if (bed->backend == KDR_TESTBED_SANDBOX) {
		rc = kdr_sandbox_start(&bed->sandbox, specs, n);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			const char *url = kdr_sandbox_connect_url(bed->sandbox, specs[i].name);

			bed->clusters[i].bootstrap = kdr_strdup(kdr_sandbox_bootstrap(bed->sandbox, specs[i].name));
			bed->clusters[i].connect_url = dup_or_null(url);
			bed->clusters[i].cluster_id = kdr_strdup(kdr_sandbox_cluster_id(bed->sandbox, specs[i].name));
		}
	} else {
		rc = start_external(bed, specs, n);
	}
	if (rc != 0) {
		char *message = kdr_strdup(kdr_error_message());

		kdr_testbed_stop(bed);
		kdr_error_set(rc, "%s", message);
		free(message);
		return rc;
	}
	*out = bed;
	return 0;
}

void kdr_testbed_stop(struct kdr_testbed *bed)
{
	if (!bed)
		return;
	if (bed->sandbox)
		kdr_sandbox_stop(bed->sandbox);
	if (bed->backend != KDR_TESTBED_SANDBOX)
		stop_external(bed);
	for (size_t i = 0; i < bed->n; i++)
		cluster_release(&bed->clusters[i]);
	free(bed->clusters);
	free(bed->dir);
	free(bed->bin);
	free(bed->control);
	free(bed);
}

int kdr_testbed_share(const char *binary, const struct kdr_sandbox_cluster_spec *specs, size_t n)
{
	kdr_testbed_announce(binary);
	if (kdr_testbed_backend() == KDR_TESTBED_SANDBOX)
		return 0;
	kdr_testbed_unshare();
	shared_specs = kdr_calloc(n ? n : 1, sizeof(*shared_specs));
	n_shared_specs = n;
	for (size_t i = 0; i < n; i++)
		spec_copy(&shared_specs[i], &specs[i]);
	return 0;
}

void kdr_testbed_unshare(void)
{
	kdr_testbed_stop(shared_bed);
	shared_bed = NULL;
	for (size_t i = 0; i < n_shared_specs; i++)
		spec_release(&shared_specs[i]);
	free(shared_specs);
	shared_specs = NULL;
	n_shared_specs = 0;
	shared_failed = false;
}

/* Starts the shared bed on first use: a binary whose tests all skip on this backend never starts one. */
static int shared_start(void)
{
	int rc = 0;

	if (shared_bed)
		return 0;
	if (shared_failed)
		return kdr_error_set(KDR_EUNAVAILABLE, "testbed: the shared bed could not start (see above)");
	if (!shared_specs)
		return kdr_error_set(KDR_EINVALID, "testbed: no shared bed on %s (call kdr_testbed_share in the group "
						   "setup)",
				     kdr_testbed_backend_name());
	rc = kdr_testbed_start(&shared_bed, shared_specs, n_shared_specs);
	if (rc != 0) {
		shared_failed = true;
		return rc;
	}
	shared_bed->shared = true;
	return 0;
}

static bool same_string(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Whether the bed's cluster is exactly the shape the test asks for (why not in `why`). */
static bool shape_matches(const struct kdr_sandbox_cluster_spec *have, const struct kdr_sandbox_cluster_spec *want,
			  const char **why)
{
	int want_brokers = want->brokers > 0 ? want->brokers : 1, have_brokers = have->brokers > 0 ? have->brokers : 1;

	*why = NULL;
	if (want_brokers != have_brokers)
		*why = "broker count";
	else if (want->n_racks != have->n_racks)
		*why = "racks";
	else if (want->connect != have->connect)
		*why = "connect";
	else if (want->remote_storage != have->remote_storage)
		*why = "remoteStorage";
	else if (want->auto_create_topics != have->auto_create_topics)
		*why = "autoCreateTopics";
	else if (!same_string(want->sasl_username, have->sasl_username) ||
		 !same_string(want->sasl_password, have->sasl_password))
		*why = "sasl";
	else if (want->cluster_id && !same_string(want->cluster_id, have->cluster_id))
		*why = "clusterId";
	else if (want->authorizer != have->authorizer || want->no_authorizer != have->no_authorizer)
		*why = "authorizer";
	else if (want->n_users != have->n_users)
		*why = "users";
	else if (want->policy_min_replication_factor != have->policy_min_replication_factor ||
		 want->policy_max_partitions != have->policy_max_partitions)
		*why = "createTopicPolicy";
	else if (want->port || want->connect_port)
		*why = "fixed ports (a shared bed uses ephemeral ones)";
	for (size_t r = 0; !*why && r < want->n_racks; r++)
		if (strcmp(want->racks[r], have->racks[r]) != 0)
			*why = "racks";
	for (size_t u = 0; !*why && u < 2 * want->n_users; u++)
		if (strcmp(want->users[u], have->users[u]) != 0)
			*why = "users";
	return *why == NULL;
}

int kdr_testbed_acquire(struct kdr_testbed **out, const struct kdr_sandbox_cluster_spec *specs, size_t n)
{
	*out = NULL;
	if (kdr_testbed_backend() == KDR_TESTBED_SANDBOX)
		return kdr_testbed_start(out, specs, n);
	{
		int rc = shared_start();

		if (rc != 0)
			return rc;
	}
	for (size_t i = 0; i < n; i++) {
		const struct testbed_cluster *cl = cluster_find(shared_bed, specs[i].name);
		const char *why = NULL;

		if (!cl)
			return kdr_error_set(KDR_EINVALID, "testbed: the shared bed has no cluster '%s' (add it to the "
							   "binary's union of clusters)",
					     specs[i].name);
		if (!shape_matches(&cl->spec, &specs[i], &why))
			return kdr_error_set(KDR_EINVALID, "testbed: cluster '%s' of the shared bed differs in %s from "
							   "what the test wants",
					     specs[i].name, why);
	}
	{
		int rc = kdr_testbed_reset(shared_bed);

		if (rc != 0)
			return rc;
	}
	*out = shared_bed;
	return 0;
}

void kdr_testbed_release(struct kdr_testbed *bed)
{
	if (bed && !bed->shared)
		kdr_testbed_stop(bed);
}

/* --- per cluster --- */

const char *kdr_testbed_bootstrap(const struct kdr_testbed *bed, const char *cluster)
{
	const struct testbed_cluster *cl = cluster_find(bed, cluster);

	if (cl && bed->sandbox)
		return kdr_sandbox_bootstrap(bed->sandbox, cluster); /* the live brokers: it changes with broker_down */
	return cl ? cl->bootstrap : NULL;
}

const char *kdr_testbed_connect_url(const struct kdr_testbed *bed, const char *cluster)
{
	const struct testbed_cluster *cl = cluster_find(bed, cluster);

	return cl ? cl->connect_url : NULL;
}

const char *kdr_testbed_cluster_id(const struct kdr_testbed *bed, const char *cluster)
{
	const struct testbed_cluster *cl = cluster_find(bed, cluster);

	return cl ? cl->cluster_id : NULL;
}

bool kdr_testbed_can(enum kdr_testbed_cap cap)
{
	enum kdr_testbed_backend backend = kdr_testbed_backend();

	switch (cap) {
	case KDR_TESTBED_CAP_BROKER_STOP:
		/* In process, or the launcher's control channel (hack/kafka-real, kdr-sandbox). */
		return true;
	case KDR_TESTBED_CAP_CONNECT_STOP:
		/* The sandbox's Connect worker keeps its state in memory: killing it is no real fault. */
		return backend == KDR_TESTBED_KAFKA;
	case KDR_TESTBED_CAP_COUNTERS:
	case KDR_TESTBED_CAP_FAULTS:
	case KDR_TESTBED_CAP_POLICY:
	default:
		return backend == KDR_TESTBED_SANDBOX;
	}
}

struct kdr_sandbox *kdr_testbed_sandbox(const struct kdr_testbed *bed)
{
	return bed ? bed->sandbox : NULL;
}

/*
 * One command on the launcher's control channel (tests/sandbox/README.md):
 * a loopback TCP connection, "COMMAND\n" out, one line back: "ok" or
 * "error WHY". The launcher answers once the fault is in place (a broker
 * gone from Metadata, or back in every ISR), so this waits up to 300 s.
 */
static int control_command(const struct kdr_testbed *bed, const char *command)
{
	struct sockaddr_in addr;
	char host[64] = "";
	char answer[1024] = "";
	const char *colon = bed->control ? strrchr(bed->control, ':') : NULL;
	struct timeval tv = {300, 0};
	size_t got = 0;
	int fd = -1, rc = 0;
	int64_t t0 = now_ms();

	if (!colon || (size_t)(colon - bed->control) >= sizeof(host))
		return kdr_error_set(KDR_EUNSUPPORTED, "testbed: %s (%s) named no control channel in its ready file",
				     kdr_testbed_backend_name(), bed->bin ? bed->bin : "?");
	memcpy(host, bed->control, (size_t)(colon - bed->control));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return kdr_error_set(KDR_EINVALID, "testbed: control channel '%s' is not IPv4:port", bed->control);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return kdr_error_set(KDR_EIO, "testbed: socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: control channel %s: %s", bed->control, strerror(errno));
		goto cleanup;
	}
	{
		char *line = kdr_asprintf("%s\n", command);
		ssize_t sent = send(fd, line, strlen(line), MSG_NOSIGNAL);

		free(line);
		if (sent < 0) {
			rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: control channel %s: %s", bed->control,
					   strerror(errno));
			goto cleanup;
		}
	}
	while (got < sizeof(answer) - 1 && !memchr(answer, '\n', got)) {
		ssize_t n = recv(fd, answer + got, sizeof(answer) - 1 - got, 0);

		if (n <= 0) {
			rc = kdr_error_set(KDR_ETIMEOUT, "testbed: control channel %s: no answer to '%s' (%s)",
					   bed->control, command, n < 0 ? strerror(errno) : "closed");
			goto cleanup;
		}
		got += (size_t)n;
	}
	answer[got] = '\0';
	answer[strcspn(answer, "\n")] = '\0';
	if (strcmp(answer, "ok") != 0)
		rc = kdr_error_set(KDR_EUNAVAILABLE, "testbed: %s: '%s': %s", bed->bin, command, answer);
	else if (strcmp(command, "all-up") != 0 || now_ms() - t0 > 100)
		printf("testbed: %s: %s in %.1f s\n", kdr_testbed_backend_name(), command,
		       (double)(now_ms() - t0) / 1000.0);
	fflush(stdout);
cleanup:
	close(fd);
	return rc;
}

int kdr_testbed_broker_down(struct kdr_testbed *bed, const char *cluster, int32_t broker_id)
{
	char *command = NULL;
	int rc = 0;

	if (bed && bed->sandbox)
		return kdr_sandbox_broker_down(bed->sandbox, cluster, broker_id);
	if (!bed)
		return kdr_error_set(KDR_EUNSUPPORTED, "testbed: %s cannot take a broker down",
				     kdr_testbed_backend_name());
	command = kdr_asprintf("broker-down %s %d", cluster, (int)broker_id);
	rc = control_command(bed, command);
	free(command);
	return rc;
}

int kdr_testbed_broker_up(struct kdr_testbed *bed, const char *cluster, int32_t broker_id)
{
	char *command = NULL;
	int rc = 0;

	if (bed && bed->sandbox)
		return kdr_sandbox_broker_up(bed->sandbox, cluster, broker_id);
	if (!bed)
		return kdr_error_set(KDR_EUNSUPPORTED, "testbed: %s cannot bring a broker up",
				     kdr_testbed_backend_name());
	command = kdr_asprintf("broker-up %s %d", cluster, (int)broker_id);
	rc = control_command(bed, command);
	free(command);
	return rc;
}

int kdr_testbed_set_latency(struct kdr_testbed *bed, const char *cluster, int api_key, int ms)
{
	char *command = NULL;
	int rc = 0;

	if (bed && bed->sandbox)
		return kdr_sandbox_set_latency(bed->sandbox, cluster, api_key, ms);
	if (!bed || bed->backend != KDR_TESTBED_SANDBOX_PROCESS)
		return kdr_error_set(KDR_EUNSUPPORTED, "testbed: %s cannot add latency", kdr_testbed_backend_name());
	command = kdr_asprintf("latency %s %d %d", cluster, api_key, ms);
	rc = control_command(bed, command);
	free(command);
	return rc;
}

int kdr_testbed_connect_down(struct kdr_testbed *bed, const char *cluster)
{
	char *command = NULL;
	int rc = 0;

	if (!bed || bed->backend != KDR_TESTBED_KAFKA)
		return kdr_error_set(KDR_EUNSUPPORTED, "testbed: %s cannot stop a Connect worker",
				     kdr_testbed_backend_name());
	command = kdr_asprintf("connect-down %s", cluster);
	rc = control_command(bed, command);
	free(command);
	return rc;
}

int kdr_testbed_connect_up(struct kdr_testbed *bed, const char *cluster)
{
	char *command = NULL;
	int rc = 0;

	if (!bed || bed->backend != KDR_TESTBED_KAFKA)
		return kdr_error_set(KDR_EUNSUPPORTED, "testbed: %s cannot start a Connect worker",
				     kdr_testbed_backend_name());
	command = kdr_asprintf("connect-up %s", cluster);
	rc = control_command(bed, command);
	free(command);
	return rc;
}
