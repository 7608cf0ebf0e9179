/*
 * kdr failover's and failback's own requests (checkpoints, log ends,
 * offset-syncs; pkg/executor's DR I/O) reach clusters whose SASL password
 * is a secretKeyRef, through the pipeline's secret resolver (the --k8s
 * source's), as kdr lag's do; the secret appears in no message. Two SASL
 * clusters on the test bed (sandbox or real Kafka), the MM2 topics created
 * empty, a resolver that answers one secret and counts its lookups.
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

#include "dr/dr.h"
#include "mm2/mm2.h"
#include "pipeline/dr.h"
#include "pipeline/pipeline.h"
#include "reader/reader.h"
#include "spec/spec.h"
#include "testbed.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/error.h"
#include "validate/validate.h"

#define EAST "dc-east"
#define WEST "dc-west"
#define USER "kdr"
#define PASSWORD "s3cr3t-pw-7d1f"
#define TIMEOUT_MS 15000

static struct kdr_testbed *bed;
static int lookups;

/* The --k8s source's role: Secret kafka-creds, key password. */
static int lookup(char **out, const char *secret_name, const char *key, void *ctx)
{
	(void)ctx;
	lookups++;
	if (strcmp(secret_name, "kafka-creds") != 0 || strcmp(key, "password") != 0)
		return kdr_error_set(KDR_ENOTFOUND, "secret '%s' key '%s' not found", secret_name, key);
	*out = kdr_strdup(PASSWORD);
	return 0;
}

static const struct kdr_secret_resolver resolver = { lookup, NULL };

static int setup(void **state)
{
	struct kdr_sandbox_cluster_spec specs[2];

	(void)state;
	memset(specs, 0, sizeof(specs));
	specs[0].name = EAST;
	specs[1].name = WEST;
	for (size_t i = 0; i < 2; i++) {
		specs[i].brokers = 1;
		specs[i].auto_create_topics = false;
		specs[i].sasl_username = USER;
		specs[i].sasl_password = PASSWORD;
	}
	kdr_testbed_announce("test_dr_secrets");
	return kdr_testbed_start(&bed, specs, 2) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	kdr_testbed_stop(bed);
	return 0;
}

