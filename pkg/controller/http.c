/*
 * /metrics, /healthz and /readyz over libmicrohttpd. kdr binds the socket
 * itself (so that a port in use is reported with the system's reason, and
 * the real port of ":0" is known) and hands it to libmicrohttpd, which
 * serves it from its internal polling thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "controller/controller_internal.h"
#include "util/alloc.h"
#include "util/error.h"

/* A scrape or probe is tiny; a client that stalls is dropped after this. */
#define CONNECTION_TIMEOUT_S 10
#define CONNECTION_LIMIT 64

struct kdr_controller_http {
	struct MHD_Daemon *daemon;
	kdr_controller_http_handler handler;
	void *ctx;
};

static enum MHD_Result respond(struct MHD_Connection *connection, unsigned status, const char *content_type,
			       const char *body, size_t len, const char *allow)
{
	struct MHD_Response *response =
		MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret = MHD_NO;

	if (!response)
		return MHD_NO;
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (allow)
		MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct kdr_controller_http *http = cls;
	struct kdr_buf body = KDR_BUF_INIT;
	const char *content_type = "text/plain; charset=utf-8";
	unsigned status = 0;
	enum MHD_Result ret = MHD_NO;

	(void)version;
	(void)upload_data;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		/* Any request body is dropped unread: the answer does not depend on it. */
		*upload_data_size = 0;
		return respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, content_type, "method not allowed\n", 19,
			       "GET, HEAD");
	}
	status = http->handler(&body, &content_type, url, http->ctx);
	ret = respond(connection, status, content_type, body.ptr, body.len, NULL);
	kdr_buf_release(&body);
	return ret;
}

/* Splits "HOST:PORT" / "[V6]:PORT" into its parts (heap host). */
static int split_listen(char **host, char **port, const char *listen_addr)
{
	const char *colon = NULL;

	if (listen_addr[0] == '[') {
		const char *close = strchr(listen_addr, ']');

		if (!close || close[1] != ':')
			return kdr_error_set(KDR_EINVALID, "listen address '%s': expected [IPV6]:PORT", listen_addr);
		*host = kdr_strndup(listen_addr + 1, (size_t)(close - listen_addr - 1));
		colon = close + 1;
	} else {
		colon = strrchr(listen_addr, ':');
		if (!colon || colon == listen_addr)
			return kdr_error_set(
			    KDR_EINVALID, "listen address '%s': expected HOST:PORT (e.g. 127.0.0.1:9464)", listen_addr);
		*host = kdr_strndup(listen_addr, (size_t)(colon - listen_addr));
	}
	*port = kdr_strdup(colon + 1);
	if (!**port || strspn(*port, "0123456789") != strlen(*port) || strlen(*port) > 5 || atoi(*port) > 65535) {
		free(*host);
		free(*port);
		*host = *port = NULL;
		return kdr_error_set(KDR_EINVALID, "listen address '%s': the port must be a number 0..65535",
				     listen_addr);
	}
	return 0;
}

static char *format_address(const struct sockaddr_storage *addr)
{
	char text[INET6_ADDRSTRLEN] = { 0 };

	if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;

		inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
		return kdr_asprintf("[%s]:%u", text, (unsigned)ntohs(in6->sin6_port));
	}
	inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, text, sizeof(text));
	return kdr_asprintf("%s:%u", text, (unsigned)ntohs(((const struct sockaddr_in *)addr)->sin_port));
}

static int bind_listen(int *out_fd, char **address, const char *listen_addr)
{
	struct addrinfo hints;
	struct addrinfo *found = NULL;
	struct sockaddr_storage bound;
	socklen_t bound_len = sizeof(bound);
	char *host = NULL, *port = NULL;
	int fd = -1, one = 1, gai = 0;
	int rc = split_listen(&host, &port, listen_addr);

	if (rc != 0)
		return rc;
	memset(&hints, 0, sizeof(hints));
	memset(&bound, 0, sizeof(bound));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	gai = getaddrinfo(host, port, &hints, &found);
	if (gai != 0 || !found) {
		rc = kdr_error_set(KDR_EINVALID, "listen address '%s': %s", listen_addr, gai_strerror(gai));
		goto cleanup;
	}
	fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "listen address '%s': socket: %s", listen_addr, strerror(errno));
		goto cleanup;
	}
	/* A restarted kdr must not wait for the old connections' TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, found->ai_addr, found->ai_addrlen) != 0 || listen(fd, 64) != 0) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "cannot listen on '%s': %s", listen_addr, strerror(errno));
		goto cleanup;
	}
	if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) != 0) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "listen address '%s': getsockname: %s", listen_addr,
				   strerror(errno));
		goto cleanup;
	}
	*address = format_address(&bound);
	*out_fd = fd;
	fd = -1;
cleanup:
	if (fd >= 0)
		close(fd);
	if (found)
		freeaddrinfo(found);
	free(host);
	free(port);
	return rc;
}

int kdr_controller__http_start(struct kdr_controller_http **out, char **address, const char *listen_addr,
			       kdr_controller_http_handler handler, void *ctx)
{
	struct kdr_controller_http *http = NULL;
	char *bound = NULL;
	int fd = -1;
	int rc = bind_listen(&fd, &bound, listen_addr);

	if (rc != 0)
		return rc;
	http = kdr_calloc(1, sizeof(*http));
	http->handler = handler;
	http->ctx = ctx;
	http->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, http,
					MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT,
					(unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
					(unsigned)CONNECTION_LIMIT, MHD_OPTION_END);
	if (!http->daemon) {
		close(fd);
		free(http);
		free(bound);
		return kdr_error_set(KDR_EUNAVAILABLE, "cannot serve HTTP on '%s': libmicrohttpd failed to start",
				     listen_addr);
	}
	*out = http;
	*address = bound;
	return 0;
}

void kdr_controller__http_stop(struct kdr_controller_http *http)
{
	if (!http)
		return;
	/* Joins the polling thread and closes the listening socket handed over at start. */
	MHD_stop_daemon(http->daemon);
	free(http);
}
