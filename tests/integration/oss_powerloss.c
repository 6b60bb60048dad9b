// SPDX-License-Identifier: GPL-2.0
/*
 * Power loss for the leofs-oss storage engine, with dm-log-writes
 * (tests/vm/test_oss_powerloss.sh runs it in the VM):
 *
 *	oss_powerloss write DIR N MARKCMD...
 *		format a target in DIR (on a filesystem over a log-writes
 *		device) and run N updates of a fixed sequence; after each is
 *		acknowledged, run MARKCMD ack-<i> (a dm-log-writes mark)
 *	oss_powerloss replay LOG IMAGE MARK
 *		apply the writes logged in LOG before mark MARK to IMAGE (the
 *		zeroed device the log began on): the disk as a power loss
 *		right after that point leaves it, holding only what had been
 *		flushed
 *	oss_powerloss check DIR I N
 *		open the target in DIR (recovery runs) and check that every
 *		stripe is exactly as the sequence of N leaves it after update
 *		I, and that a new version number is above every one issued
 *
 * The sequence (seeded, so check mode knows it): new stripes, whole
 * rewrites (staged), partial prepare + commit, prepare + abort, a new
 * stripe undone, truncate, delete, and a map epoch change, on two objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../daemons/oss/oss.h"

#define UNIT	 (64 * 1024)
#define NOBJ	 2
#define NSTRIPES 6
#define NKINDS	 8

static const u8 cluster[16] = { 0x70, 0x6f, 0x77, 0x65, 0x72 };

struct stripe_state {
	u64 version; /* 0: absent */
	u32 len;
	u8 data[UNIT];
};

static struct stripe_state model[NOBJ][NSTRIPES];
static u64 issued_max;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "oss_powerloss: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static struct oss_obj_id obj(u32 o)
{
	return (struct oss_obj_id){ .ino = 0x5000 + o, .slot = 0, .frag = 0 };
}

static void gen(u8 *p, u32 len, u32 seed)
{
	u32 i, x = seed * 2654435761u + 1;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (u8)x;
	}
}

/* Prepare bytes of stripe @s at @v, then commit or abort them. */
static int prepare_then(struct oss_target *t, const struct oss_obj_id *id,
			u32 s, u64 v, u32 off, const u8 *buf, u32 len,
			bool commit)
{
	int r = oss_stripe_prepare(t, id, UNIT, s, v, off, buf, len);

	if (!r)
		r = commit ? oss_stripe_commit(t, id, UNIT, s, v) :
			     oss_stripe_abort(t, id, UNIT, s, v);
	return r;
}

/* Map epoch of update @i: the map changes once, half way. */
static u64 epoch_of(u32 i, u32 n)
{
	return i < n / 2 ? 3 : 4;
}

/*
 * Update @i: what it does to the model, and (with @t) to the target.
 * Versions come from the target's counter (@t) or are predicted from the
 * sequence (check mode): the counter is deterministic on a fresh target.
 */
