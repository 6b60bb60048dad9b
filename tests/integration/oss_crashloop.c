// SPDX-License-Identifier: GPL-2.0
/*
 * Crash loop for the leofs-oss storage engine.
 *
 *	oss_crashloop DIR [KILLS]
 *
 * Formats a target in DIR (which must not exist or be empty), then KILLS
 * times (default 25): a child process opens the target and updates
 * versioned stripes as fast as it can (whole-fragment writes, and partial
 * prepare + commit), reporting each update to the parent before starting it
 * and again once it is acknowledged. The parent kills the child with
 * SIGKILL at a random moment, reopens the target (running recovery) and
 * checks every stripe: it must hold exactly its last acknowledged content,
 * or exactly the content of the update in flight at the kill. Anything
 * else (a torn fragment, a checksum error, a lost acknowledged update)
 * fails the run.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../daemons/oss/oss.h"

#define UNIT	 (64 * 1024)
#define NSTRIPES 16

enum { MSG_INTENT = 1, MSG_ACK = 2 };
enum { UPD_FULL = 1, UPD_PARTIAL = 2 };

struct msg {
	u32 type;
	u32 kind;
	u32 idx; /* stripe index 0..NSTRIPES-1 */
	u32 off;
	u32 len;
	u32 seed;
	u64 version;
};

struct expect {
	u64 version;
	u32 len;
	u8 data[UNIT];
	bool pending;
	struct msg intent;
};

static const u8 cluster[16] = { 0xc1, 0x05, 0x7e, 0x12 };
static struct expect expect[NSTRIPES];
static const char *target_path;

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "oss_crashloop: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void obj_of(u32 idx, struct oss_obj_id *obj, u64 *stripe)
{
	obj->ino = 42;
	obj->slot = 0;
	obj->frag = idx % 2;
	*stripe = idx / 2;
}

static void gen(u8 *p, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = (u8)(seed >> 16);
	}
}

static struct oss_target *open_target(void)
{
	struct oss_target *t;
	char why[512];
	int r = oss_target_open(target_path, cluster, 1, NULL, &t, why,
				sizeof(why));

	if (r)
		die("open: %s (%s)", why, strerror(-r));
	return t;
}

static void send_msg(int fd, const struct msg *m)
{
	if (write(fd, m, sizeof(*m)) != sizeof(*m))
		_exit(2);
}

/* The child: update stripes until killed. */
static void child(int fd, u32 seed)
{
	struct oss_target *t = open_target();
	static u8 buf[UNIT];

	srandom(seed);
	for (;;) {
		struct oss_stripe_info info;
		struct oss_obj_id obj;
		struct msg m = { 0 };
		u64 stripe;
		int r;

		m.idx = (u32)random() % NSTRIPES;
		obj_of(m.idx, &obj, &stripe);
		if (oss_stripe_stat(t, &obj, UNIT, stripe, &info))
			_exit(3);
		/* a primary that finds an unresolved prepare aborts it */
		if (info.prepared &&
		    oss_stripe_abort(t, &obj, UNIT, stripe, info.prepared))
			_exit(4);
		m.version = info.version + 1;
		m.seed = (u32)random();
		if (random() % 2) {
			m.kind = UPD_FULL;
			m.off = 0;
			m.len = (u32)random() % (UNIT + 1);
		} else {
			m.kind = UPD_PARTIAL;
			m.off = (u32)random() % UNIT;
			m.len = 1 + (u32)random() % (UNIT - m.off);
		}
		gen(buf, m.len, m.seed);
		m.type = MSG_INTENT;
		send_msg(fd, &m);
		if (m.kind == UPD_FULL) {
			r = oss_stripe_write(t, &obj, UNIT, stripe, m.version,
					     buf, m.len);
		} else {
			r = oss_stripe_prepare(t, &obj, UNIT, stripe, m.version,
					       m.off, buf, m.len);
			if (!r)
				r = oss_stripe_commit(t, &obj, UNIT, stripe,
						      m.version);
		}
		if (r)
			_exit(5);
		m.type = MSG_ACK;
		send_msg(fd, &m);
	}
}

/* Apply an update to the expected content of its stripe. */
static void apply(struct expect *e, const struct msg *m)
{
	static u8 buf[UNIT];

	gen(buf, m->len, m->seed);
	if (m->kind == UPD_FULL) {
		memset(e->data, 0, UNIT);
		memcpy(e->data, buf, m->len);
		e->len = m->len;
	} else {
		memcpy(e->data + m->off, buf, m->len);
		if (m->off + m->len > e->len)
			e->len = m->off + m->len;
	}
	e->version = m->version;
}

static unsigned long handle(const struct msg *m)
{
	struct expect *e;

	if (m->idx >= NSTRIPES)
		die("bad message from child");
	e = &expect[m->idx];
	if (m->type == MSG_INTENT) {
		e->pending = true;
		e->intent = *m;
		return 0;
	}
	if (!e->pending || e->intent.version != m->version)
		die("acknowledgement without intent");
	apply(e, m);
	e->pending = false;
	return 1;
}

static bool matches(const struct expect *e, u64 version, u32 len, const u8 *buf)
{
	return version == e->version && len == e->len &&
	       !memcmp(buf, e->data, UNIT);
}

static void verify(unsigned int round)
{
	struct oss_target *t = open_target();
	static u8 buf[UNIT];
	static struct expect next;
	u32 idx;

	for (idx = 0; idx < NSTRIPES; idx++) {
		struct expect *e = &expect[idx];
		struct oss_stripe_info info;
		struct oss_obj_id obj;
		u64 stripe;
		int r;

		obj_of(idx, &obj, &stripe);
		r = oss_stripe_read(t, &obj, UNIT, stripe, 0, UNIT, buf, &info);
		if (r)
			die("round %u: stripe %u: read failed: %s", round, idx,
			    strerror(-r));
		if (matches(e, info.version, info.frag_len, buf)) {
			e->pending = false;
			continue;
		}
		if (e->pending) {
			next = *e;
			apply(&next, &e->intent);
			if (matches(&next, info.version, info.frag_len, buf)) {
				*e = next;
				e->pending = false;
				continue;
			}
		}
		die("round %u: stripe %u is at version %llu (len %u), expected %llu%s: torn or lost update",
		    round, idx, (unsigned long long)info.version, info.frag_len,
		    (unsigned long long)e->version,
		    e->pending ? " or the update in flight" : "");
	}
	oss_target_close(t);
}

static u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

/* Read the child's messages until @deadline (ms) or its end. */
static unsigned long drain(int fd, u64 deadline)
{
	unsigned long acks = 0;
	struct msg m;
	size_t have = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long wait = deadline ? (long)(deadline - now_ms()) : -1;
		ssize_t n;

		if (deadline && now_ms() >= deadline)
			break;
		if (poll(&p, 1, (int)wait) <= 0)
			continue;
		n = read(fd, (u8 *)&m + have, sizeof(m) - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		if (have == sizeof(m)) {
			acks += handle(&m);
			have = 0;
		}
	}
	return acks;
}

int main(int argc, char **argv)
{
	unsigned int kills = argc > 2 ? (unsigned int)atoi(argv[2]) : 25;
	unsigned long acks = 0;
	unsigned int round;
	int r;

	if (argc < 2)
		die("usage: oss_crashloop DIR [KILLS]");
	target_path = argv[1];
	r = oss_target_format(target_path, cluster, 1, LEOFS_TIER_SATA, 10);
	if (r)
		die("format %s: %s", target_path, strerror(-r));
	srandom((unsigned int)time(NULL));
	for (round = 0; round < kills; round++) {
		int fds[2], status;
		unsigned long got;
		u32 seed = (u32)random();
		pid_t pid;

		if (pipe(fds))
			die("pipe: %s", strerror(errno));
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			close(fds[0]);
			child(fds[1], seed);
		}
		close(fds[1]);
		/* let it run 20..220 ms: opening, recovering, updating */
		got = drain(fds[0], now_ms() + 20 + (u64)(random() % 200));
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid: %s", strerror(errno));
		got += drain(fds[0], 0);
		close(fds[0]);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			die("round %u: child failed on its own (status %d)",
			    round, status);
		acks += got;
		verify(round);
	}
	if (!acks)
		die("no update was ever acknowledged");
	printf("oss_crashloop: %u kills, %lu acknowledged updates, all verified\n",
	       kills, acks);
	return 0;
}
