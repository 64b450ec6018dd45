/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * slsfs on-disk format: only what is on the device, shared with
 * tools/sls/mkfs.slsfs.  FORMAT.md beside this file explains it.
 *
 * Everything is little-endian.  The device is cut into 4 KiB blocks:
 * blocks 0 and 1 hold the two superblock slots, segments of seg_blocks
 * blocks start at block seg_start, and the log is a chain of chunks
 * written sequentially through segments.  A chunk is one header block
 * followed by nr_blocks data blocks (page contents or a record stream).
 */
#ifndef _SLSFS_FS_H
#define _SLSFS_FS_H

#include <linux/types.h>

#define SLSFS_BLOCK_SHIFT	12
#define SLSFS_BLOCK_SIZE	(1U << SLSFS_BLOCK_SHIFT)

#define SLSFS_SUPER_MAGIC	0x534c5346	/* "SLSF" */
#define SLSFS_CHUNK_MAGIC	0x534c4348	/* "SLCH" */
#define SLSFS_RECORD_MAGIC	0x534c5245	/* "SLRE" */

#define SLSFS_VERSION		1

/* Superblock slots: written alternately, the valid one of higher generation wins. */
#define SLSFS_SUPER_SLOTS	2
#define SLSFS_SEG_START_MIN	8	/* blocks before segment 0 */
#define SLSFS_SEGS_MIN		4	/* a device with fewer segments is too small */
#define SLSFS_SEG_BLOCKS_MIN	16
#define SLSFS_SEG_BLOCKS_MAX	(1U << 16)
#define SLSFS_NAME_LEN		64	/* a partition name and its NUL */

/*
 * Feature masks.  A mount refuses a device with an incompat bit it does
 * not know, mounts it read-only for an unknown ro_compat bit and ignores
 * unknown compat bits.
 */
#define SLSFS_FEATURE_INCOMPAT_CKPT	(1ULL << 0)	/* ckpt_addr names an index checkpoint */
#define SLSFS_FEATURE_INCOMPAT_CLEAR	(1ULL << 1)	/* the log may hold CLEAR chunks */
#define SLSFS_FEATURE_INCOMPAT_SEALED	(1ULL << 2)	/* ... and sealed commits */

#define SLSFS_FEATURE_COMPAT_SUPP	0ULL
#define SLSFS_FEATURE_RO_COMPAT_SUPP	0ULL
#define SLSFS_FEATURE_INCOMPAT_SUPP	(SLSFS_FEATURE_INCOMPAT_CKPT | \
					 SLSFS_FEATURE_INCOMPAT_CLEAR | \
					 SLSFS_FEATURE_INCOMPAT_SEALED)

/**
 * struct slsfs_super - a superblock slot, at the start of block 0 or 1
 * @magic:		SLSFS_SUPER_MAGIC
 * @crc:		crc32c of the whole struct, this field taken as zero
 * @version:		SLSFS_VERSION
 * @block_size:		SLSFS_BLOCK_SIZE
 * @generation:		bumped on every superblock write
 * @store_id:		random at mkfs; every chunk carries it
 * @feature_compat:	see SLSFS_FEATURE_*
 * @feature_ro_compat:	see SLSFS_FEATURE_*
 * @feature_incompat:	see SLSFS_FEATURE_*
 * @nr_blocks:		device size at mkfs, in blocks
 * @seg_start:		first block of segment 0
 * @seg_blocks:		blocks per segment
 * @nr_segs:		segments on the device
 * @log_lsn:		sequence number of the chunk at @log_addr
 * @log_addr:		where mount starts reading the log: the first chunk
 *			after the newest index checkpoint, or the log's start
 * @ckpt_addr:		first chunk of the newest index checkpoint, 0 if none
 * @ckpt_lsn:		its sequence number
 * @log_next_seg:	with a checkpoint, the segment the log goes on in
 *			after @log_addr's (SLSFS_FEATURE_INCOMPAT_CKPT)
 * @mkfs_time:		seconds since the epoch, at mkfs
 * @uuid:		shown in sysfs and by slsctl
 */
struct slsfs_super {
	__le32 magic;
	__le32 crc;
	__le32 version;
	__le32 block_size;
	__le64 generation;
	__le64 store_id;
	__le64 feature_compat;
	__le64 feature_ro_compat;
	__le64 feature_incompat;
	__le64 nr_blocks;
	__le64 seg_start;
	__le32 seg_blocks;
	__le32 nr_segs;
	__le64 log_lsn;
	__le64 log_addr;
	__le64 ckpt_addr;
	__le64 ckpt_lsn;
	__le64 mkfs_time;
	__u8 uuid[16];
	__le32 log_next_seg;
	__le32 reserved32;
	__le64 reserved[14];
};

/* Chunk types. */
enum slsfs_chunk_type {
	SLSFS_CHUNK_PAGES	= 1,	/* page contents; entries: slsfs_page_entry */
	SLSFS_CHUNK_RECORDS	= 2,	/* an epoch's record stream; entries: __le32 crc per block */
	SLSFS_CHUNK_COMMIT	= 3,	/* an epoch is durable; entry: slsfs_commit */
	SLSFS_CHUNK_PART	= 4,	/* partition created or removed; entry: slsfs_part */
	SLSFS_CHUNK_SEGEND	= 5,	/* the log goes on at next_seg */
	SLSFS_CHUNK_DISCARD	= 6,	/* epochs of part_id after epoch are gone */
	SLSFS_CHUNK_CKPT	= 7,	/* a run of an index checkpoint; entries: __le32 crc per block */
	SLSFS_CHUNK_MOVED	= 8,	/* blocks the cleaner copied; entries: __le32 crc per block */
	SLSFS_CHUNK_CLEAR	= 9,	/* pages an epoch holds no more; entries: slsfs_clear_entry */
	SLSFS_CHUNK_TYPE_MAX
};

/**
 * struct slsfs_chunk - the header block of a chunk
 * @magic:	SLSFS_CHUNK_MAGIC
 * @type:	enum slsfs_chunk_type
 * @flags:	none defined; must be zero
 * @len:	bytes of the header block in use: this struct plus entries
 * @crc:	crc32c of those @len bytes, this field taken as zero
 * @lsn:	log sequence number; each chunk's is its predecessor's plus one
 * @gen:	superblock generation of the mount that wrote it; never lower
 *		than its predecessor's, so a stale chunk of an earlier mount
 *		found where the log goes on is not taken for a new one
 * @store_id:	the superblock's; a chunk left by an earlier mkfs is stale
 * @part_id:	the partition it belongs to, 0 for none
 * @epoch:	the epoch it belongs to, 0 for none
 * @nr_blocks:	data blocks that follow the header in the same segment
 * @nr_entries:	entries after this struct, their kind set by @type
 * @next_seg:	the segment the log goes on in once this one is left
 */
struct slsfs_chunk {
	__le32 magic;
	__le16 type;
	__le16 flags;
	__le32 len;
	__le32 crc;
	__le64 lsn;
	__le64 gen;
	__le64 store_id;
	__le64 part_id;
	__le64 epoch;
	__le32 nr_blocks;
	__le32 nr_entries;
	__le32 next_seg;
	__le32 reserved;
};

/* One page of a SLSFS_CHUNK_PAGES chunk: its owner and its checksum. */
struct slsfs_page_entry {
	__le64 obj;	/* object id chosen by the partition's owner */
	__le64 index;	/* page index inside the object */
	__le32 crc;	/* crc32c of the page's 4 KiB */
	__le32 reserved;
};

/*
 * One run of a SLSFS_CHUNK_CLEAR chunk: as of the chunk's epoch, pages
 * [start, end) of the object are gone (memory given back, an address
 * space that went away) and read as no copy at all, not as the copies
 * older epochs wrote.
 */
struct slsfs_clear_entry {
	__le64 obj;
	__le64 start;
	__le64 end;
};

#define SLSFS_COMMIT_FULL	(1U << 0)	/* holds every page: no parent */
/*
 * Holds pages of a region only: what else the partition was, a restore
 * takes from the newest whole epoch before it, which retention keeps.
 */
#define SLSFS_COMMIT_PARTIAL	(1U << 1)
#define SLSFS_COMMIT_FLAGS	(SLSFS_COMMIT_FULL | SLSFS_COMMIT_PARTIAL)
/*
 * Written in the same FUA write as the epoch's other chunks, which @span
 * blocks before it start: a crash may leave it without some of them, so
 * replay checks their data blocks when nothing in the log follows it.
 * Not a flag of the epoch: an index checkpoint never holds it.
 */
#define SLSFS_COMMIT_SEALED	(1U << 2)

/* The one entry of a SLSFS_CHUNK_COMMIT chunk. */
struct slsfs_commit {
	__le64 parent;		/* previous epoch of the chain, 0 if none */
	__le64 oldest;		/* oldest epoch still retained after this one */
	__le64 nr_pages;	/* pages the epoch wrote */
	__le64 record_bytes;	/* length of its record stream */
	__le64 time_ns;		/* CLOCK_REALTIME of the checkpoint */
	__le32 flags;		/* SLSFS_COMMIT_* */
	__le32 span;		/* SEALED: blocks from its epoch's first chunk, else 0 */
};

#define SLSFS_PART_REMOVED	(1U << 0)

/* The one entry of a SLSFS_CHUNK_PART chunk. */
struct slsfs_part {
	char name[SLSFS_NAME_LEN];	/* NUL-terminated */
	__le64 period_ms;
	__le64 keep_epochs;
	__le64 attr_flags;		/* struct sls_attr's flags */
	__le32 flags;			/* SLSFS_PART_* */
	__le32 reserved;
};

/*
 * struct slsfs_record - header of one record in an epoch's record stream
 * @magic:	SLSFS_RECORD_MAGIC
 * @type:	chosen by the stream's writer (kernel/sls)
 * @flags:	none defined; must be zero
 * @len:	payload bytes that follow; the next record starts 8-aligned
 * @crc:	crc32c of header and payload, this field taken as zero
 * @epoch:	the epoch of the stream
 */
struct slsfs_record {
	__le32 magic;
	__le16 type;
	__le16 flags;
	__le32 len;
	__le32 crc;
	__le64 epoch;
};

/*
 * An index checkpoint: the store in memory as a stream of 8-aligned
 * little-endian structs, carried by the data blocks of consecutive CKPT
 * chunks.  A head, then for each partition a slsfs_ckpt_part followed by
 * its epochs and then its page versions.
 */
#define SLSFS_CKPT_MAGIC	0x534c434b	/* "SLCK" */

/**
 * struct slsfs_ckpt_head - the start of an index checkpoint's stream
 * @magic:		SLSFS_CKPT_MAGIC
 * @nr_parts:		partitions that follow
 * @stream_bytes:	length of the whole stream, this head included
 * @next_part_id:	the id the next partition gets
 * @commits:		epochs committed in the store's life
 */
struct slsfs_ckpt_head {
	__le32 magic;
	__le32 nr_parts;
	__le64 stream_bytes;
	__le64 next_part_id;
	__le64 commits;
};

/**
 * struct slsfs_ckpt_part - a partition in an index checkpoint
 * @part:		as its PART chunk had it (flags zero)
 * @id:			its id
 * @next_epoch:		one more than the newest epoch it ever committed
 * @nr_epochs:		slsfs_ckpt_epoch entries that follow
 * @reserved:		zero
 * @nr_versions:	slsfs_ckpt_version entries after the epochs
 */
struct slsfs_ckpt_part {
	struct slsfs_part part;
	__le64 id;
	__le64 next_epoch;
	__le32 nr_epochs;
	__le32 reserved;
	__le64 nr_versions;
};

/**
 * struct slsfs_ckpt_epoch - a retained epoch in an index checkpoint
 * @commit:	its commit entry (oldest: the epoch itself)
 * @epoch:	its number
 * @nr_extents:	where its record stream is: that many slsfs_ckpt_extent
 * @nr_refs:	the pages it wrote: that many slsfs_ckpt_ref after them
 *
 * The extents are followed by one __le32 checksum per record block,
 * padded to 8 bytes, then by the refs.
 */
struct slsfs_ckpt_epoch {
	struct slsfs_commit commit;
	__le64 epoch;
	__le32 nr_extents;
	__le32 nr_refs;
};

struct slsfs_ckpt_extent {
	__le64 addr;
	__le32 nr_blocks;
	__le32 reserved;
};

struct slsfs_ckpt_ref {
	__le64 obj;
	__le64 index;
};

/*
 * A copy of a page in the index; a page's versions come oldest first.  One
 * with @addr 0 (a superblock's block, never a page's) and @crc 0 says the
 * page is gone as of @epoch (SLSFS_CHUNK_CLEAR).
 */
struct slsfs_ckpt_version {
	__le64 obj;
	__le64 index;
	__le64 epoch;
	__le64 addr;
	__le32 crc;
	__le32 reserved;
};

#define SLSFS_CHUNK_ROOM	(SLSFS_BLOCK_SIZE - sizeof(struct slsfs_chunk))
#define SLSFS_PAGES_PER_CHUNK	(SLSFS_CHUNK_ROOM / sizeof(struct slsfs_page_entry))
#define SLSFS_BLOCKS_PER_RECORDS_CHUNK	(SLSFS_CHUNK_ROOM / sizeof(__le32))
#define SLSFS_CLEARS_PER_CHUNK	(SLSFS_CHUNK_ROOM / sizeof(struct slsfs_clear_entry))

/* The layout is ABI: user space (mkfs.slsfs) checks it too. */
_Static_assert(sizeof(struct slsfs_super) == 256, "struct slsfs_super is 256 bytes");
_Static_assert(sizeof(struct slsfs_chunk) == 72, "struct slsfs_chunk is 72 bytes");
_Static_assert(sizeof(struct slsfs_page_entry) == 24, "struct slsfs_page_entry is 24 bytes");
_Static_assert(sizeof(struct slsfs_clear_entry) == 24, "struct slsfs_clear_entry is 24 bytes");
_Static_assert(sizeof(struct slsfs_commit) == 48, "struct slsfs_commit is 48 bytes");
_Static_assert(sizeof(struct slsfs_part) == 96, "struct slsfs_part is 96 bytes");
_Static_assert(sizeof(struct slsfs_record) == 24, "struct slsfs_record is 24 bytes");
_Static_assert(sizeof(struct slsfs_ckpt_head) == 32, "struct slsfs_ckpt_head is 32 bytes");
_Static_assert(sizeof(struct slsfs_ckpt_part) == 128, "struct slsfs_ckpt_part is 128 bytes");
_Static_assert(sizeof(struct slsfs_ckpt_epoch) == 64, "struct slsfs_ckpt_epoch is 64 bytes");
_Static_assert(sizeof(struct slsfs_ckpt_extent) == 16, "struct slsfs_ckpt_extent is 16 bytes");
_Static_assert(sizeof(struct slsfs_ckpt_ref) == 16, "struct slsfs_ckpt_ref is 16 bytes");
_Static_assert(sizeof(struct slsfs_ckpt_version) == 40, "struct slsfs_ckpt_version is 40 bytes");

#endif /* _SLSFS_FS_H */
