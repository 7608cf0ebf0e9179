#ifndef KDR_RESOLVE_TOPIC_MERGE_H
#define KDR_RESOLVE_TOPIC_MERGE_H

/*
 * One topic as the TopicPolicies that govern it want it. Several policies
 * can govern one topic on a cluster (each declares it, or its `match`
 * covers it); the first, the owner, gives partitions, replication factor and
 * placement; the config keys of later ones are added where earlier ones are
 * silent. Every value keeps the policy and the field it comes from, and
 * every disagreement names both sides. Which policies govern a topic is
 * found here too (kdr_resolve_governors_find). The plan's governing
 * (plan/govern.c, one merge per governed topic and cluster), its
 * cross-checks (plan/cross_checks.c, what each policy sets on a remote
 * topic) and validation's policy conflicts (validate/conflicts.c, one merge
 * per pair of policies sharing a topic) all read this one merge. Pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "resolve/resolve.h"
#include "util/strmap.h"

/* A policy that governs the topic: it declares it (decl) or its match covers it (decl NULL). */
struct kdr_resolve_governor {
	const struct kdr_policy *policy;   /* lent */
	const struct kdr_topic_decl *decl; /* lent; the policy's entry of the topic, NULL: through its match */
	size_t index;			   /* decl's index in policy->topics (unused without decl) */
	bool matched;			   /* its match covers the topic (kdr_resolve_governors_find sets it) */
	/* Filled by the merge (ignored in its input): */
	int64_t partitions;	    /* kdr_policy_topic_partitions */
	int64_t replication_factor; /* kdr_policy_topic_replication_factor */
	size_t first_value;	    /* its values: topic->values[first_value .. first_value + n_values) */
	size_t n_values;
	struct kdr_tiering_key tiering[3]; /* what its spec.tiering values point into */
};

/* Where a value is written in its policy. */
enum kdr_resolve_field {
	KDR_RESOLVE_FIELD_CONFIG,	/* spec.config.KEY */
	KDR_RESOLVE_FIELD_TOPIC_CONFIG, /* spec.topics[INDEX].config.KEY */
	KDR_RESOLVE_FIELD_TIERING,	/* spec.tiering.enabled / localRetention / retention */
};

/* One config value a governor applies to the topic. */
struct kdr_resolve_value {
	const char *key;   /* lent */
	const char *value; /* lent from the desired state or the governor */
	size_t governor;   /* index in topic->governors */
	enum kdr_resolve_field field;
	const char *tiering_field; /* KDR_RESOLVE_FIELD_TIERING: "spec.tiering.enabled", ...; else NULL */
	/*
	 * false: a disabled spec.tiering's values (remote.storage.enable=false,
	 * Kafka's default, and the retentions it gives), which kdr compares but
	 * never sends
	 */
	bool sent;
};

enum kdr_resolve_disagreement_kind {
	KDR_RESOLVE_DISAGREE_COUNTS,  /* two declarations with different partitions or replication factor */
	KDR_RESOLVE_DISAGREE_TIERING, /* a disabled spec.tiering against another's remote.storage.enable */
	KDR_RESOLVE_DISAGREE_CONFIG,  /* one key written with two values */
};

/* A later governor that wants something else than what is used. */
struct kdr_resolve_disagreement {
	enum kdr_resolve_disagreement_kind kind;
	size_t used_governor;  /* whose value is used (COUNTS: the owner, 0) */
	size_t other_governor; /* the later one */
	size_t used_value;     /* TIERING, CONFIG: indexes in topic->values */
	size_t other_value;
	/* CONFIG: one side is a value kdr compares but never sends, a disabled tiering's (the plan does not warn) */
	bool unsent;
};

struct kdr_resolve_topic {
	const char *name;			/* lent */
	struct kdr_resolve_governor *governors; /* each policy once, in the order given, the owner first */
	size_t n_governors;
	/*
	 * Every governor's values, governor by governor, each in field order
	 * (spec.config, spec.topics[i].config, spec.tiering; a key once, where
	 * first written, with the value that wins in the policy: spec.tiering,
	 * which owns its keys, over the entry's config over spec.config).
	 */
	struct kdr_resolve_value *values;
	size_t n_values;
	int64_t partitions; /* the owner's */
	int64_t replication_factor;
	/* The merged values kdr sends, by key; a caller may take it (then leave KDR_STRMAP_INIT). */
	struct kdr_strmap config;
	size_t *origin;	       /* per key of config (as merged, by key): the value it comes from */
	bool tiering_disabled; /* remote.storage.enable is decided by a disabled spec.tiering */
	struct kdr_resolve_disagreement *disagreements; /* in the order the governors come, each's as it merges */
	size_t n_disagreements;
};

