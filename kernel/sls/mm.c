// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: address spaces.
 *
 * The layout (every VMA, and the mm fields PR_SET_MM names) is recorded
 * whole in each epoch; the memory itself goes as slsfs pages of one object
 * per address space, shadowed by mm/sls_shadow.c so that the application
 * runs on while they are written.
 */
#include <linux/file.h>
#include <linux/hugetlb.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/shmem_fs.h>
#include <linux/sls.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <asm/vdso.h>

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

/*
 * Shared memory no path reaches: MAP_SHARED|MAP_ANONYMOUS, a memfd's, or
 * one restore rebuilt (a shmem object of the internal mount).
 */
static bool sls_vma_anon_shared(struct vm_area_struct *vma)
{
	return vma_is_anon_shmem(vma) ||
	       (shmem_file(vma->vm_file) &&
		(vma->vm_file->f_path.mnt->mnt_flags & MNT_INTERNAL));
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
		return sls_vma_anon_shared(vma) ? SLS_VMA_ANON_SHARED :
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
	if (img.kind == SLS_VMA_ANON_SHARED) {
		img.shm_id = file_inode(vma->vm_file)->i_ino;
	} else if (vma->vm_file) {
		name = sls_path_name(&vma->vm_file->f_path, buf, &img.path_len);
		if (IS_ERR(name))
			return sls_refuse(ck, -EOPNOTSUPP, "pid %d: mapping %#lx: %s",
					  task_tgid_nr(leader), vma->vm_start,
					  sls_path_why(PTR_ERR(name)));
	}
	return sls_emit2(ck, SLS_REC_VMA, &img, sizeof(img), name, img.path_len);
}

/*
 * The store object of a process's memory.  A process gets a new one with
 * each address space it has (a forked child, an exec, a new process with
 * the pid of one gone): a restore takes each page from the newest epoch
 * that wrote it to the object, and must never find a page of an earlier
 * address space under the new one.  The first epoch that takes an address
 * space takes all of its pages: those a child inherited carry no dirty
 * bit for it.  The entries, in part->mms by tgid, change under ckpt_lock.
 */
struct sls_mm_obj {
	struct mm_struct *mm;		/* grabbed: its address is not reused */
	u64 obj;
	u64 seen;			/* the last epoch that took it */
	u64 whole_epoch;		/* the last epoch that took all of it */
};

/* An object: (the epoch that first took the address space) << 22 | tgid. */
#define SLS_OBJ_PID_BITS	22
static_assert(PID_MAX_LIMIT <= 1 << SLS_OBJ_PID_BITS);

/* The entry of @tgid for @mm; a new one names object @obj. */
static struct sls_mm_obj *sls_mm_obj_get(struct sls_partition *part,
					 pid_t tgid, struct mm_struct *mm,
					 u64 obj)
{
	struct sls_mm_obj *mo = xa_load(&part->mms, tgid);
	int err;

	lockdep_assert_held(&part->ckpt_lock);
	if (mo && mo->mm == mm)
		return mo;
	if (mo) {
		mmdrop(mo->mm);
	} else {
		mo = kzalloc(sizeof(*mo), GFP_KERNEL);
		if (!mo)
			return ERR_PTR(-ENOMEM);
		err = xa_err(xa_store(&part->mms, tgid, mo, GFP_KERNEL));
		if (err) {
			kfree(mo);
			return ERR_PTR(err);
		}
	}
	mmgrab(mm);
	mo->mm = mm;
	mo->obj = obj;
	mo->whole_epoch = 0;
	return mo;
}

/*
 * Does an entry the epoch took name object @obj?  Two entries may: a
 * process restored under a new pid goes on in the object of one that may
 * still have an entry.
 */
static bool sls_mm_obj_taken(struct sls_ckpt *ck, u64 obj)
{
	struct sls_mm_obj *mo;
	unsigned long tgid;

	xa_for_each(&ck->part->mms, tgid, mo)
		if (mo->obj == obj && mo->seen == ck->epoch)
			return true;
	return false;
}

/*
 * A whole epoch clears object @obj of an address space gone, which no
 * later epoch reads: its pages go once the epochs that wrote them expire.
 * A region epoch must not: its restore takes the processes from the whole
 * epoch before it, which may read the object.
 */
