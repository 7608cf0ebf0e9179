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
/* POST /connectors/<name>/tasks/<task>/restart (kdr_connect_restart below restarts a connector). */
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
 * How long the instances a restart restarted must run before the restart
 * counts as done (bounded by the apply's timeout): a task that fails again
 * right away is a failure to report, not a success the next plan undoes.
 * Real Connect 4.1.1, a heartbeat task: RESTARTING 0.03 s after the
 * restart's answer, RUNNING 0.05 s, FAILED again with the same trace 1.07 s
 * later when a transform throws, 6 s later when its producer refuses the
 * record (the send failure surfaces on a later loop of the task).
 */
#define KDR_CONNECT_RESTART_WINDOW_MS 10000

/* One instance a restart restarts (id -1: the connector). */
struct kdr_connect_restart_instance {
	int32_t id;
	bool restarted; /* seen in a state other than FAILED since the restart was answered */
};

/* What an apply has seen of one restart so far. */
struct kdr_connect_restart_watch {
	struct kdr_connect_restart_instance *v;
	size_t n;
	bool planned;			 /* v is Connect's restart plan: only its instances are watched */
	int64_t running_since_ms;	 /* every watched instance runs since then (kdr_clock_mono_ms); 0: not */
	enum kdr_connector_state seen; /* the state last read */
	char *trace;			 /* the first line of the last FAILED trace read, or NULL */
	int32_t failed_again;		 /* KDR_CONNECT_RESTART_FAILED_AGAIN: which instance (-1: the connector) */
};

#define KDR_CONNECT_RESTART_WATCH_INIT { NULL, 0, false, 0, KDR_CONNECTOR_UNKNOWN, NULL, 0 }

enum kdr_connect_restart_progress {
	KDR_CONNECT_RESTART_WAITING,	  /* not restarted yet, or not running for the window yet */
	KDR_CONNECT_RESTART_DONE,	  /* every instance ran for KDR_CONNECT_RESTART_WINDOW_MS */
	KDR_CONNECT_RESTART_FAILED_AGAIN, /* an instance was seen restarted, then FAILED */
};

/*
 * POST /connectors/<name>/restart?includeTasks=..&onlyFailed=..; `watch`
 * (KDR_CONNECT_RESTART_WATCH_INIT, or NULL) gets the instances Connect's 202
 * answer names RESTARTING: its restart plan, built from the status when it
 * took the request, so with onlyFailed=true the connector if it was FAILED
 * and the tasks that were FAILED, not the ones that ran. An answer without
 * a plan (no flags: 204; Connect before 3.0) leaves `watch` as it was, and
 * kdr_connect_restart_poll then watches the connector and every task.
 */
int kdr_connect_restart(struct kdr_connect_restart_watch *watch, struct kdr_connect_client *client, const char *name,
			bool include_tasks, bool only_failed);
/*
 * GET /connectors/<name>/status after a restart was answered (Connect
 * answers before it restarts: a FAILED instance reads FAILED, then
 * RESTARTING or UNASSIGNED, then RUNNING, or FAILED again). n_tasks == 0:
 * a connector restart, judged on the instances of the plan `watch` got from
 * kdr_connect_restart (one outside it ran when Connect took the restart: if
 * it FAILED since, that is no failure of this restart, and the next plan
 * restarts it; a plan naming none is DONE at once), or without a plan on the
 * connector and every task; else only tasks `tasks` (tasks/N/restart). Call
 * it every few hundred ms with the same `watch` (KDR_CONNECT_RESTART_WATCH_INIT
 * or filled by kdr_connect_restart first; released with
 * kdr_connect_restart_watch_release): an instance still FAILED is "not
 * restarted yet" until a read has seen it in another state, and FAILED after
 * that is FAILED_AGAIN (watch->trace holds the first line of its trace). A
 * read that fails leaves *out WAITING and returns its error.
 */
int kdr_connect_restart_poll(enum kdr_connect_restart_progress *out, struct kdr_connect_restart_watch *watch,
			     struct kdr_connect_client *client, const char *name, const int32_t *tasks,
			     size_t n_tasks, int64_t now_ms);
void kdr_connect_restart_watch_release(struct kdr_connect_restart_watch *watch);
/* GET /connectors/<name>/config: *out whether every key of `config` has its value there. */
int kdr_connect_config_matches(bool *out, struct kdr_connect_client *client, const char *name,
			       const struct kdr_strmap *config);

/* Requests sent (retries included), for tests and metrics. */
uint64_t kdr_connect_client_request_count(const struct kdr_connect_client *client);

#endif
