#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/sort.h"

/* Index of key, or -(insertion point) - 1 (an entry's first member is its key). */
static long locate(const struct kdr_strmap *map, const char *key)
{
	return kdr_sort_locate_named(map->v, map->n, sizeof(*map->v), key);
}

void kdr_strmap_set(struct kdr_strmap *map, const char *key, const char *value)
{
	char *copy = kdr_strdup(value); /* first: `value` may be the entry's own */
	size_t at = 0;

	map->v = kdr_sort_insert_named(&at, map->v, &map->n, &map->cap, sizeof(*map->v), key);
	free(map->v[at].value);
	map->v[at].value = copy;
}

const char *kdr_strmap_get(const struct kdr_strmap *map, const char *key)
{
	long at = locate(map, key);

	return at >= 0 ? map->v[at].value : NULL;
}

bool kdr_strmap_has(const struct kdr_strmap *map, const char *key)
{
	return locate(map, key) >= 0;
}

bool kdr_strmap_remove(struct kdr_strmap *map, const char *key)
{
	long at = locate(map, key);

	if (at < 0)
		return false;
	free(map->v[at].key);
	free(map->v[at].value);
	memmove(map->v + at, map->v + at + 1, (map->n - (size_t)at - 1) * sizeof(*map->v));
	map->n--;
	return true;
}

void kdr_strmap_copy(struct kdr_strmap *out, const struct kdr_strmap *src)
{
	for (size_t i = 0; i < src->n; i++)
		kdr_strmap_set(out, src->v[i].key, src->v[i].value);
}

bool kdr_strmap_equal(const struct kdr_strmap *a, const struct kdr_strmap *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].key, b->v[i].key) != 0)
			return false;
		if (strcmp(a->v[i].value ? a->v[i].value : "", b->v[i].value ? b->v[i].value : "") != 0)
			return false;
	}
	return true;
}

void kdr_strmap_release(struct kdr_strmap *map)
{
	for (size_t i = 0; i < map->n; i++) {
		free(map->v[i].key);
		free(map->v[i].value);
	}
	free(map->v);
	map->v = NULL;
	map->n = map->cap = 0;
}
