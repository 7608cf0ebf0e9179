/*
 * The kdr kinds as Kubernetes objects: the same documents the dir and Git
 * sources read, parsed by pkg/spec and validated by pkg/validate, with
 * secretKeyRef resolved from Secrets in the object's own namespace.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/k8s.h"
#include "k8s/k8s_internal.h"
#include "spec/spec.h"
#include "util/alloc.h"
#include "util/error.h"
#include "resolve/resolve.h"
#include "validate/validate.h"

static const struct kdr_k8s_kind kinds[] = {
	{ "KafkaCluster", "kafkaclusters" },
	{ "ReplicationFlow", "replicationflows" },
	{ "TopicPolicy", "topicpolicies" },
	{ "AccessPolicy", "accesspolicies" },
};

const struct kdr_k8s_kind *kdr_k8s_kinds(size_t *n)
{
	*n = sizeof(kinds) / sizeof(kinds[0]);
	return kinds;
}

char *kdr_k8s_collection_path(const char *api_path, const char *namespace, const char *resource)
{
	if (namespace && namespace[0])
		return kdr_asprintf("%s/namespaces/%s/%s", api_path, namespace, resource);
	return kdr_asprintf("%s/%s", api_path, resource);
}

/* A secretKeyRef is looked up in the object's namespace: "ns/name". */
static void qualify(struct kdr_value *value, const char *namespace)
{
	char *ref = NULL;

	if (value->kind != KDR_VALUE_SECRET_KEY_REF || !namespace || !value->ref || strchr(value->ref, '/'))
		return;
	ref = kdr_asprintf("%s/%s", namespace, value->ref);
	free(value->ref);
	value->ref = ref;
}

static void qualify_secrets(struct kdr_desired *desired, size_t first_cluster)
{
	for (size_t i = first_cluster; i < desired->n_clusters; i++) {
		struct kdr_cluster *cl = &desired->clusters[i];

		for (size_t k = 0; k < cl->client_config.n; k++)
			qualify(&cl->client_config.v[k].value, cl->meta.namespace);
		qualify(&cl->connect.token, cl->meta.namespace);
		qualify(&cl->connect.username, cl->meta.namespace);
		qualify(&cl->connect.password, cl->meta.namespace);
	}
}

int kdr_k8s_parse_objects(struct kdr_desired *into, const json_t *objects, struct kdr_diags *diags)
{
	size_t errors = diags->errors, first_cluster = into->n_clusters, i = 0;
	json_t *object = NULL;

	json_array_foreach(objects, i, object) {
		json_t *copy = json_deep_copy(object);
		char *key = kdr_k8s__object_key(object), *label = NULL, *text = NULL;
		const char *kind = json_string_value(json_object_get(object, "kind"));

		/* What kdr writes and the server keeps is not the user's document. */
		json_object_del(copy, "status");
		label = kdr_asprintf("%s %s", kind ? kind : "object", key);
		text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
		kdr_spec_parse_json(into, label, text, strlen(text), diags);
		free(text);
		free(label);
		free(key);
		json_decref(copy);
	}
	qualify_secrets(into, first_cluster);
	return diags->errors > errors ? KDR_EINVALID : 0;
}

int kdr_k8s_secret_lookup(char **out, const char *secret_name, const char *key, void *ctx)
{
	struct kdr_k8s_client *client = ctx;
	const char *slash = strchr(secret_name, '/');
	char *ns = NULL, *path = NULL;
	json_t *secret = NULL;
	const char *data = NULL;
	unsigned char *bytes = NULL;
	size_t len = 0;
	int rc = 0;

	*out = NULL;
	ns = slash ? kdr_strndup(secret_name, (size_t)(slash - secret_name))
		   : kdr_strdup(kdr_k8s_client_namespace(client));
	path = kdr_asprintf("/api/v1/namespaces/%s/secrets/%s", ns, slash ? slash + 1 : secret_name);
	rc = kdr_k8s_request(client, &secret, NULL, "GET", path, NULL, NULL);
	if (rc == KDR_ENOTFOUND) {
		rc = kdr_error_set(KDR_ENOTFOUND, "secret '%s/%s' not found", ns, slash ? slash + 1 : secret_name);
		goto cleanup;
	}
	if (rc != 0)
		goto cleanup;
	data = json_string_value(json_object_get(json_object_get(secret, "data"), key));
	if (!data) {
		rc = kdr_error_set(KDR_ENOTFOUND, "secret '%s/%s' has no key '%s'", ns, slash ? slash + 1 : secret_name,
				   key);
		goto cleanup;
	}
	bytes = kdr_k8s__base64_decode(data, &len);
	if (!bytes || memchr(bytes, '\0', len)) {
		rc = kdr_error_set(KDR_EINVALID, "secret '%s/%s' key '%s' is not text", ns,
				   slash ? slash + 1 : secret_name, key);
		if (bytes)
			memset(bytes, 0, len);
		free(bytes);
		goto cleanup;
	}
	*out = (char *)bytes;
cleanup:
	if (secret) {
		/* The body held the secret in base64; jansson frees it, so wipe what we can reach. */
		json_t *all = json_object_get(secret, "data");
		const char *k = NULL;
		json_t *v = NULL;

		json_object_foreach(all, k, v)
			if (json_is_string(v))
				memset((char *)json_string_value(v), 0, json_string_length(v));
	}
	json_decref(secret);
	free(path);
	free(ns);
	return rc;
}

int kdr_k8s_load(struct kdr_desired *out, struct kdr_diags *diags, struct kdr_k8s_client *client,
		 const char *namespace)
{
	json_t *all = json_array();
	char *max_rv = NULL;
	size_t n_kinds = 0;
	const struct kdr_k8s_kind *k = kdr_k8s_kinds(&n_kinds);
	int rc = 0;

	for (size_t i = 0; i < n_kinds && rc == 0; i++) {
		char *path = kdr_k8s_collection_path(KDR_K8S_API_PATH, namespace, k[i].resource);
		json_t *items = NULL;
		char *rv = NULL;

		rc = kdr_k8s__list(&items, &rv, client, path, NULL);
		free(path);
		if (rc == 0) {
			json_array_extend(all, items);
			if (rv && (!max_rv || strtoull(rv, NULL, 10) > strtoull(max_rv, NULL, 10))) {
				free(max_rv);
				max_rv = rv;
				rv = NULL;
			}
		}
		json_decref(items);
		free(rv);
	}
	if (rc == 0) {
		char *what = kdr_asprintf("kubernetes %s", namespace ? namespace : "(all namespaces)");

		rc = kdr_k8s_load_objects(out, diags, all, what, max_rv);
		free(what);
	}
	json_decref(all);
	free(max_rv);
	return rc;
}

int kdr_k8s_load_objects(struct kdr_desired *out, struct kdr_diags *diags, const json_t *objects, const char *what,
			 const char *revision)
{
	struct kdr_desired fresh;
	struct kdr_diags found = KDR_DIAGS_INIT;
	int rc = 0;

	memset(&fresh, 0, sizeof(fresh));
	kdr_k8s_parse_objects(&fresh, objects, &found);
	/* Resolved once, then every error in one run, as the dir and Git sources. */
	kdr_resolve_attach(&fresh);
	kdr_validate_all(&fresh, &found);
	if (found.errors) {
		rc = kdr_error_set(KDR_EINVALID, "%s: %zu error(s) in the objects; nothing from them is used", what,
				   found.errors);
	} else {
		free(fresh.revision);
		fresh.revision = revision ? kdr_strdup(revision) : NULL;
		kdr_desired_release(out);
		*out = fresh;
		memset(&fresh, 0, sizeof(fresh));
	}
	kdr_diags_move(diags, &found);
	kdr_desired_release(&fresh);
	return rc;
}
