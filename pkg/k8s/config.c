/*
 * Where the API server is and who we are: a kubeconfig (libyaml, read into
 * jansson values: every scalar a string) or the pod's service account.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "k8s/k8s.h"
#include "k8s/k8s_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#define MAX_FILE_BYTES (16u << 20)
#define MAX_DEPTH 64
#define DEFAULT_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

void kdr_k8s_config_release(struct kdr_k8s_config *config)
{
	free(config->server);
	free(config->ca_file);
	free(config->ca_pem);
	free(config->cert_file);
	free(config->cert_pem);
	free(config->key_file);
	kdr_wipe_free(config->key_pem);
	kdr_wipe_free(config->token);
	free(config->token_file);
	free(config->tls_server_name);
	free(config->namespace);
	free(config->context);
	memset(config, 0, sizeof(*config));
}

int kdr_k8s__read_file(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct kdr_buf buf = KDR_BUF_INIT;
	char chunk[8192];
	size_t n = 0;

	if (!f)
		return kdr_error_set(errno == ENOENT ? KDR_ENOTFOUND : KDR_EIO, "cannot read '%s': %s", path,
				     strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf.len + n > MAX_FILE_BYTES) {
			fclose(f);
			memset(buf.ptr, 0, buf.len);
			kdr_buf_release(&buf);
			return kdr_error_set(KDR_EINVALID, "'%s' is larger than 16 MiB", path);
		}
		kdr_buf_put(&buf, chunk, n);
	}
	memset(chunk, 0, sizeof(chunk));
	if (ferror(f)) {
		fclose(f);
		memset(buf.ptr, 0, buf.len);
		kdr_buf_release(&buf);
		return kdr_error_set(KDR_EIO, "cannot read '%s': %s", path, strerror(errno));
	}
	fclose(f);
	if (len)
		*len = buf.len;
	*out = kdr_buf_detach(&buf);
	return 0;
}

/* libyaml's document tree -> jansson (scalars as strings; aliases are shared nodes in libyaml). */
static json_t *yaml_to_json(yaml_document_t *doc, yaml_node_t *node, unsigned depth)
{
	json_t *value = NULL;

	if (!node || depth > MAX_DEPTH)
		return NULL;
	switch (node->type) {
	case YAML_SCALAR_NODE:
		return json_stringn((const char *)node->data.scalar.value, node->data.scalar.length);
	case YAML_SEQUENCE_NODE:
		value = json_array();
		for (yaml_node_item_t *item = node->data.sequence.items.start; item < node->data.sequence.items.top;
		     item++) {
			json_t *sub = yaml_to_json(doc, yaml_document_get_node(doc, *item), depth + 1);

			if (!sub) {
				json_decref(value);
				return NULL;
			}
			json_array_append_new(value, sub);
		}
		return value;
	case YAML_MAPPING_NODE:
		value = json_object();
		for (yaml_node_pair_t *pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top;
		     pair++) {
			yaml_node_t *key = yaml_document_get_node(doc, pair->key);
			json_t *sub = NULL;

			if (!key || key->type != YAML_SCALAR_NODE) {
				json_decref(value);
				return NULL;
			}
			sub = yaml_to_json(doc, yaml_document_get_node(doc, pair->value), depth + 1);
			if (!sub) {
				json_decref(value);
				return NULL;
			}
			json_object_setn_new(value, (const char *)key->data.scalar.value, key->data.scalar.length,
					     sub);
		}
		return value;
	case YAML_NO_NODE:
		break;
	}
	return NULL;
}

int kdr_k8s__parse_yaml(json_t **out, const char *label, const char *data, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *value = NULL;
	int rc = 0;

	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		return kdr_error_set(KDR_EIO, "%s: cannot initialise the YAML parser", label);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = kdr_error_set(KDR_EINVALID, "%s:%zu:%zu: invalid YAML: %s", label, parser.problem_mark.line + 1,
				   parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		return rc;
	}
	value = yaml_to_json(&doc, yaml_document_get_root_node(&doc), 0);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (!value || !json_is_object(value)) {
		json_decref(value);
		return kdr_error_set(KDR_EINVALID, "%s: not a YAML map", label);
	}
	*out = value;
	return 0;
}

/* The entry named `name` of the list `list` ([{name, <field>: {...}}]), or NULL. */
static json_t *named(json_t *root, const char *list, const char *field, const char *name)
{
	json_t *items = json_object_get(root, list);
	size_t i = 0;
	json_t *item = NULL;

	json_array_foreach(items, i, item) {
		const char *n = json_string_value(json_object_get(item, "name"));

		if (n && strcmp(n, name) == 0) {
			json_t *sub = json_object_get(item, field);

			return json_is_object(sub) ? sub : json_object();
		}
	}
	return NULL;
}

