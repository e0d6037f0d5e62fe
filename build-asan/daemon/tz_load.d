build-asan/daemon/tz_load.o: daemon/tz_load.c include/callsla/tz.h \
 daemon/util.h
include/callsla/tz.h:
daemon/util.h:
