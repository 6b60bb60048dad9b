// SPDX-License-Identifier: GPL-2.0
/* Daemon logging to the journal or stderr (include/leofs/log.h). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include "leofs/log.h"

static const char *log_ident = "leofs";
static int log_max_level = LOG_INFO;
static int log_to_stderr = -1;	/* -1: decide on first use */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_init(const char *ident)
{
	log_ident = ident;
}

void log_set_max_level(int level)
{
	log_max_level = level;
}

void log_use_stderr(int on)
{
	log_to_stderr = !!on;
}

static int want_stderr(void)
{
	if (log_to_stderr < 0)
		/* systemd sets JOURNAL_STREAM when stderr is the journal */
		log_to_stderr = getenv("JOURNAL_STREAM") == NULL;
	return log_to_stderr;
}

static const char *level_name(int level)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice",
		"info", "debug",
	};

	return level >= 0 && level < 8 ? names[level] : "?";
}

int log_internal(int level, int err, const char *file, int line,
		 const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int saved = errno;

	if (level > log_max_level)
		return err;
	/* %m prints err, the error being logged, not whatever errno holds */
	errno = err < 0 ? -err : err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errno = saved;

	if (want_stderr()) {
		pthread_mutex_lock(&log_lock);
		fprintf(stderr, "%s[%d]: %s: %s\n", log_ident, (int)getpid(),
			level_name(level), msg);
		pthread_mutex_unlock(&log_lock);
	} else if (err) {
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level,
				"SYSLOG_IDENTIFIER=%s", log_ident,
				"CODE_FILE=%s", file, "CODE_LINE=%d", line,
				"ERRNO=%d", err < 0 ? -err : err, NULL);
	} else {
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level,
				"SYSLOG_IDENTIFIER=%s", log_ident,
				"CODE_FILE=%s", file, "CODE_LINE=%d", line,
				NULL);
	}
	return err;
}
