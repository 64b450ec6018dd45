// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: the log-structured store of the single level store.
 *
 * Mounting reads both superblock slots, takes the newer valid one, and
 * replays the log from where that superblock says, which rebuilds the
 * partitions and their committed epochs; a torn tail is dropped.  A
 * foreign, truncated or corrupt device is refused with one log line.
 */
#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "internal.h"

static int slsfs_replay_read(struct slsfs_replay *r, u64 addr, void *buf)
{
	return slsfs_read_block(r->private, addr, buf);
}

/* Read both superblock slots into @sup (two of them) and pick one. */
static int slsfs_read_supers(struct super_block *sb, struct slsfs_super *sup)
{
	u64 dev_blocks = sb_bdev_nr_blocks(sb);
	const char *why;
	unsigned int i;
	int slot;

	void *block = (void *)__get_free_page(GFP_KERNEL);

	if (!block)
		return -ENOMEM;
	for (i = 0; i < SLSFS_SUPER_SLOTS; i++) {
		if (slsfs_read_block(sb, i, block)) {
			slsfs_err(sb, "cannot mount: superblock %u unreadable", i);
			free_page((unsigned long)block);
			return -EIO;
		}
		memcpy(&sup[i], block, sizeof(sup[i]));
	}
	free_page((unsigned long)block);
	slot = slsfs_super_choose(&sup[0], &sup[1], dev_blocks, &why);
	if (slot < 0)
		slsfs_err(sb, "cannot mount: %s", why);
	return slot;
}

/* A store with read-only features this code does not know stays read-only. */
static bool slsfs_rw_ok(struct slsfs_sb_info *sbi)
{
	if (!(le64_to_cpu(sbi->super.feature_ro_compat) & ~SLSFS_FEATURE_RO_COMPAT_SUPP))
		return true;
	slsfs_err(sbi->sb, "cannot mount read-write: unknown read-only features");
	return false;
}

static int slsfs_load(struct slsfs_sb_info *sbi)
{
	struct super_block *sb = sbi->sb;
	struct slsfs_super sup[SLSFS_SUPER_SLOTS];
	struct slsfs_geo geo;
	struct slsfs_replay r = {
		.st = &sbi->store,
		.read_block = slsfs_replay_read,
		.private = sb,
	};
	int slot, err;

	slot = slsfs_read_supers(sb, sup);
	if (slot < 0)
		return slot;
	sbi->super = sup[slot];
	if (!sb_rdonly(sb) && !slsfs_rw_ok(sbi))
		return -EINVAL;
	slsfs_geo_from_super(&geo, &sbi->super);
	err = slsfs_store_init(&sbi->store, &geo);
	if (err)
		return err;

	r.start_addr = le64_to_cpu(sbi->super.log_addr);
	r.start_lsn = le64_to_cpu(sbi->super.log_lsn);
	r.start_next_seg = le32_to_cpu(sbi->super.log_next_seg);
	r.ckpt_addr = le64_to_cpu(sbi->super.ckpt_addr);
	r.ckpt_lsn = le64_to_cpu(sbi->super.ckpt_lsn);
	r.max_gen = le64_to_cpu(sbi->super.generation);
	r.seen = bitmap_zalloc(geo.nr_segs, GFP_KERNEL);
	if (!r.seen)
		return -ENOMEM;
	err = slsfs_replay(&r);
	if (err == -EUCLEAN)
		slsfs_err(sb, "cannot mount: log corrupt after block %llu: %s",
			  r.end_addr, r.why);
	else if (err)
		slsfs_err(sb, "cannot mount: log unreadable (%d)", err);
	if (!err) {
		sbi->log_end = r.end_addr;
		sbi->next_lsn = r.next_lsn;
		sbi->cur_seg = slsfs_seg_of(&geo, r.end_addr);
		/* Chunks in the end's segment already name where the log goes on. */
		sbi->next_seg = r.next_seg_named ? r.next_seg : sbi->cur_seg;
		sbi->torn_epochs = r.torn_epochs;
		sbi->replayed_chunks = r.chunks;
		err = slsfs_gc_init(sbi, r.seen);
	}
	bitmap_free(r.seen);
	if (err)
		return err;
	slsfs_info(sb, "mounted: %llu chunks replayed, %llu torn epochs dropped",
		   r.chunks, r.torn_epochs);
	return 0;
}

static void slsfs_free_sbi(struct slsfs_sb_info *sbi)
{
	slsfs_gc_destroy(sbi);
	slsfs_store_destroy(&sbi->store);
	kfree(sbi);
}

static const struct super_operations slsfs_super_ops = {
	.statfs		= simple_statfs,
	.evict_inode	= slsfs_evict_inode,
};

/* Epochs come and go behind the namespace's back: never cache a lookup. */
static const struct dentry_operations slsfs_dentry_ops = {
	.d_delete	= always_delete_dentry,
};

static int slsfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct slsfs_sb_info *sbi;
	struct inode *root;
	int err;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	sbi->sb = sb;
	mutex_init(&sbi->lock);
	mutex_init(&sbi->log_lock);
	sbi->sealed_max = SLSFS_SEALED_MAX_DEFAULT;
	INIT_LIST_HEAD(&sbi->store.parts);
	sb->s_fs_info = sbi;

	if (!sb_set_blocksize(sb, SLSFS_BLOCK_SIZE)) {
		slsfs_err(sb, "cannot mount: device does not do %u-byte blocks",
			  SLSFS_BLOCK_SIZE);
		return -EINVAL;
	}
	err = slsfs_load(sbi);
	if (err)
		return err;

	sb->s_magic = SLSFS_SUPER_MAGIC;
	sb->s_op = &slsfs_super_ops;
	sb->s_d_op = &slsfs_dentry_ops;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_time_gran = 1;
	root = slsfs_root_inode(sb);
	if (IS_ERR(root))
		return PTR_ERR(root);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	err = slsfs_sysfs_add(sbi);
	if (err)
		return err;
	sbi->in_sysfs = true;
	slsfs_debugfs_add(sbi);
	return 0;
}

static int slsfs_get_tree(struct fs_context *fc)
{
	return get_tree_bdev(fc, slsfs_fill_super);
}

static int slsfs_reconfigure(struct fs_context *fc)
{
	struct super_block *sb = fc->root->d_sb;

	if (sb_rdonly(sb) && !(fc->sb_flags & SB_RDONLY) && !slsfs_rw_ok(SLSFS_SB(sb)))
		return -EINVAL;
	return 0;
}

static const struct fs_context_operations slsfs_context_ops = {
	.get_tree	= slsfs_get_tree,
	.reconfigure	= slsfs_reconfigure,
};

static int slsfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &slsfs_context_ops;
	return 0;
}

static void slsfs_kill_sb(struct super_block *sb)
{
	struct slsfs_sb_info *sbi = SLSFS_SB(sb);

	if (sbi && sbi->in_sysfs) {
		slsfs_debugfs_remove(sbi);
		slsfs_sysfs_remove(sbi);
	}
	kill_block_super(sb);
	if (sbi)
		slsfs_free_sbi(sbi);
}

static struct file_system_type slsfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "slsfs",
	.init_fs_context	= slsfs_init_fs_context,
	.kill_sb		= slsfs_kill_sb,
	.fs_flags		= FS_REQUIRES_DEV,
};
MODULE_ALIAS_FS("slsfs");

static int __init slsfs_init(void)
{
	int err = slsfs_sysfs_init();

	return err ?: register_filesystem(&slsfs_fs_type);
}
module_init(slsfs_init);
