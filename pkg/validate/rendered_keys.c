/*
 * The MM2 connector keys kdr renders itself (reference kafka-mm2-connect.md
 * §1.2-1.6 and DESIGN §2 ReplicationFlow). A user's spec.connectorConfig may
 * add keys but never override these: kdr derives them from the typed spec,
 * and several must agree across the three connectors of a flow (filters,
 * policy, separator, offset-syncs location) or with kdr's own failover code.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "validate/validate.h"
#include "validate/validate_internal.h"

struct rendered_key {
	const char *key;
	const char *origin; /* completes "set by kdr ...": "from spec.tasksMax" */
};

static const struct rendered_key rendered_keys[] = {
	{ "name", "from metadata.name" },
	{ "connector.class", "from the connector kind (source, checkpoint, heartbeat)" },
	{ "tasks.max", "from spec.tasksMax" },
	{ "source.cluster.alias", "from spec.source" },
	{ "target.cluster.alias", "from spec.target" },
	{ "source.cluster.bootstrap.servers", "from spec.bootstrapServers of the source KafkaCluster" },
	{ "target.cluster.bootstrap.servers", "from spec.bootstrapServers of the target KafkaCluster" },
	{ "topics", "from spec.topics" },
	{ "topics.exclude", "from spec.topicsExclude and spec.keepDefaultExcludes" },
	{ "groups", "from spec.groups" },
	{ "groups.exclude", "from spec.groupsExclude and spec.keepDefaultExcludes" },
	{ "replication.policy.class", "from spec.replicationPolicy.type" },
	{ "replication.policy.separator", "from spec.replicationPolicy.separator" },
	{ "replication.factor", "from spec.replicationFactor" },
	{ "sync.topic.configs.enabled", "from spec.syncTopicConfigs" },
	{ "sync.topic.acls.enabled", "from spec.syncTopicAcls" },
	{ "emit.checkpoints.enabled", "from spec.checkpoints.enabled" },
	{ "emit.checkpoints.interval.seconds", "from spec.checkpoints.intervalSeconds" },
	{ "sync.group.offsets.enabled", "from spec.checkpoints.syncGroupOffsets" },
	{ "sync.group.offsets.interval.seconds", "from spec.checkpoints.syncGroupOffsetsIntervalSeconds" },
	{ "emit.heartbeats.enabled", "from spec.heartbeats.enabled" },
	{ "emit.heartbeats.interval.seconds", "from spec.heartbeats.intervalSeconds" },
	{ "checkpoints.topic.replication.factor", "from spec.internalTopicsReplicationFactor" },
	{ "heartbeats.topic.replication.factor", "from spec.internalTopicsReplicationFactor" },
	{ "offset-syncs.topic.replication.factor", "from spec.internalTopicsReplicationFactor" },
	/* MM2 copies raw bytes; any other converter corrupts keys, values or headers. */
	{ "key.converter", "to org.apache.kafka.connect.converters.ByteArrayConverter (MM2 copies raw bytes)" },
	{ "value.converter", "to org.apache.kafka.connect.converters.ByteArrayConverter (MM2 copies raw bytes)" },
	{ "header.converter", "to org.apache.kafka.connect.converters.ByteArrayConverter (MM2 copies raw bytes)" },
};

/*
 * Keys kdr leaves at MM2's default but relies on: the names kdr gives MM2's
 * internal topics (protecting them from pruning, reading checkpoints for
 * failover) assume them. Refused like rendered keys.
 */
static const struct rendered_key reserved_keys[] = {
    {"offset-syncs.topic.location",
     "at MM2's default 'source': kdr expects the offset-syncs topic on the source cluster"},
    {"replication.policy.internal.topic.separator.enabled",
     "at MM2's default 'true': kdr names the checkpoints and offset-syncs topics with "
     "spec.replicationPolicy.separator"},
    {"emit.offset-syncs.enabled",
     "at MM2's default 'true': without offset syncs no checkpoint can be translated for failover"},
};

/*
 * The per-cluster client properties kdr renders under source.cluster. and
 * target.cluster. (pkg/mm2 maps librdkafka's clientConfig to the Java
 * client's keys): `java` is rendered when the cluster's clientConfig has
 * `from` (and `also`, when set).
 */
static const struct client_key {
	const char *java;
	const char *from;
	const char *alt; /* another spelling of `from` */
	const char *also;
} client_keys[] = {
	{ "security.protocol", "security.protocol", NULL, NULL },
	{ "ssl.endpoint.identification.algorithm", "ssl.endpoint.identification.algorithm", NULL, NULL },
	{ "sasl.kerberos.service.name", "sasl.kerberos.service.name", NULL, NULL },
	{ "client.rack", "client.rack", NULL, NULL },
	{ "sasl.mechanism", "sasl.mechanism", "sasl.mechanisms", NULL },
	{ "sasl.jaas.config", "sasl.username", NULL, "sasl.password" },
	{ "ssl.truststore.type", "ssl.ca.location", NULL, NULL },
	{ "ssl.truststore.location", "ssl.ca.location", NULL, NULL },
};

/* The origin of `key` in `table`, or NULL when it is not there (or NULL). */
static const char *origin_in(const struct rendered_key *table, size_t n, const char *key)
{
	for (size_t i = 0; key && i < n; i++)
		if (strcmp(table[i].key, key) == 0)
			return table[i].origin;
	return NULL;
}

const char *kdr_validate__rendered_key_origin(const char *key)
{
	return origin_in(rendered_keys, sizeof(rendered_keys) / sizeof(rendered_keys[0]), key);
}

const char *kdr_validate__reserved_key_reason(const char *key)
{
	return origin_in(reserved_keys, sizeof(reserved_keys) / sizeof(reserved_keys[0]), key);
}

bool kdr_validate_key_is_rendered(const char *key)
{
	return kdr_validate__rendered_key_origin(key) != NULL;
}

char *kdr_validate__client_key_origin(const char *key, const struct kdr_cluster *cl)
{
	const char *rest = NULL;
	const struct kdr_value_map *config = cl ? &cl->client_config : NULL;

	if (!key || !config)
		return NULL;
	if (strncmp(key, "source.cluster.", 15) == 0 || strncmp(key, "target.cluster.", 15) == 0)
		rest = key + 15;
	if (!rest)
		return NULL;
	for (size_t i = 0; i < sizeof(client_keys) / sizeof(client_keys[0]); i++) {
		const struct client_key *ck = &client_keys[i];
		const char *from = NULL;

		if (strcmp(ck->java, rest) != 0)
			continue;
		if (kdr_value_map_get(config, ck->from))
			from = ck->from;
		else if (ck->alt && kdr_value_map_get(config, ck->alt))
			from = ck->alt;
		if (!from || (ck->also && !kdr_value_map_get(config, ck->also)))
			return NULL;
		if (ck->also)
			return kdr_asprintf("spec.clientConfig.%s and %s", from, ck->also);
		return kdr_asprintf("spec.clientConfig.%s", from);
	}
	return NULL;
}

bool kdr_validate_flow_key_is_rendered(const char *key, const struct kdr_cluster *source,
				       const struct kdr_cluster *target)
{
	char *origin = NULL;

	if (kdr_validate_key_is_rendered(key))
		return true;
	origin = kdr_validate__client_key_origin(key, source);
	if (!origin)
		origin = kdr_validate__client_key_origin(key, target);
	free(origin);
	return origin != NULL;
}
