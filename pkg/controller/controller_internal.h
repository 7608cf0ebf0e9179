#ifndef KDR_CONTROLLER_CONTROLLER_INTERNAL_H
#define KDR_CONTROLLER_CONTROLLER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "controller/controller.h"
#include "kafka/kafka.h"
#include "resolve/resolve.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/strvec.h"

/* The HTTP side of the controller (libmicrohttpd, its own polling thread). */

struct kdr_controller_http;

/*
 * Answers one GET or HEAD of `path`: appends the body to `body`, sets
 * `*content_type` (a static string) and returns the HTTP status. Runs on the
 * HTTP thread: it must take whatever lock the data it reads needs.
 */
typedef unsigned (*kdr_controller_http_handler)(struct kdr_buf *body, const char **content_type, const char *path,
						void *ctx);

/*
 * Binds `listen_addr` ("HOST:PORT", "[V6]:PORT"; HOST an address or a name
 * resolved once; port 0: ephemeral) and serves it on an internal thread.
 * Returns 0, `*out` and the bound address ("127.0.0.1:40123", heap) in
 * `*address`; KDR_EINVALID for a malformed address, KDR_EUNAVAILABLE when it
 * cannot be bound, with kdr_error_set.
 */
int kdr_controller__http_start(struct kdr_controller_http **out, char **address, const char *listen_addr,
			       kdr_controller_http_handler handler, void *ctx);

/* Stops serving (waits for the thread), closes the socket; accepts NULL. */
void kdr_controller__http_stop(struct kdr_controller_http *http);

/* --- the controller's state, shared by loop.c, desired.c and cycle.c --- */

/* The backoff of one cluster, kept across cycles by name. */
struct kdr_controller__cluster_state {
	char *name;
	struct kdr_controller_backoff backoff;
	int last_code; /* the code of its last failure */
};

struct kdr_controller {
	struct kdr_controller_options options; /* strings below are the controller's copies */
	struct kdr_strvec cluster_filter;
	struct kdr_source source;
	FILE *log;

	struct kdr_desired desired; /* the last good desired state, resolved once per loaded revision */
	bool have_desired;
	char *seen_revision;              /* the source's revision at the last good check */
	char *rejected_revision;          /* invalid: not loaded again until the source moves */
	char *check_error;                /* the last failed check's message, logged once */
	bool check_failed;
	int check_code;
	bool source_changed;              /* the last check saw a new revision: reconcile at once */
	const char *last_source_state;    /* the previous cycle's "ok", "invalid", "unavailable" */
	char *notes_revision;             /* plan warnings are logged once per revision */
	struct kdr_diags rejected_diags;  /* the diagnostics of rejected_revision */

	struct kdr_controller__cluster_state *states; /* backoff per cluster name, in no order */
	size_t n_states;
	size_t cap_states;
	struct kdr_rng rng;
	uint64_t cycle;
	int64_t lag_due_ms;               /* monotonic ms of the next lag measurement; 0: the next cycle */
	bool in_cycle;                    /* lines of a cycle carry its id and revision */

	int wake[2];                      /* self-pipe: a stop request ends any wait */
	atomic_int stop;
	atomic_int stop_signal;
	atomic_int alive;

	pthread_mutex_t lock;             /* guards stats (read by the HTTP thread) */
	struct kdr_controller_stats stats;

	struct kdr_kafka_pool *kafka;     /* Kafka clients kept across cycles (reads only) */

	struct kdr_controller_http *http;
	char *address;
	struct kdr_buf line;
};

/* --- log lines (log.c) --- */

#define KDR_CONTROLLER_MAX_FIELDS 24

/* The key=value pairs of one line; numbers are formatted into `numbers`. Zeroed is empty. */
struct kdr_controller_fields {
	struct kdr_controller_log_field v[KDR_CONTROLLER_MAX_FIELDS];
	char numbers[KDR_CONTROLLER_MAX_FIELDS][24];
	size_t n;
};

/* Adds a string field; a NULL value leaves the field out. Extra fields beyond the maximum are dropped. */
void kdr_controller__field_str(struct kdr_controller_fields *f, const char *key, const char *value);
void kdr_controller__field_int(struct kdr_controller_fields *f, const char *key, int64_t value);
void kdr_controller__field_bool(struct kdr_controller_fields *f, const char *key, bool value);

/*
 * Writes one line to the controller's log (flushed). Inside a cycle, the
 * cycle id and the revision in effect come first. Loop thread only.
 */
void kdr_controller__log(struct kdr_controller *ctl, enum kdr_controller_log_level level, const char *msg,
			 const struct kdr_controller_fields *f);

/* --- clusters (loop.c) --- */

/* The backoff state of cluster `name`, added (healthy) if new; lent. */
struct kdr_controller__cluster_state *kdr_controller__cluster_state(struct kdr_controller *ctl, const char *name);
/* Whether --cluster lets the loop reconcile `name`. */
bool kdr_controller__cluster_selected(const struct kdr_controller *ctl, const char *name);

/* --- the desired state (desired.c) --- */

/*
 * Asks the source for its current revision (cheap). A failure is counted and
 * logged when it starts or changes; the last good desired state stays.
 * Returns 0 or the check's code.
 */
int kdr_controller__check_source(struct kdr_controller *ctl);
/* Whether the source is at a revision that is neither in effect nor known to be invalid. */
bool kdr_controller__needs_load(const struct kdr_controller *ctl);
/*
 * Loads the source's revision when kdr_controller__needs_load says so, all or
 * nothing. Returns 0 when the state in effect is the source's (or the
 * source's is known invalid), else the load's code.
 */
int kdr_controller__update_desired(struct kdr_controller *ctl);

/* --- one cycle (cycle.c) --- */

/* Runs one reconcile cycle; returns 0 or its first failure's code (kdr_error_set summarises it). */
int kdr_controller__run_cycle(struct kdr_controller *ctl);

#endif
