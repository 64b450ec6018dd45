// SPDX-License-Identifier: GPL-2.0
/*
 * COW system shadowing of address spaces for the single level store.
 *
 * Dirty tracking is soft-dirty's: a page written since the last epoch has
 * its PTE's soft-dirty bit set, and a VMA created since has VM_SOFTDIRTY.
 * Shadowing a page clears the bit, write-protects the PTE and makes the
 * page non-exclusive (on 6.12 do_wp_page() would otherwise reuse an
 * exclusive page in place and the application would write into the
 * snapshot).  The reference the shadow takes keeps the page's contents
 * until the epoch is written; the application's next write copies it.
 *
 * Every user of the address space is parked while this runs, so nothing
 * but DMA into a pinned page changes it; the mmap lock is taken for
 * writing because VM_SOFTDIRTY lives in vm_flags.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/huge_mm.h>
#include <linux/mm_inline.h>
#include <linux/mmu_notifier.h>
#include <linux/pagemap.h>
#include <linux/pagewalk.h>
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/sls_shadow.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <asm/tlbflush.h>

/* A page that could not be shared (it is pinned) and must be copied. */
#define SLS_SHADOW_COPY		1UL
/* A page restored lazily, still in the store, which the epoch must write. */
#define SLS_SHADOW_LAZY		2UL

struct sls_shadow_walk {
	struct sls_shadow *sh;
	bool vma_dirty;		/* the VMA is VM_SOFTDIRTY: all of it is new */
};

