/*
 * Setting a broker's dynamic configs (kafka.h, restore --broker-configs):
 * one AlterConfigs for one BROKER resource. librdkafka 2.0.2 has no
 * IncrementalAlterConfigs, so the set sent replaces the broker's dynamic set.
 */
#include <stdlib.h>
#include <string.h>

#include "kafka/kafka_internal.h"
#include "util/alloc.h"
#include "util/error.h"

int kdr_kafka_conn_alter_broker_configs(struct kdr_kafka_conn *conn, const char *broker, const struct kdr_strmap *config)
{
	rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, broker);
	const char *what = *broker ? broker : "(cluster default)";
	struct kdr_kafka__admin_call call = { 0 };
	const rd_kafka_ConfigResource_t **results = NULL;
	size_t n = 0;
	int error = 0;

	for (size_t i = 0; i < config->n && !error; i++)
		if (rd_kafka_ConfigResource_set_config(resource, config->v[i].key, config->v[i].value))
			error = kdr_error_set(KDR_EINVALID, "cluster '%s': broker %s: invalid config '%s'", conn->cluster,
					      what, config->v[i].key);
	if (error || (error = kdr_kafka__conn_wait(conn)))
		goto cleanup;
	call.options = kdr_kafka__admin_options(conn, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, false);
	if (!call.options) {
		error = kdr_error_last();
		goto cleanup;
	}
	call.queue = rd_kafka_queue_new(conn->rk);
	rd_kafka_AlterConfigs(conn->rk, &resource, 1, call.options, call.queue);
	for (int64_t deadline = kdr_kafka__admin_deadline(conn); !call.ev;) {
		call.ev = kdr_kafka__wait_event(conn, call.queue, deadline);
		if (!call.ev) {
			error = kdr_error_set(KDR_ETIMEOUT, "cluster '%s': broker %s: AlterConfigs: no answer within %d ms",
					      conn->cluster, what, conn->timeout_ms);
			goto cleanup;
		}
		if (rd_kafka_event_type(call.ev) != RD_KAFKA_EVENT_ALTERCONFIGS_RESULT) {
			rd_kafka_event_destroy(call.ev);
			call.ev = NULL;
		}
	}
	if (rd_kafka_event_error(call.ev)) {
		char *detail = kdr_kafka__scrub(conn, rd_kafka_event_error_string(call.ev));

		error = kdr_error_set(kdr_kafka__error_code(rd_kafka_event_error(call.ev)),
				      "cluster '%s': broker %s: %s: %s", conn->cluster, what,
				      rd_kafka_err2name(rd_kafka_event_error(call.ev)), detail ? detail : "");
		free(detail);
		goto cleanup;
	}
	results = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(call.ev), &n);
	for (size_t i = 0; i < n && !error; i++)
		if (rd_kafka_ConfigResource_error(results[i])) {
			char *detail = kdr_kafka__scrub(conn, rd_kafka_ConfigResource_error_string(results[i]));

			error = kdr_error_set(kdr_kafka__error_code(rd_kafka_ConfigResource_error(results[i])),
					      "cluster '%s': broker %s: %s: %s", conn->cluster, what,
					      rd_kafka_err2name(rd_kafka_ConfigResource_error(results[i])),
					      detail ? detail : "");
			free(detail);
		}
cleanup:
	kdr_kafka__admin_call_release(&call);
	rd_kafka_ConfigResource_destroy(resource);
	return error;
}
