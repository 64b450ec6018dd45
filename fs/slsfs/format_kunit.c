// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of slsfs's on-disk checks: checksums, superblock choice,
 * chunk headers and the record codec.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "internal.h"

#define DEV_BLOCKS	4096	/* a 16 MiB device */

static void slsfs_test_super(struct slsfs_super *sup, u64 generation)
{
	memset(sup, 0, sizeof(*sup));
	sup->magic = cpu_to_le32(SLSFS_SUPER_MAGIC);
	sup->version = cpu_to_le32(SLSFS_VERSION);
	sup->block_size = cpu_to_le32(SLSFS_BLOCK_SIZE);
	sup->generation = cpu_to_le64(generation);
	sup->store_id = cpu_to_le64(0x5eed);
	sup->nr_blocks = cpu_to_le64(DEV_BLOCKS);
	sup->seg_start = cpu_to_le64(SLSFS_SEG_START_MIN);
	sup->seg_blocks = cpu_to_le32(256);
	sup->nr_segs = cpu_to_le32(15);
	sup->log_lsn = cpu_to_le64(1);
	sup->log_addr = cpu_to_le64(SLSFS_SEG_START_MIN);
	slsfs_super_seal(sup);
}

/* The standard CRC-32C, with the checksum field taken as zero. */
static void slsfs_crc_test(struct kunit *test)
{
	u8 buf[13] = "1234abcd56789";
	void *block = kunit_kzalloc(test, SLSFS_BLOCK_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, block);
	KUNIT_EXPECT_EQ(test, slsfs_crc("123456789xxxx", 13, 9),
			slsfs_crc("123456789\0\0\0\0", 13, 9));
	KUNIT_EXPECT_EQ(test, slsfs_crc(buf, sizeof(buf), 4), 0xec7eb9a7);
	KUNIT_EXPECT_EQ(test, slsfs_block_crc(block), 0x98f94189);
}

static void slsfs_super_valid_test(struct kunit *test)
{
	struct slsfs_super sup;
	const char *why;

	slsfs_test_super(&sup, 0);
	KUNIT_EXPECT_EQ(test, slsfs_super_check(&sup, 0, DEV_BLOCKS, &why), 0);
	KUNIT_EXPECT_NULL(test, why);
	/* generation g lives in slot g % 2 */
	KUNIT_EXPECT_EQ(test, slsfs_super_check(&sup, 1, DEV_BLOCKS, &why), -EINVAL);
	/* a device smaller than the store is truncated */
	KUNIT_EXPECT_EQ(test, slsfs_super_check(&sup, 0, DEV_BLOCKS - 1, &why),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "device smaller than the store (truncated?)");
}

/* Each field that makes a superblock unusable, the crc fixed after it. */
static void slsfs_super_bad_test(struct kunit *test)
{
	static const struct {
		size_t off;
		u64 val;
		unsigned int size;
	} bad[] = {
		{ offsetof(struct slsfs_super, magic), 0xef53, 4 },
		{ offsetof(struct slsfs_super, version), 2, 4 },
		{ offsetof(struct slsfs_super, block_size), 8192, 4 },
		{ offsetof(struct slsfs_super, feature_incompat), 1ULL << 62, 8 },
		/* a checkpoint feature without a checkpoint */
		{ offsetof(struct slsfs_super, feature_incompat), SLSFS_FEATURE_INCOMPAT_CKPT, 8 },
		{ offsetof(struct slsfs_super, store_id), 0, 8 },
		{ offsetof(struct slsfs_super, seg_blocks), 100, 4 },
		{ offsetof(struct slsfs_super, seg_blocks), 8, 4 },
		{ offsetof(struct slsfs_super, nr_segs), 3, 4 },
		{ offsetof(struct slsfs_super, nr_segs), 16, 4 },
		{ offsetof(struct slsfs_super, seg_start), 1, 8 },
		{ offsetof(struct slsfs_super, nr_blocks), DEV_BLOCKS + 1, 8 },
		{ offsetof(struct slsfs_super, log_addr), 3, 8 },
		{ offsetof(struct slsfs_super, log_addr), DEV_BLOCKS, 8 },
		{ offsetof(struct slsfs_super, ckpt_addr), DEV_BLOCKS, 8 },
	};
	struct slsfs_super sup;
	const char *why;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		slsfs_test_super(&sup, 0);
		if (bad[i].size == 4)
			*(__le32 *)((u8 *)&sup + bad[i].off) = cpu_to_le32(bad[i].val);
		else
			*(__le64 *)((u8 *)&sup + bad[i].off) = cpu_to_le64(bad[i].val);
		slsfs_super_seal(&sup);
		KUNIT_EXPECT_EQ_MSG(test, slsfs_super_check(&sup, 0, DEV_BLOCKS, &why),
				    -EINVAL, "case %u", i);
		KUNIT_EXPECT_NOT_NULL_MSG(test, why, "case %u", i);
	}
	/* unknown compat and ro_compat features are not the check's business */
	slsfs_test_super(&sup, 0);
	sup.feature_compat = cpu_to_le64(1);
	sup.feature_ro_compat = cpu_to_le64(1);
	slsfs_super_seal(&sup);
	KUNIT_EXPECT_EQ(test, slsfs_super_check(&sup, 0, DEV_BLOCKS, &why), 0);
}

