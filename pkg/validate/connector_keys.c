/*
 * spec.connectorConfig may add MM2 keys but not override the ones kdr renders
 * (rendered_keys.c), nor the per-cluster client properties kdr renders from
 * each KafkaCluster's clientConfig, nor smuggle them back in through the
 * deprecated aliases MM2 still reads.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/strvec.h"
#include "validate/validate.h"
#include "validate/validate_internal.h"

/*
 * What a document may add: the Connect workers run these configs, where a
 * key can load a class (*.class, interceptors, transforms, login modules in
 * sasl.jaas.config), run kinit, read a worker's file (ssl.*.location, token
 * endpoint URLs) or resolve a config provider. So only MM2's tuning keys and
 * the clients' tuning keys under the prefixes MM2 and Connect read.
 */
static const char *const mm2_keys[] = {
	"admin.timeout.ms",
	"config.properties.blacklist",
	"config.properties.exclude",
	"consumer.poll.timeout.ms",
	"errors.log.enable",
	"errors.log.include.messages",
	"errors.retry.delay.max.ms",
	"errors.retry.timeout",
	"errors.tolerance",
	"exactly.once.support",
	"groups.blacklist",
	"offset.lag.max",
	"refresh.groups.enabled",
	"refresh.groups.interval.seconds",
	"refresh.topics.enabled",
	"refresh.topics.interval.seconds",
	"sync.topic.acls.interval.seconds",
	"sync.topic.configs.interval.seconds",
	"topics.blacklist",
};

static const char *const client_prefixes[] = {
	"admin.",	     "admin.override.",	 "consumer.",	      "consumer.override.", "producer.",
	"producer.override.", "source.admin.",	  "source.cluster.",  "source.consumer.",   "source.producer.",
	"target.admin.",      "target.cluster.",  "target.consumer.", "target.producer.",
};

static const char *const client_tuning_keys[] = {
	"acks",
	"auto.offset.reset",
	"batch.size",
	"buffer.memory",
	"client.dns.lookup",
	"client.rack",
	"compression.type",
	"connections.max.idle.ms",
	"default.api.timeout.ms",
	"delivery.timeout.ms",
	"enable.idempotence",
	"fetch.max.bytes",
	"fetch.max.wait.ms",
	"fetch.min.bytes",
	"heartbeat.interval.ms",
	"isolation.level",
	"linger.ms",
	"max.block.ms",
	"max.in.flight.requests.per.connection",
	"max.partition.fetch.bytes",
	"max.poll.interval.ms",
	"max.poll.records",
	"max.request.size",
	"metadata.max.age.ms",
	"receive.buffer.bytes",
	"reconnect.backoff.max.ms",
	"reconnect.backoff.ms",
	"request.timeout.ms",
	"retries",
	"retry.backoff.max.ms",
	"retry.backoff.ms",
	"send.buffer.bytes",
	"session.timeout.ms",
	"socket.connection.setup.timeout.max.ms",
	"socket.connection.setup.timeout.ms",
};

/* Whether a document may add `key` to the connector configs (README "connectorConfig"). */
static bool connector_key_allowed(const char *key)
{
	if (kdr_names_find(mm2_keys, sizeof(mm2_keys) / sizeof(mm2_keys[0]), key) >= 0)
		return true;
	for (size_t i = 0; i < sizeof(client_prefixes) / sizeof(client_prefixes[0]); i++) {
		size_t n = strlen(client_prefixes[i]);

		if (strncmp(key, client_prefixes[i], n) == 0 &&
		    kdr_names_find(client_tuning_keys, sizeof(client_tuning_keys) / sizeof(client_tuning_keys[0]),
				   key + n) >= 0)
			return true;
	}
	return false;
}

/* Deprecated MM2 aliases (removed in Kafka 4.0) of keys kdr renders. */
static const char *const aliases[][2] = {
	{ "topics.blacklist", "topics.exclude" },
	{ "groups.blacklist", "groups.exclude" },
};

static void check_flow(struct kdr_validate_ctx *ctx, const struct kdr_flow *flow)
{
	const struct kdr_cluster *source = flow->source ? kdr_desired_cluster(ctx->desired, flow->source) : NULL;
	const struct kdr_cluster *target = flow->target ? kdr_desired_cluster(ctx->desired, flow->target) : NULL;

	for (size_t i = 0; i < flow->connector_config.n; i++) {
		const char *key = flow->connector_config.v[i].key;
		const char *origin = kdr_validate__rendered_key_origin(key);
		const char *reserved = kdr_validate__reserved_key_reason(key);
		const struct kdr_cluster *owner = source;
		char *client_origin = kdr_validate__client_key_origin(key, source);
		char *path = kdr_asprintf("spec.connectorConfig.%s", key);

		if (!client_origin) {
			owner = target;
			client_origin = kdr_validate__client_key_origin(key, target);
		}
		if (origin) {
			kdr_validate__report(ctx, KDR_SEV_ERROR, &flow->meta, path, "set by kdr %s; remove it", origin);
		} else if (reserved) {
			kdr_validate__report(ctx, KDR_SEV_ERROR, &flow->meta, path, "kept by kdr %s; remove it",
					     reserved);
		} else if (client_origin) {
			kdr_validate__report(ctx, KDR_SEV_ERROR, &flow->meta, path,
					     "set by kdr from %s of KafkaCluster '%s'; remove it", client_origin,
					     owner->meta.name);
		} else if (!connector_key_allowed(key)) {
			kdr_validate__report(ctx, KDR_SEV_ERROR, &flow->meta, path,
					     "not a connector property kdr passes to Connect (allowed: MM2 tuning and "
					     "client tuning keys; see the README's connectorConfig); remove it");
		} else if (strstr(flow->connector_config.v[i].value, "${")) {
			kdr_validate__report(
			    ctx, KDR_SEV_ERROR, &flow->meta, path,
			    "a ${...} value is resolved by the Connect worker's config providers (files, "
			    "environment); write the value itself");
		} else if (strcmp(key, "config.properties.blacklist") == 0) {
			kdr_validate__report(ctx, KDR_SEV_WARNING, &flow->meta, path,
					     "deprecated and ignored since kafka 4.0; use config.properties.exclude");
		} else {
			for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++) {
				if (strcmp(key, aliases[a][0]) != 0)
					continue;
				kdr_validate__report(ctx, KDR_SEV_ERROR, &flow->meta, path,
						     "deprecated alias of %s, which kdr sets %s; remove it",
						     aliases[a][1], kdr_validate__rendered_key_origin(aliases[a][1]));
			}
		}
		free(client_origin);
		free(path);
	}
}

void kdr_validate__check_connector_keys(struct kdr_validate_ctx *ctx)
{
	for (size_t i = 0; i < ctx->desired->n_flows; i++)
		check_flow(ctx, &ctx->desired->flows[i]);
}
