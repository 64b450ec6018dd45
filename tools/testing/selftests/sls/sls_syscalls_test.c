// SPDX-License-Identifier: GPL-2.0
/*
 * Argument checks of the single level store system calls, one rule per
 * test, in the order the kernel applies them.  Until the store exists,
 * valid calls are refused with EOPNOTSUPP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "sls_syscalls.h"

/* An address that is never mapped: the first page. */
#define BAD_PTR ((void *)8)
/* A path whose parent need not exist: the checks come first. */
#define PART "/sls/part"

/* A struct one u64 larger than the kernel's, for the extension rules. */
struct big_attr {
	struct sls_attr attr;
	__u64 tail;
};

struct big_persist {
	struct sls_persist_args args;
	__u64 tail;
};

struct big_restore {
	struct sls_restore_args args;
	__u64 tail;
};

/* errno of a call that must fail, or 0 if it succeeded. */
#define ERRNO_OF(call) ((call) < 0 ? errno : 0)

static int open_errno(int dirfd, const char *path, const void *attr,
		      size_t size, unsigned int flags)
{
	int fd = sls_open(dirfd, path, attr, size, flags);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

/*
 * Lets scripts/sls-test prove that a failing kselftest fails the run:
 * SLS_SELFTEST_INJECT_FAIL=1 makes this test fail.
 */
TEST(harness_inject)
{
	ASSERT_EQ(NULL, getenv("SLS_SELFTEST_INJECT_FAIL"));
}

TEST(open_valid_is_not_supported_yet)
{
	static const unsigned int flags[] = { 0, SLS_CREATE, SLS_CREATE | SLS_EXCL };
	struct sls_attr attr = { .period_ms = 10, .keep_epochs = 4 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		EXPECT_EQ(EOPNOTSUPP, open_errno(AT_FDCWD, PART, NULL, 0, flags[i]));
		EXPECT_EQ(EOPNOTSUPP, open_errno(AT_FDCWD, PART, &attr,
						 sizeof(attr), flags[i]));
	}
}

TEST(open_unknown_flags)
{
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, NULL, 0, 1U << 2));
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, NULL, 0, 1U << 31));
}

TEST(open_excl_without_create)
{
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, NULL, 0, SLS_EXCL));
}

TEST(open_null_attr_with_size)
{
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, NULL,
				     sizeof(struct sls_attr), SLS_CREATE));
}

TEST(open_attr_size_below_ver0)
{
	struct sls_attr attr = {};

	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, &attr,
				     SLS_ATTR_SIZE_VER0 - 1, SLS_CREATE));
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, &attr, 1, SLS_CREATE));
}

TEST(open_attr_size_above_page)
{
	size_t size = getpagesize() + 8;
	char *buf = calloc(1, size);

	ASSERT_NE(NULL, buf);
	EXPECT_EQ(E2BIG, open_errno(AT_FDCWD, PART, buf, size, SLS_CREATE));
	free(buf);
}

TEST(open_attr_larger_zero_tail_accepted)
{
	struct big_attr big = { .attr.period_ms = 10 };

	EXPECT_EQ(EOPNOTSUPP, open_errno(AT_FDCWD, PART, &big, sizeof(big),
					 SLS_CREATE));
}

TEST(open_attr_larger_nonzero_tail)
{
	struct big_attr big = { .tail = 1 };

	EXPECT_EQ(E2BIG, open_errno(AT_FDCWD, PART, &big, sizeof(big),
				    SLS_CREATE));
}

TEST(open_attr_bad_pointer)
{
	EXPECT_EQ(EFAULT, open_errno(AT_FDCWD, PART, BAD_PTR,
				     sizeof(struct sls_attr), SLS_CREATE));
}

TEST(open_attr_unknown_flags)
{
	struct sls_attr attr = { .flags = SLS_ATTR_FULL << 1 };

	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, &attr, sizeof(attr),
				     SLS_CREATE));
	attr.flags = SLS_ATTR_FULL;
	EXPECT_EQ(EOPNOTSUPP, open_errno(AT_FDCWD, PART, &attr, sizeof(attr),
					 SLS_CREATE));
}

TEST(open_attr_bounds)
{
	struct sls_attr attr = { .period_ms = SLS_PERIOD_MAX_MS,
				 .keep_epochs = SLS_KEEP_EPOCHS_MAX };

	EXPECT_EQ(EOPNOTSUPP, open_errno(AT_FDCWD, PART, &attr, sizeof(attr),
					 SLS_CREATE));
	attr.period_ms++;
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, &attr, sizeof(attr),
				     SLS_CREATE));
	attr.period_ms = 0;
	attr.keep_epochs++;
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, PART, &attr, sizeof(attr),
				     SLS_CREATE));
}

