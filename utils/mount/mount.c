// SPDX-License-Identifier: GPL-2.0
/*
 * mount.leofs: the helper mount(8) runs for "-t leofs". The kernel takes
 * only numeric addresses, so this resolves the host names of the source
 * ("host1:port,host2:port:/") and of mds= to numeric addresses, turns the
 * generic options into mount flags, and calls mount(2).
 *
 *	mount.leofs SOURCE DIR [-o OPTIONS] [-fnsv] [-r|-w]
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <arpa/inet.h>
#include <unistd.h>

#define DEFAULT_PORT "7000"

static const struct {
	const char *name;
	unsigned long set, clear;
} flag_opts[] = {
	{ "ro", MS_RDONLY, 0 },
	{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },
	{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },
	{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },
	{ "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "async", 0, MS_SYNCHRONOUS },
	{ "noatime", MS_NOATIME, 0 },
	{ "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "relatime", MS_RELATIME, 0 },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "remount", MS_REMOUNT, 0 },
	/* userspace-only options mount(8) may pass on */
	{ "defaults", 0, 0 },
	{ "auto", 0, 0 },
	{ "noauto", 0, 0 },
	{ "user", 0, 0 },
	{ "nouser", 0, 0 },
	{ "_netdev", 0, 0 },
	{ "nofail", 0, 0 },
};

static void usage(void)
{
	fprintf(stderr,
		"usage: mount.leofs host[:port][,host[:port]...]:/ DIR [-o OPTIONS] [-fnsv] [-r|-w]\n");
	exit(1);
}

static int append(char *buf, size_t cap, const char *s, size_t len)
{
	size_t have = strlen(buf);

	if (have + len + 1 > cap)
		return -1;
	memcpy(buf + have, s, len);
	buf[have + len] = 0;
	return 0;
}

/* "host[:port]" or "[v6]:port" -> numeric "a.b.c.d:port" or "[v6]:port". */
static int resolve_one(const char *s, size_t len, char *out, size_t cap)
{
	char host[256], port[16] = DEFAULT_PORT, num[INET6_ADDRSTRLEN];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	const char *colon;
	size_t hlen;
	int ret;

	if (len && s[0] == '[') {
		const char *rb = memchr(s, ']', len);

		if (!rb)
			return -EINVAL;
		hlen = rb - s - 1;
		if (hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hlen);
		host[hlen] = 0;
		colon = rb + 1 < s + len && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(s, ':', len);
		hlen = colon ? (size_t)(colon - s) : len;
		if (hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hlen);
		host[hlen] = 0;
	}
	if (colon) {
		size_t plen = s + len - colon - 1;

		if (!plen || plen >= sizeof(port))
			return -EINVAL;
		memcpy(port, colon + 1, plen);
		port[plen] = 0;
	}
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret) {
		fprintf(stderr, "mount.leofs: cannot resolve %s: %s\n", host,
			gai_strerror(ret));
		return -EHOSTUNREACH;
	}
	if (res->ai_family == AF_INET6) {
		struct sockaddr_in6 *a = (void *)res->ai_addr;

		inet_ntop(AF_INET6, &a->sin6_addr, num, sizeof(num));
		snprintf(out, cap, "[%s]:%s", num, port);
	} else {
		struct sockaddr_in *a = (void *)res->ai_addr;

		inet_ntop(AF_INET, &a->sin_addr, num, sizeof(num));
		snprintf(out, cap, "%s:%s", num, port);
	}
	freeaddrinfo(res);
	return 0;
}

/* A comma-separated list of addresses, resolved, appended to out. */
static int resolve_list(const char *s, size_t len, char *out, size_t cap)
{
	const char *end = s + len;

	while (s < end) {
		const char *comma = memchr(s, ',', end - s);
		size_t n = comma ? (size_t)(comma - s) : (size_t)(end - s);
		char one[300];

		if (resolve_one(s, n, one, sizeof(one)) ||
		    (out[0] && append(out, cap, ",", 1)) ||
		    append(out, cap, one, strlen(one)))
			return -EINVAL;
		s += n + (comma ? 1 : 0);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char source[4096] = "", data[4096] = "", *opts = NULL, *tok, *save;
	unsigned long flags = 0;
	const char *src, *dir;
	int verbose = 0, fake = 0, c;
	size_t slen;

	if (argc < 3)
		usage();
	src = argv[1];
	dir = argv[2];
	optind = 3;
	while ((c = getopt(argc, argv, "o:fnsvrwN:t:")) != -1) {
		switch (c) {
		case 'o':
			opts = optarg;
			break;
		case 'f':
			fake = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'r':
			flags |= MS_RDONLY;
			break;
		case 'w':
			flags &= ~MS_RDONLY;
			break;
		case 'n':
		case 's':
		case 't':
			break;
		case 'N':
			fprintf(stderr, "mount.leofs: -N is not supported\n");
			return 1;
		default:
			usage();
		}
	}

	slen = strlen(src);
	if (slen < 2 || strcmp(src + slen - 2, ":/")) {
		if (strcmp(src, "none") && strcmp(src, "leofs")) {
			fprintf(stderr,
				"mount.leofs: source %s is not host[:port][,...]:/\n",
				src);
			return 1;
		}
		snprintf(source, sizeof(source), "%s", src);
	} else {
		if (resolve_list(src, slen - 2, source, sizeof(source) - 2))
			return 1;
		strcat(source, ":/");
	}

	for (tok = opts ? strtok_r(opts, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		int known = 0;

		for (i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++) {
			if (!strcmp(tok, flag_opts[i].name)) {
				flags = (flags | flag_opts[i].set) &
					~flag_opts[i].clear;
				known = 1;
			}
		}
		if (known)
			continue;
		if (data[0] && append(data, sizeof(data), ",", 1))
			goto too_long;
		if (!strncmp(tok, "mds=", 4)) {
			char list[2048] = "";

			/* one address per mds= (commas separate options) */
			if (resolve_list(tok + 4, strlen(tok + 4), list,
					 sizeof(list)) ||
			    append(data, sizeof(data), "mds=", 4) ||
			    append(data, sizeof(data), list, strlen(list)))
				return 1;
			continue;
		}
		if (append(data, sizeof(data), tok, strlen(tok)))
			goto too_long;
	}

	if (verbose)
		printf("mount.leofs: mount(\"%s\", \"%s\", \"leofs\", %#lx, \"%s\")\n",
		       source, dir, flags, data);
	if (fake)
		return 0;
	if (mount(source, dir, "leofs", flags, data)) {
		int err = errno;

		fprintf(stderr, "mount.leofs: mounting %s on %s failed: %s%s\n",
			src, dir, strerror(err),
			err == EINVAL || err == ETIMEDOUT ||
					err == ECONNREFUSED ?
				" (see the kernel log: dmesg)" :
				"");
		return 32;
	}
	return 0;

too_long:
	fprintf(stderr, "mount.leofs: options too long\n");
	return 1;
}
