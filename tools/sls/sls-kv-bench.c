// SPDX-License-Identifier: GPL-2.0
/*
 * sls-kv-bench: a key-value store made durable by a write-ahead log, and
 * the same store made durable by persisting its table with
 * SLS_PERSIST_REGION, on one device, in one run.
 *
 *   sls-kv-bench [--keys N] [--puts N] [--batch LIST] [--log LIST]
 *                [--repeat N] DEV
 *
 * The store is a table of --keys slots of 128 bytes (a key and its value)
 * in private anonymous memory, in small pages (MADV_NOHUGEPAGE).  A put writes a new value into the slot of
 * a random key; after each --batch puts the batch is made durable:
 *
 * 1. DEV is formatted ext4 and mounted.
 *    a. An append-only log: each --log size (KiB) appended to a file and
 *       followed by fdatasync(), --repeat times.
 *    b. The store with its write-ahead log: each put is also appended to
 *       a log buffer as a record (key, sequence, value), and the batch's
 *       records are written to the log file and fdatasync()ed.
 * 2. DEV is formatted slsfs and mounted; this process joins a partition.
 *    a. SLS_PERSIST_REGION|SYNC of each --log size of freshly written
 *       memory, --repeat times.
 *    b. The store without a log: after each batch its table is persisted
 *       with SLS_PERSIST_REGION|SYNC, which writes the pages the batch
 *       dirtied.
 *
 * It prints the mean latencies and the puts per second of each way, with
 * their ratios, and the same as CSV lines "csv:kv-log:..." and
 * "csv:kv:...".  It destroys what is on DEV.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "sls_bench.h"
#include "sls_syscalls.h"

#define SLOT		128
#define VALUE_LEN	(SLOT - 2 * sizeof(uint64_t))

struct slot {
	uint64_t key;
	uint64_t seq;
	char value[VALUE_LEN];
};

_Static_assert(sizeof(struct slot) == SLOT, "a slot is 128 bytes");

struct kv {
	struct slot *table;
	unsigned long keys;
	uint64_t seq;
	unsigned int rand;
	struct slot *log;	/* the batch's records, with a WAL */
	int log_fd;		/* the WAL, or -1 */
};

struct bench {
	const char *dev;
	char mnt[32];
	unsigned long keys, puts;
	int repeat;
	int part;
};

static unsigned int next_rand(struct kv *kv)
{
	kv->rand = kv->rand * 1103515245 + 12345;
	return kv->rand >> 4;
}

/* A new value for a random key; with a WAL, its record too. */
static void put(struct kv *kv, unsigned int i)
{
	struct slot *s = &kv->table[next_rand(kv) % kv->keys];

	s->key = s - kv->table;
	s->seq = ++kv->seq;
	memset(s->value, (char)s->seq, sizeof(s->value));
	if (kv->log_fd >= 0)
		kv->log[i] = *s;
}

/* Make the batch of @n puts durable. */
static void commit(struct kv *kv, int n)
{
	struct sls_persist_args args = {
		.flags = SLS_PERSIST_REGION | SLS_PERSIST_SYNC,
		.addr = (unsigned long)kv->table,
		.len = kv->keys * SLOT,
	};
	size_t len = n * SLOT;

	if (kv->log_fd < 0) {
		if (sls_persist(SLS_SELF, &args, sizeof(args)) <= 0)
			die("sls_persist REGION");
		return;
	}
	if (write(kv->log_fd, kv->log, len) != (ssize_t)len ||
	    fdatasync(kv->log_fd))
		die("write-ahead log");
}

/* Puts per second of @b->puts puts in batches of @batch. */
static double run_store(const struct bench *b, unsigned long batch, int log_fd)
{
	struct kv kv = { .keys = b->keys, .rand = 1, .log_fd = log_fd };
	unsigned long done;
	double start;
	int n;

	kv.table = mmap(NULL, kv.keys * SLOT, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	kv.log = malloc(batch * SLOT);
	if (kv.table == MAP_FAILED || !kv.log)
		die("memory");
	/*
	 * Dirty bits are per huge page in a huge page: a put would make
	 * 2 MiB to write.  A store that persists small updates keeps its
	 * table in small pages.
	 */
	if (madvise(kv.table, kv.keys * SLOT, MADV_NOHUGEPAGE))
		die("madvise");
	memset(kv.table, 0, kv.keys * SLOT);
	/* Untimed: a first batch, so that the table is in the store. */
	put(&kv, 0);
	commit(&kv, 1);
	start = now();
	for (done = 0; done < b->puts; done += n) {
		for (n = 0; n < (int)batch && done + n < b->puts; n++)
			put(&kv, n);
		commit(&kv, n);
	}
	start = now() - start;
	munmap(kv.table, kv.keys * SLOT);
	free(kv.log);
	return b->puts / start;
}

/* Seconds of one append of @size bytes and fdatasync() to @fd. */
static double log_append(int fd, unsigned long size, int repeat)
{
	char *buf = malloc(size);
	double start;
	int i;

	if (!buf)
		die("memory");
	scribble(buf, size, size);
	start = now();
	for (i = 0; i < repeat; i++)
		if (write(fd, buf, size) != (ssize_t)size || fdatasync(fd))
			die("append-only log");
	start = (now() - start) / repeat;
	free(buf);
	return start;
}

/* Seconds of one SLS_PERSIST_REGION|SYNC of @size freshly written bytes. */
static double region_persist(unsigned long size, int repeat)
{
	struct sls_persist_args args = {
		.flags = SLS_PERSIST_REGION | SLS_PERSIST_SYNC, .len = size,
	};
	char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t = 0, start;
	int i;

	if (mem == MAP_FAILED)
		die("mmap");
	args.addr = (unsigned long)mem;
	for (i = 0; i < repeat; i++) {
		scribble(mem, size, i);
		start = now();
		if (sls_persist(SLS_SELF, &args, sizeof(args)) <= 0)
			die("sls_persist REGION");
		t += now() - start;
	}
	munmap(mem, size);
	return t / repeat;
}

/* Format DEV with @mkfs and mount it as @type at a new directory. */
static void mount_dev(struct bench *b, const char *const mkfs[], const char *type)
{
	run_or_die(mkfs);
	snprintf(b->mnt, sizeof(b->mnt), "/tmp/sls-kv.XXXXXX");
	if (!mkdtemp(b->mnt) || mount(b->dev, b->mnt, type, 0, NULL))
		die("mount");
}

static void unmount_dev(struct bench *b)
{
	if (umount(b->mnt) || rmdir(b->mnt))
		die("umount");
}

/* Part 1, on ext4: the log's latencies into @log_s, the WAL's puts/s. */
static void bench_ext4(struct bench *b, const struct sizes *sizes,
		       const struct sizes *batch, double *log_s, double *wal)
{
	const char *mkfs[5] = { "mkfs.ext4", "-q", "-F", b->dev, NULL };
	char path[64];
	int i, fd;

	mount_dev(b, mkfs, "ext4");
	snprintf(path, sizeof(path), "%s/log", b->mnt);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		die(path);
	log_append(fd, PAGE, 1);	/* untimed: the file exists on disk */
	for (i = 0; i < sizes->n; i++)
		log_s[i] = log_append(fd, sizes->v[i] * KIB, b->repeat);
	close(fd);
	for (i = 0; i < batch->n; i++) {
		snprintf(path, sizeof(path), "%s/wal%d", b->mnt, i);
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd < 0)
			die(path);
		wal[i] = run_store(b, batch->v[i], fd);
		close(fd);
	}
	unmount_dev(b);
}

static void attach_self(struct bench *b, unsigned int flags)
{
	int pidfd = sys_pidfd_open(getpid(), 0);

	if (pidfd < 0 || sls_attach(b->part, pidfd, flags))
		die("sls_attach");
	close(pidfd);
}

/* Part 2, in the store: the regions' latencies, the store's puts/s. */
static void bench_sls(struct bench *b, const struct sizes *sizes,
		      const struct sizes *batch, double *region_s, double *sls)
{
	const char *mkfs[4] = { "mkfs.slsfs", "-q", b->dev, NULL };
	char path[64];
	int i;

	mount_dev(b, mkfs, "slsfs");
	snprintf(path, sizeof(path), "%s/kv", b->mnt);
	b->part = sls_open(AT_FDCWD, path, NULL, 0, SLS_CREATE);
	if (b->part < 0)
		die("sls_open");
	attach_self(b, 0);
	region_persist(PAGE, 1);	/* untimed: the first epoch is whole */
	for (i = 0; i < sizes->n; i++)
		region_s[i] = region_persist(sizes->v[i] * KIB, b->repeat);
	for (i = 0; i < batch->n; i++)
		sls[i] = run_store(b, batch->v[i], -1);
	attach_self(b, SLS_DETACH);
	close(b->part);
	unmount_dev(b);
}

static void report(const struct sizes *sizes, const struct sizes *batch,
		   const double *log_s, const double *region_s,
		   const double *wal, const double *sls)
{
	int i;

	printf("\nSLS_PERSIST_REGION|SYNC against an append-only log + fdatasync on ext4\n");
	printf("%10s %12s %12s %8s\n", "size_kib", "region_us", "log_us", "ratio");
	csv_head("kv-log", "size_kib,region_us,log_us,ratio", NULL);
	for (i = 0; i < sizes->n; i++) {
		printf("%10lu %12.1f %12.1f %8.2f\n", sizes->v[i], region_s[i] * 1e6,
		       log_s[i] * 1e6, region_s[i] / log_s[i]);
		csv_row("kv-log", sizes->v[i], (const double[]){ region_s[i] * 1e6,
			log_s[i] * 1e6, region_s[i] / log_s[i] }, 3);
	}
	printf("\nKey-value store: puts/s, table persisted as a region against a write-ahead log\n");
	printf("%10s %12s %12s %8s\n", "batch", "region_puts", "wal_puts", "ratio");
	csv_head("kv", "batch,region_puts_s,wal_puts_s,ratio", NULL);
	for (i = 0; i < batch->n; i++) {
		printf("%10lu %12.0f %12.0f %8.2f\n", batch->v[i], sls[i], wal[i],
		       sls[i] / wal[i]);
		csv_row("kv", batch->v[i],
			(const double[]){ sls[i], wal[i], sls[i] / wal[i] }, 3);
	}
	fflush(stdout);
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s [--keys N] [--puts N] [--batch LIST] [--log LIST]\n"
		"       [--repeat N] DEV\n\n"
		"A key-value store durable by a write-ahead log on ext4 on DEV,\n"
		"against the same store persisting its table with SLS_PERSIST_REGION\n"
		"in a store on DEV, which it destroys:\n"
		"  --keys     slots of 128 bytes in the table (65536)\n"
		"  --puts     puts of random keys per batch size (2000)\n"
		"  --batch    puts made durable at once (1,16,256)\n"
		"  --log      sizes (KiB) of an append-only log write + fdatasync\n"
		"             against a region persist (4,16,64,256,1024)\n"
		"  --repeat   appends and region persists per size (50)\n", prog);
}

/* A positive number for option @name: 0, or -1. */
static int parse_count(const char *name, const char *arg, unsigned long *v)
{
	char *end;

	*v = strtoul(arg, &end, 10);
	if (*end || !*v || *v > 1UL << 30) {
		fprintf(stderr, "%s: bad --%s '%s'\n", prog, name, arg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "keys", required_argument, NULL, 'k' },
		{ "puts", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "log", required_argument, NULL, 'l' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench b = { .keys = 65536, .puts = 2000, .repeat = 50 };
	double log_s[MAX_SIZES], region_s[MAX_SIZES], wal[MAX_SIZES], sls[MAX_SIZES];
	struct sizes sizes, batch;
	unsigned long repeat;
	int c;

	prog = "sls-kv-bench";
	parse_sizes("1,16,256", &batch);
	parse_sizes("4,16,64,256,1024", &sizes);
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (parse_count("keys", optarg, &b.keys))
				return 2;
			break;
		case 'p':
			if (parse_count("puts", optarg, &b.puts))
				return 2;
			break;
		case 'n':
			if (parse_count("repeat", optarg, &repeat))
				return 2;
			b.repeat = repeat;
			break;
		case 'b':
		case 'l':
			if (parse_sizes(optarg, c == 'b' ? &batch : &sizes)) {
				fprintf(stderr, "%s: bad list '%s'\n", prog, optarg);
				return 2;
			}
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	b.dev = dev_operand(argc, argv, print_usage);
	if (!b.dev)
		return 2;
	bench_ext4(&b, &sizes, &batch, log_s, wal);
	bench_sls(&b, &sizes, &batch, region_s, sls);
	report(&sizes, &batch, log_s, region_s, wal, sls);
	return 0;
}
