// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-admin: one request whose body the protocol codec does not know
 * (a message proposed but not in lib/proto yet). The connection is the
 * tool's own: HELLO through the codec, then a frame built with the
 * codec's framing helpers around the given body; the reply's status word
 * is returned. Servers answer NOTSUP to an opcode they do not know.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tool.h"

static int io_full(int fd, void *buf, size_t len, bool out, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = out ? POLLOUT : POLLIN };
	u8 *b = buf;
	ssize_t n;

	while (len) {
		if (poll(&p, 1, timeout_ms) <= 0)
			return -ETIMEDOUT;
		n = out ? send(fd, b, len, MSG_NOSIGNAL) : recv(fd, b, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static int dial(const char *host, u16 port, int timeout_ms)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	struct pollfd p;
	char service[8];
	int fd = -1, err = -EHOSTUNREACH, soerr;
	socklen_t sl = sizeof(soerr);

	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(host, service, &hints, &res))
		return -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) &&
		    errno != EINPROGRESS) {
			err = -errno;
			goto next;
		}
		p.fd = fd;
		p.events = POLLOUT;
		if (poll(&p, 1, timeout_ms) <= 0) {
			err = -ETIMEDOUT;
			goto next;
		}
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr) {
			err = -soerr;
			goto next;
		}
		freeaddrinfo(res);
		return fd;
next:
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return err;
}

/* Reads one reply frame; *body is malloc'ed. */
static int read_reply(int fd, u16 opcode, u64 req_id, u8 **body, u32 *len,
		      int timeout_ms)
{
	u8 hdr[LEOFS_FRAME_HDR_SIZE];
	struct leofs_frame_hdr h;
	u8 *b;
	int rc;

	rc = io_full(fd, hdr, sizeof(hdr), false, timeout_ms);
	if (!rc)
		rc = leofs_frame_hdr_decode(&h, hdr, sizeof(hdr));
	if (rc)
		return rc;
	if (!(h.flags & LEOFS_FLAG_REPLY) || h.opcode != opcode ||
	    h.req_id != req_id || h.body_len < 4 || h.body_len > 65536)
		return -EPROTO;
	b = malloc(h.body_len);
	if (!b)
		return -ENOMEM;
	rc = io_full(fd, b, h.body_len, false, timeout_ms);
	if (!rc)
		rc = leofs_frame_verify(&h, hdr, b);
	if (rc) {
		free(b);
		return rc;
	}
	*body = b;
	*len = h.body_len;
	return 0;
}

int adm_raw_call(struct adm *a, const char *host, u16 port, u16 opcode,
		 const void *body, u32 body_len, u32 *status)
{
	struct leofs_hello_req hello = {
		.version_min = LEOFS_PROTO_VERSION_MIN,
		.version_max = LEOFS_PROTO_VERSION_MAX,
		.peer_kind = LEOFS_PEER_ADMIN,
	};
	struct leofs_frame_hdr h = { .version = 1,
				     .opcode = LEOFS_OP_HELLO,
				     .req_id = 1 };
	struct leofs_hello_reply hrep;
	int tmo = (int)a->timeout_ms, fd, rc;
	u8 frame[512], *rbody = NULL;
	u32 rlen;

	if (body_len + LEOFS_FRAME_HDR_SIZE > sizeof(frame))
		return -EMSGSIZE;
	memcpy(hello.cluster_id, a->map.cluster_id, 16);
	fd = dial(host, port, tmo);
	if (fd < 0) {
		adm_err(a, "%s:%u: %s", host, port, strerror(-fd));
		return fd;
	}
	rc = leofs_frame_build(frame, sizeof(frame), &h, &hello, sizeof(hello));
	if (rc > 0)
		rc = io_full(fd, frame, (size_t)rc, true, tmo);
	if (!rc)
		rc = read_reply(fd, LEOFS_OP_HELLO, 1, &rbody, &rlen, tmo);
	if (!rc)
		rc = leofs_hello_reply_decode(&hrep, rbody, rlen);
	free(rbody);
	rbody = NULL;
	if (!rc && hrep.status)
		rc = leofs_status_to_errno(hrep.status);
	if (rc)
		goto out;

	h.version = hrep.version;
	h.opcode = opcode;
	h.req_id = 2;
	h.body_len = body_len;
	h.flags = 0;
	h.crc = 0;
	leofs_frame_hdr_encode(&h, frame);
	memcpy(frame + LEOFS_FRAME_HDR_SIZE, body, body_len);
	leofs_frame_seal(frame, frame + LEOFS_FRAME_HDR_SIZE, body_len);
	rc = io_full(fd, frame, LEOFS_FRAME_HDR_SIZE + body_len, true, tmo);
	if (!rc)
		rc = read_reply(fd, opcode, 2, &rbody, &rlen, tmo);
	if (!rc)
		*status = get_unaligned_le32(rbody);
	free(rbody);
out:
	close(fd);
	if (rc)
		adm_err(a, "%s:%u: %s", host, port,
			rc == -ETIMEDOUT ? "no reply within the timeout" :
					   strerror(-rc));
	return rc;
}
