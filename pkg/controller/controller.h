#ifndef KDR_CONTROLLER_CONTROLLER_H
#define KDR_CONTROLLER_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "health/health.h"
#include "model/model.h"
#include "plan/plan.h"
#include "source/source.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/hash.h"

/*
 * The reconcile loop behind `kdr run` (DESIGN.md §5, STYLE.md "Controller
 * semantics"). Level-triggered: every cycle reads the whole desired state
 * from a source and the whole live state of the clusters, plans, publishes
 * the plan in the log, then applies it. A source change only wakes the loop;
 * the periodic resync is what repairs drift. A source revision that does not
 * parse or validate is never used: the last good desired state stays in
 * effect. Failures of one cluster back it off exponentially without holding
 * up the others. /metrics, /healthz and /readyz are served on a loopback (or
 * the given) address by libmicrohttpd's own thread.
 *
 * The parts are exported separately so that each is unit-tested: backoff
 * arithmetic, the metrics exposition, the log line format, the sources.
 */

/* --- backoff --- */

/* Exponential backoff of a failing cluster: base, 2 base, 4 base ... capped at max. */
struct kdr_controller_backoff_policy {
	int64_t base_ms;         /* delay after the first failure */
	int64_t max_ms;          /* cap of the delay */
	unsigned jitter_percent; /* each wait is the delay +-jitter_percent (0..100) */
};

#define KDR_CONTROLLER_BACKOFF_POLICY_INIT { 5000, 300000, 10 }

/* One cluster's backoff state. Zeroed: healthy. */
struct kdr_controller_backoff {
	unsigned failures;     /* consecutive failed cycles */
	int64_t delay_ms;      /* the current (capped, un-jittered) delay; 0 healthy */
	int64_t not_before_ms; /* monotonic ms before which the cluster is skipped; 0 none */
};

/*
 * The delay after `failures` consecutive failures: 0 for none, base_ms for
 * the first, doubling each time, never above max_ms (no overflow however
 * large `failures` is).
 */
int64_t kdr_controller_backoff_delay(const struct kdr_controller_backoff_policy *policy, unsigned failures);

/*
 * `ms` moved by a uniformly drawn amount in [-percent, +percent] of itself
 * (percent capped at 100), so that many controllers (or clusters) started
 * together spread out. 0 and negative `ms` are returned as they are.
 */
int64_t kdr_controller_jitter(struct kdr_rng *rng, int64_t ms, unsigned percent);

/*
 * Records a failure at monotonic time `now_ms`: one more consecutive
 * failure, the next delay, and a jittered deadline before which the cluster
 * is skipped.
 */
void kdr_controller_backoff_fail(struct kdr_controller_backoff *backoff,
				 const struct kdr_controller_backoff_policy *policy, struct kdr_rng *rng,
				 int64_t now_ms);

/* Records a success: back to healthy (no delay, no deadline, no failures). */
void kdr_controller_backoff_reset(struct kdr_controller_backoff *backoff);

/* Whether the cluster is still to be skipped at monotonic time `now_ms`. */
bool kdr_controller_backoff_active(const struct kdr_controller_backoff *backoff, int64_t now_ms);

/* --- metrics --- */

/* The results an action can have in kdr_actions_total{result}. */
enum kdr_controller_action_result {
	KDR_CONTROLLER_ACTION_SUCCEEDED,
	KDR_CONTROLLER_ACTION_FAILED,
	KDR_CONTROLLER_ACTION_SKIPPED, /* not attempted (its cluster failed, stop requested, validate-only) */
	KDR_CONTROLLER_ACTION_DRY_RUN, /* planned under --dry-run, never applied */
	KDR_CONTROLLER_ACTION_HELD,    /* not attempted: the connector delete it waits for failed (result.held) */
	KDR_CONTROLLER_ACTION_PENDING, /* applied, but Connect did not report it within --timeout (result.unsettled) */
};

#define KDR_CONTROLLER_ACTION_RESULTS (KDR_CONTROLLER_ACTION_PENDING + 1)
#define KDR_CONTROLLER_ACTION_KINDS KDR_ACTION_KIND_COUNT

/* "succeeded", "failed", "skipped", "dry-run", "held", "pending". */
const char *kdr_controller_action_result_name(enum kdr_controller_action_result result);

struct kdr_controller_cluster_stats {
	char *name;
	uint64_t errors_total; /* failed reads, failed actions, plan-time errors */
	int64_t backoff_ms;    /* current backoff delay, 0 when healthy */
};

/*
 * Everything /metrics shows; what the loop last recorded. Zeroed is the
 * state before the first cycle. Strings and the cluster array are owned.
 */
/* A flow's replication lag as the last cycle measured it (the figures of kdr lag). */
struct kdr_controller_flow_lag {
	char *flow;
	struct kdr_health_lag lag;
};

/* Frees an array of flow lags (accepts NULL). */
void kdr_controller_flow_lags_free(struct kdr_controller_flow_lag *lags, size_t n);

struct kdr_controller_stats {
	uint64_t cycles_success;
	uint64_t cycles_failure;
	uint64_t actions[KDR_CONTROLLER_ACTION_KINDS][KDR_CONTROLLER_ACTION_RESULTS];
	uint64_t source_errors_total;    /* checks that failed, revisions that were rejected */
	struct kdr_controller_cluster_stats *clusters; /* sorted by name */
	size_t n_clusters;
	size_t cap_clusters;
	int64_t last_success_unix_ms;    /* end of the last successful cycle; 0 never */
	int64_t last_cycle_duration_ms;
	char *revision;                  /* desired-state revision last reconciled; NULL none yet */
	uint64_t plan_actions;           /* actions of the last plan */
	uint64_t drift_items;            /* what still differed after the last cycle */
	uint64_t pending_items;          /* of those, held or pending actions and blocked items (not with dry_run) */
	bool ready;                      /* a cycle has succeeded */
	int leader;                      /* 0: no leader election, 1: standby, 2: holds the Lease */
	struct kdr_controller_flow_lag *flow_lags; /* sorted by flow, from the last measurement */
	size_t n_flow_lags;
};

/* The entry of cluster `name`, added (zeroed, in name order) if missing; lent. */
struct kdr_controller_cluster_stats *kdr_controller_stats_cluster(struct kdr_controller_stats *stats,
								  const char *name);

void kdr_controller_stats_release(struct kdr_controller_stats *stats);

/*
 * Appends the Prometheus text exposition (format 0.0.4) of `stats`: a HELP
 * and a TYPE line per family, families in a fixed order, series in sorted
 * label order, label values escaped (backslash, double quote, newline).
 * Families: kdr_reconcile_cycles_total{result}, kdr_actions_total{kind,result}
 * (non-zero series only), kdr_errors_total{cluster}, kdr_source_errors_total,
 * kdr_last_success_timestamp_seconds, kdr_last_cycle_duration_seconds,
 * kdr_info{revision}, kdr_plan_actions, kdr_drift_items,
 * kdr_cluster_backoff_seconds{cluster}, kdr_leader with leader election, and per flow
 * kdr_flow_lag_measured{flow}, kdr_flow_lag_measured_timestamp_seconds{flow} (when the figures
 * were measured: kdr run --lag-interval keeps them between measurements),
 * kdr_flow_lag_records{flow}, kdr_flow_rpo_seconds{flow},
 * kdr_flow_heartbeat_age_seconds{flow} (the last four only when known),
 * kdr_flow_topic_lag_records{flow,topic} and kdr_flow_topic_rpo_seconds{flow,topic} for at most
 * KDR_HEALTH_LAG_TOPICS topics (kdr_health_lag_worst), kdr_flow_lag_topics_omitted{flow}: at most
 * 6 + 2 x KDR_HEALTH_LAG_TOPICS lag series per flow. The same stats give the same bytes.
 */
void kdr_controller_metrics_render(struct kdr_buf *out, const struct kdr_controller_stats *stats);

/* Appends `value` escaped for a label value (the quotes are the caller's). */
void kdr_controller_metrics_escape(struct kdr_buf *out, const char *value);

/* --- logs --- */

enum kdr_controller_log_format {
	KDR_CONTROLLER_LOG_TEXT, /* ts level msg key=value ... */
	KDR_CONTROLLER_LOG_JSON, /* {"ts":..,"level":..,"msg":..,key:value,...} */
};

/* Each log format's word (kdr run --log-format), at its value; NULL-terminated. */
extern const char *const kdr_controller_log_format_names[];

enum kdr_controller_log_level {
	KDR_CONTROLLER_LOG_DEBUG,
	KDR_CONTROLLER_LOG_INFO,
	KDR_CONTROLLER_LOG_WARN,
	KDR_CONTROLLER_LOG_ERROR,
};

/* "debug", "info", "warn", "error". */
const char *kdr_controller_log_level_name(enum kdr_controller_log_level level);

struct kdr_controller_log_field {
	const char *key;   /* [a-z_]+, never ts, level or msg */
	const char *value; /* NULL is logged as an empty string */
	bool raw;          /* a number or boolean: unquoted in JSON */
};

/*
 * Appends one log line (with its newline). `ts_unix_ms` is printed as an
 * RFC 3339 UTC time with milliseconds. Text: `TS LEVEL MSG key=value ...`,
 * a value quoted (JSON string syntax) when it is empty or holds a space, a
 * quote, '=', a backslash or a control character; MSG likewise when it holds
 * '=' or a quote or a control character. JSON: one object with ts, level,
 * msg, then the fields in order. Never looks at what the values mean: the
 * caller passes no secrets.
 */
void kdr_controller_log_format_line(struct kdr_buf *out, enum kdr_controller_log_format format, int64_t ts_unix_ms,
				    enum kdr_controller_log_level level, const char *msg,
				    const struct kdr_controller_log_field *fields, size_t n_fields);

/* --- sources: pkg/source (struct kdr_source; dir and Git) and pkg/k8s (Kubernetes) --- */

/* --- the loop --- */

struct kdr_controller_options {
	int64_t interval_ms; /* resync period; each wait is jittered by backoff.jitter_percent */
	int64_t poll_ms;     /* how often the source is checked (capped at interval_ms) */
	struct kdr_controller_backoff_policy backoff;
	bool dry_run;        /* plan and report; never apply */
	bool once;           /* one cycle, then kdr_controller_run returns */
	bool allow_delete;   /* deletions of prune: true policies become actions */
	int timeout_ms;      /* per request to the clusters; <= 0: the adapters' defaults */
	const char *const *clusters; /* only these clusters (NULL: every declared one); copied */
	size_t n_clusters;
	const char *listen;  /* "ADDR:PORT" for /metrics, /healthz, /readyz; NULL: no HTTP */
	enum kdr_controller_log_format log_format;
	FILE *log;           /* NULL: stderr */
	uint64_t seed;       /* jitter seed; 0: from the clock and pid */
	int64_t lag_interval_ms; /* flows' lag measured at most this often (the last figures kept
				    between); 0: never measured */
};

#define KDR_CONTROLLER_OPTIONS_INIT                                                                          \
	{ 60000, 5000, KDR_CONTROLLER_BACKOFF_POLICY_INIT, false, false, false, 0, NULL, 0, NULL,           \
	  KDR_CONTROLLER_LOG_TEXT, NULL, 0, 60000 }

struct kdr_controller;

/*
 * Creates a controller that takes over `source` (zeroed on return, also on
 * failure) and, when options->listen is set, starts serving HTTP on it.
 * Returns 0 and `*out` (kdr_controller_free), or KDR_EINVALID (bad options
 * or listen address), KDR_EUNAVAILABLE (cannot bind), KDR_EIO.
 */
int kdr_controller_new(struct kdr_controller **out, struct kdr_source *source,
		       const struct kdr_controller_options *options);

/*
 * The address HTTP is served on ("127.0.0.1:9464", the real port when 0 was
 * asked), or NULL without HTTP; lent.
 */
const char *kdr_controller_listen_address(const struct kdr_controller *ctl);

/*
 * Runs the loop on the calling thread. A cycle runs at once, then whenever
 * a check of the source (every poll_ms) finds a new revision, when a failed
 * cluster's backoff ends, and every interval_ms (jittered) to repair drift.
 * Runs until kdr_controller_request_stop (then the current cycle is
 * finished: actions already sent complete, no new apply starts) or, with
 * options.once, after one cycle. /healthz answers 200 while this runs;
 * /readyz 200 once a cycle has succeeded, until a stop. Returns 0 when
 * stopped on request or when the single cycle succeeded; otherwise the
 * first failure's code with kdr_error_set summarising the cycle.
 */
int kdr_controller_run(struct kdr_controller *ctl);

/*
 * Asks the loop to stop; `signo` (0: none) is named in the log. Safe to
 * call from a signal handler and from any thread (an atomic flag and a
 * write to a pipe that wakes the loop's sleep).
 */
void kdr_controller_request_stop(struct kdr_controller *ctl, int signo);

/* Whether a stop was requested (async-signal-safe). */
bool kdr_controller_stop_requested(struct kdr_controller *ctl);

/* A copy of the current stats into an empty `out` (kdr_controller_stats_release). */
void kdr_controller_stats_copy(struct kdr_controller_stats *out, struct kdr_controller *ctl);

/* Stops HTTP, frees everything; accepts NULL. */
void kdr_controller_free(struct kdr_controller *ctl);

/*
 * The process of `kdr run` (process.c). kdr_controller_process_init: its
 * malloc settings, called before any thread starts (before the source is
 * opened). kdr_controller_run_until_signalled: kdr_controller_run with
 * SIGTERM and SIGINT asking it to stop (a second one exits 1 at once) and
 * SIGPIPE ignored; returns kdr_controller_run's result.
 */
void kdr_controller_process_init(void);
int kdr_controller_run_until_signalled(struct kdr_controller *ctl);

#endif
