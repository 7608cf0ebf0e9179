/* Pair objects by kind and name, then compare their flattened fields. */
#include <stdlib.h>
#include <string.h>

#include "diff/diff_internal.h"
#include "util/alloc.h"
#include "util/sort.h"

/* Kinds in output order (byte order of their names). */
enum kind {
	KIND_CLUSTER,
	KIND_FLOW,
	KIND_POLICY,
};

static const char *const kind_names[] = { "KafkaCluster", "ReplicationFlow", "TopicPolicy" };

/* One object of one side, flattened. */
struct item {
	enum kind kind;
	const char *name; /* lent from the desired state */
	struct diff_flat flat;
};

struct side {
	struct item *v;
	size_t n;
	size_t cap;
};

static struct item *add_item(struct side *side, enum kind kind, const struct kdr_meta *meta)
{
	struct item *item = NULL;

	side->v = kdr_grow(side->v, &side->cap, side->n + 1, sizeof(*side->v));
	item = &side->v[side->n];
	memset(item, 0, sizeof(*item));
	item->kind = kind;
	item->name = meta->name ? meta->name : "";
	side->n++;
	return item;
}

static int compare_items(const void *a, const void *b)
{
	const struct item *ia = a, *ib = b;

	if (ia->kind != ib->kind)
		return ia->kind < ib->kind ? -1 : 1;
	return strcmp(ia->name, ib->name);
}

static void flatten_all(struct side *out, const struct kdr_desired *desired)
{
	if (!desired)
		return;
	for (size_t i = 0; i < desired->n_clusters; i++)
		kdr_diff__flatten_cluster(&add_item(out, KIND_CLUSTER, &desired->clusters[i].meta)->flat,
					  &desired->clusters[i]);
	for (size_t i = 0; i < desired->n_flows; i++)
		kdr_diff__flatten_flow(&add_item(out, KIND_FLOW, &desired->flows[i].meta)->flat, &desired->flows[i]);
	for (size_t i = 0; i < desired->n_policies; i++)
		kdr_diff__flatten_policy(&add_item(out, KIND_POLICY, &desired->policies[i].meta)->flat,
					 &desired->policies[i]);
	/* Stable: duplicate names (which validation rejects) pair up in source order. */
	kdr_sort_stable(out->v, out->n, sizeof(*out->v), compare_items);
}

static void release_side(struct side *side)
{
	for (size_t i = 0; i < side->n; i++)
		kdr_diff__flat_release(&side->v[i].flat);
	free(side->v);
	memset(side, 0, sizeof(*side));
}

static struct kdr_diff_resource *add_resource(struct kdr_desired_diff *out, enum kdr_diff_op op,
					      const struct item *item)
{
	struct kdr_diff_resource *resource = NULL;

	out->resources = kdr_grow(out->resources, &out->cap_resources, out->n_resources + 1, sizeof(*out->resources));
	resource = &out->resources[out->n_resources++];
	memset(resource, 0, sizeof(*resource));
	resource->op = op;
	resource->kind = kind_names[item->kind];
	resource->name = kdr_strdup(item->name);
	return resource;
}

/* Values printed by a field: a redacted one prints KDR_REDACTED, whatever it holds. */
static void add_field(struct kdr_diff_resource *resource, const struct diff_flat_field *old_field,
		      const struct diff_flat_field *new_field)
{
	struct kdr_diff_field *field = NULL;

	resource->fields = kdr_grow(resource->fields, &resource->cap_fields, resource->n_fields + 1,
				    sizeof(*resource->fields));
	field = &resource->fields[resource->n_fields++];
	field->path = kdr_strdup(old_field ? old_field->path : new_field->path);
	field->old_value = old_field ? kdr_strdup(old_field->value) : NULL;
	field->new_value = new_field ? kdr_strdup(new_field->value) : NULL;
}

static void add_whole(struct kdr_desired_diff *out, enum kdr_diff_op op, const struct item *item)
{
	struct kdr_diff_resource *resource = add_resource(out, op, item);

	for (size_t i = 0; i < item->flat.n; i++)
		add_field(resource, op == KDR_DIFF_REMOVED ? &item->flat.v[i] : NULL,
			  op == KDR_DIFF_ADDED ? &item->flat.v[i] : NULL);
	if (op == KDR_DIFF_ADDED)
		out->added++;
	else
		out->removed++;
}

/* Both lists are sorted by path: one merge walk. */
static void compare_pair(struct kdr_desired_diff *out, const struct item *base, const struct item *head)
{
	struct kdr_diff_resource *resource = NULL;
	size_t i = 0, j = 0;

	while (i < base->flat.n || j < head->flat.n) {
		const struct diff_flat_field *a = i < base->flat.n ? &base->flat.v[i] : NULL;
		const struct diff_flat_field *b = j < head->flat.n ? &head->flat.v[j] : NULL;
		int cmp = !a ? 1 : !b ? -1 : strcmp(a->path, b->path);

		if (cmp == 0 && !kdr_diff__field_differs(a, b)) {
			i++;
			j++;
			continue;
		}
		if (!resource)
			resource = add_resource(out, KDR_DIFF_CHANGED, head);
		if (cmp < 0) {
			add_field(resource, a, NULL);
			i++;
		} else if (cmp > 0) {
			add_field(resource, NULL, b);
			j++;
		} else {
			add_field(resource, a, b);
			i++;
			j++;
		}
	}
	if (resource)
		out->changed++;
}

int kdr_diff_desired(struct kdr_desired_diff *out, const struct kdr_desired *base, const struct kdr_desired *head)
{
	struct side old_side = { NULL, 0, 0 }, new_side = { NULL, 0, 0 };
	size_t i = 0, j = 0;

	out->base_revision = kdr_strdup(base ? base->revision : NULL);
	out->head_revision = kdr_strdup(head ? head->revision : NULL);
	flatten_all(&old_side, base);
	flatten_all(&new_side, head);
	while (i < old_side.n || j < new_side.n) {
		const struct item *a = i < old_side.n ? &old_side.v[i] : NULL;
		const struct item *b = j < new_side.n ? &new_side.v[j] : NULL;
		int cmp = 0;

		if (!a)
			cmp = 1;
		else if (!b)
			cmp = -1;
		else if (a->kind != b->kind)
			cmp = a->kind < b->kind ? -1 : 1;
		else
			cmp = strcmp(a->name, b->name);
		if (cmp < 0) {
			add_whole(out, KDR_DIFF_REMOVED, a);
			i++;
		} else if (cmp > 0) {
			add_whole(out, KDR_DIFF_ADDED, b);
			j++;
		} else {
			compare_pair(out, a, b);
			i++;
			j++;
		}
	}
	release_side(&old_side);
	release_side(&new_side);
	return 0;
}

bool kdr_diff_is_empty(const struct kdr_desired_diff *diff)
{
	return diff->n_resources == 0;
}

void kdr_desired_diff_release(struct kdr_desired_diff *diff)
{
	for (size_t i = 0; i < diff->n_resources; i++) {
		struct kdr_diff_resource *resource = &diff->resources[i];

		for (size_t f = 0; f < resource->n_fields; f++) {
			free(resource->fields[f].path);
			free(resource->fields[f].old_value);
			free(resource->fields[f].new_value);
		}
		free(resource->fields);
		free(resource->name);
	}
	free(diff->resources);
	free(diff->base_revision);
	free(diff->head_revision);
	memset(diff, 0, sizeof(*diff));
}
