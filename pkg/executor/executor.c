#include "executor/executor.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "connect/connect.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/scrub.h"

static bool selected(const struct kdr_executor_options *options, const char *name)
{
	if (!options->clusters || options->n_clusters == 0)
		return true;
	for (size_t i = 0; i < options->n_clusters; i++)
		if (strcmp(options->clusters[i], name) == 0)
			return true;
	return false;
}

static void kafka_options(struct kdr_kafka_options *out, const struct kdr_executor_options *options)
{
	memset(out, 0, sizeof(*out));
	out->timeout_ms = options->timeout_ms;
	out->resolver = options->resolver;
	out->validate_only = options->validate_only;
}

/* A Connect that cannot be read leaves connect.present false: the plan warns and skips its connectors. */
static void read_connect(struct kdr_live_connect *out, struct kdr_executor_errors *errors,
			 const struct kdr_cluster *cl, const struct kdr_executor_options *options)
{
	struct kdr_connect_options copts = KDR_CONNECT_OPTIONS_INIT;
	struct kdr_connect_client *client = NULL;
	int rc;

	if (options->timeout_ms > 0)
		copts.timeout_ms = options->timeout_ms;
	copts.resolver = options->resolver;
	rc = kdr_connect_client_open(&client, cl, &copts);
	if (rc == 0)
		rc = kdr_connect_read(out, client);
	if (rc != 0) {
		struct kdr_live_cluster discard = { 0 };

		kdr_strvec_push(&errors->messages, kdr_error_message());
		discard.connect = *out;
		kdr_live_cluster_release(&discard);
		memset(out, 0, sizeof(*out));
		/* The plan says why (an error of the plan, not only a line on stderr). */
		out->read_error = kdr_strdup(kdr_error_message());
	}
	kdr_connect_client_free(client);
}

static int resolve_secret(char **out, const struct kdr_value *value, void *ctx)
{
	return kdr_value_resolve(out, value, ctx);
}

void kdr_executor_secrets(struct kdr_mm2_secrets *out, const struct kdr_secret_resolver *resolver)
{
	out->lookup = resolve_secret;
	/* kdr_value_resolve takes a const resolver; the callback context is untyped. */
	out->ctx = (void *)(uintptr_t)resolver;
}

/* One cluster's read, done on its own thread. */
struct cluster_read {
	const struct kdr_cluster *cl;
	const struct kdr_executor_options *options;
	struct kdr_live_cluster live;
	struct kdr_executor_errors errors; /* messages of this cluster only */
	int rc;
	pthread_t thread;
	bool started;
};

static void *read_one_cluster(void *arg)
{
	struct cluster_read *read = arg;
	struct kdr_kafka_options kopts;

	kafka_options(&kopts, read->options);
	if (read->options->read_groups) {
		struct kdr_kafka_conn *conn = NULL;

		read->rc = kdr_kafka_conn_open(&conn, read->cl, &kopts);
		if (read->rc == 0)
			read->rc = kdr_kafka_conn_read(&read->live, conn);
		if (read->rc == 0 &&
		    kdr_kafka_conn_read_groups(&read->live, conn, read->options->read_groups == KDR_READ_GROUPS_OFFSETS) != 0)
			kdr_strvec_push(&read->errors.messages, kdr_error_message());
		kdr_kafka_conn_free(conn);
	} else {
		read->rc = kdr_kafka_read_cluster(&read->live, read->cl, &kopts);
	}
	if (read->rc != 0) {
		/* The message is thread-local: take it here, on the thread that failed. */
		kdr_strvec_push(&read->errors.messages, kdr_error_message());
		return NULL;
	}
	if (read->cl->connect.present)
		read_connect(&read->live.connect, &read->errors, read->cl, read->options);
	return NULL;
}

/* Every secret value of the desired clusters that resolves now (what remote text must never show). */
static void collect_secrets(struct kdr_strvec *out, const struct kdr_desired *desired,
			    const struct kdr_secret_resolver *resolver)
{
	for (size_t c = 0; c < desired->n_clusters; c++) {
		const struct kdr_cluster *cl = &desired->clusters[c];
		const struct kdr_value *connect[] = { &cl->connect.token, &cl->connect.password };
		char *text = NULL;

		for (size_t i = 0; i < cl->client_config.n; i++) {
			const struct kdr_value_entry *entry = &cl->client_config.v[i];

			if (!kdr_value_is_secret(entry->key, &entry->value) ||
			    kdr_value_resolve(&text, &entry->value, resolver) != 0)
				continue;
			if (text[0])
				kdr_strvec_push(out, text);
			explicit_bzero(text, strlen(text));
			free(text);
			text = NULL;
		}
		/* The password of a connect.url's userinfo (http://user:password@host). */
		if (cl->connect.url && strstr(cl->connect.url, "://")) {
			const char *user = strstr(cl->connect.url, "://") + 3;
			const char *end = user + strcspn(user, "/@");
			const char *colon = *end == '@' ? memchr(user, ':', (size_t)(end - user)) : NULL;

			if (colon && end > colon + 1)
				kdr_strvec_push_take(out, kdr_strndup(colon + 1, (size_t)(end - colon - 1)));
		}
		for (size_t i = 0; i < 2; i++) {
			if (connect[i]->kind == KDR_VALUE_LITERAL && !connect[i]->literal)
				continue;
			if (kdr_value_resolve(&text, connect[i], resolver) != 0)
				continue;
			if (text[0])
				kdr_strvec_push(out, text);
			explicit_bzero(text, strlen(text));
			free(text);
			text = NULL;
		}
	}
}

