#include <stdio.h>
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
	return kdr_names_at(strategy_names, sizeof(strategy_names) / sizeof(strategy_names[0]), (long)strategy, "unknown");
}

int kdr_placement_strategy_parse(enum kdr_placement_strategy *out, const char *name)
{
	long i = kdr_names_find(strategy_names, sizeof(strategy_names) / sizeof(strategy_names[0]), name);

	if (i >= 0) {
		*out = (enum kdr_placement_strategy)i;
		return 0;
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
	free(flow->failed_over);
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

void kdr_desired_drop_resolved(struct kdr_desired *desired)
{
	if (desired->resolved && desired->resolved_free)
		desired->resolved_free(desired->resolved);
	desired->resolved = NULL;
	desired->resolved_free = NULL;
}

void kdr_desired_release(struct kdr_desired *desired)
{
	kdr_desired_drop_resolved(desired);
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

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_value(const struct kdr_value *a, const struct kdr_value *b)
{
	return a->kind == b->kind && same_text(a->literal, b->literal) && same_text(a->ref, b->ref) &&
	       same_text(a->key, b->key);
}

static bool same_connections(const struct kdr_cluster *a, const struct kdr_cluster *b)
{
	if (!same_text(a->bootstrap_servers, b->bootstrap_servers) || a->client_config.n != b->client_config.n ||
	    a->connect.present != b->connect.present || !same_text(a->connect.url, b->connect.url) ||
	    a->connect.auth_kind != b->connect.auth_kind || !same_value(&a->connect.token, &b->connect.token) ||
	    !same_value(&a->connect.username, &b->connect.username) ||
	    !same_value(&a->connect.password, &b->connect.password) || !same_text(a->connect.ca_file, b->connect.ca_file) ||
	    a->connect.insecure_skip_verify != b->connect.insecure_skip_verify)
		return false;
	for (size_t i = 0; i < a->client_config.n; i++)
		if (strcmp(a->client_config.v[i].key, b->client_config.v[i].key) != 0 ||
		    !same_value(&a->client_config.v[i].value, &b->client_config.v[i].value))
			return false;
	return true;
}

static void release_connections(struct kdr_cluster *cl)
{
	free(cl->bootstrap_servers);
	cl->bootstrap_servers = NULL;
	kdr_value_map_release(&cl->client_config);
	free(cl->connect.url);
	kdr_value_release(&cl->connect.token);
	kdr_value_release(&cl->connect.username);
	kdr_value_release(&cl->connect.password);
	free(cl->connect.ca_file);
	memset(&cl->connect, 0, sizeof(cl->connect));
}

static void copy_connections(struct kdr_cluster *to, const struct kdr_cluster *from)
{
	to->bootstrap_servers = kdr_strdup(from->bootstrap_servers);
	for (size_t i = 0; i < from->client_config.n; i++) {
		struct kdr_value v = { KDR_VALUE_LITERAL, NULL, NULL, NULL };

		kdr_value_copy(&v, &from->client_config.v[i].value);
		kdr_value_map_set_take(&to->client_config, from->client_config.v[i].key, &v);
	}
	to->connect.present = from->connect.present;
	to->connect.url = kdr_strdup(from->connect.url);
	to->connect.auth_kind = from->connect.auth_kind;
	kdr_value_copy(&to->connect.token, &from->connect.token);
	kdr_value_copy(&to->connect.username, &from->connect.username);
	kdr_value_copy(&to->connect.password, &from->connect.password);
	to->connect.ca_file = kdr_strdup(from->connect.ca_file);
	to->connect.insecure_skip_verify = from->connect.insecure_skip_verify;
}

/* A head-only cluster: its addresses, none of its credentials. */
static bool strip_credentials(struct kdr_cluster *cl)
{
	struct kdr_value_map kept = { NULL, 0, 0 };
	bool changed = cl->connect.auth_kind != KDR_CONNECT_AUTH_NONE || cl->connect.ca_file;

	for (size_t i = 0; i < cl->client_config.n; i++) {
		struct kdr_value_entry *entry = &cl->client_config.v[i];

		if (kdr_value_is_secret(entry->key, &entry->value)) {
			changed = true;
			continue;
		}
		kdr_value_map_set_take(&kept, entry->key, &entry->value);
	}
	kdr_value_map_release(&cl->client_config);
	cl->client_config = kept;
	kdr_value_release(&cl->connect.token);
	kdr_value_release(&cl->connect.username);
	kdr_value_release(&cl->connect.password);
	cl->connect.auth_kind = KDR_CONNECT_AUTH_NONE;
	free(cl->connect.ca_file);
	cl->connect.ca_file = NULL;
	return changed;
}

size_t kdr_desired_use_base_connections(struct kdr_desired *head, const struct kdr_desired *base)
{
	size_t changed = 0;

	for (size_t i = 0; i < head->n_clusters; i++) {
		struct kdr_cluster *cl = &head->clusters[i];
		const struct kdr_cluster *from = cl->meta.name ? kdr_desired_cluster(base, cl->meta.name) : NULL;

		if (!from) {
			changed += strip_credentials(cl);
			continue;
		}
		if (same_connections(cl, from))
			continue;
		changed++;
		release_connections(cl);
		copy_connections(cl, from);
	}
	return changed;
}

int64_t kdr_policy_topic_partitions(const struct kdr_policy *policy, const struct kdr_topic_decl *decl)
{
	return decl && decl->partitions > 0 ? decl->partitions : policy->partitions;
}

int64_t kdr_policy_topic_replication_factor(const struct kdr_policy *policy, const struct kdr_topic_decl *decl)
{
	return decl && decl->replication_factor > 0 ? decl->replication_factor : policy->replication_factor;
}

size_t kdr_tiering_keys(struct kdr_tiering_key out[3], const struct kdr_tiering *tiering)
{
	size_t n = 0;

	if (!tiering->present)
		return 0;
	out[n].key = "remote.storage.enable";
	out[n].field = "spec.tiering.enabled";
	snprintf(out[n++].value, sizeof(out->value), "%s", tiering->enabled ? "true" : "false");
	if (tiering->has_local_retention) {
		out[n].key = "local.retention.ms";
		out[n].field = "spec.tiering.localRetention";
		snprintf(out[n++].value, sizeof(out->value), "%lld", (long long)tiering->local_retention_ms);
	}
	if (tiering->has_retention) {
		out[n].key = "retention.ms";
		out[n].field = "spec.tiering.retention";
		snprintf(out[n++].value, sizeof(out->value), "%lld", (long long)tiering->retention_ms);
	}
	return n;
}
