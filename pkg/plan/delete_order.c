/*
 * Which topic delete waits for which connector delete. A MirrorSourceConnector
 * that still runs re-creates the remote topics it writes (MM2 creates a remote
 * topic it finds missing), so a pruned remote topic of a flow being removed
 * is deleted only once its source connector is gone: the delete-topic action
 * names that connector (action->after) and the executor holds it back when
 * the connector delete failed. The next reconcile plans both again.
 */
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "plan/plan_internal.h"
#include "util/alloc.h"

/* Whether the live MirrorSourceConnector `connector` writes `topic` (its remote-topic naming). */
static bool writes_topic(const struct kdr_live_connector *connector, const char *topic)
{
	const char *class_name = kdr_strmap_get(&connector->config, "connector.class");
	const char *alias = kdr_strmap_get(&connector->config, "source.cluster.alias");
	const char *policy = kdr_strmap_get(&connector->config, "replication.policy.class");
	const char *separator = kdr_strmap_get(&connector->config, "replication.policy.separator");
	struct kdr_flow flow;
	char *source = NULL;
	bool writes = false;

	if (!class_name || strcmp(class_name, KDR_MM2_SOURCE_CONNECTOR) != 0 || !alias)
		return false;
	memset(&flow, 0, sizeof(flow));
	flow.source = (char *)alias;
	flow.separator = (char *)(separator ? separator : ".");
	/* Identity keeps names: any topic may be one it writes (held, not guessed). */
	flow.replication_policy = policy && strstr(policy, "IdentityReplicationPolicy")
					  ? KDR_REPLICATION_POLICY_IDENTITY
					  : KDR_REPLICATION_POLICY_DEFAULT;
	source = kdr_mm2_topic_source(&flow, topic);
	writes = source && strcmp(source, alias) == 0;
	free(source);
	return writes;
}

void kdr_plan__delete_order(struct plan_ctx *ctx)
{
	struct kdr_plan *plan = ctx->plan;

	for (size_t i = 0; i < plan->n_actions; i++) {
		struct kdr_action *topic = &plan->actions[i];
		const struct kdr_live_cluster *cl = NULL;

		if (topic->kind != KDR_ACTION_DELETE_TOPIC || topic->after)
			continue;
		cl = kdr_live_cluster_find(ctx->live, topic->cluster);
		for (size_t k = 0; cl && k < plan->n_actions && !topic->after; k++) {
			const struct kdr_action *connector = &plan->actions[k];
			const struct kdr_live_connector *live = NULL;

			if (connector->kind != KDR_ACTION_DELETE_CONNECTOR ||
			    strcmp(connector->cluster, topic->cluster) != 0)
				continue;
			live = kdr_live_connector_find(&cl->connect, connector->resource);
			if (live && writes_topic(live, topic->resource))
				topic->after = kdr_strdup(connector->resource);
		}
	}
}
