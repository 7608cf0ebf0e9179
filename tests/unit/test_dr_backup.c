/*
 * pkg/dr backup: the writer's files are deterministic and hold no secret;
 * topics.yaml and acls.yaml are documents kdr validates and plans as they
 * are (adoption: no changes against the cluster they came from; restore
 * into an empty cluster then a backup again gives the same files); the
 * record-dump format round-trips; restore --offsets decisions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dr/backup.h"
#include "plan/plan.h"
#include "spec/spec.h"
#include "util/alloc.h"
#include "util/error.h"
#include "validate/validate.h"

static void add_acl(struct kdr_live_cluster *cl, const char *principal, enum kdr_acl_resource_type type,
		    const char *name, enum kdr_acl_pattern pattern, enum kdr_acl_operation op,
		    enum kdr_acl_permission permission, const char *host)
{
	struct kdr_acl acl = { type, (char *)name, pattern, (char *)principal, (char *)host, op, permission };

	kdr_acl_list_push(&cl->acls, &acl);
}

/* Brokers 1..3 on racks a..c, topic defaults, two topics, ACLs, groups, a connector with a secret. */
static void cluster_init(struct kdr_live_cluster *cl, bool with_state)
{
	static const int32_t orders[3][3] = { { 1, 2, 3 }, { 2, 3, 1 }, { 3, 1, 2 } };
	static const int32_t events[1][2] = { { 2, 1 } };
	struct kdr_live_topic *topic = NULL;
	struct kdr_live_group *group = NULL;

	memset(cl, 0, sizeof(*cl));
	cl->name = kdr_strdup("dc-east");
	cl->cluster_id = kdr_strdup("abcDEF123");
	kdr_live_cluster_add_broker(cl, 3, "h3", 9092, "c");
	kdr_live_cluster_add_broker(cl, 1, "h1", 9092, "a");
	kdr_live_cluster_add_broker(cl, 2, "h2", 9092, "b");
	kdr_live_cluster_set_topic_default(cl, "min.insync.replicas", "1", KDR_CONFIG_SOURCE_DEFAULT);
	kdr_live_cluster_set_topic_default(cl, "cleanup.policy", "delete", KDR_CONFIG_SOURCE_DEFAULT);
	kdr_live_cluster_set_topic_default(cl, "retention.ms", "604800000", KDR_CONFIG_SOURCE_DEFAULT);
	kdr_live_cluster_set_topic_default(cl, "remote.storage.enable", "false", KDR_CONFIG_SOURCE_DEFAULT);
	cl->acls_read = true;
	if (!with_state)
		goto done;
	topic = kdr_live_cluster_add_topic(cl, "orders");
	for (size_t p = 0; p < 3; p++)
		kdr_live_topic_add_partition(topic, orders[p], 3);
	kdr_live_topic_set_config(topic, "cleanup.policy", "compact", KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	kdr_live_topic_set_config(topic, "retention.ms", "86400000", KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	topic = kdr_live_cluster_add_topic(cl, "events.v1");
	kdr_live_topic_add_partition(topic, events[0], 2);
	topic = kdr_live_cluster_add_topic(cl, "__consumer_offsets");
	topic->internal = true;
	kdr_live_topic_add_partition(topic, events[0], 2);
	add_acl(cl, "User:billing", KDR_ACL_TOPIC, "orders", KDR_ACL_LITERAL, KDR_ACL_OP_READ, KDR_ACL_ALLOW, "*");
	add_acl(cl, "User:billing", KDR_ACL_TOPIC, "orders", KDR_ACL_LITERAL, KDR_ACL_OP_DESCRIBE, KDR_ACL_ALLOW,
		"*");
	add_acl(cl, "User:billing", KDR_ACL_GROUP, "billing-", KDR_ACL_PREFIXED, KDR_ACL_OP_READ, KDR_ACL_ALLOW, "*");
	add_acl(cl, "User:billing", KDR_ACL_CLUSTER, KDR_ACL_CLUSTER_NAME, KDR_ACL_LITERAL,
		KDR_ACL_OP_IDEMPOTENT_WRITE, KDR_ACL_ALLOW, "*");
	add_acl(cl, "User:Ops_Team", KDR_ACL_TOPIC, "orders", KDR_ACL_LITERAL, KDR_ACL_OP_WRITE, KDR_ACL_DENY,
		"10.0.0.9");
	add_acl(cl, "User:ops", KDR_ACL_DELEGATION_TOKEN, "t1", KDR_ACL_LITERAL, KDR_ACL_OP_DESCRIBE,
		KDR_ACL_ALLOW, "*");
	add_acl(cl, "User:billing", KDR_ACL_TRANSACTIONAL_ID, "billing-tx", KDR_ACL_LITERAL, KDR_ACL_OP_WRITE,
		KDR_ACL_ALLOW, "*");
	group = kdr_live_cluster_add_group(cl, "billing-app");
	free(group->state);
	group->state = kdr_strdup("Stable");
	group->n_members = 2;
	kdr_live_group_add_offset(group, "orders", 1, 40, "m");
	kdr_live_group_add_offset(group, "orders", 0, 17, NULL);
	group = kdr_live_cluster_add_group(cl, "idle");
	cl->groups_read = cl->group_offsets_read = true;
	kdr_strmap_set(&cl->brokers[0].dynamic_configs, "log.cleaner.threads", "2");
	kdr_strmap_set(&cl->brokers[0].dynamic_configs, "listener.name.x.ssl.keystore.password", NULL);
	kdr_strmap_set(&cl->brokers[1].default_configs, "log.retention.ms", "3600000");
	cl->connect.present = true;
	cl->connect.connectors = kdr_calloc(1, sizeof(*cl->connect.connectors));
	cl->connect.n_connectors = 1;
	cl->connect.connectors[0].name = kdr_strdup("kdr.east-to-west.source");
	cl->connect.connectors[0].type = kdr_strdup("source");
	kdr_strmap_set(&cl->connect.connectors[0].config, "connector.class",
		       "org.apache.kafka.connect.mirror.MirrorSourceConnector");
	kdr_strmap_set(&cl->connect.connectors[0].config, "source.cluster.sasl.jaas.config",
		       "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"hunter2\";");
	kdr_strmap_set(&cl->connect.connectors[0].config, "target.cluster.ssl.truststore.password", "hunter3");
	kdr_strmap_set(&cl->connect.connectors[0].config, "consumer.override.login",
		       "PlainLoginModule required username=\"u\" password=\"hunter4\";");
done:
	kdr_live_cluster_sort(cl);
	kdr_acl_list_sort(&cl->acls);
}

static const struct kdr_dr_backup_info info = { "dc-east", "0.1.0", "2026-12-07T01:02:03Z", NULL };

static const char *file_text(const struct kdr_dr_files *files, const char *path)
{
	const struct kdr_dr_file *file = kdr_dr_files_find(files, path);

	assert_non_null(file);
	return file->data.ptr;
}

static void test_backup_deterministic_and_redacted(void **state)
{
	struct kdr_live_cluster a, b;
	struct kdr_dr_files one = { 0 }, two = { 0 };
	struct kdr_dr_backup_info later = info;
	const char *names[] = { "acls.yaml", "brokers.json", "connectors.json", "groups.json", "manifest.json",
				"topics.yaml" };

	(void)state;
	cluster_init(&a, true);
	cluster_init(&b, true);
	later.created_at = "2026-12-08T00:00:00Z";
	kdr_dr_backup_render(&one, &a, &info, NULL, 0);
	kdr_dr_backup_render(&two, &b, &later, NULL, 0);
	assert_int_equal(one.n, 6);
	for (size_t i = 0; i < one.n; i++) {
		assert_string_equal(one.v[i].path, names[i]);
		if (strcmp(names[i], "manifest.json") != 0)
			assert_string_equal(one.v[i].data.ptr, two.v[i].data.ptr);
	}
	/* The manifest differs in its createdAt line only. */
	{
		const char *m1 = file_text(&one, "manifest.json"), *m2 = file_text(&two, "manifest.json");
		char *d1 = strstr(m1, "\"createdAt\""), *d2 = strstr(m2, "\"createdAt\"");

		assert_non_null(d1);
		assert_non_null(d2);
		assert_memory_equal(m1, m2, (size_t)(d1 - m1));
		assert_string_equal(strchr(d1, '\n'), strchr(d2, '\n'));
		assert_non_null(strstr(m1, "\"clusterId\": \"abcDEF123\""));
		assert_non_null(strstr(m1, "\"topics\": 2"));
		assert_non_null(strstr(m1, "\"aclBindings\": 5"));
		assert_non_null(strstr(m1, "\"groupOffsets\": 2"));
		assert_non_null(strstr(m1, "delegation-token"));
		assert_non_null(strstr(m1, "cannot declare transactional-id bindings"));
		assert_non_null(strstr(m1, "group 'idle': no committed offsets"));
	}
	/* No secret anywhere. */
	for (size_t i = 0; i < one.n; i++) {
		assert_null(strstr(one.v[i].data.ptr, "hunter2"));
		assert_null(strstr(one.v[i].data.ptr, "hunter3"));
		assert_null(strstr(one.v[i].data.ptr, "hunter4"));
	}
	assert_non_null(strstr(file_text(&one, "connectors.json"),
			       "\"source.cluster.sasl.jaas.config\": \"(redacted)\""));
	assert_non_null(strstr(file_text(&one, "brokers.json"), "\"listener.name.x.ssl.keystore.password\": "
								 "\"(redacted)\""));
	assert_non_null(strstr(file_text(&one, "brokers.json"), "\"log.cleaner.threads\": \"2\""));
	/* The exact assignment, in replica order; the internal topic left out. */
	assert_non_null(strstr(file_text(&one, "topics.yaml"), "\"orders\": [[1, 2, 3], [2, 3, 1], [3, 1, 2]]"));
	assert_non_null(strstr(file_text(&one, "topics.yaml"), "\"events.v1\": [[2, 1]]"));
	assert_null(strstr(file_text(&one, "topics.yaml"), "__consumer_offsets"));
	assert_non_null(strstr(file_text(&one, "acls.yaml"), "operations: [read, describe]"));
	assert_non_null(strstr(file_text(&one, "acls.yaml"), "name: backup-dc-east-user-ops-team"));
	kdr_dr_files_release(&one);
	kdr_dr_files_release(&two);
	kdr_live_cluster_release(&a);
	kdr_live_cluster_release(&b);
}

static const char *cluster_yaml = "apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: dc-east}\n"
				  "spec: {bootstrapServers: 'h1:9092'}\n";

/* KafkaCluster dc-east + the backup's documents, validated. */
static void load_backup(struct kdr_desired *desired, const struct kdr_dr_files *files)
{
	struct kdr_diags diags = { 0 };
	const char *docs[] = { "topics.yaml", "acls.yaml" };

	memset(desired, 0, sizeof(*desired));
	assert_int_equal(kdr_spec_parse_yaml(desired, "cluster.yaml", cluster_yaml, strlen(cluster_yaml), &diags), 0);
	for (size_t i = 0; i < 2; i++) {
		const char *text = file_text(files, docs[i]);

		assert_int_equal(kdr_spec_parse_yaml(desired, docs[i], text, strlen(text), &diags), 0);
	}
	kdr_validate(desired, &diags);
	if (diags.errors || diags.warnings)
		kdr_diags_print(&diags, stdout);
	assert_int_equal(diags.errors, 0);
	kdr_diags_release(&diags);
}

static void test_backup_adopts_and_round_trips(void **state)
{
	struct kdr_live live = { 0 }, empty = { 0 };
	struct kdr_dr_files files = { 0 }, again = { 0 };
	struct kdr_desired desired;
	struct kdr_plan plan = { 0 };
	struct kdr_plan_options options = { 0 };
	size_t creates = 0, acls = 0;

	(void)state;
	live.clusters = kdr_calloc(1, sizeof(*live.clusters));
	live.n_clusters = 1;
	cluster_init(&live.clusters[0], true);
	kdr_dr_backup_render(&files, &live.clusters[0], &info, NULL, 0);
	load_backup(&desired, &files);

	/* Adoption: the cluster the backup came from plans to no changes. */
	assert_int_equal(kdr_plan_compute(&plan, &desired, &live, &options), 0);
	for (size_t i = 0; i < plan.n_actions; i++)
		printf("unexpected action %s %s\n", kdr_action_kind_name(plan.actions[i].kind), plan.actions[i].resource);
	assert_true(kdr_plan_is_empty(&plan));
	kdr_plan_release(&plan);

	/* Restore into an empty cluster with the same brokers, then back up: the same documents. */
	empty.clusters = kdr_calloc(1, sizeof(*empty.clusters));
	empty.n_clusters = 1;
	cluster_init(&empty.clusters[0], false);
	assert_int_equal(kdr_plan_compute(&plan, &desired, &empty, &options), 0);
	for (size_t i = 0; i < plan.n_actions; i++) {
		creates += plan.actions[i].kind == KDR_ACTION_CREATE_TOPIC;
		acls += plan.actions[i].kind == KDR_ACTION_CREATE_ACL;
	}
	assert_int_equal(creates, 2);
	assert_int_equal(acls, 5);
	kdr_plan_simulate(&empty, &plan);
	kdr_plan_release(&plan);
	kdr_dr_backup_render(&again, &empty.clusters[0], &info, NULL, 0);
	assert_string_equal(file_text(&again, "topics.yaml"), file_text(&files, "topics.yaml"));
	assert_string_equal(file_text(&again, "acls.yaml"), file_text(&files, "acls.yaml"));
	kdr_dr_files_release(&again);

	/* On other brokers (4..6) the fallback places the topics instead of failing. */
	kdr_live_release(&empty);
	empty.clusters = kdr_calloc(1, sizeof(*empty.clusters));
	empty.n_clusters = 1;
	cluster_init(&empty.clusters[0], false);
	for (size_t b = 0; b < 3; b++)
		empty.clusters[0].brokers[b].id += 3;
	assert_int_equal(kdr_plan_compute(&plan, &desired, &empty, &options), 0);
	assert_int_equal(plan.n_blocked, 0);
	kdr_plan_simulate(&empty, &plan);
	kdr_plan_release(&plan);
	assert_int_equal(kdr_plan_compute(&plan, &desired, &empty, &options), 0);
	assert_true(kdr_plan_is_empty(&plan));
	kdr_plan_release(&plan);

	kdr_live_release(&empty);
	kdr_desired_release(&desired);
	kdr_dr_files_release(&files);
	kdr_live_release(&live);
}

static void test_records_format(void **state)
{
	struct kdr_dr_partition_records records, back;
	struct kdr_dr_header headers[2] = { { (char *)"trace", { (unsigned char *)"a\0b", 3, false } },
					    { (char *)"trace", { NULL, 0, true } } };
	struct kdr_dr_record r1 = { 0, 1700000000000, { (unsigned char *)"k1", 2, false },
				    { (unsigned char *)"\xff\x00v", 3, false }, headers, 2 };
	struct kdr_dr_record r2 = { 5, -1, { NULL, 0, true }, { (unsigned char *)"", 0, false }, NULL, 0 };
	struct kdr_buf text = KDR_BUF_INIT, again = KDR_BUF_INIT;
	char hex[65];
	struct kdr_buf sums = KDR_BUF_INIT;

	(void)state;
	kdr_dr_partition_records_init(&records, "orders", 2);
	kdr_dr_partition_records_add(&records, &r1);
	kdr_dr_partition_records_add(&records, &r2);
	kdr_dr_records_encode(&text, &records);
	assert_string_equal(text.ptr,
			    "{\"kdrRecords\":1,\"partition\":2,\"topic\":\"orders\"}\n"
			    "{\"headers\":[[\"trace\",\"YQBi\"],[\"trace\",null]],\"key\":\"azE=\",\"offset\":0,"
			    "\"timestamp\":1700000000000,\"value\":\"/wB2\"}\n"
			    "{\"headers\":[],\"key\":null,\"offset\":5,\"timestamp\":-1,\"value\":\"\"}\n");
	assert_int_equal(kdr_dr_records_decode(&back, text.ptr, text.len, "0.jsonl"), 0);
	assert_string_equal(back.topic, "orders");
	assert_int_equal(back.partition, 2);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.v[0].value.len, 3);
	assert_memory_equal(back.v[0].value.ptr, "\xff\x00v", 3);
	assert_int_equal(back.v[0].n_headers, 2);
	assert_true(back.v[0].headers[1].value.null);
	assert_true(back.v[1].key.null);
	assert_false(back.v[1].value.null);
	kdr_dr_records_encode(&again, &back);
	assert_string_equal(again.ptr, text.ptr);

	/* Checksums in sha256sum's format; a changed byte is caught. */
	kdr_dr_sha256_hex(hex, "abc", 3);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	kdr_dr_sha256_hex(hex, text.ptr, text.len);
	kdr_buf_printf(&sums, "%s  orders/2.jsonl\n", hex);
	assert_int_equal(kdr_dr_sha256_check(sums.ptr, "data/orders/2.jsonl", text.ptr, text.len), 0);
	text.ptr[10] ^= 1;
	assert_int_equal(kdr_dr_sha256_check(sums.ptr, "data/orders/2.jsonl", text.ptr, text.len), KDR_EINVALID);
	assert_int_equal(kdr_dr_sha256_check(sums.ptr, "data/orders/1.jsonl", text.ptr, text.len), KDR_ENOTFOUND);

	/* Malformed input names the line and field. */
	kdr_dr_partition_records_release(&back);
	assert_int_equal(kdr_dr_records_decode(&back, "{\"kdrRecords\":1,\"partition\":0,\"topic\":\"t\"}\n"
							"{\"offset\":1,\"timestamp\":0,\"key\":\"*\",\"value\":null}\n",
					       95, "x.jsonl"),
			 KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "x.jsonl:2: key: expected base64 or null"));
	assert_int_equal(kdr_dr_records_decode(&back, "[]\n", 3, "y.jsonl"), KDR_EINVALID);
	assert_int_equal(kdr_dr_records_decode(&back, "\n\n", 2, "blank.jsonl"), KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "blank.jsonl: empty; expected the header line"));

	/* A header key that is not UTF-8 (librdkafka lets a producer send one) is written with U+FFFD. */
	{
		struct kdr_dr_header bad = { (char *)"k\xff", { (unsigned char *)"v", 1, false } };
		struct kdr_dr_record r3 = { 7, 0, { NULL, 0, true }, { NULL, 0, true }, &bad, 1 };
		struct kdr_dr_partition_records one;
		struct kdr_buf line = KDR_BUF_INIT;

		kdr_dr_partition_records_init(&one, "t", 0);
		kdr_dr_partition_records_add(&one, &r3);
		kdr_dr_records_encode(&line, &one);
		assert_non_null(strstr(line.ptr, "[[\"k\\uFFFD\",\"dg==\"]]"));
		kdr_buf_release(&line);
		kdr_dr_partition_records_release(&one);
	}
	assert_int_equal(kdr_dr_records_decode(&back, "", 0, "z.jsonl"), KDR_EINVALID);

	kdr_buf_release(&sums);
	kdr_buf_release(&text);
	kdr_buf_release(&again);
	kdr_dr_partition_records_release(&records);
}

static void test_backup_data_files(void **state)
{
	struct kdr_live_cluster cl;
	struct kdr_dr_partition_records records;
	struct kdr_dr_record r = { 0, 10, { (unsigned char *)"k", 1, false }, { (unsigned char *)"v", 1, false }, NULL,
				   0 };
	struct kdr_dr_files files = { 0 };
	struct kdr_dr_backup_info with_data = info;
	const struct kdr_dr_file *dump = NULL;

	(void)state;
	cluster_init(&cl, true);
	kdr_dr_partition_records_init(&records, "orders", 0);
	kdr_dr_partition_records_add(&records, &r);
	with_data.data_regex = "orders";
	kdr_dr_backup_render(&files, &cl, &with_data, &records, 1);
	dump = kdr_dr_files_find(&files, "data/orders/0.jsonl");
	assert_non_null(dump);
	assert_int_equal(kdr_dr_sha256_check(file_text(&files, "data/SHA256SUMS"), dump->path, dump->data.ptr,
					     dump->data.len),
			 0);
	assert_non_null(strstr(file_text(&files, "manifest.json"), "\"records\": 1"));
	assert_non_null(strstr(file_text(&files, "manifest.json"), "\"data/orders/0.jsonl\""));
	kdr_dr_files_release(&files);
	kdr_dr_partition_records_release(&records);
	kdr_live_cluster_release(&cl);
}

static void test_groups_and_restore_offsets(void **state)
{
	struct kdr_live_cluster src, backup = { 0 }, live;
	struct kdr_dr_files files = { 0 };
	struct kdr_dr_offsets ends = { 0 };
	struct kdr_dr_restore_offsets decided = { 0 };
	const char *text = NULL;
	struct kdr_live_group *group = NULL;

	(void)state;
	cluster_init(&src, true);
	kdr_dr_backup_render(&files, &src, &info, NULL, 0);
	text = file_text(&files, "groups.json");
	assert_int_equal(kdr_dr_backup_groups_decode(&backup, text, strlen(text), "groups.json"), 0);
	assert_int_equal(backup.n_groups, 1);
	assert_string_equal(backup.groups[0].id, "billing-app");
	assert_int_equal(backup.groups[0].n_offsets, 2);
	assert_int_equal(backup.groups[0].offsets[0].partition, 0);
	assert_int_equal(backup.groups[0].offsets[1].offset, 40);
	assert_string_equal(backup.groups[0].offsets[1].metadata, "m");

	/* Partition 0 ends at 17 (exact), partition 1 at 30 (< 40: refused, never past the end). */
	cluster_init(&live, false);
	kdr_dr_offsets_set(&ends, "orders", 0, 17);
	kdr_dr_offsets_set(&ends, "orders", 1, 30);
	kdr_dr_offsets_sort(&ends);
	kdr_dr_restore_offsets_decide(&decided, &backup, &live, &ends);
	assert_int_equal(decided.n, 2);
	assert_int_equal(decided.rows[0].verdict, KDR_DR_RESTORE_COMMIT);
	assert_int_equal(decided.rows[1].verdict, KDR_DR_RESTORE_REFUSED);
	assert_non_null(strstr(decided.rows[1].reason, "past the log end 30"));
	kdr_dr_restore_offsets_release(&decided);

	/* Already there: unchanged; an active group: refused whole. */
	group = kdr_live_cluster_add_group(&live, "billing-app");
	kdr_live_group_add_offset(group, "orders", 0, 17, "");
	kdr_live_cluster_sort(&live);
	kdr_dr_offsets_release(&ends);
	kdr_dr_offsets_set(&ends, "orders", 0, 17);
	kdr_dr_offsets_set(&ends, "orders", 1, 50);
	kdr_dr_offsets_sort(&ends);
	kdr_dr_restore_offsets_decide(&decided, &backup, &live, &ends);
	assert_int_equal(decided.rows[0].verdict, KDR_DR_RESTORE_UNCHANGED);
	assert_int_equal(decided.rows[1].verdict, KDR_DR_RESTORE_COMMIT);
	assert_int_equal(decided.n_commit, 1);
	kdr_dr_restore_offsets_release(&decided);
	live.groups[0].n_members = 1;
	kdr_dr_restore_offsets_decide(&decided, &backup, &live, &ends);
	assert_int_equal(decided.n_refused, 2);
	assert_non_null(strstr(decided.rows[0].reason, "active"));
	kdr_dr_restore_offsets_release(&decided);

	kdr_live_cluster_release(&backup);
	assert_int_equal(kdr_dr_backup_groups_decode(&backup, "{\"kdrGroups\":2}", 15, "g.json"), KDR_EINVALID);
	kdr_dr_offsets_release(&ends);
	kdr_dr_files_release(&files);
	kdr_live_cluster_release(&src);
	kdr_live_cluster_release(&live);
	kdr_live_cluster_release(&backup);
}