TEST(open_path_bad_pointer)
{
	EXPECT_EQ(EFAULT, open_errno(AT_FDCWD, BAD_PTR, NULL, 0, SLS_CREATE));
}

TEST(open_path_empty)
{
	EXPECT_EQ(ENOENT, open_errno(AT_FDCWD, "", NULL, 0, SLS_CREATE));
}

TEST(open_path_too_long)
{
	char *path = malloc(PATH_MAX + 2);

	ASSERT_NE(NULL, path);
	memset(path, 'a', PATH_MAX + 1);
	path[PATH_MAX + 1] = '\0';
	EXPECT_EQ(ENAMETOOLONG, open_errno(AT_FDCWD, path, NULL, 0, SLS_CREATE));
	free(path);
}

TEST(open_name_rules)
{
	char name[SLS_NAME_MAX + 8] = "/sls/";

	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, "/sls/", NULL, 0, SLS_CREATE));
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, "/sls/.", NULL, 0, SLS_CREATE));
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, "/sls/..", NULL, 0, SLS_CREATE));
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, "/sls/a b", NULL, 0, SLS_CREATE));
	EXPECT_EQ(EINVAL, open_errno(AT_FDCWD, "/sls/a:b", NULL, 0, SLS_CREATE));
	EXPECT_EQ(EOPNOTSUPP, open_errno(AT_FDCWD, "/sls/A.b_c-9", NULL, 0,
					 SLS_CREATE));

	memset(name + 5, 'x', SLS_NAME_MAX);
	name[5 + SLS_NAME_MAX] = '\0';
	EXPECT_EQ(EOPNOTSUPP, open_errno(AT_FDCWD, name, NULL, 0, SLS_CREATE));
	name[5 + SLS_NAME_MAX] = 'x';
	name[6 + SLS_NAME_MAX] = '\0';
	EXPECT_EQ(ENAMETOOLONG, open_errno(AT_FDCWD, name, NULL, 0, SLS_CREATE));
}

TEST(open_dirfd_rules)
{
	int file = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ASSERT_LE(0, file);
	ASSERT_LE(0, dir);
	EXPECT_EQ(EBADF, open_errno(-1, "part", NULL, 0, SLS_CREATE));
	EXPECT_EQ(EBADF, open_errno(INT_MAX, "part", NULL, 0, SLS_CREATE));
	EXPECT_EQ(ENOTDIR, open_errno(file, "part", NULL, 0, SLS_CREATE));
	EXPECT_EQ(EOPNOTSUPP, open_errno(dir, "part", NULL, 0, SLS_CREATE));
	/* An absolute path ignores dirfd, as openat() does. */
	EXPECT_EQ(EOPNOTSUPP, open_errno(-1, PART, NULL, 0, SLS_CREATE));
	EXPECT_EQ(EOPNOTSUPP, open_errno(file, PART, NULL, 0, SLS_CREATE));
	close(file);
	close(dir);
}

FIXTURE(fds) {
	int null;	/* a descriptor of the wrong kind */
	int pidfd;	/* a valid pidfd */
};

FIXTURE_SETUP(fds)
{
	self->null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->null);
	self->pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	ASSERT_LE(0, self->pidfd);
}

FIXTURE_TEARDOWN(fds)
{
	close(self->null);
	close(self->pidfd);
}

TEST_F(fds, attach_unknown_flags)
{
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_attach(self->null, self->pidfd, 1U << 2)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_attach(self->null, self->pidfd, 1U << 31)));
}

TEST_F(fds, attach_pidfd_rules)
{
	EXPECT_EQ(EBADF, ERRNO_OF(sls_attach(self->null, -1, 0)));
	EXPECT_EQ(EBADF, ERRNO_OF(sls_attach(self->null, INT_MAX, 0)));
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_attach(self->null, self->null, 0)));
}

TEST_F(fds, attach_partfd_rules)
{
	unsigned int flags[] = { 0, SLS_ATTACH_TREE, SLS_DETACH,
				 SLS_ATTACH_TREE | SLS_DETACH };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		EXPECT_EQ(EBADF, ERRNO_OF(sls_attach(-1, self->pidfd, flags[i])));
		EXPECT_EQ(EINVAL, ERRNO_OF(sls_attach(self->null, self->pidfd,
						      flags[i])));
		EXPECT_EQ(EINVAL, ERRNO_OF(sls_attach(self->pidfd, self->pidfd,
						      flags[i])));
	}
}

/* Persist and restore check their struct before the descriptor. */
TEST_F(fds, persist_struct_size_rules)
{
	struct sls_persist_args args = {};
	struct big_persist big = {};
	size_t page = getpagesize();
	void *buf = calloc(1, page + 8);

	ASSERT_NE(NULL, buf);
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(-1, NULL, sizeof(args))));
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(-1, &args,
					       SLS_PERSIST_ARGS_SIZE_VER0 - 1)));
	EXPECT_EQ(E2BIG, ERRNO_OF(sls_persist(-1, buf, page + 8)));
	EXPECT_EQ(EFAULT, ERRNO_OF(sls_persist(-1, BAD_PTR, sizeof(args))));
	EXPECT_EQ(EBADF, ERRNO_OF(sls_persist(-1, &big.args, sizeof(big))));
	big.tail = 1;
	EXPECT_EQ(E2BIG, ERRNO_OF(sls_persist(-1, &big.args, sizeof(big))));
	free(buf);
}

TEST_F(fds, persist_flag_rules)
{
	struct sls_persist_args args = { .flags = SLS_PERSIST_WAIT << 1 };

	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	args.flags = SLS_PERSIST_WAIT | SLS_PERSIST_SYNC;
	args.epoch = 1;
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	args.flags = SLS_PERSIST_WAIT;
	args.epoch = 0;
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	args.flags = SLS_PERSIST_SYNC;
	args.epoch = 3;
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	args.flags = SLS_PERSIST_WAIT;
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
}

TEST_F(fds, persist_region_rules)
{
	struct sls_persist_args args = {
		.flags = SLS_PERSIST_REGION | SLS_PERSIST_SYNC,
		.addr = 0x10000,
	};

	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	args.len = 4096;
	args.addr = ~0ULL - 100;
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	args.addr = 1ULL << 56;
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	args.flags = SLS_PERSIST_SYNC;
	args.addr = 0x10000;
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	args.addr = 0;
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	/* A valid region gets as far as the descriptor. */
	args.flags = SLS_PERSIST_REGION | SLS_PERSIST_SYNC;
	args.addr = 0x10000;
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	EXPECT_EQ(EBADF, ERRNO_OF(sls_persist(-1, &args, sizeof(args))));
}

TEST_F(fds, persist_partfd_rules)
{
	struct sls_persist_args args = { .flags = SLS_PERSIST_SYNC };

	EXPECT_EQ(ESRCH, ERRNO_OF(sls_persist(SLS_SELF, NULL, 0)));
	EXPECT_EQ(ESRCH, ERRNO_OF(sls_persist(SLS_SELF, &args, sizeof(args))));
	EXPECT_EQ(EBADF, ERRNO_OF(sls_persist(-1, NULL, 0)));
	EXPECT_EQ(EBADF, ERRNO_OF(sls_persist(INT_MAX, &args, sizeof(args))));
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->null, &args, sizeof(args))));
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_persist(self->pidfd, NULL, 0)));
}

TEST_F(fds, restore_struct_size_rules)
{
	struct sls_restore_args args = {};
	struct big_restore big = {};
	size_t page = getpagesize();
	void *buf = calloc(1, page + 8);

	ASSERT_NE(NULL, buf);
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_restore(-1, NULL, sizeof(args))));
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_restore(-1, &args,
					       SLS_RESTORE_ARGS_SIZE_VER0 - 1)));
	EXPECT_EQ(E2BIG, ERRNO_OF(sls_restore(-1, buf, page + 8)));
	EXPECT_EQ(EFAULT, ERRNO_OF(sls_restore(-1, BAD_PTR, sizeof(args))));
	EXPECT_EQ(EBADF, ERRNO_OF(sls_restore(-1, &big.args, sizeof(big))));
	big.tail = 1;
	EXPECT_EQ(E2BIG, ERRNO_OF(sls_restore(-1, &big.args, sizeof(big))));
	free(buf);
}

TEST_F(fds, restore_flag_and_partfd_rules)
{
	struct sls_restore_args args = { .flags = SLS_RESTORE_NEWPID << 1 };

	EXPECT_EQ(EINVAL, ERRNO_OF(sls_restore(-1, &args, sizeof(args))));
	args.flags = SLS_RESTORE_STOPPED | SLS_RESTORE_LAZY | SLS_RESTORE_NEWPID;
	args.epoch = 5;
	EXPECT_EQ(EBADF, ERRNO_OF(sls_restore(-1, &args, sizeof(args))));
	EXPECT_EQ(EBADF, ERRNO_OF(sls_restore(SLS_SELF, &args, sizeof(args))));
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_restore(self->null, &args, sizeof(args))));
	EXPECT_EQ(EINVAL, ERRNO_OF(sls_restore(self->pidfd, NULL, 0)));
}

TEST_HARNESS_MAIN
