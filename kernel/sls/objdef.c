// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: the kinds of objects a process is made of.
 *
 * A checkpoint captures each process kind by kind in this order.  The
 * address space comes last: shadowing its memory spends the soft-dirty
 * bits, so every refusal that can happen should happen before it.
 *
 * Restore goes in the same order: a process takes its session and group
 * and its handlers and limits first, its address space last.
 */
#include "sls.h"

const struct sls_objdef sls_objdefs[] = {
	{ .name = "task",	.capture = sls_task_capture,
				.restore = sls_task_restore },
	{ .name = "fs",		.capture = sls_fs_capture,
				.restore = sls_fs_restore },
	{ .name = "files",	.capture = sls_files_capture,
				.restore = sls_files_restore },
	{ .name = "mm",		.capture = sls_mm_capture,
				.restore = sls_mm_restore },
};

const unsigned int sls_nr_objdefs = ARRAY_SIZE(sls_objdefs);
