#ifndef KDR_MM2_RECORDS_H
#define KDR_MM2_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/*
 * MirrorMaker 2's internal records, byte for byte as MM2 writes them with
 * Kafka's classic protocol Struct types (connect/mirror-client Checkpoint,
 * Heartbeat; connect/mirror OffsetSync): big-endian INT16/INT32/INT64, and
 * STRING = INT16 length (0..32767) then that many UTF-8 bytes. No tagged
 * fields, no varints. Like MM2's readers, decoding ignores bytes after the
 * last field. Pure: no I/O.
 *
 *   Checkpoint  key   group STRING, topic STRING, partition INT32
 *               value version INT16 (0), upstreamOffset INT64, offset INT64, metadata STRING
 *   OffsetSync  key   topic STRING, partition INT32
 *               value upstreamOffset INT64, offset INT64          (no version)
 *   Heartbeat   key   sourceClusterAlias STRING, targetClusterAlias STRING
 *               value version INT16 (0), timestamp INT64
 */

#define KDR_MM2_RECORD_VERSION 0
#define KDR_MM2_STRING_MAX 32767

/* A record of `<source>.checkpoints.internal` (on the target). */
struct kdr_mm2_checkpoint {
	char *group;
	char *topic; /* as named on the target (already renamed by the policy: "dc-east.orders") */
	int32_t partition;
	int64_t upstream_offset;   /* the group's committed offset on the source */
	int64_t downstream_offset; /* the translated offset on the target */
	char *metadata;            /* "" when the source commit had none */
};

/* A record of `mm2-offset-syncs.<alias>.internal`. */
struct kdr_mm2_offset_sync {
	char *topic; /* the source topic */
	int32_t partition;
	int64_t upstream_offset;
	int64_t downstream_offset;
};

/* A record of `heartbeats` (and of its remote copies `<alias>.heartbeats`). */
struct kdr_mm2_heartbeat {
	char *source_alias;
	char *target_alias;
	int64_t timestamp_ms;
};

/*
 * Decode a record into an empty `out` (heap strings, released with the
 * matching _release). Returns 0; KDR_EINVALID for a key or value that is
 * missing, truncated, has a negative string length or a string holding a
 * NUL byte; KDR_EUNSUPPORTED for a value version other than 0. The message
 * (kdr_error_message) says which field failed at which byte. On failure
 * `out` is left empty.
 */
int kdr_mm2_checkpoint_decode(struct kdr_mm2_checkpoint *out, const void *key, size_t key_len, const void *value,
			      size_t value_len);
int kdr_mm2_offset_sync_decode(struct kdr_mm2_offset_sync *out, const void *key, size_t key_len, const void *value,
			       size_t value_len);
int kdr_mm2_heartbeat_decode(struct kdr_mm2_heartbeat *out, const void *key, size_t key_len, const void *value,
			     size_t value_len);

/*
 * Encode as MM2 does, appending to `key` and `value` (version 0). Returns 0,
 * or KDR_EINVALID when a string is NULL or longer than 32767 bytes (Java
 * cannot write those either); nothing is appended then.
 */
int kdr_mm2_checkpoint_encode(struct kdr_buf *key, struct kdr_buf *value, const struct kdr_mm2_checkpoint *cp);
int kdr_mm2_offset_sync_encode(struct kdr_buf *key, struct kdr_buf *value, const struct kdr_mm2_offset_sync *sync);
int kdr_mm2_heartbeat_encode(struct kdr_buf *key, struct kdr_buf *value, const struct kdr_mm2_heartbeat *hb);

void kdr_mm2_checkpoint_release(struct kdr_mm2_checkpoint *cp);
void kdr_mm2_offset_sync_release(struct kdr_mm2_offset_sync *sync);
void kdr_mm2_heartbeat_release(struct kdr_mm2_heartbeat *hb);

#endif
