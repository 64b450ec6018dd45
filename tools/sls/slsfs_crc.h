/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checksum of slsfs's on-disk structures, for the user-space tools
 * and tests, and the sealing of a superblock with it: the standard CRC-32C (Castagnoli; initial value and final
 * xor all ones), the one fs/slsfs computes with crc32c().
 */
#ifndef _TOOLS_SLS_SLSFS_CRC_H
#define _TOOLS_SLS_SLSFS_CRC_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>

#include "slsfs_fs.h"

#define SLSFS_CRC32C_POLY	0x82f63b78	/* reflected Castagnoli */

static inline uint32_t slsfs_crc32c(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t crc = 0xffffffff;
	int i;

	while (len--) {
		crc ^= *p++;
		for (i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (SLSFS_CRC32C_POLY & -(crc & 1));
	}
	return ~crc;
}

/* Set a superblock's checksum, as fs/slsfs/format.c checks it. */
static inline void slsfs_super_seal(struct slsfs_super *sup)
{
	sup->crc = 0;
	sup->crc = htole32(slsfs_crc32c(sup, sizeof(*sup)));
}

#endif /* _TOOLS_SLS_SLSFS_CRC_H */
