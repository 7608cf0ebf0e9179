/*
 * librdkafka properties (what KafkaCluster.clientConfig holds, because kdr's
 * own client is librdkafka) -> the Java client properties MM2's clients read
 * under source.cluster. / target.cluster.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

static int value_text(char **out, const struct kdr_value *value, const struct kdr_mm2_secrets *secrets)
{
	if (value->kind == KDR_VALUE_LITERAL) {
		*out = kdr_strdup(value->literal ? value->literal : "");
		return 0;
	}
	if (secrets && secrets->lookup)
		return secrets->lookup(out, value, secrets->ctx);
	switch (value->kind) {
	case KDR_VALUE_ENV:
		*out = kdr_asprintf("${kdr:env:%s}", value->ref);
		break;
	case KDR_VALUE_FILE:
		*out = kdr_asprintf("${kdr:file:%s}", value->ref);
		break;
	default:
		*out = kdr_asprintf("${kdr:secret:%s/%s}", value->ref, value->key ? value->key : "");
		break;
	}
	return 0;
}

static int resolve_now(char **out, const struct kdr_value *value, void *ctx)
{
	return kdr_value_resolve(out, value, ctx);
}

void kdr_mm2_secrets_resolving(struct kdr_mm2_secrets *out, const struct kdr_secret_resolver *resolver)
{
	out->lookup = resolve_now;
	/* kdr_value_resolve takes a const resolver; the callback context is untyped. */
	out->ctx = (void *)(uintptr_t)resolver;
}

/* Keys whose meaning and spelling are the same in librdkafka and the Java client. */
static const char *const same_keys[] = {
	"security.protocol",
	"ssl.endpoint.identification.algorithm",
	"sasl.kerberos.service.name",
	"client.rack",
};

/* A JAAS string literal: backslash and quote escaped. */
static void put_jaas_quoted(struct kdr_buf *buf, const char *s)
{
	kdr_buf_putc(buf, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			kdr_buf_putc(buf, '\\');
		kdr_buf_putc(buf, *s);
	}
	kdr_buf_putc(buf, '"');
}

static void set_secret(struct kdr_strmap *out, struct kdr_strvec *secret_keys, const char *key, const char *value)
{
	kdr_strmap_set(out, key, value);
	if (!kdr_strvec_contains(secret_keys, key))
		kdr_strvec_push(secret_keys, key);
}

int kdr_mm2_client_properties(struct kdr_strmap *out, struct kdr_strvec *secret_keys, const struct kdr_cluster *cl,
			      const char *prefix, const struct kdr_mm2_secrets *secrets)
{
	const struct kdr_value *mechanism = kdr_value_map_get(&cl->client_config, "sasl.mechanism");
	const struct kdr_value *username = kdr_value_map_get(&cl->client_config, "sasl.username");
	const struct kdr_value *password = kdr_value_map_get(&cl->client_config, "sasl.password");
	const struct kdr_value *ca = kdr_value_map_get(&cl->client_config, "ssl.ca.location");
	char *key = NULL, *text = NULL, *user_text = NULL, *password_text = NULL;
	int rc = 0;

	if (!mechanism)
		mechanism = kdr_value_map_get(&cl->client_config, "sasl.mechanisms");
	key = kdr_asprintf("%sbootstrap.servers", prefix);
	kdr_strmap_set(out, key, cl->bootstrap_servers ? cl->bootstrap_servers : "");
	free(key);
	for (size_t i = 0; i < sizeof(same_keys) / sizeof(same_keys[0]); i++) {
		const struct kdr_value *value = kdr_value_map_get(&cl->client_config, same_keys[i]);

		if (!value)
			continue;
		rc = value_text(&text, value, secrets);
		if (rc != 0)
			goto cleanup;
		key = kdr_asprintf("%s%s", prefix, same_keys[i]);
		if (kdr_value_is_secret(same_keys[i], value))
			set_secret(out, secret_keys, key, text);
		else
			kdr_strmap_set(out, key, text);
		free(key);
		free(text);
		text = NULL;
	}
	if (mechanism) {
		rc = value_text(&text, mechanism, secrets);
		if (rc != 0)
			goto cleanup;
		key = kdr_asprintf("%ssasl.mechanism", prefix);
		kdr_strmap_set(out, key, text);
		free(key);
	}
	if (username && password) {
		/* Java clients take SASL credentials as a JAAS line, not as two keys. */
		struct kdr_buf jaas = KDR_BUF_INIT;
		bool scram = text && strncmp(text, "SCRAM-", 6) == 0;

		rc = value_text(&user_text, username, secrets);
		if (rc == 0)
			rc = value_text(&password_text, password, secrets);
		if (rc != 0)
			goto cleanup;
		kdr_buf_puts(&jaas, scram ? "org.apache.kafka.common.security.scram.ScramLoginModule"
					  : "org.apache.kafka.common.security.plain.PlainLoginModule");
		kdr_buf_puts(&jaas, " required username=");
		put_jaas_quoted(&jaas, user_text);
		kdr_buf_puts(&jaas, " password=");
		put_jaas_quoted(&jaas, password_text);
		kdr_buf_putc(&jaas, ';');
		key = kdr_asprintf("%ssasl.jaas.config", prefix);
		set_secret(out, secret_keys, key, jaas.ptr);
		free(key);
		kdr_buf_release(&jaas);
	}
	if (ca) {
		char *location = NULL;

		rc = value_text(&location, ca, secrets);
		if (rc != 0)
			goto cleanup;
		/* Java reads PEM trust stores since Kafka 2.7 (KIP-651). */
		key = kdr_asprintf("%sssl.truststore.type", prefix);
		kdr_strmap_set(out, key, "PEM");
		free(key);
		key = kdr_asprintf("%sssl.truststore.location", prefix);
		kdr_strmap_set(out, key, location);
		free(key);
		free(location);
	}
cleanup:
	free(text);
	kdr_wipe_free(password_text);
	free(user_text);
	return rc;
}
