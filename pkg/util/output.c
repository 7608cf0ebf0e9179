#include "util/output.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util/alloc.h"

/* The part the next text of `stream` goes to: the last one when it is of that stream and not flushed. */
static struct kdr_output_part *part_for(struct kdr_output *o, enum kdr_stream stream)
{
	struct kdr_output_part *last = o->n ? &o->parts[o->n - 1] : NULL;

	if (last && last->stream == stream && !last->flush)
		return last;
	o->parts = kdr_grow(o->parts, &o->cap, o->n + 1, sizeof(*o->parts));
	last = &o->parts[o->n++];
	last->stream = stream;
	last->start = o->text.len;
	last->len = 0;
	last->flush = false;
	return last;
}

void kdr_output_printf(struct kdr_output *o, enum kdr_stream stream, const char *fmt, ...)
{
	struct kdr_output_part *part = part_for(o, stream);
	size_t before = o->text.len;
	va_list ap;

	va_start(ap, fmt);
	kdr_buf_vprintf(&o->text, fmt, ap);
	va_end(ap);
	part->len += o->text.len - before;
}

void kdr_output_put(struct kdr_output *o, enum kdr_stream stream, const char *data, size_t len)
{
	struct kdr_output_part *part = part_for(o, stream);

	kdr_buf_put(&o->text, data, len);
	part->len += len;
}

void kdr_output_flush(struct kdr_output *o)
{
	if (o->n)
		o->parts[o->n - 1].flush = true;
}

void kdr_output_write(struct kdr_output *o, FILE *out, FILE *err)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct kdr_output_part *part = &o->parts[i];

		fwrite(o->text.ptr + part->start, 1, part->len, part->stream == KDR_STDOUT ? out : err);
		if (part->flush)
			fflush(out);
	}
	kdr_buf_reset(&o->text);
	o->n = 0;
}

void kdr_output_release(struct kdr_output *o)
{
	kdr_buf_release(&o->text);
	free(o->parts);
	o->parts = NULL;
	o->n = o->cap = 0;
}
