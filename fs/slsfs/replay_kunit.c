// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of slsfs's log replay and epoch index, on a log kept in
 * memory: committed epochs come back, a torn tail at any byte boundary is
 * dropped, stale chunks of an earlier mount are not taken for new ones,
 * damage before a commit is refused, and pages resolve through chains of
 * incremental epochs.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "internal.h"

#define SEG_BLOCKS	16
#define NR_SEGS		4
#define NR_BLOCKS	(SLSFS_SEG_START_MIN + SEG_BLOCKS * NR_SEGS)
#define STORE_ID	0x5eedULL

/* A device in memory and a writer that appends chunks to its log. */
struct tlog {
	struct kunit *test;
	struct slsfs_geo geo;
	u8 *dev;
	u64 addr;
	u64 lsn;
	u64 gen;
	u64 tear;		/* bytes from here on read as zeros */
};

static void tlog_free(void *dev)
{
	vfree(dev);
}

static struct tlog *tlog_new(struct kunit *test)
{
	struct tlog *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dev = vzalloc(NR_BLOCKS * SLSFS_BLOCK_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, t->dev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tlog_free, t->dev), 0);
	t->test = test;
	t->geo = (struct slsfs_geo){
		.store_id = STORE_ID, .nr_blocks = NR_BLOCKS,
		.seg_start = SLSFS_SEG_START_MIN, .seg_blocks = SEG_BLOCKS,
		.nr_segs = NR_SEGS,
	};
	t->addr = SLSFS_SEG_START_MIN;
	t->lsn = 1;
	t->gen = 1;
	t->tear = U64_MAX;
	return t;
}

static void *tlog_block(struct tlog *t, u64 addr)
{
	return t->dev + addr * SLSFS_BLOCK_SIZE;
}

static u32 tlog_seg(struct tlog *t)
{
	return slsfs_seg_of(&t->geo, t->addr);
}

static struct slsfs_chunk *tlog_header(struct tlog *t, u16 type, u64 part,
				       u64 epoch, u32 nr_entries, size_t esize,
				       u32 nr_blocks)
{
	struct slsfs_chunk *ch = tlog_block(t, t->addr);

	memset(ch, 0, SLSFS_BLOCK_SIZE);
	ch->magic = cpu_to_le32(SLSFS_CHUNK_MAGIC);
	ch->type = cpu_to_le16(type);
	ch->len = cpu_to_le32(sizeof(*ch) + nr_entries * esize);
	ch->lsn = cpu_to_le64(t->lsn);
	ch->gen = cpu_to_le64(t->gen);
	ch->store_id = cpu_to_le64(STORE_ID);
	ch->part_id = cpu_to_le64(part);
	ch->epoch = cpu_to_le64(epoch);
	ch->nr_entries = cpu_to_le32(nr_entries);
	ch->nr_blocks = cpu_to_le32(nr_blocks);
	ch->next_seg = cpu_to_le32((tlog_seg(t) + 1) % NR_SEGS);
	return ch;
}

/* Seal the chunk at t->addr and step past it and its data blocks. */
static u64 tlog_close(struct tlog *t)
{
	struct slsfs_chunk *ch = tlog_block(t, t->addr);
	u64 at = t->addr;
	u32 seg = tlog_seg(t);

	slsfs_chunk_seal(ch);
	t->lsn++;
	t->addr += 1 + le32_to_cpu(ch->nr_blocks);
	if (le16_to_cpu(ch->type) == SLSFS_CHUNK_SEGEND ||
	    t->addr == slsfs_seg_addr(&t->geo, seg + 1))
		t->addr = slsfs_seg_addr(&t->geo, le32_to_cpu(ch->next_seg));
	return at;
}

/* Leave the segment early if a chunk of @nr_blocks data blocks does not fit. */
static void tlog_room(struct tlog *t, u32 nr_blocks)
{
	u64 end = slsfs_seg_addr(&t->geo, tlog_seg(t) + 1);

	if (t->addr + 1 + nr_blocks <= end)
		return;
	tlog_header(t, SLSFS_CHUNK_SEGEND, 0, 0, 0, 0, 0);
	tlog_close(t);
}

static u64 tlog_part(struct tlog *t, u64 id, const char *name)
{
	struct slsfs_chunk *ch;
	struct slsfs_part *dp;

	tlog_room(t, 0);
	ch = tlog_header(t, SLSFS_CHUNK_PART, id, 0, 1, sizeof(*dp), 0);
	dp = (void *)(ch + 1);
	strscpy(dp->name, name, sizeof(dp->name));
	dp->keep_epochs = cpu_to_le64(8);
	return tlog_close(t);
}

/* Pages @first..@first+@nr-1 of object @obj; each page holds its epoch. */
static u64 tlog_pages(struct tlog *t, u64 part, u64 epoch, u64 obj, u64 first,
		      u32 nr)
{
	struct slsfs_page_entry *e;
	struct slsfs_chunk *ch;
	u32 i;

	tlog_room(t, nr);
	ch = tlog_header(t, SLSFS_CHUNK_PAGES, part, epoch, nr, sizeof(*e), nr);
	e = (void *)(ch + 1);
	for (i = 0; i < nr; i++) {
		u8 *data = tlog_block(t, t->addr + 1 + i);

		memset(data, (u8)epoch, SLSFS_BLOCK_SIZE);
		e[i].obj = cpu_to_le64(obj);
		e[i].index = cpu_to_le64(first + i);
		e[i].crc = cpu_to_le32(slsfs_block_crc(data));
	}
	return tlog_close(t);
}

static u64 tlog_records(struct tlog *t, u64 part, u64 epoch, u32 nr)
{
	struct slsfs_chunk *ch;
	__le32 *crc;
	u32 i;

	tlog_room(t, nr);
	ch = tlog_header(t, SLSFS_CHUNK_RECORDS, part, epoch, nr, sizeof(*crc), nr);
	crc = (void *)(ch + 1);
	for (i = 0; i < nr; i++) {
		u8 *data = tlog_block(t, t->addr + 1 + i);

		memset(data, 0xa0 + i, SLSFS_BLOCK_SIZE);
		crc[i] = cpu_to_le32(slsfs_block_crc(data));
	}
	return tlog_close(t);
}

/* Pages @start..@end-1 of object @obj gone as of @epoch. */
static u64 tlog_clear(struct tlog *t, u64 part, u64 epoch, u64 obj, u64 start,
		      u64 end)
{
	struct slsfs_clear_entry *e;
	struct slsfs_chunk *ch;

	tlog_room(t, 0);
	ch = tlog_header(t, SLSFS_CHUNK_CLEAR, part, epoch, 1, sizeof(*e), 0);
	e = (void *)(ch + 1);
	e->obj = cpu_to_le64(obj);
	e->start = cpu_to_le64(start);
	e->end = cpu_to_le64(end);
	return tlog_close(t);
}

static u64 tlog_commit(struct tlog *t, u64 part, u64 epoch, u64 parent,
		       u64 oldest, u64 nr_pages, u64 record_bytes)
{
	struct slsfs_commit *c;
	struct slsfs_chunk *ch;

	tlog_room(t, 0);
	ch = tlog_header(t, SLSFS_CHUNK_COMMIT, part, epoch, 1, sizeof(*c), 0);
	c = (void *)(ch + 1);
	c->parent = cpu_to_le64(parent);
	c->oldest = cpu_to_le64(oldest);
	c->nr_pages = cpu_to_le64(nr_pages);
	c->record_bytes = cpu_to_le64(record_bytes);
	c->flags = cpu_to_le32(parent ? 0 : SLSFS_COMMIT_FULL);
	return tlog_close(t);
}

/* Make the commit at @at sealed, written in one go with the chunks from @start. */
static void tlog_seal(struct tlog *t, u64 at, u64 start)
{
	struct slsfs_chunk *ch = tlog_block(t, at);
	struct slsfs_commit *c = (void *)(ch + 1);

	c->flags |= cpu_to_le32(SLSFS_COMMIT_SEALED);
	c->span = cpu_to_le32(at - start);
	slsfs_chunk_seal(ch);
}

static int tlog_read(struct slsfs_replay *r, u64 addr, void *buf)
{
	struct tlog *t = r->private;
	u64 off = addr * SLSFS_BLOCK_SIZE;

	if (addr >= NR_BLOCKS)
		return -EIO;
	if (t->tear >= off + SLSFS_BLOCK_SIZE) {
		memcpy(buf, t->dev + off, SLSFS_BLOCK_SIZE);
		return 0;
	}
	memset(buf, 0, SLSFS_BLOCK_SIZE);
	if (t->tear > off)
		memcpy(buf, t->dev + off, t->tear - off);
	return 0;
}

/* Replay @t's log into a fresh store, freed when the test ends. */
static void tlog_store_free(void *st)
{
	slsfs_store_destroy(st);
}

static int tlog_replay(struct tlog *t, struct slsfs_replay *r, u64 max_gen)
{
	struct slsfs_store *st = kunit_kzalloc(t->test, sizeof(*st), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(t->test, st);
	KUNIT_ASSERT_EQ(t->test, slsfs_store_init(st, &t->geo), 0);
	KUNIT_ASSERT_EQ(t->test, kunit_add_action_or_reset(t->test, tlog_store_free, st), 0);
	*r = (struct slsfs_replay){
		.st = st, .read_block = tlog_read, .private = t,
		.start_addr = SLSFS_SEG_START_MIN, .start_lsn = 1, .max_gen = max_gen,
	};
	return slsfs_replay(r);
}

/* Replay refuses @t's log as corrupt, for reason @why. */
static void tlog_expect_corrupt(struct tlog *t, const char *why)
{
	struct slsfs_replay r;

	KUNIT_EXPECT_EQ(t->test, tlog_replay(t, &r, 1), -EUCLEAN);
	KUNIT_EXPECT_STREQ(t->test, r.why, why);
	kunit_release_action(t->test, tlog_store_free, r.st);
}

static struct slsfs_partition *tlog_part_of(struct kunit *test,
					    struct slsfs_replay *r, const char *name)
{
	struct slsfs_partition *part = slsfs_part_find(r->st, name);

	KUNIT_ASSERT_NOT_NULL(test, part);
	return part;
}

static void slsfs_replay_empty_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	struct slsfs_replay r;

	KUNIT_EXPECT_EQ(test, tlog_replay(t, &r, 1), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&r.st->parts));
	KUNIT_EXPECT_EQ(test, r.end_addr, SLSFS_SEG_START_MIN);
	KUNIT_EXPECT_EQ(test, r.next_lsn, 1);
	KUNIT_EXPECT_EQ(test, r.chunks, 0);
}

static void slsfs_replay_epochs_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	const struct slsfs_page_version *pv;
	struct slsfs_partition *part;
	struct slsfs_epoch *ep;
	struct slsfs_replay r;
	u64 p1, p2, rec;

	tlog_part(t, 1, "redis");
	p1 = tlog_pages(t, 1, 1, 7, 0, 3);
	rec = tlog_records(t, 1, 1, 2);
	tlog_commit(t, 1, 1, 0, 1, 3, 5000);
	p2 = tlog_pages(t, 1, 2, 7, 1, 1);
	tlog_commit(t, 1, 2, 1, 1, 1, 0);

	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 1), 0);
	KUNIT_EXPECT_EQ(test, r.chunks, 6);
	KUNIT_EXPECT_EQ(test, r.end_addr, t->addr);
	KUNIT_EXPECT_EQ(test, r.next_lsn, t->lsn);
	part = tlog_part_of(test, &r, "redis");
	KUNIT_EXPECT_EQ(test, part->nr_epochs, 2);
	KUNIT_EXPECT_EQ(test, part->next_epoch, 3);
	KUNIT_EXPECT_EQ(test, part->keep_epochs, 8);
	ep = slsfs_epoch_find(part, 1);
	KUNIT_ASSERT_NOT_NULL(test, ep);
	KUNIT_EXPECT_EQ(test, ep->record_bytes, 5000);
	KUNIT_EXPECT_EQ(test, ep->nr_extents, 1);
	KUNIT_EXPECT_EQ(test, ep->extents[0].addr, rec + 1);
	KUNIT_EXPECT_EQ(test, ep->extents[0].nr_blocks, 2);
	KUNIT_EXPECT_EQ(test, ep->extent_crcs[1],
			slsfs_block_crc(tlog_block(t, rec + 2)));
	KUNIT_EXPECT_EQ(test, ep->flags, SLSFS_COMMIT_FULL);

	pv = slsfs_page_lookup(part, 7, 1, 2);
	KUNIT_ASSERT_NOT_NULL(test, pv);
	KUNIT_EXPECT_EQ(test, pv->addr, p2 + 1);
	pv = slsfs_page_lookup(part, 7, 1, 1);
	KUNIT_ASSERT_NOT_NULL(test, pv);
	KUNIT_EXPECT_EQ(test, pv->addr, p1 + 2);
	/* page 2 was written by epoch 1 only: epoch 2 resolves it there */
	pv = slsfs_page_lookup(part, 7, 2, 2);
	KUNIT_ASSERT_NOT_NULL(test, pv);
	KUNIT_EXPECT_EQ(test, pv->epoch, 1);
	KUNIT_EXPECT_EQ(test, pv->crc, slsfs_block_crc(tlog_block(t, p1 + 3)));
	KUNIT_EXPECT_NULL(test, slsfs_page_lookup(part, 7, 3, 2));
	KUNIT_EXPECT_NULL(test, slsfs_page_lookup(part, 8, 0, 2));
}

/*
 * A CLEAR chunk replays as pages gone from its epoch on, older epochs
 * still seeing their copies; one of an epoch never committed is dropped,
 * and an empty run is corruption.
 */
static void slsfs_replay_clear_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	struct slsfs_partition *part;
	struct slsfs_replay r;
	u64 torn;

	tlog_part(t, 1, "p");
	tlog_pages(t, 1, 1, 7, 0, 4);
	tlog_commit(t, 1, 1, 0, 1, 4, 0);
	tlog_clear(t, 1, 2, 7, 1, 3);
	tlog_commit(t, 1, 2, 1, 1, 0, 0);
	torn = tlog_clear(t, 1, 3, 7, 0, 4);

	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 1), 0);
	KUNIT_EXPECT_EQ(test, r.torn_epochs, 1);
	part = tlog_part_of(test, &r, "p");
	KUNIT_EXPECT_NOT_NULL(test, slsfs_page_lookup(part, 7, 0, 2));
	KUNIT_EXPECT_NULL(test, slsfs_page_lookup(part, 7, 1, 2));
	KUNIT_EXPECT_NULL(test, slsfs_page_lookup(part, 7, 2, 2));
	KUNIT_EXPECT_NOT_NULL(test, slsfs_page_lookup(part, 7, 2, 1));
	KUNIT_EXPECT_NOT_NULL(test, slsfs_page_lookup(part, 7, 3, 2));
	KUNIT_EXPECT_EQ(test, slsfs_epoch_find(part, 2)->nr_refs, 2);

	t->addr = torn;
	t->lsn--;
	tlog_clear(t, 1, 3, 7, 2, 2);
	tlog_commit(t, 1, 3, 2, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, tlog_replay(t, &r, 1), -EUCLEAN);
}

/*
 * The byte after the last non-zero one of the block at @addr: a tear that
 * reads as zeros from there on leaves the block as it was.
 */
static u64 tlog_used_end(struct tlog *t, u64 addr)
{
	const u8 *block = tlog_block(t, addr);
	u64 n = SLSFS_BLOCK_SIZE;

	while (n && !block[n - 1])
		n--;
	return addr * SLSFS_BLOCK_SIZE + n;
}

/*
 * A crash tears the log at any byte: an epoch is there exactly when all
 * of its commit chunk's bytes made it, and replay never fails for a tear.
 */
static void tlog_torn_tail_check(struct kunit *test, struct tlog *t, u64 start,
				 u64 end, u64 pages_end, u64 commit_end)
{
	struct slsfs_partition *part;
	struct slsfs_replay r;
	u64 b;
	int err;

	for (b = start; b <= end; b++) {
		/* a zero byte tears into the same image as the next byte */
		if (b < end && !t->dev[b])
			continue;
		t->tear = b;
		err = tlog_replay(t, &r, 1);
		KUNIT_ASSERT_EQ_MSG(test, err, 0, "tear at byte %llu", b);
		part = tlog_part_of(test, &r, "p");
		KUNIT_ASSERT_EQ_MSG(test, part->nr_epochs, b >= commit_end ? 2 : 1,
				    "tear at byte %llu", b);
		KUNIT_ASSERT_EQ_MSG(test, r.torn_epochs,
				    b >= pages_end && b < commit_end,
				    "tear at byte %llu", b);
		/* the store is rebuilt per tear; free it now, not at the end */
		kunit_release_action(test, tlog_store_free, r.st);
	}
}

static void slsfs_replay_torn_tail_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	u64 start, end, pages_end, commit, commit_end;

	/* epoch 2 ends with segment 0, so that little follows the tear */
	tlog_part(t, 1, "p");
	tlog_pages(t, 1, 1, 1, 0, 1);
	tlog_records(t, 1, 1, SEG_BLOCKS - 8);
	tlog_commit(t, 1, 1, 0, 1, 1, 0);
	start = t->addr * SLSFS_BLOCK_SIZE;
	pages_end = tlog_used_end(t, tlog_pages(t, 1, 2, 1, 0, 1));
	commit = tlog_commit(t, 1, 2, 1, 1, 1, 0);
	commit_end = tlog_used_end(t, commit);
	end = t->addr * SLSFS_BLOCK_SIZE;
	KUNIT_ASSERT_EQ(test, end, slsfs_seg_addr(&t->geo, 1) * SLSFS_BLOCK_SIZE);

	tlog_torn_tail_check(test, t, start, end, pages_end, commit_end);
	/* the same with epoch 2 sealed: written in one go with its pages */
	tlog_seal(t, commit, start / SLSFS_BLOCK_SIZE);
	commit_end = tlog_used_end(t, commit);
	tlog_torn_tail_check(test, t, start, end, pages_end, commit_end);
}

/*
 * A mount that ended with epoch 2 staged leaves it behind; the next mount
 * writes epoch 2 afresh, and a stale commit of the earlier mount further
 * on is not taken for the new epoch's.
 */
static void slsfs_replay_stale_mount_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	struct slsfs_partition *part;
	struct slsfs_replay r;
	u64 x, lsn;

	tlog_part(t, 1, "p");
	tlog_pages(t, 1, 1, 1, 0, 1);
	tlog_commit(t, 1, 1, 0, 1, 1, 0);
	/* mount 1's epoch 2: its pages, its commit */
	lsn = t->lsn;
	x = tlog_pages(t, 1, 2, 1, 5, 1);
	tlog_commit(t, 1, 2, 1, 1, 1, 0);
	/* mount 2 lost those pages in the crash and writes others at x */
	t->addr = x;
	t->lsn = lsn;
	t->gen = 2;
	tlog_pages(t, 1, 2, 1, 6, 1);

	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 2), 0);
	part = tlog_part_of(test, &r, "p");
	KUNIT_EXPECT_EQ(test, part->nr_epochs, 1);
	KUNIT_EXPECT_EQ(test, r.torn_epochs, 1);
	KUNIT_EXPECT_EQ(test, r.end_addr, x + 2);

	/* its own commit makes it an epoch of page 6 only */
	tlog_commit(t, 1, 2, 1, 1, 1, 0);
	kunit_release_action(test, tlog_store_free, r.st);
	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 2), 0);
	part = tlog_part_of(test, &r, "p");
	KUNIT_EXPECT_EQ(test, part->nr_epochs, 2);
	KUNIT_EXPECT_NULL(test, slsfs_page_lookup(part, 1, 5, 2));
	KUNIT_EXPECT_NOT_NULL(test, slsfs_page_lookup(part, 1, 6, 2));

	/* a chunk of a mount newer than the superblock is not the log's */
	kunit_release_action(test, tlog_store_free, r.st);
	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 1), 0);
	KUNIT_EXPECT_EQ(test, tlog_part_of(test, &r, "p")->nr_epochs, 1);
}

/* Staged pages of a mount left behind do not join a later epoch. */
static void slsfs_replay_new_mount_drops_staged_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	struct slsfs_partition *part;
	struct slsfs_replay r;

	tlog_part(t, 1, "p");
	tlog_pages(t, 1, 1, 1, 0, 1);
	t->gen = 2;
	tlog_pages(t, 1, 1, 1, 1, 1);
	tlog_commit(t, 1, 1, 0, 1, 1, 0);

	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 2), 0);
	part = tlog_part_of(test, &r, "p");
	KUNIT_EXPECT_EQ(test, part->nr_epochs, 1);
	KUNIT_EXPECT_EQ(test, r.torn_epochs, 1);
	KUNIT_EXPECT_NULL(test, slsfs_page_lookup(part, 1, 0, 1));
	KUNIT_EXPECT_NOT_NULL(test, slsfs_page_lookup(part, 1, 1, 1));
}

/* Damage before a commit is corruption, not a torn tail. */
static void slsfs_replay_damage_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	u64 pages;

	tlog_part(t, 1, "p");
	pages = tlog_pages(t, 1, 1, 1, 0, 2);
	tlog_commit(t, 1, 1, 0, 1, 2, 0);
	((u8 *)tlog_block(t, pages))[80] ^= 1;

	tlog_expect_corrupt(t, "damaged chunk before a committed epoch");
}

/* Commits that do not match their chunks are corruption too. */
static void slsfs_replay_bad_commit_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);

	tlog_part(t, 1, "p");
	tlog_pages(t, 1, 1, 1, 0, 2);
	tlog_commit(t, 1, 1, 0, 1, 3, 0);
	tlog_expect_corrupt(t, "commit does not match its epoch's chunks");

	t = tlog_new(test);
	tlog_commit(t, 9, 1, 0, 1, 0, 0);
	tlog_expect_corrupt(t, "commit of an unknown partition");
}

/* The log goes on across segments, early (SEGEND) or at the end. */
static void slsfs_replay_segments_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	struct slsfs_partition *part;
	struct slsfs_replay r;
	u64 e;

	tlog_part(t, 1, "p");
	for (e = 1; e <= 6; e++) {
		tlog_pages(t, 1, e, 1, e, 5);
		tlog_commit(t, 1, e, e - 1, 1, 5, 0);
	}
	KUNIT_ASSERT_GE(test, tlog_seg(t), 2);
	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 1), 0);
	part = tlog_part_of(test, &r, "p");
	KUNIT_EXPECT_EQ(test, part->nr_epochs, 6);
	KUNIT_EXPECT_EQ(test, r.end_addr, t->addr);
	KUNIT_EXPECT_EQ(test, r.next_seg, (tlog_seg(t) + 1) % NR_SEGS);
}

/* Retention and restore of an older epoch, through the index. */
static void slsfs_index_expire_discard_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	const struct slsfs_page_version *pv;
	struct slsfs_partition *part;
	struct slsfs_replay r;

	tlog_part(t, 1, "p");
	tlog_pages(t, 1, 1, 1, 0, 3);		/* pages 0 1 2 */
	tlog_commit(t, 1, 1, 0, 1, 3, 0);
	tlog_pages(t, 1, 2, 1, 1, 1);		/* page 1 */
	tlog_commit(t, 1, 2, 1, 1, 1, 0);
	tlog_pages(t, 1, 3, 1, 2, 1);		/* page 2 */
	tlog_commit(t, 1, 3, 2, 2, 1, 0);	/* epoch 1 expires */
	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 1), 0);
	part = tlog_part_of(test, &r, "p");

	KUNIT_EXPECT_EQ(test, part->nr_epochs, 2);
	KUNIT_EXPECT_NULL(test, slsfs_epoch_find(part, 1));
	/* epoch 1's page 0 is still what epochs 2 and 3 see */
	pv = slsfs_page_lookup(part, 1, 0, 3);
	KUNIT_ASSERT_NOT_NULL(test, pv);
	KUNIT_EXPECT_EQ(test, pv->epoch, 1);
	/* epoch 1's page 1 is seen by no retained epoch: gone */
	pv = slsfs_page_lookup(part, 1, 1, 1);
	KUNIT_EXPECT_NULL(test, pv);
	KUNIT_EXPECT_EQ(test, slsfs_page_lookup(part, 1, 2, 2)->epoch, 1);
	KUNIT_EXPECT_EQ(test, slsfs_page_lookup(part, 1, 2, 3)->epoch, 3);

	slsfs_epochs_discard_after(part, 2);
	KUNIT_EXPECT_EQ(test, part->nr_epochs, 1);
	KUNIT_EXPECT_EQ(test, slsfs_page_lookup(part, 1, 2, 3)->epoch, 1);
}

/*
 * Epoch 1, then epoch 2 sealed: a PAGES chunk of 2 pages, a RECORDS chunk
 * of 2 blocks and the commit, 7 blocks from @start, the commit at @start + 6.
 */
static u64 tlog_sealed_log(struct tlog *t, u64 *lsn)
{
	u64 start, commit;

	tlog_part(t, 1, "p");
	tlog_pages(t, 1, 1, 1, 0, 1);
	tlog_commit(t, 1, 1, 0, 1, 1, 0);
	tlog_room(t, 7);
	start = t->addr;
	*lsn = t->lsn;
	tlog_pages(t, 1, 2, 1, 0, 2);
	tlog_records(t, 1, 2, 2);
	commit = tlog_commit(t, 1, 2, 1, 1, 2, 8000);
	KUNIT_ASSERT_EQ(t->test, commit, start + 6);
	tlog_seal(t, commit, start);
	return start;
}

/*
 * A sealed epoch that ends the log is taken only when every block of its
 * write made it.  A stale block anywhere in it drops the epoch as a torn
 * tail, never the mount: after a stale data block the log goes on where
 * the epoch starts, after a stale header where the chain ends.
 */
static void slsfs_replay_sealed_tail_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	const struct slsfs_page_version *pv;
	struct slsfs_partition *part;
	struct slsfs_replay r;
	u64 start, lsn, b;
	u8 *saved;
	int err;

	saved = kunit_kmalloc(test, SLSFS_BLOCK_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, saved);
	start = tlog_sealed_log(t, &lsn);
	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 1), 0);
	part = tlog_part_of(test, &r, "p");
	KUNIT_EXPECT_EQ(test, part->nr_epochs, 2);
	KUNIT_EXPECT_EQ(test, r.torn_epochs, 0);
	KUNIT_EXPECT_EQ(test, r.end_addr, t->addr);
	KUNIT_EXPECT_EQ(test, r.next_lsn, t->lsn);
	/* the flag says how the commit was written, not what the epoch is */
	KUNIT_EXPECT_EQ(test, slsfs_epoch_find(part, 2)->flags, 0);
	kunit_release_action(test, tlog_store_free, r.st);

	for (b = start; b < start + 6; b++) {
		bool header = b == start || b == start + 3;

		memcpy(saved, tlog_block(t, b), SLSFS_BLOCK_SIZE);
		memset(tlog_block(t, b), 0x5a, SLSFS_BLOCK_SIZE);
		err = tlog_replay(t, &r, 1);
		KUNIT_ASSERT_EQ_MSG(test, err, 0, "stale block %llu", b - start);
		part = tlog_part_of(test, &r, "p");
		KUNIT_EXPECT_EQ_MSG(test, part->nr_epochs, 1, "stale block %llu", b - start);
		KUNIT_EXPECT_EQ_MSG(test, r.torn_epochs, 1, "stale block %llu", b - start);
		KUNIT_EXPECT_EQ_MSG(test, r.end_addr, header ? b : start,
				    "stale block %llu", b - start);
		KUNIT_EXPECT_EQ_MSG(test, r.next_lsn, lsn + (b == start + 3),
				    "stale block %llu", b - start);
		pv = slsfs_page_lookup(part, 1, 0, 2);
		KUNIT_ASSERT_NOT_NULL(test, pv);
		KUNIT_EXPECT_EQ(test, pv->epoch, 1);
		kunit_release_action(test, tlog_store_free, r.st);
		memcpy(tlog_block(t, b), saved, SLSFS_BLOCK_SIZE);
	}
}

