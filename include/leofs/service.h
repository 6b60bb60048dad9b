/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A daemon's life under systemd: READY and STATUS through sd_notify, the
 * watchdog pinged from the event loop, and SIGTERM/SIGINT draining the
 * server (stop accepting, wait for unfinished requests up to a timeout)
 * before the loop exits.
 */
#ifndef LEOFS_SERVICE_H
#define LEOFS_SERVICE_H

#include <systemd/sd-event.h>

#include "leofs/server.h"

/*
 * Blocks SIGTERM and SIGINT and creates the event loop that handles them;
 * call before starting any thread so every thread inherits the mask.
 */
int leofs_service_init(sd_event **ev);

/*
 * Announces READY with status, runs the loop until a signal drains srv
 * (which may be NULL), and returns the loop's exit code (0 on a clean stop).
 */
int leofs_service_run(sd_event *ev, struct leofs_server *srv,
		      unsigned drain_timeout_ms, const char *status);

/* STATUS= for systemctl status. */
void leofs_service_status(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* LEOFS_SERVICE_H */
