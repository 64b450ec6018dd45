// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: taking a checkpoint, and flushing it.
 *
 * A checkpoint parks every thread of the partition's members, captures
 * each process object kind by object kind (objdef.c) into the records of a
 * new slsfs epoch, shadows the dirty memory, and lets the threads run:
 * that is the stop time.  The epoch is then written and committed by
 * slsfs in the background, straight from the shadowed pages, and is
 * durable when its completion runs.  One epoch of a partition flushes at a
 * time: a periodic tick that comes while one does is dropped and counted,
 * a call of sls_persist() waits for it and is counted too.
 */
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "sls.h"

int sls_emit(struct sls_ckpt *ck, u16 type, const void *payload, u32 len)
{
	ck->rec_bytes += slsfs_record_size(len);
	return slsfs_epoch_add_record(ck->txn, type, payload, len);
}

/* A record made of a fixed part and a variable one (a path, say). */
int sls_emit2(struct sls_ckpt *ck, u16 type, const void *head, u32 head_len,
	      const void *tail, u32 tail_len)
{
	char *rec = kmalloc(head_len + tail_len, GFP_KERNEL);
	int err;

	if (!rec)
		return -ENOMEM;
	memcpy(rec, head, head_len);
	if (tail_len)
		memcpy(rec + head_len, tail, tail_len);
	err = sls_emit(ck, type, rec, head_len + tail_len);
	kfree(rec);
	return err;
}

/**
 * sls_refuse - fail a checkpoint, saying why
 * @ck:		the checkpoint
 * @err:	the errno to fail it with
 * @fmt:	what was refused: pid, fd, kind
 *
 * The first reason given is the one last_error and the log show.
 *
 * Return: @err.
 */
int sls_refuse(struct sls_ckpt *ck, int err, const char *fmt, ...)
{
	va_list args;

	if (!ck->why[0]) {
		va_start(args, fmt);
		vscnprintf(ck->why, sizeof(ck->why), fmt, args);
		va_end(args);
	}
	return err;
}

/* Is every thread of the process on its way out, none to park? */
static bool sls_proc_exiting(struct task_struct *leader)
{
	struct task_struct *t;
	bool all = true;

	rcu_read_lock();
	for_each_thread(leader, t)
		all &= !!(t->flags & PF_EXITING);
	rcu_read_unlock();
	return all;
}

/*
 * A process that was exiting when the others parked is left to become a
 * zombie, which its parent records with its exit code (read before that
 * is settled, the code could be stale), or to be reaped.  Exiting takes
 * no time that a parked thread could hold up.
 */
static int sls_wait_exit(struct sls_ckpt *ck, struct task_struct *leader)
{
	unsigned long end = jiffies +
			    msecs_to_jiffies(READ_ONCE(sls_quiesce_timeout_ms));

	while (!READ_ONCE(leader->exit_state)) {
		if (time_after(jiffies, end))
			return sls_refuse(ck, -ETIMEDOUT, "pid %d: still exiting",
					  task_tgid_nr(leader));
		if (fatal_signal_pending(current))
			return -EINTR;
		usleep_range(200, 1000);
	}
	return 0;
}

/* Every exiting process a zombie or gone, before any parent is captured. */
static int sls_wait_exits(struct sls_ckpt *ck)
{
	struct task_struct *leader;
	unsigned int i;
	int err = 0;

	for (i = 0; i < ck->nr_procs && !err; i++) {
		leader = get_pid_task(ck->procs[i], PIDTYPE_TGID);
		if (!leader)
			continue;
		if (leader != current && sls_proc_exiting(leader))
			err = sls_wait_exit(ck, leader);
		put_task_struct(leader);
	}
	return err;
}

/* Each process, each kind of object in the order of the table. */
static int sls_capture_procs(struct sls_ckpt *ck)
{
	struct task_struct *leader;
	unsigned int i, k;
	int err = sls_wait_exits(ck) ?: sls_clocks_capture(ck);

	for (i = 0; i < ck->nr_procs && !err; i++) {
		leader = get_pid_task(ck->procs[i], PIDTYPE_TGID);
		if (!leader)	/* exited before it was parked */
			continue;
		if (leader != current && sls_proc_exiting(leader)) {
			put_task_struct(leader);
			continue;	/* a zombie: its parent's, or no one's */
		}
		ck->cur_pid = task_tgid_nr(leader);
		ck->cur_leader = leader;
		for (k = 0; k < sls_nr_objdefs && !err; k++) {
			err = sls_objdefs[k].capture(ck, leader);
			if (err)
				sls_refuse(ck, err, "pid %d: %s: error %d",
					   task_tgid_nr(leader),
					   sls_objdefs[k].name, err);
		}
		ck->cur_leader = NULL;
		put_task_struct(leader);
	}
	return err;
}

static int sls_emit_epoch(struct sls_ckpt *ck)
{
	const struct sls_request *req = ck->req;
	struct sls_img_epoch img = {
		.epoch = ck->epoch,
		.time_ns = ktime_get_real_ns(),
		.nr_procs = ck->nr_procs,
	};

	if (ck->full)
		img.flags |= SLS_IMG_FULL;
	if (req->flags & SLS_PERSIST_REGION) {
		img.flags |= SLS_IMG_REGION;
		img.region_start = req->start;
		img.region_end = req->end;
	}
	return sls_emit(ck, SLS_REC_EPOCH, &img, sizeof(img));
}

/* Runs in a worker once the epoch is durable, or is not and never will be. */
static void sls_flush_done(void *arg, u64 epoch, int err)
{
	struct sls_partition *part = arg;

	spin_lock(&part->wq.lock);
	part->flushing = false;
	if (!err) {
		part->durable_epoch = epoch;
		part->last_flush_ns = ktime_get_ns() - part->flush_start_ns;
		part->total_flush_ns += part->last_flush_ns;
		part->bytes_written += part->flush_bytes;
	} else {
		part->failed_epoch = epoch;
		part->failed_err = err;
		part->need_full = true;	/* its dirty bits are spent */
	}
	wake_up_all_locked(&part->wq);
	spin_unlock(&part->wq.lock);
	if (err)
		sls_partition_set_error(part, "epoch %llu: flush failed: error %d",
					epoch, err);
	sls_partition_put(part);
}

/* Hand the epoch to the flusher; the partition is referenced until done. */
static void sls_flush(struct sls_ckpt *ck, u64 stop_ns)
{
	struct sls_partition *part = ck->part;

	spin_lock(&part->wq.lock);
	part->flushing = true;
	part->epoch = ck->epoch;
	part->checkpoints++;
	part->last_stop_ns = stop_ns;
	part->total_stop_ns += stop_ns;
	part->pages_shadowed = ck->nr_pages;
	part->pages_copied = ck->nr_copied;
	part->flush_bytes = ck->nr_pages * PAGE_SIZE + ck->rec_bytes;
	part->flush_start_ns = ktime_get_ns();
	if (ck->full && !(ck->req->flags & SLS_PERSIST_REGION))
		part->need_full = false;
	spin_unlock(&part->wq.lock);
	atomic64_inc(&sls_total_checkpoints);
	sls_partition_get(part);
	slsfs_epoch_commit(ck->txn, sls_flush_done, part);
}

/* The stop: everything between parking the threads and releasing them. */
static int sls_stop(struct sls_ckpt *ck)
{
	struct sls_partition *part = ck->part;
	bool region = ck->req->flags & SLS_PERSIST_REGION;
	u64 t0 = ktime_get_ns();
	int err;

	if (!region) {
		ck->q = sls_quiesce(ck->procs, ck->nr_procs);
		if (IS_ERR(ck->q))
			return sls_refuse(ck, PTR_ERR(ck->q),
					  "the members did not stop: error %ld",
					  PTR_ERR(ck->q));
	}
	/* A region's epoch sits on the chain whatever pages it takes. */
	ck->txn = slsfs_epoch_begin(part->store, part->id,
				    region ? SLSFS_EPOCH_PARTIAL :
				    ck->full ? SLSFS_EPOCH_FULL : 0);
	if (IS_ERR(ck->txn)) {
		err = sls_refuse(ck, PTR_ERR(ck->txn), "cannot begin an epoch: error %ld",
				 PTR_ERR(ck->txn));
		ck->txn = NULL;
		goto out;
	}
	ck->epoch = slsfs_txn_epoch(ck->txn);
	err = sls_emit_epoch(ck);
	if (!err)
		err = region ? sls_mm_capture_region(ck) : sls_capture_procs(ck);
out:
	if (!region)
		sls_release(ck->q);
	if (!err && !region)	/* of processes gone: after the stop, not in it */
		err = sls_mm_objs_clear_gone(ck);
	if (err) {
		if (ck->txn)
			slsfs_epoch_abort(ck->txn);
		return err;
	}
	sls_flush(ck, ktime_get_ns() - t0);
	if (!region)
		sls_mm_objs_prune(part, ck->epoch);
	return 0;
}

/* Wait for the epoch flushing; a periodic tick does not wait. */
static int sls_wait_flush(struct sls_partition *part, bool periodic)
{
	int err = 0;

	spin_lock(&part->wq.lock);
	if (part->flushing) {
		if (periodic) {
			atomic64_inc(&part->coalesced);
			err = -EBUSY;
		} else {
			part->waited++;
			err = wait_event_interruptible_locked(part->wq,
							      !part->flushing);
		}
	}
	spin_unlock(&part->wq.lock);
	return err;
}

