// SPDX-License-Identifier: GPL-2.0
/*
 * slsctl: drive the single level store from the command line.
 *
 *   slsctl [--store DIR] COMMAND [OPTIONS] ARGS...
 *
 * Most commands are a thin layer over the system calls of
 * include/uapi/linux/sls.h; ls, rm and dump work on the files of the store
 * (and ls on /sys/kernel/sls).  Partition NAME is opened as STORE/NAME,
 * STORE being /sls unless --store says otherwise.
 *
 * Exit status: 0 success, 1 the operation failed, 2 bad usage.  An error is
 * one line on stderr naming what failed and why.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sls_syscalls.h"
#include "slsctl_dump.h"

#define EXIT_USAGE		2

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define SLS_SYSFS_PARTITIONS	"/sys/kernel/sls/partitions"

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
	OPT_WAIT,
	OPT_SEGMENT_SIZE,
	OPT_FORCE,
	OPT_JSON,
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

/* "slsctl: COMMAND NAME: what[: reason]" on stderr. */
static void report(const char *name, const char *reason, const char *fmt,
		   va_list ap)
{
	fprintf(stderr, "slsctl: %s %s: ", cmd->name, name);
	vfprintf(stderr, fmt, ap);
	if (reason)
		fprintf(stderr, ": %s", reason);
	fputc('\n', stderr);
}

/* "slsctl: COMMAND NAME: what: strerror(errno)" on stderr; returns 1. */
static int fail(const char *name, const char *fmt, ...)
{
	const char *reason = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	report(name, reason, fmt, ap);
	va_end(ap);
	return EXIT_FAILURE;
}

/* "slsctl: COMMAND NAME: what is wrong", when errno does not say; 1. */
static int fail_why(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(name, NULL, fmt, ap);
	va_end(ap);
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

/*
 * Wait for the restored root @pid, a child of slsctl, to exit: its exit
 * status, or 128 + N if signal N killed it, as a shell reports it.  A root
 * that stops is waited for on; __WALL finds it whatever signal its exit
 * was recorded to send its parent.
 */
static int wait_root(const char *name, long pid)
{
	int status;

	while (waitpid(pid, &status, __WALL) < 0)
		if (errno != EINTR)
			return fail(name, "waitpid %ld", pid);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int cmd_restore(int argc, char **argv)
{
	static const struct option options[] = {
		{ "epoch", required_argument, NULL, OPT_EPOCH },
		{ "stopped", no_argument, NULL, OPT_STOPPED },
		{ "lazy", no_argument, NULL, OPT_LAZY },
		{ "newpid", no_argument, NULL, OPT_NEWPID },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct sls_restore_args args = { 0 };
	unsigned long long epoch;
	bool wait_exit = false;
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
		case OPT_WAIT:
			wait_exit = true;
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
	close(fd);
	/*
	 * The root is slsctl's child: waited for by its PID, which it keeps
	 * until reaped.  Without the PID it is not waited for.
	 */
	if (wait_exit && !err)
		err = wait_root(name, pid);
	return err;
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

/* STORE/NAME, or STORE/NAME/FILE: 0, or -1 with errno ENAMETOOLONG. */
static int store_path(char *path, size_t size, const char *name,
		      const char *file)
{
	const char *sep = store[strlen(store) - 1] == '/' ? "" : "/";
	int len;

	if (file)
		len = snprintf(path, size, "%s%s%s/%s", store, sep, name, file);
	else
		len = snprintf(path, size, "%s%s%s", store, sep, name);
	if (len < 0 || (size_t)len >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Undo the octal escapes of a /proc/self/mountinfo field, \040 and the like. */
static void unescape_mountinfo(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (s[1] - '0') << 6 | (s[2] - '0') << 3 |
			       (s[3] - '0');
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/*
 * The block device of the store as /sys/kernel/sls names it (nvme0n1,
 * loop0), into @dev: 0, or 1 once the error is told.  The store must be the
 * root of an slsfs mount: of the lines of /proc/self/mountinfo whose mount
 * point is its real path, the last, the mount on top, must be of slsfs.  The
 * device is the one of its MAJ:MIN in /sys/dev/block, or else the base name
 * of the mount's source.
 */
static int store_device(char *dev, size_t size)
{
	char root[PATH_MAX], fstype[32] = "", source[PATH_MAX], devno[32];
	char link[PATH_MAX], *line = NULL, *field[5], *save, *sep, *fs, *src;
	const char *base;
	bool found = false;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int i;

	if (!realpath(store, root))
		return fail(store, "realpath");
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return fail(store, "/proc/self/mountinfo");
	/* ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [TAGS] - FSTYPE SOURCE */
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		for (i = 0; i < 5; i++)
			field[i] = strtok_r(i ? NULL : line, " ", &save);
		fs = strtok_r(sep + 3, " ", &save);
		src = strtok_r(NULL, " ", &save);
		if (!field[4] || !fs || !src)
			continue;
		unescape_mountinfo(field[4]);
		if (strcmp(field[4], root))
			continue;
		found = true;
		unescape_mountinfo(src);
		snprintf(fstype, sizeof(fstype), "%s", fs);
		snprintf(source, sizeof(source), "%s", src);
		snprintf(devno, sizeof(devno), "%s", field[2]);
	}
	free(line);
	fclose(f);
	if (!found)
		return fail_why(store, "not a mount point, so not of slsfs");
	if (strcmp(fstype, "slsfs"))
		return fail_why(store, "a mount of %s, not of slsfs", fstype);

	snprintf(root, sizeof(root), "/sys/dev/block/%s", devno);
	n = readlink(root, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		base = link;
	} else {
		base = source;
	}
	if (strrchr(base, '/'))
		base = strrchr(base, '/') + 1;
	if ((size_t)snprintf(dev, size, "%s", base) >= size) {
		errno = ENAMETOOLONG;
		return fail(store, "device %s", base);
	}
	return 0;
}

/* The figures ls shows of a loaded partition, from its sysfs directory. */
static const struct {
	const char *file;
	const char *key;	/* in ls --json */
	unsigned int div;	/* 1000: from ns to us */
} ls_figures[] = {
	/* the table's last columns, in their order */
	{ "last_stop_ns", "stop_us", 1000 },
	{ "last_flush_ns", "flush_us", 1000 },
	{ "bytes_written", "bytes", 1 },
	{ "period_ms", "period_ms", 1 },
	/* --json only */
	{ "epoch", "epoch", 1 },
	{ "durable_epoch", "durable_epoch", 1 },
	{ "pages_shadowed", "pages_shadowed", 1 },
};

static const char *const ls_columns[] = {
	"NAME", "MEMBERS", "EPOCHS", "LATEST",
	"STOP_US", "FLUSH_US", "BYTES", "PERIOD_MS",
};

#define LS_FIRST_FIGURE		4	/* the column of ls_figures[0] */

struct ls_part {
	char *name;
	unsigned long long epochs, latest;
	bool loaded;
	long long members;		/* -1: not known */
	bool known[ARRAY_SIZE(ls_figures)];
	unsigned long long figure[ARRAY_SIZE(ls_figures)];
	bool has_error;
	char last_error[256];	/* the kernel's are shorter */
};

/* The contents of DIR/FILE, a sysfs file, as a string: 0, or -1. */
static int read_sysfs(const char *dir, const char *file, char *buf,
		      size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The kernel's figures of partition @p of store @dev, if it is loaded. */
static void ls_sysfs(struct ls_part *p, const char *dev)
{
	char dir[PATH_MAX], buf[4096], *end, *line;
	struct stat st;
	unsigned int i;

	p->members = 0;
	snprintf(dir, sizeof(dir), "%s/%s:%s", SLS_SYSFS_PARTITIONS, dev,
		 p->name);
	p->loaded = !stat(dir, &st) && S_ISDIR(st.st_mode);
	if (!p->loaded)
		return;

	/* one PID a line */
	p->members = -1;
	if (!read_sysfs(dir, "members", buf, sizeof(buf))) {
		p->members = 0;
		for (line = strtok_r(buf, "\n", &end); line;
		     line = strtok_r(NULL, "\n", &end))
			p->members++;
	}
	for (i = 0; i < ARRAY_SIZE(ls_figures); i++) {
		if (read_sysfs(dir, ls_figures[i].file, buf, sizeof(buf)) ||
		    !isdigit((unsigned char)buf[0]))
			continue;
		errno = 0;
		p->figure[i] = strtoull(buf, &end, 10) / ls_figures[i].div;
		p->known[i] = !errno && (!*end || *end == '\n');
	}
	if (!read_sysfs(dir, "last_error", p->last_error,
			sizeof(p->last_error))) {
		p->last_error[strcspn(p->last_error, "\n")] = '\0';
		p->has_error = true;
	}
}

/*
 * The epochs of partition @p: the regular files of STORE/NAME named by a
 * number.  0, -1 if the partition went in the meantime, or 1 once the
 * error is told.
 */
static int ls_epochs(struct ls_part *p)
{
	char path[PATH_MAX];
	unsigned long long n;
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (store_path(path, sizeof(path), p->name, NULL))
		return fail(p->name, "opendir %s", store);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -1 : fail(p->name, "opendir %s", path);
	errno = 0;
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]) ||
		    d->d_name[strspn(d->d_name, "0123456789")])
			continue;
		if (d->d_type != DT_REG &&
		    (d->d_type != DT_UNKNOWN ||
		     fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		     !S_ISREG(st.st_mode)))
			continue;
		n = strtoull(d->d_name, NULL, 10);
		if (!p->epochs || n > p->latest)
			p->latest = n;
		p->epochs++;
		errno = 0;
	}
	if (errno) {
		fail(p->name, "readdir %s", path);
		closedir(dir);
		return 1;
	}
	closedir(dir);
	return 0;
}

static int ls_compare(const void *a, const void *b)
{
	return strcmp(((const struct ls_part *)a)->name,
		      ((const struct ls_part *)b)->name);
}

/*
 * The partitions of the store, the directories at its root, in *@parts:
 * their number, or -1 once the error is told.
 */
static int ls_partitions(struct ls_part **parts)
{
	struct ls_part *p = NULL, *q;
	size_t n = 0, room = 0;
	struct dirent *d;
	struct stat st;
	DIR *dir;

	dir = opendir(store);
	if (!dir) {
		fail(store, "opendir");
		return -1;
	}
	errno = 0;
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (d->d_type != DT_DIR &&
		    (d->d_type != DT_UNKNOWN ||
		     fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		     !S_ISDIR(st.st_mode)))
			continue;
		if (n == room) {
			room = room ? 2 * room : 16;
			q = realloc(p, room * sizeof(*p));
			if (!q)
				goto fail;
			p = q;
		}
		memset(&p[n], 0, sizeof(p[n]));
		p[n].name = strdup(d->d_name);
		if (!p[n].name)
			goto fail;
		n++;
		errno = 0;
	}
	if (errno)
		goto fail;
	closedir(dir);
	if (n)
		qsort(p, n, sizeof(*p), ls_compare);
	*parts = p;
	return n;
fail:
	fail(store, "readdir");
	closedir(dir);
	while (n)
		free(p[--n].name);
	free(p);
	return -1;
}

/* Column @c of the table's row of @p. */
static const char *ls_cell(const struct ls_part *p, unsigned int c,
			   char *buf, size_t size)
{
	unsigned int i = c - LS_FIRST_FIGURE;

	switch (c) {
	case 0:
		return p->name;
	case 1:
		if (p->members < 0)
			return "-";
		snprintf(buf, size, "%lld", p->members);
		return buf;
	case 2:
		snprintf(buf, size, "%llu", p->epochs);
		return buf;
	case 3:
		if (!p->epochs)
			return "-";
		snprintf(buf, size, "%llu", p->latest);
		return buf;
	}
	if (!p->known[i])
		return "-";
	snprintf(buf, size, "%llu", p->figure[i]);
	return buf;
}

static void ls_table(const struct ls_part *parts, size_t n)
{
	int width[ARRAY_SIZE(ls_columns)];
	unsigned int c;
	char buf[32];
	size_t r;

	for (c = 0; c < ARRAY_SIZE(ls_columns); c++) {
		width[c] = strlen(ls_columns[c]);
		for (r = 0; r < n; r++) {
			const char *s = ls_cell(&parts[r], c, buf, sizeof(buf));
			int len = strlen(s);

			if (len > width[c])
				width[c] = len;
		}
	}
	for (r = 0; r <= n; r++) {
		for (c = 0; c < ARRAY_SIZE(ls_columns); c++) {
			const char *s = r ? ls_cell(&parts[r - 1], c, buf,
						    sizeof(buf)) :
					    ls_columns[c];

			if (c)
				printf("  %*s", width[c], s);
			else
				printf("%-*s", width[c], s);
		}
		putchar('\n');
	}
}

static void ls_json(const struct ls_part *parts, size_t n)
{
	const struct ls_part *p;
	unsigned int i;
	size_t r;

	putchar('[');
	for (r = 0; r < n; r++) {
		p = &parts[r];
		printf("%s\n  {\"name\": ", r ? "," : "");
		json_string(stdout, p->name, strlen(p->name));
		printf(", \"loaded\": %s, \"members\": ",
		       p->loaded ? "true" : "false");
		if (p->members < 0)
			printf("null");
		else
			printf("%lld", p->members);
		printf(", \"epochs\": %llu, \"latest\": ", p->epochs);
		if (p->epochs)
			printf("%llu", p->latest);
		else
			printf("null");
		for (i = 0; i < ARRAY_SIZE(ls_figures); i++) {
			printf(", \"%s\": ", ls_figures[i].key);
			if (p->known[i])
				printf("%llu", p->figure[i]);
			else
				printf("null");
		}
		printf(", \"last_error\": ");
		if (p->has_error)
			json_string(stdout, p->last_error,
				    strlen(p->last_error));
		else
			printf("null");
		putchar('}');
	}
	printf(n ? "\n]\n" : "]\n");
}

static int cmd_ls(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct ls_part *parts = NULL;
	char dev[NAME_MAX + 1];
	bool json = false;
	int c, err, n, i;

	while ((c = next_option(argc, argv, options, &err)) > 0)
		if (c == OPT_JSON)
			json = true;
	if (c < 0)
		return err;
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);

	if (store_device(dev, sizeof(dev)))
		return EXIT_FAILURE;
	n = ls_partitions(&parts);
	if (n < 0)
		return EXIT_FAILURE;
	err = EXIT_SUCCESS;
	for (i = 0; i < n; i++) {
		c = ls_epochs(&parts[i]);
		if (c > 0) {
			err = EXIT_FAILURE;
			goto out;
		}
		if (c < 0) {		/* removed meanwhile: leave it out */
			free(parts[i].name);
			memmove(&parts[i], &parts[i + 1],
				(n - i - 1) * sizeof(*parts));
			n--;
			i--;
			continue;
		}
		ls_sysfs(&parts[i], dev);
	}
	if (json)
		ls_json(parts, n);
	else
		ls_table(parts, n);
	if (fflush(stdout) || ferror(stdout))
		err = fail(store, "stdout");
out:
	for (i = 0; i < n; i++)
		free(parts[i].name);
	free(parts);
	return err;
}

static int cmd_rm(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	char path[PATH_MAX], dev[NAME_MAX + 1];
	const char *name;
	int c, err;

	/* --help is its only option */
	c = next_option(argc, argv, options, &err);
	if (c < 0)
		return err;
	err = check_operands(argc, argv, 1);
	if (err)
		return err;
	name = argv[optind];

	/* Not an empty directory that happens to be where the store is not. */
	if (store_device(dev, sizeof(dev)))
		return EXIT_FAILURE;
	if (store_path(path, sizeof(path), name, NULL))
		return fail(name, "rmdir %s", store);
	if (!rmdir(path))
		return EXIT_SUCCESS;
	if (errno == EBUSY)
		return fail(name, "rmdir %s (loaded: open, or with members)",
			    path);
	return fail(name, "rmdir %s", path);
}

/* The whole of file @path, in a buffer of its own: 0, or -1 with errno set. */
static int read_file(const char *path, unsigned char **buf, size_t *len)
{
	size_t size = 0, room = 1 << 16;
	unsigned char *p, *q;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	p = malloc(room);
	if (!p)
		goto fail;
	for (;;) {
		if (size == room) {
			room *= 2;
			q = realloc(p, room);
			if (!q)
				goto fail;
			p = q;
		}
		n = read(fd, p + size, room - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (!n)
			break;
		size += n;
	}
	close(fd);
	*buf = p;
	*len = size;
	return 0;
fail:
	err = errno;
	free(p);
	close(fd);
	errno = err;
	return -1;
}

static int cmd_dump(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long epoch = DUMP_ANY_EPOCH;
	char path[PATH_MAX], file[24] = "latest";
	struct dump_error why;
	unsigned char *buf;
	const char *name;
	bool json = false;
	int c, err, have;
	size_t len;
	ssize_t n;

	while ((c = next_option(argc, argv, options, &err)) > 0)
		if (c == OPT_JSON)
			json = true;
	if (c < 0)
		return err;
	have = argc - optind;
	if (!have)
		return usage_error("missing NAME");
	if (have > 2)
		return usage_error("unexpected argument '%s'", argv[optind + 2]);
	name = argv[optind];
	err = check_name(name);
	if (err)
		return err;
	if (have == 2 && strcmp(argv[optind + 1], "latest")) {
		if (parse_number("EPOCH", argv[optind + 1], 0, ULLONG_MAX - 1,
				 &epoch))
			return EXIT_USAGE;
		snprintf(file, sizeof(file), "%llu", epoch);
	}

	if (store_path(path, sizeof(path), name, file))
		return fail(name, "%s", store);
	/*
	 * latest is a symlink to the newest epoch: dump that one by number,
	 * which its records must bear, and which stays as latest moves on.
	 */
	if (epoch == DUMP_ANY_EPOCH) {
		n = readlink(path, file, sizeof(file) - 1);
		if (n < 0 && errno != EINVAL)	/* EINVAL: not a symlink */
			return fail(name, "%s", path);
		file[n > 0 ? n : 0] = '\0';
		if (n > 0 && n < (ssize_t)sizeof(file) - 1 &&
		    isdigit((unsigned char)file[0]) &&
		    !file[strspn(file, "0123456789")]) {
			epoch = strtoull(file, NULL, 10);
			if (store_path(path, sizeof(path), name, file))
				return fail(name, "%s", store);
		}
	}
	if (read_file(path, &buf, &len))
		return fail(name, "%s", path);
	err = dump_stream(stdout, buf, len, epoch, json, &why);
	free(buf);
	if (fflush(stdout) || ferror(stdout))
		return fail(name, "stdout");
	if (err)
		return fail_why(name, "%s: byte %zu: %s", path, why.offset,
				why.why);
	return EXIT_SUCCESS;
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
		.synopsis = "[--epoch N] [--stopped] [--lazy] [--newpid] [--wait] NAME",
		.summary = "rebuild a partition's processes, print the root PID",
		.help =
"Rebuild the process tree of partition NAME, with its original PIDs, as\n"
"children of slsctl, then print the PID of its root and exit, or with\n"
"--wait, wait for the root to exit.\n"
"\n"
"  --epoch N    restore epoch N; 0, the default, is the latest durable one\n"
"  --stopped    the restored processes start stopped\n"
"  --lazy       page memory in on first touch, not before they run\n"
"  --newpid     take new PIDs where the original ones are in use, instead\n"
"               of failing\n"
"  --wait       once the PID is printed, wait for the root to exit and\n"
"               exit with its exit status, or 128 + N if signal N killed\n"
"               it, as a shell does; slsctl's own failures before that are\n"
"               1 and 2 as usual\n"
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
	{
		.name = "ls",
		.synopsis = "[--json]",
		.summary = "list the partitions of the store",
		.help =
"List the partitions of the store, one a line: its name, the number of its\n"
"members, of the epochs it retains and the newest, then the kernel's\n"
"figures of a loaded partition (open, or with members): how long its last\n"
"checkpoint stopped it and its last flush took, in microseconds, the bytes\n"
"it has written, its period.  '-' is what is not known: a partition that\n"
"is not loaded has no figures.  STORE must be the root of an slsfs mount.\n"
"\n"
"  --json       print a JSON array of one object per partition instead,\n"
"               null for what is not known, \"loaded\" true or false\n"
"  --help       print this help\n",
		.fn = cmd_ls,
	},
	{
		.name = "rm",
		.synopsis = "NAME",
		.summary = "remove a partition and its epochs",
		.help =
"Remove partition NAME and every epoch it retains from the store, durably:\n"
"rmdir of STORE/NAME.  A loaded partition (open, or with members) is busy\n"
"and stays.  STORE must be the root of an slsfs mount.\n"
"\n"
"  --help       print this help\n",
		.fn = cmd_rm,
	},
	{
		.name = "dump",
		.synopsis = "[--json] NAME [EPOCH]",
		.summary = "print the records of an epoch",
		.help =
"Print the records of epoch EPOCH of partition NAME, the file\n"
"STORE/NAME/EPOCH, one a line and indented lines under it: the epoch, then\n"
"per process its threads, paths, address space, files, descriptors and\n"
"pipes.  EPOCH is a number or 'latest', the default.  Each record's magic,\n"
"checksum, epoch and size are checked; the first bad one is an error that\n"
"names its byte offset, after the records before it.\n"
"\n"
"  --json       print a JSON array of one object per record instead\n"
"  --help       print this help\n",
		.fn = cmd_dump,
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
