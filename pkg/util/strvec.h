#ifndef KDR_UTIL_STRVEC_H
#define KDR_UTIL_STRVEC_H

#include <stdbool.h>
#include <stddef.h>

/* A growable array of owned strings. Zero-initialised is empty. */
struct kdr_strvec {
	char **v;
	size_t n;
	size_t cap;
};

#define KDR_STRVEC_INIT { NULL, 0, 0 }

/* Appends a copy of `s`. */
void kdr_strvec_push(struct kdr_strvec *vec, const char *s);
/* Appends `s`, taking ownership of the heap string. */
void kdr_strvec_push_take(struct kdr_strvec *vec, char *s);
void kdr_strvec_sort(struct kdr_strvec *vec);
/* Index of `s` (linear scan) or -1. */
long kdr_strvec_find(const struct kdr_strvec *vec, const char *s);
bool kdr_strvec_contains(const struct kdr_strvec *vec, const char *s);
/* Whether `name` is selected by a filter of `n` names: every name is when the filter is NULL or empty. */
bool kdr_names_select(const char *const *names, size_t n, const char *name);
/* The index of `name` among `n` names (an enum's name table), -1 when it is not one of them or NULL. */
long kdr_names_find(const char *const *names, size_t n, const char *name);
/* The name of `index` among `n` names (an enum's name table, lent), `fallback` when it is out of range. */
const char *kdr_names_at(const char *const *names, size_t n, long index, const char *fallback);
/* Deep copy into an empty `out`. */
void kdr_strvec_copy(struct kdr_strvec *out, const struct kdr_strvec *src);
/* Joins with `sep` into a new heap string. */
char *kdr_strvec_join(const struct kdr_strvec *vec, const char *sep);
void kdr_strvec_release(struct kdr_strvec *vec);

#endif
