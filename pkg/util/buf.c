#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

char kdr_buf_empty[1];

void kdr_buf_init(struct kdr_buf *buf)
{
	buf->ptr = kdr_buf_empty;
	buf->len = 0;
	buf->cap = 0;
}

void kdr_buf_release(struct kdr_buf *buf)
{
	if (buf->cap)
		free(buf->ptr);
	kdr_buf_init(buf);
}

void kdr_buf_reset(struct kdr_buf *buf)
{
	buf->len = 0;
	if (buf->cap)
		buf->ptr[0] = '\0';
}

char *kdr_buf_detach(struct kdr_buf *buf)
{
	char *s = buf->cap ? buf->ptr : kdr_strdup("");

	kdr_buf_init(buf);
	return s;
}

void kdr_buf_reserve(struct kdr_buf *buf, size_t extra)
{
	size_t need = buf->len + extra + 1;
	size_t cap = buf->cap ? buf->cap : 64;

	if (extra >= KDR_BUF_MAX || need > KDR_BUF_MAX) {
		fprintf(stderr, "kdr: string buffer grew past %zu bytes\n", KDR_BUF_MAX);
		abort();
	}
	if (need <= buf->cap)
		return;
	while (cap < need)
		cap *= 2;
	if (buf->cap) {
		buf->ptr = kdr_realloc(buf->ptr, cap);
	} else {
		buf->ptr = kdr_malloc(cap);
		buf->ptr[0] = '\0';
	}
	buf->cap = cap;
}

void kdr_buf_truncate(struct kdr_buf *buf, size_t len)
{
	if (len >= buf->len)
		return;
	buf->len = len;
	buf->ptr[len] = '\0';
}

void kdr_buf_put(struct kdr_buf *buf, const void *data, size_t len)
{
	if (!len)
		return;
	kdr_buf_reserve(buf, len);
	memcpy(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
}

void kdr_buf_puts(struct kdr_buf *buf, const char *s)
{
	kdr_buf_put(buf, s, strlen(s));
}

void kdr_buf_putc(struct kdr_buf *buf, char c)
{
	kdr_buf_put(buf, &c, 1);
}

void kdr_buf_vprintf(struct kdr_buf *buf, const char *fmt, va_list ap)
{
	size_t avail = buf->cap ? buf->cap - buf->len : 0;
	va_list copy;
	int n;

	/*
	 * Formatted once into the room already allocated when the text fits
	 * (the usual case: a plan of 200,000 creates is a few million short
	 * lines), else measured, grown and formatted again.
	 */
	va_copy(copy, ap);
	n = avail ? vsnprintf(buf->ptr + buf->len, avail, fmt, copy) : vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n <= 0) {
		if (buf->cap)
			buf->ptr[buf->len] = '\0';
		return;
	}
	if ((size_t)n >= avail) {
		kdr_buf_reserve(buf, (size_t)n);
		vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
	}
	buf->len += (size_t)n;
}

void kdr_buf_printf(struct kdr_buf *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kdr_buf_vprintf(buf, fmt, ap);
	va_end(ap);
}

void kdr_buf_put_json_string(struct kdr_buf *buf, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	kdr_buf_putc(buf, '"');
	for (; *p; p++) {
		const unsigned char *plain = p;

		/* The characters that need no escape, copied as one run (keys and names are all of them). */
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > plain)
			kdr_buf_put(buf, (const char *)plain, (size_t)(p - plain));
		if (!*p)
			break;
		switch (*p) {
		case '"': kdr_buf_puts(buf, "\\\""); break;
		case '\\': kdr_buf_puts(buf, "\\\\"); break;
		case '\n': kdr_buf_puts(buf, "\\n"); break;
		case '\r': kdr_buf_puts(buf, "\\r"); break;
		case '\t': kdr_buf_puts(buf, "\\t"); break;
		default: kdr_buf_printf(buf, "\\u%04x", *p); break; /* the other control characters */
		}
	}
	kdr_buf_putc(buf, '"');
}
