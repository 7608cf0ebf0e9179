/* What kdr's libcurl clients share (http.h). */
#include "util/http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void kdr_http_global_init(void)
{
	pthread_once(&curl_once, curl_init_once);
}

void kdr_http_body_reset(struct kdr_http_body *body)
{
	kdr_buf_reset(&body->buf);
	body->too_large = false;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct kdr_http_body *body = userdata;
	size_t n = size * nmemb;

	if (body->buf.len + n > body->max) {
		body->too_large = true;
		return 0;
	}
	kdr_buf_put(&body->buf, data, n);
	return n;
}

void kdr_http_setup(CURL *curl, const char *method, const char *url, long timeout_ms, struct kdr_http_body *body,
		    char *error_buffer, const char *request_body)
{
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
	if (request_body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request_body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(request_body));
	}
}

struct curl_slist *kdr_http_headers(const char *content_type, const char *auth)
{
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");

	if (content_type) {
		char *line = kdr_asprintf("Content-Type: %s", content_type);

		headers = curl_slist_append(headers, line);
		free(line);
	}
	if (auth)
		headers = curl_slist_append(headers, auth);
	return headers;
}

void kdr_http_error_fill(char *error_buffer, size_t size, CURLcode code)
{
	if (!error_buffer[0])
		snprintf(error_buffer, size, "%s", curl_easy_strerror(code));
}

int kdr_http_error_code(CURLcode code)
{
	return code == CURLE_OPERATION_TIMEDOUT ? KDR_ETIMEOUT : KDR_EUNAVAILABLE;
}

char *kdr_http_body_excerpt(const char *body, size_t len)
{
	return kdr_strndup(body, len > 200 ? 200 : len);
}

char *kdr_http_escape(const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	struct kdr_buf out = KDR_BUF_INIT;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '.' || *p == '_' || *p == '~') {
			kdr_buf_putc(&out, (char)*p);
		} else {
			kdr_buf_putc(&out, '%');
			kdr_buf_putc(&out, hex[*p >> 4]);
			kdr_buf_putc(&out, hex[*p & 15]);
		}
	}
	return kdr_buf_detach(&out);
}
