#ifndef KDR_CLI_CONFIRM_H
#define KDR_CLI_CONFIRM_H

#include <stdbool.h>

#include "cli/options.h"

/*
 * Asking the user on a terminal before a command acts. The wording is the
 * command's; this knows only the question's form and what a yes is.
 */

/*
 * Asks on stderr "\nQUESTION? only 'yes' is accepted: " (QUESTION formatted
 * from `fmt`) and reads one line of stdin. True only for the answer 'yes'
 * (end of input is a no).
 */
bool kdr_cli_confirm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Whether the command `spec` may go on: `yes` (its --yes), else the answer
 * 'yes' on a terminal to the question `fmt` formats (kdr_cli_confirm).
 * Without a terminal on stdin prints "PROGRAM COMMAND: refusing to VERB
 * without --yes (stdin is not a terminal)"; not confirmed, "PROGRAM COMMAND:
 * cancelled; nothing was DONE" (to stderr). `verb` and `done` are the
 * command's words ("apply", "applied").
 */
bool kdr_cli_consent(const struct kdr_cli_spec *spec, bool yes, const char *verb, const char *done, const char *fmt,
		     ...) __attribute__((format(printf, 5, 6)));

#endif
