#ifndef KDR_UTIL_CLOCK_H
#define KDR_UTIL_CLOCK_H

#include <stdint.h>

/* Milliseconds on the monotonic clock: for deadlines and durations, never shown. */
int64_t kdr_clock_mono_ms(void);

/* Nanoseconds and milliseconds since the Unix epoch (wall clock): for times that are shown or stored. */
int64_t kdr_clock_wall_ns(void);
int64_t kdr_clock_wall_ms(void);

/* "2026-12-07T01:02:03Z", ".123Z" or ".123456Z": room for every form. */
#define KDR_CLOCK_UTC_SIZE 32

/*
 * `unix_ns` as an RFC 3339 UTC time with `digits` fraction digits (0, 3
 * for milliseconds or 6 for microseconds; truncated, not rounded, so a time
 * never reads later than it was), into `out`.
 */
void kdr_clock_utc(char out[KDR_CLOCK_UTC_SIZE], int64_t unix_ns, int digits);

#endif
