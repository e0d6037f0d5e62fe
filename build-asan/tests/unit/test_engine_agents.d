build-asan/tests/unit/test_engine_agents.o: \
 tests/unit/test_engine_agents.c tests/unit/scenario.h \
 include/callsla/config.h include/callsla/tz.h include/callsla/decode.h \
 include/callsla/event.h include/callsla/reject.h \
 include/callsla/engine.h include/callsla/snapshot.h \
 include/callsla/metrics.h include/callsla/timefmt.h
tests/unit/scenario.h:
include/callsla/config.h:
include/callsla/tz.h:
include/callsla/decode.h:
include/callsla/event.h:
include/callsla/reject.h:
include/callsla/engine.h:
include/callsla/snapshot.h:
include/callsla/metrics.h:
include/callsla/timefmt.h:
