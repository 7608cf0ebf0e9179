/*
 * Recording a DR step in the custom resources: each edited flow's
 * ReplicationFlow gets a merge patch of its spec, sent with the client (and
 * so the server, credentials and TLS) the desired state was read with.
 * The patch carries the resourceVersion read just before it, so a write
 * that raced it (a status update, a user's edit) makes the API server
 * answer 409 and the object is read again; a spec that changed since the
 * desired state was loaded (a new generation) is refused: the decision was
 * made on what was read.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/k8s.h"
#include "source/record.h"
#include "util/alloc.h"
#include "util/error.h"

/* A status write between our read and our patch: read again, this often. */
#define MAX_PATCH_ATTEMPTS 5

/* The edits as a spec merge patch: each value a JSON scalar, NULL (remove) a null. */
static int spec_patch(json_t **out, const struct kdr_flow *flow, const struct kdr_spec_edit *edits, size_t n_edits)
{
	json_t *spec = json_object();

	for (size_t i = 0; i < n_edits; i++) {
		json_t *value = edits[i].value ? json_loads(edits[i].value, JSON_DECODE_ANY, NULL) : json_null();

		if (!value) {
			json_decref(spec);
			return kdr_error_set(KDR_EINVALID,
					     "ReplicationFlow '%s': spec.%s: '%s' is not a JSON value; nothing was recorded",
					     flow->meta.name, edits[i].key, edits[i].value);
		}
		json_object_set_new(spec, edits[i].key, value);
	}
	*out = spec;
	return 0;
}

/* The members of `wanted` that `spec` does not already hold (a null: a member spec has). */
static json_t *spec_changes(const json_t *spec, const json_t *wanted)
{
	json_t *changes = json_object();
	const char *key = NULL;
	json_t *value = NULL;

	json_object_foreach((json_t *)wanted, key, value) {
		json_t *current = json_object_get(spec, key);

		if (json_is_null(value) ? current != NULL : !current || !json_equal(current, value))
			json_object_set(changes, key, value);
	}
	return changes;
}

/*
 * One round: reads the object, checks its generation, patches what differs
 * at the resourceVersion read. `*patched` gets the new resourceVersion
 * (heap) when a patch was sent; `*stale` says the patch was refused for a
 * resourceVersion that moved since the read (worth another round).
 */
static int patch_once(char **patched, bool *stale, struct kdr_k8s_client *client, const char *path,
		      const struct kdr_flow *flow, const json_t *wanted)
{
	json_t *object = NULL, *answer = NULL, *changes = NULL, *patch = NULL;
	const json_t *meta = NULL;
	char *body = NULL;
	int rc = kdr_k8s_request(client, &object, NULL, "GET", path, NULL, NULL);

	if (rc != 0)
		goto cleanup;
	meta = json_object_get(object, "metadata");
	if (flow->meta.generation && json_integer_value(json_object_get(meta, "generation")) != flow->meta.generation) {
		rc = kdr_error_set(KDR_ECONFLICT,
				   "ReplicationFlow %s/%s changed since it was read (generation %lld, now %lld): run the "
				   "command again",
				   flow->meta.namespace, flow->meta.name, (long long)flow->meta.generation,
				   (long long)json_integer_value(json_object_get(meta, "generation")));
		goto cleanup;
	}
	changes = spec_changes(json_object_get(object, "spec"), wanted);
	if (json_object_size(changes) == 0)
		goto cleanup;
	patch = json_pack("{s:{s:O},s:O}", "metadata", "resourceVersion", json_object_get(meta, "resourceVersion"),
			  "spec", changes);
	if (!patch) {
		rc = kdr_error_set(KDR_EINVALID, "ReplicationFlow %s/%s has no resourceVersion", flow->meta.namespace,
				   flow->meta.name);
		goto cleanup;
	}
	body = json_dumps(patch, JSON_COMPACT | JSON_SORT_KEYS);
	rc = kdr_k8s_request(client, &answer, NULL, "PATCH", path, "application/merge-patch+json", body);
	*stale = rc == KDR_ECONFLICT;
	if (rc == 0) {
		const char *rv = json_string_value(json_object_get(json_object_get(answer, "metadata"), "resourceVersion"));

		*patched = kdr_strdup(rv ? rv : "?");
	}
cleanup:
	free(body);
	json_decref(patch);
	json_decref(changes);
	json_decref(answer);
	json_decref(object);
	return rc;
}

static int record_flow(struct kdr_strvec *done, struct kdr_k8s_client *client, const struct kdr_flow *flow,
		       const struct kdr_spec_edit *edits, size_t n_edits)
{
	json_t *wanted = NULL;
	char *path = NULL, *patched = NULL;
	bool stale = true;
	int rc = 0;

	if (!flow->meta.namespace)
		return kdr_error_set(KDR_EINVALID, "ReplicationFlow '%s' was not read from Kubernetes", flow->meta.name);
	if ((rc = spec_patch(&wanted, flow, edits, n_edits)) != 0)
		return rc;
	path = kdr_asprintf("%s/namespaces/%s/replicationflows/%s", KDR_K8S_API_PATH, flow->meta.namespace,
			    flow->meta.name);
	/* A generation that moved is final: only a stale resourceVersion is worth another read. */
	for (int attempt = 0; attempt < MAX_PATCH_ATTEMPTS && stale; attempt++) {
		stale = false;
		rc = patch_once(&patched, &stale, client, path, flow, wanted);
	}
	if (rc == 0 && patched)
		kdr_strvec_push_take(done, kdr_asprintf("recorded in ReplicationFlow %s/%s (resourceVersion %s)",
							flow->meta.namespace, flow->meta.name, patched));
	free(patched);
	free(path);
	json_decref(wanted);
	return rc;
}

int kdr_k8s_record(struct kdr_strvec *done, struct kdr_k8s_client *client, const struct kdr_source_change *change)
{
	size_t before = done->n;
	int rc = 0;

	if (change->file_path)
		return kdr_error_set(KDR_EUNSUPPORTED,
				     "kubernetes: a whole document (%s) is not written as a custom resource: %s it with "
				     "kubectl; nothing was recorded",
				     change->file_path, change->file_data ? "apply" : "delete");
	if (change->flow && change->n_edits)
		rc = record_flow(done, client, change->flow, change->edits, change->n_edits);
	if (rc == 0 && change->flow2 && change->n_edits2)
		rc = record_flow(done, client, change->flow2, change->edits2, change->n_edits2);
	if (rc != 0 && done->n == before)
		return kdr_error_set(rc, "%s; nothing was recorded", kdr_error_message());
	return rc;
}
