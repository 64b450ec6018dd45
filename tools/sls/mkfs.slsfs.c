// SPDX-License-Identifier: GPL-2.0
/*
 * mkfs.slsfs: format a block device or a regular file as an slsfs store.
 *
 *   mkfs.slsfs [--segment-size BYTES] [--force] [--quiet] DEV
 *
 * Writes the two superblock slots (generation 0 in block 0, generation 1
 * in block 1) and zeroes the blocks up to and including the first block of
 * segment 0, where the log starts.  The format is fs/slsfs/slsfs_fs.h and
 * fs/slsfs/FORMAT.md.
 *
 * Exit status: 0 success, 1 the device cannot be formatted, 2 bad usage.
 * An error is one line on stderr naming the device and why.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/types.h>

#include "slsfs_fs.h"
#include "slsfs_crc.h"

#define EXIT_USAGE		2

#define SEG_BLOCKS_DEFAULT	256	/* 1 MiB */


static const char *prog = "mkfs.slsfs";

static void print_help(FILE *f)
{
	fprintf(f,
		"usage: %s [OPTIONS] DEV\n"
		"\n"
		"Format the block device or regular file DEV as an slsfs store.\n"
		"\n"
		"  -s, --segment-size BYTES  segment size, a power of two from %u KiB\n"
		"                            to %u MiB; K and M suffixes accepted\n"
		"                            (default %u MiB)\n"
		"  -f, --force               format DEV even if it appears mounted\n"
		"  -q, --quiet               print nothing on success\n"
		"  -h, --help                show this help\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 bad usage.\n",
		prog, SLSFS_SEG_BLOCKS_MIN * SLSFS_BLOCK_SIZE >> 10,
		SLSFS_SEG_BLOCKS_MAX * (SLSFS_BLOCK_SIZE >> 10) >> 10,
		SEG_BLOCKS_DEFAULT * SLSFS_BLOCK_SIZE >> 20);
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", prog);
	return EXIT_USAGE;
}

/* "mkfs.slsfs: DEV: message" on stderr; returns EXIT_FAILURE. */
static int dev_error(const char *dev, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", prog, dev);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

/*
 * Parse a segment size in bytes, with an optional K or M suffix, into
 * blocks.  Returns 0 or -1 when it is not a valid segment size.
 */
static int parse_seg_size(const char *arg, uint32_t *seg_blocks)
{
	unsigned long long bytes, blocks;
	char *end;

	if (*arg < '0' || *arg > '9')
		return -1;
	errno = 0;
	bytes = strtoull(arg, &end, 10);
	if (errno || bytes > ULLONG_MAX >> 20)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		bytes <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		bytes <<= 20;
		end++;
		break;
	}
	if (*end || bytes % SLSFS_BLOCK_SIZE)
		return -1;
	blocks = bytes / SLSFS_BLOCK_SIZE;
	if (blocks < SLSFS_SEG_BLOCKS_MIN || blocks > SLSFS_SEG_BLOCKS_MAX ||
	    blocks & (blocks - 1))
		return -1;
	*seg_blocks = blocks;
	return 0;
}

static int fill_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len) {
		n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

static void format_uuid(const __u8 *u, char *buf, size_t len)
{
	snprintf(buf, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* A size in the largest binary unit that divides it. */
static void format_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned int i = 0;

	while (i < 4 && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		i++;
	}
	snprintf(buf, len, "%llu %s", bytes, units[i]);
}

/* Fill in generation 0 of the superblock; the crc is left for the slot. */
static int init_super(struct slsfs_super *sup, uint64_t nr_blocks,
		      uint32_t seg_blocks, uint32_t nr_segs)
{
	uint64_t store_id;

	memset(sup, 0, sizeof(*sup));
	do {
		if (fill_random(&store_id, sizeof(store_id)))
			return -1;
	} while (!store_id);
	if (fill_random(sup->uuid, sizeof(sup->uuid)))
		return -1;
	sup->uuid[6] = (sup->uuid[6] & 0x0f) | 0x40;	/* version 4 */
	sup->uuid[8] = (sup->uuid[8] & 0x3f) | 0x80;	/* RFC 4122 variant */

	sup->magic = htole32(SLSFS_SUPER_MAGIC);
	sup->version = htole32(SLSFS_VERSION);
	sup->block_size = htole32(SLSFS_BLOCK_SIZE);
	sup->store_id = htole64(store_id);
	sup->nr_blocks = htole64(nr_blocks);
	sup->seg_start = htole64(SLSFS_SEG_START_MIN);
	sup->seg_blocks = htole32(seg_blocks);
	sup->nr_segs = htole32(nr_segs);
	sup->log_lsn = htole64(1);
	sup->log_addr = htole64(SLSFS_SEG_START_MIN);
	sup->mkfs_time = htole64((uint64_t)time(NULL));
	return 0;
}

/*
 * Zero the blocks between the superblocks and segment 0 and the first
 * block of segment 0, then write both slots and make it all durable.
 */
static int write_store(int fd, struct slsfs_super *sup)
{
	static char block[SLSFS_BLOCK_SIZE];
	unsigned int slot;
	uint64_t addr;

	for (addr = SLSFS_SUPER_SLOTS; addr <= SLSFS_SEG_START_MIN; addr++)
		if (write_all(fd, block, sizeof(block), addr * SLSFS_BLOCK_SIZE))
			return -1;
	for (slot = 0; slot < SLSFS_SUPER_SLOTS; slot++) {
		sup->generation = htole64(slot);
		slsfs_super_seal(sup);
		memcpy(block, sup, sizeof(*sup));
		if (write_all(fd, block, sizeof(block), slot * SLSFS_BLOCK_SIZE))
			return -1;
	}
	return fsync(fd);
}

static int mkfs(const char *dev, uint32_t seg_blocks, bool force, bool quiet)
{
	char uuid[37], size[32], seg_size[32];
	uint64_t bytes, nr_blocks, nr_segs;
	struct slsfs_super sup;
	struct stat st;
	int fd, flags = O_RDWR | O_CLOEXEC;

	/*
	 * A block device's exclusive open fails while a filesystem holds it;
	 * for a regular file O_EXCL without O_CREAT does nothing.
	 */
	if (!force)
		flags |= O_EXCL;
	fd = open(dev, flags);
	if (fd < 0 && errno == EBUSY)
		return dev_error(dev, "in use (mounted?); not formatting it");
	if (fd < 0)
		return dev_error(dev, "%s", strerror(errno));
	if (fstat(fd, &st))
		goto fail_errno;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &bytes))
			goto fail_errno;
	} else if (S_ISREG(st.st_mode)) {
		bytes = st.st_size;
	} else {
		close(fd);
		return dev_error(dev, "not a block device or a regular file");
	}

	nr_blocks = bytes / SLSFS_BLOCK_SIZE;
	nr_segs = nr_blocks > SLSFS_SEG_START_MIN ?
		  (nr_blocks - SLSFS_SEG_START_MIN) / seg_blocks : 0;
	format_size(bytes, size, sizeof(size));
	format_size((uint64_t)seg_blocks * SLSFS_BLOCK_SIZE, seg_size, sizeof(seg_size));
	if (nr_segs < SLSFS_SEGS_MIN) {
		close(fd);
		return dev_error(dev, "too small: %s holds %llu segments of %s, at least %u needed",
				 size, (unsigned long long)nr_segs, seg_size,
				 SLSFS_SEGS_MIN);
	}
	if (nr_segs > UINT32_MAX) {
		close(fd);
		return dev_error(dev, "too large: %s holds %llu segments of %s, at most %u allowed",
				 size, (unsigned long long)nr_segs, seg_size,
				 UINT32_MAX);
	}

	if (init_super(&sup, nr_blocks, seg_blocks, nr_segs))
		goto fail_errno;
	if (write_store(fd, &sup))
		goto fail_errno;
	if (close(fd))
		return dev_error(dev, "%s", strerror(errno));

	if (!quiet) {
		format_uuid(sup.uuid, uuid, sizeof(uuid));
		printf("%s: %s, %llu segments of %s, uuid %s\n", dev, size,
		       (unsigned long long)nr_segs, seg_size, uuid);
	}
	return EXIT_SUCCESS;

fail_errno:
	dev_error(dev, "%s", strerror(errno));
	close(fd);
	return EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "segment-size", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	uint32_t seg_blocks = SEG_BLOCKS_DEFAULT;
	bool force = false, quiet = false;
	int c;

	while ((c = getopt_long(argc, argv, ":s:fqh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_seg_size(optarg, &seg_blocks))
				return usage_error("bad segment size '%s': a power of two from %u KiB to %u MiB",
						   optarg,
						   SLSFS_SEG_BLOCKS_MIN * SLSFS_BLOCK_SIZE >> 10,
						   SLSFS_SEG_BLOCKS_MAX * (SLSFS_BLOCK_SIZE >> 10) >> 10);
			break;
		case 'f':
			force = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			print_help(stdout);
			return EXIT_SUCCESS;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_error("no device given");
	if (argc - optind > 1)
		return usage_error("one device only, not '%s' too", argv[optind + 1]);
	return mkfs(argv[optind], seg_blocks, force, quiet);
}
