// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: restore.
 *
 * sls_restore() reads an epoch back (image.c) and opens the files it names
 * with the caller's credentials.  Then each process builds itself: the
 * caller forks the roots of the tree, and every new task starts on a
 * kernel function instead of in user mode (as io_uring's workers do).  A
 * process there switches to a fresh address space the way exec does,
 * becomes what the image says kind by kind (objdef.c), forks its children,
 * its zombies and its other threads with their original ids, and waits.
 *
 * When every task has reported, the caller writes each thread's registers
 * through the regsets ptrace writes, makes the processes members again
 * and lets them all go to user mode at once.  One failure anywhere makes
 * them all exit instead, reaped before the call returns: nothing is left
 * half-restored.
 */
#include <linux/file.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <uapi/linux/wait.h>

#include "sls.h"

#define SLS_CLONE_PROC		(CLONE_VM | CLONE_FILES | CLONE_UNTRACED)
#define SLS_CLONE_THREAD	(CLONE_VM | CLONE_FS | CLONE_FILES |	\
				 CLONE_SIGHAND | CLONE_THREAD |		\
				 CLONE_SYSVSEM | CLONE_UNTRACED)

static void sls_restore_put(struct sls_restore *rs)
{
	if (!refcount_dec_and_test(&rs->ref))
		return;
	sls_files_close(rs);
	sls_mm_close(rs);
	sls_clocks_close(rs);
	mutex_destroy(&rs->shm_lock);
	sls_image_free(rs->img);
	kfree(rs);
}

/**
 * sls_restore_fail - fail a restore, saying why
 * @rs:		the restore
 * @err:	the errno it fails with
 * @fmt:	what failed: pid, path, kind
 *
 * The first failure is the one reported; every task of the restore exits.
 *
 * Return: @err.
 */
int sls_restore_fail(struct sls_restore *rs, int err, const char *fmt, ...)
{
	unsigned long flags;
	va_list args;

	spin_lock_irqsave(&rs->ready_wq.lock, flags);
	if (!rs->err) {
		rs->err = err;
		va_start(args, fmt);
		vscnprintf(rs->why, sizeof(rs->why), fmt, args);
		va_end(args);
	}
	wake_up_locked(&rs->ready_wq);
	spin_unlock_irqrestore(&rs->ready_wq.lock, flags);
	return err;
}

/*
 * The verdict: what the restorer wrote before it (registers, membership)
 * is seen by a task that sees it.
 */
static int sls_restore_state(struct sls_restore *rs)
{
	/* Pairs with the smp_store_release() of sls_restore_release(). */
	return smp_load_acquire(&rs->state);
}

/* A task is built, or failed: tell the caller, and wait for its verdict. */
static bool sls_task_ready(struct sls_restore *rs, int err)
{
	if (err)	/* unless what failed said why already */
		sls_restore_fail(rs, err, "pid %d: error %d",
				 task_tgid_vnr(current), err);
	spin_lock_irq(&rs->ready_wq.lock);
	rs->nr_waiting--;
	wake_up_locked(&rs->ready_wq);
	spin_unlock_irq(&rs->ready_wq.lock);
	if (wait_event_killable(rs->go_wq,
				sls_restore_state(rs) != SLS_RS_BUILDING))
		return false;
	return sls_restore_state(rs) == SLS_RS_GO;
}

/*
 * Fork a task of the image from current, with its original id (or a new
 * one if that is taken and SLS_RESTORE_NEWPID allows it).
 *
 * Return: its pid in the caller's namespace, or an error.
 */
static pid_t sls_spawn(struct sls_restore *rs, pid_t id, u64 flags,
		       int exit_signal, int (*fn)(void *), void *arg)
{
	struct kernel_clone_args args = {
		.flags = flags,
		.exit_signal = exit_signal,
		.fn = fn,
		.fn_arg = arg,
		.set_tid = &id,
		.set_tid_size = 1,
	};
	pid_t nr;

	if (sls_restore_state(rs) != SLS_RS_BUILDING)
		return -ECANCELED;
	refcount_inc(&rs->ref);
	nr = kernel_clone(&args);
	if (nr == -EEXIST && (rs->flags & SLS_RESTORE_NEWPID)) {
		args.set_tid = NULL;
		args.set_tid_size = 0;
		nr = kernel_clone(&args);
	}
	if (nr > 0)
		return nr;
	sls_restore_put(rs);
	if (nr == -EEXIST)
		return sls_restore_fail(rs, nr, "pid %d is taken", id);
	return sls_restore_fail(rs, nr, "pid %d: fork: error %d", id, nr);
}

