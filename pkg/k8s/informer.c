/*
 * An informer: one thread per kind that lists (paged), then watches from the
 * list's resourceVersion, keeping a cache of the objects by "ns/name". A
 * 410 Gone (as a status or as an ERROR event in the stream) means the
 * resourceVersion is too old: list again. Any other failure: back off (200
 * ms doubling to the cap) and watch again from the last resourceVersion seen
 * (bookmarks keep it fresh), so a cut connection or a restarted API server
 * misses no change.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s/k8s.h"
#include "k8s/k8s_internal.h"
#include "util/alloc.h"
#include "util/error.h"

struct kdr_k8s_informer {
	struct kdr_k8s_client *client;
	char *path; /* the collection */
	struct kdr_k8s_informer_options options;
	pthread_t thread;
	bool started;
	atomic_int stop;

	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t cond;  /* the thread's backoff sleep, cut short by a stop */
	json_t *cache;        /* key -> object */
	bool synced;
	char *resource_version;
	char *last_error;
	struct kdr_k8s_informer_stats stats;
};

static void set_error(struct kdr_k8s_informer *inf, const char *message)
{
	pthread_mutex_lock(&inf->lock);
	free(inf->last_error);
	inf->last_error = message ? kdr_strdup(message) : NULL;
	pthread_mutex_unlock(&inf->lock);
}

static void set_rv(struct kdr_k8s_informer *inf, const char *rv)
{
	if (!rv || !rv[0])
		return;
	pthread_mutex_lock(&inf->lock);
	free(inf->resource_version);
	inf->resource_version = kdr_strdup(rv);
	pthread_mutex_unlock(&inf->lock);
}

static char *get_rv(struct kdr_k8s_informer *inf)
{
	char *rv = NULL;

	pthread_mutex_lock(&inf->lock);
	rv = inf->resource_version ? kdr_strdup(inf->resource_version) : NULL;
	pthread_mutex_unlock(&inf->lock);
	return rv;
}

static void notify(struct kdr_k8s_informer *inf)
{
	if (inf->options.notify)
		inf->options.notify(inf->options.ctx);
}

/* Lists the whole collection into a new cache; replaces the old one only when complete. */
static int list_all(struct kdr_k8s_informer *inf)
{
	json_t *items = NULL, *item = NULL;
	char *rv = NULL;
	size_t i = 0;
	int rc = kdr_k8s__list(&items, &rv, inf->client, inf->path, &inf->stop);

	if (rc != 0 || atomic_load(&inf->stop)) {
		json_decref(items);
		free(rv);
		return rc;
	}
	pthread_mutex_lock(&inf->lock);
	json_object_clear(inf->cache);
	json_array_foreach(items, i, item) {
		char *key = kdr_k8s__object_key(item);

		json_object_set(inf->cache, key, item);
		free(key);
	}
	inf->synced = true;
	inf->stats.lists++;
	free(inf->resource_version);
	inf->resource_version = rv;
	pthread_mutex_unlock(&inf->lock);
	json_decref(items);
	notify(inf);
	return 0;
}

static int on_event(const char *type, json_t *object, void *vinf)
{
	struct kdr_k8s_informer *inf = vinf;
	const char *rv = json_string_value(json_object_get(json_object_get(object, "metadata"), "resourceVersion"));
	char *key = NULL;
	bool changed = false;

	if (strcmp(type, "BOOKMARK") == 0) {
		set_rv(inf, rv);
		pthread_mutex_lock(&inf->lock);
		inf->stats.bookmarks++;
		pthread_mutex_unlock(&inf->lock);
		return 0;
	}
	if (strcmp(type, "ERROR") == 0)
		return 1;
	key = kdr_k8s__object_key(object);
	pthread_mutex_lock(&inf->lock);
	if (strcmp(type, "DELETED") == 0) {
		changed = json_object_del(inf->cache, key) == 0;
	} else if (strcmp(type, "ADDED") == 0 || strcmp(type, "MODIFIED") == 0) {
		json_object_set(inf->cache, key, object);
		changed = true;
	}
	if (changed)
		inf->stats.events++;
	if (rv && rv[0]) {
		free(inf->resource_version);
		inf->resource_version = kdr_strdup(rv);
	}
	pthread_mutex_unlock(&inf->lock);
	free(key);
	if (changed)
		notify(inf);
	return 0;
}

static void failed(struct kdr_k8s_informer *inf, int64_t *backoff)
{
	int64_t cap = inf->options.backoff_max_ms > 0 ? inf->options.backoff_max_ms : 10000;

	set_error(inf, kdr_error_message());
	pthread_mutex_lock(&inf->lock);
	inf->stats.failures++;
	pthread_mutex_unlock(&inf->lock);
	kdr_k8s__nap(&inf->stop, &inf->lock, &inf->cond, *backoff);
	*backoff = *backoff * 2 > cap ? cap : *backoff * 2;
}

static void *run(void *vinf)
{
	struct kdr_k8s_informer *inf = vinf;
	bool need_list = true;
	int64_t backoff = 200;

	while (!atomic_load(&inf->stop)) {
		char *rv = NULL;
		int rc = 0;

		if (need_list) {
			rc = list_all(inf);
			if (rc != 0) {
				failed(inf, &backoff);
				continue;
			}
			need_list = false;
		}
		rv = get_rv(inf);
		pthread_mutex_lock(&inf->lock);
		inf->stats.watches++;
		pthread_mutex_unlock(&inf->lock);
		rc = kdr_k8s_watch(inf->client, inf->path, rv, inf->options.watch_timeout_s, on_event, inf, &inf->stop);
		free(rv);
		if (rc == 0) {
			/* The server ended the watch (its timeout): watch again at once. */
			backoff = 200;
			set_error(inf, NULL);
			continue;
		}
		if (rc == KDR_ECONFLICT) {
			/* 410 Gone: the resourceVersion is no longer served; relist. */
			pthread_mutex_lock(&inf->lock);
			inf->stats.gone++;
			pthread_mutex_unlock(&inf->lock);
			set_error(inf, kdr_error_message());
			need_list = true;
			continue;
		}
		failed(inf, &backoff);
	}
	return NULL;
}

int kdr_k8s_informer_start(struct kdr_k8s_informer **out, struct kdr_k8s_client *client,
			   const struct kdr_k8s_informer_options *options)
{
	struct kdr_k8s_informer *inf = kdr_calloc(1, sizeof(*inf));

	*out = NULL;
	inf->client = client;
	inf->options = *options;
	inf->options.api_path = NULL;
	inf->options.resource = NULL;
	inf->options.namespace = NULL;
	inf->path = kdr_k8s_collection_path(options->api_path, options->namespace, options->resource);
	inf->cache = json_object();
	atomic_init(&inf->stop, 0);
	pthread_mutex_init(&inf->lock, NULL);
	pthread_cond_init(&inf->cond, NULL);
	if (pthread_create(&inf->thread, NULL, run, inf) != 0) {
		kdr_k8s_informer_free(inf);
		return kdr_error_set(KDR_EIO, "kubernetes: cannot start the informer thread of '%s'", options->resource);
	}
	inf->started = true;
	*out = inf;
	return 0;
}

bool kdr_k8s_informer_synced(struct kdr_k8s_informer *inf)
{
	bool synced = false;

	pthread_mutex_lock(&inf->lock);
	synced = inf->synced;
	pthread_mutex_unlock(&inf->lock);
	return synced;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *kdr_k8s_informer_snapshot(struct kdr_k8s_informer *inf)
{
	json_t *out = NULL;
	const char **keys = NULL;
	const char *key = NULL;
	json_t *value = NULL;
	size_t n = 0;

	pthread_mutex_lock(&inf->lock);
	if (inf->synced) {
		out = json_array();
		keys = kdr_calloc(json_object_size(inf->cache) + 1, sizeof(*keys));
		json_object_foreach(inf->cache, key, value)
			keys[n++] = key;
		qsort(keys, n, sizeof(*keys), compare_keys);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(out, json_deep_copy(json_object_get(inf->cache, keys[i])));
		free(keys);
	}
	pthread_mutex_unlock(&inf->lock);
	return out;
}

void kdr_k8s_informer_stats(struct kdr_k8s_informer_stats *out, struct kdr_k8s_informer *inf)
{
	pthread_mutex_lock(&inf->lock);
	*out = inf->stats;
	out->resource_version = inf->resource_version ? kdr_strdup(inf->resource_version) : NULL;
	pthread_mutex_unlock(&inf->lock);
}

char *kdr_k8s_informer_last_error(struct kdr_k8s_informer *inf)
{
	char *message = NULL;

	pthread_mutex_lock(&inf->lock);
	message = inf->last_error ? kdr_strdup(inf->last_error) : NULL;
	pthread_mutex_unlock(&inf->lock);
	return message;
}

void kdr_k8s_informer_free(struct kdr_k8s_informer *inf)
{
	if (!inf)
		return;
	kdr_k8s__stop(&inf->stop, &inf->lock, &inf->cond, inf->started, inf->thread);
	json_decref(inf->cache);
	free(inf->path);
	free(inf->resource_version);
	free(inf->last_error);
	pthread_cond_destroy(&inf->cond);
	pthread_mutex_destroy(&inf->lock);
	free(inf);
}
