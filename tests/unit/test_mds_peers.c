// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the metadata server's connections to the other metadata
 * servers (daemons/mds/peers.c): a cluster map may list up to 256 MDS, and
 * a server must reach the MDS of every shard, however many there are.
 * Here 40 MDS, each the primary of one shard, are all one stand-in server
 * on 127.0.0.1 that answers GETATTR (a connection per MDS id all the same).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "leofs/placement.h"
#include "leofs/proto_msg.h"
#include "../../daemons/mds/mapsvc.h"
#include "../../daemons/mds/peers.h"
#include "helper_mds.h"
#include "helper_server.h"

#define NMDS 40

static const u8 cid[16] = { 4, 4, 4, 4, 2 };
static unsigned int getattrs; /* __atomic: answered by the stand-in */

static void handle(struct leofs_request *req, void *arg)
{
	(void)arg;
	switch (req->hdr.opcode) {
	case LEOFS_OP_HELLO:
		srv_fixture_answer_hello(req, cid, 1000, 5);
		return;
	case LEOFS_OP_GETATTR: {
		struct leofs_ino_req in;
		struct leofs_attr_reply out = { .status = LEOFS_S_OK };

		if (leofs_getattr_req_decode(&in, req->body,
					     req->hdr.body_len)) {
			leofs_request_reply_status(req, LEOFS_S_BADMSG);
			return;
		}
		out.attr.ino = in.ino;
		out.attr.mode = LEOFS_S_IFREG | 0644;
		out.attr.nlink = 1;
		__atomic_add_fetch(&getattrs, 1, __ATOMIC_RELAXED);
		leofs_request_reply(req, &out, sizeof(out));
		return;
	}
	default:
		leofs_request_reply_status(req, LEOFS_S_NOTSUP);
	}
}

struct fx {
	struct srv_fixture *srv;
	char dir[64];
	struct mds_mapsvc *maps;
	struct mds_peers *peers;
	struct mds_xshard_ops ops;
};

/* NMDS MDS (ids 1..NMDS) at 127.0.0.1:port; shard s served by MDS s + 1. */
static void bootstrap(const char *dir, u16 port)
{
	size_t cap = 64 << 10, n = 0;
	char *d = malloc(cap), err[256];
	struct leofs_map m;
	int i;

	assert_non_null(d);
	n += snprintf(d + n, cap - n,
		      "{ \"nodes\": [ { \"id\": 1, \"address\": \"127.0.0.1\","
		      " \"port\": 9, \"targets\": [ { \"id\": 11,"
		      " \"tier\": \"ssd\" } ] } ],"
		      " \"pools\": [ { \"id\": 1, \"name\": \"images\","
		      " \"tier\": \"ssd\", \"pg_num\": 8 } ], \"mds\": [");
	for (i = 1; i <= NMDS; i++)
		n += snprintf(d + n, cap - n,
			      "%s { \"id\": %d, \"address\": \"127.0.0.1\","
			      " \"port\": %u }",
			      i > 1 ? "," : "", i, port);
	n += snprintf(d + n, cap - n, " ], \"shards\": [");
	for (i = 0; i < NMDS; i++)
		n += snprintf(d + n, cap - n, "%s { \"id\": %d, \"mds\": %d }",
			      i ? "," : "", i, i + 1);
	n += snprintf(d + n, cap - n, " ] }");
	assert_true(n < cap);
	if (mds_cluster_parse(d, n, cid, &m, NULL, err, sizeof(err)))
		fail_msg("cluster description: %s", err);
	assert_int_equal(mds_mapsvc_bootstrap(dir, &m), 0);
	mds_map_arrays_free(&m);
	free(d);
}

static int setup(void **state)
{
	struct leofs_server_config cfg = {
		.name = "stand-in-mds",
		.host = "127.0.0.1",
		.max_conns = 2 * NMDS,
		.max_body = 1 << 20,
		.max_inflight = 1 << 20,
		.idle_timeout_ms = 30000,
		.handle = handle,
	};
	struct fx *fx = calloc(1, sizeof(*fx));
	struct mds_mapsvc_opts o = {
		.cluster_id = cid,
		.node_id = 1,
		.authority = true,
		.grace_ms = 60000,
	};
	void *srv;

	assert_non_null(fx);
	srv_fixture_setup(&srv, &cfg);
	fx->srv = srv;
	mds_test_tmpdir(fx->dir, sizeof(fx->dir), "mds-peers");
	bootstrap(fx->dir, fx->srv->port);
	o.data_dir = fx->dir;
	assert_int_equal(mds_mapsvc_open(&o, &fx->maps), 0);
	/* this server is none of the NMDS: every shard is another's */
	assert_int_equal(mds_peers_new(fx->maps, NMDS + 1, cid, &fx->peers), 0);
	mds_peers_ops(fx->peers, &fx->ops);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	void *srv = fx->srv;

	mds_peers_free(fx->peers);
	mds_mapsvc_close(fx->maps);
	srv_fixture_teardown(&srv);
	mds_test_rmtree(fx->dir);
	free(fx);
	return 0;
}

/* GETATTR of an inode of every shard reaches that shard's MDS. */
static void test_every_shard_reachable(void **state)
{
	struct fx *fx = *state;
	struct mds_attr a;
	int round, s;

	getattrs = 0;
	for (round = 0; round < 2; round++)
		for (s = 0; s < NMDS; s++) {
			u64 ino = leofs_ino_make((u16)s, 77 + s);
			int rc = fx->ops.getattr(fx->ops.arg, ino, &a);

			if (rc)
				fail_msg("round %d: GETATTR at the MDS of shard %d (MDS %d of %d): %d",
					 round, s, s + 1, NMDS, rc);
			assert_int_equal(a.ino, ino);
		}
	assert_int_equal(__atomic_load_n(&getattrs, __ATOMIC_RELAXED),
			 2 * NMDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_shard_reachable,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
