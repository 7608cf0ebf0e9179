#ifndef KDR_UTIL_SORT_H
#define KDR_UTIL_SORT_H

#include <stddef.h>

/*
 * Sorts `n` elements of `size` bytes at `base` by `compare` (qsort's
 * contract), keeping equal elements in their original order, which qsort
 * does not promise. A merge sort with one scratch copy of the array.
 */
void kdr_sort_stable(void *base, size_t n, size_t size, int (*compare)(const void *, const void *));

/*
 * Stable-sorts `n` elements of `size` bytes at `base`, structs whose first
 * member is a `const char *` or `char *` (a name, never NULL), by that name (strcmp):
 * elements of one name stay in the order they were added, so the first of a
 * run is the earliest (what kdr_sort_first_named then finds).
 */
void kdr_sort_by_name(void *base, size_t n, size_t size);

/*
 * Stable-sorts `n` elements by `compare` and keeps, of each run of equal
 * elements, only the last one added (the newest, for records in log order);
 * `release` frees the contents of each dropped element. Returns how many
 * elements are kept at the front of `base`.
 */
size_t kdr_sort_keep_last(void *base, size_t n, size_t size, int (*compare)(const void *, const void *),
			  void (*release)(void *));

/*
 * Binary search of the `n` elements of `size` bytes at `base`, sorted so that
 * `compare(element, key)` (negative, 0, positive) orders them against `key`.
 * Returns the index of an element equal to `key`, or -(insertion point) - 1
 * when there is none, so that a caller can insert there and keep the order.
 */
long kdr_sort_search(const void *base, size_t n, size_t size, const void *key,
		     int (*compare)(const void *element, const void *key));

/*
 * The lower bound by name of the `n` elements of `size` bytes at `base`,
 * structs whose first member is a `const char *` (a name) and sorted by it
 * (strcmp): the index of the first element whose name is not less than
 * `name` (of several with that name, the first), or n when there is none.
 */
size_t kdr_sort_first_named(const void *base, size_t n, size_t size, const char *name);

/*
 * Of the same sorted, named elements: the index of the first one named
 * `name`, or -(insertion point) - 1 when none is, so that a caller can insert
 * there (kdr_grow_insert) and keep the order.
 */
long kdr_sort_locate_named(const void *base, size_t n, size_t size, const char *name);

/*
 * Into `*at`, the index of the first element named `name` of the sorted,
 * named array `base` of `*n` elements (`*cap` allocated, kdr_grow's); when
 * none is, one is first inserted at its place: zeroed, its name a heap copy
 * of `name` (the caller's to free with the element), counted in `*n`.
 * Returns the array, moved when it grew.
 */
void *kdr_sort_insert_named(size_t *at, void *base, size_t *n, size_t *cap, size_t size, const char *name);

#endif
