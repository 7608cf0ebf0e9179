/*
 * Requests to the API server (libcurl): TLS always verified against the
 * configured CA, a client certificate and/or a bearer token, JSON bodies
 * (jansson). Plain requests share one handle under a lock; each watch has a
 * handle of its own and streams one event per line.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s/k8s.h"
#include "k8s/k8s_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/http.h"

#define MAX_RESPONSE_BYTES (256u << 20)
#define MAX_EVENT_BYTES (64u << 20)
#define DEFAULT_TIMEOUT_MS 30000

struct kdr_k8s_client {
	struct kdr_k8s_config config; /* the client's copy */
	int timeout_ms;
	pthread_mutex_t lock; /* guards curl */
	CURL *curl;
	atomic_uint_fast64_t requests;
};

static char *dup_or_null(const char *s)
{
	return s ? kdr_strdup(s) : NULL;
}

int kdr_k8s_client_new(struct kdr_k8s_client **out, const struct kdr_k8s_config *config, int timeout_ms)
{
	struct kdr_k8s_client *client = NULL;

	*out = NULL;
	if (!config->server || strncmp(config->server, "https://", 8) != 0)
		return kdr_error_set(KDR_EINVALID, "kubernetes: the API server must be an https:// URL (found '%s')",
				     config->server ? config->server : "");
	kdr_http_global_init();
	client = kdr_calloc(1, sizeof(*client));
	client->config.server = kdr_strdup(config->server);
	client->config.ca_file = dup_or_null(config->ca_file);
	client->config.ca_pem = dup_or_null(config->ca_pem);
	client->config.cert_file = dup_or_null(config->cert_file);
	client->config.cert_pem = dup_or_null(config->cert_pem);
	client->config.key_file = dup_or_null(config->key_file);
	client->config.key_pem = dup_or_null(config->key_pem);
	client->config.token = dup_or_null(config->token);
	client->config.token_file = dup_or_null(config->token_file);
	client->config.tls_server_name = dup_or_null(config->tls_server_name);
	client->config.namespace = kdr_strdup(config->namespace ? config->namespace : "default");
	client->config.context = dup_or_null(config->context);
	client->timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
	pthread_mutex_init(&client->lock, NULL);
	atomic_init(&client->requests, 0);
	client->curl = curl_easy_init();
	if (!client->curl) {
		kdr_k8s_client_free(client);
		return kdr_error_set(KDR_EIO, "kubernetes: cannot create a curl handle");
	}
	*out = client;
	return 0;
}

void kdr_k8s_client_free(struct kdr_k8s_client *client)
{
	if (!client)
		return;
	if (client->curl)
		curl_easy_cleanup(client->curl);
	pthread_mutex_destroy(&client->lock);
	kdr_k8s_config_release(&client->config);
	free(client);
}

const char *kdr_k8s_client_namespace(const struct kdr_k8s_client *client)
{
	return client->config.namespace;
}

uint64_t kdr_k8s_client_requests(const struct kdr_k8s_client *client)
{
	return atomic_load(&((struct kdr_k8s_client *)client)->requests);
}

/* The "Authorization: Bearer ..." header (heap, secret), or NULL without a token. */
static int auth_header(char **out, const struct kdr_k8s_client *client)
{
	char *token = NULL;
	size_t len = 0;
	int rc = 0;

	*out = NULL;
	if (client->config.token) {
		*out = kdr_asprintf("Authorization: Bearer %s", client->config.token);
		return 0;
	}
	if (!client->config.token_file)
		return 0;
	/* Read every time: projected service-account tokens are rotated on disk. */
	rc = kdr_k8s__read_file(&token, &len, client->config.token_file);
	if (rc != 0)
		return rc;
	while (len > 0 && strchr(" \t\r\n", token[len - 1]))
		token[--len] = '\0';
	*out = kdr_asprintf("Authorization: Bearer %s", token);
	memset(token, 0, len);
	free(token);
	return 0;
}

/*
 * One PEM item of the kubeconfig: inline (`pem`, copied into the handle,
 * typed PEM through `type_opt` when the option has a type) or else a file.
 */
static void set_pem(CURL *curl, char *pem, const char *file, CURLoption blob_opt, CURLoption file_opt,
		    CURLoption type_opt)
{
	if (pem) {
		struct curl_blob blob = { pem, strlen(pem), CURL_BLOB_COPY };

		curl_easy_setopt(curl, blob_opt, &blob);
		if (type_opt)
			curl_easy_setopt(curl, type_opt, "PEM");
	} else if (file) {
		curl_easy_setopt(curl, file_opt, file);
	}
}

/* TLS and identity options common to plain requests and watches. */
static void set_tls(CURL *curl, const struct kdr_k8s_client *client)
{
	const struct kdr_k8s_config *c = &client->config;

	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	set_pem(curl, c->ca_pem, c->ca_file, CURLOPT_CAINFO_BLOB, CURLOPT_CAINFO, 0);
	set_pem(curl, c->cert_pem, c->cert_file, CURLOPT_SSLCERT_BLOB, CURLOPT_SSLCERT, CURLOPT_SSLCERTTYPE);
	set_pem(curl, c->key_pem, c->key_file, CURLOPT_SSLKEY_BLOB, CURLOPT_SSLKEY, CURLOPT_SSLKEYTYPE);
}

/* The URL for `path`, and a CURLOPT_CONNECT_TO entry when tls_server_name differs from the host. */
static char *request_url(const struct kdr_k8s_client *client, const char *path, struct curl_slist **connect_to)
{
	const struct kdr_k8s_config *c = &client->config;
	const char *hostport = c->server + 8;
	char *url = NULL;

	*connect_to = NULL;
	if (!c->tls_server_name)
		return kdr_asprintf("%s%s", c->server, path);
	/*
	 * Verify the certificate against tls_server_name: the URL names it and
	 * CONNECT_TO sends the connection to the real address.
	 */
	{
		const char *colon = strrchr(hostport, ':');
		const char *bracket = strrchr(hostport, ']');
		char *port = NULL, *entry = NULL;

		port = colon && (!bracket || colon > bracket) ? kdr_strdup(colon + 1) : kdr_strdup("443");
		url = kdr_asprintf("https://%s:%s%s", c->tls_server_name, port, path);
		entry = kdr_asprintf("%s:%s:%s", c->tls_server_name, port, hostport);
		*connect_to = curl_slist_append(NULL, entry);
		free(entry);
		free(port);
	}
	return url;
}

/* The API's own words from a Status body, or a short form of the body. */
static char *status_message(const char *body, size_t len, const char **reason)
{
	json_t *status = json_loadb(body, len, 0, NULL);
	const char *message = NULL;
	char *out = NULL;

	*reason = NULL;
	message = json_string_value(json_object_get(status, "message"));
	if (message) {
		out = kdr_strdup(message);
		if (json_string_value(json_object_get(status, "reason")))
			*reason = json_string_value(json_object_get(status, "reason"));
		/* Keep the reason past the decref: it is one of a few static words. */
		if (*reason) {
			static const char *const known[] = { "AlreadyExists", "Conflict", "NotFound", "Gone", "Expired",
							     "Invalid", "Forbidden", "Unauthorized" };
			const char *found = NULL;

			for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
				if (strcmp(*reason, known[i]) == 0)
					found = known[i];
			*reason = found;
		}
	} else {
		out = kdr_http_body_excerpt(body, len);
	}
	json_decref(status);
	return out;
}

int kdr_k8s__status_code(long http_status, const char *reason)
{
	if (http_status == 404)
		return KDR_ENOTFOUND;
	if (http_status == 409)
		return reason && strcmp(reason, "AlreadyExists") == 0 ? KDR_EEXISTS : KDR_ECONFLICT;
	if (http_status == 410)
		return KDR_ECONFLICT;
	if (http_status == 429 || http_status >= 500)
		return KDR_EUNAVAILABLE;
	return KDR_EINVALID;
}

int kdr_k8s_request(struct kdr_k8s_client *client, json_t **out, long *http_status, const char *method,
		    const char *path, const char *content_type, const char *body)
{
	struct kdr_http_body resp = KDR_HTTP_BODY_INIT(MAX_RESPONSE_BYTES);
	struct curl_slist *headers = NULL, *connect_to = NULL;
	char *auth = NULL, *url = NULL, *message = NULL;
	char transport_error[CURL_ERROR_SIZE] = "";
	const char *reason = NULL;
	long status = 0;
	CURLcode cc = CURLE_OK;
	int rc = 0;

	if (out)
		*out = NULL;
	if (http_status)
		*http_status = 0;
	rc = auth_header(&auth, client);
	if (rc != 0)
		return rc;
	url = request_url(client, path, &connect_to);
	headers = kdr_http_headers(body ? (content_type ? content_type : "application/json") : NULL, auth);
	atomic_fetch_add(&client->requests, 1);
	pthread_mutex_lock(&client->lock);
	curl_easy_reset(client->curl);
	set_tls(client->curl, client);
	kdr_http_setup(client->curl, method, url, (long)client->timeout_ms, &resp, transport_error, body);
	curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, headers);
	if (connect_to)
		curl_easy_setopt(client->curl, CURLOPT_CONNECT_TO, connect_to);
	cc = curl_easy_perform(client->curl);
	curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &status);
	/* The handle keeps pointers to these; drop them before they are freed. */
	curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(client->curl, CURLOPT_CONNECT_TO, NULL);
	curl_easy_setopt(client->curl, CURLOPT_ERRORBUFFER, NULL);
	pthread_mutex_unlock(&client->lock);
	if (http_status)
		*http_status = cc == CURLE_OK ? status : 0;
	if (cc != CURLE_OK) {
		/* Too large: the write callback stopped the transfer (CURLE_WRITE_ERROR, never a timeout). */
		kdr_http_error_fill(transport_error, sizeof(transport_error), cc);
		rc = kdr_error_set(resp.too_large ? KDR_EINVALID : kdr_http_error_code(cc), "kubernetes %s %s: %s", method,
				   path, resp.too_large ? "response larger than 256 MiB" : transport_error);
		goto cleanup;
	}
	if (status < 200 || status > 299) {
		message = status_message(resp.buf.ptr, resp.buf.len, &reason);
		rc = kdr_error_set(kdr_k8s__status_code(status, reason), "kubernetes %s %s: %ld%s%s: %s", method, path,
				   status, reason ? " " : "", reason ? reason : "", message);
		goto cleanup;
	}
	if (out && resp.buf.len > 0) {
		json_error_t error;

		*out = json_loadb(resp.buf.ptr, resp.buf.len, 0, &error);
		if (!*out)
			rc = kdr_error_set(KDR_EINVALID, "kubernetes %s %s: the answer is not JSON: %s", method, path,
					   error.text);
	}
cleanup:
	free(message);
	free(url);
	kdr_wipe_free(auth);
	curl_slist_free_all(headers);
	curl_slist_free_all(connect_to);
	kdr_buf_release(&resp.buf);
	return rc;
}

/* --- watch --- */

struct watch_state {
	CURL *curl;
	struct kdr_buf line;  /* the event being received */
	struct kdr_buf error; /* a non-200 body */
	kdr_k8s_watch_fn fn;
	void *ctx;
	atomic_int *stop;
	bool ended;           /* fn asked to end, or a stop */
	bool gone;            /* an ERROR event with code 410 */
	int event_error;      /* an ERROR event with another code: its kdr code */
	char *event_message;
	bool bad_event;
	long status;
};

/* Handles one complete line; returns false to abort the transfer. */
static bool watch_line(struct watch_state *st, const char *text, size_t len)
{
	json_t *event = NULL;
	const char *type = NULL;
	json_t *object = NULL;
	bool go_on = true;

	if (len == 0)
		return true;
	event = json_loadb(text, len, 0, NULL);
	type = json_string_value(json_object_get(event, "type"));
	object = json_object_get(event, "object");
	if (!type || !json_is_object(object)) {
		st->bad_event = true;
		json_decref(event);
		return false;
	}
	if (strcmp(type, "ERROR") == 0) {
		json_int_t code = json_integer_value(json_object_get(object, "code"));
		const char *message = json_string_value(json_object_get(object, "message"));

		if (code == 410) {
			st->gone = true;
		} else {
			st->event_error = kdr_k8s__status_code((long)code, NULL);
			st->event_message = kdr_asprintf("ERROR event %lld: %s", (long long)code,
							 message ? message : "(no message)");
		}
		/* The caller sees ERROR too (counts), then the watch ends. */
		st->fn(type, object, st->ctx);
		json_decref(event);
		return false;
	}
	if (st->fn(type, object, st->ctx) != 0) {
		st->ended = true;
		go_on = false;
	}
	json_decref(event);
	return go_on;
}

static size_t watch_write(char *data, size_t size, size_t nmemb, void *vst)
{
	struct watch_state *st = vst;
	size_t n = size * nmemb;

	if (st->status == 0)
		curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &st->status);
	if (st->status != 200) {
		if (st->error.len + n <= 65536)
			kdr_buf_put(&st->error, data, n);
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		if (data[i] != '\n') {
			continue;
		}
		kdr_buf_put(&st->line, data, i);
		if (!watch_line(st, st->line.ptr, st->line.len))
			return 0;
		kdr_buf_reset(&st->line);
		data += i + 1;
		n -= i + 1;
		i = (size_t)-1;
	}
	if (st->line.len + n > MAX_EVENT_BYTES) {
		st->bad_event = true;
		return 0;
	}
	kdr_buf_put(&st->line, data, n);
	return size * nmemb;
}

static int watch_progress(void *vst, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct watch_state *st = vst;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (st->stop && atomic_load(st->stop)) {
		st->ended = true;
		return 1;
	}
	return 0;
}

int kdr_k8s_watch(struct kdr_k8s_client *client, const char *path, const char *resource_version, int timeout_s,
		  kdr_k8s_watch_fn fn, void *ctx, atomic_int *stop)
{
	struct watch_state st;
	struct curl_slist *headers = NULL, *connect_to = NULL;
	char *auth = NULL, *url = NULL, *full = NULL, *message = NULL;
	char transport_error[CURL_ERROR_SIZE] = "";
	const char *reason = NULL;
	CURLcode cc = CURLE_OK;
	int rc = 0;

	memset(&st, 0, sizeof(st));
	kdr_buf_init(&st.line);
	kdr_buf_init(&st.error);
	st.fn = fn;
	st.ctx = ctx;
	st.stop = stop;
	if (timeout_s <= 0)
		timeout_s = 300;
	rc = auth_header(&auth, client);
	if (rc != 0)
		return rc;
	full = kdr_asprintf("%s%swatch=1&allowWatchBookmarks=true&timeoutSeconds=%d%s%s", path,
			    strchr(path, '?') ? "&" : "?", timeout_s,
			    resource_version && resource_version[0] ? "&resourceVersion=" : "",
			    resource_version && resource_version[0] ? resource_version : "");
	url = request_url(client, full, &connect_to);
	headers = kdr_http_headers(NULL, auth);
	st.curl = curl_easy_init();
	if (!st.curl) {
		rc = kdr_error_set(KDR_EIO, "kubernetes: cannot create a curl handle");
		goto cleanup;
	}
	atomic_fetch_add(&client->requests, 1);
	set_tls(st.curl, client);
	curl_easy_setopt(st.curl, CURLOPT_URL, url);
	curl_easy_setopt(st.curl, CURLOPT_CONNECTTIMEOUT_MS, (long)client->timeout_ms);
	/* The server ends the watch after timeout_s; this is the bound if it does not. */
	curl_easy_setopt(st.curl, CURLOPT_TIMEOUT_MS, (long)(timeout_s + 30) * 1000L);
	curl_easy_setopt(st.curl, CURLOPT_WRITEFUNCTION, watch_write);
	curl_easy_setopt(st.curl, CURLOPT_WRITEDATA, &st);
	curl_easy_setopt(st.curl, CURLOPT_XFERINFOFUNCTION, watch_progress);
	curl_easy_setopt(st.curl, CURLOPT_XFERINFODATA, &st);
	curl_easy_setopt(st.curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(st.curl, CURLOPT_ERRORBUFFER, transport_error);
	curl_easy_setopt(st.curl, CURLOPT_HTTPHEADER, headers);
	/* A dead connection is noticed by TCP keepalive, not only by the timeout. */
	curl_easy_setopt(st.curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(st.curl, CURLOPT_TCP_KEEPIDLE, 15L);
	curl_easy_setopt(st.curl, CURLOPT_TCP_KEEPINTVL, 5L);
	if (connect_to)
		curl_easy_setopt(st.curl, CURLOPT_CONNECT_TO, connect_to);
	cc = curl_easy_perform(st.curl);
	if (st.status == 0)
		curl_easy_getinfo(st.curl, CURLINFO_RESPONSE_CODE, &st.status);
	if (st.ended) {
		rc = 0;
	} else if (st.gone) {
		rc = kdr_error_set(KDR_ECONFLICT, "kubernetes watch %s: resourceVersion %s is too old (410 Gone)", path,
				   resource_version ? resource_version : "");
	} else if (st.event_error) {
		rc = kdr_error_set(st.event_error, "kubernetes watch %s: %s", path, st.event_message);
	} else if (st.bad_event) {
		rc = kdr_error_set(KDR_EINVALID, "kubernetes watch %s: an event that is not {type, object} JSON", path);
	} else if (cc == CURLE_OK && st.status != 200 && st.status != 0) {
		message = status_message(st.error.ptr, st.error.len, &reason);
		rc = kdr_error_set(st.status == 410 ? KDR_ECONFLICT : kdr_k8s__status_code(st.status, reason),
				   "kubernetes watch %s: %ld%s%s: %s", path, st.status, reason ? " " : "",
				   reason ? reason : "", message);
	} else if (cc != CURLE_OK) {
		kdr_http_error_fill(transport_error, sizeof(transport_error), cc);
		rc = kdr_error_set(kdr_http_error_code(cc), "kubernetes watch %s: %s", path, transport_error);
	} else if (st.line.len > 0) {
		/* The stream ended inside an event: the connection was cut. */
		rc = kdr_error_set(KDR_EUNAVAILABLE, "kubernetes watch %s: the stream ended inside an event", path);
	}
cleanup:
	if (st.curl)
		curl_easy_cleanup(st.curl);
	free(message);
	free(st.event_message);
	kdr_buf_release(&st.line);
	kdr_buf_release(&st.error);
	free(url);
	free(full);
	kdr_wipe_free(auth);
	curl_slist_free_all(headers);
	curl_slist_free_all(connect_to);
	return rc;
}

/* --- small helpers --- */

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

unsigned char *kdr_k8s__base64_decode(const char *text, size_t *len)
{
	size_t n = strlen(text), o = 0;
	unsigned char *out = kdr_malloc(n / 4 * 3 + 4);
	uint32_t acc = 0;
	int bits = 0, pad = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		int v = 0;

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = b64_value(c);
		if (v < 0 || pad) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* Leftover bits must be zero padding (at most 4 of them, never a lone character). */
	if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0 || pad > 2) {
		free(out);
		return NULL;
	}
	out[o] = '\0';
	*len = o;
	return out;
}

void kdr_k8s__micro_time(char out[KDR_CLOCK_UTC_SIZE])
{
	kdr_clock_utc(out, kdr_clock_wall_ns(), 6);
}

char *kdr_k8s__object_key(const json_t *object)
{
	const json_t *meta = json_object_get(object, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));

	if (ns && ns[0])
		return kdr_asprintf("%s/%s", ns, name ? name : "");
	return kdr_strdup(name ? name : "");
}

