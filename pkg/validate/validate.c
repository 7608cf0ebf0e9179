#include "validate/validate.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/sort.h"
#include "validate/validate_internal.h"

/* Whether `a` is `b` or a field inside it ("spec.x" holds "spec.x.y" and "spec.x[0]", not "spec.xy"). */
static bool path_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '.' || a[n] == '[');
}

bool kdr_validate__is_broken(const struct kdr_validate_ctx *ctx, const struct kdr_meta *meta, const char *path)
{
	for (size_t i = 0; i < ctx->n_broken; i++) {
		const char *field = ctx->broken[i].field;

		if (ctx->broken[i].meta != meta)
			continue;
		/* A finding about the whole object, or a broken object: nothing sound to report. */
		if (!field || !path)
			return true;
		if (path_within(path, field) || path_within(field, path))
			return true;
	}
	return false;
}

void kdr_validate__report(struct kdr_validate_ctx *ctx, enum kdr_severity severity, const struct kdr_meta *meta,
			  const char *path, const char *fmt, ...)
{
	struct kdr_buf msg = KDR_BUF_INIT;
	struct kdr_loc loc = { NULL, 0, 0 };
	va_list ap;

	if (kdr_validate__is_broken(ctx, meta, path))
		return; /* its schema error says what is wrong with it */
	va_start(ap, fmt);
	kdr_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	kdr_meta_locate(&loc, meta, path);
	kdr_diags_add(ctx->diags, severity, &loc, path, "%s", msg.ptr);
	kdr_buf_release(&msg);
}

char *kdr_validate__where(const struct kdr_meta *meta, const char *path)
{
	struct kdr_loc loc = { NULL, 0, 0 };

	kdr_meta_locate(&loc, meta, path);
	if (!loc.file)
		return kdr_strdup("?");
	if (!loc.line)
		return kdr_strdup(loc.file);
	return kdr_asprintf("%s:%u:%u", loc.file, loc.line, loc.col);
}

bool kdr_validate__has_field(const struct kdr_meta *meta, const char *path)
{
	for (size_t i = 0; i < meta->n_positions; i++)
		if (strcmp(meta->positions[i].path, path) == 0)
			return true;
	return false;
}

const char *kdr_validate__name(const struct kdr_meta *meta)
{
	if (meta->name)
		return meta->name;
	return meta->object_ref ? meta->object_ref : "(unnamed)";
}

const struct kdr_cluster *kdr_validate__cluster(const struct kdr_validate_ctx *ctx, const char *name, char **hint)
{
	const struct kdr_cluster *cl = name ? kdr_desired_cluster(ctx->desired, name) : NULL;
	const char *suggestion = NULL;
	struct kdr_buf buf = KDR_BUF_INIT;

	if (cl || !hint)
		return cl;
	suggestion = name ? kdr_did_you_mean(name, ctx->cluster_names, ctx->n_cluster_names) : NULL;
	if (suggestion) {
		kdr_buf_printf(&buf, " (did you mean '%s'?)", suggestion);
	} else if (ctx->n_cluster_names == 0) {
		kdr_buf_puts(&buf, "; no KafkaCluster is defined");
	} else {
		kdr_buf_puts(&buf, "; defined clusters: ");
		for (size_t i = 0; i < ctx->n_cluster_names; i++)
			kdr_buf_printf(&buf, "%s'%s'", i ? ", " : "", ctx->cluster_names[i]);
	}
	*hint = kdr_buf_detach(&buf);
	return NULL;
}

long kdr_validate__find_topic(const struct kdr_validate_ctx *ctx, const struct kdr_policy *policy, const char *name)
{
	size_t p = (size_t)(policy - ctx->desired->policies);
	const struct kdr_validate_topic_ref *refs = ctx->topic_refs[p];
	size_t lo = 0;

	if (!name)
		return -1;
	/* Lower bound: the first entry with this name is the one declared first. */
	lo = kdr_sort_first_named(refs, ctx->n_topic_refs[p], sizeof(*refs), name);
	if (lo < ctx->n_topic_refs[p] && strcmp(refs[lo].name, name) == 0)
		return (long)refs[lo].index;
	return -1;
}

static void index_topics(struct kdr_validate_ctx *ctx)
{
	const struct kdr_desired *d = ctx->desired;

	if (!d->n_policies)
		return;
	ctx->topic_refs = kdr_calloc(d->n_policies, sizeof(*ctx->topic_refs));
	ctx->n_topic_refs = kdr_calloc(d->n_policies, sizeof(*ctx->n_topic_refs));
	for (size_t p = 0; p < d->n_policies; p++) {
		const struct kdr_policy *policy = &d->policies[p];
		size_t n = 0;

		if (!policy->n_topics)
			continue;
		ctx->topic_refs[p] = kdr_calloc(policy->n_topics, sizeof(**ctx->topic_refs));
		for (size_t t = 0; t < policy->n_topics; t++) {
			if (!policy->topics[t].name)
				continue;
			ctx->topic_refs[p][n].name = policy->topics[t].name;
			ctx->topic_refs[p][n].index = t;
			n++;
		}
		kdr_sort_by_name(ctx->topic_refs[p], n, sizeof(**ctx->topic_refs));
		ctx->n_topic_refs[p] = n;
	}
}

static void ctx_init(struct kdr_validate_ctx *ctx, const struct kdr_desired *desired, struct kdr_diags *diags)
{
	const struct kdr_desired *d = desired;
	const struct kdr_resolve_filters *filters = NULL;

	memset(ctx, 0, sizeof(*ctx));
	ctx->desired = desired;
	ctx->diags = diags;
	if (d->n_clusters)
		ctx->cluster_names = kdr_calloc(d->n_clusters, sizeof(*ctx->cluster_names));
	for (size_t i = 0; i < d->n_clusters; i++)
		if (d->clusters[i].meta.name)
			ctx->cluster_names[ctx->n_cluster_names++] = d->clusters[i].meta.name;
	/* A loaded desired state comes resolved; one built by hand is resolved here. */
	ctx->resolved = kdr_resolved_of(desired);
	if (!ctx->resolved)
		ctx->resolved = ctx->own = kdr_resolved_new(desired);
	filters = &ctx->resolved->filters;
	ctx->decls = ctx->resolved->decls;
	ctx->n_decls = ctx->resolved->n_decls;
	ctx->filters = filters->flows;
	ctx->matches = filters->match;
	ctx->match_errors = filters->match_error;
	ctx->default_topic_excludes = &filters->default_topic_excludes;
	index_topics(ctx);
}

static void ctx_release(struct kdr_validate_ctx *ctx)
{
	kdr_resolved_free(ctx->own);
	for (size_t i = 0; ctx->topic_refs && i < ctx->desired->n_policies; i++)
		free(ctx->topic_refs[i]);
	free(ctx->topic_refs);
	free(ctx->n_topic_refs);
	free(ctx->cluster_names);
	memset(ctx, 0, sizeof(*ctx));
}

static int validate(const struct kdr_desired *desired, struct kdr_diags *diags,
		    const struct kdr_validate_broken *broken, size_t n_broken)
{
	struct kdr_validate_ctx ctx;
	size_t errors_before = diags->errors;

	ctx_init(&ctx, desired, diags);
	ctx.broken = broken;
	ctx.n_broken = n_broken;
	kdr_validate__check_names(&ctx);
	kdr_validate__check_clusters(&ctx);
	kdr_validate__check_references(&ctx);
	kdr_validate__check_numbers(&ctx);
	kdr_validate__check_regexes(&ctx);
	kdr_validate__check_connector_keys(&ctx);
	kdr_validate__check_placement(&ctx);
	kdr_validate__check_tiering(&ctx);
	kdr_validate__check_conflicts(&ctx);
	kdr_validate__check_loops(&ctx);
	kdr_validate__check_acls(&ctx);
	ctx_release(&ctx);
	return diags->errors > errors_before ? KDR_EINVALID : 0;
}

int kdr_validate(const struct kdr_desired *desired, struct kdr_diags *diags)
{
	return validate(desired, diags, NULL, 0);
}

/* "file:line:col..." -> file length and line (0 when `where` has no line). */
static size_t split_where(const char *where, unsigned *line, unsigned *col)
{
	const char *p = where ? where : "";
	const char *colon = NULL;

	*line = 0;
	*col = 0;
	/* The first ":<digits>" is the line (paths with ':' followed by a digit are not expected). */
	for (const char *q = strchr(p, ':'); q; q = strchr(q + 1, ':')) {
		if (q[1] >= '0' && q[1] <= '9') {
			colon = q;
			break;
		}
	}
	if (!colon)
		return strcspn(p, " ");
	*line = (unsigned)strtoul(colon + 1, NULL, 10);
	{
		const char *c = strchr(colon + 1, ':');

		if (c && c[1] >= '0' && c[1] <= '9')
			*col = (unsigned)strtoul(c + 1, NULL, 10);
	}
	return (size_t)(colon - p);
}

/* The object whose document holds `where` (its file and the last document start at or before the line). */
static const struct kdr_meta *owner_of(const struct kdr_desired *d, const char *where)
{
	const struct kdr_meta *best = NULL;
	unsigned line = 0, col = 0;
	size_t flen = split_where(where, &line, &col);

	for (size_t k = 0; k < 4; k++) {
		size_t n = k == 0 ? d->n_clusters : k == 1 ? d->n_flows : k == 2 ? d->n_policies : d->n_access_policies;

		for (size_t i = 0; i < n; i++) {
			const struct kdr_meta *m = k == 0   ? &d->clusters[i].meta
						   : k == 1 ? &d->flows[i].meta
						   : k == 2 ? &d->policies[i].meta
							    : &d->access_policies[i].meta;

			if (!m->file) {
				/* Kubernetes objects: diagnostics are named "KIND/NAME" or "KIND ns/NAME". */
				if (m->object_ref && where && strncmp(where, m->object_ref, strlen(m->object_ref)) == 0)
					return m;
				continue;
			}
			if (strlen(m->file) != flen || strncmp(m->file, where, flen) != 0 || m->line > line)
				continue;
			if (!best || m->line > best->line)
				best = m;
		}
	}
	return line ? best : NULL;
}

/* By file, line and column; diagnostics at one place keep the order they were reported in. */
static int compare_diags(const void *a, const void *b)
{
	const struct kdr_diag *x = a, *y = b;
	unsigned lx = 0, cx = 0, ly = 0, cy = 0;
	size_t fx = split_where(x->where, &lx, &cx), fy = split_where(y->where, &ly, &cy);
	int c = strncmp(x->where ? x->where : "", y->where ? y->where : "", fx < fy ? fx : fy);

	if (c == 0 && fx != fy)
		c = fx < fy ? -1 : 1;
	if (c)
		return c;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	if (cx != cy)
		return cx < cy ? -1 : 1;
	return 0;
}

void kdr_validate_sort_diags(struct kdr_diags *diags)
{
	kdr_sort_stable(diags->v, diags->n, sizeof(*diags->v), compare_diags);
}

/*
 * The field a schema error breaks, NULL when it breaks the whole object: no
 * field, or one every rule leans on (the name, the kind, spec itself).
 */
static const char *broken_field(const char *field)
{
	if (!field || !field[0] || strncmp(field, "spec.", 5) != 0)
		return NULL;
	return field;
}

int kdr_validate_all(const struct kdr_desired *desired, struct kdr_diags *diags)
{
	struct kdr_validate_broken *broken = kdr_calloc(diags->n + 1, sizeof(*broken));
	size_t n_broken = 0;
	bool schema_errors = kdr_diags_has_errors(diags);
	int rc = 0;

	for (size_t i = 0; i < diags->n; i++) {
		const struct kdr_meta *m = NULL;

		if (diags->v[i].severity != KDR_SEV_ERROR || !(m = owner_of(desired, diags->v[i].where)))
			continue;
		broken[n_broken].meta = m;
		/* Lent from diags: the strings stay when validate() adds diagnostics (only the array grows). */
		broken[n_broken].field = broken_field(diags->v[i].field);
		n_broken++;
	}
	rc = validate(desired, diags, broken, n_broken);
	free(broken);
	kdr_validate_sort_diags(diags);
	return schema_errors ? KDR_EINVALID : rc;
}
