/*
 * bench_per_topic: the per-topic baseline of hack/bench.sh (issue 15 item 5).
 *
 *   bench_per_topic BOOTSTRAP [BOOTSTRAP ...]
 *
 * Reads every topic of each cluster the way a one-resource-at-a-time tool
 * does (the Terraform provider's and kafka-gitops' readers): one Metadata
 * naming all topics to list them, then for each topic, one after the other,
 * a Metadata for that topic and a DescribeConfigs for that topic, waiting
 * for each answer before the next request. The clusters are read one after
 * the other. Terraform runs up to 10 resources at a time by default
 * (-parallelism); this reader runs one, so with an injected per-request
 * latency it is the slow end of that approach, not its average.
 *
 * Prints "clusters N topics T configs C" (C: config entries read) on
 * stdout; exit 0 when every request was answered, 1 on the first error
 * (named on stderr), 2 usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#define PER_TOPIC_TIMEOUT_MS 30000

static rd_kafka_t *open_client(const char *bootstrap)
{
	char errstr[512] = "";
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
		fprintf(stderr, "bench_per_topic: %s\n", errstr);
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!rk) {
		fprintf(stderr, "bench_per_topic: %s\n", errstr);
		rd_kafka_conf_destroy(conf);
	}
	return rk;
}

/* One DescribeConfigs for one topic; adds its entries to *configs. */
static int describe_topic(rd_kafka_t *rk, rd_kafka_queue_t *queue, const char *topic, uint64_t *configs)
{
	rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_DescribeConfigs_result_t *res = NULL;
	const rd_kafka_ConfigResource_t **resources = NULL;
	size_t n_resources = 0, n_entries = 0;
	int rc = 0;

	rd_kafka_DescribeConfigs(rk, &resource, 1, NULL, queue);
	rd_kafka_ConfigResource_destroy(resource);
	ev = rd_kafka_queue_poll(queue, PER_TOPIC_TIMEOUT_MS);
	res = ev ? rd_kafka_event_DescribeConfigs_result(ev) : NULL;
	if (!ev || rd_kafka_event_error(ev) || !res) {
		fprintf(stderr, "bench_per_topic: topic '%s': describe configs: %s\n", topic,
			ev ? rd_kafka_event_error_string(ev) : "no answer");
		rc = 1;
		goto cleanup;
	}
	resources = rd_kafka_DescribeConfigs_result_resources(res, &n_resources);
	if (n_resources != 1 || rd_kafka_ConfigResource_error(resources[0])) {
		fprintf(stderr, "bench_per_topic: topic '%s': describe configs: %s\n", topic,
			n_resources == 1 ? rd_kafka_ConfigResource_error_string(resources[0]) : "no resource");
		rc = 1;
		goto cleanup;
	}
	rd_kafka_ConfigResource_configs(resources[0], &n_entries);
	*configs += n_entries;
cleanup:
	if (ev)
		rd_kafka_event_destroy(ev);
	return rc;
}

static int read_cluster(const char *bootstrap, uint64_t *topics, uint64_t *configs)
{
	rd_kafka_t *rk = open_client(bootstrap);
	rd_kafka_queue_t *queue = NULL;
	const struct rd_kafka_metadata *all = NULL;
	rd_kafka_resp_err_t err = 0;
	int rc = 0;

	if (!rk)
		return 1;
	queue = rd_kafka_queue_new(rk);
	/* The listing: one Metadata for every topic. */
	err = rd_kafka_metadata(rk, 1, NULL, &all, PER_TOPIC_TIMEOUT_MS);
	if (err) {
		fprintf(stderr, "bench_per_topic: %s: metadata: %s\n", bootstrap, rd_kafka_err2str(err));
		rc = 1;
		goto cleanup;
	}
	for (int i = 0; i < all->topic_cnt && rc == 0; i++) {
		const char *name = all->topics[i].topic;
		rd_kafka_topic_t *rkt = NULL;
		const struct rd_kafka_metadata *one = NULL;

		if (name[0] == '_')
			continue;
		/* The topic's own read: its Metadata, then its configs. */
		rkt = rd_kafka_topic_new(rk, name, NULL);
		err = rkt ? rd_kafka_metadata(rk, 0, rkt, &one, PER_TOPIC_TIMEOUT_MS) : rd_kafka_last_error();
		if (err) {
			fprintf(stderr, "bench_per_topic: topic '%s': metadata: %s\n", name, rd_kafka_err2str(err));
			rc = 1;
		} else if (one->topic_cnt != 1 || one->topics[0].err) {
			fprintf(stderr, "bench_per_topic: topic '%s': metadata: not one topic\n", name);
			rc = 1;
		}
		if (one)
			rd_kafka_metadata_destroy(one);
		if (rkt)
			rd_kafka_topic_destroy(rkt);
		if (rc == 0)
			rc = describe_topic(rk, queue, name, configs);
		(*topics)++;
	}
cleanup:
	if (all)
		rd_kafka_metadata_destroy(all);
	rd_kafka_queue_destroy(queue);
	rd_kafka_destroy(rk);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t topics = 0, configs = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_per_topic BOOTSTRAP [BOOTSTRAP ...]\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (read_cluster(argv[i], &topics, &configs) != 0)
			return 1;
	printf("clusters %d topics %" PRIu64 " configs %" PRIu64 "\n", argc - 1, topics, configs);
	return 0;
}
