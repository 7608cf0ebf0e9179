/*
 * The Kubernetes source of the loop: an informer per kdr kind keeps a cache
 * of the custom resources current (list + watch); the revision is a hash of
 * what a user controls in them (kind, namespace, name, uid, generation,
 * labels, annotations, spec), so kdr's own status writes do not wake the
 * loop, while any spec or annotation change does at the next check. Secrets
 * named by secretKeyRef are read from the object's namespace at use time.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "controller/controller.h"
#include "k8s/k8s.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"
#include "validate/validate.h"

#define MAX_KINDS 8

struct k8s_source {
	struct kdr_k8s_client *client;
	struct kdr_k8s_informer *informers[MAX_KINDS];
	size_t n_informers;
	char *namespace; /* NULL: all */
	char *description;
	struct kdr_secret_resolver resolver;
	atomic_uint_fast64_t changes; /* bumped by the informers */
	uint64_t hashed_changes;      /* `changes` when `revision` was computed */
	char *revision;
};

static void on_change(void *ctx)
{
	struct k8s_source *src = ctx;

	atomic_fetch_add(&src->changes, 1);
}

/* Every object of every kind, sorted by kind then namespace/name; NULL until all informers listed once. */
static json_t *snapshot(struct k8s_source *src)
{
	json_t *all = json_array();

	for (size_t i = 0; i < src->n_informers; i++) {
		json_t *objects = kdr_k8s_informer_snapshot(src->informers[i]);

		if (!objects) {
			json_decref(all);
			return NULL;
		}
		json_array_extend(all, objects);
		json_decref(objects);
	}
	return all;
}

static uint64_t hash_json(uint64_t hash, const json_t *value)
{
	char *text = value ? json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;

	hash = kdr_hash64(text ? text : "-", text ? strlen(text) + 1 : 2, hash);
	free(text);
	return hash;
}

static char *revision_of(const json_t *objects)
{
	uint64_t hash = KDR_HASH64_SEED;
	size_t i = 0;
	json_t *object = NULL;

	json_array_foreach(objects, i, object) {
		json_t *meta = json_object_get(object, "metadata");

		hash = hash_json(hash, json_object_get(object, "kind"));
		hash = hash_json(hash, json_object_get(meta, "namespace"));
		hash = hash_json(hash, json_object_get(meta, "name"));
		hash = hash_json(hash, json_object_get(meta, "uid"));
		hash = hash_json(hash, json_object_get(meta, "generation"));
		hash = hash_json(hash, json_object_get(meta, "labels"));
		hash = hash_json(hash, json_object_get(meta, "annotations"));
		hash = hash_json(hash, json_object_get(meta, "deletionTimestamp"));
		hash = hash_json(hash, json_object_get(object, "spec"));
	}
	return kdr_asprintf("k8s-%016" PRIx64, hash);
}

static int not_synced(struct k8s_source *src)
{
	for (size_t i = 0; i < src->n_informers; i++) {
		char *error = NULL;
		int rc = 0;

		if (kdr_k8s_informer_synced(src->informers[i]))
			continue;
		error = kdr_k8s_informer_last_error(src->informers[i]);
		rc = kdr_error_set(KDR_EUNAVAILABLE, "kubernetes: the first list has not completed yet%s%s",
				   error ? ": " : "", error ? error : "");
		free(error);
		return rc;
	}
	return 0;
}

static int k8s_check(char **out, void *ctx)
{
	struct k8s_source *src = ctx;
	uint64_t changes = atomic_load(&src->changes);
	json_t *objects = NULL;
	int rc = not_synced(src);

	if (rc != 0)
		return rc;
	if (!src->revision || changes != src->hashed_changes) {
		objects = snapshot(src);
		if (!objects)
			return kdr_error_set(KDR_EUNAVAILABLE, "kubernetes: the first list has not completed yet");
		free(src->revision);
		src->revision = revision_of(objects);
		src->hashed_changes = changes;
		json_decref(objects);
	}
	*out = kdr_strdup(src->revision);
	return 0;
}

