/*
 * The reconcile loop and the controller's life. One thread (the caller's)
 * does everything that touches the source and the clusters; the HTTP thread
 * only reads the stats under `lock`. The loop checks the source every poll
 * period, runs a cycle at once on a new revision, when a cluster's backoff
 * ends, and every (jittered) interval; between them it sleeps on a pipe that
 * a stop request writes to.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "controller/controller.h"
#include "controller/controller_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strvec.h"

/* --- per-cluster state --- */

struct kdr_controller__cluster_state *kdr_controller__cluster_state(struct kdr_controller *ctl, const char *name)
{
	struct kdr_controller__cluster_state *state = NULL;

	for (size_t i = 0; i < ctl->n_states; i++)
		if (strcmp(ctl->states[i].name, name) == 0)
			return &ctl->states[i];
	ctl->states = kdr_grow(ctl->states, &ctl->cap_states, ctl->n_states + 1, sizeof(*ctl->states));
	state = &ctl->states[ctl->n_states++];
	memset(state, 0, sizeof(*state));
	state->name = kdr_strdup(name);
	return state;
}

bool kdr_controller__cluster_selected(const struct kdr_controller *ctl, const char *name)
{
	return ctl->cluster_filter.n == 0 || kdr_strvec_contains(&ctl->cluster_filter, name);
}

/* The earliest end of a backoff among the clusters the loop reconciles; 0 when none is backing off. */
static int64_t earliest_retry(const struct kdr_controller *ctl)
{
	int64_t earliest = 0;

	if (!ctl->have_desired)
		return 0;
	for (size_t i = 0; i < ctl->n_states; i++) {
		const struct kdr_controller__cluster_state *state = &ctl->states[i];

		if (state->backoff.not_before_ms == 0 || !kdr_controller__cluster_selected(ctl, state->name) ||
		    !kdr_desired_cluster(&ctl->desired, state->name))
			continue;
		if (earliest == 0 || state->backoff.not_before_ms < earliest)
			earliest = state->backoff.not_before_ms;
	}
	return earliest;
}

/* --- the loop --- */

/* Sleeps up to `ms`, or until a stop request writes to the pipe. */
static void wait_for(struct kdr_controller *ctl, int64_t ms)
{
	struct pollfd pfd = { ctl->wake[0], POLLIN, 0 };
	char drain[64];

	if (ms <= 0)
		return;
	if (ms > INT_MAX)
		ms = INT_MAX;
	if (poll(&pfd, 1, (int)ms) > 0 && (pfd.revents & POLLIN))
		while (read(ctl->wake[0], drain, sizeof(drain)) > 0)
			;
}

static int64_t min_positive(int64_t a, int64_t b)
{
	if (a <= 0)
		return b;
	if (b <= 0)
		return a;
	return a < b ? a : b;
}

int kdr_controller_run(struct kdr_controller *ctl)
{
	int64_t next_check = 0, next_cycle = 0;
	int64_t poll_ms =
	    ctl->options.poll_ms < ctl->options.interval_ms ? ctl->options.poll_ms : ctl->options.interval_ms;
	int rc = 0;
	struct kdr_controller_fields f = { 0 };

	atomic_store(&ctl->alive, 1);
	kdr_controller__field_str(&f, "source", ctl->source.ops->describe(ctl->source.ctx));
	kdr_controller__field_int(&f, "interval_ms", ctl->options.interval_ms);
	kdr_controller__field_int(&f, "poll_ms", poll_ms);
	kdr_controller__field_bool(&f, "dry_run", ctl->options.dry_run);
	kdr_controller__field_bool(&f, "once", ctl->options.once);
	kdr_controller__field_str(&f, "listen", ctl->address);
	kdr_controller__log(ctl, KDR_CONTROLLER_LOG_INFO, "controller started", &f);
	while (!atomic_load(&ctl->stop)) {
		int64_t now = kdr_clock_mono_ms();
		int64_t retry = 0;

		if (now >= next_check) {
			kdr_controller__check_source(ctl);
			next_check = now + poll_ms;
			/* A new revision is reconciled at once; the interval only paces resyncs. */
			if (ctl->source_changed || kdr_controller__needs_load(ctl))
				next_cycle = now;
			ctl->source_changed = false;
		}
		retry = earliest_retry(ctl);
		if (now >= next_cycle || (retry > 0 && now >= retry)) {
			rc = kdr_controller__run_cycle(ctl);
			if (ctl->options.once)
				break;
			next_cycle =
			    kdr_clock_mono_ms() + kdr_controller_jitter(&ctl->rng, ctl->options.interval_ms,
									      ctl->options.backoff.jitter_percent);
			continue;
		}
		wait_for(ctl, min_positive(min_positive(next_check, next_cycle), retry) - now);
	}
	f.n = 0;
	if (atomic_load(&ctl->stop)) {
		int signo = atomic_load(&ctl->stop_signal);

		if (signo)
			kdr_controller__field_int(&f, "signal", signo);
	}
	kdr_controller__field_int(&f, "cycles", (int64_t)ctl->cycle);
	kdr_controller__log(ctl, KDR_CONTROLLER_LOG_INFO, "controller stopped", &f);
	atomic_store(&ctl->alive, 0);
	/* rc is the single cycle's result, its message set by finish_cycle. */
	return ctl->options.once ? rc : 0;
}

void kdr_controller_request_stop(struct kdr_controller *ctl, int signo)
{
	int saved = errno;
	char byte = 1;
	ssize_t n = 0;

	if (signo && !atomic_load(&ctl->stop_signal))
		atomic_store(&ctl->stop_signal, signo);
	atomic_store(&ctl->stop, 1);
	/* A full pipe already has a wake-up pending. */
	n = write(ctl->wake[1], &byte, 1);
	(void)n;
	errno = saved;
}

bool kdr_controller_stop_requested(struct kdr_controller *ctl)
{
	return atomic_load(&ctl->stop) != 0;
}

/* --- HTTP --- */

static unsigned serve(struct kdr_buf *body, const char **content_type, const char *path, void *vctl)
{
	struct kdr_controller *ctl = vctl;
	unsigned status = 200;

	if (strcmp(path, "/metrics") == 0) {
		pthread_mutex_lock(&ctl->lock);
		kdr_controller_metrics_render(body, &ctl->stats);
		pthread_mutex_unlock(&ctl->lock);
		*content_type = "text/plain; version=0.0.4; charset=utf-8";
		return 200;
	}
	if (strcmp(path, "/healthz") == 0) {
		bool alive = atomic_load(&ctl->alive) != 0;

		kdr_buf_puts(body, alive ? "ok\n" : "reconcile loop not running\n");
		return alive ? 200 : 503;
	}
	if (strcmp(path, "/readyz") == 0) {
		bool ready = false;
		int leader = 0;

		pthread_mutex_lock(&ctl->lock);
		ready = ctl->stats.ready;
		leader = ctl->stats.leader;
		pthread_mutex_unlock(&ctl->lock);
		if (atomic_load(&ctl->stop)) {
			kdr_buf_puts(body, "stopping\n");
			status = 503;
		} else if (!ready) {
			kdr_buf_puts(body, "no successful reconcile cycle yet\n");
			status = 503;
		} else {
			/* A standby is ready (it takes over at once); the body says which it is. */
			kdr_buf_puts(body, leader == 2 ? "ok (leader)\n" : leader == 1 ? "ok (standby)\n" : "ok\n");
		}
		return status;
	}
	kdr_buf_puts(body, "not found; try /metrics, /healthz or /readyz\n");
	return 404;
}

/* --- lifecycle --- */

int kdr_controller_new(struct kdr_controller **out, struct kdr_source *source,
		       const struct kdr_controller_options *options)
{
	struct kdr_controller *ctl = NULL;
	int rc = 0;

	if (!source->ops || options->interval_ms <= 0 || options->poll_ms <= 0 || options->backoff.base_ms <= 0 ||
	    options->backoff.max_ms < options->backoff.base_ms) {
		kdr_source_release(source);
		return kdr_error_set(KDR_EINVALID,
				     "controller: the source, interval, poll period and backoff must be set "
				     "(backoff base > 0, max >= base)");
	}
	ctl = kdr_calloc(1, sizeof(*ctl));
	ctl->kafka = kdr_kafka_pool_new();
	ctl->options = *options;
	ctl->options.clusters = NULL;
	ctl->options.n_clusters = 0;
	ctl->options.listen = NULL;
	for (size_t i = 0; i < options->n_clusters; i++)
		kdr_strvec_push(&ctl->cluster_filter, options->clusters[i]);
	ctl->source = *source;
	source->ops = NULL;
	source->ctx = NULL;
	ctl->log = options->log ? options->log : stderr;
	ctl->wake[0] = ctl->wake[1] = -1;
	kdr_buf_init(&ctl->line);
	kdr_rng_seed(&ctl->rng, options->seed ? options->seed
					      : (uint64_t)kdr_clock_wall_ms() ^ ((uint64_t)getpid() << 32) ^
						    (uint64_t)kdr_clock_mono_ms());
	atomic_init(&ctl->stop, 0);
	atomic_init(&ctl->stop_signal, 0);
	atomic_init(&ctl->alive, 0);
	pthread_mutex_init(&ctl->lock, NULL);
	if (pipe2(ctl->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		rc = kdr_error_set(KDR_EIO, "controller: pipe: %s", strerror(errno));
		goto cleanup;
	}
	if (options->listen) {
		rc = kdr_controller__http_start(&ctl->http, &ctl->address, options->listen, serve, ctl);
		if (rc != 0)
			goto cleanup;
	}
	*out = ctl;
	return 0;
cleanup:
	kdr_controller_free(ctl);
	return rc;
}

const char *kdr_controller_listen_address(const struct kdr_controller *ctl)
{
	return ctl->address;
}

void kdr_controller_stats_copy(struct kdr_controller_stats *out, struct kdr_controller *ctl)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ctl->lock);
	*out = ctl->stats;
	out->revision = kdr_strdup(ctl->stats.revision);
	out->clusters = NULL;
	out->n_clusters = out->cap_clusters = 0;
	for (size_t i = 0; i < ctl->stats.n_clusters; i++) {
		struct kdr_controller_cluster_stats *cs =
		    kdr_controller_stats_cluster(out, ctl->stats.clusters[i].name);

		cs->errors_total = ctl->stats.clusters[i].errors_total;
		cs->backoff_ms = ctl->stats.clusters[i].backoff_ms;
	}
	out->flow_lags = kdr_calloc(ctl->stats.n_flow_lags + 1, sizeof(*out->flow_lags));
	for (size_t i = 0; i < ctl->stats.n_flow_lags; i++) {
		out->flow_lags[i].flow = kdr_strdup(ctl->stats.flow_lags[i].flow);
		kdr_health_lag_copy(&out->flow_lags[i].lag, &ctl->stats.flow_lags[i].lag);
	}
	pthread_mutex_unlock(&ctl->lock);
}

void kdr_controller_free(struct kdr_controller *ctl)
{
	if (!ctl)
		return;
	/* HTTP first: its thread reads the stats. */
	kdr_controller__http_stop(ctl->http);
	kdr_kafka_pool_free(ctl->kafka);
	free(ctl->address);
	kdr_source_release(&ctl->source);
	kdr_desired_release(&ctl->desired);
	free(ctl->seen_revision);
	free(ctl->rejected_revision);
	free(ctl->check_error);
	free(ctl->notes_revision);
	kdr_diags_release(&ctl->rejected_diags);
	for (size_t i = 0; i < ctl->n_states; i++)
		free(ctl->states[i].name);
	free(ctl->states);
	kdr_controller_stats_release(&ctl->stats);
	kdr_strvec_release(&ctl->cluster_filter);
	kdr_buf_release(&ctl->line);
	if (ctl->wake[0] >= 0)
		close(ctl->wake[0]);
	if (ctl->wake[1] >= 0)
		close(ctl->wake[1]);
	pthread_mutex_destroy(&ctl->lock);
	free(ctl);
}
