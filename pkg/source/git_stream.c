/*
 * The socket stream behind libgit2's network transports, with time bounds.
 * libgit2 1.5 has no connect or read timeouts (an unreachable host blocks
 * for the kernel's minutes, a stalled server forever); its stream registry
 * lets us supply the plain socket that git://, http(s):// (TLS is layered on
 * top of it) and ssh:// connect through.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <git2/sys/stream.h>

#include "source/source_internal.h"
#include "util/alloc.h"
#include "util/clock.h"

#define DEFAULT_TIMEOUT_MS 30000

/*
 * The first four members mirror libgit2's own git_socket_stream (unchanged
 * from 0.28 to 1.7): its SSH transport hands the socket to libssh2 by
 * reading it from there.
 */
struct timed_stream {
	git_stream parent;
	char *host;
	char *port;
	int s;
	int timeout_ms;
};

/* Set by the fetching thread around its libgit2 calls; streams are created and used on that thread. */
static _Thread_local int thread_timeout_ms;
/* Why a stream of this thread gave up, kept apart from libgit2's message, which TLS may replace. */
static _Thread_local char thread_timeout_message[256];

void kdr_source__git_stream_set_timeout(int timeout_ms)
{
	thread_timeout_ms = timeout_ms;
	thread_timeout_message[0] = '\0';
}

const char *kdr_source__git_stream_timed_out(void)
{
	return thread_timeout_message[0] ? thread_timeout_message : NULL;
}

static void timed_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void timed_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(thread_timeout_message, sizeof(thread_timeout_message), fmt, ap);
	va_end(ap);
	git_error_set_str(GIT_ERROR_NET, thread_timeout_message);
}

/* Waits for a non-blocking connect; 0 connected, else -1 with *err (0 for a timeout). */
static int wait_connected(int s, int64_t deadline, int *err)
{
	for (;;) {
		struct pollfd pfd = { s, POLLOUT, 0 };
		int64_t left = deadline - kdr_clock_mono_ms();
		int n = 0, so_error = 0;
		socklen_t len = sizeof(so_error);

		if (left <= 0) {
			*err = 0;
			return -1;
		}
		n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			return -1;
		}
		if (n == 0) {
			*err = 0;
			return -1;
		}
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0)
			so_error = errno;
		if (so_error) {
			*err = so_error;
			return -1;
		}
		return 0;
	}
}

/* Blocking from here on, each send and receive bounded by the timeout. */
static int finish_socket(int s, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int flags = fcntl(s, F_GETFL);

	if (flags < 0 || fcntl(s, F_SETFL, flags & ~O_NONBLOCK) < 0)
		return -1;
	if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -1;
	return 0;
}

static int stream_connect(git_stream *stream)
{
	struct timed_stream *st = (struct timed_stream *)stream;
	struct addrinfo hints, *addrs = NULL;
	int64_t deadline = kdr_clock_mono_ms() + st->timeout_ms;
	int rc = 0, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(st->host, st->port, &hints, &addrs);
	if (rc != 0) {
		git_error_set(GIT_ERROR_NET, "cannot resolve '%s': %s", st->host,
			      rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	/* Every address in turn, all within one deadline. */
	for (const struct addrinfo *ai = addrs; ai; ai = ai->ai_next) {
		int s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);

		if (s < 0) {
			err = errno;
			continue;
		}
		if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && wait_connected(s, deadline, &err) == 0)) {
			if (finish_socket(s, st->timeout_ms) == 0) {
				st->s = s;
				freeaddrinfo(addrs);
				return 0;
			}
			err = errno;
		} else if (errno != EINPROGRESS) {
			err = errno;
		}
		close(s);
		if (err == 0)
			break; /* the deadline passed */
	}
	freeaddrinfo(addrs);
	if (err == 0) {
		timed_out("connecting to %s port %s timed out after %d ms", st->host, st->port, st->timeout_ms);
	} else {
		git_error_set(GIT_ERROR_NET, "cannot connect to %s port %s: %s", st->host, st->port, strerror(err));
	}
	return -1;
}

static ssize_t stream_read(git_stream *stream, void *data, size_t len)
{
	struct timed_stream *st = (struct timed_stream *)stream;
	ssize_t n = 0;

	do
		n = recv(st->s, data, len, 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		timed_out("no data from %s port %s for %d ms", st->host, st->port, st->timeout_ms);
	} else {
		git_error_set(GIT_ERROR_NET, "cannot receive from %s port %s: %s", st->host, st->port,
			      strerror(errno));
	}
	return -1;
}

static ssize_t stream_write(git_stream *stream, const char *data, size_t len, int flags)
{
	struct timed_stream *st = (struct timed_stream *)stream;
	ssize_t n = 0;

	do
		n = send(st->s, data, len, flags | MSG_NOSIGNAL); /* a closed peer is an error, not SIGPIPE */
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		timed_out("%s port %s accepted no data for %d ms", st->host, st->port, st->timeout_ms);
	} else {
		git_error_set(GIT_ERROR_NET, "cannot send to %s port %s: %s", st->host, st->port, strerror(errno));
	}
	return -1;
}

static int stream_close(git_stream *stream)
{
	struct timed_stream *st = (struct timed_stream *)stream;

	if (st->s >= 0)
		close(st->s);
	st->s = -1;
	return 0;
}

static void stream_free(git_stream *stream)
{
	struct timed_stream *st = (struct timed_stream *)stream;

	if (st->s >= 0)
		close(st->s);
	free(st->host);
	free(st->port);
	free(st);
}

static int stream_new(git_stream **out, const char *host, const char *port)
{
	struct timed_stream *st = kdr_calloc(1, sizeof(*st));

	st->parent.version = GIT_STREAM_VERSION;
	st->parent.connect = stream_connect;
	st->parent.read = stream_read;
	st->parent.write = stream_write;
	st->parent.close = stream_close;
	st->parent.free = stream_free;
	st->host = kdr_strdup(host);
	st->port = kdr_strdup(port);
	st->s = -1;
	st->timeout_ms = thread_timeout_ms > 0 ? thread_timeout_ms : DEFAULT_TIMEOUT_MS;
	*out = &st->parent;
	return 0;
}

int kdr_source__git_stream_register(void)
{
	/* Static: the registry is process-wide and outlives this call. */
	static git_stream_registration registration;

	registration.version = GIT_STREAM_VERSION;
	registration.init = stream_new;
	return git_stream_register(GIT_STREAM_STANDARD, &registration);
}
