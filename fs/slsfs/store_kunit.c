// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of slsfs's retention rules, on partitions built in memory:
 * which epoch is the oldest kept once another commits, walking back from
 * a partial epoch to the whole one it needs, and how many partial epochs
 * may follow before the next must be whole.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "internal.h"

#define KEEP	4

static const struct slsfs_geo tst_geo = {
	.nr_blocks = SLSFS_SEG_START_MIN + 16,
	.seg_start = SLSFS_SEG_START_MIN,
	.seg_blocks = 16,
	.nr_segs = 1,
};

static void tst_store_free(void *st)
{
	slsfs_store_destroy(st);
	kfree(st);
}

/* A partition keeping KEEP epochs, in a store freed with the test. */
static struct slsfs_partition *tst_part(struct kunit *test)
{
	struct slsfs_part dp = { .name = "p", .keep_epochs = cpu_to_le64(KEEP) };
	struct slsfs_store *st = kzalloc(sizeof(*st), GFP_KERNEL);
	struct slsfs_partition *part;

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_EQ(test, slsfs_store_init(st, &tst_geo), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tst_store_free, st), 0);
	part = slsfs_part_add(st, 1, &dp);
	KUNIT_ASSERT_FALSE(test, IS_ERR(part));
	return part;
}

/* Commit epochs in order, each whole ('w') or partial ('p'). */
static void tst_epochs(struct kunit *test, struct slsfs_partition *part,
		       const char *kinds)
{
	struct slsfs_epoch *ep;

	for (; *kinds; kinds++) {
		ep = kzalloc(sizeof(*ep), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ep);
		ep->epoch = part->next_epoch;
		ep->flags = *kinds == 'p' ? SLSFS_COMMIT_PARTIAL : 0;
		slsfs_epoch_insert(part, ep);
	}
}

/* Whole epochs: the KEEP newest with the one that commits. */
static void slsfs_oldest_kept_whole_test(struct kunit *test)
{
	struct slsfs_partition *part = tst_part(test);

	KUNIT_EXPECT_EQ(test, slsfs_part_oldest_kept(part, 1), 1);
	tst_epochs(test, part, "www");
	KUNIT_EXPECT_EQ(test, slsfs_part_oldest_kept(part, 4), 1);
	tst_epochs(test, part, "ww");
	KUNIT_EXPECT_EQ(test, slsfs_part_oldest_kept(part, 6), 3);
}

/* A partial epoch at the edge keeps the whole one before it. */
static void slsfs_oldest_kept_partial_test(struct kunit *test)
{
	struct slsfs_partition *part = tst_part(test);

	tst_epochs(test, part, "wwpppp");
	/* 4..7 would be kept: 4 is partial, and needs 2 */
	KUNIT_EXPECT_EQ(test, slsfs_part_oldest_kept(part, 7), 2);
	tst_epochs(test, part, "w");
	/* 5..8: 5 is partial, the newest whole one before it is 2 */
	KUNIT_EXPECT_EQ(test, slsfs_part_oldest_kept(part, 8), 2);
	tst_epochs(test, part, "pp");
	/* 7..10: 7 is whole */
	KUNIT_EXPECT_EQ(test, slsfs_part_oldest_kept(part, 10), 7);
}

/* KEEP - 1 partial epochs may follow a whole one, then one must be whole. */
static void slsfs_partial_room_test(struct kunit *test)
{
	struct slsfs_partition *part = tst_part(test);

	KUNIT_EXPECT_EQ(test, slsfs_part_partial_room(part), 0);	/* none whole */
	tst_epochs(test, part, "p");
	KUNIT_EXPECT_EQ(test, slsfs_part_partial_room(part), 0);
	tst_epochs(test, part, "w");
	KUNIT_EXPECT_EQ(test, slsfs_part_partial_room(part), KEEP - 1);
	tst_epochs(test, part, "pp");
	KUNIT_EXPECT_EQ(test, slsfs_part_partial_room(part), KEEP - 3);
	tst_epochs(test, part, "p");
	KUNIT_EXPECT_EQ(test, slsfs_part_partial_room(part), 0);
	tst_epochs(test, part, "w");
	KUNIT_EXPECT_EQ(test, slsfs_part_partial_room(part), KEEP - 1);
}

static struct kunit_case slsfs_store_cases[] = {
	KUNIT_CASE(slsfs_oldest_kept_whole_test),
	KUNIT_CASE(slsfs_oldest_kept_partial_test),
	KUNIT_CASE(slsfs_partial_room_test),
	{}
};

static struct kunit_suite slsfs_store_suite = {
	.name = "slsfs_store",
	.test_cases = slsfs_store_cases,
};
kunit_test_suite(slsfs_store_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
