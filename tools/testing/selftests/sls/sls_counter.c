// SPDX-License-Identifier: GPL-2.0
/*
 * The application of the multi-boot restore test
 * (scripts/tests/multiboot/counter-restored-after-power-cuts.sh): it
 * counts in a page of its own, about once a millisecond, and prints every
 * 16th value.  It says first where the counter is, so that the test can
 * read what an epoch holds of it from the store and compare it with where
 * the restored counter goes on from.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE_SIZE	4096

int main(void)
{
	unsigned long *counter = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (counter == MAP_FAILED)
		return 1;
	dprintf(STDOUT_FILENO, "sls_counter pid %d page %lu\n", getpid(),
		(unsigned long)counter / PAGE_SIZE);
	for (;;) {
		counter[0]++;
		if (counter[0] % 16 == 0)
			dprintf(STDOUT_FILENO, "count %lu\n", counter[0]);
		usleep(1000);
	}
}
