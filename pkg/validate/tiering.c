/*
 * Tiered storage (reference kafka-mm2-connect.md §5.2), the checks Kafka
 * itself makes when remote.storage.enable=true, done before anything is sent:
 *   - not on compacted topics (any cleanup.policy containing "compact");
 *   - time: if retention.ms != -1 and local.retention.ms != -2, then
 *     local.retention.ms must not be -1 and must be <= retention.ms
 *     (retention -1 = infinite allows any local value; local -2 = "same as
 *     retention");
 *   - size: the same with retention.bytes / local.retention.bytes.
 * spec.tiering owns remote.storage.enable and local.retention.ms (and
 * retention.ms when spec.tiering.retention is given): setting them in a
 * config map as well is an error, since one of the two would silently lose.
 * When spec.tiering.retention is not given, a config retention.ms is the total
 * retention and takes part in the check. A retention the policy does not set
 * is the broker's default, known only at plan time, so it is not compared.
 * Tiering enabled without a local retention is valid but pointless (local
 * stays -2 = everything stays on local disk): a warning.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "validate/validate_internal.h"

/* One effective setting: its value, which field set it, and whether the topic itself did. */
struct setting {
	bool known;
	int64_t value;
	const char *text;
	char *path;
	bool own;
};

struct tier_view {
	struct setting remote;    /* value 1 = enabled */
	struct setting cleanup;   /* text */
	struct setting retention; /* ms */
	struct setting local;     /* ms */
	struct setting retention_bytes;
	struct setting local_bytes;
};

static void setting_release(struct setting *s)
{
	free(s->path);
	memset(s, 0, sizeof(*s));
}

static void view_release(struct tier_view *view)
{
	setting_release(&view->remote);
	setting_release(&view->cleanup);
	setting_release(&view->retention);
	setting_release(&view->local);
	setting_release(&view->retention_bytes);
	setting_release(&view->local_bytes);
}

static bool parse_int(int64_t *out, const char *text)
{
	char *end = NULL;
	long long v = 0;

	if (!text || !*text)
		return false;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || *end)
		return false;
	*out = (int64_t)v;
	return true;
}

/* Fills `s` from `key` in the topic's config (index >= 0) or the policy's. */
static void from_config(struct setting *s, const struct kdr_policy *policy, long index, const char *key, bool numeric)
{
	const char *value = NULL;

	if (index >= 0 && (value = kdr_strmap_get(&policy->topics[index].config, key))) {
		s->path = kdr_asprintf("spec.topics[%ld].config.%s", index, key);
		s->own = true;
	} else if ((value = kdr_strmap_get(&policy->config, key))) {
		s->path = kdr_asprintf("spec.config.%s", key);
	} else {
		return;
	}
	s->text = value;
	s->known = numeric ? parse_int(&s->value, value) : true;
}

/* The effective tiering settings of topic `index` of the policy, or of the policy itself (index -1). */
static void view_build(struct tier_view *view, const struct kdr_policy *policy, long index)
{
	const struct kdr_tiering *tiering = &policy->tiering;

	memset(view, 0, sizeof(*view));
	if (tiering->present) {
		view->remote.known = true;
		view->remote.value = tiering->enabled;
		view->remote.path = kdr_strdup("spec.tiering.enabled");
	} else {
		from_config(&view->remote, policy, index, "remote.storage.enable", false);
		if (view->remote.text) {
			view->remote.known = true;
			view->remote.value = strcmp(view->remote.text, "true") == 0;
		}
	}
	from_config(&view->cleanup, policy, index, "cleanup.policy", false);
	if (tiering->present && tiering->has_retention) {
		view->retention.known = true;
		view->retention.value = tiering->retention_ms;
		view->retention.path = kdr_strdup("spec.tiering.retention");
	} else {
		from_config(&view->retention, policy, index, "retention.ms", true);
	}
	if (tiering->present && tiering->has_local_retention) {
		view->local.known = true;
		view->local.value = tiering->local_retention_ms;
		view->local.path = kdr_strdup("spec.tiering.localRetention");
	} else if (!tiering->present) {
		from_config(&view->local, policy, index, "local.retention.ms", true);
	}
	from_config(&view->retention_bytes, policy, index, "retention.bytes", true);
	from_config(&view->local_bytes, policy, index, "local.retention.bytes", true);
}

static char *format_ms(int64_t ms)
{
	static const struct {
		int64_t ms;
		const char *unit;
	} units[] = { { 86400000, "d" }, { 3600000, "h" }, { 60000, "m" }, { 1000, "s" } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ms > 0 && ms % units[i].ms == 0)
			return kdr_asprintf("%lld%s", (long long)(ms / units[i].ms), units[i].unit);
	return kdr_asprintf("%lldms", (long long)ms);
}

static char *format_value(int64_t value, bool time)
{
	return time ? format_ms(value) : kdr_asprintf("%lld bytes", (long long)value);
}

/*
 * Kafka's local-versus-total rule for one dimension. In a topic's view only
 * problems involving the topic's own settings are reported (the policy's view
 * reports the rest once).
 */
static void check_local_vs_total(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy,
				 const struct setting *total, const struct setting *local, bool time)
{
	char *total_text = NULL;
	char *local_text = NULL;

	if (!total->known || !local->known || total->value == -1 || local->value == -2)
		return;
	total_text = format_value(total->value, time);
	local_text = format_value(local->value, time);
	if (local->value == -1)
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, local->path,
				     "infinite (-1) local retention with a finite retention of %s (%s); kafka requires "
				     "a finite local retention no longer than the retention, or -2 (same as retention)",
				     total_text, total->path);
	else if (local->value > total->value)
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, local->path,
				     "local retention %s is more than the retention of %s (%s); kafka requires local "
				     "retention <= retention",
				     local_text, total_text, total->path);
	free(total_text);
	free(local_text);
}

/*
 * In a topic's view only problems that involve one of the topic's own
 * settings are reported; the policy's view reports the rest, once.
 */
static void check_view(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy, const struct tier_view *view,
		       bool topic_view)
{
	bool own_remote = view->remote.own;

	if (!view->remote.known || !view->remote.value)
		return;
	if (view->cleanup.text && strstr(view->cleanup.text, "compact") &&
	    (!topic_view || own_remote || view->cleanup.own))
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, view->cleanup.path,
				     "'%s' with remote storage enabled by %s: kafka does not support tiered storage on "
				     "compacted topics; use cleanup.policy 'delete' or disable tiering",
				     view->cleanup.text, view->remote.path);
	if (!topic_view || own_remote || view->retention.own || view->local.own)
		check_local_vs_total(ctx, policy, &view->retention, &view->local, true);
	if (!topic_view || own_remote || view->retention_bytes.own || view->local_bytes.own)
		check_local_vs_total(ctx, policy, &view->retention_bytes, &view->local_bytes, false);
}

/* Keys spec.tiering owns, reported wherever a config map sets them too. */
static void check_owned_keys(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy,
			     const struct kdr_strmap *config, const char *prefix)
{
	const struct kdr_tiering *tiering = &policy->tiering;

	for (size_t i = 0; i < config->n; i++) {
		const char *key = config->v[i].key;
		const char *owner = NULL;
		char *path = NULL;

		if (strcmp(key, "remote.storage.enable") == 0)
			owner = "spec.tiering.enabled";
		else if (strcmp(key, "local.retention.ms") == 0)
			owner = "spec.tiering.localRetention";
		else if (strcmp(key, "retention.ms") == 0 && tiering->has_retention)
			owner = "spec.tiering.retention";
		if (!owner)
			continue;
		path = kdr_asprintf("%s.%s", prefix, key);
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, path,
				     "conflicts with spec.tiering: kdr sets %s from %s; remove this key", key, owner);
		free(path);
	}
}

static void check_tiering_values(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy)
{
	const struct kdr_tiering *tiering = &policy->tiering;

	if (tiering->has_retention && tiering->retention_ms < -1)
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, "spec.tiering.retention",
				     "found %lld; use a duration or -1 (infinite)", (long long)tiering->retention_ms);
	if (tiering->has_local_retention && tiering->local_retention_ms < -2)
		kdr_validate__report(ctx, KDR_SEV_ERROR, &policy->meta, "spec.tiering.localRetention",
				     "found %lld; use a duration, -1 (infinite) or -2 (same as retention)",
				     (long long)tiering->local_retention_ms);
	if (tiering->enabled && !tiering->has_local_retention)
		kdr_validate__report(ctx, KDR_SEV_WARNING, &policy->meta, "spec.tiering",
				     "enabled without localRetention: local.retention.ms stays -2 (same as retention), "
				     "so brokers keep all data on local disk; set spec.tiering.localRetention");
}

static bool touches_tiering(const struct kdr_strmap *config)
{
	static const char *const keys[] = {
		"cleanup.policy",     "remote.storage.enable", "retention.ms",
		"local.retention.ms", "retention.bytes",       "local.retention.bytes",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (kdr_strmap_has(config, keys[i]))
			return true;
	return false;
}

static void check_policy(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy)
{
	struct tier_view view;

	if (policy->tiering.present) {
		check_tiering_values(ctx, policy);
		check_owned_keys(ctx, policy, &policy->config, "spec.config");
		for (size_t t = 0; t < policy->n_topics; t++) {
			char *prefix = kdr_asprintf("spec.topics[%zu].config", t);

			check_owned_keys(ctx, policy, &policy->topics[t].config, prefix);
			free(prefix);
		}
	}
	view_build(&view, policy, -1);
	check_view(ctx, policy, &view, false);
	view_release(&view);
	for (size_t t = 0; t < policy->n_topics; t++) {
		if (!touches_tiering(&policy->topics[t].config))
			continue;
		view_build(&view, policy, (long)t);
		check_view(ctx, policy, &view, true);
		view_release(&view);
	}
}

void kdr_validate__check_tiering(struct kdr_validate_ctx *ctx)
{
	for (size_t i = 0; i < ctx->desired->n_policies; i++)
		check_policy(ctx, &ctx->desired->policies[i]);
}
