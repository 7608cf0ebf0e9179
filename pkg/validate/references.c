/*
 * References between objects: flows and policies (and access policies,
 * through kdr_validate__check_cluster_list) name defined clusters, a flow
 * connects two different clusters.
 */
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "validate/validate_internal.h"

static void check_cluster_ref(struct kdr_validate_ctx *ctx, const struct kdr_meta *meta, const char *path,
			      const char *name)
{
	char *hint = NULL;

	/* A missing reference is the parser's error (required field). */
	if (!name || kdr_validate__cluster(ctx, name, &hint))
		return;
	kdr_validate__report(ctx, KDR_SEV_ERROR, meta, path, "cluster '%s' is not defined%s", name, hint);
	free(hint);
}

void kdr_validate__check_cluster_list(struct kdr_validate_ctx *ctx, const struct kdr_meta *meta,
				      const struct kdr_strvec *clusters)
{
	for (size_t i = 0; i < clusters->n; i++) {
		char *path = kdr_asprintf("spec.clusters[%zu]", i);
		const char *name = clusters->v[i];
		long first = kdr_strvec_find(clusters, name);

		if (first != (long)i)
			kdr_validate__report(ctx, KDR_SEV_ERROR, meta, path,
					     "cluster '%s' is listed twice (first as spec.clusters[%ld])", name, first);
		else
			check_cluster_ref(ctx, meta, path, name);
		free(path);
	}
}

static void check_flow(struct kdr_validate_ctx *ctx, const struct kdr_flow *flow)
{
	check_cluster_ref(ctx, &flow->meta, "spec.source", flow->source);
	check_cluster_ref(ctx, &flow->meta, "spec.target", flow->target);
	if (flow->source && flow->target && strcmp(flow->source, flow->target) == 0)
		kdr_validate__report(ctx, KDR_SEV_ERROR, &flow->meta, "spec.target",
				     "'%s' is also the source; a flow replicates from one cluster to another",
				     flow->target);
}

static void check_policy(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy)
{
	if (policy->clusters.n == 0 && kdr_validate__has_field(&policy->meta, "spec.clusters"))
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, "spec.clusters",
				     "empty; list the clusters where the topics must exist");
	kdr_validate__check_cluster_list(ctx, &policy->meta, &policy->clusters);
}

void kdr_validate__check_references(struct kdr_validate_ctx *ctx)
{
	for (size_t i = 0; i < ctx->desired->n_flows; i++)
		check_flow(ctx, &ctx->desired->flows[i]);
	for (size_t i = 0; i < ctx->desired->n_policies; i++)
		check_policy(ctx, &ctx->desired->policies[i]);
}
