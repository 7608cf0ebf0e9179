#ifndef KDR_RESOLVE_RESOLVE_H
#define KDR_RESOLVE_RESOLVE_H

/*
 * The resolved desired state: what every later stage derives from the
 * decoded documents, derived once right after decoding (the source loaders
 * attach it to the desired state they return) and read by validation, the
 * plan, the mirror preview and flow health, so that none of them derives its
 * own copy: every regex of the desired state, compiled, each pattern that
 * does not compile recorded with the field that holds it and why; and which
 * topics each cluster has declared, by whom (the owner first); which
 * policies' match covers each declared name. Which policies govern one
 * topic and their merge are topic_merge.h, config values as Kafka compares
 * them config_value.h.
 * Pure: no I/O.
 */

#include <stdbool.h>
#include <stddef.h>

#include "mm2/mm2.h"
#include "model/model.h"
#include "util/regex.h"

/* A pattern that does not compile: where it is written and why. */
struct kdr_resolve_failure {
	const struct kdr_meta *meta; /* the object that holds it, lent from the desired state */
	char *field;		     /* its field path, "spec.topics[2]" */
	const char *pattern;	     /* lent from the desired state */
	char *reason;		     /* the compiler's message ("at offset 3: missing closing parenthesis") */
};

/* One flow's regexes. */
struct kdr_resolve_flow_filters {
	struct kdr_regex_set topics;	    /* spec.topics as written */
	struct kdr_regex_set exclude;	    /* spec.topicsExclude as written */
	char *topics_error;		    /* why topics/exclude did not compile (both then empty), or NULL */
	struct kdr_mm2_topic_filter mm2;    /* as MM2 runs the rendered source connector */
	char *mm2_error;		    /* why mm2 did not compile (then empty), or NULL */
	struct kdr_mm2_group_filter groups; /* MM2's DefaultGroupFilter; empty unless groups_ok */
	bool groups_ok;
	/* Every pattern of spec.topics, topicsExclude, groups, groupsExclude that does not compile, in that order. */
	struct kdr_resolve_failure *failures;
	size_t n_failures;
};

/* Indexes as desired->policies and desired->flows. */
struct kdr_resolve_filters {
	struct kdr_regex **match; /* per policy, NULL: no match (or it did not compile) */
	char **match_error;	  /* per policy, why its match did not compile, or NULL (field spec.match) */
	size_t n_policies;
	struct kdr_resolve_flow_filters *flows;
	size_t n_flows;
	/* MM2's default topics.exclude (kdr_mm2_default_topic_excludes), one pattern each, in that order. */
	struct kdr_regex_set default_topic_excludes;
};

/*
 * Compiles every regex of `desired`, which is lent and must outlive `out`
 * (the MM2 filters name topics with its strings). A pattern that does not
 * compile is recorded with its reason and field, not returned: validation
 * reports it, each step of the plan skips or refuses it.
 */
void kdr_resolve_filters_build(struct kdr_resolve_filters *out, const struct kdr_desired *desired);

/* Frees the contents; `filters` is then empty (safe to release again). */
void kdr_resolve_filters_release(struct kdr_resolve_filters *filters);

/* --- the resolved desired state, carried by the desired state it was derived from --- */

/* One topic a policy declares on one of its clusters. */
struct kdr_resolve_decl {
	const char *cluster; /* lent from the desired state, as is topic */
	const char *topic;
	size_t policy; /* index in desired->policies */
	size_t index;  /* index in that policy's topics */
};

/* A name some policy declares, and the policies whose match covers it (governors.c). */
struct kdr_resolve_name {
	const char *name;   /* lent from the desired state */
	size_t first_match; /* its policies: resolved->matched[first_match .. first_match + n_matches) */
	size_t n_matches;
};

/* The policies naming one cluster whose match compiled and governs (not a pruning policy's). */
struct kdr_resolve_matchers {
	const char *cluster; /* lent */
	size_t *policies;    /* indexes in desired->policies, in document order */
	size_t n;
};

struct kdr_resolved {
	struct kdr_resolve_filters filters;
	/*
	 * Every (cluster, topic) a policy declares, once per distinct cluster of
	 * the policy, sorted by cluster, topic, then document order (policy,
	 * index): a topic's first declaration on a cluster owns it there.
	 */
	struct kdr_resolve_decl *decls;
	size_t n_decls;
	/*
	 * Which policies' match covers each declared name (any policy with a
	 * compiled match, pruning ones too, on any cluster), matched once here:
	 * names sorted, each name's policies (indexes in desired->policies) in
	 * document order. A name nobody declares is matched when asked.
	 */
	struct kdr_resolve_name *names;
	size_t n_names;
	size_t *matched;
	/* Per cluster a policy names (sorted by cluster): its governing matches. */
	struct kdr_resolve_matchers *matchers;
	size_t n_matchers;
	/* Per policy (as desired->policies) with a compiled match: the literal text every name it matches starts with. */
	char **match_prefix;
	/* The desired state's policies, lent: what the indexes above point into. */
	const struct kdr_policy *policies;
	size_t n_policies;
};

/* The declarations on `cluster`: *first gets the index of the first in resolved->decls; returns the count. */
size_t kdr_resolve_decls_of(const struct kdr_resolved *resolved, const char *cluster, size_t *first);

/*
 * Derives the resolved state of `desired` and attaches it (desired->resolved,
 * owned by `desired` from then on: kdr_desired_release frees it), replacing
 * one attached before. Call it once the documents are decoded and before
 * anything reads the resolved state; whoever changes the desired state's
 * flows or policies afterwards drops it (kdr_desired_drop_resolved) or
 * attaches a new one. Returns the attached state, lent.
 */
const struct kdr_resolved *kdr_resolve_attach(struct kdr_desired *desired);

/* The resolved state attached to `desired`, lent; NULL when none is. */
const struct kdr_resolved *kdr_resolved_of(const struct kdr_desired *desired);

/* A resolved state of its own for `desired` (lent, must outlive it); free with kdr_resolved_free. */
struct kdr_resolved *kdr_resolved_new(const struct kdr_desired *desired);

/* Frees a resolved state; accepts NULL. */
void kdr_resolved_free(struct kdr_resolved *resolved);

#endif
