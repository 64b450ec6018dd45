// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: deleted regular files.
 *
 * A program may keep a file open after unlinking it, as a scratch area
 * nobody else can reach (SQLite's temporary files).  No path leads to it
 * any more, so the epoch records its directory and its contents, whole,
 * and a restore makes an O_TMPFILE in that directory with them.  Only
 * small files are recorded (SLS_TMPFILE_MAX): every epoch copies them
 * while the members are stopped.  Descriptors opened on the file one by
 * one share it again: a restore keeps the new file by the old inode.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "sls.h"

#define SLS_TMPFILE_MAX		SZ_1M

/**
 * sls_is_tmpfile - a regular file no path leads to, that its mount holds
 * @file:	the file
 */
bool sls_is_tmpfile(struct file *file)
{
	struct inode *inode = file_inode(file);

	return S_ISREG(inode->i_mode) && !inode->i_nlink &&
	       d_unlinked(file->f_path.dentry) &&
	       !(file->f_path.mnt->mnt_flags & MNT_INTERNAL);
}

/**
 * sls_tmpfile_dir - the path of the directory a deleted file was in
 * @file:	the file
 * @buf:	PATH_MAX bytes
 * @len:	set to the path's length
 *
 * Return: the path in @buf, or ERR_PTR(-EOPNOTSUPP) if the directory is
 * gone too.
 */
char *sls_tmpfile_dir(struct file *file, char *buf, u32 *len)
{
	struct path dir = { .mnt = file->f_path.mnt };
	char *name;

	dir.dentry = dget_parent(file->f_path.dentry);
	name = d_unlinked(dir.dentry) ? ERR_PTR(-EOPNOTSUPP) :
	       d_path(&dir, buf, PATH_MAX);
	dput(dir.dentry);
	if (!IS_ERR(name))
		*len = buf + PATH_MAX - 1 - name;
	return name;
}

/* The contents, read through a file of our own: @file may be write-only. */
static int sls_tmpfile_read(struct file *file, void *data, loff_t size)
{
	struct file *r = dentry_open(&file->f_path, O_RDONLY | O_LARGEFILE,
				     current_cred());
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(r))
		return PTR_ERR(r);
	n = kernel_read(r, data, size, &pos);
	fput(r);
	return n < 0 ? n : n == size ? 0 : -EAGAIN;
}

int sls_tmpfile_capture(struct sls_ckpt *ck, struct file *file,
			struct sls_img_file *img)
{
	struct sls_img_file_data d = { .len = img->size };
	void *data;
	int err;

	if (img->size > SLS_TMPFILE_MAX)
		return sls_refuse(ck, -EOPNOTSUPP,
				  "pid %d fd %u: deleted file of %llu bytes: above %u",
				  ck->cur_pid, ck->cur_fd, img->size, SLS_TMPFILE_MAX);
	data = kvmalloc(max_t(u32, d.len, 1), GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	err = sls_tmpfile_read(file, data, d.len);
	if (err)
		sls_refuse(ck, err, "pid %d fd %u: deleted file: read: error %d",
			   ck->cur_pid, ck->cur_fd, err);
	else
		err = sls_emit2(ck, SLS_REC_FILE_DATA, &d, sizeof(d), data, d.len);
	kvfree(data);
	return err;
}

/* A new deleted file in @dir with @d's contents, open for writing. */
static struct file *sls_tmpfile_make(const char *dir, umode_t mode,
				     const struct sls_img_file_data *d)
{
	struct file *w = filp_open(dir, O_TMPFILE | O_RDWR | O_LARGEFILE, mode);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(w))
		return w;
	n = kernel_write(w, d + 1, d->len, &pos);
	if (n == d->len)
		return w;
	fput(w);
	return ERR_PTR(n < 0 ? n : -ENOSPC);
}

/*
 * The file as the epoch had it open: its flags (an O_TMPFILE must be
 * writable, the file may not have been), its offset.
 */
static struct file *sls_tmpfile_reopen(const struct path *path,
				       const struct sls_img_file *f)
{
	int flags = f->flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_TMPFILE);
	struct file *file = dentry_open(path, flags, current_cred());
	loff_t pos;

	if (IS_ERR(file))
		return file;
	pos = vfs_llseek(file, f->pos, SEEK_SET);
	if (pos < 0) {
		fput(file);
		return ERR_PTR(pos);
	}
	return file;
}

/**
 * sls_tmpfile_open - a deleted file of the epoch, made anew
 * @rs:		the restore
 * @f:		its file record
 * @next:	its SLS_REC_FILE_DATA
 *
 * Return: the file, or an error reported with sls_restore_fail().
 */
struct file *sls_tmpfile_open(struct sls_restore *rs, const struct sls_img_file *f,
			      const struct slsfs_rec *next)
{
	const struct sls_img_file_data *d = next ? next->data : NULL;
	struct file *made, *file;
	char *dir;
	int err;

	if (!d || next->type != SLS_REC_FILE_DATA || d->len != f->size)
		return ERR_PTR(sls_restore_fail(rs, -EUCLEAN,
						"deleted file %llu: no contents", f->id));
	made = xa_load(&rs->tmpfiles, f->obj_id);	/* another open of it */
	if (made)
		return sls_tmpfile_reopen(&made->f_path, f);
	dir = kmemdup_nul((const char *)(f + 1), f->path_len, GFP_KERNEL);
	if (!dir)
		return ERR_PTR(-ENOMEM);
	made = sls_tmpfile_make(dir, f->mode & 07777, d);
	file = IS_ERR(made) ? made : sls_tmpfile_reopen(&made->f_path, f);
	err = PTR_ERR_OR_ZERO(file);
	if (!err) {
		err = xa_insert(&rs->tmpfiles, f->obj_id, file, GFP_KERNEL);
		if (err) {
			fput(file);
			file = ERR_PTR(err);
		}
	}
	if (!IS_ERR(made))
		fput(made);
	if (err)
		file = ERR_PTR(sls_restore_fail(rs, err,
						"deleted file in %s: error %d", dir, err));
	kfree(dir);
	return file;
}
