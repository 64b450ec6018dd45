// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: replay of the log at mount.
 *
 * The log is a chain of chunks, each one's lsn its predecessor's plus one.
 * Replay follows it from the superblock's log start, stages the pages,
 * clear runs and record blocks of each epoch, and adds the epoch to the store only when
 * its commit chunk is read.  The chain ends at the first block that is not
 * the chunk expected next: what was staged and never committed there is a
 * torn tail and is dropped.
 *
 * A chunk expected next must also be of the same mount as its predecessor
 * or a later one (its gen), so that a stale chunk an earlier mount left
 * further on in a segment is never taken for part of the chain.  A new
 * mount abandons whatever the previous one left uncommitted.
 *
 * One case is corruption, not a torn tail: a valid commit of a later chunk
 * after the end, which a crash cannot produce because a commit is written
 * only once everything before it is on the device.
 *
 * A sealed commit is the exception: it went to the device in the same FUA
 * write as the chunks of its epoch, which a crash may have left without
 * some of them.  Its epoch is taken once another chunk follows it (written
 * only once the sealed write was done); when the log ends with it, replay
 * reads the epoch's data blocks back and drops the epoch, as a torn tail,
 * unless every one holds its checksum.  After the end, a sealed commit
 * whose epoch spans the end is the torn write too.
 *
 * When the superblock names an index checkpoint, replay first loads the
 * store from it and then follows the log from the chunk after it.  A
 * checkpoint the superblock does not name (a crash before its superblock
 * was written) and the copies the cleaner made are skipped.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "internal.h"

/* Where replay is in the chain: before a chunk, to go back to. */
struct slsfs_replay_pos {
	u64 addr;
	u64 lsn;
	u64 gen;
	u32 next_seg;
	u64 last_addr;			/* of the last chunk taken, 0 if none */
};

struct slsfs_replay_state {
	struct slsfs_replay *r;
	struct list_head staged;
	void *block;
	struct slsfs_replay_pos pos;
	/* the epoch whose chunks are being read, and where its first one is */
	bool open;
	u64 open_part;
	u64 open_epoch;
	struct slsfs_replay_pos open_at;
	/*
	 * A sealed commit no chunk has followed yet, of the open epoch: the
	 * next chunk is taken only once it is dealt with.
	 */
	bool sealed;
	struct slsfs_commit sealed_c;
	struct slsfs_staged *sealed_sg;
};

static void slsfs_staged_free(struct slsfs_staged *sg)
{
	list_del(&sg->node);
	kvfree(sg->pages);
	kvfree(sg->clears);
	kfree(sg->extents);
	kfree(sg->crcs);
	kfree(sg);
}

/* Drop everything staged: it will never be committed. */
static void slsfs_unstage_all(struct slsfs_replay_state *s)
{
	struct slsfs_staged *sg, *next;

	list_for_each_entry_safe(sg, next, &s->staged, node) {
		s->r->torn_epochs++;
		slsfs_staged_free(sg);
	}
}

static struct slsfs_staged *slsfs_staged_find(struct slsfs_replay_state *s,
					      u64 part_id, u64 epoch)
{
	struct slsfs_staged *sg;

	list_for_each_entry(sg, &s->staged, node)
		if (sg->part_id == part_id && sg->epoch == epoch)
			return sg;
	return NULL;
}

/* What is staged for an epoch, started if nothing is yet. */
static struct slsfs_staged *slsfs_staged_get(struct slsfs_replay_state *s,
					     u64 part_id, u64 epoch)
{
	struct slsfs_staged *sg = slsfs_staged_find(s, part_id, epoch);

	if (sg)
		return sg;
	sg = kzalloc(sizeof(*sg), GFP_KERNEL);
	if (!sg)
		return NULL;
	sg->part_id = part_id;
	sg->epoch = epoch;
	list_add_tail(&sg->node, &s->staged);
	return sg;
}

static int slsfs_corrupt(struct slsfs_replay_state *s, const char *why)
{
	s->r->why = why;
	return -EUCLEAN;
}

/* The partition a chunk names: it must have been created before it. */
static struct slsfs_partition *slsfs_chunk_part(struct slsfs_replay_state *s,
						const struct slsfs_chunk *ch)
{
	return slsfs_part_find_id(s->r->st, le64_to_cpu(ch->part_id));
}

