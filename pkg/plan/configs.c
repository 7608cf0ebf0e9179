/*
 * Topic configs: compare the keys a policy declares with the topic's own
 * overrides and produce one alter-configs action per topic.
 *
 * The comparison rule. kdr pins every declared value as a topic override
 * (source DYNAMIC_TOPIC_CONFIG): a key needs a change unless the topic already
 * has an override of that key whose value equals the declared one (after
 * Kafka's own normalisation, resolve/config_value.c). A declared value that merely equals the
 * cluster default (DEFAULT_CONFIG, STATIC_BROKER_CONFIG, DYNAMIC_*_BROKER_CONFIG)
 * is still written once as an override, so that a later change of the broker
 * default does not silently change a topic whose value is declared in Git;
 * the reason then says "(default)". After that the override exists and the
 * key is in sync, so a second plan is empty.
 *
 * Because librdkafka's AlterConfigs replaces a topic's whole dynamic set, the
 * action's `config` is the COMPLETE set to send: every existing override
 * (undeclared ones preserved) with the declared values applied; `changes`
 * lists only what changes. With configPrune, undeclared overrides are
 * removed (new value NULL) — except remote.storage.enable=true, which Kafka
 * cannot turn off.
 *
 * Risk: safe; disruptive when an override is removed; destructive when
 * retention.ms/retention.bytes shrink or cleanup.policy gains "delete" (data
 * becomes eligible for deletion); irreversible when remote.storage.enable
 * turns on (Kafka cannot turn tiered storage off again).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/buf.h"

bool kdr_plan__config_is_override(const struct kdr_live_config *config)
{
	/* UNKNOWN: a reader that could not tell (DescribeConfigs v0) put it in the topic's own list. */
	return config->source == KDR_CONFIG_SOURCE_DYNAMIC_TOPIC || config->source == KDR_CONFIG_SOURCE_UNKNOWN;
}

/* --- the comparison --- */

struct changes {
	struct kdr_config_change *v;
	size_t n;
	size_t cap;
};

static void changes_add(struct changes *changes, const char *key, const char *old_value, const char *new_value,
			bool sensitive)
{
	struct kdr_config_change *change = NULL;

	changes->v = kdr_grow(changes->v, &changes->cap, changes->n + 1, sizeof(*changes->v));
	change = &changes->v[changes->n++];
	change->key = kdr_strdup(key);
	change->old_value = kdr_strdup(old_value);
	change->new_value = kdr_strdup(new_value);
	change->sensitive = sensitive;
}

static int compare_changes(const void *a, const void *b)
{
	return strcmp(((const struct kdr_config_change *)a)->key, ((const struct kdr_config_change *)b)->key);
}

static const struct kdr_live_config *override_of(const struct kdr_live_topic *topic, const char *key)
{
	const struct kdr_live_config *config = kdr_live_topic_config_find(topic, key);

	return config && kdr_plan__config_is_override(config) ? config : NULL;
}

static const char *default_of(const struct kdr_live_cluster *cl, const char *key)
{
	return kdr_live_effective_config(cl, NULL, key, NULL);
}

/* Parses a retention value (a decimal integer, no blanks); negative = infinite (INT64_MAX). */
static bool parse_retention(int64_t *out, const char *text)
{
	const char *digits = text && (*text == '+' || *text == '-') ? text + 1 : text;
	char *end = NULL;
	long long v = 0;

	if (!digits || !isdigit((unsigned char)*digits))
		return false;
	v = strtoll(text, &end, 10);
	if (*end)
		return false;
	*out = v < 0 ? INT64_MAX : (int64_t)v;
	return true;
}

static bool has_policy(const char *cleanup_policy, const char *which)
{
	char *list = kdr_resolve_config_normalise("cleanup.policy", cleanup_policy);
	char *save = NULL;
	bool found = false;

	for (char *item = list ? strtok_r(list, ",", &save) : NULL; item; item = strtok_r(NULL, ",", &save))
		if (strcmp(item, which) == 0)
			found = true;
	free(list);
	return found;
}

static enum kdr_risk max_risk(enum kdr_risk a, enum kdr_risk b)
{
	return a > b ? a : b;
}

/* The risk of one change, given the effective values before and after. */
static enum kdr_risk change_risk(const struct kdr_live_cluster *cl, const struct kdr_config_change *change)
{
	const char *before = change->old_value ? change->old_value : default_of(cl, change->key);
	const char *after = change->new_value ? change->new_value : default_of(cl, change->key);
	enum kdr_risk risk = change->new_value ? KDR_RISK_SAFE : KDR_RISK_DISRUPTIVE;
	int64_t old_ms = 0, new_ms = 0;

	if (strcmp(change->key, "remote.storage.enable") == 0 && kdr_resolve_config_true(after) &&
	    !kdr_resolve_config_true(before))
		return KDR_RISK_IRREVERSIBLE;
	if ((strcmp(change->key, "retention.ms") == 0 || strcmp(change->key, "retention.bytes") == 0) &&
	    parse_retention(&old_ms, before) && parse_retention(&new_ms, after) && new_ms < old_ms)
		risk = max_risk(risk, KDR_RISK_DESTRUCTIVE);
	/* Without a known default, a topic with no cleanup.policy has Kafka's default "delete". */
	if (strcmp(change->key, "cleanup.policy") == 0 && has_policy(after ? after : "delete", "delete") &&
	    !has_policy(before ? before : "delete", "delete"))
		risk = max_risk(risk, KDR_RISK_DESTRUCTIVE);
	return risk;
}

static void put_display(struct kdr_buf *buf, const struct kdr_live_cluster *cl, const struct kdr_config_change *change,
			const char *value)
{
	const char *fallback = default_of(cl, change->key);

	if (change->sensitive)
		kdr_buf_puts(buf, KDR_REDACTED);
	else if (value)
		kdr_buf_puts(buf, value);
	else if (fallback)
		kdr_buf_printf(buf, "%s (default)", fallback);
	else
		kdr_buf_puts(buf, "(default)");
}

/* "drift: retention.ms 604800000 (default) -> 86400000, segment.ms 1000 -> (default)". */
static char *describe_changes(const struct kdr_live_cluster *cl, const struct changes *changes)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	kdr_buf_puts(&buf, "drift: ");
	for (size_t i = 0; i < changes->n; i++) {
		const struct kdr_config_change *change = &changes->v[i];

		kdr_buf_printf(&buf, "%s%s ", i ? ", " : "", change->key);
		put_display(&buf, cl, change, change->old_value);
		kdr_buf_puts(&buf, " -> ");
		put_display(&buf, cl, change, change->new_value);
	}
	return kdr_buf_detach(&buf);
}

static bool key_sensitive(const char *key, const struct kdr_live_config *live)
{
	return kdr_config_key_is_sensitive(key) || (live && live->sensitive);
}