/* Every single flipped byte of a superblock is caught. */
static void slsfs_super_flip_test(struct kunit *test)
{
	struct slsfs_super sup;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(sup); i++) {
		slsfs_test_super(&sup, 0);
		((u8 *)&sup)[i] ^= 0x10;
		KUNIT_EXPECT_EQ_MSG(test, slsfs_super_check(&sup, 0, DEV_BLOCKS, &why),
				    -EINVAL, "byte %zu", i);
	}
}

static void slsfs_super_choose_test(struct kunit *test)
{
	struct slsfs_super s0, s1;
	const char *why;

	slsfs_test_super(&s0, 0);
	slsfs_test_super(&s1, 1);
	KUNIT_EXPECT_EQ(test, slsfs_super_choose(&s0, &s1, DEV_BLOCKS, &why), 1);
	slsfs_test_super(&s0, 2);
	KUNIT_EXPECT_EQ(test, slsfs_super_choose(&s0, &s1, DEV_BLOCKS, &why), 0);
	/* a torn write of the newer slot leaves the older one */
	s0.log_lsn = cpu_to_le64(7);
	KUNIT_EXPECT_EQ(test, slsfs_super_choose(&s0, &s1, DEV_BLOCKS, &why), 1);
	memset(&s1, 0, sizeof(s1));
	KUNIT_EXPECT_EQ(test, slsfs_super_choose(&s0, &s1, DEV_BLOCKS, &why), -EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "superblock checksum mismatch");
	slsfs_test_super(&s0, 0);
	KUNIT_EXPECT_EQ(test, slsfs_super_choose(&s0, &s1, DEV_BLOCKS, &why), 0);
}

static void slsfs_test_geo(struct slsfs_geo *geo)
{
	struct slsfs_super sup;

	slsfs_test_super(&sup, 0);
	slsfs_geo_from_super(geo, &sup);
}

static struct slsfs_chunk *slsfs_test_chunk(struct kunit *test, u16 type,
					    u32 nr_entries, u32 nr_blocks,
					    size_t entry_size)
{
	struct slsfs_chunk *ch = kunit_kzalloc(test, SLSFS_BLOCK_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ch);
	ch->magic = cpu_to_le32(SLSFS_CHUNK_MAGIC);
	ch->type = cpu_to_le16(type);
	ch->len = cpu_to_le32(sizeof(*ch) + nr_entries * entry_size);
	ch->lsn = cpu_to_le64(1);
	ch->store_id = cpu_to_le64(0x5eed);
	ch->nr_entries = cpu_to_le32(nr_entries);
	ch->nr_blocks = cpu_to_le32(nr_blocks);
	ch->next_seg = cpu_to_le32(1);
	slsfs_chunk_seal(ch);
	return ch;
}

static void slsfs_chunk_test(struct kunit *test)
{
	u64 seg0 = SLSFS_SEG_START_MIN;
	struct slsfs_geo geo;
	struct slsfs_chunk *ch;
	const char *why;

	slsfs_test_geo(&geo);
	ch = slsfs_test_chunk(test, SLSFS_CHUNK_PAGES, 3, 3,
			      sizeof(struct slsfs_page_entry));
	KUNIT_EXPECT_EQ(test, slsfs_chunk_check(&geo, ch, seg0, &why), 0);
	/* it and its 3 pages must fit in the segment */
	KUNIT_EXPECT_EQ(test, slsfs_chunk_check(&geo, ch, seg0 + 252, &why), 0);
	KUNIT_EXPECT_EQ(test, slsfs_chunk_check(&geo, ch, seg0 + 253, &why), -EINVAL);
	/* the log cannot go on in the segment it leaves */
	KUNIT_EXPECT_EQ(test, slsfs_chunk_check(&geo, ch, seg0 + 256, &why), -EINVAL);

	ch->nr_blocks = cpu_to_le32(2);
	slsfs_chunk_seal(ch);
	KUNIT_EXPECT_EQ(test, slsfs_chunk_check(&geo, ch, seg0, &why), -EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "bad chunk shape");

	ch = slsfs_test_chunk(test, SLSFS_CHUNK_COMMIT, 1, 0,
			      sizeof(struct slsfs_commit));
	KUNIT_EXPECT_EQ(test, slsfs_chunk_check(&geo, ch, seg0, &why), 0);
	ch->store_id = cpu_to_le64(1);
	slsfs_chunk_seal(ch);
	KUNIT_EXPECT_EQ(test, slsfs_chunk_check(&geo, ch, seg0, &why), -EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "chunk of another store");

	ch = slsfs_test_chunk(test, SLSFS_CHUNK_TYPE_MAX, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, slsfs_chunk_check(&geo, ch, seg0, &why), -EINVAL);
	ch = slsfs_test_chunk(test, SLSFS_CHUNK_SEGEND, 0, 0, 0);
	ch->next_seg = cpu_to_le32(15);
	slsfs_chunk_seal(ch);
	KUNIT_EXPECT_EQ(test, slsfs_chunk_check(&geo, ch, seg0, &why), -EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "bad next segment");
}

/* Every flipped byte of a chunk header, entries included, is caught. */
static void slsfs_chunk_flip_test(struct kunit *test)
{
	struct slsfs_geo geo;
	struct slsfs_chunk *ch;
	const char *why;
	size_t i, len;

	slsfs_test_geo(&geo);
	ch = slsfs_test_chunk(test, SLSFS_CHUNK_COMMIT, 1, 0,
			      sizeof(struct slsfs_commit));
	len = le32_to_cpu(ch->len);
	for (i = 0; i < len; i++) {
		((u8 *)ch)[i] ^= 0x01;
		KUNIT_EXPECT_EQ_MSG(test, slsfs_chunk_check(&geo, ch, SLSFS_SEG_START_MIN,
							    &why),
				    -EINVAL, "byte %zu", i);
		((u8 *)ch)[i] ^= 0x01;
	}
}

static void slsfs_record_test(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct slsfs_record *rec = (void *)buf;
	const char *why;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, slsfs_record_size(0), 24);
	KUNIT_EXPECT_EQ(test, slsfs_record_size(1), 32);
	KUNIT_EXPECT_EQ(test, slsfs_record_size(8), 32);
	KUNIT_EXPECT_EQ(test, slsfs_record_size(9), 40);

	rec->magic = cpu_to_le32(SLSFS_RECORD_MAGIC);
	rec->type = cpu_to_le16(7);
	rec->len = cpu_to_le32(5);
	rec->epoch = cpu_to_le64(42);
	memcpy(rec + 1, "hello", 5);
	slsfs_record_seal(rec);
	KUNIT_EXPECT_EQ(test, slsfs_record_check(buf, 64, 42, &why), 0);
	KUNIT_EXPECT_EQ(test, slsfs_record_check(buf, 29, 42, &why), 0);
	KUNIT_EXPECT_EQ(test, slsfs_record_check(buf, 28, 42, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why, "record payload cut short");
	KUNIT_EXPECT_EQ(test, slsfs_record_check(buf, 23, 42, &why), -EUCLEAN);
	KUNIT_EXPECT_EQ(test, slsfs_record_check(buf, 64, 41, &why), -EUCLEAN);
	for (i = 0; i < 29; i++) {
		buf[i] ^= 0x80;
		KUNIT_EXPECT_EQ_MSG(test, slsfs_record_check(buf, 64, 42, &why),
				    -EUCLEAN, "byte %zu", i);
		buf[i] ^= 0x80;
	}
}

static void slsfs_name_test(struct kunit *test)
{
	char longest[SLSFS_NAME_LEN + 1];

	KUNIT_EXPECT_TRUE(test, slsfs_name_ok("redis"));
	KUNIT_EXPECT_TRUE(test, slsfs_name_ok("..."));
	KUNIT_EXPECT_FALSE(test, slsfs_name_ok(""));
	KUNIT_EXPECT_FALSE(test, slsfs_name_ok("."));
	KUNIT_EXPECT_FALSE(test, slsfs_name_ok(".."));
	KUNIT_EXPECT_FALSE(test, slsfs_name_ok("a/b"));
	memset(longest, 'x', SLSFS_NAME_LEN - 1);
	longest[SLSFS_NAME_LEN - 1] = '\0';
	KUNIT_EXPECT_TRUE(test, slsfs_name_ok(longest));
	/* the on-disk name field with no NUL in it */
	longest[SLSFS_NAME_LEN - 1] = 'x';
	longest[SLSFS_NAME_LEN] = '\0';
	KUNIT_EXPECT_FALSE(test, slsfs_name_ok(longest));
}

static struct kunit_case slsfs_format_cases[] = {
	KUNIT_CASE(slsfs_crc_test),
	KUNIT_CASE(slsfs_super_valid_test),
	KUNIT_CASE(slsfs_super_bad_test),
	KUNIT_CASE(slsfs_super_flip_test),
	KUNIT_CASE(slsfs_super_choose_test),
	KUNIT_CASE(slsfs_chunk_test),
	KUNIT_CASE(slsfs_chunk_flip_test),
	KUNIT_CASE(slsfs_record_test),
	KUNIT_CASE(slsfs_name_test),
	{}
};

static struct kunit_suite slsfs_format_suite = {
	.name = "slsfs_format",
	.test_cases = slsfs_format_cases,
};
kunit_test_suite(slsfs_format_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
