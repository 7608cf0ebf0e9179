#ifndef KDR_PIPELINE_BACKUP_H
#define KDR_PIPELINE_BACKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "dr/backup.h"
#include "pipeline/pipeline.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/regex.h"
#include "util/strvec.h"

/*
 * kdr backup and kdr restore on the one pipeline (docs/backup-format.md):
 * each command's whole run (read -> backup; read -> plan -> apply -> the
 * restore's steps) into a result, and its rendering as text. pkg/dr decides
 * and renders the files, pkg/executor moves the records and offsets; these
 * only wire them and read or write the backup directory. Nothing here
 * prints: outcomes are in the out structs, failures in kdr_error_message().
 */

/* --- backup --- */

struct kdr_backup_request {
	const char *cluster;       /* the one cluster to read and back up */
	const char *out_dir;       /* created; kdr's files in it are replaced */
	const struct kdr_regex *data_re; /* --data, NULL: none */
	const char *data_regex;    /* its text, for the manifest */
	size_t max_bytes;          /* --max-bytes */
	const char *created_at;    /* RFC 3339 UTC; NULL: now, or SOURCE_DATE_EPOCH when set (reproducible) */
	const char *kdr_version;
	bool commit;               /* --commit */
};

struct kdr_backup_result {
	struct kdr_pipeline_result run; /* error: nothing was written (n_files 0), or the commit failed */
	const char *cluster, *out_dir;  /* req's, lent */
	const char *cluster_id;         /* lent from the pipeline's live state; NULL unknown */
	char created_at[KDR_CLOCK_UTC_SIZE]; /* the manifest's createdAt */
	size_t n_files;
	char commit_id[41];             /* with commit: the new commit */
	struct kdr_strvec warnings;     /* written anyway: what the backup lacks and why */
};

/*
 * kdr backup: reads cluster req->cluster of `desired` (lent, as are the
 * options' and req's strings, until `out` is released) with `options`,
 * ACLs and groups' offsets included; refuses, writing nothing, a cluster
 * that was not read, whose groups or ACLs could not be read; with data_re
 * dumps the records; renders the files (kdr_dr_backup_render), writes them
 * into out_dir (the data/ files of an earlier backup removed first) and
 * with commit commits out_dir. Fills `out`; returns 0, or the failure's
 * code with out->run.error saying what was (not) written.
 */
int kdr_pipeline_backup(struct kdr_backup_result *out, const struct kdr_desired *desired,
			const struct kdr_pipeline_options *options, const struct kdr_backup_request *req);

/* What kdr backup prints: the files and the commit to `out`; the read's messages, warnings, errors to `err`. */
void kdr_pipeline_backup_render(struct kdr_buf *out, struct kdr_buf *err, const struct kdr_backup_result *result);

void kdr_backup_result_release(struct kdr_backup_result *result);

/* --- restore --- */

/*
 * Turns `desired` (the source's documents: the clusters' connection
 * settings) into the desired state of a restore of the backup in `from`
 * onto `cluster`: its flows and policies dropped, the backup's TopicPolicy
 * and AccessPolicy documents moved in with their clusters set to
 * [cluster]; validated as a whole. The backup's own KafkaCluster and
 * ReplicationFlow documents are not used (a warning in `diags`). Returns 0,
 * or KDR_EINVALID (`diags` say why) / the loader's code.
 */
int kdr_pipeline_restore_desired(struct kdr_desired *desired, struct kdr_diags *diags, const char *from,
				 const char *cluster);

/*
 * restore --connectors: appends to p->plan (planned) the backup's
 * connectors (connectors.json) for `cluster`'s Connect
 * (kdr_plan_restore_connectors), with the values of redacted keys from the
 * JSON file `secrets_path` ({"<connector>": {"<key>": "<value>"}}; NULL:
 * none). Returns 0, or the code of a file that cannot be read or parsed
 * (messages never quote a secret's value).
 */
int kdr_pipeline_restore_connectors(struct kdr_pipeline *p, const char *from, const char *cluster,
				    const char *secrets_path);

struct kdr_restore_brokers {
	struct kdr_dr_restore_brokers decided;
	struct kdr_strvec errors; /* the AlterConfigs that failed */
};

/*
 * restore --broker-configs: reads the backup's brokers.json, decides
 * against the brokers of `cl` as `p` read them (kdr_dr_restore_brokers_decide)
 * and, unless dry_run, sets them. Returns 0 when the decision was made
 * (refusals and failures in `out`), else the file's or read's code.
 */
int kdr_pipeline_restore_brokers(struct kdr_restore_brokers *out, const struct kdr_pipeline *p, const char *from,
				 const struct kdr_cluster *cl, bool dry_run);
/* The table (broker key current backup verdict) and the summary; sensitive values redacted. */
void kdr_restore_brokers_render_text(struct kdr_buf *out, const struct kdr_restore_brokers *brokers, bool dry_run);
void kdr_restore_brokers_release(struct kdr_restore_brokers *brokers);

/* What restore --data did (or, dry, would do) per backed-up partition. */
enum kdr_restore_data_verdict {
	KDR_RESTORE_DATA_PRODUCED,
	KDR_RESTORE_DATA_WOULD_PRODUCE, /* --dry-run */
	KDR_RESTORE_DATA_SKIPPED,       /* the partition already holds records */
	KDR_RESTORE_DATA_MISSING,       /* the partition does not exist */
	KDR_RESTORE_DATA_FAILED,
};

