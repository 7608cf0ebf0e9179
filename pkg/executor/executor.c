#include "executor/executor.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

static bool selected(const struct kdr_executor_options *options, const char *name)
{
	if (!options->clusters || options->n_clusters == 0)
		return true;
	for (size_t i = 0; i < options->n_clusters; i++)
		if (strcmp(options->clusters[i], name) == 0)
			return true;
	return false;
}

static void kafka_options(struct kdr_kafka_options *out, const struct kdr_executor_options *options)
{
	memset(out, 0, sizeof(*out));
	out->timeout_ms = options->timeout_ms;
	out->resolver = options->resolver;
	out->validate_only = options->validate_only;
}

int kdr_executor_read_live(struct kdr_live *out, struct kdr_executor_errors *errors,
			   const struct kdr_desired *desired, const struct kdr_executor_options *options)
{
	struct kdr_kafka_options kopts;
	int first_error = 0;

	kafka_options(&kopts, options);
	for (size_t i = 0; i < desired->n_clusters; i++) {
		const struct kdr_cluster *cl = &desired->clusters[i];
		struct kdr_live_cluster read = { 0 };
		struct kdr_live_cluster *slot = NULL;
		int rc;

		if (!selected(options, cl->meta.name))
			continue;
		rc = kdr_kafka_read_cluster(&read, cl, &kopts);
		if (rc != 0) {
			kdr_strvec_push(&errors->messages, kdr_error_message());
			kdr_live_cluster_release(&read);
			if (!first_error)
				first_error = rc;
			continue;
		}
		slot = kdr_live_add_cluster(out, cl->meta.name);
		free(slot->name);
		*slot = read;
	}
	kdr_live_sort(out);
	return first_error;
}

int kdr_executor_apply(struct kdr_apply_report *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
		       const struct kdr_executor_options *options)
{
	struct kdr_kafka_options kopts;
	struct kdr_action_result *cluster_results = NULL;
	int first_error = 0;

	memset(out, 0, sizeof(*out));
	out->n = plan->n_actions;
	out->results = kdr_calloc(plan->n_actions, sizeof(*out->results));
	cluster_results = kdr_calloc(plan->n_actions, sizeof(*cluster_results));
	kafka_options(&kopts, options);
	for (size_t c = 0; c < desired->n_clusters; c++) {
		const struct kdr_cluster *cl = &desired->clusters[c];
		bool has_actions = false;

		if (!selected(options, cl->meta.name))
			continue;
		for (size_t i = 0; i < plan->n_actions && !has_actions; i++)
			has_actions = strcmp(plan->actions[i].cluster, cl->meta.name) == 0 &&
				      kdr_kafka_handles(plan->actions[i].kind);
		if (!has_actions)
			continue;
		memset(cluster_results, 0, plan->n_actions * sizeof(*cluster_results));
		kdr_kafka_apply(cluster_results, plan, cl, &kopts);
		/* The adapter fills only this cluster's actions; keep those. */
		for (size_t i = 0; i < plan->n_actions; i++) {
			if (cluster_results[i].attempted)
				out->results[i] = cluster_results[i];
			else
				kdr_action_result_release(&cluster_results[i]);
		}
	}
	for (size_t i = 0; i < plan->n_actions; i++) {
		if (!out->results[i].attempted)
			out->skipped++;
		else if (out->results[i].code == 0)
			out->succeeded++;
		else {
			out->failed++;
			if (!first_error)
				first_error = out->results[i].code;
		}
	}
	free(cluster_results);
	return first_error;
}

void kdr_apply_report_release(struct kdr_apply_report *report)
{
	for (size_t i = 0; i < report->n; i++)
		kdr_action_result_release(&report->results[i]);
	free(report->results);
	memset(report, 0, sizeof(*report));
}

void kdr_executor_errors_release(struct kdr_executor_errors *errors)
{
	kdr_strvec_release(&errors->messages);
}
