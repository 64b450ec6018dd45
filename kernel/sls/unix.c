// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: UNIX stream sockets.
 *
 * A socket is recorded with its address, its state, the inode number of
 * its peer (so that restore can pair the two ends of a socketpair or of an
 * accepted connection) and the data queued for it to read, copied out of
 * its receive queue and left there.  What restore could not rebuild is
 * refused: other families and types, descriptors or out-of-band data in
 * flight, connections not yet accepted.
 */
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/af_unix.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "sls.h"

bool sls_is_unix(struct file *file)
{
	struct socket *sock = sock_from_file(file);

	return sock && sock->sk && sock->sk->sk_family == AF_UNIX &&
	       sock->sk->sk_type == SOCK_STREAM;
}

static u32 sls_unix_state(struct sock *sk)
{
	switch (READ_ONCE(sk->sk_state)) {
	case TCP_LISTEN:
		return SLS_UNIX_LISTENING;
	case TCP_ESTABLISHED:
		return SLS_UNIX_CONNECTED;
	}
	return SLS_UNIX_UNCONNECTED;
}

/* The unread bytes of the receive queue, or an error naming what is not. */
static int sls_unix_queue(struct sls_ckpt *ck, struct sock *sk, char **data,
			  u32 *len)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct sk_buff *skb;
	u32 size = 0, off = 0;
	int err = 0;

	spin_lock(&q->lock);
	skb_queue_walk(q, skb)
		size += skb->len - UNIXCB(skb).consumed;
	spin_unlock(&q->lock);
	*data = kvmalloc(max(size, 1U), GFP_KERNEL);
	if (!*data)
		return -ENOMEM;

	spin_lock(&q->lock);
	skb_queue_walk(q, skb) {
		u32 n = skb->len - UNIXCB(skb).consumed;

		if (UNIXCB(skb).fp) {
			err = -EOPNOTSUPP;
			break;
		}
		if (off + n > size)	/* grew meanwhile: a sender outside */
			n = size - off;
		err = skb_copy_bits(skb, UNIXCB(skb).consumed, *data + off, n);
		if (err)
			break;
		off += n;
	}
	spin_unlock(&q->lock);
	*len = off;
	if (err == -EOPNOTSUPP)
		sls_refuse(ck, err, "pid %d fd %u: UNIX socket: descriptors in flight",
			   ck->cur_pid, ck->cur_fd);
	return err;
}

int sls_unix_capture(struct sls_ckpt *ck, struct file *file,
		     struct sls_img_file *img)
{
	struct sock *sk = sock_from_file(file)->sk;
	struct unix_sock *u = unix_sk(sk);
	struct sls_img_unix su = { .ino = img->obj_id };
	struct unix_address *addr;
	struct sock *peer;
	char *rec, *data = NULL;
	int err;

	su.state = sls_unix_state(sk);
	su.shutdown = READ_ONCE(sk->sk_shutdown);
	su.backlog = READ_ONCE(sk->sk_max_ack_backlog);
	if (su.state == SLS_UNIX_LISTENING && skb_queue_len(&sk->sk_receive_queue))
		return sls_refuse(ck, -EOPNOTSUPP,
				  "pid %d fd %u: UNIX socket: connections not yet accepted",
				  ck->cur_pid, ck->cur_fd);
#if IS_ENABLED(CONFIG_AF_UNIX_OOB)
	if (READ_ONCE(u->oob_skb))
		return sls_refuse(ck, -EOPNOTSUPP,
				  "pid %d fd %u: UNIX socket: out-of-band data",
				  ck->cur_pid, ck->cur_fd);
#endif
	peer = unix_peer_get(sk);
	if (peer) {
		su.peer_ino = sock_i_ino(peer);
		sock_put(peer);
	}
	if (su.state != SLS_UNIX_LISTENING) {
		err = sls_unix_queue(ck, sk, &data, &su.data_len);
		if (err)
			goto out;
	}

	/* The address is stable once bound: smp_load_acquire() as unix_getname(). */
	addr = smp_load_acquire(&u->addr);
	if (addr)
		su.addr_len = addr->len - offsetof(struct sockaddr_un, sun_path);
	rec = kvmalloc(sizeof(su) + su.addr_len + su.data_len, GFP_KERNEL);
	err = -ENOMEM;
	if (rec) {
		memcpy(rec, &su, sizeof(su));
		if (su.addr_len)
			memcpy(rec + sizeof(su), addr->name->sun_path, su.addr_len);
		if (su.data_len)
			memcpy(rec + sizeof(su) + su.addr_len, data, su.data_len);
		err = sls_emit(ck, SLS_REC_UNIX, rec,
			       sizeof(su) + su.addr_len + su.data_len);
		kvfree(rec);
	}
out:
	kvfree(data);
	return err;
}
