/* MM2's internal record formats (records.h): a big-endian cursor over bytes. */
#include "mm2/records.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

struct reader {
	const unsigned char *p;
	size_t len;
	size_t pos;
	const char *what; /* "checkpoint key" */
};

static int need(struct reader *r, size_t n, const char *field)
{
	if (!r->p && r->len == 0 && n > 0)
		return kdr_error_set(KDR_EINVALID, "%s: missing (null), expected field '%s'", r->what, field);
	if (r->len - r->pos < n)
		return kdr_error_set(KDR_EINVALID, "%s: truncated at byte %zu: field '%s' needs %zu bytes, %zu left",
				     r->what, r->pos, field, n, r->len - r->pos);
	return 0;
}

static int read_u(struct reader *r, unsigned bytes, uint64_t *out, const char *field)
{
	uint64_t v = 0;
	int rc = need(r, bytes, field);

	if (rc != 0)
		return rc;
	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | r->p[r->pos + i];
	r->pos += bytes;
	*out = v;
	return 0;
}

static int read_i16(struct reader *r, int16_t *out, const char *field)
{
	uint64_t v = 0;
	int rc = read_u(r, 2, &v, field);

	*out = (int16_t)(uint16_t)v;
	return rc;
}

static int read_i32(struct reader *r, int32_t *out, const char *field)
{
	uint64_t v = 0;
	int rc = read_u(r, 4, &v, field);

	*out = (int32_t)(uint32_t)v;
	return rc;
}

static int read_i64(struct reader *r, int64_t *out, const char *field)
{
	uint64_t v = 0;
	int rc = read_u(r, 8, &v, field);

	*out = (int64_t)v;
	return rc;
}

static int read_string(struct reader *r, char **out, const char *field)
{
	int16_t n = 0;
	size_t at = r->pos;
	int rc = read_i16(r, &n, field);

	if (rc != 0)
		return rc;
	if (n < 0)
		return kdr_error_set(KDR_EINVALID, "%s: field '%s' at byte %zu: string length %d is negative", r->what,
				     field, at, (int)n);
	rc = need(r, (size_t)n, field);
	if (rc != 0)
		return rc;
	if (memchr(r->p + r->pos, '\0', (size_t)n))
		return kdr_error_set(KDR_EINVALID, "%s: field '%s' at byte %zu: string holds a NUL byte", r->what,
				     field, at);
	*out = kdr_strndup((const char *)r->p + r->pos, (size_t)n);
	r->pos += (size_t)n;
	return 0;
}

static int read_version(struct reader *r)
{
	int16_t version = 0;
	int rc = read_i16(r, &version, "version");

	if (rc != 0)
		return rc;
	if (version != KDR_MM2_RECORD_VERSION)
		return kdr_error_set(KDR_EUNSUPPORTED, "%s: version %d is not supported (only 0 is defined)", r->what,
				     (int)version);
	return 0;
}

static struct reader reader_of(const void *p, size_t len, const char *what)
{
	struct reader r = { p, p ? len : 0, 0, what };

	return r;
}

int kdr_mm2_checkpoint_decode(struct kdr_mm2_checkpoint *out, const void *key, size_t key_len, const void *value,
			      size_t value_len)
{
	struct kdr_mm2_checkpoint cp = { 0 };
	struct reader k = reader_of(key, key_len, "checkpoint key");
	struct reader v = reader_of(value, value_len, "checkpoint value");
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = read_version(&v)) != 0 || (rc = read_i64(&v, &cp.upstream_offset, "upstreamOffset")) != 0 ||
	    (rc = read_i64(&v, &cp.downstream_offset, "offset")) != 0 ||
	    (rc = read_string(&v, &cp.metadata, "metadata")) != 0 || (rc = read_string(&k, &cp.group, "group")) != 0 ||
	    (rc = read_string(&k, &cp.topic, "topic")) != 0 || (rc = read_i32(&k, &cp.partition, "partition")) != 0) {
		kdr_mm2_checkpoint_release(&cp);
		return rc;
	}
	*out = cp;
	return 0;
}

int kdr_mm2_offset_sync_decode(struct kdr_mm2_offset_sync *out, const void *key, size_t key_len, const void *value,
			       size_t value_len)
{
	struct kdr_mm2_offset_sync sync = { 0 };
	struct reader k = reader_of(key, key_len, "offset-sync key");
	struct reader v = reader_of(value, value_len, "offset-sync value");
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = read_string(&k, &sync.topic, "topic")) != 0 || (rc = read_i32(&k, &sync.partition, "partition")) != 0 ||
	    (rc = read_i64(&v, &sync.upstream_offset, "upstreamOffset")) != 0 ||
	    (rc = read_i64(&v, &sync.downstream_offset, "offset")) != 0) {
		kdr_mm2_offset_sync_release(&sync);
		return rc;
	}
	*out = sync;
	return 0;
}

int kdr_mm2_heartbeat_decode(struct kdr_mm2_heartbeat *out, const void *key, size_t key_len, const void *value,
			     size_t value_len)
{
	struct kdr_mm2_heartbeat hb = { 0 };
	struct reader k = reader_of(key, key_len, "heartbeat key");
	struct reader v = reader_of(value, value_len, "heartbeat value");
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = read_version(&v)) != 0 || (rc = read_i64(&v, &hb.timestamp_ms, "timestamp")) != 0 ||
	    (rc = read_string(&k, &hb.source_alias, "sourceClusterAlias")) != 0 ||
	    (rc = read_string(&k, &hb.target_alias, "targetClusterAlias")) != 0) {
		kdr_mm2_heartbeat_release(&hb);
		return rc;
	}
	*out = hb;
	return 0;
}

static void put_u(struct kdr_buf *buf, uint64_t v, unsigned bytes)
{
	unsigned char b[8];

	for (unsigned i = 0; i < bytes; i++)
		b[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	kdr_buf_put(buf, b, bytes);
}

static void put_string(struct kdr_buf *buf, const char *s)
{
	size_t n = strlen(s);

	put_u(buf, n, 2);
	kdr_buf_put(buf, s, n);
}

static int check_string(const char *s, const char *what, const char *field)
{
	if (!s)
		return kdr_error_set(KDR_EINVALID, "%s: field '%s' is null (MM2 cannot write a null string)", what,
				     field);
	if (strlen(s) > KDR_MM2_STRING_MAX)
		return kdr_error_set(KDR_EINVALID, "%s: field '%s' is %zu bytes long (at most %d)", what, field,
				     strlen(s), KDR_MM2_STRING_MAX);
	return 0;
}

int kdr_mm2_checkpoint_encode(struct kdr_buf *key, struct kdr_buf *value, const struct kdr_mm2_checkpoint *cp)
{
	int rc = 0;

	if ((rc = check_string(cp->group, "checkpoint", "group")) != 0 ||
	    (rc = check_string(cp->topic, "checkpoint", "topic")) != 0 ||
	    (rc = check_string(cp->metadata, "checkpoint", "metadata")) != 0)
		return rc;
	put_string(key, cp->group);
	put_string(key, cp->topic);
	put_u(key, (uint32_t)cp->partition, 4);
	put_u(value, KDR_MM2_RECORD_VERSION, 2);
	put_u(value, (uint64_t)cp->upstream_offset, 8);
	put_u(value, (uint64_t)cp->downstream_offset, 8);
	put_string(value, cp->metadata);
	return 0;
}

int kdr_mm2_offset_sync_encode(struct kdr_buf *key, struct kdr_buf *value, const struct kdr_mm2_offset_sync *sync)
{
	int rc = check_string(sync->topic, "offset-sync", "topic");

	if (rc != 0)
		return rc;
	put_string(key, sync->topic);
	put_u(key, (uint32_t)sync->partition, 4);
	put_u(value, (uint64_t)sync->upstream_offset, 8);
	put_u(value, (uint64_t)sync->downstream_offset, 8);
	return 0;
}

int kdr_mm2_heartbeat_encode(struct kdr_buf *key, struct kdr_buf *value, const struct kdr_mm2_heartbeat *hb)
{
	int rc = 0;

	if ((rc = check_string(hb->source_alias, "heartbeat", "sourceClusterAlias")) != 0 ||
	    (rc = check_string(hb->target_alias, "heartbeat", "targetClusterAlias")) != 0)
		return rc;
	put_string(key, hb->source_alias);
	put_string(key, hb->target_alias);
	put_u(value, KDR_MM2_RECORD_VERSION, 2);
	put_u(value, (uint64_t)hb->timestamp_ms, 8);
	return 0;
}

void kdr_mm2_checkpoint_release(struct kdr_mm2_checkpoint *cp)
{
	free(cp->group);
	free(cp->topic);
	free(cp->metadata);
	memset(cp, 0, sizeof(*cp));
}

void kdr_mm2_offset_sync_release(struct kdr_mm2_offset_sync *sync)
{
	free(sync->topic);
	memset(sync, 0, sizeof(*sync));
}

void kdr_mm2_heartbeat_release(struct kdr_mm2_heartbeat *hb)
{
	free(hb->source_alias);
	free(hb->target_alias);
	memset(hb, 0, sizeof(*hb));
}
