# The engine: libmisocore.a and libmisocore.so.

CORE_SRCS = $(wildcard core/*.c)
CORE_OBJS = $(CORE_SRCS:%.c=$(B)/%.o)
CORE_A    = $(B)/lib/libmisocore.a
CORE_SO   = $(B)/lib/libmisocore.so.0
CORE_LINK = $(B)/lib/libmisocore.so

ALL_TARGETS += $(CORE_A) $(CORE_SO) $(CORE_LINK)

$(CORE_A): $(CORE_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(call quiet,AR)$(AR) rcs $@ $^

$(CORE_SO): $(CORE_OBJS) core/miso.map
	@mkdir -p $(@D)
	$(call quiet,LD)$(CC) -shared -o $@ $(CORE_OBJS) -Wl,--version-script=core/miso.map \
	    -Wl,-soname,libmisocore.so.0 $(ALL_LDFLAGS)

$(CORE_LINK): $(CORE_SO)
	$(call quiet,LN)ln -sf libmisocore.so.0 $@

# miso.pc is written by 'make install' from the directories it installs
# into, relative to ${prefix} where they lie under it, so that
# 'pkg-config --define-variable=prefix=DIR' can move the whole tree.
MISO_PC = $(B)/miso.pc
pc_rel = $(patsubst $(PREFIX)/%,$${prefix}/%,$(patsubst $(PREFIX),$${prefix},$(1)))

.PHONY: $(MISO_PC)
$(MISO_PC): miso.pc.in
	@mkdir -p $(@D)
	$(call quiet,GEN)sed -e 's|@prefix@|$(PREFIX)|' \
	    -e 's|@exec_prefix@|$(call pc_rel,$(exec_prefix))|' \
	    -e 's|@libdir@|$(call pc_rel,$(libdir))|' \
	    -e 's|@includedir@|$(call pc_rel,$(includedir))|' \
	    -e 's|@version@|$(VERSION)|' miso.pc.in > $@

install: install-core
uninstall: uninstall-core
.PHONY: install-core uninstall-core
install-core: $(CORE_A) $(CORE_SO) $(MISO_PC)
	install -d $(DESTDIR)$(libdir) $(DESTDIR)$(includedir) \
	    $(DESTDIR)$(libdir)/pkgconfig $(DESTDIR)$(mandir)/man3
	install -m 644 man/libmiso.3 $(DESTDIR)$(mandir)/man3/libmiso.3
	install -m 644 include/miso.h $(DESTDIR)$(includedir)/miso.h
	install -m 644 $(CORE_A) $(DESTDIR)$(libdir)/libmisocore.a
	install -m 755 $(CORE_SO) $(DESTDIR)$(libdir)/libmisocore.so.0
	ln -sf libmisocore.so.0 $(DESTDIR)$(libdir)/libmisocore.so
	install -m 644 $(MISO_PC) $(DESTDIR)$(libdir)/pkgconfig/miso.pc

uninstall-core:
	rm -f $(DESTDIR)$(includedir)/miso.h $(DESTDIR)$(libdir)/libmisocore.a \
	    $(DESTDIR)$(libdir)/libmisocore.so.0 \
	    $(DESTDIR)$(libdir)/libmisocore.so \
	    $(DESTDIR)$(libdir)/pkgconfig/miso.pc \
	    $(DESTDIR)$(mandir)/man3/libmiso.3
