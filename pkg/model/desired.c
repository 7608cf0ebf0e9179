#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/alloc.h"
#include "util/error.h"

static const char *const strategy_names[] = {
	[KDR_PLACEMENT_ANY] = "any",
	[KDR_PLACEMENT_RACK_AWARE] = "rack-aware",
	[KDR_PLACEMENT_CROSS_DC] = "cross-dc",
	[KDR_PLACEMENT_STATIC] = "static",
};

const char *kdr_placement_strategy_name(enum kdr_placement_strategy strategy)
{
	if ((size_t)strategy < sizeof(strategy_names) / sizeof(strategy_names[0]))
		return strategy_names[strategy];
	return "unknown";
}

int kdr_placement_strategy_parse(enum kdr_placement_strategy *out, const char *name)
{
	for (size_t i = 0; i < sizeof(strategy_names) / sizeof(strategy_names[0]); i++) {
		if (strcmp(strategy_names[i], name) == 0) {
			*out = (enum kdr_placement_strategy)i;
			return 0;
		}
	}
	return kdr_error_set(KDR_EINVALID, "unknown placement strategy '%s'", name);
}

const char *kdr_cluster_datacenter_of(const struct kdr_cluster *cl, const char *rack)
{
	if (!rack)
		return NULL;
	for (size_t i = 0; i < cl->n_datacenters; i++)
		if (kdr_strvec_contains(&cl->datacenters[i].racks, rack))
			return cl->datacenters[i].name;
	return NULL;
}

void kdr_flow_set_defaults(struct kdr_flow *flow)
{
	/*
	 * MM2's own defaults where it has one, except the replication factors:
	 * MM2 defaults remote topics to RF 2, which loses the copy a DR target
	 * exists for when one broker dies; a DR tool defaults to 3.
	 */
	if (!flow->topics.n)
		kdr_strvec_push(&flow->topics, ".*");
	if (!flow->groups.n)
		kdr_strvec_push(&flow->groups, ".*");
	flow->keep_default_excludes = true;
	flow->replication_policy = KDR_REPLICATION_POLICY_DEFAULT;
	if (!flow->separator)
		flow->separator = kdr_strdup(".");
	flow->replication_factor = 3;
	flow->tasks_max = 1;
	flow->sync_topic_configs = true;
	flow->sync_topic_acls = false;
	flow->mirror_acls = false;
	flow->checkpoints_enabled = true;
	flow->checkpoints_interval_seconds = 60;
	flow->sync_group_offsets = false;
	flow->sync_group_offsets_interval_seconds = 60;
	flow->heartbeats_enabled = true;
	flow->heartbeats_interval_seconds = 1;
	flow->internal_topics_replication_factor = 3;
	flow->suspended = false;
}

void kdr_policy_set_defaults(struct kdr_policy *policy)
{
	policy->partitions = 1;
	policy->replication_factor = 3;
	policy->strategy = KDR_PLACEMENT_RACK_AWARE;
	policy->require_dc_loss_survival = false;
	policy->config_prune = false;
	policy->prune = false;
}

struct kdr_cluster *kdr_desired_add_cluster(struct kdr_desired *desired)
{
	struct kdr_cluster *cl;

	desired->clusters = kdr_grow(desired->clusters, &desired->cap_clusters, desired->n_clusters + 1,
				     sizeof(*desired->clusters));
	cl = &desired->clusters[desired->n_clusters++];
	memset(cl, 0, sizeof(*cl));
	return cl;
}

struct kdr_flow *kdr_desired_add_flow(struct kdr_desired *desired)
{
	struct kdr_flow *flow;

	desired->flows = kdr_grow(desired->flows, &desired->cap_flows, desired->n_flows + 1, sizeof(*desired->flows));
	flow = &desired->flows[desired->n_flows++];
	memset(flow, 0, sizeof(*flow));
	kdr_flow_set_defaults(flow);
	return flow;
}

struct kdr_policy *kdr_desired_add_policy(struct kdr_desired *desired)
{
	struct kdr_policy *policy;

	desired->policies = kdr_grow(desired->policies, &desired->cap_policies, desired->n_policies + 1,
				     sizeof(*desired->policies));
	policy = &desired->policies[desired->n_policies++];
	memset(policy, 0, sizeof(*policy));
	kdr_policy_set_defaults(policy);
	return policy;
}

const struct kdr_cluster *kdr_desired_cluster(const struct kdr_desired *desired, const char *name)
{
	for (size_t i = 0; i < desired->n_clusters; i++)
		if (desired->clusters[i].meta.name && strcmp(desired->clusters[i].meta.name, name) == 0)
			return &desired->clusters[i];
	return NULL;
}

const struct kdr_flow *kdr_desired_flow(const struct kdr_desired *desired, const char *name)
{
	for (size_t i = 0; i < desired->n_flows; i++)
		if (desired->flows[i].meta.name && strcmp(desired->flows[i].meta.name, name) == 0)
			return &desired->flows[i];
	return NULL;
}

void kdr_cluster_release(struct kdr_cluster *cl)
{
	kdr_meta_release(&cl->meta);
	free(cl->bootstrap_servers);
	kdr_value_map_release(&cl->client_config);
	free(cl->connect.url);
	kdr_value_release(&cl->connect.token);
	kdr_value_release(&cl->connect.username);
	kdr_value_release(&cl->connect.password);
	free(cl->connect.ca_file);
	for (size_t i = 0; i < cl->n_datacenters; i++) {
		free(cl->datacenters[i].name);
		kdr_strvec_release(&cl->datacenters[i].racks);
	}
	free(cl->datacenters);
	memset(cl, 0, sizeof(*cl));
}

void kdr_flow_release(struct kdr_flow *flow)
{
	kdr_meta_release(&flow->meta);
	free(flow->source);
	free(flow->target);
	kdr_strvec_release(&flow->topics);
	kdr_strvec_release(&flow->topics_exclude);
	kdr_strvec_release(&flow->groups);
	kdr_strvec_release(&flow->groups_exclude);
	free(flow->separator);
	kdr_strmap_release(&flow->connector_config);
	memset(flow, 0, sizeof(*flow));
}

void kdr_policy_release(struct kdr_policy *policy)
{
	kdr_meta_release(&policy->meta);
	kdr_strvec_release(&policy->clusters);
	for (size_t i = 0; i < policy->n_topics; i++) {
		free(policy->topics[i].name);
		kdr_strmap_release(&policy->topics[i].config);
	}
	free(policy->topics);
	free(policy->match);
	kdr_strmap_release(&policy->config);
	free(policy->preferred_leader_datacenter);
	for (size_t i = 0; i < policy->n_assignments; i++) {
		free(policy->assignments[i].topic);
		kdr_assignment_release(&policy->assignments[i].assignment);
	}
	free(policy->assignments);
	memset(policy, 0, sizeof(*policy));
}

void kdr_desired_release(struct kdr_desired *desired)
{
	for (size_t i = 0; i < desired->n_clusters; i++)
		kdr_cluster_release(&desired->clusters[i]);
	free(desired->clusters);
	for (size_t i = 0; i < desired->n_flows; i++)
		kdr_flow_release(&desired->flows[i]);
	free(desired->flows);
	for (size_t i = 0; i < desired->n_policies; i++)
		kdr_policy_release(&desired->policies[i]);
	free(desired->policies);
	for (size_t i = 0; i < desired->n_access_policies; i++)
		kdr_access_policy_release(&desired->access_policies[i]);
	free(desired->access_policies);
	free(desired->revision);
	memset(desired, 0, sizeof(*desired));
}
