#ifndef KDR_K8S_K8S_INTERNAL_H
#define KDR_K8S_K8S_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "k8s/k8s.h"

/* Helpers shared by pkg/k8s's files (kdr_k8s__ prefix: not part of the module's surface). */

/* Reads a file of at most 16 MiB into a NUL-terminated heap string; `len` may be NULL. */
int kdr_k8s__read_file(char **out, size_t *len, const char *path);

/* Parses one YAML document whose root is a map into jansson (every scalar a string). */
int kdr_k8s__parse_yaml(json_t **out, const char *label, const char *data, size_t len);

/*
 * Standard base64 (with or without padding, whitespace ignored) -> heap
 * bytes with a NUL after them, `*len` their count; NULL when malformed.
 */
unsigned char *kdr_k8s__base64_decode(const char *text, size_t *len);

/* The kdr code for an API answer with `http_status` and Status `reason` (may be NULL). */
int kdr_k8s__status_code(long http_status, const char *reason);

/*
 * GETs every page of collection `path` (limit 500, continue tokens) into a
 * new JSON array `*items` (each item given the list's apiVersion and its
 * kind), `*rv` the list's resourceVersion (heap). `stop` (may be NULL) cuts
 * it short between pages. Returns 0 or the request's code.
 */
int kdr_k8s__list(json_t **items, char **rv, struct kdr_k8s_client *client, const char *path, atomic_int *stop);

/*
 * A background loop's sleep of `ms` between rounds: returns early once *stop
 * is raised (kdr_k8s__stop). `lock` must not be held; `cond` is its partner.
 */
void kdr_k8s__nap(atomic_int *stop, pthread_mutex_t *lock, pthread_cond_t *cond, int64_t ms);

/* Stops a background loop: raises *stop, wakes its kdr_k8s__nap, and joins `thread` when `started`. */
void kdr_k8s__stop(atomic_int *stop, pthread_mutex_t *lock, pthread_cond_t *cond, bool started, pthread_t thread);

/* Now as a MicroTime (Lease, Event): RFC 3339 with microseconds, UTC. */
void kdr_k8s__micro_time(char out[KDR_CLOCK_UTC_SIZE]);

/* "ns/name" of an object's metadata (heap), "name" when it has no namespace. */
char *kdr_k8s__object_key(const json_t *object);

/* --- recording a DR step (record.c, record_document.c) --- */

struct kdr_source_change;
struct kdr_strvec;

/* The KDR_ECONFLICT error for `flow`, whose spec moved on since it was loaded (`now`: the generation read). */
int kdr_k8s__generation_moved(const struct kdr_flow *flow, long long now);

/*
 * Creates change->file_data (a YAML document) as a ReplicationFlow in the
 * namespace of change->document_for, labelled kdr.io/created-by: failback
 * and annotated kdr.io/failback-of: its name. An object of that name with
 * the same spec is done (nothing appended to `done`); another is
 * KDR_EEXISTS. Returns 0 or KDR_EINVALID / the request's code.
 */
int kdr_k8s__record_create(struct kdr_strvec *done, struct kdr_k8s_client *client,
			   const struct kdr_source_change *change);

/*
 * Reads change->document_flow's object before anything is recorded: `*out`
 * the object (caller decrefs), NULL when it is gone already; KDR_ECONFLICT
 * when its generation is not the one loaded.
 */
int kdr_k8s__removal_read(json_t **out, struct kdr_k8s_client *client, const struct kdr_source_change *change);

/*
 * Deletes the object `read` (kdr_k8s__removal_read's), conditional on its
 * uid and resourceVersion, only when it carries kdr_k8s__record_create's
 * mark for change->document_for (else KDR_EEXISTS, left as it is). A
 * precondition failed on a status write alone is tried again (same uid,
 * generation and mark); a replaced object or a changed spec is
 * KDR_ECONFLICT. Already gone: 0, nothing appended.
 */
int kdr_k8s__record_delete(struct kdr_strvec *done, struct kdr_k8s_client *client,
			   const struct kdr_source_change *change, const json_t *read);

/* --- leader election's decision (lease_decision.c): pure, no clock, no requests --- */

/* What a candidate remembers of the Lease between rounds (zeroed: nothing yet). */
struct kdr_k8s__lease_seen {
	char *key;        /* "holder|renewTime" as last read; NULL: never read */
	int64_t since_ms; /* our monotonic time when that key was first read */
};

/* The Lease as read (strings borrowed): holder and renew_time NULL when absent. */
struct kdr_k8s__lease_read {
	bool exists;
	const char *holder;
	const char *renew_time;
	int64_t duration_s; /* leaseDurationSeconds; 0 or less: absent (ours applies) */
};

enum kdr_k8s__lease_step {
	KDR_K8S__LEASE_CREATE,    /* there is no Lease: create it, holding it */
	KDR_K8S__LEASE_RENEW,     /* ours: write a new renewTime */
	KDR_K8S__LEASE_TAKE_OVER, /* free, or unchanged for its duration by our clock: write us as holder */
	KDR_K8S__LEASE_FOLLOW,    /* another replica's and alive: do not lead */
};

/*
 * Decides one round from the Lease read at monotonic `now_ms` by `identity`
 * (our `duration_s` applies when the Lease has none), and updates `seen`
 * (its key is heap, kdr_k8s__lease_seen_release). A holder is expired when
 * its key has not changed for the duration by our clock; a clock that went
 * back restarts that wait (never a take-over on a jump).
 */
enum kdr_k8s__lease_step kdr_k8s__lease_decide(struct kdr_k8s__lease_seen *seen,
					       const struct kdr_k8s__lease_read *read, const char *identity,
					       int duration_s, int64_t now_ms);

/* Whether we lead after a round's `step` whose write succeeded (`wrote`), having led before or not. */
bool kdr_k8s__lease_leads_after(enum kdr_k8s__lease_step step, bool wrote, bool leading);

/*
 * Whether our last successful write at `renewed_at_ms` still covers
 * `now_ms`: within `duration_s`; a clock before that write answers false
 * (the next renewal decides again).
 */
bool kdr_k8s__lease_current(int64_t renewed_at_ms, int64_t now_ms, int duration_s);

/* Frees the remembered key; `seen` is zeroed. */
void kdr_k8s__lease_seen_release(struct kdr_k8s__lease_seen *seen);

#endif
