#ifndef KDR_UTIL_HTTP_H
#define KDR_UTIL_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/*
 * What kdr's two libcurl clients (pkg/connect, pkg/k8s) share: libcurl's
 * global init, the options of one JSON request, a response body with a hard
 * cap, the request headers, the text and code of a failed transfer, and
 * percent-encoding (secrets are freed with kdr_wipe_free, util/alloc.h). Each client keeps its own URLs, TLS, authentication,
 * retries and the wording of its errors.
 */

/* curl_global_init, once per process; safe from any thread. */
void kdr_http_global_init(void);

/* A response body that stops the transfer rather than grow past `max` bytes. */
struct kdr_http_body {
	struct kdr_buf buf;
	size_t max;
	bool too_large; /* the transfer was stopped there */
};

#define KDR_HTTP_BODY_INIT(max) { KDR_BUF_INIT, (max), false }

/* Empties `body` for another attempt (its buffer kept). */
void kdr_http_body_reset(struct kdr_http_body *body);

/*
 * Sets on `curl` what every request of both clients sets: `method` on `url`,
 * `timeout_ms` for the whole request and for connecting, no signals, the
 * response into `body`, libcurl's message into `error_buffer`
 * (CURL_ERROR_SIZE bytes) and, unless NULL, `request_body` as the body. The
 * caller adds TLS, headers and authentication; the pointers must stay valid
 * until the transfer is done.
 */
void kdr_http_setup(CURL *curl, const char *method, const char *url, long timeout_ms, struct kdr_http_body *body,
		    char *error_buffer, const char *request_body);

/*
 * The headers of a JSON request: Accept, then Content-Type `content_type`
 * when the request has a body (NULL: none), then `auth` (a whole header line,
 * NULL: none). The caller frees them with curl_slist_free_all.
 */
struct curl_slist *kdr_http_headers(const char *content_type, const char *auth);

/* After a failed transfer: libcurl's generic message for `code` into an `error_buffer` it left empty. */
void kdr_http_error_fill(char *error_buffer, size_t size, CURLcode code);

/* A failed transfer's kdr code: KDR_ETIMEOUT for a timeout, else KDR_EUNAVAILABLE. */
int kdr_http_error_code(CURLcode code);

/* The head of an error body that says nothing better: at most its first 200 bytes (heap). */
char *kdr_http_body_excerpt(const char *body, size_t len);

/* `text` percent-encoded but for unreserved characters (RFC 3986), for a path segment or query value (heap). */
char *kdr_http_escape(const char *text);

#endif
