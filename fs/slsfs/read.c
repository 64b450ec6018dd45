// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: reading epochs back, as restore needs them: the latest epoch of
 * a partition, an epoch's record stream, and any page as of an epoch,
 * resolved through the chain of incremental epochs.  Every block read is
 * checked against the checksum the log holds for it.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/slsfs.h>

#include "internal.h"

/**
 * slsfs_read_block - read a block of the device, bypassing any cache
 * @sb:		the store
 * @addr:	the block
 * @buf:	the address of a page (not of a kmalloc() buffer)
 *
 * The log is written with bios, so reads are bios too: a cached copy of a
 * block could be older than what the log wrote there since.
 *
 * Return: 0 or -EIO.
 */
int slsfs_read_block(struct super_block *sb, u64 addr, void *buf)
{
	struct bio_vec bvec;
	struct bio bio;
	int err;

	bio_init(&bio, sb->s_bdev, &bvec, 1, REQ_OP_READ);
	bio.bi_iter.bi_sector = addr << (SLSFS_BLOCK_SHIFT - SECTOR_SHIFT);
	__bio_add_page(&bio, virt_to_page(buf), SLSFS_BLOCK_SIZE, offset_in_page(buf));
	err = submit_bio_wait(&bio);
	bio_uninit(&bio);
	return err ? -EIO : 0;
}

/* Return: the newest committed epoch of the partition, 0 if none. */
u64 slsfs_epoch_latest(struct slsfs_sb_info *sbi, u64 part_id)
{
	struct slsfs_partition *part;
	struct slsfs_epoch *ep = NULL;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part)
		ep = slsfs_epoch_newest(part);
	mutex_unlock(&sbi->lock);
	return ep ? ep->epoch : 0;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_latest);

/**
 * slsfs_epoch_whole - the epoch whose records describe the partition at @epoch
 * @sbi:	the store
 * @part_id:	the partition
 * @epoch:	a retained epoch
 *
 * A partial epoch (a region's pages) holds no whole image: the newest
 * whole epoch before it does.
 *
 * Return: @epoch or the newest whole epoch before it, 0 if @epoch is not
 * retained or no whole epoch before it is.
 */
u64 slsfs_epoch_whole(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch)
{
	struct slsfs_partition *part;
	struct slsfs_epoch *ep;
	u64 whole = 0;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	ep = part ? slsfs_epoch_find(part, epoch) : NULL;
	for (; ep; ep = list_is_first(&ep->node, &part->epochs) ? NULL :
			list_prev_entry(ep, node)) {
		if (!(ep->flags & SLSFS_COMMIT_PARTIAL)) {
			whole = ep->epoch;
			break;
		}
	}
	mutex_unlock(&sbi->lock);
	return whole;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_whole);

/**
 * slsfs_epoch_time - when an epoch committed
 * @sbi:	the store
 * @part_id:	the partition
 * @epoch:	a retained epoch
 *
 * Return: its commit's CLOCK_REALTIME in ns, 0 if it is not retained.
 */
u64 slsfs_epoch_time(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch)
{
	struct slsfs_partition *part;
	struct slsfs_epoch *ep = NULL;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part)
		ep = slsfs_epoch_find(part, epoch);
	mutex_unlock(&sbi->lock);
	return ep ? ep->time_ns : 0;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_time);

/**
 * slsfs_epoch_partial_room - partial epochs a partition may take yet
 * @sbi:	the store
 * @part_id:	the partition
 * @whole:	set to its newest whole epoch, 0 if none
 *
 * Return: see slsfs_part_partial_room(); 0 for an unknown partition.
 */
u64 slsfs_epoch_partial_room(struct slsfs_sb_info *sbi, u64 part_id, u64 *whole)
{
	struct slsfs_partition *part;
	u64 room = 0;

	*whole = 0;
	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part)
		room = slsfs_part_partial_room(part, whole);
	mutex_unlock(&sbi->lock);
	return room;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_partial_room);

/**
 * slsfs_epoch_read_records - read an epoch's record stream
 * @sbi:	the store
 * @part_id:	the partition
 * @epoch:	the epoch
 * @buf:	where to
 * @len:	bytes wanted
 * @pos:	from this offset in the stream
 *
 * Return: bytes read (0 past the end), -ESTALE for an epoch that is not
 * retained, -EUCLEAN for a checksum mismatch, -EIO or -ENOMEM.
 */
ssize_t slsfs_epoch_read_records(struct slsfs_sb_info *sbi, u64 part_id,
				 u64 epoch, void *buf, size_t len, loff_t pos)
{
	struct slsfs_partition *part;
	struct slsfs_epoch *ep = NULL;
	u64 size = 0;
	size_t done = 0;
	void *block;
	int err = 0;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part)
		ep = slsfs_epoch_find(part, epoch);
	if (ep)
		size = ep->record_bytes;
	mutex_unlock(&sbi->lock);
	if (!ep)
		return -ESTALE;
	block = (void *)__get_free_page(GFP_KERNEL);
	if (!block)
		return -ENOMEM;
	while (done < len && pos < size) {
		size_t off = pos & (SLSFS_BLOCK_SIZE - 1);
		size_t n = min3(len - done, SLSFS_BLOCK_SIZE - off, (size_t)(size - pos));

		err = slsfs_stream_read_block(sbi, part_id, epoch,
					      pos >> SLSFS_BLOCK_SHIFT, block);
		if (err)
			break;
		memcpy(buf + done, block + off, n);
		done += n;
		pos += n;
	}
	free_page((unsigned long)block);
	return done ?: err;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_read_records);

/**
 * slsfs_page_read - a page as of an epoch
 * @sbi:	the store
 * @part_id:	the partition
 * @obj:	the object
 * @index:	the page's index in it
 * @epoch:	the epoch
 * @dst:	where the page's contents go
 *
 * Return: 0, -ESTALE if @epoch is not retained, -ENODATA if no epoch up to
 * it wrote the page, -EUCLEAN for a checksum mismatch, or -EIO.
 */
int slsfs_page_read(struct slsfs_sb_info *sbi, u64 part_id, u64 obj, u64 index,
		    u64 epoch, struct page *dst)
{
	const struct slsfs_page_version *found = NULL;
	struct slsfs_page_version pv;
	struct slsfs_partition *part;
	int err = -ESTALE, idx;
	void *data;
	u32 crc;

	idx = srcu_read_lock(&sbi->reads);	/* the cleaner keeps the block */
	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part && slsfs_epoch_find(part, epoch)) {
		found = slsfs_page_lookup(part, obj, index, epoch);
		err = found ? 0 : -ENODATA;
	}
	if (found)
		pv = *found;
	mutex_unlock(&sbi->lock);
	if (!err) {
		data = kmap_local_page(dst);
		err = slsfs_read_block(sbi->sb, pv.addr, data);
		crc = slsfs_block_crc(data);
		kunmap_local(data);
	}
	srcu_read_unlock(&sbi->reads, idx);
	if (err)
		return err;
	if (crc != pv.crc) {
		slsfs_err(sbi->sb, "page %llu of object %llu, epoch %llu, at %llu: checksum mismatch",
			  index, obj, pv.epoch, pv.addr);
		return -EUCLEAN;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(slsfs_page_read);

/**
 * slsfs_pages_find - the next pages of an object an epoch can see
 * @sbi:	the store
 * @part_id:	the partition
 * @obj:	the object
 * @epoch:	the epoch
 * @from:	from this page index on; moved past the last one found
 * @last:	up to this one
 * @index:	set to the indices found, in order
 * @max:	at most this many
 *
 * Restore walks what the store holds instead of every page of a range.
 *
 * Return: how many were found (0 past the last), or -ESTALE if @epoch is
 * not retained.
 */
int slsfs_pages_find(struct slsfs_sb_info *sbi, u64 part_id, u64 obj, u64 epoch,
		     u64 *from, u64 last, u64 *index, unsigned int max)
{
	struct slsfs_partition *part;
	struct slsfs_object *o = NULL;
	unsigned long i = *from;
	unsigned int n = 0;
	int err = -ESTALE;

	if (*from > last)
		return 0;
	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part && slsfs_epoch_find(part, epoch)) {
		o = xa_load(&part->objects, obj);
		err = 0;
	}
	while (o && n < max && xa_find(&o->pages, &i, last, XA_PRESENT)) {
		if (slsfs_page_lookup(part, obj, i, epoch))
			index[n++] = i;
		if (i++ == last)
			break;
	}
	mutex_unlock(&sbi->lock);
	*from = i;
	if (!o || (n < max && i <= last))
		*from = last + 1;
	return err ?: n;
}
EXPORT_SYMBOL_GPL(slsfs_pages_find);

/* A batch of page reads in flight (slsfs_pages_read_start()). */
struct slsfs_read {
	struct slsfs_sb_info *sbi;
	u64 obj;
	const u64 *index;
	struct page **pages;
	unsigned int nr;
	atomic_t pending;		/* bios, and the reader's own */
	struct completion done;
	blk_status_t status;
	int srcu_idx;			/* the cleaner keeps the blocks */
	struct slsfs_page_version pv[];
};

