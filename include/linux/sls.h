/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Single level store: the hooks the rest of the kernel calls.
 */
#ifndef _LINUX_SLS_H
#define _LINUX_SLS_H

#include <linux/mm_types.h>
#include <linux/types.h>

struct mm_struct;
struct task_struct;
struct vm_fault;

#ifdef CONFIG_SLS
void sls_fork(struct task_struct *child, u64 clone_flags);
void sls_exit(struct task_struct *tsk);
int sls_exec_mmap(struct mm_struct *mm);
vm_fault_t sls_lazy_fault(struct vm_fault *vmf);
void sls_lazy_dup(struct mm_struct *mm);
void sls_lazy_put(struct mm_struct *mm);
#else
static inline void sls_fork(struct task_struct *child, u64 clone_flags) {}
static inline void sls_exit(struct task_struct *tsk) {}
static inline vm_fault_t sls_lazy_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}
static inline void sls_lazy_dup(struct mm_struct *mm) {}
static inline void sls_lazy_put(struct mm_struct *mm) {}
#endif

#endif /* _LINUX_SLS_H */
