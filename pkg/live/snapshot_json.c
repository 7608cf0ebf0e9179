/*
 * The live snapshot file format ("kdrSnapshot": 1): what `kdr snapshot`
 * writes and `kdr plan --offline` reads. Also documented, with an example, in
 * docs/snapshot-format.md.
 *
 *   {
 *     "kdrSnapshot": 1,
 *     "clusters": {                                  KafkaCluster name -> cluster
 *       "<name>": {
 *         "clusterId": "<Kafka cluster id>" | null,
 *         "controller": <broker id> (-1: unknown),
 *         "brokers": [{"id": 1, "host": "h", "port": 9092, "rack": "r" | null}, ...],
 *         "remoteStorage": true | false,             every broker has remote.log.storage.system.enable=true
 *         "topicDefaults": {"<key>": <config>, ...}, what a topic without an override gets
 *         "topics": {
 *           "<topic>": {
 *             "internal": true | false,
 *             "partitions": [{"id": 0, "leader": 1, "replicas": [1, 2, 3], "isr": [1, 2]}, ...],
 *             "configs": {"<key>": <config>, ...}   the topic's own overrides only
 *           }
 *         },
 *         "groups": {                                 only when the consumer groups were read
 *           "<group id>": {"state": "Empty", "protocolType": "consumer", "members": 0,
 *                          "offsets": [{"topic": "t", "partition": 0, "offset": 42, "metadata": ""}, ...]}
 *         },
 *         "acls": [<acl>, ...],                     only when the ACLs were read (acls.c)
 *         "aclsError": "...",                        only when they could not be
 *         "aclsNoAuthorizer": true,                  only when the cluster has no authorizer
 *         "connect": null | {
 *           "url": "...", "version": "...", "kafkaClusterId": "...",
 *           "connectors": {
 *             "<name>": {
 *               "type": "source" | "sink" | null,
 *               "state": "RUNNING" | "PAUSED" | "STOPPED" | "FAILED" | "UNASSIGNED" | "RESTARTING" | "UNKNOWN",
 *               "trace": "..." | null,
 *               "config": {"<key>": "<value>" | null, ...},
 *               "tasks": [{"id": 0, "state": "RUNNING", "workerId": "..." | null, "trace": null}, ...]
 *             }
 *           }
 *         }
 *       }
 *     }
 *   }
 *
 *   <config> = {"value": "<string>" | null, "source": "<Kafka config source name>",
 *               "readOnly": false, "sensitive": false}
 *
 * Writing is deterministic so that snapshots diff cleanly in git: object keys
 * sorted (byte order), brokers and tasks by id, partitions by id, two-space
 * indentation, one line per broker, partition, config and task, a final
 * newline; every field is always written. Secrets are never written: the
 * value of a sensitive config (Kafka's flag) and of a connector config key
 * that names a credential is written as null.
 *
 * Reading is strict: the version must be 1; unknown fields and wrong types are
 * errors (KDR_EINVALID) that name the label and the JSON path
 * ($.clusters["east"].brokers[0].port), syntax errors the line:col. Hand-written
 * files may omit fields (defaults: controller -1, lists and maps empty,
 * booleans false, leader -1, isr empty, state UNKNOWN, source
 * DYNAMIC_TOPIC_CONFIG for topic configs and DEFAULT_CONFIG for topic
 * defaults) and may give a config as a plain string or null. Partition ids
 * must be 0..n-1 (any order); broker and task ids must be unique.
 */
#include "live/live.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/live_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json_read.h"

#define SNAPSHOT_VERSION 1

/* --- reading --- */

struct reader {
	const char *label;
	struct kdr_buf path; /* JSON path of the value being read */
};

static int fail(struct reader *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports an error at the current path and returns KDR_EINVALID. */
static int fail(struct reader *rd, const char *fmt, ...)
{
	va_list ap;
	int rc = 0;

	va_start(ap, fmt);
	rc = kdr_json_vfail(rd->label, rd->path.ptr, fmt, ap);
	va_end(ap);
	return rc;
}

static int type_error(struct reader *rd, const char *expected, const json_t *found)
{
	return kdr_json_fail_type(rd->label, rd->path.ptr, expected, found);
}

/* Path segments (util/json_read.h): push returns the length to pop back to. */
static size_t push_key(struct reader *rd, const char *key)
{
	return kdr_json_path_push_key(&rd->path, key);
}

static size_t push_index(struct reader *rd, size_t index)
{
	return kdr_json_path_push_index(&rd->path, index);
}

static void pop(struct reader *rd, size_t len)
{
	kdr_json_path_pop(&rd->path, len);
}

/* Rejects keys of `obj` not in `allowed` (NULL-terminated). */
static int check_fields(struct reader *rd, const json_t *obj, const char *const *allowed)
{
	const char *key = NULL;
	json_t *value = NULL;

	json_object_foreach((json_t *)obj, key, value)
	{
		bool known = false;

		for (size_t i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				known = true;
		if (!known) {
			size_t mark = push_key(rd, key);
			char *list = NULL;
			struct kdr_buf buf = KDR_BUF_INIT;
			int rc = 0;

			for (size_t i = 0; allowed[i]; i++)
				kdr_buf_printf(&buf, "%s%s", i ? ", " : "", allowed[i]);
			list = kdr_buf_detach(&buf);
			rc = fail(rd, "unknown field (allowed: %s)", list);
			free(list);
			pop(rd, mark);
			return rc;
		}
	}
	return 0;
}

static int read_string(struct reader *rd, char **out, const json_t *obj, const char *key, bool nullable)
{
	json_t *value = json_object_get(obj, key);
	size_t mark = 0;
	int rc = 0;

	*out = NULL;
	if (!value || (nullable && json_is_null(value)))
		return 0;
	mark = push_key(rd, key);
	if (!json_is_string(value))
		rc = type_error(rd, nullable ? "a string or null" : "a string", value);
	else
		*out = kdr_strndup(json_string_value(value), json_string_length(value));
	pop(rd, mark);
	return rc;
}

static int read_bool(struct reader *rd, bool *out, const json_t *obj, const char *key)
{
	json_t *value = json_object_get(obj, key);
	size_t mark = 0;
	int rc = 0;

	*out = false;
	if (!value)
		return 0;
	mark = push_key(rd, key);
	if (!json_is_boolean(value))
		rc = type_error(rd, "a boolean", value);
	else
		*out = json_is_true(value);
	pop(rd, mark);
	return rc;
}

static int int32_of(struct reader *rd, int32_t *out, const json_t *value)
{
	json_int_t n = 0;

	if (!json_is_integer(value))
		return type_error(rd, "an integer", value);
	n = json_integer_value(value);
	if (n < INT32_MIN || n > INT32_MAX)
		return fail(rd, "integer out of range");
	*out = (int32_t)n;
	return 0;
}

static int read_int32(struct reader *rd, int32_t *out, const json_t *obj, const char *key, int32_t dflt)
{
	json_t *value = json_object_get(obj, key);
	size_t mark = 0;
	int rc = 0;

	*out = dflt;
	if (!value)
		return 0;
	mark = push_key(rd, key);
	rc = int32_of(rd, out, value);
	pop(rd, mark);
	return rc;
}

/* An optional member that must be an object or an array, `type` (or absent: *out NULL). */
static int read_container(struct reader *rd, json_t **out, const json_t *obj, const char *key, json_type type)
{
	json_t *value = json_object_get(obj, key);
	size_t mark = 0;
	int rc = 0;

	*out = NULL;
	if (!value)
		return 0;
	mark = push_key(rd, key);
	if (json_typeof(value) != type)
		rc = type_error(rd, kdr_json_kind_name(type), value);
	else
		*out = value;
	pop(rd, mark);
	return rc;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Brokers, partitions and tasks have their int32 id as first member. */
static int compare_ids(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static const char **sorted_keys(const json_t *obj, size_t *n)
{
	const char **keys = kdr_calloc(json_object_size(obj) + 1, sizeof(*keys));
	const char *key = NULL;
	json_t *value = NULL;

	*n = 0;
	json_object_foreach((json_t *)obj, key, value)
	{
		(void)value;
		keys[(*n)++] = key;
	}
	if (*n > 1)
		qsort(keys, *n, sizeof(*keys), compare_keys);
	return keys;
}

/* How the ids of an array of brokers, partitions or tasks must be. */
enum id_rule {
	IDS_UNIQUE, /* each once ("duplicate <what> id N") */
	IDS_DENSE,  /* exactly 0..n-1 (partitions, indexed by id) */
};

/*
 * The one array reader of the format: optional array `key` of `obj` into a
 * new array of `size`-byte items (each read by `read_item` under key[i],
 * counted in *n as it is read), sorted by the int32 id each item starts
 * with, then the ids checked by `rule`.
 */
static int read_id_array(struct reader *rd, void **out, size_t *n, size_t size, const json_t *obj, const char *key,
			 int (*read_item)(struct reader *, void *, const json_t *), enum id_rule rule, const char *what)
{
	json_t *array = NULL;
	char *items = NULL;
	size_t mark = 0;
	int rc = read_container(rd, &array, obj, key, JSON_ARRAY);

	if (rc || !array)
		return rc;
	mark = push_key(rd, key);
	items = kdr_calloc(json_array_size(array) + 1, size);
	*out = items;
	for (size_t i = 0; i < json_array_size(array) && !rc; i++) {
		size_t mark_i = push_index(rd, i);

		(*n)++;
		rc = read_item(rd, items + i * size, json_array_get(array, i));
		pop(rd, mark_i);
	}
	if (!rc && *n > 1)
		qsort(items, *n, size, compare_ids);
	for (size_t i = 0; i < *n && !rc; i++) {
		int32_t id = *(const int32_t *)(const void *)(items + i * size);

		if (rule == IDS_DENSE && id != (int32_t)i)
			rc = fail(rd, "%s ids must be 0..%zu, each once", what, *n - 1);
		else if (rule == IDS_UNIQUE && i > 0 && id == *(const int32_t *)(const void *)(items + (i - 1) * size))
			rc = fail(rd, "duplicate %s id %d", what, (int)id);
	}
	pop(rd, mark);
	return rc;
}

/*
 * The one map reader of the format: object `map` (already read, under the
 * path's `key`) into a new array of `size`-byte items in key order, each read
 * by `read_item` with its name under key.NAME, counted in *n as it is read.
 */
static int read_named(struct reader *rd, void **out, size_t *n, size_t size, const json_t *map, const char *key,
		      int (*read_item)(struct reader *, void *, const char *, const json_t *))
{
	size_t n_keys = 0, mark = push_key(rd, key);
	const char **keys = sorted_keys(map, &n_keys);
	char *items = kdr_calloc(n_keys ? n_keys : 1, size);
	int rc = 0;

	*out = items;
	for (size_t i = 0; i < n_keys && !rc; i++) {
		size_t mark_i = push_key(rd, keys[i]);

		(*n)++;
		rc = read_item(rd, items + i * size, keys[i], json_object_get(map, keys[i]));
		pop(rd, mark_i);
	}
	free(keys);
	pop(rd, mark);
	return rc;
}

static int read_replica_list(struct reader *rd, struct kdr_replica_list *out, const json_t *obj, const char *key,
			     bool required)
{
	json_t *array = NULL;
	size_t mark = 0;
	int rc = read_container(rd, &array, obj, key, JSON_ARRAY);

	if (rc)
		return rc;
	if (!array) {
		out->ids = kdr_calloc(1, sizeof(*out->ids));
		out->n = 0;
		if (required)
			return fail(rd, "missing field '%s'", key);
		return 0;
	}
	mark = push_key(rd, key);
	out->n = json_array_size(array);
	out->ids = kdr_calloc(out->n ? out->n : 1, sizeof(*out->ids));
	for (size_t i = 0; i < out->n && !rc; i++) {
		size_t mark_i = push_index(rd, i);

		rc = int32_of(rd, &out->ids[i], json_array_get(array, i));
		pop(rd, mark_i);
	}
	pop(rd, mark);
	return rc;
}

/* One config entry: {"value", "source", "readOnly", "sensitive"}, or a string / null. */
static int read_config(struct reader *rd, struct kdr_live_config *out, const char *name, const json_t *value,
		       enum kdr_config_source default_source)
{
	static const char *const fields[] = {"value", "source", "readOnly", "sensitive", NULL};
	char *source = NULL;
	int rc = 0;

	out->name = kdr_strdup(name);
	out->source = default_source;
	if (json_is_string(value)) {
		out->value = kdr_strndup(json_string_value(value), json_string_length(value));
		return 0;
	}
	if (json_is_null(value))
		return 0;
	if (!json_is_object(value))
		return type_error(rd, "an object, a string or null", value);
	if ((rc = check_fields(rd, value, fields)) != 0)
		goto cleanup;
	if (!json_object_get(value, "value")) {
		rc = fail(rd, "missing field 'value'");
		goto cleanup;
	}
	if ((rc = read_string(rd, &out->value, value, "value", true)) != 0)
		goto cleanup;
	if ((rc = read_string(rd, &source, value, "source", false)) != 0)
		goto cleanup;
	if (source && kdr_config_source_parse(&out->source, source) != 0) {
		size_t mark = push_key(rd, "source");

		rc = fail(rd, "%s", kdr_error_message());
		pop(rd, mark);
		goto cleanup;
	}
	if ((rc = read_bool(rd, &out->read_only, value, "readOnly")) != 0)
		goto cleanup;
	if ((rc = read_bool(rd, &out->sensitive, value, "sensitive")) != 0)
		goto cleanup;
	/* A sensitive value is never kept, whatever the file says. */
	if (out->sensitive) {
		free(out->value);
		out->value = NULL;
	}
cleanup:
	free(source);
	return rc;
}

static int read_configs(struct reader *rd, struct kdr_live_config **out, size_t *n_out, const json_t *obj,
			const char *key, enum kdr_config_source default_source)
{
	json_t *map = NULL;
	const char **keys = NULL;
	size_t n = 0, mark = 0;
	int rc = read_container(rd, &map, obj, key, JSON_OBJECT);

	*out = NULL;
	*n_out = 0;
	if (rc || !map)
		return rc;
	mark = push_key(rd, key);
	keys = sorted_keys(map, &n);
	*out = kdr_calloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < n && !rc; i++) {
		size_t mark_i = push_key(rd, keys[i]);

		(*n_out)++;
		rc = read_config(rd, &(*out)[i], keys[i], json_object_get(map, keys[i]), default_source);
		pop(rd, mark_i);
	}
	free(keys);
	pop(rd, mark);
	return rc;
}

static int read_broker(struct reader *rd, void *item, const json_t *value)
{
	struct kdr_live_broker *out = item;
	static const char *const fields[] = {"id", "host", "port", "rack", NULL};
	int rc = 0;

	if (!json_is_object(value))
		return type_error(rd, "an object", value);
	if ((rc = check_fields(rd, value, fields)) != 0)
		return rc;
	if (!json_object_get(value, "id"))
		return fail(rd, "missing field 'id'");
	if ((rc = read_int32(rd, &out->id, value, "id", 0)) != 0)
		return rc;
	if ((rc = read_string(rd, &out->host, value, "host", true)) != 0)
		return rc;
	if ((rc = read_int32(rd, &out->port, value, "port", 0)) != 0)
		return rc;
	return read_string(rd, &out->rack, value, "rack", true);
}

static int read_brokers(struct reader *rd, struct kdr_live_cluster *cl, const json_t *obj)
{
	return read_id_array(rd, (void **)&cl->brokers, &cl->n_brokers, sizeof(*cl->brokers), obj, "brokers", read_broker,
			     IDS_UNIQUE, "broker");
}

static int read_partition(struct reader *rd, void *item, const json_t *value)
{
	struct kdr_live_partition *out = item;
	static const char *const fields[] = {"id", "leader", "replicas", "isr", NULL};
	int rc = 0;

	if (!json_is_object(value))
		return type_error(rd, "an object", value);
	if ((rc = check_fields(rd, value, fields)) != 0)
		return rc;
	if (!json_object_get(value, "id"))
		return fail(rd, "missing field 'id'");
	if ((rc = read_int32(rd, &out->id, value, "id", 0)) != 0)
		return rc;
	if ((rc = read_int32(rd, &out->leader, value, "leader", -1)) != 0)
		return rc;
	if ((rc = read_replica_list(rd, &out->replicas, value, "replicas", true)) != 0)
		return rc;
	return read_replica_list(rd, &out->isr, value, "isr", false);
}

static int read_partitions(struct reader *rd, struct kdr_live_topic *topic, const json_t *obj)
{
	/* The partitions array is indexed by id, so the ids must be exactly 0..n-1. */
	return read_id_array(rd, (void **)&topic->partitions, &topic->n_partitions, sizeof(*topic->partitions), obj,
			     "partitions", read_partition, IDS_DENSE, "partition");
}

static int read_topic(struct reader *rd, void *item, const char *name, const json_t *value)
{
	struct kdr_live_topic *out = item;
	static const char *const fields[] = {"internal", "partitions", "configs", NULL};
	int rc = 0;

	out->name = kdr_strdup(name);
	if (!json_is_object(value))
		return type_error(rd, "an object", value);
	if ((rc = check_fields(rd, value, fields)) != 0)
		return rc;
	if ((rc = read_bool(rd, &out->internal, value, "internal")) != 0)
		return rc;
	if ((rc = read_partitions(rd, out, value)) != 0)
		return rc;
	return read_configs(rd, &out->configs, &out->n_configs, value, "configs", KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
}

static int read_topics(struct reader *rd, struct kdr_live_cluster *cl, const json_t *obj)
{
	json_t *map = NULL;
	int rc = read_container(rd, &map, obj, "topics", JSON_OBJECT);

	if (rc || !map)
		return rc;
	return read_named(rd, (void **)&cl->topics, &cl->n_topics, sizeof(*cl->topics), map, "topics", read_topic);
}

static int read_state(struct reader *rd, enum kdr_connector_state *out, const json_t *obj)
{
	char *state = NULL;
	int rc = read_string(rd, &state, obj, "state", false);

	*out = KDR_CONNECTOR_UNKNOWN;
	if (!rc && state && kdr_connector_state_parse(out, state) != 0) {
		size_t mark = push_key(rd, "state");

		rc = fail(rd, "%s", kdr_error_message());
		pop(rd, mark);
	}
	free(state);
	return rc;
}

static int read_task(struct reader *rd, void *item, const json_t *value)
{
	struct kdr_live_task *out = item;
	static const char *const fields[] = {"id", "state", "workerId", "trace", NULL};
	int rc = 0;

	if (!json_is_object(value))
		return type_error(rd, "an object", value);
	if ((rc = check_fields(rd, value, fields)) != 0)
		return rc;
	if (!json_object_get(value, "id"))
		return fail(rd, "missing field 'id'");
	if ((rc = read_int32(rd, &out->id, value, "id", 0)) != 0)
		return rc;
	if ((rc = read_state(rd, &out->state, value)) != 0)
		return rc;
	if ((rc = read_string(rd, &out->worker_id, value, "workerId", true)) != 0)
		return rc;
	return read_string(rd, &out->trace, value, "trace", true);
}

static int read_connector_config(struct reader *rd, struct kdr_strmap *out, const json_t *obj)
{
	json_t *map = NULL;
	const char **keys = NULL;
	size_t n = 0, mark = 0;
	int rc = read_container(rd, &map, obj, "config", JSON_OBJECT);

	if (rc || !map)
		return rc;
	mark = push_key(rd, "config");
	keys = sorted_keys(map, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *value = json_object_get(map, keys[i]);
		size_t mark_i = push_key(rd, keys[i]);

		if (json_is_string(value))
			kdr_strmap_set(out, keys[i], json_string_value(value));
		else if (json_is_null(value))
			kdr_strmap_set(out, keys[i], NULL);
		else
			rc = type_error(rd, "a string or null", value);
		pop(rd, mark_i);
	}
	free(keys);
	pop(rd, mark);
	return rc;
}

static int read_connector(struct reader *rd, void *item, const char *name, const json_t *value)
{
	struct kdr_live_connector *out = item;
	static const char *const fields[] = {"type", "state", "trace", "config", "tasks", NULL};
	int rc = 0;

	out->name = kdr_strdup(name);
	if (!json_is_object(value))
		return type_error(rd, "an object", value);
	if ((rc = check_fields(rd, value, fields)) != 0)
		return rc;
	if ((rc = read_string(rd, &out->type, value, "type", true)) != 0)
		return rc;
	if ((rc = read_state(rd, &out->state, value)) != 0)
		return rc;
	if ((rc = read_string(rd, &out->trace, value, "trace", true)) != 0)
		return rc;
	if ((rc = read_connector_config(rd, &out->config, value)) != 0)
		return rc;
	return read_id_array(rd, (void **)&out->tasks, &out->n_tasks, sizeof(*out->tasks), value, "tasks", read_task,
			     IDS_UNIQUE, "task");
}

static int read_connect(struct reader *rd, struct kdr_live_connect *out, const json_t *obj)
{
	static const char *const fields[] = {"url", "version", "kafkaClusterId", "connectors", NULL};
	json_t *value = json_object_get(obj, "connect");
	json_t *map = NULL;
	size_t mark = 0;
	int rc = 0;

	if (!value || json_is_null(value))
		return 0;
	mark = push_key(rd, "connect");
	if (!json_is_object(value)) {
		rc = type_error(rd, "an object or null", value);
		goto cleanup;
	}
	out->present = true;
	if ((rc = check_fields(rd, value, fields)) != 0)
		goto cleanup;
	if ((rc = read_string(rd, &out->url, value, "url", true)) != 0)
		goto cleanup;
	if ((rc = read_string(rd, &out->version, value, "version", true)) != 0)
		goto cleanup;
	if ((rc = read_string(rd, &out->kafka_cluster_id, value, "kafkaClusterId", true)) != 0)
		goto cleanup;
	if ((rc = read_container(rd, &map, value, "connectors", JSON_OBJECT)) != 0 || !map)
		goto cleanup;
	rc = read_named(rd, (void **)&out->connectors, &out->n_connectors, sizeof(*out->connectors), map, "connectors",
			read_connector);
cleanup:
	pop(rd, mark);
	return rc;
}

/* --- consumer groups ("groups": present only when they were read) --- */

static int read_int64(struct reader *rd, int64_t *out, const json_t *obj, const char *key, int64_t dflt)
{
	json_t *value = json_object_get(obj, key);
	size_t mark = 0;
	int rc = 0;

	*out = dflt;
	if (!value)
		return 0;
	mark = push_key(rd, key);
	if (!json_is_integer(value))
		rc = type_error(rd, "an integer", value);
	else
		*out = json_integer_value(value);
	pop(rd, mark);
	return rc;
}

static int read_group_offset(struct reader *rd, struct kdr_live_group *group, const json_t *value)
{
	static const char *const fields[] = {"topic", "partition", "offset", "metadata", NULL};
	char *topic = NULL, *metadata = NULL;
	int32_t partition = 0;
	int64_t offset = -1;
	int rc = 0;

	if (!json_is_object(value))
		return type_error(rd, "an object", value);
	if ((rc = check_fields(rd, value, fields)) != 0 || (rc = read_string(rd, &topic, value, "topic", false)) != 0 ||
	    (rc = read_int32(rd, &partition, value, "partition", -1)) != 0 ||
	    (rc = read_int64(rd, &offset, value, "offset", -1)) != 0 ||
	    (rc = read_string(rd, &metadata, value, "metadata", true)) != 0)
		goto cleanup;
	if (!topic || partition < 0) {
		rc = fail(rd, "an offset needs 'topic' and a 'partition' >= 0");
		goto cleanup;
	}
	kdr_live_group_add_offset(group, topic, partition, offset, metadata);
cleanup:
	free(topic);
	free(metadata);
	return rc;
}

static int read_group(struct reader *rd, struct kdr_live_group *group, const json_t *value)
{
	static const char *const fields[] = {"state", "protocolType", "members", "offsets", NULL};
	json_t *offsets = NULL;
	char *state = NULL, *protocol = NULL;
	int rc = 0;

	if (!json_is_object(value))
		return type_error(rd, "an object", value);
	if ((rc = check_fields(rd, value, fields)) != 0 || (rc = read_string(rd, &state, value, "state", false)) != 0 ||
	    (rc = read_string(rd, &protocol, value, "protocolType", true)) != 0 ||
	    (rc = read_int32(rd, &group->n_members, value, "members", 0)) != 0 ||
	    (rc = read_container(rd, &offsets, value, "offsets", JSON_ARRAY)) != 0) {
		free(state);
		free(protocol);
		return rc;
	}
	if (state) {
		free(group->state);
		group->state = state;
	}
	if (protocol) {
		free(group->protocol_type);
		group->protocol_type = protocol;
	}
	for (size_t i = 0; offsets && i < json_array_size(offsets) && !rc; i++) {
		size_t mark = push_key(rd, "offsets");
		size_t mark_i = push_index(rd, i);

		rc = read_group_offset(rd, group, json_array_get(offsets, i));
		pop(rd, mark_i);
		pop(rd, mark);
	}
	return rc;
}

static int read_groups(struct reader *rd, struct kdr_live_cluster *cl, const json_t *obj)
{
	json_t *groups = NULL;
	const char **keys = NULL;
	size_t n = 0, mark = 0;
	int rc = read_container(rd, &groups, obj, "groups", JSON_OBJECT);

	if (rc != 0 || !groups)
		return rc;
	cl->groups_read = true;
	cl->group_offsets_read = true; /* a snapshot holds what was read: kdr snapshot reads the offsets */
	mark = push_key(rd, "groups");
	keys = sorted_keys(groups, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		size_t mark_i = push_key(rd, keys[i]);

		rc = read_group(rd, kdr_live_cluster_add_group(cl, keys[i]), json_object_get(groups, keys[i]));
		pop(rd, mark_i);
	}
	free(keys);
	pop(rd, mark);
	return rc;
}

static int read_cluster(struct reader *rd, void *item, const char *name, const json_t *value)
{
	struct kdr_live_cluster *out = item;
	static const char *const fields[] = {"clusterId",     "controller", "brokers", "remoteStorage",
					     "topicDefaults", "topics",	    "connect", "groups",
					     "acls",	      "aclsError",  "aclsNoAuthorizer", NULL};
	int rc = 0;

	out->name = kdr_strdup(name);
	out->controller_id = -1;
	if (!json_is_object(value))
		return type_error(rd, "an object", value);
	if ((rc = check_fields(rd, value, fields)) != 0)
		return rc;
	if ((rc = read_string(rd, &out->cluster_id, value, "clusterId", true)) != 0)
		return rc;
	if ((rc = read_int32(rd, &out->controller_id, value, "controller", -1)) != 0)
		return rc;
	if ((rc = read_brokers(rd, out, value)) != 0)
		return rc;
	if ((rc = read_bool(rd, &out->remote_storage_enabled, value, "remoteStorage")) != 0)
		return rc;
	if ((rc = read_configs(rd, &out->topic_defaults, &out->n_topic_defaults, value, "topicDefaults",
			       KDR_CONFIG_SOURCE_DEFAULT)) != 0)
		return rc;
	if ((rc = read_topics(rd, out, value)) != 0)
		return rc;
	if ((rc = read_groups(rd, out, value)) != 0)
		return rc;
	if ((rc = kdr_live__acls_from_json(out, value, rd->label, rd->path.ptr)) != 0)
		return rc;
	return read_connect(rd, &out->connect, value);
}

static int read_root(struct reader *rd, struct kdr_live *out, const json_t *root)
{
	static const char *const fields[] = {"kdrSnapshot", "clusters", NULL};
	json_t *version = NULL;
	json_t *clusters = NULL;
	int rc = 0;

	if (!json_is_object(root))
		return type_error(rd, "an object", root);
	version = json_object_get(root, "kdrSnapshot");
	if (!version)
		return fail(rd, "missing field 'kdrSnapshot' (not a kdr snapshot?)");
	if (!json_is_integer(version) || json_integer_value(version) != SNAPSHOT_VERSION) {
		char *found = json_dumps(version, JSON_ENCODE_ANY);
		size_t mark_v = push_key(rd, "kdrSnapshot");

		rc = fail(rd, "unsupported snapshot version %s (this kdr reads version 1)", found ? found : "?");
		free(found);
		pop(rd, mark_v);
		return rc;
	}
	if ((rc = check_fields(rd, root, fields)) != 0)
		return rc;
	if ((rc = read_container(rd, &clusters, root, "clusters", JSON_OBJECT)) != 0)
		return rc;
	if (!clusters)
		return fail(rd, "missing field 'clusters'");
	return read_named(rd, (void **)&out->clusters, &out->n_clusters, sizeof(*out->clusters), clusters, "clusters",
			  read_cluster);
}

int kdr_live_from_json(struct kdr_live *out, const char *text, size_t len, const char *label)
{
	struct reader rd = {label ? label : "snapshot", KDR_BUF_INIT};
	json_error_t error;
	json_t *root = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&error, 0, sizeof(error));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
	if (!root)
		return kdr_error_set(KDR_EINVALID, "%s:%d:%d: invalid JSON: %s", rd.label, error.line, error.column,
				     error.text);
	kdr_buf_puts(&rd.path, "$");
	rc = read_root(&rd, out, root);
	if (rc)
		kdr_live_release(out);
	else
		kdr_live_sort(out); /* already sorted; cheap insurance for the lookups */
	json_decref(root);
	kdr_buf_release(&rd.path);
	return rc;
}

/* --- writing --- */

/*
 * The writer does not trust the caller to have sorted (the snapshot is
 * const): it writes through a sorted array of pointers. Every element type
 * has its name (or id) as first member, so one comparator of each serves all.
 */
static int compare_name_ptrs(const void *a, const void *b)
{
	return strcmp(*(char *const *)*(const void *const *)a, *(char *const *)*(const void *const *)b);
}

static int compare_id_ptrs(const void *a, const void *b)
{
	return compare_ids(*(const void *const *)a, *(const void *const *)b);
}

static const void **sorted_view(const void *base, size_t n, size_t size, int (*compare)(const void *, const void *))
{
	const void **order = kdr_calloc(n + 1, sizeof(*order));

	for (size_t i = 0; i < n; i++)
		order[i] = (const char *)base + i * size;
	if (n > 1)
		qsort(order, n, sizeof(*order), compare);
	return order;
}

static void indent(struct kdr_buf *out, int level)
{
	for (int i = 0; i < level; i++)
		kdr_buf_puts(out, "  ");
}

static void put_string_or_null(struct kdr_buf *out, const char *s)
{
	if (s)
		kdr_buf_put_json_string(out, s);
	else
		kdr_buf_puts(out, "null");
}

static void put_ids(struct kdr_buf *out, const struct kdr_replica_list *list)
{
	kdr_buf_putc(out, '[');
	for (size_t i = 0; i < list->n; i++)
		kdr_buf_printf(out, "%s%d", i ? ", " : "", (int)list->ids[i]);
	kdr_buf_putc(out, ']');
}

static void write_configs(struct kdr_buf *out, const struct kdr_live_config *configs, size_t n, int level)
{
	const void **order = NULL;

	if (!n) {
		kdr_buf_puts(out, "{}");
		return;
	}
	order = sorted_view(configs, n, sizeof(*configs), compare_name_ptrs);
	kdr_buf_puts(out, "{\n");
	for (size_t i = 0; i < n; i++) {
		const struct kdr_live_config *config = order[i];

		indent(out, level + 1);
		kdr_buf_put_json_string(out, config->name);
		kdr_buf_puts(out, ": {\"value\": ");
		put_string_or_null(out, config->sensitive ? NULL : config->value);
		kdr_buf_puts(out, ", \"source\": ");
		kdr_buf_put_json_string(out, kdr_config_source_name(config->source));
		kdr_buf_printf(out, ", \"readOnly\": %s, \"sensitive\": %s}%s\n", config->read_only ? "true" : "false",
			       config->sensitive ? "true" : "false", i + 1 < n ? "," : "");
	}
	indent(out, level);
	kdr_buf_putc(out, '}');
	free(order);
}

static void write_brokers(struct kdr_buf *out, const struct kdr_live_cluster *cl, int level)
{
	const void **order = NULL;

	if (!cl->n_brokers) {
		kdr_buf_puts(out, "[]");
		return;
	}
	order = sorted_view(cl->brokers, cl->n_brokers, sizeof(*cl->brokers), compare_id_ptrs);
	kdr_buf_puts(out, "[\n");
	for (size_t i = 0; i < cl->n_brokers; i++) {
		indent(out, level + 1);
		const struct kdr_live_broker *broker = order[i];

		kdr_buf_printf(out, "{\"id\": %d, \"host\": ", (int)broker->id);
		put_string_or_null(out, broker->host);
		kdr_buf_printf(out, ", \"port\": %d, \"rack\": ", (int)broker->port);
		put_string_or_null(out, broker->rack);
		kdr_buf_printf(out, "}%s\n", i + 1 < cl->n_brokers ? "," : "");
	}
	indent(out, level);
	kdr_buf_putc(out, ']');
	free(order);
}

static void write_topic(struct kdr_buf *out, const struct kdr_live_topic *topic, int level)
{
	indent(out, level);
	kdr_buf_put_json_string(out, topic->name);
	kdr_buf_puts(out, ": {\n");
	indent(out, level + 1);
	kdr_buf_printf(out, "\"internal\": %s,\n", topic->internal ? "true" : "false");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"partitions\": ");
	if (!topic->n_partitions) {
		kdr_buf_puts(out, "[]");
	} else {
		kdr_buf_puts(out, "[\n");
		for (size_t i = 0; i < topic->n_partitions; i++) {
			const struct kdr_live_partition *part = &topic->partitions[i];

			indent(out, level + 2);
			kdr_buf_printf(out, "{\"id\": %d, \"leader\": %d, \"replicas\": ", (int)part->id,
				       (int)part->leader);
			put_ids(out, &part->replicas);
			kdr_buf_puts(out, ", \"isr\": ");
			put_ids(out, &part->isr);
			kdr_buf_printf(out, "}%s\n", i + 1 < topic->n_partitions ? "," : "");
		}
		indent(out, level + 1);
		kdr_buf_putc(out, ']');
	}
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"configs\": ");
	write_configs(out, topic->configs, topic->n_configs, level + 1);
	kdr_buf_putc(out, '\n');
	indent(out, level);
	kdr_buf_putc(out, '}');
}

static void write_topics(struct kdr_buf *out, const struct kdr_live_cluster *cl, int level)
{
	const void **order = NULL;

	if (!cl->n_topics) {
		kdr_buf_puts(out, "{}");
		return;
	}
	order = sorted_view(cl->topics, cl->n_topics, sizeof(*cl->topics), compare_name_ptrs);
	kdr_buf_puts(out, "{\n");
	for (size_t i = 0; i < cl->n_topics; i++) {
		write_topic(out, order[i], level + 1);
		kdr_buf_puts(out, i + 1 < cl->n_topics ? ",\n" : "\n");
	}
	indent(out, level);
	kdr_buf_putc(out, '}');
	free(order);
}

static void write_connector(struct kdr_buf *out, const struct kdr_live_connector *conn, int level)
{
	const void **order = NULL;

	indent(out, level);
	kdr_buf_put_json_string(out, conn->name);
	kdr_buf_puts(out, ": {\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"type\": ");
	put_string_or_null(out, conn->type);
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_printf(out, "\"state\": \"%s\",\n", kdr_connector_state_name(conn->state));
	indent(out, level + 1);
	kdr_buf_puts(out, "\"trace\": ");
	put_string_or_null(out, conn->trace);
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"config\": ");
	if (!conn->config.n) {
		kdr_buf_puts(out, "{}");
	} else {
		/* kdr_strmap is sorted by key already. */
		kdr_buf_puts(out, "{\n");
		for (size_t i = 0; i < conn->config.n; i++) {
			const struct kdr_strmap_entry *entry = &conn->config.v[i];

			indent(out, level + 2);
			kdr_buf_put_json_string(out, entry->key);
			kdr_buf_puts(out, ": ");
			put_string_or_null(out, kdr_config_key_is_sensitive(entry->key) ? NULL : entry->value);
			kdr_buf_puts(out, i + 1 < conn->config.n ? ",\n" : "\n");
		}
		indent(out, level + 1);
		kdr_buf_putc(out, '}');
	}
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"tasks\": ");
	if (!conn->n_tasks) {
		kdr_buf_puts(out, "[]");
	} else {
		order = sorted_view(conn->tasks, conn->n_tasks, sizeof(*conn->tasks), compare_id_ptrs);
		kdr_buf_puts(out, "[\n");
		for (size_t i = 0; i < conn->n_tasks; i++) {
			indent(out, level + 2);
			const struct kdr_live_task *task = order[i];

			kdr_buf_printf(out, "{\"id\": %d, \"state\": \"%s\", \"workerId\": ", (int)task->id,
				       kdr_connector_state_name(task->state));
			put_string_or_null(out, task->worker_id);
			kdr_buf_puts(out, ", \"trace\": ");
			put_string_or_null(out, task->trace);
			kdr_buf_printf(out, "}%s\n", i + 1 < conn->n_tasks ? "," : "");
		}
		indent(out, level + 1);
		kdr_buf_putc(out, ']');
		free(order);
	}
	kdr_buf_putc(out, '\n');
	indent(out, level);
	kdr_buf_putc(out, '}');
}

static void write_connect(struct kdr_buf *out, const struct kdr_live_connect *connect, int level)
{
	const void **order = NULL;

	if (!connect->present) {
		kdr_buf_puts(out, "null");
		return;
	}
	kdr_buf_puts(out, "{\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"url\": ");
	put_string_or_null(out, connect->url);
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"version\": ");
	put_string_or_null(out, connect->version);
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"kafkaClusterId\": ");
	put_string_or_null(out, connect->kafka_cluster_id);
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"connectors\": ");
	if (!connect->n_connectors) {
		kdr_buf_puts(out, "{}");
	} else {
		order = sorted_view(connect->connectors, connect->n_connectors, sizeof(*connect->connectors),
				    compare_name_ptrs);
		kdr_buf_puts(out, "{\n");
		for (size_t i = 0; i < connect->n_connectors; i++) {
			write_connector(out, order[i], level + 2);
			kdr_buf_puts(out, i + 1 < connect->n_connectors ? ",\n" : "\n");
		}
		indent(out, level + 1);
		kdr_buf_putc(out, '}');
		free(order);
	}
	kdr_buf_putc(out, '\n');
	indent(out, level);
	kdr_buf_putc(out, '}');
}

static void write_groups(struct kdr_buf *out, const struct kdr_live_cluster *cl, int level)
{
	const void **order = NULL;

	if (!cl->n_groups) {
		kdr_buf_puts(out, "{}");
		return;
	}
	order = sorted_view(cl->groups, cl->n_groups, sizeof(*cl->groups), compare_name_ptrs);
	kdr_buf_puts(out, "{\n");
	for (size_t i = 0; i < cl->n_groups; i++) {
		const struct kdr_live_group *group = order[i];

		indent(out, level + 1);
		kdr_buf_put_json_string(out, group->id);
		kdr_buf_puts(out, ": {\"state\": ");
		put_string_or_null(out, group->state);
		kdr_buf_puts(out, ", \"protocolType\": ");
		put_string_or_null(out, group->protocol_type);
		kdr_buf_printf(out, ", \"members\": %d, \"offsets\": [", (int)group->n_members);
		for (size_t k = 0; k < group->n_offsets; k++) {
			const struct kdr_live_group_offset *o = &group->offsets[k];

			kdr_buf_puts(out, k ? ",\n" : "\n");
			indent(out, level + 2);
			kdr_buf_puts(out, "{\"topic\": ");
			kdr_buf_put_json_string(out, o->topic);
			kdr_buf_printf(out, ", \"partition\": %d, \"offset\": %lld, \"metadata\": ", (int)o->partition,
				       (long long)o->offset);
			put_string_or_null(out, o->metadata);
			kdr_buf_putc(out, '}');
		}
		if (group->n_offsets) {
			kdr_buf_putc(out, '\n');
			indent(out, level + 1);
		}
		kdr_buf_printf(out, "]}%s\n", i + 1 < cl->n_groups ? "," : "");
	}
	indent(out, level);
	kdr_buf_putc(out, '}');
	free(order);
}

static void write_cluster(struct kdr_buf *out, const struct kdr_live_cluster *cl, int level)
{
	indent(out, level);
	kdr_buf_put_json_string(out, cl->name);
	kdr_buf_puts(out, ": {\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"clusterId\": ");
	put_string_or_null(out, cl->cluster_id);
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_printf(out, "\"controller\": %d,\n", (int)cl->controller_id);
	indent(out, level + 1);
	kdr_buf_puts(out, "\"brokers\": ");
	write_brokers(out, cl, level + 1);
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_printf(out, "\"remoteStorage\": %s,\n", cl->remote_storage_enabled ? "true" : "false");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"topicDefaults\": ");
	write_configs(out, cl->topic_defaults, cl->n_topic_defaults, level + 1);
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"topics\": ");
	write_topics(out, cl, level + 1);
	kdr_buf_puts(out, ",\n");
	indent(out, level + 1);
	kdr_buf_puts(out, "\"connect\": ");
	write_connect(out, &cl->connect, level + 1);
	if (cl->groups_read) {
		kdr_buf_puts(out, ",\n");
		indent(out, level + 1);
		kdr_buf_puts(out, "\"groups\": ");
		write_groups(out, cl, level + 1);
	}
	kdr_live__acls_to_json(out, cl, level + 1);
	kdr_buf_putc(out, '\n');
	indent(out, level);
	kdr_buf_putc(out, '}');
}

void kdr_live_to_json(struct kdr_buf *out, const struct kdr_live *live)
{
	const void **order = NULL;

	kdr_buf_printf(out, "{\n  \"kdrSnapshot\": %d,\n  \"clusters\": ", SNAPSHOT_VERSION);
	if (!live->n_clusters) {
		kdr_buf_puts(out, "{}\n}\n");
		return;
	}
	order = sorted_view(live->clusters, live->n_clusters, sizeof(*live->clusters), compare_name_ptrs);
	kdr_buf_puts(out, "{\n");
	for (size_t i = 0; i < live->n_clusters; i++) {
		write_cluster(out, order[i], 2);
		kdr_buf_puts(out, i + 1 < live->n_clusters ? ",\n" : "\n");
	}
	kdr_buf_puts(out, "  }\n}\n");
	free(order);
}
