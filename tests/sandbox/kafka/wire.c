/*
 * Kafka wire primitives: bounds-checked reads with a sticky "bad" flag, and
 * big-endian writes into a kdr_buf. See wire_internal.h.
 */
#include "wire_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

void *kdr_sandbox_arena_alloc(struct kdr_sandbox_arena *arena, size_t size)
{
	void *ptr = kdr_calloc(1, size ? size : 1);

	arena->ptrs = kdr_grow(arena->ptrs, &arena->cap, arena->n + 1, sizeof(*arena->ptrs));
	arena->ptrs[arena->n++] = ptr;
	return ptr;
}

char *kdr_sandbox_arena_strndup(struct kdr_sandbox_arena *arena, const char *s, size_t len)
{
	char *copy = kdr_sandbox_arena_alloc(arena, len + 1);

	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

void kdr_sandbox_arena_release(struct kdr_sandbox_arena *arena)
{
	for (size_t i = 0; i < arena->n; i++)
		free(arena->ptrs[i]);
	free(arena->ptrs);
	arena->ptrs = NULL;
	arena->n = 0;
	arena->cap = 0;
}

void kdr_sandbox_reader_init(struct kdr_sandbox_reader *r, const void *data, size_t len)
{
	r->p = data;
	r->len = len;
	r->off = 0;
	r->bad = false;
}

size_t kdr_sandbox_reader_left(const struct kdr_sandbox_reader *r)
{
	return r->bad ? 0 : r->len - r->off;
}

/* The next `n` bytes, or NULL (and the reader turns bad) when fewer are left. */
static const uint8_t *take(struct kdr_sandbox_reader *r, size_t n)
{
	const uint8_t *p = NULL;

	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

int16_t kdr_sandbox_load_i16(const uint8_t *p)
{
	return (int16_t)(uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

int32_t kdr_sandbox_load_i32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

int64_t kdr_sandbox_load_i64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

void kdr_sandbox_store_i32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;

	p[0] = (uint8_t)(u >> 24);
	p[1] = (uint8_t)(u >> 16);
	p[2] = (uint8_t)(u >> 8);
	p[3] = (uint8_t)u;
}

void kdr_sandbox_store_i64(uint8_t *p, int64_t v)
{
	uint64_t u = (uint64_t)v;

	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)u;
		u >>= 8;
	}
}

int8_t kdr_sandbox_read_i8(struct kdr_sandbox_reader *r)
{
	const uint8_t *p = take(r, 1);

	return p ? (int8_t)p[0] : 0;
}

int16_t kdr_sandbox_read_i16(struct kdr_sandbox_reader *r)
{
	const uint8_t *p = take(r, 2);

	return p ? kdr_sandbox_load_i16(p) : 0;
}

int32_t kdr_sandbox_read_i32(struct kdr_sandbox_reader *r)
{
	const uint8_t *p = take(r, 4);

	return p ? kdr_sandbox_load_i32(p) : 0;
}

uint32_t kdr_sandbox_read_u32(struct kdr_sandbox_reader *r)
{
	return (uint32_t)kdr_sandbox_read_i32(r);
}

int64_t kdr_sandbox_read_i64(struct kdr_sandbox_reader *r)
{
	const uint8_t *p = take(r, 8);

	return p ? kdr_sandbox_load_i64(p) : 0;
}

bool kdr_sandbox_read_bool(struct kdr_sandbox_reader *r)
{
	return kdr_sandbox_read_i8(r) != 0;
}

const char *kdr_sandbox_read_string(struct kdr_sandbox_reader *r, struct kdr_sandbox_arena *arena, bool nullable)
{
	int16_t len = kdr_sandbox_read_i16(r);
	const uint8_t *p = NULL;

	if (r->bad)
		return NULL;
	if (len < 0) {
		if (len != -1 || !nullable)
			r->bad = true;
		return NULL;
	}
	p = take(r, (size_t)len);
	if (!p)
		return NULL;
	if (memchr(p, 0, (size_t)len)) {
		/* A NUL would silently truncate a name; Kafka names never hold one. */
		r->bad = true;
		return NULL;
	}
	return kdr_sandbox_arena_strndup(arena, (const char *)p, (size_t)len);
}

const uint8_t *kdr_sandbox_read_bytes(struct kdr_sandbox_reader *r, int32_t *len)
{
	int32_t n = kdr_sandbox_read_i32(r);
	const uint8_t *p = NULL;

	*len = -1;
	if (r->bad)
		return NULL;
	if (n < 0) {
		if (n != -1)
			r->bad = true;
		return NULL;
	}
	p = take(r, (size_t)n);
	if (p)
		*len = n;
	return p;
}

int32_t kdr_sandbox_read_array_len(struct kdr_sandbox_reader *r, bool nullable, size_t min_elem)
{
	int32_t n = kdr_sandbox_read_i32(r);

	if (r->bad)
		return 0;
	if (n < 0) {
		if (n != -1 || !nullable) {
			r->bad = true;
			return 0;
		}
		return -1;
	}
	if (min_elem && (size_t)n > (r->len - r->off) / min_elem) {
		r->bad = true;
		return 0;
	}
	return n;
}

int64_t kdr_sandbox_read_varlong(struct kdr_sandbox_reader *r)
{
	uint64_t raw = 0;
	int shift = 0;

	for (;;) {
		const uint8_t *p = take(r, 1);

		if (!p)
			return 0;
		raw |= (uint64_t)(p[0] & 0x7f) << shift;
		if (!(p[0] & 0x80))
			break;
		shift += 7;
		if (shift > 63) {
			r->bad = true;
			return 0;
		}
	}
	return (int64_t)(raw >> 1) ^ -(int64_t)(raw & 1);
}

int32_t kdr_sandbox_read_varint(struct kdr_sandbox_reader *r)
{
	int64_t v = kdr_sandbox_read_varlong(r);

	if (v < INT32_MIN || v > INT32_MAX) {
		r->bad = true;
		return 0;
	}
	return (int32_t)v;
}

void kdr_sandbox_read_skip(struct kdr_sandbox_reader *r, size_t n)
{
	(void)take(r, n);
}

void kdr_sandbox_put_i8(struct kdr_buf *b, int8_t v)
{
	kdr_buf_put(b, &v, 1);
}

void kdr_sandbox_put_i16(struct kdr_buf *b, int16_t v)
{
	uint8_t p[2] = {(uint8_t)((uint16_t)v >> 8), (uint8_t)v};

	kdr_buf_put(b, p, 2);
}

void kdr_sandbox_put_i32(struct kdr_buf *b, int32_t v)
{
	uint8_t p[4];

	kdr_sandbox_store_i32(p, v);
	kdr_buf_put(b, p, 4);
}

void kdr_sandbox_put_i64(struct kdr_buf *b, int64_t v)
{
	uint8_t p[8];

	kdr_sandbox_store_i64(p, v);
	kdr_buf_put(b, p, 8);
}

void kdr_sandbox_put_bool(struct kdr_buf *b, bool v)
{
	kdr_sandbox_put_i8(b, v ? 1 : 0);
}

void kdr_sandbox_put_string(struct kdr_buf *b, const char *s)
{
	size_t len = s ? strlen(s) : 0;

	if (!s) {
		kdr_sandbox_put_i16(b, -1);
		return;
	}
	if (len > INT16_MAX)
		len = INT16_MAX; /* a STRING cannot say more; our strings never get near */
	kdr_sandbox_put_i16(b, (int16_t)len);
	kdr_buf_put(b, s, len);
}

void kdr_sandbox_put_bytes(struct kdr_buf *b, const void *data, int32_t len)
{
	if (!data || len < 0) {
		kdr_sandbox_put_i32(b, -1);
		return;
	}
	kdr_sandbox_put_i32(b, len);
	kdr_buf_put(b, data, (size_t)len);
}

void kdr_sandbox_patch_i32(struct kdr_buf *b, size_t pos, int32_t v)
{
	kdr_sandbox_store_i32((uint8_t *)b->ptr + pos, v);
}

void kdr_sandbox_patch_u32(struct kdr_buf *b, size_t pos, uint32_t v)
{
	kdr_sandbox_store_i32((uint8_t *)b->ptr + pos, (int32_t)v);
}

void kdr_sandbox_patch_i64(struct kdr_buf *b, size_t pos, int64_t v)
{
	kdr_sandbox_store_i64((uint8_t *)b->ptr + pos, v);
}

/* Table for the reflected Castagnoli polynomial 0x82f63b78, built once. */
static uint32_t crc32c_table[256];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static void crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc32c_table[i] = c;
	}
}

uint32_t kdr_sandbox_crc32c(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xffffffffu;

	pthread_once(&crc32c_once, crc32c_init);
	for (size_t i = 0; i < len; i++)
		crc = crc32c_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}
