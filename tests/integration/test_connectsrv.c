/*
 * The Connect half of the sandbox, checked from the outside: every call goes
 * over HTTP on loopback, through libcurl and (for a few) the curl CLI, and
 * the assertions are on Connect's status codes and JSON bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "connect_server.h"
#include "util/error.h"

#define CLUSTER_ID "sbx-Y2x1c3Rlcg"
#define SRC_CLASS  "org.apache.kafka.connect.mirror.MirrorSourceConnector"
#define CKP_CLASS  "org.apache.kafka.connect.mirror.MirrorCheckpointConnector"
#define HB_CLASS   "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector"
#define SOURCE	   "kdr.east-to-west.source"
#define VALIDATE_HINT                                                                                                  \
	"\nYou can also find the above list of errors at the endpoint "                                                \
	"`/connector-plugins/{connectorType}/config/validate`"

static struct kdr_connect_server *srv;

struct resp {
	long status;
	char *body;
	json_t *json;
	char location[512];
	char allow[256];
	char content_type[128];
};

struct growbuf {
	char *ptr;
	size_t len;
};

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	struct growbuf *buf = userdata;
	size_t len = size * n;

	buf->ptr = realloc(buf->ptr, buf->len + len + 1);
	assert_non_null(buf->ptr);
	memcpy(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
	return len;
}

static void copy_header_value(char *dst, size_t cap, const char *line, size_t len, const char *name)
{
	size_t name_len = strlen(name);

	if (len <= name_len + 1 || strncasecmp(line, name, name_len) || line[name_len] != ':')
		return;
	line += name_len + 1;
	len -= name_len + 1;
	while (len && (*line == ' '))
		line++, len--;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, line, len);
	dst[len] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
	struct resp *r = userdata;
	size_t len = size * n;

	copy_header_value(r->location, sizeof(r->location), data, len, "Location");
	copy_header_value(r->allow, sizeof(r->allow), data, len, "Allow");
	copy_header_value(r->content_type, sizeof(r->content_type), data, len, "Content-Type");
	return len;
}

static void resp_release(struct resp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/*
 * One request through libcurl. `content_type` NULL sends application/json
 * when there is a body; "" sends none at all.
 */
static void request_ct(struct resp *r, const char *method, const char *path, const char *body, const char *content_type)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = NULL;
	struct growbuf buf = {NULL, 0};
	char url[1024];
	char header[256];
	CURLcode rc = CURLE_OK;

	memset(r, 0, sizeof(*r));
	assert_non_null(curl);
	snprintf(url, sizeof(url), "%s%s", kdr_connect_server_url(srv), path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (content_type && !*content_type) {
		headers = curl_slist_append(headers, "Content-Type:");
	} else if (content_type || body) {
		snprintf(header, sizeof(header), "Content-Type: %s", content_type ? content_type : "application/json");
		headers = curl_slist_append(headers, header);
	}
	headers = curl_slist_append(headers, "Accept: application/json");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	rc = curl_easy_perform(curl);
	assert_int_equal(rc, CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	r->body = buf.ptr;
	if (r->body && *r->body) {
		json_error_t error = {0};

		r->json = json_loads(r->body, 0, &error);
		if (!r->json)
			fail_msg("response is not JSON: %s", r->body);
	}
}

static void request(struct resp *r, const char *method, const char *path, const char *body)
{
	request_ct(r, method, path, body, NULL);
}

/* Requests and checks the status in one go, releasing the response. */
static void expect_status(const char *method, const char *path, const char *body, long status)
{
	struct resp r;

	request(&r, method, path, body);
	if (r.status != status)
		fail_msg("%s %s: expected %ld, got %ld: %s", method, path, status, r.status, r.body ? r.body : "");
	resp_release(&r);
}

/* Asserts Connect's error body {"error_code": status, "message": message}. */
static void assert_error(const struct resp *r, long status, const char *message)
{
	if (r->status != status)
		fail_msg("expected %ld, got %ld: %s", status, r->status, r->body ? r->body : "");
	assert_non_null(r->json);
	assert_int_equal(json_object_size(r->json), 2);
	assert_int_equal(json_integer_value(json_object_get(r->json, "error_code")), status);
	assert_string_equal(json_string_value(json_object_get(r->json, "message")), message);
	assert_string_equal(r->content_type, "application/json");
}

static void expect_error(const char *method, const char *path, const char *body, long status, const char *message)
{
	struct resp r;

	request(&r, method, path, body);
	assert_error(&r, status, message);
	resp_release(&r);
}

static const char *jstr(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (!s)
		fail_msg("no string '%s' in %s", key, json_dumps(obj, JSON_COMPACT));
	return s;
}

static void source_body(char *out, size_t cap, const char *name, const char *tasks_max)
{
	snprintf(out, cap,
		 "{\"name\":\"%s\",\"config\":{\"connector.class\":\"%s\",\"source.cluster.alias\":\"east\","
		 "\"target.cluster.alias\":\"west\",\"tasks.max\":\"%s\","
		 "\"key.converter\":\"org.apache.kafka.connect.converters.ByteArrayConverter\"}}",
		 name, SRC_CLASS, tasks_max);
}

static void create_source(const char *name, const char *tasks_max)
{
	char body[1024];

	source_body(body, sizeof(body), name, tasks_max);
	expect_status("POST", "/connectors", body, 201);
}

/* GET status of `name` (which must exist). */
static json_t *status_of(const char *name)
{
	struct resp r;
	char path[512];
	json_t *status = NULL;

	snprintf(path, sizeof(path), "/connectors/%s/status", name);
	request(&r, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	status = json_incref(r.json);
	resp_release(&r);
	return status;
}

static const char *connector_state(const json_t *status)
{
	return jstr(json_object_get(status, "connector"), "state");
}

static const char *task_state(const json_t *status, size_t i)
{
	return jstr(json_array_get(json_object_get(status, "tasks"), i), "state");
}

static size_t task_count(const json_t *status)
{
	return json_array_size(json_object_get(status, "tasks"));
}

/* Asserts the connector state and every task state ("" checks only the count). */
static void assert_states(const char *name, const char *connector, size_t n_tasks, const char *const *tasks)
{
	json_t *status = status_of(name);
	size_t i = 0;

	assert_string_equal(connector_state(status), connector);
	assert_int_equal(task_count(status), n_tasks);
	for (i = 0; tasks && i < n_tasks; i++)
		assert_string_equal(task_state(status, i), tasks[i]);
	json_decref(status);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(kdr_connect_server_start(&srv, CLUSTER_ID, 0), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kdr_connect_server_stop(srv);
	srv = NULL;
	return 0;
}

/* --- GET / and plugins --- */

static void test_root(void **state)
{
	struct resp r;

	(void)state;
	request(&r, "GET", "/", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	assert_string_equal(jstr(r.json, "version"), "3.9.0");
	assert_int_equal(strlen(jstr(r.json, "commit")), 16);
	assert_string_equal(jstr(r.json, "kafka_cluster_id"), CLUSTER_ID);
	resp_release(&r);
	/* Only GET (and HEAD/OPTIONS, which Jersey adds) exists on the root. */
	expect_error("POST", "/", "{}", 405, "HTTP 405 Method Not Allowed");
	request(&r, "HEAD", "/", NULL);
	assert_int_equal(r.status, 200);
	resp_release(&r);
}

static void test_plugins(void **state)
{
	struct resp r;
	const char *classes[] = {CKP_CLASS, HB_CLASS, SRC_CLASS};
	size_t i = 0;
	bool found = false;

	(void)state;
	request(&r, "GET", "/connector-plugins", NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_is_array(r.json));
	assert_int_equal(json_array_size(r.json), 3);
	for (i = 0; i < 3; i++) {
		json_t *plugin = json_array_get(r.json, i);

		assert_string_equal(jstr(plugin, "class"), classes[i]);
		assert_string_equal(jstr(plugin, "type"), "source");
		assert_string_equal(jstr(plugin, "version"), "3.9.0");
	}
	resp_release(&r);

	/* The config definition of a plugin, by simple name. */
	request(&r, "GET", "/connector-plugins/MirrorSourceConnector/config", NULL);
	assert_int_equal(r.status, 200);
	for (i = 0; i < json_array_size(r.json); i++) {
		json_t *def = json_array_get(r.json, i);

		if (strcmp(jstr(def, "name"), "source.cluster.alias"))
			continue;
		found = true;
		assert_true(json_is_true(json_object_get(def, "required")));
		assert_string_equal(jstr(def, "type"), "STRING");
		assert_true(json_is_null(json_object_get(def, "default_value")));
	}
	assert_true(found);
	resp_release(&r);
	expect_error("GET", "/connector-plugins/FileStreamSource/config", NULL, 404,
		     "Unknown plugin FileStreamSource.");
	expect_error("DELETE", "/connector-plugins", NULL, 405, "HTTP 405 Method Not Allowed");
	expect_error("GET", "/connector-plugins/" SRC_CLASS "/config/validate", NULL, 405,
		     "HTTP 405 Method Not Allowed");
}

/* --- CRUD --- */

static void test_create_get_delete(void **state)
{
	struct resp r;
	char body[1024];
	json_t *config = NULL;
	size_t i = 0;

	(void)state;
	request(&r, "GET", "/connectors", NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_is_array(r.json));
	assert_int_equal(json_array_size(r.json), 0);
	resp_release(&r);

	source_body(body, sizeof(body), SOURCE, "3");
	request(&r, "POST", "/connectors", body);
	assert_int_equal(r.status, 201);
	{
		char expected[512];

		snprintf(expected, sizeof(expected), "%s/connectors/%s", kdr_connect_server_url(srv), SOURCE);
		assert_string_equal(r.location, expected);
	}
	assert_string_equal(jstr(r.json, "name"), SOURCE);
	assert_string_equal(jstr(r.json, "type"), "source");
	config = json_object_get(r.json, "config");
	assert_string_equal(jstr(config, "name"), SOURCE); /* added from the request's name */
	assert_string_equal(jstr(config, "tasks.max"), "3");
	assert_int_equal(json_array_size(json_object_get(r.json, "tasks")), 3);
	for (i = 0; i < 3; i++) {
		json_t *task = json_array_get(json_object_get(r.json, "tasks"), i);

		assert_string_equal(jstr(task, "connector"), SOURCE);
		assert_int_equal(json_integer_value(json_object_get(task, "task")), i);
	}
	resp_release(&r);

	/* 409 for an existing name, with AlreadyExistsException's message. */
	expect_error("POST", "/connectors", body, 409, "Connector " SOURCE " already exists");

	request(&r, "GET", "/connectors", NULL);
	assert_int_equal(json_array_size(r.json), 1);
	assert_string_equal(json_string_value(json_array_get(r.json, 0)), SOURCE);
	resp_release(&r);

	request(&r, "GET", "/connectors/" SOURCE, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "name"), SOURCE);
	assert_string_equal(jstr(json_object_get(r.json, "config"), "source.cluster.alias"), "east");
	assert_int_equal(json_array_size(json_object_get(r.json, "tasks")), 3);
	resp_release(&r);

	/* The raw config: flat strings, name included, nothing added. */
	request(&r, "GET", "/connectors/" SOURCE "/config", NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_object_size(r.json), 6);
	assert_string_equal(jstr(r.json, "connector.class"), SRC_CLASS);
	assert_string_equal(jstr(r.json, "target.cluster.alias"), "west");
	assert_string_equal(jstr(r.json, "name"), SOURCE);
	resp_release(&r);

	request(&r, "GET", "/connectors/" SOURCE "/tasks", NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(r.json), 3);
	{
		json_t *task = json_array_get(r.json, 2);

		assert_string_equal(jstr(json_object_get(task, "id"), "connector"), SOURCE);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(task, "id"), "task")), 2);
		assert_string_equal(jstr(json_object_get(task, "config"), "task.class"),
				    "org.apache.kafka.connect.mirror.MirrorSourceTask");
		assert_string_equal(jstr(json_object_get(task, "config"), "source.cluster.alias"), "east");
	}
	resp_release(&r);

	request(&r, "GET", "/connectors/" SOURCE "/status", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "name"), SOURCE);
	assert_string_equal(jstr(r.json, "type"), "source");
	{
		char worker[64];
		json_t *conn = json_object_get(r.json, "connector");

		snprintf(worker, sizeof(worker), "%s", kdr_connect_server_url(srv) + strlen("http://"));
		assert_string_equal(jstr(conn, "state"), "RUNNING");
		assert_string_equal(jstr(conn, "worker_id"), worker);
		assert_null(json_object_get(conn, "trace"));
		assert_int_equal(json_array_size(json_object_get(r.json, "tasks")), 3);
		for (i = 0; i < 3; i++) {
			json_t *task = json_array_get(json_object_get(r.json, "tasks"), i);

			assert_int_equal(json_integer_value(json_object_get(task, "id")), i);
			assert_string_equal(jstr(task, "state"), "RUNNING");
			assert_string_equal(jstr(task, "worker_id"), worker);
			assert_null(json_object_get(task, "trace"));
		}
	}
	resp_release(&r);

	request(&r, "DELETE", "/connectors/" SOURCE, NULL);
	assert_int_equal(r.status, 204);
	assert_null(r.body);
	resp_release(&r);
	expect_error("GET", "/connectors/" SOURCE, NULL, 404, "Connector " SOURCE " not found");
	expect_error("DELETE", "/connectors/" SOURCE, NULL, 404, "Connector " SOURCE " not found");
	request(&r, "GET", "/connectors", NULL);
	assert_int_equal(json_array_size(r.json), 0);
	resp_release(&r);
}

static void test_not_found(void **state)
{
	(void)state;
	/* Each resource's own message for an unknown connector. */
	expect_error("GET", "/connectors/nope", NULL, 404, "Connector nope not found");
	expect_error("GET", "/connectors/nope/config", NULL, 404, "Connector nope not found");
	expect_error("PUT", "/connectors/nope/config", NULL, 400, "Request body is missing");
	expect_error("PATCH", "/connectors/nope/config", "{\"tasks.max\":\"2\"}", 404, "Connector nope not found");
	expect_error("GET", "/connectors/nope/status", NULL, 404, "No status found for connector nope");
	expect_error("GET", "/connectors/nope/tasks", NULL, 404, "Connector nope not found");
	expect_error("GET", "/connectors/nope/tasks/0/status", NULL, 404, "No status found for task nope-0");
	expect_error("POST", "/connectors/nope/tasks/0/restart", NULL, 404, "Unknown connector: nope");
	expect_error("POST", "/connectors/nope/restart", NULL, 404, "Unknown connector: nope");
	expect_error("POST", "/connectors/nope/restart?includeTasks=true", NULL, 404, "Unknown connector: nope");
	expect_error("PUT", "/connectors/nope/pause", NULL, 404, "Unknown connector nope");
	expect_error("PUT", "/connectors/nope/resume", NULL, 404, "Unknown connector nope");
	expect_error("PUT", "/connectors/nope/stop", NULL, 404, "Unknown connector nope");
	expect_error("DELETE", "/connectors/nope", NULL, 404, "Connector nope not found");
}

static void test_unknown_paths_and_methods(void **state)
{
	struct resp r;

	(void)state;
	create_source(SOURCE, "1");
	expect_error("GET", "/nothing", NULL, 404, "HTTP 404 Not Found");
	expect_error("GET", "/connectors/" SOURCE "/bogus", NULL, 404, "HTTP 404 Not Found");
	expect_error("GET", "/connectors/" SOURCE "/tasks/0/status/x", NULL, 404, "HTTP 404 Not Found");
	expect_error("GET", "/connectors/" SOURCE "/tasks/abc/status", NULL, 404, "HTTP 404 Not Found");
	expect_error("POST", "/connectors/" SOURCE "/tasks/x/restart", NULL, 404, "HTTP 404 Not Found");

	request(&r, "DELETE", "/connectors", NULL);
	assert_error(&r, 405, "HTTP 405 Method Not Allowed");
	assert_string_equal(r.allow, "GET,HEAD,OPTIONS,POST");
	resp_release(&r);
	request(&r, "POST", "/connectors/" SOURCE "/config", "{}");
	assert_error(&r, 405, "HTTP 405 Method Not Allowed");
	assert_string_equal(r.allow, "GET,HEAD,OPTIONS,PATCH,PUT");
	resp_release(&r);
	expect_error("GET", "/connectors/" SOURCE "/pause", NULL, 405, "HTTP 405 Method Not Allowed");
	expect_error("POST", "/connectors/" SOURCE "/resume", NULL, 405, "HTTP 405 Method Not Allowed");
	expect_error("GET", "/connectors/" SOURCE "/restart", NULL, 405, "HTTP 405 Method Not Allowed");
	expect_error("PUT", "/connectors/" SOURCE "/status", NULL, 405, "HTTP 405 Method Not Allowed");
	expect_error("PUT", "/connectors/" SOURCE, "{}", 405, "HTTP 405 Method Not Allowed");
	expect_error("GET", "/connectors/" SOURCE "/tasks/0/restart", NULL, 405, "HTTP 405 Method Not Allowed");

	/* OPTIONS answers with the resource's methods, as Jersey does. */
	request(&r, "OPTIONS", "/connectors/" SOURCE, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.allow, "DELETE,GET,HEAD,OPTIONS");
	resp_release(&r);
	request(&r, "HEAD", "/connectors/" SOURCE "/status", NULL);
	assert_int_equal(r.status, 200);
	assert_null(r.body);
	resp_release(&r);
	assert_int_equal(kdr_connect_server_request_count(srv, "HEAD"), 1);
	assert_int_equal(kdr_connect_server_request_count(srv, "OPTIONS"), 1);

	/* A trailing slash matches the same resource. */
	request(&r, "GET", "/connectors/", NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(r.json), 1);
	resp_release(&r);
}

/* --- invalid configs and bodies --- */

static void test_create_invalid(void **state)
{
	struct resp r;

	(void)state;
	/* MM2's required key, missing. */
	expect_error(
	    "POST", "/connectors", "{\"name\":\"a\",\"config\":{\"connector.class\":\"MirrorSourceConnector\"}}", 400,
	    "Connector configuration is invalid and contains the following 1 error(s):\n"
	    "Missing required configuration \"source.cluster.alias\" which has no default value." VALIDATE_HINT);
	/* tasks.max must be a positive integer; errors come in ConfigDef order. */
	expect_error(
	    "POST", "/connectors",
	    "{\"name\":\"a\",\"config\":{\"connector.class\":\"MirrorSourceConnector\",\"tasks.max\":\"0\"}}", 400,
	    "Connector configuration is invalid and contains the following 2 error(s):\n"
	    "Invalid value 0 for configuration tasks.max: Value must be at least 1\n"
	    "Missing required configuration \"source.cluster.alias\" which has no default value." VALIDATE_HINT);
	expect_error(
	    "POST", "/connectors",
	    "{\"name\":\"a\",\"config\":{\"connector.class\":\"MirrorHeartbeat\",\"source.cluster.alias\":\"w\","
	    "\"tasks.max\":\"two\",\"emit.heartbeats.enabled\":\"yes\"}}",
	    400,
	    "Connector configuration is invalid and contains the following 2 error(s):\n"
	    "Invalid value two for configuration tasks.max: Not a number of type INT\n"
	    "Invalid value yes for configuration emit.heartbeats.enabled: Expected value to be either true or "
	    "false" VALIDATE_HINT);
	expect_error(
	    "POST", "/connectors",
	    "{\"name\":\"a\",\"config\":{\"connector.class\":\"MirrorSourceConnector\",\"source.cluster.alias\":"
	    "\"e\",\"offset-syncs.topic.location\":\"Target\",\"replication.policy.class\":\"Nope\"}}",
	    400,
	    "Connector configuration is invalid and contains the following 2 error(s):\n"
	    "Invalid value Nope for configuration replication.policy.class: Class Nope could not be found.\n"
	    "Invalid value Target for configuration offset-syncs.topic.location: String must be one of: source, "
	    "target" VALIDATE_HINT);
	/* A null value cannot be supplied. */
	expect_error(
	    "POST", "/connectors",
	    "{\"name\":\"a\",\"config\":{\"connector.class\":\"MirrorSourceConnector\",\"source.cluster.alias\":"
	    "\"e\",\"topics\":null}}",
	    400,
	    "Connector configuration is invalid and contains the following 1 error(s):\n"
	    "Null value can not be supplied as the configuration value." VALIDATE_HINT);
	/* An empty name fails the name validator. */
	expect_error(
	    "POST", "/connectors",
	    "{\"name\":\"  \",\"config\":{\"connector.class\":\"MirrorSourceConnector\",\"source.cluster.alias\":"
	    "\"e\"}}",
	    400,
	    "Connector configuration is invalid and contains the following 1 error(s):\n"
	    "Invalid value  for configuration name: String may not be empty" VALIDATE_HINT);
	/* Unknown plugin and missing connector.class are request-level 400s. */
	request(&r, "POST", "/connectors", "{\"name\":\"a\",\"config\":{\"connector.class\":\"FileStreamSource\"}}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(jstr(r.json, "message"),
			       "Failed to find any class that implements Connector and which name matches "
			       "FileStreamSource, available connectors are: PluginDesc{klass=class " CKP_CLASS));
	resp_release(&r);
	expect_error("POST", "/connectors", "{\"name\":\"a\",\"config\":{\"tasks.max\":\"1\"}}", 400,
		     "Connector config {name=a, tasks.max=1} contains no connector type");
	/* The name in the config must be the request's. */
	expect_error("POST", "/connectors",
		     "{\"name\":\"a\",\"config\":{\"name\":\"b\",\"connector.class\":\"MirrorSourceConnector\"}}", 400,
		     "Connector name configuration (b) doesn't match connector name in the URL (a)");
	/* Bodies Connect cannot read as a Map<String,String>. */
	request(&r, "POST", "/connectors", "{\"name\":\"a\",\"config\":");
	assert_int_equal(r.status, 400);
	assert_int_equal(json_integer_value(json_object_get(r.json, "error_code")), 400);
	resp_release(&r);
	request(&r, "POST", "/connectors",
		"{\"name\":\"a\",\"config\":{\"connector.class\":\"MirrorSourceConnector\",\"topics\":[\"a\"]}}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(jstr(r.json, "message"), "Cannot deserialize value of type `java.lang.String`"));
	resp_release(&r);
	expect_error("POST", "/connectors", "{\"name\":\"a\"}", 400,
		     "Connector config must be a JSON object of strings");
	expect_error("POST", "/connectors", "[]", 400,
		     "Cannot deserialize value of type `java.util.Map` from Array value");
	expect_error("POST", "/connectors", NULL, 400, "Request body is missing");
	/* @Consumes(application/json). */
	request_ct(&r, "POST", "/connectors", "name=a", "application/x-www-form-urlencoded");
	assert_error(&r, 415, "HTTP 415 Unsupported Media Type");
	resp_release(&r);
	request_ct(&r, "POST", "/connectors", "{}", "text/plain");
	assert_error(&r, 415, "HTTP 415 Unsupported Media Type");
	resp_release(&r);

	/* None of that created anything. */
	request(&r, "GET", "/connectors", NULL);
	assert_int_equal(json_array_size(r.json), 0);
	resp_release(&r);
}

static void test_value_coercion(void **state)
{
	struct resp r;

	(void)state;
	/* Jackson reads scalars as their text, so numbers and booleans arrive as strings. */
	request(
	    &r, "POST", "/connectors",
	    "{\"name\":\"c\",\"config\":{\"connector.class\":\"MirrorCheckpointConnector\",\"source.cluster.alias\":"
	    "\"e\",\"tasks.max\":4,\"sync.group.offsets.enabled\":true,\"x.custom.ratio\":2.5}}");
	assert_int_equal(r.status, 201);
	assert_string_equal(jstr(json_object_get(r.json, "config"), "tasks.max"), "4");
	assert_string_equal(jstr(json_object_get(r.json, "config"), "sync.group.offsets.enabled"), "true");
	resp_release(&r);
	request(&r, "GET", "/connectors/c/config", NULL);
	assert_string_equal(jstr(r.json, "tasks.max"), "4");
	assert_string_equal(jstr(r.json, "x.custom.ratio"), "2.5");
	resp_release(&r);
	assert_states("c", "RUNNING", 4, NULL);
	/* A coerced value still has to parse as its key's type. */
	expect_error("PUT", "/connectors/c/config",
		     "{\"connector.class\":\"MirrorCheckpointConnector\",\"source.cluster.alias\":\"e\","
		     "\"emit.checkpoints.interval.seconds\":2.5}",
		     400,
		     "Connector configuration is invalid and contains the following 1 error(s):\n"
		     "Invalid value 2.5 for configuration emit.checkpoints.interval.seconds: Not a number of type "
		     "LONG" VALIDATE_HINT);
}

/* --- PUT/PATCH config --- */

static void test_put_config(void **state)
{
	struct resp r;
	const char *cfg = "{\"connector.class\":\"MirrorSourceConnector\",\"source.cluster.alias\":\"east\","
			  "\"tasks.max\":\"2\"}";
	const char *running2[] = {"RUNNING", "RUNNING"};
	const char *running4[] = {"RUNNING", "RUNNING", "RUNNING", "RUNNING"};
	const char *failed_second[] = {"RUNNING", "FAILED"};

	(void)state;
	/* Create: 201 + Location, name added. */
	request(&r, "PUT", "/connectors/" SOURCE "/config", cfg);
	assert_int_equal(r.status, 201);
	assert_non_null(strstr(r.location, "/connectors/" SOURCE));
	assert_string_equal(jstr(json_object_get(r.json, "config"), "name"), SOURCE);
	resp_release(&r);
	assert_states(SOURCE, "RUNNING", 2, running2);

	/* The same config again: 200, no Location; the connector bounces, tasks do not (task 1 stays FAILED). */
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 1, "java.lang.RuntimeException: boom"), 0);
	request(&r, "PUT", "/connectors/" SOURCE "/config", cfg);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.location, "");
	assert_string_equal(jstr(r.json, "name"), SOURCE);
	resp_release(&r);
	assert_states(SOURCE, "RUNNING", 2, failed_second);

	/* A changed config regenerates the tasks, which follow tasks.max. */
	request(&r, "PUT", "/connectors/" SOURCE "/config",
		"{\"connector.class\":\"MirrorSourceConnector\",\"source.cluster.alias\":\"east\",\"tasks.max\":\"4\","
		"\"name\":\"" SOURCE "\"}");
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "tasks")), 4);
	resp_release(&r);
	assert_states(SOURCE, "RUNNING", 4, running4);

	/* A name that disagrees with the URL. */
	expect_error(
	    "PUT", "/connectors/" SOURCE "/config",
	    "{\"connector.class\":\"MirrorSourceConnector\",\"source.cluster.alias\":\"east\",\"name\":\"other\"}", 400,
	    "Connector name configuration (other) doesn't match connector name in the URL (" SOURCE ")");
	/* An invalid update leaves the stored config alone. */
	expect_error(
	    "PUT", "/connectors/" SOURCE "/config", "{\"connector.class\":\"MirrorSourceConnector\"}", 400,
	    "Connector configuration is invalid and contains the following 1 error(s):\n"
	    "Missing required configuration \"source.cluster.alias\" which has no default value." VALIDATE_HINT);
	request(&r, "GET", "/connectors/" SOURCE "/config", NULL);
	assert_string_equal(jstr(r.json, "tasks.max"), "4");
	resp_release(&r);
	request_ct(&r, "PUT", "/connectors/" SOURCE "/config", cfg, "text/plain");
	assert_error(&r, 415, "HTTP 415 Unsupported Media Type");
	resp_release(&r);
}

static void test_patch_config(void **state)
{
	struct resp r;

	(void)state;
	create_source(SOURCE, "2");
	request(&r, "PATCH", "/connectors/" SOURCE "/config", "{\"tasks.max\":\"1\",\"key.converter\":null}");
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "tasks")), 1);
	resp_release(&r);
	request(&r, "GET", "/connectors/" SOURCE "/config", NULL);
	assert_string_equal(jstr(r.json, "tasks.max"), "1");
	assert_null(json_object_get(r.json, "key.converter"));
	assert_string_equal(jstr(r.json, "source.cluster.alias"), "east");
	resp_release(&r);
	expect_error(
	    "PATCH", "/connectors/" SOURCE "/config", "{\"source.cluster.alias\":null}", 400,
	    "Connector configuration is invalid and contains the following 1 error(s):\n"
	    "Missing required configuration \"source.cluster.alias\" which has no default value." VALIDATE_HINT);
}

/* --- expand --- */

static void test_expand(void **state)
{
	struct resp r;
	json_t *entry = NULL;

	(void)state;
	request(&r, "GET", "/connectors?expand=status", NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_is_object(r.json));
	assert_int_equal(json_object_size(r.json), 0);
	resp_release(&r);

	create_source(SOURCE, "2");
	create_source("kdr.west-to-east.source", "1");

	request(&r, "GET", "/connectors?expand=status", NULL);
	assert_int_equal(json_object_size(r.json), 2);
	entry = json_object_get(r.json, SOURCE);
	assert_int_equal(json_object_size(entry), 1);
	assert_string_equal(connector_state(json_object_get(entry, "status")), "RUNNING");
	assert_int_equal(task_count(json_object_get(entry, "status")), 2);
	assert_string_equal(jstr(json_object_get(entry, "status"), "name"), SOURCE);
	resp_release(&r);

	request(&r, "GET", "/connectors?expand=info", NULL);
	entry = json_object_get(r.json, "kdr.west-to-east.source");
	assert_int_equal(json_object_size(entry), 1);
	assert_string_equal(jstr(json_object_get(entry, "info"), "name"), "kdr.west-to-east.source");
	assert_string_equal(jstr(json_object_get(json_object_get(entry, "info"), "config"), "tasks.max"), "1");
	resp_release(&r);

	request(&r, "GET", "/connectors?expand=status&expand=info", NULL);
	entry = json_object_get(r.json, SOURCE);
	assert_int_equal(json_object_size(entry), 2);
	assert_non_null(json_object_get(entry, "status"));
	assert_non_null(json_object_get(entry, "info"));
	assert_string_equal(jstr(json_object_get(entry, "info"), "type"), "source");
	resp_release(&r);

	/* Unknown expansions are ignored, but the keyed shape stays. */
	request(&r, "GET", "/connectors?expand=bogus", NULL);
	assert_int_equal(json_object_size(r.json), 2);
	assert_int_equal(json_object_size(json_object_get(r.json, SOURCE)), 0);
	resp_release(&r);
}

/* --- pause / resume / stop --- */

static void test_pause_resume(void **state)
{
	struct resp r;
	const char *paused[] = {"PAUSED", "FAILED", "PAUSED"};
	const char *resumed[] = {"RUNNING", "FAILED", "RUNNING"};

	(void)state;
	create_source(SOURCE, "3");
	assert_int_equal(
	    kdr_connect_server_fail_task(srv, SOURCE, 1, "org.apache.kafka.connect.errors.ConnectException"), 0);

	request(&r, "PUT", "/connectors/" SOURCE "/pause", NULL);
	assert_int_equal(r.status, 202);
	assert_null(r.body);
	resp_release(&r);
	/* Failed tasks are not moved to PAUSED until they are restarted. */
	assert_states(SOURCE, "PAUSED", 3, paused);
	expect_status("PUT", "/connectors/" SOURCE "/pause", NULL, 202); /* idempotent */
	assert_states(SOURCE, "PAUSED", 3, paused);

	request(&r, "PUT", "/connectors/" SOURCE "/resume", NULL);
	assert_int_equal(r.status, 202);
	resp_release(&r);
	assert_states(SOURCE, "RUNNING", 3, resumed);
	expect_status("PUT", "/connectors/" SOURCE "/resume", NULL, 202); /* a no-op when running */
	assert_states(SOURCE, "RUNNING", 3, resumed);
}

static void test_stop(void **state)
{
	struct resp r;
	const char *running[] = {"RUNNING", "RUNNING"};

	(void)state;
	create_source(SOURCE, "2");
	request(&r, "PUT", "/connectors/" SOURCE "/stop", NULL);
	assert_int_equal(r.status, 204);
	assert_null(r.body);
	resp_release(&r);
	/* STOPPED: its tasks disappear. */
	assert_states(SOURCE, "STOPPED", 0, NULL);
	request(&r, "GET", "/connectors/" SOURCE, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "tasks")), 0);
	resp_release(&r);
	request(&r, "GET", "/connectors/" SOURCE "/tasks", NULL);
	assert_int_equal(json_array_size(r.json), 0);
	resp_release(&r);
	expect_error("GET", "/connectors/" SOURCE "/tasks/0/status", NULL, 404,
		     "No status found for task " SOURCE "-0");

	/* A stopped connector that is paused stays without tasks; resume brings them back. */
	expect_status("PUT", "/connectors/" SOURCE "/pause", NULL, 202);
	assert_states(SOURCE, "PAUSED", 0, NULL);
	expect_status("PUT", "/connectors/" SOURCE "/resume", NULL, 202);
	assert_states(SOURCE, "RUNNING", 2, running);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/*
 * With a state delay, pause/stop/resume answer as before but the status
 * keeps the old state until the delay has passed (as real Connect, which
 * acts after a rebalance); a later PUT replaces a pending one; setting the
 * delay back to 0 applies what is pending.
 */
#define STATE_DELAY_MS 1000

/* PUT `verb`: the old states still show at once, the new ones once the delay has passed. */
static void lagging_change(const char *verb, long status, const char *before, size_t n_before,
			   const char *const *tasks_before, const char *after, size_t n_after,
			   const char *const *tasks_after)
{
	char path[256];

	snprintf(path, sizeof(path), "/connectors/" SOURCE "/%s", verb);
	expect_status("PUT", path, NULL, status);
	assert_states(SOURCE, before, n_before, tasks_before);
	sleep_ms(STATE_DELAY_MS + 100);
	assert_states(SOURCE, after, n_after, tasks_after);
}

static void test_state_delay(void **state)
{
	const char *running[] = {"RUNNING", "RUNNING"};
	const char *paused[] = {"PAUSED", "PAUSED"};

	(void)state;
	create_source(SOURCE, "2");
	kdr_connect_server_set_state_delay(srv, STATE_DELAY_MS);
	lagging_change("pause", 202, "RUNNING", 2, running, "PAUSED", 2, paused);
	lagging_change("stop", 204, "PAUSED", 2, paused, "STOPPED", 0, NULL);
	/* A resume replaced by a pause before it applied: only the pause takes effect. */
	expect_status("PUT", "/connectors/" SOURCE "/resume", NULL, 202);
	lagging_change("pause", 202, "STOPPED", 0, NULL, "PAUSED", 0, NULL);

	/* Back to 0: the pending resume applies at once, and so do later ones. */
	expect_status("PUT", "/connectors/" SOURCE "/resume", NULL, 202);
	assert_states(SOURCE, "PAUSED", 0, NULL);
	kdr_connect_server_set_state_delay(srv, 0);
	assert_states(SOURCE, "RUNNING", 2, running);
	expect_status("PUT", "/connectors/" SOURCE "/pause", NULL, 202);
	assert_states(SOURCE, "PAUSED", 2, paused);
}

/* The PUT /config body of SOURCE (create_source's config) with `tasks_max`. */
static void source_config(char *out, size_t cap, const char *tasks_max)
{
	snprintf(out, cap,
		 "{\"connector.class\":\"%s\",\"source.cluster.alias\":\"east\",\"target.cluster.alias\":\"west\","
		 "\"tasks.max\":\"%s\",\"key.converter\":\"org.apache.kafka.connect.converters.ByteArrayConverter\"}",
		 SRC_CLASS, tasks_max);
}

/* GET /tasks of SOURCE: the task count and task 0's tasks.max (the config the tasks were generated from). */
static void assert_tasks_from(size_t n, const char *tasks_max)
{
	struct resp r;

	request(&r, "GET", "/connectors/" SOURCE "/tasks", NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(r.json), n);
	assert_string_equal(jstr(json_object_get(json_array_get(r.json, 0), "config"), "tasks.max"), tasks_max);
	resp_release(&r);
}

/*
 * With a state delay, a config update is stored before the answer (GET config
 * shows it at once, as Connect's herder reads its config topic's snapshot) but
 * the tasks keep running their old configs until the delay has passed (Connect
 * restarts the connector and regenerates its tasks after answering).
 */
static void test_config_delay(void **state)
{
	char body[1024];
	struct resp r;
	const char *two[] = {"RUNNING", "RUNNING"};
	const char *three[] = {"RUNNING", "RUNNING", "RUNNING"};

	(void)state;
	create_source(SOURCE, "2");
	kdr_connect_server_set_state_delay(srv, STATE_DELAY_MS);
	source_config(body, sizeof(body), "3");
	request(&r, "PUT", "/connectors/" SOURCE "/config", body);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(json_object_get(r.json, "config"), "tasks.max"), "3");
	assert_int_equal(json_array_size(json_object_get(r.json, "tasks")), 2); /* the tasks it has now */
	resp_release(&r);
	request(&r, "GET", "/connectors/" SOURCE "/config", NULL);
	assert_string_equal(jstr(r.json, "tasks.max"), "3");
	resp_release(&r);
	assert_tasks_from(2, "2");
	assert_states(SOURCE, "RUNNING", 2, two);
	sleep_ms(STATE_DELAY_MS + 100);
	assert_tasks_from(3, "3");
	assert_states(SOURCE, "RUNNING", 3, three);

	/* A pause and a config update both pending: the tasks stay old and are paused; resume regenerates them. */
	expect_status("PUT", "/connectors/" SOURCE "/pause", NULL, 202);
	/* An unchanged config: only the connector restarts. */
	expect_status("PUT", "/connectors/" SOURCE "/config", body, 200);
	assert_states(SOURCE, "RUNNING", 3, three);
	sleep_ms(STATE_DELAY_MS + 100);
	{
		const char *paused[] = {"PAUSED", "PAUSED", "PAUSED"};

		assert_states(SOURCE, "PAUSED", 3, paused);
	}

	/* Back to 0: a pending update applies at once. */
	expect_status("PUT", "/connectors/" SOURCE "/resume", NULL, 202);
	source_config(body, sizeof(body), "1");
	expect_status("PUT", "/connectors/" SOURCE "/config", body, 200);
	assert_tasks_from(3, "3");
	kdr_connect_server_set_state_delay(srv, 0);
	assert_tasks_from(1, "1");
	assert_states(SOURCE, "RUNNING", 1, two);
}

/*
 * With a state delay, a restart is answered before it happens (Connect writes
 * a restart request to its config topic, or restarts a task on its tick
 * thread, and the new status is read back later): the 202 body is the plan,
 * but the status keeps a FAILED task FAILED until the delay has passed.
 */
static void test_restart_delay(void **state)
{
	struct resp r;
	const char *failed[] = {"FAILED", "RUNNING"};
	const char *both_failed[] = {"FAILED", "FAILED"};
	const char *running[] = {"RUNNING", "RUNNING"};

	(void)state;
	create_source(SOURCE, "2");
	kdr_connect_server_set_state_delay(srv, STATE_DELAY_MS);
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 0, "java.lang.RuntimeException: boom"), 0);
	request(&r, "POST", "/connectors/" SOURCE "/restart?includeTasks=true&onlyFailed=true", NULL);
	assert_int_equal(r.status, 202);
	assert_string_equal(jstr(json_array_get(json_object_get(r.json, "tasks"), 0), "state"), "RESTARTING");
	assert_string_equal(jstr(json_array_get(json_object_get(r.json, "tasks"), 1), "state"), "RUNNING");
	resp_release(&r);
	assert_states(SOURCE, "RUNNING", 2, failed);
	sleep_ms(STATE_DELAY_MS + 100);
	assert_states(SOURCE, "RUNNING", 2, running);

	/* tasks/N/restart: the same, and two pending restarts both happen. */
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 1, "boom"), 0);
	expect_status("POST", "/connectors/" SOURCE "/tasks/1/restart", NULL, 204);
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 0, "boom"), 0);
	expect_status("POST", "/connectors/" SOURCE "/tasks/0/restart", NULL, 204);
	assert_states(SOURCE, "RUNNING", 2, both_failed);
	sleep_ms(STATE_DELAY_MS + 100);
	assert_states(SOURCE, "RUNNING", 2, running);

	/* A failed connector restarted while a pause is pending comes back PAUSED; delay 0 applies it at once. */
	assert_int_equal(kdr_connect_server_fail_connector(srv, SOURCE, "boom"), 0);
	expect_status("PUT", "/connectors/" SOURCE "/pause", NULL, 202);
	expect_status("POST", "/connectors/" SOURCE "/restart", NULL, 204);
	assert_states(SOURCE, "FAILED", 2, running);
	kdr_connect_server_set_state_delay(srv, 0);
	{
		const char *paused[] = {"PAUSED", "PAUSED"};

		assert_states(SOURCE, "PAUSED", 2, paused);
	}
}

static void test_initial_state(void **state)
{
	char body[1024];
	const char *running[] = {"RUNNING"};

	(void)state;
	snprintf(body, sizeof(body),
		 "{\"name\":\"p\",\"initial_state\":\"PAUSED\",\"config\":{\"connector.class\":\"%s\","
		 "\"source.cluster.alias\":\"e\"}}",
		 HB_CLASS);
	expect_status("POST", "/connectors", body, 201);
	assert_states("p", "PAUSED", 0, NULL);
	expect_status("PUT", "/connectors/p/resume", NULL, 202);
	assert_states("p", "RUNNING", 1, running);

	snprintf(body, sizeof(body),
		 "{\"name\":\"s\",\"initial_state\":\"STOPPED\",\"config\":{\"connector.class\":\"%s\","
		 "\"source.cluster.alias\":\"e\"}}",
		 HB_CLASS);
	expect_status("POST", "/connectors", body, 201);
	assert_states("s", "STOPPED", 0, NULL);

	snprintf(body, sizeof(body),
		 "{\"name\":\"x\",\"initial_state\":\"SLEEPING\",\"config\":{\"connector.class\":\"%s\","
		 "\"source.cluster.alias\":\"e\"}}",
		 HB_CLASS);
	expect_error("POST", "/connectors", body, 400,
		     "Invalid initial_state SLEEPING: must be one of RUNNING, PAUSED, STOPPED");
}

/* --- tasks per connector type --- */

static void test_task_counts(void **state)
{
	char body[1024];

	(void)state;
	/* The heartbeat connector always has exactly one task. */
	snprintf(body, sizeof(body),
		 "{\"name\":\"hb\",\"config\":{\"connector.class\":\"%s\",\"source.cluster.alias\":\"w\","
		 "\"target.cluster.alias\":\"e\",\"tasks.max\":\"8\"}}",
		 HB_CLASS);
	expect_status("POST", "/connectors", body, 201);
	assert_states("hb", "RUNNING", 1, NULL);
	/* The checkpoint connector gets tasks.max tasks (no groups to bound it here). */
	snprintf(
	    body, sizeof(body),
	    "{\"name\":\"ckp\",\"config\":{\"connector.class\":\"MirrorCheckpoint\",\"source.cluster.alias\":\"e\","
	    "\"tasks.max\":\"3\"}}");
	expect_status("POST", "/connectors", body, 201);
	assert_states("ckp", "RUNNING", 3, NULL);
	/* Disabled emission or a disabled connector: RUNNING with zero tasks. */
	snprintf(body, sizeof(body),
		 "{\"name\":\"hb-off\",\"config\":{\"connector.class\":\"%s\",\"source.cluster.alias\":\"w\","
		 "\"emit.heartbeats.enabled\":\"false\"}}",
		 HB_CLASS);
	expect_status("POST", "/connectors", body, 201);
	assert_states("hb-off", "RUNNING", 0, NULL);
	snprintf(body, sizeof(body),
		 "{\"name\":\"src-off\",\"config\":{\"connector.class\":\"%s\",\"source.cluster.alias\":\"e\","
		 "\"enabled\":\"false\",\"tasks.max\":\"4\"}}",
		 SRC_CLASS);
	expect_status("POST", "/connectors", body, 201);
	assert_states("src-off", "RUNNING", 0, NULL);
	/* MM2 3.9 refuses a checkpoint connector that emits no checkpoints. */
	expect_error("POST", "/connectors",
		     "{\"name\":\"ckp-off\",\"config\":{\"connector.class\":\"MirrorCheckpointConnector\","
		     "\"source.cluster.alias\":\"e\",\"emit.checkpoints.enabled\":\"false\"}}",
		     400,
		     "Connector configuration is invalid and contains the following 1 error(s):\n"
		     "MirrorCheckpointConnector can't run with emit.checkpoints.enabled set to false" VALIDATE_HINT);
}

/* --- restart --- */

static void test_restart_connector_only(void **state)
{
	struct resp r;

	(void)state;
	create_source(SOURCE, "2");
	assert_int_equal(kdr_connect_server_fail_connector(srv, SOURCE, "java.lang.IllegalStateException: x"), 0);
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 0, "trace-0"), 0);
	{
		json_t *status = status_of(SOURCE);

		assert_string_equal(connector_state(status), "FAILED");
		assert_string_equal(jstr(json_object_get(status, "connector"), "trace"),
				    "java.lang.IllegalStateException: x");
		json_decref(status);
	}
	/* No parameters (or both false): 204, the connector instance only. */
	request(&r, "POST", "/connectors/" SOURCE "/restart", NULL);
	assert_int_equal(r.status, 204);
	assert_null(r.body);
	resp_release(&r);
	{
		const char *tasks[] = {"FAILED", "RUNNING"};

		assert_states(SOURCE, "RUNNING", 2, tasks);
	}
	expect_status("POST", "/connectors/" SOURCE "/restart?includeTasks=false&onlyFailed=false", NULL, 204);
}

static void test_restart_include_tasks(void **state)
{
	struct resp r;
	size_t i = 0;
	const char *running[] = {"RUNNING", "RUNNING", "RUNNING"};

	(void)state;
	create_source(SOURCE, "3");
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 2, "trace-2"), 0);
	request(&r, "POST", "/connectors/" SOURCE "/restart?includeTasks=true", NULL);
	assert_int_equal(r.status, 202);
	/* The plan: everything is RESTARTING; a trace is still shown. */
	assert_string_equal(jstr(r.json, "name"), SOURCE);
	assert_string_equal(jstr(r.json, "type"), "source");
	assert_string_equal(connector_state(r.json), "RESTARTING");
	for (i = 0; i < 3; i++)
		assert_string_equal(task_state(r.json, i), "RESTARTING");
	assert_string_equal(jstr(json_array_get(json_object_get(r.json, "tasks"), 2), "trace"), "trace-2");
	resp_release(&r);
	/* ... and afterwards RUNNING again, traces gone. */
	assert_states(SOURCE, "RUNNING", 3, running);
	{
		json_t *status = status_of(SOURCE);

		assert_null(json_object_get(json_array_get(json_object_get(status, "tasks"), 2), "trace"));
		json_decref(status);
	}
}

static void test_restart_only_failed(void **state)
{
	struct resp r;
	const char *running[] = {"RUNNING", "RUNNING", "RUNNING"};

	(void)state;
	create_source(SOURCE, "3");
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 1, "trace-1"), 0);
	request(&r, "POST", "/connectors/" SOURCE "/restart?includeTasks=true&onlyFailed=true", NULL);
	assert_int_equal(r.status, 202);
	/* Only the FAILED instance restarts; the running connector and tasks are left alone. */
	assert_string_equal(connector_state(r.json), "RUNNING");
	assert_string_equal(task_state(r.json, 0), "RUNNING");
	assert_string_equal(task_state(r.json, 1), "RESTARTING");
	assert_string_equal(task_state(r.json, 2), "RUNNING");
	resp_release(&r);
	assert_states(SOURCE, "RUNNING", 3, running);

	/* onlyFailed without includeTasks: a failed connector restarts, failed tasks do not. */
	assert_int_equal(kdr_connect_server_fail_connector(srv, SOURCE, "c-trace"), 0);
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 0, "t-trace"), 0);
	request(&r, "POST", "/connectors/" SOURCE "/restart?onlyFailed=true", NULL);
	assert_int_equal(r.status, 202);
	assert_string_equal(connector_state(r.json), "RESTARTING");
	assert_string_equal(jstr(json_object_get(r.json, "connector"), "trace"), "c-trace");
	assert_string_equal(task_state(r.json, 0), "FAILED");
	resp_release(&r);
	{
		const char *tasks[] = {"FAILED", "RUNNING", "RUNNING"};

		assert_states(SOURCE, "RUNNING", 3, tasks);
	}
	/* Nothing failed: a 202 with nothing RESTARTING. */
	expect_status("POST", "/connectors/" SOURCE "/restart?includeTasks=true&onlyFailed=true", NULL, 202);
	request(&r, "POST", "/connectors/" SOURCE "/restart?includeTasks=true&onlyFailed=true", NULL);
	assert_string_equal(connector_state(r.json), "RUNNING");
	assert_string_equal(task_state(r.json, 0), "RUNNING");
	resp_release(&r);
}

/* A task that fails again after each restart: RUNNING for after_ms, then FAILED with the same trace. */
static void test_task_fails_again_after_restart(void **state)
{
	struct resp r;
	const char *failed[] = {"FAILED", "RUNNING"};
	const char *running[] = {"RUNNING", "RUNNING"};

	(void)state;
	create_source(SOURCE, "2");
	assert_int_equal(kdr_connect_server_fail_task_again(srv, SOURCE, 0, "again-trace", 300), 0);
	assert_states(SOURCE, "RUNNING", 2, failed);
	request(&r, "POST", "/connectors/" SOURCE "/restart?includeTasks=true&onlyFailed=true", NULL);
	assert_int_equal(r.status, 202);
	assert_string_equal(task_state(r.json, 0), "RESTARTING");
	resp_release(&r);
	/* The first read sees it running (the 300 ms start then), a read after them FAILED again. */
	assert_states(SOURCE, "RUNNING", 2, running);
	sleep_ms(400);
	assert_states(SOURCE, "RUNNING", 2, failed);
	request(&r, "GET", "/connectors/" SOURCE "/tasks/0/status", NULL);
	assert_string_equal(jstr(r.json, "trace"), "again-trace");
	resp_release(&r);
	/* tasks/N/restart too; 0 ms: no read sees it running. */
	assert_int_equal(kdr_connect_server_fail_task_again(srv, SOURCE, 0, "again-trace", 0), 0);
	expect_status("POST", "/connectors/" SOURCE "/tasks/0/restart", NULL, 204);
	assert_states(SOURCE, "RUNNING", 2, failed);
	/* New task configs (a stop, then a resume) end it. */
	expect_status("PUT", "/connectors/" SOURCE "/stop", NULL, 204);
	expect_status("PUT", "/connectors/" SOURCE "/resume", NULL, 202);
	assert_states(SOURCE, "RUNNING", 2, running);
	assert_int_equal(kdr_connect_server_fail_task_again(srv, SOURCE, 2, "t", 0), KDR_ENOTFOUND);
}

static void test_restart_paused(void **state)
{
	const char *paused[] = {"PAUSED", "PAUSED"};

	(void)state;
	/* A restarted instance comes back in its target state. */
	create_source(SOURCE, "2");
	expect_status("PUT", "/connectors/" SOURCE "/pause", NULL, 202);
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 0, "t"), 0);
	expect_status("POST", "/connectors/" SOURCE "/restart?includeTasks=true&onlyFailed=true", NULL, 202);
	assert_states(SOURCE, "PAUSED", 2, paused);
}

static void test_tasks(void **state)
{
	struct resp r;

	(void)state;
	create_source(SOURCE, "2");
	request(&r, "GET", "/connectors/" SOURCE "/tasks/1/status", NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "id")), 1);
	assert_string_equal(jstr(r.json, "state"), "RUNNING");
	assert_non_null(json_object_get(r.json, "worker_id"));
	assert_null(json_object_get(r.json, "trace"));
	resp_release(&r);
	expect_error("GET", "/connectors/" SOURCE "/tasks/2/status", NULL, 404,
		     "No status found for task " SOURCE "-2");
	expect_error("GET", "/connectors/" SOURCE "/tasks/-1/status", NULL, 404,
		     "No status found for task " SOURCE "--1");

	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 1, "org.example.Boom\n\tat x"), 0);
	request(&r, "GET", "/connectors/" SOURCE "/tasks/1/status", NULL);
	assert_string_equal(jstr(r.json, "state"), "FAILED");
	assert_string_equal(jstr(r.json, "trace"), "org.example.Boom\n\tat x");
	resp_release(&r);

	request(&r, "POST", "/connectors/" SOURCE "/tasks/1/restart", NULL);
	assert_int_equal(r.status, 204);
	assert_null(r.body);
	resp_release(&r);
	request(&r, "GET", "/connectors/" SOURCE "/tasks/1/status", NULL);
	assert_string_equal(jstr(r.json, "state"), "RUNNING");
	assert_null(json_object_get(r.json, "trace"));
	resp_release(&r);
	expect_error("POST", "/connectors/" SOURCE "/tasks/7/restart", NULL, 404, "Unknown task: " SOURCE "-7");

	/* The fault functions' own errors. */
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, 2, "t"), KDR_ENOTFOUND);
	assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, -1, "t"), KDR_ENOTFOUND);
	assert_int_equal(kdr_connect_server_fail_task(srv, "nope", 0, "t"), KDR_ENOTFOUND);
	assert_string_equal(kdr_error_message(), "connect sandbox: connector 'nope' not found");
	assert_int_equal(kdr_connect_server_fail_connector(srv, "nope", "t"), KDR_ENOTFOUND);
	assert_int_equal(kdr_connect_server_unassign(srv, "nope"), KDR_ENOTFOUND);
}