int kdr_k8s__list(json_t **items, char **rv, struct kdr_k8s_client *client, const char *path, atomic_int *stop)
{
	json_t *all = json_array();
	char *cont = NULL;
	int rc = 0;

	*items = NULL;
	*rv = NULL;
	do {
		char *escaped = cont ? kdr_http_escape(cont) : NULL;
		char *page_path = kdr_asprintf("%s%slimit=500%s%s", path, strchr(path, '?') ? "&" : "?",
					       escaped ? "&continue=" : "", escaped ? escaped : "");
		json_t *page = NULL, *item = NULL, *meta = NULL;
		const char *kind = NULL, *api_version = NULL, *next = NULL;
		size_t i = 0;

		free(escaped);
		rc = kdr_k8s_request(client, &page, NULL, "GET", page_path, NULL, NULL);
		free(page_path);
		if (rc != 0) {
			json_decref(page);
			break;
		}
		kind = json_string_value(json_object_get(page, "kind"));
		api_version = json_string_value(json_object_get(page, "apiVersion"));
		json_array_foreach(json_object_get(page, "items"), i, item) {
			/* A list's items carry no kind or apiVersion; a document needs both. */
			if (!json_object_get(item, "kind") && kind && strlen(kind) > 4 &&
			    strcmp(kind + strlen(kind) - 4, "List") == 0)
				json_object_set_new(item, "kind", json_stringn(kind, strlen(kind) - 4));
			if (!json_object_get(item, "apiVersion") && api_version)
				json_object_set_new(item, "apiVersion", json_string(api_version));
			json_array_append(all, item);
		}
		meta = json_object_get(page, "metadata");
		free(*rv);
		*rv = kdr_strdup(json_string_value(json_object_get(meta, "resourceVersion")) ?
				 json_string_value(json_object_get(meta, "resourceVersion")) : "");
		next = json_string_value(json_object_get(meta, "continue"));
		free(cont);
		cont = next && next[0] ? kdr_strdup(next) : NULL;
		json_decref(page);
	} while (cont && !(stop && atomic_load(stop)));
	free(cont);
	if (rc != 0) {
		json_decref(all);
		free(*rv);
		*rv = NULL;
		return rc;
	}
	*items = all;
	return 0;
}
