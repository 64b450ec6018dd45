// SPDX-License-Identifier: GPL-2.0
/*
 * The application of the multi-boot restore test
 * (scripts/tests/multiboot/counter-restored-after-power-cuts.sh): it
 * counts in a page of its own, about once a millisecond, and prints every
 * 16th value (every EVERY-th with an argument: scripts/sls-demo runs it
 * too).  It says first where the counter is, so that the test can read
 * what an epoch holds of it from the store and compare it with where the
 * restored counter goes on from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE_SIZE	4096

int main(int argc, char **argv)
{
	unsigned long *counter = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long every = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;

	if (counter == MAP_FAILED || !every)
		return 1;
	dprintf(STDOUT_FILENO, "sls_counter pid %d page %lu\n", getpid(),
		(unsigned long)counter / PAGE_SIZE);
	for (;;) {
		counter[0]++;
		if (counter[0] % every == 0)
			dprintf(STDOUT_FILENO, "count %lu\n", counter[0]);
		usleep(1000);
	}
}
