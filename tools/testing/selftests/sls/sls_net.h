/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP helpers of the sls kselftests: a listener on the loopback address.
 */
#ifndef SLS_NET_H
#define SLS_NET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * A TCP listener on the loopback address of @family, with SO_REUSEADDR
 * and, if @v6only, IPV6_V6ONLY; its port in *@port.  -1 if it fails.
 */
static inline int tcp_listener(int family, int v6only, in_port_t *port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr *sa = family == AF_INET6 ? (void *)&sin6 : (void *)&sin;
	socklen_t len = family == AF_INET6 ? sizeof(sin6) : sizeof(sin);
	int one = 1, fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (v6only && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, sa, len) || listen(fd, 8) || getsockname(fd, sa, &len)) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET6 ? sin6.sin6_port : sin.sin_port);
	return fd;
}

#endif /* SLS_NET_H */
