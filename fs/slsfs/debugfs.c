// SPDX-License-Identifier: GPL-2.0
/*
 * slsfs: a driver of the store from user space, for tests only
 * (CONFIG_SLSFS_DEBUGFS).  Until kernel/sls writes epochs, it is how the
 * kselftests and the crash tests commit and read back epochs.
 *
 * /sys/kernel/debug/slsfs/<dev>/ctl takes one command per write:
 *
 *	create NAME
 *	remove NAME
 *	epoch NAME FIRST COUNT SEED [full]
 *		pages FIRST..FIRST+COUNT-1 of object 1, each word of page I
 *		SEED << 32 | I, and one record saying so; committed
 *		synchronously
 *	verify NAME EPOCH
 *		every page the retained epochs up to EPOCH (0: the latest)
 *		say they wrote, read as of EPOCH and compared
 *
 * A read of ctl gives the outcome of the last command, one line.
 */
#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/slsfs.h>
#include <linux/uaccess.h>

#include "internal.h"

#define SLSFS_DEBUG_OBJ		1
#define SLSFS_DEBUG_RECORD	1
#define SLSFS_DEBUG_PAGES_MAX	65536	/* 256 MiB */
#define SLSFS_DEBUG_OUT		64	/* bytes of a result line */

struct slsfs_debug_record {
	__le64 first;
	__le64 count;
	__le64 seed;
};

static struct dentry *slsfs_debugfs_root;
static DEFINE_MUTEX(slsfs_debug_lock);	/* the result lines */

static void slsfs_debug_fill(struct page *page, u64 seed, u64 index)
{
	u64 *w = page_address(page);
	size_t i;

	for (i = 0; i < PAGE_SIZE / sizeof(*w); i++)
		w[i] = seed << 32 | index;
}

static int slsfs_debug_epoch(struct slsfs_sb_info *sbi, const char *name,
			     u64 first, u64 count, u64 seed, bool full, u64 *epoch)
{
	struct slsfs_debug_record rec = {
		cpu_to_le64(first), cpu_to_le64(count), cpu_to_le64(seed),
	};
	struct slsfs_txn *txn;
	struct page *page;
	u64 part_id, i;
	int err;

	if (count > SLSFS_DEBUG_PAGES_MAX || first + count > SLSFS_DEBUG_PAGES_MAX)
		return -EINVAL;
	err = slsfs_part_lookup(sbi, name, &part_id);
	if (err)
		return err;
	txn = slsfs_epoch_begin(sbi, part_id, full ? SLSFS_EPOCH_FULL : 0);
	if (IS_ERR(txn))
		return PTR_ERR(txn);
	err = slsfs_epoch_add_record(txn, SLSFS_DEBUG_RECORD, &rec, sizeof(rec));
	for (i = 0; !err && i < count; i++) {
		page = alloc_page(GFP_KERNEL);
		if (!page) {
			err = -ENOMEM;
			break;
		}
		slsfs_debug_fill(page, seed, first + i);
		err = slsfs_epoch_add_page(txn, SLSFS_DEBUG_OBJ, first + i, page);
		put_page(page);		/* the epoch holds its own reference */
	}
	*epoch = slsfs_txn_epoch(txn);
	if (err) {
		slsfs_epoch_abort(txn);
		return err;
	}
	return slsfs_epoch_commit_sync(txn);
}

/* Which seed each page must have as of @epoch, from the epochs' records. */
static int slsfs_debug_expect(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch,
			      u64 *seeds)
{
	struct slsfs_debug_record rec;
	u64 e, i, first, count;
	ssize_t n;

	for (e = 1; e <= epoch; e++) {
		n = slsfs_epoch_read_records(sbi, part_id, e, &rec, sizeof(rec),
					     sizeof(struct slsfs_record));
		if (n == -ESTALE)
			continue;	/* not retained, or never committed */
		if (n < 0)
			return n;
		if (n != sizeof(rec))
			return -EUCLEAN;
		first = le64_to_cpu(rec.first);
		count = le64_to_cpu(rec.count);
		if (first + count > SLSFS_DEBUG_PAGES_MAX)
			return -EUCLEAN;
		for (i = first; i < first + count; i++)
			seeds[i] = le64_to_cpu(rec.seed) + 1;	/* 0: unknown */
	}
	return 0;
}