static int sls_mm_obj_clear(struct sls_ckpt *ck, u64 obj, unsigned long tgid)
{
	int err;

	if (ck->req->flags & SLS_PERSIST_REGION || sls_mm_obj_taken(ck, obj))
		return 0;
	err = slsfs_epoch_clear(ck->txn, obj, 0, U64_MAX);
	if (err)
		return sls_refuse(ck, err, "pid %lu: memory gone: error %d",
				  tgid, err);
	return 0;
}

/*
 * The object of @mm in the epoch being taken.  That of the address space
 * before an exec is cleared once every member is taken, like the objects
 * of processes gone (sls_mm_objs_clear_gone()).
 */
static struct sls_mm_obj *sls_mm_obj_of(struct sls_ckpt *ck, pid_t tgid,
					struct mm_struct *mm)
{
	struct sls_mm_obj *mo = xa_load(&ck->part->mms, tgid);
	u64 before = mo && mo->mm != mm ? mo->obj : 0;
	int err = 0;

	if (before)
		err = xa_err(xa_store(&ck->execs, before, xa_mk_value(tgid),
				      GFP_KERNEL));
	mo = err ? ERR_PTR(err) :
	     sls_mm_obj_get(ck->part, tgid, mm, ck->epoch << SLS_OBJ_PID_BITS | tgid);
	if (!IS_ERR(mo))
		mo->seen = ck->epoch;
	return mo;
}

/**
 * sls_mm_region_ready - whether the caller's memory can go as a region
 * @part:	the partition, its ckpt_lock held
 * @whole:	its newest durable whole epoch
 *
 * A region epoch is restored with the records of the newest whole epoch,
 * so that epoch must have taken the caller's address space, under the
 * object the region's pages go to: not one that failed.
 */
bool sls_mm_region_ready(struct sls_partition *part, u64 whole)
{
	struct sls_mm_obj *mo = xa_load(&part->mms, task_tgid_nr(current));

	lockdep_assert_held(&part->ckpt_lock);
	return mo && mo->mm == current->mm && mo->whole_epoch &&
	       whole >= mo->whole_epoch;
}

/**
 * sls_mm_objs_restored - restored address spaces go on in their objects
 * @rs:		the restore, its partition's ckpt_lock held
 *
 * Their next epochs, regions among them, add to the objects the restored
 * epoch read, on top of the pages it holds.
 *
 * Return: 0 or -ENOMEM.
 */
int sls_mm_objs_restored(struct sls_restore *rs)
{
	struct sls_image *img = rs->img;
	struct sls_mm_obj *mo;
	struct mm_struct *mm;
	unsigned int i;

	for (i = 0; i < img->nr_procs; i++) {
		struct task_struct *t = img->procs[i].threads[0].task;

		mm = img->procs[i].mm_obj ? get_task_mm(t) : NULL;
		if (!mm)
			continue;
		mo = sls_mm_obj_get(rs->part, task_tgid_nr(t), mm,
				    img->procs[i].mm_obj);
		mmput(mm);
		if (IS_ERR(mo))
			return sls_restore_fail(rs, PTR_ERR(mo),
						"pid %d: memory object: error %ld",
						img->procs[i].img->pid, PTR_ERR(mo));
		mo->seen = img->epoch;
		mo->whole_epoch = img->records_epoch;
	}
	return 0;
}

static void sls_mm_obj_forget(struct sls_partition *part, unsigned long tgid,
			      struct sls_mm_obj *mo)
{
	xa_erase(&part->mms, tgid);
	mmdrop(mo->mm);
	kfree(mo);
}

/**
 * sls_mm_objs_clear_gone - let the pages of address spaces gone expire
 * @ck:		a whole epoch, every member taken
 *
 * An address space the epoch did not take (its process exited or called
 * exec) is a store object no later epoch reads: the epoch clears it, so
 * that its pages go once the epochs that wrote them expire.
 *
 * Return: 0 or -ENOMEM.
 */
int sls_mm_objs_clear_gone(struct sls_ckpt *ck)
{
	struct sls_mm_obj *mo;
	unsigned long tgid;
	int err = 0;

	unsigned long obj;
	void *entry;

	lockdep_assert_held(&ck->part->ckpt_lock);
	xa_for_each(&ck->part->mms, tgid, mo) {
		if (mo->seen != ck->epoch)
			err = sls_mm_obj_clear(ck, mo->obj, tgid);
		if (err)
			return err;
	}
	xa_for_each(&ck->execs, obj, entry) {
		err = sls_mm_obj_clear(ck, obj, xa_to_value(entry));
		if (err)
			return err;
	}
	return 0;
}

/**
 * sls_mm_objs_prune - forget the address spaces an epoch did not take
 * @part:	the partition, its ckpt_lock held
 * @epoch:	the epoch that took every member
 */
void sls_mm_objs_prune(struct sls_partition *part, u64 epoch)
{
	struct sls_mm_obj *mo;
	unsigned long tgid;

	xa_for_each(&part->mms, tgid, mo)
		if (mo->seen != epoch)
			sls_mm_obj_forget(part, tgid, mo);
}

/* The partition goes: forget every address space. */
void sls_mm_objs_free(struct sls_partition *part)
{
	struct sls_mm_obj *mo;
	unsigned long tgid;

	xa_for_each(&part->mms, tgid, mo)
		sls_mm_obj_forget(part, tgid, mo);
	xa_destroy(&part->mms);
}

/* The layout: the mm record and one per VMA, under the mmap lock. */
static int sls_mm_layout(struct sls_ckpt *ck, struct task_struct *leader,
			 struct mm_struct *mm, u64 obj)
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
	img->obj = obj;
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
			struct sls_mm_obj *mo, unsigned long start,
			unsigned long end)
{
	struct sls_shadow sh = { .full = ck->full || !mo->whole_epoch };
	unsigned long i;
	int err;

	ck->shadowed = true;	/* from here dirty bits may be spent */
	err = sls_shadow_mm(mm, start, end, &sh);
	for (i = 0; i < sh.nr && !err; i++) {
		err = slsfs_epoch_give_page(ck->txn, mo->obj,
					    sh.pages[i].addr >> PAGE_SHIFT,
					    sh.pages[i].page);
		if (!err)
			sh.pages[i].page = NULL;
	}
	/* What earlier epochs wrote where the memory is gone is gone too. */
	for (i = 0; i < sh.nr_holes && !err; i++)
		err = slsfs_epoch_clear(ck->txn, mo->obj,
					sh.holes[i].start >> PAGE_SHIFT,
					sh.holes[i].end >> PAGE_SHIFT);
	if (err)
		sls_refuse(ck, err, "pid %d: memory: error %d", tgid, err);
	else if (!(ck->req->flags & SLS_PERSIST_REGION))
		mo->whole_epoch = ck->epoch;
	ck->nr_pages += sh.nr;
	ck->nr_copied += sh.nr_copied + sh.nr_shared;
	sls_shadow_release(&sh);
	return err;
}

/* Capture the address space of a process: its layout, then its pages. */
int sls_mm_capture(struct sls_ckpt *ck, struct task_struct *leader)
{
	struct mm_struct *mm = get_task_mm(leader);
	pid_t tgid = task_tgid_nr(leader);
	struct sls_mm_obj *mo;
	int err;

	if (!mm)	/* a zombie */
		return 0;
	mo = sls_mm_obj_of(ck, tgid, mm);
	err = PTR_ERR_OR_ZERO(mo);
	if (!err)
		err = sls_mm_layout(ck, leader, mm, mo->obj);
	if (!err)
		err = sls_mm_pages(ck, tgid, mm, mo, 0, TASK_SIZE_MAX);
	mmput(mm);
	return err;
}

/* SLS_PERSIST_REGION: the dirty pages of a range of the caller's memory. */
int sls_mm_capture_region(struct sls_ckpt *ck)
{
	pid_t tgid = task_tgid_nr(current);
	struct sls_mm_obj *mo = sls_mm_obj_of(ck, tgid, current->mm);

	if (IS_ERR(mo))
		return sls_refuse(ck, PTR_ERR(mo), "pid %d: memory: error %ld",
				  tgid, PTR_ERR(mo));
	return sls_mm_pages(ck, tgid, current->mm, mo, ck->req->start,
			    ck->req->end);
}

