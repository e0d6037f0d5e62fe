/* main_callsla.c - `callsla SUBCOMMAND ...`: dispatch to cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
} cmds[] = {
	{ "replay", csla_cmd_replay,
	  "replay [--config F] [--at TS] [--window W]... FILE|-" },
	{ "convert", csla_cmd_convert, "convert --from technion FILE..." },
	{ "check-config", csla_cmd_check_config, "check-config FILE" },
	{ "sim", csla_cmd_sim,
	  "sim [--seed N] [--days D] [--start DATE] [--tenants K] [--queues Q] "
	  "[--agents A] [--calls-per-hour C] [--cdr] [--truth FILE] "
	  "[--kafka BROKERS --topic T --speed X]" },
	{ "produce", csla_cmd_produce,
	  "produce --brokers B [--topic T] [--key K [--raw]] "
	  "[-X name=value]... FILE|-" },
	{ "consume", csla_cmd_consume,
	  "consume --brokers B --topic T [--from-beginning|--from-end] "
	  "[--count N] [--timeout SECONDS] [-X name=value]..." },
	{ "devbroker", csla_cmd_devbroker,
	  "devbroker [--partitions N] [--topics T1,T2,...] [--brokers N]" },
	{ "snapshot", csla_cmd_snapshot,
	  "snapshot [--redis HOST:PORT|unix:PATH] [--prefix P] [--user U] "
	  "[--password-file F] [--config FILE] [--tenant T] [--scope S] "
	  "[--window W]..." },
	{ "alert-test", csla_cmd_alert_test,
	  "alert-test --config F [--notifier NAME] [--resolve-after DURATION]" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage:\n");
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(f, "  callsla %s\n", cmds[i].usage);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "callsla: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