/* The restored records are numbered from 0: committed offsets move with them. */
static void test_restore_offsets_translate(void **state)
{
	struct kdr_live_cluster backup = { 0 };
	struct kdr_dr_partition_records sets[1];
	struct kdr_dr_record record = { 0 };
	struct kdr_live_group *group = NULL;
	static const int64_t offsets[] = { 100, 101, 105, 106 }; /* log start 100, a compacted gap at 102..104 */

	(void)state;
	kdr_dr_partition_records_init(&sets[0], "orders", 0);
	for (size_t i = 0; i < 4; i++) {
		record.offset = offsets[i];
		record.timestamp_ms = -1;
		record.key.null = record.value.null = true;
		kdr_dr_partition_records_add(&sets[0], &record);
	}
	group = kdr_live_cluster_add_group(&backup, "a");
	kdr_live_group_add_offset(group, "orders", 0, 105, ""); /* before the third record: 2 */
	kdr_live_group_add_offset(group, "orders", 1, 105, ""); /* no records restored there: as it is */
	group = kdr_live_cluster_add_group(&backup, "b");
	kdr_live_group_add_offset(group, "orders", 0, 103, ""); /* inside the gap: the next record, 2 */
	group = kdr_live_cluster_add_group(&backup, "c");
	kdr_live_group_add_offset(group, "orders", 0, 107, ""); /* at the log end: the restored log end, 4 */
	group = kdr_live_cluster_add_group(&backup, "d");
	kdr_live_group_add_offset(group, "orders", 0, 50, ""); /* before the log start: 0 */
	kdr_live_cluster_sort(&backup);
	kdr_dr_restore_offsets_translate(&backup, sets, 1);
	assert_int_equal(backup.groups[0].offsets[0].offset, 2);
	assert_int_equal(backup.groups[0].offsets[1].offset, 105);
	assert_int_equal(backup.groups[1].offsets[0].offset, 2);
	assert_int_equal(backup.groups[2].offsets[0].offset, 4);
	assert_int_equal(backup.groups[3].offsets[0].offset, 0);
	kdr_dr_partition_records_release(&sets[0]);
	kdr_live_cluster_release(&backup);
}

