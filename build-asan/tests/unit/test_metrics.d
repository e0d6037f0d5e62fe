build-asan/tests/unit/test_metrics.o: tests/unit/test_metrics.c \
 include/callsla/metrics.h include/callsla/config.h include/callsla/tz.h \
 include/callsla/event.h
include/callsla/metrics.h:
include/callsla/config.h:
include/callsla/tz.h:
include/callsla/event.h:
