#ifndef KDR_UTIL_BUF_H
#define KDR_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * The one growable string of the project. `ptr` is never NULL and always
 * NUL-terminated, even when empty. Growth past KDR_BUF_MAX aborts (a plan or a
 * document that large is a bug, not data).
 */
struct kdr_buf {
	char *ptr;
	size_t len;
	size_t cap; /* 0 while ptr points at the shared empty string */
};

#define KDR_BUF_MAX ((size_t)1 << 30)

extern char kdr_buf_empty[];
#define KDR_BUF_INIT { kdr_buf_empty, 0, 0 }

void kdr_buf_init(struct kdr_buf *buf);
/* Frees the contents; the buf is empty and reusable afterwards. */
void kdr_buf_release(struct kdr_buf *buf);
/* Empties without freeing. */
void kdr_buf_reset(struct kdr_buf *buf);
/* Hands the heap string to the caller (who frees it); the buf becomes empty. */
char *kdr_buf_detach(struct kdr_buf *buf);

void kdr_buf_put(struct kdr_buf *buf, const void *data, size_t len);
void kdr_buf_puts(struct kdr_buf *buf, const char *s);
void kdr_buf_putc(struct kdr_buf *buf, char c);
void kdr_buf_printf(struct kdr_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kdr_buf_vprintf(struct kdr_buf *buf, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends `s` as a JSON string literal, quotes included. */
void kdr_buf_put_json_string(struct kdr_buf *buf, const char *s);
/* Makes room for `extra` more bytes. */
void kdr_buf_reserve(struct kdr_buf *buf, size_t extra);
/* Shortens to `len` (no-op when already shorter). */
void kdr_buf_truncate(struct kdr_buf *buf, size_t len);

#endif
