/*
 * The brokers' network side: one loopback listener and acceptor thread per
 * broker, one thread per connection. A connection reads size-prefixed
 * frames, parses the request header (v1: api key, version, correlation id,
 * client id), checks the version against what the sandbox implements (the
 * non-flexible versions only), counts it, applies injected latency and
 * errors, and answers with response header v0 and the handler's body,
 * strictly one request at a time per connection as Kafka does. What Kafka
 * answers by closing the connection (unknown API, unsupported version of
 * anything but ApiVersions, unparsable request, a non-SASL request before
 * authentication) closes it here too.
 */
#include "sandbox_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"

struct kdr_sandbox_conn {
	struct kdr_sandbox_broker *broker;
	int fd;
	pthread_t thread;
	bool finished; /* the thread returned; the acceptor joins it */
	bool closing;  /* shut down from outside; parked handlers must give up */
	int sasl;      /* enum kdr_sandbox_sasl_state */
	char host[INET_ADDRSTRLEN];
	struct kdr_sandbox_conn *next;
};

struct api_def {
	int16_t key;
	int16_t min;
	int16_t max; /* the highest non-flexible version */
	kdr_sandbox_handler_fn *handle;
	bool mutating;
};

static kdr_sandbox_handler_fn handle_api_versions;

/*
 * What the sandbox implements: every version listed is served exactly as
 * Kafka's message definitions lay it out. Produce starts at v3 and Fetch at
 * v4 (RecordBatch v2 only, no down-conversion to message sets v0/v1), the
 * baselines Kafka 4.0 adopted (KIP-896).
 */
static const struct api_def apis[] = {
    {KDR_SANDBOX_API_PRODUCE, 3, 8, kdr_sandbox_handle_produce, false},
    {KDR_SANDBOX_API_FETCH, 4, 11, kdr_sandbox_handle_fetch, false},
    {KDR_SANDBOX_API_LIST_OFFSETS, 0, 5, kdr_sandbox_handle_list_offsets, false},
    {KDR_SANDBOX_API_METADATA, 0, 8, kdr_sandbox_handle_metadata, false},
    {KDR_SANDBOX_API_OFFSET_COMMIT, 0, 7, kdr_sandbox_handle_offset_commit, false},
    {KDR_SANDBOX_API_OFFSET_FETCH, 0, 5, kdr_sandbox_handle_offset_fetch, false},
    {KDR_SANDBOX_API_FIND_COORDINATOR, 0, 2, kdr_sandbox_handle_find_coordinator, false},
    {KDR_SANDBOX_API_JOIN_GROUP, 0, 5, kdr_sandbox_handle_join_group, false},
    {KDR_SANDBOX_API_HEARTBEAT, 0, 3, kdr_sandbox_handle_heartbeat, false},
    {KDR_SANDBOX_API_LEAVE_GROUP, 0, 3, kdr_sandbox_handle_leave_group, false},
    {KDR_SANDBOX_API_SYNC_GROUP, 0, 3, kdr_sandbox_handle_sync_group, false},
    {KDR_SANDBOX_API_DESCRIBE_GROUPS, 0, 4, kdr_sandbox_handle_describe_groups, false},
    {KDR_SANDBOX_API_LIST_GROUPS, 0, 2, kdr_sandbox_handle_list_groups, false},
    {KDR_SANDBOX_API_SASL_HANDSHAKE, 0, 1, kdr_sandbox_handle_sasl_handshake, false},
    {KDR_SANDBOX_API_API_VERSIONS, 0, 2, handle_api_versions, false},
    {KDR_SANDBOX_API_CREATE_TOPICS, 0, 4, kdr_sandbox_handle_create_topics, true},
    {KDR_SANDBOX_API_DELETE_TOPICS, 0, 3, kdr_sandbox_handle_delete_topics, true},
    {KDR_SANDBOX_API_DESCRIBE_ACLS, 0, 1, kdr_sandbox_handle_describe_acls, false},
    {KDR_SANDBOX_API_CREATE_ACLS, 0, 1, kdr_sandbox_handle_create_acls, true},
    {KDR_SANDBOX_API_DELETE_ACLS, 0, 1, kdr_sandbox_handle_delete_acls, true},
    {KDR_SANDBOX_API_DESCRIBE_CONFIGS, 0, 3, kdr_sandbox_handle_describe_configs, false},
    {KDR_SANDBOX_API_ALTER_CONFIGS, 0, 1, kdr_sandbox_handle_alter_configs, true},
    {KDR_SANDBOX_API_SASL_AUTHENTICATE, 0, 1, kdr_sandbox_handle_sasl_authenticate, false},
    {KDR_SANDBOX_API_CREATE_PARTITIONS, 0, 1, kdr_sandbox_handle_create_partitions, true},
    {KDR_SANDBOX_API_DELETE_GROUPS, 0, 1, kdr_sandbox_handle_delete_groups, false},
    {KDR_SANDBOX_API_INCREMENTAL_ALTER_CONFIGS, 0, 0, kdr_sandbox_handle_incremental_alter_configs, true},
    {KDR_SANDBOX_API_OFFSET_DELETE, 0, 0, kdr_sandbox_handle_offset_delete, false},
};

static const struct api_def *find_api(int16_t key)
{
	for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
		if (apis[i].key == key)
			return &apis[i];
	}
	return NULL;
}

static int handle_api_versions(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	kdr_sandbox_put_i16(out, req->injected);
	kdr_sandbox_put_i32(out, (int32_t)(sizeof(apis) / sizeof(apis[0])));
	for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
		kdr_sandbox_put_i16(out, apis[i].key);
		kdr_sandbox_put_i16(out, apis[i].min);
		kdr_sandbox_put_i16(out, apis[i].max);
	}
	if (req->version >= 1)
		kdr_sandbox_put_i32(out, 0);
	return 0;
}

/*
 * An ApiVersions request of a version the broker does not know (librdkafka
 * opens with v3) gets the v0 layout with UNSUPPORTED_VERSION and, since
 * KIP-511, the broker's ApiVersions range alone, exactly as Kafka's
 * ApiVersionsRequest.getErrorResponse builds it; the client retries with
 * the highest version listed.
 */
static void api_versions_unsupported(struct kdr_buf *out)
{
	const struct api_def *def = find_api(KDR_SANDBOX_API_API_VERSIONS);

	kdr_sandbox_put_i16(out, KDR_KAFKA_UNSUPPORTED_VERSION);
	kdr_sandbox_put_i32(out, 1);
	kdr_sandbox_put_i16(out, def->key);
	kdr_sandbox_put_i16(out, def->min);
	kdr_sandbox_put_i16(out, def->max);
}

bool kdr_sandbox_conn_closing(const struct kdr_sandbox_conn *conn)
{
	return conn->closing || conn->broker->stopping || conn->broker->cluster->stopping;
}

void kdr_sandbox_conn_set_sasl(struct kdr_sandbox_conn *conn, int state)
{
	conn->sasl = state;
}

int kdr_sandbox_conn_sasl(const struct kdr_sandbox_conn *conn)
{
	return conn->sasl;
}

static bool is_sasl_api(int16_t key)
{
	return key == KDR_SANDBOX_API_API_VERSIONS || key == KDR_SANDBOX_API_SASL_HANDSHAKE ||
	       key == KDR_SANDBOX_API_SASL_AUTHENTICATE;
}

static int latency_for(struct kdr_sandbox_cluster *cl, int16_t key)
{
	if (key >= 0 && key < KDR_SANDBOX_MAX_API_KEY && cl->latency_ms[key] > 0)
		return cl->latency_ms[key];
	return cl->latency_any_ms;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts = {0, 0};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void count_request(struct kdr_sandbox_broker *broker, const struct api_def *def, int16_t key)
{
	struct kdr_sandbox_cluster *cl = broker->cluster;

	if (key >= 0 && key < KDR_SANDBOX_MAX_API_KEY) {
		cl->last_request_ns[key] = monotonic_ns();
		if (cl->requests[key] == 0)
			cl->first_request_ns[key] = cl->last_request_ns[key];
		cl->requests[key]++;
		broker->requests[key]++;
	} else
		cl->requests_other++;
	if (def && def->mutating)
		cl->mutating++;
}

/*
 * Serves one frame. Appends the whole response frame (size included) to
 * `out`, or nothing when Kafka sends nothing back. Returns -1 to close the
 * connection.
 */
static int serve_frame(struct kdr_sandbox_conn *conn, const uint8_t *frame, size_t len, struct kdr_buf *out,
		       bool *close_after)
{
	struct kdr_sandbox_broker *broker = conn->broker;
	struct kdr_sandbox_cluster *cl = broker->cluster;
	struct kdr_sandbox_request req;
	const struct api_def *def = NULL;
	size_t start = out->len;
	int latency = 0;
	int rc = 0;

	memset(&req, 0, sizeof(req));
	req.cluster = cl;
	req.broker = broker;
	req.conn = conn;
	req.client_host = conn->host;
	kdr_sandbox_reader_init(&req.r, frame, len);

	pthread_mutex_lock(&cl->lock);
	if (conn->sasl == KDR_SANDBOX_SASL_RAW) {
		/* After SaslHandshake v0 the client sends the PLAIN token unframed by a Kafka header. */
		rc = kdr_sandbox_sasl_raw_token(&req, frame, len);
		if (rc == 0)
			kdr_sandbox_put_i32(out, 0); /* an empty server token: authenticated */
		goto cleanup;
	}
	req.api_key = kdr_sandbox_read_i16(&req.r);
	req.version = kdr_sandbox_read_i16(&req.r);
	req.correlation_id = kdr_sandbox_read_i32(&req.r);
	req.client_id = kdr_sandbox_read_string(&req.r, &req.arena, true);
	if (req.r.bad) {
		rc = -1;
		goto cleanup;
	}
	def = find_api(req.api_key);
	count_request(broker, def, req.api_key);
	if (!def) {
		rc = -1;
		goto cleanup;
	}
	kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, req.correlation_id);
	if (req.version < def->min || req.version > def->max) {
		if (req.api_key != KDR_SANDBOX_API_API_VERSIONS) {
			rc = -1;
			goto cleanup;
		}
		api_versions_unsupported(out);
		goto frame;
	}
	if ((conn->sasl == KDR_SANDBOX_SASL_HANDSHAKE || conn->sasl == KDR_SANDBOX_SASL_AUTH) &&
	    !is_sasl_api(req.api_key)) {
		rc = -1;
		goto cleanup;
	}
	latency = latency_for(cl, req.api_key);
	if (latency > 0) {
		int64_t deadline = kdr_sandbox_now_ms() + latency;

		while (kdr_sandbox_now_ms() < deadline && !kdr_sandbox_conn_closing(conn))
			kdr_sandbox_cluster_wait(cl, deadline);
		if (kdr_sandbox_conn_closing(conn)) {
			rc = -1;
			goto cleanup;
		}
	}
	req.injected = kdr_sandbox_fault_take(cl, req.api_key, NULL);
	rc = def->handle(&req, out);
	*close_after = req.close_after;
	if (rc != 0 || req.no_response) {
		kdr_buf_truncate(out, start);
		goto cleanup;
	}
frame:
	kdr_sandbox_patch_i32(out, start, (int32_t)(out->len - start - 4));
cleanup:
	pthread_mutex_unlock(&cl->lock);
	if (rc != 0)
		kdr_buf_truncate(out, start);
	kdr_sandbox_arena_release(&req.arena);
	return rc;
}

static int read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *conn_main(void *arg)
{
	struct kdr_sandbox_conn *conn = arg;
	struct kdr_sandbox_broker *broker = conn->broker;
	struct kdr_buf out = KDR_BUF_INIT;
	uint8_t *frame = NULL;

	for (;;) {
		uint8_t size_be[4];
		int32_t size = 0;
		bool close_after = false;

		if (read_full(conn->fd, size_be, 4) != 0)
			break;
		size = kdr_sandbox_load_i32(size_be);
		if (size <= 0 || size > KDR_SANDBOX_MAX_FRAME)
			break;
		frame = kdr_malloc((size_t)size);
		if (read_full(conn->fd, frame, (size_t)size) != 0)
			break;
		kdr_buf_reset(&out);
		if (serve_frame(conn, frame, (size_t)size, &out, &close_after) != 0)
			break;
		free(frame);
		frame = NULL;
		if (out.len && write_full(conn->fd, out.ptr, out.len) != 0)
			break;
		if (close_after)
			break;
		/* Keep big fetch responses from pinning memory on idle connections. */
		if (out.cap > (1u << 20))
			kdr_buf_release(&out);
	}
	free(frame);
	kdr_buf_release(&out);
	/* Kafka closes its side on any error; make the peer see it now, not when the acceptor reaps us. */
	shutdown(conn->fd, SHUT_RDWR);
	pthread_mutex_lock(&broker->cluster->lock);
	conn->finished = true;
	pthread_mutex_unlock(&broker->cluster->lock);
	if (write(broker->wake[1], "r", 1) < 0) {
		/* A full pipe already holds a wake-up. */
	}
	return NULL;
}

static void conn_free(struct kdr_sandbox_conn *conn)
{
	pthread_join(conn->thread, NULL);
	close(conn->fd);
	free(conn);
}

/* Unlinks finished connections (lock held) into `done`, to be joined without the lock. */
static struct kdr_sandbox_conn *unlink_finished(struct kdr_sandbox_broker *broker, bool all)
{
	struct kdr_sandbox_conn *done = NULL;
	struct kdr_sandbox_conn **link = &broker->conns;

	while (*link) {
		struct kdr_sandbox_conn *conn = *link;

		if (all || conn->finished) {
			*link = conn->next;
			conn->next = done;
			done = conn;
		} else {
			link = &conn->next;
		}
	}
	return done;
}

static void accept_one(struct kdr_sandbox_broker *broker)
{
	struct kdr_sandbox_cluster *cl = broker->cluster;
	struct sockaddr_in peer;
	socklen_t peer_len = sizeof(peer);
	struct kdr_sandbox_conn *conn = NULL;
	int one = 1;
	int fd = accept4(broker->listen_fd, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	conn = kdr_calloc(1, sizeof(*conn));
	conn->broker = broker;
	conn->fd = fd;
	conn->sasl = cl->sasl_username ? KDR_SANDBOX_SASL_HANDSHAKE : KDR_SANDBOX_SASL_NONE;
	inet_ntop(AF_INET, &peer.sin_addr, conn->host, sizeof(conn->host));
	pthread_mutex_lock(&cl->lock);
	if (pthread_create(&conn->thread, NULL, conn_main, conn) != 0) {
		pthread_mutex_unlock(&cl->lock);
		close(fd);
		free(conn);
		return;
	}
	conn->next = broker->conns;
	broker->conns = conn;
	pthread_mutex_unlock(&cl->lock);
}

static void *acceptor_main(void *arg)
{
	struct kdr_sandbox_broker *broker = arg;
	struct kdr_sandbox_cluster *cl = broker->cluster;
	struct kdr_sandbox_conn *done = NULL;

	for (;;) {
		struct pollfd fds[2] = {{broker->listen_fd, POLLIN, 0}, {broker->wake[0], POLLIN, 0}};
		bool stopping = false;

		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents) {
			char drain[64];

			while (read(broker->wake[0], drain, sizeof(drain)) > 0) {
			}
		}
		pthread_mutex_lock(&cl->lock);
		stopping = broker->stopping;
		done = unlink_finished(broker, false);
		pthread_mutex_unlock(&cl->lock);
		while (done) {
			struct kdr_sandbox_conn *next = done->next;

			conn_free(done);
			done = next;
		}
		if (stopping)
			break;
		if (fds[0].revents & POLLIN)
			accept_one(broker);
	}

	/* Closing the listener first makes new connections fail at once, as with a dead broker. */
	close(broker->listen_fd);
	broker->listen_fd = -1;
	pthread_mutex_lock(&cl->lock);
	for (struct kdr_sandbox_conn *conn = broker->conns; conn; conn = conn->next) {
		conn->closing = true;
		shutdown(conn->fd, SHUT_RDWR);
	}
	kdr_sandbox_cluster_wake(cl);
	done = unlink_finished(broker, true);
	pthread_mutex_unlock(&cl->lock);
	while (done) {
		struct kdr_sandbox_conn *next = done->next;

		conn_free(done);
		done = next;
	}
	return NULL;
}

int kdr_sandbox_broker_start(struct kdr_sandbox_broker *broker)
{
	struct kdr_sandbox_cluster *cl = broker->cluster;
	struct sockaddr_in addr;
	socklen_t addr_len = sizeof(addr);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char listener[64];

	if (fd < 0)
		return kdr_error_set(KDR_EIO, "cluster '%s': broker %d: socket: %s", cl->name, broker->id,
				     strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)broker->port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &addr_len) != 0) {
		int err = errno;

		close(fd);
		return kdr_error_set(KDR_EUNAVAILABLE, "cluster '%s': broker %d: cannot listen on 127.0.0.1:%d: %s",
				     cl->name, broker->id, broker->port, strerror(err));
	}
	if (pipe2(broker->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		int err = errno;

		close(fd);
		return kdr_error_set(KDR_EIO, "cluster '%s': broker %d: pipe: %s", cl->name, broker->id, strerror(err));
	}
	pthread_mutex_lock(&cl->lock);
	broker->listen_fd = fd;
	broker->port = ntohs(addr.sin_port);
	/* The port never changes after the first start, so callers may keep the address string. */
	if (!broker->address)
		broker->address = kdr_asprintf("127.0.0.1:%d", broker->port);
	snprintf(listener, sizeof(listener), "%s://127.0.0.1:%d", cl->sasl_username ? "SASL_PLAINTEXT" : "PLAINTEXT",
		 broker->port);
	kdr_strmap_set(&broker->static_configs, "listeners", listener);
	kdr_strmap_set(&broker->static_configs, "advertised.listeners", listener);
	cl->config_epoch++;
	broker->stopping = false;
	if (pthread_create(&broker->acceptor, NULL, acceptor_main, broker) != 0) {
		broker->listen_fd = -1;
		pthread_mutex_unlock(&cl->lock);
		close(fd);
		close(broker->wake[0]);
		close(broker->wake[1]);
		broker->wake[0] = broker->wake[1] = -1;
		return kdr_error_set(KDR_EIO, "cluster '%s': broker %d: cannot start a thread", cl->name, broker->id);
	}
	broker->acceptor_running = true;
	broker->up = true;
	pthread_mutex_unlock(&cl->lock);
	return 0;
}

void kdr_sandbox_broker_stop(struct kdr_sandbox_broker *broker)
{
	struct kdr_sandbox_cluster *cl = broker->cluster;

	pthread_mutex_lock(&cl->lock);
	if (!broker->acceptor_running) {
		pthread_mutex_unlock(&cl->lock);
		return;
	}
	broker->stopping = true;
	broker->up = false;
	kdr_sandbox_cluster_wake(cl);
	pthread_mutex_unlock(&cl->lock);
	if (write(broker->wake[1], "s", 1) < 0) {
		/* Non-blocking and full: a wake-up is pending anyway. */
	}
	pthread_join(broker->acceptor, NULL);
	pthread_mutex_lock(&cl->lock);
	broker->acceptor_running = false;
	broker->stopping = false;
	close(broker->wake[0]);
	close(broker->wake[1]);
	broker->wake[0] = broker->wake[1] = -1;
	pthread_mutex_unlock(&cl->lock);
}
