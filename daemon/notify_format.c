/* notify_format.c - the request of each notifier kind (notify_format.h):
 * generic webhook (Standard Webhooks signing), Slack incoming webhook,
 * PagerDuty Events API v2, Alertmanager API v2.  Pure. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "callsla/snapshot.h"
#include "callsla/timefmt.h"
#include "json.h"
#include "notify_format.h"
#include "util.h"

#define AM_PATH "/api/v2/alerts"
/* PagerDuty truncates a longer summary; we cut it ourselves, on a
 * character boundary, so the JSON stays valid UTF-8. */
#define PD_SUMMARY_MAX 1024

/* The labels every Alertmanager alert carries, before the rule's own. */
static const char *const am_labels[] = {
	"alertname", "tenant", "scope", "id", "severity", "window",
};

static char *xstrdup(const char *s)
{
	return csla_xstrndup(s, strlen(s));
}

void csla_notify_req_free(csla_notify_req_t *r)
{
	free(r->url);
	for (size_t i = 0; i < r->nheaders; i++)
		free(r->headers[i]);
	csla_buf_free(&r->body);
	memset(r, 0, sizeof *r);
}

static void put_jstr(csla_buf_t *b, const char *s)
{
	csla_json_str(b, s ? s : "", s ? strlen(s) : 0);
}

/* "name": */
static void put_key(csla_buf_t *b, const char *name)
{
	put_jstr(b, name);
	csla_buf_put(b, ":", 1);
}

static void put_time(csla_buf_t *b, int64_t ms)
{
	char buf[32];
	csla_time_format_utc(ms, buf, sizeof buf);
	put_jstr(b, buf);
}

/* ---- webhook ------------------------------------------------------------ */

/* The Standard Webhooks payload shape, {"type", "timestamp", "data"},
 * around the event's one JSON form (the Redis stream's). */
static void webhook_body(csla_buf_t *b, const csla_alert_event_t *ev)
{
	csla_buf_puts(b, "{\"type\":\"alert.");
	csla_buf_puts(b, csla_alert_kind_name(ev->kind));
	csla_buf_puts(b, "\",\"timestamp\":");
	put_time(b, ev->at_ms);
	csla_buf_puts(b, ",\"data\":");
	csla_alert_event_json(ev, b);
	csla_buf_puts(b, "}");
}

int csla_notify_secret_key(const char *secret, unsigned char *key,
			   size_t *keylen)
{
	size_t n = strlen(secret);
	if (strncmp(secret, "whsec_", 6)) {
		if (n > *keylen)
			return -1;
		memcpy(key, secret, n);
		*keylen = n;
		return 0;
	}
	const char *b64 = secret + 6;
	n -= 6;
	if (n == 0 || n % 4 || n / 4 * 3 > *keylen)
		return -1;
	int got = EVP_DecodeBlock(key, (const unsigned char *)b64, (int)n);
	if (got < 0)
		return -1;
	/* EVP_DecodeBlock counts the bytes the padding stands for. */
	size_t pad = (b64[n - 1] == '=') + (b64[n - 2] == '=');
	*keylen = (size_t)got - pad;
	return 0;
}

int csla_notify_sign(const char *secret, const char *msg_id, int64_t ts_s,
		     const void *body, size_t len, char *sig)
{
	unsigned char key[CSLA_NOTIFY_KEY_MAX];
	size_t keylen = sizeof key;
	if (csla_notify_secret_key(secret, key, &keylen) < 0)
		return -1;
	csla_buf_t m = { 0 };
	char ts[24];
	snprintf(ts, sizeof ts, ".%" PRId64 ".", ts_s);
	csla_buf_puts(&m, msg_id);
	csla_buf_puts(&m, ts);
	csla_buf_put(&m, body, len);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)m.p, m.len,
	     mac, &maclen);
	explicit_bzero(key, sizeof key);
	csla_buf_free(&m);
	memcpy(sig, "v1,", 3);
	EVP_EncodeBlock((unsigned char *)sig + 3, mac, (int)maclen);
	return 0;
}

/* webhook-id: the delivery's name, the same on every retry, so that a
 * receiver can drop a duplicate. */
