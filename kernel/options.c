// SPDX-License-Identifier: GPL-2.0
/*
 * Mount options (fs_context parameters) and the mount source.
 *
 *	mount -t leofs 192.0.2.1:7000,[2001:db8::1]:7000:/ /mnt
 *	mount -t leofs -o mds=192.0.2.1:7000 none /mnt
 *
 * Addresses are numeric here; mount.leofs resolves host names first.
 */
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/inet.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "internal.h"


enum {
	Opt_mds,
	Opt_ac,
	Opt_actimeo,
	Opt_acregmin,
	Opt_acregmax,
	Opt_acdirmin,
	Opt_acdirmax,
	Opt_timeo,
	Opt_retrans,
	Opt_fsname,
	Opt_cluster,
};

const struct fs_parameter_spec leofs_param_specs[] = {
	fsparam_string("mds", Opt_mds), /* repeatable */
	fsparam_flag_no("ac", Opt_ac),
	fsparam_u32("actimeo", Opt_actimeo),
	fsparam_u32("acregmin", Opt_acregmin),
	fsparam_u32("acregmax", Opt_acregmax),
	fsparam_u32("acdirmin", Opt_acdirmin),
	fsparam_u32("acdirmax", Opt_acdirmax),
	fsparam_u32("timeo", Opt_timeo),
	fsparam_u32("retrans", Opt_retrans),
	fsparam_string("fsname", Opt_fsname),
	fsparam_string("cluster", Opt_cluster),
	{}
};

void leofs_opts_init(struct leofs_mount_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->acregmin = 3;
	o->acregmax = 60;
	o->acdirmin = 30;
	o->acdirmax = 60;
	o->timeo =
		clamp_val(READ_ONCE(leofs_default_timeo), 1, LEOFS_MAX_TIMEO);
	o->retrans =
		min_t(u32, READ_ONCE(leofs_default_retrans), LEOFS_MAX_RETRANS);
}

void leofs_opts_free(struct leofs_mount_opts *o)
{
	kfree(o->source);
	kfree(o->fsname);
	o->source = NULL;
	o->fsname = NULL;
}

/* One "addr[:port]" or "[v6addr][:port]"; len bytes of s, not terminated. */
static int parse_one_addr(struct fs_context *fc, const char *s, size_t len,
			  struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	const char *host = s, *port = NULL, *end;
	size_t hlen = len;
	unsigned int p = LEOFS_DEFAULT_PORT;
	char num[8];

	memset(ss, 0, sizeof(*ss));
	if (len && s[0] == '[') {
		const char *rb = memchr(s, ']', len);

		if (!rb)
			return invalf(fc,
				      "leofs: bad address '%.*s': missing ']'",
				      (int)len, s);
		host = s + 1;
		hlen = rb - host;
		if (rb + 1 < s + len) {
			if (rb[1] != ':')
				return invalf(fc, "leofs: bad address '%.*s'",
					      (int)len, s);
			port = rb + 2;
		}
	} else {
		const char *colon = memchr(s, ':', len);

		if (colon) {
			hlen = colon - s;
			port = colon + 1;
		}
	}
	if (port) {
		size_t plen = s + len - port;

		if (!plen || plen >= sizeof(num))
			return invalf(fc, "leofs: bad port in '%.*s'", (int)len,
				      s);
		memcpy(num, port, plen);
		num[plen] = 0;
		if (kstrtouint(num, 10, &p) || !p || p > 65535)
			return invalf(fc, "leofs: bad port in '%.*s'", (int)len,
				      s);
	}
	if (!hlen)
		return invalf(fc, "leofs: empty address in '%.*s'", (int)len,
			      s);
	if (in4_pton(host, hlen, (u8 *)&sin->sin_addr, -1, &end) &&
	    end == host + hlen) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		return 0;
	}
	if (in6_pton(host, hlen, (u8 *)&sin6->sin6_addr, -1, &end) &&
	    end == host + hlen) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		return 0;
	}
	return invalf(
		fc,
		"leofs: '%.*s' is not a numeric IPv4 or IPv6 address (mount.leofs resolves host names)",
		(int)hlen, host);
}

/* A comma-separated list of addresses, added to those already given. */
static int parse_addrs(struct fs_context *fc, struct leofs_mount_opts *o,
		       const char *s, size_t len)
{
	const char *end = s + len;

	if (!len)
		return invalf(fc, "leofs: no server address");
	while (s < end) {
		const char *comma = memchr(s, ',', end - s);
		size_t n = comma ? (size_t)(comma - s) : (size_t)(end - s);
		int ret;

		if (o->naddrs == LEOFS_MAX_MOUNT_ADDRS)
			return invalf(fc,
				      "leofs: more than %d server addresses",
				      LEOFS_MAX_MOUNT_ADDRS);
		ret = parse_one_addr(fc, s, n, &o->addrs[o->naddrs]);
		if (ret)
			return ret;
		o->naddrs++;
		s += n + (comma ? 1 : 0);
		if (comma && s == end)
			return invalf(fc, "leofs: empty address in the list");
	}
	return 0;
}

static int parse_cluster_id(struct fs_context *fc, struct leofs_mount_opts *o,
			    const char *s)
{
	unsigned int n = 0;

	/* 32 hex digits, dashes anywhere allowed (a UUID) */
	for (; *s; s++) {
		int v;

		if (*s == '-')
			continue;
		v = hex_to_bin(*s);
		if (v < 0 || n == 32)
			return invalf(fc,
				      "leofs: cluster= wants 32 hex digits");
		if (n % 2 == 0)
			o->cluster_id[n / 2] = v << 4;
		else
			o->cluster_id[n / 2] |= v;
		n++;
	}
	if (n != 32)
		return invalf(fc, "leofs: cluster= wants 32 hex digits");
	o->has_cluster_id = true;
	return 0;
}

static int check_seconds(struct fs_context *fc, const char *key, u32 v, u32 max)
{
	if (v > max)
		return invalf(fc, "leofs: %s=%u is beyond %u", key, v, max);
	return 0;
}

int leofs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct leofs_mount_opts *o = fc->fs_private;
	struct fs_parse_result result;
	int opt, ret;

	opt = fs_parse(fc, leofs_param_specs, param, &result);
	if (opt < 0)
		return opt;

	switch (opt) {
	case Opt_mds:
		ret = parse_addrs(fc, o, param->string, strlen(param->string));
		if (ret)
			return ret;
		break;
	case Opt_ac:
		o->noac = result.negated;
		break;
	case Opt_actimeo:
		ret = check_seconds(fc, param->key, result.uint_32,
				    LEOFS_MAX_AC);
		if (ret)
			return ret;
		o->acregmin = o->acregmax = result.uint_32;
		o->acdirmin = o->acdirmax = result.uint_32;
		break;
	case Opt_acregmin:
	case Opt_acregmax:
	case Opt_acdirmin:
	case Opt_acdirmax: {
		u32 *fields[] = { &o->acregmin, &o->acregmax, &o->acdirmin,
				  &o->acdirmax };

		ret = check_seconds(fc, param->key, result.uint_32,
				    LEOFS_MAX_AC);
		if (ret)
			return ret;
		*fields[opt - Opt_acregmin] = result.uint_32;
		break;
	}
	case Opt_timeo:
		if (!result.uint_32 || result.uint_32 > LEOFS_MAX_TIMEO)
			return invalf(fc, "leofs: timeo=%u: want 1..%d seconds",
				      result.uint_32, LEOFS_MAX_TIMEO);
		o->timeo = result.uint_32;
		break;
	case Opt_retrans:
		if (result.uint_32 > LEOFS_MAX_RETRANS)
			return invalf(fc, "leofs: retrans=%u: want 0..%d",
				      result.uint_32, LEOFS_MAX_RETRANS);
		o->retrans = result.uint_32;
		break;
	case Opt_fsname:
		if (!*param->string || strlen(param->string) > 64)
			return invalf(fc,
				      "leofs: fsname: want 1..64 characters");
		kfree(o->fsname);
		o->fsname = param->string;
		param->string = NULL;
		break;
	case Opt_cluster:
		return parse_cluster_id(fc, o, param->string);
	default:
		return -EINVAL;
	}
	return 0;
}

/*
 * Completes the options once all are in: the source "addrs:/" supplies
 * the servers unless mds= did.
 */
int leofs_opts_finish(struct fs_context *fc, struct leofs_mount_opts *o)
{
	const char *src = fc->source;
	int ret;

	if (o->acregmin > o->acregmax || o->acdirmin > o->acdirmax)
		return invalf(
			fc,
			"leofs: an attribute cache minimum is above its maximum");
	if (src && strcmp(src, "none") && strcmp(src, "leofs")) {
		size_t len = strlen(src);

		if (len < 2 || strcmp(src + len - 2, ":/"))
			return invalf(
				fc,
				"leofs: source '%s' is not of the form addr[:port][,addr[:port]...]:/",
				src);
		if (!o->naddrs) {
			ret = parse_addrs(fc, o, src, len - 2);
			if (ret)
				return ret;
		}
	}
	if (!o->naddrs)
		return invalf(
			fc,
			"leofs: no metadata server: give addr:port:/ as the source or mds=");
	o->source = kstrdup(src ? src : "leofs", GFP_KERNEL);
	if (!o->source)
		return -ENOMEM;
	return 0;
}

int leofs_show_options(struct seq_file *m, struct dentry *root)
{
	struct leofs_fs_info *fsi = LEOFS_FS(root->d_sb);
	const struct leofs_mount_opts *o = &fsi->opts;

	if (o->noac)
		seq_puts(m, ",noac");
	seq_printf(m, ",acregmin=%u,acregmax=%u,acdirmin=%u,acdirmax=%u",
		   READ_ONCE(fsi->tun.acregmin), READ_ONCE(fsi->tun.acregmax),
		   READ_ONCE(fsi->tun.acdirmin), READ_ONCE(fsi->tun.acdirmax));
	seq_printf(m, ",timeo=%u,retrans=%u", READ_ONCE(fsi->tun.timeo),
		   READ_ONCE(fsi->tun.retrans));
	if (o->fsname)
		seq_show_option(m, "fsname", o->fsname);
	if (o->has_cluster_id)
		seq_printf(m, ",cluster=%*phN", 16, o->cluster_id);
	return 0;
}