static int slsfs_debug_verify(struct slsfs_sb_info *sbi, const char *name,
			      u64 *epoch, u64 *pages)
{
	struct page *page = alloc_page(GFP_KERNEL);
	u64 *seeds = kvcalloc(SLSFS_DEBUG_PAGES_MAX, sizeof(*seeds), GFP_KERNEL);
	u64 part_id, i, j, *w;
	int err = -ENOMEM;

	if (!page || !seeds)
		goto out;
	err = slsfs_part_lookup(sbi, name, &part_id);
	if (err)
		goto out;
	if (!*epoch)
		*epoch = slsfs_epoch_latest(sbi, part_id);
	err = slsfs_debug_expect(sbi, part_id, *epoch, seeds);
	for (i = 0; !err && i < SLSFS_DEBUG_PAGES_MAX; i++) {
		if (!seeds[i])
			continue;
		err = slsfs_page_read(sbi, part_id, SLSFS_DEBUG_OBJ, i, *epoch, page);
		if (err)
			break;
		w = page_address(page);
		for (j = 0; j < PAGE_SIZE / sizeof(*w); j++)
			if (w[j] != ((seeds[i] - 1) << 32 | i))
				err = -EBADMSG;
		(*pages)++;
	}
out:
	kvfree(seeds);
	if (page)
		__free_page(page);
	return err;
}

static int slsfs_debug_run(struct slsfs_sb_info *sbi, char *cmd, char *out,
			   size_t size)
{
	struct slsfs_part_attr attr = {};
	char name[SLSFS_NAME_LEN], full[8] = "";
	u64 a, b, c, epoch = 0, n = 0;
	int err;

	if (sscanf(cmd, "create %63s", name) == 1) {
		err = slsfs_part_create(sbi, name, &attr, &a);
		scnprintf(out, size, "part %llu\n", a);
	} else if (sscanf(cmd, "remove %63s", name) == 1) {
		err = slsfs_part_remove(sbi, name);
		scnprintf(out, size, "removed\n");
	} else if (sscanf(cmd, "epoch %63s %llu %llu %llu %7s", name, &a, &b, &c,
			  full) >= 4) {
		if (full[0] && strcmp(full, "full"))
			return -EINVAL;
		err = slsfs_debug_epoch(sbi, name, a, b, c, full[0], &epoch);
		scnprintf(out, size, "epoch %llu\n", epoch);
	} else if (sscanf(cmd, "verify %63s %llu", name, &epoch) == 2) {
		err = slsfs_debug_verify(sbi, name, &epoch, &n);
		scnprintf(out, size, "ok epoch %llu pages %llu\n", epoch, n);
	} else {
		return -EINVAL;
	}
	if (err)
		scnprintf(out, size, "error %d\n", err);
	return err;
}

static ssize_t slsfs_debug_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	struct slsfs_sb_info *sbi = file->private_data;
	char *cmd;
	int err;

	if (len >= 256)
		return -EINVAL;
	cmd = memdup_user_nul(ubuf, len);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	mutex_lock(&slsfs_debug_lock);
	err = slsfs_debug_run(sbi, cmd, sbi->debug_out, SLSFS_DEBUG_OUT);
	mutex_unlock(&slsfs_debug_lock);
	kfree(cmd);
	return err ?: len;
}

static ssize_t slsfs_debug_read(struct file *file, char __user *ubuf, size_t len,
				loff_t *ppos)
{
	struct slsfs_sb_info *sbi = file->private_data;
	char line[SLSFS_DEBUG_OUT];

	mutex_lock(&slsfs_debug_lock);
	strscpy(line, sbi->debug_out, sizeof(line));
	mutex_unlock(&slsfs_debug_lock);
	return simple_read_from_buffer(ubuf, len, ppos, line, strlen(line));
}

static const struct file_operations slsfs_debug_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= slsfs_debug_read,
	.write	= slsfs_debug_write,
	.llseek	= default_llseek,
};

void slsfs_debugfs_add(struct slsfs_sb_info *sbi)
{
	char *out = kzalloc(SLSFS_DEBUG_OUT, GFP_KERNEL);

	if (!out)
		return;
	if (!slsfs_debugfs_root)
		slsfs_debugfs_root = debugfs_create_dir("slsfs", NULL);
	sbi->debugfs = debugfs_create_dir(sbi->sb->s_id, slsfs_debugfs_root);
	sbi->debug_out = out;
	debugfs_create_file("ctl", 0600, sbi->debugfs, sbi, &slsfs_debug_fops);
}

void slsfs_debugfs_remove(struct slsfs_sb_info *sbi)
{
	debugfs_remove(sbi->debugfs);
	kfree(sbi->debug_out);
}
