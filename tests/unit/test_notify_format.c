/* test_notify_format.c - the request of each notifier kind for one fixed
 * event, byte for byte (written out by hand below), and Standard Webhooks
 * signatures checked against the specification's own example and against
 * `openssl dgst`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "notify_format.h"

#define KEY "0123456789abcdef0123456789abcdef"
/* 2026-03-02T11:00:00Z = 1772449200 s (date -u -d ... +%s) */
#define AT_MS 1772449200000LL
#define NOW_MS 1772449205250LL /* 11:00:05.250 */

static csla_kvs_t labels[] = {
	{ "team", "ops" },
	{ "severity", "not-this" }, /* Alertmanager keeps the built-in one */
};

static csla_alert_rule_t rule = {
	.name = "sl-low", .metric = CSLA_AM_SERVICE_LEVEL, .window = "15m",
	.cmp = CSLA_CMP_LT, .threshold = 0.8, .severity = CSLA_SEV_CRITICAL,
	.labels = labels, .nlabels = 2,
};

static csla_alert_event_t event(csla_alert_kind_t kind)
{
	return (csla_alert_event_t){
		.kind = kind, .rule = &rule,
		.tenant = { "acme", 4 }, .scope = CSLA_SCOPE_QUEUE,
		.id = { "sales", 5 }, .window = "15m", .value = 0.5,
		.at_ms = AT_MS, .active_ms = AT_MS - 300000,
		.fired_ms = AT_MS - 120000, .dedup_key = KEY, .seq = 3,
		.summary = "SL 0.5 < 0.8 on \"sales\" & co",
	};
}

/* The event's JSON form (csla_alert_event_json, the Redis stream's). */
#define EV_JSON(kind, at) \
	"{\"at\":\"" at "\",\"kind\":\"" kind "\",\"rule\":\"sl-low\"," \
	"\"severity\":\"critical\",\"tenant\":\"acme\",\"scope\":\"queue\"," \
	"\"id\":\"sales\",\"window\":\"15m\",\"metric\":\"service_level\"," \
	"\"value\":0.5,\"threshold\":0.8,\"dedup_key\":\"" KEY "\"," \
	"\"seq\":3,\"summary\":\"SL 0.5 < 0.8 on \\\"sales\\\" & co\"}"

#define WEBHOOK_BODY \
	"{\"type\":\"alert.firing\",\"timestamp\":\"2026-03-02T11:00:00.000Z\"," \
	"\"data\":" EV_JSON("firing", "2026-03-02T11:00:00.000Z") "}"

static csla_notify_req_t format(const csla_notifier_conf_t *nc,
				const csla_alert_event_t *ev)
{
	csla_notify_req_t r;
	char err[256] = "";
	if (csla_notify_format(nc, ev, NOW_MS, &r, err, sizeof err) != 0)
		fail_msg("format: %s", err);
	return r;
}

/* Whether body holds s (the body is not NUL-terminated). */
static bool contains(const csla_buf_t *b, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i + n <= b->len; i++)
		if (!memcmp(b->p + i, s, n))
			return true;
	return false;
}

static void assert_body(const csla_notify_req_t *r, const char *want)
{
	assert_int_equal(r->body.len, strlen(want));
	assert_memory_equal(r->body.p, want, r->body.len);
}

static void test_spec_vector(void **state)
{
	(void)state;
	/* The example of the Standard Webhooks repository
	 * (libraries/go/webhook_test.go, TestWebhookSign). */
	const char body[] = "{\"test\": 2432232314}";
	char sig[CSLA_NOTIFY_SIG_LEN];
	assert_int_equal(csla_notify_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
					  "msg_p5jXN8AQM9LWM0D4loKWxJek",
					  1614265330, body, strlen(body), sig),
			 0);
	assert_string_equal(sig,
			    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

static void test_raw_secret(void **state)
{
	(void)state;
	/* printf '%s' 'k1:3.1700000000.{"a":1}' |
	 *   openssl dgst -sha256 -hmac 'raw-secret' -binary | base64 */
	char sig[CSLA_NOTIFY_SIG_LEN];
	assert_int_equal(csla_notify_sign("raw-secret", "k1:3", 1700000000,
					  "{\"a\":1}", 7, sig), 0);
	assert_string_equal(sig,
			    "v1,fqgQfYCusuEGiQjNU9BZIrIA0yAgIYLXZwiq1OHw08E=");
}

static void test_bad_secret(void **state)
{
	(void)state;
	unsigned char key[64];
	size_t len = sizeof key;
	assert_int_equal(csla_notify_secret_key("whsec_", key, &len), -1);
	len = sizeof key;
	assert_int_equal(csla_notify_secret_key("whsec_abc", key, &len), -1);
	len = sizeof key;
	assert_int_equal(csla_notify_secret_key("whsec_a*c=", key, &len), -1);
	len = sizeof key;
	assert_int_equal(csla_notify_secret_key("whsec_YWJj", key, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(key, "abc", 3);
	len = sizeof key;
	assert_int_equal(csla_notify_secret_key("whsec_YWI=", key, &len), 0);
	assert_int_equal(len, 2);

	csla_notifier_conf_t nc = { .name = "hook", .url = "http://h/",
				    .secret = "whsec_abc" };
	csla_alert_event_t ev = event(CSLA_AK_FIRING);
	csla_notify_req_t r;
	char err[256];
	assert_int_equal(csla_notify_format(&nc, &ev, NOW_MS, &r, err,
					    sizeof err), -1);
	assert_string_equal(err, "notifier hook: secret: \"whsec_\" must be "
				 "followed by base64");
	assert_null(r.url);
}

static void test_webhook(void **state)
{
	(void)state;
	csla_notifier_conf_t nc = { .name = "hook", .url = "http://h/in",
				    .secret = "raw-secret" };
	csla_alert_event_t ev = event(CSLA_AK_FIRING);
	csla_notify_req_t r = format(&nc, &ev);
	assert_string_equal(r.url, "http://h/in");
	assert_body(&r, WEBHOOK_BODY);
	assert_int_equal(r.nheaders, 4);
	assert_string_equal(r.headers[0], "Content-Type: application/json");
	assert_string_equal(r.headers[1], "webhook-id: " KEY ":3");
	assert_string_equal(r.headers[2], "webhook-timestamp: 1772449205");
	/* printf '%s' "$KEY:3.1772449205.$WEBHOOK_BODY" |
	 *   openssl dgst -sha256 -hmac 'raw-secret' -binary | base64 */
	assert_string_equal(r.headers[3], "webhook-signature: v1,"
			    "TJfL1UYwZhhewdIiMfMDt03x/24Ik1/wir3kkmfSkdw=");
	csla_notify_req_free(&r);

	/* The same with the secret as whsec_: the spec vector's key,
	 * openssl dgst -mac HMAC -macopt hexkey:31f290f6...  */
	nc.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	r = format(&nc, &ev);
	assert_string_equal(r.headers[3], "webhook-signature: v1,"
			    "6HoymHWCyYeVRPfuzydR5YELQ52drquHNdMpOJ7qbkg=");
	csla_notify_req_free(&r);

	/* No secret: no signature, the rest unchanged. */
	nc.secret = NULL;
	r = format(&nc, &ev);
	assert_int_equal(r.nheaders, 3);
	assert_body(&r, WEBHOOK_BODY);
	csla_notify_req_free(&r);
}

static void test_slack(void **state)
{
	(void)state;
	csla_notifier_conf_t nc = { .name = "chat", .kind = CSLA_NOTIFY_SLACK,
				    .url = "http://s/T/B/X" };
	csla_alert_event_t ev = event(CSLA_AK_FIRING);
	csla_notify_req_t r = format(&nc, &ev);
	assert_string_equal(r.url, "http://s/T/B/X");
	assert_int_equal(r.nheaders, 1);
	/* Slack's escapes (&lt; &amp;) under JSON's (\"). */
	assert_body(&r, "{\"text\":\"FIRING [critical] sl-low: SL 0.5 &lt; 0.8 "
			"on \\\"sales\\\" &amp; co\"}");
	csla_notify_req_free(&r);

	ev = event(CSLA_AK_REPEAT);
	r = format(&nc, &ev);
	assert_body(&r, "{\"text\":\"STILL FIRING [critical] sl-low: SL 0.5 "
			"&lt; 0.8 on \\\"sales\\\" &amp; co\"}");
	csla_notify_req_free(&r);

	ev = event(CSLA_AK_RESOLVED);
	ev.summary = "back to 0.9";
	r = format(&nc, &ev);
	assert_body(&r, "{\"text\":\"RESOLVED [critical] sl-low: back to "
			"0.9\"}");
	csla_notify_req_free(&r);
}

static void test_pagerduty(void **state)
{
	(void)state;
	csla_notifier_conf_t nc = { .name = "pd", .kind = CSLA_NOTIFY_PAGERDUTY,
				    .url = "https://events.pagerduty.com/v2/enqueue",
				    .routing_key = "R0uting" };
	csla_alert_event_t ev = event(CSLA_AK_FIRING);
	csla_notify_req_t r = format(&nc, &ev);
	assert_string_equal(r.url, "https://events.pagerduty.com/v2/enqueue");
	assert_body(&r, "{\"routing_key\":\"R0uting\",\"event_action\":"
			"\"trigger\",\"dedup_key\":\"" KEY "\",\"payload\":{"
			"\"summary\":\"SL 0.5 < 0.8 on \\\"sales\\\" & co\","
			"\"source\":\"acme/queue/sales\",\"severity\":"
			"\"critical\",\"timestamp\":\"2026-03-02T11:00:00.000Z\","
			"\"custom_details\":"
			EV_JSON("firing", "2026-03-02T11:00:00.000Z") "}}");
	csla_notify_req_free(&r);

	nc.url = "http://127.0.0.1:1/pd";
	ev = event(CSLA_AK_RESOLVED);
	r = format(&nc, &ev);
	assert_string_equal(r.url, "http://127.0.0.1:1/pd");
	assert_body(&r, "{\"routing_key\":\"R0uting\",\"event_action\":"
			"\"resolve\",\"dedup_key\":\"" KEY "\"}");
	csla_notify_req_free(&r);

	/* A summary past 1024 bytes is cut before a character, not in it:
	 * 1023 'a' then "é" (2 bytes) keeps only the 'a's. */
	char big[1100];
	memset(big, 'a', 1023);
	strcpy(big + 1023, "\xc3\xa9zzz");
	ev = event(CSLA_AK_FIRING);
	ev.summary = big;
	r = format(&nc, &ev);
	char want[1100] = "\"summary\":\"";
	memset(want + 11, 'a', 1023);
	strcpy(want + 11 + 1023, "\",\"source\"");
	assert_true(contains(&r.body, want));
	csla_notify_req_free(&r);

	nc.routing_key = NULL;
	char err[256];
	assert_int_equal(csla_notify_format(&nc, &ev, NOW_MS, &r, err,
					    sizeof err), -1);
	assert_string_equal(err, "notifier pd: no routing_key");
}

#define AM_LABELS \
	"{\"labels\":{\"alertname\":\"sl-low\",\"tenant\":\"acme\",\"scope\":" \
	"\"queue\",\"id\":\"sales\",\"severity\":\"critical\",\"window\":" \
	"\"15m\",\"team\":\"ops\"},\"annotations\":{\"summary\":\"SL 0.5 < " \
	"0.8 on \\\"sales\\\" & co\",\"dedup_key\":\"" KEY "\"}"

static void test_alertmanager(void **state)
{
	(void)state;
	csla_notifier_conf_t nc = { .name = "am",
				    .kind = CSLA_NOTIFY_ALERTMANAGER,
				    .url = "http://127.0.0.1:9093/",
				    .resend_ms = 60000 };
	csla_alert_event_t ev = event(CSLA_AK_FIRING);
	csla_notify_req_t r = format(&nc, &ev);
	assert_string_equal(r.url, "http://127.0.0.1:9093/api/v2/alerts");
	/* startsAt: fired (10:58); endsAt: now 11:00:05.250 + 4 x 1m */
	assert_body(&r, "[" AM_LABELS ",\"startsAt\":\"2026-03-02T10:58:00.000Z\","
			"\"endsAt\":\"2026-03-02T11:04:05.250Z\"}]");
	csla_notify_req_free(&r);

	ev = event(CSLA_AK_RESOLVED);
	ev.at_ms = AT_MS + 600000;
	r = format(&nc, &ev);
	assert_body(&r, "[" AM_LABELS ",\"startsAt\":\"2026-03-02T10:58:00.000Z\","
			"\"endsAt\":\"2026-03-02T11:10:00.000Z\"}]");
	csla_notify_req_free(&r);

	/* Never re-posted: no endsAt, Alertmanager's resolve_timeout
	 * applies. */
	nc.resend_ms = 0;
	nc.url = "http://am";
	ev = event(CSLA_AK_FIRING);
	r = format(&nc, &ev);
	assert_string_equal(r.url, "http://am/api/v2/alerts");
	assert_body(&r, "[" AM_LABELS ",\"startsAt\":\"2026-03-02T10:58:00.000Z\"}]");
	csla_notify_req_free(&r);

	/* Two in one re-post. */
	nc.resend_ms = 60000;
	csla_alert_event_t ev2 = event(CSLA_AK_FIRING);
	ev2.id = (csla_str_t){ "x", 1 };
	const csla_alert_event_t *v[] = { &ev, &ev2 };
	char err[256];
	assert_int_equal(csla_notify_format_am(&nc, v, 2, NOW_MS, &r, err,
					       sizeof err), 0);
	assert_true(contains(&r.body, "},{\"labels\":{\"alertname\":"
			     "\"sl-low\",\"tenant\":\"acme\",\"scope\":"
			     "\"queue\",\"id\":\"x\""));
	assert_int_equal(r.body.p[0], '[');
	assert_int_equal(r.body.p[r.body.len - 1], ']');
	csla_notify_req_free(&r);

	nc.url = NULL;
	assert_int_equal(csla_notify_format(&nc, &ev, NOW_MS, &r, err,
					    sizeof err), -1);
	assert_string_equal(err, "notifier am: no url");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_vector),
		cmocka_unit_test(test_raw_secret),
		cmocka_unit_test(test_bad_secret),
		cmocka_unit_test(test_webhook),
		cmocka_unit_test(test_slack),
		cmocka_unit_test(test_pagerduty),
		cmocka_unit_test(test_alertmanager),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
