/* The desired-state change as text, markdown (pull-request comments) and JSON. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "diff/diff_internal.h"
#include "util/json_write.h"
#include "util/markdown.h"

/* A resource with more fields than this is collapsed in markdown. */
#define MD_COLLAPSE_FIELDS 10

/* How each output names an op: its sign (text, markdown) and its word (markdown, json). */
static const struct op_words {
	const char *sign;
	const char *name;
} op_words[] = {
	[KDR_DIFF_ADDED] = { "+", "added" },
	[KDR_DIFF_REMOVED] = { "-", "removed" },
	[KDR_DIFF_CHANGED] = { "~", "changed" },
};

static const char *op_sign(enum kdr_diff_op op)
{
	return op_words[op].sign;
}

static const char *op_name(enum kdr_diff_op op)
{
	return op_words[op].name;
}

static bool is_commit_id(const char *rev)
{
	size_t n = 0;

	for (; rev && rev[n]; n++)
		if (!isxdigit((unsigned char)rev[n]))
			return false;
	return n == 40 || n == 64;
}

/* Commit ids are shown abbreviated like git does; other revisions as given. */
static void put_revision(struct kdr_buf *out, const char *rev)
{
	if (is_commit_id(rev))
		kdr_buf_printf(out, "%.7s", rev);
	else
		kdr_buf_puts(out, rev);
}

/* "base -> head" between `before` and `after` when both are known (bare commit ids: GitHub links them). */
static void put_range(struct kdr_buf *out, const struct kdr_desired_diff *diff, const char *before, const char *after)
{
	if (!diff->base_revision || !diff->head_revision)
		return;
	kdr_buf_puts(out, before);
	put_revision(out, diff->base_revision);
	kdr_buf_puts(out, " -> ");
	put_revision(out, diff->head_revision);
	kdr_buf_puts(out, after);
}

static void put_counts(struct kdr_buf *out, const struct kdr_desired_diff *diff)
{
	if (kdr_diff_is_empty(diff))
		kdr_buf_puts(out, "no change");
	else
		kdr_buf_printf(out, "%zu added, %zu changed, %zu removed", diff->added, diff->changed, diff->removed);
}

/* --- text --- */

/* One line per field, so control characters are escaped. */
static void text_value(struct kdr_buf *out, const char *s)
{
	if (!s) {
		kdr_buf_puts(out, DIFF_UNSET);
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			kdr_buf_puts(out, "\\n");
		else if (c == '\t')
			kdr_buf_puts(out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			kdr_buf_printf(out, "\\x%02x", c);
		else
			kdr_buf_putc(out, (char)c);
	}
}

void kdr_diff_render_text(struct kdr_buf *out, const struct kdr_desired_diff *diff)
{
	for (size_t i = 0; i < diff->n_resources; i++) {
		const struct kdr_diff_resource *resource = &diff->resources[i];

		if (resource->op != KDR_DIFF_CHANGED) {
			kdr_buf_printf(out, "%s %s/%s\n", op_sign(resource->op), resource->kind, resource->name);
			/* What a new resource declares is the point of reviewing it; a removed one is gone. */
			if (resource->op == KDR_DIFF_ADDED) {
				for (size_t f = 0; f < resource->n_fields; f++) {
					kdr_buf_printf(out, "    %s: ", resource->fields[f].path);
					text_value(out, resource->fields[f].new_value);
					kdr_buf_putc(out, '\n');
				}
			}
			continue;
		}
		for (size_t f = 0; f < resource->n_fields; f++) {
			const struct kdr_diff_field *field = &resource->fields[f];

			kdr_buf_printf(out, "~ %s/%s: %s: ", resource->kind, resource->name, field->path);
			text_value(out, field->old_value);
			kdr_buf_puts(out, " -> ");
			text_value(out, field->new_value);
			kdr_buf_putc(out, '\n');
		}
	}
	if (diff->n_resources)
		kdr_buf_putc(out, '\n');
	kdr_buf_puts(out, "desired state");
	put_range(out, diff, " ", "");
	kdr_buf_puts(out, ": ");
	put_counts(out, diff);
	kdr_buf_putc(out, '\n');
}

/* --- markdown --- */


static void md_value(struct kdr_buf *out, const char *s)
{
	if (s)
		kdr_md_code(out, s, true);
	else
		kdr_buf_puts(out, "_" DIFF_UNSET "_");
}

static void md_resource(struct kdr_buf *out, const struct kdr_diff_resource *resource)
{
	bool collapse = resource->n_fields > MD_COLLAPSE_FIELDS;

	kdr_buf_printf(out, "#### %s ", op_sign(resource->op));
	kdr_md_text(out, resource->kind);
	kdr_buf_putc(out, '/');
	kdr_md_text(out, resource->name);
	kdr_buf_printf(out, " (%s)\n\n", op_name(resource->op));
	if (resource->op == KDR_DIFF_REMOVED)
		return;
	if (collapse) {
		kdr_buf_printf(out, "<details><summary>%zu fields of ", resource->n_fields);
		kdr_md_html_text(out, resource->kind);
		kdr_buf_putc(out, '/');
		kdr_md_html_text(out, resource->name);
		kdr_buf_puts(out, "</summary>\n\n");
	}
	if (resource->op == KDR_DIFF_ADDED)
		kdr_buf_puts(out, "| field | value |\n|---|---|\n");
	else
		kdr_buf_puts(out, "| field | base | head |\n|---|---|---|\n");
	for (size_t f = 0; f < resource->n_fields; f++) {
		const struct kdr_diff_field *field = &resource->fields[f];

		kdr_buf_puts(out, "| ");
		kdr_md_code(out, field->path, true);
		kdr_buf_puts(out, " | ");
		if (resource->op == KDR_DIFF_CHANGED) {
			md_value(out, field->old_value);
			kdr_buf_puts(out, " | ");
		}
		md_value(out, field->new_value);
		kdr_buf_puts(out, " |\n");
	}
	kdr_buf_putc(out, '\n');
	if (collapse)
		kdr_buf_puts(out, "</details>\n\n");
}

void kdr_diff_render_markdown(struct kdr_buf *out, const struct kdr_desired_diff *diff)
{
	kdr_buf_puts(out, "### Desired-state change\n\n");
	put_range(out, diff, "", ": ");
	put_counts(out, diff);
	kdr_buf_puts(out, "\n\n");
	for (size_t i = 0; i < diff->n_resources; i++)
		md_resource(out, &diff->resources[i]);
}

/* --- json --- */

void kdr_diff_render_json(struct kdr_buf *out, const struct kdr_desired_diff *diff)
{
	struct kdr_json_w w;

	kdr_json_w_init_compact(&w, out);
	kdr_json_w_open(&w, NULL, '{', true);
	kdr_json_w_string(&w, "base", diff->base_revision);
	kdr_json_w_string(&w, "head", diff->head_revision);
	kdr_json_w_int(&w, "added", (long long)diff->added);
	kdr_json_w_int(&w, "changed", (long long)diff->changed);
	kdr_json_w_int(&w, "removed", (long long)diff->removed);
	kdr_json_w_open(&w, "resources", '[', true);
	for (size_t i = 0; i < diff->n_resources; i++) {
		const struct kdr_diff_resource *resource = &diff->resources[i];

		kdr_json_w_open(&w, NULL, '{', true);
		kdr_json_w_string(&w, "op", op_name(resource->op));
		kdr_json_w_string(&w, "kind", resource->kind);
		kdr_json_w_string(&w, "name", resource->name);
		kdr_json_w_open(&w, "fields", '[', true);
		for (size_t f = 0; f < resource->n_fields; f++) {
			kdr_json_w_open(&w, NULL, '{', true);
			kdr_json_w_string(&w, "path", resource->fields[f].path);
			kdr_json_w_string(&w, "old", resource->fields[f].old_value);
			kdr_json_w_string(&w, "new", resource->fields[f].new_value);
			kdr_json_w_close(&w, '}');
		}
		kdr_json_w_close(&w, ']');
		kdr_json_w_close(&w, '}');
	}
	kdr_json_w_close(&w, ']');
	kdr_json_w_close(&w, '}');
	kdr_json_w_release(&w);
	kdr_buf_putc(out, '\n');
}