/* restore --connectors: connectors.json read back and planned against a Connect (pkg/plan). */
static void test_restore_connectors(void **state)
{
	static const char text[] =
	    "{\"cluster\":\"c\",\"connectRead\":true,\"connectors\":["
	    "{\"config\":{\"connector.class\":\"X\",\"name\":\"app\",\"sasl.jaas.config\":\"(redacted)\","
	    "\"tasks.max\":\"1\"},\"name\":\"app\",\"type\":\"sink\"},"
	    "{\"config\":{\"name\":\"kdr.f.source\"},\"name\":\"kdr.f.source\",\"type\":\"source\"}],"
	    "\"kdrConnectors\":1}";
	const struct kdr_plan_secret_value supplied = { "app", "sasl.jaas.config", "s3cret" };
	struct kdr_live_connect backup = { 0 };
	struct kdr_live_cluster live = { 0 };
	struct kdr_plan plan = { 0 };
	struct kdr_plan_restore_connectors in = { "c", "backup-c", &backup, &live, NULL, 0 };

	(void)state;
	assert_int_equal(kdr_dr_backup_connectors_decode(&backup, text, strlen(text), "connectors.json"), 0);
	assert_int_equal(backup.n_connectors, 2);
	assert_string_equal(kdr_strmap_get(&backup.connectors[0].config, "sasl.jaas.config"), KDR_REDACTED);

	/* No Connect read: one error item. */
	kdr_plan_restore_connectors(&plan, &in);
	assert_int_equal(plan.n_actions, 0);
	assert_int_equal(plan.n_blocked, 1);
	kdr_plan_release(&plan);

	/* Missing, a redacted key, nothing supplied: refused by name and key, never created. */
	live.connect.present = true;
	memset(&plan, 0, sizeof(plan));
	kdr_plan_restore_connectors(&plan, &in);
	assert_int_equal(plan.n_actions, 0);
	assert_int_equal(plan.n_blocked, 1);
	assert_int_equal(plan.blocked[0].kind, KDR_BLOCKED_ERROR);
	assert_non_null(strstr(plan.blocked[0].reason, "connector 'app': 'sasl.jaas.config' key was redacted"));
	assert_int_equal(plan.n_notes, 1); /* kdr.f.source: left to the flows */
	kdr_plan_release(&plan);

	/* Supplied: created with the value, which renders redacted. */
	in.supplied = &supplied;
	in.n_supplied = 1;
	memset(&plan, 0, sizeof(plan));
	kdr_plan_restore_connectors(&plan, &in);
	assert_int_equal(plan.n_actions, 1);
	assert_int_equal(plan.n_blocked, 0);
	assert_int_equal(plan.actions[0].kind, KDR_ACTION_CREATE_CONNECTOR);
	assert_string_equal(kdr_strmap_get(&plan.actions[0].config, "sasl.jaas.config"), "s3cret");
	assert_true(kdr_plan_config_is_redacted(&plan.actions[0], "sasl.jaas.config"));
	kdr_plan_release(&plan);

	/* Running with its own secret, a key drifted and one extra: set back, the extra and the secret kept. */
	in.supplied = NULL;
	in.n_supplied = 0;
	live.connect.connectors = kdr_calloc(1, sizeof(*live.connect.connectors));
	live.connect.n_connectors = 1;
	live.connect.connectors[0].name = kdr_strdup("app");
	kdr_strmap_set(&live.connect.connectors[0].config, "connector.class", "X");
	kdr_strmap_set(&live.connect.connectors[0].config, "name", "app");
	kdr_strmap_set(&live.connect.connectors[0].config, "sasl.jaas.config", "live-secret");
	kdr_strmap_set(&live.connect.connectors[0].config, "tasks.max", "3");
	kdr_strmap_set(&live.connect.connectors[0].config, "extra", "kept");
	memset(&plan, 0, sizeof(plan));
	kdr_plan_restore_connectors(&plan, &in);
	assert_int_equal(plan.n_actions, 1);
	assert_int_equal(plan.actions[0].kind, KDR_ACTION_UPDATE_CONNECTOR);
	assert_int_equal(plan.actions[0].n_changes, 1);
	assert_string_equal(plan.actions[0].changes[0].key, "tasks.max");
	assert_string_equal(kdr_strmap_get(&plan.actions[0].config, "tasks.max"), "1");
	assert_string_equal(kdr_strmap_get(&plan.actions[0].config, "extra"), "kept");
	assert_string_equal(kdr_strmap_get(&plan.actions[0].config, "sasl.jaas.config"), "live-secret");
	kdr_plan_release(&plan);

	/* In the backup's state: no change. */
	kdr_strmap_set(&live.connect.connectors[0].config, "tasks.max", "1");
	memset(&plan, 0, sizeof(plan));
	kdr_plan_restore_connectors(&plan, &in);
	assert_int_equal(plan.n_actions, 0);
	assert_int_equal(plan.n_blocked, 0);
	kdr_plan_release(&plan);

	{
		struct kdr_live_connect bad = { 0 };

		assert_int_equal(kdr_dr_backup_connectors_decode(&bad, "{\"kdrConnectors\":2}", 18, "c.json"),
				 KDR_EINVALID);
		assert_int_equal(bad.n_connectors, 0);
	}
	for (size_t i = 0; i < backup.n_connectors; i++)
		kdr_live_connector_release(&backup.connectors[i]);
	free(backup.connectors);
	kdr_live_cluster_release(&live);
}

/* restore --broker-configs: brokers.json read back and decided against the brokers. */
static void test_restore_brokers(void **state)
{
	static const char text[] = "{\"brokers\":{\"1\":{\"clusterDefault\":{\"log.retention.ms\":\"1000\"},"
				   "\"dynamic\":{\"a\":\"2\",\"b\":\"x\",\"ssl.key.password\":\"(redacted)\"},"
				   "\"rack\":null},\"7\":{\"clusterDefault\":{},\"dynamic\":{\"a\":\"1\"},"
				   "\"rack\":\"r\"}},\"cluster\":\"c\",\"kdrBrokerConfigs\":1}";
	struct kdr_live_cluster backup = { 0 }, live = { 0 };
	struct kdr_dr_restore_brokers decided = { 0 };
	struct kdr_live_broker *broker = NULL;

	(void)state;
	assert_int_equal(kdr_dr_backup_brokers_decode(&backup, text, strlen(text), "brokers.json"), 0);
	assert_int_equal(backup.n_brokers, 2);
	assert_null(kdr_strmap_get(&backup.brokers[0].dynamic_configs, "ssl.key.password"));
	assert_true(kdr_strmap_has(&backup.brokers[0].dynamic_configs, "ssl.key.password"));

	broker = kdr_live_cluster_add_broker(&live, 1, "h", 9092, NULL);
	kdr_strmap_set(&broker->dynamic_configs, "a", "5");    /* differs: set */
	kdr_strmap_set(&broker->dynamic_configs, "b", "x");    /* equal: unchanged */
	kdr_strmap_set(&broker->dynamic_configs, "keep", "k"); /* not in the backup: kept */
	kdr_strmap_set(&broker->default_configs, "log.retention.ms", "1000");
	kdr_live_cluster_sort(&live);
	kdr_dr_restore_brokers_decide(&decided, &backup, &live);
	/* default: unchanged; broker 1: a set, b unchanged, the password skipped; broker 7 missing: skipped. */
	assert_int_equal(decided.n, 5);
	assert_int_equal(decided.n_set, 1);
	assert_int_equal(decided.n_skipped, 2);
	assert_int_equal(decided.n_refused, 0);
	assert_int_equal(decided.n_sets, 1);
	assert_string_equal(decided.sets[0].broker, "1");
	assert_string_equal(kdr_strmap_get(&decided.sets[0].config, "a"), "2");
	assert_string_equal(kdr_strmap_get(&decided.sets[0].config, "keep"), "k");
	assert_false(kdr_strmap_has(&decided.sets[0].config, "ssl.key.password"));
	kdr_dr_restore_brokers_release(&decided);

	/* A sensitive value on the broker (unknown, cannot be sent back): the keys to set are refused. */
	kdr_strmap_set(&live.brokers[0].dynamic_configs, "listener.name.x.ssl.keystore.password", NULL);
	kdr_dr_restore_brokers_decide(&decided, &backup, &live);
	assert_int_equal(decided.n_refused, 1);
	assert_int_equal(decided.n_sets, 0);
	kdr_dr_restore_brokers_release(&decided);

	kdr_live_cluster_release(&backup);
	kdr_live_cluster_release(&live);
	memset(&backup, 0, sizeof(backup));
	assert_int_equal(kdr_dr_backup_brokers_decode(&backup, "{\"kdrBrokerConfigs\":2}", 22, "b.json"), KDR_EINVALID);
	kdr_live_cluster_release(&backup);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_deterministic_and_redacted),
		cmocka_unit_test(test_backup_adopts_and_round_trips),
		cmocka_unit_test(test_records_format),
		cmocka_unit_test(test_backup_data_files),
		cmocka_unit_test(test_groups_and_restore_offsets),
		cmocka_unit_test(test_restore_offsets_translate),
		cmocka_unit_test(test_restore_connectors),
		cmocka_unit_test(test_restore_brokers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
