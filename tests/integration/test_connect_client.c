/* pkg/connect against the sandbox's Connect worker (real HTTP through libcurl). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "connect/connect.h"
#include "connect_server.h"
#include "util/alloc.h"
#include "util/error.h"

struct fixture {
	struct kdr_connect_server *server;
	struct kdr_desired desired;
	struct kdr_cluster *cl;
	struct kdr_connect_client *client;
};

static int setup(void **state)
{
	struct fixture *f = kdr_calloc(1, sizeof(*f));
	struct kdr_connect_options options = KDR_CONNECT_OPTIONS_INIT;

	if (kdr_connect_server_start(&f->server, "cluster-west-id", 0) != 0)
		return -1;
	f->cl = kdr_desired_add_cluster(&f->desired);
	f->cl->meta.name = kdr_strdup("dc-west");
	f->cl->bootstrap_servers = kdr_strdup("127.0.0.1:1");
	f->cl->connect.present = true;
	/* A trailing slash must not produce "//connectors". */
	f->cl->connect.url = kdr_asprintf("%s/", kdr_connect_server_url(f->server));
	options.retry_base_ms = 5;
	options.timeout_ms = 5000;
	if (kdr_connect_client_open(&f->client, f->cl, &options) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	kdr_connect_client_free(f->client);
	kdr_connect_server_stop(f->server);
	kdr_desired_release(&f->desired);
	free(f);
	return 0;
}

static void mirror_config(struct kdr_strmap *config, const char *name, const char *tasks_max)
{
	kdr_strmap_set(config, "name", name);
	kdr_strmap_set(config, "connector.class", "org.apache.kafka.connect.mirror.MirrorSourceConnector");
	kdr_strmap_set(config, "source.cluster.alias", "dc-east");
	kdr_strmap_set(config, "target.cluster.alias", "dc-west");
	kdr_strmap_set(config, "source.cluster.bootstrap.servers", "127.0.0.1:19092");
	kdr_strmap_set(config, "target.cluster.bootstrap.servers", "127.0.0.1:29092");
	kdr_strmap_set(config, "topics", "orders,payments\\..*");
	kdr_strmap_set(config, "tasks.max", tasks_max);
}

static void test_read_empty_worker(void **state)
{
	struct fixture *f = *state;
	struct kdr_live_connect live = { 0 };

	assert_int_equal(kdr_connect_read(&live, f->client), 0);
	assert_true(live.present);
	assert_string_equal(live.kafka_cluster_id, "cluster-west-id");
	assert_non_null(live.version);
	assert_int_equal(live.n_connectors, 0);
	kdr_live_cluster_release(&(struct kdr_live_cluster){ .connect = live });
}

static void test_create_update_read_back(void **state)
{
	struct fixture *f = *state;
	struct kdr_strmap config = KDR_STRMAP_INIT;
	struct kdr_live_connect live = { 0 };
	const struct kdr_live_connector *connector = NULL;
	bool created = false;

	mirror_config(&config, "kdr.east-to-west.source", "2");
	assert_int_equal(kdr_connect_put_config(f->client, "kdr.east-to-west.source", &config, &created), 0);
	assert_true(created);
	kdr_strmap_set(&config, "tasks.max", "3");
	assert_int_equal(kdr_connect_put_config(f->client, "kdr.east-to-west.source", &config, &created), 0);
	assert_false(created);

	assert_int_equal(kdr_connect_read(&live, f->client), 0);
	assert_int_equal(live.n_connectors, 1);
	connector = kdr_live_connector_find(&live, "kdr.east-to-west.source");
	assert_non_null(connector);
	assert_true(kdr_strmap_equal(&connector->config, &config));
	assert_string_equal(connector->type, "source");
	assert_int_equal(connector->state, KDR_CONNECTOR_RUNNING);
	assert_int_equal(connector->n_tasks, 3);
	assert_int_equal(connector->tasks[2].id, 2);
	assert_int_equal(connector->tasks[2].state, KDR_CONNECTOR_RUNNING);
	kdr_live_cluster_release(&(struct kdr_live_cluster){ .connect = live });
	kdr_strmap_release(&config);
}

static enum kdr_connector_state connector_state(struct fixture *f, const char *name, size_t task,
						 enum kdr_connector_state *task_state)
{
	struct kdr_live_connect live = { 0 };
	const struct kdr_live_connector *connector = NULL;
	enum kdr_connector_state state = KDR_CONNECTOR_UNKNOWN;

	assert_int_equal(kdr_connect_read(&live, f->client), 0);
	connector = kdr_live_connector_find(&live, name);
	assert_non_null(connector);
	state = connector->state;
	if (task_state) {
		assert_true(task < connector->n_tasks);
		*task_state = connector->tasks[task].state;
	}
	kdr_live_cluster_release(&(struct kdr_live_cluster){ .connect = live });
	return state;
}

static void test_pause_resume_restart_delete(void **state)
{
	struct fixture *f = *state;
	struct kdr_strmap config = KDR_STRMAP_INIT;
	enum kdr_connector_state task_state = KDR_CONNECTOR_UNKNOWN;
	const char *name = "kdr.flow.source";

	mirror_config(&config, name, "2");
	assert_int_equal(kdr_connect_put_config(f->client, name, &config, NULL), 0);
	assert_int_equal(kdr_connect_pause(f->client, name), 0);
	assert_int_equal(connector_state(f, name, 0, &task_state), KDR_CONNECTOR_PAUSED);
	assert_int_equal(task_state, KDR_CONNECTOR_PAUSED);
	assert_int_equal(kdr_connect_resume(f->client, name), 0);
	assert_int_equal(connector_state(f, name, 0, &task_state), KDR_CONNECTOR_RUNNING);

	assert_int_equal(kdr_connect_server_fail_task(f->server, name, 1, "java.lang.RuntimeException: boom"), 0);
	assert_int_equal(connector_state(f, name, 1, &task_state), KDR_CONNECTOR_RUNNING);
	assert_int_equal(task_state, KDR_CONNECTOR_FAILED);
	assert_int_equal(kdr_connect_restart(f->client, name, true, true), 0);
	connector_state(f, name, 1, &task_state);
	assert_int_equal(task_state, KDR_CONNECTOR_RUNNING);
	assert_int_equal(kdr_connect_server_fail_task(f->server, name, 0, "boom again"), 0);
	assert_int_equal(kdr_connect_restart_task(f->client, name, 0), 0);
	connector_state(f, name, 0, &task_state);
	assert_int_equal(task_state, KDR_CONNECTOR_RUNNING);

	assert_int_equal(kdr_connect_delete(f->client, name), 0);
	/* Deleting what is already gone is done, not an error: apply must converge. */
	assert_int_equal(kdr_connect_delete(f->client, name), 0);
	assert_int_equal(kdr_connect_pause(f->client, name), KDR_ENOTFOUND);
	assert_non_null(strstr(kdr_error_message(), "connector 'kdr.flow.source': PUT /connectors/kdr.flow.source/pause: "
						    "HTTP 404"));
	kdr_strmap_release(&config);
}

static void test_rebalance_409_is_retried(void **state)
{
	struct fixture *f = *state;
	struct kdr_strmap config = KDR_STRMAP_INIT;
	uint64_t before = kdr_connect_client_request_count(f->client);

	mirror_config(&config, "kdr.retry.source", "1");
	kdr_connect_server_fail(f->server, 409, 2);
	assert_int_equal(kdr_connect_put_config(f->client, "kdr.retry.source", &config, NULL), 0);
	assert_int_equal(kdr_connect_client_request_count(f->client) - before, 3);
	kdr_strmap_release(&config);
}

static void test_persistent_500_is_reported_after_retries(void **state)
{
	struct fixture *f = *state;
	uint64_t before = kdr_connect_client_request_count(f->client);
	struct kdr_live_connect live = { 0 };

	kdr_connect_server_fail(f->server, 500, 100);
	assert_int_equal(kdr_connect_read(&live, f->client), KDR_EUNAVAILABLE);
	/* The default budget: the first attempt and 4 retries. */
	assert_int_equal(kdr_connect_client_request_count(f->client) - before, 5);
	assert_non_null(strstr(kdr_error_message(), "HTTP 500"));
	assert_non_null(strstr(kdr_error_message(), "(retries exhausted)"));
	assert_non_null(strstr(kdr_error_message(), kdr_connect_server_url(f->server)));
	kdr_connect_server_fail(f->server, 500, 0);
	kdr_live_cluster_release(&(struct kdr_live_cluster){ .connect = live });
}

static void test_invalid_config_is_terminal_with_connects_message(void **state)
{
	struct fixture *f = *state;
	struct kdr_strmap config = KDR_STRMAP_INIT;
	uint64_t before = kdr_connect_client_request_count(f->client);

	kdr_strmap_set(&config, "connector.class", "org.apache.kafka.connect.mirror.MirrorSourceConnector");
	assert_int_equal(kdr_connect_put_config(f->client, "kdr.bad.source", &config, NULL), KDR_EINVALID);
	assert_int_equal(kdr_connect_client_request_count(f->client) - before, 1);
	assert_non_null(strstr(kdr_error_message(), "HTTP 400: Connector configuration is invalid"));
	kdr_strmap_release(&config);
}

static void test_unreachable_worker_fails_fast(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_cluster *cl = kdr_desired_add_cluster(&desired);
	struct kdr_connect_options options = KDR_CONNECT_OPTIONS_INIT;
	struct kdr_connect_client *client = NULL;
	struct kdr_live_connect live = { 0 };

	(void)state;
	cl->meta.name = kdr_strdup("dc-gone");
	cl->connect.present = true;
	/* Port 1 on loopback: nothing listens, the connection is refused at once. */
	cl->connect.url = kdr_strdup("http://127.0.0.1:1");
	options.max_retries = 1;
	options.retry_base_ms = 1;
	assert_int_equal(kdr_connect_client_open(&client, cl, &options), 0);
	assert_int_equal(kdr_connect_read(&live, client), KDR_EUNAVAILABLE);
	assert_non_null(strstr(kdr_error_message(), "connect 'http://127.0.0.1:1': worker info: GET /: "));
	assert_non_null(strstr(kdr_error_message(), "(after 2 attempt(s))"));
	kdr_live_cluster_release(&(struct kdr_live_cluster){ .connect = live });
	kdr_connect_client_free(client);
	kdr_desired_release(&desired);
}

static void test_auth_secret_missing_is_reported_without_value(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_cluster *cl = kdr_desired_add_cluster(&desired);
	struct kdr_connect_client *client = NULL;

	(void)state;
	cl->meta.name = kdr_strdup("dc-east");
	cl->connect.present = true;
	cl->connect.url = kdr_strdup("http://127.0.0.1:1");
	cl->connect.auth_kind = KDR_CONNECT_AUTH_BEARER;
	cl->connect.token.kind = KDR_VALUE_ENV;
	cl->connect.token.ref = kdr_strdup("KDR_TEST_NO_SUCH_TOKEN");
	unsetenv("KDR_TEST_NO_SUCH_TOKEN");
	assert_int_equal(kdr_connect_client_open(&client, cl, NULL), KDR_ENOTFOUND);
	assert_null(client);
	assert_string_equal(kdr_error_message(), "connect 'http://127.0.0.1:1' (cluster 'dc-east'): auth: environment "
						 "variable 'KDR_TEST_NO_SUCH_TOKEN' is not set");
	kdr_desired_release(&desired);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_empty_worker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_update_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_resume_restart_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebalance_409_is_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistent_500_is_reported_after_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_config_is_terminal_with_connects_message, setup, teardown),
		cmocka_unit_test(test_unreachable_worker_fails_fast),
		cmocka_unit_test(test_auth_secret_missing_is_reported_without_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
