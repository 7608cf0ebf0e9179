#include "connect/connect.h"
#include "connect/connect_internal.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/http.h"
#include "util/scrub.h"

#define MAX_RESPONSE_BYTES (64u << 20)

struct kdr_connect_client {
	CURL *curl;
	char *url; /* without trailing slash */
	char *shown_url; /* url with its userinfo password masked: for every message */
	char *bearer_header;  /* "Authorization: Bearer ..." (secret) */
	char *basic_userpwd;  /* "user:password" (secret) */
	char *ca_file;
	bool insecure;
	struct kdr_connect_options options;
	uint64_t requests;
};

struct response {
	long status;
	struct kdr_http_body body;
};

#define RESPONSE_INIT { 0, KDR_HTTP_BODY_INIT(MAX_RESPONSE_BYTES) }

int kdr_connect_client_open(struct kdr_connect_client **out, const struct kdr_cluster *cl,
			    const struct kdr_connect_options *options)
{
	struct kdr_connect_client *client = NULL;
	struct kdr_connect_options defaults = KDR_CONNECT_OPTIONS_INIT;
	char *secret = NULL, *user = NULL;
	size_t len;
	int rc = 0;

	*out = NULL;
	if (!cl->connect.present || !cl->connect.url)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': no connect.url declared", cl->meta.name);
	kdr_http_global_init();
	client = kdr_calloc(1, sizeof(*client));
	client->options = options ? *options : defaults;
	if (client->options.timeout_ms <= 0)
		client->options.timeout_ms = 30000;
	if (client->options.max_retries < 0)
		client->options.max_retries = 0;
	if (client->options.retry_base_ms <= 0)
		client->options.retry_base_ms = 200;
	client->url = kdr_strdup(cl->connect.url);
	len = strlen(client->url);
	while (len > 0 && client->url[len - 1] == '/')
		client->url[--len] = '\0';
	client->shown_url = kdr_scrub_userinfo_dup(client->url);
	/* A document-chosen path: only below the operator's KDR_SECRET_DIRS or a system CA directory. */
	if (cl->connect.ca_file && (rc = kdr_secret_ca_path_check(cl->connect.ca_file)) != 0) {
		char *message = kdr_strdup(kdr_error_message());

		kdr_error_set(rc, "connect '%s' (cluster '%s'): caFile: %s", client->shown_url, cl->meta.name, message);
		free(message);
		kdr_connect_client_free(client);
		return rc;
	}
	client->ca_file = kdr_strdup(cl->connect.ca_file);
	client->insecure = cl->connect.insecure_skip_verify;
	if (cl->connect.auth_kind == KDR_CONNECT_AUTH_BEARER) {
		rc = kdr_value_resolve(&secret, &cl->connect.token, client->options.resolver);
		if (rc != 0)
			goto fail;
		client->bearer_header = kdr_asprintf("Authorization: Bearer %s", secret);
	} else if (cl->connect.auth_kind == KDR_CONNECT_AUTH_BASIC) {
		rc = kdr_value_resolve(&user, &cl->connect.username, client->options.resolver);
		if (rc == 0)
			rc = kdr_value_resolve(&secret, &cl->connect.password, client->options.resolver);
		if (rc != 0)
			goto fail;
		client->basic_userpwd = kdr_asprintf("%s:%s", user, secret);
	}
	client->curl = curl_easy_init();
	if (!client->curl) {
		rc = kdr_error_set(KDR_EUNAVAILABLE, "connect '%s': cannot initialise libcurl", client->shown_url);
		goto fail;
	}
	kdr_wipe_free(secret);
	kdr_wipe_free(user);
	*out = client;
	return 0;
fail:
	kdr_wipe_free(secret);
	kdr_wipe_free(user);
	{
		/* Keep the resolver's message but say which Connect it was for. */
		char *message = kdr_strdup(kdr_error_message());

		kdr_error_set(rc, "connect '%s' (cluster '%s'): auth: %s", client->shown_url, cl->meta.name, message);
		free(message);
	}
	kdr_connect_client_free(client);
	return rc;
}

void kdr_connect_client_free(struct kdr_connect_client *client)
{
	if (!client)
		return;
	if (client->curl)
		curl_easy_cleanup(client->curl);
	free(client->url);
	free(client->shown_url);
	kdr_wipe_free(client->bearer_header);
	kdr_wipe_free(client->basic_userpwd);
	free(client->ca_file);
	free(client);
}

uint64_t kdr_connect_client_request_count(const struct kdr_connect_client *client)
{
	return client->requests;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Connect's error bodies are {"error_code": N, "message": "..."}. */
static char *error_message_of(const struct response *resp)
{
	json_t *root = json_loadb(resp->body.buf.ptr, resp->body.buf.len, 0, NULL);
	const char *message = NULL;
	char *copy = NULL;

	if (root && json_is_object(root))
		message = json_string_value(json_object_get(root, "message"));
	if (message)
		copy = kdr_strdup(message);
	else if (resp->body.buf.len)
		copy = kdr_http_body_excerpt(resp->body.buf.ptr, resp->body.buf.len);
	else
		copy = kdr_strdup("(empty body)");
	json_decref(root);
	return copy;
}

/* One request; `subject` names what it was about in errors ("connector 'x'"). */
static int perform_once(struct kdr_connect_client *client, const char *method, const char *path, const char *body,
			struct response *resp, char *transport_error, size_t transport_error_len)
{
	struct curl_slist *headers = NULL;
	char *full_url = kdr_asprintf("%s%s", client->url, path);
	CURLcode code;

	curl_easy_reset(client->curl);
	kdr_http_setup(client->curl, method, full_url, (long)client->options.timeout_ms, &resp->body, transport_error,
		       body);
	curl_easy_setopt(client->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (client->ca_file)
		curl_easy_setopt(client->curl, CURLOPT_CAINFO, client->ca_file);
	if (client->insecure) {
		curl_easy_setopt(client->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(client->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	headers = kdr_http_headers(body ? "application/json" : NULL, client->bearer_header);
	if (client->basic_userpwd) {
		curl_easy_setopt(client->curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(client->curl, CURLOPT_USERPWD, client->basic_userpwd);
	}
	curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, headers);
	transport_error[0] = '\0';
	client->requests++;
	code = curl_easy_perform(client->curl);
	if (code == CURLE_OK)
		curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	else
		kdr_http_error_fill(transport_error, transport_error_len, code);
	/* Headers held credentials. */
	curl_slist_free_all(headers);
	free(full_url);
	return code == CURLE_OK ? 0 : kdr_http_error_code(code);
}

/*
 * Sends a request with retries. On success (2xx) leaves the body in `resp`.
 * Otherwise returns a kdr code with a message naming the URL and `subject`.
 */
static int request(struct kdr_connect_client *client, const char *method, const char *path, const char *body,
		   const char *subject, struct response *resp)
{
	char transport_error[CURL_ERROR_SIZE];
	int attempt = 0;
	int delay = client->options.retry_base_ms;

	for (;;) {
		int rc;
		bool retriable;

		kdr_http_body_reset(&resp->body);
		resp->status = 0;
		rc = perform_once(client, method, path, body, resp, transport_error, sizeof(transport_error));
		if (rc == 0 && resp->status >= 200 && resp->status < 300)
			return 0;
		retriable = rc != 0 || resp->status == 409 || resp->status >= 500;
		if (!retriable || attempt >= client->options.max_retries) {
			if (resp->body.too_large)
				return kdr_error_set(KDR_EIO, "connect '%s': %s: %s %s: response larger than %u bytes",
						     client->shown_url, subject, method, path, MAX_RESPONSE_BYTES);
			if (rc != 0)
				return kdr_error_set(rc, "connect '%s': %s: %s %s: %s (after %d attempt(s))", client->shown_url,
						     subject, method, path, transport_error, attempt + 1);
			{
				char *message = error_message_of(resp);
				int code = resp->status == 409	 ? KDR_ECONFLICT
					   : resp->status == 404 ? KDR_ENOTFOUND
					   : resp->status >= 500 ? KDR_EUNAVAILABLE
								 : KDR_EINVALID;

				kdr_error_set(code, "connect '%s': %s: %s %s: HTTP %ld: %s%s", client->shown_url, subject, method,
					      path, resp->status, message,
					      retriable ? " (retries exhausted)" : "");
				free(message);
				return code;
			}
		}
		sleep_ms(delay);
		if (delay < 10000)
			delay *= 2;
		attempt++;
	}
}

static int simple_call(struct kdr_connect_client *client, const char *method, const char *name, const char *suffix,
		       const char *body, long *status)
{
	struct response resp = RESPONSE_INIT;
	char *escaped = kdr_http_escape(name);
	char *path = kdr_asprintf("/connectors/%s%s", escaped, suffix);
	char *subject = kdr_asprintf("connector '%s'", name);
	int rc = request(client, method, path, body, subject, &resp);

	if (status)
		*status = resp.status;
	kdr_buf_release(&resp.body.buf);
	free(escaped);
	free(path);
	free(subject);
	return rc;
}

int kdr_connect_put_config(struct kdr_connect_client *client, const char *name, const struct kdr_strmap *config,
			   bool *created)
{
	json_t *body = json_object();
	char *text = NULL;
	long status = 0;
	int rc;

	for (size_t i = 0; i < config->n; i++)
		json_object_set_new(body, config->v[i].key, json_string(config->v[i].value));
	text = json_dumps(body, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(body);
	rc = simple_call(client, "PUT", name, "/config", text, &status);
	kdr_wipe_free(text); /* the body carried resolved credentials */
	if (created)
		*created = rc == 0 && status == 201;
	return rc;
}

int kdr_connect_pause(struct kdr_connect_client *client, const char *name)
{
	return simple_call(client, "PUT", name, "/pause", NULL, NULL);
}

int kdr_connect_stop(struct kdr_connect_client *client, const char *name)
{
	return simple_call(client, "PUT", name, "/stop", NULL, NULL);
}

int kdr_connect_resume(struct kdr_connect_client *client, const char *name)
{
	return simple_call(client, "PUT", name, "/resume", NULL, NULL);
}

int kdr_connect_restart_task(struct kdr_connect_client *client, const char *name, int32_t task)
{
	char suffix[48];

	snprintf(suffix, sizeof(suffix), "/tasks/%d/restart", (int)task);
	return simple_call(client, "POST", name, suffix, NULL, NULL);
}

int kdr_connect_delete(struct kdr_connect_client *client, const char *name)
{
	long status = 0;
	int rc = simple_call(client, "DELETE", name, "", NULL, &status);

	return rc == KDR_ENOTFOUND ? 0 : rc;
}

int kdr_connect__get_json(struct kdr_connect_client *client, const char *path, const char *subject, json_t **out)
{
	struct response resp = RESPONSE_INIT;
	json_error_t error;
	int rc = request(client, "GET", path, NULL, subject, &resp);

	*out = NULL;
	if (rc == 0) {
		*out = json_loadb(resp.body.buf.ptr, resp.body.buf.len, 0, &error);
		if (!*out)
			rc = kdr_error_set(KDR_EINVALID, "connect '%s': %s: GET %s: invalid JSON at %d:%d: %s", client->shown_url,
					   subject, path, error.line, error.column, error.text);
	}
	kdr_buf_release(&resp.body.buf);
	return rc;
}

int kdr_connect__post_json(struct kdr_connect_client *client, const char *path, const char *subject, json_t **out)
{
	struct response resp = RESPONSE_INIT;
	int rc = request(client, "POST", path, NULL, subject, &resp);

	*out = NULL;
	if (rc == 0 && resp.body.buf.len > 0)
		*out = json_loadb(resp.body.buf.ptr, resp.body.buf.len, 0, NULL);
	kdr_buf_release(&resp.body.buf);
	return rc;
}

const char *kdr_connect__url(const struct kdr_connect_client *client)
{
	return client->shown_url;
}