/*
 * Restore.  A process switches to a fresh address space the way exec does,
 * maps each VMA of the image where it was, and has every page the store
 * holds for it read straight into the page it faults in.
 */

/* The size of the shmem object the image's mappings @shm_id share. */
static loff_t sls_shm_size(struct sls_image *img, u64 shm_id)
{
	const struct slsfs_rec *rec;
	loff_t size = 0;
	unsigned int i;

	for (i = 0; i < img->nr_procs; i++) {
		sls_for_each_rec(&img->procs[i], rec, SLS_REC_VMA) {
			const struct sls_img_vma *v = rec->data;

			if (v->kind == SLS_VMA_ANON_SHARED && v->shm_id == shm_id)
				size = max_t(loff_t, size, (v->pgoff << PAGE_SHIFT) +
					     v->end - v->start);
		}
	}
	return size;
}

/*
 * Shared anonymous memory: one shmem object per object of the epoch, which
 * every process that mapped it maps again.
 */
static struct file *sls_shm_get(struct sls_restore *rs, const struct sls_img_vma *v)
{
	struct file *file;
	int err;

	mutex_lock(&rs->shm_lock);
	file = xa_load(&rs->shms, v->shm_id);
	if (!file) {
		file = shmem_kernel_file_setup("dev/zero",
					       sls_shm_size(rs->img, v->shm_id), 0);
		err = IS_ERR(file) ? 0 : xa_insert(&rs->shms, v->shm_id, file,
						   GFP_KERNEL);
		if (err) {
			fput(file);
			file = ERR_PTR(err);
		}
	}
	if (!IS_ERR(file))
		get_file(file);
	mutex_unlock(&rs->shm_lock);
	return file;
}

/* Drop the restore's references to the shared memory it rebuilt. */
void sls_mm_close(struct sls_restore *rs)
{
	struct file *file;
	unsigned long id;

	xa_for_each(&rs->shms, id, file)
		fput(file);
	xa_destroy(&rs->shms);
}

static const struct sls_img_path *sls_path_of(struct sls_rproc *p, u32 kind)
{
	const struct slsfs_rec *rec;

	sls_for_each_rec(p, rec, SLS_REC_PATH)
		if (((const struct sls_img_path *)rec->data)->kind == kind)
			return rec->data;
	return NULL;
}

static struct file *sls_open_name(const char *name, u32 len, int flags)
{
	char *path = kmemdup_nul(name, len, GFP_KERNEL);
	struct file *file;

	if (!path)
		return ERR_PTR(-ENOMEM);
	file = filp_open(path, flags, 0);
	kfree(path);
	return file;
}

/* A fresh mm with the executable, switched to. */
static int sls_mm_switch(struct sls_rproc *p)
{
	const struct sls_img_path *exe = sls_path_of(p, SLS_IMG_PATH_EXE);
	struct mm_struct *mm = mm_alloc();
	struct file *file;
	int err = 0;

	if (!mm)
		return -ENOMEM;
	if (exe) {
		file = sls_open_name((const char *)(exe + 1), exe->len,
				     O_RDONLY | O_LARGEFILE);
		err = PTR_ERR_OR_ZERO(file);
		if (!err) {
			err = set_mm_exe_file(mm, file);
			fput(file);
		}
	}
	if (!err)
		err = sls_exec_mmap(mm);
	if (err) {
		mmput(mm);
		return err;
	}
	arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
	mm->task_size = TASK_SIZE;
	return 0;
}

/* The vdso (and its vvar below it) where the image had it. */
static int sls_vdso_restore(const struct sls_img_vma *v)
{
	const struct vdso_image *image = &vdso_image_64;
	int err;

	if (v->end - v->start != image->size)
		return -EOPNOTSUPP;	/* the vdso of another kernel */
	err = map_vdso_once(image, v->start + image->sym_vvar_start);
	if (err)
		return err;
	return current->mm->context.vdso == (void __user *)v->start ? 0 : -EEXIST;
}

static const struct {
	unsigned long flag;
	int advice;
} sls_vma_advice[] = {
	{ VM_DONTDUMP,		MADV_DONTDUMP },
	{ VM_DONTCOPY,		MADV_DONTFORK },
	{ VM_WIPEONFORK,	MADV_WIPEONFORK },
	{ VM_HUGEPAGE,		MADV_HUGEPAGE },
	{ VM_NOHUGEPAGE,	MADV_NOHUGEPAGE },
};

/* Map one VMA of the image; its pages come later. */
static int sls_vma_restore(struct sls_rproc *p, const struct sls_img_vma *v)
{
	unsigned long prot = 0, flags = MAP_FIXED_NOREPLACE, addr;
	unsigned long len = v->end - v->start;
	struct file *file = NULL;
	unsigned int i;
	int err;

	if (v->kind == SLS_VMA_VVAR)
		return 0;	/* mapped with the vdso */
	if (v->kind == SLS_VMA_VDSO)
		return sls_vdso_restore(v);
	if (v->vm_flags & VM_READ)
		prot |= PROT_READ;
	if (v->vm_flags & VM_WRITE)
		prot |= PROT_WRITE;
	if (v->vm_flags & VM_EXEC)
		prot |= PROT_EXEC;
	if (v->vm_flags & VM_GROWSDOWN)
		flags |= MAP_GROWSDOWN;
	flags |= v->vm_flags & VM_SHARED ? MAP_SHARED : MAP_PRIVATE;
	if (v->kind == SLS_VMA_FILE || v->kind == SLS_VMA_FILE_SHARED) {
		file = sls_open_name((const char *)(v + 1), v->path_len,
				     (v->vm_flags & VM_SHARED) &&
				     (v->vm_flags & VM_MAYWRITE) ? O_RDWR : O_RDONLY);
	} else if (v->kind == SLS_VMA_ANON_SHARED) {
		file = sls_shm_get(p->rs, v);
	} else {
		flags |= MAP_ANONYMOUS;
	}
	if (IS_ERR(file))
		return PTR_ERR(file);
	addr = vm_mmap(file, v->start, len, prot, flags,
		       file ? v->pgoff << PAGE_SHIFT : 0);
	if (file)
		fput(file);
	if (IS_ERR_VALUE(addr))
		return addr;
	for (i = 0; i < ARRAY_SIZE(sls_vma_advice); i++) {
		if (!(v->vm_flags & sls_vma_advice[i].flag))
			continue;
		err = do_madvise(current->mm, v->start, len,
				 sls_vma_advice[i].advice);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Restore reads the pages of a VMA in batches of this many, and faults in
 * the next batch while one is read.
 */
#define SLS_RESTORE_BATCH	1024

struct sls_rbatch {
	u64 index[2][SLS_RESTORE_BATCH];
	struct page *pages[2][SLS_RESTORE_BATCH];
};

static void sls_unpin_pages(struct page **pages, unsigned int nr, bool written)
{
	while (nr--) {
		if (written)
			set_page_dirty_lock(pages[nr]);
		put_page(pages[nr]);
	}
}

/* The pages at @index, faulted in for writing, in runs of neighbours. */
static int sls_pin_pages(const u64 *index, unsigned int nr, struct page **pages)
{
	unsigned int i, j;
	long got;

	for (i = 0; i < nr; i = j) {
		for (j = i + 1; j < nr && index[j] == index[j - 1] + 1; j++)
			;
		got = get_user_pages_unlocked(index[i] << PAGE_SHIFT, j - i,
					      pages + i, FOLL_WRITE | FOLL_FORCE);
		if (got == j - i)
			continue;
		sls_unpin_pages(pages + i, max(got, 0L), false);
		sls_unpin_pages(pages, i, false);
		return got < 0 ? got : -EFAULT;
	}
	return 0;
}

/* Every page the store holds for the VMA, read into the page it maps. */
static int sls_vma_pages(struct sls_rproc *p, u64 obj,
			 const struct sls_img_vma *v, struct sls_rbatch *b)
{
	struct sls_partition *part = p->rs->part;
	u64 epoch = p->rs->img->epoch, from = v->start >> PAGE_SHIFT;
	u64 last = (v->end >> PAGE_SHIFT) - 1;
	unsigned int cur = 0, inflight = 0;
	struct slsfs_read *rd = NULL;
	int n, err, rerr;

	if (v->kind == SLS_VMA_VDSO || v->kind == SLS_VMA_VVAR ||
	    (v->kind == SLS_VMA_FILE_SHARED && !(v->vm_flags & VM_WRITE)))
		return 0;
	do {
		n = slsfs_pages_find(part->store, part->id, obj, epoch,
				     &from, last, b->index[cur], SLS_RESTORE_BATCH);
		err = min(n, 0);
		if (n > 0) {
			err = sls_pin_pages(b->index[cur], n, b->pages[cur]);
			if (err)
				n = 0;
		}
		if (rd) {	/* the batch before, read meanwhile */
			rerr = slsfs_pages_read_end(rd);
			sls_unpin_pages(b->pages[!cur], inflight, !rerr);
			rd = NULL;
			err = err ?: rerr;
		}
		if (n <= 0)
			break;
		if (!err) {
			rd = slsfs_pages_read_start(part->store, part->id,
						    obj, epoch, b->index[cur],
						    b->pages[cur], n);
			err = PTR_ERR_OR_ZERO(rd);
		}
		if (err) {
			rd = NULL;
			sls_unpin_pages(b->pages[cur], n, false);
		}
		inflight = n;
		cur = !cur;
	} while (!err);
	return err;
}

static void sls_mm_fields_restore(const struct sls_img_mm *img)
{
	struct mm_struct *mm = current->mm;
	unsigned int n = min_t(u64, img->nr_auxv, AT_VECTOR_SIZE - 2);

	mmap_write_lock(mm);
	mm->start_code = img->start_code;
	mm->end_code = img->end_code;
	mm->start_data = img->start_data;
	mm->end_data = img->end_data;
	mm->start_brk = img->start_brk;
	mm->brk = img->brk;
	mm->start_stack = img->start_stack;
	mm->arg_start = img->arg_start;
	mm->arg_end = img->arg_end;
	mm->env_start = img->env_start;
	mm->env_end = img->env_end;
	memset(mm->saved_auxv, 0, sizeof(mm->saved_auxv));
	memcpy(mm->saved_auxv, img->auxv, n * sizeof(img->auxv[0]));
	mmap_write_unlock(mm);
}

static int sls_mm_pages_restore(struct sls_rproc *p, u64 obj)
{
	struct sls_rbatch *b = kvmalloc(sizeof(*b), GFP_KERNEL);
	bool lazy = p->rs->flags & SLS_RESTORE_LAZY;
	const struct slsfs_rec *rec;
	const struct sls_img_vma *v;
	struct sls_lazy *lz = NULL;
	int err = 0;

	if (!b)
		return -ENOMEM;
	sls_for_each_rec(p, rec, SLS_REC_VMA) {
		v = rec->data;
		if (lazy && sls_vma_lazy_kind(v))
			err = sls_vma_lazy(p, &lz, obj, v, b->index[0],
					   SLS_RESTORE_BATCH);
		else
			err = sls_vma_pages(p, obj, v, b);
		if (err) {
			sls_restore_fail(p->rs, err, "pid %d: memory at %#llx: error %d",
					 p->img->pid, v->start, err);
			break;
		}
	}
	sls_lazy_src_put(lz);	/* the address space holds its own */
	kvfree(b);
	return err;
}

/* The address space of a process: layout, fields, then memory. */
int sls_mm_restore(struct sls_rproc *p)
{
	const struct sls_img_mm *img = NULL;
	const struct slsfs_rec *rec;
	const struct sls_img_vma *v;
	int err;

	sls_for_each_rec(p, rec, SLS_REC_MM)
		img = rec->data;
	if (!img)
		return sls_restore_fail(p->rs, -EUCLEAN, "pid %d: no address space",
					p->img->pid);
	err = sls_mm_switch(p);
	if (err)
		return sls_restore_fail(p->rs, err, "pid %d: exe or mm: error %d",
					p->img->pid, err);
	sls_for_each_rec(p, rec, SLS_REC_VMA) {
		v = rec->data;
		err = sls_vma_restore(p, v);
		if (err)
			return sls_restore_fail(p->rs, err,
						"pid %d: mapping %#llx-%#llx: error %d",
						p->img->pid, v->start, v->end, err);
	}
	sls_mm_fields_restore(img);
	p->mm_obj = img->obj;
	return sls_mm_pages_restore(p, img->obj);
}