/* What is staged for the epoch of chunk @ch, which names @what of it. */
static struct slsfs_staged *slsfs_staged_of(struct slsfs_replay_state *s,
					    const struct slsfs_chunk *ch,
					    const char *what)
{
	struct slsfs_staged *sg;

	if (!slsfs_chunk_part(s, ch))
		return ERR_PTR(slsfs_corrupt(s, what));
	sg = slsfs_staged_get(s, le64_to_cpu(ch->part_id), le64_to_cpu(ch->epoch));
	return sg ?: ERR_PTR(-ENOMEM);
}

static int slsfs_replay_pages(struct slsfs_replay_state *s,
			      const struct slsfs_chunk *ch)
{
	const struct slsfs_page_entry *e = (const void *)(ch + 1);
	u32 nr = le32_to_cpu(ch->nr_entries);
	struct slsfs_staged *sg;
	u32 i;

	sg = slsfs_staged_of(s, ch, "pages of an unknown partition");
	if (IS_ERR(sg))
		return PTR_ERR(sg);
	if (slsfs_array_room((void **)&sg->pages, &sg->page_room,
			     sg->nr_pages + nr, sizeof(*sg->pages)))
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct slsfs_staged_page *sp = &sg->pages[sg->nr_pages++];

		sp->obj = le64_to_cpu(e[i].obj);
		sp->index = le64_to_cpu(e[i].index);
		sp->pv.epoch = sg->epoch;
		sp->pv.addr = s->pos.addr + 1 + i;
		sp->pv.crc = le32_to_cpu(e[i].crc);
	}
	return 0;
}

static int slsfs_replay_clear(struct slsfs_replay_state *s,
			      const struct slsfs_chunk *ch)
{
	const struct slsfs_clear_entry *e = (const void *)(ch + 1);
	u32 nr = le32_to_cpu(ch->nr_entries);
	struct slsfs_staged *sg;
	u32 i;
	int err;

	sg = slsfs_staged_of(s, ch, "clear of an unknown partition");
	if (IS_ERR(sg))
		return PTR_ERR(sg);
	for (i = 0; i < nr; i++) {
		if (le64_to_cpu(e[i].start) >= le64_to_cpu(e[i].end))
			return slsfs_corrupt(s, "clear of an empty run");
		err = slsfs_staged_clear(sg, le64_to_cpu(e[i].obj),
					 le64_to_cpu(e[i].start),
					 le64_to_cpu(e[i].end));
		if (err)
			return err;
	}
	return 0;
}

