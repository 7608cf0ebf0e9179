#include "util/strvec.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"

void kdr_strvec_push_take(struct kdr_strvec *vec, char *s)
{
	vec->v = kdr_grow(vec->v, &vec->cap, vec->n + 1, sizeof(*vec->v));
	vec->v[vec->n++] = s;
}

void kdr_strvec_push(struct kdr_strvec *vec, const char *s)
{
	kdr_strvec_push_take(vec, kdr_strdup(s));
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void kdr_strvec_sort(struct kdr_strvec *vec)
{
	if (vec->n > 1)
		qsort(vec->v, vec->n, sizeof(*vec->v), compare_strings);
}

long kdr_strvec_find(const struct kdr_strvec *vec, const char *s)
{
	for (size_t i = 0; i < vec->n; i++)
		if (strcmp(vec->v[i], s) == 0)
			return (long)i;
	return -1;
}

bool kdr_strvec_contains(const struct kdr_strvec *vec, const char *s)
{
	return kdr_strvec_find(vec, s) >= 0;
}

void kdr_strvec_copy(struct kdr_strvec *out, const struct kdr_strvec *src)
{
	for (size_t i = 0; i < src->n; i++)
		kdr_strvec_push(out, src->v[i]);
}

char *kdr_strvec_join(const struct kdr_strvec *vec, const char *sep)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (size_t i = 0; i < vec->n; i++) {
		if (i)
			kdr_buf_puts(&buf, sep);
		kdr_buf_puts(&buf, vec->v[i]);
	}
	return kdr_buf_detach(&buf);
}

void kdr_strvec_release(struct kdr_strvec *vec)
{
	for (size_t i = 0; i < vec->n; i++)
		free(vec->v[i]);
	free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
}

long kdr_names_find(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (long)i;
	return -1;
}

const char *kdr_names_at(const char *const *names, size_t n, long index, const char *fallback)
{
	return index >= 0 && (size_t)index < n ? names[index] : fallback;
}

bool kdr_names_select(const char *const *names, size_t n, const char *name)
{
	if (!names || n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}
