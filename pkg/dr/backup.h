#ifndef KDR_DR_BACKUP_H
#define KDR_DR_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live/live.h"
#include "dr/dr.h"
#include "model/model.h"
#include "util/buf.h"

/*
 * kdr backup / kdr restore as pure functions (docs/backup-format.md): a live
 * cluster -> the files of a backup directory, and a backup's files -> what a
 * restore puts back. No I/O: cmd/kdr reads the cluster and writes the files.
 *
 * A backup directory holds:
 *   manifest.json        cluster, cluster id, kdr version, counts, createdAt
 *                        (the one line that differs between two backups of
 *                        an unchanged cluster), what was left out and why
 *   topics.yaml          one TopicPolicy: every topic with its partitions,
 *                        RF, dynamic configs and exact assignment
 *                        (strategy static, fallback rack-aware)
 *   acls.yaml            one AccessPolicy per principal
 *   groups.json          committed offsets of the consumer groups
 *   brokers.json         dynamic broker configs (per broker, cluster default)
 *   connectors.json      the Connect connectors' configs, secrets redacted
 *   data/<topic>/<partition>.jsonl and data/SHA256SUMS (with --data)
 * Every file is a deterministic function of the cluster's state.
 */

/* One file of a backup: a path relative to the backup directory, and its bytes. */
struct kdr_dr_file {
	char *path;
	struct kdr_buf data;
};

struct kdr_dr_files {
	struct kdr_dr_file *v; /* in the order added (render adds them sorted by path) */
	size_t n;
	size_t cap;
};

/* Appends `path` (copied) with the contents of `data`, which is left empty. */
void kdr_dr_files_add_take(struct kdr_dr_files *files, const char *path, struct kdr_buf *data);
/* The file named `path`, lent, or NULL. */
const struct kdr_dr_file *kdr_dr_files_find(const struct kdr_dr_files *files, const char *path);
void kdr_dr_files_release(struct kdr_dr_files *files);

/* --- records (--data) --- */

struct kdr_dr_bytes {
	unsigned char *ptr; /* NULL with null: a null key, value or header value */
	size_t len;
	bool null;
};

struct kdr_dr_header {
	char *key;
	struct kdr_dr_bytes value;
};

struct kdr_dr_record {
	int64_t offset;
	int64_t timestamp_ms; /* -1: none */
	struct kdr_dr_bytes key;
	struct kdr_dr_bytes value;
	struct kdr_dr_header *headers; /* in record order (Kafka allows repeated keys) */
	size_t n_headers;
};

/* The records of one partition, in offset order. */
struct kdr_dr_partition_records {
	char *topic;
	int32_t partition;
	struct kdr_dr_record *v;
	size_t n;
	size_t cap;
	size_t bytes; /* keys, values, header keys and values added so far (for --max-bytes) */
};

void kdr_dr_partition_records_init(struct kdr_dr_partition_records *out, const char *topic, int32_t partition);
/* Appends a deep copy of `record`. */
void kdr_dr_partition_records_add(struct kdr_dr_partition_records *records, const struct kdr_dr_record *record);
void kdr_dr_partition_records_release(struct kdr_dr_partition_records *records);

/* "data/<topic>/<partition>.jsonl" (heap string). */
char *kdr_dr_records_path(const char *topic, int32_t partition);

/*
 * The record-dump format (docs/backup-format.md): a first line
 * {"kdrRecords":1,"partition":P,"topic":"T"}, then one JSON object per
 * record, keys sorted: {"headers":[["k","base64"|null],...],"key":"base64"|null,
 * "offset":N,"timestamp":MS|-1,"value":"base64"|null}. Appends to `out`.
 */
void kdr_dr_records_encode(struct kdr_buf *out, const struct kdr_dr_partition_records *records);
/*
 * Parses the format into an empty `out`. Errors name `label`:line and the
 * field and return KDR_EINVALID (`out` released then).
 */
int kdr_dr_records_decode(struct kdr_dr_partition_records *out, const char *text, size_t len, const char *label);

/* The SHA-256 of `data` as 64 lowercase hex digits and a NUL. */
void kdr_dr_sha256_hex(char out[65], const void *data, size_t len);
/*
 * Checks the file `path` ("data/orders/0.jsonl") against the SHA256SUMS text
 * (`sha256sum` format, paths relative to data/). Returns 0, KDR_ENOTFOUND
 * (not listed) or KDR_EINVALID (differs), with the message naming the file.
 */
int kdr_dr_sha256_check(const char *sums, const char *path, const void *data, size_t len);

/* --- backup --- */

struct kdr_dr_backup_info {
	const char *cluster;     /* the KafkaCluster's name (also the documents' spec.clusters) */
	const char *kdr_version;
	const char *created_at;  /* RFC 3339 UTC, "2026-12-07T01:02:03Z" */
	const char *data_regex;  /* --data, NULL: none */
};

/*
 * Renders the backup of `cl` (read with its groups' offsets and ACLs) into
 * an empty `out`, sorted by path: the files listed above, `data` (n_data
 * partitions, sorted by topic and partition) as data/ files with their
 * SHA256SUMS. Internal topics (`__`-prefixed) are left out; bindings an
 * AccessPolicy cannot declare (delegation-token and user resources, token
 * operations) and groups without committed offsets are counted in the
 * manifest's "skipped". Secret values never reach a file: connector config
 * keys that name credentials and sensitive broker configs are "(redacted)".
 */
void kdr_dr_backup_render(struct kdr_dr_files *out, const struct kdr_live_cluster *cl,
			  const struct kdr_dr_backup_info *info, const struct kdr_dr_partition_records *data,
			  size_t n_data);

