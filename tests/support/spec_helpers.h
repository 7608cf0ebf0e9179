/*
 * The helper the tests of pkg/plan and pkg/validate share (in the
 * kdrtest_spec library): desired states parsed from YAML through pkg/spec.
 */
#ifndef KDR_TEST_SUPPORT_SPEC_HELPERS_H
#define KDR_TEST_SUPPORT_SPEC_HELPERS_H

#include "model/model.h"

/* Parses `yaml` as file `file` into `desired`; fails the test, printing every diagnostic, on a parse error. */
void parse_or_fail(struct kdr_desired *desired, const char *file, const char *yaml);

#endif
