// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: an epoch read back for restore.
 *
 * The record stream of the epoch is read whole, every record checked
 * (slsfs verifies each block's checksum, and each record its own), and
 * cut into processes: a process is its SLS_REC_PROC and the records up
 * to the next one.  Records carry variable parts (paths, data) whose
 * lengths are checked here once, so that what restores each kind of
 * object can trust them.
 */
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "sls.h"

/* The fixed part of each record type and where its variable length is. */
static const struct sls_rec_shape {
	u32 size;
	u32 var_off;		/* of the __u32 length of what follows, or 0 */
} sls_rec_shapes[] = {
	[SLS_REC_EPOCH]		= { sizeof(struct sls_img_epoch) },
	[SLS_REC_PROC]		= { sizeof(struct sls_img_proc) },
	[SLS_REC_THREAD]	= { sizeof(struct sls_img_thread) },
	[SLS_REC_XSTATE]	= { 0 },
	[SLS_REC_PATH]		= { sizeof(struct sls_img_path),
				    offsetof(struct sls_img_path, len) },
	[SLS_REC_MM]		= { sizeof(struct sls_img_mm) },
	[SLS_REC_VMA]		= { sizeof(struct sls_img_vma),
				    offsetof(struct sls_img_vma, path_len) },
	[SLS_REC_FILE]		= { sizeof(struct sls_img_file),
				    offsetof(struct sls_img_file, path_len) },
	[SLS_REC_FD]		= { sizeof(struct sls_img_fd) },
	[SLS_REC_PIPE]		= { sizeof(struct sls_img_pipe),
				    offsetof(struct sls_img_pipe, len) },
	[SLS_REC_UNIX]		= { sizeof(struct sls_img_unix) },
	[SLS_REC_EVENTFD]	= { sizeof(struct sls_img_eventfd) },
	[SLS_REC_ZOMBIE]	= { sizeof(struct sls_img_zombie) },
	[SLS_REC_GROUPS]	= { sizeof(struct sls_img_groups),
				    offsetof(struct sls_img_groups, len) },
	[SLS_REC_EPOLL]		= { sizeof(struct sls_img_epoll) },
	[SLS_REC_TCP]		= { sizeof(struct sls_img_tcp) },
	[SLS_REC_CLOCKS]	= { sizeof(struct sls_img_clocks) },
	[SLS_REC_FILE_DATA]	= { sizeof(struct sls_img_file_data),
				    offsetof(struct sls_img_file_data, len) },
};

static int sls_rec_check(const struct slsfs_rec *rec)
{
	const struct sls_rec_shape *shape;
	u32 var;

	if (rec->type >= ARRAY_SIZE(sls_rec_shapes) || !rec->type)
		return 0;	/* a reader skips what it does not know */
	shape = &sls_rec_shapes[rec->type];
	if (rec->len < shape->size)
		return -EUCLEAN;
	if (!shape->var_off)
		return 0;
	var = *(const u32 *)(rec->data + shape->var_off);
	return rec->len - shape->size < var ? -EUCLEAN : 0;
}

/* The whole record stream of an epoch. */
static int sls_image_read(struct sls_image *img, struct sls_partition *part)
{
	size_t room = SZ_64K;
	ssize_t n;

	for (;;) {
		void *buf = kvrealloc(img->buf, room, GFP_KERNEL);

		if (!buf)
			return -ENOMEM;
		img->buf = buf;
		n = slsfs_epoch_read_records(part->store, part->id, img->records_epoch,
					     buf + img->len, room - img->len,
					     img->len);
		if (n < 0)
			return n;
		img->len += n;
		if (!n)
			return 0;
		if (img->len == room)
			room *= 2;
	}
}

static int sls_image_corrupt(struct sls_image *img, size_t pos, const char *why)
{
	snprintf(img->why, sizeof(img->why), "epoch %llu: record at %zu: %s",
		 img->records_epoch, pos, why);
	return -EUCLEAN;
}

/* Every record, checked, into img->recs; the processes counted. */
static int sls_image_split(struct sls_image *img)
{
	size_t pos = 0, room = 0;
	struct slsfs_rec rec;
	const char *why;
	ssize_t n;

	while (pos < img->len) {
		n = slsfs_record_next(img->buf + pos, img->len - pos, img->records_epoch,
				      &rec, &why);
		if (n < 0)
			return sls_image_corrupt(img, pos, why);
		if (sls_rec_check(&rec))
			return sls_image_corrupt(img, pos, "record too short");
		if (img->nr_recs == room) {
			void *recs;

			room = room ? room * 2 : 256;
			recs = kvrealloc(img->recs, room * sizeof(rec), GFP_KERNEL);
			if (!recs)
				return -ENOMEM;
			img->recs = recs;
		}
		img->recs[img->nr_recs++] = rec;
		if (rec.type == SLS_REC_PROC)
			img->nr_procs++;
		pos += n;
	}
	if (!img->nr_recs || img->recs[0].type != SLS_REC_EPOCH)
		return sls_image_corrupt(img, 0, "no epoch record first");
	if (!img->nr_procs)
		return sls_image_corrupt(img, 0, "no process");
	return 0;
}

/* The threads of a process: each SLS_REC_THREAD and its SLS_REC_XSTATE. */
static int sls_image_threads(struct sls_image *img, struct sls_rproc *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->nr_recs; i++) {
		if (p->recs[i].type == SLS_REC_THREAD)
			p->nr_threads++;
		else if (p->recs[i].type == SLS_REC_ZOMBIE)
			p->nr_zombies++;
	}
	if (!p->nr_threads)
		return sls_image_corrupt(img, 0, "a process without threads");
	p->threads = kcalloc(p->nr_threads, sizeof(*p->threads), GFP_KERNEL);
	p->zombies = kcalloc(p->nr_zombies, sizeof(*p->zombies), GFP_KERNEL);
	if (!p->threads || (p->nr_zombies && !p->zombies))
		return -ENOMEM;
	p->nr_zombies = 0;
	for (i = 0; i < p->nr_recs; i++) {
		const struct slsfs_rec *rec = &p->recs[i];

		if (rec->type == SLS_REC_ZOMBIE) {
			p->zombies[p->nr_zombies].img = rec->data;
			p->zombies[p->nr_zombies++].proc = p;
			continue;
		}
		if (rec->type != SLS_REC_THREAD)
			continue;
		if (i + 1 == p->nr_recs || rec[1].type != SLS_REC_XSTATE)
			return sls_image_corrupt(img, 0, "a thread without xstate");
		p->threads[n].img = rec->data;
		p->threads[n].xstate = rec[1].data;
		p->threads[n].xstate_size = rec[1].len;
		p->threads[n].proc = p;
		n++;
	}
	/* The thread group leader is the thread whose id is the pid. */
	for (i = 0; i < n; i++)
		if (p->threads[i].img->tid == p->img->pid)
			swap(p->threads[0], p->threads[i]);
	if (p->threads[0].img->tid != p->img->pid)
		return sls_image_corrupt(img, 0, "a process without its leader");
	return 0;
}

/* Each process, with its records, threads, zombies and parent. */
static int sls_image_procs(struct sls_image *img)
{
	struct sls_rproc *p = NULL;
	unsigned int i, j;
	int err;

	img->procs = kcalloc(img->nr_procs, sizeof(*img->procs), GFP_KERNEL);
	if (!img->procs)
		return -ENOMEM;
	for (i = 0; i < img->nr_recs; i++) {
		if (img->recs[i].type == SLS_REC_PROC) {
			p = p ? p + 1 : img->procs;
			p->img = img->recs[i].data;
			p->recs = &img->recs[i + 1];
		} else if (p) {
			p->nr_recs++;
		}
	}
	for (i = 0; i < img->nr_procs; i++) {
		p = &img->procs[i];
		err = sls_image_threads(img, p);
		if (err)
			return err;
		img->nr_tasks += p->nr_threads + p->nr_zombies;
		for (j = 0; j < img->nr_procs; j++)
			if (j != i && img->procs[j].img->pid == p->img->ppid)
				p->parent = &img->procs[j];
		for (j = 0; j < i; j++)
			if (img->procs[j].img->pid == p->img->pid)
				return sls_image_corrupt(img, 0, "a pid twice");
	}
	/* Every process must lead up to a root: the tree is built from them. */
	for (i = 0; i < img->nr_procs; i++) {
		p = &img->procs[i];
		for (j = 0; p && j <= img->nr_procs; j++)
			p = p->parent;
		if (p)
			return sls_image_corrupt(img, 0, "processes are their own ancestors");
	}
	return 0;
}

