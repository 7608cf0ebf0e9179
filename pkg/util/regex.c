#include "util/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

/*
 * Backtracking budget of one match. MM2 filters are tiny and topic names are
 * at most 249 bytes, so a match that needs more than this is a pathological
 * pattern; it counts as "no match" instead of hanging a validation or a plan.
 */
#define KDR_REGEX_MATCH_LIMIT 1000000u

struct kdr_regex {
	char *pattern;
	pcre2_code *code;
	pcre2_match_context *mctx;
};

/*
 * Java's character-class intersection ("[a-z&&[^x]]") has no PCRE2 meaning:
 * PCRE2 would read it as a class containing '&' and '[' and silently match
 * something else than MM2 does. Refuse it instead. Returns the offset of the
 * "&&" or -1.
 */
static long find_class_intersection(const char *pattern)
{
	int depth = 0;
	bool quoted = false;

	for (size_t i = 0; pattern[i]; i++) {
		char c = pattern[i];

		if (quoted) {
			if (c == '\\' && pattern[i + 1] == 'E') {
				quoted = false;
				i++;
			}
			continue;
		}
		if (c == '\\') {
			if (pattern[i + 1] == 'Q')
				quoted = true;
			if (pattern[i + 1])
				i++;
			continue;
		}
		if (c == '[') {
			/* A ']' right after '[' or '[^' is a literal member, not the end. */
			depth++;
			if (pattern[i + 1] == '^')
				i++;
			if (pattern[i + 1] == ']')
				i++;
		} else if (c == ']' && depth > 0) {
			depth--;
		} else if (c == '&' && depth > 0 && pattern[i + 1] == '&') {
			return (long)i;
		}
	}
	return -1;
}

int kdr_regex_compile(struct kdr_regex **out, const char *pattern)
{
	struct kdr_regex *re = NULL;
	pcre2_compile_context *cctx = NULL;
	PCRE2_UCHAR message[256];
	PCRE2_SIZE offset = 0;
	int errcode = 0;
	long intersection = -1;
	uint32_t options = PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF;
	int rc = 0;

	*out = NULL;
	if (!pattern)
		return kdr_error_set(KDR_EINVALID, "no pattern");
	intersection = find_class_intersection(pattern);
	if (intersection >= 0)
		return kdr_error_set(KDR_EINVALID,
				     "at offset %ld: character class intersection '&&' (Java only) is not supported",
				     intersection);
#ifdef PCRE2_MATCH_INVALID_UTF
	/* Group names come from clients and need not be UTF-8; they must simply not match. */
	options |= PCRE2_MATCH_INVALID_UTF;
#endif
	re = kdr_calloc(1, sizeof(*re));
	re->pattern = kdr_strdup(pattern);
	cctx = pcre2_compile_context_create(NULL);
	if (!cctx)
		abort();
	/* Java's '.' stops at any line terminator, not only '\n'. */
	pcre2_set_newline(cctx, PCRE2_NEWLINE_ANY);
	/*
	 * Full match as Java's Pattern.matches: anchored at both ends for every
	 * alternative, with backtracking ("a|ab" matches "ab"; "a|b" not "ab").
	 */
	re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &errcode, &offset, cctx);
	if (!re->code) {
		pcre2_get_error_message(errcode, message, sizeof(message));
		rc = kdr_error_set(KDR_EINVALID, "at offset %zu: %s", (size_t)offset, (const char *)message);
		goto cleanup;
	}
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->mctx)
		abort();
	pcre2_set_match_limit(re->mctx, KDR_REGEX_MATCH_LIMIT);
	*out = re;
	re = NULL;

cleanup:
	pcre2_compile_context_free(cctx);
	kdr_regex_free(re);
	return rc;
}

/*
 * One match data per thread, reused by every match: PCRE2 keeps its
 * backtracking frames (20 KiB to start with) in the match data, so a fresh
 * one per call costs an allocation and page faults on every topic name
 * matched. Freed when the thread exits.
 */
static pthread_key_t match_data_key;
static pthread_once_t match_data_once = PTHREAD_ONCE_INIT;

static void match_data_free(void *md)
{
	pcre2_match_data_free(md);
}

static void match_data_key_create(void)
{
	if (pthread_key_create(&match_data_key, match_data_free) != 0)
		abort();
}

static pcre2_match_data *thread_match_data(void)
{
	pcre2_match_data *md = NULL;

	pthread_once(&match_data_once, match_data_key_create);
	md = pthread_getspecific(match_data_key);
	if (md)
		return md;
	md = pcre2_match_data_create(1, NULL);
	if (!md || pthread_setspecific(match_data_key, md) != 0)
		abort();
	return md;
}

bool kdr_regex_full_match(const struct kdr_regex *re, const char *subject)
{
	int rc = 0;

	if (!re || !subject)
		return false;
	rc = pcre2_match(re->code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, thread_match_data(), re->mctx);
	/* 0 means "matched, ovector too small": still a match. Errors (limits, bad UTF) are not. */
	return rc >= 0;
}

const char *kdr_regex_pattern(const struct kdr_regex *re)
{
	return re ? re->pattern : NULL;
}

void kdr_regex_free(struct kdr_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_match_context_free(re->mctx);
	free(re->pattern);
	free(re);
}

int kdr_regex_set_compile(struct kdr_regex_set *out, const char *const *patterns, unsigned n)
{
	struct kdr_regex_set set = { NULL, 0 };
	char *reason = NULL;
	int rc = 0;

	out->v = NULL;
	out->n = 0;
	if (n)
		set.v = kdr_calloc(n, sizeof(*set.v));
	for (unsigned i = 0; i < n; i++) {
		rc = kdr_regex_compile(&set.v[i], patterns[i]);
		if (rc < 0) {
			/* Copied first: the message buffer is reused by the next kdr_error_set. */
			reason = kdr_strdup(kdr_error_message());
			rc = kdr_error_set(rc, "pattern '%s': %s", patterns[i] ? patterns[i] : "", reason);
			goto cleanup;
		}
		set.n++;
	}
	*out = set;
	set.v = NULL;
	set.n = 0;

cleanup:
	free(reason);
	kdr_regex_set_release(&set);
	return rc;
}

bool kdr_regex_set_match(const struct kdr_regex_set *set, const char *subject)
{
	for (unsigned i = 0; i < set->n; i++)
		if (kdr_regex_full_match(set->v[i], subject))
			return true;
	return false;
}

void kdr_regex_set_release(struct kdr_regex_set *set)
{
	for (unsigned i = 0; i < set->n; i++)
		kdr_regex_free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}
