/*
 * Recording a whole document of a DR step as a custom resource (record.c
 * patches the flows' specs): kdr failback's reverse flow created from the
 * document the dir and Git sources write, marked as kdr's, and deleted again
 * only when it still carries that mark, conditional on the object as read.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/k8s.h"
#include "k8s/k8s_internal.h"
#include "source/record.h"
#include "spec/spec.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* kdr's mark on what it created: the label says who, the annotation for which flow. */
#define CREATED_BY_LABEL "kdr.io/created-by"
#define CREATED_BY_VALUE "failback"
#define FAILBACK_OF_ANNOTATION "kdr.io/failback-of"

/* How often a delete is tried again when only the resourceVersion moved (the operator's status writes). */
#define DELETE_ATTEMPTS 5

static const char *meta_string(const json_t *object, const char *key)
{
	return json_string_value(json_object_get(json_object_get(object, "metadata"), key));
}

static json_t *meta_object(json_t *object, const char *key)
{
	json_t *meta = json_object_get(object, "metadata");
	json_t *member = json_object_get(meta, key);

	if (!json_is_object(member)) {
		member = json_object();
		json_object_set_new(meta, key, member);
	}
	return member;
}

static char *object_path(const char *namespace, const char *name)
{
	return kdr_asprintf("%s/namespaces/%s/replicationflows/%s", KDR_K8S_API_PATH, namespace, name);
}

/* The document as the object to create: a ReplicationFlow in `namespace`, with kdr's mark for `flow`. */
static int document_object(json_t **out, const struct kdr_source_change *change, const char *namespace)
{
	struct kdr_buf text = KDR_BUF_INIT;
	json_t *object = NULL;
	const char *kind = NULL, *name = NULL, *ns = NULL;
	int rc = kdr_spec_yaml_to_json(&text, change->file_path, change->file_data, strlen(change->file_data));

	if (rc != 0)
		goto cleanup;
	object = json_loadb(text.ptr, text.len, 0, NULL);
	kind = json_string_value(json_object_get(object, "kind"));
	name = meta_string(object, "name");
	ns = meta_string(object, "namespace");
	if (!object || !kind || strcmp(kind, "ReplicationFlow") != 0 || !name ||
	    !json_is_object(json_object_get(object, "spec")) || (ns && strcmp(ns, namespace) != 0)) {
		rc = kdr_error_set(KDR_EINVALID, "%s is not a ReplicationFlow with a name and a spec in namespace %s",
				   change->file_path, namespace);
		goto cleanup;
	}
	json_object_set_new(json_object_get(object, "metadata"), "namespace", json_string(namespace));
	json_object_set_new(meta_object(object, "labels"), CREATED_BY_LABEL, json_string(CREATED_BY_VALUE));
	json_object_set_new(meta_object(object, "annotations"), FAILBACK_OF_ANNOTATION,
			    json_string(change->document_for->meta.name));
	*out = object;
	object = NULL;
cleanup:
	json_decref(object);
	kdr_buf_release(&text);
	return rc;
}

/* An object of that name exists already: done when its spec is the document's, else refused. */
static int existing(struct kdr_k8s_client *client, const json_t *wanted, const char *namespace, const char *name)
{
	char *path = object_path(namespace, name);
	json_t *object = NULL;
	int rc = kdr_k8s_request(client, &object, NULL, "GET", path, NULL, NULL);

	if (rc == 0 && !json_equal(json_object_get(object, "spec"), json_object_get(wanted, "spec")))
		rc = kdr_error_set(KDR_EEXISTS,
				   "ReplicationFlow %s/%s exists with another spec than the one kdr failback declares: "
				   "delete or rename it, then run the command again",
				   namespace, name);
	json_decref(object);
	free(path);
	return rc;
}

int kdr_k8s__record_create(struct kdr_strvec *done, struct kdr_k8s_client *client,
			   const struct kdr_source_change *change)
{
	const struct kdr_flow *flow = change->document_for;
	json_t *object = NULL, *answer = NULL;
	char *path = NULL, *body = NULL;
	const char *name = NULL;
	int rc = 0;

	if (!flow->meta.namespace)
		return kdr_error_set(KDR_EINVALID, "ReplicationFlow '%s' was not read from Kubernetes", flow->meta.name);
	if ((rc = document_object(&object, change, flow->meta.namespace)) != 0)
		return rc;
	name = meta_string(object, "name");
	path = kdr_k8s_collection_path(KDR_K8S_API_PATH, flow->meta.namespace, "replicationflows");
	body = json_dumps(object, JSON_COMPACT);
	rc = kdr_k8s_request(client, &answer, NULL, "POST", path, NULL, body);
	if (rc == 0) {
		const char *rv = meta_string(answer, "resourceVersion");

		kdr_strvec_push_take(done, kdr_asprintf("created ReplicationFlow %s/%s (resourceVersion %s)",
							flow->meta.namespace, name, rv ? rv : "?"));
	} else if (rc == KDR_EEXISTS) {
		/* A run interrupted after its create, or another replica's: converged when it is the same. */
		rc = existing(client, object, flow->meta.namespace, name);
	}
	json_decref(answer);
	free(body);
	free(path);
	json_decref(object);
	return rc;
}

int kdr_k8s__removal_read(json_t **out, struct kdr_k8s_client *client, const struct kdr_source_change *change)
{
	const struct kdr_flow *flow = change->document_flow;
	char *path = NULL;
	json_t *object = NULL;
	json_int_t generation = 0;
	int rc = 0;

	*out = NULL;
	if (!flow->meta.namespace)
		return kdr_error_set(KDR_EINVALID, "ReplicationFlow '%s' was not read from Kubernetes", flow->meta.name);
	path = object_path(flow->meta.namespace, flow->meta.name);
	rc = kdr_k8s_request(client, &object, NULL, "GET", path, NULL, NULL);
	free(path);
	if (rc == KDR_ENOTFOUND)
		return 0; /* gone already (an earlier run deleted it): nothing to delete */
	if (rc != 0)
		return rc;
	generation = json_integer_value(json_object_get(json_object_get(object, "metadata"), "generation"));
	if (flow->meta.generation && generation != flow->meta.generation) {
		json_decref(object);
		return kdr_k8s__generation_moved(flow, generation);
	}
	*out = object;
	return 0;
}

/* Whether `object` carries the mark kdr_k8s__record_create puts on the reverse flow of `for_flow`. */
static bool marked(const json_t *object, const struct kdr_flow *for_flow)
{
	const json_t *meta = json_object_get(object, "metadata");
	const char *by = json_string_value(json_object_get(json_object_get(meta, "labels"), CREATED_BY_LABEL));
	const char *of = json_string_value(json_object_get(json_object_get(meta, "annotations"), FAILBACK_OF_ANNOTATION));

	return by && strcmp(by, CREATED_BY_VALUE) == 0 && of && (!for_flow || strcmp(of, for_flow->meta.name) == 0);
}

static int not_marked(const struct kdr_source_change *change)
{
	const struct kdr_flow *flow = change->document_flow;

	return kdr_error_set(KDR_EEXISTS,
			     "ReplicationFlow %s/%s was not created by kdr failback%s%s (no label " CREATED_BY_LABEL
			     ": " CREATED_BY_VALUE " and annotation " FAILBACK_OF_ANNOTATION "): it is left as it "
			     "is; delete it yourself (kubectl delete replicationflow -n %s %s) when its work is done",
			     flow->meta.namespace, flow->meta.name, change->document_for ? " of flow " : "",
			     change->document_for ? change->document_for->meta.name : "", flow->meta.namespace,
			     flow->meta.name);
}

/* DELETE conditional on the object's uid and resourceVersion as `object` has them. */
static int delete_as_read(struct kdr_k8s_client *client, const char *path, const json_t *object)
{
	json_t *options = json_pack("{s:s,s:s,s:{s:s?,s:s?}}", "kind", "DeleteOptions", "apiVersion", "v1",
				    "preconditions", "uid", meta_string(object, "uid"), "resourceVersion",
				    meta_string(object, "resourceVersion"));
	char *body = json_dumps(options, JSON_COMPACT);
	int rc = kdr_k8s_request(client, NULL, NULL, "DELETE", path, NULL, body);

	free(body);
	json_decref(options);
	return rc;
}

int kdr_k8s__record_delete(struct kdr_strvec *done, struct kdr_k8s_client *client,
			   const struct kdr_source_change *change, const json_t *read)
{
	const struct kdr_flow *flow = change->document_flow;
	json_int_t generation = json_integer_value(json_object_get(json_object_get(read, "metadata"), "generation"));
	char *path = NULL;
	json_t *object = json_deep_copy(read);
	int rc = 0;

	if (!marked(object, change->document_for)) {
		json_decref(object);
		return not_marked(change);
	}
	path = object_path(flow->meta.namespace, flow->meta.name);
	for (int attempt = 1;; attempt++) {
		rc = delete_as_read(client, path, object);
		if (rc != KDR_ECONFLICT || attempt == DELETE_ATTEMPTS)
			break;
		/* The precondition failed: deleted only if what changed is its status (same uid, generation, mark). */
		json_decref(object);
		object = NULL;
		rc = kdr_k8s_request(client, &object, NULL, "GET", path, NULL, NULL);
		if (rc != 0)
			break;
		if (!meta_string(object, "uid") || !meta_string(read, "uid") ||
		    strcmp(meta_string(object, "uid"), meta_string(read, "uid")) != 0) {
			rc = kdr_error_set(KDR_ECONFLICT, "ReplicationFlow %s/%s was replaced since it was read: run the "
					   "command again", flow->meta.namespace, flow->meta.name);
			break;
		}
		if (json_integer_value(json_object_get(json_object_get(object, "metadata"), "generation")) != generation) {
			rc = kdr_k8s__generation_moved(
				flow, json_integer_value(json_object_get(json_object_get(object, "metadata"), "generation")));
			break;
		}
		if (!marked(object, change->document_for)) {
			rc = not_marked(change);
			break;
		}
	}
	if (rc == 0)
		kdr_strvec_push_take(done, kdr_asprintf("deleted ReplicationFlow %s/%s", flow->meta.namespace,
							flow->meta.name));
	else if (rc == KDR_ENOTFOUND)
		rc = 0; /* deleted meanwhile (another run): nothing left to do */
	json_decref(object);
	free(path);
	return rc;
}
