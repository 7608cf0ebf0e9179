/* A stable sort, and keep-the-newest-per-key on top of it (sort.h). */
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/sort.h"

/* Merges the sorted halves [lo, mid) and [mid, hi) of `a` through `scratch`; the left wins ties. */
static void merge(char *a, char *scratch, size_t lo, size_t mid, size_t hi, size_t size,
		  int (*compare)(const void *, const void *))
{
	size_t i = lo, j = mid, k = lo;

	while (i < mid && j < hi) {
		if (compare(a + j * size, a + i * size) < 0)
			memcpy(scratch + k++ * size, a + j++ * size, size);
		else
			memcpy(scratch + k++ * size, a + i++ * size, size);
	}
	memcpy(scratch + k * size, a + i * size, (mid - i) * size);
	k += mid - i;
	memcpy(scratch + k * size, a + j * size, (hi - j) * size);
	memcpy(a + lo * size, scratch + lo * size, (hi - lo) * size);
}

void kdr_sort_stable(void *base, size_t n, size_t size, int (*compare)(const void *, const void *))
{
	char *scratch = NULL;

	if (n < 2)
		return;
	scratch = kdr_malloc(n * size);
	/* Bottom-up: runs of 1, 2, 4, ... merged pairwise; no recursion depth to worry about. */
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo + width < n; lo += 2 * width) {
			size_t mid = lo + width;
			size_t hi = mid + width < n ? mid + width : n;

			merge(base, scratch, lo, mid, hi, size, compare);
		}
	}
	free(scratch);
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
		/* A pointer to a struct converts to a pointer to its first member. */
		const char *const *element = (const char *const *)(const void *)((const char *)base + mid * size);

		if (strcmp(*element, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
