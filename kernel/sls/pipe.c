// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: pipes and FIFOs.
 *
 * Each pipe is recorded once per epoch, with the data it holds, the first
 * time one of its ends is; the ends name it by its inode number.  The data
 * is copied out of the pipe buffers under the pipe's lock and left there.
 */
#include <linux/fs.h>
#include <linux/highmem.h>
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
