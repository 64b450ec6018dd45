// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: stores and partitions, as kernel/sls sees them.
 *
 * A partition is created or removed by one chunk of its own, durable when
 * the call returns, so a crash right after it loses neither.
 */
#include <linux/fs.h>
#include <linux/path.h>
#include <linux/slsfs.h>
#include <linux/string.h>

#include "internal.h"

/**
 * slsfs_store_get - the store mounted at @root
 * @root:	the root of an slsfs mount
 *
 * Return: the store, pinned until slsfs_store_put(), or ERR_PTR(-EINVAL)
 * if @root is not the root of an slsfs mount.
 */
struct slsfs_sb_info *slsfs_store_get(const struct path *root)
{
	struct super_block *sb = root->dentry->d_sb;

	if (sb->s_magic != SLSFS_SUPER_MAGIC || root->dentry != sb->s_root)
		return ERR_PTR(-EINVAL);
	if (!atomic_inc_not_zero(&sb->s_active))
		return ERR_PTR(-EINVAL);
	return SLSFS_SB(sb);
}
EXPORT_SYMBOL_GPL(slsfs_store_get);

void slsfs_store_put(struct slsfs_sb_info *sbi)
{
	deactivate_super(sbi->sb);
}
EXPORT_SYMBOL_GPL(slsfs_store_put);

/* The store's name for logs and sysfs: its device's. */
const char *slsfs_store_name(const struct slsfs_sb_info *sbi)
{
	return sbi->sb->s_id;
}
EXPORT_SYMBOL_GPL(slsfs_store_name);

int slsfs_part_lookup(struct slsfs_sb_info *sbi, const char *name, u64 *part_id)
{
	struct slsfs_partition *part;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find(&sbi->store, name);
	if (part)
		*part_id = part->id;
	mutex_unlock(&sbi->lock);
	return part ? 0 : -ENOENT;
}
EXPORT_SYMBOL_GPL(slsfs_part_lookup);

/**
 * slsfs_part_create - create a partition, durably
 * @sbi:	the store
 * @name:	its name, a file name (see slsfs_name_ok())
 * @attr:	its attributes
 * @part_id:	set to its id
 *
 * Return: 0, -EINVAL for a name that cannot be a directory, -ENAMETOOLONG,
 * -EEXIST, -ENOSPC, -EIO or -ENOMEM.
 */
int slsfs_part_create(struct slsfs_sb_info *sbi, const char *name,
		      const struct slsfs_part_attr *attr, u64 *part_id)
{
	struct slsfs_part dp = {
		.period_ms = cpu_to_le64(attr->period_ms),
		.keep_epochs = cpu_to_le64(attr->keep_epochs),
		.attr_flags = cpu_to_le64(attr->flags),
	};
	struct slsfs_partition *part;
	u64 id;
	int err;

	if (strscpy(dp.name, name, sizeof(dp.name)) < 0)
		return -ENAMETOOLONG;
	if (!slsfs_name_ok(dp.name))
		return -EINVAL;
	/* Under log_lock: two creations of one name must not both pass. */
	mutex_lock(&sbi->log_lock);
	mutex_lock(&sbi->lock);
	err = slsfs_part_find(&sbi->store, name) ? -EEXIST : 0;
	id = sbi->store.next_part_id;
	mutex_unlock(&sbi->lock);
	if (!err)
		err = slsfs_log_write_part(sbi, id, &dp);
	if (!err) {
		mutex_lock(&sbi->lock);
		part = slsfs_part_add(&sbi->store, id, &dp);
		mutex_unlock(&sbi->lock);
		err = PTR_ERR_OR_ZERO(part);
	}
	mutex_unlock(&sbi->log_lock);
	if (!err)
		*part_id = id;
	return err;
}
EXPORT_SYMBOL_GPL(slsfs_part_create);

/*
 * Return: 0, -ENOENT, -EBUSY while an epoch of it is being written or
 * kernel/sls has it loaded, -EIO.
 */
