/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Single level store: the user ABI.
 *
 * Four system calls persist whole process trees into an slsfs store and
 * bring them back:
 *
 *   int  sls_open(int dirfd, const char *path, const struct sls_attr *attr,
 *                 size_t size, unsigned int flags);
 *   int  sls_attach(int partfd, int pidfd, unsigned int flags);
 *   long sls_persist(int partfd, const struct sls_persist_args *args,
 *                    size_t size);
 *   int  sls_restore(int partfd, const struct sls_restore_args *args,
 *                    size_t size);
 *
 * The argument structs are extensible in the clone3()/openat2() way: the
 * caller passes the size it knows, a smaller struct is zero-extended, and a
 * larger one is accepted only if every byte the kernel does not know is
 * zero (else E2BIG).  Unknown flag bits are EINVAL.
 */
#ifndef _UAPI_LINUX_SLS_H
#define _UAPI_LINUX_SLS_H

#include <linux/types.h>

/* A partition name: the last path component given to sls_open(). */
#define SLS_NAME_MAX		63	/* bytes, without the NUL */

/* sls_open() flags */
#define SLS_CREATE		(1U << 0)	/* create the partition if missing */
#define SLS_EXCL		(1U << 1)	/* with SLS_CREATE: fail if it exists */

/* sls_attr.flags */
#define SLS_ATTR_FULL		(1ULL << 0)	/* every epoch is a full one */

/* Bounds of sls_attr fields. */
#define SLS_PERIOD_MAX_MS	3600000ULL	/* one hour */
#define SLS_KEEP_EPOCHS_MAX	65536ULL

/**
 * struct sls_attr - attributes of a new partition
 * @flags:	SLS_ATTR_* flags
 * @period_ms:	checkpoint period in milliseconds; 0 checkpoints only on
 *		demand (sls_persist())
 * @keep_epochs: number of durable epochs the store retains; 0 means the
 *		store's default
 *
 * Ignored when sls_open() opens an existing partition.
 */
struct sls_attr {
	__u64 flags;
	__u64 period_ms;
	__u64 keep_epochs;
};

#define SLS_ATTR_SIZE_VER0	24	/* sizeof first published struct */

/* sls_attach() flags */
#define SLS_ATTACH_TREE		(1U << 0)	/* the existing descendants too */
#define SLS_DETACH		(1U << 1)	/* remove instead of add */

/* sls_persist(): the caller's own partition, in place of a partition fd. */
#define SLS_SELF		(-10200)

/* sls_persist_args.flags */
#define SLS_PERSIST_SYNC	(1ULL << 0)	/* return once the epoch is durable */
#define SLS_PERSIST_FULL	(1ULL << 1)	/* write every page, not only dirty ones */
#define SLS_PERSIST_REGION	(1ULL << 2)	/* only [addr, addr + len) of the caller */
#define SLS_PERSIST_WAIT	(1ULL << 3)	/* no checkpoint: wait for @epoch durable */

/**
 * struct sls_persist_args - what sls_persist() checkpoints
 * @flags:	SLS_PERSIST_* flags
 * @addr:	with SLS_PERSIST_REGION, start of the range in the caller's
 *		address space; else 0
 * @len:	with SLS_PERSIST_REGION, length of the range in bytes (> 0);
 *		else 0
 * @epoch:	with SLS_PERSIST_WAIT, the epoch to wait for (> 0); else 0
 *
 * A NULL struct (size 0) takes an asynchronous incremental checkpoint of
 * the whole partition.
 */
struct sls_persist_args {
	__u64 flags;
	__u64 addr;
	__u64 len;
	__u64 epoch;
};

#define SLS_PERSIST_ARGS_SIZE_VER0	32

/* sls_restore_args.flags */
#define SLS_RESTORE_STOPPED	(1ULL << 0)	/* restored tasks start stopped */
#define SLS_RESTORE_LAZY	(1ULL << 1)	/* page in on first touch */
#define SLS_RESTORE_NEWPID	(1ULL << 2)	/* new PIDs if the old ones are taken */

/**
 * struct sls_restore_args - what sls_restore() rebuilds
 * @flags:	SLS_RESTORE_* flags
 * @epoch:	the epoch to restore; 0 means the latest durable one
 *
 * A NULL struct (size 0) restores the latest durable epoch eagerly.
 * sls_restore() returns a pidfd (O_CLOEXEC) of the restored root, a child
 * of the caller; restoring an epoch older than the latest discards the
 * later ones.  It fails, leaving nothing behind, with EBUSY while the
 * partition has live members, ENOENT without that epoch or for a missing
 * file, EEXIST for a PID that is taken, ESTALE for a regular file changed
 * since the epoch, EUCLEAN for a corrupt epoch, EPERM for credentials
 * other than the caller's without CAP_CHECKPOINT_RESTORE, and EOPNOTSUPP
 * for what cannot be restored yet; last_error says which.
 */
struct sls_restore_args {
	__u64 flags;
	__u64 epoch;
};

#define SLS_RESTORE_ARGS_SIZE_VER0	16

#endif /* _UAPI_LINUX_SLS_H */
