// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: the descriptor table and the files it holds.
 *
 * Each open file is recorded once per epoch, with an id that every
 * descriptor referring to it (in any process) names, so that sharing an
 * open file, and its offset, survives; each pipe once too, with what it
 * holds, read without consuming it.  A kind of file that restore cannot
 * rebuild is refused by name, never left out.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/highmem.h>
#include <linux/magic.h>
#include <linux/major.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "sls.h"

/* Paths come back by name: a deleted one cannot. */
static char *sls_path_name(const struct path *path, char *buf, int *len)
{
	char *name;

	if (d_unlinked(path->dentry))
		return ERR_PTR(-EOPNOTSUPP);
	name = d_path(path, buf, PATH_MAX);
	if (!IS_ERR(name))
		*len = buf + PATH_MAX - 1 - name;
	return name;
}

/**
 * sls_emit_path - record one of a process's paths
 * @ck:		the checkpoint
 * @kind:	SLS_IMG_PATH_*
 * @path:	the path
 *
 * Return: 0, -ENOMEM, or -EOPNOTSUPP for a deleted directory or file.
 */
int sls_emit_path(struct sls_ckpt *ck, u32 kind, const struct path *path)
{
	struct sls_img_path ip = { .kind = kind };
	char *buf = __getname(), *name;
	int len = 0, err;

	if (!buf)
		return -ENOMEM;
	name = sls_path_name(path, buf, &len);
	if (IS_ERR(name)) {
		err = sls_refuse(ck, -EOPNOTSUPP, "path %u: deleted or unreachable",
				 kind);
	} else {
		ip.len = len;
		err = sls_emit2(ck, SLS_REC_PATH, &ip, sizeof(ip), name, len);
	}
	__putname(buf);
	return err;
}

/* The character devices restore can reopen by name. */
static bool sls_chrdev_ok(dev_t rdev)
{
	switch (MAJOR(rdev)) {
	case MEM_MAJOR:		/* null, zero, random, urandom */
		return MINOR(rdev) == 3 || MINOR(rdev) == 5 ||
		       MINOR(rdev) == 8 || MINOR(rdev) == 9;
	case TTY_MAJOR:		/* a virtual console or serial port */
		return true;
	case TTYAUX_MAJOR:	/* /dev/tty, /dev/console */
		return MINOR(rdev) <= 1;
	}
	return false;
}

/* What restore would make of @file: a kind, or 0 if it cannot. */
static u32 sls_file_kind(struct file *file)
{
	struct inode *inode = file_inode(file);

	switch (inode->i_mode & S_IFMT) {
	case S_IFREG:
		return SLS_FILE_REG;
	case S_IFDIR:
		return SLS_FILE_DIR;
	case S_IFCHR:
		return sls_chrdev_ok(inode->i_rdev) ? SLS_FILE_CHR : 0;
	case S_IFIFO:
		if (!get_pipe_info(file, false))
			return 0;
		return file->f_path.dentry->d_sb->s_magic == PIPEFS_MAGIC ?
		       SLS_FILE_PIPE : SLS_FILE_FIFO;
	}
	return file->f_op == &sls_partition_fops ? SLS_FILE_PARTITION : 0;
}

/* Copy what a pipe holds, without consuming it. */
static int sls_emit_pipe_data(struct sls_ckpt *ck, struct pipe_inode_info *pipe,
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
static int sls_emit_pipe(struct sls_ckpt *ck, struct file *file, u64 *pipe_id)
{
	struct inode *inode = file_inode(file);
	unsigned long key = (unsigned long)inode;
	int err;

	*pipe_id = inode->i_ino;
	if (xa_load(&ck->files, key))
		return 0;
	err = xa_err(xa_store(&ck->files, key, xa_mk_value(0), GFP_KERNEL));
	return err ?: sls_emit_pipe_data(ck, get_pipe_info(file, false), *pipe_id);
}

/* What restore reopens a file by: its path, or its partition's name. */
static char *sls_file_name(struct file *file, u32 kind, char *buf, int *len)
{
	struct sls_partition *part = file->private_data;

	if (kind == SLS_FILE_PIPE) {
		*len = 0;
		return buf;
	}
	if (kind == SLS_FILE_PARTITION) {
		*len = strlen(part->name);
		return part->name;
	}
	return sls_path_name(&file->f_path, buf, len);
}

/* A name for what is refused: the path, or what an anon inode calls itself. */
static int sls_refuse_file(struct sls_ckpt *ck, struct task_struct *leader,
			   unsigned int fd, struct file *file)
{
	char *buf = __getname(), *name = NULL;
	int err;

	if (buf)
		name = d_path(&file->f_path, buf, PATH_MAX);
	err = sls_refuse(ck, -EOPNOTSUPP, "pid %d fd %u: %s (mode %#o): not supported",
			 task_tgid_nr(leader), fd,
			 !IS_ERR_OR_NULL(name) ? name : "?",
			 file_inode(file)->i_mode & S_IFMT);
	if (buf)
		__putname(buf);
	return err;
}

static int sls_emit_file(struct sls_ckpt *ck, struct file *file, u32 kind,
			 u64 id)
{
	struct sls_img_file img = {
		.id = id,
		.pos = file->f_pos,
		.kind = kind,
		.flags = file->f_flags,
		.mode = file_inode(file)->i_mode,
		.rdev = new_encode_dev(file_inode(file)->i_rdev),
	};
	char *buf = __getname(), *name;
	int len = 0, err = 0;

	if (!buf)
		return -ENOMEM;
	if (kind == SLS_FILE_PIPE || kind == SLS_FILE_FIFO) {
		err = sls_emit_pipe(ck, file, &img.pipe_id);
		if (err)
			goto out;
	}
	name = sls_file_name(file, kind, buf, &len);
	if (IS_ERR(name)) {
		err = sls_refuse(ck, -EOPNOTSUPP, "file id %llu: deleted", id);
		goto out;
	}
	img.path_len = len;
	err = sls_emit2(ck, SLS_REC_FILE, &img, sizeof(img), name, len);
out:
	__putname(buf);
	return err;
}

/* Record one descriptor, and its file the first time it is seen. */
static int sls_emit_fd(struct sls_ckpt *ck, struct task_struct *leader,
		       unsigned int fd, struct file *file, bool cloexec)
{
	unsigned long key = (unsigned long)file;
	struct sls_img_fd img = { .fd = fd };
	void *entry = xa_load(&ck->files, key);
	u32 kind;
	int err;

	if (entry) {
		img.file_id = xa_to_value(entry);
	} else {
		kind = sls_file_kind(file);
		if (!kind)
			return sls_refuse_file(ck, leader, fd, file);
		img.file_id = ++ck->next_file_id;
		err = xa_err(xa_store(&ck->files, key, xa_mk_value(img.file_id),
				      GFP_KERNEL));
		if (!err)
			err = sls_emit_file(ck, file, kind, img.file_id);
		if (err)
			return err;
	}
	if (cloexec)
		img.flags |= SLS_IMG_FD_CLOEXEC;
	return sls_emit(ck, SLS_REC_FD, &img, sizeof(img));
}

/* Capture the descriptor table of a process. */
int sls_files_capture(struct sls_ckpt *ck, struct task_struct *leader)
{
	struct files_struct *files;
	unsigned int fd = 0;
	struct file *file;
	bool cloexec;
	int err = 0;

	task_lock(leader);
	files = leader->files;
	if (files && atomic_read(&files->count) > get_nr_threads(leader))
		err = sls_refuse(ck, -EOPNOTSUPP,
				 "pid %d: descriptor table shared with another process",
				 task_tgid_nr(leader));
	task_unlock(leader);
	if (err || !files)
		return err;

	for (;; fd++) {
		rcu_read_lock();
		file = task_lookup_next_fdget_rcu(leader, &fd);
		cloexec = file && leader->files &&
			  close_on_exec(fd, leader->files);
		rcu_read_unlock();
		if (!file)
			break;
		err = sls_emit_fd(ck, leader, fd, file, cloexec);
		fput(file);
		if (err)
			break;
	}
	return err;
}
