# SPDX-License-Identifier: GPL-2.0
#
# Single level store: transparent persistence of running applications.
#

menuconfig SLS
	bool "Single level store: persist whole running applications"
	depends on X86_64 && MMU && BLOCK
	depends on CHECKPOINT_RESTORE && MEM_SOFT_DIRTY
	depends on UNIX=y && INET && EPOLL
	# restore gives VMAs back their madvise() flags
	select ADVISE_SYSCALLS
	# restored processes' CLOCK_MONOTONIC goes on from the checkpoint
	imply TIME_NS
	help
	  Checkpoint whole process trees (memory, threads, file
	  descriptors, pipes, sockets) into a log on a block device up to
	  100 times a second while they run, and restore them after a crash
	  or a reboot.  Adds the sls_open, sls_attach, sls_persist and
	  sls_restore system calls.

	  If unsure, say N.

if SLS

config SLS_KUNIT_TEST
	bool "KUnit tests for the single level store" if !KUNIT_ALL_TESTS
	depends on KUNIT=y
	default KUNIT_ALL_TESTS
	help
	  Unit tests of the single level store's pure logic (argument
	  validation, record codec, on-disk format) and of COW shadowing
	  (a page pinned for DMA is copied, the others shared), run at
	  boot by KUnit.

	  If unsure, say N.

config SLSFS
	bool "slsfs: the log-structured checkpoint store"
	default y
	select BUFFER_HEAD
	select LIBCRC32C
	help
	  The store that checkpoints are written to: a log of epochs on a
	  block device, with a read-only namespace of partitions and epochs
	  when mounted (mount -t slsfs DEV DIR).  Format a device with
	  mkfs.slsfs from tools/sls.

config SLSFS_DEBUGFS
	bool "slsfs: a debugfs driver of the store, for tests"
	depends on SLSFS && DEBUG_FS
	help
	  /sys/kernel/debug/slsfs/<dev>/ctl creates partitions and commits
	  and verifies epochs of test pages, so that user-space tests can
	  drive the store before the checkpoint code does.  Only for test
	  kernels.

	  If unsure, say N.

config SLSFS_KUNIT_TEST
	bool "KUnit tests for slsfs" if !KUNIT_ALL_TESTS
	depends on SLSFS && KUNIT=y
	default KUNIT_ALL_TESTS
	help
	  Unit tests of slsfs's on-disk format checks, log replay (a torn
	  tail at every byte boundary) and epoch index, run at boot.

	  If unsure, say N.

endif # SLS