/* Make room for @want entries of @size in *@arr, outside the page table locks. */
static int sls_shadow_grow(void **arr, unsigned long *room, unsigned long want,
			   size_t size)
{
	unsigned long n;
	void *p;

	if (want <= *room)
		return 0;
	n = max3(*room * 2, want, 512UL);
	p = kvrealloc(*arr, array_size(n, size), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*room = n;
	return 0;
}

static int sls_shadow_reserve(struct sls_shadow *sh, unsigned long n)
{
	return sls_shadow_grow((void **)&sh->pages, &sh->room, sh->nr + n,
			       sizeof(*sh->pages));
}

static int sls_shadow_reserve_holes(struct sls_shadow *sh, unsigned long n)
{
	return sls_shadow_grow((void **)&sh->holes, &sh->hole_room,
			       sh->nr_holes + n, sizeof(*sh->holes));
}

static void sls_shadow_add(struct sls_shadow *sh, unsigned long addr,
			   struct page *page)
{
	sh->pages[sh->nr].addr = addr;
	sh->pages[sh->nr].page = page;
	sh->nr++;
}

/* Note [@start, @end) as a hole, joining the one before; room is reserved. */
static void sls_shadow_hole(struct sls_shadow *sh, unsigned long start,
			    unsigned long end)
{
	struct sls_shadow_range *last = sh->nr_holes ? &sh->holes[sh->nr_holes - 1] : NULL;

	if (start >= end)
		return;
	if (last && last->end == start) {
		last->end = end;
		return;
	}
	if (WARN_ON_ONCE(sh->nr_holes == sh->hole_room))
		return;
	sh->holes[sh->nr_holes].start = start;
	sh->holes[sh->nr_holes].end = end;
	sh->nr_holes++;
}

static bool sls_shadow_wanted(struct sls_shadow_walk *w, bool soft_dirty)
{
	return w->sh->full || w->vma_dirty || soft_dirty;
}

/*
 * Shadow one present PTE.  The PTE is cleared while the page's exclusive
 * bit goes, so that GUP-fast cannot pin it in between (see
 * __folio_try_share_anon_rmap()).  A pinned page stays writable and
 * soft-dirty: DMA may write it at any time, so every epoch copies it.
 *
 * Return: true if the PTE maps no page of the address space's own (the
 * zero page, a file's page), which makes the address a hole.
 */
static bool sls_shadow_pte(struct vm_area_struct *vma, unsigned long addr,
			   pte_t *pte, struct sls_shadow_walk *w)
{
	pte_t old, ptent = ptep_get(pte);
	bool wanted = sls_shadow_wanted(w, pte_soft_dirty(ptent));
	struct folio *folio;
	struct page *page;

	if (is_zero_pfn(pte_pfn(ptent)))
		return true;
	/* Only a file's mapping holds pages not its own: spare the lookup. */
	if (!wanted && !vma->vm_file)
		return false;
	page = vm_normal_page(vma, addr, ptent);
	if (!page)		/* a special mapping */
		return true;
	folio = page_folio(page);
	if (!folio_test_anon(folio))	/* the file holds it */
		return true;
	if (!wanted)
		return false;

	folio_get(folio);
	old = ptep_modify_prot_start(vma, addr, pte);
	if (PageAnonExclusive(page) && folio_try_share_anon_rmap_pte(folio, page)) {
		ptep_modify_prot_commit(vma, addr, pte, old, old);
		sls_shadow_add(w->sh, addr | SLS_SHADOW_COPY, page);
		return false;
	}
	ptent = pte_clear_soft_dirty(pte_wrprotect(old));
	ptep_modify_prot_commit(vma, addr, pte, old, ptent);
	sls_shadow_add(w->sh, addr, page);
	return false;
}

/*
 * Shadow a PMD-mapped huge page whole, keeping it huge.
 *
 * Return: true if the PMD maps no page of the address space's own.
 */
static bool sls_shadow_huge(struct vm_area_struct *vma, unsigned long addr,
			    pmd_t *pmd, struct sls_shadow_walk *w)
{
	bool wanted = sls_shadow_wanted(w, pmd_soft_dirty(*pmd));
	unsigned long flag = 0;
	struct folio *folio;
	struct page *page;
	pmd_t old;
	int i;

	if (!pmd_present(*pmd))
		return false;
	if (is_huge_zero_pmd(*pmd))
		return true;
	if (!wanted && !vma->vm_file)
		return false;
	page = pmd_page(*pmd);
	folio = page_folio(page);
	if (!folio_test_anon(folio))	/* a file's */
		return true;
	if (!wanted)
		return false;

	folio_ref_add(folio, HPAGE_PMD_NR);
	old = pmdp_invalidate(vma, addr, pmd);
	if (PageAnonExclusive(page) && folio_try_share_anon_rmap_pmd(folio, page)) {
		set_pmd_at(vma->vm_mm, addr, pmd, old);
		flag = SLS_SHADOW_COPY;
	} else {
		set_pmd_at(vma->vm_mm, addr, pmd,
			   pmd_clear_soft_dirty(pmd_wrprotect(old)));
	}
	for (i = 0; i < HPAGE_PMD_NR; i++)
		sls_shadow_add(w->sh, (addr + i * PAGE_SIZE) | flag,
			       nth_page(page, i));
	w->sh->nr_huge += HPAGE_PMD_NR;
	return false;
}

/*
 * A huge PMD partly inside the range is split first: write-protecting it
 * would take pages outside the range along.
 */
static int sls_shadow_pmd_huge(pmd_t *pmd, unsigned long addr,
			       unsigned long end, struct mm_walk *walk)
{
	struct vm_area_struct *vma = walk->vma;
	spinlock_t *ptl = pmd_trans_huge_lock(pmd, vma);

	if (!ptl)
		return 0;
	if (is_pmd_migration_entry(*pmd)) {
		spin_unlock(ptl);
		pmd_migration_entry_wait(walk->mm, pmd);
		walk->action = ACTION_AGAIN;
		return 1;
	}
	if (addr == (addr & HPAGE_PMD_MASK) && end - addr == HPAGE_PMD_SIZE) {
		struct sls_shadow_walk *w = walk->private;

		if (sls_shadow_huge(vma, addr, pmd, w))
			sls_shadow_hole(w->sh, addr, end);
		spin_unlock(ptl);
		return 1;
	}
	spin_unlock(ptl);
	split_huge_pmd(vma, pmd, addr);
	walk->action = ACTION_AGAIN;
	return 1;
}

/*
 * A page restored lazily that the store holds as it is: nothing to write.
 * One the epoch must write (a full one, or one mremap moved) is noted, and
 * its marker made soft-dirty so that the page it becomes is dirty too.
 */
static void sls_shadow_lazy_pte(struct mm_walk *walk, unsigned long addr,
				pte_t *pte, pte_t ptent)
{
	struct sls_shadow_walk *w = walk->private;

	if (!sls_shadow_wanted(w, pte_swp_soft_dirty(ptent)))
		return;
	set_pte_at(walk->mm, addr, pte, pte_swp_mksoft_dirty(ptent));
	sls_shadow_add(w->sh, addr | SLS_SHADOW_LAZY, NULL);
	w->sh->nr_lazy++;
}

/*
 * A non-present, non-none PTE: wait out a migration; a marker (of an empty
 * PTE, or of a page lost to a memory error) holds no memory: a hole, but
 * for that of a page restored lazily.  A swapped-out page, or one a device
 * holds, is refused.
 *
 * Return: 1 for a hole, 0, -EAGAIN or -EOPNOTSUPP.
 */
static int sls_shadow_swap_pte(struct mm_walk *walk, unsigned long addr,
			       pte_t *pte, pte_t ptent)
{
	swp_entry_t entry = pte_to_swp_entry(ptent);
	struct sls_shadow_walk *w = walk->private;

	if (is_migration_entry(entry))
		return -EAGAIN;
	if (sls_lazy_marker(ptent)) {
		sls_shadow_lazy_pte(walk, addr, pte, ptent);
		return 0;
	}
	if (is_pte_marker_entry(entry) || is_hwpoison_entry(entry))
		return 1;
	if (!non_swap_entry(entry) &&
	    !sls_shadow_wanted(w, pte_swp_soft_dirty(ptent)))
		return 0;	/* swapped out, but clean: the store has it */
	return -EOPNOTSUPP;
}

/* Shadow the PTEs of [@addr, @end) under one PMD; return where it stopped. */
static int sls_shadow_ptes(pmd_t *pmd, unsigned long *addr, unsigned long end,
			   struct mm_walk *walk)
{
	struct sls_shadow_walk *w = walk->private;
	pte_t *start_pte, *pte;
	spinlock_t *ptl;
	int err = 0;

	/* With the mmap lock held for writing, no table comes or goes. */
	start_pte = pte_offset_map_lock(walk->mm, pmd, *addr, &ptl);
	if (!start_pte)
		return 0;
	for (pte = start_pte; *addr != end; pte++, *addr += PAGE_SIZE) {
		pte_t ptent = ptep_get(pte);
		bool hole = pte_none(ptent);

		if (pte_present(ptent))
			hole = sls_shadow_pte(walk->vma, *addr, pte, w);
		else if (!hole)
			err = sls_shadow_swap_pte(walk, *addr, pte, ptent);
		if (err == 1)
			hole = true;
		else if (err)
			break;
		err = 0;
		if (hole)
			sls_shadow_hole(w->sh, *addr, *addr + PAGE_SIZE);
	}
	pte_unmap_unlock(start_pte, ptl);
	return err;
}

static int sls_shadow_pmd_entry(pmd_t *pmd, unsigned long addr,
				unsigned long end, struct mm_walk *walk)
{
	struct sls_shadow_walk *w = walk->private;
	int err;

	/* a page each at most, and a hole for every other one */
	if (sls_shadow_reserve(w->sh, (end - addr) >> PAGE_SHIFT) ||
	    sls_shadow_reserve_holes(w->sh, PTRS_PER_PTE / 2 + 1))
		return -ENOMEM;
	if (sls_shadow_pmd_huge(pmd, addr, end, walk))
		return 0;
	/*
	 * A page under migration is waited for and the walk goes on from
	 * it, not from the start: a page must not be shadowed twice.
	 */
	while ((err = sls_shadow_ptes(pmd, &addr, end, walk)) == -EAGAIN)
		migration_entry_wait(walk->mm, pmd, addr);
	cond_resched();
	return err;
}

/* No page table: nothing of the address space's own is there. */
static int sls_shadow_pte_hole(unsigned long addr, unsigned long next,
			       int depth, struct mm_walk *walk)
{
	struct sls_shadow_walk *w = walk->private;

	if (sls_shadow_reserve_holes(w->sh, 1))
		return -ENOMEM;
	sls_shadow_hole(w->sh, addr, next);
	return 0;
}

static const struct mm_walk_ops sls_shadow_ops = {
	.pmd_entry	= sls_shadow_pmd_entry,
	.pte_hole	= sls_shadow_pte_hole,
	.walk_lock	= PGWALK_WRLOCK,
};

/*
 * Shared memory is copied at the checkpoint, every page the page cache
 * holds: its pages are mapped by other processes too, which soft-dirty
 * bits of one address space do not see.
 */
static int sls_shadow_copy_shmem(struct vm_area_struct *vma, unsigned long start,
				 unsigned long end, struct sls_shadow *sh)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	unsigned long addr;
	int err;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		pgoff_t index = linear_page_index(vma, addr);
		struct folio *folio = filemap_get_entry(mapping, index);
		struct page *copy;

		if (xa_is_value(folio))	/* swapped out */
			return -EOPNOTSUPP;
		if (!folio) {		/* a hole: it reads as zeroes */
			if (sls_shadow_reserve_holes(sh, 1))
				return -ENOMEM;
			sls_shadow_hole(sh, addr, addr + PAGE_SIZE);
			continue;
		}
		err = sls_shadow_reserve(sh, 1);
		copy = err ? NULL : alloc_page(GFP_KERNEL_ACCOUNT);
		if (copy)
			copy_highpage(copy, folio_file_page(folio, index));
		folio_put(folio);
		if (!copy)
			return -ENOMEM;
		sls_shadow_add(sh, addr, copy);
		sh->nr_shared++;
		cond_resched();
	}
	return 0;
}

