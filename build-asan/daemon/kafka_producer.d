build-asan/daemon/kafka_producer.o: daemon/kafka_producer.c \
 daemon/kafka_producer.h daemon/util.h
daemon/kafka_producer.h:
daemon/util.h:
