// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: tasks, their threads and their credentials.
 *
 * A thread captures its own registers while it parks (quiesce.c), through
 * the same user regsets ptrace and core dumps read.  Whatever is shared by
 * the process (ids, credentials, limits, signal handlers) is read here by
 * the checkpointer while every thread is parked.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs_struct.h>
#include <linux/futex.h>
#include <linux/io_uring_types.h>
#include <linux/namei.h>
#include <linux/pid.h>
#include <linux/regset.h>
#include <linux/rseq.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/task_work.h>
#include <asm/syscall.h>
#include <uapi/linux/elf.h>

#include "sls.h"

/* user_regs_struct indices of the registers a restart rewinds. */
#define SLS_REG_AX		10
#define SLS_REG_ORIG_AX		15
#define SLS_REG_IP		16

static_assert(sizeof(struct user_regs_struct) ==
	      SLS_IMG_NREGS * sizeof(__u64));
static_assert(sizeof(struct desc_struct) == sizeof(__u64));

static const struct user_regset *sls_regset(struct task_struct *t,
					    unsigned int note)
{
	const struct user_regset_view *view = task_user_regset_view(t);
	unsigned int i;

	for (i = 0; i < view->n; i++)
		if (view->regsets[i].core_note_type == note)
			return &view->regsets[i];
	return NULL;
}

/*
 * A thread parked on its way out of an interrupted system call has the
 * restart still to do: record the call as if it had not started, which is
 * what the restart would have made of it.
 */
static void sls_regs_unwind_restart(__u64 *regs)
{
	long ret = (long)regs[SLS_REG_AX];

	if ((long)regs[SLS_REG_ORIG_AX] < 0)
		return;
	switch (ret) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		regs[SLS_REG_AX] = regs[SLS_REG_ORIG_AX];
		regs[SLS_REG_IP] -= 2;	/* the length of syscall */
		break;
	}
}

/* The extended FPU state, or the legacy one where there is no XSAVE. */
static int sls_thread_fpu(struct task_struct *t, struct sls_thread_state *ts)
{
	const struct user_regset *rs = sls_regset(t, NT_X86_XSTATE);
	unsigned int size;
	int err;

	if (!rs || (rs->active && rs->active(t, rs) <= 0))
		rs = sls_regset(t, NT_PRFPREG);
	if (!rs)
		return -EOPNOTSUPP;
	size = rs->n * rs->size;
	ts->xstate = kzalloc(size, GFP_KERNEL);
	if (!ts->xstate)
		return -ENOMEM;
	err = regset_get(t, rs, size, ts->xstate);
	if (err < 0)
		return err;
	ts->xstate_size = size;
	ts->img.xstate_size = size;
	return 0;
}

/**
 * sls_thread_capture - capture a thread's own state
 * @t:		the thread, which is current, or parked
 * @ts:		where to put it; free with sls_thread_state_free()
 *
 * Return: 0, -ENOMEM, or the regset's error.
 */
int sls_thread_capture(struct task_struct *t, struct sls_thread_state *ts)
{
	struct sls_img_thread *img = &ts->img;
	const struct user_regset *rs = sls_regset(t, NT_PRSTATUS);
	int err, i;

	img->tid = task_pid_nr(t);
	if (!rs)
		return -EOPNOTSUPP;
	err = regset_get(t, rs, sizeof(img->regs), img->regs);
	if (err < 0)
		return err;
	sls_regs_unwind_restart(img->regs);

	/*
	 * In sigsuspend() and the like, blocked is the call's own mask, which
	 * the call sets again when it restarts; the one to come back is the
	 * mask it saved.
	 */
	img->blocked = test_tsk_restore_sigmask(t) ? t->saved_sigmask.sig[0] :
						     t->blocked.sig[0];
	img->pending = t->pending.signal.sig[0];
	img->sas_ss_sp = t->sas_ss_sp;
	img->sas_ss_size = t->sas_ss_size;
	img->sas_ss_flags = t->sas_ss_flags;
#ifdef CONFIG_FUTEX
	img->robust_list = (unsigned long)t->robust_list;
	img->robust_list_len = sizeof(*t->robust_list);
#endif
#ifdef CONFIG_RSEQ
	img->rseq = (unsigned long)t->rseq;
	img->rseq_len = t->rseq_len;
	img->rseq_sig = t->rseq_sig;
#endif
	img->clear_child_tid = (unsigned long)t->clear_child_tid;
	for (i = 0; i < SLS_IMG_NTLS; i++)
		memcpy(&img->tls[i], &t->thread.tls_array[i], sizeof(img->tls[i]));
	get_task_comm(img->comm, t);
	return sls_thread_fpu(t, ts);
}

void sls_thread_state_free(struct sls_thread_state *ts)
{
	kfree(ts->xstate);
	ts->xstate = NULL;
}

static void sls_proc_ids(struct sls_img_proc *p, struct task_struct *leader)
{
	rcu_read_lock();
	p->pid = task_tgid_nr(leader);
	p->ppid = task_tgid_nr(rcu_dereference(leader->real_parent));
	p->pgid = pid_nr(task_pgrp(leader));
	p->sid = pid_nr(task_session(leader));
	rcu_read_unlock();
	p->nr_threads = get_nr_threads(leader);
	p->personality = leader->personality;
	p->exit_signal = leader->exit_signal;
	get_task_comm(p->comm, leader);
	task_lock(leader);
	if (leader->fs)
		p->umask = leader->fs->umask;
	task_unlock(leader);
}

static void sls_proc_creds(struct sls_img_proc *p, struct task_struct *leader)
{
	const struct cred *c = get_task_cred(leader);

	p->uid = from_kuid_munged(&init_user_ns, c->uid);
	p->euid = from_kuid_munged(&init_user_ns, c->euid);
	p->suid = from_kuid_munged(&init_user_ns, c->suid);
	p->fsuid = from_kuid_munged(&init_user_ns, c->fsuid);
	p->gid = from_kgid_munged(&init_user_ns, c->gid);
	p->egid = from_kgid_munged(&init_user_ns, c->egid);
	p->sgid = from_kgid_munged(&init_user_ns, c->sgid);
	p->fsgid = from_kgid_munged(&init_user_ns, c->fsgid);
	p->securebits = c->securebits;
	p->cap_inheritable = c->cap_inheritable.val;
	p->cap_permitted = c->cap_permitted.val;
	p->cap_effective = c->cap_effective.val;
	p->cap_bset = c->cap_bset.val;
	p->cap_ambient = c->cap_ambient.val;
	put_cred(c);
}

static void sls_proc_signals(struct sls_img_proc *p, struct task_struct *leader)
{
	struct sighand_struct *sighand = leader->sighand;
	int i;

	static_assert(RLIM_NLIMITS <= SLS_IMG_NRLIMIT);
	task_lock(leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		p->rlim[i][0] = leader->signal->rlim[i].rlim_cur;
		p->rlim[i][1] = leader->signal->rlim[i].rlim_max;
	}
	task_unlock(leader);

	spin_lock_irq(&sighand->siglock);
	for (i = 0; i < _NSIG && i < SLS_IMG_NSIG; i++) {
		const struct k_sigaction *ka = &sighand->action[i];

		p->sigaction[i].handler = (unsigned long)ka->sa.sa_handler;
		p->sigaction[i].flags = ka->sa.sa_flags;
		p->sigaction[i].restorer = (unsigned long)ka->sa.sa_restorer;
		p->sigaction[i].mask = ka->sa.sa_mask.sig[0];
	}
	p->shared_pending = leader->signal->shared_pending.signal.sig[0];
	spin_unlock_irq(&sighand->siglock);
}

/*
 * A ring registered with IORING_REGISTER_RING_FDS lives on in its thread
 * without a descriptor, where the check of the descriptors does not see
 * it.  The thread is parked: its io_uring context stays as it is.
 */
static bool sls_thread_has_ring(struct task_struct *t)
{
#ifdef CONFIG_IO_URING
	struct io_uring_task *tctx = t->io_uring;
	int i;

	for (i = 0; tctx && i < IO_RINGFD_REG_MAX; i++)
		if (READ_ONCE(tctx->registered_rings[i]))
			return true;
#endif
	return false;
}

