/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure parts of leofs-admin and leofs-file (userspace, no I/O besides
 * the FILE the table printer is given): command-line conventions, argument
 * parsing, PG health from a cluster map, and the table and JSON renderings
 * shared by the commands. Unit-tested in tests/unit/test_admin_*.c.
 * Functions return 0 or a negative errno.
 */
#ifndef LEOFS_ADMIN_H
#define LEOFS_ADMIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "leofs/map.h"
#include "leofs/nsclient.h"
#include "leofs/proto.h"

/* ---- argument parsing -------------------------------------------------- */

#define ADMIN_DEFAULT_PORT 7000
#define ADMIN_HOST_MAX	   256

struct admin_hostport {
	char host[ADMIN_HOST_MAX];
	u16 port;
};

/*
 * One "HOST[:PORT]" or "[V6ADDR][:PORT]"; the port defaults to
 * ADMIN_DEFAULT_PORT. -EINVAL for an empty host or a bad port.
 */
int admin_parse_hostport(const char *s, struct admin_hostport *out);

/*
 * A comma-separated list of them into out[0..max). Returns the count
 * (>= 1), -EINVAL for a bad element or an empty list, -E2BIG beyond max.
 */
int admin_parse_hostports(const char *s, struct admin_hostport *out, int max);

/* A decimal integer in [min, max], nothing else. */
int admin_parse_u64(const char *s, u64 min, u64 max, u64 *out);

/* Bytes: a decimal number with an optional K, M or G suffix (powers of 2). */
int admin_parse_bytes(const char *s, u64 *out);

/* 32 hex digits, dashes anywhere (a UUID). */
int admin_parse_uuid(const char *s, u8 out[16]);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; buf of at least 37 bytes. */
void admin_format_uuid(const u8 uuid[16], char *buf);

/* "ssd", "sas", "sata" -> enum leofs_tier; -EINVAL otherwise. */
int admin_parse_tier(const char *s);
/* The name of a tier, "?" for an unknown one. */
const char *admin_tier_name(u32 tier);

/* "K+M" with K 2..16 and M 1..4, as for EC layouts. */
int admin_parse_ec(const char *s, u8 *k, u8 *m);

/*
 * A data scheme: "ec:K+M" or "replica:N" into l->scheme, k and m (the
 * other fields are left alone).
 */
int admin_parse_scheme(const char *s, struct leofs_layout *l);

/* "ec 4+1", "replica 3", "none"; buf of at least 16 bytes. */
const char *admin_scheme_str(const struct leofs_layout *l, char *buf,
			     size_t len);

/* "192.0.2.1:7000", "[2001:db8::1]:7000", "-" for family 0. */
const char *admin_addr_str(const struct leofs_addr *a, char *buf, size_t len);

/* "1.5 GiB", "512 B"; buf of at least 16 bytes. */
const char *admin_human_bytes(u64 bytes, char *buf, size_t len);

/* ---- command lines (leofs-admin, leofs-file) ------------------------------ */

/* Exit statuses. */
#define ADMIN_EXIT_OK	 0
#define ADMIN_EXIT_FAIL	 1 /* the operation failed */
#define ADMIN_EXIT_USAGE 2 /* bad command line */

/* Global options, accepted before the command and after it. */
enum {
	ADMIN_OPT_JSON = 0x1000,
	ADMIN_OPT_TIMEOUT,
	ADMIN_OPT_MDS,
	ADMIN_OPT_CLUSTER,
};

/* Their getopt_long() entries (<getopt.h>). */
/* clang-format off */
#define ADMIN_GLOBAL_OPTIONS						\
	{ "json", no_argument, NULL, ADMIN_OPT_JSON },			\
	{ "timeout", required_argument, NULL, ADMIN_OPT_TIMEOUT },	\
	{ "mds", required_argument, NULL, ADMIN_OPT_MDS },		\
	{ "cluster", required_argument, NULL, ADMIN_OPT_CLUSTER },	\
	{ "help", no_argument, NULL, 'h' }
/* clang-format on */

#define ADMIN_TIMEOUT_MAX_MS 3600000

/* The values of the global options. */
struct admin_globals {
	bool json;
	u32 timeout_ms;
	const char *mds_arg; /* --mds or LEOFS_MDS */
	bool have_cluster;
	u8 cluster_id[16];
};

/*
 * Takes global option @c (a getopt_long() result) and its @arg into @g:
 * 0, 1 for --help, -ENOENT when @c is none of them, or -EINVAL for a bad
 * value, with the message in why[len].
 */
