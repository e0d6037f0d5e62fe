/* daemon_systemd.c - the sd_notify side of callslad's Type=notify unit
 * (daemon_systemd.h, docs/systemd.md).  Messages are libsystemd's
 * sd_notify() datagrams to $NOTIFY_SOCKET; the timers run on the daemon's
 * loop, so a loop that stalls stops the watchdog pings and systemd
 * restarts the service. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "daemon_systemd.h"
#include "log.h"
#include "util.h"

/* `systemctl status` shows the last STATUS; this keeps it current. */
#define STATUS_PERIOD_MS 5000

struct csla_sd {
	struct event *status_ev, *watchdog_ev;
	bool ready, stopping, warned;
	uint64_t events_then;   /* d->events_in at the last rate sample */
	int64_t then_us;        /* ... and when (monotonic) */
	uint64_t rate;          /* events/s over the last status period */
	char reload_error[512]; /* the last reload's failure; "" once one works */
};

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A socket that refuses is reported once, not at every status. */
static void send_msg(csla_daemon_t *d, const char *msg)
{
	int r = sd_notify(0, msg);
	if (r < 0 && !d->sd->warned) {
		d->sd->warned = true;
		csla_log(CSLA_LOG_WARNING, "sd_notify: %s", strerror(-r));
	}
}

/* Sends `head` (other assignments, each ending in "\n") and
 * STATUS=STATE: N partitions, R events/s, Redis up|down[, degraded][; NOTE]
 * where a failed reload's error stands in for NOTE until a reload works. */
static void send_status(csla_daemon_t *d, const char *head, const char *note)
{
	const csla_sd_t *sd = d->sd;
	const char *state = sd->stopping ? "stopping"
			    : sd->ready  ? "running"
			    : d->joined  ? "starting, waiting for Redis"
					 : "starting, joining the consumer group";
	uint32_t parts = 0;
	char msg[1024];

	for (uint32_t p = 0; p < d->nslots; p++)
		parts += d->slots[p] != NULL;
	if (*sd->reload_error)
		note = sd->reload_error;
	snprintf(msg, sizeof msg, "%sSTATUS=%s: %" PRIu32 " partition%s, %"
		 PRIu64 " events/s, Redis %s%s%s%s%s", head, state, parts,
		 parts == 1 ? "" : "s", sd->rate,
		 d->rconnected ? "up" : "down", d->degraded ? ", degraded" : "",
		 note ? "; " : "",
		 *sd->reload_error ? "reload failed, running the previous "
				     "configuration: " : "",
		 note ? note : "");
	send_msg(d, msg);
}

static void on_status(evutil_socket_t fd, short what, void *arg)
{
	csla_daemon_t *d = arg;
	csla_sd_t *sd = d->sd;
	int64_t now = mono_us();
	(void)fd;
	(void)what;

	if (now > sd->then_us)
		sd->rate = (d->events_in - sd->events_then) * 1000000 /
			   (uint64_t)(now - sd->then_us);
	sd->events_then = d->events_in;
	sd->then_us = now;
	send_status(d, "", NULL);
}

/* The timer firing is the health check: it runs on the loop that serves
 * Kafka and Redis.  Outages of either are the daemon's to ride out (a
 * restart would not help), so they do not stop the pings. */
static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	csla_daemon_t *d = arg;
	(void)fd;
	(void)what;
	if (!d->stopping)
		send_msg(d, "WATCHDOG=1");
}

static struct event *every(csla_daemon_t *d, int64_t us,
			   event_callback_fn fn)
{
	struct timeval tv = { (time_t)(us / 1000000),
			      (suseconds_t)(us % 1000000) };
	struct event *ev = event_new(d->base, -1, EV_PERSIST, fn, d);
	if (ev && event_add(ev, &tv) == -1) {
		event_free(ev);
		ev = NULL;
	}
	return ev;
}

int csla_sd_new(csla_daemon_t *d, char *errstr, size_t errlen)
{
	uint64_t wd_us = 0;

	d->sd = NULL;
	if (!getenv("NOTIFY_SOCKET"))
		return 0;
	d->sd = csla_xcalloc(1, sizeof *d->sd);
	d->sd->then_us = mono_us();
	d->sd->events_then = d->events_in;
	d->sd->status_ev = every(d, (int64_t)STATUS_PERIOD_MS * 1000,
				 on_status);
	int wd = sd_watchdog_enabled(0, &wd_us);
	if (wd < 0)
		csla_log(CSLA_LOG_WARNING, "systemd watchdog settings "
			 "unreadable (%s); not pinging", strerror(-wd));
	if (wd > 0)
		d->sd->watchdog_ev = every(d, (int64_t)(wd_us / 2), on_watchdog);
	if (!d->sd->status_ev || (wd > 0 && !d->sd->watchdog_ev)) {
		snprintf(errstr, errlen, "systemd notification timers: out of "
			 "memory");
		csla_sd_destroy(d);
		return -1;
	}
	if (wd > 0)
		send_msg(d, "WATCHDOG=1");
	send_status(d, "", NULL);
	return 0;
}

void csla_sd_destroy(csla_daemon_t *d)
{
	csla_sd_t *sd = d->sd;
	if (!sd)
		return;
	if (sd->status_ev)
		event_free(sd->status_ev);
	if (sd->watchdog_ev)
		event_free(sd->watchdog_ev);
	free(sd);
	d->sd = NULL;
}

void csla_sd_ready_check(csla_daemon_t *d)
{
	csla_sd_t *sd = d->sd;
	if (!sd || sd->ready || d->stopping || !d->joined || !d->rconnected)
		return;
	sd->ready = true;
	send_status(d, "READY=1\n", NULL);
}

void csla_sd_reloading(csla_daemon_t *d)
{
	char msg[128];
	if (!d->sd || !d->sd->ready)
		return;
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%" PRId64
		 "\nSTATUS=reloading the configuration", mono_us());
	send_msg(d, msg);
}

void csla_sd_reloaded(csla_daemon_t *d, const char *error)
{
	csla_sd_t *sd = d->sd;
	if (!sd)
		return;
	snprintf(sd->reload_error, sizeof sd->reload_error, "%s",
		 error ? error : "");
	/* One line: a newline would end the STATUS assignment. */
	for (char *c = sd->reload_error; *c; c++)
		if (*c == '\n')
			*c = ' ';
	send_status(d, sd->ready ? "READY=1\n" : "",
		    error ? NULL : "configuration reloaded");
}

void csla_sd_stopping(csla_daemon_t *d)
{
	csla_sd_t *sd = d->sd;
	if (!sd || sd->stopping)
		return;
	sd->stopping = true;
	send_status(d, "STOPPING=1\n", NULL);
}
