#include <stdio.h>

#include "cli.h"

int kdr_cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("kdr %s\n", KDR_VERSION);
	return KDR_EXIT_OK;
}
