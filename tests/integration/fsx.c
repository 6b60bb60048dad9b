// SPDX-License-Identifier: GPL-2.0
/*
 * fsx: a random-operation file checker. Runs random reads, writes,
 * appends, truncates up and down, shared-mmap reads and writes, O_DIRECT
 * reads and writes, fsyncs, close/reopen and page cache invalidations on
 * one file, mirrors every change in memory, and checks every byte it
 * reads against the mirror. Used through leofs.ko in the VM tests.
 *
 *   fsx [-n OPS] [-s SEED] [-m MAXSIZE] [-u] [-p EVERY] FILE
 *
 * O_DIRECT I/O is aligned to 4 KiB unless -u (unaligned too: leofs takes
 * any offset and length). -p prints progress every EVERY operations.
 *
 * Exits 0 when every check passed; on the first difference it prints the
 * operation, the first bad offset and the operations before it, exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum op {
	OP_READ,
	OP_WRITE,
	OP_APPEND,
	OP_TRUNC,
	OP_MAPREAD,
	OP_MAPWRITE,
	OP_DREAD,
	OP_DWRITE,
	OP_FSYNC,
	OP_REOPEN,
	OP_INVAL,
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"read",	 "write", "append", "truncate", "mapread", "mapwrite",
	"dread", "dwrite", "fsync", "reopen", "invalidate",
};

/* relative frequency of each operation */
static const unsigned int op_weight[OP_COUNT] = {
	20, 20, 5, 5, 10, 10, 4, 4, 4, 4, 3,
};

#define HISTORY 24
#define MAX_IO (300u * 1024)

struct rec {
	unsigned long n;
	enum op op;
	uint64_t off, len;
};

static const char *path;
static int fd = -1;
static uint8_t *good; /* what the file must hold */
static uint64_t size, maxsize = 3u << 20;
static uint64_t rng_state;
static struct rec history[HISTORY];
static unsigned long nops_done;
static bool direct_unaligned;

static uint64_t rnd(void)
{
	/* splitmix64: reproducible from the seed alone */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void record(enum op op, uint64_t off, uint64_t len)
{
	struct rec *r = &history[nops_done % HISTORY];

	r->n = nops_done;
	r->op = op;
	r->off = off;
	r->len = len;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	unsigned long i, first;
	va_list ap;

	printf("FAIL: op %lu: ", nops_done);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nfile size %" PRIu64 "; the operations up to it:\n", size);
	first = nops_done >= HISTORY - 1 ? nops_done - (HISTORY - 1) : 0;
	for (i = first; i <= nops_done; i++) {
		const struct rec *r = &history[i % HISTORY];

		if (r->n == i)
			printf("  %lu %s off %" PRIu64 " len %" PRIu64 "\n", i,
			       op_names[r->op], r->off, r->len);
	}
	exit(1);
}

static void compare(const uint8_t *got, uint64_t off, uint64_t len,
		    const char *what)
{
	uint64_t i;

	if (!memcmp(got, good + off, len))
		return;
	for (i = 0; got[i] == good[off + i]; i++)
		;
	die("%s of %" PRIu64 " bytes at %" PRIu64
	    ": byte %" PRIu64 " is 0x%02x, expected 0x%02x",
	    what, len, off, off + i, got[i], good[off + i]);
}

static void fill(uint8_t *p, uint64_t len)
{
	uint64_t i, v = 0;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = rnd();
		p[i] = (uint8_t)(v >> (8 * (i & 7)));
	}
}

static void check_size(void)
{
	struct stat st;

	if (fstat(fd, &st))
		die("fstat: %s", strerror(errno));
	if ((uint64_t)st.st_size != size)
		die("size is %lld, expected %" PRIu64, (long long)st.st_size,
		    size);
}

static void open_file(int flags)
{
	fd = open(path, O_RDWR | flags, 0644);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
}

/* a length for a read or write: tiny, page-sized, odd or large */
static uint64_t io_len(void)
{
	switch (below(6)) {
	case 0:
		return 1 + below(16);
	case 1:
		return 4095 + below(3);
	case 2:
		return 65536;
	default:
		return 1 + below(MAX_IO);
	}
}

/* page-aligned, as O_DIRECT wants */
static uint8_t *alloc_buf(uint64_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len ? len : 1))
		die("out of memory");
	return p;
}

/*
 * Reads len bytes at off, plus one more if extra (a read through the end
 * must stop at the end).
 */
static void do_read(int rfd, uint64_t off, uint64_t len, bool extra,
		    const char *what)
{
	uint64_t ask = len + extra;
	uint64_t want = off + ask > size ? size - off : ask;
	uint8_t *buf = alloc_buf(ask);
	ssize_t n;

	n = pread(rfd, buf, ask, off);
	if (n < 0)
		die("%s of %" PRIu64 " at %" PRIu64 ": %s", what, ask, off,
		    strerror(errno));
	if ((uint64_t)n != want)
		die("%s of %" PRIu64 " at %" PRIu64
		    " returned %zd bytes, expected %" PRIu64,
		    what, ask, off, n, want);
	compare(buf, off, want, what);
	free(buf);
}

static void do_write(int wfd, uint64_t off, uint64_t len, const char *what)
{
	uint8_t *buf = alloc_buf(len);
	ssize_t n;

	fill(buf, len);
	n = pwrite(wfd, buf, len, off);
	if (n < 0 || (uint64_t)n != len)
		die("%s of %" PRIu64 " at %" PRIu64 ": %s", what, len, off,
		    n < 0 ? strerror(errno) : "short write");
	if (off > size)
		memset(good + size, 0, off - size);
	memcpy(good + off, buf, len);
	if (off + len > size)
		size = off + len;
	free(buf);
}

static void do_map(uint64_t off, uint64_t len, bool write)
{
	uint8_t *m;

	m = mmap(NULL, size, PROT_READ | (write ? PROT_WRITE : 0), MAP_SHARED,
		 fd, 0);
	if (m == MAP_FAILED)
		die("mmap of %" PRIu64 " bytes: %s", size, strerror(errno));
	if (write) {
		fill(good + off, len);
		memcpy(m + off, good + off, len);
		if (below(2) && msync(m, size, MS_SYNC))
			die("msync: %s", strerror(errno));
	} else {
		compare(m + off, off, len, "mapread");
	}
	munmap(m, size);
}

static void run(enum op op)
{
	uint64_t off = 0, len = 0;
	int dfd;

	switch (op) {
	case OP_READ:
	case OP_MAPREAD:
	case OP_DREAD:
		if (!size)
			return;
		off = below(size);
		len = io_len();
		if (len > size - off)
			len = size - off;
		break;
	case OP_WRITE:
	case OP_DWRITE:
		off = below(size + 70000);
		/* fall through */
	case OP_APPEND:
		if (op == OP_APPEND)
			off = size;
		len = io_len();
		if (off >= maxsize)
			off = maxsize - 1;
		if (len > maxsize - off)
			len = maxsize - off;
		break;
	case OP_MAPWRITE:
		if (!size)
			return;
		off = below(size);
		len = 1 + below(20000);
		if (len > size - off)
			len = size - off;
		break;
	case OP_TRUNC:
		off = below(maxsize);
		break;
	default:
		break;
	}
	record(op, off, len);

	switch (op) {
	case OP_READ:
		do_read(fd, off, len, true, "read");
		break;
	case OP_WRITE:
	case OP_APPEND:
		do_write(fd, off, len, op_names[op]);
		break;
	case OP_TRUNC:
		if (ftruncate(fd, off))
			die("truncate to %" PRIu64 ": %s", off, strerror(errno));
		if (off > size)
			memset(good + size, 0, off - size);
		size = off;
		break;
	case OP_MAPREAD:
		do_map(off, len, false);
		break;
	case OP_MAPWRITE:
		do_map(off, len, true);
		break;
	case OP_DREAD:
	case OP_DWRITE:
		if (!direct_unaligned) {
			/* whole 4 KiB blocks, inside the file for a read */
			off &= ~4095ull;
			len = (len + 4095) & ~4095ull;
			if (op == OP_DREAD && off + len > size)
				return;
			if (op == OP_DWRITE && off + len > maxsize)
				return;
		}
		record(op, off, len);
		dfd = open(path, (op == OP_DREAD ? O_RDONLY : O_RDWR) |
					 O_DIRECT);
		if (dfd < 0)
			die("open O_DIRECT: %s", strerror(errno));
		if (op == OP_DREAD)
			do_read(dfd, off, len, direct_unaligned, "O_DIRECT read");
		else
			do_write(dfd, off, len, "O_DIRECT write");
		close(dfd);
		break;
	case OP_FSYNC:
		if (fsync(fd))
			die("fsync: %s", strerror(errno));
		break;
	case OP_REOPEN:
		if (close(fd))
			die("close: %s", strerror(errno));
		open_file(0);
		break;
	case OP_INVAL:
		/* clean pages go, so the next reads come from the servers */
		if (fsync(fd))
			die("fsync: %s", strerror(errno));
		if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
			die("fadvise: %s", strerror(errno));
		break;
	case OP_COUNT:
		break;
	}
	check_size();
}

static enum op pick(void)
{
	unsigned int total = 0, i;
	uint64_t r;

	for (i = 0; i < OP_COUNT; i++)
		total += op_weight[i];
	r = below(total);
	for (i = 0; r >= op_weight[i]; i++)
		r -= op_weight[i];
	return (enum op)i;
}

int main(int argc, char **argv)
{
	unsigned long nops = 10000, counts[OP_COUNT] = { 0 }, i, progress = 0;
	uint64_t seed = 1;
	int c;

	while ((c = getopt(argc, argv, "n:s:m:up:")) != -1) {
		switch (c) {
		case 'n':
			nops = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'm':
			maxsize = strtoull(optarg, NULL, 0);
			break;
		case 'u':
			direct_unaligned = true;
			break;
		case 'p':
			progress = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr,
				"usage: fsx [-n OPS] [-s SEED] [-m MAXSIZE] [-u] [-p EVERY] FILE\n");
			return 2;
		}
	}
	if (optind + 1 != argc || maxsize < 2) {
		fprintf(stderr, "usage: fsx [-n OPS] [-s SEED] [-m MAXSIZE] [-u] [-p EVERY] FILE\n");
		return 2;
	}
	path = argv[optind];
	rng_state = seed;
	good = calloc(1, maxsize + MAX_IO);
	if (!good) {
		fprintf(stderr, "fsx: out of memory\n");
		return 1;
	}
	open_file(O_CREAT | O_TRUNC);
	for (nops_done = 0; nops_done < nops; nops_done++) {
		enum op op = pick();

		counts[op]++;
		run(op);
		if (progress && nops_done % progress == progress - 1)
			fprintf(stderr, "fsx: %lu operations, size %" PRIu64 "\n",
				nops_done + 1, size);
	}
	/* everything, from the page cache, then from the servers */
	record(OP_READ, 0, size);
	do_read(fd, 0, size, true, "final read");
	run(OP_INVAL);
	run(OP_REOPEN);
	do_read(fd, 0, size, true, "final read from the servers");
	close(fd);
	printf("fsx: %lu operations, final size %" PRIu64 ":", nops, size);
	for (i = 0; i < OP_COUNT; i++)
		printf(" %s %lu", op_names[i], counts[i]);
	printf("\n");
	free(good);
	return 0;
}
