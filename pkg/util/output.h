#ifndef KDR_UTIL_OUTPUT_H
#define KDR_UTIL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/buf.h"

/*
 * What a command prints, on stdout and stderr, in the order it is printed:
 * a render function fills one without touching a stream, the command writes
 * it (kdr_output_write). Zero-initialised (or KDR_OUTPUT_INIT) is empty.
 */
enum kdr_stream {
	KDR_STDOUT,
	KDR_STDERR,
};

struct kdr_output_part {
	enum kdr_stream stream;
	size_t start, len; /* in text */
	bool flush;        /* stdout is flushed after this part (a table before a question) */
};

struct kdr_output {
	struct kdr_buf text;
	struct kdr_output_part *parts;
	size_t n, cap;
};

#define KDR_OUTPUT_INIT { KDR_BUF_INIT, NULL, 0, 0 }

/* Appends to `stream`; text following a part of the same stream (not flushed) joins it. */
void kdr_output_printf(struct kdr_output *o, enum kdr_stream stream, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kdr_output_put(struct kdr_output *o, enum kdr_stream stream, const char *data, size_t len);
/* stdout is flushed after what was appended so far (the command flushed there before). */
void kdr_output_flush(struct kdr_output *o);

/* Writes every part to `out` (KDR_STDOUT) or `err` (KDR_STDERR), in order, then empties `o`. */
void kdr_output_write(struct kdr_output *o, FILE *out, FILE *err);

void kdr_output_release(struct kdr_output *o);

#endif
