# miso: run C functions in a forked, copy-on-write snapshot of the caller.
#
# One non-recursive GNU Makefile. Each part of the tree adds its rules from
# its own build.mk; everything is built under $(B). Settings may be kept in
# config.mak (not tracked), which is read before anything else.
#
#   make            libraries, the shim, the miso command, examples
#   make test       every test: unit, integration, ASan+UBSan, valgrind, fuzz
#   make test-load  the engine, shim and stress tests on a saturated machine
#   make test-cross build for aarch64 and test under qemu-user (CROSS below)
#   make demo       the main demonstration
#   make bench      benchmarks (medians and ratios against bare fork+waitpid)
#   make install    PREFIX/DESTDIR aware

-include config.mak

.DEFAULT_GOAL := all

# Cross builds: 'make CROSS=aarch64-linux-gnu-' builds everything with that
# toolchain into build-aarch64, with the target's libraries from Debian's
# multiarch directories; 'make test-cross' runs what an emulator can run.
# ARCH, the target's architecture, picks the files under shim/arch/.
# RUNNER runs the target's programs in the tests: qemu-user, which finds
# the target's loader and libraries where multiarch put them (its -L
# makes forked children hang in qemu 7.2, so none is given).
CROSS ?=
ifneq ($(CROSS),)
CROSS_TRIPLET := $(patsubst %-,%,$(CROSS))
CC          = $(CROSS)gcc
AR          = $(CROSS)ar
ARCH       ?= $(firstword $(subst -, ,$(CROSS_TRIPLET)))
B          ?= build-$(ARCH)
PKG_CONFIG  = PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS_TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config
RUNNER     := $(or $(RUNNER),qemu-$(ARCH))
ifneq ($(filter test check,$(MAKECMDGOALS)),)
$(error miso: a cross build is tested with 'make test-cross CROSS=$(CROSS)'; ASan, TSan, valgrind and the fuzzers run on the host's build)
endif
endif
ifeq ($(origin ARCH),undefined)
ARCH   := $(firstword $(subst -, ,$(shell $(CC) -dumpmachine)))
endif
RUNNER ?=
export RUNNER

# What an emulator can run: the unit tests, and the integration tests of
# the rebinding, the shim, 'miso check' and the examples (ASan, TSan,
# valgrind and the fuzzers are the host's). Its tally is $(B)/.tally; the
# last line says "ARCH: N passed, N failed".
CROSS_SCRIPTS = tests/rebind/run.sh tests/shim/annot.sh tests/shim/zlib.sh \
                tests/shim/contain.sh tests/shim/badconf.sh \
                tests/shim/annot-worker.sh tests/shim/contain-worker.sh \
                tests/tools/check-arch.sh tests/examples.sh
.PHONY: test-cross check-cross
test-cross:
	@$(MAKE) --no-print-directory CROSS=$(or $(CROSS),aarch64-linux-gnu-) \
	    check-cross
# Only the test programs these scripts use: the packs' need libraries
# (bzip2, libmagic) that the cross group does not install.
check-cross:
	@$(MAKE) --no-print-directory build-all $(TS_ZPROG) $(UNIT_TESTS)
	@MISO_TALLY=$(B)/.tally scripts/run-tests reset
	@-MISO_TALLY=$(B)/.tally MISO_UNDER_EMULATOR=1 \
	    scripts/run-tests unit $(UNIT_TESTS)
	@-B=$(B) ARCH=$(ARCH) MISO_TALLY=$(B)/.tally CONTAIN_CALLS=1000 \
	    CONTAIN_THREAD_CALLS=50 scripts/run-tests script $(CROSS_SCRIPTS)
	@MISO_TALLY=$(B)/.tally scripts/run-tests summary $(ARCH)

VERSION     = 0.1.0
prefix      ?= /usr/local
PREFIX      ?= $(prefix)
exec_prefix ?= $(PREFIX)
bindir      ?= $(exec_prefix)/bin
libdir      ?= $(exec_prefix)/lib
includedir  ?= $(PREFIX)/include
mandir      ?= $(PREFIX)/share/man
DESTDIR     ?=

CC      ?= cc
B       ?= build
SAN     ?=
PKG_CONFIG ?= pkg-config

CFLAGS_AUTO  = -std=c17 -O2 -g -pthread -fPIC -fvisibility=hidden \
               -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS_AUTO = -Iinclude -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64
LDFLAGS_AUTO  = -pthread
ifeq ($(SAN),1)
CFLAGS_AUTO  += -fsanitize=address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=all -DMISO_SANITIZED=1
LDFLAGS_AUTO += -fsanitize=address,undefined
endif
ifeq ($(SAN),thread)
CFLAGS_AUTO  += -fsanitize=thread -DMISO_SANITIZED=1
LDFLAGS_AUTO += -fsanitize=thread
endif
# Quiet by default: one "  CC  build/core/call.o" line per step; V=1 shows
# the commands themselves.
V ?= 0
ifeq ($(V),1)
Q     =
quiet =
else
Q     = @
quiet = @printf '  %-4s %s\n' '$(1)' '$@';
endif

ALL_CFLAGS  = $(CPPFLAGS_AUTO) $(CPPFLAGS) $(CFLAGS_AUTO) $(CFLAGS)
ALL_LDFLAGS = $(LDFLAGS_AUTO) $(LDFLAGS)

# cmocka, for every unit test (expanded when used: 'make test' may have
# just installed it).
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# Filled in by the build.mk files.
ALL_TARGETS    =
TEST_TARGETS   =
UNIT_TESTS     =
SCRIPT_TESTS   =
VALGRIND_TESTS =
FUZZERS        =
INSTALL_TARGETS =

.PHONY: all test test-load check check-unit check-scripts check-asan \
        check-tsan check-valgrind \
        check-fuzz fuzz demo bench install uninstall clean distclean deps \
        deps-test deps-bench

all: deps
	@$(MAKE) --no-print-directory build-all

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(call quiet,CC)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Fuzzers (libFuzzer through clang). $(call fuzz_rules,NAME,BINARY) adds
# check-fuzz-NAME (20 s, part of make test) and fuzz-NAME (FUZZ_SECONDS),
# both over a copy of tests/corpus/NAME, so what they learn stays in $(B).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_FLAGS    = -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all $(CPPFLAGS_AUTO)
define fuzz_rules
FUZZERS += $(2)
$(B)/fuzz/corpus-$(1): $$(wildcard tests/corpus/$(1)/*)
	$$(call quiet,GEN)rm -rf $$@
	@mkdir -p $$@
	@cp tests/corpus/$(1)/* $$@/
.PHONY: check-fuzz-$(1) fuzz-$(1)
check-fuzz: check-fuzz-$(1)
fuzz: fuzz-$(1)
check-fuzz-$(1): $(2) $(B)/fuzz/corpus-$(1)
	$(2) -max_total_time=20 -print_final_stats=1 \
	    -artifact_prefix=$(B)/fuzz/ $(B)/fuzz/corpus-$(1)
fuzz-$(1): $(2) $(B)/fuzz/corpus-$(1)
	$(2) -max_total_time=$$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(B)/fuzz/ $(B)/fuzz/corpus-$(1)
endef

include core/build.mk
-include config/build.mk
-include shim/build.mk
-include tools/build.mk
include tests/build.mk
include examples/build.mk
include bench/build.mk

.PHONY: build-all
build-all: $(ALL_TARGETS)

# Checks that what building needs is present (deps), or what the tests
# or the benchmark report need too; installs what is missing through
# scripts/install-deps (as root or with sudo) or prints the command.
deps:
	@CC='$(CC)' scripts/check-deps build
deps-test:
	@CC='$(CC)' scripts/check-deps test
deps-bench:
	@CC='$(CC)' scripts/check-deps bench

demo: deps
fuzz: deps-test

check-unit: $(UNIT_TESTS)
	@scripts/run-tests unit $(UNIT_TESTS)

check-scripts: $(ALL_TARGETS) $(TEST_TARGETS) $(UNIT_TESTS)
	@B=$(B) scripts/run-tests script $(SCRIPT_TESTS)

check: deps-test
	@$(MAKE) --no-print-directory check-unit check-scripts

check-asan:
	@$(MAKE) --no-print-directory B=$(B)/asan SAN=1 check-unit

# ThreadSanitizer on the tests that call from several threads.
TSAN_TESTS = tests/test_spawn tests/test_pool
check-tsan:
	@$(MAKE) --no-print-directory B=$(B)/tsan SAN=thread \
	    $(TSAN_TESTS:%=$(B)/tsan/%)
	@TSAN_OPTIONS=halt_on_error=1 scripts/run-tests unit \
	    $(TSAN_TESTS:%=$(B)/tsan/%)

check-valgrind: $(VALGRIND_TESTS)
	@scripts/run-tests valgrind $(VALGRIND_TESTS)

# The tally starts empty, so that the summary counts this run only.
test: deps-test
	@scripts/run-tests reset
	@$(MAKE) --no-print-directory build-all
	@$(MAKE) --no-print-directory check-unit
	@$(MAKE) --no-print-directory check-scripts
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory check-tsan
	@$(MAKE) --no-print-directory check-valgrind
	@$(MAKE) --no-print-directory check-fuzz
	@scripts/run-tests summary

# Every CPU busy, the tests pinned to one (tests/load.sh); make test runs
# a bounded version of the same.
test-load: deps-test
	@$(MAKE) --no-print-directory build-all $(TEST_TARGETS) $(UNIT_TESTS)
	@MISO_LOAD=full B=$(B) sh tests/load.sh

clean:
	rm -rf $(B)

distclean: clean
	rm -f config.mak

-include $(shell find $(B) -name '*.d' 2>/dev/null)