/*
 * A sealed epoch that a chunk follows was whole before that chunk was
 * written: its data is not read back at mount (a restore checks it), and
 * damage that cuts the chain before it is still corruption.
 */
static void slsfs_replay_sealed_followed_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	struct slsfs_replay r;
	u64 start, lsn;

	start = tlog_sealed_log(t, &lsn);
	tlog_commit(t, 1, 3, 2, 1, 0, 0);
	((u8 *)tlog_block(t, start + 1))[7] ^= 1;
	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 1), 0);
	KUNIT_EXPECT_EQ(test, tlog_part_of(test, &r, "p")->nr_epochs, 3);
	kunit_release_action(test, tlog_store_free, r.st);

	((u8 *)tlog_block(t, start))[80] ^= 1;
	tlog_expect_corrupt(t, "damaged chunk before a committed epoch");
}

/*
 * A sealed write cut after its first chunk leaves that chunk in the chain;
 * the next mount writes the epoch of the same number again, sealed, and
 * its span leads back to its own first chunk, not to the stale one.
 */
static void slsfs_replay_sealed_after_stale_chunk_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	struct slsfs_replay r;
	u64 start;

	tlog_part(t, 1, "p");
	tlog_pages(t, 1, 1, 1, 0, 1);
	tlog_commit(t, 1, 1, 0, 1, 1, 0);
	tlog_pages(t, 1, 2, 1, 0, 2);		/* the rest of its write lost */
	t->gen = 2;
	start = t->addr;
	tlog_pages(t, 1, 2, 1, 0, 1);
	tlog_seal(t, tlog_commit(t, 1, 2, 1, 1, 1, 0), start);

	KUNIT_ASSERT_EQ(test, tlog_replay(t, &r, 2), 0);
	KUNIT_EXPECT_EQ(test, tlog_part_of(test, &r, "p")->nr_epochs, 2);
	KUNIT_EXPECT_EQ(test, r.torn_epochs, 1);
	KUNIT_EXPECT_EQ(test, r.end_addr, t->addr);
}

/* A span that does not lead to the epoch's first chunk is corruption. */
static void slsfs_replay_sealed_span_test(struct kunit *test)
{
	struct tlog *t = tlog_new(test);
	struct slsfs_commit *c;
	u64 start, lsn;

	start = tlog_sealed_log(t, &lsn);
	tlog_seal(t, start + 6, start + 3);
	tlog_expect_corrupt(t, "sealed commit does not match its epoch's chunks");

	/* nor may a commit that is not sealed have one */
	c = (void *)((struct slsfs_chunk *)tlog_block(t, start + 6) + 1);
	c->flags &= ~cpu_to_le32(SLSFS_COMMIT_SEALED);
	slsfs_chunk_seal(tlog_block(t, start + 6));
	tlog_expect_corrupt(t, "commit does not match its epoch's chunks");
}

static struct kunit_case slsfs_replay_cases[] = {
	KUNIT_CASE(slsfs_replay_empty_test),
	KUNIT_CASE(slsfs_replay_epochs_test),
	KUNIT_CASE_SLOW(slsfs_replay_torn_tail_test),
	KUNIT_CASE(slsfs_replay_stale_mount_test),
	KUNIT_CASE(slsfs_replay_new_mount_drops_staged_test),
	KUNIT_CASE(slsfs_replay_damage_test),
	KUNIT_CASE(slsfs_replay_bad_commit_test),
	KUNIT_CASE(slsfs_replay_segments_test),
	KUNIT_CASE(slsfs_index_expire_discard_test),
	KUNIT_CASE(slsfs_replay_clear_test),
	KUNIT_CASE(slsfs_replay_sealed_tail_test),
	KUNIT_CASE(slsfs_replay_sealed_followed_test),
	KUNIT_CASE(slsfs_replay_sealed_span_test),
	KUNIT_CASE(slsfs_replay_sealed_after_stale_chunk_test),
	{}
};

static struct kunit_suite slsfs_replay_suite = {
	.name = "slsfs_replay",
	.test_cases = slsfs_replay_cases,
};
kunit_test_suite(slsfs_replay_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
