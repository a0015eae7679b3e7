# The configuration language: libmisoconf.a, its tests and its fuzzer.
# The tables of system structs and errno names are measured from this
# system's headers at build time, into $(B)/config.

CONF_SRCS   = $(wildcard config/*.c)
CONF_OBJS   = $(CONF_SRCS:%.c=$(B)/%.o)
CONF_A      = $(B)/lib/libmisoconf.a
CONF_GEN    = $(B)/config/systab.h $(B)/config/errtab.h
CONF_TESTS  = $(B)/tests/test_config $(B)/tests/test_config_eval \
              $(B)/tests/test_config_find $(B)/tests/test_config_systypes \
              $(B)/tests/test_config_nomem $(B)/tests/test_config_pack
CONF_FUZZ   = $(B)/fuzz/fuzz_config
CONF_PROBE_CC      = $(CC) $(CPPFLAGS_AUTO) $(CPPFLAGS) $(CFLAGS)

ALL_TARGETS    += $(CONF_A)
UNIT_TESTS     += $(CONF_TESTS)
VALGRIND_TESTS += $(CONF_TESTS)

$(B)/config/systab.h: config/gen-structs.sh
	@mkdir -p $(@D)
	$(call quiet,GEN)RUNNER='$(RUNNER)' config/gen-structs.sh $@ $(CONF_PROBE_CC)

$(B)/config/errtab.h: config/gen-errno.sh
	@mkdir -p $(@D)
	$(call quiet,GEN)config/gen-errno.sh $@ $(CONF_PROBE_CC)

$(B)/config/systypes.o: config/systypes.c $(B)/config/systab.h
	@mkdir -p $(@D)
	$(call quiet,CC)$(CC) $(ALL_CFLAGS) -I$(B)/config -MMD -MP -c -o $@ $<

$(B)/config/errnames.o: config/errnames.c $(B)/config/errtab.h
	@mkdir -p $(@D)
	$(call quiet,CC)$(CC) $(ALL_CFLAGS) -I$(B)/config -MMD -MP -c -o $@ $<

$(CONF_A): $(CONF_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(call quiet,AR)$(AR) rcs $@ $^

$(CONF_TESTS:%=%.o): $(B)/tests/%.o: tests/%.c $(CONF_GEN)
	@mkdir -p $(@D)
	$(call quiet,CC)$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Iconfig -MMD -MP -c -o $@ $<

$(CONF_TESTS): %: %.o $(CONF_A)
	$(call quiet,LD)$(CC) -o $@ $< $(CONF_A) $(CMOCKA_LIBS) $(ALL_LDFLAGS) \
	    $(CONF_TEST_LDFLAGS)

# Allocation failures are injected by wrapping the allocator.
$(B)/tests/test_config_nomem: CONF_TEST_LDFLAGS = \
    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

# The fuzzers build the sources themselves, with clang's instrumentation.
$(CONF_FUZZ): tests/fuzz_config.c $(CONF_SRCS) config/config.h \
    config/internal.h $(CONF_GEN)
	@mkdir -p $(@D)
	$(call quiet,LD)$(FUZZ_CC) $(FUZZ_FLAGS) -Iconfig -I$(B)/config -o $@ \
	    tests/fuzz_config.c $(CONF_SRCS)
$(eval $(call fuzz_rules,config,$(CONF_FUZZ)))

# The size-expression evaluator.
EXPR_FUZZ = $(B)/fuzz/fuzz_expr
$(EXPR_FUZZ): tests/fuzz_expr.c $(CONF_SRCS) config/config.h \
    config/internal.h $(CONF_GEN)
	@mkdir -p $(@D)
	$(call quiet,LD)$(FUZZ_CC) $(FUZZ_FLAGS) -Iconfig -I$(B)/config -o $@ \
	    tests/fuzz_expr.c $(CONF_SRCS)
$(eval $(call fuzz_rules,expr,$(EXPR_FUZZ)))

# The packs (packs/*.conf) are installed in packdir. 'use' and miso run
# -i look for them in $MISO_PACKS, then in ../share/miso/packs from the
# directory of libmiso.so or of the miso command (which also finds the
# copy in $(B)/share), then in packdir as it was when miso was built.
datadir ?= $(PREFIX)/share
packdir ?= $(datadir)/miso/packs
PACKS    = $(wildcard packs/*.conf)
$(B)/config/pack.o: ALL_CFLAGS += -DMISO_PACKDIR='"$(packdir)"'

# libmisoconf.a is linked into libmiso.so and miso; the manual and the
# packs are installed.
install: install-config
uninstall: uninstall-config
.PHONY: install-config uninstall-config
install-config:
	install -d $(DESTDIR)$(mandir)/man5 $(DESTDIR)$(packdir)
	install -m 644 man/miso.conf.5 $(DESTDIR)$(mandir)/man5/miso.conf.5
	install -m 644 $(PACKS) $(DESTDIR)$(packdir)

uninstall-config:
	rm -f $(DESTDIR)$(mandir)/man5/miso.conf.5
	rm -f $(PACKS:packs/%=$(DESTDIR)$(packdir)/%)
	-rmdir $(DESTDIR)$(packdir) $(DESTDIR)$(datadir)/miso 2>/dev/null
include packs/build.mk
