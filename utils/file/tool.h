/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leofs-file internals: the command context, messages, the connection to
 * the cluster, and one entry point per command (one file each).
 */
#ifndef LEOFS_FILE_TOOL_H
#define LEOFS_FILE_TOOL_H

#include <getopt.h>
#include <stdbool.h>

#include "leofs/client.h"
#include "leofs/nsclient.h"
#include "../../lib/admin/admin.h"

#define FT_MAX_MDS	      16
#define FT_DEFAULT_TIMEOUT_MS 5000
#define FT_DATA_TIMEOUT_MS    30000 /* least wait for a data request */
#define FT_CHUNK	      (32u << 20) /* file data moved at a time */

struct ft {
	const char *cmd; /* "put", for messages */
	struct admin_globals g;

	struct leofs_ns *ns; /* the metadata servers */
	struct leofs_client *data; /* the storage servers */
	struct leofs_mapview *view; /* the map the data client started with */
};

/* ---- main.c ------------------------------------------------------------------ */

/* "leofs-file: <cmd>: ..." on stderr. */
void ft_err(const struct ft *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "leofs-file: <cmd>: <what>: <why> (ENAME)"; returns ADMIN_EXIT_FAIL. */
int ft_fail(const struct ft *t, const char *what, int err, const char *why);
/* A usage error: the message, then a pointer to --help; returns 2. */
int ft_usage_err(const struct ft *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A command's line: its flag option if it has one (--NAME and -N, N the
 * name's first letter), the global options, and exactly n operands.
 */
struct ft_args {
	const char *flag_name; /* "force"; NULL: none */
	bool flag; /* it was given */
	int n; /* operands */
	const char *want; /* "PATH": what is missing, for messages */
	char **operands; /* the n operands, in argv */
};

/* -1: go on; else the exit status (help printed: 0; usage error: 2). */
int ft_args(struct ft *t, int argc, char **argv, struct ft_args *a);
/* Prints the usage of a command to f. */
void ft_print_usage(const char *cmd, FILE *f);

/* ---- cluster.c -------------------------------------------------------------- */

/* Connects to the metadata servers (0, or an exit status after printing). */
int ft_cluster_open(struct ft *t);
/* And to the storage servers, for file data. */
int ft_data_open(struct ft *t);
void ft_cluster_close(struct ft *t);
/* Bytes of file data per read or write: whole stripes when they fit. */
size_t ft_chunk_size(const struct leofs_layout *l);

/* ---- path.c -------------------------------------------------------------------- */

/*
 * Splits an absolute path into its directory and last component:
 * "/a/b" -> "/a", "b"; "/a/" -> "/a", ""; "/" -> "/", "". dir has room
 * for the whole path.
 */
void ft_split(const char *path, char *dir, const char **base);

/* Paths inside leofs are absolute: 0, or 2 after saying so. */
int ft_absolute(struct ft *t, const char *path);

/*
 * Resolves a path, printing why on failure: 0 or an exit status
 * (usage errors: 2).
 */
int ft_walk(struct ft *t, const char *path, struct leofs_attr *attr);

/* ---- attr.c -------------------------------------------------------------------- */

/* "file", "directory", "symlink", ... */
const char *ft_type_name(u32 mode);
/* "-rw-r--r--"; buf of at least 11 bytes. */
const char *ft_mode_str(u32 mode, char *buf);
/* "2024-05-01 12:34:56" (local time); buf of at least 32 bytes. */
const char *ft_time_str(const struct leofs_timespec *ts, char *buf, size_t len);
/* The attributes as a JSON object (new reference or NULL). */
json_t *ft_json_attr(const struct leofs_attr *a, const struct leofs_map *map);

/* ---- commands --------------------------------------------------------------------- */

int ft_cmd_put(struct ft *t, int argc, char **argv);
int ft_cmd_get(struct ft *t, int argc, char **argv);
int ft_cmd_ls(struct ft *t, int argc, char **argv);
int ft_cmd_stat(struct ft *t, int argc, char **argv);
int ft_cmd_rm(struct ft *t, int argc, char **argv);

#endif /* LEOFS_FILE_TOOL_H */
