/*
 * Connections kept across reads (the loop's cycles): one per cluster, keyed
 * by its name and a fingerprint of everything its client was built from.
 * Keeping the client saves each cycle librdkafka's start-up (bootstrap
 * connections, ApiVersions, SASL handshakes: a dozen requests per broker
 * set) and keeps the broker memo (read.c) that lets a read ride out a broker
 * that is down. A read that fails drops the client, so a dead broker set, a
 * cluster moved to new addresses or a refused login gets a fresh one on the
 * next read; changed settings (bootstrapServers, a clientConfig value as it
 * resolves now, a rotated secret, the timeout) replace it before the read.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/kafka_internal.h"
#include "util/alloc.h"
#include "util/error.h"

struct pool_entry {
	char *cluster;
	uint64_t fingerprint;
	struct kdr_kafka_conn *conn; /* NULL: none kept */
	bool busy;                   /* a read is using it (one per cluster at a time) */
};

struct kdr_kafka_pool {
	pthread_mutex_t lock; /* guards the entry list, not the connections */
	struct pool_entry **entries;
	size_t n_entries;
	size_t cap_entries;
};

/* FNV-1a over `len` bytes, then a separator so that ("ab","c") and ("a","bc") differ. */
static uint64_t mix(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (h ^ 0xffu) * 1099511628211ULL;
}

/*
 * What the client is built from. Secrets are resolved now (a rotated
 * password must replace the client) and only their hash is kept. A value
 * that does not resolve makes the fingerprint fail: the read then opens a
 * connection, which reports why.
 */
static int fingerprint(uint64_t *out, const struct kdr_cluster *cl, const struct kdr_kafka_options *options)
{
	uint64_t h = 14695981039346656037ULL;
	int timeout = options ? options->timeout_ms : 0;
	bool validate_only = options && options->validate_only;
	const char *bootstrap = cl->bootstrap_servers ? cl->bootstrap_servers : "";

	h = mix(h, bootstrap, strlen(bootstrap));
	h = mix(h, &timeout, sizeof(timeout));
	h = mix(h, &validate_only, sizeof(validate_only));
	for (size_t i = 0; i < cl->client_config.n; i++) {
		const struct kdr_value_entry *entry = &cl->client_config.v[i];
		char *value = NULL;

		if (kdr_value_resolve(&value, &entry->value, options ? options->resolver : NULL) != 0)
			return -1;
		h = mix(h, entry->key, strlen(entry->key));
		h = mix(h, value, strlen(value));
		explicit_bzero(value, strlen(value));
		free(value);
	}
	*out = h;
	return 0;
}

struct kdr_kafka_pool *kdr_kafka_pool_new(void)
{
	struct kdr_kafka_pool *pool = kdr_calloc(1, sizeof(*pool));

	pthread_mutex_init(&pool->lock, NULL);
	return pool;
}

void kdr_kafka_pool_free(struct kdr_kafka_pool *pool)
{
	if (!pool)
		return;
	for (size_t i = 0; i < pool->n_entries; i++) {
		kdr_kafka_conn_free(pool->entries[i]->conn);
		free(pool->entries[i]->cluster);
		free(pool->entries[i]);
	}
	free(pool->entries);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

/* The entry of `cluster`, created if new, marked busy; NULL when another read of it is under way. */
static struct pool_entry *take_entry(struct kdr_kafka_pool *pool, const char *cluster)
{
	struct pool_entry *entry = NULL;

	pthread_mutex_lock(&pool->lock);
	for (size_t i = 0; i < pool->n_entries && !entry; i++)
		if (strcmp(pool->entries[i]->cluster, cluster) == 0)
			entry = pool->entries[i];
	if (!entry) {
		entry = kdr_calloc(1, sizeof(*entry));
		entry->cluster = kdr_strdup(cluster);
		pool->entries = kdr_grow(pool->entries, &pool->cap_entries, pool->n_entries + 1, sizeof(*pool->entries));
		pool->entries[pool->n_entries++] = entry;
	}
	if (entry->busy)
		entry = NULL;
	else
		entry->busy = true;
	pthread_mutex_unlock(&pool->lock);
	return entry;
}

static void give_back(struct kdr_kafka_pool *pool, struct pool_entry *entry)
{
	pthread_mutex_lock(&pool->lock);
	entry->busy = false;
	pthread_mutex_unlock(&pool->lock);
}

int kdr_kafka_pool_read(struct kdr_kafka_pool *pool, struct kdr_live_cluster *out, const struct kdr_cluster *cl,
			const struct kdr_kafka_options *options)
{
	const char *name = cl->meta.name ? cl->meta.name : "";
	struct pool_entry *entry = pool ? take_entry(pool, name) : NULL;
	uint64_t fp = 0;
	bool have_fp = false;
	int error = 0;

	/* No pool, or the same cluster read twice at once: a connection of this read's own. */
	if (!entry)
		return kdr_kafka_read_cluster(out, cl, options);
	have_fp = fingerprint(&fp, cl, options) == 0;
	if (entry->conn && (!have_fp || fp != entry->fingerprint)) {
		kdr_kafka_conn_free(entry->conn);
		entry->conn = NULL;
	}
	if (!entry->conn) {
		error = kdr_kafka_conn_open(&entry->conn, cl, options);
		entry->fingerprint = fp;
	}
	if (!error) {
		/* Per read, not per connection: whether this desired state manages the cluster's ACLs. */
		entry->conn->verify_empty_acls = options && options->verify_empty_acls;
		error = kdr_kafka_conn_read(out, entry->conn);
	}
	else
		memset(out, 0, sizeof(*out));
	/* A failed read (broker set down, login refused, ...) or an unkeyable config: start afresh next time. */
	if (error || !have_fp) {
		kdr_kafka_conn_free(entry->conn);
		entry->conn = NULL;
	}
	give_back(pool, entry);
	return error;
}

void kdr_kafka_pool_retain(struct kdr_kafka_pool *pool, const char *const *names, size_t n)
{
	size_t kept = 0;

	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	for (size_t i = 0; i < pool->n_entries; i++) {
		struct pool_entry *entry = pool->entries[i];
		bool named = false;

		for (size_t j = 0; j < n && !named; j++)
			named = strcmp(names[j], entry->cluster) == 0;
		if (named || entry->busy) {
			pool->entries[kept++] = entry;
			continue;
		}
		kdr_kafka_conn_free(entry->conn);
		free(entry->cluster);
		free(entry);
	}
	pool->n_entries = kept;
	pthread_mutex_unlock(&pool->lock);
}
