#ifndef KDR_CONNECT_CONNECT_H
#define KDR_CONNECT_CONNECT_H

#include <stdbool.h>
#include <stdint.h>

#include "live/live.h"
#include "model/model.h"
#include "util/strmap.h"

/*
 * Kafka Connect REST client (libcurl + jansson) for a KafkaCluster's
 * spec.connect: read the connectors with their status and config, and
 * change them. Every error message names the Connect URL and the connector
 * and carries Connect's own error message; credentials are never included.
 * 409 (rebalance in progress) and 5xx answers are retried with exponential
 * backoff up to max_retries; then KDR_ECONFLICT / KDR_EUNAVAILABLE.
 */

struct kdr_connect_options {
	int timeout_ms;     /* per HTTP request; <= 0: 30000 */
	int max_retries;    /* on 409/5xx/transport errors; < 0: 0; default 4 via KDR_CONNECT_OPTIONS_INIT */
	int retry_base_ms;  /* first backoff; doubles each retry */
	const struct kdr_secret_resolver *resolver; /* for auth secretKeyRef */
};

#define KDR_CONNECT_OPTIONS_INIT { 30000, 4, 200, NULL }

struct kdr_connect_client;

/* Prepares a client for cl->connect (auth secrets resolved now); KDR_EINVALID when cl has no connect. */
int kdr_connect_client_open(struct kdr_connect_client **out, const struct kdr_cluster *cl,
			    const struct kdr_connect_options *options);
void kdr_connect_client_free(struct kdr_connect_client *client);

/*
 * Reads GET / (version, kafka_cluster_id) and every connector with status and
 * config in one request (GET /connectors?expand=status&expand=info) into an
 * empty `out` (connectors sorted by name).
 */
int kdr_connect_read(struct kdr_live_connect *out, struct kdr_connect_client *client);

/* PUT /connectors/<name>/config; *created says whether Connect answered 201. */
int kdr_connect_put_config(struct kdr_connect_client *client, const char *name, const struct kdr_strmap *config,
			   bool *created);
int kdr_connect_pause(struct kdr_connect_client *client, const char *name);
int kdr_connect_resume(struct kdr_connect_client *client, const char *name);
/* PUT /connectors/<name>/stop (Connect 3.5+): the connector and its tasks stop, its config stays. */
int kdr_connect_stop(struct kdr_connect_client *client, const char *name);
/* POST /connectors/<name>/restart?includeTasks=..&onlyFailed=.. */
int kdr_connect_restart(struct kdr_connect_client *client, const char *name, bool include_tasks, bool only_failed);
int kdr_connect_restart_task(struct kdr_connect_client *client, const char *name, int32_t task);
/* DELETE /connectors/<name>; a 404 counts as done (the connector is gone either way). */
int kdr_connect_delete(struct kdr_connect_client *client, const char *name);

/*
 * GET /connectors/<name>/status: the connector's state now (UNKNOWN when
 * Connect names none); KDR_ENOTFOUND while Connect does not know it yet.
 */
int kdr_connect_connector_state(enum kdr_connector_state *out, struct kdr_connect_client *client, const char *name);
/*
 * Reads connector <name>'s state every 250 ms until it is `want` or
 * `timeout_ms` has passed (Connect answers a pause, resume or stop at once
 * and acts on it after a rebalance). *out gets the last state read. Returns 0
 * once it is `want`, else KDR_ETIMEOUT with a message naming what it is.
 */
int kdr_connect_await_state(enum kdr_connector_state *out, struct kdr_connect_client *client, const char *name,
			    enum kdr_connector_state want, int timeout_ms);
/*
 * GET /connectors/<name>/status: *out whether a restart has happened as far
 * as the status shows, i.e. no instance it restarts is FAILED or RESTARTING
 * (Connect answers a restart before it restarts them). n_tasks == 0: the
 * connector and all its tasks (restart?includeTasks=true&onlyFailed=true);
 * else only tasks `tasks` (tasks/N/restart). *seen gets the state of the
 * instance that still waits (or the last one read).
 */
int kdr_connect_restart_settled(bool *out, enum kdr_connector_state *seen, struct kdr_connect_client *client,
				const char *name, const int32_t *tasks, size_t n_tasks);
/* GET /connectors/<name>/config: *out whether every key of `config` has its value there. */
int kdr_connect_config_matches(bool *out, struct kdr_connect_client *client, const char *name,
			       const struct kdr_strmap *config);

/* Requests sent (retries included), for tests and metrics. */
uint64_t kdr_connect_client_request_count(const struct kdr_connect_client *client);

#endif
