#include "util/scrub.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

void kdr_scrub_userinfo(struct kdr_buf *out, const char *text)
{
	const char *p = text ? text : "";

	while (*p) {
		const char *scheme_end = strstr(p, "://");
		const char *user = NULL, *end = NULL, *colon = NULL;

		if (!scheme_end) {
			kdr_buf_puts(out, p);
			return;
		}
		user = scheme_end + 3;
		kdr_buf_put(out, p, (size_t)(user - p));
		/* The authority ends at the first of these; only an '@' there means userinfo. */
		end = user + strcspn(user, "/@ \t\r\n'\"");
		if (*end == '@') {
			colon = memchr(user, ':', (size_t)(end - user));
			if (colon) {
				kdr_buf_put(out, user, (size_t)(colon - user));
				kdr_buf_puts(out, ":***");
				p = end;
				continue;
			}
		}
		p = user;
	}
}

char *kdr_scrub_userinfo_dup(const char *text)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	if (!text)
		return NULL;
	kdr_scrub_userinfo(&buf, text);
	return kdr_buf_detach(&buf);
}

static int longest_first(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

void kdr_scrub_secrets(char **text, const struct kdr_strvec *secrets)
{
	struct kdr_strvec sorted = KDR_STRVEC_INIT;

	if (!text || !*text)
		return;
	if (secrets && secrets->n) {
		kdr_strvec_copy(&sorted, secrets);
		qsort(sorted.v, sorted.n, sizeof(*sorted.v), longest_first);
	}
	for (size_t i = 0; i < sorted.n; i++) {
		const char *secret = sorted.v[i];
		size_t n = strlen(secret);
		struct kdr_buf out = KDR_BUF_INIT;
		const char *p = *text;

		if (!n || !strstr(p, secret))
			continue;
		for (const char *hit = NULL; (hit = strstr(p, secret)) != NULL; p = hit + n) {
			kdr_buf_put(&out, p, (size_t)(hit - p));
			kdr_buf_puts(&out, "***");
		}
		kdr_buf_puts(&out, p);
		free(*text);
		*text = kdr_buf_detach(&out);
	}
	for (size_t i = 0; i < sorted.n; i++)
		explicit_bzero(sorted.v[i], strlen(sorted.v[i]));
	kdr_strvec_release(&sorted);
	if (strstr(*text, "://")) {
		char *masked = kdr_scrub_userinfo_dup(*text);

		free(*text);
		*text = masked;
	}
}
