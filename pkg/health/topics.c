/*
 * Findings about declared topics, taken from a plan of the same state:
 * placement violations, replication factors and DC-loss verdicts of topics
 * that exist now (the plan's creations are not health).
 */
#include <string.h>

#include "health/health_internal.h"
#include "util/alloc.h"

static bool live_topic_exists(const struct kdr_live *live, const char *cluster, const char *topic)
{
	const struct kdr_live_cluster *cl = kdr_live_cluster_find(live, cluster);

	return cl && topic && kdr_live_topic_find(cl, topic) != NULL;
}

static void add_topic(struct kdr_health *out, size_t *cap, enum kdr_health_level level, const char *cluster,
		      const char *topic, const char *kind, const char *message)
{
	struct kdr_health_topic *st = NULL;

	out->topics = kdr_grow(out->topics, cap, out->n_topics + 1, sizeof(*out->topics));
	st = &out->topics[out->n_topics++];
	st->level = level;
	st->cluster = kdr_strdup(cluster);
	st->topic = kdr_strdup(topic);
	st->kind = kdr_strdup(kind);
	st->message = kdr_strdup(message);
}

void kdr_health__topics(struct kdr_health *out, const struct kdr_live *live, const struct kdr_plan *plan)
{
	size_t cap = 0;

	if (!plan)
		return;
	/* Verdicts about topics that exist now; the plan's creations are not health. */
	for (size_t i = 0; i < plan->n_blocked; i++) {
		const struct kdr_blocked *b = &plan->blocked[i];

		if ((b->kind == KDR_BLOCKED_PLACEMENT_VIOLATION || b->kind == KDR_BLOCKED_REPLICATION_FACTOR) &&
		    live_topic_exists(live, b->cluster, b->resource))
			add_topic(out, &cap, KDR_HEALTH_WARNING, b->cluster, b->resource,
				  kdr_blocked_kind_name(b->kind), b->reason);
	}
	for (size_t i = 0; i < plan->n_notes; i++) {
		const struct kdr_note *note = &plan->notes[i];

		if (strncmp(note->message, "dc-loss: ", 9) == 0 &&
		    live_topic_exists(live, note->cluster, note->resource))
			add_topic(out, &cap, note->kind == KDR_NOTE_WARNING ? KDR_HEALTH_WARNING : KDR_HEALTH_OK,
				  note->cluster, note->resource, "dc-loss", note->message + 9);
	}
}

