#ifndef KDR_KAFKA_KAFKA_INTERNAL_H
#define KDR_KAFKA_KAFKA_INTERNAL_H

/*
 * Private to pkg/kafka: the connection's innards and the helpers shared by
 * conn.c, read.c, apply.c and errors.c. librdkafka's types stop here.
 */

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>

#include "kafka/kafka.h"
#include "util/clock.h"
#include "util/strvec.h"

/* What was last known of a broker, for when it cannot be described (a broker that is down). */
struct kdr_kafka_broker_memo {
	int32_t id;
	char *rack;
	bool remote_storage;
};

struct kdr_kafka_conn {
	rd_kafka_t *rk;
	char *cluster;	 /* the KafkaCluster's name, for messages */
	char *bootstrap; /* for messages */
	int timeout_ms;
	bool validate_only;
	bool verify_empty_acls; /* kdr_kafka_options.verify_empty_acls of the current read */
	bool read_once;		/* freed after one read (kdr_kafka_read_cluster): its Metadata on a client of its own */
	bool debug; /* KDR_DEBUG: librdkafka's log to stderr */
	/* Resolved secret values (longest first), scrubbed from every message; wiped on free. */
	struct kdr_strvec secrets;

	/* What error_cb saw since the last kdr_kafka__conn_wait (served by rd_kafka_poll on the caller's thread). */
	bool all_brokers_down;
	bool auth_failed;
	int last_err; /* rd_kafka_resp_err_t of the last client error */
	char last_reason[512];

	struct kdr_kafka_broker_memo *memo; /* sorted by id */
	size_t n_memo;

	/* From the last read's broker configs: 1 some broker names an authorizer.class.name, 0 none does, -1 unknown. */
	int authorizer;
	/* From the last read: a broker whose own DescribeConfigs answered (the ACL reads go there), -1 none. */
	int32_t answered_broker;

	/* A copy of the client's configuration, for the one-broker clients of visible.c (secrets included: wiped with it). */
	rd_kafka_conf_t *conf_template;
};

/* --- conn.c --- */

/* The delivery report callback of producer connections (records.c): fills the message's result slot. */
void kdr_kafka__delivery_sink(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque);

/*
 * Hands freed heap pages back to the system (glibc: malloc_trim; elsewhere
 * nothing). Called where a read has just freed what librdkafka parsed, so
 * that the next phase, or the next cluster's read, does not stack its peak
 * on top of the last one's (librdkafka parses on its own threads, whose
 * arenas glibc otherwise keeps).
 */
void kdr_kafka__release_memory(void);

/*
 * Waits until the client has heard from a broker (no request of its own: it
 * watches the bootstrap Metadata librdkafka sends after connecting), failing
 * fast when every broker is down or authentication fails, else after
 * timeout_ms. 0 or a negative kdr code with a message naming the cluster.
 */
int kdr_kafka__conn_wait(struct kdr_kafka_conn *conn);

/*
 * Admin options for `op` with the connection's timeouts (operation_timeout
 * only where librdkafka accepts it) and, when `validate_only`, that flag.
 * Returns NULL with a kdr error set when librdkafka refuses an option.
 */
rd_kafka_AdminOptions_t *kdr_kafka__admin_options(struct kdr_kafka_conn *conn, rd_kafka_admin_op_t op,
						  bool validate_only);

/*
 * Waits for the next event on `queue` until `deadline_ms` (kdr_clock_mono_ms
 * scale), serving the client's callbacks meanwhile. NULL on timeout.
 */
rd_kafka_event_t *kdr_kafka__wait_event(struct kdr_kafka_conn *conn, rd_kafka_queue_t *queue, int64_t deadline_ms);

/*
 * Sends the call of `options` to conn->answered_broker, when the last read
 * had one: librdkafka's own choice for the ACL APIs is the controller the
 * last Metadata named, on KRaft a random broker believed alive, and it waits
 * for that one until the request times out. Returns 0 or KDR_EINVALID.
 */
int kdr_kafka__admin_to_answered(rd_kafka_AdminOptions_t *options, const struct kdr_kafka_conn *conn);

/* The deadline for waiting on admin results: the request timeout plus a margin. */
int64_t kdr_kafka__admin_deadline(const struct kdr_kafka_conn *conn);

/* What one admin request holds until kdr_kafka__admin_call_release (each may be NULL). */
struct kdr_kafka__admin_call {
	rd_kafka_AdminOptions_t *options;
	rd_kafka_queue_t *queue; /* the answer comes on it */
	rd_kafka_event_t *ev;    /* the answer */
};

void kdr_kafka__admin_call_release(struct kdr_kafka__admin_call *call);

/* --- acls.c --- */

/*
 * One DescribeAcls (every binding) into out->acls (sorted, acls_read set);
 * an empty answer checked by one DeleteAcls matching nothing (a refusal
 * reads as empty in librdkafka 2.0.2). Never fails the read: when the
 * cluster has no authorizer or refuses, acls_read stays false and
 * out->acls_error says why. Returns 0.
 */
int kdr_kafka__read_acls(struct kdr_live_cluster *out, struct kdr_kafka_conn *conn);

/* The plan's actions of `kind` (create-acl or delete-acl) for this cluster, batched; results as apply.c's. */
void kdr_kafka__apply_acls(struct kdr_action_result *results, struct kdr_kafka_conn *conn,
			   const struct kdr_plan *plan, enum kdr_action_kind kind);

/* --- errors.c --- */

/* kdr's code for a librdkafka / Kafka error: retriable ones -> ETIMEOUT/EUNAVAILABLE/ECONFLICT. */
int kdr_kafka__error_code(rd_kafka_resp_err_t err);

/* Whether Kafka documents `err` as retriable (kafka-error-codes.tsv), or it is a local transport/timeout error. */
bool kdr_kafka__error_retriable(rd_kafka_resp_err_t err);

/*
 * A heap copy of `text` with every secret of the connection replaced by
 * KDR_REDACTED; NULL gives NULL. Used on everything librdkafka or a broker
 * says before it reaches a message.
 */
char *kdr_kafka__scrub(const struct kdr_kafka_conn *conn, const char *text);

/* As kdr_kafka__scrub, in place into a fixed buffer (for callbacks that must not allocate much). */
void kdr_kafka__scrub_into(const struct kdr_kafka_conn *conn, char *buf, size_t size, const char *text);

/*
 * Sets a failed result: attempted, code from `err`, error_name from
 * rd_kafka_err2name, message "cluster 'c': topic 't': <prefix><NAME>: <detail>"
 * with `detail` (scrubbed; librdkafka's err2str when NULL or empty).
 */
void kdr_kafka__result_fail(struct kdr_action_result *result, const struct kdr_kafka_conn *conn, const char *topic,
			    const char *prefix, rd_kafka_resp_err_t err, const char *detail);

/* Sets a failed result for a local (kdr-side) reason: no Kafka error name. */
void kdr_kafka__result_fail_local(struct kdr_action_result *result, const struct kdr_kafka_conn *conn,
				  const char *topic, int code, const char *detail);

/* --- visible.c --- */

/* How long an apply waits for every broker to show its changes (KRaft propagation). */
#define KDR_KAFKA_VISIBLE_WAIT_MS 10000

/*
 * After an apply on `conn`: waits, up to `wait_ms`, until every broker of
 * the cluster (each asked on a client of its own, made once per wait and
 * asked once its connection is up) lists the topics the plan's successful
 * create-topic and add-partitions actions made, with their partition counts
 * and a leader each, and none the successful delete-topic actions removed.
 * Every broker is asked once even past `wait_ms`, with conn->timeout_ms for
 * its connection and again for its answer. Nothing to wait for
 * (validate-only, no such action): returns 0 at once. Returns 0, or
 * KDR_ETIMEOUT with a message naming the brokers that did not answer within
 * conn->timeout_ms, those whose answer did not show the apply yet (and a
 * topic), or that no broker answered with the list of brokers (the apply
 * itself succeeded: a caller reports it as a warning).
 */
int kdr_kafka__wait_visible(struct kdr_kafka_conn *conn, const struct kdr_plan *plan,
			    const struct kdr_action_result *results, int wait_ms);

#endif
