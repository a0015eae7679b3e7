# The packs' tests: a program per pack that calls each of its entries
# (tests/packs/*prog.c, built the way users build theirs), and the
# scripts that run them, and real programs under miso run -i, with and
# without isolation.  Included from config/build.mk.

TP       = $(B)/tests/packs
TP_CC    = $(CC) -O2 -g -Wall -fno-builtin
TP_PROGS = $(TP)/libmprog $(TP)/libcprog $(TP)/zlibprog $(TP)/cryptprog \
           $(TP)/magicprog
TP_SCRIPTS = tests/packs/packs.sh tests/packs/run.sh

TEST_TARGETS += $(TP_PROGS)

# The packs beside the build tree's bin/ and lib/, as once installed.
TP_SHARE = $(PACKS:packs/%=$(B)/share/miso/packs/%)
ALL_TARGETS += $(TP_SHARE)
$(TP_SHARE): $(B)/share/miso/packs/%: packs/%
	@mkdir -p $(@D)
	$(call quiet,CP)cp $< $@
SCRIPT_TESTS += $(TP_SCRIPTS)

.PHONY: check-packs
check-packs: $(B)/lib/libmiso.so $(B)/bin/miso $(TP_PROGS) $(TP_SHARE)
	@B=$(B) scripts/run-tests script $(TP_SCRIPTS)

$(TP)/libmprog: tests/packs/libmprog.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TP_CC) -o $@ $< -lm

$(TP)/libcprog: tests/packs/libcprog.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TP_CC) -o $@ $<

$(TP)/zlibprog: tests/packs/zlibprog.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TP_CC) -DWITH_BZIP2 -o $@ $< -lz -lbz2

$(TP)/cryptprog: tests/packs/cryptprog.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TP_CC) -o $@ $< -lcrypt

$(TP)/magicprog: tests/packs/magicprog.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(TP_CC) -o $@ $< -lmagic
