// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: the read-only namespace of a store.
 *
 *	/		one directory per partition
 *	/NAME/		one file per retained epoch, named by its number,
 *			and "latest", a symlink to the newest one
 *	/NAME/EPOCH	the epoch's record stream, checksums verified
 *
 * Epochs are committed and expired behind the namespace's back, so
 * nothing is cached: every lookup asks the store, and a file whose epoch
 * has gone reads as ESTALE.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/slsfs.h>
#include <linux/uio.h>

#include "internal.h"

#define SLSFS_ROOT_INO		1
#define SLSFS_PART_INO_SHIFT	40

static const struct inode_operations slsfs_dir_iops;
static const struct file_operations slsfs_dir_fops;
static const struct file_operations slsfs_epoch_fops;

/* The node and, for "latest", the symlink's target. */
struct slsfs_inode_node {
	struct slsfs_node node;
	char link[24];
};

static ino_t slsfs_node_ino(const struct slsfs_node *node)
{
	u64 base = node->part_id << SLSFS_PART_INO_SHIFT;

	switch (node->kind) {
	case SLSFS_NODE_ROOT:
		return SLSFS_ROOT_INO;
	case SLSFS_NODE_PART:
		return base;
	case SLSFS_NODE_LATEST:
		return base + 1;
	case SLSFS_NODE_EPOCH:
		break;
	}
	return base + 2 + node->epoch;
}

static struct inode *slsfs_node_inode(struct super_block *sb,
				      const struct slsfs_node *node,
				      u64 size, u64 time_ns)
{
	struct slsfs_inode_node *in;
	struct inode *inode;
	struct timespec64 ts = ns_to_timespec64(time_ns);

	in = kzalloc(sizeof(*in), GFP_KERNEL);
	if (!in)
		return ERR_PTR(-ENOMEM);
	inode = new_inode(sb);
	if (!inode) {
		kfree(in);
		return ERR_PTR(-ENOMEM);
	}
	in->node = *node;
	inode->i_private = in;
	inode->i_ino = slsfs_node_ino(node);
	inode_set_atime_to_ts(inode, ts);
	inode_set_mtime_to_ts(inode, ts);
	inode_set_ctime_to_ts(inode, ts);
	switch (node->kind) {
	case SLSFS_NODE_ROOT:
	case SLSFS_NODE_PART:
		inode->i_mode = S_IFDIR | 0555;
		inode->i_op = &slsfs_dir_iops;
		inode->i_fop = &slsfs_dir_fops;
		set_nlink(inode, 2);
		break;
	case SLSFS_NODE_EPOCH:
		inode->i_mode = S_IFREG | 0444;
		inode->i_fop = &slsfs_epoch_fops;
		inode->i_size = size;
		break;
	case SLSFS_NODE_LATEST:
		inode->i_mode = S_IFLNK | 0777;
		inode->i_op = &simple_symlink_inode_operations;
		snprintf(in->link, sizeof(in->link), "%llu", node->epoch);
		inode->i_link = in->link;
		inode->i_size = strlen(in->link);
		break;
	}
	return inode;
}

struct inode *slsfs_root_inode(struct super_block *sb)
{
	const struct slsfs_node root = { .kind = SLSFS_NODE_ROOT };

	return slsfs_node_inode(sb, &root, 0, 0);
}

void slsfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	kfree(inode->i_private);
}

static const struct slsfs_node *slsfs_inode_node(struct inode *inode)
{
	return inode->i_private;
}

/* Epoch numbers are names in their plain decimal form only. */
static bool slsfs_parse_epoch(const struct qstr *name, u64 *epoch)
{
	char buf[24];

	if (name->len >= sizeof(buf) || name->name[0] == '0' || name->name[0] == '+')
		return false;
	memcpy(buf, name->name, name->len);
	buf[name->len] = '\0';
	return !kstrtou64(buf, 10, epoch);
}

/* The inode @name stands for in partition @part, or NULL; under sbi->lock. */
static struct inode *slsfs_lookup_in_part(struct super_block *sb,
					  struct slsfs_partition *part,
					  const struct qstr *name)
{
	struct slsfs_node node = { .part_id = part->id };
	struct slsfs_epoch *ep;

	if (!strcmp(name->name, "latest")) {
		ep = slsfs_epoch_newest(part);
		node.kind = SLSFS_NODE_LATEST;
	} else {
		if (!slsfs_parse_epoch(name, &node.epoch))
			return NULL;
		ep = slsfs_epoch_find(part, node.epoch);
		node.kind = SLSFS_NODE_EPOCH;
	}
	if (!ep)
		return NULL;
	node.epoch = ep->epoch;
	return slsfs_node_inode(sb, &node, ep->record_bytes, ep->time_ns);
}

static struct inode *slsfs_lookup_locked(struct super_block *sb,
					 const struct slsfs_node *dir,
					 const struct qstr *name)
{
	struct slsfs_store *st = &SLSFS_SB(sb)->store;
	struct slsfs_partition *part;
	struct slsfs_epoch *latest;

	if (dir->kind == SLSFS_NODE_PART) {
		part = slsfs_part_find_id(st, dir->part_id);
		return part ? slsfs_lookup_in_part(sb, part, name) : NULL;
	}
	part = slsfs_part_find(st, name->name);
	if (!part)
		return NULL;
	latest = slsfs_epoch_newest(part);
	return slsfs_node_inode(sb, &(struct slsfs_node){
					.kind = SLSFS_NODE_PART,
					.part_id = part->id },
				0, latest ? latest->time_ns : 0);
}

static struct dentry *slsfs_lookup(struct inode *dir, struct dentry *dentry,
				   unsigned int flags)
{
	struct slsfs_sb_info *sbi = SLSFS_SB(dir->i_sb);
	struct inode *inode;

	mutex_lock(&sbi->lock);
	inode = slsfs_lookup_locked(dir->i_sb, slsfs_inode_node(dir),
				    &dentry->d_name);
	mutex_unlock(&sbi->lock);
	return d_splice_alias(inode, dentry);
}

/*
 * Entry @i of a directory (after . and ..): its name, inode number and
 * type, copied out under sbi->lock so that dir_emit() runs without it.
 * Return: false past the last entry.
 */
static bool slsfs_dir_entry(struct slsfs_sb_info *sbi, const struct slsfs_node *dir,
			    loff_t i, char *name, size_t size, ino_t *ino,
			    unsigned int *type)
{
	struct slsfs_node node = { .kind = SLSFS_NODE_PART };
	struct slsfs_partition *part;
	struct slsfs_epoch *ep;

	if (dir->kind == SLSFS_NODE_ROOT) {
		list_for_each_entry(part, &sbi->store.parts, node) {
			if (i--)
				continue;
			node.part_id = part->id;
			strscpy(name, part->name, size);
			*ino = slsfs_node_ino(&node);
			*type = DT_DIR;
			return true;
		}
		return false;
	}
	part = slsfs_part_find_id(&sbi->store, dir->part_id);
	if (!part || list_empty(&part->epochs))
		return false;
	node.part_id = part->id;
	if (i-- == 0) {
		node.kind = SLSFS_NODE_LATEST;
		strscpy(name, "latest", size);
		*ino = slsfs_node_ino(&node);
		*type = DT_LNK;
		return true;
	}
	list_for_each_entry(ep, &part->epochs, node) {
		if (i--)
			continue;
		node.kind = SLSFS_NODE_EPOCH;
		node.epoch = ep->epoch;
		snprintf(name, size, "%llu", ep->epoch);
		*ino = slsfs_node_ino(&node);
		*type = DT_REG;
		return true;
	}
	return false;
}

static int slsfs_readdir(struct file *file, struct dir_context *ctx)
{
	struct inode *inode = file_inode(file);
	struct slsfs_sb_info *sbi = SLSFS_SB(inode->i_sb);
	char name[SLSFS_NAME_LEN];
	unsigned int type;
	bool found;
	ino_t ino;

	if (!dir_emit_dots(file, ctx))
		return 0;
	for (;;) {
		mutex_lock(&sbi->lock);
		found = slsfs_dir_entry(sbi, slsfs_inode_node(inode), ctx->pos - 2,
					name, sizeof(name), &ino, &type);
		mutex_unlock(&sbi->lock);
		if (!found || !dir_emit(ctx, name, strlen(name), ino, type))
			return 0;
		ctx->pos++;
	}
}

