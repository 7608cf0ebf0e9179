#include "util/markdown.h"

#include <string.h>

void kdr_md_text(struct kdr_buf *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t') {
			kdr_buf_putc(out, ' ');
			continue;
		}
		if (strchr("\\`*_[]<|~&#@$", *s))
			kdr_buf_putc(out, '\\');
		kdr_buf_putc(out, *s);
	}
}

void kdr_md_code(struct kdr_buf *out, const char *s, bool in_table)
{
	size_t run = 0, longest = 0;

	if (!s)
		s = "";
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	/* A span that starts or ends with a backtick, or is empty, needs the spaces inside its fence. */
	for (size_t i = 0; i <= longest; i++)
		kdr_buf_putc(out, '`');
	if (longest || !*s)
		kdr_buf_putc(out, ' ');
	for (const char *p = s; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			kdr_buf_putc(out, ' ');
		else if (*p == '|' && in_table)
			kdr_buf_puts(out, "\\|");
		else
			kdr_buf_putc(out, *p);
	}
	if (longest || !*s)
		kdr_buf_putc(out, ' ');
	for (size_t i = 0; i <= longest; i++)
		kdr_buf_putc(out, '`');
}

void kdr_md_html_text(struct kdr_buf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': kdr_buf_puts(out, "&amp;"); break;
		case '<': kdr_buf_puts(out, "&lt;"); break;
		case '>': kdr_buf_puts(out, "&gt;"); break;
		case '"': kdr_buf_puts(out, "&quot;"); break;
		case '\n': kdr_buf_putc(out, ' '); break;
		default: kdr_buf_putc(out, *s);
		}
	}
}
