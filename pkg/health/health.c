/*
 * Flow health for `kdr status`: what the connectors of each flow are doing,
 * judged against what the flow wants (running, or paused when suspended),
 * plus which of the flow's source topics already have their copy on the
 * target. A FAILED connector or task, a connector missing from its worker,
 * one paused while the flow should run, and a cluster or Connect that could
 * not be read are failures; transient states, drift and remote topics not
 * created yet are warnings (Connect never restarts failed tasks itself;
 * MirrorMaker 2 creates remote topics on its next topic refresh).
 *
 * This file walks the clusters and flows and frees the result; the parts are
 * judged in connectors.c, remote_topics.c and topics.c.
 */
#include "health/health.h"

#include <stdlib.h>
#include <string.h>

#include "health/health_internal.h"
#include "util/alloc.h"
#include "util/scrub.h"

const char *kdr_health_level_name(enum kdr_health_level level)
{
	switch (level) {
	case KDR_HEALTH_OK:
		return "ok";
	case KDR_HEALTH_UNCHECKED:
		return "unchecked";
	case KDR_HEALTH_WARNING:
		return "warning";
	case KDR_HEALTH_FAILED:
		return "failed";
	}
	return "unknown";
}

void kdr_health__raise_level(enum kdr_health_level *level, enum kdr_health_level to)
{
	if (to > *level)
		*level = to;
}

static bool selected(const struct kdr_health_options *options, const char *name)
{
	if (!options || !options->clusters)
		return true;
	for (size_t i = 0; i < options->n_clusters; i++)
		if (options->clusters[i] && strcmp(options->clusters[i], name) == 0)
			return true;
	return false;
}

const struct kdr_health_cluster *kdr_health__cluster_of(const struct kdr_health *status, const char *name)
{
	for (size_t i = 0; i < status->n_clusters; i++)
		if (strcmp(status->clusters[i].name, name) == 0)
			return &status->clusters[i];
	return NULL;
}

/* --- clusters --- */

