/*
 * MirrorMaker 2's replication decision (3.9), as the plan's mirror preview,
 * its cross-checks and flow health evaluate it: the topic filter as the
 * rendered (or a live) MirrorSourceConnector runs it, and
 * MirrorSourceConnector.shouldReplicateTopic: the filter accepts the name
 * (full match of one `topics` pattern and of no `topics.exclude` pattern;
 * heartbeats topics are replicated whatever the filter says), the policy does
 * not call it internal ("__"/"." prefix, ".internal"/"-internal" suffix), and
 * it is not a cycle (isCycle: walking the name's upstream chain reaches the
 * flow's target alias; identity names have no chain, so identity flows never
 * detect cycles).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * ConfigDef's LIST parsing: the value trimmed, empty -> no element, else
 * split on commas with the whitespace around each comma dropped (empty
 * elements stay, as Java's split(regex, -1) keeps them).
 */
static void split_list(struct kdr_strvec *out, const char *value)
{
	const char *start = value, *end = value + strlen(value);

	while (start < end && is_space(*start))
		start++;
	while (end > start && is_space(end[-1]))
		end--;
	if (start == end)
		return;
	for (;;) {
		const char *comma = memchr(start, ',', (size_t)(end - start));
		const char *stop = comma ? comma : end;
		const char *last = stop;

		while (last > start && is_space(last[-1]))
			last--;
		kdr_strvec_push_take(out, kdr_strndup(start, (size_t)(last - start)));
		if (!comma)
			break;
		start = comma + 1;
		while (start < end && is_space(*start))
			start++;
	}
}

int kdr_mm2_compile_list(struct kdr_regex_set *set, const char *value, const char *key)
{
	struct kdr_strvec patterns = KDR_STRVEC_INIT;
	char *reason = NULL;
	int rc = 0;

	split_list(&patterns, value);
	rc = kdr_regex_set_compile(set, (const char *const *)patterns.v, (unsigned)patterns.n);
	if (rc != 0) {
		reason = kdr_strdup(kdr_error_message());
		rc = kdr_error_set(rc, "%s: %s", key, reason);
	}
	free(reason);
	kdr_strvec_release(&patterns);
	return rc;
}

static int filter_compile(struct kdr_mm2_topic_filter *out, const char *topics, const char *exclude)
{
	int rc = kdr_mm2_compile_list(&out->topics, topics, "topics");

	if (rc == 0)
		rc = kdr_mm2_compile_list(&out->exclude, exclude, "topics.exclude");
	if (rc != 0)
		kdr_mm2_topic_filter_release(out);
	return rc;
}

int kdr_mm2_topic_filter_desired(struct kdr_mm2_topic_filter *out, const struct kdr_flow *flow)
{
	/* The same strings pkg/mm2 renders, parsed back the way MM2 parses them. */
	char *topics = kdr_mm2_join_patterns(&flow->topics, NULL);
	char *exclude = kdr_mm2_topics_exclude(flow);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->naming.source = flow->source;
	out->naming.target = flow->target;
	out->naming.replication_policy = flow->replication_policy;
	out->naming.separator = flow->separator;
	rc = filter_compile(out, topics, exclude);
	free(topics);
	free(exclude);
	return rc;
}

int kdr_mm2_topic_filter_live(struct kdr_mm2_topic_filter *out, const struct kdr_live_connector *live)
{
	const struct kdr_strmap *config = &live->config;
	const char *klass = kdr_strmap_get(config, "replication.policy.class");
	const char *topics = kdr_strmap_get(config, "topics");
	const char *exclude = kdr_strmap_get(config, "topics.exclude");

	memset(out, 0, sizeof(*out));
	out->naming.source = (char *)(uintptr_t)kdr_strmap_get(config, "source.cluster.alias");
	out->naming.target = (char *)(uintptr_t)kdr_strmap_get(config, "target.cluster.alias");
	out->naming.separator = (char *)(uintptr_t)kdr_strmap_get(config, "replication.policy.separator");
	out->naming.replication_policy = klass && strstr(klass, "IdentityReplicationPolicy")
					     ? KDR_REPLICATION_POLICY_IDENTITY
					     : KDR_REPLICATION_POLICY_DEFAULT;
	if (!out->naming.source)
		return kdr_error_set(KDR_EINVALID, "connector '%s' has no source.cluster.alias", live->name);
	return filter_compile(out, topics ? topics : KDR_MM2_DEFAULT_TOPICS,
			      exclude ? exclude : KDR_MM2_DEFAULT_TOPICS_EXCLUDE);
}

void kdr_mm2_topic_filter_release(struct kdr_mm2_topic_filter *filter)
{
	kdr_regex_set_release(&filter->topics);
	kdr_regex_set_release(&filter->exclude);
}

static const char *separator_of(const struct kdr_flow *naming)
{
	return naming->separator && naming->separator[0] ? naming->separator : ".";
}

/*
 * MirrorSourceConnector.isCycle. Every upstream name is a suffix of the
 * topic (DefaultReplicationPolicy.upstreamTopic strips "<source><sep>"), so
 * the walk needs no copies beyond topicSource's answer.
 */
static bool mm2_is_cycle(const struct kdr_flow *naming, const char *topic)
{
	const char *current = topic;

	for (;;) {
		char *source = kdr_mm2_topic_source(naming, current);
		const char *upstream = NULL;
		bool cycle = false;

		if (!source)
			return false;
		cycle = naming->target && strcmp(source, naming->target) == 0;
		/* Identity names are their own upstream: MM2 stops there ("not a cycle"). */
		if (!cycle && !(naming->replication_policy == KDR_REPLICATION_POLICY_IDENTITY &&
				!kdr_mm2_is_heartbeats_topic(current)))
			upstream = current + strlen(source) + strlen(separator_of(naming));
		free(source);
		if (cycle)
			return true;
		if (!upstream || strcmp(upstream, current) == 0)
			return false;
		current = upstream;
	}
}

bool kdr_mm2_replicates(const struct kdr_mm2_topic_filter *filter, const char *topic, bool *filter_matched)
{
	bool matched = kdr_regex_set_match(&filter->topics, topic) && !kdr_regex_set_match(&filter->exclude, topic);

	if (filter_matched)
		*filter_matched = matched;
	if (!matched && !kdr_mm2_is_heartbeats_topic(topic))
		return false;
	return !kdr_mm2_is_internal_topic(topic) && !mm2_is_cycle(&filter->naming, topic);
}
