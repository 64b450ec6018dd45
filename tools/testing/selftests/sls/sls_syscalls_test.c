// SPDX-License-Identifier: GPL-2.0
/*
 * The argument checks of the single level store system calls, one rule per
 * test.
 *
 * A test breaks one rule and keeps every other argument valid.  Where the
 * kernel checks an argument after the one under test, the test gives it a
 * value that fails with another errno, so that a call which skipped the rule
 * fails with that errno instead of the expected one.  The order of the
 * checks is the one of kernel/sls/syscalls.c:
 *
 *   sls_open:    flags, attr struct, attr fields, path (getname()),
 *                partition name, dirfd, the parent (ENOENT if missing),
 *                then ENODEV: the parent is not the root of a store
 *   sls_attach:  flags, pidfd, partfd
 *   sls_persist: args struct, args fields, SLS_SELF (ESRCH), partfd
 *   sls_restore: args struct, args fields, partfd
 *
 * No store is mounted here, so past their struct sls_persist() gets
 * SLS_SELF (ESRCH) and sls_restore() a descriptor that is not open (EBADF);
 * sls_open() gets a parent that is no store (ENODEV).  The tests with a
 * store are in sls_checkpoint_test.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sls_syscalls.h"

/* A path whose parent exists (see make_sls_dir()) and is not a store. */
#define PART "/sls/part"

/* What sls_open() of valid arguments gets from a parent that is no store. */
#define NO_STORE ENODEV

/* The parent of PART, on the root file system, before any test runs. */
static void __attribute__((constructor)) make_sls_dir(void)
{
	mkdir("/sls", 0755);
}

/* An address above user space, which the kernel must not read. */
#define KERNEL_PTR ((void *)0xffffffff81000000UL)

/*
 * x86_64 user space ends at TASK_SIZE_MAX: 2^47 or 2^56 minus a page with
 * 4-level or 5-level page tables.  A region may end at USER_END_4LEVEL with
 * both, and beyond USER_END_5LEVEL with neither.
 */
#define USER_END_4LEVEL ((1ULL << 47) - 4096)
#define USER_END_5LEVEL ((1ULL << 56) - 4096)

#define REGION_ADDR 0x10000ULL
#define REGION_LEN 4096ULL

/* errno of a failed call, 0 if it succeeded. */
static int ret_errno(long ret)
{
	return ret < 0 ? errno : 0;
}

/* errno of sls_open(), 0 (and the descriptor closed) if it succeeded. */
static int open_errno(int dirfd, const char *path, const void *attr,
		      size_t size, unsigned int flags)
{
	int fd = sls_open(dirfd, path, attr, size, flags);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * The three calls with an argument struct of @size bytes, each on a target
 * that fails past the struct (NO_STORE, ESRCH, EBADF), so that the errno
 * tells whether the struct was accepted.
 */
static int open_struct(const void *attr, size_t size)
{
	return open_errno(AT_FDCWD, PART, attr, size, SLS_CREATE);
}

static int persist_struct(const void *args, size_t size)
{
	return ret_errno(sls_persist(SLS_SELF, args, size));
}

static int restore_struct(const void *args, size_t size)
{
	return ret_errno(sls_restore(-1, args, size));
}

/* sls_open() of a valid path with a struct sls_attr. */
static int open_attr_errno(const struct sls_attr *attr)
{
	return open_struct(attr, sizeof(*attr));
}

/* sls_open() of a valid absolute path. */
static int open_path_errno(const char *path)
{
	return open_errno(AT_FDCWD, path, NULL, 0, SLS_CREATE);
}

/* sls_persist() of SLS_SELF, which is ESRCH past the arguments. */
static int persist_errno(const struct sls_persist_args *args)
{
	return persist_struct(args, sizeof(*args));
}

/* sls_restore() of a descriptor that is not open: EBADF past the args. */
static int restore_errno(const struct sls_restore_args *args)
{
	return restore_struct(args, sizeof(*args));
}

/* Two readable zeroed pages followed by one that cannot be read. */
static char *map_guarded(size_t page)
{
	char *buf = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		return NULL;
	if (mprotect(buf + 2 * page, page, PROT_NONE)) {
		munmap(buf, 3 * page);
		return NULL;
	}
	return buf;
}

/*
 * Lets scripts/sls-test prove that a failing kselftest fails the run: it
 * sets SLS_SELFTEST_INJECT_FAIL in the guest, which makes this test fail.
 * Keep this test first.
 */
TEST(harness_inject)
{
	ASSERT_EQ(NULL, getenv("SLS_SELFTEST_INJECT_FAIL"));
}

/* sls_open(): the flags, then the struct sls_attr fields. */

TEST(open_valid_never_returns_fd)
{
	static const unsigned int flags[] = {
		0, SLS_CREATE, SLS_CREATE | SLS_EXCL,
	};
	static const struct sls_attr attrs[] = {
		{ 0 },
		{ .flags = SLS_ATTR_FULL },
		{ .period_ms = 1000, .keep_epochs = 8 },
		{
			.flags = SLS_ATTR_FULL,
			.period_ms = SLS_PERIOD_MAX_MS,
			.keep_epochs = SLS_KEEP_EPOCHS_MAX,
		},
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		EXPECT_EQ(NO_STORE, open_errno(AT_FDCWD, PART, NULL, 0,
						 flags[i])) {
			TH_LOG("flags %#x, no attr", flags[i]);
		}
		EXPECT_EQ(NO_STORE, open_errno(AT_FDCWD, "part", NULL, 0,
						 flags[i])) {
			TH_LOG("flags %#x, relative path", flags[i]);
		}
		for (j = 0; j < ARRAY_SIZE(attrs); j++) {
			EXPECT_EQ(NO_STORE,
				  open_errno(AT_FDCWD, PART, &attrs[j],
					     sizeof(attrs[j]), flags[i])) {
				TH_LOG("flags %#x, attr %u", flags[i], j);
			}
		}
	}
}

TEST(open_unknown_flags)
{
	unsigned int bit;

	for (bit = 2; bit < 32; bit++) {
		EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, NULL, 0,
					     1U << bit)) {
			TH_LOG("flags %#x", 1U << bit);
		}
		EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, NULL, 0,
					     SLS_CREATE | SLS_EXCL | 1U << bit)) {
			TH_LOG("flags SLS_CREATE | SLS_EXCL | %#x", 1U << bit);
		}
	}
}

TEST(open_excl_without_create)
{
	struct sls_attr attr = { 0 };

	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, NULL, 0, SLS_EXCL));
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, &attr, sizeof(attr),
				     SLS_EXCL));
}

TEST(open_attr_unknown_flags)
{
	struct sls_attr attr = { 0 };
	unsigned int bit;

	for (bit = 1; bit < 64; bit++) {
		attr.flags = 1ULL << bit;
		EXPECT_EQ(EINVAL, open_attr_errno(&attr)) {
			TH_LOG("attr.flags %#llx", attr.flags);
		}
		attr.flags |= SLS_ATTR_FULL;
		EXPECT_EQ(EINVAL, open_attr_errno(&attr)) {
			TH_LOG("attr.flags %#llx", attr.flags);
		}
	}
}

TEST(open_attr_period_ms_bound)
{
	struct sls_attr attr = { .period_ms = SLS_PERIOD_MAX_MS };

	EXPECT_EQ(NO_STORE, open_attr_errno(&attr));
	attr.period_ms = SLS_PERIOD_MAX_MS + 1;
	EXPECT_EQ(EINVAL, open_attr_errno(&attr));
	attr.period_ms = ~0ULL;
	EXPECT_EQ(EINVAL, open_attr_errno(&attr));
}

TEST(open_attr_keep_epochs_bound)
{
	struct sls_attr attr = { .keep_epochs = SLS_KEEP_EPOCHS_MAX };

	EXPECT_EQ(NO_STORE, open_attr_errno(&attr));
	attr.keep_epochs = SLS_KEEP_EPOCHS_MAX + 1;
	EXPECT_EQ(EINVAL, open_attr_errno(&attr));
	attr.keep_epochs = ~0ULL;
	EXPECT_EQ(EINVAL, open_attr_errno(&attr));
}

/* sls_open(): the path, copied by getname() after the attributes. */

