# The miso command, its man page and its tests. The command reads ELF
# with libelf and DWARF with libdw, and configurations with libmisoconf.a.

TOOLS_SRCS = $(wildcard tools/*.c)
TOOLS_OBJS = $(TOOLS_SRCS:%.c=$(B)/%.o)
TOOLS_BIN  = $(B)/bin/miso
TOOLS_ELF_CFLAGS = $(shell $(PKG_CONFIG) --cflags libelf libdw 2>/dev/null)
TOOLS_ELF_LIBS   = $(shell $(PKG_CONFIG) --libs libelf libdw 2>/dev/null || \
                   echo -ldw -lelf)

ALL_TARGETS  += $(TOOLS_BIN)
SCRIPT_TESTS += tests/tools/run.sh tests/tools/install.sh tests/tools/hostile.sh

$(TOOLS_OBJS): $(B)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(call quiet,CC)$(CC) $(ALL_CFLAGS) -Iconfig $(TOOLS_ELF_CFLAGS) -MMD -MP -c -o $@ $<

$(TOOLS_BIN): $(TOOLS_OBJS) $(B)/lib/libmisoconf.a
	@mkdir -p $(@D)
	$(call quiet,LD)$(CC) -o $@ $(TOOLS_OBJS) $(B)/lib/libmisoconf.a $(TOOLS_ELF_LIBS) \
	    -lm $(ALL_LDFLAGS)

# Test programs for 'miso check', each built the way it is named. Their
# libraries sit in lib/ and are found through RUNPATH $ORIGIN/lib, except
# libgone.so, which prog-missing needs and which is left out of reach.
TT      = $(B)/tests/tools
TT_CC   = $(CC) -O2 -g -Wall
TT_SO   = $(TT_CC) -fPIC -fsemantic-interposition -shared
TT_LIBS = $(TT)/lib/libtt.so $(TT)/lib/libsym.so $(TT)/lib/libprot.so \
          $(TT)/lib/libver.so
TT_LINK = -L$(TT)/lib -ltt -lsym -lprot -lver -Wl,-rpath,'$$ORIGIN/lib'
TT_PROGS = $(TT)/prog-pie $(TT)/prog-nopie $(TT)/prog-noplt \
           $(TT)/prog-relro $(TT)/prog-rpath $(TT)/prog-static \
           $(TT)/prog-missing $(TT)/prog-dl
TT_ALL  = $(TT_LIBS) $(TT_PROGS) $(TT)/libdummy.so $(TT)/gone/libgone.so \
          $(TT)/libshrink.so

ALL_TARGETS += $(TT_ALL)

.PHONY: tools-tests
tools-tests: $(TOOLS_BIN) $(TT_ALL)

$(TT)/lib/libtt.so: tests/tools/tt.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TT_SO) -Wl,-soname,libtt.so -o $@ $<

$(TT)/lib/libsym.so: tests/tools/sym.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TT_SO) -Wl,-Bsymbolic -Wl,-soname,libsym.so -o $@ $<

$(TT)/lib/libprot.so: tests/tools/prot.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TT_SO) -Wl,-soname,libprot.so -o $@ $<

$(TT)/lib/libver.so: tests/tools/ver.c tests/tools/ver.map
	@mkdir -p $(@D)
	$(call quiet,LD)$(TT_SO) -Wl,-soname,libver.so \
	    -Wl,--version-script=tests/tools/ver.map -o $@ tests/tools/ver.c

$(TT)/gone/libgone.so: tests/tools/gone.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TT_SO) -Wl,-soname,libgone.so -o $@ $<

$(TT)/libshrink.so: tests/tools/shrink.c
	@mkdir -p $(@D)
	$(TT_SO) -o $@ $< -ldl

$(TT)/libdummy.so: tests/tools/dummy.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TT_SO) -o $@ $<

$(TT)/prog-pie: tests/tools/prog.c $(TT_LIBS)
	$(call quiet,LD)$(TT_CC) -fPIE -pie -o $@ $< $(TT_LINK)

$(TT)/prog-nopie: tests/tools/prog.c $(TT_LIBS)
	$(call quiet,LD)$(TT_CC) -fno-pie -no-pie -o $@ $< $(TT_LINK)

$(TT)/prog-noplt: tests/tools/prog.c $(TT_LIBS)
	$(call quiet,LD)$(TT_CC) -fPIE -pie -fno-plt -o $@ $< $(TT_LINK)

$(TT)/prog-relro: tests/tools/prog.c $(TT_LIBS)
	$(call quiet,LD)$(TT_CC) -fPIE -pie -Wl,-z,relro,-z,now -o $@ $< $(TT_LINK)

$(TT)/prog-rpath: tests/tools/prog.c $(TT_LIBS)
	$(call quiet,LD)$(TT_CC) -o $@ $< $(TT_LINK) -Wl,--disable-new-dtags

$(TT)/prog-static: tests/tools/static.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TT_CC) -static -o $@ $<

$(TT)/prog-missing: tests/tools/missing.c $(TT)/gone/libgone.so $(TT_LIBS)
	$(call quiet,LD)$(TT_CC) -o $@ $< -L$(TT)/gone -lgone $(TT_LINK)

$(TT)/prog-dl: tests/tools/dl.c $(TT_LIBS)
	$(call quiet,LD)$(TT_CC) -o $@ $< $(TT_LINK) -ldl

# The fuzzer of the ELF side: the reader, the library search, the
# analysis and the reports, without the command's main and subcommands.
ELF_FUZZ      = $(B)/fuzz/fuzz_elf
ELF_FUZZ_SRCS = $(filter-out tools/miso.c tools/check.c tools/explain.c \
                tools/run.c tools/conf.c tools/which.c tools/gen%.c,$(TOOLS_SRCS))
$(ELF_FUZZ): tests/fuzz_elf.c $(ELF_FUZZ_SRCS) tools/tools.h tools/report.h \
    $(CONF_SRCS) config/config.h config/internal.h $(CONF_GEN)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Iconfig -Itools -I$(B)/config \
	    $(TOOLS_ELF_CFLAGS) -o $@ tests/fuzz_elf.c $(ELF_FUZZ_SRCS) \
	    $(CONF_SRCS) $(TOOLS_ELF_LIBS) -lm
$(eval $(call fuzz_rules,elf,$(ELF_FUZZ)))

# Under ASan (make check-asan), the hostile files and the mutation
# campaign run against the sanitized command, as one unit test.
ifeq ($(SAN),1)
UNIT_TESTS += $(B)/tests/tools/hostile-asan
$(B)/tests/tools/hostile-asan: tests/tools/hostile.sh tests/tools/campaign.py \
    tests/tools/elfpatch.py $(TOOLS_BIN) $(TT_ALL)
	@mkdir -p $(@D)
	printf '#!/bin/sh\ncd "%s" && B="%s" sh tests/tools/hostile.sh && exec python3 tests/tools/campaign.py "%s"\n' \
	    "$(CURDIR)" "$(B)" "$(B)" >$@
	chmod +x $@
endif

# Installation: the command and its manual page.
install: install-tools
uninstall: uninstall-tools
.PHONY: install-tools uninstall-tools
install-tools: $(TOOLS_BIN)
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1
	install -m 755 $(TOOLS_BIN) $(DESTDIR)$(bindir)/miso
	install -m 644 man/miso.1 $(DESTDIR)$(mandir)/man1/miso.1

uninstall-tools:
	rm -f $(DESTDIR)$(bindir)/miso $(DESTDIR)$(mandir)/man1/miso.1
include tests/gen/build.mk