void kdr_plan__topic_configs(struct plan_ctx *ctx, const struct plan_cluster *pc, const struct plan_topic *pt)
{
	const struct kdr_live_cluster *cl = pc->live;
	const struct kdr_live_topic *topic = kdr_live_topic_find(cl, pt->name);
	const char *policy = kdr_plan__policy_name(pt->policy);
	const char *wanted_rse = kdr_strmap_get(&pt->config, "remote.storage.enable");
	bool live_rse = false;
	struct changes changes = {NULL, 0, 0};
	struct kdr_action *action = NULL;
	enum kdr_risk risk = KDR_RISK_SAFE;

	if (!topic)
		return; /* created with its config (topics.c), or not wanted */
	live_rse = kdr_resolve_config_true(kdr_live_effective_config(cl, topic, "remote.storage.enable", NULL));
	if (kdr_resolve_config_true(wanted_rse) && !live_rse && !cl->remote_storage_enabled) {
		kdr_plan__add_blocked(ctx->plan, KDR_BLOCKED_ERROR, pc->name, pt->name, policy, NULL,
				      "cluster '%s' brokers do not enable remote storage "
				      "(remote.log.storage.system.enable=false): cannot enable tiering",
				      pc->name);
		return;
	}
	if (live_rse && ((wanted_rse && !kdr_resolve_config_true(wanted_rse)) || pt->tiering_disabled)) {
		kdr_plan__add_blocked(
		    ctx->plan, KDR_BLOCKED_ERROR, pc->name, pt->name, policy, NULL,
		    "tiering cannot be disabled: the topic has remote.storage.enable=true and Kafka 3.x "
		    "cannot turn remote storage off for a topic (delete and recreate it, or re-enable "
		    "tiering in the policy)");
		return;
	}

	for (size_t i = 0; i < pt->config.n; i++) {
		const char *key = pt->config.v[i].key, *value = pt->config.v[i].value;
		const struct kdr_live_config *have = override_of(topic, key);

		if (have && !have->value && have->sensitive) {
			/* Kafka never returns sensitive values: nothing to compare with. */
			kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, pc->name, pt->name,
					   "'%s' is sensitive and its value is not returned by Kafka; not compared",
					   key);
			continue;
		}
		if (have && kdr_resolve_config_equal(key, have->value, value))
			continue;
		changes_add(&changes, key, have ? have->value : NULL, value, key_sensitive(key, have));
	}
	if (pt->config_prune) {
		for (size_t i = 0; i < topic->n_configs; i++) {
			const struct kdr_live_config *have = &topic->configs[i];

			if (!kdr_plan__config_is_override(have) || kdr_strmap_has(&pt->config, have->name))
				continue;
			if (strcmp(have->name, "remote.storage.enable") == 0 && kdr_resolve_config_true(have->value)) {
				kdr_plan__add_note(
				    ctx->plan, KDR_NOTE_WARNING, pc->name, pt->name,
				    "configPrune keeps remote.storage.enable=true: Kafka cannot turn remote "
				    "storage off for a topic");
				continue;
			}
			changes_add(&changes, have->name, have->value, NULL, key_sensitive(have->name, have));
		}
	}
	if (!changes.n)
		return;
	/* One key order for display, removals among the rest. */
	qsort(changes.v, changes.n, sizeof(*changes.v), compare_changes);

	/* The complete set AlterConfigs must carry: every override, with the changes applied. */
	action = kdr_plan__add_action(ctx->plan, KDR_ACTION_ALTER_CONFIGS, pc->name, pt->name, policy);
	for (size_t i = 0; i < topic->n_configs; i++) {
		const struct kdr_live_config *have = &topic->configs[i];

		if (kdr_plan__config_is_override(have))
			kdr_strmap_set(&action->config, have->name, have->value);
	}
	for (size_t i = 0; i < changes.n; i++) {
		if (changes.v[i].new_value)
			kdr_strmap_set(&action->config, changes.v[i].key, changes.v[i].new_value);
		else
			kdr_strmap_remove(&action->config, changes.v[i].key);
		risk = max_risk(risk, change_risk(cl, &changes.v[i]));
	}
	action->risk = risk;
	action->reason = describe_changes(cl, &changes);
	action->changes = changes.v;
	action->n_changes = changes.n;
	changes.v = NULL;
	/* A preserved override whose value Kafka did not return would be dropped by AlterConfigs. */
	for (size_t i = 0; i < action->config.n; i++) {
		if (action->config.v[i].value)
			continue;
		kdr_plan__add_blocked(
		    ctx->plan, KDR_BLOCKED_ERROR, pc->name, pt->name, policy, NULL,
		    "cannot alter configs: override '%s' is sensitive and Kafka does not return its value, "
		    "so AlterConfigs (which replaces the whole set) would drop it",
		    action->config.v[i].key);
		kdr_action_release(action);
		ctx->plan->n_actions--;
		break;
	}
}