/*
 * Merges the `n` governors of topic `name` (lent, like the policies: both
 * must outlive `out`) in their order: a policy given twice counts once, as
 * its first entry (give declarations before matches). The owner, the first,
 * gives partitions and replication factor; each later declaration that
 * differs there is a COUNTS disagreement. Config keys: the first governor
 * writing a key wins; a later value different as written is a CONFIG
 * disagreement (kdr_resolve_disagreement_equivalent: only in spelling?). A
 * disabled spec.tiering takes part in remote.storage.enable's first-wins but
 * sends no key; any other governor's remote.storage.enable against it, either
 * way round, is a TIERING disagreement. Its other values (retentions) are
 * compared, not merged: a difference with them is a CONFIG disagreement
 * marked unsent. `out` is overwritten; release it.
 */
void kdr_resolve_topic_merge(struct kdr_resolve_topic *out, const char *name,
			     const struct kdr_resolve_governor *governors, size_t n);

void kdr_resolve_topic_release(struct kdr_resolve_topic *topic);

/* --- which policies govern a topic (governors.c) --- */

/* The governors of one topic; reused from topic to topic (its buffer kept), released once. */
struct kdr_resolve_governors {
	struct kdr_resolve_governor *v; /* policy, decl and index set; the rest zero */
	size_t n;
	size_t n_declared; /* the first n_declared declare the topic, the others govern it through their match */
	size_t cap;
};

/*
 * The policies governing topic `name` on `cluster`, in precedence order
 * (what kdr_resolve_topic_merge takes): each policy that names the cluster
 * and declares the topic, in document order (the first owns it); then, with
 * `with_matches`, each policy naming the cluster whose match covers the
 * name, in document order, a pruning policy's excepted (its match only
 * scopes deletions). Each policy once, as its first entry (a declaring
 * policy whose match covers the name too is marked `matched`). A declared
 * name's matches were run when the state was resolved; any other name is
 * matched now. Overwrites out->v[0 .. n); `resolved` and the policies are
 * lent and must outlive `out`.
 */
void kdr_resolve_governors_find(struct kdr_resolve_governors *out, const struct kdr_resolved *resolved,
				const char *cluster, const char *name, bool with_matches);

/*
 * kdr_resolve_governors_find for a caller that already holds the topic's
 * declarations on `cluster` (a walk over kdr_resolve_decls_of): `decls`, lent
 * from resolved->decls, are all of (cluster, name)'s, n_decls of them (0:
 * nobody declares it there), so the name is not looked up among the
 * declarations again.
 */
void kdr_resolve_governors_of_decls(struct kdr_resolve_governors *out, const struct kdr_resolved *resolved,
				    const char *cluster, const char *name, const struct kdr_resolve_decl *decls,
				    size_t n_decls, bool with_matches);

void kdr_resolve_governors_release(struct kdr_resolve_governors *governors);

/* Topic `name`'s desired state on `cluster`: kdr_resolve_governors_find, then kdr_resolve_topic_merge. */
void kdr_resolve_topic_of(struct kdr_resolve_topic *out, const struct kdr_resolved *resolved, const char *cluster,
			  const char *name, bool with_matches);

/* The first declaration of `name` on `cluster` (its owner), lent from `resolved`, or NULL. */
const struct kdr_resolve_decl *kdr_resolve_owner(const struct kdr_resolved *resolved, const char *cluster,
						 const char *name);

/*
 * Whether policy `policy`'s match (index in desired->policies; a pruning
 * policy's too: what it may delete) covers `name`; false without a compiled
 * match.
 */
bool kdr_resolve_match_covers(const struct kdr_resolved *resolved, size_t policy, const char *name);

/*
 * Whether policy `policy`'s match governs `name` (its configs and partition
 * growth): it covers the name and is not a pruning policy's, whose match only
 * picks what it deletes. The rule kdr_resolve_governors_find keeps matches
 * by; validation's conflicts ask it too.
 */
bool kdr_resolve_match_governs(const struct kdr_resolved *resolved, size_t policy, const char *name);

/* Adds to `out` the values governor `governor` of `topic` sends (a disabled tiering's are compared, not sent). */
void kdr_resolve_governor_config(struct kdr_strmap *out, const struct kdr_resolve_topic *topic, size_t governor);

/*
 * Whether a CONFIG disagreement's two values, different as written, are the
 * same value to Kafka ("01000" and "1000"): nothing would flip-flop, so the
 * plan does not warn. Asked, not stored: it normalises both values.
 */
bool kdr_resolve_disagreement_equivalent(const struct kdr_resolve_topic *topic,
					 const struct kdr_resolve_disagreement *d);

/* The field path of a value, "spec.topics[2].config.retention.ms" (heap string). */
char *kdr_resolve_value_path(const struct kdr_resolve_topic *topic, const struct kdr_resolve_value *value);

/* The field a governor's partitions (or replication factor) come from, "spec.topics[2].partitions" (heap). */
char *kdr_resolve_count_path(const struct kdr_resolve_governor *governor, bool replication_factor);

#endif
