// SPDX-License-Identifier: GPL-2.0
/*
 * Single level store: UNIX stream sockets.
 *
 * A socket is recorded with its address, its state, the inode number of
 * its peer (so that restore can pair the two ends of a socketpair or of an
 * accepted connection) and the data queued for it to read, copied out of
 * its receive queue and left there.  What restore could not rebuild is
 * refused: other families and types, descriptors or out-of-band data in
 * flight, connections not yet accepted, and at restore an accepted
 * connection whose listener is not in the epoch.
 */
#include <linux/file.h>
#include <linux/mount.h>
#include <linux/namei.h>
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

/*
 * Restore.  A connected socket is rebuilt with its peer the first time
 * either end is opened: as a socketpair, or for an accepted connection
 * (the accepted end has the listener's address) by connecting to the
 * restored listener and accepting, so that both ends have their names
 * again.  The data each end had queued is sent again by the other, and
 * shutdowns come last, once all is sent.  A socket connected to one no
 * descriptor of the epoch holds was connected outside the partition: that
 * is refused.
 */
struct sls_rsock {
	struct file *file;
	u32 shutdown;
	bool claimed;			/* a file record of the epoch is it */
};

static int sls_rsock_add(struct sls_restore *rs, u64 ino, struct file *file,
			 bool claimed)
{
	struct sls_rsock *s = kzalloc(sizeof(*s), GFP_KERNEL);
	int err;

	if (!s) {
		fput(file);
		return -ENOMEM;
	}
	s->file = file;
	s->claimed = claimed;
	err = xa_insert(&rs->socks, ino, s, GFP_KERNEL);
	if (err) {
		fput(file);
		kfree(s);
	}
	return err == -EBUSY ? -EUCLEAN : err;
}

static struct file *sls_unix_new(struct socket **sockp)
{
	struct socket *sock;
	struct file *file;
	int err;

	err = sock_create(AF_UNIX, SOCK_STREAM, 0, &sock);
	if (err)
		return ERR_PTR(err);
	file = sock_alloc_file(sock, 0, NULL);	/* releases sock if it fails */
	if (!IS_ERR(file))
		*sockp = sock;
	return file;
}

/* A stale socket file of a path the restored socket binds again. */
static int sls_unix_unlink(const char *name)
{
	struct path parent;
	struct dentry *d = kern_path_locked(name, &parent);
	int err;

	if (IS_ERR(d))
		return PTR_ERR(d);
	err = d_really_is_positive(d) && S_ISSOCK(d_inode(d)->i_mode) ?
	      mnt_want_write(parent.mnt) : -EADDRINUSE;
	if (!err) {
		err = vfs_unlink(mnt_idmap(parent.mnt), d_inode(parent.dentry),
				 d, NULL);
		mnt_drop_write(parent.mnt);
	}
	inode_unlock(d_inode(parent.dentry));
	dput(d);
	path_put(&parent);
	return err;
}

/* @su's address as a sockaddr_un: its length, or -EUCLEAN. */
static int sls_unix_sockaddr(const struct sls_img_unix *su,
			     struct sockaddr_un *sun)
{
	if (su->addr_len > sizeof(sun->sun_path))
		return -EUCLEAN;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, su + 1, su->addr_len);
	return offsetof(struct sockaddr_un, sun_path) + su->addr_len;
}

static int sls_unix_bind(struct socket *sock, const struct sls_img_unix *su)
{
	struct sockaddr_un sun;
	int len = sls_unix_sockaddr(su, &sun);
	int err;

	if (len < 0)
		return len;
	err = kernel_bind(sock, (struct sockaddr *)&sun, len);
	if (err == -EADDRINUSE && sun.sun_path[0]) {
		sun.sun_path[sizeof(sun.sun_path) - 1] = '\0';
		err = sls_unix_unlink(sun.sun_path) ?:
		      kernel_bind(sock, (struct sockaddr *)&sun, len);
	}
	return err;
}

/* Both ends of a socketpair, the other one left for its own record. */
static int sls_unix_socketpair(struct sls_restore *rs,
			       const struct sls_img_unix *su)
{
	struct socket *a, *b;
	struct file *fa, *fb;
	int err;

	fa = sls_unix_new(&a);
	if (IS_ERR(fa))
		return PTR_ERR(fa);
	fb = sls_unix_new(&b);
	if (IS_ERR(fb)) {
		fput(fa);
		return PTR_ERR(fb);
	}
	err = a->ops->socketpair(a, b);
	if (err) {
		fput(fa);
		fput(fb);
		return err;
	}
	err = sls_rsock_add(rs, su->ino, fa, true);
	if (err) {
		fput(fb);
		return err;
	}
	return sls_rsock_add(rs, su->peer_ino, fb, false);
}

