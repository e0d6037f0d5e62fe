/* bench/kafka_floor.c - what librdkafka alone costs a consumer: the
 * high-level consumer with callslad's settings (its defaults, then the
 * properties given) reads both topics until COUNT messages have come, and
 * reads every byte of each (a sum of 8-byte words: the least any consumer
 * does with a message), nothing else.  The process's CPU time over the
 * whole run, all threads, per million messages, is the floor under any
 * consumer built on librdkafka, callslad and bench/peers/peer.py alike
 * (bench/README.md, "The floor under both").
 *
 * usage: kafka_floor BROKERS COUNT [NAME=VALUE...] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define BATCH 4096

static void set(rd_kafka_conf_t *c, const char *name, const char *value)
{
	char err[512];

	if (rd_kafka_conf_set(c, name, value, err, sizeof err) !=
	    RD_KAFKA_CONF_OK) {
		fprintf(stderr, "kafka_floor: %s\n", err);
		exit(2);
	}
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	char group[64], err[512];
	rd_kafka_conf_t *c = rd_kafka_conf_new();

	if (argc < 3) {
		fprintf(stderr, "usage: kafka_floor BROKERS COUNT [NAME=VALUE...]\n");
		return 2;
	}
	long long want = atoll(argv[2]);
	snprintf(group, sizeof group, "kafka_floor-%ld", (long)getpid());
	set(c, "bootstrap.servers", argv[1]);
	set(c, "group.id", group);
	set(c, "auto.offset.reset", "earliest");
	set(c, "enable.auto.commit", "false");
	/* callslad's own defaults (daemon_kafka.c). */
	set(c, "queued.min.messages", "1000000");
	set(c, "queued.max.messages.kbytes", "32768");
	set(c, "fetch.wait.max.ms", "50");
	for (int i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq) {
			fprintf(stderr, "kafka_floor: %s: not NAME=VALUE\n",
				argv[i]);
			return 2;
		}
		*eq = '\0';
		set(c, argv[i], eq + 1);
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "kafka_floor: %s\n", err);
		return 2;
	}
	rd_kafka_poll_set_consumer(rk);
	rd_kafka_topic_partition_list_t *topics =
		rd_kafka_topic_partition_list_new(2);
	rd_kafka_topic_partition_list_add(topics, "cc.calls",
					  RD_KAFKA_PARTITION_UA);
	rd_kafka_topic_partition_list_add(topics, "cc.agents",
					  RD_KAFKA_PARTITION_UA);
	rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, topics);
	rd_kafka_topic_partition_list_destroy(topics);
	if (e) {
		fprintf(stderr, "kafka_floor: subscribe: %s\n",
			rd_kafka_err2str(e));
		return 2;
	}
	rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
	rd_kafka_message_t *msgs[BATCH];
	long long got = 0;
	uint64_t sum = 0;

	while (got < want) {
		ssize_t n = rd_kafka_consume_batch_queue(q, 1000, msgs, BATCH);
		for (ssize_t i = 0; i < n; i++) {
			const rd_kafka_message_t *m = msgs[i];
			if (!m->err) {
				const unsigned char *p = m->payload;
				size_t k = 0;
				for (; k + 8 <= m->len; k += 8) {
					uint64_t w;
					memcpy(&w, p + k, 8);
					sum += w;
				}
				for (; k < m->len; k++)
					sum += p[k];
				got++;
			}
			rd_kafka_message_destroy(msgs[i]);
		}
	}
	double cpu = cpu_s();
	printf("kafka_floor: %lld messages, %.2f CPU-s, %.3f CPU-s per million "
	       "(sum %016" PRIx64 ")\n",
	       got, cpu, cpu * 1e6 / (double)got, sum);
	rd_kafka_queue_destroy(q);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return 0;
}
