/* cmd_check_config.c - `callsla check-config FILE`: load and validate a
 * configuration, print "FILE: ok" and a summary, or the first error as
 * "FILE:LINE: message" (exit 1).  Usage errors exit 2.  Secrets are shown
 * by their length only: the output may end up in tickets and logs. */
#include <stdio.h>
#include <string.h>

#include "callsla/config.h"
#include "cmd.h"
#include "conf_fields.h"

/* Windows by the names their snapshots carry. */
static void print_windows(const char *what, const char *prefix,
			  const int64_t *ms, size_t n)
{
	char buf[32];

	printf("%s:", what);
	for (size_t i = 0; i < n; i++)
		printf(" %s", csla_window_name(prefix, ms[i], buf, sizeof buf));
	printf("\n");
}

static void summary(const csla_conf_t *c)
{
	size_t nnames, nrules = 0;
	const char *const *clocks = csla_cf_enum_names(CSLA_CF_CLOCK, &nnames);

	printf("clock: %s\n", clocks[c->clock]);
	print_windows("windows", "", c->rolling_ms, c->nrolling);
	print_windows("intervals", "", c->interval_ms, c->nintervals);
	printf("default timezone: %s\n", c->default_timezone);
	printf("tenants: %zu", c->ntenants);
	for (size_t i = 0; i < c->ntenants && i < 10; i++)
		printf("%s%s", i ? ", " : " (", c->tenants[i].name);
	printf("%s\n", c->ntenants > 10 ? ", ...)" : c->ntenants ? ")" : "");
	for (size_t i = 0; i < c->ntenants; i++)
		nrules += c->tenants[i].nqueues;
	printf("queue rules: %zu global, %zu in tenants\n", c->nqueues, nrules);
}

static void print_str(const char *name, const char *v)
{
	printf("%s: %s\n", name, v ? v : "(none)");
}

static void print_secret(const char *name, const char *v)
{
	if (v)
		printf("%s: (secret, %zu bytes)\n", name, strlen(v));
	else
		printf("%s: (none)\n", name);
}

static void print_duration(const char *name, int64_t ms)
{
	char buf[32];

	printf("%s: %s\n", name, csla_conf_fmt_duration(ms, buf, sizeof buf));
}

/* The daemon's settings, one per line by their path in the file. */
static void daemon_summary(const csla_daemon_conf_t *d)
{
	char name[160];

	print_str("consumer.brokers", d->brokers);
	print_str("consumer.group", d->group);
	printf("consumer.topics:");
	for (size_t i = 0; i < d->ntopics; i++)
		printf(" %s", d->topics[i]);
	printf("\n");
	print_str("consumer.assignor", d->assignor);
	print_str("consumer.start_from", d->start_latest ? "latest" : "earliest");
	print_str("consumer.dead_letter_topic", d->dead_letter_topic);
	if (!d->nkafka)
		printf("kafka: (none)\n");
	for (size_t i = 0; i < d->nkafka; i++) {
		snprintf(name, sizeof name, "kafka.%s", d->kafka[i].key);
		if (d->kafka[i].secret)
			print_secret(name, d->kafka[i].value);
		else
			print_str(name, d->kafka[i].value);
	}
	print_str("redis.host", d->redis_host);
	printf("redis.port: %d\n", d->redis_port);
	print_str("redis.unix_socket", d->redis_unix);
	print_str("redis.user", d->redis_user);
	print_secret("redis.password", d->redis_password);
	printf("redis.database: %d\n", d->redis_db);
	/* Quoted: a trailing space or colon is part of every key. */
	printf("redis.prefix: \"%s\"\n", d->prefix);
	print_duration("redis.snapshot_ttl", d->snapshot_ttl_ms);
	print_duration("redis.timeout", d->redis_timeout_ms);
	print_duration("daemon.flush_interval", d->flush_interval_ms);
	print_duration("daemon.checkpoint_interval", d->checkpoint_interval_ms);
	printf("daemon.journal_max: %u\n", (unsigned)d->journal_max);
	print_duration("daemon.shutdown_timeout", d->shutdown_timeout_ms);
}

static void http_summary(const csla_http_conf_t *h)
{
	print_str("http.enabled", h->enabled ? "true" : "false");
	print_str("http.listen", h->listen);
	print_secret("http.token", h->token);
	print_duration("http.max_lag", h->max_lag_ms);
	printf("http.series_hours: %u\n", (unsigned)h->series_hours);
	print_str("http.metrics_agents", h->metrics_agents ? "true" : "false");
}

int csla_cmd_check_config(int argc, char **argv)
{
	char err[512];
	csla_conf_t *conf;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: callsla check-config FILE\n");
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: callsla check-config FILE\n");
		return 2;
	}
	conf = csla_conf_load(argv[1], err, sizeof err);
	if (!conf) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%s: ok\n", argv[1]);
	summary(conf);
	daemon_summary(&conf->daemon);
	http_summary(&conf->http);
	csla_conf_destroy(conf);
	return 0;
}
