# numaplace build. `make` builds the daemon and CLI, `make check` runs every
# test (unit tests, then the multi-node VM scenarios), `make bench` measures.
# Sources are found by wildcard: a new lib/*.c or tests/unit/test_*.c needs
# no edit here.

CC      ?= cc
PKGS    := numa libevent libconfig libsystemd json-c
CHECK_PKG := check
CFLAGS  ?= -O2 -g
# override: `make CFLAGS=...` (a packager's flags) keeps the project's own.
override CFLAGS += -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter \
           -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -fstack-protector-strong -Ilib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lm -pthread
CHECK_CFLAGS := $(shell pkg-config --cflags $(CHECK_PKG))
CHECK_LIBS   := $(shell pkg-config --libs $(CHECK_PKG))

PREFIX     ?= /usr/local
bindir     ?= $(PREFIX)/bin
sbindir    ?= $(PREFIX)/sbin
sysconfdir ?= /etc
mandir     ?= $(PREFIX)/share/man
datadir    ?= $(PREFIX)/share
libexecdir ?= $(PREFIX)/libexec
systemdunitdir ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
sysusersdir    ?= $(or $(shell pkg-config --variable=sysusersdir systemd 2>/dev/null),/usr/lib/sysusers.d)
catalogdir     ?= $(or $(shell pkg-config --variable=catalogdir systemd 2>/dev/null),/usr/lib/systemd/catalog)

B := build
LIB_SRCS  := $(sort $(wildcard lib/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/%.o)
LIB_A     := $(B)/libnumaplace.a
DAEMON_SRCS := $(filter-out daemon/numaplacectl%.c,$(sort $(wildcard daemon/*.c)))
CTL_OBJS := $(patsubst %.c,$(B)/%.o,$(sort $(wildcard daemon/numaplacectl*.c)))
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(B)/%.o)
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(B)/tests/%)
TEST_SUPPORT := $(filter-out $(TEST_SRCS),$(wildcard tests/unit/*.c))
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:%.c=$(B)/%.o)
BIN := daemon/numaplaced $(if $(wildcard daemon/numaplacectl.c),daemon/numaplacectl)

.PHONY: all check check-unit check-tsan check-asan check-valgrind check-vm bench compare demo fuzz fuzz-long clean install uninstall man-check
all: $(BIN)

$(B)/%.o: %.c $(wildcard lib/*.h) $(wildcard daemon/*.h) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

daemon/numaplaced: $(DAEMON_OBJS) $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $(DAEMON_OBJS) $(LIB_A) $(PKG_LIBS)

daemon/numaplacectl: $(CTL_OBJS) $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $(CTL_OBJS) $(LIB_A) $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c $(TEST_SUPPORT_OBJS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(LIB_A) $(CHECK_LIBS) $(PKG_LIBS)

# Unit tests run from the repo root so fixture paths are tests/fixtures/...
check-unit: $(TEST_BINS) $(BIN)
	@bash tests/run-suites.sh $(TEST_BINS)

# The mover's throughput bench runs in the guest (scenario moverbench); the
# initramfs builder copies it from here.
$(B)/moverbench: tests/bench/moverbench.c $(LIB_A)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB_A) $(PKG_LIBS)

check-vm: $(BIN) $(B)/moverbench
	bash tests/vm/check-vm.sh

check: check-unit check-tsan check-asan check-valgrind fuzz check-vm

# ThreadSanitizer over the unit tests whose code runs threads (the engine
# with its mover threads), built apart in build/tsan.
TSAN_TESTS := test_engine
check-tsan:
	$(MAKE) --no-print-directory B=build/tsan CFLAGS="-O1 -g -fsanitize=thread" \
		$(TSAN_TESTS:%=build/tsan/tests/%)
	@for t in $(TSAN_TESTS); do \
		echo "tsan: $$t"; \
		TSAN_OPTIONS="halt_on_error=1 exitcode=66" build/tsan/tests/$$t || exit 1; \
	done

# AddressSanitizer + UndefinedBehaviorSanitizer over everything check-unit
# runs (unit, golden, control, service and contrib suites, their daemons
# included), built in a copy of the tree (build/asan/tree) so the normal
# binaries stay as they are. A leak, a bad access or undefined behaviour
# fails the run.
ASAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
check-asan:
	@rm -rf build/asan/tree && mkdir -p build/asan/tree
	git ls-files -z | tar --null -T - -cf - | tar -xf - -C build/asan/tree
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		$(MAKE) --no-print-directory -C build/asan/tree CC="$(CC)" CFLAGS="$(ASAN_CFLAGS)" check-unit

# valgrind memcheck over the unit tests and a --once --sysroot pass on
# every fixture tree; an invalid access or a definite leak fails (~1 min).
check-valgrind: $(TEST_BINS) $(BIN)
	@bash tests/valgrind/run.sh $(TEST_BINS)

# libFuzzer over the control protocol's request decoder (clang); ~30 s.
fuzz:
	bash tests/fuzz/run.sh

# Every fuzz target for FUZZ_SECONDS each (default 600), or for FUZZ_RUNS
# executions each; FUZZ_TARGETS="config mempolicy" limits it to those named.
# Figures per target.
FUZZ_SECONDS ?= 600
fuzz-long:
	FUZZ_TARGET_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: $(BIN)
	bash tests/bench/run.sh

compare: $(BIN) $(B)/moverbench
	bash tests/vm/compare.sh

demo: $(BIN)
	bash tests/vm/demo.sh

# The daemon reads /etc/numaplaced.conf unless told otherwise, so the unit
# names the file only when sysconfdir moves it. An existing config is never
# overwritten; uninstall keeps it when it differs from the shipped one.
UNIT_CONFIG_ARG := $(if $(filter /etc,$(sysconfdir)),, -c $(sysconfdir)/numaplaced.conf)
MAN_PAGES := $(wildcard docs/man/*.[1-8])

install: $(BIN)
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(sysconfdir) $(DESTDIR)$(systemdunitdir) $(DESTDIR)$(sysusersdir)
	install -m 0755 daemon/numaplaced $(DESTDIR)$(sbindir)/numaplaced
	if [ -x daemon/numaplacectl ]; then install -d $(DESTDIR)$(bindir) && \
	    install -m 0755 daemon/numaplacectl $(DESTDIR)$(bindir)/numaplacectl; fi
	sed -e 's|@sbindir@|$(sbindir)|g' -e 's|@config_arg@|$(UNIT_CONFIG_ARG)|g' \
	    systemd/numaplaced.service > $(DESTDIR)$(systemdunitdir)/numaplaced.service
	chmod 0644 $(DESTDIR)$(systemdunitdir)/numaplaced.service
	install -m 0644 systemd/numaplaced.socket $(DESTDIR)$(systemdunitdir)/numaplaced.socket
	install -m 0644 systemd/numaplace.sysusers $(DESTDIR)$(sysusersdir)/numaplace.conf
	install -d $(DESTDIR)$(catalogdir)
	install -m 0644 systemd/numaplace.catalog $(DESTDIR)$(catalogdir)/numaplace.catalog
	if [ -e $(DESTDIR)$(sysconfdir)/numaplaced.conf ]; then \
	    echo "keeping existing $(DESTDIR)$(sysconfdir)/numaplaced.conf"; \
	else install -m 0644 conf/numaplaced.conf $(DESTDIR)$(sysconfdir)/numaplaced.conf; fi
	for m in $(MAN_PAGES); do s=$${m##*.}; install -d $(DESTDIR)$(mandir)/man$$s && \
	    install -m 0644 $$m $(DESTDIR)$(mandir)/man$$s/ || exit 1; done
	install -d $(DESTDIR)$(datadir)/bash-completion/completions $(DESTDIR)$(libexecdir)/numaplace
	install -m 0644 contrib/bash-completion/numaplacectl $(DESTDIR)$(datadir)/bash-completion/completions/numaplacectl
	sed -e 's|@bindir@|$(bindir)|g' contrib/libvirt/numad > $(DESTDIR)$(libexecdir)/numaplace/numad
	chmod 0755 $(DESTDIR)$(libexecdir)/numaplace/numad
	@if [ -z "$(DESTDIR)" ]; then echo "create the numaplace group: systemd-sysusers numaplace.conf (or groupadd --system numaplace)"; fi

uninstall:
	rm -f $(DESTDIR)$(sbindir)/numaplaced $(DESTDIR)$(bindir)/numaplacectl
	rm -f $(DESTDIR)$(systemdunitdir)/numaplaced.service $(DESTDIR)$(systemdunitdir)/numaplaced.socket
	rm -f $(DESTDIR)$(sysusersdir)/numaplace.conf $(DESTDIR)$(catalogdir)/numaplace.catalog
	for m in $(MAN_PAGES); do rm -f $(DESTDIR)$(mandir)/man$${m##*.}/$${m##*/}; done
	rm -f $(DESTDIR)$(datadir)/bash-completion/completions/numaplacectl $(DESTDIR)$(libexecdir)/numaplace/numad
	rmdir $(DESTDIR)$(libexecdir)/numaplace 2>/dev/null || true
	if cmp -s conf/numaplaced.conf $(DESTDIR)$(sysconfdir)/numaplaced.conf; then \
	    rm -f $(DESTDIR)$(sysconfdir)/numaplaced.conf; \
	elif [ -e $(DESTDIR)$(sysconfdir)/numaplaced.conf ]; then \
	    echo "keeping modified $(DESTDIR)$(sysconfdir)/numaplaced.conf"; fi

man-check:
	@fail=0; for m in $(MAN_PAGES); do \
	    w=$$(groff -ww -man -Tutf8 $$m 2>&1 >/dev/null); \
	    if command -v man >/dev/null; then w="$$w$$(LC_ALL=C.UTF-8 man --warnings -l $$m 2>&1 >/dev/null)"; fi; \
	    if [ -n "$$w" ]; then echo "$$m:"; echo "$$w"; fail=1; else echo "ok $$m"; fi; done; exit $$fail

clean:
	rm -rf $(B) daemon/numaplaced daemon/numaplacectl