static void step(struct oss_target *t, u32 i, u32 n)
{
	static u8 buf[UNIT];
	u32 kind = i % NKINDS, o = (i / NKINDS) % NOBJ, s = i % NSTRIPES;
	u64 e = epoch_of(i, n), v;
	struct stripe_state *st = &model[o][s];
	struct oss_obj_id id = obj(o);
	u32 off, len, k;
	int r = 0;

	if (t) {
		r = oss_target_new_version(t, e, &v);
		if (r)
			die("update %u: new version: %s", i, strerror(-r));
	} else {
		/* the first number of each epoch is 1, then one per update */
		static u64 cur_e, next;

		if (e != cur_e) {
			cur_e = e;
			next = 1;
		}
		v = e << OSS_VERSION_N_BITS | next++;
	}
	if (v > issued_max)
		issued_max = v;
	switch (kind) {
	case 0: /* a new stripe, or a whole rewrite when it exists */
	case 1:
		len = UNIT - 4096 * (i % 3) - (i % 5);
		gen(buf, len, i);
		if (t) {
			r = st->version ? oss_stripe_write(t, &id, UNIT, s, v,
							   buf, len) :
					  oss_stripe_create(t, &id, UNIT, s, v,
							    buf, len, NULL);
		}
		st->version = v;
		st->len = len;
		memcpy(st->data, buf, len);
		break;
	case 2: /* partial: prepare + commit */
	case 3:
		off = 4096 * (i % 7) + (i % 3) * 100;
		len = 5000 + i * 37;
		gen(buf, len, i);
		if (t)
			r = prepare_then(t, &id, s, v, off, buf, len, true);
		if (off > st->len)
			memset(st->data + st->len, 0, off - st->len);
		memcpy(st->data + off, buf, len);
		if (off + len > st->len)
			st->len = off + len;
		st->version = v;
		break;
	case 4: /* prepare, then abort: nothing changes */
		gen(buf, 4096, i);
		if (t)
			r = prepare_then(t, &id, s, v, 0, buf, 4096, false);
		break;
	case 5: /* a new stripe past the end, refused and undone */
		k = NSTRIPES + (i % 3);
		gen(buf, UNIT, i);
		if (t) {
			r = oss_stripe_create(t, &id, UNIT, k, v, buf, UNIT,
					      NULL);
			if (!r)
				r = oss_stripe_undo_new(t, &id, UNIT, k, v);
		}
		break;
	case 6: /* truncate to half the stripes */
		if (t)
			r = oss_object_truncate(t, &id, NSTRIPES / 2);
		for (k = NSTRIPES / 2; k < NSTRIPES; k++)
			model[o][k].version = model[o][k].len = 0;
		break;
	case 7: /* delete the other object */
		id = obj(1 - o);
		if (t)
			r = oss_object_delete(t, &id);
		for (k = 0; k < NSTRIPES; k++)
			model[1 - o][k].version = model[1 - o][k].len = 0;
		break;
	}
	if (r)
		die("update %u (kind %u): %s", i, kind, strerror(-r));
}

static void mark(char **cmd, int ncmd, u32 i)
{
	char name[32], *argv[16];
	int k, status;
	pid_t pid;

	if (ncmd > 14)
		die("mark command too long");
	for (k = 0; k < ncmd; k++)
		argv[k] = cmd[k];
	snprintf(name, sizeof(name), "ack-%u", i);
	argv[ncmd] = name;
	argv[ncmd + 1] = NULL;
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("mark %s failed", name);
}

static struct oss_target *open_target(const char *dir)
{
	struct oss_target *t;
	char why[256];
	int r = oss_target_open(dir, cluster, 1, NULL, &t, why, sizeof(why));

	if (r)
		die("open %s: %s", dir, why);
	return t;
}

static int do_write(const char *dir, u32 n, char **cmd, int ncmd)
{
	struct oss_target *t;
	u32 i;
	int r;

	r = oss_target_format(dir, cluster, 1, 0, 100);
	if (r)
		die("format %s: %s", dir, strerror(-r));
	t = open_target(dir);
	for (i = 0; i < n; i++) {
		step(t, i, n);
		mark(cmd, ncmd, i);
	}
	oss_target_close(t);
	printf("%u updates acknowledged and marked\n", n);
	return 0;
}

/* Log layout: dm-log-writes (Linux drivers/md/dm-log-writes.c). */
#define LOG_DISCARD_FLAG (1 << 2)
#define LOG_MARK_FLAG	 (1 << 3)
#define LOG_MAGIC	 0x6a736677736872ull

static int do_replay(const char *log, const char *image, const char *want)
{
	u64 nr, e, sector, nsec, flags, dlen;
	u8 hdr[4096], *data;
	u32 ss;
	off_t pos;
	int lfd, ifd;

	lfd = open(log, O_RDONLY);
	ifd = open(image, O_WRONLY);
	if (lfd < 0 || ifd < 0)
		die("open %s / %s: %s", log, image, strerror(errno));
	if (pread(lfd, hdr, 28, 0) != 28)
		die("%s: short super", log);
	if (get_unaligned_le64(hdr) != LOG_MAGIC ||
	    get_unaligned_le64(hdr + 8) != 1)
		die("%s: not a dm-log-writes log", log);
	nr = get_unaligned_le64(hdr + 16);
	ss = get_unaligned_le32(hdr + 24);
	if (ss < 512 || ss > sizeof(hdr) || (ss & (ss - 1)))
		die("%s: sector size %u", log, ss);
	pos = ss;
	for (e = 0; e < nr; e++) {
		if (pread(lfd, hdr, ss, pos) != (ssize_t)ss)
			die("%s: entry %llu cut short", log,
			    (unsigned long long)e);
		sector = get_unaligned_le64(hdr);
		nsec = get_unaligned_le64(hdr + 8);
		flags = get_unaligned_le64(hdr + 16);
		dlen = get_unaligned_le64(hdr + 24);
		pos += ss;
		if (flags & LOG_MARK_FLAG) {
			if (dlen == strlen(want) && dlen < ss - 32 &&
			    !memcmp(hdr + 32, want, dlen)) {
				printf("replayed %llu entries up to mark %s\n",
				       (unsigned long long)e, want);
				return 0;
			}
			continue;
		}
		if (!nsec)
			continue; /* a flush */
		if (nsec > (1u << 20))
			die("%s: entry %llu of %llu sectors", log,
			    (unsigned long long)e, (unsigned long long)nsec);
		data = calloc(nsec, ss);
		if (!data)
			die("out of memory");
		if (!(flags & LOG_DISCARD_FLAG)) {
			if (pread(lfd, data, nsec * ss, pos) !=
			    (ssize_t)(nsec * ss))
				die("%s: entry %llu data cut short", log,
				    (unsigned long long)e);
			pos += nsec * ss;
		}
		/* a discarded range may read as zeros */
		if (pwrite(ifd, data, nsec * ss, sector * ss) !=
		    (ssize_t)(nsec * ss))
			die("%s: %s", image, strerror(errno));
		free(data);
	}
	die("%s: no mark %s in %llu entries", log, want,
	    (unsigned long long)nr);
	return 1;
}

static int do_check(const char *dir, u32 upto, u32 n)
{
	static u8 buf[UNIT];
	struct oss_stripe_info info;
	struct oss_target *t;
	struct oss_obj_id id;
	u32 i, o, s, bad = 0;
	u64 v;
	int r;

	for (i = 0; i <= upto; i++)
		step(NULL, i, n);
	t = open_target(dir);
	for (o = 0; o < NOBJ; o++) {
		id = obj(o);
		for (s = 0; s < NSTRIPES + 3; s++) {
			const struct stripe_state *st =
				s < NSTRIPES ? &model[o][s] : NULL;

			r = oss_stripe_read(t, &id, UNIT, s, 0, UNIT, buf,
					    &info);
			if (r) {
				fprintf(stderr, "object %u stripe %u: %s\n", o,
					s, strerror(-r));
				bad++;
				continue;
			}
			if (info.version != (st ? st->version : 0) ||
			    (st && info.frag_len != st->len) ||
			    (st && memcmp(buf, st->data, st->len)) ||
			    info.prepared) {
				fprintf(stderr,
					"object %u stripe %u after update %u: version %#llx len %u prepared %#llx, expected version %#llx len %u\n",
					o, s, upto,
					(unsigned long long)info.version,
					info.frag_len,
					(unsigned long long)info.prepared,
					(unsigned long long)(st ? st->version :
								  0),
					st ? st->len : 0);
				bad++;
			}
		}
	}
	/* in the epoch of update @upto: same-epoch numbers must go on */
	r = oss_target_new_version(t, epoch_of(upto, n), &v);
	if (r || v <= issued_max) {
		fprintf(stderr, "new version %#llx (%s) not above %#llx\n",
			(unsigned long long)v, strerror(-r),
			(unsigned long long)issued_max);
		bad++;
	}
	oss_target_close(t);
	if (bad)
		die("%u problems after update %u", bad, upto);
	printf("update %u: every stripe as acknowledged\n", upto);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "write"))
		return do_write(argv[2], (u32)atoi(argv[3]), argv + 4,
				argc - 4);
	if (argc == 5 && !strcmp(argv[1], "replay"))
		return do_replay(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "check"))
		return do_check(argv[2], (u32)atoi(argv[3]),
				(u32)atoi(argv[4]));
	fprintf(stderr,
		"usage: oss_powerloss write DIR N MARKCMD...\n"
		"       oss_powerloss replay LOG IMAGE MARK\n"
		"       oss_powerloss check DIR I N\n");
	return 2;
}
