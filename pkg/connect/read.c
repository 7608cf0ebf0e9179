#include <stdlib.h>
#include <string.h>

#include "connect/connect.h"
#include "connect/connect_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/http.h"

static char *string_field(json_t *object, const char *key)
{
	const char *value = json_string_value(json_object_get(object, key));

	return value ? kdr_strdup(value) : NULL;
}

static enum kdr_connector_state state_field(json_t *object)
{
	enum kdr_connector_state state = KDR_CONNECTOR_UNKNOWN;
	const char *name = json_string_value(json_object_get(object, "state"));

	if (!name || kdr_connector_state_parse(&state, name) != 0)
		return KDR_CONNECTOR_UNKNOWN;
	return state;
}

static int compare_tasks(const void *a, const void *b)
{
	const struct kdr_live_task *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int read_connector(struct kdr_live_connector *out, const char *name, json_t *entry, const char *url)
{
	json_t *status = json_object_get(entry, "status");
	json_t *info = json_object_get(entry, "info");
	json_t *config = json_object_get(info, "config");
	json_t *tasks = json_object_get(status, "tasks");
	json_t *connector = json_object_get(status, "connector");
	const char *key = NULL;
	json_t *value = NULL;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	out->name = kdr_strdup(name);
	if (!json_is_object(status) || !json_is_object(info) || !json_is_object(config))
		return kdr_error_set(KDR_EINVALID, "connect '%s': connector '%s': expand=status&expand=info answer "
						   "lacks status or info.config", url, name);
	out->type = string_field(info, "type");
	out->state = state_field(connector);
	out->trace = string_field(connector, "trace");
	json_object_foreach(config, key, value)
	{
		/* Connect stores strings; anything else would be a worker we don't understand. */
		if (json_is_string(value))
			kdr_strmap_set(&out->config, key, json_string_value(value));
	}
	if (json_is_array(tasks)) {
		out->tasks = kdr_calloc(json_array_size(tasks), sizeof(*out->tasks));
		json_array_foreach(tasks, i, value)
		{
			struct kdr_live_task *task = &out->tasks[out->n_tasks++];

			task->id = (int32_t)json_integer_value(json_object_get(value, "id"));
			task->state = state_field(value);
			task->worker_id = string_field(value, "worker_id");
			task->trace = string_field(value, "trace");
		}
		qsort(out->tasks, out->n_tasks, sizeof(*out->tasks), compare_tasks);
	}
	return 0;
}

static int compare_connectors(const void *a, const void *b)
{
	return strcmp(((const struct kdr_live_connector *)a)->name, ((const struct kdr_live_connector *)b)->name);
}

int kdr_connect__decode(struct kdr_live_connect *out, const char *url, json_t *root, json_t *list)
{
	json_t *entry = NULL;
	const char *name = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->url = kdr_strdup(url);
	out->version = string_field(root, "version");
	out->kafka_cluster_id = string_field(root, "kafka_cluster_id");
	if (!json_is_object(list))
		return kdr_error_set(KDR_EINVALID, "connect '%s': GET /connectors?expand=status&expand=info: expected "
						   "an object keyed by connector name (Connect 2.3+)",
				     out->url);
	out->connectors = kdr_calloc(json_object_size(list) + 1, sizeof(*out->connectors));
	json_object_foreach(list, name, entry)
	{
		rc = read_connector(&out->connectors[out->n_connectors], name, entry, out->url);
		out->n_connectors++;
		if (rc != 0)
			return rc;
	}
	qsort(out->connectors, out->n_connectors, sizeof(*out->connectors), compare_connectors);
	out->present = true;
	return 0;
}

/*
 * Kafka Connect leaves a connector out of GET /connectors?expand=... while it has no
 * status yet (ConnectorsResource skips connectorStatus's NotFoundException): one just
 * created whose start has not finished, for a second or, while its start() waits on an
 * unreachable cluster, a minute. The plain list names it; read those by name
 * (GET /connectors/NAME: config and type) with state UNKNOWN and no tasks, so a plan
 * does not create them again. One gone in between (404) is skipped.
 */
static int read_unlisted(struct kdr_live_connect *out, struct kdr_connect_client *client, json_t *expanded)
{
	json_t *names = NULL, *item = NULL;
	size_t i = 0, missing = 0;
	int rc = kdr_connect__get_json(client, "/connectors", "connectors", &names);

	if (rc != 0)
		return rc;
	if (!json_is_array(names)) {
		json_decref(names);
		return kdr_error_set(KDR_EINVALID, "connect '%s': GET /connectors: expected an array of names", out->url);
	}
	json_array_foreach(names, i, item)
	{
		if (json_is_string(item) && !json_object_get(expanded, json_string_value(item)))
			missing++;
	}
	if (missing)
		out->connectors = kdr_realloc(out->connectors, (out->n_connectors + missing + 1) * sizeof(*out->connectors));
	json_array_foreach(names, i, item)
	{
		const char *name = json_string_value(item);
		char *escaped = NULL, *path = NULL, *subject = NULL;
		json_t *info = NULL, *entry = NULL;

		if (!name || json_object_get(expanded, name))
			continue;
		escaped = kdr_http_escape(name);
		path = kdr_asprintf("/connectors/%s", escaped);
		subject = kdr_asprintf("connector '%s'", name);
		rc = kdr_connect__get_json(client, path, subject, &info);
		free(escaped);
		free(path);
		free(subject);
		if (rc == KDR_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc != 0)
			break;
		entry = json_pack("{s:O, s:{}}", "info", info, "status");
		json_decref(info);
		rc = entry ? read_connector(&out->connectors[out->n_connectors], name, entry, out->url)
			   : kdr_error_set(KDR_EINVALID, "connect '%s': connector '%s': unexpected answer", out->url, name);
		if (entry)
			out->n_connectors++;
		json_decref(entry);
		if (rc != 0)
			break;
	}
	json_decref(names);
	if (rc == 0)
		qsort(out->connectors, out->n_connectors, sizeof(*out->connectors), compare_connectors);
	return rc;
}

int kdr_connect_read(struct kdr_live_connect *out, struct kdr_connect_client *client)
{
	json_t *root = NULL, *list = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = kdr_connect__get_json(client, "/", "worker info", &root);
	if (rc == 0)
		rc = kdr_connect__get_json(client, "/connectors?expand=status&expand=info", "connectors", &list);
	if (rc == 0)
		rc = kdr_connect__decode(out, kdr_connect__url(client), root, list);
	if (rc == 0)
		rc = read_unlisted(out, client, list);
	else if (!out->url)
		out->url = kdr_strdup(kdr_connect__url(client));
	json_decref(root);
	json_decref(list);
	return rc;
}
