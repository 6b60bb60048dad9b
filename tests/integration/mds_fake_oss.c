// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in storage server for the leofs-mds tests: registers with the
 * MDS, heartbeats, and records every DELETE_OBJECTS and TRUNCATE_OBJECTS
 * it is asked ("delete <ino> <slot>..." lines in LOG). The first FAIL
 * deletes are refused with LEOFS_S_IO, to exercise the retries.
 *
 *	mds_fake_oss PORT MDS_PORT NODE_ID LOG HEARTBEAT_MS FAIL
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leofs/proto_msg.h"
#include "leofs/rpc.h"
#include "leofs/server.h"

static FILE *logf_;
static int fail_left;
static u32 node_id;
static u16 port, mds_port;
static u32 hb_ms;

static void handle(struct leofs_request *req, void *arg)
{
	(void)arg;
	switch (req->hdr.opcode) {
	case LEOFS_OP_HELLO: {
		struct leofs_hello_req in;
		struct leofs_hello_reply out = { .status = LEOFS_S_OK };

		if (leofs_hello_req_decode(&in, req->body, req->hdr.body_len)) {
			leofs_request_reply_status(req, LEOFS_S_BADMSG);
			return;
		}
		out.version = 1;
		out.peer_kind = LEOFS_PEER_OSS;
		out.node_id = node_id;
		memcpy(out.cluster_id, in.cluster_id, 16);
		leofs_request_reply(req, &out, sizeof(out));
		return;
	}
	case LEOFS_OP_DELETE_OBJECTS: {
		struct leofs_delete_objects_req in;
		u32 i;

		if (leofs_delete_objects_req_decode(&in, req->body,
						    req->hdr.body_len)) {
			leofs_request_reply_status(req, LEOFS_S_BADMSG);
			return;
		}
		if (fail_left > 0) {
			fail_left--;
			leofs_request_reply_status(req, LEOFS_S_IO);
			return;
		}
		fprintf(logf_, "delete %llu", (unsigned long long)in.ino);
		for (i = 0; i < in.slots.count; i++)
			fprintf(logf_, " %u", leofs_le32s_get(&in.slots, i));
		fprintf(logf_, "\n");
		fflush(logf_);
		leofs_request_reply_status(req, LEOFS_S_OK);
		return;
	}
	case LEOFS_OP_TRUNCATE_OBJECTS: {
		struct leofs_truncate_objects_req in;

		if (leofs_truncate_objects_req_decode(&in, req->body,
						      req->hdr.body_len)) {
			leofs_request_reply_status(req, LEOFS_S_BADMSG);
			return;
		}
		fprintf(logf_, "truncate %llu %llu\n",
			(unsigned long long)in.ino,
			(unsigned long long)in.size);
		fflush(logf_);
		leofs_request_reply_status(req, LEOFS_S_OK);
		return;
	}
	}
	leofs_request_reply_status(req, LEOFS_S_NOTSUP);
}

/* Registers, then heartbeats until the process ends. */
static void *heartbeat_main(void *arg)
{
	struct leofs_rpc_opts o = { .peer_kind = LEOFS_PEER_OSS,
				    .connect_timeout_ms = 2000 };
	struct leofs_oss_register_req *reg = calloc(1, sizeof(*reg));
	struct leofs_heartbeat_req *hb = calloc(1, sizeof(*hb));
	struct leofs_epoch_reply rep;
	struct leofs_rpc_reply raw;
	struct leofs_rpc *r = NULL;

	(void)arg;
	o.node_id = node_id;
	reg->node_id = node_id;
	reg->addr_family = 4;
	reg->port = port;
	reg->addr[0] = 127;
	reg->addr[3] = 1;
	reg->nr_targets = 1;
	reg->targets[0].id = node_id * 10 + 1;
	reg->targets[0].weight = 0x10000;
	reg->targets[0].capacity = 1ull << 40;
	reg->targets[0].used = 1ull << 30;
	hb->node_id = node_id;
	hb->nr_targets = 1;
	hb->targets[0].id = node_id * 10 + 1;
	hb->targets[0].state = 3;
	hb->targets[0].used = 1ull << 30;
	hb->targets[0].free = (1ull << 40) - (1ull << 30);
	for (;; usleep(hb_ms * 1000)) {
		if (r && !leofs_rpc_alive(r)) {
			leofs_rpc_close(r);
			r = NULL;
		}
		if (!r) {
			if (leofs_rpc_connect("127.0.0.1", mds_port, &o, NULL,
					      &r))
				continue;
			if (leofs_rpc_call(r, LEOFS_OP_OSS_REGISTER, reg,
					   sizeof(*reg), &rep, sizeof(rep),
					   &raw, 5000) == 0) {
				fprintf(stderr, "registered: %u\n", rep.status);
				leofs_rpc_reply_free(&raw);
			}
			continue;
		}
		if (leofs_rpc_call(r, LEOFS_OP_HEARTBEAT, hb, sizeof(*hb), &rep,
				   sizeof(rep), &raw, 5000) == 0)
			leofs_rpc_reply_free(&raw);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct leofs_server_config cfg = {
		.name = "fake-oss",
		.host = "127.0.0.1",
		.max_conns = 16,
		.max_body = LEOFS_BODY_MAX,
		.max_inflight = 1 << 20,
		.idle_timeout_ms = 10000,
		.handle = handle,
	};
	struct leofs_server *srv;
	pthread_t t;
	sd_event *ev;

	if (argc != 7) {
		fprintf(stderr, "usage: mds_fake_oss PORT MDS_PORT NODE_ID "
				"LOG HEARTBEAT_MS FAIL\n");
		return 2;
	}
	port = (u16)atoi(argv[1]);
	mds_port = (u16)atoi(argv[2]);
	node_id = (u32)atoi(argv[3]);
	logf_ = fopen(argv[4], "a");
	hb_ms = (u32)atoi(argv[5]);
	fail_left = atoi(argv[6]);
	if (!logf_)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	cfg.port = port;
	if (sd_event_new(&ev) < 0 || leofs_server_new(ev, &cfg, &srv))
		return 1;
	if (hb_ms)
		pthread_create(&t, NULL, heartbeat_main, NULL);
	return sd_event_loop(ev) < 0;
}
