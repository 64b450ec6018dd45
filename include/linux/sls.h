/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Single level store: the hooks the rest of the kernel calls.
 */
#ifndef _LINUX_SLS_H
#define _LINUX_SLS_H

#include <linux/types.h>

struct mm_struct;
struct task_struct;

#ifdef CONFIG_SLS
void sls_fork(struct task_struct *child, u64 clone_flags);
void sls_exit(struct task_struct *tsk);
int sls_exec_mmap(struct mm_struct *mm);
#else
static inline void sls_fork(struct task_struct *child, u64 clone_flags) {}
static inline void sls_exit(struct task_struct *tsk) {}
#endif

#endif /* _LINUX_SLS_H */