static int sls_proc_fn(void *arg);

static int sls_zombie_fn(void *arg)
{
	struct sls_rzombie *z = arg;
	struct sls_restore *rs = z->proc->rs;
	long code = z->img->exit_code;
	bool go;

	z->task = get_task_struct(current);
	go = sls_task_ready(rs, 0);
	sls_restore_put(rs);
	do_exit(go ? code : 0);
}

static int sls_thread_fn(void *arg)
{
	struct sls_rthread *t = arg;
	struct sls_restore *rs = t->proc->rs;
	int err;

	t->task = get_task_struct(current);
	err = sls_thread_restore(t);
	if (!sls_task_ready(rs, err)) {
		kfree(t->resume);
		sls_restore_put(rs);
		do_exit(0);
	}
	sls_thread_resume(t);
	sls_restore_put(rs);
	return 0;	/* to user mode, with the registers of the image */
}

/* The children and zombies of @p, then its other threads. */
static int sls_spawn_dependents(struct sls_rproc *p)
{
	struct sls_restore *rs = p->rs;
	struct sls_image *img = rs->img;
	unsigned int i;
	pid_t nr;

	for (i = 0; i < img->nr_procs; i++) {
		struct sls_rproc *c = &img->procs[i];

		if (c->parent != p)
			continue;
		nr = sls_spawn(rs, c->img->pid, SLS_CLONE_PROC,
			       c->img->exit_signal, sls_proc_fn, c);
		if (nr < 0)
			return nr;
		c->pid = nr;
	}
	for (i = 0; i < p->nr_zombies; i++) {
		nr = sls_spawn(rs, p->zombies[i].img->pid, SLS_CLONE_PROC,
			       p->zombies[i].img->exit_signal, sls_zombie_fn,
			       &p->zombies[i]);
		if (nr < 0)
			return nr;
	}
	for (i = 1; i < p->nr_threads; i++) {
		nr = sls_spawn(rs, p->threads[i].img->tid, SLS_CLONE_THREAD, 0,
			       sls_thread_fn, &p->threads[i]);
		if (nr < 0)
			return nr;
	}
	return 0;
}

/* Each kind of object of the process, its leader's own state, the rest. */
static int sls_proc_build(struct sls_rproc *p)
{
	unsigned int k;
	int err = 0;

	if (!p->parent)	/* the processes it forks share its namespaces */
		sls_clocks_enter(p);
	for (k = 0; k < sls_nr_objdefs && !err; k++)
		err = sls_objdefs[k].restore(p);
	if (!err)
		err = sls_spawn_dependents(p);
	if (!err)
		err = sls_thread_restore(&p->threads[0]);
	return err;
}

/* An aborted process reaps what it forked before it goes. */
static void sls_reap_children(pid_t pid)
{
	long ret;

	do {
		ret = kernel_wait4(pid, NULL, __WALL, NULL);
		if (ret == -ERESTARTSYS)
			schedule_timeout_uninterruptible(1);
	} while (ret > 0 || ret == -ERESTARTSYS);
}

static int sls_proc_fn(void *arg)
{
	struct sls_rproc *p = arg;
	struct sls_restore *rs = p->rs;
	int err;

	p->threads[0].task = get_task_struct(current);
	err = sls_proc_build(p);
	if (!sls_task_ready(rs, err)) {
		kfree(p->threads[0].resume);
		sls_restore_put(rs);
		sls_reap_children(-1);
		do_exit(0);
	}
	sls_thread_resume(&p->threads[0]);
	sls_restore_put(rs);
	return 0;	/* to user mode, with the registers of the image */
}

static bool sls_all_ready(struct sls_restore *rs)
{
	bool done;

	spin_lock_irq(&rs->ready_wq.lock);
	done = !rs->nr_waiting || rs->err;
	spin_unlock_irq(&rs->ready_wq.lock);
	return done;
}

/* Fork the roots of the tree and wait until every task has reported. */
static int sls_restore_build(struct sls_restore *rs)
{
	struct sls_image *img = rs->img;
	unsigned int i;
	pid_t nr;

	rs->nr_waiting = img->nr_tasks;
	for (i = 0; i < img->nr_procs; i++) {
		struct sls_rproc *p = &img->procs[i];

		if (p->parent)
			continue;
		nr = sls_spawn(rs, p->img->pid, SLS_CLONE_PROC,
			       p->img->exit_signal, sls_proc_fn, p);
		if (nr < 0)
			break;
		p->pid = nr;
	}
	/*
	 * Not killable: the tasks hold the image, and a fatal signal would
	 * leave them behind; each of them reports or fails in bounded time.
	 */
	wait_event(rs->ready_wq, sls_all_ready(rs));
	return rs->err;
}

/*
 * Wait until @t sleeps in sls_task_ready(): switched out, it has saved its
 * segment bases, and will not write them over the ones the image gives.
 */
static int sls_wait_parked(struct task_struct *t)
{
	while (!wait_task_inactive(t, TASK_KILLABLE)) {
		if (fatal_signal_pending(t) || (t->flags & PF_EXITING))
			return -ESRCH;
		schedule_timeout_uninterruptible(1);
	}
	return 0;
}

/* Registers, FPU and TLS of every thread, written while it waits. */
static int sls_restore_regs(struct sls_restore *rs)
{
	struct sls_image *img = rs->img;
	unsigned int i, j;
	int err;

	for (i = 0; i < img->nr_procs; i++) {
		struct sls_rproc *p = &img->procs[i];

		for (j = 0; j < p->nr_threads; j++) {
			err = sls_wait_parked(p->threads[j].task) ?:
			      sls_thread_set_regs(&p->threads[j]);
			if (err)
				return sls_restore_fail(rs, err,
							"pid %d tid %d: registers: error %d",
							p->img->pid,
							p->threads[j].img->tid, err);
		}
	}
	return 0;
}

/* The restored processes are members again. */
static int sls_restore_attach(struct sls_restore *rs)
{
	struct sls_image *img = rs->img;
	unsigned int i;
	int err;

	for (i = 0; i < img->nr_procs; i++) {
		err = sls_attach_task(rs->part, img->procs[i].threads[0].task, 0);
		if (err)
			return sls_restore_fail(rs, err, "pid %d: attach: error %d",
						img->procs[i].img->pid, err);
	}
	return 0;
}

/* Restoring an older epoch goes back to it: the later ones are gone. */
static int sls_restore_discard(struct sls_restore *rs)
{
	struct sls_partition *part = rs->part;
	u64 epoch = rs->img->epoch;
	int err;

	if (slsfs_epoch_latest(part->store, part->id) <= epoch)
		return 0;
	err = slsfs_epoch_discard_after(part->store, part->id, epoch);
	if (err)
		return sls_restore_fail(rs, err, "discarding the epochs after %llu: error %d",
					epoch, err);
	spin_lock(&part->wq.lock);
	part->durable_epoch = epoch;
	spin_unlock(&part->wq.lock);
	return 0;
}

/* The root of the tree: the first process without a parent in the image. */
static struct sls_rproc *sls_restore_root(struct sls_restore *rs)
{
	unsigned int i;

	for (i = 0; i < rs->img->nr_procs; i++)
		if (!rs->img->procs[i].parent)
			return &rs->img->procs[i];
	return NULL;
}

/* Everything that can fail once the tasks are built, then the pidfd. */
static int sls_restore_finish(struct sls_restore *rs)
{
	struct sls_rproc *root = sls_restore_root(rs);
	struct file *pidfile;
	int fd, err;

	err = sls_restore_regs(rs);
	if (!err)
		err = sls_restore_attach(rs);
	if (!err)
		err = sls_mm_objs_restored(rs);
	if (err)
		return err;
	sls_clocks_freeze(rs, root->threads[0].task);
	fd = pidfd_prepare(task_pid(root->threads[0].task), 0, &pidfile);
	if (fd < 0)
		return sls_restore_fail(rs, fd, "pidfd: error %d", fd);
	err = sls_restore_discard(rs);
	if (err) {
		put_unused_fd(fd);
		fput(pidfile);
		return err;
	}
	fd_install(fd, pidfile);
	return fd;
}

/* Let every task go to user mode, or make them all exit and reap them. */
static void sls_restore_release(struct sls_restore *rs, bool go)
{
	struct sls_image *img = rs->img;
	unsigned int i;

	/* What the tasks needed of files and memory is theirs now. */
	sls_files_close(rs);
	sls_mm_close(rs);
	/* Pairs with sls_restore_state(): the registers are written. */
	smp_store_release(&rs->state, go ? SLS_RS_GO : SLS_RS_ABORT);
	wake_up_all(&rs->go_wq);
	for (i = 0; !go && i < img->nr_procs; i++)
		if (!img->procs[i].parent && img->procs[i].pid > 0)
			sls_reap_children(img->procs[i].pid);
}

/* Refuse what cannot be restored before forking anything. */
static int sls_restore_prepare(struct sls_restore *rs, u64 epoch)
{
	struct sls_partition *part = rs->part;
	char why[SLS_ERROR_LEN] = "";
	struct sls_image *img;
	unsigned int i;
	int err;

	if (READ_ONCE(part->nr_members))
		return sls_restore_fail(rs, -EBUSY, "%u live members",
					READ_ONCE(part->nr_members));
	if (wait_event_killable(part->wq, !READ_ONCE(part->flushing)))
		return -EINTR;
	if (!epoch)
		epoch = slsfs_epoch_latest(part->store, part->id);
	if (!epoch)
		return sls_restore_fail(rs, -ENOENT, "no durable epoch");
	img = sls_image_load(part, epoch, why);
	if (IS_ERR(img)) {
		err = PTR_ERR(img);
		if (err == -ESTALE)
			return sls_restore_fail(rs, -ENOENT,
						"epoch %llu is not retained", epoch);
		return sls_restore_fail(rs, err, "%s", why[0] ? why :
					"epoch unreadable");
	}
	rs->img = img;
	for (i = 0; i < img->nr_procs; i++)
		img->procs[i].rs = rs;
	err = sls_creds_check(img, why);
	if (err)
		return sls_restore_fail(rs, err, "%s", why);
	return sls_clocks_prepare(rs) ?: sls_files_open(rs);
}

static void sls_restore_report(struct sls_restore *rs, long ret)
{
	struct sls_partition *part = rs->part;
	u64 epoch = rs->img ? rs->img->epoch : 0;

	if (ret >= 0) {
		pr_info("sls: %s: restored epoch %llu, %u processes%s\n",
			part->name, epoch, rs->img->nr_procs,
			rs->flags & SLS_RESTORE_LAZY ? ", memory lazily" : "");
		return;
	}
	if (ret == -EINTR || ret == -ERESTARTNOINTR)
		return;
	sls_partition_set_error(part, "restore: %s", rs->why);
	pr_info("sls: %s: restore of epoch %llu failed: %s (error %ld)\n",
		part->name, epoch, rs->why, ret);
}

/**
 * sls_restore - rebuild a partition's processes as children of the caller
 * @part:	the partition
 * @args:	the epoch (0: the latest durable one) and SLS_RESTORE_* flags
 *
 * Return: a pidfd of the root process, or -EBUSY while the partition has
 * live members, -ENOENT without such an epoch or for a missing file,
 * -EEXIST for a pid that is taken, -ESTALE for a file changed since the
 * epoch, -EUCLEAN for a corrupt epoch, -EPERM for credentials the caller
 * may not give, -EOPNOTSUPP for what cannot be restored yet.
 */
long sls_restore(struct sls_partition *part, const struct sls_restore_args *args)
{
	struct sls_restore *rs;
	long ret;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	if (!rs)
		return -ENOMEM;
	refcount_set(&rs->ref, 1);
	rs->part = part;
	rs->flags = args->flags;
	xa_init(&rs->files);
	xa_init(&rs->pipes);
	xa_init(&rs->socks);
	mutex_init(&rs->shm_lock);
	xa_init(&rs->shms);
	xa_init(&rs->tmpfiles);
	init_waitqueue_head(&rs->ready_wq);
	init_waitqueue_head(&rs->go_wq);

	ret = mutex_lock_killable(&part->ckpt_lock);
	if (ret)
		goto out;
	ret = sls_restore_prepare(rs, args->epoch);
	if (!ret)
		ret = sls_restore_build(rs);
	if (!ret)
		ret = sls_restore_finish(rs);
	if (rs->img)
		sls_restore_release(rs, ret >= 0);
	/*
	 * An eager restore dirtied every page it wrote: the next epoch takes
	 * them all, as a full one.  A lazy one left them clean in the store,
	 * which the next epochs go on from, whatever dirty bits of the
	 * address spaces gone were lost before.
	 */
	if (ret >= 0) {
		spin_lock(&part->wq.lock);
		part->need_full = !(args->flags & SLS_RESTORE_LAZY);
		spin_unlock(&part->wq.lock);
	}
	sls_restore_report(rs, ret);
	mutex_unlock(&part->ckpt_lock);
out:
	sls_restore_put(rs);
	return ret;
}
