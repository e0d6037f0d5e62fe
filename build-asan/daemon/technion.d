build-asan/daemon/technion.o: daemon/technion.c daemon/technion.h \
 include/callsla/event.h include/callsla/tz.h include/callsla/timefmt.h
daemon/technion.h:
include/callsla/event.h:
include/callsla/tz.h:
include/callsla/timefmt.h:
