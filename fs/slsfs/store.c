// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: the store in memory, as replay builds it and commits extend it:
 * partitions, their committed epochs, and the index from (partition,
 * object, page) to the copy of the page each epoch wrote.
 *
 * A page keeps one version per epoch that wrote it, newest first; a lookup
 * at epoch E takes the newest version not newer than E, which is how an
 * incremental epoch resolves a page through its chain of parents.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "internal.h"

/* Return: 0 or -ENOMEM. */
int slsfs_store_init(struct slsfs_store *st, const struct slsfs_geo *geo)
{
	memset(st, 0, sizeof(*st));
	st->geo = *geo;
	INIT_LIST_HEAD(&st->parts);
	st->next_part_id = 1;
	st->seg_live = kvcalloc(max(geo->nr_segs, 1U), sizeof(*st->seg_live),
				GFP_KERNEL);
	return st->seg_live ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_store_init);

/*
 * Count @nr blocks from @addr in (or, with a negative @delta, out of) the
 * live blocks of their segment; they never cross a segment's end.
 */
void slsfs_live_add(struct slsfs_store *st, u64 addr, u32 nr, int delta)
{
	const struct slsfs_geo *geo = &st->geo;
	u64 seg;

	if (addr < geo->seg_start || !nr)
		return;
	seg = slsfs_seg_of(geo, addr);
	if (WARN_ON_ONCE(seg >= geo->nr_segs))
		return;
	st->seg_live[seg] += delta * (int)nr;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_live_add);

static void slsfs_epoch_live(struct slsfs_store *st, struct slsfs_epoch *ep,
			     int delta)
{
	u32 i;

	for (i = 0; i < ep->nr_extents; i++)
		slsfs_live_add(st, ep->extents[i].addr, ep->extents[i].nr_blocks,
			       delta);
}

static void slsfs_epoch_free(struct slsfs_store *st, struct slsfs_epoch *ep)
{
	slsfs_epoch_live(st, ep, -1);
	list_del(&ep->node);
	kfree(ep->extents);
	kfree(ep->extent_crcs);
	kvfree(ep->refs);
	kfree(ep);
}

static void slsfs_page_versions_dead(struct slsfs_store *st,
				     const struct slsfs_page *pg, u32 from, u32 to)
{
	u32 i;

	for (i = from; i < to; i++)
		slsfs_live_add(st, pg->v[i].addr, 1, -1);
}

static void slsfs_object_free(struct slsfs_store *st, struct slsfs_object *obj)
{
	struct slsfs_page *pg;
	unsigned long index;

	xa_for_each(&obj->pages, index, pg) {
		slsfs_page_versions_dead(st, pg, 0, pg->nr);
		kfree(pg);
	}
	xa_destroy(&obj->pages);
	kfree(obj);
}

static void slsfs_part_free(struct slsfs_partition *part)
{
	struct slsfs_epoch *ep, *next;
	struct slsfs_object *obj;
	unsigned long id;

	list_for_each_entry_safe(ep, next, &part->epochs, node)
		slsfs_epoch_free(part->st, ep);
	xa_for_each(&part->objects, id, obj)
		slsfs_object_free(part->st, obj);
	xa_destroy(&part->objects);
	kfree(part);
}

void slsfs_store_destroy(struct slsfs_store *st)
{
	struct slsfs_partition *part, *next;

	list_for_each_entry_safe(part, next, &st->parts, node) {
		list_del(&part->node);
		slsfs_part_free(part);
	}
	kvfree(st->seg_live);
	st->seg_live = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_store_destroy);

struct slsfs_partition *slsfs_part_find(struct slsfs_store *st, const char *name)
{
	struct slsfs_partition *part;

	list_for_each_entry(part, &st->parts, node)
		if (!strcmp(part->name, name))
			return part;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_part_find);

struct slsfs_partition *slsfs_part_find_id(struct slsfs_store *st, u64 id)
{
	struct slsfs_partition *part;

	list_for_each_entry(part, &st->parts, node)
		if (part->id == id)
			return part;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_part_find_id);

/* Add partition @id as a PART chunk describes it. */
struct slsfs_partition *slsfs_part_add(struct slsfs_store *st, u64 id,
				       const struct slsfs_part *dp)
{
	struct slsfs_partition *part;

	part = kzalloc(sizeof(*part), GFP_KERNEL);
	if (!part)
		return ERR_PTR(-ENOMEM);
	part->st = st;
	part->id = id;
	strscpy(part->name, dp->name, sizeof(part->name));
	part->period_ms = le64_to_cpu(dp->period_ms);
	part->keep_epochs = le64_to_cpu(dp->keep_epochs);
	part->attr_flags = le64_to_cpu(dp->attr_flags);
	INIT_LIST_HEAD(&part->epochs);
	part->next_epoch = 1;
	part->committed_next = 1;
	xa_init(&part->objects);
	list_add_tail(&part->node, &st->parts);
	if (id >= st->next_part_id)
		st->next_part_id = id + 1;
	return part;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_part_add);

void slsfs_part_forget(struct slsfs_store *st, struct slsfs_partition *part)
{
	list_del(&part->node);
	slsfs_part_free(part);
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_part_forget);

struct slsfs_epoch *slsfs_epoch_find(struct slsfs_partition *part, u64 epoch)
{
	struct slsfs_epoch *ep;

	list_for_each_entry(ep, &part->epochs, node)
		if (ep->epoch == epoch)
			return ep;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_epoch_find);

struct slsfs_epoch *slsfs_epoch_newest(struct slsfs_partition *part)
{
	if (list_empty(&part->epochs))
		return NULL;
	return list_last_entry(&part->epochs, struct slsfs_epoch, node);
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_epoch_newest);

static struct slsfs_object *slsfs_object_get(struct slsfs_partition *part, u64 id)
{
	struct slsfs_object *obj = xa_load(&part->objects, id);
	int err;

	if (obj)
		return obj;
	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->id = id;
	xa_init(&obj->pages);
	err = xa_err(xa_store(&part->objects, id, obj, GFP_KERNEL));
	if (err) {
		kfree(obj);
		return ERR_PTR(err);
	}
	return obj;
}

/* Make room for one more version of @pg, which may move it. */
static struct slsfs_page *slsfs_page_grow(struct slsfs_page *pg)
{
	u32 room = pg ? pg->room * 2 : 2;
	struct slsfs_page *bigger;

	bigger = krealloc(pg, struct_size(bigger, v, room), GFP_KERNEL);
	if (!bigger)
		return NULL;
	if (!pg)
		bigger->nr = 0;
	bigger->room = room;
	return bigger;
}

/**
 * slsfs_page_add - record that an epoch wrote a copy of a page
 * @part:	the partition
 * @obj:	object id
 * @index:	page index in the object
 * @pv:		the copy; its epoch is newer than any the page has
 *
 * Return: 0 or -ENOMEM.
 */
int slsfs_page_add(struct slsfs_partition *part, u64 obj, u64 index,
		   const struct slsfs_page_version *pv)
{
	struct slsfs_object *o = slsfs_object_get(part, obj);
	struct slsfs_page *pg;
	int err;

	if (IS_ERR(o))
		return PTR_ERR(o);
	pg = xa_load(&o->pages, index);
	if (pg && pg->nr && pg->v[0].epoch == pv->epoch) {
		slsfs_page_versions_dead(part->st, pg, 0, 1);
		pg->v[0] = *pv;		/* rewritten in the same epoch */
		slsfs_live_add(part->st, pv->addr, 1, 1);
		return 0;
	}
	if (!pg || pg->nr == pg->room) {
		struct slsfs_page *bigger = slsfs_page_grow(pg);

		if (!bigger)
			return -ENOMEM;
		/* Replacing a present entry allocates nothing: only a new one fails. */
		err = xa_err(xa_store(&o->pages, index, bigger, GFP_KERNEL));
		if (err) {
			if (!pg)
				kfree(bigger);
			return err;
		}
		pg = bigger;
	}
	memmove(&pg->v[1], &pg->v[0], pg->nr * sizeof(pg->v[0]));
	pg->v[0] = *pv;
	pg->nr++;
	slsfs_live_add(part->st, pv->addr, 1, 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_page_add);

/**
 * slsfs_page_version_at - the version of a page as of an epoch
 * @part:	the partition
 * @obj:	object id
 * @index:	page index in the object
 * @epoch:	the epoch
 *
 * Return: the newest version not newer than @epoch, a gone one included,
 * or NULL if no epoch up to it wrote or cleared the page.
 */
const struct slsfs_page_version *slsfs_page_version_at(struct slsfs_partition *part,
						       u64 obj, u64 index, u64 epoch)
{
	struct slsfs_object *o = xa_load(&part->objects, obj);
	struct slsfs_page *pg;
	u32 i;

	if (!o)
		return NULL;
	pg = xa_load(&o->pages, index);
	if (!pg)
		return NULL;
	for (i = 0; i < pg->nr; i++)
		if (pg->v[i].epoch <= epoch)
			return &pg->v[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_page_version_at);

/**
 * slsfs_page_lookup - the copy of a page as of an epoch
 * @part:	the partition
 * @obj:	object id
 * @index:	page index in the object
 * @epoch:	the epoch
 *
 * Return: the newest version not newer than @epoch, or NULL if no epoch up
 * to it wrote the page or the newest that did was followed by one that
 * cleared it.
 */
const struct slsfs_page_version *slsfs_page_lookup(struct slsfs_partition *part,
						   u64 obj, u64 index, u64 epoch)
{
	const struct slsfs_page_version *pv;

	pv = slsfs_page_version_at(part, obj, index, epoch);
	return pv && !slsfs_pv_gone(pv) ? pv : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_page_lookup);

/**
 * slsfs_array_room - make room in an array that grows by doubling
 * @arr:	the array, kvmalloc()ed or NULL; may move
 * @room:	entries it has room for; updated
 * @want:	entries it must have room for
 * @size:	the size of one
 *
 * Return: 0 or -ENOMEM, the array as it was then.
 */
int slsfs_array_room(void **arr, u32 *room, u32 want, size_t size)
{
	u32 n;
	void *p;

	if (want <= *room)
		return 0;
	n = max3(*room * 2, want, 16U);
	p = kvrealloc(*arr, array_size(n, size), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*room = n;
	return 0;
}

/**
 * slsfs_staged_clear - stage a run of pages an epoch holds no more
 * @sg:		the epoch's staging
 * @obj:	object id
 * @start:	first page index
 * @end:	one past the last; a run next to the one staged last joins it
 *
 * The run must hold no page the epoch writes.
 *
 * Return: 0 or -ENOMEM.
 */
int slsfs_staged_clear(struct slsfs_staged *sg, u64 obj, u64 start, u64 end)
{
	struct slsfs_clear *last = sg->nr_clears ? &sg->clears[sg->nr_clears - 1] : NULL;

	if (start >= end)
		return 0;
	if (last && last->obj == obj && last->end == start) {
		last->end = end;
		return 0;
	}
	if (slsfs_array_room((void **)&sg->clears, &sg->clear_room,
			     sg->nr_clears + 1, sizeof(*sg->clears)))
		return -ENOMEM;
	sg->clears[sg->nr_clears].obj = obj;
	sg->clears[sg->nr_clears].start = start;
	sg->clears[sg->nr_clears].end = end;
	sg->nr_clears++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_staged_clear);

/* What to do with each page that a clear run finds holding a copy. */
typedef int (*slsfs_clear_fn)(struct slsfs_partition *part, u64 obj,
			      unsigned long index, struct slsfs_page *pg, void *arg);

/* Call @fn for every page in @sg's clear runs whose newest version is a copy. */
static int slsfs_clears_walk(struct slsfs_partition *part,
			     const struct slsfs_staged *sg, slsfs_clear_fn fn,
			     void *arg)
{
	const struct slsfs_clear *c;
	struct slsfs_object *o;
	struct slsfs_page *pg;
	unsigned long index, last;
	int err = 0;
	u32 i;

	for (i = 0; i < sg->nr_clears && !err; i++) {
		c = &sg->clears[i];
		o = xa_load(&part->objects, c->obj);
		if (!o || c->start > ULONG_MAX)
			continue;
		index = c->start;
		last = min_t(u64, c->end - 1, ULONG_MAX);
		while (!err && (pg = xa_find(&o->pages, &index, last, XA_PRESENT))) {
			if (!slsfs_pv_gone(&pg->v[0]))
				err = fn(part, c->obj, index, pg, arg);
			if (index++ == last)
				break;
		}
	}
	return err;
}

static int slsfs_clear_keep(struct slsfs_partition *part, u64 obj,
			    unsigned long index, struct slsfs_page *pg, void *arg)
{
	return slsfs_staged_clear(arg, obj, index, index + 1);
}

/**
 * slsfs_clears_filter - keep only the clear runs that hold copies
 * @part:	the partition
 * @sg:		an epoch's staging; its runs become those of pages whose
 *		newest version is a copy, which is what it writes down
 *
 * An epoch stages a run for every hole of an address space, most of them
 * over pages no epoch ever wrote.
 *
 * Return: 0 or -ENOMEM, @sg unchanged then.
 */
int slsfs_clears_filter(struct slsfs_partition *part, struct slsfs_staged *sg)
{
	struct slsfs_staged kept = {};
	int err;

	err = slsfs_clears_walk(part, sg, slsfs_clear_keep, &kept);
	if (err) {
		kvfree(kept.clears);
		return err;
	}
	kvfree(sg->clears);
	sg->clears = kept.clears;
	sg->nr_clears = kept.nr_clears;
	sg->clear_room = kept.clear_room;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_clears_filter);

/*
 * Drop the versions of a page that no retained epoch can see any more:
 * those newer than @newest, and all but the newest of those older than
 * @oldest.  A page left with none goes.
 */
static void slsfs_page_trim(struct slsfs_store *st, struct slsfs_object *o,
			    unsigned long index, struct slsfs_page *pg,
			    u64 oldest, u64 newest)
{
	u32 i, keep;

	/* versions newer than @newest go */
	for (i = 0; i < pg->nr && pg->v[i].epoch > newest; i++)
		;
	slsfs_page_versions_dead(st, pg, 0, i);
	memmove(&pg->v[0], &pg->v[i], (pg->nr - i) * sizeof(pg->v[0]));
	pg->nr -= i;
	/* Of those older than @oldest, the newest stays, unless @oldest wrote it. */
	for (keep = 0; keep < pg->nr && pg->v[keep].epoch >= oldest; keep++)
		;
	if (!(keep && pg->v[keep - 1].epoch == oldest) && keep < pg->nr)
		keep++;
	slsfs_page_versions_dead(st, pg, keep, pg->nr);
	pg->nr = keep;
	/* A gone version with none before it says what no version says. */
	while (pg->nr && slsfs_pv_gone(&pg->v[pg->nr - 1]))
		pg->nr--;
	if (!pg->nr) {
		xa_erase(&o->pages, index);
		kfree(pg);
	}
}

/* Trim every page of the index: after a discard, which any page may feel. */
static void slsfs_index_trim(struct slsfs_partition *part, u64 oldest, u64 newest)
{
	struct slsfs_object *o;
	struct slsfs_page *pg;
	unsigned long id, index;

	xa_for_each(&part->objects, id, o)
		xa_for_each(&o->pages, index, pg)
			slsfs_page_trim(part->st, o, index, pg, oldest, newest);
}

/*
 * Trim the pages an expiring epoch wrote: only they can have gained a
 * version no retained epoch sees, so a commit costs what its oldest
 * epoch wrote, not what the whole index holds.
 */
static void slsfs_epoch_trim(struct slsfs_partition *part,
			     const struct slsfs_epoch *ep, u64 oldest)
{
	struct slsfs_object *o;
	struct slsfs_page *pg;
	u32 i;

	for (i = 0; i < ep->nr_refs; i++) {
		o = xa_load(&part->objects, ep->refs[i].obj);
		pg = o ? xa_load(&o->pages, ep->refs[i].index) : NULL;
		if (pg)
			slsfs_page_trim(part->st, o, ep->refs[i].index, pg,
					oldest, U64_MAX);
	}
}

/* Forget the epochs older than @oldest and the copies only they could see. */
void slsfs_epochs_expire(struct slsfs_partition *part, u64 oldest)
{
	struct slsfs_epoch *ep, *next;

	list_for_each_entry_safe(ep, next, &part->epochs, node) {
		if (ep->epoch >= oldest)
			break;
		slsfs_epoch_trim(part, ep, oldest);
		slsfs_epoch_free(part->st, ep);
		part->nr_epochs--;
	}
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_epochs_expire);

static int slsfs_clear_count(struct slsfs_partition *part, u64 obj,
			     unsigned long index, struct slsfs_page *pg, void *arg)
{
	(*(u32 *)arg)++;
	return 0;
}

/* A page @ep clears is gone from it on: a version of its own says so. */
static int slsfs_clear_page(struct slsfs_partition *part, u64 obj,
			    unsigned long index, struct slsfs_page *pg, void *arg)
{
	struct slsfs_epoch *ep = arg;
	struct slsfs_page_version gone = {
		.epoch = ep->epoch,
		.addr = SLSFS_PAGE_GONE,
	};
	int err;

	if (pg->v[0].epoch == ep->epoch)	/* written by it after all */
		return 0;
	err = slsfs_page_add(part, obj, index, &gone);
	if (err)
		return err;
	ep->refs[ep->nr_refs].obj = obj;
	ep->refs[ep->nr_refs].index = index;
	ep->nr_refs++;
	return 0;
}

/* Move what @sg staged into the new epoch @ep of @part. */
static int slsfs_commit_staged(struct slsfs_partition *part, struct slsfs_epoch *ep,
			       struct slsfs_staged *sg)
{
	u32 i, nr_gone = 0;
	int err;

	if (sg->nr_pages != ep->nr_pages)
		return -EUCLEAN;
	if (ep->record_bytes > (u64)sg->nr_blocks * SLSFS_BLOCK_SIZE)
		return -EUCLEAN;
	/* Counted before its pages are in: at least as many as it clears. */
	slsfs_clears_walk(part, sg, slsfs_clear_count, &nr_gone);
	if (sg->nr_pages + nr_gone) {
		ep->refs = kvmalloc_array(sg->nr_pages + nr_gone, sizeof(*ep->refs),
					  GFP_KERNEL);
		if (!ep->refs)
			return -ENOMEM;
	}
	for (i = 0; i < sg->nr_pages; i++) {
		err = slsfs_page_add(part, sg->pages[i].obj, sg->pages[i].index,
				     &sg->pages[i].pv);
		if (err)
			return err;
		ep->refs[i].obj = sg->pages[i].obj;
		ep->refs[i].index = sg->pages[i].index;
		ep->nr_refs++;
	}
	err = slsfs_clears_walk(part, sg, slsfs_clear_page, ep);
	if (err)
		return err;
	ep->extents = sg->extents;
	ep->extent_crcs = sg->crcs;
	ep->nr_extents = sg->nr_extents;
	sg->extents = NULL;
	sg->crcs = NULL;
	return 0;
}

/**
 * slsfs_epoch_add - add a committed epoch to its partition
 * @part:	the partition
 * @c:		the commit entry
 * @epoch:	its number, newer than any the partition has
 * @sg:		what it wrote, or NULL if it wrote no pages nor records
 *
 * Return: 0, -EUCLEAN if the commit does not match what was written, or
 * -ENOMEM.
 */
int slsfs_epoch_add(struct slsfs_partition *part,
			   const struct slsfs_commit *c, u64 epoch,
			   struct slsfs_staged *sg)
{
	static struct slsfs_staged none;
	struct slsfs_epoch *ep;
	int err;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return -ENOMEM;
	ep->epoch = epoch;
	ep->parent = le64_to_cpu(c->parent);
	ep->nr_pages = le64_to_cpu(c->nr_pages);
	ep->record_bytes = le64_to_cpu(c->record_bytes);
	ep->time_ns = le64_to_cpu(c->time_ns);
	ep->flags = le32_to_cpu(c->flags) & ~SLSFS_COMMIT_SEALED;
	INIT_LIST_HEAD(&ep->node);
	err = slsfs_commit_staged(part, ep, sg ?: &none);
	if (err) {
		kvfree(ep->refs);
		kfree(ep);
		return err;
	}
	slsfs_epoch_insert(part, ep);
	slsfs_epochs_expire(part, le64_to_cpu(c->oldest));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_epoch_add);

static u64 slsfs_part_keep(const struct slsfs_partition *part)
{
	return part->keep_epochs ?: SLSFS_KEEP_EPOCHS_DEFAULT;
}

/**
 * slsfs_part_oldest_kept - the oldest epoch kept once another commits
 * @part:	the partition
 * @epoch:	the epoch that commits, newer than all of @part's
 *
 * Of the keep_epochs newest, the oldest; or if that is partial, the
 * newest whole one before it, without which no partial epoch after it
 * could be restored.
 *
 * Return: that epoch's number.
 */
u64 slsfs_part_oldest_kept(struct slsfs_partition *part, u64 epoch)
{
	u64 keep = slsfs_part_keep(part);
	struct slsfs_epoch *ep, *whole = NULL;
	u64 skip;

	if (part->nr_epochs + 1 <= keep)
		return list_empty(&part->epochs) ? epoch :
		       list_first_entry(&part->epochs, struct slsfs_epoch, node)->epoch;
	skip = part->nr_epochs + 1 - keep;
	list_for_each_entry(ep, &part->epochs, node) {
		if (!(ep->flags & SLSFS_COMMIT_PARTIAL))
			whole = ep;	/* the newest whole one so far */
		if (!skip--)
			return (ep->flags & SLSFS_COMMIT_PARTIAL) && whole ?
			       whole->epoch : ep->epoch;
	}
	return epoch;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_part_oldest_kept);

/**
 * slsfs_part_partial_room - partial epochs the partition may take yet
 * @part:	the partition
 * @whole:	set to its newest whole epoch, 0 if none
 *
 * A partial epoch keeps the newest whole epoch before it however old it
 * is, and every epoch between (slsfs_part_oldest_kept()): partial epochs
 * alone would keep the partition growing.  Once its keep_epochs newest
 * would hold no whole epoch, the next epoch should be a whole one.
 *
 * Return: how many partial epochs may follow the newest ones, 0 when the
 * next should be whole (or the partition has no whole epoch).
 */
u64 slsfs_part_partial_room(struct slsfs_partition *part, u64 *whole)
{
	u64 keep = slsfs_part_keep(part), partial = 0;
	struct slsfs_epoch *ep;

	*whole = 0;
	list_for_each_entry_reverse(ep, &part->epochs, node) {
		if (!(ep->flags & SLSFS_COMMIT_PARTIAL)) {
			*whole = ep->epoch;
			return partial + 1 < keep ? keep - 1 - partial : 0;
		}
		partial++;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_part_partial_room);

/* Add @ep, newer than any epoch of @part, with its record blocks live. */
void slsfs_epoch_insert(struct slsfs_partition *part, struct slsfs_epoch *ep)
{
	list_add_tail(&ep->node, &part->epochs);
	part->nr_epochs++;
	slsfs_epoch_live(part->st, ep, 1);
	if (ep->epoch >= part->next_epoch)
		part->next_epoch = ep->epoch + 1;
	if (ep->epoch >= part->committed_next)
		part->committed_next = ep->epoch + 1;
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_epoch_insert);

/* Forget the epochs newer than @epoch (a restore went back to it). */
void slsfs_epochs_discard_after(struct slsfs_partition *part, u64 epoch)
{
	struct slsfs_epoch *ep, *prev;

	list_for_each_entry_safe_reverse(ep, prev, &part->epochs, node) {
		if (ep->epoch <= epoch)
			break;
		slsfs_epoch_free(part->st, ep);
		part->nr_epochs--;
	}
	slsfs_index_trim(part, 0, epoch);
}
EXPORT_SYMBOL_IF_KUNIT(slsfs_epochs_discard_after);
