// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: free segments, index checkpoints and the cleaner.
 *
 * A segment is free when the index needs none of its blocks (its live
 * count, kept by store.c) and it holds neither the newest index checkpoint
 * nor a chunk written after it (seg_busy): those are what a mount reads.
 * When the log leaves a segment it goes on in the one it reserved
 * (next_seg, which every chunk of the segment names) and reserves another
 * free one.
 *
 * The cleaner runs in the writer, under log_lock, before an epoch is
 * written.  It writes an index checkpoint when free segments run low or
 * the log since the last one grows long: once the superblock names it,
 * every segment whose blocks have all expired is free.  If that is not
 * enough, it copies the blocks the index still needs out of the emptiest
 * segments to the end of the log (MOVED chunks, which replay skips),
 * points the index at the copies and writes another checkpoint, which
 * frees those segments.  Until the superblock names a checkpoint that
 * knows the copies, nothing is overwritten that an older one needs, so a
 * crash at any instant mounts a consistent store.  Readers that found a
 * block in the index hold sbi->reads, so that no segment is reused under
 * a read in flight.
 */
#include <linux/bitmap.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "internal.h"

/* Segments the cleaner empties in one pass. */
#define SLSFS_GC_VICTIMS	4

static bool slsfs_seg_free(struct slsfs_sb_info *sbi, u32 seg)
{
	return !test_bit(seg, sbi->seg_busy) && !test_bit(seg, sbi->seg_held) &&
	       !sbi->store.seg_live[seg];
}

u32 slsfs_free_segs(struct slsfs_sb_info *sbi)
{
	u32 seg, n = 0;

	for (seg = 0; seg < sbi->store.geo.nr_segs; seg++)
		n += slsfs_seg_free(sbi, seg);
	return n;
}

/* The first free segment after @after, round the device, or -ENOSPC. */
static int slsfs_seg_find(struct slsfs_sb_info *sbi, u32 after)
{
	u32 nr = sbi->store.geo.nr_segs, i, seg;

	for (i = 1; i <= nr; i++) {
		seg = (after + i) % nr;
		if (slsfs_seg_free(sbi, seg))
			return seg;
	}
	return -ENOSPC;
}

static void slsfs_seg_take(struct slsfs_sb_info *sbi, u32 seg)
{
	set_bit(seg, sbi->seg_busy);
	set_bit(seg, sbi->seg_tail);
}

/*
 * Free segments the cleaner keeps for itself: room for a checkpoint of
 * @bytes, counting a header per chunk, and one segment for copies.
 */
static u32 slsfs_gc_reserve_for(struct slsfs_sb_info *sbi, u64 bytes)
{
	u32 room = sbi->store.geo.seg_blocks - 2;
	u64 blocks = DIV_ROUND_UP(bytes, SLSFS_BLOCK_SIZE);

	blocks += DIV_ROUND_UP(blocks, slsfs_chunk_max(sbi, SLSFS_BLOCKS_PER_RECORDS_CHUNK));
	return DIV_ROUND_UP(blocks, room) + 2;
}

/**
 * slsfs_log_next_seg - step the log into the segment it reserved
 * @sbi:	the store; the caller holds log_lock
 *
 * Reserves the segment after it.  Only the cleaner may take the last
 * gc_reserve free segments.
 *
 * Return: 0 or -ENOSPC.
 */
int slsfs_log_next_seg(struct slsfs_sb_info *sbi)
{
	u32 next = sbi->next_seg;
	int seg;

	lockdep_assert_held(&sbi->log_lock);
	if (!sbi->next_reserved) {
		/* nothing was free to reserve at mount: it must be free now */
		if (!slsfs_seg_free(sbi, next))
			return -ENOSPC;
		slsfs_seg_take(sbi, next);
		sbi->next_reserved = true;
	}
	if (WARN_ON_ONCE(sbi->store.seg_live[next]))
		return -EUCLEAN;
	if (!sbi->gc_running && slsfs_free_segs(sbi) <= sbi->gc_reserve)
		return -ENOSPC;
	seg = slsfs_seg_find(sbi, next);
	if (seg < 0)
		return seg;
	/*
	 * A read of a block whose epoch expired since may still be in flight
	 * to the segment about to be written.
	 */
	synchronize_srcu_expedited(&sbi->reads);
	slsfs_seg_take(sbi, seg);
	sbi->cur_seg = next;
	sbi->log_end = slsfs_seg_addr(&sbi->store.geo, next);
	sbi->next_seg = seg;
	sbi->segs_since_ckpt++;
	sbi->segs_entered++;
	return 0;
}

/**
 * slsfs_gc_init - segment state of a store just replayed
 * @sbi:	the store; log_end, cur_seg and next_seg (cur_seg when no
 *		chunk names one yet) as replay left them
 * @seen:	the segments replay read chunks from
 *
 * Return: 0 or -ENOMEM; slsfs_gc_destroy() undoes it either way.
 */
int slsfs_gc_init(struct slsfs_sb_info *sbi, const unsigned long *seen)
{
	u32 nr = sbi->store.geo.nr_segs;
	int err, seg;

	sbi->seg_busy = bitmap_zalloc(nr, GFP_KERNEL);
	sbi->seg_tail = bitmap_zalloc(nr, GFP_KERNEL);
	sbi->seg_held = bitmap_zalloc(nr, GFP_KERNEL);
	if (!sbi->seg_busy || !sbi->seg_tail || !sbi->seg_held)
		return -ENOMEM;
	err = init_srcu_struct(&sbi->reads);
	if (err)
		return err;
	sbi->reads_ready = true;
	bitmap_copy(sbi->seg_busy, seen, nr);
	set_bit(sbi->cur_seg, sbi->seg_busy);
	sbi->gc_reserve = slsfs_gc_reserve_for(sbi, slsfs_ckpt_size(&sbi->store));
	if (sbi->next_seg != sbi->cur_seg) {
		/* named by the chunks of cur_seg: reserved when they were written */
		set_bit(sbi->next_seg, sbi->seg_busy);
		sbi->next_reserved = true;
		return 0;
	}
	seg = slsfs_seg_find(sbi, sbi->cur_seg);
	sbi->next_reserved = seg >= 0;
	sbi->next_seg = seg < 0 ? (sbi->cur_seg + 1) % nr : seg;
	if (seg >= 0)
		set_bit(seg, sbi->seg_busy);
	return 0;
}

void slsfs_gc_destroy(struct slsfs_sb_info *sbi)
{
	if (sbi->reads_ready)
		cleanup_srcu_struct(&sbi->reads);
	bitmap_free(sbi->seg_busy);
	bitmap_free(sbi->seg_tail);
	bitmap_free(sbi->seg_held);
}

static void slsfs_pages_free(struct page **pages, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++)
		__free_page(pages[i]);
	kvfree(pages);
}

/* The store as a checkpoint stream, in zeroed pages. */
static struct page **slsfs_ckpt_pages(struct slsfs_sb_info *sbi, u32 *nr, u64 *bytes)
{
	struct page **pages;
	size_t size, off;
	void *buf;
	u32 i;

	mutex_lock(&sbi->lock);
	size = slsfs_ckpt_size(&sbi->store);
	buf = kvmalloc(size, GFP_KERNEL);
	if (buf)
		slsfs_ckpt_encode(&sbi->store, buf, size);
	mutex_unlock(&sbi->lock);
	if (!buf)
		return NULL;
	*nr = DIV_ROUND_UP(size, SLSFS_BLOCK_SIZE);
	*bytes = size;
	pages = kvcalloc(*nr, sizeof(*pages), GFP_KERNEL);
	for (i = 0; pages && i < *nr; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i]) {
			slsfs_pages_free(pages, i);
			pages = NULL;
			break;
		}
		off = (size_t)i * SLSFS_BLOCK_SIZE;
		memcpy(page_address(pages[i]), buf + off,
		       min_t(size_t, SLSFS_BLOCK_SIZE, size - off));
	}
	kvfree(buf);
	return pages;
}

/*
 * Point the superblock at a checkpoint that starts at @addr with @lsn and
 * after which the log goes on where the next chunk will be written.
 */
static int slsfs_ckpt_publish(struct slsfs_sb_info *sbi, u64 addr, u64 lsn)
{
	const struct slsfs_geo *geo = &sbi->store.geo;
	struct slsfs_super sup = sbi->super;
	int err;

	if (sbi->log_end == slsfs_seg_addr(geo, sbi->cur_seg + 1)) {
		err = slsfs_log_next_seg(sbi);
		if (err)
			return err;
	}
	sup.feature_incompat |= cpu_to_le64(SLSFS_FEATURE_INCOMPAT_CKPT);
	sup.ckpt_addr = cpu_to_le64(addr);
	sup.ckpt_lsn = cpu_to_le64(lsn);
	sup.log_addr = cpu_to_le64(sbi->log_end);
	sup.log_lsn = cpu_to_le64(sbi->next_lsn);
	sup.log_next_seg = cpu_to_le32(sbi->next_seg);
	return slsfs_super_write(sbi, &sup);
}

/**
 * slsfs_ckpt_write - write an index checkpoint and make mount start there
 * @sbi:	the store; the caller holds log_lock
 *
 * Once the superblock names it, the segments only the log before it held
 * are no longer busy, and those the index needs nothing of are free.
 *
 * Return: 0, -ENOSPC, -ENOMEM or -EIO (the previous checkpoint stands).
 */
int slsfs_ckpt_write(struct slsfs_sb_info *sbi)
{
	u32 max = slsfs_chunk_max(sbi, SLSFS_BLOCKS_PER_RECORDS_CHUNK);
	bool running = sbi->gc_running;
	struct slsfs_extent *ext;
	struct slsfs_wbatch wb;
	struct page **pages;
	u32 i, nr, nr_ext;
	u64 lsn, bytes;
	int err, werr;

	lockdep_assert_held(&sbi->log_lock);
	err = slsfs_log_open(sbi);
	if (err)
		return err;
	pages = slsfs_ckpt_pages(sbi, &nr, &bytes);
	if (!pages)
		return -ENOMEM;
	ext = kcalloc(DIV_ROUND_UP(nr, max), sizeof(*ext), GFP_KERNEL);
	if (!ext) {
		slsfs_pages_free(pages, nr);
		return -ENOMEM;
	}
	sbi->gc_running = true;		/* the reserve is for this */
	bitmap_zero(sbi->seg_tail, sbi->store.geo.nr_segs);
	set_bit(sbi->cur_seg, sbi->seg_tail);
	if (sbi->next_reserved)
		set_bit(sbi->next_seg, sbi->seg_tail);
	slsfs_wbatch_init(&wb);
	for (i = 0; i < nr; i++)	/* freed with the batch */
		list_add(&pages[i]->lru, &wb.headers);
	err = slsfs_log_append_blocks(sbi, &wb, SLSFS_CHUNK_CKPT, 0, 0, pages, nr,
				      NULL, ext, &nr_ext, &lsn);
	kvfree(pages);
	werr = slsfs_log_wait(sbi, &wb);
	err = err ?: werr;
	if (!err)
		err = slsfs_ckpt_publish(sbi, ext[0].addr - 1, lsn);
	kfree(ext);
	sbi->gc_running = running;
	if (err) {
		/* what the log entered meanwhile stays busy with the rest */
		slsfs_err(sbi->sb, "index checkpoint not written (%d)", err);
		return err;
	}
	/* No read of a block found before this may still be in flight. */
	synchronize_srcu(&sbi->reads);
	bitmap_copy(sbi->seg_busy, sbi->seg_tail, sbi->store.geo.nr_segs);
	/* what the cleaner emptied is known to be elsewhere now */
	bitmap_zero(sbi->seg_held, sbi->store.geo.nr_segs);
	sbi->segs_since_ckpt = 0;
	sbi->ckpts++;
	sbi->ckpt_bytes = bytes;
	sbi->gc_reserve = slsfs_gc_reserve_for(sbi, bytes);
	return 0;
}

