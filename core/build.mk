# The engine: libmisocore.a and libmisocore.so.

CORE_SRCS = $(wildcard core/*.c)
CORE_OBJS = $(CORE_SRCS:%.c=$(B)/%.o)
CORE_A    = $(B)/lib/libmisocore.a
CORE_SO   = $(B)/lib/libmisocore.so

ALL_TARGETS += $(CORE_A) $(CORE_SO)

$(CORE_A): $(CORE_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(CORE_SO): $(CORE_OBJS) core/miso.map
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $(CORE_OBJS) -Wl,--version-script=core/miso.map \
	    -Wl,-soname,libmisocore.so.0 $(ALL_LDFLAGS)
