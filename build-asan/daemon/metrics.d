build-asan/daemon/metrics.o: daemon/metrics.c include/callsla/metrics.h \
 include/callsla/config.h include/callsla/tz.h include/callsla/event.h
include/callsla/metrics.h:
include/callsla/config.h:
include/callsla/tz.h:
include/callsla/event.h:
