// SPDX-License-Identifier: GPL-2.0
/*
 * slsctl: drive the single level store from the command line.
 *
 * Exit status: 0 success, 1 the operation failed, 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sls_syscalls.h"

#define EXIT_USAGE 2
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *store = "/sls";

struct subcommand {
	const char *name;
	const char *usage;
	int (*fn)(int argc, char **argv);
};

static const struct subcommand *current;

static void usage_of(const struct subcommand *sub, FILE *f)
{
	fprintf(f, "usage: slsctl [--store DIR] %s %s\n", sub->name, sub->usage);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "slsctl: %s: ", current->name);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage_of(current, stderr);
	return EXIT_USAGE;
}

static int fail(const char *what, const char *name)
{
	fprintf(stderr, "slsctl: %s %s: %s: %s\n", current->name, name, what,
		strerror(errno));
	return EXIT_FAILURE;
}

/* A decimal number that fits in @max, or -1. */
static long long parse_number(const char *s, unsigned long long max)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	return v;
}

static int open_partition(const char *name, const struct sls_attr *attr,
			  unsigned int flags)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", store, name) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return sls_open(AT_FDCWD, path, attr, attr ? sizeof(*attr) : 0, flags);
}

enum {
	OPT_HELP = 'h', OPT_PERIOD = 'p', OPT_KEEP = 'k', OPT_FULL = 'f',
	OPT_EXCL = 'x', OPT_TREE = 't', OPT_DETACH = 'd', OPT_SYNC = 's',
	OPT_EPOCH = 'e', OPT_STOPPED = 'S', OPT_LAZY = 'l', OPT_NEWPID = 'n',
};

static const struct option long_options[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "full", no_argument, NULL, OPT_FULL },
	{ "excl", no_argument, NULL, OPT_EXCL },
	{ "tree", no_argument, NULL, OPT_TREE },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "sync", no_argument, NULL, OPT_SYNC },
	{ "epoch", required_argument, NULL, OPT_EPOCH },
	{ "stopped", no_argument, NULL, OPT_STOPPED },
	{ "lazy", no_argument, NULL, OPT_LAZY },
	{ "newpid", no_argument, NULL, OPT_NEWPID },
	{ NULL, 0, NULL, 0 },
};

/* Everything the subcommands' options can set. */
struct options {
	struct sls_attr attr;
	unsigned int open_flags;
	unsigned int attach_flags;
	__u64 persist_flags;
	struct sls_restore_args restore;
};

/*
 * Parse the options of the current subcommand; @allowed lists the short
 * names it takes.  Returns 0, 1 after --help, or EXIT_USAGE.
 */
static int parse_options(int argc, char **argv, const char *allowed,
			 struct options *o)
{
	long long n;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", long_options, NULL)) != -1) {
		if (c == OPT_HELP) {
			usage_of(current, stdout);
			return 1;
		}
		if (c == '?' || !strchr(allowed, c))
			return usage_error("option %s is not valid here",
					   argv[optind - 1]);
		switch (c) {
		case OPT_PERIOD:
			n = parse_number(optarg, SLS_PERIOD_MAX_MS);
			if (n < 0)
				return usage_error("--period: '%s' is not a number of ms up to 3600000",
						   optarg);
			o->attr.period_ms = n;
			break;
		case OPT_KEEP:
			n = parse_number(optarg, SLS_KEEP_EPOCHS_MAX);
			if (n < 0)
				return usage_error("--keep: '%s' is not a number up to 65536",
						   optarg);
			o->attr.keep_epochs = n;
			break;
		case OPT_EPOCH:
			n = parse_number(optarg, LLONG_MAX);
			if (n < 0)
				return usage_error("--epoch: '%s' is not a number",
						   optarg);
			o->restore.epoch = n;
			break;
		case OPT_FULL:
			o->attr.flags |= SLS_ATTR_FULL;
			o->persist_flags |= SLS_PERSIST_FULL;
			break;
		case OPT_EXCL:
			o->open_flags |= SLS_EXCL;
			break;
		case OPT_TREE:
			o->attach_flags |= SLS_ATTACH_TREE;
			break;
		case OPT_DETACH:
			o->attach_flags |= SLS_DETACH;
			break;
		case OPT_SYNC:
			o->persist_flags |= SLS_PERSIST_SYNC;
			break;
		case OPT_STOPPED:
			o->restore.flags |= SLS_RESTORE_STOPPED;
			break;
		case OPT_LAZY:
			o->restore.flags |= SLS_RESTORE_LAZY;
			break;
		case OPT_NEWPID:
			o->restore.flags |= SLS_RESTORE_NEWPID;
			break;
		}
	}
	return 0;
}

/* Parse options and check that exactly @nargs operands follow. */
static int parse(int argc, char **argv, const char *allowed, int nargs,
		 struct options *o)
{
	int err = parse_options(argc, argv, allowed, o);

	if (err)
		return err;
	if (argc - optind != nargs)
		return usage_error("%s", nargs == 1 ? "needs one NAME" :
				   "needs NAME and PID");
	return 0;
}

#define DONE(err) ((err) == 1 ? EXIT_SUCCESS : (err))

static int cmd_create(int argc, char **argv)
{
	struct options o = {};
	int err = parse(argc, argv, "pkfx", 1, &o);
	int fd;

	if (err)
		return DONE(err);
	fd = open_partition(argv[optind], &o.attr, SLS_CREATE | o.open_flags);
	if (fd < 0)
		return fail("sls_open", argv[optind]);
	close(fd);
	return EXIT_SUCCESS;
}

static int cmd_attach(int argc, char **argv)
{
	struct options o = {};
	int err = parse(argc, argv, "td", 2, &o);
	const char *name;
	long long pid;
	int fd, pidfd;

	if (err)
		return DONE(err);
	name = argv[optind];
	pid = parse_number(argv[optind + 1], INT_MAX);
	if (pid <= 0)
		return usage_error("'%s' is not a PID", argv[optind + 1]);
	pidfd = syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0)
		return fail("pidfd_open", argv[optind + 1]);
	fd = open_partition(name, NULL, 0);
	if (fd < 0) {
		err = fail("sls_open", name);
		goto out_pidfd;
	}
	err = EXIT_SUCCESS;
	if (sls_attach(fd, pidfd, o.attach_flags) < 0)
		err = fail("sls_attach", name);
	close(fd);
out_pidfd:
	close(pidfd);
	return err;
}

static int cmd_checkpoint(int argc, char **argv)
{
	struct options o = {};
	struct sls_persist_args args = {};
	int err = parse(argc, argv, "sf", 1, &o);
	long epoch;
	int fd;

	if (err)
		return DONE(err);
	fd = open_partition(argv[optind], NULL, 0);
	if (fd < 0)
		return fail("sls_open", argv[optind]);
	args.flags = o.persist_flags;
	epoch = sls_persist(fd, &args, sizeof(args));
	if (epoch < 0)
		err = fail("sls_persist", argv[optind]);
	else
		printf("%ld\n", epoch);
	close(fd);
	return err;
}

/* The PID behind a pidfd, from its fdinfo. */
static long pidfd_pid(int pidfd)
{
	char path[64], line[128];
	long pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

static int cmd_restore(int argc, char **argv)
{
	struct options o = {};
	int err = parse(argc, argv, "eSln", 1, &o);
	int fd, pidfd;

	if (err)
		return DONE(err);
	fd = open_partition(argv[optind], NULL, 0);
	if (fd < 0)
		return fail("sls_open", argv[optind]);
	pidfd = sls_restore(fd, &o.restore, sizeof(o.restore));
	if (pidfd < 0) {
		err = fail("sls_restore", argv[optind]);
	} else {
		printf("%ld\n", pidfd_pid(pidfd));
		close(pidfd);
	}
	close(fd);
	return err;
}

static int cmd_run(int argc, char **argv)
{
	struct options o = {};
	int err = parse_options(argc, argv, "pkf", &o);
	const char *name;
	int fd, pidfd;

	if (err)
		return DONE(err);
	if (argc - optind < 2)
		return usage_error("%s", "needs NAME and a command");
	name = argv[optind];
	fd = open_partition(name, &o.attr, SLS_CREATE);
	if (fd < 0)
		return fail("sls_open", name);
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0) {
		err = fail("pidfd_open", name);
		goto out_fd;
	}
	if (sls_attach(fd, pidfd, 0) < 0) {
		err = fail("sls_attach", name);
		goto out_pidfd;
	}
	close(pidfd);
	close(fd);
	execvp(argv[optind + 1], &argv[optind + 1]);
	return fail("exec", argv[optind + 1]);
out_pidfd:
	close(pidfd);
out_fd:
	close(fd);
	return err;
}

static const struct subcommand subcommands[] = {
	{ "create", "[--period MS] [--keep N] [--full] [--excl] NAME", cmd_create },
	{ "attach", "[--tree] [--detach] NAME PID", cmd_attach },
	{ "checkpoint", "[--sync] [--full] NAME", cmd_checkpoint },
	{ "restore", "[--epoch N] [--stopped] [--lazy] [--newpid] NAME", cmd_restore },
	{ "run", "[--period MS] [--keep N] [--full] NAME [--] CMD [ARGS...]", cmd_run },
};

static void print_usage(FILE *f)
{
	unsigned int i;

	fputs("usage: slsctl [--store DIR] COMMAND [OPTIONS] ARGS\n\n", f);
	fprintf(f, "The store is /sls unless --store says otherwise.  Commands:\n");
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(f, "  %s %s\n", subcommands[i].name, subcommands[i].usage);
	fprintf(f, "\n'slsctl COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
	static const struct option global[] = {
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int i;
	int c;

	while ((c = getopt_long(argc, argv, "+h", global, NULL)) != -1) {
		switch (c) {
		case 'S':
			store = optarg;
			break;
		case 'h':
			print_usage(stdout);
			return EXIT_SUCCESS;
		default:
			print_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < ARRAY_SIZE(subcommands); i++) {
		if (strcmp(argv[optind], subcommands[i].name))
			continue;
		current = &subcommands[i];
		return current->fn(argc - optind, argv + optind);
	}
	fprintf(stderr, "slsctl: unknown command '%s'\n", argv[optind]);
	print_usage(stderr);
	return EXIT_USAGE;
}
