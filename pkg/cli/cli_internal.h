#ifndef KDR_CLI_CLI_INTERNAL_H
#define KDR_CLI_CLI_INTERNAL_H

/* Shared between the files of pkg/cli only (not part of its API). */

#include "cli/options.h"

/*
 * Sets the field of `fields` a KDR_CLI_SET_* option names to its argument
 * `arg` (values.c, the conversions); nothing for a KDR_CLI_CALL. Returns 0
 * or the usage error's status (printed against `spec`).
 */
int kdr_cli__set_field(void *fields, const struct kdr_cli_option *option, const char *arg,
		       const struct kdr_cli_spec *spec);

#endif