static void slsfs_read_end_io(struct bio *bio)
{
	struct slsfs_read *rd = bio->bi_private;

	if (bio->bi_status)
		WRITE_ONCE(rd->status, bio->bi_status);
	bio_put(bio);
	if (atomic_dec_and_test(&rd->pending))
		complete(&rd->done);
}

/* One bio per run of pages that lie next to each other in the log. */
static void slsfs_read_submit(struct slsfs_read *rd)
{
	unsigned int i, j, k;
	struct blk_plug plug;
	struct bio *bio;

	blk_start_plug(&plug);
	for (i = 0; i < rd->nr; i = j) {
		for (j = i + 1; j < rd->nr && j - i < BIO_MAX_VECS &&
		     rd->pv[j].addr == rd->pv[j - 1].addr + 1; j++)
			;
		bio = bio_alloc(rd->sbi->sb->s_bdev, j - i, REQ_OP_READ, GFP_KERNEL);
		bio->bi_iter.bi_sector = rd->pv[i].addr <<
					 (SLSFS_BLOCK_SHIFT - SECTOR_SHIFT);
		for (k = i; k < j; k++)
			__bio_add_page(bio, rd->pages[k], SLSFS_BLOCK_SIZE, 0);
		bio->bi_private = rd;
		bio->bi_end_io = slsfs_read_end_io;
		atomic_inc(&rd->pending);
		submit_bio(bio);
	}
	blk_finish_plug(&plug);
}

/**
 * slsfs_pages_read_start - start reading pages of an object as of an epoch
 * @sbi:	the store
 * @part_id:	the partition
 * @obj:	the object
 * @epoch:	the epoch
 * @index:	the pages' indices, as slsfs_pages_find() gives them
 * @pages:	where each page's contents go
 * @nr:		how many
 *
 * The reads are issued together, one bio per run of neighbours in the
 * log; @index and @pages must stay until slsfs_pages_read_end().  Restore
 * faults in the next batch meanwhile.
 *
 * Return: the reads in flight, ERR_PTR(-ESTALE) if @epoch is not
 * retained, -ENODATA if a page is not in the store, or -ENOMEM.
 */
struct slsfs_read *slsfs_pages_read_start(struct slsfs_sb_info *sbi, u64 part_id,
					  u64 obj, u64 epoch, const u64 *index,
					  struct page **pages, unsigned int nr)
{
	const struct slsfs_page_version *found;
	struct slsfs_partition *part;
	struct slsfs_read *rd;
	unsigned int i;
	int err = -ESTALE;

	rd = kvmalloc(struct_size(rd, pv, nr), GFP_KERNEL);
	if (!rd)
		return ERR_PTR(-ENOMEM);
	rd->srcu_idx = srcu_read_lock(&sbi->reads);
	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part && slsfs_epoch_find(part, epoch)) {
		for (i = 0, err = 0; i < nr && !err; i++) {
			found = slsfs_page_lookup(part, obj, index[i], epoch);
			if (found)
				rd->pv[i] = *found;
			else
				err = -ENODATA;
		}
	}
	mutex_unlock(&sbi->lock);
	if (err) {
		srcu_read_unlock(&sbi->reads, rd->srcu_idx);
		kvfree(rd);
		return ERR_PTR(err);
	}
	rd->sbi = sbi;
	rd->obj = obj;
	rd->index = index;
	rd->pages = pages;
	rd->nr = nr;
	rd->status = BLK_STS_OK;
	atomic_set(&rd->pending, 1);
	init_completion(&rd->done);
	slsfs_read_submit(rd);
	return rd;
}
EXPORT_SYMBOL_GPL(slsfs_pages_read_start);

/**
 * slsfs_pages_read_end - wait for reads and check what they read
 * @rd:		from slsfs_pages_read_start(); freed
 *
 * Return: 0, -EUCLEAN if a page fails its checksum, or -EIO.
 */
int slsfs_pages_read_end(struct slsfs_read *rd)
{
	unsigned int i;
	int err = 0;

	if (!atomic_dec_and_test(&rd->pending))
		wait_for_completion_io(&rd->done);
	srcu_read_unlock(&rd->sbi->reads, rd->srcu_idx);
	if (READ_ONCE(rd->status))
		err = -EIO;
	for (i = 0; i < rd->nr && !err; i++) {
		void *data = kmap_local_page(rd->pages[i]);

		if (slsfs_block_crc(data) != rd->pv[i].crc) {
			slsfs_err(rd->sbi->sb, "page %llu of object %llu, epoch %llu, at %llu: checksum mismatch",
				  rd->index[i], rd->obj, rd->pv[i].epoch, rd->pv[i].addr);
			err = -EUCLEAN;
		}
		kunmap_local(data);
	}
	kvfree(rd);
	return err;
}
EXPORT_SYMBOL_GPL(slsfs_pages_read_end);
