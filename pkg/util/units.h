#ifndef KDR_UTIL_UNITS_H
#define KDR_UTIL_UNITS_H

#include <stdint.h>

/*
 * Strict parsers for the duration and size notations of the resource schema.
 * Durations: "<digits><unit>" with unit ms, s, m, h, d, or plain digits
 * (milliseconds); "-1" (infinite) only when allow_infinite. Sizes: digits with
 * KiB, MiB, GiB, TiB or plain bytes. No whitespace, signs, fractions, empty
 * strings or trailing garbage; overflow of int64 is an error.
 * Return 0 or KDR_EINVALID with kdr_error_set saying what was wrong.
 */
int kdr_parse_duration_ms(int64_t *out, const char *text, int allow_infinite);
int kdr_parse_size_bytes(int64_t *out, const char *text);
/* Parses a plain non-negative decimal integer that fits int64. */
int kdr_parse_int64(int64_t *out, const char *text);

#endif
