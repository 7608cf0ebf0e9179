/*
 * The process around the loop of `kdr run`: its malloc arenas, set before
 * any thread starts, and its signals (SIGTERM/SIGINT stop the loop after
 * the current cycle, a second one exits at once; SIGPIPE ignored).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

#include "controller/controller.h"

void kdr_controller_process_init(void)
{
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
	/*
	 * One malloc arena, set before any thread starts. glibc gives threads
	 * their own arenas (up to 8 per core) and keeps what is freed in each:
	 * the loop's reader threads and librdkafka's broker threads, new ones
	 * every cycle, left it at the sum of every arena's high-water mark,
	 * growing for minutes. Measured on 2 x 10,000 topics, 2 s interval, 30 s:
	 * default 75 -> 100 MiB and still growing, 2 arenas up to 90 MiB, one
	 * arena 63 -> 71 MiB (a one-shot plan peaks at ~63 MiB) at the same CPU per
	 * cycle: the threads mostly wait on the network, so they rarely contend.
	 */
	mallopt(M_ARENA_MAX, 1);
#endif
}

/* The controller the signal handler stops; set only while the loop runs. */
static struct kdr_controller *volatile running;

static void on_signal(int signo)
{
	static const char msg[] = "kdr run: second signal, exiting now\n";
	struct kdr_controller *ctl = running;
	ssize_t n = 0;

	if (!ctl)
		return;
	if (kdr_controller_stop_requested(ctl)) {
		/* The operator insists: do not wait for the cycle (async-signal-safe calls only). */
		n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)n;
		_exit(1);
	}
	kdr_controller_request_stop(ctl, signo);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* A scraper hanging up mid-response must not kill the controller. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

int kdr_controller_run_until_signalled(struct kdr_controller *ctl)
{
	int rc = 0;

	running = ctl;
	install_signals();
	rc = kdr_controller_run(ctl);
	/* Signals after this point find no controller and are ignored until exit. */
	running = NULL;
	return rc;
}