static int compare_clusters(const void *pa, const void *pb)
{
	const struct kdr_health_cluster *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

static void status_clusters(struct kdr_health *out, const struct kdr_desired *desired, const struct kdr_live *live,
			    const struct kdr_health_options *options)
{
	out->clusters = kdr_calloc(desired->n_clusters + 1, sizeof(*out->clusters));
	for (size_t i = 0; i < desired->n_clusters; i++) {
		const struct kdr_cluster *spec = &desired->clusters[i];
		const struct kdr_live_cluster *cl = NULL;
		struct kdr_health_cluster *sc = NULL;

		if (!spec->meta.name)
			continue;
		cl = kdr_live_cluster_find(live, spec->meta.name);
		sc = &out->clusters[out->n_clusters++];
		sc->name = kdr_strdup(spec->meta.name);
		sc->checked = selected(options, spec->meta.name);
		sc->read = cl != NULL;
		sc->has_connect = spec->connect.present;
		sc->connect_read = cl && cl->connect.present;
		sc->connect_url = kdr_scrub_userinfo_dup(spec->connect.url);
		if (sc->checked && (!sc->read || (sc->has_connect && !sc->connect_read)))
			kdr_health__raise_level(&out->level, KDR_HEALTH_FAILED);
	}
	if (out->n_clusters > 1)
		qsort(out->clusters, out->n_clusters, sizeof(*out->clusters), compare_clusters);
}

static int compare_status_connectors(const void *pa, const void *pb)
{
	const struct kdr_health_connector *a = pa, *b = pb;
	int cmp = strcmp(a->cluster, b->cluster);

	return cmp ? cmp : strcmp(a->name, b->name);
}

static int status_flow(struct kdr_health_flow *sf, const struct kdr_desired *desired, const struct kdr_flow *flow,
		       const struct kdr_health *status, const struct kdr_live *live, const struct kdr_plan *plan,
		       const struct kdr_resolve_flow_filters *filters)
{
	struct kdr_mm2_connectors connectors = {0};
	const struct kdr_health_cluster *source = kdr_health__cluster_of(status, flow->source);
	const struct kdr_health_cluster *target = kdr_health__cluster_of(status, flow->target);
	int rc = 0;

	memset(sf, 0, sizeof(*sf));
	sf->name = kdr_strdup(flow->meta.name);
	sf->source = kdr_strdup(flow->source);
	sf->target = kdr_strdup(flow->target);
	sf->suspended = flow->suspended;
	/* Only names and placement matter here: secrets stay placeholders. */
	rc = kdr_mm2_render_flow(&connectors, desired, flow, NULL);
	if (rc != 0)
		goto cleanup;
	for (size_t i = 0; i < connectors.notes.n; i++) {
		kdr_strvec_push(&sf->problems, connectors.notes.v[i]);
		kdr_health__raise_level(&sf->level, KDR_HEALTH_WARNING);
	}
	sf->connectors = kdr_calloc(connectors.n + 1, sizeof(*sf->connectors));
	for (size_t i = 0; i < connectors.n; i++) {
		kdr_health__connector(&sf->connectors[sf->n_connectors], &connectors.v[i], flow, status, live, plan);
		kdr_health__raise_level(&sf->level, sf->connectors[sf->n_connectors].level);
		sf->n_connectors++;
	}
	if (sf->n_connectors > 1)
		qsort(sf->connectors, sf->n_connectors, sizeof(*sf->connectors), compare_status_connectors);
	if (source && target && source->checked && target->checked)
		kdr_health__remote_topics(sf, flow, live, filters);
	if (flow->suspended)
		kdr_strvec_push(&sf->problems, "the flow is suspended: nothing is replicated until it is resumed");
cleanup:
	kdr_mm2_connectors_release(&connectors);
	return rc;
}

static int compare_flows(const void *pa, const void *pb)
{
	const struct kdr_health_flow *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

int kdr_health_compute(struct kdr_health *out, const struct kdr_desired *desired, const struct kdr_live *live,
		       const struct kdr_plan *plan, const struct kdr_health_options *options)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	status_clusters(out, desired, live, options);
	out->flows = kdr_calloc(desired->n_flows + 1, sizeof(*out->flows));
	for (size_t i = 0; i < desired->n_flows; i++) {
		const struct kdr_flow *flow = &desired->flows[i];

		if (!flow->meta.name || !flow->source || !flow->target ||
		    !(selected(options, flow->source) || selected(options, flow->target)))
			continue;
		rc = status_flow(&out->flows[out->n_flows], desired, flow, out, live, plan,
				 options && options->filters ? &options->filters->flows[i] : NULL);
		out->n_flows++;
		if (rc != 0)
			goto cleanup;
		kdr_health__raise_level(&out->level, out->flows[out->n_flows - 1].level);
	}
	if (out->n_flows > 1)
		qsort(out->flows, out->n_flows, sizeof(*out->flows), compare_flows);
	kdr_health__topics(out, live, plan);
cleanup:
	if (rc != 0)
		kdr_health_release(out);
	return rc;
}

/* --- freeing --- */

void kdr_health__connector_release(struct kdr_health_connector *sc)
{
	free(sc->name);
	free(sc->cluster);
	free(sc->state);
	free(sc->message);
	free(sc->trace);
	for (size_t t = 0; t < sc->n_tasks; t++)
		free(sc->tasks[t].trace);
	free(sc->tasks);
}

static void flow_release(struct kdr_health_flow *sf)
{
	free(sf->name);
	free(sf->source);
	free(sf->target);
	for (size_t i = 0; i < sf->n_connectors; i++)
		kdr_health__connector_release(&sf->connectors[i]);
	free(sf->connectors);
	for (size_t i = 0; i < sf->n_mirrored; i++) {
		free(sf->mirrored[i].topic);
		free(sf->mirrored[i].remote);
	}
	free(sf->mirrored);
	kdr_strvec_release(&sf->problems);
	kdr_health_lag_release(&sf->lag);
}

void kdr_health_release(struct kdr_health *status)
{
	for (size_t i = 0; i < status->n_clusters; i++) {
		free(status->clusters[i].name);
		free(status->clusters[i].connect_url);
	}
	free(status->clusters);
	for (size_t i = 0; i < status->n_flows; i++)
		flow_release(&status->flows[i]);
	free(status->flows);
	for (size_t i = 0; i < status->n_topics; i++) {
		free(status->topics[i].cluster);
		free(status->topics[i].topic);
		free(status->topics[i].kind);
		free(status->topics[i].message);
	}
	free(status->topics);
	memset(status, 0, sizeof(*status));
}
