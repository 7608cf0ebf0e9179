/*
 * Helpers shared by the tests of pkg/validate (tests/unit/test_validate*.c):
 * desired states parsed from YAML (so every diagnostic carries a real
 * line:col), validated, and compared as the exact lines `kdr validate` prints.
 */
#ifndef KDR_TEST_SUPPORT_VALIDATE_HELPERS_H
#define KDR_TEST_SUPPORT_VALIDATE_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/model.h"
#include "spec_helpers.h"
#include "spec/spec.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/error.h"
#include "validate/validate.h"

#define DOC "---\napiVersion: kdr.io/v1alpha1\n"

/*
 * Two plain clusters most tests build on: lines 1-12 of every test file.
 * dc-east:  lines 1-6, dc-west: lines 7-12.
 */
#define TWO_CLUSTERS                                         \
	DOC "kind: KafkaCluster\n"                           \
	    "metadata: {name: dc-east}\n"                    \
	    "spec:\n"                                        \
	    "  bootstrapServers: east-1:9092,east-2:9092\n"  \
	DOC "kind: KafkaCluster\n"                           \
	    "metadata: {name: dc-west}\n"                    \
	    "spec:\n"                                        \
	    "  bootstrapServers: west-1:9092\n"

/* Every diagnostic as `kdr validate` prints it, one per line (no final newline). */
char *format_diags(const struct kdr_diags *diags);

/* Validates `desired`, expecting return code `rc` and exactly the lines `expected`. */
void check_desired(const struct kdr_desired *desired, int rc, const char *expected);

/* Parses `yaml` (file "t.yaml") and checks its validation. */
void check_yaml(const char *yaml, int rc, const char *expected);

#endif