static int k8s_load(struct kdr_desired *out, struct kdr_diags *diags, const char *revision, void *ctx)
{
	struct k8s_source *src = ctx;
	struct kdr_desired fresh;
	struct kdr_diags found = KDR_DIAGS_INIT;
	json_t *objects = snapshot(src);
	char *now = NULL;
	int rc = 0;

	memset(&fresh, 0, sizeof(fresh));
	if (!objects)
		return kdr_error_set(KDR_EUNAVAILABLE, "kubernetes: the first list has not completed yet");
	now = revision_of(objects);
	if (strcmp(now, revision) != 0) {
		rc = kdr_error_set(KDR_ECONFLICT, "kubernetes: the objects changed while they were read; reading again");
		goto cleanup;
	}
	kdr_k8s_parse_objects(&fresh, objects, &found);
	if (!kdr_diags_has_errors(&found))
		kdr_validate(&fresh, &found);
	if (found.errors) {
		rc = kdr_error_set(KDR_EINVALID, "%s: %zu error(s) in the objects; nothing from them is used",
				   src->description, found.errors);
		goto cleanup;
	}
	fresh.revision = kdr_strdup(revision);
	kdr_desired_release(out);
	*out = fresh;
	memset(&fresh, 0, sizeof(fresh));
cleanup:
	kdr_diags_move(diags, &found);
	kdr_desired_release(&fresh);
	json_decref(objects);
	free(now);
	return rc;
}

static const char *k8s_describe(void *ctx)
{
	const struct k8s_source *src = ctx;

	return src->description;
}

static const struct kdr_secret_resolver *k8s_resolver(void *ctx)
{
	const struct k8s_source *src = ctx;

	return &src->resolver;
}

static void k8s_free(void *ctx)
{
	struct k8s_source *src = ctx;

	if (!src)
		return;
	/* Informers first: their threads use the client. */
	for (size_t i = 0; i < src->n_informers; i++)
		kdr_k8s_informer_free(src->informers[i]);
	kdr_k8s_client_free(src->client);
	free(src->namespace);
	free(src->description);
	free(src->revision);
	free(src);
}

static const struct kdr_controller_source_ops k8s_ops = {
	k8s_check, k8s_load, k8s_describe, k8s_free, k8s_resolver,
};

int kdr_controller_source_k8s(struct kdr_controller_source *out, const struct kdr_k8s_config *config,
			      const char *namespace, int timeout_ms)
{
	struct k8s_source *src = kdr_calloc(1, sizeof(*src));
	size_t n_kinds = 0;
	const struct kdr_k8s_kind *kinds = kdr_k8s_kinds(&n_kinds);
	int rc = kdr_k8s_client_new(&src->client, config, timeout_ms);

	atomic_init(&src->changes, 0);
	if (rc != 0) {
		free(src);
		return rc;
	}
	src->namespace = namespace && namespace[0] ? kdr_strdup(namespace) : NULL;
	src->description = kdr_asprintf("k8s %s namespace %s", config->server, src->namespace ? src->namespace : "*");
	src->resolver.secret_lookup = kdr_k8s_secret_lookup;
	src->resolver.ctx = src->client;
	for (size_t i = 0; i < n_kinds && i < MAX_KINDS; i++) {
		struct kdr_k8s_informer_options options = { 0 };

		options.api_path = KDR_K8S_API_PATH;
		options.resource = kinds[i].resource;
		options.namespace = src->namespace;
		options.notify = on_change;
		options.ctx = src;
		rc = kdr_k8s_informer_start(&src->informers[i], src->client, &options);
		if (rc != 0) {
			k8s_free(src);
			return rc;
		}
		src->n_informers++;
	}
	out->ops = &k8s_ops;
	out->ctx = src;
	return 0;
}
