/*
 * spec.connectorConfig may add MM2 keys but not override the ones kdr renders
 * (rendered_keys.c), nor the per-cluster client properties kdr renders from
 * each KafkaCluster's clientConfig, nor smuggle them back in through the
 * deprecated aliases MM2 still reads.
 */
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "validate/validate.h"
#include "validate/validate_internal.h"

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
		const char *origin = kdr_validate_rendered_key_origin(key);
		const char *reserved = kdr_validate_reserved_key_reason(key);
		const struct kdr_cluster *owner = source;
		char *client_origin = kdr_validate_client_key_origin(key, source);
		char *path = kdr_asprintf("spec.connectorConfig.%s", key);

		if (!client_origin) {
			owner = target;
			client_origin = kdr_validate_client_key_origin(key, target);
		}
		if (origin) {
			kdr_validate_report(ctx, KDR_SEV_ERROR, &flow->meta, path, "set by kdr %s; remove it", origin);
		} else if (reserved) {
			kdr_validate_report(ctx, KDR_SEV_ERROR, &flow->meta, path, "kept by kdr %s; remove it",
					    reserved);
		} else if (client_origin) {
			kdr_validate_report(ctx, KDR_SEV_ERROR, &flow->meta, path,
					    "set by kdr from %s of KafkaCluster '%s'; remove it", client_origin,
					    owner->meta.name);
		} else if (strcmp(key, "config.properties.blacklist") == 0) {
			kdr_validate_report(ctx, KDR_SEV_WARNING, &flow->meta, path,
					    "deprecated and ignored since kafka 4.0; use config.properties.exclude");
		} else {
			for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++) {
				if (strcmp(key, aliases[a][0]) != 0)
					continue;
				kdr_validate_report(ctx, KDR_SEV_ERROR, &flow->meta, path,
						    "deprecated alias of %s, which kdr sets %s; remove it",
						    aliases[a][1], kdr_validate_rendered_key_origin(aliases[a][1]));
			}
		}
		free(client_origin);
		free(path);
	}
}

void kdr_validate_check_connector_keys(struct kdr_validate_ctx *ctx)
{
	for (size_t i = 0; i < ctx->desired->n_flows; i++)
		check_flow(ctx, &ctx->desired->flows[i]);
}