/*
 * Removing a partition's directory removes the partition, durably: this is
 * slsctl rm.  A partition kernel/sls has loaded (with members or open
 * descriptors) is EBUSY.
 */
static int slsfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	const struct slsfs_node *node = slsfs_inode_node(d_inode(dentry));
	int err;

	if (node->kind != SLSFS_NODE_PART)
		return -EPERM;
	err = slsfs_part_remove(SLSFS_SB(dir->i_sb), dentry->d_name.name);
	if (err)
		return err;
	clear_nlink(d_inode(dentry));
	return 0;
}

static const struct inode_operations slsfs_dir_iops = {
	.lookup		= slsfs_lookup,
	.rmdir		= slsfs_rmdir,
};

static const struct file_operations slsfs_dir_fops = {
	.llseek		= generic_file_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= slsfs_readdir,
};

/* Where block @blk of an epoch's record stream is, and its checksum. */
static int slsfs_stream_block(const struct slsfs_epoch *ep, u64 blk, u64 *addr,
			      u32 *crc)
{
	u64 first = 0;
	u32 i;

	for (i = 0; i < ep->nr_extents; i++) {
		if (blk < first + ep->extents[i].nr_blocks) {
			*addr = ep->extents[i].addr + (blk - first);
			*crc = ep->extent_crcs[blk];
			return 0;
		}
		first += ep->extents[i].nr_blocks;
	}
	return -EUCLEAN;
}

/* Copy block @blk of the record stream of an epoch into @buf, verified. */
int slsfs_stream_read_block(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch,
			    u64 blk, void *buf)
{
	struct slsfs_partition *part;
	struct slsfs_epoch *ep = NULL;
	int err, idx;
	u64 addr;
	u32 crc;

	idx = srcu_read_lock(&sbi->reads);	/* the cleaner keeps the block */
	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part)
		ep = slsfs_epoch_find(part, epoch);
	err = ep ? slsfs_stream_block(ep, blk, &addr, &crc) : -ESTALE;
	mutex_unlock(&sbi->lock);
	if (!err)
		err = slsfs_read_block(sbi->sb, addr, buf);
	srcu_read_unlock(&sbi->reads, idx);
	if (err)
		return err;
	if (slsfs_block_crc(buf) != crc) {
		slsfs_err(sbi->sb, "epoch %llu: record block %llu at %llu: checksum mismatch",
			  epoch, blk, addr);
		return -EUCLEAN;
	}
	return 0;
}

static ssize_t slsfs_epoch_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	loff_t size = i_size_read(inode);
	ssize_t done = 0;
	void *buf;
	int err = 0;

	buf = (void *)__get_free_page(GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (iov_iter_count(to) && iocb->ki_pos < size) {
		size_t off = iocb->ki_pos & (SLSFS_BLOCK_SIZE - 1);
		size_t n = min3(SLSFS_BLOCK_SIZE - off, (size_t)(size - iocb->ki_pos),
				iov_iter_count(to));
		size_t copied;

		err = slsfs_stream_read_block(SLSFS_SB(inode->i_sb),
					      slsfs_inode_node(inode)->part_id,
					      slsfs_inode_node(inode)->epoch,
					      iocb->ki_pos >> SLSFS_BLOCK_SHIFT, buf);
		if (err)
			break;
		copied = copy_to_iter(buf + off, n, to);
		iocb->ki_pos += copied;
		done += copied;
		if (copied < n) {
			err = -EFAULT;
			break;
		}
	}
	free_page((unsigned long)buf);
	return done ?: err;
}

static const struct file_operations slsfs_epoch_fops = {
	.llseek		= generic_file_llseek,
	.read_iter	= slsfs_epoch_read_iter,
};
