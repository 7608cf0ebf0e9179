#ifndef KDR_K8S_K8S_H
#define KDR_K8S_K8S_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "source/source.h"
#include "util/clock.h"
#include "util/diag.h"

/*
 * The Kubernetes API client (DESIGN.md §5, the k8s source): configuration
 * from a kubeconfig or from inside a pod, plain requests, list + watch with
 * resourceVersion, bookmarks and relist on 410 Gone, and the kdr kinds read
 * as the same documents the dir and Git sources produce. libcurl and jansson
 * stay inside this module's .c files' conventions; callers see kdr codes.
 *
 * TLS is always verified: a kubeconfig that asks for
 * insecure-skip-tls-verify is refused. Tokens and keys are secrets: never
 * logged, never in an error message.
 */

/* --- configuration --- */

struct kdr_k8s_config {
	char *server;      /* "https://host:port", no trailing slash */
	char *ca_file;     /* CA bundle path, or NULL */
	char *ca_pem;      /* CA bundle (PEM), or NULL; one of the two is usually set */
	char *cert_file;   /* client certificate path, or NULL */
	char *cert_pem;    /* client certificate (PEM), or NULL */
	char *key_file;    /* client key path, or NULL */
	char *key_pem;     /* client key (PEM, secret), or NULL */
	char *token;       /* bearer token (secret), or NULL */
	char *token_file;  /* re-read when it changes (in-cluster, tokenFile), or NULL */
	char *tls_server_name; /* the name the server certificate must carry, or NULL: the host of `server` */
	char *namespace;   /* the context's namespace or the pod's; "default" when neither says */
	char *context;     /* the context used, or "in-cluster" */
};

/*
 * Reads kubeconfig `path` and the context `context` (NULL: current-context).
 * Supports token, tokenFile, client-certificate(-data), client-key(-data),
 * certificate-authority(-data) and tls-server-name; relative paths are
 * relative to the kubeconfig's directory. Refuses (KDR_EUNSUPPORTED)
 * exec/auth-provider credential plugins and insecure-skip-tls-verify.
 * Returns 0 and fills `out` (kdr_k8s_config_release), KDR_ENOTFOUND (no
 * file, no such context, cluster or user), KDR_EINVALID (not a kubeconfig),
 * KDR_EUNSUPPORTED, KDR_EIO; the message names the file and the entry.
 */
int kdr_k8s_config_kubeconfig(struct kdr_k8s_config *out, const char *path, const char *context);

/*
 * The pod's own configuration: KUBERNETES_SERVICE_HOST/PORT, and token,
 * ca.crt and namespace under `sa_dir` (NULL:
 * /var/run/secrets/kubernetes.io/serviceaccount). The token file is re-read
 * whenever it changes (projected tokens rotate). Returns 0, KDR_ENOTFOUND
 * (not in a cluster: variables or files missing), KDR_EIO.
 */
int kdr_k8s_config_in_cluster(struct kdr_k8s_config *out, const char *sa_dir);

/*
 * What a command uses: `kubeconfig` when given; else in-cluster when
 * KUBERNETES_SERVICE_HOST is set and no context is asked for; else the first
 * file of $KUBECONFIG; else ~/.kube/config. `context` as for
 * kdr_k8s_config_kubeconfig.
 */
int kdr_k8s_config_load(struct kdr_k8s_config *out, const char *kubeconfig, const char *context);

/* Frees the contents (secrets wiped); the struct is zeroed. */
void kdr_k8s_config_release(struct kdr_k8s_config *config);

/* --- requests --- */

struct kdr_k8s_client;

/*
 * A client for `config` (copied). `timeout_ms` bounds each plain request
 * (<= 0: 30000). Returns 0 and `*out` (kdr_k8s_client_free) or KDR_EINVALID
 * (no server, not https).
 */
int kdr_k8s_client_new(struct kdr_k8s_client **out, const struct kdr_k8s_config *config, int timeout_ms);

void kdr_k8s_client_free(struct kdr_k8s_client *client);

/* The namespace of the configuration (lent). */
const char *kdr_k8s_client_namespace(const struct kdr_k8s_client *client);

/* Requests sent so far (all threads), for tests and metrics. */
uint64_t kdr_k8s_client_requests(const struct kdr_k8s_client *client);

/*
 * One request: `method` "GET", "POST", "PUT", "PATCH" or "DELETE" on `path`
 * (starting with '/', query included); `body` (may be NULL) is sent with
 * `content_type` (NULL: application/json). On a 2xx the parsed body goes to
 * `*out` when out is not NULL (caller decrefs; NULL for an empty body).
 * `*http_status` (may be NULL) gets the status (0 without an answer).
 * Returns 0, or with kdr_error_set naming method, path and the API's
 * message: KDR_ENOTFOUND (404), KDR_EEXISTS (409 AlreadyExists),
 * KDR_ECONFLICT (409 Conflict, 410 Gone), KDR_EINVALID (400, 401, 403, 422),
 * KDR_EUNAVAILABLE (429, 5xx, transport), KDR_ETIMEOUT. Thread-safe.
 */
int kdr_k8s_request(struct kdr_k8s_client *client, json_t **out, long *http_status, const char *method,
		    const char *path, const char *content_type, const char *body);

/* --- watch --- */

/*
 * One watch event: `type` ADDED, MODIFIED, DELETED, BOOKMARK or ERROR;
 * `object` lent for the call. Return 0 to go on, non-zero to end the watch
 * (kdr_k8s_watch then returns 0).
 */
typedef int (*kdr_k8s_watch_fn)(const char *type, json_t *object, void *ctx);

/*
 * Streams `path` (a collection, e.g. /apis/kdr.io/v1alpha1/kafkaclusters)
 * with ?watch=1&allowWatchBookmarks=true&resourceVersion=RV, for at most
 * `timeout_s` seconds (server side; 0: 300). Each line is one event passed
 * to `fn` in order. Ends when the server closes (returns 0), `*stop` becomes
 * non-zero (checked at least once a second; returns 0), `fn` says so
 * (returns 0), or on failure: KDR_ECONFLICT when the resourceVersion is too
 * old (410 Gone, or an ERROR event with code 410 inside the 200 stream: the
 * caller relists), else the codes of kdr_k8s_request.
 */
int kdr_k8s_watch(struct kdr_k8s_client *client, const char *path, const char *resource_version, int timeout_s,
		  kdr_k8s_watch_fn fn, void *ctx, atomic_int *stop);

/* --- informers: a cache of one kind kept current by list + watch --- */

struct kdr_k8s_informer;

struct kdr_k8s_informer_options {
	const char *api_path;  /* "/apis/kdr.io/v1alpha1" */
	const char *resource;  /* "kafkaclusters" */
	const char *namespace; /* NULL: all namespaces */
	/* Called (on the informer's thread) after each change of the cache and after the first list. */
	void (*notify)(void *ctx);
	void *ctx;
	int watch_timeout_s;   /* per watch request; 0: 300 */
	int64_t backoff_max_ms; /* reconnect backoff cap; 0: 10000 */
};

/* Counters of an informer, for tests and logs. */
struct kdr_k8s_informer_stats {
	uint64_t lists;     /* successful lists (the first one and every relist) */
	uint64_t watches;   /* watch requests started */
	uint64_t gone;      /* 410s seen (each led to a relist) */
	uint64_t failures;  /* failed lists or watches (each followed by a backoff) */
	uint64_t bookmarks;
	uint64_t events;    /* ADDED, MODIFIED, DELETED applied */
	char *resource_version; /* the last one seen (heap) */
};

/*
 * Starts a thread that lists the collection (paged) and then watches it
 * from the list's resourceVersion, applying events to its cache; on 410 it
 * relists, on any other failure it reconnects after a backoff (200 ms
 * doubling to backoff_max_ms) from the last resourceVersion. The client must
 * outlive the informer. Returns 0 and `*out` (kdr_k8s_informer_free) or
 * KDR_EIO (thread).
 */
int kdr_k8s_informer_start(struct kdr_k8s_informer **out, struct kdr_k8s_client *client,
			   const struct kdr_k8s_informer_options *options);

/* Whether the first list has completed. */
bool kdr_k8s_informer_synced(struct kdr_k8s_informer *informer);

/*
 * A copy of the cache: a JSON array of the objects sorted by namespace and
 * name (caller decrefs). NULL before the first list.
 */
json_t *kdr_k8s_informer_snapshot(struct kdr_k8s_informer *informer);

/* A copy of the counters (release stats.resource_version with free). */
void kdr_k8s_informer_stats(struct kdr_k8s_informer_stats *out, struct kdr_k8s_informer *informer);

/* The last list or watch failure's message (heap, caller frees), or NULL. */
char *kdr_k8s_informer_last_error(struct kdr_k8s_informer *informer);

/* Stops the thread (within about a second) and frees everything; accepts NULL. */
void kdr_k8s_informer_free(struct kdr_k8s_informer *informer);

/* --- the kdr kinds --- */

struct kdr_k8s_kind {
	const char *kind;     /* "KafkaCluster" */
	const char *resource; /* "kafkaclusters" */
};

/* The kinds kdr reads, in a fixed order; `*n` gets their count. */
const struct kdr_k8s_kind *kdr_k8s_kinds(size_t *n);

#define KDR_K8S_API_PATH "/apis/kdr.io/v1alpha1"

/*
 * The collection path of `resource` in `namespace` (NULL: all namespaces),
 * heap: "/apis/kdr.io/v1alpha1/namespaces/NS/topicpolicies".
 */
char *kdr_k8s_collection_path(const char *api_path, const char *namespace, const char *resource);

/*
 * Parses `objects` (a JSON array of custom resources of any of the kdr
 * kinds, as an informer snapshot or a list's items hold them) into `into`
 * the way the dir source parses documents: each diagnostic names the object
 * "Kind namespace/name" and the field. A secretKeyRef's Secret name is
 * qualified with the object's namespace ("ns/name"), which is where
 * kdr_k8s_secret_lookup looks it up. Returns 0 or KDR_EINVALID (errors
 * added to diags).
 */
int kdr_k8s_parse_objects(struct kdr_desired *into, const json_t *objects, struct kdr_diags *diags);

/*
 * A kdr_secret_resolver callback: `secret_name` is "namespace/name" (as
 * kdr_k8s_parse_objects writes it), `ctx` a struct kdr_k8s_client. GETs the
 * Secret and base64-decodes data[key] into `*out` (heap, caller wipes).
 * Returns 0, KDR_ENOTFOUND (no such Secret or key; the message names them,
 * never a value) or the request's code.
 */
int kdr_k8s_secret_lookup(char **out, const char *secret_name, const char *key, void *ctx);

/*
 * Lists every kdr kind once (no watch) in `namespace` (NULL: all), parses
 * them with kdr_k8s_parse_objects and validates, all or nothing, like
 * kdr_source_load_dir: on success releases the previous contents of `*out`
 * and moves the new state in, with out->revision the highest
 * resourceVersion seen. Returns 0, KDR_EINVALID (diagnostics) or the
 * request's code; `*out` untouched on failure.
 */
int kdr_k8s_load(struct kdr_desired *out, struct kdr_diags *diags, struct kdr_k8s_client *client,
		 const char *namespace);

/*
 * `objects` (every kdr object, as listed or cached) parsed with
 * kdr_k8s_parse_objects and validated, all or nothing: on success the
 * previous contents of `*out` are released and the new state moved in with
 * `revision` (copied; may be NULL). KDR_EINVALID names `what` ("kubernetes
 * NS") in its one-line summary; `*out` untouched then.
 */