struct kdr_restore_data_row {
	const char *topic; /* lent from sets */
	int32_t partition;
	size_t records;   /* in the backup */
	size_t delivered;
	int64_t end;      /* the partition's log end before, -1 missing */
	enum kdr_restore_data_verdict verdict;
	char *message;    /* FAILED: why */
};

struct kdr_restore_data {
	struct kdr_dr_partition_records *sets; /* the backup's records (checksums verified) */
	size_t n;
	struct kdr_restore_data_row *rows; /* one per set */
	size_t produced;
	size_t failed;
};

/*
 * restore --data on cluster `cl`: reads the backup's data files (listed in
 * its manifest), checks each against data/SHA256SUMS and decodes it, reads
 * the partitions' log ends, then (unless dry_run) produces each set into
 * its partition when that partition is empty (with p's timeout and secret
 * resolver). Fills `out`; returns 0 when the files were read
 * (per-partition failures in the rows), else the code of the file,
 * checksum or log-end failure (nothing produced).
 */
int kdr_pipeline_restore_data(struct kdr_restore_data *out, const struct kdr_pipeline *p, const char *from,
			      const struct kdr_cluster *cl, bool dry_run);
/* The rows and the summary, as kdr restore prints them. */
void kdr_restore_data_render_text(struct kdr_buf *out, const struct kdr_restore_data *data, bool dry_run,
				  const char *cluster);
void kdr_restore_data_release(struct kdr_restore_data *data);

struct kdr_restore_offsets {
	struct kdr_dr_restore_offsets decided;
	struct kdr_strvec errors; /* the commits that failed */
};

/*
 * restore --offsets: reads the backup's groups.json, re-reads the groups of
 * the cluster `p` restores into (as they are after the plan and --data),
 * reads the log ends, decides (kdr_dr_restore_offsets_decide) and, unless
 * dry_run, commits. With `data` (restore --data ran; NULL: not) the
 * backup's offsets of the partitions whose records are the backup's (produced
 * now, or by an earlier restore: log end == the backed-up record count) are
 * first translated to the restored records' offsets
 * (kdr_dr_restore_offsets_translate).
 * Returns 0 when the decision was made (refusals and failed commits are in
 * `out`), else the read's code.
 */
int kdr_pipeline_restore_offsets(struct kdr_restore_offsets *out, struct kdr_pipeline *p, const char *from,
				 const struct kdr_cluster *cl, const struct kdr_restore_data *data, bool dry_run);
/* The table (group topic partition offset current log-end verdict) and the summary. */
void kdr_restore_offsets_render_text(struct kdr_buf *out, const struct kdr_restore_offsets *offsets, bool dry_run,
				     const char *cluster);
void kdr_restore_offsets_release(struct kdr_restore_offsets *offsets);

/* --- restore, the whole run --- */

struct kdr_restore_result;

struct kdr_restore_request {
	const char *from;              /* the backup directory */
	const char *cluster;           /* the one cluster to restore into */
	const char *connector_secrets; /* --connector-secrets FILE, NULL: none */
	bool dry_run, data, offsets, connectors, broker_configs;
	/*
	 * Asked, with the run so far (its plan made), before the plan is
	 * applied (not on a dry run, not for an empty plan): 0 applies,
	 * anything else stops the run with nothing changed. NULL: applied.
	 */
	int (*consent)(void *ctx, const struct kdr_restore_result *so_far);
	void *consent_ctx;
};

struct kdr_restore_result {
	const struct kdr_restore_request *req; /* lent */
	/* error: why it stopped; FAILED also for a refusal, PENDING for blocked items or unsettled connectors */
	struct kdr_pipeline_result run;
	struct kdr_diags diags;        /* the backup's documents */
	bool planned;                  /* the plan (with --connectors) was made */
	bool plan_errors;              /* it has errors: nothing was applied */
	bool applied;                  /* `apply` holds the apply's results */
	struct kdr_apply_report apply;
	bool brokers_done, data_done, offsets_done; /* the step decided: its result is in the next field */
	struct kdr_restore_brokers brokers;
	struct kdr_restore_data data;
	struct kdr_restore_offsets offsets;
	size_t blocked;                /* every step done: the plan's blocked items left for a human */
};

/*
 * kdr restore: the backup req->from as the desired state of cluster
 * req->cluster (kdr_pipeline_restore_desired on `desired`, which gives the
 * connection settings and is changed in place; lent, as are the options'
 * and req's strings, until `out` is released), the cluster read with
 * `options`, planned (with --connectors the backup's connectors added), and
 * unless dry_run or the plan has errors, once req->consent agrees, applied;
 * then --broker-configs, --data and --offsets, each only when everything
 * before it succeeded. Fills `out`; returns 0 when the run came to an end
 * (out->run.outcome says how: a refusal, a failed action, a step's failures
 * are FAILED), else the code of the stage that could not be done
 * (out->run.error).
 */
int kdr_pipeline_restore(struct kdr_restore_result *out, struct kdr_desired *desired,
			 const struct kdr_pipeline_options *options, const struct kdr_restore_request *req);

/*
 * What kdr restore prints, in two parts (the confirmation is asked between
 * them): up to the plan (the backup's diagnostics, the read, the plan or
 * why there is none), then the rest (the apply's results, each step's
 * table, what is left). Tables to `out`, messages to `err`.
 */
void kdr_pipeline_restore_render_plan(struct kdr_buf *out, struct kdr_buf *err,
				      const struct kdr_restore_result *result);
void kdr_pipeline_restore_render_steps(struct kdr_buf *out, struct kdr_buf *err,
				       const struct kdr_restore_result *result);

void kdr_restore_result_release(struct kdr_restore_result *result);

#endif
