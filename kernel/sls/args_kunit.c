// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the system call argument checks in args.c.
 */
#include <kunit/test.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "sls.h"

/*
 * Lets scripts/sls-test prove that a failing KUnit case fails the run:
 * boot with args_kunit.inject_failure=1.
 */
static bool inject_failure;
module_param(inject_failure, bool, 0444);
MODULE_PARM_DESC(inject_failure, "fail one case on purpose (harness self-test)");

static void sls_open_flags_test(struct kunit *test)
{
	KUNIT_EXPECT_FALSE_MSG(test, inject_failure,
			       "failure injected by args_kunit.inject_failure");
	KUNIT_EXPECT_EQ(test, sls_check_open_flags(0), 0);
	KUNIT_EXPECT_EQ(test, sls_check_open_flags(SLS_CREATE), 0);
	KUNIT_EXPECT_EQ(test, sls_check_open_flags(SLS_CREATE | SLS_EXCL), 0);
	KUNIT_EXPECT_EQ(test, sls_check_open_flags(SLS_EXCL), -EINVAL);
	KUNIT_EXPECT_EQ(test, sls_check_open_flags(1U << 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, sls_check_open_flags(1U << 31), -EINVAL);
}

static void sls_attr_test(struct kunit *test)
{
	struct sls_attr attr = {};

	KUNIT_EXPECT_EQ(test, sls_check_attr(&attr), 0);
	attr.flags = SLS_ATTR_FULL;
	attr.period_ms = SLS_PERIOD_MAX_MS;
	attr.keep_epochs = SLS_KEEP_EPOCHS_MAX;
	KUNIT_EXPECT_EQ(test, sls_check_attr(&attr), 0);
	attr.period_ms++;
	KUNIT_EXPECT_EQ(test, sls_check_attr(&attr), -EINVAL);
	attr.period_ms = 10;
	attr.keep_epochs++;
	KUNIT_EXPECT_EQ(test, sls_check_attr(&attr), -EINVAL);
	attr.keep_epochs = 1;
	attr.flags = SLS_ATTR_FULL << 1;
	KUNIT_EXPECT_EQ(test, sls_check_attr(&attr), -EINVAL);
}

static void sls_name_test(struct kunit *test)
{
	char longest[SLS_NAME_MAX + 2];

	KUNIT_EXPECT_EQ(test, sls_check_name("redis"), 0);
	KUNIT_EXPECT_EQ(test, sls_check_name("a.b_c-9"), 0);
	KUNIT_EXPECT_EQ(test, sls_check_name("..."), 0);
	KUNIT_EXPECT_EQ(test, sls_check_name(""), -EINVAL);
	KUNIT_EXPECT_EQ(test, sls_check_name("."), -EINVAL);
	KUNIT_EXPECT_EQ(test, sls_check_name(".."), -EINVAL);
	KUNIT_EXPECT_EQ(test, sls_check_name("a b"), -EINVAL);
	KUNIT_EXPECT_EQ(test, sls_check_name("caf\xc3\xa9"), -EINVAL);
	/* Latin-1 letters, which isalnum() accepts, are not ASCII. */
	KUNIT_EXPECT_EQ(test, sls_check_name("\xc0\xe9\xff"), -EINVAL);

	memset(longest, 'x', SLS_NAME_MAX);
	longest[SLS_NAME_MAX] = '\0';
	KUNIT_EXPECT_EQ(test, sls_check_name(longest), 0);
	longest[SLS_NAME_MAX] = 'x';
	longest[SLS_NAME_MAX + 1] = '\0';
	KUNIT_EXPECT_EQ(test, sls_check_name(longest), -ENAMETOOLONG);
}

static void sls_persist_flags_test(struct kunit *test)
{
	struct sls_persist_args args = {};

	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), 0);
	args.flags = SLS_PERSIST_SYNC | SLS_PERSIST_FULL;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), 0);
	args.flags = SLS_PERSIST_WAIT << 1;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), -EINVAL);
	args.flags = 0;
	args.epoch = 3;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), -EINVAL);
	args.flags = SLS_PERSIST_WAIT;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), 0);
	args.flags = SLS_PERSIST_WAIT | SLS_PERSIST_SYNC;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), -EINVAL);
	args.flags = SLS_PERSIST_WAIT;
	args.epoch = 0;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), -EINVAL);
}

static void sls_persist_region_test(struct kunit *test)
{
	struct sls_persist_args args = {
		.flags = SLS_PERSIST_REGION | SLS_PERSIST_SYNC,
		.addr = 0x10000,
		.len = 4096,
	};

	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), 0);
	args.len = 0;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), -EINVAL);
	args.addr = U64_MAX - 10;
	args.len = 4096;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), -EINVAL);
	args.addr = TASK_SIZE_MAX - 4096;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), 0);
	args.addr++;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), -EINVAL);
	args.flags = SLS_PERSIST_SYNC;
	args.addr = 0x10000;
	KUNIT_EXPECT_EQ(test, sls_check_persist_args(&args), -EINVAL);
}

static void sls_restore_flags_test(struct kunit *test)
{
	struct sls_restore_args args = { .epoch = 7 };

	KUNIT_EXPECT_EQ(test, sls_check_restore_args(&args), 0);
	args.flags = SLS_RESTORE_STOPPED | SLS_RESTORE_LAZY | SLS_RESTORE_NEWPID;
	KUNIT_EXPECT_EQ(test, sls_check_restore_args(&args), 0);
	args.flags = SLS_RESTORE_NEWPID << 1;
	KUNIT_EXPECT_EQ(test, sls_check_restore_args(&args), -EINVAL);
}

/* The copy itself needs a user address space: only the NULL rules here. */
static void sls_copy_null_test(struct kunit *test)
{
	struct sls_restore_args args = { .flags = 1, .epoch = 2 };

	KUNIT_EXPECT_EQ(test, sls_copy_args(&args, sizeof(args),
					    SLS_RESTORE_ARGS_SIZE_VER0, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, args.flags, 0);
	KUNIT_EXPECT_EQ(test, args.epoch, 0);
	KUNIT_EXPECT_EQ(test, sls_copy_args(&args, sizeof(args),
					    SLS_RESTORE_ARGS_SIZE_VER0, NULL,
					    sizeof(args)), -EINVAL);
}

static struct kunit_case sls_args_cases[] = {
	KUNIT_CASE(sls_open_flags_test),
	KUNIT_CASE(sls_attr_test),
	KUNIT_CASE(sls_name_test),
	KUNIT_CASE(sls_persist_flags_test),
	KUNIT_CASE(sls_persist_region_test),
	KUNIT_CASE(sls_restore_flags_test),
	KUNIT_CASE(sls_copy_null_test),
	{}
};

static struct kunit_suite sls_args_suite = {
	.name = "sls_args",
	.test_cases = sls_args_cases,
};
kunit_test_suite(sls_args_suite);

MODULE_DESCRIPTION("KUnit tests of the single level store's argument checks");
MODULE_LICENSE("GPL");
