#include "util/alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t size)
{
	fprintf(stderr, "kdr: out of memory allocating %zu bytes\n", size);
	abort();
}

void *kdr_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

void *kdr_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (!p)
		out_of_memory(count * size);
	return p;
}

void *kdr_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

void *kdr_grow(void *ptr, size_t *cap, size_t need, size_t elem)
{
	size_t next = *cap ? *cap : 8;

	if (need <= *cap)
		return ptr;
	while (next < need) {
		if (next > SIZE_MAX / 2)
			out_of_memory(SIZE_MAX);
		next *= 2;
	}
	if (next > SIZE_MAX / elem)
		out_of_memory(SIZE_MAX);
	ptr = kdr_realloc(ptr, next * elem);
	*cap = next;
	return ptr;
}

void *kdr_grow_insert(void *ptr, size_t *cap, size_t n, size_t elem, size_t pos)
{
	char *v = kdr_grow(ptr, cap, n + 1, elem);

	memmove(v + (pos + 1) * elem, v + pos * elem, (n - pos) * elem);
	memset(v + pos * elem, 0, elem);
	return v;
}

char *kdr_strdup(const char *s)
{
	return s ? kdr_strndup(s, strlen(s)) : NULL;
}

char *kdr_strndup(const char *s, size_t n)
{
	char *p = kdr_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *kdr_asprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	p = kdr_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void kdr_wipe(char *s)
{
	/* explicit_bzero, not memset: a store to memory about to be freed may be optimised away. */
	if (s)
		explicit_bzero(s, strlen(s));
}

void kdr_wipe_free(char *s)
{
	kdr_wipe(s);
	free(s);
}
