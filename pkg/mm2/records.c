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

/* The layouts of records.h's table, field by field, each in the key or the value of its record. */
enum field_type {
	FIELD_VERSION, /* INT16, must be KDR_MM2_RECORD_VERSION; not kept */
	FIELD_INT32,
	FIELD_INT64,
	FIELD_STRING,
};

struct field {
	bool in_key;
	enum field_type type;
	const char *name; /* MM2's, for messages */
	size_t offset;    /* of the member in the record struct (not for FIELD_VERSION) */
};

struct format {
	const char *what;       /* "checkpoint", for the encoder's messages */
	const char *key_what;   /* "checkpoint key", for the decoder's */
	const char *value_what; /* "checkpoint value" */
	size_t size;            /* of the record struct */
	const struct field *fields; /* in the order the decoder reads them */
	size_t n_fields;
};

#define FIELD(in_key, type, name, record, member) { in_key, type, name, offsetof(record, member) }
#define VERSION { false, FIELD_VERSION, "version", 0 }
#define FORMAT(what, record, fields)                                                                             \
	{ what, what " key", what " value", sizeof(record), fields, sizeof(fields) / sizeof(fields[0]) }

static const struct field checkpoint_fields[] = {
	VERSION,
	FIELD(false, FIELD_INT64, "upstreamOffset", struct kdr_mm2_checkpoint, upstream_offset),
	FIELD(false, FIELD_INT64, "offset", struct kdr_mm2_checkpoint, downstream_offset),
	FIELD(false, FIELD_STRING, "metadata", struct kdr_mm2_checkpoint, metadata),
	FIELD(true, FIELD_STRING, "group", struct kdr_mm2_checkpoint, group),
	FIELD(true, FIELD_STRING, "topic", struct kdr_mm2_checkpoint, topic),
	FIELD(true, FIELD_INT32, "partition", struct kdr_mm2_checkpoint, partition),
};
static const struct field offset_sync_fields[] = {
	FIELD(true, FIELD_STRING, "topic", struct kdr_mm2_offset_sync, topic),
	FIELD(true, FIELD_INT32, "partition", struct kdr_mm2_offset_sync, partition),
	FIELD(false, FIELD_INT64, "upstreamOffset", struct kdr_mm2_offset_sync, upstream_offset),
	FIELD(false, FIELD_INT64, "offset", struct kdr_mm2_offset_sync, downstream_offset),
};
static const struct field heartbeat_fields[] = {
	VERSION,
	FIELD(false, FIELD_INT64, "timestamp", struct kdr_mm2_heartbeat, timestamp_ms),
	FIELD(true, FIELD_STRING, "sourceClusterAlias", struct kdr_mm2_heartbeat, source_alias),
	FIELD(true, FIELD_STRING, "targetClusterAlias", struct kdr_mm2_heartbeat, target_alias),
};

static const struct format checkpoint_format = FORMAT("checkpoint", struct kdr_mm2_checkpoint, checkpoint_fields);
static const struct format offset_sync_format = FORMAT("offset-sync", struct kdr_mm2_offset_sync, offset_sync_fields);
static const struct format heartbeat_format = FORMAT("heartbeat", struct kdr_mm2_heartbeat, heartbeat_fields);

static void *member(void *record, const struct field *f)
{
	return (char *)record + f->offset;
}

static const void *member_of(const void *record, const struct field *f)
{
	return (const char *)record + f->offset;
}

static void release(void *record, const struct format *fmt)
{
	for (size_t i = 0; i < fmt->n_fields; i++)
		if (fmt->fields[i].type == FIELD_STRING)
			free(*(char **)member(record, &fmt->fields[i]));
	memset(record, 0, fmt->size);
}

static int read_field(struct reader *r, void *record, const struct field *f)
{
	switch (f->type) {
	case FIELD_VERSION: return read_version(r);
	case FIELD_INT32: return read_i32(r, member(record, f), f->name);
	case FIELD_INT64: return read_i64(r, member(record, f), f->name);
	case FIELD_STRING: return read_string(r, member(record, f), f->name);
	}
	return kdr_error_set(KDR_EINVALID, "%s: field '%s' has no type", r->what, f->name);
}

/* Into `out` (a record of `fmt`, emptied first); on failure `out` is left empty. */
static int decode(void *out, const struct format *fmt, const void *key, size_t key_len, const void *value,
		  size_t value_len)
{
	struct reader k = reader_of(key, key_len, fmt->key_what);
	struct reader v = reader_of(value, value_len, fmt->value_what);
	int rc = 0;

	memset(out, 0, fmt->size);
	for (size_t i = 0; i < fmt->n_fields && rc == 0; i++)
		rc = read_field(fmt->fields[i].in_key ? &k : &v, out, &fmt->fields[i]);
	if (rc != 0)
		release(out, fmt);
	return rc;
}

int kdr_mm2_checkpoint_decode(struct kdr_mm2_checkpoint *out, const void *key, size_t key_len, const void *value,
			      size_t value_len)
{
	return decode(out, &checkpoint_format, key, key_len, value, value_len);
}

int kdr_mm2_offset_sync_decode(struct kdr_mm2_offset_sync *out, const void *key, size_t key_len, const void *value,
			       size_t value_len)
{
	return decode(out, &offset_sync_format, key, key_len, value, value_len);
}

int kdr_mm2_heartbeat_decode(struct kdr_mm2_heartbeat *out, const void *key, size_t key_len, const void *value,
			     size_t value_len)
{
	return decode(out, &heartbeat_format, key, key_len, value, value_len);
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

static void put_field(struct kdr_buf *buf, const void *record, const struct field *f)
{
	switch (f->type) {
	case FIELD_VERSION: put_u(buf, KDR_MM2_RECORD_VERSION, 2); break;
	case FIELD_INT32: put_u(buf, (uint32_t) * (const int32_t *)member_of(record, f), 4); break;
	case FIELD_INT64: put_u(buf, (uint64_t) * (const int64_t *)member_of(record, f), 8); break;
	case FIELD_STRING: put_string(buf, *(char *const *)member_of(record, f)); break;
	}
}

/* Every string checked first (the key's, then the value's), so that nothing is appended on failure. */
static int encode(struct kdr_buf *key, struct kdr_buf *value, const void *record, const struct format *fmt)
{
	int rc = 0;

	for (int side = 1; side >= 0; side--)
		for (size_t i = 0; i < fmt->n_fields && rc == 0; i++)
			if (fmt->fields[i].type == FIELD_STRING && fmt->fields[i].in_key == (side == 1))
				rc = check_string(*(char *const *)member_of(record, &fmt->fields[i]), fmt->what,
						  fmt->fields[i].name);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < fmt->n_fields; i++)
		if (fmt->fields[i].in_key)
			put_field(key, record, &fmt->fields[i]);
	for (size_t i = 0; i < fmt->n_fields; i++)
		if (!fmt->fields[i].in_key)
			put_field(value, record, &fmt->fields[i]);
	return 0;
}

int kdr_mm2_checkpoint_encode(struct kdr_buf *key, struct kdr_buf *value, const struct kdr_mm2_checkpoint *cp)
{
	return encode(key, value, cp, &checkpoint_format);
}

int kdr_mm2_offset_sync_encode(struct kdr_buf *key, struct kdr_buf *value, const struct kdr_mm2_offset_sync *sync)
{
	return encode(key, value, sync, &offset_sync_format);
}

int kdr_mm2_heartbeat_encode(struct kdr_buf *key, struct kdr_buf *value, const struct kdr_mm2_heartbeat *hb)
{
	return encode(key, value, hb, &heartbeat_format);
}

void kdr_mm2_checkpoint_release(struct kdr_mm2_checkpoint *cp)
{
	release(cp, &checkpoint_format);
}

void kdr_mm2_offset_sync_release(struct kdr_mm2_offset_sync *sync)
{
	release(sync, &offset_sync_format);
}

void kdr_mm2_heartbeat_release(struct kdr_mm2_heartbeat *hb)
{
	release(hb, &heartbeat_format);
}
