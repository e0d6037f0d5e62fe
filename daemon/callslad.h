/* callslad.h - the daemon as a function, for its entry point
 * (main_callslad.c). */
#ifndef CALLSLA_CALLSLAD_H
#define CALLSLA_CALLSLAD_H

/* Command-line settings that win over the configuration file (tests and
 * the demo point a stock file at their own broker and Redis). */
typedef struct csla_daemon_opts {
	const char *config;  /* NULL: built-in defaults */
	const char *brokers; /* consumer.brokers */
	const char *redis;   /* "HOST:PORT" or "unix:PATH" */
	const char *group;   /* consumer.group */
	const char *prefix;  /* redis.prefix */
	int log_level;       /* CSLA_LOG_* */
} csla_daemon_opts_t;

/* Runs until SIGTERM/SIGINT (or a fatal error).  Returns the exit
 * status: 0 after a clean stop. */
int csla_daemon_main(const csla_daemon_opts_t *opts);

#endif