/* Mappings whose pages are not memory, or that the file holds. */
static bool sls_shadow_skip_vma(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP) || is_vm_hugetlb_page(vma))
		return true;
	return (vma->vm_flags & VM_SHARED) && !vma_is_shmem(vma);
}

static int sls_shadow_vma(struct vm_area_struct *vma, unsigned long start,
			  unsigned long end, struct sls_shadow *sh)
{
	struct sls_shadow_walk w = {
		.sh = sh,
		.vma_dirty = vma->vm_flags & VM_SOFTDIRTY,
	};
	int err;

	if (vma->vm_flags & VM_SHARED)
		return sls_shadow_copy_shmem(vma, start, end, sh);
	err = walk_page_range_vma(vma, start, end, &sls_shadow_ops, &w);
	if (err)
		return err;
	/* Only a walk of all of the VMA may say none of it is new any more. */
	if (w.vma_dirty && start == vma->vm_start && end == vma->vm_end) {
		vm_flags_clear(vma, VM_SOFTDIRTY);
		vma_set_page_prot(vma);
	}
	return 0;
}

/* Copy the pages that could not be shared, before the application runs. */
static int sls_shadow_copy_pinned(struct sls_shadow *sh)
{
	unsigned long i;

	for (i = 0; i < sh->nr; i++) {
		struct sls_shadow_page *sp = &sh->pages[i];
		struct page *copy;

		if (!(sp->addr & SLS_SHADOW_COPY))
			continue;
		copy = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!copy)
			return -ENOMEM;
		copy_highpage(copy, sp->page);
		put_page(sp->page);
		sp->page = copy;
		sp->addr &= ~SLS_SHADOW_COPY;
		sh->nr_copied++;
	}
	return 0;
}

/* Shadow [@start, @end) of @mm: the walk of sls_shadow_mm(). */
static int sls_shadow_range(struct mm_struct *mm, unsigned long start,
			    unsigned long end, struct sls_shadow *sh)
{
	VMA_ITERATOR(vmi, mm, start);
	struct mmu_notifier_range range;
	struct vm_area_struct *vma;
	unsigned long hole = start;	/* where the next hole may start */
	int err = 0;

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	inc_tlb_flush_pending(mm);
	mmu_notifier_range_init(&range, MMU_NOTIFY_SOFT_DIRTY, 0, mm, start, end);
	mmu_notifier_invalidate_range_start(&range);
	for_each_vma_range(vmi, vma, end) {
		unsigned long from = max(start, vma->vm_start);

		err = sls_shadow_reserve_holes(sh, 2);
		if (err)
			break;
		sls_shadow_hole(sh, hole, from);	/* no VMA there */
		hole = min(end, vma->vm_end);
		if (sls_shadow_skip_vma(vma)) {
			sls_shadow_hole(sh, from, hole);
			continue;
		}
		err = sls_shadow_vma(vma, from, hole, sh);
		if (err)
			break;
	}
	err = err ?: sls_shadow_reserve_holes(sh, 1);
	if (!err)
		sls_shadow_hole(sh, hole, end);
	mmu_notifier_invalidate_range_end(&range);
	flush_tlb_mm(mm);
	dec_tlb_flush_pending(mm);
	mmap_write_unlock(mm);
	return err;
}

