// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of image.c: an epoch's record stream cut into processes,
 * and what a corrupt or inconsistent one is refused for.
 */
#include <kunit/test.h>
#include <linux/crc32c.h>
#include <linux/slab.h>

#include "sls.h"
#include "../../fs/slsfs/slsfs_fs.h"

#define TEST_EPOCH	7

/* A stream being written: records as slsfs_epoch_add_record() writes them. */
struct stream {
	struct sls_image *img;
	size_t room;
	bool *pad;			/* which bytes are padding */
};

static void put_rec(struct kunit *test, struct stream *st, u16 type,
		    const void *payload, u32 len)
{
	struct slsfs_record rec = {
		.magic = cpu_to_le32(SLSFS_RECORD_MAGIC),
		.type = cpu_to_le16(type),
		.len = cpu_to_le32(len),
		.epoch = cpu_to_le64(TEST_EPOCH),
	};
	struct sls_image *img = st->img;
	size_t size = slsfs_record_size(len);
	u32 crc;

	KUNIT_ASSERT_LE(test, img->len + size, st->room);
	crc = crc32c(~0U, &rec, sizeof(rec));
	rec.crc = cpu_to_le32(~crc32c(crc, payload, len));
	memcpy(img->buf + img->len, &rec, sizeof(rec));
	memcpy(img->buf + img->len + sizeof(rec), payload, len);
	memset(st->pad + img->len + sizeof(rec) + len, 1, size - sizeof(rec) - len);
	img->len += size;
}

static void put_proc(struct kunit *test, struct stream *st, u32 pid, u32 ppid)
{
	struct sls_img_proc *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->pid = pid;
	p->ppid = ppid;
	put_rec(test, st, SLS_REC_PROC, p, sizeof(*p));
}

static void put_thread(struct kunit *test, struct stream *st, u32 tid,
		       bool xstate)
{
	struct sls_img_thread t = { .tid = tid };
	u8 fpu[64] = {};

	put_rec(test, st, SLS_REC_THREAD, &t, sizeof(t));
	if (xstate)
		put_rec(test, st, SLS_REC_XSTATE, fpu, sizeof(fpu));
}

static struct stream *new_stream(struct kunit *test)
{
	struct sls_img_epoch e = { .epoch = TEST_EPOCH, .nr_procs = 2 };
	struct stream *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->img = kzalloc(sizeof(*st->img), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st->img);
	st->room = 16384;
	st->pad = kunit_kzalloc(test, st->room, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st->pad);
	st->img->buf = kvzalloc(st->room, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st->img->buf);
	st->img->epoch = TEST_EPOCH;
	st->img->records_epoch = TEST_EPOCH;
	put_rec(test, st, SLS_REC_EPOCH, &e, sizeof(e));
	return st;
}

/* A parent with two threads and a zombie, and its child. */
static void put_tree(struct kunit *test, struct stream *st)
{
	struct sls_img_zombie z = { .pid = 13, .exit_code = 7 << 8 };

	put_proc(test, st, 10, 1);
	put_thread(test, st, 11, true);
	put_thread(test, st, 10, true);
	put_rec(test, st, SLS_REC_ZOMBIE, &z, sizeof(z));
	put_rec(test, st, 999, "unknown", 7);	/* skipped */
	put_proc(test, st, 12, 10);
	put_thread(test, st, 12, true);
}

static void sls_image_tree_test(struct kunit *test)
{
	struct stream *st = new_stream(test);
	struct sls_image *img = st->img;

	put_tree(test, st);
	KUNIT_ASSERT_EQ(test, sls_image_parse(img), 0);
	KUNIT_EXPECT_EQ(test, img->nr_procs, 2);
	KUNIT_EXPECT_EQ(test, img->nr_tasks, 4);
	KUNIT_EXPECT_EQ(test, img->procs[0].nr_threads, 2);
	KUNIT_EXPECT_EQ(test, img->procs[0].threads[0].img->tid, 10);
	KUNIT_EXPECT_EQ(test, img->procs[0].threads[0].xstate_size, 64);
	KUNIT_EXPECT_EQ(test, img->procs[0].nr_zombies, 1);
	KUNIT_EXPECT_EQ(test, img->procs[0].zombies[0].img->exit_code, 7 << 8);
	KUNIT_EXPECT_NULL(test, img->procs[0].parent);
	KUNIT_EXPECT_PTR_EQ(test, img->procs[1].parent, &img->procs[0]);
	KUNIT_EXPECT_PTR_EQ(test, sls_image_proc(img, 12), &img->procs[1]);
	KUNIT_EXPECT_NULL(test, sls_image_proc(img, 11));
	sls_image_free(img);
}

/* Every byte of the stream flipped in turn: refused, unless it pads. */
static void sls_image_flip_test(struct kunit *test)
{
	struct stream *st = new_stream(test);
	struct sls_image *img = st->img;
	size_t i, len;
	u8 *copy;

	put_tree(test, st);
	len = img->len;
	copy = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, img->buf, len);
	for (i = 0; i < len; i++) {
		struct sls_image *t = kzalloc(sizeof(*t), GFP_KERNEL);
		u8 *b;

		KUNIT_ASSERT_NOT_NULL(test, t);
		t->buf = kvmalloc(len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, t->buf);
		memcpy(t->buf, copy, len);
		t->len = len;
		t->epoch = TEST_EPOCH;
		t->records_epoch = TEST_EPOCH;
		b = t->buf;
		b[i] ^= 0x20;
		if (st->pad[i]) {	/* no checksum covers it: ignored */
			KUNIT_EXPECT_EQ_MSG(test, sls_image_parse(t), 0, "byte %zu", i);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, sls_image_parse(t), -EUCLEAN,
					    "byte %zu", i);
			KUNIT_EXPECT_STRNEQ(test, t->why, "");
		}
		sls_image_free(t);
	}
	sls_image_free(img);
}

static void sls_image_refuse_test(struct kunit *test)
{
	struct sls_img_path path = { .kind = SLS_IMG_PATH_CWD, .len = 100 };
	struct stream *st;

	/* A path longer than its record. */
	st = new_stream(test);
	put_proc(test, st, 10, 1);
	put_thread(test, st, 10, true);
	put_rec(test, st, SLS_REC_PATH, &path, sizeof(path));
	KUNIT_EXPECT_EQ(test, sls_image_parse(st->img), -EUCLEAN);
	sls_image_free(st->img);

	/* A thread without its FPU state. */
	st = new_stream(test);
	put_proc(test, st, 10, 1);
	put_thread(test, st, 10, false);
	KUNIT_EXPECT_EQ(test, sls_image_parse(st->img), -EUCLEAN);
	sls_image_free(st->img);

	/* A process without its leader. */
	st = new_stream(test);
	put_proc(test, st, 10, 1);
	put_thread(test, st, 11, true);
	KUNIT_EXPECT_EQ(test, sls_image_parse(st->img), -EUCLEAN);
	sls_image_free(st->img);

	/* A record of another epoch. */
	st = new_stream(test);
	put_tree(test, st);
	st->img->epoch = TEST_EPOCH + 1;
	st->img->records_epoch = TEST_EPOCH + 1;
	KUNIT_EXPECT_EQ(test, sls_image_parse(st->img), -EUCLEAN);
	sls_image_free(st->img);

	/* Two processes, each the other's parent: no root to start from. */
	st = new_stream(test);
	put_proc(test, st, 10, 12);
	put_thread(test, st, 10, true);
	put_proc(test, st, 12, 10);
	put_thread(test, st, 12, true);
	KUNIT_EXPECT_EQ(test, sls_image_parse(st->img), -EUCLEAN);
	sls_image_free(st->img);

	/* No process at all. */
	st = new_stream(test);
	KUNIT_EXPECT_EQ(test, sls_image_parse(st->img), -EUCLEAN);
	sls_image_free(st->img);
}

static struct kunit_case sls_image_cases[] = {
	KUNIT_CASE(sls_image_tree_test),
	KUNIT_CASE(sls_image_flip_test),
	KUNIT_CASE(sls_image_refuse_test),
	{}
};

static struct kunit_suite sls_image_suite = {
	.name = "sls_image",
	.test_cases = sls_image_cases,
};
kunit_test_suite(sls_image_suite);

MODULE_DESCRIPTION("KUnit tests of the SLS image parser");
MODULE_LICENSE("GPL");
