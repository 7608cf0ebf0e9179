#ifndef KDR_DR_DR_H
#define KDR_DR_DR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live/live.h"
#include "mm2/mm2.h"
#include "mm2/records.h"
#include "model/model.h"
#include "util/buf.h"
#include "util/regex.h"
#include "util/strvec.h"

/*
 * DR operations as pure functions: what a failover commits, what a lag report
 * says. No I/O: the commands (cmd/kdr) read the records and offsets through
 * pkg/kafka and hand them in; these functions decide and render.
 */

/* --- Checkpoints: the latest per (group, topic, partition), as MirrorClient keeps them --- */

struct kdr_dr_checkpoints {
	struct kdr_mm2_checkpoint *v; /* after _finish: sorted by (group, topic, partition), one per key */
	size_t n;
	size_t cap;
	size_t records;   /* records offered */
	size_t corrupt;   /* records that did not decode (skipped, as MirrorClient does) */
	char *first_error; /* the first decode error ("record at offset 7: checkpoint value: truncated ...") */
};

/*
 * Decodes one record of the checkpoints topic (offset = its offset there, for
 * the message) and keeps it; a later record for the same key replaces an
 * earlier one (log order, the way RemoteClusterUtils.translateOffsets lets the
 * last record win). A record that does not decode is counted and skipped.
 */
void kdr_dr_checkpoints_add_record(struct kdr_dr_checkpoints *set, int64_t offset, const void *key, size_t key_len,
				   const void *value, size_t value_len);
/* Same with a decoded checkpoint (copied). */
void kdr_dr_checkpoints_add(struct kdr_dr_checkpoints *set, const struct kdr_mm2_checkpoint *cp);
/* Sorts and keeps the last of each key; call once after the adds, before lookups. */
void kdr_dr_checkpoints_finish(struct kdr_dr_checkpoints *set);
const struct kdr_mm2_checkpoint *kdr_dr_checkpoints_find(const struct kdr_dr_checkpoints *set, const char *group,
							 const char *topic, int32_t partition);
void kdr_dr_checkpoints_release(struct kdr_dr_checkpoints *set);

/* --- Offset-syncs: the latest per source (topic, partition) --- */

struct kdr_dr_syncs {
	struct kdr_mm2_offset_sync *v; /* after _finish: sorted by (topic, partition), one per key */
	size_t n;
	size_t cap;
	size_t records;
	size_t corrupt;
	char *first_error;
};

/* As for checkpoints: decode, keep the last per key, count and skip what does not decode. */
void kdr_dr_syncs_add_record(struct kdr_dr_syncs *set, int64_t offset, const void *key, size_t key_len,
			     const void *value, size_t value_len);
void kdr_dr_syncs_finish(struct kdr_dr_syncs *set);
const struct kdr_mm2_offset_sync *kdr_dr_syncs_find(const struct kdr_dr_syncs *set, const char *topic,
						    int32_t partition);
void kdr_dr_syncs_release(struct kdr_dr_syncs *set);

/* --- Failback: a downstream position translated back upstream by the offset-syncs --- */

/*
 * MM2 writes checkpoints only in a flow's direction (dc-east -> dc-west); a
 * group that moved to dc-west and advanced on the remote topic
 * (dc-east.orders) gets its position on the primary's own topic (orders) by
 * inverting the original flow's offset-syncs. One history per source
 * topic-partition, fed in the offset-syncs topic's log order.
 */
struct kdr_dr_sync_point {
	int64_t upstream;   /* offset of a record on the source topic */
	int64_t downstream; /* offset MM2 wrote that record at on the remote topic */
};

struct kdr_dr_sync_history {
	struct kdr_dr_sync_point *v; /* both offsets strictly increasing */
	size_t n;
	size_t cap;
	size_t dropped; /* syncs a later one contradicted (a task restart, a recreated topic) */
};

/*
 * Appends a sync. Earlier syncs it contradicts (upstream or downstream not
 * below its own: a task that restarted and re-sent records, a remote topic
 * truncated or recreated) are dropped, as OffsetSyncStore drops them: the
 * newest sync describes the log as it is. Negative offsets are ignored.
 */
void kdr_dr_sync_history_add(struct kdr_dr_sync_history *history, int64_t upstream, int64_t downstream);
void kdr_dr_sync_history_release(struct kdr_dr_sync_history *history);

/*
 * The upstream offset a group may resume at on the source when it has read
 * every downstream record below `downstream` (its committed offset there),
 * without skipping a record it has not read (at-least-once): from the newest
 * sync (U, D') with D' <= downstream, U when D' == downstream (record U is the
 * next one: exact), else U + 1 (record U was read; records after U may have
 * been too: those are re-read, the duplicates bounded by the sync spacing,
 * offset.lag.max). -1 when no sync is at or before `downstream` (nothing
 * proves which source records the group has read: MM2 translates nothing
 * either).
 */
int64_t kdr_dr_upstream_for_downstream(const struct kdr_dr_sync_history *history, int64_t downstream);

struct kdr_dr_offsets;
struct kdr_dr_failover_plan;

/* What failback does with a position no offset-sync proves (kdr failback --untranslatable). */
enum kdr_dr_untranslatable {
	KDR_DR_UNTRANSLATABLE_REFUSE,   /* the default: not moved, step 3 stops (exit 1, the flow not restored) */
	KDR_DR_UNTRANSLATABLE_EARLIEST, /* the primary partition's log start: re-reads all it still has */
};

/* Each mode's word (kdr failback --untranslatable), at its value; NULL-terminated. */
extern const char *const kdr_dr_untranslatable_names[];

/*
 * Where a group at `downstream` on a remote partition resumes on the source
 * partition: kdr_dr_upstream_for_downstream when a sync proves it (*from_start
 * false); else, under KDR_DR_UNTRANSLATABLE_EARLIEST and a known log start
 * (>= 0), that log start (*from_start true: at-least-once, nothing the group
 * has not read is skipped, every record still on the partition may be read
 * again); else -1 (refused).
 */
int64_t kdr_dr_failback_position(const struct kdr_dr_sync_history *history, int64_t downstream,
				 enum kdr_dr_untranslatable mode, int64_t log_start, bool *from_start);

struct kdr_dr_failback_input {
	const struct kdr_flow *flow;
	const struct kdr_live_cluster *standby;
	const struct kdr_live_cluster *primary; /* NULL skips no topic */
	const struct kdr_dr_syncs *syncs;       /* records in log order (kdr_dr_syncs_add_record, before _finish) */
	enum kdr_dr_untranslatable untranslatable;
	const struct kdr_dr_offsets *starts; /* log starts of the primary's partitions (sorted); NULL: none known */
};

/*
 * The checkpoints MM2 does not write for failback: for each group on the
 * flow's target (the standby) with a committed offset D on a remote topic of
 * the flow (dc-east.orders), a checkpoint onto the source topic (orders)
 * with upstream_offset D (the standby position) and downstream_offset the
 * position on the source, kdr_dr_failback_position of that partition's
 * syncs; metadata carried over. Skipped: identity-policy flows (the remote
 * topic is the standby's own), topics missing on the primary (it came back
 * empty: nothing to move onto). A position refused is not translated:
 * "group 'billing': dc-east.orders[0] at 5: no offset-sync at or before it"
 * is pushed to `untranslated`; one placed at the log start is in `out` and,
 * the same, in `from_start` (for kdr_dr_failback_note_log_starts). Both
 * sets are finished.
 */
void kdr_dr_failback_checkpoints(struct kdr_dr_checkpoints *out, struct kdr_dr_checkpoints *from_start,
				 struct kdr_strvec *untranslated, const struct kdr_dr_failback_input *in);

/*
 * Says on each row of `plan` that commits (or is already at) a position of
 * `from_start` that it is the log start, with the records that may be
 * re-read (the log end in `ends` minus the start): "no offset-sync at or
 * before dc-east.orders[1] at 5: the log start, up to 40 records may be
 * re-read". Pure.
 */
void kdr_dr_failback_note_log_starts(struct kdr_dr_failover_plan *plan, const struct kdr_dr_checkpoints *from_start,
				     const struct kdr_dr_offsets *ends, const struct kdr_flow *flow);

/*
 * The document of the reverse flow `kdr failback` declares for `flow`
 * (named `name`): F's topic and group filters, policy, replication factors,
 * connectorConfig, source and target swapped, checkpoints on. Heap string.
 */
char *kdr_dr_failback_reverse_document(const struct kdr_flow *flow, const char *name);
/* Which step `kdr failback --flow F` takes next, from what the desired state records. */
enum kdr_dr_failback_step {
	KDR_DR_FAILBACK_NOTHING,  /* F is not failed over (nor its reverse flow): nothing to fail back */
	KDR_DR_FAILBACK_DECLARE,  /* 1: F failed over, no reverse flow: declare F-failback */
	KDR_DR_FAILBACK_CATCH_UP, /* 2: the reverse flow declared, not failed over: its lag, the operator's failover */
	KDR_DR_FAILBACK_RESTORE,  /* 3: the reverse flow failed over: groups back onto F's source, F restored */
};

struct kdr_dr_failback_state {
	enum kdr_dr_failback_step step;
	char *reverse_name;             /* "F-failback" (heap), the name step 1 declares */
	const struct kdr_flow *reverse; /* the reverse flow (lent from the desired state), NULL: none declared */
	bool owned;                     /* reverse is F-failback, not a flow of the topology (active-active) */
};

