#ifndef KDR_MM2_MM2_H
#define KDR_MM2_MM2_H

#include <stdbool.h>
#include <stddef.h>

#include "live/live.h"
#include "model/model.h"
#include "util/buf.h"
#include "util/regex.h"
#include "util/strmap.h"

/*
 * MirrorMaker 2 as kdr runs it on Kafka Connect: replication-policy naming
 * (as MM2's DefaultReplicationPolicy / IdentityReplicationPolicy do it), MM2's
 * internal topic names, and the connector configs a ReplicationFlow renders.
 * Pure: no I/O; secret values come from the caller's lookup.
 */

#define KDR_MM2_SOURCE_CONNECTOR "org.apache.kafka.connect.mirror.MirrorSourceConnector"
#define KDR_MM2_CHECKPOINT_CONNECTOR "org.apache.kafka.connect.mirror.MirrorCheckpointConnector"
#define KDR_MM2_HEARTBEAT_CONNECTOR "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector"
#define KDR_MM2_BYTE_ARRAY_CONVERTER "org.apache.kafka.connect.converters.ByteArrayConverter"
/* MM2's own defaults, kept in when the user adds exclusions (setting the key replaces them). */
#define KDR_MM2_DEFAULT_TOPICS_EXCLUDE ".*[\\-\\.]internal,.*\\.replica,__.*"
#define KDR_MM2_DEFAULT_GROUPS_EXCLUDE "console-consumer-.*,connect-.*,__.*"
/* MirrorSourceConfig's `topics` when the connector config omits the key. */
#define KDR_MM2_DEFAULT_TOPICS ".*"
/* MirrorSourceConfig's config.properties.exclude default: keys MM2 never syncs. */
#define KDR_MM2_DEFAULT_CONFIG_PROPERTIES_EXCLUDE                                                                      \
	"follower\\.replication\\.throttled\\.replicas,leader\\.replication\\.throttled\\.replicas,"                   \
	"message\\.timestamp\\.difference\\.max\\.ms,message\\.timestamp\\.type,"                                      \
	"unclean\\.leader\\.election\\.enable,min\\.insync\\.replicas"
/* KDR_MM2_DEFAULT_TOPICS_EXCLUDE one pattern each (MirrorSourceConfig's topics.exclude default, 3.x and 4.0). */
extern const char *const kdr_mm2_default_topic_excludes[];
#define KDR_MM2_N_DEFAULT_TOPIC_EXCLUDES 3
/* Connectors whose names start with this are owned by kdr; no other is ever changed. */
#define KDR_MM2_OWNED_PREFIX "kdr."

/* The name `topic` of `source` gets on the flow's target (heap string). */
char *kdr_mm2_remote_topic(const struct kdr_flow *flow, const char *topic);

/*
 * The cluster alias a topic name says it came from under the flow's policy
 * (default: the first separator-delimited token of a name with at least two;
 * identity: the flow's source for every non-heartbeats topic), or NULL for a
 * local topic. Heap string.
 */
char *kdr_mm2_topic_source(const struct kdr_flow *flow, const char *topic);

/* MM2's ReplicationPolicy.isInternalTopic: "__"/"." prefixes, ".internal"/"-internal" suffixes. */
bool kdr_mm2_is_internal_topic(const char *topic);
/* Heartbeats topics: "heartbeats" and remote copies of it ("x.heartbeats"). */
bool kdr_mm2_is_heartbeats_topic(const char *topic);

/* MM2's internal topic names for a flow (heap strings), with its separator rules. */
char *kdr_mm2_checkpoints_topic(const struct kdr_flow *flow); /* on the target: <source>.checkpoints.internal */
char *kdr_mm2_offset_syncs_topic(const struct kdr_flow *flow); /* on the source: mm2-offset-syncs.<target>.internal */

enum kdr_mm2_role {
	KDR_MM2_SOURCE,
	KDR_MM2_CHECKPOINT,
	KDR_MM2_HEARTBEAT,
};

const char *kdr_mm2_role_name(enum kdr_mm2_role role); /* "source", "checkpoint", "heartbeat" */

struct kdr_mm2_connector {
	char *name;    /* kdr.<flow>.<role> */
	char *cluster; /* the KafkaCluster whose Connect runs it */
	char *flow;
	enum kdr_mm2_role role;
	struct kdr_strmap config; /* exactly what is PUT to /connectors/<name>/config */
	struct kdr_strvec secret_keys; /* config keys holding secret values (to redact) */
};

struct kdr_mm2_connectors {
	struct kdr_mm2_connector *v;
	size_t n;
	size_t cap;
	struct kdr_strvec notes; /* why a connector is not rendered ("no Connect on 'dc-east': no heartbeat connector") */
};

/*
 * How secret values are filled in. lookup == NULL: a placeholder
 * "${kdr:env:NAME}" / "${kdr:file:PATH}" / "${kdr:secret:NAME/KEY}" (for
 * display and mm2.properties). Otherwise lookup returns the resolved value
 * (heap string) or a negative code.
 */
struct kdr_mm2_secrets {
	int (*lookup)(char **out, const struct kdr_value *value, void *ctx);
	void *ctx;
};

/*
 * The lookup that resolves every reference now (kdr_value_resolve: env and
 * file, and secretKeyRef through `resolver`, which may be NULL and is lent).
 */
void kdr_mm2_secrets_resolving(struct kdr_mm2_secrets *out, const struct kdr_secret_resolver *resolver);

