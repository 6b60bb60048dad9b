// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-admin: the administrator's tool. Global options, the command
 * table, help texts and dispatch; every command lives in its own file.
 * Documentation/admin.md is the reference.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct adm_command {
	const char *name; /* "layout set" */
	int (*fn)(struct adm *a, int argc, char **argv);
	const char *args;
	const char *help;
};

static const struct adm_command commands[] = {
	{ "status", adm_cmd_status, "[--layout POOL=ec:K+M|replica:N]...",
	  "Cluster health in one screen: map epoch, MDS nodes and their\n"
	  "shards, OSS nodes and targets (state, tier, used and free space),\n"
	  "PG health per pool (clean, degraded, read-only) and capacity.\n"
	  "  --layout POOL=SCHEME  compute PG health of POOL for this scheme\n"
	  "                        (repeatable; default: the root directory's\n"
	  "                        layout for its pool, replica:3 for others)\n" },
	{ "node list", adm_cmd_node_list, "",
	  "List the OSS and MDS nodes of the cluster map.\n" },
	{ "node show", adm_cmd_node_show, "[oss|mds] ID",
	  "Show one node: an OSS node with its targets and their space\n"
	  "(asked from the node), or an MDS node with its shards.\n" },
	{ "pool list", adm_cmd_pool_list, "",
	  "List the pools: tier, PG count, eligible targets and nodes.\n" },
	{ "pool create", adm_cmd_pool_create,
	  "NAME --tier ssd|sas|sata --pgs N",
	  "Ask the map authority to add a pool of N placement groups over\n"
	  "the targets of a tier.\n" },
	{ "layout get", adm_cmd_layout_get, "PATH",
	  "Show the layout of PATH (a path inside the leofs namespace,\n"
	  "starting with '/').\n" },
	{ "layout set", adm_cmd_layout_set,
	  "PATH [--pool P] [--replica N | --ec K+M] [--unit BYTES] [--count S]",
	  "Change the layout of PATH; fields not given are kept. New files\n"
	  "and subdirectories inherit a directory's layout.\n"
	  "  --pool P       pool name (or id)\n"
	  "  --replica N    N copies (1..4)\n"
	  "  --ec K+M       erasure coding, K 2..16 data, M 1..4 parity\n"
	  "  --unit BYTES   stripe unit, power of two in 4K..64M (K, M, G)\n"
	  "  --count S      stripe count: slots a file spreads over (1..256)\n" },
	{ "target format", adm_cmd_target_format,
	  "PATH --cluster UUID --target ID --tier ssd|sas|sata --weight W",
	  "Format an empty (or missing) local directory as a storage target.\n"
	  "A formatted target is never formatted again.\n"
	  "  --weight W     capacity weight, 1..1000000\n" },
	{ "client list", adm_cmd_client_list, "",
	  "List the leofs mounts of this machine and their connections\n"
	  "(from the kernel module, over generic netlink).\n" },
	{ "client show", adm_cmd_client_show, "MOUNT_ID",
	  "Show one mount: source, map epoch, connections, statistics.\n" },
	{ "client stats", adm_cmd_client_stats, "[MOUNT_ID]",
	  "Request counts by type and error counters of the mounts.\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char global_help[] =
	"Global options (before or after the command):\n"
	"  --mds HOST:PORT[,...]  metadata servers (default: $LEOFS_MDS;\n"
	"                         port 7000 if omitted)\n"
	"  --cluster UUID         refuse servers of another cluster\n"
	"  --json                 print JSON instead of tables\n"
	"  --timeout MS           connect and request timeout (default 5000)\n"
	"  -h, --help             help; 'leofs-admin COMMAND --help'\n";

static void print_overview(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: leofs-admin [OPTIONS] COMMAND [ARGS]\n\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s %s\n", commands[i].name, commands[i].args);
	fprintf(f, "\n%s", global_help);
}

void adm_print_usage(const char *cmd, FILE *f)
{
	size_t i, n = strlen(cmd);
	bool any = false;

	for (i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name;

		/* "node" prints every "node ..." command */
		if (strcmp(name, cmd) &&
		    (strncmp(name, cmd, n) || name[n] != ' '))
			continue;
		fprintf(f, "%susage: leofs-admin %s %s\n\n%s", any ? "\n" : "",
			name, commands[i].args, commands[i].help);
		any = true;
	}
	if (any)
		fprintf(f, "\n%s", global_help);
}

void adm_err(const struct adm *a, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "leofs-admin: ");
	if (a && a->cmd)
		fprintf(stderr, "%s: ", a->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int adm_one_arg(const struct adm *a, int argc, char **argv, const char *what,
		const char **out)
{
	if (optind >= argc)
		return adm_usage_err(a, "missing %s", what);
	*out = argv[optind++];
	if (optind < argc)
		return adm_usage_err(a, "unexpected argument '%s'",
				     argv[optind]);
	return -1;
}

int adm_ns_path_arg(const struct adm *a, int argc, char **argv,
		    const char **out)
{
	int rc = adm_one_arg(a, argc, argv, "PATH", out);

	if (rc < 0 && (*out)[0] != '/')
		return adm_usage_err(a,
				     "'%s': want an absolute path inside "
				     "the leofs namespace, e.g. /images",
				     *out);
	return rc;
}

int adm_usage_err(const struct adm *a, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "leofs-admin: ");
	if (a && a->cmd)
		fprintf(stderr, "%s: ", a->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (a && a->cmd)
		fprintf(stderr, "\nTry 'leofs-admin %s --help'.\n", a->cmd);
	else
		fprintf(stderr, "\nTry 'leofs-admin --help'.\n");
	return ADM_EXIT_USAGE;
}

int adm_global_opt(struct adm *a, int c, const char *arg)
{
	char why[300];
	int rc = admin_global_opt(&a->g, c, arg, why, sizeof(why));

	if (rc == -EINVAL)
		return adm_usage_err(a, "%s", why);
	if (rc < 0)
		return adm_usage_err(a, "bad option");
	return rc;
}

int adm_opt_other(struct adm *a, int c, char **argv)
{
	int rc;

	if (c == '?')
		return adm_usage_err(a, "unknown option '%s'",
				     argv[optind - 1]);
	if (c == ':')
		return adm_usage_err(a, "option '%s' needs a value",
				     argv[optind - 1]);
	rc = adm_global_opt(a, c, optarg);
	if (rc == 1) {
		adm_print_usage(a->cmd, stdout);
		return ADM_EXIT_OK;
	}
	return rc ? rc : -1;
}

void adm_getopt_reset(void)
{
	optind = 0; /* GNU: reinitialise; argv[0] is skipped */
	opterr = 0;
}

static const struct adm_command *find_command(const char *w1, const char *w2,
					      bool *group)
{
	char name[64];
	size_t i, n = strlen(w1);

	*group = false;
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, w1))
			return &commands[i];
	for (i = 0; i < NCOMMANDS; i++)
		if (!strncmp(commands[i].name, w1, n) &&
		    commands[i].name[n] == ' ')
			*group = true;
	if (!*group || !w2)
		return NULL;
	snprintf(name, sizeof(name), "%s %s", w1, w2);
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { ADM_GLOBAL_OPTIONS, { 0 } };
	const struct adm_command *cmd;
	struct adm a = { .g.timeout_ms = ADM_DEFAULT_TIMEOUT_MS };
	char name[64];
	bool group;
	int c, rc, first;

	a.g.mds_arg = getenv("LEOFS_MDS");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c == '?') {
			fprintf(stderr,
				"leofs-admin: unknown option '%s'\n"
				"Try 'leofs-admin --help'.\n",
				argv[optind - 1]);
			return ADM_EXIT_USAGE;
		}
		rc = adm_global_opt(&a, c, optarg);
		if (rc == 1) {
			print_overview(stdout);
			return ADM_EXIT_OK;
		}
		if (rc)
			return rc;
	}
	if (optind >= argc) {
		print_overview(stderr);
		return ADM_EXIT_USAGE;
	}
	first = optind;
	if (!strcmp(argv[first], "help")) {
		if (first + 1 >= argc) {
			print_overview(stdout);
			return ADM_EXIT_OK;
		}
		snprintf(name, sizeof(name), "%s%s%s", argv[first + 1],
			 first + 2 < argc ? " " : "",
			 first + 2 < argc ? argv[first + 2] : "");
		cmd = find_command(argv[first + 1],
				   first + 2 < argc ? argv[first + 2] : NULL,
				   &group);
		if (!cmd && !group) {
			fprintf(stderr, "leofs-admin: unknown command '%s'\n",
				argv[first + 1]);
			return ADM_EXIT_USAGE;
		}
		adm_print_usage(cmd ? cmd->name : argv[first + 1], stdout);
		return ADM_EXIT_OK;
	}
	cmd = find_command(argv[first],
			   first + 1 < argc ? argv[first + 1] : NULL, &group);
	if (!cmd && group) {
		const char *sub = first + 1 < argc ? argv[first + 1] : NULL;

		if (sub && (!strcmp(sub, "--help") || !strcmp(sub, "-h"))) {
			adm_print_usage(argv[first], stdout);
			return ADM_EXIT_OK;
		}
		if (!sub)
			fprintf(stderr, "leofs-admin: %s: missing subcommand\n",
				argv[first]);
		else
			fprintf(stderr,
				"leofs-admin: %s: unknown subcommand "
				"'%s'\n",
				argv[first], sub);
		adm_print_usage(argv[first], stderr);
		return ADM_EXIT_USAGE;
	}
	if (!cmd) {
		fprintf(stderr,
			"leofs-admin: unknown command '%s'\n"
			"Try 'leofs-admin --help'.\n",
			argv[first]);
		return ADM_EXIT_USAGE;
	}
	a.cmd = cmd->name;
	/* the command sees argv from its last word on, like a program name */
	first += strchr(cmd->name, ' ') ? 1 : 0;
	rc = cmd->fn(&a, argc - first, argv + first);
	adm_cluster_close(&a);
	return rc;
}
