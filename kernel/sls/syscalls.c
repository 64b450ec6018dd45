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
#include <linux/fs_struct.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/syscalls.h>

#include "sls.h"

/* The partition name: what follows the last '/' of the path. */
static const char *sls_last_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * The directory the partition's name is in: what precedes the last '/' of
 * @path, resolved from @dirfd as openat() would (an O_PATH descriptor will
 * do).  It must be the root of an slsfs mount, which the store checks.
 */
static int sls_open_dir(int dirfd, const char *path, struct path *dir)
{
	const char *slash = strrchr(path, '/');
	struct path base;
	char *name;
	int err;

	if (path[0] == '/') {
		get_fs_root(current->fs, &base);
	} else if (dirfd == AT_FDCWD) {
		get_fs_pwd(current->fs, &base);
	} else {
		struct fd f = fdget_raw(dirfd);

		if (!fd_file(f))
			return sls_reject(-EBADF, "sls_open: dirfd %d is not open",
					  dirfd);
		base = fd_file(f)->f_path;
		path_get(&base);
		fdput(f);
		if (!d_is_dir(base.dentry)) {
			path_put(&base);
			return sls_reject(-ENOTDIR, "sls_open: dirfd %d is not a directory",
					  dirfd);
		}
	}
	name = kstrndup(path, slash ? slash - path : 0, GFP_KERNEL);
	if (!name) {
		path_put(&base);
		return -ENOMEM;
	}
	err = vfs_path_lookup(base.dentry, base.mnt, name[0] ? name : ".",
			      LOOKUP_FOLLOW | LOOKUP_DIRECTORY, dir);
	kfree(name);
	path_put(&base);
	if (err)
		return sls_reject(err, "sls_open: %s: parent not found: %d",
				  sls_last_name(path), err);
	return 0;
}

SYSCALL_DEFINE5(sls_open, int, dirfd, const char __user *, upath,
		const struct sls_attr __user *, uattr, size_t, usize,
		unsigned int, flags)
{
	struct filename *path;
	struct sls_attr attr;
	struct path dir;
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
	/* Only the checked name is logged: the rest of the path is any bytes. */
	err = sls_check_name(sls_last_name(path->name));
	if (!err)
		err = sls_open_dir(dirfd, path->name, &dir);
	if (!err) {
		err = sls_partition_open(&dir, sls_last_name(path->name), &attr,
					 flags);
		path_put(&dir);
	}
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
	err = sls_attach_pid(part->private_data, pid, flags);
	fput(part);
out_pid:
	put_pid(pid);
	return err;
}

/* The partition sls_persist() names, referenced. */
static struct sls_partition *sls_persist_partition(int partfd)
{
	struct sls_partition *part;
	struct file *file;

	if (partfd == SLS_SELF) {
		part = sls_current_partition();
		return part ?: ERR_PTR(sls_reject(-ESRCH,
				"sls_persist: caller is in no partition"));
	}
	file = sls_partition_fget(partfd);
	if (IS_ERR(file))
		return ERR_CAST(file);
	part = file->private_data;
	sls_partition_get(part);
	fput(file);
	return part;
}

static long sls_persist_wait(struct sls_partition *part, u64 epoch)
{
	if (epoch > READ_ONCE(part->epoch))
		return sls_reject(-EINVAL, "sls_persist: epoch %llu not taken yet",
				  epoch);
	return sls_wait_durable(part, epoch);
}

/* A region is whole pages of the caller, and the caller is a member. */
static long sls_persist_region(struct sls_partition *part,
			       struct sls_request *req, u64 addr, u64 len)
{
	struct sls_partition *own = sls_current_partition();

	if (own)
		sls_partition_put(own);
	if (own != part)
		return sls_reject(-EINVAL, "sls_persist: REGION of a partition the caller is not in");
	/* sls_check_persist_args() bounded the range to user space. */
	req->start = round_down(addr, PAGE_SIZE);
	req->end = round_up(addr + len, PAGE_SIZE);
	return 0;
}

SYSCALL_DEFINE3(sls_persist, int, partfd,
		const struct sls_persist_args __user *, uargs, size_t, usize)
{
	struct sls_persist_args args;
	struct sls_partition *part;
	struct sls_request req = {};
	long err;

	err = sls_copy_args(&args, sizeof(args), SLS_PERSIST_ARGS_SIZE_VER0,
			    uargs, usize);
	if (err)
		return err;
	err = sls_check_persist_args(&args);
	if (err)
		return err;
	part = sls_persist_partition(partfd);
	if (IS_ERR(part))
		return PTR_ERR(part);
	req.flags = args.flags;
	if (args.flags & SLS_PERSIST_WAIT) {
		err = sls_persist_wait(part, args.epoch);
		goto out;
	}
	if (args.flags & SLS_PERSIST_REGION) {
		err = sls_persist_region(part, &req, args.addr, args.len);
		if (err)
			goto out;
	}
	err = sls_checkpoint(part, &req);
	if (err == -ESRCH)
		sls_reject(err, "sls_persist: %s has no members", part->name);
out:
	sls_partition_put(part);
	return err;
}

SYSCALL_DEFINE3(sls_restore, int, partfd,
		const struct sls_restore_args __user *, uargs, size_t, usize)
{
	struct sls_restore_args args;
	struct file *part;
	long err;

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
	err = sls_restore(part->private_data, &args);
	fput(part);
	return err;
}
