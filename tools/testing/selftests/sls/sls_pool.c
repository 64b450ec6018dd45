// SPDX-License-Identifier: GPL-2.0
/*
 * A pthread worker pool, the multi-threaded program that
 * scripts/tests/multiboot/programs-restored-after-power-cuts.sh restores
 * after power cuts.  For i = 1, 2, ... the main thread queues job i and
 * waits for it; whichever of the POOL_THREADS workers takes it adds i to
 * the total, and the main thread prints "pool i total", so that total is
 * always i (i + 1) / 2.  Between jobs the workers sleep in
 * pthread_cond_wait(), the main thread in nanosleep() and then in
 * pthread_cond_wait(): checkpoints catch the threads blocked in futexes.
 *
 * Usage: sls_pool [STEP_MS]	(20 unless given)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define POOL_THREADS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queued = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static unsigned long job;		/* queued, 0 when taken */
static unsigned long long total;
static unsigned long finished;		/* the last job added in */
static unsigned long by_thread[POOL_THREADS];

static void *worker(void *arg)
{
	unsigned long *mine = arg, j;

	pthread_mutex_lock(&lock);
	for (;;) {
		while (!job)
			pthread_cond_wait(&queued, &lock);
		j = job;
		job = 0;
		total += j;
		finished = j;
		(*mine)++;
		pthread_cond_signal(&done);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 20;
	struct timespec step = { ms / 1000, (ms % 1000) * 1000000L };
	pthread_t t[POOL_THREADS];
	unsigned long i;

	for (i = 0; i < POOL_THREADS; i++)
		if (pthread_create(&t[i], NULL, worker, &by_thread[i])) {
			perror("sls_pool: pthread_create");
			return 1;
		}
	for (i = 1;; i++) {
		pthread_mutex_lock(&lock);
		job = i;
		pthread_cond_signal(&queued);
		while (finished != i)
			pthread_cond_wait(&done, &lock);
		printf("pool %lu %llu\n", i, total);
		pthread_mutex_unlock(&lock);
		fflush(stdout);
		nanosleep(&step, NULL);
	}
}
