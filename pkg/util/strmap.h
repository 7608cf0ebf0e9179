#ifndef KDR_UTIL_STRMAP_H
#define KDR_UTIL_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A string -> string map kept sorted by key, so iterating it (index 0..n-1)
 * is deterministic. Keys and values are owned copies. Lookup is a binary
 * search; insertion is O(n), fine for config maps (tens of keys).
 */
struct kdr_strmap_entry {
	char *key;
	char *value;
};

struct kdr_strmap {
	struct kdr_strmap_entry *v;
	size_t n;
	size_t cap;
};

#define KDR_STRMAP_INIT { NULL, 0, 0 }

/* Sets key to a copy of value (replacing any previous value). */
void kdr_strmap_set(struct kdr_strmap *map, const char *key, const char *value);
/* The value, lent (valid until the key is changed), or NULL. */
const char *kdr_strmap_get(const struct kdr_strmap *map, const char *key);
bool kdr_strmap_has(const struct kdr_strmap *map, const char *key);
/* Removes key; returns whether it was present. */
bool kdr_strmap_remove(struct kdr_strmap *map, const char *key);
void kdr_strmap_copy(struct kdr_strmap *out, const struct kdr_strmap *src);
bool kdr_strmap_equal(const struct kdr_strmap *a, const struct kdr_strmap *b);
void kdr_strmap_release(struct kdr_strmap *map);

#endif
