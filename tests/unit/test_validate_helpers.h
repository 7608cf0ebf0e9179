/*
 * Helpers shared by the tests of pkg/validate (tests/unit/test_validate*.c):
 * desired states parsed from YAML (so every diagnostic carries a real
 * line:col), validated, and compared as the exact lines `kdr validate` prints.
 */
#ifndef KDR_TEST_VALIDATE_HELPERS_H
#define KDR_TEST_VALIDATE_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/model.h"
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

/* Parses `yaml` as file `file` into `desired`; fails the test on a parse error. */
static inline void parse_or_fail(struct kdr_desired *desired, const char *file, const char *yaml)
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

/* Every diagnostic as `kdr validate` prints it, one per line (no final newline). */
static inline char *format_diags(const struct kdr_diags *diags)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (size_t i = 0; i < diags->n; i++) {
		char *line = kdr_diag_format(&diags->v[i]);

		kdr_buf_printf(&buf, "%s%s", i ? "\n" : "", line);
		free(line);
	}
	return kdr_buf_detach(&buf);
}

/* Validates `desired`, expecting return code `rc` and exactly the lines `expected`. */
static inline void check_desired(const struct kdr_desired *desired, int rc, const char *expected)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int got = kdr_validate(desired, &diags);
	char *text = format_diags(&diags);

	if (strcmp(text, expected) != 0)
		printf("--- got:\n%s\n--- expected:\n%s\n", text, expected);
	assert_string_equal(text, expected);
	assert_int_equal(got, rc);
	/* Warnings never fail validation; errors always do. */
	assert_int_equal(got == 0, diags.errors == 0);
	free(text);
	kdr_diags_release(&diags);
}

/* Parses `yaml` (file "t.yaml") and checks its validation. */
static inline void check_yaml(const char *yaml, int rc, const char *expected)
{
	struct kdr_desired desired;

	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml", yaml);
	check_desired(&desired, rc, expected);
	kdr_desired_release(&desired);
}

#endif
