/* cmd_devbroker.c - `callsla devbroker`: librdkafka's mock cluster as a
 * throwaway Kafka for local runs and tests.  It lives in this process, on
 * loopback, in memory; its address goes to stdout, one line, for scripts
 * to read, and it stays up until SIGINT or SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "cmd.h"

#define DEFAULT_TOPICS "cc.calls,cc.agents"
#define DEFAULT_PARTITIONS 8
#define MAX_PARTITIONS 1024
#define MAX_BROKERS 16

static int usage(void)
{
	fprintf(stderr,
		"usage: callsla devbroker [--partitions N] [--topics T1,T2,...] "
		"[--brokers N]\n"
		"  An in-memory Kafka (librdkafka's mock cluster) on 127.0.0.1, "
		"on ports the\n"
		"  kernel picks; prints bootstrap=HOST:PORT[,...] and runs until "
		"SIGINT/SIGTERM.\n"
		"  Defaults: topics " DEFAULT_TOPICS ", 8 partitions each, "
		"1 broker.\n"
		"  Each partition keeps at most 5 MB or 100,000 batches: older "
		"messages are\n"
		"  dropped silently.  For tests and local runs only.\n");
	return 2;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* Creates each topic of the comma-separated list.  Returns 0, else says
 * which name was refused and returns the exit status: 2 for a bad list, 1
 * when the cluster refused a name. */
static int create_topics(rd_kafka_mock_cluster_t *mc, const char *list,
			 int partitions)
{
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		char name[250]; /* Kafka's limit is 249 */
		if (n == 0 || n >= sizeof name) {
			fprintf(stderr, "callsla devbroker: --topics \"%s\": "
					"expected names of 1 to 249 bytes "
					"separated by commas\n",
				list);
			return 2;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		rd_kafka_resp_err_t err =
			rd_kafka_mock_topic_create(mc, name, partitions, 1);
		if (err) {
			fprintf(stderr, "callsla devbroker: topic \"%s\": %s\n",
				name, rd_kafka_err2str(err));
			return 1;
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* Announces the cluster and waits for a signal in `stop`.  Returns the exit
 * status. */
static int serve(rd_kafka_mock_cluster_t *mc, const sigset_t *stop,
		 const char *topics, int partitions, int brokers)
{
	const char *bootstrap = rd_kafka_mock_cluster_bootstraps(mc);

	printf("bootstrap=%s\n", bootstrap);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "callsla devbroker: writing stdout: %s\n",
			strerror(errno));
		return 1;
	}
	fprintf(stderr,
		"callsla devbroker: %d broker(s) on %s; topics %s with %d "
		"partition(s) each\n"
		"callsla devbroker: other topics are created when first "
		"produced to (4 partitions)\n"
		"callsla devbroker: in memory, at most 5 MB or 100,000 batches "
		"per partition\n"
		"callsla devbroker: try: callsla produce --brokers %s FILE\n"
		"callsla devbroker: Ctrl-C or SIGTERM stops it; SIGUSR1 takes "
		"the brokers down, SIGUSR2 brings them back (fault tests)\n",
		brokers, bootstrap, topics, partitions, bootstrap);

	for (;;) {
		int sig;
		if (sigwait(stop, &sig) != 0)
			continue;
		if (sig == SIGUSR1 || sig == SIGUSR2) {
			for (int b = 1; b <= brokers; b++)
				if (sig == SIGUSR1)
					rd_kafka_mock_broker_set_down(mc, b);
				else
					rd_kafka_mock_broker_set_up(mc, b);
			fprintf(stderr, "callsla devbroker: brokers %s\n",
				sig == SIGUSR1 ? "down" : "up");
			continue;
		}
		fprintf(stderr, "callsla devbroker: %s, stopping\n",
			sig == SIGINT ? "SIGINT" : "SIGTERM");
		return 0;
	}
}

int csla_cmd_devbroker(int argc, char **argv)
{
	const char *topics = DEFAULT_TOPICS;
	int partitions = DEFAULT_PARTITIONS, brokers = 1;

	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		if (i + 1 >= argc)
			return usage();
		const char *v = argv[++i];
		int bad = 0;
		if (!strcmp(opt, "--partitions"))
			bad = parse_int(v, 1, MAX_PARTITIONS, &partitions);
		else if (!strcmp(opt, "--brokers"))
			bad = parse_int(v, 1, MAX_BROKERS, &brokers);
		else if (!strcmp(opt, "--topics"))
			topics = v;
		else if (!strcmp(opt, "--port")) {
			fprintf(stderr, "callsla devbroker: --port: not "
					"possible, librdkafka's mock brokers "
					"listen on ports the kernel picks\n");
			return 2;
		} else
			return usage();
		if (bad) {
			fprintf(stderr, "callsla devbroker: %s \"%s\": invalid "
					"value\n",
				opt, v);
			return 2;
		}
	}

	/* Blocked before librdkafka starts its threads, so that they inherit
	 * the mask and the signals wait for sigwait() in this thread.  A
	 * shell starts background jobs with SIGINT ignored, and an ignored
	 * signal is discarded even while blocked: restore the default. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGUSR1);
	sigaddset(&stop, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	char err[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	/* The handle only hosts the cluster: its notice that it has no
	 * bootstrap.servers is noise. */
	if (rd_kafka_conf_set(conf, "log_level", "4", err, sizeof err) !=
	    RD_KAFKA_CONF_OK) {
		rd_kafka_conf_destroy(conf);
		fprintf(stderr, "callsla devbroker: %s\n", err);
		return 1;
	}
	/* rd_kafka_new() frees conf when it succeeds. */
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk) {
		rd_kafka_conf_destroy(conf);
		fprintf(stderr, "callsla devbroker: %s\n", err);
		return 1;
	}
	int status = 1;
	rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
	if (!mc)
		fprintf(stderr, "callsla devbroker: could not start the mock "
				"cluster\n");
	else {
		status = create_topics(mc, topics, partitions);
		if (status == 0)
			status = serve(mc, &stop, topics, partitions, brokers);
		rd_kafka_mock_cluster_destroy(mc);
	}
	rd_kafka_destroy(rk);
	return status;
}
