/*
 * Small helpers shared by the API handlers: the per-object result (error
 * code and message) that admin responses carry for each topic, resource or
 * ACL.
 */
#include "sandbox_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

void kdr_sandbox_result_set(struct kdr_sandbox_result *res, int16_t error, const char *fmt, ...)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	va_list ap;

	res->error = error;
	free(res->message);
	va_start(ap, fmt);
	kdr_buf_vprintf(&buf, fmt, ap);
	va_end(ap);
	res->message = kdr_buf_detach(&buf);
}

void kdr_sandbox_result_ok(struct kdr_sandbox_result *res)
{
	res->error = 0;
	free(res->message);
	res->message = NULL;
}

void kdr_sandbox_result_release(struct kdr_sandbox_result *res)
{
	free(res->message);
	res->message = NULL;
}

static int compare_name_ptr(const void *a, const void *b)
{
	return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

bool *kdr_sandbox_mark_duplicates(struct kdr_sandbox_arena *arena, const char *const *names, int32_t n)
{
	bool *dup = kdr_sandbox_arena_alloc(arena, (size_t)(n > 0 ? n : 1) * sizeof(bool));
	const char *const **order = NULL;

	if (n < 2)
		return dup;
	/* Sorting pointers to the names keeps this n log n for requests of thousands of topics. */
	order = kdr_calloc((size_t)n, sizeof(*order));
	for (int32_t i = 0; i < n; i++)
		order[i] = &names[i];
	qsort(order, (size_t)n, sizeof(*order), compare_name_ptr);
	for (int32_t i = 1; i < n; i++) {
		if (strcmp(*order[i], *order[i - 1]) == 0) {
			dup[order[i] - names] = true;
			dup[order[i - 1] - names] = true;
		}
	}
	free(order);
	return dup;
}
