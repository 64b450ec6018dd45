/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slsfs in memory: the store a mount builds from the log, shared by the
 * files of fs/slsfs.  The on-disk format is in slsfs_fs.h.
 */
#ifndef _FS_SLSFS_INTERNAL_H
#define _FS_SLSFS_INTERNAL_H

#include <linux/blk_types.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "slsfs_fs.h"

#define slsfs_err(sb, fmt, ...) \
	pr_err("slsfs (%s): " fmt "\n", (sb)->s_id, ##__VA_ARGS__)
#define slsfs_info(sb, fmt, ...) \
	pr_info("slsfs (%s): " fmt "\n", (sb)->s_id, ##__VA_ARGS__)

/* The geometry of a store, checked once from the chosen superblock. */
struct slsfs_geo {
	u64 store_id;
	u64 nr_blocks;
	u64 seg_start;
	u32 seg_blocks;
	u32 nr_segs;
};

/* One run of blocks of an epoch's record stream. */
struct slsfs_extent {
	u64 addr;
	u32 nr_blocks;
};

/* A page an epoch wrote, by object and index. */
struct slsfs_page_ref {
	u64 obj;
	u64 index;
};

/* A committed epoch of a partition. */
struct slsfs_epoch {
	struct list_head node;		/* in slsfs_partition.epochs, oldest first */
	u64 epoch;
	u64 parent;
	u64 nr_pages;
	u64 record_bytes;
	u64 time_ns;
	u32 flags;			/* SLSFS_COMMIT_* */
	u32 nr_extents;
	struct slsfs_extent *extents;	/* where its record stream is */
	u32 *extent_crcs;		/* crc32c of each record block, in order */
	u32 nr_refs;
	struct slsfs_page_ref *refs;	/* the pages it wrote, for expiry */
};

/* One version of a page: the copy an epoch wrote. */
struct slsfs_page_version {
	u64 epoch;
	u64 addr;
	u32 crc;
};

/*
 * The address of a version that says the page is gone as of its epoch
 * (SLSFS_CHUNK_CLEAR): block 0 is a superblock's, never a page's.
 */
#define SLSFS_PAGE_GONE		0

static inline bool slsfs_pv_gone(const struct slsfs_page_version *pv)
{
	return pv->addr == SLSFS_PAGE_GONE;
}

/* A page of an object, with a version for each epoch that wrote it, newest first. */
struct slsfs_page {
	u32 nr;
	u32 room;
	struct slsfs_page_version v[];
};

/* An object of a partition (an address space, say) and its pages. */
struct slsfs_object {
	u64 id;
	struct xarray pages;		/* page index -> struct slsfs_page */
};

/* A page an epoch wrote, before it is in the index. */
struct slsfs_staged_page {
	u64 obj;
	u64 index;
	struct slsfs_page_version pv;
};

/* Pages [start, end) of an object that an epoch holds no more. */
struct slsfs_clear {
	u64 obj;
	u64 start;
	u64 end;
};

/* What an epoch wrote before its commit. */
struct slsfs_staged {
	struct list_head node;
	u64 part_id;
	u64 epoch;
	u32 nr_pages;
	u32 page_room;
	struct slsfs_staged_page *pages;
	u32 nr_clears;
	u32 clear_room;
	struct slsfs_clear *clears;
	u32 nr_extents;
	u32 nr_blocks;		/* record blocks */
	struct slsfs_extent *extents;
	u32 *crcs;		/* one per record block */
};

/* The epochs a partition keeps when its keep_epochs is 0. */
#define SLSFS_KEEP_EPOCHS_DEFAULT	16

struct slsfs_partition {
	struct list_head node;		/* in slsfs_store.parts */
	struct slsfs_store *st;
	u64 id;
	char name[SLSFS_NAME_LEN];
	u64 period_ms;
	u64 keep_epochs;
	u64 attr_flags;
	struct list_head epochs;	/* committed, oldest first */
	u32 nr_epochs;
	u64 next_epoch;			/* the number the next epoch gets */
	u64 committed_next;		/* one more than the newest ever committed */
	bool writing;			/* an epoch is being written */
	unsigned int pins;		/* loaded by kernel/sls: not removable */
	struct xarray objects;		/* object id -> struct slsfs_object */
};

/*
 * What a mount knows of the store: its partitions and their epochs, and
 * for the cleaner how many blocks of each segment the index still needs.
 */
struct slsfs_store {
	struct slsfs_geo geo;
	struct list_head parts;
	u64 next_part_id;
	u64 commits;			/* epochs committed, replayed ones included */
	u32 *seg_live;			/* live blocks (pages, records) per segment */
};

/* A mounted store. */
struct slsfs_sb_info {
	struct super_block *sb;
	struct mutex lock;		/* the store in memory */
	struct slsfs_store store;
	struct mutex log_lock;		/* the log: taken before lock */
	struct slsfs_super super;	/* the newest superblock */
	u64 gen;			/* of this mount's chunks, 0 until it writes */
	u64 log_end;			/* where the next chunk goes */
	u64 next_lsn;
	u32 cur_seg;			/* the segment log_end is in */
	u32 next_seg;			/* where the log goes on */
	bool next_reserved;		/* taken for it: else it must be free */
	int log_err;			/* a write of the chain failed: -EIO */
	bool log_unflushed;		/* a write since the last flush was not FUA */
	u32 sealed_max;			/* blocks a sealed epoch may take, 0: none */
	u64 sealed_commits;		/* epochs this mount wrote sealed */
	unsigned long *seg_busy;	/* the checkpoint's and the log's since */
	unsigned long *seg_tail;	/* entered since a checkpoint began */
	unsigned long *seg_held;	/* emptied by the cleaner, not yet free */
	u32 segs_since_ckpt;		/* segments the log entered since */
	u64 segs_entered;		/* by this mount */
	u32 gc_reserve;			/* free segments only the cleaner takes */
	bool gc_running;		/* may take them */
	u64 gc_next_try;		/* segs_entered before a pass that freed too little is retried */
	bool reads_ready;
	struct srcu_struct reads;	/* reads of blocks found in the index */
	u64 gc_runs;			/* cleaner passes that moved blocks */
	u64 gc_blocks_moved;
	u64 ckpts;			/* index checkpoints written */
	u64 ckpt_bytes;			/* the newest one's stream */
	u64 replayed_chunks;		/* read by replay at mount */
	u64 torn_epochs;		/* dropped at mount */
	struct kobject kobj;		/* /sys/fs/slsfs/<dev> */
	bool in_sysfs;
	struct completion kobj_gone;
	struct dentry *debugfs;
	char *debug_out;		/* debugfs.c's last result */
};

static inline struct slsfs_sb_info *SLSFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* What a namespace inode stands for. */
enum slsfs_node_kind {
	SLSFS_NODE_ROOT,
	SLSFS_NODE_PART,
	SLSFS_NODE_EPOCH,
	SLSFS_NODE_LATEST,
};

struct slsfs_node {
	enum slsfs_node_kind kind;
	u64 part_id;
	u64 epoch;
};

/* Bios in flight for one batch of chunks. */
struct slsfs_wbatch {
	atomic_t pending;
	blk_status_t status;
	struct completion done;
	struct list_head headers;	/* pages to free once written */
	blk_opf_t sealed;		/* 0, or the flags of one gathering write */
	struct bio *bio;		/* what it gathered, not yet submitted */
};

/*
 * Blocks a sealed epoch may take, by default and at most: 4 MiB, an epoch
 * of an application checkpointed 100 times a second, and 16 MiB.
 */
#define SLSFS_SEALED_MAX_DEFAULT	1024U
#define SLSFS_SEALED_MAX		4096U

/* log.c: writing the log. */
void slsfs_wbatch_init(struct slsfs_wbatch *wb);
int slsfs_wbatch_wait(struct slsfs_wbatch *wb);
int slsfs_super_write(struct slsfs_sb_info *sbi, struct slsfs_super *sup);
int slsfs_log_open(struct slsfs_sb_info *sbi);
struct slsfs_chunk *slsfs_chunk_new(struct slsfs_sb_info *sbi,
				    struct slsfs_wbatch *wb, u16 type,
				    u64 part_id, u64 epoch, u32 nr_entries,
				    size_t esize, u32 nr_blocks);
int slsfs_log_append(struct slsfs_sb_info *sbi, struct slsfs_wbatch *wb,
		     struct slsfs_chunk *ch, struct page **data, blk_opf_t extra);
int slsfs_log_wait(struct slsfs_sb_info *sbi, struct slsfs_wbatch *wb);
u32 slsfs_chunk_max(struct slsfs_sb_info *sbi, u32 per_header);
int slsfs_log_append_blocks(struct slsfs_sb_info *sbi, struct slsfs_wbatch *wb,
			    u16 type, u64 part_id, u64 epoch, struct page **pages,
			    u32 nr, u32 *crcs, struct slsfs_extent *ext,
			    u32 *nr_ext, u64 *first_lsn);
int slsfs_log_write_discard(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch);
int slsfs_log_write_part(struct slsfs_sb_info *sbi, u64 part_id,
			 const struct slsfs_part *dp);

/* gc.c: free segments, index checkpoints and the cleaner. */
int slsfs_gc_init(struct slsfs_sb_info *sbi, const unsigned long *seen);
void slsfs_gc_destroy(struct slsfs_sb_info *sbi);
u32 slsfs_free_segs(struct slsfs_sb_info *sbi);
int slsfs_log_next_seg(struct slsfs_sb_info *sbi);
int slsfs_ckpt_write(struct slsfs_sb_info *sbi);
int slsfs_gc(struct slsfs_sb_info *sbi, bool force);
void slsfs_gc_maybe(struct slsfs_sb_info *sbi);

/* ckpt.c: an index checkpoint's stream. */
size_t slsfs_ckpt_size(const struct slsfs_store *st);
void slsfs_ckpt_encode(const struct slsfs_store *st, void *buf, size_t size);
int slsfs_ckpt_decode(struct slsfs_store *st, const void *buf, size_t size,
		      const char **why);

/* sysfs.c: /sys/fs/slsfs/<dev>. */
int slsfs_sysfs_init(void);
int slsfs_sysfs_add(struct slsfs_sb_info *sbi);
void slsfs_sysfs_remove(struct slsfs_sb_info *sbi);

/* debugfs.c: a user-space driver of the store, for tests. */
#ifdef CONFIG_SLSFS_DEBUGFS
void slsfs_debugfs_add(struct slsfs_sb_info *sbi);
void slsfs_debugfs_remove(struct slsfs_sb_info *sbi);
#else
static inline void slsfs_debugfs_add(struct slsfs_sb_info *sbi) {}
static inline void slsfs_debugfs_remove(struct slsfs_sb_info *sbi) {}
#endif

/* inode.c: the read-only namespace. */
struct inode *slsfs_root_inode(struct super_block *sb);
void slsfs_evict_inode(struct inode *inode);
int slsfs_read_block(struct super_block *sb, u64 addr, void *buf);
int slsfs_stream_read_block(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch,
			    u64 blk, void *buf);

/* format.c: checks of what is read from the device. */
u32 slsfs_crc(const void *buf, size_t len, size_t crc_off);
u32 slsfs_block_crc(const void *block);
void slsfs_super_seal(struct slsfs_super *sup);
int slsfs_super_check(const struct slsfs_super *sup, unsigned int slot,
		      u64 dev_blocks, const char **why);
int slsfs_super_choose(const struct slsfs_super *s0, const struct slsfs_super *s1,
		       u64 dev_blocks, const char **why);
void slsfs_geo_from_super(struct slsfs_geo *geo, const struct slsfs_super *sup);
void slsfs_chunk_seal(struct slsfs_chunk *ch);
int slsfs_chunk_check(const struct slsfs_geo *geo, const void *block, u64 addr,
		      const char **why);
u64 slsfs_seg_of(const struct slsfs_geo *geo, u64 addr);
u64 slsfs_seg_addr(const struct slsfs_geo *geo, u64 seg);
bool slsfs_name_ok(const char *name);
size_t slsfs_record_size(u32 len);
void slsfs_record_seal(struct slsfs_record *rec);
int slsfs_record_check(const void *buf, size_t avail, u64 epoch, const char **why);

/* store.c: partitions and epochs in memory. */
int slsfs_store_init(struct slsfs_store *st, const struct slsfs_geo *geo);
void slsfs_store_destroy(struct slsfs_store *st);
struct slsfs_partition *slsfs_part_find(struct slsfs_store *st, const char *name);
struct slsfs_partition *slsfs_part_find_id(struct slsfs_store *st, u64 id);
struct slsfs_partition *slsfs_part_add(struct slsfs_store *st, u64 id,
				       const struct slsfs_part *dp);
void slsfs_part_forget(struct slsfs_store *st, struct slsfs_partition *part);
struct slsfs_epoch *slsfs_epoch_find(struct slsfs_partition *part, u64 epoch);
struct slsfs_epoch *slsfs_epoch_newest(struct slsfs_partition *part);
u64 slsfs_part_oldest_kept(struct slsfs_partition *part, u64 epoch);
u64 slsfs_part_partial_room(struct slsfs_partition *part, u64 *whole);
int slsfs_page_add(struct slsfs_partition *part, u64 obj, u64 index,
		   const struct slsfs_page_version *pv);
const struct slsfs_page_version *slsfs_page_lookup(struct slsfs_partition *part,
						   u64 obj, u64 index, u64 epoch);
const struct slsfs_page_version *slsfs_page_version_at(struct slsfs_partition *part,
						       u64 obj, u64 index, u64 epoch);
int slsfs_array_room(void **arr, u32 *room, u32 want, size_t size);
int slsfs_staged_clear(struct slsfs_staged *sg, u64 obj, u64 start, u64 end);
int slsfs_clears_filter(struct slsfs_partition *part, struct slsfs_staged *sg);
void slsfs_epochs_expire(struct slsfs_partition *part, u64 oldest);
int slsfs_epoch_add(struct slsfs_partition *part, const struct slsfs_commit *c,
		    u64 epoch, struct slsfs_staged *sg);
void slsfs_epochs_discard_after(struct slsfs_partition *part, u64 epoch);
void slsfs_live_add(struct slsfs_store *st, u64 addr, u32 nr, int delta);
void slsfs_epoch_insert(struct slsfs_partition *part, struct slsfs_epoch *ep);

/*
 * replay.c: rebuild a store from the log.  The log is read through
 * @read_block so that KUnit can replay a log kept in memory.
 */
struct slsfs_replay {
	struct slsfs_store *st;
	int (*read_block)(struct slsfs_replay *r, u64 addr, void *buf);
	void *private;
	u64 start_addr;
	u64 start_lsn;
	u32 start_next_seg;		/* the segment after start_addr's */
	u64 ckpt_addr;			/* an index checkpoint to start from, or 0 */
	u64 ckpt_lsn;
	u64 max_gen;			/* superblock generation at mount */
	unsigned long *seen;		/* segments the walk went through, or NULL */
	/* results */
	u64 end_addr;			/* where the next chunk goes */
	u64 next_lsn;
	u64 last_gen;
	u32 next_seg;			/* the segment after end_addr's */
	bool next_seg_named;		/* by a chunk in end_addr's segment */
	u64 chunks;			/* chunks read */
	u64 torn_epochs;		/* staged, never committed: dropped */
	const char *why;		/* why a corrupt log is refused */
};

int slsfs_replay(struct slsfs_replay *r);

#endif /* _FS_SLSFS_INTERNAL_H */
