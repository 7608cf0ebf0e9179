#ifndef KDR_SANDBOX_CONNECT_STATE_H
#define KDR_SANDBOX_CONNECT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "connect_plugins.h"
#include "util/strmap.h"

/*
 * The worker's connectors and tasks: configs, target states (what the user
 * asked for) and runtime states (what the status endpoint reports), and the
 * transitions Connect's herder makes between them. By default everything is
 * applied at once: a change Connect would apply asynchronously after
 * answering is already visible on the next request. With a state delay
 * (kdr_connect_state_set_delay) a pause/resume/stop only records the target,
 * a config update only stores the config, a restart only records which
 * instances restart, and the instances move once the delay has passed, as real Connect moves them after a rebalance. Not thread-safe; the server holds its lock around
 * every call. Private to the sandbox.
 */

enum kdr_connect_state {
	KDR_CONNECT_UNASSIGNED,
	KDR_CONNECT_RUNNING,
	KDR_CONNECT_PAUSED,
	KDR_CONNECT_STOPPED,
	KDR_CONNECT_FAILED,
	KDR_CONNECT_RESTARTING,
};

/* The target state a user sets with pause/resume/stop (Connect's TargetState). */
enum kdr_connect_target {
	KDR_CONNECT_TARGET_STARTED,
	KDR_CONNECT_TARGET_PAUSED,
	KDR_CONNECT_TARGET_STOPPED,
};

struct kdr_connect_task {
	enum kdr_connect_state state;
	char *trace;	      /* NULL: none */
	bool pending_restart; /* a restart asked for but not done yet (state delay) */
	/* kdr_connect_state_fail_again: each restart runs the task, then it FAILs again with again_trace */
	char *again_trace;	/* NULL: no such fault */
	uint64_t again_after_ns; /* how long it runs first */
	uint64_t again_due_ns;	 /* when the running task fails again; 0: not running with the fault */
};

struct kdr_connect_connector {
	char *name;
	struct kdr_strmap config;      /* raw, as stored: name included */
	struct kdr_strmap task_config; /* the config the current tasks were generated from */
	const struct kdr_connect_plugin *plugin;
	enum kdr_connect_target target;
	enum kdr_connect_state state;
	char *trace;
	struct kdr_connect_task *tasks;
	size_t n_tasks;
	bool pending; /* a target asked for but not applied yet (state delay) */
	enum kdr_connect_target pending_target;
	bool pending_bounce;	 /* a config written but not acted on yet (state delay) */
	bool pending_restart;	 /* a restart of the connector instance not done yet (state delay) */
	bool pending_task_restart; /* some task's pending_restart is set */
	uint64_t pending_due_ns; /* CLOCK_MONOTONIC ns at which the pending target, bounce and restarts apply */
};

struct kdr_connect_state_store {
	char *worker_id;		  /* "127.0.0.1:PORT" */
	struct kdr_connect_connector **v; /* sorted by name */
	size_t n;
	size_t cap;
	uint64_t state_delay_ns; /* 0: target states apply at once */
	uint64_t now_ns;	 /* the clock as of the last kdr_connect_state_advance */
};

/* Starts an empty store whose instances report `worker_id` (copied). */
void kdr_connect_state_init(struct kdr_connect_state_store *store, const char *worker_id);
/* Frees every connector and the worker id. */
void kdr_connect_state_release(struct kdr_connect_state_store *store);

/* The connector named `name`, lent, or NULL. */
struct kdr_connect_connector *kdr_connect_state_find(const struct kdr_connect_state_store *store, const char *name);

/*
 * Creates connector `name` with the validated `config` (copied) in `target`
 * state, or replaces the config of an existing one (keeping its target
 * state). A new or changed config (re)generates the tasks; an unchanged one
 * restarts only the connector instance, as Connect does. With a state delay
 * an existing connector's new config is stored at once but the restart and
 * the new tasks wait for the delay (its tasks keep their old configs and
 * states meanwhile), as Connect restarts them after answering; a create is
 * applied at once. `*created` tells which happened. Returns the connector, lent.
 */
struct kdr_connect_connector *kdr_connect_state_put(bool *created, struct kdr_connect_state_store *store,
						    const char *name, const struct kdr_strmap *config,
						    const struct kdr_connect_plugin *plugin,
						    enum kdr_connect_target target);

/* Removes connector `name`; KDR_ENOTFOUND when absent. */
int kdr_connect_state_delete(struct kdr_connect_state_store *store, const char *name);

/* Sets the target state and moves the instances accordingly, at once. */
void kdr_connect_state_set_target(struct kdr_connect_connector *conn, enum kdr_connect_target target);
/*
 * PUT pause/resume/stop: without a state delay as kdr_connect_state_set_target;
 * with one the target is recorded (a later request replaces it; a later
 * request or config update restarts the delay) and applied by the first
 * kdr_connect_state_advance at least the delay after `now_ns`.
 */
void kdr_connect_state_request_target(struct kdr_connect_state_store *store, struct kdr_connect_connector *conn,
				      enum kdr_connect_target target);
/* How long a requested target waits before it applies (0: at once; pending ones keep their due time). */
void kdr_connect_state_set_delay(struct kdr_connect_state_store *store, uint64_t delay_ns);
/* Moves the clock to `now_ns` and applies every pending target and config that is due (no delay set: all). */
void kdr_connect_state_advance(struct kdr_connect_state_store *store, uint64_t now_ns);

/*
 * POST restart with includeTasks/onlyFailed: returns the restart plan as a
 * new status object (restarted instances shown RESTARTING), then restarts
 * them. Without either flag, only the connector instance restarts. With a
 * state delay the instances are only marked: they keep their state (a FAILED
 * task reads FAILED) until kdr_connect_state_advance restarts them, the delay
 * after `now_ns`, as Connect restarts them after answering.
 */
json_t *kdr_connect_state_restart(struct kdr_connect_state_store *store, struct kdr_connect_connector *conn,
				  bool include_tasks, bool only_failed);

/* POST tasks/{id}/restart, behind the state delay as above; KDR_ENOTFOUND when the task does not exist. */
int kdr_connect_state_restart_task(struct kdr_connect_state_store *store, struct kdr_connect_connector *conn,
				   long task);

/* Fault injection: marks a task (task >= 0) or the connector (task < 0) FAILED with `trace`. */
int kdr_connect_state_fail(struct kdr_connect_connector *conn, long task, const char *trace);
/*
 * Fault injection: task `task` FAILs with `trace` now and after every
 * restart, `after_ns` after it runs again (0: at once, before any status
 * read sees it running), as a task whose first poll throws does (real Connect
 * 4.1.1, a heartbeat task with a failing transform: RESTARTING 0.03 s after
 * the restart's answer, RUNNING 0.05 s, FAILED again 1.07 s, the same
 * trace). New task configs (a config change, a stop) end it. KDR_ENOTFOUND
 * when the task does not exist.
 */
int kdr_connect_state_fail_again(struct kdr_connect_connector *conn, long task, const char *trace, uint64_t after_ns);
/* Fault injection: the connector and its tasks become UNASSIGNED (their worker left the group). */
void kdr_connect_state_unassign(struct kdr_connect_connector *conn);

/* "RUNNING", "PAUSED", ... */
const char *kdr_connect_state_name(enum kdr_connect_state state);

/* ConnectorInfo {"name","config","tasks","type"}: a new object. */
json_t *kdr_connect_state_info_json(const struct kdr_connect_connector *conn);
/* ConnectorStateInfo {"name","connector","tasks","type"}: a new object. */
json_t *kdr_connect_state_status_json(const struct kdr_connect_state_store *store,
				      const struct kdr_connect_connector *conn);
/* TaskState {"id","state","worker_id"[,"trace"]} of task `task`: a new object, or NULL when absent. */
json_t *kdr_connect_state_task_status_json(const struct kdr_connect_state_store *store,
					   const struct kdr_connect_connector *conn, long task);
/* GET tasks: [{"id":{"connector","task"},"config":{...}}], a new array. */
json_t *kdr_connect_state_tasks_json(const struct kdr_connect_connector *conn);
/* The config as a flat JSON object of strings: a new object. */
json_t *kdr_connect_state_config_json(const struct kdr_connect_connector *conn);

#endif
