/*
 * YAML documents are untrusted input (a pull request's files): parsing any
 * bytes must neither crash nor leak, and every diagnostic must format.
 */
#include <stdint.h>
#include <stdlib.h>

#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;

	kdr_spec_parse_yaml(&desired, "fuzz.yaml", (const char *)data, size, &diags);
	for (size_t i = 0; i < diags.n; i++)
		free(kdr_diag_format(&diags.v[i]));
	/* What validation will do with every position: locate it. */
	for (size_t i = 0; i < desired.n_policies; i++) {
		struct kdr_loc loc;

		kdr_meta_locate(&loc, &desired.policies[i].meta, "spec.topics[0].name");
	}
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	return 0;
}