/* The metadata.name kdr backup gives the documents of `cluster`: "backup-<cluster>" (heap). */
char *kdr_dr_backup_policy_name(const char *cluster);

/*
 * Reads a backup's groups.json into `out` (a zeroed cluster whose groups
 * and their offsets are filled, sorted). Errors name `label` and return
 * KDR_EINVALID.
 */
int kdr_dr_backup_groups_decode(struct kdr_live_cluster *out, const char *text, size_t len, const char *label);

/*
 * Reads a backup's connectors.json into `out` (zeroed): the connectors,
 * sorted by name as the backup writes them, with "(redacted)" values as
 * they are; present = connectRead. Errors name `label` and return
 * KDR_EINVALID (`out` left empty).
 */
int kdr_dr_backup_connectors_decode(struct kdr_live_connect *out, const char *text, size_t len, const char *label);

/* --- restore --broker-configs --- */

/*
 * Reads a backup's brokers.json into `out` (zeroed): one broker per id with
 * its dynamic and cluster-default configs, "(redacted)" as NULL (as Kafka
 * reports a sensitive value). Errors name `label`: KDR_EINVALID.
 */
int kdr_dr_backup_brokers_decode(struct kdr_live_cluster *out, const char *text, size_t len, const char *label);

enum kdr_dr_broker_verdict {
	KDR_DR_BROKER_SET,       /* the backup's value is set */
	KDR_DR_BROKER_UNCHANGED, /* the cluster has it already */
	KDR_DR_BROKER_SKIPPED,   /* sensitive (no value in the backup), or the broker does not exist: reason */
	KDR_DR_BROKER_REFUSED,   /* could not be set without losing another config: reason */
};

struct kdr_dr_broker_row {
	char *broker; /* the id, "" the cluster-wide default */
	char *key;
	char *value;   /* the backup's, NULL sensitive */
	char *current; /* on the cluster, NULL not set (or sensitive) */
	enum kdr_dr_broker_verdict verdict;
	char *reason;
};

/* What one AlterConfigs sends: the broker's whole dynamic set (AlterConfigs replaces it). */
struct kdr_dr_broker_set {
	char *broker;
	struct kdr_strmap config;
};

struct kdr_dr_restore_brokers {
	struct kdr_dr_broker_row *rows; /* the default first, then by broker id; keys sorted */
	size_t n;
	struct kdr_dr_broker_set *sets;
	size_t n_sets;
	size_t n_set, n_skipped, n_refused;
};

/*
 * Decides what restore --broker-configs sets on `live` (read with its
 * brokers' dynamic configs): per broker of `backup` (and the cluster-wide
 * default) each key set when its value differs, unchanged when equal,
 * skipped when the backup has no value (sensitive) or the broker id does
 * not exist on `live`; never removes a key: each set sent is the live
 * dynamic set with the backup's keys over it, and a broker whose live set
 * holds a sensitive value (unknown, could not be sent back) is refused.
 */
void kdr_dr_restore_brokers_decide(struct kdr_dr_restore_brokers *out, const struct kdr_live_cluster *backup,
				   const struct kdr_live_cluster *live);
void kdr_dr_restore_brokers_release(struct kdr_dr_restore_brokers *brokers);

/* --- restore --offsets --- */

enum kdr_dr_restore_verdict {
	KDR_DR_RESTORE_COMMIT,    /* the group gets the backup's offset */
	KDR_DR_RESTORE_UNCHANGED, /* it has it already (a second restore is a no-op) */
	KDR_DR_RESTORE_REFUSED,   /* not committed: reason says why */
};

struct kdr_dr_restore_row {
	char *group;
	char *topic;
	int32_t partition;
	int64_t offset;  /* the backup's */
	int64_t current; /* on the cluster now, -1 none */
	int64_t end;     /* the partition's log-end offset, -1 missing */
	char *metadata;
	enum kdr_dr_restore_verdict verdict;
	char *reason;
};

struct kdr_dr_restore_offsets {
	struct kdr_dr_restore_row *rows; /* sorted by (group, topic, partition) */
	size_t n;
	size_t n_commit;
	size_t n_refused;
};

/*
 * Decides per group and partition of `backup` what restore --offsets
 * commits on `live` (read with its groups' offsets): refused when the group
 * is active there (every row of that group), the partition does not exist
 * (no end offset in `ends`) or the offset is past its log end (never
 * silently: a restore without --data into an empty topic refuses); unchanged
 * when the group already has that offset. Fills an empty `out`.
 */
void kdr_dr_restore_offsets_decide(struct kdr_dr_restore_offsets *out, const struct kdr_live_cluster *backup,
				   const struct kdr_live_cluster *live, const struct kdr_dr_offsets *ends);
void kdr_dr_restore_offsets_release(struct kdr_dr_restore_offsets *offsets);

/*
 * Restored records get new offsets: restore --data produces a partition's
 * records into the empty partition, so they are numbered 0, 1, ... in
 * backup order, whatever their offsets were in the backed-up partition (a
 * log start past 0 after retention, gaps from compaction or transaction
 * markers). Moves each committed offset of `backup` (groups.json) whose
 * partition has a record set in `sets` (n of them) to the same place among
 * the restored records: the number of backed-up records before it. An
 * offset at or past the last record becomes the restored log end; one
 * without a set is left as it is.
 */
void kdr_dr_restore_offsets_translate(struct kdr_live_cluster *backup, const struct kdr_dr_partition_records *sets,
				      size_t n);

#endif
