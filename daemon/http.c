/* http.c - the HTTP server on the daemon's loop (http.h): evhttp, the
 * route table, the bearer token, and JSON replies and errors.  Every
 * answer is JSON but for /metrics and the wallboard page. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "http.h"
#include "json.h"
#include "log.h"
#include "redis_addr.h"
#include "util.h"
#include "wallboard.h"

/* Requests are small GETs; a client that sends more is not a browser or
 * a scraper. */
#define MAX_HEADERS_BYTES 16384
#define MAX_BODY_BYTES 4096
#define IDLE_TIMEOUT_S 60

struct csla_http {
	struct evhttp *http;
};

static void wallboard(csla_daemon_t *d, struct evhttp_request *req,
		      const struct evkeyvalq *q)
{
	csla_buf_t page = { (char *)csla_wallboard_html,
			    csla_wallboard_html_len, 0 };
	(void)d;
	(void)q;
	csla_http_send(req, 200, "text/html; charset=utf-8", &page);
}

static const struct route {
	const char *path;
	csla_http_fn fn;
	bool open;          /* answered without the token */
	const char *params; /* allowed query parameters; NULL: any */
} routes[] = {
	/* Probes carry no data: a load balancer need not know the token. */
	{ "/healthz", csla_api_healthz, true, "" },
	{ "/readyz", csla_api_readyz, true, "" },
	{ "/metrics", csla_api_metrics, false, "" },
	{ "/api/v1/tenants", csla_api_tenants, false, "" },
	{ "/api/v1/snapshot", csla_api_snapshot, false,
	  " tenant scope id window " },
	{ "/api/v1/series", csla_api_series, false,
	  " tenant scope id window metric hours " },
	{ "/api/v1/alerts", csla_api_alerts, false, " tenant " },
	{ "/api/v1/rules", csla_api_rules, false, " tenant " },
	/* The page holds no data; it asks the API with the token. */
	{ "/", wallboard, true, NULL },
};

/* ---- replies ------------------------------------------------------------ */

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

void csla_http_send(struct evhttp_request *req, int code, const char *type,
		    const csla_buf_t *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evbuffer_new();

	evhttp_add_header(h, "Content-Type",
			  type ? type : "application/json; charset=utf-8");
	/* Live numbers: a cached answer would be a wrong one. */
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (out)
		evbuffer_add(out, body->p, body->len);
	evhttp_send_reply(req, code, reason(code), out);
	if (out)
		evbuffer_free(out);
}

void csla_http_error(struct evhttp_request *req, int code, const char *fmt,
		     ...)
{
	char msg[512];
	csla_buf_t b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	csla_buf_puts(&b, "{\"error\":");
	csla_json_str(&b, msg, strlen(msg));
	csla_buf_puts(&b, "}\n");
	csla_http_send(req, code, NULL, &b);
	csla_buf_free(&b);
}

const char *csla_http_param(const struct evkeyvalq *q, const char *name)
{
	return evhttp_find_header(q, name);
}

/* ---- checks ------------------------------------------------------------- */

/* Whether the request carries the token, compared in constant time: both
 * sides are hashed first, so neither their bytes nor their lengths show in
 * the time the comparison takes. */
static bool authorized(const csla_daemon_t *d, struct evhttp_request *req)
{
	const char *tok = d->conf->http.token;
	const char *h = evhttp_find_header(
		evhttp_request_get_input_headers(req), "Authorization");
	unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	unsigned int wl = 0, gl = 0;

	if (!tok)
		return true;
	if (!h || strncasecmp(h, "Bearer ", 7))
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	if (!EVP_Digest(tok, strlen(tok), want, &wl, EVP_sha256(), NULL) ||
	    !EVP_Digest(h, strlen(h), got, &gl, EVP_sha256(), NULL) ||
	    wl != gl)
		return false;
	return CRYPTO_memcmp(want, got, wl) == 0;
}

/* Every parameter must be one the route knows, given once: a misspelt
 * one would otherwise be ignored silently. */
static bool params_ok(const struct route *r, const struct evkeyvalq *q,
		      struct evhttp_request *req)
{
	const struct evkeyval *kv, *o;
	char word[80];

