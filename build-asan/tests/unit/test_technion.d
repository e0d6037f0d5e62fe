build-asan/tests/unit/test_technion.o: tests/unit/test_technion.c \
 include/callsla/event_json.h include/callsla/event.h daemon/technion.h \
 include/callsla/tz.h
include/callsla/event_json.h:
include/callsla/event.h:
daemon/technion.h:
include/callsla/tz.h:
