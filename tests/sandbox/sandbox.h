#ifndef KDR_SANDBOX_SANDBOX_H
#define KDR_SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The sandbox: fake Kafka clusters and Kafka Connect workers that speak the
 * real protocols (Kafka wire protocol, Connect REST) on loopback, for tests,
 * the demo and benchmarks (DESIGN.md §7). All state lives in memory. One
 * sandbox may hold several independent clusters. Thread-safe: the servers run
 * on their own threads; every function here may be called from any thread.
 */

struct kdr_sandbox;

struct kdr_sandbox_cluster_spec {
	const char *name;
	int brokers;             /* node ids 1..brokers */
	const char *const *racks; /* broker i gets racks[(i-1) % n_racks]; NULL: no rack */
	size_t n_racks;
	int port;                /* first broker's port, next ones follow; 0: ephemeral */
	bool connect;            /* run a Connect REST worker attached to this cluster */
	int connect_port;        /* 0: ephemeral */
	bool remote_storage;     /* brokers report remote.log.storage.system.enable=true */
	bool auto_create_topics; /* auto.create.topics.enable (Kafka's default true) */
	const char *sasl_username; /* non-NULL: listeners require SASL/PLAIN with these */
	const char *sasl_password;
	/* More SASL/PLAIN users (with sasl only): users[2i] the name, users[2i+1] the password. */
	const char *const *users;
	size_t n_users;
	/*
	 * The real backend's strict authorizer (allow.everyone.if.no.acl.found=false).
	 * The sandbox records it and still enforces no ACL (tests/sandbox/README.md).
	 */
	bool authorizer;
	/* No authorizer at all: no authorizer.class.name, the ACL APIs answer SECURITY_DISABLED. */
	bool no_authorizer;
	const char *cluster_id;  /* NULL: derived from the name, stable across runs */
	/*
	 * A create-topic policy (kdr-sandbox's createTopicPolicy; on real Kafka
	 * the controller's create.topic.policy.class.name): a CreateTopics entry
	 * below this replication factor, or above this many partitions, gets
	 * POLICY_VIOLATION. 0: no limit (with both 0, no policy).
	 */
	int policy_min_replication_factor;
	int policy_max_partitions;
};

/* Starts every cluster; returns 0 or a negative kdr error code with a message. */
int kdr_sandbox_start(struct kdr_sandbox **out, const struct kdr_sandbox_cluster_spec *specs, size_t n);
/* Stops every listener and thread and frees everything; NULL is fine. */
void kdr_sandbox_stop(struct kdr_sandbox *sandbox);

/* "127.0.0.1:P1,127.0.0.1:P2,..." of the cluster's live brokers, lent; NULL: no such cluster. */
const char *kdr_sandbox_bootstrap(struct kdr_sandbox *sandbox, const char *cluster);
/* "http://127.0.0.1:P", lent, or NULL when the cluster has no Connect. */
const char *kdr_sandbox_connect_url(struct kdr_sandbox *sandbox, const char *cluster);
const char *kdr_sandbox_cluster_id(struct kdr_sandbox *sandbox, const char *cluster);

/* --- fault injection (per cluster) --- */

/* The next `count` requests of `api_key` (-1: any) get `error_code` (Kafka's numbering). */
int kdr_sandbox_inject_error(struct kdr_sandbox *sandbox, const char *cluster, int api_key, int error_code, int count);
/* Per-topic variant: only entries for `topic` in CreateTopics/DeleteTopics/CreatePartitions/AlterConfigs. */
int kdr_sandbox_inject_topic_error(struct kdr_sandbox *sandbox, const char *cluster, int api_key, const char *topic,
				   int error_code, int count);
/* Adds `ms` latency before answering requests of `api_key` (-1: any); 0 removes it. */
int kdr_sandbox_set_latency(struct kdr_sandbox *sandbox, const char *cluster, int api_key, int ms);
/* Closes a broker's listener and its connections; its partitions lose leadership. */
int kdr_sandbox_broker_down(struct kdr_sandbox *sandbox, const char *cluster, int32_t broker_id);
/* Reopens it on the same port. */
int kdr_sandbox_broker_up(struct kdr_sandbox *sandbox, const char *cluster, int32_t broker_id);
/*
 * Metadata answers name `broker_id` as the controller (0: the real one again), up or not: on KRaft a
 * broker names a random broker it believes alive (KIP-590), and one whose metadata lags can name a
 * broker that has just stopped. Only what Metadata says; the admin APIs still check the real one.
 */
int kdr_sandbox_set_metadata_controller(struct kdr_sandbox *sandbox, const char *cluster, int32_t broker_id);

/* Connect: the next `count` REST requests get HTTP `status` (409 rebalance, 500 ...). */
int kdr_sandbox_connect_fail(struct kdr_sandbox *sandbox, const char *cluster, int status, int count);
/*
 * Connect: PUT pause/resume/stop answer at once and take effect `ms` later
 * (0 to 600000; 0 applies them before answering), as real Connect applies a
 * target state after a rebalance. Every worker starts with
 * $KDR_SANDBOX_CONNECT_DELAY_MS (unset: 0; hack/test.sh sets it for the
 * suites); kdr_sandbox_start fails with KDR_EINVALID on a bad value.
 */
int kdr_sandbox_connect_set_state_delay(struct kdr_sandbox *sandbox, const char *cluster, int ms);
/* The state delay every worker started with (what `all-up` restores). */
int kdr_sandbox_connect_start_state_delay(const struct kdr_sandbox *sandbox);
/* Connect: marks a task FAILED with `trace`. */
int kdr_sandbox_connect_fail_task(struct kdr_sandbox *sandbox, const char *cluster, const char *connector,
				  int task, const char *trace);

/* --- counters --- */

/* Requests received for `api_key` (-1: all APIs) since start or the last reset. */
uint64_t kdr_sandbox_request_count(struct kdr_sandbox *sandbox, const char *cluster, int api_key);
/* Requests of the mutating admin APIs (CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs, IncrementalAlterConfigs, Create/DeleteAcls). */
uint64_t kdr_sandbox_mutating_count(struct kdr_sandbox *sandbox, const char *cluster);
/* Topic entries in the cluster's Metadata answers (all brokers), since start or the last reset: what was asked about. */
uint64_t kdr_sandbox_metadata_topic_count(struct kdr_sandbox *sandbox, const char *cluster);
/* Connect REST requests, by HTTP method ("GET", "POST", ...; NULL: all). */
uint64_t kdr_sandbox_connect_request_count(struct kdr_sandbox *sandbox, const char *cluster, const char *method);
void kdr_sandbox_reset_counters(struct kdr_sandbox *sandbox, const char *cluster);
/*
 * When the first (`last` false) or the last request for `api_key` (0..), or
 * Connect REST request of `method`, since start or the last reset arrived:
 * CLOCK_MONOTONIC nanoseconds, one clock for every cluster and worker of the
 * process, so that tests can check the order requests went out in; 0: none.
 */
uint64_t kdr_sandbox_request_ns(struct kdr_sandbox *sandbox, const char *cluster, int api_key, bool last);
uint64_t kdr_sandbox_connect_request_ns(struct kdr_sandbox *sandbox, const char *cluster, const char *method, bool last);
/* Requests for `api_key` (0..) that broker `broker_id` received since start or the last reset; 0 for no such broker. */
uint64_t kdr_sandbox_broker_request_count(struct kdr_sandbox *sandbox, const char *cluster, int32_t broker_id,
					  int api_key);

/* --- additions (tests/sandbox owners) --- */

/* What a create-topic policy sees, like Kafka's CreateTopicPolicy.RequestMetadata. */
struct kdr_sandbox_topic_request {
	const char *topic;
	int32_t num_partitions;     /* resolved (broker default, or the assignment's size) */
	int16_t replication_factor; /* resolved likewise */
	const int32_t *assignment;  /* num_partitions * replication_factor ids, partition-major; NULL: not given */
	const char *const *config_names;
	const char *const *config_values;
	size_t n_configs;
	bool validate_only;
};

/*
 * Installs the cluster's create-topic policy (Kafka's
 * create.topic.policy.class.name): called, with the cluster's lock held,
 * for each CreateTopics entry that passed Kafka's own checks (validate_only
 * too). A non-zero return rejects the topic with POLICY_VIOLATION and the
 * NUL-terminated `message` (at most `size` bytes). NULL removes the policy.
 * `arg` is lent and must outlive the policy.
 */
int kdr_sandbox_set_create_topic_policy(struct kdr_sandbox *sandbox, const char *cluster,
					int (*policy)(void *arg, const struct kdr_sandbox_topic_request *request,
						      char *message, size_t size),
					void *arg);
/* "127.0.0.1:P" of one broker (up or down), lent; NULL: no such cluster or broker. */
const char *kdr_sandbox_broker_address(struct kdr_sandbox *sandbox, const char *cluster, int32_t broker_id);
/* The node id of the cluster's controller (the live broker with the lowest id); -1 when none. */
int32_t kdr_sandbox_controller_id(struct kdr_sandbox *sandbox, const char *cluster);
/* Connect: marks a connector FAILED with `trace` (a restart brings it back). */
int kdr_sandbox_connect_fail_connector(struct kdr_sandbox *sandbox, const char *cluster, const char *connector,
				       const char *trace);
/*
 * Connect: marks a task FAILED with `trace` now and after every restart: the
 * restarted task runs `after_ms` (0: not long enough for any status read to
 * see it), then FAILs again with the same trace. New task configs end it.
 */
int kdr_sandbox_connect_fail_task_again(struct kdr_sandbox *sandbox, const char *cluster, const char *connector,
					int task, const char *trace, int after_ms);
/* Connect: marks a connector and its tasks UNASSIGNED, as when their worker left. */
int kdr_sandbox_connect_unassign(struct kdr_sandbox *sandbox, const char *cluster, const char *connector);
/* Names of the clusters, in spec order; lent. */
size_t kdr_sandbox_cluster_count(struct kdr_sandbox *sandbox);
const char *kdr_sandbox_cluster_name(struct kdr_sandbox *sandbox, size_t i);

#endif
