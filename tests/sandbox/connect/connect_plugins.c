#include "connect_plugins.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/*
 * The config definitions below are the subset of Connect's ConnectorConfig,
 * SourceConnectorConfig and MM2's Mirror*Config ConfigDefs (Kafka 3.9) that
 * matters for MirrorMaker 2: the framework keys first, then MM2's, in
 * definition order, because Connect reports validation errors in that order.
 * Keys not defined here are accepted and stored, as Connect does with keys no
 * ConfigDef knows.
 */

enum key_type { TYPE_BOOLEAN, TYPE_STRING, TYPE_INT, TYPE_SHORT, TYPE_LONG, TYPE_LIST, TYPE_CLASS, TYPE_PASSWORD };

static const char *const type_names[] = {
    [TYPE_BOOLEAN] = "BOOLEAN", [TYPE_STRING] = "STRING", [TYPE_INT] = "INT",	  [TYPE_SHORT] = "SHORT",
    [TYPE_LONG] = "LONG",	[TYPE_LIST] = "LIST",	  [TYPE_CLASS] = "CLASS", [TYPE_PASSWORD] = "PASSWORD",
};

/* What ConfigDef's validator of a key checks after parsing. */
enum key_check {
	CHECK_NONE,
	CHECK_AT_LEAST,	 /* Range.atLeast(min) */
	CHECK_ONE_OF,	 /* ValidString.in(values) */
	CHECK_ONE_OF_CI, /* CaseInsensitiveValidString.in(values) */
	CHECK_NAME,	 /* NonEmptyStringWithoutControlChars */
};

struct key_def {
	const char *name;
	enum key_type type;
	bool required;		   /* ConfigDef.NO_DEFAULT_VALUE */
	const char *default_value; /* string form; NULL (when not required): a null default */
	const char *importance;
	const char *group; /* NULL: no group */
	int order;	   /* order in group, -1 without a group */
	const char *width;
	const char *display; /* NULL: the key's name */
	const char *doc;
	unsigned plugins; /* enum kdr_connect_plugin_kind bits */
	enum key_check check;
	long min;
	const char *const *values; /* CHECK_ONE_OF*: the valid strings; TYPE_CLASS: the loadable classes */
	bool aliases;		   /* TYPE_CLASS: plugin aliases (simple names) also load */
};

#define ALL (KDR_CONNECT_PLUGIN_SOURCE | KDR_CONNECT_PLUGIN_CHECKPOINT | KDR_CONNECT_PLUGIN_HEARTBEAT)
#define SRC KDR_CONNECT_PLUGIN_SOURCE
#define CKP KDR_CONNECT_PLUGIN_CHECKPOINT
#define HB  KDR_CONNECT_PLUGIN_HEARTBEAT

static const char *const converter_classes[] = {
    "org.apache.kafka.connect.converters.ByteArrayConverter",
    "org.apache.kafka.connect.converters.BooleanConverter",
    "org.apache.kafka.connect.converters.DoubleConverter",
    "org.apache.kafka.connect.converters.FloatConverter",
    "org.apache.kafka.connect.converters.IntegerConverter",
    "org.apache.kafka.connect.converters.LongConverter",
    "org.apache.kafka.connect.converters.ShortConverter",
    "org.apache.kafka.connect.json.JsonConverter",
    "org.apache.kafka.connect.storage.SimpleHeaderConverter",
    "org.apache.kafka.connect.storage.StringConverter",
    NULL,
};
static const char *const policy_classes[] = {
    "org.apache.kafka.connect.mirror.DefaultReplicationPolicy",
    "org.apache.kafka.connect.mirror.IdentityReplicationPolicy",
    NULL,
};
static const char *const admin_classes[] = {"org.apache.kafka.clients.admin.ForwardingAdmin", NULL};
static const char *const topic_filter_classes[] = {"org.apache.kafka.connect.mirror.DefaultTopicFilter", NULL};
static const char *const group_filter_classes[] = {"org.apache.kafka.connect.mirror.DefaultGroupFilter", NULL};
static const char *const property_filter_classes[] = {"org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter",
						      NULL};
static const char *const reload_actions[] = {"none", "restart", NULL};
static const char *const tolerances[] = {"none", "all", NULL};
static const char *const eos_support[] = {"requested", "required", NULL};
static const char *const boundaries[] = {"poll", "interval", "connector", NULL};
static const char *const protocols[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL};
static const char *const locations[] = {"source", "target", NULL};
static const char *const incremental_modes[] = {"requested", "required", "never", NULL};

/* Framework keys (ConnectorConfig and SourceConnectorConfig). */
#define FW(name, type, req, def, imp, group, order, width, display, doc, check, min, values)                           \
	{                                                                                                              \
		name, type, req, def, imp, group, order, width, display, doc, ALL, check, min, values, false           \
	}
/* MirrorMaker 2 keys: no group, no width, the display name is the key. */
#define MM(name, type, req, def, imp, plugins, doc, check, values)                                                     \
	{                                                                                                              \
		name, type, req, def, imp, NULL, -1, "NONE", NULL, doc, plugins, check, 0, values, false               \
	}

static const struct key_def key_defs[] = {
    FW("name", TYPE_STRING, true, NULL, "HIGH", "Common", 1, "MEDIUM", "Connector name",
       "Globally unique name to use for this connector.", CHECK_NAME, 0, NULL),
    FW("connector.class", TYPE_STRING, true, NULL, "HIGH", "Common", 2, "LONG", "Connector class",
       "Name or alias of the class for this connector. Must be a subclass of "
       "org.apache.kafka.connect.connector.Connector.",
       CHECK_NONE, 0, NULL),
    FW("tasks.max", TYPE_INT, false, "1", "HIGH", "Common", 3, "SHORT", "Tasks max",
       "Maximum number of tasks to use for this connector.", CHECK_AT_LEAST, 1, NULL),
    FW("tasks.max.enforce", TYPE_BOOLEAN, false, "true", "LOW", "Common", 4, "SHORT", "Enforce tasks max",
       "(Deprecated) Whether to enforce that the tasks.max property is respected by the connector.", CHECK_NONE, 0,
       NULL),
    {"key.converter", TYPE_CLASS, false, NULL, "LOW", "Common", 5, "SHORT", "Key converter class",
     "Converter class used to convert between Kafka Connect format and the serialized form that is written to "
     "Kafka.",
     ALL, CHECK_NONE, 0, converter_classes, true},
    {"value.converter", TYPE_CLASS, false, NULL, "LOW", "Common", 6, "SHORT", "Value converter class",
     "Converter class used to convert between Kafka Connect format and the serialized form that is written to "
     "Kafka.",
     ALL, CHECK_NONE, 0, converter_classes, true},
    {"header.converter", TYPE_CLASS, false, NULL, "LOW", "Common", 7, "SHORT", "Header converter class",
     "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is "
     "written to Kafka.",
     ALL, CHECK_NONE, 0, converter_classes, true},
    FW("config.action.reload", TYPE_STRING, false, "restart", "LOW", "Common", 8, "MEDIUM", "Reload Action",
       "The action that Connect should take on the connector when changes in external configuration providers "
       "result in a change in the connector's configuration properties.",
       CHECK_ONE_OF_CI, 0, reload_actions),
    FW("transforms", TYPE_LIST, false, "", "LOW", "Transforms", 1, "LONG", "Transforms",
       "Aliases for the transformations to be applied to records.", CHECK_NONE, 0, NULL),
    FW("predicates", TYPE_LIST, false, "", "LOW", "Predicates", 1, "LONG", "Predicates",
       "Aliases for the predicates used by transformations.", CHECK_NONE, 0, NULL),
    FW("errors.retry.timeout", TYPE_LONG, false, "0", "MEDIUM", "Error Handling", 1, "MEDIUM",
       "Retry Timeout for Errors", "The maximum duration in milliseconds that a failed operation will be reattempted.",
       CHECK_NONE, 0, NULL),
    FW("errors.retry.delay.max.ms", TYPE_LONG, false, "60000", "MEDIUM", "Error Handling", 2, "MEDIUM",
       "Maximum Delay Between Retries for Errors",
       "The maximum duration in milliseconds between consecutive retry attempts.", CHECK_NONE, 0, NULL),
    FW("errors.tolerance", TYPE_STRING, false, "none", "MEDIUM", "Error Handling", 3, "SHORT", "Error Tolerance",
       "Behavior for tolerating errors during connector operation.", CHECK_ONE_OF_CI, 0, tolerances),
    FW("errors.log.enable", TYPE_BOOLEAN, false, "false", "MEDIUM", "Error Handling", 4, "SHORT", "Log Errors",
       "If true, write each error and the details of the failed operation and problematic record to the Connect "
       "application log.",
       CHECK_NONE, 0, NULL),
    FW("errors.log.include.messages", TYPE_BOOLEAN, false, "false", "MEDIUM", "Error Handling", 5, "SHORT",
       "Log Error Details", "Whether to include in the log the Connect record that resulted in a failure.", CHECK_NONE,
       0, NULL),
    FW("topic.creation.groups", TYPE_LIST, false, "", "LOW", "Topic Creation", 1, "LONG", "Topic Creation Groups",
       "Groups of configurations for topics created by source connectors.", CHECK_NONE, 0, NULL),
    FW("exactly.once.support", TYPE_STRING, false, "requested", "MEDIUM", "Exactly Once Support", 1, "SHORT",
       "Exactly once support level",
       "Permitted values are requested, required. If set to \"required\", forces a preflight check for the "
       "connector to ensure that it can provide exactly-once semantics with the given configuration.",
       CHECK_ONE_OF_CI, 0, eos_support),
    FW("transaction.boundary", TYPE_STRING, false, "poll", "MEDIUM", "Exactly Once Support", 2, "SHORT",
       "Transaction Boundary", "Permitted values are: poll, interval, connector.", CHECK_ONE_OF_CI, 0, boundaries),
    FW("transaction.boundary.interval.ms", TYPE_LONG, false, NULL, "LOW", "Exactly Once Support", 3, "SHORT",
       "Transaction boundary interval",
       "If 'transaction.boundary' is set to 'interval', determines the interval "
       "for producer transaction commits by connector tasks.",
       CHECK_NONE, 0, NULL),
    FW("offsets.storage.topic", TYPE_STRING, false, NULL, "LOW", "offsets.topic", 1, "LONG", "Offsets topic",
       "The name of a separate offsets topic to use for this connector.", CHECK_NONE, 0, NULL),

    /* MirrorConnectorConfig: shared by the three connectors. */
    MM("enabled", TYPE_BOOLEAN, false, "true", "LOW", ALL, "Whether to replicate source->target.", CHECK_NONE, NULL),
    MM("source.cluster.alias", TYPE_STRING, true, NULL, "HIGH", ALL, "Alias of source cluster", CHECK_NONE, NULL),
    MM("target.cluster.alias", TYPE_STRING, false, "target", "HIGH", ALL,
       "Alias of target cluster. Used in metrics reporting.", CHECK_NONE, NULL),
    {"replication.policy.class", TYPE_CLASS, false, "org.apache.kafka.connect.mirror.DefaultReplicationPolicy", "LOW",
     NULL, -1, "NONE", NULL, "Class which defines the remote topic naming convention.", ALL, CHECK_NONE, 0,
     policy_classes, false},
    MM("replication.policy.separator", TYPE_STRING, false, ".", "LOW", ALL,
       "Separator used in remote topic naming convention.", CHECK_NONE, NULL),
    MM("replication.policy.internal.topic.separator.enabled", TYPE_BOOLEAN, false, "true", "LOW", ALL,
       "Whether to use replication.policy.separator to control the names of topics used for checkpoints and "
       "offset syncs.",
       CHECK_NONE, NULL),
    MM("admin.timeout.ms", TYPE_LONG, false, "60000", "LOW", ALL,
       "Timeout for administrative tasks, e.g. detecting new topics.", CHECK_NONE, NULL),
    {"forwarding.admin.class", TYPE_CLASS, false, "org.apache.kafka.clients.admin.ForwardingAdmin", "LOW", NULL, -1,
     "NONE", NULL, "Class which extends ForwardingAdmin to define custom cluster resource management.", ALL, CHECK_NONE,
     0, admin_classes, false},
    MM("security.protocol", TYPE_STRING, false, "PLAINTEXT", "MEDIUM", ALL,
       "Protocol used to communicate with brokers.", CHECK_ONE_OF_CI, protocols),
    MM("metric.reporters", TYPE_LIST, false, "", "LOW", ALL, "A list of classes to use as metrics reporters.",
       CHECK_NONE, NULL),

    /* The topic filter: MirrorSourceConfig and MirrorCheckpointConfig. */
    MM("topics", TYPE_LIST, false, ".*", "HIGH", SRC | CKP,
       "Topics to replicate. Supports comma-separated topic names and regexes.", CHECK_NONE, NULL),
    MM("topics.exclude", TYPE_LIST, false, ".*[\\-\\.]internal,.*\\.replica,__.*", "HIGH", SRC | CKP,
       "Excluded topics. Supports comma-separated topic names and regexes. Excludes take precedence over includes.",
       CHECK_NONE, NULL),
    MM("topics.blacklist", TYPE_LIST, false, NULL, "HIGH", SRC | CKP, "Deprecated. Use topics.exclude instead.",
       CHECK_NONE, NULL),
    {"topic.filter.class", TYPE_CLASS, false, "org.apache.kafka.connect.mirror.DefaultTopicFilter", "LOW", NULL, -1,
     "NONE", NULL, "TopicFilter to use. Selects topics to replicate.", SRC | CKP, CHECK_NONE, 0, topic_filter_classes,
     false},
    MM("offset-syncs.topic.location", TYPE_STRING, false, "source", "LOW", SRC | CKP,
       "The location (source/target) of the offset-syncs topic.", CHECK_ONE_OF, locations),
    MM("emit.offset-syncs.enabled", TYPE_BOOLEAN, false, "true", "LOW", SRC | CKP,
       "Whether to store the new offset of the replicated records in offset-syncs topic or not.", CHECK_NONE, NULL),
    MM("consumer.poll.timeout.ms", TYPE_LONG, false, "1000", "LOW", SRC | CKP, "Timeout when polling source cluster.",
       CHECK_NONE, NULL),

    /* MirrorSourceConfig. */
    MM("config.properties.exclude", TYPE_LIST, false,
       "follower\\.replication\\.throttled\\.replicas,leader\\.replication\\.throttled\\.replicas,"
       "message\\.timestamp\\.difference\\.max\\.ms,message\\.timestamp\\.type,"
       "unclean\\.leader\\.election\\.enable,min\\.insync\\.replicas",
       "HIGH", SRC,
       "Topic config properties that should not be replicated. Supports comma-separated property names "
       "and regexes.",
       CHECK_NONE, NULL),
    MM("config.properties.blacklist", TYPE_LIST, false, NULL, "HIGH", SRC,
       "Deprecated. Use config.properties.exclude instead.", CHECK_NONE, NULL),
    {"config.property.filter.class", TYPE_CLASS, false, "org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter",
     "LOW", NULL, -1, "NONE", NULL, "ConfigPropertyFilter to use. Selects topic config properties to replicate.", SRC,
     CHECK_NONE, 0, property_filter_classes, false},
    MM("use.defaults.from", TYPE_STRING, false, "target", "LOW", SRC,
       "Which cluster's defaults (source or target) to use when syncing topic configurations that have default "
       "values.",
       CHECK_NONE, NULL),
    MM("replication.factor", TYPE_INT, false, "2", "LOW", SRC, "Replication factor for newly created remote topics.",
       CHECK_NONE, NULL),
    MM("refresh.topics.enabled", TYPE_BOOLEAN, false, "true", "LOW", SRC,
       "Whether to periodically check for new topics and partitions.", CHECK_NONE, NULL),
    MM("refresh.topics.interval.seconds", TYPE_LONG, false, "600", "LOW", SRC, "Frequency of topic refresh.",
       CHECK_NONE, NULL),
    MM("sync.topic.configs.enabled", TYPE_BOOLEAN, false, "true", "LOW", SRC,
       "Whether to periodically configure remote topics to match their corresponding upstream topics.", CHECK_NONE,
       NULL),
    MM("sync.topic.configs.interval.seconds", TYPE_LONG, false, "600", "LOW", SRC, "Frequency of topic config sync.",
       CHECK_NONE, NULL),
    MM("sync.topic.acls.enabled", TYPE_BOOLEAN, false, "true", "LOW", SRC,
       "Whether to periodically configure remote topic ACLs to match their corresponding upstream topics.", CHECK_NONE,
       NULL),
    MM("sync.topic.acls.interval.seconds", TYPE_LONG, false, "600", "LOW", SRC, "Frequency of topic ACL sync.",
       CHECK_NONE, NULL),
    MM("offset-syncs.topic.replication.factor", TYPE_SHORT, false, "3", "LOW", SRC,
       "Replication factor for offset-syncs topic.", CHECK_NONE, NULL),
    MM("offset.lag.max", TYPE_LONG, false, "100", "LOW", SRC,
       "How out-of-sync a remote partition can be before it is resynced.", CHECK_NONE, NULL),
    MM("use.incremental.alter.configs", TYPE_STRING, false, "requested", "LOW", SRC,
       "Deprecated. Which API to use for syncing topic configs.", CHECK_ONE_OF, incremental_modes),
    MM("add.source.alias.to.metrics", TYPE_BOOLEAN, false, "false", "LOW", SRC,
       "Deprecated. Whether to tag metrics with the source cluster alias.", CHECK_NONE, NULL),

    /* MirrorCheckpointConfig. */
    MM("groups", TYPE_LIST, false, ".*", "HIGH", CKP,
       "Consumer groups to replicate. Supports comma-separated group IDs and regexes.", CHECK_NONE, NULL),
    MM("groups.exclude", TYPE_LIST, false, "console-consumer-.*,connect-.*,__.*", "HIGH", CKP,
       "Exclude groups. Supports comma-separated group IDs and regexes. Excludes take precedence over includes.",
       CHECK_NONE, NULL),
    MM("groups.blacklist", TYPE_LIST, false, NULL, "HIGH", CKP, "Deprecated. Use groups.exclude instead.", CHECK_NONE,
       NULL),
    {"group.filter.class", TYPE_CLASS, false, "org.apache.kafka.connect.mirror.DefaultGroupFilter", "LOW", NULL, -1,
     "NONE", NULL, "GroupFilter to use. Selects consumer groups to replicate.", CKP, CHECK_NONE, 0,
     group_filter_classes, false},
    MM("refresh.groups.enabled", TYPE_BOOLEAN, false, "true", "LOW", CKP,
       "Whether to periodically check for new consumer groups.", CHECK_NONE, NULL),
    MM("refresh.groups.interval.seconds", TYPE_LONG, false, "600", "LOW", CKP, "Frequency of group refresh.",
       CHECK_NONE, NULL),
    MM("emit.checkpoints.enabled", TYPE_BOOLEAN, false, "true", "LOW", CKP,
       "Whether to replicate consumer offsets to target cluster.", CHECK_NONE, NULL),
    MM("emit.checkpoints.interval.seconds", TYPE_LONG, false, "60", "LOW", CKP, "Frequency of checkpoints.", CHECK_NONE,
       NULL),
    MM("sync.group.offsets.enabled", TYPE_BOOLEAN, false, "false", "LOW", CKP,
       "Whether to periodically write the translated offsets to __consumer_offsets topic in target cluster, as "
       "long as no active consumers in that group are connected to the target cluster",
       CHECK_NONE, NULL),
    MM("sync.group.offsets.interval.seconds", TYPE_LONG, false, "60", "LOW", CKP,
       "Frequency of consumer group offset sync.", CHECK_NONE, NULL),
    MM("checkpoints.topic.replication.factor", TYPE_SHORT, false, "3", "LOW", CKP,
       "Replication factor for checkpoints topic.", CHECK_NONE, NULL),

    /* MirrorHeartbeatConfig. */
    MM("emit.heartbeats.enabled", TYPE_BOOLEAN, false, "true", "LOW", HB,
       "Whether to emit heartbeats to target cluster.", CHECK_NONE, NULL),
    MM("emit.heartbeats.interval.seconds", TYPE_LONG, false, "1", "LOW", HB, "Frequency of heartbeats.", CHECK_NONE,
       NULL),
    MM("heartbeats.topic.replication.factor", TYPE_SHORT, false, "3", "LOW", HB,
       "Replication factor for heartbeats topic.", CHECK_NONE, NULL),
};

#define N_KEY_DEFS (sizeof(key_defs) / sizeof(key_defs[0]))

/* Sorted by class name: the order GET /connector-plugins lists them in. */
static const struct kdr_connect_plugin plugins[] = {
    {"org.apache.kafka.connect.mirror.MirrorCheckpointConnector", "source", KDR_CONNECT_PLUGIN_CHECKPOINT},
    {"org.apache.kafka.connect.mirror.MirrorHeartbeatConnector", "source", KDR_CONNECT_PLUGIN_HEARTBEAT},
    {"org.apache.kafka.connect.mirror.MirrorSourceConnector", "source", KDR_CONNECT_PLUGIN_SOURCE},
};

#define N_PLUGINS (sizeof(plugins) / sizeof(plugins[0]))

static const char alias_suffix[] = "Connector";

static const char *simple_name(const char *class_name)
{
	const char *dot = strrchr(class_name, '.');

	return dot ? dot + 1 : class_name;
}

/* Whether `name` is `class_name`, its simple name, or the simple name without "Connector". */
static bool names_class(const char *name, const char *class_name)
{
	const char *simple = simple_name(class_name);
	size_t simple_len = strlen(simple);
	size_t suffix_len = sizeof(alias_suffix) - 1;

	if (!strcmp(name, class_name) || !strcmp(name, simple))
		return true;
	return simple_len > suffix_len && !strcmp(simple + simple_len - suffix_len, alias_suffix) &&
	       strlen(name) == simple_len - suffix_len && !strncmp(name, simple, simple_len - suffix_len);
}

const struct kdr_connect_plugin *kdr_connect_plugin_find(const char *name)
{
	size_t i = 0;

	for (i = 0; i < N_PLUGINS; i++)
		if (names_class(name, plugins[i].class_name))
			return &plugins[i];
	return NULL;
}

json_t *kdr_connect_plugins_list(void)
{
	json_t *list = json_array();
	size_t i = 0;

	for (i = 0; i < N_PLUGINS; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "class", plugins[i].class_name, "type",
						      plugins[i].type, "version", KDR_CONNECT_VERSION));
	return list;
}

static json_t *json_string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *key_definition(const struct key_def *def)
{
	json_t *obj = json_object();

	json_object_set_new(obj, "name", json_string(def->name));
	json_object_set_new(obj, "type", json_string(type_names[def->type]));
	json_object_set_new(obj, "required", json_boolean(def->required));
	json_object_set_new(obj, "default_value", json_string_or_null(def->default_value));
	json_object_set_new(obj, "importance", json_string(def->importance));
	json_object_set_new(obj, "documentation", json_string(def->doc));
	json_object_set_new(obj, "group", json_string_or_null(def->group));
	json_object_set_new(obj, "order", json_integer(def->order));
	json_object_set_new(obj, "width", json_string(def->width));
	json_object_set_new(obj, "display_name", json_string(def->display ? def->display : def->name));
	json_object_set_new(obj, "dependents", json_array());
	return obj;
}

json_t *kdr_connect_plugin_config_defs(const struct kdr_connect_plugin *plugin)
{
	json_t *list = json_array();
	size_t i = 0;

	for (i = 0; i < N_KEY_DEFS; i++)
		if (key_defs[i].plugins & (unsigned)plugin->kind)
			json_array_append_new(list, key_definition(&key_defs[i]));
	return list;
}

/* ConnectorPluginsResource.normalizedPluginName: drops a trailing "Connector". */
static size_t normalized_len(const char *name)
{
	size_t len = strlen(name);
	size_t suffix_len = sizeof(alias_suffix) - 1;

	if (len > suffix_len && !strcmp(name + len - suffix_len, alias_suffix))
		return len - suffix_len;
	return len;
}

bool kdr_connect_plugin_name_consistent(const char *included, const char *path)
{
	size_t included_len = normalized_len(included);
	size_t path_len = normalized_len(path);

	return included_len >= path_len && !strncmp(included + included_len - path_len, path, path_len);
}

/* Java's String.trim(): strips every char <= ' ' from both ends. A new heap string. */
static char *java_trim(const char *s)
{
	size_t len = strlen(s);

	while (len && (unsigned char)s[len - 1] <= ' ')
		len--;
	while (len && (unsigned char)*s <= ' ') {
		s++;
		len--;
	}
	return kdr_strndup(s, len);
}

/* Integer.parseInt / Short.parseShort / Long.parseLong on an already trimmed string. */
static bool java_parse_integer(long long *out, const char *s, long long min, long long max)
{
	const char *digits = (*s == '+' || *s == '-') ? s + 1 : s;
	char *end = NULL;
	long long value = 0;

	if (!*digits)
		return false;
	for (const char *p = digits; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	value = strtoll(s, &end, 10);
	if (errno == ERANGE || *end || value < min || value > max)
		return false;
	*out = value;
	return true;
}

static bool class_loadable(const struct key_def *def, const char *name, const char **resolved)
{
	size_t i = 0;

	for (i = 0; def->values && def->values[i]; i++) {
		if (!strcmp(name, def->values[i]) || (def->aliases && !strcmp(name, simple_name(def->values[i])))) {
			*resolved = def->values[i];
			return true;
		}
	}
	return false;
}

static bool one_of(const char *const *values, const char *s, bool case_insensitive)
{
	size_t i = 0;

	for (i = 0; values[i]; i++)
		if (case_insensitive ? !strcasecmp(values[i], s) : !strcmp(values[i], s))
			return true;
	return false;
}

static void join_values(struct kdr_buf *buf, const char *const *values)
{
	size_t i = 0;

	for (i = 0; values[i]; i++)
		kdr_buf_printf(buf, "%s%s", i ? ", " : "", values[i]);
}

/* Connect's ConfigException text: "Invalid value V for configuration K: M". */
static void add_invalid(json_t *errors, const char *key, const char *value, const char *message)
{
	char *text = kdr_asprintf("Invalid value %s for configuration %s: %s", value, key, message);

	json_array_append_new(errors, json_string(text));
	free(text);
}

/* LIST parsing splits on "\s*,\s*" (keeping empty items); the string form joins with ",". */
static char *normalize_list(const char *trimmed)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	const char *p = trimmed;

	if (!*trimmed)
		return kdr_strdup("");
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		kdr_buf_put(&buf, p, len);
		if (!comma)
			break;
		kdr_buf_putc(&buf, ',');
		p = comma + 1;
	}
	return kdr_buf_detach(&buf);
}

/*
 * Parses and checks one provided value. Appends Connect's error messages to
 * `errors` and returns the value's string form (a new heap string) as the
 * validation response shows it.
 */
static char *check_value(const struct key_def *def, const char *raw, json_t *errors)
{
	char *trimmed = java_trim(raw);
	char *shown = NULL;
	long long number = 0;
	const char *resolved = NULL;

	switch (def->type) {
	case TYPE_BOOLEAN:
		if (!strcasecmp(trimmed, "true") || !strcasecmp(trimmed, "false")) {
			shown = kdr_strdup(!strcasecmp(trimmed, "true") ? "true" : "false");
		} else {
			add_invalid(errors, def->name, raw, "Expected value to be either true or false");
			shown = kdr_strdup(raw);
		}
		break;
	case TYPE_INT:
	case TYPE_SHORT:
	case TYPE_LONG: {
		long long min = def->type == TYPE_INT ? INT_MIN : def->type == TYPE_SHORT ? SHRT_MIN : LLONG_MIN;
		long long max = def->type == TYPE_INT ? INT_MAX : def->type == TYPE_SHORT ? SHRT_MAX : LLONG_MAX;

		if (!java_parse_integer(&number, trimmed, min, max)) {
			char *message = kdr_asprintf("Not a number of type %s", type_names[def->type]);

			add_invalid(errors, def->name, raw, message);
			free(message);
			shown = kdr_strdup(raw);
			break;
		}
		shown = kdr_asprintf("%lld", number);
		if (def->check == CHECK_AT_LEAST && number < def->min) {
			char *message = kdr_asprintf("Value must be at least %ld", def->min);

			add_invalid(errors, def->name, shown, message);
			free(message);
		}
		break;
	}
	case TYPE_LIST:
		shown = normalize_list(trimmed);
		break;
	case TYPE_CLASS:
		if (class_loadable(def, trimmed, &resolved)) {
			shown = kdr_strdup(resolved);
		} else {
			char *message = kdr_asprintf("Class %s could not be found.", trimmed);

			add_invalid(errors, def->name, raw, message);
			free(message);
			shown = kdr_strdup(raw);
		}
		break;
	case TYPE_PASSWORD:
		shown = kdr_strdup("[hidden]");
		break;
	case TYPE_STRING:
		shown = kdr_strdup(trimmed);
		if ((def->check == CHECK_ONE_OF || def->check == CHECK_ONE_OF_CI) &&
		    !one_of(def->values, trimmed, def->check == CHECK_ONE_OF_CI)) {
			struct kdr_buf message = KDR_BUF_INIT;

			kdr_buf_puts(&message, def->check == CHECK_ONE_OF_CI
						   ? "String must be one of (case insensitive): "
						   : "String must be one of: ");
			join_values(&message, def->values);
			add_invalid(errors, def->name, trimmed, message.ptr);
			kdr_buf_release(&message);
		} else if (def->check == CHECK_NAME) {
			struct kdr_buf controls = KDR_BUF_INIT;

			for (const char *p = trimmed; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f)
					kdr_buf_printf(&controls, "%s%d", controls.len ? ", " : "", *p);
			if (!*trimmed) {
				add_invalid(errors, def->name, trimmed, "String may not be empty");
			} else if (controls.len) {
				char *message = kdr_asprintf("String may not contain control sequences but had the "
							     "following ASCII chars: %s",
							     controls.ptr);

				add_invalid(errors, def->name, trimmed, message);
				free(message);
			}
			kdr_buf_release(&controls);
		}
		break;
	}
	free(trimmed);
	return shown;
}

static json_t *config_value(const char *name, const char *value, json_t *errors)
{
	return json_pack("{s:s, s:o, s:[], s:o, s:b}", "name", name, "value", json_string_or_null(value),
			 "recommended_values", "errors", errors, "visible", 1);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "{k1=v1, k2=v2}", as Java prints the config map in "contains no connector type". */
static char *java_map_string(const json_t *config)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	const char **keys = kdr_calloc(json_object_size(config) + 1, sizeof(*keys));
	const char *key = NULL;
	json_t *value = NULL;
	size_t n = 0, i = 0;

	json_object_foreach((json_t *)config, key, value) keys[n++] = key;
	qsort(keys, n, sizeof(*keys), compare_strings);
	kdr_buf_putc(&buf, '{');
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(json_object_get(config, keys[i]));

		kdr_buf_printf(&buf, "%s%s=%s", i ? ", " : "", keys[i], s ? s : "null");
	}
	kdr_buf_putc(&buf, '}');
	free(keys);
	return kdr_buf_detach(&buf);
}

static const char null_value_error[] = "Null value can not be supplied as the configuration value.";

static bool defines(const struct key_def *def, const struct kdr_connect_plugin *plugin)
{
	return (def->plugins & (unsigned)plugin->kind) != 0;
}

static bool plugin_defines(const struct kdr_connect_plugin *plugin, const char *key)
{
	size_t i = 0;

	for (i = 0; i < N_KEY_DEFS; i++)
		if (defines(&key_defs[i], plugin) && !strcmp(key_defs[i].name, key))
			return true;
	return false;
}

/* MirrorCheckpointConfig.validate (3.9): rules over several keys, checked on the raw strings. */
static void checkpoint_rules(const struct key_def *def, const json_t *config, json_t *errors)
{
	const char *enabled = json_string_value(json_object_get(config, "enabled"));
	const char *raw = json_string_value(json_object_get(config, def->name));

	if (enabled && !strcmp(enabled, "false"))
		return;
	if (!raw || strcmp(raw, "false"))
		return;
	if (!strcmp(def->name, "emit.checkpoints.enabled"))
		json_array_append_new(errors, json_string("MirrorCheckpointConnector can't run with "
							  "emit.checkpoints.enabled set to false"));
	else if (!strcmp(def->name, "emit.offset-syncs.enabled"))
		json_array_append_new(errors, json_string("MirrorCheckpointConnector can't run without offset syncs"));
}

static char *no_plugin_message(const char *class_name)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	size_t i = 0;

	kdr_buf_printf(&buf,
		       "Failed to find any class that implements Connector and which name matches %s, available "
		       "connectors are: ",
		       class_name);
	for (i = 0; i < N_PLUGINS; i++)
		kdr_buf_printf(&buf,
			       "%sPluginDesc{klass=class %s, name='%s', version='%s', encodedVersion=%s, type=%s, "
			       "typeName='%s', location='classpath'}",
			       i ? ", " : "", plugins[i].class_name, plugins[i].class_name, KDR_CONNECT_VERSION,
			       KDR_CONNECT_VERSION, plugins[i].type, plugins[i].type);
	return kdr_buf_detach(&buf);
}

