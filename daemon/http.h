/*
 * http.h - callslad's HTTP server (docs/http.md): evhttp on the daemon's
 * loop, routing, the bearer token, JSON errors.  The handlers live in
 * http_api.c (JSON API, health) and http_metrics.c (/metrics); they answer
 * through the helpers below.  Private to the daemon.
 */
#ifndef CALLSLA_HTTP_H
#define CALLSLA_HTTP_H

#include <stddef.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "callsla/engine.h"
#include "daemon.h"

/* Starts the server when http.enabled, on d->base, and logs the bound
 * address ("http: listening on 127.0.0.1:NNNNN": the port the kernel chose
 * for port 0).  Returns 0, or -1 with errstr (the address cannot be bound). */
int csla_http_start(csla_daemon_t *d, char *errstr, size_t errlen);
/* Closes the server and its connections.  Requests still waiting for
 * Redis must have been answered (dr_disconnect does). */
void csla_http_stop(csla_daemon_t *d);

/* A handler: answers req now, or later from a Redis callback.  q holds
 * the query's parameters, checked against the route's list. */
typedef void (*csla_http_fn)(csla_daemon_t *d, struct evhttp_request *req,
			     const struct evkeyvalq *q);

/* The value of parameter name, or NULL when absent. */
const char *csla_http_param(const struct evkeyvalq *q, const char *name);

/* Sends body (JSON unless type says otherwise) with status code.  body is
 * not freed. */
void csla_http_send(struct evhttp_request *req, int code, const char *type,
		    const csla_buf_t *body);
/* Sends {"error":"<message>"} with status code. */
__attribute__((format(printf, 3, 4)))
void csla_http_error(struct evhttp_request *req, int code, const char *fmt,
		     ...);

/* http_api.c */
void csla_api_healthz(csla_daemon_t *d, struct evhttp_request *req,
		      const struct evkeyvalq *q);
void csla_api_readyz(csla_daemon_t *d, struct evhttp_request *req,
		     const struct evkeyvalq *q);
void csla_api_tenants(csla_daemon_t *d, struct evhttp_request *req,
		      const struct evkeyvalq *q);
void csla_api_snapshot(csla_daemon_t *d, struct evhttp_request *req,
		       const struct evkeyvalq *q);
void csla_api_series(csla_daemon_t *d, struct evhttp_request *req,
		     const struct evkeyvalq *q);
void csla_api_alerts(csla_daemon_t *d, struct evhttp_request *req,
		     const struct evkeyvalq *q);
void csla_api_rules(csla_daemon_t *d, struct evhttp_request *req,
		    const struct evkeyvalq *q);
/* http_metrics.c */
void csla_api_metrics(csla_daemon_t *d, struct evhttp_request *req,
		      const struct evkeyvalq *q);

#endif
