/*
 * librdkafka's and Kafka's errors, translated to kdr's: codes, per-action
 * results, and the scrubbing of secrets out of any text that crosses the
 * adapter's edge.
 */
#include <stdlib.h>
#include <string.h>

#include "kafka/kafka_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* Kafka's retriable protocol errors (the "retriable" column of Kafka's error table). */
static const int retriable_codes[] = {
    2,	 /* CORRUPT_MESSAGE */
    3,	 /* UNKNOWN_TOPIC_OR_PARTITION */
    5,	 /* LEADER_NOT_AVAILABLE */
    6,	 /* NOT_LEADER_OR_FOLLOWER */
    7,	 /* REQUEST_TIMED_OUT */
    9,	 /* REPLICA_NOT_AVAILABLE */
    13,	 /* NETWORK_EXCEPTION */
    14,	 /* COORDINATOR_LOAD_IN_PROGRESS */
    15,	 /* COORDINATOR_NOT_AVAILABLE */
    16,	 /* NOT_COORDINATOR */
    19,	 /* NOT_ENOUGH_REPLICAS */
    20,	 /* NOT_ENOUGH_REPLICAS_AFTER_APPEND */
    41,	 /* NOT_CONTROLLER */
    51,	 /* CONCURRENT_TRANSACTIONS */
    56,	 /* KAFKA_STORAGE_ERROR */
    70,	 /* FETCH_SESSION_ID_NOT_FOUND */
    71,	 /* INVALID_FETCH_SESSION_EPOCH */
    72,	 /* LISTENER_NOT_FOUND */
    74,	 /* FENCED_LEADER_EPOCH */
    75,	 /* UNKNOWN_LEADER_EPOCH */
    78,	 /* OFFSET_NOT_AVAILABLE */
    80,	 /* PREFERRED_LEADER_NOT_AVAILABLE */
    83,	 /* ELIGIBLE_LEADERS_NOT_AVAILABLE */
    84,	 /* ELECTION_NOT_NEEDED */
    88,	 /* UNSTABLE_OFFSET_COMMIT */
    89,	 /* THROTTLING_QUOTA_EXCEEDED */
    100, /* UNKNOWN_TOPIC_ID */
    103, /* INCONSISTENT_TOPIC_ID */
    106, /* FETCH_SESSION_TOPIC_ID_ERROR */
};

bool kdr_kafka__error_retriable(rd_kafka_resp_err_t err)
{
	switch (err) {
	case RD_KAFKA_RESP_ERR__TRANSPORT:
	case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
	case RD_KAFKA_RESP_ERR__RESOLVE:
	case RD_KAFKA_RESP_ERR__TIMED_OUT:
	case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
	case RD_KAFKA_RESP_ERR__WAIT_COORD:
	case RD_KAFKA_RESP_ERR__DESTROY:
		return true;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof(retriable_codes) / sizeof(retriable_codes[0]); i++)
		if ((int)err == retriable_codes[i])
			return true;
	return false;
}

int kdr_kafka__error_code(rd_kafka_resp_err_t err)
{
	/* On int: Kafka's newer codes are not in librdkafka 2.0.2's enum. */
	switch ((int)err) {
	case RD_KAFKA_RESP_ERR_NO_ERROR:
		return KDR_OK;
	case RD_KAFKA_RESP_ERR__TIMED_OUT:
	case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
	case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
		return KDR_ETIMEOUT;
	case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
		return KDR_EEXISTS;
	/* Not-found first: Kafka calls UNKNOWN_TOPIC_OR_PARTITION retriable (metadata lag), but for an admin action it
	 * means the topic is gone. */
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
	case 100: /* UNKNOWN_TOPIC_ID */
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
	case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
	case RD_KAFKA_RESP_ERR_RESOURCE_NOT_FOUND:
		return KDR_ENOTFOUND;
	case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
	case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
	case RD_KAFKA_RESP_ERR_TOPIC_DELETION_DISABLED:
	case RD_KAFKA_RESP_ERR_SECURITY_DISABLED:
		return KDR_EUNSUPPORTED;
	case RD_KAFKA_RESP_ERR_REASSIGNMENT_IN_PROGRESS:
	case RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS:
	case RD_KAFKA_RESP_ERR__CONFLICT:
		return KDR_ECONFLICT;
	default:
		break;
	}
	if (kdr_kafka__error_retriable(err))
		return KDR_EUNAVAILABLE;
	/* Everything else (INVALID_*, POLICY_VIOLATION, authorization, authentication) will not heal by retrying. */
	return KDR_EINVALID;
}

void kdr_kafka__scrub_into(const struct kdr_kafka_conn *conn, char *buf, size_t size, const char *text)
{
	char *scrubbed = kdr_kafka__scrub(conn, text ? text : "");
	size_t len = strlen(scrubbed);

	if (size == 0) {
		free(scrubbed);
		return;
	}
	if (len >= size)
		len = size - 1;
	memcpy(buf, scrubbed, len);
	buf[len] = '\0';
	free(scrubbed);
}

char *kdr_kafka__scrub(const struct kdr_kafka_conn *conn, const char *text)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	const char *p = text;

	if (!text)
		return NULL;
	if (!conn || conn->secrets.n == 0)
		return kdr_strdup(text);
	/* Secrets are sorted longest first, so a secret that contains another is replaced whole. */
	while (*p) {
		size_t matched = 0;

		for (size_t i = 0; i < conn->secrets.n; i++) {
			size_t n = strlen(conn->secrets.v[i]);

			if (n > 0 && strncmp(p, conn->secrets.v[i], n) == 0) {
				matched = n;
				break;
			}
		}
		if (matched) {
			kdr_buf_puts(&buf, KDR_REDACTED);
			p += matched;
		} else {
			kdr_buf_putc(&buf, *p++);
		}
	}
	return kdr_buf_detach(&buf);
}

static void result_set(struct kdr_action_result *result, const struct kdr_kafka_conn *conn, const char *topic, int code,
		       const char *error_name, const char *prefix, const char *detail)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	char *scrubbed = kdr_kafka__scrub(conn, detail ? detail : "");

	kdr_action_result_release(result);
	result->attempted = true;
	result->code = code;
	result->error_name = error_name ? kdr_strdup(error_name) : NULL;
	kdr_buf_printf(&buf, "cluster '%s': topic '%s': %s", conn->cluster, topic, prefix ? prefix : "");
	if (error_name)
		kdr_buf_printf(&buf, "%s: ", error_name);
	kdr_buf_puts(&buf, scrubbed);
	result->message = kdr_buf_detach(&buf);
	free(scrubbed);
}

void kdr_kafka__result_fail(struct kdr_action_result *result, const struct kdr_kafka_conn *conn, const char *topic,
			    const char *prefix, rd_kafka_resp_err_t err, const char *detail)
{
	if (!detail || !*detail)
		detail = rd_kafka_err2str(err);
	result_set(result, conn, topic, kdr_kafka__error_code(err), rd_kafka_err2name(err), prefix, detail);
}

void kdr_kafka__result_fail_local(struct kdr_action_result *result, const struct kdr_kafka_conn *conn,
				  const char *topic, int code, const char *detail)
{
	result_set(result, conn, topic, code, NULL, NULL, detail);
}

void kdr_action_result_release(struct kdr_action_result *result)
{
	if (!result)
		return;
	free(result->error_name);
	free(result->message);
	memset(result, 0, sizeof(*result));
}
