/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leofs-admin internals: the command context, the connection to the
 * cluster, and one entry point per command (one file each).
 */
#ifndef LEOFS_ADMIN_TOOL_H
#define LEOFS_ADMIN_TOOL_H

#include <getopt.h>
#include <stdbool.h>

#include "leofs/map.h"
#include "leofs/nsclient.h"
#include "leofs/proto_msg.h"
#include "leofs/rpc.h"
#include "../../lib/admin/admin.h"

#define ADM_MAX_MDS	       16
#define ADM_DEFAULT_TIMEOUT_MS 5000

/* Exit statuses and global options: admin.h's, shared with leofs-file. */
#define ADM_EXIT_OK	   ADMIN_EXIT_OK
#define ADM_EXIT_FAIL	   ADMIN_EXIT_FAIL
#define ADM_EXIT_USAGE	   ADMIN_EXIT_USAGE
#define ADM_GLOBAL_OPTIONS ADMIN_GLOBAL_OPTIONS

struct adm {
	const char *cmd; /* "layout set", for messages */
	struct admin_globals g;

	struct leofs_ns *ns; /* the metadata servers */
	bool have_map;
	struct leofs_mapview *view; /* owns the arrays of map */
	struct leofs_map map;
};

/* Messages: "leofs-admin: <cmd>: ..." on stderr. */
void adm_err(const struct adm *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A usage error: the message, then a pointer to --help; returns 2. */
int adm_usage_err(const struct adm *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Handles a global option seen by a command's getopt loop. Returns 0 if
 * handled, 1 for -h/--help (print the command's usage and exit 0), or
 * ADM_EXIT_USAGE after printing why.
 */
int adm_global_opt(struct adm *a, int c, const char *arg);

/*
 * For a getopt result that no command option took: a global option (-1:
 * go on), help (printed: 0, exit), or a usage error (2, printed).
 */
int adm_opt_other(struct adm *a, int c, char **argv);

/* Resets getopt for a command's argv (argv[0] is the command name). */
void adm_getopt_reset(void);

/*
 * After the options: exactly one argument left (@what names it in the
 * usage error). -1 with *out set, or ADM_EXIT_USAGE after printing why.
 */
int adm_one_arg(const struct adm *a, int argc, char **argv, const char *what,
		const char **out);
/* The same for a path inside the leofs namespace (absolute). */
int adm_ns_path_arg(const struct adm *a, int argc, char **argv,
		    const char **out);

/* ---- cluster.c ---------------------------------------------------------- */

/* Connects to the first MDS that answers and fetches the cluster map. */
int adm_cluster_open(struct adm *a);
void adm_cluster_close(struct adm *a);

/* Exit status for an error of adm_cluster_open(): -EINVAL is a usage one. */
static inline int adm_exit_status(int err)
{
	return !err	      ? ADM_EXIT_OK :
	       err == -EINVAL ? ADM_EXIT_USAGE :
				ADM_EXIT_FAIL;
}

/* The connection to the MDS serving the shard of ino (cached). */
int adm_mds_for_ino(struct adm *a, u64 ino, struct leofs_rpc **out);

/*
 * One request/reply: 0 with *status set, or a negative errno after
 * printing why (transport failure, timeout, undecodable reply).
 */
int adm_call(struct adm *a, struct leofs_rpc *r, u16 op, const void *req,
	     size_t req_size, void *rep, size_t rep_size,
	     struct leofs_rpc_reply *raw);

/* Resolves an absolute path in the namespace to its attributes. */
int adm_resolve(struct adm *a, const char *path, struct leofs_attr *attr);

/* A status as text: "no such file or directory (NOENT)". */
const char *adm_status_str(u32 status, char *buf, size_t len);

/* Opens a connection to an OSS node of the map (HELLO as admin). */
int adm_oss_connect(struct adm *a, const struct leofs_map_node *n,
		    struct leofs_rpc **out);

/* ---- commands ------------------------------------------------------------- */

int adm_cmd_status(struct adm *a, int argc, char **argv);
int adm_cmd_node_list(struct adm *a, int argc, char **argv);
int adm_cmd_node_show(struct adm *a, int argc, char **argv);
int adm_cmd_pool_list(struct adm *a, int argc, char **argv);
int adm_cmd_pool_create(struct adm *a, int argc, char **argv);
int adm_cmd_layout_get(struct adm *a, int argc, char **argv);
int adm_cmd_layout_set(struct adm *a, int argc, char **argv);
int adm_cmd_target_format(struct adm *a, int argc, char **argv);
int adm_cmd_client_list(struct adm *a, int argc, char **argv);
int adm_cmd_client_show(struct adm *a, int argc, char **argv);
int adm_cmd_client_stats(struct adm *a, int argc, char **argv);

/* Prints the usage of a command ("layout set") to f. */
void adm_print_usage(const char *cmd, FILE *f);

/* status.c, shared with node show: one target's space from its OSS. */
struct adm_space {
	bool reported; /* TARGET_STATFS answered */
	struct leofs_target_statfs_reply st;
};

/*
 * Asks each OSS node of the map (or only node only_node, if not 0) for
 * its targets' space, into out[] in map target order; nodes that do not
 * answer leave their targets unreported, and reachable[] (map node
 * order) says which answered.
 */
void adm_collect_space(struct adm *a, u32 only_node, struct adm_space *out,
		       bool *reachable);

#endif /* LEOFS_ADMIN_TOOL_H */
