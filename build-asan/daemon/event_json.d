build-asan/daemon/event_json.o: daemon/event_json.c \
 include/callsla/event_json.h include/callsla/event.h \
 include/callsla/timefmt.h
include/callsla/event_json.h:
include/callsla/event.h:
include/callsla/timefmt.h:
