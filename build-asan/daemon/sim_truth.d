build-asan/daemon/sim_truth.o: daemon/sim_truth.c daemon/sim_truth.h \
 include/callsla/event.h include/callsla/tz.h include/callsla/timefmt.h \
 daemon/util.h
daemon/sim_truth.h:
include/callsla/event.h:
include/callsla/tz.h:
include/callsla/timefmt.h:
daemon/util.h:
