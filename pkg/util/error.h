#ifndef KDR_UTIL_ERROR_H
#define KDR_UTIL_ERROR_H

#include <stdbool.h>

/*
 * Every fallible kdr function returns 0 or one of these negative codes. The
 * numbers are never reordered or reused: scripts and logs may carry them.
 * Terminal codes say "retrying will not help"; retriable ones say it might.
 */
enum kdr_error_code {
	KDR_OK = 0,
	KDR_ENOTFOUND = -1,    /* terminal: the named thing does not exist */
	KDR_EEXISTS = -2,      /* terminal: already exists */
	KDR_EINVALID = -3,     /* terminal: bad input or a rule violated */
	KDR_EUNSUPPORTED = -4, /* terminal: the peer or build cannot do this */
	KDR_ECONFLICT = -5,    /* retriable: concurrent change (e.g. Connect rebalance) */
	KDR_ETIMEOUT = -6,     /* retriable */
	KDR_EUNAVAILABLE = -7, /* retriable: peer down or unreachable */
	KDR_EIO = -8,          /* terminal: local I/O failed */
};

/*
 * Records a human message for the calling thread and returns `code`, so that
 * `return kdr_error_set(KDR_EINVALID, "...")` reports and fails in one line.
 * Messages are lowercase, without a trailing period, subjects quoted.
 */
int kdr_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message set on this thread ("" when none); valid until the next set. */
const char *kdr_error_message(void);

/* The code of the last kdr_error_set on this thread (KDR_OK when none). */
int kdr_error_last(void);

/* Clears the thread's last error. */
void kdr_error_clear(void);

/* Whether an operation that failed with `code` may succeed when retried. */
bool kdr_error_retriable(int code);

/* A stable lowercase name of a code ("invalid", "timeout", ...). */
const char *kdr_error_name(int code);

#endif
