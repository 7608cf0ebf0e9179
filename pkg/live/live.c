#include "live/live.h"
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

/*
 * The live snapshot's containers: lookups, sorting, building and freeing.
 * Arrays grow one element at a time with realloc (no capacity field in the
 * public structs, and readers may hand us arrays they allocated themselves,
 * so no hidden capacity can be assumed).
 */

static const char *const source_names[] = {
    [KDR_CONFIG_SOURCE_UNKNOWN] = "UNKNOWN",
    [KDR_CONFIG_SOURCE_DYNAMIC_TOPIC] = "DYNAMIC_TOPIC_CONFIG",
    [KDR_CONFIG_SOURCE_DYNAMIC_BROKER] = "DYNAMIC_BROKER_CONFIG",
    [KDR_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER] = "DYNAMIC_DEFAULT_BROKER_CONFIG",
    [KDR_CONFIG_SOURCE_STATIC_BROKER] = "STATIC_BROKER_CONFIG",
    [KDR_CONFIG_SOURCE_DEFAULT] = "DEFAULT_CONFIG",
    [KDR_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER] = "DYNAMIC_BROKER_LOGGER_CONFIG",
};

#define N_SOURCES (sizeof(source_names) / sizeof(source_names[0]))

const char *kdr_config_source_name(enum kdr_config_source source)
{
	return kdr_names_at(source_names, N_SOURCES, (long)source, "UNKNOWN");
}

int kdr_config_source_parse(enum kdr_config_source *out, const char *name)
{
	long i = kdr_names_find(source_names, N_SOURCES, name);

	if (!name)
		return kdr_error_set(KDR_EINVALID, "config source: missing");
	if (i >= 0) {
		*out = (enum kdr_config_source)i;
		return 0;
	}
	/* librdkafka's spelling of 0. */
	if (strcmp(name, "UNKNOWN_CONFIG") == 0) {
		*out = KDR_CONFIG_SOURCE_UNKNOWN;
		return 0;
	}
	return kdr_error_set(KDR_EINVALID,
			     "unknown config source '%s' (allowed: DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, "
			     "DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG, "
			     "DYNAMIC_BROKER_LOGGER_CONFIG, UNKNOWN)",
			     name);
}

static const char *const state_names[] = {
    [KDR_CONNECTOR_UNKNOWN] = "UNKNOWN",       [KDR_CONNECTOR_RUNNING] = "RUNNING",
    [KDR_CONNECTOR_PAUSED] = "PAUSED",	       [KDR_CONNECTOR_STOPPED] = "STOPPED",
    [KDR_CONNECTOR_FAILED] = "FAILED",	       [KDR_CONNECTOR_UNASSIGNED] = "UNASSIGNED",
    [KDR_CONNECTOR_RESTARTING] = "RESTARTING",
};

#define N_STATES (sizeof(state_names) / sizeof(state_names[0]))

const char *kdr_connector_state_name(enum kdr_connector_state state)
{
	return kdr_names_at(state_names, N_STATES, (long)state, "UNKNOWN");
}

int kdr_connector_state_parse(enum kdr_connector_state *out, const char *name)
{
	long i = kdr_names_find(state_names, N_STATES, name);

	if (!name)
		return kdr_error_set(KDR_EINVALID, "connector state: missing");
	if (i >= 0) {
		*out = (enum kdr_connector_state)i;
		return 0;
	}
	return kdr_error_set(KDR_EINVALID,
			     "unknown connector state '%s' (allowed: RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED, "
			     "RESTARTING, UNKNOWN)",
			     name);
}

/* --- lookups --- */

/*
 * Every named element type of the snapshot (cluster, topic, config,
 * connector) has its name as first member, and every numbered one (broker,
 * partition, task) its id: one comparator of each kind serves them all.
 */
_Static_assert(offsetof(struct kdr_live_cluster, name) == 0, "name first");
_Static_assert(offsetof(struct kdr_live_topic, name) == 0, "name first");
_Static_assert(offsetof(struct kdr_live_config, name) == 0, "name first");
_Static_assert(offsetof(struct kdr_live_connector, name) == 0, "name first");
_Static_assert(offsetof(struct kdr_live_broker, id) == 0, "id first");
_Static_assert(offsetof(struct kdr_live_partition, id) == 0, "id first");
_Static_assert(offsetof(struct kdr_live_task, id) == 0, "id first");

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int compare_ids(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Bisects a name-sorted array; `name` is passed as a one-member key. */
static const void *find_name(const void *base, size_t n, size_t size, const char *name)
{
	return n ? bsearch(&name, base, n, size, compare_names) : NULL;
}

const struct kdr_live_cluster *kdr_live_cluster_find(const struct kdr_live *live, const char *name)
{
	return live ? find_name(live->clusters, live->n_clusters, sizeof(*live->clusters), name) : NULL;
}

bool kdr_live_topic_name_is_internal(const char *name)
{
	static const char *const internal[] = { "__consumer_offsets", "__transaction_state", "__share_group_state" };

	for (size_t i = 0; name && i < sizeof(internal) / sizeof(internal[0]); i++)
		if (strcmp(name, internal[i]) == 0)
			return true;
	return false;
}

const struct kdr_live_topic *kdr_live_topic_find(const struct kdr_live_cluster *cl, const char *name)
{
	return cl ? find_name(cl->topics, cl->n_topics, sizeof(*cl->topics), name) : NULL;
}

const struct kdr_live_broker *kdr_live_broker_find(const struct kdr_live_cluster *cl, int32_t id)
{
	return cl && cl->n_brokers ? bsearch(&id, cl->brokers, cl->n_brokers, sizeof(*cl->brokers), compare_ids) : NULL;
}

const struct kdr_live_config *kdr_live_topic_config_find(const struct kdr_live_topic *topic, const char *name)
{
	return topic ? find_name(topic->configs, topic->n_configs, sizeof(*topic->configs), name) : NULL;
}

const struct kdr_live_connector *kdr_live_connector_find(const struct kdr_live_connect *connect, const char *name)
{
	return connect ? find_name(connect->connectors, connect->n_connectors, sizeof(*connect->connectors), name)
		       : NULL;
}

const char *kdr_live_effective_config(const struct kdr_live_cluster *cl, const struct kdr_live_topic *topic,
				      const char *name, enum kdr_config_source *source)
{
	const struct kdr_live_config *config = kdr_live_topic_config_find(topic, name);

	if (!config && cl)
		config = find_name(cl->topic_defaults, cl->n_topic_defaults, sizeof(*cl->topic_defaults), name);
	if (!config) {
		if (source)
			*source = KDR_CONFIG_SOURCE_UNKNOWN;
		return NULL;
	}
	if (source)
		*source = config->source;
	return config->value;
}

/* --- sorting --- */

static void sort_array(void *base, size_t n, size_t size, int (*compare)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, compare);
}

void kdr_live_cluster_sort(struct kdr_live_cluster *cl)
{
	sort_array(cl->brokers, cl->n_brokers, sizeof(*cl->brokers), compare_ids);
	sort_array(cl->topic_defaults, cl->n_topic_defaults, sizeof(*cl->topic_defaults), compare_names);
	sort_array(cl->topics, cl->n_topics, sizeof(*cl->topics), compare_names);
	for (size_t i = 0; i < cl->n_topics; i++) {
		struct kdr_live_topic *topic = &cl->topics[i];

		sort_array(topic->configs, topic->n_configs, sizeof(*topic->configs), compare_names);
		sort_array(topic->partitions, topic->n_partitions, sizeof(*topic->partitions), compare_ids);
	}
	sort_array(cl->connect.connectors, cl->connect.n_connectors, sizeof(*cl->connect.connectors), compare_names);
	kdr_acl_list_sort(&cl->acls);
	for (size_t i = 0; i < cl->connect.n_connectors; i++) {
		struct kdr_live_connector *conn = &cl->connect.connectors[i];

		sort_array(conn->tasks, conn->n_tasks, sizeof(*conn->tasks), compare_ids);
	}
	kdr_live__groups_sort(cl);
}

void kdr_live_sort(struct kdr_live *live)
{
	sort_array(live->clusters, live->n_clusters, sizeof(*live->clusters), compare_names);
	for (size_t i = 0; i < live->n_clusters; i++)
		kdr_live_cluster_sort(&live->clusters[i]);
}

/* --- building --- */

struct kdr_live_cluster *kdr_live_add_cluster(struct kdr_live *live, const char *name)
{
	struct kdr_live_cluster *cl;

	live->clusters = kdr_realloc(live->clusters, (live->n_clusters + 1) * sizeof(*live->clusters));
	cl = &live->clusters[live->n_clusters++];
	memset(cl, 0, sizeof(*cl));
	cl->name = kdr_strdup(name);
	cl->controller_id = -1;
	return cl;
}

struct kdr_live_topic *kdr_live_cluster_add_topic(struct kdr_live_cluster *cl, const char *name)
{
	struct kdr_live_topic *topic;

	cl->topics = kdr_realloc(cl->topics, (cl->n_topics + 1) * sizeof(*cl->topics));
	topic = &cl->topics[cl->n_topics++];
	memset(topic, 0, sizeof(*topic));
	topic->name = kdr_strdup(name);
	return topic;
}

/* Sets `name` in a sorted config array (insertion point found linearly: tens of keys). */
static void config_set(struct kdr_live_config **configs, size_t *n, const char *name, const char *value,
		       enum kdr_config_source source)
{
	size_t pos = 0;
	struct kdr_live_config *config;

	while (pos < *n && strcmp((*configs)[pos].name, name) < 0)
		pos++;
	if (pos < *n && strcmp((*configs)[pos].name, name) == 0) {
		char *copy = kdr_strdup(value);

		config = &(*configs)[pos];
		free(config->value);
		config->value = copy;
		config->source = source;
		return;
	}
	*configs = kdr_realloc(*configs, (*n + 1) * sizeof(**configs));
	memmove(*configs + pos + 1, *configs + pos, (*n - pos) * sizeof(**configs));
	(*n)++;
	config = &(*configs)[pos];
	memset(config, 0, sizeof(*config));
	config->name = kdr_strdup(name);
	config->value = kdr_strdup(value);
	config->source = source;
}

void kdr_live_topic_set_config(struct kdr_live_topic *topic, const char *name, const char *value,
			       enum kdr_config_source source)
{
	config_set(&topic->configs, &topic->n_configs, name, value, source);
}

void kdr_live_cluster_set_topic_default(struct kdr_live_cluster *cl, const char *name, const char *value,
					enum kdr_config_source source)
{
	config_set(&cl->topic_defaults, &cl->n_topic_defaults, name, value, source);
}

struct kdr_live_broker *kdr_live_cluster_add_broker(struct kdr_live_cluster *cl, int32_t id, const char *host,
						    int32_t port, const char *rack)
{
	struct kdr_live_broker *broker;

	cl->brokers = kdr_realloc(cl->brokers, (cl->n_brokers + 1) * sizeof(*cl->brokers));
	broker = &cl->brokers[cl->n_brokers++];
	memset(broker, 0, sizeof(*broker));
	broker->id = id;
	broker->host = kdr_strdup(host);
	broker->port = port;
	broker->rack = kdr_strdup(rack);
	return broker;
}

static void replica_list_set(struct kdr_replica_list *out, const int32_t *ids, size_t n)
{
	out->n = n;
	out->ids = kdr_calloc(n ? n : 1, sizeof(*out->ids));
	if (n)
		memcpy(out->ids, ids, n * sizeof(*ids));
}

struct kdr_live_partition *kdr_live_topic_add_partition(struct kdr_live_topic *topic, const int32_t *replicas, size_t n)
{
	struct kdr_live_partition *part;

	topic->partitions = kdr_realloc(topic->partitions, (topic->n_partitions + 1) * sizeof(*topic->partitions));
	part = &topic->partitions[topic->n_partitions];
	part->id = (int32_t)topic->n_partitions;
	part->leader = n ? replicas[0] : -1;
	replica_list_set(&part->replicas, replicas, n);
	replica_list_set(&part->isr, replicas, n);
	topic->n_partitions++;
	return part;
}

static void config_release(struct kdr_live_config *config)
{
	free(config->name);
	free(config->value);
	memset(config, 0, sizeof(*config));
}

bool kdr_live_topic_remove_config(struct kdr_live_topic *topic, const char *name)
{
	for (size_t i = 0; i < topic->n_configs; i++) {
		if (strcmp(topic->configs[i].name, name) != 0)
			continue;
		config_release(&topic->configs[i]);
		memmove(topic->configs + i, topic->configs + i + 1,
			(topic->n_configs - i - 1) * sizeof(*topic->configs));
		topic->n_configs--;
		return true;
	}
	return false;
}

bool kdr_live_cluster_remove_topic(struct kdr_live_cluster *cl, const char *name)
{
	/* Linear: callers may remove from a cluster they have not sorted yet. */
	for (size_t i = 0; i < cl->n_topics; i++) {
		if (strcmp(cl->topics[i].name, name) != 0)
			continue;
		kdr_live_topic_release(&cl->topics[i]);
		memmove(cl->topics + i, cl->topics + i + 1, (cl->n_topics - i - 1) * sizeof(*cl->topics));
		cl->n_topics--;
		return true;
	}
	return false;
}

/* --- copying --- */

static void configs_copy(struct kdr_live_config **out, size_t *n_out, const struct kdr_live_config *src, size_t n)
{
	*n_out = n;
	*out = kdr_calloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		(*out)[i] = src[i];
		(*out)[i].name = kdr_strdup(src[i].name);
		(*out)[i].value = kdr_strdup(src[i].value);
	}
}

void kdr_live_topic_copy(struct kdr_live_topic *out, const struct kdr_live_topic *src)
{
	memset(out, 0, sizeof(*out));
	out->name = kdr_strdup(src->name);
	out->internal = src->internal;
	out->n_partitions = src->n_partitions;
	out->partitions = kdr_calloc(src->n_partitions ? src->n_partitions : 1, sizeof(*out->partitions));
	for (size_t i = 0; i < src->n_partitions; i++) {
		const struct kdr_live_partition *part = &src->partitions[i];

		out->partitions[i].id = part->id;
		out->partitions[i].leader = part->leader;
		replica_list_set(&out->partitions[i].replicas, part->replicas.ids, part->replicas.n);
		replica_list_set(&out->partitions[i].isr, part->isr.ids, part->isr.n);
	}
	configs_copy(&out->configs, &out->n_configs, src->configs, src->n_configs);
}

static void connector_copy(struct kdr_live_connector *out, const struct kdr_live_connector *src)
{
	memset(out, 0, sizeof(*out));
	out->name = kdr_strdup(src->name);
	out->type = kdr_strdup(src->type);
	kdr_strmap_copy(&out->config, &src->config);
	out->state = src->state;
	out->trace = kdr_strdup(src->trace);
	out->n_tasks = src->n_tasks;
	out->tasks = kdr_calloc(src->n_tasks ? src->n_tasks : 1, sizeof(*out->tasks));
	for (size_t i = 0; i < src->n_tasks; i++) {
		out->tasks[i].id = src->tasks[i].id;
		out->tasks[i].state = src->tasks[i].state;
		out->tasks[i].worker_id = kdr_strdup(src->tasks[i].worker_id);
		out->tasks[i].trace = kdr_strdup(src->tasks[i].trace);
	}
}

void kdr_live_cluster_copy(struct kdr_live_cluster *out, const struct kdr_live_cluster *src)
{
	memset(out, 0, sizeof(*out));
	out->name = kdr_strdup(src->name);
	out->cluster_id = kdr_strdup(src->cluster_id);
	out->controller_id = src->controller_id;
	out->n_brokers = src->n_brokers;
	out->brokers = kdr_calloc(src->n_brokers ? src->n_brokers : 1, sizeof(*out->brokers));
	for (size_t i = 0; i < src->n_brokers; i++) {
		out->brokers[i].id = src->brokers[i].id;
		out->brokers[i].host = kdr_strdup(src->brokers[i].host);
		out->brokers[i].port = src->brokers[i].port;
		out->brokers[i].rack = kdr_strdup(src->brokers[i].rack);
		kdr_strmap_copy(&out->brokers[i].dynamic_configs, &src->brokers[i].dynamic_configs);
		kdr_strmap_copy(&out->brokers[i].default_configs, &src->brokers[i].default_configs);
	}
	out->remote_storage_enabled = src->remote_storage_enabled;
	configs_copy(&out->topic_defaults, &out->n_topic_defaults, src->topic_defaults, src->n_topic_defaults);
	out->n_topics = src->n_topics;
	out->topics = kdr_calloc(src->n_topics ? src->n_topics : 1, sizeof(*out->topics));
	for (size_t i = 0; i < src->n_topics; i++)
		kdr_live_topic_copy(&out->topics[i], &src->topics[i]);
	out->connect.present = src->connect.present;
	out->connect.url = kdr_strdup(src->connect.url);
	out->connect.version = kdr_strdup(src->connect.version);
	out->connect.kafka_cluster_id = kdr_strdup(src->connect.kafka_cluster_id);
	out->connect.read_error = kdr_strdup(src->connect.read_error);
	out->connect.n_connectors = src->connect.n_connectors;
	out->connect.connectors =
	    kdr_calloc(src->connect.n_connectors ? src->connect.n_connectors : 1, sizeof(*out->connect.connectors));
	for (size_t i = 0; i < src->connect.n_connectors; i++)
		connector_copy(&out->connect.connectors[i], &src->connect.connectors[i]);
	kdr_live__groups_copy(out, src);
	out->acls_read = src->acls_read;
	out->acls_no_authorizer = src->acls_no_authorizer;
	out->acls_error = kdr_strdup(src->acls_error);
	kdr_acl_list_copy(&out->acls, &src->acls);
}

void kdr_live_copy(struct kdr_live *out, const struct kdr_live *src)
{
	memset(out, 0, sizeof(*out));
	out->n_clusters = src->n_clusters;
	out->clusters = kdr_calloc(src->n_clusters ? src->n_clusters : 1, sizeof(*out->clusters));
	for (size_t i = 0; i < src->n_clusters; i++)
		kdr_live_cluster_copy(&out->clusters[i], &src->clusters[i]);
	for (size_t i = 0; i < src->n_unread; i++)
		kdr_live_set_unread(out, src->unread[i].name, src->unread[i].reason);
}

/* --- freeing --- */

/* Frees a partition's list unless it lies in the topic's replica block (freed with the topic). */
static void topic_replicas_release(const struct kdr_live_topic *topic, struct kdr_replica_list *list)
{
	uintptr_t at = (uintptr_t)list->ids, block = (uintptr_t)topic->replica_ids;

	if (topic->replica_ids && at >= block && at <= block + topic->n_replica_ids * sizeof(*topic->replica_ids)) {
		list->ids = NULL;
		list->n = 0;
		return;
	}
	kdr_replica_list_release(list);
}

void kdr_live_topic_release(struct kdr_live_topic *topic)
{
	free(topic->name);
	for (size_t i = 0; i < topic->n_partitions; i++) {
		topic_replicas_release(topic, &topic->partitions[i].replicas);
		topic_replicas_release(topic, &topic->partitions[i].isr);
	}
	free(topic->partitions);
	free(topic->replica_ids);
	for (size_t i = 0; i < topic->n_configs; i++)
		config_release(&topic->configs[i]);
	free(topic->configs);
	memset(topic, 0, sizeof(*topic));
}

void kdr_live_connector_release(struct kdr_live_connector *conn)
{
	free(conn->name);
	free(conn->type);
	kdr_strmap_release(&conn->config);
	free(conn->trace);
	for (size_t i = 0; i < conn->n_tasks; i++) {
		free(conn->tasks[i].worker_id);
		free(conn->tasks[i].trace);
	}
	free(conn->tasks);
	memset(conn, 0, sizeof(*conn));
}

void kdr_live_cluster_release(struct kdr_live_cluster *cl)
{
	free(cl->name);
	free(cl->cluster_id);
	for (size_t i = 0; i < cl->n_brokers; i++) {
		free(cl->brokers[i].host);
		free(cl->brokers[i].rack);
		kdr_strmap_release(&cl->brokers[i].dynamic_configs);
		kdr_strmap_release(&cl->brokers[i].default_configs);
	}
	free(cl->brokers);
	for (size_t i = 0; i < cl->n_topic_defaults; i++)
		config_release(&cl->topic_defaults[i]);
	free(cl->topic_defaults);
	for (size_t i = 0; i < cl->n_topics; i++)
		kdr_live_topic_release(&cl->topics[i]);
	free(cl->topics);
	free(cl->connect.url);
	free(cl->connect.version);
	free(cl->connect.kafka_cluster_id);
	free(cl->connect.read_error);
	for (size_t i = 0; i < cl->connect.n_connectors; i++)
		kdr_live_connector_release(&cl->connect.connectors[i]);
	free(cl->connect.connectors);
	kdr_live_cluster_groups_release(cl);
	free(cl->acls_error);
	kdr_acl_list_release(&cl->acls);
	memset(cl, 0, sizeof(*cl));
}

void kdr_live_release(struct kdr_live *live)
{
	if (!live)
		return;
	for (size_t i = 0; i < live->n_clusters; i++)
		kdr_live_cluster_release(&live->clusters[i]);
	free(live->clusters);
	for (size_t i = 0; i < live->n_unread; i++) {
		free(live->unread[i].name);
		free(live->unread[i].reason);
	}
	free(live->unread);
	memset(live, 0, sizeof(*live));
}

void kdr_live_set_unread(struct kdr_live *live, const char *name, const char *reason)
{
	for (size_t i = 0; i < live->n_unread; i++) {
		if (strcmp(live->unread[i].name, name) == 0) {
			free(live->unread[i].reason);
			live->unread[i].reason = kdr_strdup(reason);
			return;
		}
	}
	live->unread = kdr_realloc(live->unread, (live->n_unread + 1) * sizeof(*live->unread));
	live->unread[live->n_unread].name = kdr_strdup(name);
	live->unread[live->n_unread].reason = kdr_strdup(reason);
	live->n_unread++;
}

const char *kdr_live_unread_reason(const struct kdr_live *live, const char *name)
{
	for (size_t i = 0; i < live->n_unread; i++)
		if (strcmp(live->unread[i].name, name) == 0)
			return live->unread[i].reason;
	return NULL;
}
