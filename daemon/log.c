/* log.c - stderr lines with a priority prefix under systemd (log.h). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "callsla/timefmt.h"
#include "log.h"

static int max_level = CSLA_LOG_INFO;

void csla_log_set_level(int level)
{
	max_level = level;
}

/* systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it connected
 * to stderr; a process that inherited the variable but whose stderr goes
 * elsewhere (a file, a terminal) must not prefix (systemd.exec(5)).
 * Decided once (stderr is not replaced while the daemon runs), atomically:
 * librdkafka's threads log too. */
static bool to_journal(void)
{
	static _Atomic int known = -1;
	if (known < 0) {
		const char *v = getenv("JOURNAL_STREAM");
		unsigned long long dev, ino;
		struct stat st;
		known = v && sscanf(v, "%llu:%llu", &dev, &ino) == 2 &&
			fstat(STDERR_FILENO, &st) == 0 &&
			(unsigned long long)st.st_dev == dev &&
			(unsigned long long)st.st_ino == ino;
	}
	return known;
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
	if (to_journal()) {
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
