// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: the system calls.
 *
 * Each call copies and checks all of its arguments first, so that bad
 * input gets the same errno whatever the state of the store, and only then
 * acts on the partition.
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/syscalls.h>

#include "sls.h"

/* The partition name: what follows the last '/' of the path. */
static const char *sls_path_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * A relative path resolves from @dirfd, which must then be a directory; as
 * for openat(), an O_PATH descriptor will do.
 */
static int sls_check_dirfd(int dirfd, const char *path)
{
	struct file *dir;
	int err = 0;

	if (path[0] == '/' || dirfd == AT_FDCWD)
		return 0;
	dir = fget_raw(dirfd);
	if (!dir)
		return sls_reject(-EBADF, "sls_open: dirfd %d is not open", dirfd);
	if (!d_is_dir(dir->f_path.dentry))
		err = sls_reject(-ENOTDIR, "sls_open: dirfd %d is not a directory",
				 dirfd);
	fput(dir);
	return err;
}

SYSCALL_DEFINE5(sls_open, int, dirfd, const char __user *, upath,
		const struct sls_attr __user *, uattr, size_t, usize,
		unsigned int, flags)
{
	struct filename *path;
	struct sls_attr attr;
	int err;

	err = sls_check_open_flags(flags);
	if (err)
		return err;
	err = sls_copy_args(&attr, sizeof(attr), SLS_ATTR_SIZE_VER0, uattr, usize);
	if (err)
		return err;
	err = sls_check_attr(&attr);
	if (err)
		return err;

	path = getname(upath);
	if (IS_ERR(path))
		return sls_reject(PTR_ERR(path), "sls_open: bad path");
	err = sls_check_name(sls_path_name(path->name));
	if (!err)
		err = sls_check_dirfd(dirfd, path->name);
	/* Only the checked name is logged: the rest of the path is any bytes. */
	if (!err)
		err = sls_reject(-EOPNOTSUPP, "sls_open: %s: no slsfs store yet",
				 sls_path_name(path->name));
	putname(path);
	return err;
}

/*
 * The process behind a pidfd.  Unlike pidfd_get_pid(), an open descriptor
 * of another kind is EINVAL, as a wrong-kind partition descriptor is.
 */
static struct pid *sls_pidfd_get(int pidfd)
{
	struct file *file = fget(pidfd);
	struct pid *pid;

	if (!file)
		return ERR_PTR(sls_reject(-EBADF, "sls_attach: fd %d is not open",
					  pidfd));
	pid = pidfd_pid(file);
	if (IS_ERR(pid))
		pid = ERR_PTR(sls_reject(-EINVAL, "sls_attach: fd %d is not a pidfd",
					 pidfd));
	else
		get_pid(pid);
	fput(file);
	return pid;
}

SYSCALL_DEFINE3(sls_attach, int, partfd, int, pidfd, unsigned int, flags)
{
	const unsigned int known = SLS_ATTACH_TREE | SLS_DETACH;
	struct file *part;
	struct pid *pid;
	int err;

	if (flags & ~known)
		return sls_reject(-EINVAL, "sls_attach: unknown flags %#x",
				  flags & ~known);
	pid = sls_pidfd_get(pidfd);
	if (IS_ERR(pid))
		return PTR_ERR(pid);
	part = sls_partition_fget(partfd);
	if (IS_ERR(part)) {
		err = PTR_ERR(part);
		goto out_pid;
	}
	err = sls_reject(-EOPNOTSUPP, "sls_attach: not supported yet");
	fput(part);
out_pid:
	put_pid(pid);
	return err;
}

SYSCALL_DEFINE3(sls_persist, int, partfd,
		const struct sls_persist_args __user *, uargs, size_t, usize)
{
	struct sls_persist_args args;
	struct file *part;
	int err;

	err = sls_copy_args(&args, sizeof(args), SLS_PERSIST_ARGS_SIZE_VER0,
			    uargs, usize);
	if (err)
		return err;
	err = sls_check_persist_args(&args);
	if (err)
		return err;
	/* No task belongs to a partition until partitions can be attached. */
	if (partfd == SLS_SELF)
		return sls_reject(-ESRCH, "sls_persist: caller is in no partition");
	part = sls_partition_fget(partfd);
	if (IS_ERR(part))
		return PTR_ERR(part);
	err = sls_reject(-EOPNOTSUPP, "sls_persist: not supported yet");
	fput(part);
	return err;
}

SYSCALL_DEFINE3(sls_restore, int, partfd,
		const struct sls_restore_args __user *, uargs, size_t, usize)
{
	struct sls_restore_args args;
	struct file *part;
	int err;

	err = sls_copy_args(&args, sizeof(args), SLS_RESTORE_ARGS_SIZE_VER0,
			    uargs, usize);
	if (err)
		return err;
	err = sls_check_restore_args(&args);
	if (err)
		return err;
	part = sls_partition_fget(partfd);
	if (IS_ERR(part))
		return PTR_ERR(part);
	err = sls_reject(-EOPNOTSUPP, "sls_restore: not supported yet");
	fput(part);
	return err;
}
