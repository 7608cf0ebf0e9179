/*
 * Topic and broker configs the way a Kafka 3.9 broker treats them: parsing
 * and validation as ConfigDef does (types, ranges, enumerations, the
 * throttled-replica list), LogConfig's cross-config rules (compaction lags,
 * tiered storage, reference §5.2), effective values resolved through the
 * broker synonyms (dynamic per-broker, dynamic cluster default, static,
 * default; hours/minutes converted), and DescribeConfigs entries with the
 * sources and synonyms ConfigHelper reports, including its quirk of dropping
 * synonyms that precede the first one (kafka-configs-notes.md).
 */
#include "sandbox_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"

/* Name-sorted indexes over the two tables, built once (lookups are hot in DescribeConfigs). */
static const struct kdr_sandbox_config_def **topic_index;
static const struct kdr_sandbox_config_def **broker_index;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static int compare_def(const void *a, const void *b)
{
	return strcmp((*(const struct kdr_sandbox_config_def *const *)a)->name,
		      (*(const struct kdr_sandbox_config_def *const *)b)->name);
}

static const struct kdr_sandbox_config_def **build_index(const struct kdr_sandbox_config_def *defs, size_t n)
{
	const struct kdr_sandbox_config_def **index = kdr_calloc(n, sizeof(*index));

	for (size_t i = 0; i < n; i++)
		index[i] = &defs[i];
	qsort(index, n, sizeof(*index), compare_def);
	return index;
}

static void build_indexes(void)
{
	/* Built once per process and never freed: tables are static data, like the indexes. */
	topic_index = build_index(kdr_sandbox_topic_config_defs, kdr_sandbox_n_topic_config_defs);
	broker_index = build_index(kdr_sandbox_broker_config_defs, kdr_sandbox_n_broker_config_defs);
}

static int compare_key_def(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct kdr_sandbox_config_def *const *)elem)->name);
}

static const struct kdr_sandbox_config_def *lookup(const struct kdr_sandbox_config_def **index, size_t n,
						   const char *name)
{
	const struct kdr_sandbox_config_def *const *found = bsearch(name, index, n, sizeof(*index), compare_key_def);

	return found ? *found : NULL;
}

const struct kdr_sandbox_config_def *kdr_sandbox_topic_config_def(const char *name)
{
	pthread_once(&index_once, build_indexes);
	return lookup(topic_index, kdr_sandbox_n_topic_config_defs, name);
}

const struct kdr_sandbox_config_def *kdr_sandbox_broker_config_def(const char *name)
{
	pthread_once(&index_once, build_indexes);
	return lookup(broker_index, kdr_sandbox_n_broker_config_defs, name);
}

/* Java's String.trim(): drops every char <= ' ' at both ends. */
static char *trim_copy(const char *s)
{
	size_t len = strlen(s);

	while (len && (unsigned char)s[0] <= ' ') {
		s++;
		len--;
	}
	while (len && (unsigned char)s[len - 1] <= ' ')
		len--;
	return kdr_strndup(s, len);
}

/* Long.parseLong: optional sign, then only decimal digits, within range. */
static bool parse_java_long(const char *s, int64_t min, int64_t max, int64_t *out)
{
	const char *p = s;
	bool negative = false;
	uint64_t v = 0;
	uint64_t limit = 0;

	if (*p == '+' || *p == '-') {
		negative = *p == '-';
		p++;
	}
	if (!*p)
		return false;
	limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (limit - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (negative)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return *out >= min && *out <= max;
}

/* Java's Double.toString for the values configs hold: plain between 1e-3 and 1e7, else scientific. */
static char *java_double_string(double d)
{
	char digits[40];
	int precision = 1;
	double mag = fabs(d);

	if (d == 0)
		return kdr_strdup(signbit(d) ? "-0.0" : "0.0");
	/* The shortest representation that reads back as the same double. */
	for (precision = 1; precision < 17; precision++) {
		snprintf(digits, sizeof(digits), "%.*g", precision, d);
		if (strtod(digits, NULL) == d)
			break;
	}
	if (mag >= 1e-3 && mag < 1e7) {
		snprintf(digits, sizeof(digits), "%.*f", precision, d);
		/* Trim trailing zeros but keep one digit after the point. */
		size_t len = strlen(digits);
		while (len > 2 && digits[len - 1] == '0' && digits[len - 2] != '.')
			digits[--len] = '\0';
		return kdr_strdup(digits);
	} else {
		char mantissa[40];
		int exp = (int)floor(log10(mag));
		double m = d / pow(10, exp);

		snprintf(mantissa, sizeof(mantissa), "%.*g", precision, m);
		if (!strchr(mantissa, '.'))
			strcat(mantissa, ".0");
		return kdr_asprintf("%sE%d", mantissa, exp);
	}
}

/* The reference's validator notations: "[a,...]", "[a,...,b]", "[a,...,b] or -1". */
static bool parse_range(const char *valid, double *min, double *max, bool *has_max, bool *or_minus_one)
{
	char lo[64] = "";
	char hi[64] = "";

	*has_max = false;
	*or_minus_one = strstr(valid, " or -1") != NULL;
	if (sscanf(valid, "[%63[^,],...,%63[^]]]", lo, hi) == 2 && strcmp(hi, "...") != 0) {
		*min = strtod(lo, NULL);
		*max = strtod(hi, NULL);
		*has_max = true;
		return true;
	}
	if (sscanf(valid, "[%63[^,],...]", lo) == 1) {
		*min = strtod(lo, NULL);
		return true;
	}
	return false;
}

/* "[a, b, c]" (no "..."): an enumeration; `item` must be one of them. */
static int enumeration_check(const char *valid, const char *item, bool *is_enum)
{
	const char *p = valid + 1;
	size_t len = strlen(valid);

	*is_enum = len > 2 && valid[0] == '[' && valid[len - 1] == ']' && !strstr(valid, "...") && !strchr(valid, ':');
	if (!*is_enum)
		return 0;
	while (*p && *p != ']') {
		const char *end = p + strcspn(p, ",]");

		if ((size_t)(end - p) == strlen(item) && strncmp(p, item, (size_t)(end - p)) == 0)
			return 0;
		p = end;
		if (*p == ',')
			p++;
		while (*p == ' ')
			p++;
	}
	return -1;
}

static void put_invalid(struct kdr_buf *msg, const struct kdr_sandbox_config_def *def, const char *value,
			const char *why)
{
	kdr_buf_printf(msg, "Invalid value %s for configuration %s: %s", value, def->name, why);
}

static void put_enum_message(struct kdr_buf *msg, const struct kdr_sandbox_config_def *def, const char *value)
{
	char *list = kdr_strndup(def->valid + 1, strlen(def->valid) - 2);

	kdr_buf_printf(msg, "Invalid value %s for configuration %s: String must be one of: %s", value, def->name, list);
	free(list);
}

static bool throttled_item_ok(const char *item)
{
	const char *colon = strchr(item, ':');

	if (!*item)
		return true; /* Kafka's pattern ([0-9]+:[0-9]+)? also matches nothing */
	if (!colon || colon == item || !colon[1])
		return false;
	for (const char *p = item; *p; p++) {
		if (p != colon && !isdigit((unsigned char)*p))
			return false;
	}
	return true;
}

static bool metadata_version_ok(const char *s)
{
	/* MetadataVersion strings: 0.8.0, 2.8, 3.0-IV1 ... */
	int parts = 0;
	const char *p = s;

	while (*p) {
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
		parts++;
		if (*p == '.') {
			p++;
			continue;
		}
		if (*p == '-')
			break;
		if (*p)
			return false;
	}
	if (parts < 2 || parts > 3)
		return false;
	if (*p == '-') {
		if (strncmp(p, "-IV", 3) != 0 || !p[3])
			return false;
		for (p += 3; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return false;
		}
	}
	return true;
}

static int parse_list(const struct kdr_sandbox_config_def *def, const char *trimmed, char **normalised,
		      struct kdr_buf *msg)
{
	struct kdr_buf out = KDR_BUF_INIT;
	const char *p = trimmed;
	bool throttled = strstr(def->valid, "[partitionId]") != NULL;
	size_t items = 0;
	bool star = false;
	bool bad_item = false;

	while (*trimmed) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *raw = kdr_strndup(p, len);
		char *item = trim_copy(raw);
		bool is_enum = false;

		free(raw);
		if (enumeration_check(def->valid, item, &is_enum) != 0) {
			put_enum_message(msg, def, trimmed);
			free(item);
			kdr_buf_release(&out);
			return -1;
		}
		if (strcmp(item, "*") == 0)
			star = true;
		else if (throttled && !throttled_item_ok(item))
			bad_item = true;
		kdr_buf_printf(&out, "%s%s", items ? "," : "", item);
		free(item);
		items++;
		if (!end)
			break;
		p = end + 1;
	}
	if (throttled && (bad_item || (star && items != 1))) {
		put_invalid(msg, def, trimmed,
			    "must be the literal '*' or a list of replicas in the following format: "
			    "[partitionId]:[brokerId],[partitionId]:[brokerId],...");
		kdr_buf_release(&out);
		return -1;
	}
	*normalised = kdr_buf_detach(&out);
	return 0;
}

int kdr_sandbox_config_parse(const struct kdr_sandbox_config_def *def, const char *value, char **normalised,
			     struct kdr_buf *msg)
{
	char *trimmed = trim_copy(value);
	double min = 0;
	double max = 0;
	bool has_max = false;
	bool or_minus_one = false;
	bool ranged = parse_range(def->valid, &min, &max, &has_max, &or_minus_one);
	bool is_enum = false;
	int rc = -1;

	*normalised = NULL;
	switch (def->type) {
	case KDR_SANDBOX_CONFIG_BOOLEAN:
		if (strcasecmp(trimmed, "true") == 0 || strcasecmp(trimmed, "false") == 0) {
			*normalised = kdr_strdup(strcasecmp(trimmed, "true") == 0 ? "true" : "false");
			rc = 0;
		} else {
			put_invalid(msg, def, value, "Expected value to be either true or false");
		}
		break;
	case KDR_SANDBOX_CONFIG_SHORT:
	case KDR_SANDBOX_CONFIG_INT:
	case KDR_SANDBOX_CONFIG_LONG: {
		int64_t v = 0;
		int64_t lo = def->type == KDR_SANDBOX_CONFIG_LONG  ? INT64_MIN
			     : def->type == KDR_SANDBOX_CONFIG_INT ? INT32_MIN
								   : INT16_MIN;
		int64_t hi = def->type == KDR_SANDBOX_CONFIG_LONG  ? INT64_MAX
			     : def->type == KDR_SANDBOX_CONFIG_INT ? INT32_MAX
								   : INT16_MAX;
		const char *type_name = def->type == KDR_SANDBOX_CONFIG_LONG  ? "LONG"
					: def->type == KDR_SANDBOX_CONFIG_INT ? "INT"
									      : "SHORT";

		if (!parse_java_long(trimmed, lo, hi, &v)) {
			struct kdr_buf why = KDR_BUF_INIT;

			kdr_buf_printf(&why, "Not a number of type %s", type_name);
			put_invalid(msg, def, value, why.ptr);
			kdr_buf_release(&why);
			break;
		}
		if (ranged && !(or_minus_one && v == -1)) {
			if ((double)v < min) {
				struct kdr_buf why = KDR_BUF_INIT;

				kdr_buf_printf(&why, "Value must be at least %.0f", min);
				put_invalid(msg, def, trimmed, why.ptr);
				kdr_buf_release(&why);
				break;
			}
			if (has_max && (double)v > max) {
				struct kdr_buf why = KDR_BUF_INIT;

				kdr_buf_printf(&why, "Value must be no more than %.0f", max);
				put_invalid(msg, def, trimmed, why.ptr);
				kdr_buf_release(&why);
				break;
			}
		}
		*normalised = kdr_asprintf("%lld", (long long)v);
		rc = 0;
		break;
	}
	case KDR_SANDBOX_CONFIG_DOUBLE: {
		char *end = NULL;
		double v = 0;

		errno = 0;
		v = *trimmed ? strtod(trimmed, &end) : 0;
		if (!*trimmed || *end || isnan(v)) {
			put_invalid(msg, def, value, "Not a number of type DOUBLE");
			break;
		}
		if (ranged && (v < min || (has_max && v > max))) {
			char *bound = java_double_string(v < min ? min : max);
			struct kdr_buf why = KDR_BUF_INIT;

			kdr_buf_printf(&why, "Value must be %s %s", v < min ? "at least" : "no more than", bound);
			put_invalid(msg, def, trimmed, why.ptr);
			kdr_buf_release(&why);
			free(bound);
			break;
		}
		*normalised = java_double_string(v);
		rc = 0;
		break;
	}
	case KDR_SANDBOX_CONFIG_LIST:
		rc = parse_list(def, trimmed, normalised, msg);
		break;
	default:
		if (enumeration_check(def->valid, trimmed, &is_enum) != 0) {
			put_enum_message(msg, def, trimmed);
			break;
		}
		if (strstr(def->valid, "MetadataVersion") && !metadata_version_ok(trimmed)) {
			put_invalid(msg, def, trimmed, "Version is not a valid MetadataVersion");
			break;
		}
		if (strcmp(def->valid, "non-empty string") == 0 && !*trimmed) {
			put_invalid(msg, def, trimmed, "String may not be empty");
			break;
		}
		*normalised = kdr_strdup(trimmed);
		rc = 0;
		break;
	}
	free(trimmed);
	return rc;
}

