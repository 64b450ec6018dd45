// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: /sys/kernel/sls.
 *
 *   /sys/kernel/sls/quiesce_timeout_ms		how long a checkpoint waits
 *						for the threads to stop
 *   /sys/kernel/sls/checkpoints		epochs taken since boot
 *   /sys/kernel/sls/partitions/<dev>:<name>/	one per loaded partition
 *
 * Documentation/ABI/testing/sysfs-kernel-sls describes every file.
 */
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "sls.h"

unsigned int sls_quiesce_timeout_ms = 2000;
atomic64_t sls_total_checkpoints = ATOMIC64_INIT(0);
struct kobject *sls_partitions_kobj;
static struct kobject *sls_kobj;

#define SLS_PART(kobj) container_of(kobj, struct sls_partition, kobj)

static ssize_t quiesce_timeout_ms_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(sls_quiesce_timeout_ms));
}

static ssize_t quiesce_timeout_ms_store(struct kobject *kobj,
					struct kobj_attribute *attr,
					const char *buf, size_t len)
{
	unsigned int ms;
	int err = kstrtouint(buf, 0, &ms);

	if (err || !ms || ms > 60000)
		return sls_reject(-EINVAL, "quiesce_timeout_ms: not in 1..60000");
	WRITE_ONCE(sls_quiesce_timeout_ms, ms);
	return len;
}

static ssize_t total_checkpoints_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&sls_total_checkpoints));
}

static struct kobj_attribute sls_attr_quiesce_timeout_ms =
	__ATTR_RW_MODE(quiesce_timeout_ms, 0644);
static struct kobj_attribute sls_attr_checkpoints =
	__ATTR(checkpoints, 0444, total_checkpoints_show, NULL);

static struct attribute *sls_global_attrs[] = {
	&sls_attr_quiesce_timeout_ms.attr,
	&sls_attr_checkpoints.attr,
	NULL,
};

static const struct attribute_group sls_global_group = {
	.attrs = sls_global_attrs,
};

/* A read-only u64 figure of a partition, read under its flush lock. */
#define SLS_PART_U64_RO(field)						\
static ssize_t field##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	struct sls_partition *part = SLS_PART(kobj);			\
	u64 v;								\
									\
	spin_lock(&part->wq.lock);					\
	v = part->field;						\
	spin_unlock(&part->wq.lock);					\
	return sysfs_emit(buf, "%llu\n", v);				\
}									\
static struct kobj_attribute sls_part_attr_##field = __ATTR_RO(field)

SLS_PART_U64_RO(epoch);
SLS_PART_U64_RO(durable_epoch);
SLS_PART_U64_RO(checkpoints);
SLS_PART_U64_RO(waited);
SLS_PART_U64_RO(last_stop_ns);
SLS_PART_U64_RO(total_stop_ns);
SLS_PART_U64_RO(total_flush_ns);
SLS_PART_U64_RO(last_flush_ns);
SLS_PART_U64_RO(bytes_written);
SLS_PART_U64_RO(pages_shadowed);
SLS_PART_U64_RO(pages_copied);

static ssize_t coalesced_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&SLS_PART(kobj)->coalesced));
}

static ssize_t members_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sls_members_show(SLS_PART(kobj), buf);
}

static ssize_t last_error_show(struct kobject *kobj, struct kobj_attribute *attr,
			       char *buf)
{
	struct sls_partition *part = SLS_PART(kobj);
	char why[SLS_ERROR_LEN];

	spin_lock(&part->wq.lock);
	strscpy(why, part->last_error, sizeof(why));
	spin_unlock(&part->wq.lock);
	return sysfs_emit(buf, "%s\n", why);
}

static ssize_t period_ms_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(SLS_PART(kobj)->period_ms));
}

static ssize_t period_ms_store(struct kobject *kobj, struct kobj_attribute *attr,
			       const char *buf, size_t len)
{
	u64 ms;

	if (kstrtou64(buf, 0, &ms) || ms > SLS_PERIOD_MAX_MS)
		return sls_reject(-EINVAL, "period_ms: not in 0..%llu",
				  SLS_PERIOD_MAX_MS);
	sls_partition_set_period(SLS_PART(kobj), ms);
	return len;
}

static ssize_t keep_epochs_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct sls_partition *part = SLS_PART(kobj);
	struct slsfs_part_attr pa;
	int err = slsfs_part_get_attr(part->store, part->id, &pa);

	return err ?: sysfs_emit(buf, "%llu\n", pa.keep_epochs);
}

static ssize_t keep_epochs_store(struct kobject *kobj,
				 struct kobj_attribute *attr,
				 const char *buf, size_t len)
{
	struct sls_partition *part = SLS_PART(kobj);
	u64 keep;
	int err;

	if (kstrtou64(buf, 0, &keep) || keep > SLS_KEEP_EPOCHS_MAX)
		return sls_reject(-EINVAL, "keep_epochs: not in 0..%llu",
				  SLS_KEEP_EPOCHS_MAX);
	err = slsfs_part_set_keep(part->store, part->id, keep);
	return err ?: len;
}

static struct kobj_attribute sls_part_attr_coalesced = __ATTR_RO(coalesced);
static struct kobj_attribute sls_part_attr_members = __ATTR_RO(members);
static struct kobj_attribute sls_part_attr_last_error = __ATTR_RO(last_error);
static struct kobj_attribute sls_part_attr_period_ms =
	__ATTR_RW_MODE(period_ms, 0644);
static struct kobj_attribute sls_part_attr_keep_epochs =
	__ATTR_RW_MODE(keep_epochs, 0644);

static struct attribute *sls_partition_attrs[] = {
	&sls_part_attr_period_ms.attr,
	&sls_part_attr_keep_epochs.attr,
	&sls_part_attr_epoch.attr,
	&sls_part_attr_durable_epoch.attr,
	&sls_part_attr_members.attr,
	&sls_part_attr_checkpoints.attr,
	&sls_part_attr_coalesced.attr,
	&sls_part_attr_waited.attr,
	&sls_part_attr_last_stop_ns.attr,
	&sls_part_attr_total_stop_ns.attr,
	&sls_part_attr_total_flush_ns.attr,
	&sls_part_attr_last_flush_ns.attr,
	&sls_part_attr_bytes_written.attr,
	&sls_part_attr_pages_shadowed.attr,
	&sls_part_attr_pages_copied.attr,
	&sls_part_attr_last_error.attr,
	NULL,
};
ATTRIBUTE_GROUPS(sls_partition);

const struct kobj_type sls_partition_ktype = {
	.release	= sls_partition_kobj_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= sls_partition_groups,
};

static int __init sls_sysfs_init(void)
{
	int err;

	sls_kobj = kobject_create_and_add("sls", kernel_kobj);
	if (!sls_kobj)
		return -ENOMEM;
	err = sysfs_create_group(sls_kobj, &sls_global_group);
	if (err)
		goto out_put;
	sls_partitions_kobj = kobject_create_and_add("partitions", sls_kobj);
	if (!sls_partitions_kobj) {
		err = -ENOMEM;
		goto out_put;
	}
	return 0;
out_put:
	kobject_put(sls_kobj);
	return err;
}
subsys_initcall(sls_sysfs_init);
