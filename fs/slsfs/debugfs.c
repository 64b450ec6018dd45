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
 *		synchronously.  The result is "epoch E commit_ns T", T the
 *		time slsfs took to write and commit it.
 *	verify NAME EPOCH
 *		every page the retained epochs up to EPOCH (0: the latest)
 *		say they wrote, read as of EPOCH and compared; ESTALE if
 *		EPOCH is not retained
 *	page NAME EPOCH INDEX
 *		page INDEX as of EPOCH (0: the latest): "page I seed S" if it
 *		is a test page, EBADMSG if not, ENODATA if none was written
 *	word NAME EPOCH OBJ INDEX
 *		the first 64-bit word of page INDEX of object OBJ as of
 *		EPOCH, "word W": what a checkpoint of process OBJ holds at
 *		address INDEX * 4096
 *	gc ckpt
 *	gc clean
 *		write an index checkpoint; with clean, also empty the
 *		emptiest segments.  The result is "free_segments N".
 *
 * A read of ctl gives the outcome of the last command, one line.
 */
#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/slsfs.h>
#include <linux/timekeeping.h>
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

/*
 * Commit an epoch of test pages; *commit_ns is the time slsfs took to write
 * and commit it, without the making of the pages.
 */
static int slsfs_debug_epoch(struct slsfs_sb_info *sbi, const char *name,
			     u64 first, u64 count, u64 seed, bool full, u64 *epoch,
			     u64 *commit_ns)
{
	struct slsfs_debug_record rec = {
		cpu_to_le64(first), cpu_to_le64(count), cpu_to_le64(seed),
	};
	struct slsfs_txn *txn;
	struct page *page;
	u64 part_id, i;
	int err;

	if (count > SLSFS_DEBUG_PAGES_MAX || first > SLSFS_DEBUG_PAGES_MAX - count)
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
	*commit_ns = ktime_get_ns();
	err = slsfs_epoch_commit_sync(txn);
	*commit_ns = ktime_get_ns() - *commit_ns;
	return err;
}

/*
 * The retained epochs of a partition up to @epoch, oldest first, in a new
 * array.  Return: how many, or -ESTALE if @epoch itself is not retained,
 * -ENOENT for an unknown partition, -ENOMEM.
 */
static int slsfs_debug_epochs(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch,
			      u64 **out)
{
	struct slsfs_partition *part;
	struct slsfs_epoch *ep;
	u64 *list = NULL;
	int n = 0, err;

	mutex_lock(&sbi->lock);
	part = slsfs_part_find_id(&sbi->store, part_id);
	err = !part ? -ENOENT : !slsfs_epoch_find(part, epoch) ? -ESTALE : 0;
	if (!err) {
		list = kcalloc(part->nr_epochs, sizeof(*list), GFP_KERNEL);
		err = list ? 0 : -ENOMEM;
	}
	if (!err) {
		list_for_each_entry(ep, &part->epochs, node)
			if (ep->epoch <= epoch)
				list[n++] = ep->epoch;
		err = n;
	}
	mutex_unlock(&sbi->lock);
	*out = list;
	return err;
}

/*
 * Which seed each page must have as of @epoch, from the records of the
 * retained epochs up to it.  Return: 0, -ESTALE if @epoch is not retained.
 */
static int slsfs_debug_expect(struct slsfs_sb_info *sbi, u64 part_id, u64 epoch,
			      u64 *seeds)
{
	struct slsfs_debug_record rec;
	u64 i, first, count, *epochs;
	int nr, k, err = 0;
	ssize_t n;

	nr = slsfs_debug_epochs(sbi, part_id, epoch, &epochs);
	if (nr < 0)
		return nr;
	for (k = 0; !err && k < nr; k++) {
		n = slsfs_epoch_read_records(sbi, part_id, epochs[k], &rec,
					     sizeof(rec), sizeof(struct slsfs_record));
		if (n < 0) {
			err = n;
			break;
		}
		first = le64_to_cpu(rec.first);
		count = le64_to_cpu(rec.count);
		if (n != sizeof(rec) || count > SLSFS_DEBUG_PAGES_MAX ||
		    first > SLSFS_DEBUG_PAGES_MAX - count) {
			err = -EUCLEAN;
			break;
		}
		for (i = first; i < first + count; i++)
			seeds[i] = le64_to_cpu(rec.seed) + 1;	/* 0: unknown */
	}
	kfree(epochs);
	return err;
}

/* The seed of a test page, each of whose words is SEED << 32 | @index. */
static int slsfs_debug_seed(struct page *page, u64 index, u64 *seed)
{
	u64 *w = page_address(page);
	size_t j;

	*seed = w[0] >> 32;
	for (j = 0; j < PAGE_SIZE / sizeof(*w); j++)
		if (w[j] != (*seed << 32 | index))
			return -EBADMSG;
	return 0;
}

/*
 * The seed of a test page as of @epoch.  Return: 0, -ENODATA if no epoch
 * up to @epoch wrote it, -EUCLEAN for a checksum mismatch, -EBADMSG for
 * other contents.
 */
static int slsfs_debug_page_seed(struct slsfs_sb_info *sbi, u64 part_id,
				 u64 epoch, u64 index, struct page *page, u64 *seed)
{
	int err = slsfs_page_read(sbi, part_id, SLSFS_DEBUG_OBJ, index, epoch,
				  page);

	return err ?: slsfs_debug_seed(page, index, seed);
}

