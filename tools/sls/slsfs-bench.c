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
 *    file): a full epoch of N MiB of pages, epochs of one 4 KiB page, and
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

#define MIB		(1UL << 20)
#define PAGE		4096UL

static const char *prog = "slsfs-bench";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	return 1;
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
 * One command to the store's debugfs file: 0 or -1.  For an epoch, the
 * seconds slsfs took to write and commit it go to *commit_s when given.
 */
static int store_cmd(const char *ctl, const char *cmd, double *commit_s)
{
	int fd = open(ctl, O_RDWR | O_CLOEXEC);
	unsigned long long epoch, ns;
	char out[64];
	ssize_t n;
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd);
	n = ok ? pread(fd, out, sizeof(out) - 1, 0) : -1;
	close(fd);
	if (n < 0)
		return -1;
	out[n] = '\0';
	if (commit_s) {
		if (sscanf(out, "epoch %llu commit_ns %llu", &epoch, &ns) != 2)
			return -1;
		*commit_s = ns / 1e9;
	}
	return 0;
}

static long long store_figure(const char *dev, const char *file)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/fs/slsfs/%s/%s", strrchr(dev, '/') + 1, file);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
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
		"               figure (1000)\n",
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
	unsigned long mib = 64, commits = 200, epochs = 1000, i;
	char mnt[] = "/tmp/slsfs-bench.XXXXXX", ctl[128], cmd[96];
	double dd_s, sync_s, flush_s, commit_s;
	long long free0, free1 = -1, free2;
	const char *dev;
	int c;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			commits = strtoul(optarg, NULL, 0);
			break;
		case 'e':
			epochs = strtoul(optarg, NULL, 0);
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
	if (optind + 1 != argc || !mib || !commits || !epochs || mib > 256) {
		print_usage(stderr);
		return 2;
	}
	dev = argv[optind];

	dd_s = raw_seq(dev, mib);
	sync_s = raw_sync4k(dev, commits);
	if (dd_s < 0 || sync_s < 0)
		return die(dev);

	if (run((const char *const[]){ "mkfs.slsfs", "-q", dev, NULL }))
		return die("mkfs.slsfs");
	if (!mkdtemp(mnt) || mount(dev, mnt, "slsfs", 0, NULL))
		return die("mount");
	snprintf(ctl, sizeof(ctl), "/sys/kernel/debug/slsfs/%s/ctl", strrchr(dev, '/') + 1);
	if (store_cmd(ctl, "create big", NULL) || store_cmd(ctl, "create small", NULL) ||
	    store_cmd(ctl, "create set", NULL))
		return die(ctl);

	snprintf(cmd, sizeof(cmd), "epoch big 0 %lu 1 full", mib * 256);
	if (store_cmd(ctl, cmd, &flush_s))
		return die("large epoch");

	commit_s = 0;
	for (i = 0; i < commits; i++) {
		double one;

		if (store_cmd(ctl, "epoch small 0 1 1", &one))
			return die("4 KiB epoch");
		commit_s += one;
	}
	commit_s /= commits;

	free0 = store_figure(dev, "free_bytes");
	for (i = 0; i < epochs; i++) {
		snprintf(cmd, sizeof(cmd), "epoch set %lu 1 %lu", i % 16, i);
		if (store_cmd(ctl, cmd, NULL))
			break;
		if (i + 1 == epochs / 2)
			free1 = store_figure(dev, "free_bytes");
	}
	free2 = store_figure(dev, "free_bytes");
	if (free1 < 0)
		free1 = free2;

	printf("device: O_DIRECT 1 MiB writes   %8.1f MiB/s\n", mib / dd_s);
	printf("store:  flush of a %lu MiB epoch  %8.1f MiB/s  (%.0f%% of the device)\n",
	       mib, mib / flush_s, 100.0 * dd_s / flush_s);
	printf("device: 4 KiB write + fdatasync %8.0f us\n", sync_s * 1e6);
	printf("store:  commit of a 4 KiB epoch %8.0f us  (%.2fx the device)\n",
	       commit_s * 1e6, commit_s / sync_s);
	printf("store:  %lu of %lu epochs of a 16-page set written; space used %lld KiB after %lu, %lld KiB after them (%s)\n",
	       i, epochs, (free0 - free1) >> 10, epochs / 2, (free0 - free2) >> 10,
	       free0 - free2 > 2 * (free0 - free1) - (free0 - free1) / 10 ?
	       "grows: no cleaner yet" : "flat");
	umount(mnt);
	rmdir(mnt);
	return i == epochs ? 0 : 1;
}
