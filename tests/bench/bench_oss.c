// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-oss native throughput: sequential write, then read, of one file
 * through the userspace file client to 6 leofs-oss processes on this
 * machine (targets under --dir, default /tmp), in replica 2 and EC 4+1,
 * side by side with two baselines measured in the same run:
 *
 *   net.tcp.loopback  one TCP stream over 127.0.0.1 (our own sender and
 *                     receiver threads, 1 MiB send()/recv() calls)
 *   net.tcp.relay     the network part of a write alone: one stream to a
 *                     relay thread that forwards every MiB, a quarter to
 *                     each of 4 receivers (each byte crosses loopback
 *                     twice, as from client to PG primary to members)
 *   net.tcp.fanin     the least a read does: 4 streams, each pread() of
 *                     cached data, block CRC32Cs, send(); one receiver
 *                     per stream, a CRC32C over all it receives (each
 *                     byte crosses loopback once)
 *   disk.write        the same number of bytes written to a file in the
 *                     same directory, 1 MiB writes, then fsync
 *   disk.read         that file read back after posix_fadvise(DONTNEED)
 *   oss.write.<s>     leofs_file_write() of the file, 32 MiB per call;
 *                     done when every stripe is durable
 *   oss.read.<s>      leofs_file_read() of it, 32 MiB per call, each
 *                     call checked (the check's time and CPU left out)
 *
 * Every row has the loopback TCP figure as its baseline. MB/s, 1 MB = 1e6
 * bytes. The file is 1 GiB (--quick: 128 MiB); stripe unit 1 MiB. The
 * three network baselines and the reads are measured --passes times
 * (default 3) and reported as the median, each pass on stderr: a single
 * loopback stream on a small shared machine moves by a third from one
 * run to the next. The file is written once (a second pass would be an
 * overwrite, not the same work). The CPU time each phase took in the
 * client and in the servers goes to stderr: on a shared machine it moves
 * less than the throughput.
 *
 *	bench_oss [--quick] [--size MiB] [--passes N] [--scheme r2|ec4+1]
 *		  [--dir DIR] [--oss PATH-TO-leofs-oss]
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <ftw.h>
#include <jansson.h>

#include "leofs/client.h"
#include "leofs/crc.h"
#include "../../lib/placesim/placesim.h"

#define NODES  6
#define CHUNK  (32u << 20)
#define UNIT   (1u << 20)
#define IO_BUF (1u << 20)
#define RELAY_FANOUT 4
#define MAX_PASSES 9
/* /proc/PID/stat after the command name, up to utime and stime */
#define STAT_FIELDS "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu"

static const char *uuid = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9";
static char dir[PATH_MAX], oss_bin[PATH_MAX];
static pid_t pids[NODES];
static u16 ports[NODES];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_oss: %s: %s\n", what, strerror(err));
	exit(1);
}

static int passes = 3;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..passes), each on stderr as "what: a b c". */
static double median(const char *what, double *v)
{
	int i;

	fprintf(stderr, "bench_oss: %s passes (MB/s):", what);
	for (i = 0; i < passes; i++)
		fprintf(stderr, " %.1f", v[i]);
	fputc('\n', stderr);
	qsort(v, passes, sizeof(*v), cmp_double);
	return passes % 2 ? v[passes / 2] :
			    (v[passes / 2 - 1] + v[passes / 2]) / 2;
}

/* CPU seconds of this process or thread (CLOCK_*_CPUTIME_ID). */
static double cpu_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * The baselines run in this process alone, so its CPU time over their
 * timed part is theirs: summed over the passes, to be reported per GB and
 * as the number of CPUs kept busy beside the OSS phases' own figures.
 */
static double span_t0, span_c0, spans_secs, spans_cpu;

static void span_begin(void)
{
	span_c0 = cpu_clock(CLOCK_PROCESS_CPUTIME_ID);
	span_t0 = now();
}

/* Seconds since span_begin(). */
static double span_end(void)
{
	double t = now() - span_t0;

	spans_secs += t;
	spans_cpu += cpu_clock(CLOCK_PROCESS_CPUTIME_ID) - span_c0;
	return t;
}

