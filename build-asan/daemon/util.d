build-asan/daemon/util.o: daemon/util.c daemon/util.h
daemon/util.h:
