/*
 * kdr lag: how far a flow's target is behind its source, per mirrored
 * partition, with an RPO estimate. The same load -> read live -> plan ->
 * status path as `kdr status` (which names the mirrored topics); pkg/dr
 * computes, pkg/executor reads the offsets and MM2's offset-syncs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "dr/dr.h"
#include "executor/dr_io.h"
#include "executor/executor.h"
#include "live_source.h"
#include "mm2/mm2.h"
#include "plan/plan.h"
#include "plan/status.h"
#include "source_opts.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/units.h"

enum {
	OPT_FORMAT = 'f',
	OPT_HELP = 'h',
	OPT_FLOW = 3100,
	OPT_MAX_RPO,
};

static const struct option lag_options[] = {
	{ "flow", required_argument, NULL, OPT_FLOW },
	{ "max-rpo", required_argument, NULL, OPT_MAX_RPO },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "timeout", required_argument, NULL, KDR_OPT_TIMEOUT },
	KDR_CLI_SOURCE_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec lag_spec = {
	.command = "lag",
	.usage = "kdr lag [DIR | --git URL [--ref R] [--path P]] --flow F [--format text|json] [--max-rpo 5s]\n"
		 "               [--timeout 30s]",
	.description =
		"Reports ReplicationFlow F's replication lag: per mirrored partition the source's log-end offset,\n"
		"the next source offset not yet on the target (from MM2's latest offset-sync and the remote\n"
		"topic's log end), the lag in records, and the age of the oldest record not yet replicated (an\n"
		"RPO estimate from its timestamp); totals per topic; the age of the newest heartbeat on the target.\n"
		"An RPO that cannot be estimated while records are behind counts as over the threshold.\n"
		"Exit status: 0 every RPO estimate within --max-rpo, 1 one is over (or unknown), or the flow's\n"
		"clusters cannot be read; 64 usage error.",
	.options_help = "      --flow F            the ReplicationFlow (required)\n"
			"      --max-rpo DURATION  alert threshold (default 5s)\n"
			"  -f, --format FORMAT     text (default) or json\n"
			"      --timeout DURATION  per request to the clusters (default 30s)\n"
			KDR_CLI_SOURCE_HELP,
	.options = lag_options,
	.short_options = "f:h",
};

static int64_t wall_ms(void)
{
	struct timespec ts = { 0, 0 };

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The timestamp of the newest record of the remote heartbeats topic, -1 when none. */
static int64_t newest_heartbeat(const struct kdr_cluster *target, const struct kdr_flow *flow,
				const struct kdr_executor_options *exec)
{
	char *topic = kdr_mm2_remote_topic(flow, "heartbeats");
	struct kdr_dr_offsets want = { 0 }, ends = { 0 };
	int64_t ts = -1;

	kdr_dr_offsets_set(&want, topic, 0, -1);
	if (kdr_executor_end_offsets(&ends, target, &want, exec) == 0 && ends.n == 1 && ends.v[0].offset > 0) {
		ends.v[0].offset--;
		if (kdr_executor_record_timestamps(&ends, target, exec) == 0)
			ts = ends.v[0].timestamp_ms;
	}
	kdr_dr_offsets_release(&want);
	kdr_dr_offsets_release(&ends);
	free(topic);
	return ts;
}

int kdr_cmd_lag(int argc, char **argv)
{
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_status status = { 0 };
	struct kdr_pipeline_options source = KDR_CLI_PIPELINE_OPTIONS_INIT;
	struct kdr_executor_options exec = { 0 };
	struct kdr_cli_source src = { 0 };
	struct kdr_strvec clusters = KDR_STRVEC_INIT, topics = KDR_STRVEC_INIT;
	struct kdr_dr_offsets src_want = { 0 }, dst_want = { 0 }, src_ends = { 0 }, dst_ends = { 0 }, first = { 0 };
	struct kdr_dr_syncs syncs = { 0 };
	struct kdr_dr_lag_input in = { 0 };
	struct kdr_dr_lag_report report = { 0 };
	struct kdr_buf out = KDR_BUF_INIT;
	const char **remotes = NULL;
	const struct kdr_flow *flow = NULL;
	const struct kdr_status_flow *sf = NULL;
	const struct kdr_live_cluster *source_live = NULL;
	const char *flow_name = NULL, *syncs_cluster = NULL;
	char *syncs_topic = NULL;
	int64_t max_rpo = 5000;
	bool json = false;
	int exit_code = KDR_EXIT_OK;
	int opt = 0, rc = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, lag_spec.short_options, lag_spec.options, NULL)) != -1) {
		switch (opt) {
		case OPT_HELP:
			kdr_cli_print_help(&lag_spec, stdout);
			goto cleanup;
		case OPT_FLOW: flow_name = optarg; break;
		case OPT_MAX_RPO:
			if (kdr_parse_duration_ms(&max_rpo, optarg, 0) != 0 || max_rpo < 0) {
				exit_code = kdr_cli_usage_error(&lag_spec, "--max-rpo: '%s' is not a duration (e.g. 5s)",
								optarg);
				goto cleanup;
			}
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0) {
				json = true;
			} else if (strcmp(optarg, "text") != 0) {
				exit_code = kdr_cli_usage_error(&lag_spec, "--format: unknown format '%s' (allowed: text, json)",
								optarg);
				goto cleanup;
			}
			break;
		default:
			rc = kdr_cli_live_option(&source, &clusters, &lag_spec, opt, optarg);
			if (rc > 0) {
				exit_code = rc;
				goto cleanup;
			}
			if (rc == 0 || kdr_cli_source_option(&src, opt, optarg))
				break;
			exit_code = kdr_cli_usage_error(&lag_spec, "unknown or incomplete option '%s'", argv[optind - 1]);
			goto cleanup;
		}
	}
	if (!flow_name) {
		exit_code = kdr_cli_usage_error(&lag_spec, "--flow F is required");
		goto cleanup;
	}
	if (argc - optind > 1) {
		exit_code = kdr_cli_usage_error(&lag_spec, "expected at most one directory, got %d arguments",
						argc - optind);
		goto cleanup;
	}
	if (optind < argc)
		src.dir = argv[optind];
	if ((exit_code = kdr_cli_source_check(&lag_spec, &src)) != KDR_EXIT_OK ||
	    (exit_code = kdr_cli_source_load(&desired, &src)) != KDR_EXIT_OK)
		goto cleanup;
	flow = kdr_desired_flow(&desired, flow_name);
	if (!flow) {
		fprintf(stderr, "kdr lag: --flow '%s': no ReplicationFlow of that name is declared\n", flow_name);
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	kdr_strvec_push(&clusters, flow->source);
	kdr_strvec_push(&clusters, flow->target);
	if ((exit_code = kdr_cli_read(&p, &desired, &source, &clusters)) != KDR_EXIT_OK)
		goto cleanup;
	/* Status names what the flow mirrors (what its running connector, or the flow, selects). */
	if (kdr_pipeline_plan(&p) != 0 || kdr_pipeline_status(&status, &p) != 0) {
		fprintf(stderr, "kdr lag: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	for (size_t i = 0; i < status.n_flows && !sf; i++)
		if (strcmp(status.flows[i].name, flow->meta.name) == 0)
			sf = &status.flows[i];
	source_live = kdr_live_cluster_find(&p.live, flow->source);
	if (!sf || !sf->topics_checked || !source_live || !kdr_live_cluster_find(&p.live, flow->target)) {
		fprintf(stderr, "kdr lag: flow '%s': '%s' and '%s' must both be readable to measure lag\n",
			flow->meta.name, flow->source, flow->target);
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	remotes = kdr_calloc(sf->n_mirrored + 1, sizeof(*remotes));
	for (size_t i = 0; i < sf->n_mirrored; i++) {
		const struct kdr_live_topic *topic = kdr_live_topic_find(source_live, sf->mirrored[i].topic);

		kdr_strvec_push(&topics, sf->mirrored[i].topic);
		remotes[i] = sf->mirrored[i].remote;
		for (size_t n = 0; topic && n < topic->n_partitions; n++) {
			kdr_dr_offsets_set(&src_want, sf->mirrored[i].topic, (int32_t)n, -1);
			kdr_dr_offsets_set(&dst_want, sf->mirrored[i].remote, (int32_t)n, -1);
		}
	}
	exec.timeout_ms = (int)source.timeout_ms;
	if (kdr_executor_end_offsets(&src_ends, kdr_desired_cluster(&desired, flow->source), &src_want, &exec) != 0 ||
	    kdr_executor_end_offsets(&dst_ends, kdr_desired_cluster(&desired, flow->target), &dst_want, &exec) != 0) {
		fprintf(stderr, "kdr lag: log-end offsets: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	kdr_dr_offset_syncs_location(flow, &syncs_cluster, &syncs_topic);
	if (!kdr_live_topic_find(kdr_live_cluster_find(&p.live, syncs_cluster), syncs_topic))
		fprintf(stderr, "kdr lag: offset-syncs topic '%s' does not exist on '%s': lag unknown until MM2 "
				"replicates\n",
			syncs_topic, syncs_cluster);
	else if (kdr_executor_read_syncs(&syncs, kdr_desired_cluster(&desired, syncs_cluster), syncs_topic, &exec) != 0)
		fprintf(stderr, "kdr lag: reading '%s' on '%s': %s\n", syncs_topic, syncs_cluster, kdr_error_message());
	else if (syncs.corrupt)
		fprintf(stderr, "kdr lag: '%s': %zu record(s) are not MM2 offset-syncs and were skipped (first: %s)\n",
			syncs_topic, syncs.corrupt, syncs.first_error);

	in.flow = flow;
	in.topics = &topics;
	in.remote_topics = remotes;
	in.source = source_live;
	in.source_ends = &src_ends;
	in.target_ends = &dst_ends;
	in.syncs = &syncs;
	in.newest_heartbeat_ms = newest_heartbeat(kdr_desired_cluster(&desired, flow->target), flow, &exec);
	in.now_ms = wall_ms();
	in.threshold_ms = max_rpo;
	/* Once for the replicated offsets, then with the timestamps of the first unreplicated records. */
	kdr_dr_lag_compute(&report, &in);
	for (size_t i = 0; i < report.n_rows; i++)
		if (report.rows[i].lag > 0)
			kdr_dr_offsets_set(&first, report.rows[i].topic, report.rows[i].partition, report.rows[i].replicated);
	kdr_dr_offsets_sort(&first);
	if (first.n && kdr_executor_record_timestamps(&first, kdr_desired_cluster(&desired, flow->source), &exec) != 0)
		fprintf(stderr, "kdr lag: record timestamps on '%s': %s\n", flow->source, kdr_error_message());
	in.first_unreplicated = &first;
	in.now_ms = wall_ms();
	kdr_dr_lag_report_release(&report);
	kdr_dr_lag_compute(&report, &in);
	if (json)
		kdr_dr_lag_render_json(&out, &report);
	else
		kdr_dr_lag_render_text(&out, &report);
	fwrite(out.ptr, 1, out.len, stdout);
	exit_code = report.over ? KDR_EXIT_ERROR : KDR_EXIT_OK;
cleanup:
	kdr_buf_release(&out);
	kdr_dr_lag_report_release(&report);
	kdr_dr_syncs_release(&syncs);
	kdr_dr_offsets_release(&src_want);
	kdr_dr_offsets_release(&dst_want);
	kdr_dr_offsets_release(&src_ends);
	kdr_dr_offsets_release(&dst_ends);
	kdr_dr_offsets_release(&first);
	free(remotes);
	free(syncs_topic);
	kdr_status_release(&status);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	kdr_strvec_release(&clusters);
	kdr_strvec_release(&topics);
	return exit_code;
}