	if (!r->params)
		return true;
	TAILQ_FOREACH(kv, q, next) {
		snprintf(word, sizeof word, " %s ", kv->key);
		if (strlen(kv->key) > 64 || !strstr(r->params, word)) {
			csla_http_error(req, 400, "%.64s: unknown parameter",
					kv->key);
			return false;
		}
		for (o = TAILQ_FIRST(q); o != kv; o = TAILQ_NEXT(o, next))
			if (!strcmp(o->key, kv->key)) {
				csla_http_error(req, 400, "%s: given twice",
						kv->key);
				return false;
			}
	}
	return true;
}

static void on_request(struct evhttp_request *req, void *arg)
{
	csla_daemon_t *d = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	struct evkeyvalq q;
	const struct route *r = NULL;

	for (size_t i = 0; path && i < sizeof routes / sizeof routes[0]; i++)
		if (!strcmp(path, routes[i].path))
			r = &routes[i];
	if (!r) {
		csla_http_error(req, 404, "no such path");
		return;
	}
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Allow", "GET, HEAD");
		csla_http_error(req, 405, "only GET and HEAD");
		return;
	}
	if (!r->open && !authorized(d, req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "WWW-Authenticate", "Bearer");
		csla_http_error(req, 401, "a valid bearer token is needed "
				"(Authorization: Bearer TOKEN)");
		return;
	}
	TAILQ_INIT(&q);
	if (query && evhttp_parse_query_str(query, &q)) {
		evhttp_clear_headers(&q);
		csla_http_error(req, 400, "the query string is malformed");
		return;
	}
	if (params_ok(r, &q, req))
		r->fn(d, req, &q);
	evhttp_clear_headers(&q);
}

/* ---- life ------------------------------------------------------------------ */

/* "127.0.0.1:8080", "[::1]:8080" of the bound socket. */
static void bound_name(evutil_socket_t fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		snprintf(buf, len, "?");
		return;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
		port = ntohs(a->sin6_port);
		snprintf(buf, len, "[%s]:%d", host, port);
		return;
	}
	const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
	inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
	port = ntohs(a->sin_port);
	snprintf(buf, len, "%s:%d", host, port);
}

int csla_http_start(csla_daemon_t *d, char *errstr, size_t errlen)
{
	const csla_http_conf_t *hc = &d->conf->http;
	csla_redis_addr_t a;
	struct evhttp_bound_socket *bs;
	char name[CSLA_REDIS_ADDR_STRLEN];

	if (!hc->enabled)
		return 0;
	/* Validated with the configuration; parsed again for its parts. */
	if (csla_listen_addr_parse(hc->listen, &a, errstr, errlen))
		return -1;
	d->http = csla_xcalloc(1, sizeof *d->http);
	d->http->http = evhttp_new(d->base);
	if (!d->http->http) {
		snprintf(errstr, errlen, "http: out of memory");
		csla_http_stop(d);
		return -1;
	}
	evhttp_set_allowed_methods(d->http->http,
				   EVHTTP_REQ_GET | EVHTTP_REQ_POST |
				   EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
				   EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
				   EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
				   EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(d->http->http, MAX_HEADERS_BYTES);
	evhttp_set_max_body_size(d->http->http, MAX_BODY_BYTES);
	evhttp_set_timeout(d->http->http, IDLE_TIMEOUT_S);
	evhttp_set_gencb(d->http->http, on_request, d);
	bs = evhttp_bind_socket_with_handle(d->http->http, a.host,
					    (ev_uint16_t)a.port);
	if (!bs) {
		snprintf(errstr, errlen, "http: cannot listen on %s: %s",
			 hc->listen, strerror(errno));
		csla_http_stop(d);
		return -1;
	}
	bound_name(evhttp_bound_socket_get_fd(bs), name, sizeof name);
	csla_log(CSLA_LOG_NOTICE, "http: listening on %s", name);
	return 0;
}

void csla_http_stop(csla_daemon_t *d)
{
	if (!d->http)
		return;
	if (d->http->http)
		evhttp_free(d->http->http);
	free(d->http);
	d->http = NULL;
}
