build-asan/daemon/fold.o: daemon/fold.c daemon/engine_internal.h \
 include/callsla/engine.h include/callsla/config.h include/callsla/tz.h \
 include/callsla/event.h include/callsla/reject.h \
 include/callsla/snapshot.h include/callsla/metrics.h daemon/hashmap.h
daemon/engine_internal.h:
include/callsla/engine.h:
include/callsla/config.h:
include/callsla/tz.h:
include/callsla/event.h:
include/callsla/reject.h:
include/callsla/snapshot.h:
include/callsla/metrics.h:
daemon/hashmap.h:
