# The tests of miso gen: libtg, a library written the way C libraries
# usually are, built with -g (libtg.so) and stripped with its DWARF in a
# separate debug file found by build-id (strip/libtg.so, debug/), and a
# program that calls each of its functions.  Included from tools/build.mk.

TG       = $(B)/tests/gen
TG_BINS  = $(TG)/libtg.so $(TG)/tgprog $(TG)/strip/libtg.so
TEST_TARGETS += $(TG_BINS)
SCRIPT_TESTS += tests/gen/gen.sh

.PHONY: check-gen
check-gen: $(TOOLS_BIN) $(B)/lib/libmiso.so $(TG_BINS)
	@B=$(B) scripts/run-tests script tests/gen/gen.sh

$(TG)/libtg.so: tests/gen/tg.c tests/gen/tg.h
	@mkdir -p $(@D)
	$(call quiet,LD)$(CC) -O2 -g -Wall -fPIC -shared -Wl,--build-id \
	    -Wl,-soname,libtg.so -o $@ $<

$(TG)/tgprog: tests/gen/tgprog.c tests/gen/tg.h $(TG)/libtg.so
	$(call quiet,LD)$(CC) -O2 -Wall -o $@ $< -L$(TG) -ltg \
	    -Wl,-rpath,'$$ORIGIN'

# The stripped copy, its DWARF where gdb would look for it.
$(TG)/strip/libtg.so: $(TG)/libtg.so
	@mkdir -p $(@D)
	$(call quiet,GEN)objcopy --only-keep-debug $< $@.debug && \
	    id=$$(readelf -n $< | sed -n 's/.*Build ID: //p') && \
	    mkdir -p $(TG)/debug/.build-id/$$(echo $$id | cut -c1-2) && \
	    mv $@.debug $(TG)/debug/.build-id/$$(echo $$id | cut -c1-2)/$$(echo $$id | cut -c3-).debug && \
	    strip --strip-debug -o $@ $<
