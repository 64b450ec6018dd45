// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of slsfs's index checkpoints and of the live block counts of
 * the store in memory, on stores built in memory: a store comes back from
 * its stream unchanged and encodes again to the same bytes, the live blocks
 * of each segment are always what the index holds, and a stream cut short,
 * with a bad field or with any one byte flipped is refused with -EUCLEAN (or,
 * for a flip of free data, decodes), leaving a store that can be destroyed.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/sprintf.h>
#include <linux/string.h>

#include "internal.h"

#define SEG_BLOCKS	16
#define NR_SEGS		16
#define NR_BLOCKS	(SLSFS_SEG_START_MIN + SEG_BLOCKS * NR_SEGS)
#define TCK_MAX_EXT	4	/* record extents of an epoch a test commits */
#define TCK_MAP_MAX	4	/* partitions, and epochs and versions of each, a map locates */

static const struct slsfs_geo tck_geo = {
	.store_id = 0x5eedULL,
	.nr_blocks = NR_BLOCKS,
	.seg_start = SLSFS_SEG_START_MIN,
	.seg_blocks = SEG_BLOCKS,
	.nr_segs = NR_SEGS,
};

static void tck_store_free(void *st)
{
	slsfs_store_destroy(st);
}

/* An empty store, destroyed when the test ends or by tck_store_drop(). */
static struct slsfs_store *tck_store_new(struct kunit *test)
{
	struct slsfs_store *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_EQ(test, slsfs_store_init(st, &tck_geo), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tck_store_free, st), 0);
	return st;
}

static void tck_store_drop(struct kunit *test, struct slsfs_store *st)
{
	kunit_release_action(test, tck_store_free, st);
	kunit_kfree(test, st);
}

/* Count @nr blocks from @addr in @live, as the store counts them. */
static void tck_count(struct kunit *test, u32 *live, u64 addr, u32 nr)
{
	u64 seg = slsfs_seg_of(&tck_geo, addr);

	KUNIT_ASSERT_GE(test, addr, tck_geo.seg_start);
	KUNIT_ASSERT_LT(test, seg, NR_SEGS);
	live[seg] += nr;
}

static void tck_count_pages(struct kunit *test, u32 *live, struct slsfs_partition *part)
{
	struct slsfs_object *o;
	struct slsfs_page *pg;
	unsigned long id, index;
	u32 i;

	xa_for_each(&part->objects, id, o)
		xa_for_each(&o->pages, index, pg)
			for (i = 0; i < pg->nr; i++)
				if (!slsfs_pv_gone(&pg->v[i]))	/* no block */
					tck_count(test, live, pg->v[i].addr, 1);
}

/*
 * The live blocks of each segment are those of the index, counted afresh:
 * one per page version, and the record extents of the retained epochs.
 */
static void tck_check_live(struct kunit *test, struct slsfs_store *st)
{
	u32 *live = kunit_kcalloc(test, NR_SEGS, sizeof(*live), GFP_KERNEL);
	struct slsfs_partition *part;
	struct slsfs_epoch *ep;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, live);
	list_for_each_entry(part, &st->parts, node) {
		list_for_each_entry(ep, &part->epochs, node)
			for (i = 0; i < ep->nr_extents; i++)
				tck_count(test, live, ep->extents[i].addr,
					  ep->extents[i].nr_blocks);
		tck_count_pages(test, live, part);
	}
	KUNIT_EXPECT_MEMEQ(test, st->seg_live, live, NR_SEGS * sizeof(*live));
	kunit_kfree(test, live);
}

/* How many versions of a page the index holds. */
static u32 tck_versions(struct slsfs_partition *part, u64 obj, u64 index)
{
	struct slsfs_object *o = xa_load(&part->objects, obj);
	struct slsfs_page *pg = o ? xa_load(&o->pages, index) : NULL;

	return pg ? pg->nr : 0;
}

/* A store being built, and where the blocks it writes next go. */
struct tck_build {
	struct kunit *test;
	struct slsfs_store *st;
	u64 next;
};

static struct tck_build *tck_build_new(struct kunit *test)
{
	struct tck_build *tb = kunit_kzalloc(test, sizeof(*tb), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tb);
	tb->test = test;
	tb->st = tck_store_new(test);
	tb->next = tck_geo.seg_start;
	return tb;
}

/* The address of @nr unused blocks after a chunk's header, in one segment. */
static u64 tck_blocks(struct tck_build *tb, u32 nr)
{
	u64 end = slsfs_seg_addr(&tck_geo, slsfs_seg_of(&tck_geo, tb->next) + 1);
	u64 addr;

	if (tb->next + 1 + nr > end)
		tb->next = end;
	addr = tb->next + 1;
	tb->next += 1 + nr;
	KUNIT_ASSERT_LE(tb->test, tb->next, NR_BLOCKS);
	return addr;
}

static u32 tck_crc(u64 addr)
{
	return (u32)(addr * 0x9e3779b1U);
}

static struct slsfs_partition *tck_part(struct tck_build *tb, const char *name)
{
	u64 id = tb->st->next_part_id;
	struct slsfs_part dp = {
		.period_ms = cpu_to_le64(100 * id),
		.keep_epochs = cpu_to_le64(3),
		.attr_flags = cpu_to_le64(id),
	};
	struct slsfs_partition *part;

	strscpy(dp.name, name, sizeof(dp.name));
	part = slsfs_part_add(tb->st, id, &dp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(tb->test, part);
	return part;
}

/*
 * An epoch to commit: its pages are @first to @first + @nr - 1 of object
 * @obj, the first @again of them written twice, its record stream is in
 * extents of @ext blocks each, up to a zero, and it clears pages
 * @clear_first to @clear_first + @clear_nr - 1 of @obj.
 */
struct tck_epoch {
	u64 epoch;
	u64 parent;
	u64 oldest;
	u64 obj;
	u64 first;
	u32 nr;
	u32 again;
	u32 ext[TCK_MAX_EXT];
	u64 clear_first;
	u32 clear_nr;
};

/* Stage @te's pages, each in a block of its own; the array stays the test's. */
static void tck_stage_pages(struct tck_build *tb, const struct tck_epoch *te,
			    struct slsfs_staged *sg)
{
	u32 i;

