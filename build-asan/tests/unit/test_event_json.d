build-asan/tests/unit/test_event_json.o: tests/unit/test_event_json.c \
 include/callsla/decode.h include/callsla/event.h \
 include/callsla/reject.h include/callsla/event_json.h
include/callsla/decode.h:
include/callsla/event.h:
include/callsla/reject.h:
include/callsla/event_json.h:
