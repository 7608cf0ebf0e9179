/* Temporary until the subcommands land. */
#include <stdio.h>

#include "cli.h"

int kdr_cmd_validate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return KDR_EXIT_ERROR;
}

int kdr_cmd_plan(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return KDR_EXIT_ERROR;
}
