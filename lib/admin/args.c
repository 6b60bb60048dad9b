// SPDX-License-Identifier: GPL-2.0
/* leofs-admin: parsing and formatting of command-line values. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"

int admin_parse_u64(const char *s, u64 min, u64 max, u64 *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int admin_parse_hostport(const char *s, struct admin_hostport *out)
{
	const char *host = s, *colon, *end;
	size_t hlen;
	u64 port = ADMIN_DEFAULT_PORT;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || end == s + 1)
			return -EINVAL;
		host = s + 1;
		hlen = (size_t)(end - host);
		if (end[1] == ':') {
			if (admin_parse_u64(end + 2, 1, 65535, &port))
				return -EINVAL;
		} else if (end[1]) {
			return -EINVAL;
		}
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			colon = NULL; /* a bare IPv6 address */
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		if (colon && admin_parse_u64(colon + 1, 1, 65535, &port))
			return -EINVAL;
	}
	if (!hlen || hlen >= ADMIN_HOST_MAX)
		return -EINVAL;
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	out->port = (u16)port;
	return 0;
}

int admin_parse_hostports(const char *s, struct admin_hostport *out, int max)
{
	char *copy, *tok, *save = NULL;
	int n = 0, rc = 0;

	if (!s || !*s)
		return -EINVAL;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == max) {
			rc = -E2BIG;
			break;
		}
		rc = admin_parse_hostport(tok, &out[n]);
		if (rc)
			break;
		n++;
	}
	/* "a,,b" or a trailing comma: strtok_r would skip them silently */
	if (!rc && (strstr(s, ",,") || s[0] == ',' || s[strlen(s) - 1] == ','))
		rc = -EINVAL;
	free(copy);
	if (rc)
		return rc;
	return n ? n : -EINVAL;
}

int admin_parse_bytes(const char *s, u64 *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1])
		return -EINVAL;
	if (shift && v > (~0ull >> shift))
		return -EINVAL;
	*out = (u64)v << shift;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int admin_parse_uuid(const char *s, u8 out[16])
{
	int n = 0, hi = -1, v;

	if (!s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s == '-')
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0 || n == 16)
			return -EINVAL;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (u8)(hi << 4 | v);
			hi = -1;
		}
	}
	return n == 16 && hi < 0 ? 0 : -EINVAL;
}

void admin_format_uuid(const u8 u[16], char *buf)
{
	sprintf(buf,
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		"%02x%02x%02x%02x%02x%02x",
		u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		u[10], u[11], u[12], u[13], u[14], u[15]);
}

static const char *const tier_names[LEOFS_TIER_COUNT] = { "ssd", "sas",
							  "sata" };

int admin_parse_tier(const char *s)
{
	int i;

	for (i = 0; s && i < LEOFS_TIER_COUNT; i++)
		if (!strcmp(s, tier_names[i]))
			return i;
	return -EINVAL;
}

const char *admin_tier_name(u32 tier)
{
	return tier < LEOFS_TIER_COUNT ? tier_names[tier] : "?";
}

int admin_parse_ec(const char *s, u8 *k, u8 *m)
{
	const char *plus = s ? strchr(s, '+') : NULL;
	char kbuf[8];
	u64 kv, mv;

	if (!plus || plus == s || (size_t)(plus - s) >= sizeof(kbuf))
		return -EINVAL;
	memcpy(kbuf, s, (size_t)(plus - s));
	kbuf[plus - s] = '\0';
	if (admin_parse_u64(kbuf, 2, LEOFS_EC_MAX_K, &kv) ||
	    admin_parse_u64(plus + 1, 1, LEOFS_EC_MAX_M, &mv))
		return -EINVAL;
	*k = (u8)kv;
	*m = (u8)mv;
	return 0;
}

int admin_parse_scheme(const char *s, struct leofs_layout *l)
{
	u64 n;

	if (!s)
		return -EINVAL;
	if (!strncmp(s, "ec:", 3)) {
		if (admin_parse_ec(s + 3, &l->k, &l->m))
			return -EINVAL;
		l->scheme = LEOFS_LAYOUT_EC;
		return 0;
	}
	if (!strncmp(s, "replica:", 8)) {
		if (admin_parse_u64(s + 8, 1, LEOFS_REPLICA_MAX, &n))
			return -EINVAL;
		l->scheme = LEOFS_LAYOUT_REPLICA;
		l->k = 1;
		l->m = (u8)(n - 1);
		return 0;
	}
	return -EINVAL;
}

const char *admin_scheme_str(const struct leofs_layout *l, char *buf,
			     size_t len)
{
	switch (l->scheme) {
	case LEOFS_LAYOUT_NONE:
		snprintf(buf, len, "none");
		break;
	case LEOFS_LAYOUT_REPLICA:
		snprintf(buf, len, "replica %u", l->m + 1u);
		break;
	case LEOFS_LAYOUT_EC:
		snprintf(buf, len, "ec %u+%u", l->k, l->m);
		break;
	default:
		snprintf(buf, len, "scheme %u", l->scheme);
		break;
	}
	return buf;
}

const char *admin_addr_str(const struct leofs_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->family == 4 && inet_ntop(AF_INET, a->addr, ip, sizeof(ip)))
		snprintf(buf, len, "%s:%u", ip, a->port);
	else if (a->family == 6 && inet_ntop(AF_INET6, a->addr, ip, sizeof(ip)))
		snprintf(buf, len, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *admin_human_bytes(u64 bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB",
					     "TiB", "PiB", "EiB" };
	unsigned int i = 0, shift;
	u64 scaled;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	/* tenths, in integers: no rounding surprises across machines */
	while (i < 5 && bytes >= (1024ull << (10 * (i + 1))))
		i++;
	shift = 10 * (i + 1);
	scaled = (bytes >> shift) * 10 +
		 (((bytes & ((1ull << shift) - 1)) * 10) >> shift);
	snprintf(buf, len, "%llu.%llu %s", (unsigned long long)(scaled / 10),
		 (unsigned long long)(scaled % 10), units[i]);
	return buf;
}
