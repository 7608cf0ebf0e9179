/*
 * Durations and sizes come straight from documents: every input must parse
 * or fail cleanly, and a success must round-trip through its own digits.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	int64_t value = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (kdr_parse_duration_ms(&value, text, 1) == 0) {
		/* Anything accepted is -1 or non-negative. */
		if (value < -1)
			abort();
	}
	if (kdr_parse_duration_ms(&value, text, 0) == 0 && value < 0)
		abort();
	if (kdr_parse_size_bytes(&value, text) == 0 && value < 0)
		abort();
	if (kdr_parse_int64(&value, text) == 0) {
		char back[32];
		int64_t again = 0;

		/* Plain digits: the value printed back parses to itself. */
		snprintf(back, sizeof(back), "%" PRId64, value);
		if (value < 0 || kdr_parse_int64(&again, back) != 0 || again != value)
			abort();
	}
	free(text);
	return 0;
}
