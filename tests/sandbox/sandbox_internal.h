#ifndef KDR_SANDBOX_SANDBOX_INTERNAL_H
#define KDR_SANDBOX_SANDBOX_INTERNAL_H

/*
 * The sandbox's private model: clusters, brokers, topics, partitions with
 * their logs, configs, ACLs, consumer groups, faults and counters, and the
 * request context every API handler receives. One mutex per cluster guards
 * all of a cluster's state; handlers run with it held (Kafka's controller
 * serialises metadata changes the same way), and long polls (Fetch,
 * JoinGroup, SyncGroup) wait on the cluster's condition variable.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/strvec.h"
#include "wire_internal.h"

struct kdr_connect_server;

#define KDR_SANDBOX_MAX_API_KEY 128
/* Kafka's socket.request.max.bytes: bigger frames close the connection. */
#define KDR_SANDBOX_MAX_FRAME (100 * 1024 * 1024)

enum kdr_sandbox_api_key {
	KDR_SANDBOX_API_PRODUCE = 0,
	KDR_SANDBOX_API_FETCH = 1,
	KDR_SANDBOX_API_LIST_OFFSETS = 2,
	KDR_SANDBOX_API_METADATA = 3,
	KDR_SANDBOX_API_OFFSET_COMMIT = 8,
	KDR_SANDBOX_API_OFFSET_FETCH = 9,
	KDR_SANDBOX_API_FIND_COORDINATOR = 10,
	KDR_SANDBOX_API_JOIN_GROUP = 11,
	KDR_SANDBOX_API_HEARTBEAT = 12,
	KDR_SANDBOX_API_LEAVE_GROUP = 13,
	KDR_SANDBOX_API_SYNC_GROUP = 14,
	KDR_SANDBOX_API_DESCRIBE_GROUPS = 15,
	KDR_SANDBOX_API_LIST_GROUPS = 16,
	KDR_SANDBOX_API_SASL_HANDSHAKE = 17,
	KDR_SANDBOX_API_API_VERSIONS = 18,
	KDR_SANDBOX_API_CREATE_TOPICS = 19,
	KDR_SANDBOX_API_DELETE_TOPICS = 20,
	KDR_SANDBOX_API_DESCRIBE_ACLS = 29,
	KDR_SANDBOX_API_CREATE_ACLS = 30,
	KDR_SANDBOX_API_DELETE_ACLS = 31,
	KDR_SANDBOX_API_DESCRIBE_CONFIGS = 32,
	KDR_SANDBOX_API_ALTER_CONFIGS = 33,
	KDR_SANDBOX_API_SASL_AUTHENTICATE = 36,
	KDR_SANDBOX_API_CREATE_PARTITIONS = 37,
	KDR_SANDBOX_API_DELETE_GROUPS = 42,
	KDR_SANDBOX_API_INCREMENTAL_ALTER_CONFIGS = 44,
	KDR_SANDBOX_API_OFFSET_DELETE = 47,
};

/* Kafka's error codes (kafka-error-codes.tsv), the ones the sandbox returns. */
enum kdr_sandbox_kafka_error {
	KDR_KAFKA_UNKNOWN_SERVER_ERROR = -1,
	KDR_KAFKA_NONE = 0,
	KDR_KAFKA_OFFSET_OUT_OF_RANGE = 1,
	KDR_KAFKA_CORRUPT_MESSAGE = 2,
	KDR_KAFKA_UNKNOWN_TOPIC_OR_PARTITION = 3,
	KDR_KAFKA_LEADER_NOT_AVAILABLE = 5,
	KDR_KAFKA_NOT_LEADER_OR_FOLLOWER = 6,
	KDR_KAFKA_REQUEST_TIMED_OUT = 7,
	KDR_KAFKA_REPLICA_NOT_AVAILABLE = 9,
	KDR_KAFKA_MESSAGE_TOO_LARGE = 10,
	KDR_KAFKA_OFFSET_METADATA_TOO_LARGE = 12,
	KDR_KAFKA_COORDINATOR_NOT_AVAILABLE = 15,
	KDR_KAFKA_NOT_COORDINATOR = 16,
	KDR_KAFKA_INVALID_TOPIC_EXCEPTION = 17,
	KDR_KAFKA_NOT_ENOUGH_REPLICAS = 19,
	KDR_KAFKA_INVALID_REQUIRED_ACKS = 21,
	KDR_KAFKA_ILLEGAL_GENERATION = 22,
	KDR_KAFKA_INCONSISTENT_GROUP_PROTOCOL = 23,
	KDR_KAFKA_INVALID_GROUP_ID = 24,
	KDR_KAFKA_UNKNOWN_MEMBER_ID = 25,
	KDR_KAFKA_INVALID_SESSION_TIMEOUT = 26,
	KDR_KAFKA_REBALANCE_IN_PROGRESS = 27,
	KDR_KAFKA_UNSUPPORTED_SASL_MECHANISM = 33,
	KDR_KAFKA_ILLEGAL_SASL_STATE = 34,
	KDR_KAFKA_UNSUPPORTED_VERSION = 35,
	KDR_KAFKA_TOPIC_ALREADY_EXISTS = 36,
	KDR_KAFKA_INVALID_PARTITIONS = 37,
	KDR_KAFKA_INVALID_REPLICATION_FACTOR = 38,
	KDR_KAFKA_INVALID_REPLICA_ASSIGNMENT = 39,
	KDR_KAFKA_INVALID_CONFIG = 40,
	KDR_KAFKA_NOT_CONTROLLER = 41,
	KDR_KAFKA_INVALID_REQUEST = 42,
	KDR_KAFKA_POLICY_VIOLATION = 44,
	KDR_KAFKA_SASL_AUTHENTICATION_FAILED = 58,
	KDR_KAFKA_NON_EMPTY_GROUP = 68,
	KDR_KAFKA_GROUP_ID_NOT_FOUND = 69,
	KDR_KAFKA_MEMBER_ID_REQUIRED = 79,
	KDR_KAFKA_GROUP_SUBSCRIBED_TO_TOPIC = 86,
	KDR_KAFKA_INVALID_RECORD = 87,
};

/* --- configs (topic_config.c, config_defs.c) --- */

enum kdr_sandbox_config_type {
	KDR_SANDBOX_CONFIG_BOOLEAN = 1,
	KDR_SANDBOX_CONFIG_STRING = 2,
	KDR_SANDBOX_CONFIG_INT = 3,
	KDR_SANDBOX_CONFIG_SHORT = 4,
	KDR_SANDBOX_CONFIG_LONG = 5,
	KDR_SANDBOX_CONFIG_DOUBLE = 6,
	KDR_SANDBOX_CONFIG_LIST = 7,
	KDR_SANDBOX_CONFIG_CLASS = 8,
	KDR_SANDBOX_CONFIG_PASSWORD = 9,
};

/* DescribeConfigs config sources. */
enum kdr_sandbox_config_source {
	KDR_SANDBOX_SOURCE_TOPIC = 1,
	KDR_SANDBOX_SOURCE_DYNAMIC_BROKER = 2,
	KDR_SANDBOX_SOURCE_DYNAMIC_DEFAULT_BROKER = 3,
	KDR_SANDBOX_SOURCE_STATIC_BROKER = 4,
	KDR_SANDBOX_SOURCE_DEFAULT = 5,
};

struct kdr_sandbox_config_def {
	const char *name;
	int type;		   /* enum kdr_sandbox_config_type */
	const char *default_value; /* as DescribeConfigs prints it; NULL: no default */
	const char *valid;	   /* the reference's validator notation, e.g. "[1,...]" */
	/* Broker synonyms in precedence, comma-separated, "name*factor" when
	 * the broker key is in other units (log.retention.hours*3600000). */
	const char *synonyms;
	bool read_only;	 /* broker configs: not dynamically updatable */
	bool per_broker; /* broker configs: may not be set at cluster level */
	const char *doc;
};

extern const struct kdr_sandbox_config_def kdr_sandbox_topic_config_defs[];
extern const size_t kdr_sandbox_n_topic_config_defs;
extern const struct kdr_sandbox_config_def kdr_sandbox_broker_config_defs[];
extern const size_t kdr_sandbox_n_broker_config_defs;

/*
 * One DescribeConfigs entry. Every string is lent (from the config tables,
 * a topic's or broker's config maps, or the broker's defaults cache) and
 * stays valid while the cluster lock is held and no config changes.
 */
struct kdr_sandbox_config_synonym {
	const char *name;
	const char *value;
	int source;
};
struct kdr_sandbox_config_entry {
	const char *name;
	const char *value; /* NULL: no value */
	int source;
	bool read_only;
	bool sensitive;
	int type;
	const char *doc;
	struct kdr_sandbox_config_synonym synonyms[8];
	size_t n_synonyms;
};
/*
 * What a broker derives for every topic config from its own configs, so
 * that describing thousands of topics costs no recomputation. Rebuilt when
 * the cluster's config epoch moved (any broker config change).
 */
struct kdr_sandbox_defaults_cache {
	uint64_t epoch;				  /* 0: never built */
	struct kdr_sandbox_config_entry *entries; /* one per topic config def */
	struct kdr_strvec owned;		  /* values converted from other units */
};

/* --- model --- */

/* One stored RecordBatch (magic 2), baseOffset rewritten to its log position. */
struct kdr_sandbox_batch {
	int64_t base_offset;
	int64_t last_offset;
	int64_t max_timestamp;
	uint8_t *data;
	size_t len;
};

struct kdr_sandbox_partition {
	int32_t index;
	int32_t *replicas;
	size_t n_replicas;
	int32_t *isr;
	size_t n_isr;
	int32_t leader; /* -1: no leader */
	int32_t leader_epoch;
	struct kdr_sandbox_batch *batches;
	size_t n_batches;
	size_t cap_batches;
	int64_t log_start;
	int64_t log_end; /* next offset; the high watermark (every ISR member is always caught up) */
};

struct kdr_sandbox_topic {
	char *name;
	bool internal;
	struct kdr_strmap configs; /* the topic's own (dynamic) configs, values normalised */
	struct kdr_sandbox_partition *partitions;
	size_t n_partitions;
};

struct kdr_sandbox_acl {
	int8_t resource_type;
	char *resource_name;
	int8_t pattern_type;
	char *principal;
	char *host;
	int8_t operation;
	int8_t permission;
};

struct kdr_sandbox_protocol {
	char *name;
	uint8_t *metadata;
	size_t len;
};

struct kdr_sandbox_member {
	char *member_id;
	char *instance_id; /* NULL: dynamic member */
	char *client_id;
	char *client_host;
	int32_t session_timeout_ms;
	int32_t rebalance_timeout_ms;
	struct kdr_sandbox_protocol *protocols;
	size_t n_protocols;
	uint8_t *assignment;
	size_t assignment_len;
	int32_t assigned_generation; /* generation `assignment` belongs to; -1: none */
	int64_t last_seen_ms;	     /* monotonic; session expiry */
	bool joined;		     /* a JoinGroup of it is parked until the rebalance completes */
	bool join_ready;	     /* that JoinGroup's answer is in join_response */
	int16_t join_version;
	struct kdr_buf join_response;
	int waiting; /* requests of this member parked in Join/SyncGroup: no session expiry meanwhile */
};

enum kdr_sandbox_group_state {
	KDR_SANDBOX_GROUP_EMPTY,
	KDR_SANDBOX_GROUP_PREPARING,
	KDR_SANDBOX_GROUP_COMPLETING,
	KDR_SANDBOX_GROUP_STABLE,
};

struct kdr_sandbox_offset {
	char *topic;
	int32_t partition;
	int64_t offset;
	int32_t leader_epoch;
	char *metadata;
	int64_t commit_ms;
};

struct kdr_sandbox_group {
	char *group_id;
	int state; /* enum kdr_sandbox_group_state */
	int32_t generation;
	char *protocol_type; /* NULL: none yet (simple offset storage) */
	char *protocol_name;
	char *leader_id;
	struct kdr_sandbox_member **members;
	size_t n_members;
	struct kdr_strvec pending; /* member ids handed out with MEMBER_ID_REQUIRED (KIP-394), not joined yet */
	int64_t rebalance_deadline_ms;
	struct kdr_sandbox_offset *offsets;
	size_t n_offsets;
};

struct kdr_sandbox_conn;

struct kdr_sandbox_broker {
	struct kdr_sandbox_cluster *cluster;
	int32_t id;
	char *rack;
	int port;
	char *address; /* "127.0.0.1:port" */
	bool up;
	int listen_fd;
	int wake[2]; /* self-pipe: wakes the acceptor to reap or stop */
	pthread_t acceptor;
	bool acceptor_running;
	bool stopping;
	struct kdr_sandbox_conn *conns;
	struct kdr_strmap static_configs;  /* the broker's "server.properties" */
	struct kdr_strmap dynamic_configs; /* AlterConfigs on BROKER "<id>" */
	struct kdr_sandbox_defaults_cache defaults;
	uint64_t requests[KDR_SANDBOX_MAX_API_KEY]; /* received by this broker, as the cluster's requests[] */
};

struct kdr_sandbox_fault {
	int api_key; /* -1: any */
	char *topic; /* NULL: request-level */
	int16_t error_code;
	int remaining;
};

struct kdr_sandbox_cluster {
	struct kdr_sandbox *sandbox;
	char *name;
	char *cluster_id;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC; broadcast on every change a parked request may wait for */
	bool stopping;
	bool remote_storage;
	bool auto_create_topics;
	char *sasl_username;
	char *sasl_password;
	struct kdr_strvec users; /* more SASL/PLAIN users: name, password, name, password ... */
	bool authorizer;         /* recorded, not enforced */
	bool no_authorizer;      /* ACL APIs answer SECURITY_DISABLED */
	struct kdr_sandbox_broker *brokers;
	size_t n_brokers;
	struct kdr_sandbox_topic **topics; /* sorted by name */
	size_t n_topics;
	size_t cap_topics;
	struct kdr_strmap collisions;		    /* name with '.' mapped to '_' -> the topic's name */
	struct kdr_strmap default_dynamic_configs;  /* AlterConfigs on BROKER "" */
	uint64_t config_epoch;			    /* bumped by every broker config change */
	struct kdr_sandbox_defaults_cache defaults; /* for callers that name no broker */
	struct kdr_sandbox_acl *acls;
	size_t n_acls;
	size_t cap_acls;
	struct kdr_sandbox_group **groups; /* sorted by id */
	size_t n_groups;
	size_t cap_groups;
	struct kdr_sandbox_fault *faults;
	size_t n_faults;
	size_t cap_faults;
	int latency_ms[KDR_SANDBOX_MAX_API_KEY];
	int latency_any_ms;
	int32_t metadata_controller; /* > 0: the controller id Metadata answers name (a lagging broker's view) */
	uint64_t requests[KDR_SANDBOX_MAX_API_KEY];
	uint64_t requests_other; /* api keys beyond the table */
	/* When the first and the last request of each api key since the reset arrived (CLOCK_MONOTONIC ns; 0: none). */
	uint64_t first_request_ns[KDR_SANDBOX_MAX_API_KEY];
	uint64_t last_request_ns[KDR_SANDBOX_MAX_API_KEY];
	uint64_t mutating;
	uint64_t metadata_topics; /* topic entries in Metadata answers since the reset */
	int (*policy)(void *arg, const struct kdr_sandbox_topic_request *request, char *message, size_t size);
	void *policy_arg;
	int limit_min_rf;	   /* the spec's create-topic policy limits (0: none) */
	int limit_max_partitions;
	char *bootstrap;
	struct kdr_strvec retired; /* earlier bootstrap strings, kept until stop (callers may still hold them) */
	struct kdr_connect_server *connect;
	int64_t member_seq;
};

struct kdr_sandbox {
	struct kdr_sandbox_cluster **clusters;
	size_t n_clusters;
	int connect_state_delay_ms; /* every worker's state delay at start ($KDR_SANDBOX_CONNECT_DELAY_MS, default 0) */
};

/* Everything a handler sees of one request. */
struct kdr_sandbox_request {
	struct kdr_sandbox_cluster *cluster;
	struct kdr_sandbox_broker *broker;
	struct kdr_sandbox_conn *conn;
	int16_t api_key;
	int16_t version;
	int32_t correlation_id;
	const char *client_id;
	const char *client_host;
	struct kdr_sandbox_reader r; /* the body after the header */
	struct kdr_sandbox_arena arena;
	int16_t injected; /* error injected into this whole request; 0: none */
	bool no_response; /* acks=0 Produce: Kafka sends nothing back */
	bool close_after; /* close the connection once the response is out (failed SASL authentication) */
};

/*
 * A handler parses req->r and appends the response body (after the header)
 * to `out`. Called with the cluster lock held. Returns 0, or -1 when the
 * request is malformed: the connection is closed without an answer, as
 * Kafka does when it cannot parse a request.
 */
typedef int kdr_sandbox_handler_fn(struct kdr_sandbox_request *req, struct kdr_buf *out);

/* --- cluster.c --- */

/* Monotonic and wall-clock milliseconds. */
int64_t kdr_sandbox_now_ms(void);
int64_t kdr_sandbox_wall_ms(void);
/* Waits on the cluster's condition until `deadline_ms` (monotonic); lock held. */
void kdr_sandbox_cluster_wait(struct kdr_sandbox_cluster *cl, int64_t deadline_ms);
void kdr_sandbox_cluster_wake(struct kdr_sandbox_cluster *cl);

int kdr_sandbox_cluster_create(struct kdr_sandbox_cluster **out, struct kdr_sandbox *sandbox,
			       const struct kdr_sandbox_cluster_spec *spec);
void kdr_sandbox_cluster_free(struct kdr_sandbox_cluster *cl);
struct kdr_sandbox_broker *kdr_sandbox_cluster_broker(struct kdr_sandbox_cluster *cl, int32_t id);
/* The live broker with the lowest id, which acts as the controller; NULL when all are down. */
struct kdr_sandbox_broker *kdr_sandbox_cluster_controller(struct kdr_sandbox_cluster *cl);
size_t kdr_sandbox_cluster_live_brokers(struct kdr_sandbox_cluster *cl);
/* Rebuilds the bootstrap string after a broker went down or up. */
void kdr_sandbox_cluster_update_bootstrap(struct kdr_sandbox_cluster *cl);

struct kdr_sandbox_topic *kdr_sandbox_topic_find(struct kdr_sandbox_cluster *cl, const char *name);
/* Adds a topic (the cluster takes it; its name must be new). */
void kdr_sandbox_topic_insert(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_topic *topic);
void kdr_sandbox_topic_remove(struct kdr_sandbox_cluster *cl, const char *name);
void kdr_sandbox_topic_free(struct kdr_sandbox_topic *topic);
/*
 * A new topic from a replica assignment (n_partitions lists of rf ids):
 * leader = first live replica, ISR = live replicas. Owns nothing passed in.
 */
struct kdr_sandbox_topic *kdr_sandbox_topic_new(struct kdr_sandbox_cluster *cl, const char *name,
						const int32_t *assignment, size_t n_partitions, size_t rf);
/* Appends partitions to a topic from an assignment of n lists of rf ids. */
void kdr_sandbox_topic_add_partitions(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_topic *topic,
				      const int32_t *assignment, size_t n, size_t rf);
bool kdr_sandbox_broker_is_live(struct kdr_sandbox_cluster *cl, int32_t id);
/* Moves leadership and ISR after broker `id` went down or came back. */
void kdr_sandbox_cluster_broker_changed(struct kdr_sandbox_cluster *cl, int32_t id, bool up);

/* Kafka's topic name rule: 1..249 of [a-zA-Z0-9._-], not "." or "..". Fills `why`. */
bool kdr_sandbox_topic_name_valid(const char *name, const char **why);
/* An existing topic whose name equals `name` after mapping '.' to '_' (Kafka's collision rule). */
struct kdr_sandbox_topic *kdr_sandbox_topic_collision(struct kdr_sandbox_cluster *cl, const char *name);

/*
 * Consumes a matching injected fault: the request-level one for `api_key`
 * (or any API) when `topic` is NULL, otherwise a per-topic one. Returns the
 * error code or 0.
 */
int16_t kdr_sandbox_fault_take(struct kdr_sandbox_cluster *cl, int api_key, const char *topic);

/* --- placement_kafka.c --- */

struct kdr_sandbox_placement_broker {
	int32_t id;
	const char *rack; /* NULL: none */
};

/*
 * Kafka's AdminUtils.assignReplicasToBrokers (reference §6.2): fills `out`
 * (n_partitions * rf ids, partition-major) for partitions
 * start_partition.. using `brokers` (any order; sorted inside).
 * `fixed_start` >= 0 fixes the start index and shift (CreatePartitions),
 * otherwise they are drawn from a generator seeded by `seed`. Returns 0 or a
 * Kafka error code (INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR;
 * UNKNOWN_SERVER_ERROR when only some brokers have a rack, as Kafka's
 * AdminOperationException maps) with `why` set.
 */
int kdr_sandbox_place_replicas(int32_t *out, const struct kdr_sandbox_placement_broker *brokers, size_t n_brokers,
			       int32_t n_partitions, int32_t rf, int32_t fixed_start, int32_t start_partition,
			       uint64_t seed, const char **why);

/* --- topic_config.c --- */

const struct kdr_sandbox_config_def *kdr_sandbox_topic_config_def(const char *name);
const struct kdr_sandbox_config_def *kdr_sandbox_broker_config_def(const char *name);
/*
 * Parses and validates `value` for config `def` as Kafka's ConfigDef would
 * (type, then validator). On success stores the normalised string (what
 * DescribeConfigs prints) in *normalised (heap, caller frees) and returns 0;
 * otherwise returns -1 with a Kafka-like message in `msg`.
 */
int kdr_sandbox_config_parse(const struct kdr_sandbox_config_def *def, const char *value, char **normalised,
			     struct kdr_buf *msg);
/*
 * Validates a topic's complete override set (names known, values valid,
 * cross-config rules incl. tiered storage). `previous` is the topic's
 * current set (NULL for a new topic). On success replaces *configs' values
 * by their normalised forms and returns 0; otherwise returns -1 with `msg`.
 */
int kdr_sandbox_topic_configs_validate(struct kdr_sandbox_cluster *cl, struct kdr_strmap *configs,
				       const struct kdr_strmap *previous, struct kdr_buf *msg);
/* The effective value of topic config `name` for `topic` (NULL: the broker default), heap. */
char *kdr_sandbox_topic_config_value(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker,
				     const struct kdr_sandbox_topic *topic, const char *name);
int64_t kdr_sandbox_topic_config_long(struct kdr_sandbox_cluster *cl, const struct kdr_sandbox_topic *topic,
				      const char *name);
/* A broker config's value as the broker sees it (dynamic, cluster default, static, default); heap or NULL. */
char *kdr_sandbox_broker_config_value(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker,
				      const char *name);

void kdr_sandbox_defaults_cache_release(struct kdr_sandbox_defaults_cache *cache);
/* The effective value of topic config `name` for `topic` (NULL: the broker default), lent; NULL if unknown. */
const char *kdr_sandbox_topic_config_get(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker,
					 const struct kdr_sandbox_topic *topic, const char *name);
/* Fills `entry` for topic config def index `i` as broker `broker` reports it. */
void kdr_sandbox_describe_topic_config(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker,
				       const struct kdr_sandbox_topic *topic, size_t i,
				       struct kdr_sandbox_config_entry *entry);
void kdr_sandbox_describe_broker_config(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker, size_t i,
					struct kdr_sandbox_config_entry *entry);

/* --- server.c --- */

int kdr_sandbox_broker_start(struct kdr_sandbox_broker *broker);
/* Closes the listener and every connection and joins their threads. Call without the cluster lock. */
void kdr_sandbox_broker_stop(struct kdr_sandbox_broker *broker);
/* Whether the connection of a parked request was closed (broker down, stop). */
bool kdr_sandbox_conn_closing(const struct kdr_sandbox_conn *conn);
/* SASL: whether the connection has authenticated (always true without SASL). */
void kdr_sandbox_conn_set_sasl(struct kdr_sandbox_conn *conn, int state);
int kdr_sandbox_conn_sasl(const struct kdr_sandbox_conn *conn);

enum kdr_sandbox_sasl_state {
	KDR_SANDBOX_SASL_NONE,	    /* listener without SASL */
	KDR_SANDBOX_SASL_HANDSHAKE, /* waiting for SaslHandshake */
	KDR_SANDBOX_SASL_AUTH,	    /* handshake v1 done: waiting for SaslAuthenticate */
	KDR_SANDBOX_SASL_RAW,	    /* handshake v0 done: next frame is a raw PLAIN token */
	KDR_SANDBOX_SASL_DONE,
};

/* --- handlers (api_*.c, sasl.c) --- */

kdr_sandbox_handler_fn kdr_sandbox_handle_metadata;
kdr_sandbox_handler_fn kdr_sandbox_handle_create_topics;
kdr_sandbox_handler_fn kdr_sandbox_handle_delete_topics;
kdr_sandbox_handler_fn kdr_sandbox_handle_create_partitions;
kdr_sandbox_handler_fn kdr_sandbox_handle_describe_configs;
kdr_sandbox_handler_fn kdr_sandbox_handle_alter_configs;
kdr_sandbox_handler_fn kdr_sandbox_handle_incremental_alter_configs;
kdr_sandbox_handler_fn kdr_sandbox_handle_create_acls;
kdr_sandbox_handler_fn kdr_sandbox_handle_describe_acls;
kdr_sandbox_handler_fn kdr_sandbox_handle_delete_acls;
kdr_sandbox_handler_fn kdr_sandbox_handle_produce;
kdr_sandbox_handler_fn kdr_sandbox_handle_fetch;
kdr_sandbox_handler_fn kdr_sandbox_handle_list_offsets;
kdr_sandbox_handler_fn kdr_sandbox_handle_find_coordinator;
kdr_sandbox_handler_fn kdr_sandbox_handle_join_group;
kdr_sandbox_handler_fn kdr_sandbox_handle_sync_group;
kdr_sandbox_handler_fn kdr_sandbox_handle_heartbeat;
kdr_sandbox_handler_fn kdr_sandbox_handle_leave_group;
kdr_sandbox_handler_fn kdr_sandbox_handle_list_groups;
kdr_sandbox_handler_fn kdr_sandbox_handle_describe_groups;
kdr_sandbox_handler_fn kdr_sandbox_handle_offset_commit;
kdr_sandbox_handler_fn kdr_sandbox_handle_offset_fetch;
kdr_sandbox_handler_fn kdr_sandbox_handle_delete_groups;
kdr_sandbox_handler_fn kdr_sandbox_handle_offset_delete;
kdr_sandbox_handler_fn kdr_sandbox_handle_sasl_handshake;
kdr_sandbox_handler_fn kdr_sandbox_handle_sasl_authenticate;
/* A raw SASL/PLAIN token after SaslHandshake v0: 0 authenticated, -1 close. */
int kdr_sandbox_sasl_raw_token(struct kdr_sandbox_request *req, const uint8_t *token, size_t len);

/* api_util.c: a per-object outcome (error code and optional message) of an admin request. */
struct kdr_sandbox_result {
	int16_t error;
	char *message; /* heap or NULL */
};
void kdr_sandbox_result_set(struct kdr_sandbox_result *res, int16_t error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kdr_sandbox_result_ok(struct kdr_sandbox_result *res);
void kdr_sandbox_result_release(struct kdr_sandbox_result *res);
/* Flags (in `arena`) every name that occurs more than once in `names`. */
bool *kdr_sandbox_mark_duplicates(struct kdr_sandbox_arena *arena, const char *const *names, int32_t n);

/* api_admin.c: creates a topic with the broker defaults (Metadata auto-creation); returns a Kafka error code. */
int16_t kdr_sandbox_auto_create_topic(struct kdr_sandbox_cluster *cl, const char *name);
/* Creates a topic placed by Kafka's algorithm over the live brokers; returns a Kafka error code. */
int16_t kdr_sandbox_create_placed_topic(struct kdr_sandbox_cluster *cl, const char *name, int32_t partitions,
					int32_t rf, bool internal);
/* api_offsets.c: removes committed offsets of a deleted topic. */
void kdr_sandbox_groups_topic_deleted(struct kdr_sandbox_cluster *cl, const char *topic);
/* api_groups.c: the groups, for api_offsets.c. */
void kdr_sandbox_group_free(struct kdr_sandbox_group *group);
/* NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE unless this broker coordinates `group_id`, else 0. */
int16_t kdr_sandbox_coordinator_check(struct kdr_sandbox_request *req, const char *group_id);
struct kdr_sandbox_group *kdr_sandbox_group_find(struct kdr_sandbox_cluster *cl, const char *id);
struct kdr_sandbox_group *kdr_sandbox_group_create(struct kdr_sandbox_cluster *cl, const char *id);
struct kdr_sandbox_member *kdr_sandbox_member_find(struct kdr_sandbox_group *group, const char *member_id);
/* Expires silent members and completes a rebalance whose time is up. */
void kdr_sandbox_group_tick(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_group *group);
const struct kdr_sandbox_protocol *kdr_sandbox_member_protocol(const struct kdr_sandbox_member *member,
							       const char *name);

#endif
