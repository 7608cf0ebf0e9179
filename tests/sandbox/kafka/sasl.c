/*
 * SASL/PLAIN on a sandbox listener: SaslHandshake v0-1 and SaslAuthenticate
 * v0-1, as Kafka's SaslServerAuthenticator runs them. Until a client has
 * authenticated, only ApiVersions and these two are served (anything else
 * closes the connection). Handshake v1 is followed by SaslAuthenticate
 * requests; handshake v0 by one raw, size-prefixed PLAIN token. A wrong
 * username or password gets SASL_AUTHENTICATION_FAILED and the connection
 * is closed, as Kafka does.
 */
#include "sandbox_internal.h"

#include <string.h>

#define FAILED_MESSAGE "Authentication failed: Invalid username or password"

static bool same(const uint8_t *data, size_t len, const char *text)
{
	return len == strlen(text) && memcmp(data, text, len) == 0;
}

/* Whether user/password is the cluster's SASL user or one of its extra users. */
static bool credentials_ok(struct kdr_sandbox_cluster *cl, const uint8_t *user, size_t user_len,
			   const uint8_t *pass, size_t pass_len)
{
	if (same(user, user_len, cl->sasl_username))
		return same(pass, pass_len, cl->sasl_password);
	for (size_t i = 0; i + 1 < cl->users.n; i += 2)
		if (same(user, user_len, cl->users.v[i]))
			return same(pass, pass_len, cl->users.v[i + 1]);
	return false;
}

/* Checks a PLAIN token "[authzid] NUL username NUL password" against the cluster's credentials. */
static bool plain_ok(struct kdr_sandbox_cluster *cl, const uint8_t *token, size_t len)
{
	const uint8_t *first = token ? memchr(token, 0, len) : NULL;
	const uint8_t *second = first ? memchr(first + 1, 0, len - (size_t)(first + 1 - token)) : NULL;
	size_t authzid_len = first ? (size_t)(first - token) : 0;
	size_t user_len = second ? (size_t)(second - first - 1) : 0;
	size_t pass_len = second ? len - (size_t)(second + 1 - token) : 0;

	if (!second || !cl->sasl_username)
		return false;
	if (!credentials_ok(cl, first + 1, user_len, second + 1, pass_len))
		return false;
	/* An authorization id, when given, must be the user itself. */
	return authzid_len == 0 || (authzid_len == user_len && memcmp(token, first + 1, user_len) == 0);
}

int kdr_sandbox_handle_sasl_handshake(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	const char *mechanism = kdr_sandbox_read_string(&req->r, &req->arena, false);
	int state = kdr_sandbox_conn_sasl(req->conn);
	int16_t error = req->injected;

	if (req->r.bad)
		return -1;
	if (!error && state != KDR_SANDBOX_SASL_HANDSHAKE)
		error = KDR_KAFKA_ILLEGAL_SASL_STATE; /* a PLAINTEXT listener, or a second handshake */
	else if (!error && strcmp(mechanism, "PLAIN") != 0)
		error = KDR_KAFKA_UNSUPPORTED_SASL_MECHANISM;
	if (!error)
		kdr_sandbox_conn_set_sasl(req->conn, req->version == 0 ? KDR_SANDBOX_SASL_RAW : KDR_SANDBOX_SASL_AUTH);
	kdr_sandbox_put_i16(out, error);
	if (state == KDR_SANDBOX_SASL_NONE) {
		kdr_sandbox_put_i32(out, 0);
	} else {
		kdr_sandbox_put_i32(out, 1);
		kdr_sandbox_put_string(out, "PLAIN");
	}
	return 0;
}

int kdr_sandbox_handle_sasl_authenticate(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	int32_t len = 0;
	const uint8_t *token = kdr_sandbox_read_bytes(&req->r, &len);
	int16_t error = req->injected;
	const char *message = NULL;

	if (req->r.bad)
		return -1;
	if (!error && kdr_sandbox_conn_sasl(req->conn) != KDR_SANDBOX_SASL_AUTH) {
		error = KDR_KAFKA_ILLEGAL_SASL_STATE;
		message = "Unexpected SaslAuthenticate request";
	} else if (!error && !plain_ok(req->cluster, token, len > 0 ? (size_t)len : 0)) {
		error = KDR_KAFKA_SASL_AUTHENTICATION_FAILED;
		message = FAILED_MESSAGE;
	}
	if (error) {
		req->close_after = true;
	} else {
		kdr_sandbox_conn_set_sasl(req->conn, KDR_SANDBOX_SASL_DONE);
	}
	kdr_sandbox_put_i16(out, error);
	kdr_sandbox_put_string(out, message ? message : (error ? "injected by the sandbox" : NULL));
	kdr_sandbox_put_bytes(out, "", 0);
	if (req->version >= 1)
		kdr_sandbox_put_i64(out, 0);
	return 0;
}

int kdr_sandbox_sasl_raw_token(struct kdr_sandbox_request *req, const uint8_t *token, size_t len)
{
	if (!plain_ok(req->cluster, token, len))
		return -1;
	kdr_sandbox_conn_set_sasl(req->conn, KDR_SANDBOX_SASL_DONE);
	return 0;
}
