/*
 * The merge of the policies that govern one topic (topic_merge.h): each
 * governor's values with their fields, then first-wins per key in governor
 * order, every later difference recorded as a disagreement naming both
 * values. Comparison is by Kafka's reading of a value (config_value.c);
 * values that only differ in spelling are recorded too (whether they are
 * the same to Kafka is asked of kdr_resolve_disagreement_equivalent, only
 * by the callers that care), and so are differences with a value kdr never
 * sends (a disabled tiering's retention), marked unsent, for the callers
 * that hold the documents themselves to one answer (validation).
 */
#include "resolve/topic_merge.h"

#include <stdlib.h>
#include <string.h>

#include "resolve/config_value.h"
#include "util/alloc.h"

#define RSE "remote.storage.enable"

struct merge {
	struct kdr_resolve_topic *topic;
	size_t cap_values;
	size_t cap_disagreements;
	/* The value that decides each key so far: the first sent one, or a disabled tiering's RSE. */
	size_t *setters;
	size_t n_setters;
	size_t cap_setters;
	/* The first value of each key that a disabled tiering stands for but does not send (other than RSE). */
	size_t *unsent;
	size_t n_unsent;
	size_t cap_unsent;
	/* Of setters: which keys are merged into topic->config (the others: a disabled tiering's). */
	size_t *merged;
	size_t n_merged;
	size_t cap_merged;
};

/* Sets `key` of governor `g` (whose values start at `first`), replacing the value it had. */
static void put_value(struct merge *m, size_t g, size_t first, const char *key, const char *value,
		      enum kdr_resolve_field field, const char *tiering_field, bool sent)
{
	struct kdr_resolve_topic *topic = m->topic;
	struct kdr_resolve_value *v = NULL;

	for (size_t i = first; i < topic->n_values && !v; i++)
		if (strcmp(topic->values[i].key, key) == 0)
			v = &topic->values[i];
	if (!v) {
		topic->values = kdr_grow(topic->values, &m->cap_values, topic->n_values + 1, sizeof(*topic->values));
		v = &topic->values[topic->n_values++];
	}
	*v = (struct kdr_resolve_value){
	    .key = key, .value = value, .governor = g, .field = field, .tiering_field = tiering_field, .sent = sent};
}

/* The values governor `g` applies, in field order; spec.tiering owns its keys, the entry's config beats spec.config. */
static void add_values(struct merge *m, size_t g)
{
	struct kdr_resolve_governor *gov = &m->topic->governors[g];
	const struct kdr_policy *policy = gov->policy;
	size_t first = m->topic->n_values;
	size_t n_tiering = kdr_tiering_keys(gov->tiering, &policy->tiering);

	for (size_t i = 0; i < policy->config.n; i++)
		put_value(m, g, first, policy->config.v[i].key, policy->config.v[i].value, KDR_RESOLVE_FIELD_CONFIG,
			  NULL, true);
	for (size_t i = 0; gov->decl && i < gov->decl->config.n; i++)
		put_value(m, g, first, gov->decl->config.v[i].key, gov->decl->config.v[i].value,
			  KDR_RESOLVE_FIELD_TOPIC_CONFIG, NULL, true);
	/* A disabled tiering stands for remote.storage.enable=false, Kafka's default: compared, never sent. */
	for (size_t i = 0; i < n_tiering; i++)
		put_value(m, g, first, gov->tiering[i].key, gov->tiering[i].value, KDR_RESOLVE_FIELD_TIERING,
			  gov->tiering[i].field, policy->tiering.enabled);
	gov->first_value = first;
	gov->n_values = m->topic->n_values - first;
}

static void disagree(struct merge *m, enum kdr_resolve_disagreement_kind kind, size_t used_governor,
		     size_t other_governor, size_t used_value, size_t other_value, bool unsent)
{
	struct kdr_resolve_topic *topic = m->topic;
	struct kdr_resolve_disagreement *d = NULL;

	topic->disagreements = kdr_grow(topic->disagreements, &m->cap_disagreements, topic->n_disagreements + 1,
					sizeof(*topic->disagreements));
	d = &topic->disagreements[topic->n_disagreements++];
	*d = (struct kdr_resolve_disagreement){.kind = kind,
					       .used_governor = used_governor,
					       .other_governor = other_governor,
					       .used_value = used_value,
					       .other_value = other_value,
					       .unsent = unsent};
}

/* The value of `key` in `list` (indexes in values), or -1. */
static long find_key(const struct merge *m, const size_t *list, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(m->topic->values[list[i]].key, key) == 0)
			return (long)list[i];
	return -1;
}

/* The first value of `key` so far that decides it (index in values), or -1. */
static long setter_of(const struct merge *m, const char *key)
{
	return find_key(m, m->setters, m->n_setters, key);
}

/*
 * A value that is compared but never sent (a disabled tiering's retention)
 * against the first other such value of its key, or (for a sent one without
 * a setter) against it: a disagreement the plan does not warn about, since
 * what it sends does not change, but one that spells out that the documents
 * disagree.
 */
static void compare_unsent(struct merge *m, size_t g, size_t value)
{
	const struct kdr_resolve_value *v = &m->topic->values[value];
	long first = find_key(m, m->unsent, m->n_unsent, v->key);

	if (first < 0) {
		if (v->sent)
			return;
		m->unsent = kdr_grow(m->unsent, &m->cap_unsent, m->n_unsent + 1, sizeof(*m->unsent));
		m->unsent[m->n_unsent++] = value;
		first = setter_of(m, v->key);
		if (first < 0)
			return;
	}
	if (m->topic->values[first].governor != g && strcmp(m->topic->values[first].value, v->value) != 0)
		disagree(m, KDR_RESOLVE_DISAGREE_CONFIG, m->topic->values[first].governor, g, (size_t)first, value,
			 true);
}

static void set_setter(struct merge *m, size_t value, bool merged)
{
	m->setters = kdr_grow(m->setters, &m->cap_setters, m->n_setters + 1, sizeof(*m->setters));
	m->setters[m->n_setters++] = value;
	if (!merged)
		return;
	m->merged = kdr_grow(m->merged, &m->cap_merged, m->n_merged + 1, sizeof(*m->merged));
	m->merged[m->n_merged++] = value;
}

static const struct kdr_resolve_value *value_at(const struct merge *m, size_t i)
{
	return &m->topic->values[i];
}

/* Value indexes sorted by key (insertion sort: a policy sets tens of keys at most). */
static void sort_by_key(const struct merge *m, size_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		size_t x = v[i], j = i;

		for (; j > 0 && strcmp(value_at(m, v[j - 1])->key, value_at(m, x)->key) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Governor `g` against what the earlier ones decided. */
static void merge_governor(struct merge *m, size_t g)
{
	struct kdr_resolve_topic *topic = m->topic;
	const struct kdr_resolve_governor *gov = &topic->governors[g];
	const struct kdr_resolve_governor *owner = &topic->governors[0];
	size_t *keys = kdr_calloc(gov->n_values + 1, sizeof(*keys));
	size_t n_keys = 0;

	for (size_t i = gov->first_value; i < gov->first_value + gov->n_values; i++) {
		const struct kdr_resolve_value *v = value_at(m, i);
		long setter = -1;

		if (v->sent) {
			keys[n_keys++] = i;
			continue;
		}
		if (strcmp(v->key, RSE) != 0) {
			compare_unsent(m, g, i);
			continue;
		}
		/* A disabled tiering: the first word on remote.storage.enable, or against a sent one. */
		setter = setter_of(m, v->key);
		if (setter < 0) {
			topic->tiering_disabled = true;
			set_setter(m, i, false);
		} else if (!topic->tiering_disabled) {
			disagree(m, KDR_RESOLVE_DISAGREE_TIERING, value_at(m, (size_t)setter)->governor, g,
				 (size_t)setter, i, false);
		}
	}
	if (g > 0 && gov->decl && owner->decl &&
	    (gov->partitions != owner->partitions || gov->replication_factor != owner->replication_factor))
		disagree(m, KDR_RESOLVE_DISAGREE_COUNTS, 0, g, 0, 0, false);
	sort_by_key(m, keys, n_keys);
	for (size_t k = 0; k < n_keys; k++) {
		const struct kdr_resolve_value *v = value_at(m, keys[k]);
		long setter = setter_of(m, v->key);
		const struct kdr_resolve_value *have = setter >= 0 ? value_at(m, (size_t)setter) : NULL;

		if (!have) {
			compare_unsent(m, g, keys[k]);
			set_setter(m, keys[k], true);
		} else if (topic->tiering_disabled && strcmp(v->key, RSE) == 0 && have->governor != g) {
			/* The disabled tiering decided remote.storage.enable: any other word on it is against it. */
			disagree(m, KDR_RESOLVE_DISAGREE_TIERING, have->governor, g, (size_t)setter, keys[k], false);
		} else if (strcmp(have->value, v->value) != 0) {
			disagree(m, KDR_RESOLVE_DISAGREE_CONFIG, have->governor, g, (size_t)setter, keys[k], false);
		}
	}
	free(keys);
}

void kdr_resolve_topic_merge(struct kdr_resolve_topic *out, const char *name,
			     const struct kdr_resolve_governor *governors, size_t n)
{
	struct merge m;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	m.topic = out;
	out->name = name;
	/* Allocated once: the governors' tiering values are pointed into. */
	out->governors = kdr_calloc(n + 1, sizeof(*out->governors));
	for (size_t i = 0; i < n; i++) {
		struct kdr_resolve_governor *gov = NULL;
		bool seen = false;

		for (size_t j = 0; j < out->n_governors && !seen; j++)
			seen = out->governors[j].policy == governors[i].policy;
		if (seen)
			continue;
		gov = &out->governors[out->n_governors];
		gov->policy = governors[i].policy;
		gov->decl = governors[i].decl;
		gov->index = governors[i].index;
		gov->partitions = kdr_policy_topic_partitions(gov->policy, gov->decl);
		gov->replication_factor = kdr_policy_topic_replication_factor(gov->policy, gov->decl);
		add_values(&m, out->n_governors++);
	}
	if (out->n_governors) {
		out->partitions = out->governors[0].partitions;
		out->replication_factor = out->governors[0].replication_factor;
	}
	for (size_t g = 0; g < out->n_governors; g++)
		merge_governor(&m, g);
	sort_by_key(&m, m.merged, m.n_merged);
	out->origin = kdr_calloc(m.n_merged + 1, sizeof(*out->origin));
	for (size_t i = 0; i < m.n_merged; i++) {
		kdr_strmap_set(&out->config, value_at(&m, m.merged[i])->key, value_at(&m, m.merged[i])->value);
		out->origin[i] = m.merged[i];
	}
	free(m.setters);
	free(m.unsent);
	free(m.merged);
}

void kdr_resolve_topic_release(struct kdr_resolve_topic *topic)
{
	free(topic->governors);
	free(topic->values);
	kdr_strmap_release(&topic->config);
	free(topic->origin);
	free(topic->disagreements);
	memset(topic, 0, sizeof(*topic));
}

bool kdr_resolve_disagreement_equivalent(const struct kdr_resolve_topic *topic,
					 const struct kdr_resolve_disagreement *d)
{
	const struct kdr_resolve_value *used = &topic->values[d->used_value];

	return d->kind == KDR_RESOLVE_DISAGREE_CONFIG &&
	       kdr_resolve_config_equal(used->key, used->value, topic->values[d->other_value].value);
}

char *kdr_resolve_value_path(const struct kdr_resolve_topic *topic, const struct kdr_resolve_value *value)
{
	switch (value->field) {
	case KDR_RESOLVE_FIELD_TOPIC_CONFIG:
		return kdr_asprintf("spec.topics[%zu].config.%s", topic->governors[value->governor].index, value->key);
	case KDR_RESOLVE_FIELD_TIERING:
		return kdr_strdup(value->tiering_field);
	case KDR_RESOLVE_FIELD_CONFIG:
		break;
	}
	return kdr_asprintf("spec.config.%s", value->key);
}

char *kdr_resolve_count_path(const struct kdr_resolve_governor *governor, bool replication_factor)
{
	const char *field = replication_factor ? "replicationFactor" : "partitions";
	int64_t own = 0;

	if (governor->decl)
		own = replication_factor ? governor->decl->replication_factor : governor->decl->partitions;
	if (own)
		return kdr_asprintf("spec.topics[%zu].%s", governor->index, field);
	return kdr_asprintf("spec.%s", field);
}
