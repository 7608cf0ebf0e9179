/*
 * SASL/PLAIN on the sandbox's listeners, end to end with librdkafka: the
 * right credentials get through (SaslHandshake v1 + SaslAuthenticate),
 * wrong ones fail with an authentication error, and a client that skips
 * SASL is cut off before it can ask for anything. The extra users of
 * `users` authenticate with their own passwords (not with another's).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "sandbox.h"

static struct kdr_sandbox *sandbox;

static void quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	(void)level;
	(void)fac;
	(void)buf;
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	rd_kafka_resp_err_t *last = opaque;

	(void)rk;
	(void)reason;
	if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION || *last == 0)
		*last = (rd_kafka_resp_err_t)err;
}

static const char *const users[] = { "billing", "b1ll1ng", "reporting", "r3port" };

static int setup(void **state)
{
	struct kdr_sandbox_cluster_spec spec;

	(void)state;
	memset(&spec, 0, sizeof(spec));
	spec.name = "secure";
	spec.brokers = 2;
	spec.sasl_username = "mm2";
	spec.sasl_password = "s3cret";
	spec.users = users;
	spec.n_users = 2;
	spec.authorizer = true;
	return kdr_sandbox_start(&sandbox, &spec, 1) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	kdr_sandbox_stop(sandbox);
	return 0;
}

/* Asks for metadata as `user`/`password` (NULL: no SASL); returns the outcome and the last error seen. */
static rd_kafka_resp_err_t try_metadata(const char *user, const char *password, bool expect_ok,
					rd_kafka_resp_err_t *error_seen, int *brokers)
{
	char err[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t code = 0;

	*error_seen = 0;
	*brokers = 0;
	rd_kafka_conf_set(conf, "bootstrap.servers", kdr_sandbox_bootstrap(sandbox, "secure"), err, sizeof(err));
	if (user) {
		rd_kafka_conf_set(conf, "security.protocol", "SASL_PLAINTEXT", err, sizeof(err));
		rd_kafka_conf_set(conf, "sasl.mechanisms", "PLAIN", err, sizeof(err));
		rd_kafka_conf_set(conf, "sasl.username", user, err, sizeof(err));
		rd_kafka_conf_set(conf, "sasl.password", password, err, sizeof(err));
	}
	rd_kafka_conf_set_log_cb(conf, quiet);
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_opaque(conf, error_seen);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	assert_non_null(rk);
	if (expect_ok) {
		code = rd_kafka_metadata(rk, 1, NULL, &md, 10000);
	} else {
		/* A refused client never gets metadata: wait for the error callback instead of a full timeout. */
		code = rd_kafka_metadata(rk, 1, NULL, &md, 300);
		for (int i = 0; i < 50 && *error_seen == 0; i++)
			rd_kafka_poll(rk, 100);
	}
	if (md) {
		*brokers = md->broker_cnt;
		rd_kafka_metadata_destroy(md);
	}
	rd_kafka_poll(rk, 0); /* deliver error callbacks */
	rd_kafka_destroy(rk);
	return code;
}

static void test_right_credentials(void **state)
{
	rd_kafka_resp_err_t seen = 0;
	int brokers = 0;

	(void)state;
	kdr_sandbox_reset_counters(sandbox, "secure");
	assert_int_equal(try_metadata("mm2", "s3cret", true, &seen, &brokers), 0);
	assert_int_equal(brokers, 2);
	assert_true(kdr_sandbox_request_count(sandbox, "secure", 36) >= 1); /* SaslAuthenticate */
}

static void test_wrong_password(void **state)
{
	rd_kafka_resp_err_t seen = 0;
	int brokers = 0;

	(void)state;
	assert_int_not_equal(try_metadata("mm2", "guess", false, &seen, &brokers), 0);
	assert_int_equal(seen, RD_KAFKA_RESP_ERR__AUTHENTICATION);
	assert_int_not_equal(try_metadata("intruder", "s3cret", false, &seen, &brokers), 0);
	assert_int_equal(seen, RD_KAFKA_RESP_ERR__AUTHENTICATION);
}

static void test_extra_users(void **state)
{
	rd_kafka_resp_err_t seen = 0;
	int brokers = 0;

	(void)state;
	assert_int_equal(try_metadata("billing", "b1ll1ng", true, &seen, &brokers), 0);
	assert_int_equal(brokers, 2);
	assert_int_equal(try_metadata("reporting", "r3port", true, &seen, &brokers), 0);
	/* Each user has its own password: another user's, or the admin's, is refused. */
	assert_int_not_equal(try_metadata("billing", "r3port", false, &seen, &brokers), 0);
	assert_int_equal(seen, RD_KAFKA_RESP_ERR__AUTHENTICATION);
	assert_int_not_equal(try_metadata("billing", "s3cret", false, &seen, &brokers), 0);
	assert_int_equal(seen, RD_KAFKA_RESP_ERR__AUTHENTICATION);
}

static void test_plaintext_client_cut_off(void **state)
{
	rd_kafka_resp_err_t seen = 0;
	int brokers = 0;

	(void)state;
	kdr_sandbox_reset_counters(sandbox, "secure");
	assert_int_not_equal(try_metadata(NULL, NULL, false, &seen, &brokers), 0);
	/* Its Metadata requests reached the broker and were refused by closing the connection. */
	assert_true(kdr_sandbox_request_count(sandbox, "secure", 3) >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_right_credentials),
	    cmocka_unit_test(test_wrong_password),
	    cmocka_unit_test(test_extra_users),
	    cmocka_unit_test(test_plaintext_client_cut_off),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