static int sls_emit_thread(struct sls_ckpt *ck, struct sls_park *pk)
{
	struct sls_img_thread img = pk->ts.img;
	int err;

	if (pk->err)
		return sls_refuse(ck, pk->err, "pid %d tid %d: registers: error %d",
				  task_tgid_nr(pk->task), img.tid, pk->err);
	if (sls_thread_has_ring(pk->task))
		return sls_refuse(ck, -EOPNOTSUPP, "pid %d tid %d: registered io_uring ring",
				  task_tgid_nr(pk->task), img.tid);
	/* The caller returns from sls_persist() with the epoch on restore. */
	if (pk->task == current)
		img.regs[SLS_REG_AX] = ck->epoch;
	err = sls_emit(ck, SLS_REC_THREAD, &img, sizeof(img));
	if (!err)
		err = sls_emit(ck, SLS_REC_XSTATE, pk->ts.xstate, pk->ts.xstate_size);
	return err;
}

/* The zombie children of @leader, at most @room of them; how many there are. */
static unsigned int sls_zombies(struct task_struct *leader,
				struct sls_img_zombie *z, unsigned int room)
{
	struct task_struct *child;
	unsigned int n = 0;

	read_lock(&tasklist_lock);
	list_for_each_entry(child, &leader->children, sibling) {
		if (child->exit_state != EXIT_ZOMBIE)
			continue;
		if (n < room) {
			z[n].pid = task_tgid_nr(child);
			z[n].pgid = pid_nr(task_pgrp(child));
			z[n].sid = pid_nr(task_session(child));
			z[n].exit_code = child->exit_code;
			z[n].exit_signal = child->exit_signal;
		}
		n++;
	}
	read_unlock(&tasklist_lock);
	return n;
}

/*
 * Children that have exited and wait to be reaped are part of the tree
 * restore rebuilds: their parent's wait() must still find them.
 */
static int sls_emit_zombies(struct sls_ckpt *ck, struct task_struct *leader)
{
	struct sls_img_zombie *z = NULL;
	unsigned int n, room = 0, i;
	int err = 0;

	while ((n = sls_zombies(leader, z, room)) > room) {
		kfree(z);
		room = n;
		z = kcalloc(room, sizeof(*z), GFP_KERNEL);
		if (!z)
			return -ENOMEM;
	}
	for (i = 0; i < n && !err; i++)
		err = sls_emit(ck, SLS_REC_ZOMBIE, &z[i], sizeof(z[i]));
	kfree(z);
	return err;
}

/* The supplementary groups of @leader, in the order group_info keeps them. */
static int sls_emit_groups(struct sls_ckpt *ck, struct task_struct *leader)
{
	const struct cred *c = get_task_cred(leader);
	const struct group_info *gi = c->group_info;
	struct sls_img_groups g = { .len = gi->ngroups * sizeof(__u32) };
	__u32 *gids;
	int i, err = -ENOMEM;

	gids = kmalloc_array(max(gi->ngroups, 1), sizeof(*gids), GFP_KERNEL);
	if (gids) {
		for (i = 0; i < gi->ngroups; i++)
			gids[i] = from_kgid_munged(&init_user_ns, gi->gid[i]);
		err = sls_emit2(ck, SLS_REC_GROUPS, &g, sizeof(g), gids, g.len);
		kfree(gids);
	}
	put_cred(c);
	return err;
}

/* Capture a process: its shared state, each of its threads, its zombies. */
int sls_task_capture(struct sls_ckpt *ck, struct task_struct *leader)
{
	struct sls_img_proc *p;
	struct sls_park *pk;
	unsigned long tid;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	sls_proc_ids(p, leader);
	sls_proc_creds(p, leader);
	sls_proc_signals(p, leader);
	err = sls_emit(ck, SLS_REC_PROC, p, sizeof(*p));
	kfree(p);
	if (!err)
		err = sls_emit_groups(ck, leader);

	xa_for_each(&ck->q->parks, tid, pk) {
		if (err)
			break;
		if (same_thread_group(pk->task, leader) && pk->parked)
			err = sls_emit_thread(ck, pk);
	}
	return err ?: sls_emit_zombies(ck, leader);
}

/* The working and root directories, and the executable. */
int sls_fs_capture(struct sls_ckpt *ck, struct task_struct *leader)
{
	struct path pwd, root;
	struct file *exe;
	int err;

	task_lock(leader);
	if (!leader->fs) {
		task_unlock(leader);
		return 0;
	}
	get_fs_pwd(leader->fs, &pwd);
	get_fs_root(leader->fs, &root);
	task_unlock(leader);
	err = sls_emit_path(ck, SLS_IMG_PATH_CWD, &pwd);
	if (!err)
		err = sls_emit_path(ck, SLS_IMG_PATH_ROOT, &root);
	path_put(&pwd);
	path_put(&root);
	if (err)
		return err;
	exe = get_task_exe_file(leader);
	if (exe) {
		err = sls_emit_path(ck, SLS_IMG_PATH_EXE, &exe->f_path);
		fput(exe);
	}
	return err;
}

/*
 * Restore.  A process's own task builds it, in the kernel, before it first
 * reaches user mode (restore.c); its registers are written by the caller
 * of sls_restore() while it waits, through the regsets ptrace writes.
 */

/* What a thread does first in user mode: ret_from_fork() zeroed its ax. */
struct sls_resume {
	struct callback_head cb;
	u64 ax;
};

static void sls_resume_fn(struct callback_head *cb)
{
	struct sls_resume *r = container_of(cb, struct sls_resume, cb);

	current_pt_regs()->ax = r->ax;
	kfree(r);
}

/* Join or make group @pgrp, as setpgid() does, if it is of our session. */
static void sls_join_pgrp(struct pid *pgrp)
{
	struct task_struct *member;

	write_lock_irq(&tasklist_lock);
	if (pgrp == task_pid(current))
		member = current;
	else
		member = pid_task(pgrp, PIDTYPE_PGID);
	if (member && task_session(member) == task_session(current) &&
	    task_pgrp(current) != pgrp)
		change_pid(current, PIDTYPE_PGID, pgrp);
	write_unlock_irq(&tasklist_lock);
}

/*
 * The session and process group, before the children inherit them.  A
 * group or session led from outside the image is the caller's: the
 * restored tree stays in it.
 */
static int sls_proc_ids_restore(struct sls_rproc *p)
{
	const struct sls_img_proc *img = p->img;
	struct sls_rproc *leader;
	struct pid *pgrp;

	if (img->sid == img->pid)
		return ksys_setsid() < 0 ? -EPERM : 0;
	if (img->pgid == img->pid) {
		sls_join_pgrp(task_pid(current));
		return 0;
	}
	leader = sls_image_proc(p->rs->img, img->pgid);
	if (!leader || leader->pid <= 0)
		return 0;
	pgrp = find_get_pid(leader->pid);
	if (pgrp) {
		sls_join_pgrp(pgrp);
		put_pid(pgrp);
	}
	return 0;
}

static int sls_sigactions_restore(const struct sls_img_proc *img)
{
	struct k_sigaction ka = {};
	int sig, err;

	for (sig = 1; sig <= _NSIG && sig <= SLS_IMG_NSIG; sig++) {
		const struct sls_img_sigaction *sa = &img->sigaction[sig - 1];

		if (sig_kernel_only(sig))
			continue;
		ka.sa.sa_handler = (__sighandler_t)(unsigned long)sa->handler;
		ka.sa.sa_flags = sa->flags;
		ka.sa.sa_restorer = (__sigrestore_t)(unsigned long)sa->restorer;
		ka.sa.sa_mask.sig[0] = sa->mask;
		err = do_sigaction(sig, &ka, NULL);
		if (err)
			return err;
	}
	return 0;
}

/* Limits: raising a hard one takes what setrlimit() would want. */
static int sls_rlimits_restore(const struct sls_img_proc *img)
{
	struct rlimit *rlim = current->signal->rlim;
	unsigned int i;

	for (i = 0; i < RLIM_NLIMITS; i++) {
		struct rlimit new = { img->rlim[i][0], img->rlim[i][1] };

		if (new.rlim_cur > new.rlim_max)
			return -EUCLEAN;
		if (new.rlim_max > rlim[i].rlim_max &&
		    !capable(CAP_SYS_RESOURCE))
			return -EPERM;
		if (i == RLIMIT_NOFILE && new.rlim_max > sysctl_nr_open)
			return -EPERM;	/* as setrlimit() refuses it */
		task_lock(current->group_leader);
		rlim[i] = new;
		task_unlock(current->group_leader);
	}
	return 0;
}

/* The process's shared state: ids, handlers, limits, personality, name. */
int sls_task_restore(struct sls_rproc *p)
{
	const struct sls_img_proc *img = p->img;
	char comm[TASK_COMM_LEN];
	int err;

	err = sls_proc_ids_restore(p);
	if (err)
		return sls_restore_fail(p->rs, err, "pid %d: session or group", img->pid);
	err = sls_sigactions_restore(img);
	if (err)
		return sls_restore_fail(p->rs, err, "pid %d: signal handlers", img->pid);
	err = sls_rlimits_restore(img);
	if (err)
		return sls_restore_fail(p->rs, err, "pid %d: resource limits", img->pid);
	current->personality = img->personality;
	strscpy(comm, img->comm, sizeof(comm));
	set_task_comm(current, comm);
	return 0;
}

/*
 * The supplementary groups a process's image holds: its SLS_REC_GROUPS,
 * or NULL (and -EUCLEAN in @err) if it has none that makes sense.
 */
static const struct sls_img_groups *sls_img_groups(const struct sls_rproc *p, int *err)
{
	const struct slsfs_rec *rec = sls_rec_find(p, p->recs, SLS_REC_GROUPS);
	const struct sls_img_groups *g = rec ? rec->data : NULL;

	*err = 0;
	if (!g || g->len % sizeof(__u32) || g->len / sizeof(__u32) > NGROUPS_MAX) {
		*err = -EUCLEAN;
		return NULL;
	}
	return g;
}

static bool sls_groups_same(const struct sls_img_groups *g, const struct cred *c)
{
	const __u32 *gids = (const void *)(g + 1);
	int i;

	if (g->len / sizeof(__u32) != c->group_info->ngroups)
		return false;
	for (i = 0; i < c->group_info->ngroups; i++)
		if (gids[i] != from_kgid_munged(&init_user_ns, c->group_info->gid[i]))
			return false;
	return true;
}

static bool sls_creds_same(const struct sls_rproc *rp, const struct cred *c)
{
	const struct sls_img_proc *p = rp->img;
	const struct sls_img_groups *g;
	int err;

	g = sls_img_groups(rp, &err);
	return g && sls_groups_same(g, c) &&
	       p->uid == from_kuid_munged(&init_user_ns, c->uid) &&
	       p->euid == from_kuid_munged(&init_user_ns, c->euid) &&
	       p->suid == from_kuid_munged(&init_user_ns, c->suid) &&
	       p->fsuid == from_kuid_munged(&init_user_ns, c->fsuid) &&
	       p->gid == from_kgid_munged(&init_user_ns, c->gid) &&
	       p->egid == from_kgid_munged(&init_user_ns, c->egid) &&
	       p->sgid == from_kgid_munged(&init_user_ns, c->sgid) &&
	       p->fsgid == from_kgid_munged(&init_user_ns, c->fsgid) &&
	       p->securebits == c->securebits &&
	       p->cap_inheritable == c->cap_inheritable.val &&
	       p->cap_permitted == c->cap_permitted.val &&
	       p->cap_effective == c->cap_effective.val &&
	       p->cap_bset == c->cap_bset.val &&
	       p->cap_ambient == c->cap_ambient.val;
}

/**
 * sls_creds_check - may the caller give the image's processes their creds?
 * @img:	the image
 * @why:	set to the process refused
 *
 * Credentials other than the caller's own take CAP_CHECKPOINT_RESTORE.
 *
 * Return: 0 or -EPERM.
 */
int sls_creds_check(struct sls_image *img, char *why)
{
	unsigned int i;

	if (checkpoint_restore_ns_capable(&init_user_ns))
		return 0;
	for (i = 0; i < img->nr_procs; i++) {
		if (sls_creds_same(&img->procs[i], current_cred()))
			continue;
		snprintf(why, SLS_ERROR_LEN,
			 "pid %d: credentials other than the caller's need CAP_CHECKPOINT_RESTORE",
			 img->procs[i].img->pid);
		return -EPERM;
	}
	return 0;
}

/* @g as a group_info: ERR_PTR(-EUCLEAN) for a gid with no kgid, or -ENOMEM. */
static struct group_info *sls_groups_make(const struct sls_img_groups *g)
{
	const __u32 *gids = (const void *)(g + 1);
	int i, n = g->len / sizeof(__u32);
	struct group_info *gi = groups_alloc(n);

	if (!gi)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n; i++) {
		gi->gid[i] = make_kgid(&init_user_ns, gids[i]);
		if (!gid_valid(gi->gid[i])) {
			put_group_info(gi);
			return ERR_PTR(-EUCLEAN);
		}
	}
	groups_sort(gi);
	return gi;
}

/* A thread takes its process's credentials once it has forked what it must. */
static int sls_creds_restore(const struct sls_rproc *rp)
{
	const struct sls_img_proc *p = rp->img;
	struct user_namespace *ns = &init_user_ns;
	const struct sls_img_groups *g;
	struct group_info *gi;
	struct cred *new;
	int err;

	g = sls_img_groups(rp, &err);
	if (!g)
		return err;
	if (sls_creds_same(rp, current_cred()))
		return 0;
	gi = sls_groups_make(g);
	if (IS_ERR(gi))
		return PTR_ERR(gi);
	new = prepare_creds();
	if (!new) {
		put_group_info(gi);
		return -ENOMEM;
	}
	set_groups(new, gi);
	put_group_info(gi);
	new->uid = make_kuid(ns, p->uid);
	new->euid = make_kuid(ns, p->euid);
	new->suid = make_kuid(ns, p->suid);
	new->fsuid = make_kuid(ns, p->fsuid);
	new->gid = make_kgid(ns, p->gid);
	new->egid = make_kgid(ns, p->egid);
	new->sgid = make_kgid(ns, p->sgid);
	new->fsgid = make_kgid(ns, p->fsgid);
	new->securebits = p->securebits;
	new->cap_inheritable.val = p->cap_inheritable;
	new->cap_permitted.val = p->cap_permitted;
	new->cap_effective.val = p->cap_effective;
	new->cap_bset.val = p->cap_bset;
	new->cap_ambient.val = p->cap_ambient;
	return commit_creds(new);
}

/**
 * sls_thread_restore - a thread's own state, set by the thread itself
 * @t:		the thread; current is its task
 *
 * Return: 0, -ENOMEM, or what refused the credentials.
 */
int sls_thread_restore(struct sls_rthread *t)
{
	const struct sls_img_thread *img = t->img;
	struct sls_resume *r;
	char comm[TASK_COMM_LEN];
	sigset_t blocked = { .sig[0] = img->blocked };
	int err;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	init_task_work(&r->cb, sls_resume_fn);
	t->resume = r;
	sigdelsetmask(&blocked, sigmask(SIGKILL) | sigmask(SIGSTOP));
	set_current_blocked(&blocked);
	current->sas_ss_sp = img->sas_ss_sp;
	current->sas_ss_size = img->sas_ss_size;
	current->sas_ss_flags = img->sas_ss_flags;
#ifdef CONFIG_FUTEX
	current->robust_list = u64_to_user_ptr(img->robust_list);
#endif
#ifdef CONFIG_RSEQ
	current->rseq = u64_to_user_ptr(img->rseq);
	current->rseq_len = img->rseq_len;
	current->rseq_sig = img->rseq_sig;
	if (current->rseq)
		rseq_set_notify_resume(current);
#endif
	current->clear_child_tid = u64_to_user_ptr(img->clear_child_tid);
	strscpy(comm, img->comm, sizeof(comm));
	set_task_comm(current, comm);
	err = sls_creds_restore(t->proc);
	if (err)
		return sls_restore_fail(t->proc->rs, err, "pid %d tid %d: credentials",
					t->proc->img->pid, img->tid);
	return 0;
}

/*
 * The FPU regset that wrote the image's state: XSAVE, or the legacy one,
 * of the same size, or none if this CPU cannot take it.
 */
