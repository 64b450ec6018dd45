/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Single level store: declarations shared inside kernel/sls.
 */
#ifndef _KERNEL_SLS_SLS_H
#define _KERNEL_SLS_SLS_H

#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sls_shadow.h>
#include <linux/slsfs.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/sls.h>
#include <uapi/linux/sls_image.h>

/*
 * Every refusal of bad input from userspace logs one rate-limited line that
 * names the calling task, so an administrator can tell which program sent it.
 */
#define sls_reject(err, fmt, ...)					\
({									\
	pr_info_ratelimited("sls: %s[%d]: " fmt "\n", current->comm,	\
			    task_pid_nr(current), ##__VA_ARGS__);	\
	(err);								\
})

#define SLS_ERROR_LEN		160

/*
 * A partition in memory: loaded by sls_open() and kept while a descriptor,
 * a member or a flush refers to it (the kobject's count).  Its epochs and
 * attributes live in the store.
 */
struct sls_partition {
	struct kobject kobj;		/* /sys/kernel/sls/partitions/<dev>:<name> */
	struct list_head node;		/* in sls_partitions */
	struct slsfs_sb_info *store;
	u64 id;				/* in the store */
	char name[SLS_NAME_MAX + 1];

	struct mutex ckpt_lock;		/* one checkpoint stops the members at a time */
	struct list_head members;	/* struct sls_member, under sls_members_lock */
	unsigned int nr_members;
	struct xarray mms;		/* tgid -> its memory's object (mm.c), under ckpt_lock */

	/* Tunables, written through sysfs (keep_epochs is the store's). */
	u64 period_ms;
	u64 attr_flags;			/* SLS_ATTR_* */
	struct hrtimer timer;		/* the period */
	struct work_struct tick;	/* a periodic checkpoint */
	struct work_struct free_work;

	/* The flush: one epoch at a time, under wq.lock. */
	wait_queue_head_t wq;
	bool flushing;
	bool need_full;			/* dirty bits were lost with a failed epoch */
	u64 epoch;			/* the newest epoch taken */
	u64 durable_epoch;
	u64 failed_epoch;
	int failed_err;

	/* Figures. */
	u64 checkpoints;
	atomic64_t coalesced;		/* periodic ticks dropped while flushing */
	u64 waited;			/* sls_persist() calls that waited for a flush */
	u64 last_stop_ns;
	u64 total_stop_ns;		/* of the epochs taken since loaded */
	u64 last_flush_ns;
	u64 total_flush_ns;		/* of the epochs durable since loaded */
	u64 flush_start_ns;
	u64 flush_bytes;		/* of the epoch flushing */
	u64 bytes_written;
	u64 pages_shadowed;		/* by the last epoch */
	u64 pages_copied;		/* by the last epoch: pinned pages */
	char last_error[SLS_ERROR_LEN];
};

/* A process of a partition; signal_struct.sls_member points to it. */
struct sls_member {
	struct list_head node;		/* in sls_partition.members */
	struct sls_partition *part;	/* holds a reference */
	struct pid *pid;		/* the thread group's */
};

/* A thread's own state, captured by the thread itself while it parks. */
struct sls_thread_state {
	struct sls_img_thread img;
	void *xstate;
	unsigned int xstate_size;
};

/* The threads of the members, parked for a checkpoint. */
struct sls_quiesce {
	refcount_t ref;			/* the checkpointer's, and one per queued work */
	atomic_t pending;		/* works queued and not yet run */
	bool released;
	wait_queue_head_t parked_wq;	/* the checkpointer waits for pending 0 */
	wait_queue_head_t release_wq;	/* the parked threads wait for released */
	struct xarray parks;		/* tid -> struct sls_park */
};

struct sls_park {
	struct callback_head cb;
	struct task_struct *task;
	struct sls_quiesce *q;
	struct sls_thread_state ts;
	int err;
	bool parked;			/* captured, waiting for the release */
};

/* What one checkpoint request asks for. */
struct sls_request {
	u64 flags;			/* SLS_PERSIST_* */
	unsigned long start;		/* SLS_PERSIST_REGION: range */
	unsigned long end;
	bool periodic;
};

/* A checkpoint in progress. */
struct sls_ckpt {
	struct sls_partition *part;
	const struct sls_request *req;
	struct slsfs_txn *txn;
	u64 epoch;
	struct sls_quiesce *q;
	struct pid **procs;		/* the members at the checkpoint */
	unsigned int nr_procs;
	bool full;			/* every page, not only dirty ones */
	bool shadowed;			/* soft-dirty bits were spent */
	u64 nr_pages;
	u64 nr_copied;
	u64 rec_bytes;
	u64 next_file_id;
	struct task_struct *cur_leader;	/* the process being captured, */
	pid_t cur_pid;			/* its PID and */
	unsigned int cur_fd;		/* its descriptor, for what refuses them */
	struct xarray files;		/* struct file * -> its id */
	struct xarray execs;		/* objects of mms before an exec -> tgid */
	char why[SLS_ERROR_LEN];	/* what refused it, for last_error */
};

struct sls_resume;
struct nsproxy;

/* A thread of an image, and the task restore makes of it. */
struct sls_rthread {
	const struct sls_img_thread *img;
	const void *xstate;
	u32 xstate_size;
	struct sls_rproc *proc;
	struct task_struct *task;
	struct sls_resume *resume;	/* what it does first in user mode */
};

/* A zombie child of an image's process. */
struct sls_rzombie {
	const struct sls_img_zombie *img;
	struct sls_rproc *proc;		/* its parent */
	struct task_struct *task;
};

/* A process of an image: its SLS_REC_PROC and the records up to the next. */
struct sls_rproc {
	const struct sls_img_proc *img;
	const struct slsfs_rec *recs;
	unsigned int nr_recs;
	struct sls_rthread *threads;	/* the leader first */
	unsigned int nr_threads;
	struct sls_rzombie *zombies;
	unsigned int nr_zombies;
	struct sls_rproc *parent;	/* NULL for a root of the tree */
	struct sls_restore *rs;
	pid_t pid;			/* restored, in the caller's namespace */
	u64 mm_obj;			/* its memory's object, once mapped */
};

/* An epoch read back (image.c). */
struct sls_image {
	u64 epoch;			/* restored: pages as of it */
	u64 records_epoch;		/* the whole epoch its records come from */
	void *buf;			/* the record stream */
	size_t len;
	struct slsfs_rec *recs;
	unsigned int nr_recs;
	struct sls_rproc *procs;
	unsigned int nr_procs;
	unsigned int nr_tasks;		/* threads and zombies */
	char why[SLS_ERROR_LEN];
};

/* A restore in progress (restore.c). */
struct sls_restore {
	refcount_t ref;			/* the restorer's, and one per task */
	struct sls_partition *part;
	struct sls_image *img;
	u64 flags;			/* SLS_RESTORE_* */
	struct xarray files;		/* file id -> struct file * */
	struct xarray pipes;		/* pipe inode -> struct sls_rpipe */
	struct xarray socks;		/* socket inode -> struct sls_rsock */
	struct nsproxy *nsp;		/* with their time namespace, or NULL */
	struct sls_img_clocks clocks;	/* what their clocks start from */
	struct mutex shm_lock;		/* processes map shared memory at once */
	struct xarray shms;		/* shmem inode -> struct file * */
	struct xarray tmpfiles;		/* deleted file's inode -> its first file */
	wait_queue_head_t ready_wq;	/* the restorer waits for the tasks */
	wait_queue_head_t go_wq;	/* the tasks wait for the restorer */
	unsigned int nr_waiting;	/* tasks to report, under ready_wq.lock */
	int err;			/* the first failure, under ready_wq.lock */
	int state;			/* SLS_RS_*, under go_wq.lock */
	char why[SLS_ERROR_LEN];
};

#define SLS_RS_BUILDING		0
#define SLS_RS_GO		1
#define SLS_RS_ABORT		2

/* A pipe being rebuilt: its two ends, or a FIFO's end that holds it open. */
struct sls_rpipe {
	struct file *end[2];
};

/* One kind of object: how it is captured and restored (see objdef.c). */
struct sls_objdef {
	const char *name;
	int (*capture)(struct sls_ckpt *ck, struct task_struct *leader);
	int (*restore)(struct sls_rproc *p);
};

extern const struct sls_objdef sls_objdefs[];
extern const unsigned int sls_nr_objdefs;

/* args.c: validation of what the system calls are given. */
int sls_check_open_flags(unsigned int flags);
int sls_check_attr(const struct sls_attr *attr);
int sls_check_name(const char *name);
int sls_check_persist_args(const struct sls_persist_args *args);
int sls_check_restore_args(const struct sls_restore_args *args);
int sls_copy_args(void *dst, size_t ksize, size_t ver0,
		  const void __user *src, size_t usize);

/* partition.c */
extern const struct file_operations sls_partition_fops;
struct file *sls_partition_fget(int partfd);
struct file *sls_partition_file(struct sls_partition *part);
int sls_partition_open(const struct path *dir, const char *name,
		       const struct sls_attr *attr, unsigned int flags);
void sls_partition_kobj_release(struct kobject *kobj);
void sls_partition_get(struct sls_partition *part);
void sls_partition_put(struct sls_partition *part);
void sls_partition_set_error(struct sls_partition *part, const char *fmt, ...)
	__printf(2, 3);
void sls_partition_set_period(struct sls_partition *part, u64 period_ms);

/* sysfs.c */
extern struct kobject *sls_partitions_kobj;
extern const struct kobj_type sls_partition_ktype;
extern unsigned int sls_quiesce_timeout_ms;
extern atomic64_t sls_total_checkpoints;

/* member.c */
int sls_attach_pid(struct sls_partition *part, struct pid *pid,
		   unsigned int flags);
int sls_attach_task(struct sls_partition *part, struct task_struct *task,
		    unsigned int flags);
struct sls_partition *sls_current_partition(void);
struct pid **sls_members_snapshot(struct sls_partition *part,
				  unsigned int *nr);
void sls_members_put(struct pid **procs, unsigned int nr);
ssize_t sls_members_show(struct sls_partition *part, char *buf);

/* quiesce.c */
struct sls_quiesce *sls_quiesce(struct pid **procs, unsigned int nr);
void sls_release(struct sls_quiesce *q);
struct sls_park *sls_park_of(struct sls_quiesce *q, struct task_struct *t);

/* checkpoint.c */
long sls_checkpoint(struct sls_partition *part, const struct sls_request *req);
long sls_wait_durable(struct sls_partition *part, u64 epoch);
void sls_tick_fn(struct work_struct *work);
enum hrtimer_restart sls_timer_fn(struct hrtimer *timer);
int sls_emit(struct sls_ckpt *ck, u16 type, const void *payload, u32 len);
int sls_emit2(struct sls_ckpt *ck, u16 type, const void *head, u32 head_len,
	      const void *tail, u32 tail_len);
int sls_refuse(struct sls_ckpt *ck, int err, const char *fmt, ...)
	__printf(3, 4);

/* image.c */
struct sls_image *sls_image_load(struct sls_partition *part, u64 epoch,
				 char *why);
void sls_image_free(struct sls_image *img);
int sls_image_parse(struct sls_image *img);
struct sls_rproc *sls_image_proc(struct sls_image *img, pid_t pid);

/* restore.c */
long sls_restore(struct sls_partition *part, const struct sls_restore_args *args);
int sls_restore_fail(struct sls_restore *rs, int err, const char *fmt, ...)
	__printf(3, 4);
const struct slsfs_rec *sls_rec_find(const struct sls_rproc *p,
				     const struct slsfs_rec *from, u16 type);
/* Each record of type @t of process @p. */
#define sls_for_each_rec(p, rec, t)					\
	for (rec = sls_rec_find(p, (p)->recs, t); rec;			\
	     rec = sls_rec_find(p, rec + 1, t))

/* task.c, mm.c, files.c: the kinds of objects. */
int sls_thread_capture(struct task_struct *t, struct sls_thread_state *ts);
void sls_thread_state_free(struct sls_thread_state *ts);
int sls_task_capture(struct sls_ckpt *ck, struct task_struct *leader);
int sls_fs_capture(struct sls_ckpt *ck, struct task_struct *leader);
int sls_mm_capture(struct sls_ckpt *ck, struct task_struct *leader);
int sls_mm_capture_region(struct sls_ckpt *ck);
int sls_mm_objs_clear_gone(struct sls_ckpt *ck);
void sls_mm_objs_prune(struct sls_partition *part, u64 epoch);
void sls_mm_objs_free(struct sls_partition *part);
bool sls_mm_region_ready(struct sls_partition *part, u64 whole);
int sls_mm_objs_restored(struct sls_restore *rs);
int sls_files_capture(struct sls_ckpt *ck, struct task_struct *leader);
int sls_emit_path(struct sls_ckpt *ck, u32 kind, const struct path *path);
char *sls_path_name(const struct path *path, char *buf, u32 *len);
const char *sls_path_why(long err);
void sls_file_stamp(struct inode *inode, u64 *size, s64 *mtime_ns);
void sls_file_set_nonblock(struct file *file, u32 flags);
int sls_task_restore(struct sls_rproc *p);
int sls_thread_restore(struct sls_rthread *t);
int sls_thread_set_regs(struct sls_rthread *t);
void sls_thread_resume(struct sls_rthread *t);
int sls_creds_check(struct sls_image *img, char *why);
int sls_fs_restore(struct sls_rproc *p);
int sls_files_open(struct sls_restore *rs);
void sls_files_close(struct sls_restore *rs);
int sls_files_restore(struct sls_rproc *p);
void sls_mm_close(struct sls_restore *rs);
int sls_mm_restore(struct sls_rproc *p);

/* lazy.c: SLS_RESTORE_LAZY. */
bool sls_vma_lazy_kind(const struct sls_img_vma *v);
int sls_vma_lazy(struct sls_rproc *p, struct sls_lazy **lzp, u64 obj,
		 const struct sls_img_vma *v, u64 *index, unsigned int room);
void sls_lazy_src_put(struct sls_lazy *lz);

/* tmpfile.c */
bool sls_is_tmpfile(struct file *file);
char *sls_tmpfile_dir(struct file *file, char *buf, u32 *len);
int sls_tmpfile_capture(struct sls_ckpt *ck, struct file *file,
			struct sls_img_file *img);
struct file *sls_tmpfile_open(struct sls_restore *rs, const struct sls_img_file *f,
			      const struct slsfs_rec *next);

/* clock.c */
int sls_clocks_capture(struct sls_ckpt *ck);
int sls_clocks_prepare(struct sls_restore *rs);
void sls_clocks_enter(struct sls_rproc *p);
void sls_clocks_freeze(struct sls_restore *rs, struct task_struct *task);
void sls_clocks_close(struct sls_restore *rs);

/* pipe.c, unix.c, epoll.c, tcp.c: kinds of open files (see sls_filedefs[] in files.c). */
bool sls_is_pipe(struct file *file);
bool sls_is_fifo(struct file *file);
int sls_pipe_capture(struct sls_ckpt *ck, struct file *file,
		     struct sls_img_file *img);
bool sls_is_unix(struct file *file);
int sls_unix_capture(struct sls_ckpt *ck, struct file *file,
		     struct sls_img_file *img);
struct file *sls_unix_open(struct sls_restore *rs, const struct sls_img_file *f,
			   const struct slsfs_rec *next);
int sls_unix_finish(struct sls_restore *rs);
void sls_unix_close(struct sls_restore *rs);
struct socket;
int sls_listen(struct socket *sock, u32 backlog);
bool sls_is_epoll(struct file *file);
int sls_epoll_capture(struct sls_ckpt *ck, struct file *file,
		      struct sls_img_file *img);
struct file *sls_epoll_open(struct sls_restore *rs, const struct sls_img_file *f,
			    const struct slsfs_rec *next);
int sls_epoll_restore(struct sls_rproc *p);
bool sls_is_tcp(struct file *file);
int sls_tcp_capture(struct sls_ckpt *ck, struct file *file,
		    struct sls_img_file *img);
struct file *sls_tcp_open(struct sls_restore *rs, const struct sls_img_file *f,
			  const struct slsfs_rec *next);
struct file *sls_pipe_open(struct sls_restore *rs,
			   const struct sls_img_file *f,
			   const struct slsfs_rec *next);

#endif /* _KERNEL_SLS_SLS_H */
