// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: tasks, their threads and their credentials.
 *
 * A thread captures its own registers while it parks (quiesce.c), through
 * the same user regsets ptrace and core dumps read.  Whatever is shared by
 * the process (ids, credentials, limits, signal handlers) is read here by
 * the checkpointer while every thread is parked.
 */
#include <linux/cred.h>
#include <linux/fs_struct.h>
#include <linux/futex.h>
#include <linux/pid.h>
#include <linux/regset.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
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

	img->blocked = t->blocked.sig[0];
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

static int sls_emit_thread(struct sls_ckpt *ck, struct sls_park *pk)
{
	struct sls_img_thread img = pk->ts.img;
	int err;

	if (pk->err)
		return sls_refuse(ck, pk->err, "pid %d tid %d: registers: error %d",
				  task_tgid_nr(pk->task), img.tid, pk->err);
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