	sg->nr_pages = te->nr + te->again;
	sg->page_room = sg->nr_pages;
	sg->pages = kunit_kcalloc(tb->test, sg->nr_pages, sizeof(*sg->pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(tb->test, sg->pages);
	for (i = 0; i < sg->nr_pages; i++) {
		struct slsfs_staged_page *sp = &sg->pages[i];

		sp->obj = te->obj;
		sp->index = te->first + i % te->nr;
		sp->pv.epoch = te->epoch;
		sp->pv.addr = tck_blocks(tb, 1);
		sp->pv.crc = tck_crc(sp->pv.addr);
	}
}

/* Stage @te's record extents and their crcs, allocated as replay does. */
static int tck_stage_records(struct tck_build *tb, const struct tck_epoch *te,
			     struct slsfs_staged *sg)
{
	struct slsfs_extent ext[TCK_MAX_EXT];
	u32 i, j, n = 0;

	for (i = 0; i < TCK_MAX_EXT && te->ext[i]; i++) {
		ext[i].addr = tck_blocks(tb, te->ext[i]);
		ext[i].nr_blocks = te->ext[i];
		sg->nr_blocks += te->ext[i];
	}
	sg->nr_extents = i;
	if (!sg->nr_extents)
		return 0;
	sg->extents = kmemdup(ext, sg->nr_extents * sizeof(*ext), GFP_KERNEL);
	sg->crcs = kcalloc(sg->nr_blocks, sizeof(*sg->crcs), GFP_KERNEL);
	if (!sg->extents || !sg->crcs)
		return -ENOMEM;
	for (i = 0; i < sg->nr_extents; i++)
		for (j = 0; j < ext[i].nr_blocks; j++)
			sg->crcs[n++] = tck_crc(ext[i].addr + j);
	return 0;
}

static void tck_commit(struct tck_build *tb, struct slsfs_partition *part,
		       const struct tck_epoch *te)
{
	struct slsfs_staged sg = { .part_id = part->id, .epoch = te->epoch };
	struct kunit *test = tb->test;
	struct slsfs_commit c;
	int err;

	tck_stage_pages(tb, te, &sg);
	err = tck_stage_records(tb, te, &sg);
	if (!err && te->clear_nr)
		err = slsfs_staged_clear(&sg, te->obj, te->clear_first,
					 te->clear_first + te->clear_nr);
	c = (struct slsfs_commit){
		.parent = cpu_to_le64(te->parent),
		.oldest = cpu_to_le64(te->oldest),
		.nr_pages = cpu_to_le64(sg.nr_pages),
		.record_bytes = cpu_to_le64(sg.nr_blocks ?
					    (u64)sg.nr_blocks * SLSFS_BLOCK_SIZE - 100 : 0),
		.time_ns = cpu_to_le64(te->epoch * 1000 + part->id),
		.flags = cpu_to_le32(te->parent ? 0 : SLSFS_COMMIT_FULL),
	};
	if (!err)
		err = slsfs_epoch_add(part, &c, te->epoch, &sg);
	/* the epoch took the extents and crcs, unless it failed */
	kfree(sg.extents);
	kfree(sg.crcs);
	kvfree(sg.clears);
	kunit_kfree(test, sg.pages);
	KUNIT_ASSERT_EQ(test, err, 0);
	tb->st->commits++;
}

static void tck_commits(struct tck_build *tb, struct slsfs_partition *part,
			const struct tck_epoch *te, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		tck_commit(tb, part, &te[i]);
}

/*
 * Two partitions, and a third between them that is gone.  Columns of the
 * tables: epoch, parent, oldest; object, first page, pages, pages written
 * twice; the blocks of each record extent.
 */
static struct slsfs_store *tck_big_store(struct kunit *test)
{
	static const struct tck_epoch redis[] = {
		{ 1, 0, 1,	1, 0, 4, 0,	{ 2 } },
		{ 2, 1, 1,	1, 1, 1, 0 },
		{ 3, 2, 1,	2, 0, 3, 0,	{ 3, 1, 2 } },
		{ 4, 3, 3,	1, 2, 2, 0,	{ 1 } },	/* 1 and 2 expire */
		{ 5, 4, 3,	1, 0, 1, 1 },
		{ 6, 5, 3,	1, 3, 1, 0,	{ 0 }, 0, 2 },	/* 0 and 1 gone */
	};
	static const struct tck_epoch gone[] = {
		{ 1, 0, 1,	5, 0, 2, 0,	{ 1 } },
	};
	static const struct tck_epoch nginx[] = {
		{ 1, 0, 1,	9, 100, 2, 0,	{ 1 } },
		{ 2, 1, 1,	9, 101, 1, 0 },
		{ 3, 2, 1,	9, 100, 2, 0,	{ 4 } },	/* discarded */
	};
	static const struct tck_epoch nginx_after[] = {
		{ 4, 2, 2,	9, 100, 1, 0,	{ 2 } },	/* 1 expires */
	};
	struct tck_build *tb = tck_build_new(test);
	struct slsfs_partition *a, *g, *b;

	a = tck_part(tb, "redis");
	g = tck_part(tb, "gone");
	b = tck_part(tb, "nginx");
	tck_commits(tb, g, gone, ARRAY_SIZE(gone));
	tck_commits(tb, a, redis, ARRAY_SIZE(redis));
	tck_commits(tb, b, nginx, ARRAY_SIZE(nginx));
	slsfs_epochs_discard_after(b, 2);
	tck_commits(tb, b, nginx_after, ARRAY_SIZE(nginx_after));
	slsfs_part_forget(tb->st, g);
	KUNIT_ASSERT_EQ(test, a->nr_epochs, 4);
	KUNIT_ASSERT_TRUE(test, slsfs_pv_gone(slsfs_page_version_at(a, 1, 0, 6)));
	KUNIT_ASSERT_EQ(test, b->nr_epochs, 2);
	return tb->st;
}

/* A small store whose stream is easy to walk: see slsfs_ckpt_bad_fields_test(). */
static struct slsfs_store *tck_small_store(struct kunit *test)
{
	static const struct tck_epoch a[] = {
		{ 1, 0, 1,	1, 0, 2, 0,	{ 2 } },
		{ 2, 1, 1,	1, 0, 1, 0,	{ 1 } },
	};
	static const struct tck_epoch b[] = {
		{ 1, 0, 1,	3, 0, 1, 0 },
	};
	struct tck_build *tb = tck_build_new(test);
	struct slsfs_partition *pa, *pb;

	pa = tck_part(tb, "a");
	pb = tck_part(tb, "b");
	tck_commits(tb, pa, a, ARRAY_SIZE(a));
	tck_commits(tb, pb, b, ARRAY_SIZE(b));
	return tb->st;
}

struct tck_stream {
	u8 *buf;
	size_t size;
};

static void tck_stream_free(void *buf)
{
	kvfree(buf);
}

/* @st's stream, in a buffer first filled with @poison and freed when the test ends. */
static void tck_encode(struct kunit *test, const struct slsfs_store *st, u8 poison,
		       struct tck_stream *s)
{
	s->size = slsfs_ckpt_size(st);
	s->buf = kvmalloc(s->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tck_stream_free, s->buf), 0);
	memset(s->buf, poison, s->size);
	slsfs_ckpt_encode(st, s->buf, s->size);
}

/* Decode @size bytes of @buf into a fresh store. */
static int tck_decode(struct kunit *test, const void *buf, size_t size,
		      struct slsfs_store **st, const char **why)
{
	*st = tck_store_new(test);
	return slsfs_ckpt_decode(*st, buf, size, why);
}

/* @size bytes: @s's first ones and zeros past its end, in a buffer just that long. */
static u8 *tck_copy(struct kunit *test, const struct tck_stream *s, size_t size)
{
	u8 *buf = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, s->buf, min(size, s->size));
	return buf;
}

/* @size bytes of @buf are refused for @why, and what they gave is consistent. */
static void tck_refused(struct kunit *test, const u8 *buf, size_t size,
			const char *what, const char *why)
{
	struct slsfs_store *st;
	const char *got = NULL;

	KUNIT_EXPECT_EQ_MSG(test, tck_decode(test, buf, size, &st, &got), -EUCLEAN,
			    "%s", what);
	KUNIT_EXPECT_STREQ_MSG(test, got ?: "(none)", why, "%s", what);
	tck_check_live(test, st);
	tck_store_drop(test, st);
}

/* Where the structs of a stream are, found by walking it as slsfs_fs.h lays it out. */
struct tck_map {
	u32 nr_parts;
	size_t part[TCK_MAP_MAX];
	size_t epoch[TCK_MAP_MAX][TCK_MAP_MAX];		/* each partition's first ones */
	size_t version[TCK_MAP_MAX][TCK_MAP_MAX];
};

/* Step over the @len bytes at *@off, which must be in @s. */
static const void *tck_walk(struct kunit *test, const struct tck_stream *s, size_t *off,
			    size_t len)
{
	const void *p = s->buf + *off;

	KUNIT_ASSERT_LE(test, len, s->size - *off);
	*off += len;
	return p;
}

/* Step over an epoch: it, its extents, one crc per record block padded to 8, its refs. */
static void tck_walk_epoch(struct kunit *test, const struct tck_stream *s, size_t *off)
{
	const struct slsfs_ckpt_epoch *ce = tck_walk(test, s, off, sizeof(*ce));
	u32 i, nr = le32_to_cpu(ce->nr_extents);
	const struct slsfs_ckpt_extent *e;
	size_t blocks = 0;

	e = tck_walk(test, s, off, nr * sizeof(*e));
	for (i = 0; i < nr; i++)
		blocks += le32_to_cpu(e[i].nr_blocks);
	tck_walk(test, s, off, ALIGN(blocks * sizeof(__le32), 8));
	tck_walk(test, s, off, le32_to_cpu(ce->nr_refs) * sizeof(struct slsfs_ckpt_ref));
}

static void tck_map(struct kunit *test, const struct tck_stream *s, struct tck_map *m)
{
	const struct slsfs_ckpt_head *head;
	const struct slsfs_ckpt_part *cp;
	size_t off = 0;
	u64 i, j, nr;

	memset(m, 0, sizeof(*m));
	head = tck_walk(test, s, &off, sizeof(*head));
	m->nr_parts = le32_to_cpu(head->nr_parts);
	KUNIT_ASSERT_LE(test, m->nr_parts, TCK_MAP_MAX);
	for (i = 0; i < m->nr_parts; i++) {
		m->part[i] = off;
		cp = tck_walk(test, s, &off, sizeof(*cp));
		for (j = 0; j < le32_to_cpu(cp->nr_epochs); j++) {
			if (j < TCK_MAP_MAX)
				m->epoch[i][j] = off;
			tck_walk_epoch(test, s, &off);
		}
		nr = le64_to_cpu(cp->nr_versions);
		for (j = 0; j < min_t(u64, nr, TCK_MAP_MAX); j++)
			m->version[i][j] = off + j * sizeof(struct slsfs_ckpt_version);
		tck_walk(test, s, &off, nr * sizeof(struct slsfs_ckpt_version));
	}
	KUNIT_EXPECT_EQ(test, off, s->size);
}

static struct slsfs_ckpt_head *tck_head(u8 *buf)
{
	return (void *)buf;
}

static struct slsfs_ckpt_part *tck_part_at(u8 *buf, const struct tck_map *m, u32 p)
{
	return (void *)(buf + m->part[p]);
}

static struct slsfs_ckpt_epoch *tck_epoch_at(u8 *buf, const struct tck_map *m, u32 p, u32 e)
{
	return (void *)(buf + m->epoch[p][e]);
}

/* The first extent of epoch @e of partition @p. */
static struct slsfs_ckpt_extent *tck_extent_at(u8 *buf, const struct tck_map *m, u32 p, u32 e)
{
	return (void *)(tck_epoch_at(buf, m, p, e) + 1);
}

static struct slsfs_ckpt_version *tck_version_at(u8 *buf, const struct tck_map *m, u32 p,
						 u32 v)
{
	return (void *)(buf + m->version[p][v]);
}

static void tck_compare_epoch(struct kunit *test, const struct slsfs_epoch *a,
			      const struct slsfs_epoch *b)
{
	u32 i, blocks = 0;

	KUNIT_EXPECT_EQ(test, a->epoch, b->epoch);
	KUNIT_EXPECT_EQ(test, a->parent, b->parent);
	KUNIT_EXPECT_EQ(test, a->nr_pages, b->nr_pages);
	KUNIT_EXPECT_EQ(test, a->record_bytes, b->record_bytes);
	KUNIT_EXPECT_EQ(test, a->time_ns, b->time_ns);
	KUNIT_EXPECT_EQ(test, a->flags, b->flags);
	KUNIT_ASSERT_EQ(test, a->nr_extents, b->nr_extents);
	for (i = 0; i < a->nr_extents; i++) {
		KUNIT_EXPECT_EQ(test, a->extents[i].addr, b->extents[i].addr);
		KUNIT_ASSERT_EQ(test, a->extents[i].nr_blocks, b->extents[i].nr_blocks);
		blocks += a->extents[i].nr_blocks;
	}
	if (blocks)
		KUNIT_EXPECT_MEMEQ(test, a->extent_crcs, b->extent_crcs,
				   blocks * sizeof(*a->extent_crcs));
	KUNIT_ASSERT_EQ(test, a->nr_refs, b->nr_refs);
	if (a->nr_refs)
		KUNIT_EXPECT_MEMEQ(test, a->refs, b->refs, a->nr_refs * sizeof(*a->refs));
}

/* A page reads the same in @a and @b at every epoch @a ever had. */
static void tck_compare_page(struct kunit *test, struct slsfs_partition *a,
			     struct slsfs_partition *b, u64 obj, u64 index)
{
	const struct slsfs_page_version *va, *vb;
	u64 e;

	for (e = 0; e <= a->committed_next; e++) {
		va = slsfs_page_lookup(a, obj, index, e);
		vb = slsfs_page_lookup(b, obj, index, e);
		KUNIT_ASSERT_EQ_MSG(test, !va, !vb, "page %llu:%llu at %llu", obj, index, e);
		if (!va)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, va->epoch, vb->epoch, "page %llu:%llu at %llu",
				    obj, index, e);
		KUNIT_EXPECT_EQ_MSG(test, va->addr, vb->addr, "page %llu:%llu at %llu",
				    obj, index, e);
		KUNIT_EXPECT_EQ_MSG(test, va->crc, vb->crc, "page %llu:%llu at %llu",
				    obj, index, e);
	}
}

static void tck_compare_pages(struct kunit *test, struct slsfs_partition *a,
			      struct slsfs_partition *b)
{
	struct slsfs_object *o;
	struct slsfs_page *pg;
	unsigned long id, index;

	xa_for_each(&a->objects, id, o)
		xa_for_each(&o->pages, index, pg)
			tck_compare_page(test, a, b, id, index);
}

static void tck_compare_part(struct kunit *test, struct slsfs_partition *a,
			     struct slsfs_partition *b)
{
	struct slsfs_epoch *ea, *eb;

	KUNIT_EXPECT_EQ(test, a->id, b->id);
	KUNIT_EXPECT_STREQ(test, a->name, b->name);
	KUNIT_EXPECT_EQ(test, a->period_ms, b->period_ms);
	KUNIT_EXPECT_EQ(test, a->keep_epochs, b->keep_epochs);
	KUNIT_EXPECT_EQ(test, a->attr_flags, b->attr_flags);
	KUNIT_EXPECT_EQ(test, a->committed_next, b->committed_next);
	KUNIT_ASSERT_EQ(test, a->nr_epochs, b->nr_epochs);
	KUNIT_ASSERT_EQ(test, list_count_nodes(&b->epochs), b->nr_epochs);
	eb = list_first_entry(&b->epochs, struct slsfs_epoch, node);
	list_for_each_entry(ea, &a->epochs, node) {
		tck_compare_epoch(test, ea, eb);
		eb = list_next_entry(eb, node);
	}
	tck_compare_pages(test, a, b);
	tck_compare_pages(test, b, a);
}

