#ifndef KDR_SANDBOX_CONNECT_PLUGINS_H
#define KDR_SANDBOX_CONNECT_PLUGINS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/strmap.h"

/*
 * The connector plugins this worker has "installed" (the three MirrorMaker 2
 * connectors) and Connect's preflight validation of a connector config
 * against their ConfigDefs: types, required keys, ranges, enumerations, known
 * classes, plus MM2's own multi-key rules. Private to the sandbox.
 */

/* Plugin kinds, usable as a bitmask of "which plugins define this key". */
enum kdr_connect_plugin_kind {
	KDR_CONNECT_PLUGIN_SOURCE = 1,
	KDR_CONNECT_PLUGIN_CHECKPOINT = 2,
	KDR_CONNECT_PLUGIN_HEARTBEAT = 4,
};

struct kdr_connect_plugin {
	const char *class_name; /* fully qualified */
	const char *type;	/* "source" or "sink", as PluginInfo reports it */
	enum kdr_connect_plugin_kind kind;
};

/* The version every plugin and the worker report (GET / and GET /connector-plugins). */
#define KDR_CONNECT_VERSION "3.9.0"

/*
 * The plugin `name` designates, resolved the way Connect's Plugins resolves
 * connector.class: the fully qualified class name, the simple class name, or
 * the simple name without its "Connector" suffix (case-sensitive). Lent
 * (static), or NULL when no plugin matches.
 */
const struct kdr_connect_plugin *kdr_connect_plugin_find(const char *name);

/* GET /connector-plugins: a new array of {"class","type","version"}, sorted by class. */
json_t *kdr_connect_plugins_list(void);

/*
 * GET /connector-plugins/{plugin}/config: a new array of ConfigKeyInfo
 * objects for `plugin`'s config definition.
 */
json_t *kdr_connect_plugin_config_defs(const struct kdr_connect_plugin *plugin);

/*
 * Whether the connector.class `included` in a validate request is consistent
 * with the `{plugin}` path segment (ConnectorPluginsResource's check: both
 * names lose a trailing "Connector", then `included` must end with `path`).
 */
bool kdr_connect_plugin_name_consistent(const char *included, const char *path);

/*
 * Validates `config` (a JSON object whose values are strings or null) the way
 * Connect's AbstractHerder.validateConnectorConfig does. On success returns 0
 * with `*out` a new ConfigInfos object ({"name","error_count","groups",
 * "configs"}) and `*error_count` its error count (0: valid). Returns
 * KDR_EINVALID, with `*message` a new heap string holding Connect's 400
 * message, when the request itself is unusable: no connector.class, or a
 * class no installed plugin matches.
 */
int kdr_connect_plugins_validate(json_t **out, int *error_count, char **message, const json_t *config);

/*
 * Connect's 400 message for an invalid config ("Connector configuration is
 * invalid and contains the following N error(s): ..."), built from the
 * ConfigInfos `infos` returned by kdr_connect_plugins_validate. A new heap
 * string.
 */
char *kdr_connect_plugins_error_message(const json_t *infos);

/*
 * The number of tasks `plugin` generates for a (valid) `config` on a worker
 * that sees no topics or groups: tasks.max for the source and checkpoint
 * connectors, 1 for the heartbeat connector, 0 when the connector or its
 * emission is disabled.
 */
size_t kdr_connect_plugin_task_count(const struct kdr_connect_plugin *plugin, const struct kdr_strmap *config);

/* The Java class name of the plugin's task (what Connect adds as "task.class"). */
const char *kdr_connect_plugin_task_class(const struct kdr_connect_plugin *plugin);

#endif
