/* cmd_check_config.c - `callsla check-config FILE`: load and validate a
 * configuration, print "FILE: ok" and a summary, or the first error as
 * "FILE:LINE: message" (exit 1).  Usage errors exit 2. */
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
	csla_conf_destroy(conf);
	return 0;
}