static void test_unassigned(void **state)
{
	const char *unassigned[] = {"UNASSIGNED", "UNASSIGNED"};
	const char *running[] = {"RUNNING", "RUNNING"};

	(void)state;
	create_source(SOURCE, "2");
	assert_int_equal(kdr_connect_server_unassign(srv, SOURCE), 0);
	assert_states(SOURCE, "UNASSIGNED", 2, unassigned);
	/* Pause does not move instances that run nowhere. */
	expect_status("PUT", "/connectors/" SOURCE "/pause", NULL, 202);
	assert_states(SOURCE, "UNASSIGNED", 2, unassigned);
	expect_status("PUT", "/connectors/" SOURCE "/resume", NULL, 202);
	expect_status("POST", "/connectors/" SOURCE "/restart?includeTasks=true", NULL, 202);
	assert_states(SOURCE, "RUNNING", 2, running);
}

/* --- validate --- */

/* The "value" of config `name` in a ConfigInfos response. */
static json_t *config_value_of(const json_t *infos, const char *name)
{
	const json_t *configs = json_object_get(infos, "configs");
	size_t i = 0;

	for (i = 0; i < json_array_size(configs); i++) {
		json_t *value = json_object_get(json_array_get(configs, i), "value");

		if (!strcmp(jstr(value, "name"), name))
			return value;
	}
	fail_msg("no config '%s' in the validation response", name);
	return NULL;
}

static void test_validate(void **state)
{
	struct resp r;
	json_t *value = NULL;

	(void)state;
	/* Valid, by full class name in the path. */
	request(&r, "PUT", "/connector-plugins/" SRC_CLASS "/config/validate",
		"{\"connector.class\":\"" SRC_CLASS
		"\",\"name\":\"v\",\"source.cluster.alias\":\"e\",\"tasks.max\":\"2\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "name"), SRC_CLASS);
	assert_int_equal(json_integer_value(json_object_get(r.json, "error_count")), 0);
	assert_true(json_is_array(json_object_get(r.json, "groups")));
	value = config_value_of(r.json, "tasks.max");
	assert_string_equal(jstr(value, "value"), "2");
	assert_int_equal(json_array_size(json_object_get(value, "errors")), 0);
	assert_true(json_is_true(json_object_get(value, "visible")));
	value = config_value_of(r.json, "target.cluster.alias");
	assert_string_equal(jstr(value, "value"), "target"); /* the default */
	value = config_value_of(r.json, "replication.factor");
	assert_string_equal(jstr(value, "value"), "2");
	resp_release(&r);

	/* Invalid: still 200, with error_count and per-config errors. Simple name in the path. */
	request(
	    &r, "PUT", "/connector-plugins/MirrorSourceConnector/config/validate",
	    "{\"connector.class\":\"MirrorSourceConnector\",\"tasks.max\":\"-3\",\"sync.topic.acls.enabled\":\"nah\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "name"), "MirrorSourceConnector");
	assert_int_equal(json_integer_value(json_object_get(r.json, "error_count")), 4);
	value = config_value_of(r.json, "name");
	assert_string_equal(json_string_value(json_array_get(json_object_get(value, "errors"), 0)),
			    "Missing required configuration \"name\" which has no default value.");
	value = config_value_of(r.json, "tasks.max");
	assert_string_equal(json_string_value(json_array_get(json_object_get(value, "errors"), 0)),
			    "Invalid value -3 for configuration tasks.max: Value must be at least 1");
	value = config_value_of(r.json, "source.cluster.alias");
	assert_int_equal(json_array_size(json_object_get(value, "errors")), 1);
	value = config_value_of(r.json, "sync.topic.acls.enabled");
	assert_string_equal(json_string_value(json_array_get(json_object_get(value, "errors"), 0)),
			    "Invalid value nah for configuration sync.topic.acls.enabled: Expected value to be either "
			    "true or false");
	resp_release(&r);

	/* The alias without "Connector" works in both places. */
	request(&r, "PUT", "/connector-plugins/MirrorHeartbeat/config/validate",
		"{\"connector.class\":\"MirrorHeartbeat\",\"name\":\"h\",\"source.cluster.alias\":\"w\"}");
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "error_count")), 0);
	resp_release(&r);
	/* Checkpoint-specific rule. */
	request(&r, "PUT", "/connector-plugins/MirrorCheckpointConnector/config/validate",
		"{\"connector.class\":\"" CKP_CLASS "\",\"name\":\"c\",\"source.cluster.alias\":\"e\","
		"\"emit.offset-syncs.enabled\":\"false\"}");
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "error_count")), 1);
	value = config_value_of(r.json, "emit.offset-syncs.enabled");
	assert_string_equal(json_string_value(json_array_get(json_object_get(value, "errors"), 0)),
			    "MirrorCheckpointConnector can't run without offset syncs");
	resp_release(&r);

	/* Request-level 400s. */
	expect_error("PUT", "/connector-plugins/MirrorSourceConnector/config/validate",
		     "{\"connector.class\":\"" HB_CLASS "\"}", 400,
		     "Included connector type " HB_CLASS " does not match request type MirrorSourceConnector");
	expect_error("PUT", "/connector-plugins/MirrorSourceConnector/config/validate", "{\"tasks.max\":\"1\"}", 400,
		     "Connector config {tasks.max=1} contains no connector type");
	request(&r, "PUT", "/connector-plugins/Nope/config/validate", "{\"connector.class\":\"Nope\"}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(jstr(r.json, "message"), "which name matches Nope, available connectors are: "));
	resp_release(&r);
	expect_error("PUT", "/connector-plugins/MirrorSourceConnector/config/validate", "not json", 400,
		     "Unable to parse the request body as JSON: '[' or '{' expected near 'not' (line 1, column 3)");
}

/* --- names --- */

static void test_url_encoded_names(void **state)
{
	struct resp r;
	char body[1024];
	char expected[512];

	(void)state;
	create_source(SOURCE, "1");
	/* Dots and dashes percent-encoded in the path are the same connector. */
	request(&r, "GET", "/connectors/kdr%2Eeast%2Dto%2Dwest%2esource/status", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "name"), SOURCE);
	resp_release(&r);

	/* A name with a space and a slash. */
	source_body(body, sizeof(body), "my conn/1", "1");
	request(&r, "POST", "/connectors", body);
	assert_int_equal(r.status, 201);
	snprintf(expected, sizeof(expected), "%s/connectors/my%%20conn%%2F1", kdr_connect_server_url(srv));
	assert_string_equal(r.location, expected);
	resp_release(&r);
	request(&r, "GET", "/connectors/my%20conn%2F1", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "name"), "my conn/1");
	resp_release(&r);
	expect_status("PUT", "/connectors/my%20conn%2F1/pause", NULL, 202);
	expect_status("DELETE", "/connectors/my%20conn%2F1", NULL, 204);

	/* PUT with an encoded name: the URL's decoded name is what "name" must match. */
	expect_status("PUT", "/connectors/a%2Eb/config",
		      "{\"connector.class\":\"MirrorSourceConnector\",\"source.cluster.alias\":\"e\",\"name\":\"a.b\"}",
		      201);
	expect_error("GET", "/connectors/bad%zz", NULL, 400, "HTTP 400 Bad Request");
}

/* --- fault injection and counters --- */

static void test_faults(void **state)
{
	struct resp r;
	char body[1024];

	(void)state;
	kdr_connect_server_fail(srv, 409, 2);
	source_body(body, sizeof(body), SOURCE, "1");
	expect_error("POST", "/connectors", body, 409,
		     "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent "
		     "config change)");
	expect_error("GET", "/connectors", NULL, 409,
		     "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent "
		     "config change)");
	/* The failed POST changed nothing; the third request is served. */
	request(&r, "GET", "/connectors", NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(r.json), 0);
	resp_release(&r);

	kdr_connect_server_fail(srv, 500, 1);
	expect_error("GET", "/", NULL, 500, "Request timed out");
	expect_status("GET", "/", NULL, 200);

	kdr_connect_server_fail(srv, 503, 1);
	expect_error("PUT", "/connectors/x/pause", NULL, 503, "HTTP 503 Service Unavailable");

	/* count 0 cancels what is pending. */
	kdr_connect_server_fail(srv, 500, 5);
	kdr_connect_server_fail(srv, 500, 0);
	expect_status("GET", "/", NULL, 200);
}

static void test_counters(void **state)
{
	char body[1024];

	(void)state;
	kdr_connect_server_reset_counters(srv);
	assert_int_equal(kdr_connect_server_request_count(srv, NULL), 0);
	expect_status("GET", "/", NULL, 200);
	expect_status("GET", "/connectors", NULL, 200);
	source_body(body, sizeof(body), SOURCE, "1");
	expect_status("POST", "/connectors", body, 201);
	expect_status("PUT", "/connectors/" SOURCE "/pause", NULL, 202);
	expect_status("PATCH", "/connectors/" SOURCE "/config", "{\"tasks.max\":\"2\"}", 200);
	expect_status("DELETE", "/connectors/" SOURCE, NULL, 204);
	/* Failures and 404s are requests too. */
	kdr_connect_server_fail(srv, 409, 1);
	expect_status("GET", "/", NULL, 409);
	expect_status("GET", "/nowhere", NULL, 404);
	assert_int_equal(kdr_connect_server_request_count(srv, "GET"), 4);
	assert_int_equal(kdr_connect_server_request_count(srv, "POST"), 1);
	assert_int_equal(kdr_connect_server_request_count(srv, "PUT"), 1);
	assert_int_equal(kdr_connect_server_request_count(srv, "PATCH"), 1);
	assert_int_equal(kdr_connect_server_request_count(srv, "DELETE"), 1);
	assert_int_equal(kdr_connect_server_request_count(srv, "OPTIONS"), 0);
	assert_int_equal(kdr_connect_server_request_count(srv, "BREW"), 0);
	assert_int_equal(kdr_connect_server_request_count(srv, NULL), 8);
	kdr_connect_server_reset_counters(srv);
	assert_int_equal(kdr_connect_server_request_count(srv, NULL), 0);
	assert_int_equal(kdr_connect_server_request_count(srv, "GET"), 0);
}

