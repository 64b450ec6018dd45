/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the sls kselftests share: a store on a loop device over an image.
 */
#ifndef _SLS_STORE_H
#define _SLS_STORE_H

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Exit status of "mkfs.slsfs -q [-s SEG] IMG" on an IMG of @size bytes (0:
 * IMG is a device, as it is), -1 if none.  @seg NULL: the default segments.
 */
static int format_image_segs(const char *img, off_t size, const char *seg)
{
	int status;
	pid_t pid;

	if (size && truncate(img, size))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (seg)
			execlp("mkfs.slsfs", "mkfs.slsfs", "-q", "-s", seg, img,
			       (char *)NULL);
		else
			execlp("mkfs.slsfs", "mkfs.slsfs", "-q", img, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int format_image(const char *img, off_t size)
{
	return format_image_segs(img, size, NULL);
}

/*
 * Attach @img to a free loop device, named in @dev; returns its descriptor
 * or -1.  The device detaches itself once closed and unmounted.
 */
static int attach_loop(const char *img, char *dev, size_t len)
{
	struct loop_config cfg;
	int ctl, img_fd, fd = -1, nr, tries, err = 0;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	img_fd = open(img, O_RDWR | O_CLOEXEC);
	if (img_fd < 0) {
		err = errno;
		goto out;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = img_fd;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
	/* Another process may take the free device first: try again. */
	for (tries = 0; tries < 10; tries++) {
		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0) {
			err = errno;
			break;
		}
		snprintf(dev, len, "/dev/loop%d", nr);
		fd = open(dev, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			err = errno;
			break;
		}
		if (!ioctl(fd, LOOP_CONFIGURE, &cfg))
			break;
		err = errno;
		close(fd);
		fd = -1;
		if (err != EBUSY)
			break;
	}
	close(img_fd);
out:
	close(ctl);
	errno = err;
	return fd;
}

/* Whatever a test left mounted or attached goes; the rest fails harmlessly. */
static void image_teardown(const char *mnt, int loop_fd, const char *img)
{
	umount2(mnt, MNT_DETACH);
	if (loop_fd >= 0) {
		ioctl(loop_fd, LOOP_CLR_FD);
		close(loop_fd);
	}
	unlink(img);
	rmdir(mnt);
}

/* Sysfs file @name of directory @dir, as a string: 0, or -1. */
static inline int read_text(const char *dir, const char *name, char *buf, size_t len)
{
	char path[192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * Unmap the shared memory a forked member inherits from the harness (the
 * fixture's data and _metadata among it: a member must not touch self or
 * ASSERT after this).  It is not the member's own, and a checkpoint copies
 * shared memory whole each time, which would swamp what a test measures.
 */
static inline void unmap_shared(void)
{
	unsigned long start, end;
	char line[256], perms[8];
	FILE *f = fopen("/proc/self/maps", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 &&
		    perms[3] == 's')
			munmap((void *)start, end - start);
	if (f)
		fclose(f);
}

#endif /* _SLS_STORE_H */
