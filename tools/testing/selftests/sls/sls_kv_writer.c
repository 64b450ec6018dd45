// SPDX-License-Identifier: GPL-2.0
/*
 * A Redis client for the multi-boot tests and the demo: on one
 * connection, SET kN vN for N = FROM, FROM + 1, ... until the server goes
 * away, and after each acknowledgement print "acked N epoch E", E being
 * what the partition's epoch file holds then.  Every epoch from E + 2 on
 * holds kN (E + 1 may have been captured before the SET and named only
 * after it).
 *
 * usage: sls_kv_writer PORT FROM EPOCH_FILE
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_to(int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* The epoch file's number, read anew each time. */
static long long epoch_now(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "re");

	if (!f || !fgets(buf, sizeof(buf), f)) {
		perror(path);
		exit(1);
	}
	fclose(f);
	return atoll(buf);
}

/* One SET and its "+OK\r\n". */
static int set_key(int fd, long long n)
{
	char cmd[128], reply[5];
	int len, got = 0, r;

	len = snprintf(cmd, sizeof(cmd),
		       "*3\r\n$3\r\nSET\r\n$%d\r\nk%lld\r\n$%d\r\nv%lld\r\n",
		       snprintf(NULL, 0, "k%lld", n), n,
		       snprintf(NULL, 0, "v%lld", n), n);
	if (write(fd, cmd, len) != len)
		return -1;
	while (got < 5) {
		r = read(fd, reply + got, 5 - got);
		if (r <= 0)
			return -1;
		got += r;
	}
	return memcmp(reply, "+OK\r\n", 5) ? -1 : 0;
}

int main(int argc, char **argv)
{
	long long n;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s PORT FROM EPOCH_FILE\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = connect_to(atoi(argv[1]));
	for (n = atoll(argv[2]);; n++) {
		if (set_key(fd, n)) {
			fprintf(stderr, "SET k%lld: no +OK\n", n);
			return 1;
		}
		printf("acked %lld epoch %lld\n", n, epoch_now(argv[3]));
	}
}
