// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: TCP sockets, IPv4 and IPv6.
 *
 * A socket is recorded with its addresses, what restore makes of it and
 * the options that come back with it.  An unconnected socket comes back
 * unconnected, bound again to its address if it was bound; a listening
 * one listens again on its address.  A connection's peer is outside the
 * partition, and a crash ends the connection for the peer, so a connected
 * socket comes back as a connection reset: its first read fails with
 * ECONNRESET, later reads see end of file, writes fail with EPIPE.  The
 * server that owns it sees what a peer's reset shows and drops its
 * client; the peer reconnects.  Connections a listener has not accepted
 * are not recorded: their clients see them reset too.
 *
 * What restore could not give back is refused: TCP Fast Open and deferred
 * accept on a listener, a socket bound to a device, transparent or
 * freebind sockets, upper layer protocols (kTLS).
 */
#include <linux/file.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <net/inet_connection_sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "sls.h"

bool sls_is_tcp(struct file *file)
{
	struct socket *sock = sock_from_file(file);

	return sock && sock->sk && sock->sk->sk_type == SOCK_STREAM &&
	       sock->sk->sk_protocol == IPPROTO_TCP &&
	       (sock->sk->sk_family == AF_INET ||
		(IS_ENABLED(CONFIG_IPV6) && sock->sk->sk_family == AF_INET6));
}

/* A closed socket that was connected once is a connection reset too. */
static u32 sls_tcp_state(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_LISTEN:
		return SLS_TCP_LISTENING;
	case TCP_CLOSE:
		if (!sk->sk_shutdown && !sk->sk_err && !inet_sk(sk)->inet_dport)
			return SLS_TCP_CLOSED;
		fallthrough;
	default:
		return SLS_TCP_RESET;
	}
}

/* What restore could not give back, or NULL. */
static const char *sls_tcp_unsupported(struct sock *sk, u32 state)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (state == SLS_TCP_RESET)
		return NULL;	/* nothing of it comes back but the reset */
	if (sk->sk_bound_dev_if)
		return "bound to a device";
	if (inet_test_bit(TRANSPARENT, sk) || inet_test_bit(FREEBIND, sk))
		return "transparent or freebind";
	if (icsk->icsk_ulp_ops)
		return "upper layer protocol";
	if (state == SLS_TCP_LISTENING &&
	    (icsk->icsk_accept_queue.fastopenq.max_qlen ||
	     icsk->icsk_accept_queue.rskq_defer_accept))
		return "TCP Fast Open or deferred accept";
	return NULL;
}

static u32 sls_tcp_opts(struct sock *sk)
{
	u32 opts = 0;

	if (sk->sk_reuse)
		opts |= SLS_TCP_REUSEADDR;
	if (sk->sk_reuseport)
		opts |= SLS_TCP_REUSEPORT;
	if (sk->sk_family == AF_INET6 && sk->sk_ipv6only)
		opts |= SLS_TCP_V6ONLY;
	if (tcp_sk(sk)->nonagle & TCP_NAGLE_OFF)
		opts |= SLS_TCP_NODELAY;
	if (sock_flag(sk, SOCK_KEEPOPEN))
		opts |= SLS_TCP_KEEPALIVE;
	return opts;
}

static void sls_tcp_addrs(struct sock *sk, struct sls_img_tcp *t)
{
	struct inet_sock *inet = inet_sk(sk);

	t->local_port = inet->inet_num;
	t->peer_port = ntohs(inet->inet_dport);
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		memcpy(t->local_addr, &sk->sk_v6_rcv_saddr, 16);
		memcpy(t->peer_addr, &sk->sk_v6_daddr, 16);
		return;
	}
#endif
	memcpy(t->local_addr, &inet->inet_rcv_saddr, 4);
	memcpy(t->peer_addr, &inet->inet_daddr, 4);
}

int sls_tcp_capture(struct sls_ckpt *ck, struct file *file,
		    struct sls_img_file *img)
{
	struct sock *sk = sock_from_file(file)->sk;
	struct sls_img_tcp t = { .ino = img->obj_id, .family = sk->sk_family };
	const char *why;

	lock_sock(sk);
	t.tcp_state = sk->sk_state;
	t.state = sls_tcp_state(sk);
	why = sls_tcp_unsupported(sk, t.state);
	t.opts = sls_tcp_opts(sk);
	t.backlog = READ_ONCE(sk->sk_max_ack_backlog);
	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK)
		t.rcvbuf = sk->sk_rcvbuf / 2;	/* SO_RCVBUF doubles it */
	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		t.sndbuf = sk->sk_sndbuf / 2;
	sls_tcp_addrs(sk, &t);
	release_sock(sk);
	if (why)
		return sls_refuse(ck, -EOPNOTSUPP, "pid %d fd %u: TCP socket: %s",
				  ck->cur_pid, ck->cur_fd, why);
	return sls_emit(ck, SLS_REC_TCP, &t, sizeof(t));
}

/*
 * Restore.  The socket is made in the caller's network namespace with
 * the caller's credentials: binding a port below 1024 needs what
 * binding it would need anyway.
 */
static int sls_tcp_set_opts(struct socket *sock, const struct sls_img_tcp *t)
{
	struct sock *sk = sock->sk;
	int err = 0, v;

	if (t->opts & SLS_TCP_REUSEADDR)
		sock_set_reuseaddr(sk);
	if (t->opts & SLS_TCP_REUSEPORT)
		sock_set_reuseport(sk);
	if (t->opts & SLS_TCP_KEEPALIVE)
		sock_set_keepalive(sk);
	if (t->opts & SLS_TCP_NODELAY)
		tcp_sock_set_nodelay(sk);
#if IS_ENABLED(CONFIG_IPV6)
	if (t->opts & SLS_TCP_V6ONLY)
		err = ip6_sock_set_v6only(sk);
#endif
	if (!err && t->rcvbuf) {
		v = t->rcvbuf;
		err = sock_setsockopt(sock, SOL_SOCKET, SO_RCVBUF,
				      KERNEL_SOCKPTR(&v), sizeof(v));
	}
	if (!err && t->sndbuf) {
		v = t->sndbuf;
		err = sock_setsockopt(sock, SOL_SOCKET, SO_SNDBUF,
				      KERNEL_SOCKPTR(&v), sizeof(v));
	}
	return err;
}

static int sls_tcp_bind(struct socket *sock, const struct sls_img_tcp *t)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	if (t->family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(t->local_port);
		memcpy(&sin6->sin6_addr, t->local_addr, 16);
		return kernel_bind(sock, (struct sockaddr *)sin6, sizeof(*sin6));
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(t->local_port);
	memcpy(&sin->sin_addr, t->local_addr, 4);
	return kernel_bind(sock, (struct sockaddr *)sin, sizeof(*sin));
}

/* What a reset from the peer leaves: tcp_reset() and tcp_done(). */
static void sls_tcp_reset(struct socket *sock)
{
	struct sock *sk = sock->sk;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_err, ECONNRESET);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	release_sock(sk);
}

static int sls_tcp_build(struct socket *sock, const struct sls_img_tcp *t)
{
	int err;

	if (t->state == SLS_TCP_RESET) {
		sls_tcp_reset(sock);
		return 0;
	}
	err = sls_tcp_set_opts(sock, t);
	if (!err && t->local_port)
		err = sls_tcp_bind(sock, t);
	if (!err && t->state == SLS_TCP_LISTENING)
		err = sls_listen(sock, t->backlog);
	return err;
}

static const struct sls_img_tcp *sls_tcp_rec(const struct sls_img_file *f,
					     const struct slsfs_rec *next)
{
	const struct sls_img_tcp *t;

	if (!next || next->type != SLS_REC_TCP)
		return NULL;
	t = next->data;
	if (t->ino != f->obj_id || t->state > SLS_TCP_RESET ||
	    (t->family != AF_INET && t->family != AF_INET6))
		return NULL;
	return t;
}

/**
 * sls_tcp_open - a TCP socket of the epoch
 * @rs:		the restore
 * @f:		its file record
 * @next:	its SLS_REC_TCP
 *
 * Return: the socket's file, or an error reported with sls_restore_fail().
 */
struct file *sls_tcp_open(struct sls_restore *rs, const struct sls_img_file *f,
			  const struct slsfs_rec *next)
{
	const struct sls_img_tcp *t = sls_tcp_rec(f, next);
	struct socket *sock;
	struct file *file;
	int err;

	if (!t)
		return ERR_PTR(sls_restore_fail(rs, -EUCLEAN, "TCP socket %llu: no record",
						f->obj_id));
	err = sock_create(t->family, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err)
		return ERR_PTR(sls_restore_fail(rs, err, "TCP socket %llu: error %d",
						t->ino, err));
	err = sls_tcp_build(sock, t);
	if (err) {
		sock_release(sock);
		return ERR_PTR(sls_restore_fail(rs, err,
						"TCP socket %llu: port %u: error %d",
						t->ino, t->local_port, err));
	}
	file = sock_alloc_file(sock, 0, NULL);	/* releases sock if it fails */
	if (IS_ERR(file))
		return ERR_PTR(sls_restore_fail(rs, PTR_ERR(file),
						"TCP socket %llu: error %ld",
						t->ino, PTR_ERR(file)));
	sls_file_set_nonblock(file, f->flags);
	return file;
}
