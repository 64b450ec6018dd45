// SPDX-License-Identifier: GPL-2.0
/*
 * sls-ckpt-bench: stop and flush times of checkpoints, the latency of
 * region persistence against the device's own, and restore times, in one
 * run.
 *
 *   sls-ckpt-bench [--rss LIST] [--dirty LIST] [--region LIST]
 *                  [--restore LIST] [--repeat N] [--criu] DEV
 *
 * 1. The device first, before it holds a store: each --region size
 *    written with O_DIRECT and followed by fdatasync(), N times; and
 *    written with O_DIRECT|O_DSYNC (one FUA write), which is what a
 *    sealed epoch asks of the device at the least.
 * 1b. With --criu, DEV is formatted ext4 and for each --rss size a
 *    process like the one of step 2 is dumped by criu dump --leave-running
 *    with its images there; criu's own frozen time is what it reports
 *    with --display-stats.  A process of the largest --rss size is then
 *    dumped incrementally: for each --dirty size, a criu pre-dump
 *    --track-mem (on top of the one before), that much of it dirtied,
 *    and criu dump --track-mem --leave-running --prev-images-dir of what
 *    changed since, whose frozen time step 3 compares with its stop.
 *    Then for each --restore size the process
 *    dumped at that size (dumped now if it is no --rss size), killed
 *    since, is brought back by criu restore -d.
 * 2. Then DEV is formatted with mkfs.slsfs and mounted, and a partition
 *    is made in it.  For each --rss size (MiB) a process fills that much
 *    memory with random bytes and a full checkpoint of it is taken.
 * 3. A process of the largest RSS has a full checkpoint taken, then for
 *    each --dirty size (KiB) dirties that much and an incremental one.
 * 4. This process joins a partition and persists a region of each
 *    --region size (KiB), freshly dirtied, with SLS_PERSIST_REGION|SYNC,
 *    N times with the store's sealed_max_blocks as it is (small epochs
 *    sealed: one FUA write) and N times with it 0 (every epoch in two
 *    steps: its chunks, then a PREFLUSH+FUA commit), then leaves it.
 * 5. For each --restore size (MiB) a process like that of step 1b joins
 *    the partition, a full synchronous checkpoint of it is taken, it is
 *    killed, and the epoch is restored by sls_restore(): eagerly, then
 *    with SLS_RESTORE_LAZY.
 *
 * Stop and flush times are the kernel's (last_stop_ns, last_flush_ns of
 * /sys/kernel/sls/partitions/DEV:NAME).  A restore is timed from the call
 * of sls_restore() to its return (criu: from the start of criu restore to
 * its exit), and to the moment the restored process, sent SIGUSR1, says
 * on a FIFO that it has read a word of each of its pages; the page cache
 * is dropped before each restore.  It destroys what is on DEV.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sls_bench.h"
#include "sls_syscalls.h"
#include "slsfs_debug.h"

#define CRIU_IMAGES	"/tmp/criu-images"
#define REPORT_FIFO	"/tmp/sls-bench.report"	/* restored processes say here */
#define REPORT_WAIT_MS	300000

/* What criu dump did to a process of one RSS. */
struct criu_result {
	double frozen_ms;	/* criu's "Frozen time", -1 if not reported */
	double total_ms;	/* the whole dump, as seen from here */
};

/* A restore of one RSS. */
struct restore_result {
	double call_ms;		/* the restore itself, -1 if it failed */
	double all_ms;		/* until the process read all its pages, or -1 */
};

struct bench {
	const char *dev;
	bool criu;
	struct criu_result criu_rss[MAX_SIZES];
	struct criu_result criu_dirty[MAX_SIZES];
	struct restore_result criu_restore[MAX_SIZES];
	char mnt[32];
	char sysfs[160];
	int part;
	int report;		/* REPORT_FIFO, open for reading and writing */
	int repeat;
};

