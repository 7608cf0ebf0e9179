/*
 * A flow's remote topics: which source topics MirrorMaker 2 mirrors (the
 * running connector's filter, else the flow's), and whether their copy
 * exists on the target with enough partitions.
 */
#include <stdlib.h>
#include <string.h>

#include "health/health_internal.h"
#include "resolve/resolve.h"
#include "util/alloc.h"
#include "util/error.h"

void kdr_health__remote_topics(struct kdr_health_flow *sf, const struct kdr_flow *flow, const struct kdr_live *live,
			       const struct kdr_resolve_flow_filters *filters)
{
	const struct kdr_live_cluster *source = kdr_live_cluster_find(live, flow->source);
	const struct kdr_live_cluster *target = kdr_live_cluster_find(live, flow->target);
	const struct kdr_live_connector *running = NULL;
	struct kdr_mm2_topic_filter filter;
	const struct kdr_mm2_topic_filter *use = &filter;
	size_t cap = 0;

	memset(&filter, 0, sizeof(filter));
	if (!source || !target)
		return;
	/* What runs decides what is mirrored; without a connector, what the flow asks for. */
	if (target->connect.present) {
		char *name = kdr_asprintf("%s%s.source", KDR_MM2_OWNED_PREFIX, flow->meta.name);

		running = kdr_live_connector_find(&target->connect, name);
		free(name);
	}
	if (!(running && kdr_mm2_topic_filter_live(&filter, running) == 0)) {
		const char *error = filters ? filters->mm2_error : NULL;

		if (filters)
			use = &filters->mm2;
		else if (kdr_mm2_topic_filter_desired(&filter, flow) != 0)
			error = kdr_error_message();
		if (error) {
			kdr_strvec_push_take(&sf->problems, kdr_asprintf("topic filter: %s", error));
			return;
		}
	}
	sf->topics_checked = true;
	for (size_t i = 0; i < source->n_topics; i++) {
		const struct kdr_live_topic *topic = &source->topics[i];
		const struct kdr_live_topic *copy = NULL;
		struct kdr_health_mirrored *m = NULL;

		if (!kdr_mm2_replicates(use, topic->name, NULL))
			continue;
		sf->mirrored = kdr_grow(sf->mirrored, &cap, sf->n_mirrored + 1, sizeof(*sf->mirrored));
		m = &sf->mirrored[sf->n_mirrored++];
		memset(m, 0, sizeof(*m));
		m->topic = kdr_strdup(topic->name);
		m->remote = kdr_mm2_remote_topic(&use->naming, topic->name);
		m->source_partitions = (int64_t)topic->n_partitions;
		copy = kdr_live_topic_find(target, m->remote);
		m->remote_partitions = copy ? (int64_t)copy->n_partitions : 0;
		if (!copy)
			sf->n_missing++;
		else if (copy->n_partitions < topic->n_partitions)
			kdr_strvec_push_take(
			    &sf->problems,
			    kdr_asprintf("remote topic '%s' has %zu partition(s), its source '%s' %zu: "
					 "records of the other partitions cannot be written yet",
					 m->remote, copy->n_partitions, topic->name, topic->n_partitions));
	}
	if (sf->n_missing)
		kdr_strvec_push_take(&sf->problems,
				     kdr_asprintf("%zu of %zu mirrored topic(s) have no remote topic on '%s' yet "
						  "(MirrorMaker 2 creates them on its next topic refresh)",
						  sf->n_missing, sf->n_mirrored, flow->target));
	if (sf->n_missing || sf->problems.n)
		kdr_health__raise_level(&sf->level, KDR_HEALTH_WARNING);
	kdr_mm2_topic_filter_release(&filter);
}

