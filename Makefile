# callsla - plain Makefile with pkg-config.
#   make              build build/callsla
#   make test         unit, scenario, corpus and real-data tests
#   make demo         convert a real day and print its queue table
#   make bench        benchmarks (figures on stdout; see bench/README.md)
#   make fuzz         libFuzzer runs of the decoder and the engine (clang)
# Switches: WERROR=0|1 (default 1), SANITIZE=address,undefined, O=0..3.
# Missing Debian packages are installed by scripts/install-deps.sh first.

CC       ?= cc
WERROR   ?= 1
SANITIZE ?=
O        ?= 2
B        ?= build
FUZZ_SECONDS ?= 30

PKG_CORE := libconfig rdkafka hiredis libevent_core libevent_extra libcurl \
            libcrypto libsystemd
PKG_TEST := cmocka jansson

CPPFLAGS += -Iinclude -Idaemon -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
CFLAGS   += -std=c11 -O$(O) -g -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-missing-field-initializers
ifeq ($(WERROR),1)
CFLAGS   += -Werror
endif
ifneq ($(SANITIZE),)
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
endif

# pkg-config runs when a recipe needs it, after the deps stamp exists.
core_cflags = $(shell pkg-config --cflags $(PKG_CORE))
core_libs   = $(shell pkg-config --libs $(PKG_CORE)) -lm
test_cflags = $(shell pkg-config --cflags $(PKG_TEST))
test_libs   = $(shell pkg-config --libs $(PKG_TEST))

# The core library: everything in daemon/ but entry points (main_*) and the
# tool's subcommands (cmd_*).
CORE_SRC  := $(filter-out daemon/main_%.c daemon/cmd_%.c,$(wildcard daemon/*.c))
CORE_OBJ  := $(CORE_SRC:%.c=$(B)/%.o)
# Files built from non-C sources (the wallboard page) go into $(B)/gen.
GEN_SRC   := $(B)/gen/wallboard.c
CORE_OBJ  += $(GEN_SRC:%.c=%.o)
TOOL_SRC  := daemon/main_callsla.c $(wildcard daemon/cmd_*.c)
TOOL_OBJ  := $(TOOL_SRC:%.c=$(B)/%.o)
DAEMON_OBJ := $(B)/daemon/main_callslad.o
TEST_SRC  := $(wildcard tests/unit/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
DEPS      := $(B)/.deps-installed

.PHONY: all test demo bench fuzz clean deps
all: $(B)/callsla $(B)/callslad

deps: $(DEPS)
$(DEPS): scripts/install-deps.sh
	@mkdir -p $(B)
	sh scripts/install-deps.sh
	@touch $@

$(B)/%.o: %.c | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(core_cflags) $(test_cflags) -MMD -MP -c $< -o $@

# The wallboard page becomes a C array (daemon/wallboard.h).
$(B)/gen/wallboard.c: daemon/wallboard.html scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh wallboard.h csla_wallboard_html daemon/wallboard.html >$@.tmp
	mv $@.tmp $@

$(B)/gen/%.o: $(B)/gen/%.c | $(DEPS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/libcallsla.a: $(CORE_OBJ)
	$(AR) rcs $@ $^

$(B)/callsla: $(TOOL_OBJ) $(B)/libcallsla.a
	$(CC) $(LDFLAGS) -o $@ $^ $(core_libs)

# The daemon shares check-config with the tool.
$(B)/callslad: $(B)/daemon/main_callslad.o $(B)/daemon/cmd_check_config.o \
               $(B)/libcallsla.a
	$(CC) $(LDFLAGS) -o $@ $^ $(core_libs)

$(B)/tests/%: $(B)/tests/unit/%.o $(B)/libcallsla.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(core_libs) $(test_libs)

$(B)/bench/%: $(B)/bench/%.o $(B)/libcallsla.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(core_libs) $(test_libs)

test: $(B)/callsla $(B)/callslad $(TEST_BIN)
	sh tests/run.sh $(B)

demo: $(B)/callsla $(B)/callslad
	sh scripts/demo.sh $(B)

bench: $(BENCH_BIN) $(B)/callsla
	sh bench/run.sh $(B)

# libFuzzer wants clang and its own main; the code under test is rebuilt
# with it.  Each target runs FUZZ_SECONDS.
FUZZ_CC = clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
          -fno-sanitize-recover=all
fuzz: $(GEN_SRC) | $(DEPS)
	@mkdir -p $(B)/fuzz/corpus-decode $(B)/fuzz/corpus-engine
	$(FUZZ_CC) -o $(B)/fuzz/fuzz_decode tests/fuzz/fuzz_decode.c \
	  daemon/decode.c daemon/timefmt.c daemon/names.c
	$(FUZZ_CC) -o $(B)/fuzz/fuzz_engine tests/fuzz/fuzz_engine.c \
	  $(CORE_SRC) $(GEN_SRC) $(core_libs)
	$(B)/fuzz/fuzz_decode -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -dict=tests/fuzz/events.dict $(B)/fuzz/corpus-decode \
	  tests/corpus/valid tests/corpus/reject
	$(B)/fuzz/fuzz_engine -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	  -dict=tests/fuzz/events.dict $(B)/fuzz/corpus-engine \
	  tests/corpus/engine tests/fuzz/engine-seeds

# make install [PREFIX=/usr/local] [DESTDIR=]: the two binaries, the unit
# with their installed paths written in, and the example configuration
# unless one is already there (docs/systemd.md).
# uninstall leaves /etc/callsla alone: it is the operator's.  The binaries
# are built if missing but not rebuilt (nor relinked without the SANITIZE
# they were built with): `make` first, then `sudo make install`.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
.PHONY: install uninstall
install: | $(B)/callsla $(B)/callslad
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/callsla
	install -m 0755 $(B)/callsla $(B)/callslad $(DESTDIR)$(BINDIR)
	sed -e 's#/usr/bin/callslad#$(BINDIR)/callslad#g' \
	  -e 's#/etc/callsla/#$(SYSCONFDIR)/callsla/#g' conf/callslad.service \
	  >$(B)/callslad.service
	install -m 0644 $(B)/callslad.service $(DESTDIR)$(UNITDIR)
	[ -e $(DESTDIR)$(SYSCONFDIR)/callsla/callsla.conf ] || \
	  install -m 0644 conf/callsla.conf $(DESTDIR)$(SYSCONFDIR)/callsla
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/callsla $(DESTDIR)$(BINDIR)/callslad \
	  $(DESTDIR)$(UNITDIR)/callslad.service

clean:
	rm -rf $(B)

-include $(CORE_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(DAEMON_OBJ:.o=.d) $(TEST_SRC:%.c=$(B)/%.d) $(BENCH_SRC:%.c=$(B)/%.d)
