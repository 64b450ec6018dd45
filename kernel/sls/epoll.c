// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: epoll instances.
 *
 * An epoll is recorded with every item it watches: the descriptor each
 * was added with, its events and its data.  Restore opens an empty epoll
 * with the other files and, once the process that recorded it has its
 * descriptor table back, adds each item again with epoll_ctl(), which
 * also polls each file anew: what is ready is reported again.
 *
 * An item names its file by descriptor, so that descriptor must still
 * hold the file the item was added with (epoll keeps an item of a closed
 * descriptor while the file is open elsewhere); if not, the epoll is
 * refused.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/eventpoll.h>	/* needs struct file and __put_user() */

#include "sls.h"

bool sls_is_epoll(struct file *file)
{
	return file_is_epoll(file);
}

/* What a walk of the items collects, before it is emitted. */
struct sls_epoll_walk {
	struct task_struct *leader;
	struct sls_img_epoll_item *items;
	u32 nr;
	u32 room;
	int bad_tfd;		/* the first descriptor that moved, or -1 */
};

static bool sls_epoll_fd_holds(struct task_struct *t, int fd, struct file *f)
{
	struct file *now;

	rcu_read_lock();
	now = task_lookup_fdget_rcu(t, fd);
	rcu_read_unlock();
	if (!now)
		return false;
	fput(now);
	return now == f;
}

/* Under the epoll's mutex: one item, if it is still where it was added. */
static int sls_epoll_item(void *arg, int tfd, struct file *tfile,
			  const struct epoll_event *event)
{
	struct sls_epoll_walk *w = arg;
	struct sls_img_epoll_item *items;

	if (!sls_epoll_fd_holds(w->leader, tfd, tfile)) {
		w->bad_tfd = tfd;
		return -EOPNOTSUPP;
	}
	if (w->nr == w->room) {
		w->room = max(16U, w->room * 2);
		items = krealloc_array(w->items, w->room, sizeof(*items),
				       GFP_KERNEL);
		if (!items)
			return -ENOMEM;
		w->items = items;
	}
	w->items[w->nr++] = (struct sls_img_epoll_item) {
		.tfd = tfd,
		.events = event->events,
		.data = event->data,
	};
	return 0;
}

int sls_epoll_capture(struct sls_ckpt *ck, struct file *file,
		      struct sls_img_file *img)
{
	struct sls_epoll_walk w = { .leader = ck->cur_leader, .bad_tfd = -1 };
	struct sls_img_epoll ep = { .file_id = img->id, .epfd = ck->cur_fd };
	int err;

	err = epoll_for_each_item(file, sls_epoll_item, &w);
	if (err == -EOPNOTSUPP) {
		err = sls_refuse(ck, err,
				 "pid %d fd %u: epoll: item of fd %d no longer open there",
				 ck->cur_pid, ck->cur_fd, w.bad_tfd);
		goto out;
	}
	if (err)
		goto out;
	ep.nr = w.nr;
	err = sls_emit2(ck, SLS_REC_EPOLL, &ep, sizeof(ep), w.items,
			w.nr * sizeof(*w.items));
out:
	kfree(w.items);
	return err;
}

static const struct sls_img_epoll *sls_epoll_rec(const struct slsfs_rec *rec)
{
	const struct sls_img_epoll *ep = rec->data;

	if ((rec->len - sizeof(*ep)) / sizeof(struct sls_img_epoll_item) < ep->nr)
		return NULL;
	return ep;
}

/**
 * sls_epoll_open - an empty epoll of the epoll, filled by its process
 * @rs:		the restore
 * @f:		its file record
 * @next:	its SLS_REC_EPOLL
 *
 * Return: the epoll's file, or an error reported with sls_restore_fail().
 */
struct file *sls_epoll_open(struct sls_restore *rs, const struct sls_img_file *f,
			    const struct slsfs_rec *next)
{
	struct file *file;

	if (!next || next->type != SLS_REC_EPOLL || !sls_epoll_rec(next) ||
	    ((const struct sls_img_epoll *)next->data)->file_id != f->id)
		return ERR_PTR(sls_restore_fail(rs, -EUCLEAN, "epoll %llu: no record",
						f->id));
	file = epoll_file_create(0);
	if (IS_ERR(file))
		return ERR_PTR(sls_restore_fail(rs, PTR_ERR(file), "epoll %llu: error %ld",
						f->id, PTR_ERR(file)));
	sls_file_set_nonblock(file, f->flags);
	return file;
}

/* Each item of one epoll, added again through the process's descriptors. */
static int sls_epoll_fill(struct sls_rproc *p, const struct sls_img_epoll *ep)
{
	const struct sls_img_epoll_item *items = (const void *)(ep + 1);
	struct file *file = xa_load(&p->rs->files, ep->file_id);
	struct epoll_event ev;
	u32 i;
	int err;

	if (!file || !sls_epoll_fd_holds(current, ep->epfd, file))
		return sls_restore_fail(p->rs, -EUCLEAN,
					"pid %d fd %u: not the epoll %llu of the epoch",
					p->img->pid, ep->epfd, ep->file_id);
	for (i = 0; i < ep->nr; i++) {
		ev.events = items[i].events;
		ev.data = items[i].data;
		err = do_epoll_ctl(ep->epfd, EPOLL_CTL_ADD, items[i].tfd, &ev,
				   false);
		if (err)
			return sls_restore_fail(p->rs, err,
						"pid %d fd %u: epoll item of fd %u: error %d",
						p->img->pid, ep->epfd, items[i].tfd, err);
	}
	return 0;
}

/**
 * sls_epoll_restore - the items of the epolls a process recorded
 * @p:		the process, its descriptor table restored
 *
 * Return: 0, or an error reported with sls_restore_fail().
 */
int sls_epoll_restore(struct sls_rproc *p)
{
	const struct slsfs_rec *rec;
	const struct sls_img_epoll *ep;
	int err;

	sls_for_each_rec(p, rec, SLS_REC_EPOLL) {
		ep = sls_epoll_rec(rec);
		if (!ep)
			return sls_restore_fail(p->rs, -EUCLEAN,
						"pid %d: epoll record cut short",
						p->img->pid);
		err = sls_epoll_fill(p, ep);
		if (err)
			return err;
	}
	return 0;
}
