/*
 * The Kubernetes sources. The loop's: an informer per kdr kind keeps a cache
 * of the custom resources current (list + watch); the revision is a hash of
 * what a user controls in them (kind, namespace, name, uid, generation,
 * labels, annotations, spec), so kdr's own status writes do not wake the
 * loop, while any spec or annotation change does at the next check. Secrets
 * named by secretKeyRef are read from the object's namespace at use time.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "health/health.h"
#include "k8s/k8s.h"
#include "kafka/kafka.h"
#include "live/live.h"
#include "plan/plan.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"

#define MAX_KINDS 8

/* What both Kubernetes sources hold (the first member of each: their describe and resolver are one). */
struct k8s_common {
	struct kdr_k8s_client *client;
	char *namespace; /* NULL: all */
	char *description;
	struct kdr_secret_resolver resolver;
};

static int common_open(struct k8s_common *out, const struct kdr_k8s_config *config, const char *namespace,
		       int timeout_ms)
{
	int rc = kdr_k8s_client_new(&out->client, config, timeout_ms);

	if (rc != 0)
		return rc;
	out->namespace = namespace && namespace[0] ? kdr_strdup(namespace) : NULL;
	out->description = kdr_asprintf("k8s %s namespace %s", config->server, out->namespace ? out->namespace : "*");
	out->resolver.secret_lookup = kdr_k8s_secret_lookup;
	out->resolver.ctx = out->client;
	return 0;
}

static void common_release(struct k8s_common *common)
{
	kdr_k8s_client_free(common->client);
	free(common->namespace);
	free(common->description);
}

static const char *k8s_describe(void *ctx)
{
	const struct k8s_common *common = ctx;

	return common->description;
}

static const struct kdr_secret_resolver *k8s_resolver(void *ctx)
{
	const struct k8s_common *common = ctx;

	return &common->resolver;
}

/* Both sources record through the client they read with: the same server, credentials and TLS. */
static int k8s_record(struct kdr_strvec *done, const struct kdr_desired *desired, const struct kdr_source_change *change,
		      const char *message, void *ctx)
{
	struct k8s_common *common = ctx;

	(void)desired;
	(void)message;
	return kdr_k8s_record(done, common->client, change);
}

struct k8s_source {
	struct k8s_common c; /* first */
	struct kdr_k8s_informer *informers[MAX_KINDS];
	size_t n_informers;
	atomic_uint_fast64_t changes; /* bumped by the informers */
	uint64_t hashed_changes;      /* `changes` when `revision` was computed */
	char *revision;
	json_t *loaded;               /* the objects of the desired state in effect (annotations) */
	json_t *written;              /* "Kind ns/name" -> the status last written (loop thread only) */
	atomic_int leadership_changed; /* set by the election thread: `written` is stale */
	uint64_t status_writes;
	struct kdr_k8s_lease *lease;  /* NULL without leader election */
	char *identity;               /* ours in the election (the callback may run before `lease` is set) */
	bool checked;                 /* the first check happened */
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

static int k8s_revision(char **out, void *ctx)
{
	struct k8s_source *src = ctx;
	uint64_t changes = 0;
	json_t *objects = NULL;
	int rc = 0;

	/* The first check waits (a bounded while) for the first lists, so that the first cycle has objects. */
	for (int i = 0; !src->checked && i < 600 && not_synced(src) != 0; i++) {
		struct timespec pause = { 0, 50 * 1000000L };

		nanosleep(&pause, NULL);
	}
	src->checked = true;
	changes = atomic_load(&src->changes);
	rc = not_synced(src);

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
	json_t *objects = snapshot(src);
	char *now = NULL;
	int rc = 0;

	if (!objects)
		return kdr_error_set(KDR_EUNAVAILABLE, "kubernetes: the first list has not completed yet");
	now = revision_of(objects);
	if (revision && strcmp(now, revision) != 0)
		rc = kdr_error_set(KDR_ECONFLICT, "kubernetes: the objects changed while they were read; reading again");
	else
		rc = kdr_k8s_load_objects(out, diags, objects, src->c.description, now);
	if (rc == 0) {
		json_decref(src->loaded);
		src->loaded = json_incref(objects);
	}
	json_decref(objects);
	free(now);
	return rc;
}

static void k8s_free(void *ctx)
{
	struct k8s_source *src = ctx;

	if (!src)
		return;
	/* The Lease is released first; informers next: their threads use the client. */
	kdr_k8s_lease_free(src->lease);
	for (size_t i = 0; i < src->n_informers; i++)
		kdr_k8s_informer_free(src->informers[i]);
	common_release(&src->c);
	json_decref(src->loaded);
	json_decref(src->written);
	free(src->revision);
	free(src->identity);
	free(src);
}

/* --- paused / dry-run objects, and status --- */

#define ANNOTATION_PAUSED "kdr.io/paused"
#define ANNOTATION_DRY_RUN "kdr.io/dry-run"

static bool annotated(const json_t *object, const char *annotation)
{
	const char *v = json_string_value(
		json_object_get(json_object_get(json_object_get(object, "metadata"), "annotations"), annotation));

	return v && strcmp(v, "true") == 0;
}

static const char *object_name(const json_t *object)
{
	return json_string_value(json_object_get(json_object_get(object, "metadata"), "name"));
}

static const char *object_kind(const json_t *object)
{
	return json_string_value(json_object_get(object, "kind"));
}

/* The kind of object that wants an action of `kind`. */
static const char *owner_kind(enum kdr_action_kind kind)
{
	const char *name = kdr_action_kind_name(kind);

	if (strstr(name, "connector"))
		return "ReplicationFlow";
	if (strstr(name, "acl"))
		return "AccessPolicy";
	return "TopicPolicy";
}

/* The loaded object of `kind` named `name` (names are unique per kind: validated), or NULL. */
static const json_t *find_object(const json_t *objects, const char *kind, const char *name)
{
	size_t i = 0;
	json_t *object = NULL;

	if (!name)
		return NULL;
	json_array_foreach(objects, i, object) {
		const char *k = object_kind(object), *n = object_name(object);

		if (k && n && strcmp(k, kind) == 0 && strcmp(n, name) == 0)
			return object;
	}
	return NULL;
}

static bool k8s_hold(void *ctx, const struct kdr_action *action)
{
	struct k8s_source *src = ctx;

	/* Only the leader acts; the others plan and wait. */
	if (src->lease && !kdr_k8s_lease_leading(src->lease))
		return true;
	const json_t *owner = find_object(src->loaded, owner_kind(action->kind), action->policy);
	const json_t *cluster = find_object(src->loaded, "KafkaCluster", action->cluster);

	return (owner && (annotated(owner, ANNOTATION_PAUSED) || annotated(owner, ANNOTATION_DRY_RUN))) ||
	       (cluster && (annotated(cluster, ANNOTATION_PAUSED) || annotated(cluster, ANNOTATION_DRY_RUN)));
}

/* What one object's status says, decided from the cycle's report. */
struct verdict {
	bool ready, reconciling, stalled;
	const char *reason;
	struct kdr_buf message;
	json_t *by_action, *by_risk, *blocked_items;
	size_t actions, blocked, applied;
	size_t pending; /* applied, but Connect did not report the change within --timeout */
	bool has_plan;
};

static void say(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->message.len)
		kdr_buf_puts(&v->message, "; ");
	va_start(ap, fmt);
	kdr_buf_vprintf(&v->message, fmt, ap);
	va_end(ap);
}

static void count(json_t *map, const char *key)
{
	json_object_set_new(map, key, json_integer(json_integer_value(json_object_get(map, key)) + 1));
}

/* The errors of the rejected revision that name `ref` ("TopicPolicy ns/name"). */
static size_t own_errors(struct verdict *v, const struct kdr_diags *diags, const char *ref)
{
	size_t n = 0, len = strlen(ref);

	for (size_t i = 0; diags && i < diags->n; i++) {
		const struct kdr_diag *d = &diags->v[i];

		if (d->severity != KDR_SEV_ERROR || !d->where || strncmp(d->where, ref, len) != 0 ||
		    (d->where[len] != '\0' && d->where[len] != ':'))
			continue;
		if (n++ < 5)
			say(v, "%s%s%s", d->field ? d->field : "", d->field ? ": " : "", d->message);
	}
	return n;
}

static bool cluster_failed(const struct kdr_source_report *rep, const char *cluster, const char **why)
{
	for (size_t i = 0; cluster && i < rep->n_failed_clusters; i++)
		if (strcmp(rep->failed_clusters[i], cluster) == 0) {
			*why = rep->cluster_errors[i];
			return true;
		}
	return false;
}

static void judge(struct verdict *v, const json_t *object, const struct kdr_source_report *rep)
{
	const char *kind = object_kind(object), *name = object_name(object);
	const char *ns = json_string_value(json_object_get(json_object_get(object, "metadata"), "namespace"));
	char *ref = ns ? kdr_asprintf("%s %s/%s", kind, ns, name) : kdr_asprintf("%s/%s", kind, name);
	bool paused = annotated(object, ANNOTATION_PAUSED), dry = annotated(object, ANNOTATION_DRY_RUN) || rep->dry_run;
	bool failed = false, retriable = true, unreachable = false, held = false;
	const char *why = NULL;
	size_t errors = 0;

	v->ready = true;
	v->reason = "Reconciled";
	if (rep->rejected) {
		errors = own_errors(v, rep->rejected, ref);
		v->ready = false;
		v->stalled = true;
		if (errors) {
			v->reason = "ValidationFailed";
		} else {
			v->reason = "DesiredStateInvalid";
			say(v, "nothing is applied while other objects have errors (%zu)", rep->rejected->errors);
			own_errors(v, rep->rejected, "");
		}
		goto cleanup;
	}
	if (paused) {
		v->ready = false;
		v->reason = "Paused";
		say(v, ANNOTATION_PAUSED " is \"true\": kdr plans for this object but changes nothing");
	}
	if (strcmp(kind, "KafkaCluster") == 0 && cluster_failed(rep, name, &why)) {
		v->ready = false;
		v->reconciling = true;
		v->reason = "ClusterUnreachable";
		say(v, "%s", why);
	}
	for (size_t i = 0; rep->plan && i < rep->plan->n_actions; i++) {
		const struct kdr_action *a = &rep->plan->actions[i];
		const struct kdr_action_result *r = rep->results ? &rep->results[i] : NULL;
		bool mine = strcmp(kind, "KafkaCluster") == 0 ? a->cluster && strcmp(a->cluster, name) == 0
							       : a->policy && strcmp(owner_kind(a->kind), kind) == 0 &&
									 strcmp(a->policy, name) == 0;

		if (!mine)
			continue;
		v->actions++;
		count(v->by_action, kdr_action_kind_name(a->kind));
		count(v->by_risk, kdr_risk_name(a->risk));
		if (rep->held && rep->held[i])
			held = true;
		/* A change Connect has not reported yet is not applied: the next cycle sees whether it took. */
		if (r && r->attempted && r->code == 0 && r->unsettled)
			v->pending++;
		else if (r && r->attempted && r->code == 0)
			v->applied++;
		if (r && r->attempted && r->code != 0) {
			if (!failed)
				say(v, "%s %s: %s", kdr_action_kind_name(a->kind), a->resource ? a->resource : "",
				    r->message ? r->message : kdr_error_name(r->code));
			failed = true;
			retriable = retriable && kdr_error_retriable(r->code);
		}
		if ((!r || !r->attempted) && cluster_failed(rep, a->cluster, &why))
			unreachable = true;
	}
	for (size_t i = 0; rep->plan && i < rep->plan->n_blocked; i++) {
		const struct kdr_blocked *b = &rep->plan->blocked[i];
		json_t *item = NULL;

		if (!b->policy || strcmp(b->policy, name) != 0 || strcmp(kind, "KafkaCluster") == 0)
			continue;
		v->blocked++;
		if (json_array_size(v->blocked_items) < 50) {
			item = json_object();
			json_object_set_new(item, "cluster", json_string(b->cluster ? b->cluster : ""));
			json_object_set_new(item, "resource", json_string(b->resource ? b->resource : ""));
			json_object_set_new(item, "reason", json_string(b->reason ? b->reason : ""));
			json_array_append_new(v->blocked_items, item);
		}
	}
	v->has_plan = rep->plan != NULL;
	if (paused)
		goto cleanup;
	if (v->blocked) {
		v->ready = false;
		v->stalled = true;
		v->reason = "Blocked";
		say(v, "%zu change(s) kdr refuses: %s", v->blocked,
		    json_string_value(json_object_get(json_array_get(v->blocked_items, 0), "reason")));
	} else if (failed) {
		v->ready = false;
		v->reason = "ActionFailed";
		v->reconciling = retriable;
		v->stalled = !retriable;
	} else if (v->actions && (dry || held)) {
		v->ready = false;
		v->reason = "DryRun";
		say(v, "%zu action(s) planned, not applied (dry run)", v->actions);
	} else if (unreachable) {
		v->ready = false;
		v->reconciling = true;
		v->reason = "ClusterUnreachable";
		say(v, "a cluster it needs could not be read; its actions wait");
	} else if (v->actions && v->applied < v->actions) {
		v->ready = false;
		v->reconciling = true;
		v->reason = "Progressing";
		say(v, "%zu of %zu action(s) applied", v->applied, v->actions);
		if (v->pending)
			say(v, "%zu waiting for Connect to report the change", v->pending);
	} else if (strcmp(v->reason, "Reconciled") == 0) {
		say(v, v->applied ? "applied %zu action(s)" : "in sync (%zu actions)", v->applied);
	}
cleanup:
	free(ref);
}

/*
 * One Event when an object's Ready reason or message changes (so a failure
 * repeated every cycle is one Event, not one per cycle): Warning for the
 * reasons that need a human, Normal otherwise.
 */
static void event_on_change(struct k8s_source *src, const json_t *object, const json_t *old_status,
			    const struct verdict *v)
{
	const json_t *old_ready = NULL;
	size_t i = 0;
	json_t *c = NULL;
	bool warning = v->stalled || strcmp(v->reason, "ActionFailed") == 0 ||
		       strcmp(v->reason, "ClusterUnreachable") == 0;

	json_array_foreach(json_object_get(old_status, "conditions"), i, c)
		if (json_string_value(json_object_get(c, "type")) &&
		    strcmp(json_string_value(json_object_get(c, "type")), "Ready") == 0)
			old_ready = c;
	if (old_ready && json_string_value(json_object_get(old_ready, "reason")) &&
	    strcmp(json_string_value(json_object_get(old_ready, "reason")), v->reason) == 0 &&
	    strcmp(json_string_value(json_object_get(old_ready, "message")) ?
		   json_string_value(json_object_get(old_ready, "message")) : "", v->message.ptr) == 0)
		return;
	if (kdr_k8s_event(src->c.client, object, warning ? "Warning" : "Normal", v->reason, v->message.ptr,
			  src->lease ? kdr_k8s_lease_identity(src->lease) : NULL) != 0)
		fprintf(stderr, "kdr: event not recorded: %s\n", kdr_error_message());
}

/* A flow's connectors (kdr.<flow>.*) and their tasks, as read from each Connect this cycle. */
static json_t *flow_connectors(const struct kdr_live *live, const char *flow)
{
	json_t *list = json_array();
	char *prefix = kdr_asprintf("kdr.%s.", flow);

	for (size_t c = 0; c < live->n_clusters; c++) {
		const struct kdr_live_connect *connect = &live->clusters[c].connect;

		for (size_t i = 0; connect->present && i < connect->n_connectors; i++) {
			const struct kdr_live_connector *lc = &connect->connectors[i];
			json_t *item = NULL, *tasks = NULL;

			if (strncmp(lc->name, prefix, strlen(prefix)) != 0)
				continue;
			item = json_object();
			tasks = json_array();
			json_object_set_new(item, "name", json_string(lc->name));
			json_object_set_new(item, "cluster", json_string(live->clusters[c].name));
			json_object_set_new(item, "state", json_string(kdr_connector_state_name(lc->state)));
			for (size_t t = 0; t < lc->n_tasks; t++) {
				json_t *task = json_object();

				json_object_set_new(task, "id", json_integer(lc->tasks[t].id));
				json_object_set_new(task, "state", json_string(kdr_connector_state_name(lc->tasks[t].state)));
				json_array_append_new(tasks, task);
			}
			json_object_set_new(item, "tasks", tasks);
			json_array_append_new(list, item);
		}
	}
	free(prefix);
	return list;
}

/*
 * A known figure, or for an unknown one (negative) null: status is written as
 * a merge patch, where null removes the figure an earlier cycle wrote.
 */
static void set_count(json_t *obj, const char *key, int64_t value)
{
	json_object_set_new(obj, key, value >= 0 ? json_integer((json_int_t)value) : json_null());
}

/* status.lag of flow `flow`: this cycle's figures (the KDR_HEALTH_LAG_TOPICS topics furthest behind), or NULL. */
static json_t *flow_lag(const struct kdr_source_report *rep, const char *flow)
{
	const struct kdr_health_lag *lag = NULL;
	const struct kdr_health_topic_lag *order[KDR_HEALTH_LAG_TOPICS];
	json_t *out = NULL, *topics = NULL;
	size_t shown = 0;
	char when[KDR_CLOCK_UTC_SIZE];

	for (size_t i = 0; rep->status && i < rep->status->n_flows && !lag; i++)
		if (strcmp(rep->status->flows[i].name, flow) == 0)
			lag = &rep->status->flows[i].lag;
	if (!lag || (!lag->measured && !lag->error))
		return NULL;
	out = json_object();
	if (!lag->measured) {
		json_object_set_new(out, "error", json_string(lag->error));
		return out;
	}
	set_count(out, "records", lag->records);
	set_count(out, "rpoMs", lag->rpo_ms);
	set_count(out, "heartbeatAgeMs", lag->heartbeat_age_ms);
	kdr_k8s_time(when, lag->measured_at_ms);
	json_object_set_new(out, "measuredTime", json_string(when));
	shown = kdr_health_lag_worst(order, lag);
	topics = json_array();
	for (size_t i = 0; i < shown; i++) {
		json_t *item = json_object();

		json_object_set_new(item, "topic", json_string(order[i]->topic));
		set_count(item, "records", order[i]->records);
		set_count(item, "rpoMs", order[i]->rpo_ms);
		json_array_append_new(topics, item);
	}
	json_object_set_new(out, "topics", topics);
	json_object_set_new(out, "topicsOmitted", json_integer((json_int_t)(lag->n_topics - shown)));
	return out;
}

static void k8s_report(void *ctx, const struct kdr_source_report *rep)
{
	struct k8s_source *src = ctx;
	json_t *objects = NULL;
	char now[KDR_CLOCK_UTC_SIZE];
	size_t n_kinds = 0;
	const struct kdr_k8s_kind *kinds = kdr_k8s_kinds(&n_kinds);

	/*
	 * Leadership changed since the last report: forget what this replica
	 * wrote (another leader may have rewritten it). Cleared here, on the
	 * loop thread, never by the election thread's callback: `written` is
	 * read and written below without a lock.
	 */
	if (atomic_exchange(&src->leadership_changed, 0))
		json_object_clear(src->written);
	/* Unreachable source: the API server is what we would write to. Followers never write. */
	if (strcmp(rep->source_state, "unavailable") == 0 || (src->lease && !kdr_k8s_lease_leading(src->lease)))
		return;
	objects = snapshot(src);
	if (!objects)
		return;
	kdr_k8s_time(now, rep->now_unix_ms);
	for (size_t i = 0; i < json_array_size(objects); i++) {
		const json_t *object = json_array_get(objects, i);
		const json_t *meta = json_object_get(object, "metadata");
		const char *resource = NULL, *kind = object_kind(object);
		struct verdict v;
		struct kdr_k8s_condition conds[3];
		json_t *extra = json_object(), *plan = json_object(), *status = NULL;
		const json_t *old = json_object_get(object, "status");
		char *key = NULL;
		bool written = false;

		for (size_t k = 0; k < n_kinds; k++)
			if (kind && strcmp(kinds[k].kind, kind) == 0)
				resource = kinds[k].resource;
		if (!resource) {
			json_decref(extra);
			json_decref(plan);
			continue;
		}
		memset(&v, 0, sizeof(v));
		kdr_buf_init(&v.message);
		v.by_action = json_object();
		v.by_risk = json_object();
		v.blocked_items = json_array();
		judge(&v, object, rep);
		conds[0] = (struct kdr_k8s_condition){ "Ready", v.ready, v.reason, v.message.ptr };
		conds[1] = (struct kdr_k8s_condition){ "Reconciling", v.reconciling,
						       v.reconciling ? v.reason : "Idle", v.reconciling ? v.message.ptr : "" };
		conds[2] = (struct kdr_k8s_condition){ "Stalled", v.stalled, v.stalled ? v.reason : "NotStalled",
						       v.stalled ? v.message.ptr : "" };
		if (v.has_plan) {
			json_object_set_new(plan, "actions", json_integer((json_int_t)v.actions));
			json_object_set_new(plan, "blocked", json_integer((json_int_t)v.blocked));
			json_object_set(plan, "byAction", v.by_action);
			json_object_set(plan, "byRisk", v.by_risk);
			json_object_set(plan, "blockedItems", v.blocked_items);
			json_object_set_new(extra, "plan", plan);
			plan = NULL;
		} else if (json_object_get(old, "plan")) {
			json_object_set(extra, "plan", json_object_get(old, "plan"));
		}
		if (rep->desired && rep->desired->revision)
			json_object_set_new(extra, "revision", json_string(rep->desired->revision));
		if (strcmp(kind, "ReplicationFlow") == 0 && rep->live)
			json_object_set_new(extra, "connectors", flow_connectors(rep->live, object_name(object)));
		if (strcmp(kind, "ReplicationFlow") == 0) {
			json_t *lag = flow_lag(rep, object_name(object));

			if (lag)
				json_object_set_new(extra, "lag", lag);
			else if (json_object_get(old, "lag"))
				json_object_set(extra, "lag", json_object_get(old, "lag"));
		}
		if (v.applied)
			json_object_set_new(extra, "lastAppliedTime", json_string(now));
		else if (json_object_get(old, "lastAppliedTime"))
			json_object_set(extra, "lastAppliedTime", json_object_get(old, "lastAppliedTime"));
		status = kdr_k8s_status_build(old, json_integer_value(json_object_get(meta, "generation")), conds, 3,
					      extra, now);
		key = kdr_asprintf("%s %s/%s", kind, json_string_value(json_object_get(meta, "namespace")),
				   object_name(object));
		/* The cache may not have seen our last write yet: compare with that too. */
		if (!json_equal(json_object_get(src->written, key), status)) {
			const json_t *before = json_object_get(src->written, key) ? json_object_get(src->written, key) : old;

			if (kdr_k8s_status_write(src->c.client, object, resource, status, &written) == 0) {
				if (written)
					event_on_change(src, object, before, &v);
				json_object_set(src->written, key, status);
				if (written)
					src->status_writes++;
			} else {
				fprintf(stderr, "kdr: status of %s not written: %s\n", key, kdr_error_message());
			}
		}
		free(key);
		json_decref(status);
		json_decref(plan);
		json_decref(v.by_action);
		json_decref(v.by_risk);
		json_decref(v.blocked_items);
		kdr_buf_release(&v.message);
	}
	json_decref(objects);
}

static int k8s_leader(void *ctx)
{
	struct k8s_source *src = ctx;

	if (!src->lease)
		return 0;
	return kdr_k8s_lease_leading(src->lease) ? 2 : 1;
}

static const struct kdr_source_ops k8s_ops = {
	k8s_revision, k8s_load, k8s_describe, k8s_free, k8s_resolver, k8s_hold, k8s_report, k8s_leader, k8s_record,
};

static void leadership(bool leading, void *ctx)
{
	struct k8s_source *src = ctx;

	fprintf(stderr, "%s kdr: %s the leader lease as %s\n", leading ? "info" : "warn",
		leading ? "acquired" : "lost", src->identity);
	/* Status is rewritten by the new leader: the next report forgets what this replica wrote. */
	atomic_store(&src->leadership_changed, 1);
}

int kdr_k8s_source_watch(struct kdr_source *out, const struct kdr_k8s_config *config,
			 const struct kdr_k8s_source_options *options)
{
	struct k8s_source *src = kdr_calloc(1, sizeof(*src));
	size_t n_kinds = 0;
	const struct kdr_k8s_kind *kinds = kdr_k8s_kinds(&n_kinds);
	const char *namespace = options->namespace;
	int rc = common_open(&src->c, config, namespace, options->timeout_ms);

	atomic_init(&src->changes, 0);
	atomic_init(&src->leadership_changed, 0);
	src->written = json_object();
	if (rc != 0) {
		json_decref(src->written);
		free(src);
		return rc;
	}
	for (size_t i = 0; i < n_kinds && i < MAX_KINDS; i++) {
		struct kdr_k8s_informer_options io = { 0 };

		io.api_path = KDR_K8S_API_PATH;
		io.resource = kinds[i].resource;
		io.namespace = src->c.namespace;
		io.notify = on_change;
		io.ctx = src;
		rc = kdr_k8s_informer_start(&src->informers[i], src->c.client, &io);
		if (rc != 0) {
			k8s_free(src);
			return rc;
		}
		src->n_informers++;
	}
	if (options->leader_election) {
		struct kdr_k8s_lease_options lo = { 0 };
		char host[256] = "kdr";
		char *identity = NULL;

		gethostname(host, sizeof(host) - 1);
		identity = options->identity ? kdr_strdup(options->identity) : kdr_asprintf("%s_%d", host, (int)getpid());
		src->identity = identity;
		lo.namespace = options->lease_namespace ? options->lease_namespace : src->c.namespace;
		lo.name = options->lease_name;
		lo.identity = identity;
		lo.duration_s = options->lease_duration_s;
		lo.changed = leadership;
		lo.ctx = src;
		rc = kdr_k8s_lease_start(&src->lease, src->c.client, &lo);
		if (rc != 0) {
			k8s_free(src);
			return rc;
		}
	}
	out->ops = &k8s_ops;
	out->ctx = src;
	return 0;
}

/* --- the commands' source: every kind listed once, no watch --- */

struct list_source {
	struct k8s_common c;
};

static int list_load(struct kdr_desired *out, struct kdr_diags *diags, const char *revision, void *ctx)
{
	struct list_source *src = ctx;
	struct kdr_desired fresh;
	int rc = 0;

	memset(&fresh, 0, sizeof(fresh));
	rc = kdr_k8s_load(&fresh, diags, src->c.client, src->c.namespace);
	if (rc == 0 && revision && (!fresh.revision || strcmp(fresh.revision, revision) != 0))
		rc = kdr_error_set(KDR_ECONFLICT, "kubernetes: the objects changed while they were read; reading again");
	if (rc == 0) {
		kdr_desired_release(out);
		*out = fresh;
		memset(&fresh, 0, sizeof(fresh));
	}
	kdr_desired_release(&fresh);
	return rc;
}

/* The highest resourceVersion of the objects: what a list says (they are read to know it). */
static int list_revision(char **out, void *ctx)
{
	struct kdr_desired now;
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = 0;

	memset(&now, 0, sizeof(now));
	rc = list_load(&now, &diags, NULL, ctx);
	if (rc == 0)
		*out = kdr_strdup(now.revision ? now.revision : "");
	kdr_diags_release(&diags);
	kdr_desired_release(&now);
	return rc;
}

static void list_free(void *ctx)
{
	struct list_source *src = ctx;

	if (!src)
		return;
	common_release(&src->c);
	free(src);
}

static const struct kdr_source_ops list_ops = {
	list_revision, list_load, k8s_describe, list_free, k8s_resolver, NULL, NULL, NULL, k8s_record,
};

int kdr_k8s_source_list(struct kdr_source *out, const struct kdr_k8s_config *config, const char *namespace,
			int timeout_ms)
{
	struct list_source *src = kdr_calloc(1, sizeof(*src));
	int rc = common_open(&src->c, config, namespace, timeout_ms);

	if (rc != 0) {
		free(src);
		return rc;
	}
	out->ops = &list_ops;
	out->ctx = src;
	return 0;
}

int kdr_k8s_source_open(struct kdr_source *out, const struct kdr_source_selection *sel, unsigned flags,
			int timeout_ms, const struct kdr_k8s_source_options *watch)
{
	struct kdr_k8s_config config = { 0 };
	struct kdr_k8s_source_options options = { 0 };
	int rc = 0;

	if (!sel->k8s)
		return kdr_source_open(out, sel, flags, timeout_ms);
	if ((rc = kdr_k8s_config_load(&config, sel->kubeconfig, sel->context)) == 0 && watch) {
		options = *watch;
		options.namespace = sel->namespace;
		options.timeout_ms = timeout_ms;
		rc = kdr_k8s_source_watch(out, &config, &options);
	} else if (rc == 0) {
		rc = kdr_k8s_source_list(out, &config, sel->namespace, timeout_ms);
	}
	kdr_k8s_config_release(&config);
	return rc;
}