/* The first line of the partition's sysfs file @name, "" if none. */
static char *part_file(const struct bench *b, const char *name, char *buf,
		       int size)
{
	char path[224];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", b->sysfs, name);
	f = fopen(path, "re");
	if (!f || !fgets(buf, size, f))
		buf[0] = '\0';
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static long long figure(const struct bench *b, const char *name)
{
	char buf[32];

	return *part_file(b, name, buf, sizeof(buf)) ? atoll(buf) : -1;
}

/*
 * The device's time for @size bytes made durable, @repeat times: an
 * O_DIRECT write and fdatasync(), or with @fua one O_DIRECT|O_DSYNC
 * write (a FUA write: what a sealed epoch is).
 */
static double raw_write(const char *dev, unsigned long size, int repeat,
			bool fua)
{
	double start = 0, t;
	void *buf;
	int fd, i;

	fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC | (fua ? O_DSYNC : 0));
	if (fd < 0 || posix_memalign(&buf, PAGE, size))
		die(dev);
	memset(buf, 0x5a, size);
	for (i = -1; i < repeat; i++) {	/* the first one untimed, as for the store */
		if (!i)
			start = now();
		if (pwrite(fd, buf, size, 0) != (ssize_t)size ||
		    (!fua && fdatasync(fd)))
			die("O_DIRECT write");
	}
	t = (now() - start) / repeat;
	free(buf);
	close(fd);
	return t;
}

/* Nothing of the device in the page cache: a restore reads it back. */
static void drop_page_cache(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	sync();
	if (fd < 0 || write(fd, "3", 1) != 1)
		fprintf(stderr, "%s: cannot drop the page cache: %s\n", prog,
			strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * The FIFO restored processes report on, held open for reading and
 * writing so that it always has a reader; and this process a subreaper,
 * so that what criu restore -d leaves is its child.
 */
static void prepare_restores(struct bench *b)
{
	if (mkfifo(REPORT_FIFO, 0600) && errno != EEXIST)
		die(REPORT_FIFO);
	b->report = open(REPORT_FIFO, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (b->report < 0)
		die(REPORT_FIFO);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		die("PR_SET_CHILD_SUBREAPER");
}

static void make_store(struct bench *b)
{
	const char *mkfs[4] = { "mkfs.slsfs", "-q", b->dev, NULL };
	char path[64];

	run_or_die(mkfs);
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

static void attach(struct bench *b, pid_t pid, unsigned int flags)
{
	int pidfd = sys_pidfd_open(pid, 0);

	if (pidfd < 0 || sls_attach(b->part, pidfd, flags))
		die(flags & SLS_DETACH ? "sls_attach SLS_DETACH" : "sls_attach");
	close(pidfd);
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The sum of the first word of each page: reads every page once. */
static unsigned long page_sum(const char *mem, unsigned long len)
{
	unsigned long i, sum = 0;

	for (i = 0; i < len; i += PAGE)
		sum += *(const unsigned int *)(mem + i);
	return sum;
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
	attach(b, pid, 0);
	return pid;
}

/* A synchronous checkpoint: its epoch. */
static long checkpoint(struct bench *b, unsigned long long flags,
		       double *stop_ms, double *flush_ms, double *mib)
{
	struct sls_persist_args args = { .flags = SLS_PERSIST_SYNC | flags };
	long epoch = sls_persist(b->part, &args, sizeof(args));

	if (epoch < 0)
		die("sls_persist");
	*stop_ms = figure(b, "last_stop_ns") / 1e6;
	*flush_ms = figure(b, "last_flush_ns") / 1e6;
	*mib = figure(b, "pages_shadowed") * PAGE / (double)MIB;
	return epoch;
}

static void end_member(pid_t pid, int cmd, int ack)
{
	reap(pid);
	close(cmd);
	close(ack);
}

/* What a plain process's SIGUSR1 handler reads, and SIGUSR2's writes. */
static char *walk_mem;
static unsigned long walk_len, walk_sum;
static const struct sizes *dirty_steps;
static int dirty_next;

/*
 * SIGUSR1, in a restored process: read a word of each page, write on
 * REPORT_FIFO whether they hold what they held before, and exit.
 */
static void walk(int sig)
{
	char same = page_sum(walk_mem, walk_len) == walk_sum;
	int fd = open(REPORT_FIFO, O_WRONLY | O_NONBLOCK);

	(void)sig;
	_exit(fd < 0 || write(fd, &same, 1) != 1);
}

/*
 * SIGUSR2, in a plain process: write the next size of dirty_steps of its
 * memory, and say so on REPORT_FIFO.
 */
static void dirty_step(int sig)
{
	unsigned long len = 0;
	int fd;
	char c = 1;

	(void)sig;
	if (dirty_steps && dirty_next < dirty_steps->n)
		len = dirty_steps->v[dirty_next++] * KIB;
	scribble(walk_mem, len < walk_len ? len : walk_len, dirty_next + 1);
	fd = open(REPORT_FIFO, O_WRONLY | O_NONBLOCK);
	if (fd < 0 || write(fd, &c, 1) != 1)
		_exit(1);	/* unheard: criu then has no process to dump */
	close(fd);
}

/*
 * A process of @mib MiB of written memory, not in any partition, which
 * walks its memory on SIGUSR1 (walk()) and dirties the next size of
 * dirty_steps on SIGUSR2 (dirty_step()).
 */
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
		walk_mem = mem;
		walk_len = mib * MIB;
		walk_sum = page_sum(mem, walk_len);
		if (signal(SIGUSR1, walk) == SIG_ERR ||
		    signal(SIGUSR2, dirty_step) == SIG_ERR)
			_exit(1);
		/* /dev/null on 0, 1 and 2: no console for a restore to reopen. */
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
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

/*
 * Send SIGUSR1 to the restored @pid (@pidfd) and wait for its report:
 * the ms from @start until it read a word of each of its pages, or -1 if
 * it did not say so or found its memory changed.  It is killed and
 * reaped then.
 */
static double touch_all(struct bench *b, pid_t pid, int pidfd, double start)
{
	struct pollfd fds[2] = {
		{ .fd = b->report, .events = POLLIN },
		{ .fd = pidfd, .events = POLLIN },
	};
	double t = -1;
	char same;

	while (read(b->report, &same, 1) == 1)	/* a stale report */
		;
	if (pidfd >= 0 && !kill(pid, SIGUSR1) &&
	    poll(fds, 2, REPORT_WAIT_MS) > 0 && read(b->report, &same, 1) == 1)
		t = same ? (now() - start) * 1e3 : -1;
	if (t < 0)
		fprintf(stderr, "%s: restored pid %d %s\n", prog, pid,
			pidfd < 0 ? "is missing" : fds[0].revents ?
			"found its memory changed" : "did not read its memory");
	reap(pid);
	return t;
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

static void criu_failed(const char *what, const char *log)
{
	fprintf(stderr, "%s: criu %s failed, see below\n", prog, what);
	run((const char *[]){ "tail", "-n", "20", log, NULL }, "/dev/stderr");
}

/*
 * criu dump --leave-running of a process of @mib MiB into
 * CRIU_IMAGES/rssMIB, timed into @r; the process is killed and reaped.
 * Its pid, or -1 if criu failed.
 */
static pid_t criu_dump(unsigned long mib, struct criu_result *r)
{
	char pidbuf[16], dir[64], log[80];
	const char *dump[10] = { "criu", "dump", "-t", pidbuf, "-D", dir, "--leave-running",
			 "--shell-job", "--display-stats", NULL };
	pid_t pid = plain_process(mib);
	double start;
	int err;

	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	snprintf(dir, sizeof(dir), "%s/rss%lu", CRIU_IMAGES, mib);
	snprintf(log, sizeof(log), "%s.log", dir);
	if (mkdir(dir, 0755))
		die(dir);
	start = now();
	err = run(dump, log);
	r->total_ms = (now() - start) * 1e3;
	r->frozen_ms = criu_frozen_ms(log);
	reap(pid);
	if (err) {
		criu_failed("dump", log);
		return -1;
	}
	return pid;
}

/* Send @pid SIGUSR2 and wait until it has dirtied its next size: 0 or -1. */
static int dirty_plain(struct bench *b, pid_t pid)
{
	struct pollfd pfd = { .fd = b->report, .events = POLLIN };
	char c;

	while (read(b->report, &c, 1) == 1)	/* a stale report */
		;
	if (kill(pid, SIGUSR2) || poll(&pfd, 1, REPORT_WAIT_MS) <= 0 ||
	    read(b->report, &c, 1) != 1)
		return -1;
	return 0;
}

/*
 * One step of criu's incremental dump of @pid: a pre-dump into
 * CRIU_IMAGES/preSTEP on top of the one before (it resets the memory
 * tracking), the next dirty size written, then a dump --leave-running
 * into CRIU_IMAGES/dumpSTEP of what changed since the pre-dump, timed
 * into @r.  0, or -1 if criu failed.
 */
static int criu_dirty_step(struct bench *b, pid_t pid, int step,
			   struct criu_result *r)
{
	char pidbuf[16], pre[64], dump[64], prev[32], log[80];
	const char *pre_dump[11] = { "criu", "pre-dump", "-t", pidbuf, "-D", pre,
				     "--track-mem", "--shell-job", NULL };
	const char *inc_dump[13] = { "criu", "dump", "-t", pidbuf, "-D", dump,
				     "--track-mem", "--leave-running", "--shell-job",
				     "--display-stats", "--prev-images-dir", prev, NULL };
	double start;

	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	snprintf(pre, sizeof(pre), "%s/pre%d", CRIU_IMAGES, step);
	snprintf(dump, sizeof(dump), "%s/dump%d", CRIU_IMAGES, step);
	snprintf(log, sizeof(log), "%s.log", pre);
	if (mkdir(pre, 0755) || mkdir(dump, 0755))
		die(CRIU_IMAGES);
	if (step) {
		snprintf(prev, sizeof(prev), "../pre%d", step - 1);
		pre_dump[8] = "--prev-images-dir";
		pre_dump[9] = prev;
	}
	if (run(pre_dump, log)) {
		criu_failed("pre-dump", log);
		return -1;
	}
	if (dirty_plain(b, pid))
		die("dirtying the process criu dumps");
	snprintf(prev, sizeof(prev), "../pre%d", step);
	snprintf(log, sizeof(log), "%s.log", dump);
	start = now();
	if (run(inc_dump, log)) {
		criu_failed("dump --prev-images-dir", log);
		return -1;
	}
	r->total_ms = (now() - start) * 1e3;
	r->frozen_ms = criu_frozen_ms(log);
	return 0;
}

/* criu's incremental dumps of a process of @mib MiB, one per @dirty size. */
static void criu_incremental(struct bench *b, unsigned long mib,
			     const struct sizes *dirty)
{
	pid_t pid;
	int i;

	for (i = 0; i < dirty->n; i++)
		b->criu_dirty[i] = (struct criu_result){ -1, -1 };
	dirty_steps = dirty;
	pid = plain_process(mib);
	for (i = 0; i < dirty->n; i++)
		if (criu_dirty_step(b, pid, i, &b->criu_dirty[i]))
			break;
	reap(pid);
	dirty_steps = NULL;
}

/*
 * criu restore -d of the images criu_dump() made of process @pid, of
 * @mib MiB, timed into @r: 0, or -1 if criu failed.  criu leaves the
 * process to this one, a subreaper.
 */
static int criu_restore(struct bench *b, pid_t pid, unsigned long mib,
			struct restore_result *r)
{
	char dir[64], log[80];
	const char *restore[7] = { "criu", "restore", "-D", dir, "-d",
				   "--shell-job", NULL };
	double start;
	int pidfd;

	snprintf(dir, sizeof(dir), "%s/rss%lu", CRIU_IMAGES, mib);
	snprintf(log, sizeof(log), "%s.restore.log", dir);
	drop_page_cache();
	start = now();
	if (run(restore, log)) {
		criu_failed("restore", log);
		return -1;
	}
	r->call_ms = (now() - start) * 1e3;
	pidfd = sys_pidfd_open(pid, 0);
	r->all_ms = touch_all(b, pid, pidfd, start);
	if (pidfd >= 0)
		close(pidfd);
	return 0;
}

/*
 * criu dump of processes of each RSS, images on ext4 on DEV, its
 * incremental dumps of the largest against @dirty, then criu restore of
 * each @restore size, from the same images if it is an RSS.
 */
static void bench_criu(struct bench *b, const struct sizes *rss,
		       const struct sizes *dirty, const struct sizes *restore)
{
	const char *mkfs[5] = { "mkfs.ext4", "-q", "-F", b->dev, NULL };
	pid_t dumped[MAX_SIZES], pid;
	struct criu_result unused;
	int i, j;

	for (i = 0; i < restore->n; i++)
		b->criu_restore[i] = (struct restore_result){ -1, -1 };
	if (run(mkfs, NULL) || mkdir(CRIU_IMAGES, 0755) ||
	    mount(b->dev, CRIU_IMAGES, "ext4", 0, NULL)) {
		fprintf(stderr, "%s: no ext4 for criu's images: %s; no criu figures\n",
			prog, strerror(errno));
		b->criu = false;
		return;
	}
	for (i = 0; i < rss->n && b->criu; i++) {
		dumped[i] = criu_dump(rss->v[i], &b->criu_rss[i]);
		b->criu = dumped[i] > 0;
	}
	if (b->criu)
		criu_incremental(b, rss->v[rss->n - 1], dirty);
	for (i = 0; i < restore->n && b->criu; i++) {
		for (j = 0; j < rss->n && rss->v[j] != restore->v[i]; j++)
			;
		pid = j < rss->n ? dumped[j] : criu_dump(restore->v[i], &unused);
		if (pid < 0 || criu_restore(b, pid, restore->v[i],
					    &b->criu_restore[i]))
			break;
	}
	if (umount(CRIU_IMAGES))
		die("umount ext4");
}

/* @v in @width columns with two decimals, or n/a if it is negative. */
static void print_figure(int width, double v)
{
	if (v < 0)
		printf(" %*s", width, "n/a");
	else
		printf(" %*.2f", width, v);
}

static double ratio(double a, double b)
{
	return a < 0 || b <= 0 ? -1 : a / b;
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
	csv_head("full", "rss_mib,stop_ms,flush_ms,written_mib,flush_mib_s",
		 b->criu ? "criu_frozen_ms,criu_total_ms,criu_frozen_per_stop" : NULL);
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
		csv_row("full", rss->v[i], (const double[]){ stop, flush, mib,
			mib / (flush / 1e3), b->criu_rss[i].frozen_ms,
			b->criu_rss[i].total_ms, b->criu_rss[i].frozen_ms / stop },
			b->criu ? 7 : 4);
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

	printf("\nincremental checkpoint of a %lu MiB process against its dirty set%s\n",
	       rss, b->criu ? ", and criu dump\n--track-mem --prev-images-dir after a pre-dump" : "");
	printf("%10s %12s %12s %12s", "dirty_kib", "stop_ms", "flush_ms",
	       "written_mib");
	if (b->criu)
		printf(" %14s %12s", "criu_frozen_ms", "frozen/stop");
	printf("\n");
	csv_head("incremental", "dirty_kib,stop_ms,flush_ms,written_mib",
		 b->criu ? "criu_frozen_ms,criu_frozen_per_stop" : NULL);
	pid = member(b, rss, &cmd, &ack);
	checkpoint(b, SLS_PERSIST_FULL, &stop, &flush, &mib);
	for (i = 0; i < dirty->n; i++) {
		if (write(cmd, &dirty->v[i], sizeof(dirty->v[i])) != sizeof(dirty->v[i]) ||
		    read(ack, &c, 1) != 1)
			die("member");
		checkpoint(b, 0, &stop, &flush, &mib);
		printf("%10lu %12.3f %12.3f %12.2f", dirty->v[i], stop, flush, mib);
		if (b->criu) {
			print_figure(14, b->criu_dirty[i].frozen_ms);
			print_figure(12, ratio(b->criu_dirty[i].frozen_ms, stop));
		}
		printf("\n");
		csv_row("incremental", dirty->v[i],
			(const double[]){ stop, flush, mib, b->criu_dirty[i].frozen_ms,
					  ratio(b->criu_dirty[i].frozen_ms, stop) },
			b->criu ? 5 : 3);
	}
	end_member(pid, cmd, ack);
}

/* Mean seconds of @repeat REGION|SYNC persists of @args's range at @mem. */
static double region_time(const struct bench *b, struct sls_persist_args *args,
			  char *mem)
{
	double start, t = 0;
	int j;

	/* Untimed: the first one waits for the flush before it. */
	scribble(mem, args->len, 0);
	if (sls_persist(SLS_SELF, args, sizeof(*args)) < 0)
		die("sls_persist REGION");
	for (j = 0; j < b->repeat; j++) {
		scribble(mem, args->len, j);
		start = now();
		if (sls_persist(SLS_SELF, args, sizeof(*args)) < 0)
			die("sls_persist REGION");
		t += now() - start;
	}
	return t / b->repeat;
}

static void set_sealed_max(const struct bench *b, long long v)
{
	int err = slsfs_store_set(b->dev, "sealed_max_blocks", v);

	if (err) {
		errno = err;
		die("sealed_max_blocks");
	}
}

static void bench_region(struct bench *b, const struct sizes *region,
			 const double *raw, const double *fua)
{
	long long max = slsfs_store_figure(b->dev, "sealed_max_blocks");
	struct sls_persist_args args = {
		.flags = SLS_PERSIST_REGION | SLS_PERSIST_SYNC,
	};
	double t, t2;
	char *mem;
	int i;

	if (max < 0)
		die("sealed_max_blocks");
	attach(b, getpid(), 0);
	printf("\nSLS_PERSIST_REGION|SYNC against an O_DIRECT write + fdatasync, against one\n"
	       "O_DIRECT|O_DSYNC (FUA) write, and with sealed_max_blocks 0 (in two steps)\n");
	printf("%10s %12s %12s %8s %12s %12s %8s\n", "size_kib", "region_us",
	       "direct_us", "ratio", "fua_us", "2steps_us", "ratio");
	csv_head("region", "size_kib,region_us,direct_us,ratio,fua_us,two_steps_us,two_steps_ratio",
		 NULL);
	for (i = 0; i < region->n; i++) {
		mem = mmap(NULL, region->v[i] * KIB, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			die("mmap");
		args.addr = (unsigned long)mem;
		args.len = region->v[i] * KIB;
		t = region_time(b, &args, mem);
		set_sealed_max(b, 0);
		t2 = region_time(b, &args, mem);
		set_sealed_max(b, max);
		printf("%10lu %12.1f %12.1f %8.2f %12.1f %12.1f %8.2f\n", region->v[i],
		       t * 1e6, raw[i] * 1e6, t / raw[i], fua[i] * 1e6, t2 * 1e6,
		       t2 / raw[i]);
		csv_row("region", region->v[i],
			(const double[]){ t * 1e6, raw[i] * 1e6, t / raw[i],
					  fua[i] * 1e6, t2 * 1e6, t2 / raw[i] }, 6);
		munmap(mem, args.len);
	}
	fflush(stdout);
	/* A restore wants a partition without members. */
	attach(b, getpid(), SLS_DETACH);
}

/* Members leave as they exit, maybe a little later: 5 s at most. */
static void wait_no_members(const struct bench *b)
{
	int i;

	for (i = 0; i < 500 && figure(b, "members") > 0; i++)
		usleep(10000);
}

/*
 * sls_restore() of @epoch with @flags, of process @pid of @mib MiB, timed
 * into @r: 0, or the errno of the restore.  A refused SLS_RESTORE_LAZY is
 * left to the caller to report.
 */
static int restore_sls(struct bench *b, pid_t pid, unsigned long mib,
		       long epoch, __u64 flags, struct restore_result *r)
{
	struct sls_restore_args args = { .flags = flags, .epoch = epoch };
	char why[160];
	double start;
	int pidfd, err;

	*r = (struct restore_result){ -1, -1 };
	wait_no_members(b);
	drop_page_cache();
	start = now();
	pidfd = sls_restore(b->part, &args, sizeof(args));
	if (pidfd < 0) {
		err = errno;
		if (err != EOPNOTSUPP || !(flags & SLS_RESTORE_LAZY))
			fprintf(stderr, "%s: sls_restore%s of %lu MiB: %s: %s\n",
				prog, flags & SLS_RESTORE_LAZY ? " LAZY" : "",
				mib, strerror(err),
				part_file(b, "last_error", why, sizeof(why)));
		return err;
	}
	r->call_ms = (now() - start) * 1e3;
	r->all_ms = touch_all(b, pid, pidfd, start);
	close(pidfd);
	return 0;
}

/*
 * Full checkpoints of processes of each size, each restored eagerly, then
 * lazily, beside criu's restore of the same: the number of sls restores
 * that did not work, a refused SLS_RESTORE_LAZY aside.
 */
static int bench_restore(struct bench *b, const struct sizes *sizes)
{
	static const char criu_cols[] =
		"criu_ms,criu_all_ms,criu_per_sls,criu_per_sls_all,criu_per_lazy,criu_per_lazy_all";
	struct restore_result eager, lazy, *criu;
	double stop, flush, mib;
	bool lazy_refused = false;
	int i, err, failed = 0;
	long epoch;
	pid_t pid;

	printf("\nrestore against RSS: sls_restore() eager and SLS_RESTORE_LAZY%s\n"
	       "(_ms: to the return of the call%s; _all_ms: until the process\n"
	       "has read a word of each of its pages)\n",
	       b->criu ? ", and criu restore -d of the same" : "",
	       b->criu ? " or the exit of criu" : "");
	printf("%10s %12s %12s %12s %12s", "rss_mib", "eager_ms", "eager_all_ms",
	       "lazy_ms", "lazy_all_ms");
	if (b->criu)
		printf(" %12s %12s %12s %12s %12s %12s", "criu_ms", "criu_all_ms",
		       "criu/sls", "criu/sls_all", "criu/lazy", "criu/lazy_all");
	printf("\n");
	csv_head("restore", "rss_mib,eager_ms,eager_all_ms,lazy_ms,lazy_all_ms",
		 b->criu ? criu_cols : NULL);
	for (i = 0; i < sizes->n; i++) {
		pid = plain_process(sizes->v[i]);
		attach(b, pid, 0);
		epoch = checkpoint(b, SLS_PERSIST_FULL, &stop, &flush, &mib);
		reap(pid);
		restore_sls(b, pid, sizes->v[i], epoch, 0, &eager);
		failed += eager.all_ms < 0;
		err = restore_sls(b, pid, sizes->v[i], epoch, SLS_RESTORE_LAZY,
				  &lazy);
		if (err == EOPNOTSUPP)
			lazy_refused = true;
		else
			failed += lazy.all_ms < 0;
		printf("%10lu", sizes->v[i]);
		print_figure(12, eager.call_ms);
		print_figure(12, eager.all_ms);
		print_figure(12, lazy.call_ms);
		print_figure(12, lazy.all_ms);
		if (b->criu) {
			criu = &b->criu_restore[i];
			print_figure(12, criu->call_ms);
			print_figure(12, criu->all_ms);
			print_figure(12, ratio(criu->call_ms, eager.call_ms));
			print_figure(12, ratio(criu->all_ms, eager.all_ms));
			print_figure(12, ratio(criu->call_ms, lazy.call_ms));
			print_figure(12, ratio(criu->all_ms, lazy.all_ms));
		}
		printf("\n");
		criu = &b->criu_restore[i];
		csv_row("restore", sizes->v[i], (const double[]){ eager.call_ms,
			eager.all_ms, lazy.call_ms, lazy.all_ms, criu->call_ms,
			criu->all_ms, ratio(criu->call_ms, eager.call_ms),
			ratio(criu->all_ms, eager.all_ms),
			ratio(criu->call_ms, lazy.call_ms),
			ratio(criu->all_ms, lazy.all_ms) }, b->criu ? 10 : 4);
		fflush(stdout);
	}
	if (lazy_refused)
		printf("lazy: not supported by this kernel (EOPNOTSUPP)\n");
	return failed;
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s [--rss MIB,...] [--dirty KIB,...] [--region KIB,...]\n"
		"       [--restore MIB,...] [--repeat N] [--criu] DEV\n\n"
		"Measures checkpoints into a store made on DEV, which it destroys:\n"
		"  --rss      full checkpoints of processes of these sizes (16,64,256,512)\n"
		"  --dirty    incremental ones after dirtying this much of the largest\n"
		"             (4,64,1024,16384,65536,262144)\n"
		"  --region   SLS_PERSIST_REGION|SYNC of these sizes against O_DIRECT\n"
		"             writes + fdatasync (4,16,64,256,1024)\n"
		"  --restore  a full checkpoint of processes of these sizes restored\n"
		"             eagerly and lazily; ms to the return of sls_restore()\n"
		"             and to the process having read all its pages (64,256,512)\n"
		"  --repeat   region persists and raw writes per size (50)\n"
		"  --criu     also criu dump --leave-running each RSS, images on ext4\n"
		"             on DEV, and compare its frozen time; dump the largest\n"
		"             incrementally (pre-dump, then dump --prev-images-dir) for\n"
		"             each --dirty size; and criu restore -d each --restore size\n",
		prog);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "rss", required_argument, NULL, 'r' },
		{ "dirty", required_argument, NULL, 'd' },
		{ "region", required_argument, NULL, 'g' },
		{ "restore", required_argument, NULL, 'e' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "criu", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sizes rss, dirty, region, restore;
	struct bench b = { .repeat = 50 };
	double raw[MAX_SIZES], fua[MAX_SIZES];
	int c, i;

	prog = "sls-ckpt-bench";
	parse_sizes("16,64,256,512", &rss);
	parse_sizes("4,64,1024,16384,65536,262144", &dirty);
	parse_sizes("4,16,64,256,1024", &region);
	parse_sizes("64,256,512", &restore);
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'd':
		case 'g':
		case 'e':
			if (parse_sizes(optarg, c == 'r' ? &rss :
					c == 'd' ? &dirty :
					c == 'g' ? &region : &restore)) {
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
	b.dev = dev_operand(argc, argv, print_usage);
	if (!b.dev)
		return 2;
	prepare_restores(&b);
	for (i = 0; i < region.n; i++) {
		raw[i] = raw_write(b.dev, region.v[i] * KIB, b.repeat, false);
		fua[i] = raw_write(b.dev, region.v[i] * KIB, b.repeat, true);
	}
	if (b.criu)
		bench_criu(&b, &rss, &dirty, &restore);
	make_store(&b);
	bench_rss(&b, &rss);
	bench_dirty(&b, rss.v[rss.n - 1], &dirty);
	bench_region(&b, &region, raw, fua);
	/* A restore that did not work is an error; its figures are n/a. */
	c = bench_restore(&b, &restore) ? 1 : 0;
	/* The device is the next benchmark's. */
	close(b.part);
	if (umount(b.mnt) || rmdir(b.mnt))
		die("umount");
	return c;
}