static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s && s[0] ? s : NULL;
}

/* `path` relative to the kubeconfig's directory `dir` unless absolute. */
static char *resolve_path(const char *dir, const char *path)
{
	if (path[0] == '/' || !dir)
		return kdr_strdup(path);
	return kdr_asprintf("%s/%s", dir, path);
}

/* base64 -> heap bytes (NUL-terminated); NULL when malformed. */
static char *decode_b64(const char *text)
{
	size_t len = 0;
	unsigned char *bytes = kdr_k8s__base64_decode(text, &len);

	return (char *)bytes;
}

static bool truthy(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_string_value(v);

	return json_is_true(v) || (s && (strcmp(s, "true") == 0 || strcmp(s, "True") == 0));
}

static int pem_or_file(char **pem, char **file, json_t *obj, const char *data_key, const char *file_key,
		       const char *dir, const char *label, const char *entry)
{
	const char *data = str(obj, data_key), *path = str(obj, file_key);

	if (data) {
		*pem = decode_b64(data);
		if (!*pem)
			return kdr_error_set(KDR_EINVALID, "%s: %s: %s is not valid base64", label, entry, data_key);
	} else if (path) {
		*file = resolve_path(dir, path);
	}
	return 0;
}

int kdr_k8s_config_kubeconfig(struct kdr_k8s_config *out, const char *path, const char *context)
{
	struct kdr_k8s_config config = { 0 };
	char *data = NULL, *dir = NULL, *slash = NULL, *entry = NULL;
	size_t len = 0;
	json_t *root = NULL, *ctx = NULL, *cluster = NULL, *user = NULL;
	const char *ctx_name = NULL, *cluster_name = NULL, *user_name = NULL, *server = NULL;
	int rc = kdr_k8s__read_file(&data, &len, path);

	if (rc != 0)
		return rc;
	rc = kdr_k8s__parse_yaml(&root, path, data, len);
	kdr_wipe_free(data);
	if (rc != 0)
		return rc;
	dir = kdr_strdup(path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else {
		free(dir);
		dir = NULL;
	}
	ctx_name = context && context[0] ? context : str(root, "current-context");
	if (!ctx_name) {
		rc = kdr_error_set(KDR_ENOTFOUND, "kubeconfig '%s': no current-context; give --context", path);
		goto cleanup;
	}
	ctx = named(root, "contexts", "context", ctx_name);
	if (!ctx) {
		rc = kdr_error_set(KDR_ENOTFOUND, "kubeconfig '%s': no context '%s'", path, ctx_name);
		goto cleanup;
	}
	cluster_name = str(ctx, "cluster");
	user_name = str(ctx, "user");
	cluster = cluster_name ? named(root, "clusters", "cluster", cluster_name) : NULL;
	if (!cluster) {
		rc = kdr_error_set(KDR_ENOTFOUND, "kubeconfig '%s': context '%s' names no known cluster ('%s')", path,
				   ctx_name, cluster_name ? cluster_name : "");
		goto cleanup;
	}
	server = str(cluster, "server");
	if (!server) {
		rc = kdr_error_set(KDR_EINVALID, "kubeconfig '%s': cluster '%s' has no server", path, cluster_name);
		goto cleanup;
	}
	if (truthy(cluster, "insecure-skip-tls-verify")) {
		rc = kdr_error_set(KDR_EUNSUPPORTED,
				   "kubeconfig '%s': cluster '%s' sets insecure-skip-tls-verify; kdr always verifies "
				   "the API server's certificate (give certificate-authority instead)",
				   path, cluster_name);
		goto cleanup;
	}
	config.server = kdr_strdup(server);
	while (strlen(config.server) > 0 && config.server[strlen(config.server) - 1] == '/')
		config.server[strlen(config.server) - 1] = '\0';
	if (str(cluster, "tls-server-name"))
		config.tls_server_name = kdr_strdup(str(cluster, "tls-server-name"));
	entry = kdr_asprintf("cluster '%s'", cluster_name);
	rc = pem_or_file(&config.ca_pem, &config.ca_file, cluster, "certificate-authority-data",
			 "certificate-authority", dir, path, entry);
	free(entry);
	entry = NULL;
	if (rc != 0)
		goto cleanup;
	if (user_name) {
		user = named(root, "users", "user", user_name);
		if (!user) {
			rc = kdr_error_set(KDR_ENOTFOUND, "kubeconfig '%s': context '%s' names no known user ('%s')",
					   path, ctx_name, user_name);
			goto cleanup;
		}
		if (json_object_get(user, "exec") || json_object_get(user, "auth-provider")) {
			rc = kdr_error_set(KDR_EUNSUPPORTED,
					   "kubeconfig '%s': user '%s' uses a credential plugin (exec/auth-provider); "
					   "kdr runs no commands: use a token, tokenFile or a client certificate",
					   path, user_name);
			goto cleanup;
		}
		entry = kdr_asprintf("user '%s'", user_name);
		rc = pem_or_file(&config.cert_pem, &config.cert_file, user, "client-certificate-data",
				 "client-certificate", dir, path, entry);
		if (rc == 0)
			rc = pem_or_file(&config.key_pem, &config.key_file, user, "client-key-data", "client-key", dir,
					 path, entry);
		free(entry);
		entry = NULL;
		if (rc != 0)
			goto cleanup;
		if (str(user, "token"))
			config.token = kdr_strdup(str(user, "token"));
		else if (str(user, "tokenFile"))
			config.token_file = resolve_path(dir, str(user, "tokenFile"));
		if ((config.cert_pem || config.cert_file) != (config.key_pem || config.key_file)) {
			rc = kdr_error_set(KDR_EINVALID,
					   "kubeconfig '%s': user '%s' has a client certificate without a key or a key "
					   "without a certificate",
					   path, user_name);
			goto cleanup;
		}
	}
	config.namespace = kdr_strdup(str(ctx, "namespace") ? str(ctx, "namespace") : "default");
	config.context = kdr_strdup(ctx_name);
	*out = config;
	memset(&config, 0, sizeof(config));
cleanup:
	kdr_k8s_config_release(&config);
	json_decref(root);
	free(dir);
	return rc;
}

/* A small file's contents without trailing whitespace, or NULL with kdr_error_set. */
static char *read_trimmed(const char *path, int *rc)
{
	char *text = NULL;
	size_t len = 0;

	*rc = kdr_k8s__read_file(&text, &len, path);
	if (*rc != 0)
		return NULL;
	while (len > 0 && strchr(" \t\r\n", text[len - 1]))
		text[--len] = '\0';
	return text;
}

int kdr_k8s_config_in_cluster(struct kdr_k8s_config *out, const char *sa_dir)
{
	struct kdr_k8s_config config = { 0 };
	const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = sa_dir && sa_dir[0] ? sa_dir : DEFAULT_SA_DIR;
	char *path = NULL, *token = NULL;
	int rc = 0;

	if (!host || !host[0] || !port || !port[0])
		return kdr_error_set(KDR_ENOTFOUND,
				     "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
				     "are not set (give --kubeconfig)");
	/* An IPv6 service address needs brackets in a URL. */
	config.server = strchr(host, ':') ? kdr_asprintf("https://[%s]:%s", host, port)
					  : kdr_asprintf("https://%s:%s", host, port);
	config.token_file = kdr_asprintf("%s/token", dir);
	token = read_trimmed(config.token_file, &rc);
	if (!token)
		goto cleanup;
	kdr_wipe_free(token);
	config.ca_file = kdr_asprintf("%s/ca.crt", dir);
	{
		struct stat st;

		if (stat(config.ca_file, &st) != 0) {
			rc = kdr_error_set(KDR_ENOTFOUND, "in-cluster: no CA bundle '%s': %s", config.ca_file,
					   strerror(errno));
			goto cleanup;
		}
	}
	path = kdr_asprintf("%s/namespace", dir);
	config.namespace = read_trimmed(path, &rc);
	if (!config.namespace) {
		kdr_error_clear();
		rc = 0;
		config.namespace = kdr_strdup("default");
	}
	/* The service's certificate names kubernetes.default.svc, not the service IP. */
	config.tls_server_name = kdr_strdup("kubernetes.default.svc");
	config.context = kdr_strdup("in-cluster");
	*out = config;
	memset(&config, 0, sizeof(config));
cleanup:
	free(path);
	kdr_k8s_config_release(&config);
	return rc;
}

int kdr_k8s_config_load(struct kdr_k8s_config *out, const char *kubeconfig, const char *context)
{
	const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");
	char *first = NULL;
	int rc = 0;

	if (kubeconfig && kubeconfig[0])
		return kdr_k8s_config_kubeconfig(out, kubeconfig, context);
	if (!(context && context[0]) && getenv("KUBERNETES_SERVICE_HOST") && getenv("KUBERNETES_SERVICE_HOST")[0])
		return kdr_k8s_config_in_cluster(out, NULL);
	if (env && env[0]) {
		first = kdr_strndup(env, strcspn(env, ":"));
		rc = kdr_k8s_config_kubeconfig(out, first, context);
		free(first);
		return rc;
	}
	if (!home || !home[0])
		return kdr_error_set(KDR_ENOTFOUND, "no kubeconfig: give --kubeconfig, set KUBECONFIG or HOME");
	first = kdr_asprintf("%s/.kube/config", home);
	rc = kdr_k8s_config_kubeconfig(out, first, context);
	free(first);
	return rc;
}
