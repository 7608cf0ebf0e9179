/*
 * The resolved desired state's lifetime: derived once from a decoded
 * desired state and carried by it (desired->resolved), so that every stage
 * that gets the desired state gets what was derived from it too.
 */
#include "resolve/resolve_internal.h"

#include <stdlib.h>

#include "util/alloc.h"

struct kdr_resolved *kdr_resolved_new(const struct kdr_desired *desired)
{
	struct kdr_resolved *resolved = kdr_calloc(1, sizeof(*resolved));

	kdr_resolve_filters_build(&resolved->filters, desired);
	kdr_resolve__index_decls(resolved, desired);
	kdr_resolve__index_matches(resolved, desired);
	return resolved;
}

void kdr_resolved_free(struct kdr_resolved *resolved)
{
	if (!resolved)
		return;
	kdr_resolve_filters_release(&resolved->filters);
	free(resolved->decls);
	kdr_resolve__release_matches(resolved);
	free(resolved);
}

const struct kdr_resolved *kdr_resolve_attach(struct kdr_desired *desired)
{
	kdr_desired_drop_resolved(desired);
	desired->resolved = kdr_resolved_new(desired);
	desired->resolved_free = kdr_resolved_free;
	return desired->resolved;
}

const struct kdr_resolved *kdr_resolved_of(const struct kdr_desired *desired)
{
	return desired ? desired->resolved : NULL;
}
