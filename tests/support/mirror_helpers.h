/*
 * Helpers of the unit tests about flows (tests/unit/test_plan_mirror.c,
 * test_health.c): clusters with Connect, mirrored topics, and the two-flow
 * desired state east <-> west converged on a simulated live state.
 */
#ifndef KDR_TEST_SUPPORT_MIRROR_HELPERS_H
#define KDR_TEST_SUPPORT_MIRROR_HELPERS_H

#include "plan_helpers.h"

#define CONNECT_CLUSTER(name)                                                                                          \
	"---\n" YAML_HEADER "kind: KafkaCluster\nmetadata: {name: " name "}\nspec:\n  bootstrapServers: " name         \
	":9092\n  connect: {url: \"http://connect-" name ":8083\"}\n"
#define FLOW(name)   "---\n" YAML_HEADER "kind: ReplicationFlow\nmetadata: {name: " name "}\nspec:\n"

/* east and west, both with Connect, and a flow east-to-west with `spec` lines. */
#define EAST_WEST CONNECT_CLUSTER("east") CONNECT_CLUSTER("west")

/* A live cluster with 3 brokers (racks a, b, c) and a Connect attached to it (no connectors). */
struct kdr_live_cluster *connect_cluster(struct kdr_live *live, const char *name);

/* Topics with `partitions` partitions each (replicas 1,2,3 rotated), names NULL-terminated. */
void live_topics(struct kdr_live_cluster *cl, int partitions, const char *const *names);

/*
 * Flows east-to-west (topics [`topics`], suspended: `suspended`) and
 * west-to-east (topics ["west-only"]) between east and west, both with Connect.
 */
void flows_desired(struct kdr_desired *desired, const char *topics, const char *suspended);

/* Live east/west with Connect, the desired flows applied (simulated) to it; a second plan is empty. */
void converged_live(struct kdr_live *live, const struct kdr_desired *desired);

#endif
