// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: the descriptor table and the files it holds.
 *
 * Each open file is recorded once per epoch, with an id that every
 * descriptor referring to it (in any process) names, so that sharing an
 * open file, and its offset, survives.  The kinds restore can rebuild are
 * in sls_filedefs[]; pipes (pipe.c) and UNIX sockets (unix.c) record what
 * they hold too, read without consuming it.  A kind of file that restore cannot
 * rebuild is refused by name, never left out.
 */
#include <linux/eventfd.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/major.h>
#include <linux/mount.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "sls.h"

/* Paths come back by name: a deleted one cannot. */
static char *sls_path_name(const struct path *path, char *buf, u32 *len)
{
	char *name;

	/* Nor can a file of an internal mount: a memfd, say. */
	if (d_unlinked(path->dentry) || (path->mnt->mnt_flags & MNT_INTERNAL))
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
	u32 len = 0;
	int err;

	if (!buf)
		return -ENOMEM;
	name = sls_path_name(path, buf, &len);
	if (IS_ERR(name)) {
		err = sls_refuse(ck, -EOPNOTSUPP, "pid %d: %s: deleted or unreachable",
				 ck->cur_pid, kind == SLS_IMG_PATH_CWD ? "cwd" :
				 kind == SLS_IMG_PATH_ROOT ? "root" : "exe");
	} else {
		ip.len = len;
		err = sls_emit2(ck, SLS_REC_PATH, &ip, sizeof(ip), name, len);
	}
	__putname(buf);
	return err;
}

/* The character devices restore can reopen by name. */
static bool sls_is_chrdev(struct file *file)
{
	struct inode *inode = file_inode(file);
	dev_t rdev = inode->i_rdev;

	if (!S_ISCHR(inode->i_mode))
		return false;
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

static bool sls_is_reg(struct file *file)
{
	return S_ISREG(file_inode(file)->i_mode);
}

static bool sls_is_dir(struct file *file)
{
	return S_ISDIR(file_inode(file)->i_mode);
}

static bool sls_is_partition(struct file *file)
{
	return file->f_op == &sls_partition_fops;
}

static bool sls_is_eventfd(struct file *file)
{
	struct eventfd_ctx *ctx = eventfd_ctx_fileget(file);

	if (IS_ERR(ctx))
		return false;
	eventfd_ctx_put(ctx);
	return true;
}

static int sls_eventfd_capture(struct sls_ckpt *ck, struct file *file,
			       struct sls_img_file *img)
{
	struct eventfd_ctx *ctx = eventfd_ctx_fileget(file);
	struct sls_img_eventfd efd = {};

	eventfd_ctx_peek(ctx, &efd.count, &efd.flags);
	eventfd_ctx_put(ctx);
	return sls_emit(ck, SLS_REC_EVENTFD, &efd, sizeof(efd));
}

/*
 * The kinds of open files restore can rebuild, tried in order: what each
 * is, whether it is reopened by path, and what else it records.  Anything
 * else is refused.
 */
static const struct sls_filedef {
	u32 kind;
	bool by_path;
	bool (*match)(struct file *file);
	int (*capture)(struct sls_ckpt *ck, struct file *file,
		       struct sls_img_file *img);
} sls_filedefs[] = {
	{ SLS_FILE_REG,		true,	sls_is_reg,	NULL },
	{ SLS_FILE_DIR,		true,	sls_is_dir,	NULL },
	{ SLS_FILE_CHR,		true,	sls_is_chrdev,	NULL },
	{ SLS_FILE_PIPE,	false,	sls_is_pipe,	sls_pipe_capture },
	{ SLS_FILE_FIFO,	true,	sls_is_fifo,	sls_pipe_capture },
	{ SLS_FILE_UNIX,	false,	sls_is_unix,	sls_unix_capture },
	{ SLS_FILE_EVENTFD,	false,	sls_is_eventfd,	sls_eventfd_capture },
	{ SLS_FILE_PARTITION,	false,	sls_is_partition, NULL },
};

static const struct sls_filedef *sls_filedef_of(struct file *file)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sls_filedefs); i++)
		if (sls_filedefs[i].match(file))
			return &sls_filedefs[i];
	return NULL;
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

/* The file's record, its path (or partition name), then its kind's own. */
static int sls_emit_file(struct sls_ckpt *ck, struct task_struct *leader,
			 unsigned int fd, struct file *file,
			 const struct sls_filedef *def, u64 id)
{
	struct sls_img_file img = {
		.id = id,
		.pos = file->f_pos,
		.kind = def->kind,
		.flags = file->f_flags,
		.mode = file_inode(file)->i_mode,
		.rdev = new_encode_dev(file_inode(file)->i_rdev),
		.obj_id = file_inode(file)->i_ino,
	};
	struct sls_partition *part = file->private_data;
	char *buf = __getname(), *name = NULL;
	int err;

	if (!buf)
		return -ENOMEM;
	if (def->by_path) {
		name = sls_path_name(&file->f_path, buf, &img.path_len);
		if (IS_ERR(name)) {
			err = sls_refuse(ck, -EOPNOTSUPP,
					 "pid %d fd %u: deleted or unreachable file",
					 task_tgid_nr(leader), fd);
			goto out;
		}
	} else if (def->kind == SLS_FILE_PARTITION) {
		name = part->name;
		img.path_len = strlen(name);
	}
	err = sls_emit2(ck, SLS_REC_FILE, &img, sizeof(img), name, img.path_len);
	if (!err && def->capture)
		err = def->capture(ck, file, &img);
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
	const struct sls_filedef *def;
	int err;

	ck->cur_fd = fd;
	if (entry) {
		img.file_id = xa_to_value(entry);
	} else {
		def = sls_filedef_of(file);
		if (!def)
			return sls_refuse_file(ck, leader, fd, file);
		img.file_id = ++ck->next_file_id;
		err = xa_err(xa_store(&ck->files, key, xa_mk_value(img.file_id),
				      GFP_KERNEL));
		if (!err)
			err = sls_emit_file(ck, leader, fd, file, def, img.file_id);
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
