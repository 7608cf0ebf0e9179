/*
 * Status through the status subresource (kstatus conditions): built from
 * what the controller decided, compared with what the object has, written
 * only when it differs. lastTransitionTime moves only when a condition's
 * status flips, as apimachinery's meta.SetStatusCondition does.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s/k8s.h"
#include "k8s/k8s_internal.h"
#include "util/alloc.h"
#include "util/error.h"

void kdr_k8s_time(char out[KDR_CLOCK_UTC_SIZE], int64_t unix_ms)
{
	kdr_clock_utc(out, unix_ms * 1000000, 0);
}

static const json_t *old_condition(const json_t *old_status, const char *type)
{
	size_t i = 0;
	json_t *cond = NULL;

	json_array_foreach(json_object_get(old_status, "conditions"), i, cond) {
		const char *t = json_string_value(json_object_get(cond, "type"));

		if (t && strcmp(t, type) == 0)
			return cond;
	}
	return NULL;
}

json_t *kdr_k8s_status_build(const json_t *old_status, int64_t generation, const struct kdr_k8s_condition *conditions,
			     size_t n_conditions, json_t *extra, const char *now)
{
	json_t *status = json_object(), *list = json_array();
	const char *key = NULL;
	json_t *value = NULL;

	json_object_set_new(status, "observedGeneration", json_integer(generation));
	for (size_t i = 0; i < n_conditions; i++) {
		const struct kdr_k8s_condition *c = &conditions[i];
		const json_t *old = old_condition(old_status, c->type);
		const char *old_value = json_string_value(json_object_get(old, "status"));
		const char *old_time = json_string_value(json_object_get(old, "lastTransitionTime"));
		const char *value_text = c->status ? "True" : "False";
		json_t *cond = json_object();

		json_object_set_new(cond, "type", json_string(c->type));
		json_object_set_new(cond, "status", json_string(value_text));
		json_object_set_new(cond, "reason", json_string(c->reason));
		json_object_set_new(cond, "message", json_string(c->message ? c->message : ""));
		json_object_set_new(cond, "observedGeneration", json_integer(generation));
		json_object_set_new(cond, "lastTransitionTime",
				    json_string(old_value && old_time && strcmp(old_value, value_text) == 0 ? old_time
													     : now));
		json_array_append_new(list, cond);
	}
	json_object_set_new(status, "conditions", list);
	json_object_foreach(extra, key, value)
		json_object_set(status, key, value);
	json_decref(extra);
	return status;
}

int kdr_k8s_status_write(struct kdr_k8s_client *client, const json_t *object, const char *resource,
			 const json_t *status, bool *written)
{
	const json_t *meta = json_object_get(object, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	const json_t *current = json_object_get(object, "status");
	json_t *patch = NULL;
	char *path = NULL, *body = NULL;
	int rc = 0;

	*written = false;
	if (!name)
		return kdr_error_set(KDR_EINVALID, "kubernetes: an object without a name");
	if (current && json_equal((json_t *)current, (json_t *)status))
		return 0;
	/* A merge patch replaces lists whole and sets every key kdr manages; null clears the others. */
	patch = json_object();
	{
		json_t *st = json_deep_copy(status);
		const char *key = NULL;
		json_t *value = NULL;

		json_object_foreach((json_t *)current, key, value)
			if (!json_object_get(st, key))
				json_object_set_new(st, key, json_null());
		json_object_set_new(patch, "status", st);
	}
	body = json_dumps(patch, JSON_COMPACT);
	path = ns ? kdr_asprintf("%s/namespaces/%s/%s/%s/status", KDR_K8S_API_PATH, ns, resource, name)
		  : kdr_asprintf("%s/%s/%s/status", KDR_K8S_API_PATH, resource, name);
	rc = kdr_k8s_request(client, NULL, NULL, "PATCH", path, "application/merge-patch+json", body);
	if (rc == 0)
		*written = true;
	free(body);
	free(path);
	json_decref(patch);
	return rc;
}

int kdr_k8s_event(struct kdr_k8s_client *client, const json_t *object, const char *type, const char *reason,
		  const char *note, const char *instance)
{
	const json_t *meta = json_object_get(object, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	json_t *event = json_object(), *em = json_object(), *regarding = json_object();
	char *path = NULL, *body = NULL, *prefix = NULL;
	char now[KDR_CLOCK_UTC_SIZE];
	int rc = 0;

	if (!ns || !name) {
		json_decref(event);
		json_decref(em);
		json_decref(regarding);
		return kdr_error_set(KDR_EINVALID, "kubernetes: an event needs a namespaced object");
	}
	kdr_k8s__micro_time(now);
	/* As client-go names them: the object's name and the time in hex nanoseconds. */
	prefix = kdr_asprintf("%s.%llx", name, (unsigned long long)kdr_clock_wall_ns());
	json_object_set_new(em, "name", json_string(prefix));
	json_object_set_new(em, "namespace", json_string(ns));
	json_object_set_new(event, "apiVersion", json_string("events.k8s.io/v1"));
	json_object_set_new(event, "kind", json_string("Event"));
	json_object_set_new(event, "metadata", em);
	json_object_set_new(event, "eventTime", json_string(now));
	json_object_set_new(event, "reportingController", json_string("kdr.io/kdr"));
	json_object_set_new(event, "reportingInstance", json_string(instance && instance[0] ? instance : "kdr"));
	json_object_set_new(event, "action", json_string("Reconcile"));
	json_object_set_new(event, "type", json_string(type));
	json_object_set_new(event, "reason", json_string(reason));
	json_object_set_new(event, "note", json_stringn(note ? note : "", note && strlen(note) > 1024 ? 1024 : note ? strlen(note) : 0));
	json_object_set(regarding, "apiVersion", json_object_get(object, "apiVersion"));
	json_object_set(regarding, "kind", json_object_get(object, "kind"));
	json_object_set_new(regarding, "namespace", json_string(ns));
	json_object_set_new(regarding, "name", json_string(name));
	if (json_object_get(meta, "uid"))
		json_object_set(regarding, "uid", json_object_get(meta, "uid"));
	json_object_set_new(event, "regarding", regarding);
	body = json_dumps(event, JSON_COMPACT);
	path = kdr_asprintf("/apis/events.k8s.io/v1/namespaces/%s/events", ns);
	rc = kdr_k8s_request(client, NULL, NULL, "POST", path, NULL, body);
	free(path);
	free(body);
	free(prefix);
	json_decref(event);
	return rc;
}
