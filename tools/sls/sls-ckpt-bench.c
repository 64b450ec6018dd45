// SPDX-License-Identifier: GPL-2.0
/*
 * sls-ckpt-bench: stop and flush times of checkpoints, and the latency of
 * region persistence against the device's own, in one run.
 *
 *   sls-ckpt-bench [--rss LIST] [--dirty LIST] [--region LIST]
 *                  [--repeat N] [--criu] DEV
 *
 * 1. The device first, before it holds a store: each --region size
 *    written with O_DIRECT and followed by fdatasync(), N times.
 * 1b. With --criu, DEV is formatted ext4 and for each --rss size a
 *    process like the one of step 2 is dumped by criu dump --leave-running
 *    with its images there; criu's own frozen time is what it reports
 *    with --display-stats.
 * 2. Then DEV is formatted with mkfs.slsfs and mounted, and a partition
 *    is made in it.  For each --rss size (MiB) a process fills that much
 *    memory with random bytes and a full checkpoint of it is taken.
 * 3. A process of the largest RSS has a full checkpoint taken, then for
 *    each --dirty size (KiB) dirties that much and an incremental one.
 * 4. This process joins a partition and persists a region of each
 *    --region size (KiB), freshly dirtied, with SLS_PERSIST_REGION|SYNC,
 *    N times.
 *
 * Stop and flush times are the kernel's (last_stop_ns, last_flush_ns of
 * /sys/kernel/sls/partitions/DEV:NAME).  It destroys what is on DEV.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sls_syscalls.h"

#define KIB		1024UL
#define MIB		(1024UL * KIB)
#define PAGE		4096UL
#define MAX_SIZES	16

static const char *prog = "sls-ckpt-bench";

struct sizes {
	unsigned long v[MAX_SIZES];
	int n;
};

/* What criu dump did to a process of one RSS. */
struct criu_result {
	double frozen_ms;	/* criu's "Frozen time", -1 if not reported */
	double total_ms;	/* the whole dump, as seen from here */
};

struct bench {
	const char *dev;
	bool criu;
	struct criu_result criu_rss[MAX_SIZES];
	char mnt[32];
	char sysfs[160];
	int part;
	int repeat;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static int parse_sizes(const char *arg, struct sizes *s)
{
	char *copy = strdup(arg), *tok, *save = NULL, *end;

	s->n = 0;
	for (tok = strtok_r(copy, ",", &save); tok && s->n < MAX_SIZES;
	     tok = strtok_r(NULL, ",", &save)) {
		s->v[s->n] = strtoul(tok, &end, 10);
		if (*end || !s->v[s->n]) {
			free(copy);
			return -1;
		}
		s->n++;
	}
	free(copy);
	return s->n ? 0 : -1;
}

static long long figure(const struct bench *b, const char *name)
{
	char path[224], buf[32] = "";
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", b->sysfs, name);
	f = fopen(path, "re");
	if (f && fgets(buf, sizeof(buf), f))
		v = atoll(buf);
	if (f)
		fclose(f);
	return v;
}

/* Seconds for @size bytes written with O_DIRECT at offset 0 and synced. */
static double raw_write(const char *dev, unsigned long size, int repeat)
{
	double start, t;
	void *buf;
	int fd, i;

	fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || posix_memalign(&buf, PAGE, size))
		die(dev);
	memset(buf, 0x5a, size);
	if (pwrite(fd, buf, size, 0) != (ssize_t)size || fdatasync(fd))
		die("O_DIRECT write");	/* untimed, as for the store */
	start = now();
	for (i = 0; i < repeat; i++)
		if (pwrite(fd, buf, size, 0) != (ssize_t)size || fdatasync(fd))
			die("O_DIRECT write");
	t = (now() - start) / repeat;
	free(buf);
	close(fd);
	return t;
}

/* Run @argv, its output to @out (or /dev/null); its exit status, or -1. */
static int run(const char *const argv[], const char *out)
{
	pid_t pid = fork();
	int status, fd;

	if (pid == 0) {
		fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void make_store(struct bench *b)
{
	const char *mkfs[4] = { "mkfs.slsfs", "-q", b->dev, NULL };
	char path[64];

	if (run(mkfs, NULL))
		die("mkfs.slsfs");
	snprintf(b->mnt, sizeof(b->mnt), "/tmp/sls-bench.XXXXXX");
	if (!mkdtemp(b->mnt) || mount(b->dev, b->mnt, "slsfs", 0, NULL))
		die("mount");
	snprintf(path, sizeof(path), "%s/bench", b->mnt);
	b->part = sls_open(AT_FDCWD, path, NULL, 0, SLS_CREATE);
	if (b->part < 0)
		die("sls_open");
	snprintf(b->sysfs, sizeof(b->sysfs), "/sys/kernel/sls/partitions/%s:bench",
		 strrchr(b->dev, '/') + 1);
}

static void attach(struct bench *b, pid_t pid)
{
	int pidfd = sys_pidfd_open(pid, 0);

	if (pidfd < 0 || sls_attach(b->part, pidfd, 0))
		die("sls_attach");
	close(pidfd);
}

/* Fill @len bytes with bytes that do not compress or dedupe. */
static void scribble(char *mem, unsigned long len, unsigned int seed)
{
	unsigned long i;

	for (i = 0; i < len; i += sizeof(unsigned int)) {
		seed = seed * 1103515245 + 12345;
		*(unsigned int *)(mem + i) = seed;
	}
}

/*
 * A member with @mib MiB of written memory, which dirties the number of
 * KiB it reads from its pipe and answers with one byte.
 */
static pid_t member(struct bench *b, unsigned long mib, int *cmd, int *ack)
{
	int to[2], from[2], fd;
	pid_t pid;
	char c;

	if (pipe(to) || pipe(from))
		die("pipe");
	pid = fork();
	if (pid == 0) {
		unsigned long kib, len = mib * MIB;
		char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		c = 0;
		if (mem == MAP_FAILED)
			_exit(1);
		scribble(mem, len, 1);
		dup2(to[0], 3);
		dup2(from[1], 4);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		for (fd = 5; fd < 64; fd++)
			close(fd);
		while (write(4, &c, 1) == 1 && read(3, &kib, sizeof(kib)) == sizeof(kib))
			scribble(mem, kib * KIB < len ? kib * KIB : len, ++c);
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	*cmd = to[1];
	*ack = from[0];
	if (read(*ack, &c, 1) != 1)	/* filled */
		die("member");
	attach(b, pid);
	return pid;
}

static void checkpoint(struct bench *b, unsigned long long flags,
		       double *stop_ms, double *flush_ms, double *mib)
{
	struct sls_persist_args args = { .flags = SLS_PERSIST_SYNC | flags };

	if (sls_persist(b->part, &args, sizeof(args)) < 0)
		die("sls_persist");
	*stop_ms = figure(b, "last_stop_ns") / 1e6;
	*flush_ms = figure(b, "last_flush_ns") / 1e6;
	*mib = figure(b, "pages_shadowed") * PAGE / (double)MIB;
}

static void end_member(pid_t pid, int cmd, int ack)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(cmd);
	close(ack);
}

/* A process of @mib MiB of written memory, not in any partition. */
static pid_t plain_process(unsigned long mib)
{
	int ready[2], fd;
	pid_t pid;
	char c = 0;

	if (pipe(ready))
		die("pipe");
	pid = fork();
	if (pid == 0) {
		char *mem = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		/* Its own session: criu wants the session leader in the tree. */
		if (mem == MAP_FAILED || setsid() < 0)
			_exit(1);
		scribble(mem, mib * MIB, 1);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		for (fd = 3; fd < 64; fd++)
			close(fd);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		die("process");
	close(ready[0]);
	return pid;
}

/* criu's "Frozen time: N us" line of --display-stats, in ms; -1 if none. */
static double criu_frozen_ms(const char *log)
{
	char line[256];
	double v = -1;
	long us;
	FILE *f = fopen(log, "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Frozen time: %ld us", &us) == 1)
			v = us / 1e3;
	if (f)
		fclose(f);
	return v;
}

/* criu dump of processes of each RSS, images on ext4 on DEV. */
static void bench_criu(struct bench *b, const struct sizes *rss)
{
	const char *mnt = "/tmp/criu-images";
	char pidbuf[16], dir[64], log[80];
	const char *mkfs[5] = { "mkfs.ext4", "-q", "-F", b->dev, NULL };
	const char *dump[10] = { "criu", "dump", "-t", pidbuf, "-D", dir, "--leave-running",
			 "--shell-job", "--display-stats", NULL };
	double start;
	pid_t pid;
	int i;

	if (run(mkfs, NULL) || mkdir(mnt, 0755) ||
	    mount(b->dev, mnt, "ext4", 0, NULL)) {
		fprintf(stderr, "%s: no ext4 for criu's images: %s; no criu figures\n",
			prog, strerror(errno));
		b->criu = false;
		return;
	}
	for (i = 0; i < rss->n; i++) {
		pid = plain_process(rss->v[i]);
		snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
		snprintf(dir, sizeof(dir), "%s/rss%lu", mnt, rss->v[i]);
		snprintf(log, sizeof(log), "%s.log", dir);
		if (mkdir(dir, 0755))
			die(dir);
		start = now();
		if (run(dump, log)) {
			fprintf(stderr, "%s: criu dump failed, see below\n", prog);
			run((const char *[]){ "tail", "-n", "20", log, NULL },
			    "/dev/stderr");
			b->criu = false;
		}
		b->criu_rss[i].total_ms = (now() - start) * 1e3;
		b->criu_rss[i].frozen_ms = criu_frozen_ms(log);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (!b->criu)
			break;
	}
	if (umount(mnt))
		die("umount ext4");
}

static void bench_rss(struct bench *b, const struct sizes *rss)
{
	double stop, flush, mib;
	int i, cmd, ack;
	pid_t pid;

	printf("\nfull checkpoint against RSS%s\n",
	       b->criu ? ", and criu dump --leave-running of the same" : "");
	printf("%10s %12s %12s %12s %12s", "rss_mib", "stop_ms", "flush_ms",
	       "written_mib", "flush_mib_s");
	if (b->criu)
		printf(" %14s %14s %12s", "criu_frozen_ms", "criu_total_ms",
		       "frozen/stop");
	printf("\n");
	for (i = 0; i < rss->n; i++) {
		pid = member(b, rss->v[i], &cmd, &ack);
		checkpoint(b, SLS_PERSIST_FULL, &stop, &flush, &mib);
		printf("%10lu %12.3f %12.3f %12.1f %12.1f", rss->v[i], stop,
		       flush, mib, mib / (flush / 1e3));
		if (b->criu)
			printf(" %14.1f %14.1f %12.1f", b->criu_rss[i].frozen_ms,
			       b->criu_rss[i].total_ms,
			       b->criu_rss[i].frozen_ms / stop);
		printf("\n");
		end_member(pid, cmd, ack);
	}
}

static void bench_dirty(struct bench *b, unsigned long rss,
			const struct sizes *dirty)
{
	double stop, flush, mib;
	int i, cmd, ack;
	char c;
	pid_t pid;

	printf("\nincremental checkpoint of a %lu MiB process against its dirty set\n",
	       rss);
	printf("%10s %12s %12s %12s\n", "dirty_kib", "stop_ms", "flush_ms",
	       "written_mib");
	pid = member(b, rss, &cmd, &ack);
	checkpoint(b, SLS_PERSIST_FULL, &stop, &flush, &mib);
	for (i = 0; i < dirty->n; i++) {
		if (write(cmd, &dirty->v[i], sizeof(dirty->v[i])) != sizeof(dirty->v[i]) ||
		    read(ack, &c, 1) != 1)
			die("member");
		checkpoint(b, 0, &stop, &flush, &mib);
		printf("%10lu %12.3f %12.3f %12.2f\n", dirty->v[i], stop, flush, mib);
	}
	end_member(pid, cmd, ack);
}

static void bench_region(struct bench *b, const struct sizes *region,
			 const double *raw)
{
	struct sls_persist_args args = {
		.flags = SLS_PERSIST_REGION | SLS_PERSIST_SYNC,
	};
	double start, t;
	int i, j;
	char *mem;

	attach(b, getpid());
	printf("\nSLS_PERSIST_REGION|SYNC against an O_DIRECT write + fdatasync\n");
	printf("%10s %12s %12s %8s\n", "size_kib", "region_us", "direct_us", "ratio");
	for (i = 0; i < region->n; i++) {
		mem = mmap(NULL, region->v[i] * KIB, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			die("mmap");
		args.addr = (unsigned long)mem;
		args.len = region->v[i] * KIB;
		/* Untimed: the first one waits for the flush before it. */
		scribble(mem, args.len, 0);
		if (sls_persist(SLS_SELF, &args, sizeof(args)) < 0)
			die("sls_persist REGION");
		t = 0;
		for (j = 0; j < b->repeat; j++) {
			scribble(mem, args.len, j);
			start = now();
			if (sls_persist(SLS_SELF, &args, sizeof(args)) < 0)
				die("sls_persist REGION");
			t += now() - start;
		}
		t /= b->repeat;
		printf("%10lu %12.1f %12.1f %8.2f\n", region->v[i], t * 1e6,
		       raw[i] * 1e6, t / raw[i]);
		munmap(mem, args.len);
	}
	fflush(stdout);
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s [--rss MIB,...] [--dirty KIB,...] [--region KIB,...]\n"
		"       [--repeat N] [--criu] DEV\n\n"
		"Measures checkpoints into a store made on DEV, which it destroys:\n"
		"  --rss      full checkpoints of processes of these sizes (16,64,256,512)\n"
		"  --dirty    incremental ones after dirtying this much of the largest\n"
		"             (4,64,1024,16384,65536,262144)\n"
		"  --region   SLS_PERSIST_REGION|SYNC of these sizes against O_DIRECT\n"
		"             writes + fdatasync (4,16,64,256,1024)\n"
		"  --repeat   region persists and raw writes per size (50)\n"
		"  --criu     also criu dump --leave-running each RSS, images on ext4\n"
		"             on DEV, and compare its frozen time\n", prog);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "rss", required_argument, NULL, 'r' },
		{ "dirty", required_argument, NULL, 'd' },
		{ "region", required_argument, NULL, 'g' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "criu", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sizes rss, dirty, region;
	struct bench b = { .repeat = 50 };
	double raw[MAX_SIZES];
	int c, i;

	parse_sizes("16,64,256,512", &rss);
	parse_sizes("4,64,1024,16384,65536,262144", &dirty);
	parse_sizes("4,16,64,256,1024", &region);
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'd':
		case 'g':
			if (parse_sizes(optarg, c == 'r' ? &rss :
					c == 'd' ? &dirty : &region)) {
				fprintf(stderr, "%s: bad list of sizes '%s'\n",
					prog, optarg);
				return 2;
			}
			break;
		case 'n':
			b.repeat = atoi(optarg);
			if (b.repeat <= 0)
				return fprintf(stderr, "%s: bad --repeat\n", prog), 2;
			break;
		case 'c':
			b.criu = true;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !strrchr(argv[optind], '/')) {
		print_usage(stderr);
		return 2;
	}
	b.dev = argv[optind];
	for (i = 0; i < region.n; i++)
		raw[i] = raw_write(b.dev, region.v[i] * KIB, b.repeat);
	if (b.criu)
		bench_criu(&b, &rss);
	make_store(&b);
	bench_rss(&b, &rss);
	bench_dirty(&b, rss.v[rss.n - 1], &dirty);
	bench_region(&b, &region, raw);
	return 0;
}
