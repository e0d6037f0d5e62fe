/* log.c - stderr lines with a priority prefix under systemd (log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "callsla/timefmt.h"
#include "log.h"

static int max_level = CSLA_LOG_INFO;

void csla_log_set_level(int level)
{
	max_level = level;
}

void csla_log(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice",
		"info", "debug",
	};
	char line[2048];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (getenv("JOURNAL_STREAM")) {
		fprintf(stderr, "<%d>%s\n", level, line);
		return;
	}
	struct timespec ts;
	char when[32] = "";
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		csla_time_format_utc((int64_t)ts.tv_sec * 1000 +
				     ts.tv_nsec / 1000000, when, sizeof when);
	fprintf(stderr, "%s callslad %s: %s\n", when,
		names[level & 7], line);
}
