// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: the descriptor table and the files it holds.
 *
 * Each open file is recorded once per epoch, with an id that every
 * descriptor referring to it (in any process) names, so that sharing an
 * open file, and its offset, survives.  The kinds restore can rebuild are
 * in sls_filedefs[]; pipes (pipe.c) and UNIX sockets (unix.c) record what
 * they hold too, read without consuming it; epolls (epoll.c) what they
 * watch; TCP sockets (tcp.c) their addresses.  A kind of file that restore cannot
 * rebuild is refused by name, never left out.
 */
#include <linux/close_range.h>
#include <linux/eventfd.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/magic.h>
#include <linux/major.h>
#include <linux/mount.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "sls.h"

/*
 * Whether @path is in a process's directory of /proc, /proc/PID/...: it
 * names that process as this boot numbered it, and reopened by its name
 * after a restore it would be another process's file, or none.  A pid
 * directory is never renamed, so its name is stable under RCU.
 */
static bool sls_names_process(const struct path *path)
{
	struct super_block *sb = path->dentry->d_sb;
	struct dentry *d = path->dentry;
	bool pid_dir;
	u32 nr;

	if (sb->s_magic != PROC_SUPER_MAGIC)
		return false;
	rcu_read_lock();
	while (!IS_ROOT(d) && READ_ONCE(d->d_parent) != sb->s_root)
		d = READ_ONCE(d->d_parent);
	pid_dir = !IS_ROOT(d) &&
		  !kstrtou32((const char *)d->d_name.name, 10, &nr);
	rcu_read_unlock();
	return pid_dir;
}

/*
 * Paths come back by name: a deleted one cannot (-EOPNOTSUPP), nor one
 * that names a process (-ESRCH).
 */
char *sls_path_name(const struct path *path, char *buf, u32 *len)
{
	char *name;

	/* First: the file of a process gone is unhashed too. */
	if (sls_names_process(path))
		return ERR_PTR(-ESRCH);
	/* Nor can a file of an internal mount: a memfd, say. */
	if (d_unlinked(path->dentry) || (path->mnt->mnt_flags & MNT_INTERNAL))
		return ERR_PTR(-EOPNOTSUPP);
	name = d_path(path, buf, PATH_MAX);
	if (!IS_ERR(name))
		*len = buf + PATH_MAX - 1 - name;
	return name;
}

/* Why sls_path_name() refused a path. */
const char *sls_path_why(long err)
{
	return err == -ESRCH ? "a /proc file of a process" :
	       "deleted or unreachable";
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
		err = sls_refuse(ck, -EOPNOTSUPP, "pid %d: %s: %s",
				 ck->cur_pid, kind == SLS_IMG_PATH_CWD ? "cwd" :
				 kind == SLS_IMG_PATH_ROOT ? "root" : "exe",
				 sls_path_why(PTR_ERR(name)));
	} else {
		ip.len = len;
		err = sls_emit2(ck, SLS_REC_PATH, &ip, sizeof(ip), name, len);
	}
	__putname(buf);
	return err;
}

/*
 * A file of /proc or /sys is made anew each boot, its time stamp with it:
 * what it holds is generated when read, so it has no version to compare.
 */
static bool sls_file_generated(struct inode *inode)
{
	return inode->i_sb->s_magic == PROC_SUPER_MAGIC ||
	       inode->i_sb->s_magic == SYSFS_MAGIC;
}

/* What restore compares to tell whether a file changed since the epoch. */
void sls_file_stamp(struct inode *inode, u64 *size, s64 *mtime_ns)
{
	struct timespec64 mtime = inode_get_mtime(inode);

	*size = i_size_read(inode);
	*mtime_ns = timespec64_to_ns(&mtime);
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
static struct file *sls_path_open(struct sls_restore *rs,
				  const struct sls_img_file *f,
				  const struct slsfs_rec *next);

static char *sls_file_path(struct file *file, char *buf, u32 *len)
{
	return sls_path_name(&file->f_path, buf, len);
}

static struct file *sls_partition_reopen(struct sls_restore *rs,
					 const struct sls_img_file *f,
					 const struct slsfs_rec *next);
static struct file *sls_eventfd_open(struct sls_restore *rs,
				     const struct sls_img_file *f,
				     const struct slsfs_rec *next);

static const struct sls_filedef {
	u32 kind;
	const char *name;
	/* the path it is reopened by, or NULL: see sls_path_name() */
	char *(*path)(struct file *file, char *buf, u32 *len);
	bool (*match)(struct file *file);
	int (*capture)(struct sls_ckpt *ck, struct file *file,
		       struct sls_img_file *img);
	struct file *(*open)(struct sls_restore *rs,
			     const struct sls_img_file *f,
			     const struct slsfs_rec *next);
} sls_filedefs[] = {
	/* Before regular files: a deleted one has no path to reopen. */
	{ SLS_FILE_TMPFILE, "deleted file", sls_tmpfile_dir, sls_is_tmpfile,
	  sls_tmpfile_capture, sls_tmpfile_open },
	{ SLS_FILE_REG, "regular file", sls_file_path, sls_is_reg, NULL,
	  sls_path_open },
	{ SLS_FILE_DIR, "directory", sls_file_path, sls_is_dir, NULL,
	  sls_path_open },
	{ SLS_FILE_CHR, "character device", sls_file_path, sls_is_chrdev, NULL,
	  sls_path_open },
	{ SLS_FILE_PIPE, "pipe", NULL, sls_is_pipe, sls_pipe_capture,
	  sls_pipe_open },
	{ SLS_FILE_FIFO, "FIFO", sls_file_path, sls_is_fifo, sls_pipe_capture,
	  sls_pipe_open },
	{ SLS_FILE_UNIX, "UNIX socket", NULL, sls_is_unix, sls_unix_capture,
	  sls_unix_open },
	{ SLS_FILE_EVENTFD, "eventfd", NULL, sls_is_eventfd,
	  sls_eventfd_capture, sls_eventfd_open },
	{ SLS_FILE_EPOLL, "epoll", NULL, sls_is_epoll, sls_epoll_capture,
	  sls_epoll_open },
	{ SLS_FILE_TCP, "TCP socket", NULL, sls_is_tcp, sls_tcp_capture,
	  sls_tcp_open },
	{ SLS_FILE_PARTITION, "partition", NULL, sls_is_partition, NULL,
	  sls_partition_reopen },
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
	if (S_ISREG(img.mode))
		sls_file_stamp(file_inode(file), &img.size, &img.mtime_ns);
	if (def->path) {
		name = def->path(file, buf, &img.path_len);
		if (IS_ERR(name)) {
			err = sls_refuse(ck, -EOPNOTSUPP, "pid %d fd %u: %s",
					 task_tgid_nr(leader), fd,
					 sls_path_why(PTR_ERR(name)));
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

/*
 * Restore.  The caller of sls_restore() opens every file of the epoch with
 * its own credentials, before any task exists; each process then installs
 * its descriptors from them, so an open file shared between descriptors
 * or processes is shared again.
 */

/* A file reopened by its path, unless it changed since the epoch. */
static struct file *sls_path_open(struct sls_restore *rs,
				  const struct sls_img_file *f,
				  const struct slsfs_rec *next)
{
	int flags = f->flags & ~(O_CREAT | O_EXCL | O_TRUNC);
	struct file *file;
	s64 mtime_ns;
	char *name;
	u64 size;
	loff_t pos;

	name = kmemdup_nul((const char *)(f + 1), f->path_len, GFP_KERNEL);
	if (!name)
		return ERR_PTR(-ENOMEM);
	if (f->kind == SLS_FILE_CHR)
		flags |= O_NOCTTY;	/* a tty is not the caller's to take */
	file = filp_open(name, flags, 0);
	if (IS_ERR(file)) {
		sls_restore_fail(rs, PTR_ERR(file), "%s: error %ld", name,
				 PTR_ERR(file));
		goto out;
	}
	if (f->kind == SLS_FILE_REG && !sls_file_generated(file_inode(file))) {
		sls_file_stamp(file_inode(file), &size, &mtime_ns);
		if (size != f->size || mtime_ns != f->mtime_ns) {
			fput(file);
			file = ERR_PTR(sls_restore_fail(rs, -ESTALE,
							"%s: changed since the epoch",
							name));
			goto out;
		}
	}
	if (f->kind == SLS_FILE_REG || f->kind == SLS_FILE_DIR) {
		pos = vfs_llseek(file, f->pos, SEEK_SET);
		if (pos < 0) {
			fput(file);
			file = ERR_PTR(sls_restore_fail(rs, pos, "%s: seek: error %lld",
							name, pos));
		}
	}
out:
	kfree(name);
	return file;
}

/* The O_NONBLOCK of a rebuilt file: its own, not that of how it was made. */
void sls_file_set_nonblock(struct file *file, u32 flags)
{
	spin_lock(&file->f_lock);
	file->f_flags = (file->f_flags & ~O_NONBLOCK) | (flags & O_NONBLOCK);
	spin_unlock(&file->f_lock);
}

/* An eventfd, with the counter it had. */
static struct file *sls_eventfd_open(struct sls_restore *rs,
				     const struct sls_img_file *f,
				     const struct slsfs_rec *next)
{
	const struct sls_img_eventfd *e;
	struct file *file;

	if (!next || next->type != SLS_REC_EVENTFD)
		return ERR_PTR(sls_restore_fail(rs, -EUCLEAN, "eventfd %llu: no record",
						f->id));
	e = next->data;
	file = eventfd_file_create(e->count, e->flags & (EFD_SEMAPHORE | EFD_NONBLOCK));
	if (IS_ERR(file))
		return ERR_PTR(sls_restore_fail(rs, PTR_ERR(file), "eventfd %llu: error %ld",
						f->id, PTR_ERR(file)));
	sls_file_set_nonblock(file, f->flags);
	return file;
}

/* A descriptor of the partition being restored; of another, not yet. */
static struct file *sls_partition_reopen(struct sls_restore *rs,
					 const struct sls_img_file *f,
					 const struct slsfs_rec *next)
{
	const char *name = (const char *)(f + 1);
	struct file *file;

	if (f->path_len != strlen(rs->part->name) ||
	    memcmp(name, rs->part->name, f->path_len))
		return ERR_PTR(sls_restore_fail(rs, -EOPNOTSUPP,
						"file %llu: a descriptor of another partition is not restorable yet",
						f->id));
	file = sls_partition_file(rs->part);
	if (IS_ERR(file))
		sls_restore_fail(rs, PTR_ERR(file), "file %llu: partition: error %ld",
				 f->id, PTR_ERR(file));
	return file;
}

static struct file *sls_file_open(struct sls_restore *rs,
				  const struct sls_img_file *f,
				  const struct slsfs_rec *next)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sls_filedefs); i++) {
		const struct sls_filedef *def = &sls_filedefs[i];

		if (def->kind != f->kind)
			continue;
		if (def->open)
			return def->open(rs, f, next);
		return ERR_PTR(sls_restore_fail(rs, -EOPNOTSUPP,
						"file %llu: restoring a %s is not supported yet",
						f->id, def->name));
	}
	return ERR_PTR(sls_restore_fail(rs, -EUCLEAN, "file %llu: unknown kind %u",
					f->id, f->kind));
}

/**
 * sls_files_open - open every file of the epoch, as the caller
 * @rs:		the restore
 *
 * Return: 0, or the first failure, reported with sls_restore_fail().
 */
int sls_files_open(struct sls_restore *rs)
{
	struct sls_image *img = rs->img;
	const struct slsfs_rec *next;
	struct file *file;
	unsigned int i;
	int err;

	for (i = 0; i < img->nr_recs; i++) {
		const struct sls_img_file *f = img->recs[i].data;

		if (img->recs[i].type != SLS_REC_FILE)
			continue;
		next = i + 1 < img->nr_recs ? &img->recs[i + 1] : NULL;
		file = sls_file_open(rs, f, next);
		if (IS_ERR(file))
			return PTR_ERR(file);
		err = xa_insert(&rs->files, f->id, file, GFP_KERNEL);
		if (err) {
			fput(file);
			return sls_restore_fail(rs, err == -EBUSY ? -EUCLEAN : err,
						"file %llu: recorded twice", f->id);
		}
	}
	return sls_unix_finish(rs);
}

/* Drop what the caller opened: the descriptors hold what they need. */
void sls_files_close(struct sls_restore *rs)
{
	struct sls_rpipe *rp;
	struct file *file;
	unsigned long id;

	xa_for_each(&rs->files, id, file)
		fput(file);
	xa_destroy(&rs->files);
	xa_destroy(&rs->tmpfiles);	/* references of rs->files */
	xa_for_each(&rs->pipes, id, rp) {
		if (rp->end[0])
			fput(rp->end[0]);
		if (rp->end[1])
			fput(rp->end[1]);
		kfree(rp);
	}
	xa_destroy(&rs->pipes);
	sls_unix_close(rs);
}

/* The descriptor table of a process, a private one, as it was. */
int sls_files_restore(struct sls_rproc *p)
{
	const struct slsfs_rec *rec;
	struct file *file;
	int err;

	err = __close_range(0, ~0U, CLOSE_RANGE_UNSHARE);
	if (err)
		return sls_restore_fail(p->rs, err, "pid %d: descriptor table",
					p->img->pid);
	sls_for_each_rec(p, rec, SLS_REC_FD) {
		const struct sls_img_fd *fd = rec->data;

		file = xa_load(&p->rs->files, fd->file_id);
		if (!file)
			return sls_restore_fail(p->rs, -EUCLEAN,
						"pid %d fd %u: no file %llu in the epoch",
						p->img->pid, fd->fd, fd->file_id);
		err = replace_fd(fd->fd, file, fd->flags & SLS_IMG_FD_CLOEXEC ?
				 O_CLOEXEC : 0);
		if (err < 0)
			return sls_restore_fail(p->rs, err, "pid %d fd %u: error %d",
						p->img->pid, fd->fd, err);
	}
	return sls_epoll_restore(p);	/* its items name descriptors */
}