/* One broker key's value as broker `broker` resolves it, and from where. */
static const char *broker_key_value(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker, const char *key,
				    int *source)
{
	const struct kdr_sandbox_config_def *def = NULL;
	const char *v = NULL;

	if (broker && (v = kdr_strmap_get(&broker->dynamic_configs, key))) {
		*source = KDR_SANDBOX_SOURCE_DYNAMIC_BROKER;
		return v;
	}
	if ((v = kdr_strmap_get(&cl->default_dynamic_configs, key))) {
		*source = KDR_SANDBOX_SOURCE_DYNAMIC_DEFAULT_BROKER;
		return v;
	}
	/* Every broker of a sandbox cluster has the same static log configs; broker 1 speaks for a NULL broker. */
	if (!broker)
		broker = &cl->brokers[0];
	if ((v = kdr_strmap_get(&broker->static_configs, key))) {
		*source = KDR_SANDBOX_SOURCE_STATIC_BROKER;
		return v;
	}
	def = kdr_sandbox_broker_config_def(key);
	*source = KDR_SANDBOX_SOURCE_DEFAULT;
	return def ? def->default_value : NULL;
}

char *kdr_sandbox_broker_config_value(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker,
				      const char *name)
{
	int source = 0;

	return kdr_strdup(broker_key_value(cl, broker, name, &source));
}

/* Splits "a,b*60000,c" into names and factors; returns the count (at most `max`). */
static size_t split_synonyms(const char *synonyms, char names[][64], int64_t *factors, size_t max)
{
	size_t n = 0;
	const char *p = synonyms;

	while (p && *p && n < max) {
		size_t len = strcspn(p, ",");
		char item[64];
		char *star = NULL;

		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		star = strchr(item, '*');
		factors[n] = 1;
		if (star) {
			*star = '\0';
			factors[n] = strtoll(star + 1, NULL, 10);
		}
		snprintf(names[n], 64, "%s", item);
		n++;
		p += len;
		if (*p == ',')
			p++;
	}
	return n;
}

static void add_synonym(struct kdr_sandbox_config_entry *entry, const char *name, const char *value, int source)
{
	struct kdr_sandbox_config_synonym *syn = NULL;

	if (entry->n_synonyms >= sizeof(entry->synonyms) / sizeof(entry->synonyms[0]))
		return;
	syn = &entry->synonyms[entry->n_synonyms++];
	syn->name = name;
	syn->value = value;
	syn->source = source;
}

/*
 * ConfigHelper.configSynonyms: for each source in precedence (dynamic
 * broker, dynamic default, static, default), every synonym that source sets;
 * then drop the leading ones until `first` (names are lent from the tables).
 */
static void broker_synonyms(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker, const char *first,
			    const char *synonyms, struct kdr_sandbox_config_entry *entry)
{
	char names[4][64];
	int64_t factors[4];
	size_t n = split_synonyms(synonyms, names, factors, 4);
	bool dropping = true;

	for (int source = KDR_SANDBOX_SOURCE_DYNAMIC_BROKER; source <= KDR_SANDBOX_SOURCE_DEFAULT; source++) {
		for (size_t i = 0; i < n; i++) {
			const struct kdr_sandbox_config_def *def = kdr_sandbox_broker_config_def(names[i]);
			const char *v = NULL;

			if (!def)
				continue;
			switch (source) {
			case KDR_SANDBOX_SOURCE_DYNAMIC_BROKER:
				v = broker ? kdr_strmap_get(&broker->dynamic_configs, def->name) : NULL;
				break;
			case KDR_SANDBOX_SOURCE_DYNAMIC_DEFAULT_BROKER:
				v = kdr_strmap_get(&cl->default_dynamic_configs, def->name);
				break;
			case KDR_SANDBOX_SOURCE_STATIC_BROKER:
				v = kdr_strmap_get(&(broker ? broker : &cl->brokers[0])->static_configs, def->name);
				break;
			default:
				v = def->default_value;
				break;
			}
			if (!v)
				continue;
			if (dropping && strcmp(def->name, first) != 0)
				continue;
			dropping = false;
			add_synonym(entry, def->name, v, source);
		}
	}
}

void kdr_sandbox_defaults_cache_release(struct kdr_sandbox_defaults_cache *cache)
{
	free(cache->entries);
	kdr_strvec_release(&cache->owned);
	memset(cache, 0, sizeof(*cache));
}

/* Builds what `broker` reports for topic config `def` when the topic does not override it. */
static void build_default(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker,
			  const struct kdr_sandbox_config_def *def, struct kdr_sandbox_defaults_cache *cache,
			  struct kdr_sandbox_config_entry *entry)
{
	char names[4][64];
	int64_t factors[4];
	size_t n = split_synonyms(def->synonyms, names, factors, 4);
	char first[64] = "";

	memset(entry, 0, sizeof(*entry));
	entry->name = def->name;
	entry->type = def->type;
	entry->doc = def->doc;
	entry->sensitive = def->type == KDR_SANDBOX_CONFIG_PASSWORD;
	entry->value = def->default_value;
	/* The value: the first broker synonym that has one, converted to the topic's unit. */
	for (size_t i = 0; i < n; i++) {
		int source = 0;
		const char *v = broker_key_value(cl, broker, names[i], &source);

		if (!v)
			continue;
		if (factors[i] != 1) {
			kdr_strvec_push_take(&cache->owned,
					     kdr_asprintf("%lld", strtoll(v, NULL, 10) * (long long)factors[i]));
			v = cache->owned.v[cache->owned.n - 1];
		}
		entry->value = v;
		break;
	}
	if (n) {
		snprintf(first, sizeof(first), "%s", names[0]);
		broker_synonyms(cl, broker, first, def->synonyms, entry);
	}
	entry->source = entry->n_synonyms ? entry->synonyms[0].source : KDR_SANDBOX_SOURCE_DEFAULT;
}

static const struct kdr_sandbox_defaults_cache *defaults(struct kdr_sandbox_cluster *cl,
							 struct kdr_sandbox_broker *broker)
{
	struct kdr_sandbox_defaults_cache *cache = broker ? &broker->defaults : &cl->defaults;

	if (cache->epoch == cl->config_epoch && cache->entries)
		return cache;
	kdr_sandbox_defaults_cache_release(cache);
	cache->entries = kdr_calloc(kdr_sandbox_n_topic_config_defs, sizeof(*cache->entries));
	for (size_t i = 0; i < kdr_sandbox_n_topic_config_defs; i++)
		build_default(cl, broker, &kdr_sandbox_topic_config_defs[i], cache, &cache->entries[i]);
	cache->epoch = cl->config_epoch;
	return cache;
}

static size_t topic_def_index(const char *name)
{
	const struct kdr_sandbox_config_def *def = kdr_sandbox_topic_config_def(name);

	return def ? (size_t)(def - kdr_sandbox_topic_config_defs) : SIZE_MAX;
}

const char *kdr_sandbox_topic_config_get(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker,
					 const struct kdr_sandbox_topic *topic, const char *name)
{
	const char *own = topic ? kdr_strmap_get(&topic->configs, name) : NULL;
	size_t i = topic_def_index(name);

	if (own)
		return own;
	return i == SIZE_MAX ? NULL : defaults(cl, broker)->entries[i].value;
}

char *kdr_sandbox_topic_config_value(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker,
				     const struct kdr_sandbox_topic *topic, const char *name)
{
	return kdr_strdup(kdr_sandbox_topic_config_get(cl, broker, topic, name));
}

int64_t kdr_sandbox_topic_config_long(struct kdr_sandbox_cluster *cl, const struct kdr_sandbox_topic *topic,
				      const char *name)
{
	const char *v = kdr_sandbox_topic_config_get(cl, NULL, topic, name);

	if (v && strcmp(v, "true") == 0)
		return 1;
	return v ? strtoll(v, NULL, 10) : 0;
}

/* The effective value of `name` for a topic whose overrides would be `configs`. */
static char *effective(struct kdr_sandbox_cluster *cl, const struct kdr_strmap *configs, const char *name)
{
	const char *own = configs ? kdr_strmap_get(configs, name) : NULL;

	return kdr_strdup(own ? own : kdr_sandbox_topic_config_get(cl, NULL, NULL, name));
}

static int64_t effective_long(struct kdr_sandbox_cluster *cl, const struct kdr_strmap *configs, const char *name)
{
	char *v = effective(cl, configs, name);
	int64_t n = v ? strtoll(v, NULL, 10) : 0;

	free(v);
	return n;
}

static bool effective_true(struct kdr_sandbox_cluster *cl, const struct kdr_strmap *configs, const char *name)
{
	char *v = effective(cl, configs, name);
	bool yes = v && strcmp(v, "true") == 0;

	free(v);
	return yes;
}

/* LogConfig.validateTopicLogConfigValues' tiered-storage rules on the resulting config. */
static int validate_remote_storage(struct kdr_sandbox_cluster *cl, const struct kdr_strmap *configs,
				   const struct kdr_strmap *previous, struct kdr_buf *msg)
{
	int64_t retention_bytes = 0;
	int64_t local_bytes = 0;
	int64_t retention_ms = 0;
	int64_t local_ms = 0;
	char *policy = NULL;
	bool compacted = false;

	if (!effective_true(cl, configs, "remote.storage.enable")) {
		if (previous && effective_true(cl, previous, "remote.storage.enable") &&
		    !effective_true(cl, configs, "remote.log.delete.on.disable")) {
			kdr_buf_puts(msg,
				     "It is invalid to disable remote storage without deleting remote data. If you "
				     "want to keep the remote data and turn to read only, please set "
				     "`remote.storage.enable=true,remote.log.copy.disable=true`. If you want to "
				     "disable remote storage and delete all remote data, please set "
				     "`remote.storage.enable=false,remote.log.delete.on.disable=true`.");
			return -1;
		}
		return 0;
	}
	if (!cl->remote_storage) {
		kdr_buf_puts(msg, "Tiered Storage functionality is disabled in the broker. Topic cannot be configured "
				  "with remote log storage.");
		return -1;
	}
	policy = effective(cl, configs, "cleanup.policy");
	compacted = policy && strstr(policy, "compact");
	free(policy);
	if (compacted) {
		kdr_buf_puts(msg, "Remote log storage is unsupported for the compacted topics");
		return -1;
	}
	retention_bytes = effective_long(cl, configs, "retention.bytes");
	local_bytes = effective_long(cl, configs, "local.retention.bytes");
	if (retention_bytes > -1 && local_bytes != -2) {
		if (local_bytes == -1) {
			kdr_buf_printf(msg,
				       "Invalid value -1 for configuration local.retention.bytes: Value must not be -1 "
				       "as retention.bytes value is set as %lld.",
				       (long long)retention_bytes);
			return -1;
		}
		if (local_bytes > retention_bytes) {
			kdr_buf_printf(msg,
				       "Invalid value %lld for configuration local.retention.bytes: Value must not be "
				       "more than retention.bytes property value: %lld",
				       (long long)local_bytes, (long long)retention_bytes);
			return -1;
		}
	}
	retention_ms = effective_long(cl, configs, "retention.ms");
	local_ms = effective_long(cl, configs, "local.retention.ms");
	if (retention_ms != -1 && local_ms != -2) {
		if (local_ms == -1) {
			kdr_buf_printf(msg,
				       "Invalid value -1 for configuration local.retention.ms: Value must not be -1 as "
				       "retention.ms value is set as %lld.",
				       (long long)retention_ms);
			return -1;
		}
		if (local_ms > retention_ms) {
			kdr_buf_printf(
			    msg,
			    "Invalid value %lld for configuration local.retention.ms: Value must not be more "
			    "than retention.ms property value: %lld",
			    (long long)local_ms, (long long)retention_ms);
			return -1;
		}
	}
	if (effective_true(cl, configs, "remote.log.copy.disable") &&
	    ((local_ms != -2 && local_ms != retention_ms) || (local_bytes != -2 && local_bytes != retention_bytes))) {
		kdr_buf_puts(msg, "When `remote.log.copy.disable` is set to true, the `local.retention.ms` and "
				  "`retention.ms` must be set to the identical value because there will be no more "
				  "logs copied to the remote storage.");
		return -1;
	}
	return 0;
}

