/*
 * DescribeConfigs v0-3, AlterConfigs v0-1 and IncrementalAlterConfigs v0 on
 * TOPIC and BROKER resources, as a Kafka 3.9 broker answers them:
 * - TOPIC: every topic config with its effective value, source and
 *   synonyms (topic_config.c); UNKNOWN_TOPIC_OR_PARTITION for a missing
 *   topic, INVALID_TOPIC_EXCEPTION for an illegal name.
 * - BROKER "<id>": only the receiving broker answers for itself (others:
 *   INVALID_REQUEST "Unexpected broker id"); every broker config of the
 *   reference with read-only flags. BROKER "": the cluster-wide dynamic
 *   defaults only.
 * - AlterConfigs replaces the resource's whole set of dynamic configs (keys
 *   left out are deleted); IncrementalAlterConfigs applies SET, DELETE,
 *   APPEND and SUBTRACT to the current set. Topic values go through the
 *   full validation (INVALID_CONFIG); broker keys that are read-only or
 *   badly valued give INVALID_REQUEST, unknown ones INVALID_CONFIG.
 */
#include "sandbox_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

enum resource_type {
	RESOURCE_TOPIC = 2,
	RESOURCE_BROKER = 4,
};

enum config_op {
	OP_SET = 0,
	OP_DELETE = 1,
	OP_APPEND = 2,
	OP_SUBTRACT = 3,
};

static bool wanted(const char *const *keys, int32_t n_keys, const char *name)
{
	if (n_keys < 0)
		return true;
	for (int32_t i = 0; i < n_keys; i++) {
		if (strcmp(keys[i], name) == 0)
			return true;
	}
	return false;
}

static void put_entry(struct kdr_sandbox_request *req, struct kdr_buf *out,
		      const struct kdr_sandbox_config_entry *entry, bool synonyms, bool documentation)
{
	kdr_sandbox_put_string(out, entry->name);
	kdr_sandbox_put_string(out, entry->sensitive ? NULL : entry->value);
	kdr_sandbox_put_bool(out, entry->read_only);
	if (req->version == 0)
		kdr_sandbox_put_bool(out, entry->source == KDR_SANDBOX_SOURCE_DEFAULT);
	else
		kdr_sandbox_put_i8(out, (int8_t)entry->source);
	kdr_sandbox_put_bool(out, entry->sensitive);
	if (req->version >= 1) {
		size_t n = synonyms ? entry->n_synonyms : 0;

		kdr_sandbox_put_i32(out, (int32_t)n);
		for (size_t i = 0; i < n; i++) {
			kdr_sandbox_put_string(out, entry->synonyms[i].name);
			kdr_sandbox_put_string(out, entry->sensitive ? NULL : entry->synonyms[i].value);
			kdr_sandbox_put_i8(out, (int8_t)entry->synonyms[i].source);
		}
	}
	if (req->version >= 3) {
		kdr_sandbox_put_i8(out, (int8_t)entry->type);
		kdr_sandbox_put_string(out, documentation ? entry->doc : NULL);
	}
}

/* Parses a BROKER resource name: 0 for this broker, 1 for "" (cluster default), -1 with `res` set. */
static int broker_resource(struct kdr_sandbox_request *req, const char *name, struct kdr_sandbox_result *res)
{
	char own[16];

	if (!*name)
		return 1;
	snprintf(own, sizeof(own), "%d", req->broker->id);
	if (strcmp(name, own) == 0)
		return 0;
	kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST,
			       "Unexpected broker id, expected %d or empty string, but received %s", req->broker->id,
			       name);
	return -1;
}

static void describe_resource(struct kdr_sandbox_request *req, struct kdr_buf *out, int8_t type, const char *name,
			      const char *const *keys, int32_t n_keys, bool synonyms, bool documentation)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_result res = {0, NULL};
	struct kdr_sandbox_topic *topic = NULL;
	const char *why = NULL;
	size_t count_pos = 0;
	int32_t count = 0;
	int which = 0;

	if (req->injected) {
		kdr_sandbox_result_set(&res, req->injected, "injected by the sandbox");
	} else if (type == RESOURCE_TOPIC) {
		if (!kdr_sandbox_topic_name_valid(name, &why))
			kdr_sandbox_result_set(&res, KDR_KAFKA_INVALID_TOPIC_EXCEPTION, "%s", why);
		else if (!(topic = kdr_sandbox_topic_find(cl, name)))
			kdr_sandbox_result_set(&res, KDR_KAFKA_UNKNOWN_TOPIC_OR_PARTITION,
					       "The topic '%s' does not exist.", name);
	} else if (type == RESOURCE_BROKER) {
		which = broker_resource(req, name, &res);
	} else {
		kdr_sandbox_result_set(&res, KDR_KAFKA_INVALID_REQUEST, "Unsupported resource type %d", type);
	}

	kdr_sandbox_put_i16(out, res.error);
	kdr_sandbox_put_string(out, res.message);
	kdr_sandbox_put_i8(out, type);
	kdr_sandbox_put_string(out, name);
	count_pos = out->len;
	kdr_sandbox_put_i32(out, 0);
	if (res.error) {
		kdr_sandbox_result_release(&res);
		return;
	}
	if (type == RESOURCE_TOPIC) {
		for (size_t i = 0; i < kdr_sandbox_n_topic_config_defs; i++) {
			struct kdr_sandbox_config_entry entry;

			if (!wanted(keys, n_keys, kdr_sandbox_topic_config_defs[i].name))
				continue;
			kdr_sandbox_describe_topic_config(cl, req->broker, topic, i, &entry);
			put_entry(req, out, &entry, synonyms, documentation);
			count++;
		}
	} else if (which == 0) {
		for (size_t i = 0; i < kdr_sandbox_n_broker_config_defs; i++) {
			struct kdr_sandbox_config_entry entry;

			if (!wanted(keys, n_keys, kdr_sandbox_broker_config_defs[i].name))
				continue;
			kdr_sandbox_describe_broker_config(cl, req->broker, i, &entry);
			put_entry(req, out, &entry, synonyms, documentation);
			count++;
		}
	} else {
		/* The cluster-default resource lists only what was set dynamically at cluster level. */
		for (size_t i = 0; i < cl->default_dynamic_configs.n; i++) {
			const struct kdr_strmap_entry *kv = &cl->default_dynamic_configs.v[i];
			const struct kdr_sandbox_config_def *def = kdr_sandbox_broker_config_def(kv->key);
			struct kdr_sandbox_config_entry entry;

			if (!def || !wanted(keys, n_keys, kv->key))
				continue;
			memset(&entry, 0, sizeof(entry));
			entry.name = def->name;
			entry.value = kv->value;
			entry.source = KDR_SANDBOX_SOURCE_DYNAMIC_DEFAULT_BROKER;
			entry.type = def->type;
			entry.doc = def->doc;
			entry.synonyms[0].name = def->name;
			entry.synonyms[0].value = kv->value;
			entry.synonyms[0].source = KDR_SANDBOX_SOURCE_DYNAMIC_DEFAULT_BROKER;
			entry.n_synonyms = 1;
			put_entry(req, out, &entry, synonyms, documentation);
			count++;
		}
	}
	kdr_sandbox_patch_i32(out, count_pos, count);
}

int kdr_sandbox_handle_describe_configs(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_reader *r = &req->r;
	int32_t n = kdr_sandbox_read_array_len(r, false, 7);
	int8_t *types = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n) : NULL;
	const char **names = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*names)) : NULL;
	const char ***keys = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*keys)) : NULL;
	int32_t *n_keys = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*n_keys)) : NULL;
	bool synonyms = false;
	bool documentation = false;

	for (int32_t i = 0; i < n && !r->bad; i++) {
		types[i] = kdr_sandbox_read_i8(r);
		names[i] = kdr_sandbox_read_string(r, &req->arena, false);
		n_keys[i] = kdr_sandbox_read_array_len(r, true, 2);
		if (n_keys[i] > 0)
			keys[i] = kdr_sandbox_arena_alloc(&req->arena, (size_t)n_keys[i] * sizeof(char *));
		for (int32_t k = 0; k < n_keys[i]; k++)
			keys[i][k] = kdr_sandbox_read_string(r, &req->arena, false);
	}
	if (req->version >= 1)
		synonyms = kdr_sandbox_read_bool(r);
	if (req->version >= 3)
		documentation = kdr_sandbox_read_bool(r);
	if (r->bad)
		return -1;

	kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n);
	for (int32_t i = 0; i < n; i++)
		describe_resource(req, out, types[i], names[i], keys[i], n_keys[i], synonyms, documentation);
	return 0;
}

struct alterable {
	const char *name;
	int8_t op; /* OP_SET for the legacy API */
	const char *value;
};

struct alter_resource {
	int8_t type;
	const char *name;
	int32_t n;
	struct alterable *configs;
};

/* Applies one op to `set`; returns -1 with `res` set when the op is not allowed. */
static int apply_op(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_topic *topic, struct kdr_strmap *set,
		    const struct alterable *c, bool is_topic, struct kdr_sandbox_result *res)
{
	const struct kdr_sandbox_config_def *def =
	    is_topic ? kdr_sandbox_topic_config_def(c->name) : kdr_sandbox_broker_config_def(c->name);
	char *current = NULL;
	char *save = NULL;
	struct kdr_buf joined = KDR_BUF_INIT;

	switch (c->op) {
	case OP_SET:
		if (c->value)
			kdr_strmap_set(set, c->name, c->value);
		else
			kdr_strmap_remove(set, c->name);
		return 0;
	case OP_DELETE:
		kdr_strmap_remove(set, c->name);
		return 0;
	case OP_APPEND:
	case OP_SUBTRACT:
		break;
	default:
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "Unknown alter config operation %d", c->op);
		return -1;
	}
	if (!def || def->type != KDR_SANDBOX_CONFIG_LIST) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_CONFIG,
				       "Config value append/subtract is not allowed for config key: %s", c->name);
		return -1;
	}
	current = kdr_strmap_get(set, c->name) ? kdr_strdup(kdr_strmap_get(set, c->name))
		  : is_topic		       ? kdr_sandbox_topic_config_value(cl, NULL, topic, c->name)
					       : kdr_strdup(def->default_value);
	/* Lists are comma-separated with no spaces in our normalised form. */
	for (char *item = current ? strtok_r(current, ",", &save) : NULL; item; item = strtok_r(NULL, ",", &save)) {
		bool drop = false;

		for (const char *p = c->value ? c->value : ""; *p;) {
			size_t len = strcspn(p, ",");

			drop = drop || (c->op == OP_SUBTRACT && strlen(item) == len && strncmp(item, p, len) == 0);
			p += len + (p[len] == ',');
		}
		if (!drop)
			kdr_buf_printf(&joined, "%s%s", joined.len ? "," : "", item);
	}
	if (c->op == OP_APPEND && c->value && *c->value)
		kdr_buf_printf(&joined, "%s%s", joined.len ? "," : "", c->value);
	kdr_strmap_set(set, c->name, joined.ptr);
	kdr_buf_release(&joined);
	free(current);
	return 0;
}

static bool duplicate_key(const struct alter_resource *resource, int32_t i)
{
	for (int32_t j = 0; j < i; j++) {
		if (strcmp(resource->configs[i].name, resource->configs[j].name) == 0)
			return true;
	}
	return false;
}

static void alter_topic(struct kdr_sandbox_request *req, const struct alter_resource *resource, bool incremental,
			bool validate_only, struct kdr_sandbox_result *res)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_topic *topic = NULL;
	struct kdr_strmap set = KDR_STRMAP_INIT;
	struct kdr_buf msg = KDR_BUF_INIT;
	const char *why = NULL;

	if (!kdr_sandbox_topic_name_valid(resource->name, &why)) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_TOPIC_EXCEPTION, "%s", why);
		goto cleanup;
	}
	topic = kdr_sandbox_topic_find(cl, resource->name);
	if (!topic) {
		kdr_sandbox_result_set(res, KDR_KAFKA_UNKNOWN_TOPIC_OR_PARTITION, "The topic '%s' does not exist.",
				       resource->name);
		goto cleanup;
	}
	/* Legacy AlterConfigs starts from nothing: whatever the request leaves out is deleted. */
	if (incremental)
		kdr_strmap_copy(&set, &topic->configs);
	for (int32_t i = 0; i < resource->n; i++) {
		if (duplicate_key(resource, i)) {
			kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "Error due to duplicate config keys");
			goto cleanup;
		}
		if (apply_op(cl, topic, &set, &resource->configs[i], true, res) != 0)
			goto cleanup;
	}
	if (kdr_sandbox_topic_configs_validate(cl, &set, &topic->configs, &msg) != 0) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_CONFIG, "%s", msg.ptr);
		goto cleanup;
	}
	if (!validate_only) {
		kdr_strmap_release(&topic->configs);
		topic->configs = set;
		memset(&set, 0, sizeof(set));
	}
	kdr_sandbox_result_ok(res);
cleanup:
	kdr_strmap_release(&set);
	kdr_buf_release(&msg);
}

static void alter_broker(struct kdr_sandbox_request *req, const struct alter_resource *resource, bool incremental,
			 bool validate_only, struct kdr_sandbox_result *res)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_strmap set = KDR_STRMAP_INIT;
	struct kdr_strmap *target = NULL;
	struct kdr_buf msg = KDR_BUF_INIT;
	int which = broker_resource(req, resource->name, res);

	if (which < 0)
		goto cleanup;
	target = which == 0 ? &req->broker->dynamic_configs : &cl->default_dynamic_configs;
	if (incremental)
		kdr_strmap_copy(&set, target);
	for (int32_t i = 0; i < resource->n; i++) {
		const struct alterable *c = &resource->configs[i];
		const struct kdr_sandbox_config_def *def = kdr_sandbox_broker_config_def(c->name);

		if (duplicate_key(resource, i)) {
			kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "Error due to duplicate config keys");
			goto cleanup;
		}
		if (!def) {
			kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_CONFIG, "Unknown broker config name: %s",
					       c->name);
			goto cleanup;
		}
		if (def->read_only) {
			kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST,
					       "Cannot update these configs dynamically: Set(%s)", c->name);
			goto cleanup;
		}
		if (def->per_broker && which == 1) {
			kdr_sandbox_result_set(
			    res, KDR_KAFKA_INVALID_REQUEST,
			    "Cannot update these configs at default cluster level, broker id must be "
			    "specified: Set(%s)",
			    c->name);
			goto cleanup;
		}
		if (apply_op(cl, NULL, &set, c, false, res) != 0)
			goto cleanup;
	}
	/* Values are checked against the broker ConfigDef; KRaft reports a bad one as INVALID_REQUEST. */
	for (size_t i = 0; i < set.n; i++) {
		char *normalised = NULL;

		kdr_buf_reset(&msg);
		if (kdr_sandbox_config_parse(kdr_sandbox_broker_config_def(set.v[i].key), set.v[i].value, &normalised,
					     &msg) != 0) {
			kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "%s", msg.ptr);
			goto cleanup;
		}
		free(set.v[i].value);
		set.v[i].value = normalised;
	}
	if (!validate_only) {
		kdr_strmap_release(target);
		*target = set;
		memset(&set, 0, sizeof(set));
		cl->config_epoch++; /* what brokers derive for topics may have changed */
	}
	kdr_sandbox_result_ok(res);
cleanup:
	kdr_strmap_release(&set);
	kdr_buf_release(&msg);
}

static int handle_alter(struct kdr_sandbox_request *req, struct kdr_buf *out, bool incremental)
{
	struct kdr_sandbox_reader *r = &req->r;
	int32_t n = kdr_sandbox_read_array_len(r, false, 7);
	struct alter_resource *resources =
	    n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*resources)) : NULL;
	bool validate_only = false;

	for (int32_t i = 0; i < n && !r->bad; i++) {
		struct alter_resource *resource = &resources[i];

		resource->type = kdr_sandbox_read_i8(r);
		resource->name = kdr_sandbox_read_string(r, &req->arena, false);
		resource->n = kdr_sandbox_read_array_len(r, false, 4);
		if (resource->n > 0)
			resource->configs =
			    kdr_sandbox_arena_alloc(&req->arena, (size_t)resource->n * sizeof(*resource->configs));
		for (int32_t c = 0; c < resource->n; c++) {
			resource->configs[c].name = kdr_sandbox_read_string(r, &req->arena, false);
			resource->configs[c].op = incremental ? kdr_sandbox_read_i8(r) : OP_SET;
			resource->configs[c].value = kdr_sandbox_read_string(r, &req->arena, true);
		}
	}
	validate_only = kdr_sandbox_read_bool(r);
	if (r->bad)
		return -1;

	kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n);
	for (int32_t i = 0; i < n; i++) {
		struct alter_resource *resource = &resources[i];
		struct kdr_sandbox_result res = {0, NULL};
		int16_t fault = 0;

		if (req->injected)
			kdr_sandbox_result_set(&res, req->injected, "injected by the sandbox");
		else if (resource->type == RESOURCE_TOPIC &&
			 (fault = kdr_sandbox_fault_take(req->cluster, req->api_key, resource->name)))
			kdr_sandbox_result_set(&res, fault, "injected by the sandbox");
		else if (resource->type == RESOURCE_TOPIC)
			alter_topic(req, resource, incremental, validate_only, &res);
		else if (resource->type == RESOURCE_BROKER)
			alter_broker(req, resource, incremental, validate_only, &res);
		else
			kdr_sandbox_result_set(&res, KDR_KAFKA_INVALID_REQUEST, "Unsupported resource type %d",
					       resource->type);
		kdr_sandbox_put_i16(out, res.error);
		kdr_sandbox_put_string(out, res.message);
		kdr_sandbox_put_i8(out, resource->type);
		kdr_sandbox_put_string(out, resource->name);
		kdr_sandbox_result_release(&res);
	}
	return 0;
}

int kdr_sandbox_handle_alter_configs(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	return handle_alter(req, out, false);
}

int kdr_sandbox_handle_incremental_alter_configs(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	return handle_alter(req, out, true);
}
