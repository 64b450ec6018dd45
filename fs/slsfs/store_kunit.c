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

/* Epochs committed next, then what the rules say of the partition. */
struct tst_step {
	const char *kinds;
	u64 oldest;		/* kept once the next epoch commits */
	u64 room;		/* partial epochs that may follow */
	u64 whole;		/* the newest whole epoch */
};

static void tst_steps(struct kunit *test, const struct tst_step *steps,
		      unsigned int n)
{
	struct slsfs_partition *part = tst_part(test);
	unsigned int i;
	u64 whole;

	for (i = 0; i < n; i++) {
		tst_epochs(test, part, steps[i].kinds);
		KUNIT_EXPECT_EQ_MSG(test, slsfs_part_oldest_kept(part, part->next_epoch),
				    steps[i].oldest, "step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, slsfs_part_partial_room(part, &whole),
				    steps[i].room, "step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, whole, steps[i].whole, "step %u", i);
	}
}

/* Whole epochs: the KEEP newest with the one that commits. */
static void slsfs_oldest_kept_whole_test(struct kunit *test)
{
	static const struct tst_step steps[] = {
		{ "",	 1, 0, 0 },	/* the first epoch keeps itself */
		{ "www", 1, KEEP - 1, 3 },
		{ "ww",	 3, KEEP - 1, 5 },
	};

	tst_steps(test, steps, ARRAY_SIZE(steps));
}

/* A partial epoch at the edge keeps the whole one before it. */
static void slsfs_oldest_kept_partial_test(struct kunit *test)
{
	static const struct tst_step steps[] = {
		{ "wwpppp", 2, 0, 2 },	/* 4..7 kept: 4 is partial, needs 2 */
		{ "w",	    2, KEEP - 1, 7 },	/* 5..8: 5 partial, needs 2 */
		{ "pp",	    7, KEEP - 3, 7 },	/* 7..10: 7 is whole */
	};

	tst_steps(test, steps, ARRAY_SIZE(steps));
}

/* KEEP - 1 partial epochs may follow a whole one, then one must be whole. */
static void slsfs_partial_room_test(struct kunit *test)
{
	static const struct tst_step steps[] = {
		{ "p",	1, 0, 0 },	/* no whole epoch at all */
		{ "w",	1, KEEP - 1, 2 },
		{ "pp", 2, KEEP - 3, 2 },	/* 2..5: 2 is whole */
		{ "p",	2, 0, 2 },	/* 3..6: 3 partial, needs 2 */
		{ "w",	2, KEEP - 1, 6 },	/* 4..7: 4 partial, needs 2 */
	};

	tst_steps(test, steps, ARRAY_SIZE(steps));
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