/* fn(bytes) measured passes times: the median. */
static double repeated(const char *what, double (*fn)(u64), u64 bytes)
{
	double v[MAX_PASSES];
	int i;

	spans_secs = spans_cpu = 0;
	for (i = 0; i < passes; i++)
		v[i] = fn(bytes);
	fprintf(stderr,
		"bench_oss: %s: CPU seconds per GB %.2f, CPUs busy %.2f\n",
		what, spans_cpu * 1e9 / ((double)passes * bytes),
		spans_cpu / spans_secs);
	return median(what, v);
}

static u16 free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		die("free port", errno);
	close(fd);
	return ntohs(a.sin_port);
}

static int dial(u16 port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

static pid_t spawn(char *const argv[], const char *log)
{
	pid_t p = fork();

	if (p < 0)
		die("fork", errno);
	if (!p) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void stop_cluster(void)
{
	int i;

	for (i = 0; i < NODES; i++)
		if (pids[i] > 0) {
			kill(pids[i], SIGTERM);
			waitpid(pids[i], NULL, 0);
			pids[i] = 0;
		}
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void start_cluster(void)
{
	char path[PATH_MAX + 64], cfg[PATH_MAX + 64], log[PATH_MAX + 64];
	char tid[16], nodes[4096] = "", map[PATH_MAX + 64];
	size_t off = 0;
	FILE *f;
	int i, fd, st, tries;

	snprintf(map, sizeof(map), "%s/map.json", dir);
	for (i = 0; i < NODES; i++) {
		ports[i] = free_port();
		off += (size_t)snprintf(
			nodes + off, sizeof(nodes) - off,
			"%s{\"id\": %d, \"addr\": \"127.0.0.1:%u\", \"targets\": [{\"id\": %d, \"weight\": 1.0, \"tier\": \"ssd\"}]}",
			i ? "," : "", i + 1, ports[i], (i + 1) * 10);
	}
	f = fopen(map, "w");
	if (!f)
		die(map, errno);
	fprintf(f,
		"{ \"epoch\": 1, \"pool\": { \"id\": 1, \"name\": \"bench\", \"tier\": \"ssd\", \"pg_num\": 32, \"width\": 3 }, \"nodes\": [ %s ] }\n",
		nodes);
	fclose(f);
	for (i = 0; i < NODES; i++) {
		snprintf(path, sizeof(path), "%s/t%d", dir, i + 1);
		snprintf(tid, sizeof(tid), "%d", (i + 1) * 10);
		snprintf(log, sizeof(log), "%s/oss%d.log", dir, i + 1);
		{
			char *argv[] = { oss_bin,     "--format",   path,
					 "--cluster", (char *)uuid, "--target",
					 tid,	      "--tier",	    "ssd",
					 "--weight",  "1",	    NULL };
			pid_t p = spawn(argv, log);

			if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) ||
			    WEXITSTATUS(st))
				die("leofs-oss --format (see its log)", EIO);
		}
		snprintf(cfg, sizeof(cfg), "%s/oss%d.json", dir, i + 1);
		f = fopen(cfg, "w");
		if (!f)
			die(cfg, errno);
		fprintf(f,
			"{ \"node_id\": %d, \"listen\": { \"address\": \"127.0.0.1\", \"port\": %u },\n"
			"  \"cluster_id\": \"%s\",\n"
			"  \"targets\": [ { \"path\": \"%s\", \"id\": %d, \"tier\": \"ssd\", \"weight\": 1 } ],\n"
			"  \"worker_threads\": 8, \"group_commit_us\": 200, \"reserve_bytes\": 0,\n"
			"  \"cluster_map\": \"%s\" }\n",
			i + 1, ports[i], uuid, path, (i + 1) * 10, map);
		fclose(f);
		{
			char *argv[] = { oss_bin, "--config", cfg, NULL };

			pids[i] = spawn(argv, log);
		}
	}
	for (i = 0; i < NODES; i++) {
		for (tries = 0; tries < 400; tries++) {
			fd = dial(ports[i]);
			if (fd >= 0)
				break;
			usleep(50000);
		}
		if (fd < 0)
			die("an OSS did not start (see its log)", ETIMEDOUT);
		close(fd);
	}
}

/* The cluster map of the daemons, from the same JSON they read. */
static struct leofs_mapview *load_map(void)
{
	struct placesim_cluster c = { 0 };
	char path[PATH_MAX + 16], err[256], *text;
	struct leofs_mapview *v;
	json_t *root, *nd;
	size_t i;
	u32 j;

	snprintf(path, sizeof(path), "%s/map.json", dir);
	root = json_load_file(path, 0, NULL);
	if (!root)
		die("map", EINVAL);
	json_array_foreach(json_object_get(root, "nodes"), i, nd)
		json_object_del(nd, "addr");
	text = json_dumps(root, JSON_COMPACT);
	if (placesim_parse_json(text, strlen(text), &c, err, sizeof(err)))
		die(err, EINVAL);
	free(text);
	json_decref(root);
	for (j = 0; j < c.map.node_count; j++) {
		struct leofs_map_node *n = &c.map.nodes[j];

		n->addr.family = 4;
		n->addr.addr[0] = 127;
		n->addr.addr[3] = 1;
		n->addr.port = ports[n->id - 1];
	}
	if (leofs_mapview_new(&c.map, &v))
		die("map view", ENOMEM);
	placesim_cluster_free(&c);
	return v;
}

struct tcp_rx {
	int fd;
	bool check;	/* CRC32C over every byte, as a leofs client does */
	u32 crc;
	u64 bytes;
};

static void *tcp_receiver(void *arg)
{
	struct tcp_rx *rx = arg;
	int fd = accept(rx->fd, NULL, NULL);
	u8 *buf = malloc(IO_BUF);
	ssize_t n;

	while (fd >= 0 && buf && (n = recv(fd, buf, IO_BUF, 0)) > 0) {
		if (rx->check)
			rx->crc = leofs_crc32c(rx->crc, buf, (size_t)n);
		rx->bytes += (u64)n;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/* One stream over 127.0.0.1: sender here, receiver on a thread. */
static double tcp_loopback(u64 bytes)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct tcp_rx rx = { 0 };
	u8 *buf = malloc(IO_BUF);
	pthread_t th;
	double t;
	u64 sent = 0;
	ssize_t n;
	int fd;

	memset(buf, 0x5a, IO_BUF);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx.fd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(rx.fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(rx.fd, (struct sockaddr *)&a, &len) || listen(rx.fd, 1))
		die("loopback listen", errno);
	pthread_create(&th, NULL, tcp_receiver, &rx);
	fd = dial(ntohs(a.sin_port));
	if (fd < 0)
		die("loopback connect", errno);
	span_begin();
	while (sent < bytes) {
		n = send(fd, buf, IO_BUF, MSG_NOSIGNAL);
		if (n <= 0)
			die("loopback send", errno);
		sent += (u64)n;
	}
	close(fd);
	pthread_join(th, NULL);
	t = span_end();
	close(rx.fd);
	free(buf);
	if (rx.bytes != sent)
		die("loopback: bytes lost", EIO);
	return sent / t / 1e6;
}

static int listen_any(u16 *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len) || listen(fd, 1))
		die("relay listen", errno);
	*port = ntohs(a.sin_port);
	return fd;
}

struct relay {
	int fd;			/* listening for the sender */
	int out[RELAY_FANOUT];	/* connected to the receivers */
	u64 bytes;
};

/* Forwards every chunk received, split evenly over the receivers. */
static void *relay_run(void *arg)
{
	struct relay *rl = arg;
	int fd = accept(rl->fd, NULL, NULL);
	u8 *buf = malloc(IO_BUF);
	size_t have = 0, piece = IO_BUF / RELAY_FANOUT;
	ssize_t n;
	u32 i;

	while (fd >= 0 && buf && (n = recv(fd, buf + have, IO_BUF - have, 0)) > 0) {
		have += (size_t)n;
		if (have < IO_BUF)
			continue;
		for (i = 0; i < RELAY_FANOUT; i++)
			if (send(rl->out[i], buf + i * piece, piece,
				 MSG_NOSIGNAL) != (ssize_t)piece)
				die("relay send", errno);
		rl->bytes += have;
		have = 0;
	}
	for (i = 0; i < RELAY_FANOUT; i++)
		close(rl->out[i]);
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/*
 * The network work of a leofs write, without the rest: a sender streams
 * to a relay that forwards every byte, a quarter to each of four
 * receivers, as a PG primary forwards the fragments of a stripe. Each
 * byte crosses loopback twice.
 */
static double tcp_relay(u64 bytes)
{
	struct tcp_rx rx[RELAY_FANOUT] = { 0 };
	pthread_t rth[RELAY_FANOUT], relay_th;
	struct relay rl = { 0 };
	u8 *buf = malloc(IO_BUF);
	u64 sent = 0, got = 0;
	double t;
	ssize_t n;
	u16 port;
	u32 i;
	int fd;

	memset(buf, 0x3c, IO_BUF);
	for (i = 0; i < RELAY_FANOUT; i++) {
		rx[i].fd = listen_any(&port);
		pthread_create(&rth[i], NULL, tcp_receiver, &rx[i]);
		rl.out[i] = dial(port);
		if (rl.out[i] < 0)
			die("relay connect", errno);
	}
	rl.fd = listen_any(&port);
	pthread_create(&relay_th, NULL, relay_run, &rl);
	fd = dial(port);
	if (fd < 0)
		die("relay connect", errno);
	span_begin();
	while (sent < bytes) {
		n = send(fd, buf, IO_BUF, MSG_NOSIGNAL);
		if (n <= 0)
			die("relay send", errno);
		sent += (u64)n;
	}
	close(fd);
	pthread_join(relay_th, NULL);
	for (i = 0; i < RELAY_FANOUT; i++) {
		pthread_join(rth[i], NULL);
		close(rx[i].fd);
		got += rx[i].bytes;
	}
	t = span_end();
	close(rl.fd);
	free(buf);
	if (rl.bytes != sent || got != sent)
		die("relay: bytes lost", EIO);
	return sent / t / 1e6;
}

struct fetcher {
	int file;	/* its quarter of the data, in the page cache */
	int sock;
	u64 bytes;
};

/* Reads its file 1 MiB at a time, verifies it, sends it. */
static void *fetch_run(void *arg)
{
	struct fetcher *f = arg;
	u8 *buf = malloc(IO_BUF);
	u32 *crcs = malloc(IO_BUF / 4096 * sizeof(u32));
	u64 off;

	for (off = 0; buf && crcs && off < f->bytes; off += IO_BUF) {
		if (pread(f->file, buf, IO_BUF, (off_t)off) != IO_BUF)
			die("fan-in pread", errno);
		leofs_crc32c_blocks(buf, IO_BUF, 4096, crcs);
		if (send(f->sock, buf, IO_BUF, MSG_NOSIGNAL) != IO_BUF)
			die("fan-in send", errno);
	}
	close(f->sock);
	free(crcs);
	free(buf);
	return NULL;
}

/*
 * The least a read can do: four senders each pread() their quarter of the
 * data from a file under the targets' directory (cached, as the data just
 * written is), compute its 4 KiB block CRC32Cs (the server verifies every
 * read) and send it; four receivers, one per stream, as the client has
 * one per connection, each computing a CRC32C over what it receives (the
 * client checks every reply). Each byte crosses loopback once.
 */
static double tcp_fanin(u64 bytes)
{
	struct tcp_rx rx[RELAY_FANOUT] = { 0 };
	struct fetcher f[RELAY_FANOUT] = { 0 };
	pthread_t rth[RELAY_FANOUT], fth[RELAY_FANOUT];
	char path[PATH_MAX + 16];
	u8 *buf = malloc(IO_BUF);
	u64 part = bytes / RELAY_FANOUT / IO_BUF * IO_BUF, got = 0, off;
	double t;
	u16 port;
	u32 i;

	memset(buf, 0x69, IO_BUF);
	for (i = 0; i < RELAY_FANOUT; i++) {
		snprintf(path, sizeof(path), "%s/fanin%u.bin", dir, i);
		f[i].file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (f[i].file < 0)
			die(path, errno);
		unlink(path);
		for (off = 0; off < part; off += IO_BUF)
			if (write(f[i].file, buf, IO_BUF) != IO_BUF)
				die("fan-in write", errno);
		f[i].bytes = part;
		rx[i].fd = listen_any(&port);
		rx[i].check = true;
		pthread_create(&rth[i], NULL, tcp_receiver, &rx[i]);
		f[i].sock = dial(port);
		if (f[i].sock < 0)
			die("fan-in connect", errno);
	}
	span_begin();
	for (i = 0; i < RELAY_FANOUT; i++)
		pthread_create(&fth[i], NULL, fetch_run, &f[i]);
	for (i = 0; i < RELAY_FANOUT; i++) {
		pthread_join(fth[i], NULL);
		pthread_join(rth[i], NULL);
		close(rx[i].fd);
		close(f[i].file);
		got += rx[i].bytes;
	}
	t = span_end();
	free(buf);
	if (got != part * RELAY_FANOUT)
		die("fan-in: bytes lost", EIO);
	return got / t / 1e6;
}

static void disk(u64 bytes, double *wr, double *rd)
{
	char path[PATH_MAX + 16];
	u8 *buf = malloc(IO_BUF);
	double t0;
	u64 done;
	int fd;

	memset(buf, 0xa5, IO_BUF);
	snprintf(path, sizeof(path), "%s/disk.bin", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path, errno);
	t0 = now();
	for (done = 0; done < bytes; done += IO_BUF)
		if (write(fd, buf, IO_BUF) != IO_BUF)
			die("disk write", errno);
	if (fsync(fd))
		die("disk fsync", errno);
	*wr = bytes / (now() - t0) / 1e6;
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	lseek(fd, 0, SEEK_SET);
	t0 = now();
	for (done = 0; done < bytes; done += IO_BUF)
		if (read(fd, buf, IO_BUF) != IO_BUF)
			die("disk read", errno);
	*rd = bytes / (now() - t0) / 1e6;
	close(fd);
	unlink(path);
	free(buf);
}

static void row(const char *name, double v, double base)
{
	printf("{\"name\":\"%s\",\"value\":%.1f,\"unit\":\"MB/s\",\"baseline\":%.1f,\"ratio\":%.3f}\n",
	       name, v, base, v / base);
	fflush(stdout);
}

/* User + system CPU seconds of a process (all its threads). */
static double cpu_of(const char *pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!p || sscanf(p + 2, STAT_FIELDS, &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void cpu_now(double *client, double *servers)
{
	char pid[16];
	int i;

	*client = cpu_of("self");
	*servers = 0;
	for (i = 0; i < NODES; i++) {
		snprintf(pid, sizeof(pid), "%d", (int)pids[i]);
		*servers += cpu_of(pid);
	}
}

/* @secs: the phase's wall time, to say how many CPUs it kept busy. */
static void cpu_report(const char *phase, const char *scheme, u64 bytes,
		       double secs, double c0, double s0)
{
	double c1, s1;

	cpu_now(&c1, &s1);
	fprintf(stderr,
		"bench_oss: %s %s: CPU seconds per GB: client %.2f, servers %.2f; CPUs busy %.2f\n",
		phase, scheme, (c1 - c0) * 1e9 / bytes,
		(s1 - s0) * 1e9 / bytes, (c1 - c0 + s1 - s0) / secs);
}

/* Writes then reads the file in @l; MB/s of each into wr, rd. */
static void file_rw(struct leofs_client *c, const struct leofs_layout *l,
		    const char *name, u64 ino, u64 bytes, u8 *src, u8 *dst,
		    double *wr, double *rd)
{
	double t0, t1, tc, c0, s0, busy = 0, v[MAX_PASSES];
	char what[64];
	u64 off;
	int r, p;

	cpu_now(&c0, &s0);
	t0 = now();
	for (off = 0; off < bytes; off += CHUNK) {
		memcpy(src, &off, sizeof(off));
		r = leofs_file_write(c, ino, l, off, src, CHUNK,
				     off + CHUNK >= bytes ? LEOFS_FILE_EOF : 0);
		if (r)
			die("leofs_file_write", -r);
	}
	t1 = now() - t0;
	*wr = bytes / t1 / 1e6;
	cpu_report("write", name, bytes, t1, c0, s0);
	cpu_now(&c0, &s0);
	for (p = 0; p < passes; p++) {
		t0 = now();
		for (off = 0; off < bytes; off += CHUNK) {
			r = leofs_file_read(c, ino, l, off, dst, CHUNK);
			if (r)
				die("leofs_file_read", -r);
			/* the check is ours, not the read's: left out */
			t1 = now();
			tc = cpu_clock(CLOCK_THREAD_CPUTIME_ID);
			memcpy(src, &off, sizeof(off));
			if (memcmp(src, dst, CHUNK))
				die("read back differs", EILSEQ);
			c0 += cpu_clock(CLOCK_THREAD_CPUTIME_ID) - tc;
			t0 += now() - t1;
		}
		t1 = now() - t0;
		v[p] = bytes / t1 / 1e6;
		busy += t1;
	}
	snprintf(what, sizeof(what), "oss.read.%s", name);
	*rd = median(what, v);
	cpu_report("read", name, (u64)passes * bytes, busy, c0, s0);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		u8 scheme, k, m;
	} schemes[] = {
		{ "r2", LEOFS_LAYOUT_REPLICA, 1, 1 },
		{ "ec4+1", LEOFS_LAYOUT_EC, 4, 1 },
	};
	struct leofs_client_opts co = { .timeout_ms = 60000 };
	const char *base = getenv("TMPDIR") ?: "/tmp";
	u64 bytes = 1ull << 30, ino = 1;
	const char *only = NULL;
	double tcp, dw, dr, wr, rd;
	struct leofs_client *c;
	struct leofs_mapview *v;
	char name[64];
	u8 *src, *dst;
	unsigned int i;
	int a;

	snprintf(oss_bin, sizeof(oss_bin), "%s/../../bin/leofs-oss",
		 dirname(strdup(argv[0])));
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--quick"))
			bytes = 128ull << 20;
		else if (!strcmp(argv[a], "--size") && a + 1 < argc &&
			 strtoull(argv[a + 1], NULL, 10))
			/* whole 32 MiB calls */
			bytes = (strtoull(argv[++a], NULL, 10) + 31) / 32 * 32
				<< 20;
		else if (!strcmp(argv[a], "--passes") && a + 1 < argc &&
			 atoi(argv[a + 1]) >= 1 &&
			 atoi(argv[a + 1]) <= MAX_PASSES)
			passes = atoi(argv[++a]);
		else if (!strcmp(argv[a], "--scheme") && a + 1 < argc)
			only = argv[++a];
		else if (!strcmp(argv[a], "--dir") && a + 1 < argc)
			base = argv[++a];
		else if (!strcmp(argv[a], "--oss") && a + 1 < argc)
			snprintf(oss_bin, sizeof(oss_bin), "%s", argv[++a]);
		else {
			fprintf(stderr,
				"usage: bench_oss [--quick] [--size MiB] [--passes 1-%d] [--scheme r2|ec4+1] [--dir DIR] [--oss PATH]\n",
				MAX_PASSES);
			return 2;
		}
	}
	if (access(oss_bin, X_OK))
		die(oss_bin, errno);
	snprintf(dir, sizeof(dir), "%s/leofs-bench-oss-XXXXXX", base);
	if (!mkdtemp(dir))
		die("mkdtemp", errno);
	signal(SIGPIPE, SIG_IGN);
	atexit(stop_cluster);
	start_cluster();
	v = load_map();
	if (leofs_client_new(v, &co, &c))
		die("client", ENOMEM);
	src = malloc(CHUNK);
	dst = malloc(CHUNK);
	if (!src || !dst)
		die("buffers", ENOMEM);
	srandom(42);
	for (i = 0; i < CHUNK / 4; i++)
		((u32 *)src)[i] = (u32)random();

	tcp = repeated("net.tcp.loopback", tcp_loopback, bytes);
	row("net.tcp.loopback", tcp, tcp);
	row("net.tcp.relay", repeated("net.tcp.relay", tcp_relay, bytes), tcp);
	row("net.tcp.fanin", repeated("net.tcp.fanin", tcp_fanin, bytes), tcp);
	disk(bytes, &dw, &dr);
	row("disk.write", dw, tcp);
	row("disk.read", dr, tcp);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		struct leofs_layout l = {
			.scheme = schemes[i].scheme,
			.k = schemes[i].k,
			.m = schemes[i].m,
			.stripe_unit = UNIT,
			.stripe_count = 4,
			.pool_id = 1,
		};

		if (only && strcmp(only, schemes[i].name))
			continue;
		file_rw(c, &l, schemes[i].name, ino++, bytes, src, dst, &wr,
			&rd);
		snprintf(name, sizeof(name), "oss.write.%s", schemes[i].name);
		row(name, wr, tcp);
		snprintf(name, sizeof(name), "oss.read.%s", schemes[i].name);
		row(name, rd, tcp);
	}
	leofs_client_free(c);
	leofs_mapview_put(v);
	free(src);
	free(dst);
	return 0;
}
