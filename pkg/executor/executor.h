#ifndef KDR_EXECUTOR_EXECUTOR_H
#define KDR_EXECUTOR_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafka/kafka.h"
#include "live/live.h"
#include "mm2/mm2.h"
#include "model/model.h"
#include "plan/plan.h"

/*
 * The side-effecting half of a reconcile: read the live state of the
 * declared clusters, and carry out a plan's actions on them. Everything that
 * decides WHAT to do is in pkg/plan; this only does it and reports.
 */

enum kdr_read_groups {
	KDR_READ_GROUPS_NONE = 0,
	KDR_READ_GROUPS_LIST = 1,
	KDR_READ_GROUPS_OFFSETS = 2,
};

struct kdr_executor_options {
	int timeout_ms;       /* per request; <= 0: the adapters' defaults */
	bool validate_only;   /* ask the brokers to check, change nothing */
	const struct kdr_secret_resolver *resolver;
	const char *const *clusters; /* restrict to these clusters (NULL: all declared) */
	size_t n_clusters;
	/*
	 * Also read each cluster's consumer groups (kdr_kafka_conn_read_groups):
	 * KDR_READ_GROUPS_LIST ids, states and members (two requests per broker),
	 * KDR_READ_GROUPS_OFFSETS also their committed offsets. A failure there
	 * leaves groups_read false and adds a message; the rest of the cluster's
	 * read stands.
	 */
	int read_groups;
};

/* One line per cluster that could not be read, for the caller to print. */
struct kdr_executor_errors {
	struct kdr_strvec messages;
};

/*
 * Reads every (selected) declared cluster into `out` (sorted). A cluster that
 * cannot be read is left out of `out` (the plan then reports it as blocked)
 * and its error appended to `errors`. Returns 0 when all were read, else the
 * first failure's code.
 */
int kdr_executor_read_live(struct kdr_live *out, struct kdr_executor_errors *errors,
			   const struct kdr_desired *desired, const struct kdr_executor_options *options);

struct kdr_apply_report {
	struct kdr_action_result *results; /* one per plan action, same index */
	size_t n;
	size_t succeeded;
	size_t failed;
	size_t skipped; /* not attempted (another kind of action, or validate-only deletions) */
};

/*
 * Applies `plan` cluster by cluster (each cluster's Kafka actions in plan
 * order, batched by the adapter). A failure on one cluster does not stop the
 * others. Returns 0 when nothing failed, else the first failure's code.
 */
int kdr_executor_apply(struct kdr_apply_report *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
		       const struct kdr_executor_options *options);

/*
 * Secret lookup for rendering connector configs at plan time: resolves
 * env/file references (and secretKeyRef through `resolver`, may be NULL).
 */
void kdr_executor_secrets(struct kdr_mm2_secrets *out, const struct kdr_secret_resolver *resolver);

void kdr_apply_report_release(struct kdr_apply_report *report);
void kdr_executor_errors_release(struct kdr_executor_errors *errors);

#endif
