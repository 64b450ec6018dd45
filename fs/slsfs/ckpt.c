// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: index checkpoints, the store in memory as one stream.
 *
 * A checkpoint holds every partition with its retained epochs (their
 * commit entries, record extents and the pages they wrote) and every page
 * version of the index, so that a mount reads it and replays only the log
 * written after it, and so that the segments the log went through before
 * it can be reused once the blocks the index still needs are elsewhere.
 * The stream's layout is in slsfs_fs.h (struct slsfs_ckpt_*).
 *
 * Encoding and decoding are pure, over a buffer: KUnit runs them on
 * stores built in memory.  The chunks that carry a stream, and their
 * checksums, are log.c's and replay.c's business.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "internal.h"

/* A cursor over a stream; with no buffer it only counts. */
struct slsfs_ckpt_cur {
	u8 *buf;
	size_t off;
	size_t size;
};

/* Append @len bytes (zeros if @src is NULL), padded to 8. */
static void slsfs_ckpt_put(struct slsfs_ckpt_cur *c, const void *src, size_t len)
{
	size_t padded = ALIGN(len, 8);

	if (c->buf && !WARN_ON_ONCE(c->off + padded > c->size)) {
		if (src)
			memcpy(c->buf + c->off, src, len);
		else
			memset(c->buf + c->off, 0, len);
		memset(c->buf + c->off + len, 0, padded - len);
	}
	c->off += padded;
}

/* The next @len bytes of the stream, or NULL past its end. */
static const void *slsfs_ckpt_get(struct slsfs_ckpt_cur *c, size_t len)
{
	size_t padded = ALIGN(len, 8);
	const void *p;

	if (len > c->size || c->off > c->size - len || padded > c->size - c->off)
		return NULL;
	p = c->buf + c->off;
	c->off += padded;
	return p;
}

static u64 slsfs_part_versions(struct slsfs_partition *part)
{
	struct slsfs_object *o;
	struct slsfs_page *pg;
	unsigned long id, index;
	u64 n = 0;

	xa_for_each(&part->objects, id, o)
		xa_for_each(&o->pages, index, pg)
			n += pg->nr;
	return n;
}

static u32 slsfs_epoch_record_blocks(const struct slsfs_epoch *ep)
{
	u32 i, n = 0;

	for (i = 0; i < ep->nr_extents; i++)
		n += ep->extents[i].nr_blocks;
	return n;
}

static void slsfs_ckpt_put_epoch(struct slsfs_ckpt_cur *c, const struct slsfs_epoch *ep)
{
	struct slsfs_ckpt_epoch ce = {
		.commit = {
			.parent = cpu_to_le64(ep->parent),
			.oldest = cpu_to_le64(ep->epoch),
			.nr_pages = cpu_to_le64(ep->nr_pages),
			.record_bytes = cpu_to_le64(ep->record_bytes),
			.time_ns = cpu_to_le64(ep->time_ns),
			.flags = cpu_to_le32(ep->flags),
		},
		.epoch = cpu_to_le64(ep->epoch),
		.nr_extents = cpu_to_le32(ep->nr_extents),
		.nr_refs = cpu_to_le32(ep->nr_refs),
	};
	u32 i, nr_crcs = slsfs_epoch_record_blocks(ep);

	slsfs_ckpt_put(c, &ce, sizeof(ce));
	for (i = 0; i < ep->nr_extents; i++) {
		struct slsfs_ckpt_extent e = {
			.addr = cpu_to_le64(ep->extents[i].addr),
			.nr_blocks = cpu_to_le32(ep->extents[i].nr_blocks),
		};

		slsfs_ckpt_put(c, &e, sizeof(e));
	}
	/* packed four bytes apart, two at a time: the pad comes after the last */
	for (i = 0; i < nr_crcs; i += 2) {
		__le32 crc[2] = {
			cpu_to_le32(ep->extent_crcs[i]),
			cpu_to_le32(i + 1 < nr_crcs ? ep->extent_crcs[i + 1] : 0),
		};

		slsfs_ckpt_put(c, crc, sizeof(crc));
	}
	for (i = 0; i < ep->nr_refs; i++) {
		struct slsfs_ckpt_ref r = {
			.obj = cpu_to_le64(ep->refs[i].obj),
			.index = cpu_to_le64(ep->refs[i].index),
		};

		slsfs_ckpt_put(c, &r, sizeof(r));
	}
}

static void slsfs_ckpt_put_versions(struct slsfs_ckpt_cur *c,
				    struct slsfs_partition *part)
{
	struct slsfs_object *o;
	struct slsfs_page *pg;
	unsigned long id, index;
	u32 i;

	xa_for_each(&part->objects, id, o) {
		xa_for_each(&o->pages, index, pg) {
			for (i = pg->nr; i-- > 0;) {
				struct slsfs_ckpt_version v = {
					.obj = cpu_to_le64(o->id),
					.index = cpu_to_le64(index),
					.epoch = cpu_to_le64(pg->v[i].epoch),
					.addr = cpu_to_le64(pg->v[i].addr),
					.crc = cpu_to_le32(pg->v[i].crc),
				};

				slsfs_ckpt_put(c, &v, sizeof(v));
			}
		}
	}
}

static void slsfs_ckpt_put_part(struct slsfs_ckpt_cur *c,
				struct slsfs_partition *part)
{
	struct slsfs_ckpt_part cp = {
		.part = {
			.period_ms = cpu_to_le64(part->period_ms),
			.keep_epochs = cpu_to_le64(part->keep_epochs),
			.attr_flags = cpu_to_le64(part->attr_flags),
		},
		.id = cpu_to_le64(part->id),
		.next_epoch = cpu_to_le64(part->committed_next),
		.nr_epochs = cpu_to_le32(part->nr_epochs),
		.nr_versions = cpu_to_le64(slsfs_part_versions(part)),
	};
	struct slsfs_epoch *ep;

	strscpy(cp.part.name, part->name, sizeof(cp.part.name));
	slsfs_ckpt_put(c, &cp, sizeof(cp));
	list_for_each_entry(ep, &part->epochs, node)
		slsfs_ckpt_put_epoch(c, ep);
	slsfs_ckpt_put_versions(c, part);
}

static size_t slsfs_ckpt_walk(const struct slsfs_store *st, void *buf, size_t size)
{
	struct slsfs_ckpt_cur c = { .buf = buf, .size = size };
	struct slsfs_ckpt_head head = {
		.magic = cpu_to_le32(SLSFS_CKPT_MAGIC),
		.stream_bytes = cpu_to_le64(size),
		.next_part_id = cpu_to_le64(st->next_part_id),
		.commits = cpu_to_le64(st->commits),
	};
	struct slsfs_partition *part;
	u32 nr = 0;

	list_for_each_entry(part, &st->parts, node)
		nr++;
	head.nr_parts = cpu_to_le32(nr);
	slsfs_ckpt_put(&c, &head, sizeof(head));
	list_for_each_entry(part, &st->parts, node)
		slsfs_ckpt_put_part(&c, part);
	return c.off;
}

/* Return: the bytes of the stream that encodes @st now. */
size_t slsfs_ckpt_size(const struct slsfs_store *st)
{
	return slsfs_ckpt_walk(st, NULL, 0);
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_ckpt_size);

/**
 * slsfs_ckpt_encode - write @st as an index checkpoint's stream
 * @st:		the store, not changing meanwhile
 * @buf:	where to
 * @size:	slsfs_ckpt_size(@st), what @buf holds
 */
void slsfs_ckpt_encode(const struct slsfs_store *st, void *buf, size_t size)
{
	WARN_ON_ONCE(slsfs_ckpt_walk(st, buf, size) != size);
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_ckpt_encode);

/*
 * Could [@addr, @addr + @nr) be the data blocks of one chunk: inside one
 * segment, after its header, no more than a chunk holds?
 */
static bool slsfs_ckpt_run_ok(const struct slsfs_geo *geo, u64 addr, u64 nr)
{
	u64 seg;

	if (addr < geo->seg_start || !nr ||
	    nr > min_t(u64, SLSFS_BLOCKS_PER_RECORDS_CHUNK, geo->seg_blocks - 1))
		return false;
	seg = slsfs_seg_of(geo, addr);
	return seg < geo->nr_segs && addr > slsfs_seg_addr(geo, seg) &&
	       addr + nr <= slsfs_seg_addr(geo, seg + 1);
}

static int slsfs_ckpt_get_extents(struct slsfs_ckpt_cur *c, const struct slsfs_geo *geo,
				  struct slsfs_epoch *ep, const char **why)
{
	const struct slsfs_ckpt_extent *e;
	u64 blocks = 0;
	const __le32 *crc;
	u32 i;

	e = slsfs_ckpt_get(c, array_size(ep->nr_extents, sizeof(*e)));
	if (!e)
		goto short_stream;
	ep->extents = kcalloc(ep->nr_extents, sizeof(*ep->extents), GFP_KERNEL);
	if (ep->nr_extents && !ep->extents)
		return -ENOMEM;
	for (i = 0; i < ep->nr_extents; i++) {
		ep->extents[i].addr = le64_to_cpu(e[i].addr);
		ep->extents[i].nr_blocks = le32_to_cpu(e[i].nr_blocks);
		if (!slsfs_ckpt_run_ok(geo, ep->extents[i].addr,
				       ep->extents[i].nr_blocks) || e[i].reserved) {
			*why = "checkpoint extent outside the segments";
			return -EUCLEAN;
		}
		blocks += ep->extents[i].nr_blocks;
	}
	if (ep->record_bytes > blocks * SLSFS_BLOCK_SIZE) {
		*why = "checkpoint epoch longer than its extents";
		return -EUCLEAN;
	}
	crc = slsfs_ckpt_get(c, array_size(blocks, sizeof(*crc)));
	if (!crc)
		goto short_stream;
	ep->extent_crcs = kcalloc(max_t(u64, blocks, 1), sizeof(u32), GFP_KERNEL);
	if (!ep->extent_crcs)
		return -ENOMEM;
	for (i = 0; i < blocks; i++)
		ep->extent_crcs[i] = le32_to_cpu(crc[i]);
	return 0;
short_stream:
	*why = "checkpoint stream too short";
	return -EUCLEAN;
}

static int slsfs_ckpt_get_refs(struct slsfs_ckpt_cur *c, struct slsfs_epoch *ep,
			       const char **why)
{
	const struct slsfs_ckpt_ref *r;
	u32 i;

	r = slsfs_ckpt_get(c, array_size(ep->nr_refs, sizeof(*r)));
	if (!r) {
		*why = "checkpoint stream too short";
		return -EUCLEAN;
	}
	if (!ep->nr_refs)
		return 0;
	ep->refs = kvmalloc_array(ep->nr_refs, sizeof(*ep->refs), GFP_KERNEL);
	if (!ep->refs)
		return -ENOMEM;
	for (i = 0; i < ep->nr_refs; i++) {
		ep->refs[i].obj = le64_to_cpu(r[i].obj);
		ep->refs[i].index = le64_to_cpu(r[i].index);
	}
	return 0;
}

static int slsfs_ckpt_get_epoch(struct slsfs_ckpt_cur *c, struct slsfs_partition *part,
				const char **why)
{
	const struct slsfs_ckpt_epoch *ce = slsfs_ckpt_get(c, sizeof(*ce));
	struct slsfs_epoch *newest = slsfs_epoch_newest(part);
	struct slsfs_epoch *ep;
	int err;

	if (!ce) {
		*why = "checkpoint stream too short";
		return -EUCLEAN;
	}
	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return -ENOMEM;
	INIT_LIST_HEAD(&ep->node);
	ep->epoch = le64_to_cpu(ce->epoch);
	ep->parent = le64_to_cpu(ce->commit.parent);
	ep->nr_pages = le64_to_cpu(ce->commit.nr_pages);
	ep->record_bytes = le64_to_cpu(ce->commit.record_bytes);
	ep->time_ns = le64_to_cpu(ce->commit.time_ns);
	ep->flags = le32_to_cpu(ce->commit.flags);
	ep->nr_extents = le32_to_cpu(ce->nr_extents);
	ep->nr_refs = le32_to_cpu(ce->nr_refs);
	err = -EUCLEAN;
	if (!ep->epoch || ep->epoch >= part->committed_next ||
	    (newest && ep->epoch <= newest->epoch) || ep->parent >= ep->epoch) {
		*why = "checkpoint epoch out of order";
		goto fail;
	}
	if (le64_to_cpu(ce->commit.oldest) != ep->epoch || ce->commit.span ||
	    (ep->flags & ~SLSFS_COMMIT_FLAGS)) {
		*why = "bad checkpoint epoch fields";
		goto fail;
	}
	err = slsfs_ckpt_get_extents(c, &part->st->geo, ep, why);
	if (!err)
		err = slsfs_ckpt_get_refs(c, ep, why);
	if (err)
		goto fail;
	slsfs_epoch_insert(part, ep);
	return 0;
fail:
	kfree(ep->extents);
	kfree(ep->extent_crcs);
	kvfree(ep->refs);
	kfree(ep);
	return err;
}

static int slsfs_ckpt_get_version(struct slsfs_ckpt_cur *c, struct slsfs_partition *part,
				  const char **why)
{
	const struct slsfs_ckpt_version *v = slsfs_ckpt_get(c, sizeof(*v));
	const struct slsfs_page_version *newest;
	struct slsfs_page_version pv;
	u64 obj, index;

	if (!v) {
		*why = "checkpoint stream too short";
		return -EUCLEAN;
	}
	obj = le64_to_cpu(v->obj);
	index = le64_to_cpu(v->index);
	pv.epoch = le64_to_cpu(v->epoch);
	pv.addr = le64_to_cpu(v->addr);
	pv.crc = le32_to_cpu(v->crc);
	newest = slsfs_page_version_at(part, obj, index, U64_MAX);
	if (!pv.epoch || pv.epoch >= part->committed_next ||
	    (newest && newest->epoch >= pv.epoch) || index > ULONG_MAX ||
	    obj > ULONG_MAX || v->reserved) {
		*why = "checkpoint page version out of order";
		return -EUCLEAN;
	}
	if (slsfs_pv_gone(&pv) ? pv.crc != 0 :
	    !slsfs_ckpt_run_ok(&part->st->geo, pv.addr, 1)) {
		*why = "checkpoint page outside the segments";
		return -EUCLEAN;
	}
	return slsfs_page_add(part, obj, index, &pv);
}

static int slsfs_ckpt_get_part(struct slsfs_ckpt_cur *c, struct slsfs_store *st,
			       const char **why)
{
	const struct slsfs_ckpt_part *cp = slsfs_ckpt_get(c, sizeof(*cp));
	struct slsfs_partition *part;
	u64 id, i, nr_versions;
	u32 nr_epochs;
	int err = 0;

	if (!cp) {
		*why = "checkpoint stream too short";
		return -EUCLEAN;
	}
	id = le64_to_cpu(cp->id);
	if (!id || id >= st->next_part_id || cp->part.flags || cp->part.reserved ||
	    cp->reserved ||
	    !memchr(cp->part.name, 0, sizeof(cp->part.name)) ||
	    !slsfs_name_ok(cp->part.name) || slsfs_part_find(st, cp->part.name) ||
	    slsfs_part_find_id(st, id) || !le64_to_cpu(cp->next_epoch)) {
		*why = "bad checkpoint partition";
		return -EUCLEAN;
	}
	part = slsfs_part_add(st, id, &cp->part);
	if (IS_ERR(part))
		return PTR_ERR(part);
	part->next_epoch = le64_to_cpu(cp->next_epoch);
	part->committed_next = part->next_epoch;
	nr_epochs = le32_to_cpu(cp->nr_epochs);
	nr_versions = le64_to_cpu(cp->nr_versions);
	for (i = 0; i < nr_epochs && !err; i++)
		err = slsfs_ckpt_get_epoch(c, part, why);
	for (i = 0; i < nr_versions && !err; i++)
		err = slsfs_ckpt_get_version(c, part, why);
	return err;
}

/**
 * slsfs_ckpt_decode - rebuild a store from an index checkpoint's stream
 * @st:		an empty store, from slsfs_store_init()
 * @buf:	the stream
 * @size:	its length, as the head must say
 * @why:	set to the reason when the stream is refused
 *
 * On failure @st holds part of the checkpoint; slsfs_store_destroy() it.
 *
 * Return: 0, -EUCLEAN for a stream that does not make sense, or -ENOMEM.
 */
int slsfs_ckpt_decode(struct slsfs_store *st, const void *buf, size_t size,
		      const char **why)
{
	struct slsfs_ckpt_cur c = { .buf = (u8 *)buf, .size = size };
	const struct slsfs_ckpt_head *head = slsfs_ckpt_get(&c, sizeof(*head));
	u32 i, nr;
	int err = 0;

	*why = NULL;
	if (!head || le32_to_cpu(head->magic) != SLSFS_CKPT_MAGIC ||
	    le64_to_cpu(head->stream_bytes) != size ||
	    !le64_to_cpu(head->next_part_id)) {
		*why = "bad checkpoint head";
		return -EUCLEAN;
	}
	st->next_part_id = le64_to_cpu(head->next_part_id);
	st->commits = le64_to_cpu(head->commits);
	nr = le32_to_cpu(head->nr_parts);
	for (i = 0; i < nr && !err; i++)
		err = slsfs_ckpt_get_part(&c, st, why);
	if (!err && c.off != size) {
		*why = "checkpoint stream too long";
		err = -EUCLEAN;
	}
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_ckpt_decode);
