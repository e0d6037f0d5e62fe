build-asan/daemon/decode.o: daemon/decode.c include/callsla/decode.h \
 include/callsla/event.h include/callsla/reject.h \
 include/callsla/timefmt.h
include/callsla/decode.h:
include/callsla/event.h:
include/callsla/reject.h:
include/callsla/timefmt.h:
