#ifndef KDR_VALIDATE_VALIDATE_INTERNAL_H
#define KDR_VALIDATE_VALIDATE_INTERNAL_H

/*
 * Private to pkg/validate. kdr_validate builds one context (an index of the
 * declared topics, the resolved state's compiled filters) and runs every rule file over
 * it; each rule file adds diagnostics and never stops at the first problem.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm2/mm2.h"
#include "model/model.h"
#include "resolve/resolve.h"
#include "util/diag.h"
#include "util/regex.h"

/* One entry of a policy's topics stable-sorted by name (so by position among equal names). */
struct kdr_validate_topic_ref {
	const char *name;
	size_t index;
};

/* One schema error of an object that decoded: its field path, or NULL for the whole object. */
struct kdr_validate_broken {
	const struct kdr_meta *meta;
	const char *field;
};

struct kdr_validate_ctx {
	const struct kdr_desired *desired;
	struct kdr_diags *diags;
	/*
	 * The schema errors of partly broken objects (kdr_validate_all): a rule
	 * finding at, above or below a broken field of its object is not reported
	 * (the schema error says what is wrong; the field's default would only echo
	 * as a rule error); the sound fields of the object are checked as usual.
	 * A NULL field breaks the whole object (its name, kind or document).
	 */
	const struct kdr_validate_broken *broken;
	size_t n_broken;
	/*
	 * What pkg/resolve derived from the desired state once: the one attached
	 * to it, else `own`, resolved for this run.
	 */
	const struct kdr_resolved *resolved;
	struct kdr_resolved *own;
	/* resolved->decls: sorted by cluster, topic, then document order (policy, index). */
	const struct kdr_resolve_decl *decls;
	size_t n_decls;
	/* Per flow; its topic filter is usable when topics_error is NULL (kdr_validate__check_regexes reports it). */
	const struct kdr_resolve_flow_filters *filters;
	/* Per policy: the compiled spec.match, NULL when absent or invalid; and why it did not compile, or NULL. */
	struct kdr_regex *const *matches;
	char *const *match_errors;
	/* MM2's default topics.exclude, applied when keepDefaultExcludes is true. */
	const struct kdr_regex_set *default_topic_excludes;
	/* Per policy: its named topics sorted by name, for lookups in O(log n). */
	struct kdr_validate_topic_ref **topic_refs;
	size_t *n_topic_refs;
	/* The names of the defined clusters, for did-you-mean. */
	const char **cluster_names;
	size_t n_cluster_names;
};

/* --- reporting (validate.c) --- */

/* Adds a diagnostic located at `path` of the object `meta` (kdr_meta_locate). */
void kdr_validate__report(struct kdr_validate_ctx *ctx, enum kdr_severity severity, const struct kdr_meta *meta,
			  const char *path, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Whether a finding at `path` of `meta` (NULL: the whole object) touches a
 * field with a schema error (ctx->broken): the field itself, a parent or a
 * child of it, or any field of a wholly broken object.
 */
bool kdr_validate__is_broken(const struct kdr_validate_ctx *ctx, const struct kdr_meta *meta, const char *path);

/* "file:line:col" (or "KIND/NAME") of `path` in `meta`, as a new heap string. */
char *kdr_validate__where(const struct kdr_meta *meta, const char *path);

/* Whether the parser recorded `path` itself (not a parent): the field was written. */
bool kdr_validate__has_field(const struct kdr_meta *meta, const char *path);

/* A printable name for an object whose metadata.name may be missing. */
const char *kdr_validate__name(const struct kdr_meta *meta);

/*
 * The cluster named `name`, or NULL; when NULL and `hint` is given, *hint gets
 * a heap string to append to "cluster 'x' is not defined": a did-you-mean or
 * the list of defined clusters.
 */
const struct kdr_cluster *kdr_validate__cluster(const struct kdr_validate_ctx *ctx, const char *name, char **hint);

/* Each of an object's spec.clusters entries names a defined cluster, and none is listed twice (references.c). */
void kdr_validate__check_cluster_list(struct kdr_validate_ctx *ctx, const struct kdr_meta *meta,
				      const struct kdr_strvec *clusters);

/*
 * The position of the first entry of `policy` (one of ctx->desired's) that
 * declares topic `name`, or -1.
 */
long kdr_validate__find_topic(const struct kdr_validate_ctx *ctx, const struct kdr_policy *policy, const char *name);

/* Whether `name` is a legal Kafka topic name / `c` a legal character of one. */
bool kdr_validate__topic_name_ok(const char *name);
bool kdr_validate__topic_char(char c);

/*
 * Whether `pattern` is a plain topic name rather than a pattern: only topic
 * characters, with '.' (escaped or not) taken literally. When it is and
 * `literal` is given, *literal gets the name (heap).
 */
bool kdr_validate__regex_is_literal(const char *pattern, char **literal);

/*
 * A few names `pattern` fully matches (e.g. "payments\..*" -> "payments.x",
 * "a|b" -> "a", "b"), each checked against `re` and legal as a topic name;
 * appended to `out`. Patterns it cannot sample add nothing.
 */
void kdr_validate__regex_samples(struct kdr_strvec *out, const char *pattern, const struct kdr_regex *re);

/* Whether flow `index` accepts topic `name` as MM2's filter does (topics, excludes, internal topics). */
bool kdr_validate__flow_accepts(const struct kdr_validate_ctx *ctx, size_t index, const char *name);

/* Escapes regex metacharacters of `text` (heap). */
char *kdr_validate__regex_quote(const char *text);

/* --- the rules, one file each, run in this order by kdr_validate --- */

void kdr_validate__check_names(struct kdr_validate_ctx *ctx);	       /* names.c */
void kdr_validate__check_clusters(struct kdr_validate_ctx *ctx);       /* clusters.c */
void kdr_validate__check_references(struct kdr_validate_ctx *ctx);     /* references.c */
void kdr_validate__check_numbers(struct kdr_validate_ctx *ctx);	       /* numbers.c */
void kdr_validate__check_regexes(struct kdr_validate_ctx *ctx);	       /* regexes.c (reports the filters) */
void kdr_validate__check_connector_keys(struct kdr_validate_ctx *ctx); /* connector_keys.c */
void kdr_validate__check_placement(struct kdr_validate_ctx *ctx);      /* placement_rules.c */
void kdr_validate__check_tiering(struct kdr_validate_ctx *ctx);	       /* tiering.c */
void kdr_validate__check_conflicts(struct kdr_validate_ctx *ctx);      /* conflicts.c */
void kdr_validate__check_loops(struct kdr_validate_ctx *ctx);	       /* loops.c */
void kdr_validate__check_acls(struct kdr_validate_ctx *ctx);	       /* acls.c (AccessPolicy) */

/* Where a rendered key's value comes from ("from spec.tasksMax"), or NULL (rendered_keys.c). */
const char *kdr_validate__rendered_key_origin(const char *key);
/* Why kdr relies on MM2's default of `key` ("at MM2's default ..."), or NULL. */
const char *kdr_validate__reserved_key_reason(const char *key);
/*
 * When kdr renders `key` (source.cluster.K / target.cluster.K) from the
 * clientConfig of `cl`: the fields it comes from ("spec.clientConfig.x", heap);
 * else NULL.
 */
char *kdr_validate__client_key_origin(const char *key, const struct kdr_cluster *cl);

#endif