/*
 * Text that came from Kafka or Connect (a failed task's trace quoting a JAAS
 * config, an error naming a URL) is kept only with every resolved secret
 * masked and URL userinfo masked: status, plans and logs print it.
 */
static void scrub_live(struct kdr_live *live, const struct kdr_desired *desired,
		       const struct kdr_executor_options *options)
{
	struct kdr_strvec secrets = KDR_STRVEC_INIT;

	collect_secrets(&secrets, desired, options->resolver);
	for (size_t c = 0; c < live->n_clusters; c++) {
		struct kdr_live_connect *connect = &live->clusters[c].connect;

		kdr_scrub_secrets(&connect->read_error, &secrets);
		kdr_scrub_secrets(&connect->url, &secrets);
		for (size_t i = 0; i < connect->n_connectors; i++) {
			kdr_scrub_secrets(&connect->connectors[i].trace, &secrets);
			for (size_t t = 0; t < connect->connectors[i].n_tasks; t++)
				kdr_scrub_secrets(&connect->connectors[i].tasks[t].trace, &secrets);
		}
	}
	for (size_t i = 0; i < live->n_unread; i++)
		kdr_scrub_secrets(&live->unread[i].reason, &secrets);
	for (size_t i = 0; i < secrets.n; i++)
		explicit_bzero(secrets.v[i], strlen(secrets.v[i]));
	kdr_strvec_release(&secrets);
}

int kdr_executor_read_live(struct kdr_live *out, struct kdr_executor_errors *errors,
			   const struct kdr_desired *desired, const struct kdr_executor_options *options)
{
	struct cluster_read *reads = kdr_calloc(desired->n_clusters + 1, sizeof(*reads));
	int first_error = 0;

	/*
	 * Clusters are independent and each read waits on the network: read
	 * them side by side (each with its own librdkafka and libcurl handles).
	 */
	for (size_t i = 0; i < desired->n_clusters; i++) {
		struct cluster_read *read = &reads[i];

		read->cl = &desired->clusters[i];
		read->options = options;
		if (!selected(options, read->cl->meta.name))
			continue;
		read->started = pthread_create(&read->thread, NULL, read_one_cluster, read) == 0;
		if (!read->started)
			read_one_cluster(read);
	}
	for (size_t i = 0; i < desired->n_clusters; i++) {
		struct cluster_read *read = &reads[i];
		struct kdr_live_cluster *slot = NULL;

		if (!selected(options, read->cl->meta.name))
			continue;
		if (read->started)
			pthread_join(read->thread, NULL);
		for (size_t m = 0; m < read->errors.messages.n; m++)
			kdr_strvec_push(&errors->messages, read->errors.messages.v[m]);
		if (read->rc != 0)
			kdr_live_set_unread(out, read->cl->meta.name,
					    read->errors.messages.n ? read->errors.messages.v[0] : "read failed");
		kdr_executor_errors_release(&read->errors);
		if (read->rc != 0) {
			kdr_live_cluster_release(&read->live);
			if (!first_error) {
				first_error = read->rc;
				kdr_error_set(read->rc, "%s", errors->messages.n ? errors->messages.v[0] : "read failed");
			}
			continue;
		}
		slot = kdr_live_add_cluster(out, read->cl->meta.name);
		free(slot->name);
		*slot = read->live;
	}
	free(reads);
	scrub_live(out, desired, options);
	for (size_t i = 0; i < errors->messages.n; i++)
		kdr_scrub_secrets(&errors->messages.v[i], NULL);
	kdr_live_sort(out);
	return first_error;
}

static bool is_connector_action(enum kdr_action_kind kind)
{
	return kind == KDR_ACTION_CREATE_CONNECTOR || kind == KDR_ACTION_UPDATE_CONNECTOR ||
	       kind == KDR_ACTION_PAUSE_CONNECTOR || kind == KDR_ACTION_RESUME_CONNECTOR ||
	       kind == KDR_ACTION_RESTART_CONNECTOR || kind == KDR_ACTION_DELETE_CONNECTOR;
}

static int run_connector_action(struct kdr_connect_client *client, const struct kdr_action *action)
{
	int rc = 0;

	switch (action->kind) {
	case KDR_ACTION_CREATE_CONNECTOR:
	case KDR_ACTION_UPDATE_CONNECTOR:
		return kdr_connect_put_config(client, action->resource, &action->config, NULL);
	case KDR_ACTION_PAUSE_CONNECTOR:
		return kdr_connect_pause(client, action->resource);
	case KDR_ACTION_RESUME_CONNECTOR:
		return kdr_connect_resume(client, action->resource);
	case KDR_ACTION_RESTART_CONNECTOR:
		/* One attempt per task per reconcile: a task that fails again is reported, not looped on. */
		if (action->n_task_ids == 0)
			return kdr_connect_restart(client, action->resource, true, true);
		for (size_t t = 0; t < action->n_task_ids && rc == 0; t++)
			rc = kdr_connect_restart_task(client, action->resource, action->task_ids[t]);
		return rc;
	case KDR_ACTION_DELETE_CONNECTOR:
		return kdr_connect_delete(client, action->resource);
	default:
		return kdr_error_set(KDR_EUNSUPPORTED, "not a connector action");
	}
}

/*
 * Connector actions run after the Kafka ones (remote topics and their
 * placement exist before MM2 starts writing). A Connect that cannot be
 * reached fails its own actions only.
 */
static void apply_connectors(struct kdr_apply_report *out, const struct kdr_plan *plan,
			     const struct kdr_desired *desired, const struct kdr_executor_options *options)
{
	struct kdr_connect_options copts = KDR_CONNECT_OPTIONS_INIT;

	if (options->timeout_ms > 0)
		copts.timeout_ms = options->timeout_ms;
	copts.resolver = options->resolver;
	for (size_t c = 0; c < desired->n_clusters; c++) {
		const struct kdr_cluster *cl = &desired->clusters[c];
		struct kdr_connect_client *client = NULL;
		int open_rc = 1;

		if (!selected(options, cl->meta.name))
			continue;
		for (size_t i = 0; i < plan->n_actions; i++) {
			const struct kdr_action *action = &plan->actions[i];
			struct kdr_action_result *result = &out->results[i];
			int rc;

			if (!is_connector_action(action->kind) || strcmp(action->cluster, cl->meta.name) != 0)
				continue;
			if (options->validate_only)
				continue; /* Connect has no dry run for changes; left unattempted */
			if (open_rc == 1)
				open_rc = kdr_connect_client_open(&client, cl, &copts);
			result->attempted = true;
			rc = open_rc ? open_rc : run_connector_action(client, action);
			result->code = rc;
			if (rc != 0) {
				result->error_name = kdr_strdup(kdr_error_name(rc));
				result->message = kdr_strdup(kdr_error_message());
			}
		}
		kdr_connect_client_free(client);
	}
}

int kdr_executor_apply(struct kdr_apply_report *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
		       const struct kdr_executor_options *options)
{
	struct kdr_kafka_options kopts;
	struct kdr_action_result *cluster_results = NULL;
	int first_error = 0;

	memset(out, 0, sizeof(*out));
	out->n = plan->n_actions;
	out->results = kdr_calloc(plan->n_actions, sizeof(*out->results));
	cluster_results = kdr_calloc(plan->n_actions, sizeof(*cluster_results));
	kafka_options(&kopts, options);
	for (size_t c = 0; c < desired->n_clusters; c++) {
		const struct kdr_cluster *cl = &desired->clusters[c];
		bool has_actions = false;

		if (!selected(options, cl->meta.name))
			continue;
		for (size_t i = 0; i < plan->n_actions && !has_actions; i++)
			has_actions = strcmp(plan->actions[i].cluster, cl->meta.name) == 0 &&
				      kdr_kafka_handles(plan->actions[i].kind);
		if (!has_actions)
			continue;
		memset(cluster_results, 0, plan->n_actions * sizeof(*cluster_results));
		kdr_kafka_apply(cluster_results, plan, cl, &kopts);
		/* The adapter fills only this cluster's actions; keep those. */
		for (size_t i = 0; i < plan->n_actions; i++) {
			if (cluster_results[i].attempted)
				out->results[i] = cluster_results[i];
			else
				kdr_action_result_release(&cluster_results[i]);
		}
	}
	apply_connectors(out, plan, desired, options);
	for (size_t i = 0; i < plan->n_actions; i++) {
		if (!out->results[i].attempted)
			out->skipped++;
		else if (out->results[i].code == 0)
			out->succeeded++;
		else {
			out->failed++;
			if (!first_error)
				first_error = out->results[i].code;
		}
	}
	free(cluster_results);
	return first_error;
}

void kdr_apply_report_release(struct kdr_apply_report *report)
{
	for (size_t i = 0; i < report->n; i++)
		kdr_action_result_release(&report->results[i]);
	free(report->results);
	memset(report, 0, sizeof(*report));
}

void kdr_executor_errors_release(struct kdr_executor_errors *errors)
{
	kdr_strvec_release(&errors->messages);
}
