/*
 * daemon_systemd.h - callslad under systemd: the sd_notify protocol of a
 * Type=notify service (READY, STATUS, RELOADING, STOPPING, WATCHDOG)
 * driven from the daemon's loop (docs/systemd.md).  Without NOTIFY_SOCKET
 * in the environment nothing is sent and no timer runs.
 *
 * Every call takes the daemon; its state lives in d->sd, which
 * csla_sd_new() creates and csla_sd_destroy() frees.
 */
#ifndef CALLSLA_DAEMON_SYSTEMD_H
#define CALLSLA_DAEMON_SYSTEMD_H

#include <stddef.h>

struct csla_daemon;
typedef struct csla_sd csla_sd_t;

/* Creates d->sd and, on d->base, the status timer and (when systemd set
 * WATCHDOG_USEC for this process) the watchdog timer; says "starting".
 * Returns 0, or -1 with errstr set when libevent cannot make a timer. */
int csla_sd_new(struct csla_daemon *d, char *errstr, size_t errlen);

/* Frees d->sd and its timers (NULL-safe); d->base must still exist. */
void csla_sd_destroy(struct csla_daemon *d);

/* Sends READY=1, once, when the first group assignment has been served
 * (d->joined) and the Redis connection is up (d->rconnected).  Called
 * wherever either becomes true. */
void csla_sd_ready_check(struct csla_daemon *d);

/* Around a SIGHUP reload: RELOADING=1 with MONOTONIC_USEC, then READY=1
 * and a STATUS saying whether the new file runs or, with `error` (the
 * FILE:LINE message, borrowed), that the previous configuration still
 * does.  Before the first READY only the STATUS is sent. */
void csla_sd_reloading(struct csla_daemon *d);
void csla_sd_reloaded(struct csla_daemon *d, const char *error);

/* STOPPING=1, once, when the loop has ended for whatever reason. */
void csla_sd_stopping(struct csla_daemon *d);

#endif
