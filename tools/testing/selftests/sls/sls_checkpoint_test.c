// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoints through the system calls: partitions, membership, quiesce,
 * capture, incremental shadowing, periodic epochs and every refusal.
 *
 * Each test formats a store on a loop device over a sparse image in /tmp
 * and mounts it.  A member is a forked child that keeps only descriptors a
 * checkpoint accepts; it tells its result by its exit status, 0 for
 * success and the number of the step that failed otherwise.  The figures
 * are read from /sys/kernel/sls/partitions/<dev>:<name>/.  Needs root,
 * CONFIG_BLK_DEV_LOOP and mkfs.slsfs in PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sls_store.h"
#include "sls_syscalls.h"

#define MiB (1 << 20)
#define IMG_SIZE (256 * MiB)	/* sparse: 1000 epochs fit, no GC yet */
#define PAGE 4096

FIXTURE(store)
{
	char img[32];
	char mnt[32];
	char dev[32];
	char sysfs[128];	/* of partition "p" */
	int loop_fd;
	int part;		/* partition "p" */
};

FIXTURE_SETUP(store)
{
	struct sls_attr attr = { 0 };
	char path[64];
	int fd;

	self->loop_fd = -1;
	self->part = -1;
	snprintf(self->mnt, sizeof(self->mnt), "/tmp/sls-mnt.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->mnt));
	snprintf(self->img, sizeof(self->img), "/tmp/sls-img.XXXXXX");
	fd = mkstemp(self->img);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	self->loop_fd = attach_loop(self->img, self->dev, sizeof(self->dev));
	ASSERT_LE(0, self->loop_fd);
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));

	snprintf(path, sizeof(path), "%s/p", self->mnt);
	self->part = sls_open(AT_FDCWD, path, &attr, sizeof(attr), SLS_CREATE);
	ASSERT_LE(0, self->part);
	snprintf(self->sysfs, sizeof(self->sysfs),
		 "/sys/kernel/sls/partitions/%s:p", self->dev + 5);
}

FIXTURE_TEARDOWN(store)
{
	if (self->part >= 0)
		close(self->part);
	image_teardown(self->mnt, self->loop_fd, self->img);
}

/* A figure of a partition's sysfs directory, -1 if unreadable. */
static long long figure(const char *dir, const char *name)
{
	char path[192], buf[64] = "";
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 0);
	fclose(f);
	return v;
}

static int read_text(const char *dir, const char *name, char *buf, size_t len)
{
	char path[192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static long persist(int part, __u64 flags)
{
	struct sls_persist_args args = { .flags = flags };

	return sls_persist(part, &args, sizeof(args));
}

static int attach(int part, pid_t pid, unsigned int flags)
{
	int pidfd = sys_pidfd_open(pid, 0), err;

	if (pidfd < 0)
		return -1;
	err = sls_attach(part, pidfd, flags);
	close(pidfd);
	return err;
}

/*
 * In a child: keep only what a checkpoint accepts, /dev/null on 0, 1 and
 * 2 and @keep (if not -1), moved to 3.
 */
#define HANDSHAKE_FD 700	/* above what the tests open */

static void child_fds(int keep)
{
	int null = open("/dev/null", O_RDWR), fd;

	if (keep >= 0 && keep != 3)
		dup2(keep, 3);
	for (fd = 0; fd < 3; fd++)
		dup2(null, fd);
	for (fd = keep >= 0 ? 4 : 3; fd < HANDSHAKE_FD; fd++)
		close(fd);
}

/*
 * fork() a child that will be a member: it returns 0 in the child once its
 * descriptors are those of child_fds(@keep), and the child's pid in the
 * parent once the child got that far, so that no checkpoint sees the
 * descriptors it inherited.
 */
static pid_t fork_member(int keep)
{
	const int saved = HANDSHAKE_FD;
	int ready[2];
	pid_t pid;
	char c = 0;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (keep >= 0 && keep != 3) {
			dup2(keep, saved + 1);
			keep = saved + 1;
		}
		dup2(ready[1], saved);
		child_fds(keep);	/* closes the pipe but for the copy */
		close(saved + 1);
		if (write(saved, &c, 1) != 1)
			_exit(99);
		close(saved);
		return 0;
	}
	close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	return pid;
}

/* A member that sleeps until killed. */
static pid_t sleeper(void)
{
	pid_t pid = fork_member(-1);

	if (pid == 0)
		for (;;)
			pause();
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(store, open_existing_and_errors)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/p", self->mnt);
	fd = sls_open(AT_FDCWD, path, NULL, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	EXPECT_EQ(-1, sls_open(AT_FDCWD, path, NULL, 0, SLS_CREATE | SLS_EXCL));
	EXPECT_EQ(EEXIST, errno);
	snprintf(path, sizeof(path), "%s/missing", self->mnt);
	EXPECT_EQ(-1, sls_open(AT_FDCWD, path, NULL, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, figure(self->sysfs, "epoch"));
	EXPECT_EQ(0, figure(self->sysfs, "period_ms"));
}

TEST_F(store, persist_without_members)
{
	EXPECT_EQ(-1, persist(self->part, SLS_PERSIST_SYNC));
	EXPECT_EQ(ESRCH, errno);
}

TEST_F(store, attach_persist_detach)
{
	char buf[64], path[96];
	pid_t pid = sleeper();
	long epoch;
	struct stat st;

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, attach(self->part, pid, 0));
	ASSERT_EQ(0, attach(self->part, pid, 0));	/* again: no error */
	ASSERT_EQ(0, read_text(self->sysfs, "members", buf, sizeof(buf)));
	EXPECT_EQ(pid, atoi(buf));

	epoch = persist(self->part, SLS_PERSIST_SYNC);
	ASSERT_LT(0, epoch) TH_LOG("errno %d", errno);
	EXPECT_EQ(epoch, figure(self->sysfs, "durable_epoch"));
	EXPECT_LT(0, figure(self->sysfs, "pages_shadowed"));
	EXPECT_LT(0, figure(self->sysfs, "bytes_written"));
	snprintf(path, sizeof(path), "%s/p/%ld", self->mnt, epoch);
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_LT(0, st.st_size);

	/* WAIT for it: durable already. */
	{
		struct sls_persist_args args = {
			.flags = SLS_PERSIST_WAIT, .epoch = epoch,
		};

		EXPECT_EQ(0, sls_persist(self->part, &args, sizeof(args)));
		args.epoch = epoch + 100;
		EXPECT_EQ(-1, sls_persist(self->part, &args, sizeof(args)));
		EXPECT_EQ(EINVAL, errno);
	}

	ASSERT_EQ(0, attach(self->part, pid, SLS_DETACH));
	EXPECT_EQ(-1, attach(self->part, pid, SLS_DETACH));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, persist(self->part, 0));
	EXPECT_EQ(ESRCH, errno);
	reap(pid);
}

TEST_F(store, children_join_and_members_leave)
{
	int go[2];
	pid_t pid, grandchild = 0;
	char buf[64];

	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)	/* attached */
			_exit(1);
		grandchild = fork();
		if (grandchild == 0) {
			child_fds(-1);
			for (;;)
				pause();
		}
		_exit(0);
	}
	close(go[0]);
	ASSERT_EQ(0, attach(self->part, pid, 0));
	ASSERT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, child_status(pid));
	close(go[1]);
	usleep(300000);		/* for the grandchild to close what it inherited */

	/* The child has gone; its child joined and is the only member. */
	ASSERT_EQ(0, read_text(self->sysfs, "members", buf, sizeof(buf)));
	grandchild = atoi(buf);
	EXPECT_LT(0, grandchild);
	EXPECT_NE(pid, grandchild);
	EXPECT_EQ(1, lines(buf)) TH_LOG("members: %s", buf);
	EXPECT_LT(0, persist(self->part, SLS_PERSIST_SYNC));
	kill(grandchild, SIGKILL);
	usleep(100000);
	ASSERT_EQ(0, read_text(self->sysfs, "members", buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
}

TEST_F(store, attach_tree)
{
	pid_t pid = fork();
	char buf[64];

	ASSERT_LE(0, pid);
	if (pid == 0) {
		setpgid(0, 0);
		child_fds(-1);
		if (fork() == 0)
			for (;;)
				pause();
		for (;;)
			pause();
	}
	usleep(200000);
	ASSERT_EQ(0, attach(self->part, pid, SLS_ATTACH_TREE));
	ASSERT_EQ(0, read_text(self->sysfs, "members", buf, sizeof(buf)));
	EXPECT_EQ(2, lines(buf)) TH_LOG("members: %s", buf);
	EXPECT_LT(0, persist(self->part, SLS_PERSIST_SYNC));
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Without ptrace access to the target, attaching is EPERM. */
TEST_F(store, attach_needs_ptrace_access)
{
	pid_t target = sleeper(), pid;

	ASSERT_LT(0, target);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		if (attach(self->part, target, 0) == 0)
			_exit(2);
		_exit(errno == EPERM ? 0 : 3);
	}
	EXPECT_EQ(0, child_status(pid));
	reap(target);
}

/* A member of another partition cannot join this one. */
TEST_F(store, attach_member_of_another)
{
	char path[64];
	pid_t pid = sleeper();
	int other;

	snprintf(path, sizeof(path), "%s/other", self->mnt);
	other = sls_open(AT_FDCWD, path, NULL, 0, SLS_CREATE);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, attach(self->part, pid, 0));
	EXPECT_EQ(-1, attach(other, pid, 0));
	EXPECT_EQ(EBUSY, errno);
	reap(pid);
	close(other);
}

/* A member holding a descriptor of kind @make makes a checkpoint refuse. */
static int refused(struct __test_metadata *_metadata, const char *sysfs,
		   int part, int fd, const char *kind)
{
	char why[200];
	pid_t pid = fork_member(fd);
	int err;

	if (pid == 0)
		for (;;)
			pause();
	close(fd);
	if (attach(part, pid, 0))
		return -1;
	err = persist(part, SLS_PERSIST_SYNC) < 0 ? errno : 0;
	read_text(sysfs, "last_error", why, sizeof(why));
	TH_LOG("%s: %s", kind, why);
	if (!strstr(why, "fd 3"))
		err = -2;
	reap(pid);
	return err;
}

TEST_F(store, unsupported_descriptors_refused)
{
	int sv[2];

	EXPECT_EQ(EOPNOTSUPP, refused(_metadata, self->sysfs, self->part,
				      epoll_create1(0), "epoll"));
	EXPECT_EQ(EOPNOTSUPP, refused(_metadata, self->sysfs, self->part,
				      timerfd_create(CLOCK_MONOTONIC, 0),
				      "timerfd"));
	EXPECT_EQ(EOPNOTSUPP, refused(_metadata, self->sysfs, self->part,
				      eventfd(0, 0), "eventfd"));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	close(sv[1]);
	EXPECT_EQ(EOPNOTSUPP, refused(_metadata, self->sysfs, self->part,
				      sv[0], "socketpair"));
	EXPECT_EQ(EOPNOTSUPP, refused(_metadata, self->sysfs, self->part,
				      socket(AF_INET, SOCK_STREAM, 0), "tcp"));
	/* Nothing was committed by any of them. */
	EXPECT_EQ(0, figure(self->sysfs, "durable_epoch"));
}

TEST_F(store, supported_descriptors_accepted)
{
	int p[2], fds[6], i;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(4, write(p[1], "data", 4));
	fds[0] = p[0];
	fds[1] = p[1];
	fds[2] = open("/dev/zero", O_RDONLY);
	fds[3] = open("/dev/urandom", O_RDONLY);
	fds[4] = open("/", O_RDONLY | O_DIRECTORY);
	fds[5] = open(self->img, O_RDONLY);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		child_fds(-1);
		for (i = 0; i < 6; i++)
			dup2(fds[i], 10 + i);
		for (;;)
			pause();
	}
	for (i = 0; i < 6; i++)
		close(fds[i]);
	usleep(300000);		/* for the child to close what it inherited */
	ASSERT_EQ(0, attach(self->part, pid, 0));
	EXPECT_LT(0, persist(self->part, SLS_PERSIST_SYNC)) {
		char why[200] = "";

		read_text(self->sysfs, "last_error", why, sizeof(why));
		TH_LOG("%s", why);
	}
	reap(pid);
}

/*
 * A read() blocked on a pipe across 1000 checkpoints returns the data
 * written after them, never EINTR.
 */
TEST_F(store, blocked_read_survives_checkpoints)
{
	int p[2], i;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork_member(p[0]);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[8];
		ssize_t n;

		n = read(3, buf, sizeof(buf));
		if (n < 0)
			_exit(errno == EINTR ? 1 : 2);
		_exit(n == 5 && !memcmp(buf, "hello", 5) ? 0 : 3);
	}
	close(p[0]);
	ASSERT_EQ(0, attach(self->part, pid, 0));
	for (i = 0; i < 1000; i++) {
		ASSERT_LT(0, persist(self->part, 0))
			TH_LOG("checkpoint %d: errno %d", i, errno);
	}
	ASSERT_EQ(5, write(p[1], "hello", 5));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(1000, figure(self->sysfs, "checkpoints"));
	close(p[1]);
}

/*
 * Incremental: after a full epoch, dirtying k pages of a region and
 * persisting the region writes exactly k pages; a whole incremental epoch
 * writes those k plus the few the program dirtied on its own (stack,
 * libc), far fewer than the region holds.
 */
static long long child_figure(const char *dir, const char *name)
{
	char path[192], buf[32];
	long long v = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		v = atoll(buf);
	}
	close(fd);
	return v;
}

/* The member's side: 0, or the step that failed. */
static int incremental_member(const char *sysfs, const char *path,
			      long long *seen)
{
	const int n = 256, k = 7;
	struct sls_persist_args args = { 0 };
	int i, part;
	char *mem;

	mem = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	/* Counted in small pages: a huge one is shadowed whole. */
	madvise(mem, n * PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++)
		mem[i * PAGE] = 1;
	part = sls_open(AT_FDCWD, path, NULL, 0, 0);
	if (part < 0 || attach(part, getpid(), 0))
		return 2;
	close(part);
	args.flags = SLS_PERSIST_SYNC | SLS_PERSIST_FULL;
	if (sls_persist(SLS_SELF, &args, sizeof(args)) <= 0)
		return 3;
	seen[0] = child_figure(sysfs, "pages_shadowed");
	if (seen[0] < n)
		return 4;
	for (i = 0; i < k; i++)
		mem[i * 3 * PAGE] = 2;
	args.flags = SLS_PERSIST_SYNC | SLS_PERSIST_REGION;
	args.addr = (unsigned long)mem;
	args.len = n * PAGE;
	if (sls_persist(SLS_SELF, &args, sizeof(args)) <= 0)
		return 5;
	seen[1] = child_figure(sysfs, "pages_shadowed");
	if (seen[1] != k)
		return 6;
	for (i = 0; i < k; i++)
		mem[i * 5 * PAGE] = 3;
	args.flags = SLS_PERSIST_SYNC;
	args.addr = args.len = 0;
	if (sls_persist(SLS_SELF, &args, sizeof(args)) <= 0)
		return 7;
	seen[2] = child_figure(sysfs, "pages_shadowed");
	if (seen[2] < k || seen[2] > k + 32)
		return 8;
	return 0;
}

/*
 * Incremental: after a full epoch, dirtying k pages of a region and
 * persisting the region writes exactly k pages; a whole incremental epoch
 * writes those k plus the few the program dirtied on its own (its stack,
 * libc's data), far fewer than the region holds.
 */
TEST_F(store, incremental_writes_dirty_pages)
{
	long long seen[3] = { -1, -1, -1 };
	int report[2], step = -1;
	pid_t pid;

	ASSERT_EQ(0, pipe(report));
	pid = fork_member(report[1]);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char path[64];

		snprintf(path, sizeof(path), "%s/p", self->mnt);
		step = incremental_member(self->sysfs, path, seen);
		if (write(3, seen, sizeof(seen)) != sizeof(seen))
			_exit(100);
		_exit(step);
	}
	close(report[1]);
	ASSERT_EQ(sizeof(seen), read(report[0], seen, sizeof(seen)));
	close(report[0]);
	step = child_status(pid);
	EXPECT_EQ(0, step) {
		char why[200] = "";

		read_text(self->sysfs, "last_error", why, sizeof(why));
		TH_LOG("step %d, last_error: %s", step, why);
	}
	TH_LOG("pages written: full %lld, region %lld, incremental %lld",
	       seen[0], seen[1], seen[2]);
}

/* Huge pages are shadowed whole and stay huge. */
TEST_F(store, thp_region)
{
	const size_t len = 4 * MiB;
	char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	ASSERT_NE(MAP_FAILED, mem);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *huge = (char *)(((unsigned long)mem + 2 * MiB - 1) &
				      ~(2UL * MiB - 1));

		madvise(huge, 2 * MiB, MADV_HUGEPAGE);
		memset(huge, 7, 2 * MiB);
		child_fds(-1);
		for (;;) {
			usleep(1000);
			huge[4096]++;	/* writes after each shadow copy */
		}
	}
	ASSERT_EQ(0, attach(self->part, pid, 0));
	usleep(200000);
	EXPECT_LT(0, persist(self->part, SLS_PERSIST_SYNC | SLS_PERSIST_FULL));
	EXPECT_LE(512, figure(self->sysfs, "pages_shadowed"));
	EXPECT_LT(0, persist(self->part, SLS_PERSIST_SYNC));
	EXPECT_LT(0, persist(self->part, SLS_PERSIST_SYNC));
	reap(pid);
	munmap(mem, len);
}

/* The address space changes while an epoch flushes; nothing breaks. */
TEST_F(store, mm_changes_during_flush)
{
	pid_t pid = fork_member(-1);
	int i;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (;;) {
			char *m = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			pid_t c;

			if (m == MAP_FAILED)
				_exit(1);
			memset(m, 1, 64 * PAGE);
			m = mremap(m, 64 * PAGE, 128 * PAGE, MREMAP_MAYMOVE);
			if (m == MAP_FAILED)
				_exit(2);
			mprotect(m, 32 * PAGE, PROT_READ);
			madvise(m + 40 * PAGE, 8 * PAGE, MADV_DONTNEED);
			memset(m + 32 * PAGE, 2, 32 * PAGE);
			c = fork();
			if (c == 0)
				_exit(0);
			waitpid(c, NULL, 0);
			munmap(m, 128 * PAGE);
		}
	}
	ASSERT_EQ(0, attach(self->part, pid, 0)) TH_LOG("errno %d", errno);
	for (i = 0; i < 100; i++) {
		int status = 0;

		ASSERT_LT(0, persist(self->part, i % 10 ? 0 : SLS_PERSIST_SYNC)) {
			TH_LOG("checkpoint %d: errno %d", i, errno);
			if (waitpid(pid, &status, WNOHANG) == pid)
				TH_LOG("the member ended: status %#x", status);
		}
	}
	reap(pid);
}

/* Periodic checkpoints every 10 ms, with the period changed at run time. */
TEST_F(store, periodic_10ms)
{
	char path[192];
	pid_t pid = sleeper();
	long long first, second;
	int fd;

	ASSERT_EQ(0, attach(self->part, pid, 0));
	snprintf(path, sizeof(path), "%s/period_ms", self->sysfs);
	fd = open(path, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(2, write(fd, "10", 2));
	usleep(1000000);
	first = figure(self->sysfs, "durable_epoch");
	EXPECT_LT(5, first);
	ASSERT_EQ(1, pwrite(fd, "0", 1, 0));
	usleep(200000);
	first = figure(self->sysfs, "durable_epoch");
	usleep(300000);
	second = figure(self->sysfs, "durable_epoch");
	EXPECT_EQ(first, second);
	EXPECT_EQ(-1, pwrite(fd, "99999999999", 11, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	TH_LOG("%lld epochs in 1 s at 10 ms, %lld ticks coalesced", first,
	       figure(self->sysfs, "coalesced"));
	reap(pid);
}

/* A partition from sls_open() with a period starts ticking at once. */
TEST_F(store, period_from_attr)
{
	struct sls_attr attr = { .period_ms = 10 };
	char path[64], dir[128];
	pid_t pid = sleeper();
	int part;

	snprintf(path, sizeof(path), "%s/ticking", self->mnt);
	part = sls_open(AT_FDCWD, path, &attr, sizeof(attr), SLS_CREATE);
	ASSERT_LE(0, part);
	snprintf(dir, sizeof(dir), "/sys/kernel/sls/partitions/%s:ticking",
		 self->dev + 5);
	EXPECT_EQ(10, figure(dir, "period_ms"));
	ASSERT_EQ(0, attach(part, pid, 0));
	usleep(500000);
	EXPECT_LT(2, figure(dir, "durable_epoch"));
	reap(pid);
	close(part);
}

/* A partition with members or descriptors cannot be removed. */
TEST_F(store, loaded_partition_not_removable)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/p", self->mnt);
	EXPECT_EQ(-1, rmdir(path));
	EXPECT_TRUE(errno == EBUSY || errno == EPERM || errno == EROFS)
		TH_LOG("errno %d", errno);
}

TEST_HARNESS_MAIN
