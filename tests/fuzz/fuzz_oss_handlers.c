// SPDX-License-Identifier: GPL-2.0
/*
 * The leofs-oss request handlers on arbitrary bodies, with no network: the
 * first byte picks the storage opcode (low nibble) and whether to route the
 * request correctly (bit 7: the PG reference is set to the PG the request
 * names, so that primary requests get past the routing checks); the rest
 * is the request body. Runs against three real targets of node 1 in a
 * temporary directory (removed at exit). Nodes 2 and 3 are down in the
 * map, so nothing is ever sent anywhere. Nothing may crash, hang or leak,
 * and every reply must encode.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../daemons/oss/node.h"

#define NTARGETS 3
#define PG_NUM	 8

static const u8 cluster[16] = { 0x6c, 0x65, 0x6f, 0x66, 0x73, 0x2d, 0x66,
				0x75, 0x7a, 0x7a, 0x2d, 0x6f, 0x73, 0x73 };
static char dir[64];
static struct oss_node node;
static struct oss_local locals[NTARGETS];
static u16 opcode;

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void cleanup(void)
{
	unsigned int i;

	for (i = 0; i < node.nlocals; i++)
		oss_target_close(locals[i].t);
	node.nlocals = 0;
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static struct leofs_mapview *make_map(void)
{
	static struct leofs_map_node nodes[3];
	static struct leofs_map_target targets[NTARGETS + 2];
	static struct leofs_map_pool pool = { .id = 1,
					      .tier = LEOFS_TIER_SSD,
					      .pg_num = PG_NUM,
					      .name = "dicom" };
	struct leofs_map m = { .epoch = 1 };
	struct leofs_mapview *v;
	u32 i;

	memcpy(m.cluster_id, cluster, 16);
	for (i = 0; i < 3; i++) {
		nodes[i].id = i + 1;
		nodes[i].state = i ? 0 : LEOFS_STATE_UP;
		nodes[i].addr.family = 4;
		nodes[i].addr.addr[0] = 127;
		nodes[i].addr.addr[3] = 1;
		nodes[i].addr.port = 9;
	}
	for (i = 0; i < NTARGETS + 2; i++) {
		targets[i].id =
			i < NTARGETS ? 10 + i : 20 + 10 * (i - NTARGETS);
		targets[i].node_id = i < NTARGETS ? 1 : 2 + i - NTARGETS;
		targets[i].weight = 1u << 16;
		targets[i].tier = LEOFS_TIER_SSD;
		targets[i].state = LEOFS_STATE_UP;
	}
	m.nodes = nodes;
	m.node_count = 3;
	m.targets = targets;
	m.target_count = NTARGETS + 2;
	m.pools = &pool;
	m.pool_count = 1;
	if (leofs_mapview_new(&m, &v))
		abort();
	return v;
}

static void setup(void)
{
	struct oss_target_opts o = { .group_commit_us = 0 };
	struct leofs_rpc_opts ro = { .peer_kind = LEOFS_PEER_OSS,
				     .node_id = 1 };
	const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	char path[128], why[256];
	unsigned int i, k;

	snprintf(dir, sizeof(dir), "%s/leofs-fuzz-oss-XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	node.node_id = 1;
	memcpy(node.cluster_id, cluster, 16);
	memcpy(ro.cluster_id, cluster, 16);
	for (k = 0; k < OSS_PRIMARY_LOCKS; k++)
		pthread_mutex_init(&node.stripe_locks[k], NULL);
	pthread_mutex_init(&node.ec_lock, NULL);
	for (i = 0; i < NTARGETS; i++) {
		snprintf(path, sizeof(path), "%s/t%u", dir, i);
		locals[i].id = 10 + i;
		if (oss_target_format(path, cluster, locals[i].id,
				      LEOFS_TIER_SSD, 1) ||
		    oss_target_open(path, cluster, locals[i].id, &o,
				    &locals[i].t, why, sizeof(why))) {
			fprintf(stderr, "target %s: %s\n", path, why);
			abort();
		}
	}
	node.locals = locals;
	node.nlocals = NTARGETS;
	if (oss_mapsrc_static(make_map(), &node.maps) ||
	    leofs_conns_new(&ro, OSS_DOWN_MS, &node.conns))
		abort();
}

/* Every reply must encode as the opcode's reply (or a bare status). */
static void check_reply(struct oss_call *c, const void *msg, size_t size)
{
	static u8 out[LEOFS_BODY_MAX];
	int r;

	(void)c;
	if (size != leofs_msg_struct_size(opcode, true)) {
		/* a bare status: only errors come without the reply body */
		if (size != sizeof(struct leofs_status_reply) ||
		    !((const struct leofs_status_reply *)msg)->status)
			abort();
		return;
	}
	r = leofs_msg_encode(opcode, true, msg, size, out, sizeof(out));
	if (r < 0)
		abort();
}

/* Point a decoded request's PG reference at the PG it names. */
static void route(struct oss_call *c)
{
	struct leofs_pg_ref *ref = NULL;
	struct leofs_layout *l = NULL;
	u64 ino = 0;
	u32 slot = 0;

	switch (c->opcode) {
	case LEOFS_OP_WRITE_STRIPE:
		ref = &c->m.ws.pg, l = &c->m.ws.layout;
		ino = c->m.ws.ino, slot = c->m.ws.slot;
		break;
	case LEOFS_OP_PARTIAL_WRITE:
		ref = &c->m.pw.pg, l = &c->m.pw.layout;
		ino = c->m.pw.ino, slot = c->m.pw.slot;
		break;
	case LEOFS_OP_DEGRADED_READ:
		ref = &c->m.dr.pg, l = &c->m.dr.layout;
		ino = c->m.dr.ino, slot = c->m.dr.slot;
		break;
	case LEOFS_OP_TRUNCATE_OBJECTS:
		c->m.tr.layout.pool_id = 1;
		c->m.tr.map_epoch = 1;
		return;
	case LEOFS_OP_DELETE_OBJECTS:
		c->m.del.layout.pool_id = 1;
		c->m.del.map_epoch = 1;
		return;
	default:
		return;
	}
	l->pool_id = 1;
	ref->pool_id = 1;
	ref->map_epoch = 1;
	if (l->stripe_count)
		ref->pg = leofs_stripe_pg(ino, slot, l->stripe_count, PG_NUM);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct leofs_workq *q = NULL;
	struct oss_call c;
	u32 st;

	if (!node.nlocals)
		setup();
	if (size < 1)
		return 0;
	memset(&c, 0, sizeof(c));
	opcode = (u16)(LEOFS_OP_WRITE_STRIPE +
		       (data[0] & 0xf) % (LEOFS_OP_COMMIT_FRAGMENT -
					  LEOFS_OP_WRITE_STRIPE + 1));
	c.reply = check_reply;
	st = oss_call_decode(&node, &c, opcode, data + 1, (u32)(size - 1), &q);
	if (st)
		return 0;
	if (data[0] & 0x80)
		route(&c);
	oss_call_run(&node, &c);
	return 0;
}
