build-asan/daemon/tz.o: daemon/tz.c include/callsla/tz.h \
 include/callsla/timefmt.h daemon/util.h
include/callsla/tz.h:
include/callsla/timefmt.h:
daemon/util.h:
