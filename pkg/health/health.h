#ifndef KDR_HEALTH_HEALTH_H
#define KDR_HEALTH_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live/live.h"
#include "mm2/mm2.h"
#include "model/model.h"
#include "plan/plan.h"
#include "util/strvec.h"

/*
 * Flow health (`kdr status`): per ReplicationFlow, its connectors and their
 * tasks as Connect reports them, the remote topics its mirrored source
 * topics have (or not yet) on the target, and, from a plan of the same
 * state, the placement violations and DC-loss verdicts of declared topics.
 * Pure: computed from desired, live and plan values, no network (the lag
 * figures are measured by pkg/pipeline/lag.c and stored here). pkg/render
 * prints it (kdr_render_health_text, kdr_render_health_json).
 */

/* Ordered: a flow's level is the worst of its parts. */
enum kdr_health_level {
	KDR_HEALTH_OK,
	KDR_HEALTH_UNCHECKED, /* not read (a --cluster not selected): never counted healthy, never a failure */
	KDR_HEALTH_WARNING, /* works, but needs a look (drift, transient states, remote topics not there yet) */
	KDR_HEALTH_FAILED,  /* FAILED, missing, paused while it should run, or unreachable */
};

/* "ok", "unchecked", "warning", "failed". */
const char *kdr_health_level_name(enum kdr_health_level level);

/* Lines of a stack trace kept for display. */
#define KDR_HEALTH_TRACE_LINES 3

struct kdr_health_task {
	int32_t id;
	enum kdr_connector_state state;
	char *trace; /* the first KDR_HEALTH_TRACE_LINES lines, NULL when none */
};

struct kdr_health_connector {
	char *name;
	char *cluster; /* whose Connect runs it */
	enum kdr_mm2_role role;
	enum kdr_health_level level;
	/* Connect's state ("RUNNING", "FAILED", ...) or "missing", "unreachable", "not checked". */
	char *state;
	char *message; /* why the level is not ok (or what is noteworthy), NULL otherwise */
	char *trace;   /* the connector's own trace head, NULL when none */
	bool drift;    /* the plan would create, update or delete it */
	struct kdr_health_task *tasks;
	size_t n_tasks;
};

/* A source topic the flow mirrors, and its copy on the target. */
struct kdr_health_mirrored {
	char *topic;
	char *remote;
	int64_t source_partitions;
	int64_t remote_partitions; /* 0: the remote topic does not exist (yet) */
};

/* One mirrored topic's replication lag (kdr lag's per-topic totals). */
struct kdr_health_topic_lag {
	char *topic;     /* on the source */
	int64_t records; /* -1 unknown */
	int64_t rpo_ms;  /* age of the oldest unreplicated record, 0 none, -1 unknown */
};

/* A flow's replication lag, as `kdr lag` measures it (kdr_pipeline_status_lag fills it). */
struct kdr_health_lag {
	bool measured;
	char *error;              /* why it was not measured (both clusters not read, ...), or NULL */
	int64_t records;          /* total over the mirrored partitions, -1 when any is unknown */
	int64_t rpo_ms;           /* the largest RPO estimate, -1 when any is unknown */
	int64_t heartbeat_age_ms; /* newest heartbeat on the target, -1 none seen */
	int64_t measured_at_ms;   /* wall clock (Unix ms) */
	struct kdr_health_topic_lag *topics; /* sorted by topic */
	size_t n_topics;
};

void kdr_health_lag_release(struct kdr_health_lag *lag);

/* At most this many topics of a flow are listed with their own lag (metrics, k8s status). */
#define KDR_HEALTH_LAG_TOPICS 20
#define KDR_HEALTH_LAG_TOPICS_TEXT "20"

/*
 * The topics of `lag` listed on their own: at most KDR_HEALTH_LAG_TOPICS,
 * the furthest behind (unknown first, then the most records, ties by name),
 * in that order, lent into `out` (room for KDR_HEALTH_LAG_TOPICS). Returns
 * how many.
 */
size_t kdr_health_lag_worst(const struct kdr_health_topic_lag **out, const struct kdr_health_lag *lag);
void kdr_health_lag_copy(struct kdr_health_lag *out, const struct kdr_health_lag *src);

struct kdr_health_flow {
	char *name;
	char *source;
	char *target;
	bool suspended;
	enum kdr_health_level level;
	struct kdr_health_connector *connectors; /* sorted by (cluster, name) */
	size_t n_connectors;
	bool topics_checked;		      /* both clusters were read: `mirrored` is meaningful */
	struct kdr_health_mirrored *mirrored; /* sorted by source topic */
	size_t n_mirrored;
	size_t n_missing;	    /* mirrored topics without a remote topic */
	struct kdr_strvec problems; /* flow-level findings, one sentence each */
	struct kdr_health_lag lag;  /* unmeasured unless kdr_pipeline_status_lag ran */
};

/* A placement or DC-loss finding about an existing declared topic (from the plan). */
struct kdr_health_topic {
	enum kdr_health_level level;
	char *cluster;
	char *topic;
	char *kind; /* "placement-violation", "replication-factor", "dc-loss" */
	char *message;
};

struct kdr_health_cluster {
	char *name;
	bool checked;	   /* selected by --cluster (or no filter) */
	bool read;	   /* Kafka answered */
	bool has_connect;  /* spec.connect declared */
	bool connect_read; /* Connect answered */
	char *connect_url;
};

struct kdr_health {
	enum kdr_health_level level;	     /* worst of clusters and flows; topics only warn */
	struct kdr_health_cluster *clusters; /* sorted by name */
	size_t n_clusters;
	struct kdr_health_flow *flows; /* in name order */
	size_t n_flows;
	struct kdr_health_topic *topics; /* in plan order (cluster, topic) */
	size_t n_topics;
};

struct kdr_health_options {
	const char *const *clusters; /* the clusters that were read (NULL: all declared) */
	size_t n_clusters;
	/* The desired state's compiled regexes (resolve/resolve.h), lent; NULL: compiled per flow. */
	const struct kdr_resolve_filters *filters;
};

/*
 * Computes the status into an empty `out`. `plan` (may be NULL) is a plan of
 * the same desired and live state: it marks connector drift and supplies the
 * topic findings. Returns 0, or KDR_EINVALID when a flow cannot be rendered
 * (names an undeclared cluster); `out` is then empty.
 */
int kdr_health_compute(struct kdr_health *out, const struct kdr_desired *desired, const struct kdr_live *live,
		       const struct kdr_plan *plan, const struct kdr_health_options *options);

/* The first `lines` lines of `trace` (heap string), NULL for NULL or empty. */
char *kdr_health_trace_head(const char *trace, size_t lines);

void kdr_health_release(struct kdr_health *status);

#endif
