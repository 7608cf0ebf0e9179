/*
 * The background loops of pkg/k8s (informer, lease): how one sleeps between
 * rounds and how it is stopped, so a stop never waits out a sleep.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "k8s/k8s_internal.h"

void kdr_k8s__nap(atomic_int *stop, pthread_mutex_t *lock, pthread_cond_t *cond, int64_t ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(lock);
	while (!atomic_load(stop))
		if (pthread_cond_timedwait(cond, lock, &until) != 0)
			break;
	pthread_mutex_unlock(lock);
}

void kdr_k8s__stop(atomic_int *stop, pthread_mutex_t *lock, pthread_cond_t *cond, bool started, pthread_t thread)
{
	atomic_store(stop, 1);
	pthread_mutex_lock(lock);
	pthread_cond_broadcast(cond);
	pthread_mutex_unlock(lock);
	if (started)
		pthread_join(thread, NULL);
}
