/* Reading a backup's connectors.json back (backup.h). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "dr/backup.h"
#include "dr/dr_internal.h"
#include "util/alloc.h"
#include "util/error.h"

static int read_connector(struct kdr_live_connector *out, json_t *entry, size_t i, const char *label)
{
	const char *name = json_string_value(json_object_get(entry, "name"));
	const char *type = json_string_value(json_object_get(entry, "type"));
	json_t *config = json_object_get(entry, "config"), *value = NULL;
	const char *key = NULL;

	if (!name || !*name || !json_is_object(config))
		return kdr_error_set(KDR_EINVALID, "%s: connectors[%zu]: needs a name and a config object", label, i);
	out->name = kdr_strdup(name);
	out->type = type ? kdr_strdup(type) : NULL;
	json_object_foreach(config, key, value) {
		if (!json_is_string(value))
			return kdr_error_set(KDR_EINVALID, "%s: connector '%s': config '%s': not a string", label, name, key);
		kdr_strmap_set(&out->config, key, json_string_value(value));
	}
	return 0;
}

static const struct kdr_dr__backup_file connectors_file = { "connectors.json", "kdrConnectors", "connectors",
							     JSON_ARRAY, "kdrConnectors 1 with a connectors list" };

int kdr_dr_backup_connectors_decode(struct kdr_live_connect *out, const char *text, size_t len, const char *label)
{
	json_t *root = NULL, *list = NULL, *entry = NULL;
	size_t i = 0;
	int rc = kdr_dr__backup_file_load(&root, &list, text, len, label, &connectors_file);

	if (rc != 0)
		return rc;
	out->present = json_is_true(json_object_get(root, "connectRead"));
	out->connectors = kdr_calloc(json_array_size(list) + 1, sizeof(*out->connectors));
	json_array_foreach(list, i, entry) {
		rc = read_connector(&out->connectors[out->n_connectors++], entry, i, label);
		if (rc == 0 && out->n_connectors > 1 &&
		    strcmp(out->connectors[out->n_connectors - 2].name, out->connectors[out->n_connectors - 1].name) >= 0)
			rc = kdr_error_set(KDR_EINVALID, "%s: connectors[%zu]: not sorted by name, or named twice", label, i);
		if (rc != 0)
			break;
	}
	if (rc != 0) {
		for (size_t c = 0; c < out->n_connectors; c++)
			kdr_live_connector_release(&out->connectors[c]);
		free(out->connectors);
		memset(out, 0, sizeof(*out));
	}
	json_decref(root);
	return rc;
}
