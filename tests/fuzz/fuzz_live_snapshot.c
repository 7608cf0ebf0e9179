/*
 * The live-state snapshot reader (`plan --offline FILE`, `apply --offline`):
 * a snapshot is a file anyone may hand kdr; any bytes must neither crash nor
 * leak, and a snapshot that loads must serialise again.
 */
#include <stdint.h>
#include <stdlib.h>

#include "live/live.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdr_live live = { 0 };
	struct kdr_buf out = KDR_BUF_INIT;

	if (kdr_live_from_json(&live, (const char *)data, size, "fuzz.json") == 0)
		kdr_live_to_json(&out, &live);
	kdr_buf_release(&out);
	kdr_live_release(&live);
	return 0;
}
