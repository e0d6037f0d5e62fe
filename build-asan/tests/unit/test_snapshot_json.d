build-asan/tests/unit/test_snapshot_json.o: \
 tests/unit/test_snapshot_json.c include/callsla/snapshot.h \
 include/callsla/metrics.h include/callsla/config.h include/callsla/tz.h \
 include/callsla/event.h
include/callsla/snapshot.h:
include/callsla/metrics.h:
include/callsla/config.h:
include/callsla/tz.h:
include/callsla/event.h:
