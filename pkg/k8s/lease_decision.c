/*
 * Leader election's decision, apart from the requests and the clock (lease.c
 * does those): given the Lease as read, who we are and our monotonic time,
 * whether to create, renew, take over or follow, and whether we still lead.
 * The rules are client-go leaderelection's: expiry is judged by our own
 * clock from when we first saw the Lease's current holder and renewTime, so
 * replicas need no clock agreement.
 */
#include <stdlib.h>
#include <string.h>

#include "k8s/k8s_internal.h"
#include "util/alloc.h"

/* Seconds to milliseconds, saturating (leaseDurationSeconds is the document's). */
static int64_t duration_ms(int64_t duration_s)
{
	return duration_s > INT64_MAX / 1000 ? INT64_MAX : duration_s * 1000;
}

enum kdr_k8s__lease_step kdr_k8s__lease_decide(struct kdr_k8s__lease_seen *seen,
					       const struct kdr_k8s__lease_read *read, const char *identity,
					       int duration_s, int64_t now_ms)
{
	const char *holder = read->holder ? read->holder : "";
	char *key = NULL;
	int64_t duration = read->duration_s > 0 ? read->duration_s : duration_s;

	if (!read->exists)
		return KDR_K8S__LEASE_CREATE;
	key = kdr_asprintf("%s|%s", holder, read->renew_time ? read->renew_time : "");
	if (!seen->key || strcmp(seen->key, key) != 0 || now_ms < seen->since_ms) {
		free(seen->key);
		seen->key = key;
		key = NULL;
		seen->since_ms = now_ms;
	}
	free(key);
	if (strcmp(holder, identity) == 0)
		return KDR_K8S__LEASE_RENEW;
	if (!holder[0] || now_ms - seen->since_ms > duration_ms(duration))
		return KDR_K8S__LEASE_TAKE_OVER;
	return KDR_K8S__LEASE_FOLLOW;
}

bool kdr_k8s__lease_leads_after(enum kdr_k8s__lease_step step, bool wrote, bool leading)
{
	switch (step) {
	case KDR_K8S__LEASE_FOLLOW:
		return false;
	case KDR_K8S__LEASE_RENEW:
		/* A failed renewal changes nothing yet: kdr_k8s__lease_current ends it in time. */
		return wrote || leading;
	case KDR_K8S__LEASE_CREATE:
	case KDR_K8S__LEASE_TAKE_OVER:
		/* A conflict (409) means another replica wrote first: it leads. */
		return wrote;
	}
	return false;
}

bool kdr_k8s__lease_current(int64_t renewed_at_ms, int64_t now_ms, int duration_s)
{
	return now_ms >= renewed_at_ms && now_ms - renewed_at_ms <= duration_ms(duration_s);
}

void kdr_k8s__lease_seen_release(struct kdr_k8s__lease_seen *seen)
{
	free(seen->key);
	seen->key = NULL;
	seen->since_ms = 0;
}
