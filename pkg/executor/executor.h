#ifndef KDR_EXECUTOR_EXECUTOR_H
#define KDR_EXECUTOR_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafka/kafka.h"
#include "model/model.h"
#include "plan/plan.h"

/*
 * The writing half of a reconcile: carries out a plan's actions on the
 * declared clusters, in the plan's order, and reports each one's result.
 * Everything that decides WHAT to do is in pkg/plan; reading the live state
 * is pkg/reader.
 */

struct kdr_executor_options {
	int timeout_ms;       /* per request; <= 0: the adapters' defaults */
	bool validate_only;   /* ask the brokers to check, change nothing */
	const struct kdr_secret_resolver *resolver;
	const char *const *clusters; /* restrict to these clusters (NULL: all declared) */
	size_t n_clusters;
};

struct kdr_apply_report {
	struct kdr_action_result *results; /* one per plan action, same index */
	size_t n;
	size_t succeeded;
	size_t failed;
	size_t skipped; /* not attempted (another kind of action, or validate-only deletions) */
	size_t held;    /* not attempted: held back, the connector delete it waits for failed (result.held) */
	size_t unsettled; /* succeeded, but Connect did not report the change in time (result.unsettled) */
};

/*
 * Applies `plan` in its order across Kafka and Connect, one step per run of
 * same-stage ranks (kdr_apply_runs): Kafka creates and changes, then the
 * connector changes and deletes, then the Kafka ACL and topic deletes; in a
 * Kafka step the clusters side by side (a thread and connection each), their
 * actions batched per kind by the adapter; in a Connect step cluster by
 * cluster, the connector actions in plan order. A failed action fails alone:
 * neither the other clusters nor the later steps stop (the next reconcile
 * plans what is left from the live state). Returns 0 when nothing failed,
 * else the first failure's code (in plan order).
 */
int kdr_executor_apply(struct kdr_apply_report *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
		       const struct kdr_executor_options *options);

void kdr_apply_report_release(struct kdr_apply_report *report);

#endif
