/*
 * miso(1): runs a program with libmiso.so preloaded, checks what a
 * configuration can isolate in a program, and explains a configuration.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "miso.h"
#include "tools.h"

static const struct {
	const char	*name;
	const char	*usage;
	int		(*fn)(int, char **);
} commands[] = {
	{ "run", "run [-c file] [-i name[,name ...]] [-l level] [-s stats] "
	    "[--worker] [--] program [arg ...]", miso__cmd_run },
	{ "check", "check [--json] [-c file] program", miso__cmd_check },
	{ "explain", "explain [-c file]", miso__cmd_explain },
	{ "gen", "gen [-I dir ...] (--header file.h | library) [name ...]",
	    miso__cmd_gen },
};

#define NCOMMANDS	(sizeof commands / sizeof commands[0])

void
miso__usage(FILE *fp, const char *command)
{
	const char *lead = "usage:";
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (command == NULL || strcmp(command, commands[i].name) == 0) {
			fprintf(fp, "%s miso %s\n", lead, commands[i].usage);
			lead = "      ";
		}
	if (command == NULL)
		fprintf(fp, "%s miso --help | --version\n", lead);
}

void
miso__usage_exit(const char *command)
{
	miso__usage(stderr, command);
	exit(MISO__EXIT_USAGE);
}

int
miso__finish(int status)
{
	if (fclose(stdout) != 0)
		err(MISO__EXIT_ERROR, "stdout");
	return status;
}

int
main(int argc, char *argv[])
{
	size_t i;

	if (argc < 2)
		miso__usage_exit(NULL);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		miso__usage(stdout, NULL);
		return miso__finish(MISO__EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("miso %s\n", MISO_VERSION);
		return miso__finish(MISO__EXIT_OK);
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	warnx("unknown command '%s'", argv[1]);
	miso__usage_exit(NULL);
}
