# The shim's rebinding machinery and dl* wrappers: libmisorebind.a, linked
# into libmiso.so; and its tests under $(B)/tests/rebind, built
# the way users build, so they know nothing of miso.

REBIND_SRCS = shim/rebind.c shim/scan.c shim/real.c shim/slot.c \
              shim/elftab.c shim/streq.c shim/dl.c shim/nearest.c
REBIND_OBJS = $(REBIND_SRCS:%.c=$(B)/%.o) $(B)/shim/arch/$(ARCH)/dltramp.o
REBIND_A    = $(B)/lib/libmisorebind.a

ALL_TARGETS += $(REBIND_A)

# The exported dlsym runs before a sanitizer runtime is initialised (ASan
# looks up its reals with dlsym(RTLD_NEXT) while starting), so the code it
# reaches must not be instrumented, SAN=1 or not.
$(REBIND_OBJS): CFLAGS_AUTO += -fno-sanitize=all

$(REBIND_A): $(REBIND_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(call quiet,AR)$(AR) rcs $@ $^

# What differs between architectures is in shim/arch/$(ARCH): the stubs,
# the dl* trampolines, and arch.h (relocation types, PLT and IFUNC
# conventions), which the miso command reads too.
ifeq ($(wildcard shim/arch/$(ARCH)/arch.h),)
$(error miso: no port to $(ARCH): shim/arch/$(ARCH) is missing)
endif
CPPFLAGS_AUTO += -Ishim/arch/$(ARCH)

# The user's CFLAGS reach the assembler too, so that -mbranch-protection
# marks the stubs as it marks the C objects.
$(B)/shim/%.o: shim/%.S
	@mkdir -p $(@D)
	$(call quiet,AS)$(CC) $(CPPFLAGS_AUTO) $(CPPFLAGS) $(CFLAGS) -fPIC -MMD -MP -c -o $@ $<

# Test objects and programs (tests/rebind/run.sh).
RT       = $(B)/tests/rebind
RT_CC    = $(CC) -O2 -g -Wall
# clang assumes -fno-semantic-interposition: a library's calls to its
# own functions then skip the PLT, and no slot is there to rebind.
RT_SO    = $(RT_CC) -fPIC -fsemantic-interposition -shared
RT_PROGS = $(RT)/prog-pie $(RT)/prog-nopie $(RT)/prog-noplt \
           $(RT)/prog-relro $(RT)/dlprog $(RT)/verprog
RT_LIBS  = $(RT)/libtf.so $(RT)/libmid.so $(RT)/libver.so \
           $(RT)/plugins/libplug.so $(RT)/plugins/libdep.so \
           $(RT)/plugins/libt1.so $(RT)/plugins/libt2.so
RT_ALL   = $(RT)/libhookpre.so $(RT_LIBS) $(RT_PROGS)

ALL_TARGETS  += $(RT_ALL)
SCRIPT_TESTS += tests/rebind/run.sh

.PHONY: rebind-tests
rebind-tests: $(REBIND_A) $(RT_ALL)

$(RT)/libhookpre.so: $(RT)/hookpre.o $(REBIND_A)
	$(call quiet,LD)$(CC) -shared -o $@ $(RT)/hookpre.o $(REBIND_A) -Wl,-z,defs \
	    $(ALL_LDFLAGS)

$(RT)/libtf.so: tests/rebind/tf.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(RT_SO) -Wl,-soname,libtf.so -Wl,-z,lazy -o $@ $<

$(RT)/libmid.so: tests/rebind/mid.c $(RT)/libtf.so
	$(call quiet,LD)$(RT_SO) -fno-plt -Wl,-z,relro,-z,now -Wl,-soname,libmid.so \
	    -o $@ $< -L$(RT) -ltf -Wl,-rpath,'$$ORIGIN'

$(RT)/libver.so: tests/rebind/ver.c tests/rebind/ver.map
	@mkdir -p $(@D)
	$(call quiet,LD)$(RT_SO) -Wl,-soname,libver.so -Wl,--version-script=tests/rebind/ver.map \
	    -o $@ tests/rebind/ver.c

$(RT)/plugins/libdep.so: tests/rebind/dep.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(RT_SO) -Wl,-soname,libdep.so -o $@ $<

$(RT)/plugins/libplug.so: tests/rebind/plug.c $(RT)/plugins/libdep.so
	$(call quiet,LD)$(RT_SO) -Wl,-soname,libplug.so -o $@ $< -L$(RT)/plugins -ldep \
	    -Wl,-rpath,'$$ORIGIN'

$(RT)/plugins/libt%.so: tests/rebind/tl.c $(RT)/plugins/libdep.so
	$(call quiet,LD)$(RT_SO) -DTL_RUN=t$*_run -Wl,-soname,libt$*.so -o $@ $< \
	    -L$(RT)/plugins -ldep -Wl,-rpath,'$$ORIGIN'

RT_PROG_LIBS = -L$(RT) -lmid -ltf -Wl,-rpath,'$$ORIGIN'

$(RT)/prog-pie: tests/rebind/prog.c $(RT)/libmid.so
	$(call quiet,LD)$(RT_CC) -fPIE -pie -o $@ $< $(RT_PROG_LIBS)

$(RT)/prog-nopie: tests/rebind/prog.c $(RT)/libmid.so
	$(call quiet,LD)$(RT_CC) -fno-pie -no-pie -o $@ $< $(RT_PROG_LIBS)

$(RT)/prog-noplt: tests/rebind/prog.c $(RT)/libmid.so
	$(call quiet,LD)$(RT_CC) -fPIE -pie -fno-plt -o $@ $< $(RT_PROG_LIBS)

$(RT)/prog-relro: tests/rebind/prog.c $(RT)/libmid.so
	$(call quiet,LD)$(RT_CC) -fPIE -pie -Wl,-z,relro,-z,now -o $@ $< $(RT_PROG_LIBS)

$(RT)/dlprog: tests/rebind/dlprog.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(RT_CC) -fPIE -pie -o $@ $< -pthread -Wl,-rpath,'$$ORIGIN/plugins'

$(RT)/verprog: tests/rebind/verprog.c $(RT)/libver.so
	$(call quiet,LD)$(RT_CC) -o $@ $< -L$(RT) -lver -Wl,-rpath,'$$ORIGIN'

# Unit tests (cmocka): the program itself plays libmiso.so.
REBIND_TEST   = $(B)/tests/test_rebind

UNIT_TESTS     += $(REBIND_TEST)
VALGRIND_TESTS += $(REBIND_TEST)

$(REBIND_TEST): $(B)/tests/test_rebind.o $(REBIND_A) $(RT)/libmid.so
	$(call quiet,LD)$(CC) -o $@ $(B)/tests/test_rebind.o $(REBIND_A) -L$(RT) -ltf \
	    -Wl,-rpath,$(abspath $(RT)) -Wl,--wrap=mprotect \
	    $(CMOCKA_LIBS) $(ALL_LDFLAGS)

# libmiso.so: the shim, with the engine, the config parser and the
# rebinding machinery inside, so that one file is all there is to preload.
SHIM_SRCS = shim/init.c shim/log.c shim/ffi.c shim/entry.c \
            shim/codec.c shim/plan.c shim/request.c shim/commit.c \
            shim/rebuild.c shim/run.c \
            shim/policy.c shim/stats.c shim/safecopy.c
SHIM_OBJS = $(SHIM_SRCS:%.c=$(B)/%.o) $(B)/shim/arch/$(ARCH)/stubs.o
SHIM_SO   = $(B)/lib/libmiso.so
FFI_CFLAGS = $(shell $(PKG_CONFIG) --cflags libffi 2>/dev/null)
FFI_LIBS   = $(shell $(PKG_CONFIG) --libs libffi 2>/dev/null || echo -lffi)

ALL_TARGETS += $(SHIM_SO)

$(SHIM_OBJS): CPPFLAGS += $(FFI_CFLAGS)

# The export list is anonymous on purpose: a named version node would make
# the program's references to dlsym@GLIBC_2.34 skip our definitions.
$(SHIM_SO): $(SHIM_OBJS) $(REBIND_A) $(CORE_A) $(CONF_A) shim/libmiso.map
	@mkdir -p $(@D)
	$(call quiet,LD)$(CC) -shared -o $@ $(SHIM_OBJS) $(REBIND_A) $(CONF_A) $(CORE_A) \
	    $(FFI_LIBS) -lm -Wl,--version-script=shim/libmiso.map -Wl,-z,defs \
	    -Wl,-z,now $(ALL_LDFLAGS)

install: install-shim
uninstall: uninstall-shim
.PHONY: install-shim uninstall-shim
install-shim: $(SHIM_SO)
	install -d $(DESTDIR)$(libdir)
	install -m 755 $(SHIM_SO) $(DESTDIR)$(libdir)/libmiso.so

uninstall-shim:
	rm -f $(DESTDIR)$(libdir)/libmiso.so

# The reply of an isolated call, tested in-process (no preloading).
MARSHAL_TEST = $(B)/tests/test_marshal
UNIT_TESTS     += $(MARSHAL_TEST)
VALGRIND_TESTS += $(MARSHAL_TEST)
$(B)/tests/test_marshal.o: CPPFLAGS += $(FFI_CFLAGS)
$(MARSHAL_TEST): $(B)/tests/test_marshal.o $(filter-out $(B)/shim/init.o,$(SHIM_OBJS)) $(REBIND_A) $(CONF_A) $(CORE_A)
	$(call quiet,LD)$(CC) -o $@ $^ $(FFI_LIBS) -lm $(CMOCKA_LIBS) $(ALL_LDFLAGS)

# The demo and the integration tests of the shim (demo/, tests/shim/).
-include shim/tests.mk

# Fuzzing the caller's side of the reply (tests/fuzz_reply.c).
REPLY_FUZZ = $(B)/fuzz/fuzz_reply
REPLY_FUZZ_SRCS = tests/fuzz_reply.c shim/codec.c shim/plan.c shim/run.c \
                  shim/commit.c shim/ffi.c shim/elftab.c shim/streq.c \
                  shim/safecopy.c core/writer.c core/io.c $(CONF_SRCS)

$(REPLY_FUZZ): $(REPLY_FUZZ_SRCS) shim/shim.h shim/codec.h $(CONF_GEN)
	@mkdir -p $(@D)
	$(call quiet,LD)$(FUZZ_CC) $(FUZZ_FLAGS) $(FFI_CFLAGS) -Iconfig -I$(B)/config \
	    -o $@ $(REPLY_FUZZ_SRCS) $(FFI_LIBS)
$(eval $(call fuzz_rules,reply,$(REPLY_FUZZ)))
