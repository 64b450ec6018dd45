// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: writing the log.
 *
 * One writer at a time appends chunks where replay ended (sbi->log_lock).
 * Before its first chunk a mount writes the next superblock generation,
 * which its chunks carry.  An epoch's pages go to the device straight from
 * their struct page, each chunk one bio; when all of them are done, the
 * commit chunk is written with REQ_PREFLUSH | REQ_FUA, and only then is
 * the epoch added to the store in memory.  A small epoch is sealed
 * instead: its chunks and commit go in FUA writes, one per BIO_MAX_VECS
 * blocks, all at once.
 *
 * The log goes on in whichever segment is free when it leaves one (gc.c
 * says which are); before each epoch the cleaner may run.  A device whose
 * free segments are down to what the cleaner needs fails the epoch with
 * ENOSPC.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/crc32c.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/slsfs.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "internal.h"


struct slsfs_txn {
	struct slsfs_sb_info *sbi;
	u64 part_id;
	u64 epoch;
	u64 parent;
	unsigned int flags;
	struct slsfs_staged sg;		/* pages and record blocks, as written */
	struct page **pages;		/* referenced until the commit is done */
	struct page **rec;		/* the record stream, in pages */
	u32 nr_rec;
	u64 rec_bytes;
	struct work_struct work;
	void (*done)(void *arg, u64 epoch, int err);
	void *arg;
};

void slsfs_wbatch_init(struct slsfs_wbatch *wb)
{
	atomic_set(&wb->pending, 1);
	wb->status = BLK_STS_OK;
	init_completion(&wb->done);
	INIT_LIST_HEAD(&wb->headers);
	wb->sealed = 0;
	wb->bio = NULL;
}

static void slsfs_wbatch_put(struct slsfs_wbatch *wb)
{
	if (atomic_dec_and_test(&wb->pending))
		complete(&wb->done);
}

static void slsfs_wbio_end(struct bio *bio)
{
	struct slsfs_wbatch *wb = bio->bi_private;

	if (bio->bi_status)
		wb->status = bio->bi_status;
	bio_put(bio);
	slsfs_wbatch_put(wb);
}

/* Submit what a sealed batch gathered. */
static void slsfs_wbatch_send(struct slsfs_wbatch *wb)
{
	if (wb->bio)
		submit_bio(wb->bio);
	wb->bio = NULL;
}

/* Wait for the batch; free its header pages.  Return: 0 or -EIO. */
int slsfs_wbatch_wait(struct slsfs_wbatch *wb)
{
	struct page *page, *next;

	slsfs_wbatch_send(wb);
	slsfs_wbatch_put(wb);
	wait_for_completion_io(&wb->done);
	list_for_each_entry_safe(page, next, &wb->headers, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	return blk_status_to_errno(wb->status);
}

/*
 * A write bio of @wb at block @addr.  A flush covers the writes that were
 * done before it, and every batch is waited for before the next one
 * starts: only writes without FUA leave the device cache to be flushed.
 */
static struct bio *slsfs_wbio_new(struct slsfs_sb_info *sbi, struct slsfs_wbatch *wb,
				  u64 addr, u32 nr_vecs, blk_opf_t extra)
{
	struct bio *bio;

	if (extra & REQ_PREFLUSH)
		sbi->log_unflushed = false;
	if (!(extra & REQ_FUA))
		sbi->log_unflushed = true;
	bio = bio_alloc(sbi->sb->s_bdev, nr_vecs, REQ_OP_WRITE | REQ_SYNC | extra,
			GFP_NOIO);
	bio->bi_iter.bi_sector = addr << (SLSFS_BLOCK_SHIFT - SECTOR_SHIFT);
	bio->bi_end_io = slsfs_wbio_end;
	bio->bi_private = wb;
	atomic_inc(&wb->pending);
	return bio;
}

/*
 * A sealed batch's bio that takes @nr more blocks at @addr: the one it is
 * gathering when they follow on, else a new one.  Only its first bio
 * flushes what was written before.
 */
static struct bio *slsfs_wbatch_gather(struct slsfs_sb_info *sbi,
				       struct slsfs_wbatch *wb, u64 addr, u32 nr)
{
	sector_t sector = addr << (SLSFS_BLOCK_SHIFT - SECTOR_SHIFT);
	struct bio *bio = wb->bio;

	if (bio && bio_end_sector(bio) == sector &&
	    bio->bi_vcnt + nr <= bio->bi_max_vecs)
		return bio;
	slsfs_wbatch_send(wb);
	wb->bio = slsfs_wbio_new(sbi, wb, addr, BIO_MAX_VECS, wb->sealed);
	wb->sealed &= ~REQ_PREFLUSH;
	return wb->bio;
}

static void slsfs_wbatch_submit(struct slsfs_sb_info *sbi, struct slsfs_wbatch *wb,
				u64 addr, struct page *hdr, struct page **data,
				u32 nr, blk_opf_t extra)
{
	struct bio *bio;
	u32 i;

	if (wb->sealed)
		bio = slsfs_wbatch_gather(sbi, wb, addr, 1 + nr);
	else
		bio = slsfs_wbio_new(sbi, wb, addr, 1 + nr, extra);
	__bio_add_page(bio, hdr, SLSFS_BLOCK_SIZE, 0);
	for (i = 0; i < nr; i++)
		__bio_add_page(bio, data[i], SLSFS_BLOCK_SIZE, 0);
	if (!wb->sealed)
		submit_bio(bio);
}

/**
 * slsfs_super_write - write @sup as the next superblock generation
 * @sbi:	the store; sbi->super becomes @sup once it is durable
 * @sup:	the new contents; its generation and checksum are set here
 *
 * The preflush makes every chunk written before durable first.
 *
 * Return: 0, -ENOMEM or -EIO.
 */
int slsfs_super_write(struct slsfs_sb_info *sbi, struct slsfs_super *sup)
{
	u64 gen = le64_to_cpu(sbi->super.generation) + 1;
	struct slsfs_wbatch wb;
	struct page *page;

	page = alloc_page(GFP_NOIO | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	sup->generation = cpu_to_le64(gen);
	slsfs_super_seal(sup);
	memcpy(page_address(page), sup, sizeof(*sup));
	slsfs_wbatch_init(&wb);
	list_add(&page->lru, &wb.headers);
	slsfs_wbatch_submit(sbi, &wb, gen % SLSFS_SUPER_SLOTS, page, NULL, 0,
			    REQ_PREFLUSH | REQ_FUA);
	if (slsfs_wbatch_wait(&wb)) {
		slsfs_err(sbi->sb, "superblock write failed");
		return -EIO;
	}
	sbi->super = *sup;
	return 0;
}

/* The first write of a mount: the next superblock generation, durable. */
int slsfs_log_open(struct slsfs_sb_info *sbi)
{
	struct slsfs_super sup = sbi->super;
	__le64 ours = cpu_to_le64(SLSFS_FEATURE_INCOMPAT_CLEAR |
				  SLSFS_FEATURE_INCOMPAT_SEALED);
	bool marked = (sup.feature_incompat & ours) == ours;
	int err;

	if (sb_rdonly(sbi->sb))
		return -EROFS;
	if (sbi->gen)
		return 0;
	/*
	 * Its epochs may clear pages and be sealed: a mount that cannot tell
	 * must refuse the store, and would take the other slot if only one
	 * said so.
	 */
	sup.feature_incompat |= ours;
	err = slsfs_super_write(sbi, &sup);
	if (!err && !marked) {
		sup = sbi->super;
		err = slsfs_super_write(sbi, &sup);
	}
	if (!err)
		sbi->gen = le64_to_cpu(sup.generation);
	return err;
}

/*
 * Wait for a batch of the log's chunks.  A write that failed left a hole
 * in the chain, after which nothing could be replayed: the log takes no
 * more chunks until the next mount.
 */
int slsfs_log_wait(struct slsfs_sb_info *sbi, struct slsfs_wbatch *wb)
{
	int err = slsfs_wbatch_wait(wb);

	if (err && !sbi->log_err) {
		sbi->log_err = err;
		slsfs_err(sbi->sb, "log write failed (%d): no more writes until remounted",
			  err);
	}
	return err;
}

/* A zeroed header block for a chunk, its common fields filled in. */
struct slsfs_chunk *slsfs_chunk_new(struct slsfs_sb_info *sbi,
					   struct slsfs_wbatch *wb, u16 type,
					   u64 part_id, u64 epoch, u32 nr_entries,
					   size_t esize, u32 nr_blocks)
{
	struct page *page = alloc_page(GFP_NOIO | __GFP_ZERO);
	struct slsfs_chunk *ch;

	if (!page)
		return NULL;
	list_add(&page->lru, &wb->headers);
	ch = page_address(page);
	ch->magic = cpu_to_le32(SLSFS_CHUNK_MAGIC);
	ch->type = cpu_to_le16(type);
	ch->len = cpu_to_le32(sizeof(*ch) + nr_entries * esize);
	ch->gen = cpu_to_le64(sbi->gen);
	ch->store_id = cpu_to_le64(sbi->store.geo.store_id);
	ch->part_id = cpu_to_le64(part_id);
	ch->epoch = cpu_to_le64(epoch);
	ch->nr_entries = cpu_to_le32(nr_entries);
	ch->nr_blocks = cpu_to_le32(nr_blocks);
	return ch;
}


/*
 * Place @ch, with its @nr_blocks data blocks, at the end of the log and
 * submit it.  A chunk that does not fit in the segment goes to the next
 * one, after a SEGEND chunk when there is room for it.
 */
int slsfs_log_append(struct slsfs_sb_info *sbi, struct slsfs_wbatch *wb,
		     struct slsfs_chunk *ch, struct page **data, blk_opf_t extra)
{
	u32 nr = le32_to_cpu(ch->nr_blocks);
	u64 end = slsfs_seg_addr(&sbi->store.geo, sbi->cur_seg + 1);
	u64 addr;
	int err;

	if (sbi->log_err)
		return sbi->log_err;
	if (sbi->log_end + 1 + nr > end) {
		if (sbi->log_end < end) {
			struct slsfs_chunk *se;

			se = slsfs_chunk_new(sbi, wb, SLSFS_CHUNK_SEGEND, 0, 0, 0, 0, 0);
			if (!se)
				return -ENOMEM;
			err = slsfs_log_append(sbi, wb, se, NULL, 0);
			if (err)
				return err;
			/* left: a retry after ENOSPC must not write another */
			sbi->log_end = end;
		}
		err = slsfs_log_next_seg(sbi);
		if (err)
			return err;
	}
	addr = sbi->log_end;
	ch->lsn = cpu_to_le64(sbi->next_lsn++);
	ch->next_seg = cpu_to_le32(sbi->next_seg);
	slsfs_chunk_seal(ch);
	slsfs_wbatch_submit(sbi, wb, addr, virt_to_page(ch), data, nr, extra);
	sbi->log_end = addr + 1 + nr;
	return 0;
}

/* Append one chunk that has no data blocks and at most one entry. */
static int slsfs_log_append_one(struct slsfs_sb_info *sbi, struct slsfs_wbatch *wb,
				u16 type, u64 part_id, u64 epoch, const void *entry,
				size_t esize, blk_opf_t extra)
{
	struct slsfs_chunk *ch;

	ch = slsfs_chunk_new(sbi, wb, type, part_id, epoch, esize ? 1 : 0, esize, 0);
	if (!ch)
		return -ENOMEM;
	if (esize)
		memcpy(ch + 1, entry, esize);
	return slsfs_log_append(sbi, wb, ch, NULL, extra);
}

/* Write one chunk that has no data blocks, durable when this returns. */
static int slsfs_log_write_one(struct slsfs_sb_info *sbi, u16 type, u64 part_id,
			       u64 epoch, const void *entry, size_t esize)
{
	struct slsfs_wbatch wb;
	int err;

	slsfs_wbatch_init(&wb);
	err = slsfs_log_append_one(sbi, &wb, type, part_id, epoch, entry, esize,
				   REQ_PREFLUSH | REQ_FUA);
	return slsfs_log_wait(sbi, &wb) ?: err;
}

/* A partition created or removed, durably; the caller holds log_lock. */
int slsfs_log_write_part(struct slsfs_sb_info *sbi, u64 part_id,
			 const struct slsfs_part *dp)
{
	int err;

	lockdep_assert_held(&sbi->log_lock);
	err = slsfs_log_open(sbi);
	if (!err)
		err = slsfs_log_write_one(sbi, SLSFS_CHUNK_PART, part_id, 0, dp,
					  sizeof(*dp));
	return err;
}

/* A partition's epochs after @epoch discarded, durably; the caller holds log_lock. */
int slsfs_log_write_discard(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch)
{
	int err;

	lockdep_assert_held(&sbi->log_lock);
	err = slsfs_log_open(sbi);
	if (!err)
		err = slsfs_log_write_one(sbi, SLSFS_CHUNK_DISCARD, part_id, epoch,
					  NULL, 0);
	return err;
}

u32 slsfs_chunk_max(struct slsfs_sb_info *sbi, u32 per_header)
{
	return min(per_header, sbi->store.geo.seg_blocks - 1);
}

/* The PAGES chunks of @txn; the addresses go into txn->sg. */
static int slsfs_txn_write_pages(struct slsfs_txn *txn, struct slsfs_wbatch *wb)
{
	struct slsfs_sb_info *sbi = txn->sbi;
	u32 max = slsfs_chunk_max(sbi, SLSFS_PAGES_PER_CHUNK);
	u32 done, nr, i;
	int err;

	for (done = 0; done < txn->sg.nr_pages; done += nr) {
		struct slsfs_page_entry *e;
		struct slsfs_chunk *ch;

		nr = min(max, txn->sg.nr_pages - done);
		ch = slsfs_chunk_new(sbi, wb, SLSFS_CHUNK_PAGES, txn->part_id,
				     txn->epoch, nr, sizeof(*e), nr);
		if (!ch)
			return -ENOMEM;
		e = (void *)(ch + 1);
		for (i = 0; i < nr; i++) {
			struct slsfs_staged_page *sp = &txn->sg.pages[done + i];
			void *data = kmap_local_page(txn->pages[done + i]);

			sp->pv.crc = slsfs_block_crc(data);
			kunmap_local(data);
			e[i].obj = cpu_to_le64(sp->obj);
			e[i].index = cpu_to_le64(sp->index);
			e[i].crc = cpu_to_le32(sp->pv.crc);
		}
		err = slsfs_log_append(sbi, wb, ch, txn->pages + done, 0);
		if (err)
			return err;
		for (i = 0; i < nr; i++)
			txn->sg.pages[done + i].pv.addr = sbi->log_end - nr + i;
	}
	return 0;
}

/*
 * The CLEAR chunks of @txn: its runs, cut down to the pages whose newest
 * version is a copy.  The partition writes one epoch at a time, so what
 * they find here is what its commit will find.
 */
static int slsfs_txn_write_clears(struct slsfs_txn *txn, struct slsfs_wbatch *wb)
{
	struct slsfs_sb_info *sbi = txn->sbi;
	struct slsfs_staged *sg = &txn->sg;
	struct slsfs_partition *part;
	u32 done, nr, i;
	int err = -ENOENT;

	if (!sg->nr_clears)
		return 0;
	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, txn->part_id);
	if (part)
		err = slsfs_clears_filter(part, sg);
	mutex_unlock(&sbi->lock);
	for (done = 0; !err && done < sg->nr_clears; done += nr) {
		struct slsfs_clear_entry *e;
		struct slsfs_chunk *ch;

		nr = min_t(u32, SLSFS_CLEARS_PER_CHUNK, sg->nr_clears - done);
		ch = slsfs_chunk_new(sbi, wb, SLSFS_CHUNK_CLEAR, txn->part_id,
				     txn->epoch, nr, sizeof(*e), 0);
		if (!ch)
			return -ENOMEM;
		e = (void *)(ch + 1);
		for (i = 0; i < nr; i++) {
			e[i].obj = cpu_to_le64(sg->clears[done + i].obj);
			e[i].start = cpu_to_le64(sg->clears[done + i].start);
			e[i].end = cpu_to_le64(sg->clears[done + i].end);
		}
		err = slsfs_log_append(sbi, wb, ch, NULL, 0);
	}
	return err;
}

/**
 * slsfs_log_append_blocks - append blocks as chunks that list their checksums
 * @sbi:	the store; the caller holds log_lock
 * @wb:		the batch the bios join
 * @type:	RECORDS, CKPT or MOVED
 * @part_id:	for the chunks' headers
 * @epoch:	for the chunks' headers
 * @pages:	the blocks, not to change until @wb is done
 * @nr:		how many
 * @crcs:	set to each block's CRC-32C, or NULL
 * @ext:	set to where each chunk's blocks went, one run per chunk;
 *		room for DIV_ROUND_UP(@nr, slsfs_chunk_max()) of them
 * @nr_ext:	set to how many runs
 * @first_lsn:	set to the first chunk's lsn, or NULL
 *
 * Return: 0, -ENOSPC or -ENOMEM.
 */
int slsfs_log_append_blocks(struct slsfs_sb_info *sbi, struct slsfs_wbatch *wb,
			    u16 type, u64 part_id, u64 epoch, struct page **pages,
			    u32 nr, u32 *crcs, struct slsfs_extent *ext,
			    u32 *nr_ext, u64 *first_lsn)
{
	u32 max = slsfs_chunk_max(sbi, SLSFS_BLOCKS_PER_RECORDS_CHUNK);
	u32 done, n, i;
	int err;

	*nr_ext = 0;
	for (done = 0; done < nr; done += n) {
		struct slsfs_chunk *ch;
		__le32 *crc;

		n = min(max, nr - done);
		ch = slsfs_chunk_new(sbi, wb, type, part_id, epoch, n, sizeof(*crc), n);
		if (!ch)
			return -ENOMEM;
		crc = (void *)(ch + 1);
		for (i = 0; i < n; i++) {
			u32 c = slsfs_block_crc(page_address(pages[done + i]));

			crc[i] = cpu_to_le32(c);
			if (crcs)
				crcs[done + i] = c;
		}
		err = slsfs_log_append(sbi, wb, ch, pages + done, 0);
		if (err)
			return err;
		if (!done && first_lsn)
			*first_lsn = sbi->next_lsn - 1;
		ext[*nr_ext].addr = sbi->log_end - n;
		ext[*nr_ext].nr_blocks = n;
		(*nr_ext)++;
	}
	return 0;
}

/* The RECORDS chunks of @txn; their extents go into txn->sg. */
static int slsfs_txn_write_records(struct slsfs_txn *txn, struct slsfs_wbatch *wb)
{
	u32 max = slsfs_chunk_max(txn->sbi, SLSFS_BLOCKS_PER_RECORDS_CHUNK);
	struct slsfs_staged *sg = &txn->sg;
	int err;

	sg->crcs = kcalloc(max(txn->nr_rec, 1U), sizeof(*sg->crcs), GFP_NOIO);
	sg->extents = kcalloc(DIV_ROUND_UP(txn->nr_rec, max) ?: 1,
			      sizeof(*sg->extents), GFP_NOIO);
	if (!sg->crcs || !sg->extents)
		return -ENOMEM;
	err = slsfs_log_append_blocks(txn->sbi, wb, SLSFS_CHUNK_RECORDS, txn->part_id,
				      txn->epoch, txn->rec, txn->nr_rec, sg->crcs,
				      sg->extents, &sg->nr_extents, NULL);
	sg->nr_blocks = txn->nr_rec;
	return err;
}

/* Add the committed epoch to the store in memory. */
static int slsfs_txn_publish(struct slsfs_txn *txn, const struct slsfs_commit *c)
{
	struct slsfs_sb_info *sbi = txn->sbi;
	struct slsfs_partition *part;
	int err = -ENOENT;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, txn->part_id);
	if (part)
		err = slsfs_epoch_add(part, c, txn->epoch, &txn->sg);
	if (!err)
		sbi->store.commits++;
	mutex_unlock(&sbi->lock);
	return err;
}

/* The commit entry of @txn; ENOENT if its partition went away. */
static int slsfs_txn_commit_entry(struct slsfs_txn *txn, struct slsfs_commit *c)
{
	struct slsfs_sb_info *sbi = txn->sbi;
	struct slsfs_partition *part;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, txn->part_id);
	if (part)
		c->oldest = cpu_to_le64(slsfs_part_oldest_kept(part, txn->epoch));
	mutex_unlock(&sbi->lock);
	if (!part)
		return -ENOENT;
	c->parent = cpu_to_le64(txn->parent);
	c->nr_pages = cpu_to_le64(txn->sg.nr_pages);
	c->record_bytes = cpu_to_le64(txn->rec_bytes);
	c->time_ns = cpu_to_le64(ktime_get_real_ns());
	c->flags = cpu_to_le32((txn->parent ? 0 : SLSFS_COMMIT_FULL) |
			       (txn->flags & SLSFS_EPOCH_PARTIAL ? SLSFS_COMMIT_PARTIAL : 0));
	return 0;
}

static int slsfs_txn_write_chunks(struct slsfs_txn *txn, struct slsfs_wbatch *wb)
{
	return slsfs_txn_write_pages(txn, wb) ?:
	       slsfs_txn_write_clears(txn, wb) ?:
	       slsfs_txn_write_records(txn, wb);
}

/* The blocks @txn takes in the log at most, its commit included. */
static u64 slsfs_txn_blocks(const struct slsfs_txn *txn)
{
	u32 pmax = slsfs_chunk_max(txn->sbi, SLSFS_PAGES_PER_CHUNK);
	u32 rmax = slsfs_chunk_max(txn->sbi, SLSFS_BLOCKS_PER_RECORDS_CHUNK);

	return DIV_ROUND_UP(txn->sg.nr_pages, pmax) + txn->sg.nr_pages +
	       DIV_ROUND_UP(txn->sg.nr_clears, SLSFS_CLEARS_PER_CHUNK) +
	       DIV_ROUND_UP(txn->nr_rec, rmax) + txn->nr_rec + 1;
}

/*
 * A small epoch that fits in what is left of the segment is sealed: its
 * chunks and its commit go to the device in FUA writes, one trip instead
 * of the three of a write, a flush and the commit's FUA write.  Only the
 * first of those writes carries the preflush, and the device may complete
 * the others before it: after writes without FUA, an epoch of more than
 * one write goes in two steps, so that no commit is durable before them.
 */
static bool slsfs_txn_seals(const struct slsfs_txn *txn)
{
	struct slsfs_sb_info *sbi = txn->sbi;
	u64 end = slsfs_seg_addr(&sbi->store.geo, sbi->cur_seg + 1);
	u64 nr = slsfs_txn_blocks(txn);

	return nr <= sbi->sealed_max && sbi->log_end + nr <= end &&
	       (nr <= BIO_MAX_VECS || !sbi->log_unflushed);
}

/* The epoch's chunks, a flush, then its commit with FUA. */
static int slsfs_txn_write_twice(struct slsfs_txn *txn, struct slsfs_commit *c)
{
	struct slsfs_sb_info *sbi = txn->sbi;
	struct slsfs_wbatch wb;
	int err, werr;

	slsfs_wbatch_init(&wb);
	err = slsfs_txn_write_chunks(txn, &wb);
	werr = slsfs_log_wait(sbi, &wb);
	if (err || werr)
		return err ?: werr;
	/* The preflush makes everything above durable before the commit. */
	return slsfs_log_write_one(sbi, SLSFS_CHUNK_COMMIT, txn->part_id, txn->epoch,
				   c, sizeof(*c));
}

/*
 * The epoch's chunks and its commit in writes with FUA.  The commit
 * says where the epoch starts, so that replay can check the rest of the
 * write made it when nothing follows it (replay.c).
 */
static int slsfs_txn_write_sealed(struct slsfs_txn *txn, struct slsfs_commit *c)
{
	struct slsfs_sb_info *sbi = txn->sbi;
	u64 start = sbi->log_end;
	struct slsfs_wbatch wb;
	int err, werr;

	slsfs_wbatch_init(&wb);
	wb.sealed = REQ_FUA | (sbi->log_unflushed ? REQ_PREFLUSH : 0);
	err = slsfs_txn_write_chunks(txn, &wb);
	if (!err) {
		c->flags |= cpu_to_le32(SLSFS_COMMIT_SEALED);
		c->span = cpu_to_le32(sbi->log_end - start);
		err = slsfs_log_append_one(sbi, &wb, SLSFS_CHUNK_COMMIT, txn->part_id,
					   txn->epoch, c, sizeof(*c), 0);
	}
	werr = slsfs_log_wait(sbi, &wb);
	if (!err && !werr)
		sbi->sealed_commits++;
	return err ?: werr;
}

static int slsfs_txn_write(struct slsfs_txn *txn)
{
	struct slsfs_sb_info *sbi = txn->sbi;
	struct slsfs_commit c = {};
	int err;

	mutex_lock(&sbi->log_lock);
	err = slsfs_log_open(sbi);
	if (err)
		goto out;
	slsfs_gc_maybe(sbi);
	err = slsfs_txn_commit_entry(txn, &c);
	if (err)
		goto out;
	if (slsfs_txn_seals(txn))
		err = slsfs_txn_write_sealed(txn, &c);
	else
		err = slsfs_txn_write_twice(txn, &c);
	if (!err)
		err = slsfs_txn_publish(txn, &c);
out:
	mutex_unlock(&sbi->log_lock);
	if (err)
		slsfs_err(sbi->sb, "partition %llu: epoch %llu not committed (%d)",
			  txn->part_id, txn->epoch, err);
	return err;
}

/**
 * slsfs_epoch_begin - start writing the next epoch of a partition
 * @sbi:	the store
 * @part_id:	the partition
 * @flags:	SLSFS_EPOCH_FULL, or 0 for an epoch on top of the latest
 *
 * Return: the transaction, ERR_PTR(-ENOENT) for an unknown partition,
 * -EBUSY while another epoch of it is being written, or -ENOMEM.
 */
struct slsfs_txn *slsfs_epoch_begin(struct slsfs_sb_info *sbi, u64 part_id,
				    unsigned int flags)
{
	struct slsfs_partition *part;
	struct slsfs_epoch *latest;
	struct slsfs_txn *txn;
	int err = 0;

	txn = kzalloc(sizeof(*txn), GFP_KERNEL);
	if (!txn)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (!part)
		err = -ENOENT;
	else if (part->writing)
		err = -EBUSY;
	if (!err) {
		part->writing = true;
		txn->epoch = part->next_epoch++;	/* never reused */
		latest = slsfs_epoch_newest(part);
		if (latest && !(flags & SLSFS_EPOCH_FULL))
			txn->parent = latest->epoch;
	}
	mutex_unlock(&sbi->lock);
	if (err) {
		kfree(txn);
		return ERR_PTR(err);
	}
	txn->sbi = sbi;
	txn->part_id = part_id;
	txn->flags = flags;
	txn->sg.part_id = part_id;
	txn->sg.epoch = txn->epoch;
	INIT_LIST_HEAD(&txn->sg.node);
	return txn;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_begin);

u64 slsfs_txn_epoch(const struct slsfs_txn *txn)
{
	return txn->epoch;
}
EXPORT_SYMBOL_GPL(slsfs_txn_epoch);

/* Append @len bytes to the record stream, growing it a page at a time. */
static int slsfs_txn_stream(struct slsfs_txn *txn, const void *src, size_t len)
{
	while (len) {
		size_t off = txn->rec_bytes & (SLSFS_BLOCK_SIZE - 1);
		size_t n = min(len, SLSFS_BLOCK_SIZE - off);

		if (!off) {
			struct page **rec = krealloc_array(txn->rec, txn->nr_rec + 1,
							   sizeof(*rec), GFP_KERNEL);
			if (!rec)
				return -ENOMEM;
			txn->rec = rec;
			rec[txn->nr_rec] = alloc_page(GFP_KERNEL | __GFP_ZERO);
			if (!rec[txn->nr_rec])
				return -ENOMEM;
			txn->nr_rec++;
		}
		if (src) {
			memcpy(page_address(txn->rec[txn->nr_rec - 1]) + off, src, n);
			src += n;
		}
		txn->rec_bytes += n;
		len -= n;
	}
	return 0;
}

/**
 * slsfs_epoch_add_record - append a metadata record to an epoch
 * @txn:	the epoch
 * @type:	the record type, the caller's to choose
 * @payload:	the record
 * @len:	its length
 *
 * Return: 0 or -ENOMEM.
 */
int slsfs_epoch_add_record(struct slsfs_txn *txn, u16 type, const void *payload,
			   u32 len)
{
	struct slsfs_record rec = {
		.magic = cpu_to_le32(SLSFS_RECORD_MAGIC),
		.type = cpu_to_le16(type),
		.len = cpu_to_le32(len),
		.epoch = cpu_to_le64(txn->epoch),
	};
	u32 crc;
	int err;

	crc = crc32c(~0U, &rec, sizeof(rec));
	rec.crc = cpu_to_le32(~crc32c(crc, payload, len));
	err = slsfs_txn_stream(txn, &rec, sizeof(rec));
	if (!err)
		err = slsfs_txn_stream(txn, payload, len);
	if (!err)	/* padding: the stream's pages are zeroed */
		err = slsfs_txn_stream(txn, NULL, slsfs_record_size(len) - sizeof(rec) - len);
	return err;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_add_record);

/**
 * slsfs_epoch_give_page - add a page to an epoch, with its reference
 * @txn:	the epoch
 * @obj:	the object it belongs to
 * @index:	its index in the object
 * @page:	its contents, not to change until the commit is done; the
 *		caller's reference becomes the epoch's, on success only
 *
 * Only the reference is kept: the copy's checksum is computed by the
 * writer, off the checkpoint's stop path.
 *
 * Return: 0 or -ENOMEM.
 */
int slsfs_epoch_give_page(struct slsfs_txn *txn, u64 obj, u64 index,
			  struct page *page)
{
	struct slsfs_staged *sg = &txn->sg;
	struct slsfs_staged_page *sp;

	if (sg->nr_pages == sg->page_room) {
		u32 room = sg->page_room;

		/* txn->pages first: it never has less room than sg->pages */
		if (slsfs_array_room((void **)&txn->pages, &room, room + 1,
				     sizeof(*txn->pages)) ||
		    slsfs_array_room((void **)&sg->pages, &sg->page_room, room,
				     sizeof(*sg->pages)))
			return -ENOMEM;
	}
	sp = &sg->pages[sg->nr_pages];
	sp->obj = obj;
	sp->index = index;
	sp->pv.epoch = txn->epoch;
	txn->pages[sg->nr_pages++] = page;
	return 0;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_give_page);

/**
 * slsfs_epoch_clear - say that an epoch holds no pages in a run of an object
 * @txn:	the epoch
 * @obj:	the object
 * @start:	first page index
 * @end:	one past the last
 *
 * A restore of the epoch, or of one after it that does not write them
 * again, finds no copy of those pages instead of the ones older epochs
 * wrote: memory given back reads as zeroes again, and the pages of an
 * object no epoch takes any more expire with the epochs that wrote them.
 * The run must not hold a page the epoch writes.
 *
 * Return: 0 or -ENOMEM.
 */
int slsfs_epoch_clear(struct slsfs_txn *txn, u64 obj, u64 start, u64 end)
{
	return slsfs_staged_clear(&txn->sg, obj, start, end);
}
EXPORT_SYMBOL_GPL(slsfs_epoch_clear);

/* As slsfs_epoch_give_page(), taking a reference of the epoch's own. */
int slsfs_epoch_add_page(struct slsfs_txn *txn, u64 obj, u64 index,
			 struct page *page)
{
	int err = slsfs_epoch_give_page(txn, obj, index, page);

	if (!err)
		get_page(page);
	return err;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_add_page);

/* Drop what the transaction holds; the epoch is done with, one way or another. */
static void slsfs_txn_free(struct slsfs_txn *txn)
{
	struct slsfs_sb_info *sbi = txn->sbi;
	struct slsfs_partition *part;
	u32 i;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, txn->part_id);
	if (part)
		part->writing = false;
	mutex_unlock(&sbi->lock);
	for (i = 0; i < txn->sg.nr_pages; i++)
		put_page(txn->pages[i]);
	for (i = 0; i < txn->nr_rec; i++)
		__free_page(txn->rec[i]);
	kvfree(txn->pages);
	kfree(txn->rec);
	kvfree(txn->sg.pages);
	kvfree(txn->sg.clears);
	kfree(txn->sg.extents);
	kfree(txn->sg.crcs);
	kfree(txn);
}

/*
 * The transaction is freed before @done runs: the pages are released and
 * the partition can take its next epoch by the time the caller hears.
 */
static void slsfs_txn_work(struct work_struct *work)
{
	struct slsfs_txn *txn = container_of(work, struct slsfs_txn, work);
	void (*done)(void *arg, u64 epoch, int err) = txn->done;
	void *arg = txn->arg;
	u64 epoch = txn->epoch;
	int err = slsfs_txn_write(txn);

	slsfs_txn_free(txn);
	done(arg, epoch, err);
}

/**
 * slsfs_epoch_commit - write an epoch and commit it, in the background
 * @txn:	the epoch; freed, its pages released, before @done is called
 * @done:	called from a worker with the epoch and 0 once it is durable,
 *		or a negative errno if it is not and never will be
 * @arg:	for @done
 */
void slsfs_epoch_commit(struct slsfs_txn *txn,
			void (*done)(void *arg, u64 epoch, int err), void *arg)
{
	txn->done = done;
	txn->arg = arg;
	INIT_WORK(&txn->work, slsfs_txn_work);
	queue_work(system_unbound_wq, &txn->work);
}
EXPORT_SYMBOL_GPL(slsfs_epoch_commit);

/**
 * slsfs_epoch_commit_sync - write an epoch and commit it
 * @txn:	the epoch; freed
 *
 * Return: 0 once the epoch is durable, -ENOSPC when the device is full,
 * -EIO, -ENOMEM, or -ENOENT if the partition was removed meanwhile.
 */
int slsfs_epoch_commit_sync(struct slsfs_txn *txn)
{
	int err = slsfs_txn_write(txn);

	slsfs_txn_free(txn);
	return err;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_commit_sync);

void slsfs_epoch_abort(struct slsfs_txn *txn)
{
	slsfs_txn_free(txn);
}
EXPORT_SYMBOL_GPL(slsfs_epoch_abort);
