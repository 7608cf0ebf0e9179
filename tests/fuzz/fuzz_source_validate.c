/*
 * kdr_validate over whatever the decoder made of any bytes (issue 14): the
 * rules run on documents that decoded partly too (a broken field left
 * unset), so they must neither crash nor leak on any decoded model. Links
 * kdr_source (pkg/spec + pkg/validate).
 */
#include <stdint.h>
#include <stdlib.h>

#include "spec/spec.h"
#include "validate/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;

	kdr_spec_parse_yaml(&desired, "fuzz.yaml", (const char *)data, size, &diags);
	kdr_validate(&desired, &diags);
	for (size_t i = 0; i < diags.n; i++)
		free(kdr_diag_format(&diags.v[i]));
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	return 0;
}
