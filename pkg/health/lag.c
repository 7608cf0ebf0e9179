/* A flow's lag figures as status holds them: ordering, copying and freeing (pkg/pipeline/lag.c measures them). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health/health.h"
#include "util/alloc.h"

void kdr_health_lag_release(struct kdr_health_lag *lag)
{
	for (size_t i = 0; i < lag->n_topics; i++)
		free(lag->topics[i].topic);
	free(lag->topics);
	free(lag->error);
	memset(lag, 0, sizeof(*lag));
}

static int compare_topic_lags(const void *pa, const void *pb)
{
	const struct kdr_health_topic_lag *a = *(const struct kdr_health_topic_lag *const *)pa;
	const struct kdr_health_topic_lag *b = *(const struct kdr_health_topic_lag *const *)pb;
	uint64_t ka = a->records < 0 ? UINT64_MAX : (uint64_t)a->records;
	uint64_t kb = b->records < 0 ? UINT64_MAX : (uint64_t)b->records;

	if (ka != kb)
		return ka > kb ? -1 : 1;
	return strcmp(a->topic, b->topic);
}

size_t kdr_health_lag_worst(const struct kdr_health_topic_lag **out, const struct kdr_health_lag *lag)
{
	const struct kdr_health_topic_lag **all = kdr_calloc(lag->n_topics + 1, sizeof(*all));
	size_t n = lag->n_topics < KDR_HEALTH_LAG_TOPICS ? lag->n_topics : KDR_HEALTH_LAG_TOPICS;

	for (size_t t = 0; t < lag->n_topics; t++)
		all[t] = &lag->topics[t];
	if (lag->n_topics)
		qsort(all, lag->n_topics, sizeof(*all), compare_topic_lags);
	for (size_t t = 0; t < n; t++)
		out[t] = all[t];
	free(all);
	return n;
}

void kdr_health_lag_copy(struct kdr_health_lag *out, const struct kdr_health_lag *src)
{
	*out = *src;
	out->error = src->error ? kdr_strdup(src->error) : NULL;
	out->topics = kdr_calloc(src->n_topics + 1, sizeof(*out->topics));
	for (size_t i = 0; i < src->n_topics; i++) {
		out->topics[i] = src->topics[i];
		out->topics[i].topic = kdr_strdup(src->topics[i].topic);
	}
}

