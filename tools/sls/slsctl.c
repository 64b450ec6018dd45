// SPDX-License-Identifier: GPL-2.0
/*
 * slsctl: drive the single level store from the command line.
 *
 *   slsctl [--store DIR] COMMAND [OPTIONS] ARGS...
 *
 * Each command is a thin layer over the system calls of
 * include/uapi/linux/sls.h.  Partition NAME is opened as STORE/NAME, STORE
 * being /sls unless --store says otherwise.
 *
 * Exit status: 0 success, 1 the operation failed, 2 bad usage.  An error is
 * one line on stderr naming what failed and why.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sls_syscalls.h"

#define EXIT_USAGE		2

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Long options only: their values lie above every option character. */
enum {
	OPT_HELP = 256,
	OPT_STORE,
	OPT_PERIOD,
	OPT_KEEP,
	OPT_FULL,
	OPT_EXCL,
	OPT_TREE,
	OPT_DETACH,
	OPT_SYNC,
	OPT_EPOCH,
	OPT_STOPPED,
	OPT_LAZY,
	OPT_NEWPID,
	OPT_SEGMENT_SIZE,
	OPT_FORCE,
};

struct command {
	const char *name;
	const char *synopsis;	/* what follows the name */
	const char *summary;	/* its line in 'slsctl --help' */
	const char *help;	/* what it does, its options */
	int (*fn)(int argc, char **argv);
	bool options_first;	/* options end at the first operand */
};

static const char *store = "/sls";
static const struct command *cmd;	/* NULL until one is chosen */

static void print_help(void);

/* "slsctl: COMMAND: message" on stderr; returns EXIT_USAGE. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("slsctl: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* "slsctl: COMMAND NAME: what: strerror(errno)" on stderr; returns 1. */
static int fail(const char *name, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "slsctl: %s %s: ", cmd->name, name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	return EXIT_FAILURE;
}

/*
 * @arg as a decimal number from @min to @max.  Only digits are taken, so
 * that "-1", "+1", " 1", "1k" or "0x10" are refused, never misread.  @what
 * names the option or operand in the usage error.
 */
static int parse_number(const char *what, const char *arg,
			unsigned long long min, unsigned long long max,
			unsigned long long *val)
{
	char *end;

	errno = 0;
	*val = strtoull(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end)
		return usage_error("%s: '%s' is not a decimal number", what, arg);
	if (errno == ERANGE || *val < min || *val > max)
		return usage_error("%s: %s is not in %llu..%llu", what, arg,
				   min, max);
	return 0;
}

/*
 * NAME is the last component of STORE/NAME, so it must be a component.
 * The kernel judges the characters.
 */
static int check_name(const char *name)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return usage_error("'%s' is not a partition name", name);
	if (strlen(name) > SLS_NAME_MAX)
		return usage_error("partition name '%s' is longer than %d bytes",
				   name, SLS_NAME_MAX);
	return 0;
}

/*
 * The next option of the current command (or of slsctl itself before the
 * command): its value, 0 once the options are over, or -1 after --help or a
 * bad option, with *status the exit status.
 */
static int next_option(int argc, char **argv, const struct option *options,
		       int *status)
{
	bool in_order = !cmd || cmd->options_first;
	const char *arg;
	int c;

	/* A leading ':' reports a missing argument apart, and silently. */
	c = getopt_long(argc, argv, in_order ? "+:" : ":", options, NULL);
	switch (c) {
	case -1:
		return 0;
	case OPT_HELP:
		print_help();
		*status = EXIT_SUCCESS;
		return -1;
	case ':':
		*status = usage_error("option '%s' needs an argument",
				      argv[optind - 1]);
		return -1;
	case '?':
		arg = argv[optind - 1];
		if (optopt > 0 && optopt < OPT_HELP)
			*status = usage_error("unknown option '-%c'", optopt);
		else if (optopt)
			*status = usage_error("option '%.*s' takes no argument",
					      (int)strcspn(arg, "="), arg);
		else
			*status = usage_error("unknown option '%s'", arg);
		return -1;
	}
	return c;
}

/* Exactly @n operands after the options: NAME, then PID for attach. */
static int check_operands(int argc, char **argv, int n)
{
	static const char *const names[] = { "NAME", "PID" };
	int have = argc - optind;

	if (have < n)
		return usage_error("missing %s", names[have]);
	if (have > n)
		return usage_error("unexpected argument '%s'", argv[optind + n]);
	return check_name(argv[optind]);
}

/* --period, --keep and --full of create and run. */
static int attr_option(int c, struct sls_attr *attr)
{
	unsigned long long n;

	switch (c) {
	case OPT_PERIOD:
		if (parse_number("--period", optarg, 0, SLS_PERIOD_MAX_MS, &n))
			return EXIT_USAGE;
		attr->period_ms = n;
		break;
	case OPT_KEEP:
		if (parse_number("--keep", optarg, 0, SLS_KEEP_EPOCHS_MAX, &n))
			return EXIT_USAGE;
		attr->keep_epochs = n;
		break;
	case OPT_FULL:
		attr->flags |= SLS_ATTR_FULL;
		break;
	}
	return 0;
}

/* sls_open() of STORE/NAME: a partition fd, or -1 once the error is told. */
static int open_partition(const char *name, const struct sls_attr *attr,
			  unsigned int flags)
{
	const char *sep = store[strlen(store) - 1] == '/' ? "" : "/";
	char path[PATH_MAX];
	int len, fd;

	len = snprintf(path, sizeof(path), "%s%s%s", store, sep, name);
	if (len < 0 || len >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		fail(name, "sls_open %s%s%s", store, sep, name);
		return -1;
	}
	fd = sls_open(AT_FDCWD, path, attr, attr ? sizeof(*attr) : 0, flags);
	if (fd < 0)
		fail(name, "sls_open %s", path);
	return fd;
}

/* The PID of the process behind @pidfd: the "Pid:" line of its fdinfo. */
static int pidfd_pid(int pidfd, long *pid)
{
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	*pid = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", pid) == 1)
			break;
	fclose(f);
	if (*pid > 0)
		return 0;
	/* -1: the process is gone; 0: no Pid line, or not in our namespace */
	errno = *pid < 0 ? ESRCH : ENODATA;
	return -1;
}

/* Print @n, the result of the command, on a line of its own. */
static int print_result(const char *name, long long n)
{
	if (printf("%lld\n", n) < 0 || fflush(stdout))
		return fail(name, "stdout");
	return EXIT_SUCCESS;
}

/* mkfs.slsfs does the formatting; this is the way to it next to the rest. */
static int cmd_mkfs(int argc, char **argv)
{
	static const struct option options[] = {
		{ "segment-size", required_argument, NULL, OPT_SEGMENT_SIZE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	char *args[6] = { "mkfs.slsfs" };
	char *segment_size = NULL;
	bool force = false;
	int c, err, n = 1;

	while ((c = next_option(argc, argv, options, &err)) > 0) {
		if (c == OPT_SEGMENT_SIZE)
			segment_size = optarg;
		else if (c == OPT_FORCE)
			force = true;
	}
	if (c < 0)
		return err;
	if (optind == argc)
		return usage_error("missing DEV");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	if (segment_size) {
		args[n++] = "--segment-size";
		args[n++] = segment_size;
	}
	if (force)
		args[n++] = "--force";
	args[n++] = argv[optind];
	execvp(args[0], args);
	return fail(argv[optind], "exec mkfs.slsfs");
}

static int cmd_create(int argc, char **argv)
{
	static const struct option options[] = {
		{ "period", required_argument, NULL, OPT_PERIOD },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "excl", no_argument, NULL, OPT_EXCL },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int flags = SLS_CREATE;
	struct sls_attr attr = { 0 };
	const char *name;
	int c, err, fd;

	while ((c = next_option(argc, argv, options, &err)) > 0) {
		if (c == OPT_EXCL)
			flags |= SLS_EXCL;
		else if (attr_option(c, &attr))
			return EXIT_USAGE;
	}
	if (c < 0)
		return err;
	err = check_operands(argc, argv, 1);
	if (err)
		return err;
	name = argv[optind];

	fd = open_partition(name, &attr, flags);
	if (fd < 0)
		return EXIT_FAILURE;
	close(fd);
	return EXIT_SUCCESS;
}

static int cmd_attach(int argc, char **argv)
{
	static const struct option options[] = {
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "detach", no_argument, NULL, OPT_DETACH },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long pid;
	unsigned int flags = 0;
	const char *name;
	int c, err, fd, pidfd;

	while ((c = next_option(argc, argv, options, &err)) > 0) {
		if (c == OPT_TREE)
			flags |= SLS_ATTACH_TREE;
		else if (c == OPT_DETACH)
			flags |= SLS_DETACH;
	}
	if (c < 0)
		return err;
	err = check_operands(argc, argv, 2);
	if (err)
		return err;
	name = argv[optind];
	if (parse_number("PID", argv[optind + 1], 1, INT_MAX, &pid))
		return EXIT_USAGE;

	fd = open_partition(name, NULL, 0);
	if (fd < 0)
		return EXIT_FAILURE;
	pidfd = sys_pidfd_open((pid_t)pid, 0);
	if (pidfd < 0) {
		err = fail(name, "pidfd_open %llu", pid);
		goto out_part;
	}
	if (sls_attach(fd, pidfd, flags))
		err = fail(name, "sls_attach %llu", pid);
	close(pidfd);
out_part:
	close(fd);
	return err;
}

static int cmd_checkpoint(int argc, char **argv)
{
	static const struct option options[] = {
		{ "sync", no_argument, NULL, OPT_SYNC },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct sls_persist_args args = { 0 };
	const char *name;
	int c, err, fd;
	long epoch;

	while ((c = next_option(argc, argv, options, &err)) > 0) {
		if (c == OPT_SYNC)
			args.flags |= SLS_PERSIST_SYNC;
		else if (c == OPT_FULL)
			args.flags |= SLS_PERSIST_FULL;
	}
	if (c < 0)
		return err;
	err = check_operands(argc, argv, 1);
	if (err)
		return err;
	name = argv[optind];

	fd = open_partition(name, NULL, 0);
	if (fd < 0)
		return EXIT_FAILURE;
	epoch = sls_persist(fd, &args, sizeof(args));
	if (epoch < 0)
		err = fail(name, "sls_persist");
	else
		err = print_result(name, epoch);
	close(fd);
	return err;
}

static int cmd_restore(int argc, char **argv)
{
	static const struct option options[] = {
		{ "epoch", required_argument, NULL, OPT_EPOCH },
		{ "stopped", no_argument, NULL, OPT_STOPPED },
		{ "lazy", no_argument, NULL, OPT_LAZY },
		{ "newpid", no_argument, NULL, OPT_NEWPID },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct sls_restore_args args = { 0 };
	unsigned long long epoch;
	const char *name;
	int c, err, fd, pidfd;
	long pid;

	while ((c = next_option(argc, argv, options, &err)) > 0) {
		switch (c) {
		case OPT_EPOCH:
			if (parse_number("--epoch", optarg, 0, ULLONG_MAX, &epoch))
				return EXIT_USAGE;
			args.epoch = epoch;
			break;
		case OPT_STOPPED:
			args.flags |= SLS_RESTORE_STOPPED;
			break;
		case OPT_LAZY:
			args.flags |= SLS_RESTORE_LAZY;
			break;
		case OPT_NEWPID:
			args.flags |= SLS_RESTORE_NEWPID;
			break;
		}
	}
	if (c < 0)
		return err;
	err = check_operands(argc, argv, 1);
	if (err)
		return err;
	name = argv[optind];

	fd = open_partition(name, NULL, 0);
	if (fd < 0)
		return EXIT_FAILURE;
	pidfd = sls_restore(fd, &args, sizeof(args));
	if (pidfd < 0) {
		err = fail(name, "sls_restore");
		goto out_part;
	}
	if (pidfd_pid(pidfd, &pid))
		err = fail(name, "restored, but no root PID in /proc/self/fdinfo/%d",
			   pidfd);
	else
		err = print_result(name, pid);
	close(pidfd);
out_part:
	close(fd);
	return err;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "period", required_argument, NULL, OPT_PERIOD },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct sls_attr attr = { 0 };
	const char *name;
	int c, err, fd, pidfd;

	while ((c = next_option(argc, argv, options, &err)) > 0)
		if (attr_option(c, &attr))
			return EXIT_USAGE;
	if (c < 0)
		return err;
	if (optind == argc)
		return usage_error("missing NAME");
	name = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind == argc)
		return usage_error("missing CMD");
	err = check_name(name);
	if (err)
		return err;

	fd = open_partition(name, &attr, SLS_CREATE);
	if (fd < 0)
		return EXIT_FAILURE;
	pidfd = sys_pidfd_open(getpid(), 0);
	if (pidfd < 0) {
		err = fail(name, "pidfd_open %d", getpid());
	} else {
		if (sls_attach(fd, pidfd, 0))
			err = fail(name, "sls_attach %d", getpid());
		close(pidfd);
	}
	close(fd);
	if (err)
		return err;
	execvp(argv[optind], argv + optind);
	return fail(name, "exec %s", argv[optind]);
}

/* The partition attributes that create and run both take. */
#define ATTR_OPTIONS_HELP \
"  --period MS  checkpoint every MS milliseconds, at most 3600000; 0, the\n" \
"               default, checkpoints only on demand\n" \
"  --keep N     keep the N newest durable epochs, at most 65536; 0, the\n" \
"               default, leaves the number to the store\n" \
"  --full       make every epoch a full one, never an incremental one\n"

static const struct command commands[] = {
	{
		.name = "mkfs",
		.synopsis = "[--segment-size BYTES] [--force] DEV",
		.summary = "format a device as a store (runs mkfs.slsfs)",
		.help =
"Format DEV (a block device or a file) as an empty slsfs store, to be\n"
"mounted with 'mount -t slsfs DEV DIR'.  Runs mkfs.slsfs, which must be in\n"
"PATH.\n"
"\n"
"  --segment-size BYTES  segment size, a power of two from 64K to 256M\n"
"                        (K and M suffixes; default 1M)\n"
"  --force               format even a device that looks mounted\n"
"  --help                print this help\n",
		.fn = cmd_mkfs,
	},
	{
		.name = "create",
		.synopsis = "[--period MS] [--keep N] [--full] [--excl] NAME",
		.summary = "create a partition",
		.help =
"Create partition NAME in the store.  An existing partition is opened and\n"
"left as it is, its attributes unchanged, unless --excl makes that an error.\n"
"\n"
ATTR_OPTIONS_HELP
"  --excl       fail if NAME exists\n"
"  --help       print this help\n",
		.fn = cmd_create,
	},
	{
		.name = "attach",
		.synopsis = "[--tree] [--detach] NAME PID",
		.summary = "add a process to a partition, or take it out",
		.help =
"Add process PID, with all its threads, to partition NAME; the children it\n"
"forks later join it too.  Needs ptrace access to PID.\n"
"\n"
"  --tree       add its existing descendants too\n"
"  --detach     take it out of the partition instead\n"
"  --help       print this help\n",
		.fn = cmd_attach,
	},
	{
		.name = "checkpoint",
		.synopsis = "[--sync] [--full] NAME",
		.summary = "checkpoint a partition now, print the epoch",
		.help =
"Checkpoint partition NAME now and print the number of the new epoch.\n"
"\n"
"  --sync       return once the epoch is durable, not once it is taken\n"
"  --full       write every page, not only the ones dirtied since the\n"
"               previous epoch\n"
"  --help       print this help\n",
		.fn = cmd_checkpoint,
	},
	{
		.name = "restore",
		.synopsis = "[--epoch N] [--stopped] [--lazy] [--newpid] NAME",
		.summary = "rebuild a partition's processes, print the root PID",
		.help =
"Rebuild the process tree of partition NAME, with its original PIDs, as\n"
"children of slsctl, then print the PID of its root and exit.\n"
"\n"
"  --epoch N    restore epoch N; 0, the default, is the latest durable one\n"
"  --stopped    the restored processes start stopped\n"
"  --lazy       page memory in on first touch, not before they run\n"
"  --newpid     take new PIDs where the original ones are in use, instead\n"
"               of failing\n"
"  --help       print this help\n",
		.fn = cmd_restore,
	},
	{
		.name = "run",
		.synopsis = "[--period MS] [--keep N] [--full] NAME -- CMD [ARGS...]",
		.summary = "run a command inside a partition",
		.help =
"Run CMD as a member of partition NAME: slsctl creates the partition if it\n"
"is missing (with the options given, as create does), attaches itself to it\n"
"and executes CMD, which keeps its PID.  Options go before NAME; everything\n"
"after NAME and the optional '--' is CMD's.\n"
"\n"
ATTR_OPTIONS_HELP
"  --help       print this help\n",
		.fn = cmd_run,
		.options_first = true,
	},
};

/* The help of the current command, or of slsctl before one is chosen. */
static void print_help(void)
{
	unsigned int i;

	if (cmd) {
		printf("usage: slsctl [--store DIR] %s %s\n\n%s",
		       cmd->name, cmd->synopsis, cmd->help);
		return;
	}
	printf("usage: slsctl [--store DIR] COMMAND [OPTIONS] ARGS...\n\n"
	       "Persist running process trees in a single level store and bring them\n"
	       "back.\n\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		printf("  %-11s %s\n", commands[i].name, commands[i].summary);
	printf("\n"
	       "  --store DIR  the store: the root of an slsfs mount (default /sls)\n"
	       "  --help       print this help\n"
	       "\n"
	       "'slsctl COMMAND --help' describes a command.\n"
	       "Exit status: 0 success, 1 the operation failed, 2 usage error.\n");
}

static const struct command *find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "store", required_argument, NULL, OPT_STORE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c, status;

	while ((c = next_option(argc, argv, options, &status)) > 0)
		if (c == OPT_STORE)
			store = optarg;
	if (c < 0)
		return status;
	if (!*store)
		return usage_error("--store: empty directory name");
	if (optind == argc)
		return usage_error("missing COMMAND (slsctl --help lists them)");
	cmd = find_command(argv[optind]);
	if (!cmd)
		return usage_error("unknown command '%s' (slsctl --help lists them)",
				   argv[optind]);

	argc -= optind;
	argv += optind;
	/* 0 makes getopt start afresh, in the command's own ordering mode. */
	optind = 0;
	return cmd->fn(argc, argv);
}
