#ifndef KDR_UTIL_MARKDOWN_H
#define KDR_UTIL_MARKDOWN_H

#include <stdbool.h>

#include "util/buf.h"

/*
 * GitHub-flavoured markdown for strings that came from users or clusters
 * (topic names, reasons, config values): escaped so they cannot break the
 * layout, open a table cell, mention someone or end a code block.
 */

/* Inline text: backslash-escapes markup, autolinks and mentions; line breaks become spaces. */
void kdr_md_text(struct kdr_buf *out, const char *s);

/*
 * A code span holding any string (NULL: empty): its fence is longer than any
 * backtick run inside. `in_table`: pipes are escaped, since GFM splits table
 * cells on them even inside code spans.
 */
void kdr_md_code(struct kdr_buf *out, const char *s, bool in_table);

/* Text inside an HTML element (<summary>): entities for & < > ", line breaks become spaces (NULL: nothing). */
void kdr_md_html_text(struct kdr_buf *out, const char *s);

#endif
