build-asan/tests/unit/test_decode_jansson.o: \
 tests/unit/test_decode_jansson.c include/callsla/decode.h \
 include/callsla/event.h include/callsla/reject.h tests/unit/corpus.h
include/callsla/decode.h:
include/callsla/event.h:
include/callsla/reject.h:
tests/unit/corpus.h:
