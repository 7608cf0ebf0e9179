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
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/live_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json_read.h"
#include "util/json_write.h"

#define SNAPSHOT_VERSION 1

/* --- reading --- */

/*
 * Every object of the format is read through the table of its fields: the
 * names it allows, in the order an "unknown field" error lists them, and how
 * each is read into the item it fills, in the same order. A required field
 * that is absent is "missing field 'KEY'" at the object.
 */
enum field_type {
	FIELD_STRING,	      /* char *: a string; absent: left as it is */
	FIELD_STRING_OR_NULL, /* char *: a string or null; absent or null: left as it is */
	FIELD_BOOL,	      /* bool; absent: false */
	FIELD_INT32,	      /* int32_t; absent: dflt */
	FIELD_INT64,	      /* int64_t; absent: dflt */
	FIELD_STATE,	      /* enum kdr_connector_state by name; absent: UNKNOWN */
	FIELD_SOURCE,	      /* enum kdr_config_source by name; absent: left as it is */
	FIELD_BROKER_IDS,     /* struct kdr_replica_list: an array of int32; absent: empty */
	FIELD_STRINGS,	      /* struct kdr_strmap: an object of strings or nulls */
	FIELD_ARRAY,	      /* an array of objects: `items` */
	FIELD_MAP,	      /* an object of named objects, in name order: `items` */
	FIELD_ELSEWHERE,      /* allowed here, read after the table by the object's reader */
};

/* How the ids of a FIELD_ARRAY's items (each starting with its int32 id) must be. */
enum id_rule {
	IDS_ANY,    /* not checked, not sorted (the items have no id) */
	IDS_UNIQUE, /* each once ("duplicate <what> id N"), sorted */
	IDS_DENSE,  /* exactly 0..n-1 (partitions, indexed by id), sorted */
};

struct field;

/*
 * The items of a FIELD_ARRAY or FIELD_MAP: a new array of `size`-byte items
 * at the field's offset, their count (size_t) at `count` in the same parent.
 * A named item (FIELD_MAP) has its name (char *) first.
 */
struct items {
	size_t size;
	size_t count;
	const struct field *fields; /* each item's table, or NULL: read by `read` */
	int (*read)(struct kdr_json_r *r, void *item, const json_t *value);
	enum id_rule rule;
	const char *what; /* "broker": for the id errors */
};

struct field {
	const char *key;
	enum field_type type;
	size_t offset; /* of the member the field fills, in the item */
	int32_t dflt;
	bool required;
	const struct items *items;
};

#define MAX_FIELDS 12
/* The member a field fills, for its table entry. */
#define AT(type, member) .offset = offsetof(struct type, member)
/* Items of `type` counted by the member `count` of `parent`. */
#define ITEMS(type, parent, counter) .size = sizeof(struct type), .count = offsetof(struct parent, counter)

static int read_fields(struct kdr_json_r *r, void *item, const json_t *obj, const struct field *fields);

/* Brokers, partitions and tasks have their int32 id as first member. */
static int compare_ids(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* `value` (at the current path) as an int32. */
static int int32_of(struct kdr_json_r *r, int32_t *out, const json_t *value)
{
	json_int_t n = 0;

	if (!json_is_integer(value))
		return kdr_json_r_type_error(r, "an integer", value);
	n = json_integer_value(value);
	if (n < INT32_MIN || n > INT32_MAX)
		return kdr_json_r_fail(r, "integer out of range");
	*out = (int32_t)n;
	return 0;
}

static int read_broker_id(struct kdr_json_r *r, void *ctx, void *item, const json_t *value)
{
	(void)ctx;
	return int32_of(r, item, value);
}

static int read_broker_ids(struct kdr_json_r *r, struct kdr_replica_list *list, const json_t *value)
{
	if (!value) {
		list->ids = kdr_calloc(1, sizeof(*list->ids));
		list->n = 0;
		return 0;
	}
	if (!json_is_array(value))
		return kdr_json_r_type_error(r, "an array", value);
	return kdr_json_r_items(r, (void **)&list->ids, &list->n, sizeof(*list->ids), value, read_broker_id, NULL);
}

static int read_string_entry(struct kdr_json_r *r, void *ctx, const char *name, const json_t *value)
{
	if (json_is_string(value))
		kdr_strmap_set(ctx, name, json_string_value(value));
	else if (json_is_null(value))
		kdr_strmap_set(ctx, name, NULL);
	else
		return kdr_json_r_type_error(r, "a string or null", value);
	return 0;
}

static int read_item(struct kdr_json_r *r, void *ctx, void *item, const json_t *value)
{
	const struct items *items = ctx;

	return items->fields ? read_fields(r, item, value, items->fields) : items->read(r, item, value);
}

/* A FIELD_MAP being read: each member appended to `base`, counted in *n as it is read. */
struct map_read {
	const struct items *items;
	char *base;
	size_t *n;
};

static int read_map_member(struct kdr_json_r *r, void *ctx, const char *name, const json_t *value)
{
	struct map_read *map = ctx;
	char *item = map->base + *map->n * map->items->size;

	(*map->n)++;
	*(char **)(void *)item = kdr_strdup(name);
	return read_item(r, (void *)map->items, item, value);
}

/* The ids of `n` items sorted and checked by `items`' rule. */
static int check_ids(struct kdr_json_r *r, char *base, size_t n, const struct items *items)
{
	if (items->rule == IDS_ANY)
		return 0;
	if (n > 1)
		qsort(base, n, items->size, compare_ids);
	for (size_t i = 0; i < n; i++) {
		int32_t id = *(const int32_t *)(const void *)(base + i * items->size);

		if (items->rule == IDS_DENSE && id != (int32_t)i)
			return kdr_json_r_fail(r, "%s ids must be 0..%zu, each once", items->what, n - 1);
		if (items->rule == IDS_UNIQUE && i > 0 &&
		    id == *(const int32_t *)(const void *)(base + (i - 1) * items->size))
			return kdr_json_r_fail(r, "duplicate %s id %d", items->what, (int)id);
	}
	return 0;
}

/* The one list reader of the format: a FIELD_ARRAY or FIELD_MAP `value` (NULL: absent) into `parent`. */
static int read_items(struct kdr_json_r *r, void *parent, const struct field *f, const json_t *value)
{
	const struct items *items = f->items;
	void **out = (void **)(void *)((char *)parent + f->offset);
	size_t *n = (size_t *)(void *)((char *)parent + items->count);
	struct map_read map = {items, NULL, n};
	int rc = 0;

	if (!value)
		return 0;
	if (f->type == FIELD_MAP) {
		if (!json_is_object(value))
			return kdr_json_r_type_error(r, "an object", value);
		map.base = kdr_calloc(json_object_size(value) ? json_object_size(value) : 1, items->size);
		*out = map.base;
		return kdr_json_r_members(r, value, read_map_member, &map);
	}
	if (!json_is_array(value))
		return kdr_json_r_type_error(r, "an array", value);
	rc = kdr_json_r_items(r, out, n, items->size, value, read_item, (void *)items);
	return rc ? rc : check_ids(r, *out, *n, items);
}

/* A name parsed by kdr_*_parse failed at PATH.key: its message. */
static int parse_error(struct kdr_json_r *r, const char *key)
{
	return kdr_json_r_fail_at(r, key, "%s", kdr_error_message());
}

static int read_scalar(struct kdr_json_r *r, void *member, const json_t *obj, const struct field *f)
{
	json_t *value = NULL;
	size_t at = 0;
	int rc = 0;

	switch (f->type) {
	case FIELD_STRING:
	case FIELD_STRING_OR_NULL:
		rc = kdr_json_r_member(&value, r, obj, f->key, JSON_STRING,
				       f->type == FIELD_STRING ? KDR_JSON_OPTIONAL : KDR_JSON_OR_NULL);
		if (value) {
			free(*(char **)member);
			*(char **)member = kdr_strndup(json_string_value(value), json_string_length(value));
		}
		return rc;
	case FIELD_BOOL:
		rc = kdr_json_r_member(&value, r, obj, f->key, JSON_TRUE, KDR_JSON_OPTIONAL);
		*(bool *)member = value && json_is_true(value);
		return rc;
	case FIELD_INT32:
	case FIELD_INT64:
		if (f->type == FIELD_INT32)
			*(int32_t *)member = f->dflt;
		else
			*(int64_t *)member = f->dflt;
		rc = kdr_json_r_member(&value, r, obj, f->key, JSON_INTEGER, KDR_JSON_OPTIONAL);
		if (!value)
			return rc;
		if (f->type == FIELD_INT64) {
			*(int64_t *)member = json_integer_value(value);
			return 0;
		}
		at = kdr_json_r_push_key(r, f->key);
		rc = int32_of(r, member, value);
		kdr_json_r_pop(r, at);
		return rc;
	case FIELD_STATE:
		*(enum kdr_connector_state *)member = KDR_CONNECTOR_UNKNOWN;
		rc = kdr_json_r_member(&value, r, obj, f->key, JSON_STRING, KDR_JSON_OPTIONAL);
		if (value && kdr_connector_state_parse(member, json_string_value(value)) != 0)
			rc = parse_error(r, f->key);
		return rc;
	case FIELD_SOURCE:
		rc = kdr_json_r_member(&value, r, obj, f->key, JSON_STRING, KDR_JSON_OPTIONAL);
		if (value && kdr_config_source_parse(member, json_string_value(value)) != 0)
			rc = parse_error(r, f->key);
		return rc;
	default:
		break;
	}
	return 0;
}

/* A field whose value is read at PATH.key: lists and maps. */
static int read_nested(struct kdr_json_r *r, void *item, const json_t *value, const struct field *f)
{
	void *member = (char *)item + f->offset;

	switch (f->type) {
	case FIELD_BROKER_IDS:
		return read_broker_ids(r, member, value);
	case FIELD_STRINGS:
		if (!value)
			return 0;
		if (!json_is_object(value))
			return kdr_json_r_type_error(r, "an object", value);
		return kdr_json_r_members(r, value, read_string_entry, member);
	case FIELD_ARRAY:
	case FIELD_MAP:
		return read_items(r, item, f, value);
	default:
		break;
	}
	return 0;
}

/* Object `obj` (at the current path) into `item` by its table. */
static int read_fields(struct kdr_json_r *r, void *item, const json_t *obj, const struct field *fields)
{
	const char *names[MAX_FIELDS + 1] = {NULL};
	int rc = 0;

	if (!json_is_object(obj))
		return kdr_json_r_type_error(r, "an object", obj);
	for (size_t i = 0; fields[i].key && i < MAX_FIELDS; i++)
		names[i] = fields[i].key;
	if ((rc = kdr_json_r_check_fields(r, obj, names)) != 0)
		return rc;
	for (const struct field *f = fields; f->key && !rc; f++) {
		size_t at = 0;

		if (f->required && !json_object_get(obj, f->key))
			return kdr_json_r_fail(r, "missing field '%s'", f->key);
		if (f->type < FIELD_BROKER_IDS) {
			rc = read_scalar(r, (char *)item + f->offset, obj, f);
			continue;
		}
		at = kdr_json_r_push_key(r, f->key);
		rc = read_nested(r, item, json_object_get(obj, f->key), f);
		kdr_json_r_pop(r, at);
	}
	return rc;
}

/* One config entry: {"value", "source", "readOnly", "sensitive"}, or a string / null. */
static int read_config(struct kdr_json_r *r, struct kdr_live_config *out, const json_t *value,
		       enum kdr_config_source default_source)
{
	static const struct field fields[] = {
	    {"value", FIELD_STRING_OR_NULL, AT(kdr_live_config, value), .required = true},
	    {"source", FIELD_SOURCE, AT(kdr_live_config, source)},
	    {"readOnly", FIELD_BOOL, AT(kdr_live_config, read_only)},
	    {"sensitive", FIELD_BOOL, AT(kdr_live_config, sensitive)},
	    {NULL},
	};
	int rc = 0;

	out->source = default_source;
	if (json_is_string(value)) {
		out->value = kdr_strndup(json_string_value(value), json_string_length(value));
		return 0;
	}
	if (json_is_null(value))
		return 0;
	if (!json_is_object(value))
		return kdr_json_r_type_error(r, "an object, a string or null", value);
	rc = read_fields(r, out, value, fields);
	/* A sensitive value is never kept, whatever the file says. */
	if (!rc && out->sensitive) {
		free(out->value);
		out->value = NULL;
	}
	return rc;
}

static int read_topic_config(struct kdr_json_r *r, void *item, const json_t *value)
{
	return read_config(r, item, value, KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
}

static int read_default_config(struct kdr_json_r *r, void *item, const json_t *value)
{
	return read_config(r, item, value, KDR_CONFIG_SOURCE_DEFAULT);
}

static const struct items topic_configs = {ITEMS(kdr_live_config, kdr_live_topic, n_configs),
					   .read = read_topic_config};
static const struct items topic_defaults = {ITEMS(kdr_live_config, kdr_live_cluster, n_topic_defaults),
					    .read = read_default_config};

static const struct field broker_fields[] = {
    {"id", FIELD_INT32, AT(kdr_live_broker, id), .required = true},
    {"host", FIELD_STRING_OR_NULL, AT(kdr_live_broker, host)},
    {"port", FIELD_INT32, AT(kdr_live_broker, port)},
    {"rack", FIELD_STRING_OR_NULL, AT(kdr_live_broker, rack)},
    {NULL},
};
static const struct items brokers = {ITEMS(kdr_live_broker, kdr_live_cluster, n_brokers), .fields = broker_fields,
				     .rule = IDS_UNIQUE, .what = "broker"};

static const struct field partition_fields[] = {
    {"id", FIELD_INT32, AT(kdr_live_partition, id), .required = true},
    {"leader", FIELD_INT32, AT(kdr_live_partition, leader), .dflt = -1},
    {"replicas", FIELD_BROKER_IDS, AT(kdr_live_partition, replicas), .required = true},
    {"isr", FIELD_BROKER_IDS, AT(kdr_live_partition, isr)},
    {NULL},
};
/* The partitions array is indexed by id, so the ids must be exactly 0..n-1. */
static const struct items partitions = {ITEMS(kdr_live_partition, kdr_live_topic, n_partitions),
					.fields = partition_fields, .rule = IDS_DENSE, .what = "partition"};

static const struct field topic_fields[] = {
    {"internal", FIELD_BOOL, AT(kdr_live_topic, internal)},
    {"partitions", FIELD_ARRAY, AT(kdr_live_topic, partitions), .items = &partitions},
    {"configs", FIELD_MAP, AT(kdr_live_topic, configs), .items = &topic_configs},
    {NULL},
};
static const struct items topics = {ITEMS(kdr_live_topic, kdr_live_cluster, n_topics), .fields = topic_fields};

static const struct field task_fields[] = {
    {"id", FIELD_INT32, AT(kdr_live_task, id), .required = true},
    {"state", FIELD_STATE, AT(kdr_live_task, state)},
    {"workerId", FIELD_STRING_OR_NULL, AT(kdr_live_task, worker_id)},
    {"trace", FIELD_STRING_OR_NULL, AT(kdr_live_task, trace)},
    {NULL},
};
static const struct items tasks = {ITEMS(kdr_live_task, kdr_live_connector, n_tasks), .fields = task_fields,
				   .rule = IDS_UNIQUE, .what = "task"};

static const struct field connector_fields[] = {
    {"type", FIELD_STRING_OR_NULL, AT(kdr_live_connector, type)},
    {"state", FIELD_STATE, AT(kdr_live_connector, state)},
    {"trace", FIELD_STRING_OR_NULL, AT(kdr_live_connector, trace)},
    {"config", FIELD_STRINGS, AT(kdr_live_connector, config)},
    {"tasks", FIELD_ARRAY, AT(kdr_live_connector, tasks), .items = &tasks},
    {NULL},
};
static const struct items connectors = {ITEMS(kdr_live_connector, kdr_live_connect, n_connectors),
					.fields = connector_fields};

static const struct field connect_fields[] = {
    {"url", FIELD_STRING_OR_NULL, AT(kdr_live_connect, url)},
    {"version", FIELD_STRING_OR_NULL, AT(kdr_live_connect, version)},
    {"kafkaClusterId", FIELD_STRING_OR_NULL, AT(kdr_live_connect, kafka_cluster_id)},
    {"connectors", FIELD_MAP, AT(kdr_live_connect, connectors), .items = &connectors},
    {NULL},
};

/* "connect": null (none) or an object. */
static int read_connect(struct kdr_json_r *r, struct kdr_live_connect *out, const json_t *obj)
{
	json_t *value = NULL;
	size_t at = 0;
	int rc = kdr_json_r_enter(&value, &at, r, obj, "connect", JSON_OBJECT, KDR_JSON_OR_NULL);

	if (rc || !value)
		return rc;
	out->present = true;
	rc = read_fields(r, out, value, connect_fields);
	kdr_json_r_pop(r, at);
	return rc;
}

/* --- consumer groups ("groups": present only when they were read) --- */

static int read_group_offset(struct kdr_json_r *r, void *item, const json_t *value)
{
	static const struct field fields[] = {
	    {"topic", FIELD_STRING, AT(kdr_live_group_offset, topic)},
	    {"partition", FIELD_INT32, AT(kdr_live_group_offset, partition), .dflt = -1},
	    {"offset", FIELD_INT64, AT(kdr_live_group_offset, offset), .dflt = -1},
	    {"metadata", FIELD_STRING_OR_NULL, AT(kdr_live_group_offset, metadata)},
	    {NULL},
	};
	struct kdr_live_group_offset *out = item;
	int rc = read_fields(r, out, value, fields);

	if (!out->metadata)
		out->metadata = kdr_strdup("");
	if (!rc && (!out->topic || out->partition < 0))
		rc = kdr_json_r_fail(r, "an offset needs 'topic' and a 'partition' >= 0");
	return rc;
}

static const struct items group_offsets = {ITEMS(kdr_live_group_offset, kdr_live_group, n_offsets),
					   .read = read_group_offset};

static int read_group(struct kdr_json_r *r, void *item, const json_t *value)
{
	static const struct field fields[] = {
	    {"state", FIELD_STRING, AT(kdr_live_group, state)},
	    {"protocolType", FIELD_STRING_OR_NULL, AT(kdr_live_group, protocol_type)},
	    {"members", FIELD_INT32, AT(kdr_live_group, n_members)},
	    {"offsets", FIELD_ARRAY, AT(kdr_live_group, offsets), .items = &group_offsets},
	    {NULL},
	};
	struct kdr_live_group *group = item;

	/* What kdr_live_cluster_add_group starts a group with. */
	group->state = kdr_strdup("Empty");
	group->protocol_type = kdr_strdup("");
	return read_fields(r, group, value, fields);
}

static const struct items groups = {ITEMS(kdr_live_group, kdr_live_cluster, n_groups), .read = read_group};

static int read_cluster(struct kdr_json_r *r, void *item, const json_t *value)
{
	/* "connect" and the ACLs are read last, after the groups. */
	static const struct field fields[] = {
	    {"clusterId", FIELD_STRING_OR_NULL, AT(kdr_live_cluster, cluster_id)},
	    {"controller", FIELD_INT32, AT(kdr_live_cluster, controller_id), .dflt = -1},
	    {"brokers", FIELD_ARRAY, AT(kdr_live_cluster, brokers), .items = &brokers},
	    {"remoteStorage", FIELD_BOOL, AT(kdr_live_cluster, remote_storage_enabled)},
	    {"topicDefaults", FIELD_MAP, AT(kdr_live_cluster, topic_defaults), .items = &topic_defaults},
	    {"topics", FIELD_MAP, AT(kdr_live_cluster, topics), .items = &topics},
	    {.key = "connect", .type = FIELD_ELSEWHERE},
	    {"groups", FIELD_MAP, AT(kdr_live_cluster, groups), .items = &groups},
	    {.key = "acls", .type = FIELD_ELSEWHERE},
	    {.key = "aclsError", .type = FIELD_ELSEWHERE},
	    {.key = "aclsNoAuthorizer", .type = FIELD_ELSEWHERE},
	    {NULL},
	};
	struct kdr_live_cluster *out = item;
	int rc = read_fields(r, out, value, fields);

	/* A snapshot holds what was read: kdr snapshot reads the offsets with the groups. */
	out->groups_read = out->group_offsets_read = !rc && json_object_get(value, "groups");
	if (!rc)
		rc = kdr_live__acls_from_json(out, value, r);
	return rc ? rc : read_connect(r, &out->connect, value);
}

static const struct items clusters = {ITEMS(kdr_live_cluster, kdr_live, n_clusters), .read = read_cluster};

static int read_root(struct kdr_json_r *r, struct kdr_live *out, const json_t *root)
{
	static const char *const fields[] = {"kdrSnapshot", "clusters", NULL};
	static const struct field clusters_field = {"clusters", FIELD_MAP, offsetof(struct kdr_live, clusters),
						    .items = &clusters};
	json_t *version = NULL;
	json_t *map = NULL;
	size_t at = 0;
	int rc = 0;

	if (!json_is_object(root))
		return kdr_json_r_type_error(r, "an object", root);
	version = json_object_get(root, "kdrSnapshot");
	if (!version)
		return kdr_json_r_fail(r, "missing field 'kdrSnapshot' (not a kdr snapshot?)");
	if (!json_is_integer(version) || json_integer_value(version) != SNAPSHOT_VERSION) {
		char *found = json_dumps(version, JSON_ENCODE_ANY);

		rc = kdr_json_r_fail_at(r, "kdrSnapshot", "unsupported snapshot version %s (this kdr reads version 1)",
					found ? found : "?");
		free(found);
		return rc;
	}
	if ((rc = kdr_json_r_check_fields(r, root, fields)) != 0)
		return rc;
	if ((rc = kdr_json_r_enter(&map, &at, r, root, "clusters", JSON_OBJECT, KDR_JSON_OPTIONAL)) != 0)
		return rc;
	if (!map)
		return kdr_json_r_fail(r, "missing field 'clusters'");
	rc = read_items(r, out, &clusters_field, map);
	kdr_json_r_pop(r, at);
	return rc;
}

int kdr_live_from_json(struct kdr_live *out, const char *text, size_t len, const char *label)
{
	struct kdr_json_r r;
	json_error_t error;
	json_t *root = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&error, 0, sizeof(error));
	kdr_json_r_init(&r, label ? label : "snapshot", "$");
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
	if (!root)
		return kdr_error_set(KDR_EINVALID, "%s:%d:%d: invalid JSON: %s", r.label, error.line, error.column,
				     error.text);
	rc = read_root(&r, out, root);
	if (rc)
		kdr_live_release(out);
	else
		kdr_live_sort(out); /* already sorted; cheap insurance for the lookups */
	json_decref(root);
	kdr_json_r_release(&r);
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
	if (n > 1 && compare)
		qsort(order, n, sizeof(*order), compare);
	return order;
}

/*
 * The one container of the writer: `n` items of `size` bytes in `compare`
 * order (NULL: as they are) inside `bracket` ('{' or '[') named `key`, one
 * per line, each written by `write_item` (which names itself inside '{');
 * "{}" or "[]" when empty.
 */
static void write_items(struct kdr_json_w *w, const char *key, const void *base, size_t n, size_t size,
			int (*compare)(const void *, const void *), char bracket,
			void (*write_item)(struct kdr_json_w *w, const void *item))
{
	const void **order = sorted_view(base, n, size, compare);

	kdr_json_w_open(w, key, bracket, false);
	for (size_t i = 0; i < n; i++)
		write_item(w, order[i]);
	kdr_json_w_close(w, bracket == '{' ? '}' : ']');
	free(order);
}

static void write_ids(struct kdr_json_w *w, const char *key, const struct kdr_replica_list *list)
{
	kdr_json_w_open(w, key, '[', true);
	for (size_t i = 0; i < list->n; i++)
		kdr_json_w_int(w, NULL, list->ids[i]);
	kdr_json_w_close(w, ']');
}

static void write_config(struct kdr_json_w *w, const void *item)
{
	const struct kdr_live_config *config = item;

	kdr_json_w_open(w, config->name, '{', true);
	kdr_json_w_string(w, "value", config->sensitive ? NULL : config->value);
	kdr_json_w_string(w, "source", kdr_config_source_name(config->source));
	kdr_json_w_bool(w, "readOnly", config->read_only);
	kdr_json_w_bool(w, "sensitive", config->sensitive);
	kdr_json_w_close(w, '}');
}

static void write_configs(struct kdr_json_w *w, const char *key, const struct kdr_live_config *configs, size_t n)
{
	write_items(w, key, configs, n, sizeof(*configs), compare_name_ptrs, '{', write_config);
}

static void write_broker(struct kdr_json_w *w, const void *item)
{
	const struct kdr_live_broker *broker = item;

	kdr_json_w_open(w, NULL, '{', true);
	kdr_json_w_int(w, "id", broker->id);
	kdr_json_w_string(w, "host", broker->host);
	kdr_json_w_int(w, "port", broker->port);
	kdr_json_w_string(w, "rack", broker->rack);
	kdr_json_w_close(w, '}');
}

static void write_partition(struct kdr_json_w *w, const void *item)
{
	const struct kdr_live_partition *part = item;

	kdr_json_w_open(w, NULL, '{', true);
	kdr_json_w_int(w, "id", part->id);
	kdr_json_w_int(w, "leader", part->leader);
	write_ids(w, "replicas", &part->replicas);
	write_ids(w, "isr", &part->isr);
	kdr_json_w_close(w, '}');
}

static void write_topic(struct kdr_json_w *w, const void *item)
{
	const struct kdr_live_topic *topic = item;

	kdr_json_w_open(w, topic->name, '{', false);
	kdr_json_w_bool(w, "internal", topic->internal);
	/* Indexed by id: in order already. */
	write_items(w, "partitions", topic->partitions, topic->n_partitions, sizeof(*topic->partitions), NULL, '[',
		    write_partition);
	write_configs(w, "configs", topic->configs, topic->n_configs);
	kdr_json_w_close(w, '}');
}

static void write_task(struct kdr_json_w *w, const void *item)
{
	const struct kdr_live_task *task = item;

	kdr_json_w_open(w, NULL, '{', true);
	kdr_json_w_int(w, "id", task->id);
	kdr_json_w_string(w, "state", kdr_connector_state_name(task->state));
	kdr_json_w_string(w, "workerId", task->worker_id);
	kdr_json_w_string(w, "trace", task->trace);
	kdr_json_w_close(w, '}');
}

/* A connector config entry; a key that names a credential is written as null. */
static void write_config_entry(struct kdr_json_w *w, const void *item)
{
	const struct kdr_strmap_entry *entry = item;

	kdr_json_w_string(w, entry->key, kdr_config_key_is_sensitive(entry->key) ? NULL : entry->value);
}

static void write_connector(struct kdr_json_w *w, const void *item)
{
	const struct kdr_live_connector *conn = item;

	kdr_json_w_open(w, conn->name, '{', false);
	kdr_json_w_string(w, "type", conn->type);
	kdr_json_w_string(w, "state", kdr_connector_state_name(conn->state));
	kdr_json_w_string(w, "trace", conn->trace);
	/* kdr_strmap is sorted by key already. */
	write_items(w, "config", conn->config.v, conn->config.n, sizeof(*conn->config.v), NULL, '{',
		    write_config_entry);
	write_items(w, "tasks", conn->tasks, conn->n_tasks, sizeof(*conn->tasks), compare_id_ptrs, '[', write_task);
	kdr_json_w_close(w, '}');
}

static void write_connect(struct kdr_json_w *w, const struct kdr_live_connect *connect)
{
	if (!connect->present) {
		kdr_json_w_null(w, "connect");
		return;
	}
	kdr_json_w_open(w, "connect", '{', false);
	kdr_json_w_string(w, "url", connect->url);
	kdr_json_w_string(w, "version", connect->version);
	kdr_json_w_string(w, "kafkaClusterId", connect->kafka_cluster_id);
	write_items(w, "connectors", connect->connectors, connect->n_connectors, sizeof(*connect->connectors),
		    compare_name_ptrs, '{', write_connector);
	kdr_json_w_close(w, '}');
}

/* A group on one line, its offsets one per line. */
static void write_group(struct kdr_json_w *w, const void *item)
{
	const struct kdr_live_group *group = item;

	kdr_json_w_open(w, group->id, '{', true);
	kdr_json_w_string(w, "state", group->state);
	kdr_json_w_string(w, "protocolType", group->protocol_type);
	kdr_json_w_int(w, "members", group->n_members);
	kdr_json_w_open_lines(w, "offsets", '[');
	for (size_t k = 0; k < group->n_offsets; k++) {
		const struct kdr_live_group_offset *o = &group->offsets[k];

		kdr_json_w_open(w, NULL, '{', true);
		kdr_json_w_string(w, "topic", o->topic);
		kdr_json_w_int(w, "partition", o->partition);
		kdr_json_w_int(w, "offset", o->offset);
		kdr_json_w_string(w, "metadata", o->metadata);
		kdr_json_w_close(w, '}');
	}
	kdr_json_w_close(w, ']');
	kdr_json_w_close(w, '}');
}

static void write_cluster(struct kdr_json_w *w, const void *item)
{
	const struct kdr_live_cluster *cl = item;

	kdr_json_w_open(w, cl->name, '{', false);
	kdr_json_w_string(w, "clusterId", cl->cluster_id);
	kdr_json_w_int(w, "controller", cl->controller_id);
	write_items(w, "brokers", cl->brokers, cl->n_brokers, sizeof(*cl->brokers), compare_id_ptrs, '[',
		    write_broker);
	kdr_json_w_bool(w, "remoteStorage", cl->remote_storage_enabled);
	write_configs(w, "topicDefaults", cl->topic_defaults, cl->n_topic_defaults);
	write_items(w, "topics", cl->topics, cl->n_topics, sizeof(*cl->topics), compare_name_ptrs, '{', write_topic);
	write_connect(w, &cl->connect);
	if (cl->groups_read)
		write_items(w, "groups", cl->groups, cl->n_groups, sizeof(*cl->groups), compare_name_ptrs, '{',
			    write_group);
	kdr_live__acls_to_json(w, cl);
	kdr_json_w_close(w, '}');
}

void kdr_live_to_json(struct kdr_buf *out, const struct kdr_live *live)
{
	struct kdr_json_w w;

	kdr_json_w_init(&w, out);
	kdr_json_w_open(&w, NULL, '{', false);
	kdr_json_w_int(&w, "kdrSnapshot", SNAPSHOT_VERSION);
	write_items(&w, "clusters", live->clusters, live->n_clusters, sizeof(*live->clusters), compare_name_ptrs, '{',
		    write_cluster);
	kdr_json_w_close(&w, '}');
	kdr_buf_putc(out, '\n');
	kdr_json_w_release(&w);
}
