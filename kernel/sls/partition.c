// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: partition file descriptors.
 *
 * A partition is named to the system calls by an anonymous-inode file that
 * sls_open() returns.  This file recognises such descriptors; the
 * partitions themselves live in a store, which slsfs provides.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched.h>

#include "sls.h"

const struct file_operations sls_partition_fops = {
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
