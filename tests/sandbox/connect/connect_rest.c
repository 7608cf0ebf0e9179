#include "connect_rest.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connect_plugins.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* GET / reports this commit id: the sandbox is no build of Kafka, so it names none. */
#define KDR_CONNECT_COMMIT "0000000000000000"

/* What one handler sees: the request, its decoded path segments and the state. */
struct ctx {
	struct kdr_connect_response *resp;
	struct kdr_connect_state_store *store;
	const struct kdr_connect_request *req;
	struct kdr_strvec seg;
};

typedef void (*handler_fn)(struct ctx *ctx);

#define MAX_SEGMENTS 6

struct route {
	const char *pattern[MAX_SEGMENTS]; /* "*": any one segment; NULL-terminated */
	const char *method;
	handler_fn fn;
};

void kdr_connect_rest_error(struct kdr_connect_response *resp, int status, const char *message)
{
	json_decref(resp->body);
	resp->status = status;
	resp->body = json_pack("{s:i, s:s}", "error_code", status, "message", message);
}

/* printf-style variant of kdr_connect_rest_error. */
__attribute__((format(printf, 3, 4))) static void fail(struct ctx *ctx, int status, const char *fmt, ...)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	kdr_buf_vprintf(&buf, fmt, ap);
	va_end(ap);
	kdr_connect_rest_error(ctx->resp, status, buf.ptr);
	kdr_buf_release(&buf);
}

static void reply(struct ctx *ctx, int status, json_t *body)
{
	json_decref(ctx->resp->body);
	ctx->resp->status = status;
	ctx->resp->body = body;
}

void kdr_connect_rest_response_release(struct kdr_connect_response *resp)
{
	json_decref(resp->body);
	free(resp->location);
	resp->body = NULL;
	resp->location = NULL;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *kdr_connect_rest_percent_decode(const char *s, size_t len)
{
	char *out = kdr_malloc(len + 1);
	size_t i = 0, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[n++] = s[i];
			continue;
		}
		if (i + 2 >= len || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
			goto malformed;
		out[n] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
		/* An embedded NUL would silently cut a name short. */
		if (!out[n])
			goto malformed;
		n++;
		i += 2;
	}
	out[n] = '\0';
	return out;

malformed:
	free(out);
	return NULL;
}

/* Percent-encodes a path segment the way UriBuilder.path leaves it: unreserved, sub-delims, ':' and '@' stay. */
static void put_segment(struct kdr_buf *buf, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~!$&'()*+,;=:@", c))
			kdr_buf_putc(buf, (char)c);
		else
			kdr_buf_printf(buf, "%%%02X", c);
	}
}

/* The query value of `key` (first occurrence), or NULL. */
static const char *query(const struct kdr_connect_request *req, const char *key)
{
	long at = kdr_strvec_find(&req->query_keys, key);

	return at >= 0 ? req->query_values.v[at] : NULL;
}

/* JAX-RS's Boolean.valueOf of a @QueryParam with @DefaultValue("false"). */
static bool query_bool(const struct kdr_connect_request *req, const char *key)
{
	const char *value = query(req, key);

	return value && !strcasecmp(value, "true");
}

/* A @PathParam Integer: Integer.valueOf, whose failure JAX-RS answers with 404. */
static bool parse_task_id(const char *s, long *out)
{
	const char *digits = (*s == '+' || *s == '-') ? s + 1 : s;
	char *end = NULL;
	long value = 0;

	if (!*digits)
		return false;
	for (const char *p = digits; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	value = strtol(s, &end, 10);
	if (errno == ERANGE || *end || value < INT_MIN || value > INT_MAX)
		return false;
	*out = value;
	return true;
}

/* @Consumes(APPLICATION_JSON): a sent Content-Type must be compatible with application/json. */
static bool consumes_json(struct ctx *ctx)
{
	const char *type = ctx->req->content_type;
	size_t len = 0;

	if (!type)
		return true;
	while (*type == ' ')
		type++;
	len = strcspn(type, "; \t");
	if ((len == 16 && !strncasecmp(type, "application/json", len)) ||
	    (len == 13 && !strncasecmp(type, "application/*", len)) || (len == 3 && !strncmp(type, "*/*", len)))
		return true;
	kdr_connect_rest_error(ctx->resp, 415, "HTTP 415 Unsupported Media Type");
	return false;
}

/* Parses the request body as a JSON object; answers 400 and returns NULL when it is not one. */
static json_t *body_object(struct ctx *ctx)
{
	json_error_t error = {0};
	json_t *body = NULL;

	if (!ctx->req->body || !ctx->req->body_len) {
		kdr_connect_rest_error(ctx->resp, 400, "Request body is missing");
		return NULL;
	}
	body = json_loadb(ctx->req->body, ctx->req->body_len, 0, &error);
	if (!body) {
		fail(ctx, 400, "Unable to parse the request body as JSON: %s (line %d, column %d)", error.text,
		     error.line, error.column);
		return NULL;
	}
	if (!json_is_object(body)) {
		fail(ctx, 400, "Cannot deserialize value of type `java.util.Map` from %s value",
		     json_is_array(body) ? "Array" : "scalar");
		json_decref(body);
		return NULL;
	}
	return body;
}

/* The shortest decimal form of `value` that reads back as the same double. */
static char *real_string(double value)
{
	int precision = 0;

	for (precision = 1; precision < 17; precision++) {
		char *s = kdr_asprintf("%.*g", precision, value);

		if (strtod(s, NULL) == value)
			return s;
		free(s);
	}
	return kdr_asprintf("%.17g", value);
}

/*
 * A config map as Connect's Jackson reads Map<String,String>: strings as
 * they are, numbers and booleans coerced to their text, null kept (the
 * validation rejects it), objects and arrays refused with 400. Returns a new
 * object of strings and nulls, or NULL after answering 400.
 */
static json_t *config_strings(struct ctx *ctx, const json_t *config)
{
	json_t *out = json_object();
	const char *key = NULL;
	json_t *value = NULL;

	json_object_foreach((json_t *)config, key, value)
	{
		char *text = NULL;

		switch (json_typeof(value)) {
		case JSON_STRING:
			json_object_set(out, key, value);
			continue;
		case JSON_NULL:
			json_object_set_new(out, key, json_null());
			continue;
		case JSON_INTEGER:
			text = kdr_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(value));
			break;
		case JSON_REAL:
			text = real_string(json_real_value(value));
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			text = kdr_strdup(json_is_true(value) ? "true" : "false");
			break;
		case JSON_OBJECT:
		case JSON_ARRAY:
			fail(ctx, 400,
			     "Cannot deserialize value of type `java.lang.String` from %s value (token "
			     "`JsonToken.START_%s`) for config key '%s'",
			     json_is_object(value) ? "Object" : "Array", json_is_object(value) ? "OBJECT" : "ARRAY",
			     key);
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, key, json_string(text));
		free(text);
	}
	return out;
}

/*
 * ConnectorsResource.checkAndPutConnectorConfigName: a "name" that differs
 * from the URL's is a 400; a missing one is added.
 */
static bool check_and_put_name(struct ctx *ctx, json_t *config, const char *name)
{
	json_t *included = json_object_get(config, "name");

	if (included && json_is_string(included)) {
		if (strcmp(json_string_value(included), name)) {
			fail(ctx, 400, "Connector name configuration (%s) doesn't match connector name in the URL (%s)",
			     json_string_value(included), name);
			return false;
		}
		return true;
	}
	/* Java's Map.get cannot tell a null value from a missing key: both are replaced. */
	json_object_set_new(config, "name", json_string(name));
	return true;
}

/* Validates `config` like the herder before writing it; answers 400 and returns NULL when invalid. */
static const struct kdr_connect_plugin *validate_for_put(struct ctx *ctx, const json_t *config)
{
	json_t *infos = NULL;
	char *message = NULL;
	int errors = 0;
	const struct kdr_connect_plugin *plugin = NULL;

	if (kdr_connect_plugins_validate(&infos, &errors, &message, config) < 0) {
		kdr_connect_rest_error(ctx->resp, 400, message);
		free(message);
		return NULL;
	}
	if (errors) {
		message = kdr_connect_plugins_error_message(infos);
		kdr_connect_rest_error(ctx->resp, 400, message);
		free(message);
		json_decref(infos);
		return NULL;
	}
	json_decref(infos);
	plugin = kdr_connect_plugin_find(json_string_value(json_object_get(config, "connector.class")));
	return plugin;
}

/* A validated config (strings only) as a strmap. */
static void config_map(struct kdr_strmap *out, const json_t *config)
{
	const char *key = NULL;
	json_t *value = NULL;

	json_object_foreach((json_t *)config, key, value) kdr_strmap_set(out, key, json_string_value(value));
}

static void set_location(struct ctx *ctx, const char *name)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	kdr_buf_printf(&buf, "%s/connectors/", ctx->req->base_url);
	put_segment(&buf, name);
	free(ctx->resp->location);
	ctx->resp->location = kdr_buf_detach(&buf);
}

/* Writes a validated config and answers with ConnectorInfo (201 + Location when created). */
static void put_connector(struct ctx *ctx, const char *name, const json_t *config, enum kdr_connect_target target,
			  bool allow_replace)
{
	struct kdr_strmap map = KDR_STRMAP_INIT;
	const struct kdr_connect_plugin *plugin = validate_for_put(ctx, config);
	struct kdr_connect_connector *conn = NULL;
	bool created = false;

	if (!plugin)
		return;
	if (!allow_replace && kdr_connect_state_find(ctx->store, name)) {
		fail(ctx, 409, "Connector %s already exists", name);
		return;
	}
	config_map(&map, config);
	conn = kdr_connect_state_put(&created, ctx->store, name, &map, plugin, target);
	kdr_strmap_release(&map);
	reply(ctx, created ? 201 : 200, kdr_connect_state_info_json(conn));
	if (created)
		set_location(ctx, name);
}

/* --- RootResource --- */

static void serve_root(struct ctx *ctx)
{
	reply(ctx, 200,
	      json_pack("{s:s, s:s, s:s}", "version", KDR_CONNECT_VERSION, "commit", KDR_CONNECT_COMMIT,
			"kafka_cluster_id", ctx->req->kafka_cluster_id));
}

/* --- ConnectorsResource --- */

static void list_connectors(struct ctx *ctx)
{
	const struct kdr_connect_request *req = ctx->req;
	json_t *out = NULL;
	size_t i = 0, j = 0;

	if (!kdr_strvec_contains(&req->query_keys, "expand")) {
		out = json_array();
		for (i = 0; i < ctx->store->n; i++)
			json_array_append_new(out, json_string(ctx->store->v[i]->name));
		reply(ctx, 200, out);
		return;
	}
	out = json_object();
	for (i = 0; i < ctx->store->n; i++) {
		const struct kdr_connect_connector *conn = ctx->store->v[i];
		json_t *expansions = json_object();

		/* Every expand value counts; unknown ones are ignored, as Connect does. */
		for (j = 0; j < req->query_keys.n; j++) {
			if (strcmp(req->query_keys.v[j], "expand"))
				continue;
			if (!strcmp(req->query_values.v[j], "status"))
				json_object_set_new(expansions, "status",
						    kdr_connect_state_status_json(ctx->store, conn));
			else if (!strcmp(req->query_values.v[j], "info"))
				json_object_set_new(expansions, "info", kdr_connect_state_info_json(conn));
		}
		json_object_set_new(out, conn->name, expansions);
	}
	reply(ctx, 200, out);
}

static bool parse_initial_state(struct ctx *ctx, const json_t *value, enum kdr_connect_target *out)
{
	const char *s = json_string_value(value);

	*out = KDR_CONNECT_TARGET_STARTED;
	if (!value || json_is_null(value))
		return true;
	if (s && !strcasecmp(s, "RUNNING"))
		return true;
	if (s && !strcasecmp(s, "PAUSED")) {
		*out = KDR_CONNECT_TARGET_PAUSED;
		return true;
	}
	if (s && !strcasecmp(s, "STOPPED")) {
		*out = KDR_CONNECT_TARGET_STOPPED;
		return true;
	}
	fail(ctx, 400, "Invalid initial_state %s: must be one of RUNNING, PAUSED, STOPPED", s ? s : "(not a string)");
	return false;
}

static void create_connector(struct ctx *ctx)
{
	json_t *body = NULL;
	json_t *config = NULL;
	json_t *name_value = NULL;
	char *name = NULL;
	enum kdr_connect_target target = KDR_CONNECT_TARGET_STARTED;

	if (!consumes_json(ctx) || !(body = body_object(ctx)))
		return;
	name_value = json_object_get(body, "name");
	if (name_value && !json_is_string(name_value) && !json_is_null(name_value)) {
		kdr_connect_rest_error(ctx->resp, 400, "Connector name must be a string");
		goto cleanup;
	}
	if (!json_is_object(json_object_get(body, "config"))) {
		kdr_connect_rest_error(ctx->resp, 400, "Connector config must be a JSON object of strings");
		goto cleanup;
	}
	if (!parse_initial_state(ctx, json_object_get(body, "initial_state"), &target))
		goto cleanup;
	/* CreateConnectorRequest's name is trimmed; a missing one becomes "" for the validator to reject. */
	{
		const char *raw = json_string_value(name_value);
		size_t len = raw ? strlen(raw) : 0;

		while (len && isspace((unsigned char)raw[len - 1]))
			len--;
		while (len && isspace((unsigned char)*raw)) {
			raw++;
			len--;
		}
		name = kdr_strndup(raw ? raw : "", len);
	}
	if (!(config = config_strings(ctx, json_object_get(body, "config"))))
		goto cleanup;
	if (!check_and_put_name(ctx, config, name))
		goto cleanup;
	put_connector(ctx, name, config, target, false);

cleanup:
	json_decref(config);
	json_decref(body);
	free(name);
}

/* The connector named by path segment 1, or NULL after answering 404 with `fmt` ("%s": the name). */
static struct kdr_connect_connector *connector_or_404(struct ctx *ctx, const char *fmt)
{
	const char *name = ctx->seg.v[1];
	struct kdr_connect_connector *conn = kdr_connect_state_find(ctx->store, name);

	if (!conn) {
		char *message = kdr_asprintf(fmt, name);

		kdr_connect_rest_error(ctx->resp, 404, message);
		free(message);
	}
	return conn;
}

static void get_connector(struct ctx *ctx)
{
	struct kdr_connect_connector *conn = connector_or_404(ctx, "Connector %s not found");

	if (conn)
		reply(ctx, 200, kdr_connect_state_info_json(conn));
}

static void get_config(struct ctx *ctx)
{
	struct kdr_connect_connector *conn = connector_or_404(ctx, "Connector %s not found");

	if (conn)
		reply(ctx, 200, kdr_connect_state_config_json(conn));
}

static void put_config(struct ctx *ctx)
{
	const char *name = ctx->seg.v[1];
	json_t *body = NULL;
	json_t *config = NULL;

	if (!consumes_json(ctx) || !(body = body_object(ctx)))
		return;
	if ((config = config_strings(ctx, body)) && check_and_put_name(ctx, config, name))
		put_connector(ctx, name, config, KDR_CONNECT_TARGET_STARTED, true);
	json_decref(config);
	json_decref(body);
}

/* PATCH (KIP-477): keys with null values are removed, the others set; the result is validated and written. */
static void patch_config(struct ctx *ctx)
{
	const char *name = ctx->seg.v[1];
	struct kdr_connect_connector *conn = NULL;
	json_t *body = NULL;
	json_t *patch = NULL;
	json_t *config = NULL;
	const char *key = NULL;
	json_t *value = NULL;

	if (!consumes_json(ctx) || !(body = body_object(ctx)))
		return;
	if (!(conn = connector_or_404(ctx, "Connector %s not found")))
		goto cleanup;
	if (!(patch = config_strings(ctx, body)))
		goto cleanup;
	config = kdr_connect_state_config_json(conn);
	json_object_foreach(patch, key, value)
	{
		if (json_is_null(value))
			json_object_del(config, key);
		else
			json_object_set(config, key, value);
	}
	if (check_and_put_name(ctx, config, name))
		put_connector(ctx, name, config, KDR_CONNECT_TARGET_STARTED, true);

cleanup:
	json_decref(config);
	json_decref(patch);
	json_decref(body);
}

static void get_status(struct ctx *ctx)
{
	struct kdr_connect_connector *conn = connector_or_404(ctx, "No status found for connector %s");

	if (conn)
		reply(ctx, 200, kdr_connect_state_status_json(ctx->store, conn));
}

static void get_tasks(struct ctx *ctx)
{
	struct kdr_connect_connector *conn = connector_or_404(ctx, "Connector %s not found");

	if (conn)
		reply(ctx, 200, kdr_connect_state_tasks_json(conn));
}

static void get_task_status(struct ctx *ctx)
{
	struct kdr_connect_connector *conn = NULL;
	json_t *status = NULL;
	long task = 0;

	if (!parse_task_id(ctx->seg.v[3], &task)) {
		kdr_connect_rest_error(ctx->resp, 404, "HTTP 404 Not Found");
		return;
	}
	conn = kdr_connect_state_find(ctx->store, ctx->seg.v[1]);
	status = conn ? kdr_connect_state_task_status_json(ctx->store, conn, task) : NULL;
	if (!status) {
		/* ConnectorTaskId prints as "<connector>-<task>". */
		fail(ctx, 404, "No status found for task %s-%ld", ctx->seg.v[1], task);
		return;
	}
	reply(ctx, 200, status);
}

static void restart_task(struct ctx *ctx)
{
	struct kdr_connect_connector *conn = NULL;
	long task = 0;

	if (!parse_task_id(ctx->seg.v[3], &task)) {
		kdr_connect_rest_error(ctx->resp, 404, "HTTP 404 Not Found");
		return;
	}
	if (!(conn = connector_or_404(ctx, "Unknown connector: %s")))
		return;
	if (kdr_connect_state_restart_task(ctx->store, conn, task) < 0) {
		fail(ctx, 404, "Unknown task: %s-%ld", conn->name, task);
		return;
	}
	reply(ctx, 204, NULL);
}

static void restart_connector(struct ctx *ctx)
{
	bool include_tasks = query_bool(ctx->req, "includeTasks");
	bool only_failed = query_bool(ctx->req, "onlyFailed");
	struct kdr_connect_connector *conn = connector_or_404(ctx, "Unknown connector: %s");
	json_t *plan = NULL;

	if (!conn)
		return;
	/* Neither flag: the pre-KIP-745 behaviour, the connector instance only, 204 without a body. */
	plan = kdr_connect_state_restart(ctx->store, conn, include_tasks, only_failed);
	if (!include_tasks && !only_failed) {
		json_decref(plan);
		reply(ctx, 204, NULL);
		return;
	}
	reply(ctx, 202, plan);
}

static void set_target(struct ctx *ctx, enum kdr_connect_target target, int status)
{
	struct kdr_connect_connector *conn = connector_or_404(ctx, "Unknown connector %s");

	if (!conn)
		return;
	kdr_connect_state_request_target(ctx->store, conn, target);
	reply(ctx, status, NULL);
}

static void pause_connector(struct ctx *ctx)
{
	set_target(ctx, KDR_CONNECT_TARGET_PAUSED, 202);
}

static void resume_connector(struct ctx *ctx)
{
	set_target(ctx, KDR_CONNECT_TARGET_STARTED, 202);
}

static void stop_connector(struct ctx *ctx)
{
	set_target(ctx, KDR_CONNECT_TARGET_STOPPED, 204);
}

static void delete_connector(struct ctx *ctx)
{
	if (kdr_connect_state_delete(ctx->store, ctx->seg.v[1]) < 0) {
		fail(ctx, 404, "Connector %s not found", ctx->seg.v[1]);
		return;
	}
	reply(ctx, 204, NULL);
}

/* --- ConnectorPluginsResource --- */

static void list_plugins(struct ctx *ctx)
{
	reply(ctx, 200, kdr_connect_plugins_list());
}

static void plugin_config(struct ctx *ctx)
{
	const struct kdr_connect_plugin *plugin = kdr_connect_plugin_find(ctx->seg.v[1]);

	if (!plugin) {
		fail(ctx, 404, "Unknown plugin %s.", ctx->seg.v[1]);
		return;
	}
	reply(ctx, 200, kdr_connect_plugin_config_defs(plugin));
}

static void validate_config(struct ctx *ctx)
{
	const char *path_plugin = ctx->seg.v[1];
	json_t *body = NULL;
	json_t *config = NULL;
	json_t *infos = NULL;
	char *message = NULL;
	const char *included = NULL;
	int errors = 0;

	if (!consumes_json(ctx) || !(body = body_object(ctx)))
		return;
	if (!(config = config_strings(ctx, body)))
		goto cleanup;
	included = json_string_value(json_object_get(config, "connector.class"));
	if (included && !kdr_connect_plugin_name_consistent(included, path_plugin)) {
		fail(ctx, 400, "Included connector type %s does not match request type %s", included, path_plugin);
		goto cleanup;
	}
	/* 200 even when invalid: the caller reads error_count. */
	if (kdr_connect_plugins_validate(&infos, &errors, &message, config) < 0)
		kdr_connect_rest_error(ctx->resp, 400, message);
	else
		reply(ctx, 200, infos);

cleanup:
	free(message);
	json_decref(config);
	json_decref(body);
}

static const struct route routes[] = {
    {{NULL}, "GET", serve_root},
    {{"connectors", NULL}, "GET", list_connectors},
    {{"connectors", NULL}, "POST", create_connector},
    {{"connectors", "*", NULL}, "GET", get_connector},
    {{"connectors", "*", NULL}, "DELETE", delete_connector},
    {{"connectors", "*", "config", NULL}, "GET", get_config},
    {{"connectors", "*", "config", NULL}, "PUT", put_config},
    {{"connectors", "*", "config", NULL}, "PATCH", patch_config},
    {{"connectors", "*", "status", NULL}, "GET", get_status},
    {{"connectors", "*", "tasks", NULL}, "GET", get_tasks},
    {{"connectors", "*", "tasks", "*", "status", NULL}, "GET", get_task_status},
    {{"connectors", "*", "tasks", "*", "restart", NULL}, "POST", restart_task},
    {{"connectors", "*", "restart", NULL}, "POST", restart_connector},
    {{"connectors", "*", "pause", NULL}, "PUT", pause_connector},
    {{"connectors", "*", "resume", NULL}, "PUT", resume_connector},
    {{"connectors", "*", "stop", NULL}, "PUT", stop_connector},
    {{"connector-plugins", NULL}, "GET", list_plugins},
    {{"connector-plugins", "*", "config", NULL}, "GET", plugin_config},
    {{"connector-plugins", "*", "config", "validate", NULL}, "PUT", validate_config},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static bool route_matches(const struct route *route, const struct kdr_strvec *seg)
{
	size_t i = 0;

	for (i = 0; i < seg->n; i++) {
		if (i >= MAX_SEGMENTS - 1 || !route->pattern[i])
			return false;
		if (strcmp(route->pattern[i], "*") && strcmp(route->pattern[i], seg->v[i]))
			return false;
	}
	return i < MAX_SEGMENTS && !route->pattern[i];
}

/*
 * Splits the raw path into decoded segments: "/a/b/" is ["a","b"] (a
 * trailing slash matches as Jersey does). False when an escape is malformed.
 */
static bool split_path(struct kdr_strvec *seg, const char *path)
{
	const char *p = path;

	while (*p == '/')
		p++;
	while (*p) {
		size_t len = strcspn(p, "/");
		char *decoded = kdr_connect_rest_percent_decode(p, len);

		if (!decoded)
			return false;
		kdr_strvec_push_take(seg, decoded);
		p += len;
		if (*p == '/')
			p++;
	}
	return true;
}

/* Jersey's Allow header for a resource: its methods plus the HEAD and OPTIONS it adds. */
static const char *allow_header(const struct kdr_strvec *seg)
{
	bool get = false, post = false, put = false, del = false, patch = false;
	size_t i = 0;
	static const char *const allows[] = {
	    "GET,HEAD,OPTIONS",		  "GET,HEAD,OPTIONS,POST", "DELETE,GET,HEAD,OPTIONS",
	    "GET,HEAD,OPTIONS,PATCH,PUT", "OPTIONS,POST",	   "OPTIONS,PUT",
	};

	for (i = 0; i < N_ROUTES; i++) {
		if (!route_matches(&routes[i], seg))
			continue;
		get = get || !strcmp(routes[i].method, "GET");
		post = post || !strcmp(routes[i].method, "POST");
		put = put || !strcmp(routes[i].method, "PUT");
		del = del || !strcmp(routes[i].method, "DELETE");
		patch = patch || !strcmp(routes[i].method, "PATCH");
	}
	if (get && post)
		return allows[1];
	if (get && del)
		return allows[2];
	if (get && (put || patch))
		return allows[3];
	if (get)
		return allows[0];
	if (post)
		return allows[4];
	if (put)
		return allows[5];
	return NULL;
}

void kdr_connect_rest_serve(struct kdr_connect_response *resp, struct kdr_connect_state_store *store,
			    const struct kdr_connect_request *req)
{
	struct ctx ctx = {resp, store, req, KDR_STRVEC_INIT};
	const char *method = !strcmp(req->method, "HEAD") ? "GET" : req->method;
	bool path_known = false;
	size_t i = 0;

	resp->status = 500;
	resp->body = NULL;
	resp->location = NULL;
	resp->allow = NULL;
	if (!split_path(&ctx.seg, req->path)) {
		kdr_connect_rest_error(resp, 400, "HTTP 400 Bad Request");
		goto cleanup;
	}
	for (i = 0; i < N_ROUTES; i++) {
		if (!route_matches(&routes[i], &ctx.seg))
			continue;
		path_known = true;
		if (!strcmp(routes[i].method, method)) {
			routes[i].fn(&ctx);
			goto cleanup;
		}
	}
	if (!path_known) {
		kdr_connect_rest_error(resp, 404, "HTTP 404 Not Found");
		goto cleanup;
	}
	resp->allow = allow_header(&ctx.seg);
	if (!strcmp(method, "OPTIONS")) {
		resp->status = 200;
		goto cleanup;
	}
	kdr_connect_rest_error(resp, 405, "HTTP 405 Method Not Allowed");

cleanup:
	kdr_strvec_release(&ctx.seg);
}
