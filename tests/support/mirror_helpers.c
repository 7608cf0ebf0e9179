#include "mirror_helpers.h"

#include "util/alloc.h"

static const char *const racks_abc[] = {"a", "b", "c"};

struct kdr_live_cluster *connect_cluster(struct kdr_live *live, const char *name)
{
	struct kdr_live_cluster *cl = live_cluster(live, name, 3, racks_abc);

	cl->connect.present = true;
	cl->connect.url = kdr_asprintf("http://connect-%s:8083", name);
	cl->connect.kafka_cluster_id = kdr_strdup(cl->cluster_id);
	return cl;
}

void live_topics(struct kdr_live_cluster *cl, int partitions, const char *const *names)
{
	for (size_t i = 0; names[i]; i++) {
		struct kdr_buf assignment = KDR_BUF_INIT;

		for (int p = 0; p < partitions; p++)
			kdr_buf_printf(&assignment, "%s%d,%d,%d", p ? ";" : "", p % 3 + 1, (p + 1) % 3 + 1,
				       (p + 2) % 3 + 1);
		live_topic(cl, names[i], assignment.ptr);
		kdr_buf_release(&assignment);
	}
}

static const char flows_yaml[] = EAST_WEST FLOW("east-to-west") "  source: east\n  target: west\n"
								"  topics: [%s]\n  suspended: %s\n" FLOW(
								    "west-to-east") "  source: west\n  target: east\n"
										    "  topics: [\"west-only\"]\n";

void flows_desired(struct kdr_desired *desired, const char *topics, const char *suspended)
{
	char *yaml = kdr_asprintf(flows_yaml, topics, suspended);

	desired_from_yaml(desired, yaml);
	free(yaml);
}

void converged_live(struct kdr_live *live, const struct kdr_desired *desired)
{
	struct kdr_plan plan;

	connect_cluster(live, "east");
	connect_cluster(live, "west");
	plan_ok(&plan, desired, live, NULL);
	kdr_plan_simulate(live, &plan);
	kdr_plan_release(&plan);
	plan_ok(&plan, desired, live, NULL);
	assert_plan_empty(&plan);
	kdr_plan_release(&plan);
}