static int slsfs_debug_verify(struct slsfs_sb_info *sbi, const char *name,
			      u64 *epoch, u64 *pages)
{
	struct page *page = alloc_page(GFP_KERNEL);
	u64 *seeds = kvcalloc(SLSFS_DEBUG_PAGES_MAX, sizeof(*seeds), GFP_KERNEL);
	u64 part_id, i, seed;
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
		err = slsfs_debug_page_seed(sbi, part_id, *epoch, i, page, &seed);
		if (!err && seed != seeds[i] - 1)
			err = -EBADMSG;
		(*pages)++;
	}
out:
	kvfree(seeds);
	if (page)
		__free_page(page);
	return err;
}

/*
 * Page @index of object @obj of partition @name as of *@epoch (0: the
 * latest, which *@epoch is set to), into a new page.
 */
static struct page *slsfs_debug_page_at(struct slsfs_sb_info *sbi,
					const char *name, u64 *epoch, u64 obj,
					u64 index)
{
	struct page *page;
	u64 part_id;
	int err;

	err = slsfs_part_lookup(sbi, name, &part_id);
	if (err)
		return ERR_PTR(err);
	if (!*epoch)
		*epoch = slsfs_epoch_latest(sbi, part_id);
	page = alloc_page(GFP_KERNEL);
	if (!page)
		return ERR_PTR(-ENOMEM);
	err = slsfs_page_read(sbi, part_id, obj, index, *epoch, page);
	if (err) {
		__free_page(page);
		return ERR_PTR(err);
	}
	return page;
}

/* The seed of one test page as of an epoch (0: the latest). */
static int slsfs_debug_page(struct slsfs_sb_info *sbi, const char *name,
			    u64 *epoch, u64 index, u64 *seed)
{
	struct page *page = slsfs_debug_page_at(sbi, name, epoch,
						SLSFS_DEBUG_OBJ, index);
	int err;

	if (IS_ERR(page))
		return PTR_ERR(page);
	err = slsfs_debug_seed(page, index, seed);
	__free_page(page);
	return err;
}

/* The first word of page @v[2] of object @v[1] as of epoch @v[0]. */
static int slsfs_debug_word(struct slsfs_sb_info *sbi, const char *name,
			    u64 *v, u64 *word)
{
	struct page *page = slsfs_debug_page_at(sbi, name, &v[0], v[1], v[2]);

	if (IS_ERR(page))
		return PTR_ERR(page);
	*word = *(u64 *)page_address(page);
	__free_page(page);
	return 0;
}

static int slsfs_debug_gc(struct slsfs_sb_info *sbi, bool clean, u64 *free)
{
	int err;

	if (sb_rdonly(sbi->sb))
		return -EROFS;
	mutex_lock(&sbi->log_lock);
	err = slsfs_log_open(sbi) ?: slsfs_gc(sbi, clean);
	*free = slsfs_free_segs(sbi);
	mutex_unlock(&sbi->log_lock);
	return err;
}

/* @n decimal numbers from @argv into @v. */
static int slsfs_debug_nums(char **argv, int n, u64 *v)
{
	int i;

	for (i = 0; i < n; i++)
		if (kstrtou64(argv[i], 10, &v[i]))
			return -EINVAL;
	return 0;
}

/* Run one command line; its result line goes to @out, an error's too. */
static int slsfs_debug_run(struct slsfs_sb_info *sbi, const char *cmd, char *out,
			   size_t size)
{
	struct slsfs_part_attr attr = {};
	u64 v[3] = {}, epoch = 0, n = 0, ns = 0;
	char **argv;
	int argc, err = -EINVAL;

	argv = argv_split(GFP_KERNEL, cmd, &argc);
	if (!argv)
		return -ENOMEM;
	if (argc < 2)
		goto out;
	if (!strcmp(argv[0], "create") && argc == 2) {
		err = slsfs_part_create(sbi, argv[1], &attr, &v[0]);
		scnprintf(out, size, "part %llu\n", v[0]);
	} else if (!strcmp(argv[0], "remove") && argc == 2) {
		err = slsfs_part_remove(sbi, argv[1]);
		scnprintf(out, size, "removed\n");
	} else if (!strcmp(argv[0], "epoch") &&
		   (argc == 5 || (argc == 6 && !strcmp(argv[5], "full")))) {
		err = slsfs_debug_nums(argv + 2, 3, v) ?:
		      slsfs_debug_epoch(sbi, argv[1], v[0], v[1], v[2], argc == 6,
					&epoch, &ns);
		scnprintf(out, size, "epoch %llu commit_ns %llu\n", epoch, ns);
	} else if (!strcmp(argv[0], "verify") && argc == 3) {
		err = slsfs_debug_nums(argv + 2, 1, &epoch) ?:
		      slsfs_debug_verify(sbi, argv[1], &epoch, &n);
		scnprintf(out, size, "ok epoch %llu pages %llu\n", epoch, n);
	} else if (!strcmp(argv[0], "page") && argc == 4) {
		err = slsfs_debug_nums(argv + 2, 2, v) ?:
		      slsfs_debug_page(sbi, argv[1], &v[0], v[1], &v[2]);
		scnprintf(out, size, "page %llu seed %llu\n", v[1], v[2]);
	} else if (!strcmp(argv[0], "word") && argc == 5) {
		u64 w[3] = {}, word = 0;

		err = slsfs_debug_nums(argv + 2, 3, w) ?:
		      slsfs_debug_word(sbi, argv[1], w, &word);
		scnprintf(out, size, "word %llu\n", word);
	} else if (!strcmp(argv[0], "gc") && argc == 2 &&
		   (!strcmp(argv[1], "ckpt") || !strcmp(argv[1], "clean"))) {
		err = slsfs_debug_gc(sbi, !strcmp(argv[1], "clean"), &n);
		scnprintf(out, size, "free_segments %llu\n", n);
	}
out:
	if (err)
		scnprintf(out, size, "error %d\n", err);
	argv_free(argv);
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
