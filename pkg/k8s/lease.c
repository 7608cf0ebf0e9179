/*
 * Leader election with a coordination.k8s.io/v1 Lease, as client-go's
 * leaderelection does it: the holder renews renewTime every renew period;
 * another replica takes the Lease over only when it has seen no change of it
 * for leaseDurationSeconds by its own clock (no clock agreement needed);
 * every write carries the resourceVersion read, so two candidates cannot
 * both win; a holder that could not renew within the duration stops
 * leading at once; on release the holder clears holderIdentity so a
 * successor need not wait.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s/k8s.h"
#include "k8s/k8s_internal.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"

struct kdr_k8s_lease {
	struct kdr_k8s_client *client;
	char *path;       /* the Lease */
	char *collection; /* its namespace's leases */
	char *name;
	char *identity;
	int duration_s;
	int renew_ms;
	void (*changed)(bool leading, void *ctx);
	void *ctx;
	pthread_t thread;
	bool started;
	atomic_int stop;
	atomic_int leading;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* The election thread's view of the Lease. */
	struct kdr_k8s__lease_seen seen;
	_Atomic int64_t renewed_at_ms; /* monotonic time of our last successful write */
};

static void set_leading(struct kdr_k8s_lease *lease, bool leading)
{
	if (atomic_exchange(&lease->leading, leading ? 1 : 0) == (leading ? 1 : 0))
		return;
	if (lease->changed)
		lease->changed(leading, lease->ctx);
}

/* Writes spec as ours (PUT when `current` exists, with its resourceVersion; POST otherwise). */
static int write_lease(struct kdr_k8s_lease *lease, json_t *current, bool take_over)
{
	json_t *body = current ? json_deep_copy(current) : json_object();
	json_t *spec = NULL;
	char now[KDR_CLOCK_UTC_SIZE];
	char *text = NULL;
	int rc = 0;

	kdr_k8s__micro_time(now);
	if (!current) {
		json_t *meta = json_object();

		json_object_set_new(body, "apiVersion", json_string("coordination.k8s.io/v1"));
		json_object_set_new(body, "kind", json_string("Lease"));
		json_object_set_new(meta, "name", json_string(lease->name));
		json_object_set_new(body, "metadata", meta);
		json_object_set_new(body, "spec", json_object());
	}
	spec = json_object_get(body, "spec");
	if (!json_is_object(spec)) {
		spec = json_object();
		json_object_set_new(body, "spec", spec);
	}
	if (!current || take_over) {
		json_int_t transitions = json_integer_value(json_object_get(spec, "leaseTransitions"));

		json_object_set_new(spec, "acquireTime", json_string(now));
		json_object_set_new(spec, "leaseTransitions", json_integer(current ? transitions + 1 : 0));
	}
	json_object_set_new(spec, "holderIdentity", json_string(lease->identity));
	json_object_set_new(spec, "leaseDurationSeconds", json_integer(lease->duration_s));
	json_object_set_new(spec, "renewTime", json_string(now));
	text = json_dumps(body, JSON_COMPACT);
	rc = current ? kdr_k8s_request(lease->client, NULL, NULL, "PUT", lease->path, NULL, text)
		     : kdr_k8s_request(lease->client, NULL, NULL, "POST", lease->collection, NULL, text);
	free(text);
	json_decref(body);
	return rc;
}

/* One round: read the Lease, then what kdr_k8s__lease_decide says (lease_decision.c). */
static void try_lease(struct kdr_k8s_lease *lease)
{
	json_t *current = NULL;
	int64_t now = kdr_clock_mono_ms();
	int rc = kdr_k8s_request(lease->client, &current, NULL, "GET", lease->path, NULL, NULL);
	const json_t *spec = json_object_get(current, "spec");
	struct kdr_k8s__lease_read read = { 0 };
	enum kdr_k8s__lease_step step = KDR_K8S__LEASE_FOLLOW;
	bool wrote = false;

	if (rc != 0 && rc != KDR_ENOTFOUND)
		goto cleanup;
	read.exists = rc == 0;
	read.holder = json_string_value(json_object_get(spec, "holderIdentity"));
	read.renew_time = json_string_value(json_object_get(spec, "renewTime"));
	read.duration_s = json_integer_value(json_object_get(spec, "leaseDurationSeconds"));
	step = kdr_k8s__lease_decide(&lease->seen, &read, lease->identity, lease->duration_s, now);
	if (step != KDR_K8S__LEASE_FOLLOW)
		wrote = write_lease(lease, read.exists ? current : NULL, step != KDR_K8S__LEASE_RENEW) == 0;
	if (wrote)
		atomic_store(&lease->renewed_at_ms, now);
	set_leading(lease, kdr_k8s__lease_leads_after(step, wrote, atomic_load(&lease->leading) != 0));
cleanup:
	/* Could not renew within the duration: someone else may hold it now. */
	if (atomic_load(&lease->leading) &&
	    !kdr_k8s__lease_current(atomic_load(&lease->renewed_at_ms), kdr_clock_mono_ms(), lease->duration_s))
		set_leading(lease, false);
	json_decref(current);
}

