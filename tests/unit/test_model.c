/* pkg/model: positions, secret references, value maps, defaults, assignments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/model.h"
#include "util/alloc.h"
#include "util/error.h"

/* Test fixtures need writable strings where the model holds char *. */
static char *w(const char *s)
{
	return (char *)(uintptr_t)s;
}

static void test_locate_exact_then_parent_then_document(void **state)
{
	struct kdr_meta meta = { 0 };
	struct kdr_loc loc = { 0 };

	(void)state;
	meta.file = kdr_strdup("topics.yaml");
	meta.object_ref = kdr_strdup("TopicPolicy/core");
	meta.line = 3;
	meta.col = 1;
	kdr_meta_add_position(&meta, "spec", 6, 1);
	kdr_meta_add_position(&meta, "spec.config", 9, 3);
	kdr_meta_add_position(&meta, "spec.topics[1]", 14, 7);

	kdr_meta_locate(&loc, &meta, "spec.topics[1]");
	assert_string_equal(loc.file, "topics.yaml");
	assert_int_equal(loc.line, 14);
	assert_int_equal(loc.col, 7);
	kdr_meta_locate(&loc, &meta, "spec.topics[1].partitions");
	assert_int_equal(loc.line, 14);
	/* A config key with dots falls back to its map. */
	kdr_meta_locate(&loc, &meta, "spec.config.min.insync.replicas");
	assert_int_equal(loc.line, 9);
	kdr_meta_locate(&loc, &meta, "metadata.name");
	assert_int_equal(loc.line, 3);
	assert_int_equal(loc.col, 1);
	kdr_meta_release(&meta);
}

static void test_locate_without_file_names_the_object(void **state)
{
	struct kdr_meta meta = { 0 };
	struct kdr_loc loc = { 0 };

	(void)state;
	meta.object_ref = kdr_strdup("KafkaCluster/dc-east");
	kdr_meta_locate(&loc, &meta, "spec.bootstrapServers");
	assert_string_equal(loc.file, "KafkaCluster/dc-east");
	assert_int_equal(loc.line, 0);
	kdr_meta_release(&meta);
}

static void test_sensitive_keys_and_references_are_secret(void **state)
{
	struct kdr_value literal = { KDR_VALUE_LITERAL, w("x"), NULL, NULL };
	struct kdr_value env = { KDR_VALUE_ENV, NULL, w("EAST_PASSWORD"), NULL };

	(void)state;
	assert_true(kdr_config_key_is_sensitive("sasl.password"));
	assert_true(kdr_config_key_is_sensitive("ssl.keystore.password"));
	assert_true(kdr_config_key_is_sensitive("sasl.jaas.config"));
	assert_true(kdr_config_key_is_sensitive("sasl.oauthbearer.client.secret"));
	assert_true(kdr_config_key_is_sensitive("ssl.key.pem"));
	assert_false(kdr_config_key_is_sensitive("security.protocol"));
	assert_false(kdr_config_key_is_sensitive("retention.ms"));
	/* Any case, and keys longer than the lowering buffer. */
	assert_true(kdr_config_key_is_sensitive("SASL.PassWord"));
	assert_true(kdr_config_key_is_sensitive("Api.Key"));
	{
		char key[400];

		memset(key, 'x', sizeof(key));
		memcpy(key + 300, "ToKeN", 5);
		key[sizeof(key) - 1] = '\0';
		assert_true(kdr_config_key_is_sensitive(key));
		key[300] = 'x';
		assert_false(kdr_config_key_is_sensitive(key));
	}
	assert_false(kdr_value_is_secret("client.id", &literal));
	assert_true(kdr_value_is_secret("sasl.password", &literal));
	assert_true(kdr_value_is_secret("client.id", &env));
}

static void test_resolve_env_file_and_missing(void **state)
{
	struct kdr_value env = { KDR_VALUE_ENV, NULL, w("KDR_TEST_SECRET"), NULL };
	struct kdr_value missing = { KDR_VALUE_ENV, NULL, w("KDR_TEST_UNSET_VAR"), NULL };
	struct kdr_value file = { KDR_VALUE_FILE, NULL, NULL, NULL };
	struct kdr_value secret = { KDR_VALUE_SECRET_KEY_REF, NULL, w("east"), w("password") };
	char dir[] = "/tmp/kdr-secrets-XXXXXX";
	char path[64] = "";
	char *out = NULL;
	int fd = -1;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/secret", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	/* The file is below a directory the operator allows (KDR_SECRET_DIRS). */
	setenv("KDR_SECRET_DIRS", dir, 1);
	unsetenv("KDR_SECRET_ENV_PREFIXES");
	kdr_secret_policy_reload();
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cret\n", 7), 7);
	close(fd);
	file.ref = path;
	setenv("KDR_TEST_SECRET", "hunter2", 1);
	unsetenv("KDR_TEST_UNSET_VAR");

	assert_int_equal(kdr_value_resolve(&out, &env, NULL), 0);
	assert_string_equal(out, "hunter2");
	free(out);
	assert_int_equal(kdr_value_resolve(&out, &file, NULL), 0);
	assert_string_equal(out, "s3cret");
	free(out);
	assert_int_equal(kdr_value_resolve(&out, &missing, NULL), KDR_ENOTFOUND);
	assert_string_equal(kdr_error_message(), "environment variable 'KDR_TEST_UNSET_VAR' is not set");
	assert_null(out);
	assert_int_equal(kdr_value_resolve(&out, &secret, NULL), KDR_ENOTFOUND);
	assert_string_equal(kdr_error_message(),
			    "secret 'east' key 'password': secretKeyRef is only available with --k8s; outside "
			    "Kubernetes use {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}");
	unlink(path);
	assert_int_equal(kdr_value_resolve(&out, &file, NULL), KDR_ENOTFOUND);
	/* The message names the file, never a value. */
	assert_non_null(strstr(kdr_error_message(), path));
	rmdir(dir);
	unsetenv("KDR_SECRET_DIRS");
	kdr_secret_policy_reload();
}

/*
 * A document names what kdr reads on its side only from the operator's allow
 * list: by default variables starting with KDR_ and files below /etc/kdr, so
 * {valueFrom: {env: AWS_SECRET_ACCESS_KEY}} or {file: /etc/shadow} never end
 * up in a connector config or a Connect request; a link in an allowed
 * directory that points out of it is refused when read.
 */
static void test_secret_allow_list(void **state)
{
	struct kdr_value aws = { KDR_VALUE_ENV, NULL, w("AWS_SECRET_ACCESS_KEY"), NULL };
	struct kdr_value ours = { KDR_VALUE_ENV, NULL, w("KDR_TEST_ALLOWED"), NULL };
	struct kdr_value shadow = { KDR_VALUE_FILE, NULL, w("/etc/shadow"), NULL };
	struct kdr_value link = { KDR_VALUE_FILE, NULL, NULL, NULL };
	char dir[] = "/tmp/kdr-secrets-XXXXXX";
	char outside[] = "/tmp/kdr-outside-XXXXXX";
	char path[64] = "";
	char *out = NULL, *why = NULL;
	int fd = -1;

	(void)state;
	unsetenv("KDR_SECRET_ENV_PREFIXES");
	unsetenv("KDR_SECRET_DIRS");
	kdr_secret_policy_reload();
	setenv("AWS_SECRET_ACCESS_KEY", "aws-s3cret-value", 1);
	setenv("KDR_TEST_ALLOWED", "allowed-value", 1);

	/* The defaults. */
	why = kdr_value_ref_refusal(&aws);
	assert_non_null(why);
	assert_non_null(strstr(why, "'AWS_SECRET_ACCESS_KEY'"));
	assert_non_null(strstr(why, "start with 'KDR_'"));
	free(why);
	assert_int_equal(kdr_value_resolve(&out, &aws, NULL), KDR_EINVALID);
	assert_null(out);
	assert_null(strstr(kdr_error_message(), "aws-s3cret-value"));
	assert_null(kdr_value_ref_refusal(&ours));
	assert_int_equal(kdr_value_resolve(&out, &ours, NULL), 0);
	assert_string_equal(out, "allowed-value");
	free(out);
	why = kdr_value_ref_refusal(&shadow);
	assert_non_null(why);
	assert_non_null(strstr(why, "must be below '/etc/kdr'"));
	free(why);
	assert_int_equal(kdr_value_resolve(&out, &shadow, NULL), KDR_EINVALID);
	assert_null(out);
	why = kdr_secret_path_refusal("/etc/kdr/../shadow");
	assert_non_null(why);
	assert_non_null(strstr(why, "'..'"));
	free(why);
	why = kdr_secret_path_refusal("secrets/pw");
	assert_non_null(strstr(why, "not an absolute path"));
	free(why);
	why = kdr_secret_path_refusal("/etc/kdrx/pw");
	assert_non_null(why);
	free(why);
	assert_null(kdr_secret_path_refusal("/etc/kdr/east/password"));
	/* caFile: also a public CA bundle, never any other file. */
	assert_null(kdr_secret_ca_path_refusal("/etc/ssl/certs/ca-certificates.crt"));
	why = kdr_secret_ca_path_refusal("/etc/passwd");
	assert_non_null(why);
	assert_non_null(strstr(why, "or a system CA directory"));
	free(why);
	/* ... but a CA directory is no place for a document's secrets. */
	why = kdr_secret_path_refusal("/etc/ssl/certs/x");
	assert_non_null(why);
	free(why);

	/* A link in an allowed directory pointing out of it: allowed by its name, refused when read. */
	assert_non_null(mkdtemp(dir));
	assert_non_null(mkdtemp(outside));
	snprintf(path, sizeof(path), "%s/secret", outside);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "outside\n", 8), 8);
	close(fd);
	link.ref = kdr_asprintf("%s/link", dir);
	assert_int_equal(symlink(path, link.ref), 0);
	setenv("KDR_SECRET_DIRS", dir, 1);
	kdr_secret_policy_reload();
	assert_null(kdr_value_ref_refusal(&link));
	assert_int_equal(kdr_value_resolve(&out, &link, NULL), KDR_EINVALID);
	assert_null(out);
	assert_non_null(strstr(kdr_error_message(), "outside the directories"));

	/* The operator widens or narrows the lists. */
	setenv("KDR_SECRET_ENV_PREFIXES", "AWS_, KDR_", 1);
	kdr_secret_policy_reload();
	assert_null(kdr_value_ref_refusal(&aws));
	setenv("KDR_SECRET_ENV_PREFIXES", "", 1);
	kdr_secret_policy_reload();
	why = kdr_value_ref_refusal(&ours);
	assert_non_null(strstr(why, "KDR_SECRET_ENV_PREFIXES is empty"));
	free(why);
	setenv("KDR_SECRET_ENV_PREFIXES", "*", 1);
	kdr_secret_policy_reload();
	assert_null(kdr_value_ref_refusal(&aws));
	/* kdr's own Git token is never a document's, whatever the prefixes. */
	kdr_secret_policy_deny_env("KDR_TEST_ALLOWED");
	why = kdr_value_ref_refusal(&ours);
	assert_non_null(strstr(why, "--token-env"));
	free(why);

	unlink(link.ref);
	free(link.ref);
	unlink(path);
	rmdir(dir);
	rmdir(outside);
	unsetenv("KDR_SECRET_ENV_PREFIXES");
	unsetenv("KDR_SECRET_DIRS");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("KDR_TEST_ALLOWED");
	kdr_secret_policy_reload();
}

static int fake_secret_lookup(char **out, const char *name, const char *key, void *ctx)
{
	*out = kdr_asprintf("%s/%s/%s", (const char *)ctx, name, key);
	return 0;
}

static void test_resolve_secret_key_ref_through_resolver(void **state)
{
	struct kdr_value secret = { KDR_VALUE_SECRET_KEY_REF, NULL, w("east"), w("password") };
	struct kdr_secret_resolver resolver = { fake_secret_lookup, w("ns") };
	char *out = NULL;

	(void)state;
	assert_int_equal(kdr_value_resolve(&out, &secret, &resolver), 0);
	assert_string_equal(out, "ns/east/password");
	free(out);
}

static void test_value_map_sorted_and_replacing(void **state)
{
	struct kdr_value_map map = { 0 };
	struct kdr_value v = { 0 };

	(void)state;
	v.kind = KDR_VALUE_LITERAL;
	v.literal = kdr_strdup("SASL_SSL");
	kdr_value_map_set_take(&map, "security.protocol", &v);
	assert_null(v.literal);
	v.kind = KDR_VALUE_ENV;
	v.ref = kdr_strdup("PW");
	kdr_value_map_set_take(&map, "sasl.password", &v);
	v.kind = KDR_VALUE_LITERAL;
	v.literal = kdr_strdup("PLAINTEXT");
	kdr_value_map_set_take(&map, "security.protocol", &v);
	assert_int_equal(map.n, 2);
	assert_string_equal(map.v[0].key, "sasl.password");
	assert_string_equal(kdr_value_map_get(&map, "security.protocol")->literal, "PLAINTEXT");
	assert_null(kdr_value_map_get(&map, "client.id"));
	kdr_value_map_release(&map);
}

static void test_defaults_of_flows_and_policies(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_flow *flow = kdr_desired_add_flow(&desired);
	struct kdr_policy *policy = kdr_desired_add_policy(&desired);
	struct kdr_cluster *cl = kdr_desired_add_cluster(&desired);

	(void)state;
	assert_string_equal(flow->topics.v[0], ".*");
	assert_string_equal(flow->groups.v[0], ".*");
	assert_string_equal(flow->separator, ".");
	assert_int_equal(flow->replication_factor, 3);
	assert_int_equal(flow->tasks_max, 1);
	assert_true(flow->sync_topic_configs);
	assert_false(flow->sync_topic_acls);
	assert_true(flow->checkpoints_enabled);
	assert_int_equal(flow->checkpoints_interval_seconds, 60);
	assert_true(flow->heartbeats_enabled);
	assert_true(flow->keep_default_excludes);
	assert_int_equal(policy->partitions, 1);
	assert_int_equal(policy->replication_factor, 3);
	assert_int_equal(policy->strategy, KDR_PLACEMENT_RACK_AWARE);
	assert_false(policy->prune);
	cl->meta.name = kdr_strdup("dc-east");
	assert_ptr_equal(kdr_desired_cluster(&desired, "dc-east"), cl);
	assert_null(kdr_desired_cluster(&desired, "dc-west"));
	kdr_desired_release(&desired);
}

static void test_datacenter_of_rack(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_cluster *cl = kdr_desired_add_cluster(&desired);

	(void)state;
	cl->datacenters = kdr_calloc(2, sizeof(*cl->datacenters));
	cl->n_datacenters = 2;
	cl->datacenters[0].name = kdr_strdup("dc-a");
	kdr_strvec_push(&cl->datacenters[0].racks, "a-1");
	cl->datacenters[1].name = kdr_strdup("dc-b");
	kdr_strvec_push(&cl->datacenters[1].racks, "b-1");
	assert_string_equal(kdr_cluster_datacenter_of(cl, "b-1"), "dc-b");
	assert_null(kdr_cluster_datacenter_of(cl, "c-1"));
	assert_null(kdr_cluster_datacenter_of(cl, NULL));
	kdr_desired_release(&desired);
}

static void test_strategy_names_round_trip(void **state)
{
	enum kdr_placement_strategy strategy = KDR_PLACEMENT_ANY;

	(void)state;
	for (int i = KDR_PLACEMENT_ANY; i <= KDR_PLACEMENT_STATIC; i++) {
		assert_int_equal(kdr_placement_strategy_parse(&strategy, kdr_placement_strategy_name(i)), 0);
		assert_int_equal(strategy, i);
	}
	assert_int_equal(kdr_placement_strategy_parse(&strategy, "rackaware"), KDR_EINVALID);
}

static void test_assignment_copy_is_deep(void **state)
{
	struct kdr_assignment a = { 0 }, b = { 0 };

	(void)state;
	kdr_assignment_init(&a, 2, 3);
	for (size_t p = 0; p < 2; p++)
		for (size_t r = 0; r < 3; r++)
			a.partitions[p].ids[r] = (int32_t)(p * 10 + r);
	kdr_assignment_copy(&b, &a);
	a.partitions[1].ids[2] = 99;
	assert_int_equal(b.n, 2);
	assert_int_equal(b.partitions[1].n, 3);
	assert_int_equal(b.partitions[1].ids[2], 12);
	kdr_assignment_release(&a);
	kdr_assignment_release(&b);
	assert_int_equal(a.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locate_exact_then_parent_then_document),
		cmocka_unit_test(test_locate_without_file_names_the_object),
		cmocka_unit_test(test_sensitive_keys_and_references_are_secret),
		cmocka_unit_test(test_resolve_env_file_and_missing),
		cmocka_unit_test(test_secret_allow_list),
		cmocka_unit_test(test_resolve_secret_key_ref_through_resolver),
		cmocka_unit_test(test_value_map_sorted_and_replacing),
		cmocka_unit_test(test_defaults_of_flows_and_policies),
		cmocka_unit_test(test_datacenter_of_rack),
		cmocka_unit_test(test_strategy_names_round_trip),
		cmocka_unit_test(test_assignment_copy_is_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
