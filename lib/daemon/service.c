// SPDX-License-Identifier: GPL-2.0
/* A daemon's life under systemd (include/leofs/service.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "leofs/log.h"
#include "leofs/service.h"

struct drain {
	struct leofs_server *srv;
	unsigned timeout_ms;
	u64 started;
	sd_event_source *timer;
};

static struct drain drain_state;

static u64 mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000 + (u64)ts.tv_nsec / 1000;
}

static int on_drain_tick(sd_event_source *src, uint64_t usec, void *data)
{
	struct drain *d = data;
	unsigned long busy = d->srv ? leofs_server_busy(d->srv) : 0;

	if (busy == 0) {
		log_info("drained; exiting");
		return sd_event_exit(sd_event_source_get_event(src), 0);
	}
	if (mono_usec() - d->started > (u64)d->timeout_ms * 1000) {
		log_warning("%lu requests still running after %u ms; exiting",
			    busy, d->timeout_ms);
		return sd_event_exit(sd_event_source_get_event(src), 0);
	}
	sd_event_source_set_time(src, usec + 20000);
	return 0;
}

static int on_signal(sd_event_source *src, const struct signalfd_siginfo *si,
		     void *data)
{
	struct drain *d = data;
	sd_event *ev = sd_event_source_get_event(src);

	if (d->timer)
		return 0;	/* already draining */
	log_info("received %s; draining", si->ssi_signo == SIGTERM ?
		 "SIGTERM" : "SIGINT");
	sd_notify(0, "STOPPING=1\nSTATUS=draining");
	if (d->srv)
		leofs_server_stop_accepting(d->srv);
	d->started = mono_usec();
	return sd_event_add_time_relative(ev, &d->timer, CLOCK_MONOTONIC, 0,
					  1000, on_drain_tick, d);
}

int leofs_service_init(sd_event **ev)
{
	sigset_t ss;
	int ret;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	ret = -pthread_sigmask(SIG_BLOCK, &ss, NULL);
	if (ret < 0)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	ret = sd_event_new(ev);
	if (ret < 0)
		return ret;
	ret = sd_event_add_signal(*ev, NULL, SIGTERM, on_signal, &drain_state);
	if (ret >= 0)
		ret = sd_event_add_signal(*ev, NULL, SIGINT, on_signal,
					  &drain_state);
	if (ret < 0) {
		*ev = sd_event_unref(*ev);
		return ret;
	}
	/* pings WATCHDOG=1 from the loop if the unit sets WatchdogSec= */
	sd_event_set_watchdog(*ev, 1);
	return 0;
}

int leofs_service_run(sd_event *ev, struct leofs_server *srv,
		      unsigned drain_timeout_ms, const char *status)
{
	drain_state.srv = srv;
	drain_state.timeout_ms = drain_timeout_ms;
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
	return sd_event_loop(ev);
}

void leofs_service_status(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", buf);
}
