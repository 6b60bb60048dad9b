// SPDX-License-Identifier: GPL-2.0
/*
 * Power loss for the leofs-oss storage engine, with dm-log-writes
 * (tests/vm/test_oss_powerloss.sh runs it in the VM):
 *
 *	oss_powerloss write DIR ACKS N MARKCMD...
 *		format a target in DIR (on a filesystem over a log-writes
 *		device); two writers, each on its own two objects, run N
 *		updates of a fixed sequence at the same time, so their syncs
 *		share group-commit passes. After writer W's update I is
 *		acknowledged it appends "W I VERSION" to ACKS (a file off the
 *		logged device) and runs MARKCMD ack-W-I-C, C being how many
 *		updates the other writer had acknowledged by then
 *	oss_powerloss replay LOG IMAGE PREFIX
 *		apply the writes logged before the first mark starting with
 *		PREFIX to IMAGE (the zeroed device the log began on): the disk
 *		as a power loss right after that point leaves it, holding only
 *		what had been flushed. Prints the mark's name
 *	oss_powerloss check DIR ACKS MARK N
 *		open the target in DIR (recovery runs) and check it against
 *		MARK (ack-W-I-C): writer W's stripes exactly as after its
 *		update I; each of the other writer's stripes as after one of
 *		its updates C-1 .. N-1 (C-1 and before were acknowledged, C
 *		may have been in flight); a new version number above every
 *		acknowledged one
 *
 * The sequence (seeded, so check mode knows it): new stripes, whole
 * rewrites (staged), partial prepare + commit, prepare + abort, a new
 * stripe undone, truncate, delete, and, half way, a map epoch change.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../daemons/oss/oss.h"

#define UNIT	 (64 * 1024)
#define WRITERS	 2
#define NOBJ	 2 /* per writer */
#define NSTRIPES 6
#define NKINDS	 8
#define MAXN	 64

static const u8 cluster[16] = { 0x70, 0x6f, 0x77, 0x65, 0x72 };

struct stripe_state {
	u64 version; /* 0: absent */
	u32 len;
	u8 data[UNIT];
};

/* One writer: its objects as the sequence leaves them, and its versions. */
struct writer {
	u32 id;
	u32 n;
	struct stripe_state model[NOBJ][NSTRIPES];
	u64 versions[MAXN];
	/* check mode: (version, len, crc) of each stripe after update j */
	u64 after_v[MAXN][NOBJ][NSTRIPES];
	u32 after_len[MAXN][NOBJ][NSTRIPES];
	u32 after_crc[MAXN][NOBJ][NSTRIPES];
};

static struct writer writers[WRITERS];
static struct oss_target *target;
static pthread_barrier_t epoch_barrier;
static pthread_mutex_t acks_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *acks;
static u32 acked[WRITERS]; /* read and set with __atomic builtins */
static char **mark_cmd;
static int mark_ncmd;

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

static struct oss_obj_id obj(u32 w, u32 o)
{
	return (struct oss_obj_id){ .ino = 0x5000 + w * NOBJ + o };
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

/* Map epoch of update @i: the map changes once, half way. */
static u64 epoch_of(u32 i, u32 n)
{
	return i < n / 2 ? 3 : 4;
}

/* Prepare bytes of stripe @s at @v, then commit or abort them. */
static int prepare_then(const struct oss_obj_id *id, u32 s, u64 v, u32 off,
			const u8 *buf, u32 len, bool commit)
{
	int r = oss_stripe_prepare(target, id, UNIT, s, v, off, buf, len);

	if (!r)
		r = commit ? oss_stripe_commit(target, id, UNIT, s, v) :
			     oss_stripe_abort(target, id, UNIT, s, v);
	return r;
}

/*
 * Update @i of writer @w at version @v: to its model, and to the target
 * when @apply.
 */
static void step(struct writer *w, u32 i, u64 v, bool apply)
{
	u8 *buf = malloc(UNIT);
	u32 kind = i % NKINDS, o = i % NOBJ, s = i % NSTRIPES;
	u32 seed = i + 1000 * w->id, off, len, k;
	struct stripe_state *st = &w->model[o][s];
	struct oss_obj_id id = obj(w->id, o);
	int r = 0;

	if (!buf)
		die("out of memory");
	switch (kind) {
	case 0: /* a new stripe, or a whole rewrite when it exists */
	case 1:
		len = UNIT - 4096 * (i % 3) - (i % 5);
		gen(buf, len, seed);
		if (apply)
			r = st->version ? oss_stripe_write(target, &id, UNIT,
							   s, v, buf, len) :
					  oss_stripe_create(target, &id, UNIT,
							    s, v, buf, len,
							    NULL);
		st->version = v;
		st->len = len;
		memcpy(st->data, buf, len);
		break;
	case 2: /* partial: prepare + commit */
	case 3:
		off = 4096 * (i % 7) + (i % 3) * 100;
		len = 5000 + i * 37;
		gen(buf, len, seed);
		if (apply)
			r = prepare_then(&id, s, v, off, buf, len, true);
		if (off > st->len)
			memset(st->data + st->len, 0, off - st->len);
		memcpy(st->data + off, buf, len);
		if (off + len > st->len)
			st->len = off + len;
		st->version = v;
		break;
	case 4: /* prepare, then abort: nothing changes */
		gen(buf, 4096, seed);
		if (apply)
			r = prepare_then(&id, s, v, 0, buf, 4096, false);
		break;
	case 5: /* a new stripe past the end, refused and undone */
		k = NSTRIPES + (i % 3);
		gen(buf, UNIT, seed);
		if (apply) {
			r = oss_stripe_create(target, &id, UNIT, k, v, buf,
					      UNIT, NULL);
			if (!r)
				r = oss_stripe_undo_new(target, &id, UNIT, k,
							v);
		}
		break;
	case 6: /* truncate to half the stripes */
		if (apply)
			r = oss_object_truncate(target, &id, NSTRIPES / 2);
		for (k = NSTRIPES / 2; k < NSTRIPES; k++)
			w->model[o][k].version = w->model[o][k].len = 0;
		break;
	case 7: /* delete the writer's other object */
		id = obj(w->id, 1 - o);
		if (apply)
			r = oss_object_delete(target, &id);
		for (k = 0; k < NSTRIPES; k++)
			w->model[1 - o][k].version = w->model[1 - o][k].len = 0;
		break;
	}
	free(buf);
	if (r)
		die("writer %u update %u (kind %u): %s", w->id, i, kind,
		    strerror(-r));
}

static void mark(const char *name)
{
	char *argv[16];
	int k, status;
	pid_t pid;

	if (mark_ncmd > 14)
		die("mark command too long");
	for (k = 0; k < mark_ncmd; k++)
		argv[k] = mark_cmd[k];
	argv[mark_ncmd] = (char *)name;
	argv[mark_ncmd + 1] = NULL;
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

static void *run_writer(void *arg)
{
	struct writer *w = arg;
	u32 i, other;
	char name[48];
	u64 v;
	int r;

	for (i = 0; i < w->n; i++) {
		if (i == w->n / 2)
			pthread_barrier_wait(&epoch_barrier);
		r = oss_target_new_version(target, epoch_of(i, w->n), &v);
		if (r)
			die("writer %u update %u: new version: %s", w->id, i,
			    strerror(-r));
		step(w, i, v, true);
		pthread_mutex_lock(&acks_lock);
		fprintf(acks, "%u %u %llu\n", w->id, i, (unsigned long long)v);
		fflush(acks);
		pthread_mutex_unlock(&acks_lock);
		__atomic_store_n(&acked[w->id], i + 1, __ATOMIC_RELEASE);
		other = __atomic_load_n(&acked[1 - w->id], __ATOMIC_ACQUIRE);
		snprintf(name, sizeof(name), "ack-%u-%u-%u", w->id, i, other);
		mark(name);
	}
	return NULL;
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

static u32 parse_n(const char *s)
{
	u32 n = (u32)atoi(s);

	if (n < 2 || n > MAXN)
		die("N must be 2..%u", MAXN);
	return n;
}

static int do_write(const char *dir, const char *ackpath, u32 n)
{
	pthread_t th[WRITERS];
	u32 k;
	int r;

	r = oss_target_format(dir, cluster, 1, 0, 100);
	if (r)
		die("format %s: %s", dir, strerror(-r));
	acks = fopen(ackpath, "w");
	if (!acks)
		die("%s: %s", ackpath, strerror(errno));
	target = open_target(dir);
	pthread_barrier_init(&epoch_barrier, NULL, WRITERS);
	for (k = 0; k < WRITERS; k++) {
		writers[k].id = k;
		writers[k].n = n;
		if (pthread_create(&th[k], NULL, run_writer, &writers[k]))
			die("pthread_create");
	}
	for (k = 0; k < WRITERS; k++)
		pthread_join(th[k], NULL);
	oss_target_close(target);
	fclose(acks);
	printf("%u writers x %u updates acknowledged and marked\n", WRITERS,
	       n);
	return 0;
}

/* Log layout: dm-log-writes (Linux drivers/md/dm-log-writes.c). */
#define LOG_DISCARD_FLAG (1 << 2)
#define LOG_MARK_FLAG	 (1 << 3)
#define LOG_MAGIC	 0x6a736677736872ull

static int do_replay(const char *log, const char *image, const char *prefix)
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
			if (dlen < ss - 32 && dlen >= strlen(prefix) &&
			    !memcmp(hdr + 32, prefix, strlen(prefix))) {
				printf("%.*s\n", (int)dlen, hdr + 32);
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
	die("%s: no mark %s... in %llu entries", log, prefix,
	    (unsigned long long)nr);
	return 1;
}

/* The versions of every update, from ACKS. */
static void load_acks(const char *path, u32 n)
{
	unsigned long long v;
	unsigned int w, i;
	FILE *f = fopen(path, "r");
	u32 k, got = 0;

	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fscanf(f, "%u %u %llu", &w, &i, &v) == 3) {
		if (w >= WRITERS || i >= n)
			die("%s: bad line %u %u", path, w, i);
		writers[w].versions[i] = v;
		got++;
	}
	fclose(f);
	if (got != WRITERS * n)
		die("%s: %u acknowledgements, not %u", path, got, WRITERS * n);
	for (k = 0; k < WRITERS; k++) {
		writers[k].id = k;
		writers[k].n = n;
	}
}

/* Replays each writer's sequence, keeping every stripe after each update. */
static void build_models(u32 n)
{
	struct stripe_state *st;
	u32 k, j, o, s;

	for (k = 0; k < WRITERS; k++)
		for (j = 0; j < n; j++) {
			step(&writers[k], j, writers[k].versions[j], false);
			for (o = 0; o < NOBJ; o++)
				for (s = 0; s < NSTRIPES; s++) {
					st = &writers[k].model[o][s];
					writers[k].after_v[j][o][s] =
						st->version;
					writers[k].after_len[j][o][s] = st->len;
					writers[k].after_crc[j][o][s] =
						leofs_crc32c(0, st->data,
							     st->len);
				}
		}
}

/* Does the stripe read match writer @w's after update j for a j in [lo, hi]? */
static bool matches(const struct writer *w, u32 o, u32 s, s32 lo, u32 hi,
		    const struct oss_stripe_info *info, const u8 *buf)
{
	u32 crc = leofs_crc32c(0, buf, info->frag_len);
	s32 j;

	for (j = lo; j <= (s32)hi; j++) {
		u64 v = j < 0 ? 0 : w->after_v[j][o][s];
		u32 len = j < 0 ? 0 : w->after_len[j][o][s];

		if (info->version == v && info->frag_len == len &&
		    (!v || crc == w->after_crc[j][o][s]))
			return true;
	}
	return false;
}

static int do_check(const char *dir, const char *ackpath, const char *mark,
		    u32 n)
{
	unsigned int mw, mi, mc;
	struct oss_stripe_info info;
	struct oss_obj_id id;
	u32 k, o, s, j, bad = 0;
	u64 v, top = 0;
	u8 *buf = malloc(UNIT);
	s32 lo;
	u32 hi;
	int r;

	if (sscanf(mark, "ack-%u-%u-%u", &mw, &mi, &mc) != 3 ||
	    mw >= WRITERS || mi >= n || mc > n || !buf)
		die("bad mark %s", mark);
	load_acks(ackpath, n);
	build_models(n);
	target = open_target(dir);
	for (k = 0; k < WRITERS; k++) {
		/* the marking writer: exactly after mi; the other: mc - 1 on */
		lo = k == mw ? (s32)mi : (s32)mc - 1;
		hi = k == mw ? mi : n - 1;
		for (o = 0; o < NOBJ; o++) {
			id = obj(k, o);
			for (s = 0; s < NSTRIPES + 3; s++) {
				r = oss_stripe_read(target, &id, UNIT, s, 0,
						    UNIT, buf, &info);
				if (!r && !info.prepared &&
				    (s >= NSTRIPES ? !info.version :
						     matches(&writers[k], o, s,
							     lo, hi, &info,
							     buf)))
					continue;
				fprintf(stderr,
					"writer %u object %u stripe %u at %s: %s, version %#llx len %u prepared %#llx\n",
					k, o, s, mark,
					r ? strerror(-r) : "not as acknowledged",
					(unsigned long long)info.version,
					info.frag_len,
					(unsigned long long)info.prepared);
				bad++;
			}
		}
		for (j = 0; j < (k == mw ? mi + 1 : mc); j++)
			if (writers[k].versions[j] > top)
				top = writers[k].versions[j];
	}
	/* in the epoch of the mark: numbers go on above the acknowledged */
	r = oss_target_new_version(target, epoch_of(mi, n), &v);
	if (r || v <= top) {
		fprintf(stderr, "new version %#llx (%s) not above %#llx\n",
			(unsigned long long)v, strerror(-r),
			(unsigned long long)top);
		bad++;
	}
	oss_target_close(target);
	free(buf);
	if (bad)
		die("%u problems at %s", bad, mark);
	printf("%s: every stripe as acknowledged\n", mark);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "write")) {
		mark_cmd = argv + 5;
		mark_ncmd = argc - 5;
		return do_write(argv[2], argv[3], parse_n(argv[4]));
	}
	if (argc == 5 && !strcmp(argv[1], "replay"))
		return do_replay(argv[2], argv[3], argv[4]);
	if (argc == 6 && !strcmp(argv[1], "check"))
		return do_check(argv[2], argv[3], argv[4], parse_n(argv[5]));
	fprintf(stderr,
		"usage: oss_powerloss write DIR ACKS N MARKCMD...\n"
		"       oss_powerloss replay LOG IMAGE PREFIX\n"
		"       oss_powerloss check DIR ACKS MARK N\n");
	return 2;
}
