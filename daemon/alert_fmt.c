/* alert_fmt.c - an alert's text: its dedup key, its JSON line (the one
 * writer for replay --alerts, the log and the Redis stream) and its
 * summary template.  Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "callsla/alert.h"
#include "callsla/timefmt.h"
#include "json.h"

static const char default_summary[] =
	"{rule}: {metric} {value} (threshold {threshold}) on {scope} {id} "
	"of {tenant}, {window}";

static void put_u64(csla_buf_t *b, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
	csla_buf_put(b, tmp, (size_t)n);
}

static void put_time(csla_buf_t *b, int64_t ms)
{
	char tmp[40];
	int n = csla_time_format_utc(ms, tmp, sizeof tmp);
	csla_buf_put(b, "\"", 1);
	csla_buf_put(b, tmp, (size_t)n);
	csla_buf_put(b, "\"", 1);
}

void csla_alert_dedup_key(const char *rule, csla_str_t tenant,
			  csla_scope_t scope, csla_str_t id,
			  char out[CSLA_ALERT_KEY_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	csla_buf_t b = { 0 };

	csla_buf_put(&b, "[", 1);
	csla_json_str(&b, rule, strlen(rule));
	csla_buf_put(&b, ",", 1);
	csla_json_str(&b, tenant.p, tenant.len);
	csla_buf_put(&b, ",\"", 2);
	csla_buf_puts(&b, csla_scope_name(scope));
	csla_buf_put(&b, "\",", 2);
	csla_json_str(&b, id.p, id.len);
	csla_buf_put(&b, "]", 1);
	/* SHA-256 cannot fail on memory we hold; a key of zeros would
	 * still be deterministic. */
	if (!EVP_Digest(b.p, b.len, md, &mdlen, EVP_sha256(), NULL))
		memset(md, 0, sizeof md);
	csla_buf_free(&b);
	for (size_t i = 0; i < CSLA_ALERT_KEY_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[CSLA_ALERT_KEY_LEN] = '\0';
}

const char *csla_severity_name(csla_severity_t s)
{
	return s == CSLA_SEV_CRITICAL ? "critical" : "warning";
}

/* Placeholder `name` (n bytes) of ev into out: 1, or 0 when unknown.
 * With ev NULL only says whether it is known. */
static int placeholder(const csla_alert_rule_t *r,
		       const csla_alert_event_t *ev, const char *name,
		       size_t n, csla_buf_t *out)
{
#define IS(lit) (n == sizeof(lit) - 1 && !memcmp(name, lit, n))
	if (n > 6 && !memcmp(name, "label.", 6)) {
		for (size_t i = 0; i < r->nlabels; i++)
			if (strlen(r->labels[i].key) == n - 6 &&
			    !memcmp(r->labels[i].key, name + 6, n - 6)) {
				if (ev)
					csla_buf_puts(out, r->labels[i].value);
				return 1;
			}
		return 0;
	}
	if (!(IS("tenant") || IS("scope") || IS("id") || IS("window") ||
	      IS("metric") || IS("value") || IS("threshold") || IS("rule") ||
	      IS("severity")))
		return 0;
	if (!ev)
		return 1;
	if (IS("tenant"))
		csla_buf_put(out, ev->tenant.p, ev->tenant.len);
	else if (IS("scope"))
		csla_buf_puts(out, csla_scope_name(ev->scope));
	else if (IS("id"))
		csla_buf_put(out, ev->id.p, ev->id.len);
	else if (IS("window"))
		csla_buf_puts(out, r->window ? r->window : "");
	else if (IS("metric"))
		csla_buf_puts(out, csla_alert_metric_name(r->metric));
	else if (IS("value"))
		csla_json_num(out, ev->value);
	else if (IS("threshold"))
		csla_json_num(out, r->threshold);
	else if (IS("rule"))
		csla_buf_puts(out, r->name);
	else
		csla_buf_puts(out, csla_severity_name(r->severity));
	return 1;
#undef IS
}

/* Walks the template; with ev NULL only checks it. */
static const char *fill(const csla_alert_rule_t *r,
			const csla_alert_event_t *ev, csla_buf_t *out)
{
	const char *t = r->summary ? r->summary : default_summary;

	while (*t) {
		const char *open = strchr(t, '{'), *close;

		if (!open) {
			if (ev)
				csla_buf_puts(out, t);
			break;
		}
		if (ev)
			csla_buf_put(out, t, (size_t)(open - t));
		close = strchr(open, '}');
		if (!close)
			return "has a '{' without its '}'";
		if (!placeholder(r, ev, open + 1, (size_t)(close - open - 1),
				 out))
			return "names an unknown {placeholder} (known: "
			       "{tenant} {scope} {id} {window} {metric} "
			       "{value} {threshold} {rule} {severity} "
			       "{label.NAME} of the rule's labels)";
		t = close + 1;
	}
	return NULL;
}

void csla_alert_summary(const csla_alert_rule_t *rule,
			const csla_alert_event_t *ev, csla_buf_t *out)
{
	fill(rule, ev, out);
	csla_buf_put(out, "", 1);
	out->len--;
}

const char *csla_alert_summary_error(const csla_alert_rule_t *rule)
{
	return fill(rule, NULL, NULL);
}

void csla_alert_event_json(const csla_alert_event_t *ev, csla_buf_t *out)
{
	const csla_alert_rule_t *r = ev->rule;

	csla_buf_puts(out, "{\"at\":");
	put_time(out, ev->at_ms);
	csla_buf_puts(out, ",\"kind\":\"");
	csla_buf_puts(out, csla_alert_kind_name(ev->kind));
	csla_buf_puts(out, "\",\"rule\":");
	csla_json_str(out, r->name, strlen(r->name));
	csla_buf_puts(out, ",\"severity\":\"");
	csla_buf_puts(out, csla_severity_name(r->severity));
	csla_buf_puts(out, "\",\"tenant\":");
	csla_json_str(out, ev->tenant.p, ev->tenant.len);
	csla_buf_puts(out, ",\"scope\":\"");
	csla_buf_puts(out, csla_scope_name(ev->scope));
	csla_buf_puts(out, "\",\"id\":");
	csla_json_str(out, ev->id.p, ev->id.len);
	csla_buf_puts(out, ",\"window\":");
	csla_json_str(out, ev->window ? ev->window : "",
		ev->window ? strlen(ev->window) : 0);
	csla_buf_puts(out, ",\"metric\":\"");
	csla_buf_puts(out, csla_alert_metric_name(r->metric));
	csla_buf_puts(out, "\",\"value\":");
	csla_json_num(out, ev->value);
	csla_buf_puts(out, ",\"threshold\":");
	csla_json_num(out, r->threshold);
	csla_buf_puts(out, ",\"dedup_key\":\"");
	csla_buf_puts(out, ev->dedup_key);
	csla_buf_puts(out, "\",\"seq\":");
	put_u64(out, ev->seq);
	csla_buf_puts(out, ",\"summary\":");
	csla_json_str(out, ev->summary ? ev->summary : "",
		ev->summary ? strlen(ev->summary) : 0);
	csla_buf_puts(out, "}");
}