/*
 * Renders the connectors of `flow` (up to three: source and checkpoint on the
 * target's Connect, heartbeat on the source's Connect with the aliases
 * reversed). A connector whose Connect cluster is not declared is left out
 * with a note. Appends to `out`; returns 0, KDR_EINVALID when the flow names
 * an undeclared cluster, or a lookup's error.
 */
int kdr_mm2_render_flow(struct kdr_mm2_connectors *out, const struct kdr_desired *desired,
			const struct kdr_flow *flow, const struct kdr_mm2_secrets *secrets);

/*
 * A list of patterns as MM2 reads a list config (comma-separated), MM2's own
 * `defaults` appended unless NULL. The exclude lists of a flow: its own, with
 * MM2's defaults when it keeps them (keepDefaultExcludes). Heap strings.
 */
char *kdr_mm2_join_patterns(const struct kdr_strvec *patterns, const char *defaults);
char *kdr_mm2_topics_exclude(const struct kdr_flow *flow);
char *kdr_mm2_groups_exclude(const struct kdr_flow *flow);

/* Renders every flow, connectors sorted by (cluster, name). */
int kdr_mm2_render_all(struct kdr_mm2_connectors *out, const struct kdr_desired *desired,
		       const struct kdr_mm2_secrets *secrets);

/*
 * The librdkafka client properties of a KafkaCluster, as the Java client
 * properties MM2 understands (security.protocol, sasl.mechanism,
 * sasl.jaas.config from sasl.username/password, PEM trust store from
 * ssl.ca.location, ...), each with `prefix` ("source.cluster."). Keys without a
 * Java equivalent are skipped. Secret keys are added to `secret_keys`.
 */
int kdr_mm2_client_properties(struct kdr_strmap *out, struct kdr_strvec *secret_keys, const struct kdr_cluster *cl,
			      const char *prefix, const struct kdr_mm2_secrets *secrets);

/* Connect REST bodies of the connectors: {"name": ..., "config": {...}} per line, secrets as rendered. */
void kdr_mm2_render_connect_json(struct kdr_buf *out, const struct kdr_mm2_connectors *connectors);

/*
 * An mm2.properties for connect-mirror-maker.sh (dedicated mode) describing
 * the same flows: clusters, <alias>.bootstrap.servers, A->B.enabled,
 * A->B.topics, ... `flow` NULL: every flow.
 */
void kdr_mm2_render_properties(struct kdr_buf *out, const struct kdr_desired *desired, const struct kdr_flow *flow,
			       const struct kdr_mm2_secrets *secrets);

void kdr_mm2_connectors_release(struct kdr_mm2_connectors *connectors);

/* --- The flow's group filter, as MM2's DefaultGroupFilter applies it --- */

struct kdr_mm2_group_filter {
	struct kdr_regex_set include;
	struct kdr_regex_set exclude;
};

/*
 * Compiles flow->groups and flow->groups_exclude (plus MM2's default
 * exclusions when keep_default_excludes); KDR_EINVALID on a bad regex.
 * An empty flow->groups accepts no group, as MM2's filter does.
 */
int kdr_mm2_group_filter_init(struct kdr_mm2_group_filter *out, const struct kdr_flow *flow);
bool kdr_mm2_group_filter_match(const struct kdr_mm2_group_filter *filter, const char *group);
void kdr_mm2_group_filter_release(struct kdr_mm2_group_filter *filter);

/* --- The flow's topic filter and MM2's replication decision (topic_filter.c) --- */

/*
 * One flow's topic filter as MirrorMaker 2 runs it: `topics` and
 * `topics.exclude` as the connector config carries them (comma-separated,
 * MM2's defaults when a key is absent), and the replication policy that
 * names remote topics and detects cycles.
 */
struct kdr_mm2_topic_filter {
	/*
	 * A view used only for naming (kdr_mm2_remote_topic / _topic_source):
	 * source, target, replication_policy and separator are set, lent from
	 * the flow or the live connector's config; nothing else is.
	 */
	struct kdr_flow naming;
	struct kdr_regex_set topics;
	struct kdr_regex_set exclude;
};

/*
 * The filter the flow's source connector is rendered with (the user's
 * exclusions plus MM2's defaults when keepDefaultExcludes). Returns 0, or
 * KDR_EINVALID (message set) for a pattern that does not compile; `out` is
 * then empty but safe to release.
 */
int kdr_mm2_topic_filter_desired(struct kdr_mm2_topic_filter *out, const struct kdr_flow *flow);

/* The filter a live MirrorSourceConnector runs with; its config is lent and must outlive `out`. */
int kdr_mm2_topic_filter_live(struct kdr_mm2_topic_filter *out, const struct kdr_live_connector *live);

/*
 * MirrorSourceConnector.shouldReplicateTopic (Kafka 3.9): the filter accepts
 * the topic (or it is a heartbeats topic, always replicated), it is not
 * internal to the policy, and it is not a cycle (its name says it came from
 * the flow's target). *filter_matched (may be NULL) tells whether the
 * filter itself accepted it, heartbeats aside.
 */
bool kdr_mm2_replicates(const struct kdr_mm2_topic_filter *filter, const char *topic, bool *filter_matched);

void kdr_mm2_topic_filter_release(struct kdr_mm2_topic_filter *filter);

/*
 * Compiles a comma-separated regex list the way MM2's ConfigDef reads one
 * (trimmed; empty: no pattern). Returns 0 or KDR_EINVALID naming `key`.
 */
int kdr_mm2_compile_list(struct kdr_regex_set *out, const char *value, const char *key);

#endif