static const struct user_regset *sls_fpu_regset(struct task_struct *task,
						 u32 size)
{
	const struct user_regset *rs = sls_regset(task, NT_X86_XSTATE);

	if (rs && rs->n * rs->size == size)
		return rs;
	rs = sls_regset(task, NT_PRFPREG);
	if (rs && rs->n * rs->size == size)
		return rs;
	return NULL;
}

/**
 * sls_thread_set_regs - write a waiting thread's registers, FPU and TLS
 * @t:		the thread; its task is not current and is not running
 *
 * Return: 0, -EOPNOTSUPP for an FPU state this CPU cannot load, or what
 * the regset refused.
 */
int sls_thread_set_regs(struct sls_rthread *t)
{
	const struct user_regset *rs = sls_regset(t->task, NT_PRSTATUS);
	struct task_struct *task = t->task;
	int err, i;

	if (!rs)
		return -EOPNOTSUPP;
	err = rs->set(task, rs, 0, sizeof(t->img->regs), t->img->regs, NULL);
	if (err)
		return err;
	rs = sls_fpu_regset(task, t->xstate_size);
	if (!rs)
		return -EOPNOTSUPP;
	err = rs->set(task, rs, 0, t->xstate_size, t->xstate, NULL);
	if (err)
		return err;
	for (i = 0; i < SLS_IMG_NTLS; i++)
		memcpy(&task->thread.tls_array[i], &t->img->tls[i],
		       sizeof(t->img->tls[i]));
	t->resume->ax = t->img->regs[SLS_REG_AX];
	return 0;
}

/* Queue each of @mask's signals to current, for the thread or the group. */
static void sls_signals_queue(u64 mask, enum pid_type type)
{
	int sig;

	for (sig = 1; sig <= 64 && sig <= _NSIG; sig++)
		if (mask & BIT_ULL(sig - 1))
			do_send_sig_info(sig, SEND_SIG_PRIV, current, type);
}

/**
 * sls_thread_resume - let a restored thread go to user mode
 * @t:		the thread; current is its task
 *
 * Its ax comes back first thing, then its pending signals; a process
 * restored with SLS_RESTORE_STOPPED stops before its first instruction.
 */
void sls_thread_resume(struct sls_rthread *t)
{
	struct sls_resume *r = t->resume;
	bool leader = t == &t->proc->threads[0];

	t->resume = NULL;
	if (task_work_add(current, &r->cb, TWA_SIGNAL))
		kfree(r);
	sls_signals_queue(t->img->pending, PIDTYPE_PID);
	if (!leader)
		return;
	sls_signals_queue(t->proc->img->shared_pending, PIDTYPE_TGID);
	if (t->proc->rs->flags & SLS_RESTORE_STOPPED)
		do_send_sig_info(SIGSTOP, SEND_SIG_PRIV, current, PIDTYPE_TGID);
}

/* The working and root directories and the umask; the exe is the mm's. */
int sls_fs_restore(struct sls_rproc *p)
{
	const struct slsfs_rec *rec;
	struct path path;
	char *name;
	int err = 0;

	sls_for_each_rec(p, rec, SLS_REC_PATH) {
		const struct sls_img_path *ip = rec->data;

		if (ip->kind != SLS_IMG_PATH_CWD && ip->kind != SLS_IMG_PATH_ROOT)
			continue;
		name = kmemdup_nul((const char *)(ip + 1), ip->len, GFP_KERNEL);
		if (!name)
			return -ENOMEM;
		err = kern_path(name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &path);
		if (!err) {
			if (ip->kind == SLS_IMG_PATH_CWD)
				set_fs_pwd(current->fs, &path);
			else if (!strcmp(name, "/"))
				;	/* the caller's */
			else if (ns_capable(current_user_ns(), CAP_SYS_CHROOT))
				set_fs_root(current->fs, &path);
			else
				err = -EPERM;
			path_put(&path);
		}
		if (err)
			sls_restore_fail(p->rs, err, "pid %d: %s %s: error %d",
					 p->img->pid, ip->kind == SLS_IMG_PATH_CWD ?
					 "cwd" : "root", name, err);
		kfree(name);
		if (err)
			return err;
	}
	current->fs->umask = p->img->umask;
	return 0;
}