/* Segments the cleaner empties in one pass, and where their blocks went. */
struct slsfs_gc {
	u32 nr;
	u32 seg[SLSFS_GC_VICTIMS];
	u64 start[SLSFS_GC_VICTIMS];
	unsigned long *pages[SLSFS_GC_VICTIMS];	/* live page copies, by block */
	u64 *to[SLSFS_GC_VICTIMS];		/* each block's copy, 0 if none */
	struct slsfs_extent *ext;		/* live record runs in them */
	u32 nr_ext;
	u32 ext_room;
	u64 live;
	u64 moved;
};

static int slsfs_gc_victim_of(struct slsfs_sb_info *sbi, struct slsfs_gc *gc, u64 addr)
{
	u32 i;

	if (addr < sbi->store.geo.seg_start)
		return -1;
	for (i = 0; i < gc->nr; i++)
		if (slsfs_seg_of(&sbi->store.geo, addr) == gc->seg[i])
			return i;
	return -1;
}

/* Victims: not busy, the fewest live blocks first, at most 3/4 live. */
static void slsfs_gc_pick(struct slsfs_sb_info *sbi, struct slsfs_gc *gc, u64 budget)
{
	const struct slsfs_geo *geo = &sbi->store.geo;
	u32 *live = sbi->store.seg_live;
	u32 seg, i, best;

	while (gc->nr < SLSFS_GC_VICTIMS) {
		best = U32_MAX;
		for (seg = 0; seg < geo->nr_segs; seg++) {
			if (test_bit(seg, sbi->seg_busy) || !live[seg] ||
			    live[seg] > geo->seg_blocks / 4 * 3)
				continue;
			for (i = 0; i < gc->nr && gc->seg[i] != seg; i++)
				;
			if (i == gc->nr && (best == U32_MAX || live[seg] < live[best]))
				best = seg;
		}
		if (best == U32_MAX || gc->live + live[best] > budget)
			return;
		gc->seg[gc->nr] = best;
		gc->start[gc->nr] = slsfs_seg_addr(geo, best);
		gc->live += live[best];
		gc->nr++;
	}
}

static int slsfs_gc_add_extent(struct slsfs_gc *gc, const struct slsfs_extent *e)
{
	if (gc->nr_ext == gc->ext_room) {
		u32 room = max(8U, gc->ext_room * 2);
		void *p = krealloc_array(gc->ext, room, sizeof(*gc->ext), GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		gc->ext = p;
		gc->ext_room = room;
	}
	gc->ext[gc->nr_ext++] = *e;
	return 0;
}

/* Find what the index needs of the victims; sbi->lock held. */
static int slsfs_gc_collect(struct slsfs_sb_info *sbi, struct slsfs_gc *gc)
{
	struct slsfs_partition *part;
	struct slsfs_object *o;
	struct slsfs_epoch *ep;
	struct slsfs_page *pg;
	unsigned long id, index;
	u32 i;
	int v, err;

	list_for_each_entry(part, &sbi->store.parts, node) {
		list_for_each_entry(ep, &part->epochs, node) {
			for (i = 0; i < ep->nr_extents; i++) {
				if (slsfs_gc_victim_of(sbi, gc, ep->extents[i].addr) < 0)
					continue;
				err = slsfs_gc_add_extent(gc, &ep->extents[i]);
				if (err)
					return err;
			}
		}
		xa_for_each(&part->objects, id, o) {
			xa_for_each(&o->pages, index, pg) {
				for (i = 0; i < pg->nr; i++) {
					v = slsfs_gc_victim_of(sbi, gc, pg->v[i].addr);
					if (v >= 0)
						set_bit(pg->v[i].addr - gc->start[v], gc->pages[v]);
				}
			}
		}
	}
	return 0;
}

/*
 * Copy @nr blocks from @from[] into one MOVED chunk (a record run stays
 * one run) and note where each went.  The copies' pages are freed with
 * the batch, once written.
 */
static int slsfs_gc_copy(struct slsfs_sb_info *sbi, struct slsfs_gc *gc,
			 struct slsfs_wbatch *wb, const u64 *from, u32 nr)
{
	struct slsfs_extent ext;
	struct page **pages;
	u32 i, nr_ext;
	int err = 0, v;

	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < nr && !err; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			err = -ENOMEM;
			break;
		}
		list_add(&pages[i]->lru, &wb->headers);
		err = slsfs_read_block(sbi->sb, from[i], page_address(pages[i]));
	}
	if (!err)
		err = slsfs_log_append_blocks(sbi, wb, SLSFS_CHUNK_MOVED, 0, 0, pages,
					      nr, NULL, &ext, &nr_ext, NULL);
	kvfree(pages);
	if (err)
		return err;
	for (i = 0; i < nr; i++) {
		v = slsfs_gc_victim_of(sbi, gc, from[i]);
		gc->to[v][from[i] - gc->start[v]] = ext.addr + i;
	}
	gc->moved += nr;
	return 0;
}

/* Copy every live block of the victims to the end of the log. */
static int slsfs_gc_move(struct slsfs_sb_info *sbi, struct slsfs_gc *gc)
{
	u32 max = slsfs_chunk_max(sbi, SLSFS_BLOCKS_PER_RECORDS_CHUNK);
	u32 seg_blocks = sbi->store.geo.seg_blocks;
	struct slsfs_wbatch wb;
	u32 i, v, n = 0, b;
	int err = 0, werr;
	u64 *from;

	from = kvcalloc(max, sizeof(*from), GFP_KERNEL);
	if (!from)
		return -ENOMEM;
	slsfs_wbatch_init(&wb);
	for (i = 0; i < gc->nr_ext && !err; i++) {
		for (b = 0; b < gc->ext[i].nr_blocks; b++)
			from[b] = gc->ext[i].addr + b;
		err = slsfs_gc_copy(sbi, gc, &wb, from, gc->ext[i].nr_blocks);
	}
	for (v = 0; v < gc->nr && !err; v++) {
		for_each_set_bit(b, gc->pages[v], seg_blocks) {
			from[n++] = gc->start[v] + b;
			if (n == max) {
				err = slsfs_gc_copy(sbi, gc, &wb, from, n);
				n = 0;
				if (err)
					break;
			}
		}
	}
	if (!err && n)
		err = slsfs_gc_copy(sbi, gc, &wb, from, n);
	werr = slsfs_log_wait(sbi, &wb);
	kvfree(from);
	return err ?: werr;
}

/* Where the cleaner copied the block at @addr, or 0. */
static u64 slsfs_gc_moved_to(struct slsfs_sb_info *sbi, struct slsfs_gc *gc, u64 addr)
{
	int v = slsfs_gc_victim_of(sbi, gc, addr);

	return v < 0 ? 0 : gc->to[v][addr - gc->start[v]];
}

/* Point the index at the copies; sbi->lock held. */
static void slsfs_gc_remap(struct slsfs_sb_info *sbi, struct slsfs_gc *gc)
{
	struct slsfs_store *st = &sbi->store;
	struct slsfs_partition *part;
	struct slsfs_object *o;
	struct slsfs_epoch *ep;
	struct slsfs_page *pg;
	unsigned long id, index;
	u64 to;
	u32 i;

	list_for_each_entry(part, &st->parts, node) {
		list_for_each_entry(ep, &part->epochs, node) {
			for (i = 0; i < ep->nr_extents; i++) {
				struct slsfs_extent *e = &ep->extents[i];

				to = slsfs_gc_moved_to(sbi, gc, e->addr);
				if (!to)
					continue;
				slsfs_live_add(st, e->addr, e->nr_blocks, -1);
				slsfs_live_add(st, to, e->nr_blocks, 1);
				e->addr = to;
			}
		}
		xa_for_each(&part->objects, id, o) {
			xa_for_each(&o->pages, index, pg) {
				for (i = 0; i < pg->nr; i++) {
					to = slsfs_gc_moved_to(sbi, gc, pg->v[i].addr);
					if (!to)
						continue;
					slsfs_live_add(st, pg->v[i].addr, 1, -1);
					slsfs_live_add(st, to, 1, 1);
					pg->v[i].addr = to;
				}
			}
		}
	}
}

static void slsfs_gc_free(struct slsfs_gc *gc)
{
	u32 i;

	for (i = 0; i < gc->nr; i++) {
		bitmap_free(gc->pages[i]);
		kvfree(gc->to[i]);
	}
	kfree(gc->ext);
}

/*
 * One cleaning pass: empty the victims that fit in @budget blocks.  They
 * are free once the checkpoint that follows is written.
 */
