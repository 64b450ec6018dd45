// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: the kinds of objects a process is made of.
 *
 * A checkpoint captures each process kind by kind in this order.  The
 * address space comes last: shadowing its memory spends the soft-dirty
 * bits, so every refusal that can happen should happen before it.
 */
#include "sls.h"

const struct sls_objdef sls_objdefs[] = {
	{ .name = "task",	.capture = sls_task_capture },
	{ .name = "fs",		.capture = sls_fs_capture },
	{ .name = "files",	.capture = sls_files_capture },
	{ .name = "mm",		.capture = sls_mm_capture },
};

const unsigned int sls_nr_objdefs = ARRAY_SIZE(sls_objdefs);
