#ifndef KDR_UTIL_ALLOC_H
#define KDR_UTIL_ALLOC_H

#include <stddef.h>

/*
 * Allocation that aborts on out-of-memory instead of threading ENOMEM through
 * every caller (a reconciler that cannot allocate cannot do anything useful).
 */
void *kdr_malloc(size_t size);
void *kdr_calloc(size_t count, size_t size);
void *kdr_realloc(void *ptr, size_t size);
/* Grows an array of `*cap` elements of `elem` bytes to hold at least `need`. */
void *kdr_grow(void *ptr, size_t *cap, size_t need, size_t elem);
/*
 * Grows an array of `n` elements (`*cap` allocated) of `elem` bytes by one
 * and opens a zeroed slot at `pos` (<= n), moving [pos, n) up: an insertion
 * that keeps a sorted array sorted. Returns the array; the caller counts the
 * new element and fills the slot.
 */
void *kdr_grow_insert(void *ptr, size_t *cap, size_t n, size_t elem, size_t pos);
/* Copies a string; NULL gives NULL. */
char *kdr_strdup(const char *s);
char *kdr_strndup(const char *s, size_t n);
/* Zeroes a secret string (a token, a password, a header holding one) in place; NULL does nothing. */
void kdr_wipe(char *s);
/* kdr_wipe, then free. */
void kdr_wipe_free(char *s);
/* A heap string from a printf format. */
char *kdr_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
