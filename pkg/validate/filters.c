/*
 * MirrorMaker 2's topic filter as the validation rules need it: which names a
 * flow replicates, plus a few helpers that turn patterns into example names
 * (so rules about "what would this flow copy" can be decided on concrete
 * topic names instead of on regex algebra).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "validate/validate_internal.h"


/* Kafka's longest legal topic name. */
#define TOPIC_MAX 249

bool kdr_validate__topic_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

bool kdr_validate__topic_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > TOPIC_MAX || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!kdr_validate__topic_char(name[i]))
			return false;
	return true;
}

bool kdr_validate__regex_is_literal(const char *pattern, char **literal)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (size_t i = 0; pattern[i]; i++) {
		char c = pattern[i];

		if (c == '\\' && (pattern[i + 1] == '.' || pattern[i + 1] == '-' || pattern[i + 1] == '_')) {
			c = pattern[++i];
		} else if (!kdr_validate__topic_char(c)) {
			kdr_buf_release(&buf);
			return false;
		}
		kdr_buf_putc(&buf, c);
	}
	if (buf.len == 0) {
		kdr_buf_release(&buf);
		return false;
	}
	if (literal)
		*literal = kdr_buf_detach(&buf);
	else
		kdr_buf_release(&buf);
	return true;
}

char *kdr_validate__regex_quote(const char *text)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (const char *p = text; *p; p++) {
		if (strchr("\\^$.|?*+()[]{}", *p))
			kdr_buf_putc(&buf, '\\');
		kdr_buf_putc(&buf, *p);
	}
	return kdr_buf_detach(&buf);
}

bool kdr_validate__flow_accepts(const struct kdr_validate_ctx *ctx, size_t index, const char *name)
{
	const struct kdr_flow *flow = &ctx->desired->flows[index];
	const struct kdr_resolve_flow_filters *filters = &ctx->filters[index];

	if (filters->topics_error || kdr_mm2_is_internal_topic(name)) /* never replicated whatever the filters say */
		return false;
	if (!kdr_regex_set_match(&filters->topics, name))
		return false;
	if (kdr_regex_set_match(&filters->exclude, name))
		return false;
	if (flow->keep_default_excludes && kdr_regex_set_match(ctx->default_topic_excludes, name))
		return false;
	return true;
}

/*
 * Example generation. A tiny walk over the pattern that picks, for each
 * construct, one string it matches: the first alternative of a group, one
 * repetition of '*', '+' and '?', the first member of a class, 'x' for '.'.
 * Lookarounds and anchors produce nothing. It is only a proposal: the caller
 * keeps a sample only if the real regex matches it, so constructs this walk
 * gets wrong (back references, negated classes that contain 'x') just give
 * no sample.
 */
struct sampler {
	bool failed;
};

/* End of the group or class starting at `s` ('(' or '['), or NULL. */
static const char *skip_class(const char *s)
{
	const char *p = s + 1;

	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '\\' && p[1]) {
			p += 2;
		} else if (*p == '[' && p[1] == ':') {
			const char *close = strstr(p + 2, ":]");

			p = close ? close + 2 : p + 1;
		} else {
			p++;
		}
	}
	return *p == ']' ? p : NULL;
}

static const char *skip_group(const char *s)
{
	int depth = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '\\' && p[1] == 'Q') {
			const char *e = strstr(p + 2, "\\E");

			if (!e)
				return NULL;
			p = e + 1;
		} else if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') {
			p = skip_class(p);
			if (!p)
				return NULL;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			if (--depth == 0)
				return p;
		}
	}
	return NULL;
}

/* End of the first top-level alternative of [s, e). */
static const char *alternative_end(const char *s, const char *e)
{
	for (const char *p = s; p < e; p++) {
		if (*p == '\\' && p + 1 < e && p[1] == 'Q') {
			const char *q = strstr(p + 2, "\\E");

			if (!q || q >= e)
				return e;
			p = q + 1;
		} else if (*p == '\\' && p + 1 < e) {
			p++;
		} else if (*p == '[') {
			const char *q = skip_class(p);

			if (!q || q >= e)
				return e;
			p = q;
		} else if (*p == '(') {
			const char *q = skip_group(p);

			if (!q || q >= e)
				return e;
			p = q;
		} else if (*p == '|') {
			return p;
		}
	}
	return e;
}

static char class_member(const char *s, const char *close)
{
	const char *p = s + 1;

	if (*p == '^')
		return 'x';
	if (*p == '[' && p[1] == ':') {
		if (strncmp(p, "[:digit:]", 9) == 0 || strncmp(p, "[:xdigit:]", 10) == 0)
			return '0';
		if (strncmp(p, "[:upper:]", 9) == 0)
			return 'X';
		return 'x';
	}
	if (*p == '\\' && p + 1 < close) {
		if (p[1] == 'd')
			return '0';
		if (p[1] == 'w' || p[1] == 'S' || p[1] == 'D' || p[1] == 'W' || p[1] == 'p' || p[1] == 'P')
			return 'x';
		return p[1];
	}
	return *p;
}

static void sample_sequence(struct sampler *sm, struct kdr_buf *out, const char *s, const char *e);

/* Appends one match of the group [s, close] (s at '('). */
static void sample_group(struct sampler *sm, struct kdr_buf *out, const char *s, const char *close)
{
	const char *body = s + 1;

	if (body[0] == '?') {
		if (body[1] == ':' || body[1] == '>' || body[1] == '|') {
			body += 2;
		} else if (body[1] == '=' || body[1] == '!' || body[1] == '#' ||
			   (body[1] == '<' && (body[2] == '=' || body[2] == '!'))) {
			return; /* lookaround or comment: zero width */
		} else if (body[1] == '<' || body[1] == '\'' || (body[1] == 'P' && body[2] == '<')) {
			const char *name_end = strpbrk(body, ">'");

			if (!name_end || name_end > close) {
				sm->failed = true;
				return;
			}
			body = name_end + 1;
		} else {
			/* Inline flags: "(?i)" changes matching only, "(?i:...)" is a group. */
			const char *q = body + 1;

			while (q < close && (isalpha((unsigned char)*q) || *q == '-'))
				q++;
			if (q == close)
				return;
			if (*q != ':') {
				sm->failed = true;
				return;
			}
			body = q + 1;
		}
	}
	sample_sequence(sm, out, body, alternative_end(body, close));
}

static void sample_sequence(struct sampler *sm, struct kdr_buf *out, const char *s, const char *e)
{
	struct kdr_buf atom = KDR_BUF_INIT;
	const char *p = s;

	while (p < e && !sm->failed) {
		long reps = 1;
		bool quantified = false;

		kdr_buf_reset(&atom);
		if (*p == '\\' && p + 1 < e) {
			char c = p[1];

			p += 2;
			if (c == 'Q') {
				const char *q = strstr(p, "\\E");
				const char *qe = q && q < e ? q : e;

				kdr_buf_put(&atom, p, (size_t)(qe - p));
				p = q && q < e ? q + 2 : e;
			} else if (c == 'd') {
				kdr_buf_putc(&atom, '0');
			} else if (c == 'w' || c == 'S' || c == 'D') {
				kdr_buf_putc(&atom, 'x');
			} else if (c == 'W') {
				kdr_buf_putc(&atom, '-');
			} else if (c == 'p' || c == 'P') {
				if (p < e && *p == '{') {
					const char *q = memchr(p, '}', (size_t)(e - p));

					p = q ? q + 1 : e;
				} else if (p < e) {
					p++;
				}
				kdr_buf_putc(&atom, 'x');
			} else if (strchr("bBAzZG", c)) {
				continue; /* anchors */
			} else if (isalnum((unsigned char)c)) {
				sm->failed = true; /* back references, \x.., \t ...: not worth modelling */
				break;
			} else {
				kdr_buf_putc(&atom, c);
			}
		} else if (*p == '[') {
			const char *close = skip_class(p);

			if (!close || close >= e) {
				sm->failed = true;
				break;
			}
			kdr_buf_putc(&atom, class_member(p, close));
			p = close + 1;
		} else if (*p == '(') {
			const char *close = skip_group(p);

			if (!close || close >= e) {
				sm->failed = true;
				break;
			}
			sample_group(sm, &atom, p, close);
			p = close + 1;
		} else if (*p == '^' || *p == '$') {
			p++;
			continue;
		} else if (*p == '.') {
			kdr_buf_putc(&atom, 'x');
			p++;
		} else {
			kdr_buf_putc(&atom, *p);
			p++;
		}
		/* The quantifier, if any: one repetition, or the minimum of {n,m} when above one. */
		if (p < e && (*p == '*' || *p == '+' || *p == '?')) {
			p++;
			quantified = true;
		} else if (p < e && *p == '{' && isdigit((unsigned char)p[1])) {
			char *q = NULL;
			long min = strtol(p + 1, &q, 10);
			long max = min;

			if (*q == ',') {
				q++;
				max = isdigit((unsigned char)*q) ? strtol(q, &q, 10) : -1;
			}
			if (q < e && *q == '}') {
				reps = min > 1 ? min : (max == 0 ? 0 : 1);
				p = q + 1;
				quantified = true;
			}
		}
		if (quantified && p < e && (*p == '?' || *p == '+'))
			p++; /* lazy or possessive */
		if (reps > TOPIC_MAX || out->len + atom.len * (size_t)reps > TOPIC_MAX) {
			sm->failed = true;
			break;
		}
		for (long r = 0; r < reps; r++)
			kdr_buf_put(out, atom.ptr, atom.len);
	}
	kdr_buf_release(&atom);
}

void kdr_validate__regex_samples(struct kdr_strvec *out, const char *pattern, const struct kdr_regex *re)
{
	const char *e = pattern + strlen(pattern);
	const char *s = pattern;

	for (;;) {
		const char *alt_end = alternative_end(s, e);
		struct sampler sm = { false };
		struct kdr_buf sample = KDR_BUF_INIT;

		sample_sequence(&sm, &sample, s, alt_end);
		if (!sm.failed && kdr_validate__topic_name_ok(sample.ptr) && kdr_regex_full_match(re, sample.ptr) &&
		    !kdr_strvec_contains(out, sample.ptr))
			kdr_strvec_push(out, sample.ptr);
		kdr_buf_release(&sample);
		if (alt_end >= e)
			break;
		s = alt_end + 1;
	}
}
