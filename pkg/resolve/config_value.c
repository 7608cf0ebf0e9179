/*
 * Topic config values as Kafka reads them.
 *
 * Normalisation follows what Kafka does to a value before storing and
 * describing it (ConfigDef parsing and convertToString): surrounding
 * whitespace is trimmed; BOOLEAN keys are case-insensitive; INT/LONG keys
 * compare as integers ("086400000" == "86400000"); DOUBLE keys as numbers
 * ("0.50" == "0.5"); LIST keys element-wise with whitespace around commas
 * dropped; cleanup.policy as a set ("compact,delete" == "delete,compact":
 * Kafka applies both the same way). Unknown keys compare trimmed strings.
 */
#include "resolve/config_value.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/strvec.h"

enum config_type {
	TYPE_STRING,
	TYPE_BOOLEAN,
	TYPE_INTEGER, /* INT and LONG */
	TYPE_DOUBLE,
	TYPE_LIST,
	TYPE_SET, /* a LIST whose order does not matter */
};

/* Topic config types, from Kafka's TopicConfig / LogConfig (reference/kafka-topic-configs.tsv); sorted. */
static const struct {
	const char *key;
	enum config_type type;
} config_types[] = {
    {"cleanup.policy", TYPE_SET},
    {"compression.gzip.level", TYPE_INTEGER},
    {"compression.lz4.level", TYPE_INTEGER},
    {"compression.zstd.level", TYPE_INTEGER},
    {"delete.retention.ms", TYPE_INTEGER},
    {"file.delete.delay.ms", TYPE_INTEGER},
    {"flush.messages", TYPE_INTEGER},
    {"flush.ms", TYPE_INTEGER},
    {"follower.replication.throttled.replicas", TYPE_LIST},
    {"index.interval.bytes", TYPE_INTEGER},
    {"leader.replication.throttled.replicas", TYPE_LIST},
    {"local.retention.bytes", TYPE_INTEGER},
    {"local.retention.ms", TYPE_INTEGER},
    {"max.compaction.lag.ms", TYPE_INTEGER},
    {"max.message.bytes", TYPE_INTEGER},
    {"message.downconversion.enable", TYPE_BOOLEAN},
    {"message.timestamp.after.max.ms", TYPE_INTEGER},
    {"message.timestamp.before.max.ms", TYPE_INTEGER},
    {"message.timestamp.difference.max.ms", TYPE_INTEGER},
    {"min.cleanable.dirty.ratio", TYPE_DOUBLE},
    {"min.compaction.lag.ms", TYPE_INTEGER},
    {"min.insync.replicas", TYPE_INTEGER},
    {"preallocate", TYPE_BOOLEAN},
    {"remote.log.copy.disable", TYPE_BOOLEAN},
    {"remote.log.delete.on.disable", TYPE_BOOLEAN},
    {"remote.storage.enable", TYPE_BOOLEAN},
    {"retention.bytes", TYPE_INTEGER},
    {"retention.ms", TYPE_INTEGER},
    {"segment.bytes", TYPE_INTEGER},
    {"segment.index.bytes", TYPE_INTEGER},
    {"segment.jitter.ms", TYPE_INTEGER},
    {"segment.ms", TYPE_INTEGER},
    {"unclean.leader.election.enable", TYPE_BOOLEAN},
};

static enum config_type type_of(const char *key)
{
	size_t lo = 0, hi = sizeof(config_types) / sizeof(config_types[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(config_types[mid].key, key);

		if (cmp == 0)
			return config_types[mid].type;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return TYPE_STRING;
}

static char *trimmed(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return kdr_strndup(s, len);
}

/* "+0012" -> "12", "-0" -> "0"; NULL when not a decimal integer. */
static char *canonical_integer(const char *s)
{
	const char *p = s;
	bool negative = false;

	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	if (!*p)
		return NULL;
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q))
			return NULL;
	while (*p == '0' && p[1])
		p++;
	if (strcmp(p, "0") == 0)
		negative = false;
	return kdr_asprintf("%s%s", negative ? "-" : "", p);
}

static char *canonical_double(const char *s)
{
	char *end = NULL;
	double d = 0;

	if (!*s)
		return NULL;
	d = strtod(s, &end);
	if (*end)
		return NULL;
	return kdr_asprintf("%.17g", d);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *canonical_list(const char *s, bool as_set)
{
	struct kdr_strvec items = KDR_STRVEC_INIT;
	struct kdr_buf out = KDR_BUF_INIT;
	const char *start = s;

	if (!*s)
		return kdr_strdup("");
	for (const char *p = s;; p++) {
		if (*p == ',' || *p == '\0') {
			kdr_strvec_push_take(&items, trimmed(start, (size_t)(p - start)));
			if (!*p)
				break;
			start = p + 1;
		}
	}
	if (as_set && items.n > 1)
		qsort(items.v, items.n, sizeof(*items.v), compare_strings);
	for (size_t i = 0; i < items.n; i++) {
		if (as_set && i > 0 && strcmp(items.v[i], items.v[i - 1]) == 0)
			continue;
		if (out.len)
			kdr_buf_putc(&out, ',');
		kdr_buf_puts(&out, items.v[i]);
	}
	kdr_strvec_release(&items);
	return kdr_buf_detach(&out);
}

char *kdr_resolve_config_normalise(const char *key, const char *value)
{
	char *text = NULL, *canonical = NULL;

	if (!value)
		return NULL;
	text = trimmed(value, strlen(value));
	switch (type_of(key)) {
	case TYPE_BOOLEAN:
		if (strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0)
			for (char *p = text; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		break;
	case TYPE_INTEGER:
		canonical = canonical_integer(text);
		break;
	case TYPE_DOUBLE:
		canonical = canonical_double(text);
		break;
	case TYPE_LIST:
		canonical = canonical_list(text, false);
		break;
	case TYPE_SET:
		canonical = canonical_list(text, true);
		break;
	case TYPE_STRING:
		break;
	}
	if (canonical) {
		free(text);
		return canonical;
	}
	return text;
}

bool kdr_resolve_config_equal(const char *key, const char *a, const char *b)
{
	char *na = NULL, *nb = NULL;
	bool equal = false;

	if (!a || !b)
		return a == b;
	/* Normalising is a function of the text: the same text is the same value (most of a no-change plan). */
	if (strcmp(a, b) == 0)
		return true;
	na = kdr_resolve_config_normalise(key, a);
	nb = kdr_resolve_config_normalise(key, b);
	equal = strcmp(na, nb) == 0;
	free(na);
	free(nb);
	return equal;
}

bool kdr_resolve_config_true(const char *value)
{
	char *n = kdr_resolve_config_normalise("remote.storage.enable", value);
	bool yes = n && strcmp(n, "true") == 0;

	free(n);
	return yes;
}
