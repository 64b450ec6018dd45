// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: SLS_RESTORE_LAZY, memory paged in from the store.
 *
 * A lazy restore maps the private anonymous memory of a process and
 * leaves each page the store holds to come in on first touch
 * (mm/sls_lazy.c), so that the restore takes as long for 512 MiB as for
 * 1 MiB.  A page comes from the object of the restored address space, as
 * the newest epoch of the partition sees it: the process goes on in that
 * object, and no later epoch writes a page it has not touched.  The
 * source holds the partition, and with it the store, until the last
 * address space with markers of it is gone.
 */
#include <linux/slab.h>
#include <linux/sls_shadow.h>

#include "sls.h"

struct sls_lazy_src {
	struct sls_lazy lz;
	struct sls_partition *part;
	u64 obj;
};

static int sls_lazy_src_read(struct sls_lazy *lz, const u64 *index,
			     struct page **pages, unsigned int nr)
{
	struct sls_lazy_src *src = container_of(lz, struct sls_lazy_src, lz);
	struct sls_partition *part = src->part;
	u64 epoch = slsfs_epoch_latest(part->store, part->id);
	struct slsfs_read *rd;

	rd = slsfs_pages_read_start(part->store, part->id, src->obj, epoch,
				    index, pages, nr);
	if (IS_ERR(rd))
		return PTR_ERR(rd);
	return slsfs_pages_read_end(rd);
}

static void sls_lazy_src_release(struct sls_lazy *lz)
{
	struct sls_lazy_src *src = container_of(lz, struct sls_lazy_src, lz);

	sls_partition_put(src->part);
	kfree(src);
}

static const struct sls_lazy_ops sls_lazy_src_ops = {
	.read		= sls_lazy_src_read,
	.release	= sls_lazy_src_release,
};

void sls_lazy_src_put(struct sls_lazy *lz)
{
	if (lz && refcount_dec_and_test(&lz->ref))
		lz->ops->release(lz);
}

/* Private anonymous memory comes in lazily; the rest is read at once. */
bool sls_vma_lazy_kind(const struct sls_img_vma *v)
{
	return v->kind == SLS_VMA_ANON || v->kind == SLS_VMA_STACK ||
	       v->kind == SLS_VMA_HEAP;
}

static struct sls_lazy *sls_lazy_src_new(struct sls_partition *part, u64 obj)
{
	struct sls_lazy_src *src = kzalloc(sizeof(*src), GFP_KERNEL);

	if (!src)
		return NULL;
	refcount_set(&src->lz.ref, 1);
	src->lz.ops = &sls_lazy_src_ops;
	sls_partition_get(part);
	src->part = part;
	src->obj = obj;
	return &src->lz;
}

/**
 * sls_vma_lazy - leave the pages of a mapping in the store until touched
 * @p:		the process being restored (current)
 * @lzp:	its source, made on first use; the caller puts it
 * @obj:	its memory's object
 * @v:		the mapping, of a sls_vma_lazy_kind()
 * @index:	room for @room page indices
 * @room:	how many
 *
 * Return: 0, -ESTALE if the epoch went, -ENOMEM, or an error of
 * sls_lazy_mark().
 */
int sls_vma_lazy(struct sls_rproc *p, struct sls_lazy **lzp, u64 obj,
		 const struct sls_img_vma *v, u64 *index, unsigned int room)
{
	struct sls_partition *part = p->rs->part;
	u64 from = v->start >> PAGE_SHIFT, last = (v->end >> PAGE_SHIFT) - 1;
	int n;

	if (!*lzp)
		*lzp = sls_lazy_src_new(part, obj);
	if (!*lzp)
		return -ENOMEM;
	do {
		n = slsfs_pages_find(part->store, part->id, obj, p->rs->img->epoch,
				     &from, last, index, room);
		if (n > 0)
			n = sls_lazy_mark(current->mm, *lzp, index, n) ?: n;
	} while (n > 0);
	if (!n)
		sls_lazy_settle(current->mm, v->start, v->end);
	return n;
}
