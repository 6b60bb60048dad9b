// SPDX-License-Identifier: GPL-2.0
/*
 * leofs-admin target format: a local directory becomes a storage target.
 * The storage engine's oss_target_format() does the work and refuses
 * anything but an empty or missing directory, so a target is never
 * formatted twice. Tools link libleofs.a only, so the engine is reached
 * through `leofs-oss --format`, found beside leofs-admin (or in PATH);
 * its message, if it refuses, is passed on.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool.h"

#define OSS_WEIGHT_MAX 1000000u /* daemons/oss/oss.h */

/* leofs-oss beside this program, else the name for a PATH search. */
static void oss_program(char *buf, size_t len)
{
	char self[PATH_MAX - 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	snprintf(buf, len, "leofs-oss");
	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash || len < sizeof(self) + 16)
		return;
	*slash = '\0';
	snprintf(buf, len, "%s/leofs-oss", self);
	if (access(buf, X_OK))
		snprintf(buf, len, "leofs-oss");
}

/*
 * Runs leofs-oss --format; 0, or -1 after printing its reason. Its
 * standard output (the success line) is not shown: the caller prints.
 */
static int run_format(struct adm *a, const char *path, const char *uuid,
		      const char *target, const char *tier, const char *weight)
{
	char prog[PATH_MAX], msg[1024];
	int out[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	char *nl, *why;

	oss_program(prog, sizeof(prog));
	if (pipe(out)) {
		adm_err(a, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		adm_err(a, "fork: %s", strerror(errno));
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (!pid) {
		dup2(out[1], STDERR_FILENO);
		dup2(open("/dev/null", O_WRONLY), STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		execlp(prog, "leofs-oss", "--format", path, "--cluster", uuid,
		       "--target", target, "--tier", tier, "--weight", weight,
		       (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(out[1]);
	while (got < sizeof(msg) - 1 &&
	       (n = read(out[0], msg + got, sizeof(msg) - 1 - got)) > 0)
		got += (size_t)n;
	msg[got] = '\0';
	close(out[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	nl = strchr(msg, '\n');
	if (nl)
		*nl = '\0';
	why = strncmp(msg, "leofs-oss: ", 11) ? msg : msg + 11;
	if (!strncmp(why, "cannot format ", 14))
		why = strstr(why, ": ") ? strstr(why, ": ") + 2 : why;
	adm_err(a, "cannot format %s: %s%s", path,
		*why ? why : "the storage engine refused",
		strstr(why, "not empty") ?
			" (a target is never formatted twice)" :
			"");
	return -1;
}

int adm_cmd_target_format(struct adm *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "tier", required_argument, NULL, 'T' },
		{ "weight", required_argument, NULL, 'w' },
		ADM_GLOBAL_OPTIONS,
		{ 0 },
	};
	const char *path, *tier_name = NULL;
	u64 target = 0, weight = 0;
	char uuid[40], tbuf[16], wbuf[16];
	int c, rc;

	adm_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (admin_parse_u64(optarg, 1, 0xffffffffu, &target))
				return adm_usage_err(a,
						     "--target: want a "
						     "number 1..4294967295, "
						     "not '%s'",
						     optarg);
			break;
		case 'T':
			if (admin_parse_tier(optarg) < 0)
				return adm_usage_err(a,
						     "--tier: want ssd, sas "
						     "or sata, not '%s'",
						     optarg);
			tier_name = optarg;
			break;
		case 'w':
			if (admin_parse_u64(optarg, 1, OSS_WEIGHT_MAX, &weight))
				return adm_usage_err(a,
						     "--weight: want 1..%u, "
						     "not '%s'",
						     OSS_WEIGHT_MAX, optarg);
			break;
		default:
			rc = adm_opt_other(a, c, argv);
			if (rc >= 0)
				return rc;
		}
	}
	rc = adm_one_arg(a, argc, argv, "PATH", &path);
	if (rc >= 0)
		return rc;
	if (!a->g.have_cluster)
		return adm_usage_err(a, "--cluster UUID is required");
	if (!target)
		return adm_usage_err(a, "--target ID is required");
	if (!tier_name)
		return adm_usage_err(a, "--tier is required");
	if (!weight)
		return adm_usage_err(a, "--weight is required");
	admin_format_uuid(a->g.cluster_id, uuid);
	snprintf(tbuf, sizeof(tbuf), "%llu", (unsigned long long)target);
	snprintf(wbuf, sizeof(wbuf), "%llu", (unsigned long long)weight);
	if (run_format(a, path, uuid, tbuf, tier_name, wbuf))
		return ADM_EXIT_FAIL;
	if (a->g.json)
		return admin_json_print(
			       json_pack("{s:s, s:s, s:I, s:s, s:I}", "path",
					 path, "cluster_id", uuid, "target",
					 (json_int_t)target, "tier", tier_name,
					 "weight", (json_int_t)weight),
			       stdout) ?
			       ADM_EXIT_FAIL :
			       0;
	printf("formatted %s as target %llu (%s, weight %llu) of cluster %s\n",
	       path, (unsigned long long)target, tier_name,
	       (unsigned long long)weight, uuid);
	return 0;
}
