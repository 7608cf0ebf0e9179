/* kdr run: parses, opens the source and hands it to the reconcile loop (pkg/controller). */
#include <inttypes.h>
#include <stdio.h>

#include "args.h"
#include "controller/controller.h"
#include "k8s/k8s.h"
#include "util/error.h"

#define DEFAULT_LISTEN "127.0.0.1:9464"
/* What a bad --interval, --poll, --timeout or --lag-interval is told. */
#define DURATION_EXAMPLES "(e.g. 60s, 500ms, 5m)"

struct run_args {
	struct kdr_controller_options options;
	int64_t poll_ms; /* --poll; 0: not given (the default depends on the source) */
	bool no_leader_election;
	const char *lease_namespace;
};

static const struct kdr_cli_option run_options[] = {
	{ "interval", KDR_CLI_POSITIVE_MS(struct run_args, options.interval_ms, DURATION_EXAMPLES), 0, "DURATION",
	  "resync period (default 60s)" },
	{ "poll", KDR_CLI_POSITIVE_MS(struct run_args, poll_ms, DURATION_EXAMPLES), 0, "DURATION",
	  "how often the source is checked for changes (default 5s)" },
	{ "dry-run", KDR_CLI_TRUE(struct run_args, options.dry_run), 0, NULL, "plan and report drift; never apply" },
	{ "listen", KDR_CLI_ARG(struct run_args, options.listen), 0, "ADDR:PORT",
	  "serve /metrics, /healthz, /readyz (default " DEFAULT_LISTEN ")" },
	{ "log-format", KDR_CLI_ENUM(struct run_args, options.log_format, kdr_controller_log_format_names), 0, "F",
	  "text (default) or json" },
	{ "once", KDR_CLI_TRUE(struct run_args, options.once), 0, NULL,
	  "run one cycle and exit (0 success, 1 failure, 2 something pending)" },
	KDR_CLI_OPTION_CLUSTER("reconcile only cluster C (repeatable)"),
	{ "allow-delete", KDR_CLI_TRUE(struct run_args, options.allow_delete), 0, NULL,
	  "carry out the deletions of 'prune: true' policies" },
	/* Not the shared --timeout: its message differs, and 0 (the adapters' defaults) is run's default. */
	{ "timeout", KDR_CLI_POSITIVE_MS(struct run_args, options.timeout_ms, DURATION_EXAMPLES), 0, "DURATION",
	  KDR_CLI_TIMEOUT_HELP },
	{ "lag-interval", KDR_CLI_POSITIVE_MS_OR_0(struct run_args, options.lag_interval_ms, DURATION_EXAMPLES), 0,
	  "DURATION",
	  "measure the flows' replication lag (metrics, status) at most\n"
	  "this often, serving the last figures between (default 60s;\n"
	  "0: never; each measurement reads every flow's offset-syncs)" },
	{ "lease-namespace", KDR_CLI_ARG(struct run_args, lease_namespace), 0, "NS",
	  "with --k8s: the namespace of the leader Lease 'kdr-leader'\n"
	  "(default: --namespace, else the kubeconfig's or the pod's)" },
	{ "no-leader-election", KDR_CLI_TRUE(struct run_args, no_leader_election), 0, NULL,
	  "with --k8s: act without holding the Lease (one replica only;\nimplied by --once)" },
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec run_spec = {
	KDR_CLI_DIR_COMMAND("run", run_options),
	.description =
		"Reconciles continuously: reads the desired state (DIR, default '.', or a Git ref), reads the\n"
		"live clusters, plans, logs the plan, applies it, and repeats every --interval (jittered by\n"
		"+-10%) to repair drift. The source is checked every --poll (for a remote Git repository\n"
		"each check is a fetch); a changed document (DIR: by content hash) or a new commit on the\n"
		"ref starts a cycle at once. A revision that does not parse or validate is reported and\n"
		"never applied; the last good desired state stays in effect. A cluster that cannot be read\n"
		"or whose actions fail backs off exponentially (5s .. 5m) without holding up the others.\n"
		"Logs go to stderr, one line per event and a summary line per cycle; secrets are never\n"
		"logged.\n"
		"HTTP on --listen (default " DEFAULT_LISTEN "; with --once only when given): /metrics\n"
		"(Prometheus text format), /healthz (200 while the loop runs), /readyz (200 once a cycle\n"
		"succeeded). With --k8s, replicas elect a leader through a coordination.k8s.io Lease: only\n"
		"the holder applies and writes status; the others plan and wait.\n"
		"SIGTERM or SIGINT finishes the current cycle and exits 0 (a second one exits\n"
		"at once).\n"
		"Exit status: 0 stopped by a signal, or --once and the cycle succeeded with nothing pending;\n"
		"1 --once and the cycle failed, or the loop could not start; 2 --once (not --dry-run) and the\n"
		"cycle left held, pending or blocked items; 64 usage error.",
};

/*
 * --once follows apply's rule (README, exit status): a cycle that left held
 * or pending actions or blocked items did its job with something pending, 2.
 * A --dry-run cycle is a report, like plan without --detailed-exitcode: 0.
 */
static int once_result(struct kdr_controller *ctl)
{
	struct kdr_controller_stats stats = { 0 };
	int exit_code = KDR_EXIT_OK;

	kdr_controller_stats_copy(&stats, ctl);
	if (stats.pending_items > 0) {
		fprintf(stderr,
			"kdr run: %" PRIu64 " item(s) pending after the cycle (held or not yet reported by Connect, or "
			"blocked for a person: see the cycle's log lines)\n",
			stats.pending_items);
		exit_code = KDR_EXIT_CHANGES;
	}
	kdr_controller_stats_release(&stats);
	return exit_code;
}

int kdr_cmd_run(int argc, char **argv)
{
	struct run_args a = { .options = KDR_CONTROLLER_OPTIONS_INIT };
	struct kdr_cli_args args;
	struct kdr_controller_options options;
	struct kdr_source source = { NULL, NULL };
	struct kdr_k8s_source_options k8s = { 0 };
	struct kdr_controller *ctl = NULL;
	int exit_code = KDR_EXIT_OK;

	kdr_controller_process_init(); /* before any thread starts */
	exit_code = kdr_cli_parse(&args, &run_spec, argc, argv, NULL, &a);
	if (exit_code != KDR_EXIT_OK || args.help)
		goto cleanup;
	options = a.options;
	/* A CronJob (--once) gets no listener unless it asks: two of them must not fight over a port. */
	if (!options.listen && !options.once)
		options.listen = DEFAULT_LISTEN;
	options.clusters = (const char *const *)args.clusters.v;
	options.n_clusters = args.clusters.n;

	/* An object's change must wake the loop within a second: the check is an in-memory hash. */
	if (a.poll_ms)
		options.poll_ms = a.poll_ms;
	else if (args.src.k8s)
		options.poll_ms = 500;
	/* A single cycle (a CronJob) does not wait for a Lease. */
	k8s.leader_election = !a.no_leader_election && !options.once;
	k8s.lease_namespace = a.lease_namespace;
	if (kdr_k8s_source_open(&source, &args.src, 0, options.timeout_ms, &k8s) != 0 ||
	    kdr_controller_new(&ctl, &source, &options) != 0) {
		fprintf(stderr, "kdr run: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	exit_code = kdr_controller_run_until_signalled(ctl) == 0 ? KDR_EXIT_OK : KDR_EXIT_ERROR;
	if (exit_code == KDR_EXIT_OK && options.once)
		exit_code = once_result(ctl);
cleanup:
	kdr_controller_free(ctl);
	kdr_source_release(&source);
	kdr_cli_args_release(&args);
	return exit_code;
}
