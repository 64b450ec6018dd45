/* SPDX-License-Identifier: GPL-2.0 */
/*
 * COW system shadowing of address spaces for the single level store.
 *
 * A shadow is the set of anonymous pages of an address space that an
 * epoch writes: at a checkpoint every one of them that is dirty since the
 * previous epoch (or every one, for a full epoch) is write-protected and
 * referenced, not copied.  The application's next write to such a page
 * faults and gets a copy of its own, so the shadowed page keeps its
 * contents as of the checkpoint until the reference is dropped.  A page
 * pinned for DMA cannot be shared and is copied instead, as fork() does;
 * so are the pages of shared memory mappings.
 *
 * A shadow also lists the holes of the range it covers: addresses that map
 * no page of the address space's own (no VMA, no page, the zero page, a
 * file's page), where what an earlier epoch wrote is gone.
 */
#ifndef _LINUX_SLS_SHADOW_H
#define _LINUX_SLS_SHADOW_H

#include <linux/refcount.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/types.h>

struct mm_struct;
struct page;
struct sls_lazy;

/* One page of a shadow: where it is mapped, and a reference to it. */
struct sls_shadow_page {
	unsigned long addr;
	struct page *page;
};

/* A run of addresses that holds no page of the address space's own. */
struct sls_shadow_range {
	unsigned long start;
	unsigned long end;
};

struct sls_shadow {
	struct sls_shadow_page *pages;
	unsigned long nr;
	unsigned long room;
	struct sls_shadow_range *holes;	/* in order, none next to another */
	unsigned long nr_holes;
	unsigned long hole_room;
	unsigned long nr_lazy;		/* pages faulted in from the store */
	unsigned long nr_copied;	/* pinned pages, copied */
	unsigned long nr_huge;		/* pages of huge PMDs shadowed whole */
	unsigned long nr_shared;	/* pages of shared memory, copied */
	bool full;			/* every present page, dirty or not */
};

int sls_shadow_mm(struct mm_struct *mm, unsigned long start, unsigned long end,
		  struct sls_shadow *sh);
void sls_shadow_release(struct sls_shadow *sh);

/* Whether @pte is the marker of a page restored lazily, still in the store. */
static inline bool sls_lazy_marker(pte_t pte)
{
	return is_pte_marker(pte) &&
	       (pte_marker_get(pte_to_swp_entry(pte)) & PTE_MARKER_SLS_LAZY);
}

/*
 * Where the pages of an address space restored lazily come from (see
 * mm/sls_lazy.c).  Each mm that holds its markers holds a reference.
 */
struct sls_lazy_ops {
	/* Fill @pages with what the store holds for pages @index, in order. */
	int (*read)(struct sls_lazy *lz, const u64 *index, struct page **pages,
		    unsigned int nr);
	void (*release)(struct sls_lazy *lz);
};

struct sls_lazy {
	refcount_t ref;
	const struct sls_lazy_ops *ops;
};

int sls_lazy_mark(struct mm_struct *mm, struct sls_lazy *lz, const u64 *index,
		  unsigned long nr);
void sls_lazy_settle(struct mm_struct *mm, unsigned long start,
		     unsigned long end);
int sls_lazy_fault_in(struct mm_struct *mm, unsigned long start,
		      unsigned long end);
int sls_lazy_fault_in_all(struct mm_struct *mm);

#endif /* _LINUX_SLS_SHADOW_H */
