build-asan/tests/unit/test_timefmt.o: tests/unit/test_timefmt.c \
 include/callsla/timefmt.h
include/callsla/timefmt.h:
