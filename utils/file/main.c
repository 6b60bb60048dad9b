// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-file: files in and out of leofs without the kernel module. Global
 * options, the command table, help texts, messages and dispatch; every
 * command lives in its own file. Documentation/admin.md ("leofs-file") is
 * the reference.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct ft_command {
	const char *name;
	int (*fn)(struct ft *t, int argc, char **argv);
	const char *args;
	const char *help;
};

static const struct ft_command commands[] = {
	{ "put", ft_cmd_put, "[--force] LOCAL REMOTE",
	  "Store local file LOCAL ('-': standard input) as REMOTE, a path in\n"
	  "the leofs namespace; into REMOTE/NAME if REMOTE is a directory\n"
	  "(NAME: the last component of LOCAL). The data is stored with the\n"
	  "layout the new file inherits from its directory, then its size is\n"
	  "committed. A file that fails half way is removed.\n"
	  "  --force     replace an existing file\n" },
	{ "get", ft_cmd_get, "REMOTE LOCAL|-",
	  "Copy file REMOTE out of leofs into LOCAL (into LOCAL/NAME if it is\n"
	  "a directory; '-': standard output), checking that every byte of\n"
	  "its size arrived.\n" },
	{ "ls", ft_cmd_ls, "[-l] PATH",
	  "List a directory (sorted by name), or show one file.\n"
	  "  -l, --long  mode, links, owner, size and modification time\n" },
	{ "stat", ft_cmd_stat, "PATH",
	  "Show the attributes and the data layout of PATH.\n" },
	{ "rm", ft_cmd_rm, "PATH",
	  "Remove a file; the storage servers then delete its data.\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char global_help[] =
	"Paths inside leofs start with '/', the root of the filesystem.\n\n"
	"Global options (before or after the command):\n"
	"  --mds HOST:PORT[,...]  metadata servers (default: $LEOFS_MDS;\n"
	"                         port 7000 if omitted)\n"
	"  --cluster UUID         refuse servers of another cluster\n"
	"  --json                 ls and stat: print JSON\n"
	"  --timeout MS           reaching the cluster and each metadata\n"
	"                         request (default 5000)\n"
	"  -h, --help             help; 'leofs-file COMMAND --help'\n";

static void print_overview(FILE *f)
{
	size_t i;

	fprintf(f, "usage: leofs-file [OPTIONS] COMMAND [ARGS]\n\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s %s\n", commands[i].name, commands[i].args);
	fprintf(f, "\n%s", global_help);
}

void ft_print_usage(const char *cmd, FILE *f)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, cmd))
			fprintf(f, "usage: leofs-file %s %s\n\n%s\n%s", cmd,
				commands[i].args, commands[i].help,
				global_help);
}

static void vmsg(const struct ft *t, const char *fmt, va_list ap)
{
	fprintf(stderr, "leofs-file: ");
	if (t && t->cmd)
		fprintf(stderr, "%s: ", t->cmd);
	vfprintf(stderr, fmt, ap);
}

void ft_err(const struct ft *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(t, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ft_fail(const struct ft *t, const char *what, int err, const char *why)
{
	const char *name = err < 0 ? strerrorname_np(-err) : NULL;

	if (!why || !*why)
		why = strerror(-err);
	if (name)
		ft_err(t, "%s: %s (%s)", what, why, name);
	else
		ft_err(t, "%s: %s", what, why);
	return ADMIN_EXIT_FAIL;
}

int ft_usage_err(const struct ft *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(t, fmt, ap);
	va_end(ap);
	if (t && t->cmd)
		fprintf(stderr, "\nTry 'leofs-file %s --help'.\n", t->cmd);
	else
		fprintf(stderr, "\nTry 'leofs-file --help'.\n");
	return ADMIN_EXIT_USAGE;
}

/* 0 handled, 1 help, or an exit status after printing why. */
static int global_opt(struct ft *t, int c, const char *arg)
{
	char why[300];
	int rc = admin_global_opt(&t->g, c, arg, why, sizeof(why));

	if (rc == -EINVAL)
		return ft_usage_err(t, "%s", why);
	if (rc < 0)
		return ft_usage_err(t, "bad option");
	return rc;
}

/*
 * For a getopt result that no command option took: a global option (-1:
 * go on), help (printed: 0, exit), or a usage error (2, printed).
 */
static int opt_other(struct ft *t, int c, char **argv)
{
	int rc;

	if (c == '?')
		return ft_usage_err(t, "unknown option '%s'", argv[optind - 1]);
	if (c == ':')
		return ft_usage_err(t, "option '%s' needs a value",
				    argv[optind - 1]);
	rc = global_opt(t, c, optarg);
	if (rc == 1) {
		ft_print_usage(t->cmd, stdout);
		return ADMIN_EXIT_OK;
	}
	return rc ? rc : -1;
}

int ft_args(struct ft *t, int argc, char **argv, struct ft_args *a)
{
	struct option opts[] = {
		{ a->flag_name, no_argument, NULL,
		  a->flag_name ? *a->flag_name : 0 },
		ADMIN_GLOBAL_OPTIONS,
		{ 0 },
	};
	char shorts[4] = ":h";
	int c, rc;

	if (a->flag_name)
		shorts[2] = *a->flag_name;
	optind = 0; /* GNU: reinitialise; argv[0] is skipped */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts,
				a->flag_name ? opts : opts + 1, NULL)) != -1) {
		if (a->flag_name && c == *a->flag_name) {
			a->flag = true;
			continue;
		}
		rc = opt_other(t, c, argv);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind < a->n)
		return ft_usage_err(t, "missing %s", a->want);
	if (argc - optind > a->n)
		return ft_usage_err(t, "unexpected argument '%s'",
				    argv[optind + a->n]);
	a->operands = argv + optind;
	return -1;
}

static const struct ft_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { ADMIN_GLOBAL_OPTIONS, { 0 } };
	const struct ft_command *cmd;
	struct ft t = { .g.timeout_ms = FT_DEFAULT_TIMEOUT_MS };
	int c, rc;

	t.g.mds_arg = getenv("LEOFS_MDS");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return opt_other(&t, c, argv);
		rc = global_opt(&t, c, optarg);
		if (rc == 1) {
			print_overview(stdout);
			return ADMIN_EXIT_OK;
		}
		if (rc)
			return rc;
	}
	if (optind >= argc) {
		print_overview(stderr);
		return ADMIN_EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 >= argc) {
			print_overview(stdout);
			return ADMIN_EXIT_OK;
		}
		if (!find_command(argv[optind + 1]))
			return ft_usage_err(&t, "unknown command '%s'",
					    argv[optind + 1]);
		ft_print_usage(argv[optind + 1], stdout);
		return ADMIN_EXIT_OK;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return ft_usage_err(&t, "unknown command '%s'", argv[optind]);
	t.cmd = cmd->name;
	rc = cmd->fn(&t, argc - optind, argv + optind);
	ft_cluster_close(&t);
	return rc;
}
