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
#define NTARGETS 3
#define PG_NUM	 8
#include "../common/oss_node_fixture.h"

static const u8 cluster[16] = { 0x6c, 0x65, 0x6f, 0x66, 0x73, 0x2d, 0x66,
				0x75, 0x7a, 0x7a, 0x2d, 0x6f, 0x73, 0x73 };
static struct oss_fixture fix;
static struct oss_node *const node = &fix.node;
static u16 opcode;

static void cleanup(void)
{
	oss_fixture_close(&fix);
}

static void setup(void)
{
	if (oss_fixture_open(&fix, cluster, "fuzz-oss"))
		abort();
	atexit(cleanup);
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

	if (!node->nlocals)
		setup();
	if (size < 1)
		return 0;
	memset(&c, 0, sizeof(c));
	opcode = (u16)(LEOFS_OP_WRITE_STRIPE +
		       (data[0] & 0xf) % (LEOFS_OP_COMMIT_FRAGMENT -
					  LEOFS_OP_WRITE_STRIPE + 1));
	c.reply = check_reply;
	st = oss_call_decode(node, &c, opcode, data + 1, (u32)(size - 1), &q);
	if (st)
		return 0;
	if (data[0] & 0x80)
		route(&c);
	oss_call_run(node, &c);
	return 0;
}