int kdr_connect_plugins_validate(json_t **out, int *error_count, char **message, const json_t *config)
{
	const char *class_name = json_string_value(json_object_get(config, "connector.class"));
	const struct kdr_connect_plugin *plugin = NULL;
	json_t *configs = NULL;
	json_t *groups = NULL;
	const char *key = NULL;
	json_t *value = NULL;
	int count = 0;
	size_t i = 0;

	*out = NULL;
	*error_count = 0;
	*message = NULL;
	if (!class_name) {
		char *map = java_map_string(config);

		*message = kdr_asprintf("Connector config %s contains no connector type", map);
		free(map);
		return KDR_EINVALID;
	}
	plugin = kdr_connect_plugin_find(class_name);
	if (!plugin) {
		*message = no_plugin_message(class_name);
		return KDR_EINVALID;
	}

	configs = json_array();
	groups = json_array();
	/* Null values of keys no ConfigDef defines come first, as generateResult lists them. */
	json_object_foreach((json_t *)config, key, value)
	{
		if (json_is_null(value) && !plugin_defines(plugin, key)) {
			json_array_append_new(configs,
					      json_pack("{s:n, s:o}", "definition", "value",
							config_value(key, NULL, json_pack("[s]", null_value_error))));
			count++;
		}
	}
	for (i = 0; i < N_KEY_DEFS; i++) {
		const struct key_def *def = &key_defs[i];
		json_t *raw = NULL;
		json_t *errors = NULL;
		char *shown = NULL;

		if (!defines(def, plugin))
			continue;
		if (def->group) {
			size_t g = 0;
			bool seen = false;

			for (g = 0; g < json_array_size(groups); g++)
				seen = seen || !strcmp(json_string_value(json_array_get(groups, g)), def->group);
			if (!seen)
				json_array_append_new(groups, json_string(def->group));
		}
		raw = json_object_get(config, def->name);
		errors = json_array();
		if (!raw) {
			shown = kdr_strdup(def->default_value);
			if (def->required) {
				char *missing =
				    kdr_asprintf("Missing required configuration \"%s\" which has no default "
						 "value.",
						 def->name);

				json_array_append_new(errors, json_string(missing));
				free(missing);
			}
		} else if (json_is_null(raw)) {
			json_array_append_new(errors, json_string(null_value_error));
		} else {
			shown = check_value(def, json_string_value(raw), errors);
		}
		if (plugin->kind == KDR_CONNECT_PLUGIN_CHECKPOINT)
			checkpoint_rules(def, config, errors);
		count += (int)json_array_size(errors);
		json_array_append_new(configs, json_pack("{s:o, s:o}", "definition", key_definition(def), "value",
							 config_value(def->name, shown, errors)));
		free(shown);
	}
	*out = json_pack("{s:s, s:i, s:o, s:o}", "name", class_name, "error_count", count, "groups", groups, "configs",
			 configs);
	*error_count = count;
	return 0;
}

char *kdr_connect_plugins_error_message(const json_t *infos)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	const json_t *configs = json_object_get(infos, "configs");
	size_t i = 0, j = 0;

	kdr_buf_printf(&buf, "Connector configuration is invalid and contains the following %d error(s):",
		       (int)json_integer_value(json_object_get(infos, "error_count")));
	for (i = 0; i < json_array_size(configs); i++) {
		const json_t *errors = json_object_get(json_object_get(json_array_get(configs, i), "value"), "errors");

		for (j = 0; j < json_array_size(errors); j++)
			kdr_buf_printf(&buf, "\n%s", json_string_value(json_array_get(errors, j)));
	}
	kdr_buf_puts(&buf, "\nYou can also find the above list of errors at the endpoint "
			   "`/connector-plugins/{connectorType}/config/validate`");
	return kdr_buf_detach(&buf);
}

/* A boolean key of a valid config, parsed as ConfigDef does (trimmed, any case). */
static bool config_bool(const struct kdr_strmap *config, const char *key, bool fallback)
{
	const char *raw = kdr_strmap_get(config, key);
	char *trimmed = NULL;
	bool value = fallback;

	if (!raw)
		return fallback;
	trimmed = java_trim(raw);
	if (!strcasecmp(trimmed, "true"))
		value = true;
	else if (!strcasecmp(trimmed, "false"))
		value = false;
	free(trimmed);
	return value;
}

size_t kdr_connect_plugin_task_count(const struct kdr_connect_plugin *plugin, const struct kdr_strmap *config)
{
	const char *raw = kdr_strmap_get(config, "tasks.max");
	long long tasks_max = 1;

	if (raw) {
		char *trimmed = java_trim(raw);

		if (!java_parse_integer(&tasks_max, trimmed, 1, INT_MAX))
			tasks_max = 1;
		free(trimmed);
	}
	if (!config_bool(config, "enabled", true))
		return 0;
	switch (plugin->kind) {
	case KDR_CONNECT_PLUGIN_SOURCE:
		/* MM2: min(tasks.max, #partitions); this worker sees no data, so tasks.max. */
		return (size_t)tasks_max;
	case KDR_CONNECT_PLUGIN_CHECKPOINT:
		/* MM2: min(tasks.max, #groups); likewise tasks.max. */
		return config_bool(config, "emit.checkpoints.enabled", true) ? (size_t)tasks_max : 0;
	case KDR_CONNECT_PLUGIN_HEARTBEAT:
		return config_bool(config, "emit.heartbeats.enabled", true) ? 1 : 0;
	}
	return 0;
}

const char *kdr_connect_plugin_task_class(const struct kdr_connect_plugin *plugin)
{
	switch (plugin->kind) {
	case KDR_CONNECT_PLUGIN_SOURCE:
		return "org.apache.kafka.connect.mirror.MirrorSourceTask";
	case KDR_CONNECT_PLUGIN_CHECKPOINT:
		return "org.apache.kafka.connect.mirror.MirrorCheckpointTask";
	case KDR_CONNECT_PLUGIN_HEARTBEAT:
		return "org.apache.kafka.connect.mirror.MirrorHeartbeatTask";
	}
	return "";
}
