// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: the processes of a partition.
 *
 * Membership is per process: signal_struct.sls_member points to the
 * process's entry in its partition.  sls_attach() adds one, fork() adds the
 * child of a member, and the exit of the last thread removes it; the
 * partition stays loaded while a descriptor refers to it and stays in the
 * store for restore.  One spinlock guards every list and pointer: these
 * change rarely, and fork() of a non-member never takes it.
 */
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sls.h>
#include <linux/slab.h>

#include "sls.h"

static DEFINE_SPINLOCK(sls_members_lock);

static struct sls_member *sls_member_alloc(struct sls_partition *part,
					   struct pid *pid)
{
	struct sls_member *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return NULL;
	sls_partition_get(part);
	m->part = part;
	m->pid = get_pid(pid);
	return m;
}

static void sls_member_free(struct sls_member *m)
{
	if (!m)
		return;
	put_pid(m->pid);
	sls_partition_put(m->part);
	kfree(m);
}

/* Link @m as the membership of @sig; sls_members_lock is held. */
static void sls_member_link(struct signal_struct *sig, struct sls_member *m)
{
	list_add_tail(&m->node, &m->part->members);
	m->part->nr_members++;
	sig->sls_member = m;
}

static struct sls_member *sls_member_unlink(struct signal_struct *sig)
{
	struct sls_member *m = sig->sls_member;

	if (m) {
		list_del(&m->node);
		m->part->nr_members--;
		sig->sls_member = NULL;
	}
	return m;
}

/**
 * sls_fork - a new process joins its parent's partition
 * @child:	the new task, visible and running
 * @clone_flags: how it was made
 *
 * Threads share their process's membership.  A child the allocation fails
 * for stays out, and says so in the log.
 */
void sls_fork(struct task_struct *child, u64 clone_flags)
{
	struct sls_member *parent, *m = NULL;

	if (clone_flags & CLONE_THREAD)
		return;
	parent = READ_ONCE(current->signal->sls_member);
	if (!parent)
		return;
	m = sls_member_alloc(parent->part, task_tgid(child));
	if (!m) {
		pr_warn_ratelimited("sls: %s: out of memory: child %d left out\n",
				    parent->part->name, task_pid_nr(child));
		return;
	}
	spin_lock(&sls_members_lock);
	parent = current->signal->sls_member;
	if (parent && parent->part == m->part && !child->signal->sls_member) {
		sls_member_link(child->signal, m);
		m = NULL;
	}
	spin_unlock(&sls_members_lock);
	sls_member_free(m);
}

/**
 * sls_exit - the last thread of a process is exiting: it leaves
 * @tsk:	that thread
 */
void sls_exit(struct task_struct *tsk)
{
	struct sls_member *m;

	if (!READ_ONCE(tsk->signal->sls_member))
		return;
	spin_lock(&sls_members_lock);
	m = sls_member_unlink(tsk->signal);
	spin_unlock(&sls_members_lock);
	sls_member_free(m);
}

/*
 * A process restored lazily that leaves takes the pages it has not touched
 * yet: the store lets them go with the epochs that follow.
 */
static int sls_detach_lazy(struct task_struct *task)
{
	struct mm_struct *mm = get_task_mm(task);
	int err;

	if (!mm)
		return 0;
	err = sls_lazy_fault_in_all(mm);
	mmput(mm);
	if (err)
		sls_reject(err, "sls_attach: %d: memory restored lazily: error %d",
			   task_pid_nr(task), err);
	return err;
}

/*
 * Add or remove one process; a kernel thread or a dying one is refused.
 * The caller holds part->ckpt_lock.
 */
int sls_attach_task(struct sls_partition *part, struct task_struct *task,
		    unsigned int flags)
{
	struct signal_struct *sig = task->signal;
	struct sls_member *m = NULL;
	int err = 0;

	if (task->flags & PF_KTHREAD)
		return sls_reject(-EINVAL, "sls_attach: %d is a kernel thread",
				  task_pid_nr(task));
	if (!ptrace_may_access(task, PTRACE_MODE_ATTACH_REALCREDS))
		return sls_reject(-EPERM, "sls_attach: no ptrace access to %d",
				  task_pid_nr(task));
	if (!(flags & SLS_DETACH)) {
		m = sls_member_alloc(part, task_tgid(task));
		if (!m)
			return -ENOMEM;
	} else {
		err = sls_detach_lazy(task);
		if (err)
			return err;
	}

	spin_lock(&sls_members_lock);
	if (flags & SLS_DETACH) {
		if (sig->sls_member && sig->sls_member->part == part)
			m = sls_member_unlink(sig);
		else
			err = -ENOENT;
	} else if (sig->flags & SIGNAL_GROUP_EXIT || task->exit_state) {
		err = -ESRCH;
	} else if (sig->sls_member) {
		err = sig->sls_member->part == part ? 0 : -EBUSY;
	} else {
		sls_member_link(sig, m);
		m = NULL;
	}
	spin_unlock(&sls_members_lock);
	sls_member_free(m);
	if (err && err != -ESRCH)
		sls_reject(err, "sls_attach: %d: %s", task_pid_nr(task),
			   err == -ENOENT ? "not a member" :
			   "a member of another partition");
	return err;
}

/* The live descendants of @task, referenced, @task first. */
static struct task_struct **sls_tree(struct task_struct *task, unsigned int *nr)
{
	struct task_struct **tasks, *t, *child;
	unsigned int n = 0, room = 0, i;

again:
	room = room ? room * 2 : 64;
	tasks = kvmalloc_array(room, sizeof(*tasks), GFP_KERNEL);
	if (!tasks)
		return NULL;
	n = 0;
	read_lock(&tasklist_lock);
	tasks[n++] = task;
	for (i = 0; i < n; i++) {
		t = tasks[i];
		list_for_each_entry(child, &t->children, sibling) {
			if (n == room) {
				read_unlock(&tasklist_lock);
				kvfree(tasks);
				goto again;
			}
			tasks[n++] = child;
		}
	}
	for (i = 0; i < n; i++)
		get_task_struct(tasks[i]);
	read_unlock(&tasklist_lock);
	*nr = n;
	return tasks;
}

/**
 * sls_attach_pid - add a process, or remove it, and its tree if asked
 * @part:	the partition
 * @pid:	the process
 * @flags:	SLS_ATTACH_TREE, SLS_DETACH
 *
 * Not under a checkpoint: membership is what a checkpoint stops.
 *
 * Return: 0, -ESRCH for a process that is gone, -EPERM without ptrace
 * access, -EBUSY for a member of another partition, -ENOENT to detach a
 * non-member, -EINTR, -ENOMEM.
 */
int sls_attach_pid(struct sls_partition *part, struct pid *pid,
		   unsigned int flags)
{
	struct task_struct *task, **tasks;
	unsigned int nr = 1, i;
	int err = 0;

	task = get_pid_task(pid, PIDTYPE_TGID);
	if (!task)
		return sls_reject(-ESRCH, "sls_attach: the process has exited");
	if (flags & SLS_ATTACH_TREE)
		tasks = sls_tree(task, &nr);
	else
		tasks = &task;
	if (!tasks) {
		put_task_struct(task);
		return -ENOMEM;
	}
	if (mutex_lock_interruptible(&part->ckpt_lock)) {
		err = -ERESTARTSYS;
		goto out;
	}
	for (i = 0; i < nr && !err; i++) {
		err = sls_attach_task(part, tasks[i], flags);
		/* A descendant that exits meanwhile is no error. */
		if (err == -ESRCH && i)
			err = 0;
	}
	mutex_unlock(&part->ckpt_lock);
out:
	if (tasks != &task) {
		for (i = 0; i < nr; i++)
			put_task_struct(tasks[i]);
		kvfree(tasks);
	}
	put_task_struct(task);
	return err;
}

/* The caller's partition, referenced, or NULL. */
struct sls_partition *sls_current_partition(void)
{
	struct sls_partition *part = NULL;

	spin_lock(&sls_members_lock);
	if (current->signal->sls_member) {
		part = current->signal->sls_member->part;
		sls_partition_get(part);
	}
	spin_unlock(&sls_members_lock);
	return part;
}

/* The members of @part, referenced; NULL with *nr == 0 for none. */
struct pid **sls_members_snapshot(struct sls_partition *part, unsigned int *nr)
{
	struct sls_member *m;
	struct pid **procs;
	unsigned int room, n;

	for (;;) {
		room = READ_ONCE(part->nr_members);
		procs = kvmalloc_array(max(room, 1U), sizeof(*procs), GFP_KERNEL);
		if (!procs)
			return ERR_PTR(-ENOMEM);
		spin_lock(&sls_members_lock);
		if (part->nr_members <= room)
			break;
		spin_unlock(&sls_members_lock);
		kvfree(procs);
	}
	n = 0;
	list_for_each_entry(m, &part->members, node)
		procs[n++] = get_pid(m->pid);
	spin_unlock(&sls_members_lock);
	*nr = n;
	return procs;
}

void sls_members_put(struct pid **procs, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		put_pid(procs[i]);
	kvfree(procs);
}

/* sysfs: the members' pids, one per line, as much as a page holds. */
ssize_t sls_members_show(struct sls_partition *part, char *buf)
{
	struct sls_member *m;
	ssize_t len = 0;

	spin_lock(&sls_members_lock);
	list_for_each_entry(m, &part->members, node) {
		if (len + 12 > PAGE_SIZE)
			break;
		len += sysfs_emit_at(buf, len, "%d\n", pid_nr(m->pid));
	}
	spin_unlock(&sls_members_lock);
	return len;
}
