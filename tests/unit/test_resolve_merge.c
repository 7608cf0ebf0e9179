/*
 * pkg/resolve: topic config values as Kafka reads them (config_value.c) and
 * the merge of the policies that govern one topic (topic_merge.c): merged
 * values with their fields, disagreements naming both sides, and a
 * property test over generated policy sets against the merge the plan did
 * before it used this one (kept here as the oracle).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "resolve/config_value.h"
#include "resolve/topic_merge.h"
#include "util/alloc.h"
#include "util/buf.h"

static void expect_normal(const char *key, const char *value, const char *want)
{
	char *got = kdr_resolve_config_normalise(key, value);

	if (strcmp(got, want) != 0)
		fail_msg("%s=%s: got '%s', want '%s'", key, value, got, want);
	free(got);
}

static void test_normalise(void **state)
{
	(void)state;
	/* INT / LONG: as integers. */
	expect_normal("retention.ms", "0086400000", "86400000");
	expect_normal("retention.ms", " +5 ", "5");
	expect_normal("retention.ms", "-1", "-1");
	expect_normal("retention.ms", "-0", "0");
	expect_normal("retention.ms", "000", "0");
	expect_normal("retention.ms", "7d", "7d"); /* not a number: left for Kafka to reject */
	expect_normal("min.insync.replicas", "02", "2");
	/* BOOLEAN: case-insensitive. */
	expect_normal("unclean.leader.election.enable", "TRUE", "true");
	expect_normal("remote.storage.enable", " False", "false");
	expect_normal("preallocate", "yes", "yes");
	/* DOUBLE: as numbers. */
	expect_normal("min.cleanable.dirty.ratio", "0.50", "0.5");
	expect_normal("min.cleanable.dirty.ratio", "1", "1");
	expect_normal("min.cleanable.dirty.ratio", "1.0", "1");
	/* LIST: trimmed elements, order kept; cleanup.policy: a set. */
	expect_normal("leader.replication.throttled.replicas", "0:1 , 1:2", "0:1,1:2");
	expect_normal("leader.replication.throttled.replicas", "1:2,0:1", "1:2,0:1");
	expect_normal("cleanup.policy", "delete, compact", "compact,delete");
	expect_normal("cleanup.policy", "compact,delete,compact", "compact,delete");
	expect_normal("cleanup.policy", "", "");
	/* STRING and unknown keys: trimmed, case kept. */
	expect_normal("compression.type", " lz4 ", "lz4");
	expect_normal("message.timestamp.type", "LogAppendTime", "LogAppendTime");
	expect_normal("x.custom", " A b ", "A b");
	assert_null(kdr_resolve_config_normalise("retention.ms", NULL));

	assert_true(kdr_resolve_config_equal("retention.ms", "1000", "01000"));
	assert_false(kdr_resolve_config_equal("retention.ms", "1000", "1001"));
	assert_true(kdr_resolve_config_equal("cleanup.policy", "compact,delete", "delete,compact"));
	assert_false(kdr_resolve_config_equal("compression.type", "LZ4", "lz4"));
	assert_false(kdr_resolve_config_equal("retention.ms", "1", NULL));
	assert_true(kdr_resolve_config_equal("retention.ms", NULL, NULL));
	assert_true(kdr_resolve_config_true("TRUE"));
	assert_true(kdr_resolve_config_true(" true"));
	assert_false(kdr_resolve_config_true("false"));
	assert_false(kdr_resolve_config_true(NULL));
	assert_false(kdr_resolve_config_true("1"));
}

/* --- policies built by hand --- */

static void policy_init(struct kdr_policy *policy, const char *name, size_t n_topics)
{
	memset(policy, 0, sizeof(*policy));
	policy->meta.name = kdr_strdup(name);
	policy->partitions = 1;
	policy->replication_factor = 3;
	policy->topics = kdr_calloc(n_topics + 1, sizeof(*policy->topics));
	policy->n_topics = n_topics;
	for (size_t i = 0; i < n_topics; i++)
		policy->topics[i].name = kdr_strdup("orders");
}

static struct kdr_resolve_governor declared(const struct kdr_policy *policy, size_t index)
{
	struct kdr_resolve_governor gov;

	memset(&gov, 0, sizeof(gov));
	gov.policy = policy;
	gov.decl = &policy->topics[index];
	gov.index = index;
	return gov;
}

static struct kdr_resolve_governor matched(const struct kdr_policy *policy)
{
	struct kdr_resolve_governor gov;

	memset(&gov, 0, sizeof(gov));
	gov.policy = policy;
	return gov;
}

/* "policy field=value" of a value, for assertions. */
static char *describe(const struct kdr_resolve_topic *rt, size_t value)
{
	const struct kdr_resolve_value *v = &rt->values[value];
	char *path = kdr_resolve_value_path(rt, v);
	char *text = kdr_asprintf("%s %s=%s", rt->governors[v->governor].policy->meta.name, path, v->value);

	free(path);
	return text;
}

static void assert_described(const struct kdr_resolve_topic *rt, size_t value, const char *want)
{
	char *got = describe(rt, value);

	assert_string_equal(got, want);
	free(got);
}

static void test_merge_names_every_value_and_disagreement(void **state)
{
	struct kdr_policy first, second;
	struct kdr_resolve_governor governors[3];
	struct kdr_resolve_topic rt;
	char *path = NULL;

	(void)state;
	policy_init(&first, "first", 1);
	policy_init(&second, "second", 2);
	first.partitions = 6;
	kdr_strmap_set(&first.config, "retention.ms", "1000");
	kdr_strmap_set(&first.topics[0].config, "cleanup.policy", "compact");
	second.topics[1].partitions = 12;
	kdr_strmap_set(&second.config, "retention.ms", "01000"); /* the same to Kafka */
	kdr_strmap_set(&second.topics[1].config, "cleanup.policy", "delete");
	kdr_strmap_set(&second.topics[1].config, "segment.ms", "60000");
	/* second's first entry of the name is its index 1 here: the one given first counts. */
	governors[0] = declared(&first, 0);
	governors[1] = declared(&second, 1);
	governors[2] = declared(&second, 0);
	kdr_resolve_topic_merge(&rt, "orders", governors, 3);

	assert_string_equal(rt.name, "orders");
	assert_int_equal(rt.n_governors, 2);
	assert_ptr_equal(rt.governors[0].policy, &first);
	assert_ptr_equal(rt.governors[1].policy, &second);
	assert_int_equal(rt.governors[1].index, 1);
	assert_int_equal(rt.partitions, 6);
	assert_int_equal(rt.replication_factor, 3);
	assert_false(rt.tiering_disabled);
	/* Merged: first's keys, second's segment.ms where first is silent; each with its field. */
	assert_int_equal(rt.config.n, 3);
	assert_string_equal(kdr_strmap_get(&rt.config, "cleanup.policy"), "compact");
	assert_string_equal(kdr_strmap_get(&rt.config, "retention.ms"), "1000");
	assert_string_equal(kdr_strmap_get(&rt.config, "segment.ms"), "60000");
	assert_described(&rt, rt.origin[0], "first spec.topics[0].config.cleanup.policy=compact");
	assert_described(&rt, rt.origin[1], "first spec.config.retention.ms=1000");
	assert_described(&rt, rt.origin[2], "second spec.topics[1].config.segment.ms=60000");
	/* Disagreements in merge order: counts, then keys by name; both sides named. */
	assert_int_equal(rt.n_disagreements, 3);
	assert_int_equal(rt.disagreements[0].kind, KDR_RESOLVE_DISAGREE_COUNTS);
	assert_int_equal(rt.disagreements[0].used_governor, 0);
	assert_int_equal(rt.disagreements[0].other_governor, 1);
	path = kdr_resolve_count_path(&rt.governors[0], false);
	assert_string_equal(path, "spec.partitions");
	free(path);
	path = kdr_resolve_count_path(&rt.governors[1], false);
	assert_string_equal(path, "spec.topics[1].partitions");
	free(path);
	path = kdr_resolve_count_path(&rt.governors[1], true);
	assert_string_equal(path, "spec.replicationFactor");
	free(path);
	assert_int_equal(rt.disagreements[1].kind, KDR_RESOLVE_DISAGREE_CONFIG);
	assert_false(kdr_resolve_disagreement_equivalent(&rt, &rt.disagreements[1]));
	assert_described(&rt, rt.disagreements[1].used_value, "first spec.topics[0].config.cleanup.policy=compact");
	assert_described(&rt, rt.disagreements[1].other_value, "second spec.topics[1].config.cleanup.policy=delete");
	assert_int_equal(rt.disagreements[2].kind, KDR_RESOLVE_DISAGREE_CONFIG);
	assert_true(kdr_resolve_disagreement_equivalent(&rt, &rt.disagreements[2]));
	assert_described(&rt, rt.disagreements[2].used_value, "first spec.config.retention.ms=1000");
	assert_described(&rt, rt.disagreements[2].other_value, "second spec.config.retention.ms=01000");
	kdr_resolve_topic_release(&rt);
	kdr_policy_release(&first);
	kdr_policy_release(&second);
}

static void test_disabled_tiering_takes_part_but_sends_nothing(void **state)
{
	struct kdr_policy off, on, matcher;
	struct kdr_resolve_governor governors[3];
	struct kdr_resolve_topic rt;

	(void)state;
	policy_init(&off, "off", 1);
	policy_init(&on, "on", 1);
	policy_init(&matcher, "matcher", 0);
	off.tiering.present = true;
	on.tiering.present = on.tiering.enabled = true;
	on.tiering.has_local_retention = true;
	on.tiering.local_retention_ms = 3600000;
	kdr_strmap_set(&matcher.config, "remote.storage.enable", "false");
	governors[0] = declared(&off, 0);
	governors[1] = declared(&on, 0);
	governors[2] = matched(&matcher);
	kdr_resolve_topic_merge(&rt, "orders", governors, 3);

	assert_true(rt.tiering_disabled);
	/* The enabled tiering's other key is merged; remote.storage.enable is not sent at all. */
	assert_int_equal(rt.config.n, 1);
	assert_string_equal(kdr_strmap_get(&rt.config, "local.retention.ms"), "3600000");
	assert_described(&rt, rt.origin[0], "on spec.tiering.localRetention=3600000");
	/* Against the disabled tiering: on's true, and matcher's false too (the plan's rule: it is tiering's call). */
	assert_int_equal(rt.n_disagreements, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(rt.disagreements[i].kind, KDR_RESOLVE_DISAGREE_TIERING);
		assert_int_equal(rt.disagreements[i].used_governor, 0);
		assert_int_equal(rt.disagreements[i].other_governor, i + 1);
		assert_described(&rt, rt.disagreements[i].used_value, "off spec.tiering.enabled=false");
		assert_false(rt.values[rt.disagreements[i].used_value].sent);
	}
	assert_described(&rt, rt.disagreements[0].other_value, "on spec.tiering.enabled=true");
	assert_described(&rt, rt.disagreements[1].other_value, "matcher spec.config.remote.storage.enable=false");
	kdr_resolve_topic_release(&rt);

	/* The other way round: a sent remote.storage.enable first, the disabled tiering later. */
	governors[0] = declared(&on, 0);
	governors[1] = declared(&off, 0);
	kdr_resolve_topic_merge(&rt, "orders", governors, 2);
	assert_false(rt.tiering_disabled);
	assert_string_equal(kdr_strmap_get(&rt.config, "remote.storage.enable"), "true");
	assert_int_equal(rt.n_disagreements, 1);
	assert_int_equal(rt.disagreements[0].kind, KDR_RESOLVE_DISAGREE_TIERING);
	assert_described(&rt, rt.disagreements[0].used_value, "on spec.tiering.enabled=true");
	assert_described(&rt, rt.disagreements[0].other_value, "off spec.tiering.enabled=false");
	kdr_resolve_topic_release(&rt);
	kdr_policy_release(&off);
	kdr_policy_release(&on);
	kdr_policy_release(&matcher);
}

/* --- property: the merge equals the one the plan did before (govern.c's merge_run), on generated policy sets --- */

/* One policy's configs as model/desired.c's kdr_policy_topic_config gave them before the merge replaced it. */
static void old_policy_topic_config(struct kdr_strmap *out, const struct kdr_policy *policy,
				    const struct kdr_topic_decl *decl)
{
	struct kdr_tiering_key tiering[3];
	size_t n = policy->tiering.enabled ? kdr_tiering_keys(tiering, &policy->tiering) : 0;

	for (size_t i = 0; i < policy->config.n; i++)
		kdr_strmap_set(out, policy->config.v[i].key, policy->config.v[i].value);
	for (size_t i = 0; i < n; i++)
		kdr_strmap_set(out, tiering[i].key, tiering[i].value);
	for (size_t i = 0; decl && i < decl->config.n; i++)
		kdr_strmap_set(out, decl->config.v[i].key, decl->config.v[i].value);
}

/* The old merge, kept as the oracle: its config, its flags and its warnings, one line each. */
static void old_merge(struct kdr_strmap *config, bool *tiering_disabled, int64_t *partitions, int64_t *rf,
		      struct kdr_buf *warnings, const struct kdr_resolve_governor *run, size_t n)
{
	const struct kdr_resolve_governor *owner = &run[0];
	struct kdr_strmap setters = KDR_STRMAP_INIT;

	*tiering_disabled = false;
	*partitions = kdr_policy_topic_partitions(owner->policy, owner->decl);
	*rf = kdr_policy_topic_replication_factor(owner->policy, owner->decl);
	for (size_t i = 0; i < n; i++) {
		const struct kdr_resolve_governor *e = &run[i];
		const char *name = e->policy->meta.name;
		struct kdr_strmap mine = KDR_STRMAP_INIT;
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen = seen || run[j].policy == e->policy;
		if (seen)
			continue;
		if (e->policy->tiering.present && !e->policy->tiering.enabled) {
			if (!kdr_strmap_has(&setters, "remote.storage.enable")) {
				*tiering_disabled = true;
				kdr_strmap_set(&setters, "remote.storage.enable", name);
			} else if (!*tiering_disabled) {
				kdr_buf_printf(warnings, "tiering %s %s\n",
					       kdr_strmap_get(&setters, "remote.storage.enable"), name);
			}
		}
		if (i > 0 && e->decl && e->policy != owner->policy &&
		    (kdr_policy_topic_partitions(e->policy, e->decl) != *partitions ||
		     kdr_policy_topic_replication_factor(e->policy, e->decl) != *rf))
			kdr_buf_printf(warnings, "counts %s %s\n", owner->policy->meta.name, name);
		old_policy_topic_config(&mine, e->policy, e->decl);
		for (size_t k = 0; k < mine.n; k++) {
			const char *key = mine.v[k].key, *value = mine.v[k].value;

			if (*tiering_disabled && strcmp(key, "remote.storage.enable") == 0 &&
			    strcmp(kdr_strmap_get(&setters, key), name) != 0) {
				kdr_buf_printf(warnings, "tiering %s %s\n", kdr_strmap_get(&setters, key), name);
			} else if (!kdr_strmap_has(config, key)) {
				kdr_strmap_set(config, key, value);
				kdr_strmap_set(&setters, key, name);
			} else if (!kdr_resolve_config_equal(key, kdr_strmap_get(config, key), value)) {
				kdr_buf_printf(warnings, "config %s %s %s\n", kdr_strmap_get(&setters, key), name, key);
			}
		}
		kdr_strmap_release(&mine);
	}
	kdr_strmap_release(&setters);
}

