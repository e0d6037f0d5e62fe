build-asan/daemon/sim.o: daemon/sim.c daemon/sim.h \
 include/callsla/event.h include/callsla/tz.h daemon/sim_truth.h \
 include/callsla/timefmt.h daemon/util.h
daemon/sim.h:
include/callsla/event.h:
include/callsla/tz.h:
daemon/sim_truth.h:
include/callsla/timefmt.h:
daemon/util.h:
