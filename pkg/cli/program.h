#ifndef KDR_CLI_PROGRAM_H
#define KDR_CLI_PROGRAM_H

#include <stddef.h>
#include <stdio.h>

/* A program of subcommands ("kdr plan ..."): which command runs, and the overview help that lists them. */
struct kdr_cli_command {
	const char *name;
	const char *summary;		   /* one line in the overview */
	int (*run)(int argc, char **argv); /* argv[0] the command's name; returns the exit status */
};

struct kdr_cli_program {
	const char *name;	 /* "kdr" */
	const char *description; /* a paragraph after the usage line */
	const struct kdr_cli_command *commands;
	size_t n_commands;
	const char *footer; /* the last line(s): the exit statuses */
};

/*
 * Runs the command argv[1] names with argv + 1. "--help", "-h" and "help"
 * print the overview (usage, description, each command and its summary,
 * footer) to stdout and return 0; no command, or one that is not in the
 * table, prints it to stderr (the latter after "PROGRAM: unknown command
 * 'NAME'") and returns KDR_CLI_USAGE.
 */
int kdr_cli_program_run(const struct kdr_cli_program *program, int argc, char **argv);

/* The overview kdr_cli_program_run prints, to `out`. */
void kdr_cli_program_help_print(const struct kdr_cli_program *program, FILE *out);

#endif
