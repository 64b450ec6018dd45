// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: partitions in memory and their file descriptors.
 *
 * A partition lives in a store (slsfs); sls_open() loads it, once per
 * store and name however many times it is opened, and returns an
 * anonymous-inode file that names it to the other calls.  The loaded
 * partition pins the one in the store, so that it cannot be removed while
 * it has members or descriptors.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "sls.h"

static DEFINE_MUTEX(sls_partitions_lock);
static LIST_HEAD(sls_partitions);

void sls_partition_get(struct sls_partition *part)
{
	kobject_get(&part->kobj);
}

void sls_partition_put(struct sls_partition *part)
{
	kobject_put(&part->kobj);
}

static int sls_partition_release(struct inode *inode, struct file *file)
{
	sls_partition_put(file->private_data);
	return 0;
}

const struct file_operations sls_partition_fops = {
	.release	= sls_partition_release,
	.llseek		= noop_llseek,
};

/**
 * sls_partition_fget - the partition file behind a descriptor
 * @partfd:	descriptor from sls_open()
 *
 * Return: a file reference to drop with fput(), ERR_PTR(-EBADF) if @partfd
 * is not open, ERR_PTR(-EINVAL) if it is not a partition.
 */
struct file *sls_partition_fget(int partfd)
{
	struct file *file = fget(partfd);

	if (!file)
		return ERR_PTR(sls_reject(-EBADF, "fd %d is not open", partfd));
	if (file->f_op != &sls_partition_fops) {
		fput(file);
		return ERR_PTR(sls_reject(-EINVAL, "fd %d is not a partition",
					  partfd));
	}
	return file;
}

/**
 * sls_partition_set_error - record why the last checkpoint failed
 * @part:	the partition
 * @fmt:	the reason, for last_error and the kernel log
 */
void sls_partition_set_error(struct sls_partition *part, const char *fmt, ...)
{
	char why[SLS_ERROR_LEN];
	va_list args;

	va_start(args, fmt);
	vscnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	spin_lock(&part->wq.lock);
	strscpy(part->last_error, why, sizeof(part->last_error));
	spin_unlock(&part->wq.lock);
	pr_warn_ratelimited("sls: %s: %s\n", part->name, why);
}

/* Start, restart or stop the period. */
void sls_partition_set_period(struct sls_partition *part, u64 period_ms)
{
	hrtimer_cancel(&part->timer);
	WRITE_ONCE(part->period_ms, period_ms);
	if (period_ms)
		hrtimer_start(&part->timer, ms_to_ktime(period_ms),
			      HRTIMER_MODE_REL);
}

/* The last reference may go in a flush's completion or in the tick itself. */
static void sls_partition_free_work(struct work_struct *work)
{
	struct sls_partition *part = container_of(work, struct sls_partition,
						  free_work);

	mutex_lock(&sls_partitions_lock);
	list_del(&part->node);
	mutex_unlock(&sls_partitions_lock);
	hrtimer_cancel(&part->timer);
	cancel_work_sync(&part->tick);
	sls_mm_objs_free(part);
	slsfs_part_unpin(part->store, part->id);
	slsfs_store_put(part->store);
	kfree(part);
}

/*
 * kobject release, maybe under sls_partitions_lock: a lookup skips the
 * partition from now on, and a worker frees it.
 */
void sls_partition_kobj_release(struct kobject *kobj)
{
	struct sls_partition *part = container_of(kobj, struct sls_partition,
						  kobj);

	INIT_WORK(&part->free_work, sls_partition_free_work);
	schedule_work(&part->free_work);
}

static struct sls_partition *sls_partition_find(struct slsfs_sb_info *store,
						u64 id)
{
	struct sls_partition *part;

	list_for_each_entry(part, &sls_partitions, node)
		if (part->store == store && part->id == id &&
		    kobject_get_unless_zero(&part->kobj))
			return part;
	return NULL;
}

static struct sls_partition *sls_partition_alloc(struct slsfs_sb_info *store,
						 u64 id, const char *name)
{
	struct slsfs_part_attr attr;
	struct sls_partition *part;
	int err;

	if (!sls_partitions_kobj)	/* sysfs failed at boot */
		return ERR_PTR(-ENOMEM);
	err = slsfs_part_get_attr(store, id, &attr);
	if (err)
		return ERR_PTR(err);
	part = kzalloc(sizeof(*part), GFP_KERNEL);
	if (!part)
		return ERR_PTR(-ENOMEM);
	part->store = store;
	part->id = id;
	INIT_LIST_HEAD(&part->node);
	strscpy(part->name, name, sizeof(part->name));
	mutex_init(&part->ckpt_lock);
	INIT_LIST_HEAD(&part->members);
	xa_init(&part->mms);
	init_waitqueue_head(&part->wq);
	part->attr_flags = attr.flags;
	part->epoch = slsfs_epoch_latest(store, id);
	part->durable_epoch = part->epoch;
	hrtimer_init(&part->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	part->timer.function = sls_timer_fn;
	INIT_WORK(&part->tick, sls_tick_fn);
	err = kobject_init_and_add(&part->kobj, &sls_partition_ktype,
				   sls_partitions_kobj, "%s:%s",
				   slsfs_store_name(store), name);
	if (err) {
		kobject_put(&part->kobj);	/* frees through the release */
		return ERR_PTR(err);
	}
	sls_partition_set_period(part, attr.period_ms);
	return part;
}

/* Load the partition @id of @store, or take another reference to it. */
static struct sls_partition *sls_partition_load(struct slsfs_sb_info *store,
						u64 id, const char *name)
{
	struct sls_partition *part;
	int err;

	mutex_lock(&sls_partitions_lock);
	part = sls_partition_find(store, id);
	if (part) {
		slsfs_store_put(store);	/* the loaded one holds the store */
		goto out;
	}
	err = slsfs_part_pin(store, id);
	if (err) {
		part = ERR_PTR(err);
		goto out;
	}
	/* From here the release undoes the pin and the store reference. */
	part = sls_partition_alloc(store, id, name);
	if (!IS_ERR(part))
		list_add(&part->node, &sls_partitions);
out:
	mutex_unlock(&sls_partitions_lock);
	return part;
}

static int sls_partition_lookup(struct slsfs_sb_info *store, const char *name,
				const struct sls_attr *attr, unsigned int flags,
				u64 *id)
{
	struct slsfs_part_attr pa = {
		.period_ms = attr->period_ms,
		.keep_epochs = attr->keep_epochs,
		.flags = attr->flags,
	};
	int err;

	if (!(flags & SLS_CREATE))
		return slsfs_part_lookup(store, name, id);
	err = slsfs_part_create(store, name, &pa, id);
	if (err == -EEXIST && !(flags & SLS_EXCL))
		err = slsfs_part_lookup(store, name, id);
	return err;
}

/**
 * sls_partition_file - a new open file of a loaded partition
 * @part:	the partition
 *
 * Return: the file, which holds a reference to @part, or an ERR_PTR().
 */
struct file *sls_partition_file(struct sls_partition *part)
{
	struct file *file;

	sls_partition_get(part);
	file = anon_inode_getfile("[sls_partition]", &sls_partition_fops, part,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file))
		sls_partition_put(part);
	return file;
}

/**
 * sls_partition_open - open or create a partition, and a descriptor of it
 * @dir:	the root of an slsfs mount
 * @name:	the partition's name, checked
 * @attr:	attributes of a new partition
 * @flags:	SLS_CREATE, SLS_EXCL
 *
 * Return: the descriptor, or a negative errno.
 */
int sls_partition_open(const struct path *dir, const char *name,
		       const struct sls_attr *attr, unsigned int flags)
{
	struct slsfs_sb_info *store;
	struct sls_partition *part;
	struct file *file;
	u64 id;
	int fd, err;

	store = slsfs_store_get(dir);
	if (IS_ERR(store))
		return sls_reject(-ENODEV, "sls_open: %s: parent is not the root of an slsfs mount",
				  name);
	err = sls_partition_lookup(store, name, attr, flags, &id);
	if (err) {
		slsfs_store_put(store);
		return sls_reject(err, "sls_open: %s: %s", name,
				  err == -ENOENT ? "no such partition" :
				  err == -EEXIST ? "exists" : "cannot create");
	}
	part = sls_partition_load(store, id, name);	/* takes the store */
	if (IS_ERR(part))
		return sls_reject(PTR_ERR(part), "sls_open: %s: cannot load: %ld",
				  name, PTR_ERR(part));

	fd = get_unused_fd_flags(O_CLOEXEC);
	file = fd < 0 ? ERR_PTR(fd) : sls_partition_file(part);
	if (IS_ERR(file)) {
		if (fd >= 0)
			put_unused_fd(fd);
		fd = PTR_ERR(file);
	} else {
		fd_install(fd, file);
	}
	sls_partition_put(part);
	return fd;
}
