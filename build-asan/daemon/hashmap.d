build-asan/daemon/hashmap.o: daemon/hashmap.c daemon/hashmap.h \
 daemon/util.h
daemon/hashmap.h:
daemon/util.h:
