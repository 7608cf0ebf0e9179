#ifndef KDR_MODEL_MODEL_H
#define KDR_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/acl.h"
#include "util/diag.h"
#include "util/strmap.h"
#include "util/strvec.h"

/*
 * The typed desired state (DESIGN.md §2): KafkaCluster, ReplicationFlow,
 * TopicPolicy and AccessPolicy documents, whichever source they came from. Every string is
 * owned by the struct that holds it; `kdr_desired_release` frees everything.
 * Arrays of objects keep the order of the source (files sorted by path,
 * documents in file order); validation rejects duplicate names.
 */

#define KDR_API_VERSION "kdr.io/v1alpha1"

/* Where an object and its fields were read from. */
struct kdr_srcpos {
	char *path; /* field path, e.g. "spec.topics[1].name" */
	unsigned line;
	unsigned col;
};

struct kdr_meta {
	char *name;        /* metadata.name */
	char *file;        /* source file path, or NULL for Kubernetes objects */
	char *object_ref;  /* "TopicPolicy/core" (always set) */
	char *revision;    /* e.g. short commit id when read from git, else NULL */
	unsigned line;     /* start of the document, 0 when unknown */
	unsigned col;
	struct kdr_srcpos *positions; /* every field parsed, in document order */
	size_t n_positions;
	size_t cap_positions;
	int64_t generation; /* metadata.generation (k8s), 0 otherwise */
	char *namespace;    /* metadata.namespace (k8s), NULL otherwise */
};

/* Records that `path` was read at line:col (spec parsers call this). */
void kdr_meta_add_position(struct kdr_meta *meta, const char *path, unsigned line, unsigned col);

/*
 * Where `path` was written: the exact field if recorded, else its nearest
 * recorded parent ("spec.config.x" -> "spec.config" -> "spec"), else the
 * document start. For objects without a file, loc->file is the object ref and
 * line/col are 0. The returned loc lends strings from `meta`.
 */
void kdr_meta_locate(struct kdr_loc *out, const struct kdr_meta *meta, const char *path);

/* A value that may be given literally or by reference to a secret. */
enum kdr_value_kind {
	KDR_VALUE_LITERAL,
	KDR_VALUE_ENV,            /* {valueFrom: {env: NAME}} */
	KDR_VALUE_FILE,           /* {valueFrom: {file: PATH}} */
	KDR_VALUE_SECRET_KEY_REF, /* {valueFrom: {secretKeyRef: {name, key}}} */
};

struct kdr_value {
	enum kdr_value_kind kind;
	char *literal; /* KDR_VALUE_LITERAL */
	char *ref;     /* env var name, file path, or Secret name */
	char *key;     /* Secret key (secretKeyRef only) */
};

/* A key -> value map whose values may be secret references; sorted by key. */
struct kdr_value_entry {
	char *key;
	struct kdr_value value;
};

struct kdr_value_map {
	struct kdr_value_entry *v;
	size_t n;
	size_t cap;
};

/* Sets `key`, taking ownership of the contents of `*value` (left zeroed). */
void kdr_value_map_set_take(struct kdr_value_map *map, const char *key, struct kdr_value *value);
const struct kdr_value *kdr_value_map_get(const struct kdr_value_map *map, const char *key);
void kdr_value_map_release(struct kdr_value_map *map);
void kdr_value_release(struct kdr_value *value);
void kdr_value_copy(struct kdr_value *out, const struct kdr_value *src);

/*
 * Whether a value must never be printed: any reference (env/file/secret), or a
 * literal under a key that names a credential (password, secret, token,
 * sasl.jaas.config, ssl.key...). Printing code shows KDR_REDACTED instead.
 */
bool kdr_value_is_secret(const char *key, const struct kdr_value *value);
bool kdr_config_key_is_sensitive(const char *key);
#define KDR_REDACTED "(redacted)"

/*
 * How a value that is a reference is resolved at use time. `secret_lookup`
 * serves secretKeyRef (Kubernetes); NULL means such references fail.
 */
struct kdr_secret_resolver {
	int (*secret_lookup)(char **out, const char *secret_name, const char *key, void *ctx);
	void *ctx;
};

/*
 * Resolves a value to its plain text (heap string in *out, caller frees and
 * should wipe). Returns KDR_ENOTFOUND naming the env var, file or secret (but
 * never a value) when it cannot be resolved, KDR_EINVALID when the operator's
 * allow list (kdr_secret_env_refusal, kdr_secret_path_check) refuses it.
 */
int kdr_value_resolve(char **out, const struct kdr_value *value, const struct kdr_secret_resolver *resolver);

/*
 * The operator's allow list of what a document may read on kdr's side
 * (secret_policy.c), from kdr's environment on first use:
 * KDR_SECRET_ENV_PREFIXES (comma-separated name prefixes, default "KDR_", "*"
 * for any) for {valueFrom: {env: NAME}}, KDR_SECRET_DIRS (colon-separated
 * absolute directories, default "/etc/kdr") for {valueFrom: {file: PATH}} and
 * spec.connect.caFile (which may also name a file below a system CA directory,
 * /etc/ssl/certs, /etc/pki, ...).
 *
 * The *_refusal functions are lexical (no file is touched; what validation
 * says): NULL when allowed, else a heap sentence naming the variable or path
 * and the rule. The *_check functions are what reading does: the same, then
 * the path with its links resolved must still be inside a resolved allowed
 * directory; 0 or a negative code with the thread's error set.
 */
char *kdr_secret_env_refusal(const char *name);
char *kdr_secret_path_refusal(const char *path);
char *kdr_secret_ca_path_refusal(const char *path);
int kdr_secret_path_check(const char *path);
int kdr_secret_ca_path_check(const char *path);
/* Refuses variable `name` to documents whatever its prefix (kdr's own Git token, --token-env). */
void kdr_secret_policy_deny_env(const char *name);
/* Reads the environment again and forgets the denied names (tests). */
void kdr_secret_policy_reload(void);
/* Why `value` (an env or file reference) may not be read: kdr_secret_*_refusal, or NULL. */
char *kdr_value_ref_refusal(const struct kdr_value *value);

/*
 * Whether KafkaCluster spec.clientConfig may set librdkafka property `key` to
 * `value` (NULL: the key alone): NULL when it may, else why not (a static
 * sentence naming what to do instead). clientConfig is an allow list
 * (client_keys.c): a document may never set a command, a library, logging, or
 * a file path written in the document (*.location and the Kerberos keytab are
 * accepted as {valueFrom: {env: NAME}} only).
 */
const char *kdr_client_key_refusal(const char *key, const struct kdr_value *value);
/* Whether `key` is a clientConfig property that holds a file path librdkafka reads. */
bool kdr_client_key_is_path(const char *key);

/* Replica ids per partition; used for static assignments, plans and live state. */
struct kdr_replica_list {
	int32_t *ids;
	size_t n;
};

struct kdr_assignment {
	struct kdr_replica_list *partitions; /* index = partition id */
	size_t n;
};

void kdr_assignment_init(struct kdr_assignment *out, size_t partitions, size_t replication_factor);
void kdr_assignment_copy(struct kdr_assignment *out, const struct kdr_assignment *src);
void kdr_assignment_release(struct kdr_assignment *assignment);
void kdr_replica_list_release(struct kdr_replica_list *list);

/* --- KafkaCluster --- */

enum kdr_connect_auth_kind {
	KDR_CONNECT_AUTH_NONE,
	KDR_CONNECT_AUTH_BEARER,
	KDR_CONNECT_AUTH_BASIC,
};

struct kdr_connect_spec {
	bool present;
	char *url;
	enum kdr_connect_auth_kind auth_kind;
	struct kdr_value token;    /* bearer */
	struct kdr_value username; /* basic */
	struct kdr_value password; /* basic */
	char *ca_file;             /* optional: TLS CA bundle (spec.connect.caFile) */
	bool insecure_skip_verify; /* spec.connect.insecureSkipVerify, default false */
};

struct kdr_datacenter {
	char *name;
	struct kdr_strvec racks;
};

struct kdr_cluster {
	struct kdr_meta meta;
	char *bootstrap_servers;
	struct kdr_value_map client_config; /* librdkafka properties */
	struct kdr_connect_spec connect;
	struct kdr_datacenter *datacenters; /* in document order */
	size_t n_datacenters;
};

/* The datacenter that holds `rack`, or NULL. */
const char *kdr_cluster_datacenter_of(const struct kdr_cluster *cl, const char *rack);

/* --- ReplicationFlow --- */

enum kdr_replication_policy {
	KDR_REPLICATION_POLICY_DEFAULT,
	KDR_REPLICATION_POLICY_IDENTITY,
};

struct kdr_flow {
	struct kdr_meta meta;
	char *source;
	char *target;
	struct kdr_strvec topics;         /* default [".*"] */
	struct kdr_strvec topics_exclude; /* default [] */
	struct kdr_strvec groups;         /* default [".*"] */
	struct kdr_strvec groups_exclude; /* default [] */
	bool keep_default_excludes;       /* spec.keepDefaultExcludes, default true: MM2's own exclusions stay */
	enum kdr_replication_policy replication_policy; /* default: default */
	char *separator;                  /* default "." */
	int64_t replication_factor;       /* default 3 */
	int64_t tasks_max;                /* default 1 */
	bool sync_topic_configs;          /* default true */
	bool sync_topic_acls;             /* default false */
	bool mirror_acls;                 /* spec.mirrorAcls, default false: kdr grants on the target what the source allows */
	bool checkpoints_enabled;         /* default true */
	int64_t checkpoints_interval_seconds;              /* default 60 */
	bool sync_group_offsets;                           /* default false */
	int64_t sync_group_offsets_interval_seconds;       /* default 60 */
	bool heartbeats_enabled;                           /* default true */
	int64_t heartbeats_interval_seconds;               /* default 1 */
	int64_t internal_topics_replication_factor;        /* default 3 */
	struct kdr_strmap connector_config;               /* extra MM2 keys */
	bool suspended;                                    /* default false */
	/*
	 * spec.failedOver: when a failover of this flow was recorded (RFC 3339
	 * UTC, "2026-12-07T01:02:03Z", as `kdr failover --commit` writes it), NULL
	 * when none is. While set, the plan keeps the flow's connectors stopped
	 * (never resumed, never recreated) and refuses to create the topics the
	 * flow mirrors on its source (the failback guard); `kdr failback` clears it.
	 */
	char *failed_over;
};

/* --- TopicPolicy --- */

enum kdr_placement_strategy {
	KDR_PLACEMENT_ANY,
	KDR_PLACEMENT_RACK_AWARE, /* the default */
	KDR_PLACEMENT_CROSS_DC,
	KDR_PLACEMENT_STATIC,
};

/* "any", "rack-aware", "cross-dc", "static". */
const char *kdr_placement_strategy_name(enum kdr_placement_strategy strategy);
/* Returns 0 and sets *out, or KDR_EINVALID. */
int kdr_placement_strategy_parse(enum kdr_placement_strategy *out, const char *name);

struct kdr_topic_decl {
	char *name;
	int64_t partitions;         /* 0 = the policy's */
	int64_t replication_factor; /* 0 = the policy's */
	struct kdr_strmap config;   /* per-topic config, merged over the policy's */
	unsigned line;              /* where the entry starts (0 unknown) */
	unsigned col;
};

struct kdr_static_assignment {
	char *topic;
	struct kdr_assignment assignment;
};

struct kdr_tiering {
	bool present;             /* spec.tiering given */
	bool enabled;
	bool has_local_retention; /* localRetention given */
	int64_t local_retention_ms;
	bool has_retention;       /* retention given */
	int64_t retention_ms;     /* -1 = infinite */
};

struct kdr_policy {
	struct kdr_meta meta;
	struct kdr_strvec clusters;
	struct kdr_topic_decl *topics;
	size_t n_topics;
	char *match;                /* NULL: none */
	int64_t partitions;         /* default 1 */
	int64_t replication_factor; /* default 3 */
	struct kdr_strmap config;
	enum kdr_placement_strategy strategy;
	char *preferred_leader_datacenter;      /* NULL: none */
	bool require_dc_loss_survival;          /* spec.placement.requireDcLossSurvival, default false */
	struct kdr_static_assignment *assignments; /* sorted by topic */
	size_t n_assignments;
	/*
	 * spec.placement.fallback (strategy static only): the strategy a topic
	 * is placed and checked by on a cluster that lacks a broker its static
	 * assignment names (a backup restored onto other brokers).
	 */
	bool has_fallback;
	enum kdr_placement_strategy fallback;
	struct kdr_tiering tiering;
	bool config_prune; /* default false */
	bool prune;        /* default false */
};

/* --- AccessPolicy --- */

/* One entry of spec.grants: a principal's operations on one resource pattern. */
struct kdr_acl_grant {
	char *principal;
	bool has_type; /* resource.type was given (validation reports it otherwise) */
	enum kdr_acl_resource_type resource_type;
	char *resource_name; /* NULL: not given ("kafka-cluster" is assumed for the cluster resource) */
	enum kdr_acl_pattern pattern;       /* default literal */
	enum kdr_acl_operation *operations; /* in document order */
	size_t n_operations;
	enum kdr_acl_permission permission; /* default allow */
	char *host;                         /* default "*" */
	unsigned line;                      /* where the entry starts (0 unknown) */
	unsigned col;
};

struct kdr_access_policy {
	struct kdr_meta meta;
	bool all_clusters;          /* spec.clusters omitted: every declared cluster */
	struct kdr_strvec clusters; /* when !all_clusters */
	struct kdr_acl_grant *grants;
	size_t n_grants;
};

/* Whether the policy applies to cluster `name`. */
bool kdr_access_policy_on(const struct kdr_access_policy *policy, const char *name);

/*
 * The bindings grant `index` of `policy` stands for, one per operation
 * (resource name defaulted for the cluster resource), appended to `out`.
 */
void kdr_access_policy_bindings(struct kdr_acl_list *out, const struct kdr_access_policy *policy, size_t index);

/* --- the whole desired state --- */

struct kdr_resolved; /* resolve/resolve.h */

struct kdr_desired {
	struct kdr_cluster *clusters;
	size_t n_clusters;
	size_t cap_clusters;
	struct kdr_flow *flows;
	size_t n_flows;
	size_t cap_flows;
	struct kdr_policy *policies;
	size_t n_policies;
	size_t cap_policies;
	struct kdr_access_policy *access_policies;
	size_t n_access_policies;
	size_t cap_access_policies;
	char *revision; /* commit id or other source revision; NULL for a plain directory */
	/*
	 * What pkg/resolve derived from this desired state once after decoding
	 * (kdr_resolve_attach), owned; NULL until attached. Freed through
	 * `resolved_free`, which the attaching module sets (it sits above model).
	 */
	struct kdr_resolved *resolved;
	void (*resolved_free)(struct kdr_resolved *resolved);
};

/*
 * Frees the resolved state attached to `desired` (if any), for a caller that
 * changes its flows or policies after loading: what was derived no longer holds.
 */
void kdr_desired_drop_resolved(struct kdr_desired *desired);

/* Appends a zeroed object (defaults applied) and returns it, lent. */
struct kdr_cluster *kdr_desired_add_cluster(struct kdr_desired *desired);
struct kdr_flow *kdr_desired_add_flow(struct kdr_desired *desired);
struct kdr_policy *kdr_desired_add_policy(struct kdr_desired *desired);
struct kdr_access_policy *kdr_desired_add_access_policy(struct kdr_desired *desired);

/* Lookups by name, lent, NULL when absent. */
const struct kdr_cluster *kdr_desired_cluster(const struct kdr_desired *desired, const char *name);
const struct kdr_flow *kdr_desired_flow(const struct kdr_desired *desired, const char *name);

/*
 * A policy's topic as the desired state means it, derived here once for
 * validation and the plan. `decl` is the declared entry, or NULL for a
 * topic the policy only matches. Partitions and replication factor: the
 * entry's own when set (> 0), else the policy's.
 */
int64_t kdr_policy_topic_partitions(const struct kdr_policy *policy, const struct kdr_topic_decl *decl);
int64_t kdr_policy_topic_replication_factor(const struct kdr_policy *policy, const struct kdr_topic_decl *decl);

/* One config key spec.tiering stands for, and the field it comes from. */
struct kdr_tiering_key {
	const char *key;   /* remote.storage.enable, local.retention.ms, retention.ms */
	const char *field; /* spec.tiering.enabled, spec.tiering.localRetention, spec.tiering.retention */
	char value[24];
};

/*
 * The config keys spec.tiering stands for, in that order (none when it is
 * absent; remote.storage.enable "false" when it is disabled). Returns how
 * many of out[3] are set.
 */
size_t kdr_tiering_keys(struct kdr_tiering_key out[3], const struct kdr_tiering *tiering);

/* Defaults of each kind, applied by the add functions. */
void kdr_flow_set_defaults(struct kdr_flow *flow);
void kdr_policy_set_defaults(struct kdr_policy *policy);

/*
 * A pull request's head is planned with the base's connection settings
 * (`plan --base`): for every KafkaCluster of `head`, its bootstrapServers,
 * clientConfig and connect (url, auth, caFile, insecureSkipVerify) are
 * replaced by copies of the base cluster's of the same name. A cluster only
 * the head has keeps its addresses but loses every secret reference and
 * credential (clientConfig values by reference or under a credential key,
 * connect.auth) and its caFile, so a head can never choose where kdr sends a
 * credential nor which file it reads. Returns how many head clusters had
 * settings that differ from what is now used (0: none changed).
 */
size_t kdr_desired_use_base_connections(struct kdr_desired *head, const struct kdr_desired *base);

void kdr_meta_release(struct kdr_meta *meta);
void kdr_cluster_release(struct kdr_cluster *cl);
void kdr_flow_release(struct kdr_flow *flow);
void kdr_policy_release(struct kdr_policy *policy);
void kdr_access_policy_release(struct kdr_access_policy *policy);
void kdr_desired_release(struct kdr_desired *desired);

#endif
