/* main_callslad.c - the daemon's command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/config.h"
#include "callslad.h"
#include "cmd.h"
#include "log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: callslad [--config FILE] [--brokers HOST:PORT,...]\n"
		"                [--redis HOST:PORT|unix:PATH] [--group ID]\n"
		"                [--prefix P] [--verbose]\n"
		"       callslad --check-config FILE\n"
		"Consumes call and agent events from Kafka, keeps service "
		"levels in Redis\n(docs/redis.md).  SIGHUP reloads the "
		"configuration; SIGTERM stops cleanly.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", required_argument, NULL, 'C' },
		{ "brokers", required_argument, NULL, 'b' },
		{ "redis", required_argument, NULL, 'r' },
		{ "group", required_argument, NULL, 'g' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	csla_daemon_opts_t o = { .log_level = CSLA_LOG_INFO };
	int c;

	while ((c = getopt_long(argc, argv, "c:b:r:g:p:vh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'c': o.config = optarg; break;
		case 'C': {
			char *args[] = { "check-config", optarg, NULL };
			return csla_cmd_check_config(2, args);
		}
		case 'b': o.brokers = optarg; break;
		case 'r': o.redis = optarg; break;
		case 'g': o.group = optarg; break;
		case 'p': o.prefix = optarg; break;
		case 'v': o.log_level = CSLA_LOG_DEBUG; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return csla_daemon_main(&o);
}
