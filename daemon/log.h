/* log.h - the daemon's log: one line per message on stderr.  Under systemd
 * (JOURNAL_STREAM naming stderr) each line starts with its syslog
 * priority, "<3>" for errors, which journald turns into the entry's
 * priority; elsewhere it starts with the time and the level's name. */
#ifndef CALLSLA_LOG_H
#define CALLSLA_LOG_H

enum csla_log_level {
	CSLA_LOG_ERR = 3,
	CSLA_LOG_WARNING = 4,
	CSLA_LOG_NOTICE = 5,
	CSLA_LOG_INFO = 6,
	CSLA_LOG_DEBUG = 7,
};

/* Messages above this level are dropped [CSLA_LOG_INFO]. */
void csla_log_set_level(int level);

__attribute__((format(printf, 2, 3)))
void csla_log(int level, const char *fmt, ...);

#endif
