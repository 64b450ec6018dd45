// SPDX-License-Identifier: GPL-2.0
/*
 * Lazy restore for the single level store: an address space whose pages
 * come in from the store on first touch.
 *
 * A restore maps the private anonymous memory of a process without its
 * pages and puts a PTE marker, PTE_MARKER_SLS_LAZY, where the store holds
 * one.  The marker lives in the page table, so what the kernel does to
 * page tables does the right thing with it: fork copies it, mremap moves
 * it (and sets its soft-dirty bit), MADV_DONTNEED, munmap and exit drop
 * it.  The page's key in the store is its linear page index, which a
 * restore makes its address (an anonymous mapping's vm_pgoff is its start)
 * and which mremap keeps.
 *
 * The first touch faults: sls_lazy_fault() reads the page, and the markers
 * next to it, through the mm's struct sls_lazy and maps them, clean and
 * exclusive, so that a later write sets its soft-dirty bit as it would for
 * any page.  A checkpoint
 * leaves a clean marker alone (the store holds its page) and faults in a
 * marker that it must write (sls_lazy_fault_in()).
 */
#include <linux/mm.h>
#include <linux/memcontrol.h>
#include <linux/mm_inline.h>
#include <linux/pagewalk.h>
#include <linux/pgtable.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sls.h>
#include <linux/sls_shadow.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "internal.h"

/* The mm's child shares its source: dup_mm() copied the pointer. */
void sls_lazy_dup(struct mm_struct *mm)
{
	if (mm->sls_lazy)
		refcount_inc(&mm->sls_lazy->ref);
}

void sls_lazy_put(struct mm_struct *mm)
{
	struct sls_lazy *lz = mm->sls_lazy;

	mm->sls_lazy = NULL;
	if (lz && refcount_dec_and_test(&lz->ref))
		lz->ops->release(lz);
}

/*
 * A fault reads the markers around it too, in one batch: a process that
 * walks its memory faults once per SLS_LAZY_AROUND pages, and the store
 * reads pages that are neighbours in the log with one bio.
 */
#define SLS_LAZY_AROUND	16

struct sls_lazy_batch {
	u64 index[SLS_LAZY_AROUND];
	struct page *pages[SLS_LAZY_AROUND];
	unsigned long addr[SLS_LAZY_AROUND];
	pte_t orig[SLS_LAZY_AROUND];
	unsigned int nr;
	unsigned int fault;		/* the one that faulted */
};

/*
 * Find the markers of the aligned window around the fault, within its VMA
 * and so within one PTE table.  False if the fault's own marker went.
 */
static bool sls_lazy_around(struct vm_fault *vmf, struct sls_lazy_batch *b)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long size = SLS_LAZY_AROUND * PAGE_SIZE;
	unsigned long start, end, addr;
	pte_t *start_pte, ptent;
	bool found = false;
	spinlock_t *ptl;

	start = max(ALIGN_DOWN(vmf->address, size), vma->vm_start);
	end = min(ALIGN_DOWN(vmf->address, size) + size, vma->vm_end);
	start_pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, start, &ptl);
	if (!start_pte)
		return false;
	b->nr = 0;
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		ptent = ptep_get(start_pte + ((addr - start) >> PAGE_SHIFT));
		if (addr == vmf->address) {
			found = pte_same(ptent, vmf->orig_pte);
			b->fault = b->nr;
		} else if (!sls_lazy_marker(ptent)) {
			continue;
		}
		b->addr[b->nr] = addr;
		b->orig[b->nr] = ptent;
		b->index[b->nr++] = linear_page_index(vma, addr);
	}
	pte_unmap_unlock(start_pte, ptl);
	return found;
}

/*
 * A page for the marker at @addr, charged; NULL if memory is short.  A
 * neighbour's is a prefetch (@extra): it gives up rather than reclaim hard.
 */
static struct page *sls_lazy_page(struct vm_fault *vmf, unsigned long addr,
				  gfp_t extra)
{
	struct folio *folio;

	folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE | extra, 0, vmf->vma,
				addr, false);
	if (!folio)
		return NULL;
	if (mem_cgroup_charge(folio, vmf->vma->vm_mm, GFP_KERNEL | extra)) {
		folio_put(folio);
		return NULL;
	}
	folio_throttle_swaprate(folio, GFP_KERNEL);
	return &folio->page;
}

/* Shrink @b to the page that faulted, putting the others it holds. */
static void sls_lazy_only_fault(struct sls_lazy_batch *b)
{
	unsigned int i, f = b->fault;

	for (i = 0; i < b->nr; i++)
		if (i != f && b->pages[i])
			put_page(b->pages[i]);
	b->index[0] = b->index[f];
	b->pages[0] = b->pages[f];
	b->addr[0] = b->addr[f];
	b->orig[0] = b->orig[f];
	b->nr = 1;
	b->fault = 0;
}

/*
 * A page for each of @b's markers; if memory is short, for the one that
 * faulted only.  False if not even for that one.
 */
static bool sls_lazy_alloc(struct vm_fault *vmf, struct sls_lazy_batch *b)
{
	unsigned int i;

	memset(b->pages, 0, sizeof(b->pages));
	b->pages[b->fault] = sls_lazy_page(vmf, b->addr[b->fault], 0);
	if (!b->pages[b->fault])
		return false;
	for (i = 0; i < b->nr; i++) {
		if (b->pages[i])
			continue;
		b->pages[i] = sls_lazy_page(vmf, b->addr[i],
					    __GFP_NORETRY | __GFP_NOWARN);
		if (!b->pages[i]) {
			sls_lazy_only_fault(b);
			break;
		}
	}
	return true;
}

/* Map page @i of @b, read, where its marker still is; the PTL is held. */
static bool sls_lazy_map_one(struct vm_fault *vmf, struct sls_lazy_batch *b,
			     unsigned int i, pte_t *pte)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio = page_folio(b->pages[i]);
	unsigned long addr = b->addr[i];
	pte_t entry;

	if (!pte_same(ptep_get(pte), b->orig[i]))
		return false;	/* another thread mapped it */
	__folio_mark_uptodate(folio);
	entry = mk_pte(&folio->page, vma->vm_page_prot);
	/* A marker that mremap moved is new where it is now. */
	if (pte_swp_soft_dirty(b->orig[i]))
		entry = pte_mksoft_dirty(entry);
	if (i == b->fault && (vmf->flags & FAULT_FLAG_WRITE) &&
	    (vma->vm_flags & VM_WRITE))
		entry = pte_mkwrite(pte_mkdirty(entry), vma);
	inc_mm_counter(vma->vm_mm, MM_ANONPAGES);
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(folio, vma);
	set_pte_at(vma->vm_mm, addr, pte, entry);
	update_mmu_cache_range(vmf, vma, addr, pte, 1);
	return true;
}

/* Map the pages of @b that were read; put those not mapped. */
static void sls_lazy_map(struct vm_fault *vmf, struct sls_lazy_batch *b)
{
	pte_t *table;
	unsigned int i;
	spinlock_t *ptl;

	/* The batch lies in one PTE table: index it from its start. */
	table = pte_offset_map_lock(vmf->vma->vm_mm, vmf->pmd,
				    b->addr[0] & PMD_MASK, &ptl);
	for (i = 0; i < b->nr; i++) {
		if (!table || !sls_lazy_map_one(vmf, b, i,
						table + pte_index(b->addr[i])))
			put_page(b->pages[i]);
	}
	if (table)
		pte_unmap_unlock(table, ptl);
}

/*
 * Read the pages of @b; if the batch fails, only the one that faulted, so
 * that a bad neighbour does not take down a good page.
 */
static int sls_lazy_read(struct sls_lazy *lz, struct sls_lazy_batch *b)
{
	int err;

	err = lz->ops->read(lz, b->index, b->pages, b->nr);
	if (!err || b->nr == 1)
		return err;
	sls_lazy_only_fault(b);
	return lz->ops->read(lz, b->index, b->pages, 1);
}

/**
 * sls_lazy_fault - bring in a page restored lazily, and its neighbours
 * @vmf:	the fault on a PTE_MARKER_SLS_LAZY marker
 *
 * Return: VM_FAULT_MAJOR with the page read and mapped, 0 if it was
 * mapped meanwhile, VM_FAULT_OOM, VM_FAULT_RETRY (the anon_vma needs the
 * mmap lock), or VM_FAULT_SIGBUS if the store could not give the page (it
 * logged why).
 */
vm_fault_t sls_lazy_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct sls_lazy *lz = READ_ONCE(vma->vm_mm->sls_lazy);
	struct sls_lazy_batch *b;
	unsigned int i;
	vm_fault_t ret;
	int err;

	/* Only a restore puts the marker, only where the mm has a source. */
	if (WARN_ON_ONCE(!lz || !vma_is_anonymous(vma)))
		return VM_FAULT_SIGBUS;
	ret = vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	b = kmalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return VM_FAULT_OOM;
	if (!sls_lazy_around(vmf, b))
		goto out;	/* mapped meanwhile, or the table went */
	if (!sls_lazy_alloc(vmf, b)) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	err = sls_lazy_read(lz, b);
	if (err) {
		for (i = 0; i < b->nr; i++)
			put_page(b->pages[i]);
		pr_err_ratelimited("sls: pid %d: page at %#lx not restored: error %d\n",
				   task_tgid_nr(current), vmf->address, err);
		ret = err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
		goto out;
	}
	sls_lazy_map(vmf, b);
	/* It waited for the device, as do_swap_page() does: a major fault. */
	ret = VM_FAULT_MAJOR;
	count_vm_event(PGMAJFAULT);
	count_memcg_event_mm(vma->vm_mm, PGMAJFAULT);
out:
	kfree(b);
	return ret;
}

/* The PTE table of @addr in @mm, allocated if need be; NULL on ENOMEM. */
static pmd_t *sls_lazy_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	p4d = p4d_alloc(mm, pgd, addr);
	pud = p4d ? pud_alloc(mm, p4d, addr) : NULL;
	pmd = pud ? pmd_alloc(mm, pud, addr) : NULL;
	if (!pmd || pte_alloc(mm, pmd))
		return NULL;
	return pmd;
}

/*
 * Put markers at the pages @index[0..@nr) that lie in @vma under the PMD
 * of the first one; return how many it covered, or an error.
 */
static long sls_lazy_mark_pmd(struct vm_area_struct *vma, const u64 *index,
			      unsigned long nr)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr = index[0] << PAGE_SHIFT, end;
	pte_t *pte, *start_pte;
	unsigned long i;
	spinlock_t *ptl;
	pmd_t *pmd;

	pmd = sls_lazy_pmd(mm, addr);
	if (!pmd)
		return -ENOMEM;
	if (pmd_trans_huge(pmdp_get(pmd)))
		return -EEXIST;	/* memory the restore did not map */
	start_pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!start_pte)
		return -EAGAIN;
	end = pmd_addr_end(addr, vma->vm_end);
	for (i = 0; i < nr && (index[i] << PAGE_SHIFT) < end; i++) {
		pte = start_pte + (index[i] - index[0]);	/* under one PMD */
		if (!pte_none(ptep_get(pte)))
			continue;	/* the restore itself touched it */
		set_pte_at(mm, index[i] << PAGE_SHIFT, pte,
			   make_pte_marker(PTE_MARKER_SLS_LAZY));
	}
	pte_unmap_unlock(start_pte, ptl);
	return i;
}

/**
 * sls_lazy_mark - leave pages of an address space to come in on first touch
 * @mm:		the address space being restored (current's)
 * @lz:		where its pages come from; @mm takes a reference
 * @index:	pages the store holds, in order, in private anonymous mappings
 * @nr:		how many
 *
 * An address space has one source: another is -EBUSY.  A page already
 * mapped keeps its mapping.
 *
 * Return: 0, -EBUSY, -EINVAL for a page outside a private anonymous
 * mapping, -EEXIST for one under a huge page, or -ENOMEM.
 */
int sls_lazy_mark(struct mm_struct *mm, struct sls_lazy *lz, const u64 *index,
		  unsigned long nr)
{
	struct vm_area_struct *vma;
	unsigned long i = 0;
	long done = 0;

	mmap_read_lock(mm);
	if (!mm->sls_lazy) {
		refcount_inc(&lz->ref);
		WRITE_ONCE(mm->sls_lazy, lz);
	}
	if (mm->sls_lazy != lz)
		done = -EBUSY;
	for (; i < nr && done >= 0; i += done) {
		vma = vma_lookup(mm, index[i] << PAGE_SHIFT);
		if (!vma || !vma_is_anonymous(vma) || (vma->vm_flags & VM_SHARED)) {
			done = -EINVAL;
			break;
		}
		done = anon_vma_prepare(vma) ? -ENOMEM : 0;
		if (!done)
			done = sls_lazy_mark_pmd(vma, index + i, nr - i);
		if (done == -EAGAIN)
			done = 0;	/* the table went meanwhile: again */
	}
	mmap_read_unlock(mm);
	return min(done, 0L);
}