static int sls_ckpt_procs(struct sls_ckpt *ck)
{
	if (ck->req->flags & SLS_PERSIST_REGION) {
		ck->procs = kmalloc(sizeof(*ck->procs), GFP_KERNEL);
		if (!ck->procs)
			return -ENOMEM;
		ck->procs[0] = get_pid(task_tgid(current));
		ck->nr_procs = 1;
		return 0;
	}
	ck->procs = sls_members_snapshot(ck->part, &ck->nr_procs);
	if (IS_ERR(ck->procs)) {
		ck->procs = NULL;
		return -ENOMEM;
	}
	return ck->nr_procs ? 0 : -ESRCH;
}

/**
 * sls_checkpoint - take an epoch of a partition
 * @part:	the partition
 * @req:	what to take
 *
 * Return: the epoch, flushing (durable already with SLS_PERSIST_SYNC), or
 * -ESRCH for a partition without members, -EBUSY for a periodic tick that
 * comes while an epoch flushes, -ERESTARTSYS, or why it was refused.
 */
long sls_checkpoint(struct sls_partition *part, const struct sls_request *req)
{
	struct sls_request r = *req;
	struct sls_ckpt ck = { .part = part, .req = &r };
	u64 whole;
	long err;

	if (mutex_lock_interruptible(&part->ckpt_lock))
		return -ERESTARTSYS;
	err = sls_wait_flush(part, r.periodic);
	if (err)
		goto out_unlock;
	/*
	 * No whole epoch has the caller's address space as it is (a new
	 * process, an exec), so a region of it could not be restored; or
	 * one more region would keep a whole epoch beyond keep_epochs: the
	 * whole partition goes, the region with it.
	 */
	if ((r.flags & SLS_PERSIST_REGION) &&
	    (!slsfs_epoch_partial_room(part->store, part->id, &whole) ||
	     !sls_mm_region_ready(part, whole)))
		r.flags &= ~SLS_PERSIST_REGION;
	err = sls_ckpt_procs(&ck);
	if (err)
		goto out_unlock;
	xa_init(&ck.files);
	xa_init(&ck.execs);
	/*
	 * After lost dirty bits a region takes each page of its range; it
	 * says nothing of the rest, so the next whole epoch is still full.
	 */
	ck.full = (r.flags & SLS_PERSIST_FULL) || READ_ONCE(part->need_full);
	if (!(r.flags & SLS_PERSIST_REGION))
		ck.full |= part->attr_flags & SLS_ATTR_FULL;
	err = sls_stop(&ck);
	xa_destroy(&ck.files);
	xa_destroy(&ck.execs);
	if (err && ck.shadowed)
		WRITE_ONCE(part->need_full, true);
	if (err && err != -ERESTARTSYS)
		sls_partition_set_error(part, "%s", ck.why[0] ? ck.why : "failed");
out_unlock:
	mutex_unlock(&part->ckpt_lock);
	if (ck.procs)
		sls_members_put(ck.procs, ck.nr_procs);
	if (err)
		return err;
	if (r.flags & SLS_PERSIST_SYNC)
		err = sls_wait_durable(part, ck.epoch);
	return err ?: ck.epoch;
}

/**
 * sls_wait_durable - wait until an epoch is durable
 * @part:	the partition
 * @epoch:	the epoch, taken already
 *
 * The wait is killable only: a checkpoint parking the caller meanwhile
 * waits for it instead, so that the caller never sees EINTR.
 *
 * Return: 0, the error that failed the epoch, or -EINTR on a fatal signal.
 */
long sls_wait_durable(struct sls_partition *part, u64 epoch)
{
	long err;

	err = wait_event_killable(part->wq, READ_ONCE(part->durable_epoch) >= epoch ||
				  READ_ONCE(part->failed_epoch) == epoch);
	if (err)
		return -EINTR;
	spin_lock(&part->wq.lock);
	err = part->failed_epoch == epoch ? part->failed_err : 0;
	spin_unlock(&part->wq.lock);
	return err;
}

void sls_tick_fn(struct work_struct *work)
{
	struct sls_partition *part = container_of(work, struct sls_partition, tick);
	const struct sls_request req = { .periodic = true };

	if (!kobject_get_unless_zero(&part->kobj))
		return;
	sls_checkpoint(part, &req);
	sls_partition_put(part);
}

enum hrtimer_restart sls_timer_fn(struct hrtimer *timer)
{
	struct sls_partition *part = container_of(timer, struct sls_partition,
						  timer);
	u64 period = READ_ONCE(part->period_ms);

	if (!period)
		return HRTIMER_NORESTART;
	if (!queue_work(system_unbound_wq, &part->tick))
		atomic64_inc(&part->coalesced);
	hrtimer_forward_now(timer, ms_to_ktime(period));
	return HRTIMER_RESTART;
}
