/*
 * Which librdkafka properties a KafkaCluster's spec.clientConfig may set.
 *
 * A desired state is untrusted input (a pull request's head is planned in CI
 * with credentials at hand), and librdkafka runs commands
 * (sasl.kerberos.kinit.cmd), loads libraries (plugin.library.paths,
 * ssl.engine.location, ssl.providers) and reads files (ssl.*.location,
 * sasl.kerberos.keytab) named in its configuration. So clientConfig is an
 * allow list, not a pass-through: security, SASL, SSL options that are not
 * paths, timeouts, client.id and client.rack (README "clientConfig").
 *
 * File paths are needed for TLS, so the *.location properties and the Kerberos
 * keytab are accepted from the operator's side only: as {valueFrom: {env:
 * NAME}}, the path being in kdr's environment, never written in a document.
 * The PEM properties (ssl.ca.pem, ...) take the certificates' text and may be
 * given by any reference, a mounted file included.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "model/model.h"
#include "util/strvec.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Properties a document may set, literally or by reference. */
static const char *const allowed[] = {
	"api.version.fallback.ms",
	"api.version.request",
	"api.version.request.timeout.ms",
	"broker.address.family",
	"broker.address.ttl",
	"broker.version.fallback",
	"client.dns.lookup",
	"client.id",
	"client.rack",
	"connections.max.idle.ms",
	"enable.sasl.oauthbearer.unsecure.jwt",
	"enable.ssl.certificate.verification",
	"metadata.max.age.ms",
	"reconnect.backoff.max.ms",
	"reconnect.backoff.ms",
	"request.timeout.ms",
	"retry.backoff.max.ms",
	"retry.backoff.ms",
	"sasl.kerberos.min.time.before.relogin",
	"sasl.kerberos.principal",
	"sasl.kerberos.service.name",
	"sasl.mechanism",
	"sasl.mechanisms",
	"sasl.oauthbearer.client.id",
	"sasl.oauthbearer.client.secret",
	"sasl.oauthbearer.config",
	"sasl.oauthbearer.extensions",
	"sasl.oauthbearer.method",
	"sasl.oauthbearer.scope",
	"sasl.oauthbearer.token.endpoint.url",
	"sasl.password",
	"sasl.username",
	"security.protocol",
	"socket.connection.setup.timeout.ms",
	"socket.keepalive.enable",
	"socket.max.fails",
	"socket.nagle.disable",
	"socket.receive.buffer.bytes",
	"socket.send.buffer.bytes",
	"socket.timeout.ms",
	"ssl.ca.pem",
	"ssl.certificate.pem",
	"ssl.cipher.suites",
	"ssl.curves.list",
	"ssl.endpoint.identification.algorithm",
	"ssl.key.password",
	"ssl.key.pem",
	"ssl.keystore.password",
	"ssl.sigalgs.list",
	"topic.metadata.refresh.fast.interval.ms",
	"topic.metadata.refresh.interval.ms",
};

/* File paths librdkafka reads: accepted only as {valueFrom: {env: NAME}}. */
static const char *const path_keys[] = {
	"sasl.kerberos.keytab",
	"ssl.ca.location",
	"ssl.certificate.location",
	"ssl.crl.location",
	"ssl.key.location",
	"ssl.keystore.location",
};

/* Refused with a reason more useful than "not allowed". */
static const struct {
	const char *key;
	const char *why;
} explained[] = {
	{ "bootstrap.servers", "set spec.bootstrapServers instead" },
	{ "metadata.broker.list", "set spec.bootstrapServers instead" },
	{ "sasl.kerberos.kinit.cmd", "librdkafka runs it as a command; a document may not set one" },
	{ "plugin.library.paths", "librdkafka loads it as a library; a document may not set one" },
	{ "ssl.engine.location", "librdkafka loads it as a library; a document may not set one" },
	{ "ssl.providers", "OpenSSL loads them as libraries; a document may not set them" },
	{ "debug", "client logging is set from kdr's environment (KDR_DEBUG, KDR_RDKAFKA_DEBUG), not by a document" },
	{ "log_level", "client logging is set from kdr's environment (KDR_DEBUG, KDR_RDKAFKA_DEBUG), not by a document" },
};

/* Kerberos names go into librdkafka's kinit command line: no shell syntax. */
static bool plain_kerberos_name(const char *s)
{
	for (; s && *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/@", *s))
			return false;
	return true;
}

bool kdr_client_key_is_path(const char *key)
{
	return kdr_names_find(path_keys, N(path_keys), key) >= 0;
}

const char *kdr_client_key_refusal(const char *key, const struct kdr_value *value)
{
	if (kdr_names_find(path_keys, N(path_keys), key) >= 0) {
		if (value && value->kind != KDR_VALUE_ENV)
			return "a file path is taken from kdr's environment only: "
			       "{valueFrom: {env: NAME}}, never written in a document";
		return NULL;
	}
	if (kdr_names_find(allowed, N(allowed), key) >= 0) {
		if ((strcmp(key, "sasl.kerberos.principal") == 0 || strcmp(key, "sasl.kerberos.service.name") == 0) &&
		    value && value->kind == KDR_VALUE_LITERAL && !plain_kerberos_name(value->literal))
			return "librdkafka puts it in the kinit command line; only letters, digits and ._-/@ are "
			       "accepted";
		return NULL;
	}
	for (size_t i = 0; i < N(explained); i++)
		if (strcmp(explained[i].key, key) == 0)
			return explained[i].why;
	return "not a client property kdr passes to librdkafka (allowed: security.protocol, sasl.*, ssl.* "
	       "options that are not paths, timeouts, client.id, client.rack; see the README's clientConfig)";
}
