# Brigade - a UUCP store-and-forward mail relay.
#
#   make            build everything into $(O) (default build/)
#   make check      build with AddressSanitizer and UBSan and run every test
#   make demo       run the demo network in a temporary directory
#   make install    install programs (PREFIX, DESTDIR)
#   make fuzz       run the fuzz targets for a while (clang, libFuzzer)
#   make bench      run the benchmarks

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
DESTDIR ?=

O ?= build
CC ?= cc
CFLAGS ?= -O2 -g
SANFLAGS ?=
WFLAGS = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
DEFS = -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE \
	-DSYSCONFDIR='"$(SYSCONFDIR)"' -DLOCALSTATEDIR='"$(LOCALSTATEDIR)"' -DSBINDIR='"$(SBINDIR)"'
ALL_CFLAGS = $(WFLAGS) $(DEFS) -I. $(CFLAGS) $(SANFLAGS)
LDLIBS = -lserialport -lz -luuid -lutil
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# Libraries: lib/ spool/ modem/ make libbrigade.a; the protocol and
# session code of uucico/ (all but main.c) make libuucico.a, so unit tests
# and fuzz targets can link them.
LIB_SRC := $(wildcard lib/*.c) $(wildcard spool/*.c) $(wildcard modem/*.c)
UUCICO_SRC := $(filter-out uucico/main.c,$(wildcard uucico/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(O)/%.o)
UUCICO_OBJ := $(UUCICO_SRC:%.c=$(O)/%.o)

# Programs: uucico/main.c is uucico; every other *.c in tools/ sim/ is a
# program of its own name.
TOOL_SRC := $(wildcard tools/*.c) $(wildcard sim/*.c)
TOOL_BIN := $(patsubst %.c,$(O)/bin/%,$(notdir $(TOOL_SRC)))
PROGS := $(O)/bin/uucico $(TOOL_BIN)

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
# Helper programs the shell tests drive (not TAP themselves).
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(O)/helpers/%)

all: $(PROGS) $(UNIT_BIN) $(HELPER_BIN)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/libbrigade.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(O)/libuucico.a: $(UUCICO_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(O)/bin/uucico: $(O)/uucico/main.o $(O)/libuucico.a $(O)/libbrigade.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bin/%: $(O)/tools/%.o $(O)/libuucico.a $(O)/libbrigade.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bin/%: $(O)/sim/%.o $(O)/libbrigade.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/%: $(O)/tests/unit/%.o $(O)/libuucico.a $(O)/libbrigade.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/helpers/%: $(O)/tests/helpers/%.o $(O)/libuucico.a $(O)/libbrigade.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# The tests run on a sanitizer build (its own object directory), then the
# runner prints "N passed, N failed".
SAN_O = build/san
check:
	$(MAKE) all
	$(MAKE) O=$(SAN_O) SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" all
	tests/run.sh $(SAN_O)

# check-fast: the same tests on the plain build.
check-fast: all
	tests/run.sh $(O)

demo: all
	tests/demo.sh $(O)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 755 $(O)/bin/uucico $(DESTDIR)$(SBINDIR)/uucico
	for p in $(TOOL_BIN); do install -m 755 $$p $(DESTDIR)$(BINDIR)/; done
	install -d $(DESTDIR)$(SYSCONFDIR)/brigade
	install -m 644 Systems.example $(DESTDIR)$(SYSCONFDIR)/brigade/Systems.example

clean:
	rm -rf build

.PHONY: all check check-fast demo install clean fuzz bench

-include $(shell find $(O) -name '*.d' 2>/dev/null)
