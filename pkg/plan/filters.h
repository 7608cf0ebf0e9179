#ifndef KDR_PLAN_FILTERS_H
#define KDR_PLAN_FILTERS_H

/*
 * The desired state's regexes, compiled once from the decoded desired state
 * by whoever owns it (the pipeline for a command, the controller for each
 * loaded revision) and lent to the plan (kdr_plan_options.filters) and to
 * flow health (kdr_health_options.filters), so that neither compiles its own.
 */

#include <stdbool.h>
#include <stddef.h>

#include "mm2/mm2.h"
#include "model/model.h"
#include "plan/mm2_filter.h"
#include "util/regex.h"

/* One flow's regexes. */
struct kdr_plan_flow_filters {
	struct kdr_regex_set topics;	    /* spec.topics as written */
	struct kdr_regex_set exclude;	    /* spec.topicsExclude as written */
	char *topics_error;		    /* why topics/exclude did not compile (both then empty), or NULL */
	struct kdr_plan_mm2_filter mm2;	    /* as MM2 runs the rendered source connector */
	char *mm2_error;		    /* why mm2 did not compile (then empty), or NULL */
	struct kdr_mm2_group_filter groups; /* MM2's DefaultGroupFilter; empty unless groups_ok */
	bool groups_ok;
};

/* Indexes as desired->policies and desired->flows. */
struct kdr_plan_filters {
	struct kdr_regex **match; /* per policy, NULL: no match (or it did not compile) */
	char **match_error;	  /* per policy, why its match did not compile, or NULL */
	size_t n_policies;
	struct kdr_plan_flow_filters *flows;
	size_t n_flows;
};

/*
 * Compiles every regex of `desired`, which is lent and must outlive `out`
 * (the MM2 filters name topics with its strings). A pattern that does not
 * compile is recorded with its reason, not returned: validation and each
 * step of the plan report it as they do.
 */
void kdr_plan_filters_build(struct kdr_plan_filters *out, const struct kdr_desired *desired);

/* Frees the contents; `filters` is then empty (safe to release again). */
void kdr_plan_filters_release(struct kdr_plan_filters *filters);

#endif
