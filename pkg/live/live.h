#ifndef KDR_LIVE_LIVE_H
#define KDR_LIVE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "util/buf.h"
#include "util/strmap.h"

/*
 * The live snapshot: what the readers (pkg/kafka, pkg/connect) saw, or what a
 * snapshot file (`kdr snapshot`, `plan --offline`) holds. Plain data, owned by
 * the containing struct; arrays sorted (brokers by id, topics and connectors
 * by name, configs by name) so that iteration and JSON output are
 * deterministic and lookups can bisect.
 */

/* Kafka's DescribeConfigs config sources, with Kafka's numbering. */
enum kdr_config_source {
	KDR_CONFIG_SOURCE_UNKNOWN = 0,
	KDR_CONFIG_SOURCE_DYNAMIC_TOPIC = 1,
	KDR_CONFIG_SOURCE_DYNAMIC_BROKER = 2,
	KDR_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER = 3,
	KDR_CONFIG_SOURCE_STATIC_BROKER = 4,
	KDR_CONFIG_SOURCE_DEFAULT = 5,
	KDR_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER = 6,
};

/* "DYNAMIC_TOPIC_CONFIG", "DEFAULT_CONFIG", ... (Kafka's names). */
const char *kdr_config_source_name(enum kdr_config_source source);
int kdr_config_source_parse(enum kdr_config_source *out, const char *name);

struct kdr_live_config {
	char *name;
	char *value; /* NULL: null on the wire (or a sensitive value not returned) */
	enum kdr_config_source source;
	bool read_only;
	bool sensitive;
};

struct kdr_live_broker {
	int32_t id;
	char *host;
	int32_t port;
	char *rack; /* NULL: no broker.rack */
	/*
	 * The broker's dynamic configs as its DescribeConfigs returned them
	 * (not in snapshot files): its own (DYNAMIC_BROKER_CONFIG) and the
	 * cluster-wide ones (DYNAMIC_DEFAULT_BROKER_CONFIG); a sensitive value
	 * is NULL (Kafka never returns it).
	 */
	struct kdr_strmap dynamic_configs;
	struct kdr_strmap default_configs;
};

struct kdr_live_partition {
	int32_t id;
	int32_t leader; /* -1: none */
	struct kdr_replica_list replicas;
	struct kdr_replica_list isr;
};

struct kdr_live_topic {
	char *name;
	bool internal;
	struct kdr_live_partition *partitions; /* index = partition id */
	size_t n_partitions;
	/*
	 * NULL, or one block holding the replica and ISR ids of the partitions
	 * (n_replica_ids of them) that a reader filled at once: those lists
	 * point into it and are freed with it (kdr_live_topic_release), not
	 * one by one. Lists outside it (a partition added later) are the
	 * partition's own.
	 */
	int32_t *replica_ids;
	size_t n_replica_ids;
	/* Only the topic's own overrides (source DYNAMIC_TOPIC_CONFIG); sorted by name. */
	struct kdr_live_config *configs;
	size_t n_configs;
};

enum kdr_connector_state {
	KDR_CONNECTOR_UNKNOWN,
	KDR_CONNECTOR_RUNNING,
	KDR_CONNECTOR_PAUSED,
	KDR_CONNECTOR_STOPPED,
	KDR_CONNECTOR_FAILED,
	KDR_CONNECTOR_UNASSIGNED,
	KDR_CONNECTOR_RESTARTING,
};

const char *kdr_connector_state_name(enum kdr_connector_state state);
int kdr_connector_state_parse(enum kdr_connector_state *out, const char *name);

struct kdr_live_task {
	int32_t id;
	enum kdr_connector_state state;
	char *worker_id;
	char *trace; /* NULL unless FAILED */
};

struct kdr_live_connector {
	char *name;
	char *type; /* "source" / "sink" / NULL */
	struct kdr_strmap config; /* as Connect returns it (strings); secrets redacted in snapshots */
	enum kdr_connector_state state;
	char *trace;
	struct kdr_live_task *tasks;
	size_t n_tasks;
};

struct kdr_live_connect {
	bool present;          /* a Connect cluster was read */
	char *url;
	char *version;
	char *kafka_cluster_id; /* from GET / */
	struct kdr_live_connector *connectors; /* sorted by name */
	size_t n_connectors;
	char *read_error; /* !present: why the Connect could not be read (scrubbed), or NULL */
};

/* A committed offset of a consumer group. */
struct kdr_live_group_offset {
	char *topic;
	int32_t partition;
	int64_t offset;
	char *metadata; /* "" when none */
};

/* A consumer group as ListGroups, DescribeGroups and OffsetFetch report it. */
struct kdr_live_group {
	char *id;
	char *state;         /* Kafka's names: "Empty", "Stable", "PreparingRebalance", "CompletingRebalance", "Dead" */
	char *protocol_type; /* "consumer", "connect", "" */
	int32_t n_members;
	struct kdr_live_group_offset *offsets; /* sorted by (topic, partition) */
	size_t n_offsets;
};

struct kdr_live_cluster {
	char *name;       /* the KafkaCluster's metadata.name */
	char *cluster_id; /* Kafka's cluster id from Metadata */
	int32_t controller_id;
	struct kdr_live_broker *brokers; /* sorted by id */
	size_t n_brokers;
	bool remote_storage_enabled; /* every broker has remote.log.storage.system.enable=true */
	/*
	 * Effective topic config values a topic gets when it has no override of
	 * its own (source DEFAULT_CONFIG, STATIC_BROKER_CONFIG, DYNAMIC_*_BROKER_CONFIG),
	 * keyed by topic config name ("retention.ms" -> "604800000").
	 */
	struct kdr_live_config *topic_defaults;
	size_t n_topic_defaults;
	struct kdr_live_topic *topics; /* sorted by name */
	size_t n_topics;
	struct kdr_live_connect connect;
	bool groups_read;        /* the consumer groups were read (else `groups` says nothing) */
	bool group_offsets_read; /* ... with their committed offsets (else each group's offsets say nothing) */
	struct kdr_live_group *groups; /* sorted by id */
	size_t n_groups;
	/*
	 * Every ACL binding of the cluster (one DescribeAcls, filter ANY),
	 * sorted (kdr_acl_compare); meaningful only when acls_read. When the
	 * cluster could not be asked (no authorizer: SECURITY_DISABLED; kdr's
	 * principal may not describe them) acls_error says why. The three
	 * states, set by the reader: acls_read (supported and read);
	 * acls_no_authorizer (no authorizer: there are no ACLs, nothing to
	 * back up or lock out); neither (refused, no answer, not in the
	 * snapshot: unknown). Decide on these, never on acls_error's text.
	 */
	bool acls_read;
	bool acls_no_authorizer;
	char *acls_error;
	struct kdr_acl_list acls;
};

/* A cluster that could not be read, and why (the adapter's scrubbed message). */
struct kdr_live_unread {
	char *name;
	char *reason;
};

struct kdr_live {
	struct kdr_live_cluster *clusters; /* sorted by name */
	size_t n_clusters;
	struct kdr_live_unread *unread; /* clusters whose read failed; not in a snapshot */
	size_t n_unread;
};

/*
 * Records that cluster `name` could not be read because of `reason` (copied;
 * a message already free of secrets). The plan puts the reason in its error.
 */
void kdr_live_set_unread(struct kdr_live *live, const char *name, const char *reason);
/* Why cluster `name` could not be read, or NULL (not recorded). */
const char *kdr_live_unread_reason(const struct kdr_live *live, const char *name);

/*
 * Whether `name` is one of Kafka's own internal topics (Topic.INTERNAL_TOPICS
 * of Kafka 4.x: __consumer_offsets, __transaction_state and the share
 * groups' __share_group_state). librdkafka 2.0.2 does not expose Metadata's
 * is_internal, so the read sets kdr_live_topic.internal from this.
 */
bool kdr_live_topic_name_is_internal(const char *name);

/* Lookups (bisection), lent, NULL when absent. */
const struct kdr_live_cluster *kdr_live_cluster_find(const struct kdr_live *live, const char *name);
const struct kdr_live_topic *kdr_live_topic_find(const struct kdr_live_cluster *cl, const char *name);
const struct kdr_live_broker *kdr_live_broker_find(const struct kdr_live_cluster *cl, int32_t id);
const struct kdr_live_config *kdr_live_topic_config_find(const struct kdr_live_topic *topic, const char *name);
const struct kdr_live_connector *kdr_live_connector_find(const struct kdr_live_connect *connect, const char *name);
const struct kdr_live_group *kdr_live_group_find(const struct kdr_live_cluster *cl, const char *id);
const struct kdr_live_group_offset *kdr_live_group_offset_find(const struct kdr_live_group *group, const char *topic,
							       int32_t partition);
/* Whether a group has consumers on its cluster: members, or a state other than Empty/Dead. */
bool kdr_live_group_active(const struct kdr_live_group *group);

/*
 * The value a topic effectively has for `name`: its own override, else the
 * cluster's topic default. Sets *source; returns NULL (source UNKNOWN) when
 * neither is known.
 */
const char *kdr_live_effective_config(const struct kdr_live_cluster *cl, const struct kdr_live_topic *topic,
				      const char *name, enum kdr_config_source *source);

/* Restores sort order after readers or simulations appended out of order. */
void kdr_live_sort(struct kdr_live *live);
void kdr_live_cluster_sort(struct kdr_live_cluster *cl);

/*
 * Adds an empty cluster / topic and returns it, lent until the next add to
 * the same array; call kdr_live_*sort after.
 */
struct kdr_live_cluster *kdr_live_add_cluster(struct kdr_live *live, const char *name);
struct kdr_live_topic *kdr_live_cluster_add_topic(struct kdr_live_cluster *cl, const char *name);
/*
 * Appends a broker (copies host and rack, either may be NULL) and returns it,
 * lent until the next add; call kdr_live_cluster_sort after.
 */
struct kdr_live_broker *kdr_live_cluster_add_broker(struct kdr_live_cluster *cl, int32_t id, const char *host,
						    int32_t port, const char *rack);
/*
 * Appends partition n_partitions with a copy of `replicas` (n ids) as its
 * replicas and ISR and the first replica as leader (-1 when n == 0). Lent
 * until the next add.
 */
struct kdr_live_partition *kdr_live_topic_add_partition(struct kdr_live_topic *topic, const int32_t *replicas,
							size_t n);
/*
 * Adds an empty group (id copied) and returns it, lent until the next add;
 * call kdr_live_cluster_sort after. Appends an offset to a group (copies
 * topic and metadata, NULL metadata as ""); kdr_live_cluster_sort sorts them.
 */
struct kdr_live_group *kdr_live_cluster_add_group(struct kdr_live_cluster *cl, const char *id);
void kdr_live_group_add_offset(struct kdr_live_group *group, const char *topic, int32_t partition, int64_t offset,
			       const char *metadata);
void kdr_live_group_release(struct kdr_live_group *group);
/* Frees a cluster's groups and their offsets: none left, groups_read and group_offsets_read false. */
void kdr_live_cluster_groups_release(struct kdr_live_cluster *cl);
/* Sets (or replaces) a cluster-wide topic default (see topic_defaults). */
void kdr_live_cluster_set_topic_default(struct kdr_live_cluster *cl, const char *name, const char *value,
					enum kdr_config_source source);
/* Deep copies into an empty `out`. */
void kdr_live_copy(struct kdr_live *out, const struct kdr_live *src);
void kdr_live_cluster_copy(struct kdr_live_cluster *out, const struct kdr_live_cluster *src);
void kdr_live_topic_copy(struct kdr_live_topic *out, const struct kdr_live_topic *src);

/* Sets (or replaces) a topic's override. */
void kdr_live_topic_set_config(struct kdr_live_topic *topic, const char *name, const char *value,
			       enum kdr_config_source source);
bool kdr_live_topic_remove_config(struct kdr_live_topic *topic, const char *name);
/* Removes a topic by name; returns whether it was there. */
bool kdr_live_cluster_remove_topic(struct kdr_live_cluster *cl, const char *name);

/*
 * The snapshot file format ("kdrSnapshot": 1, docs/snapshot-format.md).
 * from_json: parses into `out` (overwritten: pass an empty one); errors name
 * `label`, the JSON path (or line:col for syntax errors) and return
 * KDR_EINVALID, leaving `out` empty. to_json: appends the deterministic,
 * pretty-printed text (sorted keys, sensitive values as null).
 */
int kdr_live_from_json(struct kdr_live *out, const char *text, size_t len, const char *label);
void kdr_live_to_json(struct kdr_buf *out, const struct kdr_live *live);

void kdr_live_topic_release(struct kdr_live_topic *topic);
void kdr_live_connector_release(struct kdr_live_connector *conn);
void kdr_live_cluster_release(struct kdr_live_cluster *cl);
void kdr_live_release(struct kdr_live *live);

#endif
