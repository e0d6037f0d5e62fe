build-asan/daemon/timefmt.o: daemon/timefmt.c include/callsla/timefmt.h
include/callsla/timefmt.h:
