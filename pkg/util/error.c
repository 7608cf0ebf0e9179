#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_message[4096];
static _Thread_local int last_code;

int kdr_error_set(int code, const char *fmt, ...)
{
	char message[sizeof(last_message)];
	va_list ap;

	/* Formatted aside first: the arguments may include kdr_error_message() (a context added to it). */
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	memcpy(last_message, message, sizeof(last_message));
	last_code = code;
	return code;
}

const char *kdr_error_message(void)
{
	return last_message;
}

int kdr_error_last(void)
{
	return last_code;
}

void kdr_error_clear(void)
{
	last_message[0] = '\0';
	last_code = KDR_OK;
}

bool kdr_error_retriable(int code)
{
	return code == KDR_ECONFLICT || code == KDR_ETIMEOUT || code == KDR_EUNAVAILABLE;
}

const char *kdr_error_name(int code)
{
	switch (code) {
	case KDR_OK: return "ok";
	case KDR_ENOTFOUND: return "not-found";
	case KDR_EEXISTS: return "exists";
	case KDR_EINVALID: return "invalid";
	case KDR_EUNSUPPORTED: return "unsupported";
	case KDR_ECONFLICT: return "conflict";
	case KDR_ETIMEOUT: return "timeout";
	case KDR_EUNAVAILABLE: return "unavailable";
	case KDR_EIO: return "io";
	}
	return "unknown";
}
