# numaplace build. `make` builds the daemon and CLI, `make check` runs every
# test (unit tests, then the multi-node VM scenarios), `make bench` measures.
# Sources are found by wildcard: a new lib/*.c or tests/unit/test_*.c needs
# no edit here.

CC      ?= cc
PKGS    := numa libevent libconfig libsystemd json-c
CHECK_PKG := check
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter \
           -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -fstack-protector-strong -Ilib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lm
CHECK_CFLAGS := $(shell pkg-config --cflags $(CHECK_PKG))
CHECK_LIBS   := $(shell pkg-config --libs $(CHECK_PKG))

PREFIX     ?= /usr/local
sbindir    ?= $(PREFIX)/sbin
sysconfdir ?= /etc

B := build
LIB_SRCS  := $(sort $(wildcard lib/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/%.o)
LIB_A     := $(B)/libnumaplace.a
DAEMON_SRCS := $(filter-out daemon/numaplacectl.c,$(sort $(wildcard daemon/*.c)))
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(B)/%.o)
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(B)/tests/%)
TEST_SUPPORT := $(filter-out $(TEST_SRCS),$(wildcard tests/unit/*.c))
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:%.c=$(B)/%.o)
BIN := daemon/numaplaced $(if $(wildcard daemon/numaplacectl.c),daemon/numaplacectl)

.PHONY: all check check-unit check-vm bench compare demo clean
all: $(BIN)

$(B)/%.o: %.c $(wildcard lib/*.h) $(wildcard daemon/*.h) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

daemon/numaplaced: $(DAEMON_OBJS) $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $(DAEMON_OBJS) $(LIB_A) $(PKG_LIBS)

daemon/numaplacectl: $(B)/daemon/numaplacectl.o $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_A) $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c $(TEST_SUPPORT_OBJS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(LIB_A) $(CHECK_LIBS) $(PKG_LIBS)

# Unit tests run from the repo root so fixture paths are tests/fixtures/...
check-unit: $(TEST_BINS) $(BIN)
	@set -e; fail=0; for t in $(TEST_BINS); do \
	    echo "== $$t"; CK_FORK=yes ./$$t || fail=1; done; \
	 if [ -x tests/golden/run.sh ]; then tests/golden/run.sh || fail=1; fi; \
	 exit $$fail

check-vm: $(BIN)
	bash tests/vm/check-vm.sh

check: check-unit check-vm

bench: $(BIN)
	bash tests/bench/run.sh

compare: $(BIN)
	bash tests/vm/compare.sh

demo: $(BIN)
	bash tests/vm/demo.sh

clean:
	rm -rf $(B) daemon/numaplaced daemon/numaplacectl
