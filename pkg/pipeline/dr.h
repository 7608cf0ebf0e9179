#ifndef KDR_PIPELINE_DR_H
#define KDR_PIPELINE_DR_H

#include <stdbool.h>
#include <stddef.h>

#include "dr/dr.h"
#include "executor/dr_io.h"
#include "pipeline/pipeline.h"
#include "source/record.h"
#include "spec/spec.h"
#include "util/output.h"
#include "util/regex.h"
#include "util/strvec.h"

/*
 * kdr failover and kdr failback on the one pipeline: the steps after a
 * pipeline has read the flow's two clusters with their groups' offsets.
 * pkg/dr decides, pkg/executor stops connectors, reads MM2's topics and
 * commits offsets, pkg/source records the step in the desired state; these
 * wire them. Nothing here prints: outcomes are in the out structs, rendered
 * as the commands print them into a kdr_output (failover_text.c,
 * failback_text.c: stdout and stderr in the order printed, since tables and
 * guidance alternate), failures also in kdr_error_message().
 */

/* --- what a DR step records in the desired state --- */

/*
 * The change a DR step writes into the desired state it was read from, and
 * its commit message; recorded through the source (kdr_pipeline_dr_record)
 * with --commit, else described. `change` lends from the other fields and
 * from the desired state; release with kdr_dr_step_record_release.
 */
struct kdr_dr_step_record {
	struct kdr_source_change change;
	struct kdr_spec_edit edits[2];
	char *failed_over; /* failover: spec.failedOver's value as written (a quoted YAML scalar) */
	char *path;        /* failback step 1: the reverse flow's file, next to F's */
	char *document;    /* its document */
	char *message;     /* the commit message */
	/* kdr_pipeline_dr_record: */
	bool attempted;         /* recording was tried */
	struct kdr_strvec done; /* what was written, one line each; none: nothing needed writing */
	char *error;            /* NULL: recorded; else why not (the source's message) */
	bool unsupported;       /* the source cannot hold a whole document (--k8s): change.file_data is the user's */
};

/*
 * Records rec->change with rec->message in `source`, the source `desired`
 * was loaded from (kdr_source_record), filling rec->attempted, done, error
 * and unsupported. Returns 0 or the source's code.
 */
int kdr_pipeline_dr_record(struct kdr_dr_step_record *rec, struct kdr_source *source,
			   const struct kdr_desired *desired);

/* kdr_pipeline_result_render_read's lines (the clusters not read, or the read's failure) into `o`, on stderr. */
void kdr_pipeline_dr_render_read(struct kdr_output *o, const struct kdr_pipeline_result *run);

/* "WHAT: LINE" per thing kdr_pipeline_dr_record wrote, or why it failed; a document the source cannot hold on stdout. */
void kdr_pipeline_dr_record_render(struct kdr_output *o, const char *what, const struct kdr_dr_step_record *rec);

/* --- failover --- */

struct kdr_failover_request {
	const char *flow_name;             /* kdr_pipeline_failover_run: --flow F */
	const struct kdr_flow *flow;       /* kdr_pipeline_failover: lent from the pipeline's desired state */
	const char *const *groups;         /* --group G...; NULL/0: every checkpointed group the flow accepts */
	size_t n_groups;
	const struct kdr_regex *groups_re; /* --groups REGEX, NULL: none */
	bool force;                        /* also move groups backwards */
	bool dry_run;                      /* stop no connector, commit and record nothing */
	bool commit;                       /* record the failover in `source` (else it is described) */
	struct kdr_source *source;         /* the source the desired state was loaded from, lent */
	/* Set by the caller after asking, before kdr_pipeline_failover_finish: why the offsets are not to be committed. */
	const char *declined;
};

struct kdr_failover_outcome {
	/* The read (run.p) and why the failover stopped; FAILED also for a refused group, no consent, a failed commit or record. */
	struct kdr_pipeline_result run;
	struct kdr_strvec clusters;  /* read: the flow's source and target */
	const struct kdr_flow *flow; /* lent */
	struct kdr_executor_stop *stops; /* the flow's connectors as stopping left them (none under dry_run) */
	size_t n_stops;
	/* In order: skipped checkpoint records, why the records at risk are unknown. */
	struct kdr_strvec warnings;
	struct kdr_dr_failover_plan plan; /* what the failover commits (kdr_dr_failover_decide) */
	/* Principals the source lets read a moved group that the target's ACLs would lock out (kdr_plan_acl_lockouts). */
	struct kdr_strvec lockouts;
	size_t to_commit; /* groups whose verdict is commit */
	/* kdr_pipeline_failover_finish: */
	bool committed;                  /* the offsets' commit was made (to_commit groups, not dry-run, not declined) */
	size_t commit_failed;            /* groups whose commit failed */
	struct kdr_strvec commit_errors; /* their messages */
	struct kdr_dr_step_record record; /* what the failover records (empty when declined) */
};

/*
 * The failover of req->flow up to its decision, on `p` (read with
 * KDR_READ_GROUPS_OFFSETS, the flow's source and target selected): refuses a
 * target that was not read or whose groups could not be read; unless
 * dry_run stops the flow's connectors (never a failure: each stop's outcome
 * is in out->stops); reads the latest checkpoint per group and partition
 * from <source>.checkpoints.internal on the target and the remote
 * partitions' log ends there; when the source was read, the records at risk
 * (its log ends past MM2's latest offset-syncs; unknown, with a warning,
 * when they cannot be read); decides (pure) and lists ACL lockouts. Fills
 * an empty `out` (release it also on failure: stops and warnings made
 * before the failure are in it, and out->run the failure). Returns 0; KDR_EUNAVAILABLE (target or its
 * groups unreadable), KDR_ENOTFOUND (no checkpoints topic) or the read's
 * code, the message ending "nothing was changed" / "nothing was committed".
 */
int kdr_pipeline_failover(struct kdr_failover_outcome *out, const struct kdr_pipeline *p,
			  const struct kdr_failover_request *req);

/*
 * kdr failover --flow F up to its decision: finds req->flow_name in
 * `desired`, reads its source and target with their groups' offsets
 * (`options`: the command line's), then kdr_pipeline_failover on that read.
 * Returns 0, or the failing stage's code (recorded in out->run).
 */
int kdr_pipeline_failover_run(struct kdr_failover_outcome *out, const struct kdr_desired *desired,
			      const struct kdr_pipeline_options *options, const struct kdr_failover_request *req);

/*
 * kdr failover's second half, once `out` was decided (kdr_pipeline_failover
 * returned 0) and shown: unless req->declined or dry_run, commits the
 * groups to commit on the flow's target (one AlterConsumerGroupOffsets per
 * group, failures in out->commit_errors); then, even when a group
 * was refused or failed (the connectors are stopped and must stay so),
 * the failover's record (spec.suspended: true, spec.failedOver: now unless
 * recorded already) into out->record, written into req->source with
 * req->commit (not dry_run) unless the flow already records it. Sets
 * out->run.outcome as the exit status says it.
 */
void kdr_pipeline_failover_finish(struct kdr_failover_outcome *out, const struct kdr_failover_request *req);

/*
 * What kdr failover prints once decided: the clusters not read, each
 * connector's stop and the warnings; then why it stopped, or the decision's
 * table (`json`: kdr_dr_failover_render_json; stdout, flushed before the
 * question) and the ACL lockouts.
 */
void kdr_pipeline_failover_render_decision(struct kdr_output *o, const struct kdr_failover_outcome *out,
					   const struct kdr_failover_request *req, bool json);

/* What kdr failover prints once finished: not consented, the commit's outcome, the record or the patch to record. */
void kdr_pipeline_failover_render_finish(struct kdr_output *o, const struct kdr_failover_outcome *out,
					 const struct kdr_failover_request *req);

void kdr_failover_outcome_release(struct kdr_failover_outcome *out);

/* --- failback --- */

struct kdr_failback_request {
	const char *flow_name;     /* --flow F */
	struct kdr_source *source; /* the source the desired state was loaded from, lent: where --commit records */
	bool commit;               /* write the step into `source` (else it is described) */
	int64_t max_rpo_ms;        /* step 2: the reverse flow has caught up when every RPO estimate is within it */
	enum kdr_dr_untranslatable untranslatable; /* step 3: a group position no offset-sync proves */
};

/* Where kdr_pipeline_failback stopped short (the message in run.error but for NOT_MOVED). */
enum kdr_failback_failure {
	KDR_FAILBACK_OK,
	KDR_FAILBACK_STEP_FAILED,   /* no such flow; the step could not be decided, declared or restored */
	KDR_FAILBACK_READ_FAILED,   /* the clusters could not be read (run.read_failed) */
	KDR_FAILBACK_LAG_FAILED,    /* step 2: the reverse flow's lag not measured */
	KDR_FAILBACK_GROUPS_FAILED, /* step 3: a read for the groups failed, nothing moved */
	KDR_FAILBACK_NOT_MOVED,     /* step 3: a group not moved back (untranslated, refused, a commit failed) */
	KDR_FAILBACK_RECORD_FAILED, /* steps 1 and 3: the source did not record the step */
};

