/* The helper of spec_helpers.h, in the kdrtest_spec library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "spec/spec.h"
#include "spec_helpers.h"
#include "util/diag.h"

void parse_or_fail(struct kdr_desired *desired, const char *file, const char *yaml)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = kdr_spec_parse_yaml(desired, file, yaml, strlen(yaml), &diags);

	if (rc != 0 || diags.errors) {
		kdr_diags_print(&diags, stdout);
		printf("--- yaml:\n%s\n", yaml);
		kdr_diags_release(&diags);
		fail_msg("YAML did not parse (rc %d)", rc);
	}
	kdr_diags_release(&diags);
}