/* --- the curl CLI: an independent client --- */

/* Runs `curl <args>` and returns the HTTP status; `*body` gets the body (malloc'ed). */
static long curl_cli(char **body, const char *args)
{
	char command[4096];
	char buf[4096];
	size_t len = 0, n = 0;
	char *out = NULL;
	char *nl = NULL;
	long status = 0;
	FILE *pipe = NULL;

	snprintf(command, sizeof(command), "curl -sS --max-time 10 -w '\\n%%{http_code}' %s", args);
	pipe = popen(command, "r");
	assert_non_null(pipe);
	while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) {
		out = realloc(out, len + n + 1);
		assert_non_null(out);
		memcpy(out + len, buf, n);
		len += n;
		out[len] = '\0';
	}
	assert_int_equal(pclose(pipe), 0);
	assert_non_null(out);
	nl = strrchr(out, '\n');
	assert_non_null(nl);
	status = strtol(nl + 1, NULL, 10);
	*nl = '\0';
	*body = out;
	return status;
}

static json_t *parse(const char *text)
{
	json_error_t error = {0};
	json_t *json = json_loads(text, 0, &error);

	if (!json)
		fail_msg("not JSON: %s", text);
	return json;
}

static void test_curl_cli(void **state)
{
	const char *url = kdr_connect_server_url(srv);
	char args[2048];
	char *body = NULL;
	json_t *json = NULL;

	(void)state;
	if (system("command -v curl >/dev/null 2>&1") != 0)
		skip();

	snprintf(args, sizeof(args), "'%s/'", url);
	assert_int_equal(curl_cli(&body, args), 200);
	json = parse(body);
	assert_string_equal(jstr(json, "kafka_cluster_id"), CLUSTER_ID);
	json_decref(json);
	free(body);

	snprintf(
	    args, sizeof(args),
	    "-X POST -H 'Content-Type: application/json' --data '{\"name\":\"" SOURCE "\",\"config\":{"
	    "\"connector.class\":\"MirrorSourceConnector\",\"source.cluster.alias\":\"east\",\"tasks.max\":\"2\"}}' "
	    "'%s/connectors'",
	    url);
	assert_int_equal(curl_cli(&body, args), 201);
	json = parse(body);
	assert_string_equal(jstr(json, "name"), SOURCE);
	assert_int_equal(json_array_size(json_object_get(json, "tasks")), 2);
	json_decref(json);
	free(body);

	/* curl -d without a JSON Content-Type gets 415, as from Connect. */
	snprintf(args, sizeof(args), "-X PUT --data '{}' '%s/connectors/" SOURCE "/config'", url);
	assert_int_equal(curl_cli(&body, args), 415);
	json = parse(body);
	assert_int_equal(json_integer_value(json_object_get(json, "error_code")), 415);
	json_decref(json);
	free(body);

	snprintf(args, sizeof(args), "-X PUT '%s/connectors/" SOURCE "/pause'", url);
	assert_int_equal(curl_cli(&body, args), 202);
	assert_string_equal(body, "");
	free(body);

	snprintf(args, sizeof(args), "'%s/connectors?expand=status&expand=info'", url);
	assert_int_equal(curl_cli(&body, args), 200);
	json = parse(body);
	assert_string_equal(connector_state(json_object_get(json_object_get(json, SOURCE), "status")), "PAUSED");
	assert_string_equal(jstr(json_object_get(json_object_get(json, SOURCE), "info"), "name"), SOURCE);
	json_decref(json);
	free(body);

	snprintf(args, sizeof(args), "-X POST '%s/connectors/" SOURCE "/restart?includeTasks=true&onlyFailed=false'",
		 url);
	assert_int_equal(curl_cli(&body, args), 202);
	json = parse(body);
	assert_string_equal(task_state(json, 1), "RESTARTING");
	json_decref(json);
	free(body);

	snprintf(args, sizeof(args), "'%s/connectors/nope/status'", url);
	assert_int_equal(curl_cli(&body, args), 404);
	json = parse(body);
	assert_string_equal(jstr(json, "message"), "No status found for connector nope");
	json_decref(json);
	free(body);

	snprintf(args, sizeof(args), "-X DELETE '%s/connectors/" SOURCE "'", url);
	assert_int_equal(curl_cli(&body, args), 204);
	assert_string_equal(body, "");
	free(body);
}

/* --- lifecycle, threads, limits --- */

/* Threads of this process, from /proc/self/status. */
static int thread_count(void)
{
	FILE *status = fopen("/proc/self/status", "r");
	char line[256];
	int threads = -1;

	assert_non_null(status);
	while (fgets(line, sizeof(line), status))
		if (!strncmp(line, "Threads:", 8))
			threads = atoi(line + 8);
	fclose(status);
	return threads;
}

static void test_start_errors(void **state)
{
	struct kdr_connect_server *other = NULL;
	int port = atoi(strrchr(kdr_connect_server_url(srv), ':') + 1);
	int threads = thread_count();

	(void)state;
	/* The port is taken (by the fixture's server). */
	assert_int_equal(kdr_connect_server_start(&other, "c", port), KDR_EUNAVAILABLE);
	assert_null(other);
	assert_int_equal(kdr_connect_server_start(&other, "c", 70000), KDR_EINVALID);
	assert_int_equal(kdr_connect_server_start(&other, NULL, 0), KDR_EINVALID);
	/* A second worker on its own ephemeral port, with its own state. */
	assert_int_equal(kdr_connect_server_start(&other, "other-cluster", 0), 0);
	assert_string_not_equal(kdr_connect_server_url(other), kdr_connect_server_url(srv));
	assert_int_equal(strncmp(kdr_connect_server_url(other), "http://127.0.0.1:", 17), 0);
	assert_int_equal(thread_count(), threads + 1);
	{
		struct resp r;

		/* Served by the second worker: it reports its own cluster id. */
		struct kdr_connect_server *saved = srv;

		srv = other;
		request(&r, "GET", "/", NULL);
		srv = saved;
		assert_string_equal(jstr(r.json, "kafka_cluster_id"), "other-cluster");
		resp_release(&r);
	}
	kdr_connect_server_stop(other);
	/* Stopping joins the server's thread: none is left behind. */
	assert_int_equal(thread_count(), threads);
	kdr_connect_server_stop(NULL);
}

static void *hammer(void *arg)
{
	int i = 0;

	(void)arg;
	for (i = 0; i < 40; i++) {
		CURL *curl = curl_easy_init();
		char url[256];
		long status = 0;

		snprintf(url, sizeof(url), "%s/connectors?expand=status", kdr_connect_server_url(srv));
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
		{
			struct growbuf buf = {NULL, 0};

			curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
			if (curl_easy_perform(curl) != CURLE_OK)
				return (void *)1;
			free(buf.ptr);
		}
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_cleanup(curl);
		if (status != 200)
			return (void *)1;
	}
	return NULL;
}

static void test_concurrent_clients(void **state)
{
	pthread_t threads[4];
	size_t i = 0;
	void *result = NULL;

	(void)state;
	create_source(SOURCE, "2");
	kdr_connect_server_reset_counters(srv);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, hammer, NULL), 0);
	/* Meanwhile the test thread mutates state through the API. */
	for (i = 0; i < 20; i++) {
		assert_int_equal(kdr_connect_server_fail_task(srv, SOURCE, (int)(i % 2), "t"), 0);
		(void)kdr_connect_server_request_count(srv, "GET");
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(threads[i], &result), 0);
		assert_null(result);
	}
	assert_int_equal(kdr_connect_server_request_count(srv, "GET"), 160);
}

static void test_body_too_large(void **state)
{
	size_t size = (size_t)5 << 20;
	char *body = malloc(size + 1);
	struct resp r;

	(void)state;
	assert_non_null(body);
	memset(body, ' ', size);
	body[0] = '{';
	body[size - 1] = '}';
	body[size] = '\0';
	request(&r, "PUT", "/connector-plugins/MirrorSource/config/validate", body);
	assert_error(&r, 413, "Request body too large");
	resp_release(&r);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plugins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_get_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_paths_and_methods, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_value_coercion, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_put_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_patch_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_expand, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pause_resume, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_state_delay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_delay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_delay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_initial_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_task_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_connector_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_include_tasks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_only_failed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_task_fails_again_after_restart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_paused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tasks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unassigned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_validate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_url_encoded_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_curl_cli, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_start_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_clients, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_body_too_large, setup, teardown),
	};
	int failed = 0;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}
