// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: pipes and FIFOs.
 *
 * Each pipe is recorded once per epoch, with the data it holds, the first
 * time one of its ends is; the ends name it by its inode number.  The data
 * is copied out of the pipe buffers under the pipe's lock and left there.
 *
 * Restore builds each pipe the first time one of its ends is opened, and
 * writes its data back; a FIFO is held open for reading and writing
 * meanwhile, so that opening either end does not wait for the other.
 */
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/magic.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>

#include "sls.h"

bool sls_is_pipe(struct file *file)
{
	return get_pipe_info(file, false) &&
	       file->f_path.dentry->d_sb->s_magic == PIPEFS_MAGIC;
}

bool sls_is_fifo(struct file *file)
{
	return get_pipe_info(file, false) &&
	       file->f_path.dentry->d_sb->s_magic != PIPEFS_MAGIC;
}

static int sls_pipe_emit_data(struct sls_ckpt *ck, struct pipe_inode_info *pipe,
			      u64 id)
{
	struct sls_img_pipe img = { .id = id };
	unsigned int tail;
	char *data;
	int err;

	pipe_lock(pipe);
	img.size = pipe->max_usage * PAGE_SIZE;
	data = kvmalloc(img.size, GFP_KERNEL);
	for (tail = pipe->tail; data && tail != pipe->head; tail++) {
		struct pipe_buffer *buf = &pipe->bufs[tail & (pipe->ring_size - 1)];
		char *src = kmap_local_page(buf->page);

		memcpy(data + img.len, src + buf->offset, buf->len);
		kunmap_local(src);
		img.len += buf->len;
	}
	pipe_unlock(pipe);
	if (!data)
		return -ENOMEM;
	err = sls_emit2(ck, SLS_REC_PIPE, &img, sizeof(img), data, img.len);
	kvfree(data);
	return err;
}

/* The pipe an end belongs to, recorded with its data the first time. */
int sls_pipe_capture(struct sls_ckpt *ck, struct file *file,
		     struct sls_img_file *img)
{
	unsigned long key = (unsigned long)file_inode(file);
	int err;

	if (xa_load(&ck->files, key))
		return 0;
	err = xa_err(xa_store(&ck->files, key, xa_mk_value(0), GFP_KERNEL));
	return err ?: sls_pipe_emit_data(ck, get_pipe_info(file, false),
					 img->obj_id);
}

/* What the pipe held at the checkpoint, written back through @w. */
static int sls_pipe_fill(struct file *w, const struct sls_img_pipe *ip)
{
	loff_t pos = 0;
	long ret;

	ret = pipe_fcntl(w, F_SETPIPE_SZ, ip->size);
	if (ret < 0 && ip->len > PIPE_DEF_BUFFERS * PAGE_SIZE)
		return ret;
	ret = kernel_write(w, ip + 1, ip->len, &pos);
	if (ret < 0)
		return ret;
	return ret == ip->len ? 0 : -ENOSPC;
}

static struct sls_rpipe *sls_rpipe_new(struct sls_restore *rs,
				       const struct sls_img_file *f)
{
	struct sls_rpipe *rp = kzalloc(sizeof(*rp), GFP_KERNEL);
	struct file *file;
	char *name;
	int err;

	if (!rp)
		return ERR_PTR(-ENOMEM);
	if (f->kind == SLS_FILE_PIPE) {
		err = create_pipe_files(rp->end, O_NONBLOCK);
		goto out;
	}
	name = kmemdup_nul((const char *)(f + 1), f->path_len, GFP_KERNEL);
	file = name ? filp_open(name, O_RDWR | O_NONBLOCK, 0) : ERR_PTR(-ENOMEM);
	kfree(name);
	err = PTR_ERR_OR_ZERO(file);
	if (!err) {
		rp->end[0] = file;
		rp->end[1] = get_file(file);
	}
out:
	if (err) {
		kfree(rp);
		return ERR_PTR(err);
	}
	return rp;
}

/* The pipe an end belongs to, built with its data the first time. */
static struct sls_rpipe *sls_rpipe_get(struct sls_restore *rs,
				       const struct sls_img_file *f,
				       const struct slsfs_rec *next)
{
	struct sls_rpipe *rp = xa_load(&rs->pipes, f->obj_id);
	const struct sls_img_pipe *ip;
	int err;

	if (rp)
		return rp;
	rp = sls_rpipe_new(rs, f);
	if (IS_ERR(rp))
		return rp;
	err = xa_insert(&rs->pipes, f->obj_id, rp, GFP_KERNEL);
	if (err) {
		fput(rp->end[0]);
		fput(rp->end[1]);
		kfree(rp);
		return ERR_PTR(err);
	}
	ip = next && next->type == SLS_REC_PIPE ? next->data : NULL;
	if (ip && ip->id == f->obj_id) {
		err = sls_pipe_fill(rp->end[1], ip);
		if (err)
			return ERR_PTR(err);
	}
	return rp;
}

/**
 * sls_pipe_open - an end of a pipe or FIFO of the epoch
 * @rs:		the restore
 * @f:		the end's record
 * @next:	the record after it, the pipe's data if this end is its first
 *
 * Return: the open end, or an error reported with sls_restore_fail().
 */
struct file *sls_pipe_open(struct sls_restore *rs,
			   const struct sls_img_file *f,
			   const struct slsfs_rec *next)
{
	struct sls_rpipe *rp = sls_rpipe_get(rs, f, next);
	struct file *file;
	char *name;

	if (IS_ERR(rp))
		return ERR_PTR(sls_restore_fail(rs, PTR_ERR(rp),
						"pipe %llu: error %ld", f->obj_id,
						PTR_ERR(rp)));
	if (f->kind == SLS_FILE_FIFO) {
		name = kmemdup_nul((const char *)(f + 1), f->path_len, GFP_KERNEL);
		file = name ? filp_open(name, f->flags, 0) : ERR_PTR(-ENOMEM);
		kfree(name);
		if (IS_ERR(file))
			sls_restore_fail(rs, PTR_ERR(file), "FIFO %llu: error %ld",
					 f->obj_id, PTR_ERR(file));
		return file;
	}
	file = get_file(rp->end[(f->flags & O_ACCMODE) == O_RDONLY ? 0 : 1]);
	sls_file_set_nonblock(file, f->flags);
	return file;
}
