/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slsfs, the store of the single level store: what kernel/sls uses of it.
 *
 * A store is a mounted slsfs, named by the root of its mount.  It holds
 * partitions by name; each partition has a chain of epochs.  An epoch is
 * written as a transaction: begin, add metadata records and pages, then
 * commit.  Pages are written straight from their struct page and must not
 * change until the commit completes; the store holds a reference to each
 * until then.  An epoch is durable exactly when its commit completes
 * without error; a failed or aborted epoch leaves the earlier ones intact
 * and its number unused.
 */
#ifndef _LINUX_SLSFS_H
#define _LINUX_SLSFS_H

#include <linux/types.h>

struct page;
struct path;
struct slsfs_read;
struct slsfs_sb_info;
struct slsfs_txn;

#define SLSFS_EPOCH_FULL	(1U << 0)	/* holds every page: no parent */
#define SLSFS_EPOCH_PARTIAL	(1U << 1)	/* pages of a region, no whole image */

/* A record of an epoch's stream, as slsfs_record_next() finds it. */
struct slsfs_rec {
	u16 type;
	u32 len;
	const void *data;
};

struct slsfs_part_attr {
	u64 period_ms;
	u64 keep_epochs;	/* 0: the store's default */
	u64 flags;		/* struct sls_attr's */
};

struct slsfs_sb_info *slsfs_store_get(const struct path *root);
void slsfs_store_put(struct slsfs_sb_info *sbi);
const char *slsfs_store_name(const struct slsfs_sb_info *sbi);

int slsfs_part_create(struct slsfs_sb_info *sbi, const char *name,
		      const struct slsfs_part_attr *attr, u64 *part_id);
int slsfs_part_lookup(struct slsfs_sb_info *sbi, const char *name, u64 *part_id);
int slsfs_part_remove(struct slsfs_sb_info *sbi, const char *name);
int slsfs_part_get_attr(struct slsfs_sb_info *sbi, u64 part_id,
			struct slsfs_part_attr *attr);
int slsfs_part_set_keep(struct slsfs_sb_info *sbi, u64 part_id, u64 keep);
int slsfs_part_pin(struct slsfs_sb_info *sbi, u64 part_id);
void slsfs_part_unpin(struct slsfs_sb_info *sbi, u64 part_id);

struct slsfs_txn *slsfs_epoch_begin(struct slsfs_sb_info *sbi, u64 part_id,
				    unsigned int flags);
u64 slsfs_txn_epoch(const struct slsfs_txn *txn);
size_t slsfs_record_size(u32 len);
int slsfs_epoch_add_record(struct slsfs_txn *txn, u16 type, const void *payload,
			   u32 len);
int slsfs_epoch_add_page(struct slsfs_txn *txn, u64 obj, u64 index,
			 struct page *page);
int slsfs_epoch_give_page(struct slsfs_txn *txn, u64 obj, u64 index,
			  struct page *page);
int slsfs_epoch_clear(struct slsfs_txn *txn, u64 obj, u64 start, u64 end);
void slsfs_epoch_commit(struct slsfs_txn *txn,
			void (*done)(void *arg, u64 epoch, int err), void *arg);
int slsfs_epoch_commit_sync(struct slsfs_txn *txn);
void slsfs_epoch_abort(struct slsfs_txn *txn);

u64 slsfs_epoch_latest(struct slsfs_sb_info *sbi, u64 part_id);
u64 slsfs_epoch_partial_room(struct slsfs_sb_info *sbi, u64 part_id, u64 *whole);
u64 slsfs_epoch_time(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch);
u64 slsfs_epoch_whole(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch);
ssize_t slsfs_epoch_read_records(struct slsfs_sb_info *sbi, u64 part_id,
				 u64 epoch, void *buf, size_t len, loff_t pos);
ssize_t slsfs_record_next(const void *buf, size_t avail, u64 epoch,
			  struct slsfs_rec *rec, const char **why);
int slsfs_epoch_discard_after(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch);
int slsfs_pages_find(struct slsfs_sb_info *sbi, u64 part_id, u64 obj, u64 epoch,
		     u64 *from, u64 last, u64 *index, unsigned int max);
struct slsfs_read *slsfs_pages_read_start(struct slsfs_sb_info *sbi, u64 part_id,
					  u64 obj, u64 epoch, const u64 *index,
					  struct page **pages, unsigned int nr);
int slsfs_pages_read_end(struct slsfs_read *rd);
int slsfs_page_read(struct slsfs_sb_info *sbi, u64 part_id, u64 obj, u64 index,
		    u64 epoch, struct page *dst);

#endif /* _LINUX_SLSFS_H */