/* An empty topic `topic` on `cluster`, with librdkafka and the literal credentials (the test's own client). */
static void create_topic(const char *cluster, const char *topic)
{
	char err[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;
	rd_kafka_queue_t *queue = NULL;
	rd_kafka_NewTopic_t *nt = NULL;
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_topic_result_t **results = NULL;
	size_t n = 0;

	assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", kdr_testbed_bootstrap(bed, cluster), err,
					   sizeof(err)), RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "security.protocol", "SASL_PLAINTEXT", err, sizeof(err)),
			 RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "sasl.mechanism", "PLAIN", err, sizeof(err)), RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "sasl.username", USER, err, sizeof(err)), RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "sasl.password", PASSWORD, err, sizeof(err)), RD_KAFKA_CONF_OK);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	assert_non_null(rk);
	queue = rd_kafka_queue_new(rk);
	nt = rd_kafka_NewTopic_new(topic, 1, 1, err, sizeof(err));
	assert_non_null(nt);
	rd_kafka_CreateTopics(rk, &nt, 1, NULL, queue);
	ev = rd_kafka_queue_poll(queue, TIMEOUT_MS);
	assert_non_null(ev);
	assert_int_equal(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR_NO_ERROR);
	results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
	assert_int_equal(n, 1);
	/* A bed shared by the tests may hold it already. */
	if (rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
		assert_int_equal(rd_kafka_topic_result_error(results[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
	rd_kafka_event_destroy(ev);
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_queue_destroy(queue);
	rd_kafka_destroy(rk);
}

/* Both clusters reached with SASL/PLAIN, the password a secretKeyRef; flow east-to-west. */
static void load(struct kdr_desired *out)
{
	struct kdr_buf yaml = KDR_BUF_INIT;
	struct kdr_diags diags = KDR_DIAGS_INIT;
	const char *const names[] = { EAST, WEST };

	for (size_t i = 0; i < 2; i++)
		kdr_buf_printf(&yaml,
			       "---\napiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: %s}\nspec:\n"
			       "  bootstrapServers: \"%s\"\n  clientConfig:\n    security.protocol: SASL_PLAINTEXT\n"
			       "    sasl.mechanism: PLAIN\n    sasl.username: " USER "\n"
			       "    sasl.password: {valueFrom: {secretKeyRef: {name: kafka-creds, key: password}}}\n",
			       names[i], kdr_testbed_bootstrap(bed, names[i]));
	kdr_buf_puts(&yaml, "---\napiVersion: kdr.io/v1alpha1\nkind: ReplicationFlow\nmetadata: {name: east-to-west}\n"
			    "spec:\n  source: " EAST "\n  target: " WEST "\n  topics: [orders]\n");
	assert_int_equal(kdr_spec_parse_yaml(out, "dr-secrets.yaml", yaml.ptr, yaml.len, &diags), 0);
	if (diags.errors == 0)
		kdr_validate(out, &diags);
	if (diags.errors) {
		kdr_diags_print(&diags, stdout);
		fail_msg("desired state invalid");
	}
	kdr_diags_release(&diags);
	kdr_buf_release(&yaml);
}

/* Reads the flow's two clusters with their groups' offsets, through the resolver. */
static void read_flow(struct kdr_pipeline *p, const struct kdr_desired *desired)
{
	struct kdr_pipeline_options options = { 0 };
	static const char *const clusters[] = { EAST, WEST };

	options.resolver = &resolver;
	options.timeout_ms = TIMEOUT_MS;
	options.clusters = clusters;
	options.n_clusters = 2;
	options.read_groups = KDR_READ_GROUPS_OFFSETS;
	kdr_pipeline_init(p, desired, &options);
	assert_int_equal(kdr_pipeline_read(p), 0);
	assert_int_equal(p->read_ok.n, 2);
}

static void assert_no_secret(const char *text)
{
	if (text && strstr(text, PASSWORD))
		fail_msg("the secret is in a message: %s", text);
}

/*
 * The failover's own reads (the checkpoints topic, the remote log ends, the
 * source's log ends and offset-syncs) resolve the secretKeyRef: without the
 * resolver the checkpoints read fails ("secretKeyRef is only available with
 * --k8s").
 */
static void test_failover_resolves_secret_key_ref(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_failover_request req = { 0 };
	struct kdr_failover_outcome fo = { 0 };
	const struct kdr_flow *flow = NULL;
	const char *syncs_cluster = NULL;
	char *checkpoints = NULL, *syncs_topic = NULL;
	int before = 0, rc = 0;

	(void)state;
	load(&desired);
	flow = &desired.flows[0];
	checkpoints = kdr_mm2_checkpoints_topic(flow);
	create_topic(WEST, checkpoints);
	kdr_dr_offset_syncs_location(flow, &syncs_cluster, &syncs_topic);
	create_topic(syncs_cluster, syncs_topic);
	read_flow(&p, &desired);
	before = lookups;
	req.flow = flow;
	req.dry_run = true;
	rc = kdr_pipeline_failover(&fo, &p, &req);
	printf("backend %s: failover rc %d (%s), %d secret lookup(s) by its own requests\n",
	       kdr_testbed_backend_name(), rc, rc ? kdr_error_message() : "ok", lookups - before);
	assert_no_secret(kdr_error_message());
	for (size_t i = 0; i < fo.warnings.n; i++) {
		printf("  warning: %s\n", fo.warnings.v[i]);
		assert_no_secret(fo.warnings.v[i]);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(fo.warnings.n, 0); /* the records at risk were measured: the source's reads resolved too */
	assert_true(lookups > before);
	assert_string_equal(fo.plan.target, WEST);
	assert_int_equal(fo.plan.n_groups, 0); /* MM2 checkpointed nothing: no group to move */
	kdr_failover_outcome_release(&fo);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	free(checkpoints);
	free(syncs_topic);
}

/* Failback's read of the flow's offset-syncs (on the source, the primary) resolves it too. */
static void test_failback_resolves_secret_key_ref(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_dr_failover_plan plan = { 0 };
	struct kdr_strvec untranslated = KDR_STRVEC_INIT, errors = KDR_STRVEC_INIT;
	const struct kdr_flow *flow = NULL;
	const char *syncs_cluster = NULL;
	char *syncs_topic = NULL;
	int before = 0, rc = 0;

	(void)state;
	load(&desired);
	flow = &desired.flows[0];
	kdr_dr_offset_syncs_location(flow, &syncs_cluster, &syncs_topic);
	create_topic(syncs_cluster, syncs_topic);
	read_flow(&p, &desired);
	before = lookups;
	rc = kdr_pipeline_failback_groups(&plan, &untranslated, &errors, &p, flow, KDR_DR_UNTRANSLATABLE_REFUSE, false);
	printf("backend %s: failback groups rc %d (%s), %d secret lookup(s) by its own requests\n",
	       kdr_testbed_backend_name(), rc, rc ? kdr_error_message() : "ok", lookups - before);
	assert_no_secret(kdr_error_message());
	assert_int_equal(rc, 0);
	assert_true(lookups > before);
	assert_int_equal(errors.n, 0);
	assert_int_equal(untranslated.n, 0);
	kdr_dr_failover_plan_release(&plan);
	kdr_strvec_release(&untranslated);
	kdr_strvec_release(&errors);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	free(syncs_topic);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failover_resolves_secret_key_ref),
		cmocka_unit_test(test_failback_resolves_secret_key_ref),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
