// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: the clocks of a partition's processes.
 *
 * CLOCK_MONOTONIC and CLOCK_BOOTTIME start from zero each boot: restored
 * in another boot, a process would see them go back, and a deadline it
 * computed from them would be far away; restored later in this boot, it
 * would see them leap.  An epoch records both clocks as its members read
 * them, and a restore puts the processes in a new time namespace whose
 * offsets make both go on from there, as if no time had passed between
 * the checkpoint and the restore.  CLOCK_REALTIME is the world's, and
 * goes on as it does.
 *
 * The members of a partition share one time namespace: a checkpoint that
 * finds members in two refuses, as a restore could not give both theirs.
 */
#include <linux/nsproxy.h>
#include <linux/sched/task.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>

#include "sls.h"

/* The time namespace of @t, referenced, or NULL for a task that exits. */
static struct time_namespace *sls_time_ns_of(struct task_struct *t)
{
	struct time_namespace *ns = NULL;

	task_lock(t);
	if (t->nsproxy)
		ns = get_time_ns(t->nsproxy->time_ns);
	task_unlock(t);
	return ns;
}

/*
 * The members' time namespace, referenced; NULL if none has one.  A pass
 * of its own, before any process is recorded: the clocks come first in
 * the epoch, and a refusal comes before any memory is shadowed.
 */
static struct time_namespace *sls_members_time_ns(struct sls_ckpt *ck)
{
	struct time_namespace *ns = NULL, *tns;
	struct task_struct *t;
	pid_t first = 0;
	unsigned int i;
	bool other;

	for (i = 0; i < ck->nr_procs; i++) {
		t = get_pid_task(ck->procs[i], PIDTYPE_TGID);
		tns = t ? sls_time_ns_of(t) : NULL;
		if (tns && !ns) {
			ns = tns;
			first = task_tgid_nr(t);
			tns = NULL;
		}
		other = tns && tns != ns;
		if (other)
			sls_refuse(ck, -EOPNOTSUPP,
				   "pid %d: in another time namespace than pid %d",
				   task_tgid_nr(t), first);
		if (tns)
			put_time_ns(tns);
		if (t)
			put_task_struct(t);
		if (other) {
			put_time_ns(ns);
			return ERR_PTR(-EOPNOTSUPP);
		}
	}
	return ns;
}

/**
 * sls_clocks_capture - record the clocks as the members read them
 * @ck:		the checkpoint, its members parked
 *
 * Return: 0, -ENOMEM, or -EOPNOTSUPP for members in two time namespaces.
 */
int sls_clocks_capture(struct sls_ckpt *ck)
{
	struct time_namespace *ns = sls_members_time_ns(ck);
	struct sls_img_clocks img = {
		.monotonic_ns = ktime_get_ns(),
		.boottime_ns = ktime_get_boottime_ns(),
	};

	if (IS_ERR(ns))
		return PTR_ERR(ns);
	if (ns) {
		img.monotonic_ns += timespec64_to_ns(&ns->offsets.monotonic);
		img.boottime_ns += timespec64_to_ns(&ns->offsets.boottime);
		put_time_ns(ns);
	}
	return sls_emit(ck, SLS_REC_CLOCKS, &img, sizeof(img));
}

/* The epoch's clocks: the record before its first process, or NULL. */
static const struct sls_img_clocks *sls_image_clocks(const struct sls_image *img)
{
	unsigned int i;

	for (i = 0; i < img->nr_recs && img->recs[i].type != SLS_REC_PROC; i++)
		if (img->recs[i].type == SLS_REC_CLOCKS)
			return img->recs[i].data;
	return NULL;
}

/* A clock an image may give: what a time namespace may be set to. */
static bool sls_clock_valid(s64 ns)
{
	return ns >= 0 && ns / NSEC_PER_SEC < KTIME_SEC_MAX / 2;
}

/*
 * The clocks the restored processes start from.  A region epoch holds no
 * clocks: those of its whole epoch, plus the time between the commits.
 */
static int sls_clocks_of_image(struct sls_restore *rs,
			       const struct sls_img_clocks *c)
{
	struct sls_partition *part = rs->part;
	struct sls_image *img = rs->img;
	u64 whole, at;

	if (!sls_clock_valid(c->monotonic_ns) || !sls_clock_valid(c->boottime_ns))
		return sls_restore_fail(rs, -EUCLEAN, "epoch %llu: clocks out of range",
					img->records_epoch);
	rs->clocks = *c;
	if (img->epoch == img->records_epoch)
		return 0;
	whole = slsfs_epoch_time(part->store, part->id, img->records_epoch);
	at = slsfs_epoch_time(part->store, part->id, img->epoch);
	if (whole && at > whole) {
		rs->clocks.monotonic_ns += at - whole;
		rs->clocks.boottime_ns += at - whole;
	}
	return 0;
}

/**
 * sls_clocks_prepare - the namespaces the restored processes enter
 * @rs:		the restore, its image loaded
 *
 * The caller's namespaces with a new time namespace, as
 * unshare(CLONE_NEWTIME) makes them, which takes CAP_SYS_ADMIN: without
 * it, or without CONFIG_TIME_NS, the processes are restored with the
 * clocks as they are, and the log says so.  The offsets are set once the
 * processes are built (sls_clocks_freeze()).
 *
 * Return: 0, or the error reported with sls_restore_fail().
 */
int sls_clocks_prepare(struct sls_restore *rs)
{
	const struct sls_img_clocks *c = sls_image_clocks(rs->img);
	struct nsproxy *nsp = NULL;
	int err;

	if (!c)
		return 0;
	err = sls_clocks_of_image(rs, c);
	if (err)
		return err;
	err = IS_ENABLED(CONFIG_TIME_NS) ?
	      unshare_nsproxy_namespaces(CLONE_NEWTIME, &nsp, NULL, NULL) :
	      -EOPNOTSUPP;
	if (err == -EPERM || err == -EOPNOTSUPP) {
		pr_info("sls: %s: epoch %llu: clocks not restored: %s\n",
			rs->part->name, rs->img->epoch, err == -EPERM ?
			"the caller lacks CAP_SYS_ADMIN" : "no CONFIG_TIME_NS");
		return 0;
	}
	if (err)
		return sls_restore_fail(rs, err, "time namespace: error %d", err);
	/* The processes are in the namespace they make for their children. */
	put_time_ns(nsp->time_ns);
	nsp->time_ns = get_time_ns(nsp->time_ns_for_children);
	rs->nsp = nsp;
	return 0;
}

/**
 * sls_clocks_enter - a restored root process enters the namespaces
 * @p:		the process, which is current
 *
 * The processes it forks, and their threads, share them.
 */
void sls_clocks_enter(struct sls_rproc *p)
{
	struct nsproxy *nsp = p->rs->nsp;

	if (!nsp)
		return;
	get_nsproxy(nsp);
	switch_task_namespaces(current, nsp);
}

/**
 * sls_clocks_freeze - set the clocks, the processes built
 * @rs:		the restore, whose processes wait to go to user mode
 * @task:	one of them
 *
 * As late as can be: to the processes, time stood still from the
 * checkpoint to here.  No process has read a clock in the namespace yet.
 */
void sls_clocks_freeze(struct sls_restore *rs, struct task_struct *task)
{
	struct time_namespace *ns;

	if (!rs->nsp)
		return;
	ns = rs->nsp->time_ns;
	ns->offsets.monotonic = ns_to_timespec64(rs->clocks.monotonic_ns -
						 ktime_get_ns());
	ns->offsets.boottime = ns_to_timespec64(rs->clocks.boottime_ns -
						ktime_get_boottime_ns());
	timens_commit(task, ns);
}

void sls_clocks_close(struct sls_restore *rs)
{
	if (rs->nsp)
		put_nsproxy(rs->nsp);
	rs->nsp = NULL;
}
