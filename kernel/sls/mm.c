// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: address spaces.
 *
 * The layout (every VMA, and the mm fields PR_SET_MM names) is recorded
 * whole in each epoch; the memory itself goes as slsfs pages of object
 * <tgid>, shadowed by mm/sls_shadow.c so that the application runs on
 * while they are written.
 */
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "sls.h"

static void sls_mm_fields(struct sls_img_mm *img, struct mm_struct *mm)
{
	unsigned int i;

	img->start_code = mm->start_code;
	img->end_code = mm->end_code;
	img->start_data = mm->start_data;
	img->end_data = mm->end_data;
	img->start_brk = mm->start_brk;
	img->brk = mm->brk;
	img->start_stack = mm->start_stack;
	img->arg_start = mm->arg_start;
	img->arg_end = mm->arg_end;
	img->env_start = mm->env_start;
	img->env_end = mm->env_end;
	img->nr_vmas = mm->map_count;
	static_assert(AT_VECTOR_SIZE <= SLS_IMG_NAUXV);
	for (i = 0; i + 1 < AT_VECTOR_SIZE && mm->saved_auxv[i]; i += 2) {
		img->auxv[i] = mm->saved_auxv[i];
		img->auxv[i + 1] = mm->saved_auxv[i + 1];
	}
	img->nr_auxv = i;
}

/* The name of a special mapping: "[vdso]", "[vvar]", ... */
static const char *sls_vma_special(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->name)
		return vma->vm_ops->name(vma);
	return NULL;
}

/* What restore would make of @vma: a kind, or 0 if it cannot. */
static u32 sls_vma_kind(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	const char *special = sls_vma_special(vma);

	if (special && !strcmp(special, "[vdso]"))
		return SLS_VMA_VDSO;
	if (special && !strncmp(special, "[vvar", 5))
		return SLS_VMA_VVAR;
	if (special || vma->vm_flags & (VM_IO | VM_PFNMAP) ||
	    is_vm_hugetlb_page(vma))
		return 0;
	if (vma->vm_file && (vma->vm_flags & VM_SHARED))
		return vma_is_anon_shmem(vma) ? SLS_VMA_ANON_SHARED :
						SLS_VMA_FILE_SHARED;
	if (vma->vm_file)
		return SLS_VMA_FILE;
	if (vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk)
		return SLS_VMA_HEAP;
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		return SLS_VMA_STACK;
	return SLS_VMA_ANON;
}

static int sls_emit_vma(struct sls_ckpt *ck, struct task_struct *leader,
			struct vm_area_struct *vma, char *buf)
{
	struct sls_img_vma img = {
		.start = vma->vm_start,
		.end = vma->vm_end,
		.pgoff = vma->vm_pgoff,
		.vm_flags = vma->vm_flags,
		.kind = sls_vma_kind(vma),
	};
	char *name = NULL;

	if (!img.kind)
		return sls_refuse(ck, -EOPNOTSUPP,
				  "pid %d: mapping %#lx-%#lx (%s): not supported",
				  task_tgid_nr(leader), vma->vm_start, vma->vm_end,
				  sls_vma_special(vma) ?: "device or hugetlb");
	if (vma->vm_file && img.kind != SLS_VMA_ANON_SHARED) {
		name = d_path(&vma->vm_file->f_path, buf, PATH_MAX);
		if (IS_ERR(name))
			return sls_refuse(ck, -EOPNOTSUPP,
					  "pid %d: mapping %#lx: file path unreachable",
					  task_tgid_nr(leader), vma->vm_start);
		img.path_len = buf + PATH_MAX - 1 - name;
	}
	return sls_emit2(ck, SLS_REC_VMA, &img, sizeof(img), name, img.path_len);
}

/* The layout: the mm record and one per VMA, under the mmap lock. */
static int sls_mm_layout(struct sls_ckpt *ck, struct task_struct *leader,
			 struct mm_struct *mm)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;
	struct sls_img_mm *img;
	char *buf;
	int err;

	img = kzalloc(sizeof(*img), GFP_KERNEL);
	buf = __getname();
	if (!img || !buf) {
		err = -ENOMEM;
		goto out;
	}
	err = mmap_read_lock_killable(mm);
	if (err)
		goto out;
	sls_mm_fields(img, mm);
	err = sls_emit(ck, SLS_REC_MM, img, sizeof(*img));
	for_each_vma(vmi, vma) {
		if (err)
			break;
		err = sls_emit_vma(ck, leader, vma, buf);
	}
	mmap_read_unlock(mm);
out:
	if (buf)
		__putname(buf);
	kfree(img);
	return err;
}

/*
 * Shadow [start, end) of @mm and hand its pages, with the references the
 * shadow took, to the epoch: no second reference on the stop path.
 */
static int sls_mm_pages(struct sls_ckpt *ck, pid_t tgid, struct mm_struct *mm,
			unsigned long start, unsigned long end)
{
	struct sls_shadow sh = { .full = ck->full };
	unsigned long i;
	int err;

	ck->shadowed = true;	/* from here dirty bits may be spent */
	err = sls_shadow_mm(mm, start, end, &sh);
	for (i = 0; i < sh.nr && !err; i++) {
		err = slsfs_epoch_give_page(ck->txn, tgid,
					    sh.pages[i].addr >> PAGE_SHIFT,
					    sh.pages[i].page);
		if (!err)
			sh.pages[i].page = NULL;
	}
	if (err)
		sls_refuse(ck, err, "pid %d: memory: error %d", tgid, err);
	ck->nr_pages += sh.nr;
	ck->nr_copied += sh.nr_copied + sh.nr_shared;
	sls_shadow_release(&sh);
	return err;
}

/* Capture the address space of a process: its layout, then its pages. */
int sls_mm_capture(struct sls_ckpt *ck, struct task_struct *leader)
{
	struct mm_struct *mm = get_task_mm(leader);
	int err;

	if (!mm)	/* a zombie */
		return 0;
	err = sls_mm_layout(ck, leader, mm);
	if (!err)
		err = sls_mm_pages(ck, task_tgid_nr(leader), mm, 0, TASK_SIZE_MAX);
	mmput(mm);
	return err;
}

/* SLS_PERSIST_REGION: the dirty pages of a range of the caller's memory. */
int sls_mm_capture_region(struct sls_ckpt *ck)
{
	return sls_mm_pages(ck, task_tgid_nr(current), current->mm,
			    ck->req->start, ck->req->end);
}
