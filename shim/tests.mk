# The shim's demo and integration tests: programs and libraries built the
# way users build theirs (plain cc, no miso headers), run with and without
# LD_PRELOAD=$(B)/lib/libmiso.so by the scripts under tests/shim and by
# demo/run.sh.  Included at the end of shim/build.mk.

TS_SHIM  = $(B)/lib/libmiso.so
USER_CC  = $(CC) -O2 -g -Wall
USER_SO  = $(USER_CC) -fPIC -shared

# make demo: a leak and a crash contained (demo/run.sh).
DEMO = $(B)/demo

demo: $(TS_SHIM) $(DEMO)/legacy $(DEMO)/libvendor.so
	@B=$(B) sh demo/run.sh

$(DEMO)/libvendor.so: demo/libvendor.c demo/vendor.h
	@mkdir -p $(@D)
	$(call quiet,LD)$(USER_SO) -Wl,-soname,libvendor.so -o $@ $<

$(DEMO)/legacy: demo/legacy.c demo/vendor.h $(DEMO)/libvendor.so
	$(call quiet,LD)$(USER_CC) -o $@ $< -L$(DEMO) -lvendor -Wl,-rpath,'$$ORIGIN'

# The integration tests (tests/shim/*.sh).
TS = $(B)/tests/shim
TS_BINS = $(TS)/libts.so $(TS)/tsprog $(TS)/contain
# zprog needs zlib's headers, which only the tests need.
TS_ZPROG = $(TS)/zprog
TS_SCRIPTS = tests/shim/annot.sh tests/shim/zlib.sh tests/shim/debian.sh \
             tests/shim/contain.sh tests/shim/valgrind.sh \
             tests/shim/badconf.sh tests/shim/annot-worker.sh \
             tests/shim/contain-worker.sh tests/shim/log.sh \
             tests/shim/fault-worker.sh tests/shim/trust.sh

ALL_TARGETS  += shim-tests
TEST_TARGETS += $(TS_ZPROG)
SCRIPT_TESTS += $(TS_SCRIPTS)

.PHONY: shim-tests check-shim
shim-tests: $(TS_SHIM) $(TS_BINS)

# Just these tests: make check-shim.
check-shim: shim-tests $(TS_ZPROG) $(B)/tests/tools/libdummy.so
	@B=$(B) scripts/run-tests script $(TS_SCRIPTS)

$(TS)/libts.so: tests/shim/ts.c tests/shim/ts.h
	@mkdir -p $(@D)
	$(call quiet,LD)$(USER_SO) -Wl,-soname,libts.so -o $@ $<

$(TS)/tsprog: tests/shim/tsprog.c tests/shim/ts.h $(TS)/libts.so
	$(call quiet,LD)$(USER_CC) -o $@ $< -L$(TS) -lts -Wl,-rpath,'$$ORIGIN'

$(TS)/contain: tests/shim/contain.c tests/shim/ts.h $(TS)/libts.so
	$(call quiet,LD)$(USER_CC) -pthread -o $@ $< -L$(TS) -lts -Wl,-rpath,'$$ORIGIN'

$(TS)/zprog: tests/shim/zprog.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(USER_CC) -o $@ $< -lz
