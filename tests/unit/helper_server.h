/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the connection layer's unit tests: a server on its own loop. */
#ifndef HELPER_SERVER_H
#define HELPER_SERVER_H

#include <pthread.h>

#include "leofs/rpc.h"
#include "leofs/server.h"
#include "leofs/workq.h"

struct srv_fixture {
	sd_event *ev;
	struct leofs_server *srv;
	struct leofs_workq *wq; /* two threads, for answers off the loop */
	pthread_t loop;
	int stop_fd;
	u16 port;
};

/*
 * cmocka setup: a new srv_fixture in *state, serving cfg (its arg set to
 * the fixture) on a loop thread.
 */
int srv_fixture_setup(void **state, struct leofs_server_config *cfg);
/* cmocka teardown: finishes the queued work, stops the loop, frees all. */
int srv_fixture_teardown(void **state);
/* A plain TCP connection to 127.0.0.1:port. */
int srv_fixture_raw_connect(u16 port);
/*
 * For a test's own stand-in server: a socket listening on 127.0.0.1 at a
 * free port (*port), or -1.
 */
int srv_fixture_listen(u16 *port);
/* recv() of exactly len bytes: 0, or -1 on an error or end of stream. */
int srv_fixture_recv_all(int fd, void *buf, size_t len);
/*
 * A stand-in server's answer to HELLO: accepted, as an MDS of @cluster
 * with @node_id and session @session; WRONG_CLUSTER for a client of
 * another cluster, BADMSG if it does not decode.
 */
void srv_fixture_answer_hello(struct leofs_request *req, const u8 cluster[16],
			      u32 node_id, u64 session);
/* A client connection (HELLO as a client of @cluster) to 127.0.0.1:port. */
struct leofs_rpc *srv_fixture_rpc_connect(u16 port, const u8 cluster[16]);

#endif /* HELPER_SERVER_H */
