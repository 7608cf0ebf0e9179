#include "connect_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "connect_rest.h"
#include "connect_state.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/*
 * The HTTP side: libmicrohttpd on 127.0.0.1 with its own polling thread,
 * request bodies accumulated per request, fault injection and counters, and
 * one mutex around everything the REST layer touches (the MHD thread serves
 * requests while tests call the fault and counter functions).
 */

/* Larger bodies get 413: an MM2 config is a few KiB, so this only stops runaway clients. */
#define BODY_MAX ((size_t)4 << 20)

/* Idle keep-alive connections are closed after this many seconds. */
#define CONNECTION_TIMEOUT_S 30u

static const char *const counted_methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
#define N_COUNTED (sizeof(counted_methods) / sizeof(counted_methods[0]))

struct kdr_connect_server {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	char *url;
	char *kafka_cluster_id;
	struct kdr_connect_state_store store;
	int fail_status; /* the status the next fail_count requests get */
	int fail_count;
	uint64_t counts[N_COUNTED];
	uint64_t first_ns[N_COUNTED], last_ns[N_COUNTED]; /* CLOCK_MONOTONIC ns; 0: none since the reset */
	uint64_t total;
};

/* One request in flight: its body so far. */
struct request_ctx {
	struct kdr_buf body;
	bool too_large;
};

/*
 * MHD would decode %XX in the path before we split it, turning an encoded
 * '/' inside a connector name into a separator; keep it encoded (the REST
 * layer decodes per segment).
 */
static size_t keep_escaped(void *cls, struct MHD_Connection *connection, char *s)
{
	(void)cls;
	(void)connection;
	return strlen(s);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request_ctx *rc = *con_cls;

	(void)cls;
	(void)connection;
	(void)toe;
	if (!rc)
		return;
	kdr_buf_release(&rc->body);
	free(rc);
	*con_cls = NULL;
}

/* Query arguments, decoded (form rules: '+' is a space). */
static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct kdr_connect_request *req = cls;
	const char *parts[2] = {key, value ? value : ""};
	struct kdr_strvec *outs[2] = {&req->query_keys, &req->query_values};
	size_t i = 0;

	(void)kind;
	for (i = 0; i < 2; i++) {
		char *plus = kdr_strdup(parts[i]);
		char *decoded = NULL;

		for (char *p = plus; *p; p++)
			if (*p == '+')
				*p = ' ';
		decoded = kdr_connect_rest_percent_decode(plus, strlen(plus));
		kdr_strvec_push_take(outs[i], decoded ? decoded : kdr_strdup(plus));
		free(plus);
	}
	return MHD_YES;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts = {0, 0};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void count_request(struct kdr_connect_server *server, const char *method, uint64_t now_ns)
{
	size_t i = 0;

	server->total++;
	for (i = 0; i < N_COUNTED; i++) {
		if (strcmp(counted_methods[i], method) != 0)
			continue;
		server->last_ns[i] = now_ns;
		if (server->counts[i]++ == 0)
			server->first_ns[i] = server->last_ns[i];
	}
}

/* Connect's message for an injected failure. */
static char *fault_message(int status)
{
	const char *reason = MHD_get_reason_phrase_for((unsigned)status);

	switch (status) {
	case 409:
		/* HerderRequestHandler's answer to a RebalanceNeededException. */
		return kdr_strdup("Cannot complete request momentarily due to stale configuration (typically caused "
				  "by a concurrent config change)");
	case 500:
		/* What a herder request that does not complete in time gets. */
		return kdr_strdup("Request timed out");
	}
	return kdr_asprintf("HTTP %d %s", status, reason ? reason : "");
}

static enum MHD_Result send_response(struct MHD_Connection *connection, const struct kdr_connect_response *resp)
{
	struct MHD_Response *response = NULL;
	enum MHD_Result ret = MHD_NO;

	if (resp->body) {
		char *text = json_dumps(resp->body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

		if (!text)
			return MHD_NO;
		response = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
		if (response)
			MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
		else
			free(text);
	} else {
		response = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	if (!response)
		return MHD_NO;
	if (resp->location)
		MHD_add_response_header(response, MHD_HTTP_HEADER_LOCATION, resp->location);
	if (resp->allow)
		MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, resp->allow);
	ret = MHD_queue_response(connection, (unsigned)resp->status, response);
	MHD_destroy_response(response);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct kdr_connect_server *server = cls;
	struct request_ctx *rc = *con_cls;
	struct kdr_connect_request req = {0};
	struct kdr_connect_response resp = {0};
	enum MHD_Result ret = MHD_NO;
	uint64_t now = 0;

	(void)version;
	if (!rc) {
		rc = kdr_calloc(1, sizeof(*rc));
		kdr_buf_init(&rc->body);
		*con_cls = rc;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (rc->body.len + *upload_data_size > BODY_MAX)
			rc->too_large = true;
		else
			kdr_buf_put(&rc->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}

	req.method = method;
	req.path = url;
	req.content_type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	req.body = rc->body.len ? rc->body.ptr : NULL;
	req.body_len = rc->body.len;
	MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, collect_query, &req);

	pthread_mutex_lock(&server->lock);
	req.base_url = server->url;
	req.kafka_cluster_id = server->kafka_cluster_id;
	now = monotonic_ns();
	count_request(server, method, now);
	/* Target states that came due since the last request are in place before this one reads them. */
	kdr_connect_state_advance(&server->store, now);
	if (server->fail_count > 0) {
		char *message = fault_message(server->fail_status);

		server->fail_count--;
		kdr_connect_rest_error(&resp, server->fail_status, message);
		free(message);
	} else if (rc->too_large) {
		kdr_connect_rest_error(&resp, 413, "Request body too large");
	} else {
		kdr_connect_rest_serve(&resp, &server->store, &req);
	}
	pthread_mutex_unlock(&server->lock);

	ret = send_response(connection, &resp);
	kdr_connect_rest_response_release(&resp);
	kdr_strvec_release(&req.query_keys);
	kdr_strvec_release(&req.query_values);
	return ret;
}

int kdr_connect_server_start(struct kdr_connect_server **out, const char *kafka_cluster_id, int port)
{
	struct kdr_connect_server *server = NULL;
	struct sockaddr_in addr = {0};
	const union MHD_DaemonInfo *info = NULL;
	char *worker_id = NULL;
	int bound = 0;

	*out = NULL;
	if (!kafka_cluster_id || port < 0 || port > 65535)
		return kdr_error_set(KDR_EINVALID, "connect sandbox: invalid cluster id or port %d", port);

	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	server = kdr_calloc(1, sizeof(*server));
	pthread_mutex_init(&server->lock, NULL);
	server->kafka_cluster_id = kdr_strdup(kafka_cluster_id);
	/* Requests block on the lock until the store knows the port it reports as worker_id. */
	pthread_mutex_lock(&server->lock);
	server->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, server,
					  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
					  on_completed, server, MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL,
					  MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S, MHD_OPTION_END);
	if (!server->daemon) {
		pthread_mutex_unlock(&server->lock);
		pthread_mutex_destroy(&server->lock);
		free(server->kafka_cluster_id);
		free(server);
		return kdr_error_set(KDR_EUNAVAILABLE, "connect sandbox: cannot listen on 127.0.0.1:%d", port);
	}
	info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
	bound = info ? info->port : port;
	server->url = kdr_asprintf("http://127.0.0.1:%d", bound);
	worker_id = kdr_asprintf("127.0.0.1:%d", bound);
	kdr_connect_state_init(&server->store, worker_id);
	free(worker_id);
	pthread_mutex_unlock(&server->lock);
	*out = server;
	return 0;
}

void kdr_connect_server_stop(struct kdr_connect_server *server)
{
	if (!server)
		return;
	/* Joins the polling thread and closes every connection (freeing their request contexts). */
	MHD_stop_daemon(server->daemon);
	kdr_connect_state_release(&server->store);
	pthread_mutex_destroy(&server->lock);
	free(server->url);
	free(server->kafka_cluster_id);
	free(server);
}

const char *kdr_connect_server_url(const struct kdr_connect_server *server)
{
	return server->url;
}

void kdr_connect_server_set_state_delay(struct kdr_connect_server *server, int ms)
{
	pthread_mutex_lock(&server->lock);
	kdr_connect_state_set_delay(&server->store, ms > 0 ? (uint64_t)ms * 1000000u : 0);
	if (ms <= 0)
		kdr_connect_state_advance(&server->store, monotonic_ns());
	pthread_mutex_unlock(&server->lock);
}

void kdr_connect_server_fail(struct kdr_connect_server *server, int status, int count)
{
	pthread_mutex_lock(&server->lock);
	server->fail_status = status;
	server->fail_count = count > 0 ? count : 0;
	pthread_mutex_unlock(&server->lock);
}

/* Runs a fault on `connector` under the lock; KDR_ENOTFOUND with a message when it does not apply. */
static int inject(struct kdr_connect_server *server, const char *connector, long task, const char *trace, bool unassign,
		  int again_ms)
{
	struct kdr_connect_connector *conn = NULL;
	int rc = 0;

	pthread_mutex_lock(&server->lock);
	conn = kdr_connect_state_find(&server->store, connector);
	if (!conn)
		rc = KDR_ENOTFOUND;
	else if (unassign)
		kdr_connect_state_unassign(conn);
	else if (again_ms >= 0)
		rc = kdr_connect_state_fail_again(conn, task, trace, (uint64_t)again_ms * 1000000u);
	else
		rc = kdr_connect_state_fail(conn, task, trace);
	pthread_mutex_unlock(&server->lock);
	if (rc == KDR_ENOTFOUND && !conn)
		return kdr_error_set(rc, "connect sandbox: connector '%s' not found", connector);
	if (rc == KDR_ENOTFOUND)
		return kdr_error_set(rc, "connect sandbox: connector '%s': task %ld not found", connector, task);
	return rc;
}

int kdr_connect_server_fail_task(struct kdr_connect_server *server, const char *connector, int task, const char *trace)
{
	if (task < 0)
		return kdr_error_set(KDR_ENOTFOUND, "connect sandbox: connector '%s': task %d not found", connector,
				     task);
	return inject(server, connector, task, trace, false, -1);
}

int kdr_connect_server_fail_task_again(struct kdr_connect_server *server, const char *connector, int task,
				       const char *trace, int after_ms)
{
	if (task < 0)
		return kdr_error_set(KDR_ENOTFOUND, "connect sandbox: connector '%s': task %d not found", connector,
				     task);
	return inject(server, connector, task, trace, false, after_ms > 0 ? after_ms : 0);
}

int kdr_connect_server_fail_connector(struct kdr_connect_server *server, const char *connector, const char *trace)
{
	return inject(server, connector, -1, trace, false, -1);
}

int kdr_connect_server_unassign(struct kdr_connect_server *server, const char *connector)
{
	return inject(server, connector, -1, NULL, true, -1);
}

uint64_t kdr_connect_server_request_count(struct kdr_connect_server *server, const char *method)
{
	uint64_t count = 0;
	size_t i = 0;

	pthread_mutex_lock(&server->lock);
	if (!method)
		count = server->total;
	for (i = 0; method && i < N_COUNTED; i++)
		if (!strcmp(counted_methods[i], method))
			count = server->counts[i];
	pthread_mutex_unlock(&server->lock);
	return count;
}

uint64_t kdr_connect_server_request_ns(struct kdr_connect_server *server, const char *method, bool last)
{
	uint64_t ns = 0;

	pthread_mutex_lock(&server->lock);
	for (size_t i = 0; i < N_COUNTED; i++)
		if (!strcmp(counted_methods[i], method))
			ns = last ? server->last_ns[i] : server->first_ns[i];
	pthread_mutex_unlock(&server->lock);
	return ns;
}

void kdr_connect_server_reset_counters(struct kdr_connect_server *server)
{
	pthread_mutex_lock(&server->lock);
	memset(server->counts, 0, sizeof(server->counts));
	memset(server->first_ns, 0, sizeof(server->first_ns));
	memset(server->last_ns, 0, sizeof(server->last_ns));
	server->total = 0;
	pthread_mutex_unlock(&server->lock);
}