static int slsfs_gc_clean(struct slsfs_sb_info *sbi, u64 budget)
{
	u32 seg_blocks = sbi->store.geo.seg_blocks;
	struct slsfs_gc gc = {};
	int err = 0;
	u32 i;

	slsfs_gc_pick(sbi, &gc, budget);
	if (!gc.nr)
		return 0;
	for (i = 0; i < gc.nr && !err; i++) {
		gc.pages[i] = bitmap_zalloc(seg_blocks, GFP_KERNEL);
		gc.to[i] = kvcalloc(seg_blocks, sizeof(*gc.to[i]), GFP_KERNEL);
		if (!gc.pages[i] || !gc.to[i])
			err = -ENOMEM;
	}
	if (!err) {
		mutex_lock(&sbi->lock);
		err = slsfs_gc_collect(sbi, &gc);
		mutex_unlock(&sbi->lock);
	}
	if (!err)
		err = slsfs_gc_move(sbi, &gc);
	if (!err) {
		mutex_lock(&sbi->lock);
		slsfs_gc_remap(sbi, &gc);
		mutex_unlock(&sbi->lock);
		/* not free before a checkpoint that knows the copies is durable */
		for (i = 0; i < gc.nr; i++) {
			set_bit(gc.seg[i], sbi->seg_held);
			WARN_ON_ONCE(sbi->store.seg_live[gc.seg[i]]);
		}
		sbi->gc_runs++;
		sbi->gc_blocks_moved += gc.moved;
	}
	slsfs_gc_free(&gc);
	return err;
}

/* Free segments below which the cleaner copies blocks. */
static u32 slsfs_gc_low(struct slsfs_sb_info *sbi)
{
	return sbi->gc_reserve + max(2U, sbi->store.geo.nr_segs / 8);
}

/**
 * slsfs_gc - write an index checkpoint and, if free segments are still
 * low (or @clean), empty the emptiest segments
 * @sbi:	the store; the caller holds log_lock
 * @clean:	copy blocks even if enough segments are free
 *
 * Return: 0 or the errno of the checkpoint or of the copies.
 */
int slsfs_gc(struct slsfs_sb_info *sbi, bool clean)
{
	u32 free, need;
	u64 budget;
	int err;

	lockdep_assert_held(&sbi->log_lock);
	err = slsfs_ckpt_write(sbi);
	if (err)
		return err;
	need = sbi->gc_reserve;
	free = slsfs_free_segs(sbi);
	if (!clean && free >= slsfs_gc_low(sbi))
		return 0;
	/* The copies and the checkpoint after them must fit. */
	if (free <= need)
		return 0;
	budget = min_t(u64, (u64)(free - need) * (sbi->store.geo.seg_blocks - 2),
		       2ULL * sbi->store.geo.seg_blocks);
	sbi->gc_running = true;
	err = slsfs_gc_clean(sbi, budget);
	if (!err)
		err = slsfs_ckpt_write(sbi);
	sbi->gc_running = false;
	if (err)
		slsfs_err(sbi->sb, "cleaner pass failed (%d)", err);
	return err;
}

/*
 * Before an epoch: a checkpoint when the log since the last one is long,
 * the cleaner when free segments are low.  A pass that left them low is
 * tried again only once the log has gone on a little, which expires
 * blocks.  An error is the epoch's too: the log takes no more chunks.
 */
void slsfs_gc_maybe(struct slsfs_sb_info *sbi)
{
	u32 nr = sbi->store.geo.nr_segs;
	bool low = slsfs_free_segs(sbi) < slsfs_gc_low(sbi);

	lockdep_assert_held(&sbi->log_lock);
	if (sb_rdonly(sbi->sb) || sbi->log_err)
		return;
	if (low && sbi->segs_entered < sbi->gc_next_try)
		low = false;
	if (!low && sbi->segs_since_ckpt < max(4U, nr / 8))
		return;
	if (slsfs_gc(sbi, false))
		return;
	if (slsfs_free_segs(sbi) < slsfs_gc_low(sbi))
		sbi->gc_next_try = sbi->segs_entered + max(2U, nr / 16);
}
