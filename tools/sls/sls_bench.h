/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmarks of tools/sls share: a clock, a way to give up, lists
 * of sizes from the command line, child commands and memory that does not
 * compress.  Each program defines prog, its name for messages.
 */
#ifndef _TOOLS_SLS_BENCH_H
#define _TOOLS_SLS_BENCH_H

#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KIB		1024UL
#define MIB		(1024UL * KIB)
#define PAGE		4096UL
#define MAX_SIZES	16

static const char *prog;

struct sizes {
	unsigned long v[MAX_SIZES];
	int n;
};

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

/* A comma-separated list of positive numbers: 0, or -1 if it is not one. */
static inline int parse_sizes(const char *arg, struct sizes *s)
{
	char *copy = strdup(arg), *tok, *save = NULL, *end;

	s->n = 0;
	for (tok = strtok_r(copy, ",", &save); tok && s->n < MAX_SIZES;
	     tok = strtok_r(NULL, ",", &save)) {
		s->v[s->n] = strtoul(tok, &end, 10);
		if (*end || !s->v[s->n]) {
			free(copy);
			return -1;
		}
		s->n++;
	}
	free(copy);
	return s->n ? 0 : -1;
}

/* Run @argv, its output to @out (or /dev/null); its exit status, or -1. */
static inline int run(const char *const argv[], const char *out)
{
	pid_t pid = fork();
	int status, fd;

	if (pid == 0) {
		fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * A line "csv:NAME:..." of the console log goes to NAME.csv of the report
 * (scripts/lib/bench_report.py): the header, then rows of a key and its
 * figures, a negative figure being n/a.
 */
static inline void csv_head(const char *name, const char *columns,
			    const char *more)
{
	printf("csv:%s:%s%s%s\n", name, columns, more ? "," : "", more ?: "");
}

static inline void csv_row(const char *name, unsigned long key,
			   const double *v, int n)
{
	int i;

	printf("csv:%s:%lu", name, key);
	for (i = 0; i < n; i++) {
		if (v[i] < 0)
			printf(",n/a");
		else
			printf(",%.3f", v[i]);
	}
	printf("\n");
}

/* The one operand, a device's path; NULL, after @usage, if it is not. */
static inline const char *dev_operand(int argc, char **argv,
				      void (*usage)(FILE *f))
{
	if (optind != argc - 1 || !strrchr(argv[optind], '/')) {
		usage(stderr);
		return NULL;
	}
	return argv[optind];
}

/* Run @argv, and give up unless it exits with 0. */
static inline void run_or_die(const char *const argv[])
{
	int status = run(argv, NULL);

	if (status) {
		fprintf(stderr, "%s: %s: exit status %d\n", prog, argv[0], status);
		exit(1);
	}
}

/* Fill @len bytes with bytes that do not compress or dedupe. */
static inline void scribble(char *mem, unsigned long len, unsigned int seed)
{
	unsigned long i;

	for (i = 0; i < len; i += sizeof(unsigned int)) {
		seed = seed * 1103515245 + 12345;
		*(unsigned int *)(mem + i) = seed;
	}
}

#endif /* _TOOLS_SLS_BENCH_H */