static void *run(void *vlease)
{
	struct kdr_k8s_lease *lease = vlease;

	while (!atomic_load(&lease->stop)) {
		try_lease(lease);
		kdr_k8s__nap(&lease->stop, &lease->lock, &lease->cond, lease->renew_ms);
	}
	return NULL;
}

int kdr_k8s_lease_start(struct kdr_k8s_lease **out, struct kdr_k8s_client *client,
			const struct kdr_k8s_lease_options *options)
{
	struct kdr_k8s_lease *lease = kdr_calloc(1, sizeof(*lease));
	const char *ns = options->namespace && options->namespace[0] ? options->namespace
								     : kdr_k8s_client_namespace(client);

	*out = NULL;
	lease->client = client;
	lease->name = kdr_strdup(options->name && options->name[0] ? options->name : "kdr-leader");
	lease->identity = kdr_strdup(options->identity);
	lease->duration_s = options->duration_s > 0 ? options->duration_s : 15;
	lease->renew_ms = options->renew_ms > 0 ? options->renew_ms : 2000;
	lease->changed = options->changed;
	lease->ctx = options->ctx;
	lease->collection = kdr_asprintf("/apis/coordination.k8s.io/v1/namespaces/%s/leases", ns);
	lease->path = kdr_asprintf("%s/%s", lease->collection, lease->name);
	atomic_init(&lease->stop, 0);
	atomic_init(&lease->leading, 0);
	atomic_init(&lease->renewed_at_ms, 0);
	pthread_mutex_init(&lease->lock, NULL);
	pthread_cond_init(&lease->cond, NULL);
	if (pthread_create(&lease->thread, NULL, run, lease) != 0) {
		kdr_k8s_lease_free(lease);
		return kdr_error_set(KDR_EIO, "kubernetes: cannot start the leader-election thread");
	}
	lease->started = true;
	*out = lease;
	return 0;
}

bool kdr_k8s_lease_leading(struct kdr_k8s_lease *lease)
{
	/*
	 * Also by the clock: a renewal request blocked on an unresponsive API
	 * server (up to the client timeout, or behind another request on the
	 * shared handle) must not stretch leadership past the lease duration.
	 */
	return lease && atomic_load(&lease->leading) != 0 &&
	       kdr_k8s__lease_current(atomic_load(&lease->renewed_at_ms), kdr_clock_mono_ms(), lease->duration_s);
}

const char *kdr_k8s_lease_identity(const struct kdr_k8s_lease *lease)
{
	return lease->identity;
}

void kdr_k8s_lease_free(struct kdr_k8s_lease *lease)
{
	if (!lease)
		return;
	kdr_k8s__stop(&lease->stop, &lease->lock, &lease->cond, lease->started, lease->thread);
	if (atomic_load(&lease->leading)) {
		/* Released: an empty holder lets a successor take over at once. */
		json_t *current = NULL;

		if (kdr_k8s_request(lease->client, &current, NULL, "GET", lease->path, NULL, NULL) == 0) {
			json_t *spec = json_object_get(current, "spec");
			const char *holder = json_string_value(json_object_get(spec, "holderIdentity"));

			if (holder && strcmp(holder, lease->identity) == 0) {
				char *text = NULL;

				json_object_set_new(spec, "holderIdentity", json_string(""));
				json_object_set_new(spec, "leaseDurationSeconds", json_integer(1));
				text = json_dumps(current, JSON_COMPACT);
				kdr_k8s_request(lease->client, NULL, NULL, "PUT", lease->path, NULL, text);
				free(text);
			}
		}
		json_decref(current);
		set_leading(lease, false);
	}
	kdr_k8s__lease_seen_release(&lease->seen);
	free(lease->path);
	free(lease->collection);
	free(lease->name);
	free(lease->identity);
	pthread_cond_destroy(&lease->cond);
	pthread_mutex_destroy(&lease->lock);
	free(lease);
}
