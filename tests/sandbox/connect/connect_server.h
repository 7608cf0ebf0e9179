#ifndef KDR_SANDBOX_CONNECT_SERVER_H
#define KDR_SANDBOX_CONNECT_SERVER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A Kafka Connect worker's REST API (libmicrohttpd, loopback only) that
 * behaves like Connect for the MirrorMaker 2 connectors: connector CRUD,
 * status with tasks, pause/resume/restart, plugins and config validation,
 * Connect's status codes and {"error_code", "message"} bodies. It runs no
 * connector code; state is in memory. Thread-safe.
 */
struct kdr_connect_server;

/*
 * Starts a worker attached to the Kafka cluster `kafka_cluster_id` (what
 * GET / reports) on 127.0.0.1:`port` (0: ephemeral). Returns 0 or a negative
 * kdr error code with kdr_error_set.
 */
int kdr_connect_server_start(struct kdr_connect_server **out, const char *kafka_cluster_id, int port);
void kdr_connect_server_stop(struct kdr_connect_server *server);
/* "http://127.0.0.1:P", lent. */
const char *kdr_connect_server_url(const struct kdr_connect_server *server);

/*
 * Target-state delay: with `ms` > 0, PUT pause/resume/stop answer at once and
 * the connector and its tasks move `ms` later (seen by the first request
 * after that), as real Connect moves them after a rebalance; 0 (the default)
 * applies them before answering and applies any still pending now.
 */
void kdr_connect_server_set_state_delay(struct kdr_connect_server *server, int ms);
/* The next `count` requests get HTTP `status` with a Connect-style error body. */
void kdr_connect_server_fail(struct kdr_connect_server *server, int status, int count);
/* Marks task `task` of `connector` FAILED with `trace`; KDR_ENOTFOUND when absent. */
int kdr_connect_server_fail_task(struct kdr_connect_server *server, const char *connector, int task,
				 const char *trace);
/*
 * Marks task `task` of `connector` FAILED with `trace`, now and after every
 * restart: the restarted task runs for `after_ms` (0: fails before any
 * status read sees it running), then FAILs again with the same trace, as a
 * task whose first poll throws. New task configs end it. KDR_ENOTFOUND when absent.
 */
int kdr_connect_server_fail_task_again(struct kdr_connect_server *server, const char *connector, int task,
				       const char *trace, int after_ms);
/*
 * Marks connector `connector` FAILED with `trace` (its tasks keep their
 * states); KDR_ENOTFOUND when absent. A restart brings it back.
 */
int kdr_connect_server_fail_connector(struct kdr_connect_server *server, const char *connector, const char *trace);
/*
 * Marks connector `connector` and its tasks UNASSIGNED, as when their worker
 * left the group; KDR_ENOTFOUND when absent. A restart brings them back.
 */
int kdr_connect_server_unassign(struct kdr_connect_server *server, const char *connector);
/* Requests served, by method (NULL: all). */
uint64_t kdr_connect_server_request_count(struct kdr_connect_server *server, const char *method);
/* When the first (`last` false) or the last request of `method` since the reset arrived (CLOCK_MONOTONIC ns; 0: none). */
uint64_t kdr_connect_server_request_ns(struct kdr_connect_server *server, const char *method, bool last);
void kdr_connect_server_reset_counters(struct kdr_connect_server *server);

#endif