/*
 * The pages restored lazily that the epoch must write are still in the
 * store: take their entries out of the shadow, fault them in, and shadow
 * the pages they became, each run of neighbours in one more walk.
 */
static int sls_shadow_lazy(struct mm_struct *mm, struct sls_shadow *sh)
{
	unsigned long i, j, n = 0, *addrs;
	int err = 0;

	addrs = kvmalloc_array(sh->nr_lazy, sizeof(*addrs), GFP_KERNEL);
	if (!addrs)
		return -ENOMEM;
	for (i = j = 0; i < sh->nr; i++) {
		if (sh->pages[i].addr & SLS_SHADOW_LAZY)
			addrs[n++] = sh->pages[i].addr & PAGE_MASK;
		else
			sh->pages[j++] = sh->pages[i];
	}
	sh->nr = j;
	for (i = 0; i < n && !err; i = j) {
		for (j = i + 1; j < n && addrs[j] == addrs[j - 1] + PAGE_SIZE; j++)
			;
		err = sls_lazy_fault_in(mm, addrs[i], addrs[j - 1] + PAGE_SIZE);
		if (!err)
			err = sls_shadow_range(mm, addrs[i],
					       addrs[j - 1] + PAGE_SIZE, sh);
	}
	kvfree(addrs);
	/* Only a thread that mremaps meanwhile (a region's) brings more. */
	if (!err && sh->nr_lazy != n)
		err = -EAGAIN;
	return err;
}

/**
 * sls_shadow_mm - shadow the dirty anonymous pages of an address space
 * @mm:		the address space; every task using it is parked
 * @start:	start of the range to shadow, page aligned
 * @end:	its end, page aligned
 * @sh:		the shadow, zeroed but for @sh->full; pages are appended
 *
 * Private pages dirty since the last call (all present ones if @sh->full)
 * are write-protected, made non-exclusive and referenced; the pages of
 * shared memory mappings (shmem, memfd, MAP_SHARED|MAP_ANONYMOUS) are
 * copied.  @sh->holes lists the addresses of the range that map nothing
 * of @mm's own.  A page restored lazily and still in the store is left
 * there, unless the epoch must write it: then it is faulted in first (and
 * counted in @sh->nr_lazy).  A failure leaves
 * some pages shadowed and their soft-dirty bits clear: the caller's next
 * epoch of @mm must be a full one.
 *
 * Return: 0, -EINTR on a fatal signal, -ENOMEM, -EOPNOTSUPP for a
 * swapped-out page (a clean private one excepted) or one a device holds,
 * -EFAULT for a page restored lazily that the store could not give, or
 * -EAGAIN if a thread moved such pages while a region was shadowed.
 */
int sls_shadow_mm(struct mm_struct *mm, unsigned long start, unsigned long end,
		  struct sls_shadow *sh)
{
	int err = sls_shadow_range(mm, start, end, sh);

	if (!err && sh->nr_lazy)
		err = sls_shadow_lazy(mm, sh);
	if (!err)
		err = sls_shadow_copy_pinned(sh);
	return err;
}

/**
 * sls_shadow_release - drop the references a shadow holds
 * @sh:		the shadow; emptied
 *
 * A page whose reference the caller handed on is NULL here.
 */
void sls_shadow_release(struct sls_shadow *sh)
{
	unsigned long i;

	for (i = 0; i < sh->nr; i++)
		if (sh->pages[i].page)
			put_page(sh->pages[i].page);
	kvfree(sh->pages);
	kvfree(sh->holes);
	sh->pages = NULL;
	sh->holes = NULL;
	sh->nr = 0;
	sh->room = 0;
	sh->nr_holes = 0;
	sh->hole_room = 0;
	sh->nr_lazy = 0;
}

#ifdef CONFIG_SLS_KUNIT_TEST
#include "sls_shadow_kunit.h"
#endif
