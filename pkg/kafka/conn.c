/*
 * The connection: one librdkafka client per cluster, its configuration
 * (secrets resolved at use time and remembered only to scrub them), its
 * callbacks (a quiet log sink, client errors kept for messages), and the
 * waiting primitives the readers and the executor share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

#include "kafka/kafka_internal.h"
#include "util/alloc.h"
#include "util/error.h"

/* Big enough for the all-topics Metadata of a large cluster (librdkafka's default is 100 MB). */
#define KDR_KAFKA_RECEIVE_MAX "536870912"

void kdr_kafka__release_memory(void)
{
	/*
	 * Under AddressSanitizer, malloc is ASan's and glibc's arenas were never
	 * set up: malloc_trim would walk uninitialised state (it crashed on a
	 * reader thread). Trimming is only about peak RSS, so skip it there.
	 */
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
	malloc_trim(0);
#endif
}

bool kdr_kafka_handles(enum kdr_action_kind kind)
{
	return kdr_action_kind_stage(kind) == KDR_APPLY_KAFKA;
}

/* librdkafka's log, from its own threads: nowhere unless KDR_DEBUG, and never with a secret. */
static void log_sink(const rd_kafka_t *rk, int level, const char *fac, const char *text)
{
	const struct kdr_kafka_conn *conn = rd_kafka_opaque(rk);
	char line[1024];
	char ts[KDR_CLOCK_UTC_SIZE];

	if (!conn || !conn->debug)
		return;
	kdr_kafka__scrub_into(conn, line, sizeof(line), text);
	/* Debug lines carry the time, to tell where a slow step waits. */
	kdr_clock_utc(ts, kdr_clock_wall_ns(), 3);
	fprintf(stderr, "ts=%s level=debug msg=librdkafka cluster=%s syslog_level=%d facility=%s text=\"%s\"\n", ts,
		conn->cluster, level, fac ? fac : "", line);
}

/* Client-level errors, served by rd_kafka_poll on the caller's thread. */
static void error_sink(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kdr_kafka_conn *conn = opaque;

	(void)rk;
	if (!conn)
		return;
	switch (err) {
	case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
		conn->all_brokers_down = true;
		/* Keep the preceding transport error: it says why ("Connection refused"), this only "1/1 brokers are
		 * down". */
		if (conn->last_reason[0])
			return;
		break;
	case RD_KAFKA_RESP_ERR__AUTHENTICATION:
	case RD_KAFKA_RESP_ERR__SSL:
		conn->auth_failed = true;
		break;
	default:
		break;
	}
	conn->last_err = err;
	kdr_kafka__scrub_into(conn, conn->last_reason, sizeof(conn->last_reason), reason);
	if (conn->debug) {
		char ts[KDR_CLOCK_UTC_SIZE];

		kdr_clock_utc(ts, kdr_clock_wall_ns(), 3);
		fprintf(stderr, "ts=%s level=debug msg=\"librdkafka error\" cluster=%s error=%s reason=\"%s\"\n", ts,
			conn->cluster, rd_kafka_err2name((rd_kafka_resp_err_t)err), conn->last_reason);
	}
}

static int compare_longest_first(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a);
	size_t lb = strlen(*(char *const *)b);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Sets one property; messages never carry the value of a secret property. */
static int conf_set(rd_kafka_conf_t *conf, const struct kdr_kafka_conn *conn, const char *key, const char *value,
		    bool secret)
{
	char errstr[512] = "";
	char scrubbed[512] = "";
	rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr));

	if (res == RD_KAFKA_CONF_OK)
		return 0;
	if (res == RD_KAFKA_CONF_UNKNOWN)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': clientConfig '%s': unknown librdkafka property",
				     conn->cluster, key);
	if (secret)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': clientConfig '%s': invalid value", conn->cluster,
				     key);
	kdr_kafka__scrub_into(conn, scrubbed, sizeof(scrubbed), errstr);
	return kdr_error_set(KDR_EINVALID, "cluster '%s': clientConfig '%s': %s", conn->cluster, key, scrubbed);
}

static void wipe(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
}

int kdr_kafka_conn_open(struct kdr_kafka_conn **out, const struct kdr_cluster *cl,
			const struct kdr_kafka_options *options)
{
	struct kdr_kafka_conn *conn = NULL;
	rd_kafka_conf_t *conf = NULL;
	char **resolved = NULL;
	char errstr[512] = "";
	char scrubbed[512] = "";
	const char *name = cl->meta.name ? cl->meta.name : "";
	int error = 0;

	*out = NULL;
	conn = kdr_calloc(1, sizeof(*conn));
	conn->cluster = kdr_strdup(name);
	conn->bootstrap = kdr_strdup(cl->bootstrap_servers ? cl->bootstrap_servers : "");
	conn->timeout_ms = options && options->timeout_ms > 0 ? options->timeout_ms : KDR_KAFKA_DEFAULT_TIMEOUT_MS;
	conn->validate_only = options && options->validate_only;
	conn->verify_empty_acls = options && options->verify_empty_acls;
	conn->authorizer = -1;
	conn->answered_broker = -1;
	conn->debug = getenv("KDR_DEBUG") && *getenv("KDR_DEBUG");

	if (!cl->bootstrap_servers || !*cl->bootstrap_servers) {
		error = kdr_error_set(KDR_EINVALID, "cluster '%s': bootstrapServers is empty", name);
		goto cleanup;
	}

	/* kdr_validate refuses these with file:line:col; a desired state that skipped it never reaches librdkafka. */
	for (size_t i = 0; i < cl->client_config.n; i++) {
		const char *refusal = kdr_client_key_refusal(cl->client_config.v[i].key, &cl->client_config.v[i].value);

		if (refusal) {
			error = kdr_error_set(KDR_EINVALID, "cluster '%s': clientConfig '%s': %s", name,
					      cl->client_config.v[i].key, refusal);
			goto cleanup;
		}
	}
	/* Resolve every value first, so that all secrets are known before any message could carry one. */
	resolved = kdr_calloc(cl->client_config.n + 1, sizeof(*resolved));
	for (size_t i = 0; i < cl->client_config.n; i++) {
		const struct kdr_value_entry *entry = &cl->client_config.v[i];

		error = kdr_value_resolve(&resolved[i], &entry->value, options ? options->resolver : NULL);
		if (error) {
			/* The resolver's message names the env var / file / secret, never a value. */
			char *why = kdr_strdup(kdr_error_message());

			error = kdr_error_set(error, "cluster '%s': clientConfig '%s': %s", name, entry->key, why);
			free(why);
			goto cleanup;
		}
		if (kdr_value_is_secret(entry->key, &entry->value) && resolved[i][0])
			kdr_strvec_push(&conn->secrets, resolved[i]);
	}
	if (conn->secrets.n > 1)
		qsort(conn->secrets.v, conn->secrets.n, sizeof(*conn->secrets.v), compare_longest_first);

	conf = rd_kafka_conf_new();
	rd_kafka_conf_set_opaque(conf, conn);
	rd_kafka_conf_set_log_cb(conf, log_sink);
	rd_kafka_conf_set_error_cb(conf, error_sink);
	/* Defaults the user's clientConfig may override. */
	if ((error = conf_set(conf, conn, "client.id", "kdr", false)) ||
	    (error = conf_set(conf, conn, "log.connection.close", "false", false)) ||
	    (error = conf_set(conf, conn, "receive.message.max.bytes", KDR_KAFKA_RECEIVE_MAX, false)))
		goto cleanup;
	/* librdkafka's debug contexts come from the operator's environment, never from a document. */
	if (conn->debug && getenv("KDR_RDKAFKA_DEBUG") && *getenv("KDR_RDKAFKA_DEBUG") &&
	    (error = conf_set(conf, conn, "debug", getenv("KDR_RDKAFKA_DEBUG"), false)))
		goto cleanup;
	for (size_t i = 0; i < cl->client_config.n; i++) {
		const struct kdr_value_entry *entry = &cl->client_config.v[i];

		error = conf_set(conf, conn, entry->key, resolved[i], kdr_value_is_secret(entry->key, &entry->value));
		if (error)
			goto cleanup;
	}
	/* spec.bootstrapServers is authoritative over a stray clientConfig bootstrap.servers. */
	if ((error = conf_set(conf, conn, "bootstrap.servers", cl->bootstrap_servers, false)))
		goto cleanup;

	/* A reader of records: assigns partitions itself, never joins a group nor commits. */
	if (options && options->consumer &&
	    ((error = conf_set(conf, conn, "enable.auto.commit", "false", false)) ||
	     (error = conf_set(conf, conn, "enable.auto.offset.store", "false", false)) ||
	     (error = conf_set(conf, conn, "enable.partition.eof", "true", false))))
		goto cleanup;
	if (options && options->ordered && !options->consumer &&
	    ((error = conf_set(conf, conn, "max.in.flight.requests.per.connection", "1", false)) ||
	     (error = conf_set(conf, conn, "acks", "all", false)) ||
	     (error = conf_set(conf, conn, "linger.ms", "5", false))))
		goto cleanup;
	if (!(options && options->consumer))
		rd_kafka_conf_set_dr_msg_cb(conf, kdr_kafka__delivery_sink);
	conn->conf_template = rd_kafka_conf_dup(conf);
	conn->rk = rd_kafka_new(options && options->consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER, conf, errstr,
				sizeof(errstr));
	if (!conn->rk) {
		kdr_kafka__scrub_into(conn, scrubbed, sizeof(scrubbed), errstr);
		error = kdr_error_set(KDR_EINVALID, "cluster '%s': creating the Kafka client: %s", name, scrubbed);
		goto cleanup;
	}
	conf = NULL; /* owned by the client now */
	*out = conn;
	conn = NULL;

cleanup:
	if (conf)
		rd_kafka_conf_destroy(conf);
	if (resolved) {
		for (size_t i = 0; i < cl->client_config.n; i++) {
			wipe(resolved[i]);
			free(resolved[i]);
		}
		free(resolved);
	}
	kdr_kafka_conn_free(conn);
	return error;
}

void kdr_kafka_conn_free(struct kdr_kafka_conn *conn)
{
	if (!conn)
		return;
	/* The client first: its threads may still log through the scrubber. */
	if (conn->rk) {
		rd_kafka_destroy(conn->rk);
		/* librdkafka's metadata cache (every topic of the cluster) is gone: before the next cluster is read. */
		kdr_kafka__release_memory();
	}
	if (conn->conf_template)
		rd_kafka_conf_destroy(conn->conf_template);
	for (size_t i = 0; i < conn->secrets.n; i++)
		wipe(conn->secrets.v[i]);
	kdr_strvec_release(&conn->secrets);
	for (size_t i = 0; i < conn->n_memo; i++)
		free(conn->memo[i].rack);
	free(conn->memo);
	free(conn->cluster);
	free(conn->bootstrap);
	free(conn);
}

int kdr_kafka__conn_wait(struct kdr_kafka_conn *conn)
{
	int64_t deadline = kdr_clock_mono_ms() + conn->timeout_ms;
	char reason[sizeof(conn->last_reason)] = "";
	bool auth_failed = false;

	for (;;) {
		int64_t slice = deadline - kdr_clock_mono_ms();
		int64_t before = 0;
		char *id = rd_kafka_clusterid(conn->rk, 0);

		/* Heard from the cluster before (an earlier cycle): its old errors do not matter, the requests are
		 * bounded. */
		if (id) {
			rd_kafka_mem_free(conn->rk, id);
			return 0;
		}
		rd_kafka_poll(conn->rk, 0);
		if (conn->auth_failed || conn->all_brokers_down) {
			/* Consumed: a later attempt on this connection waits for new evidence. */
			auth_failed = conn->auth_failed;
			memcpy(reason, conn->last_reason, sizeof(reason));
			conn->auth_failed = false;
			conn->all_brokers_down = false;
			if (auth_failed)
				return kdr_error_set(KDR_EINVALID, "cluster '%s': cannot connect (bootstrap %s): %s",
						     conn->cluster, conn->bootstrap, reason);
			return kdr_error_set(KDR_EUNAVAILABLE,
					     "cluster '%s': cannot reach any broker (bootstrap %s): %s", conn->cluster,
					     conn->bootstrap, reason);
		}
		if (slice <= 0)
			break;
		if (slice > 100)
			slice = 100;
		/*
		 * The cluster id arrives with the Metadata librdkafka sends by
		 * itself once a broker is up, so waiting for it costs no request.
		 */
		before = kdr_clock_mono_ms();
		id = rd_kafka_clusterid(conn->rk, (int)slice);
		if (id) {
			rd_kafka_mem_free(conn->rk, id);
			return 0;
		}
		/* NULL at once: Metadata came without a cluster id (a pre-0.10.1 broker); connected all the same. */
		if (slice >= 20 && kdr_clock_mono_ms() - before < slice / 2)
			return 0;
	}
	if (conn->last_reason[0])
		return kdr_error_set(KDR_ETIMEOUT, "cluster '%s': no broker answered within %d ms (bootstrap %s): %s",
				     conn->cluster, conn->timeout_ms, conn->bootstrap, conn->last_reason);
	return kdr_error_set(KDR_ETIMEOUT, "cluster '%s': no broker answered within %d ms (bootstrap %s)",
			     conn->cluster, conn->timeout_ms, conn->bootstrap);
}

rd_kafka_AdminOptions_t *kdr_kafka__admin_options(struct kdr_kafka_conn *conn, rd_kafka_admin_op_t op,
						  bool validate_only)
{
	rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(conn->rk, op);
	char errstr[256] = "";
	/* The broker must answer before the client gives up, or a slow success looks like a timeout. */
	int operation_timeout = conn->timeout_ms * 4 / 5;
	bool has_operation_timeout = op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
				     op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS;

	if (!options) {
		kdr_error_set(KDR_EINVALID, "cluster '%s': admin options refused by librdkafka", conn->cluster);
		return NULL;
	}
	if (rd_kafka_AdminOptions_set_request_timeout(options, conn->timeout_ms, errstr, sizeof(errstr)) ||
	    (has_operation_timeout &&
	     rd_kafka_AdminOptions_set_operation_timeout(options, operation_timeout, errstr, sizeof(errstr))) ||
	    (validate_only && rd_kafka_AdminOptions_set_validate_only(options, 1, errstr, sizeof(errstr)))) {
		kdr_error_set(KDR_EINVALID, "cluster '%s': admin options: %s", conn->cluster, errstr);
		rd_kafka_AdminOptions_destroy(options);
		return NULL;
	}
	return options;
}

int kdr_kafka__admin_to_answered(rd_kafka_AdminOptions_t *options, const struct kdr_kafka_conn *conn)
{
	char errstr[256] = "";

	if (conn->answered_broker < 0)
		return 0;
	if (rd_kafka_AdminOptions_set_broker(options, conn->answered_broker, errstr, sizeof(errstr)))
		return kdr_error_set(KDR_EINVALID, "cluster '%s': admin options: %s", conn->cluster, errstr);
	return 0;
}

int64_t kdr_kafka__admin_deadline(const struct kdr_kafka_conn *conn)
{
	/* librdkafka answers every admin call by its request_timeout; the margin covers queueing. */
	return kdr_clock_mono_ms() + conn->timeout_ms + 5000;
}

void kdr_kafka__admin_call_release(struct kdr_kafka__admin_call *call)
{
	if (call->ev)
		rd_kafka_event_destroy(call->ev);
	if (call->queue)
		rd_kafka_queue_destroy(call->queue);
	if (call->options)
		rd_kafka_AdminOptions_destroy(call->options);
	memset(call, 0, sizeof(*call));
}

rd_kafka_event_t *kdr_kafka__wait_event(struct kdr_kafka_conn *conn, rd_kafka_queue_t *queue, int64_t deadline_ms)
{
	for (;;) {
		int64_t remaining = deadline_ms - kdr_clock_mono_ms();
		rd_kafka_event_t *ev = NULL;

		rd_kafka_poll(conn->rk, 0);
		if (remaining <= 0)
			return NULL;
		ev = rd_kafka_queue_poll(queue, (int)(remaining < 100 ? remaining : 100));
		if (ev)
			return ev;
	}
}