/**
 * sls_listen - listen() on a rebuilt socket, UNIX or TCP
 * @sock:	the socket
 * @backlog:	the backlog its image gives
 *
 * Capped at somaxconn as listen(2) caps it: an image cannot exceed it.
 *
 * Return: what kernel_listen() returns.
 */
int sls_listen(struct socket *sock, u32 backlog)
{
	u32 max = READ_ONCE(sock_net(sock->sk)->core.sysctl_somaxconn);

	return kernel_listen(sock, min(backlog, max));
}

/* A socket that is not connected: bound, listening, or neither. */
static int sls_unix_single(struct sls_restore *rs, const struct sls_img_unix *su,
			   bool claimed)
{
	struct socket *sock;
	struct file *file;
	int err = 0;

	file = sls_unix_new(&sock);
	if (IS_ERR(file))
		return PTR_ERR(file);
	if (su->addr_len)
		err = sls_unix_bind(sock, su);
	if (!err && su->state == SLS_UNIX_LISTENING)
		err = sls_listen(sock, su->backlog);
	if (err) {
		fput(file);
		return err;
	}
	return sls_rsock_add(rs, su->ino, file, claimed);
}

/* @rec as a UNIX socket record whose address and data it holds, or NULL. */
static const struct sls_img_unix *sls_unix_of(const struct slsfs_rec *rec)
{
	const struct sls_img_unix *su = rec->data;

	if (rec->type != SLS_REC_UNIX || rec->len < sizeof(*su) ||
	    rec->len - sizeof(*su) < (u64)su->addr_len + su->data_len)
		return NULL;
	return su;
}

/* Whether @l is a listener with the address of @su. */
static bool sls_unix_listens_at(const struct sls_img_unix *l,
				const struct sls_img_unix *su)
{
	return l->state == SLS_UNIX_LISTENING && su->addr_len &&
	       l->addr_len == su->addr_len && !memcmp(l + 1, su + 1, su->addr_len);
}

/*
 * The socket of the epoch that is @su's peer (@listener false) or the
 * listener at its address (true), or NULL.
 */
static const struct sls_img_unix *sls_unix_find(const struct sls_image *img,
						const struct sls_img_unix *su,
						bool listener)
{
	const struct sls_img_unix *o;
	unsigned int i;

	for (i = 0; i < img->nr_recs; i++) {
		o = sls_unix_of(&img->recs[i]);
		if (o && (listener ? sls_unix_listens_at(o, su) :
			  o->ino == su->peer_ino))
			return o;
	}
	return NULL;
}

/* The restored listener @l, rebuilt now if its own record comes later. */
static struct socket *sls_unix_listener(struct sls_restore *rs,
					const struct sls_img_unix *l)
{
	struct sls_rsock *s = xa_load(&rs->socks, l->ino);
	int err;

	if (!s) {
		err = sls_unix_single(rs, l, false);
		if (err)
			return ERR_PTR(err);
		s = xa_load(&rs->socks, l->ino);
	}
	return sock_from_file(s->file);
}

/*
 * Whether accepted socket @a is the other end of @c: the listener is
 * live, and a connection from outside may have come first.
 */
static int sls_unix_accepted_ours(struct socket *a, struct socket *c)
{
	struct sock *peer = unix_peer_get(a->sk);
	bool ours = peer == c->sk;

	if (peer)
		sock_put(peer);
	return ours ? 0 : -EBUSY;
}

/*
 * An accepted connection, @acc its accepted end and @client the other:
 * the client connects to the listener @l again, which accepts.  The end
 * whose record is being opened is claimed.
 */
static int sls_unix_accepted(struct sls_restore *rs, const struct sls_img_unix *acc,
			     const struct sls_img_unix *client,
			     const struct sls_img_unix *l, bool claim_acc)
{
	struct socket *listener, *c, *a;
	struct sockaddr_un sun;
	struct file *fc, *fa;
	int len, err;

	len = sls_unix_sockaddr(l, &sun);
	if (len < 0)
		return len;
	listener = sls_unix_listener(rs, l);
	if (IS_ERR(listener))
		return PTR_ERR(listener);
	fc = sls_unix_new(&c);
	if (IS_ERR(fc))
		return PTR_ERR(fc);
	err = client->addr_len ? sls_unix_bind(c, client) : 0;
	if (!err)	/* not to wait: the listener accepts nothing else */
		err = kernel_connect(c, (struct sockaddr *)&sun, len, O_NONBLOCK);
	if (!err)
		err = kernel_accept(listener, &a, O_NONBLOCK);
	if (err) {
		fput(fc);
		return err;
	}
	fa = sock_alloc_file(a, 0, NULL);	/* releases a if it fails */
	err = PTR_ERR_OR_ZERO(fa) ?: sls_unix_accepted_ours(a, c);
	if (err) {
		if (!IS_ERR(fa))
			fput(fa);
		fput(fc);
		return err;
	}
	err = sls_rsock_add(rs, acc->ino, fa, claim_acc);
	if (err) {
		fput(fc);
		return err;
	}
	return sls_rsock_add(rs, client->ino, fc, !claim_acc);
}

/*
 * Both ends of a connection, the other one left for its own record.  An
 * end with an address and no listener for it cannot be rebuilt.
 */
static int sls_unix_pair(struct sls_restore *rs, const struct sls_img_unix *su)
{
	const struct sls_img_unix *peer = sls_unix_find(rs->img, su, false);
	const struct sls_img_unix *l;

	if (!peer)	/* refused by sls_unix_finish(), the peer unclaimed */
		return sls_unix_socketpair(rs, su);
	l = sls_unix_find(rs->img, su, true);
	if (l)
		return sls_unix_accepted(rs, su, peer, l, true);
	l = sls_unix_find(rs->img, peer, true);
	if (l)
		return sls_unix_accepted(rs, peer, su, l, false);
	if (su->addr_len || peer->addr_len)
		return -EOPNOTSUPP;
	return sls_unix_socketpair(rs, su);
}

/* What the socket had to read, sent again by its peer. */
static int sls_unix_fill(struct sls_restore *rs, const struct sls_img_unix *su)
{
	struct kvec vec = {
		.iov_base = (void *)su + sizeof(*su) + su->addr_len,
		.iov_len = su->data_len,
	};
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct sls_rsock *peer;
	int ret;

	if (!su->data_len)
		return 0;
	peer = xa_load(&rs->socks, su->peer_ino);
	if (!peer)
		return -EUCLEAN;
	ret = kernel_sendmsg(sock_from_file(peer->file), &msg, &vec, 1,
			     su->data_len);
	if (ret < 0)
		return ret;
	return ret == su->data_len ? 0 : -ENOSPC;
}

static const struct sls_img_unix *sls_unix_rec(const struct sls_img_file *f,
					       const struct slsfs_rec *next)
{
	const struct sls_img_unix *su;

	su = next ? sls_unix_of(next) : NULL;
	return su && su->ino == f->obj_id ? su : NULL;
}

static int sls_unix_build(struct sls_restore *rs, const struct sls_img_unix *su)
{
	struct sls_rsock *s = xa_load(&rs->socks, su->ino);
	int err;

	if (s) {	/* the peer of one built already */
		if (s->claimed)
			return -EUCLEAN;
		s->claimed = true;
	} else {
		err = su->state == SLS_UNIX_CONNECTED ? sls_unix_pair(rs, su) :
							sls_unix_single(rs, su, true);
		if (err)
			return err;
		s = xa_load(&rs->socks, su->ino);
	}
	s->shutdown = su->shutdown;
	return sls_unix_fill(rs, su);
}

/**
 * sls_unix_open - a UNIX stream socket of the epoch
 * @rs:		the restore
 * @f:		its file record
 * @next:	its SLS_REC_UNIX
 *
 * Return: the socket's file, or an error reported with sls_restore_fail().
 */
struct file *sls_unix_open(struct sls_restore *rs, const struct sls_img_file *f,
			   const struct slsfs_rec *next)
{
	const struct sls_img_unix *su = sls_unix_rec(f, next);
	struct file *file;
	int err;

	if (!su)
		return ERR_PTR(sls_restore_fail(rs, -EUCLEAN, "socket %llu: no record",
						f->obj_id));
	err = sls_unix_build(rs, su);
	if (err)
		return ERR_PTR(sls_restore_fail(rs, err, "UNIX socket %llu: %s: error %d",
						su->ino,
						err == -EOPNOTSUPP ?
						"an accepted connection whose listener is not in the epoch" :
						"rebuilding it", err));
	file = get_file(((struct sls_rsock *)xa_load(&rs->socks, su->ino))->file);
	sls_file_set_nonblock(file, f->flags);
	return file;
}

/**
 * sls_unix_finish - the shutdowns, once every socket has its data
 * @rs:		the restore
 *
 * Return: 0, or -EOPNOTSUPP for a socket connected outside the partition.
 */
int sls_unix_finish(struct sls_restore *rs)
{
	struct sls_rsock *s;
	unsigned long ino;

	xa_for_each(&rs->socks, ino, s) {
		if (!s->claimed)
			return sls_restore_fail(rs, -EOPNOTSUPP,
						"UNIX socket %lu: its peer is outside the partition",
						ino);
		if (s->shutdown & SHUTDOWN_MASK)
			kernel_sock_shutdown(sock_from_file(s->file),
					     (s->shutdown & SHUTDOWN_MASK) - 1);
	}
	return 0;
}

void sls_unix_close(struct sls_restore *rs)
{
	struct sls_rsock *s;
	unsigned long ino;

	xa_for_each(&rs->socks, ino, s) {
		fput(s->file);
		kfree(s);
	}
	xa_destroy(&rs->socks);
}