/* A store comes back from its stream as it was, and encodes again to the same bytes. */
static void slsfs_ckpt_round_trip_test(struct kunit *test)
{
	struct slsfs_store *st = tck_big_store(test), *back;
	struct slsfs_partition *a, *b;
	struct tck_stream s, again;
	struct tck_map m;
	const char *why;

	tck_encode(test, st, 0x00, &s);
	tck_map(test, &s, &m);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(tck_head(s.buf)->magic), SLSFS_CKPT_MAGIC);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(tck_head(s.buf)->stream_bytes), s.size);
	KUNIT_EXPECT_EQ(test, m.nr_parts, 2);

	KUNIT_ASSERT_EQ(test, tck_decode(test, s.buf, s.size, &back, &why), 0);
	KUNIT_EXPECT_NULL(test, why);
	/* a byte the encoder left alone would keep the other poison */
	tck_encode(test, back, 0xff, &again);
	KUNIT_ASSERT_EQ(test, again.size, s.size);
	KUNIT_EXPECT_MEMEQ(test, again.buf, s.buf, s.size);

	KUNIT_EXPECT_EQ(test, back->next_part_id, st->next_part_id);
	KUNIT_EXPECT_EQ(test, back->commits, st->commits);
	KUNIT_EXPECT_MEMEQ(test, back->seg_live, st->seg_live,
			   NR_SEGS * sizeof(*st->seg_live));
	tck_check_live(test, st);
	KUNIT_ASSERT_EQ(test, list_count_nodes(&back->parts), list_count_nodes(&st->parts));
	b = list_first_entry(&back->parts, struct slsfs_partition, node);
	list_for_each_entry(a, &st->parts, node) {
		tck_compare_part(test, a, b);
		b = list_next_entry(b, node);
	}
}

static void tck_commit_checked(struct tck_build *tb, struct slsfs_partition *part,
			       const struct tck_epoch *te)
{
	tck_commit(tb, part, te);
	tck_check_live(tb->test, tb->st);
}

/*
 * The live blocks of each segment follow commits, rewrites in one epoch,
 * expiry, a discard and partitions going, and end at zero.  Columns as in
 * tck_big_store().
 */
static void slsfs_ckpt_live_test(struct kunit *test)
{
	static const struct tck_epoch a[] = {
		{ 1, 0, 1,	1, 0, 6, 0,	{ 3, 2 } },
		{ 2, 1, 1,	1, 0, 2, 1,	{ 1 } },
		{ 3, 2, 1,	1, 3, 3, 0 },
		{ 4, 3, 3,	1, 0, 1, 0,	{ 4 } },	/* 1 and 2 expire */
		{ 5, 3, 3,	1, 2, 1, 0,	{ 1 } },	/* after 4 is discarded */
	};
	static const struct tck_epoch b[] = {
		{ 1, 0, 1,	2, 10, 3, 0,	{ 2 } },
		{ 2, 1, 1,	2, 11, 1, 0 },
	};
	struct tck_build *tb = tck_build_new(test);
	struct slsfs_store *st = tb->st;
	struct slsfs_partition *pa, *pb;

	pa = tck_part(tb, "a");
	pb = tck_part(tb, "b");
	tck_commit_checked(tb, pa, &a[0]);
	tck_commit_checked(tb, pa, &a[1]);
	/* written twice by epoch 2, page 0 has one version of it */
	KUNIT_EXPECT_EQ(test, tck_versions(pa, 1, 0), 2);
	tck_commit_checked(tb, pa, &a[2]);
	tck_commit_checked(tb, pa, &a[3]);
	/* epoch 3 sees page 0 and 1 of epoch 2, pages 3 to 5 of its own */
	KUNIT_EXPECT_EQ(test, pa->nr_epochs, 2);
	KUNIT_EXPECT_EQ(test, tck_versions(pa, 1, 0), 2);
	KUNIT_EXPECT_EQ(test, tck_versions(pa, 1, 1), 1);
	KUNIT_EXPECT_EQ(test, tck_versions(pa, 1, 3), 1);

	slsfs_epochs_discard_after(pa, 3);
	tck_check_live(test, st);
	KUNIT_EXPECT_EQ(test, tck_versions(pa, 1, 0), 1);
	tck_commit_checked(tb, pa, &a[4]);

	tck_commit_checked(tb, pb, &b[0]);
	tck_commit_checked(tb, pb, &b[1]);
	slsfs_epochs_expire(pb, 2);
	tck_check_live(test, st);
	KUNIT_EXPECT_EQ(test, pb->nr_epochs, 1);
	KUNIT_EXPECT_EQ(test, tck_versions(pb, 2, 11), 1);
	KUNIT_EXPECT_NOT_NULL(test, memchr_inv(st->seg_live, 0, NR_SEGS * sizeof(u32)));

	slsfs_part_forget(st, pb);
	tck_check_live(test, st);
	slsfs_part_forget(st, pa);
	KUNIT_EXPECT_NULL(test, memchr_inv(st->seg_live, 0, NR_SEGS * sizeof(u32)));
}

/*
 * Every prefix of a stream is refused, as it is and with the head saying
 * it is that long, so that the cut reaches every check inside.
 */
static void slsfs_ckpt_truncated_test(struct kunit *test)
{
	struct tck_stream s;
	char what[48];
	size_t n;
	u8 *b;

	tck_encode(test, tck_big_store(test), 0x00, &s);
	for (n = 0; n < s.size; n += 8) {
		snprintf(what, sizeof(what), "first %zu bytes", n);
		b = tck_copy(test, &s, n);
		tck_refused(test, b, n, what, "bad checkpoint head");
		if (n >= offsetofend(struct slsfs_ckpt_head, stream_bytes)) {
			tck_head(b)->stream_bytes = cpu_to_le64(n);
			tck_refused(test, b, n, what, n < sizeof(struct slsfs_ckpt_head) ?
				    "bad checkpoint head" : "checkpoint stream too short");
		}
		kunit_kfree(test, b);
	}
}

/* @b, a damaged copy of @s, is refused for @why; then it is @s again. */
static void tck_bad(struct kunit *test, const struct tck_stream *s, u8 *b,
		    const char *what, const char *why)
{
	tck_refused(test, b, s->size, what, why);
	memcpy(b, s->buf, s->size);
}

/*
 * Each field that makes a stream wrong, in the small store's stream:
 * partition "a" (id 1) with epoch 1 (pages 0 and 1 of object 1, a record
 * extent of 2 blocks) and epoch 2 (page 0, an extent of 1 block), so that
 * its versions are page 0's of epochs 1 and 2, then page 1's; partition
 * "b" (id 2) with one epoch.
 */
static void slsfs_ckpt_bad_fields_test(struct kunit *test)
{
	struct slsfs_store *st;
	struct tck_stream s;
	struct tck_map m;
	const char *why;
	u8 *b;

	tck_encode(test, tck_small_store(test), 0x00, &s);
	tck_map(test, &s, &m);
	KUNIT_ASSERT_EQ(test, m.nr_parts, 2);
	KUNIT_ASSERT_EQ(test, le32_to_cpu(tck_part_at(s.buf, &m, 0)->nr_epochs), 2);
	KUNIT_ASSERT_EQ(test, le64_to_cpu(tck_part_at(s.buf, &m, 0)->nr_versions), 3);
	KUNIT_ASSERT_EQ(test, le32_to_cpu(tck_extent_at(s.buf, &m, 0, 0)->nr_blocks), 2);
	KUNIT_ASSERT_EQ(test, le64_to_cpu(tck_version_at(s.buf, &m, 0, 1)->index), 0);
	KUNIT_ASSERT_EQ(test, le64_to_cpu(tck_version_at(s.buf, &m, 0, 1)->epoch), 2);
	b = tck_copy(test, &s, s.size);
	KUNIT_ASSERT_EQ(test, tck_decode(test, b, s.size, &st, &why), 0);

	tck_head(b)->magic = cpu_to_le32(SLSFS_CHUNK_MAGIC);
	tck_bad(test, &s, b, "magic", "bad checkpoint head");
	tck_head(b)->next_part_id = 0;
	tck_bad(test, &s, b, "next_part_id 0", "bad checkpoint head");
	tck_head(b)->nr_parts = cpu_to_le32(1);
	tck_bad(test, &s, b, "one partition", "checkpoint stream too long");

	tck_part_at(b, &m, 0)->id = 0;
	tck_bad(test, &s, b, "id 0", "bad checkpoint partition");
	tck_part_at(b, &m, 1)->id = cpu_to_le64(1);
	tck_bad(test, &s, b, "id twice", "bad checkpoint partition");
	tck_part_at(b, &m, 1)->id = cpu_to_le64(3);
	tck_bad(test, &s, b, "id not below next_part_id", "bad checkpoint partition");
	tck_part_at(b, &m, 1)->part.name[0] = 'a';
	tck_bad(test, &s, b, "name twice", "bad checkpoint partition");
	tck_part_at(b, &m, 0)->part.name[0] = '/';
	tck_bad(test, &s, b, "bad name", "bad checkpoint partition");
	tck_part_at(b, &m, 0)->part.flags = cpu_to_le32(SLSFS_PART_REMOVED);
	tck_bad(test, &s, b, "partition flags", "bad checkpoint partition");
	tck_part_at(b, &m, 0)->reserved = cpu_to_le32(1);
	tck_bad(test, &s, b, "partition reserved", "bad checkpoint partition");
	tck_part_at(b, &m, 0)->part.reserved = cpu_to_le32(1);
	tck_bad(test, &s, b, "partition entry reserved", "bad checkpoint partition");
	tck_part_at(b, &m, 0)->next_epoch = 0;
	tck_bad(test, &s, b, "next_epoch 0", "bad checkpoint partition");

	/* epoch 1 as 2 is fine (parent 0): epoch 2 after it is not */
	tck_epoch_at(b, &m, 0, 0)->epoch = cpu_to_le64(2);
	tck_epoch_at(b, &m, 0, 0)->commit.oldest = cpu_to_le64(2);
	tck_bad(test, &s, b, "epoch not increasing", "checkpoint epoch out of order");
	tck_epoch_at(b, &m, 0, 0)->commit.oldest = cpu_to_le64(2);
	tck_bad(test, &s, b, "oldest not the epoch", "bad checkpoint epoch fields");
	tck_epoch_at(b, &m, 0, 0)->commit.span = cpu_to_le32(1);
	tck_bad(test, &s, b, "commit span", "bad checkpoint epoch fields");
	tck_epoch_at(b, &m, 0, 0)->commit.flags = cpu_to_le32(4);
	tck_bad(test, &s, b, "commit flags", "bad checkpoint epoch fields");
	tck_epoch_at(b, &m, 0, 0)->epoch = 0;
	tck_bad(test, &s, b, "epoch 0", "checkpoint epoch out of order");
	tck_epoch_at(b, &m, 0, 1)->epoch = cpu_to_le64(3);
	tck_bad(test, &s, b, "epoch not below next_epoch", "checkpoint epoch out of order");
	tck_epoch_at(b, &m, 0, 1)->commit.parent = cpu_to_le64(2);
	tck_bad(test, &s, b, "parent not older", "checkpoint epoch out of order");
	tck_epoch_at(b, &m, 0, 0)->commit.record_bytes = cpu_to_le64(2 * SLSFS_BLOCK_SIZE + 1);
	tck_bad(test, &s, b, "record_bytes", "checkpoint epoch longer than its extents");

	tck_extent_at(b, &m, 0, 0)->addr = cpu_to_le64(SLSFS_SEG_START_MIN - 1);
	tck_bad(test, &s, b, "extent before", "checkpoint extent outside the segments");
	tck_extent_at(b, &m, 0, 0)->addr = cpu_to_le64(slsfs_seg_addr(&tck_geo, NR_SEGS));
	tck_bad(test, &s, b, "extent after", "checkpoint extent outside the segments");
	tck_extent_at(b, &m, 0, 0)->addr = cpu_to_le64(slsfs_seg_addr(&tck_geo, 1) - 1);
	tck_bad(test, &s, b, "extent across", "checkpoint extent outside the segments");
	tck_extent_at(b, &m, 0, 0)->nr_blocks = 0;
	tck_bad(test, &s, b, "extent empty", "checkpoint extent outside the segments");
	tck_extent_at(b, &m, 0, 0)->reserved = cpu_to_le32(1);
	tck_bad(test, &s, b, "extent reserved", "checkpoint extent outside the segments");

	tck_version_at(b, &m, 0, 1)->epoch = cpu_to_le64(1);
	tck_bad(test, &s, b, "version not newer", "checkpoint page version out of order");
	tck_version_at(b, &m, 0, 0)->epoch = 0;
	tck_bad(test, &s, b, "version epoch 0", "checkpoint page version out of order");
	tck_version_at(b, &m, 0, 2)->epoch = cpu_to_le64(3);
	tck_bad(test, &s, b, "version not below next_epoch",
		"checkpoint page version out of order");
	tck_version_at(b, &m, 0, 0)->reserved = cpu_to_le32(1);
	tck_bad(test, &s, b, "version reserved", "checkpoint page version out of order");
	tck_version_at(b, &m, 0, 0)->addr = cpu_to_le64(SLSFS_SEG_START_MIN - 1);
	tck_bad(test, &s, b, "version before", "checkpoint page outside the segments");
	tck_version_at(b, &m, 0, 0)->addr = cpu_to_le64(slsfs_seg_addr(&tck_geo, NR_SEGS));
	tck_bad(test, &s, b, "version after", "checkpoint page outside the segments");

	b = tck_copy(test, &s, s.size + 8);
	tck_refused(test, b, s.size + 8, "8 more bytes", "bad checkpoint head");
	tck_head(b)->stream_bytes = cpu_to_le64(s.size + 8);
	tck_refused(test, b, s.size + 8, "8 more bytes, counted", "checkpoint stream too long");
}

