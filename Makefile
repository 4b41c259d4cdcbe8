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
	-DSYSCONFDIR='"$(SYSCONFDIR)"' -DLOCALSTATEDIR='"$(LOCALSTATEDIR)"' -DSBINDIR='"$(SBINDIR)"' -DBINDIR='"$(BINDIR)"'
ALL_CFLAGS = $(WFLAGS) $(DEFS) -I. $(CFLAGS) $(SANFLAGS)
LDLIBS = -lserialport -lz -luuid -lutil -lssl -lcrypto
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# Libraries: lib/ spool/ modem/ make libbrigade.a; uucico/'s protocol and
# session code makes libuucico.a; the mail side (uux/ gateway/ route/)
# makes libmail.a.  A .c file with a line starting "main(" is a program
# named after its file (uucico/main.c is uucico); every other .c file is
# library code, so unit tests and fuzz targets can link it.
LPAREN := (
MAIN_SRC := $(shell grep -l '^main$(LPAREN)' uucico/*.c tools/*.c sim/*.c uux/*.c gateway/*.c route/*.c 2>/dev/null)
LIB_SRC := $(wildcard lib/*.c) $(wildcard spool/*.c) $(wildcard modem/*.c)
UUCICO_SRC := $(filter-out $(MAIN_SRC),$(wildcard uucico/*.c))
MAIL_SRC := $(filter-out $(MAIN_SRC),$(wildcard uux/*.c) $(wildcard gateway/*.c) $(wildcard route/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(O)/%.o)
UUCICO_OBJ := $(UUCICO_SRC:%.c=$(O)/%.o)
MAIL_OBJ := $(MAIL_SRC:%.c=$(O)/%.o)
LIBS := $(O)/libmail.a $(O)/libuucico.a $(O)/libbrigade.a

prog_name = $(if $(filter uucico/main.c,$(1)),uucico,$(basename $(notdir $(1))))
PROGS := $(foreach m,$(MAIN_SRC),$(O)/bin/$(call prog_name,$(m)))

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
# Helper programs the shell tests drive (not TAP themselves).
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(O)/helpers/%)

# Fuzz targets: libFuzzer entry points; make check links each with a
# replay driver (tests/fuzz/driver/replay.c), make fuzz with libFuzzer.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(O)/fuzz/%)

all: $(PROGS) $(UNIT_BIN) $(HELPER_BIN) $(FUZZ_BIN)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/libbrigade.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(O)/libuucico.a: $(UUCICO_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(O)/libmail.a: $(MAIL_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(MAIL_OBJ)

# One link rule per program.
define PROG_RULE
$(O)/bin/$(call prog_name,$(1)): $(O)/$(1:.c=.o) $(LIBS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach m,$(MAIN_SRC),$(eval $(call PROG_RULE,$(m))))

$(O)/tests/%: $(O)/tests/unit/%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/helpers/%: $(O)/tests/helpers/%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/fuzz/%: $(O)/tests/fuzz/%.o $(O)/tests/fuzz/driver/replay.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# make fuzz: each target under libFuzzer for FUZZ_TIME seconds, corpora in
# tests/fuzz/corpus/NAME (seeds) and build/fuzz-corpus/NAME (findings).
FUZZ_TIME ?= 60
FUZZ_O = build/libfuzzer
fuzz:
	$(MAKE) O=$(FUZZ_O) CC=clang SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined" \
		$(FUZZ_O)/libmail.a $(FUZZ_O)/libuucico.a $(FUZZ_O)/libbrigade.a
	set -e; for src in $(FUZZ_SRC); do \
		n=$$(basename $$src .c); mkdir -p build/fuzz-corpus/$$n tests/fuzz/corpus/$$n; \
		clang -g -O1 -fsanitize=fuzzer,address,undefined $(WFLAGS) $(DEFS) -I. -o $(FUZZ_O)/$$n $$src \
			$(FUZZ_O)/libmail.a $(FUZZ_O)/libuucico.a $(FUZZ_O)/libbrigade.a $(LDLIBS); \
		$(FUZZ_O)/$$n -max_total_time=$(FUZZ_TIME) -max_len=4096 build/fuzz-corpus/$$n tests/fuzz/corpus/$$n; \
	done

# Keep the objects of test programs (make would delete them as
# intermediate files).
.SECONDARY:

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

bench: all
	bench/run.sh $(O)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 755 $(O)/bin/uucico $(DESTDIR)$(SBINDIR)/uucico
	for p in $(filter-out $(O)/bin/uucico,$(PROGS)); do install -m 755 $$p $(DESTDIR)$(BINDIR)/; done
	install -m 755 tools/uureplay.sh $(DESTDIR)$(BINDIR)/uureplay
	for n in rsmtp rcsmtp rbsmtp; do ln -sf rgsmtp $(DESTDIR)$(BINDIR)/$$n; done
	install -d $(DESTDIR)$(SYSCONFDIR)/brigade
	install -m 644 Systems.example $(DESTDIR)$(SYSCONFDIR)/brigade/Systems.example
	for s in 1 5 8; do install -d $(DESTDIR)$(MANDIR)/man$$s; \
		for m in docs/man/*.$$s; do [ ! -f $$m ] || install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done; done
	for n in rsmtp rcsmtp rbsmtp; do ln -sf rgsmtp.8 $(DESTDIR)$(MANDIR)/man8/$$n.8; done

clean:
	rm -rf build

.PHONY: all check check-fast demo install clean fuzz bench

-include $(shell find $(O) -name '*.d' 2>/dev/null)