int kdr_sandbox_topic_configs_validate(struct kdr_sandbox_cluster *cl, struct kdr_strmap *configs,
				       const struct kdr_strmap *previous, struct kdr_buf *msg)
{
	for (size_t i = 0; i < configs->n; i++) {
		const struct kdr_sandbox_config_def *def = kdr_sandbox_topic_config_def(configs->v[i].key);
		char *normalised = NULL;

		if (!def) {
			kdr_buf_printf(msg, "Unknown topic config name: %s", configs->v[i].key);
			return -1;
		}
		if (kdr_sandbox_config_parse(def, configs->v[i].value, &normalised, msg) != 0)
			return -1;
		free(configs->v[i].value);
		configs->v[i].value = normalised;
	}
	if (effective_long(cl, configs, "min.compaction.lag.ms") >
	    effective_long(cl, configs, "max.compaction.lag.ms")) {
		kdr_buf_printf(
		    msg, "conflict topic config setting max.compaction.lag.ms (%lld) < min.compaction.lag.ms (%lld)",
		    (long long)effective_long(cl, configs, "max.compaction.lag.ms"),
		    (long long)effective_long(cl, configs, "min.compaction.lag.ms"));
		return -1;
	}
	return validate_remote_storage(cl, configs, previous, msg);
}

void kdr_sandbox_describe_topic_config(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker,
				       const struct kdr_sandbox_topic *topic, size_t i,
				       struct kdr_sandbox_config_entry *entry)
{
	const struct kdr_sandbox_config_def *def = &kdr_sandbox_topic_config_defs[i];
	const char *own = topic ? kdr_strmap_get(&topic->configs, def->name) : NULL;
	const struct kdr_sandbox_config_entry *inherited = &defaults(cl, broker)->entries[i];
	size_t max = sizeof(entry->synonyms) / sizeof(entry->synonyms[0]);

	*entry = *inherited;
	if (!own)
		return;
	/* A topic override comes first in the synonyms, ahead of what it overrides. */
	entry->value = own;
	entry->source = KDR_SANDBOX_SOURCE_TOPIC;
	entry->n_synonyms = inherited->n_synonyms < max ? inherited->n_synonyms + 1 : max;
	memcpy(&entry->synonyms[1], inherited->synonyms, (entry->n_synonyms - 1) * sizeof(entry->synonyms[0]));
	entry->synonyms[0].name = def->name;
	entry->synonyms[0].value = own;
	entry->synonyms[0].source = KDR_SANDBOX_SOURCE_TOPIC;
}

void kdr_sandbox_describe_broker_config(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker, size_t i,
					struct kdr_sandbox_config_entry *entry)
{
	const struct kdr_sandbox_config_def *def = &kdr_sandbox_broker_config_defs[i];
	int source = 0;

	memset(entry, 0, sizeof(*entry));
	entry->name = def->name;
	entry->type = def->type;
	entry->doc = def->doc;
	entry->read_only = def->read_only;
	entry->sensitive = def->type == KDR_SANDBOX_CONFIG_PASSWORD;
	entry->value = broker_key_value(cl, broker, def->name, &source);
	broker_synonyms(cl, broker, def->name, *def->synonyms ? def->synonyms : def->name, entry);
	entry->source = entry->n_synonyms ? entry->synonyms[0].source : KDR_SANDBOX_SOURCE_DEFAULT;
}