int admin_global_opt(struct admin_globals *g, int c, const char *arg, char *why,
		     size_t len);

/*
 * The metadata servers of an --mds argument, into srv[0..max) (whose
 * host strings live in hp[]). Returns their count, or -EINVAL with the
 * message in why[len] (none given, or a bad list).
 */
int admin_mds_servers(const char *arg, struct admin_hostport *hp,
		      struct leofs_ns_server *srv, int max, char *why,
		      size_t len);

/* ---- PG health ----------------------------------------------------------- */

/*
 * PG health of one pool for one data scheme. A member is up when its
 * target and the target's node are both UP; a target that is down but IN
 * keeps its PGs (they run degraded), an OUT one is remapped by placement.
 *   clean:     every member up
 *   degraded:  fewer, but at least min_size
 *   read-only: below min_size (writes refused, data kept)
 * min_size: K+1 for EC K+M, 2 for N >= 2 copies, 1 for a single copy.
 */
struct admin_pg_health {
	u32 pool_id;
	u8 scheme; /* enum leofs_layout_scheme */
	u8 k, m;
	u32 width; /* k + m */
	u32 min_size;
	u32 pg_num;
	u32 clean;
	u32 degraded;
	u32 readonly;
	int error; /* 0, or why no table: -ENOSPC too few nodes */
};

/* min_size of a layout (see above); 0 for scheme NONE. */
u32 admin_min_size(u8 scheme, u8 k, u8 m);

/*
 * Computes the PG table of pool_id for the scheme (k, m) and counts the
 * PGs by health into *h. A pool whose table cannot be built (fewer
 * eligible nodes than k + m) is reported with h->error = -ENOSPC and
 * returns 0; -ENOENT for an unknown pool, -EINVAL for a bad scheme,
 * -ENOMEM.
 */
int admin_pg_health(const struct leofs_map *map, u32 pool_id, u8 scheme, u8 k,
		    u8 m, struct admin_pg_health *h);

/* ---- map lookups ---------------------------------------------------------- */

const struct leofs_map_pool *admin_map_pool_by_name(const struct leofs_map *m,
						    const char *name);
const struct leofs_map_pool *admin_map_pool_by_id(const struct leofs_map *m,
						  u32 id);
const struct leofs_map_node *admin_map_node(const struct leofs_map *m, u32 id);
const struct leofs_map_mds *admin_map_mds(const struct leofs_map *m, u32 id);

/*
 * Targets a pool's PGs may use (the pool's tier, weight > 0, target and
 * node IN, as placement counts them) and the distinct nodes holding them.
 */
void admin_pool_members(const struct leofs_map *m,
			const struct leofs_map_pool *p, u32 *targets,
			u32 *nodes);

/* "up"/"down" and "in"/"out" of a state word. */
static inline const char *admin_up_str(u32 state)
{
	return (state & LEOFS_STATE_UP) ? "up" : "down";
}

static inline const char *admin_in_str(u32 state)
{
	return (state & LEOFS_STATE_IN) ? "in" : "out";
}

/* ---- tables -------------------------------------------------------------- */

/*
 * A text table: a header row, then rows of cells, printed with columns
 * padded to their widest cell and separated by two spaces; columns whose
 * header is flagged right-aligned (a leading '>' in the header text,
 * not printed) are padded on the left.
 */
struct admin_table;

struct admin_table *admin_table_new(unsigned int ncols, const char *const *hdr);
/* Appends a row of ncols cells (copied; NULL prints as "-"). */
int admin_table_add(struct admin_table *t, const char *const *cells);
/* The row as one formatted string, cells separated by tabs. */
int admin_table_addf(struct admin_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
unsigned int admin_table_rows(const struct admin_table *t);
void admin_table_print(const struct admin_table *t, FILE *f);
void admin_table_free(struct admin_table *t);

/* ---- JSON ------------------------------------------------------------------ */

/* Renderings used by --json; each returns a new reference or NULL. */
json_t *admin_json_layout(const struct leofs_layout *l,
			  const struct leofs_map *map);
json_t *admin_json_pg_health(const struct admin_pg_health *h);
json_t *admin_json_addr(const struct leofs_addr *a);

/* Prints a JSON value, indented, with a newline; frees it. -ENOMEM. */
int admin_json_print(json_t *v, FILE *f);

#endif /* LEOFS_ADMIN_H */
