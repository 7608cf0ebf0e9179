#ifndef KDR_PIPELINE_PIPELINE_H
#define KDR_PIPELINE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "dr/dr.h"
#include "executor/executor.h"
#include "health/health.h"
#include "live/live.h"
#include "mm2/mm2.h"
#include "model/model.h"
#include "resolve/resolve.h"
#include "plan/plan.h"
#include "reader/reader.h"
#include "render/render.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/strvec.h"

/*
 * The one reconcile path, after a source has been loaded and validated:
 * read live (the clusters side by side, or a snapshot file) -> resolve
 * secrets -> plan -> apply -> report. Every command that looks at the
 * clusters (plan, apply, status, snapshot, lag, failover, ...) and the
 * loop's cycle go through these stages in this order; each stage reads what
 * the earlier ones left in struct kdr_pipeline. Nothing here prints: the
 * outcome of each stage is in the struct and in kdr_error_message().
 */

/* --- the load stage: the desired state from its source, as every command loads it --- */

struct kdr_source;
struct kdr_source_selection;

/* What loading the desired state came to (kdr_pipeline_load). */
struct kdr_load_result {
	struct kdr_diags diags; /* the documents' errors and warnings */
	char *error;		/* why the load failed, its one-line summary (owned); NULL: loaded */
	char *source;		/* the source's description (owned) */
};

/*
 * Loads what `source` holds now (kdr_source_load_now: validated unless it
 * was opened with KDR_SOURCE_NO_VALIDATE) into `out` (initialised; on
 * failure untouched), filling `result`. Returns 0 or the load's code.
 */
int kdr_pipeline_load(struct kdr_desired *out, struct kdr_load_result *result, struct kdr_source *source);

/*
 * The load as every command prints it, to `err`: each diagnostic, then on
 * a failure "kdr: N error(s), M warning(s) in 'DIR'; nothing will be used
 * from it" for a directory (`sel`, the selection the source was opened
 * from), "kdr: ERROR" for another source; a Git or Kubernetes source that
 * loaded is announced, "kdr: source DESCRIPTION @ REVISION" (`desired`'s).
 */
void kdr_pipeline_load_render(struct kdr_buf *err, const struct kdr_load_result *result,
			      const struct kdr_source_selection *sel, const struct kdr_desired *desired);

void kdr_load_result_release(struct kdr_load_result *result);

struct kdr_pipeline_options {
	const struct kdr_secret_resolver *resolver; /* the source's (secretKeyRef), or NULL; lent */
	const char *snapshot_path;   /* the live state from this snapshot file instead of the clusters */
	const char *const *clusters; /* only these clusters (NULL or none: every declared one); lent */
	size_t n_clusters;
	int timeout_ms;              /* per request to the clusters; <= 0: the adapters' defaults */
	int read_groups;             /* enum kdr_read_groups */
	bool verify_acls;            /* check every empty DescribeAcls answer (kdr_reader_options) */
	bool allow_delete;           /* deletions of prune: true policies become actions */
	bool plan_read_only;         /* plan only the clusters that were read (the loop), not --cluster */
	bool validate_only;          /* apply: ask the brokers to check, change nothing */
	struct kdr_kafka_pool *pool; /* read: Kafka connections kept across reads (the loop's); NULL: none; lent */
	/*
	 * What pkg/resolve derived from the desired state, lent. NULL: its
	 * attached one (every loaded desired state has one), else resolved at init.
	 */
	const struct kdr_resolved *resolved;
};

struct kdr_pipeline {
	const struct kdr_desired *desired; /* lent */
	struct kdr_pipeline_options options;
	struct kdr_resolved *own_resolved;	   /* resolved at init when neither options nor desired bring one */
	const struct kdr_resolved *resolved;	   /* the options', the desired's or own_resolved; NULL without one */
	const struct kdr_resolve_filters *filters; /* &resolved->filters, or NULL */
	struct kdr_live live;
	struct kdr_reader_report read;  /* each selected cluster's read (empty with a snapshot) */
	struct kdr_strvec read_ok;      /* the clusters whose Kafka was read, in declaration order */
	struct kdr_mm2_secrets secrets; /* resolves the documents' references now */
	struct kdr_plan plan;
	bool planned;
};

/*
 * What a command's run on the pipeline (kdr lag, backup, restore) came to;
 * the CLI maps it to its exit status (0, 1, 2).
 */
enum kdr_pipeline_outcome {
	KDR_PIPELINE_OK,      /* done, or nothing to do */
	KDR_PIPELINE_FAILED,  /* an error, a refusal, a failed action, a threshold exceeded */
	KDR_PIPELINE_PENDING, /* items left for a human, changes Connect has not acted on yet */
};

/* The part every command's result has: the pipeline as far as it went, and why it stopped. */
struct kdr_pipeline_result {
	struct kdr_pipeline p;
	enum kdr_pipeline_outcome outcome;
	char *error;      /* why the run stopped (owned), NULL when a step's own result says */
	bool read_failed; /* `error` is the read stage's (the selection or the snapshot) */
};

/* Records kdr_error_message() as the run's error (read: the read stage's); returns `rc`. */
int kdr_pipeline_result_fail(struct kdr_pipeline_result *out, int rc, bool read);

/* Inits out->p over `desired` with `options` and reads (kdr_pipeline_read); a failure is recorded. */
int kdr_pipeline_result_read(struct kdr_pipeline_result *out, const struct kdr_desired *desired,
			     const struct kdr_pipeline_options *options);

/* ReplicationFlow `name` of `desired`, or NULL with "--flow 'NAME': no ReplicationFlow ..." recorded in `out`. */
const struct kdr_flow *kdr_pipeline_result_flow(struct kdr_pipeline_result *out, const struct kdr_desired *desired,
						const char *name);

/*
 * kdr_pipeline_result_read of the options' clusters and `flow`'s source and
 * target (the clusters a DR command reads), the selection kept in
 * `clusters` (release it with the result).
 */
int kdr_pipeline_result_read_flow(struct kdr_pipeline_result *out, struct kdr_strvec *clusters,
				  const struct kdr_desired *desired, const struct kdr_pipeline_options *options,
				  const struct kdr_flow *flow);

/*
 * The read stage as every command prints it, to `err`: "kdr: MESSAGE" per
 * message of p's read (a cluster left out, what of one could not be read),
 * then "kdr: ERROR" when the stage failed (`error`; NULL: it did not). The
 * messages come first on a failure too: they are what happened before it.
 */
void kdr_pipeline_render_read(struct kdr_buf *err, const struct kdr_pipeline *p, const char *error);

/* kdr_pipeline_render_read of a run's read: its error only when it is the read's (read_failed). */
void kdr_pipeline_result_render_read(struct kdr_buf *err, const struct kdr_pipeline_result *result);

/* "kdr COMMAND: ERROR" to `err` when the run stopped with an error of its own (not the read's). */
void kdr_pipeline_result_render_error(struct kdr_buf *err, const struct kdr_pipeline_result *result,
				      const char *command);

void kdr_pipeline_result_release(struct kdr_pipeline_result *result);

/*
 * An apply's per-action results and summary as kdr apply prints them (to
 * `out`), and to `err` the note, prefixed "kdr COMMAND:", on connector
 * changes Connect did not act on in time (the exit status 2 of apply).
 */
void kdr_pipeline_apply_render_text(struct kdr_buf *out, struct kdr_buf *err, const char *command,
				    const struct kdr_plan *plan, const struct kdr_apply_report *report, bool validate_only);

/* Starts a pipeline over `desired` (lent, as are the options' strings). */
void kdr_pipeline_init(struct kdr_pipeline *p, const struct kdr_desired *desired,
		       const struct kdr_pipeline_options *options);

/*
 * Reads the live state: the snapshot file, or every selected declared
 * cluster side by side (kdr_reader_read). A cluster that cannot be read is
 * left out (recorded as unread; its messages are in p->read) and is not a
 * failure of the stage. Returns 0; KDR_ENOTFOUND for a --cluster that names
 * no declared cluster, KDR_EIO / KDR_EINVALID for a snapshot that cannot be
 * read, with kdr_error_set.
 */
int kdr_pipeline_read(struct kdr_pipeline *p);

/*
 * Plans the live state that was read (kdr_plan_compute) with the secrets
 * resolved; only the selected clusters (or, with plan_read_only, those that
 * were read). Returns 0 or the planner's code.
 */
int kdr_pipeline_plan(struct kdr_pipeline *p);

/*
 * Takes `saved` (a plan read back from kdr plan --out; moved in, `*saved`
 * zeroed) as the plan, once the live state was read: refused unless every
 * cluster it fingerprinted is as it was (one line per one that is not is
 * appended to `problems`: KDR_ECONFLICT), then its redacted secrets are
 * resolved again from the documents (kdr_plan_restore_secrets). `label`
 * names the file in messages.
 */
int kdr_pipeline_use_saved(struct kdr_pipeline *p, struct kdr_plan *saved, struct kdr_strvec *problems,
			   const char *label);

/*
 * Applies the plan: with a snapshot, to the snapshot in p->live as Kafka
 * would (kdr_plan_simulate; the caller writes it back); else on the
 * clusters `targets` (NULL: the selected ones), the actions with held[i]
 * (may be NULL) left out. `out` gets one result per plan action (held ones
 * unattempted and not counted). Returns 0 or the first failure's code.
 */
int kdr_pipeline_apply(struct kdr_apply_report *out, struct kdr_pipeline *p, const struct kdr_strvec *targets,
		       const bool *held);

/* The flows' health of the planned state (kdr_health_compute over the selected clusters). */
int kdr_pipeline_status(struct kdr_health *out, const struct kdr_pipeline *p);

/*
 * ReplicationFlow `flow`'s lag (kdr lag), once p has read and planned the
 * flow's two clusters: what status says the flow mirrors, measured from the
 * log ends, MM2's latest offset-syncs and the first unreplicated records'
 * timestamps (kdr_dr_lag_compute, threshold `max_rpo_ms`). What could not
 * be measured but leaves the report usable is appended to `warnings`.
 * Returns 0, or KDR_EUNAVAILABLE when a cluster was not read / a log end
 * cannot be read (with kdr_error_set).
 */
int kdr_pipeline_lag(struct kdr_dr_lag_report *out, struct kdr_strvec *warnings, const struct kdr_pipeline *p,
		     const struct kdr_flow *flow, int64_t max_rpo_ms);

/*
 * kdr lag's measurement (also kdr failback's step 2): plans what p read
 * (status names what the flow mirrors: what its running connector, or the
 * flow, selects), then kdr_pipeline_lag. Returns 0 or the failing stage's code.
 */
int kdr_pipeline_flow_lag(struct kdr_dr_lag_report *out, struct kdr_strvec *warnings, struct kdr_pipeline *p,
			  const struct kdr_flow *flow, int64_t max_rpo_ms);

/* kdr plan's, apply's and status's run: the live state read, then planned, or a saved plan taken; apply's apply. */
struct kdr_reconcile_result {
	struct kdr_pipeline_result run; /* run.p: what was read and the plan */
	struct kdr_strvec stale;	/* a saved plan refused: one line per cluster no longer as it saw it */
	struct kdr_apply_report applied; /* kdr_pipeline_reconcile_apply's, on the clusters */
	struct kdr_strvec saved_clusters; /* a saved plan's: the clusters it fingerprinted, the ones read */
	bool misuse; /* refused before any read: the options named clusters, which a saved plan does not take */
};

/*
 * Reads the live state with `options` over `desired` (lent, as are the
 * options' strings, until `out` is released), then plans it. Given
 * `saved_path` (a plan kdr plan --out wrote; NULL: none), first reads that
 * plan back (kdr_plan_from_json, the path naming it in messages; a file
 * that cannot be read is recorded as the read stage's error, as every file
 * kdr cannot read), refuses options that name clusters (out->misuse:
 * "--cluster cannot narrow a saved plan ..."), reads the clusters the plan
 * fingerprinted and takes the plan once every one is as it was
 * (kdr_pipeline_use_saved, each one that is not in out->stale). Fills
 * `out`; returns 0, or the failing stage's code (recorded in out->run).
 */
int kdr_pipeline_reconcile_run(struct kdr_reconcile_result *out, const struct kdr_desired *desired,
			       const struct kdr_pipeline_options *options, const char *saved_path);

/*
 * What the run prints to `err`: the read (kdr_pipeline_result_render_read),
 * then, when a later stage failed, "kdr COMMAND: LINE" per stale cluster or
 * else "kdr COMMAND: ERROR".
 */
void kdr_pipeline_reconcile_render(struct kdr_buf *err, const struct kdr_reconcile_result *result,
				   const char *command);

/*
 * kdr apply's last step, once the run planned and the user consented: the
 * plan applied to the clusters (kdr_pipeline_apply, into out->applied;
 * outcome FAILED when an action failed, PENDING when Connect has not yet
 * acted on a change), or to the --offline snapshot as Kafka would, and the
 * file written back (FAILED: not written). Returns 0 or the first failure's
 * code.
 */
int kdr_pipeline_reconcile_apply(struct kdr_reconcile_result *out);

/*
 * What the apply prints: each action's result and the summary to `out`,
 * the note on changes Connect did not act on to `err`
 * (kdr_pipeline_apply_render_text, prefixed "kdr COMMAND:"); for a snapshot
 * "applied N action(s) to snapshot 'FILE'", or why it was not written.
 */
void kdr_pipeline_reconcile_render_apply(struct kdr_buf *out, struct kdr_buf *err,
					 const struct kdr_reconcile_result *result, const char *command);

/*
 * kdr status's report once the run planned: the flows' health
 * (kdr_pipeline_status) with each flow's replication lag
 * (kdr_pipeline_status_lag), except from an --offline snapshot, which holds
 * no offsets. Returns 0 or kdr_pipeline_status's code.
 */
int kdr_pipeline_reconcile_status(struct kdr_health *out, const struct kdr_reconcile_result *result);

void kdr_reconcile_result_release(struct kdr_reconcile_result *result);

struct kdr_output;
struct kdr_apply_result;

/* What kdr apply asks of its run (kdr_pipeline_apply_run). */
struct kdr_apply_request {
	const char *saved_path;        /* a plan kdr plan --out wrote (kdr apply PLAN.json); NULL: plan now */
	const char *reassignments_dir; /* --reassignments DIR: each blocked item's file written there; NULL: none */
	/*
	 * Asked once the plan is made, has no errors and has actions, before
	 * any is applied: 0 applies, anything else stops the run with nothing
	 * changed (outcome FAILED). NULL: applied.
	 */
	int (*consent)(void *ctx, const struct kdr_apply_result *so_far);
	void *consent_ctx;
};

/* kdr apply's run: the reconcile run, --reassignments' files, the refusals, the apply, what is left for a human. */
struct kdr_apply_result {
	/* the read, the plan and the apply; run.outcome: FAILED also for a refusal, PENDING for blocked items */
	struct kdr_reconcile_result reconcile;
	struct kdr_buf reassignments; /* what writing --reassignments' files said ("kdr: wrote ..." per file) */
	bool planned;     /* the run came to a plan (the one printed) */
	bool plan_errors; /* refused: the plan has errors (kdr_pipeline_plan_has_errors), nothing applied */
	bool declined;    /* req->consent did not agree: nothing applied */
	bool applied;     /* the actions were applied (kdr_pipeline_reconcile_apply; reconcile.applied) */
	bool blocked;     /* everything else went well, but blocked items are left for a human: PENDING */
};

/*
 * kdr apply: kdr_pipeline_reconcile_run over `desired` (lent, as are the
 * options' and req's strings, until `out` is released) with `options` and
 * req->saved_path; then req->reassignments_dir's files written
 * (kdr_pipeline_write_reassignments; a failure is FAILED); a plan with
 * errors refused (FAILED); once req->consent agrees, a plan's actions
 * applied (kdr_pipeline_reconcile_apply: FAILED, or PENDING for changes
 * Connect has not acted on); finally, when all that went well, blocked
 * items left for a human make the outcome PENDING. Fills `out`; returns 0
 * when the run came to an end (out->reconcile.run.outcome says how), else
 * the code of the stage that failed.
 */
int kdr_pipeline_apply_run(struct kdr_apply_result *out, const struct kdr_desired *desired,
			   const struct kdr_pipeline_options *options, const struct kdr_apply_request *req);

/*
 * What kdr apply prints before it asks, to `o` in order: the run's messages
 * (kdr_pipeline_reconcile_render, "kdr apply:"), the plan once made
 * (kdr_render_plan, text), what writing --reassignments' files said.
 */
void kdr_pipeline_apply_render_plan(struct kdr_output *o, const struct kdr_apply_result *result);

/*
 * What kdr apply prints once its run ended, to `o` in order: the refusal of
 * a plan with errors, each action's result and the summary
 * (kdr_pipeline_reconcile_render_apply), the blocked items left for a human.
 */
void kdr_pipeline_apply_render_finish(struct kdr_output *o, const struct kdr_apply_result *result);

void kdr_apply_result_release(struct kdr_apply_result *result);

/*
 * --reassignments DIR's step of kdr plan's and apply's runs, once `run`
 * planned: kdr_pipeline_write_reassignments of run's plan, what it said
 * appended to `said`; a failure is FAILED (the messages say why). Returns
 * 0 or the failure's code.
 */
int kdr_pipeline_run_reassignments(struct kdr_buf *said, struct kdr_pipeline_result *run, const char *dir);

/* What kdr plan asks of its run (kdr_pipeline_plan_run), and how its plan is shown (kdr_pipeline_plan_render). */
struct kdr_plan_request {
	const char *save_path;         /* --out FILE: the plan's JSON written there ("-": printed after the plan); NULL: none */
	const char *reassignments_dir; /* --reassignments DIR: each blocked item's file written there; NULL: none */
	bool changes_pending;          /* --detailed-exitcode: a plan with changes is PENDING (exit status 2) */
	enum kdr_render_format format; /* how the plan is printed (--format) */
	const struct kdr_desired_diff *change; /* --base: the desired-state change shown with the plan; NULL: none */
	size_t base_connections;       /* the clusters connected with the base's settings (kdr_desired_use_base_connections) */
};

/* kdr plan's run: the reconcile run, the saved plan, --reassignments' files, what its plan says of the outcome. */
struct kdr_plan_result {
	struct kdr_reconcile_result reconcile; /* run.outcome: FAILED also for a plan with errors, PENDING for changes */
	struct kdr_buf saved; /* --out -: the plan's JSON, printed after the plan */
	struct kdr_buf said;  /* what writing --out's file (a failure) and --reassignments' files said */
	bool planned;         /* the run came to a plan (the one printed) */
	bool plan_errors;     /* the plan has errors (kdr_pipeline_plan_has_errors): FAILED, said by its '!' lines */
};

/*
 * kdr plan: kdr_pipeline_reconcile_run over `desired` (lent, as are the
 * options' and req's strings, until `out` is released) with `options`, the
 * consumer groups listed when a flow checkpoints them (the mirror preview
 * names them); then the plan's JSON saved to req->save_path (a file that
 * cannot be written is FAILED: "kdr: ERROR" in out->said) and
 * req->reassignments_dir's files written (kdr_pipeline_run_reassignments);
 * a plan with errors is FAILED, else, with req->changes_pending, a plan
 * with changes is PENDING. Fills `out`; returns 0 when the run came to an
 * end (out->reconcile.run.outcome says how), else the code of the stage
 * that failed.
 */
int kdr_pipeline_plan_run(struct kdr_plan_result *out, const struct kdr_desired *desired,
			  const struct kdr_pipeline_options *options, const struct kdr_plan_request *req);

/*
 * What kdr plan prints, to `o` in order: the run's messages
 * (kdr_pipeline_reconcile_render, "kdr plan:"), the plan once made in
 * req->format with req->change (kdr_render_plan_with_change), the JSON of
 * --out -, what writing the files said.
 */
void kdr_pipeline_plan_render(struct kdr_output *o, const struct kdr_plan_result *result,
			      const struct kdr_plan_request *req);

void kdr_plan_result_release(struct kdr_plan_result *result);

/* kdr status's run: the reconcile run and the flows' health. */
struct kdr_status_result {
	struct kdr_reconcile_result reconcile; /* run.outcome: FAILED also when a flow's health is FAILED */
	struct kdr_health health;
	bool reported; /* `health` was computed (kdr_pipeline_reconcile_status) */
};

/*
 * kdr status: kdr_pipeline_reconcile_run over `desired` (lent, as are the
 * options' strings, until `out` is released) with `options` (a cluster or
 * Connect that cannot be read is reported unreachable, not a failure of
 * the run), then the health (kdr_pipeline_reconcile_status; its failure is
 * the run's error). A health of KDR_HEALTH_FAILED is FAILED. Fills `out`;
 * returns 0 when the run came to an end, else the failing stage's code.
 */
