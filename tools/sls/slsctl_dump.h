/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slsctl dump: the decoder of an epoch's record stream, and the JSON
 * string writer slsctl ls shares with it.
 */
#ifndef _TOOLS_SLS_SLSCTL_DUMP_H
#define _TOOLS_SLS_SLSCTL_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* dump_stream()'s @epoch when any will do: the first record's is taken. */
#define DUMP_ANY_EPOCH		(~0ULL)

/* Where a record stream stops being one, and why. */
struct dump_error {
	size_t offset;		/* of the record at fault, in bytes */
	char why[160];
};

int dump_stream(FILE *f, unsigned char *buf, size_t len,
		unsigned long long epoch, bool json, struct dump_error *err);
void json_string(FILE *f, const void *s, size_t len);

#endif /* _TOOLS_SLS_SLSCTL_DUMP_H */
