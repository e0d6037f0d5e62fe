/*
 * notify_format.h - the HTTP request that carries an alert notification to
 * each kind of notifier (docs/alerts.md, "Notifiers"): URL, headers and
 * JSON body, and the Standard Webhooks signature.  Pure: the caller says
 * what time it is, so the same event and time give the same bytes.
 */
#ifndef CALLSLA_NOTIFY_FORMAT_H
#define CALLSLA_NOTIFY_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "callsla/alert.h"
#include "callsla/config.h"
#include "callsla/engine.h"

#define CSLA_NOTIFY_MAX_HEADERS 8
/* The longest signing key (a raw secret, or a decoded whsec_ one). */
#define CSLA_NOTIFY_KEY_MAX 1024
/* "v1," + base64 of 32 bytes + NUL */
#define CSLA_NOTIFY_SIG_LEN 48

/* One POST.  Owned by whoever filled it: csla_notify_req_free(). */
typedef struct csla_notify_req {
	char *url;
	char *headers[CSLA_NOTIFY_MAX_HEADERS]; /* "Name: value" */
	size_t nheaders;
	csla_buf_t body;
} csla_notify_req_t;

void csla_notify_req_free(csla_notify_req_t *r);

/* The request delivering ev to notifier nc at wall time now_ms (the
 * webhook's timestamp, Alertmanager's endsAt of a firing alert).  Fills
 * *out (zeroed first) and returns 0, or -1 with errstr when nc cannot send
 * (no URL, a bad secret, PagerDuty without a routing key); *out is then
 * empty.  Validation sets PagerDuty's default URL. */
int csla_notify_format(const csla_notifier_conf_t *nc,
		       const csla_alert_event_t *ev, int64_t now_ms,
		       csla_notify_req_t *out, char *errstr, size_t errlen);

/* Alertmanager only: one POST re-posting n firing alerts (evs borrowed). */
int csla_notify_format_am(const csla_notifier_conf_t *nc,
			  const csla_alert_event_t *const *evs, size_t n,
			  int64_t now_ms, csla_notify_req_t *out,
			  char *errstr, size_t errlen);

/* The signing key of a webhook secret: "whsec_" + base64 is decoded, any
 * other string is its own bytes.  Writes at most *keylen bytes to key and
 * sets *keylen.  Returns 0, or -1 when the base64 is bad or the key
 * longer than *keylen.
 * Public so that validation can refuse a bad secret early. */
int csla_notify_secret_key(const char *secret, unsigned char *key,
			   size_t *keylen);

/* Standard Webhooks signature "v1,<base64 HMAC-SHA256(key,
 * msg_id "." ts_s "." body)>" into sig (CSLA_NOTIFY_SIG_LEN bytes).
 * Returns 0, or -1 when the secret is bad. */
int csla_notify_sign(const char *secret, const char *msg_id, int64_t ts_s,
		     const void *body, size_t len, char *sig);

#endif
