#ifndef KDR_PLAN_PLAN_H
#define KDR_PLAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live/live.h"
#include "mm2/mm2.h"
#include "model/model.h"
#include "placement/placement.h"
#include "util/strmap.h"

/*
 * plan(desired, live) -> ordered actions (DESIGN.md §4). Pure: no I/O.
 * Order: create topics, add partitions, alter configs, create ACLs,
 * connector actions (create/update, pause, resume, restart), deletions last
 * (connectors, ACLs, topics); within a group by
 * cluster then name. Same inputs -> byte-identical plan.
 */

enum kdr_action_kind {
	KDR_ACTION_CREATE_TOPIC,
	KDR_ACTION_ADD_PARTITIONS,
	KDR_ACTION_ALTER_CONFIGS,
	KDR_ACTION_CREATE_CONNECTOR,
	KDR_ACTION_UPDATE_CONNECTOR,
	KDR_ACTION_PAUSE_CONNECTOR,
	KDR_ACTION_RESUME_CONNECTOR,
	KDR_ACTION_RESTART_CONNECTOR,
	KDR_ACTION_DELETE_CONNECTOR,
	KDR_ACTION_DELETE_TOPIC,
	KDR_ACTION_CREATE_ACL, /* AccessPolicy grants (acls.c) */
	KDR_ACTION_DELETE_ACL,
};
/* How many kinds there are, for tables indexed by kind (keep it after the last one). */
#define KDR_ACTION_KIND_COUNT (KDR_ACTION_DELETE_ACL + 1)

/* "create-topic", "add-partitions", "alter-configs", ... */
const char *kdr_action_kind_name(enum kdr_action_kind kind);

/*
 * The order of actions, decided here only (kinds.c). A plan lists its
 * actions by kind rank (then cluster, resource). Applying follows that order
 * across the stages: each run of consecutive ranks that share a stage is one
 * step (kdr_apply_runs), so topics and ACLs exist before MM2 starts writing
 * and connectors are deleted before the ACLs and topics they replicate.
 */
enum kdr_apply_stage {
	KDR_APPLY_KAFKA,   /* the Kafka admin API (pkg/kafka) */
	KDR_APPLY_CONNECT, /* the Connect REST API (pkg/connect) */
};
#define KDR_APPLY_STAGE_COUNT (KDR_APPLY_CONNECT + 1)

/* The kind's place in the plan (smaller first; connector changes share one). */
int kdr_action_kind_rank(enum kdr_action_kind kind);
/* The stage that applies the kind. */
enum kdr_apply_stage kdr_action_kind_stage(enum kdr_action_kind kind);
/* The fields an action of a kind carries (the plan JSON schema's "when present"). */
enum kdr_action_field {
	KDR_ACTION_FIELD_TOPIC_SHAPE = 1, /* partitions, replicationFactor, assignment, placement */
	KDR_ACTION_FIELD_CONFIG = 2,
	KDR_ACTION_FIELD_CHANGES = 4,
	KDR_ACTION_FIELD_ACL = 8, /* the "acl" binding */
	KDR_ACTION_FIELD_TASKS = 16,
};
bool kdr_action_kind_has(enum kdr_action_kind kind, enum kdr_action_field field);

/* What a plan's summary counts an action of a kind as (kinds.c): "+", "~" or "-" in text. */
enum kdr_action_class {
	KDR_ACTION_CLASS_CREATE,
	KDR_ACTION_CLASS_CHANGE,
	KDR_ACTION_CLASS_DELETE,
};
enum kdr_action_class kdr_action_kind_class(enum kdr_action_kind kind);
/* Every kind in plan order (rank, then kind) into `out` (KDR_ACTION_KIND_COUNT slots); returns how many. */
size_t kdr_action_kinds_in_order(enum kdr_action_kind *out);

/* Consecutive ranks applied by one stage: a step of an apply. */
struct kdr_apply_run {
	enum kdr_apply_stage stage;
	int rank_first, rank_last; /* inclusive */
};
/*
 * The apply's steps in plan order into `out` (KDR_ACTION_KIND_COUNT slots):
 * Kafka creates and changes, then connectors (changes, then deletes), then
 * Kafka deletes. Returns how many.
 */
size_t kdr_apply_runs(struct kdr_apply_run *out);
/* Whether actions of `kind` belong to `run`. */
bool kdr_apply_run_has(const struct kdr_apply_run *run, enum kdr_action_kind kind);

enum kdr_risk {
	KDR_RISK_SAFE,         /* additive */
	KDR_RISK_DISRUPTIVE,   /* availability may dip (pausing a flow, restarts) */
	KDR_RISK_DATA_MOVING,  /* replica moves */
	KDR_RISK_DESTRUCTIVE,  /* deletes data */
	KDR_RISK_IRREVERSIBLE, /* cannot be undone (e.g. enabling remote storage) */
};

/* "safe", "disruptive", "data-moving", "destructive", "irreversible". */
const char *kdr_risk_name(enum kdr_risk risk);

struct kdr_config_change {
	char *key;
	char *old_value; /* NULL: not set before (or only a default) */
	char *new_value; /* NULL: the override is removed */
	bool sensitive;  /* render as KDR_REDACTED */
};

/* Per-DC / per-rack replica counts of a placed topic, for the plan output. */
struct kdr_placement_summary {
	struct kdr_strmap replicas_per_dc;   /* dc -> count (decimal string) */
	struct kdr_strmap replicas_per_rack; /* rack -> count */
	bool has_dc_loss;                    /* cluster has datacenters */
	struct kdr_dc_loss_report dc_loss;
	int64_t min_insync_replicas;
};

struct kdr_action {
	enum kdr_action_kind kind;
	enum kdr_risk risk;
	char *cluster;  /* KafkaCluster name (for connectors: whose Connect) */
	char *resource; /* topic or connector name */
	char *policy;   /* TopicPolicy or ReplicationFlow that wants this, NULL for prune of orphans */
	char *reason;   /* "missing", "drift: retention.ms 604800000 -> 86400000", ... */
	/*
	 * delete-topic: the delete-connector of the same cluster it waits for
	 * (a MirrorSourceConnector that writes this topic, so would re-create
	 * it while it runs), NULL: none. The executor holds the topic delete
	 * back when that connector delete failed.
	 */
	char *after;

	/* create-topic / add-partitions */
	int64_t partitions;         /* total after the action */
	int64_t replication_factor;
	struct kdr_assignment assignment; /* create: all partitions; add: only the new ones */
	struct kdr_placement_summary placement;

	/*
	 * create-topic: configs to create with (key -> value).
	 * alter-configs: the COMPLETE dynamic config set to send (managed keys plus
	 * preserved unmanaged overrides), because AlterConfigs replaces the set.
	 * create/update-connector: the rendered connector config.
	 */
	struct kdr_strmap config;
	/* alter-configs / update-connector: what changes, for display */
	struct kdr_config_change *changes;
	size_t n_changes;

	/* restart-connector: which tasks (empty: the connector itself) */
	int32_t *task_ids;
	size_t n_task_ids;

	/* create-acl / delete-acl: the binding (resource is its kdr_acl_format text) */
	struct kdr_acl acl;
};

enum kdr_blocked_kind {
	KDR_BLOCKED_PARTITION_DECREASE,
	KDR_BLOCKED_REPLICATION_FACTOR,
	KDR_BLOCKED_PLACEMENT_VIOLATION,
	KDR_BLOCKED_ERROR, /* a plan-time error: e.g. tiering on a cluster without remote storage */
	/*
	 * The failback guard: a flow with spec.failedOver keeps its connectors
	 * stopped (not resumed, not recreated) and the topics it mirrors are not
	 * created on its source (a primary that came back empty). Pending, not an
	 * error: the rest of the plan applies. Keep it the last kind.
	 */
	KDR_BLOCKED_FAILED_OVER,
};
#define KDR_BLOCKED_KIND_COUNT (KDR_BLOCKED_FAILED_OVER + 1)

const char *kdr_blocked_kind_name(enum kdr_blocked_kind kind);

/* Something the plan will not do, with the reason and, where useful, a remedy. */
struct kdr_blocked {
	enum kdr_blocked_kind kind;
	char *cluster;
	char *resource;
	char *policy;
	char *reason;
	char *reassignment_json; /* kafka-reassign-partitions.sh format, or NULL */
};

enum kdr_note_kind {
	KDR_NOTE_INFO,
	KDR_NOTE_WARNING,
};

/* "info", "warning". */
const char *kdr_note_kind_name(enum kdr_note_kind kind);

/* Observations that are not actions: DC-loss verdicts, skipped prunes, ... */
struct kdr_note {
	enum kdr_note_kind kind;
	char *cluster;
	char *resource;
	char *message;
};

struct kdr_plan {
	struct kdr_action *actions;
	size_t n_actions;
	size_t cap_actions;
	struct kdr_blocked *blocked;
	size_t n_blocked;
	size_t cap_blocked;
	struct kdr_note *notes;
	size_t n_notes;
	size_t cap_notes;
	char *revision;    /* desired state's revision (commit), or NULL */
	/* Hex digest of the live state the plan depends on, per cluster (name -> digest). */
	struct kdr_strmap fingerprints;
};

struct kdr_resolved; /* resolve/resolve.h */

struct kdr_plan_options {
	bool allow_delete;             /* deletions become actions (else notes "skipped") */
	const char *const *clusters;   /* restrict to these clusters (NULL: all) */
	size_t n_clusters;
	/*
	 * Resolves secret references in rendered connector configs, so that a
	 * rotated secret shows as a change (values never printed). NULL:
	 * placeholders, which differ from any live value.
	 */
	const struct kdr_mm2_secrets *secrets;
	/*
	 * What pkg/resolve derived from the same desired state (compiled regexes,
	 * declared topics), lent. NULL: the resolved state attached to the
	 * desired state (kdr_resolve_attach), else resolved for this plan.
	 */
	const struct kdr_resolved *resolved;
};

/*
 * Computes the plan into an empty `out`. Clusters of the desired state that
 * are missing from `live` produce a KDR_BLOCKED_ERROR item each (never a
 * guess). Returns 0, or KDR_EINVALID for a desired state that should not have
 * passed validation.
 */
int kdr_plan_compute(struct kdr_plan *out, const struct kdr_desired *desired, const struct kdr_live *live,
		     const struct kdr_plan_options *options);

/* A value the operator supplies for a key a backup redacted (restore --connector-secrets). */
struct kdr_plan_secret_value {
	const char *connector;
	const char *key;
	const char *value;
};

struct kdr_plan_restore_connectors {
	const char *cluster;                   /* restored into; its Connect runs the connectors */
	const char *policy;                    /* the actions' policy line ("backup-<cluster>") */
	const struct kdr_live_connect *backup; /* connectors.json; "(redacted)" where a secret was */
	const struct kdr_live_cluster *live;   /* the cluster as read, with its Connect */
	const struct kdr_plan_secret_value *supplied; /* lent */
	size_t n_supplied;
};

/*
 * Appends restore --connectors to `plan`: each backed-up connector missing
 * on the cluster's Connect as a create-connector, one whose config differs
 * as an update-connector of the live config with the backup's keys set
 * (never removes a key; no connector is deleted). A "(redacted)" value is
 * replaced by the supplied one, else kept from the live connector; a
 * connector left with a redacted key is refused (a blocked error naming it
 * and the keys), never created with the placeholder. kdr's own `kdr.`
 * connectors are left to the flows (a note). Secret keys are marked
 * sensitive in the actions' changes, so no rendering shows them.
 */
