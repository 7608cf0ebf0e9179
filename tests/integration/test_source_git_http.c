/*
 * pkg/source over smart HTTP with a token: a loopback HTTP server in the
 * test that demands Basic credentials and hands authorised requests to the
 * real `git http-backend` (CGI), the way GitHub or GitLab take a token. The
 * token comes from an environment variable or a file, is sent as the
 * password, and never appears in an error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "shell_helpers.h"

#include "source/source.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

extern char **environ;

static const char token[] = "ghp_T0kenThatMustNeverBeShown42";

static char root[64];
static char served[128]; /* GIT_PROJECT_ROOT: holds dr.git */
static char head_commit[41];

static void read_line_of(char out[41], const char *command)
{
	FILE *pipe = popen(command, "r");

	assert_non_null(pipe);
	assert_non_null(fgets(out, 41, pipe));
	pclose(pipe);
}

static void base64(struct kdr_buf *out, const char *data)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(data);

	for (size_t i = 0; i < len; i += 3) {
		uint32_t n = (uint32_t)(unsigned char)data[i] << 16;

		if (i + 1 < len)
			n |= (uint32_t)(unsigned char)data[i + 1] << 8;
		if (i + 2 < len)
			n |= (uint32_t)(unsigned char)data[i + 2];
		kdr_buf_putc(out, alphabet[(n >> 18) & 63]);
		kdr_buf_putc(out, alphabet[(n >> 12) & 63]);
		kdr_buf_putc(out, i + 1 < len ? alphabet[(n >> 6) & 63] : '=');
		kdr_buf_putc(out, i + 2 < len ? alphabet[n & 63] : '=');
	}
}

/* "Basic base64(user:password)" */
static char *basic_header(const char *user, const char *password)
{
	struct kdr_buf out = KDR_BUF_INIT;
	char *pair = kdr_asprintf("%s:%s", user, password);

	kdr_buf_puts(&out, "Basic ");
	base64(&out, pair);
	free(pair);
	return kdr_buf_detach(&out);
}

/* --- the HTTP server --- */

struct server {
	int listener;
	int port;
	pthread_t thread;
	volatile bool stop;
	pthread_mutex_t lock;
	unsigned requests;
	unsigned refused;
	char *last_authorization; /* of the last authorised request */
};

static struct server server;

static bool read_exact(int fd, struct kdr_buf *out, size_t n)
{
	char chunk[8192];

	while (n > 0) {
		ssize_t got = recv(fd, chunk, n < sizeof(chunk) ? n : sizeof(chunk), 0);

		if (got <= 0)
			return false;
		kdr_buf_put(out, chunk, (size_t)got);
		n -= (size_t)got;
	}
	return true;
}

static void send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t sent = send(fd, data, len, MSG_NOSIGNAL);

		if (sent <= 0)
			return;
		data += sent;
		len -= (size_t)sent;
	}
}

/* The value of header `name` in the request head, or NULL (caller frees). */
static char *header(const char *head, const char *name)
{
	size_t len = strlen(name);

	for (const char *line = strstr(head, "\r\n"); line && line[2]; line = strstr(line + 2, "\r\n")) {
		const char *p = line + 2;

		if (strncasecmp(p, name, len) == 0 && p[len] == ':') {
			p += len + 1;
			while (*p == ' ')
				p++;
			return kdr_strndup(p, strcspn(p, "\r\n"));
		}
	}
	return NULL;
}

/* Reads a chunked body that starts in `pending`, continuing from the socket. */
static bool read_chunked(int fd, struct kdr_buf *pending, struct kdr_buf *body)
{
	for (;;) {
		char *line_end = NULL;
		unsigned long size = 0;
		size_t head_len = 0;

		while (!(line_end = strstr(pending->ptr, "\r\n")))
			if (!read_exact(fd, pending, 1))
				return false;
		size = strtoul(pending->ptr, NULL, 16);
		head_len = (size_t)(line_end - pending->ptr) + 2;
		while (pending->len < head_len + size + 2)
			if (!read_exact(fd, pending, head_len + size + 2 - pending->len))
				return false;
		kdr_buf_put(body, pending->ptr + head_len, size);
		memmove(pending->ptr, pending->ptr + head_len + size + 2, pending->len - head_len - size - 2);
		kdr_buf_truncate(pending, pending->len - head_len - size - 2);
		if (size == 0)
			return true;
	}
}

/* Runs `git http-backend` for one request; its CGI output into `out`. */
static void run_backend(struct kdr_buf *out, const char *method, const char *target, const char *content_type,
			const struct kdr_buf *body)
{
	char body_path[] = "/tmp/kdr-http-body-XXXXXX";
	int body_fd = mkstemp(body_path);
	int pipe_fds[2] = {-1, -1};
	const char *query = strchr(target, '?');
	char *path_info = query ? kdr_strndup(target, (size_t)(query - target)) : kdr_strdup(target);
	char *vars[10] = {NULL};
	size_t n_env = 0, n_vars = 0;
	char **envp = NULL;
	char git[] = "git", backend[] = "http-backend";
	char *argv[] = {git, backend, NULL};
	posix_spawn_file_actions_t actions;
	pid_t pid = 0;
	char chunk[8192];
	ssize_t got = 0;

	assert_true(body_fd >= 0);
	if (body->len)
		assert_int_equal(write(body_fd, body->ptr, body->len), (ssize_t)body->len);
	lseek(body_fd, 0, SEEK_SET);
	assert_int_equal(pipe(pipe_fds), 0);
	vars[n_vars++] = kdr_asprintf("GIT_PROJECT_ROOT=%s", served);
	vars[n_vars++] = kdr_strdup("GIT_HTTP_EXPORT_ALL=1");
	vars[n_vars++] = kdr_asprintf("REQUEST_METHOD=%s", method);
	vars[n_vars++] = kdr_asprintf("PATH_INFO=%s", path_info);
	vars[n_vars++] = kdr_asprintf("QUERY_STRING=%s", query ? query + 1 : "");
	vars[n_vars++] = kdr_asprintf("CONTENT_TYPE=%s", content_type ? content_type : "");
	vars[n_vars++] = kdr_asprintf("CONTENT_LENGTH=%zu", body->len);
	vars[n_vars++] = kdr_strdup("REMOTE_ADDR=127.0.0.1");
	vars[n_vars++] = kdr_strdup("GATEWAY_INTERFACE=CGI/1.1");
	while (environ[n_env])
		n_env++;
	envp = kdr_calloc(n_env + n_vars + 1, sizeof(*envp));
	memcpy(envp, environ, n_env * sizeof(*envp));
	memcpy(envp + n_env, vars, n_vars * sizeof(*envp));
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, body_fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
	assert_int_equal(posix_spawnp(&pid, "git", &actions, NULL, argv, envp), 0);
	posix_spawn_file_actions_destroy(&actions);
	close(pipe_fds[1]);
	while ((got = read(pipe_fds[0], chunk, sizeof(chunk))) > 0)
		kdr_buf_put(out, chunk, (size_t)got);
	close(pipe_fds[0]);
	waitpid(pid, NULL, 0);
	close(body_fd);
	unlink(body_path);
	for (size_t i = 0; i < n_vars; i++)
		free(vars[i]);
	free(envp);
	free(path_info);
}

static bool authorised(const char *authorization)
{
	static const char *const users[] = {"x-access-token", "oauth2"};
	bool ok = false;

	for (size_t i = 0; i < 2 && authorization && !ok; i++) {
		char *expected = basic_header(users[i], token);

		ok = strcmp(authorization, expected) == 0;
		free(expected);
	}
	return ok;
}

static void handle(int fd)
{
	struct kdr_buf request = KDR_BUF_INIT, body = KDR_BUF_INIT, cgi = KDR_BUF_INIT, response = KDR_BUF_INIT;
	char method[16] = {0}, target[1024] = {0};
	char *authorization = NULL, *length = NULL, *encoding = NULL, *content_type = NULL;
	const char *head_end = NULL, *cgi_body = NULL, *status = "200 OK";
	size_t head_len = 0;

	while (!(head_end = strstr(request.ptr, "\r\n\r\n")))
		if (request.len > 65536 || !read_exact(fd, &request, 1))
			goto done;
	head_len = (size_t)(head_end - request.ptr) + 4;
	if (sscanf(request.ptr, "%15s %1023s", method, target) != 2)
		goto done;
	authorization = header(request.ptr, "Authorization");
	length = header(request.ptr, "Content-Length");
	encoding = header(request.ptr, "Transfer-Encoding");
	content_type = header(request.ptr, "Content-Type");
	pthread_mutex_lock(&server.lock);
	server.requests++;
	pthread_mutex_unlock(&server.lock);
	if (!authorised(authorization)) {
		static const char refuse[] = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"kdr\"\r\n"
					     "Content-Length: 0\r\nConnection: close\r\n\r\n";

		pthread_mutex_lock(&server.lock);
		server.refused++;
		pthread_mutex_unlock(&server.lock);
		send_all(fd, refuse, sizeof(refuse) - 1);
		goto done;
	}
	pthread_mutex_lock(&server.lock);
	free(server.last_authorization);
	server.last_authorization = kdr_strdup(authorization);
	pthread_mutex_unlock(&server.lock);
	/* The body: what followed the head, then the rest. */
	{
		struct kdr_buf pending = KDR_BUF_INIT;

		kdr_buf_put(&pending, request.ptr + head_len, request.len - head_len);
		if (encoding && strcasecmp(encoding, "chunked") == 0) {
			if (!read_chunked(fd, &pending, &body)) {
				kdr_buf_release(&pending);
				goto done;
			}
		} else {
			size_t want = length ? strtoul(length, NULL, 10) : 0;

			if (pending.len < want && !read_exact(fd, &pending, want - pending.len)) {
				kdr_buf_release(&pending);
				goto done;
			}
			kdr_buf_put(&body, pending.ptr, pending.len);
		}
		kdr_buf_release(&pending);
	}
	run_backend(&cgi, method, target, content_type, &body);
	/* CGI: headers (Status: among them), a blank line, the body. */
	cgi_body = strstr(cgi.ptr, "\r\n\r\n");
	cgi_body = cgi_body ? cgi_body + 4 : cgi.ptr + cgi.len;
	if (strncmp(cgi.ptr, "Status: ", 8) == 0)
		status = cgi.ptr + 8;
	kdr_buf_printf(&response, "HTTP/1.1 %.*s\r\n", (int)strcspn(status, "\r\n"), status);
	for (const char *line = cgi.ptr; line < cgi_body - 2; line = strstr(line, "\r\n") + 2) {
		size_t len = strcspn(line, "\r\n");

		if (len && strncmp(line, "Status: ", 8) != 0)
			kdr_buf_printf(&response, "%.*s\r\n", (int)len, line);
	}
	kdr_buf_printf(&response, "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		       cgi.len - (size_t)(cgi_body - cgi.ptr));
	kdr_buf_put(&response, cgi_body, cgi.len - (size_t)(cgi_body - cgi.ptr));
	send_all(fd, response.ptr, response.len);

done:
	free(authorization);
	free(length);
	free(encoding);
	free(content_type);
	kdr_buf_release(&request);
	kdr_buf_release(&body);
	kdr_buf_release(&cgi);
	kdr_buf_release(&response);
	close(fd);
}

static void *serve(void *arg)
{
	(void)arg;
	while (!server.stop) {
		struct pollfd pfd = {server.listener, POLLIN, 0};
		int fd = -1;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		fd = accept(server.listener, NULL, NULL);
		if (fd >= 0)
			handle(fd);
	}
	return NULL;
}

static int setup(void **state)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	char *work = NULL;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/kdr-test-http-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("HOME", root, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "kdr test", 1);
	setenv("GIT_AUTHOR_EMAIL", "kdr@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "kdr test", 1);
	setenv("GIT_COMMITTER_EMAIL", "kdr@example.com", 1);
	snprintf(served, sizeof(served), "%s/served", root);
	work = kdr_asprintf("%s/work", root);
	kdr_test_sh("git init -q -b main '%s' && mkdir -p '%s/kdr'", work, work);
	kdr_test_sh("printf 'apiVersion: kdr.io/v1alpha1\\nkind: KafkaCluster\\nmetadata: {name: dc-east}\\n"
		    "spec: {bootstrapServers: east:9092}\\n' > '%s/kdr/clusters.yaml'",
		    work);
	kdr_test_sh("git -C '%s' add -A && git -C '%s' commit -q -m one", work, work);
	kdr_test_sh("mkdir -p '%s' && git clone -q --bare '%s' '%s/dr.git'", served, work, served);
	{
		char *command = kdr_asprintf("git -C '%s' rev-parse HEAD", work);

		read_line_of(head_commit, command);
		free(command);
	}
	free(work);

	memset(&server, 0, sizeof(server));
	pthread_mutex_init(&server.lock, NULL);
	server.listener = socket(AF_INET, SOCK_STREAM, 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(server.listener, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(server.listener, 16) != 0 ||
	    getsockname(server.listener, (struct sockaddr *)&addr, &len) != 0)
		return -1;
	server.port = ntohs(addr.sin_port);
	return pthread_create(&server.thread, NULL, serve, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	server.stop = true;
	pthread_join(server.thread, NULL);
	close(server.listener);
	free(server.last_authorization);
	pthread_mutex_destroy(&server.lock);
	kdr_test_sh("rm -rf '%s'", root);
	return 0;
}

static void reset_counters(void)
{
	pthread_mutex_lock(&server.lock);
	server.requests = 0;
	server.refused = 0;
	free(server.last_authorization);
	server.last_authorization = NULL;
	pthread_mutex_unlock(&server.lock);
}

static void test_token_from_env_clones_and_fetches(void **state)
{
	char *url = kdr_asprintf("http://127.0.0.1:%d/dr.git", server.port);
	char *cache = kdr_asprintf("%s/cache-env", root);
	char *expected = basic_header("x-access-token", token);
	struct kdr_git_options options = {url, cache, "KDR_TEST_GIT_TOKEN", NULL, 5000};
	struct kdr_git_repo *repo = NULL;
	struct kdr_desired desired = {0};
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char hex[41] = {0};

	(void)state;
	reset_counters();
	setenv("KDR_TEST_GIT_TOKEN", token, 1);
	if (kdr_git_open(&repo, &options) != 0)
		fail_msg("open: %s", kdr_error_message());
	assert_int_equal(kdr_git_resolve(hex, repo, NULL), 0);
	assert_string_equal(hex, head_commit);
	assert_int_equal(kdr_git_load(&desired, &diags, repo, hex, "kdr", 0), 0);
	assert_int_equal(desired.n_clusters, 1);
	assert_int_equal(diags.n, 0);
	/* The token went as the password of a Basic credential. */
	pthread_mutex_lock(&server.lock);
	assert_non_null(server.last_authorization);
	assert_string_equal(server.last_authorization, expected);
	pthread_mutex_unlock(&server.lock);
	assert_int_equal(kdr_git_fetch(repo), 0);
	kdr_desired_release(&desired);
	kdr_git_free(repo);
	unsetenv("KDR_TEST_GIT_TOKEN");
	free(expected);
	free(cache);
	free(url);
}

static void test_token_from_file_and_user_from_url(void **state)
{
	char *url = kdr_asprintf("http://oauth2@127.0.0.1:%d/dr.git", server.port);
	char *cache = kdr_asprintf("%s/cache-file", root);
	char *file = kdr_asprintf("%s/token", root);
	char *expected = basic_header("oauth2", token);
	struct kdr_git_options options = {url, cache, NULL, file, 5000};
	struct kdr_git_repo *repo = NULL;
	FILE *f = fopen(file, "w");
	char hex[41] = {0};

	(void)state;
	reset_counters();
	/* As a Kubernetes Secret mount or an editor writes it: with a newline. */
	assert_non_null(f);
	fprintf(f, "%s\n", token);
	fclose(f);
	if (kdr_git_open(&repo, &options) != 0)
		fail_msg("open: %s", kdr_error_message());
	assert_int_equal(kdr_git_resolve(hex, repo, "main"), 0);
	assert_string_equal(hex, head_commit);
	pthread_mutex_lock(&server.lock);
	assert_string_equal(server.last_authorization, expected);
	pthread_mutex_unlock(&server.lock);
	kdr_git_free(repo);
	free(expected);
	free(file);
	free(cache);
	free(url);
}

static void test_refused_token_is_an_error_without_the_token(void **state)
{
	static const char wrong[] = "glpat-WrongTokenAlsoSecret";
	char *url = kdr_asprintf("http://127.0.0.1:%d/dr.git", server.port);
	char *cache = kdr_asprintf("%s/cache-wrong", root);
	struct kdr_git_options options = {url, cache, "KDR_TEST_GIT_TOKEN", NULL, 5000};
	struct kdr_git_repo *repo = NULL;

	(void)state;
	reset_counters();
	setenv("KDR_TEST_GIT_TOKEN", wrong, 1);
	assert_int_equal(kdr_git_open(&repo, &options), KDR_EINVALID);
	assert_null(repo);
	assert_non_null(strstr(kdr_error_message(), "refused the token"));
	assert_null(strstr(kdr_error_message(), wrong));
	/* Offered once, not in a loop. */
	pthread_mutex_lock(&server.lock);
	assert_true(server.refused >= 1 && server.refused <= 3);
	pthread_mutex_unlock(&server.lock);
	unsetenv("KDR_TEST_GIT_TOKEN");
	free(cache);
	free(url);
}

static void test_missing_token_says_so(void **state)
{
	char *url = kdr_asprintf("http://127.0.0.1:%d/dr.git", server.port);
	char *cache = kdr_asprintf("%s/cache-none", root);
	struct kdr_git_options options = {url, cache, NULL, NULL, 5000};
	struct kdr_git_repo *repo = NULL;

	(void)state;
	reset_counters();
	assert_int_equal(kdr_git_open(&repo, &options), KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "authentication required: no token configured"));
	free(cache);
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_from_env_clones_and_fetches),
	    cmocka_unit_test(test_token_from_file_and_user_from_url),
	    cmocka_unit_test(test_refused_token_is_an_error_without_the_token),
	    cmocka_unit_test(test_missing_token_says_so),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