/*
 * Decode @s with one byte flipped (at @at): refused with -EUCLEAN, or a
 * store that encodes and decodes again.  Return: whether it decoded.
 */
static bool tck_flipped(struct kunit *test, const struct tck_stream *s, size_t at)
{
	struct slsfs_store *st, *again;
	struct tck_stream re;
	const char *why = NULL;
	int err;

	err = tck_decode(test, s->buf, s->size, &st, &why);
	tck_check_live(test, st);
	if (err) {
		KUNIT_EXPECT_EQ_MSG(test, err, -EUCLEAN, "byte %zu", at);
		KUNIT_EXPECT_NOT_NULL_MSG(test, why, "byte %zu", at);
		tck_store_drop(test, st);
		return false;
	}
	KUNIT_EXPECT_NULL_MSG(test, why, "byte %zu", at);
	tck_encode(test, st, 0x00, &re);
	KUNIT_EXPECT_EQ_MSG(test, tck_decode(test, re.buf, re.size, &again, &why), 0,
			    "byte %zu", at);
	tck_store_drop(test, again);
	tck_store_drop(test, st);
	kunit_release_action(test, tck_stream_free, re.buf);
	return true;
}

/* Every byte of a small stream flipped, a few ways: decoded or refused, nothing else. */
static void slsfs_ckpt_flip_test(struct kunit *test)
{
	static const u8 masks[] = { 0x01, 0x80, 0xff };
	unsigned int decoded = 0, refused = 0;
	struct tck_stream s;
	size_t i, k;

	tck_encode(test, tck_small_store(test), 0x00, &s);
	for (i = 0; i < s.size; i++) {
		for (k = 0; k < ARRAY_SIZE(masks); k++) {
			s.buf[i] ^= masks[k];
			if (tck_flipped(test, &s, i))
				decoded++;
			else
				refused++;
			s.buf[i] ^= masks[k];
		}
	}
	/* crcs, times and the like are free data */
	KUNIT_EXPECT_GT(test, decoded, 0);
	KUNIT_EXPECT_GT(test, refused, 0);
}

static struct kunit_case slsfs_ckpt_cases[] = {
	KUNIT_CASE(slsfs_ckpt_round_trip_test),
	KUNIT_CASE(slsfs_ckpt_live_test),
	KUNIT_CASE(slsfs_ckpt_truncated_test),
	KUNIT_CASE(slsfs_ckpt_bad_fields_test),
	KUNIT_CASE_SLOW(slsfs_ckpt_flip_test),
	{}
};

static struct kunit_suite slsfs_ckpt_suite = {
	.name = "slsfs_ckpt",
	.test_cases = slsfs_ckpt_cases,
};
kunit_test_suite(slsfs_ckpt_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
