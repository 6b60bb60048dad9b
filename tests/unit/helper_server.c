// SPDX-License-Identifier: GPL-2.0
/* A server on its own loop for the unit tests (helper_server.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "leofs/proto_msg.h"
#include "leofs/rpc.h"
#include "helper_server.h"

static int on_stop(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	(void)fd;
	(void)revents;
	(void)data;
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static void *loop_main(void *arg)
{
	sd_event_loop(((struct srv_fixture *)arg)->ev);
	return NULL;
}

int srv_fixture_setup(void **state, struct leofs_server_config *cfg)
{
	struct srv_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	cfg->arg = f;
	assert_int_equal(sd_event_new(&f->ev), 0);
	assert_int_equal(leofs_server_new(f->ev, cfg, &f->srv), 0);
	assert_int_equal(leofs_workq_new(cfg->name, 2, &f->wq), 0);
	f->port = leofs_server_port(f->srv);
	f->stop_fd = eventfd(0, EFD_CLOEXEC);
	assert_true(sd_event_add_io(f->ev, NULL, f->stop_fd, EPOLLIN, on_stop,
				    NULL) >= 0);
	assert_int_equal(pthread_create(&f->loop, NULL, loop_main, f), 0);
	*state = f;
	return 0;
}

int srv_fixture_teardown(void **state)
{
	struct srv_fixture *f = *state;
	u64 one = 1;

	leofs_workq_free(f->wq); /* finishes queued replies */
	assert_int_equal(write(f->stop_fd, &one, sizeof(one)), 8);
	pthread_join(f->loop, NULL);
	leofs_server_free(f->srv);
	sd_event_unref(f->ev);
	close(f->stop_fd);
	free(f);
	return 0;
}

struct leofs_rpc *srv_fixture_rpc_connect(u16 port, const u8 cluster[16])
{
	struct leofs_rpc_opts o = { .peer_kind = LEOFS_PEER_CLIENT };
	struct leofs_rpc *r = NULL;

	memcpy(o.cluster_id, cluster, 16);
	assert_int_equal(leofs_rpc_connect("127.0.0.1", port, &o, NULL, &r), 0);
	return r;
}

int srv_fixture_raw_connect(u16 port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

int srv_fixture_listen(u16 *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len) || listen(fd, 4)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

int srv_fixture_recv_all(int fd, void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void srv_fixture_answer_hello(struct leofs_request *req, const u8 cluster[16],
			      u32 node_id, u64 session)
{
	struct leofs_hello_req in;
	struct leofs_hello_reply out = { .status = LEOFS_S_OK };

	if (leofs_hello_req_decode(&in, req->body, req->hdr.body_len) < 0) {
		leofs_request_reply_status(req, LEOFS_S_BADMSG);
		return;
	}
	if (in.cluster_id[0] && memcmp(in.cluster_id, cluster, 16)) {
		leofs_request_reply_status(req, LEOFS_S_WRONG_CLUSTER);
		return;
	}
	out.version = LEOFS_PROTO_VERSION_MAX;
	out.peer_kind = LEOFS_PEER_MDS;
	out.features = in.features & LEOFS_FEATURES_ALL;
	out.node_id = node_id;
	memcpy(out.cluster_id, cluster, 16);
	out.session_id = session;
	leofs_request_reply(req, &out, sizeof(out));
}
