// SPDX-License-Identifier: GPL-2.0
/*
 * Restores through sls_restore(): a checkpointed process tree comes back,
 * as children of the caller with its PIDs, and carries on where it was.
 *
 * Each test formats a store on a loop device over a sparse image in /tmp
 * and mounts it, as sls_checkpoint_test does.  A member is a forked child
 * that sets up the state under test, says so with a byte on its ready pipe
 * and waits in pause().  The test checkpoints it, kills it, restores it
 * and sends SIGUSR1 to the restored process, which then checks itself
 * against what it recorded (in its own memory) before the checkpoint and
 * exits: 0 if everything is as it was, the number of the first check that
 * failed (1..99) otherwise; 100 and up is a setup step that failed before
 * the checkpoint.  The test process is a child subreaper, so that it can
 * reap every process of a tree it kills.  Needs root, CONFIG_BLK_DEV_LOOP
 * and mkfs.slsfs in PATH.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sls_net.h"
#include "sls_store.h"
#include "sls_syscalls.h"

#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal	424
#endif
#ifndef __NR_close_range
#define __NR_close_range	436
#endif

#define MiB (1 << 20)
#define IMG_SIZE (256 * MiB)	/* sparse */
#define PAGE 4096
#define READY_FD 900		/* a member's end of its ready pipe */
#define EX_SETUP 100		/* a member's setup failed */

FIXTURE(store)
{
	char img[32];
	char mnt[32];
	char dev[32];
	char path[64];		/* of partition "p" */
	char sysfs[128];	/* of partition "p" */
	int loop_fd;
	int part;		/* partition "p" */
};

/* The processes of ours a test may leave running: see kill_all(). */
static pid_t tracked[32];
static int nr_tracked;

static void track(pid_t pid)
{
	if (pid > 0 && nr_tracked < (int)(sizeof(tracked) / sizeof(*tracked)))
		tracked[nr_tracked++] = pid;
}

static void untrack(pid_t pid)
{
	int i;

	for (i = 0; i < nr_tracked; i++)
		if (tracked[i] == pid)
			tracked[i] = tracked[--nr_tracked];
}

/* A figure of a partition's sysfs directory, -1 if unreadable. */
static long long figure(const char *dir, const char *name)
{
	char buf[32];

	if (read_text(dir, name, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 0);
}

/* Write @value to sysfs file @name of the partition. */
static int set_figure(const char *dir, const char *name, long long value)
{
	char path[PATH_MAX];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	err = fprintf(f, "%lld\n", value) < 0;
	return fclose(f) || err ? -1 : 0;
}

/* The members of the partition, at most @room of them; how many. */
static int members(const char *sysfs, pid_t *pids, int room)
{
	char buf[4096], *s = buf, *end;
	int n = 0;
	long v;

	if (read_text(sysfs, "members", buf, sizeof(buf)))
		return 0;
	while (n < room) {
		v = strtol(s, &end, 10);
		if (end == s)
			break;
		pids[n++] = v;
		s = end;
	}
	return n;
}

static bool is_member(const char *sysfs, pid_t pid)
{
	pid_t pids[64];
	int n = members(sysfs, pids, 64);

	while (n--)
		if (pids[n] == pid)
			return true;
	return false;
}

/* Members leave as they exit, maybe a little later: 0 once none is left. */
static int wait_no_members(const char *sysfs)
{
	pid_t pid;
	int i;

	for (i = 0; i < 500; i++) {
		if (!members(sysfs, &pid, 1))
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * SIGKILL every process a test left, tracked or a member of the
 * partition, and reap them all: orphans come back to the test process, a
 * subreaper.
 */
static void kill_all(const char *sysfs)
{
	pid_t pids[96];
	int n = 0, i, left, tries;

	for (i = 0; i < nr_tracked; i++)
		pids[n++] = tracked[i];
	n += members(sysfs, pids + n, 64);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (tries = 0; tries < 500; tries++) {
		for (left = i = 0; i < n; i++) {
			if (!pids[i])
				continue;
			if (waitpid(pids[i], NULL, WNOHANG) == pids[i] ||
			    (kill(pids[i], 0) && errno == ESRCH))
				pids[i] = 0;
			else
				left++;
		}
		if (!left)
			break;
		usleep(10000);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	nr_tracked = 0;
}

FIXTURE_SETUP(store)
{
	struct sls_attr attr = { 0 };
	int fd;

	self->loop_fd = -1;
	self->part = -1;
	nr_tracked = 0;
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
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

	snprintf(self->path, sizeof(self->path), "%s/p", self->mnt);
	self->part = sls_open(AT_FDCWD, self->path, &attr, sizeof(attr),
			      SLS_CREATE);
	ASSERT_LE(0, self->part);
	snprintf(self->sysfs, sizeof(self->sysfs),
		 "/sys/kernel/sls/partitions/%s:p", self->dev + 5);
}

FIXTURE_TEARDOWN(store)
{
	kill_all(self->sysfs);
	if (self->part >= 0)
		close(self->part);
	image_teardown(self->mnt, self->loop_fd, self->img);
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

/* The PID of the process behind @pidfd: the "Pid:" line of its fdinfo. */
static pid_t pidfd_pid(int pidfd)
{
	char path[64], line[128];
	FILE *f;
	long pid = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	if (f)
		fclose(f);
	return pid;
}

/* A file of @len bytes @c. */
static int make_file(const char *path, char c, size_t len)
{
	char buf[PAGE];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), err = 0;
	size_t n;

	if (fd < 0)
		return -1;
	memset(buf, c, sizeof(buf));
	for (; len && !err; len -= n) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		err = write(fd, buf, n) != (ssize_t)n;
	}
	return close(fd) || err ? -1 : 0;
}

static unsigned char pattern(size_t i, unsigned int seed)
{
	return (unsigned char)(i * 31 + seed * 101 + (i >> 12));
}

/*
 * As far as the compiler knows, what @p points to may be read or written
 * here: what fill() and filled() fill and check cannot be optimized away.
 */
static inline void hide(const void *p)
{
	asm volatile("" : : "r" (p) : "memory");
}

static void fill(void *p, size_t len, unsigned int seed)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		c[i] = pattern(i, seed);
	hide(p);
}

static bool filled(const void *p, size_t len, unsigned int seed)
{
	const unsigned char *c = p;
	size_t i;

	hide(p);
	for (i = 0; i < len; i++)
		if (c[i] != pattern(i, seed))
			return false;
	return true;
}

static bool all(const void *p, size_t len, unsigned char v)
{
	const unsigned char *c = p;

	while (len--)
		if (*c++ != v)
			return false;
	return true;
}

/* ---- The member's side ---- */

static sig_atomic_t restored;	/* SIGUSR1 came: check yourself */

static void on_sigusr1(int sig)
{
	__atomic_store_n(&restored, 1, __ATOMIC_RELAXED);
}

static void arm_sigusr1(void)
{
	struct sigaction sa = { .sa_handler = on_sigusr1, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		_exit(EX_SETUP);
}

/*
 * fork() a member.  In the child, which gets 0: no shared memory,
 * /dev/null on 0, 1 and 2, the ready pipe on READY_FD and no other
 * descriptor.  In the parent: the child's pid, and *@ready the read end
 * of the ready pipe.
 */
static pid_t fork_member(int *ready)
{
	int p[2], null, fd;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid) {
		close(p[1]);
		if (pid < 0)
			close(p[0]);
		*ready = pid < 0 ? -1 : p[0];
		track(pid);
		return pid;
	}
	unmap_shared();
	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(p[1], READY_FD) != READY_FD)
		_exit(EX_SETUP);
	for (fd = 0; fd < 3; fd++)
		dup2(null, fd);
	syscall(__NR_close_range, 3, READY_FD - 1, 0);
	syscall(__NR_close_range, READY_FD + 1, ~0U, 0);
	return 0;
}

/*
 * All is set: SIGUSR1 is armed, the parent may checkpoint.  The ready pipe
 * stays open only for a member that tells the parent more later (its
 * other end is not in the partition).
 */
static void member_ready_keep(void)
{
	arm_sigusr1();
	if (write(READY_FD, "r", 1) != 1)
		_exit(EX_SETUP);
}

static void member_ready(void)
{
	member_ready_keep();
	close(READY_FD);
}

/*
 * Until SIGUSR1: only the restored process gets it.  The parent sends it
 * again and again (one may come between the test and pause()), so it is
 * blocked once it came.
 */
static void member_wait(void)
{
	sigset_t usr1;

	while (!__atomic_load_n(&restored, __ATOMIC_RELAXED))
		pause();
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
}

/* The PPid of process @pid, from its stat; -1 if unknown. */
static pid_t ppid_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = -1, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* ---- The parent's side ---- */

/* One byte from a member's ready pipe, within 10 s: 0, or -1. */
static int wait_ready(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, 10000) != 1 || read(fd, &c, 1) != 1)
		return -1;
	return 0;
}

/* How a member that did not get set up ended: its code, or -1. */
static int setup_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, WNOHANG) != pid)
		return -1;
	untrack(pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A synchronous checkpoint of the partition: the epoch (ASSERTed). */
static long checkpoint(struct __test_metadata *_metadata,
		       FIXTURE_DATA(store) * self)
{
	struct sls_persist_args args = { .flags = SLS_PERSIST_SYNC };
	long epoch = sls_persist(self->part, &args, sizeof(args));
	int err = errno;
	char why[200] = "";

	if (epoch <= 0)
		read_text(self->sysfs, "last_error", why, sizeof(why));
	ASSERT_LT(0, epoch) TH_LOG("sls_persist: errno %d: %s", err, why);
	return epoch;
}

/*
 * Once member @pid said it is set on @ready, attach it with its
 * descendants and checkpoint: the epoch.
 */
static long set_and_checkpoint(struct __test_metadata *_metadata,
			       FIXTURE_DATA(store) * self, pid_t pid, int ready)
{
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_ready(ready))
		TH_LOG("the member was not set up: %d", setup_status(pid));
	ASSERT_EQ(0, attach(self->part, pid, SLS_ATTACH_TREE))
		TH_LOG("sls_attach: errno %d", errno);
	return checkpoint(_metadata, self);
}

/* Kill what was checkpointed, all of it, and wait for it to leave. */
static void kill_tree(struct __test_metadata *_metadata,
		      FIXTURE_DATA(store) * self, pid_t pid)
{
	kill_all(self->sysfs);
	ASSERT_EQ(-1, kill(pid, 0));
	ASSERT_EQ(0, wait_no_members(self->sysfs));
}

static int try_restore(FIXTURE_DATA(store) * self, __u64 flags, __u64 epoch)
{
	struct sls_restore_args args = { .flags = flags, .epoch = epoch };
	int pidfd = sls_restore(self->part, &args, sizeof(args));

	if (pidfd >= 0)
		track(pidfd_pid(pidfd));
	return pidfd;
}

/* A restore that must work: its pidfd (ASSERTed), *@pid its root. */
static int restore(struct __test_metadata *_metadata, FIXTURE_DATA(store) * self,
		   __u64 flags, __u64 epoch, pid_t *pid)
{
	int pidfd = try_restore(self, flags, epoch), err = errno;
	char why[200] = "";

	if (pidfd < 0)
		read_text(self->sysfs, "last_error", why, sizeof(why));
	ASSERT_LE(0, pidfd) TH_LOG("sls_restore: errno %d: %s", err, why);
	EXPECT_EQ(FD_CLOEXEC, fcntl(pidfd, F_GETFD) & FD_CLOEXEC);
	*pid = pidfd_pid(pidfd);
	ASSERT_LT(0, *pid);
	return pidfd;
}

/* A restore that must fail: its errno; a process it made is killed. */
static int restore_errno(FIXTURE_DATA(store) * self, __u64 flags, __u64 epoch)
{
	int pidfd = try_restore(self, flags, epoch);

	if (pidfd < 0)
		return errno;
	kill_all(self->sysfs);
	close(pidfd);
	return 0;
}

/*
 * Let the restored @pid check itself: SIGUSR1 until it exits, 20 s at
 * most.  Its exit code, 128 + the signal that killed it, or -1.
 */
static int finish(int pidfd, pid_t pid)
{
	int status, i;

	for (i = 0; i < 200; i++) {
		syscall(__NR_pidfd_send_signal, pidfd, SIGUSR1, NULL, 0);
		if (waitpid(pid, &status, WNOHANG) == pid) {
			untrack(pid);
			return WIFEXITED(status) ? WEXITSTATUS(status) :
						   128 + WTERMSIG(status);
		}
		usleep(100000);
	}
	return -1;
}

/* A failed restore leaves nothing behind: no child, not @pid, no member. */
#define EXPECT_NOTHING_LEFT(pid) do {					\
	pid_t __w = waitpid(-1, NULL, WNOHANG);				\
	int __e = errno;						\
									\
	EXPECT_TRUE(__w == -1 && __e == ECHILD)				\
		TH_LOG("waitpid(-1): %d, errno %d", __w, __e);		\
	EXPECT_EQ(-1, kill(pid, 0));					\
	EXPECT_EQ(0, members(self->sysfs, &__w, 1));			\
} while (0)

/*
 * The usual round: checkpoint member @pid once set, kill it and its
 * descendants, restore the latest epoch, which must bring back @pid, and
 * let it check itself.  Its exit code: 0 if all is as it was.
 */
/*
 * Restore the latest epoch, which must bring back @pid as a member, and
 * let it check itself: its exit code.
 */
static int restore_flags_and_check(struct __test_metadata *_metadata,
				   FIXTURE_DATA(store) * self, pid_t pid,
				   __u64 flags)
{
	int pidfd, code;
	pid_t got;

	pidfd = restore(_metadata, self, flags, 0, &got);
	EXPECT_EQ(pid, got);
	EXPECT_TRUE(is_member(self->sysfs, got));
	code = finish(pidfd, got);
	close(pidfd);
	return code;
}

static int restore_and_check(struct __test_metadata *_metadata,
			     FIXTURE_DATA(store) * self, pid_t pid)
{
	return restore_flags_and_check(_metadata, self, pid, 0);
}

static int round_trip(struct __test_metadata *_metadata,
		      FIXTURE_DATA(store) * self, pid_t pid, int ready)
{
	set_and_checkpoint(_metadata, self, pid, ready);
	close(ready);
	kill_tree(_metadata, self, pid);
	return restore_and_check(_metadata, self, pid);
}

/* Fork @member, a member that checks itself once restored: round_trip(). */
static int member_round_trip(struct __test_metadata *_metadata,
			     FIXTURE_DATA(store) * self, int (*member)(void))
{
	int ready;
	pid_t pid = fork_member(&ready);

	if (pid == 0)
		_exit(member());
	return round_trip(_metadata, self, pid, ready);
}

/* A member that checks one page of its memory and its parent. */
static int simple_member(void)
{
	static char page[PAGE];
	pid_t ppid = getppid();

	fill(page, sizeof(page), 42);
	member_ready();
	member_wait();
	if (!filled(page, sizeof(page), 42))
		return 1;
	if (getppid() != ppid)
		return 2;
	return 0;
}

/* ---- Memory ---- */

static char data_pages[3 * PAGE] = { 1 };
static char bss_pages[3 * PAGE];

static int memory_member(const char *map)
{
	const size_t heap_len = 16 * PAGE;
	char stack[256 * 1024], buf[PAGE];
	char *big, *priv, *shared, *heap;
	unsigned long brk0;
	int fd, i;
	pid_t c;

	big = malloc(64 * PAGE);
	fd = open(map, O_RDONLY);
	priv = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	heap = sbrk(heap_len);
	shared = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!big || priv == MAP_FAILED || heap == (void *)-1 ||
	    shared == MAP_FAILED)
		return EX_SETUP + 1;
	fill(big, 64 * PAGE, 1);
	memset(priv + PAGE, 'M', PAGE);	/* pages 0, 2 and 3 stay the file's */
	fill(heap, heap_len, 3);
	brk0 = syscall(SYS_brk, 0);
	fill(stack, sizeof(stack), 4);
	fill(shared, 8 * PAGE, 5);
	fill(data_pages, sizeof(data_pages), 6);
	fill(bss_pages, sizeof(bss_pages), 7);
	member_ready();
	member_wait();

	if (syscall(SYS_brk, 0) != (long)brk0)
		return 1;
	if (!filled(big, 64 * PAGE, 1))
		return 2;
	for (i = 0; i < 4; i++)
		if (!all(priv + i * PAGE, PAGE, i == 1 ? 'M' : 'f'))
			return 3 + i;
	if (!filled(heap, heap_len, 3))
		return 7;
	if (!filled(stack, sizeof(stack), 4))
		return 8;
	if (!filled(shared, 8 * PAGE, 5))
		return 9;
	if (!filled(data_pages, sizeof(data_pages), 6))
		return 10;
	if (!filled(bss_pages, sizeof(bss_pages), 7))
		return 11;
	/* Still shared: what a child writes shows. */
	c = fork();
	if (c == 0) {
		shared[0] = 'S';
		_exit(0);
	}
	if (c < 0 || waitpid(c, NULL, 0) != c || shared[0] != 'S')
		return 12;
	/* The private page never went to the file. */
	fd = open(map, O_RDONLY);
	if (pread(fd, buf, PAGE, PAGE) != PAGE || !all(buf, PAGE, 'f'))
		return 13;
	close(fd);
	/* The heap still grows where it ended. */
	heap = sbrk(PAGE);
	if (heap == (void *)-1 || syscall(SYS_brk, 0) != (long)brk0 + PAGE)
		return 14;
	memset(heap, 1, PAGE);
	return 0;
}

/* memory_member() of file @map, checkpointed and killed: its pid. */
static pid_t memory_checkpointed(struct __test_metadata *_metadata,
				 FIXTURE_DATA(store) * self, char *map,
				 size_t len)
{
	int ready;
	pid_t pid;

	snprintf(map, len, "%s.map", self->img);
	EXPECT_EQ(0, make_file(map, 'f', 4 * PAGE));
	pid = fork_member(&ready);
	if (pid == 0)
		_exit(memory_member(map));
	set_and_checkpoint(_metadata, self, pid, ready);
	close(ready);
	kill_tree(_metadata, self, pid);
	return pid;
}

/* memory_member() checkpointed, killed and restored with @flags. */
static void memory_round_trip(struct __test_metadata *_metadata,
			      FIXTURE_DATA(store) * self, __u64 flags)
{
	char map[48];
	pid_t pid = memory_checkpointed(_metadata, self, map, sizeof(map));
	int code;

	code = restore_flags_and_check(_metadata, self, pid, flags);
	EXPECT_EQ(0, code) TH_LOG("memory check %d failed", code);
	unlink(map);
}

/*
 * Private anonymous memory (malloc), a private file mapping with one page
 * modified, a heap grown with brk, a large stack array, a shared anonymous
 * region (still shared after the restore), .data and .bss.
 */
TEST_F(store, memory)
{
	memory_round_trip(_metadata, self, 0);
}

/* Shared anonymous memory between a member and its child. */
static int shm_member(void)
{
	char *shared = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status;
	pid_t c;

	if (shared == MAP_FAILED)
		return EX_SETUP + 1;
	memset(shared, 0, PAGE);	/* page 0: the two flags */
	fill(shared + PAGE, 3 * PAGE, 9);
	c = fork();
	if (c == 0) {
		close(READY_FD);
		while (__atomic_load_n(&shared[0], __ATOMIC_ACQUIRE) != 'P')
			usleep(1000);
		__atomic_store_n(&shared[64], 'C', __ATOMIC_RELEASE);
		_exit(filled(shared + PAGE, 3 * PAGE, 9) ? 0 : 1);
	}
	if (c < 0)
		return EX_SETUP + 2;
	member_ready();
	member_wait();
	if (!filled(shared + PAGE, 3 * PAGE, 9))
		return 1;
	__atomic_store_n(&shared[0], 'P', __ATOMIC_RELEASE);
	if (waitpid(c, &status, 0) != c || !WIFEXITED(status))
		return 2;
	if (WEXITSTATUS(status))
		return 3;	/* the child's copy differs */
	if (__atomic_load_n(&shared[64], __ATOMIC_ACQUIRE) != 'C')
		return 4;	/* no longer shared */
	return 0;
}

/*
 * MAP_SHARED|MAP_ANONYMOUS memory a process shares with its child is
 * shared between the two again: what one writes, the other sees.
 */
TEST_F(store, shared_memory_between_processes)
{
	int code = member_round_trip(_metadata, self, shm_member);

	EXPECT_EQ(0, code) TH_LOG("shared memory check %d failed", code);
}

/* ---- Registers ---- */

struct counter {
	unsigned long seen;	/* r12, stored on every round */
	unsigned long r12, r13;	/* at the end */
};

#define COUNTER_R13 0x5a5a5a5a00000000UL

static int counter_stop;

/*
 * A counter in r12 and 3 * r12 + COUNTER_R13 in r13, both callee-saved,
 * until counter_stop.  Each round checks that r12 is what it stored the
 * round before: a register lost or reset on the way ends the loop there.
 */
static void *counter_thread(void *arg)
{
	struct counter *c = arg;

	asm volatile(
		"xor %%r12d, %%r12d\n\t"
		"movabs $0x5a5a5a5a00000000, %%r13\n\t"
		"1: cmp %%r12, %[seen]\n\t"
		"jne 2f\n\t"
		"inc %%r12\n\t"
		"add $3, %%r13\n\t"
		"mov %%r12, %[seen]\n\t"
		"cmpl $0, %[stop]\n\t"
		"je 1b\n\t"
		"2: mov %%r12, %[r12]\n\t"
		"mov %%r13, %[r13]\n\t"
		: [seen] "+m" (c->seen), [r12] "=m" (c->r12), [r13] "=m" (c->r13)
		: [stop] "m" (counter_stop)
		: "r12", "r13", "cc", "memory");
	return NULL;
}

#define GP_LOAD(reg, v) "movabs $" #v ", %%" #reg "\n\t"
#define GP_CHECK(reg, v, bit)						\
	"movabs $" #v ", %%rax\n\t"					\
	"cmp %%rax, %%" #reg "\n\t"					\
	"je 3f\n\t"							\
	"or $" #bit ", %%rcx\n\t"					\
	"3:\n\t"

/*
 * Known values in every general register syscall leaves alone, then
 * pause() in a loop until SIGUSR1: the mask of the registers that are
 * no longer what they were.
 */
static unsigned long gp_pause(void)
{
	unsigned long bad;

	asm volatile(
		GP_LOAD(rbx, 0x1b1b1b1b1b1b1b1b)
		GP_LOAD(rdx, 0x2d2d2d2d2d2d2d2d)
		GP_LOAD(rsi, 0x3c3c3c3c3c3c3c3c)
		GP_LOAD(rdi, 0x4d4d4d4d4d4d4d4d)
		GP_LOAD(r8, 0x0808080808080808)
		GP_LOAD(r9, 0x0909090909090909)
		GP_LOAD(r10, 0x1010101010101010)
		GP_LOAD(r12, 0x1212121212121212)
		GP_LOAD(r13, 0x1313131313131313)
		GP_LOAD(r14, 0x1414141414141414)
		GP_LOAD(r15, 0x1515151515151515)
		"jmp 2f\n\t"
		"1: mov %[nr], %%eax\n\t"
		"syscall\n\t"
		"2: cmpl $0, %[go]\n\t"
		"je 1b\n\t"
		"xor %%ecx, %%ecx\n\t"
		GP_CHECK(rbx, 0x1b1b1b1b1b1b1b1b, 1)
		GP_CHECK(rdx, 0x2d2d2d2d2d2d2d2d, 2)
		GP_CHECK(rsi, 0x3c3c3c3c3c3c3c3c, 4)
		GP_CHECK(rdi, 0x4d4d4d4d4d4d4d4d, 8)
		GP_CHECK(r8, 0x0808080808080808, 16)
		GP_CHECK(r9, 0x0909090909090909, 32)
		GP_CHECK(r10, 0x1010101010101010, 64)
		GP_CHECK(r12, 0x1212121212121212, 128)
		GP_CHECK(r13, 0x1313131313131313, 256)
		GP_CHECK(r14, 0x1414141414141414, 512)
		GP_CHECK(r15, 0x1515151515151515, 1024)
		"mov %%rcx, %[bad]\n\t"
		: [bad] "=m" (bad)
		: [nr] "i" (__NR_pause), [go] "m" (restored)
		: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
		  "r11", "r12", "r13", "r14", "r15", "cc", "memory");
	return bad;
}

static int registers_member(void)
{
	static struct counter c;
	unsigned long bad, at_ready;
	sigset_t usr1;
	pthread_t th;
	int i;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);	/* the thread never takes it */
	if (pthread_create(&th, NULL, counter_thread, &c))
		return EX_SETUP + 1;
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	for (i = 0; __atomic_load_n(&c.seen, __ATOMIC_RELAXED) < 100000; i++) {
		if (i > 10000)
			return EX_SETUP + 2;
		usleep(1000);
	}
	at_ready = c.seen;
	member_ready();
	bad = gp_pause();
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	__atomic_store_n(&counter_stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	for (i = 0; i < 11; i++)
		if (bad & (1UL << i))
			return 10 + i;	/* rbx rdx rsi rdi r8 r9 r10 r12-r15 */
	if (c.r12 != c.seen)
		return 30;	/* the counter jumped */
	if (c.r13 != COUNTER_R13 + 3 * c.r12)
		return 31;
	if (c.r12 < at_ready)
		return 32;
	return 0;
}

/*
 * General registers: a thread counting in callee-saved registers carries
 * on from where it was, and the main thread finds eleven registers as it
 * left them when it entered pause().
 */
TEST_F(store, general_registers)
{
	int code = member_round_trip(_metadata, self, registers_member);

	EXPECT_EQ(0, code) TH_LOG("register check %d failed", code);
}

/* @insn for each of the 16 vector registers, \i its number: .irp. */
#define VEC16(insn) ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t" \
		    insn "\n\t.endr\n\t"
#define Y_LOAD "vmovdqu \\i*32(%[in]), %%ymm\\i"
#define Y_STORE "vmovdqu %%ymm\\i, \\i*32(%[out])"
#define X_LOAD "movdqu \\i*32(%[in]), %%xmm\\i"
#define X_STORE "movdqu %%xmm\\i, \\i*32(%[out])"
#define PAUSE_UNTIL_RESTORED						\
	"jmp 2f\n\t"							\
	"1: mov %[nr], %%eax\n\t"					\
	"syscall\n\t"							\
	"2: cmpl $0, %[go]\n\t"						\
	"je 1b\n\t"
#define VEC_CLOBBERS "rax", "rcx", "r11", "cc", "memory", "xmm0", "xmm1", \
	"xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",	\
	"xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static unsigned char vec_in[16][32], vec_out[16][32];

#define MXCSR_SET 0xff80	/* exceptions masked, toward zero, FTZ */
#define X87_CW_SET 0x0f7f	/* toward zero */

static int vector_member(bool avx)
{
	unsigned int mxcsr = MXCSR_SET;
	unsigned short cw = X87_CW_SET;
	int i;

	fill(vec_in, sizeof(vec_in), 9);
	memset(vec_out, 0, sizeof(vec_out));
	asm volatile("ldmxcsr %0\n\tfldcw %1" : : "m" (mxcsr), "m" (cw));
	member_ready();
	if (avx)
		asm volatile(VEC16(Y_LOAD) PAUSE_UNTIL_RESTORED VEC16(Y_STORE)
			     "vzeroupper\n\t"
			     : : [in] "r" (vec_in), [out] "r" (vec_out),
			     [nr] "i" (__NR_pause), [go] "m" (restored)
			     : VEC_CLOBBERS);
	else
		asm volatile(VEC16(X_LOAD) PAUSE_UNTIL_RESTORED VEC16(X_STORE)
			     : : [in] "r" (vec_in), [out] "r" (vec_out),
			     [nr] "i" (__NR_pause), [go] "m" (restored)
			     : VEC_CLOBBERS);
	asm volatile("stmxcsr %0\n\tfnstcw %1" : "=m" (mxcsr), "=m" (cw));
	member_wait();
	for (i = 0; i < 16; i++)
		if (memcmp(vec_in[i], vec_out[i], avx ? 32 : 16))
			return 1 + i;	/* ymm/xmm i */
	if ((mxcsr & ~0x3fU) != MXCSR_SET)	/* but the exception flags */
		return 20;
	if (cw != X87_CW_SET)
		return 21;
	return 0;
}

/*
 * SSE/AVX: xmm0-15 (ymm0-15 where the CPU has AVX) hold patterns across
 * the pause() they were in, and MXCSR and the x87 control word their
 * non-default settings.
 */
TEST_F(store, vector_registers)
{
	bool avx;
	int ready, code;
	pid_t pid;

	__builtin_cpu_init();
	avx = __builtin_cpu_supports("avx");
	if (!avx)
		TH_LOG("no AVX: xmm registers only");
	pid = fork_member(&ready);
	if (pid == 0)
		_exit(vector_member(avx));
	code = round_trip(_metadata, self, pid, ready);
	EXPECT_EQ(0, code) TH_LOG("vector register check %d failed", code);
}

/* ---- TLS and threads ---- */

static __thread unsigned long tls_word = 1;
static __thread char tls_block[300];

struct tls_thread {
	pid_t tid;
	unsigned long *addr;	/* of its tls_word */
	int ready, go, bad;
};

static void *tls_thread_fn(void *arg)
{
	struct tls_thread *t = arg;
	char comm[16] = "";

	t->tid = gettid();
	tls_word = 0x2222;
	memset(tls_block, 0x22, sizeof(tls_block));
	t->addr = &tls_word;
	prctl(PR_SET_NAME, "sls-tls-2");
	__atomic_store_n(&t->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&t->go, __ATOMIC_ACQUIRE))
		sched_yield();
	prctl(PR_GET_NAME, comm);
	t->bad = gettid() != t->tid ? 1 : tls_word != 0x2222 ? 2 :
		 &tls_word != t->addr ? 3 :
		 !all(tls_block, sizeof(tls_block), 0x22) ? 4 :
		 strcmp(comm, "sls-tls-2") ? 5 : 0;
	return NULL;
}

static int tls_member(void)
{
	static struct tls_thread t;
	unsigned long *addr = &tls_word;
	char status[2048], *threads;
	sigset_t usr1;
	pthread_t th;
	int i;

	tls_word = 0x1111;
	memset(tls_block, 0x11, sizeof(tls_block));
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (pthread_create(&th, NULL, tls_thread_fn, &t))
		return EX_SETUP + 1;
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	for (i = 0; !__atomic_load_n(&t.ready, __ATOMIC_ACQUIRE); i++) {
		if (i > 10000)
			return EX_SETUP + 2;
		usleep(1000);
	}
	member_ready();
	member_wait();
	if (tls_word != 0x1111 || &tls_word != addr)
		return 1;
	if (!all(tls_block, sizeof(tls_block), 0x11))
		return 2;
	if (gettid() != getpid())
		return 3;
	if (read_text("/proc/self", "status", status, sizeof(status)))
		return 4;
	threads = strstr(status, "\nThreads:");
	if (!threads || atoi(threads + 9) != 2)
		return 5;
	__atomic_store_n(&t.go, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	return t.bad ? 10 + t.bad : 0;
}

/*
 * Thread-local storage (fs_base): __thread variables of the main thread
 * and of a second thread keep their values and addresses; the second
 * thread keeps its tid and its name.
 */
TEST_F(store, tls_and_threads)
{
	int code = member_round_trip(_metadata, self, tls_member);

	EXPECT_EQ(0, code) TH_LOG("TLS check %d failed", code);
}

/* ---- Signals ---- */

static char altstack[64 * 1024];
static sig_atomic_t got_usr2, got_hup, term_on_altstack = -1;

static void h_info(int sig, siginfo_t *si, void *uc)
{
	__atomic_store_n(&got_usr2, si->si_signo == SIGUSR2 ? 1 : -1,
			 __ATOMIC_RELAXED);
}

static void h_hup(int sig)
{
	__atomic_add_fetch(&got_hup, 1, __ATOMIC_RELAXED);
}

static void h_term(int sig)
{
	char here;

	__atomic_store_n(&term_on_altstack,
			 &here >= altstack && &here < altstack + sizeof(altstack),
			 __ATOMIC_RELAXED);
}

static int handle(int sig, void *fn, int flags, int mask_sig)
{
	struct sigaction sa = { .sa_flags = flags };

	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	if (mask_sig)
		sigaddset(&sa.sa_mask, mask_sig);
	return sigaction(sig, &sa, NULL);
}

/* The signal sets as the kernel knows them, but SIGUSR1. */
static unsigned long long kset(const sigset_t *set)
{
	unsigned long long v;

	memcpy(&v, set, sizeof(v));
	return v & ~(1ULL << (SIGUSR1 - 1));
}

static int signals_member(void)
{
	static struct sigaction before[65], after;
	const int rt = SIGRTMIN + 5;
	sigset_t block, mask0, pend0, now;
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	int sig;

	arm_sigusr1();
	if (handle(SIGUSR2, h_info, SA_SIGINFO | SA_RESTART, SIGINT) ||
	    handle(SIGHUP, h_hup, SA_NODEFER | SA_RESETHAND, SIGTERM) ||
	    handle(SIGTERM, h_term, SA_ONSTACK, SIGQUIT) ||
	    handle(SIGINT, SIG_IGN, 0, 0) || sigaltstack(&ss, NULL))
		return EX_SETUP + 1;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGPIPE);
	sigaddset(&block, rt);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR2);			/* pending for the thread */
	kill(getpid(), SIGWINCH);	/* pending for the process */
	sigqueue(getpid(), rt, (union sigval){ .sival_int = 7 });
	memset(before, 0, sizeof(before));
	for (sig = 1; sig < 65; sig++)
		sigaction(sig, NULL, &before[sig]);
	sigprocmask(0, NULL, &mask0);
	sigpending(&pend0);
	if (!sigismember(&pend0, SIGUSR2) || !sigismember(&pend0, SIGWINCH))
		return EX_SETUP + 2;
	member_ready();
	member_wait();

	for (sig = 1; sig < 65; sig++) {
		memset(&after, 0, sizeof(after));
		sigaction(sig, NULL, &after);
		if (after.sa_handler != before[sig].sa_handler ||
		    after.sa_flags != before[sig].sa_flags ||
		    after.sa_restorer != before[sig].sa_restorer ||
		    kset(&after.sa_mask) != kset(&before[sig].sa_mask))
			return sig;	/* 1..64: that signal's action */
	}
	sigprocmask(0, NULL, &now);
	if (kset(&now) != kset(&mask0))
		return 70;
	sigpending(&now);
	if (kset(&now) != kset(&pend0))
		return 71;
	memset(&ss, 0, sizeof(ss));
	if (sigaltstack(NULL, &ss) || ss.ss_sp != altstack ||
	    ss.ss_size != sizeof(altstack) || ss.ss_flags)
		return 72;
	raise(SIGTERM);
	if (__atomic_load_n(&term_on_altstack, __ATOMIC_RELAXED) != 1)
		return 73;
	raise(SIGHUP);
	sigaction(SIGHUP, NULL, &after);
	if (__atomic_load_n(&got_hup, __ATOMIC_RELAXED) != 1 ||
	    after.sa_handler != SIG_DFL)	/* SA_RESETHAND */
		return 74;
	sigemptyset(&now);
	sigaddset(&now, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &now, NULL);
	if (__atomic_load_n(&got_usr2, __ATOMIC_RELAXED) != 1)
		return 75;
	return 0;
}

/*
 * Signal actions of all 64 signals (handlers, SA_* flags, masks), the
 * blocked mask, signals pending for the thread and for the process, the
 * alternate stack: all as they were, and they work (a handler runs on the
 * alternate stack, SA_RESETHAND resets, the pending signal is delivered
 * once unblocked).
 */
TEST_F(store, signals)
{
	int code = member_round_trip(_metadata, self, signals_member);

	EXPECT_EQ(0, code) TH_LOG("signal check %d failed", code);
}

static int sigsuspend_member(void)
{
	sigset_t mask, wait_mask, now;

	arm_sigusr1();
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigemptyset(&wait_mask);
	sigaddset(&wait_mask, SIGUSR2);
	if (write(READY_FD, "r", 1) != 1)
		return EX_SETUP;
	close(READY_FD);
	while (!__atomic_load_n(&restored, __ATOMIC_RELAXED))
		sigsuspend(&wait_mask);
	sigprocmask(0, NULL, &now);
	if (!sigismember(&now, SIGUSR1) || !sigismember(&now, SIGUSR2))
		return 1;	/* the mask from before sigsuspend() is lost */
	return 0;
}

/*
 * A process waiting in sigsuspend() goes back into it: SIGUSR1 gets
 * through its temporary mask, and then the mask it had before is back.
 */
TEST_F(store, sigsuspend_reentered)
{
	int code = member_round_trip(_metadata, self, sigsuspend_member);

	EXPECT_EQ(0, code) TH_LOG("sigsuspend check %d failed", code);
}

/* ---- Descriptors ---- */

struct fd_rec {
	int fd, fl, fdfl;
	off_t pos;
	struct stat st;
	char link[96];
};

#define FD_RECS 8

static int fd_record(struct fd_rec *r, int fd)
{
	char path[64];
	ssize_t n;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r->fd = fd;
	r->fl = fcntl(fd, F_GETFL);
	r->fdfl = fcntl(fd, F_GETFD);
	r->pos = lseek(fd, 0, SEEK_CUR);
	n = readlink(path, r->link, sizeof(r->link) - 1);
	if (fd < 0 || r->fl < 0 || r->fdfl < 0 || n <= 0 || fstat(fd, &r->st))
		return -1;
	return 0;
}

/* The descriptors open are exactly 0, 1, 2 and those of @r. */
static bool fd_set_is(const struct fd_rec *r, int n)
{
	struct dirent *d;
	int fd, i, seen = 0;
	DIR *dir = opendir("/proc/self/fd");
	bool ok = !!dir;

	while (ok && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		fd = atoi(d->d_name);
		if (fd == dirfd(dir))
			continue;
		seen++;
		ok = fd < 3;
		for (i = 0; i < n && !ok; i++)
			ok = r[i].fd == fd;
	}
	if (dir)
		closedir(dir);
	return ok && seen == n + 3;
}

static int fds_member(const char *f1, const char *f2, const char *dir)
{
	static const char content[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	static struct fd_rec rec[FD_RECS];
	int a, b, c, d, e, g, z, u, i;
	struct fd_rec r;
	char buf[16];

	a = open(f1, O_RDWR);
	b = open(f2, O_WRONLY | O_APPEND);
	c = dup(a);				/* shares a's offset */
	d = open(f1, O_RDONLY | O_CLOEXEC);	/* its own */
	e = open("/dev/null", O_WRONLY | O_NONBLOCK);
	g = open(dir, O_RDONLY | O_DIRECTORY);
	z = open("/dev/zero", O_RDONLY);
	u = open("/dev/urandom", O_RDONLY);
	/* /dev/null moves to 42, leaving a hole where it was */
	if (a < 0 || b < 0 || c < 0 || d < 0 || e < 0 || g < 0 || z < 0 ||
	    u < 0 || dup2(e, 42) != 42 || close(e) ||
	    write(b, "0123456789", 10) != 10 || lseek(a, 7, SEEK_SET) != 7 ||
	    lseek(d, 11, SEEK_SET) != 11 || fcntl(c, F_SETFD, FD_CLOEXEC))
		return EX_SETUP + 1;
	e = 42;
	{
		int fds[FD_RECS] = { a, b, c, d, e, g, z, u };

		for (i = 0; i < FD_RECS; i++)
			if (fd_record(&rec[i], fds[i]))
				return EX_SETUP + 2;
	}
	if (rec[0].fdfl != 0 || rec[2].fdfl != FD_CLOEXEC ||
	    rec[3].fdfl != FD_CLOEXEC || !(rec[1].fl & O_APPEND))
		return EX_SETUP + 3;
	member_ready();
	member_wait();

	for (i = 0; i < FD_RECS; i++) {
		if (fd_record(&r, rec[i].fd))
			return 10 + i;
		if (r.fl != rec[i].fl || r.fdfl != rec[i].fdfl)
			return 20 + i;	/* open flags, FD_CLOEXEC */
		if (r.pos != rec[i].pos)
			return 30 + i;
		if (r.st.st_ino != rec[i].st.st_ino ||
		    r.st.st_dev != rec[i].st.st_dev ||
		    r.st.st_mode != rec[i].st.st_mode ||
		    r.st.st_rdev != rec[i].st.st_rdev || strcmp(r.link, rec[i].link))
			return 40 + i;	/* another file */
	}
	if (!fd_set_is(rec, FD_RECS))
		return 50;
	if (lseek(c, 5, SEEK_SET) != 5 || lseek(a, 0, SEEK_CUR) != 5 ||
	    lseek(d, 0, SEEK_CUR) != 11)
		return 51;		/* a and c share, d does not */
	if (read(a, buf, 3) != 3 || memcmp(buf, content + 5, 3) ||
	    read(d, buf, 2) != 2 || memcmp(buf, content + 11, 2))
		return 52;
	if (write(b, "x", 1) != 1 || lseek(b, 0, SEEK_CUR) != 21)
		return 53;		/* O_APPEND */
	if (faccessat(g, "inside", F_OK, 0))
		return 54;
	if (read(z, buf, 8) != 8 || !all(buf, 8, 0) || read(u, buf, 16) != 16)
		return 55;
	if (write(e, "x", 1) != 1)
		return 56;
	return 0;
}

/*
 * Descriptors keep their numbers, files, offsets (shared by a dup()ed pair,
 * not by a second open()), open flags (O_APPEND, O_NONBLOCK) and
 * FD_CLOEXEC: regular files, a directory, /dev/null at fd 42, /dev/zero,
 * /dev/urandom; no other descriptor is open.
 */
TEST_F(store, descriptors)
{
	char f1[48], f2[48], dir[48], inside[64];
	int ready, code, fd;
	pid_t pid;

	snprintf(f1, sizeof(f1), "%s.f1", self->img);
	snprintf(f2, sizeof(f2), "%s.f2", self->img);
	snprintf(dir, sizeof(dir), "%s.d", self->img);
	snprintf(inside, sizeof(inside), "%s/inside", dir);
	fd = open(f1, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_EQ(36, write(fd, "0123456789abcdefghijklmnopqrstuvwxyz", 36));
	close(fd);
	ASSERT_EQ(0, make_file(f2, 'y', 10));
	ASSERT_EQ(0, mkdir(dir, 0700));
	ASSERT_EQ(0, make_file(inside, 'i', 1));
	pid = fork_member(&ready);
	if (pid == 0)
		_exit(fds_member(f1, f2, dir));
	code = round_trip(_metadata, self, pid, ready);
	EXPECT_EQ(0, code) TH_LOG("descriptor check %d failed", code);
	unlink(inside);
	rmdir(dir);
	unlink(f1);
	unlink(f2);
}

static int pipe_member(void)
{
	static char data[1000], got[1100];
	struct stat s0, s1;
	int p[2], q[2], dup0, n;
	char c;

	fill(data, sizeof(data), 11);
	if (pipe(p) || pipe2(q, O_NONBLOCK))
		return EX_SETUP + 1;
	dup0 = dup(p[0]);
	if (dup0 < 0 || write(p[1], data, 300) != 300 ||
	    write(p[1], data + 300, 700) != 700)
		return EX_SETUP + 2;
	member_ready();
	member_wait();

	if (fstat(p[0], &s0) || fstat(p[1], &s1) || s0.st_ino != s1.st_ino)
		return 1;	/* not one pipe */
	if (ioctl(p[0], FIONREAD, &n) || n != 1000)
		return 2;
	if (read(dup0, got, 400) != 400 ||
	    read(p[0], got + 400, sizeof(got) - 400) != 600)
		return 3;	/* all of them, and no more */
	if (memcmp(got, data, sizeof(data)))
		return 4;
	if (write(p[1], "more", 4) != 4 || read(dup0, got, 10) != 4 ||
	    memcmp(got, "more", 4))
		return 5;
	if ((fcntl(p[0], F_GETFL) & O_ACCMODE) != O_RDONLY ||
	    (fcntl(p[1], F_GETFL) & O_ACCMODE) != O_WRONLY)
		return 6;
	if (read(q[0], &c, 1) != -1 || errno != EAGAIN)
		return 7;	/* empty, O_NONBLOCK */
	if (write(q[1], "x", 1) != 1 || read(q[0], &c, 1) != 1 || c != 'x')
		return 8;
	return 0;
}

/*
 * A pipe with 1000 bytes in it, both ends and a dup() of the read end
 * held: the bytes are there after the restore, read through either read
 * descriptor, and the pipe works on; an empty O_NONBLOCK pipe too.
 */
TEST_F(store, pipe_data_in_flight)
{
	int code = member_round_trip(_metadata, self, pipe_member);

	EXPECT_EQ(0, code) TH_LOG("pipe check %d failed", code);
}

static int generated_member(void)
{
	int mi = open("/proc/meminfo", O_RDONLY);
	int qt = open("/sys/kernel/sls/quiesce_timeout_ms", O_RDONLY);
	char buf[8];

	if (mi < 0 || qt < 0 || read(mi, buf, 8) != 8 || read(qt, buf, 1) != 1)
		return EX_SETUP + 1;
	member_ready();
	member_wait();
	if (lseek(mi, 0, SEEK_CUR) != 8 || lseek(qt, 0, SEEK_CUR) != 1)
		return 1;
	if (pread(mi, buf, 8, 0) != 8 || memcmp(buf, "MemTotal", 8))
		return 2;
	if (pread(qt, buf, 1, 0) != 1 || buf[0] < '1' || buf[0] > '9')
		return 3;
	return 0;
}

/*
 * A file of /proc or /sys is made anew, its time stamp with it, once the
 * caches let it go, as in another boot: it is reopened all the same, at
 * its offset.
 */
TEST_F(store, generated_files_reopened)
{
	struct stat before, after;
	int ready, pidfd, code, fd;
	pid_t pid, got;

	ASSERT_EQ(0, stat("/proc/meminfo", &before));
	pid = fork_member(&ready);
	if (pid == 0)
		_exit(generated_member());
	set_and_checkpoint(_metadata, self, pid, ready);
	close(ready);
	kill_tree(_metadata, self, pid);
	sleep(1);	/* a new time stamp is a second later */
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	ASSERT_EQ(1, write(fd, "2", 1));
	close(fd);
	ASSERT_EQ(0, stat("/proc/meminfo", &after));
	TH_LOG("/proc/meminfo made anew: %s",
	       before.st_mtime != after.st_mtime ? "yes" : "no");
	pidfd = restore(_metadata, self, 0, 0, &got);
	EXPECT_EQ(pid, got);
	code = finish(pidfd, got);
	close(pidfd);
	EXPECT_EQ(0, code) TH_LOG("generated file check %d failed", code);
}

static int eventfd_member(void)
{
	const uint64_t big = 5000000000ULL;	/* beyond what eventfd() takes */
	int sem, ctr, i;
	uint64_t v;

	sem = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK);
	ctr = eventfd(0, 0);
	v = 7;
	if (sem < 0 || ctr < 0 || write(sem, &v, sizeof(v)) != sizeof(v) ||
	    write(ctr, &big, sizeof(big)) != sizeof(big))
		return EX_SETUP + 1;
	member_ready();
	member_wait();
	for (i = 0; i < 7; i++)
		if (read(sem, &v, sizeof(v)) != sizeof(v) || v != 1)
			return 1;
	if (read(sem, &v, sizeof(v)) != -1 || errno != EAGAIN)
		return 2;	/* no longer non-blocking, or counted wrong */
	if (!(fcntl(ctr, F_GETFL) & O_RDWR) || fcntl(ctr, F_GETFL) & O_NONBLOCK)
		return 3;
	if (read(ctr, &v, sizeof(v)) != sizeof(v) || v != big)
		return 4;
	return 0;
}

/* Eventfds: a semaphore one and a counter beyond 32 bits, flags and all. */
TEST_F(store, eventfd_counters)
{
	int code = member_round_trip(_metadata, self, eventfd_member);

	EXPECT_EQ(0, code) TH_LOG("eventfd check %d failed", code);
}

/* What one epoll_wait() of at most 10 ms reports: its data, 0 if none. */
static uint64_t epoll_one(int ep)
{
	struct epoll_event ev = {};

	return epoll_wait(ep, &ev, 1, 10) == 1 ? ev.data.u64 : 0;
}

static int epoll_member(void)
{
	struct epoll_event lvl = { .events = EPOLLIN, .data.u64 = 0x1111 };
	struct epoll_event et = { .events = EPOLLIN | EPOLLET, .data.u64 = 0x2222 };
	struct epoll_event one = { .events = EPOLLIN | EPOLLONESHOT,
				   .data.u64 = 0x3333 };
	int ep, efd, p[2], shot;
	uint64_t v = 1;
	char c;

	ep = epoll_create1(EPOLL_CLOEXEC);
	efd = eventfd(0, EFD_NONBLOCK);
	shot = eventfd(1, EFD_NONBLOCK);
	if (ep < 0 || efd < 0 || shot < 0 || pipe(p) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &lvl) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &et) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, shot, &one))
		return EX_SETUP + 1;
	if (epoll_one(ep) != 0x3333 || epoll_one(ep) != 0)
		return EX_SETUP + 2;	/* the one-shot fired and is disarmed */
	member_ready();
	member_wait();
	if (!(fcntl(ep, F_GETFD) & FD_CLOEXEC))
		return 1;
	if (epoll_one(ep) != 0)
		return 2;	/* the disarmed one-shot came back armed */
	if (write(efd, &v, sizeof(v)) != sizeof(v) || epoll_one(ep) != 0x1111)
		return 3;
	if (read(efd, &v, sizeof(v)) != sizeof(v) || epoll_one(ep) != 0)
		return 4;
	if (write(p[1], "x", 1) != 1 || epoll_one(ep) != 0x2222 ||
	    epoll_one(ep) != 0)
		return 5;	/* edge-triggered: once */
	if (read(p[0], &c, 1) != 1 || epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL))
		return 6;
	return 0;
}

/*
 * An epoll with a level-triggered eventfd, an edge-triggered pipe and a
 * one-shot that fired: each item comes back with its events and data.
 */
TEST_F(store, epoll_items)
{
	int code = member_round_trip(_metadata, self, epoll_member);

	EXPECT_EQ(0, code) TH_LOG("epoll check %d failed", code);
}

/* A socket of @family connected to its loopback address at @port. */
static int tcp_dial(int family, in_port_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT,
				     .sin6_port = htons(port) };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr *sa = family == AF_INET6 ? (void *)&sin6 : (void *)&sin;
	socklen_t len = family == AF_INET6 ? sizeof(sin6) : sizeof(sin);
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd >= 0 && connect(fd, sa, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A connection to the listener at @port, accepted: its two ends. */
static int tcp_connect(int family, in_port_t port, int lst, int *acc)
{
	int fd = tcp_dial(family, port);

	if (fd < 0)
		return -1;
	*acc = accept(lst, NULL, NULL);
	return *acc < 0 ? -1 : fd;
}

static int opt_of(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	return getsockopt(fd, level, name, &v, &len) ? -1 : v;
}

/* A listener takes a new connection, and data passes both ways on it. */
static int tcp_serves(int family, in_port_t port, int lst)
{
	int cli, acc, ok;
	char buf[4];

	cli = tcp_connect(family, port, lst, &acc);
	if (cli < 0)
		return 0;
	ok = write(cli, "ping", 4) == 4 && read(acc, buf, 4) == 4 &&
	     !memcmp(buf, "ping", 4) && write(acc, "pong", 4) == 4 &&
	     read(cli, buf, 4) == 4 && !memcmp(buf, "pong", 4);
	close(cli);
	close(acc);
	return ok;
}

static int tcp_member(void)
{
	in_port_t port = 0, port6 = 0;
	int lst, lst6, cli, acc;
	char c;

	lst = tcp_listener(AF_INET, 0, &port);
	lst6 = tcp_listener(AF_INET6, 1, &port6);
	if (lst < 0 || lst6 < 0)
		return EX_SETUP + 1;
	cli = tcp_connect(AF_INET, port, lst, &acc);
	if (cli < 0 || write(cli, "lost", 4) != 4)
		return EX_SETUP + 2;
	member_ready();
	member_wait();
	if (opt_of(lst, SOL_SOCKET, SO_REUSEADDR) != 1 ||
	    opt_of(lst, SOL_SOCKET, SO_ACCEPTCONN) != 1)
		return 1;
	if (!tcp_serves(AF_INET, port, lst))
		return 2;
	if (opt_of(lst6, IPPROTO_IPV6, IPV6_V6ONLY) != 1 ||
	    !tcp_serves(AF_INET6, port6, lst6))
		return 3;
	/* The connection comes back reset, at both of its ends. */
	if (read(acc, &c, 1) != -1 || errno != ECONNRESET || read(acc, &c, 1) != 0)
		return 4;
	if (read(cli, &c, 1) != -1 || errno != ECONNRESET)
		return 5;
	if (send(cli, "x", 1, MSG_NOSIGNAL) != -1 || errno != EPIPE)
		return 6;
	return 0;
}

/*
 * TCP: IPv4 and IPv6 listeners listen again on their ports with their
 * options; a connection, with data in flight, comes back reset.
 */
TEST_F(store, tcp_listeners_and_connections)
{
	int code = member_round_trip(_metadata, self, tcp_member);

	EXPECT_EQ(0, code) TH_LOG("TCP check %d failed", code);
}

/* The port a TCP socket is bound to, -1 if unknown. */
static int port_of(int fd)
{
	struct sockaddr_in6 sin6;
	socklen_t len = sizeof(sin6);

	/* sin_port and sin6_port lie at the same offset */
	if (getsockname(fd, (struct sockaddr *)&sin6, &len))
		return -1;
	return ntohs(sin6.sin6_port);
}

/* An IPv4 TCP socket bound to 127.0.0.1, on an ephemeral port. */
static int tcp_bound(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int set_opt(int fd, int level, int name)
{
	int one = 1;

	return setsockopt(fd, level, name, &one, sizeof(one));
}

/* Nothing waits on listener @lst to be accepted. */
static bool none_queued(int lst)
{
	struct pollfd pfd = { .fd = lst, .events = POLLIN };

	return poll(&pfd, 1, 50) == 0;
}

static int tcp_unconnected_member(void)
{
	int bound, fresh, lst, pending, bport;
	in_port_t port;
	char c;

	bound = tcp_bound();
	bport = port_of(bound);
	fresh = socket(AF_INET, SOCK_STREAM, 0);
	lst = tcp_listener(AF_INET, 0, &port);
	if (bport <= 0 || fresh < 0 || lst < 0 ||
	    set_opt(lst, SOL_SOCKET, SO_REUSEPORT) ||
	    set_opt(lst, SOL_SOCKET, SO_KEEPALIVE) ||
	    set_opt(lst, IPPROTO_TCP, TCP_NODELAY))
		return EX_SETUP + 1;
	pending = tcp_dial(AF_INET, port);	/* left in the accept queue */
	if (pending < 0)
		return EX_SETUP + 2;
	member_ready();
	member_wait();
	if (port_of(bound) != bport || opt_of(bound, SOL_SOCKET, SO_ACCEPTCONN))
		return 1;	/* not bound again, or listening */
	if (port_of(fresh) != 0)
		return 2;
	if (opt_of(lst, SOL_SOCKET, SO_REUSEPORT) != 1 ||
	    opt_of(lst, SOL_SOCKET, SO_KEEPALIVE) != 1 ||
	    opt_of(lst, IPPROTO_TCP, TCP_NODELAY) != 1)
		return 3;
	if (!none_queued(lst))
		return 4;	/* the connection not accepted came back */
	if (read(pending, &c, 1) != -1 || errno != ECONNRESET)
		return 5;
	if (listen(bound, 4) || !tcp_serves(AF_INET, bport, bound))
		return 6;	/* its port is still its own */
	close(fresh);
	return tcp_serves(AF_INET, port, lst) ? 0 : 7;
}

/*
 * TCP: a bound socket comes back bound to its port, an unbound one
 * unbound; a listener keeps SO_REUSEPORT, SO_KEEPALIVE and TCP_NODELAY,
 * and loses the connection it had not accepted, whose client end comes
 * back reset.
 */
TEST_F(store, tcp_unconnected_and_accept_queue)
{
	int code = member_round_trip(_metadata, self, tcp_unconnected_member);

	EXPECT_EQ(0, code) TH_LOG("TCP check %d failed", code);
}

/* The epolls of epoll_nested_member() and what they watch. */
struct nest {
	int outer, ep, lst, efd;
	in_port_t port;
};

/* An epoll watching a TCP listener and an eventfd, in an epoll. */
static int nest_set(struct nest *n)
{
	struct epoll_event lst = { .events = EPOLLIN, .data.u64 = 0x4444 };
	struct epoll_event efd = { .events = EPOLLIN, .data.u64 = 0x5555 };
	struct epoll_event ep = { .events = EPOLLIN, .data.u64 = 0x6666 };

	n->outer = epoll_create1(0);
	n->ep = epoll_create1(0);
	n->efd = eventfd(0, EFD_NONBLOCK);
	n->lst = tcp_listener(AF_INET, 0, &n->port);
	if (n->outer < 0 || n->ep < 0 || n->efd < 0 || n->lst < 0 ||
	    epoll_ctl(n->ep, EPOLL_CTL_ADD, n->lst, &lst) ||
	    epoll_ctl(n->ep, EPOLL_CTL_ADD, n->efd, &efd) ||
	    epoll_ctl(n->outer, EPOLL_CTL_ADD, n->ep, &ep))
		return -1;
	return 0;
}

/* Each epoll reports what is ready, and through the outer one. */
static int nest_check(const struct nest *n)
{
	int cli, acc;
	uint64_t v = 1;

	if (epoll_one(n->outer) != 0 || epoll_one(n->ep) != 0)
		return 1;	/* nothing is ready yet */
	cli = tcp_dial(AF_INET, n->port);
	if (cli < 0 || epoll_one(n->outer) != 0x6666 ||
	    epoll_one(n->ep) != 0x4444)
		return 2;	/* the listener is watched */
	acc = accept(n->lst, NULL, NULL);
	if (acc < 0 || epoll_one(n->ep) != 0 || epoll_one(n->outer) != 0)
		return 3;
	if (write(n->efd, &v, sizeof(v)) != sizeof(v) ||
	    epoll_one(n->outer) != 0x6666 || epoll_one(n->ep) != 0x5555)
		return 4;
	close(cli);
	close(acc);
	return 0;
}

static int epoll_nested_member(void)
{
	struct nest n;

	if (nest_set(&n))
		return EX_SETUP + 1;
	member_ready();
	member_wait();
	return nest_check(&n);
}

/*
 * An epoll in an epoll, watching a TCP listener and an eventfd: both
 * come back, the inner one's items added again and the outer one woken
 * through it, as Redis and event loops like it use them.
 */
TEST_F(store, epoll_nested_with_listener)
{
	int code = member_round_trip(_metadata, self, epoll_nested_member);

	EXPECT_EQ(0, code) TH_LOG("epoll check %d failed", code);
}

struct reader {
	int fd, err;
	pid_t tid;
	ssize_t n;
	char buf[16];
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;

	__atomic_store_n(&r->tid, gettid(), __ATOMIC_RELEASE);
	r->n = read(r->fd, r->buf, sizeof(r->buf));
	r->err = errno;
	return NULL;
}

/* Is thread @tid in read()?  Its /proc syscall line starts with 0. */
static bool in_read(pid_t tid)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
	return !read_text(path, "syscall", buf, sizeof(buf)) &&
	       !strncmp(buf, "0 ", 2);
}

static int blocked_read_member(void)
{
	static struct reader r;
	sigset_t usr1;
	pthread_t th;
	int p[2], i;

	if (pipe(p))
		return EX_SETUP + 1;
	r.fd = p[0];
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (pthread_create(&th, NULL, reader_fn, &r))
		return EX_SETUP + 2;
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	for (i = 0; !__atomic_load_n(&r.tid, __ATOMIC_ACQUIRE) || !in_read(r.tid);
	     i++) {
		if (i > 5000)
			return EX_SETUP + 3;
		usleep(1000);
	}
	member_ready();
	member_wait();
	for (i = 0; !in_read(r.tid); i++) {
		if (i > 2000)
			return 1;	/* not back in read() */
		usleep(1000);
	}
	if (write(p[1], "hello", 5) != 5)
		return 2;
	pthread_join(th, NULL);
	if (r.n < 0)
		return r.err == EINTR ? 3 : 4;
	if (r.n != 5 || memcmp(r.buf, "hello", 5))
		return 5;
	return 0;
}

/*
 * A thread blocked in read() on an empty pipe is in read() again after
 * the restore, and gets what the main thread writes then, not EINTR.
 */
TEST_F(store, blocked_read_resumes)
{
	int code = member_round_trip(_metadata, self, blocked_read_member);

	EXPECT_EQ(0, code) TH_LOG("blocked read check %d failed", code);
}

/* ---- Processes ---- */

static int tree_member(void)
{
	pid_t g1, g2, g3, z, g[3], sid = getsid(0), me;
	siginfo_t si;
	int status, i;

	if (setpgid(0, 0))
		return EX_SETUP + 1;
	g1 = fork();
	if (g1 == 0) {
		close(READY_FD);	/* only the root's */
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(g1, g1);	/* from both sides: no race */
	g2 = fork();
	if (g2 == 0) {
		close(READY_FD);
		setsid();
		for (;;)
			pause();
	}
	g3 = fork();
	if (g3 == 0) {
		close(READY_FD);
		for (;;)
			pause();
	}
	z = fork();
	if (z == 0)
		_exit(7);
	if (g1 < 0 || g2 < 0 || g3 < 0 || z < 0)
		return EX_SETUP + 2;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, z, &si, WEXITED | WNOWAIT))	/* a zombie now */
		return EX_SETUP + 3;
	for (i = 0; getsid(g2) != g2; i++) {
		if (i > 5000)
			return EX_SETUP + 4;
		usleep(1000);
	}
	member_ready();
	member_wait();

	me = getpid();
	if (getpgid(0) != me)
		return 1;	/* no longer the leader of its group */
	if (getsid(0) != sid)
		return 2;
	if (getpgid(g1) != g1 || getsid(g1) != sid)
		return 3;
	if (getsid(g2) != g2 || getpgid(g2) != g2)
		return 4;
	if (getpgid(g3) != me || getsid(g3) != sid)
		return 5;
	if (ppid_of(g1) != me || ppid_of(g2) != me || ppid_of(g3) != me)
		return 6;
	if (waitpid(z, &status, WNOHANG) != z || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 7)
		return 7;
	g[0] = g1;
	g[1] = g2;
	g[2] = g3;
	for (i = 0; i < 3; i++)
		if (kill(g[i], SIGKILL) || waitpid(g[i], &status, 0) != g[i])
			return 8;
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		return 9;	/* a child too many */
	return 0;
}

/*
 * The process tree: the root, leader of its own group, with a child that
 * leads a group of its own, one that leads a session, one in the root's
 * group, and a zombie that exited with 7: all back with their pids,
 * parents, groups and sessions, and waitpid() finds the zombie and its
 * status.
 */
TEST_F(store, process_tree)
{
	int code = member_round_trip(_metadata, self, tree_member);

	EXPECT_EQ(0, code) TH_LOG("process tree check %d failed", code);
}

static sig_atomic_t go_on;	/* SIGUSR2 came: the first epoch is taken */

static void on_sigusr2(int sig)
{
	__atomic_store_n(&go_on, 1, __ATOMIC_RELAXED);
}

/* Until SIGUSR2, which comes once the first epoch is taken. */
static int wait_sigusr2(void)
{
	struct sigaction sa = { .sa_handler = on_sigusr2 };
	sigset_t usr2, old;

	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	if (sigaction(SIGUSR2, &sa, NULL) || sigprocmask(SIG_BLOCK, &usr2, &old))
		return -1;
	member_ready_keep();
	while (!__atomic_load_n(&go_on, __ATOMIC_RELAXED))
		sigsuspend(&old);
	return 0;
}

/*
 * round_trip() with a change between two epochs: @member says it is set
 * once, waits for SIGUSR2, which comes after the first epoch, changes
 * (forks, execs) and says so again; the second epoch is restored.
 */
static int changed_round_trip(struct __test_metadata *_metadata,
			      FIXTURE_DATA(store) * self, int (*member)(void))
{
	int ready, pidfd, code;
	pid_t pid, got;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(member());
	set_and_checkpoint(_metadata, self, pid, ready);
	EXPECT_EQ(0, kill(pid, SIGUSR2));
	EXPECT_EQ(0, wait_ready(ready))
		TH_LOG("no change: %d", setup_status(pid));
	close(ready);
	checkpoint(_metadata, self);
	kill_tree(_metadata, self, pid);
	pidfd = restore(_metadata, self, 0, 0, &got);
	EXPECT_EQ(pid, got);
	code = finish(pidfd, got);
	close(pidfd);
	return code;
}

/* Once restored, let child @c check itself: 0 if it found all as it was. */
static int child_finish(pid_t c)
{
	int status, i;

	for (i = 0; i < 100; i++) {
		kill(c, SIGUSR1);
		if (waitpid(c, &status, WNOHANG) == c)
			return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 :
			       WIFEXITED(status) ? 10 + WEXITSTATUS(status) :
			       128 + WTERMSIG(status);
		usleep(100000);
	}
	return 60;
}

/*
 * A member that fills memory, waits (SIGUSR2) for the first epoch to be
 * taken, then forks a child that keeps that memory as it inherited it:
 * clean pages, which no dirty bit says the child's epoch must write.
 */
static int late_fork_member(void)
{
	static char buf[16 * PAGE];
	pid_t c;

	fill(buf, sizeof(buf), 77);
	if (wait_sigusr2())
		return EX_SETUP + 1;
	c = fork();
	if (c == 0) {
		close(READY_FD);
		member_wait();
		return filled(buf, sizeof(buf), 77) ? 0 : 1;
	}
	if (c < 0 || write(READY_FD, "f", 1) != 1)
		return EX_SETUP + 2;
	close(READY_FD);
	member_wait();
	if (!filled(buf, sizeof(buf), 77))
		return 2;
	return child_finish(c);
}

/*
 * A child forked after an epoch has all of its memory in the next one,
 * the pages it shares with its parent clean or not: restored, the child
 * finds them as they were.
 */
TEST_F(store, child_forked_between_epochs)
{
	int code = changed_round_trip(_metadata, self, late_fork_member);

	EXPECT_EQ(0, code) TH_LOG("late fork check %d failed", code);
}

#define PROBE_AT	0x600000000000UL	/* clear of what exec maps */
#define PROBE_LEN	(16 * PAGE)

/*
 * What a member execs (this program again, told by its environment): it
 * maps fresh memory where the member before the exec had filled some, and
 * once restored checks that it is as fresh.
 */
static int exec_probe(void)
{
	char *p = mmap((void *)PROBE_AT, PROBE_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (char *)PROBE_AT)
		return EX_SETUP + 3;
	member_ready();
	member_wait();
	return all(p, PROBE_LEN, 0) ? 0 : 1;
}

__attribute__((constructor)) static void exec_probe_main(void)
{
	if (getenv("SLS_EXEC_PROBE"))
		_exit(exec_probe());
}

static int exec_member(void)
{
	char *p = mmap((void *)PROBE_AT, PROBE_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (char *)PROBE_AT)
		return EX_SETUP + 1;
	fill(p, PROBE_LEN, 78);
	if (wait_sigusr2() || setenv("SLS_EXEC_PROBE", "1", 1))
		return EX_SETUP + 2;
	execl("/proc/self/exe", "sls_restore_test", (char *)NULL);
	return EX_SETUP + 4;
}

/*
 * A process that execs after an epoch has none of its old memory in the
 * next: restored, what the new program mapped where the old one had pages
 * holds nothing of them.
 */
TEST_F(store, exec_between_epochs)
{
	int code = changed_round_trip(_metadata, self, exec_member);

	EXPECT_EQ(0, code) TH_LOG("exec check %d failed", code);
}

static int attrs_member(const char *dir)
{
	static struct rlimit lim[RLIM_NLIMITS];
	struct rlimit now, nofile = { 950, 1000 }, core = { 0, 0 };
	char cwd[PATH_MAX], comm[16] = "";
	pid_t ppid = getppid();
	int i;

	if (chdir(dir) || setrlimit(RLIMIT_NOFILE, &nofile) ||
	    setrlimit(RLIMIT_CORE, &core) || prctl(PR_SET_NAME, "sls-attrs"))
		return EX_SETUP + 1;
	umask(027);
	for (i = 0; i < RLIM_NLIMITS; i++)
		getrlimit(i, &lim[i]);
	member_ready();
	member_wait();
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, dir))
		return 1;
	if (access("inside", F_OK))
		return 2;	/* relative paths start there */
	if (umask(0) != 027)
		return 3;
	for (i = 0; i < RLIM_NLIMITS; i++)
		if (getrlimit(i, &now) || now.rlim_cur != lim[i].rlim_cur ||
		    now.rlim_max != lim[i].rlim_max)
			return 10 + i;
	if (prctl(PR_GET_NAME, comm) || strcmp(comm, "sls-attrs"))
		return 4;
	if (getppid() != ppid)
		return 5;
	return 0;
}

/* cwd, umask, every rlimit, comm and the parent come back. */
TEST_F(store, process_attributes)
{
	char dir[48], real[PATH_MAX], inside[64];
	int ready, code;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s.cwd", self->img);
	snprintf(inside, sizeof(inside), "%s/inside", dir);
	ASSERT_EQ(0, mkdir(dir, 0700));
	ASSERT_EQ(0, make_file(inside, 'i', 1));
	ASSERT_NE(NULL, realpath(dir, real));	/* as getcwd() says it */
	pid = fork_member(&ready);
	if (pid == 0)
		_exit(attrs_member(real));
	code = round_trip(_metadata, self, pid, ready);
	EXPECT_EQ(0, code) TH_LOG("attribute check %d failed", code);
	unlink(inside);
	rmdir(dir);
}

/*
 * A process that checkpointed itself with sls_persist(SLS_SELF) returns
 * from it again after the restore, with the epoch number, which it exits
 * with.
 */
TEST_F(store, persist_self_returns_epoch)
{
	long long epoch = 0;
	int ready, pidfd, i;
	pid_t pid, got;

	pid = fork_member(&ready);
	if (pid == 0) {
		struct sls_persist_args args = { .flags = SLS_PERSIST_SYNC };
		int part = sls_open(AT_FDCWD, self->path, NULL, 0, 0);
		long e;

		if (part < 0 || attach(part, getpid(), 0))
			_exit(EX_SETUP + 1);
		close(part);
		member_ready();
		e = sls_persist(SLS_SELF, &args, sizeof(args));
		member_wait();
		_exit(e > 0 && e < EX_SETUP ? e : EX_SETUP + 2);
	}
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_ready(ready));
	for (i = 0; i < 1000 && epoch <= 0; i++) {
		usleep(10000);
		epoch = figure(self->sysfs, "durable_epoch");
	}
	ASSERT_LT(0, epoch) TH_LOG("the member never checkpointed itself");
	kill_tree(_metadata, self, pid);
	pidfd = restore(_metadata, self, 0, 0, &got);
	EXPECT_EQ(pid, got);
	EXPECT_EQ(epoch, finish(pidfd, got));
	close(pidfd);
	close(ready);
}

/*
 * The restored root has the original pid.  While it lives the partition
 * is busy; once it is detached, its pid is taken: EEXIST, nothing made;
 * SLS_RESTORE_NEWPID then makes a second copy under a new pid, a member.
 */
TEST_F(store, pid_busy_taken_newpid)
{
	int ready, pidfd, pidfd2, err;
	char why[200] = "";
	pid_t pid, got, got2;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(simple_member());
	set_and_checkpoint(_metadata, self, pid, ready);
	kill_tree(_metadata, self, pid);
	pidfd = restore(_metadata, self, 0, 0, &got);
	EXPECT_EQ(pid, got);
	EXPECT_EQ(getpid(), ppid_of(got));
	EXPECT_TRUE(is_member(self->sysfs, got));

	EXPECT_EQ(EBUSY, restore_errno(self, 0, 0));
	ASSERT_EQ(0, attach(self->part, got, SLS_DETACH));
	ASSERT_EQ(0, wait_no_members(self->sysfs));
	err = restore_errno(self, 0, 0);
	read_text(self->sysfs, "last_error", why, sizeof(why));
	EXPECT_EQ(EEXIST, err) TH_LOG("last_error: %s", why);
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG));	/* only the first */
	EXPECT_EQ(0, wait_no_members(self->sysfs));

	pidfd2 = restore(_metadata, self, SLS_RESTORE_NEWPID, 0, &got2);
	EXPECT_NE(got, got2);
	EXPECT_TRUE(is_member(self->sysfs, got2));
	EXPECT_FALSE(is_member(self->sysfs, got));
	EXPECT_EQ(0, finish(pidfd2, got2));
	EXPECT_EQ(0, finish(pidfd, got));
	close(pidfd2);
	close(pidfd);
	close(ready);
}

/* The state letter of @pid in /proc/PID/stat, or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *paren;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/*
 * SLS_RESTORE_STOPPED: the restored process is stopped before its first
 * instruction, and goes on as it was once continued.
 */
TEST_F(store, restore_stopped)
{
	int ready, pidfd, status, i;
	pid_t pid, got;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(simple_member());
	set_and_checkpoint(_metadata, self, pid, ready);
	close(ready);
	kill_tree(_metadata, self, pid);
	pidfd = restore(_metadata, self, SLS_RESTORE_STOPPED, 0, &got);
	EXPECT_EQ(pid, got);
	EXPECT_EQ(got, waitpid(got, &status, WUNTRACED));
	EXPECT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	for (i = 0; i < 100 && proc_state(got) != 'T'; i++)
		usleep(10000);
	EXPECT_EQ('T', proc_state(got));
	EXPECT_EQ(0, kill(got, SIGCONT));
	EXPECT_EQ(0, finish(pidfd, got));
	close(pidfd);
}

/*
 * Restoring processes with credentials other than the caller's takes
 * CAP_CHECKPOINT_RESTORE: a caller without it gets EPERM, and nothing.
 */
TEST_F(store, credentials_need_capability)
{
	int ready, status, err;
	pid_t pid, child;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(simple_member());
	set_and_checkpoint(_metadata, self, pid, ready);
	close(ready);
	kill_tree(_metadata, self, pid);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		/* uid 1000, every capability gone with root */
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(100);
		err = try_restore(self, 0, 0) < 0 ? errno : 0;
		_exit(err == EPERM ? 0 : err ? err : 101);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("errno %d", WEXITSTATUS(status));
	EXPECT_NOTHING_LEFT(pid);
}

static sig_atomic_t region_go;	/* SIGUSR2 came: persist the regions */

static void region_go_handler(int sig)
{
	region_go = 1;
}

/*
 * Pages A and B, 1 when the whole member is checkpointed; then, on
 * SIGUSR2, A is 2, persisted as a region with SLS_PERSIST_REGION and
 * @flags, B is 2, and A is 3, ... 21, persisted after each.  The member
 * says it is done on its ready pipe, or with file @done once it was
 * restored (the pipe's far end is gone).  Restored after that, it is
 * where the whole checkpoint found it, with A as the last region epoch
 * has it and B as the whole epoch does.
 */
static int region_member(__u64 flags, const char *done)
{
	struct sls_persist_args region = {
		.flags = SLS_PERSIST_REGION | SLS_PERSIST_SYNC | flags,
		.len = PAGE,
	};
	char *a = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int k, fd;

	if (a == MAP_FAILED || signal(SIGUSR2, region_go_handler) == SIG_ERR)
		return EX_SETUP + 1;
	fill(a, PAGE, 1);
	fill(a + PAGE, PAGE, 1);
	member_ready_keep();
	while (!region_go && !__atomic_load_n(&restored, __ATOMIC_RELAXED))
		pause();
	if (__atomic_load_n(&restored, __ATOMIC_RELAXED))
		return !filled(a, PAGE, 21) ? 1 : !filled(a + PAGE, PAGE, 1) ? 2 : 0;
	region.addr = (unsigned long)a;
	for (k = 2; k <= 21; k++) {
		fill(a, PAGE, k);
		if (sls_persist(SLS_SELF, &region, sizeof(region)) <= 0)
			return EX_SETUP + 2;
		if (k == 2)	/* after a region that may be a whole epoch */
			fill(a + PAGE, PAGE, 2);
	}
	fd = done ? open(done, O_WRONLY | O_CREAT | O_CLOEXEC, 0600) : READY_FD;
	if (fd < 0 || (!done && write(fd, "d", 1) != 1))
		return EX_SETUP + 3;
	if (done)
		close(fd);
	for (;;)
		pause();	/* until killed */
}

/*
 * Twenty regions in a row: with keep_epochs 32 none of them has to be a
 * whole epoch (see region_row_ends_in_whole_epoch).
 */
#define REGION_KEEP	32

/*
 * A region epoch restores: the processes as of the last whole epoch, the
 * region as of its last persist.
 */
static int region_round_trip(struct __test_metadata *_metadata,
			     FIXTURE_DATA(store) * self, __u64 flags)
{
	int ready;
	pid_t pid;
	char c = 0;

	EXPECT_EQ(0, set_figure(self->sysfs, "keep_epochs", REGION_KEEP));
	pid = fork_member(&ready);
	if (pid == 0)
		_exit(region_member(flags, NULL));
	set_and_checkpoint(_metadata, self, pid, ready);
	EXPECT_EQ(0, kill(pid, SIGUSR2));
	EXPECT_EQ(1, read(ready, &c, 1)) TH_LOG("member: %d", setup_status(pid));
	EXPECT_EQ('d', c);
	close(ready);
	kill_tree(_metadata, self, pid);
	return restore_and_check(_metadata, self, pid);
}

TEST_F(store, region_epochs_restore)
{
	int code = region_round_trip(_metadata, self, 0);

	EXPECT_EQ(0, code) TH_LOG("region check %d failed", code);
}

/*
 * SLS_PERSIST_FULL takes each page of the range, and only of the range:
 * the rest still comes from the whole epoch before.
 */
TEST_F(store, full_region_keeps_the_rest)
{
	int code = region_round_trip(_metadata, self, SLS_PERSIST_FULL);

	EXPECT_EQ(0, code) TH_LOG("region check %d failed", code);
}

/* Until file @path exists, 10 s at most: 0, or -1. */
static int wait_file(const char *path)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (!access(path, F_OK))
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * A restored process persists regions, and a restore of them brings its
 * range back as the last one has it: they went on in the memory the first
 * restore read, not in memory no whole epoch knows.
 */
TEST_F(store, region_epochs_after_restore)
{
	int ready, pidfd, code;
	char done[48];
	pid_t pid, got;

	snprintf(done, sizeof(done), "%s.done", self->img);
	unlink(done);
	EXPECT_EQ(0, set_figure(self->sysfs, "keep_epochs", REGION_KEEP));
	pid = fork_member(&ready);
	if (pid == 0)
		_exit(region_member(0, done));
	set_and_checkpoint(_metadata, self, pid, ready);
	close(ready);
	kill_tree(_metadata, self, pid);
	pidfd = restore(_metadata, self, 0, 0, &got);
	EXPECT_EQ(pid, got);
	EXPECT_EQ(0, syscall(__NR_pidfd_send_signal, pidfd, SIGUSR2, NULL, 0));
	close(pidfd);
	EXPECT_EQ(0, wait_file(done)) TH_LOG("the regions were not persisted");
	kill_tree(_metadata, self, got);
	unlink(done);
	code = restore_and_check(_metadata, self, pid);
	EXPECT_EQ(0, code) TH_LOG("region check %d failed", code);
}

static int groups_member(void)
{
	static const gid_t want[] = { 7, 42, 1000 };
	gid_t got[8];

	if (setgroups(3, want))
		return EX_SETUP + 1;
	member_ready();
	member_wait();
	if (getgroups(8, got) != 3 || got[0] != 7 || got[1] != 42 || got[2] != 1000)
		return 1;
	return 0;
}

/* Supplementary groups come back as they were, not as the restorer's. */
TEST_F(store, supplementary_groups)
{
	int code = member_round_trip(_metadata, self, groups_member);

	EXPECT_EQ(0, code) TH_LOG("groups check %d failed", code);
}

/*
 * A file a member had open that changed since the epoch, its mtime or its
 * size, makes the restore fail with ESTALE; a file that is gone, with
 * ENOENT.  Nothing is left behind by any of them.
 */
TEST_F(store, changed_or_missing_file_refused)
{
	struct timespec times[2];
	char file[48];
	struct stat st;
	int ready, fd;
	pid_t pid;

	snprintf(file, sizeof(file), "%s.stale", self->img);
	ASSERT_EQ(0, make_file(file, 's', 1000));
	pid = fork_member(&ready);
	if (pid == 0) {
		if (open(file, O_RDWR) < 0)
			_exit(EX_SETUP + 1);
		_exit(simple_member());
	}
	set_and_checkpoint(_metadata, self, pid, ready);
	kill_tree(_metadata, self, pid);
	ASSERT_EQ(0, stat(file, &st));

	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	times[1].tv_sec -= 100;
	ASSERT_EQ(0, utimensat(AT_FDCWD, file, times, 0));
	EXPECT_EQ(ESTALE, restore_errno(self, 0, 0)) TH_LOG("mtime changed");
	EXPECT_NOTHING_LEFT(pid);

	fd = open(file, O_WRONLY | O_APPEND);
	ASSERT_EQ(1, write(fd, "+", 1));
	close(fd);
	times[1] = st.st_mtim;		/* the size only */
	ASSERT_EQ(0, utimensat(AT_FDCWD, file, times, 0));
	EXPECT_EQ(ESTALE, restore_errno(self, 0, 0)) TH_LOG("size changed");
	EXPECT_NOTHING_LEFT(pid);

	ASSERT_EQ(0, unlink(file));
	EXPECT_EQ(ENOENT, restore_errno(self, 0, 0));
	EXPECT_NOTHING_LEFT(pid);
	close(ready);
}

/*
 * Flip a byte of the block of image @img that begins with the @n bytes of
 * @blk: 0, or -1 unless exactly one block does.  Only the data of the
 * sparse image is read.
 */
static int flip_block(const char *img, const char *blk, size_t n)
{
	static char buf[PAGE];
	off_t data = 0, hole, at = -1, end;
	int fd = open(img, O_RDWR), found = 0;
	char c;

	if (fd < 0)
		return -1;
	end = lseek(fd, 0, SEEK_END);
	while (data < end) {
		data = lseek(fd, data, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break;
		hole = data < 0 ? end : lseek(fd, data, SEEK_HOLE);
		if (data < 0)
			data = 0;
		for (data &= ~(off_t)(PAGE - 1); data < hole; data += PAGE)
			if (pread(fd, buf, PAGE, data) == PAGE &&
			    !memcmp(buf, blk, n)) {
				at = data;
				found++;
			}
	}
	if (found == 1 && pread(fd, &c, 1, at + n / 2) == 1) {
		c ^= 0xff;
		if (pwrite(fd, &c, 1, at + n / 2) != 1 || fsync(fd))
			found = 0;
	}
	close(fd);
	return found == 1 ? 0 : -1;
}

/*
 * An epoch whose records have a byte flipped on the device is refused
 * with EUCLEAN (or EIO), and nothing is left behind.
 */
TEST_F_TIMEOUT(store, corrupted_epoch_refused, 120)
{
	char path[96], blk[PAGE];
	int ready, fd, err;
	ssize_t n;
	long epoch;
	pid_t pid;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(simple_member());
	epoch = set_and_checkpoint(_metadata, self, pid, ready);
	kill_tree(_metadata, self, pid);

	snprintf(path, sizeof(path), "%s/p/%ld", self->mnt, epoch);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, blk, sizeof(blk));
	close(fd);
	ASSERT_LT(64, n);
	ASSERT_EQ(0, flip_block(self->img, blk, n));
	/* The store sees it: the epoch no longer reads. */
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, blk, sizeof(blk)));
	EXPECT_EQ(EUCLEAN, errno);
	close(fd);

	err = restore_errno(self, 0, 0);
	EXPECT_TRUE(err == EUCLEAN || err == EIO) TH_LOG("errno %d", err);
	EXPECT_NOTHING_LEFT(pid);
	close(ready);
}

/* A member with one page of its own, of a pattern the test can find. */
static int page_member(void)
{
	char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED)
		return EX_SETUP + 1;
	fill(page, PAGE, 43);
	member_ready();
	member_wait();
	return filled(page, PAGE, 43) ? 0 : 1;
}

/*
 * A page of memory with a byte flipped on the device fails the restore
 * while the process is being built, with EUCLEAN or EIO: the tasks made
 * so far exit and are reaped, and nothing is left behind.
 */
TEST_F_TIMEOUT(store, corrupted_page_refused, 120)
{
	static char page[PAGE];
	int ready, err;
	pid_t pid;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(page_member());
	set_and_checkpoint(_metadata, self, pid, ready);
	kill_tree(_metadata, self, pid);

	fill(page, sizeof(page), 43);	/* what page_member() holds */
	ASSERT_EQ(0, flip_block(self->img, page, sizeof(page)));
	err = restore_errno(self, 0, 0);
	EXPECT_TRUE(err == EUCLEAN || err == EIO) TH_LOG("errno %d", err);
	EXPECT_NOTHING_LEFT(pid);
	close(ready);
}

/* ---- Epochs ---- */

static char *phase_page;
static sig_atomic_t phase;

static void on_sigusr2_phase(int sig)
{
	__atomic_store_n(&phase, 'B', __ATOMIC_RELAXED);
	memset(phase_page, 'B', PAGE);
	if (write(READY_FD, "b", 1) != 1)
		_exit(EX_SETUP + 2);
}

static int phase_member(void)
{
	phase_page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (phase_page == MAP_FAILED || handle(SIGUSR2, on_sigusr2_phase,
					       SA_RESTART, 0))
		return EX_SETUP + 1;
	memset(phase_page, 'A', PAGE);
	__atomic_store_n(&phase, 'A', __ATOMIC_RELAXED);
	member_ready_keep();	/* SIGUSR2 says 'b' on it */
	member_wait();
	if (__atomic_load_n(&phase, __ATOMIC_RELAXED) != 'A')
		return 1;
	if (!all(phase_page, PAGE, 'A'))
		return 2;
	return 0;
}

/*
 * Restoring epoch A of A < B brings back A's state and makes A the latest
 * again: B is gone, and the next epoch comes after B.
 */
TEST_F(store, older_epoch_discards_later)
{
	char path[96], link[32] = "";
	long a, b, c;
	int ready, pidfd;
	pid_t pid, got;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(phase_member());
	a = set_and_checkpoint(_metadata, self, pid, ready);
	ASSERT_EQ(0, kill(pid, SIGUSR2));
	ASSERT_EQ(0, wait_ready(ready));
	b = checkpoint(_metadata, self);
	ASSERT_LT(a, b);
	kill_tree(_metadata, self, pid);

	pidfd = restore(_metadata, self, 0, a, &got);
	EXPECT_EQ(pid, got);
	EXPECT_EQ(a, figure(self->sysfs, "durable_epoch"));
	snprintf(path, sizeof(path), "%s/p/latest", self->mnt);
	EXPECT_LT(0, readlink(path, link, sizeof(link) - 1));
	EXPECT_EQ(a, atol(link)) TH_LOG("latest -> %s", link);
	snprintf(path, sizeof(path), "%s/p/%ld", self->mnt, b);
	EXPECT_EQ(-1, access(path, F_OK)) TH_LOG("epoch %ld is still there", b);

	c = checkpoint(_metadata, self);
	EXPECT_LT(b, c);
	EXPECT_EQ(c, figure(self->sysfs, "durable_epoch"));
	EXPECT_EQ(0, finish(pidfd, got));
	close(pidfd);
	close(ready);
}

/* Memory that the first epoch has and the member gives back before the next. */
static struct {
	char *anon;	/* 8 pages: 2 and 3 given back, 4 read again */
	char *remap;	/* 4 pages unmapped and mapped anew */
	char *file;	/* 2 pages of a private file mapping, 0 written */
	char *shared;	/* 4 pages of shared memory, 1 punched out */
} given;

static void on_sigusr2_give_back(int sig)
{
	madvise(given.anon + 2 * PAGE, 3 * PAGE, MADV_DONTNEED);
	if (!all(given.anon + 4 * PAGE, PAGE, 0))	/* read: the zero page */
		_exit(EX_SETUP + 4);
	munmap(given.remap, 4 * PAGE);
	if (mmap(given.remap, 4 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != given.remap)
		_exit(EX_SETUP + 3);
	memset(given.remap + 3 * PAGE, 'N', PAGE);
	madvise(given.file, PAGE, MADV_DONTNEED);
	madvise(given.shared + PAGE, PAGE, MADV_REMOVE);
	if (write(READY_FD, "g", 1) != 1)
		_exit(EX_SETUP + 2);
}

static int give_back_member(const char *map)
{
	int fd = open(map, O_RDONLY), i;

	given.anon = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	given.remap = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	given.file = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	given.shared = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	close(fd);
	if (given.anon == MAP_FAILED || given.remap == MAP_FAILED ||
	    given.file == MAP_FAILED || given.shared == MAP_FAILED ||
	    handle(SIGUSR2, on_sigusr2_give_back, SA_RESTART, 0))
		return EX_SETUP + 1;
	madvise(given.anon, 8 * PAGE, MADV_NOHUGEPAGE);
	memset(given.anon, 'A', 8 * PAGE);
	memset(given.remap, 'R', 4 * PAGE);
	memset(given.file, 'M', PAGE);
	memset(given.shared, 'S', 4 * PAGE);
	member_ready_keep();	/* SIGUSR2 says 'g' on it */
	member_wait();
	for (i = 0; i < 8; i++)
		if (!all(given.anon + i * PAGE, PAGE, i >= 2 && i <= 4 ? 0 : 'A'))
			return 1 + i;
	for (i = 0; i < 4; i++)
		if (!all(given.remap + i * PAGE, PAGE, i == 3 ? 'N' : 0))
			return 10 + i;
	if (!all(given.file, PAGE, 'f') || !all(given.file + PAGE, PAGE, 'f'))
		return 20;
	for (i = 0; i < 4; i++)
		if (!all(given.shared + i * PAGE, PAGE, i == 1 ? 0 : 'S'))
			return 30 + i;
	return 0;
}

/*
 * Memory given back between two epochs (MADV_DONTNEED, munmap and a new
 * mapping in its place, a private file page dropped, shared memory
 * punched out) comes back as the second epoch saw it: zeroes or the
 * file's, not what the first epoch wrote.
 */
TEST_F(store, memory_given_back_stays_gone)
{
	int ready, pidfd, code;
	char map[48];
	pid_t pid, got;
	long a, b;

	snprintf(map, sizeof(map), "%s.map", self->img);
	ASSERT_EQ(0, make_file(map, 'f', 2 * PAGE));
	pid = fork_member(&ready);
	if (pid == 0)
		_exit(give_back_member(map));
	a = set_and_checkpoint(_metadata, self, pid, ready);
	ASSERT_EQ(0, kill(pid, SIGUSR2));
	ASSERT_EQ(0, wait_ready(ready));
	b = checkpoint(_metadata, self);
	ASSERT_LT(a, b);
	close(ready);
	kill_tree(_metadata, self, pid);
	pidfd = restore(_metadata, self, 0, 0, &got);
	EXPECT_EQ(pid, got);
	code = finish(pidfd, got);
	EXPECT_EQ(0, code) TH_LOG("check %d failed", code);
	close(pidfd);
	unlink(map);
}

#define CHAIN 100
#define CHAIN_PICK 37

static unsigned char *chain_mem;
static sig_atomic_t chain_round;

static void on_sigusr2_chain(int sig)
{
	int r = __atomic_add_fetch(&chain_round, 1, __ATOMIC_RELAXED);

	if (r <= CHAIN)
		memset(chain_mem + r * PAGE, r, PAGE);
	if (write(READY_FD, "c", 1) != 1)
		_exit(EX_SETUP + 2);
}

static int chain_member(void)
{
	int r;

	chain_mem = mmap(NULL, (CHAIN + 1) * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (chain_mem == MAP_FAILED ||
	    handle(SIGUSR2, on_sigusr2_chain, SA_RESTART, 0))
		return EX_SETUP + 1;
	madvise(chain_mem, (CHAIN + 1) * PAGE, MADV_NOHUGEPAGE);
	memset(chain_mem, 0, (CHAIN + 1) * PAGE);
	member_ready_keep();	/* SIGUSR2 says 'c' on it */
	member_wait();
	if (__atomic_load_n(&chain_round, __ATOMIC_RELAXED) != CHAIN_PICK)
		return 1;
	for (r = 1; r <= CHAIN; r++)
		if (!all(chain_mem + r * PAGE, PAGE, r <= CHAIN_PICK ? r : 0))
			return 10 + r;
	return 0;
}

/*
 * A chain of 100 incremental epochs, each with one more page changed:
 * restoring the 37th gives the memory as it was then, the 37 pages
 * changed up to it and not the ones after.
 */
TEST_F_TIMEOUT(store, incremental_chain, 120)
{
	long epochs[CHAIN + 1];
	int ready, pidfd, r, code;
	pid_t pid, got;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(chain_member());
	ASSERT_EQ(0, set_figure(self->sysfs, "keep_epochs", 2 * CHAIN));
	epochs[0] = set_and_checkpoint(_metadata, self, pid, ready);
	for (r = 1; r <= CHAIN; r++) {
		ASSERT_EQ(0, kill(pid, SIGUSR2));
		ASSERT_EQ(0, wait_ready(ready));
		epochs[r] = checkpoint(_metadata, self);
		ASSERT_LT(epochs[r - 1], epochs[r]);
	}
	kill_tree(_metadata, self, pid);
	pidfd = restore(_metadata, self, 0, epochs[CHAIN_PICK], &got);
	EXPECT_EQ(pid, got);
	code = finish(pidfd, got);
	EXPECT_EQ(0, code) TH_LOG("chain check %d failed", code);
	close(pidfd);
	close(ready);
}

/* ---- Last: what the kernel may not restore yet ---- */

static int unix_member(void)
{
	char buf[32];
	int sv[2], n, type;
	socklen_t len = sizeof(type);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    write(sv[0], "ping-from-0", 11) != 11 ||
	    write(sv[1], "pong-from-one", 13) != 13)
		return EX_SETUP + 1;
	member_ready();
	member_wait();
	if (ioctl(sv[1], FIONREAD, &n) || n != 11)
		return 1;
	if (read(sv[1], buf, sizeof(buf)) != 11 || memcmp(buf, "ping-from-0", 11))
		return 2;
	if (read(sv[0], buf, sizeof(buf)) != 13 ||
	    memcmp(buf, "pong-from-one", 13))
		return 3;
	if (write(sv[0], "again", 5) != 5 || read(sv[1], buf, sizeof(buf)) != 5 ||
	    memcmp(buf, "again", 5))
		return 4;
	if (getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) ||
	    type != SOCK_STREAM)
		return 5;
	return 0;
}

/*
 * A UNIX stream socket pair with data queued both ways comes back
 * connected, the data readable at each end.
 */
TEST_F(store, unix_socketpair_data)
{
	int code = member_round_trip(_metadata, self, unix_member);

	EXPECT_EQ(0, code) TH_LOG("socket check %d failed", code);
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif

/* Seconds between the kill and the restore in restored_clocks_go_on. */
#define CLOCK_GAP_S	4

static long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A member that checks, once restored, how far its clocks went. */
static int clocks_member(void)
{
	const long long gap = CLOCK_GAP_S * 1000000000LL;
	long long mono = clock_ns(CLOCK_MONOTONIC);
	long long boot = clock_ns(CLOCK_BOOTTIME);
	long long mono2, boot2;

	member_ready();
	member_wait();
	mono2 = clock_ns(CLOCK_MONOTONIC);
	boot2 = clock_ns(CLOCK_BOOTTIME);
	if (mono2 < mono || boot2 < boot)
		return 1;	/* back */
	if (mono2 - mono >= gap || boot2 - boot >= gap)
		return 2;	/* the time it was gone counted */
	return 0;
}

/*
 * A restored process's CLOCK_MONOTONIC and CLOCK_BOOTTIME go on from the
 * checkpoint: the seconds it was gone do not count, and they do not go
 * back (in another boot they would start from zero).
 */
TEST_F(store, restored_clocks_go_on)
{
	int ready, code;
	pid_t pid;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(clocks_member());
	set_and_checkpoint(_metadata, self, pid, ready);
	close(ready);
	kill_tree(_metadata, self, pid);
	sleep(CLOCK_GAP_S);
	code = restore_and_check(_metadata, self, pid);
	EXPECT_EQ(0, code) TH_LOG("clocks check %d failed", code);
}

/* A member whose child is in a time namespace of its own. */
static int two_clocks_member(void)
{
	pid_t child;

	if (unshare(CLONE_NEWTIME))
		return EX_SETUP + 1;
	child = fork();
	if (child < 0)
		return EX_SETUP + 2;
	if (child == 0)
		for (;;)
			pause();
	member_ready();
	member_wait();
	return 0;
}

/*
 * Members in two time namespaces are refused: a restore puts them all in
 * one, and one of them would see its clocks jump.
 */
TEST_F(store, two_time_namespaces_refused)
{
	struct sls_persist_args args = { .flags = SLS_PERSIST_SYNC };
	char why[200] = "";
	int ready, err;
	pid_t pid;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(two_clocks_member());
	ASSERT_EQ(0, wait_ready(ready)) TH_LOG("member: %d", setup_status(pid));
	ASSERT_EQ(0, attach(self->part, pid, SLS_ATTACH_TREE));
	EXPECT_GT(0, sls_persist(self->part, &args, sizeof(args)));
	err = errno;
	read_text(self->sysfs, "last_error", why, sizeof(why));
	EXPECT_EQ(EOPNOTSUPP, err);
	EXPECT_NE(NULL, strstr(why, "another time namespace")) TH_LOG("%s", why);
	close(ready);
}

/*
 * A member with a deleted file open on two descriptors opened one by one,
 * and a dup of the first, at offset 6.  Restored: the contents, the
 * offsets, the sharing of the offset with the dup and of the file with
 * the other open are as they were, and the file is still deleted.
 */
static int tmpfile_member(void)
{
	char path[] = "/tmp/sls-tmpfile.XXXXXX", buf[16];
	int a = mkstemp(path), b, c;
	struct stat sa, sb;

	b = a < 0 ? -1 : open(path, O_RDWR);
	if (b < 0 || write(a, "hello unlinked", 14) != 14 || unlink(path) ||
	    lseek(a, 6, SEEK_SET) != 6)
		return EX_SETUP + 1;
	c = dup(a);
	member_ready();
	member_wait();
	if (fstat(a, &sa) || fstat(b, &sb) || sa.st_nlink || sa.st_size != 14)
		return 1;
	if (read(a, buf, 8) != 8 || memcmp(buf, "unlinked", 8))
		return 2;
	if (lseek(c, 0, SEEK_CUR) != 14)
		return 3;	/* the dup shares the offset */
	if (read(b, buf, 5) != 5 || memcmp(buf, "hello", 5))
		return 4;	/* the other open has its own */
	if (sa.st_ino != sb.st_ino || pwrite(b, "!", 1, 14) != 1 ||
	    pread(a, buf, 1, 14) != 1 || buf[0] != '!')
		return 5;	/* both are the one file */
	return 0;
}

/* A deleted file comes back, deleted, with its contents and offsets. */
TEST_F(store, deleted_file_restored)
{
	int code = member_round_trip(_metadata, self, tmpfile_member);

	EXPECT_EQ(0, code) TH_LOG("deleted file check %d failed", code);
}

/* The abstract address of the listener of accepted_member(). */
static const struct sockaddr_un accept_addr = {
	.sun_family = AF_UNIX, .sun_path = "\0sls-accept",
};
#define ACCEPT_ADDR_LEN	(offsetof(struct sockaddr_un, sun_path) + 12)

/* Whether @fd's name (or with @peer its peer's) is accept_addr. */
static bool named_accept_addr(int fd, bool peer)
{
	struct sockaddr_un got;
	socklen_t n = sizeof(got);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&got, &n))
		return false;
	return n == ACCEPT_ADDR_LEN && !memcmp(&got, &accept_addr, n);
}

/*
 * A member with a listener, both ends of a connection it accepted, and
 * data queued each way; with @close_listener it closes the listener.
 * Restored: the data is there, the accepted end has the listener's name
 * and the client end has it as its peer's, the connection carries more,
 * and the listener accepts a new one.
 */
static int accepted_member(bool close_listener)
{
	const struct sockaddr *sa = (const struct sockaddr *)&accept_addr;
	int l, c, a, c2;
	char buf[8];

	l = socket(AF_UNIX, SOCK_STREAM, 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, sa, ACCEPT_ADDR_LEN) || listen(l, 4) ||
	    connect(c, sa, ACCEPT_ADDR_LEN))
		return EX_SETUP + 1;
	a = accept(l, NULL, NULL);
	if (a < 0 || write(c, "hello", 5) != 5 || write(a, "world", 5) != 5)
		return EX_SETUP + 2;
	if (close_listener)
		close(l);
	member_ready();
	member_wait();
	if (read(a, buf, 5) != 5 || memcmp(buf, "hello", 5))
		return 1;
	if (read(c, buf, 5) != 5 || memcmp(buf, "world", 5))
		return 2;
	if (!named_accept_addr(a, false) || !named_accept_addr(c, true))
		return 3;
	if (write(a, "x", 1) != 1 || read(c, buf, 1) != 1 || buf[0] != 'x')
		return 4;
	c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c2 < 0 || connect(c2, sa, ACCEPT_ADDR_LEN) || accept(l, NULL, NULL) < 0)
		return 5;
	return 0;
}

static int accepted_listening_member(void)
{
	return accepted_member(false);
}

/*
 * An accepted UNIX connection comes back connected to the restored
 * listener, with its names and its data.
 */
TEST_F(store, unix_accepted_connection)
{
	int code = member_round_trip(_metadata, self, accepted_listening_member);

	EXPECT_EQ(0, code) TH_LOG("accepted connection check %d failed", code);
}

/*
 * What restore cannot rebuild yet is refused with EOPNOTSUPP, saying so,
 * and leaves nothing behind: an accepted UNIX connection whose listener
 * was closed (no socket of the epoch has its name).
 */
TEST_F(store, unsupported_refused)
{
	char why[200] = "";
	int ready, err;
	pid_t pid;

	pid = fork_member(&ready);
	if (pid == 0)
		_exit(accepted_member(true));
	set_and_checkpoint(_metadata, self, pid, ready);
	kill_tree(_metadata, self, pid);

	err = restore_errno(self, 0, 0);
	read_text(self->sysfs, "last_error", why, sizeof(why));
	EXPECT_EQ(EOPNOTSUPP, err) TH_LOG("last_error: %s", why);
	EXPECT_NE(NULL, strstr(why, "accepted connection")) TH_LOG("%s", why);
	EXPECT_NOTHING_LEFT(pid);
	close(ready);
}

/* ---- SLS_RESTORE_LAZY ---- */

/* What the status of @pid (0: self) says of its anonymous memory, in KiB; -1. */
static long rss_anon_kib(pid_t pid)
{
	char line[128];
	long kib = -1;
	FILE *f;

	if (pid)
		snprintf(line, sizeof(line), "/proc/%d/status", pid);
	f = fopen(pid ? line : "/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "RssAnon: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* filled(), for @len bytes at offset @off of what fill() filled. */
static bool filled_at(const void *p, size_t off, size_t len, unsigned int seed)
{
	const unsigned char *c = p;
	size_t i;

	hide(p);
	for (i = off; i < off + len; i++)
		if (c[i] != pattern(i, seed))
			return false;
	return true;
}

static char *map_filled(size_t pages, unsigned int seed)
{
	char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		fill(p, pages * PAGE, seed);
	return p;
}

#define LAZY_A		1024	/* pages read once restored */
#define LAZY_B		64	/* moved by mremap, read by a child */
#define LAZY_C		16	/* the first 4 dropped */
#define LAZY_D		32	/* never touched */
#define LAZY_MOVED_AT	0x610000000000UL

/*
 * Restored lazily (SIGUSR2), the member finds its pages come in as it
 * touches them, in a child too; drops some and moves others, says so in
 * file @done, and once restored again (SIGUSR1) checks that the epoch
 * taken meanwhile has what it did.
 */
static int lazy_member(const char *done)
{
	char *a = map_filled(LAZY_A, 21), *b = map_filled(LAZY_B, 22);
	char *c = map_filled(LAZY_C, 23), *d = map_filled(LAZY_D, 24);
	long rss0, rss1;
	int status, fd;
	pid_t kid;

	if (a == MAP_FAILED || b == MAP_FAILED || c == MAP_FAILED ||
	    d == MAP_FAILED || wait_sigusr2())
		return EX_SETUP + 1;
	close(READY_FD);
	rss0 = rss_anon_kib(0);
	if (rss0 < 0 || rss0 > LAZY_A * PAGE / 1024 / 2)
		return 1;		/* came in before it was touched */
	if (!filled(a, LAZY_A * PAGE, 21))
		return 2;
	rss1 = rss_anon_kib(0);
	if (rss1 - rss0 < LAZY_A * PAGE / 1024 * 3 / 4)
		return 3;		/* did not come in on the touch */
	kid = fork();
	if (kid == 0)
		_exit(filled(b, LAZY_B * PAGE, 22) ? 0 : 1);
	if (kid < 0 || waitpid(kid, &status, 0) != kid || status)
		return 4;
	if (madvise(c, 4 * PAGE, MADV_DONTNEED) || !all(c, 4 * PAGE, 0) ||
	    !filled_at(c, 4 * PAGE, (LAZY_C - 4) * PAGE, 23))
		return 5;
	if (mremap(b, LAZY_B * PAGE, LAZY_B * PAGE,
		   MREMAP_MAYMOVE | MREMAP_FIXED, LAZY_MOVED_AT) !=
	    (void *)LAZY_MOVED_AT)
		return 6;
	b = (char *)LAZY_MOVED_AT;
	fd = open(done, O_CREAT | O_WRONLY, 0600);
	if (fd < 0)
		return 7;
	close(fd);
	member_wait();
	if (!filled(a, LAZY_A * PAGE, 21))
		return 8;
	if (!filled(b, LAZY_B * PAGE, 22))
		return 9;
	if (!all(c, 4 * PAGE, 0) ||
	    !filled_at(c, 4 * PAGE, (LAZY_C - 4) * PAGE, 23))
		return 10;
	if (!filled(d, LAZY_D * PAGE, 24))
		return 11;
	return 0;
}

static void lazy_done_path(FIXTURE_DATA(store) * self, char *path, size_t len)
{
	snprintf(path, len, "%s.done", self->img);
}

/*
 * Checkpoint @member, kill it, restore it lazily and let it touch its
 * memory (SIGUSR2) until it says so in its file; then take an epoch of it.
 *
 * Return: the pages the epoch wrote.
 */
static long lazy_touched_epoch(struct __test_metadata *_metadata,
			       FIXTURE_DATA(store) * self,
			       int (*member)(const char *done),
			       pid_t *pid, pid_t *got)
{
	int ready, pidfd, code;
	char done[48];

	lazy_done_path(self, done, sizeof(done));
	unlink(done);
	*pid = fork_member(&ready);
	if (*pid == 0)
		_exit(member(done));
	set_and_checkpoint(_metadata, self, *pid, ready);
	close(ready);
	kill_tree(_metadata, self, *pid);
	pidfd = restore(_metadata, self, SLS_RESTORE_LAZY, 0, got);
	EXPECT_EQ(*pid, *got);
	EXPECT_EQ(0, syscall(__NR_pidfd_send_signal, pidfd, SIGUSR2, NULL, 0));
	if (wait_file(done)) {
		code = finish(pidfd, *got);
		ASSERT_EQ(0, code) TH_LOG("lazy check %d failed", code);
	}
	close(pidfd);
	checkpoint(_metadata, self);
	return figure(self->sysfs, "pages_shadowed");
}

/* Kill @got, restore @pid eagerly from the epoch it took, and check it. */
static void lazy_restore_again(struct __test_metadata *_metadata,
			       FIXTURE_DATA(store) * self, pid_t pid, pid_t got)
{
	char done[48];
	int code;

	kill_tree(_metadata, self, got);
	lazy_done_path(self, done, sizeof(done));
	unlink(done);
	code = restore_and_check(_metadata, self, pid);
	EXPECT_EQ(0, code) TH_LOG("lazy check %d failed", code);
}

/*
 * A lazy restore maps memory that comes in on first touch: fork, mremap
 * and MADV_DONTNEED of pages not in yet do what they do to any page, and
 * the next epoch writes only what changed (not what was only read, nor
 * what was never touched), yet a restore of it has it all.
 */
TEST_F(store, lazy_pages_come_on_touch)
{
	pid_t pid, got;
	long shadowed;

	shadowed = lazy_touched_epoch(_metadata, self, lazy_member, &pid, &got);
	EXPECT_LE(LAZY_B, shadowed) TH_LOG("the moved pages were not written");
	EXPECT_GT(LAZY_A, shadowed) TH_LOG("pages read or untouched were written");
	lazy_restore_again(_metadata, self, pid, got);
}

/*
 * A lazily restored process checkpointed before it touched anything: an
 * incremental epoch writes none of its pages, a full one all of them, and
 * restores of either, lazy then eager, bring back all of its memory.
 */
TEST_F(store, lazy_restore_then_epochs)
{
	struct sls_persist_args full = {
		.flags = SLS_PERSIST_SYNC | SLS_PERSIST_FULL,
	};
	long incremental, whole;
	char map[48];
	int pidfd, code;
	pid_t pid, got;

	pid = memory_checkpointed(_metadata, self, map, sizeof(map));

	pidfd = restore(_metadata, self, SLS_RESTORE_LAZY, 0, &got);
	close(pidfd);
	checkpoint(_metadata, self);
	incremental = figure(self->sysfs, "pages_shadowed");
	kill_tree(_metadata, self, got);

	pidfd = restore(_metadata, self, SLS_RESTORE_LAZY, 0, &got);
	close(pidfd);
	ASSERT_LT(0, sls_persist(self->part, &full, sizeof(full)))
		TH_LOG("full sls_persist: errno %d", errno);
	whole = figure(self->sysfs, "pages_shadowed");
	kill_tree(_metadata, self, got);
	/* The member's own anonymous pages: 64 + 16 + 64 at least. */
	EXPECT_LE(incremental + 144, whole)
		TH_LOG("incremental %ld, full %ld pages", incremental, whole);

	code = restore_and_check(_metadata, self, pid);
	EXPECT_EQ(0, code) TH_LOG("memory check %d failed", code);
	unlink(map);
}

/*
 * A process restored lazily that leaves the partition takes the pages it
 * has not touched yet: the epochs that follow may let them go.
 */
TEST_F(store, lazy_detach_takes_its_pages)
{
	char map[48];
	int pidfd, code;
	long before, after;
	pid_t pid, got;

	pid = memory_checkpointed(_metadata, self, map, sizeof(map));
	pidfd = restore(_metadata, self, SLS_RESTORE_LAZY, 0, &got);
	EXPECT_EQ(pid, got);
	before = rss_anon_kib(got);
	EXPECT_EQ(0, attach(self->part, got, SLS_DETACH))
		TH_LOG("SLS_DETACH: errno %d", errno);
	after = rss_anon_kib(got);
	/* 64 + 16 + 64 pages of its own at least */
	EXPECT_LE(before + 576, after) TH_LOG("RssAnon %ld, then %ld KiB", before, after);
	EXPECT_FALSE(is_member(self->sysfs, got));
	code = finish(pidfd, got);
	EXPECT_EQ(0, code) TH_LOG("memory check %d failed", code);
	close(pidfd);
	unlink(map);
}

#define AROUND		16	/* pages a lazy fault brings in together */
#define AROUND_MAP	(4 * AROUND)

/*
 * Restored lazily (SIGUSR2), the member reads one page and finds the
 * aligned AROUND pages about it in, then writes a byte of another of them,
 * says so in file @done and, restored again (SIGUSR1), checks its memory:
 * the byte as written, the rest as it was.
 */
static int lazy_around_member(const char *done)
{
	char *map = map_filled(AROUND_MAP, 26), *at;
	size_t len = AROUND_MAP * PAGE, w;
	long rss0, rss1;
	int fd;

	if (map == MAP_FAILED || wait_sigusr2())
		return EX_SETUP + 1;
	close(READY_FD);
	/* An aligned window of AROUND pages inside the mapping */
	at = (char *)(((unsigned long)map + AROUND * PAGE - 1) &
		      ~(AROUND * PAGE - 1UL));
	rss0 = rss_anon_kib(0);
	if (!filled_at(map, at - map, 1, 26))
		return 1;
	rss1 = rss_anon_kib(0);
	if (rss0 < 0 || rss1 - rss0 < AROUND * PAGE / 1024 * 3 / 4)
		return 2;		/* the neighbours did not come */
	w = at + PAGE - map;	/* a write to a page already in */
	map[w] = ~pattern(w, 26);
	fd = open(done, O_CREAT | O_WRONLY, 0600);
	if (fd < 0)
		return 3;
	close(fd);
	member_wait();
	if ((unsigned char)map[w] != (unsigned char)~pattern(w, 26))
		return 4;	/* the epoch lost the write */
	return filled_at(map, 0, w, 26) &&
	       filled_at(map, w + 1, len - w - 1, 26) ? 0 : 5;
}

/*
 * A fault on a page restored lazily brings in its neighbours, clean: the
 * next epoch writes the page written to, not the pages only brought in.
 */
TEST_F(store, lazy_fault_brings_neighbours_clean)
{
	pid_t pid, got;
	long shadowed;

	shadowed = lazy_touched_epoch(_metadata, self, lazy_around_member,
				      &pid, &got);
	EXPECT_LE(1, shadowed) TH_LOG("the page written to was not written");
	EXPECT_GT(AROUND, shadowed) TH_LOG("pages only brought in were written");
	lazy_restore_again(_metadata, self, pid, got);
}

/* memory, restored lazily: each kind of mapping comes back. */
TEST_F(store, lazy_memory)
{
	memory_round_trip(_metadata, self, SLS_RESTORE_LAZY);
}

TEST_HARNESS_MAIN
