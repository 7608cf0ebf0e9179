/*
 * The sandbox's public API (sandbox.h): starts and stops clusters and their
 * Connect workers, and exposes fault injection and counters. Every function
 * takes the cluster's lock, so tests may call them from any thread while
 * the brokers serve requests.
 */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connect_server.h"
#include "sandbox_internal.h"
#include "util/alloc.h"
#include "util/error.h"

static struct kdr_sandbox_cluster *find_cluster(struct kdr_sandbox *sandbox, const char *name)
{
	if (!sandbox || !name)
		return NULL;
	for (size_t i = 0; i < sandbox->n_clusters; i++) {
		if (strcmp(sandbox->clusters[i]->name, name) == 0)
			return sandbox->clusters[i];
	}
	return NULL;
}

static int no_cluster(const char *name)
{
	return kdr_error_set(KDR_ENOTFOUND, "sandbox: no cluster '%s'", name ? name : "(null)");
}

static void cluster_shutdown(struct kdr_sandbox_cluster *cl)
{
	pthread_mutex_lock(&cl->lock);
	cl->stopping = true;
	kdr_sandbox_cluster_wake(cl);
	pthread_mutex_unlock(&cl->lock);
	for (size_t i = 0; i < cl->n_brokers; i++)
		kdr_sandbox_broker_stop(&cl->brokers[i]);
	kdr_connect_server_stop(cl->connect);
	cl->connect = NULL;
	kdr_sandbox_cluster_free(cl);
}

void kdr_sandbox_stop(struct kdr_sandbox *sandbox)
{
	if (!sandbox)
		return;
	for (size_t i = 0; i < sandbox->n_clusters; i++)
		cluster_shutdown(sandbox->clusters[i]);
	free(sandbox->clusters);
	free(sandbox);
}

static int cluster_start(struct kdr_sandbox_cluster *cl, const struct kdr_sandbox_cluster_spec *spec, int delay_ms)
{
	int rc = 0;

	for (size_t b = 0; b < cl->n_brokers; b++) {
		if ((rc = kdr_sandbox_broker_start(&cl->brokers[b])) != 0)
			return rc;
	}
	pthread_mutex_lock(&cl->lock);
	kdr_sandbox_cluster_update_bootstrap(cl);
	pthread_mutex_unlock(&cl->lock);
	if (spec->connect) {
		rc = kdr_connect_server_start(&cl->connect, cl->cluster_id, spec->connect_port);
		if (rc != 0)
			return rc;
		kdr_connect_server_set_state_delay(cl->connect, delay_ms);
	}
	return 0;
}

/*
 * The workers' state delay at start: $KDR_SANDBOX_CONNECT_DELAY_MS (0 to
 * 600000), 0 when unset. hack/test.sh sets it so that every suite meets
 * Connect's asynchrony, as it would on real Connect; users get 0.
 */
static int start_state_delay(int *out)
{
	const char *text = getenv("KDR_SANDBOX_CONNECT_DELAY_MS");
	char *end = NULL;
	long ms = 0;

	*out = 0;
	if (!text || !*text)
		return 0;
	ms = strtol(text, &end, 10);
	if (*end || ms < 0 || ms > 600000)
		return kdr_error_set(KDR_EINVALID,
				     "sandbox: KDR_SANDBOX_CONNECT_DELAY_MS='%s': expected 0 to 600000 (ms)", text);
	*out = (int)ms;
	return 0;
}

/* The spec's create-topic policy (policy_min_replication_factor, policy_max_partitions); arg: the cluster. */
static int limits_policy(void *arg, const struct kdr_sandbox_topic_request *request, char *message, size_t size)
{
	const struct kdr_sandbox_cluster *cl = arg;

	if (cl->limit_min_rf && request->replication_factor < cl->limit_min_rf) {
		snprintf(message, size, "Topic %s: replication factor %d is below the minimum of %d", request->topic,
			 request->replication_factor, cl->limit_min_rf);
		return 1;
	}
	if (cl->limit_max_partitions && request->num_partitions > cl->limit_max_partitions) {
		snprintf(message, size, "Topic %s: %d partitions exceed the maximum of %d", request->topic,
			 request->num_partitions, cl->limit_max_partitions);
		return 1;
	}
	return 0;
}

int kdr_sandbox_start(struct kdr_sandbox **out, const struct kdr_sandbox_cluster_spec *specs, size_t n)
{
	struct kdr_sandbox *sandbox = NULL;
	int rc = 0;
	int delay_ms = 0;

	*out = NULL;
	if ((rc = start_state_delay(&delay_ms)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (specs[i].name && specs[j].name && strcmp(specs[i].name, specs[j].name) == 0)
				return kdr_error_set(KDR_EINVALID, "sandbox: cluster '%s' is declared twice",
						     specs[i].name);
		}
	}
	sandbox = kdr_calloc(1, sizeof(*sandbox));
	sandbox->connect_state_delay_ms = delay_ms;
	sandbox->clusters = kdr_calloc(n ? n : 1, sizeof(*sandbox->clusters));
	for (size_t i = 0; i < n; i++) {
		struct kdr_sandbox_cluster *cl = NULL;

		if ((rc = kdr_sandbox_cluster_create(&cl, sandbox, &specs[i])) != 0)
			goto fail;
		sandbox->clusters[sandbox->n_clusters++] = cl;
		if (specs[i].policy_min_replication_factor > 0 || specs[i].policy_max_partitions > 0) {
			cl->limit_min_rf = specs[i].policy_min_replication_factor;
			cl->limit_max_partitions = specs[i].policy_max_partitions;
			cl->policy = limits_policy;
			cl->policy_arg = cl;
		}
		if ((rc = cluster_start(cl, &specs[i], delay_ms)) != 0)
			goto fail;
	}
	*out = sandbox;
	return 0;
fail : {
	/* Stopping reports nothing, so keep the first failure's message for the caller. */
	char *message = kdr_strdup(kdr_error_message());

	kdr_sandbox_stop(sandbox);
	kdr_error_set(rc, "%s", message);
	free(message);
}
	return rc;
}

const char *kdr_sandbox_bootstrap(struct kdr_sandbox *sandbox, const char *cluster)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);
	const char *bootstrap = NULL;

	if (!cl)
		return NULL;
	pthread_mutex_lock(&cl->lock);
	bootstrap = cl->bootstrap;
	pthread_mutex_unlock(&cl->lock);
	return bootstrap;
}

const char *kdr_sandbox_connect_url(struct kdr_sandbox *sandbox, const char *cluster)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);

	return cl && cl->connect ? kdr_connect_server_url(cl->connect) : NULL;
}

const char *kdr_sandbox_cluster_id(struct kdr_sandbox *sandbox, const char *cluster)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);

	return cl ? cl->cluster_id : NULL;
}

static int add_fault(struct kdr_sandbox *sandbox, const char *cluster, int api_key, const char *topic, int error_code,
		     int count)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);
	struct kdr_sandbox_fault *fault = NULL;

	if (!cl)
		return no_cluster(cluster);
	if (api_key < -1 || api_key >= KDR_SANDBOX_MAX_API_KEY)
		return kdr_error_set(KDR_EINVALID, "sandbox: api key %d out of range", api_key);
	if (error_code == 0 || error_code < INT16_MIN || error_code > INT16_MAX)
		return kdr_error_set(KDR_EINVALID, "sandbox: error code %d is not a Kafka error", error_code);
	if (count <= 0)
		return kdr_error_set(KDR_EINVALID, "sandbox: fault count must be positive, not %d", count);
	pthread_mutex_lock(&cl->lock);
	cl->faults = kdr_grow(cl->faults, &cl->cap_faults, cl->n_faults + 1, sizeof(*cl->faults));
	fault = &cl->faults[cl->n_faults++];
	fault->api_key = api_key;
	fault->topic = kdr_strdup(topic);
	fault->error_code = (int16_t)error_code;
	fault->remaining = count;
	pthread_mutex_unlock(&cl->lock);
	return 0;
}

int kdr_sandbox_inject_error(struct kdr_sandbox *sandbox, const char *cluster, int api_key, int error_code, int count)
{
	return add_fault(sandbox, cluster, api_key, NULL, error_code, count);
}

int kdr_sandbox_inject_topic_error(struct kdr_sandbox *sandbox, const char *cluster, int api_key, const char *topic,
				   int error_code, int count)
{
	if (!topic)
		return kdr_error_set(KDR_EINVALID, "sandbox: a topic fault needs a topic");
	return add_fault(sandbox, cluster, api_key, topic, error_code, count);
}

int kdr_sandbox_set_latency(struct kdr_sandbox *sandbox, const char *cluster, int api_key, int ms)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);

	if (!cl)
		return no_cluster(cluster);
	if (api_key < -1 || api_key >= KDR_SANDBOX_MAX_API_KEY || ms < 0)
		return kdr_error_set(KDR_EINVALID, "sandbox: bad latency %d ms for api key %d", ms, api_key);
	pthread_mutex_lock(&cl->lock);
	if (api_key < 0)
		cl->latency_any_ms = ms;
	else
		cl->latency_ms[api_key] = ms;
	pthread_mutex_unlock(&cl->lock);
	return 0;
}

static struct kdr_sandbox_broker *find_broker(struct kdr_sandbox *sandbox, const char *cluster, int32_t id, int *rc)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);
	struct kdr_sandbox_broker *broker = cl ? kdr_sandbox_cluster_broker(cl, id) : NULL;

	*rc = 0;
	if (!cl)
		*rc = no_cluster(cluster);
	else if (!broker)
		*rc = kdr_error_set(KDR_ENOTFOUND, "cluster '%s': no broker %d", cluster, id);
	return broker;
}

int kdr_sandbox_broker_down(struct kdr_sandbox *sandbox, const char *cluster, int32_t broker_id)
{
	int rc = 0;
	struct kdr_sandbox_broker *broker = find_broker(sandbox, cluster, broker_id, &rc);
	struct kdr_sandbox_cluster *cl = broker ? broker->cluster : NULL;

	if (!broker)
		return rc;
	pthread_mutex_lock(&cl->lock);
	if (!broker->up) {
		pthread_mutex_unlock(&cl->lock);
		return 0;
	}
	/* Metadata stops listing it and its partitions move before the listener closes. */
	broker->up = false;
	kdr_sandbox_cluster_broker_changed(cl, broker_id, false);
	kdr_sandbox_cluster_update_bootstrap(cl);
	pthread_mutex_unlock(&cl->lock);
	kdr_sandbox_broker_stop(broker);
	return 0;
}

int kdr_sandbox_broker_up(struct kdr_sandbox *sandbox, const char *cluster, int32_t broker_id)
{
	int rc = 0;
	struct kdr_sandbox_broker *broker = find_broker(sandbox, cluster, broker_id, &rc);
	struct kdr_sandbox_cluster *cl = broker ? broker->cluster : NULL;
	bool running = false;

	if (!broker)
		return rc;
	pthread_mutex_lock(&cl->lock);
	running = broker->acceptor_running;
	pthread_mutex_unlock(&cl->lock);
	if (running)
		return 0;
	if ((rc = kdr_sandbox_broker_start(broker)) != 0)
		return rc;
	pthread_mutex_lock(&cl->lock);
	kdr_sandbox_cluster_broker_changed(cl, broker_id, true);
	kdr_sandbox_cluster_update_bootstrap(cl);
	pthread_mutex_unlock(&cl->lock);
	return 0;
}

static struct kdr_connect_server *find_connect(struct kdr_sandbox *sandbox, const char *cluster, int *rc)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);

	*rc = 0;
	if (!cl)
		*rc = no_cluster(cluster);
	else if (!cl->connect)
		*rc = kdr_error_set(KDR_ENOTFOUND, "cluster '%s': no Connect worker", cluster);
	return cl ? cl->connect : NULL;
}

int kdr_sandbox_connect_fail(struct kdr_sandbox *sandbox, const char *cluster, int status, int count)
{
	int rc = 0;
	struct kdr_connect_server *server = find_connect(sandbox, cluster, &rc);

	if (!server)
		return rc;
	if (status < 100 || status > 599 || count <= 0)
		return kdr_error_set(KDR_EINVALID, "sandbox: bad Connect fault %d x%d", status, count);
	kdr_connect_server_fail(server, status, count);
	return 0;
}

int kdr_sandbox_connect_set_state_delay(struct kdr_sandbox *sandbox, const char *cluster, int ms)
{
	int rc = 0;
	struct kdr_connect_server *server = find_connect(sandbox, cluster, &rc);

	if (!server)
		return rc;
	if (ms < 0 || ms > 600000)
		return kdr_error_set(KDR_EINVALID, "sandbox: bad Connect state delay %d ms", ms);
	kdr_connect_server_set_state_delay(server, ms);
	return 0;
}

int kdr_sandbox_connect_start_state_delay(const struct kdr_sandbox *sandbox)
{
	return sandbox ? sandbox->connect_state_delay_ms : 0;
}

int kdr_sandbox_connect_fail_task(struct kdr_sandbox *sandbox, const char *cluster, const char *connector, int task,
				  const char *trace)
{
	int rc = 0;
	struct kdr_connect_server *server = find_connect(sandbox, cluster, &rc);

	return server ? kdr_connect_server_fail_task(server, connector, task, trace) : rc;
}

int kdr_sandbox_connect_fail_task_again(struct kdr_sandbox *sandbox, const char *cluster, const char *connector,
					int task, const char *trace, int after_ms)
{
	int rc = 0;
	struct kdr_connect_server *server = find_connect(sandbox, cluster, &rc);

	return server ? kdr_connect_server_fail_task_again(server, connector, task, trace, after_ms) : rc;
}

int kdr_sandbox_connect_fail_connector(struct kdr_sandbox *sandbox, const char *cluster, const char *connector,
				       const char *trace)
{
	int rc = 0;
	struct kdr_connect_server *server = find_connect(sandbox, cluster, &rc);

	return server ? kdr_connect_server_fail_connector(server, connector, trace) : rc;
}

int kdr_sandbox_connect_unassign(struct kdr_sandbox *sandbox, const char *cluster, const char *connector)
{
	int rc = 0;
	struct kdr_connect_server *server = find_connect(sandbox, cluster, &rc);

	return server ? kdr_connect_server_unassign(server, connector) : rc;
}

uint64_t kdr_sandbox_request_count(struct kdr_sandbox *sandbox, const char *cluster, int api_key)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);
	uint64_t n = 0;

	if (!cl)
		return 0;
	pthread_mutex_lock(&cl->lock);
	if (api_key < 0) {
		for (int k = 0; k < KDR_SANDBOX_MAX_API_KEY; k++)
			n += cl->requests[k];
		n += cl->requests_other;
	} else if (api_key < KDR_SANDBOX_MAX_API_KEY) {
		n = cl->requests[api_key];
	}
	pthread_mutex_unlock(&cl->lock);
	return n;
}

uint64_t kdr_sandbox_broker_request_count(struct kdr_sandbox *sandbox, const char *cluster, int32_t broker_id,
					  int api_key)
{
	int rc = 0;
	struct kdr_sandbox_broker *broker = find_broker(sandbox, cluster, broker_id, &rc);
	uint64_t n = 0;

	if (!broker || api_key < 0 || api_key >= KDR_SANDBOX_MAX_API_KEY)
		return 0;
	pthread_mutex_lock(&broker->cluster->lock);
	n = broker->requests[api_key];
	pthread_mutex_unlock(&broker->cluster->lock);
	return n;
}

uint64_t kdr_sandbox_metadata_topic_count(struct kdr_sandbox *sandbox, const char *cluster)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);
	uint64_t n = 0;

	if (!cl)
		return 0;
	pthread_mutex_lock(&cl->lock);
	n = cl->metadata_topics;
	pthread_mutex_unlock(&cl->lock);
	return n;
}

uint64_t kdr_sandbox_mutating_count(struct kdr_sandbox *sandbox, const char *cluster)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);
	uint64_t n = 0;

	if (!cl)
		return 0;
	pthread_mutex_lock(&cl->lock);
	n = cl->mutating;
	pthread_mutex_unlock(&cl->lock);
	return n;
}

uint64_t kdr_sandbox_connect_request_count(struct kdr_sandbox *sandbox, const char *cluster, const char *method)
{
	int rc = 0;
	struct kdr_connect_server *server = find_connect(sandbox, cluster, &rc);

	return server ? kdr_connect_server_request_count(server, method) : 0;
}

uint64_t kdr_sandbox_request_ns(struct kdr_sandbox *sandbox, const char *cluster, int api_key, bool last)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);
	uint64_t ns = 0;

	if (!cl || api_key < 0 || api_key >= KDR_SANDBOX_MAX_API_KEY)
		return 0;
	pthread_mutex_lock(&cl->lock);
	ns = last ? cl->last_request_ns[api_key] : cl->first_request_ns[api_key];
	pthread_mutex_unlock(&cl->lock);
	return ns;
}

uint64_t kdr_sandbox_connect_request_ns(struct kdr_sandbox *sandbox, const char *cluster, const char *method, bool last)
{
	int rc = 0;
	struct kdr_connect_server *server = find_connect(sandbox, cluster, &rc);

	return server ? kdr_connect_server_request_ns(server, method, last) : 0;
}

void kdr_sandbox_reset_counters(struct kdr_sandbox *sandbox, const char *cluster)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);

	if (!cl)
		return;
	pthread_mutex_lock(&cl->lock);
	memset(cl->requests, 0, sizeof(cl->requests));
	memset(cl->first_request_ns, 0, sizeof(cl->first_request_ns));
	memset(cl->last_request_ns, 0, sizeof(cl->last_request_ns));
	for (size_t b = 0; b < cl->n_brokers; b++)
		memset(cl->brokers[b].requests, 0, sizeof(cl->brokers[b].requests));
	cl->requests_other = 0;
	cl->mutating = 0;
	cl->metadata_topics = 0;
	pthread_mutex_unlock(&cl->lock);
	if (cl->connect)
		kdr_connect_server_reset_counters(cl->connect);
}

int kdr_sandbox_set_create_topic_policy(struct kdr_sandbox *sandbox, const char *cluster,
					int (*policy)(void *arg, const struct kdr_sandbox_topic_request *request,
						      char *message, size_t size),
					void *arg)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);

	if (!cl)
		return no_cluster(cluster);
	pthread_mutex_lock(&cl->lock);
	cl->policy = policy;
	cl->policy_arg = policy ? arg : NULL;
	pthread_mutex_unlock(&cl->lock);
	return 0;
}

const char *kdr_sandbox_broker_address(struct kdr_sandbox *sandbox, const char *cluster, int32_t broker_id)
{
	int rc = 0;
	struct kdr_sandbox_broker *broker = find_broker(sandbox, cluster, broker_id, &rc);

	return broker ? broker->address : NULL;
}

int kdr_sandbox_set_metadata_controller(struct kdr_sandbox *sandbox, const char *cluster, int32_t broker_id)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);

	if (!cl)
		return no_cluster(cluster);
	pthread_mutex_lock(&cl->lock);
	cl->metadata_controller = broker_id > 0 ? broker_id : 0;
	pthread_mutex_unlock(&cl->lock);
	return 0;
}

int32_t kdr_sandbox_controller_id(struct kdr_sandbox *sandbox, const char *cluster)
{
	struct kdr_sandbox_cluster *cl = find_cluster(sandbox, cluster);
	struct kdr_sandbox_broker *controller = NULL;
	int32_t id = -1;

	if (!cl)
		return -1;
	pthread_mutex_lock(&cl->lock);
	controller = kdr_sandbox_cluster_controller(cl);
	id = controller ? controller->id : -1;
	pthread_mutex_unlock(&cl->lock);
	return id;
}

size_t kdr_sandbox_cluster_count(struct kdr_sandbox *sandbox)
{
	return sandbox ? sandbox->n_clusters : 0;
}

const char *kdr_sandbox_cluster_name(struct kdr_sandbox *sandbox, size_t i)
{
	return sandbox && i < sandbox->n_clusters ? sandbox->clusters[i]->name : NULL;
}
