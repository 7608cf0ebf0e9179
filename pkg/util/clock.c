/*
 * The one place that reads the clocks and formats a UTC time: logs, debug
 * lines, Kubernetes MicroTime and status times, backups and failover
 * records all write the same RFC 3339 form.
 */
#include <stdio.h>
#include <time.h>

#include "util/clock.h"

static int64_t read_ns(clockid_t clock)
{
	struct timespec ts = { 0, 0 };

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t kdr_clock_mono_ms(void)
{
	return read_ns(CLOCK_MONOTONIC) / 1000000;
}

int64_t kdr_clock_wall_ns(void)
{
	return read_ns(CLOCK_REALTIME);
}

int64_t kdr_clock_wall_ms(void)
{
	return kdr_clock_wall_ns() / 1000000;
}

void kdr_clock_utc(char out[KDR_CLOCK_UTC_SIZE], int64_t unix_ns, int digits)
{
	int64_t secs = unix_ns / 1000000000, frac = unix_ns % 1000000000;
	time_t t = 0;
	struct tm tm = { 0 };
	size_t len = 0;

	if (frac < 0) { /* before 1970: the fraction counts up from the earlier second */
		secs--;
		frac += 1000000000;
	}
	t = (time_t)secs;
	gmtime_r(&t, &tm);
	len = strftime(out, KDR_CLOCK_UTC_SIZE, "%Y-%m-%dT%H:%M:%S", &tm);
	if (digits == 3)
		snprintf(out + len, KDR_CLOCK_UTC_SIZE - len, ".%03dZ", (int)(frac / 1000000));
	else if (digits == 6)
		snprintf(out + len, KDR_CLOCK_UTC_SIZE - len, ".%06dZ", (int)(frac / 1000));
	else
		snprintf(out + len, KDR_CLOCK_UTC_SIZE - len, "Z");
}
