// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: /sys/fs/slsfs/<dev>/, the figures of a mounted store.
 * Documentation/ABI/testing/sysfs-fs-slsfs describes each file.
 */
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "internal.h"

static struct kset *slsfs_kset;

static struct slsfs_sb_info *slsfs_kobj_sbi(struct kobject *kobj)
{
	return container_of(kobj, struct slsfs_sb_info, kobj);
}

/*
 * Blocks the log can still take: the rest of its segment, the one it
 * reserved to go on in and the free ones.
 */
static u64 slsfs_free_blocks(struct slsfs_sb_info *sbi, u32 *free_segs)
{
	const struct slsfs_geo *geo = &sbi->store.geo;
	u64 rest;

	mutex_lock(&sbi->log_lock);
	*free_segs = slsfs_free_segs(sbi) + sbi->next_reserved;
	rest = slsfs_seg_addr(geo, sbi->cur_seg + 1) - sbi->log_end;
	mutex_unlock(&sbi->log_lock);
	return rest + (u64)*free_segs * geo->seg_blocks;
}

/* A figure the writer keeps, read under log_lock. */
static u64 slsfs_log_figure(struct kobject *kobj, size_t off)
{
	struct slsfs_sb_info *sbi = slsfs_kobj_sbi(kobj);
	u64 v;

	mutex_lock(&sbi->log_lock);
	v = *(u64 *)((char *)sbi + off);
	mutex_unlock(&sbi->log_lock);
	return v;
}

#define SLSFS_LOG_FIGURE(name, field, scale)					\
static ssize_t name##_show(struct kobject *kobj, struct kobj_attribute *a,	\
			   char *buf)						\
{										\
	return sysfs_emit(buf, "%llu\n", slsfs_log_figure(kobj,		\
			  offsetof(struct slsfs_sb_info, field)) * (scale));	\
}										\
static struct kobj_attribute name##_attr = __ATTR_RO(name)

SLSFS_LOG_FIGURE(gc_runs, gc_runs, 1);
SLSFS_LOG_FIGURE(gc_moved_bytes, gc_blocks_moved, SLSFS_BLOCK_SIZE);
SLSFS_LOG_FIGURE(index_checkpoints, ckpts, 1);
SLSFS_LOG_FIGURE(index_checkpoint_bytes, ckpt_bytes, 1);
SLSFS_LOG_FIGURE(replayed_chunks, replayed_chunks, 1);
SLSFS_LOG_FIGURE(sealed_commits, sealed_commits, 1);

static ssize_t sealed_max_blocks_show(struct kobject *kobj,
				      struct kobj_attribute *a, char *buf)
{
	struct slsfs_sb_info *sbi = slsfs_kobj_sbi(kobj);
	u32 v;

	mutex_lock(&sbi->log_lock);
	v = sbi->sealed_max;
	mutex_unlock(&sbi->log_lock);
	return sysfs_emit(buf, "%u\n", v);
}

static ssize_t sealed_max_blocks_store(struct kobject *kobj,
				       struct kobj_attribute *a,
				       const char *buf, size_t len)
{
	struct slsfs_sb_info *sbi = slsfs_kobj_sbi(kobj);
	u32 v;
	int err;

	err = kstrtou32(buf, 0, &v);
	if (!err && v > SLSFS_SEALED_MAX)
		err = -EINVAL;
	if (err) {
		slsfs_err(sbi->sb, "sealed_max_blocks: want 0 to %u", SLSFS_SEALED_MAX);
		return err;
	}
	mutex_lock(&sbi->log_lock);
	sbi->sealed_max = v;
	mutex_unlock(&sbi->log_lock);
	return len;
}

static struct kobj_attribute sealed_max_blocks_attr = __ATTR_RW(sealed_max_blocks);

static ssize_t size_bytes_show(struct kobject *kobj, struct kobj_attribute *a,
			       char *buf)
{
	const struct slsfs_geo *geo = &slsfs_kobj_sbi(kobj)->store.geo;

	return sysfs_emit(buf, "%llu\n",
			  (u64)geo->nr_segs * geo->seg_blocks * SLSFS_BLOCK_SIZE);
}

static ssize_t free_bytes_show(struct kobject *kobj, struct kobj_attribute *a,
			       char *buf)
{
	u32 free_segs;

	return sysfs_emit(buf, "%llu\n",
			  slsfs_free_blocks(slsfs_kobj_sbi(kobj), &free_segs) *
			  SLSFS_BLOCK_SIZE);
}

static ssize_t segments_show(struct kobject *kobj, struct kobj_attribute *a,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", slsfs_kobj_sbi(kobj)->store.geo.nr_segs);
}

static ssize_t free_segments_show(struct kobject *kobj, struct kobj_attribute *a,
				  char *buf)
{
	u32 free_segs;

	slsfs_free_blocks(slsfs_kobj_sbi(kobj), &free_segs);
	return sysfs_emit(buf, "%u\n", free_segs);
}

static ssize_t segment_bytes_show(struct kobject *kobj, struct kobj_attribute *a,
				  char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  slsfs_kobj_sbi(kobj)->store.geo.seg_blocks * SLSFS_BLOCK_SIZE);
}

static ssize_t commits_show(struct kobject *kobj, struct kobj_attribute *a,
			    char *buf)
{
	struct slsfs_sb_info *sbi = slsfs_kobj_sbi(kobj);
	u64 commits;

	mutex_lock(&sbi->lock);
	commits = sbi->store.commits;
	mutex_unlock(&sbi->lock);
	return sysfs_emit(buf, "%llu\n", commits);
}

/* Blocks the index still needs: page copies and record streams. */
static ssize_t live_bytes_show(struct kobject *kobj, struct kobj_attribute *a,
			       char *buf)
{
	struct slsfs_sb_info *sbi = slsfs_kobj_sbi(kobj);
	u64 live = 0;
	u32 i;

	mutex_lock(&sbi->lock);
	for (i = 0; i < sbi->store.geo.nr_segs; i++)
		live += sbi->store.seg_live[i];
	mutex_unlock(&sbi->lock);
	return sysfs_emit(buf, "%llu\n", live * SLSFS_BLOCK_SIZE);
}

static ssize_t torn_epochs_show(struct kobject *kobj, struct kobj_attribute *a,
				char *buf)
{
	return sysfs_emit(buf, "%llu\n", slsfs_kobj_sbi(kobj)->torn_epochs);
}

static struct kobj_attribute size_bytes_attr = __ATTR_RO(size_bytes);
static struct kobj_attribute free_bytes_attr = __ATTR_RO(free_bytes);
static struct kobj_attribute segments_attr = __ATTR_RO(segments);
static struct kobj_attribute free_segments_attr = __ATTR_RO(free_segments);
static struct kobj_attribute segment_bytes_attr = __ATTR_RO(segment_bytes);
static struct kobj_attribute commits_attr = __ATTR_RO(commits);
static struct kobj_attribute live_bytes_attr = __ATTR_RO(live_bytes);
static struct kobj_attribute torn_epochs_attr = __ATTR_RO(torn_epochs);

static struct attribute *slsfs_attrs[] = {
	&size_bytes_attr.attr,
	&free_bytes_attr.attr,
	&segments_attr.attr,
	&free_segments_attr.attr,
	&segment_bytes_attr.attr,
	&commits_attr.attr,
	&live_bytes_attr.attr,
	&torn_epochs_attr.attr,
	&gc_runs_attr.attr,
	&gc_moved_bytes_attr.attr,
	&index_checkpoints_attr.attr,
	&index_checkpoint_bytes_attr.attr,
	&replayed_chunks_attr.attr,
	&sealed_commits_attr.attr,
	&sealed_max_blocks_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(slsfs);

static void slsfs_kobj_release(struct kobject *kobj)
{
	complete(&slsfs_kobj_sbi(kobj)->kobj_gone);
}

static const struct kobj_type slsfs_ktype = {
	.default_groups	= slsfs_groups,
	.sysfs_ops	= &kobj_sysfs_ops,
	.release	= slsfs_kobj_release,
};

int slsfs_sysfs_add(struct slsfs_sb_info *sbi)
{
	int err;

	init_completion(&sbi->kobj_gone);
	sbi->kobj.kset = slsfs_kset;
	err = kobject_init_and_add(&sbi->kobj, &slsfs_ktype, NULL, "%s",
				   sbi->sb->s_id);
	if (err) {
		kobject_put(&sbi->kobj);
		wait_for_completion(&sbi->kobj_gone);
	}
	return err;
}

/* Gone from sysfs, and no reader left, once this returns. */
void slsfs_sysfs_remove(struct slsfs_sb_info *sbi)
{
	kobject_del(&sbi->kobj);
	kobject_put(&sbi->kobj);
	wait_for_completion(&sbi->kobj_gone);
}

int __init slsfs_sysfs_init(void)
{
	slsfs_kset = kset_create_and_add("slsfs", NULL, fs_kobj);
	return slsfs_kset ? 0 : -ENOMEM;
}
