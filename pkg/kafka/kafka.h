#ifndef KDR_KAFKA_KAFKA_H
#define KDR_KAFKA_KAFKA_H

#include <stdbool.h>
#include <stddef.h>

#include "live/live.h"
#include "model/model.h"
#include "plan/plan.h"

/*
 * The Kafka admin adapter (librdkafka 2.0.2): reads a live cluster into a
 * `struct kdr_live_cluster` and executes the Kafka actions of a plan. It is
 * the only code of kdr that includes librdkafka; everything it returns
 * follows kdr's conventions (0 or a negative kdr error code, messages through
 * kdr_error_set, per-action results).
 *
 * Requests per read of a cluster: one Metadata (all topics), one
 * DescribeConfigs per broker (librdkafka 2.0.2 allows a single BROKER
 * resource per call; the calls run concurrently) and the topics'
 * DescribeConfigs in slices of 32 to 256 topics, four in flight, spread over
 * the brokers that answered their own DescribeConfigs (one per 32
 * topics below 2,048 topics, 64 slices up to 16,384, then one per 256:
 * librdkafka parses an answer into ~13 KB per topic and places each topic
 * by a linear search over its request, so one answer for 10,000 topics
 * would cost ~130 MB and 50 million comparisons; read.c),
 * and one DescribeAcls (every binding; a cluster whose brokers set no
 * authorizer.class.name is read without ACLs and without asking,
 * acls_no_authorizer set and acls_error saying why; librdkafka 2.0.2 reports a refused DescribeAcls as an empty
 * list, so an empty answer is checked with one DeleteAcls that matches
 * nothing, and a refusal is an acls_error, never "no ACLs": acls.c).
 * create-acl / delete-acl actions go in CreateAcls / DeleteAcls requests of
 * up to 1,000 bindings, after the topic configs and before DeleteTopics.
 * An apply batches each action kind (CreateTopics, CreatePartitions,
 * AlterConfigs, DeleteTopics) the same way: one request per 32 actions, at
 * most 32 requests per kind up to 8,192 actions, then one per 256 (more also
 * if a request would near the broker's request size limit), two in flight.
 *
 * Secret values (client properties given by reference or under credential
 * keys) are never logged or returned: every message that passes through the
 * adapter, librdkafka's included, is scrubbed of them. librdkafka's own log
 * goes nowhere unless the environment variable KDR_DEBUG is set (then to
 * stderr, scrubbed; KDR_RDKAFKA_DEBUG then names librdkafka's debug contexts:
 * a document's clientConfig may not set `debug`).
 */

#define KDR_KAFKA_DEFAULT_TIMEOUT_MS 30000

struct kdr_kafka_options {
	/*
	 * Bound on each step: connecting, Metadata, each admin request
	 * (librdkafka's request_timeout; the broker-side operation_timeout is a
	 * little shorter so that the broker's answer arrives in time). <= 0: 30000.
	 */
	int timeout_ms;
	/* Resolves secretKeyRef values of client_config; NULL: such references fail. */
	const struct kdr_secret_resolver *resolver;
	/*
	 * Apply only: CreateTopics, CreatePartitions and AlterConfigs are sent with
	 * validate_only (the broker checks, nothing changes); DeleteTopics has no
	 * such mode, so deletions are not sent at all (left unattempted).
	 */
	bool validate_only;
	/*
	 * Open the client as a consumer (no group.id, never commits on its own)
	 * so that kdr_kafka_conn_read_partition can fetch records; the admin
	 * calls work on it all the same.
	 */
	bool consumer;
	/* A producer with one request in flight per broker and acks=all (kdr_kafka_conn_produce). */
	bool ordered;
	/*
	 * Read only: the desired state manages ACLs on this cluster, so an empty
	 * DescribeAcls answer is checked with one DeleteAcls that matches nothing
	 * (librdkafka 2.0.2 reports a refused DescribeAcls as empty; acls.c). Off,
	 * nothing but reads is sent and an empty answer is taken as it reads.
	 */
	bool verify_empty_acls;
};

/* The outcome of one plan action. */
struct kdr_action_result {
	bool attempted;	  /* false: not this cluster's, not a Kafka action, or skipped (validate_only delete) */
	int code;	  /* 0 ok, else a negative kdr error code */
	char *error_name; /* Kafka's name of the error ("POLICY_VIOLATION", "_TIMED_OUT"), NULL when ok */
	char *message;	  /* "cluster 'c': topic 't': POLICY_VIOLATION: <broker message>", NULL when ok */
	bool held;	  /* not attempted: an action it waits for (kdr_action.after) failed; message says which */
	bool unsettled;	  /* done (code 0), but Connect did not report its result within the timeout; message says */
};

void kdr_action_result_release(struct kdr_action_result *result);

/* Whether actions of this kind are executed by this adapter. */
bool kdr_kafka_handles(enum kdr_action_kind kind);

/*
 * A connection to one cluster: one librdkafka client that serves a read and
 * an apply (and the next cycle's, if the caller keeps it). Use from one
 * thread at a time.
 */
struct kdr_kafka_conn;

/*
 * Creates the client for `cl`: bootstrap.servers from cl->bootstrap_servers,
 * every cl->client_config property with secret references resolved now
 * (through options->resolver for secretKeyRef). Does not wait for a broker;
 * the first read or apply does. `options` may be NULL (defaults); it is
 * copied. Returns 0 and the connection in *out (free with
 * kdr_kafka_conn_free), or KDR_ENOTFOUND for an unresolvable secret,
 * KDR_EINVALID for a property librdkafka rejects; messages name the cluster
 * and the property, never a secret value.
 */
int kdr_kafka_conn_open(struct kdr_kafka_conn **out, const struct kdr_cluster *cl,
			const struct kdr_kafka_options *options);

/* Destroys the client (bounded: pending requests are abandoned) and wipes the secrets; NULL is fine. */
void kdr_kafka_conn_free(struct kdr_kafka_conn *conn);

/*
 * Reads the cluster into an empty `out` (zeroed, name set to the cluster's
 * metadata.name): cluster id, controller, brokers (sorted by id) with their
 * broker.rack, remote_storage_enabled (every broker has
 * remote.log.storage.system.enable=true), topics (sorted by name) with
 * partitions, leaders, replicas and ISR, each topic's own overrides (config
 * source DYNAMIC_TOPIC_CONFIG) and the cluster's topic_defaults (what a topic
 * without an override gets, taken from the topics' DescribeConfigs; when no
 * topic inherits min.insync.replicas, e.g. on an empty cluster, the lowest
 * broker id's own value). A topic deleted between Metadata and
 * DescribeConfigs is left out.
 *
 * Fails fast when no broker can be reached or authentication fails, and
 * within about options->timeout_ms per step otherwise: KDR_EUNAVAILABLE or
 * KDR_ETIMEOUT (retriable), KDR_EINVALID (authentication, authorization, a
 * malformed answer). On failure `out` is released (empty again). Messages
 * name the cluster, and the broker or topic where known, e.g.
 * "cluster 'dc-east': cannot reach any broker (bootstrap 127.0.0.1:1): ...".
 */
int kdr_kafka_conn_read(struct kdr_live_cluster *out, struct kdr_kafka_conn *conn);

/*
 * Executes the actions of `plan` that belong to this connection's cluster and
 * are Kafka actions (kdr_kafka_handles), batched per kind in the plan's
 * order of kinds (kdr_action_kinds_in_order: creates, add-partitions,
 * alter-configs, ACL creates, ACL deletes, topic deletes; the executor sends
 * the deletes in a later step, kdr_kafka_conn_apply_run) — a kind's
 * requests all answered before the next kind starts (CreateTopics with an explicit
 * replica assignment and the action's configs;
 * CreatePartitions with the new partitions' assignment; AlterConfigs with the
 * action's complete config set, which replaces the topic's dynamic set;
 * DeleteTopics). `results` has plan->n_actions slots; each slot is
 * initialised here (results[i] is the outcome of plan->actions[i]; slots of
 * other actions stay unattempted) and released with
 * kdr_action_result_release. Continues after per-action failures. A failure
 * of a whole request (timeout, broker down) fails every action it carried,
 * with that error. TOPIC_ALREADY_EXISTS on create and UNKNOWN_TOPIC_OR_PARTITION
 * on delete are failures (KDR_EEXISTS / KDR_ENOTFOUND), so that the next plan
 * reconciles from the live state.
 *
 * Returns 0 when every attempted action succeeded, else the code of the first
 * failed action (in plan order), with a summary through kdr_error_set.
 */
int kdr_kafka_conn_apply(struct kdr_action_result *results, struct kdr_kafka_conn *conn, const struct kdr_plan *plan);
/*
 * The same for one step of an apply (kdr_apply_runs): only the Kafka actions
 * whose kind `run` carries are sent; the other slots stay unattempted. The
 * executor calls it once per Kafka step on one connection, so that the
 * connector deletes of the Connect step in between go out before the ACL
 * and topic deletes. `run` NULL: every Kafka kind (kdr_kafka_conn_apply).
 */
int kdr_kafka_conn_apply_run(struct kdr_action_result *results, struct kdr_kafka_conn *conn,
			     const struct kdr_plan *plan, const struct kdr_apply_run *run);

/* --- DR operations: consumer groups, offsets, records (groups.c, records.c) --- */

/*
 * Reads the cluster's consumer groups into `out` (its groups array must be
 * empty): per broker one ListGroups and one DescribeGroups for all the
 * groups it coordinates (state, protocol type, member count), then the
 * committed offsets of each group (ListConsumerGroupOffsets: librdkafka
 * 2.0.2 takes one group per call and Kafka's OffsetFetch before v8 one group
 * per request, so one OffsetFetch per group, 8 in flight) when `offsets`
 * (out->group_offsets_read says which).
 * Sets out->groups_read and sorts. Any error (a broker that cannot list, a
 * group that cannot be described) fails the whole read, since a failover
 * must not decide on half the truth: KDR_EUNAVAILABLE/ETIMEOUT/EINVALID with
 * the cluster and group named; out's groups are emptied then.
 */
int kdr_kafka_conn_read_groups(struct kdr_live_cluster *out, struct kdr_kafka_conn *conn, bool offsets);

struct kdr_kafka_offset_query {
	const char *topic;
	int32_t partition;
	int64_t offset; /* out: log-end offset (high watermark) or log start (low watermark), -1 on error */
	int code;       /* out: 0, KDR_ENOTFOUND (no such topic/partition), or another code */
};

/*
 * Fills each query's log-end offset with ListOffsets (latest), batched per
 * partition leader by librdkafka (rd_kafka_offsets_for_times). Returns 0
 * when the request was answered (per-partition errors in `code`), else the
 * request's error (cluster unreachable, timeout).
 */
int kdr_kafka_conn_end_offsets(struct kdr_kafka_conn *conn, struct kdr_kafka_offset_query *queries, size_t n);
/*
 * The same for the log-start offsets (ListOffsets earliest: the low
 * watermark, the first offset still on the partition after retention or
 * DeleteRecords), one batched request as above.
 */
int kdr_kafka_conn_start_offsets(struct kdr_kafka_conn *conn, struct kdr_kafka_offset_query *queries, size_t n);

/* Called per record; key/value NULL when null on the wire. */
typedef void (*kdr_kafka_record_fn)(void *ctx, int64_t offset, int64_t timestamp_ms, const void *key,
				    size_t key_len, const void *value, size_t value_len);

/*
 * Reads the records of topic/partition from `from` (an offset, or -2 for
 * the beginning) up to the log-end offset as it was when the call started,
 * at most max_records (< 0: no limit), calling `fn` for each in order. The
 * connection must have been opened with options.consumer. Returns 0;
 * KDR_ENOTFOUND when the topic or partition does not exist; KDR_ETIMEOUT
 * when the end is not reached within timeout_ms (records delivered so far
 * stay delivered); another code for a fetch error. *end_out (may be NULL)
 * gets the end offset read to.
 */
int kdr_kafka_conn_read_partition(struct kdr_kafka_conn *conn, const char *topic, int32_t partition, int64_t from,
				  int64_t max_records, kdr_kafka_record_fn fn, void *ctx, int64_t *end_out);

/* A record with everything Kafka keeps of it (read_records, produce). */
struct kdr_kafka_header {
	const char *key;
	const void *value; /* NULL: a null header value */
	size_t len;
};

struct kdr_kafka_record {
	int32_t partition;
	int64_t offset;       /* read: its offset; produce: ignored */
	int64_t timestamp_ms; /* CreateTime; produce: < 0 lets the producer stamp it */
	const void *key;      /* NULL: null */
	size_t key_len;
	const void *value;    /* NULL: null (a tombstone) */
	size_t value_len;
	const struct kdr_kafka_header *headers;
	size_t n_headers;
};

typedef void (*kdr_kafka_full_record_fn)(void *ctx, const struct kdr_kafka_record *record);

/*
 * kdr_kafka_conn_read_partition with the whole record (headers included):
 * the same bounds, codes and consumer connection. Pointers in the record are
 * valid during the call only.
 */
int kdr_kafka_conn_read_records(struct kdr_kafka_conn *conn, const char *topic, int32_t partition, int64_t from,
				int64_t max_records, kdr_kafka_full_record_fn fn, void *ctx, int64_t *end_out);

/*
 * Produces `records` to `topic` (each to its partition, with key, value,
 * headers and timestamp), in order, then waits for every delivery (acks
 * all; the connection must not be a consumer; open it with
 * options.ordered so that a retry cannot reorder a partition). Returns 0
 * when all were delivered, else the first failure's code with a message
 * naming cluster, topic and partition; *delivered (may be NULL) gets how
 * many were.
 */
int kdr_kafka_conn_produce(struct kdr_kafka_conn *conn, const char *topic, const struct kdr_kafka_record *records,
			   size_t n, size_t *delivered);

struct kdr_kafka_group_commit {
	const char *topic;
	int32_t partition;
	int64_t offset;
	const char *metadata; /* NULL: none */
	int code;             /* out: 0 or the partition's error */
	char *message;        /* out: heap, NULL when ok */
};

/*
 * Commits offsets for one group (AlterConsumerGroupOffsets, one group per
 * call in librdkafka 2.0.2). Kafka accepts it only while the group has no
 * members. Returns 0 when every partition was committed, else the first
 * error (group-level or per partition, also in each entry), message naming
 * cluster, group, topic and partition. While Kafka answers only coordinator
 * errors (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE: a fresh offsets topic, a moving or loading
 * coordinator) it retries with a growing pause (100 ms to 1 s) within the
 * connection's timeout, then fails saying how many attempts it made. Each
 * entry's `message` is NULL or heap (the caller frees it).
 */
int kdr_kafka_conn_commit_group(struct kdr_kafka_conn *conn, const char *group, struct kdr_kafka_group_commit *offsets,
				size_t n);

/*
 * Sets the dynamic configs of broker `broker` (its id as a string; "" the
 * cluster-wide default) to exactly `config` (AlterConfigs replaces the set:
 * keys not sent revert to their static or default value). Returns 0 or the
 * request's / the resource's error.
 */
int kdr_kafka_conn_alter_broker_configs(struct kdr_kafka_conn *conn, const char *broker, const struct kdr_strmap *config);

/*
 * Connections kept across reads (kdr run's cycles), one per cluster name
 * (pool.c). kdr_kafka_pool_read reads like kdr_kafka_read_cluster with the
 * cluster's kept connection, opening one when there is none or when what it
 * was built from changed (bootstrapServers, any clientConfig value as it
 * resolves now, secrets included, the options' timeout): a rotated
 * credential gets a new client. A read that fails closes the connection, so
 * the next one starts afresh (a dead broker set, new addresses, a refused
 * login). Reads of different clusters may run at once, on any threads; a
 * second read of a cluster already being read uses a connection of its own.
 * `pool` NULL: the one-shot read. kdr_kafka_pool_retain closes the
 * connections of the clusters not in `names` (no longer declared).
 */
struct kdr_kafka_pool;
struct kdr_kafka_pool *kdr_kafka_pool_new(void);
void kdr_kafka_pool_free(struct kdr_kafka_pool *pool);
int kdr_kafka_pool_read(struct kdr_kafka_pool *pool, struct kdr_live_cluster *out, const struct kdr_cluster *cl,
			const struct kdr_kafka_options *options);
void kdr_kafka_pool_retain(struct kdr_kafka_pool *pool, const char *const *names, size_t n);

/* One-shot forms: open, read or apply, free. Same contracts as above. */
int kdr_kafka_read_cluster(struct kdr_live_cluster *out, const struct kdr_cluster *cl,
			   const struct kdr_kafka_options *options);
int kdr_kafka_apply(struct kdr_action_result *results, const struct kdr_plan *plan, const struct kdr_cluster *cl,
		    const struct kdr_kafka_options *options);

#endif
