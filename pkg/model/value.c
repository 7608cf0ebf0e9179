#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/sort.h"

void kdr_value_release(struct kdr_value *value)
{
	free(value->literal);
	free(value->ref);
	free(value->key);
	memset(value, 0, sizeof(*value));
}

void kdr_value_copy(struct kdr_value *out, const struct kdr_value *src)
{
	out->kind = src->kind;
	out->literal = kdr_strdup(src->literal);
	out->ref = kdr_strdup(src->ref);
	out->key = kdr_strdup(src->key);
}

/* Index of key, or -(insertion point) - 1 (an entry's first member is its key). */
static long locate(const struct kdr_value_map *map, const char *key)
{
	return kdr_sort_locate_named(map->v, map->n, sizeof(*map->v), key);
}

void kdr_value_map_set_take(struct kdr_value_map *map, const char *key, struct kdr_value *value)
{
	size_t at = 0;

	map->v = kdr_sort_insert_named(&at, map->v, &map->n, &map->cap, sizeof(*map->v), key);
	kdr_value_release(&map->v[at].value);
	map->v[at].value = *value;
	memset(value, 0, sizeof(*value));
}

const struct kdr_value *kdr_value_map_get(const struct kdr_value_map *map, const char *key)
{
	long at = locate(map, key);

	return at >= 0 ? &map->v[at].value : NULL;
}

void kdr_value_map_release(struct kdr_value_map *map)
{
	for (size_t i = 0; i < map->n; i++) {
		free(map->v[i].key);
		kdr_value_release(&map->v[i].value);
	}
	free(map->v);
	memset(map, 0, sizeof(*map));
}

bool kdr_config_key_is_sensitive(const char *key)
{
	/*
	 * Substrings, because client properties come in many spellings
	 * (sasl.password, ssl.keystore.password, basic.auth.user.info,
	 * sasl.oauthbearer.client.secret, ...). Over-redacting is harmless.
	 */
	static const char *const markers[] = {
		"password", "secret", "token", "jaas", "credential", "user.info", "ssl.key", "private", "apikey", "api.key",
	};

	char lower[256];
	size_t len = key ? strlen(key) : 0;

	if (!key)
		return false;
	if (len >= sizeof(lower)) {
		for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
			if (strcasestr(key, markers[i]))
				return true;
		return false;
	}
	/* Lowered once, then strstr: strcasestr per marker was 3% of a 20,000-topic apply (each plan line asks). */
	for (size_t i = 0; i <= len; i++)
		lower[i] = (char)tolower((unsigned char)key[i]);
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
		if (strstr(lower, markers[i]))
			return true;
	return false;
}

bool kdr_value_is_secret(const char *key, const struct kdr_value *value)
{
	return value->kind != KDR_VALUE_LITERAL || kdr_config_key_is_sensitive(key);
}

static int read_secret_file(char **out, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct kdr_buf buf = KDR_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return kdr_error_set(KDR_ENOTFOUND, "secret file '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf.len + n > 1 << 20) {
			fclose(f);
			kdr_buf_release(&buf);
			return kdr_error_set(KDR_EINVALID, "secret file '%s': larger than 1 MiB", path);
		}
		kdr_buf_put(&buf, chunk, n);
	}
	fclose(f);
	/* Files written by editors and `echo` end in a newline that is not part of the secret. */
	while (buf.len > 0 && (buf.ptr[buf.len - 1] == '\n' || buf.ptr[buf.len - 1] == '\r'))
		kdr_buf_truncate(&buf, buf.len - 1);
	*out = kdr_buf_detach(&buf);
	return 0;
}

char *kdr_value_ref_refusal(const struct kdr_value *value)
{
	if (value->kind == KDR_VALUE_ENV && value->ref)
		return kdr_secret_env_refusal(value->ref);
	if (value->kind == KDR_VALUE_FILE && value->ref)
		return kdr_secret_path_refusal(value->ref);
	return NULL;
}

int kdr_value_resolve(char **out, const struct kdr_value *value, const struct kdr_secret_resolver *resolver)
{
	const char *env = NULL;
	char *why = NULL;
	int rc = 0;

	*out = NULL;
	switch (value->kind) {
	case KDR_VALUE_LITERAL:
		*out = kdr_strdup(value->literal ? value->literal : "");
		return 0;
	case KDR_VALUE_ENV:
		why = kdr_secret_env_refusal(value->ref);
		if (why) {
			kdr_error_set(KDR_EINVALID, "%s", why);
			free(why);
			return KDR_EINVALID;
		}
		env = getenv(value->ref);
		if (!env)
			return kdr_error_set(KDR_ENOTFOUND, "environment variable '%s' is not set", value->ref);
		*out = kdr_strdup(env);
		return 0;
	case KDR_VALUE_FILE:
		rc = kdr_secret_path_check(value->ref);
		if (rc != 0)
			return rc;
		return read_secret_file(out, value->ref);
	case KDR_VALUE_SECRET_KEY_REF:
		if (!resolver || !resolver->secret_lookup)
			return kdr_error_set(KDR_ENOTFOUND,
					     "secret '%s' key '%s': secretKeyRef is only available with --k8s; outside "
					     "Kubernetes use {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}",
					     value->ref, value->key);
		return resolver->secret_lookup(out, value->ref, value->key, resolver->ctx);
	}
	return kdr_error_set(KDR_EINVALID, "unknown value kind");
}
