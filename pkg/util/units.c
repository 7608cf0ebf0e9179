#include "util/units.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

/* Longest part of the input quoted back in a message. */
#define QUOTE_MAX 64

struct unit {
	const char *suffix;
	int64_t factor;
};

static const struct unit duration_units[] = {
	{ "", 1 },           { "ms", 1 },           { "s", 1000 },
	{ "m", 60 * 1000 },  { "h", 3600 * 1000 },  { "d", INT64_C(86400) * 1000 },
};

static const struct unit size_units[] = {
	{ "", 1 },
	{ "KiB", INT64_C(1) << 10 },
	{ "MiB", INT64_C(1) << 20 },
	{ "GiB", INT64_C(1) << 30 },
	{ "TiB", INT64_C(1) << 40 },
};

/* `text` for a message: control characters escaped, long input shortened. */
static void quote(char *out, size_t cap, const char *text)
{
	size_t o = 0;
	size_t i = 0;

	for (; text[i] && o + 8 < cap; i++) {
		unsigned char c = (unsigned char)text[i];

		if (i >= QUOTE_MAX && (c & 0xC0) != 0x80)
			break;
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (text[i] && o + 4 < cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

enum digits_result {
	DIGITS_OK,
	DIGITS_NONE,
	DIGITS_OVERFLOW,
};

/* The leading decimal digits of text as an int64; *end is set past them. */
static enum digits_result parse_digits(int64_t *out, const char *text, const char **end)
{
	int64_t value = 0;
	const char *p = text;
	bool overflow = false;

	for (; *p >= '0' && *p <= '9'; p++) {
		int digit = *p - '0';

		if (value > (INT64_MAX - digit) / 10)
			overflow = true;
		else
			value = value * 10 + digit;
	}
	*end = p;
	if (p == text)
		return DIGITS_NONE;
	if (overflow)
		return DIGITS_OVERFLOW;
	*out = value;
	return DIGITS_OK;
}

/*
 * digits + one of `units` (matched exactly, case included). Returns 0,
 * -1 on a malformed text, -2 on overflow.
 */
static int parse_with_units(int64_t *out, const char *text, const struct unit *units, size_t n_units)
{
	int64_t value = 0;
	const char *end = NULL;
	enum digits_result digits = parse_digits(&value, text, &end);

	if (digits == DIGITS_NONE)
		return -1;
	for (size_t i = 0; i < n_units; i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (digits == DIGITS_OVERFLOW || value > INT64_MAX / units[i].factor)
			return -2;
		*out = value * units[i].factor;
		return 0;
	}
	return -1;
}

/* What one parser reads: its units, and the words of its messages. */
struct quantity {
	const char *what; /* "duration" */
	const struct unit *units;
	size_t n_units;
	const char *most;     /* after the largest value: its unit (" ms") or "" */
	const char *expected; /* what a valid text is */
};

static const struct quantity durations = {
	"duration", duration_units, sizeof(duration_units) / sizeof(duration_units[0]), " ms",
	"digits with a unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, 7d), or plain digits for milliseconds",
};

static const struct quantity sizes = {
	"size", size_units, sizeof(size_units) / sizeof(size_units[0]), " bytes",
	"digits with a unit KiB, MiB, GiB or TiB (e.g. 512MiB, 10GiB), or plain digits for bytes",
};

static const struct unit no_unit[] = { { "", 1 } };

static const struct quantity integers = { "integer", no_unit, 1, "", "plain decimal digits" };

/* `text` as a `q`; `also` ends the message of a malformed text (what else is allowed, or ""). */
static int parse_quantity(int64_t *out, const char *text, const struct quantity *q, const char *also)
{
	char shown[QUOTE_MAX * 4 + 8] = "";
	int rc = 0;

	if (!text)
		return kdr_error_set(KDR_EINVALID, "invalid %s: no value", q->what);
	quote(shown, sizeof(shown), text);
	rc = parse_with_units(out, text, q->units, q->n_units);
	if (rc == -2)
		return kdr_error_set(KDR_EINVALID, "%s '%s' is out of range: at most 9223372036854775807%s", q->what,
				     shown, q->most);
	if (rc < 0)
		return kdr_error_set(KDR_EINVALID, "invalid %s '%s': expected %s%s", q->what, shown, q->expected, also);
	return 0;
}

int kdr_parse_duration_ms(int64_t *out, const char *text, int allow_infinite)
{
	if (text && strcmp(text, "-1") == 0) {
		if (allow_infinite) {
			*out = -1;
			return 0;
		}
		return kdr_error_set(KDR_EINVALID, "invalid duration '-1': infinite is not allowed here; expected %s",
				     durations.expected);
	}
	return parse_quantity(out, text, &durations, allow_infinite ? ", or -1 for infinite" : "");
}

int kdr_parse_size_bytes(int64_t *out, const char *text)
{
	return parse_quantity(out, text, &sizes, "");
}

int kdr_parse_int64(int64_t *out, const char *text)
{
	return parse_quantity(out, text, &integers, "");
}
