/*
 * Recording a DR step in the custom resources: each edited flow's
 * ReplicationFlow gets a JSON Patch of its spec, sent with the client (and
 * so the server, credentials and TLS) the desired state was read with.
 * The patch is conditional on metadata.generation, not on resourceVersion:
 * a spec that changed since the desired state was loaded is refused (the
 * decision was made on what was read), while the operator's status writes,
 * which change the resourceVersion every cycle but never the generation,
 * cannot make it fail (a resourceVersion precondition lost every race
 * against a busy status writer in test_k8s_real). Whole documents (kdr
 * failback's reverse flow) are record_document.c's.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/k8s.h"
#include "k8s/k8s_internal.h"
#include "source/record.h"
#include "util/alloc.h"
#include "util/error.h"

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

int kdr_k8s__generation_moved(const struct kdr_flow *flow, long long now)
{
	return kdr_error_set(KDR_ECONFLICT,
			     "ReplicationFlow %s/%s changed since it was read (generation %lld, now %lld): run the "
			     "command again",
			     flow->meta.namespace, flow->meta.name, (long long)flow->meta.generation, now);
}

/* The object's metadata.generation (0 when unreadable). */
static json_int_t read_generation(struct kdr_k8s_client *client, const char *path)
{
	json_t *object = NULL;
	json_int_t generation = 0;

	if (kdr_k8s_request(client, &object, NULL, "GET", path, NULL, NULL) == 0)
		generation = json_integer_value(json_object_get(json_object_get(object, "metadata"), "generation"));
	json_decref(object);
	return generation;
}

/* A JSON Pointer token: '~' -> "~0", '/' -> "~1" (RFC 6901). */
static void pointer_token(struct kdr_buf *out, const char *key)
{
	for (; *key; key++)
		if (*key == '~')
			kdr_buf_puts(out, "~0");
		else if (*key == '/')
			kdr_buf_puts(out, "~1");
		else
			kdr_buf_put(out, key, 1);
}

/*
 * The JSON Patch: first a test that metadata.generation is still
 * `generation` (the spec the decision was made on), then each change (add
 * sets or replaces a member, remove drops one the spec has). The API server
 * applies it atomically, re-applying it itself when a status write races it.
 */
static json_t *json_patch(const json_t *changes, json_int_t generation)
{
	json_t *ops = json_array();
	const char *key = NULL;
	json_t *value = NULL;

	json_array_append_new(ops, json_pack("{s:s,s:s,s:I}", "op", "test", "path", "/metadata/generation", "value",
					     generation));
	json_object_foreach((json_t *)changes, key, value) {
		struct kdr_buf path = KDR_BUF_INIT;

		kdr_buf_puts(&path, "/spec/");
		pointer_token(&path, key);
		if (json_is_null(value))
			json_array_append_new(ops, json_pack("{s:s,s:s}", "op", "remove", "path", path.ptr));
		else
			json_array_append_new(ops, json_pack("{s:s,s:s,s:O}", "op", "add", "path", path.ptr, "value", value));
		kdr_buf_release(&path);
	}
	return ops;
}

/*
 * Reads the object, checks its generation, and patches what differs,
 * conditional on that generation. `*patched` gets the new resourceVersion
 * (heap) when a patch was sent.
 */
static int patch_flow(char **patched, struct kdr_k8s_client *client, const char *path, const struct kdr_flow *flow,
		      const json_t *wanted)
{
	json_t *object = NULL, *answer = NULL, *changes = NULL, *patch = NULL;
	json_int_t generation = 0;
	char *body = NULL;
	int rc = kdr_k8s_request(client, &object, NULL, "GET", path, NULL, NULL);

	if (rc != 0)
		goto cleanup;
	generation = json_integer_value(json_object_get(json_object_get(object, "metadata"), "generation"));
	if (flow->meta.generation && generation != flow->meta.generation) {
		rc = kdr_k8s__generation_moved(flow, generation);
		goto cleanup;
	}
	changes = spec_changes(json_object_get(object, "spec"), wanted);
	if (json_object_size(changes) == 0)
		goto cleanup;
	patch = json_patch(changes, generation);
	body = json_dumps(patch, JSON_COMPACT);
	rc = kdr_k8s_request(client, &answer, NULL, "PATCH", path, "application/json-patch+json", body);
	if (rc == 0) {
		const char *rv = json_string_value(json_object_get(json_object_get(answer, "metadata"), "resourceVersion"));

		*patched = kdr_strdup(rv ? rv : "?");
	} else {
		/* The test op failed (422) when the spec moved between our read and the patch: say so. */
		json_int_t now = read_generation(client, path);

		if (now && now != generation)
			rc = kdr_k8s__generation_moved(flow, now);
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
	int rc = 0;

	if (!flow->meta.namespace)
		return kdr_error_set(KDR_EINVALID, "ReplicationFlow '%s' was not read from Kubernetes", flow->meta.name);
	if ((rc = spec_patch(&wanted, flow, edits, n_edits)) != 0)
		return rc;
	path = kdr_asprintf("%s/namespaces/%s/replicationflows/%s", KDR_K8S_API_PATH, flow->meta.namespace,
			    flow->meta.name);
	rc = patch_flow(&patched, client, path, flow, wanted);
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
	bool removes = change->document_flow && !change->file_data;
	json_t *doomed = NULL;
	int rc = 0;

	if ((change->file_data && !change->document_for) || (change->file_path && !change->file_data && !removes))
		return kdr_error_set(KDR_EUNSUPPORTED,
				     "kubernetes: a whole document (%s) names no flow it goes with: %s it with kubectl; "
				     "nothing was recorded",
				     change->file_path, change->file_data ? "apply" : "delete");
	/*
	 * A new document before the edits, a removed one after them (as a
	 * directory does): an interrupted step 1 left the reverse flow, which
	 * the next load sees; an interrupted step 3 left F restored and the
	 * reverse flow, which the next run removes. The removed object is read
	 * first, so a spec changed since the load is refused with nothing sent.
	 */
	if (change->file_data)
		rc = kdr_k8s__record_create(done, client, change);
	else if (removes)
		rc = kdr_k8s__removal_read(&doomed, client, change);
	if (rc == 0 && change->flow && change->n_edits)
		rc = record_flow(done, client, change->flow, change->edits, change->n_edits);
	if (rc == 0 && change->flow2 && change->n_edits2)
		rc = record_flow(done, client, change->flow2, change->edits2, change->n_edits2);
	if (rc == 0 && doomed)
		rc = kdr_k8s__record_delete(done, client, change, doomed);
	json_decref(doomed);
	if (rc != 0 && done->n == before)
		return kdr_error_set(rc, "%s; nothing was recorded", kdr_error_message());
	return rc;
}
