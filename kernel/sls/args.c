// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: validation of system call arguments.
 *
 * Each check is a pure function of the copied-in arguments so that KUnit
 * can exercise every rule without a store; the system calls apply them
 * before they touch any object.
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "sls.h"

/* The published sizes are ABI: a change here breaks old binaries. */
static_assert(sizeof(struct sls_attr) == SLS_ATTR_SIZE_VER0);
static_assert(sizeof(struct sls_persist_args) == SLS_PERSIST_ARGS_SIZE_VER0);
static_assert(sizeof(struct sls_restore_args) == SLS_RESTORE_ARGS_SIZE_VER0);

#define SLS_OPEN_FLAGS		(SLS_CREATE | SLS_EXCL)
#define SLS_ATTR_FLAGS		(SLS_ATTR_FULL)
#define SLS_PERSIST_FLAGS	(SLS_PERSIST_SYNC | SLS_PERSIST_FULL | \
				 SLS_PERSIST_REGION | SLS_PERSIST_WAIT)
#define SLS_RESTORE_FLAGS	(SLS_RESTORE_STOPPED | SLS_RESTORE_LAZY | \
				 SLS_RESTORE_NEWPID)

int sls_check_open_flags(unsigned int flags)
{
	if (flags & ~SLS_OPEN_FLAGS)
		return sls_reject(-EINVAL, "sls_open: unknown flags %#x",
				  flags & ~SLS_OPEN_FLAGS);
	if ((flags & SLS_EXCL) && !(flags & SLS_CREATE))
		return sls_reject(-EINVAL, "sls_open: SLS_EXCL without SLS_CREATE");
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sls_check_open_flags);

int sls_check_attr(const struct sls_attr *attr)
{
	if (attr->flags & ~SLS_ATTR_FLAGS)
		return sls_reject(-EINVAL, "sls_attr: unknown flags %#llx",
				  attr->flags & ~SLS_ATTR_FLAGS);
	if (attr->period_ms > SLS_PERIOD_MAX_MS)
		return sls_reject(-EINVAL, "sls_attr: period_ms %llu above %llu",
				  attr->period_ms, SLS_PERIOD_MAX_MS);
	if (attr->keep_epochs > SLS_KEEP_EPOCHS_MAX)
		return sls_reject(-EINVAL, "sls_attr: keep_epochs %llu above %llu",
				  attr->keep_epochs, SLS_KEEP_EPOCHS_MAX);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sls_check_attr);

/* ASCII only: the kernel's isalnum() also accepts Latin-1 letters. */
static bool sls_name_char_ok(char c)
{
	return (isascii(c) && isalnum(c)) || c == '.' || c == '_' || c == '-';
}

/*
 * A partition name becomes a directory of the store and of sysfs and a word
 * in slsctl's output, so it is kept to a portable file name character set.
 */
int sls_check_name(const char *name)
{
	size_t len = strlen(name);
	size_t i;

	if (!len)
		return sls_reject(-EINVAL, "sls_open: empty partition name");
	if (len > SLS_NAME_MAX)
		return sls_reject(-ENAMETOOLONG,
				  "sls_open: partition name longer than %d",
				  SLS_NAME_MAX);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return sls_reject(-EINVAL, "sls_open: partition name '%s'", name);
	for (i = 0; i < len; i++)
		if (!sls_name_char_ok(name[i]))
			return sls_reject(-EINVAL,
					  "sls_open: byte %#x at %zu of partition name",
					  (unsigned char)name[i], i);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sls_check_name);

static int sls_check_region(const struct sls_persist_args *args)
{
	u64 end;

	if (!args->len)
		return sls_reject(-EINVAL, "sls_persist: empty region");
	if (check_add_overflow(args->addr, args->len, &end) ||
	    end > TASK_SIZE_MAX)
		return sls_reject(-EINVAL,
				  "sls_persist: region %#llx+%#llx outside user space",
				  args->addr, args->len);
	return 0;
}

int sls_check_persist_args(const struct sls_persist_args *args)
{
	u64 flags = args->flags;

	if (flags & ~SLS_PERSIST_FLAGS)
		return sls_reject(-EINVAL, "sls_persist: unknown flags %#llx",
				  flags & ~SLS_PERSIST_FLAGS);
	if (flags & SLS_PERSIST_WAIT) {
		if (flags != SLS_PERSIST_WAIT)
			return sls_reject(-EINVAL,
					  "sls_persist: SLS_PERSIST_WAIT with other flags");
		if (!args->epoch)
			return sls_reject(-EINVAL,
					  "sls_persist: SLS_PERSIST_WAIT for epoch 0");
	} else if (args->epoch) {
		return sls_reject(-EINVAL,
				  "sls_persist: epoch without SLS_PERSIST_WAIT");
	}
	if (flags & SLS_PERSIST_REGION)
		return sls_check_region(args);
	if (args->addr || args->len)
		return sls_reject(-EINVAL,
				  "sls_persist: addr or len without SLS_PERSIST_REGION");
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sls_check_persist_args);

int sls_check_restore_args(const struct sls_restore_args *args)
{
	if (args->flags & ~SLS_RESTORE_FLAGS)
		return sls_reject(-EINVAL, "sls_restore: unknown flags %#llx",
				  args->flags & ~SLS_RESTORE_FLAGS);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sls_check_restore_args);

/**
 * sls_copy_args - copy an extensible argument struct from userspace
 * @dst:	kernel copy, zeroed when @src is NULL
 * @ksize:	size of the kernel's struct
 * @ver0:	size of the first published version of the struct
 * @src:	user pointer; NULL asks for the defaults and needs @usize 0
 * @usize:	size the caller passed
 *
 * Return: 0, -EINVAL for a size that no version of the struct had,
 * -E2BIG for a larger struct with unknown non-zero bytes or a size above a
 * page, -EFAULT for a bad pointer.
 */
int sls_copy_args(void *dst, size_t ksize, size_t ver0,
		  const void __user *src, size_t usize)
{
	int err;

	if (!src) {
		memset(dst, 0, ksize);
		if (usize)
			return sls_reject(-EINVAL, "NULL argument struct of size %zu",
					  usize);
		return 0;
	}
	if (usize < ver0)
		return sls_reject(-EINVAL, "argument struct size %zu below %zu",
				  usize, ver0);
	if (usize > PAGE_SIZE)
		return sls_reject(-E2BIG, "argument struct size %zu above a page",
				  usize);
	err = copy_struct_from_user(dst, ksize, src, usize);
	if (err == -E2BIG)
		return sls_reject(err, "argument struct has unknown non-zero bytes");
	if (err)
		return sls_reject(err, "argument struct unreadable");
	return 0;
}
