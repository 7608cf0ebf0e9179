#ifndef KDR_UTIL_REGEX_H
#define KDR_UTIL_REGEX_H

#include <stdbool.h>

/*
 * Regexes as MirrorMaker 2 applies topic and group filters: Java-like syntax
 * (PCRE2), matched against the WHOLE subject (MM2 uses Pattern.matches).
 */
struct kdr_regex;

/*
 * Compiles `pattern`. On failure returns KDR_EINVALID with a message naming
 * the offset and PCRE2's reason ("at offset 3: missing closing parenthesis").
 */
int kdr_regex_compile(struct kdr_regex **out, const char *pattern);
bool kdr_regex_full_match(const struct kdr_regex *re, const char *subject);
const char *kdr_regex_pattern(const struct kdr_regex *re);
void kdr_regex_free(struct kdr_regex *re);

/*
 * A list of patterns matched as one: a subject matches when any pattern
 * matches it fully (MM2 joins its list with '|').
 */
struct kdr_regex_set {
	struct kdr_regex **v;
	unsigned n;
};

/* Compiles every pattern; on the first failure frees what was built. */
int kdr_regex_set_compile(struct kdr_regex_set *out, const char *const *patterns, unsigned n);
bool kdr_regex_set_match(const struct kdr_regex_set *set, const char *subject);
void kdr_regex_set_release(struct kdr_regex_set *set);

#endif
