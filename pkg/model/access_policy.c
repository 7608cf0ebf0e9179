#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/alloc.h"

struct kdr_access_policy *kdr_desired_add_access_policy(struct kdr_desired *desired)
{
	struct kdr_access_policy *policy = NULL;

	desired->access_policies = kdr_grow(desired->access_policies, &desired->cap_access_policies,
					    desired->n_access_policies + 1, sizeof(*desired->access_policies));
	policy = &desired->access_policies[desired->n_access_policies++];
	memset(policy, 0, sizeof(*policy));
	policy->all_clusters = true;
	return policy;
}

bool kdr_access_policy_on(const struct kdr_access_policy *policy, const char *name)
{
	return policy->all_clusters || kdr_strvec_contains(&policy->clusters, name);
}

void kdr_access_policy_bindings(struct kdr_acl_list *out, const struct kdr_access_policy *policy, size_t index)
{
	const struct kdr_acl_grant *grant = &policy->grants[index];

	if (!grant->principal || !grant->has_type)
		return;
	for (size_t i = 0; i < grant->n_operations; i++) {
		struct kdr_acl acl = {
			.resource_type = grant->resource_type,
			.resource_name = grant->resource_name,
			.pattern = grant->pattern,
			.principal = grant->principal,
			.host = grant->host ? grant->host : (char *)KDR_ACL_WILDCARD,
			.operation = grant->operations[i],
			.permission = grant->permission,
		};

		if (!acl.resource_name && grant->resource_type == KDR_ACL_CLUSTER)
			acl.resource_name = (char *)KDR_ACL_CLUSTER_NAME;
		if (!acl.resource_name)
			continue;
		kdr_acl_list_push(out, &acl);
	}
}

void kdr_access_policy_release(struct kdr_access_policy *policy)
{
	kdr_meta_release(&policy->meta);
	kdr_strvec_release(&policy->clusters);
	for (size_t i = 0; i < policy->n_grants; i++) {
		free(policy->grants[i].principal);
		free(policy->grants[i].resource_name);
		free(policy->grants[i].operations);
		free(policy->grants[i].host);
	}
	free(policy->grants);
	memset(policy, 0, sizeof(*policy));
}