void kdr_plan_restore_connectors(struct kdr_plan *plan, const struct kdr_plan_restore_connectors *in);

/* No actions and nothing blocked. */
bool kdr_plan_is_empty(const struct kdr_plan *plan);

/* Number of actions of each risk; `counts` has KDR_RISK_IRREVERSIBLE + 1 slots. */
void kdr_plan_count_risks(const struct kdr_plan *plan, size_t *counts);

/* A plan's summary: what every output format and the saved plan's "summary" say. */
struct kdr_plan_counts {
	size_t create;
	size_t change;
	size_t del;
	size_t blocked;
	size_t risk[KDR_RISK_IRREVERSIBLE + 1];
	bool any_risky; /* any action that is not safe */
};

void kdr_plan_count(struct kdr_plan_counts *out, const struct kdr_plan *plan);

/* Whether a topic-shaped action has a placement summary (replicas per DC/rack, min ISR, DC loss). */
bool kdr_action_has_placement(const struct kdr_action *action);

/*
 * Applies the plan's actions to a snapshot as Kafka would (topics created with
 * their assignment and configs, partitions added, config sets replaced,
 * deletions), so that a plan of the result can be checked to be empty.
 */
void kdr_plan_simulate(struct kdr_live *live, const struct kdr_plan *plan);

/*
 * kdr failover's ACL check (acls_mirror.c): for consumer group `group` that
 * `flow` moves to its target, every principal the source lets read the group
 * (ALLOW READ or ALL, declared by its AccessPolicies or live) that the
 * target's live ACLs would lock out: no READ on the group, or none on one of
 * `topics` (the remote topics the group gets offsets for, target names).
 * Appends one message per principal and resource to `out`; when the target's
 * ACLs were not read, one message saying the check could not be made (a
 * target without an authorizer locks no one out: nothing is said). Pure.
 */
void kdr_plan_acl_lockouts(struct kdr_strvec *out, const struct kdr_desired *desired, const struct kdr_live *live,
			   const struct kdr_flow *flow, const char *group, const char *const *topics, size_t n_topics);

/* Digest of the parts of a live cluster that a plan depends on. Heap string. */
char *kdr_plan_fingerprint(const struct kdr_live_cluster *cl);

/* --- a saved plan (kdr plan --out, written and read back by codec_json.h; saved.c) --- */

/*
 * Whether the value of `key` in the action's config is never to be shown or
 * saved: the key names a credential, or a change of the same key is marked
 * sensitive (a value that came from a secret reference).
 */
bool kdr_plan_config_is_redacted(const struct kdr_action *action, const char *key);

/*
 * Whether the action's config holds values that were redacted when the plan
 * was saved (read back as KDR_REDACTED): they must be resolved again from
 * the desired state before the action is executed, never sent as they are.
 */
bool kdr_plan_action_has_redacted(const struct kdr_action *action);

/*
 * A saved plan is applied only to the live state it was computed from: for
 * every cluster the plan fingerprinted that has changed in `live` or is
 * missing from it, appends "cluster 'NAME' has changed since 'LABEL' was
 * made; ..." (or "could not be read") to `problems`. Returns true when none.
 */
bool kdr_plan_saved_is_fresh(struct kdr_strvec *problems, const struct kdr_plan *plan, const struct kdr_live *live,
			     const char *label);

/*
 * The secrets a saved plan could not hold: each action with redacted values
 * gets its config again from the connectors the desired state renders now
 * (with `secrets`). Returns 0, or KDR_EINVALID / a lookup's code with
 * kdr_error_set naming `label` (a connector no flow renders any more, a
 * secret that does not resolve); the plan is then not to be applied.
 */
int kdr_plan_restore_secrets(struct kdr_plan *plan, const struct kdr_desired *desired,
			     const struct kdr_mm2_secrets *secrets, const char *label);

void kdr_action_release(struct kdr_action *action);
void kdr_plan_release(struct kdr_plan *plan);

#endif
