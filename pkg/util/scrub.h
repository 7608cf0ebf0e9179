#ifndef KDR_UTIL_SCRUB_H
#define KDR_UTIL_SCRUB_H

#include "util/buf.h"
#include "util/strvec.h"

/*
 * Secrets out of text kdr prints. The mask is "***" for both.
 *
 * kdr_scrub_userinfo appends `text` to `out` with the password of every
 * "scheme://user:password@" masked ("scheme://user:***@"): URLs are printed
 * that way everywhere (connect.url, Git URLs, remote messages quoting them).
 */
void kdr_scrub_userinfo(struct kdr_buf *out, const char *text);

/* The same as a heap string (NULL for NULL). */
char *kdr_scrub_userinfo_dup(const char *text);

/*
 * Replaces, in the heap string *text (NULL is left alone), every occurrence
 * of each non-empty value of `secrets` (resolved secret values; longer ones
 * first, so a secret that contains another is masked whole) with "***", then
 * masks URL userinfo. *text is reallocated when it changes.
 */
void kdr_scrub_secrets(char **text, const struct kdr_strvec *secrets);

#endif
