#ifndef KDR_TESTS_SHELL_HELPERS_H
#define KDR_TESTS_SHELL_HELPERS_H

/*
 * Shell commands for tests that set up real repositories and servers with
 * their own command-line tools (git, git daemon, git http-backend). Both
 * fail the running cmocka test when the command does not exit 0.
 */

/* Runs the command formatted from `fmt`. */
void kdr_test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs the command formatted from `fmt`; its standard output without trailing newlines (heap). */
char *kdr_test_sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
