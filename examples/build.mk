# Examples: small programs that use the C API; each checks itself and is
# run by 'make test'.

EXAMPLES = basic error_handling blocking_signals leak crash timeout pool
EXAMPLE_BINS = $(EXAMPLES:%=$(B)/examples/%)

ALL_TARGETS  += $(EXAMPLE_BINS)
SCRIPT_TESTS += tests/examples.sh tests/tutorial.sh

$(B)/examples/%: $(B)/examples/%.o $(CORE_A)
	$(call quiet,LD)$(CC) -o $@ $< $(CORE_A) $(ALL_LDFLAGS)
.SECONDARY: $(EXAMPLE_BINS:%=%.o)
