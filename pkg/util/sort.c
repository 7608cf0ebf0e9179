/* A stable sort, by name too, keep-the-newest-per-key on top of it, binary searches (sort.h). */
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/sort.h"

/*
 * Merges the sorted runs [lo, mid) and [mid, hi) of `a`, the left one winning
 * ties. Only the left run moves out to `scratch`: the merge writes `a` from lo
 * and stays behind the right run's next element, so what is left of the right
 * run at the end is already in place.
 */
static void merge(char *a, char *scratch, size_t lo, size_t mid, size_t hi, size_t size,
		  int (*compare)(const void *, const void *))
{
	size_t n_left = mid - lo, i = 0, j = mid, k = lo;

	memcpy(scratch, a + lo * size, n_left * size);
	while (i < n_left && j < hi) {
		if (compare(a + j * size, scratch + i * size) < 0)
			memcpy(a + k++ * size, a + j++ * size, size);
		else
			memcpy(a + k++ * size, scratch + i++ * size, size);
	}
	memcpy(a + k * size, scratch + i * size, (n_left - i) * size);
}

void kdr_sort_stable(void *base, size_t n, size_t size, int (*compare)(const void *, const void *))
{
	char *a = base;
	char *scratch = NULL;

	if (n < 2)
		return;
	scratch = kdr_malloc(n * size);
	/* Bottom-up: runs of 1, 2, 4, ... merged pairwise; no recursion depth to worry about. */
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo + width < n; lo += 2 * width) {
			size_t mid = lo + width;
			size_t hi = mid + width < n ? mid + width : n;

			/* Runs already in order (input often comes nearly sorted) cost one comparison. */
			if (compare(a + (mid - 1) * size, a + mid * size) > 0)
				merge(a, scratch, lo, mid, hi, size, compare);
		}
	}
	free(scratch);
}

/* A pointer to a struct converts to a pointer to its first member. */
static const char *first_name(const void *element)
{
	return *(const char *const *)element;
}

static int compare_first_names(const void *a, const void *b)
{
	return strcmp(first_name(a), first_name(b));
}

void kdr_sort_by_name(void *base, size_t n, size_t size)
{
	kdr_sort_stable(base, n, size, compare_first_names);
}

size_t kdr_sort_keep_last(void *base, size_t n, size_t size, int (*compare)(const void *, const void *),
			  void (*release)(void *))
{
	char *a = base;
	size_t kept = 0;

	kdr_sort_stable(base, n, size, compare);
	for (size_t i = 0; i < n; i++) {
		char *e = a + i * size;

		if (i + 1 < n && compare(e, e + size) == 0) {
			release(e);
			continue;
		}
		if (kept != i)
			memcpy(a + kept * size, e, size);
		kept++;
	}
	return kept;
}

long kdr_sort_search(const void *base, size_t n, size_t size, const void *key,
		     int (*compare)(const void *element, const void *key))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = compare((const char *)base + mid * size, key);

		if (cmp == 0)
			return (long)mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

size_t kdr_sort_first_named(const void *base, size_t n, size_t size, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(first_name((const char *)base + mid * size), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long kdr_sort_locate_named(const void *base, size_t n, size_t size, const char *name)
{
	size_t at = kdr_sort_first_named(base, n, size, name);

	if (at < n && strcmp(first_name((const char *)base + at * size), name) == 0)
		return (long)at;
	return -(long)at - 1;
}

void *kdr_sort_insert_named(size_t *at, void *base, size_t *n, size_t *cap, size_t size, const char *name)
{
	long found = kdr_sort_locate_named(base, *n, size, name);
	char *copy = NULL;

	if (found >= 0) {
		*at = (size_t)found;
		return base;
	}
	*at = (size_t)(-found - 1);
	base = kdr_grow_insert(base, cap, (*n)++, size, *at);
	copy = kdr_strdup(name);
	memcpy((char *)base + *at * size, &copy, sizeof(copy));
	return base;
}