TEST(open_path_bad_pointer)
{
	size_t page = getpagesize();
	char *buf = map_guarded(page);

	ASSERT_NE(NULL, buf);
	EXPECT_EQ(EFAULT, open_path_errno(NULL));
	EXPECT_EQ(EFAULT, open_path_errno(buf + 2 * page));
	EXPECT_EQ(EFAULT, open_path_errno(KERNEL_PTR));
	/* A name that runs into the unreadable page without a NUL. */
	memcpy(buf + 2 * page - 4, "part", 4);
	EXPECT_EQ(EFAULT, open_path_errno(buf + 2 * page - 4));
	munmap(buf, 3 * page);
}

TEST(open_path_empty)
{
	EXPECT_EQ(ENOENT, open_path_errno(""));
}

TEST(open_path_longer_than_path_max)
{
	char *path = malloc(PATH_MAX + 1);

	ASSERT_NE(NULL, path);
	/* Slashes and a valid name, so that only the length is wrong. */
	memset(path, '/', PATH_MAX - 4);
	memcpy(path + PATH_MAX - 4, "part", 5);
	EXPECT_EQ(ENAMETOOLONG, open_path_errno(path));
	EXPECT_EQ(NO_STORE, open_path_errno(path + 1));
	free(path);
}

/* sls_open(): the partition name, the last component of the path. */

TEST(open_name_empty)
{
	EXPECT_EQ(EINVAL, open_path_errno("/"));
	EXPECT_EQ(EINVAL, open_path_errno("/sls/"));
	EXPECT_EQ(EINVAL, open_path_errno("part/"));
}

TEST(open_name_dot_or_dotdot)
{
	EXPECT_EQ(EINVAL, open_path_errno("."));
	EXPECT_EQ(EINVAL, open_path_errno(".."));
	EXPECT_EQ(EINVAL, open_path_errno("/sls/."));
	EXPECT_EQ(EINVAL, open_path_errno("/sls/.."));
	EXPECT_EQ(EINVAL, open_path_errno("sls/.."));
	/* Other names of dots are names. */
	EXPECT_EQ(NO_STORE, open_path_errno("/sls/..."));
	EXPECT_EQ(NO_STORE, open_path_errno("/sls/.part"));
	EXPECT_EQ(NO_STORE, open_path_errno("/sls/..part"));
	EXPECT_EQ(NO_STORE, open_path_errno("/sls/part."));
}

static bool portable_name_char(unsigned int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Names are made of [A-Za-z0-9._-]: ASCII only, not Latin-1 or UTF-8. */
TEST(open_name_bad_characters)
{
	char path[] = "/sls/a?b";
	unsigned int c;

	for (c = 1; c <= 0xff; c++) {
		if (c == '/')
			continue;
		path[6] = c;
		EXPECT_EQ(portable_name_char(c) ? NO_STORE : EINVAL,
			  open_path_errno(path)) {
			TH_LOG("byte %#x in the name", c);
		}
	}
	/* UTF-8 is not allowed either. */
	EXPECT_EQ(EINVAL, open_path_errno("/sls/caf\xc3\xa9"));
	EXPECT_EQ(NO_STORE, open_path_errno("/sls/AZaz09._-"));
}

TEST(open_name_too_long)
{
	char path[5 + SLS_NAME_MAX + 2] = "/sls/";
	char *name = path + 5;

	memset(name, 'x', SLS_NAME_MAX);
	name[SLS_NAME_MAX] = '\0';
	EXPECT_EQ(NO_STORE, open_path_errno(path));
	EXPECT_EQ(NO_STORE, open_path_errno(name));
	name[SLS_NAME_MAX] = 'x';
	name[SLS_NAME_MAX + 1] = '\0';
	EXPECT_EQ(ENAMETOOLONG, open_path_errno(path));
	EXPECT_EQ(ENAMETOOLONG, open_path_errno(name));
}

/* Only the last component is a partition name; the directories are not. */
TEST(open_name_is_last_component)
{
	EXPECT_EQ(ENOENT, open_path_errno("/not a name!/part"));
	EXPECT_EQ(ENOENT, open_path_errno("x y/./../part"));
}

/*
 * Descriptors of every kind the tests need, none of them a partition: no
 * partition can be opened yet.
 */
FIXTURE(fds) {
	int null;	/* a character device */
	int file;	/* a regular file */
	int dir;	/* a directory */
	int pipe[2];
	int pidfd;	/* of the test process */
	int closed;	/* a descriptor number that is not open */
};

FIXTURE_SETUP(fds)
{
	self->null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->null);
	self->file = syscall(SYS_memfd_create, "sls_syscalls_test", 0);
	ASSERT_LE(0, self->file);
	self->dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->dir);
	ASSERT_EQ(0, pipe(self->pipe));
	self->pidfd = sys_pidfd_open(getpid(), 0);
	ASSERT_LE(0, self->pidfd);
	self->closed = dup(self->null);
	ASSERT_LE(0, self->closed);
	ASSERT_EQ(0, close(self->closed));
}

FIXTURE_TEARDOWN(fds)
{
	close(self->null);
	close(self->file);
	close(self->dir);
	close(self->pipe[0]);
	close(self->pipe[1]);
	close(self->pidfd);
}

/* sls_open(): dirfd, last, and only for a relative path. */

TEST_F(fds, open_dirfd_not_open)
{
	const int bad[] = { -1, self->closed, INT_MAX };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EBADF, open_errno(bad[i], "part", NULL, 0,
					    SLS_CREATE)) {
			TH_LOG("dirfd %d", bad[i]);
		}
		EXPECT_EQ(EBADF, open_errno(bad[i], "sls/part", NULL, 0,
					    SLS_CREATE)) {
			TH_LOG("dirfd %d", bad[i]);
		}
	}
}

TEST_F(fds, open_dirfd_not_directory)
{
	const int bad[] = {
		self->null, self->file, self->pipe[0], self->pidfd,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(ENOTDIR, open_errno(bad[i], "part", NULL, 0,
					      SLS_CREATE)) {
			TH_LOG("dirfd %d", bad[i]);
		}
	}
}

TEST_F(fds, open_dirfd_directory)
{
	EXPECT_EQ(NO_STORE, open_errno(self->dir, "part", NULL, 0,
					 SLS_CREATE));
	EXPECT_EQ(NO_STORE, open_errno(self->dir, "sls/part", NULL, 0,
					 SLS_CREATE));
	EXPECT_EQ(NO_STORE, open_errno(AT_FDCWD, "part", NULL, 0,
					 SLS_CREATE));
}

/* As for openat(), an O_PATH descriptor of a directory will do. */
TEST(open_dirfd_o_path)
{
	int dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int file = open("/dev/null", O_PATH | O_CLOEXEC);

	ASSERT_LE(0, dir);
	ASSERT_LE(0, file);
	EXPECT_EQ(NO_STORE, open_errno(dir, "part", NULL, 0, SLS_CREATE));
	EXPECT_EQ(ENOTDIR, open_errno(file, "part", NULL, 0, SLS_CREATE));
	close(dir);
	close(file);
}

TEST_F(fds, open_absolute_path_ignores_dirfd)
{
	const int any[] = {
		-1, self->closed, INT_MAX, self->null, self->file,
		self->pipe[0], self->pidfd, self->dir,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(any); i++) {
		EXPECT_EQ(NO_STORE, open_errno(any[i], PART, NULL, 0,
						 SLS_CREATE)) {
			TH_LOG("dirfd %d", any[i]);
		}
	}
}

/* sls_attach(): flags, then pidfd, then partfd. */

static const unsigned int attach_flags[] = {
	0, SLS_ATTACH_TREE, SLS_DETACH, SLS_ATTACH_TREE | SLS_DETACH,
};

/* A partfd that is not open, EBADF if the flags were let through. */
TEST_F(fds, attach_unknown_flags)
{
	unsigned int bit;

	for (bit = 2; bit < 32; bit++) {
		EXPECT_EQ(EINVAL, ret_errno(sls_attach(self->closed,
						       self->pidfd,
						       1U << bit))) {
			TH_LOG("flags %#x", 1U << bit);
		}
		EXPECT_EQ(EINVAL,
			  ret_errno(sls_attach(self->closed, self->pidfd,
					       SLS_ATTACH_TREE | SLS_DETACH |
					       1U << bit))) {
			TH_LOG("flags %#x", 1U << bit);
		}
	}
}

/* A partfd of the wrong kind, EINVAL if the pidfd were let through. */
TEST_F(fds, attach_pidfd_not_open)
{
	const int bad[] = { -1, self->closed, INT_MAX };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EBADF, ret_errno(sls_attach(self->null, bad[i], 0))) {
			TH_LOG("pidfd %d", bad[i]);
		}
	}
}

/*
 * An open descriptor that is no pidfd is EINVAL, as a partfd of the wrong
 * kind is.  The partfd is not open, so EBADF would mean the pidfd was let
 * through.
 */
TEST_F(fds, attach_pidfd_wrong_kind)
{
	const int bad[] = {
		self->null, self->file, self->dir, self->pipe[0],
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EINVAL, ret_errno(sls_attach(self->closed, bad[i], 0))) {
			TH_LOG("pidfd %d", bad[i]);
		}
	}
}

TEST_F(fds, attach_partfd_not_open)
{
	const int bad[] = { -1, self->closed, INT_MAX, SLS_SELF };
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		for (j = 0; j < ARRAY_SIZE(attach_flags); j++) {
			EXPECT_EQ(EBADF,
				  ret_errno(sls_attach(bad[i], self->pidfd,
						       attach_flags[j]))) {
				TH_LOG("partfd %d, flags %#x", bad[i],
				       attach_flags[j]);
			}
		}
	}
}

TEST_F(fds, attach_partfd_wrong_kind)
{
	const int bad[] = {
		self->null, self->file, self->dir, self->pipe[0],
		self->pidfd,
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		for (j = 0; j < ARRAY_SIZE(attach_flags); j++) {
			EXPECT_EQ(EINVAL,
				  ret_errno(sls_attach(bad[i], self->pidfd,
						       attach_flags[j]))) {
				TH_LOG("partfd %d, flags %#x", bad[i],
				       attach_flags[j]);
			}
		}
	}
}

/* sls_persist(): the struct sls_persist_args fields, then partfd. */

TEST(persist_valid_args)
{
	static const __u64 flags[] = {
		0, SLS_PERSIST_SYNC, SLS_PERSIST_FULL,
		SLS_PERSIST_SYNC | SLS_PERSIST_FULL,
	};
	struct sls_persist_args args = { 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		args = (struct sls_persist_args){ .flags = flags[i] };
		EXPECT_EQ(ESRCH, persist_errno(&args)) {
			TH_LOG("flags %#llx", args.flags);
		}
		args.flags |= SLS_PERSIST_REGION;
		args.addr = REGION_ADDR;
		args.len = REGION_LEN;
		EXPECT_EQ(ESRCH, persist_errno(&args)) {
			TH_LOG("flags %#llx", args.flags);
		}
	}
	args = (struct sls_persist_args){ .flags = SLS_PERSIST_WAIT,
					  .epoch = 1 };
	EXPECT_EQ(ESRCH, persist_errno(&args));
	args.epoch = ~0ULL;
	EXPECT_EQ(ESRCH, persist_errno(&args));
}

TEST(persist_unknown_flags)
{
	struct sls_persist_args args = { 0 };
	unsigned int bit;

	for (bit = 4; bit < 64; bit++) {
		args.flags = 1ULL << bit;
		EXPECT_EQ(EINVAL, persist_errno(&args)) {
			TH_LOG("flags %#llx", args.flags);
		}
		args.flags |= SLS_PERSIST_SYNC | SLS_PERSIST_FULL;
		EXPECT_EQ(EINVAL, persist_errno(&args)) {
			TH_LOG("flags %#llx", args.flags);
		}
	}
}

TEST(persist_wait_with_other_flags)
{
	static const __u64 others[] = {
		SLS_PERSIST_SYNC, SLS_PERSIST_FULL, SLS_PERSIST_REGION,
		SLS_PERSIST_SYNC | SLS_PERSIST_FULL | SLS_PERSIST_REGION,
	};
	struct sls_persist_args args = { .epoch = 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(others); i++) {
		args.flags = SLS_PERSIST_WAIT | others[i];
		/* A valid region with SLS_PERSIST_REGION, else none. */
		args.addr = others[i] & SLS_PERSIST_REGION ? REGION_ADDR : 0;
		args.len = others[i] & SLS_PERSIST_REGION ? REGION_LEN : 0;
		EXPECT_EQ(EINVAL, persist_errno(&args)) {
			TH_LOG("flags %#llx", args.flags);
		}
	}
}

TEST(persist_wait_epoch_zero)
{
	struct sls_persist_args args = { .flags = SLS_PERSIST_WAIT };

	EXPECT_EQ(EINVAL, persist_errno(&args));
}

TEST(persist_epoch_without_wait)
{
	static const __u64 flags[] = {
		0, SLS_PERSIST_SYNC, SLS_PERSIST_FULL, SLS_PERSIST_REGION,
	};
	struct sls_persist_args args = { .epoch = 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		args.flags = flags[i];
		args.addr = flags[i] & SLS_PERSIST_REGION ? REGION_ADDR : 0;
		args.len = flags[i] & SLS_PERSIST_REGION ? REGION_LEN : 0;
		EXPECT_EQ(EINVAL, persist_errno(&args)) {
			TH_LOG("flags %#llx", args.flags);
		}
	}
	args = (struct sls_persist_args){ .epoch = ~0ULL };
	EXPECT_EQ(EINVAL, persist_errno(&args));
}

TEST(persist_region_empty)
{
	struct sls_persist_args args = {
		.flags = SLS_PERSIST_REGION, .addr = REGION_ADDR,
	};

	EXPECT_EQ(EINVAL, persist_errno(&args));
	args.addr = 0;
	EXPECT_EQ(EINVAL, persist_errno(&args));
	args.len = 1;
	EXPECT_EQ(ESRCH, persist_errno(&args));
}

/* Regions whose end wraps around to a user address. */
TEST(persist_region_overflow)
{
	struct sls_persist_args args = {
		.flags = SLS_PERSIST_REGION,
		.addr = 1ULL << 63,
		.len = 1ULL << 63,
	};

	EXPECT_EQ(EINVAL, persist_errno(&args));
	args.addr = ~0ULL - 4095;
	args.len = 2 * 4096;
	EXPECT_EQ(EINVAL, persist_errno(&args));
	args.addr = ~0ULL;
	args.len = 1;
	EXPECT_EQ(EINVAL, persist_errno(&args));
}

TEST(persist_region_above_user_space)
{
	struct sls_persist_args args = {
		.flags = SLS_PERSIST_REGION,
		.addr = USER_END_4LEVEL - REGION_LEN,
		.len = REGION_LEN,
	};

	EXPECT_EQ(ESRCH, persist_errno(&args));
	args.addr = USER_END_5LEVEL;
	args.len = 1;
	EXPECT_EQ(EINVAL, persist_errno(&args));
	args.addr = 0;
	args.len = USER_END_5LEVEL + 1;
	EXPECT_EQ(EINVAL, persist_errno(&args));
	args.addr = 1ULL << 62;
	args.len = REGION_LEN;
	EXPECT_EQ(EINVAL, persist_errno(&args));
}

TEST(persist_addr_len_without_region)
{
	struct sls_persist_args args = { .addr = REGION_ADDR };

	EXPECT_EQ(EINVAL, persist_errno(&args));
	args = (struct sls_persist_args){ .len = REGION_LEN };
	EXPECT_EQ(EINVAL, persist_errno(&args));
	args = (struct sls_persist_args){
		.flags = SLS_PERSIST_SYNC | SLS_PERSIST_FULL,
		.addr = REGION_ADDR,
		.len = REGION_LEN,
	};
	EXPECT_EQ(EINVAL, persist_errno(&args));
}

/* No task is in a partition before sls_attach() works. */
TEST(persist_self_not_in_partition)
{
	struct sls_persist_args args = { .flags = SLS_PERSIST_SYNC };

	EXPECT_EQ(ESRCH, ret_errno(sls_persist(SLS_SELF, NULL, 0)));
	EXPECT_EQ(ESRCH, ret_errno(sls_persist(SLS_SELF, &args,
					       sizeof(args))));
}

TEST_F(fds, persist_partfd_not_open)
{
	const int bad[] = {
		-1, self->closed, INT_MAX, SLS_SELF - 1, SLS_SELF + 1,
	};
	struct sls_persist_args args = { .flags = SLS_PERSIST_SYNC };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EBADF, ret_errno(sls_persist(bad[i], NULL, 0))) {
			TH_LOG("partfd %d", bad[i]);
		}
		EXPECT_EQ(EBADF, ret_errno(sls_persist(bad[i], &args,
						       sizeof(args)))) {
			TH_LOG("partfd %d", bad[i]);
		}
	}
}

TEST_F(fds, persist_partfd_wrong_kind)
{
	const int bad[] = {
		self->null, self->file, self->dir, self->pipe[0],
		self->pidfd,
	};
	struct sls_persist_args args = { .flags = SLS_PERSIST_SYNC };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EINVAL, ret_errno(sls_persist(bad[i], NULL, 0))) {
			TH_LOG("partfd %d", bad[i]);
		}
		EXPECT_EQ(EINVAL, ret_errno(sls_persist(bad[i], &args,
							sizeof(args)))) {
			TH_LOG("partfd %d", bad[i]);
		}
	}
}

/* sls_restore(): the struct sls_restore_args fields, then partfd. */

TEST(restore_valid_args)
{
	static const __u64 epochs[] = { 0, 1, ~0ULL };
	struct sls_restore_args args = { 0 };
	__u64 flags;
	unsigned int i;

	for (flags = 0; flags <= (SLS_RESTORE_STOPPED | SLS_RESTORE_LAZY |
				  SLS_RESTORE_NEWPID); flags++) {
		for (i = 0; i < ARRAY_SIZE(epochs); i++) {
			args.flags = flags;
			args.epoch = epochs[i];
			EXPECT_EQ(EBADF, restore_errno(&args)) {
				TH_LOG("flags %#llx, epoch %llu", args.flags,
				       args.epoch);
			}
		}
	}
}

TEST(restore_unknown_flags)
{
	struct sls_restore_args args = { 0 };
	unsigned int bit;

	for (bit = 3; bit < 64; bit++) {
		args.flags = 1ULL << bit;
		EXPECT_EQ(EINVAL, restore_errno(&args)) {
			TH_LOG("flags %#llx", args.flags);
		}
		args.flags |= SLS_RESTORE_STOPPED | SLS_RESTORE_LAZY;
		EXPECT_EQ(EINVAL, restore_errno(&args)) {
			TH_LOG("flags %#llx", args.flags);
		}
	}
}

/* SLS_SELF means nothing to sls_restore(). */
TEST_F(fds, restore_partfd_not_open)
{
	const int bad[] = { -1, self->closed, INT_MAX, SLS_SELF };
	struct sls_restore_args args = { .flags = SLS_RESTORE_STOPPED };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EBADF, ret_errno(sls_restore(bad[i], NULL, 0))) {
			TH_LOG("partfd %d", bad[i]);
		}
		EXPECT_EQ(EBADF, ret_errno(sls_restore(bad[i], &args,
						       sizeof(args)))) {
			TH_LOG("partfd %d", bad[i]);
		}
	}
}

TEST_F(fds, restore_partfd_wrong_kind)
{
	const int bad[] = {
		self->null, self->file, self->dir, self->pipe[0],
		self->pidfd,
	};
	struct sls_restore_args args = { .flags = SLS_RESTORE_STOPPED };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EINVAL, ret_errno(sls_restore(bad[i], NULL, 0))) {
			TH_LOG("partfd %d", bad[i]);
		}
		EXPECT_EQ(EINVAL, ret_errno(sls_restore(bad[i], &args,
							sizeof(args)))) {
			TH_LOG("partfd %d", bad[i]);
		}
	}
}

/*
 * The extensible struct of each system call, copied before anything else
 * of it is looked at but the sls_open() flags.  The other arguments are
 * valid, so a struct the kernel accepts takes the call to its next check,
 * which fails with @next.
 */
/* The structs this header defines are their first published versions. */
_Static_assert(sizeof(struct sls_attr) == SLS_ATTR_SIZE_VER0, "sls_attr");
_Static_assert(sizeof(struct sls_persist_args) == SLS_PERSIST_ARGS_SIZE_VER0,
	       "sls_persist_args");
_Static_assert(sizeof(struct sls_restore_args) == SLS_RESTORE_ARGS_SIZE_VER0,
	       "sls_restore_args");

FIXTURE(args) {
	size_t page;
	char *buf;	/* two zeroed pages, then one that cannot be read */
	char *unreadable;
};

FIXTURE_VARIANT(args) {
	int (*call)(const void *args, size_t size);
	size_t size;	/* of the struct in this header */
	size_t ver0;	/* of the first published struct */
	int next;	/* errno of the check that follows the struct */
};

FIXTURE_VARIANT_ADD(args, sls_open) {
	.call = open_struct,
	.size = sizeof(struct sls_attr),
	.ver0 = SLS_ATTR_SIZE_VER0,
	.next = NO_STORE,
};

FIXTURE_VARIANT_ADD(args, sls_persist) {
	.call = persist_struct,
	.size = sizeof(struct sls_persist_args),
	.ver0 = SLS_PERSIST_ARGS_SIZE_VER0,
	.next = ESRCH,
};

FIXTURE_VARIANT_ADD(args, sls_restore) {
	.call = restore_struct,
	.size = sizeof(struct sls_restore_args),
	.ver0 = SLS_RESTORE_ARGS_SIZE_VER0,
	.next = EBADF,
};

FIXTURE_SETUP(args)
{
	self->page = getpagesize();
	self->buf = map_guarded(self->page);
	ASSERT_NE(NULL, self->buf);
	self->unreadable = self->buf + 2 * self->page;
}

FIXTURE_TEARDOWN(args)
{
	munmap(self->buf, 3 * self->page);
}

/*
 * A struct smaller than the kernel's but of at least the VER0 size is
 * zero-extended.  There is no such size until a field is added to a
 * struct: then test it here.
 */
TEST_F(args, zeroed_struct_accepted)
{
	EXPECT_EQ(variant->next, variant->call(self->buf, variant->size));
}

TEST_F(args, null_size_zero_accepted)
{
	EXPECT_EQ(variant->next, variant->call(NULL, 0));
}

TEST_F(args, null_with_size)
{
	const size_t sizes[] = {
		1, variant->ver0 - 1, variant->ver0, variant->size + 8,
		self->page, self->page + 1,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(EINVAL, variant->call(NULL, sizes[i])) {
			TH_LOG("size %zu", sizes[i]);
		}
	}
}

TEST_F(args, size_below_ver0)
{
	size_t size;

	for (size = 0; size < variant->ver0; size++) {
		EXPECT_EQ(EINVAL, variant->call(self->buf, size)) {
			TH_LOG("size %zu", size);
		}
	}
}

/* The buffer is zeroed: only the size refuses the larger ones. */
TEST_F(args, size_above_page)
{
	EXPECT_EQ(variant->next, variant->call(self->buf, self->page));
	EXPECT_EQ(E2BIG, variant->call(self->buf, self->page + 1));
	EXPECT_EQ(E2BIG, variant->call(self->buf, 2 * self->page));
	EXPECT_EQ(E2BIG, variant->call(self->buf, SIZE_MAX));
	/* The size is checked before the struct is read. */
	EXPECT_EQ(E2BIG, variant->call(self->unreadable, self->page + 1));
}

TEST_F(args, larger_zero_tail_accepted)
{
	size_t size;

	for (size = variant->size + 1; size <= variant->size + 64; size++) {
		EXPECT_EQ(variant->next, variant->call(self->buf, size)) {
			TH_LOG("size %zu", size);
		}
	}
}

TEST_F(args, larger_nonzero_tail)
{
	size_t size = variant->size + 64;
	size_t i;

	for (i = variant->size; i < size; i++) {
		self->buf[i] = 1;
		EXPECT_EQ(E2BIG, variant->call(self->buf, size)) {
			TH_LOG("byte %zu of %zu set", i, size);
		}
		self->buf[i] = 0;
	}
	self->buf[self->page - 1] = 0x80;
	EXPECT_EQ(E2BIG, variant->call(self->buf, self->page));
}

TEST_F(args, bad_pointer)
{
	size_t size = variant->size;

	EXPECT_EQ(EFAULT, variant->call(self->unreadable, size));
	EXPECT_EQ(EFAULT, variant->call(KERNEL_PTR, size));
	/* Straddling the end of the readable memory. */
	EXPECT_EQ(EFAULT, variant->call(self->unreadable - size / 2, size));
	/* The known part readable and zero, the tail not readable. */
	EXPECT_EQ(EFAULT, variant->call(self->unreadable - size, size + 8));
}

TEST_HARNESS_MAIN
