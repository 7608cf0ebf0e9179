#ifndef KDR_SANDBOX_WIRE_INTERNAL_H
#define KDR_SANDBOX_WIRE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/*
 * The Kafka wire primitives of the non-flexible versions (big-endian ints,
 * int16-length strings, int32-length bytes and arrays, zigzag varints inside
 * record batches) over untrusted input. A reader never reads past its end:
 * the first short or malformed read makes it "bad" and every later read
 * returns zero/NULL, so a handler parses a whole request and checks `bad`
 * once at the end (the way a fuzz target wants it).
 */

/* Strings and small copies a request's parse allocates; freed all at once. */
struct kdr_sandbox_arena {
	void **ptrs;
	size_t n;
	size_t cap;
};

void *kdr_sandbox_arena_alloc(struct kdr_sandbox_arena *arena, size_t size);
char *kdr_sandbox_arena_strndup(struct kdr_sandbox_arena *arena, const char *s, size_t len);
void kdr_sandbox_arena_release(struct kdr_sandbox_arena *arena);

struct kdr_sandbox_reader {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
};

void kdr_sandbox_reader_init(struct kdr_sandbox_reader *r, const void *data, size_t len);
int8_t kdr_sandbox_read_i8(struct kdr_sandbox_reader *r);
int16_t kdr_sandbox_read_i16(struct kdr_sandbox_reader *r);
int32_t kdr_sandbox_read_i32(struct kdr_sandbox_reader *r);
int64_t kdr_sandbox_read_i64(struct kdr_sandbox_reader *r);
uint32_t kdr_sandbox_read_u32(struct kdr_sandbox_reader *r);
bool kdr_sandbox_read_bool(struct kdr_sandbox_reader *r);
/*
 * A STRING / NULLABLE_STRING as a NUL-terminated copy in `arena`. A null
 * string gives NULL when `nullable`, otherwise marks the reader bad (Kafka
 * rejects such a request). Strings with an embedded NUL are rejected too.
 */
const char *kdr_sandbox_read_string(struct kdr_sandbox_reader *r, struct kdr_sandbox_arena *arena, bool nullable);
/* BYTES / NULLABLE_BYTES, lent from the reader's data; *len -1 for null. */
const uint8_t *kdr_sandbox_read_bytes(struct kdr_sandbox_reader *r, int32_t *len);
/*
 * An ARRAY length: -1 for a null array (bad unless `nullable`), otherwise
 * 0..n. A count that cannot fit in what is left (each element takes at least
 * `min_elem` bytes) marks the reader bad, so callers may allocate `n` elements.
 */
int32_t kdr_sandbox_read_array_len(struct kdr_sandbox_reader *r, bool nullable, size_t min_elem);
/* Zigzag varints as in record batches. */
int32_t kdr_sandbox_read_varint(struct kdr_sandbox_reader *r);
int64_t kdr_sandbox_read_varlong(struct kdr_sandbox_reader *r);
/* Skips `n` bytes. */
void kdr_sandbox_read_skip(struct kdr_sandbox_reader *r, size_t n);
size_t kdr_sandbox_reader_left(const struct kdr_sandbox_reader *r);

/* Writers: append big-endian values to a kdr_buf used as a byte buffer. */
void kdr_sandbox_put_i8(struct kdr_buf *b, int8_t v);
void kdr_sandbox_put_i16(struct kdr_buf *b, int16_t v);
void kdr_sandbox_put_i32(struct kdr_buf *b, int32_t v);
void kdr_sandbox_put_i64(struct kdr_buf *b, int64_t v);
void kdr_sandbox_put_bool(struct kdr_buf *b, bool v);
/* STRING (NULL writes a null NULLABLE_STRING, length -1). */
void kdr_sandbox_put_string(struct kdr_buf *b, const char *s);
/* BYTES (NULL writes null, length -1). */
void kdr_sandbox_put_bytes(struct kdr_buf *b, const void *data, int32_t len);
/* Overwrites the int32 at byte offset `pos` (array counts and sizes known only later). */
void kdr_sandbox_patch_i32(struct kdr_buf *b, size_t pos, int32_t v);
void kdr_sandbox_patch_u32(struct kdr_buf *b, size_t pos, uint32_t v);
void kdr_sandbox_patch_i64(struct kdr_buf *b, size_t pos, int64_t v);

/* Big-endian loads/stores on raw memory (record batch headers). */
int16_t kdr_sandbox_load_i16(const uint8_t *p);
int32_t kdr_sandbox_load_i32(const uint8_t *p);
int64_t kdr_sandbox_load_i64(const uint8_t *p);
void kdr_sandbox_store_i32(uint8_t *p, int32_t v);
void kdr_sandbox_store_i64(uint8_t *p, int64_t v);

/* CRC-32C (Castagnoli), the checksum of record batches v2. */
uint32_t kdr_sandbox_crc32c(const void *data, size_t len);

#endif
