/*
 * bench_reconcile: the DESIGN.md §8 and issue 15 benchmark (run by hack/bench.sh).
 *
 *   bench_reconcile [--kdr PATH] [--per-topic PATH] [--sizes N,N,...] [--clusters N]
 *                   [--brokers N] [--racks N] [--policies N] [--kdr-timeout DURATION]
 *                   [--step-timeout SECONDS] [--repeat N] [--many-clusters N]
 *                   [--many-topics N] [--baseline-topics N] [--no-instructions]
 *                   [--loop-seconds N] [--keep]
 *
 * For each size (topics per cluster, default 1000,10000,30000,100000) it
 * starts a fresh in-process sandbox (clusters x brokers, brokers spread over
 * the racks), writes a desired-state directory declaring that many topics on
 * every cluster (--policies TopicPolicies sharing them, partitions 3..12, RF
 * 3, a few configs), and runs the kdr binary as a child for
 *   1. kdr apply DIR --yes                   (creates every topic from empty)
 *   2. kdr plan DIR --detailed-exitcode      (no change, --repeat times: exit 0)
 *   3. the same plan under callgrind         (instructions, deterministic)
 *   4. one topic's partitions raised by one  (a 1-topic change, --repeat times: exit 2;
 *                                             under callgrind too at the baseline size)
 * and at --baseline-topics (default 10000, one of the sizes) the per-topic
 * baseline (bench_per_topic: one Metadata and one DescribeConfigs per topic)
 * next to kdr plan, with 0 and then 1 ms of latency injected per request,
 * then kdr run --interval 2s --dry-run for --loop-seconds (600) with its RSS
 * and CPU sampled every second (/proc): steady-state RSS, flatness, CPU per
 * idle cycle.
 * Then --many-clusters clusters (default 10) x --many-topics (10000): apply,
 * no-change plans, and the plan with the last cluster slow (5 s per request,
 * over a 2 s --timeout) and with it down.
 *
 * Every step records wall time, the child's CPU time and peak RSS (wait4 in
 * a launcher process forked before any sandbox, so the peak is the child's own),
 * the sandbox's CPU time (this process: the brokers are its threads) and the
 * sandbox's request counters per cluster and API (reset before each step).
 * Prints the steps, a growth table (ratios to 10,000 topics) and one
 * PASS/FAIL line per target. Exit status: 0 every target met, 1 a target
 * missed, 2 usage error or the benchmark could not run. KDR_BIN names the
 * kdr binary when --kdr is not given.
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
#include <sys/socket.h>
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

/* Issue 15's targets (2 clusters x 6 brokers unless named). */
#define BENCH_PLAN_10K_WALL_S 0.3
#define BENCH_PLAN_10K_RSS_MIB 48.0
#define BENCH_PLAN_100K_WALL_S 2.0
#define BENCH_PLAN_100K_RSS_MIB 256.0
#define BENCH_APPLY_100K_WALL_S 10.0
#define BENCH_INSTR_100K_RATIO 10.5
#define BENCH_MANY_WALL_S 3.0
#define BENCH_MANY_RSS_MIB 512.0
/* The slow cluster: its latency, and kdr's per-request timeout below it. */
#define BENCH_SLOW_LATENCY_MS 5000
#define BENCH_SLOW_TIMEOUT "2s"
#define BENCH_SLOW_TIMEOUT_S 2.0

#define BENCH_MAX_CLUSTERS 16
#define BENCH_MAX_RACKS 16
#define BENCH_MAX_SIZES 8
#define BENCH_MAX_REPEAT 20
#define BENCH_MAX_STEPS 256

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
	const char *per_topic; /* the baseline reader; NULL: no baseline */
	size_t sizes[BENCH_MAX_SIZES];
	size_t n_sizes;
	size_t clusters;
	int brokers;
	size_t racks;
	size_t policies;
	const char *kdr_timeout; /* --timeout for kdr; NULL: kdr's default */
	int step_timeout_s;
	size_t repeat; /* no-change and change plans per size */
	size_t many_clusters; /* 0: no many-clusters scenario */
	size_t many_topics;
	size_t baseline_topics; /* the size at which the per-topic baseline runs; 0: none */
	bool instructions;
	int loop_seconds; /* kdr run at the baseline size for this long; 0: not */
	bool keep;
};

enum bench_kind {
	STEP_APPLY,
	STEP_PLAN,        /* no change */
	STEP_PLAN_INSTR,  /* no change, under callgrind */
	STEP_CHANGE,      /* 1-topic change */
	STEP_CHANGE_INSTR,
	STEP_PER_TOPIC,   /* the baseline reader */
	STEP_PLAN_1MS,    /* no change, 1 ms per request */
	STEP_PER_TOPIC_1MS,
	STEP_PLAN_SLOW,   /* no change, the last cluster slow */
	STEP_PLAN_DEAD,   /* no change, the last cluster down */
	STEP_APPLY_CHANGE, /* applying the 1-topic change */
};

struct bench_step {
	char name[64];
	enum bench_kind kind;
	size_t clusters;
	size_t topics;
	int exit_code; /* the child's, or -signal */
	double wall_s;
	double kdr_cpu_s;
	double sandbox_cpu_s;
	double rss_mib;
	uint64_t instructions; /* callgrind's Ir; 0: not measured */
	uint64_t requests[BENCH_MAX_CLUSTERS][BENCH_N_APIS];
};

static struct bench_step bench_steps[BENCH_MAX_STEPS];
static size_t bench_n_steps;

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
 * topic has a config of its own on top of the policy's. `change_one`: the
 * first topic asks for one partition more than it has.
 */
static int write_desired(const char *dir, struct kdr_sandbox *sandbox, const struct bench_config *cfg, size_t clusters,
			 size_t topics, bool change_one)
{
	struct kdr_buf text = KDR_BUF_INIT;
	char name[32] = "";
	size_t policies = cfg->policies;
	size_t per_policy = 0, next = 0;
	int error = 0;

	if (policies > topics)
		policies = topics ? topics : 1;
	per_policy = (topics + policies - 1) / policies;
	for (size_t c = 0; c < clusters; c++) {
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
		for (size_t c = 0; c < clusters; c++) {
			cluster_name(name, sizeof(name), c);
			kdr_buf_printf(&text, "%s%s", c ? ", " : "", name);
		}
		kdr_buf_printf(&text, "]\n  partitions: 6\n  replicationFactor: 3\n  config:\n"
				      "    min.insync.replicas: \"2\"\n    retention.ms: \"%d\"\n  topics:\n",
			       604800000 + (int)p);
		for (size_t i = 0; i < per_policy && next < topics; i++, next++) {
			/* The 1-topic change: the first topic gets one partition more. */
			kdr_buf_printf(&text, "    - name: bench.p%02zu.topic-%06zu\n      partitions: %zu\n", p, next,
				       3 + next % 10 + (change_one && next == 0));
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
 * The launcher: a small process forked at start, before any sandbox exists,
 * that forks and waits for every measured child. Linux's ru_maxrss of a child
 * includes the pages it inherited at fork (exec records the old address
 * space's peak), so a child forked by this driver would start from the
 * sandbox's RSS (its topics, ~50 MiB at 2 x 10,000); forked by the launcher
 * it starts from ~2 MiB and its peak is its own. One request at a time over a
 * SOCK_SEQPACKET pair: the argv (NUL-separated, then stdout and stderr paths)
 * -> the child's pid -> its wait status and rusage.
 */
struct launch_result {
	int status;
	struct rusage ru;
};

static int launcher_fd = -1;

static void launcher_serve(int fd)
{
	static char req[16384];
	const char *argv[72] = { NULL };

	for (;;) {
		ssize_t n = recv(fd, req, sizeof(req) - 1, 0);
		struct launch_result res = { 0 };
		size_t argc = 0;
		pid_t pid = 0;

		if (n <= 0)
			_exit(0);
		req[n] = '\0';
		for (char *at = req; at < req + n && argc < sizeof(argv) / sizeof(argv[0]) - 1; at += strlen(at) + 1)
			argv[argc++] = at;
		argv[argc] = NULL;
		/* The last two are the stdout and stderr paths. */
		if (argc < 3)
			_exit(2);
		pid = fork();
		if (pid == 0) {
			int out_fd = open(argv[argc - 2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
			int err_fd = open(argv[argc - 1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
			int null_fd = open("/dev/null", O_RDONLY);

			close(fd);
			argv[argc - 2] = NULL;
			if (out_fd < 0 || err_fd < 0 || null_fd < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0 ||
			    dup2(null_fd, 0) < 0)
				_exit(127);
			/* execvp: valgrind is found on PATH. Its prototype predates const; the strings are not modified. */
			execvp(argv[0], (char *const *)(uintptr_t)argv);
			dprintf(2, "bench: exec '%s': %s\n", argv[0], strerror(errno));
			_exit(127);
		}
		if (send(fd, &pid, sizeof(pid), 0) != (ssize_t)sizeof(pid))
			_exit(2);
		if (pid < 0)
			continue;
		while (wait4(pid, &res.status, 0, &res.ru) < 0 && errno == EINTR)
			;
		if (send(fd, &res, sizeof(res), 0) != (ssize_t)sizeof(res))
			_exit(2);
	}
}

/* Forks the launcher; call before anything large is allocated. */
static int launcher_start(void)
{
	int fds[2] = { -1, -1 };
	pid_t pid = 0;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) != 0)
		return kdr_error_set(KDR_EUNAVAILABLE, "socketpair: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return kdr_error_set(KDR_EUNAVAILABLE, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		launcher_serve(fds[1]);
	}
	close(fds[1]);
	launcher_fd = fds[0];
	return 0;
}

/* Has the launcher start `argv` (NULL-terminated) with stdout/stderr to the paths; its pid in *out. */
static int launch(pid_t *out, const char *const *argv, const char *out_path, const char *err_path)
{
	static char req[16384];
	size_t len = 0;
	ssize_t got = 0;
	const char *const tail[] = { out_path, err_path };

	for (size_t i = 0; argv[i]; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (len + n > sizeof(req))
			return kdr_error_set(KDR_EINVALID, "arguments too long");
		memcpy(req + len, argv[i], n);
		len += n;
	}
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(tail[i]) + 1;

		if (len + n > sizeof(req))
			return kdr_error_set(KDR_EINVALID, "arguments too long");
		memcpy(req + len, tail[i], n);
		len += n;
	}
	if (send(launcher_fd, req, len, 0) != (ssize_t)len)
		return kdr_error_set(KDR_EUNAVAILABLE, "launcher: %s", strerror(errno));
	do {
		got = recv(launcher_fd, out, sizeof(*out), 0);
	} while (got < 0 && errno == EINTR);
	if (got != (ssize_t)sizeof(*out) || *out < 0)
		return kdr_error_set(KDR_EUNAVAILABLE, "launcher could not fork");
	return 0;
}

/* Waits for the launched child's end: its wait status and resource usage. */
static int launch_wait(int *status, struct rusage *ru)
{
	struct launch_result res = { 0 };
	ssize_t got = 0;

	do {
		got = recv(launcher_fd, &res, sizeof(res), 0);
	} while (got < 0 && errno == EINTR);
	if (got != (ssize_t)sizeof(res))
		return kdr_error_set(KDR_EUNAVAILABLE, "launcher: lost the child");
	*status = res.status;
	*ru = res.ru;
	return 0;
}

/* Callgrind's "Collected : N" (instructions) from its log; 0 if absent. */
static uint64_t read_instructions(const char *path)
{
	char line[512] = "";
	uint64_t n = 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		const char *at = strstr(line, "Collected : ");

		if (at)
			n = strtoull(at + strlen("Collected : "), NULL, 10);
	}
	if (f)
		fclose(f);
	return n;
}

/*
 * Runs `program` with `args` (argv[0] excluded), under callgrind when
 * `callgrind` (its log in DIR/<log>.cg), stdout and stderr to DIR/<log>.out
 * and DIR/<log>.err, through the launcher, and fills the step's timings. The sandbox's CPU time
 * is this process's over the step: its main thread only waits meanwhile, so
 * that is the brokers' work.
 */
static int run_child(struct bench_step *step, const struct bench_config *cfg, const char *program, const char *dir,
		     const char *log, const char *const *args, size_t n_args, bool callgrind)
{
	char out_path[4096] = "", err_path[4096] = "", cg_log[4200] = "", cg_arg[4300] = "";
	const char *argv[64] = { NULL };
	size_t n_argv = 0;
	struct timespec t0 = { 0, 0 }, t1 = { 0, 0 };
	struct rusage self0 = { 0 }, self1 = { 0 }, child = { 0 };
	int status = 0, error = 0;
	pid_t pid = 0;

	snprintf(cg_log, sizeof(cg_log), "%s/%s.cg", dir, log);
	if (callgrind) {
		snprintf(cg_arg, sizeof(cg_arg), "--log-file=%s", cg_log);
		argv[n_argv++] = "valgrind";
		argv[n_argv++] = "--tool=callgrind";
		argv[n_argv++] = "--callgrind-out-file=/dev/null";
		argv[n_argv++] = cg_arg;
	}
	if (n_argv + n_args + 2 > sizeof(argv) / sizeof(argv[0]))
		return kdr_error_set(KDR_EINVALID, "too many arguments");
	argv[n_argv++] = program;
	for (size_t i = 0; i < n_args; i++)
		argv[n_argv++] = args[i];
	snprintf(out_path, sizeof(out_path), "%s/%s.out", dir, log);
	snprintf(err_path, sizeof(err_path), "%s/%s.err", dir, log);

	getrusage(RUSAGE_SELF, &self0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (launch(&pid, argv, out_path, err_path) != 0)
		return -1;
	bench_child = pid;
	alarm((unsigned)cfg->step_timeout_s);
	error = launch_wait(&status, &child);
	alarm(0);
	bench_child = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &self1);
	if (error)
		return error;

	step->wall_s = seconds(&t1) - seconds(&t0);
	step->kdr_cpu_s = cpu_seconds(&child);
	step->sandbox_cpu_s = cpu_seconds(&self1) - cpu_seconds(&self0);
	/* Linux reports ru_maxrss in KiB. */
	step->rss_mib = (double)child.ru_maxrss / 1024.0;
	step->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	step->instructions = callgrind ? read_instructions(cg_log) : 0;
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

/* One sandbox and its desired-state directory. */
struct scenario {
	const struct bench_config *cfg;
	struct kdr_sandbox *sandbox;
	char names[BENCH_MAX_CLUSTERS][32];
	size_t clusters;
	size_t topics;
	char dir[4096];
	const char *label;
	size_t seq; /* log file numbering */
};

static int scenario_start(struct scenario *sc, const struct bench_config *cfg, size_t clusters, size_t topics,
			  const char *label)
{
	struct kdr_sandbox_cluster_spec specs[BENCH_MAX_CLUSTERS] = { { 0 } };
	char rack_names[BENCH_MAX_CLUSTERS][BENCH_MAX_RACKS][64] = { { { 0 } } };
	const char *racks[BENCH_MAX_CLUSTERS][BENCH_MAX_RACKS] = { { NULL } };
	const char *tmp = getenv("TMPDIR");
	int error = 0;

	memset(sc, 0, sizeof(*sc));
	sc->cfg = cfg;
	sc->clusters = clusters;
	sc->topics = topics;
	sc->label = label;
	for (size_t c = 0; c < clusters; c++) {
		cluster_name(sc->names[c], sizeof(sc->names[c]), c);
		for (size_t r = 0; r < cfg->racks; r++) {
			snprintf(rack_names[c][r], sizeof(rack_names[c][r]), "%s-rack-%zu", sc->names[c], r + 1);
			racks[c][r] = rack_names[c][r];
		}
		specs[c].name = sc->names[c];
		specs[c].brokers = cfg->brokers;
		specs[c].racks = racks[c];
		specs[c].n_racks = cfg->racks;
	}
	snprintf(sc->dir, sizeof(sc->dir), "%s/kdr-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(sc->dir))
		return kdr_error_set(KDR_EINVALID, "mkdtemp '%s': %s", sc->dir, strerror(errno));
	/* The sandbox copies what it needs of the specs. */
	if ((error = kdr_sandbox_start(&sc->sandbox, specs, clusters)))
		return error;
	return write_desired(sc->dir, sc->sandbox, cfg, clusters, topics, false);
}

static void scenario_stop(struct scenario *sc)
{
	kdr_sandbox_stop(sc->sandbox);
	sc->sandbox = NULL;
	if (sc->cfg->keep)
		fprintf(stderr, "bench: %s: desired state and outputs kept in %s\n", sc->label, sc->dir);
	else if (sc->dir[0])
		nftw(sc->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct bench_step *new_step(struct scenario *sc, enum bench_kind kind, const char *name)
{
	struct bench_step *step = NULL;

	if (bench_n_steps >= BENCH_MAX_STEPS)
		return NULL;
	step = &bench_steps[bench_n_steps++];
	memset(step, 0, sizeof(*step));
	snprintf(step->name, sizeof(step->name), "%s", name);
	step->kind = kind;
	step->clusters = sc->clusters;
	step->topics = sc->topics;
	return step;
}

/* Runs a step (kdr `command`, or the per-topic reader when `command` is NULL) and counts its requests. */
static int run_step(struct scenario *sc, enum bench_kind kind, const char *name, const char *command,
		    bool callgrind, const char *timeout, int expect)
{
	const struct bench_config *cfg = sc->cfg;
	struct bench_step *step = new_step(sc, kind, name);
	const char *args[BENCH_MAX_CLUSTERS + 8] = { NULL };
	size_t n_args = 0;
	char log[64] = "";
	int error = 0;

	if (!step)
		return kdr_error_set(KDR_EINVALID, "too many steps");
	if (command) {
		args[n_args++] = command;
		args[n_args++] = sc->dir;
		args[n_args++] = strcmp(command, "apply") == 0 ? "--yes" : "--detailed-exitcode";
		/* Under callgrind kdr runs ~50 times slower: its per-request timeout must not be what it measures. */
		if (!timeout)
			timeout = callgrind ? "600s" : cfg->kdr_timeout;
		if (timeout) {
			args[n_args++] = "--timeout";
			args[n_args++] = timeout;
		}
	} else {
		for (size_t c = 0; c < sc->clusters; c++)
			args[n_args++] = kdr_sandbox_bootstrap(sc->sandbox, sc->names[c]);
	}
	snprintf(log, sizeof(log), "%s-%02zu", sc->label, ++sc->seq);
	for (size_t c = 0; c < sc->clusters; c++)
		kdr_sandbox_reset_counters(sc->sandbox, sc->names[c]);
	fprintf(stderr, "bench: %s: %zu topics x %zu clusters: %s ...\n", sc->label, sc->topics, sc->clusters, name);
	if ((error = run_child(step, cfg, command ? cfg->kdr : cfg->per_topic, sc->dir, log, args, n_args, callgrind)))
		return error;
	for (size_t c = 0; c < sc->clusters; c++)
		for (size_t a = 0; a < BENCH_N_APIS; a++)
			step->requests[c][a] = kdr_sandbox_request_count(sc->sandbox, sc->names[c], bench_apis[a].key);
	fprintf(stderr, "bench: %s: %s: exit %d, %.2f s wall, %.2f s CPU, %.1f MiB peak RSS%s\n", sc->label, name,
		step->exit_code, step->wall_s, step->kdr_cpu_s, step->rss_mib, callgrind ? ", under callgrind" : "");
	if (expect >= 0 && step->exit_code != expect) {
		fprintf(stderr, "bench: %s: %s: exit %d, expected %d\n", sc->label, name, step->exit_code, expect);
		print_tail(sc->dir, log, "err");
		print_tail(sc->dir, log, "out");
	}
	return 0;
}

static void set_latency(struct scenario *sc, int ms)
{
	for (size_t c = 0; c < sc->clusters; c++)
		kdr_sandbox_set_latency(sc->sandbox, sc->names[c], -1, ms);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* kdr run over the baseline size: RSS and CPU sampled every second from /proc. */
struct bench_loop {
	bool ran;
	int seconds;
	size_t cycles;
	int exit_code;
	double rss_after_first_mib; /* when the first cycle had finished */
	double rss_max_first_half_mib, rss_max_second_half_mib, rss_last_mib;
	double cpu_per_cycle_s;  /* after the first cycle: idle (no-change) cycles */
	double median_cycle_s;   /* the cycles' own duration_ms */
};

static struct bench_loop bench_loop;

/* VmRSS (MiB) and utime+stime (s) of `pid`; false when it is gone. */
static bool sample_proc(pid_t pid, double *rss_mib, double *cpu_s)
{
	char path[64] = "", line[512] = "";
	unsigned long long utime = 0, stime = 0;
	FILE *f = NULL;
	bool rss_ok = false;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			rss_ok = sscanf(line + 6, "%lf", rss_mib) == 1;
	if (f)
		fclose(f);
	*rss_mib /= 1024.0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	/* Fields 14 and 15, after the parenthesised command name. */
	if (fgets(line, sizeof(line), f) && strrchr(line, ')'))
		sscanf(strrchr(line, ')') + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime);
	fclose(f);
	*cpu_s = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
	return rss_ok;
}

/* Cycles finished in kdr run's log so far, and their duration_ms (up to `cap`). */
static size_t count_cycles(const char *path, double *durations, size_t cap)
{
	char line[4096] = "";
	size_t n = 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		const char *d = strstr(line, " duration_ms=");

		if (!strstr(line, "reconcile cycle finished"))
			continue;
		if (n < cap)
			durations[n] = d ? strtod(d + strlen(" duration_ms="), NULL) / 1000.0 : 0;
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

static int run_loop(struct scenario *sc)
{
	const struct bench_config *cfg = sc->cfg;
	char err_path[4200] = "";
	double durations[4096] = { 0 };
	double rss = 0, cpu = 0, cpu_first = 0;
	const char *argv[] = { cfg->kdr, "run", sc->dir, "--interval", "2s", "--dry-run", "--listen", "127.0.0.1:0",
			       NULL };
	struct rusage ru = { 0 };
	size_t cycles = 0, first_cycles = 0;
	int status = 0, error = 0;
	pid_t pid = 0;

	snprintf(err_path, sizeof(err_path), "%s/loop.err", sc->dir);
	fprintf(stderr, "bench: %s: kdr run --interval 2s --dry-run for %d s ...\n", sc->label, cfg->loop_seconds);
	if ((error = launch(&pid, argv, "/dev/null", err_path)))
		return error;
	memset(&bench_loop, 0, sizeof(bench_loop));
	bench_loop.ran = true;
	bench_loop.seconds = cfg->loop_seconds;
	for (int t = 1; t <= cfg->loop_seconds; t++) {
		sleep(1);
		if (!sample_proc(pid, &rss, &cpu))
			break;
		cycles = count_cycles(err_path, durations, 0);
		if (!first_cycles && cycles) {
			first_cycles = cycles;
			cpu_first = cpu;
			bench_loop.rss_after_first_mib = rss;
		}
		if (!first_cycles)
			continue;
		if (t <= cfg->loop_seconds / 2)
			bench_loop.rss_max_first_half_mib =
			    rss > bench_loop.rss_max_first_half_mib ? rss : bench_loop.rss_max_first_half_mib;
		else
			bench_loop.rss_max_second_half_mib =
			    rss > bench_loop.rss_max_second_half_mib ? rss : bench_loop.rss_max_second_half_mib;
		bench_loop.rss_last_mib = rss;
	}
	cycles = count_cycles(err_path, durations, sizeof(durations) / sizeof(durations[0]));
	kill(pid, SIGTERM);
	if ((error = launch_wait(&status, &ru)))
		return error;
	bench_loop.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	bench_loop.cycles = cycles;
	if (cycles > first_cycles)
		bench_loop.cpu_per_cycle_s = (cpu - cpu_first) / (double)(cycles - first_cycles);
	if (cycles) {
		size_t n = cycles < sizeof(durations) / sizeof(durations[0]) ? cycles : sizeof(durations) / sizeof(durations[0]);

		qsort(durations, n, sizeof(durations[0]), compare_double);
		bench_loop.median_cycle_s = durations[n / 2];
	}
	fprintf(stderr, "bench: %s: kdr run: %zu cycles, RSS %.1f MiB after the first, max %.1f / %.1f MiB (halves), "
		"%.3f s CPU per idle cycle\n", sc->label, cycles, bench_loop.rss_after_first_mib,
		bench_loop.rss_max_first_half_mib, bench_loop.rss_max_second_half_mib, bench_loop.cpu_per_cycle_s);
	return 0;
}

/* One size: apply from empty, no-change plans, 1-topic change plans, and the baseline at its size. */
static int run_size(const struct bench_config *cfg, size_t topics)
{
	struct scenario sc;
	char label[32] = "";
	bool baseline = cfg->per_topic && topics == cfg->baseline_topics;
	int error = 0;

	snprintf(label, sizeof(label), "%zuk", topics / 1000);
	if ((error = scenario_start(&sc, cfg, cfg->clusters, topics, label)))
		goto cleanup;
	if ((error = run_step(&sc, STEP_APPLY, "apply (first, from empty)", "apply", false, NULL, 0)))
		goto cleanup;
	for (size_t r = 0; r < cfg->repeat && !error; r++)
		error = run_step(&sc, STEP_PLAN, "plan (no change)", "plan", false, NULL, 0);
	if (!error && cfg->instructions)
		error = run_step(&sc, STEP_PLAN_INSTR, "plan (no change), callgrind", "plan", true, NULL, 0);
	if (!error)
		error = write_desired(sc.dir, sc.sandbox, cfg, sc.clusters, topics, true);
	for (size_t r = 0; r < cfg->repeat && !error; r++)
		error = run_step(&sc, STEP_CHANGE, "plan (1-topic change)", "plan", false, NULL, 2);
	if (!error && cfg->instructions && baseline)
		error = run_step(&sc, STEP_CHANGE_INSTR, "plan (1-topic change), callgrind", "plan", true, NULL, 2);
	if (!error)
		error = write_desired(sc.dir, sc.sandbox, cfg, sc.clusters, topics, false);
	if (!error && baseline) {
		error = run_step(&sc, STEP_PER_TOPIC, "per-topic reader", NULL, false, NULL, 0);
		set_latency(&sc, 1);
		if (!error)
			error = run_step(&sc, STEP_PLAN_1MS, "plan (no change), 1 ms/request", "plan", false, NULL, 0);
		if (!error)
			error = run_step(&sc, STEP_PER_TOPIC_1MS, "per-topic reader, 1 ms/request", NULL, false, NULL, 0);
		set_latency(&sc, 0);
	}
	/* The 1-topic change applied (and kept: the live state then matches it, for the loop below). */
	if (!error)
		error = write_desired(sc.dir, sc.sandbox, cfg, sc.clusters, topics, true);
	if (!error)
		error = run_step(&sc, STEP_APPLY_CHANGE, "apply (1-topic change)", "apply", false, NULL, 0);
	if (!error && cfg->loop_seconds && topics == cfg->baseline_topics)
		error = run_loop(&sc);
cleanup:
	scenario_stop(&sc);
	return error;
}

/* Many clusters: apply, no-change plans, then the last cluster slow, then down. */
static int run_many(const struct bench_config *cfg)
{
	struct scenario sc;
	const char *last = NULL;
	int error = 0;

	if ((error = scenario_start(&sc, cfg, cfg->many_clusters, cfg->many_topics, "many")))
		goto cleanup;
	last = sc.names[sc.clusters - 1];
	if ((error = run_step(&sc, STEP_APPLY, "apply (first, from empty)", "apply", false, NULL, 0)))
		goto cleanup;
	for (size_t r = 0; r < cfg->repeat && !error; r++)
		error = run_step(&sc, STEP_PLAN, "plan (no change)", "plan", false, NULL, 0);
	if (error)
		goto cleanup;
	/* The plan is incomplete either way (exit 1): what is measured is how long the others wait. */
	kdr_sandbox_set_latency(sc.sandbox, last, -1, BENCH_SLOW_LATENCY_MS);
	error = run_step(&sc, STEP_PLAN_SLOW, "plan, last cluster 5 s/request, --timeout 2s", "plan", false,
			 BENCH_SLOW_TIMEOUT, -1);
	kdr_sandbox_set_latency(sc.sandbox, last, -1, 0);
	for (int b = 1; b <= cfg->brokers && !error; b++)
		kdr_sandbox_broker_down(sc.sandbox, last, b);
	if (!error)
		error = run_step(&sc, STEP_PLAN_DEAD, "plan, last cluster down, --timeout 2s", "plan", false,
				 BENCH_SLOW_TIMEOUT, -1);
cleanup:
	scenario_stop(&sc);
	return error;
}

/* Requests of one API over the clusters: "n" when they agree, "min-max" when not. */
static void print_requests(const struct bench_step *step, size_t api)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t c = 0; c < step->clusters; c++) {
		lo = step->requests[c][api] < lo ? step->requests[c][api] : lo;
		hi = step->requests[c][api] > hi ? step->requests[c][api] : hi;
	}
	if (lo == hi)
		printf(" %" PRIu64 " |", lo);
	else
		printf(" %" PRIu64 "-%" PRIu64 " |", lo, hi);
}

static void print_steps(const struct bench_config *cfg)
{
	printf("\n| step | clusters | topics per cluster | exit | wall s | kdr CPU s | sandbox CPU s | kdr peak RSS MiB "
	       "| instructions (M) |");
	for (size_t a = 0; a < BENCH_N_APIS; a++)
		printf(" %s |", bench_apis[a].name);
	printf("\n|---|---:|---:|---:|---:|---:|---:|---:|---:|");
	for (size_t a = 0; a < BENCH_N_APIS; a++)
		printf("---:|");
	printf("\n");
	for (size_t i = 0; i < bench_n_steps; i++) {
		const struct bench_step *step = &bench_steps[i];

		printf("| %s | %zu | %zu | %d | %.2f | %.2f | %.2f | %.1f |", step->name, step->clusters, step->topics,
		       step->exit_code, step->wall_s, step->kdr_cpu_s, step->sandbox_cpu_s, step->rss_mib);
		if (step->instructions)
			printf(" %.0f |", (double)step->instructions / 1e6);
		else
			printf(" |");
		for (size_t a = 0; a < BENCH_N_APIS; a++)
			print_requests(step, a);
		printf("\n");
	}
	printf("\nRequests are per cluster (one figure when every cluster got the same, else the range), counted by the "
	       "sandbox; %d brokers per cluster over %zu racks. Wall and CPU are of the child (kdr or the per-topic "
	       "reader); callgrind steps run ~50x slower and count only their instructions.\n",
	       cfg->brokers, cfg->racks);
}

/* The figures of one kind of step at one shape: best wall and CPU, highest RSS, the first's requests. */
struct bench_summary {
	size_t n;
	double wall_s, cpu_s, rss_mib;
	uint64_t instructions;
	const struct bench_step *first;
	bool exits_ok;
};

static struct bench_summary summarize(enum bench_kind kind, size_t clusters, size_t topics, int expect)
{
	struct bench_summary s = { 0 };

	s.exits_ok = true;
	for (size_t i = 0; i < bench_n_steps; i++) {
		const struct bench_step *step = &bench_steps[i];

		if (step->kind != kind || step->clusters != clusters || step->topics != topics)
			continue;
		if (!s.n || step->wall_s < s.wall_s)
			s.wall_s = step->wall_s;
		if (!s.n || step->kdr_cpu_s < s.cpu_s)
			s.cpu_s = step->kdr_cpu_s;
		s.rss_mib = step->rss_mib > s.rss_mib ? step->rss_mib : s.rss_mib;
		/* A step that failed (or was stopped) counted only part of the work. */
		if (step->instructions && (expect < 0 || step->exit_code == expect))
			s.instructions = step->instructions;
		s.exits_ok = s.exits_ok && (expect < 0 || step->exit_code == expect);
		if (!s.n)
			s.first = step;
		s.n++;
	}
	return s;
}

static double ratio(double x, double base)
{
	return base > 0 ? x / base : 0;
}

/* The growth table: each size's no-change plan against 10,000 topics (or the nearest size). */
static void print_growth(const struct bench_config *cfg)
{
	size_t ref = cfg->sizes[0];
	struct bench_summary base, base_instr;

	for (size_t i = 0; i < cfg->n_sizes; i++)
		if (cfg->sizes[i] == 10000)
			ref = 10000;
	base = summarize(STEP_PLAN, cfg->clusters, ref, 0);
	base_instr = summarize(STEP_PLAN_INSTR, cfg->clusters, ref, 0);
	printf("\nGrowth of the no-change plan (%zu clusters; best wall and CPU of %zu runs, highest RSS; ratios to "
	       "%zu topics):\n\n",
	       cfg->clusters, cfg->repeat, ref);
	printf("| topics per cluster | apply s | plan wall s | plan CPU s | peak RSS MiB | KiB per topic per cluster | "
	       "instructions (M) | instructions per topic | DescribeConfigs per cluster | wall x | CPU x | RSS x | "
	       "instructions x |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < cfg->n_sizes; i++) {
		size_t n = cfg->sizes[i];
		struct bench_summary apply = summarize(STEP_APPLY, cfg->clusters, n, 0);
		struct bench_summary plan = summarize(STEP_PLAN, cfg->clusters, n, 0);
		struct bench_summary instr = summarize(STEP_PLAN_INSTR, cfg->clusters, n, 0);

		if (!plan.n)
			continue;
		printf("| %zu | %.2f | %.2f | %.2f | %.1f | %.2f | %.0f | %.0f | %" PRIu64 " | %.2f | %.2f | %.2f | %.2f |\n",
		       n, apply.wall_s, plan.wall_s, plan.cpu_s, plan.rss_mib,
		       plan.rss_mib * 1024.0 / (double)(n * cfg->clusters), (double)instr.instructions / 1e6,
		       (double)instr.instructions / (double)(n * cfg->clusters),
		       plan.first->requests[0][BENCH_API_DESCRIBE_CONFIGS], ratio(plan.wall_s, base.wall_s),
		       ratio(plan.cpu_s, base.cpu_s), ratio(plan.rss_mib, base.rss_mib),
		       ratio((double)instr.instructions, (double)base_instr.instructions));
	}
}

static void print_baseline(const struct bench_config *cfg)
{
	size_t n = cfg->baseline_topics;
	struct bench_summary kdr0 = summarize(STEP_PLAN, cfg->clusters, n, 0);
	struct bench_summary per0 = summarize(STEP_PER_TOPIC, cfg->clusters, n, 0);
	struct bench_summary kdr1 = summarize(STEP_PLAN_1MS, cfg->clusters, n, 0);
	struct bench_summary per1 = summarize(STEP_PER_TOPIC_1MS, cfg->clusters, n, 0);

	if (!per0.n)
		return;
	printf("\nAgainst the per-topic reader (bench_per_topic: one Metadata + one DescribeConfigs per topic, one at "
	       "a time), %zu clusters x %zu topics, the same sandbox:\n\n",
	       cfg->clusters, n);
	printf("| injected latency per request | kdr plan wall s | per-topic wall s | kdr speed-up | per-topic requests "
	       "per cluster |\n|---|---:|---:|---:|---:|\n");
	printf("| 0 ms | %.2f | %.2f | %.1fx | %" PRIu64 " |\n", kdr0.wall_s, per0.wall_s, ratio(per0.wall_s, kdr0.wall_s),
	       per0.first->requests[0][BENCH_N_APIS - 1]);
	if (per1.n && kdr1.n)
		printf("| 1 ms | %.2f | %.2f | %.1fx | %" PRIu64 " |\n", kdr1.wall_s, per1.wall_s,
		       ratio(per1.wall_s, kdr1.wall_s), per1.first->requests[0][BENCH_N_APIS - 1]);
}

static void print_loop(void)
{
	if (!bench_loop.ran)
		return;
	printf("\nkdr run --interval 2s --dry-run over the same clusters for %d s: %zu cycles (median %.2f s each), "
	       "RSS %.1f MiB after the first cycle, highest %.1f MiB in the first half and %.1f MiB in the second, "
	       "%.1f MiB at the end; %.3f s of CPU per idle cycle; exit %d on SIGTERM.\n",
	       bench_loop.seconds, bench_loop.cycles, bench_loop.median_cycle_s, bench_loop.rss_after_first_mib,
	       bench_loop.rss_max_first_half_mib, bench_loop.rss_max_second_half_mib, bench_loop.rss_last_mib,
	       bench_loop.cpu_per_cycle_s, bench_loop.exit_code);
}

static bool report(const char *target, bool pass, const char *detail)
{
	printf("%s  %s (%s)\n", pass ? "PASS" : "FAIL", target, detail);
	return pass;
}

static uint64_t mutating(const struct bench_step *step, size_t c)
{
	uint64_t n = 0;

	for (size_t a = BENCH_API_FIRST_MUTATING; a <= BENCH_API_LAST_MUTATING; a++)
		n += step->requests[c][a];
	return n;
}

/*
 * What pkg/kafka/read.c promises for the topics' DescribeConfigs: 64 equal
 * slices of 32 to 256 topics (fewer, of 32, below 2,048 topics; one per 256
 * beyond 16,384).
 */
static uint64_t expected_slices(size_t topics)
{
	size_t per = (topics + 63) / 64;

	per = per < 32 ? 32 : per > 256 ? 256 : per;
	return (topics + per - 1) / per;
}

/*
 * Every no-change plan's requests: one DescribeConfigs per broker plus the
 * slices, no mutating request, and Metadata within what librdkafka adds by
 * itself (a brokers-only Metadata on some new broker connections, so at most
 * one per broker, varying with connection timing, never with topics) and the
 * brokers-only one of the short-lived client that asks the all-topics
 * Metadata (pkg/kafka/read.c read_metadata).
 */
static bool requests_as_promised(char *detail, size_t size, const struct bench_config *cfg)
{
	bool pass = true;
	size_t len = 0, last_topics = 0, last_clusters = 0;

	detail[0] = '\0';
	for (size_t i = 0; i < bench_n_steps; i++) {
		const struct bench_step *step = &bench_steps[i];
		uint64_t dc = (uint64_t)cfg->brokers + expected_slices(step->topics);

		if (step->kind != STEP_PLAN)
			continue;
		for (size_t c = 0; c < step->clusters; c++) {
			bool ok = step->requests[c][BENCH_API_DESCRIBE_CONFIGS] == dc &&
				  step->requests[c][BENCH_API_METADATA] <= 2 + (uint64_t)cfg->brokers &&
				  mutating(step, c) == 0;

			pass = pass && ok;
		}
		len = strlen(detail);
		/* One line per scenario: its first plan. */
		if ((step->topics != last_topics || step->clusters != last_clusters) && len + 120 < size)
			snprintf(detail + len, size - len, "%s%zu topics: DescribeConfigs %" PRIu64 " (expected %" PRIu64
				 "), Metadata %" PRIu64, len ? "; " : "", step->topics,
				 step->requests[0][BENCH_API_DESCRIBE_CONFIGS], dc, step->requests[0][BENCH_API_METADATA]);
		last_topics = step->topics;
		last_clusters = step->clusters;
	}
	return pass;
}

static bool check_targets(const struct bench_config *cfg)
{
	struct bench_summary p10 = summarize(STEP_PLAN, cfg->clusters, 10000, 0);
	struct bench_summary p100 = summarize(STEP_PLAN, cfg->clusters, 100000, 0);
	struct bench_summary i10 = summarize(STEP_PLAN_INSTR, cfg->clusters, 10000, 0);
	struct bench_summary i100 = summarize(STEP_PLAN_INSTR, cfg->clusters, 100000, 0);
	struct bench_summary a100 = summarize(STEP_APPLY, cfg->clusters, 100000, 0);
	char detail[4096] = "";
	bool all = true;

	printf("\nTargets (issue 15; %zu clusters x %d brokers unless named):\n", cfg->clusters, cfg->brokers);
	for (size_t i = 0; i < bench_n_steps; i++) {
		const struct bench_step *step = &bench_steps[i];
		int expect = step->kind == STEP_CHANGE || step->kind == STEP_CHANGE_INSTR ? 2
			     : step->kind == STEP_PLAN_SLOW || step->kind == STEP_PLAN_DEAD ? -1
											    : 0;

		if (expect >= 0 && step->exit_code != expect) {
			snprintf(detail, sizeof(detail), "%zu x %zu topics: exit %d, expected %d", step->clusters,
				 step->topics, step->exit_code, expect);
			all &= report(step->name, false, detail);
		}
	}
	if (p10.n) {
		snprintf(detail, sizeof(detail), "best %.3f s of %zu, %.1f MiB", p10.wall_s, p10.n, p10.rss_mib);
		all &= report("10,000 topics: no-change plan under 0.3 s wall", p10.wall_s < BENCH_PLAN_10K_WALL_S, detail);
		all &= report("10,000 topics: no-change plan under 48 MiB peak RSS", p10.rss_mib < BENCH_PLAN_10K_RSS_MIB,
			      detail);
	}
	if (p100.n) {
		snprintf(detail, sizeof(detail), "best %.3f s of %zu, %.1f MiB", p100.wall_s, p100.n, p100.rss_mib);
		all &= report("100,000 topics: no-change plan under 2 s wall", p100.wall_s < BENCH_PLAN_100K_WALL_S,
			      detail);
		all &= report("100,000 topics: no-change plan under 256 MiB peak RSS",
			      p100.rss_mib < BENCH_PLAN_100K_RSS_MIB, detail);
		snprintf(detail, sizeof(detail), "%.2f s", a100.wall_s);
		all &= report("100,000 topics: creating them from empty under 10 s", a100.wall_s < BENCH_APPLY_100K_WALL_S,
			      detail);
	}
	if (i10.instructions && i100.instructions) {
		double x = ratio((double)i100.instructions, (double)i10.instructions);

		snprintf(detail, sizeof(detail), "%.0f M vs %.0f M: %.2fx", (double)i100.instructions / 1e6,
			 (double)i10.instructions / 1e6, x);
		all &= report("instructions at 100,000 topics within 10.5x of 10,000", x <= BENCH_INSTR_100K_RATIO, detail);
	}
	for (size_t i = 0; i < cfg->n_sizes; i++) {
		struct bench_summary plan = summarize(STEP_PLAN, cfg->clusters, cfg->sizes[i], 0);
		struct bench_summary change = summarize(STEP_CHANGE, cfg->clusters, cfg->sizes[i], 2);
		struct bench_summary plan_i = summarize(STEP_PLAN_INSTR, cfg->clusters, cfg->sizes[i], 0);
		struct bench_summary change_i = summarize(STEP_CHANGE_INSTR, cfg->clusters, cfg->sizes[i], 2);
		char target[128] = "";
		bool pass = false;

		if (!plan.n || !change.n)
			continue;
		/*
		 * "No costlier": instructions when counted (deterministic, within
		 * 2% for the diff it prints), else CPU within 10% (noise).
		 */
		if (plan_i.instructions && change_i.instructions) {
			pass = (double)change_i.instructions <= 1.02 * (double)plan_i.instructions;
			snprintf(detail, sizeof(detail), "%.0f M instructions vs %.0f M; CPU best %.2f s vs %.2f s",
				 (double)change_i.instructions / 1e6, (double)plan_i.instructions / 1e6, change.cpu_s,
				 plan.cpu_s);
		} else {
			pass = change.cpu_s <= 1.10 * plan.cpu_s;
			snprintf(detail, sizeof(detail), "CPU best %.2f s vs %.2f s, wall best %.2f s vs %.2f s, RSS %.1f vs "
				 "%.1f MiB", change.cpu_s, plan.cpu_s, change.wall_s, plan.wall_s, change.rss_mib,
				 plan.rss_mib);
		}
		snprintf(target, sizeof(target), "%zu topics: a 1-topic change costs no more than a no-change plan",
			 cfg->sizes[i]);
		all &= report(target, pass, detail);
	}
	if (bench_loop.ran) {
		struct bench_summary plan = summarize(STEP_PLAN, cfg->clusters, cfg->baseline_topics, 0);
		double steady = bench_loop.rss_max_second_half_mib;

		snprintf(detail, sizeof(detail), "highest %.1f MiB over the second half of %d s vs the one-shot plan's "
			 "peak %.1f MiB: %.2fx", steady, bench_loop.seconds, plan.rss_mib, ratio(steady, plan.rss_mib));
		all &= report("kdr run: steady-state RSS within 1.5x of a one-shot plan's peak",
			      bench_loop.cycles >= 2 && steady <= 1.5 * plan.rss_mib, detail);
		snprintf(detail, sizeof(detail), "highest %.1f MiB in the second half vs %.1f MiB in the first",
			 bench_loop.rss_max_second_half_mib, bench_loop.rss_max_first_half_mib);
		all &= report("kdr run: RSS flat (second half's highest within 10% of the first half's)",
			      bench_loop.rss_max_second_half_mib <= 1.10 * bench_loop.rss_max_first_half_mib, detail);
	}
	all &= report("no-change plans: DescribeConfigs per cluster = brokers + read.c's slices, Metadata <= 2 + "
		      "brokers, nothing mutating",
		      requests_as_promised(detail, sizeof(detail), cfg), detail);
	if (cfg->many_clusters) {
		struct bench_summary many = summarize(STEP_PLAN, cfg->many_clusters, cfg->many_topics, 0);
		struct bench_summary slow = summarize(STEP_PLAN_SLOW, cfg->many_clusters, cfg->many_topics, -1);
		struct bench_summary dead = summarize(STEP_PLAN_DEAD, cfg->many_clusters, cfg->many_topics, -1);
		char target[160] = "";
		double bound = many.wall_s + BENCH_SLOW_TIMEOUT_S + 1.0;

		if (many.n) {
			snprintf(detail, sizeof(detail), "best %.3f s of %zu, %.1f MiB", many.wall_s, many.n, many.rss_mib);
			snprintf(target, sizeof(target), "%zu clusters x %zu topics: no-change plan under 3 s wall",
				 cfg->many_clusters, cfg->many_topics);
			all &= report(target, many.wall_s < BENCH_MANY_WALL_S, detail);
			snprintf(target, sizeof(target), "%zu clusters x %zu topics: no-change plan under 512 MiB peak RSS",
				 cfg->many_clusters, cfg->many_topics);
			all &= report(target, many.rss_mib < BENCH_MANY_RSS_MIB, detail);
		}
		if (slow.n && dead.n) {
			snprintf(detail, sizeof(detail), "slow: %.2f s (exit %d), down: %.2f s (exit %d); bound: the healthy "
				 "plan's %.2f s + the 2 s timeout + 1 s", slow.wall_s, slow.first->exit_code, dead.wall_s,
				 dead.first->exit_code, many.wall_s);
			all &= report("a slow (5 s/request) or dead cluster delays the plan by no more than its own timeout",
				      slow.wall_s <= bound && dead.wall_s <= bound, detail);
		}
	}
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
	printf("kdr: %s; sandbox: %zu clusters x %d brokers over %zu racks, in this process; children forked by a launcher started before it\n", cfg->kdr, cfg->clusters,
	       cfg->brokers, cfg->racks);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_reconcile [--kdr PATH] [--per-topic PATH] [--sizes N,N,...] [--clusters N]\n"
		   "                       [--brokers N] [--racks N] [--policies N] [--kdr-timeout DURATION]\n"
		   "                       [--step-timeout SECONDS] [--repeat N] [--many-clusters N]\n"
		   "                       [--many-topics N] [--baseline-topics N] [--no-instructions]\n"
		   "                       [--loop-seconds N] [--keep]\n"
		   "defaults: KDR_BIN, bench_per_topic next to this program, sizes 1000,10000,30000,100000 topics per\n"
		   "cluster, 2 clusters x 6 brokers over 3 racks, 20 policies, kdr's own timeout, 1200 s per step,\n"
		   "3 plans of each kind, 10 clusters x 10000 topics (--many-clusters 0: none), the per-topic\n"
		   "baseline and kdr run for 600 s at 10000 topics (0: none), instructions counted under callgrind\n");
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

/* "1000,10000,..." into cfg->sizes. */
static bool parse_sizes(struct bench_config *cfg, const char *text)
{
	char copy[256] = "";
	char *save = NULL;

	snprintf(copy, sizeof(copy), "%s", text);
	cfg->n_sizes = 0;
	for (char *word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
		if (cfg->n_sizes >= BENCH_MAX_SIZES || !parse_count(&cfg->sizes[cfg->n_sizes], word, 1, 1000000))
			return false;
		cfg->n_sizes++;
	}
	return cfg->n_sizes > 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "kdr", required_argument, NULL, 'k' },
		{ "per-topic", required_argument, NULL, 'P' },
		{ "sizes", required_argument, NULL, 'S' },
		{ "topics", required_argument, NULL, 't' },
		{ "clusters", required_argument, NULL, 'c' },
		{ "brokers", required_argument, NULL, 'B' },
		{ "racks", required_argument, NULL, 'r' },
		{ "policies", required_argument, NULL, 'p' },
		{ "kdr-timeout", required_argument, NULL, 'T' },
		{ "step-timeout", required_argument, NULL, 's' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "many-clusters", required_argument, NULL, 'm' },
		{ "many-topics", required_argument, NULL, 'M' },
		{ "baseline-topics", required_argument, NULL, 'b' },
		{ "no-instructions", no_argument, NULL, 'I' },
		{ "loop-seconds", required_argument, NULL, 'L' },
		{ "keep", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_config cfg = { 0 };
	static char per_topic[4096];
	struct sigaction sa = { 0 };
	size_t value = 0;
	int opt = 0;

	cfg.kdr = getenv("KDR_BIN");
	parse_sizes(&cfg, "1000,10000,30000,100000");
	cfg.clusters = 2;
	cfg.brokers = 6;
	cfg.racks = 3;
	cfg.policies = 20;
	cfg.step_timeout_s = 1200;
	cfg.repeat = 3;
	cfg.many_clusters = 10;
	cfg.many_topics = 10000;
	cfg.baseline_topics = 10000;
	cfg.instructions = true;
	cfg.loop_seconds = 600;
	/* bench_per_topic is built next to this program. */
	snprintf(per_topic, sizeof(per_topic), "%s", argv[0]);
	if (strrchr(per_topic, '/'))
		snprintf(strrchr(per_topic, '/') + 1, sizeof(per_topic) - (size_t)(strrchr(per_topic, '/') + 1 - per_topic),
			 "bench_per_topic");
	else
		snprintf(per_topic, sizeof(per_topic), "bench_per_topic");
	cfg.per_topic = per_topic;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		bool ok = true;

		switch (opt) {
		case 'k':
			cfg.kdr = optarg;
			break;
		case 'P':
			cfg.per_topic = optarg;
			break;
		case 'S':
		case 't': /* --topics N: one size */
			ok = parse_sizes(&cfg, optarg);
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
		case 'm':
			ok = parse_count(&cfg.many_clusters, optarg, 0, BENCH_MAX_CLUSTERS);
			break;
		case 'M':
			ok = parse_count(&cfg.many_topics, optarg, 1, 1000000);
			break;
		case 'b':
			ok = parse_count(&cfg.baseline_topics, optarg, 0, 1000000);
			break;
		case 'I':
			cfg.instructions = false;
			break;
		case 'L':
			ok = parse_count(&value, optarg, 0, 86400);
			cfg.loop_seconds = (int)value;
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
	if (cfg.baseline_topics && access(cfg.per_topic, X_OK) != 0) {
		fprintf(stderr, "bench: the per-topic reader '%s' is not executable (--per-topic): %s\n", cfg.per_topic,
			strerror(errno));
		return BENCH_EXIT_ERROR;
	}
	if (!cfg.baseline_topics)
		cfg.per_topic = NULL;
	/* Before any sandbox: the children it forks start from its small RSS. */
	if (launcher_start() != 0) {
		fprintf(stderr, "bench: %s\n", kdr_error_message());
		return BENCH_EXIT_ERROR;
	}
	print_machine(&cfg);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	for (size_t i = 0; i < cfg.n_sizes; i++)
		if (run_size(&cfg, cfg.sizes[i]) != 0) {
			fprintf(stderr, "bench: %zu topics: %s\n", cfg.sizes[i], kdr_error_message());
			return BENCH_EXIT_ERROR;
		}
	if (cfg.many_clusters && run_many(&cfg) != 0) {
		fprintf(stderr, "bench: many clusters: %s\n", kdr_error_message());
		return BENCH_EXIT_ERROR;
	}
	print_steps(&cfg);
	print_growth(&cfg);
	print_baseline(&cfg);
	print_loop();
	printf("Load average after the run: %s\n", load_average());
	return check_targets(&cfg) ? BENCH_EXIT_OK : BENCH_EXIT_MISSED;
}
