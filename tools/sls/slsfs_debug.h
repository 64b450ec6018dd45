/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test kernel's view of a mounted slsfs store, for the tests and the
 * benchmark: its figures in /sys/fs/slsfs/<dev>/ and its debugfs driver,
 * /sys/kernel/debug/slsfs/<dev>/ctl (CONFIG_SLSFS_DEBUGFS; see
 * fs/slsfs/debugfs.c for the commands).
 */
#ifndef _TOOLS_SLS_SLSFS_DEBUG_H
#define _TOOLS_SLS_SLSFS_DEBUG_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The kernel's name of a device, "loop0" for "/dev/loop0". */
static inline const char *slsfs_dev_name(const char *dev)
{
	const char *slash = strrchr(dev, '/');

	return slash ? slash + 1 : dev;
}

/*
 * Run one command of the debugfs driver of the store on @dev and put its
 * result line in @out.  Return: 0, or the errno of the command.
 */
static inline int slsfs_debug_cmd(const char *dev, const char *cmd, char *out,
				  size_t len)
{
	char path[128];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "/sys/kernel/debug/slsfs/%s/ctl",
		 slsfs_dev_name(dev));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, cmd, strlen(cmd)) < 0)
		err = errno;
	n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	return err;
}

/* A number from /sys/fs/slsfs/<dev>/@file, or -1. */
static inline long long slsfs_store_figure(const char *dev, const char *file)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/fs/slsfs/%s/%s", slsfs_dev_name(dev),
		 file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Write @v to /sys/fs/slsfs/<dev>/@file.  Return: 0 or an errno. */
static inline int slsfs_store_set(const char *dev, const char *file, long long v)
{
	char path[128], buf[24];
	int fd, n, err = 0;

	snprintf(path, sizeof(path), "/sys/fs/slsfs/%s/%s", slsfs_dev_name(dev),
		 file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = snprintf(buf, sizeof(buf), "%lld\n", v);
	if (write(fd, buf, n) != n)
		err = errno ?: EIO;
	close(fd);
	return err;
}

#endif /* _TOOLS_SLS_SLSFS_DEBUG_H */
