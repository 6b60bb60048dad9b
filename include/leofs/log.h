/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Daemon logging: to the systemd journal when running under systemd
 * (JOURNAL_STREAM or a journal socket), else to stderr. Library code does
 * not log; daemons log where they decide what to do about an error.
 *
 *	return log_error_errno(r, "cannot open target %s: %m", path);
 *
 * logs and returns r (a negative errno) in one step; %m prints r.
 */
#ifndef LEOFS_LOG_H
#define LEOFS_LOG_H

#include <syslog.h>

/* Program name used in messages; the log target is chosen on first use. */
void log_init(const char *ident);
/* Messages above this priority are dropped (default LOG_INFO). */
void log_set_max_level(int level);
/* Force stderr (tests, foreground runs) or the journal. */
void log_use_stderr(int on);

int log_internal(int level, int err, const char *file, int line,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define log_full_errno(level, err, ...) \
	log_internal((level), (err), __FILE__, __LINE__, __VA_ARGS__)

#define log_debug(...)	log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)	log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)	log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)	log_full_errno(LOG_ERR, 0, __VA_ARGS__)

#define log_warning_errno(err, ...) log_full_errno(LOG_WARNING, (err), __VA_ARGS__)
#define log_error_errno(err, ...) log_full_errno(LOG_ERR, (err), __VA_ARGS__)

#endif /* LEOFS_LOG_H */
