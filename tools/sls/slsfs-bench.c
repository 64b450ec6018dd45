// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs-bench: the store's figures against the device's own, in one run.
 *
 *   slsfs-bench [--mib N] [--commits N] [--epochs N] DEV
 *
 * 1. The device: N MiB written with O_DIRECT in 1 MiB blocks (what
 *    dd oflag=direct bs=1M does), and 4 KiB O_DIRECT writes each followed
 *    by fdatasync().
 * 2. The store on the same device (formatted with mkfs.slsfs, mounted at
 *    a temporary directory, driven through the test kernel's debugfs
 *    file): a full epoch of N MiB of pages, epochs of one 4 KiB page
 *    (sealed, then in two steps with sealed_max_blocks 0), and
 *    the space used after many epochs of a fixed working set.  The epoch
 *    times are the ones the kernel reports for writing and committing
 *    them, without the making of the test pages.
 *
 * Prints each figure and the store's ratio to the device.  It destroys
 * what is on DEV.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "slsfs_debug.h"

#define MIB		(1UL << 20)
#define PAGE		4096UL

static const char *prog = "slsfs-bench";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds to write @mib MiB to @dev with O_DIRECT in 1 MiB blocks, or < 0. */
static double raw_seq(const char *dev, unsigned long mib)
{
	double start, end;
	unsigned long i;
	void *buf;
	int fd;

	fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || posix_memalign(&buf, PAGE, MIB))
		return -1;
	memset(buf, 0x5a, MIB);
	start = now();
	for (i = 0; i < mib; i++)
		if (pwrite(fd, buf, MIB, i * MIB) != (ssize_t)MIB)
			return -1;
	if (fdatasync(fd))
		return -1;
	end = now();
	free(buf);
	close(fd);
	return end - start;
}

/* Mean seconds of a 4 KiB O_DIRECT write plus fdatasync(), or < 0. */
static double raw_sync4k(const char *dev, unsigned long n)
{
	double start;
	unsigned long i;
	void *buf;
	int fd;

	fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || posix_memalign(&buf, PAGE, PAGE))
		return -1;
	memset(buf, 0xa5, PAGE);
	start = now();
	for (i = 0; i < n; i++)
		if (pwrite(fd, buf, PAGE, (i % 256) * PAGE) != (ssize_t)PAGE ||
		    fdatasync(fd))
			return -1;
	start = (now() - start) / n;
	free(buf);
	close(fd);
	return start;
}

static int run(const char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * One "epoch" command of the debugfs driver; the seconds slsfs took to
 * write and commit the epoch go to *commit_s.  Return: 0 or an errno.
 */
static int store_epoch(const char *dev, const char *cmd, double *commit_s)
{
	unsigned long long epoch, ns;
	char out[64];
	int err;

	err = slsfs_debug_cmd(dev, cmd, out, sizeof(out));
	if (err)
		return err;
	if (sscanf(out, "epoch %llu commit_ns %llu", &epoch, &ns) == 2)
		*commit_s = ns / 1e9;
	else
		err = EPROTO;	/* not the result line of an epoch */
	return err;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(err));
	return 1;
}

static int usage_error(const char *arg)
{
	fprintf(stderr, "%s: '%s' is not a count\n", prog, arg);
	return 2;
}

/* A positive decimal count, all of @arg. */
static int parse_count(const char *arg, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(arg, &end, 10);
	return errno || end == arg || *end || !*v || arg[0] == '-' ? -1 : 0;
}

/* Mean seconds of @n one-page epochs, or < 0 (errno set). */
static double commit_time(const char *dev, unsigned long n)
{
	double sum = 0, one;
	unsigned long i;
	int err;

	for (i = 0; i < n; i++) {
		err = store_epoch(dev, "epoch small 0 1 1", &one);
		if (err) {
			errno = err;
			return -1;
		}
		sum += one;
	}
	return sum / n;
}

/*
 * @n one-page epochs sealed (the default: one FUA write each), then @n
 * written in two steps (sealed_max_blocks 0: the pages and records, then
 * a PREFLUSH+FUA commit), against @sync_s for the device.
 */
static int bench_commits(const char *dev, unsigned long n, double sync_s)
{
	long long max = slsfs_store_figure(dev, "sealed_max_blocks");
	double sealed_s, twice_s;
	int err;

	if (max < 0)
		return fail("sealed_max_blocks", ENOENT);
	sealed_s = commit_time(dev, n);
	if (sealed_s < 0)
		return fail("4 KiB epoch", errno);
	err = slsfs_store_set(dev, "sealed_max_blocks", 0);
	twice_s = err ? -1 : commit_time(dev, n);
	if (!err && twice_s < 0)
		err = errno;
	err = slsfs_store_set(dev, "sealed_max_blocks", max) ?: err;
	if (err)
		return fail("4 KiB epoch, two steps", err);
	printf("store:  commit of a one-page epoch, sealed    %8.0f us  (%.2fx the device)\n"
	       "        and in two steps                      %8.0f us  (%.2fx)\n",
	       sealed_s * 1e6, sealed_s / sync_s, twice_s * 1e6, twice_s / sync_s);
	printf("csv:store:commit_4k_us,%.0f,%.0f,%.2f\n", sealed_s * 1e6,
	       sync_s * 1e6, sealed_s / sync_s);
	printf("csv:store:commit_4k_two_steps_us,%.0f,%.0f,%.2f\n", twice_s * 1e6,
	       sync_s * 1e6, twice_s / sync_s);
	return 0;
}

/*
 * The store's figures on the mounted @dev, printed against the device's:
 * a full epoch of @mib MiB, @commits one-page epochs, and the space taken
 * by @epochs epochs of a 16-page working set, one page each.
 */
static int bench_store(const char *dev, unsigned long mib, unsigned long commits,
		       unsigned long epochs, double dd_s, double sync_s)
{
	double flush_s, one;
	long long free0, half = -1, end;
	char cmd[96], out[64];
	unsigned long i;
	int err;

	err = slsfs_debug_cmd(dev, "create big", out, sizeof(out)) ?:
	      slsfs_debug_cmd(dev, "create small", out, sizeof(out)) ?:
	      slsfs_debug_cmd(dev, "create set", out, sizeof(out));
	if (err)
		return fail("create", err);

	snprintf(cmd, sizeof(cmd), "epoch big 0 %lu 1 full", mib * 256);
	err = store_epoch(dev, cmd, &flush_s);
	if (err)
		return fail("large epoch", err);
	printf("store:  flush of a %lu MiB epoch               %8.1f MiB/s  (%.0f%% of the device)\n",
	       mib, mib / flush_s, 100.0 * dd_s / flush_s);
	/* For the report (scripts/lib/bench_report.py): store.csv */
	printf("csv:store:figure,store,device,store_per_device\n");
	printf("csv:store:flush_mib_s,%.1f,%.1f,%.2f\n", mib / flush_s, mib / dd_s,
	       dd_s / flush_s);

	err = bench_commits(dev, commits, sync_s);
	if (err)
		return err;

	free0 = slsfs_store_figure(dev, "free_bytes");
	for (i = 0; i < epochs; i++) {
		snprintf(cmd, sizeof(cmd), "epoch set %lu 1 %lu", i % 16, i);
		err = store_epoch(dev, cmd, &one);
		if (err)
			break;
		if (i + 1 == epochs / 2)
			half = slsfs_store_figure(dev, "free_bytes");
	}
	end = slsfs_store_figure(dev, "free_bytes");
	if (free0 < 0 || end < 0)
		return fail("/sys/fs/slsfs figures", ENOENT);
	if (err) {
		printf("store:  the store filled after %lu of %lu epochs of a 16-page set (%s)\n",
		       i, epochs, strerror(err));
		return 1;
	}
	printf("store:  space after %lu and %lu epochs of a 16-page set: %lld and %lld KiB (%s)\n",
	       epochs / 2, epochs, (free0 - half) >> 10, (free0 - end) >> 10,
	       (free0 - end) > (free0 - half) * 3 / 2 ? "grows" : "flat");
	return 0;
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--mib N] [--commits N] [--epochs N] DEV\n\n"
		"Measures DEV with O_DIRECT writes, then formats it as a store and\n"
		"measures the store's flush throughput, commit latency and space\n"
		"after many epochs.  Destroys what DEV holds.  Needs a kernel with\n"
		"CONFIG_SLSFS_DEBUGFS.\n\n"
		"  --mib N      MiB of the large writes and the large epoch (64)\n"
		"  --commits N  4 KiB writes and one-page epochs timed (200)\n"
		"  --epochs N   epochs of a 16-page working set for the space\n"
		"               figure, at least 2 (1000)\n",
		prog);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "mib", required_argument, NULL, 'm' },
		{ "commits", required_argument, NULL, 'c' },
		{ "epochs", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long mib = 64, commits = 200, epochs = 1000;
	char mnt[] = "/tmp/slsfs-bench.XXXXXX";
	double dd_s, sync_s;
	const char *dev;
	int c;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'm':
		case 'c':
		case 'e':
			if (parse_count(optarg, c == 'm' ? &mib : c == 'c' ? &commits : &epochs))
				return usage_error(optarg);
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	/* the debugfs driver takes epochs of up to 65536 pages */
	if (optind + 1 != argc || mib > 256 || epochs < 2) {
		print_usage(stderr);
		return 2;
	}
	dev = argv[optind];

	dd_s = raw_seq(dev, mib);
	sync_s = raw_sync4k(dev, commits);
	if (dd_s < 0 || sync_s < 0)
		return fail(dev, errno);
	printf("device: O_DIRECT 1 MiB writes, queue depth 1   %8.1f MiB/s\n",
	       mib / dd_s);
	printf("device: 4 KiB O_DIRECT write + fdatasync      %8.0f us\n",
	       sync_s * 1e6);

	c = run((const char *const[]){ "mkfs.slsfs", "-q", dev, NULL });
	if (c)
		return fail("mkfs.slsfs", c < 0 ? errno : EIO);
	if (!mkdtemp(mnt))
		return fail("mkdtemp", errno);
	if (mount(dev, mnt, "slsfs", 0, NULL)) {
		c = fail("mount", errno);
		rmdir(mnt);
		return c;
	}
	c = bench_store(dev, mib, commits, epochs, dd_s, sync_s);
	umount(mnt);
	rmdir(mnt);
	return c;
}