int kdr_pipeline_status_run(struct kdr_status_result *out, const struct kdr_desired *desired,
			    const struct kdr_pipeline_options *options);

/*
 * What kdr status prints: the run's messages (kdr_pipeline_reconcile_render,
 * "kdr status:", its error included) to `err`, the health once reported to
 * `out`, as JSON (--format json) or text.
 */
void kdr_pipeline_status_render(struct kdr_buf *out, struct kdr_buf *err, const struct kdr_status_result *result,
				bool json);

void kdr_status_result_release(struct kdr_status_result *result);

/*
 * --reassignments DIR (kdr plan, apply): writes each blocked item's
 * reassignment (kafka-reassign-partitions.sh --reassignment-json-file
 * format) to DIR/<cluster>.<topic>.reassignment.json, DIR created when there
 * is one to write. To `err`: "kdr: wrote PATH (...)" per file written, "kdr:
 * ERROR" per one that was not, or only "kdr: --reassignments: ERROR" when DIR
 * cannot be created. Returns 0 or the first failure's code.
 */
int kdr_pipeline_write_reassignments(struct kdr_buf *err, const struct kdr_plan *plan, const char *dir);

/*
 * kdr snapshot's run: kdr_pipeline_result_read over `desired` with `options`
 * and the consumer groups' offsets (a snapshot holds them). A selected
 * cluster that could not be read is missing from the snapshot: the outcome
 * is FAILED (no error of its own; the read's messages say why), though the
 * live state of the others is there to write. Returns 0 when the live state
 * was read, else the read stage's code (recorded in `out`).
 */
int kdr_pipeline_snapshot_run(struct kdr_pipeline_result *out, const struct kdr_desired *desired,
			      const struct kdr_pipeline_options *options);

/* kdr lag's run: the flow's clusters read and planned, its lag measured. */
struct kdr_lag_result {
	struct kdr_pipeline_result run; /* FAILED also when an RPO estimate is over the threshold */
	struct kdr_strvec clusters;     /* read: the options' and the flow's source and target */
	struct kdr_dr_lag_report report;
	struct kdr_strvec warnings;     /* what could not be measured but leaves the report usable */
};

/*
 * kdr lag: finds ReplicationFlow `flow` in `desired` (lent, as are the
 * options' strings, until `out` is released), reads its two clusters with
 * `options` (and any clusters they name), plans and measures
 * (kdr_pipeline_flow_lag, threshold `max_rpo_ms`). Fills `out`; returns 0
 * when the report was made, else the failing stage's code (recorded in out->run).
 */
int kdr_pipeline_lag_run(struct kdr_lag_result *out, const struct kdr_desired *desired,
			 const struct kdr_pipeline_options *options, const char *flow, int64_t max_rpo_ms);

/* What kdr lag prints: the report (text or `json`) to `out`, the read's messages and warnings to `err`. */
void kdr_pipeline_lag_render(struct kdr_buf *out, struct kdr_buf *err, const struct kdr_lag_result *result,
			     bool json);

void kdr_lag_result_release(struct kdr_lag_result *result);

/*
 * Measures every flow of `status` (kdr_pipeline_lag) into its `lag`: the
 * figures, or the reason they could not be measured in lag.error. Reads the
 * log ends and MM2's offset-syncs of each flow whose clusters were read.
 */
void kdr_pipeline_status_lag(struct kdr_health *status, const struct kdr_pipeline *p);

/*
 * The options of the requests a DR step (lag, failover, failback) makes
 * itself through pkg/executor's DR I/O: the pipeline's timeout and its
 * secret resolver, so that a clientConfig's secretKeyRef (--k8s) resolves
 * there as it did for the read.
 */
struct kdr_executor_options kdr_pipeline_dr_options(const struct kdr_pipeline *p);

/* A plan-time error (KDR_BLOCKED_ERROR) among the plan's blocked items. */
bool kdr_pipeline_plan_has_errors(const struct kdr_pipeline *p);

void kdr_pipeline_release(struct kdr_pipeline *p);

#endif
