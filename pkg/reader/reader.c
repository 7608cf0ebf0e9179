/* The live state of the declared clusters, read side by side (one thread per cluster). */
#include "reader/reader.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "connect/connect.h"
#include "kafka/kafka.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/scrub.h"

static bool selected(const struct kdr_reader_options *options, const char *name)
{
	return kdr_names_select(options->clusters, options->n_clusters, name);
}

/* A Connect that cannot be read leaves connect.present false: the plan warns and skips its connectors. */
static void read_connect(struct kdr_live_connect *out, struct kdr_strvec *messages, const struct kdr_cluster *cl,
			 const struct kdr_reader_options *options)
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

		kdr_strvec_push(messages, kdr_error_message());
		discard.connect = *out;
		kdr_live_cluster_release(&discard);
		memset(out, 0, sizeof(*out));
		/* The plan says why (an error of the plan, not only a line on stderr). */
		out->read_error = kdr_strdup(kdr_error_message());
	}
	kdr_connect_client_free(client);
}

/*
 * Whether the desired state may plan ACL bindings on cluster `name` (an
 * AccessPolicy on it, or a flow with mirrorAcls into it): then an empty
 * DescribeAcls answer is worth checking (kdr_kafka_options.verify_empty_acls).
 */
static bool manages_acls(const struct kdr_desired *desired, const char *name)
{
	for (size_t i = 0; name && i < desired->n_access_policies; i++)
		if (kdr_access_policy_on(&desired->access_policies[i], name))
			return true;
	for (size_t i = 0; name && i < desired->n_flows; i++)
		if (desired->flows[i].mirror_acls && desired->flows[i].target &&
		    strcmp(desired->flows[i].target, name) == 0)
			return true;
	return false;
}

/* One cluster's read, done on its own thread. */
struct cluster_read {
	const struct kdr_cluster *cl;
	const struct kdr_reader_options *options;
	bool verify_empty_acls;
	struct kdr_live_cluster live;
	struct kdr_strvec messages; /* of this cluster only */
	int rc;
	pthread_t thread;
	bool started;
};

static void *read_one_cluster(void *arg)
{
	struct cluster_read *read = arg;
	struct kdr_kafka_options kopts;

	memset(&kopts, 0, sizeof(kopts));
	kopts.timeout_ms = read->options->timeout_ms;
	kopts.resolver = read->options->resolver;
	kopts.verify_empty_acls = read->verify_empty_acls;
	if (read->options->read_groups) {
		struct kdr_kafka_conn *conn = NULL;

		read->rc = kdr_kafka_conn_open(&conn, read->cl, &kopts);
		if (read->rc == 0)
			read->rc = kdr_kafka_conn_read(&read->live, conn);
		if (read->rc == 0 &&
		    kdr_kafka_conn_read_groups(&read->live, conn, read->options->read_groups == KDR_READ_GROUPS_OFFSETS) != 0)
			kdr_strvec_push(&read->messages, kdr_error_message());
		kdr_kafka_conn_free(conn);
	} else {
		read->rc = kdr_kafka_pool_read(read->options->pool, &read->live, read->cl, &kopts);
	}
	if (read->rc != 0) {
		/* The message is thread-local: take it here, on the thread that failed. */
		kdr_strvec_push(&read->messages, kdr_error_message());
		return NULL;
	}
	if (read->cl->connect.present)
		read_connect(&read->live.connect, &read->messages, read->cl, read->options);
	return NULL;
}

/* Resolves `value` and keeps it (non-empty) in `out`; the transient copy is wiped. */
static void collect_secret(struct kdr_strvec *out, const struct kdr_value *value,
			   const struct kdr_secret_resolver *resolver)
{
	char *text = NULL;

	if (kdr_value_resolve(&text, value, resolver) != 0)
		return;
	if (text[0])
		kdr_strvec_push(out, text);
	explicit_bzero(text, strlen(text));
	free(text);
}

/* Every secret value of the desired clusters that resolves now (what remote text must never show). */
static void collect_secrets(struct kdr_strvec *out, const struct kdr_desired *desired,
			    const struct kdr_secret_resolver *resolver)
{
	for (size_t c = 0; c < desired->n_clusters; c++) {
		const struct kdr_cluster *cl = &desired->clusters[c];
		const struct kdr_value *connect[] = { &cl->connect.token, &cl->connect.password };

		for (size_t i = 0; i < cl->client_config.n; i++) {
			const struct kdr_value_entry *entry = &cl->client_config.v[i];

			if (kdr_value_is_secret(entry->key, &entry->value))
				collect_secret(out, &entry->value, resolver);
		}
		/* The password of a connect.url's userinfo (http://user:password@host). */
		if (cl->connect.url && strstr(cl->connect.url, "://")) {
			const char *user = strstr(cl->connect.url, "://") + 3;
			const char *end = user + strcspn(user, "/@");
			const char *colon = *end == '@' ? memchr(user, ':', (size_t)(end - user)) : NULL;

			if (colon && end > colon + 1)
				kdr_strvec_push_take(out, kdr_strndup(colon + 1, (size_t)(end - colon - 1)));
		}
		for (size_t i = 0; i < 2; i++)
			if (connect[i]->kind != KDR_VALUE_LITERAL || connect[i]->literal)
				collect_secret(out, connect[i], resolver);
	}
}

/*
 * Text that came from Kafka or Connect (a failed task's trace quoting a JAAS
 * config, an error naming a URL) is kept only with every resolved secret
 * masked and URL userinfo masked: status, plans and logs print it.
 */
static void scrub_live(struct kdr_live *live, const struct kdr_strvec *secrets)
{
	for (size_t c = 0; c < live->n_clusters; c++) {
		struct kdr_live_connect *connect = &live->clusters[c].connect;

		kdr_scrub_secrets(&connect->read_error, secrets);
		kdr_scrub_secrets(&connect->url, secrets);
		for (size_t i = 0; i < connect->n_connectors; i++) {
			kdr_scrub_secrets(&connect->connectors[i].trace, secrets);
			for (size_t t = 0; t < connect->connectors[i].n_tasks; t++)
				kdr_scrub_secrets(&connect->connectors[i].tasks[t].trace, secrets);
		}
	}
	for (size_t i = 0; i < live->n_unread; i++)
		kdr_scrub_secrets(&live->unread[i].reason, secrets);
}

int kdr_reader_read(struct kdr_live *out, struct kdr_reader_report *report, const struct kdr_desired *desired,
		    const struct kdr_reader_options *options)
{
	struct cluster_read *reads = kdr_calloc(desired->n_clusters + 1, sizeof(*reads));
	struct kdr_reader_report discard = { 0 };
	struct kdr_strvec secrets = KDR_STRVEC_INIT;
	int first_error = 0;

	if (!report)
		report = &discard;
	report->clusters = kdr_calloc(desired->n_clusters + 1, sizeof(*report->clusters));
	/*
	 * Clusters are independent and each read waits on the network: read
	 * them side by side (each with its own librdkafka and libcurl handles).
	 */
	for (size_t i = 0; i < desired->n_clusters; i++) {
		struct cluster_read *read = &reads[i];

		read->cl = &desired->clusters[i];
		read->options = options;
		read->verify_empty_acls = options->verify_acls || manages_acls(desired, read->cl->meta.name);
		if (!selected(options, read->cl->meta.name))
			continue;
		read->started = pthread_create(&read->thread, NULL, read_one_cluster, read) == 0;
		if (!read->started)
			read_one_cluster(read);
	}
	for (size_t i = 0; i < desired->n_clusters; i++) {
		struct cluster_read *read = &reads[i];
		struct kdr_reader_cluster *outcome = NULL;
		struct kdr_live_cluster *slot = NULL;

		if (!selected(options, read->cl->meta.name))
			continue;
		if (read->started)
			pthread_join(read->thread, NULL);
		outcome = &report->clusters[report->n_clusters++];
		outcome->name = read->cl->meta.name;
		outcome->code = read->rc;
		outcome->messages = read->messages;
		if (read->rc != 0) {
			kdr_live_set_unread(out, read->cl->meta.name,
					    read->messages.n ? read->messages.v[0] : "read failed");
			kdr_live_cluster_release(&read->live);
			if (!first_error)
				first_error = read->rc;
			continue;
		}
		slot = kdr_live_add_cluster(out, read->cl->meta.name);
		free(slot->name);
		*slot = read->live;
	}
	free(reads);
	collect_secrets(&secrets, desired, options->resolver);
	scrub_live(out, &secrets);
	for (size_t i = 0; i < secrets.n; i++)
		explicit_bzero(secrets.v[i], strlen(secrets.v[i]));
	kdr_strvec_release(&secrets);
	for (size_t i = 0; i < report->n_clusters; i++) {
		struct kdr_strvec *messages = &report->clusters[i].messages;

		for (size_t m = 0; m < messages->n; m++) {
			kdr_scrub_secrets(&messages->v[m], NULL);
			kdr_strvec_push(&report->messages, messages->v[m]);
		}
	}
	if (first_error)
		kdr_error_set(first_error, "%s", report->messages.n ? report->messages.v[0] : "read failed");
	kdr_reader_report_release(&discard);
	kdr_live_sort(out);
	return first_error;
}

void kdr_reader_report_release(struct kdr_reader_report *report)
{
	for (size_t i = 0; i < report->n_clusters; i++)
		kdr_strvec_release(&report->clusters[i].messages);
	free(report->clusters);
	kdr_strvec_release(&report->messages);
	memset(report, 0, sizeof(*report));
}
