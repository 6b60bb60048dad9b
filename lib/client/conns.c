// SPDX-License-Identifier: GPL-2.0
/* One connection per storage node, with a short "down" memory (client.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leofs/client.h"

#define CONN_BUCKETS 64

struct leofs_conn_ref {
	struct leofs_rpc *rpc;
	u32 node_id;
	int users; /* under the cache lock; the cache's own use counts */
	bool retired; /* no longer the node's current connection */
};

struct node_entry {
	struct node_entry *next;
	u32 node_id;
	struct leofs_conn_ref *cur;
	u64 down_until_ms;
	pthread_mutex_t connect_lock; /* one connect at a time per node */
};

struct leofs_conns {
	struct leofs_rpc_opts opts;
	u32 down_ms;
	pthread_mutex_t lock;
	struct node_entry *nodes[CONN_BUCKETS];
};

bool leofs_err_is_transport(int err)
{
	switch (err) {
	case -ECONNREFUSED:
	case -ECONNRESET:
	case -ENOTCONN:
	case -ETIMEDOUT:
	case -EHOSTDOWN:
	case -EHOSTUNREACH:
	case -ENETUNREACH:
	case -EPIPE:
	case -ECONNABORTED:
		return true;
	default:
		return false;
	}
}

int leofs_conns_new(const struct leofs_rpc_opts *opts, u32 down_ms,
		    struct leofs_conns **out)
{
	struct leofs_conns *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->opts = *opts;
	c->down_ms = down_ms;
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return 0;
}

static void ref_release(struct leofs_conn_ref *ref)
{
	leofs_rpc_close(ref->rpc);
	free(ref);
}

void leofs_conns_free(struct leofs_conns *c)
{
	struct node_entry *e;
	int i;

	if (!c)
		return;
	for (i = 0; i < CONN_BUCKETS; i++) {
		while ((e = c->nodes[i])) {
			c->nodes[i] = e->next;
			if (e->cur)
				ref_release(e->cur);
			pthread_mutex_destroy(&e->connect_lock);
			free(e);
		}
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Lock held. */
static struct node_entry *entry(struct leofs_conns *c, u32 node_id)
{
	struct node_entry **pp = &c->nodes[node_id % CONN_BUCKETS], *e;

	for (e = *pp; e; e = e->next)
		if (e->node_id == node_id)
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->node_id = node_id;
	pthread_mutex_init(&e->connect_lock, NULL);
	e->next = *pp;
	*pp = e;
	return e;
}

/* Takes a use of the entry's live connection, if any; lock held. */
static struct leofs_conn_ref *take_current(struct node_entry *e)
{
	if (e->cur && !leofs_rpc_alive(e->cur->rpc)) {
		e->cur->retired = true;
		if (--e->cur->users == 0)
			ref_release(e->cur);
		e->cur = NULL;
	}
	if (!e->cur)
		return NULL;
	e->cur->users++;
	return e->cur;
}

int leofs_conns_get(struct leofs_conns *c, u32 node_id,
		    const struct leofs_addr *addr, struct leofs_conn_ref **out)
{
	struct leofs_conn_ref *ref;
	struct node_entry *e;
	char host[INET6_ADDRSTRLEN];
	struct leofs_rpc *rpc;
	int r;

	pthread_mutex_lock(&c->lock);
	e = entry(c, node_id);
	if (!e) {
		pthread_mutex_unlock(&c->lock);
		return -ENOMEM;
	}
	ref = take_current(e);
	if (!ref && e->down_until_ms > leofs_now_ms()) {
		pthread_mutex_unlock(&c->lock);
		return -EHOSTDOWN;
	}
	pthread_mutex_unlock(&c->lock);
	if (ref) {
		*out = ref;
		return 0;
	}
	if (!addr || (addr->family != 4 && addr->family != 6))
		return -EHOSTUNREACH;
	if (!inet_ntop(addr->family == 4 ? AF_INET : AF_INET6, addr->addr,
		       host, sizeof(host)))
		return -EINVAL;

	pthread_mutex_lock(&e->connect_lock);
	pthread_mutex_lock(&c->lock);
	ref = take_current(e);
	if (!ref && e->down_until_ms > leofs_now_ms()) {
		pthread_mutex_unlock(&c->lock);
		pthread_mutex_unlock(&e->connect_lock);
		return -EHOSTDOWN;
	}
	pthread_mutex_unlock(&c->lock);
	if (ref) {
		pthread_mutex_unlock(&e->connect_lock);
		*out = ref;
		return 0;
	}
	r = leofs_rpc_connect(host, addr->port, &c->opts, NULL, &rpc);
	pthread_mutex_lock(&c->lock);
	if (r) {
		e->down_until_ms = leofs_now_ms() + c->down_ms;
	} else {
		ref = calloc(1, sizeof(*ref));
		if (!ref) {
			leofs_rpc_close(rpc);
			r = -ENOMEM;
		} else {
			ref->rpc = rpc;
			ref->node_id = node_id;
			ref->users = 2; /* the entry's and the caller's */
			e->cur = ref;
			e->down_until_ms = 0;
			*out = ref;
		}
	}
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&e->connect_lock);
	if (r && !leofs_err_is_transport(r) && r != -ENOMEM)
		r = -ECONNREFUSED;
	return r;
}

struct leofs_rpc *leofs_conn_ref_rpc(struct leofs_conn_ref *ref)
{
	return ref->rpc;
}

void leofs_conns_put(struct leofs_conns *c, struct leofs_conn_ref *ref)
{
	bool release;

	pthread_mutex_lock(&c->lock);
	release = --ref->users == 0;
	pthread_mutex_unlock(&c->lock);
	if (release)
		ref_release(ref);
}

void leofs_conns_failed(struct leofs_conns *c, struct leofs_conn_ref *ref,
			int err)
{
	struct node_entry *e;
	bool release = false;

	(void)err;
	pthread_mutex_lock(&c->lock);
	e = entry(c, ref->node_id);
	if (e && e->cur == ref) {
		ref->retired = true;
		e->cur = NULL;
		e->down_until_ms = leofs_now_ms() + c->down_ms;
		release = --ref->users == 0;
	}
	pthread_mutex_unlock(&c->lock);
	if (release)
		ref_release(ref);
}

bool leofs_conns_is_down(struct leofs_conns *c, u32 node_id)
{
	struct node_entry *e;
	bool down = false;

	pthread_mutex_lock(&c->lock);
	for (e = c->nodes[node_id % CONN_BUCKETS]; e; e = e->next)
		if (e->node_id == node_id)
			down = !e->cur && e->down_until_ms > leofs_now_ms();
	pthread_mutex_unlock(&c->lock);
	return down;
}
