build-asan/daemon/snapshot.o: daemon/snapshot.c \
 include/callsla/snapshot.h include/callsla/metrics.h \
 include/callsla/config.h include/callsla/tz.h include/callsla/event.h \
 include/callsla/timefmt.h
include/callsla/snapshot.h:
include/callsla/metrics.h:
include/callsla/config.h:
include/callsla/tz.h:
include/callsla/event.h:
include/callsla/timefmt.h:
