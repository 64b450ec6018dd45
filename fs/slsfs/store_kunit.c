// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of slsfs's retention rules, on partitions built in memory:
 * which epoch is the oldest kept once another commits, walking back from
 * a partial epoch to the whole one it needs, how many partial epochs
 * may follow before the next must be whole, and pages an epoch clears.
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

/* A run of pages an epoch clears. */
struct tst_run {
	u64 obj;
	u64 start;
	u64 end;
};

/*
 * Commit the next epoch, keeping from @oldest: it writes pages @idx of
 * object 7 and clears @runs.
 */
static void tst_commit(struct kunit *test, struct slsfs_partition *part,
		       u64 oldest, const u64 *idx, u32 nr,
		       const struct tst_run *runs, u32 nr_runs)
{
	struct slsfs_staged_page pages[4] = {};
	struct slsfs_staged sg = { .pages = pages, .nr_pages = nr };
	struct slsfs_commit c = {
		.oldest = cpu_to_le64(oldest),
		.nr_pages = cpu_to_le64(nr),
	};
	u64 epoch = part->next_epoch;
	int err = 0;
	u32 i;

	KUNIT_ASSERT_LE(test, nr, ARRAY_SIZE(pages));
	for (i = 0; i < nr; i++) {
		pages[i].obj = 7;
		pages[i].index = idx[i];
		pages[i].pv.epoch = epoch;
		pages[i].pv.addr = tst_geo.seg_start + 1 + i;
	}
	for (i = 0; i < nr_runs && !err; i++)
		err = slsfs_staged_clear(&sg, runs[i].obj, runs[i].start,
					 runs[i].end);
	if (!err)
		err = slsfs_epoch_add(part, &c, epoch, &sg);
	kvfree(sg.clears);
	KUNIT_ASSERT_EQ(test, err, 0);
}

static bool tst_has(struct slsfs_partition *part, u64 index, u64 epoch)
{
	return slsfs_page_lookup(part, 7, index, epoch);
}

/*
 * Cleared pages are gone from their epoch on and still there before it; a
 * page the epoch writes stays.  Once the epochs that wrote an object
 * expire, nothing of it is left.
 */
static void slsfs_clear_test(struct kunit *test)
{
	static const u64 four[] = { 0, 1, 2, 3 }, three[] = { 3 };
	static const struct tst_run mid = { 7, 1, 4 }, whole = { 7, 0, U64_MAX };
	struct slsfs_partition *part = tst_part(test);
	struct slsfs_object *o;
	u64 i;

	tst_commit(test, part, 1, four, 4, NULL, 0);
	tst_commit(test, part, 1, three, 1, &mid, 1);
	KUNIT_EXPECT_TRUE(test, tst_has(part, 0, 2));
	KUNIT_EXPECT_FALSE(test, tst_has(part, 1, 2));
	KUNIT_EXPECT_FALSE(test, tst_has(part, 2, 2));
	KUNIT_EXPECT_TRUE(test, tst_has(part, 2, 1));
	KUNIT_EXPECT_EQ(test, slsfs_page_lookup(part, 7, 3, 2)->epoch, 2);
	KUNIT_EXPECT_EQ(test, slsfs_epoch_newest(part)->nr_refs, 3);
	KUNIT_EXPECT_TRUE(test, slsfs_pv_gone(slsfs_page_version_at(part, 7, 1, 2)));

	tst_commit(test, part, 1, NULL, 0, &whole, 1);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_FALSE_MSG(test, tst_has(part, i, 3), "page %llu", i);
	KUNIT_EXPECT_TRUE(test, tst_has(part, 3, 2));

	tst_commit(test, part, 4, NULL, 0, NULL, 0);
	o = xa_load(&part->objects, 7);
	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_EXPECT_TRUE(test, xa_empty(&o->pages));
	KUNIT_EXPECT_EQ(test, part->st->seg_live[0], 0);
}

/* What an epoch writes down of its runs: the pages that hold a copy. */
static void slsfs_clears_filter_test(struct kunit *test)
{
	static const u64 pages[] = { 0, 1, 5 };
	static const struct tst_run one = { 7, 1, 2 };
	static const struct tst_run runs[] = {
		{ 7, 0, 100 }, { 9, 0, 10 }, { 7, 200, 300 },
	};
	struct slsfs_partition *part = tst_part(test);
	struct slsfs_staged sg = {};
	int err = 0;
	u32 i;

	tst_commit(test, part, 1, pages, 3, NULL, 0);
	tst_commit(test, part, 1, NULL, 0, &one, 1);
	for (i = 0; i < ARRAY_SIZE(runs) && !err; i++)
		err = slsfs_staged_clear(&sg, runs[i].obj, runs[i].start,
					 runs[i].end);
	if (!err)
		err = slsfs_clears_filter(part, &sg);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, sg.nr_clears, 2);
	if (sg.nr_clears == 2) {
		KUNIT_EXPECT_EQ(test, sg.clears[0].start, 0);
		KUNIT_EXPECT_EQ(test, sg.clears[0].end, 1);
		KUNIT_EXPECT_EQ(test, sg.clears[1].start, 5);
		KUNIT_EXPECT_EQ(test, sg.clears[1].end, 6);
	}
	kvfree(sg.clears);
}

static struct kunit_case slsfs_store_cases[] = {
	KUNIT_CASE(slsfs_oldest_kept_whole_test),
	KUNIT_CASE(slsfs_oldest_kept_partial_test),
	KUNIT_CASE(slsfs_partial_room_test),
	KUNIT_CASE(slsfs_clear_test),
	KUNIT_CASE(slsfs_clears_filter_test),
	{}
};

static struct kunit_suite slsfs_store_suite = {
	.name = "slsfs_store",
	.test_cases = slsfs_store_cases,
};
kunit_test_suite(slsfs_store_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
