// SPDX-License-Identifier: GPL-2.0
/*
 * A misbehaving peer of leofs-oss for the bad-input test. Each case opens
 * its own connection and expects an error status or a closed connection:
 *
 *	oss_badpeer PORT cases           every case below; exit 0 if all passed
 *	oss_badpeer PORT stall N SECS    N connections, every other one
 *	        holding half a frame, the rest sending nothing at all; exit 0
 *	        if the server closed all of them within SECS
 *	oss_badpeer PORT noread TARGET SECS   send 1 MiB reads of TARGET without
 *	        reading a reply, for SECS seconds or until the server closes
 *	        the connection; exit 0
 *	oss_badpeer PORT again           a member that is up but never
 *	        settles: listens on PORT, answers HELLO in the caller's
 *	        cluster and every other request with AGAIN, until killed
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "leofs/proto.h"
#include "leofs/proto_msg.h"

#define WAIT_MS 5000

static int port;

static int dial(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((u16)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		exit(2);
	}
	return fd;
}

static int send_all(int fd, const void *buf, size_t len)
{
	const u8 *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes within WAIT_MS: 1, 0 on EOF/reset, -1 on timeout. */
static int recv_all(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	u8 *b = buf;
	ssize_t n;

	while (len) {
		if (poll(&p, 1, WAIT_MS) <= 0)
			return -1;
		n = recv(fd, b, len, 0);
		if (n <= 0)
			return 0;
		b += n;
		len -= (size_t)n;
	}
	return 1;
}

/* A frame with @body, sealed; @len_override replaces the header's length. */
static size_t frame(u8 *out, u16 opcode, const void *body, u32 len, u32 hdr_len)
{
	struct leofs_frame_hdr h = { .version = LEOFS_PROTO_VERSION_MAX,
				     .opcode = opcode,
				     .body_len = len,
				     .req_id = 7 };

	leofs_frame_hdr_encode(&h, out);
	memcpy(out + LEOFS_FRAME_HDR_SIZE, body, len);
	leofs_frame_seal(out, out + LEOFS_FRAME_HDR_SIZE, len);
	if (hdr_len != len) /* lie about the length after sealing */
		put_unaligned_le32(hdr_len, out + 12);
	return LEOFS_FRAME_HDR_SIZE + len;
}

/*
 * What the server did with what we sent: "closed", "status N" (an error
 * status), or "nothing" (no answer in time: a failure).
 */
static const char *outcome(int fd, u32 *status)
{
	u8 hdr[LEOFS_FRAME_HDR_SIZE], *body;
	struct leofs_frame_hdr h;
	int r = recv_all(fd, hdr, sizeof(hdr));

	if (r == 0)
		return "closed";
	if (r < 0)
		return "nothing";
	if (leofs_frame_hdr_decode(&h, hdr, sizeof(hdr)) || h.body_len < 4)
		return "garbage";
	body = malloc(h.body_len);
	if (!body || recv_all(fd, body, h.body_len) != 1) {
		free(body);
		return "garbage";
	}
	*status = get_unaligned_le32(body);
	free(body);
	return "status";
}

static int failures;

static void expect(const char *name, const u8 *buf, size_t len, bool status_ok)
{
	int fd = dial();
	u32 st = 0;
	const char *o;

	send_all(fd, buf, len);
	o = outcome(fd, &st);
	if (!strcmp(o, "closed") || (status_ok && !strcmp(o, "status") && st)) {
		printf("%-34s %s", name, o);
		if (!strcmp(o, "status"))
			printf(" %u", st);
		printf("\n");
	} else {
		printf("%-34s FAILED: %s %u\n", name, o, st);
		failures++;
	}
	close(fd);
}

static int cases(void)
{
	static u8 buf[LEOFS_FRAME_HDR_SIZE + 65536];
	struct leofs_read_fragment_req rf = {
		.ino = 1,
		.fragment = 0,
		.target_id = 10,
		.stripe_unit = 65536,
		.length = 4096,
	};
	u8 body[512];
	size_t n, i;
	int r;

	memset(body, 0xa5, sizeof(body));
	/* not a frame at all */
	memcpy(buf, "GET / HTTP/1.1\r\nHost: x\r\n\r\n0123", 32);
	expect("garbage bytes", buf, 32, false);
	/* a header announcing more than any frame may carry */
	n = frame(buf, LEOFS_OP_WRITE_STRIPE, body, 0, LEOFS_BODY_MAX + 1);
	expect("oversize length", buf, n, false);
	n = frame(buf, LEOFS_OP_WRITE_STRIPE, body, 0, 0xffffffffu);
	expect("length 4 GiB", buf, n, false);
	/* a body whose CRC does not match */
	n = frame(buf, LEOFS_OP_READ_FRAGMENT, body, 64, 64);
	buf[LEOFS_FRAME_HDR_SIZE + 10] ^= 1;
	expect("bad frame CRC", buf, n, false);
	/* unknown opcodes, inside and outside the storage range */
	n = frame(buf, 0x02ff, body, 16, 16);
	expect("unknown storage opcode 0x02ff", buf, n, true);
	n = frame(buf, 0x7777, body, 16, 16);
	expect("unknown opcode 0x7777", buf, n, true);
	n = frame(buf, LEOFS_OP_LOOKUP, body, 16, 16);
	expect("metadata opcode at an OSS", buf, n, true);
	/* every storage opcode with a malformed body: empty, short, junk */
	for (i = LEOFS_OP_WRITE_STRIPE; i <= LEOFS_OP_COMMIT_FRAGMENT; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s, empty body",
			 leofs_op_name((u16)i));
		n = frame(buf, (u16)i, body, 0, 0);
		expect(name, buf, n, true);
		snprintf(name, sizeof(name), "%s, 5 bytes",
			 leofs_op_name((u16)i));
		n = frame(buf, (u16)i, body, 5, 5);
		expect(name, buf, n, true);
		snprintf(name, sizeof(name), "%s, 512 junk bytes",
			 leofs_op_name((u16)i));
		n = frame(buf, (u16)i, body, 512, 512);
		expect(name, buf, n, true);
	}
	/*
	 * A READ_FRAGMENT whose length field says 16 MiB + 4 KiB, inside a
	 * 64 MiB unit, so only the message limit refuses it (the encoder
	 * refuses to write one: find the field by encoding two lengths).
	 */
	{
		u8 other[512];
		int r2;

		rf.stripe_unit = LEOFS_STRIPE_UNIT_MAX;
		rf.length = 4096;
		r = leofs_msg_encode(LEOFS_OP_READ_FRAGMENT, false, &rf,
				     sizeof(rf), body, sizeof(body));
		rf.length = 8192;
		r2 = leofs_msg_encode(LEOFS_OP_READ_FRAGMENT, false, &rf,
				      sizeof(rf), other, sizeof(other));
		for (i = 0; r > 4 && r == r2 && i + 4 <= (size_t)r; i++)
			if (get_unaligned_le32(body + i) == 4096 &&
			    get_unaligned_le32(other + i) == 8192)
				break;
		if (r <= 4 || r != r2 || i + 4 > (size_t)r) {
			printf("cannot place the length field\n");
			return 2;
		}
		put_unaligned_le32(LEOFS_MAX_IO + 4096, body + i);
		n = frame(buf, LEOFS_OP_READ_FRAGMENT, body, (u32)r, (u32)r);
		expect("READ_FRAGMENT of 16 MiB + 4 KiB", buf, n, true);
		put_unaligned_le32(0xffffffffu, body + i);
		n = frame(buf, LEOFS_OP_READ_FRAGMENT, body, (u32)r, (u32)r);
		expect("READ_FRAGMENT of 4 GiB", buf, n, true);
		rf.stripe_unit = 65536;
	}
	/* a DEGRADED_READ of 32 MiB of a 4 x 64 MiB stripe: more than a message */
	{
		struct leofs_degraded_read_req dr = {
			.ino = 1,
			.layout = { .pool_id = 1, .scheme = LEOFS_LAYOUT_EC,
				    .k = 4, .m = 1,
				    .stripe_unit = LEOFS_STRIPE_UNIT_MAX,
				    .stripe_count = 1 },
			.length = LEOFS_MAX_IO,
		};

		r = leofs_msg_encode(LEOFS_OP_DEGRADED_READ, false, &dr,
				     sizeof(dr), body, sizeof(body));
		if (r <= 4) {
			printf("cannot encode a DEGRADED_READ\n");
			return 2;
		}
		/* the length is its last field */
		put_unaligned_le32(2 * LEOFS_MAX_IO, body + r - 4);
		n = frame(buf, LEOFS_OP_DEGRADED_READ, body, (u32)r, (u32)r);
		expect("DEGRADED_READ of 32 MiB", buf, n, true);
	}
	/* a HELLO offering only a protocol version the server lacks */
	{
		struct leofs_hello_req hq = {
			.version_min = LEOFS_PROTO_VERSION_MAX + 1,
			.version_max = LEOFS_PROTO_VERSION_MAX + 1,
			.peer_kind = LEOFS_PEER_CLIENT,
		};
		int fd = dial();
		u32 st = 0;
		const char *o;

		r = leofs_msg_encode(LEOFS_OP_HELLO, false, &hq, sizeof(hq),
				     body, sizeof(body));
		if (r <= 0) {
			printf("cannot encode a HELLO\n");
			return 2;
		}
		n = frame(buf, LEOFS_OP_HELLO, body, (u32)r, (u32)r);
		send_all(fd, buf, n);
		o = outcome(fd, &st);
		/* answered VERSION, then the connection closed */
		if (strcmp(o, "status") || st != LEOFS_S_VERSION ||
		    strcmp((o = outcome(fd, &st)), "closed")) {
			printf("%-34s FAILED: %s %u (want status %u, closed)\n",
			       "HELLO of an unknown version", o, st,
			       LEOFS_S_VERSION);
			failures++;
		} else {
			printf("%-34s status %u, closed\n",
			       "HELLO of an unknown version", LEOFS_S_VERSION);
		}
		close(fd);
	}
	rf.offset = 0;
	rf.target_id = 999999;
	r = leofs_msg_encode(LEOFS_OP_READ_FRAGMENT, false, &rf, sizeof(rf),
			     body, sizeof(body));
	if (r > 0) {
		n = frame(buf, LEOFS_OP_READ_FRAGMENT, body, (u32)r, (u32)r);
		expect("READ_FRAGMENT of an unknown target", buf, n, true);
	}
	printf("%d case(s) failed\n", failures);
	return failures ? 1 : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* N peers: every other one sends half a header, the rest nothing. */
static int stall(int n, int secs)
{
	u8 hdr[LEOFS_FRAME_HDR_SIZE];
	int *fd = calloc((size_t)n, sizeof(int)), i, open_left;
	double t0 = now();
	char c;

	frame(hdr, LEOFS_OP_TARGET_STATFS, "", 0, 4);
	for (i = 0; i < n; i++) {
		fd[i] = dial();
		if (i % 2 == 0)
			send_all(fd[i], hdr, 16);
	}
	do {
		open_left = 0;
		for (i = 0; i < n; i++) {
			if (fd[i] < 0)
				continue;
			if (recv(fd[i], &c, 1, MSG_DONTWAIT) == 0 ||
			    (errno != EAGAIN && errno != EWOULDBLOCK)) {
				close(fd[i]);
				fd[i] = -1;
			} else {
				open_left++;
			}
		}
		usleep(50000);
	} while (open_left && now() - t0 < secs);
	printf("%d of %d stalled peers disconnected after %.1f s\n",
	       n - open_left, n, now() - t0);
	free(fd);
	return open_left ? 1 : 0;
}

/* A peer that sends requests and never reads the replies. */
static int noread(u32 target, int secs)
{
	struct leofs_read_fragment_req rf = {
		.ino = 1,
		.fragment = 0,
		.target_id = target,
		.stripe_unit = 1 << 20,
		.length = 1 << 20,
	};
	static u8 buf[LEOFS_FRAME_HDR_SIZE + 512];
	u8 body[512];
	double t0 = now();
	int fd = dial(), r, sent = 0;
	size_t n;

	r = leofs_msg_encode(LEOFS_OP_READ_FRAGMENT, false, &rf, sizeof(rf),
			     body, sizeof(body));
	if (r <= 0)
		return 2;
	n = frame(buf, LEOFS_OP_READ_FRAGMENT, body, (u32)r, (u32)r);
	while (now() - t0 < secs) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (p.revents & (POLLERR | POLLHUP) || send_all(fd, buf, n))
			break;
		sent++;
	}
	printf("sent %d read requests without reading a reply in %.1f s\n",
	       sent, now() - t0);
	close(fd);
	return 0;
}

/* One connection of the AGAIN member: HELLO answered, the rest AGAIN. */
static void *again_conn(void *arg)
{
	int fd = (int)(long)arg;
	size_t cap = LEOFS_FRAME_HDR_SIZE + LEOFS_BODY_MAX;
	u8 hdr[LEOFS_FRAME_HDR_SIZE], *body = malloc(cap), out[256];
	struct leofs_frame_hdr h;
	struct leofs_hello_req hq;
	int n;

	while (body) {
		struct leofs_frame_hdr rh;
		struct leofs_hello_reply hr = { .status = LEOFS_S_OK };
		u8 st[4];

		/* a member's peers may stay idle: no deadline on a header */
		if (recv(fd, hdr, 1, MSG_PEEK) <= 0 ||
		    recv_all(fd, hdr, sizeof(hdr)) != 1 ||
		    leofs_frame_hdr_decode(&h, hdr, sizeof(hdr)) ||
		    h.body_len > LEOFS_BODY_MAX ||
		    recv_all(fd, body, h.body_len) != 1 ||
		    leofs_frame_verify(&h, hdr, body))
			break;
		rh = (struct leofs_frame_hdr){ .version = h.version,
					       .opcode = h.opcode,
					       .flags = LEOFS_FLAG_REPLY,
					       .req_id = h.req_id };
		if (h.opcode == LEOFS_OP_HELLO) {
			if (leofs_hello_req_decode(&hq, body, h.body_len))
				break;
			hr.version = LEOFS_PROTO_VERSION_MAX;
			hr.peer_kind = LEOFS_PEER_OSS;
			hr.features = hq.features;
			memcpy(hr.cluster_id, hq.cluster_id, 16);
			n = leofs_frame_build(out, sizeof(out), &rh, &hr,
					      sizeof(hr));
		} else {
			put_unaligned_le32(LEOFS_S_AGAIN, st);
			rh.body_len = sizeof(st);
			leofs_frame_hdr_encode(&rh, out);
			memcpy(out + LEOFS_FRAME_HDR_SIZE, st, sizeof(st));
			leofs_frame_seal(out, out + LEOFS_FRAME_HDR_SIZE,
					 sizeof(st));
			n = LEOFS_FRAME_HDR_SIZE + (int)sizeof(st);
		}
		if (n <= 0 || send_all(fd, out, (size_t)n))
			break;
	}
	free(body);
	close(fd);
	return NULL;
}

static int again(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((u16)port) };
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1, fd;
	pthread_t th;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 64)) {
		perror("listen");
		return 2;
	}
	printf("answering AGAIN on port %d\n", port);
	fflush(stdout);
	while ((fd = accept(lfd, NULL, NULL)) >= 0)
		if (!pthread_create(&th, NULL, again_conn, (void *)(long)fd))
			pthread_detach(th);
		else
			close(fd);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	port = atoi(argv[1]);
	if (!strcmp(argv[2], "cases"))
		return cases();
	if (!strcmp(argv[2], "stall") && argc == 5)
		return stall(atoi(argv[3]), atoi(argv[4]));
	if (!strcmp(argv[2], "noread") && argc == 5)
		return noread((u32)atoi(argv[3]), atoi(argv[4]));
	if (!strcmp(argv[2], "again"))
		return again();
	return 2;
}
