/* restore --broker-configs: brokers.json read back and compared with the cluster (backup.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dr/backup.h"
#include "dr/dr_internal.h"
#include "util/alloc.h"
#include "util/error.h"

/* An object of strings into `out`; "(redacted)" becomes NULL, as Kafka reports a sensitive value. */
static int read_configs(struct kdr_strmap *out, json_t *obj, const char *label, const char *broker)
{
	const char *key = NULL;
	json_t *value = NULL;

	if (obj && !json_is_object(obj))
		return kdr_error_set(KDR_EINVALID, "%s: broker %s: not an object of configs", label, broker);
	json_object_foreach(obj, key, value) {
		if (!json_is_string(value))
			return kdr_error_set(KDR_EINVALID, "%s: broker %s: config '%s': not a string", label, broker, key);
		kdr_strmap_set(out, key, strcmp(json_string_value(value), KDR_REDACTED) == 0 ? NULL : json_string_value(value));
	}
	return 0;
}

static const struct kdr_dr__backup_file brokers_file = { "brokers.json", "kdrBrokerConfigs", "brokers", JSON_OBJECT,
							 "kdrBrokerConfigs 1 with brokers" };

int kdr_dr_backup_brokers_decode(struct kdr_live_cluster *out, const char *text, size_t len, const char *label)
{
	json_t *root = NULL, *brokers = NULL, *entry = NULL;
	const char *id = NULL;
	int rc = kdr_dr__backup_file_load(&root, &brokers, text, len, label, &brokers_file);

	if (rc != 0)
		return rc;
	json_object_foreach(brokers, id, entry) {
		char *end = NULL;
		long n = strtol(id, &end, 10);
		struct kdr_live_broker *broker = NULL;

		if (!*id || *end || n < 0 || n > INT32_MAX || !json_is_object(entry)) {
			rc = kdr_error_set(KDR_EINVALID, "%s: brokers: '%s' is not a broker id with an object", label, id);
			break;
		}
		broker = kdr_live_cluster_add_broker(out, (int32_t)n, NULL, 0,
						     json_string_value(json_object_get(entry, "rack")));
		if ((rc = read_configs(&broker->dynamic_configs, json_object_get(entry, "dynamic"), label, id)) != 0 ||
		    (rc = read_configs(&broker->default_configs, json_object_get(entry, "clusterDefault"), label, id)) != 0)
			break;
	}
	kdr_live_cluster_sort(out);
	json_decref(root);
	return rc;
}

static void add_row(struct kdr_dr_restore_brokers *out, size_t *cap, const char *broker, const char *key,
		    const char *value, const char *current, enum kdr_dr_broker_verdict verdict, char *reason_take)
{
	struct kdr_dr_broker_row *row = NULL;

	out->rows = kdr_grow(out->rows, cap, out->n + 1, sizeof(*out->rows));
	row = &out->rows[out->n++];
	memset(row, 0, sizeof(*row));
	row->broker = kdr_strdup(broker);
	row->key = kdr_strdup(key);
	row->value = kdr_strdup(value);
	row->current = kdr_strdup(current);
	row->verdict = verdict;
	row->reason = reason_take;
}

/* One config resource: the backup's set `want` against the live set `have` (NULL: the broker is missing). */
static void decide_resource(struct kdr_dr_restore_brokers *out, size_t *cap, size_t *cap_sets, const char *broker,
			    const char *what, const struct kdr_strmap *want, const struct kdr_strmap *have)
{
	size_t first = out->n, to_set = 0;
	const char *unknown = NULL;

	for (size_t i = 0; i < want->n; i++) {
		const struct kdr_strmap_entry *e = &want->v[i];
		const char *current = have ? kdr_strmap_get(have, e->key) : NULL;

		if (!have)
			add_row(out, cap, broker, e->key, e->value, NULL, KDR_DR_BROKER_SKIPPED,
				kdr_asprintf("%s does not exist on this cluster", what));
		else if (!e->value)
			add_row(out, cap, broker, e->key, NULL, current, KDR_DR_BROKER_SKIPPED,
				kdr_strdup("sensitive: Kafka returns no value, so the backup has none; set it by hand "
					   "(kafka-configs.sh --alter --add-config)"));
		else if (current && strcmp(current, e->value) == 0)
			add_row(out, cap, broker, e->key, e->value, current, KDR_DR_BROKER_UNCHANGED, NULL);
		else {
			add_row(out, cap, broker, e->key, e->value, current, KDR_DR_BROKER_SET, NULL);
			to_set++;
		}
	}
	for (size_t i = 0; have && i < have->n && !unknown; i++)
		if (!have->v[i].value)
			unknown = have->v[i].key;
	if (to_set && unknown) {
		/* AlterConfigs replaces the set: a sensitive value Kafka does not return could not be sent back. */
		for (size_t r = first; r < out->n; r++)
			if (out->rows[r].verdict == KDR_DR_BROKER_SET) {
				out->rows[r].verdict = KDR_DR_BROKER_REFUSED;
				out->rows[r].reason = kdr_asprintf(
				    "%s has the sensitive dynamic config '%s', whose value Kafka does not return: "
				    "AlterConfigs (librdkafka 2.0.2 has no incremental variant) would remove it; set "
				    "this key by hand",
				    what, unknown);
				out->n_refused++;
			}
		return;
	}
	if (to_set) {
		struct kdr_dr_broker_set *set = NULL;

		out->sets = kdr_grow(out->sets, cap_sets, out->n_sets + 1, sizeof(*out->sets));
		set = &out->sets[out->n_sets++];
		memset(set, 0, sizeof(*set));
		set->broker = kdr_strdup(broker);
		kdr_strmap_copy(&set->config, have);
		for (size_t r = first; r < out->n; r++)
			if (out->rows[r].verdict == KDR_DR_BROKER_SET)
				kdr_strmap_set(&set->config, out->rows[r].key, out->rows[r].value);
		out->n_set += to_set;
	}
}

void kdr_dr_restore_brokers_decide(struct kdr_dr_restore_brokers *out, const struct kdr_live_cluster *backup,
				   const struct kdr_live_cluster *live)
{
	struct kdr_strmap defaults = { 0 };
	size_t cap = 0, cap_sets = 0;

	memset(out, 0, sizeof(*out));
	/* The cluster-wide defaults: every broker of the backup reports the same set. */
	for (size_t b = 0; b < backup->n_brokers; b++)
		for (size_t i = 0; i < backup->brokers[b].default_configs.n; i++)
			kdr_strmap_set(&defaults, backup->brokers[b].default_configs.v[i].key,
				       backup->brokers[b].default_configs.v[i].value);
	decide_resource(out, &cap, &cap_sets, "", "the cluster default", &defaults,
			live->n_brokers ? &live->brokers[0].default_configs : NULL);
	for (size_t b = 0; b < backup->n_brokers; b++) {
		const struct kdr_live_broker *have = kdr_live_broker_find(live, backup->brokers[b].id);
		char id[16], what[32];

		snprintf(id, sizeof(id), "%d", (int)backup->brokers[b].id);
		snprintf(what, sizeof(what), "broker %d", (int)backup->brokers[b].id);
		decide_resource(out, &cap, &cap_sets, id, what, &backup->brokers[b].dynamic_configs,
				have ? &have->dynamic_configs : NULL);
	}
	for (size_t i = 0; i < out->n; i++)
		out->n_skipped += out->rows[i].verdict == KDR_DR_BROKER_SKIPPED;
	kdr_strmap_release(&defaults);
}

void kdr_dr_restore_brokers_release(struct kdr_dr_restore_brokers *brokers)
{
	for (size_t i = 0; i < brokers->n; i++) {
		free(brokers->rows[i].broker);
		free(brokers->rows[i].key);
		free(brokers->rows[i].value);
		free(brokers->rows[i].current);
		free(brokers->rows[i].reason);
	}
	for (size_t i = 0; i < brokers->n_sets; i++) {
		free(brokers->sets[i].broker);
		kdr_strmap_release(&brokers->sets[i].config);
	}
	free(brokers->rows);
	free(brokers->sets);
	memset(brokers, 0, sizeof(*brokers));
}
