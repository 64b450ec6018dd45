// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: parking the threads of a partition.
 *
 * Each thread gets a task_work queued with TWA_SIGNAL, which interrupts an
 * interruptible sleep the way a signal does without being one: the system
 * call returns -ERESTARTSYS, the work runs on the way out to user mode, and
 * once it returns the call restarts.  The work captures the thread's own
 * registers (they are all in pt_regs and the FPU there) and waits until
 * the checkpoint releases it.  Threads created meanwhile by threads not yet
 * parked are caught by going round again until a round finds none.
 */
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "sls.h"

static void sls_quiesce_put(struct sls_quiesce *q)
{
	struct sls_park *pk;
	unsigned long tid;

	if (!refcount_dec_and_test(&q->ref))
		return;
	xa_for_each(&q->parks, tid, pk) {
		sls_thread_state_free(&pk->ts);
		put_task_struct(pk->task);
		kfree(pk);
	}
	xa_destroy(&q->parks);
	kfree(q);
}

static void sls_park_fn(struct callback_head *cb)
{
	struct sls_park *pk = container_of(cb, struct sls_park, cb);
	struct sls_quiesce *q = pk->q;

	if (!(current->flags & PF_EXITING) && !READ_ONCE(q->released)) {
		pk->err = sls_thread_capture(current, &pk->ts);
		pk->parked = true;
	}
	/* The full barrier of the decrement publishes what was captured. */
	if (atomic_dec_and_test(&q->pending))
		wake_up(&q->parked_wq);
	if (pk->parked)
		wait_event_killable(q->release_wq, READ_ONCE(q->released));
	sls_quiesce_put(q);
}

static struct sls_park *sls_park_new(struct sls_quiesce *q,
				     struct task_struct *t)
{
	struct sls_park *pk = kzalloc(sizeof(*pk), GFP_KERNEL);

	if (!pk)
		return NULL;
	pk->q = q;
	pk->task = get_task_struct(t);
	init_task_work(&pk->cb, sls_park_fn);
	if (xa_insert(&q->parks, task_pid_nr(t), pk, GFP_KERNEL)) {
		put_task_struct(t);
		kfree(pk);
		return NULL;
	}
	return pk;
}

/* The caller is a member: it captures itself, being in the kernel already. */
static int sls_park_self(struct sls_quiesce *q)
{
	struct sls_park *pk = sls_park_new(q, current);

	if (!pk)
		return -ENOMEM;
	pk->parked = true;
	return sls_thread_capture(current, &pk->ts);
}

static void sls_park_send(struct sls_quiesce *q, struct sls_park *pk)
{
	refcount_inc(&q->ref);
	atomic_inc(&q->pending);
	if (task_work_add(pk->task, &pk->cb, TWA_SIGNAL)) {
		/* Past exit_task_work(): it is gone, and so is its work. */
		atomic_dec(&q->pending);
		refcount_dec(&q->ref);
	}
}

/* Threads of the members that have no park yet, referenced, up to @room. */
static unsigned int sls_unparked(struct sls_quiesce *q, struct pid **procs,
				 unsigned int nr, struct task_struct **out,
				 unsigned int room)
{
	struct task_struct *leader, *t;
	unsigned int i, n = 0;

	rcu_read_lock();
	for (i = 0; i < nr; i++) {
		leader = pid_task(procs[i], PIDTYPE_TGID);
		if (!leader)
			continue;
		for_each_thread(leader, t) {
			if (t == current || (t->flags & PF_EXITING) ||
			    xa_load(&q->parks, task_pid_nr(t)))
				continue;
			if (out && n < room)
				out[n] = get_task_struct(t);
			n++;
		}
	}
	rcu_read_unlock();
	return n;
}

/* Queue the work on every thread without one; return how many, or -errno. */
static int sls_quiesce_round(struct sls_quiesce *q, struct pid **procs,
			     unsigned int nr)
{
	struct task_struct **tasks;
	unsigned int n, i;
	int err = 0;

	n = sls_unparked(q, procs, nr, NULL, 0);
	if (!n)
		return 0;
	tasks = kvmalloc_array(n, sizeof(*tasks), GFP_KERNEL);
	if (!tasks)
		return -ENOMEM;
	n = min(n, sls_unparked(q, procs, nr, tasks, n));
	for (i = 0; i < n; i++) {
		struct sls_park *pk = err ? NULL : sls_park_new(q, tasks[i]);

		if (pk)
			sls_park_send(q, pk);
		else
			err = -ENOMEM;
		put_task_struct(tasks[i]);
	}
	kvfree(tasks);
	return err ?: n;
}

/* Name the first thread that did not park, for last_error. */
static int sls_quiesce_timeout(struct sls_quiesce *q)
{
	struct sls_park *pk;
	unsigned long tid;

	xa_for_each(&q->parks, tid, pk) {
		if (!READ_ONCE(pk->parked) && !(pk->task->flags & PF_EXITING)) {
			pr_warn_ratelimited("sls: thread %lu (%s) did not stop within %u ms\n",
					    tid, pk->task->comm,
					    READ_ONCE(sls_quiesce_timeout_ms));
			break;
		}
	}
	return -ETIMEDOUT;
}

/**
 * sls_quiesce - park every thread of some processes
 * @procs:	the processes
 * @nr:		how many
 *
 * The caller, if it is one of them, captures itself and does not park.
 *
 * Return: the parked threads, to release with sls_release(), or
 * ERR_PTR(-ETIMEDOUT) if some thread did not stop in time (one stopped by
 * a signal or blocked uninterruptibly), -EINTR or -ENOMEM.
 */
struct sls_quiesce *sls_quiesce(struct pid **procs, unsigned int nr)
{
	struct sls_quiesce *q = kzalloc(sizeof(*q), GFP_KERNEL);
	unsigned int i;
	long left;
	int n;

	if (!q)
		return ERR_PTR(-ENOMEM);
	refcount_set(&q->ref, 1);
	/* Apart, so that each thread that parks wakes only the checkpointer. */
	init_waitqueue_head(&q->parked_wq);
	init_waitqueue_head(&q->release_wq);
	xa_init(&q->parks);
	n = 0;
	for (i = 0; i < nr && !n; i++) {
		if (procs[i] == task_tgid(current)) {
			n = sls_park_self(q);
			break;
		}
	}

	while (n >= 0) {
		n = sls_quiesce_round(q, procs, nr);
		if (n <= 0)
			break;
		left = wait_event_interruptible_timeout(q->parked_wq,
				!atomic_read(&q->pending),
				msecs_to_jiffies(READ_ONCE(sls_quiesce_timeout_ms)));
		if (!left)
			n = sls_quiesce_timeout(q);
		else if (left < 0)
			n = -EINTR;
	}
	if (n < 0) {
		sls_release(q);
		return ERR_PTR(n);
	}
	return q;
}

/* Let the parked threads run again. */
void sls_release(struct sls_quiesce *q)
{
	WRITE_ONCE(q->released, true);
	wake_up_all(&q->release_wq);
	sls_quiesce_put(q);
}

/* The park of a thread that stopped for the checkpoint, or NULL. */
struct sls_park *sls_park_of(struct sls_quiesce *q, struct task_struct *t)
{
	struct sls_park *pk = xa_load(&q->parks, task_pid_nr(t));

	return pk && pk->task == t && READ_ONCE(pk->parked) ? pk : NULL;
}