void sls_image_free(struct sls_image *img)
{
	unsigned int i;

	if (!img)
		return;
	for (i = 0; img->procs && i < img->nr_procs; i++) {
		struct sls_rproc *p = &img->procs[i];
		unsigned int j;

		for (j = 0; p->threads && j < p->nr_threads; j++)
			if (p->threads[j].task)
				put_task_struct(p->threads[j].task);
		for (j = 0; p->zombies && j < p->nr_zombies; j++)
			if (p->zombies[j].task)
				put_task_struct(p->zombies[j].task);
		kfree(p->threads);
		kfree(p->zombies);
	}
	kfree(img->procs);
	kvfree(img->recs);
	kvfree(img->buf);
	kfree(img);
}
EXPORT_SYMBOL_IF_KUNIT(sls_image_free);

/**
 * sls_image_parse - cut an image's record stream into processes
 * @img:	the image, whose buf, len and epoch are set
 *
 * Return: 0, -EUCLEAN (what is wrong in img->why) or -ENOMEM.
 */
int sls_image_parse(struct sls_image *img)
{
	return sls_image_split(img) ?: sls_image_procs(img);
}
EXPORT_SYMBOL_IF_KUNIT(sls_image_parse);

/**
 * sls_image_load - read an epoch of a partition for restore
 * @part:	the partition
 * @epoch:	a retained epoch
 * @why:	set to what is wrong with it, if it is corrupt
 *
 * The records of a region's epoch are those of the newest whole epoch
 * before it; its pages are its own.
 *
 * Return: the image, or ERR_PTR(-ESTALE) for an epoch that is not
 * retained, -EUCLEAN for a corrupt one, -EIO or -ENOMEM.
 */
struct sls_image *sls_image_load(struct sls_partition *part, u64 epoch,
				 char *why)
{
	struct sls_image *img = kzalloc(sizeof(*img), GFP_KERNEL);
	int err;

	if (!img)
		return ERR_PTR(-ENOMEM);
	img->epoch = epoch;
	img->records_epoch = slsfs_epoch_whole(part->store, part->id, epoch);
	err = img->records_epoch ? sls_image_read(img, part) : -ESTALE;
	if (err == -EUCLEAN)
		snprintf(img->why, sizeof(img->why),
			 "epoch %llu: records fail their checksum", img->records_epoch);
	if (!err)
		err = sls_image_parse(img);
	if (err) {
		strscpy(why, img->why, SLS_ERROR_LEN);
		sls_image_free(img);
		return ERR_PTR(err);
	}
	return img;
}

/* The process of the image whose pid at the checkpoint was @pid. */
struct sls_rproc *sls_image_proc(struct sls_image *img, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < img->nr_procs; i++)
		if (img->procs[i].img->pid == pid)
			return &img->procs[i];
	return NULL;
}

/* The first record of type @type of @p from @from on, or NULL. */
const struct slsfs_rec *sls_rec_find(const struct sls_rproc *p,
				     const struct slsfs_rec *from, u16 type)
{
	for (; from < p->recs + p->nr_recs; from++)
		if (from->type == type)
			return from;
	return NULL;
}
