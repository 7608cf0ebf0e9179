#include "live_source.h"
#include "source_opts.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "executor/executor.h"
#include "util/error.h"
#include "util/units.h"

int kdr_live_source_parse_timeout(struct kdr_live_source_options *options, const char *text)
{
	int64_t ms = 0;

	if (kdr_parse_duration_ms(&ms, text, 0) != 0 || ms <= 0 || ms > INT32_MAX)
		return KDR_EINVALID;
	options->timeout_ms = ms;
	return 0;
}

int kdr_cli_live_option(struct kdr_live_source_options *options, struct kdr_strvec *clusters,
			const struct kdr_cli_spec *spec, int opt, const char *arg)
{
	switch (opt) {
	case KDR_OPT_CLUSTER:
		kdr_strvec_push(clusters, arg);
		return KDR_EXIT_OK;
	case KDR_OPT_OFFLINE:
		options->snapshot_path = arg;
		return KDR_EXIT_OK;
	case KDR_OPT_TIMEOUT:
		if (kdr_live_source_parse_timeout(options, arg) != 0)
			return kdr_cli_usage_error(spec, "--timeout: '%s' is not a positive duration up to 24d (e.g. 30s, 500ms)",
						   arg);
		return KDR_EXIT_OK;
	}
	return -1;
}

static int read_snapshot(struct kdr_live *out, const char *path)
{
	struct kdr_buf text = KDR_BUF_INIT;
	int exit_code = kdr_cli_read_file(&text, path);

	if (exit_code == KDR_EXIT_OK && kdr_live_from_json(out, text.ptr, text.len, path) != 0) {
		fprintf(stderr, "kdr: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
	}
	kdr_buf_release(&text);
	return exit_code;
}

int kdr_live_source_read(struct kdr_live *out, const struct kdr_desired *desired,
			 const struct kdr_live_source_options *options)
{
	struct kdr_executor_options exec = { 0 };
	struct kdr_executor_errors errors = { KDR_STRVEC_INIT };

	if (options->snapshot_path)
		return read_snapshot(out, options->snapshot_path);
	for (size_t i = 0; i < options->n_clusters; i++) {
		if (!kdr_desired_cluster(desired, options->clusters[i])) {
			fprintf(stderr, "kdr: --cluster '%s': no KafkaCluster of that name is declared\n",
				options->clusters[i]);
			return KDR_EXIT_ERROR;
		}
	}
	exec.timeout_ms = (int)options->timeout_ms;
	exec.resolver = kdr_cli_source_resolver();
	exec.clusters = options->clusters;
	exec.n_clusters = options->n_clusters;
	exec.read_groups = options->read_groups;
	/*
	 * A cluster that cannot be read is left out: the plan reports it as an
	 * error item, and the other clusters are still planned.
	 */
	kdr_executor_read_live(out, &errors, desired, &exec);
	for (size_t i = 0; i < errors.messages.n; i++)
		fprintf(stderr, "kdr: %s\n", errors.messages.v[i]);
	kdr_executor_errors_release(&errors);
	return KDR_EXIT_OK;
}
