#include <string.h>

#include "render/render_internal.h"
#include "util/strvec.h"

/*
 * The replication topology as a mermaid flowchart: clusters are nodes,
 * flows are edges from source to target, dotted when suspended. Node ids are
 * generated (c0, c1, ...) so that no cluster name can clash with mermaid's
 * syntax; labels are quoted and entity-escaped.
 */

#define FILTER_MAX 3

/* Inside a quoted mermaid label: entities for what would end the label, the edge or the code block. */
static void label_text(struct kdr_buf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '"': kdr_buf_puts(out, "#quot;"); break;
		case '#': kdr_buf_puts(out, "#35;"); break;
		case '&': kdr_buf_puts(out, "#38;"); break;
		case '<': kdr_buf_puts(out, "#lt;"); break;
		case '>': kdr_buf_puts(out, "#gt;"); break;
		case '|': kdr_buf_puts(out, "#124;"); break;
		case '`': kdr_buf_puts(out, "#96;"); break;
		case '\n':
		case '\r':
		case '\t': kdr_buf_putc(out, ' '); break;
		default: kdr_buf_putc(out, *s);
		}
	}
}

/* "a, b, c, +2 more" */
static void filter_summary(struct kdr_buf *out, const struct kdr_strvec *patterns)
{
	size_t shown = patterns->n < FILTER_MAX ? patterns->n : FILTER_MAX;

	for (size_t i = 0; i < shown; i++) {
		if (i)
			kdr_buf_puts(out, ", ");
		label_text(out, patterns->v[i]);
	}
	if (patterns->n > shown)
		kdr_buf_printf(out, ", +%zu more", patterns->n - shown);
}

static size_t node_of(struct kdr_strvec *nodes, const char *name)
{
	long at = kdr_strvec_find(nodes, name ? name : "");

	if (at >= 0)
		return (size_t)at;
	kdr_strvec_push(nodes, name ? name : "");
	return nodes->n - 1;
}

void kdr_render__mermaid(struct kdr_buf *out, const struct kdr_desired *desired)
{
	struct kdr_strvec nodes = KDR_STRVEC_INIT;

	if (!desired || (!desired->n_clusters && !desired->n_flows))
		return;
	for (size_t i = 0; i < desired->n_clusters; i++)
		node_of(&nodes, desired->clusters[i].meta.name);
	/* Flows may name clusters that are not defined (validation reports it); draw them anyway. */
	for (size_t i = 0; i < desired->n_flows; i++) {
		node_of(&nodes, desired->flows[i].source);
		node_of(&nodes, desired->flows[i].target);
	}
	kdr_buf_puts(out, "### Topology\n\n```mermaid\ngraph LR\n");
	for (size_t i = 0; i < nodes.n; i++) {
		kdr_buf_printf(out, "  c%zu[\"", i);
		label_text(out, nodes.v[i]);
		kdr_buf_puts(out, "\"]\n");
	}
	for (size_t i = 0; i < desired->n_flows; i++) {
		const struct kdr_flow *flow = &desired->flows[i];

		kdr_buf_printf(out, "  c%zu %s|\"", node_of(&nodes, flow->source), flow->suspended ? "-.->" : "-->");
		label_text(out, flow->meta.name);
		kdr_buf_puts(out, "<br>topics: ");
		filter_summary(out, &flow->topics);
		if (flow->topics_exclude.n) {
			kdr_buf_puts(out, "<br>excluding: ");
			filter_summary(out, &flow->topics_exclude);
		}
		if (flow->suspended)
			kdr_buf_puts(out, "<br>(suspended)");
		kdr_buf_printf(out, "\"| c%zu\n", node_of(&nodes, flow->target));
	}
	kdr_buf_puts(out, "```\n");
	kdr_strvec_release(&nodes);
}