/* The new merge's warnings in the oracle's words (what govern.c turns into notes). */
static void new_warnings(struct kdr_buf *out, const struct kdr_resolve_topic *rt)
{
	static const char *const kinds[] = {"counts", "tiering", "config"};

	for (size_t i = 0; i < rt->n_disagreements; i++) {
		const struct kdr_resolve_disagreement *d = &rt->disagreements[i];

		if (d->kind == KDR_RESOLVE_DISAGREE_CONFIG && (d->unsent || kdr_resolve_disagreement_equivalent(rt, d)))
			continue;
		kdr_buf_printf(out, "%s %s %s", kinds[d->kind], rt->governors[d->used_governor].policy->meta.name,
			       rt->governors[d->other_governor].policy->meta.name);
		if (d->kind == KDR_RESOLVE_DISAGREE_CONFIG)
			kdr_buf_printf(out, " %s", rt->values[d->other_value].key);
		kdr_buf_putc(out, '\n');
	}
}

/* The value the field named by `path` holds in `policy` (entry `index`), or NULL. */
static const char *value_at_path(const struct kdr_policy *policy, const char *path, const char *key)
{
	char want[128];

	if (strcmp(path, "spec.tiering.enabled") == 0)
		return policy->tiering.present ? (policy->tiering.enabled ? "true" : "false") : NULL;
	if (strcmp(path, "spec.tiering.localRetention") == 0 || strcmp(path, "spec.tiering.retention") == 0)
		return NULL; /* numbers: checked by key below */
	snprintf(want, sizeof(want), "spec.config.%s", key);
	if (strcmp(path, want) == 0)
		return kdr_strmap_get(&policy->config, key);
	for (size_t t = 0; t < policy->n_topics; t++) {
		snprintf(want, sizeof(want), "spec.topics[%zu].config.%s", t, key);
		if (strcmp(path, want) == 0)
			return kdr_strmap_get(&policy->topics[t].config, key);
	}
	return NULL;
}

/* Every disagreement's two values are what the two named fields hold, for the same key. */
static void assert_names_both_fields(const struct kdr_resolve_topic *rt)
{
	for (size_t i = 0; i < rt->n_disagreements; i++) {
		const struct kdr_resolve_disagreement *d = &rt->disagreements[i];
		size_t sides[2] = {d->used_value, d->other_value};

		assert_true(d->used_governor < d->other_governor);
		if (d->kind == KDR_RESOLVE_DISAGREE_COUNTS) {
			assert_non_null(rt->governors[d->other_governor].decl);
			continue;
		}
		assert_string_equal(rt->values[d->used_value].key, rt->values[d->other_value].key);
		for (size_t s = 0; s < 2; s++) {
			const struct kdr_resolve_value *v = &rt->values[sides[s]];
			const struct kdr_policy *policy = rt->governors[v->governor].policy;
			char *path = kdr_resolve_value_path(rt, v);
			const char *held = value_at_path(policy, path, v->key);

			assert_int_equal(v->governor, s ? d->other_governor : d->used_governor);
			if (v->field != KDR_RESOLVE_FIELD_TIERING || strcmp(path, "spec.tiering.enabled") == 0) {
				if (!held || strcmp(held, v->value) != 0)
					fail_msg("%s: %s holds '%s', the merge says '%s'", policy->meta.name, path,
						 held ? held : "(nothing)", v->value);
			}
			free(path);
		}
	}
}

static const char *const gen_keys[] = {"cleanup.policy", "min.insync.replicas", "retention.ms", "segment.ms",
				       "x.custom"};
static const char *const gen_values[] = {"1", "01", "2", "compact", "delete, compact", "compact,delete"};

static unsigned next_random(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

static void gen_config(struct kdr_strmap *config, unsigned *seed, const struct kdr_tiering *tiering)
{
	size_t n = next_random(seed) % 3;

	for (size_t i = 0; i < n; i++) {
		const char *key = gen_keys[next_random(seed) % 5];

		/* Valid documents: a config map never sets what spec.tiering owns. */
		if (tiering->present && strcmp(key, "retention.ms") == 0 && tiering->has_retention)
			continue;
		kdr_strmap_set(config, key, gen_values[next_random(seed) % 6]);
	}
	if (!tiering->present && next_random(seed) % 4 == 0)
		kdr_strmap_set(config, "remote.storage.enable", next_random(seed) % 2 ? "true" : "false");
}

static void gen_policy(struct kdr_policy *policy, size_t p, unsigned *seed)
{
	char name[16];
	size_t n_topics = next_random(seed) % 3;

	snprintf(name, sizeof(name), "p%zu", p);
	policy_init(policy, name, n_topics);
	policy->partitions = 1 + next_random(seed) % 2;
	policy->replication_factor = 2 + next_random(seed) % 2;
	if (next_random(seed) % 3 == 0) {
		policy->tiering.present = true;
		policy->tiering.enabled = next_random(seed) % 2;
		policy->tiering.has_local_retention = policy->tiering.enabled && next_random(seed) % 2;
		policy->tiering.local_retention_ms = 1000 * (1 + next_random(seed) % 2);
		policy->tiering.has_retention = next_random(seed) % 2;
		policy->tiering.retention_ms = next_random(seed) % 2 ? -1 : 2000;
	}
	gen_config(&policy->config, seed, &policy->tiering);
	for (size_t t = 0; t < n_topics; t++) {
		policy->topics[t].partitions = next_random(seed) % 3;
		policy->topics[t].replication_factor = next_random(seed) % 2 ? 0 : 3;
		gen_config(&policy->topics[t].config, seed, &policy->tiering);
	}
}

static void test_merge_equals_the_old_merge_on_generated_policies(void **state)
{
	enum { RUNS = 3000, MAX_POLICIES = 5 };
	unsigned seed = 20261207u;
	size_t with_disagreements = 0;

	(void)state;
	for (int run = 0; run < RUNS; run++) {
		struct kdr_policy policies[MAX_POLICIES];
		struct kdr_resolve_governor governors[3 * MAX_POLICIES];
		size_t n_policies = 1 + next_random(&seed) % MAX_POLICIES, n = 0;
		struct kdr_strmap old_config = KDR_STRMAP_INIT;
		struct kdr_buf old_warnings = KDR_BUF_INIT, got_warnings = KDR_BUF_INIT;
		bool old_disabled = false;
		int64_t old_partitions = 0, old_rf = 0;
		struct kdr_resolve_topic rt;

		for (size_t p = 0; p < n_policies; p++)
			gen_policy(&policies[p], p, &seed);
		/* As govern.c gives them: every declaration (document order), then every match. */
		for (size_t p = 0; p < n_policies; p++)
			for (size_t t = 0; t < policies[p].n_topics; t++)
				governors[n++] = declared(&policies[p], t);
		for (size_t p = 0; p < n_policies; p++)
			if (next_random(&seed) % 2 || n == 0)
				governors[n++] = matched(&policies[p]);
		old_merge(&old_config, &old_disabled, &old_partitions, &old_rf, &old_warnings, governors, n);
		kdr_resolve_topic_merge(&rt, "orders", governors, n);
		new_warnings(&got_warnings, &rt);

		if (!kdr_strmap_equal(&old_config, &rt.config) || old_disabled != rt.tiering_disabled ||
		    old_partitions != rt.partitions || old_rf != rt.replication_factor ||
		    strcmp(old_warnings.ptr, got_warnings.ptr) != 0)
			fail_msg("run %d (%zu policies): warnings were\n%s, are\n%s", run, n_policies, old_warnings.ptr,
				 got_warnings.ptr);
		assert_names_both_fields(&rt);
		for (size_t k = 0; k < rt.config.n; k++)
			assert_string_equal(rt.values[rt.origin[k]].value, rt.config.v[k].value);
		with_disagreements += rt.n_disagreements > 0;

		kdr_resolve_topic_release(&rt);
		kdr_buf_release(&old_warnings);
		kdr_buf_release(&got_warnings);
		kdr_strmap_release(&old_config);
		for (size_t p = 0; p < n_policies; p++)
			kdr_policy_release(&policies[p]);
	}
	/* The generator must reach the interesting cases, not only agreeing policies. */
	assert_true(with_disagreements > RUNS / 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_merge_names_every_value_and_disagreement),
	    cmocka_unit_test(test_disabled_tiering_takes_part_but_sends_nothing),
	    cmocka_unit_test(test_merge_equals_the_old_merge_on_generated_policies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
