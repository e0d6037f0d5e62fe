build-asan/daemon/names.o: daemon/names.c include/callsla/event.h \
 include/callsla/reject.h include/callsla/snapshot.h \
 include/callsla/metrics.h include/callsla/config.h include/callsla/tz.h
include/callsla/event.h:
include/callsla/reject.h:
include/callsla/snapshot.h:
include/callsla/metrics.h:
include/callsla/config.h:
include/callsla/tz.h:
