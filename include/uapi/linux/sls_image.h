/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Single level store: the image of an epoch, as its records in slsfs.
 *
 * An epoch's record stream (the file /sls/<partition>/<epoch> of a
 * mounted store) is a sequence of slsfs records (see fs/slsfs/FORMAT.md),
 * each with one of the types below and the payload described here.  Its
 * order is: one SLS_REC_EPOCH, then per process one SLS_REC_PROC followed
 * by what belongs to it (threads, paths, address space, descriptors), up
 * to the next SLS_REC_PROC.  Memory pages are not records: they are the
 * slsfs pages of the object sls_img_mm.obj names, page index
 * <address / 4096>.
 *
 * All fields are little-endian and naturally aligned; a reader skips
 * record types it does not know.
 */
#ifndef _UAPI_LINUX_SLS_IMAGE_H
#define _UAPI_LINUX_SLS_IMAGE_H

#include <linux/types.h>

enum sls_rec_type {
	SLS_REC_EPOCH		= 1,	/* struct sls_img_epoch */
	SLS_REC_PROC		= 2,	/* struct sls_img_proc */
	SLS_REC_THREAD		= 3,	/* struct sls_img_thread */
	SLS_REC_XSTATE		= 4,	/* the last thread's XSAVE area, raw */
	SLS_REC_PATH		= 5,	/* struct sls_img_path + the path */
	SLS_REC_MM		= 6,	/* struct sls_img_mm */
	SLS_REC_VMA		= 7,	/* struct sls_img_vma + file path if any */
	SLS_REC_FILE		= 8,	/* struct sls_img_file + path if any */
	SLS_REC_FD		= 9,	/* struct sls_img_fd */
	SLS_REC_PIPE		= 10,	/* struct sls_img_pipe + its data */
	SLS_REC_UNIX		= 11,	/* struct sls_img_unix + address + data */
	SLS_REC_EVENTFD		= 12,	/* struct sls_img_eventfd */
	SLS_REC_ZOMBIE		= 13,	/* struct sls_img_zombie */
	SLS_REC_GROUPS		= 14,	/* struct sls_img_groups + the gids */
	SLS_REC_EPOLL		= 15,	/* struct sls_img_epoll + its items */
	SLS_REC_TCP		= 16,	/* struct sls_img_tcp */
	SLS_REC_CLOCKS		= 17,	/* struct sls_img_clocks */
	SLS_REC_FILE_DATA	= 18,	/* struct sls_img_file_data + the bytes */
};

/* sls_img_epoch.flags */
#define SLS_IMG_FULL		(1U << 0)	/* every page, not only dirty ones */
#define SLS_IMG_REGION		(1U << 1)	/* only [region_start, region_end) */

struct sls_img_epoch {
	__u64 epoch;
	__u64 time_ns;			/* CLOCK_REALTIME of the checkpoint */
	__u64 region_start;
	__u64 region_end;
	__u32 flags;
	__u32 nr_procs;
};

/*
 * The clocks that start from zero each boot, as the members read them at
 * the checkpoint.  One per whole epoch, after its SLS_REC_EPOCH; an epoch
 * without one restores the clocks as they are.
 */
struct sls_img_clocks {
	__s64 monotonic_ns;		/* CLOCK_MONOTONIC */
	__s64 boottime_ns;		/* CLOCK_BOOTTIME */
};

struct sls_img_sigaction {
	__u64 handler;
	__u64 flags;
	__u64 restorer;
	__u64 mask;
};

#define SLS_IMG_NSIG		64
#define SLS_IMG_NRLIMIT		16


/* Ids are those of the store's PID namespace: the initial one. */
struct sls_img_proc {
	__u32 pid;
	__u32 ppid;
	__u32 pgid;
	__u32 sid;
	__u32 nr_threads;
	__u32 flags;
	__u32 personality;
	__u32 umask;
	__u32 exit_signal;
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u32 securebits;
	__u64 cap_inheritable;
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 cap_bset;
	__u64 cap_ambient;
	__u64 shared_pending;		/* signals pending for the process */
	__u64 rlim[SLS_IMG_NRLIMIT][2];	/* soft, hard */
	struct sls_img_sigaction sigaction[SLS_IMG_NSIG];
	char comm[16];
};

/*
 * The supplementary groups of a process, recorded after its
 * SLS_REC_PROC: len bytes of __u32 gids follow, in ascending order.
 */
struct sls_img_groups {
	__u32 len;
	__u32 pad;
};

/*
 * A child of a process that has exited and not been reaped yet: its
 * parent's wait() still has to find it.  Recorded after its parent's
 * SLS_REC_PROC.
 */
struct sls_img_zombie {
	__u32 pid;
	__u32 pgid;
	__u32 sid;
	__u32 exit_code;		/* as wait() reports it */
	__u32 exit_signal;
	__u32 pad;
};

/* user_regs_struct of x86_64, in its order. */
#define SLS_IMG_NREGS		27

/* The thread's GDT TLS entries (set_thread_area()), raw descriptors. */
#define SLS_IMG_NTLS		3

struct sls_img_thread {
	__u32 tid;
	__u32 sas_ss_flags;
	__u64 regs[SLS_IMG_NREGS];
	__u64 blocked;
	__u64 pending;			/* signals pending for the thread */
	__u64 sas_ss_sp;
	__u64 sas_ss_size;
	__u64 robust_list;
	__u64 robust_list_len;
	__u64 rseq;
	__u64 rseq_len;
	__u64 rseq_sig;
	__u64 clear_child_tid;
	__u64 xstate_size;		/* of the SLS_REC_XSTATE that follows */
	__u64 tls[SLS_IMG_NTLS];
	char comm[16];
};

/* sls_img_path.kind */
#define SLS_IMG_PATH_CWD	1
#define SLS_IMG_PATH_ROOT	2
#define SLS_IMG_PATH_EXE	3

struct sls_img_path {
	__u32 kind;
	__u32 len;			/* of the path that follows, no NUL */
};

#define SLS_IMG_NAUXV		64

struct sls_img_mm {
	/*
	 * The slsfs object of its pages: (the epoch that first took this
	 * address space) << 22 | tgid.  A new address space (exec, a new
	 * process) is a new object, which that epoch writes whole.
	 */
	__u64 obj;
	__u64 start_code, end_code;
	__u64 start_data, end_data;
	__u64 start_brk, brk;
	__u64 start_stack;
	__u64 arg_start, arg_end;
	__u64 env_start, env_end;
	__u64 nr_vmas;
	__u64 nr_auxv;			/* used entries of auxv */
	__u64 auxv[SLS_IMG_NAUXV];
};

/* sls_img_vma.kind */
enum sls_img_vma_kind {
	SLS_VMA_ANON		= 1,	/* private anonymous */
	SLS_VMA_ANON_SHARED	= 2,	/* MAP_SHARED|MAP_ANONYMOUS */
	SLS_VMA_FILE		= 3,	/* private file mapping */
	SLS_VMA_FILE_SHARED	= 4,	/* shared file mapping */
	SLS_VMA_STACK		= 5,
	SLS_VMA_HEAP		= 6,
	SLS_VMA_VDSO		= 7,
	SLS_VMA_VVAR		= 8,
};

struct sls_img_vma {
	__u64 start;
	__u64 end;
	__u64 pgoff;			/* in pages */
	__u64 vm_flags;
	__u32 kind;
	__u32 path_len;			/* of the file path that follows */
	__u64 shm_id;			/* SLS_VMA_ANON_SHARED: its shmem inode */
};

/* sls_img_file.kind */
enum sls_img_file_kind {
	SLS_FILE_REG		= 1,
	SLS_FILE_DIR		= 2,
	SLS_FILE_CHR		= 3,	/* null, zero, random, urandom, a tty */
	SLS_FILE_PIPE		= 4,	/* an end of an anonymous pipe */
	SLS_FILE_FIFO		= 5,	/* an end of a named pipe */
	SLS_FILE_PARTITION	= 6,	/* from sls_open(): path is the name */
	SLS_FILE_UNIX		= 7,	/* a UNIX stream socket */
	SLS_FILE_EVENTFD	= 8,
	SLS_FILE_EPOLL		= 9,
	SLS_FILE_TCP		= 10,	/* a TCP socket, IPv4 or IPv6 */
	SLS_FILE_TMPFILE	= 11,	/* a deleted regular file: path is its directory */
};

/*
 * An open file; fds refer to it by id, so sharing is kept.  An end of a
 * pipe names its pipe by obj_id, the pipe's inode number; the SLS_REC_PIPE
 * of that id, recorded before the first end, holds what is buffered.  A
 * socket's SLS_REC_UNIX and an eventfd's SLS_REC_EVENTFD follow its
 * SLS_REC_FILE, whose obj_id is then the socket's inode number.
 */
struct sls_img_file {
	__u64 id;
	__u64 obj_id;
	__u64 pos;
	__u32 kind;
	__u32 flags;			/* f_flags */
	__u32 mode;
	__u32 rdev;			/* of a character device */
	__u32 path_len;			/* of the path that follows */
	__u32 pad;
	__u64 size;			/* of a regular file, at the checkpoint */
	__s64 mtime_ns;			/* its modification time then */
};

/*
 * The contents of a deleted regular file (SLS_FILE_TMPFILE), whole.
 * Follows its SLS_REC_FILE.
 */
struct sls_img_file_data {
	__u32 len;			/* of the bytes that follow */
	__u32 pad;
};

struct sls_img_pipe {
	__u64 id;
	__u32 size;			/* capacity, bytes */
	__u32 len;			/* of the buffered data that follows */
};

/* sls_img_unix.state */
#define SLS_UNIX_UNCONNECTED	0
#define SLS_UNIX_LISTENING	1
#define SLS_UNIX_CONNECTED	2

/*
 * A UNIX stream socket: the address it is bound to (a sockaddr_un's
 * sun_path, abstract if it starts with a NUL; none if addr_len is 0), the
 * socket it is connected to by inode number, and what it has received and
 * not yet read (data_len bytes, after the address).
 */
struct sls_img_unix {
	__u64 ino;
	__u64 peer_ino;
	__u32 state;
	__u32 shutdown;			/* SHUT_RD 1, SHUT_WR 2 */
	__u32 backlog;			/* of a listening socket */
	__u32 addr_len;
	__u32 data_len;
	__u32 pad;
};

struct sls_img_eventfd {
	__u64 count;
	__u32 flags;			/* EFD_SEMAPHORE, EFD_NONBLOCK, ... */
	__u32 pad;
};

/*
 * An epoll instance: what it watches, each item by the descriptor it was
 * added with in the process that recorded the epoll (epfd is the epoll's
 * own descriptor there).  Restore adds them again in that process, once
 * its descriptor table is back.  Follows the SLS_REC_FILE of the epoll.
 */
struct sls_img_epoll {
	__u64 file_id;
	__u32 epfd;
	__u32 nr;			/* struct sls_img_epoll_item that follow */
};

struct sls_img_epoll_item {
	__u64 data;
	__u32 tfd;
	__u32 events;			/* EPOLLIN, EPOLLET, EPOLLONESHOT, ... */
};

/* sls_img_tcp.state: what restore makes of the socket */
#define SLS_TCP_CLOSED		0	/* unconnected: bound if port is set */
#define SLS_TCP_LISTENING	1
#define SLS_TCP_RESET		2	/* was connected: comes back reset */

/* sls_img_tcp.opts: the socket options that come back */
#define SLS_TCP_REUSEADDR	(1U << 0)
#define SLS_TCP_REUSEPORT	(1U << 1)
#define SLS_TCP_V6ONLY		(1U << 2)
#define SLS_TCP_NODELAY		(1U << 3)
#define SLS_TCP_KEEPALIVE	(1U << 4)

/*
 * A TCP socket, IPv4 or IPv6.  Addresses are in network byte order, an
 * IPv4 one in the first 4 bytes; ports in host order.  A connection's
 * peer is outside the partition and a crash ends the connection for it,
 * so a connected socket comes back reset: its first read fails with
 * ECONNRESET, later ones see end of file.  Connections a listener has
 * not accepted are not recorded: their clients see them reset too.
 * Follows the SLS_REC_FILE of the socket.
 */
struct sls_img_tcp {
	__u64 ino;
	__u32 family;			/* AF_INET or AF_INET6 */
	__u32 state;			/* SLS_TCP_* */
	__u32 tcp_state;		/* the kernel's, at the checkpoint */
	__u32 opts;			/* SLS_TCP_* options */
	__u32 backlog;			/* of a listening socket */
	__u32 rcvbuf;			/* SO_RCVBUF if set, else 0 */
	__u32 sndbuf;			/* SO_SNDBUF if set, else 0 */
	__u16 local_port;
	__u16 peer_port;
	__u8 local_addr[16];
	__u8 peer_addr[16];
};

/* sls_img_fd.flags */
#define SLS_IMG_FD_CLOEXEC	(1U << 0)

struct sls_img_fd {
	__u64 file_id;
	__u32 fd;
	__u32 flags;
};

#endif /* _UAPI_LINUX_SLS_IMAGE_H */
