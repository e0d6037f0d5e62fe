build-asan/tests/unit/test_decode.o: tests/unit/test_decode.c \
 include/callsla/decode.h include/callsla/event.h \
 include/callsla/reject.h tests/unit/corpus.h
include/callsla/decode.h:
include/callsla/event.h:
include/callsla/reject.h:
tests/unit/corpus.h:
