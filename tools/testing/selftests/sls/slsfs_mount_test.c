// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs from user space: a store fresh from mkfs.slsfs mounts; a foreign
 * or truncated one is refused with EINVAL, a damaged log with EUCLEAN;
 * epochs committed through the test kernel's debugfs driver read back,
 * expire and survive remounts; damaged pages and records read as EUCLEAN.
 *
 * Each test formats a sparse image in /tmp, breaks it the way it tests,
 * attaches it to a loop device and mounts that on a fresh directory.  A
 * field changed on purpose gets its slot's checksum fixed, unless the
 * checksum is what the test breaks, so that the mount is refused for the
 * reason under test.  Needs root, CONFIG_BLK_DEV_LOOP and mkfs.slsfs in
 * PATH.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/loop.h>
#include <linux/types.h>

#include "kselftest_harness.h"
#include "sls_store.h"
#include "slsfs_fs.h"
#include "slsfs_crc.h"
#include "slsfs_debug.h"

#define MiB (1 << 20)
#define IMG_SIZE (16 * MiB)

FIXTURE(slsfs)
{
	char img[32];
	char mnt[32];
	char dev[32];		/* the loop device, once attached */
	int loop_fd;
};

FIXTURE_SETUP(slsfs)
{
	int fd;

	self->loop_fd = -1;
	snprintf(self->mnt, sizeof(self->mnt), "/tmp/slsfs-mnt.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->mnt));
	snprintf(self->img, sizeof(self->img), "/tmp/slsfs-img.XXXXXX");
	fd = mkstemp(self->img);
	ASSERT_LE(0, fd);
	close(fd);
}

/* Whatever a test left mounted or attached goes; the rest fails harmlessly. */
FIXTURE_TEARDOWN(slsfs)
{
	image_teardown(self->mnt, self->loop_fd, self->img);
}

/*
 * Change the superblock in the slots of @mask (bit 0: slot 0, bit 1:
 * slot 1) with @fn, and reseal them if @seal.
 */
static int patch_supers(const char *img, unsigned int mask,
			void (*fn)(struct slsfs_super *sup), bool seal)
{
	struct slsfs_super sup;
	unsigned int slot;
	off_t off;
	int fd, err = 0;

	fd = open(img, O_RDWR);
	if (fd < 0)
		return -1;
	for (slot = 0; slot < SLSFS_SUPER_SLOTS && !err; slot++) {
		if (!(mask & (1U << slot)))
			continue;
		off = (off_t)slot * SLSFS_BLOCK_SIZE;
		if (pread(fd, &sup, sizeof(sup), off) != sizeof(sup)) {
			err = -1;
			break;
		}
		fn(&sup);
		if (seal)
			slsfs_super_seal(&sup);
		if (pwrite(fd, &sup, sizeof(sup), off) != sizeof(sup))
			err = -1;
	}
	if (close(fd))
		err = -1;
	return err;
}

/* Patch both slots and fix their checksums. */
static int patch_both(const char *img, void (*fn)(struct slsfs_super *sup))
{
	return patch_supers(img, 3, fn, true);
}

/*
 * Attach @img to a loop device, its descriptor in @loop_fd, and mount it on
 * @mnt: 0, the errno of mount(2), or -1 if no loop device could be had.
 */
static int mount_errno(const char *img, const char *mnt, int *loop_fd, char *dev)
{
	*loop_fd = attach_loop(img, dev, 32);
	if (*loop_fd < 0) {
		ksft_print_msg("attaching %s to a loop device: %s\n", img,
			       strerror(errno));
		return -1;
	}
	return mount(dev, mnt, "slsfs", 0, NULL) ? errno : 0;
}

/* mount_errno() of the fixture's image. */
#define MOUNT_ERRNO() mount_errno(self->img, self->mnt, &self->loop_fd, self->dev)

static void zero_super(struct slsfs_super *sup)
{
	memset(sup, 0, sizeof(*sup));
}

static void flip_byte(struct slsfs_super *sup)
{
	((unsigned char *)sup)[40] ^= 0x01;
}

/* A field mount does not check: only the checksum tells the change. */
static void bump_mkfs_time(struct slsfs_super *sup)
{
	sup->mkfs_time = htole64(le64toh(sup->mkfs_time) + 1);
}

static void set_incompat(struct slsfs_super *sup)
{
	sup->feature_incompat = htole64(1ULL << 63);
}

static void set_version_2(struct slsfs_super *sup)
{
	sup->version = htole32(2);
}

static void set_block_size_8k(struct slsfs_super *sup)
{
	sup->block_size = htole32(8192);
}

static void one_seg_too_many(struct slsfs_super *sup)
{
	sup->nr_segs = htole32(le32toh(sup->nr_segs) + 1);
}

/* Flip one bit of the image at @off, as a bad sector or a stray write would. */
static int flip_image_bit(const char *img, off_t off)
{
	unsigned char b;
	int fd, ok;

	fd = open(img, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = pread(fd, &b, 1, off) == 1;
	b ^= 0x01;
	ok = ok && pwrite(fd, &b, 1, off) == 1 && !fsync(fd);
	close(fd);
	return ok ? 0 : -1;
}

static void set_ro_compat(struct slsfs_super *sup)
{
	sup->feature_ro_compat = htole64(1ULL << 62);
}

TEST_F(slsfs, fresh_store_mounts)
{
	struct dirent *de;
	struct stat st;
	int entries = 0, ret, err;
	char path[64];
	DIR *dir;

	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, MOUNT_ERRNO());

	ASSERT_EQ(0, stat(self->mnt, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	dir = opendir(self->mnt);
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		EXPECT_TRUE(!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
			TH_LOG("unexpected entry '%s'", de->d_name);
		}
		entries++;
	}
	closedir(dir);
	EXPECT_EQ(2, entries);

	snprintf(path, sizeof(path), "%s/dir", self->mnt);
	ret = mkdir(path, 0755);
	err = errno;
	EXPECT_EQ(-1, ret);
	EXPECT_TRUE(err == EROFS || err == EPERM) {
		TH_LOG("mkdir: %s, expected EROFS or EPERM", strerror(err));
	}

	EXPECT_EQ(0, umount(self->mnt));
}

TEST_F(slsfs, zero_image_refused)
{
	ASSERT_EQ(0, truncate(self->img, IMG_SIZE));
	EXPECT_EQ(EINVAL, MOUNT_ERRNO());
}

TEST_F(slsfs, random_image_refused)
{
	static uint64_t buf[SLSFS_BLOCK_SIZE / sizeof(uint64_t)];
	uint64_t x = 0x9e3779b97f4a7c15ULL;	/* fixed seed */
	unsigned int i, block;
	int fd;

	fd = open(self->img, O_WRONLY);
	ASSERT_LE(0, fd);
	for (block = 0; block < IMG_SIZE / SLSFS_BLOCK_SIZE; block++) {
		for (i = 0; i < ARRAY_SIZE(buf); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = x;
		}
		ASSERT_EQ((ssize_t)sizeof(buf), write(fd, buf, sizeof(buf)));
	}
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(EINVAL, MOUNT_ERRNO());
}

/* The checksums patch_both() computes are the kernel's. */
TEST_F(slsfs, resealed_store_mounts)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_both(self->img, bump_mkfs_time));
	EXPECT_EQ(0, MOUNT_ERRNO());
}

TEST_F(slsfs, slot0_zeroed_mounts)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_supers(self->img, 1, zero_super, false));
	EXPECT_EQ(0, MOUNT_ERRNO());
}

TEST_F(slsfs, slot1_zeroed_mounts)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_supers(self->img, 2, zero_super, false));
	EXPECT_EQ(0, MOUNT_ERRNO());
}

TEST_F(slsfs, both_slots_zeroed_refused)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_supers(self->img, 3, zero_super, false));
	EXPECT_EQ(EINVAL, MOUNT_ERRNO());
}

TEST_F(slsfs, slot0_bad_crc_mounts)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_supers(self->img, 1, flip_byte, false));
	EXPECT_EQ(0, MOUNT_ERRNO());
}

TEST_F(slsfs, both_slots_bad_crc_refused)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_supers(self->img, 3, flip_byte, false));
	EXPECT_EQ(EINVAL, MOUNT_ERRNO());
}

TEST_F(slsfs, truncated_device_refused)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, truncate(self->img, IMG_SIZE / 2));
	EXPECT_EQ(EINVAL, MOUNT_ERRNO());
}

TEST_F(slsfs, unknown_incompat_feature_refused)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_both(self->img, set_incompat));
	EXPECT_EQ(EINVAL, MOUNT_ERRNO());
}

TEST_F(slsfs, version_2_refused)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_both(self->img, set_version_2));
	EXPECT_EQ(EINVAL, MOUNT_ERRNO());
}

TEST_F(slsfs, block_size_8k_refused)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_both(self->img, set_block_size_8k));
	EXPECT_EQ(EINVAL, MOUNT_ERRNO());
}

TEST_F(slsfs, segments_beyond_device_refused)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_both(self->img, one_seg_too_many));
	EXPECT_EQ(EINVAL, MOUNT_ERRNO());
}

TEST_F(slsfs, mkfs_refuses_1mib)
{
	EXPECT_EQ(1, format_image(self->img, MiB));
}

/* The epoch an "epoch" command's result line names, or -1. */
static long epoch_of(const char *out)
{
	unsigned long long ns;
	long epoch;

	if (sscanf(out, "epoch %ld commit_ns %llu", &epoch, &ns) != 2)
		return -1;
	return epoch;
}

/* Epoch files in the partition's directory, and the number of the oldest. */
static int count_epochs(const char *mnt, const char *part, long *oldest)
{
	struct dirent *de;
	char path[96];
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%s", mnt, part);
	dir = opendir(path);
	if (!dir)
		return -1;
	*oldest = 0;
	while ((de = readdir(dir))) {
		long e = strtol(de->d_name, NULL, 10);

		if (e <= 0)
			continue;
		n++;
		if (!*oldest || e < *oldest)
			*oldest = e;
	}
	closedir(dir);
	return n;
}

/* Epochs committed through the store come back page for page, after a remount too. */
TEST_F(slsfs, commit_and_read_back)
{
	char out[64], path[96], target[16];
	long oldest;

	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, MOUNT_ERRNO());
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 0 8 7 full", out, sizeof(out)));
	EXPECT_EQ(1, epoch_of(out));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 2 3 8", out, sizeof(out)));
	EXPECT_EQ(2, epoch_of(out));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "verify p 1", out, sizeof(out)));
	EXPECT_STREQ("ok epoch 1 pages 8\n", out);
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "verify p 2", out, sizeof(out)));
	EXPECT_STREQ("ok epoch 2 pages 8\n", out);
	EXPECT_EQ(2, count_epochs(self->mnt, "p", &oldest));
	snprintf(path, sizeof(path), "%s/p/latest", self->mnt);
	ASSERT_EQ(1, readlink(path, target, sizeof(target)));
	EXPECT_EQ('2', target[0]);
	/* a partition of that name exists */
	EXPECT_EQ(EEXIST, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));

	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "verify p 0", out, sizeof(out)));
	EXPECT_STREQ("ok epoch 2 pages 8\n", out);
	EXPECT_EQ(0, umount(self->mnt));
}

/* A partition keeps its 16 newest epochs; the rest expire. */
TEST_F(slsfs, retention)
{
	char out[64], cmd[64];
	long oldest;
	int i;

	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, MOUNT_ERRNO());
	/* epoch 1 writes pages 0..3; epochs 2..20 only page 0 */
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 0 4 1 full", out, sizeof(out)));
	for (i = 2; i <= 20; i++) {
		snprintf(cmd, sizeof(cmd), "epoch p 0 1 %d", i);
		ASSERT_EQ(0, slsfs_debug_cmd(self->dev, cmd, out, sizeof(out)));
	}
	EXPECT_EQ(16, count_epochs(self->mnt, "p", &oldest));
	EXPECT_EQ(5, oldest);
	EXPECT_EQ(ESTALE, slsfs_debug_cmd(self->dev, "verify p 4", out, sizeof(out)));
	EXPECT_EQ(ESTALE, slsfs_debug_cmd(self->dev, "page p 4 0", out, sizeof(out)));
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	EXPECT_EQ(16, count_epochs(self->mnt, "p", &oldest));
	EXPECT_EQ(5, oldest);
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "verify p 20", out, sizeof(out)));
	EXPECT_STREQ("ok epoch 20 pages 1\n", out);
	/* the expired epoch 1's copies of pages 1..3 are what 5..20 see */
	for (i = 1; i <= 3; i++) {
		snprintf(cmd, sizeof(cmd), "page p 0 %d", i);
		ASSERT_EQ(0, slsfs_debug_cmd(self->dev, cmd, out, sizeof(out)));
		snprintf(cmd, sizeof(cmd), "page %d seed 1\n", i);
		EXPECT_STREQ(cmd, out);
	}
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "page p 5 0", out, sizeof(out)));
	EXPECT_STREQ("page 0 seed 5\n", out);
	EXPECT_EQ(0, umount(self->mnt));
}

/* /sys/fs/slsfs/<dev> shows the store's size, free space and commits. */
TEST_F(slsfs, sysfs_figures)
{
	long long size, free_before, free_after;
	char out[64];

	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, MOUNT_ERRNO());
	/* 16 MiB: 8 blocks before 15 segments of 1 MiB */
	EXPECT_EQ(15, slsfs_store_figure(self->dev, "segments"));
	EXPECT_EQ(MiB, slsfs_store_figure(self->dev, "segment_bytes"));
	size = slsfs_store_figure(self->dev, "size_bytes");
	EXPECT_EQ(15 * MiB, size);
	free_before = slsfs_store_figure(self->dev, "free_bytes");
	EXPECT_EQ(size, free_before);
	EXPECT_EQ(14, slsfs_store_figure(self->dev, "free_segments"));
	EXPECT_EQ(0, slsfs_store_figure(self->dev, "commits"));
	EXPECT_EQ(0, slsfs_store_figure(self->dev, "torn_epochs"));
	EXPECT_EQ(0, slsfs_store_figure(self->dev, "live_bytes"));

	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 0 10 1 full", out, sizeof(out)));
	EXPECT_EQ(1, slsfs_store_figure(self->dev, "commits"));
	free_after = slsfs_store_figure(self->dev, "free_bytes");
	/* the partition, 10 pages and a record, their headers, the commit */
	EXPECT_EQ(free_before - (1 + 11 + 2 + 1) * 4096LL, free_after);
	/* what the epoch needs: its pages and its record block */
	EXPECT_EQ(11 * 4096LL, slsfs_store_figure(self->dev, "live_bytes"));
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	EXPECT_EQ(1, slsfs_store_figure(self->dev, "commits"));
	EXPECT_EQ(free_after, slsfs_store_figure(self->dev, "free_bytes"));
	EXPECT_EQ(0, umount(self->mnt));
}

/* A full device fails the new epoch with ENOSPC and keeps the older ones. */
TEST_F(slsfs, full_device_keeps_epochs)
{
	char out[64], before[64];
	int i, ret, err = 0, pages = 0;
	long epoch = 0;

	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, MOUNT_ERRNO());
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	for (i = 0; i < 100 && !err; i++)
		err = slsfs_debug_cmd(self->dev, "epoch p 0 200 1 full", out, sizeof(out));
	EXPECT_EQ(ENOSPC, err);
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "verify p 0", out, sizeof(out)));
	ret = sscanf(out, "ok epoch %ld pages %d", &epoch, &pages);
	EXPECT_EQ(2, ret);
	EXPECT_EQ(i - 1, epoch);
	EXPECT_EQ(200, pages);
	snprintf(before, sizeof(before), "%s", out);
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "verify p 0", out, sizeof(out)));
	EXPECT_STREQ(before, out);
	EXPECT_EQ(0, umount(self->mnt));
}

/*
 * "verify p 0" on @dev: every page of the latest epoch reads back as
 * written.  Return: its result's epoch, or -1.
 */
static long verify_latest(const char *dev, int *pages)
{
	char out[64];
	long epoch;

	if (slsfs_debug_cmd(dev, "verify p 0", out, sizeof(out)) ||
	    sscanf(out, "ok epoch %ld pages %d", &epoch, pages) != 2)
		return -1;
	return epoch;
}

#define FOREVER_PAGES	1024	/* the working set */
#define FOREVER_HOT	64	/* pages 0..63: rewritten every 16 epochs */

/*
 * The epoch after @i of bounded_space_forever: 8 pages of the hot set,
 * or of the cold rest, in turn, each page's seed noted in @seed.
 */
static void forever_cmd(int i, char *cmd, size_t len, int *seed)
{
	int first = i % 2 ? (i / 2 * 8) % FOREVER_HOT :
		    FOREVER_HOT + (i / 2 * 8) % (FOREVER_PAGES - FOREVER_HOT);
	int p;

	snprintf(cmd, len, "epoch p %d 8 %d", first, i);
	for (p = first; p < first + 8; p++)
		seed[p] = i;
}

/* Every page of the working set reads back as of the latest epoch with its seed. */
static int forever_check(const char *dev, const int *seed)
{
	char cmd[64], out[64], want[64];
	int p;

	for (p = 0; p < FOREVER_PAGES; p++) {
		snprintf(cmd, sizeof(cmd), "page p 0 %d", p);
		snprintf(want, sizeof(want), "page %d seed %d\n", p, seed[p]);
		if (slsfs_debug_cmd(dev, cmd, out, sizeof(out)) || strcmp(out, want)) {
			ksft_print_msg("%s: %s, not %s", cmd, out, want);
			return -1;
		}
	}
	return 0;
}

/*
 * Epochs forever in bounded space: 3000 epochs of 8 pages of a working set
 * of 1024 pages on a store of 15 segments, which they fill about fifteen
 * times over.  The hot pages expire within a few segments, the cold ones
 * live for dozens, so segments end up partly live: the cleaner must
 * checkpoint the index and copy the cold pages out of the segments it
 * frees.  Every page reads back, before and after a remount, which
 * replays only the log after the newest index checkpoint.
 */
TEST_F_TIMEOUT(slsfs, bounded_space_forever, 1200)
{
	static int seed[FOREVER_PAGES];
	char out[64], cmd[64];
	int i, pages = 0;

	for (i = 0; i < FOREVER_PAGES; i++)
		seed[i] = 1;
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, MOUNT_ERRNO());
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	snprintf(cmd, sizeof(cmd), "epoch p 0 %d 1 full", FOREVER_PAGES);
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, cmd, out, sizeof(out)));
	for (i = 2; i <= 3000; i++) {
		forever_cmd(i, cmd, sizeof(cmd), seed);
		ASSERT_EQ(0, slsfs_debug_cmd(self->dev, cmd, out, sizeof(out)))
			TH_LOG("epoch %d: %s", i, out);
	}
	EXPECT_EQ(3000, verify_latest(self->dev, &pages));
	EXPECT_EQ(0, forever_check(self->dev, seed));
	TH_LOG("%lld index checkpoints, %lld cleaner passes moved %lld KiB, %lld segments free",
	       slsfs_store_figure(self->dev, "index_checkpoints"),
	       slsfs_store_figure(self->dev, "gc_runs"),
	       slsfs_store_figure(self->dev, "gc_moved_bytes") >> 10,
	       slsfs_store_figure(self->dev, "free_segments"));
	EXPECT_LT(0, slsfs_store_figure(self->dev, "index_checkpoints"));
	EXPECT_LT(0, slsfs_store_figure(self->dev, "gc_runs"));
	EXPECT_LT(0, slsfs_store_figure(self->dev, "gc_moved_bytes"));
	EXPECT_LE(2, slsfs_store_figure(self->dev, "free_segments"));
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	EXPECT_EQ(3000, verify_latest(self->dev, &pages));
	EXPECT_EQ(0, forever_check(self->dev, seed));
	/* at most the log of the few segments after the newest checkpoint */
	TH_LOG("the remount replayed %lld chunks",
	       slsfs_store_figure(self->dev, "replayed_chunks"));
	EXPECT_GT(15 * 256 / 2, slsfs_store_figure(self->dev, "replayed_chunks"));
	EXPECT_EQ(3000, slsfs_store_figure(self->dev, "commits"));
	/* and the store goes on after the remount */
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 0 8 3001", out, sizeof(out)));
	EXPECT_EQ(3001, verify_latest(self->dev, &pages));
	EXPECT_EQ(0, umount(self->mnt));
}

/* A checkpoint and a cleaning pass on demand keep every retained epoch. */
TEST_F(slsfs, checkpoint_keeps_epochs)
{
	char out[64], cmd[64];
	long oldest;
	int i, pages;

	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, MOUNT_ERRNO());
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create q", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 0 16 1 full", out, sizeof(out)));
	for (i = 2; i <= 20; i++) {
		snprintf(cmd, sizeof(cmd), "epoch p %d 2 %d", i % 16, i);
		ASSERT_EQ(0, slsfs_debug_cmd(self->dev, cmd, out, sizeof(out)));
	}
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "gc clean", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "remove q", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "gc ckpt", out, sizeof(out)));
	EXPECT_LE(2, slsfs_store_figure(self->dev, "index_checkpoints"));
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	/* only the checkpoint itself was read */
	EXPECT_GT(4, slsfs_store_figure(self->dev, "replayed_chunks"));
	EXPECT_EQ(16, count_epochs(self->mnt, "p", &oldest));
	EXPECT_EQ(5, oldest);
	EXPECT_EQ(-1, count_epochs(self->mnt, "q", &oldest));
	for (i = 5; i <= 20; i++) {
		snprintf(cmd, sizeof(cmd), "verify p %d", i);
		ASSERT_EQ(0, slsfs_debug_cmd(self->dev, cmd, out, sizeof(out)))
			TH_LOG("%s: %s", cmd, out);
	}
	/* the pages epochs 5..20 wrote: i % 16 and the one after */
	EXPECT_EQ(20, verify_latest(self->dev, &pages));
	EXPECT_EQ(17, pages);
	EXPECT_EQ(ENOENT, slsfs_debug_cmd(self->dev, "epoch q 0 1 1", out, sizeof(out)));
	EXPECT_EQ(0, umount(self->mnt));
}

/* An unknown read-only feature allows a read-only mount only. */
TEST_F(slsfs, ro_compat_feature_mounts_read_only)
{
	char out[64];

	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, patch_both(self->img, set_ro_compat));
	EXPECT_EQ(EINVAL, MOUNT_ERRNO());
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", MS_RDONLY, NULL));
	/* nothing is written to a read-only store */
	EXPECT_EQ(EROFS, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	EXPECT_EQ(-1, mount(NULL, self->mnt, NULL, MS_REMOUNT, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, umount(self->mnt));
}

/*
 * A store with one epoch of two pages: the partition's chunk at block 8
 * (the start of segment 0), the pages chunk at 9 with the pages at 10 and
 * 11, the records chunk at 12 with its block at 13, the commit at 14.
 * Sealed, all of it went in one FUA write; else in two steps
 * (sealed_max_blocks 0), the commit after the rest was on the device.
 * With @then, a second epoch follows it.
 */
#define PAGES_CHUNK	(9 * 4096)
#define FIRST_PAGE	(10 * 4096)
#define RECORD_BLOCK	(13 * 4096)
#define COMMIT_CHUNK	(14 * 4096)

static void epoch_store(struct __test_metadata *_metadata,
			struct _test_data_slsfs *self, bool sealed, bool then)
{
	char out[64];

	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, MOUNT_ERRNO());
	if (!sealed)
		ASSERT_EQ(0, slsfs_store_set(self->dev, "sealed_max_blocks", 0));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 0 2 1 full", out, sizeof(out)));
	if (then)
		ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 0 2 2", out, sizeof(out)));
	EXPECT_EQ(sealed ? 1 + then : 0, slsfs_store_figure(self->dev, "sealed_commits"));
	ASSERT_EQ(0, umount(self->mnt));
}

static void one_epoch_store(struct __test_metadata *_metadata,
			    struct _test_data_slsfs *self)
{
	epoch_store(_metadata, self, false, false);
}

/* A damaged chunk before a commit is corruption, not a torn tail. */
TEST_F(slsfs, damaged_chunk_refused)
{
	one_epoch_store(_metadata, self);
	ASSERT_EQ(0, flip_image_bit(self->img, PAGES_CHUNK + 80));
	EXPECT_EQ(EUCLEAN, mount(self->dev, self->mnt, "slsfs", 0, NULL) ? errno : 0);
}

/* A damaged page mounts, and reads back as EUCLEAN. */
TEST_F(slsfs, damaged_page_refused)
{
	char out[64];

	one_epoch_store(_metadata, self);
	ASSERT_EQ(0, flip_image_bit(self->img, FIRST_PAGE + 100));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	EXPECT_EQ(EUCLEAN, slsfs_debug_cmd(self->dev, "verify p 1", out, sizeof(out)));
	EXPECT_EQ(0, umount(self->mnt));
}

/* A damaged record block mounts, and its epoch file reads as EUCLEAN. */
TEST_F(slsfs, damaged_record_refused)
{
	char path[96], buf[64];
	int fd;

	one_epoch_store(_metadata, self);
	ASSERT_EQ(0, flip_image_bit(self->img, RECORD_BLOCK + 30));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/p/1", self->mnt);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EUCLEAN, errno);
	close(fd);
	EXPECT_EQ(0, umount(self->mnt));
}

/*
 * When the log ends with a sealed epoch, damage in it cannot be told from
 * a write the crash cut short: the epoch is dropped as torn, whether the
 * damage is in a chunk, a page or a record block.  Damage @at, mount and
 * find the epoch gone.
 */
static void expect_torn_tail(struct __test_metadata *_metadata,
			     struct _test_data_slsfs *self, off_t at)
{
	char path[96];
	struct stat st;

	ASSERT_EQ(0, flip_image_bit(self->img, at));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	EXPECT_EQ(1, slsfs_store_figure(self->dev, "torn_epochs"));
	EXPECT_EQ(0, slsfs_store_figure(self->dev, "commits"));
	snprintf(path, sizeof(path), "%s/p/1", self->mnt);
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(0, umount(self->mnt));
}

static void sealed_tail_damaged(struct __test_metadata *_metadata,
				struct _test_data_slsfs *self, off_t at)
{
	epoch_store(_metadata, self, true, false);
	expect_torn_tail(_metadata, self, at);
}

TEST_F(slsfs, sealed_tail_damaged_chunk_is_torn)
{
	sealed_tail_damaged(_metadata, self, PAGES_CHUNK + 80);
}

TEST_F(slsfs, sealed_tail_damaged_page_is_torn)
{
	sealed_tail_damaged(_metadata, self, FIRST_PAGE + 100);
}

TEST_F(slsfs, sealed_tail_damaged_record_is_torn)
{
	sealed_tail_damaged(_metadata, self, RECORD_BLOCK + 30);
}

/* A sealed epoch that another follows was whole: damage in it is corruption. */
TEST_F(slsfs, sealed_damage_refused_once_followed)
{
	char out[64];

	epoch_store(_metadata, self, true, true);
	ASSERT_EQ(0, flip_image_bit(self->img, FIRST_PAGE + 100));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	EXPECT_EQ(2, slsfs_store_figure(self->dev, "commits"));
	EXPECT_EQ(EUCLEAN, slsfs_debug_cmd(self->dev, "verify p 1", out, sizeof(out)));
	EXPECT_EQ(0, umount(self->mnt));

	ASSERT_EQ(0, flip_image_bit(self->img, PAGES_CHUNK + 80));
	EXPECT_EQ(EUCLEAN, mount(self->dev, self->mnt, "slsfs", 0, NULL) ? errno : 0);
}

/* sealed_max_blocks takes 0 to 4096. */
TEST_F(slsfs, sealed_max_blocks_bounds)
{
	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, MOUNT_ERRNO());
	EXPECT_EQ(1024, slsfs_store_figure(self->dev, "sealed_max_blocks"));
	EXPECT_EQ(EINVAL, slsfs_store_set(self->dev, "sealed_max_blocks", 4097));
	EXPECT_EQ(EINVAL, slsfs_store_set(self->dev, "sealed_max_blocks", -1));
	EXPECT_EQ(0, slsfs_store_set(self->dev, "sealed_max_blocks", 4096));
	EXPECT_EQ(4096, slsfs_store_figure(self->dev, "sealed_max_blocks"));
	EXPECT_EQ(0, umount(self->mnt));
}

/*
 * An epoch bigger than a bio takes (BIO_MAX_VECS, 256 blocks) is sealed in
 * several FUA writes; at the end of the log, replay reads all of them back
 * and takes it.  Then a page of it damaged makes it a torn tail.
 */
TEST_F(slsfs, sealed_epoch_of_several_writes)
{
	char out[64];

	ASSERT_EQ(0, format_image_segs(self->img, 32 * MiB, "4M"));
	ASSERT_EQ(0, MOUNT_ERRNO());
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 0 600 1 full", out, sizeof(out)));
	EXPECT_EQ(1, slsfs_store_figure(self->dev, "sealed_commits"));
	ASSERT_EQ(0, umount(self->mnt));

	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	EXPECT_EQ(0, slsfs_store_figure(self->dev, "torn_epochs"));
	EXPECT_EQ(1, slsfs_store_figure(self->dev, "commits"));
	EXPECT_EQ(0, slsfs_debug_cmd(self->dev, "verify p 1", out, sizeof(out)));
	ASSERT_EQ(0, umount(self->mnt));

	/* a block in the second of its three writes */
	expect_torn_tail(_metadata, self, FIRST_PAGE + 500 * 4096 + 7);
}

/* A crash before the commit: the epoch is dropped at mount, and counted. */
TEST_F(slsfs, torn_epoch_dropped)
{
	static const char zero[4096];
	char path[96];
	struct stat st;
	int fd;

	one_epoch_store(_metadata, self);
	fd = open(self->img, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(zero), pwrite(fd, zero, sizeof(zero), COMMIT_CHUNK));
	ASSERT_EQ(0, fsync(fd));
	close(fd);
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	EXPECT_EQ(1, slsfs_store_figure(self->dev, "torn_epochs"));
	EXPECT_EQ(0, slsfs_store_figure(self->dev, "commits"));
	snprintf(path, sizeof(path), "%s/p", self->mnt);
	EXPECT_EQ(0, stat(path, &st));
	snprintf(path, sizeof(path), "%s/p/1", self->mnt);
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(0, umount(self->mnt));
}

/* A removed partition stays removed; its name can be taken again. */
TEST_F(slsfs, removed_partition_gone)
{
	char out[64], path[96];
	struct stat st;

	one_epoch_store(_metadata, self);
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "remove p", out, sizeof(out)));
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/p", self->mnt);
	EXPECT_EQ(-1, stat(path, &st));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	EXPECT_EQ(ESTALE, slsfs_debug_cmd(self->dev, "verify p 1", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 0 1 3", out, sizeof(out)));
	EXPECT_EQ(1, epoch_of(out));
	EXPECT_EQ(0, umount(self->mnt));
}

/* Names that are no epoch or partition are not found. */
TEST_F(slsfs, bad_names_not_found)
{
	static const char *const bad[] = {
		"p/0", "p/01", "p/+1", "p/2", "p/1x", "p/latestx", "nope",
	};
	char path[96];
	struct stat st;
	unsigned int i;

	one_epoch_store(_metadata, self);
	ASSERT_EQ(0, mount(self->dev, self->mnt, "slsfs", 0, NULL));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->mnt, bad[i]);
		EXPECT_EQ(-1, stat(path, &st)) {
			TH_LOG("%s", bad[i]);
		}
		EXPECT_EQ(ENOENT, errno);
	}
	snprintf(path, sizeof(path), "%s/p/1", self->mnt);
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_EQ(0, umount(self->mnt));
}

/* The debugfs driver refuses what it cannot do, with the errno why. */
TEST_F(slsfs, bad_commands_refused)
{
	static const struct {
		const char *cmd;
		int err;
	} bad[] = {
		{ "bogus p", EINVAL },
		{ "create", EINVAL },
		{ "create p q", EINVAL },
		{ "create a/b", EINVAL },
		{ "create ..", EINVAL },
		{ "create xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		  ENAMETOOLONG },
		{ "create p", EEXIST },
		{ "remove nope", ENOENT },
		{ "epoch nope 0 1 1", ENOENT },
		{ "epoch p 0 1 x", EINVAL },
		{ "epoch p 0 1 1 partial", EINVAL },
		{ "epoch p 0 65537 1", EINVAL },
		{ "epoch p 65536 1 1", EINVAL },
		{ "verify p 2", ESTALE },
		{ "verify p 18446744073709551615", ESTALE },
		{ "verify p 18446744073709551616", EINVAL },
		{ "page p 0 7", ENODATA },
		{ "page p 2 0", ESTALE },
		{ "page p 0", EINVAL },
		{ "verify nope 0", ENOENT },
	};
	char out[64];
	unsigned int i;

	ASSERT_EQ(0, format_image(self->img, IMG_SIZE));
	ASSERT_EQ(0, MOUNT_ERRNO());
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "create p", out, sizeof(out)));
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "epoch p 0 1 1", out, sizeof(out)));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(bad[i].err, slsfs_debug_cmd(self->dev, bad[i].cmd, out, sizeof(out))) {
			TH_LOG("'%s': %s", bad[i].cmd, out);
		}
	}
	/* nothing of the above changed the store */
	ASSERT_EQ(0, slsfs_debug_cmd(self->dev, "verify p 0", out, sizeof(out)));
	EXPECT_STREQ("ok epoch 1 pages 1\n", out);
	EXPECT_EQ(0, umount(self->mnt));
}

TEST_HARNESS_MAIN