static int webhook_req(const csla_notifier_conf_t *nc,
		       const csla_alert_event_t *ev, int64_t now_ms,
		       csla_notify_req_t *out, char *errstr, size_t errlen)
{
	webhook_body(&out->body, ev);
	char id[512], hdr[600];
	snprintf(id, sizeof id, "%s:%" PRIu64, ev->dedup_key, ev->seq);
	int64_t ts = now_ms / 1000;
	snprintf(hdr, sizeof hdr, "webhook-id: %s", id);
	out->headers[out->nheaders++] = xstrdup(hdr);
	snprintf(hdr, sizeof hdr, "webhook-timestamp: %" PRId64, ts);
	out->headers[out->nheaders++] = xstrdup(hdr);
	if (!nc->secret)
		return 0;
	char sig[CSLA_NOTIFY_SIG_LEN];
	if (csla_notify_sign(nc->secret, id, ts, out->body.p, out->body.len,
			     sig) < 0) {
		snprintf(errstr, errlen,
			 "notifier %s: secret: \"whsec_\" must be followed "
			 "by base64", nc->name);
		return -1;
	}
	snprintf(hdr, sizeof hdr, "webhook-signature: %s", sig);
	out->headers[out->nheaders++] = xstrdup(hdr);
	return 0;
}

/* ---- Slack -------------------------------------------------------------- */

/* Slack's text escaping: only &, < and > (its mrkdwn control
 * characters); JSON escaping comes on top. */
static void put_slack_esc(csla_buf_t *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': csla_buf_puts(b, "&amp;"); break;
		case '<': csla_buf_puts(b, "&lt;"); break;
		case '>': csla_buf_puts(b, "&gt;"); break;
		default: csla_buf_put(b, s + i, 1);
		}
	}
}

/* "FIRING [critical] rule: summary": one short line per transition. */
static void slack_body(csla_buf_t *b, const csla_alert_event_t *ev)
{
	static const char *const head[] = {
		[CSLA_AK_FIRING] = "FIRING", [CSLA_AK_REPEAT] = "STILL FIRING",
		[CSLA_AK_RESOLVED] = "RESOLVED",
	};
	csla_buf_t line = { 0 }, esc = { 0 };
	csla_buf_printf(&line, "%s [%s] %s: %s", head[ev->kind],
			csla_severity_name(ev->rule->severity), ev->rule->name,
			ev->summary ? ev->summary : "");
	put_slack_esc(&esc, line.p, line.len);
	csla_buf_puts(b, "{\"text\":");
	csla_json_str(b, esc.p, esc.len);
	csla_buf_puts(b, "}");
	csla_buf_free(&line);
	csla_buf_free(&esc);
}

/* ---- PagerDuty ---------------------------------------------------------- */

/* At most max bytes of s, not cutting a UTF-8 sequence. */
static size_t utf8_clip(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static void pagerduty_body(csla_buf_t *b, const csla_notifier_conf_t *nc,
			   const csla_alert_event_t *ev)
{
	csla_buf_puts(b, "{\"routing_key\":");
	put_jstr(b, nc->routing_key);
	csla_buf_puts(b, ",\"event_action\":");
	put_jstr(b, ev->kind == CSLA_AK_RESOLVED ? "resolve" : "trigger");
	csla_buf_puts(b, ",\"dedup_key\":");
	put_jstr(b, ev->dedup_key);
	if (ev->kind == CSLA_AK_RESOLVED) {
		csla_buf_puts(b, "}");
		return;
	}
	const char *sum = ev->summary ? ev->summary : "";
	csla_buf_puts(b, ",\"payload\":{\"summary\":");
	csla_json_str(b, sum, utf8_clip(sum, strlen(sum), PD_SUMMARY_MAX));
	csla_buf_t w = { 0 };
	csla_buf_printf(&w, "%.*s/%s/%.*s", (int)ev->tenant.len, ev->tenant.p,
			csla_scope_name(ev->scope), (int)ev->id.len, ev->id.p);
	csla_buf_puts(b, ",\"source\":");
	csla_json_str(b, w.p, w.len);
	csla_buf_free(&w);
	csla_buf_puts(b, ",\"severity\":");
	put_jstr(b, csla_severity_name(ev->rule->severity));
	csla_buf_puts(b, ",\"timestamp\":");
	put_time(b, ev->at_ms);
	csla_buf_puts(b, ",\"custom_details\":");
	csla_alert_event_json(ev, b);
	csla_buf_puts(b, "}}");
}

/* ---- Alertmanager ------------------------------------------------------- */

static bool am_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof am_labels / sizeof am_labels[0]; i++)
		if (!strcmp(name, am_labels[i]))
			return true;
	return false;
}

/* One alert.  Like Prometheus: startsAt is when it fired; a firing alert
 * is valid for 4 resend intervals (it is re-posted every one), a resolved
 * one ends when it resolved. */
static void am_alert(csla_buf_t *b, const csla_notifier_conf_t *nc,
		     const csla_alert_event_t *ev, int64_t now_ms)
{
	const csla_alert_rule_t *r = ev->rule;
	csla_buf_puts(b, "{\"labels\":{\"alertname\":");
	put_jstr(b, r->name);
	csla_buf_puts(b, ",\"tenant\":");
	csla_json_str(b, ev->tenant.p, ev->tenant.len);
	csla_buf_puts(b, ",\"scope\":");
	put_jstr(b, csla_scope_name(ev->scope));
	csla_buf_puts(b, ",\"id\":");
	csla_json_str(b, ev->id.p, ev->id.len);
	csla_buf_puts(b, ",\"severity\":");
	put_jstr(b, csla_severity_name(r->severity));
	csla_buf_puts(b, ",\"window\":");
	put_jstr(b, ev->window);
	for (size_t i = 0; i < r->nlabels; i++) {
		if (am_builtin(r->labels[i].key))
			continue;
		csla_buf_put(b, ",", 1);
		put_key(b, r->labels[i].key);
		put_jstr(b, r->labels[i].value);
	}
	csla_buf_puts(b, "},\"annotations\":{\"summary\":");
	put_jstr(b, ev->summary);
	csla_buf_puts(b, ",\"dedup_key\":");
	put_jstr(b, ev->dedup_key);
	csla_buf_puts(b, "},\"startsAt\":");
	put_time(b, ev->fired_ms ? ev->fired_ms : ev->at_ms);
	if (ev->kind == CSLA_AK_RESOLVED) {
		csla_buf_puts(b, ",\"endsAt\":");
		put_time(b, ev->at_ms);
	} else if (nc->resend_ms > 0) {
		csla_buf_puts(b, ",\"endsAt\":");
		put_time(b, now_ms + 4 * nc->resend_ms);
	}
	csla_buf_puts(b, "}");
}

static char *am_url(const char *base)
{
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	char *u = csla_xmalloc(n + sizeof AM_PATH);
	memcpy(u, base, n);
	memcpy(u + n, AM_PATH, sizeof AM_PATH);
	return u;
}

int csla_notify_format_am(const csla_notifier_conf_t *nc,
			  const csla_alert_event_t *const *evs, size_t n,
			  int64_t now_ms, csla_notify_req_t *out,
			  char *errstr, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!nc->url) {
		snprintf(errstr, errlen, "notifier %s: no url", nc->name);
		return -1;
	}
	out->url = am_url(nc->url);
	out->headers[out->nheaders++] = xstrdup("Content-Type: application/json");
	csla_buf_put(&out->body, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			csla_buf_put(&out->body, ",", 1);
		am_alert(&out->body, nc, evs[i], now_ms);
	}
	csla_buf_put(&out->body, "]", 1);
	return 0;
}

/* ---- dispatch ------------------------------------------------------------ */

int csla_notify_format(const csla_notifier_conf_t *nc,
		       const csla_alert_event_t *ev, int64_t now_ms,
		       csla_notify_req_t *out, char *errstr, size_t errlen)
{
	if (nc->kind == CSLA_NOTIFY_ALERTMANAGER)
		return csla_notify_format_am(nc, &ev, 1, now_ms, out, errstr,
					     errlen);
	memset(out, 0, sizeof *out);
	if (!nc->url) {
		snprintf(errstr, errlen, "notifier %s: no url", nc->name);
		return -1;
	}
	if (nc->kind == CSLA_NOTIFY_PAGERDUTY && !nc->routing_key) {
		snprintf(errstr, errlen, "notifier %s: no routing_key",
			 nc->name);
		return -1;
	}
	out->url = xstrdup(nc->url);
	out->headers[out->nheaders++] = xstrdup("Content-Type: application/json");
	int rc = 0;
	switch (nc->kind) {
	case CSLA_NOTIFY_WEBHOOK:
		rc = webhook_req(nc, ev, now_ms, out, errstr, errlen);
		break;
	case CSLA_NOTIFY_SLACK:
		slack_body(&out->body, ev);
		break;
	case CSLA_NOTIFY_PAGERDUTY:
		pagerduty_body(&out->body, nc, ev);
		break;
	case CSLA_NOTIFY_ALERTMANAGER:
		break;
	}
	if (rc < 0)
		csla_notify_req_free(out);
	return rc;
}