/*
 * Reads the failback state of `flow` in `desired` (pure): the reverse flow
 * is F-failback, else the first flow by name from F's target to F's source
 * (active-active: owned false). Fills `out` (release it); returns 0, or
 * KDR_EINVALID (message set) when F-failback would be no DNS label (over 63
 * characters) or a declared F-failback does not go F's target -> F's source.
 */
int kdr_dr_failback_step(struct kdr_dr_failback_state *out, const struct kdr_desired *desired,
			 const struct kdr_flow *flow);
void kdr_dr_failback_state_release(struct kdr_dr_failback_state *state);

/* Whether the file `flow` was read from holds another object too (then it is not removed whole). */
bool kdr_dr_shares_file(const struct kdr_desired *desired, const struct kdr_flow *flow);

/* --- Offsets per partition (log-end offsets, committed offsets) --- */

struct kdr_dr_offset {
	char *topic;
	int32_t partition;
	int64_t offset;
	int64_t timestamp_ms; /* of the record there, -1 unknown (used for the RPO estimate) */
};

struct kdr_dr_offsets {
	struct kdr_dr_offset *v; /* sorted by (topic, partition) after kdr_dr_offsets_sort */
	size_t n;
	size_t cap;
};

void kdr_dr_offsets_set(struct kdr_dr_offsets *set, const char *topic, int32_t partition, int64_t offset);
void kdr_dr_offsets_sort(struct kdr_dr_offsets *set);
/* Lent, NULL when absent; the set must be sorted. */
const struct kdr_dr_offset *kdr_dr_offsets_find(const struct kdr_dr_offsets *set, const char *topic,
						int32_t partition);
void kdr_dr_offsets_release(struct kdr_dr_offsets *set);

/*
 * The source topic a remote topic of the flow mirrors: "dc-east.orders" ->
 * "orders" under the default policy (NULL when the name does not carry the
 * flow's source prefix), the same name under identity. Heap string.
 */
char *kdr_dr_upstream_topic(const struct kdr_flow *flow, const char *remote);

/*
 * Where MM2 keeps the flow's offset-syncs: on the source
 * ("mm2-offset-syncs.<target>.internal", the default) or, with the connector
 * config offset-syncs.topic.location=target, on the target
 * ("mm2-offset-syncs.<source>.internal"). *cluster is lent from the flow,
 * *topic is a heap string.
 */
void kdr_dr_offset_syncs_location(const struct kdr_flow *flow, const char **cluster, char **topic);

/* --- Replication progress: how far the target has the source's records --- */

/*
 * The next upstream offset not yet on the target, estimated from the latest
 * offset-sync (upstream U maps to downstream D) and the remote partition's
 * log-end offset E: U + (E - D), at most source_end. Exact when the source
 * partition has no gaps after U (compaction, transaction markers make it an
 * over-estimate of what was copied, i.e. the lag an under-estimate by at
 * most the gaps). Without a sync: 0 when E == 0 and source_end == 0, else -1
 * (unknown).
 */
int64_t kdr_dr_replicated_upstream(const struct kdr_mm2_offset_sync *sync, int64_t target_end, int64_t source_end);

/* --- Failover --- */

enum kdr_dr_verdict {
	KDR_DR_COMMIT,    /* the group's offset moves to the checkpoint's */
	KDR_DR_UNCHANGED, /* already there (a second failover is a no-op) */
	KDR_DR_KEPT,      /* current offset ahead of the checkpoint: never moved backwards without force */
	KDR_DR_REFUSED,   /* an error: the whole group is left as it is */
};

const char *kdr_dr_verdict_name(enum kdr_dr_verdict verdict); /* "commit", "unchanged", "kept", "refused" */

struct kdr_dr_failover_row {
	char *group;
	char *topic; /* on the target */
	int32_t partition;
	int64_t upstream;   /* the group's offset on the source when checkpointed */
	int64_t checkpoint; /* the translated (downstream) offset */
	int64_t current;    /* the group's committed offset on the target, -1 none */
	int64_t next;       /* what the group ends with (== current unless committed) */
	int64_t at_risk;    /* records on the source not on the target, -1 unknown */
	char *metadata;     /* the source commit's metadata, carried over with the commit */
	enum kdr_dr_verdict verdict;
	char *reason; /* NULL for commit/unchanged */
};

struct kdr_dr_failover_group {
	char *group;
	enum kdr_dr_verdict verdict; /* commit if any row commits; refused if any row or the group is refused */
	char *reason;                /* group-level refusal ("2 active members on 'dc-west'") */
	size_t n_commits;
};

struct kdr_dr_failover_plan {
	char *flow;
	char *source;
	char *target;
	struct kdr_dr_failover_row *rows; /* sorted by (group, topic, partition) */
	size_t n_rows;
	struct kdr_dr_failover_group *groups; /* sorted by group */
	size_t n_groups;
	int64_t total_at_risk; /* -1: unknown (the source was not readable) */
	size_t n_refused;
};

struct kdr_dr_failover_input {
	const struct kdr_flow *flow;
	const struct kdr_dr_checkpoints *checkpoints; /* finished */
	const struct kdr_live_cluster *target;        /* with its groups and topics */
	const struct kdr_dr_offsets *target_ends;     /* log-end offsets of the remote topics on the target */
	/* Records at risk per remote topic-partition (topic = the target's name); NULL: unknown. */
	const struct kdr_dr_offsets *at_risk;
	const char *const *groups; /* --group G...; NULL/0: every checkpointed group the flow's filter accepts */
	size_t n_groups;
	const struct kdr_regex *groups_re; /* --groups REGEX, NULL: none */
	bool force;                        /* move backwards too */
};

/*
 * Decides, per checkpointed group and partition, what the failover commits
 * on the target: the checkpoint's downstream offset; unchanged when the
 * group is already there; kept when the group's current offset is ahead
 * (unless force); refused (the whole group) when the group has members on
 * the target or is not Empty/Dead there, a remote topic or partition is
 * missing on the target, a checkpoint is negative or past the remote
 * partition's log end, or a requested group has no checkpoint or is
 * rejected by the flow's group filter. Fills an empty `out`; returns 0 or
 * KDR_EINVALID (a bad flow filter regex).
 */
int kdr_dr_failover_decide(struct kdr_dr_failover_plan *out, const struct kdr_dr_failover_input *in);

/* The text table (group topic partition checkpoint current new at-risk verdict) and summary. */
void kdr_dr_failover_render_text(struct kdr_buf *out, const struct kdr_dr_failover_plan *plan, bool dry_run);
/* {"flow":..., "groups":[...], "rows":[...], "summary":{...}} (docs/runbook.md). */
void kdr_dr_failover_render_json(struct kdr_buf *out, const struct kdr_dr_failover_plan *plan, bool dry_run);
void kdr_dr_failover_plan_release(struct kdr_dr_failover_plan *plan);

/* --- Lag --- */

struct kdr_dr_lag_row {
	char *topic;        /* on the source */
	char *remote_topic; /* on the target */
	int32_t partition;
	int64_t source_end;
	int64_t replicated;    /* next upstream offset not on the target (kdr_dr_replicated_upstream), -1 unknown */
	int64_t target_end;    /* -1: the remote partition is missing */
	int64_t lag;           /* records, -1 unknown */
	int64_t rpo_ms;        /* age of the oldest unreplicated record, 0 when none, -1 unknown */
};

struct kdr_dr_lag_topic {
	char *topic;
	int64_t lag;    /* sum over partitions, -1 when any is unknown */
	int64_t rpo_ms; /* max over partitions, -1 when any is unknown */
};

struct kdr_dr_lag_report {
	char *flow;
	struct kdr_dr_lag_row *rows; /* sorted by (topic, partition) */
	size_t n_rows;
	struct kdr_dr_lag_topic *topics;
	size_t n_topics;
	int64_t heartbeat_age_ms; /* now - newest heartbeat timestamp on the target, -1 none seen */
	int64_t max_rpo_ms;       /* over every partition, -1 when any is unknown */
	int64_t total_lag;        /* -1 when any is unknown */
	bool over;                /* an RPO estimate (or an unknown one) exceeds the threshold */
	int64_t threshold_ms;
};

struct kdr_dr_lag_input {
	const struct kdr_flow *flow;
	const struct kdr_strvec *topics;         /* mirrored source topics (sorted) */
	const char *const *remote_topics;        /* their names on the target, same order */
	const struct kdr_live_cluster *source;   /* partition counts */
	const struct kdr_dr_offsets *source_ends;
	const struct kdr_dr_offsets *target_ends; /* by remote name */
	const struct kdr_dr_syncs *syncs;         /* latest offset-sync per source partition (finished) */
	/* Timestamp of the first unreplicated record per source partition (offset = that offset); NULL: unknown. */
	const struct kdr_dr_offsets *first_unreplicated;
	int64_t newest_heartbeat_ms; /* -1: none */
	int64_t now_ms;
	int64_t threshold_ms;
};

/* Computes the report into an empty `out` (pure). */
void kdr_dr_lag_compute(struct kdr_dr_lag_report *out, const struct kdr_dr_lag_input *in);
void kdr_dr_lag_render_text(struct kdr_buf *out, const struct kdr_dr_lag_report *report);
void kdr_dr_lag_render_json(struct kdr_buf *out, const struct kdr_dr_lag_report *report);
void kdr_dr_lag_report_release(struct kdr_dr_lag_report *report);

#endif
