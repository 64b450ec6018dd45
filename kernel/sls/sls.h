/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Single level store: declarations shared inside kernel/sls.
 */
#ifndef _KERNEL_SLS_SLS_H
#define _KERNEL_SLS_SLS_H

#include <linux/fs.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <uapi/linux/sls.h>

/*
 * Every refusal of bad input from userspace logs one rate-limited line that
 * names the calling task, so an administrator can tell which program sent it.
 */
#define sls_reject(err, fmt, ...)					\
({									\
	pr_info_ratelimited("sls: %s[%d]: " fmt "\n", current->comm,	\
			    task_pid_nr(current), ##__VA_ARGS__);	\
	(err);								\
})

/* args.c: validation of what the system calls are given. */
int sls_check_open_flags(unsigned int flags);
int sls_check_attr(const struct sls_attr *attr);
int sls_check_name(const char *name);
int sls_check_persist_args(const struct sls_persist_args *args);
int sls_check_restore_args(const struct sls_restore_args *args);
int sls_copy_args(void *dst, size_t ksize, size_t ver0,
		  const void __user *src, size_t usize);

/* partition.c */
extern const struct file_operations sls_partition_fops;
struct file *sls_partition_fget(int partfd);

#endif /* _KERNEL_SLS_SLS_H */
