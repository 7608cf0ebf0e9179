/*
 * Kubernetes objects arrive as JSON from the API server (and, in tests, from
 * files): parsing any bytes must neither crash nor leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;

	kdr_spec_parse_json(&desired, "fuzz/object", (const char *)data, size, &diags);
	for (size_t i = 0; i < diags.n; i++)
		free(kdr_diag_format(&diags.v[i]));
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	return 0;
}
