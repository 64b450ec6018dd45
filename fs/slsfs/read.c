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
	void *data;
	u32 crc;
	int err = -ESTALE;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part && slsfs_epoch_find(part, epoch)) {
		found = slsfs_page_lookup(part, obj, index, epoch);
		err = found ? 0 : -ENODATA;
	}
	if (found)
		pv = *found;
	mutex_unlock(&sbi->lock);
	if (err)
		return err;
	data = kmap_local_page(dst);
	err = slsfs_read_block(sbi->sb, pv.addr, data);
	crc = slsfs_block_crc(data);
	kunmap_local(data);
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
 * slsfs_page_find - the next page of an object an epoch can see
 * @sbi:	the store
 * @part_id:	the partition
 * @obj:	the object
 * @epoch:	the epoch
 * @index:	from this page index on; set to the one found
 * @last:	up to this one
 *
 * Restore walks what the store holds instead of every page of a range.
 *
 * Return: 0, -ENODATA if there is none, -ESTALE if @epoch is not retained.
 */
int slsfs_page_find(struct slsfs_sb_info *sbi, u64 part_id, u64 obj, u64 epoch,
		    u64 *index, u64 last)
{
	struct slsfs_partition *part;
	struct slsfs_object *o = NULL;
	unsigned long i = *index;
	int err = -ESTALE;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part && slsfs_epoch_find(part, epoch)) {
		o = xa_load(&part->objects, obj);
		err = -ENODATA;
	}
	while (o && xa_find(&o->pages, &i, last, XA_PRESENT)) {
		if (slsfs_page_lookup(part, obj, i, epoch)) {
			*index = i;
			err = 0;
			break;
		}
		if (i++ == last)
			break;
	}
	mutex_unlock(&sbi->lock);
	return err;
}
EXPORT_SYMBOL_GPL(slsfs_page_find);
