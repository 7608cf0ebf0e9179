#ifndef KDR_CMD_CLI_H
#define KDR_CMD_CLI_H

/* Every exit status of the kdr binary; documented in the README. */
enum kdr_exit {
	KDR_EXIT_OK = 0,      /* success, valid, or no changes */
	KDR_EXIT_ERROR = 1,   /* invalid input, failed action, unreachable cluster */
	KDR_EXIT_CHANGES = 2, /* plan --detailed-exitcode: changes pending */
	KDR_EXIT_USAGE = 64,  /* bad command line */
};

struct kdr_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* Each takes argv with argv[0] the command name; returns an enum kdr_exit. */
int kdr_cmd_validate(int argc, char **argv);
int kdr_cmd_plan(int argc, char **argv);
int kdr_cmd_version(int argc, char **argv);

#endif
