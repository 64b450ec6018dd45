// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: checks and seals of the on-disk structures.
 *
 * Everything read from the device is checked here before any other code
 * looks at it, so that a foreign or corrupt device gets a clean errno and
 * the reason, never an oops.  The functions are pure: KUnit calls them on
 * buffers in memory.
 */
#include <linux/crc32c.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/slsfs.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "internal.h"

/**
 * slsfs_crc - CRC-32C of a structure whose own checksum field is zero
 * @buf:	the structure
 * @len:	its length
 * @crc_off:	offset of its __le32 checksum field
 *
 * The standard CRC-32C (initial value and final xor all ones), so that
 * mkfs.slsfs and debugging tools compute the same value.
 */
u32 slsfs_crc(const void *buf, size_t len, size_t crc_off)
{
	static const u8 zero[sizeof(__le32)];
	u32 crc;

	crc = crc32c(~0U, buf, crc_off);
	crc = crc32c(crc, zero, sizeof(zero));
	crc = crc32c(crc, buf + crc_off + sizeof(zero),
		     len - crc_off - sizeof(zero));
	return ~crc;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_crc);

/* CRC-32C of a data block: a page or a block of a record stream. */
u32 slsfs_block_crc(const void *block)
{
	return ~crc32c(~0U, block, SLSFS_BLOCK_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_block_crc);

void slsfs_super_seal(struct slsfs_super *sup)
{
	sup->crc = cpu_to_le32(slsfs_crc(sup, sizeof(*sup),
					 offsetof(struct slsfs_super, crc)));
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_super_seal);

/* With a checkpoint, where it is and where the log goes on must make sense. */
static bool slsfs_ckpt_fields_ok(const struct slsfs_super *sup)
{
	u64 seg_of_log = (le64_to_cpu(sup->log_addr) - le64_to_cpu(sup->seg_start)) /
			 le32_to_cpu(sup->seg_blocks);
	u32 next = le32_to_cpu(sup->log_next_seg);

	if (!(le64_to_cpu(sup->feature_incompat) & SLSFS_FEATURE_INCOMPAT_CKPT))
		return !sup->ckpt_addr && !sup->log_next_seg;
	return sup->ckpt_addr && next < le32_to_cpu(sup->nr_segs) && next != seg_of_log;
}

static bool slsfs_geo_ok(const struct slsfs_super *sup, const char **why)
{
	u32 seg_blocks = le32_to_cpu(sup->seg_blocks);
	u32 nr_segs = le32_to_cpu(sup->nr_segs);
	u64 seg_start = le64_to_cpu(sup->seg_start);
	u64 end = seg_start + (u64)nr_segs * seg_blocks;	/* u32 * u32: no overflow */

	if (!is_power_of_2(seg_blocks) || seg_blocks < SLSFS_SEG_BLOCKS_MIN ||
	    seg_blocks > SLSFS_SEG_BLOCKS_MAX)
		*why = "bad segment size";
	else if (nr_segs < SLSFS_SEGS_MIN)
		*why = "too few segments";
	else if (seg_start < SLSFS_SEG_START_MIN || seg_start > U32_MAX)
		*why = "bad start of segments";
	else if (end > le64_to_cpu(sup->nr_blocks))
		*why = "segments beyond the end of the store";
	else if (le64_to_cpu(sup->log_addr) < seg_start ||
		 le64_to_cpu(sup->log_addr) >= end)
		*why = "log start outside the segments";
	else if (sup->ckpt_addr && (le64_to_cpu(sup->ckpt_addr) < seg_start ||
				    le64_to_cpu(sup->ckpt_addr) >= end))
		*why = "index checkpoint outside the segments";
	else if (!slsfs_ckpt_fields_ok(sup))
		*why = "bad index checkpoint fields";
	else
		return true;
	return false;
}

/**
 * slsfs_super_check - is a superblock slot usable?
 * @sup:	the slot's contents
 * @slot:	0 or 1
 * @dev_blocks:	size of the device, in blocks
 * @why:	set to the reason when it is not
 *
 * Return: 0 or -EINVAL.
 */
int slsfs_super_check(const struct slsfs_super *sup, unsigned int slot,
		      u64 dev_blocks, const char **why)
{
	*why = NULL;
	if (le32_to_cpu(sup->magic) != SLSFS_SUPER_MAGIC)
		*why = "no slsfs superblock";
	else if (le32_to_cpu(sup->crc) !=
		 slsfs_crc(sup, sizeof(*sup), offsetof(struct slsfs_super, crc)))
		*why = "superblock checksum mismatch";
	else if (le32_to_cpu(sup->version) != SLSFS_VERSION)
		*why = "unknown format version";
	else if (le32_to_cpu(sup->block_size) != SLSFS_BLOCK_SIZE)
		*why = "unsupported block size";
	else if (le64_to_cpu(sup->generation) % SLSFS_SUPER_SLOTS != slot)
		*why = "superblock generation in the wrong slot";
	else if (le64_to_cpu(sup->feature_incompat) & ~SLSFS_FEATURE_INCOMPAT_SUPP)
		*why = "unknown incompatible features";
	else if (!sup->store_id)
		*why = "zero store id";
	else if (!slsfs_geo_ok(sup, why))
		;
	else if (le64_to_cpu(sup->nr_blocks) > dev_blocks)
		*why = "device smaller than the store (truncated?)";
	return *why ? -EINVAL : 0;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_super_check);

/**
 * slsfs_super_choose - pick the superblock slot to mount from
 * @s0:		slot 0
 * @s1:		slot 1
 * @dev_blocks:	size of the device, in blocks
 * @why:	set to why neither is usable (slot 0's reason)
 *
 * A torn superblock write leaves the other slot, one generation older,
 * intact; of two valid slots the newer wins.
 *
 * Return: the slot, or -EINVAL.
 */
int slsfs_super_choose(const struct slsfs_super *s0, const struct slsfs_super *s1,
		       u64 dev_blocks, const char **why)
{
	const char *why1;
	bool ok0 = !slsfs_super_check(s0, 0, dev_blocks, why);
	bool ok1 = !slsfs_super_check(s1, 1, dev_blocks, &why1);

	if (ok0 && ok1)
		return le64_to_cpu(s1->generation) > le64_to_cpu(s0->generation);
	if (ok0 || ok1)
		return ok1;
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_super_choose);

void slsfs_geo_from_super(struct slsfs_geo *geo, const struct slsfs_super *sup)
{
	geo->store_id = le64_to_cpu(sup->store_id);
	geo->nr_blocks = le64_to_cpu(sup->nr_blocks);
	geo->seg_start = le64_to_cpu(sup->seg_start);
	geo->seg_blocks = le32_to_cpu(sup->seg_blocks);
	geo->nr_segs = le32_to_cpu(sup->nr_segs);
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_geo_from_super);

u64 slsfs_seg_of(const struct slsfs_geo *geo, u64 addr)
{
	return (addr - geo->seg_start) / geo->seg_blocks;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_seg_of);

u64 slsfs_seg_addr(const struct slsfs_geo *geo, u64 seg)
{
	return geo->seg_start + seg * geo->seg_blocks;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_seg_addr);

void slsfs_chunk_seal(struct slsfs_chunk *ch)
{
	ch->crc = cpu_to_le32(slsfs_crc(ch, le32_to_cpu(ch->len),
					offsetof(struct slsfs_chunk, crc)));
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_chunk_seal);

/* Entry size and the entries and data blocks a chunk type may have. */
static bool slsfs_chunk_shape_ok(const struct slsfs_chunk *ch)
{
	u32 nr_blocks = le32_to_cpu(ch->nr_blocks);
	u32 nr = le32_to_cpu(ch->nr_entries);
	size_t size;

	switch (le16_to_cpu(ch->type)) {
	case SLSFS_CHUNK_PAGES:
		size = sizeof(struct slsfs_page_entry);
		if (nr != nr_blocks || !nr || nr > SLSFS_PAGES_PER_CHUNK)
			return false;
		break;
	case SLSFS_CHUNK_RECORDS:
	case SLSFS_CHUNK_CKPT:
	case SLSFS_CHUNK_MOVED:
		size = sizeof(__le32);
		if (nr != nr_blocks || !nr || nr > SLSFS_BLOCKS_PER_RECORDS_CHUNK)
			return false;
		break;
	case SLSFS_CHUNK_CLEAR:
		size = sizeof(struct slsfs_clear_entry);
		if (!nr || nr > SLSFS_CLEARS_PER_CHUNK || nr_blocks)
			return false;
		break;
	case SLSFS_CHUNK_COMMIT:
		size = sizeof(struct slsfs_commit);
		if (nr != 1 || nr_blocks)
			return false;
		break;
	case SLSFS_CHUNK_PART:
		size = sizeof(struct slsfs_part);
		if (nr != 1 || nr_blocks)
			return false;
		break;
	case SLSFS_CHUNK_SEGEND:
	case SLSFS_CHUNK_DISCARD:
		size = 0;
		if (nr || nr_blocks)
			return false;
		break;
	default:
		return false;
	}
	return le32_to_cpu(ch->len) == sizeof(*ch) + nr * size;
}

/**
 * slsfs_chunk_check - is a block the valid header of a chunk of this store?
 * @geo:	the store
 * @block:	the block, SLSFS_BLOCK_SIZE bytes
 * @addr:	where it was read
 * @why:	set to the reason when it is not
 *
 * Whether it is the chunk the log expects next (its lsn and generation) is
 * for the caller to tell.
 *
 * Return: 0 or -EINVAL.
 */
int slsfs_chunk_check(const struct slsfs_geo *geo, const void *block, u64 addr,
		      const char **why)
{
	const struct slsfs_chunk *ch = block;
	u32 len = le32_to_cpu(ch->len);
	u64 seg = slsfs_seg_of(geo, addr);

	*why = NULL;
	if (le32_to_cpu(ch->magic) != SLSFS_CHUNK_MAGIC)
		*why = "no chunk magic";
	else if (len < sizeof(*ch) || len > SLSFS_BLOCK_SIZE)
		*why = "bad chunk length";
	else if (le32_to_cpu(ch->crc) !=
		 slsfs_crc(ch, len, offsetof(struct slsfs_chunk, crc)))
		*why = "chunk checksum mismatch";
	else if (le64_to_cpu(ch->store_id) != geo->store_id)
		*why = "chunk of another store";
	else if (ch->flags || ch->reserved)
		*why = "unknown chunk flags";
	else if (!slsfs_chunk_shape_ok(ch))
		*why = "bad chunk shape";
	else if (addr + 1 + le32_to_cpu(ch->nr_blocks) >
		 slsfs_seg_addr(geo, seg + 1))
		*why = "chunk crosses its segment's end";
	else if (le32_to_cpu(ch->next_seg) >= geo->nr_segs ||
		 le32_to_cpu(ch->next_seg) == seg)
		*why = "bad next segment";
	return *why ? -EINVAL : 0;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_chunk_check);

/**
 * slsfs_name_ok - can @name be a partition of the store?
 * @name:	NUL-terminated, or not within SLSFS_NAME_LEN bytes
 *
 * A partition is a directory of the mounted store, so its name is a file
 * name: 1 to SLSFS_NAME_LEN - 1 bytes, no '/', not "." or "..".  Which
 * names the system calls accept is kernel/sls's stricter business.
 */
bool slsfs_name_ok(const char *name)
{
	size_t len = strnlen(name, SLSFS_NAME_LEN);

	return len && len < SLSFS_NAME_LEN && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_name_ok);

/* The bytes a record of @len payload bytes takes in the stream. */
size_t slsfs_record_size(u32 len)
{
	return round_up(sizeof(struct slsfs_record) + (size_t)len, 8);
}
EXPORT_SYMBOL_GPL(slsfs_record_size);

/* Seal a record whose payload follows it in memory. */
void slsfs_record_seal(struct slsfs_record *rec)
{
	rec->crc = cpu_to_le32(slsfs_crc(rec, sizeof(*rec) + le32_to_cpu(rec->len),
					 offsetof(struct slsfs_record, crc)));
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_record_seal);

/**
 * slsfs_record_check - is there a valid record at the start of @buf?
 * @buf:	the stream from the record on
 * @avail:	bytes of the stream from @buf on
 * @epoch:	the stream's epoch
 * @why:	set to the reason when there is not
 *
 * Return: 0 or -EUCLEAN.
 */
int slsfs_record_check(const void *buf, size_t avail, u64 epoch, const char **why)
{
	const struct slsfs_record *rec = buf;

	*why = NULL;
	if (avail < sizeof(*rec))
		*why = "record header cut short";
	else if (le32_to_cpu(rec->magic) != SLSFS_RECORD_MAGIC)
		*why = "no record magic";
	else if (rec->flags)
		*why = "unknown record flags";
	else if (le32_to_cpu(rec->len) > avail - sizeof(*rec))
		*why = "record payload cut short";
	else if (le32_to_cpu(rec->crc) !=
		 slsfs_crc(rec, sizeof(*rec) + le32_to_cpu(rec->len),
			   offsetof(struct slsfs_record, crc)))
		*why = "record checksum mismatch";
	else if (le64_to_cpu(rec->epoch) != epoch)
		*why = "record of another epoch";
	return *why ? -EUCLEAN : 0;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_record_check);

/**
 * slsfs_record_next - the record at the start of a stream, checked
 * @buf:	the stream from the record on
 * @avail:	bytes of the stream from @buf on
 * @epoch:	the stream's epoch
 * @rec:	set to the record's type, payload and length
 * @why:	set to the reason when it is not valid
 *
 * Return: the bytes the record takes, or -EUCLEAN.
 */
ssize_t slsfs_record_next(const void *buf, size_t avail, u64 epoch,
			  struct slsfs_rec *rec, const char **why)
{
	const struct slsfs_record *hdr = buf;
	int err = slsfs_record_check(buf, avail, epoch, why);

	if (err)
		return err;
	rec->type = le16_to_cpu(hdr->type);
	rec->len = le32_to_cpu(hdr->len);
	rec->data = hdr + 1;
	return min(slsfs_record_size(rec->len), avail);
}
EXPORT_SYMBOL_GPL(slsfs_record_next);
