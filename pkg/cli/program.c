#include "program.h"

#include <string.h>

#include "options.h"

void kdr_cli_program_help_print(const struct kdr_cli_program *program, FILE *out)
{
	fprintf(out, "usage: %s <command> [options]\n\n%s\n\ncommands:\n", program->name, program->description);
	for (size_t i = 0; i < program->n_commands; i++)
		fprintf(out, "  %-10s %s\n", program->commands[i].name, program->commands[i].summary);
	fprintf(out, "\nrun '%s <command> --help' for the command's options.\n%s\n", program->name, program->footer);
}

int kdr_cli_program_run(const struct kdr_cli_program *program, int argc, char **argv)
{
	if (argc < 2) {
		kdr_cli_program_help_print(program, stderr);
		return KDR_CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		kdr_cli_program_help_print(program, stdout);
		return 0;
	}
	for (size_t i = 0; i < program->n_commands; i++)
		if (strcmp(argv[1], program->commands[i].name) == 0)
			return program->commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", program->name, argv[1]);
	kdr_cli_program_help_print(program, stderr);
	return KDR_CLI_USAGE;
}
