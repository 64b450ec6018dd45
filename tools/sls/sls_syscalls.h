/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space wrappers of the single level store system calls, shared by
 * slsctl and the selftests.  glibc has no wrappers for them.
 */
#ifndef _TOOLS_SLS_SYSCALLS_H
#define _TOOLS_SLS_SYSCALLS_H

#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sls.h>

/* x86_64 numbers, for headers older than the patched kernel's. */
#ifndef __NR_sls_open
#define __NR_sls_open		463
#endif
#ifndef __NR_sls_attach
#define __NR_sls_attach		464
#endif
#ifndef __NR_sls_persist
#define __NR_sls_persist	465
#endif
#ifndef __NR_sls_restore
#define __NR_sls_restore	466
#endif

#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(__NR_pidfd_open, pid, flags);
}

static inline int sls_open(int dirfd, const char *path,
			   const struct sls_attr *attr, size_t size,
			   unsigned int flags)
{
	return syscall(__NR_sls_open, dirfd, path, attr, size, flags);
}

static inline int sls_attach(int partfd, int pidfd, unsigned int flags)
{
	return syscall(__NR_sls_attach, partfd, pidfd, flags);
}

static inline long sls_persist(int partfd, const struct sls_persist_args *args,
			       size_t size)
{
	return syscall(__NR_sls_persist, partfd, args, size);
}

static inline int sls_restore(int partfd, const struct sls_restore_args *args,
			      size_t size)
{
	return syscall(__NR_sls_restore, partfd, args, size);
}

#endif /* _TOOLS_SLS_SYSCALLS_H */