/**
 * sls_lazy_settle - the mappings a lazy restore made are clean
 * @mm:		the address space being restored
 * @start:	start of the range it marked
 * @end:	its end
 *
 * A new mapping is VM_SOFTDIRTY, which would make the next epoch take all
 * of it, markers too.  A page the restore did map has a soft-dirty bit of
 * its own, so the VMA's may go.
 */
void sls_lazy_settle(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vm_area_struct *vma;

	mmap_write_lock(mm);
	for_each_vma_range(vmi, vma, end) {
		if (!(vma->vm_flags & VM_SOFTDIRTY))
			continue;
		vm_flags_clear(vma, VM_SOFTDIRTY);
		vma_set_page_prot(vma);
	}
	mmap_write_unlock(mm);
}

/**
 * sls_lazy_fault_in - bring in the pages of markers a checkpoint must write
 * @mm:		the address space
 * @start:	the first page of a run of markers
 * @end:	the end of the run
 *
 * Return: 0, or the error of the fault (-EFAULT if the store could not
 * give a page).
 */
int sls_lazy_fault_in(struct mm_struct *mm, unsigned long start,
		      unsigned long end)
{
	struct page *page;
	unsigned long addr;
	long got = 1;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for (addr = start; addr < end && got == 1; addr += PAGE_SIZE) {
		got = get_user_pages_remote(mm, addr, 1, FOLL_FORCE, &page, NULL);
		if (got == 1)
			put_page(page);
	}
	mmap_read_unlock(mm);
	return got == 1 ? 0 : got < 0 ? got : -EFAULT;
}

/* Markers found by a walk of sls_lazy_fault_in_all(), a batch at a time. */
struct sls_lazy_found {
	unsigned long addr[64];
	unsigned int nr;
};

static int sls_lazy_found_pte(pte_t *pte, unsigned long addr,
			      unsigned long next, struct mm_walk *walk)
{
	struct sls_lazy_found *found = walk->private;

	if (!sls_lazy_marker(ptep_get(pte)))
		return 0;
	found->addr[found->nr++] = addr;
	return found->nr == ARRAY_SIZE(found->addr);	/* 1 stops the walk */
}

static const struct mm_walk_ops sls_lazy_found_ops = {
	.pte_entry	= sls_lazy_found_pte,
	.walk_lock	= PGWALK_RDLOCK,
};

/**
 * sls_lazy_fault_in_all - bring in every page of @mm not in yet
 * @mm:		an address space leaving the partition whose store holds them
 *
 * Only a restore makes markers, so a walk that ends finds them all; the
 * next one starts after the last address of a full batch.
 *
 * Return: 0, -EINTR, or the error of a fault (-EFAULT if the store could
 * not give a page).
 */
int sls_lazy_fault_in_all(struct mm_struct *mm)
{
	struct sls_lazy_found *found;
	unsigned long start = 0;
	unsigned int i;
	int err = 0;

	if (!READ_ONCE(mm->sls_lazy))
		return 0;
	found = kmalloc(sizeof(*found), GFP_KERNEL);
	if (!found)
		return -ENOMEM;
	do {
		found->nr = 0;
		if (mmap_read_lock_killable(mm)) {
			err = -EINTR;
			break;
		}
		walk_page_range(mm, start, TASK_SIZE_MAX, &sls_lazy_found_ops,
				found);
		mmap_read_unlock(mm);
		for (i = 0; i < found->nr && !err; i++)
			err = sls_lazy_fault_in(mm, found->addr[i],
						found->addr[i] + PAGE_SIZE);
		if (found->nr)
			start = found->addr[found->nr - 1] + PAGE_SIZE;
		cond_resched();
	} while (found->nr == ARRAY_SIZE(found->addr) && !err);
	kfree(found);
	return err;
}