int kdr_k8s_load_objects(struct kdr_desired *out, struct kdr_diags *diags, const json_t *objects, const char *what,
			 const char *revision);

/* --- sources (struct kdr_source, source/source.h) --- */

/*
 * The commands' source (kdr plan --k8s ...): every kdr kind listed once per
 * load (kdr_k8s_load) in `namespace` (NULL: all namespaces), its revision
 * the highest resourceVersion; secretKeyRef values are read from Secrets of
 * the object's namespace. Returns 0, or the codes of kdr_k8s_client_new.
 */
int kdr_k8s_source_list(struct kdr_source *out, const struct kdr_k8s_config *config, const char *namespace,
			int timeout_ms);

/*
 * The loop's source: the kdr custom resources of a Kubernetes API server
 * (`config` copied), in `namespace` (NULL: all namespaces): one informer
 * (list + watch) per kind starts now. `revision` fails (retriable) until
 * every kind has been listed once, then returns a hash of what users
 * control in the objects (spec, labels, annotations, generation), so status
 * writes do not wake the loop; it costs nothing when no event came. `load`
 * parses the cached objects as documents (errors name "Kind ns/name" and
 * the field) and validates them. secretKeyRef values are read from Secrets
 * in the object's namespace. With leader election, actions are held and
 * status is not written unless this replica holds the Lease (a lost Lease
 * holds the next apply at once). `report` writes each object's status.
 * Returns 0, or the codes of kdr_k8s_client_new; `*out` set only on success.
 */
struct kdr_k8s_source_options {
	const char *namespace;       /* NULL: all namespaces */
	int timeout_ms;              /* per request; <= 0: 30000 */
	bool leader_election;        /* compete for a Lease; act and write status only while holding it */
	const char *lease_namespace; /* NULL: `namespace`, else the configuration's */
	const char *lease_name;      /* NULL: "kdr-leader" */
	int lease_duration_s;        /* 0: 15 */
	const char *identity;        /* NULL: hostname_pid */
};

int kdr_k8s_source_watch(struct kdr_source *out, const struct kdr_k8s_config *config,
			 const struct kdr_k8s_source_options *options);

struct kdr_source_selection;

/*
 * Opens any selection (source/source.h), the one way the commands and the
 * loop open their source: a Kubernetes one with the configuration of its
 * kubeconfig and context (kdr_k8s_config_load), listed once per load
 * (kdr_k8s_source_list, a command's), or with `watch` the loop's informers
 * and Lease (kdr_k8s_source_watch: `watch`'s settings, with the
 * selection's namespace and `timeout_ms`); a directory or Git repository
 * through kdr_source_open (`flags` its). `timeout_ms` bounds each request
 * (0: the defaults). Returns 0 or the opening's code (kdr_error_set);
 * `*out` is set only on success.
 */
int kdr_k8s_source_open(struct kdr_source *out, const struct kdr_source_selection *sel, unsigned flags,
			int timeout_ms, const struct kdr_k8s_source_options *watch);

/* --- recording a DR step (source/record.h) --- */

struct kdr_source_change;
struct kdr_strvec;

/*
 * The k8s sources' record operation (kdr_source_record's contract): each
 * edited flow's ReplicationFlow (its meta.namespace/name) is read and, unless
 * its spec already says so, patched (a JSON Patch of the edited spec fields
 * that first tests metadata.generation, so status writes in between do not
 * matter). A flow whose generation is no longer the one loaded, before or
 * during the patch, is refused with KDR_ECONFLICT. A whole document is a
 * ReplicationFlow custom resource: a new one (change->file_data, kdr
 * failback's step 1) is created before the patches in the namespace of
 * change->document_for, labelled kdr.io/created-by: failback and annotated
 * kdr.io/failback-of: that flow (one there with the same spec is done,
 * another KDR_EEXISTS); a removed one (change->document_flow, step 3) is
 * read before and deleted after the patches, only when it carries that mark
 * (else KDR_EEXISTS, left as it is), conditional on its uid and
 * resourceVersion. A whole document without its flow is KDR_EUNSUPPORTED,
 * refused before anything is sent. One line per object written goes to
 * `done`. Returns 0 or the request's code.
 */
int kdr_k8s_record(struct kdr_strvec *done, struct kdr_k8s_client *client, const struct kdr_source_change *change);

/* --- status --- */

/* One kstatus condition as kdr decides it; lastTransitionTime is kdr_k8s_status_build's. */
struct kdr_k8s_condition {
	const char *type;    /* "Ready", "Reconciling", "Stalled" */
	bool status;         /* "True" / "False" */
	const char *reason;  /* CamelCase */
	const char *message;
};

/*
 * The status to write: observedGeneration `generation`, the conditions (each
 * with observedGeneration, and lastTransitionTime `now` when its status
 * differs from the one in `old_status`, else the old time), and the members
 * of `extra` (taken; may be NULL) such as plan or revision. Returns a new
 * object (caller decrefs).
 */
json_t *kdr_k8s_status_build(const json_t *old_status, int64_t generation, const struct kdr_k8s_condition *conditions,
			     size_t n_conditions, json_t *extra, const char *now);

/* RFC 3339 UTC with seconds ("2026-12-06T21:00:00Z") of `unix_ms` into `out`. */
void kdr_k8s_time(char out[KDR_CLOCK_UTC_SIZE], int64_t unix_ms);

/*
 * Writes `status` (lent) into `object`'s status subresource with a merge
 * patch, unless it equals the object's current status. Returns 0 (`*written`
 * tells whether a request was sent), or the request's code.
 */
int kdr_k8s_status_write(struct kdr_k8s_client *client, const json_t *object, const char *resource,
			 const json_t *status, bool *written);

/* --- leader election --- */

struct kdr_k8s_lease;

struct kdr_k8s_lease_options {
	const char *namespace; /* NULL: the client's namespace */
	const char *name;      /* NULL: "kdr-leader" */
	const char *identity;  /* this replica (e.g. hostname_pid), required */
	int duration_s;        /* leaseDurationSeconds; 0: 15 */
	int renew_ms;          /* how often the Lease is read/renewed; 0: 2000 */
	/* Called on the election thread when leadership is gained or lost. */
	void (*changed)(bool leading, void *ctx);
	void *ctx;
};

/*
 * Starts competing for the Lease on a thread of its own (see lease.c for the
 * rules). The client must outlive it. Returns 0 and `*out`
 * (kdr_k8s_lease_free) or KDR_EIO.
 */
int kdr_k8s_lease_start(struct kdr_k8s_lease **out, struct kdr_k8s_client *client,
			const struct kdr_k8s_lease_options *options);

/* Whether this replica holds the Lease now (false for NULL). Thread-safe. */
bool kdr_k8s_lease_leading(struct kdr_k8s_lease *lease);

/* The identity this replica competes with (lent). */
const char *kdr_k8s_lease_identity(const struct kdr_k8s_lease *lease);

/* Stops; when leading, releases the Lease (holderIdentity cleared); accepts NULL. */
void kdr_k8s_lease_free(struct kdr_k8s_lease *lease);

/* --- events --- */

/*
 * Records an events.k8s.io/v1 Event about `object` (lent): `type` "Normal"
 * or "Warning", `reason` CamelCase, `note` (cut to 1 KiB), reported by
 * controller kdr.io/kdr instance `instance`. Returns 0 or the request's code.
 */
int kdr_k8s_event(struct kdr_k8s_client *client, const json_t *object, const char *type, const char *reason,
		  const char *note, const char *instance);

#endif