struct kdr_failback_outcome {
	/* Steps 2 and 3: the read (run.p); why the step stopped; PENDING: step 2 (the operator acts next). */
	struct kdr_pipeline_result run;
	struct kdr_strvec clusters;         /* read: the measured or moved flow's source and target */
	const struct kdr_flow *flow;        /* F, lent */
	struct kdr_dr_failback_state state; /* the step taken (kdr_dr_failback_step) */
	enum kdr_failback_failure failure;
	struct kdr_dr_lag_report lag;       /* step 2: the reverse flow's lag */
	struct kdr_strvec lag_warnings;
	struct kdr_dr_failover_plan groups; /* step 3: F's groups moved back onto F's source */
	char *no_groups;                    /* step 3: why there was no group to move (no offset-syncs topic) */
	struct kdr_strvec untranslated, errors;
	struct kdr_dr_step_record record;   /* steps 1 and 3: what the step records */
};

/*
 * kdr failback --flow F (req->flow_name): takes the next step from what
 * `desired` records (kdr_dr_failback_step), its reads with `options` (the
 * command line's). 1: the reverse flow's document
 * (kdr_pipeline_failback_declare); 2: reads the reverse flow's clusters and
 * measures its lag (kdr_pipeline_flow_lag), pending; 3: reads F's clusters
 * with their groups' offsets, moves F's groups back
 * (kdr_pipeline_failback_groups, committed with req->commit), then, when
 * every group is back, F's restore (kdr_pipeline_failback_restore). Steps 1
 * and 3 are recorded in req->source with req->commit. Fills an empty `out`
 * (release it also on failure). Returns 0, or -1 with out->failure set.
 */
int kdr_pipeline_failback(struct kdr_failback_outcome *out, const struct kdr_desired *desired,
			  const struct kdr_pipeline_options *options, const struct kdr_failback_request *req);

/* What kdr failback prints of its step: what it did or found, its tables, and what the operator does next. */
void kdr_pipeline_failback_render(struct kdr_output *o, const struct kdr_failback_outcome *out,
				  const struct kdr_failback_request *req);

void kdr_failback_outcome_release(struct kdr_failback_outcome *out);


/*
 * Failback of the groups that read the primary's own data on the standby
 * (dc-east.orders on dc-west), step 3's first half, on `p` (read with
 * KDR_READ_GROUPS_OFFSETS, `flow`'s source and target selected): MM2 writes
 * no checkpoints from the standby back, so their positions are translated
 * onto the primary's topic (orders) by inverting the flow's offset-syncs
 * (kdr_dr_failback_checkpoints), then decided like a failover onto the
 * primary (kdr_dr_failover_decide: refusing groups with members there,
 * never backwards, a position already there is unchanged) and, with
 * `commit`, committed on the primary.
 * Fills `out` (empty; its rows' topics are the primary's); positions no sync
 * proves go to `untranslated` under KDR_DR_UNTRANSLATABLE_REFUSE, or under
 * _EARLIEST to the primary partition's log start (read with one batched
 * ListOffsets earliest; the row says so, with the records that may be
 * re-read); commit errors go to `errors`. Returns 0; KDR_EUNAVAILABLE when
 * the groups of both clusters were not read; KDR_ENOTFOUND when the
 * offset-syncs topic does not exist (nothing to translate: `out` stays
 * empty); another code (message set) when a read failed, nothing committed.
 */
int kdr_pipeline_failback_groups(struct kdr_dr_failover_plan *out, struct kdr_strvec *untranslated,
				 struct kdr_strvec *errors, const struct kdr_pipeline *p, const struct kdr_flow *flow,
				 enum kdr_dr_untranslatable untranslatable, bool commit);

/*
 * kdr failover's record of `flow`: spec.suspended: true and spec.failedOver:
 * the time already recorded, else `now` (RFC 3339 UTC), so that a second
 * run records nothing; the message names the `committed_groups`.
 */
void kdr_pipeline_failover_record(struct kdr_dr_step_record *out, const struct kdr_flow *flow, const char *now,
				  size_t committed_groups);

/*
 * kdr failback step 1: the reverse flow state->reverse_name declared in its
 * own file next to F's (kdr_dr_failback_reverse_document). Returns 0, or
 * KDR_EINVALID (message set, `out` empty) when F's source has no
 * spec.connect to run the reverse flow's connectors.
 */
int kdr_pipeline_failback_declare(struct kdr_dr_step_record *out, const struct kdr_desired *desired,
				  const struct kdr_flow *flow, const struct kdr_dr_failback_state *state);

/*
 * kdr failback step 3: F restored (spec.suspended: false, spec.failedOver
 * removed; nothing when F is restored already), and the reverse flow
 * removed (its file, when owned) or its failover record cleared (a flow of
 * the topology). Returns 0, or KDR_ECONFLICT (message set) when the owned
 * reverse flow's file holds other documents too.
 */
int kdr_pipeline_failback_restore(struct kdr_dr_step_record *out, const struct kdr_desired *desired,
				  const struct kdr_flow *flow, const struct kdr_dr_failback_state *state);

void kdr_dr_step_record_release(struct kdr_dr_step_record *rec);

#endif
