/*
 * bench_reconcile: the DESIGN.md §8 benchmark (run by hack/bench.sh).
 *
 *   bench_reconcile [--kdr PATH] [--topics N] [--baseline-topics N] [--clusters N]
 *                   [--brokers N] [--racks N] [--policies N] [--kdr-timeout DURATION]
 *                   [--step-timeout SECONDS] [--repeat N] [--keep]
 *
 * Starts an in-process sandbox (clusters x brokers, brokers spread over the
 * racks), writes a desired-state directory declaring N topics on every
 * cluster (--policies TopicPolicies sharing them, 500 each by default,
 * partitions 3..12, RF 3, a few configs), and runs the kdr binary as a child
 * for
 *   1. kdr apply DIR --yes                  (first apply: creates every topic)
 *   2. kdr plan DIR --detailed-exitcode     (no-change plan, --repeat times: must exit 0)
 * measuring each step's wall time, the child's CPU time and peak RSS (wait4),
 * the sandbox's CPU time (this process: the brokers are its threads) and the
 * sandbox's request counters per cluster and API (reset before each step).
 *
 * "Requests per cluster do not grow with the topic count" is checked, not
 * assumed: the same steps first run over --baseline-topics (default 2048)
 * topics in a fresh sandbox, and the counts must not be higher at N. kdr
 * sends one DescribeConfigs per 32 topics up to its cap of 64 requests, and
 * one CreateTopics per 32 topics up to 32 (pkg/kafka/kafka.h), reached at
 * 2,048 topics: a baseline below that shows the ramp, not growth.
 *
 * Prints a markdown table and one PASS/FAIL line per target. Exit status: 0
 * every target met, 1 a target missed, 2 usage error or the benchmark could
 * not run. KDR_BIN names the kdr binary when --kdr is not given;
 * KDR_BENCH_WRAP="perf record -g -o FILE --" runs the main scenario's plans
 * under a profiler.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "util/buf.h"
#include "util/error.h"

enum bench_exit {
	BENCH_EXIT_OK = 0,
	BENCH_EXIT_MISSED = 1,
	BENCH_EXIT_ERROR = 2,
};

/* DESIGN.md §8. */
#define BENCH_PLAN_WALL_S 1.0
#define BENCH_PLAN_RSS_MIB 64.0

#define BENCH_MAX_CLUSTERS 8
#define BENCH_MAX_RACKS 16

/* The APIs shown, by Kafka API key; -1 is every request. */
static const struct bench_api {
	int key;
	const char *name;
} bench_apis[] = {
	{ 3, "Metadata" },      { 32, "DescribeConfigs" }, { 19, "CreateTopics" }, { 37, "CreatePartitions" },
	{ 33, "AlterConfigs" }, { 20, "DeleteTopics" },    { 18, "ApiVersions" },  { -1, "all" },
};
#define BENCH_N_APIS (sizeof(bench_apis) / sizeof(bench_apis[0]))
#define BENCH_API_METADATA 0
#define BENCH_API_DESCRIBE_CONFIGS 1
#define BENCH_API_CREATE_TOPICS 2
#define BENCH_API_FIRST_MUTATING 2 /* CreateTopics .. DeleteTopics */
#define BENCH_API_LAST_MUTATING 5

struct bench_config {
	const char *kdr;
	size_t topics;
	size_t baseline_topics;
	size_t clusters;
	int brokers;
	size_t racks;
	size_t policies;
	const char *kdr_timeout; /* --timeout for kdr; NULL: kdr's default */
	int step_timeout_s;
	size_t repeat; /* no-change plans of the main scenario */
	bool keep;
};

/* Steps of one scenario: the first apply, then the no-change plans. */
#define BENCH_MAX_REPEAT 20
#define BENCH_MAX_STEPS (2 * (1 + BENCH_MAX_REPEAT))

struct bench_step {
	char name[48];
	size_t topics;
	int exit_code; /* the child's, or -signal */
	double wall_s;
	double kdr_cpu_s;
	double sandbox_cpu_s;
	double rss_mib;
	uint64_t requests[BENCH_MAX_CLUSTERS][BENCH_N_APIS];
};

/* The running child, for the step timeout (SIGALRM kills it). */
static volatile sig_atomic_t bench_child = 0;

static void on_alarm(int sig)
{
	(void)sig;
	if (bench_child > 0)
		kill((pid_t)bench_child, SIGKILL);
}

static double seconds(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

static double cpu_seconds(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 + (double)ru->ru_stime.tv_sec +
	       (double)ru->ru_stime.tv_usec / 1e6;
}

static void cluster_name(char *out, size_t size, size_t c)
{
	snprintf(out, size, "bench-%zu", c + 1);
}

static int write_file(const char *dir, const char *name, const struct kdr_buf *text)
{
	char path[4096] = "";
	FILE *f = NULL;
	int error = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return kdr_error_set(KDR_EINVALID, "cannot write '%s': %s", path, strerror(errno));
	if (fwrite(text->ptr, 1, text->len, f) != text->len)
		error = kdr_error_set(KDR_EINVALID, "cannot write '%s': %s", path, strerror(errno));
	if (fclose(f) != 0 && !error)
		error = kdr_error_set(KDR_EINVALID, "cannot write '%s': %s", path, strerror(errno));
	return error;
}

/*
 * The desired state: one KafkaCluster per sandbox cluster, and `policies`
 * TopicPolicies sharing the topics, each on every cluster. Partitions vary
 * 3..12 so that placement and Metadata see realistic shapes; every tenth
 * topic has a config of its own on top of the policy's.
 */
static int write_desired(const char *dir, struct kdr_sandbox *sandbox, const struct bench_config *cfg, size_t topics)
{
	struct kdr_buf text = KDR_BUF_INIT;
	char name[32] = "";
	size_t policies = cfg->policies;
	size_t per_policy = 0, next = 0;
	int error = 0;

	if (policies > topics)
		policies = topics ? topics : 1;
	per_policy = (topics + policies - 1) / policies;
	for (size_t c = 0; c < cfg->clusters; c++) {
		cluster_name(name, sizeof(name), c);
		kdr_buf_printf(&text,
			       "%sapiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: %s\nspec:\n"
			       "  bootstrapServers: %s\n",
			       c ? "---\n" : "", name, kdr_sandbox_bootstrap(sandbox, name));
	}
	if ((error = write_file(dir, "clusters.yaml", &text)))
		goto cleanup;
	for (size_t p = 0; p < policies && next < topics; p++) {
		char file[64] = "";

		kdr_buf_reset(&text);
		kdr_buf_printf(&text, "apiVersion: kdr.io/v1alpha1\nkind: TopicPolicy\nmetadata:\n  name: bench-%02zu\n"
				      "spec:\n  clusters: [",
			       p);
		for (size_t c = 0; c < cfg->clusters; c++) {
			cluster_name(name, sizeof(name), c);
			kdr_buf_printf(&text, "%s%s", c ? ", " : "", name);
		}
		kdr_buf_printf(&text, "]\n  partitions: 6\n  replicationFactor: 3\n  config:\n"
				      "    min.insync.replicas: \"2\"\n    retention.ms: \"%d\"\n  topics:\n",
			       604800000 + (int)p);
		for (size_t i = 0; i < per_policy && next < topics; i++, next++) {
			kdr_buf_printf(&text, "    - name: bench.p%02zu.topic-%06zu\n      partitions: %zu\n", p, next,
				       3 + next % 10);
			if (next % 10 == 0)
				kdr_buf_puts(&text, "      config: {cleanup.policy: compact}\n");
		}
		snprintf(file, sizeof(file), "topics-%02zu.yaml", p);
		if ((error = write_file(dir, file, &text)))
			goto cleanup;
	}
cleanup:
	kdr_buf_release(&text);
	return error;
}

/*
 * Runs kdr with `args` (argv[0] excluded), stdout and stderr to
 * DIR/<log>.out and DIR/<log>.err, and fills the step's timings. The
 * sandbox's CPU time is this process's over the step: its main thread only
 * waits meanwhile, so that is the brokers' work.
 */
static int run_kdr(struct bench_step *step, const struct bench_config *cfg, const char *dir, const char *log,
		   const char *const *args, size_t n_args, bool wrap_step)
{
	char out_path[4096] = "", err_path[4096] = "";
	const char *argv[48] = { NULL };
	char wrap[1024] = "";
	size_t n_argv = 0;
	struct timespec t0 = { 0, 0 }, t1 = { 0, 0 };
	struct rusage self0 = { 0 }, self1 = { 0 }, child = { 0 };
	int status = 0;
	pid_t pid = 0, got = 0;

	/*
	 * KDR_BENCH_WRAP="perf record -g -o FILE --" runs kdr's plans under a
	 * profiler (words split on spaces); the figures then include it.
	 */
	if (wrap_step && getenv("KDR_BENCH_WRAP"))
		snprintf(wrap, sizeof(wrap), "%s", getenv("KDR_BENCH_WRAP"));
	for (char *save = NULL, *word = strtok_r(wrap, " ", &save); word; word = strtok_r(NULL, " ", &save))
		if (n_argv < 32)
			argv[n_argv++] = word;
	if (n_argv + n_args + 2 > sizeof(argv) / sizeof(argv[0]))
		return kdr_error_set(KDR_EINVALID, "too many arguments");
	argv[n_argv++] = cfg->kdr;
	for (size_t i = 0; i < n_args; i++)
		argv[n_argv++] = args[i];
	snprintf(out_path, sizeof(out_path), "%s/%s.out", dir, log);
	snprintf(err_path, sizeof(err_path), "%s/%s.err", dir, log);

	getrusage(RUSAGE_SELF, &self0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return kdr_error_set(KDR_EUNAVAILABLE, "fork: %s", strerror(errno));
	if (pid == 0) {
		int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null_fd = open("/dev/null", O_RDONLY);

		if (out_fd < 0 || err_fd < 0 || null_fd < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0 ||
		    dup2(null_fd, 0) < 0)
			_exit(127);
		/*
		 * execvp: KDR_BENCH_WRAP's profiler is found on PATH. Its
		 * prototype predates const; the strings are not modified.
		 */
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		dprintf(2, "bench: exec '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	bench_child = pid;
	alarm((unsigned)cfg->step_timeout_s);
	do {
		got = wait4(pid, &status, 0, &child);
	} while (got < 0 && errno == EINTR);
	alarm(0);
	bench_child = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &self1);
	if (got < 0)
		return kdr_error_set(KDR_EUNAVAILABLE, "wait4: %s", strerror(errno));

	step->wall_s = seconds(&t1) - seconds(&t0);
	step->kdr_cpu_s = cpu_seconds(&child);
	step->sandbox_cpu_s = cpu_seconds(&self1) - cpu_seconds(&self0);
	/* Linux reports ru_maxrss in KiB. */
	step->rss_mib = (double)child.ru_maxrss / 1024.0;
	step->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	return 0;
}

static void print_tail(const char *dir, const char *log, const char *suffix)
{
	char path[4096] = "";
	char line[1024] = "";
	long size = 0;
	FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, log, suffix);
	f = fopen(path, "r");
	if (!f)
		return;
	/* The last few KiB are enough to see why a step failed. */
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size > 4096)
		fseek(f, size - 4096, SEEK_SET);
	else
		rewind(f);
	fprintf(stderr, "---- %s ----\n", path);
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fclose(f);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * Runs the first apply then `plans` no-change plans over `topics` topics in
 * a fresh sandbox; fills steps[0..plans].
 */
static int run_scenario(struct bench_step *steps, const struct bench_config *cfg, size_t topics, size_t plans,
			const char *label)
{
	struct kdr_sandbox_cluster_spec specs[BENCH_MAX_CLUSTERS] = { { 0 } };
	char names[BENCH_MAX_CLUSTERS][32] = { { 0 } };
	char rack_names[BENCH_MAX_CLUSTERS][BENCH_MAX_RACKS][64] = { { { 0 } } };
	const char *racks[BENCH_MAX_CLUSTERS][BENCH_MAX_RACKS] = { { NULL } };
	struct kdr_sandbox *sandbox = NULL;
	const char *tmp = getenv("TMPDIR");
	char dir[4096] = "";
	char log[64] = "";
	int error = 0;

	for (size_t c = 0; c < cfg->clusters; c++) {
		cluster_name(names[c], sizeof(names[c]), c);
		for (size_t r = 0; r < cfg->racks; r++) {
			snprintf(rack_names[c][r], sizeof(rack_names[c][r]), "%s-rack-%zu", names[c], r + 1);
			racks[c][r] = rack_names[c][r];
		}
		specs[c].name = names[c];
		specs[c].brokers = cfg->brokers;
		specs[c].racks = racks[c];
		specs[c].n_racks = cfg->racks;
	}
	snprintf(dir, sizeof(dir), "%s/kdr-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return kdr_error_set(KDR_EINVALID, "mkdtemp '%s': %s", dir, strerror(errno));
	if ((error = kdr_sandbox_start(&sandbox, specs, cfg->clusters)))
		goto cleanup;
	if ((error = write_desired(dir, sandbox, cfg, topics)))
		goto cleanup;

	for (size_t s = 0; s < 1 + plans; s++) {
		struct bench_step *step = &steps[s];
		const char *args[6] = { s == 0 ? "apply" : "plan", dir, s == 0 ? "--yes" : "--detailed-exitcode",
					NULL, NULL, NULL };
		size_t n_args = 3;

		if (cfg->kdr_timeout) {
			args[n_args++] = "--timeout";
			args[n_args++] = cfg->kdr_timeout;
		}
		if (s == 0)
			snprintf(step->name, sizeof(step->name), "apply (first)");
		else if (plans == 1)
			snprintf(step->name, sizeof(step->name), "plan (no change)");
		else
			snprintf(step->name, sizeof(step->name), "plan (no change) #%zu", s);
		step->topics = topics;
		snprintf(log, sizeof(log), "%s-%s%zu", label, s == 0 ? "apply" : "plan", s);
		for (size_t c = 0; c < cfg->clusters; c++)
			kdr_sandbox_reset_counters(sandbox, names[c]);
		fprintf(stderr, "bench: %s: %zu topics x %zu clusters: kdr %s ...\n", label, topics, cfg->clusters,
			args[0]);
		if ((error = run_kdr(step, cfg, dir, log, args, n_args, s > 0 && strcmp(label, "main") == 0)))
			goto cleanup;
		for (size_t c = 0; c < cfg->clusters; c++)
			for (size_t a = 0; a < BENCH_N_APIS; a++)
				step->requests[c][a] = kdr_sandbox_request_count(sandbox, names[c], bench_apis[a].key);
		fprintf(stderr, "bench: %s: kdr %s: exit %d, %.2f s wall, %.1f MiB peak RSS\n", label, args[0],
			step->exit_code, step->wall_s, step->rss_mib);
		/* apply must succeed; plan must find nothing to do (0), 2 is "changes pending". */
		if (step->exit_code != 0) {
			print_tail(dir, log, "err");
			print_tail(dir, log, "out");
		}
	}

cleanup:
	kdr_sandbox_stop(sandbox);
	if (cfg->keep)
		fprintf(stderr, "bench: %s: desired state and kdr output kept in %s\n", label, dir);
	else
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return error;
}

static void print_requests(const struct bench_step *step, const struct bench_config *cfg, size_t api)
{
	printf(" ");
	for (size_t c = 0; c < cfg->clusters; c++)
		printf("%s%" PRIu64, c ? " / " : "", step->requests[c][api]);
	printf(" |");
}

static void print_table(const struct bench_step *steps, size_t n, const struct bench_config *cfg)
{
	printf("\n| step | topics per cluster | exit | wall s | kdr CPU s | sandbox CPU s | kdr peak RSS MiB |");
	for (size_t a = 0; a < BENCH_N_APIS; a++)
		printf(" %s |", bench_apis[a].name);
	printf("\n|---|---:|---:|---:|---:|---:|---:|");
	for (size_t a = 0; a < BENCH_N_APIS; a++)
		printf("---:|");
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		const struct bench_step *step = &steps[i];

		printf("| %s | %zu | %d | %.2f | %.2f | %.2f | %.1f |", step->name, step->topics, step->exit_code,
		       step->wall_s, step->kdr_cpu_s, step->sandbox_cpu_s, step->rss_mib);
		for (size_t a = 0; a < BENCH_N_APIS; a++)
			print_requests(step, cfg, a);
		printf("\n");
	}
	printf("\nRequests are per cluster (");
	for (size_t c = 0; c < cfg->clusters; c++)
		printf("%sbench-%zu", c ? " / " : "", c + 1);
	printf("), counted by the sandbox; %zu clusters x %d brokers over %zu racks.\n", cfg->clusters, cfg->brokers,
	       cfg->racks);
}

static bool report(const char *target, bool pass, const char *detail)
{
	printf("%s  %s (%s)\n", pass ? "PASS" : "FAIL", target, detail);
	return pass;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Appends to `detail` (bounded). */
static void detail_add(char *detail, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void detail_add(char *detail, size_t size, const char *fmt, ...)
{
	size_t len = strlen(detail);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(detail + len, size - len, fmt, ap);
	va_end(ap);
}

static uint64_t mutating(const struct bench_step *step, size_t c)
{
	uint64_t n = 0;

	for (size_t a = BENCH_API_FIRST_MUTATING; a <= BENCH_API_LAST_MUTATING; a++)
		n += step->requests[c][a];
	return n;
}

/*
 * Whether a no-change plan's admin requests per cluster at N are those at
 * the baseline size: the same DescribeConfigs count, no mutating request,
 * and Metadata within what librdkafka adds by itself (a brokers-only
 * Metadata on some new broker connections, so at most one per broker,
 * varying from run to run with connection timing, never with topics).
 */
static bool plan_requests_flat(char *detail, size_t size, const struct bench_step *big,
			       const struct bench_step *base, const struct bench_config *cfg)
{
	bool pass = true;

	detail[0] = '\0';
	for (size_t c = 0; c < cfg->clusters; c++) {
		uint64_t md = big->requests[c][BENCH_API_METADATA], md0 = base->requests[c][BENCH_API_METADATA];
		uint64_t dc = big->requests[c][BENCH_API_DESCRIBE_CONFIGS];
		uint64_t dc0 = base->requests[c][BENCH_API_DESCRIBE_CONFIGS];

		pass = pass && dc == dc0 && md <= md0 + (uint64_t)cfg->brokers && mutating(big, c) == 0;
		detail_add(detail, size, "%sbench-%zu: Metadata %" PRIu64 ", DescribeConfigs %" PRIu64
			   ", mutating %" PRIu64 " at %zu topics vs %" PRIu64 ", %" PRIu64 " at %zu",
			   c ? "; " : "", c + 1, md, dc, mutating(big, c), big->topics, md0, dc0, base->topics);
	}
	return pass;
}

static bool check_targets(const struct bench_step *steps, size_t n_steps, bool have_baseline,
			  const struct bench_config *cfg)
{
	const struct bench_step *base_apply = have_baseline ? &steps[0] : NULL;
	const struct bench_step *base_plan = have_baseline ? &steps[1] : NULL;
	const struct bench_step *apply = &steps[have_baseline ? 2 : 0];
	const struct bench_step *plans = apply + 1;
	size_t n_plans = (size_t)(steps + n_steps - plans);
	double walls[BENCH_MAX_REPEAT] = { 0 };
	double rss = 0;
	bool exits_ok = true, flat = true, batched = true;
	char detail[1024] = "";
	bool all = true;

	for (size_t i = 0; i < n_plans; i++) {
		walls[i] = plans[i].wall_s;
		rss = plans[i].rss_mib > rss ? plans[i].rss_mib : rss;
		exits_ok = exits_ok && plans[i].exit_code == 0;
	}
	qsort(walls, n_plans, sizeof(walls[0]), compare_double);

	printf("\nTargets (DESIGN.md §8), %zu topics per cluster, %zu no-change plan run(s):\n", apply->topics, n_plans);
	snprintf(detail, sizeof(detail), "exit %d", apply->exit_code);
	all &= report("apply succeeds", apply->exit_code == 0, detail);
	snprintf(detail, sizeof(detail), "every run exits 0; 2 would mean changes pending");
	all &= report("plan after apply finds no change", exits_ok, detail);
	snprintf(detail, sizeof(detail), "best %.3f s, median %.3f s, worst %.3f s; judged on the best, since other "
		 "processes on the machine only add to it", walls[0], walls[n_plans / 2], walls[n_plans - 1]);
	all &= report("no-change plan under 1 s wall", walls[0] < BENCH_PLAN_WALL_S, detail);
	snprintf(detail, sizeof(detail), "%.1f MiB, the highest of the runs", rss);
	all &= report("no-change plan under 64 MiB peak RSS", rss < BENCH_PLAN_RSS_MIB, detail);
	if (!have_baseline) {
		printf("SKIP  request growth (no baseline: --baseline-topics 0)\n");
		return all;
	}
	for (size_t i = 0; i < n_plans; i++)
		flat = plan_requests_flat(detail, sizeof(detail), &plans[i], base_plan, cfg) && flat;
	all &= report("no-change plan: admin requests per cluster do not grow with the topic count", flat, detail);
	detail[0] = '\0';
	for (size_t c = 0; c < cfg->clusters; c++) {
		uint64_t n = apply->requests[c][BENCH_API_CREATE_TOPICS];
		uint64_t n0 = base_apply->requests[c][BENCH_API_CREATE_TOPICS];

		batched = batched && n >= 1 && n <= n0;
		detail_add(detail, sizeof(detail), "%sbench-%zu: %" PRIu64 " CreateTopics for %zu topics vs %" PRIu64
			   " for %zu", c ? "; " : "", c + 1, n, apply->topics, n0, base_apply->topics);
	}
	all &= report("apply: batched CreateTopics (requests per cluster do not grow with the topic count)", batched,
		      detail);
	return all;
}

/* /proc/loadavg's first three fields: how busy the machine was (its other processes share the cores). */
static const char *load_average(void)
{
	static char text[64];
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(text, sizeof(text), "?");
	if (f) {
		double a = 0, b = 0, c = 0;

		if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
			snprintf(text, sizeof(text), "%.2f %.2f %.2f", a, b, c);
		fclose(f);
	}
	return text;
}

static void print_machine(const struct bench_config *cfg)
{
	char line[512] = "";
	char model[256] = "?";
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		const char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon) {
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
	printf("Machine: %ld CPUs online, %s; load average before the run: %s\n", sysconf(_SC_NPROCESSORS_ONLN), model,
	       load_average());
	printf("kdr: %s; sandbox: %zu clusters x %d brokers over %zu racks, in this process\n", cfg->kdr, cfg->clusters,
	       cfg->brokers, cfg->racks);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_reconcile [--kdr PATH] [--topics N] [--baseline-topics N] [--clusters N]\n"
		   "                       [--brokers N] [--racks N] [--policies N] [--kdr-timeout DURATION]\n"
		   "                       [--step-timeout SECONDS] [--repeat N] [--keep]\n"
		   "defaults: KDR_BIN, 10000 topics per cluster, baseline 2048, 2 clusters x 6 brokers over 3 racks,\n"
		   "20 policies, kdr's own timeout, 600 s per step, 3 no-change plans\n");
}

static bool parse_count(size_t *out, const char *text, size_t min, size_t max)
{
	char *end = NULL;
	unsigned long long value = 0;

	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || end == text || *end || value < min || value > max)
		return false;
	*out = (size_t)value;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "kdr", required_argument, NULL, 'k' },
		{ "topics", required_argument, NULL, 't' },
		{ "baseline-topics", required_argument, NULL, 'b' },
		{ "clusters", required_argument, NULL, 'c' },
		{ "brokers", required_argument, NULL, 'B' },
		{ "racks", required_argument, NULL, 'r' },
		{ "policies", required_argument, NULL, 'p' },
		{ "kdr-timeout", required_argument, NULL, 'T' },
		{ "step-timeout", required_argument, NULL, 's' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "keep", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_config cfg = { getenv("KDR_BIN"), 10000, 2048, 2, 6, 3, 20, NULL, 600, 3, false };
	struct bench_step steps[BENCH_MAX_STEPS];
	struct sigaction sa = { 0 };
	size_t n_steps = 0, value = 0;
	bool have_baseline = false;
	int opt = 0;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		bool ok = true;

		switch (opt) {
		case 'k':
			cfg.kdr = optarg;
			break;
		case 't':
			ok = parse_count(&cfg.topics, optarg, 1, 1000000);
			break;
		case 'b':
			ok = parse_count(&cfg.baseline_topics, optarg, 0, 1000000);
			break;
		case 'c':
			ok = parse_count(&cfg.clusters, optarg, 1, BENCH_MAX_CLUSTERS);
			break;
		case 'B':
			ok = parse_count(&value, optarg, 3, 1000);
			cfg.brokers = (int)value;
			break;
		case 'r':
			ok = parse_count(&cfg.racks, optarg, 1, BENCH_MAX_RACKS);
			break;
		case 'p':
			ok = parse_count(&cfg.policies, optarg, 1, 10000);
			break;
		case 'T':
			cfg.kdr_timeout = optarg;
			break;
		case 's':
			ok = parse_count(&value, optarg, 1, 86400);
			cfg.step_timeout_s = (int)value;
			break;
		case 'R':
			ok = parse_count(&cfg.repeat, optarg, 1, BENCH_MAX_REPEAT);
			break;
		case 'K':
			cfg.keep = true;
			break;
		case 'h':
			usage(stdout);
			return BENCH_EXIT_OK;
		default:
			ok = false;
			break;
		}
		if (!ok) {
			usage(stderr);
			return BENCH_EXIT_ERROR;
		}
	}
	if (optind != argc || !cfg.kdr || !*cfg.kdr) {
		usage(stderr);
		fprintf(stderr, "bench: %s\n", optind != argc ? "unexpected argument" : "no kdr binary (--kdr or KDR_BIN)");
		return BENCH_EXIT_ERROR;
	}
	if (access(cfg.kdr, X_OK) != 0) {
		fprintf(stderr, "bench: '%s' is not executable: %s\n", cfg.kdr, strerror(errno));
		return BENCH_EXIT_ERROR;
	}
	memset(steps, 0, sizeof(steps));
	print_machine(&cfg);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	have_baseline = cfg.baseline_topics > 0;
	if (have_baseline && cfg.baseline_topics < 2048)
		fprintf(stderr, "bench: warning: below 2,048 topics kdr's request count still ramps up (one request "
				"per 32 topics, pkg/kafka/kafka.h); a baseline of %zu topics will show that ramp as growth\n",
			cfg.baseline_topics);
	if (have_baseline) {
		if (run_scenario(&steps[0], &cfg, cfg.baseline_topics, 1, "baseline") != 0) {
			fprintf(stderr, "bench: baseline: %s\n", kdr_error_message());
			return BENCH_EXIT_ERROR;
		}
		n_steps = 2;
	}
	if (run_scenario(&steps[n_steps], &cfg, cfg.topics, cfg.repeat, "main") != 0) {
		fprintf(stderr, "bench: %s\n", kdr_error_message());
		return BENCH_EXIT_ERROR;
	}
	n_steps += 1 + cfg.repeat;
	print_table(steps, n_steps, &cfg);
	printf("Load average after the run: %s\n", load_average());
	return check_targets(steps, n_steps, have_baseline, &cfg) ? BENCH_EXIT_OK : BENCH_EXIT_MISSED;
}
