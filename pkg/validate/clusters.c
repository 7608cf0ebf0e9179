/*
 * KafkaCluster rules that need nothing but the cluster itself: the bootstrap
 * list, the Connect endpoint and its credentials, secrets written in clear,
 * env/file references and caFile outside the operator's allow list, and
 * datacenters that do not overlap.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "validate/validate_internal.h"

static bool is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
	       c == '_';
}

/* NULL when `entry` (len bytes) is host:port, else what is wrong (static text). */
static const char *host_port_problem(const char *entry, size_t len, long *port_out)
{
	const char *colon = NULL;
	size_t host_len = 0;
	long port = 0;

	*port_out = -1;
	if (len > 0 && entry[0] == '[') {
		/* [IPv6]:port */
		const char *close = memchr(entry, ']', len);

		if (!close || (size_t)(close - entry) + 1 >= len || close[1] != ':')
			return "not host:port";
		for (const char *p = entry + 1; p < close; p++)
			if (!strchr("0123456789abcdefABCDEF:.", *p))
				return "not host:port";
		colon = close + 1;
		host_len = (size_t)(close - entry) + 1;
	} else {
		for (size_t i = 0; i < len; i++) {
			if (entry[i] == ':') {
				if (colon)
					return "not host:port";
				colon = entry + i;
			} else if (!is_host_char(entry[i])) {
				return "not host:port";
			}
		}
		if (!colon)
			return "not host:port";
		host_len = (size_t)(colon - entry);
	}
	if (host_len == 0)
		return "not host:port";
	if (colon + 1 >= entry + len)
		return "not host:port";
	for (const char *p = colon + 1; p < entry + len; p++) {
		if (*p < '0' || *p > '9')
			return "not host:port";
		port = port * 10 + (*p - '0');
		if (port > 65535)
			break;
	}
	*port_out = port;
	if (port < 1 || port > 65535)
		return "port out of range";
	return NULL;
}

static void check_bootstrap(struct kdr_validate_ctx *ctx, const struct kdr_cluster *cl)
{
	const char *s = cl->bootstrap_servers;

	/* A missing value is the parser's error (required field). */
	if (!s)
		return;
	for (;;) {
		const char *comma = strchr(s, ',');
		const char *end = comma ? comma : s + strlen(s);
		const char *problem = NULL;
		long port = -1;

		/* Kafka's clients trim the entries, so "a:9092, b:9092" is fine. */
		while (s < end && *s == ' ')
			s++;
		while (end > s && end[-1] == ' ')
			end--;
		if (s == end) {
			kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, "spec.bootstrapServers",
					     "found '%s': empty entry; give a comma-separated list of host:port "
					     "(e.g. 'broker1:9092,broker2:9092')",
					     cl->bootstrap_servers);
			return;
		}
		problem = host_port_problem(s, (size_t)(end - s), &port);
		if (problem && port >= 0) {
			kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, "spec.bootstrapServers",
					     "entry '%.*s': port out of range; ports are 1 to 65535", (int)(end - s),
					     s);
			return;
		}
		if (problem) {
			kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, "spec.bootstrapServers",
					     "entry '%.*s' is not host:port; give a comma-separated list of host:port "
					     "(e.g. 'broker1:9092,broker2:9092')",
					     (int)(end - s), s);
			return;
		}
		if (!comma)
			return;
		s = comma + 1;
	}
}

static bool value_missing(const struct kdr_value *value)
{
	return value->kind == KDR_VALUE_LITERAL && (!value->literal || !value->literal[0]);
}

#define CLEAR_SECRET_ADVICE "put it in an env var or a file: {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}"

static void check_clear_secret(struct kdr_validate_ctx *ctx, const struct kdr_cluster *cl, const char *path,
			       const struct kdr_value *value)
{
	if (value->kind == KDR_VALUE_LITERAL && value->literal && value->literal[0])
		kdr_validate__report(ctx, KDR_SEV_WARNING, &cl->meta, path,
				     "secret written in clear; " CLEAR_SECRET_ADVICE);
}

/* An env or file reference the operator's allow list refuses (kdr_secret_env_refusal): an error at `path`. */
static void check_ref(struct kdr_validate_ctx *ctx, const struct kdr_cluster *cl, const char *path,
		      const struct kdr_value *value)
{
	char *why = kdr_value_ref_refusal(value);

	if (why)
		kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, path, "%s", why);
	free(why);
}

static void check_connect(struct kdr_validate_ctx *ctx, const struct kdr_cluster *cl)
{
	const struct kdr_connect_spec *connect = &cl->connect;

	if (!connect->present)
		return;
	if (connect->ca_file) {
		char *why = kdr_secret_ca_path_refusal(connect->ca_file);

		if (why)
			kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, "spec.connect.caFile", "%s", why);
		free(why);
	}
	check_ref(ctx, cl, "spec.connect.auth.bearerToken", &connect->token);
	check_ref(ctx, cl, "spec.connect.auth.basic.username", &connect->username);
	check_ref(ctx, cl, "spec.connect.auth.basic.password", &connect->password);
	if (connect->url) {
		const char *rest = NULL;

		if (strncasecmp(connect->url, "http://", 7) == 0)
			rest = connect->url + 7;
		else if (strncasecmp(connect->url, "https://", 8) == 0)
			rest = connect->url + 8;
		if (!rest)
			kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, "spec.connect.url",
					     "found '%s'; the Connect REST url must start with http:// or https:// "
					     "(e.g. 'http://connect:8083')",
					     connect->url);
		else if (!*rest || *rest == '/' || *rest == ':')
			kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, "spec.connect.url",
					     "found '%s', which names no host (e.g. 'http://connect:8083')",
					     connect->url);
	}
	if (connect->auth_kind == KDR_CONNECT_AUTH_BASIC) {
		bool no_user = value_missing(&connect->username);
		bool no_password = value_missing(&connect->password);

		if (no_user || no_password)
			kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, "spec.connect.auth.basic",
					     "basic auth needs both username and password; %s missing",
					     no_user && no_password ? "both are"
					     : no_user		    ? "username is"
								    : "password is");
		check_clear_secret(ctx, cl, "spec.connect.auth.basic.password", &connect->password);
	} else if (connect->auth_kind == KDR_CONNECT_AUTH_BEARER) {
		if (value_missing(&connect->token))
			kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, "spec.connect.auth.bearerToken",
					     "bearer auth needs a token");
		check_clear_secret(ctx, cl, "spec.connect.auth.bearerToken", &connect->token);
	}
}

/*
 * kdr_config_key_is_sensitive errs on the side of redaction; for a warning it
 * must not flag keys that hold file paths or URLs (ssl.key.location,
 * sasl.oauthbearer.token.endpoint.url), which are not secrets.
 */
static bool holds_secret(const char *key)
{
	static const char *const not_secret_suffixes[] = { ".location", ".url", ".file", ".path" };
	size_t len = strlen(key);

	for (size_t i = 0; i < sizeof(not_secret_suffixes) / sizeof(not_secret_suffixes[0]); i++) {
		size_t n = strlen(not_secret_suffixes[i]);

		if (len >= n && strcmp(key + len - n, not_secret_suffixes[i]) == 0)
			return false;
	}
	return kdr_config_key_is_sensitive(key);
}

static void check_client_config(struct kdr_validate_ctx *ctx, const struct kdr_cluster *cl)
{
	for (size_t i = 0; i < cl->client_config.n; i++) {
		const struct kdr_value_entry *entry = &cl->client_config.v[i];
		const char *refusal = kdr_client_key_refusal(entry->key, &entry->value);
		char *path = kdr_asprintf("spec.clientConfig.%s", entry->key);

		if (refusal) {
			kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, path, "%s", refusal);
		} else {
			check_ref(ctx, cl, path, &entry->value);
			if (holds_secret(entry->key) && entry->value.kind == KDR_VALUE_LITERAL)
				check_clear_secret(ctx, cl, path, &entry->value);
		}
		free(path);
	}
}

static void check_datacenters(struct kdr_validate_ctx *ctx, const struct kdr_cluster *cl)
{
	for (size_t d = 0; d < cl->n_datacenters; d++) {
		const struct kdr_datacenter *dc = &cl->datacenters[d];

		if (dc->racks.n == 0) {
			char *path = kdr_asprintf("spec.datacenters.%s", dc->name);

			kdr_validate__report(
			    ctx, KDR_SEV_ERROR, &cl->meta, path,
			    "datacenter '%s' lists no racks; list the broker.rack values of its brokers", dc->name);
			free(path);
		}
		for (size_t r = 0; r < dc->racks.n; r++) {
			const char *rack = dc->racks.v[r];
			char *path = kdr_asprintf("spec.datacenters.%s[%zu]", dc->name, r);

			if (kdr_strvec_find(&dc->racks, rack) != (long)r) {
				kdr_validate__report(ctx, KDR_SEV_WARNING, &cl->meta, path,
						     "rack '%s' is listed twice in datacenter '%s'", rack, dc->name);
			} else {
				for (size_t e = 0; e < d; e++) {
					if (!kdr_strvec_contains(&cl->datacenters[e].racks, rack))
						continue;
					kdr_validate__report(ctx, KDR_SEV_ERROR, &cl->meta, path,
							     "rack '%s' is also in datacenter '%s'; a rack belongs to "
							     "one datacenter",
							     rack, cl->datacenters[e].name);
					break;
				}
			}
			free(path);
		}
	}
}

void kdr_validate__check_clusters(struct kdr_validate_ctx *ctx)
{
	for (size_t i = 0; i < ctx->desired->n_clusters; i++) {
		const struct kdr_cluster *cl = &ctx->desired->clusters[i];

		check_bootstrap(ctx, cl);
		check_client_config(ctx, cl);
		check_connect(ctx, cl);
		check_datacenters(ctx, cl);
	}
}