static int slsfs_replay_records(struct slsfs_replay_state *s,
				const struct slsfs_chunk *ch)
{
	const __le32 *crc = (const void *)(ch + 1);
	u32 nr = le32_to_cpu(ch->nr_entries);
	struct slsfs_staged *sg;
	void *p;
	u32 i;

	sg = slsfs_staged_of(s, ch, "records of an unknown partition");
	if (IS_ERR(sg))
		return PTR_ERR(sg);
	p = krealloc_array(sg->extents, sg->nr_extents + 1, sizeof(*sg->extents),
			   GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	sg->extents = p;
	p = krealloc_array(sg->crcs, sg->nr_blocks + nr, sizeof(*sg->crcs),
			   GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	sg->crcs = p;
	sg->extents[sg->nr_extents].addr = s->pos.addr + 1;
	sg->extents[sg->nr_extents].nr_blocks = nr;
	sg->nr_extents++;
	for (i = 0; i < nr; i++)
		sg->crcs[sg->nr_blocks++] = le32_to_cpu(crc[i]);
	return 0;
}

/* Add a committed epoch, with what was staged for it, to the store. */
static int slsfs_replay_add(struct slsfs_replay_state *s,
			    struct slsfs_partition *part,
			    const struct slsfs_commit *c, u64 epoch,
			    struct slsfs_staged *sg)
{
	int err = slsfs_epoch_add(part, c, epoch, sg);

	if (err == -EUCLEAN)
		return slsfs_corrupt(s, "commit does not match its epoch's chunks");
	if (err)
		return err;
	if (sg)
		slsfs_staged_free(sg);
	s->r->st->commits++;
	return 0;
}

/*
 * Keep the epoch of a sealed commit aside until a chunk follows it; it
 * stays the open epoch until then, as the next chunk is marked only after
 * slsfs_sealed_take().  Its span must lead back to the epoch's first chunk.
 */
static int slsfs_replay_seal(struct slsfs_replay_state *s,
			     const struct slsfs_chunk *ch, struct slsfs_staged *sg)
{
	const struct slsfs_commit *c = (const void *)(ch + 1);

	if (s->pos.addr - le32_to_cpu(c->span) != s->open_at.addr)
		return slsfs_corrupt(s, "sealed commit does not match its epoch's chunks");
	if (sg)
		list_del_init(&sg->node);
	s->sealed = true;
	s->sealed_c = *c;
	s->sealed_sg = sg;
	return 0;
}

static int slsfs_replay_commit(struct slsfs_replay_state *s,
			       const struct slsfs_chunk *ch)
{
	const struct slsfs_commit *c = (const void *)(ch + 1);
	u64 epoch = le64_to_cpu(ch->epoch);
	struct slsfs_partition *part = slsfs_chunk_part(s, ch);
	struct slsfs_staged *sg;

	s->open = false;
	if (!part)
		return slsfs_corrupt(s, "commit of an unknown partition");
	if (epoch < part->next_epoch || le64_to_cpu(c->oldest) > epoch)
		return slsfs_corrupt(s, "commit of an epoch out of order");
	sg = slsfs_staged_find(s, part->id, epoch);
	if (le32_to_cpu(c->flags) & SLSFS_COMMIT_SEALED)
		return slsfs_replay_seal(s, ch, sg);
	if (c->span)
		return slsfs_corrupt(s, "commit does not match its epoch's chunks");
	return slsfs_replay_add(s, part, c, epoch, sg);
}

/* A chunk follows the sealed commit: its write was done, the epoch is whole. */
static int slsfs_sealed_take(struct slsfs_replay_state *s)
{
	struct slsfs_partition *part;

	if (!s->sealed)
		return 0;
	s->sealed = false;
	part = slsfs_part_find_id(s->r->st, s->open_part);
	if (WARN_ON_ONCE(!part))	/* found at the commit, nothing since */
		return -EUCLEAN;
	return slsfs_replay_add(s, part, &s->sealed_c, s->open_epoch, s->sealed_sg);
}

/* Forget the sealed epoch; slsfs_check_end() counts it as torn. */
static void slsfs_sealed_drop(struct slsfs_replay_state *s)
{
	if (!s->sealed)
		return;
	s->sealed = false;
	if (s->sealed_sg)
		slsfs_staged_free(s->sealed_sg);
}

/* Return: 0 if the block at @addr holds @crc, 1 if not, or -EIO. */
static int slsfs_block_differs(struct slsfs_replay_state *s, u64 addr, u32 crc)
{
	int err = s->r->read_block(s->r, addr, s->block);

	return err ?: slsfs_block_crc(s->block) != crc;
}

/* Return: 0 if every data block of the sealed epoch made it, 1 if not, or -EIO. */
static int slsfs_sealed_torn(struct slsfs_replay_state *s)
{
	const struct slsfs_staged *sg = s->sealed_sg;
	u32 i, j, k = 0;
	int err = 0;

	for (i = 0; sg && !err && i < sg->nr_pages; i++)
		err = slsfs_block_differs(s, sg->pages[i].pv.addr, sg->pages[i].pv.crc);
	for (i = 0; sg && !err && i < sg->nr_extents; i++)
		for (j = 0; !err && j < sg->extents[i].nr_blocks; j++)
			err = slsfs_block_differs(s, sg->extents[i].addr + j,
						  sg->crcs[k++]);
	return err;
}

/* The log ends with a sealed commit: take its epoch, or drop it as torn. */
static int slsfs_sealed_end(struct slsfs_replay_state *s)
{
	int torn;

	if (!s->sealed)
		return 0;
	torn = slsfs_sealed_torn(s);
	if (torn < 0)
		return torn;
	if (!torn)
		return slsfs_sealed_take(s);
	slsfs_sealed_drop(s);
	s->pos = s->open_at;
	return 0;
}

static int slsfs_replay_part(struct slsfs_replay_state *s,
			     const struct slsfs_chunk *ch)
{
	const struct slsfs_part *dp = (const void *)(ch + 1);
	struct slsfs_partition *part = slsfs_chunk_part(s, ch);
	struct slsfs_store *st = s->r->st;

	if (le32_to_cpu(dp->flags) & SLSFS_PART_REMOVED) {
		if (!part)
			return slsfs_corrupt(s, "removal of an unknown partition");
		slsfs_part_forget(st, part);
		return 0;
	}
	if (part || !ch->part_id || !slsfs_name_ok(dp->name) ||
	    slsfs_part_find(st, dp->name))
		return slsfs_corrupt(s, "bad partition creation");
	return PTR_ERR_OR_ZERO(slsfs_part_add(st, le64_to_cpu(ch->part_id), dp));
}

static int slsfs_replay_discard(struct slsfs_replay_state *s,
				const struct slsfs_chunk *ch)
{
	struct slsfs_partition *part = slsfs_chunk_part(s, ch);
	struct slsfs_staged *sg, *next;

	if (!part)
		return slsfs_corrupt(s, "discard in an unknown partition");
	slsfs_epochs_discard_after(part, le64_to_cpu(ch->epoch));
	list_for_each_entry_safe(sg, next, &s->staged, node)
		if (sg->part_id == part->id)
			slsfs_staged_free(sg);
	return 0;
}

/* Note where the chunks of an epoch start. */
static void slsfs_replay_mark(struct slsfs_replay_state *s,
			      const struct slsfs_chunk *ch)
{
	u16 type = le16_to_cpu(ch->type);
	u64 part = le64_to_cpu(ch->part_id), epoch = le64_to_cpu(ch->epoch);

	if (type != SLSFS_CHUNK_PAGES && type != SLSFS_CHUNK_CLEAR &&
	    type != SLSFS_CHUNK_RECORDS && type != SLSFS_CHUNK_COMMIT) {
		s->open = false;
		return;
	}
	if (s->open && s->open_part == part && s->open_epoch == epoch)
		return;
	s->open = true;
	s->open_part = part;
	s->open_epoch = epoch;
	s->open_at = s->pos;
}

static int slsfs_replay_chunk(struct slsfs_replay_state *s,
			      const struct slsfs_chunk *ch)
{
	slsfs_replay_mark(s, ch);
	switch (le16_to_cpu(ch->type)) {
	case SLSFS_CHUNK_PAGES:
		return slsfs_replay_pages(s, ch);
	case SLSFS_CHUNK_RECORDS:
		return slsfs_replay_records(s, ch);
	case SLSFS_CHUNK_CLEAR:
		return slsfs_replay_clear(s, ch);
	case SLSFS_CHUNK_COMMIT:
		return slsfs_replay_commit(s, ch);
	case SLSFS_CHUNK_PART:
		return slsfs_replay_part(s, ch);
	case SLSFS_CHUNK_DISCARD:
		return slsfs_replay_discard(s, ch);
	}
	/* SEGEND: handled by the walk; CKPT, MOVED: nothing to replay */
	return 0;
}

/* Is the block just read the chunk the chain expects next? */
static bool slsfs_chunk_is_next(struct slsfs_replay_state *s, u64 lsn, u64 min_gen)
{
	const struct slsfs_chunk *ch = s->block;
	const char *why;
	u64 gen = le64_to_cpu(ch->gen);

	if (slsfs_chunk_check(&s->r->st->geo, ch, s->pos.addr, &why))
		return false;
	return le64_to_cpu(ch->lsn) == lsn && gen >= min_gen &&
	       gen <= s->r->max_gen;
}

/* Where the epoch of the sealed commit @ch at @addr starts, else U64_MAX. */
static u64 slsfs_sealed_start(const struct slsfs_chunk *ch, u64 addr)
{
	const struct slsfs_commit *c = (const void *)(ch + 1);

	if (!(le32_to_cpu(c->flags) & SLSFS_COMMIT_SEALED))
		return U64_MAX;
	return addr - le32_to_cpu(c->span);
}

/*
 * The chain ended at s->pos.addr.  A valid commit of this mount or a later one
 * with a higher lsn further on in the segment means the end is a damaged
 * chunk, not a torn tail, unless it is sealed and its epoch spans the end:
 * its write was torn.
 */
static int slsfs_check_end(struct slsfs_replay_state *s)
{
	const struct slsfs_geo *geo = &s->r->st->geo;
	u64 end = slsfs_seg_addr(geo, slsfs_seg_of(geo, s->pos.addr) + 1);
	const struct slsfs_chunk *ch = s->block;
	u64 end_addr = s->pos.addr, start;
	const char *why;
	int err = 0;

	for (s->pos.addr++; s->pos.addr < end; s->pos.addr++) {
		err = s->r->read_block(s->r, s->pos.addr, s->block);
		if (err)
			break;
		if (slsfs_chunk_check(geo, ch, s->pos.addr, &why) ||
		    le16_to_cpu(ch->type) != SLSFS_CHUNK_COMMIT)
			continue;
		if (le64_to_cpu(ch->lsn) <= s->pos.lsn || le64_to_cpu(ch->gen) < s->pos.gen ||
		    le64_to_cpu(ch->gen) > s->r->max_gen)
			continue;
		start = slsfs_sealed_start(ch, s->pos.addr);
		if (start > end_addr) {
			err = slsfs_corrupt(s, "damaged chunk before a committed epoch");
			break;
		}
		/* torn; if it started before the end, what it staged was counted */
		if (start == end_addr)
			s->r->torn_epochs++;
	}
	s->pos.addr = end_addr;
	return err;
}

/* Step past the chunk just taken to where the next one must be. */
static void slsfs_replay_advance(struct slsfs_replay_state *s)
{
	const struct slsfs_geo *geo = &s->r->st->geo;
	const struct slsfs_chunk *ch = s->block;
	u64 seg = slsfs_seg_of(geo, s->pos.addr);

	if (s->r->seen)
		set_bit(seg, s->r->seen);
	s->r->chunks++;
	s->pos.last_addr = s->pos.addr;
	s->pos.lsn++;
	s->pos.gen = le64_to_cpu(ch->gen);
	s->pos.next_seg = le32_to_cpu(ch->next_seg);
	s->pos.addr += 1 + le32_to_cpu(ch->nr_blocks);
	if (le16_to_cpu(ch->type) == SLSFS_CHUNK_SEGEND ||
	    s->pos.addr == slsfs_seg_addr(geo, seg + 1))
		s->pos.addr = slsfs_seg_addr(geo, s->pos.next_seg);
}

/* The stream of an index checkpoint, as its chunks are read. */
struct slsfs_ckpt_in {
	u8 *stream;
	u64 size;			/* from its head, 0 until read */
	u64 have;
	void *block;
};

/* Append the data blocks of the CKPT chunk in s->block to the stream. */
static int slsfs_ckpt_in_chunk(struct slsfs_replay_state *s, struct slsfs_ckpt_in *in)
{
	const struct slsfs_chunk *ch = s->block;
	const __le32 *crc = (const void *)(ch + 1);
	const struct slsfs_ckpt_head *head = in->block;
	u64 max = s->r->st->geo.nr_blocks * SLSFS_BLOCK_SIZE;
	u32 i, n;
	int err;

	for (i = 0; i < le32_to_cpu(ch->nr_blocks); i++) {
		err = s->r->read_block(s->r, s->pos.addr + 1 + i, in->block);
		if (err)
			return err;
		if (slsfs_block_crc(in->block) != le32_to_cpu(crc[i]))
			return slsfs_corrupt(s, "index checkpoint block checksum mismatch");
		if (!in->size) {
			in->size = le64_to_cpu(head->stream_bytes);
			if (in->size < sizeof(*head) || in->size > max)
				return slsfs_corrupt(s, "bad index checkpoint length");
			in->stream = kvmalloc(in->size, GFP_KERNEL);
			if (!in->stream)
				return -ENOMEM;
		}
		if (in->have >= in->size)
			return slsfs_corrupt(s, "index checkpoint longer than its stream");
		n = min_t(u64, SLSFS_BLOCK_SIZE, in->size - in->have);
		memcpy(in->stream + in->have, in->block, n);
		in->have += n;
	}
	return 0;
}

/*
 * Load the index checkpoint the superblock names: CKPT chunks (and the
 * SEGENDs between them) from r->ckpt_addr, whose data blocks are its
 * stream.  The superblock names it only once it is durable, so a chunk
 * missing or damaged is corruption.
 */
static int slsfs_replay_ckpt(struct slsfs_replay_state *s)
{
	const struct slsfs_chunk *ch = s->block;
	struct slsfs_replay *r = s->r;
	struct slsfs_ckpt_in in = {};
	int err;

	in.block = (void *)__get_free_page(GFP_KERNEL);
	if (!in.block)
		return -ENOMEM;
	s->pos.addr = r->ckpt_addr;
	s->pos.lsn = r->ckpt_lsn;
	while (!in.size || in.have < in.size) {
		err = r->read_block(r, s->pos.addr, s->block);
		if (err)
			goto out;
		err = -EUCLEAN;
		if (!slsfs_chunk_is_next(s, s->pos.lsn, s->pos.gen)) {
			slsfs_corrupt(s, "index checkpoint incomplete");
			goto out;
		}
		if (le16_to_cpu(ch->type) == SLSFS_CHUNK_CKPT)
			err = slsfs_ckpt_in_chunk(s, &in);
		else if (le16_to_cpu(ch->type) == SLSFS_CHUNK_SEGEND)
			err = 0;
		else
			slsfs_corrupt(s, "index checkpoint interrupted");
		if (err)
			goto out;
		slsfs_replay_advance(s);
	}
	if (s->pos.lsn != r->start_lsn) {
		err = slsfs_corrupt(s, "log does not go on after its index checkpoint");
		goto out;
	}
	err = slsfs_ckpt_decode(r->st, in.stream, in.size, &r->why);
out:
	kvfree(in.stream);
	free_page((unsigned long)in.block);
	return err;
}

/**
 * slsfs_replay - rebuild @r->st from the log
 * @r:	where the log starts and how to read it; results on return
 *
 * Return: 0, -EUCLEAN (with @r->why) for a corrupt log, -EIO or -ENOMEM.
 */
int slsfs_replay(struct slsfs_replay *r)
{
	struct slsfs_replay_state s = {
		.r = r,
		.staged = LIST_HEAD_INIT(s.staged),
		.pos.addr = r->start_addr,
		.pos.lsn = r->start_lsn,
	};
	const struct slsfs_chunk *ch;
	int err;

	s.block = (void *)__get_free_page(GFP_KERNEL);	/* read_block wants a page */
	if (!s.block)
		return -ENOMEM;
	ch = s.block;
	if (r->ckpt_addr) {
		err = slsfs_replay_ckpt(&s);
		if (err)
			goto out;
		s.pos.addr = r->start_addr;
		s.pos.lsn = r->start_lsn;
		s.pos.next_seg = r->start_next_seg;
	} else {
		s.pos.next_seg = (slsfs_seg_of(&r->st->geo, s.pos.addr) + 1) % r->st->geo.nr_segs;
	}
	for (;;) {
		err = r->read_block(r, s.pos.addr, s.block);
		if (err)
			goto out;
		if (!slsfs_chunk_is_next(&s, s.pos.lsn, s.pos.gen))
			break;
		err = slsfs_sealed_take(&s);
		if (err)
			goto out;
		if (le64_to_cpu(ch->gen) != s.pos.gen) {
			/*
			 * The mount before this chunk's left its tail behind;
			 * an epoch of the same number starts afresh here.
			 */
			slsfs_unstage_all(&s);
			s.open = false;
			s.pos.gen = le64_to_cpu(ch->gen);
		}
		err = slsfs_replay_chunk(&s, ch);
		if (err)
			goto out;
		slsfs_replay_advance(&s);
	}
	err = slsfs_sealed_end(&s) ?: slsfs_check_end(&s);
	r->end_addr = s.pos.addr;
	r->next_lsn = s.pos.lsn;
	r->last_gen = s.pos.gen;
	r->next_seg = s.pos.next_seg;
	r->next_seg_named = s.pos.last_addr &&
		slsfs_seg_of(&r->st->geo, s.pos.last_addr) == slsfs_seg_of(&r->st->geo, s.pos.addr);
out:
	slsfs_sealed_drop(&s);
	slsfs_unstage_all(&s);
	free_page((unsigned long)s.block);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_replay);