int slsfs_part_remove(struct slsfs_sb_info *sbi, const char *name)
{
	struct slsfs_part dp = { .flags = cpu_to_le32(SLSFS_PART_REMOVED) };
	struct slsfs_partition *part;
	u64 id = 0;
	int err;

	strscpy(dp.name, name, sizeof(dp.name));
	mutex_lock(&sbi->log_lock);
	mutex_lock(&sbi->lock);
	part = slsfs_part_find(&sbi->store, name);
	err = !part ? -ENOENT : part->writing || part->pins ? -EBUSY : 0;
	if (!err)
		id = part->id;
	mutex_unlock(&sbi->lock);
	if (!err)
		err = slsfs_log_write_part(sbi, id, &dp);
	if (!err) {
		mutex_lock(&sbi->lock);
		part = slsfs_part_find_id(&sbi->store, id);
		if (part)
			slsfs_part_forget(&sbi->store, part);
		mutex_unlock(&sbi->lock);
	}
	mutex_unlock(&sbi->log_lock);
	return err;
}
EXPORT_SYMBOL_GPL(slsfs_part_remove);

int slsfs_part_get_attr(struct slsfs_sb_info *sbi, u64 part_id,
			struct slsfs_part_attr *attr)
{
	struct slsfs_partition *part;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part) {
		attr->period_ms = part->period_ms;
		attr->keep_epochs = part->keep_epochs;
		attr->flags = part->attr_flags;
	}
	mutex_unlock(&sbi->lock);
	return part ? 0 : -ENOENT;
}
EXPORT_SYMBOL_GPL(slsfs_part_get_attr);

/**
 * slsfs_part_set_keep - change how many epochs a partition retains
 * @sbi:	the store
 * @part_id:	the partition
 * @keep:	epochs to keep, 0 for the store's default
 *
 * The log holds the value the partition was created with, and an index
 * checkpoint the value in force when it was written: a mount takes the
 * newer of them.  Older epochs go with the next commit.
 *
 * Return: 0 or -ENOENT.
 */
int slsfs_part_set_keep(struct slsfs_sb_info *sbi, u64 part_id, u64 keep)
{
	struct slsfs_partition *part;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part)
		part->keep_epochs = keep;
	mutex_unlock(&sbi->lock);
	return part ? 0 : -ENOENT;
}
EXPORT_SYMBOL_GPL(slsfs_part_set_keep);

/* Keep a partition from being removed while kernel/sls has it loaded. */
int slsfs_part_pin(struct slsfs_sb_info *sbi, u64 part_id)
{
	struct slsfs_partition *part;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (part)
		part->pins++;
	mutex_unlock(&sbi->lock);
	return part ? 0 : -ENOENT;
}
EXPORT_SYMBOL_GPL(slsfs_part_pin);

void slsfs_part_unpin(struct slsfs_sb_info *sbi, u64 part_id)
{
	struct slsfs_partition *part;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (!WARN_ON_ONCE(!part || !part->pins))
		part->pins--;
	mutex_unlock(&sbi->lock);
}
EXPORT_SYMBOL_GPL(slsfs_part_unpin);

/**
 * slsfs_epoch_discard_after - forget a partition's epochs newer than @epoch
 * @sbi:	the store
 * @part_id:	the partition
 * @epoch:	the epoch that becomes its newest
 *
 * A restore of an older epoch goes back to it: what came after is gone,
 * durably, before the first epoch taken from the restored state.
 *
 * Return: 0, -ENOENT, -ESTALE if @epoch is not retained, -EBUSY while an
 * epoch of the partition is being written, -EIO.
 */
int slsfs_epoch_discard_after(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch)
{
	struct slsfs_partition *part;
	int err = 0;

	mutex_lock(&sbi->log_lock);
	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	if (!part)
		err = -ENOENT;
	else if (!slsfs_epoch_find(part, epoch))
		err = -ESTALE;
	else if (part->writing)
		err = -EBUSY;
	mutex_unlock(&sbi->lock);
	if (!err)
		err = slsfs_log_write_discard(sbi, part_id, epoch);
	if (!err) {
		mutex_lock(&sbi->lock);
		part = slsfs_part_find_id(&sbi->store, part_id);
		if (part)
			slsfs_epochs_discard_after(part, epoch);
		mutex_unlock(&sbi->lock);
	}
	mutex_unlock(&sbi->log_lock);
	return err;
}
EXPORT_SYMBOL_GPL(slsfs_epoch_discard_after);
