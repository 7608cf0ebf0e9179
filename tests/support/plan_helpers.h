/*
 * Helpers shared by the tests of pkg/plan (tests/unit/test_plan*.c): desired
 * states from YAML, live snapshots built in C, plan lookups, and a complete
 * textual dump of a plan (for determinism checks).
 */
#ifndef KDR_TEST_SUPPORT_PLAN_HELPERS_H
#define KDR_TEST_SUPPORT_PLAN_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "live/live.h"
#include "model/model.h"
#include "plan/plan.h"
#include "spec/spec.h"
#include "spec_helpers.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/error.h"

#define YAML_HEADER "apiVersion: kdr.io/v1alpha1\n"

/* Parses YAML into `desired`; fails the test on any diagnostic error. */
void desired_from_yaml(struct kdr_desired *desired, const char *yaml);

/* A live cluster with brokers 1..n, broker i on racks[i-1] (racks may be NULL: no racks). */
struct kdr_live_cluster *live_cluster(struct kdr_live *live, const char *name, size_t n_brokers,
				      const char *const *racks);

/* The live cluster `name` (asserted to exist by its users), writable. */
struct kdr_live_cluster *live_get(struct kdr_live *live, const char *name);

/*
 * Adds a topic whose assignment is given as text: partitions separated by
 * ';', replicas by ',' ("1,2,3;2,3,1"). Returns the topic (valid until the
 * next add to the cluster); the cluster is re-sorted.
 */
struct kdr_live_topic *live_topic(struct kdr_live_cluster *cl, const char *name, const char *assignment);

/* Sets a topic override (the topic must exist). */
void live_override(struct kdr_live_cluster *cl, const char *topic, const char *key, const char *value);

/* kdr_plan_compute; fails the test with the error message unless it returns 0. */
int plan_ok(struct kdr_plan *plan, const struct kdr_desired *desired, const struct kdr_live *live,
	    const struct kdr_plan_options *options);

/* The first action of `kind` on `cluster` (and `resource`; NULL: any), or NULL. */
const struct kdr_action *find_action(const struct kdr_plan *plan, enum kdr_action_kind kind, const char *cluster,
				     const char *resource);

/* The first blocked item of `kind` on `cluster` and `resource` (NULL: a cluster-level one), or NULL. */
const struct kdr_blocked *find_blocked(const struct kdr_plan *plan, enum kdr_blocked_kind kind, const char *cluster,
				       const char *resource);

/* The first note of (cluster, resource) whose message contains `needle`. */
const struct kdr_note *find_note(const struct kdr_plan *plan, const char *cluster, const char *resource,
				 const char *needle);

/* The config change of `key` in an alter-config action, or NULL. */
const struct kdr_config_change *find_change(const struct kdr_action *action, const char *key);

/* Every field of a plan, one item per line: two plans are equal iff their dumps are. */
char *plan_dump(const struct kdr_plan *plan);

/* Fails with both dumps when a plan is not empty. */
void assert_plan_empty(const struct kdr_plan *plan);

/* Plans, simulates the plan on a copy of live, plans again: the second plan has no actions. */
void assert_converges(const struct kdr_desired *desired, const struct kdr_live *live,
		      const struct kdr_plan_options *options);

/*
 * Appends one named cmocka test per case of a table to `tests` and returns how
 * many: each case struct starts with its `const char *name`, and the case
 * itself is the test's state (so every case shows in the run by name).
 */
size_t plan_case_tests(struct CMUnitTest *tests, const void *cases, size_t n_cases, size_t case_size,
		       CMUnitTestFunction run);
#define PLAN_CASE_TESTS(tests, cases, run)                                                                             \
	plan_case_tests((tests), (cases), sizeof(cases) / sizeof((cases)[0]), sizeof((cases)[0]), (run))

/* Printed with a failure of the shared assertions (e.g. a property test's seed and input); NULL: nothing. */
extern const char *plan_test_context;

#endif
