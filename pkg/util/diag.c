#include "util/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/buf.h"

static void add_v(struct kdr_diags *diags, enum kdr_severity severity, const struct kdr_loc *loc,
		  const char *field, const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void add_v(struct kdr_diags *diags, enum kdr_severity severity, const struct kdr_loc *loc,
		  const char *field, const char *fmt, va_list ap)
{
	struct kdr_buf msg = KDR_BUF_INIT;
	struct kdr_diag *d;

	diags->v = kdr_grow(diags->v, &diags->cap, diags->n + 1, sizeof(*diags->v));
	d = &diags->v[diags->n++];
	d->severity = severity;
	if (!loc || !loc->file)
		d->where = NULL;
	else if (loc->line)
		d->where = kdr_asprintf("%s:%u:%u", loc->file, loc->line, loc->col);
	else
		d->where = kdr_strdup(loc->file);
	d->field = kdr_strdup(field);
	kdr_buf_vprintf(&msg, fmt, ap);
	d->message = kdr_buf_detach(&msg);
	if (severity == KDR_SEV_ERROR)
		diags->errors++;
	else
		diags->warnings++;
}

void kdr_diags_add(struct kdr_diags *diags, enum kdr_severity severity, const struct kdr_loc *loc,
		   const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_v(diags, severity, loc, field, fmt, ap);
	va_end(ap);
}

void kdr_diags_error(struct kdr_diags *diags, const struct kdr_loc *loc, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_v(diags, KDR_SEV_ERROR, loc, field, fmt, ap);
	va_end(ap);
}

void kdr_diags_warning(struct kdr_diags *diags, const struct kdr_loc *loc, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_v(diags, KDR_SEV_WARNING, loc, field, fmt, ap);
	va_end(ap);
}

bool kdr_diags_has_errors(const struct kdr_diags *diags)
{
	return diags->errors > 0;
}

char *kdr_diag_format(const struct kdr_diag *diag)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	if (diag->where)
		kdr_buf_printf(&buf, "%s: ", diag->where);
	kdr_buf_puts(&buf, diag->severity == KDR_SEV_ERROR ? "error: " : "warning: ");
	if (diag->field)
		kdr_buf_printf(&buf, "%s: ", diag->field);
	kdr_buf_puts(&buf, diag->message);
	return kdr_buf_detach(&buf);
}

void kdr_diags_print(const struct kdr_diags *diags, FILE *out)
{
	for (size_t i = 0; i < diags->n; i++) {
		char *line = kdr_diag_format(&diags->v[i]);

		fprintf(out, "%s\n", line);
		free(line);
	}
}

void kdr_diags_move(struct kdr_diags *dst, struct kdr_diags *src)
{
	for (size_t i = 0; i < src->n; i++) {
		dst->v = kdr_grow(dst->v, &dst->cap, dst->n + 1, sizeof(*dst->v));
		dst->v[dst->n++] = src->v[i];
	}
	dst->errors += src->errors;
	dst->warnings += src->warnings;
	free(src->v);
	memset(src, 0, sizeof(*src));
}

void kdr_diags_release(struct kdr_diags *diags)
{
	for (size_t i = 0; i < diags->n; i++) {
		free(diags->v[i].where);
		free(diags->v[i].field);
		free(diags->v[i].message);
	}
	free(diags->v);
	memset(diags, 0, sizeof(*diags));
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = kdr_calloc(lb + 1, sizeof(*row));
	size_t result;

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diagonal = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t above = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diagonal + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	result = row[lb];
	free(row);
	return result;
}

const char *kdr_did_you_mean(const char *found, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_distance = (size_t)-1;
	/* A third of the word, at least 1 and at most 3 edits: close enough to be a typo. */
	size_t limit = strlen(found) / 3;

	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (size_t i = 0; i < n; i++) {
		size_t d;

		if (strcasecmp(found, candidates[i]) == 0)
			return candidates[i];
		d = edit_distance(found, candidates[i]);
		if (d < best_distance) {
			best_distance = d;
			best = candidates[i];
		}
	}
	return best_distance <= limit ? best : NULL;
}
